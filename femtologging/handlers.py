"""Extra handlers: femtologging's equivalent of the standard ``logging.handlers``.

Every class here follows the documented behaviour of the standard library
module of the same name.  The core package is reached only through its public,
stdlib-shaped names and only at call time (``femtologging.X``), so tests that
patch attributes of the package (``raiseExceptions`` and friends) are honoured.

File, rotation and socket I/O runs on native worker threads (see
``docs/threading.md``): rotating files rotate on their worker, socket and syslog
handlers only pickle/encode on the calling thread.  Subclasses (or instances)
that replace the stdlib hooks (``namer``/``rotator``, ``shouldRollover``...,
``makeSocket``/``createSocket``/``send``) get the standard Python behaviour.
"""

import codecs
import copy
import errno
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
import femtologging as logging  # the name stdlib's module exposes

from . import _compat

if not _compat.PY313:
    from stat import ST_DEV, ST_INO, ST_MTIME  # noqa: F401  (stdlib's module offers them before 3.13)

# Default ports of the reference socket/datagram/http/syslog protocols.
DEFAULT_TCP_LOGGING_PORT = 9020
DEFAULT_UDP_LOGGING_PORT = 9021
DEFAULT_HTTP_LOGGING_PORT = 9022
DEFAULT_SOAP_LOGGING_PORT = 9023
SYSLOG_UDP_PORT = 514
SYSLOG_TCP_PORT = 514

# Seconds in one day.
_MIDNIGHT = 24 * 60 * 60
# A level every delivery rule waits for: the record is written before the call returns.
_DELIVER_NOW = 2 ** 63 - 1


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
# Native writers: options and helpers shared by the handlers below
# ---------------------------------------------------------------------------

def _native():
    return femtologging._femtologging


def _writer_options(handler):
    """Keyword arguments (overflow policy, timeout, capacity) for *handler*'s native writers."""
    return getattr(handler, '_femto_overflow', None) or {}


def _overrides(cls, base, names):
    """True when *cls* (a subclass of *base*) redefines any of the methods *names*."""
    return _native()._overrides(cls, base, tuple(names))


def _text_encoding_for_writer(encoding):
    if encoding == "locale":
        import locale
        return locale.getpreferredencoding(False)
    return encoding


def _is_utf8(encoding):
    """True when text written in *encoding* (None: UTF-8) is UTF-8."""
    if encoding is None:
        return True
    try:
        return codecs.lookup(encoding).name == 'utf-8'
    except LookupError:
        return False


def _open_native(handler):
    """The stream of a file handler with its own native writer (``handler._make_writer``);
    binary and read/update modes get FileHandler's plain Python file."""
    mode = handler.mode
    if 'b' in mode or '+' in mode or 'r' in mode:
        return femtologging.FileHandler._open(handler)
    return handler._make_writer(mode)


def _rotates_natively(stream):
    """True when *stream* is a native file writer that rotates on its worker thread."""
    return (isinstance(stream, _native().AsyncFile)
            and (stream.max_bytes > 0 or stream.rollover_at is not None))


# ---------------------------------------------------------------------------
# Rotating files
# ---------------------------------------------------------------------------

def _rotation_param(name, doc):
    """A rotation setting the worker applies: changing it reopens the native writer."""
    def get(self):
        return self.__dict__.get(name)

    def set_(self, value):
        self.__dict__[name] = value
        stream = self.__dict__.get('stream')
        if (isinstance(stream, _native().AsyncFile) and not stream.closed
                and not self._python_rotation()):
            with self.lock:
                self._femto_rebuild()
    return property(get, set_, doc=doc)


def _rotation_hook(name, doc):
    """A Python rotation hook (``namer``/``rotator``): setting one moves rotation to Python."""
    def get(self):
        return self.__dict__.get(name)

    def set_(self, value):
        self.__dict__[name] = value
        self._femto_rotation_changed()
    return property(get, set_, doc=doc)


# Methods whose redefinition by a subclass means rotation is decided in Python.
_ROTATION_HOOKS = ('shouldRollover', 'doRollover', 'rotate', 'rotation_filename',
                   'getFilesToDelete', 'computeRollover')


