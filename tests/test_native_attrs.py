"""Every standard record attribute with every conversion, flag, width and precision, in all
three styles, logged through femtologging's handlers, must read exactly as stdlib's
``Formatter`` renders the same record, and must stay on the native path (no ``handle()`` in
Python) wherever the text does not depend on the value.

One logger per (attribute, style) writes a line made of a *raw* section (every attribute
with plain ``s``, parsed back into a stdlib ``LogRecord``) and the section under test; stdlib
formats that record with the section's format and the two texts are compared byte for byte.
Each logger logs twice: once plainly and once with an
``extra=`` key no layout names (both record-less), to a file (formatted on the writer's worker thread).
"""

import io
import logging
import os
import sys
import threading
import time

import pytest

import femtologging

SEP = "\x1f"
END = "\x1e"

#: (attribute, kind): kind picks the specs that are valid for the attribute's values.
ATTRS = [
    ("name", "str"), ("levelno", "int"), ("levelname", "str"), ("pathname", "text"),
    ("filename", "text"), ("module", "text"), ("lineno", "int"), ("funcName", "text"),
    ("created", "float"), ("asctime", "str"), ("msecs", "float"), ("relativeCreated", "float"),
    ("thread", "int"), ("threadName", "text"), ("process", "int"), ("processName", "text"),
    ("message", "str"),
]
if "taskName" in femtologging.makeLogRecord({}).__dict__ and sys.version_info >= (3, 12):
    ATTRS.append(("taskName", "none"))  # stdlib has it from 3.12 on

#: Raw section: every attribute as plain text, parsed back for the stdlib record.
RAW = ["created", "msecs", "relativeCreated", "thread", "process", "threadName", "processName",
       "pathname", "filename", "module", "lineno", "funcName", "levelno", "levelname", "name",
       "message"]

# Specs rendered natively whatever the value (kept on the native path) ...
PERCENT_NATIVE = {
    "str": ["s", "-20s", "20s", ".3s", "20.2s", "-12.1s", "0s", "#s"],
    "text": ["s", "-20s", "20s", ".3s", "20.2s"],
    "int": ["d", "5d", "-8d", "08d", "+d", " d", ".3d", "i", "u", "x", "#x", "X", "#o", "o",
            "f", ".2f", "+09.1f", "e", "E", ".3g", "G", "r", "s", "10s", "-10s", "a"],
    "float": ["f", ".3f", "012.3f", "-15.2f", "+f", " f", "d", "5d", "i", "-8i", "e", ".2e",
              "E", "g", ".10g", "G", "#.0f", "r", "s", "-25s", "a"],
    "none": ["s", "-8s", "r"],
}
BRACE_NATIVE = {
    "str": ["", "!s", ":>20", ":<20", ":^20", ":.3", ":*^12", "!s:>8", ":s", ":30.5s"],
    "text": ["", "!s", "!s:>30", "!s:.4"],
    "int": ["", ":d", ":5d", ":08d", ":x", ":#x", ":X", ":o", ":b", ":,d", ":_d", ":+d", ": d",
            ":f", ":.2f", ":e", ":%", "!s", "!r", ":>20", ":<20", ":^20", "!s:>20", ":=+12"],
    "float": ["", ":f", ":.3f", ":012.3f", ":e", ":.2E", ":g", ":%", ":,.2f", ":+.1f", "!r",
              "!s", ":>25", ":.6", ":<20.1f", "!s:^30"],
    "none": ["", "!s", "!r", "!s:>8"],
}
# ... and specs whose text depends on the value: formatted by Python, still exactly.
# (str repr needs Python's printable-character table; a width on a str-or-None needs the value.)
PERCENT_PYTHON = {"str": ["r", "a", "20r"], "text": ["r"]}
BRACE_PYTHON = {"str": ["!r", "!a"], "text": [":>30", ":.4", "!r"]}


def field(style, attr, spec):
    if style == "%":
        return f"%({attr}){spec}"
    if style == "{":
        return "{" + attr + spec + "}"
    return "${" + attr + "}"


def section(style, attr, specs):
    if style == "$":
        return f"[${attr}|${{{attr}}}]"
    return "[" + "|".join(field(style, attr, s) for s in specs) + "]"


def raw_section(style):
    return SEP.join(field(style, a, "" if style != "%" else "s") for a in RAW) + END


class CountingLock:
    """A handler lock that counts how often the Python path (``Handler.handle``) took it."""

    def __init__(self):
        self.acquired = 0
        self._lock = threading.RLock()

    def acquire(self, *a):
        self.acquired += 1
        return self._lock.acquire(*a)

    def release(self):
        self._lock.release()

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()


