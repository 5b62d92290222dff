"""Cached engine decisions follow every change, before or after the first record.

The engine caches which handlers are native, which methods a class overrides, the dispatch plan
of each logger and the module switches; each is invalidated by the operation that can change it.
These tests change things after records went through (so every cache is warm) and check that the
next record sees the change, as stdlib would. Run on every supported CPython.
"""

import io
import os

import pytest

import femtologging as logging


@pytest.fixture
def setup(tmp_path):
    """A logger with one StringIO handler and one file handler, both warm."""
    name = "inval.%d" % id(tmp_path)
    log = logging.getLogger(name)
    log.propagate = False
    log.setLevel(logging.DEBUG)
    sio = io.StringIO()
    sh = logging.StreamHandler(sio)
    path = tmp_path / "out.log"
    fh = logging.FileHandler(path)
    log.addHandler(sh)
    log.addHandler(fh)
    log.info("warm1")
    log.info("warm2")

    def file_text():
        fh.flush()
        return path.read_text()

    yield log, sh, fh, sio, file_text
    log.removeHandler(sh)
    log.removeHandler(fh)
    fh.close()


def lines(text):
    return text.splitlines()


@pytest.mark.parametrize("which", ["stream", "file"])
def test_handler_set_level_after_records(setup, which):
    log, sh, fh, sio, file_text = setup
    h = sh if which == "stream" else fh
    h.setLevel(logging.ERROR)
    log.info("two")
    log.error("three")
    out = sio.getvalue() if which == "stream" else file_text()
    assert lines(out) == ["warm1", "warm2", "three"]


@pytest.mark.parametrize("which", ["stream", "file"])
def test_handler_set_formatter_after_records(setup, which):
    log, sh, fh, sio, file_text = setup
    h = sh if which == "stream" else fh
    h.setFormatter(logging.Formatter("X:%(levelname)s:%(message)s"))
    log.info("two")
    out = sio.getvalue() if which == "stream" else file_text()
    assert lines(out)[-1] == "X:INFO:two"


def test_formatter_attribute_and_style_changes(setup):
    log, sh, fh, sio, file_text = setup
    f = logging.Formatter("A:%(message)s")
    sh.formatter = f
    log.info("one")
    f._style._fmt = "B:%(message)s"
    log.info("two")
    f.datefmt = "%Y"
    f._style = logging.PercentStyle("C:%(message)s")
    log.info("three")
    assert lines(sio.getvalue())[-3:] == ["A:one", "B:two", "C:three"]


def test_terminator_and_filter_after_records(setup):
    log, sh, fh, sio, file_text = setup
    sh.terminator = "|\n"
    log.info("one")
    sh.addFilter(lambda r: r.getMessage() != "drop")
    log.info("drop")
    log.info("two")
    assert sio.getvalue().endswith("one|\ntwo|\n")
    assert "drop" in file_text()


def test_class_terminator_patch(setup, monkeypatch):
    log, sh, fh, sio, file_text = setup
    monkeypatch.setattr(logging.StreamHandler, "terminator", "#\n")
    log.info("one")
    assert sio.getvalue().endswith("one#\n")
    assert file_text().endswith("one#\n")


def test_handler_list_changes_in_place(setup):
    log, sh, fh, sio, file_text = setup
    log.handlers[:] = [sh]
    log.info("only-stream")
    log.handlers.append(fh)
    log.info("both")
    assert "only-stream" not in file_text()
    assert lines(sio.getvalue())[-2:] == ["only-stream", "both"]
    assert lines(file_text())[-1] == "both"


def test_propagate_and_disabled(setup):
    log, sh, fh, sio, file_text = setup
    child = logging.getLogger(log.name + ".child")
    child.info("via-parent")
    child.propagate = False
    child.info("lost")          # no handler: lastResort only takes WARNING
    log.disabled = True
    log.info("disabled")
    log.disabled = False
    log.info("back")
    assert lines(sio.getvalue())[-2:] == ["via-parent", "back"]


# --- class-level and instance patching: loggers ---------------------------------------------

LOGGER_METHODS = ["_log", "makeRecord", "handle", "callHandlers", "findCaller", "isEnabledFor"]


