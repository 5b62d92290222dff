"""Objects that exist when ``install()`` runs: stdlib loggers, handlers and formatters.

Each stdlib logger is paired with the femtologging logger of the same name, which takes
over its level, handlers and filters; the stdlib object then forwards to it (its methods
are the femtologging logger's bound methods, its state attributes read and write the
femtologging logger's). Handlers of exactly ``StreamHandler``/``FileHandler``/``NullHandler``
become their femtologging classes in place (same objects, so references held by the
application stay valid) and exact stdlib formatters attached to them are replaced by
equivalent native ones. ``restore()`` reverses all of it.
"""

from . import _femtologging as _native

# State attributes a stdlib logger forwards to its femtologging twin.
_LOGGER_STATE = ('name', 'level', 'parent', 'propagate', 'handlers', 'disabled', 'filters',
                 'manager', '_cache')
_CONVERTED = ('StreamHandler', 'FileHandler', 'NullHandler')
_FEMTO_HANDLER_ATTRS = ('_femto_slot', '_femto_stdio', '_femto_stdio_for', '_femto_known',
                        '_femto_overflow', '_femto_applied', '_femto_dropped_base')
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

    def restore(self, std, fl):
        """Give every logger femtologging knows a stdlib twin with the same configuration."""
        for handler, std_cls, std_fmt, our_fmt in reversed(self.handlers):
            _handler_back(handler, std_cls, std_fmt, our_fmt)
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
    for old in std_loggers:
        for handler in list(old.handlers):
            _convert_handler(mig, std, fl, handler)
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


def _convert_handler(mig, std, fl, handler):
    """Turn an exact stdlib core handler into the femtologging class of the same name."""
    std_cls = type(handler)
    if any(h is handler for h, *_ in mig.handlers):
        return
    name = next((n for n in _CONVERTED if getattr(std, n) is std_cls), None)
    if name is None:
        return
    fl_cls = getattr(fl, name)
    handler.acquire()
    try:
        handler.__dict__['_femto_slot'] = _native.NativeSlot()
        std_fmt = handler.__dict__.get('formatter')
        our_fmt = _native_formatter(mig, std, fl, std_fmt)
        stream = handler.__dict__.get('stream')
        reopen = (name == 'FileHandler' and stream is not None and 'b' not in handler.mode
                  and '+' not in handler.mode and 'r' not in handler.mode)
        _set_class(handler, fl_cls)
        if our_fmt is not None:
            handler.formatter = our_fmt
        if reopen:
            # Continue the same file through a native writer (appending: nothing is lost).
            stream.flush()
            _reopen_appending(handler, stream)
    finally:
        handler.release()
    mig.handlers.append((handler, std_cls, std_fmt, our_fmt))


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


def _handler_back(handler, std_cls, std_fmt, our_fmt):
    """Give a converted handler its stdlib class back (still the same object)."""
    handler.acquire()
    try:
        stdio = handler.__dict__.get('_femto_stdio')
        stream = handler.__dict__.get('stream')
        if stdio is not None:
            stdio.flush()
            stdio.close()
        reopen = isinstance(stream, _native.AsyncWriter) and std_cls.__name__ == 'FileHandler'
        if reopen:
            stream.flush()
        for attr in _FEMTO_HANDLER_ATTRS:
            handler.__dict__.pop(attr, None)
        _set_class(handler, std_cls)
        if our_fmt is not None and handler.formatter is our_fmt:
            handler.formatter = std_fmt
        if reopen:
            _reopen_appending(handler, stream)
    finally:
        handler.release()

