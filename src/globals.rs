//! Process-wide engine state: the facade module's namespace and its switches, the start time, `manager.disable`.
//!
//! The Python facade (`femtologging/__init__.py`) calls [`bind`] once at import with its own
//! globals, so the engine reads module-level switches (`raiseExceptions`, `logThreads`,
//! `_srcfile`, `_logRecordFactory`, `lastResort`, ...) exactly where stdlib code and tests set them.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::{cpython, epoch};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};

static NAMESPACE: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static START_TIME_BITS: AtomicU64 = AtomicU64::new(0);

/// `manager.disable`: records at or below this level are dropped everywhere.
pub static DISABLE_LEVEL: AtomicI64 = AtomicI64::new(0);

/// The facade module's globals dict.
pub fn namespace(py: Python<'_>) -> PyResult<&Bound<'_, PyDict>> {
    NAMESPACE
        .get(py)
        .map(|ns| ns.bind(py))
        .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("femtologging engine is not bound to its module"))
}

/// A module-level name of the facade, or `None` when it is absent.
pub fn global<'py>(py: Python<'py>, name: &Bound<'py, PyString>) -> PyResult<Option<Bound<'py, PyAny>>> {
    namespace(py)?.get_item(name)
}

/// Truth value of a module-level switch (absent counts as false).
pub fn flag(py: Python<'_>, name: &Bound<'_, PyString>) -> PyResult<bool> {
    match global(py, name)? {
        Some(v) => v.is_truthy(),
        None => Ok(false),
    }
}

/// The module-level switches the hot path reads, snapshotted for one epoch (any assignment to a
/// module global bumps it: see `cpython.rs`).
#[derive(Clone, Copy, Debug)]
pub struct Switches {
    epoch: u64,
    pub srcfile: bool,
    pub log_threads: bool,
    pub log_processes: bool,
    pub log_multiprocessing: bool,
    pub raise_exceptions: bool,
    /// `_logRecordFactory` is the native `LogRecord`.
    pub native_factory: bool,
    /// Address of the `_levelToName` dict (kept alive by the namespace while `epoch` holds).
    level_table: usize,
}

static SWITCHES: parking_lot::Mutex<Option<Switches>> = parking_lot::Mutex::new(None);

/// Current module switches (recomputed only after a module global changed).
pub fn switches(py: Python<'_>) -> PyResult<Switches> {
    let now = epoch::current();
    if let Some(s) = *SWITCHES.lock() {
        if s.epoch == now {
            return Ok(s);
        }
    }
    // Truth tests may run Python code: computed without holding the lock.
    let factory = global(py, pyo3::intern!(py, "_logRecordFactory"))?;
    let table = global(py, pyo3::intern!(py, "_levelToName"))?;
    let s = Switches {
        epoch: now,
        srcfile: flag(py, pyo3::intern!(py, "_srcfile"))?,
        log_threads: flag(py, pyo3::intern!(py, "logThreads"))?,
        log_processes: flag(py, pyo3::intern!(py, "logProcesses"))?,
        log_multiprocessing: flag(py, pyo3::intern!(py, "logMultiprocessing"))?,
        raise_exceptions: flag(py, pyo3::intern!(py, "raiseExceptions"))?,
        native_factory: factory.is_some_and(|f| f.is(&py.get_type::<crate::record::LogRecord>())),
        level_table: match table.as_ref().map(|t| t.cast::<PyDict>()) {
            // In-place changes (`addLevelName`) must reach the name cache too.
            Some(Ok(t)) if { cpython::watch_dict(t); true } => t.as_ptr() as usize,
            _ => 0,
        },
    };
    // Only trust the snapshot if nothing changed while it was being computed.
    if epoch::current() == now {
        *SWITCHES.lock() = Some(s);
    }
    Ok(s)
}

/// Level names as Rust text, valid for one table in one epoch.
struct LevelNames {
    table: usize,
    epoch: u64,
    names: Vec<(i64, &'static str)>,
}

static LEVEL_NAMES: parking_lot::Mutex<Option<LevelNames>> = parking_lot::Mutex::new(None);

/// `getLevelName(level)` as Rust text, cached while `_levelToName` is unchanged.
pub fn level_name_text(py: Python<'_>, sw: &Switches, level: &Bound<'_, PyAny>, levelno: i64) -> PyResult<Option<&'static str>> {
    if sw.level_table == 0 {
        return Ok(None);
    }
    let ptr = sw.level_table;
    let version = sw.epoch;
    if let Some(c) = LEVEL_NAMES.lock().as_ref() {
        if c.table == ptr && c.epoch == version {
            if let Some((_, n)) = c.names.iter().find(|(l, _)| *l == levelno) {
                return Ok(Some(n));
            }
        }
    }
    let name = crate::record::level_name(py, level)?;
    let Ok(name) = name.cast::<PyString>() else { return Ok(None) };
    let text = static_text(name.to_str()?);
    let mut guard = LEVEL_NAMES.lock();
    let fresh = !matches!(guard.as_ref(), Some(c) if c.table == ptr && c.epoch == version);
    if fresh {
        *guard = Some(LevelNames { table: ptr, epoch: version, names: Vec::new() });
    }
    if let Some(c) = guard.as_mut() {
        if c.names.len() < 256 {
            c.names.push((levelno, text));
        }
    }
    Ok(Some(text))
}

