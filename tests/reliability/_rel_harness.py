"""Run one reliability case in a fresh interpreter under stdlib ``logging`` and femtologging.

A case is a script whose ``logging`` is whichever package ``REL_LIB`` names (``logging`` or
``femtologging``); ``handlers`` is that package's ``handlers`` module. The harness returns
what the outside world sees: exit status, stdout, stderr and the files the script wrote.
"""

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

LIBS = ("logging", "femtologging")

# Cases start with the signal dispositions of a terminal session: a parent that ignores SIGHUP or
# SIGQUIT (nohup, a shell's background job) passes that on to its children, and the exit-path
# cases would then compare two processes that both survive the signal.
PRELUDE = """\
import importlib, os, signal, sys
for _sig in (signal.SIGHUP, signal.SIGQUIT, signal.SIGTERM, signal.SIGINT):
    signal.signal(_sig, signal.default_int_handler if _sig == signal.SIGINT else signal.SIG_DFL)
logging = importlib.import_module(os.environ['REL_LIB'])
handlers = importlib.import_module(os.environ['REL_LIB'] + '.handlers')
FEMTO = os.environ['REL_LIB'] == 'femtologging'
WORK = os.environ['REL_WORK']
"""

# The usual application: logger 'app' at INFO writing app.log through a FileHandler.
APP = """
log = logging.getLogger('app')
log.addHandler(logging.FileHandler('app.log'))
log.setLevel(logging.INFO)
"""

SLOW = bool(os.environ.get("FEMTOLOGGING_RELIABILITY_SLOW"))


@dataclass
class Outcome:
    """What one run of a case left behind."""

    lib: str
    returncode: int
    stdout: str
    stderr: str
    work: Path
    files: dict = field(default_factory=dict)

    def lines(self, name):
        """The lines of file *name* in the work directory ([] when it does not exist)."""
        p = self.work / name
        return p.read_text(errors="replace").splitlines() if p.exists() else []


def run(script, lib, tmp_path, *, env=None, timeout=60, stdin=None, stdout=subprocess.PIPE):
    """Run *script* (dedented, after the prelude) with *lib* as ``logging``."""
    work = Path(tmp_path) / lib
    work.mkdir(parents=True, exist_ok=True)
    path = work / "case.py"
    path.write_text(PRELUDE + textwrap.dedent(script))
    full_env = dict(os.environ, REL_LIB=lib, REL_WORK=str(work), PYTHONDONTWRITEBYTECODE="1")
    full_env.pop("FEMTOLOGGING_SYNC", None)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, str(path)], cwd=work, env=full_env, timeout=timeout,
                          stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True)
    return Outcome(lib, proc.returncode, proc.stdout or "", proc.stderr, work)


def both(script, tmp_path, **kw):
    """Run *script* under both packages; returns ``{lib: Outcome}``."""
    return {lib: run(script, lib, tmp_path, **kw) for lib in LIBS}


def report(case, **figures):
    """Print one line of figures (visible with ``pytest -s``; collected for the notes)."""
    print("RELIABILITY %s: %s" % (case, ", ".join("%s=%s" % kv for kv in figures.items())))
