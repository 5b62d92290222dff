"""The native API's loggers: ``get_logger`` returns a ``FemtoLogger``, a view of the one hierarchy.

A ``FemtoLogger`` is not a second logger: it is a small view over the node
``getLogger(name)`` returns, so levels, handlers and propagation are shared by
both APIs. Its level methods *are* the node's native methods (bound once), so
``view.info(...)`` runs exactly the code ``getLogger(name).info(...)`` runs.
"""

import sys

import femtologging as _pkg

from ._levels import CRITICAL, DEBUG, ERROR, INFO, WARNING, _levelToName, getLevelName

TRACE = 5

# Case-insensitive names the native API accepts (in addition to numbers).
_NATIVE_LEVELS = {
    "TRACE": TRACE, "DEBUG": DEBUG, "INFO": INFO, "WARN": WARNING, "WARNING": WARNING,
    "ERROR": ERROR, "CRITICAL": CRITICAL,
}


def _ensure_trace_name():
    """Give level 5 the name ``TRACE`` the first time the native API uses it."""
    if TRACE not in _levelToName:
        _pkg.addLevelName(TRACE, "TRACE")


def parse_level(level):
    """Turn a native-API level (a case-insensitive name or an int) into a level number."""
    if isinstance(level, bool):
        raise TypeError("level must be a level name or an int, not bool")
    if isinstance(level, int):
        return level
    if isinstance(level, str):
        number = _NATIVE_LEVELS.get(level.upper())
        if number is None:
            raise ValueError("unknown level %r: expected one of %s"
                             % (level, ", ".join(_NATIVE_LEVELS)))
        if number == TRACE:
            _ensure_trace_name()
        return number
    raise TypeError("level must be a level name or an int, not %s" % type(level).__name__)


def check_logger_name(name):
    """Apply the native API's name rules: no empty name, no leading, trailing or doubled dot."""
    if not isinstance(name, str):
        raise TypeError("logger name must be a str, not %s" % type(name).__name__)
    if not name or name.startswith(".") or name.endswith(".") or ".." in name:
        raise ValueError("invalid logger name %r: names must be non-empty, must not start or "
                         "end with '.' and must not contain '..'" % (name,))
    return name


class PythonHandler(_pkg.Handler):
    """Adapts an object with ``handle(logger, level, message)`` to the hierarchy.

    Runs on the logging thread. An exception from ``handle`` is counted in
    ``errors`` and reported on stderr; it never reaches the caller.
    """

    def __init__(self, target):
        _pkg.Handler.__init__(self)
        self.target = target
        self.errors = 0

    def emit(self, record):
        """Call the target with the logger name, level name and message text."""
        try:
            self.target.handle(record.name, record.levelname, record.getMessage())
        except Exception as exc:  # counted, never raised into the logging call
            self.errors += 1
            try:
                sys.stderr.write("femtologging: Python handler %r failed: %s: %s\n"
                                 % (self.target, type(exc).__name__, exc))
            except Exception:
                pass

    def __repr__(self):
        return "<PythonHandler for %r>" % (self.target,)


def _is_handler(obj):
    return isinstance(obj, _pkg.Handler)


