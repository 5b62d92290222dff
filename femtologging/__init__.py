"""femtologging: Python's standard ``logging`` rebuilt on a Rust core.

``import femtologging as logging`` gives the whole stdlib API. Record creation,
level checks, caller lookup, formatting and dispatch run in the native engine
(``femtologging._femtologging``); this module holds the rarely-called parts:
configuration, registries and compatibility glue.
"""

import atexit
import collections.abc  # noqa: F401  (the engine checks records' args against Mapping)
import io
import os
import re  # noqa: F401  (stdlib's module offers it)
import sys
import threading
import time
import traceback
import warnings
import weakref
from string import Template  # noqa: F401  (stdlib's module offers it)
from types import GenericAlias

from . import _compat
from . import _femtologging as _native
from . import _watch
from ._femtologging import LogRecord, _LoggerCore
# Delivery controls and drop counters (femtologging extensions; not in __all__).
from ._femtologging import dropped_total, flush_on, is_sync, set_sync  # noqa: F401
from ._levels import (
    CRITICAL,
    DEBUG,
    ERROR,
    FATAL,
    INFO,
    NOTSET,
    WARN,
    WARNING,
    _checkLevel,
    _levelToName,
    _nameToLevel,
    getLevelName,
    getLevelNamesMapping,
)

# The names ``from logging import *`` gives on this interpreter.
__all__ = sorted({
    'BASIC_FORMAT', 'CRITICAL', 'DEBUG', 'ERROR', 'FATAL', 'INFO', 'NOTSET', 'WARN', 'WARNING',
    'BufferingFormatter', 'FileHandler', 'Filter', 'Formatter', 'Handler', 'LogRecord',
    'Logger', 'LoggerAdapter', 'NullHandler', 'StreamHandler',
    'addLevelName', 'basicConfig', 'captureWarnings', 'disable', 'shutdown', 'makeLogRecord',
    'critical', 'debug', 'error', 'exception', 'fatal', 'info', 'log', 'warn', 'warning',
    'getLevelName', 'getLevelNamesMapping', 'getLogger', 'getLoggerClass', 'setLoggerClass',
    'getLogRecordFactory', 'setLogRecordFactory', 'lastResort', 'raiseExceptions',
} | ({'getHandlerByName', 'getHandlerNames'} if _compat.PY312 else set()))

__author__ = "femtologging developers"
__status__ = "beta"
__version__ = "0.1.0"
__date__ = "2026-11-21"

# Module-level switches, read by the engine at the moment it needs them.
# ``_startTime`` is in the unit of the record clock: seconds, nanoseconds from 3.13 on.
_startTime = time.time_ns() if _compat.PY313 else time.time()
raiseExceptions = True
logThreads = True
logMultiprocessing = True
logProcesses = True
if _compat.PY312:
    logAsyncioTasks = True

# ---------------------------------------------------------------------------
# The module lock and fork handling
# ---------------------------------------------------------------------------

_lock = threading.RLock()


def _acquireLock():
    """Take the module lock, which guards the handler and logger registries."""
    _lock.acquire()


def _releaseLock():
    """Give back the module lock."""
    _lock.release()


def _take_lock_for_fork():
    """Hold the module lock across ``fork()``, so a child never inherits it held by a thread
    that does not exist there. An asynchronous exception right after taking it lets it go."""
    try:
        _lock.acquire()
    except BaseException:
        _lock.release()
        raise


if _compat.PY313:
    _prepareFork = _take_lock_for_fork
    _afterFork = _releaseLock

# Objects with a lock to re-create in a forked child (handlers register themselves).
_at_fork_reinit_lock_weakset = weakref.WeakSet()


def _register_at_fork_reinit_lock(instance):
    """Have ``instance._at_fork_reinit()`` called in every forked child."""
    with _lock:
        _at_fork_reinit_lock_weakset.add(instance)


def _after_at_fork_child_reinit_locks():
    """In a forked child: fresh locks for every registered object and for the module."""
    for owner in _at_fork_reinit_lock_weakset:
        owner._at_fork_reinit()
    _lock._at_fork_reinit()


class _MultiprocessingHook:
    """Registered with multiprocessing so its forked children flush our writers at exit."""


_mp_hook = _MultiprocessingHook()
_mp_hooked = False