class BaseRotatingHandler(femtologging.FileHandler):
    """Base class for file handlers that switch to a new file on a condition.

    Subclasses implement ``shouldRollover(record)`` and ``doRollover()``.
    ``namer`` (callable taking the default name) and ``rotator`` (callable
    taking source and destination) customise how old files are named/moved.

    femtologging: when neither ``namer`` nor ``rotator`` is set and no rotation
    method is redefined by a subclass, the file is a native writer that rotates
    on its worker thread and ``emit`` only queues the record; otherwise the
    stream is a plain native writer and rotation is decided here, in Python.
    """

    _native_base = None

    namer = _rotation_hook(
        'namer', "Callable giving a rotated file's name from the default one (None: default).")
    rotator = _rotation_hook(
        'rotator', "Callable moving the live file to its rotated name (None: ``os.rename``).")

    backupCount = _rotation_param('backupCount', "Number of rotated files kept.")

    def _femto_rotation_changed(self):
        # Rotation moves between the worker and Python with namer/rotator: reopen the file
        # (drained first) so that exactly one of them rotates it.
        stream = self.__dict__.get('stream')
        if not isinstance(stream, _native().AsyncFile) or stream.closed:
            return
        with self.lock:
            if self._python_rotation():
                self._ensure_python_rotation_stream()
            elif not _rotates_natively(stream) and self._native_writer_kwargs():
                self._femto_rebuild()

    def __init__(self, filename, mode, encoding=None, delay=False, errors=None):
        femtologging.FileHandler.__init__(self, filename, mode=mode,
                                          encoding=encoding, delay=delay,
                                          errors=errors)
        self.mode = mode
        self.encoding = encoding
        self.errors = errors

    def _python_rotation(self):
        """True when rotation must be decided in Python (namer/rotator or overridden hooks)."""
        if self.namer is not None or self.rotator is not None:
            return True
        base = self._native_base
        return (base is None or _overrides(type(self), base, _ROTATION_HOOKS)
                or self.__dict__.get('_femto_python_rotation', False))

    def _native_writer_kwargs(self):
        """Rotation parameters for a natively rotating writer (subclasses)."""
        return {}

    def _make_writer(self, mode):
        encoding = _text_encoding_for_writer(self.encoding)
        kwargs = dict(_writer_options(self))
        if not self._python_rotation():
            kwargs.update(self._native_writer_kwargs())
        return _native().AsyncFile(self.baseFilename, mode, encoding=encoding,
                                   errors=self.errors, **kwargs)

    def _open(self):
        """Open the file: a native writer, rotating on its worker unless rotation is in Python."""
        return _open_native(self)

    def _femto_rebuild(self):
        """Replace the current native writer by one with the handler's current options."""
        if isinstance(self.stream, _native().AsyncFile):
            self._femto_swap(lambda: self._make_writer('a'))

    def _ensure_python_rotation_stream(self):
        # A namer/rotator was set after the file was opened natively: from now on the
        # worker must not rotate, Python does.
        if _rotates_natively(self.stream):
            self._femto_swap(lambda: self._make_writer('a'))

    def emit(self, record):
        """Roll the file over if needed, then write *record* to it."""
        try:
            if self._python_rotation():
                self._ensure_python_rotation_stream()
            elif (isinstance(self.stream, _native().AsyncFile)
                  and not _rotates_natively(self.stream) and self._native_writer_kwargs()):
                # Opened while rotation was decided in Python: the worker takes over again.
                self._femto_rebuild()
            if self._femto_worker_decides():
                # The worker rolls the file over for this record too (one decision, one rule):
                # delivered before emit returns, so the file has rolled over then, as in stdlib.
                stream = self.stream
                if self._femto_overflow is not None and stream is not self._femto_applied:
                    self._femto_rebuild()
                    stream = self.stream
                stream.write(self.format(record) + self.terminator, _DELIVER_NOW)
                return
            # A record that comes through Python (emit called directly, Python filters...) on a
            # file the worker does not rotate by size is checked here, as in stdlib.
            if self.shouldRollover(record):
                self.doRollover()
            femtologging.FileHandler.emit(self, record)
        except Exception:
            self.handleError(record)

    def _femto_worker_decides(self):
        """True when the worker rolls the file over for a record that comes through ``emit``."""
        return False

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
            self._femto_retire(stream)
            stream.close()

    def _reopen_unless_delayed(self):
        if not self.delay:
            self.stream = self._open()


def _remove_if_present(path):
    if os.path.exists(path):
        os.remove(path)


