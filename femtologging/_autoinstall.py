"""Run at interpreter start by ``femtologging_install.pth`` when ``FEMTOLOGGING_INSTALL`` is set.

``FEMTOLOGGING_INSTALL=1`` (any value but empty, ``0``, ``false``, ``no`` or ``off``)
calls ``femtologging.install()`` when the program first imports ``logging`` (at once if it
already has), in this process and in every subprocess that inherits the environment.
See ``docs/install.md``.
"""

import os
import sys
from importlib.machinery import ModuleSpec


def _wanted(value):
    return value.strip().lower() not in ('', '0', 'false', 'no', 'off')


class _Loader:
    """Loads ``logging`` as stdlib's module would be, then installs and hands out femtologging."""

    def __init__(self):
        self.spec = None

    def create_module(self, spec):
        import importlib
        remove()
        try:
            import femtologging
            femtologging.install()
        except Exception as exc:  # noqa: BLE001 - a failed install must not break `import logging`
            sys.stderr.write('femtologging: FEMTOLOGGING_INSTALL: install() failed (%s: %s); '
                             'the standard logging stays\n' % (type(exc).__name__, exc))
        module = sys.modules.get('logging') or importlib.import_module('logging')
        self.spec = module.__spec__
        return module

    def exec_module(self, module):
        # The import system stamped our spec on the module: give it back its own.
        module.__spec__ = self.spec


class InstallOnImport:
    """Meta path finder: ``install()`` at the moment the program first imports ``logging``.

    Installing then, rather than at interpreter start, means the standard module is loaded
    when the program would have loaded it (after whatever it prepared first, e.g. a patched
    ``time.time_ns`` that ``logging`` reads for its start time); ``logging.handlers`` and
    ``logging.config`` import their parent first, so they are covered too. It leaves
    ``sys.meta_path`` when ``logging`` is loaded (or ``install()`` runs).
    """

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        """The spec of ``logging`` (installing femtologging); None for any other module."""
        if name != 'logging':
            return None
        return ModuleSpec(name, _Loader())  # (a spec looked up but not loaded changes nothing)


def remove():
    """Take the finder off ``sys.meta_path`` (``logging`` then imports the usual way)."""
    while InstallOnImport in sys.meta_path:
        sys.meta_path.remove(InstallOnImport)


def install_on_import():
    """Call ``femtologging.install()`` when ``logging`` is first imported (now if it was)."""
    if 'logging' in sys.modules:
        import femtologging
        femtologging.install()
    elif InstallOnImport not in sys.meta_path:
        sys.meta_path.insert(0, InstallOnImport)


if _wanted(os.environ.get('FEMTOLOGGING_INSTALL', '')):
    install_on_import()
