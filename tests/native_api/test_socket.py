"""FemtoSocketHandler: MessagePack frames over TCP, Unix sockets and TLS; loss accounting."""

import os
import socket
import struct
import subprocess
import sys
import time

import msgpack
import pytest

import femtologging
from femtologging import (
    BackoffConfig, FemtoSocketHandler, HandlerConfigError, SocketHandlerBuilder, get_logger,
)
from femtologging.receive import Receiver

KEYS = {"logger", "level", "message", "timestamp_ns", "filename", "line_number", "module_path",
        "thread_id", "thread_name", "key_values"}


def raw_server():
    """A listening TCP socket whose accepted bytes the test reads itself."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    s.settimeout(10)
    return s


def read_frames(conn, n):
    """Read ``n`` length-prefixed frames and decode them with the msgpack package."""
    out, buf = [], b""
    while len(out) < n:
        chunk = conn.recv(65536)
        assert chunk, "peer closed early"
        buf += chunk
        while len(buf) >= 4 and len(buf) - 4 >= struct.unpack(">I", buf[:4])[0]:
            size = struct.unpack(">I", buf[:4])[0]
            out.append(msgpack.unpackb(buf[4:4 + size], raw=False))
            buf = buf[4 + size:]
    return out


def test_frames_decode_with_the_msgpack_package(name):
    server = raw_server()
    h = SocketHandlerBuilder().with_tcp("127.0.0.1", server.getsockname()[1]).build()
    log = get_logger(name)
    log.set_level("INFO")
    log.add_handler(h)
    before = time.time_ns()
    log.info("hello %s", "socket"); line = sys._getframe().f_lineno  # noqa: E702
    femtologging.getLogger(name).error("from the stdlib API")
    conn, _ = server.accept()
    first, second = read_frames(conn, 2)
    h.close()
    conn.close()
    server.close()
    assert set(first) == KEYS
    assert first["logger"] == name and first["level"] == "INFO"
    assert first["message"] == "hello socket"
    assert first["filename"] == __file__ and first["line_number"] == line
    assert first["module_path"] == "test_socket"
    assert first["thread_name"] == "MainThread" and isinstance(first["thread_id"], int)
    assert first["key_values"] == {}
    assert before - 10**6 <= first["timestamp_ns"] <= time.time_ns()
    assert (second["level"], second["message"]) == ("ERROR", "from the stdlib API")


def test_caller_info_can_be_left_out(name):
    server = raw_server()
    h = (SocketHandlerBuilder().with_tcp("127.0.0.1", server.getsockname()[1])
         .with_caller_info(False).build())
    get_logger(name).add_handler(h)
    get_logger(name).error("no caller")
    conn, _ = server.accept()
    (record,) = read_frames(conn, 1)
    h.close()
    conn.close()
    server.close()
    assert (record["filename"], record["line_number"], record["module_path"]) == ("", 0, "")
    assert record["message"] == "no caller" and record["logger"] == name


def test_extra_plain_values_travel_as_key_values(name):
    server = raw_server()
    h = SocketHandlerBuilder().with_tcp("127.0.0.1", server.getsockname()[1]).build()
    log = get_logger(name)
    log.set_level("INFO")
    log.add_handler(h)
    extra = {"user": "bob", "attempt": 3, "ratio": 0.25, "admin": False, "team": None,
             "big": 1 << 80, "obj": object(), "tags": ["a"]}
    log.info("login %s", "ok", extra=extra)
    log.info("no extra here")
    femtologging.getLogger(name).warning("stdlib API", extra={"order": 7})
    conn, _ = server.accept()
    first, second, third = read_frames(conn, 3)
    h.close()
    conn.close()
    server.close()
    # Only str/int/float/bool/None values that fit are carried; the rest is left out.
    assert first["key_values"] == {"user": "bob", "attempt": 3, "ratio": 0.25, "admin": False,
                                   "team": None}
    assert first["message"] == "login ok" and first["line_number"] > 0
    assert second["key_values"] == {} and second["message"] == "no extra here"
    assert third["key_values"] == {"order": 7} and third["level"] == "WARNING"


def test_receiver_decodes_key_values(name):
    with Receiver(tcp=("127.0.0.1", 0)) as receiver:
        h = FemtoSocketHandler("127.0.0.1", receiver.port, policy="block")
        get_logger(name).add_handler(h)
        get_logger(name).error("paid", extra={"amount": 9.5, "currency": "EUR", "late": True})
        assert h.flush(timeout=5) and receiver.wait_for(1)
        h.close()
    assert receiver.records[0]["key_values"] == {"amount": 9.5, "currency": "EUR", "late": True}


def test_records_through_the_python_path_share_the_stream_with_native_frames(name):
    """A handler that leaves the native path (a replaced ``format``) still sends frames."""
    server = raw_server()
    h = FemtoSocketHandler("127.0.0.1", server.getsockname()[1], policy="block")
    log = get_logger(name)
    log.add_handler(h)
    log.error("native %d", 1)
    h.format = lambda record: FemtoSocketHandler.format(h, record)
    log.error("python %d", 2)
    del h.format
    log.error("native %d", 3)
    conn, _ = server.accept()
    records = read_frames(conn, 3)
    h.close()
    conn.close()
    server.close()
    assert [r["message"] for r in records] == ["native 1", "python 2", "native 3"]
    assert all(set(r) == KEYS and r["logger"] == name for r in records)
    assert records[1]["module_path"] == "test_socket" and records[1]["thread_name"] == "MainThread"


def test_many_records_arrive_whole_and_in_order(name):
    with Receiver(tcp=("127.0.0.1", 0)) as receiver:
        h = FemtoSocketHandler("127.0.0.1", receiver.port, capacity=64, policy="block",
                               caller_info=False)
        log = get_logger(name)
        log.set_level("INFO")
        log.add_handler(h)
        for i in range(3000):
            log.info("n=%d", i)
        assert h.flush(timeout=10) and receiver.wait_for(3000)
        h.close()
    assert [r["message"] for r in receiver.records] == ["n=%d" % i for i in range(3000)]
    assert h.dropped == 0


def test_receiver_decodes_frames_over_a_unix_socket(tmp_path, name):
    path = str(tmp_path / "log.sock")
    with Receiver(unix=path) as receiver:
        h = SocketHandlerBuilder().with_unix_path(path).build()
        log = get_logger(name)
        log.set_level("INFO")
        log.add_handler(h)
        for i in range(50):
            log.warning("m%d", i)
        assert h.flush(timeout=5)
        assert receiver.wait_for(50)
        h.close()
    assert [r["message"] for r in receiver.records] == ["m%d" % i for i in range(50)]
    assert h.dropped == 0


def test_receiver_command_line_prints_json_lines(tmp_path, name):
    out = tmp_path / "records.jsonl"
    port_sock = socket.socket()
    port_sock.bind(("127.0.0.1", 0))
    port = port_sock.getsockname()[1]
    port_sock.close()
    proc = subprocess.Popen([sys.executable, "-m", "femtologging.receive", "--tcp",
                             "127.0.0.1:%d" % port, "--output", str(out), "--max-records", "2"],
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "listening" in proc.stderr.readline()
        h = FemtoSocketHandler("127.0.0.1", port)
        log = get_logger(name)
        log.add_handler(h)
        log.error("one")
        log.error("two")
        h.close()
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
    import json
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["message"] for r in records] == ["one", "two"]


def test_oversized_frames_are_counted_as_dropped(name):
    with Receiver(tcp=("127.0.0.1", 0)) as receiver:
        h = SocketHandlerBuilder().with_tcp("127.0.0.1", receiver.port).with_max_frame_size(400).build()
        log = get_logger(name)
        log.add_handler(h)
        log.error("small")
        log.error("x" * 1000)
        log.error("small again")
        assert h.flush(timeout=5)
        assert receiver.wait_for(2)
        h.close()
    assert [r["message"] for r in receiver.records] == ["small", "small again"]
    assert (h.dropped, h.oversized) == (1, 1)
    assert "max_frame_size" in h.last_error


def test_peer_down_then_up_counts_the_loss(name, capfd):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nobody listens there now
    h = (SocketHandlerBuilder().with_tcp("127.0.0.1", port)
         .with_backoff(BackoffConfig({"base_ms": 20, "cap_ms": 40, "reset_after_ms": 1000}))
         .build())
    log = get_logger(name)
    log.add_handler(h)
    for i in range(3):
        log.error("lost%d", i)
    assert h.flush(timeout=5)
    assert h.dropped == 3 and not h.connected
    assert h.last_error is not None
    warnings = [l for l in capfd.readouterr().err.splitlines() if "record(s) lost" in l]
    assert len(warnings) == 1 and h.last_error in warnings[0]  # rate limited, with the reason
    with Receiver(tcp=("127.0.0.1", port)) as receiver:
        time.sleep(0.1)  # past the backoff
        for i in range(4):
            log.error("kept%d", i)
        assert h.flush(timeout=5)
        assert receiver.wait_for(4)
        assert h.connected
        h.close()
    assert [r["message"] for r in receiver.records] == ["kept%d" % i for i in range(4)]
    assert h.dropped == 3


def test_deadline_stops_reconnecting(name):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    h = FemtoSocketHandler("127.0.0.1", port, backoff=BackoffConfig(
        base_ms=5, cap_ms=5, reset_after_ms=0, deadline_ms=30))
    log = get_logger(name)
    log.add_handler(h)
    log.error("first")
    h.flush()
    time.sleep(0.1)
    with Receiver(tcp=("127.0.0.1", port)) as receiver:
        log.error("after the deadline")
        h.flush()
        time.sleep(0.1)
        log.error("still given up")
        h.flush()
        h.close()
        assert receiver.count == 0
    assert h.dropped == 3


def test_socket_configuration_errors():
    with pytest.raises(HandlerConfigError):
        SocketHandlerBuilder().with_unix_path("/tmp/x.sock").with_tls("example.com").build()
    with pytest.raises(HandlerConfigError):
        SocketHandlerBuilder().with_max_frame_size(0).build()
    with pytest.raises(HandlerConfigError):
        SocketHandlerBuilder().with_connect_timeout_ms(-1).build()
    with pytest.raises(HandlerConfigError):
        BackoffConfig({"base_ms": 100, "cap_ms": 10})
    with pytest.raises(HandlerConfigError):
        BackoffConfig({"jitter": 1})
    with pytest.raises(HandlerConfigError):
        SocketHandlerBuilder().with_tls("localhost", ca_file="/nonexistent/ca.pem").build()
    h = SocketHandlerBuilder().build()  # default: tcp localhost:9020, connects lazily
    with pytest.raises(HandlerConfigError):
        h.setFormatter(femtologging.Formatter("%(message)s"))
    h.close()


# -- TLS --------------------------------------------------------------------------------

def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A test CA and a server certificate for ``localhost``/127.0.0.1, plus an unrelated CA."""
    d = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key",
                "-out", ca + ".pem", "-days", "2", "-subj", "/CN=femtologging test " + ca,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=localhost", cwd=d)
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                               "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf", cwd=d)
    return d


