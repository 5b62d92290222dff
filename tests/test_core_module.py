"""Module-level services: basicConfig, captureWarnings, lastResort, shutdown, level names."""

import io
import sys
import warnings
import weakref

import pytest

import femtologging as fl


@pytest.fixture
def bare_root():
    """The root logger with no handlers (the autouse fixture restores it afterwards)."""
    fl.root.handlers[:] = []
    return fl.root


# --- basicConfig -------------------------------------------------------------------------------


def test_basic_config_stream_format_level(bare_root):
    stream = io.StringIO()
    fl.basicConfig(stream=stream, format="%(levelname)s-%(message)s", level="INFO")
    assert len(bare_root.handlers) == 1
    assert isinstance(bare_root.handlers[0], fl.StreamHandler)
    assert bare_root.level == fl.INFO
    fl.getLogger("bc.child").info("hello")
    fl.debug("hidden")
    assert stream.getvalue() == "INFO-hello\n"


def test_basic_config_default_format(bare_root):
    stream = io.StringIO()
    fl.basicConfig(stream=stream)
    fl.warning("w")
    assert stream.getvalue() == "WARNING:root:w\n"
    assert fl.BASIC_FORMAT == "%(levelname)s:%(name)s:%(message)s"


def test_basic_config_second_call_is_ignored_without_force(bare_root):
    first, second = io.StringIO(), io.StringIO()
    bare_root.setLevel(fl.WARNING)
    fl.basicConfig(stream=first)
    fl.basicConfig(stream=second, level=fl.DEBUG)
    assert len(bare_root.handlers) == 1
    assert bare_root.handlers[0].stream is first
    assert bare_root.level == fl.WARNING
    fl.error("x")
    assert second.getvalue() == ""


def test_basic_config_force_replaces_and_closes(bare_root, tmp_path):
    old = fl.FileHandler(tmp_path / "old.log")
    bare_root.addHandler(old)
    stream = io.StringIO()
    fl.basicConfig(stream=stream, force=True, format="%(message)s")
    assert old not in bare_root.handlers
    assert old.stream is None
    fl.error("forced")
    assert stream.getvalue() == "forced\n"


def test_basic_config_filename_encoding_errors(bare_root, tmp_path):
    path = tmp_path / "bc.log"
    fl.basicConfig(filename=path, filemode="w", encoding="ascii", errors="replace",
                   format="%(message)s")
    h = bare_root.handlers[0]
    assert isinstance(h, fl.FileHandler)
    assert (h.mode, h.encoding, h.errors) == ("w", "ascii", "replace")
    fl.error("na\u00efve")
    h.close()
    assert path.read_bytes() == b"na?ve\n"


def test_basic_config_filename_default_errors_backslashreplace(bare_root, tmp_path):
    path = tmp_path / "bs.log"
    fl.basicConfig(filename=str(path), encoding="ascii", format="%(message)s")
    h = bare_root.handlers[0]
    assert h.errors == "backslashreplace"
    assert h.mode == "a"
    fl.error("\u00e9")
    h.close()
    assert path.read_bytes() == b"\\xe9\n"


@pytest.mark.parametrize("style,fmt", [
    ("%", "%(levelname)s|%(name)s|%(message)s"),
    ("{", "{levelname}|{name}|{message}"),
    ("$", "${levelname}|${name}|${message}"),
])
def test_basic_config_styles(bare_root, style, fmt):
    stream = io.StringIO()
    fl.basicConfig(stream=stream, style=style, format=fmt)
    fl.warning("s %s", 1)
    assert stream.getvalue() == "WARNING|root|s 1\n"


def test_basic_config_datefmt(bare_root):
    stream = io.StringIO()
    fl.basicConfig(stream=stream, format="%(asctime)s", datefmt="[%%Y]")
    fl.warning("x")
    assert stream.getvalue() == "[%Y]\n"


def test_basic_config_handlers_get_formatter_unless_they_have_one(bare_root):
    s1, s2 = io.StringIO(), io.StringIO()
    h1 = fl.StreamHandler(s1)
    h2 = fl.StreamHandler(s2)
    own = fl.Formatter("own:%(message)s")
    h2.setFormatter(own)
    fl.basicConfig(handlers=[h1, h2], format="basic:%(message)s")
    assert bare_root.handlers == [h1, h2]
    assert h2.formatter is own
    fl.error("m")
    assert (s1.getvalue(), s2.getvalue()) == ("basic:m\n", "own:m\n")


def test_basic_config_filename_and_stream_is_valueerror(bare_root, tmp_path):
    with pytest.raises(ValueError):
        fl.basicConfig(filename=tmp_path / "x.log", stream=io.StringIO())
    assert bare_root.handlers == []


