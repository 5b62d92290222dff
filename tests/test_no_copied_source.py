"""No line of femtologging's Python package is copied from CPython's ``logging`` package.

The project rule: names, signatures and messages are behaviour and must match the standard
library; structure, helpers, comments and docstrings are ours. The CPython sources compared
against are the running interpreter's own ``Lib/logging/*.py`` (found through
``sysconfig.get_paths()["stdlib"]``, read as text: nothing here imports them), so each
supported CPython checks its own version.

Two checks over every ``femtologging/**/*.py``, comparing whitespace-stripped lines:

* a single line of at least ``MIN_LINE`` characters identical to a line of CPython;
* ``RUN`` consecutive "substantial" lines identical to ``RUN`` consecutive ones of CPython,
  where a substantial line has at least ``MIN_RUN_LINE`` characters; blank lines and the
  lines the rule below allows are dropped from both sides before comparing, so inserting or
  removing such lines does not hide a copied block.

A line is allowed (it states behaviour rather than implementation) when it lies in:

1. a ``def``/``class`` header (its decorators, then the lines from ``def``/``class`` up to
   its body): signatures;
2. a ``raise`` statement or a ``warnings.warn(...)`` call: exception and warning messages;
3. a line holding nothing but string literals (and ``,()+``) outside any docstring: a piece of
   a message or format string split over lines (docstrings are ours and ARE checked);
4. an ``import`` statement;
5. a module- or class-level declaration ``NAME = <simple value>`` (a literal, a name or
   attribute, or a call of one with simple arguments): public names, documented defaults and
   format strings such as ``BASIC_FORMAT`` or ``DEFAULT_TCP_LOGGING_PORT``;
6. a store of a documented attribute from a parameter or literal, ``self.a = b`` /
   ``self.a, self.b = b, None`` / ``self.d = {}``: the attribute names are the public API;
7. (single-line check only) a statement that only passes names on,
   ``[return] f(a, b, *args, key=c, **kwargs)`` with every argument a bare name or constant:
   alone, a delegation whose shape the callee's signature fixes
   (``SocketHandler.__init__(self, host, port)``); several in a row are still a copied run.
"""

import ast
import functools
import io
import os
import sysconfig
import tokenize

import pytest

MIN_LINE = 40
RUN = 4
MIN_RUN_LINE = 12

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "femtologging")
CPYTHON_LOGGING = os.path.join(sysconfig.get_paths()["stdlib"], "logging")

_SIMPLE_NODES = (ast.Constant, ast.Name, ast.Attribute, ast.Call, ast.Tuple, ast.List, ast.Dict,
                 ast.Set, ast.keyword, ast.Load, ast.UnaryOp, ast.USub)
_LITERAL_TOKENS = {tokenize.STRING, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT,
                   tokenize.INDENT, tokenize.DEDENT}


def _lines_of(node):
    return range(node.lineno, node.end_lineno + 1)


def _is_simple(value):
    return all(isinstance(n, _SIMPLE_NODES) for n in ast.walk(value))


def _is_self_attr(target):
    return (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
            and target.value.id == "self")


def _is_attribute_store(node):
    """``self.a = b`` or ``self.a, self.b = b, None`` (right side: names and constants)."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
        return False
    target, value = node.targets[0], node.value
    targets = target.elts if isinstance(target, ast.Tuple) else [target]
    values = value.elts if isinstance(value, ast.Tuple) else [value]
    return all(_is_self_attr(t) for t in targets) and all(_is_name_or_literal(v) for v in values)


def _is_name_or_literal(node):
    if isinstance(node, ast.Name):
        return True
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def _is_warn_call(node):
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "warn"


def _is_delegation(node):
    """``f(a, *b, k=c, **d)`` as a statement or returned, each argument a name or constant."""
    if not isinstance(node, (ast.Expr, ast.Return)) or not isinstance(node.value, ast.Call):
        return False
    call = node.value
    args = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
    args += [k.value for k in call.keywords]
    return all(isinstance(a, (ast.Name, ast.Constant)) for a in args)


def _docstring_lines(tree):
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                lines.update(_lines_of(body[0]))
    return lines


def _literal_only_lines(text):
    """Numbers of the lines whose tokens are all string literals (or ``,()+``)."""
    kinds = {}
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        plain = tok.type in _LITERAL_TOKENS or (tok.type == tokenize.OP and tok.string in ",()+")
        for line in range(tok.start[0], tok.end[0] + 1):
            kinds[line] = kinds.get(line, True) and plain
    return {line for line, plain in kinds.items() if plain}


def allowed_lines(text):
    """The line numbers of ``text`` rules 1-6 of the module docstring allow, and of rule 7."""
    tree = ast.parse(text)
    allowed = _literal_only_lines(text) - _docstring_lines(tree)
    delegations = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            allowed.update(range(first, node.body[0].lineno))
        elif isinstance(node, (ast.Raise, ast.Import, ast.ImportFrom)) or _is_warn_call(node):
            allowed.update(_lines_of(node))
        elif _is_attribute_store(node):
            allowed.update(_lines_of(node))
        elif _is_delegation(node):
            delegations.update(_lines_of(node))
        if isinstance(node, (ast.Module, ast.ClassDef)):
            for stmt in node.body:
                if (isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None
                        and _is_simple(stmt.value)):
                    allowed.update(_lines_of(stmt))
    return allowed, delegations - allowed


def checked_lines(path):
    """``(line number, stripped text, is a delegation)`` of the non-blank lines of ``path``
    that rules 1-6 do not allow."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    allowed, delegations = allowed_lines(text)
    return [(n, line.strip(), n in delegations) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and n not in allowed]


