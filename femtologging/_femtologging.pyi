"""Type stubs of ``femtologging._femtologging``, the native (Rust/PyO3) engine.

Applications use the stdlib-shaped classes of :mod:`femtologging`; the names here are the
native bases those classes derive from, the asynchronous writers, and the hooks the Python
facade calls once at import time.
"""

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, NoReturn, Self, TypeAlias, final

_SysExcInfoType: TypeAlias = (
    tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
)
_ExcInfoType: TypeAlias = None | bool | _SysExcInfoType | BaseException
_ArgsType: TypeAlias = tuple[object, ...] | Mapping[str, object]

__all__ = [
    "_NATIVE_WATCHERS",
    "_set_class_watcher",
    "_watch_instances",
    "_bump_epoch",
    "_overrides",
    "_install_level_methods",
    "_adapter_log",
    "_register_adapter",
    "_bind",
    "_set_disable",
    "_clear_cache",
    "LogRecord",
    "_set_internal_files",
    "_LoggerCore",
    "FormatterCore",
    "_register_formatter_types",
    "AsyncWriter",
    "AsyncFile",
    "AsyncStream",
    "AsyncSocket",
    "flush_all",
    "close_all",
    "before_fork",
    "dropped_total",
    "flush_on",
    "flush_level",
    "set_sync",
    "is_sync",
    "_os_exit",
    "NativeSlot",
    "_register_native_handlers",
    "_register_formatted_handlers",
    "_register_stream_handlers",
    "_format_exception",
    "_traceback_cache_clear",
    "_traceback_cache_len",
    "FramedSocket",
    "_decode_frames",
    "_count_frames",
    "_encode_frame",
    "_flush_within",
    "_WIRE_FORMAT",
]

# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------

class LogRecord:
    """A log record; every standard field is a plain instance attribute (in ``__dict__``)."""

    args: _ArgsType | None
    asctime: str
    created: float
    exc_info: _SysExcInfoType | None
    exc_text: str | None
    filename: str
    funcName: str | None
    levelname: str
    levelno: int
    lineno: int
    module: str
    msecs: float
    message: str
    msg: object
    name: str
    pathname: str
    process: int | None
    processName: str | None
    relativeCreated: float
    stack_info: str | None
    thread: int | None
    threadName: str | None
    def __init__(
        self,
        name: str,
        level: int,
        pathname: str,
        lineno: int,
        msg: object,
        args: _ArgsType | None,
        exc_info: _SysExcInfoType | None,
        func: str | None = None,
        sinfo: str | None = None,
        **kwargs: Any,
    ) -> None: ...
    def getMessage(self) -> str: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any], /) -> None: ...

# ---------------------------------------------------------------------------
# Loggers
# ---------------------------------------------------------------------------

class _LoggerCore:
    """Native half of ``femtologging.Logger``: level cache, level methods and dispatch."""

    name: str
    level: int
    parent: _LoggerCore | None
    propagate: bool
    disabled: bool
    handlers: list[Any]
    filters: list[Any]
    _femto_manager: Any
    @property
    def _cache(self) -> dict[int, bool]: ...
    def __init__(self, name: str, level: int | str = 0) -> None: ...
    def isEnabledFor(self, level: int) -> bool: ...
    def getEffectiveLevel(self) -> int: ...
    def debug(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
    ) -> None: ...
    def info(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
    ) -> None: ...
    def warning(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
    ) -> None: ...
    def error(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
    ) -> None: ...
    def exception(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = True,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
    ) -> None: ...
    def critical(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
    ) -> None: ...
    fatal = critical
    def log(
        self,
        level: int,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
    ) -> None: ...
    def _log(
        self,
        level: int,
        msg: object,
        args: _ArgsType,
        exc_info: _ExcInfoType | None = None,
        extra: Mapping[str, object] | None = None,
        stack_info: bool | None = None,
        stacklevel: int = 1,
    ) -> None: ...
    def findCaller(
        self, stack_info: bool | None = None, stacklevel: int = 1
    ) -> tuple[str, int, str, str | None]: ...
    def makeRecord(
        self,
        name: str,
        level: int,
        fn: str,
        lno: int,
        msg: object,
        args: _ArgsType,
        exc_info: _SysExcInfoType | None,
        func: str | None = None,
        extra: Mapping[str, object] | None = None,
        sinfo: str | None = None,
    ) -> LogRecord: ...
    def handle(self, record: LogRecord) -> None: ...
    def callHandlers(self, record: LogRecord) -> None: ...

