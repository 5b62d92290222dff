"""Exit paths: records logged before a signal, ``os._exit()`` or interpreter shutdown are
written, and the process ends exactly as it does with the standard library."""

import signal

import pytest

from _rel_harness import APP, both, report

LOG_THEN_SIGNAL = APP + """
import resource, signal, time
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
for i in range(1000):
    log.info('record %d', i)
log.critical('last words')
os.kill(os.getpid(), signal.{sig})
time.sleep(10)
print('survived')
"""


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGQUIT"])
def test_default_signal_writes_queued_records_then_dies_the_same_way(tmp_path, sig):
    out = both(LOG_THEN_SIGNAL.format(sig=sig), tmp_path)
    std, femto = out["logging"], out["femtologging"]
    report("signal " + sig, stdlib=(std.returncode, len(std.lines("app.log"))),
           femtologging=(femto.returncode, len(femto.lines("app.log"))))
    assert std.returncode == -getattr(signal, sig)
    assert femto.returncode == std.returncode
    assert len(std.lines("app.log")) == 1001
    assert femto.lines("app.log") == std.lines("app.log")
    assert "survived" not in femto.stdout


OWN_HANDLER = """
import signal, time
def bye(signum, frame):
    logging.getLogger('app').warning('handler ran for %d', signum)
    logging.shutdown()
    sys.exit(7)
if os.environ['WHEN'] == 'before':
    signal.signal(signal.SIGTERM, bye)
log = logging.getLogger('app')
log.addHandler(logging.FileHandler('app.log'))
log.setLevel(logging.INFO)
log.info('first')
if os.environ['WHEN'] == 'after':
    signal.signal(signal.SIGTERM, bye)
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(10)
"""


@pytest.mark.parametrize("when", ["before", "after"])
def test_program_signal_handler_is_kept(tmp_path, when):
    out = both(OWN_HANDLER, tmp_path, env={"WHEN": when})
    std, femto = out["logging"], out["femtologging"]
    report("own SIGTERM handler installed " + when, stdlib=std.returncode, femtologging=femto.returncode)
    assert std.returncode == femto.returncode == 7
    assert femto.lines("app.log") == std.lines("app.log") == ["first", "handler ran for 15"]


OS_EXIT = APP + """
for i in range(1000):
    log.info('record %d', i)
log.critical('last words')
os._exit(3)
"""


def test_os_exit_loses_nothing(tmp_path):
    out = both(OS_EXIT, tmp_path)
    std, femto = out["logging"], out["femtologging"]
    report("os._exit", stdlib=len(std.lines("app.log")), femtologging=len(femto.lines("app.log")))
    assert std.returncode == femto.returncode == 3
    assert femto.lines("app.log") == std.lines("app.log")
    assert len(std.lines("app.log")) == 1001


DAEMONS = """
import threading, time
log = logging.getLogger('app')
h = logging.FileHandler('app.log')
h.setFormatter(logging.Formatter('%(threadName)s %(message)s end'))
log.addHandler(h)
log.setLevel(logging.INFO)
def spin(i):
    n = 0
    while True:
        log.info('t%d %d', i, n)
        n += 1
for i in range(4):
    threading.Thread(target=spin, args=(i,), name='T%d' % i, daemon=True).start()
time.sleep(0.05)
"""


def test_daemon_threads_logging_at_exit_never_crash(tmp_path):
    codes = {"logging": [], "femtologging": []}
    for run in range(5):
        out = both(DAEMONS, tmp_path / str(run))
        for lib, o in out.items():
            codes[lib].append(o.returncode)
            lines = o.lines("app.log")
            assert lines, lib
            # Every line that reached the file is whole (the last one may be cut by the
            # process ending only under the standard library's buffered writes).
            torn = [ln for ln in lines[:-1] if not ln.endswith(" end")]
            assert not torn, (lib, torn[:3])
            if lib == "femtologging":
                assert lines[-1].endswith(" end")
    report("daemon threads at exit", stdlib=codes["logging"], femtologging=codes["femtologging"])
    assert codes["femtologging"] == codes["logging"] == [0] * 5


DEL_AND_ATEXIT = APP + """
import atexit
class Noisy:
    def __del__(self):
        log.warning('from __del__')
keep = Noisy()
atexit.register(lambda: log.warning('from atexit'))
log.info('main done')
"""


def test_logging_from_del_and_atexit_at_exit(tmp_path):
    out = both(DEL_AND_ATEXIT, tmp_path)
    std, femto = out["logging"], out["femtologging"]
    report("__del__/atexit at exit", stdlib=std.lines("app.log"), femtologging=femto.lines("app.log"))
    assert std.returncode == femto.returncode == 0
    assert femto.lines("app.log") == std.lines("app.log")
    assert "from atexit" in std.lines("app.log")


FORKED_QUIET_CHILD = APP + """
import signal, time
log.info('parent')
pid = os.fork()
if pid == 0:
    time.sleep(30)      # never logs: no watcher in this process
    os._exit(0)
time.sleep(0.2)
os.kill(pid, signal.SIGTERM)
t0 = time.monotonic()
_, status = os.waitpid(pid, 0)
print(os.WIFSIGNALED(status) and os.WTERMSIG(status), round(time.monotonic() - t0) < 5)
"""


def test_forked_child_that_never_logs_still_dies_by_sigterm(tmp_path):
    out = both(FORKED_QUIET_CHILD, tmp_path)
    figures = {lib: o.stdout.split() for lib, o in out.items()}
    report("fork child without logging, SIGTERM (signal, prompt)", stdlib=figures["logging"],
           femtologging=figures["femtologging"])
    assert figures["femtologging"] == figures["logging"] == ["15", "True"]
