//! Python classes over `Writer`: `AsyncWriter` (base), `AsyncFile`, `AsyncStream`, `AsyncSocket`.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use smallvec::SmallVec;
use pyo3::types::{PyByteArray, PyBytes, PyString, PyTuple};
use pyo3::PyClassInitializer;

use super::file::{FileMode, FileSpec};
use super::queue::{Item, Overflow, SendError, DEFAULT_CAPACITY, DEFAULT_MAX_BYTES};
use super::sink::SinkSpec;
use super::socket::{Address, Retry, SocketKind, SocketSpec, RETRY_FACTOR, RETRY_MAX, RETRY_START};
use super::stream::StreamSpec;
use super::timed::TimedSpec;
use super::writer::{self, Pause, Writer, WriterOptions};

/// Map an `io::Error` to the `OSError` subclass Python would raise (errno-based).
/// A worker error that cost records carries the count as a note on the exception.
pub fn os_error(e: io::Error, filename: Option<&str>) -> PyErr {
    let (inner, lost) = super::queue::losses(&e);
    let err = plain_os_error(inner, filename);
    if lost > 0 {
        Python::attach(|py| {
            let note = format!("femtologging: {lost} record(s) could not be written since the last report");
            let _ = err.value(py).call_method1("add_note", (note,));
        });
    }
    err
}

