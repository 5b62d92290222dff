"""RotatingFileHandler rolls the file over at most once per record, by the running CPython's
own size rule (3.13 never rolls an empty file over): the live file and every backup match
stdlib's byte for byte, whether the record comes through ``emit`` (Python) or a logger call
(the engine), in synchronous and in asynchronous delivery."""

import logging as stdlib_logging
import logging.handlers  # noqa: F401  (stdlib's RotatingFileHandler is the reference)
import json
import os
import subprocess
import sys

import pytest

import femtologging
import femtologging.handlers as handlers
from femtologging import _compat
from femtologging import _femtologging as native

MAX_BYTES = 100
BACKUPS = 3
# Each a fill character and a sequence of message lengths (+1 for the terminator): records of
# maxBytes or more on an empty file, on a non-empty one, one after another, at the exact
# threshold; and non-ASCII text, which stdlib sizes in characters, not bytes.
SEQUENCES = {
    "large_first": ("x", [120, 5, 5]),
    "small_then_large": ("x", [1, 100, 1]),
    "large_run": ("x", [150, 150, 10, 200]),
    "at_threshold": ("x", [98, 99, 40, 59, 60]),
    "non_ascii": ("\u00e9", [60, 10, 50, 5]),
}


def _messages(sequence):
    fill, lengths = SEQUENCES[sequence]
    return ["%d" % i + fill * (n - len("%d" % i)) for i, n in enumerate(lengths)]


def _snapshot(directory):
    return {name: (directory / name).read_text(encoding="utf-8")
            for name in sorted(os.listdir(directory))}


def _stdlib_steps(directory, messages):
    """Files after each record written by stdlib's own handler (its emit)."""
    h = stdlib_logging.handlers.RotatingFileHandler(
        directory / "app.log", maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    steps = []
    for m in messages:
        h.emit(stdlib_logging.makeLogRecord({"msg": m}))
        steps.append(_snapshot(directory))
    h.close()
    return steps


@pytest.fixture(params=["sync", "async"])
def delivery(request):
    before = femtologging.set_sync(request.param == "sync")
    yield request.param
    femtologging.set_sync(before)


@pytest.fixture
def dirs(tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    return ours, theirs


def _ours(directory):
    h = handlers.RotatingFileHandler(directory / "app.log", maxBytes=MAX_BYTES,
                                     backupCount=BACKUPS, encoding="utf-8")
    assert isinstance(h.stream, native.AsyncFile) and h.stream.max_bytes == MAX_BYTES
    return h


@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_python_emit_path_matches_stdlib_after_every_record(dirs, delivery, sequence):
    ours, theirs = dirs
    messages = _messages(sequence)
    want = _stdlib_steps(theirs, messages)
    h = _ours(ours)
    try:
        for i, m in enumerate(messages):
            h.emit(femtologging.makeLogRecord({"msg": m}))
            # emit returns with the record written and the file rolled over, in both modes.
            assert _snapshot(ours) == want[i], (sequence, i)
    finally:
        h.close()
    assert _snapshot(ours) == want[-1]


@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_logger_call_path_matches_stdlib(dirs, delivery, sequence, request):
    ours, theirs = dirs
    messages = _messages(sequence)
    want = _stdlib_steps(theirs, messages)
    h = _ours(ours)
    lg = femtologging.getLogger("rotsize.%s.%s" % (request.node.callspec.id, sequence))
    lg.handlers[:] = [h]
    lg.propagate = False
    lg.setLevel(femtologging.DEBUG)
    try:
        for i, m in enumerate(messages):
            lg.info(m)
            if delivery == "sync":
                assert _snapshot(ours) == want[i], (sequence, i)
    finally:
        h.close()
    assert _snapshot(ours) == want[-1]


def test_should_rollover_on_an_empty_file_answers_as_stdlib(dirs):
    ours, theirs = dirs
    large = {"msg": "b" * MAX_BYTES}
    ref = stdlib_logging.handlers.RotatingFileHandler(
        theirs / "app.log", maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    want = ref.shouldRollover(stdlib_logging.makeLogRecord(large))
    ref.close()
    h = _ours(ours)
    try:
        assert h.shouldRollover(femtologging.makeLogRecord(large)) is want
        assert want is _compat.ROLLOVER_EMPTY_FILE
    finally:
        h.close()


@pytest.mark.parametrize("entrance", ["aliased", "install"])
def test_cpython_rotating_handler_tests_pass_in_sync_mode(tmp_path, entrance):
    # CPython's own RotatingFileHandler tests, every record delivered before its call returns.
    run = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "cpython_tests", "run.py")
    report = tmp_path / "report.md"
    cmd = [sys.executable, run, "--classes", "RotatingFileHandlerTest", "--report", str(report)]
    if entrance == "install":
        cmd.append("--install")
    out = subprocess.run(cmd, env=dict(os.environ, FEMTOLOGGING_SYNC="1"),
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    with open(report.with_suffix(".json"), encoding="utf-8") as f:
        tests = json.load(f)["classes"]["RotatingFileHandlerTest"]["tests"]
    outcomes = {name: rec["outcome"] for name, rec in tests.items()}
    assert len(outcomes) >= 5 and set(outcomes.values()) == {"pass"}, outcomes
