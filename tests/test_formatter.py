"""Differential tests: femtologging's Formatter against CPython's logging.Formatter, byte for byte."""

import itertools
import logging
import random
import sys
import time

import pytest

from femtologging import _formatter as F


class Obj:
    """A value that needs Python's str()/repr()."""

    def __str__(self):
        return "<obj str>"

    def __repr__(self):
        return "<obj repr>"


class StrSub(str):
    def __str__(self):
        return "substr"


VALUES = [
    "plain", "", "ünïcødé ✓", "it's \"q\"\n", "tab\there\x7f\x00\\", "say \"hi\"", "x", "é", StrSub("sub"),
    0, 7, -42, 65, 0x10FFFF, 0x110000, 123456789, 2**70, -(2**70),
    0.0, -0.0, 1.5, -2.25, 0.125, 1e16, 1e-5, 123.456789, 1e300, 7.999999, float("inf"), float("nan"),
    True, False, None, Obj(), [1, "a"], {"k": 1}, (1, 2),
]


def record(**extra):
    d = {"name": "fmt.test", "levelno": logging.INFO, "levelname": "INFO", "msg": "hello %s",
         "args": ("world",), "lineno": 42, "pathname": "/x/y.py", "created": 1700000000.25,
         "msecs": 250.0, "relativeCreated": 1234.5, "thread": 99, "process": 7}
    d.update(extra)
    return logging.makeLogRecord(d)


def outcome(fn):
    try:
        return ("ok", fn())
    except Exception as e:  # compare the exact failure too
        return (type(e).__name__, str(e))


def both(fmt, style="%", value=None, validate=False, **kw):
    """Format one record with both implementations; return (stdlib, ours)."""
    rec_a, rec_b = record(v=value), record(v=value)
    ref = outcome(lambda: logging.Formatter(fmt, style=style, validate=validate, **kw).format(rec_a))
    got = outcome(lambda: F.Formatter(fmt, style=style, validate=validate, **kw).format(rec_b))
    return ref, got


PRINTF_CONVS = "sradiuoxXeEfFgGc"
PRINTF_FLAGS = ["", "-", "+", " ", "#", "0", "-0", "+0", "#0", " 0", "+#", "-#+"]
PRINTF_WIDTHS = ["", "1", "5", "12"]
PRINTF_PRECS = ["", ".", ".0", ".1", ".3", ".10"]


@pytest.mark.parametrize("conv", PRINTF_CONVS)
def test_percent_specs_match_stdlib(conv):
    mismatches = []
    for flags, width, prec in itertools.product(PRINTF_FLAGS, PRINTF_WIDTHS, PRINTF_PRECS):
        fmt = "[%%(v)%s%s%s%s]" % (flags, width, prec, conv)
        for value in VALUES:
            ref, got = both(fmt, value=value)
            if ref != got:
                mismatches.append((fmt, repr(value), ref, got))
    assert mismatches == []


def brace_specs():
    rng = random.Random(1234)
    aligns = ["", "<", ">", "^", "=", "*<", "0>", "x^", "0="]
    parts = [aligns, ["", "+", "-", " "], ["", "#"], ["", "0"], ["", "1", "8", "15"],
             ["", ",", "_"], ["", ".0", ".2", ".7"],
             ["", "s", "d", "x", "X", "o", "b", "e", "E", "f", "F", "g", "G", "%", "n", "c"]]
    every = list(itertools.product(*parts))
    return ["".join(p) for p in rng.sample(every, 2500)] + ["", ">10", "03.0f", "^9.3", "010,"]


def test_brace_specs_match_stdlib():
    mismatches = []
    for spec in brace_specs():
        for conv in ("", "!s", "!r", "!a"):
            fmt = "<{v%s:%s}>" % (conv, spec) if spec else "<{v%s}>" % conv
            for value in VALUES:
                ref, got = both(fmt, style="{", value=value)
                if ref != got:
                    mismatches.append((fmt, repr(value), ref, got))
    assert mismatches[:20] == []


@pytest.mark.parametrize("fmt", [
    "$v", "${v}", "$$ $v $$$v", "${v}x$name", "$v$", "bar $", "${v", "$1", "${ v }", "$missing",
])
def test_template_matches_stdlib(fmt):
    for value in VALUES:
        ref, got = both(fmt, style="$", value=value)
        assert ref == got


