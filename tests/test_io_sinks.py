"""Behaviour of the native asynchronous sinks (AsyncFile, AsyncStream, AsyncSocket)."""

import logging
import logging.handlers
import os
import sys
import socket
import threading

import pytest

from femtologging import _femtologging as native

AsyncFile = native.AsyncFile
AsyncStream = native.AsyncStream
AsyncSocket = native.AsyncSocket


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# --- files ------------------------------------------------------------------------------------


def test_write_then_flush_is_on_disk(tmp_path):
    p = tmp_path / "a.log"
    f = AsyncFile(p)
    f.write("héllo\n")
    f.flush()
    assert read(p) == "héllo\n"
    assert f.tell() == len("héllo\n".encode())
    assert f.path == str(p) and f.name == str(p)
    assert isinstance(f.fileno(), int)
    f.close()


def test_context_manager_closes(tmp_path):
    p = tmp_path / "cm.log"
    with AsyncFile(p) as f:
        f.write("inside\n")
    assert f.closed
    assert read(p) == "inside\n"


def test_close_drains_everything_in_order(tmp_path):
    p = tmp_path / "a.log"
    f = AsyncFile(p, capacity=16)
    for i in range(5000):
        f.write(f"line {i}\n")
    f.close()
    assert read(p).splitlines() == [f"line {i}" for i in range(5000)]
    assert f.closed
    f.close()  # idempotent
    with pytest.raises(ValueError):
        f.write("late\n")


def test_modes_like_open(tmp_path):
    p = tmp_path / "m.log"
    p.write_text("old\n")
    f = AsyncFile(p, "a")
    f.write("new\n")
    f.close()
    assert read(p) == "old\nnew\n"
    AsyncFile(p, "w").close()
    assert read(p) == ""
    with pytest.raises(FileExistsError):
        AsyncFile(p, "x")
    for mode in ("ab", "wb+", "a+"):
        AsyncFile(p, mode).close()
    with pytest.raises(ValueError):
        AsyncFile(p, "r")
    with pytest.raises(ValueError):
        AsyncFile(p, "ab", encoding="utf-8")  # as open() says


def test_open_errors_are_oserror_subclasses(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        AsyncFile(tmp_path / "missing" / "x.log")
    assert info.value.errno == 2
    assert info.value.filename == str(tmp_path / "missing" / "x.log")
    with pytest.raises(IsADirectoryError):
        AsyncFile(tmp_path)


def test_bad_arguments(tmp_path):
    p = tmp_path / "x.log"
    with pytest.raises(ValueError):
        AsyncFile(p, overflow="sometimes")
    with pytest.raises(ValueError):
        AsyncFile(p, overflow="timeout")
    with pytest.raises(ValueError):
        AsyncFile(p, capacity=0)
    with pytest.raises(LookupError):
        AsyncFile(p, encoding="no-such-codec")
    with pytest.raises(ValueError):
        AsyncFile(str(p) + "\0x", delay=True)
    with pytest.raises(TypeError):
        AsyncFile(p, max_bytes="big")
    f = AsyncFile(p)
    with pytest.raises(TypeError):
        f.write(b"bytes")
    with pytest.raises(TypeError):
        f.write_bytes("text")
    f.write_bytes(bytearray(b"ok\n"))
    f.write_bytes(memoryview(b"mv\n"))
    f.close()
    assert read(p) == "ok\nmv\n"


def test_delay_opens_on_first_write(tmp_path):
    p = tmp_path / "d.log"
    f = AsyncFile(p, delay=True)
    assert not p.exists()
    with pytest.raises(ValueError):
        f.fileno()
    f.write("x\n")
    f.flush()
    assert read(p) == "x\n"
    f.close()


def test_encoding_error_raises_and_loses_nothing_else(tmp_path):
    p = tmp_path / "e.log"
    f = AsyncFile(p, encoding="ascii")
    f.write("a\n")
    with pytest.raises(UnicodeEncodeError):
        f.write("é\n")
    f.write("b\n")
    f.close()
    assert read(p) == "a\nb\n"

    g = AsyncFile(p, "w")
    with pytest.raises(UnicodeEncodeError):
        g.write("\ud800\n")
    g.write("c\n")
    g.close()
    assert read(p) == "c\n"


def test_other_codecs_and_error_handlers(tmp_path):
    p = tmp_path / "c.log"
    f = AsyncFile(p, encoding="ascii", errors="replace")
    f.write("é\n")
    f.close()
    assert p.read_bytes() == b"?\n"
    f = AsyncFile(p, "w", encoding="utf-16-le")
    f.write("hi")
    f.close()
    assert p.read_bytes() == "hi".encode("utf-16-le")


def test_drop_newest_counts_exactly(tmp_path, capfd):
    p = tmp_path / "drop.log"
    f = AsyncFile(p, capacity=10, overflow="drop")
    f._pause()  # worker parked with an empty queue
    for i in range(25):
        f.write(f"{i}\n")
    assert f.dropped == 15
    f._resume()
    f.close()
    assert read(p).splitlines() == [str(i) for i in range(10)]
    assert f.dropped == 15
    warnings = [line for line in capfd.readouterr().err.splitlines() if "dropped" in line]
    # Rate limited: one line for the burst, then close() states the true total.
    assert len(warnings) == 2
    assert "1 record(s) dropped so far" in warnings[0]
    assert "15 record(s) dropped in total (14 since last warning)" in warnings[1]


def test_stalled_pipe_never_blocks_and_accounts_for_every_record():
    r, w = os.pipe()
    s = AsyncStream(w, capacity=8, overflow="drop")
    total = 2000
    line = "x" * 999 + "\n"  # 2 MB: more than a pipe buffer and than one worker batch
    for _ in range(total):
        s.write(line)  # nobody reads yet: must not block
    assert s.dropped > 0
    chunks = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(r, 65536), b"")))
    reader.start()
    s.close()
    os.close(w)
    reader.join()
    os.close(r)
    received = b"".join(chunks).count(b"\n")
    assert received + s.dropped == total