class RotatingFileHandler(BaseRotatingHandler):
    """Write to a file, starting a new one when it would exceed ``maxBytes``.

    Old files are kept as ``name.1`` ... ``name.<backupCount>`` (``.1`` is the
    newest).  With ``maxBytes == 0`` the file never rolls over.
    """

    def __init__(self, filename, mode='a', maxBytes=0, backupCount=0,
                 encoding=None, delay=False, errors=None):
        # With a size limit the file is appended to: truncating on open would wipe what the
        # previous run wrote.
        mode = 'a' if maxBytes > 0 else mode
        # Called here, so an EncodingWarning (-X warn_default_encoding) names our caller.
        encoding = encoding if "b" in mode else io.text_encoding(encoding)
        # Known before the file is opened: the native writer rotates with them.
        self.maxBytes = maxBytes
        self.backupCount = backupCount
        BaseRotatingHandler.__init__(self, filename, mode, encoding=encoding,
                                     delay=delay, errors=errors)

    maxBytes = _rotation_param(
        'maxBytes', "Size (bytes) a record may not take the file to; 0: never rotate.")

    def _native_writer_kwargs(self):
        if self.maxBytes > 0:
            # The worker sizes records as shouldRollover does: characters of UTF-8 text.
            return {'max_bytes': self.maxBytes, 'backup_count': self.backupCount,
                    'roll_empty': _compat.ROLLOVER_EMPTY_FILE,
                    'count_chars': _is_utf8(_text_encoding_for_writer(self.encoding))}
        return {}

    def _femto_worker_decides(self):
        if self.stream is None:
            self.stream = self._open()  # as shouldRollover would (delay)
        stream = self.stream
        return _rotates_natively(stream) and stream.max_bytes > 0

    def _numbered(self, n):
        return self.rotation_filename("%s.%d" % (self.baseFilename, n))

    def doRollover(self):
        """Shift ``name.N`` to ``name.N+1``, move the live file to ``name.1``."""
        self._close_stream()
        if self.backupCount > 0:
            self._shift_backups()
            first = self.rotation_filename(self.baseFilename + ".1")
            _remove_if_present(first)
            self.rotate(self.baseFilename, first)
        self._reopen_unless_delayed()

    def _shift_backups(self):
        """Each existing ``.n`` becomes ``.n+1``, oldest first, so nothing is overwritten but
        the backup beyond ``backupCount``."""
        for n in reversed(range(1, self.backupCount)):
            older, newer = self._numbered(n), self._numbered(n + 1)
            if not os.path.exists(older):
                continue
            _remove_if_present(newer)
            os.rename(older, newer)

    def shouldRollover(self, record):
        """True when writing *record* would take the file to ``maxBytes``.

        (femtologging: ``emit`` does not ask when the worker rotates the file itself; the
        worker applies the same rule, ``_compat.ROLLOVER_EMPTY_FILE`` included.)
        """
        if not _compat.PY313 and _is_special_file(self.baseFilename):
            return False
        if self.stream is None:
            self.stream = self._open()
        if self.maxBytes <= 0:
            return False
        if not _compat.ROLLOVER_EMPTY_FILE:
            size = self.stream.tell()
            if not size:
                return False
        else:
            seek = getattr(self.stream, "seek", None)
            if seek is not None:
                seek(0, 2)
            size = self.stream.tell()
        if size + len("%s\n" % self.format(record)) < self.maxBytes:
            return False
        return not (_compat.PY313 and _is_special_file(self.baseFilename))


