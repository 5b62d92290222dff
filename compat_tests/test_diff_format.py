"""Differential tests: format strings, styles, datefmt and levels, stdlib vs femtologging.

Every ``scenario_*(lg, out)`` runs once with ``lg = logging`` and once with
``lg = femtologging`` (see conftest.py); the bytes the handlers write and the text written to
``out`` must be identical.
"""

import _capture


def _logger(lg, out, name, fmt=None, datefmt=None, style="%", **fmt_kwargs):
    handler = _capture.handler(lg, fmt, datefmt, style, **fmt_kwargs)
    logger = lg.getLogger(name)
    logger.handlers[:] = [handler]
    logger.setLevel(1)
    logger.propagate = False
    return logger


PERCENT_SPECS = [
    "%(name)s", "%(name)-12s|", "%(name)12s|", "%(name).2s", "%(name)8.3s|", "%(name)r",
    "%(msg)s", "%(args)s", "%(args)r",
    "%(levelname)s", "%(levelname)-9s|", "%(levelname)9s|", "%(levelname).1s", "%(levelname)a",
    "%(levelno)s", "%(levelno)d", "%(levelno)i", "%(levelno)u", "%(levelno)05d", "%(levelno)+d",
    "%(levelno)-5d|", "%(levelno) d", "%(levelno)x", "%(levelno)#x",
    "%(levelno)X", "%(levelno)#o", "%(levelno)o", "%(levelno)c", "%(levelno)e", "%(levelno).1f",
    "%(pathname)s", "%(filename)s", "%(filename)25s|", "%(filename)-25s|", "%(filename).4s",
    "%(module)s", "%(module)r", "%(module).5s", "%(module)-20.3s|",
    "%(lineno)d", "%(lineno)4d", "%(lineno)-6d|", "%(lineno)06d", "%(lineno)x", "%(lineno)s",
    "%(funcName)s", "%(funcName)r", "%(funcName)-25s|", "%(funcName).3s",
    "%(created)f", "%(created)s", "%(created)r", "%(created)15.3f", "%(created)d", "%(created)e",
    "%(created)g", "%(created)G", "%(created)E", "%(created).0f", "%(created)+.2f",
    "%(msecs)d", "%(msecs)03d", "%(msecs)f", "%(msecs)08.3f", "%(msecs)s", "%(msecs)-7.1f|",
    "%(relativeCreated)d", "%(relativeCreated)f", "%(relativeCreated)s", "%(relativeCreated).2e",
    "%(relativeCreated)10.1f",
    "%(thread)d", "%(thread)s", "%(thread)x", "%(threadName)s", "%(threadName)-12s|",
    "%(process)d", "%(process)08x", "%(processName)s", "%(processName).4s",
    "%(exc_info)s", "%(exc_text)s", "%(stack_info)s", "%(stack_info)r",
    "%(message)s", "%(message)r", "%(message)-20s|", "%(message)20s|", "%(message).3s",
    "%(asctime)s", "%(asctime).10s", "%(asctime)30s|",
    "100%% %(message)s", "%(message)s%%%(name)s",
]


def scenario_percent_specs_each(lg, out):
    """One record per spec, so a single difference is easy to find."""
    for i, spec in enumerate(PERCENT_SPECS):
        logger = _logger(lg, out, "fmt.each", "%d> " % i + spec)
        logger.warning("msg %s", "arg")


def scenario_percent_specs_all_in_one(lg, out):
    logger = _logger(lg, out, "fmt.all", " ".join(PERCENT_SPECS))
    logger.info("all %d %s", 1, "x")
    logger.log(7, "custom level")
    logger.critical("no args")


def scenario_percent_levels(lg, out):
    logger = _logger(lg, out, "fmt.levels", "%(levelname)s:%(levelno)d:%(message)s")
    for level in (lg.DEBUG, lg.INFO, lg.WARNING, lg.ERROR, lg.CRITICAL, 1, 15, 45, 99):
        logger.log(level, "at %d", level)
    logger.debug("d")
    logger.info("i")
    logger.warning("w")
    logger.error("e")
    logger.critical("c")
    logger.fatal("f")


def scenario_custom_level_names(lg, out):
    lg.addLevelName(25, "NOTICE")
    lg.addLevelName(5, "TRACE")
    lg.addLevelName(lg.WARNING, "WARN!")
    try:
        logger = _logger(lg, out, "fmt.custom", "[%(levelname)-7s] %(levelno)s %(message)s")
        logger.log(25, "notice")
        logger.log(5, "trace")
        logger.warning("renamed warning")
        logger.setLevel("NOTICE")
        logger.log(24, "hidden")
        logger.log(26, "shown")
        out.write("%r %r %r\n" % (lg.getLevelName(25), lg.getLevelName("TRACE"),
                                 lg.getLevelName(33)))
    finally:
        lg.addLevelName(lg.WARNING, "WARNING")


