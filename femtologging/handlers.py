"""Extra handlers: femtologging's equivalent of the standard ``logging.handlers``.

Every class here follows the documented behaviour of the standard library
module of the same name.  The core package is reached only through its public,
stdlib-shaped names and only at call time (``femtologging.X``), so tests that
patch attributes of the package (``raiseExceptions`` and friends) are honoured.

Network I/O lives in small methods (``send``, ``makeSocket``, ``createSocket``)
so that a native implementation can replace them without touching the rest.
"""

import copy
import io
import os
import pickle
import queue
import re
import socket
import struct
import threading
import time

import femtologging

# Default ports of the reference socket/datagram/http/syslog protocols.
DEFAULT_TCP_LOGGING_PORT = 9020
DEFAULT_UDP_LOGGING_PORT = 9021
DEFAULT_HTTP_LOGGING_PORT = 9022
DEFAULT_SOAP_LOGGING_PORT = 9023
SYSLOG_UDP_PORT = 514
SYSLOG_TCP_PORT = 514

# Seconds in one day.
_MIDNIGHT = 24 * 60 * 60


# Attributes every LogRecord has.  A native record may keep them outside its
# ``__dict__``, so they are read one by one when a record is serialised.
_RECORD_FIELDS = (
    'name', 'msg', 'args', 'levelname', 'levelno', 'pathname', 'filename',
    'module', 'exc_info', 'exc_text', 'stack_info', 'lineno', 'funcName',
    'created', 'msecs', 'relativeCreated', 'thread', 'threadName',
    'processName', 'process', 'taskName',
)
_MISSING = object()


def _record_state(record):
    """Return a new dict of all of *record*'s attributes (standard and extra)."""
    state = {}
    for field in _RECORD_FIELDS:
        value = getattr(record, field, _MISSING)
        if value is not _MISSING:
            state[field] = value
    state.update(vars(record))
    return state


def _is_special_file(path):
    """True when *path* exists but is not a regular file (never rotate it)."""
    return os.path.exists(path) and not os.path.isfile(path)


# ---------------------------------------------------------------------------
# Rotating files
# ---------------------------------------------------------------------------

class BaseRotatingHandler(femtologging.FileHandler):
    """Base class for file handlers that switch to a new file on a condition.

    Subclasses implement ``shouldRollover(record)`` and ``doRollover()``.
    ``namer`` (callable taking the default name) and ``rotator`` (callable
    taking source and destination) customise how old files are named/moved.
    """

    namer = None
    rotator = None

    def __init__(self, filename, mode, encoding=None, delay=False, errors=None):
        femtologging.FileHandler.__init__(self, filename, mode=mode,
                                          encoding=encoding, delay=delay,
                                          errors=errors)
        self.mode = mode
        self.encoding = encoding
        self.errors = errors

    def emit(self, record):
        """Roll the file over if needed, then write *record* to it."""
        try:
            if self.shouldRollover(record):
                self.doRollover()
            femtologging.FileHandler.emit(self, record)
        except Exception:
            self.handleError(record)

    def rotation_filename(self, default_name):
        """Return the name a rotated file gets (``namer`` may change it)."""
        namer = self.namer
        if callable(namer):
            return namer(default_name)
        return default_name

    def rotate(self, source, dest):
        """Move *source* to *dest*, or hand both to ``rotator`` if set."""
        rotator = self.rotator
        if callable(rotator):
            rotator(source, dest)
        elif os.path.exists(source):
            os.rename(source, dest)

    def _close_stream(self):
        stream = self.stream
        if stream:
            self.stream = None
            stream.close()

    def _reopen_unless_delayed(self):
        if not self.delay:
            self.stream = self._open()


