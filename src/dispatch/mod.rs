//! Dispatch: from a record (or a logging call) to the handlers it reaches.
//!
//! Below the logger: the logger describes itself with an [`Origin`] (its name, its plan slot and
//! how to take one step up the chain), so this module never names the logger type.
//! `target` decides which handlers are native, `plan` caches a logger's native targets for one
//! epoch, `emit` walks the chain, `handle` is stdlib's `Handler.handle` rule for the handlers it
//! serves, `job` is the render job a native handler's worker runs.

use std::sync::Arc;

use parking_lot::Mutex;
use pyo3::prelude::*;

pub mod emit;
pub mod handle;
pub mod job;
pub mod plan;
pub mod target;

/// One logger of the chain: its handlers, whether it propagates, its parent, and whether it is a
/// native logger (whose changes bump the epoch, so a cached plan may rely on it).
pub struct Step<'py> {
    pub handlers: Bound<'py, PyAny>,
    pub propagate: bool,
    pub parent: Option<Bound<'py, PyAny>>,
    pub native: bool,
}

/// How to read one logger of the chain.
pub type StepFn = for<'py> fn(&Bound<'py, PyAny>) -> PyResult<Step<'py>>;

/// The logger a record starts from.
pub struct Origin<'a, 'py> {
    pub logger: &'a Bound<'py, PyAny>,
    /// Its name as Rust text (`None` when it is not a str).
    pub name: Option<&'static str>,
    /// Where its dispatch plan is cached.
    pub plan: &'a Mutex<Option<Arc<plan::DispatchPlan>>>,
    pub step: StepFn,
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    target::register(m)
}
