//! femtologging's native core: the `femtologging._femtologging` extension module.
//!
//! Each submodule holds one part of the engine and registers its Python-visible
//! names through a `register` function called from here.

use pyo3::prelude::*;

pub mod formatter;
pub mod io;
pub mod layout;
pub mod printf;
pub mod timefmt;

#[pymodule]
fn _femtologging(m: &Bound<'_, PyModule>) -> PyResult<()> {
    formatter::register(m)?;
    io::register(m)?;
    Ok(())
}