def _flush_native_writers():
    try:
        _native.flush_all()
    except OSError:
        pass


def _mp_child_setup(_hook):
    # multiprocessing ends a child with os._exit() after running its finalizers.
    util = sys.modules.get('multiprocessing.util')
    if util is not None:
        util.Finalize(None, _flush_native_writers, exitpriority=0)


def _before_fork():
    global _mp_hooked
    util = sys.modules.get('multiprocessing.util')
    if util is not None and not _mp_hooked:
        util.register_after_fork(_mp_hook, _mp_child_setup)
        _mp_hooked = True
    # No flush here: the parent's worker threads keep writing what the parent queued, and a
    # stalled sink must never be able to block fork().
    _take_lock_for_fork()


os.register_at_fork(before=_before_fork,
                    after_in_child=_after_at_fork_child_reinit_locks,
                    after_in_parent=_releaseLock)


def addLevelName(level, levelName):
    """Associate ``levelName`` with ``level`` (both directions)."""
    with _lock:
        _levelToName[level] = levelName
        _nameToLevel[levelName] = level
        _native._bump_epoch()  # the engine caches level names


def currentframe():
    """Return the frame of the caller of the caller."""
    return sys._getframe(2)


# Caller lookup skips this package's own Python frames; None switches it off.
_srcfile = os.path.normcase(currentframe.__code__.co_filename)

# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------

_logRecordFactory = LogRecord


def setLogRecordFactory(factory):
    """Set the callable used to create every ``LogRecord``."""
    global _logRecordFactory
    _logRecordFactory = factory
    _native._bump_epoch()  # a module global rebound from inside: tell the engine


def getLogRecordFactory():
    """Return the callable used to create records."""
    return _logRecordFactory


def makeLogRecord(dict):
    """Make a record whose attributes are those of ``dict`` (e.g. unpickled from a socket)."""
    record = _logRecordFactory(None, None, "", 0, "", (), None, None)
    vars(record).update(dict)
    return record


from ._formatter import (  # noqa: E402
    BASIC_FORMAT,
    _STYLES,
    BufferingFormatter,
    Formatter,
    PercentStyle,
    StrFormatStyle,
    StringTemplateStyle,
    _defaultFormatter,
)
from ._filter import Filter, Filterer  # noqa: E402
from ._handler import (  # noqa: E402
    FileHandler,
    Handler,
    NullHandler,
    StreamHandler,
    _StderrHandler,
    _addHandlerRef,
    _handlerList,
    _handlers,
    _removeHandlerRef,
)

# Used when a record finds no handler at all; ``lastResort = None`` restores the old warning.
lastResort = _defaultLastResort = _StderrHandler(WARNING)

from ._logger import (  # noqa: E402
    Logger,
    LoggerAdapter,
    Manager,
    PlaceHolder,
    RootLogger,
    getLoggerClass,
    setLoggerClass,
)

root = RootLogger(WARNING)
Logger.root = root
Logger.__dict__['manager'].default = Manager(Logger.root)


def getLogger(name=None):
    """Return the logger called ``name``, creating it if needed; the root logger for no name."""
    if name.__class__ is str and name:
        # Fast path: an existing logger, found without taking the module lock.
        node = Logger.manager.loggerDict.get(name)
        if node is not None and node.__class__ is not PlaceHolder and name != root.name:
            return node
    if not name or (isinstance(name, str) and name == root.name):
        return root
    return Logger.manager.getLogger(name)


if _compat.PY312:
    def getHandlerByName(name):
        """The handler whose ``name`` is ``name``, or None."""
        return _handlers.get(name)

    def getHandlerNames():
        """A frozenset of the names of every named handler."""
        return frozenset(_handlers)


from ._basic import basicConfig  # noqa: E402


def _configured_root():
    """The root logger, given stdlib's default console handler first if it has no handler."""
    if not root.handlers:
        basicConfig()
    return root


def critical(msg, *args, **kwargs):
    """Log at CRITICAL on the root logger (configuring it first if it has no handler)."""
    _configured_root().critical(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs):
    """Alias of :func:`critical`."""
    _configured_root().critical(msg, *args, **kwargs)


def error(msg, *args, **kwargs):
    """Log at ERROR on the root logger."""
    _configured_root().error(msg, *args, **kwargs)


