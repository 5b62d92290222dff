"""Logger hierarchy, levels and their cache, wrong input, subclass overrides, adapters."""

import io
import pickle

import pytest

import femtologging as fl


# --- hierarchy ---------------------------------------------------------------------------------


def test_getlogger_returns_same_object_and_root_for_no_name(name):
    assert fl.getLogger(name) is fl.getLogger(name)
    assert fl.getLogger() is fl.root
    assert fl.getLogger("") is fl.root
    assert fl.getLogger("root") is fl.root
    assert fl.root.name == "root"


def test_dotted_name_parent_is_nearest_existing_ancestor(name):
    top = fl.getLogger(name)
    leaf = fl.getLogger(name + ".a.b.c")
    assert leaf.parent is top
    assert top.parent is fl.root


def test_placeholder_created_for_missing_ancestors(name):
    leaf = fl.getLogger(name + ".x.y")
    node = fl.Logger.manager.loggerDict[name + ".x"]
    assert isinstance(node, fl.PlaceHolder)
    assert leaf in node.loggerMap
    assert leaf.parent is fl.root


def test_placeholder_fixed_up_when_parent_created_later(name):
    leaf1 = fl.getLogger(name + ".mid.leaf1")
    leaf2 = fl.getLogger(name + ".mid.leaf2")
    deeper = fl.getLogger(name + ".mid.sub.leaf3")
    mid = fl.getLogger(name + ".mid")
    assert isinstance(mid, fl.Logger)
    assert fl.Logger.manager.loggerDict[name + ".mid"] is mid
    assert leaf1.parent is mid
    assert leaf2.parent is mid
    assert deeper.parent is mid
    assert mid.parent is fl.root
    top = fl.getLogger(name)
    assert mid.parent is top
    assert leaf1.parent is mid


def test_getchild_builds_dotted_names(name):
    parent = fl.getLogger(name)
    child = parent.getChild("c.d")
    assert child is fl.getLogger(name + ".c.d")
    assert fl.root.getChild(name) is parent


def test_records_propagate_to_ancestor_handlers(name, list_handler_class):
    parent = fl.getLogger(name)
    h = list_handler_class()
    parent.addHandler(h)
    parent.propagate = False
    child = fl.getLogger(name + ".child")
    child.setLevel(fl.INFO)
    child.info("up")
    assert [r.getMessage() for r in h.records] == ["up"]
    assert h.records[0].name == name + ".child"


def test_propagate_false_stops_at_logger(name, list_handler_class):
    parent = fl.getLogger(name)
    ph = list_handler_class()
    parent.addHandler(ph)
    parent.propagate = False
    child = fl.getLogger(name + ".child")
    ch = list_handler_class()
    child.addHandler(ch)
    child.propagate = False
    child.warning("only here")
    assert len(ch.records) == 1
    assert ph.records == []


def test_disabled_logger_drops_records(collect):
    logger, h = collect
    logger.disabled = True
    logger.critical("gone")
    assert h.records == []
    assert not logger.isEnabledFor(fl.CRITICAL)
    logger.disabled = False
    logger.critical("back")
    assert [r.msg for r in h.records] == ["back"]


def test_handler_level_filters(collect):
    logger, h = collect
    h.setLevel(fl.ERROR)
    logger.warning("no")
    logger.error("yes")
    assert [r.msg for r in h.records] == ["yes"]


def test_add_handler_twice_keeps_one_and_remove(collect):
    logger, h = collect
    logger.addHandler(h)
    assert logger.handlers.count(h) == 1
    logger.removeHandler(h)
    assert h not in logger.handlers
    logger.removeHandler(h)  # removing an absent handler is fine


def test_has_handlers_follows_propagation(name, list_handler_class):
    parent = fl.getLogger(name)
    child = fl.getLogger(name + ".c")
    saved = fl.root.handlers[:]
    fl.root.handlers[:] = []
    try:
        assert not child.hasHandlers()
        parent.addHandler(list_handler_class())
        assert child.hasHandlers()
        child.propagate = False
        assert not child.hasHandlers()
    finally:
        fl.root.handlers[:] = saved


