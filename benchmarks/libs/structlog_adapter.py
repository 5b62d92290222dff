"""Adapter for structlog (standalone, without stdlib logging underneath).

How it is configured (structlog's documented "fast" setup, same output lines
as stdlib)::

    structlog.configure(
        processors=[add_log_level, asctime_processor, (name_prefix_filter,)
                    format_exc_info, render_line],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.WriteLoggerFactory(file=f),   # f: open(path, "w") or StringIO
        cache_logger_on_first_use=True,
    )
    log = structlog.get_logger().bind(logger="bench")
    log.info("request %d from %s", i, "alice")   # filtering bound loggers %-format *args

* ``asctime_processor`` writes stdlib's ``asctime``:
  ``time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) + ",%03d" % msecs``
  (structlog's ``TimeStamper`` cannot render milliseconds with a comma).
* ``render_line`` returns ``f"{timestamp} {LEVEL} {logger} {event}"`` plus
  ``"\\n" + exception`` when present; ``WriteLogger`` appends ``"\\n"``, takes
  a lock and flushes after every record (structlog's own behaviour).
* ``format_exc_info`` renders tracebacks with ``traceback.format_exception``,
  i.e. stdlib's text.
* ``python_filter``: structlog has no Filter class; its idiomatic equivalent
  is a processor that raises ``DropEvent``; it counts its calls and keeps
  events whose ``logger`` key starts with ``"bench"``.
* End-to-end ends with ``f.close()`` (file) / ``f.flush()`` (stream).
* Below-level calls are no-op methods of the filtering bound logger.
"""

from __future__ import annotations

import logging as _std_levels  # only for the numeric level constants
import time

from libs import Sink
from verify import TIMESTAMP

LIB = "structlog"
INFO_MSG = "request %d from %s"
DEBUG_MSG = "hello %s"
DEBUG_ARGS = ("world",)
STDLIB_API = False

_structlog = None


def load() -> str:
    """Import structlog; ImportError means ``n/a``."""
    global _structlog
    import structlog

    _structlog = structlog
    return structlog.__version__ if hasattr(structlog, "__version__") else _dist_version()


def _dist_version() -> str:
    from importlib.metadata import version

    return version("structlog")


def _asctime(logger, method_name, event_dict):
    """Processor: stdlib-style ``asctime`` (local time, comma, milliseconds)."""
    t = time.time()
    event_dict["timestamp"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) + ",%03d" % (
        (t - int(t)) * 1000
    )
    return event_dict


def _render_line(logger, method_name, event_dict):
    """Final processor: the stdlib-shaped text line."""
    line = f"{event_dict['timestamp']} {event_dict['level'].upper()} {event_dict['logger']} {event_dict['event']}"
    exc = event_dict.get("exception")
    return f"{line}\n{exc}" if exc else line


def open_sink(target, *, level: str = "INFO", py_filter=None) -> Sink:
    """Configure structlog to write ``bench`` lines to ``target``."""
    structlog = _structlog
    stream = open(target, "w", encoding="utf-8") if isinstance(target, str) else target
    processors = [structlog.processors.add_log_level, _asctime]
    if py_filter is not None:

        def name_prefix_filter(logger, method_name, event_dict):
            py_filter.calls += 1
            if not event_dict["logger"].startswith("bench"):
                raise structlog.DropEvent
            return event_dict

        processors.append(name_prefix_filter)
    processors += [structlog.processors.format_exc_info, _render_line]
    structlog.reset_defaults()
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(getattr(_std_levels, level)),
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    log = structlog.get_logger().bind(logger="bench")

    def close() -> None:
        if stream is target:
            stream.flush()
        else:
            stream.close()

    return Sink(log, close)