/// `s` as permanent text, leaked once per distinct string. For logger and level names: they are
/// few, live for the process, and a `&'static str` in a native record costs no reference counting
/// shared between the calling and the worker threads.
pub fn static_text(s: &str) -> &'static str {
    static TEXTS: parking_lot::Mutex<Option<std::collections::HashSet<&'static str>>> = parking_lot::Mutex::new(None);
    let mut texts = TEXTS.lock();
    let set = texts.get_or_insert_with(Default::default);
    if let Some(t) = set.get(s) {
        return t;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

static PID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

extern "C" fn forget_pid() {
    PID.store(0, Ordering::Relaxed);
}

/// The process id, cached (refreshed in a forked child).
pub fn pid() -> u32 {
    let p = PID.load(Ordering::Relaxed);
    if p != 0 {
        return p;
    }
    static ATFORK: std::sync::Once = std::sync::Once::new();
    // SAFETY: registering a plain function with no captured state.
    ATFORK.call_once(|| unsafe {
        libc::pthread_atfork(None, None, Some(forget_pid));
    });
    let p = std::process::id();
    PID.store(p, Ordering::Relaxed);
    p
}

/// `_startTime` of the facade, in seconds since the epoch.
pub fn start_time() -> f64 {
    f64::from_bits(START_TIME_BITS.load(Ordering::Relaxed))
}

static MODULES: parking_lot::Mutex<Vec<(&'static str, Py<PyModule>)>> = parking_lot::Mutex::new(Vec::new());

/// Modules the engine uses, imported once at bind time: at interpreter shutdown the import
/// machinery is gone, yet records logged from `__del__` methods must still be handled.
const PRELOAD: [&str; 10] = [
    "sys", "io", "traceback", "os", "os.path", "threading", "collections.abc", "time", "builtins", "codecs",
];

/// A module by name, from the engine's cache (imported on first use).
pub fn module<'py>(py: Python<'py>, name: &'static str) -> PyResult<Bound<'py, PyModule>> {
    if let Some((_, m)) = MODULES.lock().iter().find(|(n, _)| *n == name) {
        return Ok(m.bind(py).clone());
    }
    let m = py.import(name)?;
    MODULES.lock().push((name, m.clone().unbind()));
    Ok(m)
}

static PRINT_EXCEPTION: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Is `f` the `traceback.print_exception` that was there when the engine was bound? (A test or
/// a program that patches it gets its patch called, as stdlib's formatter would.)
pub fn is_original_print_exception(py: Python<'_>, f: &Bound<'_, PyAny>) -> bool {
    PRINT_EXCEPTION.get(py).is_some_and(|p| p.bind(py).is(f))
}

/// Bind the engine to the facade's namespace; records `_startTime` there.
#[pyfunction]
fn _bind(py: Python<'_>, namespace: Bound<'_, PyDict>, start_time: f64) -> PyResult<()> {
    START_TIME_BITS.store(start_time.to_bits(), Ordering::Relaxed);
    cpython::watch_dict(&namespace);
    let _ = NAMESPACE.set(py, namespace.unbind());
    epoch::bump();
    for name in PRELOAD {
        module(py, name)?;
    }
    let pe = module(py, "traceback")?.getattr("print_exception")?;
    let _ = PRINT_EXCEPTION.set(py, pe.unbind());
    Ok(())
}

/// Set `manager.disable` (called by the Manager's property setter).
#[pyfunction]
fn _set_disable(level: i64) {
    DISABLE_LEVEL.store(level, Ordering::Release);
    epoch::bump();
}

/// Invalidate every logger's level cache (stdlib's `Manager._clear_cache`).
#[pyfunction]
fn _clear_cache() {
    epoch::bump();
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_bind, m)?)?;
    m.add_function(wrap_pyfunction!(_set_disable, m)?)?;
    m.add_function(wrap_pyfunction!(_clear_cache, m)?)?;
    Ok(())
}
