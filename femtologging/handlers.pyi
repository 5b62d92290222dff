"""Type stubs of :mod:`femtologging.handlers` (the standard ``logging.handlers`` API)."""

import datetime
import http.client
import re
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from queue import Queue, SimpleQueue
from typing import Any, ClassVar, Final, Protocol, TypeAlias

from . import FileHandler, Handler, LogRecord

DEFAULT_TCP_LOGGING_PORT: Final[int]
DEFAULT_UDP_LOGGING_PORT: Final[int]
DEFAULT_HTTP_LOGGING_PORT: Final[int]
DEFAULT_SOAP_LOGGING_PORT: Final[int]
SYSLOG_UDP_PORT: Final[int]
SYSLOG_TCP_PORT: Final[int]

if sys.version_info < (3, 13):
    from stat import ST_DEV as ST_DEV, ST_INO as ST_INO, ST_MTIME as ST_MTIME

_Address: TypeAlias = tuple[str, int] | str

class _QueueLike(Protocol):
    def get(self, block: bool = ..., /) -> Any: ...
    def put_nowait(self, item: Any, /) -> None: ...

_AnyQueue: TypeAlias = Queue[Any] | SimpleQueue[Any] | _QueueLike

# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

class BaseRotatingHandler(FileHandler):
    """A file handler that switches to a new file when ``shouldRollover`` says so."""

    namer: Callable[[str], str] | None
    rotator: Callable[[str, str], None] | None
    def __init__(
        self,
        filename: str | Any,
        mode: str,
        encoding: str | None = None,
        delay: bool = False,
        errors: str | None = None,
    ) -> None: ...
    def rotation_filename(self, default_name: str) -> str: ...
    def rotate(self, source: str, dest: str) -> None: ...

class RotatingFileHandler(BaseRotatingHandler):
    """Rolls over when the file would reach ``maxBytes``; keeps ``backupCount`` backups."""

    maxBytes: int
    backupCount: int
    def __init__(
        self,
        filename: str | Any,
        mode: str = "a",
        maxBytes: int = 0,
        backupCount: int = 0,
        encoding: str | None = None,
        delay: bool = False,
        errors: str | None = None,
    ) -> None: ...
    def doRollover(self) -> None: ...
    def shouldRollover(self, record: LogRecord) -> bool: ...

class TimedRotatingFileHandler(BaseRotatingHandler):
    """Rolls over at timed intervals (``S``, ``M``, ``H``, ``D``, ``midnight``, ``W0``-``W6``)."""

    when: str
    backupCount: int
    utc: bool
    atTime: datetime.time | None
    interval: int
    suffix: str
    dayOfWeek: int
    rolloverAt: int
    extMatch: re.Pattern[str]
    def __init__(
        self,
        filename: str | Any,
        when: str = "h",
        interval: int = 1,
        backupCount: int = 0,
        encoding: str | None = None,
        delay: bool = False,
        utc: bool = False,
        atTime: datetime.time | None = None,
        errors: str | None = None,
    ) -> None: ...
    def computeRollover(self, currentTime: int) -> int: ...
    def shouldRollover(self, record: LogRecord) -> bool: ...
    def getFilesToDelete(self) -> list[str]: ...
    def doRollover(self) -> None: ...

class WatchedFileHandler(FileHandler):
    """Reopens its file when the path stops naming the open file (external rotation)."""

    dev: int
    ino: int
    def __init__(
        self,
        filename: str | Any,
        mode: str = "a",
        encoding: str | None = None,
        delay: bool = False,
        errors: str | None = None,
    ) -> None: ...
    def _statstream(self) -> None: ...
    def reopenIfNeeded(self) -> None: ...

# ---------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------

class SocketHandler(Handler):
    def set_overflow(self, policy: str = 'block', timeout: float | None = None, capacity: int | None = None) -> None: ...
    @property
    def dropped(self) -> int: ...
    """Sends length-prefixed pickles of records' attribute dicts over a stream socket."""

    host: str
    port: int | None
    address: tuple[str, int] | str
    sock: socket.socket | None
    closeOnError: bool
    retryTime: float | None
    retryStart: float
    retryFactor: float
    retryMax: float
    retryPeriod: float
    def __init__(self, host: str, port: int | None) -> None: ...
    def makeSocket(self, timeout: float = 1) -> socket.socket: ...
    def createSocket(self) -> None: ...
    def send(self, s: bytes) -> None: ...
    def makePickle(self, record: LogRecord) -> bytes: ...

class DatagramHandler(SocketHandler):
    """Sends pickled records as datagrams (UDP, or a Unix datagram socket)."""

    def makeSocket(self) -> socket.socket: ...  # type: ignore[override]

