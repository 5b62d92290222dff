"""``Handler.handle``'s rule where the engine runs it without the handler's Python frames (a
Python formatter on an exact ``FileHandler``; a native handler with filters): filters first (from
3.12 a filter's returned record replaces it), then the emit under the handler's lock, an emit
error reported by ``handleError`` inside the lock, the lock released on every exit."""

import logging
import sys

import pytest

import femtologging


def _formatter(mod):
    class Picky(mod.Formatter):
        def format(self, record):
            if record.msg == "boom":
                raise ValueError("formatter failed")
            if record.msg == "deep":
                raise RecursionError("too deep")
            return f"{record.levelname}:{record.getMessage()}"

    return Picky()


def _replace(mod):
    def replace(record):
        if record.msg == "swap":
            return mod.makeLogRecord({"name": record.name, "levelno": record.levelno,
                                      "levelname": record.levelname, "msg": "swapped"})
        return record.msg != "drop"

    return replace


def _run(mod, path, formatter):
    """Log the cases through a FileHandler; returns (file text, handleError calls, errors
    raised by the calls, whether the lock was left held, profiled handler frames)."""
    lg = mod.getLogger(f"handle.{mod.__name__}.{formatter}")
    lg.propagate = False
    lg.setLevel(mod.INFO)
    h = mod.FileHandler(str(path), mode="w", encoding="utf-8")
    h.setFormatter(_formatter(mod) if formatter == "python" else mod.Formatter("%(levelname)s:%(message)s"))
    h.addFilter(_replace(mod))
    reports, raised, frames = [], [], []
    h.handleError = lambda record: reports.append((h.lock._is_owned(), sys.exc_info()[0], record.msg))
    lg.addHandler(h)
    lg.info("warm")
    sys.setprofile(lambda f, ev, a: frames.append(f.f_code.co_name) if ev == "call" else None)
    try:
        for msg in ("plain", "boom", "drop", "swap", "deep", "after"):
            try:
                lg.info(msg)
            except RecursionError as e:
                raised.append(str(e))
    finally:
        sys.setprofile(None)
        lg.removeHandler(h)
        held = h.lock._is_owned()
        h.close()
    return path.read_text(encoding="utf-8"), reports, raised, held, frames


@pytest.mark.parametrize("formatter", ["python", "native"])
def test_handle_rule_as_stdlib(tmp_path, formatter):
    got = _run(femtologging, tmp_path / "f.log", formatter)
    want = _run(logging, tmp_path / "s.log", formatter)
    assert got[:4] == want[:4]
    # Not vacuous: the cases reach the filter, the replacement and (Python formatter) the errors.
    swapped = "swapped" if sys.version_info >= (3, 12) else "swap"
    assert f"INFO:{swapped}\n" in want[0] and "drop" not in want[0]
    if formatter == "python":
        assert want[1] == [(True, ValueError, "boom")] and want[2] == ["too deep"]
        # The engine ran the rule itself: no Python handle()/emit() of the handler.
        assert "emit" not in got[4] and "handle" not in got[4]
