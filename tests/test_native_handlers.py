"""The stdlib-shaped handlers write on native worker threads: no record is lost at close,
shutdown, exit or fork; rotation on the worker keeps every line exactly once; overflow
policies drop and count exactly; socket and syslog handlers reach real loopback receivers."""

import glob
import os
import pickle
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import femtologging
import femtologging.handlers as handlers
from femtologging import _femtologging as native

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def lines_of(*paths):
    out = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            out.extend(f.read().splitlines())
    return out


def plain_logger(name, handler):
    lg = femtologging.getLogger(name)
    lg.handlers[:] = [handler]
    lg.propagate = False
    lg.setLevel(femtologging.DEBUG)
    return lg


def run_child(code, tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)


# --- nothing is lost -----------------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda p: femtologging.FileHandler(p, encoding="utf-8"),
    lambda p: handlers.RotatingFileHandler(p, maxBytes=10**9, backupCount=1, encoding="utf-8"),
    lambda p: handlers.TimedRotatingFileHandler(p, when="H", backupCount=1, encoding="utf-8"),
    lambda p: handlers.WatchedFileHandler(p, encoding="utf-8"),
])
def test_records_logged_just_before_close_are_written(tmp_path, make):
    path = str(tmp_path / "a.log")
    h = make(path)
    h.setFormatter(femtologging.Formatter("%(message)s"))
    assert isinstance(h.stream, native.AsyncFile)
    lg = plain_logger("close." + type(h).__name__, h)
    for i in range(3000):
        lg.info("record %d", i)
    h.close()
    assert lines_of(path) == ["record %d" % i for i in range(3000)]


