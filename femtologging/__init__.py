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
import sys
import threading
import time
import traceback
import warnings
import weakref
from types import GenericAlias

from . import _femtologging as _native
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

__all__ = ['BASIC_FORMAT', 'BufferingFormatter', 'CRITICAL', 'DEBUG', 'ERROR',
           'FATAL', 'FileHandler', 'Filter', 'Formatter', 'Handler', 'INFO',
           'LogRecord', 'Logger', 'LoggerAdapter', 'NOTSET', 'NullHandler',
           'StreamHandler', 'WARN', 'WARNING', 'addLevelName', 'basicConfig',
           'captureWarnings', 'critical', 'debug', 'disable', 'error',
           'exception', 'fatal', 'getLevelName', 'getLogger', 'getLoggerClass',
           'info', 'log', 'makeLogRecord', 'setLoggerClass', 'shutdown',
           'warn', 'warning', 'getLogRecordFactory', 'setLogRecordFactory',
           'lastResort', 'raiseExceptions', 'getLevelNamesMapping']

__author__ = "femtologging developers"
__status__ = "beta"
__version__ = "0.1.0"
__date__ = "2026-11-21"

# Module-level switches, read by the engine at the moment it needs them.
_startTime = time.time()
raiseExceptions = True
logThreads = True
logMultiprocessing = True
logProcesses = True

# ---------------------------------------------------------------------------
# The module lock and fork handling
# ---------------------------------------------------------------------------

_lock = threading.RLock()


def _acquireLock():
    """Acquire the module-level lock guarding handler and logger registries."""
    if _lock:
        _lock.acquire()


def _releaseLock():
    """Release the module-level lock."""
    if _lock:
        _lock.release()


_at_fork_reinit_lock_weakset = weakref.WeakSet()


def _register_at_fork_reinit_lock(instance):
    with _lock:
        _at_fork_reinit_lock_weakset.add(instance)


def _after_at_fork_child_reinit_locks():
    for handler in _at_fork_reinit_lock_weakset:
        handler._at_fork_reinit()
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
    _acquireLock()


def _after_fork_parent():
    _releaseLock()


os.register_at_fork(before=_before_fork,
                    after_in_child=_after_at_fork_child_reinit_locks,
                    after_in_parent=_after_fork_parent)


def addLevelName(level, levelName):
    """Associate ``levelName`` with ``level`` (both directions)."""
    with _lock:
        _levelToName[level] = levelName
        _nameToLevel[levelName] = level


def currentframe():
    """Return the frame of the caller of the caller."""
    return sys._getframe(2)


# Caller lookup skips this package's own Python frames; None switches it off.
_srcfile = os.path.normcase(addLevelName.__code__.co_filename)

# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------

_logRecordFactory = LogRecord


def setLogRecordFactory(factory):
    """Set the callable used to create every ``LogRecord``."""
    global _logRecordFactory
    _logRecordFactory = factory


def getLogRecordFactory():
    """Return the callable used to create records."""
    return _logRecordFactory


def makeLogRecord(dict):
    """Make a record whose attributes are those of ``dict`` (e.g. unpickled from a socket)."""
    rv = _logRecordFactory(None, None, "", 0, "", (), None, None)
    rv.__dict__.update(dict)
    return rv


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

_defaultLastResort = _StderrHandler(WARNING)
lastResort = _defaultLastResort

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
Logger.manager = Manager(Logger.root)


def getLogger(name=None):
    """Return the logger called ``name``, creating it if needed; the root logger for no name."""
    if name.__class__ is str and name:
        # Fast path: an existing logger, found without taking the module lock.
        node = Logger.manager.loggerDict.get(name)
        if node is not None and node.__class__ is not PlaceHolder and name != root.name:
            return node
    if not name or isinstance(name, str) and name == root.name:
        return root
    return Logger.manager.getLogger(name)


from ._basic import basicConfig  # noqa: E402


def critical(msg, *args, **kwargs):
    """Log at CRITICAL on the root logger (configuring it first if it has no handler)."""
    if len(root.handlers) == 0:
        basicConfig()
    root.critical(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs):
    """Alias of :func:`critical`."""
    critical(msg, *args, **kwargs)


def error(msg, *args, **kwargs):
    """Log at ERROR on the root logger."""
    if len(root.handlers) == 0:
        basicConfig()
    root.error(msg, *args, **kwargs)


def exception(msg, *args, exc_info=True, **kwargs):
    """Log at ERROR on the root logger with the current exception."""
    error(msg, *args, exc_info=exc_info, **kwargs)


def warning(msg, *args, **kwargs):
    """Log at WARNING on the root logger."""
    if len(root.handlers) == 0:
        basicConfig()
    root.warning(msg, *args, **kwargs)


def warn(msg, *args, **kwargs):
    """Deprecated alias of :func:`warning`."""
    warnings.warn("The 'warn' function is deprecated, use 'warning' instead",
                  DeprecationWarning, 2)
    warning(msg, *args, **kwargs)


def info(msg, *args, **kwargs):
    """Log at INFO on the root logger."""
    if len(root.handlers) == 0:
        basicConfig()
    root.info(msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    """Log at DEBUG on the root logger."""
    if len(root.handlers) == 0:
        basicConfig()
    root.debug(msg, *args, **kwargs)


def log(level, msg, *args, **kwargs):
    """Log at ``level`` on the root logger."""
    if len(root.handlers) == 0:
        basicConfig()
    root.log(level, msg, *args, **kwargs)


def disable(level=CRITICAL):
    """Drop every record at or below ``level``, whatever the loggers' levels."""
    root.manager.disable = level
    root.manager._clear_cache()


def shutdown(handlerList=_handlerList):
    """Flush and close every handler still alive (registered to run at exit)."""
    for wr in reversed(handlerList[:]):
        try:
            h = wr()
            if h:
                try:
                    h.acquire()
                    if getattr(h, 'flushOnClose', True):
                        h.flush()
                    h.close()
                except (OSError, ValueError):
                    pass
                finally:
                    h.release()
        except:  # noqa: E722  (stdlib ignores every error here unless asked)
            if raiseExceptions:
                raise


atexit.register(shutdown)

# ---------------------------------------------------------------------------
# warnings integration
# ---------------------------------------------------------------------------

_warnings_showwarning = None


def _showwarning(message, category, filename, lineno, file=None, line=None):
    """Replacement for ``warnings.showwarning`` that logs to ``py.warnings``."""
    if file is not None:
        if _warnings_showwarning is not None:
            _warnings_showwarning(message, category, filename, lineno, file, line)
        return
    text = warnings.formatwarning(message, category, filename, lineno, line)
    logger = getLogger("py.warnings")
    if not logger.handlers:
        logger.addHandler(NullHandler())
    logger.warning("%s", text)


def captureWarnings(capture):
    """Route (or stop routing) :mod:`warnings` output through ``py.warnings``."""
    global _warnings_showwarning
    if capture:
        if _warnings_showwarning is None:
            _warnings_showwarning = warnings.showwarning
            warnings.showwarning = _showwarning
    else:
        if _warnings_showwarning is not None:
            warnings.showwarning = _warnings_showwarning
            _warnings_showwarning = None


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

# Bind the engine to this namespace and tell caller lookup which files are ours.
_native._bind(globals(), _startTime)
_native._set_internal_files(sorted({
    os.path.normcase(os.path.join(os.path.dirname(_srcfile), _f))
    for _f in os.listdir(os.path.dirname(_srcfile))
    if _f.endswith('.py') and (_f == '__init__.py' or _f.startswith('_'))
}))
