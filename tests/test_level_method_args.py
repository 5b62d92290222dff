"""The level methods' arguments (``Logger.info(msg, *args, **kwargs)``, the same on
``LoggerAdapter``) are bound as stdlib binds them: ``msg`` by position or by keyword, and
stdlib's ``TypeError`` messages for a missing or doubled argument."""

import logging

import pytest

import femtologging

CALLS = {
    "no msg": lambda t: t.info(),
    "fatal, no msg": lambda t: t.fatal(),
    "critical, no msg": lambda t: t.critical(),
    "msg by keyword": lambda t: t.warning(msg="kw %s"),
    "msg twice": lambda t: t.error("a", msg="b"),
    "self by keyword": lambda t: t.info("a", self=1),
    "msg by keyword, other keywords": lambda t: t.info(exc_info=False, msg="kw", stacklevel=1),
    "positional args": lambda t: t.info("a %s %s", 1, "two"),
    "unknown keyword": lambda t: t.info("a", bogus=1),
    "args by keyword": lambda t: t.warning("a", args=(1,)),
    "level by keyword": lambda t: t.error("a", level=10),
    "keywords from a dict": lambda t: t.info(**{"ms" + "g": "built", "extra": {"k": 2}}),
}


def _outcomes(mod, adapter):
    seen = []

    class Keep(mod.Handler):
        def emit(self, record):
            seen.append((record.levelname, record.getMessage(), getattr(record, "k", None)))

    lg = mod.getLogger(f"args.{mod.__name__}.{adapter}")
    lg.propagate = False
    lg.setLevel(mod.DEBUG)
    h = Keep()
    lg.addHandler(h)
    target = mod.LoggerAdapter(lg, {"k": 1}) if adapter else lg
    out = {}
    try:
        for name, call in CALLS.items():
            if adapter and "fatal" in name:
                continue  # LoggerAdapter has no fatal()
            del seen[:]
            try:
                call(target)
                out[name] = list(seen)
            except TypeError as e:
                out[name] = (type(e).__name__, str(e))
    finally:
        lg.removeHandler(h)
    return out


@pytest.mark.parametrize("adapter", [False, True], ids=["Logger", "LoggerAdapter"])
def test_arguments_bind_as_stdlib(adapter):
    got = _outcomes(femtologging, adapter)
    want = _outcomes(logging, adapter)
    assert got == want
    # The cases really cover the errors (not vacuous).
    assert want["no msg"][1].endswith("info() missing 1 required positional argument: 'msg'")
    assert "multiple values for argument 'msg'" in want["msg twice"][1]
