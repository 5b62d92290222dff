"""Where a scenario's handlers write, inside the child interpreter the harness starts.

The harness (conftest.py) calls ``begin`` before each scenario and ``finish`` after it. A
scenario sends its log lines through ``handler(lg)``: an ordinary ``FileHandler`` appending to
the scenario's capture file, so the bytes compared are the bytes the library's handler wrote,
on the library's default path (no custom record factory, no custom stream). File descriptor 2
is pointed at a second capture file for the scenario, so handlers writing to ``sys.stderr``
(``StreamHandler()``, ``lastResort``, ``handleError`` reports) write to a real descriptor too.
"""

import os
import sys
import tracemalloc

_state = {}


def begin(lg, directory, name):
    """Start capturing for scenario ``name``: fresh log and stderr files in ``directory``."""
    log_path = os.path.join(directory, name + ".log")
    err_path = os.path.join(directory, name + ".err")
    sys.stderr.flush()
    saved_fd = os.dup(2)
    err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(err_fd, 2)
    os.close(err_fd)
    _state.update(lg=lg, log_path=log_path, err_path=err_path, saved_fd=saved_fd, probes={})


def _flush_handlers():
    """Flush every live handler: a library that writes on worker threads has written after it."""
    lg = _state["lg"]
    for ref in list(lg._handlerList):
        handler = ref()
        if handler is not None:
            handler.flush()
    sys.stderr.flush()


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "backslashreplace")
    except FileNotFoundError:
        return ""


def finish():
    """End the scenario's capture: {"log": handler file text, "stderr": fd 2 text, "probes"}."""
    _flush_handlers()
    os.dup2(_state["saved_fd"], 2)
    os.close(_state["saved_fd"])
    return {"log": _read(_state["log_path"]), "stderr": _read(_state["err_path"]),
            "probes": _state["probes"]}


def log_path():
    """The scenario's capture file (for scenarios that build their own FileHandler)."""
    return _state["log_path"]


def handler(lg, fmt=None, datefmt=None, style="%", **fmt_kwargs):
    """A ``FileHandler`` appending to the capture file, with a ``Formatter`` built from the args.

    Every handler of a scenario appends to the same file; the library keeps their lines in call
    order (stdlib writes synchronously; femtologging's appenders to one file share one writer).
    """
    h = lg.FileHandler(_state["log_path"], encoding="utf-8")
    h.setFormatter(lg.Formatter(fmt, datefmt, style, **fmt_kwargs))
    return h


def stderr_text():
    """Everything written to file descriptor 2 (``sys.stderr``) in this scenario so far."""
    _flush_handlers()
    return _read(_state["err_path"])


def probe(name, value):
    """Record a value that is library-specific (not compared); the test file asserts on it."""
    _state["probes"][name] = value


def python_heap_peak(call, repeat=50):
    """Peak growth of the Python heap (bytes) while ``call()`` runs ``repeat`` times.

    A call that creates a ``LogRecord`` (an instance and its ``__dict__``) shows several hundred
    bytes even though the record is freed again; a call that builds no Python object shows ~0.
    ``call`` runs once before measuring, so one-time caches do not count.
    """
    call()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(repeat):
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - start
