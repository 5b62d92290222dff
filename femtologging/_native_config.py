"""The native API's builders: handlers, formatters, filters and ``ConfigBuilder``.

Every ``with_*`` method returns the builder; nothing is checked until
``build()``, which raises ``HandlerConfigError`` or ``FilterBuildError``.
Handlers refer to formatters by id: ids registered with
``ConfigBuilder.with_formatter`` (and ``"default"``) are resolved when the
configuration is built.
"""

import os

import femtologging as _pkg

from ._native_handlers import (
    BackoffConfig, FemtoFileHandler, FemtoRotatingFileHandler, FemtoSocketHandler,
    FemtoStreamHandler, FilterBuildError, HandlerConfigError, HandlerOptions, OverflowPolicy,
    config_errors,
)
from ._native_logger import check_logger_name, parse_level


class _Builder:
    """Fluent setters: ``self._set(name, value)`` records an option and returns the builder."""

    def _set(self, name, value):
        self._options[name] = value
        return self

    def as_dict(self):
        """The options given so far."""
        return dict(self._options)

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self._options)


class _CallableFormatter(_pkg.Formatter):
    """Formats a record by calling ``fn(mapping)`` with logger, level, message and friends."""

    def __init__(self, fn):
        _pkg.Formatter.__init__(self)
        self.fn = fn

    def format(self, record):
        """Return ``fn(record_mapping)`` as text."""
        return str(self.fn({
            "logger": record.name, "level": record.levelname, "message": record.getMessage(),
            "levelno": record.levelno, "created": record.created, "filename": record.pathname,
            "line_number": record.lineno, "module_path": record.module,
            "thread_id": record.thread, "thread_name": record.threadName,
        }))


def _resolve_formatter(spec, formatters):
    """A formatter from a callable, a ``Formatter``, ``"default"`` or a registered id."""
    if spec is None:
        return None
    if isinstance(spec, _pkg.Formatter):
        return spec
    if isinstance(spec, str):
        if spec in formatters:
            return formatters[spec]
        if spec == "default":
            return None
        raise HandlerConfigError("unknown formatter id %r" % (spec,))
    if callable(spec):
        return _CallableFormatter(spec)
    raise HandlerConfigError("formatter must be an id, a Formatter or a callable, not %r" % (spec,))


class _HandlerBuilder(_Builder):
    """Options shared by every handler builder."""

    def with_capacity(self, capacity):
        """Queue length in records."""
        return self._set("capacity", capacity)

    def with_overflow_policy(self, policy):
        """An ``OverflowPolicy`` (or ``"drop"``, ``"block"``, ``"drop_oldest"``, ``"timeout:N"``)."""
        return self._set("policy", policy)

    def with_formatter(self, formatter):
        """A formatter id (see ``ConfigBuilder.with_formatter``), a ``Formatter`` or a callable."""
        return self._set("formatter", formatter)

    def with_level(self, level):
        """Only records at or above ``level`` reach the handler."""
        return self._set("level", level)

    def with_flush_timeout_ms(self, ms):
        """How long ``flush()`` waits by default."""
        return self._set("flush_timeout_ms", ms)

    def build(self, formatters=None):
        """Validate and create the handler (formatter ids resolved against ``formatters``)."""
        opts = dict(self._options)
        formatter = _resolve_formatter(opts.pop("formatter", None), formatters or {})
        level = opts.pop("level", None)
        flush_ms = opts.pop("flush_timeout_ms", None)
        if flush_ms is not None and (isinstance(flush_ms, bool) or not isinstance(flush_ms, int)
                                     or flush_ms <= 0):
            raise HandlerConfigError("flush timeout must be an int > 0 (ms), got %r" % (flush_ms,))
        with config_errors():
            handler = self._create(opts)
            if level is not None:
                handler.setLevel(parse_level(level))
        if formatter is not None:
            handler.setFormatter(formatter)
        if flush_ms is not None:
            handler.flush_timeout = flush_ms / 1000.0
        return handler