def _spy(calls, original, tag):
    def patched(self, *args, **kwargs):
        calls.append(tag)
        return original(self, *args, **kwargs)
    return patched


@pytest.mark.parametrize("method", LOGGER_METHODS)
@pytest.mark.parametrize("where", ["base", "subclass"])
def test_logger_class_patch_after_first_record(setup, monkeypatch, method, where):
    log, sh, fh, sio, file_text = setup
    if where == "subclass":
        class Sub(logging.Logger):
            pass
        sub = Sub(log.name + ".sub")
        sub.parent = log
        target_cls, target = Sub, sub
    else:
        target_cls, target = logging.Logger, log
    target.info("before")            # warm every cache with the unpatched class
    later = logging.Logger(log.name + ".later")
    later.parent = log
    calls = []
    monkeypatch.setattr(target_cls, method, _spy(calls, getattr(logging.Logger, method), method))
    target.info("after")
    assert calls, "patched %s.%s not called" % (where, method)
    if where == "base":
        n = len(calls)
        later.info("later")
        assert len(calls) > n
    assert lines(sio.getvalue())[-1] in ("after", "later")
    monkeypatch.undo()
    calls.clear()
    target.info("restored")
    assert calls == []
    assert lines(sio.getvalue())[-1] == "restored"


@pytest.mark.parametrize("method", LOGGER_METHODS)
def test_logger_instance_patch(setup, method):
    log, sh, fh, sio, file_text = setup
    calls = []
    original = getattr(log, method)

    def patched(*args, **kwargs):
        calls.append(method)
        return original(*args, **kwargs)
    setattr(log, method, patched)
    try:
        log.info("patched")
    finally:
        delattr(log, method)
    assert calls
    calls.clear()
    log.info("restored")
    assert calls == []
    assert lines(sio.getvalue())[-2:] == ["patched", "restored"]


def test_make_record_patch_before_any_record(monkeypatch):
    calls = []
    monkeypatch.setattr(logging.Logger, "makeRecord",
                        _spy(calls, logging.Logger.makeRecord, "mr"))
    log = logging.getLogger("inval.fresh.%d" % os.getpid())
    log.propagate = False
    sio = io.StringIO()
    log.addHandler(logging.StreamHandler(sio))
    log.warning("x")
    assert calls == ["mr"] and sio.getvalue() == "x\n"


# --- handlers -----------------------------------------------------------------------------

HANDLER_METHODS = ["handle", "emit", "format", "filter"]


@pytest.mark.parametrize("method", HANDLER_METHODS)
@pytest.mark.parametrize("where", ["Handler", "StreamHandler", "instance"])
def test_handler_patch_after_first_record(setup, monkeypatch, method, where):
    log, sh, fh, sio, file_text = setup
    calls = []
    original = getattr(logging.StreamHandler, method)
    if where == "instance":
        bound = getattr(sh, method)

        def patched(*args):
            calls.append(method)
            return bound(*args)
        monkeypatch.setattr(sh, method, patched, raising=False)
    else:
        cls = getattr(logging, where)
        monkeypatch.setattr(cls, method, _spy(calls, original, method))
    log.info("after")
    if where == "Handler" and method == "emit":
        # StreamHandler defines its own emit: stdlib does not call Handler.emit either.
        assert calls == []
    else:
        assert calls, "patched %s.%s not called" % (where, method)
    assert lines(sio.getvalue())[-1] == "after"
    monkeypatch.undo()
    calls.clear()
    log.info("restored")
    assert calls == []
    assert lines(sio.getvalue())[-1] == "restored"