# ---------------------------------------------------------------------------
# Formatters
# ---------------------------------------------------------------------------

class FormatterCore:
    """Native base of ``femtologging.Formatter``: parses the layout once, renders natively."""

    def __new__(cls, *_args: Any, **_kwargs: Any) -> Self: ...
    def format(self, record: LogRecord) -> str: ...
    def formatTime(self, record: LogRecord, datefmt: str | None = None) -> str: ...
    def formatException(self, ei: _SysExcInfoType) -> str: ...
    def formatStack(self, stack_info: str) -> str: ...
    def usesTime(self) -> bool: ...
    def formatMessage(self, record: LogRecord) -> str: ...
    @property
    def _native_plan_available(self) -> bool: ...
    @property
    def _native_layout(self) -> bool: ...

# ---------------------------------------------------------------------------
# Native handler dispatch
# ---------------------------------------------------------------------------

@final
class NativeSlot:
    """Per-handler cache of the engine's "may this handler be served natively" decision."""

    def __init__(self) -> None: ...

# ---------------------------------------------------------------------------
# Asynchronous writers (bounded queue + one worker thread each)
# ---------------------------------------------------------------------------

class AsyncWriter:
    """Base of the asynchronous writers: ``write`` queues, the worker thread does the I/O."""

    @property
    def name(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    @property
    def dropped(self) -> int: ...
    def write(self, text: str, level: int | None = None) -> None: ...
    def write_bytes(self, data: bytes | bytearray | memoryview | Iterable[int]) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def _share(self) -> Self: ...
    def _pause(self) -> None: ...
    def _resume(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> bool: ...

@final
class AsyncFile(AsyncWriter):
    """A file written by a worker thread; optional size or timed rotation and watched reopen."""

    def __new__(
        cls,
        path: str | bytes | Any,
        mode: str = "a",
        encoding: str | None = None,
        errors: str | None = None,
        *,
        delay: bool = False,
        capacity: int = ...,
        overflow: str = "block",
        timeout: float | None = None,
        queue_bytes: int = 67108864,
        max_bytes: int = 0,
        backup_count: int = 0,
        watch: bool = False,
        when: str | None = None,
        interval: int = 1,
        utc: bool = False,
        at_time: Any | None = None,
        roll_empty: bool = True,
        count_chars: bool = False,
    ) -> Self: ...
    @property
    def path(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def encoding(self) -> str | None: ...
    @property
    def max_bytes(self) -> int: ...
    @property
    def backup_count(self) -> int: ...
    @property
    def rollover_at(self) -> int | None: ...
    def tell(self) -> int: ...
    def fileno(self) -> int: ...
    def reopen(self) -> None: ...
    def rotate(self) -> None: ...

@final
class AsyncStream(AsyncWriter):
    """A raw file descriptor (e.g. 1 or 2) written by a worker thread."""

    def __new__(
        cls,
        fd: int,
        *,
        encoding: str | None = None,
        errors: str | None = None,
        capacity: int = ...,
        overflow: str = "block",
        timeout: float | None = None,
        queue_bytes: int = 67108864,
    ) -> Self: ...
    def fileno(self) -> int: ...

@final
class AsyncSocket(AsyncWriter):
    """A tcp/udp/unix/unix_dgram socket written by a worker thread (drops while a peer is down)."""

    def __new__(
        cls,
        kind: str,
        address: tuple[str | None, int] | str | Any,
        *,
        capacity: int = ...,
        overflow: str = "block",
        timeout: float | None = None,
        queue_bytes: int = 67108864,
        retry_start: float = ...,
        retry_factor: float = ...,
        retry_max: float = ...,
    ) -> Self: ...
    @property
    def kind(self) -> str: ...
    @property
    def address(self) -> Any: ...
    @property
    def retry_at(self) -> float | None: ...
    @property
    def connected(self) -> bool: ...
    def set_retry(self, start: float, factor: float, max: float) -> None: ...

class FramedSocket(AsyncWriter):
    """Sends each record as a length-prefixed MessagePack map (TCP, TLS or Unix stream socket)."""

    def __new__(
        cls,
        host: str | None = None,
        port: int = 0,
        *,
        unix_path: str | None = None,
        capacity: int = ...,
        overflow: str = "drop",
        timeout: float | None = None,
        max_frame_size: int = ...,
        connect_timeout_ms: int = 5000,
        write_timeout_ms: int = 1000,
        backoff: tuple[int, int, int, int | None] = ...,
        tls_server_name: str | None = None,
        tls_ca_file: str | None = None,
        tls_insecure: bool = False,
    ) -> Self: ...
    @property
    def connected(self) -> bool: ...
    @property
    def frames_sent(self) -> int: ...
    @property
    def oversized(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def destination(self) -> str: ...

_WIRE_FORMAT: str

def _decode_frames(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """Decode the complete frames at the start of ``data``: ``(records, bytes_used)``."""

def _count_frames(data: bytes) -> tuple[int, int]:
    """Count the complete frames at the start of ``data``: ``(count, bytes_used)``."""

def _encode_frame(
    logger: str, level: str, message: str, timestamp_ns: int = 0, filename: str = "",
    line_number: int = 0, module_path: str = "",
) -> bytes:
    """Encode one record into a frame."""

def _flush_within(writer: AsyncWriter, seconds: float) -> bool:
    """Flush ``writer`` waiting at most ``seconds``; True when done in time."""

# ---------------------------------------------------------------------------
# Module functions
# ---------------------------------------------------------------------------

def flush_all() -> None:
    """Flush every live asynchronous writer (raises the first ``OSError`` after trying all)."""

def close_all() -> None:
    """Close every live asynchronous writer (raises the first ``OSError`` after trying all)."""

def before_fork() -> None:
    """Flush every writer, keeping stored errors (not called by the facade at fork)."""

_NATIVE_WATCHERS: bool
"""True when the engine notices class and namespace changes itself (CPython 3.12+)."""

def _set_class_watcher(meta: type) -> None: ...
def _watch_instances(cls: type) -> None: ...
def _bump_epoch() -> None: ...
def _overrides(cls: type, base: type, names: tuple[str, ...]) -> bool: ...

def dropped_total() -> int:
    """Records dropped or lost to I/O errors so far by every writer of this process."""

def flush_on(level: int) -> int:
    """Records at or above ``level`` are written before the logging call returns; returns the old level."""

def flush_level() -> int:
    """The level set by ``flush_on`` (default 40, ``ERROR``)."""

def set_sync(enabled: bool) -> bool:
    """Synchronous delivery on or off (``FEMTOLOGGING_SYNC=1``); returns the old setting."""

def is_sync() -> bool:
    """Whether synchronous delivery is on."""

def _os_exit(status: int, /) -> NoReturn: ...

def _install_level_methods(cls: type) -> None: ...
def _adapter_log(adapter: Any, level: int, msg: object, args: tuple[object, ...],
                 kwargs: dict[str, Any] | None, via_log: bool = True) -> None: ...
def _register_adapter(cls: type) -> None: ...
def _bind(namespace: dict[str, Any], start_time: float) -> None: ...
def _set_disable(level: int) -> None: ...
def _clear_cache() -> None: ...
def _set_internal_files(files: Iterable[str]) -> None: ...
def _register_native_handlers(*types: type) -> None: ...
def _register_formatted_handlers(*types: type) -> None: ...
def _register_stream_handlers(*types: type) -> None: ...
def _format_exception(etype: object, value: object, tb: object) -> str: ...
def _traceback_cache_clear() -> None: ...
def _traceback_cache_len() -> int: ...
def _register_formatter_types(formatter: type, percent: type, brace: type, template: type) -> None: ...
