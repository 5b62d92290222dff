"""Concurrency: many threads through Python filters and handlers while the configuration
changes (queued and waited-for records mixed), processes appending to one file, and a TCP peer that comes and goes."""

import pytest

from _rel_harness import SLOW, both, report

THREADS = """
import threading, itertools
N = int(os.environ['N'])
counted = itertools.count()
class Count(logging.Filter):
    def filter(self, record):
        next(counted)
        return True
class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.n = 0
    def emit(self, record):
        self.n += 1
log = logging.getLogger('app')
log.setLevel(logging.INFO)
log.propagate = False
log.addFilter(Count())
fh = logging.FileHandler('app.log')
fh.setFormatter(logging.Formatter('%(threadName)s %(message)s|'))
collect = Collect()
log.addHandler(fh)
log.addHandler(collect)
stop = threading.Event()
def churn():
    other = logging.getLogger('app.other')
    extra = logging.NullHandler()
    while not stop.is_set():
        log.addHandler(extra)
        log.removeHandler(extra)
        other.setLevel(logging.DEBUG if other.level != logging.DEBUG else logging.WARNING)
        fh.setLevel(logging.DEBUG if fh.level != logging.DEBUG else logging.INFO)
def work(t):
    # Every fifth record is an error, written before its call returns (flush_on): by this
    # thread when nothing is queued ahead of it, else after the queued records.
    for i in range(N):
        (log.error if i % 5 == 0 else log.info)('%d %d', t, i)
churner = threading.Thread(target=churn)
churner.start()
workers = [threading.Thread(target=work, args=(t,), name='W%d' % t) for t in range(16)]
for w in workers: w.start()
for w in workers: w.join()
stop.set(); churner.join()
fh.close()
print(next(counted), collect.n)
"""


def test_sixteen_threads_with_concurrent_reconfiguration(tmp_path):
    n = 100_000 if SLOW else 1_000
    out = both(THREADS, tmp_path, env={"N": str(n)}, timeout=1200 if SLOW else 120)
    figures = {}
    for lib, o in out.items():
        filtered, collected = map(int, o.stdout.split())
        lines = o.lines("app.log")
        whole = sum(1 for ln in lines if ln.endswith("|") and ln.count(" ") == 2)
        per_thread = {}
        for ln in lines:
            _, t, i = ln.rstrip("|").split(" ")
            per_thread.setdefault(t, []).append(int(i))
        in_order = all(v == list(range(n)) for v in per_thread.values()) and len(per_thread) == 16
        figures[lib] = dict(filtered=filtered, collected=collected, lines=len(lines), whole=whole, in_order=in_order)
    report("16 threads x %d records, reconfigured concurrently" % n, stdlib=figures["logging"],
           femtologging=figures["femtologging"])
    for lib, f in figures.items():
        assert f == dict(filtered=16 * n, collected=16 * n, lines=16 * n, whole=16 * n, in_order=True), lib


PROCESSES = """
import multiprocessing as mp
def child(tag):
    log = logging.getLogger('app')
    if not log.handlers:
        log.addHandler(logging.FileHandler('app.log'))
        log.setLevel(logging.INFO)
    for i in range(500):
        log.info('%s %d end', tag, i)
if __name__ == '__main__':
    log = logging.getLogger('app')
    log.addHandler(logging.FileHandler('app.log'))
    log.setLevel(logging.INFO)
    for i in range(100):
        log.info('parent %d end', i)
    pids = []
    for k in range(3):
        pid = os.fork()
        if pid == 0:
            child('fork%d' % k)
            os._exit(0)
        pids.append(pid)
    ctx = mp.get_context('spawn')
    procs = [ctx.Process(target=child, args=('spawn%d' % k,)) for k in range(2)]
    for p in procs: p.start()
    for p in procs: p.join()
    for pid in pids: os.waitpid(pid, 0)
    for i in range(100):
        log.info('parent-after %d end', i)
"""


def test_fork_and_spawn_children_append_to_one_file(tmp_path):
    out = both(PROCESSES, tmp_path, timeout=120)
    figures = {}
    for lib, o in out.items():
        lines = o.lines("app.log")
        tags = {}
        for ln in lines:
            tags[ln.split(" ")[0]] = tags.get(ln.split(" ")[0], 0) + 1
        figures[lib] = dict(lines=len(lines), torn=sum(not ln.endswith(" end") for ln in lines), **tags)
    report("fork x3 + spawn x2 children appending", stdlib=figures["logging"], femtologging=figures["femtologging"])
    assert figures["femtologging"] == figures["logging"]
    assert figures["logging"]["lines"] == 100 + 5 * 500 + 100 and figures["logging"]["torn"] == 0


TCP_DOWN_UP = """
import pickle, socket, struct, threading, time
probe = socket.socket(); probe.bind(('127.0.0.1', 0)); port = probe.getsockname()[1]; probe.close()
h = handlers.SocketHandler('127.0.0.1', port)
h.retryStart = 0.05
log = logging.getLogger('app')
log.addHandler(h)
log.setLevel(logging.INFO)
for i in range(5):
    log.info('while down %d', i)
h.flush()
got = []
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', port)); srv.listen()
def serve():
    conn, _ = srv.accept()
    f = conn.makefile('rb')
    while True:
        head = f.read(4)
        if len(head) < 4:
            return
        got.append(pickle.loads(f.read(struct.unpack('>L', head)[0]))['msg'])
t = threading.Thread(target=serve); t.start()
time.sleep(0.3)
for i in range(5):
    log.info('while up %d', i)
h.close()
t.join(5)
print(len([m for m in got if m.startswith('while up')]), len([m for m in got if m.startswith('while down')]))
"""


def test_tcp_peer_down_then_up(tmp_path):
    out = both(TCP_DOWN_UP, tmp_path, timeout=60)
    figures = {lib: tuple(map(int, o.stdout.split())) for lib, o in out.items()}
    report("TCP peer down then up (received up, down)", stdlib=figures["logging"], femtologging=figures["femtologging"])
    assert figures["femtologging"] == figures["logging"] == (5, 0)


SLOW_RECEIVER = """
import socket, threading, time
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()
def serve():
    conn, _ = srv.accept()
    while True:
        if not conn.recv(1024):
            return
        time.sleep(1.0)          # 1 KiB/s
threading.Thread(target=serve, daemon=True).start()
h = handlers.SocketHandler('127.0.0.1', srv.getsockname()[1])
log = logging.getLogger('app')
log.addHandler(h)
log.setLevel(logging.INFO)
t0 = time.monotonic()
for i in range(int(os.environ['N'])):
    log.info('x' * 1000)
print('%.2f' % (time.monotonic() - t0), getattr(h, 'dropped', None), flush=True)
os._exit(0)
"""


@pytest.mark.skipif(not SLOW, reason="slow variant: make reliability")
def test_receiver_reading_1kib_per_second(tmp_path):
    out = both(SLOW_RECEIVER, tmp_path, env={"N": "3000"}, timeout=300)
    figures = {lib: o.stdout.split() for lib, o in out.items()}
    report("receiver at 1 KiB/s, 3000 x 1 KB records (caller seconds, dropped)",
           stdlib=figures["logging"], femtologging=figures["femtologging"])
    assert float(figures["femtologging"][0]) < 5.0
