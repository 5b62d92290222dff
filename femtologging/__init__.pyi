"""Type stubs of :mod:`femtologging`: the standard ``logging`` API on a Rust core.

The public classes and functions have the same signatures as the standard library's
``logging`` module (CPython 3.11). ``Logger`` and ``Formatter`` derive from the native
``_LoggerCore`` and ``FormatterCore`` classes of ``femtologging._femtologging``.
"""

import sys
import threading
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from string import Template
from time import struct_time
from types import FrameType, GenericAlias, TracebackType
from typing import (
    Any,
    ClassVar,
    Final,
    Generic,
    Literal,
    Protocol,
    TextIO,
    TypeAlias,
    TypeVar,
    overload,
)

from ._femtologging import FormatterCore, LogRecord as LogRecord, _LoggerCore
from ._femtologging import (
    dropped_total as dropped_total,
    flush_on as flush_on,
    is_sync as is_sync,
    set_sync as set_sync,
)

__all__ = [
    "BASIC_FORMAT",
    "BufferingFormatter",
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "FATAL",
    "FileHandler",
    "Filter",
    "Formatter",
    "Handler",
    "INFO",
    "LogRecord",
    "Logger",
    "LoggerAdapter",
    "NOTSET",
    "NullHandler",
    "StreamHandler",
    "WARN",
    "WARNING",
    "addLevelName",
    "basicConfig",
    "captureWarnings",
    "critical",
    "debug",
    "disable",
    "error",
    "exception",
    "fatal",
    "getLevelName",
    "getLogger",
    "getLoggerClass",
    "info",
    "log",
    "makeLogRecord",
    "setLoggerClass",
    "shutdown",
    "warn",
    "warning",
    "getLogRecordFactory",
    "setLogRecordFactory",
    "lastResort",
    "raiseExceptions",
    "getLevelNamesMapping",
]
if sys.version_info >= (3, 12):
    __all__ += ["getHandlerByName", "getHandlerNames"]

__author__: str
__status__: str
__version__: str
__date__: str

# ---------------------------------------------------------------------------
# Shared aliases
# ---------------------------------------------------------------------------

_SysExcInfoType: TypeAlias = (
    tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
)
_ExcInfoType: TypeAlias = None | bool | _SysExcInfoType | BaseException
_ArgsType: TypeAlias = tuple[object, ...] | Mapping[str, object]
_Level: TypeAlias = int | str
_FormatStyle: TypeAlias = Literal["%", "{", "$"]

class _SupportsFilter(Protocol):
    def filter(self, record: LogRecord, /) -> bool | LogRecord: ...

_FilterType: TypeAlias = Filter | Callable[[LogRecord], bool | LogRecord] | _SupportsFilter

class _SupportsWrite(Protocol):
    def write(self, s: str, /) -> object: ...

_StreamT = TypeVar("_StreamT", bound=_SupportsWrite)
_L = TypeVar("_L", bound=Logger | LoggerAdapter[Any])

# ---------------------------------------------------------------------------
# Module-level switches and constants
# ---------------------------------------------------------------------------

raiseExceptions: bool
logThreads: bool
logMultiprocessing: bool
logProcesses: bool
if sys.version_info >= (3, 12):
    logAsyncioTasks: bool
_srcfile: str | None
if sys.version_info >= (3, 13):
    _startTime: int  # nanoseconds (time.time_ns())
    def _prepareFork() -> None: ...
    def _afterFork() -> None: ...
else:
    _startTime: float

CRITICAL: Final = 50
FATAL: Final = 50
ERROR: Final = 40
WARNING: Final = 30
WARN: Final = 30
INFO: Final = 20
DEBUG: Final = 10
NOTSET: Final = 0

BASIC_FORMAT: Final[str]

_levelToName: dict[int, str]
_nameToLevel: dict[str, int]
_lock: threading.RLock

def _acquireLock() -> None: ...
def _releaseLock() -> None: ...
def _checkLevel(level: _Level) -> int: ...

# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------

class Filter:
    """Passes records from the logger called ``name`` and its descendants."""

    name: str
    nlen: int
    def __init__(self, name: str = "") -> None: ...
    def filter(self, record: LogRecord) -> bool | LogRecord: ...

class Filterer:
    """Holds a list of filters (objects with ``filter`` or plain callables)."""

    filters: list[_FilterType]
    def addFilter(self, filter: _FilterType) -> None: ...
    def removeFilter(self, filter: _FilterType) -> None: ...
    def filter(self, record: LogRecord) -> bool | LogRecord: ...