def exception(msg, *args, exc_info=True, **kwargs):
    """Log at ERROR on the root logger with the current exception."""
    _configured_root().error(msg, *args, exc_info=exc_info, **kwargs)


def warning(msg, *args, **kwargs):
    """Log at WARNING on the root logger."""
    _configured_root().warning(msg, *args, **kwargs)


def warn(msg, *args, **kwargs):
    """Deprecated alias of :func:`warning`."""
    warnings.warn("The 'warn' function is deprecated, use 'warning' instead",
                  DeprecationWarning, 2)
    _configured_root().warning(msg, *args, **kwargs)


def info(msg, *args, **kwargs):
    """Log at INFO on the root logger."""
    _configured_root().info(msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    """Log at DEBUG on the root logger."""
    _configured_root().debug(msg, *args, **kwargs)


def log(level, msg, *args, **kwargs):
    """Log at ``level`` on the root logger."""
    _configured_root().log(level, msg, *args, **kwargs)


def disable(level=CRITICAL):
    """Drop every record at or below ``level``, whatever the loggers' levels."""
    manager = root.manager
    manager.disable = level
    manager._clear_cache()


def _flush_and_close(handler):
    """shutdown()'s work on one handler; I/O errors of a closing stream are not reported."""
    try:
        handler.acquire()
        # From 3.12 a handler can opt out of the final flush (MemoryHandler(flushOnClose=False)).
        if not _compat.PY312 or getattr(handler, 'flushOnClose', True):
            handler.flush()
        handler.close()
    except (OSError, ValueError):
        pass
    finally:
        handler.release()


def shutdown(handlerList=_handlerList):
    """Flush and close every handler still alive, newest first (registered to run at exit)."""
    for ref in handlerList[::-1]:
        try:
            handler = ref()
            if handler:
                _flush_and_close(handler)
        except:  # noqa: E722  (stdlib ignores every error here unless asked)
            if raiseExceptions:
                raise


atexit.register(shutdown)

# ---------------------------------------------------------------------------
# warnings integration
# ---------------------------------------------------------------------------

_warnings_showwarning = None


def _showwarning(message, category, filename, lineno, file=None, line=None):
    """Replacement for ``warnings.showwarning`` that logs to ``py.warnings``.

    A warning written to an explicit ``file`` still goes there, through the original hook.
    """
    if file is None:
        logger = getLogger("py.warnings")
        if not logger.handlers:
            logger.addHandler(NullHandler())
        logger.warning("%s", warnings.formatwarning(message, category, filename, lineno, line))
    elif _warnings_showwarning is not None:
        _warnings_showwarning(message, category, filename, lineno, file, line)


def captureWarnings(capture):
    """Route (or stop routing) :mod:`warnings` output through ``py.warnings``."""
    global _warnings_showwarning
    capturing = _warnings_showwarning is not None
    if capture and not capturing:
        _warnings_showwarning, warnings.showwarning = warnings.showwarning, _showwarning
    elif not capture and capturing:
        warnings.showwarning, _warnings_showwarning = _warnings_showwarning, None


# Objects defined in helper modules present themselves as members of this one.
for _name in __all__ + ['Filterer', 'PlaceHolder', 'Manager', 'RootLogger', '_StderrHandler',
                        'PercentStyle', 'StrFormatStyle', 'StringTemplateStyle']:
    _obj = globals()[_name]
    if isinstance(_obj, type) or callable(_obj) and hasattr(_obj, '__code__'):
        try:
            _obj.__module__ = __name__
        except (AttributeError, TypeError):
            pass
del _name, _obj

# The second entrance: route the standard ``logging`` package's users here (docs/install.md).
from ._install import install, uninstall  # noqa: E402

# Bind the engine to this namespace and tell caller lookup which files are ours.
_native._bind(globals(), _startTime / 1e9 if _compat.PY313 else _startTime)
_watch.watch_module(__name__)
_native._set_internal_files(sorted({
    os.path.normcase(os.path.join(os.path.dirname(_srcfile), _f))
    for _f in os.listdir(os.path.dirname(_srcfile))
    if _f.endswith('.py') and (_f == '__init__.py' or _f.startswith('_'))
}))

# The femtologging-native API (get_logger, Femto*Handler, builders) on the same engine.
from ._native_api import *  # noqa: E402,F401,F403
