"""Native-API benchmarks (short): ``info()`` through both APIs, and socket throughput.

    python benchmarks/native_api.py [--calls N] [--rounds R]

1. ``info()``: the same ``FemtoFileHandler`` (default ``%(message)s`` layout) fed through
   ``get_logger(name).info`` and through ``getLogger(name).info`` — per-call time of the
   calling thread. Rounds alternate the order; the median is shown.
2. Socket: records/s end to end — from the first call until the receiver, in its own process,
   has counted every frame (natively, without decoding; the time is read there, on the same
   monotonic clock) — to a loopback receiver that counts 4-byte-length frames:
   ``FemtoSocketHandler`` (MessagePack, native API) next to stdlib ``logging``'s
   ``SocketHandler`` (pickle) and femtologging's stdlib-shaped ``handlers.SocketHandler``;
   ``femto-msgpack-nocaller`` is ``FemtoSocketHandler(caller_info=False)``.
The sending process's CPU time per record (calling thread + worker) is shown too: on a shared
machine it varies far less than wall-clock rates. Each measurement runs in a fresh interpreter.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.abspath(__file__)


def receiver():
    """Child: accept one connection, count frames until EOF (natively), print the count and
    the monotonic time the last frame arrived."""
    from femtologging._femtologging import _count_frames
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    print(s.getsockname()[1], flush=True)
    conn, _ = s.accept()
    count, pending, last = 0, b"", time.monotonic()
    while True:
        data = conn.recv(1 << 20)
        if not data:
            break
        pending = pending + data if pending else data
        n, used = _count_frames(pending)
        if n:
            count += n
            last = time.monotonic()
        pending = pending[used:]
    assert not pending, "%d trailing bytes: a truncated frame" % len(pending)
    print(count, last, flush=True)


def child_info(api, calls, path):
    import femtologging
    h = femtologging.FemtoFileHandler(path, capacity=8192, policy="block")
    femtologging.getLogger("bench").addHandler(h)
    femtologging.getLogger("bench").setLevel(femtologging.INFO)
    log = femtologging.get_logger("bench") if api == "native" else femtologging.getLogger("bench")
    info = log.info
    for i in range(1000):
        info("warm %d", i)
    h.flush(10)
    t = time.perf_counter()
    for i in range(calls):
        info("request %d from %s", i, "alice")
    loop = time.perf_counter() - t
    h.close()
    with open(path) as f:
        lines = sum(1 for _ in f)
    assert lines == calls + 1000, lines
    print(loop / calls * 1e9)


def child_socket(kind, calls, port):
    if kind == "stdlib-pickle":
        import logging
        import logging.handlers
        h = logging.handlers.SocketHandler("127.0.0.1", port)
        log = logging.getLogger("bench")
        log.setLevel(logging.INFO)
        log.addHandler(h)
    else:
        import femtologging
        import femtologging.handlers
        if kind.startswith("femto-msgpack"):
            h = femtologging.FemtoSocketHandler("127.0.0.1", port, capacity=8192, policy="block",
                                                caller_info=not kind.endswith("nocaller"))
            log = femtologging.get_logger("bench")
            log.add_handler(h)
            log.set_level("INFO")
        else:
            h = femtologging.handlers.SocketHandler("127.0.0.1", port)
            log = femtologging.getLogger("bench")
            log.addHandler(h)
            log.setLevel(femtologging.INFO)
    info = log.info
    cpu = time.process_time()
    start = time.monotonic()
    for i in range(calls):
        info("request %d from %s", i, "alice")
    loop = time.monotonic() - start
    h.close()
    # CPU seconds of the sending process (calling thread + worker), steadier than wall time
    # on a shared machine.
    print(start, loop, time.process_time() - cpu, flush=True)


def run(args):
    r = subprocess.run([sys.executable, HERE, "--child", *map(str, args)], capture_output=True,
                       text=True, timeout=600)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return r.stdout.split()


def socket_round(kind, calls):
    rec = subprocess.Popen([sys.executable, HERE, "--receiver"], stdout=subprocess.PIPE, text=True)
    port = int(rec.stdout.readline())
    start, loop, cpu = map(float, run(["socket", kind, calls, port]))
    received, last = rec.stdout.readline().split()
    rec.wait(60)
    # Records/s up to the last frame counted by the receiver (CLOCK_MONOTONIC is system-wide).
    return calls / (float(last) - start), int(received), cpu / calls * 1e6


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--calls", type=int, default=200_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--child", nargs="+")
    p.add_argument("--receiver", action="store_true")
    p.add_argument("--only", choices=("info", "socket"), help="run one of the two parts")
    a = p.parse_args()
    if a.receiver:
        return receiver()
    if a.child:
        kind, *rest = a.child
        if kind == "info":
            return child_info(rest[0], int(rest[1]), rest[2])
        return child_socket(rest[0], int(rest[1]), int(rest[2]))
    if a.only != "socket":
        info_part(a)
    if a.only != "info":
        socket_part(a)


def info_part(a):
    tmp = tempfile.mkdtemp()
    per_call = {"native": [], "stdlib": []}
    for r in range(a.rounds):
        for api in (("native", "stdlib") if r % 2 == 0 else ("stdlib", "native")):
            path = os.path.join(tmp, "%s%d.log" % (api, r))
            per_call[api].append(float(run(["info", api, a.calls, path])[0]))
    print("info() on the same FemtoFileHandler, %d calls, median of %d (ns/call):"
          % (a.calls, a.rounds))
    for api, values in per_call.items():
        print("  %-7s %7.1f" % (api, statistics.median(values)))
    print("  native/stdlib = %.3f" % (statistics.median(per_call["native"])
                                       / statistics.median(per_call["stdlib"])))


def socket_part(a):
    rates = {}
    for kind in ("femto-msgpack", "femto-msgpack-nocaller", "stdlib-pickle", "femto-pickle"):
        results = [socket_round(kind, a.calls) for _ in range(a.rounds)]
        lost = {a.calls - got for _, got, _ in results}
        rates[kind] = statistics.median(rate for rate, _, _ in results)
        cpu = statistics.median(c for _, _, c in results)
        print("socket %-22s %9.0f records/s end to end, sender CPU %.2f us/record "
              "(records lost per round: %s)" % (kind, rates[kind], cpu, sorted(lost)))
    print("FemtoSocketHandler / stdlib SocketHandler = %.2fx"
          % (rates["femto-msgpack"] / rates["stdlib-pickle"]))


if __name__ == "__main__":
    main()
