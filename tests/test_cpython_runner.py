"""Tests of cpython_tests/run.py, the runner of CPython's test.test_logging.

They run the runner as a subprocess, the way CI does, against the real
``logging`` (``--target stdlib``), against a stand-in ``femtologging`` package
built at test time from the interpreter's own logging sources (to exercise the
``sys.modules`` mapping without depending on the state of the real package),
and against tiny fake test modules that hang or crash.
"""

import json
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "cpython_tests" / "run.py"
SUMMARY = re.compile(r"^cpython: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$")

pytest.importorskip("test.test_logging", reason="interpreter has no test.test_logging")


def run(tmp_path, *args, pythonpath=None, exclusions=None, floor=None):
    """Run the runner; return (exit status, stdout lines, report dict)."""
    report = tmp_path / "report.md"
    cmd = [sys.executable, str(RUN), "--report", str(report), *args]
    if exclusions is not None:
        ex = tmp_path / "exclusions"
        ex.write_text(exclusions, encoding="utf-8")
        cmd += ["--exclusions", str(ex)]
    else:
        cmd += ["--exclusions", str(tmp_path / "no-exclusions")]
    if floor is not None:
        fl = tmp_path / "floor"
        fl.write_text(f"{floor}\n", encoding="utf-8")
        cmd += ["--floor-file", str(fl)]
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    lines = proc.stdout.strip().splitlines()
    data = None
    json_path = tmp_path / "report.json"
    if json_path.exists():
        data = json.loads(json_path.read_text(encoding="utf-8"))
    return proc.returncode, lines, data, proc.stderr


def summary(lines):
    """(passed, failed, skipped) from the summary line, which must be the last line (CI reads
    it), right after the report path."""
    m = SUMMARY.match(lines[-1])
    assert m, lines[-2:]
    assert lines[-2].startswith("report: ")
    return tuple(int(g or 0) for g in m.groups())


@pytest.fixture
def fake_femtologging(tmp_path):
    """A 'femtologging' package that runs the interpreter's own logging sources.

    Nothing is copied: each module executes the stdlib file at import time,
    with ``logging`` briefly aliased so the sources' own ``import logging``
    binds to this package, as it would under the runner's mapping.
    """
    pkg = tmp_path / "fakepkg" / "femtologging"
    pkg.mkdir(parents=True)
    src = Path(sysconfig.get_path("stdlib")) / "logging"
    loader = textwrap.dedent("""
        import sys as _sys
        _saved = {{k: _sys.modules.get(k) for k in ("logging", "logging.handlers")}}
        _sys.modules["logging"] = _sys.modules["femtologging"]
        if "femtologging.handlers" in _sys.modules:
            _sys.modules["logging.handlers"] = _sys.modules["femtologging.handlers"]
        try:
            exec(compile(open({path!r}, encoding="utf-8").read(), {path!r}, "exec"), globals())
        finally:
            for _k, _v in _saved.items():
                if _v is None:
                    _sys.modules.pop(_k, None)
                else:
                    _sys.modules[_k] = _v
    """)
    (pkg / "__init__.py").write_text(loader.format(path=str(src / "__init__.py")),
                                     encoding="utf-8")
    (pkg / "handlers.py").write_text(loader.format(path=str(src / "handlers.py")), encoding="utf-8")
    (pkg / "config.py").write_text(
        "import femtologging.handlers\n" + loader.format(path=str(src / "config.py")),
        encoding="utf-8")
    return pkg.parent