class StreamHandlerBuilder(_HandlerBuilder):
    """Builds a ``FemtoStreamHandler`` (``StreamHandlerBuilder.stdout()`` / ``.stderr()``)."""

    def __init__(self, target="stderr"):
        if target not in ("stdout", "stderr"):
            raise HandlerConfigError("stream must be 'stdout' or 'stderr', not %r" % (target,))
        self._options = {"target": target}

    @classmethod
    def stdout(cls):
        """A builder for a standard-output handler."""
        return cls("stdout")

    @classmethod
    def stderr(cls):
        """A builder for a standard-error handler."""
        return cls("stderr")

    def _create(self, opts):
        target = opts.pop("target")
        return getattr(FemtoStreamHandler, target)(opts.pop("capacity", 1024),
                                                   opts.pop("policy", "drop"))


class FileHandlerBuilder(_HandlerBuilder):
    """Builds a ``FemtoFileHandler`` appending to ``path``."""

    def __init__(self, path):
        self._options = {"path": path}

    def with_flush_interval(self, records):
        """Accepted for compatibility (the worker writes each batch at once)."""
        return self._set("flush_interval", records)

    with_flush_record_interval = with_flush_interval

    def _create(self, opts):
        path = opts.pop("path")
        if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
            raise HandlerConfigError("file path must be a non-empty path, got %r" % (path,))
        return FemtoFileHandler(path, opts.pop("capacity", 1024), opts.pop("flush_interval", 1),
                                opts.pop("policy", "drop"))


class RotatingFileHandlerBuilder(FileHandlerBuilder):
    """Builds a ``FemtoRotatingFileHandler`` (``with_max_bytes`` and ``with_backup_count``)."""

    def with_max_bytes(self, max_bytes):
        """Rotate before the file would exceed ``max_bytes``."""
        return self._set("max_bytes", max_bytes)

    def with_backup_count(self, count):
        """How many rotated files to keep."""
        return self._set("backup_count", count)

    def _create(self, opts):
        options = HandlerOptions(opts.pop("capacity", 1024), opts.pop("flush_interval", 1),
                                 opts.pop("policy", "drop"),
                                 (opts.pop("max_bytes", 0), opts.pop("backup_count", 0)))
        rotation = options.rotation
        if (rotation[0] > 0) != (rotation[1] > 0):
            raise HandlerConfigError("rotation needs both max_bytes and backup_count > 0")
        return FemtoRotatingFileHandler(opts.pop("path"), options)


class SocketHandlerBuilder(_HandlerBuilder):
    """Builds a ``FemtoSocketHandler`` (default: TCP to ``localhost:9020``)."""

    def __init__(self):
        self._options = {}

    def with_tcp(self, host, port):
        """Send to ``host:port`` over TCP."""
        self._options.pop("unix_path", None)
        self._set("host", host)
        return self._set("port", port)

    def with_unix_path(self, path):
        """Send over the Unix stream socket at ``path``."""
        return self._set("unix_path", path)

    def with_connect_timeout_ms(self, ms):
        """Give up a connection attempt after ``ms``."""
        return self._set("connect_timeout_ms", ms)

    def with_write_timeout_ms(self, ms):
        """Treat the peer as gone when a write stalls for ``ms``."""
        return self._set("write_timeout_ms", ms)

    def with_max_frame_size(self, size):
        """Largest frame payload in bytes; bigger records are dropped and counted."""
        return self._set("max_frame_size", size)

    def with_tls(self, domain=None, *, insecure=False, ca_file=None):
        """Use TLS, verifying the certificate for ``domain`` (default: the host) against the
        bundled public roots or ``ca_file``; ``insecure=True`` skips verification."""
        self._set("tls", True)
        self._set("tls_domain", domain)
        self._set("tls_insecure", bool(insecure))
        return self._set("tls_ca_file", ca_file)

    def with_caller_info(self, flag):
        """Send the caller's file, line and module (True, the default) or leave them empty."""
        return self._set("caller_info", bool(flag))

    def with_backoff(self, backoff):
        """Reconnect timing (a ``BackoffConfig``)."""
        return self._set("backoff", backoff)

    def _create(self, opts):
        backoff = opts.pop("backoff", None)
        if backoff is not None and not isinstance(backoff, BackoffConfig):
            backoff = BackoffConfig(backoff)
        for name in ("connect_timeout_ms", "write_timeout_ms", "max_frame_size", "port"):
            value = opts.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value <= 0):
                raise HandlerConfigError("%s must be an int > 0, got %r" % (name, value))
        return FemtoSocketHandler(backoff=backoff, **opts)


