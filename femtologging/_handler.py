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
from . import _watch
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
    entry = weakref.ref(handler, _removeHandlerRef)
    with _pkg._lock:
        _handlerList.append(entry)


class Handler(Filterer, metaclass=_watch.ClassWatch):
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
            # Whatever the old name maps to leaves the registry, as in stdlib.
            _handlers.pop(self._name, None)
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
        verdict = self.filter(record)
        if not verdict:
            return verdict
        if isinstance(verdict, LogRecord):
            record = verdict
        self.acquire()
        try:
            self.emit(record)
        finally:
            self.release()
        return verdict

    def setFormatter(self, fmt):
        """Set the formatter."""
        self.formatter = fmt

    def flush(self):
        """Ensure all output has been written (no-op here)."""

    def close(self):
        """Tidy up; removes the handler from the name registry."""
        with _pkg._lock:
            self._closed = True
            if self._name:
                _handlers.pop(self._name, None)

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


_OVERFLOW_POLICIES = ('block', 'drop', 'timeout', 'drop_oldest')


def _overflow_options(policy, timeout, capacity):
    """Validate a ``set_overflow`` request; return the native writers' keyword arguments."""
    if hasattr(policy, '_femto_policy') and timeout is None:  # an OverflowPolicy object
        policy, timeout = policy._femto_policy
    if policy not in _OVERFLOW_POLICIES:
        raise ValueError("overflow policy must be 'block', 'drop', 'drop_oldest' or 'timeout', "
                         "not %r" % (policy,))
    if policy == 'timeout':
        if (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                or not timeout > 0 or timeout == float('inf')):
            raise ValueError("policy 'timeout' needs a timeout > 0 seconds, got %r" % (timeout,))
    elif timeout is not None:
        raise ValueError("timeout is only meaningful with policy 'timeout'")
    opts = {'overflow': policy}
    if timeout is not None:
        opts['timeout'] = float(timeout)
    if capacity is not None:
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError("capacity must be an int, not %s" % type(capacity).__name__)
        if capacity < 1:
            raise ValueError("capacity must be >= 1, got %d" % capacity)
        opts['capacity'] = capacity
    return opts


def _is_process_stdio(stream):
    """True when *stream* is the interpreter's own ``sys.__stdout__``/``sys.__stderr__``."""
    return stream is not None and (stream is sys.__stderr__ or stream is sys.__stdout__)


