"""Adapter for ``logging``: configured exactly like stdlib, see ``libs/stdlib_shaped.py``
(``import logging as logging``, same getLogger/FileHandler/Formatter calls)."""

from libs.stdlib_shaped import StdlibShaped, export

_adapter = StdlibShaped("logging", "logging")

export(_adapter, globals())
