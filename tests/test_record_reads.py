"""What Python formatters read from a record, checked against stdlib: ``getMessage()``,
``formatTime()``, ``copy.copy(record)`` and ``Formatter.format`` on records that have not built
their ``__dict__`` yet, and on records whose attributes were changed by user code."""

import copy
import logging
import time

import pytest

import femtologging

ARGS = ("site", 20, "/srv/app/h.py", 42, "request %d from %s", (7, "alice"), None)
TIMES = {"created", "msecs", "relativeCreated"}


def both(*args):
    return femtologging.LogRecord(*args), logging.LogRecord(*args)


class Text(str):
    def __str__(self):
        return "text subclass %s"


class Num(int):
    def __str__(self):
        return "num"


@pytest.mark.parametrize(
    "msg, args",
    [
        ("request %d from %s", (7, "alice")),
        ("%s and %s", (2**70, -3)),
        ("%d%%, %i", (-12, 0)),
        ("%s %s", (True, None)),
        ("%d", (True,)),
        ("%s", (Num(5),)),
        ("%d", (Num(5),)),
        ("%s|%s", ("é ü", "")),
        ("%s", (1.5,)),
        ("no fields", ()),
        ("%(k)s", ({"k": "mapped"},)),
        (Text("ignored"), ("x",)),
        (42, ()),
    ],
)
def test_get_message_is_stdlibs(msg, args):
    ours, ref = both("n", 20, "p.py", 1, msg, args, None)
    assert ours.getMessage() == ref.getMessage()
    assert type(ours.getMessage()) is type(ref.getMessage())


@pytest.mark.parametrize("msg, args", [("%d %d", (1,)), ("%d", ("x",)), ("%s", (1, 2)), ("%d", (2.5j,))])
def test_get_message_errors_are_stdlibs(msg, args):
    ours, ref = both("n", 20, "p.py", 1, msg, args, None)
    with pytest.raises(Exception) as theirs:
        ref.getMessage()
    with pytest.raises(type(theirs.value), match=str(theirs.value).replace("(", r"\(").replace(")", r"\)")):
        ours.getMessage()


def test_get_message_sees_changed_msg_and_args():
    ours, ref = both(*ARGS)
    for rec in (ours, ref):
        rec.getMessage()
        rec.msg, rec.args = "now %s", ("changed",)
    assert ours.getMessage() == ref.getMessage() == "now changed"


def _pair_formatters(datefmt=None, **attrs):
    class Ours(femtologging.Formatter):
        pass

    class Ref(logging.Formatter):
        pass

    out = []
    for cls in (Ours, Ref):
        f = cls("%(message)s", datefmt)
        for k, v in attrs.items():
            setattr(f, k, v)
        out.append(f)
    return out


@pytest.mark.parametrize(
    "datefmt, attrs",
    [
        (None, {}),
        ("%Y/%m/%d %H-%M-%S", {}),
        (None, {"converter": time.gmtime}),
        (None, {"default_msec_format": None}),
        (None, {"default_msec_format": "%s.%03d"}),
        (None, {"default_time_format": "%H:%M:%S"}),
        (None, {"converter": lambda t: time.gmtime(t + 3600)}),
    ],
)
def test_format_time_matches_stdlib(datefmt, attrs):
    ours_f, ref_f = _pair_formatters(datefmt, **attrs)
    ours, ref = both(*ARGS)
    for created in (1_700_000_000.5, 1_700_000_000.0009, 86_399.9996):
        for rec in (ours, ref):
            rec.created = created
            rec.msecs = (created - int(created)) * 1000
        assert ours_f.formatTime(ours, datefmt) == ref_f.formatTime(ref, datefmt)


def test_format_time_follows_changes_after_first_use():
    ours_f, ref_f = _pair_formatters()
    ours, ref = both(*ARGS)
    for rec in (ours, ref):
        rec.created, rec.msecs = 1_700_000_000.25, 250.0
    assert ours_f.formatTime(ours) == ref_f.formatTime(ref)
    for f in (ours_f, ref_f):
        f.converter = time.gmtime
        f.default_msec_format = "%s::%03d"
    assert ours_f.formatTime(ours) == ref_f.formatTime(ref)
    type(ours_f).default_time_format = type(ref_f).default_time_format = "%d %H"
    assert ours_f.formatTime(ours) == ref_f.formatTime(ref)
    for rec in (ours, ref):
        rec.created = 1_600_000_000  # an int
    assert ours_f.formatTime(ours) == ref_f.formatTime(ref)
    for rec in (ours, ref):
        rec.created = "not a time"
    with pytest.raises(TypeError):
        ref_f.formatTime(ref)
    with pytest.raises(TypeError):
        ours_f.formatTime(ours)


def test_copy_of_an_untouched_record_is_stdlibs():
    for setup in ((), ("message",), ("asctime", "message")):
        ours, ref = both(*ARGS)
        for rec in (ours, ref):
            for name in setup:
                setattr(rec, name, name.upper())
        oc, rc = copy.copy(ours), copy.copy(ref)
        assert list(oc.__dict__) == list(rc.__dict__)
        assert {k: v for k, v in oc.__dict__.items() if k not in TIMES} == {
            k: v for k, v in rc.__dict__.items() if k not in TIMES}
        assert (oc.created, oc.msecs, oc.relativeCreated) == (ours.created, ours.msecs, ours.relativeCreated)
        oc.msg = "only the copy"
        oc.extra_key = 1
        assert ours.msg == ARGS[4] and not hasattr(ours, "extra_key")
        assert oc.args is ours.args  # shallow


def test_format_then_dict_is_stdlibs():
    """``Formatter.format`` sets ``message`` and ``asctime``; the dict seen afterwards has
    stdlib's keys in stdlib's order (whether or not the format read it as a dict)."""
    for fmt in ("%(asctime)s %(message)s", "%(levelname)s %(message)s"):
        ours, ref = both(*ARGS)
        line_o = femtologging.Formatter(fmt).format(ours)
        line_r = logging.Formatter(fmt).format(ref)
        assert line_o.split(" ", 2)[-1] == line_r.split(" ", 2)[-1]
        assert list(vars(ours)) == list(vars(ref))


def test_python_formatter_that_decorates_a_copy():
    """uvicorn's idiom: ``formatMessage`` copies the record and adds a key to the copy."""

    def formatter(mod):
        class Prefix(mod.Formatter):
            def formatMessage(self, record):
                shown = copy.copy(record)
                shown.__dict__["levelprefix"] = (shown.levelname + ":").ljust(9)
                return super().formatMessage(shown)

        return Prefix("%(levelprefix)s %(name)s %(message)s")

    ours, ref = both(*ARGS)
    assert formatter(femtologging).format(ours) == formatter(logging).format(ref)
    assert "levelprefix" not in vars(ours) and list(vars(ours)) == list(vars(ref))


def test_standard_attribute_reads_after_every_kind_of_change():
    ours, ref = both(*ARGS)
    name = "".join(["level", "name"])  # a str that is not the interned one
    for rec in (ours, ref):
        rec.levelname = "CHANGED"
    assert getattr(ours, name) == getattr(ref, name) == "CHANGED"
    for rec in (ours, ref):
        del rec.funcName
    with pytest.raises(AttributeError):
        ours.funcName
    assert ours.module == ref.module
    ours.__dict__ = {"name": "replaced"}
    assert ours.name == "replaced"
    with pytest.raises(AttributeError):
        ours.levelno
