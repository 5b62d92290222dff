"""Tests of femtologging.handlers and femtologging.config beyond CPython's suite.

They are written against ``femtologging``; before the native core exists they
run on the standard library core through the harness::

    python tests/hc_harness.py --pytest tests/test_handlers_config.py
"""

import configparser
import datetime
import io
import json
import os
import pickle
import queue
import socket
import struct
import sys
import time

import pytest

import femtologging as logging
import femtologging.config
import femtologging.handlers

handlers = femtologging.handlers
config = femtologging.config


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

@pytest.fixture
def clean_logging():
    """Snapshot and restore logger state around a configuration test."""
    root = logging.getLogger()
    saved_root = (root.level, root.handlers[:])
    saved_dict = dict(logging.Logger.manager.loggerDict)
    saved_state = {name: (lg.level, lg.handlers[:], lg.propagate, lg.disabled)
                   for name, lg in saved_dict.items()
                   if isinstance(lg, logging.Logger)}
    saved_handlers = dict(logging._handlers)
    saved_list = logging._handlerList[:]
    yield
    for lg in [root] + [logging.getLogger(n) for n in logging.Logger.manager.loggerDict
                        if isinstance(logging.Logger.manager.loggerDict[n], logging.Logger)]:
        for h in lg.handlers[:]:
            lg.removeHandler(h)
            if h not in saved_root[1]:
                getattr(h, "close", lambda: None)()
    root.setLevel(saved_root[0])
    for h in saved_root[1]:
        root.addHandler(h)
    logging._acquireLock()
    try:
        logging.Logger.manager.loggerDict.clear()
        logging.Logger.manager.loggerDict.update(saved_dict)
        for name, (level, hs, prop, disabled) in saved_state.items():
            lg = saved_dict[name]
            lg.setLevel(level)
            lg.handlers[:] = hs
            lg.propagate = prop
            lg.disabled = disabled
        logging._handlers.clear()
        logging._handlers.update(saved_handlers)
        logging._handlerList[:] = saved_list
    finally:
        logging._releaseLock()


