"""Objects that exist when ``install()`` runs: stdlib loggers, handlers and formatters.

Each stdlib logger is paired with the femtologging logger of the same name, which takes
over its level, handlers and filters; the stdlib object then forwards to it (its methods
are the femtologging logger's bound methods, its state attributes read and write the
femtologging logger's). Handlers of exactly ``StreamHandler``/``FileHandler``/``NullHandler``
and the rotating/watched file handlers of ``logging.handlers`` become their femtologging
classes in place (same objects, so references held by the application stay valid) and exact
stdlib formatters attached to them are replaced by equivalent native ones; every handler
stdlib knows by name or keeps for ``shutdown()`` is made known to femtologging's registries.
``restore()`` reverses all of it.
"""

import sys
import weakref

from . import _femtologging as _native
from . import _handler

# State attributes a stdlib logger forwards to its femtologging twin.
_LOGGER_STATE = ('name', 'level', 'parent', 'propagate', 'handlers', 'disabled', 'filters',
                 'manager', '_cache')
# Handler classes converted in place: (module suffix, class names).
_CONVERTED = (('', ('StreamHandler', 'FileHandler', 'NullHandler')),
              ('.handlers', ('RotatingFileHandler', 'TimedRotatingFileHandler',
                             'WatchedFileHandler')))
_FEMTO_HANDLER_ATTRS = ('_femto_slot', '_femto_stdio', '_femto_stdio_for', '_femto_known',
                        '_femto_overflow', '_femto_applied', '_femto_dropped_base',
                        '_femto_python_rotation', '_interval_units', '_rollover_at')
_STYLE_CHARS = {'PercentStyle': '%', 'StrFormatStyle': '{', 'StringTemplateStyle': '$'}

_proxy_classes = {}


def _forwarded(name):
    def get(self):
        return getattr(self.__dict__['_femto_logger'], name)

    def set_(self, value):
        setattr(self.__dict__['_femto_logger'], name, value)

    return property(get, set_, doc="Forwarded to the femtologging logger of the same name.")


def _proxy_class(cls):
    """A subclass of the stdlib logger class ``cls`` whose state lives in femtologging."""
    proxy = _proxy_classes.get(cls)
    if proxy is None:
        ns = {name: _forwarded(name) for name in _LOGGER_STATE}
        ns['__class__'] = property(lambda self: type(self.__dict__['_femto_logger']))
        ns['__repr__'] = lambda self: repr(self.__dict__['_femto_logger'])
        ns['__reduce__'] = lambda self: self.__dict__['_femto_logger'].__reduce__()
        ns['__doc__'] = "A stdlib logger created before install(), forwarding to femtologging."
        ns['__module__'] = cls.__module__
        proxy = _proxy_classes[cls] = type(cls.__name__, (cls,), ns)
    return proxy


_set_class = object.__dict__['__class__'].__set__


def _method_names(std, fl):
    """Names of the logger methods a forwarded stdlib logger takes from femtologging."""
    names = set()
    for klass in (std.Logger, fl.Logger):
        for name in dir(klass):
            if name.startswith('__') or name in _LOGGER_STATE:
                continue
            if callable(getattr(klass, name, None)) and not isinstance(getattr(klass, name), type):
                names.add(name)
    return sorted(n for n in names if hasattr(fl.Logger, n))


class Migration:
    """What was moved at install, to be moved back at uninstall."""

    def __init__(self):
        self.loggers = []       # (stdlib logger, its class, the femtologging logger, method names)
        self.handlers = []      # (handler, its stdlib class, original formatter, our formatter)
        self.formatters = {}    # id(stdlib formatter) -> (stdlib formatter, native formatter)
        self.refs = []          # weak references added to femtologging's _handlerList
        self.names = []         # (name, handler) added to femtologging's _handlers

    def restore(self, std, fl):
        """Give every logger femtologging knows a stdlib twin with the same configuration."""
        for handler, std_cls, std_fmt, our_fmt in reversed(self.handlers):
            _handler_back(handler, std_cls, std_fmt, our_fmt)
        _forget_registered(self, fl)
        forwarded = {id(f): old for old, _cls, f, _names in self.loggers}
        for f in [fl.root] + [n for n in list(fl.Logger.manager.loggerDict.values())
                              if isinstance(n, fl.Logger)]:
            old = forwarded.get(id(f))
            if old is None:
                old = std.root if f is fl.root else std.Logger.manager.getLogger(f.name)
            _copy_state(f, old.__dict__ if id(f) in forwarded else old)
        for old, cls, f, names in self.loggers:
            _set_class(old, cls)
            for name in names + ['_femto_logger']:
                old.__dict__.pop(name, None)
        std.Logger.manager.disable = fl.Logger.manager.disable
        factory = fl.getLogRecordFactory()
        if factory is not fl.LogRecord:
            std.setLogRecordFactory(factory)


