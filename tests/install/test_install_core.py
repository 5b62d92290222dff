"""install()/uninstall(): what existed before install is routed into the engine, and comes back."""

import io
import os
import subprocess
import sys
import textwrap
import threading

import pytest

import femtologging

_stdlib = sys.modules['logging']      # pytest imported it long before these tests
import logging.config as _stdlib_config  # noqa: E402
import logging.handlers as _stdlib_handlers  # noqa: E402
from logging import Handler as StdHandler, basicConfig as std_basicConfig  # noqa: E402
from logging import getLogger as std_getLogger  # noqa: E402

MODULES = ('logging', 'logging.handlers', 'logging.config')


def _snapshot():
    mods = {name: sys.modules[name] for name in MODULES}
    return mods, {name: dict(vars(mod)) for name, mod in mods.items()}, {
        cls: cls.__bases__ for mod in mods.values() for cls in vars(mod).values()
        if isinstance(cls, type)}


def _same(a, b):
    mods_a, dicts_a, bases_a = a
    mods_b, dicts_b, bases_b = b
    assert mods_a == mods_b
    for name in MODULES:
        assert dicts_a[name].keys() == dicts_b[name].keys(), name
        changed = [k for k, v in dicts_a[name].items() if dicts_b[name][k] is not v
                   and k not in femtologging._install._SWITCHES]
        assert changed == [], (name, changed)
    assert bases_a == bases_b


def _std_stream_logger(name, fmt="%(levelname)s:%(name)s:%(message)s"):
    log = std_getLogger(name)
    stream = io.StringIO()
    handler = _stdlib.StreamHandler(stream)
    handler.setFormatter(_stdlib.Formatter(fmt))
    log.addHandler(handler)
    log.setLevel(_stdlib.DEBUG)
    log.propagate = False
    return log, handler, stream


def test_install_twice_uninstall_twice_restores_the_same_objects():
    before = _snapshot()
    femtologging.install()
    femtologging.install()
    assert sys.modules['logging'] is femtologging
    assert sys.modules['logging.handlers'] is femtologging.handlers
    assert sys.modules['logging.config'] is femtologging.config
    assert femtologging._install.installed()
    femtologging.uninstall()
    femtologging.uninstall()
    assert not femtologging._install.installed()
    _same(before, _snapshot())
    assert std_getLogger is _stdlib.getLogger and StdHandler is _stdlib.Handler


def test_logger_created_before_install_goes_through_the_engine(installed):
    log, handler, stream = _std_stream_logger('inst.core.pre')
    # the logger above was made by the stdlib getLogger bound before install: still the same name
    assert std_getLogger('inst.core.pre') is femtologging.getLogger('inst.core.pre')
    seen = []
    femtologging.getLogger('inst.core.pre').addFilter(lambda r: seen.append(r) or True)
    log.debug("d %s", 1)
    log.info("i")
    log.warning("w %d", 3)
    log.error("e")
    log.critical("c")
    assert stream.getvalue() == ("DEBUG:inst.core.pre:d 1\nINFO:inst.core.pre:i\n"
                                 "WARNING:inst.core.pre:w 3\nERROR:inst.core.pre:e\n"
                                 "CRITICAL:inst.core.pre:c\n")
    assert all(type(r) is femtologging.LogRecord for r in seen) and len(seen) == 5
    assert seen[0].filename == os.path.basename(__file__)
    assert isinstance(log, femtologging.Logger) and isinstance(log, _stdlib.Logger)
    assert type(handler) is femtologging.StreamHandler
    assert type(handler.formatter) is femtologging.Formatter


def test_pre_install_logger_state_is_shared(installed):
    log = std_getLogger('inst.core.state')
    log.setLevel('ERROR')
    twin = femtologging.getLogger('inst.core.state')
    assert twin.level == femtologging.ERROR and log.level == femtologging.ERROR
    log.propagate = False
    assert twin.propagate is False
    twin.setLevel('INFO')
    assert log.getEffectiveLevel() == femtologging.INFO and log.isEnabledFor(femtologging.INFO)
    assert repr(log) == repr(twin)


def test_stdlib_handler_subclass_from_before_install(installed):
    class Collect(StdHandler):       # defined against the standard class (pytest, OTel...)
        def __init__(self):
            super().__init__()
            self.records = []

        def emit(self, record):
            self.records.append(self.format(record))

    h = Collect()
    log = installed.getLogger('inst.core.sub')
    log.addHandler(h)
    log.propagate = False
    log.warning("hello %s", "x")
    assert h.records == ["hello x"]
    assert isinstance(h, installed.Handler) and isinstance(h, StdHandler)
    assert isinstance(_stdlib.StreamHandler(io.StringIO()), femtologging.StreamHandler)
    assert isinstance(_stdlib_handlers.RotatingFileHandler, type)