@pytest.fixture
def fake_tests(tmp_path):
    """A test module whose classes pass, hang, ignore SIGALRM, and crash."""
    d = tmp_path / "fakemod"
    d.mkdir()
    (d / "fake_cpy_tests.py").write_text(textwrap.dedent("""
        import logging
        import os, signal, time, unittest
        from test.support.script_helper import assert_python_ok

        class Sub(unittest.TestCase):
            def test_child_interpreter_is_mapped(self):
                _rc, out, _err = assert_python_ok(
                    "-c", "import logging.handlers; print(logging.__name__, logging.handlers.__name__)")
                self.assertEqual(out.decode().split(), ["femtologging", "femtologging.handlers"])

        class Hang(unittest.TestCase):
            def test_a_ok(self):
                pass
            def test_b_hangs(self):
                try:
                    time.sleep(30)
                except Exception:  # must not swallow the runner's timeout
                    pass
            def test_c_ok(self):
                pass

        class Deaf(unittest.TestCase):
            def test_a_ok(self):
                pass
            def test_b_ignores_alarm(self):
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                time.sleep(30)
            def test_c_never(self):
                pass

        class Crash(unittest.TestCase):
            def test_a_ok(self):
                pass
            def test_b_dies(self):
                os._exit(7)
            def test_c_never(self):
                pass

        class Mixed(unittest.TestCase):
            def test_fail_one(self):
                self.assertEqual(1, 2)
            def test_fail_two(self):
                self.assertEqual(1, 2)
            def test_fail_diff(self):
                self.assertEqual([1, 2], [1, 3])
            def test_error(self):
                raise KeyError("nope")
            def test_skip(self):
                self.skipTest("not here")
            @unittest.expectedFailure
            def test_xfail(self):
                self.assertTrue(False)
            @unittest.expectedFailure
            def test_xpass(self):
                pass

        class BrokenSetUpClass(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                raise RuntimeError("no fixture")
            def test_one(self):
                pass
    """), encoding="utf-8")
    return d


def test_stdlib_builtin_levels_pass(tmp_path):
    rc, lines, data, _ = run(tmp_path, "--target", "stdlib", "--classes", "BuiltinLevelsTest")
    assert rc == 0
    assert summary(lines) == (7, 0, 0)
    assert data["classes"]["BuiltinLevelsTest"]["counts"]["pass"] == 7
    assert data["meta"]["target"] == "stdlib"
    assert "logging/__init__.py" in data["meta"]["logging_file"]
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| BuiltinLevelsTest | 7 |" in md


def test_exclusion_without_reason_is_refused(tmp_path):
    rc, lines, data, err = run(
        tmp_path, "--target", "stdlib", "--classes", "BuiltinLevelsTest",
        exclusions="# comment\nBuiltinLevelsTest.test_flat  # uses Logger._cache\n"
                   "BuiltinLevelsTest.test_nested_explicit  #   \n")
    assert rc == 2
    assert "has no reason" in err and ":3:" in err
    assert data is None and not any(SUMMARY.match(ln) for ln in lines)


@pytest.mark.parametrize("line", ["BuiltinLevelsTest.test_flat\n", "test_flat  # why\n",
                                  "A.b  # r\nA.b  # again\n"])
def test_malformed_exclusions_are_refused(tmp_path, line):
    rc, _lines, data, err = run(tmp_path, "--target", "stdlib", "--classes",
                                "BuiltinLevelsTest", exclusions=line)
    assert rc == 2 and "error" in err and data is None


def test_mapping_runs_tests_against_femtologging(tmp_path, fake_femtologging):
    rc, lines, data, err = run(
        tmp_path, "--classes", "BuiltinLevelsTest", "ModuleLevelMiscTest", "-v",
        pythonpath=fake_femtologging,
        exclusions="BuiltinLevelsTest.test_flat  # needs Manager.loggerDict internals\n"
                   "Nope.test_gone  # stale entry\n")
    assert rc == 0, err
    assert data["meta"]["logging_file"].startswith(str(fake_femtologging))
    b = data["classes"]["BuiltinLevelsTest"]
    assert b["counts"]["excluded"] == 1 and b["counts"]["pass"] == 6
    assert b["tests"]["test_flat"]["outcome"] == "excluded"
    assert data["exclusions"]["unknown"] == ["Nope.test_gone"]
    # the stand-in runs stdlib's own code, so every test not excluded passes
    m = data["classes"]["ModuleLevelMiscTest"]
    assert m["counts"]["pass"] + m["counts"]["skip"] == 13, m["tests"]
    passed, failed, skipped = summary(lines)
    assert skipped >= 1 and passed + failed + skipped == 7 + 13
    assert "    BuiltinLevelsTest.test_flat: excluded  (needs Manager.loggerDict internals)" in lines


