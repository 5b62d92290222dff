"""Adapter for ``picologging``: configured exactly like stdlib, see ``libs/stdlib_shaped.py``
(``import picologging as logging``, same getLogger/FileHandler/Formatter calls).

Note: picologging 0.9.3 renders the default ``%(asctime)s`` wrongly on CPython
3.11 (``,-69857`` instead of ``2026-01-01 12:00:00,123``), so this row FAILS
the output check in every scenario that formats a time; see the
``picologging-noms`` adapter for the closest configuration that passes."""

from libs.stdlib_shaped import StdlibShaped

_adapter = StdlibShaped("picologging", "picologging")

LIB = _adapter.LIB
INFO_MSG = _adapter.INFO_MSG
DEBUG_MSG = _adapter.DEBUG_MSG
DEBUG_ARGS = _adapter.DEBUG_ARGS
STDLIB_API = True
TIMESTAMP = _adapter.TIMESTAMP
formatter = _adapter.formatter
load = _adapter.load
open_sink = _adapter.open_sink


def module():
    """The imported logging-API module (after ``load()``)."""
    return _adapter.module