class FemtoLogger:
    """The native API's face of one logger of the (single) hierarchy.

    ``debug``/``info``/``warning``/``error``/``critical``/``exception`` and
    ``isEnabledFor`` are the underlying logger's own native methods.
    """

    __slots__ = ("_logger", "name", "debug", "info", "warning", "error", "critical",
                 "exception", "isEnabledFor", "__weakref__")

    def __init__(self, logger):
        self._logger = logger
        self.name = logger.name
        for method in ("debug", "info", "warning", "error", "critical", "exception",
                       "isEnabledFor"):
            setattr(self, method, getattr(logger, method))

    @property
    def logger(self):
        """The stdlib-API logger this view shows (``getLogger(self.name)``)."""
        return self._logger

    @property
    def level(self):
        """This logger's own level number (0: inherit)."""
        return self._logger.level

    @property
    def propagate(self):
        """Whether records also go to the ancestors' handlers."""
        return self._logger.propagate

    @property
    def handlers(self):
        """The handlers attached to this logger (a copy)."""
        return list(self._logger.handlers)

    def log(self, level, message):
        """Log ``message`` at ``level`` (e.g. ``"INFO"``, case-insensitive, or a number).

        Returns ``"<name> [<LEVEL>] <message>"`` when the level passes, else None.
        """
        number = parse_level(level)
        logger = self._logger
        if not logger.isEnabledFor(number):
            return None
        logger.log(number, message)
        return "%s [%s] %s" % (self.name, getLevelName(number), message)

    def set_level(self, level):
        """Set this logger's level from a native-API level name or number."""
        self._logger.setLevel(parse_level(level))

    def get_effective_level(self):
        """The level that decides (this logger's, else the nearest ancestor's)."""
        return self._logger.getEffectiveLevel()

    def set_propagate(self, flag):
        """Send records to the ancestors' handlers too (True, the default) or not."""
        self._logger.propagate = bool(flag)

    def add_handler(self, handler):
        """Attach a handler: any femtologging handler, or an object with ``handle(logger, level, message)``."""
        if _is_handler(handler):
            self._logger.addHandler(handler)
            return
        if not callable(getattr(handler, "handle", None)):
            raise TypeError("handler must be a femtologging handler or have a callable "
                            "handle(logger, level, message) method, not %r" % (handler,))
        if self._adapter_for(handler) is None:
            self._logger.addHandler(PythonHandler(handler))

    def remove_handler(self, handler):
        """Detach a handler added with ``add_handler``; returns whether it was attached."""
        attached = handler if _is_handler(handler) else self._adapter_for(handler)
        if attached is None or attached not in self._logger.handlers:
            return False
        self._logger.removeHandler(attached)
        return True

    def clear_handlers(self):
        """Detach every handler of this logger (the handlers stay open)."""
        for handler in list(self._logger.handlers):
            self._logger.removeHandler(handler)

    def get_dropped(self):
        """Records this logger's handlers have dropped (full queues, unreachable peers)."""
        return sum(getattr(h, "dropped", 0) for h in list(self._logger.handlers))

    def get_handler_errors(self):
        """Exceptions raised so far by this logger's Python ``handle()`` handlers."""
        return sum(h.errors for h in list(self._logger.handlers) if isinstance(h, PythonHandler))

    def _adapter_for(self, target):
        for h in self._logger.handlers:
            if isinstance(h, PythonHandler) and h.target is target:
                return h
        return None

    def __eq__(self, other):
        return isinstance(other, FemtoLogger) and other._logger is self._logger

    def __hash__(self):
        return hash(self._logger)

    def __repr__(self):
        return "<FemtoLogger %s (%s)>" % (self.name, getLevelName(self._logger.getEffectiveLevel()))


def get_logger(name):
    """The ``FemtoLogger`` called ``name``: a view of ``getLogger(name)`` (``"root"``: the root)."""
    check_logger_name(name)
    node = _pkg.root if name == "root" else _pkg.getLogger(name)
    view = node.__dict__.get("_femto_view")
    if view is None:
        view = node.__dict__.setdefault("_femto_view", FemtoLogger(node))
    return view


def reset_manager():
    """Forget every logger and restore the root (level WARNING, no handlers, no filters).

    For tests. Handlers are detached, not closed. Not thread-safe.
    """
    with _pkg._lock:
        manager = _pkg.Logger.manager
        for node in list(manager.loggerDict.values()):
            if isinstance(node, _pkg.Logger):
                node.handlers.clear()
                node.filters.clear()
        manager.loggerDict.clear()
        root = _pkg.root
        root.handlers.clear()
        root.filters.clear()
        root.setLevel(WARNING)
        manager._clear_cache()