class SysLogHandler(Handler):
    def set_overflow(self, policy: str = 'block', timeout: float | None = None, capacity: int | None = None) -> None: ...
    @property
    def dropped(self) -> int: ...
    """Sends records to a syslog daemon over UDP, TCP or a Unix socket."""

    LOG_EMERG: int
    LOG_ALERT: int
    LOG_CRIT: int
    LOG_ERR: int
    LOG_WARNING: int
    LOG_NOTICE: int
    LOG_INFO: int
    LOG_DEBUG: int
    LOG_KERN: int
    LOG_USER: int
    LOG_MAIL: int
    LOG_DAEMON: int
    LOG_AUTH: int
    LOG_SYSLOG: int
    LOG_LPR: int
    LOG_NEWS: int
    LOG_UUCP: int
    LOG_CRON: int
    LOG_AUTHPRIV: int
    LOG_FTP: int
    LOG_NTP: int
    LOG_SECURITY: int
    LOG_CONSOLE: int
    LOG_SOLCRON: int
    LOG_LOCAL0: int
    LOG_LOCAL1: int
    LOG_LOCAL2: int
    LOG_LOCAL3: int
    LOG_LOCAL4: int
    LOG_LOCAL5: int
    LOG_LOCAL6: int
    LOG_LOCAL7: int
    priority_names: ClassVar[dict[str, int]]
    facility_names: ClassVar[dict[str, int]]
    priority_map: ClassVar[dict[str, str]]
    ident: str
    append_nul: bool
    address: _Address
    facility: int | str
    socktype: int | None
    socket: socket.socket | None
    unixsocket: bool
    def __init__(
        self,
        address: _Address = ("localhost", 514),
        facility: int | str = 1,
        socktype: int | None = None,
    ) -> None: ...
    def createSocket(self) -> None: ...
    def encodePriority(self, facility: int | str, priority: int | str) -> int: ...
    def mapPriority(self, levelName: str) -> str: ...

class SMTPHandler(Handler):
    """Mails each formatted record."""

    mailhost: str
    mailport: int | None
    username: str | None
    password: str
    fromaddr: str
    toaddrs: list[str]
    subject: str
    secure: tuple[()] | tuple[str] | tuple[str, str] | None
    timeout: float
    def __init__(
        self,
        mailhost: str | tuple[str, int],
        fromaddr: str,
        toaddrs: str | list[str],
        subject: str,
        credentials: tuple[str, str] | None = None,
        secure: tuple[()] | tuple[str] | tuple[str, str] | None = None,
        timeout: float = 5.0,
    ) -> None: ...
    def getSubject(self, record: LogRecord) -> str: ...

class NTEventLogHandler(Handler):
    """Writes records to the Windows NT event log (needs pywin32; a no-op without it)."""

    appname: str
    dllname: str
    logtype: str
    deftype: int
    typemap: dict[int, int]
    def __init__(self, appname: str, dllname: str | None = None, logtype: str = "Application") -> None: ...
    def getMessageID(self, record: LogRecord) -> int: ...
    def getEventCategory(self, record: LogRecord) -> int: ...
    def getEventType(self, record: LogRecord) -> int: ...

class HTTPHandler(Handler):
    """Sends each record's attributes to a web server by GET or POST."""

    host: str
    url: str
    method: str
    secure: bool
    credentials: tuple[str, str] | None
    context: ssl.SSLContext | None
    def __init__(
        self,
        host: str,
        url: str,
        method: str = "GET",
        secure: bool = False,
        credentials: tuple[str, str] | None = None,
        context: ssl.SSLContext | None = None,
    ) -> None: ...
    def mapLogRecord(self, record: LogRecord) -> dict[str, Any]: ...
    def getConnection(self, host: str, secure: bool) -> http.client.HTTPConnection: ...

# ---------------------------------------------------------------------------
# Buffering and queues
# ---------------------------------------------------------------------------

class BufferingHandler(Handler):
    """Keeps records in ``buffer``; flushes when ``shouldFlush`` says so."""

    capacity: int
    buffer: list[LogRecord]
    def __init__(self, capacity: int) -> None: ...
    def shouldFlush(self, record: LogRecord) -> bool: ...

class MemoryHandler(BufferingHandler):
    """Buffers records and hands them to ``target`` when full or on a severe record."""

    flushLevel: int
    target: Handler | None
    flushOnClose: bool
    def __init__(
        self,
        capacity: int,
        flushLevel: int = 40,
        target: Handler | None = None,
        flushOnClose: bool = True,
    ) -> None: ...
    def setTarget(self, target: Handler | None) -> None: ...

class QueueHandler(Handler):
    """Puts prepared (picklable) records on a queue."""

    queue: _AnyQueue
    listener: QueueListener | None
    def __init__(self, queue: _AnyQueue) -> None: ...
    def enqueue(self, record: LogRecord) -> None: ...
    def prepare(self, record: LogRecord) -> Any: ...

class QueueListener:
    """Takes records off a queue on a thread and passes them to handlers."""

    _sentinel: ClassVar[None]
    queue: _AnyQueue
    handlers: tuple[Handler, ...]
    respect_handler_level: bool
    _thread: threading.Thread | None
    def __init__(self, queue: _AnyQueue, *handlers: Handler, respect_handler_level: bool = False) -> None: ...
    def dequeue(self, block: bool) -> LogRecord: ...
    def prepare(self, record: LogRecord) -> Any: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def enqueue_sentinel(self) -> None: ...
    def handle(self, record: LogRecord) -> None: ...