def test_records_logged_just_before_shutdown_are_written(tmp_path):
    path = str(tmp_path / "s.log")
    h = handlers.RotatingFileHandler(path, maxBytes=10**9, backupCount=1, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    lg = plain_logger("shutdown", h)
    for i in range(2000):
        lg.warning("r%d", i)
    femtologging.shutdown([__import__("weakref").ref(h)])
    assert lines_of(path) == ["r%d" % i for i in range(2000)]


def test_records_logged_just_before_interpreter_exit_are_written(tmp_path):
    child = run_child("""
        import femtologging as logging, femtologging.handlers as H
        h = H.RotatingFileHandler('exit.log', maxBytes=4000, backupCount=1000, encoding='utf-8')
        h.setFormatter(logging.Formatter('%(message)s'))
        f = logging.FileHandler('plain.log', encoding='utf-8')
        f.setFormatter(logging.Formatter('%(message)s'))
        lg = logging.getLogger('exit')
        lg.addHandler(h); lg.addHandler(f)
        for i in range(5000):
            lg.warning('exit %d', i)
        """, tmp_path)
    assert child.returncode == 0, child.stderr
    files = glob.glob(str(tmp_path / "exit.log*"))
    assert len(files) > 1  # it rotated
    assert sorted(lines_of(*files)) == sorted("exit %d" % i for i in range(5000))
    assert lines_of(str(tmp_path / "plain.log")) == ["exit %d" % i for i in range(5000)]


@pytest.mark.parametrize("ending", ["sys.exit(0)", "h.flush(); os._exit(0)"])
def test_records_logged_in_a_forked_child_are_written(tmp_path, ending):
    child = run_child("""
        import os, sys
        import femtologging as logging, femtologging.handlers as H
        h = H.RotatingFileHandler('fork.log', maxBytes=10**9, backupCount=1, encoding='utf-8')
        h.setFormatter(logging.Formatter('%(message)s'))
        lg = logging.getLogger('fork')
        lg.addHandler(h)
        for i in range(500):
            lg.warning('parent before %d', i)
        pid = os.fork()
        if pid == 0:
            for i in range(1000):
                lg.warning('child %d', i)
            ENDING
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        for i in range(500):
            lg.warning('parent after %d', i)
        h.close()
        """.replace("ENDING", ending), tmp_path)
    assert child.returncode == 0, child.stderr
    got = lines_of(str(tmp_path / "fork.log"))
    want = (["parent before %d" % i for i in range(500)] + ["child %d" % i for i in range(1000)]
            + ["parent after %d" % i for i in range(500)])
    assert sorted(got) == sorted(want)
    # Each process's own records keep their order.
    assert [x for x in got if x.startswith("child")] == ["child %d" % i for i in range(1000)]


# --- rotation on the worker ----------------------------------------------------------------


def _log_from_threads(lg, threads=4, per_thread=1500):
    def work(t):
        for i in range(per_thread):
            lg.info("t%d-%05d", t, i)
    ts = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return {"t%d-%05d" % (t, i) for t in range(threads) for i in range(per_thread)}


def test_rotation_under_four_threads_keeps_every_line_exactly_once(tmp_path):
    path = str(tmp_path / "rot.log")
    h = handlers.RotatingFileHandler(path, maxBytes=2000, backupCount=100000, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    assert isinstance(h.stream, native.AsyncFile) and h.stream.max_bytes == 2000
    want = _log_from_threads(plain_logger("rot4", h))
    h.close()
    files = glob.glob(path + "*")
    assert len(files) > 10
    got = lines_of(*files)
    assert len(got) == len(want) and set(got) == want
    assert all(os.path.getsize(f) < 2000 for f in files)


def test_rotation_with_a_namer_is_decided_in_python_and_still_exact(tmp_path):
    path = str(tmp_path / "named.log")
    h = handlers.RotatingFileHandler(path, maxBytes=2000, backupCount=100000, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    h.namer = lambda name: name + ".bak"
    want = _log_from_threads(plain_logger("rot4n", h), per_thread=400)
    # Python rotation: the stream is a plain (non-rotating) native writer.
    assert isinstance(h.stream, native.AsyncFile) and h.stream.max_bytes == 0
    h.close()
    backups = glob.glob(path + ".*.bak")
    assert len(backups) > 5
    got = lines_of(path, *backups)
    assert len(got) == len(want) and set(got) == want


def test_native_rotating_handler_filters_run_natively_without_double_rotation(tmp_path):
    path = str(tmp_path / "n.log")
    h = handlers.RotatingFileHandler(path, maxBytes=500, backupCount=50, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    lg = plain_logger("nativeonly", h)
    for i in range(200):
        lg.info("n%03d", i)
    h.flush()
    seen = []
    h.addFilter(lambda r: seen.append(r.getMessage()) or True)
    for i in range(200, 400):
        lg.info("n%03d", i)
    h.close()
    assert seen == ["n%03d" % i for i in range(200, 400)]
    files = glob.glob(path + "*")
    assert sorted(lines_of(*files)) == ["n%03d" % i for i in range(400)]
    assert len(files) > 2


def test_emit_patched_on_the_class_is_honoured(tmp_path, monkeypatch):
    calls = []
    orig = handlers.RotatingFileHandler.emit
    monkeypatch.setattr(handlers.RotatingFileHandler, "emit",
                        lambda self, record: (calls.append(record.getMessage()), orig(self, record)))
    path = str(tmp_path / "p.log")
    h = handlers.RotatingFileHandler(path, maxBytes=500, backupCount=50, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    lg = plain_logger("patchedemit", h)
    for i in range(50):
        lg.info("p%03d", i)
    h.close()
    assert calls == ["p%03d" % i for i in range(50)]
    assert sorted(lines_of(*glob.glob(path + "*"))) == ["p%03d" % i for i in range(50)]


def test_do_rollover_called_directly_on_a_native_handler(tmp_path):
    path = str(tmp_path / "d.log")
    h = handlers.RotatingFileHandler(path, maxBytes=10**6, backupCount=3, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    lg = plain_logger("dorollover", h)
    lg.info("first")
    h.doRollover()
    lg.info("second")
    h.close()
    assert lines_of(path + ".1") == ["first"]
    assert lines_of(path) == ["second"]


def test_timed_rotation_happens_on_the_worker(tmp_path):
    path = str(tmp_path / "t.log")
    h = handlers.TimedRotatingFileHandler(path, when="H", backupCount=5, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    if sys.version_info >= (3, 13):
        # 3.13 changed the rollover rules; the handler applies them in Python, the worker
        # (which keeps the 3.11/3.12 schedule) only writes.
        assert h.stream.rollover_at is None and h.rolloverAt > time.time()
        h.close()
        return
    assert h.stream.rollover_at == h.rolloverAt
    lg = plain_logger("timed", h)
    lg.info("before")
    h.flush()
    h.rolloverAt = int(time.time()) - 1  # due now: the worker rotates before the next write
    assert h.stream.rollover_at == h.rolloverAt
    lg.info("after")
    h.flush()
    backups = glob.glob(path + ".*")
    assert len(backups) == 1 and lines_of(*backups) == ["before"]
    assert lines_of(path) == ["after"]
    assert h.rolloverAt > time.time()  # rescheduled by the worker
    h.close()


def test_watched_file_is_recreated_when_handle_returns(tmp_path):
    path = str(tmp_path / "w.log")
    h = handlers.WatchedFileHandler(path, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    lg = plain_logger("watched", h)
    lg.info("one")
    h.flush()
    os.rename(path, path + ".moved")
    lg.info("two")
    assert os.path.exists(path)
    h.close()
    assert lines_of(path + ".moved") == ["one"]
    assert lines_of(path) == ["two"]


# --- overflow policy and drop counter ------------------------------------------------------


def test_drop_policy_counts_exactly_what_was_dropped(tmp_path):
    path = str(tmp_path / "drop.log")
    h = femtologging.FileHandler(path, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    assert h.dropped == 0
    h.set_overflow("drop", capacity=8)
    lg = plain_logger("drops", h)
    lg.info("warm-up")
    h.stream._pause()  # the worker writes what it has, then stalls
    sent = 500
    for i in range(sent):
        lg.info("d%d", i)
    h.stream._resume()
    h.flush()
    written = lines_of(path)[1:]
    assert 0 < h.dropped < sent
    assert h.dropped + len(written) == sent
    # What was written is in order and each at most once.
    nums = [int(x[1:]) for x in written]
    assert nums == sorted(set(nums))
    h.close()
    assert h.dropped + len(written) == sent  # the count survives close


def test_timeout_policy_drops_after_waiting_and_counts(tmp_path):
    path = str(tmp_path / "to.log")
    h = handlers.RotatingFileHandler(path, maxBytes=10**6, backupCount=1, encoding="utf-8")
    h.setFormatter(femtologging.Formatter("%(message)s"))
    h.set_overflow("timeout", timeout=0.01, capacity=4)
    lg = plain_logger("timeouts", h)
    h.stream._pause()
    sent = 30
    for i in range(sent):
        lg.info("x%d", i)
    h.stream._resume()
    h.close()
    written = lines_of(path)
    assert h.dropped > 0 and h.dropped + len(written) == sent


def test_block_policy_never_drops(tmp_path):
    path = str(tmp_path / "block.log")
    h = femtologging.FileHandler(path, encoding="utf-8")
    h.set_overflow("block", capacity=2)
    h.setFormatter(femtologging.Formatter("%(message)s"))
    lg = plain_logger("blocks", h)
    for i in range(3000):
        lg.info("b%d", i)
    h.close()
    assert h.dropped == 0
    assert lines_of(path) == ["b%d" % i for i in range(3000)]


def test_set_overflow_rejects_bad_arguments():
    h = femtologging.StreamHandler()
    with pytest.raises(ValueError):
        h.set_overflow("sometimes")
    with pytest.raises(ValueError):
        h.set_overflow("timeout")
    with pytest.raises(ValueError):
        h.set_overflow("timeout", timeout=-1)
    with pytest.raises(ValueError):
        h.set_overflow("drop", timeout=1.0)
    with pytest.raises(ValueError):
        h.set_overflow("drop", capacity=0)
    with pytest.raises(TypeError):
        h.set_overflow("drop", capacity="8")
    with pytest.raises(ValueError):
        handlers.SocketHandler("127.0.0.1", 9).set_overflow("nope")


def test_set_overflow_applies_to_a_delayed_file(tmp_path):
    path = str(tmp_path / "delayed.log")
    h = femtologging.FileHandler(path, encoding="utf-8", delay=True)
    h.setFormatter(femtologging.Formatter("%(message)s"))
    h.set_overflow("drop", capacity=3)
    lg = plain_logger("delayed", h)
    lg.info("opens the file")
    h.stream._pause()
    for i in range(50):
        lg.info("z%d", i)
    h.stream._resume()
    h.close()
    written = lines_of(path)
    assert h.dropped > 0 and h.dropped + len(written) == 51


# --- sockets and syslog on loopback --------------------------------------------------------


class PickleServer(threading.Thread):
    """A TCP (or Unix stream) server decoding the stdlib SocketHandler framing."""

    def __init__(self, family=socket.AF_INET, address=("127.0.0.1", 0)):
        super().__init__(daemon=True)
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        self.listener.bind(address)
        self.listener.listen(5)
        self.address = self.listener.getsockname()
        self.records = []
        self.got = threading.Condition()

    def run(self):
        conn, _ = self.listener.accept()
        buf = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 4:
                (n,) = struct.unpack(">L", buf[:4])
                if len(buf) < 4 + n:
                    break
                rec = femtologging.makeLogRecord(pickle.loads(buf[4:4 + n]))
                buf = buf[4 + n:]
                with self.got:
                    self.records.append(rec)
                    self.got.notify_all()
        conn.close()

    def wait_for(self, count):
        with self.got:
            assert self.got.wait_for(lambda: len(self.records) >= count, timeout=30)
        return self.records

    def close(self):
        self.listener.close()


def test_socket_handler_sends_pickles_from_its_worker():
    server = PickleServer()
    server.start()
    h = handlers.SocketHandler("127.0.0.1", server.address[1])
    lg = plain_logger("tcp.native", h)
    try:
        for i in range(300):
            lg.info("msg %d", i, extra={"n": i})
        got = server.wait_for(300)
        assert [r.getMessage() for r in got] == ["msg %d" % i for i in range(300)]
        assert [r.n for r in got] == list(range(300))
        assert isinstance(h.sock, native.AsyncSocket) and h.sock.kind == "tcp"
        assert h.retryTime is None and h.dropped == 0
    finally:
        h.close()
        server.close()


def test_socket_handler_over_a_unix_stream(tmp_path):
    path = str(tmp_path / "log.sock")
    server = PickleServer(socket.AF_UNIX, path)
    server.start()
    h = handlers.SocketHandler(path, None)
    lg = plain_logger("unix.native", h)
    try:
        lg.error("over unix")
        assert server.wait_for(1)[0].msg == "over unix"
        assert h.sock.kind == "unix"
    finally:
        h.close()
        server.close()


def test_socket_handler_counts_records_dropped_while_peer_is_down():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    h = handlers.SocketHandler("127.0.0.1", port)
    h.retryStart = 100.0
    lg = plain_logger("tcp.down", h)
    for i in range(5):
        lg.info("lost %d", i)
    before = time.time()
    assert h.retryTime is not None and h.retryTime > before + 50  # retryStart honoured
    assert h.sock is None
    assert h.dropped == 5
    h.close()


def test_socket_handler_subclass_with_its_own_socket_stays_synchronous():
    server = PickleServer()
    server.start()
    made = []

    class Custom(handlers.SocketHandler):
        def makeSocket(self, timeout=1):
            s = socket.create_connection(self.address, timeout=timeout)
            made.append(s)
            return s

    h = Custom("127.0.0.1", server.address[1])
    lg = plain_logger("tcp.custom", h)
    try:
        lg.info("custom")
        assert server.wait_for(1)[0].msg == "custom"
        assert made and h.sock is made[0]
    finally:
        h.close()
        server.close()


def test_datagram_handler_sends_from_its_worker():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(30)
    h = handlers.DatagramHandler("localhost", rx.getsockname()[1])
    lg = plain_logger("udp.native", h)
    try:
        for i in range(20):
            lg.info("dg %d", i)
        got = []
        for _ in range(20):
            data = rx.recv(65536)
            (n,) = struct.unpack(">L", data[:4])
            assert n == len(data) - 4
            got.append(pickle.loads(data[4:])["msg"])
        assert got == ["dg %d" % i for i in range(20)]
        assert isinstance(h.sock, native.AsyncSocket) and h.sock.kind == "udp"
    finally:
        h.close()
        rx.close()


def test_syslog_over_a_unix_datagram_socket(tmp_path):
    path = str(tmp_path / "devlog")
    rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rx.bind(path)
    rx.settimeout(30)
    h = handlers.SysLogHandler(path, facility=handlers.SysLogHandler.LOG_DAEMON)
    assert isinstance(h.socket, native.AsyncSocket) and h.socket.kind == "unix_dgram"
    assert h.unixsocket and h.socktype == socket.SOCK_DGRAM
    lg = plain_logger("syslog.dgram", h)
    try:
        lg.warning("disk %s", "full")
        lg.debug("d\xe9tail")
        assert rx.recv(4096) == b"<28>disk full\x00"  # (3 << 3) | 4
        assert rx.recv(4096) == "<31>d\xe9tail\x00".encode("utf-8")
    finally:
        h.close()
        rx.close()


def test_syslog_over_a_unix_stream_socket_is_detected_without_connecting(tmp_path):
    path = str(tmp_path / "streamlog")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    listener.settimeout(30)
    h = handlers.SysLogHandler(path)
    assert h.socktype == socket.SOCK_STREAM and h.socket.kind == "unix"
    lg = plain_logger("syslog.stream", h)
    try:
        lg.error("streamed")
        conn, _ = listener.accept()
        conn.settimeout(30)
        data = b""
        while not data.endswith(b"\x00"):
            data += conn.recv(4096)
        assert data == b"<11>streamed\x00"
        conn.close()
    finally:
        h.close()
        listener.close()


def test_syslog_over_udp(tmp_path):
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(30)
    h = handlers.SysLogHandler(("127.0.0.1", rx.getsockname()[1]))
    assert h.socket.kind == "udp"
    lg = plain_logger("syslog.udp", h)
    try:
        lg.critical("udp!")
        assert rx.recv(4096) == b"<10>udp!\x00"
    finally:
        h.close()
        rx.close()


# --- the process's own stdout / stderr -----------------------------------------------------


def test_stdio_stream_handler_writes_through_a_native_writer(tmp_path):
    child = run_child("""
        import sys
        import femtologging as logging
        from femtologging import _femtologging as native

        class Handler(logging.StreamHandler):
            pass

        h = Handler(sys.stdout)
        h.setFormatter(logging.Formatter('%(message)s'))
        lg = logging.getLogger('stdio')
        lg.addHandler(h)
        print('before')
        lg.warning('first')
        assert h.stream is sys.__stdout__
        assert isinstance(h._femto_stdio, native.AsyncStream)
        h.flush()
        print('between')
        for i in range(2000):
            lg.warning('line %d', i)
        """, tmp_path)
    assert child.returncode == 0, child.stderr
    out = child.stdout.splitlines()
    assert out[:3] == ["before", "first", "between"]
    assert out[3:] == ["line %d" % i for i in range(2000)]
