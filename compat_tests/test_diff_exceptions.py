"""Differential tests: exceptions, stack_info, stacklevel, handleError and lastResort output.

Both libraries run this same file, so the tracebacks and stacks they print name the same
files and lines and must match byte for byte.
"""

import sys

import _capture


def _logger(lg, out, name, fmt="%(levelname)s %(funcName)s:%(lineno)d %(message)s"):
    handler = _capture.handler(lg, fmt)
    logger = lg.getLogger(name)
    logger.handlers[:] = [handler]
    logger.setLevel(1)
    logger.propagate = False
    return logger


def _fail(depth):
    if depth == 0:
        return {}["missing"]
    return _fail(depth - 1)


def _log_exception(logger, **kwargs):
    """The shared logging call: raise three frames down, then log from the except clause."""
    try:
        _fail(2)
    except KeyError:
        logger.exception("failed %s", "here", **kwargs)


def scenario_exception_in_except(lg, out):
    logger = _logger(lg, out, "exc.basic")
    _log_exception(logger)
    _log_exception(logger, stack_info=True)
    _log_exception(logger, extra={"k": 1})


def scenario_exception_levels_and_exc_info_forms(lg, out):
    logger = _logger(lg, out, "exc.forms")
    try:
        _fail(1)
    except KeyError as e:
        err = e
        logger.error("exc_info=True", exc_info=True)
        logger.critical("exc_info=instance", exc_info=e)
        logger.warning("exc_info=tuple", exc_info=sys.exc_info())
        logger.info("exc_info=False", exc_info=False)
        logger.log(25, "log with exc_info", exc_info=1)
    logger.error("instance after except", exc_info=err)
    logger.error("exc_info=True outside except", exc_info=True)
    logger.exception("exception() outside except")
    logger.error("bare instance", exc_info=ValueError("never raised"))


def scenario_chained_exceptions(lg, out):
    logger = _logger(lg, out, "exc.chain")
    try:
        try:
            _fail(0)
        except KeyError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError:
        logger.exception("explicit cause")
    try:
        try:
            1 / 0
        except ZeroDivisionError:
            int("not a number")
    except ValueError:
        logger.exception("implicit context")
    try:
        try:
            1 / 0
        except ZeroDivisionError:
            raise LookupError("suppressed") from None
    except LookupError:
        logger.exception("from None")


def scenario_exception_notes_groups_and_syntax_errors(lg, out):
    logger = _logger(lg, out, "exc.special")
    try:
        err = ValueError("with notes\nsecond line")
        err.add_note("note one")
        err.add_note("note two")
        raise err
    except ValueError:
        logger.exception("notes")
    try:
        raise ExceptionGroup("group", [KeyError("a"), TypeError("b")])
    except ExceptionGroup:
        logger.exception("group")
    try:
        compile("x = (1,\n", "<snippet>", "exec")
    except SyntaxError:
        logger.exception("syntax")
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:
        logger.exception("base exception")


def scenario_exc_text_cached_between_formatters(lg, out):
    class Short(lg.Formatter):
        def formatException(self, ei):
            return "SHORT: %s" % ei[0].__name__

    logger = lg.getLogger("exc.cache")
    logger.propagate = False
    logger.setLevel(1)
    first = _capture.handler(lg)
    first.setFormatter(Short("1:%(message)s"))
    second = _capture.handler(lg, "2:%(message)s|%(exc_text)s")
    logger.handlers[:] = [first, second]
    _log_exception(logger)


def scenario_formatter_exception_and_stack_methods(lg, out):
    fmt = lg.Formatter()
    try:
        _fail(1)
    except KeyError:
        ei = sys.exc_info()
    out.write(fmt.formatException(ei) + "\n---\n")
    out.write(fmt.formatStack("Stack text\nline 2") + "\n---\n")
    out.write(repr(fmt.formatException((None, None, None))) + "\n")

    class Trailing(lg.Formatter):
        def formatException(self, ei):
            return "ends with newline\n"

    rec = lg.makeLogRecord({"msg": "m", "exc_info": ei})
    out.write(Trailing().format(rec) + "|end\n")
    rec = lg.makeLogRecord({"msg": "m", "exc_text": "pre-set text", "stack_info": "SI"})
    out.write(lg.Formatter().format(rec) + "|end\n")


def _helper(logger, **kwargs):
    logger.warning("from helper", **kwargs)


def _outer_helper(logger, **kwargs):
    _helper(logger, **kwargs)


