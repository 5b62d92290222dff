"""Builders and ConfigBuilder: fluent setters, validation at build(), typed errors, formatter ids."""

import io

import pytest

import femtologging
from femtologging import (
    ConfigBuilder, FemtoFileHandler, FemtoRotatingFileHandler, FemtoStreamHandler,
    FileHandlerBuilder, FilterBuildError, FormatterBuilder, HandlerConfigError, HandlerIOError,
    LevelFilterBuilder, LoggerConfigBuilder, NameFilterBuilder, OverflowPolicy,
    RotatingFileHandlerBuilder, SocketHandlerBuilder, StreamHandlerBuilder, get_logger,
)


def test_error_types_subclass_the_builtin_errors():
    assert issubclass(HandlerConfigError, ValueError)
    assert issubclass(FilterBuildError, ValueError)
    assert issubclass(HandlerIOError, OSError)


def test_every_with_method_returns_the_builder(tmp_path):
    builders = [
        (StreamHandlerBuilder.stdout(), [("with_capacity", 8), ("with_flush_timeout_ms", 5),
                                         ("with_overflow_policy", OverflowPolicy.drop()),
                                         ("with_formatter", "default"), ("with_level", "INFO")]),
        (FileHandlerBuilder(tmp_path / "f.log"), [("with_flush_interval", 2)]),
        (RotatingFileHandlerBuilder(tmp_path / "r.log"), [("with_max_bytes", 10), ("with_backup_count", 1)]),
        (SocketHandlerBuilder(), [("with_tcp", "h", 1), ("with_unix_path", "/x"),
                                  ("with_connect_timeout_ms", 1), ("with_write_timeout_ms", 1),
                                  ("with_max_frame_size", 9), ("with_tls", "h"), ("with_backoff", {}),
                                  ("with_caller_info", False)]),
        (FormatterBuilder(), [("with_format", "%(message)s"), ("with_date_format", "%H")]),
        (LevelFilterBuilder(), [("with_max_level", "INFO"), ("with_min_level", "DEBUG")]),
        (NameFilterBuilder(), [("with_prefix", "a")]),
        (LoggerConfigBuilder(), [("with_level", "INFO"), ("with_handlers", []),
                                 ("with_filters", []), ("with_propagate", False)]),
        (ConfigBuilder(), [("with_default_level", "INFO"), ("with_disable_existing_loggers", True),
                           ("with_formatter", "f", FormatterBuilder()),
                           ("with_handler", "h", StreamHandlerBuilder()),
                           ("with_filter", "x", NameFilterBuilder()),
                           ("with_logger", "a", LoggerConfigBuilder()),
                           ("with_root_logger", LoggerConfigBuilder())]),
    ]
    for builder, calls in builders:
        for method, *args in calls:
            assert getattr(builder, method)(*args) is builder, (builder, method)


def test_file_builders_build_working_handlers(tmp_path, name):
    h = (FileHandlerBuilder(str(tmp_path / "a.log")).with_capacity(32)
         .with_overflow_policy(OverflowPolicy.block()).with_formatter(lambda r: "%(level)s|%(message)s" % r)
         .build())
    assert isinstance(h, FemtoFileHandler)
    r = (RotatingFileHandlerBuilder(str(tmp_path / "r.log")).with_max_bytes(100).with_backup_count(2)
         .build())
    assert isinstance(r, FemtoRotatingFileHandler) and (r.maxBytes, r.backupCount) == (100, 2)
    log = get_logger(name)
    log.add_handler(h)
    log.error("json-ish")
    h.close()
    r.close()
    assert (tmp_path / "a.log").read_text() == "ERROR|json-ish\n"


@pytest.mark.parametrize("make", [
    lambda p: FileHandlerBuilder(p).with_capacity(0),
    lambda p: FileHandlerBuilder(p).with_overflow_policy("never"),
    lambda p: FileHandlerBuilder("").with_capacity(1),
    lambda p: FileHandlerBuilder(p).with_flush_timeout_ms(0),
    lambda p: FileHandlerBuilder(p).with_formatter("no-such-id"),
    lambda p: FileHandlerBuilder(p).with_formatter(42),
    lambda p: RotatingFileHandlerBuilder(p).with_max_bytes(10),
    lambda p: StreamHandlerBuilder.stderr().with_level("LOUD"),
])
def test_invalid_handler_options_fail_at_build(tmp_path, make):
    builder = make(str(tmp_path / "x.log"))  # nothing checked yet
    with pytest.raises(HandlerConfigError):
        builder.build()