fn plain_os_error(e: &io::Error, filename: Option<&str>) -> PyErr {
    match e.raw_os_error() {
        Some(errno) => {
            let text = io::Error::from_raw_os_error(errno).to_string();
            let msg = match text.rfind(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            match filename {
                Some(f) => PyOSError::new_err((errno, msg, f.to_string())),
                None => PyOSError::new_err((errno, msg)),
            }
        }
        None => PyOSError::new_err(e.to_string()),
    }
}

fn send_error(e: SendError) -> PyErr {
    match e {
        SendError::Closed => PyValueError::new_err("I/O operation on closed file."),
        SendError::Io(e) => os_error(e, None),
    }
}

/// How `write(str)` turns text into bytes.
enum Codec {
    /// UTF-8, done natively. Only text holding lone surrogates can fail to encode; for that text
    /// alone the error handler (`None`: strict) runs through `str.encode`. Every other text
    /// encodes to the same bytes under any handler, so native handlers may encode on the worker.
    Utf8 { errors: Option<String> },
    /// Anything else: a Python incremental encoder on the calling thread, so a byte-order mark
    /// (UTF-16, UTF-32, utf-8-sig) is written once at the start of the file, as a text file does.
    Python { encoding: String, encoder: Py<PyAny> },
}

impl Codec {
    /// `continuing` is true when writing continues an existing non-empty file (append mode):
    /// then no byte-order mark is written at all.
    fn resolve(py: Python<'_>, encoding: Option<&str>, errors: Option<&str>, continuing: bool) -> PyResult<Codec> {
        let codecs = crate::globals::module(py, "codecs")?;
        if let Some(errors) = errors {
            codecs.call_method1("lookup_error", (errors,))?;
        }
        let errors = errors.unwrap_or("strict").to_string();
        let name: String = match encoding {
            None => "utf-8".to_string(),
            Some(enc) => codecs.call_method1("lookup", (enc,))?.getattr("name")?.extract()?,
        };
        if name == "utf-8" {
            return Ok(Codec::Utf8 { errors: (errors != "strict").then_some(errors) });
        }
        let encoder = codecs.call_method1("getincrementalencoder", (name.as_str(),))?.call1((errors.as_str(),))?;
        if continuing {
            encoder.call_method1("setstate", (0,))?;
        }
        Ok(Codec::Python { encoding: name, encoder: encoder.unbind() })
    }

    /// The texts encoded one after the other, into one buffer.
    fn encode_all(&self, texts: &[&Bound<'_, PyString>]) -> PyResult<Vec<u8>> {
        if let Codec::Utf8 { .. } = self {
            let parts: Option<SmallVec<[&str; 2]>> = texts.iter().map(|t| t.to_str().ok()).collect();
            if let Some(parts) = parts {
                return Ok(parts.concat().into_bytes());
            }
        }
        Ok(texts.iter().map(|t| self.encode(t)).collect::<PyResult<Vec<_>>>()?.concat())
    }

    fn encode(&self, text: &Bound<'_, PyString>) -> PyResult<Vec<u8>> {
        match self {
            Codec::Utf8 { errors } => match (text.to_str(), errors) {
                (Ok(s), _) => Ok(s.as_bytes().to_vec()),
                // Strict: the UnicodeEncodeError of lone surrogates, as str.encode would raise.
                (Err(e), None) => Err(e),
                (Err(_), Some(errors)) => {
                    let out = text.call_method1(pyo3::intern!(text.py(), "encode"), ("utf-8", errors.as_str()))?;
                    Ok(out.cast_into::<PyBytes>()?.as_bytes().to_vec())
                }
            },
            Codec::Python { encoding, encoder } => {
                let out = encoder.bind(text.py()).call_method1("encode", (text,))?;
                let bytes = out.cast::<PyBytes>().map_err(|_| {
                    PyTypeError::new_err(format!("encoder {encoding:?} did not return bytes"))
                })?;
                Ok(bytes.as_bytes().to_vec())
            }
        }
    }
}

pub(crate) fn options(
    capacity: i64,
    queue_bytes: i64,
    overflow: &str,
    timeout: Option<f64>,
    delay: bool,
    warn: bool,
) -> PyResult<WriterOptions> {
    if capacity < 1 {
        return Err(PyValueError::new_err(format!(
            "capacity must be >= 1, got {capacity}"
        )));
    }
    if queue_bytes < 1 {
        return Err(PyValueError::new_err(format!(
            "queue_bytes must be >= 1, got {queue_bytes}"
        )));
    }
    let overflow =
        Overflow::parse(overflow, timeout).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(WriterOptions {
        capacity: capacity as usize,
        max_bytes: queue_bytes as usize,
        overflow,
        delay,
        warn_on_drop: warn,
    })
}

/// Base class: an asynchronous writer whose worker thread writes off the calling thread.
#[pyclass(subclass, frozen, weakref, module = "femtologging._femtologging")]
pub struct AsyncWriter {
    writer: Writer,
    codec: Codec,
    name: String,
    pause: Mutex<Option<Pause>>,
    /// Owners sharing this writer (handlers appending to the same file); `close()` by one owner
    /// only flushes, the last one closes.
    shares: AtomicUsize,
}

impl AsyncWriter {
    pub(crate) fn build(
        py: Python<'_>,
        spec: Arc<dyn SinkSpec>,
        opts: WriterOptions,
        encoding: Option<&str>,
        errors: Option<&str>,
        name: String,
        filename: Option<&str>,
        continuing: bool,
    ) -> PyResult<AsyncWriter> {
        let codec = Codec::resolve(py, encoding, errors, continuing)?;
        let writer = Writer::new(spec, opts).map_err(|e| os_error(e, filename))?;
        Ok(AsyncWriter {
            writer,
            codec,
            name,
            pause: Mutex::new(None),
            shares: AtomicUsize::new(1),
        })
    }

    /// The Rust handle (for native handlers).
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// True when `write(str)` is UTF-8 (any error handler), so native handlers, whose text never
    /// holds lone surrogates, may encode on the worker.
    pub fn is_native_utf8(&self) -> bool {
        matches!(self.codec, Codec::Utf8 { .. })
    }

    /// The writer behind `obj` when `obj` is one of the native text writers (`AsyncWriter`,
    /// `AsyncFile`, `AsyncStream`, exact types: a Python subclass may replace `write`) and
    /// encodes natively as UTF-8.
    pub(crate) fn native_text<'a, 'py>(obj: &'a Bound<'py, PyAny>) -> Option<&'a AsyncWriter> {
        let py = obj.py();
        let ty = obj.get_type();
        let known = ty.is(py.get_type::<AsyncFile>()) || ty.is(py.get_type::<AsyncStream>()) || ty.is(py.get_type::<AsyncWriter>());
        let w = obj.cast::<AsyncWriter>().ok().filter(|_| known)?.get();
        w.is_native_utf8().then_some(w)
    }

    /// `write(text, level)` for several texts queued as one record (a formatted line and its
    /// terminator: no joined str is built). UTF-8 encodes code point by code point, so the
    /// encodings concatenated are the joined text's.
    pub(crate) fn write_texts(&self, py: Python<'_>, texts: &[&Bound<'_, PyString>], level: Option<i64>) -> PyResult<()> {
        if self.writer.is_closed() {
            return Err(send_error(SendError::Closed));
        }
        let bytes = match texts {
            [one] => self.codec.encode(one)?,
            _ => self.codec.encode_all(texts)?,
        };
        // A record of no known level is still waited for in synchronous mode.
        self.send(py, bytes, Some(level.unwrap_or(i64::MIN)))
    }

    /// Queue `bytes` as one record of `level` (see `delivery::send`; `None`: never waited for).
    fn send(&self, py: Python<'_>, bytes: Vec<u8>, level: Option<i64>) -> PyResult<()> {
        super::delivery::send(py, &self.writer, Item::Bytes(bytes), level).map_err(send_error)
    }
}

