"""Differential-test harness: run a test file's ``scenario_*`` functions under both libraries.

Each ``test_diff_*.py`` defines ``scenario_<name>(lg, out)`` functions that drive the logging
module ``lg`` (stdlib ``logging`` or ``femtologging``). A scenario's log lines go through
ordinary handlers into files (see ``_capture.py``); notes it writes itself (reprs, error
messages) go to the StringIO ``out``. The harness imports the same test file in two fresh
interpreters, one per library, so that line numbers, file names and tracebacks line up, and
collects every scenario's handler bytes and notes.

No record factory is installed: both libraries run their default path (femtologging's
record-less fast path included). Time and identity are made deterministic below the
libraries instead: the children run with a small preloaded C shim that freezes the wall
clock and ``getpid()``, and without address-space randomisation, so the main thread's ident
is the same in both interpreters.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

# Runs inside the child interpreter: argv = [test file, library module name, capture dir].
HARNESS = r'''
import importlib, importlib.util, io, json, os, sys, traceback

path, libname, capture_dir = sys.argv[1:4]
sys.path.insert(0, os.path.dirname(path))
import _capture

lg = importlib.import_module(libname)
spec = importlib.util.spec_from_file_location("diffmod", path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)

default_factory = lg.getLogRecordFactory()
last_resort = lg.lastResort
results = {}
for attr in sorted(vars(mod)):
    if not attr.startswith("scenario_"):
        continue
    name = attr[len("scenario_"):]
    for h in lg.root.handlers[:]:
        lg.root.removeHandler(h)
    lg.root.setLevel(lg.WARNING)
    lg.setLogRecordFactory(default_factory)
    lg.lastResort = last_resort
    lg.raiseExceptions = True
    lg.disable(lg.NOTSET)
    out = io.StringIO()
    _capture.begin(lg, capture_dir, name)
    try:
        getattr(mod, attr)(lg, out)
        status = "ok"
    except BaseException:
        status = "crashed"
        out.write("\n<<scenario raised>>\n" + traceback.format_exc())
    result = _capture.finish()
    result.update(status=status, out=out.getvalue())
    results[name] = result
sys.stdout.write(json.dumps(results))
'''

# Preloaded into both children: a fixed wall clock (CLOCK_REALTIME, gettimeofday, time) and a
# fixed getpid(). Monotonic clocks are untouched, so timeouts and worker threads behave.
SHIM_C = r'''
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const time_t FIXED_SEC = 1700000000;
static const long FIXED_NSEC = 123456789;
typedef int (*clock_fn)(clockid_t, struct timespec *);

int clock_gettime(clockid_t id, struct timespec *ts) {
    static clock_fn real;
    if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE) {
        ts->tv_sec = FIXED_SEC;
        ts->tv_nsec = FIXED_NSEC;
        return 0;
    }
    if (!real)
        real = (clock_fn)dlsym(RTLD_NEXT, "clock_gettime");
    return real(id, ts);
}

int gettimeofday(struct timeval *tv, void *tz) {
    (void)tz;
    if (tv) {
        tv->tv_sec = FIXED_SEC;
        tv->tv_usec = FIXED_NSEC / 1000;
    }
    return 0;
}

time_t time(time_t *t) {
    if (t)
        *t = FIXED_SEC;
    return FIXED_SEC;
}

pid_t getpid(void) { return 4321; }
'''

LIBRARIES = ("logging", "femtologging")
_cache = {}


@pytest.fixture(scope="session")
def child_command(tmp_path_factory):
    """The command prefix and environment that run a child deterministically."""
    cc = shutil.which("cc") or shutil.which("gcc")
    setarch = shutil.which("setarch")
    if cc is None or setarch is None:
        pytest.fail("the differential tests need a C compiler (cc) and setarch (util-linux)")
    build = tmp_path_factory.mktemp("shim")
    source = build / "fixed_clock.c"
    source.write_text(SHIM_C)
    library = build / "fixed_clock.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(library), str(source), "-ldl"],
                   check=True)
    env = dict(os.environ, TZ="UTC", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1",
               LD_PRELOAD=str(library))
    return [setarch, "-R", sys.executable], env


def _run(command, path, libname):
    prefix, env = command
    with tempfile.TemporaryDirectory(prefix="compat-%s-" % libname) as capture_dir:
        proc = subprocess.run(prefix + ["-c", HARNESS, path, libname, capture_dir],
                              capture_output=True, text=True, env=env, cwd=HERE)
    if proc.returncode != 0:
        raise AssertionError("harness for %s failed:\n%s" % (libname, proc.stderr))
    return json.loads(proc.stdout)


def outputs_for(path, command):
    """{library: {scenario: {"status", "out", "log", "stderr", "probes"}}} for ``path`` (cached)."""
    path = os.path.abspath(path)
    if path not in _cache:
        _cache[path] = {lib: _run(command, path, lib) for lib in LIBRARIES}
    return _cache[path]


def scenario_names(path):
    """Names of the ``scenario_*`` functions defined in ``path`` (read without importing it)."""
    with open(path) as f:
        tree = ast.parse(f.read())
    return sorted(n.name[len("scenario_"):] for n in tree.body
                  if isinstance(n, ast.FunctionDef) and n.name.startswith("scenario_"))


@pytest.fixture
def compare(request, child_command):
    """Assert that stdlib and femtologging produced the same handler bytes and notes."""

    def check(scenario):
        results = outputs_for(str(request.path), child_command)
        std = results["logging"][scenario]
        femto = results["femtologging"][scenario]
        assert std["status"] == "ok", "stdlib itself failed:\n" + std["out"]
        assert std["out"] or std["log"], \
            "scenario %s produced no output: it would test nothing" % scenario
        context = "stderr of femtologging run:\n" + femto["stderr"]
        assert femto["log"] == std["log"], context
        assert femto["out"] == std["out"], context
        return std, femto

    return check


def pytest_generate_tests(metafunc):
    """Parametrise every test taking ``scenario`` with the file's scenario names."""
    if "scenario" in metafunc.fixturenames:
        metafunc.parametrize("scenario", scenario_names(str(metafunc.definition.path)))
