"""``femtologging-preinstall``: the ``bench`` logger is created by the standard ``logging``
before ``femtologging.install()``; see ``femtologging_installed_adapter``."""

from libs.femtologging_installed_adapter import adapter_module

adapter_module("femtologging-preinstall", globals(), pre_install_logger=True)
