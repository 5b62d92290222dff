"""Differential-test harness: run a test file's ``scenario_*`` functions under both libraries.

Each ``test_diff_*.py`` defines ``scenario_<name>(lg, out)`` functions that drive the logging
module ``lg`` (stdlib ``logging`` or ``femtologging``) and write what must match into the
StringIO ``out``. The harness imports that same file in two fresh interpreters, one per library,
so that line numbers, file names and tracebacks line up, and collects every scenario's output.
"""

import json
import os
import subprocess
import sys

import pytest

# Runs inside the child interpreter: argv = [path of the test file, library module name].
HARNESS = r'''
import importlib, importlib.util, io, json, sys, traceback

path, libname = sys.argv[1], sys.argv[2]
lg = importlib.import_module(libname)
spec = importlib.util.spec_from_file_location("diffmod", path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)

FIXED = dict(created=1700000000.123456, msecs=123.0, relativeCreated=4242.5,
             thread=1234567, threadName="MainThread", process=4321, processName="MainProcess")
base_factory = lg.getLogRecordFactory()
last_resort = lg.lastResort


def fixed_factory(*args, **kwargs):
    record = base_factory(*args, **kwargs)
    record.__dict__.update(FIXED)
    return record


results = {}
for attr in sorted(vars(mod)):
    if not attr.startswith("scenario_"):
        continue
    for h in lg.root.handlers[:]:
        lg.root.removeHandler(h)
    lg.root.setLevel(lg.WARNING)
    lg.setLogRecordFactory(fixed_factory)
    lg.lastResort = last_resort
    lg.raiseExceptions = True
    lg.disable(lg.NOTSET)
    out = io.StringIO()
    err = io.StringIO()
    saved_err, sys.stderr = sys.stderr, err
    try:
        getattr(mod, attr)(lg, out)
        status = "ok"
    except BaseException:
        status = "crashed"
        out.write("\n<<scenario raised>>\n" + traceback.format_exc())
    finally:
        sys.stderr = saved_err
    results[attr[len("scenario_"):]] = {"status": status, "out": out.getvalue(),
                                       "stderr": err.getvalue()}
sys.stdout.write(json.dumps(results))
'''

LIBRARIES = ("logging", "femtologging")
_cache = {}


def _run(path, libname):
    env = dict(os.environ, TZ="UTC", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", HARNESS, path, libname], capture_output=True,
                          text=True, env=env, cwd=os.path.dirname(path))
    if proc.returncode != 0:
        raise AssertionError("harness for %s failed:\n%s" % (libname, proc.stderr))
    return json.loads(proc.stdout)


def outputs_for(path):
    """{library: {scenario: {"status", "out", "stderr"}}} for the test file ``path`` (cached)."""
    path = os.path.abspath(path)
    if path not in _cache:
        _cache[path] = {lib: _run(path, lib) for lib in LIBRARIES}
    return _cache[path]


def scenario_names(path):
    """Names of the ``scenario_*`` functions defined in ``path`` (read without importing it)."""
    import ast

    with open(path) as f:
        tree = ast.parse(f.read())
    return sorted(n.name[len("scenario_"):] for n in tree.body
                  if isinstance(n, ast.FunctionDef) and n.name.startswith("scenario_"))


@pytest.fixture
def compare(request):
    """Assert that stdlib and femtologging produced the same output for ``scenario``."""

    def check(scenario):
        results = outputs_for(str(request.path))
        std = results["logging"][scenario]
        femto = results["femtologging"][scenario]
        assert std["status"] == "ok", "stdlib itself failed:\n" + std["out"]
        assert std["out"], "scenario %s produced no output: it would test nothing" % scenario
        assert femto["out"] == std["out"], "stderr of femtologging run:\n" + femto["stderr"]
        return std, femto

    return check


def pytest_generate_tests(metafunc):
    """Parametrise every test taking ``scenario`` with the file's scenario names."""
    if "scenario" in metafunc.fixturenames:
        metafunc.parametrize("scenario", scenario_names(str(metafunc.definition.path)))