# ---------------------------------------------------------------------------
# Loggers
# ---------------------------------------------------------------------------

class Manager:
    """The logger hierarchy: names to loggers and placeholders, and ``disable``."""

    root: RootLogger
    emittedNoHandlerWarning: bool
    loggerDict: dict[str, Logger | PlaceHolder]
    loggerClass: type[Logger] | None
    logRecordFactory: Callable[..., LogRecord] | None
    def __init__(self, rootnode: RootLogger) -> None: ...
    @property
    def disable(self) -> int: ...
    @disable.setter
    def disable(self, value: _Level) -> None: ...
    def getLogger(self, name: str) -> Logger: ...
    def setLoggerClass(self, klass: type[Logger]) -> None: ...
    def setLogRecordFactory(self, factory: Callable[..., LogRecord]) -> None: ...
    def _clear_cache(self) -> None: ...

class PlaceHolder:
    """Stands in the hierarchy for a dotted name no logger has claimed yet."""

    loggerMap: dict[Logger, None]
    def __init__(self, alogger: Logger) -> None: ...
    def append(self, alogger: Logger) -> None: ...

class Logger(_LoggerCore, Filterer):
    """A named channel for records; level methods, records and dispatch are native."""

    name: str
    level: int
    parent: Logger | None
    propagate: bool
    handlers: list[Handler]
    disabled: bool
    root: ClassVar[RootLogger]
    manager: Manager
    def __init__(self, name: str, level: _Level = 0) -> None: ...
    def setLevel(self, level: _Level) -> None: ...
    def warn(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
    ) -> None: ...
    def addHandler(self, hdlr: Handler) -> None: ...
    def removeHandler(self, hdlr: Handler) -> None: ...
    def hasHandlers(self) -> bool: ...
    def getChild(self, suffix: str) -> Logger: ...
    if sys.version_info >= (3, 12):
        def getChildren(self) -> set[Logger]: ...
    def __reduce__(self) -> tuple[Callable[..., Logger], tuple[str, ...]]: ...

class RootLogger(Logger):
    """The logger at the top of the hierarchy, called ``root``."""

    def __init__(self, level: int) -> None: ...

root: RootLogger

