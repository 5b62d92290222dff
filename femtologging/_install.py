"""``install()`` / ``uninstall()``: route the standard ``logging`` package's users into femtologging.

This module and ``_install_objects`` are the only parts of femtologging that import the
standard ``logging`` package, and only when ``install()`` runs. What is replaced, wrapped
and left alone is described in ``docs/install.md``.
"""

import importlib
import sys
import threading
import types

import femtologging as _fl

from . import _compat, _femtologging as _native

# Module names that the standard library and femtologging both define.
_PAIRS = (('logging', 'femtologging'),
          ('logging.handlers', 'femtologging.handlers'),
          ('logging.config', 'femtologging.config'))

# Module-level switches: their current value moves with each install/uninstall.
_SWITCHES = ('raiseExceptions', 'logThreads', 'logProcesses', 'logMultiprocessing',
             'logAsyncioTasks')

# Globals of the standard module that install() leaves alone: code already running inside a
# standard function looks the lock up again to release it, so the lock it took must still be
# the one it finds (these locks guard only stdlib functions bound before install).
_KEEP = frozenset({'_lock', '_acquireLock', '_releaseLock'})

# Attributes of a redirected module that stay its own.
_OWN = frozenset({'__dict__', '__class__', '__name__', '__spec__', '__loader__', '__file__',
                  '__path__', '__package__', '__cached__', '__builtins__', '__doc__',
                  '__reduce__', '__reduce_ex__', '__repr__', '__dir__'})

_guard = threading.RLock()
_state = None          # an _Installed while femtologging is installed


class _RedirectedModule(types.ModuleType):
    """Base of the classes a standard ``logging`` module object gets while installed."""


def _module_classes(std_mod, fl_mod, shared):
    """The classes a standard module and its femtologging counterpart get while installed.

    Code that imported ``logging`` before ``install()`` keeps the standard module object.
    Its globals named in ``shared`` hold femtologging's objects, so reading its attributes
    costs what it always did; writes to it go to the femtologging module, and writes to the
    femtologging module (``logging.raiseExceptions = False`` after install) are mirrored
    into those globals, so that both modules answer the same.
    """
    mirror = std_mod.__dict__
    plain_set, plain_del = types.ModuleType.__setattr__, types.ModuleType.__delattr__

    class Redirected(_RedirectedModule):
        __doc__ = _RedirectedModule.__doc__

        def __setattr__(self, name, value):
            if name in shared or name not in _OWN and hasattr(fl_mod, name):
                setattr(fl_mod, name, value)
            else:
                plain_set(self, name, value)

        def __delattr__(self, name):
            if name in shared:
                delattr(fl_mod, name)
            else:
                plain_del(self, name)

    base = type(fl_mod)

    class Mirrored(base):
        """femtologging's module while installed: shared globals are mirrored to stdlib's."""

        def __setattr__(self, name, value):
            base.__setattr__(self, name, value)  # the engine hears of it (3.11: epoch bump)
            if name in shared:
                mirror[name] = value

        def __delattr__(self, name):
            base.__delattr__(self, name)
            if name in shared:
                mirror.pop(name, None)

    return Redirected, Mirrored


class _Installed:
    """Everything ``install()`` changed, so that ``uninstall()`` can put it back."""

    def __init__(self, std):
        self.std = std                  # the standard ``logging`` module
        self.modules = {}               # stdlib name -> (stdlib module, femtologging module, its class)
        self.saved_globals = {}         # stdlib name -> {global name: original value}
        self.rebased = []               # (stdlib class, its original __bases__)
        self.objects = None             # _install_objects.Migration
        self.set_logger_class = None    # femtologging's own setLoggerClass
        self.logger_class = None        # femtologging's logger class before install
        self.fl_srcfile = None          # femtologging's _srcfile before install
        self.fl_start = None            # femtologging's _startTime before install
        self.std_lock = std.__dict__['_lock']   # stdlib's own module lock


def _import_both():
    """Import the three standard modules and their femtologging counterparts."""
    pairs = []
    for std_name, fl_name in _PAIRS:
        std_mod = sys.modules.get(std_name)
        if std_mod is None or not isinstance(std_mod, _RedirectedModule):
            std_mod = importlib.import_module(std_name)
        pairs.append((std_name, std_mod, importlib.import_module(fl_name)))
    return pairs


def _is_stdlib_logging(mod):
    return mod is not None and mod is not _fl and not getattr(mod, '__name__', '').startswith('femto')


def install():
    """Route every user of the standard ``logging`` package into femtologging's engine.

    Existing loggers, handlers and formatters (including those created before the call),
    names bound with ``from logging import ...``, ``logging.handlers`` and
    ``logging.config`` all lead to femtologging afterwards; ``uninstall()`` undoes it.
    Idempotent and safe to call while other threads log. Returns None.
    """
    global _state
    with _guard:
        if _state is not None:
            return
        hook = sys.modules.get('femtologging._autoinstall')
        if hook is not None:
            hook.remove()   # the import below is ours, not the program's first
        if not _is_stdlib_logging(sys.modules.get('logging')) and 'logging' in sys.modules:
            raise RuntimeError("sys.modules['logging'] is not the standard logging package "
                               "(femtologging is already imported as logging)")
        pairs = _import_both()
        std = pairs[0][1]
        from . import _install_objects
        state = _Installed(std)
        with std._lock, _fl._lock:
            for name in _SWITCHES:
                if name in std.__dict__ and hasattr(_fl, name):
                    setattr(_fl, name, std.__dict__[name])
            state.fl_srcfile = _fl._srcfile
            if std.__dict__.get('_srcfile') is None:
                _fl._srcfile = None     # caller lookup was switched off
            state.fl_start = _fl._startTime
            _set_start_time(std.__dict__.get('_startTime', state.fl_start))
            state.rebased = _rebase_handler_classes(pairs)
            state.logger_class = _fl.getLoggerClass()
            state.set_logger_class = _adapt_set_logger_class(std, _install_objects)
            state.objects = _install_objects.migrate(std, _fl)
            for std_name, std_mod, fl_mod in pairs:
                _redirect(state, std_name, std_mod, fl_mod)
        _state = state


