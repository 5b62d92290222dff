"""Adapter ``picologging-noms``: picologging with a seconds-only timestamp.

picologging 0.9.3 renders stdlib's default ``%(asctime)s`` as garbage on
CPython 3.11 (e.g. ``,-69857``), has no ``formatTime`` to override and does not
support ``%(msecs)03d``, so the ``picologging`` row FAILS verification. To
still give comparable numbers, this variant is configured like stdlib (see
``libs/stdlib_shaped.py``) except for::

    handler.setFormatter(picologging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%d %H:%M:%S"))

so its lines read ``2026-01-01 12:00:00 INFO bench request 7 from alice``
(no ``,mmm``); verification for this row accepts exactly that timestamp.
It does slightly LESS work than the others (no milliseconds).
"""

from libs.stdlib_shaped import FORMAT, StdlibShaped, export
from verify import TIMESTAMP_NO_MS

_adapter = StdlibShaped("picologging-noms", "picologging", fmt=FORMAT,
                        datefmt="%Y-%m-%d %H:%M:%S", timestamp=TIMESTAMP_NO_MS)

export(_adapter, globals())