class ListHandler(logging.Handler):
    """Keeps every record it handles."""

    def __init__(self, level=0):
        logging.Handler.__init__(self, level)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def recv_exactly(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def make_record(msg="hello %s", args=("world",), level=logging.WARNING, **extra):
    d = {"name": "hc.test", "msg": msg, "args": args, "levelno": level,
         "levelname": logging.getLevelName(level)}
    d.update(extra)
    return logging.makeLogRecord(d)


# ---------------------------------------------------------------------------
# SocketHandler / DatagramHandler wire format
# ---------------------------------------------------------------------------

def test_socket_handler_pickle_is_readable_by_stdlib_style_receiver():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(10)
    port = server.getsockname()[1]
    h = handlers.SocketHandler("127.0.0.1", port)
    try:
        try:
            1 / 0
        except ZeroDivisionError:
            rec = make_record(exc_info=sys.exc_info(), custom_field=42)
        h.handle(rec)
        conn, _ = server.accept()
        conn.settimeout(10)
        with conn:
            (size,) = struct.unpack(">L", recv_exactly(conn, 4))
            state = pickle.loads(recv_exactly(conn, size))
    finally:
        h.close()
        server.close()
    assert state["msg"] == "hello world"
    assert state["args"] is None
    assert state["exc_info"] is None
    assert "ZeroDivisionError" in state["exc_text"]
    assert "message" not in state
    assert state["custom_field"] == 42
    rebuilt = logging.makeLogRecord(state)
    assert rebuilt.getMessage() == "hello world"
    assert rebuilt.levelno == logging.WARNING
    assert rebuilt.name == "hc.test"


def test_make_pickle_length_prefix_matches_payload():
    h = handlers.SocketHandler("127.0.0.1", 9)
    data = h.makePickle(make_record("%d items", (3,)))
    (size,) = struct.unpack(">L", data[:4])
    assert size == len(data) - 4
    assert pickle.loads(data[4:])["msg"] == "3 items"
    h.close()


def test_datagram_handler_sends_one_datagram_per_record():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(10)
    h = handlers.DatagramHandler("127.0.0.1", rx.getsockname()[1])
    try:
        h.handle(make_record("a=%s", ("1",)))
        h.handle(make_record("b=%s", ("2",)))
        got = []
        for _ in range(2):
            data = rx.recv(65536)
            (size,) = struct.unpack(">L", data[:4])
            assert size == len(data) - 4
            got.append(pickle.loads(data[4:])["msg"])
    finally:
        h.close()
        rx.close()
    assert got == ["a=1", "b=2"]


def test_socket_handler_retry_backoff_grows_and_caps():
    h = handlers.SocketHandler("127.0.0.1", 9)
    attempts = []

    def refuse(timeout=1):
        attempts.append(timeout)
        raise ConnectionRefusedError("refused")

    h.makeSocket = refuse
    h.retryStart, h.retryFactor, h.retryMax = 1.0, 3.0, 20.0
    periods = []
    for _ in range(5):
        h.createSocket()
        periods.append(h.retryPeriod)
        assert h.retryTime is not None and h.sock is None
        h.retryTime = 0.0  # make the next call try again at once
    assert periods == [1.0, 3.0, 9.0, 20.0, 20.0]
    assert len(attempts) == 5
    # While the retry time lies in the future, no attempt is made.
    h.retryTime = time.time() + 1000
    h.createSocket()
    assert len(attempts) == 5
    h.close()


def test_socket_handler_drops_records_while_unreachable_without_error(capsys):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on this port now
    h = handlers.SocketHandler("127.0.0.1", port)
    h.handle(make_record())
    assert h.sock is None
    assert h.retryTime is not None
    h.close()
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------------------
# SysLogHandler
# ---------------------------------------------------------------------------

def test_syslog_priority_encoding_and_maps():
    h = handlers.SysLogHandler(("127.0.0.1", 9))
    try:
        assert h.encodePriority("local7", "debug") == (23 << 3) | 7
        assert h.encodePriority(h.LOG_MAIL, h.LOG_ERR) == (2 << 3) | 3
        assert h.encodePriority("solaris-cron", "panic") == 15 << 3
        assert h.mapPriority("CRITICAL") == "critical"
        assert h.mapPriority("NOT_A_LEVEL") == "warning"
        assert h.priority_names["warn"] == h.LOG_WARNING
        assert len(h.facility_names) == 24
    finally:
        h.close()


def test_syslog_udp_frame_with_ident_and_nul():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(10)
    h = handlers.SysLogHandler(("127.0.0.1", rx.getsockname()[1]),
                               facility=handlers.SysLogHandler.LOG_LOCAL0)
    h.ident = "app: "
    try:
        h.handle(make_record("disk %s", ("full",), level=logging.ERROR))
        first = rx.recv(4096)
        h.append_nul = False
        h.handle(make_record("fine", (), level=logging.DEBUG))
        second = rx.recv(4096)
    finally:
        h.close()
        rx.close()
    assert first == b"<131>app: disk full\x00"  # (16 << 3) | 3
    assert second == b"<135>app: fine"          # (16 << 3) | 7


def test_syslog_unix_socket_missing_path_is_not_an_error_at_init(tmp_path):
    h = handlers.SysLogHandler(str(tmp_path / "no-such-socket"))
    assert h.unixsocket is True
    h.close()


# ---------------------------------------------------------------------------
# Rotating handlers
# ---------------------------------------------------------------------------

def test_rotating_handler_keeps_backup_count_files(tmp_path):
    path = tmp_path / "app.log"
    h = handlers.RotatingFileHandler(str(path), maxBytes=30, backupCount=2,
                                     encoding="utf-8")
    h.setFormatter(logging.Formatter("%(message)s"))
    for i in range(6):
        h.handle(make_record("line %d xxxxxxxxxxxxxxx", (i,)))
    h.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["app.log", "app.log.1", "app.log.2"]
    assert path.read_text(encoding="utf-8") == "line 5 xxxxxxxxxxxxxxx\n"
    assert (tmp_path / "app.log.1").read_text(encoding="utf-8") == "line 4 xxxxxxxxxxxxxxx\n"


def test_rotating_handler_namer_and_rotator(tmp_path):
    path = tmp_path / "n.log"
    moves = []

    def rotator(src, dst):
        moves.append((os.path.basename(src), os.path.basename(dst)))
        os.rename(src, dst)

    h = handlers.RotatingFileHandler(str(path), maxBytes=5, backupCount=1,
                                     encoding="utf-8")
    h.namer = lambda name: name + ".bak"
    h.rotator = rotator
    h.handle(make_record("0123456789", ()))
    h.handle(make_record("abcdefghij", ()))
    h.close()
    assert ("n.log", "n.log.1.bak") in moves
    assert (tmp_path / "n.log.1.bak").read_text(encoding="utf-8") == "0123456789\n"


def test_rotating_handler_mode_forced_to_append_when_rotating(tmp_path):
    path = tmp_path / "keep.log"
    path.write_text("old\n", encoding="utf-8")
    h = handlers.RotatingFileHandler(str(path), mode="w", maxBytes=1000,
                                     encoding="utf-8")
    h.handle(make_record("new", ()))
    h.close()
    assert path.read_text(encoding="utf-8") == "old\nnew\n"


@pytest.mark.parametrize("when,interval,expected", [
    ("S", 5, 5), ("M", 2, 120), ("H", 3, 3 * 3600), ("D", 2, 2 * 86400),
])
def test_timed_rotating_fixed_intervals(tmp_path, when, interval, expected):
    h = handlers.TimedRotatingFileHandler(str(tmp_path / "t.log"), when=when,
                                          interval=interval, delay=True)
    assert h.interval == expected
    assert h.computeRollover(1_000_000) == 1_000_000 + expected
    h.close()


def test_timed_rotating_midnight_and_attime_utc(tmp_path):
    at = datetime.time(6, 30, 0)
    h = handlers.TimedRotatingFileHandler(str(tmp_path / "t.log"), when="midnight",
                                          utc=True, atTime=at, delay=True)
    day = datetime.datetime(2024, 3, 5, tzinfo=datetime.timezone.utc).timestamp()
    # Before 06:30 the rollover is the same day; after, the next day.
    assert h.computeRollover(int(day) + 3600) == int(day) + 6 * 3600 + 1800
    assert h.computeRollover(int(day) + 7 * 3600) == int(day) + 86400 + 6 * 3600 + 1800
    h.close()


def test_timed_rotating_weekly_utc(tmp_path):
    # 2024-03-05 is a Tuesday (weekday 1).
    day = int(datetime.datetime(2024, 3, 5, 12, tzinfo=datetime.timezone.utc).timestamp())
    midnight_after = int(datetime.datetime(2024, 3, 6, tzinfo=datetime.timezone.utc).timestamp())
    # ``Wn`` rolls over at the midnight that ends weekday n.
    for wd, expected_days in [(1, 0), (2, 1), (0, 6), (6, 5)]:
        h = handlers.TimedRotatingFileHandler(str(tmp_path / "w.log"), when="W%d" % wd,
                                              utc=True, delay=True)
        assert h.computeRollover(day) == midnight_after + expected_days * 86400, wd
        h.close()
    # With atTime 06:00, W2 (Wednesday) at Tuesday noon is Wednesday 06:00,
    # and W1 is next Tuesday 06:00 (this Tuesday's 06:00 has passed).
    at = datetime.time(6, 0)
    for wd, expected in [(2, midnight_after + 6 * 3600),
                         (1, midnight_after + 6 * 86400 + 6 * 3600)]:
        h = handlers.TimedRotatingFileHandler(str(tmp_path / "w.log"), when="W%d" % wd,
                                              utc=True, atTime=at, delay=True)
        assert h.computeRollover(day) == expected, wd
        h.close()


@pytest.mark.parametrize("when,message", [
    ("W", "You must specify a day for weekly rollover from 0 to 6 (0 is Monday): W"),
    ("W7", "Invalid day specified for weekly rollover: W7"),
    ("X", "Invalid rollover interval specified: X"),
])
def test_timed_rotating_bad_when(tmp_path, when, message):
    with pytest.raises(ValueError) as err:
        handlers.TimedRotatingFileHandler(str(tmp_path / "bad.log"), when=when,
                                          delay=True)
    assert str(err.value) == message


def test_timed_rotating_files_to_delete(tmp_path):
    base = tmp_path / "svc.log"
    h = handlers.TimedRotatingFileHandler(str(base), when="D", backupCount=2,
                                          delay=True)
    for d in ("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"):
        (tmp_path / ("svc.log." + d)).write_text("x")
    (tmp_path / "svc.log.notadate").write_text("x")
    (tmp_path / "other.log.2024-01-01").write_text("x")
    doomed = sorted(os.path.basename(p) for p in h.getFilesToDelete())
    assert doomed == ["svc.log.2024-01-01", "svc.log.2024-01-02"]
    h.close()


def test_timed_rotating_do_rollover_names_file_after_interval_start(tmp_path):
    base = tmp_path / "r.log"
    # Minutes, not seconds: a loaded machine pausing for a second between two lines must not
    # bring a second, automatic rollover into the picture.
    h = handlers.TimedRotatingFileHandler(str(base), when="M", utc=True,
                                          encoding="utf-8")
    h.handle(make_record("before", ()))
    h.rolloverAt = int(time.time())  # due now
    start = h.rolloverAt - h.interval
    h.doRollover()
    h.handle(make_record("after", ()))
    h.close()
    rotated = tmp_path / ("r.log." + time.strftime(h.suffix, time.gmtime(start)))
    assert rotated.read_text(encoding="utf-8") == "before\n"
    assert base.read_text(encoding="utf-8") == "after\n"
    assert h.rolloverAt > start


def test_watched_file_handler_reopens_after_removal(tmp_path):
    path = tmp_path / "w.log"
    h = handlers.WatchedFileHandler(str(path), encoding="utf-8")
    h.handle(make_record("one", ()))
    h.flush()
    os.rename(str(path), str(tmp_path / "w.log.old"))
    h.handle(make_record("two", ()))
    h.close()
    assert (tmp_path / "w.log.old").read_text(encoding="utf-8") == "one\n"
    assert path.read_text(encoding="utf-8") == "two\n"


# ---------------------------------------------------------------------------
# Buffering and queues
# ---------------------------------------------------------------------------

def test_memory_handler_flush_rules():
    target = ListHandler()
    h = handlers.MemoryHandler(3, flushLevel=logging.ERROR, target=target)
    h.handle(make_record("a", ()))
    h.handle(make_record("b", ()))
    assert target.records == []
    h.handle(make_record("c", (), level=logging.ERROR))
    assert [r.msg for r in target.records] == ["a", "b", "c"]
    assert h.buffer == []
    h.close()
    assert h.target is None


def test_memory_handler_without_flush_on_close_drops_buffer():
    target = ListHandler()
    h = handlers.MemoryHandler(10, target=target, flushOnClose=False)
    h.handle(make_record("kept back", ()))
    h.close()
    assert target.records == []


def test_memory_handler_without_target_keeps_records():
    h = handlers.MemoryHandler(1)
    h.handle(make_record("x", ()))
    assert len(h.buffer) == 1
    target = ListHandler()
    h.setTarget(target)
    h.flush()
    assert [r.msg for r in target.records] == ["x"]
    h.close()


def test_buffering_handler_discards_when_full():
    h = handlers.BufferingHandler(2)
    h.handle(make_record("1", ()))
    assert len(h.buffer) == 1
    h.handle(make_record("2", ()))
    assert h.buffer == []
    h.close()


def test_queue_handler_prepare_merges_and_clears():
    q = queue.Queue()
    h = handlers.QueueHandler(q)
    try:
        1 / 0
    except ZeroDivisionError:
        rec = make_record("n=%d", (7,), exc_info=sys.exc_info())
    h.handle(rec)
    out = q.get_nowait()
    assert out is not rec
    assert out.msg.startswith("n=7") and "ZeroDivisionError" in out.msg
    assert out.message == out.msg
    assert out.args is None and out.exc_info is None and out.exc_text is None
    assert rec.args == (7,)  # the original is left intact
    pickle.dumps(out)


def test_queue_listener_respects_handler_level():
    q = queue.Queue()
    low, high = ListHandler(logging.DEBUG), ListHandler(logging.ERROR)
    listener = handlers.QueueListener(q, low, high, respect_handler_level=True)
    listener.start()
    q.put(make_record("info", (), level=logging.INFO))
    q.put(make_record("error", (), level=logging.ERROR))
    listener.stop()
    assert [r.msg for r in low.records] == ["info", "error"]
    assert [r.msg for r in high.records] == ["error"]


def test_nt_event_log_handler_off_windows(capsys):
    if sys.platform == "win32":
        pytest.skip("needs a platform without pywin32")
    h = handlers.NTEventLogHandler("femto-test")
    assert h._welu is None
    assert "Win32 extensions for NT" in capsys.readouterr().out
    h.handle(make_record())  # does nothing, raises nothing
    h.close()


def test_module_constants():
    assert handlers.DEFAULT_TCP_LOGGING_PORT == 9020
    assert handlers.DEFAULT_UDP_LOGGING_PORT == 9021
    assert handlers.DEFAULT_HTTP_LOGGING_PORT == 9022
    assert handlers.DEFAULT_SOAP_LOGGING_PORT == 9023
    assert handlers.SYSLOG_UDP_PORT == handlers.SYSLOG_TCP_PORT == 514
    assert handlers._MIDNIGHT == 86400
    assert config.DEFAULT_LOGGING_CONFIG_PORT == 9030


def test_http_handler_rejects_bad_arguments():
    with pytest.raises(ValueError, match="method must be GET or POST"):
        handlers.HTTPHandler("localhost", "/", method="PUT")
    with pytest.raises(ValueError, match="context parameter only makes sense"):
        handlers.HTTPHandler("localhost", "/", context=object())


# ---------------------------------------------------------------------------
# dictConfig
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("cfg,message", [
    ({}, "dictionary doesn't specify a version"),
    ({"version": 2}, "Unsupported version: 2"),
    ({"version": 1, "handlers": {"h": {"class": "no.such.Handler"}}},
     "Unable to configure handler 'h'"),
    ({"version": 1, "handlers": {"h": {"class": "logging.StreamHandler",
                                       "formatter": "missing"}}},
     "Unable to configure handler 'h'"),
    ({"version": 1, "formatters": {"f": {"format": "%(x", "validate": True}}},
     "Unable to configure formatter 'f'"),
    ({"version": 1, "filters": {"f": {"()": "no.such.filter"}}},
     "Unable to configure filter 'f'"),
    ({"version": 1, "loggers": {"hc.x": {"handlers": ["nope"]}}},
     "Unable to configure logger 'hc.x'"),
    ({"version": 1, "root": {"level": "NOT_A_LEVEL"}},
     "Unable to configure root logger"),
    ({"version": 1, "incremental": True, "handlers": {"ghost": {}}},
     "No handler found with name 'ghost'"),
])
def test_dict_config_error_messages(clean_logging, cfg, message):
    with pytest.raises(ValueError) as err:
        config.dictConfig(cfg)
    assert str(err.value) == message


def test_dict_config_error_causes(clean_logging):
    with pytest.raises(ValueError) as err:
        config.dictConfig({"version": 1, "handlers": {
            "h": {"class": "logging.StreamHandler", "formatter": "missing"}}})
    assert str(err.value.__cause__) == "Unable to set formatter 'missing'"
    with pytest.raises(ValueError) as err:
        config.dictConfig({"version": 1, "handlers": {
            "h": {"class": "logging.StreamHandler", "bad-key": 1}}})
    assert str(err.value.__cause__) == "Not a valid Python identifier: 'bad-key'"
    with pytest.raises(ValueError) as err:
        config.dictConfig({"version": 1, "handlers": {"h": {"class": "nosuchmodule_hc.X"}}})
    assert str(err.value.__cause__).startswith("Cannot resolve 'nosuchmodule_hc.X'")


def test_dict_config_full_schema(clean_logging):
    # Formatter ``defaults`` in dictConfig is a Python 3.12 addition.
    stream = io.StringIO()
    config.dictConfig({
        "version": 1,
        "formatters": {
            "brief": {"format": "{levelname}:{name}:{message}:{extra_x}",
                      "style": "{", "defaults": {"extra_x": "dflt"}},
        },
        "filters": {"only_app": {"name": "hc.app"}},
        "handlers": {
            "a_mem": {"class": "logging.handlers.MemoryHandler", "capacity": 10,
                      "target": "z_out", "flushLevel": "ERROR"},
            "z_out": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                      "formatter": "brief", "filters": ["only_app"], "level": "INFO",
                      ".": {"marker": "set-by-dot"}},
        },
        "loggers": {"hc.app": {"handlers": ["z_out"], "level": "DEBUG",
                               "propagate": False}},
        "root": {"level": "WARNING", "handlers": []},
    })
    out = logging._handlers["z_out"]
    assert out.stream is sys.stdout
    assert out.marker == "set-by-dot"
    assert logging._handlers["a_mem"].target is out
    assert out.level == logging.INFO
    out.setStream(stream)
    app = logging.getLogger("hc.app")
    app.debug("hidden by handler level")
    app.info("shown")
    logging.getLogger("hc.app.child").info("child too")
    assert stream.getvalue() == "INFO:hc.app:shown:dflt\nINFO:hc.app.child:child too:dflt\n"
    assert app.propagate is False


