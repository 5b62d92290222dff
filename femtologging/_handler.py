"""``Handler`` and the core handlers: ``StreamHandler``, ``FileHandler``, ``NullHandler``."""

import io
import locale
import os
import sys
import threading
import traceback
import weakref
from types import GenericAlias

import femtologging as _pkg

from ._filter import Filterer
from . import _femtologging as _native
from ._femtologging import LogRecord
from ._levels import NOTSET, _checkLevel, getLevelName

# name -> handler, for handlers given a name (config uses it).
_handlers = weakref.WeakValueDictionary()
# weak references to every handler, in creation order, for shutdown().
_handlerList = []
# (path, encoding, errors) -> the native writer appending to that file.
_shared_appenders = weakref.WeakValueDictionary()


def _removeHandlerRef(wr):
    """Drop a dead handler's weak reference from ``_handlerList``."""
    acquire, release, handlers = _pkg._acquireLock, _pkg._releaseLock, _handlerList
    if acquire and release and handlers:
        acquire()
        try:
            handlers.remove(wr)
        except ValueError:
            pass
        finally:
            release()


def _addHandlerRef(handler):
    """Remember ``handler`` (weakly) so that shutdown() can flush and close it."""
    with _pkg._lock:
        _handlerList.append(weakref.ref(handler, _removeHandlerRef))


class Handler(Filterer):
    """Base class of handlers: level, formatter, filters, a lock, and ``emit`` to override."""

    def __init__(self, level=NOTSET):
        Filterer.__init__(self)
        self._name = None
        self.level = _checkLevel(level)
        self.formatter = None
        self._closed = False
        # Cache of the engine's "may this handler be served natively" decision.
        self._femto_slot = _native.NativeSlot()
        _addHandlerRef(self)
        self.createLock()

    def get_name(self):
        return self._name

    def set_name(self, name):
        with _pkg._lock:
            if self._name in _handlers:
                del _handlers[self._name]
            self._name = name
            if name:
                _handlers[name] = self

    name = property(get_name, set_name)

    def createLock(self):
        """Create the re-entrant lock serialising ``emit``."""
        self.lock = threading.RLock()
        _pkg._register_at_fork_reinit_lock(self)

    def _at_fork_reinit(self):
        self.lock._at_fork_reinit()

    def acquire(self):
        """Acquire the handler's lock."""
        if self.lock:
            self.lock.acquire()

    def release(self):
        """Release the handler's lock."""
        if self.lock:
            self.lock.release()

    def setLevel(self, level):
        """Set the handler's threshold (a number or a level name)."""
        self.level = _checkLevel(level)

    def format(self, record):
        """Format with this handler's formatter, or the module default."""
        fmt = self.formatter if self.formatter else _pkg._defaultFormatter
        return fmt.format(record)

    def emit(self, record):
        """Do the output; subclasses must implement it."""
        raise NotImplementedError('emit must be implemented by Handler subclasses')

    def handle(self, record):
        """Filter, then emit under the lock. Returns the filter result."""
        rv = self.filter(record)
        if isinstance(rv, LogRecord):
            record = rv
        if rv:
            self.acquire()
            try:
                self.emit(record)
            finally:
                self.release()
        return rv

    def setFormatter(self, fmt):
        """Set the formatter."""
        self.formatter = fmt

    def flush(self):
        """Ensure all output has been written (no-op here)."""

    def close(self):
        """Tidy up; removes the handler from the name registry."""
        with _pkg._lock:
            self._closed = True
            if self._name and self._name in _handlers:
                del _handlers[self._name]

    def handleError(self, record):
        """Report an exception raised while emitting ``record`` (when ``raiseExceptions``)."""
        if not (_pkg.raiseExceptions and sys.stderr):
            return
        exc_type, exc, tb = sys.exc_info()
        try:
            err = sys.stderr
            err.write('--- Logging error ---\n')
            traceback.print_exception(exc_type, exc, tb, None, err)
            err.write('Call stack:\n')
            frame = tb.tb_frame if tb is not None else None
            here = os.path.dirname(__file__)
            while frame and os.path.dirname(frame.f_code.co_filename) == here:
                frame = frame.f_back
            if frame:
                traceback.print_stack(frame, file=err)
            else:
                err.write('Logged from file %s, line %s\n' % (record.filename, record.lineno))
            try:
                err.write('Message: %r\nArguments: %s\n' % (record.msg, record.args))
            except RecursionError:
                raise
            except Exception:
                err.write('Unable to print the message and arguments'
                          ' - possible formatting error.\nUse the'
                          ' traceback above to help find the error.\n')
        except OSError:
            pass
        finally:
            del exc_type, exc, tb

    def __repr__(self):
        return '<%s (%s)>' % (self.__class__.__name__, getLevelName(self.level))