def scenario_brace_style(lg, out):
    logger = _logger(
        lg, out, "fmt.brace",
        "{name:>12}|{name:<12}|{name:^12}|{levelno:05d}|{levelname:*^11}|{lineno:x}|"
        "{lineno:>6}|{created:.2f}|{msecs:03.0f}|{relativeCreated:,.1f}|{thread:#x}|"
        "{message!r}|{funcName!s:<16}|{module!a}|{asctime}|{process:+d}|{{literal}}",
        style="{")
    logger.warning("brace %s", "style")
    logger.info("%(a)s", {"a": "dict"})


def scenario_brace_style_attribute_and_index_access(lg, out):
    logger = _logger(lg, out, "fmt.brace2", "{args[0]}|{name[0]}|{msg}|{message}", style="{")
    logger.error("x %s", "first")


def scenario_dollar_style(lg, out):
    logger = _logger(lg, out, "fmt.dollar",
                     "${levelname}|$name|${message}|$$|${lineno}|$funcName|${asctime}|$msecs",
                     style="$")
    logger.warning("dollar %d", 5)
    logger.error("again")


def scenario_default_format_and_basic_format(lg, out):
    logger = _logger(lg, out, "fmt.default")
    logger.warning("default fmt %s", "here")
    logger.handlers[0].setFormatter(lg.Formatter(lg.BASIC_FORMAT))
    logger.warning("basic")
    logger.handlers[0].setFormatter(None)
    logger.warning("no formatter")
    logger.handlers[0].setFormatter(lg.Formatter(style="{"))
    logger.warning("brace default")
    logger.handlers[0].setFormatter(lg.Formatter(style="$"))
    logger.warning("dollar default")


DATEFMTS = [None, "%Y-%m-%d %H:%M:%S", "%d/%b/%Y:%H:%M:%S", "%H:%M", "%j %U %w %a %A %b %B",
            "%y%m%d", "%I %p", "%%Y literal", "%c", "%x %X", "no directives", ""]


def scenario_datefmt(lg, out):
    for i, datefmt in enumerate(DATEFMTS):
        logger = _logger(lg, out, "fmt.date", "%d> %%(asctime)s|%%(message)s" % i, datefmt)
        logger.warning("when")
    for style, fmt in (("{", "{asctime} {message}"), ("$", "${asctime} $message")):
        logger = _logger(lg, out, "fmt.date", fmt, "%Y", style=style)
        logger.warning("styled")


def scenario_formatter_msec_formats(lg, out):
    fmt = lg.Formatter("%(asctime)s %(message)s")
    fmt.default_msec_format = "%s.%03d"
    logger = _logger(lg, out, "fmt.msec")
    logger.handlers[0].setFormatter(fmt)
    logger.warning("dot msecs")
    fmt.default_time_format = "%H:%M:%S"
    logger.warning("time only")
    fmt.default_msec_format = None
    logger.warning("no msecs")


def scenario_format_time_direct(lg, out):
    rec = lg.makeLogRecord({"msg": "m", "created": 86400.5, "msecs": 500.0})
    fmt = lg.Formatter()
    out.write(fmt.formatTime(rec) + "\n")
    out.write(fmt.formatTime(rec, "%Y/%m/%d") + "\n")
    out.write(repr(fmt.usesTime()) + " " + repr(lg.Formatter("%(asctime)s").usesTime()) + "\n")
    out.write(repr(lg.Formatter("{asctime}", style="{").usesTime()) + "\n")
    out.write(repr(lg.Formatter("$asctime", style="$").usesTime()) + "\n")


def scenario_formatter_defaults(lg, out):
    logger = _logger(lg, out, "fmt.defaults", "%(user)s|%(ip)s|%(message)s",
                     defaults={"user": "anon", "ip": "-"})
    logger.warning("no extra")
    logger.warning("with extra", extra={"user": "bob"})
    logger = _logger(lg, out, "fmt.defaults2", "{user}|{message}", style="{",
                     defaults={"user": "anon"})
    logger.warning("brace")


def scenario_extra_fields(lg, out):
    logger = _logger(lg, out, "fmt.extra",
                     "%(user)s|%(ip)-15s|%(count)04d|%(ratio).2f|%(items)s|%(message)s")
    logger.warning("req %s", "GET", extra={"user": "ann", "ip": "10.0.0.1", "count": 7,
                                           "ratio": 2 / 3, "items": [1, "a"]})