def test_dict_config_cfg_and_ext_references(clean_logging):
    config.dictConfig({
        "version": 1,
        "custom": {"addrs": ["a@example.com", "b@example.com"], "host": ["localhost", 2525]},
        "handlers": {
            "mail": {"class": "logging.handlers.SMTPHandler",
                     "mailhost": "cfg://custom.host", "fromaddr": "me@example.com",
                     "toaddrs": "cfg://custom.addrs", "subject": "cfg://custom[addrs][1]"},
            "err": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
        },
    })
    mail = logging._handlers["mail"]
    assert (mail.mailhost, mail.mailport) == ("localhost", 2525)
    assert list(mail.toaddrs) == ["a@example.com", "b@example.com"]
    assert mail.subject == "b@example.com"
    assert logging._handlers["err"].stream is sys.stderr


def test_dict_config_custom_factories(clean_logging):
    made = {}

    def formatter_factory(fmt):
        made["fmt"] = fmt
        return logging.Formatter(fmt)

    def handler_factory(tag):
        h = ListHandler()
        h.tag = tag
        return h

    config.dictConfig({
        "version": 1,
        "formatters": {"f": {"()": formatter_factory, "format": "%(message)s"}},
        "filters": {"fl": {"()": lambda: (lambda r: r.getMessage() != "drop")}},
        "handlers": {"h": {"()": handler_factory, "tag": "T", "formatter": "f",
                           "filters": ["fl"]}},
        "root": {"handlers": ["h"], "level": "DEBUG"},
    })
    h = logging._handlers["h"]
    assert h.tag == "T"
    assert made["fmt"] == "%(message)s"
    logging.getLogger().info("drop")
    logging.getLogger().info("keep")
    assert [r.getMessage() for r in h.records] == ["keep"]


