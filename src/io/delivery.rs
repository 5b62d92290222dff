//! When a logging call waits for its record to reach the OS: records at or above the flush
//! level (default `ERROR`, like spdlog's `flush_on`), and every record in synchronous mode.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use pyo3::prelude::*;

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

/// After a record of `level` was queued on `writer`: wait, with the GIL released, until it
/// and everything queued before it are written, when the delivery rules ask for it.
/// A worker error stays stored for the handler's next record or flush.
pub fn after_record(py: Python<'_>, writer: &Writer, level: i64) {
    if must_wait(level) {
        let w = writer.clone();
        py.detach(move || {
            let _ = w.sync();
        });
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