def scenario_message_args(lg, out):
    logger = _logger(lg, out, "fmt.args", "%(message)s|%(args)s")
    logger.warning("%(a)s and %(b)05.1f", {"a": "A", "b": 3.14159})
    logger.warning("single dict %s", {"k": "v"})
    logger.warning("empty dict %s", {})
    logger.warning("two %s %s", {"k": 1}, 2)
    logger.warning("tuple %s", (1, 2))
    logger.warning("percent no args 100%")
    logger.warning("%%s escaped %s", "x")
    logger.warning("%r %a %c %x %o %e", "q", "\u00e9", 65, 255, 8, 12345.678)
    logger.warning(42)
    logger.warning(["list", "msg"])
    logger.warning(None)
    logger.warning("unicode \u00e9\u4e2d\U0001f600 %s", "\u00df")
    logger.warning("multi\nline %s", "msg")

    class Msg:
        def __str__(self):
            return "custom msg %d"

    logger.warning(Msg(), 9)


def scenario_module_level_functions(lg, out):
    lg.basicConfig(filename=_capture.log_path(), level=lg.DEBUG, force=True,
                   format="%(levelname)s:%(name)s:%(funcName)s:%(lineno)d:%(message)s")
    lg.debug("d %s", 1)
    lg.info("i")
    lg.warning("w")
    lg.error("e")
    lg.critical("c")
    lg.log(lg.INFO, "l %(x)s", {"x": "y"})
    lg.getLogger("child.of.root").info("child")
    lg.basicConfig(stream=out, format="{levelname}|{message}", style="{", force=True)
    lg.warning("brace basic")
    lg.basicConfig(format="$levelname|$message|$asctime", style="$", force=True,
                   datefmt="%Y")
    lg.warning("dollar basic, to stderr")
    out.write("stderr: %r\n" % _capture.stderr_text())


def scenario_make_log_record_formatting(lg, out):
    fmt = lg.Formatter("%(name)s|%(levelname)s|%(levelno)s|%(pathname)s|%(filename)s|"
                       "%(module)s|%(lineno)d|%(funcName)s|%(message)s|%(asctime)s|%(msecs)d")
    rec = lg.makeLogRecord({"name": "made", "levelno": 30, "levelname": "WARNING",
                            "msg": "m %s", "args": ("a",), "pathname": "/x/y/z.py",
                            "lineno": 9, "created": 0.0, "msecs": 0.0})
    out.write(fmt.format(rec) + "\n")
    rec2 = lg.LogRecord("direct", 20, "/p/mod.name.py", 3, "%(k)s", ({"k": "v"},), None, "fn")
    rec2.created = 12.0
    rec2.msecs = 0.0
    out.write(fmt.format(rec2) + "\n")
    out.write(repr(rec2) + "\n")


def scenario_logger_adapter(lg, out):
    logger = _logger(lg, out, "fmt.adapter", "%(name)s|%(funcName)s|%(lineno)d|%(user)s|%(message)s")
    adapter = lg.LoggerAdapter(logger, {"user": "ada"})
    adapter.debug("d")
    adapter.info("i %s", "x")
    adapter.warning("w")
    adapter.error("e")
    adapter.critical("c")
    adapter.log(lg.INFO, "log %(a)s", {"a": 1})
    out.write(repr(adapter) + "\n")

    class Prefixed(lg.LoggerAdapter):
        def process(self, msg, kwargs):
            return "[%s] %s" % (self.extra["id"], msg), kwargs

    Prefixed(logger, {"id": 42, "user": "unused"}).warning("prefixed")
    lg.LoggerAdapter(logger, {"user": "stacked"}).info("lvl", stacklevel=1)


def scenario_formatter_validation_errors(lg, out):
    cases = [("%(message", "%"), ("%(message)z", "%"), ("no fields", "%"), ("{message", "{"),
             ("{}", "{"), ("plain", "{"), ("$", "$"), ("plain", "$"), ("%(message)s", "?"),
             ("{message!x}", "{"), ("{message:d}", "{")]
    for fmt, style in cases:
        try:
            lg.Formatter(fmt, style=style)
            out.write("ok %r %r\n" % (fmt, style))
        except Exception as e:  # noqa: BLE001 (the exception itself is compared)
            out.write("%s %r %r: %s\n" % (type(e).__name__, fmt, style, e))
    lg.Formatter("%(message", validate=False)
    out.write("validate=False accepted\n")


def scenario_format_missing_field_error(lg, out):
    fmt = lg.Formatter("%(nope)s %(message)s")
    rec = lg.makeLogRecord({"msg": "m"})
    try:
        fmt.format(rec)
    except Exception as e:  # noqa: BLE001
        out.write("%s: %s\n" % (type(e).__name__, e))
    fmt = lg.Formatter("{nope} {message}", style="{")
    try:
        fmt.format(rec)
    except Exception as e:  # noqa: BLE001
        out.write("%s: %s\n" % (type(e).__name__, e))