def test_classes_defined_after_install_are_femtologging_classes(installed):
    import logging

    class MyLogger(logging.Logger):
        def audit(self, msg):
            self.log(25, "audit: " + msg)

    class OnlyOdd(logging.Filter):
        def filter(self, record):
            return not record.args or record.args[0] % 2 == 1

    old_class = logging.getLoggerClass()
    logging.setLoggerClass(MyLogger)
    try:
        log = logging.getLogger('inst.core.mylogger')
    finally:
        logging.setLoggerClass(old_class)
    stream = io.StringIO()
    h = logging.StreamHandler(stream)
    h.addFilter(OnlyOdd())
    log.addHandler(h)
    log.propagate = False
    log.setLevel(1)
    for i in range(4):
        log.info("n=%d", i)
    log.audit("ok")
    adapter = logging.LoggerAdapter(log, {"user": "u"})
    adapter.info("n=%d", 5)
    assert stream.getvalue() == "n=1\nn=3\naudit: ok\nn=5\n"
    assert isinstance(log, femtologging.Logger) and type(h) is femtologging.StreamHandler


def test_dict_config_after_install_builds_native_handlers(installed, tmp_path):
    path = tmp_path / "app.log"
    config = {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "err": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                    "formatter": "plain"},
            "file": {"class": "logging.handlers.RotatingFileHandler", "filename": str(path),
                     "maxBytes": 10000, "formatter": "plain"},
        },
        "loggers": {"inst.core.dict": {"handlers": ["file", "err"], "level": "INFO",
                                       "propagate": False}},
    }
    _stdlib_config.dictConfig(config)     # the module object imported before install
    log = std_getLogger('inst.core.dict')
    kinds = [type(h) for h in log.handlers]
    assert kinds == [femtologging.handlers.RotatingFileHandler, femtologging.StreamHandler]
    log.info("to file")
    log.handlers[0].flush()
    assert path.read_text() == "INFO inst.core.dict to file\n"
    for h in log.handlers:
        h.close()
    log.handlers.clear()


def test_module_attributes_written_through_the_old_module(installed):
    saved = femtologging.raiseExceptions
    _stdlib.raiseExceptions = False
    try:
        assert femtologging.raiseExceptions is False
        assert _stdlib.getLogger is femtologging.getLogger
        assert _stdlib.handlers.RotatingFileHandler is femtologging.handlers.RotatingFileHandler
        femtologging.logThreads = False     # written on femtologging: the old module answers the same
        assert _stdlib.logThreads is False
        femtologging.logThreads = True
    finally:
        _stdlib.raiseExceptions = saved


def test_uninstall_keeps_what_was_configured_while_installed():
    pre = std_getLogger('inst.core.keep')
    stream = io.StringIO()
    femtologging.install()
    try:
        import logging
        h = logging.StreamHandler(stream)
        logging.getLogger('inst.core.keep').addHandler(h)
        logging.getLogger('inst.core.keep').setLevel(logging.ERROR)
        logging.getLogger('inst.core.keep.new').setLevel(logging.DEBUG)
    finally:
        femtologging.uninstall()
    assert type(pre) is _stdlib.Logger and pre.level == _stdlib.ERROR and pre.handlers == [h]
    assert _stdlib.getLogger('inst.core.keep.new').level == _stdlib.DEBUG
    pre.propagate = False
    pre.error("after %s", "uninstall")
    assert stream.getvalue() == "after uninstall\n"
    pre.handlers.clear()


def test_file_handler_from_before_install_continues_the_same_file(tmp_path):
    path = tmp_path / "pre.log"
    log = std_getLogger('inst.core.file')
    log.propagate = False
    h = _stdlib.FileHandler(path, mode="w")
    h.setFormatter(_stdlib.Formatter("%(message)s"))
    log.addHandler(h)
    log.warning("one")
    femtologging.install()
    try:
        assert type(h) is femtologging.FileHandler
        assert isinstance(h.stream, femtologging._native.AsyncWriter)
        log.warning("two")
    finally:
        femtologging.uninstall()
    assert type(h) is _stdlib.FileHandler and not isinstance(h.stream, femtologging._native.AsyncWriter)
    log.warning("three")
    h.close()
    log.removeHandler(h)
    assert path.read_text() == "one\ntwo\nthree\n"


def test_install_and_uninstall_while_threads_log_lose_and_duplicate_nothing():
    log, handler, stream = _std_stream_logger('inst.core.threads', fmt="%(message)s")
    stop = threading.Event()
    counts = [0, 0]

    def work(k):
        while not stop.is_set():
            log.info("t%d %d", k, counts[k])
            counts[k] += 1

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(5):
            femtologging.install()
            femtologging.uninstall()
    finally:
        stop.set()
        for t in threads:
            t.join()
    lines = stream.getvalue().splitlines()
    for k in range(2):
        assert [line for line in lines if line.startswith("t%d " % k)] == [
            "t%d %d" % (k, i) for i in range(counts[k])]
    log.handlers.clear()


