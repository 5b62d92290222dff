"""The native traceback formatter produces exactly ``traceback.format_exception``'s text.

Every check formats the same exception twice (a cache miss, then a hit) and compares both with
``''.join(traceback.format_exception(type(e), e, tb))`` — what ``traceback.print_exception`` writes.
"""

import importlib
import os
import sys
import textwrap
import threading
import traceback

import pytest

if os.environ.get("FEMTOLOGGING_TESTS_AGAINST_STDLIB"):
    # These tests compare the native code with the standard library directly.
    pytest.skip("native-only module", allow_module_level=True)

from femtologging import _femtologging as native  # noqa: E402


def stdlib_text(etype, value, tb):
    return "".join(traceback.format_exception(etype, value, tb))


def capture(func):
    """Run ``func`` and return the exception it raises."""
    try:
        func()
    except BaseException as exc:  # noqa: BLE001 - any exception is the subject here
        return exc
    raise AssertionError("no exception raised")


def check(exc, etype=None, tb=None):
    """Native text equals stdlib's, on a miss and on a hit; returns the text."""
    etype = type(exc) if etype is None else etype
    tb = exc.__traceback__ if tb is None else tb
    expected = stdlib_text(etype, exc, tb)
    first = native._format_exception(etype, exc, tb)
    second = native._format_exception(etype, exc, tb)
    assert first == expected
    assert second == expected
    assert type(first) is str
    return expected


@pytest.fixture(autouse=True)
def fresh_cache():
    native._traceback_cache_clear()
    yield
    native._traceback_cache_clear()


# -- simple cases ------------------------------------------------------------------------------


def raise_value_error():
    raise ValueError("boom")


def level3():
    raise_value_error()


def level2():
    level3()


def level1():
    level2()


def test_simple_raise_uses_the_cache():
    text = check(capture(raise_value_error))
    assert text.endswith("ValueError: boom\n")
    assert native._traceback_cache_len() >= 2


def test_nested_calls():
    text = check(capture(level1))
    assert text.count('  File "') == 5


def test_errors_from_c_functions():
    check(capture(lambda: int("x")))
    check(capture(lambda: {}["k"]))
    check(capture(lambda: [].pop()))
    check(capture(lambda: sorted([1, "a"])))


def test_same_site_twice_gives_same_text():
    first = capture(level1)
    second = capture(level1)
    a = native._format_exception(type(first), first, first.__traceback__)
    size = native._traceback_cache_len()
    b = native._format_exception(type(second), second, second.__traceback__)
    assert native._traceback_cache_len() == size
    assert a == b == stdlib_text(type(second), second, second.__traceback__)


def test_exception_without_traceback():
    exc = ValueError("never raised")
    assert native._format_exception(ValueError, exc, None) == "ValueError: never raised\n"
    check(exc)


def test_value_none_falls_back():
    assert native._format_exception(None, None, None) == stdlib_text(None, None, None)


def test_type_argument_is_ignored_like_stdlib():
    exc = capture(raise_value_error)
    assert native._format_exception(KeyError, exc, exc.__traceback__) == stdlib_text(
        KeyError, exc, exc.__traceback__
    )


def test_other_traceback_than_the_exceptions_own():
    exc = capture(raise_value_error)
    other = capture(level1)
    check(exc, tb=other.__traceback__)


# -- carets ------------------------------------------------------------------------------------


def add(a, b):
    return a + b


def binary_op_in_expression(a, b, c):
    return c * 2 + (a + b) - 1


def subscripts(data):
    return data["outer"]["inner"][0]


class Holder:
    inner = None


def attributes(obj):
    return obj.inner.missing.deeper


def call_spanning_lines(x):
    return int(
        x,
        base=10,
    )


def divide(values):
    return values[0] / values[1]


def test_carets_for_binary_operations():
    text = check(capture(lambda: add(1, None)))
    assert "~~^~~" in text
    check(capture(lambda: binary_op_in_expression(1, "s", 2)))
    check(capture(lambda: divide([1, 0])))


def test_carets_for_subscripts_and_attributes():
    check(capture(lambda: subscripts({"outer": {}})))
    check(capture(lambda: subscripts({"outer": {"inner": []}})))
    check(capture(lambda: attributes(Holder())))


def test_call_spanning_lines():
    check(capture(lambda: call_spanning_lines("zz")))


def wide_characters():
    label = "日本語テキスト"; return label + 1  # noqa: E702


def test_wide_characters_in_source_line_and_unicode_message():
    check(capture(wide_characters))
    check(capture(lambda: (_ for _ in ()).throw(ValueError("ünïcødé ☃ 日本"))))


