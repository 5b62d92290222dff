"""Bad input never raises out of a logging call, and loses no other record.

Each scenario runs in a fresh interpreter twice, once with stdlib ``logging`` and once with
``femtologging``; the outcomes (what each handler wrote, the handleError reports on stderr,
the exit status) must be the same. Traceback bodies are compared without their indented frame
lines, which name different files.
"""

import os
import subprocess
import sys
import textwrap

import pytest

SETUP = textwrap.dedent('''
    import io, sys
    logging = __import__(sys.argv[1])
    path = sys.argv[2]
    log = logging.getLogger("bad")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    fh = logging.FileHandler(path, encoding="utf-8")
    sio = io.StringIO()
    sh = logging.StreamHandler(sio)
    eh = logging.StreamHandler()          # sys.stderr
    for h in (fh, sh, eh):
        log.addHandler(h)
''')

REPORT = textwrap.dedent('''
    logging.shutdown()
    print(repr(sio.getvalue()))
    print(repr(open(path, encoding="utf-8", errors="surrogateescape").read()))
''')

SCENARIOS = {
    "surrogate_message": '''
        log.warning("bad \\udcff name")
        log.warning("after")
    ''',
    "surrogate_argument": '''
        log.warning("arg %s", "x\\udcffy")
        log.info("after %d", 1)
    ''',
    "malformed_exc_info": '''
        log.error("exc", exc_info=(1, 2, 3))
        log.warning("after")
    ''',
    "surrogate_without_raise_exceptions": '''
        logging.raiseExceptions = False
        log.warning("bad \\udcff name")
        log.error("exc", exc_info=(1, 2, 3))
        log.warning("after")
    ''',
    "surrogate_in_exception_text": '''
        try:
            raise ValueError("v\\udcffw")
        except ValueError:
            log.exception("caught")
        log.warning("after")
    ''',
}


def run(module, body, tmp_path):
    path = tmp_path / (module + ".log")
    code = SETUP + textwrap.dedent(body) + REPORT
    env = dict(os.environ, LC_ALL="C.UTF-8")
    env.pop("PYTHONIOENCODING", None)
    proc = subprocess.run([sys.executable, "-c", code, module, str(path)],
                          capture_output=True, env=env, timeout=60)
    stderr = proc.stderr.decode("utf-8", "backslashreplace")
    top_level = [line for line in stderr.splitlines() if line and not line[0].isspace()]
    return proc.returncode, proc.stdout.decode("utf-8", "backslashreplace"), top_level


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_same_outcome_as_stdlib(scenario, tmp_path):
    expected = run("logging", SCENARIOS[scenario], tmp_path)
    got = run("femtologging", SCENARIOS[scenario], tmp_path)
    assert expected[0] == 0, expected
    assert got == expected