def test_stream_builder_target_must_be_known():
    with pytest.raises(HandlerConfigError):
        StreamHandlerBuilder("stdin")


def test_filters_build_and_fail_typed():
    with pytest.raises(FilterBuildError):
        LevelFilterBuilder().build()
    with pytest.raises(FilterBuildError):
        LevelFilterBuilder().with_max_level("NOPE").build()
    with pytest.raises(FilterBuildError):
        LevelFilterBuilder().with_min_level("ERROR").with_max_level("INFO").build()
    with pytest.raises(FilterBuildError):
        NameFilterBuilder().build()
    level = LevelFilterBuilder().with_max_level("INFO").build()
    record = femtologging.makeLogRecord({"levelno": femtologging.WARNING})
    assert not level.filter(record)
    record.levelno = femtologging.INFO
    assert level.filter(record)
    assert NameFilterBuilder().with_prefix("a.b").build().name == "a.b"


def test_formatter_builder_styles():
    rec = femtologging.makeLogRecord({"msg": "m", "levelname": "INFO", "name": "n"})
    assert FormatterBuilder().with_format("%(name)s:%(message)s").build().format(rec) == "n:m"
    assert FormatterBuilder().with_format("{levelname}-{message}").build().format(rec) == "INFO-m"
    with pytest.raises(HandlerConfigError):
        FormatterBuilder().with_format("%(message)s", style="?").build()


def test_config_builder_resolves_formatter_ids_and_applies(tmp_path, name):
    path = tmp_path / "audit.log"
    built = (ConfigBuilder()
             .with_formatter("short", FormatterBuilder().with_format("%(levelname)s %(name)s %(message)s"))
             .with_handler("audit", FileHandlerBuilder(str(path)).with_formatter("short")
                           .with_overflow_policy(OverflowPolicy.block()))
             .with_filter("info_only", LevelFilterBuilder().with_max_level("INFO"))
             .with_logger(name, LoggerConfigBuilder().with_level("INFO").with_handlers(["audit"])
                          .with_filters(["info_only"]).with_propagate(False))
             .with_default_level("WARNING")
             .with_logger(name + ".quiet", LoggerConfigBuilder())
             .build_and_init())
    std = femtologging.getLogger(name)
    assert std.handlers == [built["handlers"]["audit"]] and std.propagate is False
    assert femtologging.getLogger(name + ".quiet").level == femtologging.WARNING
    std.info("kept")
    get_logger(name).error("filtered out by info_only")
    built["handlers"]["audit"].close()
    assert path.read_text() == "INFO %s kept\n" % name


def test_config_builder_validates_references(name):
    with pytest.raises(HandlerConfigError):
        ConfigBuilder().with_logger(name, LoggerConfigBuilder().with_handlers(["nope"])).build()
    with pytest.raises(FilterBuildError):
        ConfigBuilder().with_logger(name, LoggerConfigBuilder().with_filters(["nope"])).build()
    with pytest.raises(HandlerConfigError):
        ConfigBuilder().with_default_level("LOUD").build()
    with pytest.raises(ValueError):
        ConfigBuilder().with_logger("bad..name", LoggerConfigBuilder()).build()


def test_disable_existing_loggers_clears_the_others(name):
    other = femtologging.getLogger(name + ".other")
    other.addHandler(femtologging.StreamHandler(io.StringIO()))
    other.addFilter(femtologging.Filter("x"))
    keep = femtologging.getLogger(name + ".kept.child")
    parent = femtologging.getLogger(name + ".kept")
    parent_handler = femtologging.StreamHandler(io.StringIO())
    parent.addHandler(parent_handler)
    (ConfigBuilder().with_disable_existing_loggers(True)
     .with_logger(name + ".kept.child", LoggerConfigBuilder().with_level("DEBUG"))
     .build_and_init())
    assert other.handlers == [] and other.filters == []
    assert parent.handlers == [parent_handler]  # ancestors of configured loggers are kept
    assert keep.level == femtologging.DEBUG


def test_socket_builder_builds_a_lazy_handler():
    h = (SocketHandlerBuilder().with_tcp("127.0.0.1", 9).with_capacity(4)
         .with_overflow_policy("drop_oldest").build())
    assert not h.connected
    h.close()


def test_stream_builder_output(capfd, name):
    h = StreamHandlerBuilder.stdout().with_formatter(lambda r: "<%(message)s>" % r).build()
    assert isinstance(h, FemtoStreamHandler)
    log = get_logger(name)
    log.add_handler(h)
    log.error("x")
    h.flush()
    h.close()
    assert "<x>" in capfd.readouterr().out