# --- levels and the cache ----------------------------------------------------------------------


def test_effective_level_inherited_from_nearest_set_ancestor(name):
    top = fl.getLogger(name)
    leaf = fl.getLogger(name + ".a.b")
    fl.root.setLevel(fl.WARNING)
    assert leaf.getEffectiveLevel() == fl.WARNING
    top.setLevel(fl.DEBUG)
    assert leaf.getEffectiveLevel() == fl.DEBUG
    assert leaf.level == fl.NOTSET


def test_setting_parent_level_after_child_query_invalidates_cache(name):
    parent = fl.getLogger(name)
    child = fl.getLogger(name + ".child")
    parent.setLevel(fl.ERROR)
    assert not child.isEnabledFor(fl.INFO)
    assert child.getEffectiveLevel() == fl.ERROR
    parent.setLevel(fl.DEBUG)
    assert child.isEnabledFor(fl.INFO)
    assert child.getEffectiveLevel() == fl.DEBUG


def test_root_level_change_reaches_cached_descendant(name):
    leaf = fl.getLogger(name + ".deep.leaf")
    fl.root.setLevel(fl.CRITICAL)
    assert not leaf.isEnabledFor(fl.ERROR)
    fl.root.setLevel(fl.INFO)
    assert leaf.isEnabledFor(fl.ERROR)


def test_cache_contents_and_clearing(name):
    parent = fl.getLogger(name)
    child = fl.getLogger(name + ".c")
    parent.setLevel(fl.INFO)
    assert child._cache == {}
    child.isEnabledFor(fl.DEBUG)
    child.isEnabledFor(fl.WARNING)
    assert child._cache == {fl.DEBUG: False, fl.WARNING: True}
    parent.setLevel(fl.ERROR)
    assert child._cache == {}
    assert parent._cache == {}


def test_cache_cleared_by_disable(name):
    logger = fl.getLogger(name)
    logger.setLevel(fl.DEBUG)
    logger.isEnabledFor(fl.INFO)
    assert logger._cache == {fl.INFO: True}
    fl.disable(fl.INFO)
    assert logger._cache == {}
    assert not logger.isEnabledFor(fl.INFO)
    assert logger._cache == {fl.INFO: False}


def test_level_methods_respect_level(collect):
    logger, h = collect
    logger.setLevel(fl.WARNING)
    logger.debug("d")
    logger.info("i")
    logger.warning("w")
    logger.error("e")
    logger.critical("c")
    logger.fatal("f")
    logger.log(fl.INFO, "li")
    logger.log(fl.WARNING + 1, "lw")
    assert [(r.levelno, r.levelname, r.msg) for r in h.records] == [
        (30, "WARNING", "w"), (40, "ERROR", "e"), (50, "CRITICAL", "c"),
        (50, "CRITICAL", "f"), (31, "Level 31", "lw")]


def test_setlevel_accepts_names_and_numbers(name):
    logger = fl.getLogger(name)
    logger.setLevel("ERROR")
    assert logger.level == fl.ERROR
    logger.setLevel("WARN")
    assert logger.level == fl.WARNING
    logger.setLevel(15)
    assert logger.level == 15
    assert logger.getEffectiveLevel() == 15
    logger.setLevel(0)
    fl.root.setLevel("CRITICAL")
    assert logger.getEffectiveLevel() == fl.CRITICAL


def test_add_level_name_makes_name_usable(name):
    fl.addLevelName(25, "NOTICE")
    logger = fl.getLogger(name)
    logger.setLevel("NOTICE")
    assert logger.level == 25
    assert fl.getLevelName(25) == "NOTICE"
    assert fl.getLevelName("NOTICE") == 25
    assert fl.getLevelName(26) == "Level 26"
    assert fl.getLevelNamesMapping()["NOTICE"] == 25


