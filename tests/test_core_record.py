"""LogRecord attributes, getMessage, factories, pickling, and caller lookup."""

import os
import pickle
import sys
import threading

import pytest

import femtologging as fl

STANDARD = {
    "name": str, "msg": object, "args": object, "levelname": str, "levelno": int,
    "pathname": str, "filename": str, "module": str, "exc_info": object, "exc_text": object,
    "stack_info": object, "lineno": int, "funcName": str, "created": float, "msecs": float,
    "relativeCreated": float, "thread": int, "threadName": str, "processName": str,
    "process": int,
}


def _line_of(marker):
    """Line number in this file of the line ending with ``# <marker>``."""
    with open(__file__) as f:
        for n, line in enumerate(f, 1):
            if line.rstrip().endswith("# " + marker):
                return n
    raise AssertionError(marker)


# --- attributes --------------------------------------------------------------------------------


def test_record_dict_has_every_standard_attribute(collect):
    logger, h = collect

    def emitter():
        logger.warning("hello %s", "world")  # ATTRS

    emitter()
    r = h.records[0]
    d = r.__dict__
    assert set(STANDARD) <= set(d)
    for key, typ in STANDARD.items():
        assert isinstance(d[key], typ), key
    assert d["name"] == logger.name
    assert d["msg"] == "hello %s"
    assert d["args"] == ("world",)
    assert (d["levelname"], d["levelno"]) == ("WARNING", fl.WARNING)
    assert d["pathname"] == __file__
    assert d["filename"] == os.path.basename(__file__)
    assert d["module"] == "test_core_record"
    assert d["lineno"] == _line_of("ATTRS")
    assert d["funcName"] == "emitter"
    assert d["exc_info"] is None and d["exc_text"] is None and d["stack_info"] is None
    assert d["thread"] == threading.get_ident()
    assert d["threadName"] == threading.current_thread().name
    assert d["process"] == os.getpid()
    assert d["processName"] == "MainProcess"
    if sys.version_info >= (3, 13):  # times in nanoseconds since 3.13
        assert isinstance(fl._startTime, int) and d["taskName"] is None
        assert d["msecs"] == pytest.approx((d["created"] % 1) * 1000, abs=1)
        assert d["relativeCreated"] == pytest.approx((d["created"] * 1e9 - fl._startTime) / 1e6)
    else:
        assert d["msecs"] == int((d["created"] - int(d["created"])) * 1000)
        assert d["relativeCreated"] == pytest.approx((d["created"] - fl._startTime) * 1000)
    assert ("taskName" in d) == (sys.version_info >= (3, 12))
    assert r.getMessage() == "hello world"
    assert "message" not in d


def test_record_thread_name_in_other_thread(collect):
    logger, h = collect
    t = threading.Thread(target=lambda: logger.info("t"), name="worker-7")
    t.start()
    t.join()
    assert h.records[0].threadName == "worker-7"
    assert h.records[0].thread == t.ident


def test_log_threads_and_processes_switches(collect, monkeypatch):
    logger, h = collect
    monkeypatch.setattr(fl, "logThreads", False)
    monkeypatch.setattr(fl, "logProcesses", False)
    monkeypatch.setattr(fl, "logMultiprocessing", False)
    logger.info("x")
    r = h.records[0]
    assert (r.thread, r.threadName, r.process, r.processName) == (None, None, None, None)


def test_record_constructor_positional():
    r = fl.LogRecord("n", fl.INFO, "/p/mod.py", 12, "a %s", ("b",), None, "fn", "si")
    assert (r.name, r.levelno, r.levelname, r.pathname, r.filename, r.module) == (
        "n", 20, "INFO", "/p/mod.py", "mod.py", "mod")
    assert (r.lineno, r.funcName, r.stack_info) == (12, "fn", "si")
    assert r.getMessage() == "a b"


def test_record_custom_level_name():
    fl.addLevelName(5, "TRACE")
    assert fl.LogRecord("n", 5, "p", 1, "m", (), None).levelname == "TRACE"
    assert fl.LogRecord("n", 7, "p", 1, "m", (), None).levelname == "Level 7"


def test_record_repr():
    r = fl.LogRecord("n", 20, "/p/m.py", 3, "hi", (), None)
    assert repr(r) == '<LogRecord: n, 20, /p/m.py, 3, "hi">'


# --- getMessage --------------------------------------------------------------------------------


def test_get_message_with_tuple_args():
    r = fl.LogRecord("n", 20, "p", 1, "%s-%d-%r", ("a", 2, "c"), None)
    assert r.getMessage() == "a-2-'c'"


def test_get_message_with_single_dict_arg_uses_mapping():
    r = fl.LogRecord("n", 20, "p", 1, "%(a)s/%(b)03d", ({"a": "x", "b": 7},), None)
    assert r.args == {"a": "x", "b": 7}
    assert r.getMessage() == "x/007"