def _copy_state(src, dst):
    """Copy level, propagation, disabled flag, handlers and filters (to an object or a dict)."""
    values = {'level': src.level, 'propagate': src.propagate, 'disabled': src.disabled,
              'handlers': list(src.handlers), 'filters': list(src.filters)}
    if isinstance(dst, dict):
        dst.update(values)
    else:
        for name, value in values.items():
            setattr(dst, name, value)


def migrate(std, fl):
    """Move every existing stdlib logger's configuration to femtologging; return a Migration."""
    mig = Migration()
    std_loggers = [std.root] + [n for n in list(std.Logger.manager.loggerDict.values())
                                if isinstance(n, std.Logger)]
    classes = _converted_classes(std, fl)
    for old in std_loggers:
        for handler in list(old.handlers):
            _convert_handler(mig, std, fl, classes, handler)
    _register(mig, std, fl)
    fl.disable(std.Logger.manager.disable)
    factory = std.getLogRecordFactory()
    if factory is not std.LogRecord:
        fl.setLogRecordFactory(factory)
    names = _method_names(std, fl)
    for old in std_loggers:
        f = fl.root if old is std.root else fl.getLogger(old.name)
        f.level = old.level
        f.propagate = old.propagate
        f.disabled = old.disabled
        for h in old.handlers:
            if h not in f.handlers:
                f.handlers.append(h)
        for flt in old.filters:
            if flt not in f.filters:
                f.filters.append(flt)
        cls = type(old)
        own = _own_methods(cls, std)
        mine = [n for n in names if n not in own]
        for name in mine:       # methods first: from here on calls go to femtologging
            old.__dict__[name] = getattr(f, name)
        old.__dict__['_femto_logger'] = f
        _set_class(old, _proxy_class(cls))
        mig.loggers.append((old, cls, f, mine))
    return mig


_adapted_classes = {}


def adapt_logger_class(std, fl, klass):
    """A femtologging Logger class standing for ``klass``, a stdlib Logger subclass.

    ``setLoggerClass(klass)`` with a class defined against the standard ``Logger`` (as
    structlog's ``LoggerFactory`` does) gets a class deriving from both ``klass`` and
    femtologging's ``Logger``: ``klass``'s own methods are kept (and called by the engine
    as overrides), everything ``klass`` inherits from the standard ``Logger`` is
    femtologging's. Other classes are returned unchanged.
    """
    if not (isinstance(klass, type) and issubclass(klass, std.Logger)) or issubclass(klass, fl.Logger):
        return klass
    adapted = _adapted_classes.get(klass)
    if adapted is None:
        own = _own_methods(klass, std)
        ns = {name: fl.Logger.__dict__.get(name, getattr(fl.Logger, name))
              for base in (std.Logger, std.Filterer) for name in vars(base)
              if name not in own and name not in ('__dict__', '__weakref__', '__module__',
                                                  '__doc__', '__qualname__')
              and hasattr(fl.Logger, name)}
        ns['__module__'] = klass.__module__
        ns['__doc__'] = klass.__doc__
        adapted = _adapted_classes[klass] = type(klass.__name__, (klass, fl.Logger), ns)
    return adapted


def _own_methods(cls, std):
    """Methods a stdlib Logger subclass defines itself (those are kept)."""
    own = set()
    for klass in cls.__mro__:
        if klass in (std.Logger, std.RootLogger, object) or klass.__module__ == std.__name__:
            continue
        own.update(vars(klass))
    return own


def _converted_classes(std, fl):
    """stdlib handler class -> the femtologging class its exact instances become."""
    classes = {}
    for suffix, names in _CONVERTED:
        std_mod = sys.modules.get(std.__name__ + suffix)
        fl_mod = sys.modules.get(fl.__name__ + suffix)
        for name in names:
            if std_mod is not None and fl_mod is not None:
                classes[getattr(std_mod, name)] = getattr(fl_mod, name)
    return classes


def _customised(handler):
    """True when the instance replaces a method of its class (e.g. ``h.shouldRollover = f``).

    femtologging's class could not honour every such replacement where stdlib's calls it (a
    natively rotating file never asks ``shouldRollover``), so such a handler stays stdlib's.
    """
    cls = type(handler)     # (its ``namer``/``rotator`` are None: set ones carry over)
    return any(callable(getattr(cls, name, None)) for name in handler.__dict__)


def _convert_handler(mig, std, fl, classes, handler):
    """Turn an exact stdlib handler of a converted class into its femtologging class."""
    std_cls = type(handler)
    fl_cls = classes.get(std_cls)
    if fl_cls is None or _customised(handler) or any(h is handler for h, *_ in mig.handlers):
        return
    handler.acquire()
    try:
        handler.__dict__['_femto_slot'] = _native.NativeSlot()
        std_fmt = handler.__dict__.get('formatter')
        our_fmt = _native_formatter(mig, std, fl, std_fmt)
        stream = handler.__dict__.get('stream')
        reopen = (isinstance(handler, std.FileHandler) and _writes_own_file(handler, stream)
                  and not any(c in handler.mode for c in 'b+r'))
        if reopen:
            stream.flush()      # everything stdlib wrote is in the file before ours follows
        _set_class(handler, fl_cls)
        _adapt_state(handler, to_femto=True)
        if our_fmt is not None:
            handler.formatter = our_fmt
        if reopen:
            # Continue the same file through a native writer (appending: nothing is lost).
            _reopen_appending(handler, stream)
    finally:
        handler.release()
    mig.handlers.append((handler, std_cls, std_fmt, our_fmt))