def test_mapping_reaches_child_interpreters(tmp_path, fake_femtologging, fake_tests):
    rc, lines, data, err = run(tmp_path, "--module", "fake_cpy_tests", "--classes", "Sub",
                               pythonpath=f"{fake_tests}{os.pathsep}{fake_femtologging}")
    assert rc == 0, err
    assert data["classes"]["Sub"]["tests"]["test_child_interpreter_is_mapped"]["outcome"] == "pass", \
        data["classes"]["Sub"]["tests"]
    assert summary(lines) == (1, 0, 0)


def test_exclusions_not_applied_to_stdlib(tmp_path):
    rc, lines, data, _ = run(tmp_path, "--target", "stdlib", "--classes", "BuiltinLevelsTest",
                             exclusions="BuiltinLevelsTest.test_flat  # some internal\n")
    assert rc == 0 and summary(lines) == (7, 0, 0)
    assert data["exclusions"]["applied"] is False


def test_femtologging_import_failure_aborts(tmp_path):
    broken = tmp_path / "broken" / "femtologging"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('extension not built')\n")
    rc, lines, data, err = run(tmp_path, "--classes", "BuiltinLevelsTest",
                               pythonpath=broken.parent)
    assert rc == 2
    assert "cannot import femtologging" in err and "extension not built" in err
    assert data is None


def test_femtologging_importing_stdlib_logging_aborts(tmp_path):
    bad = tmp_path / "bad" / "femtologging"
    bad.mkdir(parents=True)
    (bad / "__init__.py").write_text("import logging\n")
    rc, _lines, _data, err = run(tmp_path, "--classes", "BuiltinLevelsTest",
                                 pythonpath=bad.parent)
    assert rc == 2 and "imported the standard 'logging'" in err


def test_missing_test_package_fails_loudly(tmp_path):
    shadow = tmp_path / "shadow" / "test"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no test suite here')\n")
    rc, _lines, data, err = run(tmp_path, "--target", "stdlib", pythonpath=shadow.parent)
    assert rc == 2 and "'test' package is not installed" in err and data is None


def test_missing_module_fails_loudly(tmp_path):
    rc, _lines, data, err = run(tmp_path, "--target", "stdlib", "--module", "test.no_such_mod")
    assert rc == 2 and "not installed" in err and data is None


def test_unknown_class_is_an_error(tmp_path):
    rc, _lines, _data, err = run(tmp_path, "--target", "stdlib", "--classes", "NoSuchTest")
    assert rc == 2 and "NoSuchTest" in err


def test_per_test_timeout_is_an_error_and_class_continues(tmp_path, fake_tests):
    rc, lines, data, _ = run(tmp_path, "--target", "stdlib", "--module", "fake_cpy_tests",
                             "--classes", "Hang", "--timeout", "1", pythonpath=fake_tests)
    assert rc == 0
    t = data["classes"]["Hang"]["tests"]
    assert t["test_b_hangs"]["outcome"] == "error"
    assert t["test_b_hangs"]["reason"] == "timeout"
    assert t["test_a_ok"]["outcome"] == t["test_c_ok"]["outcome"] == "pass"
    assert summary(lines) == (2, 1, 0)


def test_class_timeout_kills_child_and_counts_unreported(tmp_path, fake_tests):
    rc, lines, data, _ = run(tmp_path, "--target", "stdlib", "--module", "fake_cpy_tests",
                             "--classes", "Deaf", "--timeout", "30", "--class-timeout", "3",
                             pythonpath=fake_tests)
    assert rc == 0
    info = data["classes"]["Deaf"]
    assert info["killed"] is True
    assert info["running_at_death"] == "test_b_ignores_alarm"
    assert info["tests"]["test_a_ok"]["outcome"] == "pass"
    for name in ("test_b_ignores_alarm", "test_c_never"):
        assert info["tests"][name]["outcome"] == "error"
        assert info["tests"][name]["reason"] == "class timeout/crash"
    assert summary(lines) == (1, 2, 0)


