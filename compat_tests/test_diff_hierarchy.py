"""Differential tests: logger hierarchy, levels, level cache, propagation, filters, disable."""

import _capture


def _tree(lg, prefix):
    """The manager's view of every name under ``prefix``: kind, parent, levels."""
    lines = []
    for name in sorted(lg.Logger.manager.loggerDict):
        if name != prefix and not name.startswith(prefix + "."):
            continue
        node = lg.Logger.manager.loggerDict[name]
        if isinstance(node, lg.PlaceHolder):
            lines.append("%s: PlaceHolder for %s" % (
                name, sorted(x.name for x in node.loggerMap)))
        else:
            lines.append("%s: %s parent=%s level=%d effective=%d propagate=%r" % (
                name, type(node).__name__, node.parent.name, node.level,
                node.getEffectiveLevel(), node.propagate))
    return "\n".join(lines) + "\n"


def _logger(lg, out, name, fmt="%(name)s:%(levelname)s:%(message)s"):
    handler = _capture.handler(lg, fmt)
    logger = lg.getLogger(name)
    logger.handlers[:] = [handler]
    return logger


def scenario_placeholders_and_fixups(lg, out):
    lg.getLogger("h.a.b.c")
    lg.getLogger("h.a.x")
    out.write(_tree(lg, "h"))
    lg.getLogger("h.a")
    out.write(_tree(lg, "h"))
    lg.getLogger("h")
    lg.getLogger("h.a.b")
    out.write(_tree(lg, "h"))
    out.write("%r %r\n" % (lg.getLogger("h").getChild("a.b") is lg.getLogger("h.a.b"),
                          lg.getLogger("h.a").getChild("q").name))


def scenario_level_inheritance_and_cache(lg, out):
    top = lg.getLogger("lv")
    mid = lg.getLogger("lv.mid")
    leaf = lg.getLogger("lv.mid.leaf")
    lg.root.setLevel(lg.WARNING)
    for level in (lg.DEBUG, lg.INFO, lg.WARNING, 35):
        out.write("leaf enabled for %d: %r\n" % (level, leaf.isEnabledFor(level)))
    out.write("leaf cache %r, mid cache %r\n" % (sorted(leaf._cache.items()),
                                                 sorted(mid._cache.items())))
    top.setLevel(lg.INFO)
    out.write("after top.setLevel: leaf cache %r\n" % (sorted(leaf._cache.items()),))
    out.write("leaf enabled for INFO: %r\n" % leaf.isEnabledFor(lg.INFO))
    mid.setLevel("ERROR")
    out.write("leaf effective %d, enabled INFO %r\n" % (leaf.getEffectiveLevel(),
                                                      leaf.isEnabledFor(lg.INFO)))
    mid.setLevel(lg.NOTSET)
    top.setLevel(lg.NOTSET)
    out.write("back to root: %d\n" % leaf.getEffectiveLevel())
    out.write(_tree(lg, "lv"))
    leaf.isEnabledFor(lg.ERROR)
    lg.disable(lg.ERROR)
    out.write("after disable: cache %r enabled ERROR %r CRITICAL %r\n" % (
        sorted(leaf._cache.items()), leaf.isEnabledFor(lg.ERROR),
        leaf.isEnabledFor(lg.CRITICAL)))
    out.write("manager.disable %r\n" % lg.Logger.manager.disable)
    lg.disable()
    out.write("disable() -> %r, CRITICAL %r\n" % (lg.Logger.manager.disable,
                                                   leaf.isEnabledFor(lg.CRITICAL)))
    lg.disable(lg.NOTSET)
    leaf.disabled = True
    out.write("disabled: %r cache %r\n" % (leaf.isEnabledFor(lg.CRITICAL), leaf._cache))


def scenario_propagation_and_handler_levels(lg, out):
    parent = _logger(lg, out, "pr", "P|%(name)s|%(message)s")
    child = _logger(lg, out, "pr.child", "C|%(name)s|%(message)s")
    parent.propagate = False
    parent.setLevel(lg.DEBUG)
    child.info("both")
    child.handlers[0].setLevel(lg.ERROR)
    child.info("parent only")
    child.error("both again")
    child.propagate = False
    child.error("child only")
    parent.handlers[0].setLevel(lg.CRITICAL)
    child.propagate = True
    child.error("child handler only")
    lg.getLogger("pr.child.grand").critical("grandchild")
    out.write("%r %r\n" % (child.hasHandlers(), lg.getLogger("pr.other").hasHandlers()))


