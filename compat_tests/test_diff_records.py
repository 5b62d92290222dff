"""Differential tests: the attributes of the records each library builds for the same calls."""

import os
import pickle


def _dump(record, out, skip=()):
    """Every attribute of ``record`` with its type and repr, in a stable order."""
    for key in sorted(record.__dict__):
        if key in skip:
            continue
        value = record.__dict__[key]
        out.write("  %s: %s = %r\n" % (key, type(value).__name__, value))


VOLATILE = ("created", "msecs", "relativeCreated", "thread", "process")


def _dump_direct(record, out):
    """Like ``_dump`` for records built without the (fixed-time) factory."""
    _dump(record, out, skip=VOLATILE)
    ct = record.created
    out.write("  msecs consistent: %r, types: %r\n" % (
        record.msecs == int((ct - int(ct)) * 1000) + 0.0,
        [type(getattr(record, k)).__name__ for k in VOLATILE]))


def _collecting_logger(lg, name):
    class Keep(lg.Handler):
        def __init__(self):
            super().__init__()
            self.records = []

        def emit(self, record):
            self.records.append(record)

    logger = lg.getLogger(name)
    handler = Keep()
    logger.handlers[:] = [handler]
    logger.setLevel(1)
    logger.propagate = False
    return logger, handler


def scenario_logger_call_records(lg, out):
    logger, h = _collecting_logger(lg, "rec.calls")
    logger.debug("plain")
    logger.info("tuple %s %d", "a", 2)
    logger.warning("dict %(k)s", {"k": "v"})
    logger.error("empty dict %s", {})
    logger.critical("two dicts %s %s", {"a": 1}, {"b": 2})
    logger.log(33, "custom level")
    logger.info("extra", extra={"user": "u", "n": 1})
    logger.info("stack", stack_info=True)
    logger.info(12345)
    logger.info(None)
    for r in h.records:
        out.write("record %r:\n" % r.getMessage())
        _dump(r, out)


def scenario_exception_record(lg, out):
    logger, h = _collecting_logger(lg, "rec.exc")
    try:
        raise KeyError("k")
    except KeyError:
        logger.exception("oops")
    r = h.records[0]
    _dump(r, out, skip=("exc_info",))
    out.write("  exc_info types: %r\n" % ([type(x).__name__ for x in r.exc_info],))


def scenario_make_log_record(lg, out):
    for d in ({}, {"msg": "m %s", "args": ("a",)}, {"name": "n", "levelno": 20, "custom": [1]},
              {"msg": "%(x)s", "args": {"x": 1}}, {"levelname": "L", "lineno": "not int"}):
        r = lg.makeLogRecord(d)
        out.write("makeLogRecord(%r): %r\n" % (d, r.getMessage()))
        _dump(r, out)


def scenario_log_record_constructor_paths(lg, out):
    cases = ["/a/b/c.py", "c.tar.gz", "/x/.bashrc", "/x/dir/", "noext", "", "..", "/a/..b",
             "rel/path/m.pyc", "C:\\win\\style.py", "/trailing.", "/a/b/...py"]
    for path in cases:
        r = lg.LogRecord("n", 20, path, 1, "m", (), None)
        out.write("%r -> filename=%r module=%r\n" % (path, r.filename, r.module))
    for path in (None, 42, b"/bytes/name.py", os.sep):
        try:
            r = lg.LogRecord("n", 20, path, 1, "m", (), None)
            out.write("%r -> filename=%r module=%r\n" % (path, r.filename, r.module))
        except Exception as e:  # noqa: BLE001
            out.write("%r -> %s: %s\n" % (path, type(e).__name__, e))


def scenario_log_record_constructor_arguments(lg, out):
    r = lg.LogRecord("name", 40, "/p/m.py", 7, "msg %s", ("x",), None, "func", "sinfo")
    _dump_direct(r, out)
    r = lg.LogRecord(name="kw", level=10, pathname="p.py", lineno=1, msg="m", args=(),
                     exc_info=None, func=None, sinfo=None)
    _dump_direct(r, out)
    out.write(repr(r) + "\n")
    for args in ((), ({"a": 1},), ([1],), ("s",), ([],), None):
        try:
            rec = lg.LogRecord("n", 20, "p", 1, "m", args, None)
            out.write("args %r -> %r\n" % (args, rec.args))
        except Exception as e:  # noqa: BLE001
            out.write("args %r -> %s: %s\n" % (args, type(e).__name__, e))


def scenario_get_message(lg, out):
    def show(msg, args):
        r = lg.LogRecord("n", 20, "p", 1, msg, args, None)
        try:
            out.write("%r %% %r -> %r\n" % (msg, args, r.getMessage()))
        except Exception as e:  # noqa: BLE001
            out.write("%r %% %r -> %s: %s\n" % (msg, args, type(e).__name__, e))

    show("plain", ())
    show("100%", ())
    show("%s", ())
    show("%s-%s", ("a", "b"))
    show("%(a)s", ({"a": 1},))
    show("%s", ({"a": 1},))
    show("%s", ({},))
    show("%d", ("x",))
    show("%s %s", ("one",))
    show("none", ("extra",))
    show(3, ())
    show(b"bytes %s", ("x",))
    show(["%s"], ())


def scenario_level_switches(lg, out):
    lg.setLogRecordFactory(lg.LogRecord)
    for attr in ("logThreads", "logProcesses", "logMultiprocessing"):
        saved = getattr(lg, attr)
        setattr(lg, attr, False)
        try:
            r = lg.makeLogRecord({})
        finally:
            setattr(lg, attr, saved)
        out.write("%s=False: thread=%r threadName=%r process=%r processName=%r\n" % (
            attr, r.thread if r.thread is None else "int", r.threadName,
            r.process if r.process is None else "int", r.processName))


def scenario_extra_conflicts(lg, out):
    logger, h = _collecting_logger(lg, "rec.extra")
    for key in ("message", "asctime", "msg", "name", "levelno", "custom", "exc_text"):
        try:
            logger.info("x", extra={key: 1})
            out.write("%s accepted: %r\n" % (key, getattr(h.records[-1], key)))
        except Exception as e:  # noqa: BLE001
            out.write("%s rejected: %s: %s\n" % (key, type(e).__name__, e))


def scenario_pickled_record_round_trip(lg, out):
    logger, h = _collecting_logger(lg, "rec.pickle")
    logger.warning("p %s %d", "q", 3, extra={"user": "u"})
    d = pickle.loads(pickle.dumps(dict(h.records[0].__dict__)))
    r = lg.makeLogRecord(d)
    _dump(r, out)
    out.write(r.getMessage() + "\n")


def scenario_record_factory_arguments(lg, out):
    calls = []
    base = lg.getLogRecordFactory()

    def factory(*args, **kwargs):
        calls.append((args, kwargs))
        return base(*args, **kwargs)

    lg.setLogRecordFactory(factory)
    logger, h = _collecting_logger(lg, "rec.factory")
    logger.info("a %s", 1, extra={"e": 2})
    logger.warning("b", stack_info=True)
    for args, kwargs in calls:
        out.write("%r %r\n" % (args, kwargs))


def test_same_output(scenario, compare):
    compare(scenario)
