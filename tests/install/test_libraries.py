"""Libraries built on the standard logging: OpenTelemetry, structlog, urllib3, with install()."""

import http.server
import io
import json
import re
import sys
import logging
import threading

import pytest

import femtologging

otel_logs = pytest.importorskip("opentelemetry.sdk._logs", reason="make test installs opentelemetry-sdk")
from opentelemetry.sdk._logs import export as otel_export  # noqa: E402

structlog = pytest.importorskip("structlog", reason="make test installs structlog")
urllib3 = pytest.importorskip("urllib3", reason="make test installs urllib3")
import urllib3.connectionpool  # noqa: E402  (its module-level logger exists before install)


def _attach(name, handler):
    log = logging.getLogger(name)
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    return log


def test_opentelemetry_logging_handler(installed):
    exporter_class = (getattr(otel_export, "InMemoryLogRecordExporter", None)
                      or otel_export.InMemoryLogExporter)
    exporter = exporter_class()
    provider = otel_logs.LoggerProvider()
    provider.add_log_record_processor(otel_export.SimpleLogRecordProcessor(exporter))
    handler = otel_logs.LoggingHandler(level=logging.NOTSET, logger_provider=provider)
    log = _attach("inst.otel", handler)
    try:
        log.warning("payment %s failed", "p-1", extra={"order": 7}); line = sys._getframe().f_lineno
        (data,) = exporter.get_finished_logs()
        rec = data.log_record
        assert rec.body == "payment p-1 failed"
        assert rec.severity_text == "WARN" and rec.severity_number.value == 13
        assert rec.attributes["order"] == 7
        attrs = dict(rec.attributes)    # semantic-convention names differ between SDK versions
        assert attrs.get("code.line.number", attrs.get("code.lineno")) == line
        assert attrs.get("code.function.name", attrs.get("code.function")) == (
            "test_opentelemetry_logging_handler")
        assert attrs.get("code.file.path", attrs.get("code.filepath")) == __file__
        assert isinstance(handler, logging.Handler)
    finally:
        log.handlers.clear()
        provider.shutdown()


def test_structlog_processor_formatter(installed):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        processor=structlog.processors.JSONRenderer(sort_keys=True),
        foreign_pre_chain=[structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name]))
    log = _attach("inst.structlog", handler)
    structlog.configure(
        processors=[structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name,
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False)
    try:
        log.info("plain %s", "stdlib")
        structlog.get_logger("inst.structlog").warning("structured", user="ann", n=3)
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert lines == [
            {"event": "plain stdlib", "level": "info", "logger": "inst.structlog"},
            {"event": "structured", "level": "warning", "logger": "inst.structlog",
             "n": 3, "user": "ann"},
        ]
    finally:
        structlog.reset_defaults()
        log.handlers.clear()


class _Quiet(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_urllib3_module_level_logger(installed):
    assert isinstance(urllib3.connectionpool.log, femtologging.Logger)
    server = http.server.HTTPServer(("127.0.0.1", 0), _Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    log = _attach("urllib3", handler)
    port = server.server_address[1]
    try:
        with urllib3.PoolManager() as pool:
            assert pool.request("GET", "http://127.0.0.1:%d/x" % port).data == b"ok"
        first, second = stream.getvalue().splitlines()
        assert first == ("DEBUG urllib3.connectionpool Starting new HTTP connection (1): "
                         "127.0.0.1:%d" % port)
        assert re.fullmatch(r'DEBUG urllib3\.connectionpool http://127\.0\.0\.1:%d '
                            r'"GET /x HTTP/1\.1" 200 \d+' % port, second), second
    finally:
        server.shutdown()
        server.server_close()
        log.handlers.clear()
        log.setLevel(logging.NOTSET)
        log.propagate = True
