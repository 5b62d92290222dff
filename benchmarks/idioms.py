"""Scenarios of the code people actually write (stdlib-API libraries only).

Each idiom is a format string, a way of calling the logger and, for some, a
Python subclass (a ``Formatter`` subclass, a ``LoggerAdapter`` subclass): the
default formats of gunicorn, Django's documented ``LOGGING`` examples,
uvicorn and Celery, ``extra=``, adapters, ``%(process)d``/``%(thread)d`` and a
JSON-building ``Formatter`` subclass. Every library is configured exactly the
same way (stdlib, picologging and femtologging: only the module differs; the
``picologging-noms`` row keeps its seconds-only ``datefmt`` where an idiom
uses the default time layout).

Verification is line by line: the expected line of record ``i`` is the
idiom's format rendered by Python's own ``%``/``str.format`` with the known
values (pid, thread id, module, ...) and only ``asctime`` left as a regex, so
every byte but the clock is checked, in order, with no record lost.
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from time import perf_counter

from verify import VerificationError, check_request_lines, ts_is_recent

MESSAGE = "request %d from %s"
_TS_MARK = "\x00"
_I_MARK = "\x01"


@dataclass(frozen=True)
class Idiom:
    """One real-world configuration: format, style, call and optional subclasses."""

    name: str
    doc: str
    fmt: str
    style: str = "%"
    datefmt: str | None = None  # None: the library's default layout (adapter.DATEFMT)
    ts: str | None = None  # regex of asctime under ``datefmt`` (None: adapter.TIMESTAMP)
    call: str = "plain"  # plain | extra | adapter | adapter_process
    formatter: str = "plain"  # plain | levelprefix | json
    values: dict = field(default_factory=dict)  # extra known values of the expected line


#: gunicorn's error log: ``--log-level info`` with its default ``logconfig``.
GUNICORN_FMT = "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"
GUNICORN_DATEFMT = "[%Y-%m-%d %H:%M:%S %z]"

IDIOMS: tuple[Idiom, ...] = (
    Idiom("gunicorn", "gunicorn's default error-log format and datefmt", GUNICORN_FMT,
          datefmt=GUNICORN_DATEFMT, ts=r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\]"),
    Idiom("django_verbose", "Django docs' 'verbose' formatter ({} style, module/process/thread)",
          "{levelname} {asctime} {module} {process:d} {thread:d} {message}", style="{"),
    Idiom("django_simple", "Django docs' 'simple' formatter ({} style)", "{levelname} {message}",
          style="{"),
    Idiom("uvicorn", "uvicorn's default formatter: '%(levelprefix)s %(message)s' from a Formatter "
          "subclass that copies the record and adds levelprefix", "%(levelprefix)s %(message)s",
          formatter="levelprefix"),
    Idiom("celery", "Celery's default worker_log_format",
          "[%(asctime)s: %(levelname)s/%(processName)s] %(message)s"),
    Idiom("extra", 'info(..., extra={"user": "alice"}) with %(user)s in the format',
          "%(asctime)s %(levelname)s %(name)s %(user)s %(message)s", call="extra"),
    Idiom("adapter", 'LoggerAdapter(logger, {"user": "alice"}) with %(user)s in the format',
          "%(asctime)s %(levelname)s %(name)s %(user)s %(message)s", call="adapter"),
    Idiom("adapter_process", "LoggerAdapter subclass whose process() prefixes the request id",
          "%(asctime)s %(levelname)s %(name)s %(message)s", call="adapter_process"),
    Idiom("process_d", "%(process)d in the format", "%(asctime)s %(process)d %(message)s"),
    Idiom("thread_d", "%(thread)d in the format", "%(asctime)s %(thread)d %(message)s"),
    Idiom("process_5d", "%(process)5d in the format", "%(asctime)s %(process)5d %(message)s"),
    Idiom("json_formatter", "a Formatter subclass whose format() builds a JSON object",
          "%(message)s", formatter="json"),
)

BY_NAME = {i.name: i for i in IDIOMS}

#: The prefix the ``adapter_process`` idiom's ``process()`` adds to every message.
REQUEST_ID = "req-42"


def _known_values(idiom: Idiom) -> dict:
    """Every attribute the expected line may show, as the logging call produces it."""
    return {
        "name": "bench",
        "levelname": "INFO",
        "levelno": 20,
        "levelprefix": "INFO:    ",
        "module": "idioms",
        "process": os.getpid(),
        "processName": "MainProcess",
        "thread": threading.get_ident(),
        "threadName": "MainThread",
        "user": "alice",
        **idiom.values,
    }


def line_regex(idiom: Idiom, ts: str) -> re.Pattern:
    """The regex of record ``i``'s line: the format rendered by Python with the known values,
    ``asctime`` a regex group ``ts`` and the request number a group ``i``."""
    values = _known_values(idiom)
    message = f"request {_I_MARK} from alice"
    if idiom.call == "adapter_process":
        message = f"[{REQUEST_ID}] {message}"
    values.update(asctime=_TS_MARK, message=message)
    text = idiom.fmt.format_map(values) if idiom.style == "{" else idiom.fmt % values
    pattern = re.escape(text).replace(_TS_MARK, "(?P<ts>" + ts + ")").replace(_I_MARK, r"(?P<i>\d+)")
    return re.compile("^" + pattern + "$")


def check_json_lines(text: str, n: int, ts: str, started: float | None) -> str | None:
    """Verify ``n`` JSON objects, one a line, for records 0..n-1 in order."""
    lines = text.split("\n")
    if not lines or lines[-1] != "":
        return "output does not end with a newline"
    lines.pop()
    if len(lines) != n:
        return f"expected {n} lines, found {len(lines)}"
    ts_re = re.compile("^" + ts + "$")
    for i, line in enumerate(lines):
        try:
            obj = json.loads(line)
        except ValueError:
            return f"line {i + 1} is not JSON: {line[:120]!r}"
        want = {"level": "INFO", "logger": "bench", "message": f"request {i} from alice"}
        if {k: obj.get(k) for k in want} != want or not ts_re.match(str(obj.get("time"))):
            return f"line {i + 1} has the wrong content: {line[:160]!r}"
    return ts_is_recent(json.loads(lines[0])["time"], started) if n else None


def _formatter(mod, idiom: Idiom, datefmt):
    style = idiom.style
    if idiom.formatter == "levelprefix":

        class LevelPrefixFormatter(mod.Formatter):
            """uvicorn's DefaultFormatter without colours: a copy of the record gets
            ``levelprefix`` (the level name and a colon, padded to 9 columns)."""

            def formatMessage(self, record):
                shown = copy.copy(record)
                shown.__dict__["levelprefix"] = (shown.levelname + ":").ljust(9)
                return super().formatMessage(shown)

        return LevelPrefixFormatter(idiom.fmt, datefmt, style=style)
    if idiom.formatter == "json":

        class JsonFormatter(mod.Formatter):
            """Builds one JSON object per record, as hand-written JSON formatters do."""

            def format(self, record):
                return json.dumps({
                    "time": self.formatTime(record, self.datefmt),
                    "level": record.levelname,
                    "logger": record.name,
                    "message": record.getMessage(),
                })

        return JsonFormatter(idiom.fmt, datefmt, style=style)
    return mod.Formatter(idiom.fmt, datefmt, style=style)


def _caller(mod, logger, idiom: Idiom):
    """The object whose ``info`` the loop calls, and the keyword arguments of each call."""
    if idiom.call == "extra":
        return logger, {"extra": {"user": "alice"}}
    if idiom.call == "adapter":
        return mod.LoggerAdapter(logger, {"user": "alice"}), {}
    if idiom.call == "adapter_process":

        class RequestAdapter(mod.LoggerAdapter):
            """Prefixes every message with the request id held in ``extra``."""

            def process(self, msg, kwargs):
                return f"[{self.extra['request_id']}] {msg}", kwargs

        return RequestAdapter(logger, {"request_id": REQUEST_ID}), {}
    return logger, {}


def run_idiom(name: str, adapter, n: int, workdir: str) -> dict:
    """Configure ``adapter``'s library for idiom ``name``, log n records to a file, verify."""
    idiom = BY_NAME[name]
    mod = adapter.module()
    default_time = idiom.datefmt is None
    datefmt = adapter.DATEFMT if default_time else idiom.datefmt
    ts = adapter.TIMESTAMP if default_time else idiom.ts
    path = os.path.join(workdir, "out.log")
    started = time.time()
    logger = mod.getLogger("bench")
    logger.setLevel(mod.INFO)
    logger.propagate = False
    handler = mod.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(_formatter(mod, idiom, datefmt))
    logger.addHandler(handler)
    target, kwargs = _caller(mod, logger, idiom)
    info = target.info
    t0 = perf_counter()
    if kwargs:
        for i in range(n):
            info(MESSAGE, i, "alice", **kwargs)
    else:
        for i in range(n):
            info(MESSAGE, i, "alice")
    t1 = perf_counter()
    logger.removeHandler(handler)
    handler.close()
    t2 = perf_counter()
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    if idiom.formatter == "json":
        reason = check_json_lines(text, n, ts, started)
    else:
        reason = check_request_lines(text, n, started=started, line_re=line_regex(idiom, ts))
    if reason is not None:
        raise VerificationError(reason)
    return {"ns_per_call": (t1 - t0) / n * 1e9, "e2e_s": t2 - t0}
