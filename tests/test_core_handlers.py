"""Handlers (stream, file, null, error reporting), filters, and stdlib-written handlers."""

import io
import logging as stdlib_logging
import os
import sys

import pytest

import femtologging as fl


def _stream_logger(name, fmt="%(message)s"):
    stream = io.StringIO()
    handler = fl.StreamHandler(stream)
    handler.setFormatter(fl.Formatter(fmt))
    logger = fl.getLogger(name)
    logger.setLevel(fl.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    return logger, handler, stream


# --- StreamHandler -----------------------------------------------------------------------------


def test_stream_handler_writes_formatted_line(name):
    logger, _, stream = _stream_logger(name, "%(levelname)s:%(name)s:%(message)s")
    logger.info("a %s", "b")
    assert stream.getvalue() == "INFO:%s:a b\n" % name


def test_stream_handler_default_stream_is_stderr(monkeypatch):
    fake = io.StringIO()
    monkeypatch.setattr("sys.stderr", fake)
    assert fl.StreamHandler().stream is fake


def test_stream_handler_terminator(name):
    logger, handler, stream = _stream_logger(name)
    handler.terminator = "|"
    logger.info("one")
    logger.info("two")
    assert stream.getvalue() == "one|two|"


def test_stream_handler_without_formatter_uses_message_only(name):
    stream = io.StringIO()
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(fl.StreamHandler(stream))
    logger.warning("plain %d", 3)
    assert stream.getvalue() == "plain 3\n"


def test_set_stream_returns_old_stream(name):
    logger, handler, first = _stream_logger(name)
    logger.info("1")
    second = io.StringIO()
    assert handler.setStream(second) is first
    assert handler.setStream(second) is None
    logger.info("2")
    assert (first.getvalue(), second.getvalue()) == ("1\n", "2\n")


def test_set_stream_flushes_old_stream(name):
    class Flushing(io.StringIO):
        flushed = 0

        def flush(self):
            self.flushed += 1

    old = Flushing()
    handler = fl.StreamHandler(old)
    handler.setStream(io.StringIO())
    assert old.flushed >= 1


def test_stream_handler_repr():
    class Named(io.StringIO):
        name = "mystream"

    assert repr(fl.StreamHandler(Named())) == "<StreamHandler mystream (NOTSET)>"
    h = fl.StreamHandler(io.StringIO())
    h.setLevel("ERROR")
    assert repr(h) == "<StreamHandler (ERROR)>"


def test_handler_set_level_by_name_and_bad_level():
    h = fl.StreamHandler(io.StringIO())
    h.setLevel("WARNING")
    assert h.level == fl.WARNING
    with pytest.raises(ValueError):
        h.setLevel("NOT_A_LEVEL")
    with pytest.raises(TypeError):
        h.setLevel(2.5)


def test_handler_name_property():
    h = fl.StreamHandler(io.StringIO())
    assert h.name is None
    h.name = "console"
    assert h.get_name() == "console"


def test_base_handler_emit_not_implemented():
    h = fl.Handler()
    rec = fl.makeLogRecord({"msg": "x"})
    with pytest.raises(NotImplementedError):
        h.emit(rec)


# --- FileHandler -------------------------------------------------------------------------------


def test_file_handler_appends_by_default(tmp_path, name):
    path = tmp_path / "a.log"
    path.write_text("old\n")
    h = fl.FileHandler(path)
    assert h.baseFilename == os.path.abspath(path)
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(h)
    logger.warning("new")
    h.close()
    assert path.read_text() == "old\nnew\n"


def test_file_handler_mode_w_truncates(tmp_path, name):
    path = tmp_path / "w.log"
    path.write_text("old\n")
    h = fl.FileHandler(str(path), mode="w")
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(h)
    logger.error("fresh")
    h.close()
    assert path.read_text() == "fresh\n"


def test_file_handler_encoding(tmp_path, name):
    path = tmp_path / "enc.log"
    h = fl.FileHandler(path, encoding="utf-16")
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(h)
    logger.warning("caf\u00e9")
    h.close()
    assert path.read_bytes().decode("utf-16") == "caf\u00e9\n"
    assert h.encoding == "utf-16"


def test_file_handler_errors(tmp_path, name):
    path = tmp_path / "err.log"
    h = fl.FileHandler(path, encoding="ascii", errors="replace")
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(h)
    logger.warning("caf\u00e9")
    h.close()
    assert path.read_bytes() == b"caf?\n"


def test_file_handler_delay_creates_file_on_first_record(tmp_path, name):
    path = tmp_path / "delayed.log"
    h = fl.FileHandler(path, delay=True)
    assert not path.exists()
    assert h.stream is None
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(h)
    logger.warning("now")
    assert path.exists()
    h.close()
    assert path.read_text() == "now\n"


def test_file_handler_close_closes_stream(tmp_path):
    h = fl.FileHandler(tmp_path / "c.log")
    stream = h.stream
    h.close()
    assert stream.closed
    assert h.stream is None


def test_file_handler_missing_directory_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        fl.FileHandler(tmp_path / "no" / "such" / "dir.log")


def test_file_handler_repr(tmp_path):
    h = fl.FileHandler(tmp_path / "r.log")
    try:
        assert repr(h) == "<FileHandler %s (NOTSET)>" % (tmp_path / "r.log")
    finally:
        h.close()


# --- NullHandler -------------------------------------------------------------------------------


def test_null_handler_swallows_and_suppresses_last_resort(name, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    fl.root.handlers[:] = []
    logger = fl.getLogger(name)
    logger.addHandler(fl.NullHandler())
    logger.error("nowhere")
    assert err.getvalue() == ""
    assert fl.NullHandler().handle(fl.makeLogRecord({})) is None


# --- handleError and bad input -----------------------------------------------------------------


def test_bad_format_args_reported_and_other_records_kept(name, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    logger, _, stream = _stream_logger(name)
    logger.info("before")
    logger.info("number %d", "not a number")  # BAD
    logger.info("after")
    assert stream.getvalue() == "before\nafter\n"
    text = err.getvalue()
    assert text.startswith("--- Logging error ---\nTraceback (most recent call last):\n")
    assert "TypeError: %d format: a real number is required, not str\n" in text
    assert "Call stack:\n" in text
    assert text.endswith("Message: 'number %d'\nArguments: ('not a number',)\n")
    stack = text.split("Call stack:\n", 1)[1]
    assert 'in test_bad_format_args_reported_and_other_records_kept\n' \
        '    logger.info("number %d", "not a number")  # BAD\n' in stack


def test_bad_format_args_silent_without_raise_exceptions(name, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    fl.raiseExceptions = False
    logger, _, stream = _stream_logger(name)
    logger.info("before")
    logger.info("%(missing)s", {"other": 1})
    logger.info("after")
    assert stream.getvalue() == "before\nafter\n"
    assert err.getvalue() == ""


def test_failing_stream_write_goes_to_handle_error(name, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)

    class Broken:
        def write(self, s):
            raise OSError("disk on fire")

        def flush(self):
            pass

    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(fl.StreamHandler(Broken()))
    good = io.StringIO()
    logger.addHandler(fl.StreamHandler(good))
    logger.warning("w")
    assert good.getvalue() == "w\n"
    assert "OSError: disk on fire\n" in err.getvalue()


def test_handle_error_override_called(name):
    seen = []

    class H(fl.StreamHandler):
        def handleError(self, record):
            seen.append(record.msg)

    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(H(io.StringIO()))
    logger.warning("%s %s", "only one")
    assert seen == ["%s %s"]


def test_exception_in_filter_propagates_to_caller(name):
    logger, handler, _ = _stream_logger(name)

    def bad_filter(record):
        raise RuntimeError("filter broke")

    handler.addFilter(bad_filter)
    with pytest.raises(RuntimeError):
        logger.info("x")


# --- filters -----------------------------------------------------------------------------------


def test_filter_by_name_accepts_subtree_only():
    f = fl.Filter("a.b")
    rec = lambda n: fl.makeLogRecord({"name": n})  # noqa: E731
    assert f.filter(rec("a.b"))
    assert f.filter(rec("a.b.c"))
    assert not f.filter(rec("a.bc"))
    assert not f.filter(rec("a"))
    assert fl.Filter().filter(rec("anything"))


def test_logger_filter_by_name(name):
    logger, _, stream = _stream_logger(name)
    logger.addFilter(fl.Filter(name + ".other"))
    logger.info("dropped")
    assert stream.getvalue() == ""
    logger.filters.clear()
    logger.info("kept")
    assert stream.getvalue() == "kept\n"


def test_handler_filter_with_name_sees_child_records(name):
    parent, handler, stream = _stream_logger(name)
    handler.addFilter(fl.Filter(name + ".a"))
    fl.getLogger(name + ".a.x").info("yes")
    fl.getLogger(name + ".b").info("no")
    parent.info("no")
    assert stream.getvalue() == "yes\n"


def test_callable_filter(name):
    logger, _, stream = _stream_logger(name)
    logger.addFilter(lambda r: r.levelno >= fl.WARNING)
    logger.info("i")
    logger.warning("w")
    assert stream.getvalue() == "w\n"


def test_filter_that_modifies_record(name):
    logger, handler, stream = _stream_logger(name, "%(tag)s %(message)s")

    def tag(record):
        record.tag = "[T]"
        return True

    handler.addFilter(tag)
    logger.info("m")
    assert stream.getvalue() == "[T] m\n"


def test_add_filter_twice_and_remove():
    h = fl.Handler()
    f = fl.Filter("x")
    h.addFilter(f)
    h.addFilter(f)
    assert h.filters == [f]
    h.removeFilter(f)
    assert h.filters == []


def test_filterer_filter_returns_false_when_any_filter_rejects():
    h = fl.Handler()
    h.addFilter(lambda r: True)
    h.addFilter(lambda r: 0)
    assert not h.filter(fl.makeLogRecord({}))


# Python 3.12 lets a filter return a replacement record; femtologging offers it on 3.11 too.
# A filter returning a record replaces the record from Python 3.12 on; before, it only passes it.
REPLACES = sys.version_info >= (3, 12)


def test_filter_returning_replacement_record_on_logger(name):
    logger, _, stream = _stream_logger(name)

    def replace(record):
        return fl.makeLogRecord(dict(record.__dict__, msg="replaced", args=()))

    logger.addFilter(replace)
    logger.info("original")
    assert stream.getvalue() == ("replaced\n" if REPLACES else "original\n")


def test_filter_returning_replacement_record_on_handler(name):
    logger, handler, stream = _stream_logger(name)
    handler.addFilter(lambda r: fl.makeLogRecord(dict(r.__dict__, msg="h-replaced")))
    logger.info("original")
    assert stream.getvalue() == ("h-replaced\n" if REPLACES else "original\n")


# --- handlers written against the stdlib API ---------------------------------------------------


def test_duck_typed_handler_object(collect):
    logger, _ = collect

    class Duck:
        level = fl.WARNING

        def __init__(self):
            self.got = []

        def handle(self, record):
            self.got.append(record.getMessage())

    duck = Duck()
    logger.addHandler(duck)
    logger.info("below")
    logger.error("above %d", 1)
    assert duck.got == ["above 1"]


def test_stdlib_handler_and_formatter_on_femtologging_logger(name):
    stream = io.StringIO()
    handler = stdlib_logging.StreamHandler(stream)
    handler.setFormatter(stdlib_logging.Formatter(
        "%(levelname)-8s|%(name)s|%(module)s.%(funcName)s:%(lineno)d|%(user)s|%(message)s"))
    logger = fl.getLogger(name)
    logger.setLevel(fl.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)

    def where():
        logger.info("hi %s", "there", extra={"user": "u1"})
        return where.__code__.co_firstlineno + 1

    line = where()
    assert stream.getvalue() == "INFO    |%s|test_core_handlers.where:%d|u1|hi there\n" % (name, line)


def test_stdlib_formatter_renders_femtologging_exception(name):
    stream = io.StringIO()
    handler = stdlib_logging.StreamHandler(stream)
    handler.setFormatter(stdlib_logging.Formatter("%(message)s"))
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        raise ValueError("bad value")
    except ValueError:
        logger.exception("caught")
    out = stream.getvalue()
    assert out.startswith("caught\nTraceback (most recent call last):\n")
    assert out.endswith('    raise ValueError("bad value")\nValueError: bad value\n')


def test_stdlib_formatter_time_fields(name):
    stream = io.StringIO()
    handler = stdlib_logging.StreamHandler(stream)
    handler.setFormatter(stdlib_logging.Formatter("%(asctime)s %(msecs)03d %(message)s",
                                                  datefmt="%Y"))
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(handler)
    logger.warning("t")
    year, msecs, msg = stream.getvalue().split()
    assert len(year) == 4 and year.isdigit()
    assert len(msecs) == 3 and msg == "t"


def test_femtologging_formatter_on_stdlib_record():
    rec = stdlib_logging.LogRecord("std", stdlib_logging.INFO, "/x/y.py", 5, "v=%d", (4,), None,
                                   "fn")
    fmt = fl.Formatter("%(name)s %(levelname)s %(filename)s:%(lineno)d %(funcName)s %(message)s")
    assert fmt.format(rec) == "std INFO y.py:5 fn v=4"


# --- FileHandler output guarantees -------------------------------------------------------------


def _file_logger(name, path, **kwargs):
    h = fl.FileHandler(path, **kwargs)
    h.setFormatter(fl.Formatter("%(message)s"))
    logger = fl.getLogger(name)
    logger.setLevel(fl.DEBUG)
    logger.propagate = False
    logger.addHandler(h)
    return logger, h


def test_file_handler_flush_makes_every_record_visible(tmp_path, name):
    path = tmp_path / "flush.log"
    logger, h = _file_logger(name, path)
    for i in range(100):
        logger.info("line %d", i)
    h.flush()
    try:
        assert path.read_text() == "".join("line %d\n" % i for i in range(100))
    finally:
        h.close()


def test_file_handler_encoding_error_reported_and_other_records_kept(tmp_path, name,
                                                                     monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    path = tmp_path / "strict.log"
    logger, h = _file_logger(name, path, encoding="ascii", errors="strict")
    logger.info("first")
    logger.info("caf\u00e9")
    logger.info("last")
    h.close()
    assert path.read_bytes() == b"first\nlast\n"
    assert "--- Logging error ---\n" in err.getvalue()
    assert "UnicodeEncodeError: 'ascii' codec can't encode character '\\xe9'" in err.getvalue()
    assert err.getvalue().endswith("Message: 'caf\u00e9'\nArguments: ()\n")


def test_two_file_handlers_on_one_file_keep_call_order(tmp_path, name):
    path = tmp_path / "shared.log"
    first, h1 = _file_logger(name + ".one", path)
    second, h2 = _file_logger(name + ".two", path)
    expected = []
    for i in range(200):
        logger = first if i % 2 else second
        logger.info("record %d", i)
        expected.append("record %d\n" % i)
    h1.close()
    h2.close()
    assert path.read_text() == "".join(expected)


def test_file_handler_and_direct_writes_keep_order(tmp_path, name):
    path = tmp_path / "mixed.log"
    logger, h = _file_logger(name, path)
    logger.info("from logger 1")
    # Records are written on a worker thread: flush() is the point where they are on disk.
    h.flush()
    with open(path, "a") as f:
        f.write("direct write\n")
    logger.info("from logger 2")
    h.close()
    assert path.read_text() == "from logger 1\ndirect write\nfrom logger 2\n"


def test_file_handler_default_encoding_is_locale(tmp_path):
    h = fl.FileHandler(tmp_path / "loc.log")
    try:
        assert h.encoding == "locale"
    finally:
        h.close()


def test_file_handler_reopens_after_close_in_append_mode(tmp_path, name):
    path = tmp_path / "reopen.log"
    logger, h = _file_logger(name, path)
    logger.info("one")
    h.close()
    logger.info("two")
    h.close()
    assert path.read_text() == "one\ntwo\n"


def test_file_handler_mode_w_does_not_reopen_after_close(tmp_path, name):
    path = tmp_path / "noreopen.log"
    logger, h = _file_logger(name, path, mode="w", delay=True)
    logger.info("one")
    h.close()
    logger.info("two")
    h.close()
    assert path.read_text() == "one\n"


def test_file_handler_binary_like_modes(tmp_path, name):
    path = tmp_path / "plus.log"
    path.write_text("keep\n")
    logger, h = _file_logger(name, path, mode="a+")
    logger.info("added")
    h.close()
    assert path.read_text() == "keep\nadded\n"


def test_file_handler_nonexistent_dir_with_delay_fails_at_first_record(tmp_path, name,
                                                                       monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    logger, h = _file_logger(name, tmp_path / "missing" / "x.log", delay=True)
    with pytest.raises(FileNotFoundError):
        logger.info("cannot open")


# --- a file handler's output is decided at the logging call ------------------------------------


def test_file_output_uses_argument_values_at_call_time(tmp_path, name):
    path = tmp_path / "mutate.log"
    logger, h = _file_logger(name, path)
    items = [1]
    state = {"k": "before"}
    logger.info("%s %s", items, state)
    logger.info("%(k)s", state)
    items.append(2)
    state["k"] = "after"
    h.close()
    assert path.read_text() == "[1] {'k': 'before'}\nbefore\n"


def test_file_output_str_runs_on_calling_thread(tmp_path, name):
    import threading

    class WhereAmI:
        def __str__(self):
            return threading.current_thread().name

    path = tmp_path / "thread.log"
    logger, h = _file_logger(name, path)
    logger.info("%s", WhereAmI())
    logger.info(WhereAmI())
    h.close()
    assert path.read_text() == "MainThread\nMainThread\n"


def test_file_bad_args_reported_and_other_records_kept(tmp_path, name, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    path = tmp_path / "bad.log"
    logger, h = _file_logger(name, path)

    class BadStr:
        def __str__(self):
            raise RuntimeError("no str for you")

    logger.info("before")
    logger.info("%d", "x")  # BADFILE1
    logger.info("%s", BadStr())  # BADFILE2
    logger.info("after")
    h.close()
    assert path.read_text() == "before\nafter\n"
    text = err.getvalue()
    assert text.count("--- Logging error ---\n") == 2
    assert "TypeError: %d format: a real number is required, not str\n" in text
    assert "RuntimeError: no str for you\n" in text
    assert 'logger.info("%d", "x")  # BADFILE1\nMessage: \'%d\'\nArguments: (\'x\',)\n' in text
    assert "# BADFILE2\nMessage: '%s'\nArguments: (" in text


def test_file_exception_text_matches_formatter(tmp_path, name):
    path = tmp_path / "exc.log"
    logger, h = _file_logger(name, path)
    kept = []

    class Keep:
        level = 0

        def handle(self, record):
            kept.append(record)

    logger.addHandler(Keep())
    try:
        {}["nope"]
    except KeyError:
        logger.exception("failed")
    h.close()
    expected = fl.Formatter("%(message)s").format(fl.makeLogRecord(
        dict(kept[0].__dict__, exc_text=None)))
    assert path.read_text() == expected + "\n"
    assert "KeyError: 'nope'" in expected


def test_file_handler_sets_message_and_exc_text_for_later_handlers(tmp_path, name):
    path = tmp_path / "later.log"
    h = fl.FileHandler(path)
    h.setFormatter(fl.Formatter("%(asctime)s %(message)s"))
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(h)
    seen = []

    class AfterFormatting:
        level = 0

        def handle(self, record):
            seen.append((record.message, record.exc_text, hasattr(record, "asctime")))

    logger.addHandler(AfterFormatting())
    try:
        1 / 0
    except ZeroDivisionError:
        logger.error("m %d", 1, exc_info=True)
    h.close()
    message, exc_text, has_asctime = seen[0]
    assert message == "m 1"
    assert exc_text.startswith("Traceback (most recent call last):\n")
    assert exc_text.endswith("ZeroDivisionError: division by zero")
    assert has_asctime


def test_file_output_honours_record_factory_and_subclass(tmp_path, name):
    class Fixed(fl.LogRecord):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.created = 86400.25
            self.msecs = 250.0

        def getMessage(self):
            return "custom:" + super().getMessage()

    fl.setLogRecordFactory(Fixed)
    path = tmp_path / "factory.log"
    logger, h = _file_logger(name, path)
    h.setFormatter(fl.Formatter("%(created)f %(msecs)03d %(message)s"))
    logger.info("x %d", 1)
    h.close()
    assert path.read_text() == "86400.250000 250 custom:x 1\n"


def test_file_output_follows_handler_changes_between_records(tmp_path, name):
    path = tmp_path / "changes.log"
    logger, h = _file_logger(name, path)
    logger.info("one")
    h.setFormatter(fl.Formatter("[%(levelname)s] %(message)s"))
    logger.info("two")
    h.terminator = ";\n"
    logger.info("three")
    h.setLevel(fl.ERROR)
    logger.info("dropped")
    logger.error("four")
    h.addFilter(lambda r: r.msg != "filtered")
    logger.error("filtered")
    logger.error("five")
    h.close()
    assert path.read_text() == "one\n[INFO] two\n[INFO] three;\n[ERROR] four;\n[ERROR] five;\n"


def test_file_output_uses_overridden_formatter_methods(tmp_path, name):
    class F(fl.Formatter):
        def formatTime(self, record, datefmt=None):
            return "TIME"

        def formatMessage(self, record):
            return super().formatMessage(record).upper()

    path = tmp_path / "override.log"
    logger, h = _file_logger(name, path)
    h.setFormatter(F("%(asctime)s %(message)s"))
    logger.info("quiet")

    class G(fl.Formatter):
        def format(self, record):
            return "G:" + record.getMessage()

    h.setFormatter(G())
    logger.info("whole")
    h.close()
    assert path.read_text() == "TIME QUIET\nG:whole\n"


def test_file_output_follows_formatter_attribute_changes(tmp_path, name, monkeypatch):
    import time

    path = tmp_path / "conv.log"
    logger, h = _file_logger(name, path)
    fmt = fl.Formatter("%(asctime)s %(message)s")
    h.setFormatter(fmt)

    def fixed_created(*args, **kwargs):
        rec = fl.LogRecord(*args, **kwargs)
        rec.created, rec.msecs = 0.5, 500.0
        return rec

    fl.setLogRecordFactory(fixed_created)
    monkeypatch.setattr(fl.Formatter, "converter", staticmethod(time.gmtime))
    logger.info("a")
    fmt.default_msec_format = "%s.%03d"
    logger.info("b")
    fmt.datefmt = "%H:%M"
    logger.info("c")
    h.close()
    assert path.read_text() == ("1970-01-01 00:00:00,500 a\n1970-01-01 00:00:00.500 b\n"
                                "00:00 c\n")


def test_file_output_sees_logger_filter_changes_and_extra(tmp_path, name):
    path = tmp_path / "filtered.log"
    logger, h = _file_logger(name, path)
    h.setFormatter(fl.Formatter("%(user)s %(message)s"))

    def rewrite(record):
        record.msg = record.msg.replace("secret", "***")
        return True

    logger.addFilter(rewrite)
    logger.info("the secret is %s", "x", extra={"user": "ann"})
    h.close()
    assert path.read_text() == "ann the *** is x\n"


def test_file_from_many_threads_keeps_every_line_whole(tmp_path, name):
    import threading

    path = tmp_path / "threads.log"
    logger, h = _file_logger(name, path)

    def work(n):
        for i in range(300):
            logger.info("thread %d line %d %s", n, i, "x" * (i % 50))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    h.close()
    lines = path.read_text().splitlines()
    expected = ["thread %d line %d %s" % (n, i, "x" * (i % 50)) for n in range(4)
                for i in range(300)]
    assert sorted(lines) == sorted(expected)
    for n in range(4):
        mine = [line for line in lines if line.startswith("thread %d " % n)]
        assert mine == [e for e in expected if e.startswith("thread %d " % n)]


@pytest.mark.parametrize("fmt", [
    "%(asctime)s.%(msecs)03d %(created)f %(relativeCreated)d %(message)s",
    "%(thread)d %(threadName)s %(process)d %(processName)s %(message)s",
    "%(name)s %(levelname)s %(pathname)s %(filename)s %(module)s %(funcName)s %(lineno)d",
    "{asctime} {msecs:.0f} {created:.3f} {message}",
])
def test_file_line_equals_formatter_output_for_the_same_record(tmp_path, name, fmt):
    import threading

    style = "{" if fmt.startswith("{") else "%"
    path = tmp_path / "same.log"
    logger, h = _file_logger(name, path)
    formatter = fl.Formatter(fmt, style=style)
    h.setFormatter(formatter)
    kept = []

    class Keep:
        level = 0

        def handle(self, record):
            kept.append(record)

    logger.addHandler(Keep())
    logger.warning("main thread %s", "arg")
    t = threading.Thread(target=lambda: logger.warning("worker"), name="worker-thread")
    t.start()
    t.join()
    h.close()
    expected = "".join(fl.Formatter(fmt, style=style).format(r) + "\n" for r in kept)
    assert path.read_text() == expected