RotatingFileHandler._native_base = RotatingFileHandler


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
        if _compat.PY313:
            # 3.13 finds the date anywhere in a name, but not inside a longer run of digits.
            self.extMatch = re.compile(r"(?<!\d)" + pattern + r"(?!\d)", re.ASCII)
        else:
            self.extMatch = re.compile(r"^" + pattern + r"(\.\w+)?$", re.ASCII)
        self._interval_units = interval
        self.interval = unit * interval
        if not self._native_writer_kwargs():
            # A schedule the worker cannot keep (e.g. a fractional interval): rotate in
            # Python, and keep records off the native path, which would skip the check.
            self._femto_python_rotation = True
        BaseRotatingHandler.__init__(self, filename, 'a', encoding=encoding,
                                     delay=delay, errors=errors)
        if os.path.exists(self.baseFilename):
            start = int(os.stat(self.baseFilename).st_mtime)
        else:
            start = int(time.time())
        self.rolloverAt = self.computeRollover(start)

    def _native_writer_kwargs(self):
        units = self._interval_units
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            return {}  # the worker only schedules whole positive intervals
        if _compat.PY313:
            return {}  # the worker keeps the 3.11/3.12 schedule; 3.13's is decided here
        kwargs = {'when': self.when, 'interval': units, 'utc': bool(self.utc),
                  'backup_count': self.backupCount}
        if self.atTime is not None:
            kwargs['at_time'] = self.atTime
        return kwargs

    def _make_writer(self, mode):
        writer = BaseRotatingHandler._make_writer(self, mode)
        at = self.__dict__.get('_rollover_at')
        if at is not None and writer.rollover_at is not None:
            writer.rollover_at = int(at)  # keep the schedule across writers
        return writer

    def _femto_retire(self, stream):
        if _rotates_natively(stream) and not stream.closed and stream.rollover_at:
            self.__dict__['_rollover_at'] = stream.rollover_at
        BaseRotatingHandler._femto_retire(self, stream)

    @property
    def rolloverAt(self):
        """Time (seconds since the epoch) of the next rollover.

        While the worker rotates the file, this is the worker's schedule.
        """
        stream = self.__dict__.get('stream')
        if _rotates_natively(stream) and not stream.closed:
            at = stream.rollover_at
            if at:
                return at
        return self.__dict__.get('_rollover_at')

    @rolloverAt.setter
    def rolloverAt(self, value):
        self.__dict__['_rollover_at'] = value
        stream = self.__dict__.get('stream')
        if _rotates_natively(stream) and not stream.closed and stream.rollover_at is not None:
            stream.rollover_at = int(value)

    def _timetuple(self, t):
        return time.gmtime(t) if self.utc else time.localtime(t)

    def _daily(self):
        return self.when == 'MIDNIGHT' or self.when.startswith('W')

    @staticmethod
    def _dst_shift(dst_now, dst_then):
        """Seconds to add to a local time across a DST change: +3600 when DST ends, -3600
        when it starts, 0 without a change."""
        if dst_now == dst_then:
            return 0
        return 3600 if dst_now else -3600

    def _seconds_to_rollover_time(self, tt):
        """Seconds from the time of day ``tt`` to the rollover time of day (``atTime``)."""
        at = self.atTime
        target = _MIDNIGHT if at is None else at.hour * 3600 + at.minute * 60 + at.second
        return target - (tt.tm_hour * 3600 + tt.tm_min * 60 + tt.tm_sec)

    def computeRollover(self, currentTime):
        """Return the time (seconds since the epoch) of the next rollover."""
        if not self._daily():
            return currentTime + self.interval
        tt = self._timetuple(currentTime)
        wait = self._seconds_to_rollover_time(tt)
        weekday = tt.tm_wday
        # Today's rollover time has passed (3.13: or is now): the next one is tomorrow.
        if wait < 0 or (_compat.PY313 and wait == 0):
            wait += _MIDNIGHT
            weekday = (weekday + 1) % 7
        result = currentTime + wait
        days = (self.dayOfWeek - weekday) % 7 if self.when.startswith('W') else 0
        if _compat.PY313:
            # 3.13: ``interval`` counts days (weeks) from the first rollover, and DST applies
            # to every daily schedule.
            result += days * _MIDNIGHT + self.interval - (7 * _MIDNIGHT if self.when.startswith('W')
                                                          else _MIDNIGHT)
            if not self.utc:
                shift = self._dst_shift(tt.tm_isdst, time.localtime(result).tm_isdst)
                if shift < 0 and not time.localtime(result - 3600).tm_isdst:
                    shift = 0
                result += shift
        elif days:
            result += days * _MIDNIGHT
            if not self.utc:
                result += self._dst_shift(tt.tm_isdst, time.localtime(result).tm_isdst)
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

    def _rotated_files(self, dirName, baseName):
        """Every file in ``dirName`` this handler's rotation could have made."""
        names = os.listdir(dirName)
        if _compat.PY313:
            if self.namer is None:
                prefix = baseName + '.'
                return [n for n in names
                        if n.startswith(prefix) and self.extMatch.fullmatch(n[len(prefix):])]
            return [n for n in names if self._named_by_namer(n)]
        stem, ext = os.path.splitext(baseName)
        prefix = stem + '.'
        plen = len(prefix)
        return [n for n in names
                if self._is_ours(n, baseName, ext, plen) and n.startswith(prefix)
                and any(self.extMatch.match(part) for part in n[plen:].split('.'))]

    def _named_by_namer(self, fileName):
        """3.13: does some date in ``fileName`` give back exactly this name through ``namer``?"""
        start = 0
        while True:
            date = self.extMatch.search(fileName, start)
            if date is None:
                return False
            named = self.namer(self.baseFilename + "." + date[0])
            if os.path.basename(named) == fileName:
                return True
            start = date.start() + 1

    def getFilesToDelete(self):
        """Return the rotated files beyond ``backupCount``, oldest first."""
        folder, stem = os.path.split(self.baseFilename)
        found = sorted(os.path.join(folder, n) for n in self._rotated_files(folder, stem))
        if len(found) < self.backupCount:
            return []
        return found[:len(found) - self.backupCount]

    def _period_start(self, rollover_at, now):
        """Time tuple naming the period that ends at ``rollover_at`` (DST-corrected)."""
        started = rollover_at - self.interval
        if self.utc:
            return time.gmtime(started)
        tt = time.localtime(started)
        shift = self._dst_shift(time.localtime(now).tm_isdst, tt.tm_isdst)
        return time.localtime(started + shift) if shift else tt

    def _next_rollover(self, now):
        if _compat.PY313:
            return self.computeRollover(now)
        nxt = self.computeRollover(now)
        while nxt <= now:
            nxt += self.interval
        if self._daily() and not self.utc:
            nxt += self._dst_shift(time.localtime(now).tm_isdst, time.localtime(nxt).tm_isdst)
        return nxt

    def doRollover(self):
        """Rename the file after the start of the interval it covers."""
        rollover_at = self.rolloverAt  # read before the (native) stream closes
        now = int(time.time())
        dest = self.rotation_filename(
            self.baseFilename + "." + time.strftime(self.suffix,
                                                    self._period_start(rollover_at, now)))
        if _compat.PY313 and os.path.exists(dest):
            return  # 3.13: this period was rolled over already; keep writing where we are
        self._close_stream()
        _remove_if_present(dest)
        self.rotate(self.baseFilename, dest)
        expired = self.getFilesToDelete() if self.backupCount > 0 else ()
        for path in expired:
            os.remove(path)
        self._reopen_unless_delayed()
        self.rolloverAt = self._next_rollover(now)


