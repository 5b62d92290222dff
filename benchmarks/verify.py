"""Output checks shared by every scenario: a library that loses, duplicates or
mangles a record gets FAILED instead of a time.

All functions are pure (text in, error string or ``None`` out) so they can be
unit-tested without running a benchmark.
"""

from __future__ import annotations

import re
import time

#: The line every library must produce for ``info("request %d from %s", i, who)``:
#: stdlib's ``%(asctime)s %(levelname)s %(name)s %(message)s`` with the default
#: ``asctime`` layout ``YYYY-MM-DD HH:MM:SS,mmm``.
TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
#: Same without milliseconds: only for the clearly labelled
#: ``picologging (no ms)`` variant (picologging cannot render stdlib's asctime).
TIMESTAMP_NO_MS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"


def request_line_re(ts: str = TIMESTAMP) -> re.Pattern:
    """The regex of one ``request <i> from alice`` line with timestamp regex ``ts``."""
    return re.compile(r"^(?P<ts>" + ts + r") INFO bench request (?P<i>\d+) from (?P<who>alice)$")


def error_header_re(ts: str = TIMESTAMP) -> re.Pattern:
    """The regex of the first line of a ``logger.exception("boom")`` record."""
    return re.compile(r"^(?P<ts>" + ts + r") ERROR bench boom$")


REQUEST_LINE = request_line_re()
ERROR_HEADER = error_header_re()


class VerificationError(Exception):
    """Raised by a scenario when its output is not what stdlib would write."""


def ts_is_recent(ts: str, started: float | None, slack: float = 300.0) -> str | None:
    """Check that a rendered asctime (``YYYY-MM-DD HH:MM:SS`` first, optionally in
    brackets) is the local wall-clock time of the run."""
    if started is None:
        return None
    try:
        parsed = time.mktime(time.strptime(ts.lstrip("[")[:19], "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        return f"unparsable timestamp {ts!r}"
    if not (started - 2.0 <= parsed <= time.time() + slack):
        return f"timestamp {ts!r} is not the local time of the run"
    return None


def check_request_lines(
    text: str,
    n: int,
    *,
    ordered: bool = True,
    started: float | None = None,
    ts: str = TIMESTAMP,
    line_re: re.Pattern | None = None,
) -> str | None:
    """Verify ``text`` holds exactly the records ``request 0..n-1 from alice``.

    Every line must match :data:`REQUEST_LINE` (or ``line_re``, a regex with the
    groups ``i`` and, optionally, ``ts``); the ``i`` values must be
    exactly ``0..n-1`` (in order when ``ordered``, as a set otherwise, for
    multi-threaded writers). Returns ``None`` when fine, else a reason.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    else:
        return "output does not end with a newline" if lines else f"no output (expected {n} lines)"
    if len(lines) != n:
        return f"expected {n} lines, found {len(lines)}"
    line_re = line_re or request_line_re(ts)
    match = line_re.match
    seen = []
    for number, line in enumerate(lines):
        m = match(line)
        if m is None:
            return f"line {number + 1} does not match the expected format: {line[:120]!r}"
        seen.append(int(m.group("i")))
    if ordered:
        if seen != list(range(n)):
            bad = next(k for k, v in enumerate(seen) if v != k)
            return f"record order/contents wrong at line {bad + 1}: got i={seen[bad]}"
    elif sorted(seen) != list(range(n)):
        return "the set of logged i values is not exactly 0..n-1 (lost or duplicated record)"
    first = line_re.match(lines[0])
    return ts_is_recent(first.group("ts"), started) if "ts" in line_re.groupindex else None


def check_exception_records(
    text: str, n: int, expected_traceback: str, *, started: float | None = None, ts: str = TIMESTAMP
) -> str | None:
    """Verify ``n`` records ``<asctime> ERROR bench boom`` each followed by
    exactly ``expected_traceback`` (stdlib's ``traceback.format_exc()`` text,
    without the trailing newline)."""
    tb_lines = expected_traceback.rstrip("\n").split("\n")
    block = len(tb_lines) + 1
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    else:
        return "output does not end with a newline" if lines else f"no output (expected {n} records)"
    if len(lines) != n * block:
        return f"expected {n} records of {block} lines ({n * block} lines), found {len(lines)} lines"
    header_re = error_header_re(ts)
    for k in range(n):
        start = k * block
        if header_re.match(lines[start]) is None:
            return f"record {k + 1}: bad header line {lines[start][:120]!r}"
        got = lines[start + 1 : start + block]
        if got != tb_lines:
            for a, b in zip(got, tb_lines):
                if a != b:
                    return f"record {k + 1}: traceback differs from stdlib: {a!r} != {b!r}"
            return f"record {k + 1}: traceback differs from stdlib"
    return ts_is_recent(header_re.match(lines[0]).group("ts"), started)


def check_formatted(text: str, ts: str = TIMESTAMP) -> str | None:
    """Verify one ``Formatter.format`` result for the ``request 7`` record."""
    m = request_line_re(ts).match(text)
    if m is None or m.group("i") != "7":
        return f"Formatter.format returned {text!r}"
    return None


def check_stream_counts(summary: dict, n: int, ts: str = TIMESTAMP) -> str | None:
    """Verify the slow reader's summary of a FIFO stream (memory scenario)."""
    line_re = request_line_re(ts)
    if summary.get("lines") != n:
        return f"slow reader saw {summary.get('lines')} lines, expected {n}"
    for key in ("first", "last"):
        line = summary.get(key) or ""
        if line_re.match(line) is None:
            return f"{key} line read from the pipe has the wrong format: {line[:120]!r}"
    if line_re.match(summary["first"]).group("i") != "0":
        return "first record read from the pipe is not i=0"
    if line_re.match(summary["last"]).group("i") != str(n - 1):
        return f"last record read from the pipe is not i={n - 1}"
    return None
