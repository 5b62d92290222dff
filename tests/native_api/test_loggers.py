"""get_logger / FemtoLogger: names, levels, handlers, Python handlers, one shared hierarchy."""

import io

import pytest

import femtologging
from femtologging import FemtoLogger, PythonHandler, get_logger, reset_manager


class Collector:
    def __init__(self):
        self.records = []

    def handle(self, logger, level, message):
        self.records.append((logger, level, message))


@pytest.mark.parametrize("bad", ["", ".a", "a.", "a..b", "."])
def test_invalid_names_are_refused(bad):
    with pytest.raises(ValueError):
        get_logger(bad)


def test_name_must_be_a_string():
    with pytest.raises(TypeError):
        get_logger(3)


def test_get_logger_is_a_singleton_view_of_getLogger(name):
    a = get_logger(name + ".child")
    assert isinstance(a, FemtoLogger)
    assert a is get_logger(name + ".child")
    assert a.logger is femtologging.getLogger(name + ".child")
    parent = femtologging.getLogger(name)  # fixes the child's parent up, as in stdlib
    assert a.logger.parent is parent
    assert get_logger("root").logger is femtologging.root


def test_log_returns_text_or_none_with_case_insensitive_names(name):
    log = get_logger(name)
    log.set_level("info")
    assert log.log("debug", "no") is None
    assert log.log("INFO", "hello") == "%s [INFO] hello" % name
    assert log.log("Warn", "w") == "%s [WARNING] w" % name
    assert log.log("warning", "w2") == "%s [WARNING] w2" % name
    assert log.log("error", "e") == "%s [ERROR] e" % name
    assert log.log("CRITICAL", "c") == "%s [CRITICAL] c" % name
    with pytest.raises(ValueError):
        log.log("LOUD", "x")
    with pytest.raises(TypeError):
        log.log(None, "x")


def test_trace_level_passes_when_enabled(name):
    log = get_logger(name)
    assert log.log("TRACE", "t") is None
    log.set_level("trace")
    assert log.level == 5
    assert log.log("trace", "t") == "%s [TRACE] t" % name
    assert femtologging.getLevelName(5) == "TRACE"


def test_levels_and_handlers_are_shared_by_both_apis(name):
    std = femtologging.getLogger(name)
    native = get_logger(name)
    stream = io.StringIO()
    std.addHandler(femtologging.StreamHandler(stream))
    native.set_level("ERROR")
    assert std.level == femtologging.ERROR
    native.warning("dropped by level")
    std.setLevel(femtologging.WARNING)
    assert native.isEnabledFor(femtologging.WARNING)
    native.warning("native %s", "call")
    std.warning("stdlib call")
    assert native.log("warning", "via log") is not None
    assert stream.getvalue().splitlines() == ["native call", "stdlib call", "via log"]
    assert native.handlers == std.handlers


def test_level_methods_are_the_loggers_own(name):
    log = get_logger(name)
    for method in ("debug", "info", "warning", "error", "critical", "exception", "isEnabledFor"):
        assert getattr(log, method) == getattr(log.logger, method)


def test_exception_method_records_the_traceback(name):
    log = get_logger(name)
    stream = io.StringIO()
    log.add_handler(femtologging.StreamHandler(stream))
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("failed")
    assert stream.getvalue().startswith("failed\nTraceback")
    assert "ZeroDivisionError" in stream.getvalue()


def test_propagation_is_shared(name):
    parent, child = get_logger(name), get_logger(name + ".c")
    collector = Collector()
    parent.add_handler(collector)
    child.set_level("INFO")
    child.info("up")
    child.set_propagate(False)
    assert femtologging.getLogger(name + ".c").propagate is False
    child.info("stays")
    assert collector.records == [(name + ".c", "INFO", "up")]


def test_python_handlers_added_removed_cleared(name):
    log = get_logger(name)
    log.set_level("DEBUG")
    a, b = Collector(), Collector()
    log.add_handler(a)
    log.add_handler(a)  # once only
    log.add_handler(b)
    assert len(log.handlers) == 2 and all(isinstance(h, PythonHandler) for h in log.handlers)
    log.log("DEBUG", "one")
    assert log.remove_handler(a) is True
    assert log.remove_handler(a) is False
    log.info("two")
    log.clear_handlers()
    log.info("three")
    assert a.records == [(name, "DEBUG", "one")]
    assert b.records == [(name, "DEBUG", "one"), (name, "INFO", "two")]
    with pytest.raises(TypeError):
        log.add_handler(object())


def test_python_handler_errors_are_counted_not_raised(name, capsys):
    class Broken:
        def handle(self, logger, level, message):
            raise RuntimeError("handler bug")

    log = get_logger(name)
    good = Collector()
    log.add_handler(Broken())
    log.add_handler(good)
    log.error("a")
    log.error("b")
    assert log.get_handler_errors() == 2
    assert [m for _, _, m in good.records] == ["a", "b"]  # no other record lost
    assert "handler bug" in capsys.readouterr().err


def test_python_handler_also_serves_the_stdlib_api(name):
    collector = Collector()
    get_logger(name).add_handler(collector)
    femtologging.getLogger(name).error("from %s", "stdlib")
    assert collector.records == [(name, "ERROR", "from stdlib")]


def test_get_dropped_sums_the_loggers_handlers(name):
    log = get_logger(name)
    assert log.get_dropped() == 0
    h = femtologging.FemtoStreamHandler.stderr(capacity=1, policy="drop")
    try:
        log.add_handler(h)
        assert log.get_dropped() == h.dropped == 0
    finally:
        h.close()


def test_reset_manager_forgets_loggers(name):
    old = get_logger(name)
    old.add_handler(Collector())
    femtologging.root.setLevel(femtologging.DEBUG)
    reset_manager()
    assert femtologging.root.level == femtologging.WARNING
    assert femtologging.root.handlers == []
    fresh = get_logger(name)
    assert fresh is not old and fresh.handlers == []
    assert femtologging.getLogger(name) is fresh.logger