def test_switches_set_before_install_apply_and_come_back():
    saved_src, saved_raise = _stdlib._srcfile, _stdlib.raiseExceptions
    own_src = femtologging._srcfile
    _stdlib._srcfile = None            # caller lookup switched off, as stdlib documents
    _stdlib.raiseExceptions = False
    try:
        femtologging.install()
        try:
            assert femtologging._srcfile is None and femtologging.raiseExceptions is False
            femtologging.raiseExceptions = True     # changed while installed: kept
        finally:
            femtologging.uninstall()
        assert _stdlib._srcfile is None and _stdlib.raiseExceptions is True
        assert femtologging._srcfile == own_src
    finally:
        _stdlib._srcfile, _stdlib.raiseExceptions = saved_src, saved_raise
        femtologging.raiseExceptions = True


class _PreFormatter(_stdlib.Formatter):          # stdlib classes subclassed before install
    def format(self, record):
        return "<" + super().format(record) + ">"


class _PreFilter(_stdlib.Filter):
    def filter(self, record):
        record.tag = "t"
        return super().filter(record)


class _PreAdapter(_stdlib.LoggerAdapter):
    def process(self, msg, kwargs):
        return "[%s] %s" % (self.extra["id"], msg), kwargs


class _PreLogger(_stdlib.Logger):
    def makeRecord(self, *args, **kwargs):
        record = super().makeRecord(*args, **kwargs)
        record.custom = "yes"
        return record


def test_stdlib_subclasses_defined_before_install(installed):
    import logging
    logging.setLoggerClass(_PreLogger)
    try:
        log = logging.getLogger('inst.core.presub')
    finally:
        logging.setLoggerClass(logging.Logger)
    assert isinstance(log, femtologging.Logger) and isinstance(log, _PreLogger)
    assert logging.getLoggerClass() is femtologging.Logger
    stream = io.StringIO()
    h = logging.StreamHandler(stream)
    h.setFormatter(_PreFormatter("%(levelname)s %(tag)s %(custom)s %(message)s"))
    h.addFilter(_PreFilter("inst.core"))
    log.addHandler(h)
    log.propagate = False
    _PreAdapter(log, {"id": 7}).warning("adapted %d", 1)
    log.error("direct")
    assert stream.getvalue() == "<WARNING t yes [7] adapted 1>\n<ERROR t yes direct>\n"


def test_file_config_and_a_basic_config_bound_before_install(installed, tmp_path):
    ini = tmp_path / "log.ini"
    ini.write_text(textwrap.dedent("""
        [loggers]
        keys=root,app
        [handlers]
        keys=err
        [formatters]
        keys=plain
        [logger_root]
        level=WARNING
        handlers=
        [logger_app]
        level=INFO
        handlers=err
        qualname=inst.core.ini
        propagate=0
        [handler_err]
        class=StreamHandler
        level=NOTSET
        formatter=plain
        args=(sys.stderr,)
        [formatter_plain]
        format=%(levelname)s %(message)s
    """))
    saved_root = femtologging.root.handlers[:]
    _stdlib_config.fileConfig(str(ini), disable_existing_loggers=False)
    app = std_getLogger('inst.core.ini')
    try:
        assert [type(h) for h in app.handlers] == [femtologging.StreamHandler]
        assert type(app.handlers[0].formatter) is femtologging.Formatter
        stream = io.StringIO()
        std_basicConfig(stream=stream, format="%(name)s %(message)s", force=True)
        assert [type(h) for h in femtologging.root.handlers] == [femtologging.StreamHandler]
        std_getLogger('inst.core.basic').warning("through %s", "root")
        assert stream.getvalue() == "inst.core.basic through root\n"
    finally:
        for h in app.handlers:
            h.close()
        app.handlers.clear()
        femtologging.root.handlers[:] = saved_root


STRESS = r"""
import io, logging, sys, threading
import femtologging
stream = io.StringIO()
h = logging.StreamHandler(stream)
h.setFormatter(logging.Formatter("%(message)s"))
logging.getLogger().addHandler(h)
logging.getLogger().setLevel(logging.INFO)
errors, counts, stop = [], [0] * 4, threading.Event()

def work(k):
    i = 0
    try:
        while not stop.is_set():
            # whichever module `import logging` gives now
            log = sys.modules["logging"].getLogger("stress%d.n%d" % (k, i % 40))
            log.info("%d %d", k, i)
            i += 1
    except BaseException as exc:
        errors.append(repr(exc))
    counts[k] = i

# the loggers exist beforehand: a standard getLogger() *creating* a logger at the very
# moment of a switch can see the globals half switched (docs/install.md)
for k in range(4):
    for i in range(40):
        logging.getLogger("stress%d.n%d" % (k, i))
threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
for t in threads:
    t.start()
for _ in range(15):
    femtologging.install()
    femtologging.uninstall()
stop.set()
for t in threads:
    t.join()
lines = stream.getvalue().splitlines()
for k in range(4):
    assert [l for l in lines if l.startswith("%d " % k)] == ["%d %d" % (k, i) for i in range(counts[k])]
print(errors, sum(counts) == len(lines) > 0)
"""


def test_install_cycles_while_threads_create_loggers_and_log():
    proc = subprocess.run([sys.executable, "-c", STRESS], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[] True\n"
