"""The release wheels: one manylinux wheel per supported CPython, installable and working.

Run by ``make test-wheels`` after ``make wheels``. For each interpreter it installs the
matching wheel from ``WHEEL_DIR`` (default ``target/wheels``) into a fresh virtual environment
of that interpreter, outside the source tree, and runs ``examples/demo.py`` there. The demo's
output must be what the same program prints with the standard ``logging`` (timestamps and the
temporary file's path aside). A missing interpreter or wheel fails; nothing is skipped.
"""

import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WHEEL_DIR = os.environ.get("WHEEL_DIR", os.path.join(ROOT, "target", "wheels"))
PYTHONS = os.environ.get("WHEEL_PYTHONS", " ".join(
    "/root/.pyenv/versions/%s/bin/python%s" % (v, v.rsplit(".", 1)[0])
    for v in ("3.11.7", "3.12.1", "3.13.0"))).split()
DEMO = os.path.join(ROOT, "examples", "demo.py")
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", re.M)
TMPFILE = re.compile(r"/[^\s]*femtologging-demo-[^/\s]+/demo\.log")


def _tag(python):
    out = subprocess.run([python, "-c", "import sys; print('cp%d%d' % sys.version_info[:2])"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _wheel_for(tag):
    names = [n for n in os.listdir(WHEEL_DIR) if n.endswith(".whl") and "-%s-%s-" % (tag, tag) in n]
    assert len(names) == 1, "expected one %s wheel in %s, found %r" % (tag, WHEEL_DIR, names)
    return os.path.join(WHEEL_DIR, names[0])


def _section_names(path):
    """Names of the ELF sections of the shared library ``path`` (64-bit little-endian)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not an ELF64 LE file"
    shoff = int.from_bytes(data[0x28:0x30], "little")
    shentsize = int.from_bytes(data[0x3A:0x3C], "little")
    shnum = int.from_bytes(data[0x3C:0x3E], "little")
    shstrndx = int.from_bytes(data[0x3E:0x40], "little")

    def header(i):
        at = shoff + i * shentsize
        return (int.from_bytes(data[at:at + 4], "little"),
                int.from_bytes(data[at + 0x18:at + 0x20], "little"))

    strtab_offset = header(shstrndx)[1]
    names = []
    for i in range(shnum):
        start = strtab_offset + header(i)[0]
        names.append(data[start:data.index(b"\0", start)].decode())
    return names


def _run_demo(python, demo, cwd):
    proc = subprocess.run([python, demo], capture_output=True, text=True, cwd=cwd,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert proc.returncode == 0, proc.stderr
    return TMPFILE.sub("<log>", proc.stdout), STAMP.sub("<time> ", proc.stderr)


@pytest.mark.parametrize("python", PYTHONS)
def test_wheel_installs_and_runs_the_demo(python, tmp_path):
    assert os.access(python, os.X_OK), "interpreter %s is missing" % python
    tag = _tag(python)
    wheel = _wheel_for(tag)
    assert re.search(r"-%s-%s-manylinux_2_\d+_x86_64(\.manylinux_2_\d+_x86_64)*\.whl$|"
                     r"-%s-%s-manylinux2014_x86_64\.manylinux_2_17_x86_64\.whl$"
                     % (tag, tag, tag, tag), os.path.basename(wheel)), wheel
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert "femtologging/py.typed" in names
        assert any(n.startswith("femtologging/") and n.endswith(".pyi") for n in names)
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for line in ("License-Expression: MIT", "Requires-Python: >=3.11", "Classifier: Typing :: Typed",
                 "Classifier: Programming Language :: Python :: %s" % tag[2:3] + "." + tag[3:]):
        assert line in metadata.splitlines(), (line, metadata[:1500])

    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    vpy = str(venv / "bin" / "python")
    subprocess.run([vpy, "-m", "pip", "install", "-q", "--no-index", "--no-deps", wheel],
                   check=True)

    # The demo runs from a directory outside the source tree, so the installed wheel is imported.
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(DEMO, work / "demo.py")
    (work / "demo_stdlib.py").write_text(
        (work / "demo.py").read_text().replace("import femtologging as logging",
                                              "import logging"))
    where = subprocess.run([vpy, "-c", "import femtologging._femtologging as m; print(m.__file__)"],
                           capture_output=True, text=True, cwd=work, check=True).stdout.strip()
    assert where.startswith(str(venv)), where
    sections = _section_names(where)
    assert not [s for s in sections if s.startswith(".debug")], sections

    femto_out, femto_err = _run_demo(vpy, "demo.py", work)
    std_out, std_err = _run_demo(vpy, "demo_stdlib.py", work)
    assert "request 2 failed" in femto_out and "ZeroDivisionError" in femto_err
    assert femto_out == std_out.replace("demo_stdlib.py", "demo.py")
    assert femto_err == std_err.replace("demo_stdlib.py", "demo.py")


def test_auditwheel_agrees_on_the_manylinux_tag():
    """``auditwheel show`` accepts each wheel's manylinux tag (when auditwheel is installed)."""
    auditwheel = shutil.which("auditwheel") or os.path.join(os.path.dirname(sys.executable),
                                                            "auditwheel")
    assert os.path.exists(auditwheel), "auditwheel is not installed next to %s" % sys.executable
    wheels = sorted(n for n in os.listdir(WHEEL_DIR) if n.endswith(".whl"))
    assert wheels, "no wheels in %s" % WHEEL_DIR
    for name in wheels:
        shown = subprocess.run([auditwheel, "show", os.path.join(WHEEL_DIR, name)],
                               capture_output=True, text=True, check=True).stdout
        assert re.search(r'consistent with the following platform tag:\s+"manylinux_2_\d+_x86_64"',
                         shown), shown
