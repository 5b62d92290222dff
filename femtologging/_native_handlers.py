"""The native API's handlers, overflow policies and typed errors.

Each ``Femto*Handler`` is an ordinary femtologging handler (a subclass of the
stdlib-shaped class, registered for the native record path), so it works on
loggers of both APIs; its options only choose the native writer's queue.
"""

import contextlib
import sys

import femtologging as _pkg

from . import _femtologging as _ext
from ._handler import FileHandler, StreamHandler


class HandlerConfigError(ValueError):
    """A handler or builder was given options it cannot use."""


class HandlerIOError(OSError):
    """A handler could not open, write or flush its destination."""


class FilterBuildError(ValueError):
    """A filter builder was given options it cannot use."""


@contextlib.contextmanager
def config_errors():
    """Map the engine's ``ValueError``/``OSError`` to the native API's typed errors (one place)."""
    try:
        yield
    except (HandlerConfigError, HandlerIOError):
        raise
    except OSError as exc:
        raise HandlerIOError(*exc.args) from exc
    except (ValueError, TypeError) as exc:
        raise HandlerConfigError(str(exc)) from exc


class OverflowPolicy:
    """What a handler's queue does when it is full.

    ``drop()`` drops the new record, ``block()`` waits for room, ``timeout(ms)``
    waits up to ``ms`` milliseconds then drops, ``drop_oldest()`` evicts the
    oldest queued record so the newest survive a burst. Dropped records are
    counted (``handler.dropped``) and reported on stderr at most once a second.
    """

    __slots__ = ("kind", "timeout_ms")

    def __init__(self, kind, timeout_ms=None):
        if kind not in ("drop", "block", "timeout", "drop_oldest"):
            raise HandlerConfigError("unknown overflow policy %r" % (kind,))
        if kind == "timeout":
            if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int) or timeout_ms <= 0:
                raise HandlerConfigError("timeout policy needs a whole number of ms > 0, got %r"
                                         % (timeout_ms,))
        elif timeout_ms is not None:
            raise HandlerConfigError("only the timeout policy takes a timeout")
        self.kind = kind
        self.timeout_ms = timeout_ms

    @classmethod
    def drop(cls):
        """Drop the new record when the queue is full."""
        return cls("drop")

    @classmethod
    def block(cls):
        """Wait for room (the logging thread blocks)."""
        return cls("block")

    @classmethod
    def timeout(cls, ms):
        """Wait up to ``ms`` milliseconds for room, then drop."""
        return cls("timeout", ms)

    @classmethod
    def drop_oldest(cls):
        """Evict the oldest queued record to make room for the new one."""
        return cls("drop_oldest")

    @classmethod
    def parse(cls, spec):
        """A policy from an ``OverflowPolicy`` or a string: ``drop``, ``block``, ``drop_oldest``, ``timeout:N``."""
        if isinstance(spec, cls):
            return spec
        if isinstance(spec, str):
            name, sep, ms = spec.strip().lower().partition(":")
            if name == "timeout" and sep:
                try:
                    return cls("timeout", int(ms))
                except ValueError:
                    raise HandlerConfigError("bad timeout policy %r: expected timeout:N (ms)"
                                             % (spec,)) from None
            return cls(name)
        raise HandlerConfigError("overflow policy must be an OverflowPolicy or a string, not %r"
                                 % (spec,))

    @property
    def _femto_policy(self):
        """``(name, timeout seconds)`` as the writers' ``set_overflow`` takes them."""
        if self.kind == "timeout":
            return "timeout", self.timeout_ms / 1000.0
        return self.kind, None

    def __eq__(self, other):
        return (isinstance(other, OverflowPolicy)
                and (self.kind, self.timeout_ms) == (other.kind, other.timeout_ms))

    def __hash__(self):
        return hash((self.kind, self.timeout_ms))

    def __repr__(self):
        if self.kind == "timeout":
            return "OverflowPolicy.timeout(%d)" % self.timeout_ms
        return "OverflowPolicy.%s()" % self.kind


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise HandlerConfigError("%s must be an int > 0, got %r" % (name, value))
    return value


def writer_options(policy, capacity):
    """The native writers' keyword arguments for ``policy`` and ``capacity``."""
    name, seconds = OverflowPolicy.parse(policy)._femto_policy
    options = {"overflow": name, "capacity": _check_positive_int("capacity", capacity)}
    if seconds is not None:
        options["timeout"] = seconds
    return options