def test_lone_surrogate_in_message():
    exc = ValueError("bad \udcff byte")
    try:
        raise exc
    except ValueError:
        pass
    check(exc)


def test_multiline_and_empty_messages():
    check(capture(lambda: (_ for _ in ()).throw(ValueError("line one\nline two"))))
    text = check(capture(raise_empty))
    assert text.endswith("ValueError\n")
    text = check(capture(raise_empty_string))
    assert text.endswith("ValueError\n")


def raise_empty():
    raise ValueError


def raise_empty_string():
    raise ValueError("")


# -- callables of every kind ---------------------------------------------------------------------


def in_comprehension():
    return [1 / x for x in (1, 0)]


def in_generator():
    return list(1 / x for x in (1, 0))


def in_nested_function():
    def inner():
        def innermost():
            raise KeyError("nested")

        innermost()

    inner()


class WithMethods:
    def method(self):
        raise RuntimeError("from a method")

    @staticmethod
    def static():
        return WithMethods().method()


def test_lambdas_comprehensions_generators_nested_functions():
    check(capture(lambda: (lambda y: y.nope)(3)))
    check(capture(in_comprehension))
    check(capture(in_generator))
    check(capture(in_nested_function))
    check(capture(WithMethods.static))
    check(capture(lambda: dict({}.__getitem__(k) for k in "a")))


def test_code_from_exec_string_is_never_cached():
    namespace = {}
    exec("def f():\n    raise ValueError('from exec')\n", namespace)
    exc = capture(namespace["f"])
    check(exc)
    # Only the frame of `capture`, from this file, is cached; `<string>` cannot be stat()ed.
    assert native._traceback_cache_len() == 1


# -- chains ------------------------------------------------------------------------------------


def raise_with_cause():
    try:
        raise_value_error()
    except ValueError as exc:
        raise RuntimeError("wrapped") from exc


def raise_with_context():
    try:
        {}["missing"]
    except KeyError:
        raise_value_error()


def raise_suppressed():
    try:
        {}["missing"]
    except KeyError:
        raise RuntimeError("clean") from None


def raise_three_deep():
    try:
        raise_with_cause()
    except RuntimeError:
        int("not a number")


def test_cause_context_and_suppressed_context():
    text = check(capture(raise_with_cause))
    assert "direct cause" in text
    text = check(capture(raise_with_context))
    assert "During handling" in text
    text = check(capture(raise_suppressed))
    assert "KeyError" not in text
    check(capture(raise_three_deep))
    assert native._traceback_cache_len() > 0, "chains are rendered natively"


def test_cause_without_traceback_and_context_after_suppressed_cause():
    exc = RuntimeError("outer")
    exc.__cause__ = ValueError("inner, never raised")
    check(exc)
    exc = capture(raise_with_context)
    exc.__cause__ = None
    exc.__suppress_context__ = True
    check(exc)


def test_cycles_in_the_chain():
    first = capture(raise_value_error)
    second = capture(level1)
    first.__context__ = second
    second.__context__ = first
    check(first)
    self_loop = capture(raise_value_error)
    self_loop.__cause__ = self_loop
    check(self_loop)


class Falsy(Exception):
    def __bool__(self):
        return False


def test_falsy_exception_ends_the_chain_like_stdlib():
    exc = Falsy("f")
    exc.__cause__ = ValueError("hidden")
    check(exc)


# -- notes -------------------------------------------------------------------------------------


class BadStr(Exception):
    def __str__(self):
        raise RuntimeError("no str for you")


class NoteWithBadStr:
    def __str__(self):
        raise RuntimeError("bad note")


def test_notes():
    exc = capture(raise_value_error)
    exc.add_note("first note")
    exc.add_note("second\nnote on two lines")
    text = check(exc)
    assert text.endswith("first note\nsecond\nnote on two lines\n")
    exc = capture(raise_value_error)
    exc.__notes__ = ("a tuple note", 42, NoteWithBadStr())
    check(exc)
    exc = capture(raise_value_error)
    exc.__notes__ = "a string is a sequence"
    check(exc)
    exc = capture(raise_value_error)
    exc.__notes__ = 12
    check(exc)
    exc = capture(raise_value_error)
    exc.__notes__ = None
    check(exc)


def test_str_that_raises():
    text = check(capture(lambda: (_ for _ in ()).throw(BadStr("x"))))
    assert "<exception str() failed>" in text


# -- type names --------------------------------------------------------------------------------


class LocalError(Exception):
    pass


