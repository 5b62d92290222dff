//! Test extension: emits records through the `log` crate; pyo3-log hands them to Python logging.

use pyo3::prelude::*;

/// Log `message` at INFO (target `femto_ext::worker`), WARN and DEBUG; return each call's line.
#[pyfunction]
fn emit(message: &str) -> (u32, u32, u32) {
    let info = line!() + 1;
    log::info!(target: "femto_ext::worker", "info {}", message);
    let warn = line!() + 1;
    log::warn!("warn {}", message);
    let debug = line!() + 1;
    log::debug!("debug {}", message);
    (info, warn, debug)
}

#[pymodule]
fn femto_pyo3_log_test(m: &Bound<'_, PyModule>) -> PyResult<()> {
    pyo3_log::init();
    m.add_function(wrap_pyfunction!(emit, m)?)?;
    Ok(())
}
