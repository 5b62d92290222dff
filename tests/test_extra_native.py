"""``extra=`` on the record-less path: stdlib and femtologging write the same bytes.

Each test drives stdlib's ``logging`` and femtologging through one helper (so caller fields
such as ``%(lineno)d`` agree), stdlib into a ``StringIO``, femtologging into a file written by
its worker thread, and compares the text byte for byte, and the exceptions the calls raised.
A handler lock that counts Python-path emits shows which records stayed native.
"""

import enum
import io
import logging
import sys

import pytest

import femtologging
from test_native_attrs import CountingLock  # counts Python-path emits


_seq = iter(range(10**9))


def compare(tmp_path, fmt, calls, style="%", target_of=lambda mod, lg: lg, defaults=None):
    """Log ``calls`` (``(method, args, kwargs)`` on ``target_of(mod, logger)``) through both
    libraries; assert equal text, exceptions and error reports; return femtologging's
    Python-path count."""
    fkw = {"defaults": defaults} if defaults else {}
    name = f"xn.{next(_seq)}"
    buf = io.StringIO()
    sh = logging.StreamHandler(buf)
    sh.setFormatter(logging.Formatter(fmt, style=style, **fkw))
    path = tmp_path / "f.log"
    fh = femtologging.FileHandler(str(path), mode="w", encoding="utf-8")
    fh.setFormatter(femtologging.Formatter(fmt, style=style, **fkw))
    fh.lock = CountingLock()
    stderr = sys.stderr
    try:
        sys.stderr = io.StringIO()
        s_raised = _drive(logging, name, sh, target_of, calls)
        s_err, sys.stderr = sys.stderr.getvalue(), io.StringIO()
        f_raised = _drive(femtologging, name, fh, target_of, calls)
        python_calls = fh.lock.acquired  # before close(), which takes the lock itself
        fh.close()
        f_err = sys.stderr.getvalue()
    finally:
        sys.stderr = stderr
    assert path.read_text(encoding="utf-8") == buf.getvalue()
    assert f_raised == s_raised
    assert f_err.count("--- Logging error ---") == s_err.count("--- Logging error ---")
    return python_calls