#[pymethods]
impl AsyncWriter {
    /// Queue `text`, encoded with this writer's encoding and error handler. `level`, the
    /// record's level, decides whether the call waits until it is written (see `flush_on`).
    #[pyo3(signature = (text, level=None))]
    fn write(&self, py: Python<'_>, text: &Bound<'_, PyString>, level: Option<i64>) -> PyResult<()> {
        self.write_texts(py, &[text], level)
    }

    /// Queue raw bytes (bytes, bytearray or any buffer) as one record.
    fn write_bytes(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let bytes = if let Ok(b) = data.cast::<PyBytes>() {
            b.as_bytes().to_vec()
        } else if let Ok(b) = data.cast::<PyByteArray>() {
            b.to_vec()
        } else {
            if data.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(
                    "a bytes-like object is required, not 'str'",
                ));
            }
            let converted = py.get_type::<PyBytes>().call1((data,)).map_err(|_| {
                let tname = data
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default();
                PyTypeError::new_err(format!("a bytes-like object is required, not '{tname}'"))
            })?;
            converted.cast::<PyBytes>()?.as_bytes().to_vec()
        };
        self.send(py, bytes, None)
    }

    /// Block until everything written before is handed to the OS; raise the worker's last error.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        let w = self.writer.clone();
        py.detach(move || w.flush()).map_err(|e| os_error(e, None))
    }

    /// Another owner for this writer (see `close`); returns the writer itself.
    fn _share(slf: &Bound<'_, Self>) -> PyResult<Py<Self>> {
        if slf.get().writer.is_closed() {
            return Err(send_error(SendError::Closed));
        }
        slf.get().shares.fetch_add(1, Ordering::AcqRel);
        Ok(slf.clone().unbind())
    }

    /// Drain, flush and close; joins the worker thread. Idempotent. A writer shared by several
    /// owners is only flushed until its last owner closes it.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        if self.shares.load(Ordering::Acquire) > 1 && self.shares.fetch_sub(1, Ordering::AcqRel) > 1 {
            return self.flush(py);
        }
        self.pause.lock().take();
        let w = self.writer.clone();
        py.detach(move || w.close()).map_err(|e| os_error(e, None))
    }

    /// Context manager entry: returns the writer itself.
    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// Context manager exit: closes the writer (exceptions propagate).
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _tb: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.writer.is_closed()
    }

    /// Number of records dropped (queue full under a dropping policy, or peer down).
    #[getter]
    fn dropped(&self) -> u64 {
        self.writer.dropped()
    }

    /// Destination description (absolute path for files).
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// Test hook: return once the worker has written everything and parked.
    fn _pause(&self, py: Python<'_>) -> PyResult<()> {
        let w = self.writer.clone();
        let p = py.detach(move || w.pause()).map_err(send_error)?;
        *self.pause.lock() = Some(p);
        Ok(())
    }

    /// Test hook: let a paused worker continue.
    fn _resume(&self) {
        self.pause.lock().take();
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let me = slf.get();
        let closed = if me.writer.is_closed() {
            " (closed)"
        } else {
            ""
        };
        Ok(format!(
            "<{} {}{}>",
            slf.get_type().name()?,
            me.name,
            closed
        ))
    }
}

