"""Shared adapter for libraries with the standard ``logging`` API
(stdlib ``logging``, picologging, femtologging).

How each is configured (identical for all three; only the module differs)::

    logger = mod.getLogger("bench"); logger.setLevel(mod.INFO)
    logger.propagate = False
    handler = mod.FileHandler(path, mode="w", encoding="utf-8")   # file scenarios
    handler = mod.StreamHandler(stream)                           # stringio
    handler.setFormatter(mod.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)

``python_filter`` attaches a ``mod.Filter`` subclass to the *handler*; its
``filter(record)`` counts the call and keeps records whose ``record.name``
starts with ``"bench"`` (all of them).
End-to-end ends with ``handler.close()`` (stdlib: flush + close the file).
"""

from __future__ import annotations

import importlib

from libs import Sink
from verify import TIMESTAMP

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
INFO_MSG = "request %d from %s"
DEBUG_MSG = "hello %s"
DEBUG_ARGS = ("world",)
STDLIB_API = True


class StdlibShaped:
    """Adapter bound to one stdlib-API module, imported lazily by ``load``."""

    INFO_MSG = INFO_MSG
    DEBUG_MSG = DEBUG_MSG
    DEBUG_ARGS = DEBUG_ARGS
    STDLIB_API = True
    FORMAT = FORMAT

    def __init__(self, lib: str, module_name: str, *, fmt: str = FORMAT, datefmt=None,
                 timestamp: str = TIMESTAMP) -> None:
        self.LIB = lib
        self._module_name = module_name
        self.module = None
        self.FORMAT = fmt
        self.DATEFMT = datefmt
        self.TIMESTAMP = timestamp

    def formatter(self):
        """The Formatter every handler (and the Formatter.format micro) uses."""
        return self.module.Formatter(self.FORMAT, self.DATEFMT)

    def load(self) -> str:
        """Import the module; ImportError means ``n/a``."""
        self.module = importlib.import_module(self._module_name)
        version = getattr(self.module, "__version__", None)
        if self._module_name == "logging":
            import sys

            version = "python " + sys.version.split()[0]
        if version is None:
            try:
                from importlib.metadata import version as dist_version

                version = dist_version(self._module_name)
            except Exception:  # stdlib logging has no distribution
                import sys

                version = "python " + sys.version.split()[0]
        return str(version)

    def open_sink(self, target, *, level: str = "INFO", py_filter=None) -> Sink:
        """Configure logger ``bench`` with one handler on ``target``."""
        mod = self.module
        logger = mod.getLogger("bench")
        logger.setLevel(getattr(mod, level))
        logger.propagate = False
        if isinstance(target, str):
            handler = mod.FileHandler(target, mode="w", encoding="utf-8")
        else:
            handler = mod.StreamHandler(target)
        handler.setFormatter(self.formatter())
        if py_filter is not None:

            class NamePrefixFilter(mod.Filter):
                """Keeps records of the ``bench`` hierarchy; counts its calls."""

                def filter(self, record):
                    py_filter.calls += 1
                    return record.name.startswith("bench")

            handler.addFilter(NamePrefixFilter())
        logger.addHandler(handler)

        def close() -> None:
            logger.removeHandler(handler)
            handler.close()

        return Sink(logger, close)


def export(adapter: "StdlibShaped", namespace: dict) -> None:
    """Give an adapter module the interface ``run.py`` expects, from a ``StdlibShaped``."""
    namespace.update(
        LIB=adapter.LIB,
        INFO_MSG=adapter.INFO_MSG,
        DEBUG_MSG=adapter.DEBUG_MSG,
        DEBUG_ARGS=adapter.DEBUG_ARGS,
        STDLIB_API=True,
        TIMESTAMP=adapter.TIMESTAMP,
        DATEFMT=adapter.DATEFMT,
        formatter=adapter.formatter,
        load=adapter.load,
        open_sink=adapter.open_sink,
        module=lambda: adapter.module,
    )