class FormatterBuilder(_Builder):
    """Builds a ``Formatter``: ``with_format`` (``%``, ``{`` or ``$`` style) and ``with_date_format``."""

    def __init__(self):
        self._options = {}

    def with_format(self, fmt, style=None):
        """The record layout; ``style`` is guessed from the text when not given."""
        self._set("fmt", fmt)
        return self._set("style", style)

    def with_date_format(self, datefmt):
        """``time.strftime`` format of ``asctime``."""
        return self._set("datefmt", datefmt)

    def build(self):
        """Validate and create the formatter."""
        fmt = self._options.get("fmt")
        style = self._options.get("style")
        if style is None:
            style = "{" if fmt and "{" in fmt and "%(" not in fmt else "%"
        try:
            return _pkg.Formatter(fmt, self._options.get("datefmt"), style=style)
        except (ValueError, TypeError) as exc:
            raise HandlerConfigError("invalid format: %s" % exc) from exc


class _LevelRange:
    """A filter passing records whose level lies within ``[min_level, max_level]``."""

    def __init__(self, min_level, max_level):
        self.min_level, self.max_level = min_level, max_level

    def filter(self, record):
        """True when the record's level is within the range."""
        return self.min_level <= record.levelno <= self.max_level


class LevelFilterBuilder(_Builder):
    """Builds a filter on record levels (``with_max_level``, ``with_min_level``)."""

    def __init__(self):
        self._options = {}

    def with_max_level(self, level):
        """Drop records above ``level``."""
        return self._set("max_level", level)

    def with_min_level(self, level):
        """Drop records below ``level``."""
        return self._set("min_level", level)

    def build(self):
        """Validate and create the filter."""
        if not self._options:
            raise FilterBuildError("a level filter needs with_max_level or with_min_level")
        try:
            low = parse_level(self._options.get("min_level", 0))
            high = parse_level(self._options.get("max_level", 1 << 30))
        except (ValueError, TypeError) as exc:
            raise FilterBuildError(str(exc)) from exc
        if low > high:
            raise FilterBuildError("min_level is above max_level")
        return _LevelRange(low, high)


class NameFilterBuilder(_Builder):
    """Builds a filter passing records of one logger and its descendants (``with_prefix``)."""

    def __init__(self):
        self._options = {}

    def with_prefix(self, prefix):
        """Logger name whose records (and descendants') pass."""
        return self._set("prefix", prefix)

    def build(self):
        """Validate and create the filter."""
        prefix = self._options.get("prefix")
        if not isinstance(prefix, str) or not prefix:
            raise FilterBuildError("a name filter needs a non-empty prefix")
        return _pkg.Filter(prefix)


class LoggerConfigBuilder(_Builder):
    """One logger's configuration: level, handler ids, filter ids, propagation."""

    def __init__(self):
        self._options = {}

    def with_level(self, level):
        """The logger's level (a name such as ``"INFO"`` or a number)."""
        return self._set("level", level)

    def with_handlers(self, ids):
        """Ids of handlers registered with ``ConfigBuilder.with_handler``."""
        return self._set("handlers", list(ids))

    def with_filters(self, ids):
        """Ids of filters registered with ``ConfigBuilder.with_filter`` (applied in order)."""
        return self._set("filters", list(ids))

    def with_propagate(self, flag):
        """Whether records also go to the ancestors' handlers."""
        return self._set("propagate", bool(flag))


