"""Run CPython's test_logging against femtologging's handlers/config modules.

Until the native core exists, the standard ``logging`` package stands in for
it: this script aliases it as ``femtologging``, loads *our*
``femtologging/handlers.py`` and ``femtologging/config.py`` as
``logging.handlers`` / ``logging.config`` and then runs the named
``test.test_logging`` classes (or pytest files ending in ``.py``).

Usage::

    python tests/hc_harness.py ConfigDictTest SocketHandlerTest ...
    python tests/hc_harness.py ALL          # the whole test_logging module
    python tests/hc_harness.py --pytest tests/test_handlers_config.py
    python tests/hc_harness.py --real --pytest tests/test_handlers_config.py
        # the pytest file against the real (built) femtologging package
"""

import importlib.util
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "femtologging")


def _load(name, filename):
    spec = importlib.util.spec_from_file_location(name, os.path.join(PKG, filename))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def install_stdlib_core():
    """Alias stdlib logging as femtologging and load our two submodules."""
    import logging
    sys.modules["femtologging"] = logging
    handlers = _load("logging.handlers", "handlers.py")
    logging.handlers = handlers
    sys.modules["femtologging.handlers"] = handlers
    config = _load("logging.config", "config.py")
    logging.config = config
    sys.modules["femtologging.config"] = config
    assert logging.handlers.__file__.startswith(PKG)
    assert logging.config.__file__.startswith(PKG)


def main(argv):
    real = "--real" in argv
    argv = [a for a in argv if a != "--real"]
    if real and (not argv or argv[0] != "--pytest"):
        sys.exit("--real only makes sense with --pytest: CPython's test_logging "
                 "imports the standard logging package")
    if not real:
        install_stdlib_core()
    if argv and argv[0] == "--pytest":
        import pytest
        return pytest.main(["-q", "-p", "no:cacheprovider"] + argv[1:])
    from test import test_logging
    loader = unittest.TestLoader()
    if not argv or argv == ["ALL"]:
        suite = loader.loadTestsFromModule(test_logging)
    else:
        suite = unittest.TestSuite(loader.loadTestsFromName(n, test_logging)
                                   for n in argv)
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