@pytest.mark.parametrize("fmt,style", [
    ("%(levelname)-8s %(name)s:%(lineno)d %(message)s", "%"),
    ("%(created)f %(msecs)03d %(relativeCreated)d %(thread)d %(process)d", "%"),
    ("%(levelname).1s|%(message)r|%(args)s|%(exc_info)s", "%"),
    ("%(message)s %% %(lineno)ld %(v)5.2f", "%"),
    ("%s %(message)s", "%"), ("%(message)*s", "%"), ("%(message)", "%"), ("%(message)Z", "%"),
    ("%(a(b))s", "%"), ("no fields at all", "%"), ("%(missing)s", "%"),
    ("{levelname:<8} {name} {lineno:05d} {message!r} {msecs:03.0f}", "{"),
    ("{{literal}} {message} }}", "{"), ("{message.__class__}", "{"), ("{args[0]}", "{"), ("{0}", "{"),
    ("{}", "{"), ("{message", "{"), ("message}", "{"), ("{message:{w}}", "{"), ("{missing}", "{"),
    ("${levelname}:$name:$message", "$"), ("$missing", "$"),
])
def test_whole_formats_match_stdlib(fmt, style):
    for value in (None, 3, "x", 2.5):
        ref, got = both(fmt, style=style, value=value)
        assert ref == got


def test_common_formats_render_natively():
    for fmt, style in [(logging.BASIC_FORMAT, "%"), ("%(asctime)s %(levelname)-8s %(message)s", "%"),
                       ("{asctime} {levelname:>8} {message}", "{"), ("$asctime $message", "$")]:
        f = F.Formatter(fmt, style=style)
        assert f._native_layout is True
        assert f._native_plan_available is True


def test_exotic_formats_fall_back_but_match():
    f = F.Formatter("{args[0]} {message}", style="{")
    assert f._native_layout is False
    r1, r2 = record(), record()
    assert f.format(r1) == logging.Formatter("{args[0]} {message}", style="{").format(r2)


def test_defaults_parameter():
    for fmt, style in [("%(custom)s|%(message)s", "%"), ("{custom:>5}|{message}", "{"),
                       ("$custom|$message", "$")]:
        for defaults in ({"custom": "D"}, {"custom": 12}, {"other": 1}, None):
            for rec in ({}, {"custom": 1234}):
                a, b = record(**rec), record(**rec)
                ref = outcome(lambda: logging.Formatter(fmt, style=style, defaults=defaults).format(a))
                got = outcome(lambda: F.Formatter(fmt, style=style, defaults=defaults).format(b))
                assert ref == got


def test_missing_field_message():
    with pytest.raises(ValueError, match=r"^Formatting field not found in record: 'random'$"):
        F.Formatter("%(random)s").format(record())


@pytest.mark.parametrize("args", [
    ("%(asctime)Z",), ("{asctime}",), ("${message}",), ("%(foo)#12.3*f",),
    ("{name-thing}", None, "{"), ("%(asctime)s", None, "{"), ("{asctime!aa:15}", None, "{"),
    ("{process:.2ff}", None, "{"), ("{process", None, "{"), ("process}", None, "{"),
    ("$bar $$$", None, "$"), ("foo", None, "$"), ("{asctime}", None, "$"),
    (None, None, "x"),
])
def test_validation_errors_match_stdlib(args):
    ref = outcome(lambda: logging.Formatter(*args))
    got = outcome(lambda: F.Formatter(*args))
    assert ref[0] == got[0] == "ValueError"
    assert ref[1] == got[1]


def test_attributes_and_defaults():
    f = F.Formatter()
    assert f._fmt == "%(message)s" and f.datefmt is None
    assert isinstance(f._style, F.PercentStyle)
    assert F.Formatter.converter is time.localtime
    assert F.Formatter.default_time_format == "%Y-%m-%d %H:%M:%S"
    assert F.Formatter.default_msec_format == "%s,%03d"
    assert F._STYLES["{"][1] == "{levelname}:{name}:{message}"
    assert F.BASIC_FORMAT == logging.BASIC_FORMAT
    assert isinstance(F._defaultFormatter, F.Formatter)
    assert F.Formatter.__module__ == F.StrFormatStyle.__module__ == "femtologging"


@pytest.mark.parametrize("converter", [time.localtime, time.gmtime, lambda t: time.gmtime(t + 3600)])
@pytest.mark.parametrize("datefmt", [None, "", "%Y:%d", "%H:%M:%S %Z %z", "%f %%", "%c", "é %Y", "%"])
def test_format_time_matches_stdlib(converter, datefmt):
    for created in (1700000000.25, 735379380.999, 0.5, 1e9 + 0.0015):
        a, b = record(created=created, msecs=(created % 1) * 1000), record(created=created, msecs=(created % 1) * 1000)
        ref_f = logging.Formatter("%(asctime)s|%(message)s", datefmt)
        got_f = F.Formatter("%(asctime)s|%(message)s", datefmt)
        ref_f.converter = converter
        got_f.converter = converter
        assert outcome(lambda: got_f.format(b)) == outcome(lambda: ref_f.format(a))
        assert b.asctime == a.asctime
        assert got_f.formatTime(b, datefmt) == ref_f.formatTime(a, datefmt)