def test_manager_disable_and_disable_function(collect):
    logger, h = collect
    fl.disable(fl.WARNING)
    assert fl.Logger.manager.disable == fl.WARNING
    logger.warning("dropped")
    logger.error("kept")
    fl.disable(fl.NOTSET)
    logger.warning("again")
    assert [r.msg for r in h.records] == ["kept", "again"]
    fl.disable()
    assert fl.Logger.manager.disable == fl.CRITICAL
    logger.critical("dropped too")
    assert len(h.records) == 2


def test_manager_disable_attribute_assignment(collect):
    logger, h = collect
    fl.Logger.manager.disable = fl.ERROR
    fl.Logger.manager._clear_cache()
    logger.error("dropped")
    logger.critical("kept")
    assert [r.msg for r in h.records] == ["kept"]


def test_logger_repr(name):
    logger = fl.getLogger(name)
    logger.setLevel(fl.INFO)
    assert repr(logger) == "<Logger %s (INFO)>" % name
    assert repr(fl.root).startswith("<RootLogger root (")


def test_logger_pickles_by_name(name):
    logger = fl.getLogger(name + ".p")
    assert pickle.loads(pickle.dumps(logger)) is logger
    assert pickle.loads(pickle.dumps(fl.root)) is fl.root


# --- wrong input -------------------------------------------------------------------------------


def test_setlevel_unknown_name_raises_valueerror(name):
    with pytest.raises(ValueError):
        fl.getLogger(name).setLevel("NOPE")


def test_setlevel_float_raises_typeerror(name):
    with pytest.raises(TypeError):
        fl.getLogger(name).setLevel(1.5)


def test_log_with_string_level_raises_typeerror(collect):
    logger, h = collect
    with pytest.raises(TypeError):
        logger.log("x", "msg")
    assert h.records == []


def test_log_with_string_level_silent_without_raise_exceptions(collect):
    logger, h = collect
    fl.raiseExceptions = False
    logger.log("x", "msg")
    assert h.records == []


def test_getlogger_non_string_raises_typeerror():
    with pytest.raises(TypeError):
        fl.getLogger(1)
    with pytest.raises(TypeError):
        fl.Logger.manager.getLogger(b"bytes")


@pytest.mark.parametrize("key", ["msg", "message", "asctime", "levelno", "name"])
def test_extra_overwriting_record_attribute_raises_keyerror(collect, key):
    logger, h = collect
    with pytest.raises(KeyError):
        logger.info("x", extra={key: 1})
    assert h.records == []


def test_setloggerclass_rejects_non_logger():
    with pytest.raises(TypeError):
        fl.setLoggerClass(int)
    with pytest.raises(TypeError):
        fl.Logger.manager.setLoggerClass(dict)


def test_unexpected_keyword_raises_typeerror(collect):
    logger, _ = collect
    with pytest.raises(TypeError):
        logger.info("x", colour="red")


def test_missing_msg_raises_typeerror(collect):
    logger, _ = collect
    with pytest.raises(TypeError):
        logger.info()


# --- subclass overrides ------------------------------------------------------------------------


def _subclass_logger(klass, name, list_handler_class):
    fl.setLoggerClass(klass)
    logger = fl.getLogger(name)
    fl.setLoggerClass(fl.Logger)
    assert type(logger) is klass
    handler = list_handler_class()
    logger.addHandler(handler)
    logger.setLevel(fl.DEBUG)
    logger.propagate = False
    return logger, handler


def test_subclass_make_record_is_called(name, list_handler_class):
    calls = []

    class L(fl.Logger):
        def makeRecord(self, *args, **kwargs):
            rv = super().makeRecord(*args, **kwargs)
            rv.tagged = True
            calls.append(args[0])
            return rv

    logger, h = _subclass_logger(L, name, list_handler_class)
    logger.info("one")
    assert calls == [name]
    assert h.records[0].tagged is True


def test_subclass_make_record_receives_extra(name, list_handler_class):
    seen = []

    class L(fl.Logger):
        def makeRecord(self, name, level, fn, lno, msg, args, exc_info,
                       func=None, extra=None, sinfo=None):
            seen.append((level, msg, args, extra, func))
            return super().makeRecord(name, level, fn, lno, msg, args, exc_info,
                                      func, extra, sinfo)

    logger, h = _subclass_logger(L, name, list_handler_class)

    def caller_fn():
        logger.warning("m %s", 5, extra={"k": "v"})

    caller_fn()
    assert seen == [(fl.WARNING, "m %s", (5,), {"k": "v"}, "caller_fn")]
    assert h.records[0].k == "v"


