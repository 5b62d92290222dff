"""Framework logging configurations (uvicorn's LOGGING_CONFIG, Django's LOGGING) after install()."""

import io
import logging

import pytest

import femtologging

uvicorn_config = pytest.importorskip("uvicorn.config", reason="make test installs uvicorn")
django = pytest.importorskip("django", reason="make test installs Django")
from django.conf import settings  # noqa: E402
import django.utils.log as django_log  # noqa: E402


def test_uvicorn_logging_config(installed, capsys):
    config = uvicorn_config.Config(app="tests:app", use_colors=False)
    config.configure_logging()      # logging.config.dictConfig(uvicorn's LOGGING_CONFIG)
    uv = logging.getLogger("uvicorn")
    try:
        assert [type(h) for h in uv.handlers] == [femtologging.StreamHandler]
        assert type(logging.getLogger("uvicorn.access").handlers[0]) is femtologging.StreamHandler
        # uvicorn.config's module-level logger was created when uvicorn was imported
        assert uvicorn_config.logger.name == "uvicorn.error"
        uvicorn_config.logger.info("Started server process [%d]", 42)
        uvicorn_config.logger.debug("not shown")
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/", "1.1", 200)
        for h in uv.handlers + logging.getLogger("uvicorn.access").handlers:
            h.flush()
        out = capsys.readouterr()
        assert out.err == "INFO:     Started server process [42]\n"
        assert out.out == 'INFO:     127.0.0.1:5000 - "GET / HTTP/1.1" 200 OK\n'
    finally:
        for name in ("uvicorn", "uvicorn.access"):
            logging.getLogger(name).handlers.clear()


def test_django_logging_setting(installed, tmp_path):
    path = tmp_path / "django.log"
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=[],
        LOGGING_CONFIG="logging.config.dictConfig",
        ADMINS=[],
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"prod": {"()": "django.utils.log.RequireDebugFalse"}},
            "formatters": {"req": {"format": "%(levelname)s %(name)s %(status_code)s %(message)s"}},
            "handlers": {
                "file": {"class": "logging.FileHandler", "filename": str(path),
                         "formatter": "req", "filters": ["prod"]},
                "mail": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR"},
            },
            "loggers": {"django.request": {"handlers": ["file", "mail"], "level": "WARNING",
                                           "propagate": False}},
        },
    )
    django.setup()      # runs django.utils.log.configure_logging
    from django.http import HttpResponse

    req = logging.getLogger("django.request")
    try:
        file_h, mail_h = req.handlers
        assert type(file_h) is femtologging.FileHandler
        assert isinstance(mail_h, django_log.AdminEmailHandler) and isinstance(mail_h, logging.Handler)
        # django.utils.log.request_logger was created at import, before install
        assert django_log.request_logger is not req and django_log.request_logger.name == req.name
        django_log.log_response("Not Found: %s", "/missing", response=HttpResponse(status=404))
        django_log.log_response("Server Error: %s", "/boom", response=HttpResponse(status=500))
        file_h.flush()
        assert path.read_text() == ("WARNING django.request 404 Not Found: /missing\n"
                                    "ERROR django.request 500 Server Error: /boom\n")
    finally:
        for h in req.handlers:
            h.close()
        req.handlers.clear()