def scenario_filters(lg, out):
    logger = _logger(lg, out, "fi", "%(name)s:%(message)s")
    logger.setLevel(lg.DEBUG)
    logger.propagate = False
    sub = lg.getLogger("fi.sub")
    other = lg.getLogger("fi.subother")
    logger.handlers[0].addFilter(lg.Filter("fi.sub"))
    logger.info("top")
    sub.info("sub")
    other.info("other")
    lg.getLogger("fi.sub.deeper").info("deeper")
    logger.handlers[0].filters.clear()

    def only_odd(record):
        return record.getMessage().endswith(("1", "3"))

    logger.addFilter(only_odd)
    for i in range(4):
        logger.info("n%d", i)
    logger.removeFilter(only_odd)

    class Tag(lg.Filter):
        def filter(self, record):
            record.msg = "[tagged] " + record.msg
            return True

    logger.addFilter(Tag())
    logger.info("tagged")
    sub.info("not tagged: logger filters do not apply to children")


def scenario_adapter_and_levels_by_name(lg, out):
    logger = _logger(lg, out, "ad", "%(levelname)s:%(message)s:%(k)s")
    logger.propagate = False
    for level in ("DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "FATAL", 15):
        logger.setLevel(level)
        out.write("%r -> %r (%s)\n" % (level, logger.level, lg.getLevelName(logger.level)))
    adapter = lg.LoggerAdapter(logger, {"k": "v"})
    adapter.setLevel(lg.INFO)
    adapter.debug("hidden")
    adapter.info("shown")
    out.write("%r %r %r\n" % (adapter.getEffectiveLevel(), adapter.isEnabledFor(lg.DEBUG),
                              adapter.hasHandlers()))
    out.write(repr(adapter) + "\n")


def scenario_bad_input_errors(lg, out):
    logger = lg.getLogger("bad")

    def attempt(label, fn):
        try:
            fn()
            out.write("%s: no error\n" % label)
        except Exception as e:  # noqa: BLE001 (type and message are compared)
            out.write("%s: %s: %s\n" % (label, type(e).__name__, e))

    attempt("setLevel('NOPE')", lambda: logger.setLevel("NOPE"))
    attempt("setLevel(1.5)", lambda: logger.setLevel(1.5))
    attempt("setLevel(None)", lambda: logger.setLevel(None))
    attempt("log('x')", lambda: logger.log("x", "m"))
    attempt("getLogger(1)", lambda: lg.getLogger(1))
    attempt("setLoggerClass(int)", lambda: lg.setLoggerClass(int))
    attempt("extra msg", lambda: logger.error("m", extra={"msg": 1}))
    attempt("unknown kwarg", lambda: logger.error("m", bogus=1))
    attempt("basicConfig both", lambda: lg.basicConfig(filename="x.log", stream=object()))
    attempt("basicConfig unknown", lambda: lg.basicConfig(handlers=[lg.NullHandler()], nope=1))
    attempt("basicConfig style", lambda: lg.basicConfig(style="#", force=True))
    attempt("handler setLevel", lambda: lg.Handler().setLevel("LOUD"))
    lg.raiseExceptions = False
    attempt("log('x') quiet", lambda: logger.log("x", "m"))


def scenario_logger_subclass_overrides(lg, out):
    class Traced(lg.Logger):
        def isEnabledFor(self, level):
            out.write("isEnabledFor(%r)\n" % level)
            return super().isEnabledFor(level)

        def _log(self, level, msg, args, **kwargs):
            out.write("_log(%r, %r, %r, %r)\n" % (level, msg, args, sorted(kwargs)))
            return super()._log(level, msg, args, **kwargs)

        def findCaller(self, stack_info=False, stacklevel=1):
            rv = super().findCaller(stack_info, stacklevel)
            out.write("findCaller(%r, %r) -> %r\n" % (stack_info, stacklevel, rv[:3]))
            return rv

        def makeRecord(self, *args, **kwargs):
            out.write("makeRecord(%r)\n" % (args[:2],))
            return super().makeRecord(*args, **kwargs)

        def handle(self, record):
            out.write("handle(%r)\n" % record.getMessage())
            return super().handle(record)

        def callHandlers(self, record):
            out.write("callHandlers(%r)\n" % record.getMessage())
            return super().callHandlers(record)

    lg.setLoggerClass(Traced)
    try:
        logger = _logger(lg, out, "sub.traced", "out: %(funcName)s:%(lineno)d %(message)s")
    finally:
        lg.setLoggerClass(lg.Logger)
    logger.propagate = False
    logger.setLevel(lg.INFO)
    out.write("type %s\n" % type(logger).__name__)
    logger.debug("hidden")
    logger.info("shown %d", 1)
    logger.warning("stack", stacklevel=1)
    logger.log(lg.ERROR, "log %s", "x")
    try:
        1 / 0
    except ZeroDivisionError:
        logger.exception("exc")
    lg.LoggerAdapter(logger, {"a": 1}).warning("adapter")
    out.write("child type %s\n" % type(lg.getLogger("sub.traced.child")).__name__)


def test_same_output(scenario, compare):
    compare(scenario)