def test_subclass_handle_is_called(name, list_handler_class):
    class L(fl.Logger):
        def handle(self, record):
            record.msg = record.msg.upper()
            super().handle(record)

    logger, h = _subclass_logger(L, name, list_handler_class)
    logger.error("shout")
    assert [r.msg for r in h.records] == ["SHOUT"]


def test_subclass_call_handlers_is_called(name, list_handler_class):
    class L(fl.Logger):
        def callHandlers(self, record):
            if record.msg != "drop":
                super().callHandlers(record)

    logger, h = _subclass_logger(L, name, list_handler_class)
    logger.info("drop")
    logger.info("keep")
    assert [r.msg for r in h.records] == ["keep"]


def test_subclass_find_caller_is_called(name, list_handler_class):
    class L(fl.Logger):
        def findCaller(self, stack_info=False, stacklevel=1):
            return ("/made/up.py", 4242, "invented", "SINFO" if stack_info else None)

    logger, h = _subclass_logger(L, name, list_handler_class)
    logger.info("x", stack_info=True)
    r = h.records[0]
    assert (r.pathname, r.filename, r.module, r.lineno, r.funcName, r.stack_info) == (
        "/made/up.py", "up.py", "up", 4242, "invented", "SINFO")


def test_subclass_log_is_called(name, list_handler_class):
    calls = []

    class L(fl.Logger):
        def _log(self, level, msg, args, **kwargs):
            calls.append((level, msg, args, kwargs))
            super()._log(level, msg, args, **kwargs)

    logger, h = _subclass_logger(L, name, list_handler_class)
    logger.warning("a %s", "b", stack_info=False)
    logger.exception("exc")
    assert calls[0] == (fl.WARNING, "a %s", ("b",), {"stack_info": False})
    assert calls[1][0] == fl.ERROR and calls[1][3] == {"exc_info": True}
    assert [r.getMessage() for r in h.records] == ["a b", "exc"]


def test_subclass_is_enabled_for_is_called(name, list_handler_class):
    class L(fl.Logger):
        def isEnabledFor(self, level):
            return level == fl.DEBUG

    logger, h = _subclass_logger(L, name, list_handler_class)
    logger.debug("d")
    logger.critical("c")
    assert [r.msg for r in h.records] == ["d"]


def test_manager_logger_class_used_for_new_loggers(name):
    class L(fl.Logger):
        pass

    fl.Logger.manager.setLoggerClass(L)
    try:
        assert type(fl.getLogger(name + ".m")) is L
    finally:
        fl.Logger.manager.loggerClass = None
    assert type(fl.getLogger(name + ".n")) is fl.Logger


def test_logger_instances_allow_new_attributes(name):
    logger = fl.getLogger(name)
    logger.custom = 3
    assert fl.getLogger(name).custom == 3


# --- LoggerAdapter -----------------------------------------------------------------------------


def test_adapter_adds_extra_and_delegates_levels(collect):
    logger, h = collect
    adapter = fl.LoggerAdapter(logger, {"user": "ann"})
    adapter.info("hello %s", "there")
    logger.setLevel(fl.ERROR)
    adapter.warning("dropped")
    assert adapter.getEffectiveLevel() == fl.ERROR
    assert not adapter.isEnabledFor(fl.WARNING)
    assert adapter.name == logger.name
    assert [(r.getMessage(), r.user) for r in h.records] == [("hello there", "ann")]


def test_adapter_process_override(collect):
    logger, h = collect

    class A(fl.LoggerAdapter):
        def process(self, msg, kwargs):
            return "[%s] %s" % (self.extra["id"], msg), kwargs

    A(logger, {"id": 7}).error("boom")
    assert [r.msg for r in h.records] == ["[7] boom"]