def tls_handler(port, domain, ca, insecure=False):
    return (SocketHandlerBuilder().with_tcp("127.0.0.1", port)
            .with_tls(domain, insecure=insecure, ca_file=ca)
            .with_backoff(BackoffConfig({"base_ms": 5000, "cap_ms": 5000})).build())


def send_one(h, name, message):
    log = get_logger(name)
    log.add_handler(h)
    log.error(message)
    assert h.flush(timeout=10)
    log.remove_handler(h)


def test_tls_with_a_trusted_certificate_is_accepted(pki, name):
    with Receiver(tcp=("127.0.0.1", 0), tls_cert=str(pki / "server.pem"),
                  tls_key=str(pki / "server.key")) as receiver:
        h = tls_handler(receiver.port, "localhost", str(pki / "ca.pem"))
        send_one(h, name, "over tls")
        assert receiver.wait_for(1)
        h.close()
    assert receiver.records[0]["message"] == "over tls"
    assert h.dropped == 0


@pytest.mark.parametrize("domain,ca,why", [
    ("wrong.example.com", "ca.pem", "not valid for name"),
    ("localhost", "other.pem", "UnknownIssuer"),
])
def test_tls_refuses_wrong_host_or_untrusted_certificate(pki, name, domain, ca, why):
    with Receiver(tcp=("127.0.0.1", 0), tls_cert=str(pki / "server.pem"),
                  tls_key=str(pki / "server.key")) as receiver:
        h = tls_handler(receiver.port, domain, str(pki / ca))
        send_one(h, name, "must not arrive")
        h.close()
        time.sleep(0.05)
        assert receiver.count == 0
    assert h.dropped == 1 and not h.connected
    assert why in h.last_error


def test_tls_insecure_is_an_explicit_opt_in(pki, name):
    with Receiver(tcp=("127.0.0.1", 0), tls_cert=str(pki / "server.pem"),
                  tls_key=str(pki / "server.key")) as receiver:
        h = tls_handler(receiver.port, "wrong.example.com", str(pki / "other.pem"), insecure=True)
        send_one(h, name, "unverified")
        assert receiver.wait_for(1)
        h.close()
    assert receiver.records[0]["message"] == "unverified"


def test_tls_default_trust_store_refuses_a_private_ca(pki, name):
    with Receiver(tcp=("127.0.0.1", 0), tls_cert=str(pki / "server.pem"),
                  tls_key=str(pki / "server.key")) as receiver:
        h = tls_handler(receiver.port, "localhost", None)
        send_one(h, name, "must not arrive")
        h.close()
    assert receiver.count == 0 and h.dropped == 1
    assert os.path.exists(pki / "server.pem")
