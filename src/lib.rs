//! femtologging's native core: the `femtologging._femtologging` extension module.
//!
//! Each submodule holds one part of the engine and registers its Python-visible
//! names through a `register` function called from here.

use pyo3::prelude::*;

/// Records are allocated on the calling thread and freed on a worker thread; mimalloc's
/// thread-local free lists handle that without the arena-lock contention of glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod adapter;
pub mod caller;
pub mod capture;
pub mod cpython;
pub mod dispatch;
pub mod epoch;
pub mod fastcall;
pub mod formatter;
pub mod globals;
pub mod io;
pub mod layout;
pub mod logger;
pub mod make_record;
pub mod message;
pub mod native_record;
pub mod overrides;
pub mod printf;
pub mod record;
pub mod record_context;
pub mod record_copy;
pub mod timefmt;
pub mod traceback;
pub mod vector_args;

/// Runs from the C library's `exit()`, after the interpreter has finalised: records logged during
/// finalisation (from `__del__` methods, after `logging.shutdown()`) are still written.
extern "C" fn drain_writers_at_exit() {
    let _ = io::flush_all();
    io::summarize_drops();
}

#[pymodule]
fn _femtologging(m: &Bound<'_, PyModule>) -> PyResult<()> {
    cpython::register(m)?;
    overrides::register(m)?;
    globals::register(m)?;
    record::register(m)?;
    record_copy::register(m)?;
    caller::register(m)?;
    logger::register(m)?;
    adapter::register(m)?;
    fastcall::register(m)?;
    formatter::register(m)?;
    io::register(m)?;
    dispatch::register(m)?;
    traceback::register(m)?;
    // SAFETY: registers a plain function that touches no Python state.
    unsafe { libc::atexit(drain_writers_at_exit) };
    Ok(())
}