class RotatingFileHandler(BaseRotatingHandler):
    """Write to a file, starting a new one when it would exceed ``maxBytes``.

    Old files are kept as ``name.1`` ... ``name.<backupCount>`` (``.1`` is the
    newest).  With ``maxBytes == 0`` the file never rolls over.
    """

    def __init__(self, filename, mode='a', maxBytes=0, backupCount=0,
                 encoding=None, delay=False, errors=None):
        if maxBytes > 0:
            # Truncating on open would wipe what the previous run wrote.
            mode = 'a'
        if "b" not in mode:
            # Warns (under -X warn_default_encoding) at the caller, as stdlib does.
            encoding = io.text_encoding(encoding)
        BaseRotatingHandler.__init__(self, filename, mode, encoding=encoding,
                                     delay=delay, errors=errors)
        self.maxBytes = maxBytes
        self.backupCount = backupCount

    def _numbered(self, n):
        return self.rotation_filename("%s.%d" % (self.baseFilename, n))

    def doRollover(self):
        """Shift ``name.N`` to ``name.N+1``, move the live file to ``name.1``."""
        self._close_stream()
        if self.backupCount > 0:
            for n in reversed(range(1, self.backupCount)):
                older, newer = self._numbered(n), self._numbered(n + 1)
                if os.path.exists(older):
                    if os.path.exists(newer):
                        os.remove(newer)
                    os.rename(older, newer)
            first = self.rotation_filename(self.baseFilename + ".1")
            if os.path.exists(first):
                os.remove(first)
            self.rotate(self.baseFilename, first)
        self._reopen_unless_delayed()

    def shouldRollover(self, record):
        """True when writing *record* would take the file to ``maxBytes``."""
        if _is_special_file(self.baseFilename):
            return False
        if self.stream is None:
            self.stream = self._open()
        if self.maxBytes <= 0:
            return False
        line = "%s\n" % self.format(record)
        seek = getattr(self.stream, "seek", None)
        if seek is not None:
            seek(0, 2)
        return self.stream.tell() + len(line) >= self.maxBytes


# when -> (seconds per unit, strftime suffix, regex of the suffix)
_WHEN_TABLE = {
    'S': (1, "%Y-%m-%d_%H-%M-%S", r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}"),
    'M': (60, "%Y-%m-%d_%H-%M", r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}"),
    'H': (3600, "%Y-%m-%d_%H", r"\d{4}-\d{2}-\d{2}_\d{2}"),
    'D': (_MIDNIGHT, "%Y-%m-%d", r"\d{4}-\d{2}-\d{2}"),
    'MIDNIGHT': (_MIDNIGHT, "%Y-%m-%d", r"\d{4}-\d{2}-\d{2}"),
    'W': (7 * _MIDNIGHT, "%Y-%m-%d", r"\d{4}-\d{2}-\d{2}"),
}


