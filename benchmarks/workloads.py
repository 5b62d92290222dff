"""The timed end-to-end workloads (run inside a fresh child interpreter).

Each ``run_<scenario>(adapter, n, workdir)`` configures the library through
its adapter, times the workload with ``time.perf_counter`` around the whole
loop (pyperf does not fit I/O that ends with closing a file), verifies the
output and returns the metrics dict. A wrong output raises
:class:`verify.VerificationError`.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import threading
import time
import traceback
from time import perf_counter

from libs import Counter
from verify import (
    VerificationError,
    check_exception_records,
    check_request_lines,
    check_stream_counts,
)

HERE = os.path.dirname(os.path.abspath(__file__))


def _read(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _fail_if(reason: str | None) -> None:
    if reason is not None:
        raise VerificationError(reason)


def _file_loop(adapter, n: int, workdir: str, py_filter=None) -> dict:
    """``info("request %d from %s", i, "alice")`` n times to a real file."""
    path = os.path.join(workdir, "out.log")
    started = time.time()
    sink = adapter.open_sink(path, py_filter=py_filter)
    logger = sink.logger
    msg = adapter.INFO_MSG
    t0 = perf_counter()
    for i in range(n):
        logger.info(msg, i, "alice")
    t1 = perf_counter()
    sink.close()
    t2 = perf_counter()
    _fail_if(check_request_lines(_read(path), n, started=started, ts=adapter.TIMESTAMP))
    return {"ns_per_call": (t1 - t0) / n * 1e9, "e2e_s": t2 - t0}


def run_enabled_file(adapter, n: int, workdir: str) -> dict:
    """Scenario ``enabled_file``: calling-thread cost per call and end to end."""
    return _file_loop(adapter, n, workdir)


def run_python_filter(adapter, n: int, workdir: str) -> dict:
    """Scenario ``python_filter``: ``enabled_file`` plus a Python-level filter."""
    counter = Counter()
    result = _file_loop(adapter, n, workdir, py_filter=counter)
    if counter.calls != n:
        raise VerificationError(f"the Python filter ran {counter.calls} times, expected {n}")
    return result


def run_threads4(adapter, n: int, workdir: str) -> dict:
    """Scenario ``threads4``: 4 threads x n/4 calls to one file, end to end."""
    path = os.path.join(workdir, "out.log")
    per_thread = n // 4
    started = time.time()
    sink = adapter.open_sink(path)
    logger = sink.logger
    msg = adapter.INFO_MSG
    barrier = threading.Barrier(5)

    def work(base: int) -> None:
        barrier.wait()
        for i in range(base, base + per_thread):
            logger.info(msg, i, "alice")

    threads = [threading.Thread(target=work, args=(k * per_thread,)) for k in range(4)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = perf_counter()
    for t in threads:
        t.join()
    t1 = perf_counter()
    sink.close()
    t2 = perf_counter()
    _fail_if(check_request_lines(_read(path), per_thread * 4, ordered=False, started=started,
                                 ts=adapter.TIMESTAMP))
    return {"ns_per_call": (t1 - t0) / (per_thread * 4) * 1e9, "e2e_s": t2 - t0}


def _boom() -> None:
    raise ValueError("bad value 42")


def _raise_and_log(log_exception) -> None:
    """The same code location raises for the reference and for every record,
    so stdlib's ``traceback.format_exc()`` here is the exact expected text."""
    try:
        _boom()
    except ValueError:
        log_exception()


def run_exception(adapter, n: int, workdir: str) -> dict:
    """Scenario ``exception``: ``logger.exception("boom")`` inside ``except``."""
    expected: list[str] = []
    _raise_and_log(lambda: expected.append(traceback.format_exc()))
    path = os.path.join(workdir, "out.log")
    started = time.time()
    sink = adapter.open_sink(path)
    logger = sink.logger

    def log_exception() -> None:
        logger.exception("boom")

    t0 = perf_counter()
    for _ in range(n):
        _raise_and_log(log_exception)
    t1 = perf_counter()
    sink.close()
    t2 = perf_counter()
    _fail_if(check_exception_records(_read(path), n, expected[0], started=started,
                                     ts=adapter.TIMESTAMP))
    return {"ns_per_call": (t1 - t0) / n * 1e9, "e2e_s": t2 - t0}


def run_stringio(adapter, n: int, workdir: str) -> dict:
    """Scenario ``stringio``: a stream handler on an ``io.StringIO``."""
    stream = io.StringIO()
    started = time.time()
    sink = adapter.open_sink(stream)
    logger = sink.logger
    msg = adapter.INFO_MSG
    t0 = perf_counter()
    for i in range(n):
        logger.info(msg, i, "alice")
    t1 = perf_counter()
    sink.close()
    t2 = perf_counter()
    _fail_if(check_request_lines(stream.getvalue(), n, started=started, ts=adapter.TIMESTAMP))
    return {"ns_per_call": (t1 - t0) / n * 1e9, "e2e_s": t2 - t0}


# Memory scenario --------------------------------------------------------------
#
# Method: the library's file handler/sink is opened on a named pipe (FIFO)
# whose only reader is a separate process (``slow_reader.py``) that reads
# READ_CHUNK bytes and then sleeps READ_PAUSE seconds, i.e. a sink of about
# 8 MB/s (~130k lines/s), slower than a fast logger can produce. A synchronous
# library blocks in write() when the 64 KiB pipe buffer is full, so its memory
# stays flat; a library that queues records for a background writer keeps
# them in memory until the reader catches up, so its peak RSS shows how
# bounded that queue is. Peak RSS is ``resource.getrusage(RUSAGE_SELF)
# .ru_maxrss`` of the logging process after the workload and close, minus the
# same value measured after configuration and before the first record (the
# reader is another process and is not counted). The reader counts the lines
# and returns the first and last one, which are verified.
READ_CHUNK = 16384
READ_PAUSE = 0.002


def run_memory(adapter, n: int, workdir: str) -> dict:
    """Scenario ``memory``: peak RSS growth while n records go to a slow pipe."""
    fifo = os.path.join(workdir, "slow.fifo")
    os.mkfifo(fifo)
    reader = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "slow_reader.py"), fifo, str(READ_CHUNK), str(READ_PAUSE)],
        stdout=subprocess.PIPE,
    )
    try:
        sink = adapter.open_sink(fifo)
        logger = sink.logger
        msg = adapter.INFO_MSG
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = perf_counter()
        for i in range(n):
            logger.info(msg, i, "alice")
        t1 = perf_counter()
        sink.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out, _ = reader.communicate(timeout=600)
        t2 = perf_counter()
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    _fail_if(check_stream_counts(json.loads(out or b"{}"), n, ts=adapter.TIMESTAMP))
    return {
        "ns_per_call": (t1 - t0) / n * 1e9,
        "e2e_s": t2 - t0,
        "rss_delta_kib": peak - baseline,
        "rss_baseline_kib": baseline,
    }