TimedRotatingFileHandler._native_base = TimedRotatingFileHandler

# Exact instances of these classes whose stream rotates on its worker take the native path:
# records are formatted and written (and the file rotated) without running Python.
_native()._register_native_handlers(RotatingFileHandler, TimedRotatingFileHandler)


class WatchedFileHandler(femtologging.FileHandler):
    """File handler that reopens its file when it was moved or deleted.

    Before each write the path is stat'ed; if its device/inode differ from the
    open file's (log rotation by an external tool), the file is reopened.

    femtologging: the file is a native writer; the check runs on the calling
    thread and the reopen is queued in order with the records, so records logged
    before a rename are written to the old file, as with the standard library,
    and the file exists again when ``handle`` returns.
    """

    def __init__(self, filename, mode='a', encoding=None, delay=False,
                 errors=None):
        # Here, so an EncodingWarning (-X warn_default_encoding) names our caller.
        encoding = encoding if "b" in mode else io.text_encoding(encoding)
        femtologging.FileHandler.__init__(self, filename, mode=mode,
                                          encoding=encoding, delay=delay,
                                          errors=errors)
        self.dev, self.ino = -1, -1
        self._statstream()

    def _make_writer(self, mode):
        return _native().AsyncFile(self.baseFilename, mode,
                                   encoding=_text_encoding_for_writer(self.encoding),
                                   errors=self.errors, **_writer_options(self))

    def _open(self):
        """Open the file as a native writer (reopened in order by ``reopenIfNeeded``)."""
        return _open_native(self)

    def _femto_rebuild(self):
        """Replace the current native writer by one with the handler's current options."""
        if isinstance(self.stream, _native().AsyncFile):
            self._femto_swap(lambda: self._make_writer('a'))
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
        stream = self.stream
        if stream is None:
            return
        if isinstance(stream, _native().AsyncFile):
            # The worker reopens in order with the records queued before; wait for it so
            # that the file exists again when this call returns.
            stream.reopen()
            stream.flush()
        else:
            stream.flush()
            stream.close()
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

class _NativeSocketMixin:
    """Overflow policy and drop counter of a network handler's native socket writer."""

    _femto_overflow = None
    _femto_dropped_base = 0
    _femto_writer_attr = 'sock'

    def set_overflow(self, policy='block', timeout=None, capacity=None):
        """Choose what the handler's native socket writer does when its queue is full.

        ``'block'`` (default) waits for room, ``'drop'`` drops and counts, ``'timeout'``
        waits up to ``timeout`` seconds then drops and counts; ``capacity`` is the queue
        length. The current writer is drained and replaced at the next record.
        """
        opts = femtologging._handler._overflow_options(policy, timeout, capacity)
        self.acquire()
        try:
            self._femto_overflow = opts
            self._femto_close_writer()
        finally:
            self.release()

    @property
    def dropped(self):
        """Records the native socket writers dropped (queue full, or peer unreachable)."""
        w = self.__dict__.get('_femto_writer')
        return self._femto_dropped_base + (w.dropped if w is not None else 0)

    def _femto_close_writer(self):
        w = self.__dict__.pop('_femto_writer', None)
        if w is not None:
            self._femto_dropped_base = self._femto_dropped_base + w.dropped
            w.close()
        return w


