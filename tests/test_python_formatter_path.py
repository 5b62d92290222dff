"""A Python ``Formatter`` subclass on an exact ``FileHandler``: the engine calls the formatter
and queues its line itself (no Python ``handle``/``emit`` frames), with stdlib's exact output,
filters and ``handleError`` reports; and ``copy.copy`` of a record (``LogRecord.__copy__``).
"""

import copy
import copyreg
import io
import json
import logging
import sys

import femtologging


def _formatters(mod):
    class Prefix(mod.Formatter):
        def formatMessage(self, record):
            shown = copy.copy(record)
            shown.__dict__["prefix"] = (shown.levelname + ":").ljust(9)
            return super().formatMessage(shown)

    class Json(mod.Formatter):
        def format(self, record):
            if record.msg == "boom":
                raise ValueError("formatter failed")
            if record.msg == "not text":
                return 42
            return json.dumps({"t": self.formatTime(record, "%Y"), "m": record.getMessage(),
                               "l": record.levelname, "exc": bool(record.exc_info)})

    return {"prefix": lambda: Prefix("%(prefix)s %(name)s %(message)s"), "json": lambda: Json()}


CALLS = [("info", ("plain %d", 1)), ("debug", ("below",)), ("warning", ("boom",)),
         ("error", ("not text",)), ("critical", ("after %s", "errors"))]


def _run(mod, handler, kind, filt=None):
    lg = mod.getLogger(f"pyfmt.{kind}.{filt is not None}")
    lg.propagate = False
    lg.setLevel(mod.INFO)
    handler.setFormatter(_formatters(mod)[kind]())
    if filt is not None:
        handler.addFilter(filt)
    lg.addHandler(handler)
    try:
        for method, args in CALLS:
            getattr(lg, method)(*args)
    finally:
        lg.removeHandler(handler)


def _compare(tmp_path, kind, filt=None):
    stderr = sys.stderr
    buf = io.StringIO()
    path = tmp_path / "f.log"
    fh = femtologging.FileHandler(str(path), mode="w", encoding="utf-8")
    try:
        sys.stderr = io.StringIO()
        _run(logging, logging.StreamHandler(buf), kind, filt)
        s_err, sys.stderr = sys.stderr.getvalue(), io.StringIO()
        _run(femtologging, fh, kind, filt)
        fh.close()
        f_err = sys.stderr.getvalue()
    finally:
        sys.stderr = stderr
    assert path.read_text(encoding="utf-8") == buf.getvalue()
    assert f_err.count("--- Logging error ---") == s_err.count("--- Logging error ---")
    if kind == "json":  # the raising and the non-text format, unless filtered out
        assert s_err.count("--- Logging error ---") == (1 if filt else 2)
    # The same exception is reported (its last line).
    last = [ln for ln in s_err.splitlines() if ln.startswith(("ValueError", "TypeError"))]
    assert [ln for ln in f_err.splitlines() if ln.startswith(("ValueError", "TypeError"))] == last


def test_formatter_subclasses_write_stdlib_text(tmp_path):
    _compare(tmp_path, "prefix")
    _compare(tmp_path, "json")


def test_handler_filters_run_before_the_python_formatter(tmp_path):
    def drop_errors(record):
        return record.levelno < logging.ERROR

    _compare(tmp_path, "json", drop_errors)
    _compare(tmp_path, "prefix", drop_errors)


def test_no_python_handler_frames(tmp_path):
    fh = femtologging.FileHandler(str(tmp_path / "p.log"), mode="w", encoding="utf-8")
    lg = femtologging.getLogger("pyfmt.frames")
    lg.propagate = False
    lg.setLevel(femtologging.INFO)
    fh.setFormatter(_formatters(femtologging)["prefix"]())
    lg.addHandler(fh)
    seen = []
    try:
        lg.info("warm")
        sys.setprofile(lambda f, ev, a: seen.append(f.f_code.co_filename) if ev == "call" else None)
        try:
            lg.info("counted")
        finally:
            sys.setprofile(None)
    finally:
        lg.removeHandler(fh)
        fh.close()
    assert not [f for f in seen if f.endswith("_handler.py")]
    assert (tmp_path / "p.log").read_text(encoding="utf-8") == "INFO:     pyfmt.frames warm\nINFO:     pyfmt.frames counted\n"


