"""Femto*Handler classes: output, flush/close, and use from both APIs."""

import os
import subprocess
import sys

import pytest

import femtologging
import femtologging.handlers
from femtologging import (
    FemtoFileHandler, FemtoRotatingFileHandler, FemtoStreamHandler, FemtoTimedRotatingFileHandler,
    HandlerConfigError, HandlerOptions, get_logger,
)


def test_stream_handlers_write_stdout_and_stderr():
    code = (
        "import sys; from femtologging import get_logger, FemtoStreamHandler\n"
        "log = get_logger('demo'); log.set_level('INFO')\n"
        "out, err = FemtoStreamHandler.stdout(), FemtoStreamHandler.stderr()\n"
        "log.add_handler(out); log.info('to both')\n"
        "log.remove_handler(out); log.add_handler(err); log.info('err only')\n"
        "assert out.flush() is True and err.flush(timeout=2) is True\n"
        "out.close(); err.close()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "to both\n"
    assert r.stderr == "err only\n"


def test_file_handler_from_both_apis(tmp_path, name):
    path = tmp_path / "app.log"
    h = FemtoFileHandler(str(path), capacity=16, flush_interval=4, policy="block")
    h.setFormatter(femtologging.Formatter("%(name)s:%(levelname)s:%(message)s"))
    std = femtologging.getLogger(name)
    std.setLevel(femtologging.INFO)
    std.addHandler(h)  # a native-API handler on a stdlib-API logger
    std.info("stdlib %d", 1)
    get_logger(name).log("error", "native")
    assert h.flush() is True
    h.close()
    assert path.read_text().splitlines() == ["%s:INFO:stdlib 1" % name, "%s:ERROR:native" % name]
    assert h.flush_interval == 4


def test_stdlib_rotating_handler_on_a_femto_logger(tmp_path, name):
    path = tmp_path / "r.log"
    h = femtologging.handlers.RotatingFileHandler(path, maxBytes=30, backupCount=2)
    log = get_logger(name)
    log.set_level("INFO")
    log.add_handler(h)
    for i in range(6):
        log.info("record number %d", i)
    h.close()
    assert (tmp_path / "r.log.1").exists()


def test_rotating_handler_rotates_by_size(tmp_path, name):
    path = tmp_path / "rot.log"
    h = FemtoRotatingFileHandler(str(path), options=HandlerOptions(
        capacity=64, flush_interval=1, policy="block", rotation=(40, 2)))
    log = get_logger(name)
    log.set_level("INFO")
    log.add_handler(h)
    for i in range(8):
        log.info("line %02d ............", i)
    assert h.flush() is True
    h.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["rot.log", "rot.log.1", "rot.log.2"]
    assert all(p.stat().st_size <= 40 for p in tmp_path.iterdir())
    assert path.read_text().splitlines()[-1] == "line 07 ............"


def test_rotation_zero_disables_rotation(tmp_path, name):
    path = tmp_path / "plain.log"
    h = FemtoRotatingFileHandler(str(path), options=HandlerOptions(rotation=(0, 0)))
    assert h.maxBytes == 0
    h.close()


def test_timed_rotating_handler_rotates(tmp_path, name):
    path = tmp_path / "t.log"
    h = FemtoTimedRotatingFileHandler(str(path), when="S", interval=1, backup_count=3,
                                      options=HandlerOptions(policy="block"))
    log = get_logger(name)
    log.set_level("INFO")
    log.add_handler(h)
    log.info("before")
    h.flush()
    h.rolloverAt = 0  # due now: the next record rotates first (on the worker, or in Python on 3.13)
    log.info("after")
    h.close()
    rotated = [p for p in tmp_path.iterdir() if p.name.startswith("t.log.")]
    assert len(rotated) == 1 and rotated[0].read_text() == "before\n"
    assert path.read_text() == "after\n"


@pytest.mark.parametrize("kwargs", [
    {"capacity": 0}, {"capacity": "8"}, {"flush_interval": 0}, {"policy": "sometimes"},
    {"policy": "timeout:x"},
])
def test_file_handler_rejects_bad_options(tmp_path, kwargs):
    with pytest.raises(HandlerConfigError):
        FemtoFileHandler(str(tmp_path / "x.log"), **kwargs)
    assert issubclass(HandlerConfigError, ValueError)


def test_handler_options_validates_rotation():
    with pytest.raises(HandlerConfigError):
        HandlerOptions(rotation=(-1, 2))
    with pytest.raises(HandlerConfigError):
        HandlerOptions(rotation=5)


def test_unopenable_file_is_a_handler_io_error(tmp_path):
    with pytest.raises(femtologging.HandlerIOError) as info:
        FemtoFileHandler(str(tmp_path / "missing-dir" / "x.log"))
    assert isinstance(info.value, OSError)


def test_flush_reports_false_when_the_worker_is_stuck(tmp_path):
    h = FemtoFileHandler(str(tmp_path / "s.log"), policy="block")
    h.stream._pause()
    h.stream.write("queued\n")
    assert h.flush(timeout=0.05) is False
    h.stream._resume()
    assert h.flush(timeout=5) is True
    h.close()
    assert (tmp_path / "s.log").read_text() == "queued\n"


def test_close_is_idempotent_and_flush_after_close_is_true(tmp_path):
    h = FemtoFileHandler(str(tmp_path / "c.log"))
    h.close()
    h.close()
    assert h.flush() is True
    assert os.path.exists(tmp_path / "c.log")
