"""Child process of ``cpython_tests/run.py``.

Runs ONE ``unittest.TestCase`` class of a test module (default
``test.test_logging``) and streams one JSON line per finished test into a
results file, so a crash loses only the tests not yet reported.  With
``--list`` it instead writes the module's classes and test names.

With ``--target femtologging`` the ``logging`` modules are mapped to
femtologging in ``sys.modules`` before anything imports ``logging``; this is
why the mapping runs before ``unittest`` (or anything else that may import
``logging``) is imported.

Exit status: 0 normally, 3 when the environment is unusable (test package
missing, mapping failed); the reason is written as a ``fatal`` record.
"""

import argparse
import os
import sys
import time

FATAL_EXIT = 3
_MAPPED = ("logging", "logging.handlers", "logging.config")
# --target install: imported (the real logging) before femtologging.install() runs.
_INSTALL_FIRST = _MAPPED + ("asyncio", "concurrent.futures")


class SetupError(Exception):
    """The run cannot start: the message says why."""


class _Emitter:
    """Appends JSON lines to the results file; silent in forked children."""

    def __init__(self, path):
        import json

        self._json = json
        self._pid = os.getpid()
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def __call__(self, record):
        if os.getpid() != self._pid:  # a test forked; only the parent reports
            return
        line = self._json.dumps(record, ensure_ascii=True) + "\n"
        os.write(self._fd, line.encode("ascii"))


def _import_femtologging():
    """Import femtologging; fall back to the repository root on sys.path."""
    try:
        import femtologging
    except ModuleNotFoundError as exc:
        if exc.name != "femtologging":
            raise
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        sys.path.insert(0, root)
        import femtologging
    return femtologging


def map_logging(target):
    """Make ``import logging`` (and .handlers/.config) resolve to femtologging.

    Does nothing for ``target == "stdlib"``.  Raises SetupError when the
    mapping cannot be made consistent.
    """
    if target == "stdlib":
        return None
    if target == "install":
        return _install_femtologging()
    early = [m for m in _MAPPED if m in sys.modules]
    if early:
        raise SetupError(f"stdlib {early} imported before the mapping could be made")
    try:
        fl = _import_femtologging()
    except Exception as exc:  # noqa: BLE001 - any import failure aborts the run
        raise SetupError(f"cannot import femtologging: {type(exc).__name__}: {exc}") from exc
    if "logging" in sys.modules:
        raise SetupError(
            "importing femtologging imported the standard 'logging' package "
            f"({sys.modules['logging'].__file__}); the mapping would be inconsistent"
        )
    import importlib

    subs = {}
    for short in ("handlers", "config"):
        try:
            subs[short] = importlib.import_module(f"femtologging.{short}")
        except Exception as exc:  # noqa: BLE001
            raise SetupError(
                f"cannot import femtologging.{short}: {type(exc).__name__}: {exc}"
            ) from exc
        if getattr(fl, short, None) is not subs[short]:
            setattr(fl, short, subs[short])
    if "logging" in sys.modules:
        raise SetupError("importing femtologging.handlers/config imported the standard 'logging'")
    sys.modules["logging"] = fl
    sys.modules["logging.handlers"] = subs["handlers"]
    sys.modules["logging.config"] = subs["config"]
    return fl


# Installed in a child interpreter: maps ``logging[.handlers|.config]`` to femtologging's
# modules when the child first imports them.
_ALIAS_FINDER = """
import importlib, importlib.util, sys

class FemtoAlias:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in ('logging', 'logging.handlers', 'logging.config'):
            return None
        real = importlib.import_module('femto' + name)
        own = real.__spec__

        class Loader:
            def create_module(self, spec):
                return real

            def exec_module(self, module):
                module.__spec__ = own
        return importlib.util.spec_from_loader(name, Loader())

sys.meta_path.insert(0, FemtoAlias)
"""


def _install_femtologging():
    """Import the real ``logging`` (and modules holding loggers), then ``femtologging.install()``."""
    import importlib

    for name in _INSTALL_FIRST:
        importlib.import_module(name)
    std = sys.modules["logging"]
    if "femtologging" in getattr(std, "__name__", ""):
        raise SetupError("'logging' is already femtologging before install()")
    try:
        fl = _import_femtologging()
        fl.install()
    except Exception as exc:  # noqa: BLE001 - any failure aborts the run
        raise SetupError(f"femtologging.install() failed: {type(exc).__name__}: {exc}") from exc
    for name in _MAPPED:
        if not sys.modules[name].__name__.startswith("femtologging"):
            raise SetupError(f"after install(), sys.modules[{name!r}] is {sys.modules[name]!r}")
    return fl


