"""Overflow policies with exact drop counts, from the native API and from set_overflow()."""

import threading
import time

import pytest

import femtologging
from femtologging import FemtoFileHandler, HandlerConfigError, OverflowPolicy, get_logger


def fill(tmp_path, name, policy, n=10, capacity=4):
    """Park the worker, log ``n`` records into a queue of ``capacity``; return handler, path."""
    path = tmp_path / "o.log"
    h = FemtoFileHandler(str(path), capacity=capacity, policy=policy)
    log = get_logger(name)
    log.set_level("INFO")
    log.add_handler(h)
    h.stream._pause()
    for i in range(n):
        log.info("r%d", i)
    return h, path


def finish(h, path):
    h.stream._resume()
    h.close()
    return path.read_text().split()


def test_drop_keeps_the_oldest(tmp_path, name, capfd):
    h, path = fill(tmp_path, name, OverflowPolicy.drop())
    assert h.dropped == 6 and get_logger(name).get_dropped() == 6
    assert finish(h, path) == ["r0", "r1", "r2", "r3"]
    warnings = [l for l in capfd.readouterr().err.splitlines() if "queue full" in l]
    assert len(warnings) == 1  # rate limited: one warning for the burst


def test_drop_oldest_keeps_the_newest(tmp_path, name):
    h, path = fill(tmp_path, name, OverflowPolicy.drop_oldest())
    assert h.get_dropped() == 6
    assert finish(h, path) == ["r6", "r7", "r8", "r9"]


def test_timeout_waits_then_drops(tmp_path, name):
    start = time.monotonic()
    h, path = fill(tmp_path, name, OverflowPolicy.timeout(20), n=6)
    assert time.monotonic() - start >= 0.04  # two records waited 20 ms each
    assert h.dropped == 2
    assert finish(h, path) == ["r0", "r1", "r2", "r3"]


def test_block_loses_nothing(tmp_path, name):
    h, path = fill(tmp_path, name, OverflowPolicy.block(), n=4)
    log = get_logger(name)
    t = threading.Thread(target=lambda: [log.info("late%d", i) for i in range(3)])
    t.start()
    t.join(0.2)
    assert t.is_alive()  # waiting for room
    h.stream._resume()
    t.join(5)
    h.close()
    assert h.dropped == 0
    assert path.read_text().split() == ["r0", "r1", "r2", "r3", "late0", "late1", "late2"]


def test_policy_strings_match_objects():
    assert OverflowPolicy.parse("timeout:250") == OverflowPolicy.timeout(250)
    assert OverflowPolicy.parse("drop_oldest") == OverflowPolicy.drop_oldest()
    assert repr(OverflowPolicy.timeout(5)) == "OverflowPolicy.timeout(5)"
    for bad in (lambda: OverflowPolicy.timeout(0), lambda: OverflowPolicy.parse("later"),
                lambda: OverflowPolicy.parse(3)):
        with pytest.raises(HandlerConfigError):
            bad()


@pytest.mark.parametrize("policy,kept,dropped", [
    (OverflowPolicy.drop(), ["r0", "r1", "r2"], 5),
    (OverflowPolicy.drop_oldest(), ["r5", "r6", "r7"], 5),
])
def test_stdlib_set_overflow_takes_policy_objects(tmp_path, name, policy, kept, dropped):
    path = tmp_path / "std.log"
    h = femtologging.FileHandler(path)
    h.set_overflow(policy, capacity=3)
    log = femtologging.getLogger(name)
    log.setLevel(femtologging.INFO)
    log.addHandler(h)
    h.stream._pause()
    for i in range(8):
        log.info("r%d", i)
    assert h.dropped == dropped
    h.stream._resume()
    h.close()
    assert path.read_text().split() == kept


def test_set_overflow_accepts_drop_oldest_by_name(tmp_path):
    h = femtologging.FileHandler(tmp_path / "n.log")
    h.set_overflow("drop_oldest", capacity=2)
    assert h.stream is not None and not h.stream.closed
    h.close()
