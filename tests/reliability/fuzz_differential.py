"""Differential fuzz target: format strings, ``dictConfig`` and ``fileConfig`` input, with the
standard library as the oracle. Run by ``make fuzz`` (atheris, a fixed number of runs).

For each input both packages get the same request; they must fail with the same exception
type or succeed with the same observable result.
"""

import io
import logging
import logging.config
import sys

import atheris

with atheris.instrument_imports():
    import femtologging
    import femtologging.config

LIBS = ((logging, logging.config), (femtologging, femtologging.config))
LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NOTSET", "10", "bogus", 15, None]


def outcome(fn):
    """``('ok', value)`` or ``('raise', exception type name)``."""
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - any exception is an outcome to compare
        return ("raise", type(e).__name__)


def fixed_record(lib):
    return lib.makeLogRecord({"name": "fuzz", "msg": "m %s", "args": ("a",), "levelno": 30,
                              "levelname": "WARNING", "created": 1700000000.25, "msecs": 250.0,
                              "relativeCreated": 5.0, "lineno": 7, "pathname": "/p/f.py",
                              "filename": "f.py", "module": "f", "funcName": "fn"})


def check_format(fdp):
    fmt = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 60))
    style = fdp.PickValueInList(["%", "{", "$"])
    datefmt = fdp.PickValueInList([None, "%Y", "%H:%M:%S", "%%", "%Q"])
    validate = fdp.ConsumeBool()

    def run(lib):
        f = lib.Formatter(fmt, datefmt, style=style, validate=validate)
        return f.format(fixed_record(lib))
    return [outcome(lambda lib=lib: run(lib)) for lib, _ in LIBS]


def check_dict(fdp):
    def level():
        return fdp.PickValueInList(LEVELS)
    spec = {"version": fdp.PickValueInList([1, 1, 1, 2]),
            "disable_existing_loggers": fdp.ConsumeBool(),
            "formatters": {"f": {"format": fdp.ConsumeUnicodeNoSurrogates(20),
                                 "style": fdp.PickValueInList(["%", "{", "$", "?"])}},
            "handlers": {"h": {"class": fdp.PickValueInList(["logging.NullHandler", "logging.StreamHandler",
                                                             "logging.Nope"]),
                               "level": level(), "formatter": fdp.PickValueInList(["f", "g"])}},
            "loggers": {"fz.a": {"level": level(), "handlers": ["h"], "propagate": fdp.ConsumeBool()}},
            "root": {"level": level()}}
    if fdp.ConsumeBool():
        spec["incremental"] = True

    def run(lib, config):
        config.dictConfig(spec)
        lg = lib.getLogger("fz.a")
        return (lib.getLogger().level, lg.level, lg.propagate, len(lg.handlers))
    return [outcome(lambda lib=lib, c=c: run(lib, c)) for lib, c in LIBS]


def check_file(fdp):
    text = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 400))
    if fdp.ConsumeBool():
        text = ("[loggers]\nkeys=root\n[handlers]\nkeys=h\n[formatters]\nkeys=f\n"
                "[logger_root]\nlevel=%s\nhandlers=h\n[handler_h]\nclass=NullHandler\nargs=()\n"
                "[formatter_f]\nformat=%s\n" % (fdp.PickValueInList(LEVELS), text))

    def run(lib, config):
        config.fileConfig(io.StringIO(text), disable_existing_loggers=False)
        return (lib.getLogger().level, len(lib.getLogger().handlers))
    return [outcome(lambda lib=lib, c=c: run(lib, c)) for lib, c in LIBS]


def reset():
    for lib, config in LIBS:
        config.dictConfig({"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}})
        lib.getLogger().handlers.clear()


def TestOneInput(data):
    fdp = atheris.FuzzedDataProvider(data)
    check = [check_format, check_dict, check_file][fdp.ConsumeIntInRange(0, 2)]
    try:
        std, femto = check(fdp)
    finally:
        reset()
    if std != femto:
        raise AssertionError("differs from the standard library: stdlib %r, femtologging %r" % (std, femto))


def main():
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