class StreamHandler(Handler):
    """Write formatted records, each followed by ``terminator``, to a stream (default stderr).

    femtologging: when the stream is the process's own ``sys.__stdout__`` or
    ``sys.__stderr__``, records are written to its file descriptor by a native
    worker thread (``handler.stream`` stays the Python object); ``flush()``
    waits for that worker. ``set_overflow`` and ``dropped`` control and report
    what the handler's native writers do when their queue is full.
    """

    terminator = '\n'
    # Defaults of femtologging's per-handler state (FileHandler(delay=True) skips __init__).
    _femto_overflow = None      # set_overflow() options, None: the writers' defaults
    _femto_applied = None       # the writer the options were last applied to
    _femto_dropped_base = 0     # drops counted by writers this handler no longer uses
    _femto_stdio = None         # native writer for the process's stdout/stderr
    _femto_stdio_for = None     # ... and the Python stream object it stands for

    def __init__(self, stream=None):
        Handler.__init__(self)
        if stream is None:
            stream = sys.stderr
        self.stream = stream

    def flush(self):
        """Flush the stream (and wait for the native worker writing it, if any)."""
        with self.lock:
            stream = self.stream
            stdio = self._femto_stdio
            writer = stdio if stdio is not None and self._femto_stdio_for is stream else stream
            if isinstance(writer, _native.AsyncWriter):
                try:
                    writer.flush()
                except OSError as exc:
                    # A worker's write failed earlier: report it as emit() would have.
                    _report_worker_error(self, exc, 40)
            if not isinstance(stream, _native.AsyncWriter) and stream and hasattr(stream, "flush"):
                stream.flush()

    def _femto_stdio_writer(self, stream):
        """The native writer for the process's stdout/stderr *stream* (None if unusable)."""
        writer = self._femto_stdio
        if writer is not None and self._femto_stdio_for is stream and not writer.closed:
            return writer
        try:
            fd = stream.fileno()
            # Whatever Python buffered so far goes out before the worker's first write.
            stream.flush()
            writer = _native.AsyncStream(fd, encoding=getattr(stream, 'encoding', None),
                                         errors=getattr(stream, 'errors', None),
                                         **(self._femto_overflow or {}))
        except (AttributeError, OSError, ValueError, LookupError, io.UnsupportedOperation):
            return None
        old = self._femto_stdio
        self._femto_stdio, self._femto_stdio_for = writer, stream
        self._femto_note(writer)
        if old is not None:
            self._femto_retire(old)
            old.close()
        return writer

    def emit(self, record):
        """Format and write ``record``; errors go to ``handleError``."""
        try:
            msg = self.format(record)
            stream = self.stream
            if isinstance(stream, _native.AsyncWriter):
                # A native writer queues the line for its worker thread; flush() (or close())
                # is what waits for it, so don't wait on every record.
                if self._femto_overflow is not None and stream is not self._femto_applied:
                    self._femto_rebuild()
                    stream = self.stream
                stream.write(msg + self.terminator, record.levelno)
                return
            if _is_process_stdio(stream) and self.__dict__.get('stream') is stream:
                writer = self._femto_stdio_writer(stream)
                if writer is not None:
                    writer.write(msg + self.terminator, record.levelno)
                    return
            stream.write(msg + self.terminator)
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

    def close(self):
        """Tidy up; waits for and stops the native stdout/stderr writer, if any."""
        with self.lock:
            writer = self._femto_stdio
            if writer is not None:
                self._femto_stdio = self._femto_stdio_for = None
                self._femto_retire(writer)
                try:
                    writer.close()
                except OSError:
                    pass
        Handler.close(self)

    # -- femtologging extensions: overflow policy and drop counter -------------------------

    def set_overflow(self, policy='block', timeout=None, capacity=None):
        """Choose what this handler's native writers do when their queue is full.

        ``'block'`` (the default, as the standard library never drops) waits for room;
        ``'drop'`` drops the record and counts it; ``'timeout'`` waits up to ``timeout``
        seconds, then drops and counts. ``capacity`` is the queue length in records.
        Applies to the current native writer (which is replaced, after being drained, by
        one with the new settings) and to every writer the handler opens later.
        """
        opts = _overflow_options(policy, timeout, capacity)
        with self.lock:
            self._femto_overflow = opts
            self._femto_rebuild()

    @property
    def dropped(self):
        """Records this handler's native writers dropped under the overflow policy.

        Always 0 with the default ``'block'`` policy. A writer shared with other handlers
        (handlers appending to the same file) counts their drops too.
        """
        with self.lock:
            current = (self.__dict__.get('stream'), self._femto_stdio)
            for writer in current:
                self._femto_note(writer)
            known = self.__dict__.get('_femto_known', ())
            for writer in [w for w in known if w.closed and not any(w is c for c in current)]:
                self._femto_retire(writer)  # closed by someone else (FileHandler.close...)
            return self._femto_dropped_base + sum(w.dropped for w in known)

    def _femto_note(self, writer):
        """Count *writer*'s drops as this handler's from now on."""
        if isinstance(writer, _native.AsyncWriter):
            known = self.__dict__.setdefault('_femto_known', [])
            if not any(w is writer for w in known):
                known.append(writer)

    def _femto_retire(self, writer):
        """Remember the drops of *writer*, which this handler stops using."""
        if isinstance(writer, _native.AsyncWriter):
            known = self.__dict__.get('_femto_known', [])
            for i, w in enumerate(known):
                if w is writer:
                    del known[i]
                    break
            self._femto_dropped_base = self._femto_dropped_base + writer.dropped

    def _femto_swap(self, factory):
        """Drain and close the current native writer, then install ``factory()``."""
        old = self.stream
        self.stream = None
        try:
            if old is not None:
                self._femto_retire(old)
                old.close()
        finally:
            self.stream = new = factory()
            self._femto_applied = new
            self._femto_note(new)

    def _femto_rebuild(self):
        """Give the handler a native writer with its current ``set_overflow`` options."""
        opts = self._femto_overflow or {}
        stdio = self._femto_stdio
        if stdio is not None:
            self._femto_stdio = None
            self._femto_retire(stdio)
            stdio.close()
            self._femto_stdio_writer(self._femto_stdio_for)
        stream = self.__dict__.get('stream')
        if type(stream) is _native.AsyncFile and getattr(self, 'baseFilename', None):
            # A file this handler opened: reopen it (appending) with the new options.
            encoding, errors = stream.encoding, getattr(self, 'errors', None)
            path = stream.path
            self._femto_swap(lambda: _native.AsyncFile(path, 'a', encoding=encoding,
                                                       errors=errors, **opts))
        else:
            # Not ours to reopen (a writer passed in by the caller): leave it as it is.
            self._femto_applied = stream
            self._femto_note(stream)

    def __repr__(self):
        name = str(getattr(self.stream, 'name', ''))
        if name:
            name += ' '
        return '<%s %s(%s)>' % (self.__class__.__name__, name, getLevelName(self.level))

    __class_getitem__ = classmethod(GenericAlias)


