"""Native-API tests: femtologging-only (skipped as a whole when checking against stdlib)."""

import itertools
import os

import pytest

if os.environ.get("FEMTOLOGGING_TESTS_AGAINST_STDLIB"):
    collect_ignore_glob = ["test_*.py"]

_names = itertools.count()


@pytest.fixture
def name():
    """A logger name no other test uses."""
    return "native%d" % next(_names)


@pytest.fixture
def closing():
    """Collects handlers and closes them after the test."""
    handlers = []
    yield handlers.append
    for h in handlers:
        h.close()
