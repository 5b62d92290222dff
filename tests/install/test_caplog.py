"""pytest's ``caplog`` (its handler classes are the standard library's) with femtologging installed."""

import logging  # the standard module: pytest imported it before any test ran

import pytest

import femtologging

PRE = logging.getLogger("inst.caplog.pre")   # a library's module-level logger, made before install
LEVELS = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]


def _log_everything(*loggers):
    for log in loggers:
        for level in LEVELS:
            log.log(level, "%s at %d", log.name, level)


def _expected(*names):
    return [(name, level, "%s at %d" % (name, level)) for name in names for level in LEVELS]


def test_caplog_with_install_before_the_test_body(installed, caplog):
    caplog.set_level(logging.DEBUG)
    post = logging.getLogger("inst.caplog.post")
    _log_everything(PRE, post)
    got = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert got == _expected("inst.caplog.pre", "inst.caplog.post")
    assert all(isinstance(r, logging.LogRecord) and type(r) is femtologging.LogRecord
               for r in caplog.records)
    line = _log_everything.__code__.co_firstlineno + 3
    assert "CRITICAL inst.caplog.pre:test_caplog.py:%d inst.caplog.pre at 50\n" % line in caplog.text
    assert caplog.text.count("inst.caplog.post at 50") == 1
    assert caplog.record_tuples[0] == ("inst.caplog.pre", logging.DEBUG, "inst.caplog.pre at 10")


def test_caplog_handler_attached_before_install(caplog):
    # pytest attached its capture handler to the standard root before this body runs
    caplog.set_level(logging.DEBUG, logger="inst.caplog.pre")
    PRE.info("before install")
    femtologging.install()
    try:
        assert logging.getLogger("inst.caplog.pre") is femtologging.getLogger("inst.caplog.pre")
        _log_everything(PRE)
        with caplog.at_level(logging.ERROR, logger="inst.caplog.pre"):
            PRE.warning("dropped by at_level")
            PRE.error("kept by at_level")
    finally:
        femtologging.uninstall()
    PRE.info("after uninstall")
    got = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert got == ([("inst.caplog.pre", logging.INFO, "before install")]
                   + _expected("inst.caplog.pre")
                   + [("inst.caplog.pre", logging.ERROR, "kept by at_level"),
                      ("inst.caplog.pre", logging.INFO, "after uninstall")])