class SocketHandler(_NativeSocketMixin, femtologging.Handler):
    """Send pickled records to a stream socket (TCP, or Unix if port is None).

    Wire format: a 4-byte big-endian length followed by a pickle of the
    record's attribute dict (message merged, ``args``/``exc_info`` cleared),
    readable by ``makeLogRecord`` at the other end.  Failed connections are
    retried with exponential backoff (``retryStart``, ``retryFactor``,
    ``retryMax``).

    femtologging: unless ``makeSocket``/``createSocket``/``send`` are replaced,
    the calling thread only pickles the record and queues the bytes; a native
    worker connects, backs off, reconnects and sends. ``sock`` is that writer
    while it is connected (reading it waits for the records queued before), and
    ``retryTime`` the worker's next reconnection time while the peer is down.
    """

    _SOCKET_HOOKS = ('makeSocket', 'createSocket', 'send')

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

    # -- native writer -------------------------------------------------------------------

    def _native_base_class(self):
        return SocketHandler

    def _uses_native_socket(self):
        if 'makeSocket' in self.__dict__ or 'send' in self.__dict__:
            return False
        return not _overrides(type(self), self._native_base_class(), self._SOCKET_HOOKS)

    def _native_socket_args(self):
        kind = 'unix' if self.port is None else 'tcp'
        return kind, self.address

    def _femto_socket(self):
        """The native writer, created (with the current backoff settings) on first use."""
        w = self.__dict__.get('_femto_writer')
        retry = (self.retryStart, self.retryFactor, self.retryMax)
        if w is None or w.closed:
            kind, address = self._native_socket_args()
            w = _native().AsyncSocket(kind, address, retry_start=retry[0],
                                      retry_factor=retry[1], retry_max=retry[2],
                                      **self._socket_options())
            self.__dict__['_femto_writer'] = w
            self.__dict__['_femto_retry'] = retry
        elif self.__dict__.get('_femto_retry') != retry:
            w.set_retry(*retry)
            self.__dict__['_femto_retry'] = retry
        return w

    def _socket_options(self):
        opts = dict(_writer_options(self))
        opts.setdefault('overflow', 'block')
        return opts

    @property
    def sock(self):
        """The connected socket, or None (native: the writer while it is connected)."""
        w = self.__dict__.get('_femto_writer')
        if w is not None and not w.closed:
            try:
                w.flush()
            except OSError:
                pass
            return w if (w.connected or w.kind not in ('tcp', 'unix')) else None
        return self.__dict__.get('_sock')

    @sock.setter
    def sock(self, value):
        if value is None:
            self._femto_close_writer()
        self.__dict__['_sock'] = value

    @property
    def retryTime(self):
        """Time before which no reconnection is tried (None while connected)."""
        w = self.__dict__.get('_femto_writer')
        if w is not None and not w.closed:
            try:
                w.flush()
            except OSError:
                pass
            return w.retry_at
        return self.__dict__.get('_retry_time')

    @retryTime.setter
    def retryTime(self, value):
        self.__dict__['_retry_time'] = value

    # -- stdlib protocol -----------------------------------------------------------------

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
        except OSError:
            # Back off: retryStart after the first failure, then growing by retryFactor up to
            # retryMax.
            if self.retryTime is None:
                period = self.retryStart
            else:
                period = min(self.retryPeriod * self.retryFactor, self.retryMax)
            self.retryPeriod = period
            self.retryTime = now + period
        else:
            self.retryTime = None

    def send(self, s):
        """Send bytes *s*, connecting first if needed; drop the socket on error.

        (femtologging: queued for the native worker, which connects and sends.)
        """
        if self._uses_native_socket():
            self._femto_socket().write_bytes(s)
            return
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
        # The receiver gets the merged text and nothing it cannot unpickle; ``message`` would
        # only repeat ``msg``.
        state.update(msg=record.getMessage(), args=None, exc_info=None)
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

    def flush(self):
        """Wait until the records queued so far are sent (or dropped)."""
        w = self.__dict__.get('_femto_writer')
        if w is not None and not w.closed:
            w.flush()

    def close(self):
        """Close the socket and the handler."""
        self.acquire()
        try:
            self._femto_close_writer()
            sock, self.__dict__['_sock'] = self.__dict__.get('_sock'), None
            if sock:
                sock.close()
            femtologging.Handler.close(self)
        finally:
            self.release()


class DatagramHandler(SocketHandler):
    """Send pickled records as datagrams (UDP, or Unix datagram if port is None)."""

    _SOCKET_HOOKS = ('makeSocket', 'send')

    def __init__(self, host, port):
        SocketHandler.__init__(self, host, port)
        self.closeOnError = False

    def _native_base_class(self):
        return DatagramHandler

    def _native_socket_args(self):
        if self.port is None:
            return 'unix_dgram', self.address
        # Like makeSocket below: an IPv4 socket, so the name resolves to an IPv4 address.
        info = socket.getaddrinfo(self.host, self.port, socket.AF_INET, socket.SOCK_DGRAM)
        return 'udp', info[0][4][:2]

    def makeSocket(self):
        """Return an unconnected datagram socket of the right family."""
        family = socket.AF_UNIX if self.port is None else socket.AF_INET
        return socket.socket(family, socket.SOCK_DGRAM)

    def send(self, s):
        """Send one datagram holding *s* (the length prefix included)."""
        if self._uses_native_socket():
            self._femto_socket().write_bytes(s)
            return
        if self.sock is None:
            self.createSocket()
        self.sock.sendto(s, self.address)


def _probe_unix_socktype(path):
    """The socket type listening at *path*: SOCK_DGRAM, SOCK_STREAM, or None (nothing yet).

    Connecting a datagram socket sends nothing; a stream listener refuses it with
    EPROTOTYPE, which tells its type without opening a connection.
    """
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.connect(path)
        return socket.SOCK_DGRAM
    except OSError as exc:
        if exc.errno == errno.EPROTOTYPE:
            return socket.SOCK_STREAM
        return None
    finally:
        probe.close()


