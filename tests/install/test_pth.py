"""The ``FEMTOLOGGING_INSTALL`` opt-in: a .pth file installed with the package runs install() at start-up."""

import os
import subprocess
import sys
import sysconfig
import textwrap

import pytest

CHILD = r"""
import logging, subprocess, sys
import femtologging
print(logging is femtologging, femtologging._install.installed())
out = subprocess.run([sys.executable, "-c", "import logging; print(logging.__name__)"],
                     capture_output=True, text=True, check=True).stdout.strip()
print(out)
log = logging.getLogger("pth.child")
logging.basicConfig(format="%(levelname)s %(name)s %(message)s")
log.warning("from %s", "pth")
"""


def _run(value):
    env = {k: v for k, v in os.environ.items() if k != "FEMTOLOGGING_INSTALL"}
    if value is not None:
        env["FEMTOLOGGING_INSTALL"] = value
    return subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          env=env, timeout=60)


def test_pth_file_is_installed_in_site_packages():
    path = os.path.join(sysconfig.get_paths()["purelib"], "femtologging_install.pth")
    assert os.path.exists(path), "make build (maturin develop) installs %s" % path


@pytest.mark.parametrize("value", ["1", "yes"])
def test_env_var_installs_in_process_and_subprocesses(value):
    proc = _run(value)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["True True", "femtologging"]
    assert proc.stderr == "WARNING pth.child from pth\n"


@pytest.mark.parametrize("value", [None, "0", ""])
def test_unset_or_zero_leaves_stdlib_alone(value):
    proc = _run(value)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["False False", "logging"]
    assert proc.stderr == "WARNING pth.child from pth\n"


def test_pytest_run_under_the_env_var_captures_through_femtologging(tmp_path):
    (tmp_path / "test_inner.py").write_text(textwrap.dedent("""
        import logging
        log = logging.getLogger("inner.mod")     # a module-level logger, as libraries have

        def test_caplog(caplog):
            import femtologging
            assert logging is femtologging
            caplog.set_level(logging.DEBUG)
            log.debug("d %s", 1)
            log.error("e")
            assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
                ("DEBUG", "d 1"), ("ERROR", "e")]

        def test_failure_report_shows_the_log():
            log.warning("visible in the report")
            assert False
    """))
    env = dict(os.environ, FEMTOLOGGING_INSTALL="1")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(tmp_path / "test_inner.py")], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert "1 failed, 1 passed" in proc.stdout, proc.stdout + proc.stderr
    assert "WARNING  inner.mod:test_inner.py:15 visible in the report" in proc.stdout


def _run_code(code, value="1"):
    env = dict(os.environ, FEMTOLOGGING_INSTALL=value)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_install_happens_when_the_program_first_imports_logging():
    out = _run_code("""
        import importlib.util, sys, femtologging._install as inst
        assert importlib.util.find_spec('logging') is not None   # looked up, not imported
        print('logging' in sys.modules, inst.installed())
        import logging.handlers
        print(logging.__name__, logging.handlers.__name__, inst.installed())
    """)
    assert out == ["False", "False", "femtologging", "femtologging.handlers", "True"]


def test_a_clock_patched_before_import_logging_is_what_records_count_from():
    # relativeCreated counts from the patched clock's reading at `import logging`, as stdlib's
    # start time would, and records read the patched clock when they are made.
    out = _run_code("""
        import time
        start = 1_700_000_000_000_000_000
        now = start
        time.time_ns = lambda: now
        time.time = lambda: now / 1e9
        import logging
        now = start + 250_000_000
        r = logging.makeLogRecord({'msg': 'x'})
        print(type(r).__module__, round(r.created, 3), round(r.relativeCreated, 3))
    """)
    assert out == ["femtologging", "1700000000.25", "250.0"]


def test_an_explicit_install_under_the_variable_installs_once():
    out = _run_code("""
        import femtologging
        femtologging.install()
        import logging, sys
        print(logging is femtologging, type(sys.modules['femtologging']).__name__ != 'NoneType')
        femtologging.uninstall()
        import logging as again
        print(again.__name__, femtologging._install.installed())
    """)
    assert out == ["True", "True", "logging", "False"]
