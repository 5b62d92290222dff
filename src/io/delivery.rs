//! When a logging call waits for its record to reach the OS: records at or above the flush
//! level (default `ERROR`, like spdlog's `flush_on`), and every record in synchronous mode.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use pyo3::prelude::*;

use super::queue::{Item, SendError};
use super::writer::Writer;

/// `logging.ERROR`.
const DEFAULT_FLUSH_LEVEL: i64 = 40;

static FLUSH_LEVEL: AtomicI64 = AtomicI64::new(DEFAULT_FLUSH_LEVEL);
static SYNC: AtomicBool = AtomicBool::new(false);

/// Does a record of `level` have to be written before its logging call returns?
#[inline]
pub fn must_wait(level: i64) -> bool {
    level >= FLUSH_LEVEL.load(Ordering::Relaxed) || SYNC.load(Ordering::Relaxed)
}

/// Hand one record (`Bytes` or `Render`) of `level` to `writer` (`None`: raw data, not a
/// logging record, never waited for). A record the delivery rules say must be written before
/// its logging call returns is delivered with the GIL released (`Writer::deliver`: written by
/// this thread when nothing is queued ahead of it, else queued and waited for); any other
/// record is queued, the GIL released only if the queue makes it wait. A worker error stored
/// earlier comes back as `SendError::Io` (the record was still handled).
pub fn send(py: Python<'_>, writer: &Writer, item: Item, level: Option<i64>) -> Result<(), SendError> {
    if level.is_some_and(must_wait) {
        let w = writer.clone();
        return py.detach(move || w.deliver(item));
    }
    match writer.send_nowait(item)? {
        None => Ok(()),
        Some(item) => {
            let w = writer.clone();
            py.detach(move || w.send_item(item))
        }
    }
}

/// Records at or above `level` are written to the OS before the logging call returns, with
/// everything queued before them (default 40, ``ERROR``). Returns the previous level.
#[pyfunction]
fn flush_on(level: i64) -> i64 {
    FLUSH_LEVEL.swap(level, Ordering::Relaxed)
}

/// The level set by `flush_on`.
#[pyfunction]
fn flush_level() -> i64 {
    FLUSH_LEVEL.load(Ordering::Relaxed)
}

/// Synchronous delivery: every record is written to the OS before its logging call returns
/// (also turned on by the environment variable ``FEMTOLOGGING_SYNC=1``). Returns the previous
/// setting.
#[pyfunction]
fn set_sync(enabled: bool) -> bool {
    SYNC.swap(enabled, Ordering::Relaxed)
}

/// Whether synchronous delivery is on.
#[pyfunction]
fn is_sync() -> bool {
    SYNC.load(Ordering::Relaxed)
}

/// The level named by ``FEMTOLOGGING_FLUSH_ON`` (a number or a standard level name).
fn level_from_env(text: &str) -> Option<i64> {
    let t = text.trim();
    t.parse().ok().or(match t.to_ascii_uppercase().as_str() {
        "CRITICAL" | "FATAL" => Some(50),
        "ERROR" => Some(40),
        "WARNING" | "WARN" => Some(30),
        "INFO" => Some(20),
        "DEBUG" => Some(10),
        "NOTSET" => Some(0),
        _ => None,
    })
}

/// Register the delivery controls; read ``FEMTOLOGGING_SYNC`` and ``FEMTOLOGGING_FLUSH_ON``.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    if let Ok(v) = std::env::var("FEMTOLOGGING_SYNC") {
        let v = v.trim();
        SYNC.store(!(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false")), Ordering::Relaxed);
    }
    if let Some(level) = std::env::var("FEMTOLOGGING_FLUSH_ON").ok().as_deref().and_then(level_from_env) {
        FLUSH_LEVEL.store(level, Ordering::Relaxed);
    }
    m.add_function(wrap_pyfunction!(flush_on, m)?)?;
    m.add_function(wrap_pyfunction!(flush_level, m)?)?;
    m.add_function(wrap_pyfunction!(set_sync, m)?)?;
    m.add_function(wrap_pyfunction!(is_sync, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_levels() {
        assert_eq!(level_from_env("error"), Some(40));
        assert_eq!(level_from_env(" 35 "), Some(35));
        assert_eq!(level_from_env("loud"), None);
    }
}
