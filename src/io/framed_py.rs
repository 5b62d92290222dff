//! Python face of the framed (MessagePack) socket writer, frame decoding and bounded flushes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use pyo3::PyClassInitializer;

use super::framed::{Backoff, FramedSinkSpec, FramedSpec, Status, Target};
use super::msgpack::{decode_frames, encode_frame, WireRecord, WIRE_FORMAT};
use super::py::{options, os_error, AsyncWriter};
use super::queue::DEFAULT_CAPACITY;
use super::tls::TlsSettings;
use crate::native_record::KvValue;

/// A configuration the framed socket cannot use.
#[derive(Debug, thiserror::Error)]
enum FramedConfigError {
    #[error("TLS needs a TCP destination, not a Unix socket")]
    TlsOverUnix,
    #[error("{0} must be > 0 ms")]
    NonPositive(&'static str),
    #[error("max_frame_size must be between 1 and 4294967295 bytes")]
    FrameSize,
    #[error(transparent)]
    Tls(#[from] super::tls::TlsError),
}

impl From<FramedConfigError> for PyErr {
    fn from(e: FramedConfigError) -> PyErr {
        PyValueError::new_err(e.to_string())
    }
}

fn millis(name: &'static str, ms: u64) -> Result<Duration, FramedConfigError> {
    if ms == 0 {
        return Err(FramedConfigError::NonPositive(name));
    }
    Ok(Duration::from_millis(ms))
}

/// Writer sending each record as a length-prefixed MessagePack map (TCP, TLS or Unix socket).
#[pyclass(extends = AsyncWriter, frozen, module = "femtologging._femtologging")]
pub struct FramedSocket {
    status: Arc<Status>,
    address: String,
}

#[pymethods]
impl FramedSocket {
    #[new]
    #[pyo3(signature = (host=None, port=0, *, unix_path=None, capacity=DEFAULT_CAPACITY as i64, overflow="drop",
        timeout=None, max_frame_size=1<<20, connect_timeout_ms=5000, write_timeout_ms=1000,
        backoff=(100, 5000, 30000, None), tls_server_name=None, tls_ca_file=None, tls_insecure=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: Option<String>,
        port: u16,
        unix_path: Option<PathBuf>,
        capacity: i64,
        overflow: &str,
        timeout: Option<f64>,
        max_frame_size: u64,
        connect_timeout_ms: u64,
        write_timeout_ms: u64,
        backoff: (u64, u64, u64, Option<u64>),
        tls_server_name: Option<String>,
        tls_ca_file: Option<String>,
        tls_insecure: bool,
    ) -> PyResult<PyClassInitializer<FramedSocket>> {
        let target = match unix_path {
            Some(p) => Target::Unix(p),
            None => Target::Tcp(host.unwrap_or_else(|| "localhost".into()), port),
        };
        let tls = match (&tls_server_name, &target) {
            (None, _) => None,
            (Some(_), Target::Unix(_)) => return Err(FramedConfigError::TlsOverUnix.into()),
            (Some(name), _) => Some(
                TlsSettings::new(name, tls_ca_file.as_deref(), tls_insecure).map_err(FramedConfigError::from)?,
            ),
        };
        if max_frame_size == 0 || max_frame_size > u32::MAX as u64 {
            return Err(FramedConfigError::FrameSize.into());
        }
        let (base, cap, reset_after, deadline) = backoff;
        let spec = Arc::new(FramedSpec {
            target,
            tls,
            connect_timeout: millis("connect_timeout_ms", connect_timeout_ms)?,
            write_timeout: millis("write_timeout_ms", write_timeout_ms)?,
            max_frame: max_frame_size as usize,
            backoff: Backoff {
                base: millis("base_ms", base)?,
                cap: millis("cap_ms", cap.max(base))?,
                reset_after: Duration::from_millis(reset_after),
                deadline: deadline.map(Duration::from_millis),
            },
            status: Arc::new(Status::default()),
        });
        let status = spec.status.clone();
        let sink = FramedSinkSpec(spec);
        let name = super::sink::SinkSpec::label(&sink);
        let opts = options(capacity, super::queue::DEFAULT_MAX_BYTES as i64, overflow, timeout, false, true)?;
        let base = AsyncWriter::build(py, Arc::new(sink), opts, None, None, name.clone(), None, false)?;
        Ok(PyClassInitializer::from(base).add_subclass(FramedSocket { status, address: name }))
    }

    /// Whether the worker holds a connection right now.
    #[getter]
    fn connected(&self) -> bool {
        self.status.connected.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Frames completely handed to the socket so far.
    #[getter]
    fn frames_sent(&self) -> u64 {
        self.status.frames.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records dropped because their frame exceeded `max_frame_size` (also in `dropped`).
    #[getter]
    fn oversized(&self) -> u64 {
        self.status.oversized.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The last connection, TLS or encoding error the worker met, or None.
    #[getter]
    fn last_error(&self) -> Option<String> {
        self.status.last_error.lock().clone()
    }

    /// Description of the destination, e.g. ``tls:logs.example.com:9020``.
    #[getter]
    fn destination(&self) -> &str {
        &self.address
    }
}

fn record_dict<'py>(py: Python<'py>, r: WireRecord) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("logger", r.logger)?;
    d.set_item("level", r.level)?;
    d.set_item("message", r.message)?;
    d.set_item("timestamp_ns", r.timestamp_ns)?;
    d.set_item("filename", r.filename)?;
    d.set_item("line_number", r.line_number)?;
    d.set_item("module_path", r.module_path)?;
    d.set_item("thread_id", r.thread_id)?;
    d.set_item("thread_name", r.thread_name)?;
    let kv = PyDict::new(py);
    for (k, v) in r.key_values {
        match v {
            KvValue::None => kv.set_item(k, py.None())?,
            KvValue::Bool(b) => kv.set_item(k, b)?,
            KvValue::Int(i) => kv.set_item(k, i)?,
            KvValue::Float(f) => kv.set_item(k, f)?,
            KvValue::Str(s) => kv.set_item(k, s)?,
        }
    }
    d.set_item("key_values", kv)?;
    Ok(d)
}

/// Decode the complete frames at the start of ``data``: ``(records, bytes_used)``.
#[pyfunction]
fn _decode_frames<'py>(py: Python<'py>, data: &[u8]) -> PyResult<(Bound<'py, PyList>, usize)> {
    let (records, used) = decode_frames(data).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let out = PyList::empty(py);
    for r in records {
        out.append(record_dict(py, r)?)?;
    }
    Ok((out, used))
}

/// Count the complete frames at the start of ``data`` without decoding: ``(count, bytes_used)``.
#[pyfunction]
fn _count_frames(data: &[u8]) -> (usize, usize) {
    let (mut n, mut at) = (0, 0);
    while data.len() - at >= 4 {
        let len = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        if data.len() - at - 4 < len {
            break;
        }
        n += 1;
        at += 4 + len;
    }
    (n, at)
}

/// Encode one record given as keyword fields into a frame (for tests and tools).
#[pyfunction]
#[pyo3(signature = (logger, level, message, timestamp_ns=0, filename=String::new(), line_number=0, module_path=String::new()))]
fn _encode_frame<'py>(
    py: Python<'py>,
    logger: String,
    level: String,
    message: String,
    timestamp_ns: u64,
    filename: String,
    line_number: u32,
    module_path: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let r = WireRecord {
        logger,
        level,
        message,
        timestamp_ns,
        filename,
        line_number,
        module_path,
        thread_id: None,
        thread_name: None,
        key_values: Default::default(),
    };
    let mut out = Vec::new();
    encode_frame(&r, &mut out).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyBytes::new(py, &out))
}

/// Flush ``writer`` waiting at most ``seconds``: True when done in time (raises its I/O error).
#[pyfunction]
fn _flush_within(py: Python<'_>, writer: &Bound<'_, AsyncWriter>, seconds: f64) -> PyResult<bool> {
    if !(seconds.is_finite() && seconds >= 0.0) {
        return Err(PyValueError::new_err("timeout must be a finite number >= 0"));
    }
    let w = writer.get().writer().clone();
    match py.detach(move || w.flush_within(Duration::from_secs_f64(seconds))) {
        None => Ok(false),
        Some(Ok(())) => Ok(true),
        Some(Err(e)) => Err(os_error(e, None)),
    }
}

/// Register the framed socket class and helpers on the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<FramedSocket>()?;
    m.add_function(wrap_pyfunction!(_decode_frames, m)?)?;
    m.add_function(wrap_pyfunction!(_count_frames, m)?)?;
    m.add_function(wrap_pyfunction!(_encode_frame, m)?)?;
    m.add_function(wrap_pyfunction!(_flush_within, m)?)?;
    m.add("_WIRE_FORMAT", WIRE_FORMAT)?;
    Ok(())
}