def test_get_message_with_dict_arg_through_logger(collect):
    logger, h = collect
    logger.info("%(who)s!", {"who": "me"})
    assert h.records[0].args == {"who": "me"}
    assert h.records[0].getMessage() == "me!"


def test_get_message_empty_dict_arg_is_kept_as_tuple():
    r = fl.LogRecord("n", 20, "p", 1, "%s", ({},), None)
    assert r.args == ({},)
    assert r.getMessage() == "{}"


def test_get_message_without_args_does_not_interpolate():
    r = fl.LogRecord("n", 20, "p", 1, "100% sure", (), None)
    assert r.getMessage() == "100% sure"


def test_get_message_non_string_msg():
    r = fl.LogRecord("n", 20, "p", 1, ["a", 1], (), None)
    assert r.getMessage() == "['a', 1]"

    class Msg:
        def __str__(self):
            return "obj %s"

    assert fl.LogRecord("n", 20, "p", 1, Msg(), (3,), None).getMessage() == "obj 3"


def test_get_message_bad_args_raises_typeerror():
    r = fl.LogRecord("n", 20, "p", 1, "%d", ("x",), None)
    with pytest.raises(TypeError):
        r.getMessage()


def test_get_message_reads_attributes_set_later():
    r = fl.LogRecord("n", 20, "p", 1, "a", (), None)
    r.msg = "%s+%s"
    r.args = (1, 2)
    assert r.getMessage() == "1+2"


# --- makeLogRecord, factories, subclasses, pickling --------------------------------------------


def test_make_log_record_defaults_and_overrides():
    r = fl.makeLogRecord({"msg": "m %s", "args": ("z",), "levelno": 40, "custom": 1})
    assert isinstance(r, fl.LogRecord)
    assert r.getMessage() == "m z"
    assert (r.levelno, r.custom) == (40, 1)
    assert r.levelname == "Level None"
    assert r.name is None and r.lineno == 0 and r.pathname == ""


def test_set_log_record_factory_used_by_loggers(collect):
    logger, h = collect
    made = []

    def factory(*args, **kwargs):
        rec = fl.LogRecord(*args, **kwargs)
        rec.from_factory = True
        made.append(args)
        return rec

    fl.setLogRecordFactory(factory)
    assert fl.getLogRecordFactory() is factory
    logger.info("f %s", 1)
    assert h.records[0].from_factory is True
    assert made[0][:2] == (logger.name, fl.INFO)
    assert made[0][4:6] == ("f %s", (1,))
    assert fl.makeLogRecord({"msg": "q"}).from_factory is True


def test_log_record_subclass(collect):
    logger, h = collect

    class MyRecord(fl.LogRecord):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.upper = self.msg.upper()

        def getMessage(self):
            return "<" + super().getMessage() + ">"

    fl.setLogRecordFactory(MyRecord)
    logger.info("abc %d", 1)
    r = h.records[0]
    assert type(r) is MyRecord
    assert r.upper == "ABC %D"
    assert r.getMessage() == "<abc 1>"


def test_record_subclass_message_used_by_formatter(capture):
    logger, stream = capture

    class MyRecord(fl.LogRecord):
        def getMessage(self):
            return "custom"

    fl.setLogRecordFactory(MyRecord)
    logger.info("ignored")
    assert stream.getvalue() == "custom\n"


def test_pickle_record_round_trip(collect):
    logger, h = collect
    logger.error("p %s %d", "q", 3, extra={"user": "u"})
    r = h.records[0]
    r2 = pickle.loads(pickle.dumps(r))
    assert type(r2) is type(r)
    assert r2.__dict__ == r.__dict__
    assert r2.getMessage() == "p q 3"


def test_pickled_dict_rebuilds_record_with_make_log_record(collect):
    logger, h = collect
    logger.warning("x %s", "y")
    d = pickle.loads(pickle.dumps(dict(h.records[0].__dict__)))
    r = fl.makeLogRecord(d)
    assert r.__dict__ == h.records[0].__dict__


def test_extra_fields_become_attributes(collect):
    logger, h = collect
    logger.info("e", extra={"a": 1, "b": [2]})
    r = h.records[0]
    assert (r.a, r.b) == (1, [2])


def test_exc_info_variants(collect):
    logger, h = collect
    try:
        raise ValueError("v")
    except ValueError as e:
        err = e
        logger.error("true", exc_info=True)
        logger.error("inst", exc_info=e)
        logger.error("tuple", exc_info=sys.exc_info())
    logger.error("outside", exc_info=True)
    logger.error("false", exc_info=False)
    recs = h.records
    for r in recs[:3]:
        assert r.exc_info == (ValueError, err, err.__traceback__)
    assert recs[3].exc_info == (None, None, None)
    assert recs[4].exc_info is False