def _writes_own_file(handler, stream):
    """True when ``stream`` is the open file of ``handler.baseFilename`` (not one set later)."""
    return stream is not None and getattr(stream, 'name', None) == handler.baseFilename


def _adapt_state(handler, to_femto):
    """Move the state a class keeps under another name (the timed rollover schedule)."""
    state = handler.__dict__
    if 'when' not in state or 'interval' not in state:
        return
    if to_femto:
        from . import handlers
        unit = handlers._WHEN_TABLE['W' if state['when'].startswith('W') else state['when']][0]
        units, rest = divmod(state['interval'], unit)
        state['_interval_units'] = int(units) if not rest else state['interval'] / unit
        state['_rollover_at'] = state.pop('rolloverAt', None)
        if not handler._native_writer_kwargs():
            state['_femto_python_rotation'] = True
    else:
        state['rolloverAt'] = state.pop('_rollover_at', None)


def _register(mig, std, fl):
    """Make the handlers stdlib registered (for ``shutdown()``, by name) known to femtologging.

    After install ``logging.shutdown``, ``logging.getHandlerByName`` and ``dictConfig``'s
    clearing of existing handlers are femtologging's: they must see handlers made before.
    """
    known = {id(ref()) for ref in fl._handlerList}
    for ref in list(std._handlerList):
        handler = ref()
        if handler is not None and id(handler) not in known:
            mine = weakref.ref(handler, _handler._removeHandlerRef)
            fl._handlerList.append(mine)
            mig.refs.append(mine)
    for name, handler in list(std._handlers.items()):
        if name not in fl._handlers:
            fl._handlers[name] = handler
            mig.names.append((name, handler))


def _forget_registered(mig, fl):
    """Take out of femtologging's registries what ``_register`` put there."""
    refs = {id(ref) for ref in mig.refs}
    fl._handlerList[:] = [ref for ref in fl._handlerList if id(ref) not in refs]
    for name, handler in mig.names:
        if fl._handlers.get(name) is handler:
            del fl._handlers[name]


def _native_formatter(mig, std, fl, fmt):
    """A femtologging Formatter equivalent to an exact stdlib Formatter (None otherwise)."""
    if type(fmt) is not std.Formatter:
        return None
    known = mig.formatters.get(id(fmt))
    if known is not None:
        return known[1]
    style = _STYLE_CHARS.get(type(fmt._style).__name__)
    if style is None or type(fmt._style) is not getattr(std, type(fmt._style).__name__):
        return None
    try:
        new = fl.Formatter(fmt._style._fmt, fmt.datefmt, style, validate=False,
                           defaults=getattr(fmt._style, '_defaults', None))
    except (TypeError, ValueError):
        return None
    for attr in ('converter', 'default_time_format', 'default_msec_format'):
        if attr in fmt.__dict__:
            setattr(new, attr, fmt.__dict__[attr])
    mig.formatters[id(fmt)] = (fmt, new)
    return new


def _reopen_appending(handler, old_stream):
    """Open the handler's file again through its current class (appending), close the old stream."""
    mode = handler.mode
    handler.mode = 'a'
    try:
        handler.stream = handler._open()
    finally:
        handler.mode = mode
    old_stream.close()
    if hasattr(handler, '_statstream'):
        handler._statstream()   # a watched file: the device and inode of the new stream


def _handler_back(handler, std_cls, std_fmt, our_fmt):
    """Give a converted handler its stdlib class back (still the same object)."""
    handler.acquire()
    try:
        stdio = handler.__dict__.get('_femto_stdio')
        stream = handler.__dict__.get('stream')
        if stdio is not None:
            stdio.flush()
            stdio.close()
        reopen = isinstance(stream, _native.AsyncWriter) and hasattr(handler, 'baseFilename')
        if reopen:
            stream.flush()
        if 'when' in handler.__dict__:
            handler.__dict__['_rollover_at'] = handler.rolloverAt   # the worker's schedule
        for attr in _FEMTO_HANDLER_ATTRS:
            if attr != '_rollover_at':
                handler.__dict__.pop(attr, None)
        _set_class(handler, std_cls)
        _adapt_state(handler, to_femto=False)
        if our_fmt is not None and handler.formatter is our_fmt:
            handler.formatter = std_fmt
        if reopen:
            _reopen_appending(handler, stream)
    finally:
        handler.release()
