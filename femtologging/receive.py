"""Receive the records a ``FemtoSocketHandler`` sends, to test a logging pipeline.

    python -m femtologging.receive --tcp 127.0.0.1:9020 [--tls-cert CERT --tls-key KEY]
    python -m femtologging.receive --unix /tmp/log.sock --output records.jsonl

Each frame (4-byte big-endian length + MessagePack map) is decoded and printed
as one JSON object per line, or appended to ``--output``. ``Receiver`` is the
same server as a class (used by the tests and benchmarks).
"""

import argparse
import json
import os
import socket
import ssl
import sys
import threading

from . import _femtologging as _ext


class Receiver:
    """A TCP (optionally TLS) or Unix stream server collecting decoded records.

    ``records`` holds decoded dicts (unless ``count_only``); ``count`` the number of frames;
    ``on_record`` (optional) is called with each decoded record.
    """

    def __init__(self, tcp=None, unix=None, tls_cert=None, tls_key=None, count_only=False,
                 on_record=None):
        if (tcp is None) == (unix is None):
            raise ValueError("give exactly one of tcp=(host, port) or unix=path")
        if tls_cert and unix is not None:
            raise ValueError("TLS needs a TCP address")
        self.records = []
        self.count = 0
        self.count_only = count_only
        self.on_record = on_record
        self._cond = threading.Condition()
        self._threads = []
        self._conns = []
        self._closed = False
        if unix is not None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(unix)
            self.address = unix
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(tcp)
            self.address = self.sock.getsockname()
        self.sock.listen(16)
        self._tls = None
        if tls_cert:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(tls_cert, tls_key)
        self.handshake_errors = 0

    @property
    def port(self):
        """The TCP port listened on."""
        return self.address[1]

    def start(self):
        """Accept connections on a background thread; returns the receiver."""
        t = threading.Thread(target=self._accept, name="femtologging-receiver", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def _accept(self):
        while not self._closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self._tls is not None:
                try:
                    conn = self._tls.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError):
                    self.handshake_errors += 1
                    conn.close()
                    continue
            self._conns.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn):
        pending = b""
        with conn:
            while True:
                try:
                    data = conn.recv(1 << 20)
                except OSError:
                    return
                if not data:
                    return
                pending += data
                if self.count_only:
                    n, used = _ext._count_frames(pending)
                    records = ()
                else:
                    records, used = _ext._decode_frames(pending)
                    n = len(records)
                pending = pending[used:]
                if n:
                    if self.on_record is not None:
                        for r in records:
                            self.on_record(r)
                    with self._cond:
                        if not self.count_only:
                            self.records.extend(records)
                        self.count += n
                        self._cond.notify_all()

    def wait_for(self, n, timeout=5.0):
        """Wait until ``n`` frames arrived (or ``timeout`` s); returns whether they did."""
        with self._cond:
            return self._cond.wait_for(lambda: self.count >= n, timeout)

    def close(self):
        """Stop accepting and drop every connection."""
        self._closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for c in self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if isinstance(self.address, str):
            try:
                os.unlink(self.address)
            except OSError:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def _parse_hostport(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("expected HOST:PORT, got %r" % text)
    return host or "127.0.0.1", int(port)


def main(argv=None):
    """Command-line entry point."""
    p = argparse.ArgumentParser(prog="python -m femtologging.receive", description=__doc__.split("\n")[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", type=_parse_hostport, metavar="HOST:PORT")
    where.add_argument("--unix", metavar="PATH")
    p.add_argument("--tls-cert", metavar="PEM", help="serve TLS with this certificate (chain)")
    p.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert")
    p.add_argument("--output", metavar="FILE", help="append JSON lines here instead of stdout")
    p.add_argument("--max-records", type=int, default=0, help="exit after this many records")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    out = open(args.output, "a", encoding="utf-8") if args.output else sys.stdout
    lock = threading.Lock()

    def emit(record):
        with lock:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()

    receiver = Receiver(tcp=args.tcp, unix=args.unix, tls_cert=args.tls_cert,
                        tls_key=args.tls_key, on_record=emit)
    sys.stderr.write("femtologging.receive: listening on %s\n" % (receiver.address,))
    sys.stderr.flush()
    receiver.start()
    try:
        if args.max_records:
            while not receiver.wait_for(args.max_records, timeout=1.0):
                pass
        else:
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.close()
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