# The syslog priority of a level name missing from ``SysLogHandler.priority_map``.
_UNMAPPED_PRIORITY = "warning"


def _syslog_code(value, codes):
    """A syslog facility or priority as its number: names are looked up in ``codes``."""
    return codes[value] if isinstance(value, str) else value


class SysLogHandler(_NativeSocketMixin, femtologging.Handler):
    """Send records to a syslog daemon (UDP, TCP or a Unix socket path).

    femtologging: unless ``createSocket`` is replaced, ``socket`` is a native
    writer: the calling thread formats and encodes the frame and queues it, a
    worker thread sends it (and reconnects a TCP or Unix stream connection).
    A TCP daemon that is down is therefore not an error at construction.
    """

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
        """Create the native socket writer (the worker connects and sends).

        A Unix socket that is not listening yet is not an error here: the
        connection is retried when a record is emitted.
        """
        address = self.address
        if isinstance(address, str):
            self.unixsocket = True
            socktype = self.socktype
            if socktype is None:
                socktype = _probe_unix_socktype(address)
                if socktype is None:
                    return  # nothing listening yet: retried at the next record
                self.socktype = socktype
            kind = 'unix_dgram' if socktype == socket.SOCK_DGRAM else 'unix'
            self.socket = _native().AsyncSocket(kind, address, **self._socket_options())
            return
        self.unixsocket = False
        wanted = socket.SOCK_DGRAM if self.socktype is None else self.socktype
        host, port = address
        candidates = socket.getaddrinfo(host, port, 0, wanted)
        if not candidates:
            raise OSError("getaddrinfo returns an empty list")
        _family, stype, _proto, _canon, sockaddr = candidates[0]
        if stype == socket.SOCK_STREAM:
            self.socket = _native().AsyncSocket('tcp', (host, port), **self._socket_options())
        else:
            self.socket = _native().AsyncSocket('udp', tuple(sockaddr[:2]),
                                                **self._socket_options())
        self.socktype = stype

    def _socket_options(self):
        opts = dict(_writer_options(self))
        opts.setdefault('overflow', 'block')
        return opts

    def _femto_close_writer(self):
        sock = self.__dict__.get('socket')
        if isinstance(sock, _native().AsyncWriter):
            self.socket = None
            self._femto_dropped_base = self._femto_dropped_base + sock.dropped
            sock.close()

    @property
    def dropped(self):
        """Records the native socket writers dropped (queue full, or peer unreachable)."""
        sock = self.__dict__.get('socket')
        extra = sock.dropped if isinstance(sock, _native().AsyncWriter) else 0
        return self._femto_dropped_base + extra

    def flush(self):
        """Wait until the records queued so far are sent (or dropped)."""
        sock = self.__dict__.get('socket')
        if isinstance(sock, _native().AsyncWriter) and not sock.closed:
            sock.flush()

    def encodePriority(self, facility, priority):
        """Combine facility and priority (names or numbers) into one number."""
        facility_code = _syslog_code(facility, self.facility_names)
        return (facility_code << 3) | _syslog_code(priority, self.priority_names)

    def close(self):
        """Close the socket and the handler."""
        self.acquire()
        try:
            sock, self.socket = self.socket, None
            if sock:
                if isinstance(sock, _native().AsyncWriter):
                    self._femto_dropped_base = self._femto_dropped_base + sock.dropped
                sock.close()
            femtologging.Handler.close(self)
        finally:
            self.release()

    def mapPriority(self, levelName):
        """Return the syslog priority name for a logging level name."""
        return self.priority_map.get(levelName, _UNMAPPED_PRIORITY)

    def _frame(self, record):
        body = self.format(record)
        if self.ident:
            body = self.ident + body
        terminator = '\000' if self.append_nul else ''
        priority = self.encodePriority(self.facility, self.mapPriority(record.levelname))
        return ('<%d>' % priority).encode('utf-8') + (body + terminator).encode('utf-8')

    def emit(self, record):
        """Format *record* (without traceback text) and send it."""
        try:
            data = self._frame(record)
            if not self.socket:
                self.createSocket()
            sock = self.socket
            if isinstance(sock, _native().AsyncWriter):
                sock.write_bytes(data)
                return
            if sock is None and self.unixsocket:
                # Nothing listens at the path yet (native createSocket probes, never raises).
                self._connect_unixsocket(self.address)
            if self.unixsocket:
                try:
                    self.socket.send(data)
                except OSError:
                    self.socket.close()
                    self._connect_unixsocket(self.address)
                    self.socket.send(data)
            elif self.socktype != socket.SOCK_DGRAM:
                # A stream socket: the whole frame, however many sends it takes.
                self.socket.sendall(data)
            else:
                self.socket.sendto(data, self.address)
        except Exception:
            self.handleError(record)