/// A log file written by a worker thread (optionally size-rotating and/or watched).
#[pyclass(extends = AsyncWriter, frozen, module = "femtologging._femtologging")]
pub struct AsyncFile {
    path: String,
    mode: String,
    encoding: Option<String>,
    max_bytes: u64,
    backup_count: u32,
    rollover_at: Option<Arc<AtomicI64>>,
}

/// Seconds after midnight from an int or an object with hour/minute/second (datetime.time).
fn at_time_seconds(at: &Bound<'_, PyAny>) -> PyResult<i64> {
    if let Ok(n) = at.extract::<i64>() {
        return Ok(n);
    }
    let part = |name: &str| -> PyResult<i64> { at.getattr(name)?.extract() };
    match (part("hour"), part("minute"), part("second")) {
        (Ok(h), Ok(m), Ok(sec)) => Ok((h * 60 + m) * 60 + sec),
        _ => Err(PyTypeError::new_err(
            "at_time must be a datetime.time or seconds after midnight",
        )),
    }
}

#[pymethods]
impl AsyncFile {
    #[new]
    #[pyo3(signature = (path, mode="a", encoding=None, errors=None, *, delay=false, capacity=DEFAULT_CAPACITY as i64,
        overflow="block", timeout=None, queue_bytes=DEFAULT_MAX_BYTES as i64, max_bytes=0, backup_count=0, watch=false, when=None, interval=1, utc=false,
        at_time=None, roll_empty=true, count_chars=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        mode: &str,
        encoding: Option<&str>,
        errors: Option<&str>,
        delay: bool,
        capacity: i64,
        overflow: &str,
        timeout: Option<f64>,
        queue_bytes: i64,
        max_bytes: i64,
        backup_count: i64,
        watch: bool,
        when: Option<&str>,
        interval: i64,
        utc: bool,
        at_time: Option<&Bound<'_, PyAny>>,
        roll_empty: bool,
        count_chars: bool,
    ) -> PyResult<PyClassInitializer<AsyncFile>> {
        let os = crate::globals::module(py, "os")?;
        let fspath = os.call_method1("fspath", (path,))?;
        let decoded = os.call_method1("fsdecode", (fspath,))?;
        let abs: String = os
            .getattr("path")?
            .call_method1("abspath", (decoded,))?
            .extract()?;
        if abs.contains('\0') {
            return Err(PyValueError::new_err("embedded null byte"));
        }
        let parsed = FileMode::parse(mode).map_err(|e| PyValueError::new_err(e.to_string()))?;
        // Appending to a non-empty file continues its text: no second byte-order mark.
        let parsed_appends_to_nonempty =
            mode.contains('a') && std::fs::metadata(&abs).map(|m| m.len() > 0).unwrap_or(false);
        if mode.contains('b') && encoding.is_some() {
            return Err(PyValueError::new_err(
                "binary mode doesn't take an encoding argument",
            ));
        }
        if mode.contains('b') && errors.is_some() {
            return Err(PyValueError::new_err(
                "binary mode doesn't take an errors argument",
            ));
        }
        if max_bytes < 0 {
            return Err(PyValueError::new_err("max_bytes must be >= 0"));
        }
        if backup_count < 0 || backup_count > u32::MAX as i64 {
            return Err(PyValueError::new_err("backup_count must be >= 0"));
        }
        let timed = match when {
            None => None,
            Some(_) if max_bytes > 0 => {
                return Err(PyValueError::new_err(
                    "rotate by size (max_bytes) or by time (when), not both",
                ))
            }
            Some(w) => {
                let at = at_time.map(at_time_seconds).transpose()?;
                Some(
                    TimedSpec::parse(w, interval, utc, at, backup_count as u32)
                        .map_err(|e| PyValueError::new_err(e.to_string()))?,
                )
            }
        };
        if let Some(t) = &timed {
            // Like the stdlib: schedule from the existing file's mtime, else from now.
            let mtime = std::fs::metadata(&abs)
                .ok()
                .map(|m| std::os::unix::fs::MetadataExt::mtime(&m));
            t.start(mtime.unwrap_or_else(super::timed::now_secs));
        }
        let rollover_at = timed.as_ref().map(|t| t.rollover_at.clone());
        let spec = FileSpec {
            path: PathBuf::from(&abs),
            mode: parsed,
            max_bytes: max_bytes as u64,
            backup_count: backup_count as u32,
            roll_empty,
            count_chars,
            watch,
            timed,
        };
        let opts = options(capacity, queue_bytes, overflow, timeout, delay, true)?;
        let base = AsyncWriter::build(
            py,
            Arc::new(spec),
            opts,
            encoding,
            errors,
            abs.clone(),
            Some(&abs),
            parsed_appends_to_nonempty,
        )?;
        let sub = AsyncFile {
            path: abs,
            mode: mode.to_string(),
            encoding: encoding.map(str::to_string),
            max_bytes: max_bytes as u64,
            backup_count: backup_count as u32,
            rollover_at,
        };
        Ok(PyClassInitializer::from(base).add_subclass(sub))
    }

    /// Absolute path of the live file.
    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    /// The mode given at construction.
    #[getter]
    fn mode(&self) -> &str {
        &self.mode
    }

    /// The encoding given at construction (None means UTF-8).
    #[getter]
    fn encoding(&self) -> Option<&str> {
        self.encoding.as_deref()
    }

    /// Rotation threshold in bytes (0: none).
    #[getter]
    fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Number of backups kept.
    #[getter]
    fn backup_count(&self) -> u32 {
        self.backup_count
    }

    /// Next timed rollover (Unix seconds), None without `when` (0 until the file is opened).
    #[getter]
    fn rollover_at(&self) -> Option<i64> {
        self.rollover_at.as_ref().map(|r| r.load(Ordering::Acquire))
    }

    /// Reschedule the next timed rollover (Unix seconds); ValueError without `when`.
    #[setter]
    fn set_rollover_at(&self, at: i64) -> PyResult<()> {
        match &self.rollover_at {
            Some(r) => {
                r.store(at, Ordering::Release);
                Ok(())
            }
            None => Err(PyValueError::new_err("this file does not rotate by time")),
        }
    }

    /// Current file size plus bytes queued (cheap; for shouldRollover-style checks).
    fn tell(slf: &Bound<'_, Self>) -> u64 {
        slf.as_super().get().writer.tell()
    }

    /// Descriptor of the open file (raises ValueError while not open, e.g. with delay). A file
    /// not open in this process yet (a forked child's, records still queued) is opened first:
    /// gunicorn's workers ask for it at start.
    fn fileno(slf: &Bound<'_, Self>) -> PyResult<i32> {
        let w = slf.as_super().get().writer.clone();
        if w.is_closed() {
            return Err(send_error(SendError::Closed));
        }
        if w.owned_fd().is_none() {
            let child = w.clone();
            slf.py().detach(move || child.open_here()).map_err(|e| os_error(e, None))?;
        }
        w.owned_fd()
            .ok_or_else(|| PyValueError::new_err("file is not open yet"))
    }

    /// Reopen if the path now names another file or vanished (WatchedFileHandler semantics).
    fn reopen(slf: &Bound<'_, Self>) -> PyResult<()> {
        slf.as_super().get().writer.reopen().map_err(send_error)
    }

    /// Rotate now (`path -> path.1 ...`; needs backup_count > 0).
    fn rotate(slf: &Bound<'_, Self>) -> PyResult<()> {
        slf.as_super().get().writer.rotate().map_err(send_error)
    }
}

