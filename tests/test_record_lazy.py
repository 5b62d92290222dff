"""A record keeps its standard attributes in native slots until something needs its ``__dict__``:
every way of reading, writing, copying or subclassing it must see what stdlib's ``LogRecord``
would show, in the same order."""

import copy
import gc
import logging
import pickle
import sys
import threading
import time
import weakref

import pytest

import femtologging

ARGS = ("site", 20, "/srv/app/h.py", 42, "request %d from %s", (7, "alice"), None)
TIMES = {"created", "msecs", "relativeCreated", "taskName"}


def both(*args, **kwargs):
    return femtologging.LogRecord(*args, **kwargs), logging.LogRecord(*args, **kwargs)


def same_dict(ours, ref):
    assert list(ours.__dict__) == list(ref.__dict__)
    assert {k: v for k, v in ours.__dict__.items() if k not in TIMES} == {
        k: v for k, v in ref.__dict__.items() if k not in TIMES}


def test_formatter_attributes_keep_stdlib_order():
    for first, second in (("message", "asctime"), ("asctime", "message")):
        ours, ref = both(*ARGS)
        for rec in (ours, ref):
            setattr(rec, first, "1")
            setattr(rec, second, "2")
            rec.exc_text = "x"  # an existing key keeps its place
        same_dict(ours, ref)
        assert pickle.loads(pickle.dumps(ours)).__dict__ == ours.__dict__


def test_other_attributes_follow_the_standard_ones():
    ours, ref = both(*ARGS)
    for rec in (ours, ref):
        rec.message = "m"
        rec.custom = 1
        rec.asctime = "t"
        del rec.msg
        rec.msg = "again"  # re-added at the end, as in a dict
    same_dict(ours, ref)
    with pytest.raises(AttributeError):
        del ours.nothing


def test_reads_writes_and_absent_attributes_without_a_dict():
    rec = femtologging.LogRecord(*ARGS)
    assert (rec.name, rec.levelno, rec.levelname, rec.filename, rec.module) == ("site", 20, "INFO", "h.py", "h")
    assert rec.getMessage() == "request 7 from alice"
    assert rec.created == rec.created and 0 <= rec.msecs < 1000
    rec.levelname = "CUSTOM"
    assert rec.levelname == "CUSTOM" and rec.__dict__["levelname"] == "CUSTOM"
    assert not hasattr(femtologging.LogRecord(*ARGS), "message")
    assert getattr(femtologging.LogRecord(*ARGS), "asctime", None) is None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        femtologging.LogRecord(*ARGS).nope


def test_dict_replacement_copy_and_weakref():
    rec = femtologging.LogRecord(*ARGS)
    clone = copy.copy(rec)
    assert clone.__dict__ == rec.__dict__ and type(clone) is femtologging.LogRecord
    deep = copy.deepcopy(rec)
    assert deep.getMessage() == rec.getMessage()
    rec.__dict__ = {"msg": "only", "args": ()}
    assert rec.getMessage() == "only" and vars(rec) == {"msg": "only", "args": ()}
    with pytest.raises(AttributeError):
        rec.name
    with pytest.raises(TypeError):
        rec.__dict__ = 5
    assert weakref.ref(clone)() is clone
    made = femtologging.makeLogRecord({"msg": "x", "levelno": 30})
    assert (made.msg, made.levelno, made.name) == ("x", 30, None)


def test_subclass_and_uninitialised_instances():
    class Sub(femtologging.LogRecord):
        def __init__(self, *args):
            self.before = 1
            super().__init__(*args)

    class Ref(logging.LogRecord):
        def __init__(self, *args):
            self.before = 1
            super().__init__(*args)

    same_dict(Sub(*ARGS), Ref(*ARGS))
    bare = femtologging.LogRecord.__new__(femtologging.LogRecord)
    assert vars(bare) == {}
    bare.__init__(*ARGS)
    assert bare.name == "site"


def test_constructor_keywords_and_errors_match_stdlib():
    kw = dict(name="n", level=10, pathname="p.py", lineno=1, msg="m", args=(), exc_info=None, func="f", sinfo="s")
    ours, ref = both(**kw)
    same_dict(ours, ref)
    ours, ref = both("n", 10, "p.py", 1, "m", (), None, extra_kw=1)
    same_dict(ours, ref)
    for bad in (("n",), ("n", 10, "p", 1, "m", (), None, "f", "s", "too many")):
        with pytest.raises(TypeError):
            femtologging.LogRecord(*bad)
    with pytest.raises(TypeError):
        femtologging.LogRecord(*ARGS, name="twice")


def test_class_level_init_replacement_is_called(monkeypatch):
    calls = []
    original = femtologging.LogRecord.__init__

    def patched(self, *args, **kwargs):
        calls.append(args[0])
        original(self, *args, **kwargs)

    monkeypatch.setattr(femtologging.LogRecord, "__init__", patched)
    rec = femtologging.LogRecord(*ARGS)
    assert calls == ["site"] and rec.name == "site"


def test_patched_clock_is_called_per_record(monkeypatch):
    if sys.version_info >= (3, 13):
        monkeypatch.setattr(time, "time_ns", lambda: 1_700_000_000_123_456_789)
        expected = 1_700_000_000.1234567
    else:
        monkeypatch.setattr(time, "time", lambda: 1_700_000_000.25)
        expected = 1_700_000_000.25
    rec = femtologging.LogRecord(*ARGS)
    assert rec.created == pytest.approx(expected) and rec.msecs == logging.LogRecord(*ARGS).msecs
    monkeypatch.undo()
    assert abs(femtologging.LogRecord(*ARGS).created - time.time()) < 5


def test_thread_names_follow_renames_and_new_threads():
    me = threading.current_thread()
    old = me.name
    try:
        assert femtologging.LogRecord(*ARGS).threadName == old
        me.name = "renamed"
        assert femtologging.LogRecord(*ARGS).threadName == "renamed"
    finally:
        me.name = old
    seen = []
    for i in range(3):  # idents of finished threads are reused: each thread sees its own name
        t = threading.Thread(target=lambda: seen.append(femtologging.LogRecord(*ARGS).threadName), name=f"w{i}")
        t.start()
        t.join()
    assert seen == ["w0", "w1", "w2"]


def test_process_name_reads_multiprocessing_once_loaded():
    import multiprocessing

    proc = multiprocessing.current_process()
    old = proc.name
    try:
        proc.name = "Renamed"
        assert femtologging.LogRecord(*ARGS).processName == logging.LogRecord(*ARGS).processName == "Renamed"
    finally:
        proc.name = old


def test_records_in_cycles_are_collected():
    rec = femtologging.LogRecord(*ARGS)
    rec.msg = [rec]  # a cycle through a slot
    ref = weakref.ref(rec)
    del rec
    gc.collect()
    assert ref() is None
