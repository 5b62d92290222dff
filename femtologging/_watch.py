"""How the engine learns that a class, an instance or the package namespace changed.

The engine caches its decisions (which methods a class overrides, which handlers are native,
the module switches) for one *epoch*; whatever can change a decision bumps the epoch. From
CPython 3.12 the engine watches classes and the namespace itself (type and dict watchers);
on 3.11 the classes get the ``ClassWatch`` metaclass and the package module a module subclass,
whose attribute assignments bump the epoch.
"""

import sys
import types

from . import _femtologging as _native

if _native._NATIVE_WATCHERS:
    ClassWatch = type
else:
    class ClassWatch(type):
        """Metaclass (CPython 3.11) whose class attribute changes bump the engine's epoch."""

        def __setattr__(cls, name, value):
            type.__setattr__(cls, name, value)
            _native._bump_epoch()

        def __delattr__(cls, name):
            type.__delattr__(cls, name)
            _native._bump_epoch()

    _native._set_class_watcher(ClassWatch)


class _WatchedModule(types.ModuleType):
    """A module whose attribute assignments bump the engine's epoch (CPython 3.11)."""

    def __setattr__(self, name, value):
        types.ModuleType.__setattr__(self, name, value)
        _native._bump_epoch()

    def __delattr__(self, name):
        types.ModuleType.__delattr__(self, name)
        _native._bump_epoch()


def watch_module(name):
    """Make assignments to module ``name``'s attributes visible to the engine."""
    if not _native._NATIVE_WATCHERS:
        sys.modules[name].__class__ = _WatchedModule


def watch_instances(*classes):
    """Make attribute assignment on instances of ``classes`` bump the engine's epoch."""
    for cls in classes:
        _native._watch_instances(cls)
