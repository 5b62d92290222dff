"""A TimedRotatingFileHandler rotates records that come through a logger (the native dispatch
path), whichever of the worker (3.11/3.12) or Python (3.13's rules, or a schedule the worker
cannot keep) decides the schedule."""

import pytest

import femtologging
import femtologging.handlers as handlers


@pytest.mark.parametrize("interval", [1, 1.5], ids=["whole", "fractional"])
def test_due_rollover_happens_before_the_next_logged_record(tmp_path, interval):
    path = tmp_path / "t.log"
    h = handlers.TimedRotatingFileHandler(str(path), when="S", interval=interval, backupCount=3)
    log = femtologging.getLogger(f"timed.rotation.path.{interval}")
    log.propagate = False
    log.setLevel(femtologging.INFO)
    log.addHandler(h)
    try:
        log.info("before")
        h.flush()
        h.rolloverAt = 0  # due now
        log.info("after")
    finally:
        log.removeHandler(h)
        h.close()
    rotated = [p for p in tmp_path.iterdir() if p.name.startswith("t.log.")]
    assert [p.read_text() for p in rotated] == ["before\n"]
    assert path.read_text() == "after\n"