class LoggerAdapter(Generic[_L]):
    """Wraps a logger (or adapter) to add contextual ``extra`` to every record."""

    logger: _L
    manager: Manager
    extra: Mapping[str, object] | None
    if sys.version_info >= (3, 13):
        merge_extra: bool
        def __init__(
            self, logger: _L, extra: Mapping[str, object] | None = None, merge_extra: bool = False
        ) -> None: ...
    else:
        def __init__(self, logger: _L, extra: Mapping[str, object] | None = None) -> None: ...
    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]: ...
    def debug(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None: ...
    def info(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None: ...
    def warning(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None: ...
    def warn(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None: ...
    def error(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None: ...
    def exception(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = True,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None: ...
    def critical(
        self,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None: ...
    def log(
        self,
        level: int,
        msg: object,
        *args: object,
        exc_info: _ExcInfoType = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None: ...
    def isEnabledFor(self, level: int) -> bool: ...
    def getEffectiveLevel(self) -> int: ...
    def setLevel(self, level: _Level) -> None: ...
    def hasHandlers(self) -> bool: ...
    def _log(
        self,
        level: int,
        msg: object,
        args: _ArgsType,
        exc_info: _ExcInfoType | None = None,
        extra: Mapping[str, object] | None = None,
        stack_info: bool = False,
    ) -> None: ...
    @property
    def name(self) -> str: ...
    def __class_getitem__(cls, item: Any, /) -> GenericAlias: ...

def getLogger(name: str | None = None) -> Logger: ...

if sys.version_info >= (3, 12):
    def getHandlerByName(name: str) -> Handler | None: ...
    def getHandlerNames() -> frozenset[str]: ...

def getLoggerClass() -> type[Logger]: ...
def setLoggerClass(klass: type[Logger]) -> None: ...
def getLogRecordFactory() -> Callable[..., LogRecord]: ...
def setLogRecordFactory(factory: Callable[..., LogRecord]) -> None: ...
def makeLogRecord(dict: Mapping[str, object]) -> LogRecord: ...
def currentframe() -> FrameType: ...

# ---------------------------------------------------------------------------
# Module-level logging functions (on the root logger)
# ---------------------------------------------------------------------------

def debug(
    msg: object,
    *args: object,
    exc_info: _ExcInfoType = None,
    stack_info: bool = False,
    stacklevel: int = 1,
    extra: Mapping[str, object] | None = None,
) -> None: ...
def info(
    msg: object,
    *args: object,
    exc_info: _ExcInfoType = None,
    stack_info: bool = False,
    stacklevel: int = 1,
    extra: Mapping[str, object] | None = None,
) -> None: ...
def warning(
    msg: object,
    *args: object,
    exc_info: _ExcInfoType = None,
    stack_info: bool = False,
    stacklevel: int = 1,
    extra: Mapping[str, object] | None = None,
) -> None: ...
def warn(
    msg: object,
    *args: object,
    exc_info: _ExcInfoType = None,
    stack_info: bool = False,
    stacklevel: int = 1,
    extra: Mapping[str, object] | None = None,
) -> None: ...
def error(
    msg: object,
    *args: object,
    exc_info: _ExcInfoType = None,
    stack_info: bool = False,
    stacklevel: int = 1,
    extra: Mapping[str, object] | None = None,
) -> None: ...
def exception(
    msg: object,
    *args: object,
    exc_info: _ExcInfoType = True,
    stack_info: bool = False,
    stacklevel: int = 1,
    extra: Mapping[str, object] | None = None,
) -> None: ...
def critical(
    msg: object,
    *args: object,
    exc_info: _ExcInfoType = None,
    stack_info: bool = False,
    stacklevel: int = 1,
    extra: Mapping[str, object] | None = None,
) -> None: ...
def fatal(
    msg: object,
    *args: object,
    exc_info: _ExcInfoType = None,
    stack_info: bool = False,
    stacklevel: int = 1,
    extra: Mapping[str, object] | None = None,
) -> None: ...
def log(
    level: int,
    msg: object,
    *args: object,
    exc_info: _ExcInfoType = None,
    stack_info: bool = False,
    stacklevel: int = 1,
    extra: Mapping[str, object] | None = None,
) -> None: ...

# ---------------------------------------------------------------------------
# Levels
# ---------------------------------------------------------------------------

def addLevelName(level: int, levelName: str) -> None: ...
@overload
def getLevelName(level: int) -> str: ...
@overload
def getLevelName(level: str) -> Any: ...
def getLevelNamesMapping() -> dict[str, int]: ...
def disable(level: _Level = 50) -> None: ...

# ---------------------------------------------------------------------------
# Formatters
# ---------------------------------------------------------------------------

class PercentStyle:
    """``%(name)s``-style formatting."""

    default_format: str
    asctime_format: str
    asctime_search: str
    validation_pattern: Any
    _fmt: str
    _defaults: Mapping[str, object] | None
    def __init__(self, fmt: str | None, *, defaults: Mapping[str, object] | None = None) -> None: ...
    def usesTime(self) -> bool: ...
    def validate(self) -> None: ...
    def format(self, record: LogRecord) -> str: ...
    def _format(self, record: LogRecord) -> str: ...

class StrFormatStyle(PercentStyle):
    """``{name}``-style formatting with :meth:`str.format`."""

    fmt_spec: Any
    field_spec: Any

class StringTemplateStyle(PercentStyle):
    """``$name``-style formatting with :class:`string.Template`."""

    _tpl: Template

_STYLES: Final[dict[str, tuple[type[PercentStyle], str]]]

class Formatter(FormatterCore):
    """Turns a ``LogRecord`` into text; the layout is parsed once and rendered natively."""

    converter: Callable[[float | None], struct_time]
    _fmt: str | None
    datefmt: str | None
    _style: PercentStyle
    default_time_format: str
    default_msec_format: str | None
    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: _FormatStyle = "%",
        validate: bool = True,
        *,
        defaults: Mapping[str, object] | None = None,
    ) -> None: ...

_defaultFormatter: Formatter

class BufferingFormatter:
    """Formats a batch of records: a header, each record with ``linefmt``, a footer."""

    linefmt: Formatter
    def __init__(self, linefmt: Formatter | None = None) -> None: ...
    def formatHeader(self, records: list[LogRecord]) -> str: ...
    def formatFooter(self, records: list[LogRecord]) -> str: ...
    def format(self, records: list[LogRecord]) -> str: ...

# ---------------------------------------------------------------------------
# Handlers
# ---------------------------------------------------------------------------

class Handler(Filterer):
    """Base of handlers: a level, a formatter, filters, a lock and ``emit``."""

    level: int
    formatter: Formatter | None
    lock: threading.RLock | None
    name: str | None
    def __init__(self, level: _Level = 0) -> None: ...
    def get_name(self) -> str | None: ...
    def set_name(self, name: str | None) -> None: ...
    def createLock(self) -> None: ...
    def acquire(self) -> None: ...
    def release(self) -> None: ...
    def setLevel(self, level: _Level) -> None: ...
    def setFormatter(self, fmt: Formatter | None) -> None: ...
    def format(self, record: LogRecord) -> str: ...
    def emit(self, record: LogRecord) -> None: ...
    def handle(self, record: LogRecord) -> bool | LogRecord: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def handleError(self, record: LogRecord) -> None: ...
    def _at_fork_reinit(self) -> None: ...

class StreamHandler(Handler, Generic[_StreamT]):
    """Writes each formatted record plus ``terminator`` to a stream (default ``sys.stderr``)."""

    stream: _StreamT
    terminator: str
    @overload
    def __init__(self: StreamHandler[TextIO], stream: None = None) -> None: ...
    @overload
    def __init__(self: StreamHandler[_StreamT], stream: _StreamT) -> None: ...
    def setStream(self, stream: _StreamT) -> _StreamT | None: ...
    def set_overflow(
        self,
        policy: Literal["block", "drop", "timeout"] = "block",
        timeout: float | None = None,
        capacity: int | None = None,
    ) -> None:
        """femtologging: what the handler's native writers do when their queue is full."""
    @property
    def dropped(self) -> int:
        """femtologging: records dropped by the overflow policy (0 with ``'block'``)."""
    def __class_getitem__(cls, item: Any, /) -> GenericAlias: ...

class FileHandler(StreamHandler[Any]):
    """Writes formatted records to a file through a native asynchronous writer."""

    baseFilename: str
    mode: str
    encoding: str | None
    delay: bool
    errors: str | None
    def __init__(
        self,
        filename: str | Any,
        mode: str = "a",
        encoding: str | None = None,
        delay: bool = False,
        errors: str | None = None,
    ) -> None: ...
    def _open(self) -> Any: ...

class NullHandler(Handler):
    """Does nothing: gives a library a handler without producing output."""

class _StderrHandler(StreamHandler[TextIO]):
    def __init__(self, level: _Level = 0) -> None: ...
    @property
    def stream(self) -> TextIO: ...  # type: ignore[override]

lastResort: Handler | None
_defaultLastResort: Handler
_handlers: MutableMapping[str, Handler]
_handlerList: list[Any]

# ---------------------------------------------------------------------------
# Configuration, shutdown, warnings
# ---------------------------------------------------------------------------

def basicConfig(
    *,
    filename: str | Any | None = ...,
    filemode: str = ...,
    format: str = ...,
    datefmt: str | None = ...,
    style: _FormatStyle = ...,
    level: _Level | None = ...,
    stream: _SupportsWrite | None = ...,
    handlers: Iterable[Handler] | None = ...,
    force: bool | None = ...,
    encoding: str | None = ...,
    errors: str | None = ...,
) -> None: ...
def shutdown(handlerList: list[Any] = ...) -> None: ...
def captureWarnings(capture: bool) -> None: ...
def install() -> None: ...
def uninstall() -> None: ...

# The femtologging-native API (see _native_api.pyi).
from ._native_api import (
    BackoffConfig as BackoffConfig,
    ConfigBuilder as ConfigBuilder,
    FemtoFileHandler as FemtoFileHandler,
    FemtoLogger as FemtoLogger,
    FemtoRotatingFileHandler as FemtoRotatingFileHandler,
    FemtoSocketHandler as FemtoSocketHandler,
    FemtoStreamHandler as FemtoStreamHandler,
    FemtoTimedRotatingFileHandler as FemtoTimedRotatingFileHandler,
    FileHandlerBuilder as FileHandlerBuilder,
    FilterBuildError as FilterBuildError,
    FormatterBuilder as FormatterBuilder,
    HandlerConfigError as HandlerConfigError,
    HandlerIOError as HandlerIOError,
    HandlerOptions as HandlerOptions,
    LevelFilterBuilder as LevelFilterBuilder,
    LoggerConfigBuilder as LoggerConfigBuilder,
    NameFilterBuilder as NameFilterBuilder,
    OverflowPolicy as OverflowPolicy,
    PythonHandler as PythonHandler,
    RotatingFileHandlerBuilder as RotatingFileHandlerBuilder,
    SocketHandlerBuilder as SocketHandlerBuilder,
    StreamHandlerBuilder as StreamHandlerBuilder,
    get_logger as get_logger,
    reset_manager as reset_manager,
)
