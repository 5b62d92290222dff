#!/usr/bin/env python3
"""Measures the "floor" costs a logging call cannot avoid on this machine
(used by docs/performance.md, section "distance to the floor").

    python benchmarks/floor.py          # prints one line per primitive, ns per op

Each primitive is timed with pyperf-free ``timeit`` (best of 5 repeats;
these are sanity numbers for the docs, not benchmark results).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import timeit

LINE = b"2026-01-01 12:00:00,123 INFO bench request 123456 from alice\n"


def _best_ns(stmt, number: int, setup=None, globals_=None) -> float:
    timer = timeit.Timer(stmt, setup=setup or "pass", globals=globals_)
    return min(timer.repeat(repeat=5, number=number)) / number * 1e9


def main() -> None:
    """Print the floor table."""
    x = 12345
    frame = sys._getframe()
    fd, path = tempfile.mkstemp(prefix="floor-")
    try:
        rows = [
            ("empty loop iteration", _best_ns("pass", 1_000_000)),
            ("native method call (int.bit_length)", _best_ns("x.bit_length()", 1_000_000, globals_={"x": x})),
            ("sys._getframe()", _best_ns("g()", 1_000_000, globals_={"g": sys._getframe})),
            ("frame.f_lineno (line number decode)", _best_ns("f.f_lineno", 1_000_000, globals_={"f": frame})),
            ("time.time_ns()", _best_ns("t()", 1_000_000, globals_={"t": time.time_ns})),
            ('"request %d from %s" % (i, "alice")', _best_ns('"request %d from %s" % (i, "alice")', 1_000_000,
                                                             globals_={"i": 123456})),
            ('time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())',
             _best_ns('s("%Y-%m-%d %H:%M:%S", l())', 200_000, globals_={"s": time.strftime, "l": time.localtime})),
            ("os.write(fd, one 61-byte line) to a file",
             _best_ns("w(fd, line)", 200_000, globals_={"w": os.write, "fd": fd, "line": LINE})),
        ]
    finally:
        os.close(fd)
        os.unlink(path)
    width = max(len(name) for name, _ in rows)
    for name, ns in rows:
        print(f"{name:<{width}}  {ns:8.1f} ns")


if __name__ == "__main__":
    main()