def test_dict_config_disable_existing_loggers(clean_logging):
    old = logging.getLogger("hc.old")
    keep_parent = logging.getLogger("hc.kept")
    child = logging.getLogger("hc.kept.child")
    child.setLevel(logging.CRITICAL)
    config.dictConfig({"version": 1, "loggers": {"hc.kept": {"level": "INFO"}}})
    assert old.disabled is True
    assert keep_parent.disabled is False
    assert child.disabled is False and child.level == logging.NOTSET
    config.dictConfig({"version": 1, "disable_existing_loggers": False,
                       "loggers": {"hc.other": {}}})
    # Loggers not named are set to the flag's value: re-enabled here.
    assert old.disabled is False
    assert keep_parent.disabled is False


def test_dict_config_incremental_changes_levels_only(clean_logging):
    config.dictConfig({"version": 1,
                       "handlers": {"h": {"class": "logging.NullHandler", "level": "DEBUG"}},
                       "loggers": {"hc.inc": {"handlers": ["h"], "level": "DEBUG"}}})
    h = logging._handlers["h"]
    config.dictConfig({"version": 1, "incremental": True,
                       "handlers": {"h": {"level": "ERROR"}},
                       "loggers": {"hc.inc": {"level": "WARNING", "handlers": []}}})
    lg = logging.getLogger("hc.inc")
    assert h.level == logging.ERROR
    assert lg.level == logging.WARNING
    assert lg.handlers == [h]


