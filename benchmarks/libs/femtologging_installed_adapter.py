"""Adapters for ``femtologging.install()``: the stdlib-shaped scenarios written with
``import logging`` (the real module imported first), run after ``femtologging.install()``.

* ``femtologging-installed``: ``logging.getLogger("bench")`` and the handler are made after
  install (what a library importing ``logging`` late gets).
* ``femtologging-preinstall``: the ``bench`` logger is created by the standard ``logging``
  *before* install (a library's module-level logger) and the workload logs through that
  object; handler and formatter are configured after install, as for the other column.
"""

import sys

from libs import Sink
from libs.stdlib_shaped import StdlibShaped, export


class InstalledShaped(StdlibShaped):
    """``StdlibShaped`` on ``logging`` after ``femtologging.install()``."""

    def __init__(self, lib, *, pre_install_logger):
        super().__init__(lib, "logging")
        self._pre_install = pre_install_logger
        self._pre_logger = None

    def load(self):
        """Import the real ``logging``, optionally make the logger, then install."""
        import logging  # noqa: F401  (the standard module, before install)
        import logging.config  # noqa: F401
        import logging.handlers  # noqa: F401

        if self._pre_install:
            self._pre_logger = logging.getLogger("bench")
        import femtologging

        femtologging.install()
        self.module = sys.modules["logging"]
        assert self.module is femtologging
        return "femtologging %s (install())" % femtologging.__version__

    def open_sink(self, target, **kwargs):
        sink = super().open_sink(target, **kwargs)
        if self._pre_logger is None:
            return sink
        assert type(self._pre_logger).__module__ == "logging"   # the stdlib object, forwarded
        return Sink(self._pre_logger, sink.close)


def adapter_module(lib, namespace, *, pre_install_logger):
    """Fill an adapter module's namespace for one of the two installed columns."""
    export(InstalledShaped(lib, pre_install_logger=pre_install_logger), namespace)


adapter_module("femtologging-installed", globals(), pre_install_logger=False)