def scenario_stack_info(lg, out):
    logger = _logger(lg, out, "exc.stack")
    logger.info("direct", stack_info=True)
    _helper(logger, stack_info=True)
    _outer_helper(logger, stack_info=True)
    try:
        _fail(0)
    except KeyError:
        logger.exception("exception and stack", stack_info=True)


def scenario_stacklevel(lg, out):
    logger = _logger(lg, out, "exc.stacklevel")
    for level in (1, 2, 3, 4):  # stacklevel < 1 reports a frame inside the library itself
        _outer_helper(logger, stacklevel=level)
    _outer_helper(logger, stacklevel=2, stack_info=True)
    _outer_helper(logger, stacklevel=1000)
    adapter = lg.LoggerAdapter(logger, {})
    adapter.warning("adapter", stacklevel=1)
    _helper(adapter, stacklevel=2)


def scenario_module_level_exception_and_caller(lg, out):
    lg.basicConfig(filename=_capture.log_path(), force=True, level=1,
                   format="%(name)s %(funcName)s:%(lineno)d %(message)s")
    try:
        _fail(0)
    except KeyError:
        lg.exception("module exception")
    lg.warning("module warning", stack_info=True)
    lg.log(lg.ERROR, "module log")
    _helper(lg, stacklevel=2)


def scenario_adapter_exception(lg, out):
    logger = _logger(lg, out, "exc.adapter", "%(funcName)s:%(lineno)d %(user)s %(message)s")
    adapter = lg.LoggerAdapter(logger, {"user": "u"})
    _log_exception(adapter)
    _log_exception(adapter, stack_info=True)


def _error_report_tail(stderr_text):
    """What must match in a '--- Logging error ---' report: all but the library's own frames."""
    parts = []
    for report in stderr_text.split("--- Logging error ---\n")[1:]:
        tb, _, rest = report.partition("Call stack:\n")
        exc_line = tb.rstrip("\n").splitlines()[-1]
        parts.append("first: %s\nexception: %s\ncall stack:\n%s" % (
            tb.splitlines()[0], exc_line, rest))
    return "".join(parts)


def scenario_handle_error_report(lg, out):
    logger = _logger(lg, out, "exc.handle_error", "%(message)s")
    logger.info("before")
    logger.info("bad %d", "text")
    logger.info("%(missing)s", {"present": 1})
    logger.info("too many", "args")
    logger.info("after")
    _helper(logger, extra={"x": 1})
    logger.handlers[0].setFormatter(lg.Formatter("%(nope)s"))
    logger.warning("formatter error")
    out.write("=== stderr ===\n" + _error_report_tail(_capture.stderr_text()))


def scenario_handle_error_silent(lg, out):
    lg.raiseExceptions = False
    logger = _logger(lg, out, "exc.silent", "%(message)s")
    logger.info("before")
    logger.info("bad %d", "text")
    logger.info("after")
    out.write("stderr: %r\n" % _capture.stderr_text())


def scenario_last_resort(lg, out):
    logger = lg.getLogger("exc.nohandlers")
    logger.setLevel(1)
    logger.info("below last resort")
    logger.warning("last %s", "resort")
    try:
        _fail(0)
    except KeyError:
        logger.exception("with traceback")
    out.write("stderr:\n" + _capture.stderr_text())


def scenario_no_last_resort(lg, out):
    lg.lastResort = None
    lg.getLogger("exc.nolast").error("a")
    lg.getLogger("exc.nolast").error("b")
    out.write("stderr: %r\n" % _capture.stderr_text())


def scenario_file_handler_exceptions_and_stacks(lg, out):
    import os
    import tempfile

    fd, path = tempfile.mkstemp(suffix=".log")
    os.close(fd)
    try:
        handler = lg.FileHandler(path)  # mode "a", default encoding: its own writer
        handler.setFormatter(lg.Formatter("%(levelname)s %(funcName)s:%(lineno)d %(message)s"))
        logger = lg.getLogger("exc.file")
        logger.handlers[:] = [handler]
        logger.setLevel(1)
        logger.propagate = False
        _log_exception(logger)
        _log_exception(logger, stack_info=True)
        _outer_helper(logger, stack_info=True)
        _outer_helper(logger, stacklevel=2)
        try:
            try:
                _fail(0)
            except KeyError as inner:
                raise RuntimeError("wrapped") from inner
        except RuntimeError:
            logger.exception("chained")
        logger.info("bad %d", "x")
        logger.info("after bad")
        handler.close()
        with open(path) as f:
            out.write(f.read())
    finally:
        os.unlink(path)
    out.write("=== stderr ===\n" + _error_report_tail(_capture.stderr_text()))


def test_same_output(scenario, compare):
    compare(scenario)