class HandlerOptions:
    """Options of the file handlers: queue ``capacity``, ``flush_interval`` (records),
    overflow ``policy`` and ``rotation=(max_bytes, backup_count)`` (both > 0 to rotate)."""

    def __init__(self, capacity=1024, flush_interval=1, policy="drop", rotation=None):
        self.capacity = _check_positive_int("capacity", capacity)
        self.flush_interval = _check_positive_int("flush_interval", flush_interval)
        self.policy = OverflowPolicy.parse(policy)
        if rotation is None:
            rotation = (0, 0)
        try:
            max_bytes, backup_count = rotation
        except (TypeError, ValueError):
            raise HandlerConfigError("rotation must be a (max_bytes, backup_count) pair") from None
        for name, value in (("max_bytes", max_bytes), ("backup_count", backup_count)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise HandlerConfigError("%s must be an int >= 0, got %r" % (name, value))
        self.rotation = (max_bytes, backup_count)

    def __repr__(self):
        return ("HandlerOptions(capacity=%d, flush_interval=%d, policy=%r, rotation=%r)"
                % (self.capacity, self.flush_interval, self.policy, self.rotation))


class _FemtoHandler:
    """What every ``Femto*Handler`` adds: a bounded ``flush`` and ``get_dropped``."""

    flush_timeout = 1.0  # seconds flush() waits by default

    def _native_writers(self):
        return [w for w in (self.__dict__.get("stream"), self.__dict__.get("_femto_stdio"))
                if isinstance(w, _ext.AsyncWriter) and not w.closed]

    def flush(self, timeout=None):
        """Wait (up to ``timeout`` s, default ``flush_timeout``) until queued records are written.

        Returns True when everything was flushed in time, False otherwise.
        """
        limit = self.flush_timeout if timeout is None else timeout
        done = True
        with config_errors():
            for writer in self._native_writers():
                done = _ext._flush_within(writer, limit) and done
        stream = self.__dict__.get("stream")
        if stream is not None and not isinstance(stream, _ext.AsyncWriter) and hasattr(stream, "flush"):
            stream.flush()
        return done

    def get_dropped(self):
        """Records this handler has dropped (queue full under its policy, peer unreachable...)."""
        return self.dropped


class FemtoStreamHandler(_FemtoHandler, StreamHandler):
    """Writes records to stdout or stderr through a native worker (the process's own streams)."""

    def __init__(self, stream=None, capacity=1024, policy="drop"):
        self._femto_overflow = writer_options(policy, capacity)
        StreamHandler.__init__(self, stream)

    @classmethod
    def stdout(cls, capacity=1024, policy="drop"):
        """A handler writing to standard output."""
        return cls(sys.stdout, capacity, policy)

    @classmethod
    def stderr(cls, capacity=1024, policy="drop"):
        """A handler writing to standard error (the default)."""
        return cls(sys.stderr, capacity, policy)


class FemtoFileHandler(_FemtoHandler, FileHandler):
    """Appends records to ``path`` (UTF-8) from a native worker with its own bounded queue.

    ``flush_interval`` is accepted for compatibility: the worker writes every batch as soon
    as it is taken from the queue, so records never wait for a count.
    """

    def __init__(self, path, capacity=1024, flush_interval=1, policy="drop"):
        self._femto_overflow = writer_options(policy, capacity)
        self.flush_interval = _check_positive_int("flush_interval", flush_interval)
        with config_errors():
            FileHandler.__init__(self, path, mode="a", encoding="utf-8")

    def _open(self):
        return _ext.AsyncFile(self.baseFilename, self.mode, encoding="utf-8",
                              **self._femto_overflow)


def _rotating_classes():
    from . import handlers
    return handlers.RotatingFileHandler, handlers.TimedRotatingFileHandler


_RotatingBase, _TimedBase = _rotating_classes()


class FemtoRotatingFileHandler(_FemtoHandler, _RotatingBase):
    """A file handler that rotates by size: ``options.rotation=(max_bytes, backup_count)``."""

    def __init__(self, path, options=None):
        options = HandlerOptions() if options is None else options
        self.options = options
        self._femto_overflow = writer_options(options.policy, options.capacity)
        max_bytes, backup_count = options.rotation
        if not (max_bytes > 0 and backup_count > 0):
            max_bytes = backup_count = 0
        with config_errors():
            _RotatingBase.__init__(self, path, mode="a", maxBytes=max_bytes,
                                   backupCount=backup_count, encoding="utf-8")


class FemtoTimedRotatingFileHandler(_FemtoHandler, _TimedBase):
    """A file handler that rotates by time (``when``/``interval`` as in TimedRotatingFileHandler)."""

    def __init__(self, path, when="midnight", interval=1, backup_count=0, utc=False,
                 at_time=None, options=None):
        options = HandlerOptions() if options is None else options
        self.options = options
        self._femto_overflow = writer_options(options.policy, options.capacity)
        with config_errors():
            _TimedBase.__init__(self, path, when=when, interval=interval,
                                backupCount=backup_count, encoding="utf-8", utc=utc,
                                atTime=at_time)


class BackoffConfig:
    """Reconnect timing of a socket handler, in milliseconds: ``base_ms`` (first delay),
    ``cap_ms`` (largest delay), ``reset_after_ms`` (a connection that lived this long starts
    over from ``base_ms``), ``deadline_ms`` (stop reconnecting after failing this long; None:
    never stop). Delays double and get up to 50 % random jitter."""

    _DEFAULTS = {"base_ms": 100, "cap_ms": 5000, "reset_after_ms": 30000, "deadline_ms": None}

    def __init__(self, settings=None, **kwargs):
        values = dict(self._DEFAULTS)
        values.update(settings or {})
        values.update(kwargs)
        unknown = set(values) - set(self._DEFAULTS)
        if unknown:
            raise HandlerConfigError("unknown backoff setting(s): %s" % ", ".join(sorted(unknown)))
        for name, value in values.items():
            if value is None and name == "deadline_ms":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0 or (
                    value == 0 and name in ("base_ms", "cap_ms")):
                raise HandlerConfigError("%s must be an int > 0, got %r" % (name, value))
        if values["cap_ms"] < values["base_ms"]:
            raise HandlerConfigError("cap_ms must be >= base_ms")
        self.base_ms = values["base_ms"]
        self.cap_ms = values["cap_ms"]
        self.reset_after_ms = values["reset_after_ms"]
        self.deadline_ms = values["deadline_ms"]

    def _as_tuple(self):
        return (self.base_ms, self.cap_ms, self.reset_after_ms, self.deadline_ms)

    def __repr__(self):
        return ("BackoffConfig(base_ms=%r, cap_ms=%r, reset_after_ms=%r, deadline_ms=%r)"
                % self._as_tuple())


# The wire layout without the caller's file, line and module (sent as "", 0, ""): records
# then need no caller lookup on the logging thread.
_WIRE_NO_CALLER = (_ext._WIRE_FORMAT.replace("%(pathname)s", "").replace("%(lineno)s", "0")
                   .replace("%(module)s", ""))


class FemtoSocketHandler(_FemtoHandler, StreamHandler):
    """Sends each record as a length-prefixed MessagePack map over TCP, TLS or a Unix socket.

    The map holds ``logger, level, message, timestamp_ns, filename, line_number,
    module_path, thread_id, thread_name, key_values``. Encoding, framing and I/O run on
    the handler's worker thread. ``caller_info=False`` leaves ``filename``/``line_number``/
    ``module_path`` empty and spares the logging thread the caller lookup. Use
    ``SocketHandlerBuilder`` for the full set of options.
    """

    terminator = ""

    def __init__(self, host="localhost", port=9020, *, unix_path=None, capacity=1024,
                 policy="drop", max_frame_size=1 << 20, connect_timeout_ms=5000,
                 write_timeout_ms=1000, backoff=None, tls=False, tls_domain=None,
                 tls_ca_file=None, tls_insecure=False, caller_info=True):
        if tls and unix_path is not None:
            raise HandlerConfigError("TLS needs a TCP destination, not a Unix socket")
        if tls_insecure and not tls:
            raise HandlerConfigError("tls_insecure only applies with tls=True")
        backoff = BackoffConfig() if backoff is None else backoff
        self._femto_socket_kwargs = dict(
            host=None if unix_path is not None else host,
            port=0 if unix_path is not None else port,
            unix_path=unix_path, max_frame_size=max_frame_size,
            connect_timeout_ms=connect_timeout_ms, write_timeout_ms=write_timeout_ms,
            backoff=backoff._as_tuple(),
            tls_server_name=(tls_domain or host) if tls else None,
            tls_ca_file=tls_ca_file, tls_insecure=tls_insecure)
        self._femto_overflow = writer_options(policy, capacity)
        with config_errors():
            writer = self._make_writer()
        StreamHandler.__init__(self, writer)
        # The options are applied to this writer: a record taking the Python path must not
        # replace it (which would close the connection).
        self._femto_applied = writer
        self.caller_info = bool(caller_info)
        self.formatter = _pkg.Formatter(_ext._WIRE_FORMAT if caller_info else _WIRE_NO_CALLER)

    def _make_writer(self):
        return _ext.FramedSocket(**self._femto_socket_kwargs, **(self._femto_overflow or {}))

    def _femto_rebuild(self):
        self._femto_swap(self._make_writer)

    def setFormatter(self, fmt):
        """The wire format is fixed: only the wire formatter is accepted."""
        raise HandlerConfigError("a socket handler's records are MessagePack maps; "
                                 "its formatter cannot be replaced")

    @property
    def connected(self):
        """Whether the worker holds a connection now."""
        return self.stream.connected

    @property
    def last_error(self):
        """The last connection or TLS error the worker met (text), or None."""
        return self.stream.last_error

    @property
    def oversized(self):
        """Records dropped because their frame exceeded ``max_frame_size``."""
        return self.stream.oversized

    def close(self):
        """Send what is queued, then close the connection and stop the worker."""
        with self.lock:
            writer = self.__dict__.get("stream")
            if isinstance(writer, _ext.AsyncWriter) and not writer.closed:
                self._femto_note(writer)
                writer.close()
        StreamHandler.close(self)

    def __repr__(self):
        return "<FemtoSocketHandler %s>" % (self.stream.destination,)


_ext._register_native_handlers(FemtoStreamHandler, FemtoFileHandler, FemtoRotatingFileHandler,
                               FemtoTimedRotatingFileHandler, FemtoSocketHandler)
_ext._register_stream_handlers(FemtoStreamHandler)