def test_msec_and_time_format_class_attributes():
    def pair(**attrs):
        ref = type("Ref", (logging.Formatter,), dict(attrs))("%(asctime)s")
        got = type("Got", (F.Formatter,), dict(attrs))("%(asctime)s")
        return ref, got

    for attrs in ({"default_msec_format": None}, {"default_msec_format": "%s.%03d"},
                  {"default_time_format": "%d/%m/%Y %H:%M:%S"}, {"converter": time.gmtime}):
        ref, got = pair(**attrs)
        assert got.format(record()) == ref.format(record())


def test_subclass_overrides_are_called():
    calls = []

    class Sub(F.Formatter):
        def formatTime(self, record, datefmt=None):
            calls.append(("time", datefmt))
            return "T"

        def formatMessage(self, record):
            calls.append("message")
            return "M:" + super().formatMessage(record)

        def formatException(self, ei):
            return "Got a [%s]" % ei[0].__name__

        def formatStack(self, stack_info):
            return "STACK<" + stack_info + ">"

    try:
        raise KeyError("boom")
    except KeyError:
        ei = sys.exc_info()
    r = record(exc_info=ei, stack_info="frame")
    out = Sub("%(asctime)s %(message)s", "%H").format(r)
    assert out == "M:T hello world\nGot a [KeyError]\nSTACK<frame>"
    assert calls == [("time", "%H"), "message"]
    assert r.exc_text == "Got a [KeyError]"


def test_uses_time_override_controls_asctime():
    class Never(F.Formatter):
        def usesTime(self):
            return False

    r = record()
    with pytest.raises(ValueError):
        Never("%(asctime)s").format(r)
    assert not hasattr(r, "asctime")


def test_format_override_with_super():
    class Wrap(F.Formatter):
        def format(self, record):
            return "<" + super().format(record) + ">"

    assert Wrap("%(levelname)s").format(record()) == "<INFO>"


def test_exception_and_stack_text_match_stdlib():
    try:
        raise RuntimeError("deliberate mistake")
    except RuntimeError:
        ei = sys.exc_info()
    for fmt in ("%(message)s", "%(message)s\n"):
        a = record(exc_info=ei, stack_info="Stack (most recent call last):\n  here")
        b = record(exc_info=ei, stack_info="Stack (most recent call last):\n  here")
        assert F.Formatter(fmt).format(b) == logging.Formatter(fmt).format(a)
        assert b.exc_text == a.exc_text
        assert b.exc_text.endswith("RuntimeError: deliberate mistake")
    assert F.Formatter().formatException(ei) == logging.Formatter().formatException(ei)
    cached = record(exc_info=ei, exc_text="cached text")
    assert F.Formatter().format(cached) == "hello world\ncached text"


def test_reassigning_style_and_fmt_is_seen():
    f = F.Formatter("%(levelname)s")
    assert f.format(record()) == "INFO"
    f._style = F.StrFormatStyle("{name}")
    assert f.format(record()) == "fmt.test"
    f._style._fmt = "{lineno}"
    assert f.format(record()) == "42"
    f.datefmt = "%Y"
    f._style = F.PercentStyle("%(asctime)s")
    f.converter = time.gmtime
    assert f.format(record()) == "2023"


def test_style_subclass_uses_python_path():
    class Upper(F.PercentStyle):
        def format(self, record):
            return super().format(record).upper()

    f = F.Formatter("%(message)s")
    f._style = Upper("%(message)s")
    assert f.format(record()) == "HELLO WORLD"


def test_style_objects_match_stdlib():
    for ours, theirs, fmt in [(F.PercentStyle, logging.PercentStyle, "%(message)s %(asctime)s"),
                              (F.StrFormatStyle, logging.StrFormatStyle, "{message}"),
                              (F.StringTemplateStyle, logging.StringTemplateStyle, "$asctime $message")]:
        o, t = ours(fmt), theirs(fmt)
        assert o.usesTime() == t.usesTime()
        r1, r2 = record(asctime="A", message="m"), record(asctime="A", message="m")
        assert o.format(r1) == t.format(r2)
        assert ours.default_format == theirs.default_format
        assert ours.asctime_format == theirs.asctime_format
        assert ours.asctime_search == theirs.asctime_search
        assert ours(None)._fmt == theirs(None)._fmt


def test_buffering_formatter():
    recs = [record(msg="one", args=()), record(msg="two", args=())]
    assert F.BufferingFormatter().format([]) == ""
    assert F.BufferingFormatter().format(recs) == "onetwo"

    class Framed(F.BufferingFormatter):
        def formatHeader(self, records):
            return "[(%d)" % len(records)

        def formatFooter(self, records):
            return "(%d)]" % len(records)

    assert Framed(F.Formatter("<%(message)s>")).format(recs) == "[(2)<one><two>(2)]"


