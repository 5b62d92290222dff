"""``Logger`` (a thin Python face over the native ``_LoggerCore``), the hierarchy manager and adapters."""

import pickle
import sys
import warnings
from types import GenericAlias

import femtologging as _pkg

from . import _compat
from . import _femtologging as _native
from . import _watch
from ._femtologging import _LoggerCore, _adapter_log, _register_adapter
from ._filter import Filterer
from ._levels import CRITICAL, DEBUG, ERROR, INFO, NOTSET, WARNING, _checkLevel, getLevelName


class _ManagerAttribute:
    """``Logger.manager``: the class-wide manager, or the one ``getLogger`` gave a logger.

    The per-logger value lives in the native core, not in the instance ``__dict__``: CPython
    3.13 specialises ``log.debug`` lookups only on loggers without an instance dict.
    """

    def __init__(self):
        self.default = None

    def __get__(self, obj, cls=None):
        if obj is not None:
            manager = obj._femto_manager
            if manager is not None:
                return manager
        return self.default

    def __set__(self, obj, value):
        obj._femto_manager = value


class Logger(_LoggerCore, Filterer, metaclass=_watch.ClassWatch):
    """A named channel for records. Level methods, record creation and dispatch are native."""

    manager = _ManagerAttribute()

    def setLevel(self, level):
        """Set this logger's level (a number or a registered name)."""
        self.level = _checkLevel(level)

    def warn(self, msg, *args, **kwargs):
        """Deprecated alias of :meth:`warning`."""
        warnings.warn("The 'warn' method is deprecated, use 'warning' instead",
                      DeprecationWarning, 2)
        self.warning(msg, *args, **kwargs)

    def addHandler(self, hdlr):
        """Add ``hdlr`` unless it is already attached."""
        with _pkg._lock:
            if hdlr not in self.handlers:
                self.handlers.append(hdlr)

    def removeHandler(self, hdlr):
        """Detach ``hdlr`` if attached."""
        with _pkg._lock:
            if hdlr in self.handlers:
                self.handlers.remove(hdlr)

    def hasHandlers(self):
        """True if this logger or an ancestor it propagates to has a handler."""
        c = self
        while c:
            if c.handlers:
                return True
            if not c.propagate:
                return False
            c = c.parent
        return False

    def getChild(self, suffix):
        """The logger below this one called ``suffix`` (which may contain dots)."""
        if self.root is not self:
            suffix = '.'.join((self.name, suffix))
        return self.manager.getLogger(suffix)

    if _compat.PY312:
        def getChildren(self):
            """The set of loggers immediately below this one (placeholders skipped)."""
            depth = 0 if self is self.manager.root else self.name.count('.') + 1
            with _pkg._lock:
                return {node for node in self.manager.loggerDict.values()
                        if isinstance(node, Logger) and node.parent is self
                        and node.name.count('.') == depth}

    def __repr__(self):
        return _describe(self, self)

    def __reduce__(self):
        # Loggers are singletons per name: unpickling looks the name up again.
        if _pkg.getLogger(self.name) is self:
            return _pkg.getLogger, (self.name,)
        raise pickle.PicklingError('logger cannot be pickled')


def _describe(obj, logger):
    """``<Class name (LEVEL)>``, the repr of loggers and adapters."""
    return f'<{type(obj).__name__} {logger.name} ({getLevelName(logger.getEffectiveLevel())})>'


class RootLogger(Logger):
    """The logger at the top of the hierarchy, called ``root``."""

    def __init__(self, level):
        Logger.__init__(self, "root", level)

    def __reduce__(self):
        return _pkg.getLogger, ()


_loggerClass = Logger


def setLoggerClass(klass):
    """Use ``klass`` (a ``Logger`` subclass) for loggers created from now on."""
    global _loggerClass
    if klass != Logger and not issubclass(klass, Logger):
        raise TypeError("logger not derived from logging.Logger: " + klass.__name__)
    _loggerClass = klass


def getLoggerClass():
    """The class used for new loggers."""
    return _loggerClass


_watch.watch_instances(Logger)
# Level methods of Logger's own: CPython specialises a method-descriptor call only when `self`
# is exactly the descriptor's class.
_native._install_level_methods(Logger)


class PlaceHolder:
    """Stands in the hierarchy for a dotted name no logger has claimed yet."""

    def __init__(self, alogger):
        self.loggerMap = {alogger: None}

    def append(self, alogger):
        if alogger not in self.loggerMap:
            self.loggerMap[alogger] = None


