"""Differential tests on the calls femtologging serves without building a ``LogRecord``.

The scenarios log plain calls (no ``extra``, no filters, default record factory) to ordinary
handlers, which is what femtologging's record-less path takes; the handler bytes are compared
with stdlib's as in the other files. Each scenario also measures how much the Python heap grows
during such a call (``_capture.python_heap_peak``): for stdlib that is a record and its
``__dict__``; for femtologging it must be (almost) nothing, which shows the compared lines came
from the native path. The same call with a logger filter, which needs a record, is measured as a
control, so the probe is seen to detect femtologging's record path too.
"""

import _capture

ALL_FIELDS = ("%(asctime)s|%(created)f|%(msecs)03d|%(relativeCreated)d|%(levelname)-8s|"
              "%(levelno)d|%(name)s|%(pathname)s|%(filename)s|%(module)s|%(funcName)s:"
              "%(lineno)d|%(thread)s|%(threadName)s|%(process)s|%(processName)s|%(message)s")
# (``%(thread)d``/``%(process)d`` would keep femtologging on its record path: those fields may be
# None, which ``%d`` cannot render, so the engine leaves such a format to Python.)

# Measured on CPython 3.11-3.13: a call that builds a LogRecord grows the heap by 0.5-1.8 kB in
# femtologging (its standard attributes in native slots, no __dict__ unless asked) and 1.6-6 kB in
# stdlib; femtologging's native calls by 100-370 bytes (the probe's own lambda call, a caller
# lookup's strings).
RECORD_BYTES = 450
NATIVE_BYTES = 420


def _logger(lg, name, handlers):
    logger = lg.getLogger(name)
    logger.handlers[:] = handlers
    logger.setLevel(1)
    logger.propagate = False
    return logger


def _probe(lg, logger, call):
    """Record the heap growth of ``call`` as it is, and with a logger filter (record path)."""
    _capture.probe("plain", _capture.python_heap_peak(call))

    def keep(record):
        return True

    logger.addFilter(keep)
    try:
        _capture.probe("with_filter", _capture.python_heap_peak(call))
    finally:
        logger.removeFilter(keep)


def _messages(logger):
    logger.debug("plain text")
    logger.info("ints and strs %d %s %i %%", 42, "word", -7)
    logger.warning("long int %d and unicode %s", 10**30, "\u00e9\u4e2d\U0001f600")
    logger.error("other conversions %r %5.2f %x", "q", 3.14159, 255)
    logger.critical(12345)
    logger.log(33, "custom level %s", "x")
    logger.fatal("fatal")


def scenario_file_handler_every_field(lg, out):
    logger = _logger(lg, "fast.file.every", [_capture.handler(lg, ALL_FIELDS)])
    _messages(logger)
    _probe(lg, logger, lambda: logger.info("probe %d %s", 1, "a"))


def scenario_file_handler_styles(lg, out):
    brace = _capture.handler(lg, "{levelname:>8}|{name}|{lineno:04d}|{funcName}|{message}|"
                             "{asctime}|{msecs:03.0f}", style="{")
    dollar = _capture.handler(lg, "${levelname}|$name|${message}|${asctime}", style="$")
    logger = _logger(lg, "fast.file.styles", [brace, dollar])
    _messages(logger)
    _probe(lg, logger, lambda: logger.warning("probe %s", "b"))


def scenario_file_handler_datefmt_and_defaults(lg, out):
    handler = _capture.handler(lg, "%(asctime)s %(levelname).1s %(message)s",
                               "%Y-%m-%dT%H:%M:%S%z %j")
    logger = _logger(lg, "fast.file.datefmt", [handler])
    _messages(logger)
    handler.setFormatter(lg.Formatter(None))
    logger.info("default formatter %s", "now")
    handler.setFormatter(None)
    logger.info("module default formatter")
    _probe(lg, logger, lambda: logger.info("probe"))


def scenario_propagation_to_ancestors(lg, out):
    root_handler = _capture.handler(lg, "root:%(name)s:%(levelname)s:%(message)s")
    lg.root.addHandler(root_handler)
    lg.root.setLevel(lg.INFO)
    parent = lg.getLogger("fast.tree")
    parent.handlers[:] = [_capture.handler(lg, "parent:%(name)s:%(message)s")]
    parent.propagate = True
    parent.setLevel(lg.NOTSET)
    child = lg.getLogger("fast.tree.child.leaf")
    child.debug("below the root's level")
    child.info("reaches %d handlers", 2)
    parent.handlers[0].setLevel(lg.ERROR)
    child.warning("root only")
    child.error("both again")
    parent.propagate = False
    child.error("parent only")
    parent.propagate = True
    _probe(lg, child, lambda: child.error("probe %d", 3))


def scenario_stderr_stream_handler(lg, out):
    handler = lg.StreamHandler()  # sys.stderr: a real file descriptor here
    handler.setFormatter(lg.Formatter("%(levelname)s:%(name)s:%(lineno)d:%(message)s"))
    logger = _logger(lg, "fast.stderr", [handler])
    _messages(logger)
    _probe(lg, logger, lambda: logger.info("probe %s", "c"))
    out.write(_capture.stderr_text())


def scenario_exceptions_and_stack(lg, out):
    logger = _logger(lg, "fast.exc", [_capture.handler(lg, "%(levelname)s %(funcName)s "
                                                           "%(lineno)d %(message)s")])
    try:
        {}["missing"]
    except KeyError:
        logger.exception("caught %s", "it")
        logger.error("with exc_info", exc_info=True)
    logger.warning("with stack", stack_info=True)


def test_same_output(scenario, compare):
    compare(scenario)


def test_the_compared_calls_built_no_record(compare):
    """The probed calls created a record in stdlib, none in femtologging (but one with a filter)."""
    for scenario in ("file_handler_every_field", "file_handler_styles",
                     "file_handler_datefmt_and_defaults", "propagation_to_ancestors",
                     "stderr_stream_handler"):
        std, femto = compare(scenario)
        assert std["probes"]["plain"] > RECORD_BYTES, (scenario, std["probes"])
        assert femto["probes"]["with_filter"] > RECORD_BYTES, (scenario, femto["probes"])
        assert femto["probes"]["plain"] < NATIVE_BYTES, (scenario, femto["probes"])
