"""Run at interpreter start by ``femtologging_install.pth`` when ``FEMTOLOGGING_INSTALL`` is set.

``FEMTOLOGGING_INSTALL=1`` (any value but empty, ``0``, ``false``, ``no`` or ``off``)
calls ``femtologging.install()`` before the program's own code runs, in this process
and in every subprocess that inherits the environment. See ``docs/install.md``.
"""

import os


def _wanted(value):
    return value.strip().lower() not in ('', '0', 'false', 'no', 'off')


if _wanted(os.environ.get('FEMTOLOGGING_INSTALL', '')):
    import femtologging

    femtologging.install()