def test_dict_config_queue_handler_with_listener(clean_logging):
    # ``queue``/``handlers``/``listener`` keys: the Python 3.12 schema.
    q = queue.Queue()
    config.dictConfig({
        "version": 1,
        "handlers": {
            "a_queue": {"class": "logging.handlers.QueueHandler", "queue": q,
                        "handlers": ["z_sink"], "respect_handler_level": True},
            "z_sink": {"()": ListHandler, "level": "WARNING"},
        },
        "root": {"handlers": ["a_queue"], "level": "DEBUG"},
    })
    qh = logging._handlers["a_queue"]
    sink = logging._handlers["z_sink"]
    assert qh.queue is q
    assert isinstance(qh.listener, handlers.QueueListener)
    assert qh.listener.handlers == (sink,)
    qh.listener.start()
    try:
        logging.getLogger("hc.q").info("filtered by sink level")
        logging.getLogger("hc.q").error("arrives")
    finally:
        qh.listener.stop()
    assert [r.getMessage() for r in sink.records] == ["arrives"]


def test_dict_config_queue_handler_bad_queue(clean_logging):
    # Python 3.12 schema.
    with pytest.raises(ValueError) as err:
        config.dictConfig({"version": 1, "handlers": {
            "q": {"class": "logging.handlers.QueueHandler", "queue": 42,
                  "handlers": []}}})
    assert str(err.value) == "Unable to configure handler 'q'"
    assert str(err.value.__cause__) == "Invalid queue specifier 42"


