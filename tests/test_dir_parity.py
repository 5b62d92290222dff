"""``dir()`` of femtologging's modules holds every public name of the same interpreter's stdlib
``logging`` modules (the test process may import stdlib logging; the package never does)."""

import importlib
import sys

import pytest

PAIRS = [
    ("logging", "femtologging"),
    ("logging.handlers", "femtologging.handlers"),
    ("logging.config", "femtologging.config"),
]


@pytest.mark.parametrize("stdlib_name, ours_name", PAIRS)
def test_every_public_stdlib_name_exists(stdlib_name, ours_name):
    stdlib = importlib.import_module(stdlib_name)
    ours = importlib.import_module(ours_name)
    missing = sorted(n for n in dir(stdlib) if not n.startswith("_") and n not in dir(ours))
    assert missing == [], f"{ours_name} lacks {missing} (Python {sys.version.split()[0]})"


@pytest.mark.parametrize("stdlib_name, ours_name", PAIRS)
def test_all_matches_stdlib(stdlib_name, ours_name):
    stdlib = importlib.import_module(stdlib_name)
    ours = importlib.import_module(ours_name)
    assert sorted(getattr(ours, "__all__", ())) == sorted(getattr(stdlib, "__all__", ()))


def test_newer_api_absent_on_older_interpreters():
    import femtologging
    import femtologging.handlers

    record = femtologging.makeLogRecord({})
    adapter = femtologging.LoggerAdapter(femtologging.getLogger("parity"), {})
    newer_312 = [hasattr(femtologging, "getHandlerByName"), hasattr(femtologging, "logAsyncioTasks"),
                 hasattr(femtologging.Logger, "getChildren"), "taskName" in vars(record)]
    newer_313 = [hasattr(femtologging, "_prepareFork"), hasattr(adapter, "merge_extra"),
                 isinstance(femtologging._startTime, int)]
    assert newer_312 == [sys.version_info >= (3, 12)] * 4
    assert newer_313 == [sys.version_info >= (3, 13)] * 3
    assert hasattr(femtologging.handlers, "ST_MTIME") == (sys.version_info < (3, 13))