def _python_files(root, recursive):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"] if recursive else []
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield os.path.join(dirpath, name)


def _substantial(lines):
    return [(n, s) for n, s, _ in lines if len(s) >= MIN_RUN_LINE]


def _long(lines):
    return [(n, s) for n, s, delegation in lines if len(s) >= MIN_LINE and not delegation]


@functools.lru_cache(maxsize=None)
def find_copies():
    """Every copied line and run in the package, as ``path:line: text`` strings."""
    cpython_lines, cpython_runs = set(), set()
    for path in _python_files(CPYTHON_LOGGING, recursive=False):
        lines = checked_lines(path)
        cpython_lines.update(s for _, s in _long(lines))
        texts = [s for _, s in _substantial(lines)]
        cpython_runs.update(tuple(texts[i:i + RUN]) for i in range(len(texts) - RUN + 1))
    hits = []
    for path in _python_files(PACKAGE, recursive=True):
        rel = os.path.relpath(path, os.path.dirname(PACKAGE))
        lines = checked_lines(path)
        hits += [f"{rel}:{n}: {s}" for n, s in _long(lines) if s in cpython_lines]
        sub = _substantial(lines)
        copied = set()
        for i in range(len(sub) - RUN + 1):
            if tuple(s for _, s in sub[i:i + RUN]) in cpython_runs:
                copied.update(range(i, i + RUN))
        for first, last in _blocks(sorted(copied)):
            hits.append(f"{rel}:{sub[first][0]}-{sub[last][0]}: run of {last - first + 1} "
                        f"lines starting {sub[first][1]!r}")
    return tuple(hits)


def _blocks(indexes):
    """``(first, last)`` of each stretch of consecutive numbers in the sorted ``indexes``."""
    blocks = []
    for i in indexes:
        if blocks and blocks[-1][1] == i - 1:
            blocks[-1][1] = i
        else:
            blocks.append([i, i])
    return blocks


def test_cpython_sources_are_found():
    assert os.path.isfile(os.path.join(CPYTHON_LOGGING, "__init__.py")), CPYTHON_LOGGING
    assert os.path.isfile(os.path.join(PACKAGE, "__init__.py")), PACKAGE


def test_rule_allows_behaviour_and_flags_implementation():
    text = (
        "import os\n"
        "BASIC_FORMAT = '%(levelname)s:%(name)s:%(message)s'\n"
        "class H(Base):\n"
        "    '''Docstring line.'''\n"
        "    def __init__(self, filename, mode='a',\n"
        "                 encoding=None):\n"
        "        self.mode = mode\n"
        "        self.baseFilename = os.path.abspath(filename)\n"
        "        if mode not in 'aw':\n"
        "            raise ValueError('bad mode %r'\n"
        "                             % mode)\n"
        "        print('first part '\n"
        "              'second part')\n"
        "    @property\n"
        "    def emit(self, record):\n"
        "        return Base.emit(self, record)\n"
    )
    allowed, delegations = allowed_lines(text)
    assert sorted(allowed) == [1, 2, 3, 5, 6, 7, 10, 11, 13, 14, 15]
    assert sorted(delegations) == [12, 16]


@pytest.mark.parametrize("kind", ["line", "run"])
def test_no_source_copied_from_cpython(kind):
    hits = [h for h in find_copies() if (": run of " in h) == (kind == "run")]
    assert not hits, f"{len(hits)} {kind}(s) identical to CPython's logging:\n" + "\n".join(hits)
