"""Micro-scenarios timed with pyperf (``Runner.bench_time_func``).

``disabled`` runs for every library; ``getLogger``, ``LogRecord`` and
``Formatter.format`` only for libraries with the stdlib API (stdlib logging,
picologging, femtologging), called directly as picologging's own benchmarks
do. Each ``prepare_<scenario>(adapter)`` configures, verifies (raising
:class:`verify.VerificationError`) and returns ``time_func(loops) -> seconds``.
"""

from __future__ import annotations

import io
import itertools

import pyperf

from verify import VerificationError, check_formatted


def prepare_disabled(adapter):
    """``logger.debug("hello %s", "world")`` on an INFO logger (below level)."""
    stream = io.StringIO()
    sink = adapter.open_sink(stream, level="INFO")
    logger = sink.logger
    msg, (arg,) = adapter.DEBUG_MSG, adapter.DEBUG_ARGS
    for _ in range(1000):
        logger.debug(msg, arg)
    logger.info(adapter.INFO_MSG, 0, "alice")
    sink.close()
    # Only the disabled path is under test here, so the timestamp layout is not
    # checked (picologging's broken asctime must not hide its disabled cost).
    lines = stream.getvalue().splitlines()
    reason = None
    if len(lines) != 1 or not lines[0].endswith(" INFO bench request 0 from alice"):
        reason = f"expected exactly one 'INFO bench request 0 from alice' line, got {lines[:3]!r}"
    if reason is not None:
        raise VerificationError(f"after 1000 disabled debug() and 1 info(): {reason}")
    sink = adapter.open_sink(io.StringIO(), level="INFO")
    logger = sink.logger

    def time_func(loops: int) -> float:
        it = itertools.repeat(None, loops)
        t0 = pyperf.perf_counter()
        for _ in it:
            logger.debug(msg, arg)
        return pyperf.perf_counter() - t0

    return time_func


def prepare_getLogger(adapter):
    """``getLogger("bench.sub")`` for an existing logger."""
    mod = adapter.module()
    get_logger = mod.getLogger
    first = get_logger("bench.sub")
    if get_logger("bench.sub") is not first or first.name != "bench.sub":
        raise VerificationError("getLogger('bench.sub') did not return the same named logger twice")

    def time_func(loops: int) -> float:
        it = itertools.repeat(None, loops)
        t0 = pyperf.perf_counter()
        for _ in it:
            get_logger("bench.sub")
        return pyperf.perf_counter() - t0

    return time_func


def _record(mod):
    return mod.LogRecord("bench", mod.INFO, "/srv/app/handlers.py", 42, "request %d from %s", (7, "alice"), None)


def prepare_LogRecord(adapter):
    """``LogRecord(name, INFO, pathname, lineno, msg, args, None)``."""
    mod = adapter.module()
    record_cls, info = mod.LogRecord, mod.INFO
    rec = _record(mod)
    if rec.getMessage() != "request 7 from alice" or rec.levelname != "INFO" or rec.lineno != 42:
        raise VerificationError(f"LogRecord rendered {rec.getMessage()!r} / {rec.levelname!r}")
    args = ("request %d from %s", (7, "alice"), None)

    def time_func(loops: int) -> float:
        it = itertools.repeat(None, loops)
        t0 = pyperf.perf_counter()
        for _ in it:
            record_cls("bench", info, "/srv/app/handlers.py", 42, *args)
        return pyperf.perf_counter() - t0

    return time_func


def prepare_Formatter_format(adapter):
    """``Formatter("%(asctime)s %(levelname)s %(name)s %(message)s").format(record)``
    (the adapter's formatter: picologging-noms adds its datefmt)."""
    mod = adapter.module()
    fmt = adapter.formatter()
    rec = _record(mod)
    reason = check_formatted(fmt.format(rec), ts=adapter.TIMESTAMP)
    if reason is not None:
        raise VerificationError(reason)
    fmt_format = fmt.format

    def time_func(loops: int) -> float:
        it = itertools.repeat(None, loops)
        t0 = pyperf.perf_counter()
        for _ in it:
            fmt_format(rec)
        return pyperf.perf_counter() - t0

    return time_func


PREPARE = {
    "disabled": prepare_disabled,
    "getLogger": prepare_getLogger,
    "LogRecord": prepare_LogRecord,
    "Formatter.format": prepare_Formatter_format,
}
