"""One adapter module per benchmarked library.

Every adapter exposes the same small interface, used by ``benchmarks/scenarios``:

``LIB``
    Display name of the library (the row/column label).
``load()``
    Import the library; raises ``ImportError`` when it is not installed
    (reported as ``n/a``). Returns the library's version string.
``INFO_MSG`` / ``DEBUG_MSG`` / ``DEBUG_ARGS``
    The message templates in the library's own placeholder style, so that
    ``logger.info(INFO_MSG, i, "alice")`` renders ``request <i> from alice``.
``open_sink(target, *, level="INFO", py_filter=None) -> Sink``
    Configure a logger named ``bench`` writing
    ``<asctime> <LEVEL> bench <message>`` lines to ``target`` (a path ``str``
    or a text stream). ``py_filter`` is a ``Counter`` whose ``hit()`` the
    library's idiomatic Python-level filter calls once per record.
``TIMESTAMP``
    Regex of the timestamp the verification expects (``verify.TIMESTAMP``,
    stdlib's asctime, for every library except ``picologging-noms``).
``DATEFMT``
    (stdlib-API libraries) the ``datefmt`` of the adapter's formatter
    (``None``: the library's default ``asctime`` layout); the idiom scenarios
    use it wherever the idiom itself keeps the default time layout.
``STDLIB_API``
    True for libraries that have ``getLogger``/``LogRecord``/``Formatter``
    (micro-scenarios); those expose the module as ``module``.
"""

from __future__ import annotations

import importlib

#: Column order of the results table; femtologging first (it is the subject).
LIBS = ("femtologging", "logging", "picologging", "picologging-noms", "loguru", "structlog", "logly",
        "femtologging-installed", "femtologging-preinstall")

#: Table labels (``picologging-noms`` is picologging with a seconds-only
#: timestamp, the closest it gets to stdlib's asctime; see its adapter).
LABELS = {"picologging-noms": "picologging (no ms)"}

_MODULES = {
    "femtologging": "femtologging_adapter",
    "logging": "logging_adapter",
    "picologging": "picologging_adapter",
    "picologging-noms": "picologging_noms_adapter",
    "loguru": "loguru_adapter",
    "structlog": "structlog_adapter",
    "logly": "logly_adapter",
    # femtologging.install(): `import logging` code, logger made after / before install
    "femtologging-installed": "femtologging_installed_adapter",
    "femtologging-preinstall": "femtologging_preinstall_adapter",
}


def get(name: str):
    """Return the adapter module for library ``name`` (no library import yet)."""
    return importlib.import_module(f"libs.{_MODULES[name]}")


class Counter:
    """Call counter handed to each library's Python filter (python_filter)."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls = 0


class Sink:
    """A configured logger plus the way to finish its output.

    ``close()`` must return only once every record is in the target (file
    closed / stream flushed / background queue drained): it is the end point
    of the end-to-end timings.
    """

    def __init__(self, logger, close) -> None:
        self.logger = logger
        self._close = close

    def close(self) -> None:
        """Flush and close everything this sink opened."""
        self._close()