def test_crash_loses_only_unreported_tests(tmp_path, fake_tests):
    rc, lines, data, _ = run(tmp_path, "--target", "stdlib", "--module", "fake_cpy_tests",
                             "--classes", "Crash", "Hang", "--timeout", "1", "--jobs", "2",
                             pythonpath=fake_tests)
    assert rc == 0
    info = data["classes"]["Crash"]
    assert info["returncode"] == 7 and info["killed"] is False
    assert info["tests"]["test_a_ok"]["outcome"] == "pass"
    assert info["tests"]["test_b_dies"]["reason"] == "class timeout/crash"
    assert info["tests"]["test_c_never"]["reason"] == "class timeout/crash"
    assert summary(lines) == (3, 3, 0)


def test_outcome_kinds_and_grouped_reasons(tmp_path, fake_tests):
    rc, lines, data, _ = run(tmp_path, "--target", "stdlib", "--module", "fake_cpy_tests",
                             "--classes", "Mixed", "BrokenSetUpClass", pythonpath=fake_tests)
    assert rc == 0
    c = data["classes"]["Mixed"]["counts"]
    assert (c["pass"], c["fail"], c["error"], c["skip"], c["xfail"], c["xpass"]) == (0, 3, 1, 1, 1, 1)
    reasons = {r["reason"]: r["tests"] for r in data["reasons"]}
    assert reasons["AssertionError: 1 != 2"] == ["Mixed.test_fail_one", "Mixed.test_fail_two"]
    assert reasons["KeyError: 'nope'"] == ["Mixed.test_error"]
    assert reasons["unexpected success"] == ["Mixed.test_xpass"]
    # an assertion's diff is not the reason; its first line is
    assert reasons["AssertionError: Lists differ: [1, 2] != [1, 3]"] == ["Mixed.test_fail_diff"]
    assert data["reasons"][0]["reason"] == "AssertionError: 1 != 2"  # most common first
    b = data["classes"]["BrokenSetUpClass"]["tests"]["test_one"]
    assert b["outcome"] == "error" and b["reason"] == "setUpClass: RuntimeError: no fixture"
    # pass 0; failed = 3 fail + 1 error + 1 xpass + 1 setUpClass error; skipped = skip + xfail
    assert summary(lines) == (0, 6, 2)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "**2** × `AssertionError: 1 != 2`" in md


def test_check_floor(tmp_path):
    args = ("--target", "stdlib", "--classes", "BuiltinLevelsTest", "--check-floor")
    rc, lines, _data, _ = run(tmp_path, *args, floor=8)
    assert rc == 1 and any("below the floor of 8" in ln for ln in lines)
    assert summary(lines) == (7, 0, 0)
    rc, lines, _data, _ = run(tmp_path, *args, floor=5)
    assert rc == 0 and any("raise" in ln and "to 7" in ln for ln in lines)
    rc, lines, _data, _ = run(tmp_path, *args, floor=7)
    assert rc == 0 and not any(ln.startswith(("hint", "FLOOR")) for ln in lines)


def test_repository_floor_and_exclusions_are_valid():
    sys.path.insert(0, str(RUN.parent))
    try:
        import run as runner
    finally:
        sys.path.pop(0)
    for version in ("3.11", "3.12", "3.13"):
        assert runner.read_floor(RUN.parent / f"floor-{version}") >= 0
    for test_id, reason in runner.load_exclusions(RUN.parent / "exclusions").items():
        assert reason.strip(), test_id


def test_install_mode_runs_after_femtologging_install(tmp_path):
    rc, lines, data, err = run(tmp_path, "--install", "--classes", "BuiltinLevelsTest")
    assert rc == 0, err
    assert data["meta"]["target"] == "install"
    assert data["meta"]["logging_file"].endswith(os.path.join("femtologging", "__init__.py"))
    assert summary(lines) == (7, 0, 0)


def test_install_mode_aborts_when_install_routes_nothing(tmp_path):
    fake = tmp_path / "noop" / "femtologging"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("def install():\n    pass\n")
    rc, _lines, data, err = run(tmp_path, "--install", "--classes", "BuiltinLevelsTest",
                                pythonpath=fake.parent)
    assert rc == 2 and "after install(), sys.modules['logging'] is" in err
    assert data is None
