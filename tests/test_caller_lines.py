"""Caller line numbers are cached per (code object, instruction offset): every record must
still carry the line of its own call."""

import femtologging


class Keep(femtologging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def logger_with_handler():
    logger = femtologging.getLogger("callerlines")
    logger.propagate = False
    logger.setLevel(femtologging.DEBUG)
    h = Keep()
    logger.handlers[:] = [h]
    return logger, h


def test_each_call_site_reports_its_own_line():
    logger, h = logger_with_handler()
    lines = []
    for i in range(3):
        lines.append(test_each_call_site_reports_its_own_line.__code__.co_firstlineno + 5)
        logger.info("a %d", i)
        lines.append(test_each_call_site_reports_its_own_line.__code__.co_firstlineno + 7)
        logger.info("b %d", i)
    assert [r.lineno for r in h.records] == lines
    assert {r.funcName for r in h.records} == {"test_each_call_site_reports_its_own_line"}


def test_same_offset_in_other_code_objects():
    """Code compiled from the same text at other first lines has calls at the same offsets."""
    logger, h = logger_with_handler()
    for k in range(1, 40):
        exec(compile("\n" * k + "logger.info('x')", f"<gen{k % 3}>", "exec"), {"logger": logger})
    assert [r.lineno for r in h.records] == list(range(2, 41))
    assert [r.pathname for r in h.records][:3] == ["<gen1>", "<gen2>", "<gen0>"]
