"""femtologging must never import the standard ``logging`` package (checked in a fresh interpreter)."""

import os
import subprocess
import sys
import textwrap

import femtologging

SCRIPT = textwrap.dedent(r"""
    import sys
    sys.modules["logging"] = None  # any "import logging" now raises ImportError
    import io
    import femtologging

    stream = io.StringIO()
    femtologging.basicConfig(stream=stream, level=femtologging.DEBUG,
                             format="%(levelname)s:%(name)s:%(message)s")
    log = femtologging.getLogger("nostd.child")
    log.debug("d %d", 1)
    log.info("i %(k)s", {"k": "v"})
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("boom")
    femtologging.LoggerAdapter(log, {"x": 1}).warning("adapted")
    femtologging.captureWarnings(True)
    femtologging.captureWarnings(False)
    fmt = femtologging.Formatter("{levelname}|{message}", style="{")
    rec = femtologging.makeLogRecord({"msg": "m", "levelname": "INFO"})
    assert fmt.format(rec) == "INFO|m", fmt.format(rec)
    out = stream.getvalue()
    assert out.startswith("DEBUG:nostd.child:d 1\nINFO:nostd.child:i v\nERROR:nostd.child:boom\n"), out
    assert "ZeroDivisionError" in out and out.endswith("WARNING:nostd.child:adapted\n"), out
    import os, tempfile
    fd, path = tempfile.mkstemp()
    os.close(fd)
    fh = femtologging.FileHandler(path, mode="w")
    fh.setFormatter(femtologging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(fh)
    log.warning("to file")
    femtologging.shutdown()
    with open(path) as f:
        assert f.read() == "WARNING to file\n"
    os.unlink(path)
    assert sys.modules["logging"] is None, sys.modules["logging"]
    leaked = sorted(m for m in sys.modules if m == "logging" or m.startswith("logging."))
    assert leaked == ["logging"], leaked
    print("OK")
""")


def test_femtologging_never_imports_stdlib_logging():
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(femtologging.__file__)))
    env = dict(os.environ, PYTHONPATH=pkg_parent)
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, cwd=pkg_parent)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "OK\n"
    assert proc.stderr == ""