def test_adapter_exception_includes_exc_info(collect):
    logger, h = collect
    adapter = fl.LoggerAdapter(logger, {})
    try:
        raise KeyError("k")
    except KeyError:
        adapter.exception("failed")
    r = h.records[0]
    assert r.levelno == fl.ERROR
    assert r.exc_info[0] is KeyError


# --- module-level functions --------------------------------------------------------------------


def test_module_level_functions_configure_root_when_unconfigured(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    fl.root.handlers[:] = []
    fl.root.setLevel(fl.WARNING)
    fl.warning("w %d", 1)
    fl.info("not shown")
    fl.error("e")
    assert len(fl.root.handlers) == 1
    assert stream.getvalue() == "WARNING:root:w 1\nERROR:root:e\n"


def test_module_level_log_and_exception(capture):
    _, stream = capture
    h = fl.StreamHandler(stream)
    fl.root.handlers[:] = [h]
    fl.root.setLevel(fl.DEBUG)
    fl.log(fl.INFO, "l")
    fl.debug("d")
    fl.critical("c")
    try:
        1 / 0
    except ZeroDivisionError:
        fl.exception("ex")
    out = stream.getvalue()
    assert out.startswith("l\nd\nc\nex\nTraceback (most recent call last):\n")
    assert out.endswith("ZeroDivisionError: division by zero\n")


# --- unusual but valid uses --------------------------------------------------------------------


def test_orphan_logger_outside_the_hierarchy(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    orphan = fl.Logger("orphan")
    assert orphan.parent is None
    assert orphan.getEffectiveLevel() == fl.NOTSET
    assert orphan.isEnabledFor(1)
    orphan.info("below last resort")
    orphan.warning("to last resort")
    assert err.getvalue() == "to last resort\n"


def test_levels_outside_the_usual_range(collect):
    logger, h = collect
    logger.isEnabledFor(100)
    logger.isEnabledFor(-5)
    assert logger._cache == {100: True, -5: False}
    logger.log(2 ** 40, "huge")
    assert h.records[0].levelno == 2 ** 40
    assert h.records[0].levelname == "Level %d" % 2 ** 40


def test_setlevel_accepts_any_integer(name):
    logger = fl.getLogger(name)
    logger.setLevel(2 ** 40)
    assert logger.level == 2 ** 40
    assert not logger.isEnabledFor(fl.CRITICAL)
    logger.setLevel(-1)
    assert logger.getEffectiveLevel() == -1


def test_replacing_handlers_and_filters_lists(name, list_handler_class):
    logger = fl.getLogger(name)
    logger.propagate = False
    h = list_handler_class()
    logger.handlers = [h]
    logger.filters = [lambda r: r.msg != "no"]
    logger.warning("no")
    logger.warning("yes")
    assert [r.msg for r in h.records] == ["yes"]


def test_renamed_logger_names_its_records(collect):
    logger, h = collect
    old = logger.name
    logger.name = old + "-renamed"
    try:
        logger.info("x")
    finally:
        logger.name = old
    assert h.records[0].name == old + "-renamed"


def test_handle_and_call_handlers_called_directly(collect):
    logger, h = collect
    rec = fl.makeLogRecord({"name": "elsewhere", "msg": "direct", "levelno": fl.INFO})
    logger.handle(rec)
    logger.callHandlers(rec)
    logger.disabled = True
    logger.handle(rec)
    assert h.records == [rec, rec]


def test_handler_level_compared_with_record_levelno(collect):
    logger, h = collect
    h.setLevel(fl.INFO)
    logger.callHandlers(fl.makeLogRecord({"msg": "low", "levelno": fl.DEBUG}))
    logger.callHandlers(fl.makeLogRecord({"msg": "high", "levelno": fl.INFO}))
    assert [r.msg for r in h.records] == ["high"]


def test_logging_from_many_threads_loses_nothing(collect):
    import threading

    logger, h = collect

    def work(n):
        for i in range(300):
            logger.info("t%d-%d", n, i)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = sorted(r.getMessage() for r in h.records)
    assert got == sorted("t%d-%d" % (n, i) for n in range(4) for i in range(300))