def test_copy_of_a_record():
    r = femtologging.LogRecord("n", 20, "/p/x.py", 3, "m %s", ("a",), None)
    r.custom = [1]
    c = copy.copy(r)
    assert type(c) is femtologging.LogRecord and c is not r
    assert c.__dict__ == r.__dict__ and c.__dict__ is not r.__dict__
    assert c.custom is r.custom  # shallow, as copy.copy through __reduce_ex__
    c.msg, c.args = "changed", ()
    assert r.msg == "m %s" and c.getMessage() == "changed"

    class Sub(femtologging.LogRecord):
        def __reduce_ex__(self, protocol):
            return (Sub.__new__, (Sub,), {"from_reduce": True})

    s = Sub("n", 20, "/p/x.py", 3, "m", (), None)
    assert copy.copy(s).__dict__ == {"from_reduce": True}
    copyreg.dispatch_table[femtologging.LogRecord] = lambda rec: (femtologging.LogRecord.__new__, (femtologging.LogRecord,), {"x": 1})
    try:
        assert copy.copy(r).__dict__ == {"x": 1}
    finally:
        del copyreg.dispatch_table[femtologging.LogRecord]


def test_levels_across_the_chain(tmp_path):
    """A Python-formatted handler at WARNING on a child, a native one at INFO on its parent:
    records below WARNING stay record-less and still reach the parent, the others both."""
    def run(mod, child_h, parent_h):
        parent = mod.getLogger(f"pyfmt.chain.{mod.__name__}")
        parent.propagate = False
        parent.setLevel(mod.INFO)
        child = parent.getChild("c")
        child_h.setLevel(mod.WARNING)
        child_h.setFormatter(_formatters(mod)["prefix"]())
        parent_h.setFormatter(mod.Formatter("%(levelname)s %(name)s %(message)s"))
        child.addHandler(child_h)
        parent.addHandler(parent_h)
        try:
            for i in range(3):
                child.info("info %d", i)
                child.warning("warning %d", i)
        finally:
            child.removeHandler(child_h)
            parent.removeHandler(parent_h)
            child_h.close()
            parent_h.close()

    sc, sp = io.StringIO(), io.StringIO()
    run(logging, logging.StreamHandler(sc), logging.StreamHandler(sp))
    fc, fp = tmp_path / "c.log", tmp_path / "p.log"
    run(femtologging, femtologging.FileHandler(str(fc), mode="w"), femtologging.FileHandler(str(fp), mode="w"))
    assert fc.read_text() == sc.getvalue().replace("logging", "femtologging")
    assert fp.read_text() == sp.getvalue().replace("logging", "femtologging")
    assert fp.read_text().count("\n") == 6


def test_chain_changes_after_the_first_records_reach_every_handler(tmp_path):
    """The handlers a record reaches are remembered per logger; handlers added to or removed
    from a list in place, or a parent's level change, are seen by the very next record, in
    stdlib's order (Python-formatted, native and plain Python handlers mixed)."""
    def run(mod, tag):
        class Collect(mod.Handler):
            def emit(self, record):
                seen.append(("py", self.format(record)))

        class Shout(mod.Formatter):
            def format(self, record):
                return "!" + record.getMessage()

        seen = []
        parent = mod.getLogger(f"plan.{tag}")
        child = mod.getLogger(f"plan.{tag}.c")
        parent.propagate = False
        parent.setLevel(mod.DEBUG)
        path = tmp_path / f"{tag}.log"
        fh = mod.FileHandler(str(path), mode="w", encoding="utf-8")
        fh.setFormatter(Shout())
        child.addHandler(fh)
        native = mod.FileHandler(str(tmp_path / f"{tag}.n.log"), mode="w", encoding="utf-8")
        parent.addHandler(native)
        child.info("one %d", 1)
        extra = Collect()
        parent.handlers.append(extra)  # in place: no method of the logger is called
        child.info("two %d", 2)
        child.handlers.remove(fh)
        child.info("three %d", 3)
        parent.handlers.remove(extra)
        native.setLevel(mod.ERROR)
        child.info("four %d", 4)
        child.error("five %d", 5)
        for h in (fh, native):
            h.close()
        parent.removeHandler(native)
        return (seen, path.read_text(encoding="utf-8"),
                (tmp_path / f"{tag}.n.log").read_text(encoding="utf-8"))

    ours, ref = run(femtologging, "ours"), run(logging, "ref")
    assert ours == ref
    assert ref[0] == [("py", "two 2"), ("py", "three 3")]
    assert ref[1] == "!one 1\n!two 2\n"
    assert ref[2] == "one 1\ntwo 2\nthree 3\nfive 5\n"
