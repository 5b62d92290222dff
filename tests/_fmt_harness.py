"""Run CPython's own FormatterTest and BufferingFormatterTest against femtologging's formatters.

Usage: python tests/_fmt_harness.py  (exit status 0 when every test passes).
Patches the names into the standard ``logging`` module first; only the test process is affected.
"""

import logging
import sys
import unittest

from femtologging import _formatter

for _name in ("Formatter", "BufferingFormatter", "PercentStyle", "StrFormatStyle",
              "StringTemplateStyle", "_STYLES", "_defaultFormatter"):
    setattr(logging, _name, getattr(_formatter, _name))

from test import test_logging  # noqa: E402  (imported after patching on purpose)


def main():
    """Load the two stdlib test classes, run them, return a process exit status."""
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    # TestBufferingFormatter subclasses the BufferingFormatter bound at import: rebind it.
    test_logging.TestBufferingFormatter.__bases__ = (_formatter.BufferingFormatter,)
    for cls in (test_logging.FormatterTest, test_logging.BufferingFormatterTest):
        suite.addTests(loader.loadTestsFromTestCase(cls))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() and result.testsRun == suite.countTestCases() > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