def test_basic_config_handlers_and_stream_is_valueerror(bare_root):
    with pytest.raises(ValueError):
        fl.basicConfig(handlers=[fl.NullHandler()], stream=io.StringIO())


def test_basic_config_unknown_keyword_is_valueerror(bare_root):
    with pytest.raises(ValueError, match="Unrecognised argument"):
        fl.basicConfig(stream=io.StringIO(), colour="red")


def test_basic_config_bad_style_is_valueerror(bare_root):
    with pytest.raises(ValueError):
        fl.basicConfig(stream=io.StringIO(), style="?")


def test_basic_config_bad_level_is_valueerror(bare_root):
    with pytest.raises(ValueError):
        fl.basicConfig(stream=io.StringIO(), level="LOUD")


# --- captureWarnings ---------------------------------------------------------------------------


def test_capture_warnings_routes_to_py_warnings(list_handler_class):
    h = list_handler_class()
    wlog = fl.getLogger("py.warnings")
    wlog.addHandler(h)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            fl.captureWarnings(True)
            try:
                warnings.warn("careful now", UserWarning)  # WARN
            finally:
                fl.captureWarnings(False)
    finally:
        wlog.removeHandler(h)
    assert len(h.records) == 1
    r = h.records[0]
    assert (r.name, r.levelno) == ("py.warnings", fl.WARNING)
    text = r.getMessage()
    assert text.startswith(__file__ + ":")
    assert "UserWarning: careful now\n" in text


def test_capture_warnings_off_restores_showwarning():
    original = warnings.showwarning
    fl.captureWarnings(True)
    assert warnings.showwarning is not original
    fl.captureWarnings(False)
    assert warnings.showwarning is original


def test_capture_warnings_with_file_goes_to_previous_showwarning(monkeypatch):
    calls = []
    monkeypatch.setattr(warnings, "showwarning",
                        lambda *args, **kwargs: calls.append((args, kwargs)))
    fl.captureWarnings(True)
    out = io.StringIO()
    try:
        warnings.showwarning("direct", UserWarning, "f.py", 3, file=out)
    finally:
        fl.captureWarnings(False)
    assert calls == [(("direct", UserWarning, "f.py", 3, out, None), {})]


# --- lastResort and "no handlers" --------------------------------------------------------------