class Manager:
    """Holds the logger hierarchy: names to loggers, placeholders, ``disable``."""

    def __init__(self, rootnode):
        self.root = rootnode
        self._disable = 0
        self.emittedNoHandlerWarning = False
        self.loggerDict = {}
        self.loggerClass = None
        self.logRecordFactory = None

    @property
    def disable(self):
        return self._disable

    @disable.setter
    def disable(self, value):
        self._disable = _checkLevel(value)
        if getattr(Logger, 'manager', self) is self:
            _native._set_disable(self._disable)

    def getLogger(self, name):
        """Return the logger called ``name``, creating it and fixing up the hierarchy."""
        if not isinstance(name, str):
            raise TypeError('A logger name must be a string')
        with _pkg._lock:
            node = self.loggerDict.get(name)
            if node is not None and not isinstance(node, PlaceHolder):
                return node
            logger = (self.loggerClass or _loggerClass)(name)
            logger.manager = self
            self.loggerDict[name] = logger
            if node is not None:
                self._fixupChildren(node, logger)
            self._fixupParents(logger)
            return logger

    def setLoggerClass(self, klass):
        """Class of the loggers this manager creates."""
        if klass != Logger and not issubclass(klass, Logger):
            raise TypeError("logger not derived from logging.Logger: " + klass.__name__)
        self.loggerClass = klass

    def setLogRecordFactory(self, factory):
        self.logRecordFactory = factory

    def _fixupParents(self, alogger):
        name = alogger.name
        parent = None
        i = name.rfind(".")
        while i > 0 and parent is None:
            prefix = name[:i]
            node = self.loggerDict.get(prefix)
            if node is None:
                self.loggerDict[prefix] = PlaceHolder(alogger)
            elif isinstance(node, Logger):
                parent = node
            else:
                node.append(alogger)
            i = name.rfind(".", 0, i - 1)
        alogger.parent = parent if parent is not None else self.root

    def _fixupChildren(self, ph, alogger):
        name = alogger.name
        for child in ph.loggerMap.keys():
            if not child.parent.name.startswith(name):
                alogger.parent = child.parent
                child.parent = alogger

    def _clear_cache(self):
        """Forget every logger's cached level decisions."""
        _native._clear_cache()


class LoggerAdapter(metaclass=_watch.ClassWatch):
    """Wraps a logger to add contextual information (``extra``) to every record."""

    if _compat.PY313:
        def __init__(self, logger, extra=None, merge_extra=False):
            """Wrap ``logger``; ``extra`` is given to every call (``merge_extra``: merged with
            the call's own ``extra``, the call's keys winning)."""
            self.logger = logger
            self.extra = extra
            self.merge_extra = merge_extra

        def process(self, msg, kwargs):
            """Give the adapter's ``extra`` to the call; override to change msg or kwargs."""
            extra = self.extra
            if "extra" in kwargs and self.merge_extra:
                extra = dict(extra)
                extra.update(kwargs["extra"])  # the call's own keys win
            kwargs["extra"] = extra
            return msg, kwargs

        def _log(self, level, msg, args, **kwargs):
            return self.logger._log(level, msg, args, **kwargs)
    else:
        def __init__(self, logger, extra=None):
            """Wrap ``logger``; ``extra`` replaces the ``extra`` of every call."""
            self.logger = logger
            self.extra = extra

        def process(self, msg, kwargs):
            """Give the adapter's ``extra`` to the call; override to change msg or kwargs."""
            kwargs["extra"] = self.extra
            return msg, kwargs

        def _log(self, level, msg, args, exc_info=None, extra=None, stack_info=False):
            return self.logger._log(level, msg, args, exc_info=exc_info, extra=extra,
                                    stack_info=stack_info)

    # debug, info, warning, error, critical: native methods (``_register_adapter``) running
    # ``self.log(level, msg, *args, **kwargs)`` without a Python frame.

    def warn(self, msg, *args, **kwargs):
        """Deprecated alias of :meth:`warning`."""
        warnings.warn("The 'warn' method is deprecated, use 'warning' instead",
                      DeprecationWarning, 2)
        self.warning(msg, *args, **kwargs)

    def exception(self, msg, *args, exc_info=True, **kwargs):
        """Log at ERROR with the current exception."""
        self.log(ERROR, msg, *args, **dict(kwargs, exc_info=exc_info))

    def log(self, level, msg, *args, **kwargs):
        """Process the call, then hand it to the underlying logger if the level is enabled."""
        _adapter_log(self, level, msg, args, kwargs, False)

    def isEnabledFor(self, level):
        """Whether the wrapped logger handles ``level``."""
        return self.logger.isEnabledFor(level)

    def setLevel(self, level):
        """Set the wrapped logger's level."""
        self.logger.setLevel(level)

    def getEffectiveLevel(self):
        """The wrapped logger's effective level."""
        return self.logger.getEffectiveLevel()

    def hasHandlers(self):
        """Whether the wrapped logger has a handler to reach."""
        return self.logger.hasHandlers()

    @property
    def manager(self):
        """The wrapped logger's manager."""
        return self.logger.manager

    @manager.setter
    def manager(self, value):
        self.logger.manager = value

    @property
    def name(self):
        """The wrapped logger's name."""
        return self.logger.name

    def __repr__(self):
        return _describe(self, self.logger)

    __class_getitem__ = classmethod(GenericAlias)


_register_adapter(LoggerAdapter)  # also installs the level methods
del sys