# --- formatters ---------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["class", "instance"])
def test_formatter_patches_after_first_record(setup, monkeypatch, where):
    log, sh, fh, sio, file_text = setup
    f = logging.Formatter("%(asctime)s|%(message)s")
    sh.setFormatter(f)
    fh.setFormatter(f)
    log.info("warm")
    owner = logging.Formatter if where == "class" else f

    def patch(name, fn):
        if where == "class":
            monkeypatch.setattr(logging.Formatter, name, fn)
        else:
            monkeypatch.setattr(f, name, fn.__get__(f), raising=False)

    patch("formatTime", lambda self, record, datefmt=None: "T")
    log.info("a")
    assert lines(sio.getvalue())[-1] == "T|a"
    assert lines(file_text())[-1] == "T|a"
    patch("formatMessage", lambda self, record: "M:" + record.message)
    log.info("b")
    assert lines(sio.getvalue())[-1] == "M:b"
    patch("format", lambda self, record: "F:" + record.getMessage())
    log.info("c")
    assert lines(sio.getvalue())[-1] == "F:c"
    assert lines(file_text())[-1] == "F:c"
    monkeypatch.undo()
    del owner
    log.info("d")
    assert lines(sio.getvalue())[-1].endswith("|d")


def test_formatter_exception_stack_usestime_patches(setup, monkeypatch):
    log, sh, fh, sio, file_text = setup
    sh.setFormatter(logging.Formatter("%(message)s"))
    log.info("warm")
    monkeypatch.setattr(logging.Formatter, "formatException", lambda self, ei: "EXC")
    monkeypatch.setattr(logging.Formatter, "formatStack", lambda self, s: "STACK")
    monkeypatch.setattr(logging.Formatter, "usesTime", lambda self: True)
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("boom", stack_info=True)
    out = sio.getvalue()
    assert out.endswith("boom\nEXC\nSTACK\n")
    rec_asctime = []
    log.addFilter(lambda r: rec_asctime.append(r) or True)
    log.info("t")
    assert hasattr(rec_asctime[-1], "asctime")


# --- module switches ----------------------------------------------------------------------

def test_module_switches_after_records(setup, monkeypatch, capsys):
    log, sh, fh, sio, file_text = setup
    sh.setFormatter(logging.Formatter("%(threadName)s %(funcName)s %(message)s"))
    log.info("one")
    monkeypatch.setattr(logging, "logThreads", False)
    monkeypatch.setattr(logging, "_srcfile", None)
    log.info("two")
    assert lines(sio.getvalue())[-2:] == [
        "MainThread test_module_switches_after_records one",
        "None (unknown function) two",
    ]


def test_record_factory_after_records(setup):
    log, sh, fh, sio, file_text = setup
    seen = []
    old = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        rec = old(*args, **kwargs)
        seen.append(rec)
        return rec
    logging.setLogRecordFactory(factory)
    try:
        log.info("custom")
    finally:
        logging.setLogRecordFactory(old)
    assert len(seen) == 1
    log.info("native")
    assert len(seen) == 1


def test_add_level_name_after_records(setup):
    log, sh, fh, sio, file_text = setup
    sh.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.log(25, "a")
    logging.addLevelName(25, "NOTICE")
    try:
        log.log(25, "b")
    finally:
        del logging._levelToName[25]
        del logging._nameToLevel["NOTICE"]
        logging._clear_cache() if hasattr(logging, "_clear_cache") else None
    assert lines(sio.getvalue())[-2:] == ["Level 25 a", "NOTICE b"]


def test_raise_exceptions_switch(setup, monkeypatch, capsys):
    log, sh, fh, sio, file_text = setup

    class Bad:
        def __str__(self):
            raise RuntimeError("bad str")
    log.info(Bad())
    assert "--- Logging error ---" in capsys.readouterr().err
    monkeypatch.setattr(logging, "raiseExceptions", False)
    log.info(Bad())
    assert capsys.readouterr().err == ""


def test_formatter_subclass_patched_after_first_record(setup, monkeypatch):
    log, sh, fh, sio, file_text = setup

    class Sub(logging.Formatter):
        pass
    sh.setFormatter(Sub("%(asctime)s|%(message)s"))
    log.info("warm")
    monkeypatch.setattr(Sub, "formatTime", lambda self, record, datefmt=None: "SUB")
    log.info("a")
    assert lines(sio.getvalue())[-1] == "SUB|a"
    monkeypatch.setattr(logging.Formatter, "formatMessage", lambda self, record: "BASE")
    log.info("b")
    assert lines(sio.getvalue())[-1] == "BASE"
