"""Rust's ``log`` crate through pyo3-log (tests/pyo3_log_ext) lands in femtologging's handlers."""

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("femto_pyo3_log_test", reason="make test builds tests/pyo3_log_ext")

COMMON = textwrap.dedent(r"""
    import io, logging, sys
    import femtologging

    def attach():
        stream = io.StringIO()
        h = logging.StreamHandler(stream)
        h.setFormatter(logging.Formatter("%(name)s|%(levelname)s|%(filename)s|%(lineno)d|%(message)s"))
        types = []
        h.addFilter(lambda r: types.append(type(r) is femtologging.LogRecord) or True)
        root = logging.getLogger()
        root.handlers[:] = [h]
        root.setLevel(logging.DEBUG)
        return stream, types

    def show(stream, types, lines):
        print(sorted(set(types)), type(logging.getLogger().handlers[0]).__module__)
        print(stream.getvalue().replace("|%d|" % lines[0], "|INFO_LINE|")
              .replace("|%d|" % lines[1], "|WARN_LINE|").replace("|%d|" % lines[2], "|DEBUG_LINE|"),
              end="")
""")

EXPECTED = ("femto_ext.worker|INFO|lib.rs|INFO_LINE|info {m}\n"
            "femto_pyo3_log_test|WARNING|lib.rs|WARN_LINE|warn {m}\n"
            "femto_pyo3_log_test|DEBUG|lib.rs|DEBUG_LINE|debug {m}\n")


def _run(body):
    proc = subprocess.run([sys.executable, "-c", COMMON + textwrap.dedent(body)],
                          capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "FEMTOLOGGING_INSTALL"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_extension_imported_after_install():
    out = _run("""
        femtologging.install()
        import femto_pyo3_log_test as ext
        stream, types = attach()
        show(stream, types, ext.emit("after"))
    """)
    assert out == "[True] femtologging\n" + EXPECTED.format(m="after")


def test_extension_bound_to_stdlib_logging_before_install():
    out = _run("""
        import femto_pyo3_log_test as ext      # pyo3-log binds the standard logging here
        stream, types = attach()
        ext.emit("before")                     # cached loggers: the standard ones
        assert type(logging.getLogger()).__module__ == "logging"
        femtologging.install()
        stream, types = attach()
        show(stream, types, ext.emit("installed"))
    """)
    assert out == "[True] femtologging\n" + EXPECTED.format(m="installed")