def test_block_timeout_drops_after_timeout(tmp_path):
    p = tmp_path / "t.log"
    f = AsyncFile(p, capacity=2, overflow="timeout", timeout=0.01)
    f._pause()
    for i in range(4):
        f.write(f"{i}\n")
    assert f.dropped == 2
    f._resume()
    f.close()
    assert read(p) == "0\n1\n"


def test_flush_reports_worker_error():
    r, w = os.pipe()
    s = AsyncStream(w)
    os.close(r)
    s.write("nobody listens\n")
    with pytest.raises(BrokenPipeError):
        s.flush()
    s.flush()  # reported once
    s.close()
    os.close(w)


def test_stream_writes_to_fd():
    r, w = os.pipe()
    s = AsyncStream(w)
    assert s.fileno() == w
    s.write("one\n")
    s.write_bytes(b"two\n")
    s.close()
    os.close(w)
    with os.fdopen(r, "rb") as f:
        assert f.read() == b"one\ntwo\n"
    with pytest.raises(OSError):
        AsyncStream(987654)


def test_worker_threads_are_named(tmp_path):
    f = AsyncFile(tmp_path / "named.log")
    f.flush()  # the worker names itself when it starts; a flush proves it is running
    names = set()
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/comm") as c:
            names.add(c.read().strip())
    f.close()
    assert "femtolog-file:n" in names  # Linux keeps 15 characters of a thread name


def test_watch_reopens_moved_file(tmp_path):
    p = tmp_path / "w.log"
    f = AsyncFile(p, watch=True)
    f.write("one\n")
    f.flush()
    os.rename(p, tmp_path / "w.log.old")
    f.write("two\n")
    f.flush()
    os.unlink(p)
    f.write("three\n")
    f.close()
    assert read(tmp_path / "w.log.old") == "one\n"
    assert read(p) == "three\n"


def test_reopen_after_external_rotation(tmp_path):
    p = tmp_path / "r.log"
    f = AsyncFile(p)
    f.write("one\n")
    f.flush()
    os.rename(p, tmp_path / "r.log.old")
    f.reopen()
    f.write("two\n")
    f.close()
    assert read(tmp_path / "r.log.old") == "one\n"
    assert read(p) == "two\n"


def _stdlib_rotation(directory, messages, max_bytes, backup_count):
    h = logging.handlers.RotatingFileHandler(
        directory / "app.log", maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
    )
    h.setFormatter(logging.Formatter("%(message)s"))
    for m in messages:
        h.handle(logging.makeLogRecord({"msg": m}))
    h.close()