def test_record_without_logrecord_class():
    class Plain:
        def __init__(self):
            self.msg, self.args, self.levelname = "x=%d", (5,), "WARN"
            self.exc_info = self.exc_text = self.stack_info = None

        def getMessage(self):
            return self.msg % self.args

    assert F.Formatter("%(levelname)s %(message)s").format(Plain()) == "WARN x=5"


def test_instance_level_method_overrides_are_called():
    f = F.Formatter("%(asctime)s|%(message)s")
    f.extra_attribute = 1
    f.formatTime = lambda record, datefmt=None: "NOW"
    f.formatMessage = lambda record: "MSG " + record.asctime
    assert f.format(record()) == "MSG NOW"


def test_non_dict_defaults_mapping_goes_through_style():
    import types

    ref = logging.Formatter("%(custom)s %(message)s", defaults=types.MappingProxyType({"custom": "D"}))
    got = F.Formatter("%(custom)s %(message)s", defaults=types.MappingProxyType({"custom": "D"}))
    assert outcome(lambda: got.format(record())) == outcome(lambda: ref.format(record()))


FUZZ_PIECES = ["%", "(", ")", "{", "}", "$", "!", ":", ".", "-", "+", " ", "#", "0", "5", "12", "s", "d",
               "f", "r", "x", "e", "g", "a", "_", "%(a)", "%(b)", "{a", "{b", "${a}", "$b", "}}", "{{",
               "%%", "$$", "l", "*", "<", ">", "^", "=", ",", "[0]", "é"]


@pytest.mark.parametrize("style", ["%", "{", "$"])
def test_random_formats_match_stdlib(style):
    rng = random.Random(ord(style))
    mismatches = []
    for _ in range(4000):
        fmt = "".join(rng.choice(FUZZ_PIECES) for _ in range(rng.randint(1, 8)))
        for a, b in (("txt", 5), (-3, 2.75), (None, True)):
            r1, r2 = record(a=a, b=b), record(a=a, b=b)
            ref = outcome(lambda: logging.Formatter(fmt, style=style, validate=False).format(r1))
            got = outcome(lambda: F.Formatter(fmt, style=style, validate=False).format(r2))
            if ref != got:
                mismatches.append((fmt, a, b, ref, got))
            ref_v = outcome(lambda: logging.Formatter(fmt, style=style))
            got_v = outcome(lambda: F.Formatter(fmt, style=style))
            if ref_v[0] != got_v[0] or (ref_v[0] != "ok" and ref_v != got_v):
                mismatches.append(("validate", fmt, ref_v, got_v))
    assert mismatches[:10] == []


def test_copy_keeps_behaviour():
    import copy

    f = F.Formatter("%(levelname)s %(asctime)s %(message)s", "%Y")
    for clone in (copy.copy(f), copy.deepcopy(f)):
        assert type(clone) is F.Formatter and clone.datefmt == "%Y"
        assert clone.format(record()) == f.format(record())


def test_lone_surrogates_match_stdlib():
    bad = "a\udcff"
    for fmt, style in [("%(v)s|%(message)s", "%"), ("{v!r} {message}", "{"), ("$v $message", "$")]:
        a, b = record(v=bad, msg=bad, args=()), record(v=bad, msg=bad, args=())
        assert F.Formatter(fmt, style=style).format(b) == logging.Formatter(fmt, style=style).format(a)
    a, b = record(exc_text="tb\udcff", stack_info=bad), record(exc_text="tb\udcff", stack_info=bad)
    assert F.Formatter("%(message)s", "%Y\udcff").format(b) == logging.Formatter("%(message)s", "%Y\udcff").format(a)
    got = F.Formatter("%(asctime)s", "%Y\udcff")
    ref = logging.Formatter("%(asctime)s", "%Y\udcff")
    assert outcome(lambda: got.format(record())) == outcome(lambda: ref.format(record()))


def test_formatter_cycles_are_collected():
    import gc
    import weakref

    f = F.Formatter("%(asctime)s %(message)s")
    f.converter = lambda t, owner=f: time.gmtime(t)  # refers back to the formatter
    assert f._native_plan_available is False  # caches the converter natively
    assert f.format(record())
    ref = weakref.ref(f)
    del f
    gc.collect()
    assert ref() is None


def test_cpython_formatter_test_classes_pass():
    """CPython's own FormatterTest and BufferingFormatterTest, run against these classes."""
    import os
    import subprocess

    harness = os.path.join(os.path.dirname(__file__), "_fmt_harness.py")
    done = subprocess.run([sys.executable, harness], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    import unittest
    from test import test_logging  # the interpreter's own suite: its test count per version

    loader = unittest.TestLoader()
    expected = sum(loader.loadTestsFromTestCase(c).countTestCases()
                   for c in (test_logging.FormatterTest, test_logging.BufferingFormatterTest))
    assert f"Ran {expected} tests" in done.stderr
