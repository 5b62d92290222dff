//! Exposes PyO3's interpreter-version cfgs (`Py_3_12`, ...) to this crate; only `src/cpython.rs` uses them.
fn main() {
    pyo3_build_config::use_pyo3_cfgs();
}