def _drive(mod, name, handler, target_of, calls):
    """One library's run: the exceptions the calls raised, in order."""
    logger = mod.getLogger(name)
    logger.propagate = False
    logger.setLevel(mod.INFO)
    logger.addHandler(handler)
    raised = []
    target = target_of(mod, logger)
    try:
        for method, args, kwargs in calls:
            try:
                getattr(target, method)(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 - compared with stdlib's
                raised.append((type(e).__name__, str(e)))
    finally:
        logger.removeHandler(handler)
    return raised


SCALARS = {"user": "alice", "n": 42, "f": 2.5, "b": True, "z": None}
LAYOUTS = [
    ("%", "%(levelname)s %(name)s %(funcName)s:%(lineno)d %(user)s [%(n)s|%(f)s|%(b)s|%(z)s] %(message)s"),
    ("{", "{levelname} {name} {funcName}:{lineno} {user} [{n}|{f}|{b}|{z}|{user!s}] {message}"),
    ("$", "$levelname ${name} $funcName:$lineno ${user} [$n|$f|$b|$z] $message"),
]


@pytest.mark.parametrize("style,fmt", LAYOUTS)
def test_scalar_extra_stays_native(tmp_path, style, fmt):
    calls = [
        ("info", ("plain %d", 1), {"extra": SCALARS}),
        ("warning", ("caf\u00e9 %s", "x"), {"extra": dict(SCALARS, user="b\u00f6b", n=-7, f=1e300)}),
        ("debug", ("below the level",), {"extra": SCALARS}),
        ("info", ("more keys than fields",), {"extra": dict(SCALARS, unused=object())}),
    ]
    assert compare(tmp_path, fmt, calls, style) == 0


@pytest.mark.parametrize("style,fmt", LAYOUTS)
def test_clashing_keys_raise_as_stdlib(tmp_path, style, fmt):
    calls = [("info", ("m",), {"extra": dict(SCALARS, **{k: 1})})
             for k in ("message", "asctime", "name", "lineno", "msg", "args", "process", "exc_text")]
    calls.append(("info", ("after",), {"extra": SCALARS}))  # no other record lost
    compare(tmp_path, fmt, calls, style)


class Loud(str):
    def __str__(self):
        return "LOUD"


class Color(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize("style,fmt", LAYOUTS + [("%", "%(user)r %(n)d %(f).1f"), ("{", "{user:>8} {n:x}")])
def test_non_scalar_and_odd_values(tmp_path, style, fmt):
    odd = [["a", 1], {"k": (1, 2)}, Loud("q"), Color.RED, 2**70, 1.5, object, b"by"]
    calls = [("info", ("odd %r", v), {"extra": dict(SCALARS, user=v, n=v if not isinstance(v, str) else 3)})
             for v in odd]
    calls.append(("info", ("after",), {"extra": SCALARS}))
    compare(tmp_path, fmt, calls, style)


def test_missing_field_and_defaults(tmp_path):
    fmt = "%(user)s %(message)s"
    calls = [("info", ("no extra",), {}), ("info", ("partial",), {"extra": {"other": 1}}),
             ("info", ("then fine",), {"extra": {"user": "u"}})]
    compare(tmp_path, fmt, calls)
    # With a `defaults=` entry a missing field is no error, and stays native.
    assert compare(tmp_path, fmt, calls, defaults={"user": "-"}) == 0


def test_non_dict_extra(tmp_path):
    class Mapping:
        def __iter__(self):
            return iter(["user"])

        def __getitem__(self, k):
            return "m-" + k

    calls = [("info", ("mapping",), {"extra": Mapping()}), ("info", ("none",), {"extra": None}),
             ("info", ("int key",), {"extra": {1: 2, "user": "x"}})]
    compare(tmp_path, "%(message)s", calls)
    compare(tmp_path, "%(user)s %(message)s", calls[:1] + calls[2:])


def _adapter(extra, **kw):
    return lambda mod, lg: mod.LoggerAdapter(lg, extra, **kw)


ADAPTER_CALLS = [
    ("info", ("adapted %s", "a"), {}),
    ("warning", ("own extra is replaced",), {"extra": {"user": "call"}}),
    ("log", (logging.ERROR, "via log %d", 3), {}),
    ("debug", ("below",), {}),
    ("info", ("stacked",), {"stack_info": False, "stacklevel": 1}),
]


def test_adapter_exact_type_stays_native(tmp_path):
    fmt = "%(levelname)s %(funcName)s:%(lineno)d %(user)s %(message)s"
    assert compare(tmp_path, fmt, ADAPTER_CALLS, target_of=_adapter({"user": "alice"})) == 0


def test_adapter_clash_and_non_scalar(tmp_path):
    fmt = "%(user)s %(message)s"
    compare(tmp_path, fmt, ADAPTER_CALLS, target_of=_adapter({"user": ["l"]}))
    compare(tmp_path, fmt, ADAPTER_CALLS, target_of=_adapter({"user": "u", "message": 1}))
    compare(tmp_path, "%(message)s", ADAPTER_CALLS, target_of=_adapter(None))


@pytest.mark.skipif(sys.version_info < (3, 13), reason="merge_extra is new in 3.13")
def test_adapter_merge_extra(tmp_path):
    fmt = "%(user)s %(req)s %(message)s"
    calls = [("info", ("m",), {"extra": {"user": "call"}}), ("info", ("n",), {})]
    target = _adapter({"user": "adapter", "req": 7}, merge_extra=True)
    assert compare(tmp_path, fmt, calls, target_of=target) == 0
    compare(tmp_path, fmt, calls, target_of=_adapter({"user": "adapter", "req": 7}, merge_extra=False))


def _subclass(mod, lg, **methods):
    cls = type("Sub", (mod.LoggerAdapter,), methods)
    return cls(lg, {"user": "sub", "req": 9})


def test_adapter_subclasses(tmp_path):
    fmt = "%(levelname)s %(funcName)s:%(lineno)d %(user)s %(message)s"

    def process(self, msg, kwargs):
        return f"[{self.extra['req']}] {msg}", dict(kwargs, extra=dict(self.extra, user="p"))

    def log(self, level, msg, *args, **kwargs):
        self.logger.log(level, "LOG " + msg, *args, extra={"user": "l"})

    def is_enabled_for(self, level):
        return level >= logging.WARNING

    assert compare(tmp_path, fmt, ADAPTER_CALLS, target_of=lambda m, lg: _subclass(m, lg, process=process)) == 0
    compare(tmp_path, fmt, ADAPTER_CALLS, target_of=lambda m, lg: _subclass(m, lg, log=log))
    compare(tmp_path, fmt, ADAPTER_CALLS, target_of=lambda m, lg: _subclass(m, lg, isEnabledFor=is_enabled_for))

    def instance_process(mod, lg):
        a = mod.LoggerAdapter(lg, {"user": "i"})
        a.process = lambda msg, kwargs: ("inst " + msg, dict(kwargs, extra={"user": "inst"}))
        return a

    compare(tmp_path, fmt, ADAPTER_CALLS, target_of=instance_process)


def test_adapter_class_patch_is_seen(tmp_path):
    """A patch of ``LoggerAdapter.process`` made after adapters were used is honoured."""
    compare(tmp_path, "%(user)s %(message)s", ADAPTER_CALLS, target_of=_adapter({"user": "warm"}))
    originals = {m: m.LoggerAdapter.process for m in (logging, femtologging)}

    def patched(self, msg, kwargs):
        return "P " + msg, dict(kwargs, extra={"user": "patched"})

    try:
        for m in originals:
            m.LoggerAdapter.process = patched
        compare(tmp_path, "%(user)s %(message)s", ADAPTER_CALLS, target_of=_adapter({"user": "x"}))
    finally:
        for m, f in originals.items():
            m.LoggerAdapter.process = f
    compare(tmp_path, "%(user)s %(message)s", ADAPTER_CALLS, target_of=_adapter({"user": "back"}))


def test_adapter_odd_calls_and_failing_process(tmp_path):
    """Keyword ``msg``, a missing or doubled ``msg``, bad keywords and a ``process()`` that
    raises or returns something odd: the same text and exceptions as stdlib."""
    fmt = "%(levelname)s %(funcName)s:%(lineno)d %(user)s %(message)s"
    calls = [("info", (), {"msg": "kw msg"}), ("info", (), {}), ("info", ("m",), {"msg": "x"}),
             ("error", ("bad kw",), {"colour": 1}), ("critical", ("after %s", "all"), {})]
    assert compare(tmp_path, fmt, calls, target_of=_adapter({"user": "k"})) == 0

    def raising(self, msg, kwargs):
        if msg == "boom":
            raise ValueError("process failed")
        if msg == "short":
            return (msg,)
        return msg, kwargs

    calls = [("info", ("boom",), {}), ("info", ("short",), {}), ("warning", ("fine %d", 1), {})]
    compare(tmp_path, fmt, calls, target_of=lambda m, lg: _subclass(m, lg, process=raising))


def test_adapter_over_logger_subclass_and_patched_log(tmp_path):
    """The adapter calls the wrapped logger's own ``log`` and ``isEnabledFor`` when replaced."""
    fmt = "%(user)s %(message)s"

    def over(mod, methods):
        def target(m, lg):
            cls = type("L", (m.Logger,), {k: v(m) for k, v in methods.items()})
            lg2 = cls(lg.name + ".sub")
            lg2.propagate = False
            lg2.setLevel(m.INFO)
            for h in lg.handlers:
                lg2.addHandler(h)
            return m.LoggerAdapter(lg2, {"user": "w"})
        return target

    def log(m):
        def log(self, level, msg, *args, **kwargs):
            m.Logger.log(self, level, "L:" + msg, *args, **kwargs)
        return log

    def is_enabled_for(m):
        return lambda self, level: level >= m.ERROR

    compare(tmp_path, fmt, ADAPTER_CALLS, target_of=over(None, {"log": log}))
    compare(tmp_path, fmt, ADAPTER_CALLS, target_of=over(None, {"isEnabledFor": is_enabled_for}))


def test_adapter_runs_no_python_frame_but_process(tmp_path):
    """An exact adapter runs no Python function of femtologging per call; a subclass with its
    own ``process()`` runs that one only."""
    lg = femtologging.getLogger(f"xn.{next(_seq)}")
    lg.propagate = False
    lg.setLevel(femtologging.INFO)
    h = femtologging.FileHandler(str(tmp_path / "p.log"), mode="w", encoding="utf-8")
    lg.addHandler(h)

    class Req(femtologging.LoggerAdapter):
        def process(self, msg, kwargs):
            return "[r] " + msg, kwargs

    def python_calls(target):
        seen = []
        target.info("warm %d", 0)
        sys.setprofile(lambda frame, event, arg: seen.append(frame.f_code.co_name) if event == "call" else None)
        try:
            target.info("counted %d", 1)
        finally:
            sys.setprofile(None)
        return [n for n in seen if n != "<lambda>"]

    try:
        assert python_calls(femtologging.LoggerAdapter(lg, {"user": "u"})) == []
        assert python_calls(Req(lg, {})) == ["process"]
    finally:
        lg.removeHandler(h)
        h.close()
    assert (tmp_path / "p.log").read_text(encoding="utf-8").splitlines() == [
        "warm 0", "counted 1", "[r] warm 0", "[r] counted 1"]
