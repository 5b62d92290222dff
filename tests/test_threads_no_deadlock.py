"""Regression: four threads logging while handlers are reconfigured must neither deadlock nor
lose records (an engine lock once stayed held while Python code ran, the deadlock that
picologging users hit). Runs in a subprocess so a hang fails the test instead of the suite."""

import os
import subprocess
import sys
import textwrap

import femtologging

SCRIPT = textwrap.dedent('''
    import io, sys, threading
    import femtologging as logging

    path = sys.argv[1]
    log = logging.getLogger("t4")
    log.propagate = False
    log.setLevel(logging.INFO)
    fh = logging.FileHandler(path, mode="w", encoding="utf-8")
    fh.setFormatter(logging.Formatter("%(threadName)s %(message)s"))
    sio = io.StringIO()
    sh = logging.StreamHandler(sio)
    log.addHandler(fh)
    log.addHandler(sh)
    N = 5000

    def work(k):
        for i in range(N):
            log.info("t%d %d", k, i)
            if i % 500 == 0:
                # Forces the engine to rebuild its cached decisions while others log.
                fh.setFormatter(logging.Formatter("%(threadName)s %(message)s"))
                sh.setLevel(logging.INFO)

    threads = [threading.Thread(target=work, args=(k,), name="w%d" % k) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fh.close()
    lines = open(path, encoding="utf-8").read().splitlines()
    expected = {"w%d t%d %d" % (k, k, i) for k in range(4) for i in range(N)}
    assert len(lines) == 4 * N and set(lines) == expected, (len(lines), len(set(lines)))
    assert sorted(sio.getvalue().splitlines()) == sorted("t%d %d" % (k, i) for k in range(4) for i in range(N))
    print("ok")
''')


def test_four_threads_reconfiguring_handlers_do_not_deadlock(tmp_path):
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(femtologging.__file__)))
    env = dict(os.environ, PYTHONPATH=pkg_parent)
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "t4.log")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
