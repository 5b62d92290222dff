"""The type stubs (``femtologging/*.pyi``) describe the API that actually exists.

Each stub is parsed with :mod:`ast` (no type checker needed): every public name of a module
must be declared in its stub, and every class, function and method a stub declares must exist
at runtime, so a stub can neither lag behind the code nor promise what is not there.
"""

import ast
import importlib
import inspect
import os
import sys
from pathlib import Path

import pytest

import femtologging

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("FEMTOLOGGING_TESTS_AGAINST_STDLIB")),
    reason="the stubs describe femtologging, not the standard library",
)

PACKAGE_DIR = Path(femtologging.__file__).resolve().parent

# module name -> stub file name (inside the package directory)
STUBS = {
    "femtologging": "__init__.pyi",
    "femtologging.handlers": "handlers.pyi",
    "femtologging.config": "config.pyi",
    "femtologging._femtologging": "_femtologging.pyi",
    "femtologging._native_api": "_native_api.pyi",
    "femtologging.receive": "receive.pyi",
}


def _stub_tree(module_name):
    path = PACKAGE_DIR / STUBS[module_name]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _version_test(test):
    """The truth of a stub's ``sys.version_info >= (3, N)`` (or ``<``) test on this
    interpreter, as type checkers evaluate it; None for any other test."""
    if (isinstance(test, ast.Compare) and len(test.ops) == 1
            and ast.unparse(test.left) == "sys.version_info"
            and isinstance(test.ops[0], (ast.GtE, ast.Lt))):
        bound = ast.literal_eval(test.comparators[0])
        at_least = sys.version_info[:len(bound)] >= bound
        return at_least if isinstance(test.ops[0], ast.GtE) else not at_least
    return None


def _active(body):
    """The statements of ``body`` that apply on this interpreter: the branches of
    ``if sys.version_info ...`` blocks are resolved, recursively."""
    out = []
    for node in body:
        truth = _version_test(node.test) if isinstance(node, ast.If) else None
        if truth is None:
            out.append(node)
        else:
            out.extend(_active(node.body if truth else node.orelse))
    return out


def _assigned_names(node):
    """Names bound by an assignment statement of a stub."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _declared(tree):
    """Top-level names a stub declares, split into definitions and other bindings.

    Returns ``(defs, others)``: ``defs`` maps class/function names to their AST node;
    ``others`` holds names bound by assignments, annotations and ``import X as X``
    re-exports.
    """
    defs, others = {}, set()
    for node in _active(tree.body):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            defs[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            others |= _assigned_names(node)
        elif isinstance(node, ast.ImportFrom):
            # ``from x import Name as Name`` is how a stub re-exports a name.
            others |= {a.asname for a in node.names if a.asname and a.asname == a.name}
    return defs, others


def _stub_all(tree):
    """The stub's ``__all__`` on this interpreter (``__all__ += [...]`` in version blocks)."""
    names = None
    for node in _active(tree.body):
        if isinstance(node, ast.Assign) and "__all__" in _assigned_names(node):
            names = list(ast.literal_eval(node.value))
        elif (isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name)
              and node.target.id == "__all__"):
            names += ast.literal_eval(node.value)
    return names


def _public_runtime_names(module):
    """Non-underscore names a module defines or deliberately exposes (not imported modules).

    Classes and functions count only when they belong to femtologging (so ``GenericAlias``
    imported from :mod:`types` is not required in the stub); other values (constants,
    ``root``, ``lastResort`` ...) always count.
    """
    names = set()
    for name, value in vars(module).items():
        if name.startswith("_") or inspect.ismodule(value):
            continue
        if inspect.isclass(value) or inspect.isfunction(value) or inspect.isbuiltin(value):
            if not getattr(value, "__module__", "").startswith("femtologging"):
                continue
        names.add(name)
    return names


@pytest.mark.parametrize("module_name", sorted(STUBS))
def test_stub_parses_and_declares_every_public_name(module_name):
    module = importlib.import_module(module_name)
    defs, others = _declared(_stub_tree(module_name))
    declared = set(defs) | others
    missing = sorted(_public_runtime_names(module) - declared)
    assert missing == [], f"{STUBS[module_name]} lacks {missing}"


def test_package_stub_covers_dunder_all():
    tree = _stub_tree("femtologging")
    defs, others = _declared(tree)
    missing = sorted(set(femtologging.__all__) - (set(defs) | others))
    assert missing == []
    assert sorted(_stub_all(tree)) == sorted(femtologging.__all__)


def test_extension_stub_all_matches_runtime():
    native = importlib.import_module("femtologging._femtologging")
    assert sorted(_stub_all(_stub_tree("femtologging._femtologging"))) == sorted(native.__all__)


def _check_defs_exist(module_name, include_private):
    """Every class/function (and every method of those classes) in the stub exists at runtime."""
    module = importlib.import_module(module_name)
    defs, _ = _declared(_stub_tree(module_name))
    problems = []
    for name, node in defs.items():
        if name.startswith("_") and not include_private:
            continue
        if not hasattr(module, name):
            problems.append(name)
            continue
        if isinstance(node, ast.ClassDef):
            runtime_cls = getattr(module, name)
            for member in _active(node.body):
                if isinstance(member, ast.FunctionDef) and not hasattr(runtime_cls, member.name):
                    problems.append(f"{name}.{member.name}")
    return problems


def test_extension_stub_names_exist_in_extension_module():
    # Every name, private ones included: the facade calls the underscore hooks.
    assert _check_defs_exist("femtologging._femtologging", include_private=True) == []


@pytest.mark.parametrize("module_name", ["femtologging", "femtologging.handlers", "femtologging.config",
                                         "femtologging._native_api", "femtologging.receive"])
def test_public_stub_definitions_exist_at_runtime(module_name):
    # Private helper protocols of a stub (``_SupportsWrite``...) are typing-only.
    assert _check_defs_exist(module_name, include_private=False) == []


def test_package_is_marked_typed():
    assert (PACKAGE_DIR / "py.typed").is_file()