class ConfigBuilder(_Builder):
    """Assembles a whole configuration; ``build_and_init()`` applies it to the hierarchy."""

    def __init__(self):
        self._options = {"formatters": {}, "handlers": {}, "filters": {}, "loggers": {},
                         "root": None, "default_level": None, "disable_existing": False}

    def _add(self, kind, key, value):
        self._options[kind][key] = value
        return self

    def with_formatter(self, id, builder):
        """Register a formatter under ``id`` for handlers' ``with_formatter(id)``."""
        return self._add("formatters", id, builder)

    def with_handler(self, id, builder):
        """Register a handler builder under ``id``."""
        return self._add("handlers", id, builder)

    def with_filter(self, id, builder):
        """Register a filter builder under ``id``."""
        return self._add("filters", id, builder)

    def with_logger(self, name, builder):
        """Configure the logger called ``name``."""
        return self._add("loggers", name, builder)

    def with_root_logger(self, builder):
        """Configure the root logger."""
        return self._set("root", builder)

    def with_default_level(self, level):
        """Level for configured loggers that set none."""
        return self._set("default_level", level)

    def with_disable_existing_loggers(self, flag):
        """Clear handlers and filters of existing loggers this configuration does not name."""
        return self._set("disable_existing", bool(flag))

    def build(self):
        """Validate everything and create the formatters, filters and handlers.

        Returns a ``dict`` with ``formatters``, ``filters``, ``handlers`` (the objects) and
        ``loggers`` (name -> options, ``"root"`` included) ready for ``build_and_init``.
        """
        o = self._options
        formatters = {fid: b.build() for fid, b in o["formatters"].items()}
        filters = {fid: b.build() for fid, b in o["filters"].items()}
        default_level = o["default_level"]
        if default_level is not None:
            default_level = self._level(default_level)
        loggers = {}
        named = dict(o["loggers"])
        if o["root"] is not None:
            named["root"] = o["root"]
        for name, builder in named.items():
            check_logger_name(name)
            spec = builder.as_dict()
            for kind, known in (("handlers", o["handlers"]), ("filters", filters)):
                for ref in spec.get(kind, ()):
                    if ref not in known:
                        error = HandlerConfigError if kind == "handlers" else FilterBuildError
                        raise error("logger %r refers to unknown %s id %r" % (name, kind[:-1], ref))
            level = spec.get("level", default_level)
            spec["level"] = None if level is None else self._level(level)
            loggers[name] = spec
        handlers = {}
        try:
            for hid, builder in o["handlers"].items():
                handlers[hid] = builder.build(formatters)
        except BaseException:
            for h in handlers.values():
                h.close()
            raise
        return {"formatters": formatters, "filters": filters, "handlers": handlers,
                "loggers": loggers, "disable_existing": o["disable_existing"]}

    @staticmethod
    def _level(level):
        try:
            return parse_level(level)
        except (ValueError, TypeError) as exc:
            raise HandlerConfigError(str(exc)) from exc

    def build_and_init(self):
        """Build, then apply to the hierarchy (shared with ``getLogger``)."""
        built = self.build()
        with _pkg._lock:
            manager = _pkg.Logger.manager
            if built["disable_existing"]:
                keep = set(built["loggers"])
                for name in list(keep):
                    while "." in name:
                        name = name.rpartition(".")[0]
                        keep.add(name)
                for name, node in list(manager.loggerDict.items()):
                    if isinstance(node, _pkg.Logger) and name not in keep:
                        node.handlers.clear()
                        node.filters.clear()
            for name, spec in built["loggers"].items():
                node = _pkg.root if name == "root" else _pkg.getLogger(name)
                if spec["level"] is not None:
                    node.setLevel(spec["level"])
                if "handlers" in spec:
                    node.handlers[:] = [built["handlers"][h] for h in spec["handlers"]]
                if "filters" in spec:
                    node.filters[:] = [built["filters"][f] for f in spec["filters"]]
                if "propagate" in spec:
                    node.propagate = spec["propagate"]
        return built
