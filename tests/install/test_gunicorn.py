"""A real gunicorn (sync worker) started with ``FEMTOLOGGING_INSTALL=1``: its access and error
logs are written completely, by femtologging's handlers, across the master/worker fork."""

import http.client
import os
import re
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("gunicorn", reason="make test installs gunicorn")

APP = '''
import logging
log = logging.getLogger("app")

def app(environ, start_response):
    log.warning("handled %s", environ["PATH_INFO"])
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
'''

# A gunicorn config file: once the worker runs, write what its loggers' handlers are.
CONF = '''
import logging, os

def post_worker_init(worker):
    import femtologging
    lines = ["logging %s %s" % (logging.__name__, femtologging._install.installed())]
    for name in ("gunicorn.error", "gunicorn.access"):
        for h in logging.getLogger(name).handlers:
            lines.append("%s %s.%s" % (name, type(h).__module__, type(h).__name__))
    with open(os.environ["PROBE"] + ".tmp", "w") as f:
        f.write("\\n".join(lines) + "\\n")
    os.rename(os.environ["PROBE"] + ".tmp", os.environ["PROBE"])
'''

DEADLINE = 30.0


def _wait_for(predicate, what, proc):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        found = predicate()
        if found:
            return found
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError("gunicorn: no %s (exit code %s)" % (what, proc.poll()))


def _get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"User-Agent": "femto-test"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_gunicorn_access_and_error_logs_through_femtologging(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "gconf.py").write_text(CONF)
    access, error, probe = tmp_path / "access.log", tmp_path / "error.log", tmp_path / "probe"
    env = dict(os.environ, FEMTOLOGGING_INSTALL="1", PROBE=str(probe))
    cmd = [sys.executable, "-m", "gunicorn", "--config", str(tmp_path / "gconf.py"),
           "--bind", "127.0.0.1:0", "--workers", "1", "--worker-class", "sync",
           "--access-logfile", str(access), "--error-logfile", str(error),
           "--chdir", str(tmp_path), "app:app"]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def port():
            m = error.exists() and re.search(r"Listening at: http://127\.0\.0\.1:(\d+)",
                                             error.read_text())
            return m and int(m.group(1))
        port = _wait_for(port, "'Listening at' line in the error log", proc)
        _wait_for(probe.exists, "post_worker_init probe", proc)
        assert _get(port, "/one") == (200, b"ok")
        assert _get(port, "/two?x=1") == (200, b"ok")
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=DEADLINE)[0].decode()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, out

    assert probe.read_text().splitlines() == [
        "logging femtologging True",
        "gunicorn.error femtologging.FileHandler",
        "gunicorn.access femtologging.FileHandler"]
    access_lines = access.read_text().splitlines()
    assert len(access_lines) == 2, access_lines
    for line, request in zip(access_lines, ("GET /one HTTP/1.1", "GET /two?x=1 HTTP/1.1")):
        assert re.fullmatch(r'127\.0\.0\.1 - - \[[^\]]+\] "%s" 200 2 "-" "femto-test"'
                            % re.escape(request), line), line
    errors = error.read_text()
    for expected in ("Starting gunicorn", "Listening at: http://127.0.0.1:%d" % port,
                     "Using worker: sync", "Booting worker with pid",
                     "Handling signal: term", "Shutting down: Master"):
        assert re.search(r"^\[[^\]]+\] \[\d+\] \[INFO\] .*%s" % re.escape(expected), errors,
                         re.M), (expected, errors)
    # The application's own logger (no handler configured: the last resort) reached stderr.
    assert "handled /one" in out and "handled /two" in out, out


FORK_CHILD = """
import os, sys, femtologging
unused = femtologging.FileHandler(sys.argv[1] + "/unused.log")
used = femtologging.FileHandler(sys.argv[1] + "/used.log")
used.setFormatter(femtologging.Formatter("%(message)s"))
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        used.handle(femtologging.makeLogRecord({"msg": "from the child"}))
        fds = (unused.stream.fileno(), used.stream.fileno())
        os.write(write_end, ("%d %d %d" % (fds + (os.get_inheritable(fds[1]),))).encode())
        used.flush()
    finally:
        os._exit(0)
os.close(write_end)
with os.fdopen(read_end) as r:
    print(r.read())
print(os.waitpid(pid, 0)[1])
"""


def test_file_descriptor_in_a_forked_child(tmp_path):
    # What gunicorn's worker does at start: fileno() of handlers the master opened, one the
    # child has not used yet and one it has just logged to (the file may not be open yet).
    proc = subprocess.run([sys.executable, "-W", "ignore::DeprecationWarning", "-c", FORK_CHILD,
                           str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    answer, status = proc.stdout.splitlines()
    unused_fd, used_fd, inheritable = map(int, answer.split())
    assert status == "0" and unused_fd > 2 and used_fd > 2 and not inheritable
    assert (tmp_path / "used.log").read_text() == "from the child\n"