def log_lines(tmp_path, fmt, style):
    """Log the two records (plain, with an unused ``extra``); return (lines, python_path_count, t0, t1)."""
    logger = femtologging.getLogger(f"attrs.{abs(hash((fmt, style)))}")
    logger.propagate = False
    logger.setLevel(femtologging.DEBUG)
    path = tmp_path / "out.log"
    handler = femtologging.FileHandler(str(path), mode="w", encoding="utf-8")
    handler.setFormatter(femtologging.Formatter(fmt, style=style))
    handler.lock = CountingLock()
    logger.addHandler(handler)
    t0 = time.time()
    logger.info("request %d from %s", 7, "alice")
    logger.info("request %d from %s", 8, "bob", extra={"unused": 1})
    t1 = time.time()
    python_calls = handler.lock.acquired  # before close(), which takes the lock itself
    logger.removeHandler(handler)
    handler.close()
    text = path.read_text(encoding="utf-8")
    return text, python_calls, t0, t1


def stdlib_record(raw):
    """A stdlib LogRecord holding exactly the raw section's values."""
    vals = dict(zip(RAW, raw.split(SEP)))
    for k in ("created", "msecs", "relativeCreated"):
        vals[k] = float(vals[k])
    for k in ("thread", "process", "lineno", "levelno"):
        vals[k] = int(vals[k])
    message = vals.pop("message")
    rec = logging.makeLogRecord(vals)
    rec.msg, rec.args = message, ()
    if sys.version_info >= (3, 12):
        rec.taskName = None
    return rec


def check(tmp_path, style, attr, specs, expect_native):
    body = section(style, attr, specs)
    fmt = raw_section(style) + body
    text, python_calls, t0, t1 = log_lines(tmp_path, fmt, style)
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == 3, text
    for line, (i, who) in zip(lines[:2], [(7, "alice"), (8, "bob")]):
        raw, got = line.split(END)
        rec = stdlib_record(raw)
        # The raw values are the real ones (not just self-consistent).
        assert rec.getMessage() == f"request {i} from {who}"
        assert rec.pathname == __file__ and rec.funcName == "log_lines"
        assert rec.filename == os.path.basename(__file__) and rec.module == "test_native_attrs"
        assert rec.thread == threading.get_ident() and rec.process == os.getpid()
        assert rec.threadName == "MainThread" and rec.processName == "MainProcess"
        assert rec.levelno == logging.INFO and rec.levelname == "INFO"
        assert t0 - 0.001 <= rec.created <= t1 + 0.001
        want = logging.Formatter(body, style=style).format(rec)
        assert got == want, (fmt, line)
    if expect_native:
        assert python_calls == 0, f"{fmt!r} left the native path"


@pytest.mark.parametrize("style", ["%", "{", "$"])
@pytest.mark.parametrize("attr,kind", ATTRS)
def test_every_spec_native_and_exact(tmp_path, style, attr, kind):
    specs = (PERCENT_NATIVE if style == "%" else BRACE_NATIVE)[kind]
    # taskName is not captured natively yet (it is not a record field on 3.11).
    check(tmp_path, style, attr, specs, expect_native=attr != "taskName")


@pytest.mark.parametrize("style", ["%", "{"])
@pytest.mark.parametrize("attr,kind", [a for a in ATTRS if a[1] in ("str", "text")])
def test_value_dependent_specs_exact(tmp_path, style, attr, kind):
    specs = (PERCENT_PYTHON if style == "%" else BRACE_PYTHON)[kind]
    check(tmp_path, style, attr, specs, expect_native=False)


@pytest.mark.parametrize("fmt,style", [
    ("%(asctime)s [%(process)d] [%(levelname)s] %(message)s", "%"),
    ("%(asctime)s %(thread)d %(message)s", "%"),
    ("%(asctime)s %(process)5d %(message)s", "%"),
    ("{levelname} {asctime} {module} {process:d} {thread:d} {message}", "{"),
])
def test_framework_formats_native(tmp_path, fmt, style):
    """The formats of the issue's table (gunicorn, Django...) stay native."""
    text, python_calls, _, _ = log_lines(tmp_path, fmt, style)
    assert python_calls == 0 and len(text.splitlines()) == 2


def test_process_d_with_log_processes_off_is_stdlib_error(tmp_path, monkeypatch, capsys):
    """With logProcesses off, `%(process)d` meets None: the Python path raises and reports
    the TypeError exactly where stdlib does; no line is written."""
    monkeypatch.setattr(femtologging, "logProcesses", False)
    text, python_calls, _, _ = log_lines(tmp_path, "%(process)d %(message)s", "%")
    assert text == "" and python_calls >= 2
    err = capsys.readouterr().err
    assert err.count("--- Logging error ---") == 2
    assert "TypeError: %d format: a real number is required, not NoneType" in err