def scenario_stream_handlers(lg, out):
    """StreamHandler on sys.stderr (a real descriptor) and on a Python stream (``out``)."""
    logger = lg.getLogger("fmt.streams")
    logger.setLevel(1)
    logger.propagate = False
    to_stderr = lg.StreamHandler()
    to_stderr.setFormatter(lg.Formatter("E|%(levelname)-8s|%(name)s|%(funcName)s:%(lineno)d|"
                                        "%(asctime)s|%(message)s"))
    to_out = lg.StreamHandler(out)
    to_out.setFormatter(lg.Formatter("O|{levelname}|{message!r}|{thread}", style="{"))
    logger.handlers[:] = [to_stderr, to_out]
    logger.info("both %s %d", "streams", 2)
    logger.warning("unicode \u00e9\u4e2d")
    to_stderr.terminator = "<EOL>\n"
    logger.error("new terminator")
    to_out.setLevel(lg.CRITICAL)
    logger.error("stderr only")
    out.write("stderr:\n" + _capture.stderr_text())


def scenario_reprs(lg, out):
    logger = lg.getLogger("fmt.repr")
    logger.setLevel(lg.INFO)
    out.write(repr(logger) + "\n")
    out.write(repr(lg.getLogger()) + "\n")
    h = lg.StreamHandler(out)
    h.setLevel(lg.ERROR)
    out.write(repr(h) + "\n")
    out.write(repr(lg.NullHandler()) + "\n")
    out.write(repr(lg.makeLogRecord({"name": "n", "levelno": 20, "pathname": "p", "lineno": 4,
                                     "msg": "hello"})) + "\n")


def scenario_buffering_formatter(lg, out):
    recs = [lg.makeLogRecord({"msg": "r%d" % i}) for i in range(3)]
    out.write(repr(lg.BufferingFormatter().format(recs)) + "\n")
    out.write(repr(lg.BufferingFormatter(lg.Formatter("<%(message)s>")).format(recs)) + "\n")
    out.write(repr(lg.BufferingFormatter().format([])) + "\n")

    class HF(lg.BufferingFormatter):
        def formatHeader(self, records):
            return "H%d|" % len(records)

        def formatFooter(self, records):
            return "|F"

    out.write(HF().format(recs) + "\n")


def _through_file(lg, out, fmt, calls, datefmt=None, style="%", **handler_kwargs):
    """Log ``calls`` through a FileHandler (the engine's native path) and copy the file to out."""
    import os
    import tempfile

    fd, path = tempfile.mkstemp(suffix=".log")
    os.close(fd)
    try:
        handler = lg.FileHandler(path, **handler_kwargs)
        handler.setFormatter(lg.Formatter(fmt, datefmt, style))
        logger = lg.getLogger("file.%d" % len(calls))
        logger.handlers[:] = [handler]
        logger.setLevel(1)
        logger.propagate = False
        for method, args, kwargs in calls:
            getattr(logger, method)(*args, **kwargs)
        handler.close()
        with open(path, "rb") as f:
            out.write(repr(f.read()) + "\n")
    finally:
        os.unlink(path)


FILE_CALLS = [
    ("info", ("plain",), {}),
    ("warning", ("args %s %d %r", "a", 2, "c"), {}),
    ("error", ("%(k)s %(n)05.1f", {"k": "dict", "n": 2.5}), {}),
    ("critical", ("unicode \u00e9\u4e2d\U0001f600",), {}),
    ("log", (33, "custom level"), {}),
    ("debug", (["not", "a", "string"],), {}),
    ("info", ("extra",), {"extra": {"user": "u"}}),
    ("info", ("multi\nline",), {}),
]


def scenario_file_handler_percent_specs(lg, out):
    for spec in PERCENT_SPECS:
        _through_file(lg, out, "%(levelname)s|" + spec, FILE_CALLS)


def scenario_file_handler_styles_and_datefmt(lg, out):
    _through_file(lg, out, "{levelname:>8}|{name}|{message!r}|{asctime}|{lineno:04d}", FILE_CALLS,
                  style="{")
    _through_file(lg, out, "${levelname}|$name|${message}|${asctime}", FILE_CALLS, style="$")
    for datefmt in DATEFMTS:
        _through_file(lg, out, "%(asctime)s %(message)s", FILE_CALLS[:1], datefmt=datefmt)


def scenario_file_handler_encodings(lg, out):
    for encoding, errors in (("utf-8", None), ("latin-1", "replace"), ("ascii", "ignore"),
                             ("ascii", "backslashreplace"), ("utf-16", None),
                             ("ascii", "xmlcharrefreplace"), ("cp1252", "replace")):
        _through_file(lg, out, "%(message)s", FILE_CALLS, encoding=encoding, errors=errors)


def test_same_output(scenario, compare):
    compare(scenario)