def test_valid_ident_and_converters():
    assert config.valid_ident("good_name1") is True
    with pytest.raises(ValueError, match="Not a valid Python identifier: '1bad'"):
        config.valid_ident("1bad")
    bc = config.BaseConfigurator({"a": {"b": [10, {"c": "deep"}]}, "t": (1, 2)})
    assert bc.convert("cfg://a.b[1].c") == "deep"
    assert bc.convert("cfg://a[b][0]") == 10
    assert bc.convert("ext://os.path.join") is os.path.join
    assert bc.convert("unknown://x") == "unknown://x"
    assert isinstance(bc.config["t"], config.ConvertingTuple)
    assert isinstance(bc.config["a"]["b"], config.ConvertingList)
    with pytest.raises(ValueError, match="Unable to convert"):
        bc.convert("cfg://a.b[1]!")
    with pytest.raises(ValueError, match="Cannot resolve 'nosuchmodule_hc'"):
        bc.resolve("nosuchmodule_hc")
    assert config.dictConfigClass is config.DictConfigurator


# ---------------------------------------------------------------------------
# fileConfig
# ---------------------------------------------------------------------------

INI = """
[loggers]
keys=root,app

[handlers]
keys=mem,out

[formatters]
keys=plain

[logger_root]
level=WARNING
handlers=

[logger_app]
level=DEBUG
handlers=out,mem
qualname=hc.ini
propagate=0

[handler_out]
class=StreamHandler
level=%(hlevel)s
formatter=plain
args=(sys.stdout,)

[handler_mem]
class=handlers.MemoryHandler
args=(10,)
target=out

[formatter_plain]
format=%(levelname)s|%(message)s
"""


