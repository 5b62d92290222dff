"""Shared fixtures: every test gets a unique logger-name prefix and the global state back.

Set ``FEMTOLOGGING_TESTS_AGAINST_STDLIB=1`` (and pass ``-p no:logging`` so pytest's own log
capture stays out of the way) to run the same tests against the standard ``logging`` package:
that checks the expectations written here are stdlib's behaviour.
"""

import io
import itertools
import os
import sys
import warnings

import pytest

if os.environ.get("FEMTOLOGGING_TESTS_AGAINST_STDLIB"):
    # Check the tests' expectations: run the same suite against the standard library.
    import logging as _stdlib_logging

    sys.modules["femtologging"] = _stdlib_logging

import femtologging  # noqa: E402

_counter = itertools.count()


@pytest.fixture(autouse=True)
def restore_femtologging_state():
    """Snapshot femtologging's module-level state and put it back after the test."""
    root = femtologging.root
    manager = femtologging.Logger.manager
    saved = {
        "handlers": list(root.handlers),
        "filters": list(root.filters),
        "level": root.level,
        "propagate": root.propagate,
        "disabled": root.disabled,
        "disable": manager.disable,
        "factory": femtologging.getLogRecordFactory(),
        "logger_class": femtologging.getLoggerClass(),
        "manager_class": manager.loggerClass,
        "raise": femtologging.raiseExceptions,
        "last_resort": femtologging.lastResort,
        "warned": manager.emittedNoHandlerWarning,
        "l2n": dict(femtologging._levelToName),
        "n2l": dict(femtologging._nameToLevel),
        "showwarning": warnings.showwarning,
    }
    yield
    femtologging.captureWarnings(False)
    warnings.showwarning = saved["showwarning"]
    for h in root.handlers[:]:
        if h not in saved["handlers"]:
            root.removeHandler(h)
    root.handlers[:] = saved["handlers"]
    root.filters[:] = saved["filters"]
    root.setLevel(saved["level"])
    root.propagate = saved["propagate"]
    root.disabled = saved["disabled"]
    femtologging.disable(saved["disable"])
    femtologging.setLogRecordFactory(saved["factory"])
    femtologging.setLoggerClass(saved["logger_class"])
    manager.loggerClass = saved["manager_class"]
    femtologging.raiseExceptions = saved["raise"]
    femtologging.lastResort = saved["last_resort"]
    manager.emittedNoHandlerWarning = saved["warned"]
    femtologging._levelToName.clear()
    femtologging._levelToName.update(saved["l2n"])
    femtologging._nameToLevel.clear()
    femtologging._nameToLevel.update(saved["n2l"])


@pytest.fixture
def name():
    """A logger name no other test uses."""
    return "t%d" % next(_counter)


@pytest.fixture
def capture(name):
    """(logger, stream): a fresh DEBUG logger writing ``%(message)s`` lines to a StringIO."""
    stream = io.StringIO()
    handler = femtologging.StreamHandler(stream)
    handler.setFormatter(femtologging.Formatter("%(message)s"))
    logger = femtologging.getLogger(name)
    logger.setLevel(femtologging.DEBUG)
    logger.addHandler(handler)
    logger.propagate = False
    return logger, stream


class _ListHandler(femtologging.Handler):
    """Keeps every record it is given."""

    def __init__(self, level=femtologging.NOTSET):
        super().__init__(level)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def collect(name):
    """(logger, handler): a fresh DEBUG logger whose records are kept in ``handler.records``."""
    handler = _ListHandler()
    logger = femtologging.getLogger(name)
    logger.setLevel(femtologging.DEBUG)
    logger.addHandler(handler)
    logger.propagate = False
    return logger, handler



@pytest.fixture
def list_handler_class():
    """The record-keeping handler class used by ``collect``."""
    return _ListHandler
