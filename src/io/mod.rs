//! Asynchronous I/O: bounded queues feeding named worker threads that write files, fds and sockets.
//!
//! Rust callers (native handlers) use [`Writer`] without the GIL; Python sees the classes in
//! [`py`]. Workers never touch Python.

pub mod delivery;
mod exit;
pub mod file;
pub mod framed;
mod framed_py;
mod fork;
pub mod py;
pub mod msgpack;
pub mod queue;
pub mod sink;
pub mod socket;
pub mod stream;
mod sync_point;
pub mod timed;
pub mod tls;
mod worker;
pub mod writer;

#[cfg(test)]
mod tests;

pub use file::{FileMode, FileSpec, OpenKind};
pub use queue::{Item, Overflow, Render, SendError, DEFAULT_CAPACITY};
pub use sink::{Sink, SinkSpec, Stats};
pub use socket::{Address, SocketKind, SocketSpec};
pub use stream::StreamSpec;
pub use timed::TimedSpec;
pub use writer::{before_fork_flush_all, close_all, flush_all, flush_all_until, summarize_drops, Writer, WriterOptions};

use pyo3::prelude::*;

/// Register the I/O classes and functions on the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    py::register(m)?;
    framed_py::register(m)?;
    delivery::register(m)?;
    sync_point::register(m)?;
    exit::register(m)
}