def test_file_config_from_configparser_object(clean_logging):
    cp = configparser.ConfigParser({"hlevel": "INFO"})
    cp.read_string(INI)
    config.fileConfig(cp)
    lg = logging.getLogger("hc.ini")
    out, mem = logging._handlers["out"], logging._handlers["mem"]
    assert lg.handlers == [out, mem]
    assert lg.propagate == 0
    assert mem.target is out
    assert out.level == logging.INFO
    assert out.formatter._fmt == "%(levelname)s|%(message)s"


def test_file_config_from_file_object_with_defaults(clean_logging):
    config.fileConfig(io.StringIO(INI), defaults={"hlevel": "ERROR"})
    assert logging._handlers["out"].level == logging.ERROR


def test_file_config_from_path_and_disable_existing(clean_logging, tmp_path):
    path = tmp_path / "log.ini"
    path.write_text(INI.replace("%(hlevel)s", "DEBUG"), encoding="utf-8")
    bystander = logging.getLogger("hc.bystander")
    config.fileConfig(str(path), disable_existing_loggers=False, encoding="utf-8")
    assert bystander.disabled is False
    config.fileConfig(str(path))
    assert bystander.disabled is True


def test_file_config_bad_inputs(tmp_path):
    with pytest.raises(FileNotFoundError, match="doesn't exist"):
        config.fileConfig(str(tmp_path / "missing.ini"))
    empty = tmp_path / "empty.ini"
    empty.write_text("")
    with pytest.raises(RuntimeError, match="is an empty file"):
        config.fileConfig(str(empty))
    broken = tmp_path / "broken.ini"
    broken.write_text("no section header\n")
    with pytest.raises(RuntimeError, match="is invalid"):
        config.fileConfig(str(broken))