def _is_pair(value):
    """Is ``value`` given as a list or tuple (``(host, port)``, ``(user, password)``)?"""
    return isinstance(value, (list, tuple))


class SMTPHandler(femtologging.Handler):
    """Send each record as an e-mail.

    ``mailhost`` is a host or ``(host, port)``; ``credentials`` a
    ``(user, password)`` pair; ``secure`` (used only with credentials) is a
    tuple of ``starttls`` arguments; ``timeout`` is for the SMTP connection.
    """

    def __init__(self, mailhost, fromaddr, toaddrs, subject,
                 credentials=None, secure=None, timeout=5.0):
        femtologging.Handler.__init__(self)
        # A (host, port) pair, or a host with the default port (None).
        self.mailhost, self.mailport = mailhost if _is_pair(mailhost) else (mailhost, None)
        # ``password`` exists only when credentials were given.
        self.username = None
        if _is_pair(credentials):
            self.username, self.password = credentials
        self.fromaddr = fromaddr
        self.toaddrs = [toaddrs] if isinstance(toaddrs, str) else toaddrs
        self.subject = subject
        self.secure = secure
        self.timeout = timeout

    def getSubject(self, record):
        """Return the subject line (override to vary it per record)."""
        return self.subject

    def emit(self, record):
        """Format *record* and mail it."""
        try:
            import smtplib
            # Connect first: a record is only formatted once the server answered.
            server = smtplib.SMTP(self.mailhost, self.mailport or smtplib.SMTP_PORT,
                                  timeout=self.timeout)
            mail = self._compose(record)
            if self.username:
                self._log_in(server)
            server.send_message(mail)
            server.quit()
        except Exception:
            self.handleError(record)

    def _compose(self, record):
        """The e-mail for *record*: From, To, Subject and Date headers, the text as body."""
        import email.message
        import email.utils
        mail = email.message.EmailMessage()
        for header, value in (("From", self.fromaddr), ("To", ",".join(self.toaddrs)),
                              ("Subject", self.getSubject(record)),
                              ("Date", email.utils.localtime())):
            mail[header] = value
        mail.set_content(self.format(record))
        return mail

    def _log_in(self, server):
        """Authenticate, after switching to TLS when ``secure`` is given."""
        if self.secure is not None:
            # EHLO again once encrypted: the server re-announces its extensions.
            server.ehlo()
            server.starttls(*self.secure)
            server.ehlo()
        server.login(self.username, self.password)


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
        info = win32evtlog.EVENTLOG_INFORMATION_TYPE
        error = win32evtlog.EVENTLOG_ERROR_TYPE
        # Unmapped levels are reported as errors.
        self.deftype = error
        self.typemap = {femtologging.DEBUG: info, femtologging.INFO: info,
                        femtologging.WARNING: win32evtlog.EVENTLOG_WARNING_TYPE,
                        femtologging.ERROR: error, femtologging.CRITICAL: error}

    def getMessageID(self, record):
        """Return the event message ID (1 by default)."""
        return 1

    def getEventCategory(self, record):
        """Return the event category (0 by default)."""
        return 0

    def getEventType(self, record):
        """Map the record's level to an event type via ``typemap``."""
        level = record.levelno
        return self.typemap[level] if level in self.typemap else self.deftype

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
            fields = self.mapLogRecord(record)
            data = urllib.parse.urlencode(fields)
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
            target = self.target
            if not target:
                return
            for record in self.buffer:
                target.handle(record)
            self.buffer.clear()
        finally:
            self.release()

    def close(self):
        """Flush if ``flushOnClose``, drop the target, and close."""
        try:
            if self.flushOnClose:
                self.flush()
        finally:
            self._forget_target_and_close()

    def _forget_target_and_close(self):
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
        # A copy: the other handlers of the logger still see the original record.
        prepared = copy.copy(record)
        prepared.message = prepared.msg = text
        for merged_into_text in ("args", "exc_info", "exc_text", "stack_info"):
            setattr(prepared, merged_into_text, None)
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
        worker = threading.Thread(target=self._monitor, daemon=True)
        self._thread = worker
        worker.start()

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
        is_empty = getattr(q, 'empty', None)
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
                if is_empty is not None and is_empty():
                    # Drained: what the handlers queued to native writers is written before
                    # ``queue.join()`` returns, as stdlib's synchronous handlers would have it.
                    femtologging._flush_native_writers()
                q.task_done()

    def enqueue_sentinel(self):
        """Put the value that tells the thread to stop on the queue."""
        self.queue.put_nowait(self._sentinel)

    def stop(self):
        """Tell the thread to finish the queued records, and wait for it."""
        if self._thread or not _compat.PY313:  # 3.13: a second stop() does nothing
            self.enqueue_sentinel()
            self._thread.join()
            self._thread = None