class TimedRotatingFileHandler(BaseRotatingHandler):
    """Write to a file, starting a new one at timed intervals.

    ``when`` is one of ``S``, ``M``, ``H``, ``D`` (units of ``interval``),
    ``midnight`` or ``W0``..``W6`` (weekday, 0 is Monday), case-insensitive.
    ``atTime`` (a ``datetime.time``) sets the time of day for midnight/weekly
    rollover; ``utc`` uses UTC instead of local time.  Rotated files get a
    date suffix; at most ``backupCount`` of them are kept.
    """

    def __init__(self, filename, when='h', interval=1, backupCount=0,
                 encoding=None, delay=False, utc=False, atTime=None,
                 errors=None):
        encoding = io.text_encoding(encoding)
        BaseRotatingHandler.__init__(self, filename, 'a', encoding=encoding,
                                     delay=delay, errors=errors)
        self.when = when.upper()
        self.backupCount = backupCount
        self.utc = utc
        self.atTime = atTime
        key = self.when
        if key.startswith('W'):
            if len(key) != 2:
                raise ValueError("You must specify a day for weekly rollover "
                                 "from 0 to 6 (0 is Monday): %s" % self.when)
            if not ('0' <= key[1] <= '6'):
                raise ValueError("Invalid day specified for weekly rollover: %s"
                                 % self.when)
            self.dayOfWeek = int(key[1])
            key = 'W'
        if key not in _WHEN_TABLE:
            raise ValueError("Invalid rollover interval specified: %s" % self.when)
        unit, self.suffix, pattern = _WHEN_TABLE[key]
        self.extMatch = re.compile(r"^" + pattern + r"(\.\w+)?$", re.ASCII)
        self.interval = unit * interval
        if os.path.exists(self.baseFilename):
            start = int(os.stat(self.baseFilename).st_mtime)
        else:
            start = int(time.time())
        self.rolloverAt = self.computeRollover(start)

    def _timetuple(self, t):
        return time.gmtime(t) if self.utc else time.localtime(t)

    def _daily(self):
        return self.when == 'MIDNIGHT' or self.when.startswith('W')

    @staticmethod
    def _dst_shift(dst_before, dst_after):
        """Seconds to add when DST starts (-3600) or ends (+3600) in between."""
        if dst_before == dst_after:
            return 0
        return 3600 if dst_before else -3600

    def computeRollover(self, currentTime):
        """Return the time (seconds since the epoch) of the next rollover."""
        if not self._daily():
            return currentTime + self.interval
        tt = self._timetuple(currentTime)
        if self.atTime is None:
            target = _MIDNIGHT
        else:
            at = self.atTime
            target = at.hour * 3600 + at.minute * 60 + at.second
        now_secs = tt.tm_hour * 3600 + tt.tm_min * 60 + tt.tm_sec
        wait = target - now_secs
        weekday = tt.tm_wday
        if wait < 0:
            # Today's rollover time has passed: the next one is tomorrow.
            wait += _MIDNIGHT
            weekday = (weekday + 1) % 7
        result = currentTime + wait
        if self.when.startswith('W') and weekday != self.dayOfWeek:
            days = (self.dayOfWeek - weekday) % 7
            candidate = result + days * _MIDNIGHT
            if not self.utc:
                candidate += self._dst_shift(tt.tm_isdst,
                                             time.localtime(candidate).tm_isdst)
            result = candidate
        return result

    def shouldRollover(self, record):
        """True once the rollover time has been reached (record is unused)."""
        now = int(time.time())
        if now < self.rolloverAt:
            return False
        if _is_special_file(self.baseFilename):
            # Never rotate devices or pipes; just push the deadline forward.
            self.rolloverAt = self.computeRollover(now)
            return False
        return True

    def _is_ours(self, fileName, baseName, ext, plen):
        if self.namer is None:
            return fileName.startswith(baseName)
        # A namer may have put the date anywhere, e.g. ``app.DATE.log``.
        return (fileName.startswith(baseName) or not fileName.endswith(ext)
                or len(fileName) <= plen + 1 or fileName[plen + 1].isdigit())

    def getFilesToDelete(self):
        """Return the rotated files beyond ``backupCount``, oldest first."""
        dirName, baseName = os.path.split(self.baseFilename)
        stem, ext = os.path.splitext(baseName)
        prefix = stem + '.'
        plen = len(prefix)
        found = []
        for fileName in os.listdir(dirName):
            if not self._is_ours(fileName, baseName, ext, plen):
                continue
            if not fileName.startswith(prefix):
                continue
            if any(self.extMatch.match(part)
                   for part in fileName[plen:].split('.')):
                found.append(os.path.join(dirName, fileName))
        if len(found) < self.backupCount:
            return []
        found.sort()
        return found[:len(found) - self.backupCount]

    def doRollover(self):
        """Rename the file after the start of the interval it covers."""
        self._close_stream()
        now = int(time.time())
        dst_now = time.localtime(now).tm_isdst
        started = self.rolloverAt - self.interval
        tt = self._timetuple(started)
        if not self.utc:
            shift = self._dst_shift(tt.tm_isdst, dst_now)
            if shift:
                tt = time.localtime(started + shift)
        dest = self.rotation_filename(
            self.baseFilename + "." + time.strftime(self.suffix, tt))
        if os.path.exists(dest):
            os.remove(dest)
        self.rotate(self.baseFilename, dest)
        if self.backupCount > 0:
            for old in self.getFilesToDelete():
                os.remove(old)
        self._reopen_unless_delayed()
        nxt = self.computeRollover(now)
        while nxt <= now:
            nxt += self.interval
        if self._daily() and not self.utc:
            nxt += self._dst_shift(dst_now, time.localtime(nxt).tm_isdst)
        self.rolloverAt = nxt


class WatchedFileHandler(femtologging.FileHandler):
    """File handler that reopens its file when it was moved or deleted.

    Before each write the path is stat'ed; if its device/inode differ from the
    open file's (log rotation by an external tool), the file is reopened.
    """

    def __init__(self, filename, mode='a', encoding=None, delay=False,
                 errors=None):
        if "b" not in mode:
            encoding = io.text_encoding(encoding)
        femtologging.FileHandler.__init__(self, filename, mode=mode,
                                          encoding=encoding, delay=delay,
                                          errors=errors)
        self.dev, self.ino = -1, -1
        self._statstream()

    def _statstream(self):
        stream = self.stream
        if not stream:
            return
        st = None
        fileno = getattr(stream, "fileno", None)
        if fileno is not None:
            try:
                st = os.fstat(fileno())
            except (OSError, ValueError):
                st = None
        if st is None:
            # A stream without a usable descriptor: stat the path instead.
            try:
                st = os.stat(self.baseFilename)
            except OSError:
                return
        self.dev, self.ino = st.st_dev, st.st_ino

    def reopenIfNeeded(self):
        """Reopen the file if the path no longer names the open file."""
        try:
            st = os.stat(self.baseFilename)
        except FileNotFoundError:
            st = None
        if st is not None and (st.st_dev, st.st_ino) == (self.dev, self.ino):
            return
        if self.stream is None:
            return
        self.stream.flush()
        self.stream.close()
        self.stream = None
        self.stream = self._open()
        self._statstream()

    def emit(self, record):
        """Reopen the file if needed, then write *record*."""
        self.reopenIfNeeded()
        femtologging.FileHandler.emit(self, record)


