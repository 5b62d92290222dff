"""The benchmark's output checks must reject lost, duplicated or mangled
records (otherwise a library that drops records could "win")."""

import os
import sys
import time

import pytest

# appended (not inserted) so these generic module names never shadow anything else
sys.path.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))

from verify import (  # noqa: E402
    TIMESTAMP_NO_MS,
    check_exception_records,
    check_formatted,
    check_request_lines,
    check_stream_counts,
)

TS = time.strftime("%Y-%m-%d %H:%M:%S") + ",123"


def _lines(ids, ts=TS):
    return "".join(f"{ts} INFO bench request {i} from alice\n" for i in ids)


def test_complete_output_passes():
    # Timestamps of now, not of collection time (the suite may have run for minutes since).
    now = time.strftime("%Y-%m-%d %H:%M:%S") + ",123"
    assert check_request_lines(_lines(range(50), now), 50, started=time.time() - 1) is None


def test_lost_record_is_rejected():
    ids = [i for i in range(50) if i != 17]
    reason = check_request_lines(_lines(ids), 50)
    assert reason is not None and "expected 50 lines, found 49" in reason


def test_lost_record_replaced_by_duplicate_is_rejected():
    ids = [i if i != 17 else 16 for i in range(50)]
    assert "i=16" in check_request_lines(_lines(ids), 50)
    assert "lost or duplicated" in check_request_lines(_lines(ids), 50, ordered=False)


def test_interleaved_threads_pass_unordered_only():
    ids = list(range(25, 50)) + list(range(25))
    assert check_request_lines(_lines(ids), 50, ordered=False) is None
    assert check_request_lines(_lines(ids), 50) is not None


def test_truncated_last_line_is_rejected():
    text = _lines(range(10))[:-1]
    assert check_request_lines(text, 10) == "output does not end with a newline"


def test_wrong_timestamp_layout_is_rejected():
    text = _lines(range(3), ts=",-69857")
    assert "does not match" in check_request_lines(text, 3)
    no_ms = _lines(range(3), ts=time.strftime("%Y-%m-%d %H:%M:%S"))
    assert check_request_lines(no_ms, 3) is not None
    assert check_request_lines(no_ms, 3, ts=TIMESTAMP_NO_MS) is None


def test_stale_timestamp_is_rejected():
    text = _lines(range(3), ts="2001-01-01 00:00:00,000")
    assert "not the local time" in check_request_lines(text, 3, started=time.time())


TB = 'Traceback (most recent call last):\n  File "x.py", line 3, in f\n    g()\nValueError: bad value 42\n'


def _exc_records(n, tb=TB):
    return "".join(f"{TS} ERROR bench boom\n{tb}" for _ in range(n))


def test_exception_records_pass_and_reject_loss_and_diffs():
    assert check_exception_records(_exc_records(5), 5, TB) is None
    assert "found" in check_exception_records(_exc_records(4), 5, TB)
    other = TB.replace("line 3", "line 4")
    assert "differs from stdlib" in check_exception_records(_exc_records(5, other), 5, TB)


def test_formatted_line_check():
    assert check_formatted(f"{TS} INFO bench request 7 from alice") is None
    assert check_formatted(f"{TS} INFO bench request 8 from alice") is not None


@pytest.mark.parametrize(
    "summary",
    [
        {"lines": 9, "first": f"{TS} INFO bench request 0 from alice", "last": f"{TS} INFO bench request 9 from alice"},
        {"lines": 10, "first": f"{TS} INFO bench request 1 from alice", "last": f"{TS} INFO bench request 9 from alice"},
        {"lines": 10, "first": f"{TS} INFO bench request 0 from alice", "last": f"{TS} INFO bench request 8 from alice"},
        {},
    ],
)
def test_pipe_summary_rejects_losses(summary):
    assert check_stream_counts(summary, 10) is not None


def test_pipe_summary_accepts_complete_stream():
    summary = {"lines": 10, "first": f"{TS} INFO bench request 0 from alice",
               "last": f"{TS} INFO bench request 9 from alice"}
    assert check_stream_counts(summary, 10) is None


class _LossyAdapter:
    """A stdlib-backed fake library that silently drops the record i == 5."""

    INFO_MSG = "request %d from %s"
    TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"

    def __init__(self, drop: bool) -> None:
        self.drop = drop

    def open_sink(self, target, *, level="INFO", py_filter=None):
        import logging

        from libs import Sink

        logger = logging.getLogger(f"bench.lossy.{id(self)}")
        logger.name = "bench"
        logger.propagate = False
        logger.setLevel(logging.INFO)
        handler = logging.FileHandler(target, mode="w", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        if self.drop:
            handler.addFilter(lambda record: record.args[0] != 5)
        logger.addHandler(handler)

        def close():
            logger.removeHandler(handler)
            handler.close()

        return Sink(logger, close)


def test_enabled_file_workload_fails_a_library_that_loses_a_record(tmp_path):
    import workloads
    from verify import VerificationError

    metrics = workloads.run_enabled_file(_LossyAdapter(drop=False), 20, str(tmp_path))
    assert set(metrics) == {"ns_per_call", "e2e_s"}
    with pytest.raises(VerificationError, match="expected 20 lines, found 19"):
        workloads.run_enabled_file(_LossyAdapter(drop=True), 20, str(tmp_path))