def _set_start_time(value):
    """Make ``value`` (the clock's unit: ns from 3.13) the start that ``relativeCreated`` counts from.

    While installed, records are relative to the time the program loaded ``logging``, as
    with stdlib, not to the (later or earlier) import of femtologging.
    """
    _fl._startTime = value
    _native._bind(_fl.__dict__, value / 1e9 if _compat.PY313 else value)


def _rebase_handler_classes(pairs):
    """Give each stdlib handler class its femtologging counterpart as an extra base.

    Handlers of stdlib classes (and of subclasses defined before install) then answer
    ``isinstance(h, logging.StreamHandler)`` as stdlib does, while keeping their own methods.
    """
    std_handler = pairs[0][1].Handler
    found = []
    for _std_name, std_mod, fl_mod in pairs:
        for name, cls in vars(std_mod).items():
            twin = getattr(fl_mod, name, None)
            if (isinstance(cls, type) and issubclass(cls, std_handler) and isinstance(twin, type)
                    and cls.__module__ == std_mod.__name__ and not issubclass(cls, twin)):
                found.append((cls, twin))
    found.sort(key=lambda pair: len(pair[0].__mro__))
    rebased = []
    for cls, twin in found:
        bases = cls.__bases__
        try:
            cls.__bases__ = bases + (twin,)
        except TypeError:
            continue   # an inconsistent order: this class keeps stdlib's hierarchy only
        rebased.append((cls, bases))
    return rebased


def _adapt_set_logger_class(std, objects):
    """While installed, ``setLoggerClass`` also accepts a stdlib ``Logger`` subclass."""
    original = _fl.setLoggerClass
    # the stdlib module is redirected from now on: keep its own classes
    std = types.SimpleNamespace(__name__=std.__name__, **{
        name: std.__dict__[name] for name in ('Logger', 'RootLogger', 'Filterer')})

    def setLoggerClass(klass):
        """Use ``klass`` for loggers created from now on (a stdlib subclass is adapted)."""
        original(objects.adapt_logger_class(std, _fl, klass))

    setLoggerClass.__module__ = original.__module__
    _fl.setLoggerClass = setLoggerClass
    return original


def _redirect(state, std_name, std_mod, fl_mod):
    """Point a stdlib module's globals and ``sys.modules`` entry at femtologging."""
    own = std_mod.__dict__
    saved = {}
    for name, value in list(vars(fl_mod).items()):
        if (name.startswith('__') or isinstance(value, types.ModuleType) or name not in own
                or name in _KEEP):
            continue
        saved[name] = own[name]
        own[name] = value   # read by functions bound before install and by old references
    state.saved_globals[std_name] = saved
    state.modules[std_name] = (std_mod, fl_mod, type(fl_mod))
    std_class, fl_class = _module_classes(std_mod, fl_mod, frozenset(saved))
    std_mod.__class__ = std_class
    fl_mod.__class__ = fl_class
    sys.modules[std_name] = fl_mod
    parent, _, child = std_name.rpartition('.')
    if parent:
        types.ModuleType.__setattr__(_fl, child, fl_mod)


def uninstall():
    """Undo ``install()``: the standard modules, classes and functions come back.

    Loggers keep the levels, handlers and filters configured while installed.
    Idempotent; does nothing when femtologging is not installed.
    """
    global _state
    with _guard:
        state = _state
        if state is None:
            return
        from . import _install_objects
        std = state.std
        with state.std_lock, _fl._lock:
            for std_name, (std_mod, fl_mod, fl_class) in state.modules.items():
                fl_mod.__class__ = fl_class     # first: no more mirroring
                sys.modules[std_name] = std_mod
            for std_name, (std_mod, _fl_mod, _fl_class) in state.modules.items():
                own = std_mod.__dict__
                for name, value in state.saved_globals[std_name].items():
                    own[name] = value
                std_mod.__class__ = types.ModuleType
            for name in _SWITCHES:
                if name in std.__dict__ and hasattr(_fl, name):
                    std.__dict__[name] = getattr(_fl, name)
            if _fl._srcfile is None:
                std.__dict__['_srcfile'] = None
                _fl._srcfile = state.fl_srcfile
            _set_start_time(state.fl_start)
            state.objects.restore(std, _fl)
            _fl.setLoggerClass = state.set_logger_class
            adapted = _fl.getLoggerClass()
            if adapted in _install_objects._adapted_classes.values():
                std.setLoggerClass(adapted.__bases__[0])
                _fl.setLoggerClass(state.logger_class)
            for cls, bases in reversed(state.rebased):
                cls.__bases__ = bases
        _state = None


def installed():
    """True while femtologging is installed."""
    return _state is not None
