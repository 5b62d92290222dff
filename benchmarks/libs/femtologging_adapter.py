"""Adapter for ``femtologging``: configured exactly like stdlib, see ``libs/stdlib_shaped.py``
(``import femtologging as logging``, same getLogger/FileHandler/Formatter calls)."""

from libs.stdlib_shaped import StdlibShaped

_adapter = StdlibShaped("femtologging", "femtologging")

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