def test_last_resort_writes_message_to_stderr(bare_root, name, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    logger = fl.getLogger(name)
    logger.setLevel(fl.DEBUG)
    logger.info("too low for last resort")
    logger.warning("last %s", "resort")
    assert err.getvalue() == "last resort\n"
    assert fl.lastResort.level == fl.WARNING


def test_no_last_resort_prints_one_notice(bare_root, name, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    fl.lastResort = None
    fl.Logger.manager.emittedNoHandlerWarning = False
    logger = fl.getLogger(name)
    logger.error("a")
    logger.error("b")
    assert err.getvalue() == 'No handlers could be found for logger "%s"\n' % name


def test_no_last_resort_silent_without_raise_exceptions(bare_root, name, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    fl.lastResort = None
    fl.raiseExceptions = False
    fl.Logger.manager.emittedNoHandlerWarning = False
    fl.getLogger(name).error("a")
    assert err.getvalue() == ""


# --- shutdown ----------------------------------------------------------------------------------


class _Tracking(fl.Handler):
    def __init__(self, log):
        super().__init__()
        self.log = log

    def emit(self, record):
        pass

    def flush(self):
        self.log.append(("flush", id(self)))

    def close(self):
        self.log.append(("close", id(self)))
        super().close()


def test_shutdown_flushes_then_closes_in_reverse_order():
    log = []
    a, b = _Tracking(log), _Tracking(log)
    fl.shutdown([weakref.ref(a), weakref.ref(b)])
    assert log == [("flush", id(b)), ("close", id(b)), ("flush", id(a)), ("close", id(a))]


# Python 3.12 behaviour (bpo-9244 follow-up); stdlib 3.11 flushes every handler at shutdown.
def test_shutdown_skips_flush_when_flush_on_close_false():
    log = []
    a = _Tracking(log)
    a.flushOnClose = False
    fl.shutdown([weakref.ref(a)])
    if sys.version_info >= (3, 12):
        assert log == [("close", id(a))]
    else:  # 3.11 flushes every handler at shutdown
        assert log == [("flush", id(a)), ("close", id(a))]


def test_shutdown_closes_file_handler_and_keeps_output(tmp_path, name):
    path = tmp_path / "s.log"
    h = fl.FileHandler(path)
    logger = fl.getLogger(name)
    logger.propagate = False
    logger.addHandler(h)
    logger.warning("kept")
    fl.shutdown([weakref.ref(h)])
    assert h.stream is None
    assert path.read_text() == "kept\n"


def test_shutdown_ignores_oserror_and_valueerror():
    class Failing(fl.Handler):
        def __init__(self, exc):
            super().__init__()
            self.exc = exc
            self.closed = False

        def emit(self, record):
            pass

        def flush(self):
            raise self.exc

        def close(self):
            self.closed = True

    a, b = Failing(OSError("x")), Failing(ValueError("y"))
    fl.shutdown([weakref.ref(a), weakref.ref(b)])
    assert not a.closed and not b.closed


def test_shutdown_propagates_other_errors_when_raise_exceptions():
    class Failing(fl.Handler):
        def emit(self, record):
            pass

        def flush(self):
            raise RuntimeError("boom")

    h = Failing()
    with pytest.raises(RuntimeError):
        fl.shutdown([weakref.ref(h)])
    fl.raiseExceptions = False
    fl.shutdown([weakref.ref(h)])


def test_shutdown_tolerates_dead_references():
    h = fl.Handler()
    ref = weakref.ref(h)
    del h
    fl.shutdown([ref])


def test_handler_is_registered_for_shutdown():
    h = fl.StreamHandler(io.StringIO())
    assert any(ref() is h for ref in fl._handlerList)


# --- misc module API ---------------------------------------------------------------------------


def test_level_constants_and_names():
    assert (fl.CRITICAL, fl.FATAL, fl.ERROR, fl.WARNING, fl.WARN, fl.INFO, fl.DEBUG,
            fl.NOTSET) == (50, 50, 40, 30, 30, 20, 10, 0)
    assert fl.getLevelName(fl.WARNING) == "WARNING"
    assert fl.getLevelName("FATAL") == 50
    assert fl.getLevelName(99) == "Level 99"


def test_public_names_exported():
    for n in ("getLogger", "basicConfig", "Logger", "LoggerAdapter", "LogRecord", "Handler",
              "StreamHandler", "FileHandler", "NullHandler", "Formatter", "Filter",
              "makeLogRecord", "setLoggerClass", "getLoggerClass", "shutdown", "disable",
              "captureWarnings", "addLevelName", "lastResort", "raiseExceptions",
              "getLogRecordFactory", "setLogRecordFactory", "BufferingFormatter",
              "PlaceHolder", "Manager", "RootLogger", "Filterer", "currentframe"):
        assert hasattr(fl, n), n
    assert fl.Logger.__module__ == fl.__name__
    assert fl.LogRecord.__module__ == fl.__name__


def test_warn_methods_emit_deprecation_warning(collect):
    logger, h = collect
    with pytest.warns(DeprecationWarning):
        logger.warn("old")
    assert [r.msg for r in h.records] == ["old"]


# --- records reach the file however the process ends ------------------------------------------

_EXIT_SCRIPT = r"""
import os, sys
import {lib} as lg
path, how = sys.argv[1], sys.argv[2]


def log_to_file(message):
    h = lg.FileHandler(path)
    h.setFormatter(lg.Formatter("%(levelname)s %(message)s"))
    logger = lg.getLogger("exit")
    logger.addHandler(h)
    for i in range(50):
        logger.warning("%s %d", message, i)


if how == "fork-child":
    import multiprocessing
    p = multiprocessing.get_context("fork").Process(target=log_to_file, args=("child",))
    p.start()
    p.join()
    sys.exit(p.exitcode)
log_to_file(how)
if how == "uncaught":
    raise SystemExit("bye")
if how == "os_exit":
    # os._exit() skips every clean-up; femtologging's contract is that records are on disk once
    # flush() returns (writes happen on a worker thread), so a program about to os._exit flushes.
    for h in lg.getLogger("exit").handlers:
        h.flush()
    os._exit(0)
"""


@pytest.mark.parametrize("how", ["normal", "uncaught", "fork-child", "os_exit"])
def test_records_reach_the_file_however_the_process_ends(tmp_path, how):
    import os
    import subprocess
    import sys

    lib = fl.__name__
    path = tmp_path / ("%s.log" % how)
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(fl.__file__)))
    env = dict(os.environ, PYTHONPATH=pkg_parent)
    subprocess.run([sys.executable, "-c", _EXIT_SCRIPT.format(lib=lib), str(path), how],
                   env=env, capture_output=True, timeout=60)
    word = "child" if how == "fork-child" else how
    assert path.read_text() == "".join("WARNING %s %d\n" % (word, i) for i in range(50))
