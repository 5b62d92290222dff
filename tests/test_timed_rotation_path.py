"""A TimedRotatingFileHandler rotates records that come through a logger (the native dispatch
path), whichever of the worker (3.11/3.12) or Python (3.13's rules) decides the schedule."""

import femtologging
import femtologging.handlers as handlers


def test_due_rollover_happens_before_the_next_logged_record(tmp_path):
    path = tmp_path / "t.log"
    h = handlers.TimedRotatingFileHandler(str(path), when="S", interval=1, backupCount=3)
    log = femtologging.getLogger("timed.rotation.path")
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


def test_a_schedule_only_python_keeps_still_rotates(tmp_path):
    path = tmp_path / "f.log"
    # A fractional interval: the worker cannot keep it, Python rotates.
    h = handlers.TimedRotatingFileHandler(str(path), when="S", interval=1.5, backupCount=3)
    log = femtologging.getLogger("timed.rotation.fractional")
    log.propagate = False
    log.setLevel(femtologging.INFO)
    log.addHandler(h)
    try:
        log.info("before")
        h.rolloverAt = 0
        log.info("after")
    finally:
        log.removeHandler(h)
        h.close()
    rotated = [p for p in tmp_path.iterdir() if p.name.startswith("f.log.")]
    assert [p.read_text() for p in rotated] == ["before\n"]
