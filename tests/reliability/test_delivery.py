"""Delivery: when is a logged line in the file? Errors before the call returns (``flush_on``),
every record in sync mode, and every line a program reads back from its own log file."""

from _rel_harness import APP, both, report, run

READ_BACK = APP + """
hits = 0
for i in range(200):
    log.info('line %d', i)
    with open('app.log') as f:
        hits += f.read().endswith('line %d\\n' % i)
print(hits)
"""


def test_log_then_read_own_file(tmp_path):
    out = both(READ_BACK, tmp_path)
    figures = {lib: int(o.stdout) for lib, o in out.items()}
    report("log then read own file (of 200)", stdlib=figures["logging"], femtologging=figures["femtologging"])
    assert figures["femtologging"] == figures["logging"] == 200


ERROR_SEEN = APP + """
for i in range(500):
    log.info('busy %d', i)
log.error('the last error')
# stat() is no sync point: this is what another process would see now.
print(os.stat('app.log').st_size)
"""


def test_error_is_written_before_the_call_returns(tmp_path):
    out = both(ERROR_SEEN, tmp_path)
    std, femto = out["logging"], out["femtologging"]
    expected = sum(len(line) + 1 for line in std.lines("app.log"))
    report("size on disk right after log.error()", stdlib=std.stdout.strip(), femtologging=femto.stdout.strip())
    assert int(std.stdout) == expected
    assert int(femto.stdout) == int(std.stdout)


SYNC_SIZES = APP + """
sizes_ok = 0
for i in range(300):
    log.info('line %d', i)
    sizes_ok += os.stat('app.log').st_size == sum(len('line %d\\n' % j) for j in range(i + 1))
print(sizes_ok)
"""


def test_sync_mode_writes_every_record_before_the_call_returns(tmp_path):
    out = both(SYNC_SIZES, tmp_path, env={"FEMTOLOGGING_SYNC": "1"})
    figures = {lib: int(o.stdout) for lib, o in out.items()}
    report("FEMTOLOGGING_SYNC=1: size right after each call (of 300)", stdlib=figures["logging"],
           femtologging=figures["femtologging"])
    assert figures["femtologging"] == figures["logging"] == 300


SYNC_API = APP + """
logging.set_sync(True)
log.info('one')
print(os.stat('app.log').st_size)
logging.set_sync(False)
logging.flush_on(logging.WARNING)
log.warning('two')
print(os.stat('app.log').st_size)
"""


def test_sync_mode_and_flush_on_api(tmp_path):
    o = run(SYNC_API, "femtologging", tmp_path)
    assert o.stdout.split() == ["4", "8"], o.stderr


FLUSH_ON_ENV = APP + """
log.warning('warned')
print(os.stat('app.log').st_size)
"""


def test_flush_on_from_the_environment(tmp_path):
    o = run(FLUSH_ON_ENV, "femtologging", tmp_path, env={"FEMTOLOGGING_FLUSH_ON": "WARNING"})
    assert o.stdout.split() == [str(len("warned\n"))], o.stderr