def test_exception_classes_from_module_main_and_builtins():
    text = check(capture(lambda: (_ for _ in ()).throw(LocalError("here"))))
    assert f"{__name__}.LocalError: here" in text
    main_error = type("MainError", (Exception,), {"__module__": "__main__"})
    text = check(capture(lambda: (_ for _ in ()).throw(main_error("m"))))
    assert text.endswith("\nMainError: m\n")
    odd_module = type("OddModule", (Exception,), {"__module__": 3})
    check(capture(lambda: (_ for _ in ()).throw(odd_module("o"))))
    nested = type("Inner", (Exception,), {"__qualname__": "Outer.Inner", "__module__": "pkg.mod"})
    text = check(capture(lambda: (_ for _ in ()).throw(nested("n"))))
    assert text.endswith("pkg.mod.Outer.Inner: n\n")
    check(capture(lambda: (_ for _ in ()).throw(OSError(2, "No such file", "/x"))))


# -- fallbacks ---------------------------------------------------------------------------------


def raise_group():
    raise ExceptionGroup("several", [ValueError("one"), capture(level1)])


def test_exception_group_falls_back():
    text = check(capture(raise_group))
    assert "+-+----" in text
    assert native._traceback_cache_len() == 0, "groups are left to the traceback module"
    exc = capture(raise_with_context)
    exc.__context__ = capture(raise_group)
    check(exc)


def test_syntax_error_falls_back():
    exc = capture(lambda: compile("x = (1 +\n", "<test>", "exec"))
    check(exc)
    exc = capture(lambda: compile("a b c", "file.py", "exec"))
    check(exc)
    assert native._traceback_cache_len() == 0


def recurse(n):
    return recurse(n + 1)


def recurse_to(n):
    if n == 0:
        raise ValueError("bottom")
    recurse_to(n - 1)


def test_recursion_error_folds_repeated_lines():
    text = check(capture(lambda: recurse(0)))
    assert "[Previous line repeated" in text


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 30])
def test_repeated_lines_around_the_cutoff(depth):
    check(capture(lambda: recurse_to(depth)))


def test_sys_tracebacklimit_is_honoured(monkeypatch):
    exc = capture(level1)
    for limit in (2, 0, -1):
        monkeypatch.setattr(sys, "tracebacklimit", limit, raising=False)
        check(exc)
    assert native._traceback_cache_len() == 0


# -- source files ------------------------------------------------------------------------------


def write_module(tmp_path, name, source):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    importlib.invalidate_caches()


def test_frame_from_a_file_that_no_longer_exists(module_dir):
    path = write_module(module_dir, "tb_vanishing", """
        def fail():
            raise ValueError("gone")
    """)
    module = importlib.import_module("tb_vanishing")
    check(capture(module.fail))
    path.unlink()
    check(capture(module.fail))
    check(capture(module.fail))
    del sys.modules["tb_vanishing"]


def test_source_edited_between_two_exceptions(module_dir):
    path = write_module(module_dir, "tb_edited", """
        def fail():
            raise ValueError("edited")
    """)
    module = importlib.import_module("tb_edited")
    text = check(capture(module.fail))
    assert 'raise ValueError("edited")' in text
    write_module(module_dir, "tb_edited", """
        def fail():
            raise ValueError("the file changed")  # longer now
    """)
    text = check(capture(module.fail))
    assert "the file changed" in text
    # Same size, different contents and modification time.
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("changed", "CHANGED"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    text = check(capture(module.fail))
    assert "CHANGED" in text
    del sys.modules["tb_edited"]


def test_module_source_with_encoding_cookie(module_dir):
    path = module_dir / "tb_latin.py"
    path.write_bytes(
        b"# -*- coding: latin-1 -*-\ndef fail():\n    raise ValueError('caf\xe9') or 'caf\xe9'\n"
    )
    module = importlib.import_module("tb_latin")
    check(capture(module.fail))
    del sys.modules["tb_latin"]


# -- concurrency and errors ----------------------------------------------------------------------


def test_threads_share_the_cache():
    exc = capture(level1)
    expected = stdlib_text(type(exc), exc, exc.__traceback__)
    results = []

    def work():
        for _ in range(200):
            results.append(native._format_exception(type(exc), exc, exc.__traceback__))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 800
    assert all(text == expected for text in results)


def test_bad_arguments_raise_like_stdlib():
    with pytest.raises(AttributeError):
        traceback.format_exception(ValueError, "not an exception", None)
    with pytest.raises(AttributeError):
        native._format_exception(ValueError, "not an exception", None)
    exc = capture(raise_value_error)
    with pytest.raises(AttributeError):
        traceback.format_exception(ValueError, exc, "not a traceback")
    with pytest.raises(AttributeError):
        native._format_exception(ValueError, exc, "not a traceback")
