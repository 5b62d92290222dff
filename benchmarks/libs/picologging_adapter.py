"""Adapter for ``picologging``: configured exactly like stdlib, see ``libs/stdlib_shaped.py``
(``import picologging as logging``, same getLogger/FileHandler/Formatter calls).

Note: picologging 0.9.3 renders the default ``%(asctime)s`` wrongly on CPython
3.11 (``,-69857`` instead of ``2026-01-01 12:00:00,123``), so this row FAILS
the output check in every scenario that formats a time; see the
``picologging-noms`` adapter for the closest configuration that passes."""

from libs.stdlib_shaped import StdlibShaped, export

_adapter = StdlibShaped("picologging", "picologging")

export(_adapter, globals())
