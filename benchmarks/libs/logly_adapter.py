"""Adapter for logly (Rust-backed, loguru-like API).

How it is configured (idiomatic logly, same output lines as stdlib)::

    from logly import Logger
    log = Logger(name="bench")                       # {name} renders "bench"
    sink_id = log.add(
        path_or_stream,
        format="{time:%Y-%m-%d %H:%M:%S,%3f} {level} {name} {message}",
        level="INFO", colorize=False,
        mode="w",                                    # file targets only
        filter=<callable>,                           # python_filter only
    )
    log.info("request {} from {}", i, "alice")       # str.format placeholders

* ``%3f`` renders milliseconds, so the time equals stdlib's ``asctime``.
* A path sink is logly's native (Rust) file writer, synchronous
  (``enqueue=False``, the default); a stream sink calls ``stream.write``.
* ``logger.exception`` appends the traceback rendered by
  ``traceback.format_exception`` (stdlib's text) on the following lines.
* ``python_filter``: logly has no Filter class; its idiomatic equivalent is the
  ``filter=`` callable on the sink (``Callable[[dict], bool]``), counting its
  calls and keeping records whose ``name`` starts with ``"bench"``.
* End-to-end ends with ``log.complete()`` and ``log.remove(sink_id)``.
"""

from __future__ import annotations

from libs import Sink
from verify import TIMESTAMP

LIB = "logly"
INFO_MSG = "request {} from {}"
DEBUG_MSG = "hello {}"
DEBUG_ARGS = ("world",)
STDLIB_API = False
FORMAT = "{time:%Y-%m-%d %H:%M:%S,%3f} {level} {name} {message}"

_Logger = None


def load() -> str:
    """Import logly; ImportError means ``n/a``."""
    global _Logger
    import logly

    _Logger = logly.Logger
    return logly.__version__


def open_sink(target, *, level: str = "INFO", py_filter=None) -> Sink:
    """Configure a ``bench`` logly logger writing to ``target``."""
    log = _Logger(name="bench")
    kwargs = dict(format=FORMAT, level=level, colorize=False)
    if isinstance(target, str):
        kwargs["mode"] = "w"
    if py_filter is not None:

        def name_prefix_filter(record) -> bool:
            py_filter.calls += 1
            return str(record.get("name", "")).startswith("bench")

        kwargs["filter"] = name_prefix_filter
    sink_id = log.add(target, **kwargs)

    def close() -> None:
        log.complete()
        log.remove(sink_id)
        if not isinstance(target, str) and hasattr(target, "flush"):
            target.flush()

    return Sink(log, close)