/// A raw descriptor (1, 2 or any fd) written by a worker thread with unbuffered write(2).
#[pyclass(extends = AsyncWriter, frozen, module = "femtologging._femtologging")]
pub struct AsyncStream {
    fd: i32,
}

#[pymethods]
impl AsyncStream {
    #[new]
    #[pyo3(signature = (fd, *, encoding=None, errors=None, capacity=DEFAULT_CAPACITY as i64, overflow="block", timeout=None,
        queue_bytes=DEFAULT_MAX_BYTES as i64))]
    fn new(
        py: Python<'_>,
        fd: i32,
        encoding: Option<&str>,
        errors: Option<&str>,
        capacity: i64,
        overflow: &str,
        timeout: Option<f64>,
        queue_bytes: i64,
    ) -> PyResult<PyClassInitializer<AsyncStream>> {
        if fd < 0 {
            return Err(PyValueError::new_err(format!("fd must be >= 0, got {fd}")));
        }
        let name = match fd {
            1 => "<stdout>".to_string(),
            2 => "<stderr>".to_string(),
            n => format!("<fd {n}>"),
        };
        let opts = options(capacity, queue_bytes, overflow, timeout, false, true)?;
        let base = AsyncWriter::build(
            py,
            Arc::new(StreamSpec { fd }),
            opts,
            encoding,
            errors,
            name,
            None,
            false,
        )?;
        Ok(PyClassInitializer::from(base).add_subclass(AsyncStream { fd }))
    }

    /// The descriptor written to.
    fn fileno(&self) -> i32 {
        self.fd
    }
}