# ---------------------------------------------------------------------------
# listen / stopListening
# ---------------------------------------------------------------------------

def _send_config(port, payload):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(struct.pack(">L", len(payload)) + payload)


def _listen_and_send(payload, verify=None):
    t = config.listen(0, verify=verify)
    t.start()
    try:
        assert t.ready.wait(10)
        t.ready.clear()
        _send_config(t.port, payload)
        assert t.ready.wait(10)
    finally:
        config.stopListening()
        t.join(10)
    assert not t.is_alive()


def test_listen_applies_json_config_after_verify(clean_logging):
    cfg = {"version": 1, "loggers": {"hc.listen": {"level": "ERROR"}}}
    seen = []

    def verify(data):
        seen.append(data)
        return data[::-1]  # the sender "encrypted" by reversing

    payload = json.dumps(cfg).encode("utf-8")[::-1]
    _listen_and_send(payload, verify=verify)
    assert seen == [payload]
    assert logging.getLogger("hc.listen").level == logging.ERROR


def test_listen_verify_can_reject(clean_logging):
    logging.getLogger("hc.reject").setLevel(logging.INFO)
    cfg = {"version": 1, "loggers": {"hc.reject": {"level": "ERROR"}}}
    _listen_and_send(json.dumps(cfg).encode("utf-8"), verify=lambda data: None)
    assert logging.getLogger("hc.reject").level == logging.INFO


def test_file_config_formatter_defaults(clean_logging):
    # ``defaults`` in a formatter section is a Python 3.12 addition.
    ini = """
[loggers]
keys=root

[handlers]
keys=h

[formatters]
keys=f

[logger_root]
level=DEBUG
handlers=h

[handler_h]
class=NullHandler

[formatter_f]
format=%(message)s/%(tag)s
defaults={'tag': 'untagged'}
"""
    cp = configparser.ConfigParser()
    cp.read_string(ini)
    cp["handler_h"]["formatter"] = "f"
    config.fileConfig(cp)
    fmt = logging._handlers["h"].formatter
    assert fmt.format(logging.makeLogRecord({"msg": "m"})) == "m/untagged"
    assert fmt.format(logging.makeLogRecord({"msg": "m", "tag": "T"})) == "m/T"
