"""Adapter for ``femtologging``: configured exactly like stdlib, see ``libs/stdlib_shaped.py``
(``import femtologging as logging``, same getLogger/FileHandler/Formatter calls)."""

from libs.stdlib_shaped import StdlibShaped, export

_adapter = StdlibShaped("femtologging", "femtologging")

export(_adapter, globals())