def _subprocess_preamble(fl, target="femtologging"):
    """Python code that applies the same mapping in a child interpreter.

    Both modes are lazy: ``logging`` becomes femtologging when the child's code first imports
    it, not before, so code that prepares the interpreter first (patches ``time.time_ns``,
    say) sees ``logging`` load at the moment it would have. Aliased mode uses a finder that
    lives in its own namespace, so it keeps no reference to ``__main__``'s globals (objects
    there must still be finalised at exit); install mode uses the ``FEMTOLOGGING_INSTALL``
    start-up hook (``femtologging._autoinstall``): the real ``logging`` is imported, then
    ``install()`` runs, as in a program started with that variable set.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(fl.__file__)))
    if target == "install":
        return (f"import sys as _s; _s.path.insert(0, {root!r}); "
                "import femtologging._autoinstall as _a; _a.install_on_import(); del _s, _a\n")
    return (f"import sys as _s; _s.path.insert(0, {root!r}); "
            f"exec({_ALIAS_FINDER!r}, {{'__name__': '_femto_alias'}}); del _s\n")


def _map_in_subprocesses(fl, target="femtologging"):
    """Tests that spawn ``python -c CODE`` (script_helper) get the mapping too."""
    from test.support import script_helper

    original = script_helper.run_python_until_end
    preamble = _subprocess_preamble(fl, target)

    def run_python_until_end(*args, **env_vars):
        args = list(args)
        for i in range(len(args) - 1):
            if args[i] == "-c":
                args[i + 1] = preamble + args[i + 1]
                break
        return original(*args, **env_vars)

    script_helper.run_python_until_end = run_python_until_end


def load_module(name, target, fl):
    """Import the test module and check it sees the intended ``logging``."""
    import importlib

    try:
        import test  # noqa: F401
    except ImportError as exc:
        raise SetupError(
            f"the interpreter's 'test' package is not installed ({sys.executable}); "
            "install the CPython test suite (e.g. the libpythonX.Y-testsuite package)"
        ) from exc
    if fl is not None:
        _map_in_subprocesses(fl, target)
    try:
        mod = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise SetupError(f"test module {name!r} is not installed: {exc}") from exc
        raise SetupError(f"importing {name} failed: {type(exc).__name__}: {exc}") from exc
    except BaseException as exc:  # noqa: BLE001 - report whatever module import raised
        raise SetupError(f"importing {name} failed: {type(exc).__name__}: {exc}") from exc
    seen = getattr(mod, "logging", None)
    if fl is not None:
        if seen is not fl:
            raise SetupError(f"{name}.logging is {seen!r}, not femtologging: mapping failed")
        if getattr(seen, "handlers", None) is not sys.modules["logging.handlers"]:
            raise SetupError(f"{name}.logging.handlers is not femtologging.handlers")
    elif seen is not None and "femtologging" in getattr(seen, "__name__", ""):
        raise SetupError(f"{name}.logging is femtologging although target is stdlib")
    return mod


def test_classes(mod):
    """Map class name -> sorted test method names, in loader order."""
    import unittest

    loader = unittest.TestLoader()
    out = {}
    for attr, obj in sorted(vars(mod).items()):
        if isinstance(obj, type) and issubclass(obj, unittest.TestCase):
            names = list(loader.getTestCaseNames(obj))
            if names and obj.__module__ == mod.__name__:
                out[attr] = names
    return out


def _last_line(text):
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _first_line(text):
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else ""


def make_result_class():
    """Build the streaming TestResult (needs unittest, imported after mapping)."""
    import faulthandler
    import signal
    import unittest

    class TestTimeout(BaseException):
        """Raised in the main thread by SIGALRM when a test runs too long."""

    def reason_of(err):
        etype, value, _tb = err
        if issubclass(etype, TestTimeout):
            return "timeout"
        # unittest puts a diff after an assertion's first line; the first
        # line is the one that says what differed.  Otherwise: the last line.
        msg = _first_line(value) if issubclass(etype, AssertionError) else _last_line(value)
        return f"{etype.__name__}: {msg}"[:300] if msg else etype.__name__

    class StreamingResult(unittest.TestResult):
        """Reports each finished test as one JSON line; arms per-test timers."""

        def __init__(self, emit, timeout):
            super().__init__()
            self.emit = emit
            self.timeout = timeout
            self.class_issues = []  # (where, outcome, reason, detail)
            self.reported = set()  # names of the tests already emitted
            self._cur = None
            signal.signal(signal.SIGALRM, self._on_alarm)

        def _on_alarm(self, signum, frame):
            # re-arm so a hanging tearDown/cleanup is interrupted as well
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
            raise TestTimeout(f"test exceeded {self.timeout}s")

        def startTest(self, test):
            super().startTest(test)
            name = test._testMethodName
            self._cur = {"test": name, "outcome": None, "reason": "", "detail": ""}
            self._t0 = time.monotonic()
            self.emit({"event": "start", "test": name})
            faulthandler.dump_traceback_later(2 * self.timeout + 10, exit=True)
            signal.setitimer(signal.ITIMER_REAL, self.timeout)

        def stopTest(self, test):
            signal.setitimer(signal.ITIMER_REAL, 0)
            faulthandler.cancel_dump_traceback_later()
            super().stopTest(test)
            rec, self._cur = self._cur, None
            if rec is None:
                return
            rec["outcome"] = rec["outcome"] or "pass"
            rec["time"] = round(time.monotonic() - self._t0, 3)
            rec["event"] = "done"
            self.emit(rec)
            self.reported.add(rec["test"])

        def _set(self, test, outcome, reason, detail=""):
            if not isinstance(test, unittest.TestCase):  # _ErrorHolder: class/module fixture
                self.class_issues.append((getattr(test, "description", str(test)),
                                          outcome, reason, detail[-3000:]))
                return
            rec = self._cur
            if rec is None:
                # Python 3.12+ reports a skipped class's tests without startTest/stopTest.
                name = test._testMethodName
                if name not in self.reported:
                    self.emit({"event": "done", "test": name, "outcome": outcome,
                               "reason": reason, "detail": detail[-3000:], "time": 0.0})
                    self.reported.add(name)
                return
            if rec["outcome"] in (None, "pass"):
                rec.update(outcome=outcome, reason=reason, detail=detail[-3000:])
            elif detail:  # a second problem (e.g. in cleanup): keep it visible
                rec["detail"] = (rec["detail"] + "\n--- also ---\n" + detail)[-3000:]

        def addSuccess(self, test):
            super().addSuccess(test)
            self._set(test, "pass", "")

        def addError(self, test, err):
            super().addError(test, err)
            self._set(test, "error", reason_of(err), self._exc_info_to_string(err, test))

        def addFailure(self, test, err):
            super().addFailure(test, err)
            self._set(test, "fail", reason_of(err), self._exc_info_to_string(err, test))

        def addSubTest(self, test, subtest, err):
            super().addSubTest(test, subtest, err)
            if err is not None:
                kind = "fail" if issubclass(err[0], test.failureException) else "error"
                self._set(test, kind, reason_of(err),
                          f"{subtest}\n" + self._exc_info_to_string(err, test))

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            self._set(test, "skip", _last_line(reason)[:300])

        def addExpectedFailure(self, test, err):
            super().addExpectedFailure(test, err)
            self._set(test, "xfail", reason_of(err))

        def addUnexpectedSuccess(self, test):
            super().addUnexpectedSuccess(test)
            self._set(test, "xpass", "unexpected success")

    return StreamingResult


def run_class(mod, class_name, exclude, timeout, emit):
    """Run one class (minus excluded tests); report every test it contains."""
    import faulthandler
    import unittest

    faulthandler.enable(file=sys.stderr, all_threads=True)
    cls = getattr(mod, class_name, None)
    if cls is None:
        raise SetupError(f"{mod.__name__} has no class {class_name!r}")
    loader = unittest.TestLoader()
    names = [n for n in loader.getTestCaseNames(cls) if n not in exclude]
    suite = unittest.TestSuite([cls(n) for n in names])
    result = make_result_class()(emit, timeout)
    suite.run(result)
    reported = result.reported
    setup_issue = next((i for i in result.class_issues if "setUp" in i[0]), None)
    for where, outcome, reason, detail in result.class_issues:
        emit({"event": "class_issue", "where": where, "outcome": outcome,
              "reason": reason, "detail": detail})
    for name in names:
        if name in reported:
            continue
        if setup_issue is not None:
            where, outcome, reason, detail = setup_issue
            emit({"event": "done", "test": name, "outcome": outcome,
                  "reason": f"{where.split(' ')[0]}: {reason}", "detail": detail, "time": 0.0})
        else:
            emit({"event": "done", "test": name, "outcome": "error",
                  "reason": "not run by unittest", "detail": "", "time": 0.0})


def main(argv=None):
    """Entry point; see the module docstring."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--target", choices=("femtologging", "stdlib", "install"), required=True)
    p.add_argument("--module", default="test.test_logging")
    p.add_argument("--out", required=True, help="results file (JSON lines, appended)")
    p.add_argument("--list", action="store_true", help="write the class/test listing")
    p.add_argument("--class", dest="cls", help="TestCase class to run")
    p.add_argument("--exclude", nargs="*", default=[], help="test names not to run")
    p.add_argument("--timeout", type=float, default=60.0, help="per-test timeout, s")
    args = p.parse_args(argv)
    emit = _Emitter(args.out)
    try:
        fl = map_logging(args.target)
        mod = load_module(args.module, args.target, fl)
        if args.list:
            emit({"event": "listing", "classes": test_classes(mod),
                  "python": sys.version.split()[0], "executable": sys.executable,
                  "logging_file": getattr(getattr(mod, "logging", None), "__file__", None)})
        else:
            run_class(mod, args.cls, set(args.exclude), args.timeout, emit)
    except SetupError as exc:
        emit({"event": "fatal", "message": str(exc)})
        print(f"cpython_tests child: {exc}", file=sys.stderr)
        return FATAL_EXIT
    return 0


if __name__ == "__main__":
    _code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave without interpreter finalisation: every result is already written,
    # and a thread a test leaked must not keep the child alive until it is killed.
    os._exit(_code)