/// A socket (tcp, udp, unix, unix_dgram) written by a worker thread. Records sent while a
/// stream peer is down are dropped and counted (as the standard library loses them); a full
/// queue blocks by default, as every other writer does.
#[pyclass(extends = AsyncWriter, frozen, module = "femtologging._femtologging")]
pub struct AsyncSocket {
    kind: String,
    address: Py<PyAny>,
    retry: Arc<Retry>,
}

fn check_retry(start: f64, factor: f64, max: f64) -> PyResult<()> {
    if [start, factor, max].iter().all(|v| v.is_finite() && *v >= 0.0) {
        Ok(())
    } else {
        Err(PyValueError::new_err("retry_start, retry_factor and retry_max must be finite numbers >= 0"))
    }
}

#[pymethods]
impl AsyncSocket {
    #[new]
    #[pyo3(signature = (kind, address, *, capacity=DEFAULT_CAPACITY as i64, overflow="block", timeout=None,
        retry_start=RETRY_START, retry_factor=RETRY_FACTOR, retry_max=RETRY_MAX, queue_bytes=DEFAULT_MAX_BYTES as i64))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        kind: &str,
        address: &Bound<'_, PyAny>,
        capacity: i64,
        overflow: &str,
        timeout: Option<f64>,
        retry_start: f64,
        retry_factor: f64,
        retry_max: f64,
        queue_bytes: i64,
    ) -> PyResult<PyClassInitializer<AsyncSocket>> {
        check_retry(retry_start, retry_factor, retry_max)?;
        let retry = Retry::new(retry_start, retry_factor, retry_max);
        let k = SocketKind::parse(kind).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let addr = if k.is_unix() {
            let os = crate::globals::module(py, "os")?;
            let p: String = os
                .call_method1("fsdecode", (os.call_method1("fspath", (address,))?,))?
                .extract()?;
            Address::Path(PathBuf::from(p))
        } else {
            let t = address
                .cast::<PyTuple>()
                .map_err(|_| PyTypeError::new_err("address must be a (host, port) tuple"))?;
            if t.len() != 2 {
                return Err(PyTypeError::new_err("address must be a (host, port) tuple"));
            }
            let host: Option<String> = t.get_item(0)?.extract()?;
            let port: i64 = t.get_item(1)?.extract()?;
            if !(0..=65535).contains(&port) {
                return Err(PyValueError::new_err(format!(
                    "port must be 0-65535, got {port}"
                )));
            }
            Address::Inet(host.unwrap_or_else(|| "localhost".to_string()), port as u16)
        };
        let spec = SocketSpec {
            kind: k,
            address: addr,
            retry: retry.clone(),
        };
        let name = spec.label();
        let opts = options(capacity, queue_bytes, overflow, timeout, false, true)?;
        let base = AsyncWriter::build(py, Arc::new(spec), opts, None, None, name, None, false)?;
        Ok(PyClassInitializer::from(base).add_subclass(AsyncSocket {
            kind: kind.to_string(),
            address: address.clone().unbind(),
            retry,
        }))
    }

    /// Unix time (seconds) before which a stream socket will not try to reconnect, or None
    /// while connected (or before any failure).
    #[getter]
    fn retry_at(&self) -> Option<f64> {
        self.retry.retry_at()
    }

    /// Whether a stream socket is connected right now (always False for datagram sockets).
    #[getter]
    fn connected(&self) -> bool {
        self.retry.connected()
    }

    /// Change the reconnect backoff (seconds): first delay, growth factor, cap.
    fn set_retry(&self, start: f64, factor: f64, max: f64) -> PyResult<()> {
        check_retry(start, factor, max)?;
        self.retry.set(start, factor, max);
        Ok(())
    }

    /// 'tcp', 'udp', 'unix' or 'unix_dgram'.
    #[getter]
    fn kind(&self) -> &str {
        &self.kind
    }

    /// The address given at construction.
    #[getter]
    fn address(&self, py: Python<'_>) -> Py<PyAny> {
        self.address.clone_ref(py)
    }
}