class StreamHandler(Handler):
    """Write formatted records, each followed by ``terminator``, to a stream (default stderr)."""

    terminator = '\n'

    def __init__(self, stream=None):
        Handler.__init__(self)
        if stream is None:
            stream = sys.stderr
        self.stream = stream

    def flush(self):
        """Flush the stream."""
        with self.lock:
            if self.stream and hasattr(self.stream, "flush"):
                self.stream.flush()

    def emit(self, record):
        """Format and write ``record``; errors go to ``handleError``."""
        try:
            msg = self.format(record)
            stream = self.stream
            stream.write(msg + self.terminator)
            # A native writer queues the line for its worker thread; flush() (or close())
            # is what waits for it, so don't wait on every record.
            if not isinstance(stream, _native.AsyncWriter):
                self.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def setStream(self, stream):
        """Replace the stream; returns the old one (None when unchanged)."""
        if stream is self.stream:
            return None
        old = self.stream
        with self.lock:
            self.flush()
            self.stream = stream
        return old

    def __repr__(self):
        name = str(getattr(self.stream, 'name', ''))
        if name:
            name += ' '
        return '<%s %s(%s)>' % (self.__class__.__name__, name, getLevelName(self.level))

    __class_getitem__ = classmethod(GenericAlias)


class FileHandler(StreamHandler):
    """Write formatted records to a file."""

    def __init__(self, filename, mode='a', encoding=None, delay=False, errors=None):
        filename = os.fspath(filename)
        self.baseFilename = os.path.abspath(filename)
        self.mode = mode
        self.encoding = encoding
        if "b" not in mode:
            self.encoding = io.text_encoding(encoding)
        self.errors = errors
        self.delay = delay
        self._builtin_open = open
        if delay:
            Handler.__init__(self)
            self.stream = None
        else:
            StreamHandler.__init__(self, self._open())

    def close(self):
        """Flush and close the file."""
        with self.lock:
            try:
                if self.stream:
                    try:
                        self.flush()
                    finally:
                        stream = self.stream
                        self.stream = None
                        if hasattr(stream, "close"):
                            stream.close()
            finally:
                StreamHandler.close(self)

    def _open(self):
        """Open the file and return its stream: a native writer whose worker thread does the I/O.

        Binary modes and modes that read (``+``/``r``) get a plain Python file object.
        """
        mode = self.mode
        if 'b' in mode or '+' in mode or 'r' in mode:
            return self._builtin_open(self.baseFilename, mode,
                                      encoding=self.encoding, errors=self.errors)
        encoding = self.encoding
        if encoding == "locale":
            encoding = _locale_encoding()
        if 'a' not in mode:
            return _native.AsyncFile(self.baseFilename, mode, encoding=encoding, errors=self.errors)
        # Handlers appending to the same file share one writer, so their lines keep call order.
        key = (self.baseFilename, encoding, self.errors)
        with _pkg._lock:
            shared = _shared_appenders.get(key)
            if shared is not None and not shared.closed:
                return shared._share()
            writer = _native.AsyncFile(self.baseFilename, mode, encoding=encoding, errors=self.errors)
            _shared_appenders[key] = writer
            return writer

    def emit(self, record):
        """Open the file on first use (``delay``), then write."""
        if self.stream is None:
            if self.mode != 'w' or not self._closed:
                self.stream = self._open()
        if self.stream:
            StreamHandler.emit(self, record)

    def __repr__(self):
        return '<%s %s (%s)>' % (self.__class__.__name__, self.baseFilename,
                                 getLevelName(self.level))


def _locale_encoding():
    return locale.getpreferredencoding(False)


class _StderrHandler(StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (the last-resort handler)."""

    def __init__(self, level=NOTSET):
        Handler.__init__(self, level)

    @property
    def stream(self):
        return sys.stderr


class NullHandler(Handler):
    """Does nothing: lets a library have a handler without producing output."""

    def handle(self, record):
        """Do nothing."""

    def emit(self, record):
        """Do nothing."""

    def createLock(self):
        self.lock = None

    def _at_fork_reinit(self):
        pass


_native._register_native_handlers(StreamHandler, FileHandler)