class FileHandler(StreamHandler):
    """Write formatted records to a file."""

    def __init__(self, filename, mode='a', encoding=None, delay=False, errors=None):
        self.baseFilename = os.path.abspath(os.fspath(filename))
        self.mode = mode
        # Text modes settle encoding=None here (an EncodingWarning names our caller).
        self.encoding = encoding if "b" in mode else io.text_encoding(encoding)
        self.errors = errors
        self.delay = delay
        self._builtin_open = open
        if not delay:
            opened = self._open()
            StreamHandler.__init__(self, opened)
            return
        # No file before the first record; ``stream`` exists meanwhile, as None.
        Handler.__init__(self)
        self.stream = None

    def close(self):
        """Flush and close the file."""
        with self.lock:
            try:
                self._close_stream()
            finally:
                # Even with no stream (delay=True, never written): this unregisters the
                # handler and marks it closed, which emit() checks.
                StreamHandler.close(self)

    def _close_stream(self):
        if not self.stream:
            return
        try:
            self.flush()
        finally:
            stream, self.stream = self.stream, None
            self._femto_note(stream)  # its drops stay this handler's
            if hasattr(stream, "close"):
                stream.close()

    def _open(self):
        """Open the file and return its stream: a native writer whose worker thread does the I/O.

        Binary modes and modes that read (``+``/``r``) get a plain Python file object.
        """
        mode = self.mode
        if 'b' in mode or '+' in mode or 'r' in mode:
            opener = self._builtin_open
            return opener(self.baseFilename, mode, encoding=self.encoding, errors=self.errors)
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
        # Once closed, a 'w' handler never reopens (and so truncates) its file.
        reopen_allowed = not (self._closed and self.mode == 'w')
        if self.stream is None and reopen_allowed:
            self.stream = self._open()
        if self.stream:
            StreamHandler.emit(self, record)

    def __repr__(self):
        return '<%s %s (%s)>' % (self.__class__.__name__, self.baseFilename,
                                 getLevelName(self.level))


def _report_worker_error(handler, exc, levelno):
    """Report *exc*, an I/O error *handler*'s worker thread met, through ``handleError``.

    The engine calls this with the handler's next record; the failed records themselves were
    handed over earlier, so the report names the loss rather than this record.
    """
    record = LogRecord(handler.get_name() or '', levelno, '', 0,
                       'records handed to a worker thread could not be written: %s', (exc,), None)
    try:
        raise exc
    except OSError:
        handler.handleError(record)


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


_watch.watch_instances(Handler)
_native._register_native_handlers(StreamHandler, FileHandler)
# An exact StreamHandler on a Python stream (StringIO...) is written by the engine directly.
_native._register_stream_handlers(StreamHandler)
# Their emit only formats and writes: with a Python formatter (a Formatter subclass) and a native
# writer, the engine calls the formatter and queues the line without the Python handler frames.
_native._register_formatted_handlers(StreamHandler, FileHandler)