/// Report an I/O error of a handler's worker (stored, then handed to a later record of that
/// handler) through the handler's `handleError`, as `emit` reports its own errors.
pub fn report_worker_error(
    py: Python<'_>,
    owner: &Bound<'_, pyo3::types::PyWeakrefReference>,
    e: io::Error,
    levelno: i64,
) -> PyResult<()> {
    use pyo3::types::PyWeakrefMethods;
    let Some(handler) = owner.upgrade() else { return Ok(()) };
    let exc = os_error(e, None);
    let glue = py.import("femtologging._handler")?.getattr("_report_worker_error")?;
    glue.call1((handler, exc.value(py), levelno))?;
    Ok(())
}

/// Records dropped (overflow policy, unreachable peer) or lost to I/O errors so far by every
/// writer of this process.
#[pyfunction]
fn dropped_total() -> u64 {
    super::queue::total_dropped()
}

/// Flush every live asynchronous writer (raises the first error after trying all).
#[pyfunction]
fn flush_all(py: Python<'_>) -> PyResult<()> {
    py.detach(writer::flush_all).map_err(|e| os_error(e, None))
}

/// Close every live asynchronous writer (raises the first error after trying all).
#[pyfunction]
fn close_all(py: Python<'_>) -> PyResult<()> {
    py.detach(writer::close_all).map_err(|e| os_error(e, None))
}

/// Flush every writer before fork() so handled records are written (for os.register_at_fork).
#[pyfunction]
fn before_fork(py: Python<'_>) {
    py.detach(writer::before_fork_flush_all)
}

/// Register the classes and functions on the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<AsyncWriter>()?;
    m.add_class::<AsyncFile>()?;
    m.add_class::<AsyncStream>()?;
    m.add_class::<AsyncSocket>()?;
    m.add_function(wrap_pyfunction!(flush_all, m)?)?;
    m.add_function(wrap_pyfunction!(close_all, m)?)?;
    m.add_function(wrap_pyfunction!(before_fork, m)?)?;
    m.add_function(wrap_pyfunction!(dropped_total, m)?)?;
    Ok(())
}