def test_exc_info_instance_outside_except(collect):
    logger, h = collect
    err = KeyError("k")
    logger.error("inst", exc_info=err)
    assert h.records[0].exc_info == (KeyError, err, None)


# --- caller lookup -----------------------------------------------------------------------------


def test_caller_is_the_logging_line(collect):
    logger, h = collect
    logger.info("here")  # DIRECT
    r = h.records[0]
    assert (r.pathname, r.lineno, r.funcName) == (
        __file__, _line_of("DIRECT"), "test_caller_is_the_logging_line")


def _helper_with_stacklevel(logger, level):
    logger.info("via helper", stacklevel=level)  # HELPER


def test_stacklevel_two_reports_the_helpers_caller(collect):
    logger, h = collect
    _helper_with_stacklevel(logger, 1)
    _helper_with_stacklevel(logger, 2)  # CALLER
    r1, r2 = h.records
    assert (r1.lineno, r1.funcName) == (_line_of("HELPER"), "_helper_with_stacklevel")
    assert (r2.lineno, r2.funcName) == (
        _line_of("CALLER"), "test_stacklevel_two_reports_the_helpers_caller")


def test_stacklevel_beyond_stack_gives_outermost_frame(collect):
    logger, h = collect
    logger.info("far", stacklevel=10_000)
    r = h.records[0]
    assert r.lineno > 0
    assert r.funcName != "test_stacklevel_beyond_stack_gives_outermost_frame"


def test_stack_info_text(collect):
    logger, h = collect

    def inner():
        logger.info("with stack", stack_info=True)  # STACK

    inner()
    sinfo = h.records[0].stack_info
    assert sinfo.startswith("Stack (most recent call last):\n")
    assert not sinfo.endswith("\n")
    last = sinfo.splitlines()[-2:]
    assert last[0] == '  File "%s", line %d, in inner' % (__file__, _line_of("STACK"))
    assert last[1].strip() == 'logger.info("with stack", stack_info=True)  # STACK'
    assert "femtologging" not in sinfo.replace(os.path.dirname(__file__), "")


def test_stack_info_in_formatted_output(capture):
    logger, stream = capture
    logger.warning("s", stack_info=True)
    out = stream.getvalue()
    assert out.startswith("s\nStack (most recent call last):\n")
    assert out.endswith("logger.warning(\"s\", stack_info=True)\n")


def test_caller_through_logger_adapter(collect):
    logger, h = collect
    adapter = fl.LoggerAdapter(logger, {"k": 1})
    adapter.warning("adapted")  # ADAPTER
    r = h.records[0]
    assert (r.pathname, r.lineno, r.funcName) == (
        __file__, _line_of("ADAPTER"), "test_caller_through_logger_adapter")


def test_caller_through_module_level_function(list_handler_class):
    h = list_handler_class()
    fl.root.handlers[:] = [h]
    fl.root.setLevel(fl.DEBUG)
    fl.info("module level")  # MODULE
    fl.log(fl.INFO, "module log")  # MODLOG
    r1, r2 = h.records
    assert (r1.pathname, r1.lineno, r1.funcName) == (
        __file__, _line_of("MODULE"), "test_caller_through_module_level_function")
    assert r2.lineno == _line_of("MODLOG")


def test_caller_of_exception_method(collect):
    logger, h = collect
    try:
        raise RuntimeError
    except RuntimeError:
        logger.exception("oops")  # EXC
    assert h.records[0].lineno == _line_of("EXC")


def test_find_caller_method(name):
    logger = fl.getLogger(name)
    fn, lno, func, sinfo = logger.findCaller()  # FIND
    assert (fn, lno, func, sinfo) == (__file__, _line_of("FIND"), "test_find_caller_method", None)


def test_srcfile_none_disables_caller_lookup(collect, monkeypatch):
    logger, h = collect
    monkeypatch.setattr(fl, "_srcfile", None)
    logger.info("x")
    r = h.records[0]
    assert (r.pathname, r.lineno, r.funcName) == ("(unknown file)", 0, "(unknown function)")
    assert (r.filename, r.module) == ("(unknown file)", "(unknown file)")


def test_copy_record(collect):
    import copy

    logger, h = collect
    logger.warning("c %s", "d", extra={"x": [1]})
    r = h.records[0]
    c = copy.copy(r)
    assert c is not r and type(c) is type(r)
    assert c.__dict__ == r.__dict__
    c.msg = "changed"
    assert r.msg == "c %s"
    assert copy.deepcopy(r).x == [1]


def test_pickle_record_subclass(collect):
    logger, h = collect
    fl.setLogRecordFactory(_PicklableRecord)
    logger.info("sub")
    r2 = pickle.loads(pickle.dumps(h.records[0]))
    assert type(r2) is _PicklableRecord
    assert r2.getMessage() == "sub"


class _PicklableRecord(fl.LogRecord):
    """A module-level LogRecord subclass (so pickle can find it)."""