# ---------------------------------------------------------------------------
# Network handlers
# ---------------------------------------------------------------------------

class SocketHandler(femtologging.Handler):
    """Send pickled records to a stream socket (TCP, or Unix if port is None).

    Wire format: a 4-byte big-endian length followed by a pickle of the
    record's attribute dict (message merged, ``args``/``exc_info`` cleared),
    readable by ``makeLogRecord`` at the other end.  Failed connections are
    retried with exponential backoff (``retryStart``, ``retryFactor``,
    ``retryMax``).
    """

    def __init__(self, host, port):
        femtologging.Handler.__init__(self)
        self.host = host
        self.port = port
        self.address = host if port is None else (host, port)
        self.sock = None
        self.closeOnError = False
        self.retryTime = None
        self.retryStart = 1.0
        self.retryMax = 30.0
        self.retryFactor = 2.0

    def makeSocket(self, timeout=1):
        """Return a connected stream socket (``timeout`` in seconds)."""
        if self.port is not None:
            return socket.create_connection(self.address, timeout=timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(self.address)
        except OSError:
            sock.close()
            raise
        return sock

    def createSocket(self):
        """Try to connect, unless still waiting out a retry delay."""
        now = time.time()
        if self.retryTime is not None and now < self.retryTime:
            return
        try:
            self.sock = self.makeSocket()
            self.retryTime = None
        except OSError:
            if self.retryTime is None:
                self.retryPeriod = self.retryStart
            else:
                self.retryPeriod = min(self.retryPeriod * self.retryFactor,
                                       self.retryMax)
            self.retryTime = now + self.retryPeriod

    def send(self, s):
        """Send bytes *s*, connecting first if needed; drop the socket on error."""
        if self.sock is None:
            self.createSocket()
        sock = self.sock
        if not sock:
            return
        try:
            sock.sendall(s)
        except OSError:
            sock.close()
            self.sock = None

    def makePickle(self, record):
        """Return the length-prefixed pickle of *record* sent on the wire."""
        if record.exc_info:
            # Formatting caches the traceback text in record.exc_text.
            self.format(record)
        state = _record_state(record)
        state['msg'] = record.getMessage()
        state['args'] = None
        state['exc_info'] = None
        state.pop('message', None)
        payload = pickle.dumps(state, 1)
        return struct.pack(">L", len(payload)) + payload

    def handleError(self, record):
        """Close the socket if ``closeOnError``, else report as usual."""
        if self.closeOnError and self.sock:
            self.sock.close()
            self.sock = None
        else:
            femtologging.Handler.handleError(self, record)

    def emit(self, record):
        """Pickle *record* and send it."""
        try:
            self.send(self.makePickle(record))
        except Exception:
            self.handleError(record)

    def close(self):
        """Close the socket and the handler."""
        self.acquire()
        try:
            sock, self.sock = self.sock, None
            if sock:
                sock.close()
            femtologging.Handler.close(self)
        finally:
            self.release()


class DatagramHandler(SocketHandler):
    """Send pickled records as datagrams (UDP, or Unix datagram if port is None)."""

    def __init__(self, host, port):
        SocketHandler.__init__(self, host, port)
        self.closeOnError = False

    def makeSocket(self):
        """Return an unconnected datagram socket of the right family."""
        family = socket.AF_UNIX if self.port is None else socket.AF_INET
        return socket.socket(family, socket.SOCK_DGRAM)

    def send(self, s):
        """Send one datagram holding *s* (the length prefix included)."""
        if self.sock is None:
            self.createSocket()
        self.sock.sendto(s, self.address)


class SysLogHandler(femtologging.Handler):
    """Send records to a syslog daemon (UDP, TCP or a Unix socket path)."""

    # priorities
    LOG_EMERG = 0
    LOG_ALERT = 1
    LOG_CRIT = 2
    LOG_ERR = 3
    LOG_WARNING = 4
    LOG_NOTICE = 5
    LOG_INFO = 6
    LOG_DEBUG = 7

    # facilities
    LOG_KERN = 0
    LOG_USER = 1
    LOG_MAIL = 2
    LOG_DAEMON = 3
    LOG_AUTH = 4
    LOG_SYSLOG = 5
    LOG_LPR = 6
    LOG_NEWS = 7
    LOG_UUCP = 8
    LOG_CRON = 9
    LOG_AUTHPRIV = 10
    LOG_FTP = 11
    LOG_NTP = 12
    LOG_SECURITY = 13
    LOG_CONSOLE = 14
    LOG_SOLCRON = 15
    LOG_LOCAL0 = 16
    LOG_LOCAL1 = 17
    LOG_LOCAL2 = 18
    LOG_LOCAL3 = 19
    LOG_LOCAL4 = 20
    LOG_LOCAL5 = 21
    LOG_LOCAL6 = 22
    LOG_LOCAL7 = 23

    priority_names = {
        "alert": LOG_ALERT, "crit": LOG_CRIT, "critical": LOG_CRIT,
        "debug": LOG_DEBUG, "emerg": LOG_EMERG, "err": LOG_ERR,
        "error": LOG_ERR, "info": LOG_INFO, "notice": LOG_NOTICE,
        "panic": LOG_EMERG, "warn": LOG_WARNING, "warning": LOG_WARNING,
    }

    facility_names = {
        "auth": LOG_AUTH, "authpriv": LOG_AUTHPRIV, "console": LOG_CONSOLE,
        "cron": LOG_CRON, "daemon": LOG_DAEMON, "ftp": LOG_FTP,
        "kern": LOG_KERN, "lpr": LOG_LPR, "mail": LOG_MAIL, "news": LOG_NEWS,
        "ntp": LOG_NTP, "security": LOG_SECURITY, "solaris-cron": LOG_SOLCRON,
        "syslog": LOG_SYSLOG, "user": LOG_USER, "uucp": LOG_UUCP,
        "local0": LOG_LOCAL0, "local1": LOG_LOCAL1, "local2": LOG_LOCAL2,
        "local3": LOG_LOCAL3, "local4": LOG_LOCAL4, "local5": LOG_LOCAL5,
        "local6": LOG_LOCAL6, "local7": LOG_LOCAL7,
    }

    # logging level name -> syslog priority name
    priority_map = {
        "DEBUG": "debug", "INFO": "info", "WARNING": "warning",
        "ERROR": "error", "CRITICAL": "critical",
    }

    ident = ''          # text put before every message
    append_nul = True   # end each message with NUL, as old daemons expect

    def __init__(self, address=('localhost', SYSLOG_UDP_PORT),
                 facility=LOG_USER, socktype=None):
        femtologging.Handler.__init__(self)
        self.address = address
        self.facility = facility
        self.socktype = socktype
        self.socket = None
        self.createSocket()

    def _unix_connect(self, address, socktype):
        sock = socket.socket(socket.AF_UNIX, socktype)
        try:
            sock.connect(address)
        except OSError:
            sock.close()
            raise
        return sock

    def _connect_unixsocket(self, address):
        if self.socktype is not None:
            self.socket = self._unix_connect(address, self.socktype)
            return
        # Unspecified: try a datagram socket, fall back to a stream one.
        try:
            self.socket = self._unix_connect(address, socket.SOCK_DGRAM)
            self.socktype = socket.SOCK_DGRAM
        except OSError:
            self.socket = self._unix_connect(address, socket.SOCK_STREAM)
            self.socktype = socket.SOCK_STREAM

    def createSocket(self):
        """Create (and for TCP, connect) the socket.

        A Unix socket that is not listening yet is not an error here: the
        connection is retried when a record is emitted.
        """
        address = self.address
        if isinstance(address, str):
            self.unixsocket = True
            try:
                self._connect_unixsocket(address)
            except OSError:
                pass
            return
        self.unixsocket = False
        wanted = socket.SOCK_DGRAM if self.socktype is None else self.socktype
        host, port = address
        candidates = socket.getaddrinfo(host, port, 0, wanted)
        if not candidates:
            raise OSError("getaddrinfo returns an empty list")
        last_error = None
        sock = None
        for family, stype, proto, _canon, sockaddr in candidates:
            last_error = sock = None
            try:
                sock = socket.socket(family, stype, proto)
                if stype == socket.SOCK_STREAM:
                    sock.connect(sockaddr)
                wanted = stype
                break
            except OSError as exc:
                last_error = exc
                if sock is not None:
                    sock.close()
                wanted = stype
        if last_error is not None:
            raise last_error
        self.socket = sock
        self.socktype = wanted

    def encodePriority(self, facility, priority):
        """Combine facility and priority (names or numbers) into one number."""
        if isinstance(facility, str):
            facility = self.facility_names[facility]
        if isinstance(priority, str):
            priority = self.priority_names[priority]
        return (facility << 3) | priority

    def close(self):
        """Close the socket and the handler."""
        self.acquire()
        try:
            sock, self.socket = self.socket, None
            if sock:
                sock.close()
            femtologging.Handler.close(self)
        finally:
            self.release()

    def mapPriority(self, levelName):
        """Return the syslog priority name for a logging level name."""
        return self.priority_map.get(levelName, "warning")

    def _frame(self, record):
        text = self.format(record)
        if self.ident:
            text = self.ident + text
        if self.append_nul:
            text += '\000'
        prio = self.encodePriority(self.facility,
                                   self.mapPriority(record.levelname))
        return ('<%d>' % prio).encode('utf-8') + text.encode('utf-8')

    def emit(self, record):
        """Format *record* (without traceback text) and send it."""
        try:
            data = self._frame(record)
            if not self.socket:
                self.createSocket()
            if self.unixsocket:
                try:
                    self.socket.send(data)
                except OSError:
                    self.socket.close()
                    self._connect_unixsocket(self.address)
                    self.socket.send(data)
            elif self.socktype == socket.SOCK_DGRAM:
                self.socket.sendto(data, self.address)
            else:
                self.socket.sendall(data)
        except Exception:
            self.handleError(record)


class SMTPHandler(femtologging.Handler):
    """Send each record as an e-mail.

    ``mailhost`` is a host or ``(host, port)``; ``credentials`` a
    ``(user, password)`` pair; ``secure`` (used only with credentials) is a
    tuple of ``starttls`` arguments; ``timeout`` is for the SMTP connection.
    """

    def __init__(self, mailhost, fromaddr, toaddrs, subject,
                 credentials=None, secure=None, timeout=5.0):
        femtologging.Handler.__init__(self)
        if isinstance(mailhost, (list, tuple)):
            self.mailhost, self.mailport = mailhost
        else:
            self.mailhost, self.mailport = mailhost, None
        if isinstance(credentials, (list, tuple)):
            self.username, self.password = credentials
        else:
            self.username = None
        self.fromaddr = fromaddr
        if isinstance(toaddrs, str):
            toaddrs = [toaddrs]
        self.toaddrs = toaddrs
        self.subject = subject
        self.secure = secure
        self.timeout = timeout

    def getSubject(self, record):
        """Return the subject line (override to vary it per record)."""
        return self.subject

    def emit(self, record):
        """Format *record* and mail it."""
        try:
            import email.message
            import email.utils
            import smtplib
            port = self.mailport or smtplib.SMTP_PORT
            smtp = smtplib.SMTP(self.mailhost, port, timeout=self.timeout)
            msg = email.message.EmailMessage()
            msg['From'] = self.fromaddr
            msg['To'] = ','.join(self.toaddrs)
            msg['Subject'] = self.getSubject(record)
            msg['Date'] = email.utils.localtime()
            msg.set_content(self.format(record))
            if self.username:
                if self.secure is not None:
                    smtp.ehlo()
                    smtp.starttls(*self.secure)
                    smtp.ehlo()
                smtp.login(self.username, self.password)
            smtp.send_message(msg)
            smtp.quit()
        except Exception:
            self.handleError(record)


class NTEventLogHandler(femtologging.Handler):
    """Write records to the Windows NT event log (needs pywin32).

    Without the Win32 extensions a message is printed and the handler does
    nothing (``_welu`` is None), as in the standard library.
    """

    def __init__(self, appname, dllname=None, logtype="Application"):
        femtologging.Handler.__init__(self)
        try:
            import win32evtlog
            import win32evtlogutil
        except ImportError:
            print("The Python Win32 extensions for NT (service, event "
                  "logging) appear not to be available.")
            self._welu = None
            return
        self.appname = appname
        self._welu = win32evtlogutil
        if not dllname:
            pkgdir = os.path.dirname(os.path.dirname(win32evtlogutil.__file__))
            dllname = os.path.join(pkgdir, 'win32service.pyd')
        self.dllname = dllname
        self.logtype = logtype
        try:
            win32evtlogutil.AddSourceToRegistry(appname, dllname, logtype)
        except Exception as exc:
            # Adding a source needs admin rights; "access denied" is fine
            # when the source already exists.
            if getattr(exc, 'winerror', None) != 5:
                raise
        self.deftype = win32evtlog.EVENTLOG_ERROR_TYPE
        self.typemap = {
            femtologging.DEBUG: win32evtlog.EVENTLOG_INFORMATION_TYPE,
            femtologging.INFO: win32evtlog.EVENTLOG_INFORMATION_TYPE,
            femtologging.WARNING: win32evtlog.EVENTLOG_WARNING_TYPE,
            femtologging.ERROR: win32evtlog.EVENTLOG_ERROR_TYPE,
            femtologging.CRITICAL: win32evtlog.EVENTLOG_ERROR_TYPE,
        }

    def getMessageID(self, record):
        """Return the event message ID (1 by default)."""
        return 1

    def getEventCategory(self, record):
        """Return the event category (0 by default)."""
        return 0

    def getEventType(self, record):
        """Map the record's level to an event type via ``typemap``."""
        return self.typemap.get(record.levelno, self.deftype)

    def emit(self, record):
        """Report *record* to the event log, if pywin32 is available."""
        if not self._welu:
            return
        try:
            self._welu.ReportEvent(self.appname, self.getMessageID(record),
                                   self.getEventCategory(record),
                                   self.getEventType(record),
                                   [self.format(record)])
        except Exception:
            self.handleError(record)

    def close(self):
        """Close the handler (the registry entry is left in place)."""
        femtologging.Handler.close(self)


class HTTPHandler(femtologging.Handler):
    """Send each record's attributes to a web server, by GET or POST."""

    def __init__(self, host, url, method="GET", secure=False, credentials=None,
                 context=None):
        femtologging.Handler.__init__(self)
        method = method.upper()
        if method not in ("GET", "POST"):
            raise ValueError("method must be GET or POST")
        if context is not None and not secure:
            raise ValueError("context parameter only makes sense "
                             "with secure=True")
        self.host = host
        self.url = url
        self.method = method
        self.secure = secure
        self.credentials = credentials
        self.context = context

    def mapLogRecord(self, record):
        """Return the dict sent as form data (all of the record's attributes)."""
        return _record_state(record)

    def getConnection(self, host, secure):
        """Return an ``http.client`` connection (override for proxies)."""
        import http.client
        if secure:
            return http.client.HTTPSConnection(host, context=self.context)
        return http.client.HTTPConnection(host)

    def emit(self, record):
        """Send *record* as url-encoded form data."""
        try:
            import urllib.parse
            conn = self.getConnection(self.host, self.secure)
            data = urllib.parse.urlencode(self.mapLogRecord(record))
            url = self.url
            if self.method == "GET":
                url += ('&' if '?' in url else '?') + data
            conn.putrequest(self.method, url)
            if self.method == "POST":
                conn.putheader("Content-type", "application/x-www-form-urlencoded")
                conn.putheader("Content-length", str(len(data)))
            if self.credentials:
                import base64
                raw = ('%s:%s' % self.credentials).encode('utf-8')
                token = base64.b64encode(raw).strip().decode('ascii')
                conn.putheader('Authorization', 'Basic ' + token)
            conn.endheaders()
            if self.method == "POST":
                conn.send(data.encode('utf-8'))
            conn.getresponse()
        except Exception:
            self.handleError(record)


# ---------------------------------------------------------------------------
# Buffering and queues
# ---------------------------------------------------------------------------

class BufferingHandler(femtologging.Handler):
    """Keep records in ``self.buffer``; flush when ``shouldFlush`` says so.

    The base class flushes by simply emptying the buffer once it holds
    ``capacity`` records.
    """

    def __init__(self, capacity):
        femtologging.Handler.__init__(self)
        self.capacity = capacity
        self.buffer = []

    def shouldFlush(self, record):
        """True when the buffer is full."""
        return len(self.buffer) >= self.capacity

    def emit(self, record):
        """Buffer *record*, flushing afterwards if needed."""
        self.buffer.append(record)
        if self.shouldFlush(record):
            self.flush()

    def flush(self):
        """Discard the buffered records (subclasses send them somewhere)."""
        self.acquire()
        try:
            self.buffer.clear()
        finally:
            self.release()

    def close(self):
        """Flush, then close."""
        try:
            self.flush()
        finally:
            femtologging.Handler.close(self)


class MemoryHandler(BufferingHandler):
    """Buffer records and pass them to ``target`` when full or on a severe one.

    A flush happens when ``capacity`` records are held or a record of level
    ``flushLevel`` or higher arrives.  ``flushOnClose`` says whether closing
    the handler flushes the buffer.
    """

    def __init__(self, capacity, flushLevel=40, target=None,
                 flushOnClose=True):
        # 40 is ERROR; spelled as a number so the module imports before the core.
        BufferingHandler.__init__(self, capacity)
        self.flushLevel = flushLevel
        self.target = target
        self.flushOnClose = flushOnClose

    def shouldFlush(self, record):
        """True when full or *record* is at least ``flushLevel``."""
        return (len(self.buffer) >= self.capacity
                or record.levelno >= self.flushLevel)

    def setTarget(self, target):
        """Set the handler the buffered records go to."""
        self.acquire()
        try:
            self.target = target
        finally:
            self.release()

    def flush(self):
        """Hand every buffered record to the target and empty the buffer.

        Without a target the records stay buffered.
        """
        self.acquire()
        try:
            if self.target:
                for record in self.buffer:
                    self.target.handle(record)
                self.buffer.clear()
        finally:
            self.release()

    def close(self):
        """Flush if ``flushOnClose``, drop the target, and close."""
        try:
            if self.flushOnClose:
                self.flush()
        finally:
            self.acquire()
            try:
                self.target = None
                BufferingHandler.close(self)
            finally:
                self.release()


class QueueHandler(femtologging.Handler):
    """Put records on a queue (``queue.Queue``, ``multiprocessing`` queue ...).

    Records are prepared first (message merged, args and exc_info cleared) so
    that they can cross process boundaries.
    """

    def __init__(self, queue):
        femtologging.Handler.__init__(self)
        self.queue = queue
        self.listener = None

    def enqueue(self, record):
        """Put *record* on the queue without blocking."""
        self.queue.put_nowait(record)

    def prepare(self, record):
        """Return a pickle-friendly copy of *record* with the message merged.

        The copy's ``msg`` is the fully formatted text (traceback included),
        ``message`` the same, and ``args``, ``exc_info``, ``exc_text`` and
        ``stack_info`` are cleared.
        """
        text = self.format(record)
        prepared = copy.copy(record)
        prepared.message = text
        prepared.msg = text
        prepared.args = None
        prepared.exc_info = None
        prepared.exc_text = None
        prepared.stack_info = None
        return prepared

    def emit(self, record):
        """Prepare *record* and enqueue it."""
        try:
            self.enqueue(self.prepare(record))
        except Exception:
            self.handleError(record)


class QueueListener(object):
    """Take records off a queue on a thread and pass them to handlers.

    With ``respect_handler_level`` a record only goes to the handlers whose
    level it reaches.
    """

    _sentinel = None

    def __init__(self, queue, *handlers, respect_handler_level=False):
        self.queue = queue
        self.handlers = handlers
        self._thread = None
        self.respect_handler_level = respect_handler_level

    def dequeue(self, block):
        """Take one record from the queue."""
        return self.queue.get(block)

    def start(self):
        """Start the background thread that reads the queue."""
        self._thread = t = threading.Thread(target=self._monitor)
        t.daemon = True
        t.start()

    def prepare(self, record):
        """Hook to change a record before handling (returns it unchanged)."""
        return record

    def handle(self, record):
        """Pass *record* to each handler (honouring levels if asked)."""
        record = self.prepare(record)
        for handler in self.handlers:
            if self.respect_handler_level and record.levelno < handler.level:
                continue
            handler.handle(record)

    def _monitor(self):
        q = self.queue
        tracks_tasks = hasattr(q, 'task_done')
        while True:
            try:
                record = self.dequeue(True)
            except queue.Empty:
                break
            if record is self._sentinel:
                if tracks_tasks:
                    q.task_done()
                break
            self.handle(record)
            if tracks_tasks:
                q.task_done()

    def enqueue_sentinel(self):
        """Put the value that tells the thread to stop on the queue."""
        self.queue.put_nowait(self._sentinel)

    def stop(self):
        """Tell the thread to finish the queued records, and wait for it."""
        if self._thread:
            self.enqueue_sentinel()
            self._thread.join()
            self._thread = None