def _snapshot(directory):
    return {p.name: p.read_text() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("max_bytes,backup_count", [(50, 3), (120, 1), (1, 2), (0, 2), (50, 0)])
def test_rotation_matches_stdlib(tmp_path, max_bytes, backup_count):
    messages = [f"message {i} " + "z" * (i % 17) for i in range(60)]
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    _stdlib_rotation(theirs, messages, max_bytes, backup_count)
    f = AsyncFile(ours / "app.log", max_bytes=max_bytes, backup_count=backup_count)
    for m in messages:
        f.write(m + "\n")
    f.close()
    assert _snapshot(ours) == _snapshot(theirs)


def test_tell_counts_queued_bytes(tmp_path):
    p = tmp_path / "tell.log"
    p.write_text("12345")
    f = AsyncFile(p)
    assert f.tell() == 5
    f._pause()
    f.write("abc\n")
    assert f.tell() == 9  # queued bytes count before they are written
    f._resume()
    f.flush()
    assert f.tell() == 9
    f.close()


def test_flush_all_and_close_all(tmp_path):
    a = AsyncFile(tmp_path / "a.log")
    b = AsyncFile(tmp_path / "b.log")
    a.write("a\n")
    b.write("b\n")
    native.flush_all()
    assert read(tmp_path / "a.log") == "a\n" and read(tmp_path / "b.log") == "b\n"
    native.before_fork()
    native.close_all()
    assert a.closed and b.closed


# --- fork ---------------------------------------------------------------------------------------


def _in_child(fn):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fn()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("mode", ["a", "w"])
def test_fork_child_writes_and_parent_items_are_not_duplicated(tmp_path, mode):
    p = tmp_path / "fork.log"
    f = AsyncFile(p, mode)
    f.write("parent before\n")
    f.flush()
    f._pause()
    f.write("queued in parent\n")  # still in the parent's queue at fork time

    def child():
        f.write("child\n")
        f.close()

    _in_child(child)
    f._resume()
    f.write("parent after\n")
    f.close()
    lines = read(p).splitlines()
    assert sorted(lines) == sorted(["parent before", "queued in parent", "child", "parent after"])


def test_fork_child_can_close_unused_writer_and_parent_continues(tmp_path):
    p = tmp_path / "fork2.log"
    f = AsyncFile(p)
    f.write("one\n")
    native.before_fork()
    _in_child(lambda: f.close())
    f.write("two\n")
    f.close()
    assert read(p) == "one\ntwo\n"


# --- sockets ------------------------------------------------------------------------------------


def _serve_stream(listener, out):
    conn, _ = listener.accept()
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            out.append(data)


def test_tcp_socket_delivers_framed_bytes():
    listener = socket.create_server(("127.0.0.1", 0))
    received = []
    t = threading.Thread(target=_serve_stream, args=(listener, received))
    t.start()
    s = AsyncSocket("tcp", listener.getsockname(), overflow="block")
    for i in range(100):
        s.write_bytes(b"%d;" % i)
    s.close()
    t.join()
    listener.close()
    assert b"".join(received) == b"".join(b"%d;" % i for i in range(100))
    assert s.dropped == 0


def test_tcp_peer_down_drops_and_counts_without_blocking():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    s = AsyncSocket("tcp", ("127.0.0.1", port))
    for _ in range(3):
        s.write_bytes(b"lost")
    s.flush()
    assert s.dropped == 3
    s.close()


def test_udp_socket_one_record_per_datagram():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(10)
    s = AsyncSocket("udp", rx.getsockname())
    for i in range(3):
        s.write_bytes(b"datagram %d" % i)
    s.close()
    assert [rx.recv(1024) for _ in range(3)] == [b"datagram 0", b"datagram 1", b"datagram 2"]
    rx.close()


def test_unix_stream_socket(tmp_path):
    path = str(tmp_path / "s.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    received = []
    t = threading.Thread(target=_serve_stream, args=(listener, received))
    t.start()
    s = AsyncSocket("unix", path, overflow="block")
    s.write("hello ")
    s.write("unix\n")
    s.close()
    t.join()
    listener.close()
    assert b"".join(received) == b"hello unix\n"


def test_unix_datagram_socket(tmp_path):
    path = str(tmp_path / "d.sock")
    rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    rx.bind(path)
    rx.settimeout(10)
    s = AsyncSocket("unix_dgram", path)
    s.write("<14>one")
    s.write("<14>two")
    s.close()
    assert [rx.recv(1024), rx.recv(1024)] == [b"<14>one", b"<14>two"]
    rx.close()


def test_socket_bad_arguments():
    with pytest.raises(ValueError):
        AsyncSocket("sctp", ("127.0.0.1", 1))
    with pytest.raises(TypeError):
        AsyncSocket("tcp", "127.0.0.1:1")
    with pytest.raises(ValueError):
        AsyncSocket("udp", ("127.0.0.1", 70000))


# --- timed rotation -------------------------------------------------------------------------------


def _aged_file(path, age_seconds):
    path.write_text("old\n")
    t = int(__import__("time").time()) - age_seconds
    os.utime(path, (t, t))


@pytest.mark.parametrize(
    "when,interval,utc,at_time",
    [
        ("S", 5, False, None),
        ("M", 1, False, None),
        ("h", 3, True, None),
        ("D", 1, False, None),
        ("midnight", 1, False, None),
        ("MIDNIGHT", 1, True, __import__("datetime").time(3, 30, 15)),
        ("W0", 1, False, None),
        ("W3", 2, True, None),
        ("w6", 1, False, __import__("datetime").time(23, 0)),
    ],
)
def test_timed_schedule_matches_stdlib(tmp_path, when, interval, utc, at_time):
    if sys.version_info >= (3, 13) and interval > 1 and when.upper().startswith(("W", "MIDNIGHT")):
        pytest.skip("the worker keeps the 3.11/3.12 schedule; on 3.13 the handler rotates in Python")
    p = tmp_path / "t.log"
    _aged_file(p, 12345)
    theirs = logging.handlers.TimedRotatingFileHandler(p, when=when, interval=interval, utc=utc, atTime=at_time)
    expected = theirs.rolloverAt
    theirs.close()
    ours = AsyncFile(p, when=when, interval=interval, utc=utc, at_time=at_time)
    assert ours.rollover_at == expected
    ours.close()


def test_timed_rotation_names_and_cleanup_match_stdlib(tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for d in (ours, theirs):
        d.mkdir()
        _aged_file(d / "app.log", 3 * 3600)
        for h in range(4):
            (d / f"app.log.2020-01-01_0{h}").write_text("ancient\n")
        (d / "app.log.keepme").write_text("not a backup\n")
    h = logging.handlers.TimedRotatingFileHandler(theirs / "app.log", when="H", backupCount=2)
    h.setFormatter(logging.Formatter("%(message)s"))
    h.handle(logging.makeLogRecord({"msg": "fresh"}))
    h.close()
    f = AsyncFile(ours / "app.log", when="H", backup_count=2)
    f.write("fresh\n")
    f.close()
    assert _snapshot(ours) == _snapshot(theirs)
    assert read(ours / "app.log") == "fresh\n"


def test_timed_and_size_rotation_are_exclusive(tmp_path):
    with pytest.raises(ValueError):
        AsyncFile(tmp_path / "x.log", when="H", max_bytes=10)
    with pytest.raises(ValueError):
        AsyncFile(tmp_path / "x.log", when="W9")
    with pytest.raises(ValueError):
        AsyncFile(tmp_path / "x.log", when="fortnight")


def test_fork_while_other_threads_write_never_deadlocks(tmp_path):
    p = tmp_path / "busy.log"
    f = AsyncFile(p, capacity=64)
    stop = threading.Event()

    def spam(tid):
        n = 0
        while not stop.is_set():
            f.write(f"parent {tid} {n}\n")
            n += 1

    writers = [threading.Thread(target=spam, args=(tid,)) for tid in range(2)]
    for t in writers:
        t.start()
    try:
        for i in range(5):

            def child(i=i):
                import signal

                signal.alarm(20)  # a deadlock kills the child, failing the exit-code check
                f.write(f"child {i}\n")
                f.close()

            _in_child(child)
    finally:
        stop.set()
        for t in writers:
            t.join()
    f.close()
    lines = read(p).splitlines()
    assert sorted(line for line in lines if line.startswith("child")) == [f"child {i}" for i in range(5)]
    for tid in range(2):
        seq = [int(line.split()[2]) for line in lines if line.startswith(f"parent {tid} ")]
        assert seq == list(range(len(seq))), "parent records lost, duplicated or reordered"
    assert all(line.startswith(("parent ", "child ")) for line in lines)


def _femtolog_threads():
    names = []
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/comm") as c:
            names.append(c.read().strip())
    return [n for n in names if n.startswith("femtolog")]


def test_flush_all_in_child_spawns_no_workers_for_unused_writers(tmp_path):
    f = AsyncFile(tmp_path / "unused.log")

    def child():
        native.before_fork()
        native.flush_all()
        assert _femtolog_threads() == []
        native.close_all()
        assert f.closed

    _in_child(child)
    assert not f.closed
    f.write("still works\n")
    f.close()
    assert read(tmp_path / "unused.log") == "still works\n"
