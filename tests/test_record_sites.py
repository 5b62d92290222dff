"""Records of one call site share their constant attributes (cached level names, path parts,
thread names): every record must still read exactly what stdlib's ``LogRecord.__init__`` would
put in its ``__dict__``."""

import logging
import os
import threading

import femtologging


def make(mod, msg="request %d from %s", args=(7, "alice"), lineno=42, path="/srv/app/h.py"):
    return mod.LogRecord("site", mod.INFO, path, lineno, msg, args, None, "handler")


def test_dict_matches_stdlib_keys_order_and_values():
    ours, ref = make(femtologging).__dict__, make(logging).__dict__
    assert list(ref) == list(ours)  # taskName too, on 3.12+
    skip = {"created", "msecs", "relativeCreated", "taskName"}
    assert {k: v for k, v in ours.items() if k not in skip} == {
        k: v for k, v in ref.items() if k not in skip}


def test_same_site_records_are_independent():
    a, b = make(femtologging, args=(1, "x")), make(femtologging, args=(2, "y"))
    assert (a.getMessage(), b.getMessage()) == ("request 1 from x", "request 2 from y")
    a.__dict__["name"] = "changed"
    a.extra_attr = 1
    c = make(femtologging)
    assert c.name == "site" and "extra_attr" not in c.__dict__ and b.name == "site"
    assert b.created <= c.created


def test_site_attributes_follow_their_inputs():
    base = make(femtologging)
    assert make(femtologging, lineno=43).lineno == 43
    assert make(femtologging, lineno=10**6).lineno == 10**6
    assert make(femtologging, path="/other/mod.py").module == "mod"
    assert make(femtologging, msg="other").msg == "other"
    assert base.args == (7, "alice")
    assert make(femtologging, args=({"k": 1},)).args == {"k": 1}


def test_switches_and_thread_names_are_read_per_record(monkeypatch):
    first = make(femtologging)
    assert first.thread == threading.get_ident() and first.process == os.getpid()
    monkeypatch.setattr(femtologging, "logThreads", False)
    monkeypatch.setattr(femtologging, "logProcesses", False)
    off = make(femtologging)
    assert off.thread is None and off.threadName is None and off.process is None
    monkeypatch.undo()
    current = threading.current_thread()
    old = current.name
    try:
        current.name = "Renamed"
        assert make(femtologging).threadName == "Renamed"
    finally:
        current.name = old
    assert make(femtologging).threadName == old

    seen = []
    t = threading.Thread(target=lambda: seen.append(make(femtologging)), name="Worker-7")
    t.start()
    t.join()
    assert seen[0].threadName == "Worker-7" and seen[0].thread == t.ident


def test_subclass_attributes_set_before_init_keep_their_place():
    class Early(femtologging.LogRecord):
        def __init__(self, *a, **k):
            self.request_id = "r1"
            super().__init__(*a, **k)

    class EarlyRef(logging.LogRecord):
        def __init__(self, *a, **k):
            self.request_id = "r1"
            super().__init__(*a, **k)

    ours = Early("site", 20, "/x.py", 1, "m", (), None)
    ref = EarlyRef("site", 20, "/x.py", 1, "m", (), None)
    assert list(ours.__dict__) == list(ref.__dict__)
    assert ours.request_id == "r1" and ours.name == "site"


def test_exception_records_are_not_cached():
    try:
        raise ValueError("x")
    except ValueError:
        import sys

        ei = sys.exc_info()
    a = femtologging.LogRecord("site", 40, "/x.py", 1, "m", (), ei)
    b = femtologging.LogRecord("site", 40, "/x.py", 1, "m", (), None)
    assert a.exc_info is ei and b.exc_info is None and a.exc_text is None
