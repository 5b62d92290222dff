"""Adapter for loguru.

How it is configured (idiomatic loguru, same output lines as stdlib)::

    from loguru import logger
    logger.remove()                                   # drop the default stderr sink
    sink_id = logger.add(
        path_or_stream,
        format="{time:YYYY-MM-DD HH:mm:ss,SSS} {level} {extra[name]} {message}",
        level="INFO", colorize=False, backtrace=False, diagnose=False,
        mode="w", encoding="utf-8",                   # file targets only
        filter=<callable>,                            # python_filter only
    )
    log = logger.bind(name="bench")                   # loguru's idiom for a named logger
    log.info("request {} from {}", i, "alice")        # loguru uses str.format placeholders

* ``{time:...,SSS}`` renders stdlib's ``asctime`` (local time, milliseconds).
* loguru appends ``"\\n{exception}"`` to a str format itself; with
  ``backtrace=False, diagnose=False`` its traceback text equals stdlib's.
* File sinks use loguru's defaults (synchronous, ``enqueue=False``; the file
  is buffered by Python's ``open`` and not flushed per record, which is
  loguru's own behaviour).
* ``python_filter``: loguru has no Filter class; its idiomatic equivalent is
  the ``filter=`` callable on the sink, here counting its calls and keeping
  records whose ``record["extra"]["name"]`` starts with ``"bench"``.
* End-to-end ends with ``logger.remove(sink_id)`` (flushes and closes the file).
"""

from __future__ import annotations

from libs import Sink
from verify import TIMESTAMP

LIB = "loguru"
INFO_MSG = "request {} from {}"
DEBUG_MSG = "hello {}"
DEBUG_ARGS = ("world",)
STDLIB_API = False
FORMAT = "{time:YYYY-MM-DD HH:mm:ss,SSS} {level} {extra[name]} {message}"

_logger = None


def load() -> str:
    """Import loguru; ImportError means ``n/a``."""
    global _logger
    import loguru

    _logger = loguru.logger
    return loguru.__version__


def open_sink(target, *, level: str = "INFO", py_filter=None) -> Sink:
    """Configure a ``bench``-named loguru logger writing to ``target``."""
    logger = _logger
    logger.remove()
    kwargs = dict(format=FORMAT, level=level, colorize=False, backtrace=False, diagnose=False)
    if isinstance(target, str):
        kwargs.update(mode="w", encoding="utf-8")
    if py_filter is not None:

        def name_prefix_filter(record) -> bool:
            py_filter.calls += 1
            return record["extra"]["name"].startswith("bench")

        kwargs["filter"] = name_prefix_filter
    sink_id = logger.add(target, **kwargs)
    log = logger.bind(name="bench")

    def close() -> None:
        logger.remove(sink_id)
        if not isinstance(target, str) and hasattr(target, "flush"):
            target.flush()

    return Sink(log, close)
