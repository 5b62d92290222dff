//! `_LoggerCore`: the native half of `Logger` — level cache, level methods, `_log`, `makeRecord`,
//! `handle` and `callHandlers`. The public `Logger` is a thin Python subclass adding admin methods.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};

use parking_lot::{Mutex, RwLock};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple};

use std::sync::Arc;

use crate::caller;
use crate::dispatch::{self, plan::DispatchPlan, Origin, Step};
use crate::epoch;
use crate::globals::{self, DISABLE_LEVEL};
use crate::make_record::{make_record, normalize_exc_info, LogOptions};
use crate::record::LogRecord;

pub const DEBUG: i64 = 10;
pub const INFO: i64 = 20;
pub const WARNING: i64 = 30;
pub const ERROR: i64 = 40;
pub const CRITICAL: i64 = 50;

// Bits of `LoggerCore::overrides`: which hot methods a subclass, a class patch or the instance
// replaced (bit i is method i of `overridable_names`).
const O_LOG: u32 = 1 << 0;
const O_MAKE_RECORD: u32 = 1 << 1;
const O_HANDLE: u32 = 1 << 2;
const O_CALL_HANDLERS: u32 = 1 << 3;
const O_FIND_CALLER: u32 = 1 << 4;
const O_IS_ENABLED: u32 = 1 << 5;
const O_PUBLIC_LOG: u32 = 1 << 6;

fn overridable_names(py: Python<'_>) -> [&Bound<'_, PyString>; 7] {
    [
        intern!(py, "_log"),
        intern!(py, "makeRecord"),
        intern!(py, "handle"),
        intern!(py, "callHandlers"),
        intern!(py, "findCaller"),
        intern!(py, "isEnabledFor"),
        intern!(py, "log"),
    ]
}

/// Native state of a logger. Fields use interior mutability so the class can be `frozen`
/// (no borrow flag on the hot path) and safe without the GIL in free-threaded builds.
///
/// No `dict`/`weakref` slot of its own: the Python subclass `Logger` then gets CPython's managed
/// instance dict, for which 3.12+ keeps `log.debug` lookups specialised (with a dict offset they
/// are not, which cost ~20 ns per disabled call).
#[pyclass(subclass, frozen, module = "femtologging", name = "_LoggerCore")]
pub struct LoggerCore {
    name: RwLock<Py<PyAny>>,
    /// The name as Rust text for native records (None when the name is not a str).
    name_text: RwLock<Option<&'static str>>,
    level: AtomicI64,
    parent: RwLock<Option<Py<PyAny>>>,
    propagate: AtomicBool,
    disabled: AtomicBool,
    handlers: RwLock<Py<PyAny>>,
    filters: RwLock<Py<PyAny>>,
    /// The manager `getLogger` gave this logger (`Logger.manager` reads it): kept here rather
    /// than in the instance dict, which must stay empty for 3.13 to specialise `log.debug`.
    manager: RwLock<Option<Py<PyAny>>>,
    cache_gen: AtomicU64,
    cache_eff: AtomicI64,
    /// Levels 0..63 asked of `isEnabledFor` since the cache was last valid (stdlib's `_cache`).
    queried: AtomicU64,
    queried_other: Mutex<Vec<i64>>,
    overrides: AtomicU32,
    /// The epoch `overrides` was computed in (0: never).
    overrides_epoch: AtomicU64,
    /// The cached dispatch plan of the record-less path (see `fastpath::DispatchPlan`).
    plan: Mutex<Option<Arc<DispatchPlan>>>,
}

impl LoggerCore {
    /// The logger's name as Rust text (None when it is not a str).
    pub(crate) fn name_text(&self) -> Option<&'static str> {
        *self.name_text.read()
    }

    /// The level-check shortcut, decided from the cached effective level alone:
    /// `Some(false)` drops the call, `Some(true)` lets it through, `None` means "ask the full
    /// check" (overridden `isEnabledFor`, stale cache, a level outside the remembered range).
    #[inline(always)]
    pub(crate) fn quick_check(&self, level: i64) -> Option<bool> {
        let now = epoch::current();
        if self.cache_gen.load(Ordering::Relaxed) != now || self.overrides_epoch.load(Ordering::Relaxed) != now {
            return None;
        }
        if self.overrides.load(Ordering::Relaxed) & O_IS_ENABLED != 0 {
            return None;
        }
        if self.disabled.load(Ordering::Relaxed) {
            return Some(false);
        }
        if !(0..64).contains(&level) {
            return None;
        }
        // Remember that this level was asked (stdlib's `_cache`).
        let bit = 1u64 << level;
        if self.queried.load(Ordering::Relaxed) & bit == 0 {
            self.queried.fetch_or(bit, Ordering::Relaxed);
        }
        Some(level > DISABLE_LEVEL.load(Ordering::Relaxed) && level >= self.cache_eff.load(Ordering::Relaxed))
    }

    /// Is the logger switched off (`disabled`)?
    pub(crate) fn is_disabled(&self) -> bool {
        self.disabled.load(Ordering::Relaxed)
    }

    /// One step up the chain, for dispatch: a logger object's handlers, `propagate`, parent.
    fn chain_step<'py>(c: &Bound<'py, PyAny>) -> PyResult<Step<'py>> {
        let py = c.py();
        if let Ok(core) = c.cast::<LoggerCore>() {
            let m = core.get();
            Ok(Step {
                handlers: m.handlers.read().clone_ref(py).into_bound(py),
                propagate: m.propagate.load(Ordering::Relaxed),
                parent: m.parent.read().as_ref().map(|p| p.clone_ref(py).into_bound(py)),
                native: true,
            })
        } else {
            let parent = c.getattr(intern!(py, "parent"))?;
            Ok(Step {
                handlers: c.getattr(intern!(py, "handlers"))?,
                propagate: c.getattr(intern!(py, "propagate"))?.is_truthy()?,
                parent: if parent.is_none() { None } else { Some(parent) },
                native: false,
            })
        }
    }

    /// This logger as dispatch sees it.
    fn origin<'a, 'py>(slf: &'a Bound<'py, Self>) -> Origin<'a, 'py> {
        Origin { logger: slf.as_any(), name: slf.get().name_text(), plan: &slf.get().plan, step: Self::chain_step }
    }

    /// May this call skip the Python record? (Not when the logger is disabled or has filters,
    /// which need a record.) Then try the record-less path.
    fn try_record_less<'py>(
        slf: &Bound<'py, Self>,
        level: &Bound<'py, PyAny>,
        msg: &Bound<'py, PyAny>,
        args: &[Bound<'py, PyAny>],
        opts: &LogOptions<'py>,
    ) -> PyResult<bool> {
        let me = slf.get();
        if me.is_disabled() || me.filters.read().bind(slf.py()).is_truthy()? {
            return Ok(false);
        }
        dispatch::emit::try_log(&Self::origin(slf), level, msg, args, opts)
    }

    /// The override bits, recomputed once per epoch.
    fn flags(slf: &Bound<'_, Self>) -> PyResult<u32> {
        let me = slf.get();
        let now = epoch::current();
        if me.overrides_epoch.load(Ordering::Acquire) == now {
            return Ok(me.overrides.load(Ordering::Relaxed));
        }
        let py = slf.py();
        let f = crate::overrides::detect_against(&slf.get_type(), Some(slf.as_any()), &py.get_type::<LoggerCore>(), &overridable_names(py))?;
        me.overrides.store(f, Ordering::Relaxed);
        if epoch::current() == now {
            me.overrides_epoch.store(now, Ordering::Release);
        }
        Ok(f)
    }

    /// Effective level, cached until the next change anywhere in the hierarchy.
    fn effective_level(&self, py: Python<'_>) -> PyResult<i64> {
        let gen = epoch::current();
        if self.cache_gen.load(Ordering::Acquire) == gen {
            return Ok(self.cache_eff.load(Ordering::Relaxed));
        }
        let mut eff = self.level.load(Ordering::Relaxed);
        if eff == 0 {
            let mut cur = self.parent.read().as_ref().map(|p| p.clone_ref(py));
            while let Some(p) = cur {
                let p = p.into_bound(py);
                if let Ok(core) = p.cast::<LoggerCore>() {
                    let c = core.get();
                    let lvl = c.level.load(Ordering::Relaxed);
                    if lvl != 0 {
                        eff = lvl;
                        break;
                    }
                    cur = c.parent.read().as_ref().map(|p| p.clone_ref(py));
                } else {
                    let lvl: i64 = p.getattr(intern!(py, "level"))?.extract()?;
                    if lvl != 0 {
                        eff = lvl;
                        break;
                    }
                    let next = p.getattr(intern!(py, "parent"))?;
                    cur = if next.is_none() { None } else { Some(next.unbind()) };
                }
            }
        }
        self.queried.store(0, Ordering::Relaxed);
        self.queried_other.lock().clear();
        self.cache_eff.store(eff, Ordering::Relaxed);
        self.cache_gen.store(gen, Ordering::Release);
        Ok(eff)
    }

    fn enabled_for(&self, py: Python<'_>, level: i64) -> PyResult<bool> {
        if self.disabled.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let eff = self.effective_level(py)?;
        if (0..64).contains(&level) {
            let bit = 1u64 << level;
            if self.queried.load(Ordering::Relaxed) & bit == 0 {
                self.queried.fetch_or(bit, Ordering::Relaxed);
            }
        } else {
            let mut other = self.queried_other.lock();
            if !other.contains(&level) {
                other.push(level);
            }
        }
        Ok(level > DISABLE_LEVEL.load(Ordering::Relaxed) && level >= eff)
    }

    pub(crate) fn check_enabled(slf: &Bound<'_, Self>, level: i64) -> PyResult<bool> {
        let flags = Self::flags(slf)?;
        if flags & O_IS_ENABLED != 0 {
            return slf.call_method1(intern!(slf.py(), "isEnabledFor"), (level,))?.is_truthy();
        }
        slf.get().enabled_for(slf.py(), level)
    }

    /// For `LoggerAdapter`: `Some(enabled)` when neither `log` nor `isEnabledFor` is replaced, so
    /// the adapter may run `logger.log(level, ...)` as [`Self::dispatch`] after this check;
    /// `None`: call them in Python.
    pub(crate) fn adapter_check(slf: &Bound<'_, Self>, level: i64) -> PyResult<Option<bool>> {
        if Self::flags(slf)? & (O_PUBLIC_LOG | O_IS_ENABLED) != 0 {
            return Ok(None);
        }
        slf.get().enabled_for(slf.py(), level).map(Some)
    }

    /// Level methods funnel here once the level check passed.
    pub(crate) fn dispatch<'py>(
        slf: &Bound<'py, Self>,
        level: &Bound<'py, PyAny>,
        msg: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<()> {
        if Self::flags(slf)? & O_LOG != 0 {
            slf.call_method(intern!(slf.py(), "_log"), (level, msg, args), kwargs)?;
            return Ok(());
        }
        let opts = LogOptions::parse(kwargs)?;
        Self::log_native(slf, level, msg, args.as_any(), opts)
    }

    fn log_native<'py>(
        slf: &Bound<'py, Self>,
        level: &Bound<'py, PyAny>,
        msg: &Bound<'py, PyAny>,
        args: &Bound<'py, PyAny>,
        opts: LogOptions<'py>,
    ) -> PyResult<()> {
        let flags = Self::flags(slf)?;
        if flags & (O_MAKE_RECORD | O_HANDLE | O_CALL_HANDLERS | O_FIND_CALLER) == 0 {
            if let Ok(t) = args.cast::<PyTuple>() {
                if Self::try_record_less(slf, level, msg, t.as_slice(), &opts)? {
                    return Ok(());
                }
            }
        }
        Self::log_python(slf, level, msg, args, opts)
    }

    /// `log_native` without the record-less attempt (the caller already made it).
    pub(crate) fn log_fast_args<'py>(
        slf: &Bound<'py, Self>,
        level: i64,
        msg: &Bound<'py, PyAny>,
        args: &[Bound<'py, PyAny>],
    ) -> PyResult<()> {
        let py = slf.py();
        let level_obj = level.into_pyobject(py)?.into_any();
        let opts = LogOptions { exc_info: None, extra: None, stack_info: false, stacklevel: 1 };
        let flags = Self::flags(slf)?;
        if flags & (O_LOG | O_MAKE_RECORD | O_HANDLE | O_CALL_HANDLERS | O_FIND_CALLER) == 0
            && Self::try_record_less(slf, &level_obj, msg, args, &opts)?
        {
            return Ok(());
        }
        let tuple = PyTuple::new(py, args)?;
        if flags & O_LOG != 0 {
            slf.call_method1(intern!(py, "_log"), (&level_obj, msg, tuple))?;
            return Ok(());
        }
        Self::log_python(slf, &level_obj, msg, tuple.as_any(), opts)
    }

    /// The record path: caller lookup, `makeRecord`, `handle` (each possibly overridden).
    fn log_python<'py>(
        slf: &Bound<'py, Self>,
        level: &Bound<'py, PyAny>,
        msg: &Bound<'py, PyAny>,
        args: &Bound<'py, PyAny>,
        opts: LogOptions<'py>,
    ) -> PyResult<()> {
        let py = slf.py();
        let flags = Self::flags(slf)?;
        let (path, lineno, func, sinfo) = if globals::switches(py)?.srcfile {
            if flags & O_FIND_CALLER != 0 {
                match slf.call_method1(intern!(py, "findCaller"), (opts.stack_info, opts.stacklevel)) {
                    Ok(t) => (t.get_item(0)?, t.get_item(1)?, t.get_item(2)?, t.get_item(3)?),
                    Err(e) if e.is_instance_of::<PyValueError>(py) => unknown_caller(py),
                    Err(e) => return Err(e),
                }
            } else {
                let c = caller::find_caller(py, opts.stack_info, opts.stacklevel)?;
                (c.filename, c.lineno.into_pyobject(py)?.into_any(), c.func, c.sinfo)
            }
        } else {
            unknown_caller(py)
        };
        let exc_info = normalize_exc_info(py, opts.exc_info)?;
        let extra = opts.extra.unwrap_or_else(|| py.None().into_bound(py));
        let name = slf.get().name.read().clone_ref(py).into_bound(py);
        let record = if flags & O_MAKE_RECORD != 0 {
            slf.call_method1(
                intern!(py, "makeRecord"),
                (name, level, path, lineno, msg, args, exc_info, func, extra, sinfo),
            )?
        } else {
            make_record(py, &name, level, &path, &lineno, msg, args, &exc_info, &func, &extra, &sinfo)?
        };
        if flags & O_HANDLE != 0 {
            slf.call_method1(intern!(py, "handle"), (record,))?;
            Ok(())
        } else {
            Self::handle_native(slf, record)
        }
    }

    fn handle_native<'py>(slf: &Bound<'py, Self>, mut record: Bound<'py, PyAny>) -> PyResult<()> {
        let py = slf.py();
        let me = slf.get();
        if me.disabled.load(Ordering::Relaxed) {
            return Ok(());
        }
        let filters = me.filters.read().clone_ref(py).into_bound(py);
        if filters.is_truthy()? {
            let rv = slf.call_method1(intern!(py, "filter"), (&record,))?;
            if !rv.is_truthy()? {
                return Ok(());
            }
            if rv.is_instance_of::<LogRecord>() || rv.hasattr(intern!(py, "levelno"))? && !rv.is_instance_of::<PyBool>() {
                record = rv;
            }
        }
        if Self::flags(slf)? & O_CALL_HANDLERS != 0 {
            slf.call_method1(intern!(py, "callHandlers"), (record,))?;
            Ok(())
        } else {
            dispatch::emit::call_handlers(&Self::origin(slf), &record)
        }
    }

}

fn unknown_caller(py: Python<'_>) -> (Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyAny>) {
    (
        PyString::new(py, "(unknown file)").into_any(),
        0i32.into_pyobject(py).unwrap().into_any(),
        PyString::new(py, "(unknown function)").into_any(),
        py.None().into_bound(py),
    )
}

#[pymethods]
impl LoggerCore {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(py: Python<'_>, _args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        LoggerCore {
            name: RwLock::new(py.None()),
            name_text: RwLock::new(None),
            level: AtomicI64::new(0),
            parent: RwLock::new(None),
            propagate: AtomicBool::new(true),
            disabled: AtomicBool::new(false),
            handlers: RwLock::new(PyList::empty(py).into_any().unbind()),
            filters: RwLock::new(PyList::empty(py).into_any().unbind()),
            manager: RwLock::new(None),
            cache_gen: AtomicU64::new(0),
            cache_eff: AtomicI64::new(0),
            queried: AtomicU64::new(0),
            queried_other: Mutex::new(Vec::new()),
            overrides: AtomicU32::new(0),
            overrides_epoch: AtomicU64::new(0),
            plan: Mutex::new(None),
        }
    }

    #[pyo3(signature = (name, level=None))]
    fn __init__(slf: &Bound<'_, Self>, name: &Bound<'_, PyAny>, level: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let py = slf.py();
        let me = slf.get();
        *me.name_text.write() = text_of(name);
        swap(&me.name, name.clone().unbind());
        let lvl = match level {
            None => 0,
            Some(l) => check_level(py, l)?,
        };
        me.level.store(lvl, Ordering::Relaxed);
        swap(&me.parent, None);
        swap(&me.handlers, PyList::empty(py).into_any().unbind());
        swap(&me.filters, PyList::empty(py).into_any().unbind());
        me.propagate.store(true, Ordering::Relaxed);
        me.disabled.store(false, Ordering::Relaxed);
        epoch::bump();
        Ok(())
    }

    #[getter]
    fn get_name(&self, py: Python<'_>) -> Py<PyAny> {
        self.name.read().clone_ref(py)
    }
    #[setter]
    fn set_name(&self, v: Bound<'_, PyAny>) {
        *self.name_text.write() = text_of(&v);
        swap(&self.name, v.unbind());
    }

    #[getter]
    fn get_level(&self) -> i64 {
        self.level.load(Ordering::Relaxed)
    }
    #[setter]
    fn set_level(&self, v: i64) {
        self.level.store(v, Ordering::Relaxed);
        epoch::bump();
    }

    #[getter]
    fn get_parent(&self, py: Python<'_>) -> Py<PyAny> {
        self.parent.read().as_ref().map_or_else(|| py.None(), |p| p.clone_ref(py))
    }
    #[setter]
    fn set_parent(&self, v: Bound<'_, PyAny>) {
        swap(&self.parent, if v.is_none() { None } else { Some(v.unbind()) });
        epoch::bump();
    }

    #[getter]
    fn get_propagate(&self) -> bool {
        self.propagate.load(Ordering::Relaxed)
    }
    #[setter]
    fn set_propagate(&self, v: &Bound<'_, PyAny>) -> PyResult<()> {
        self.propagate.store(v.is_truthy()?, Ordering::Relaxed);
        epoch::bump();
        Ok(())
    }

    #[getter]
    fn get_disabled(&self) -> bool {
        self.disabled.load(Ordering::Relaxed)
    }
    #[setter]
    fn set_disabled(&self, v: &Bound<'_, PyAny>) -> PyResult<()> {
        self.disabled.store(v.is_truthy()?, Ordering::Relaxed);
        epoch::bump();
        Ok(())
    }

    #[getter]
    fn get_handlers(&self, py: Python<'_>) -> Py<PyAny> {
        self.handlers.read().clone_ref(py)
    }
    #[setter]
    fn set_handlers(&self, v: Py<PyAny>) {
        swap(&self.handlers, v);
        epoch::bump();
    }

    #[getter]
    fn get_filters(&self, py: Python<'_>) -> Py<PyAny> {
        self.filters.read().clone_ref(py)
    }
    #[setter]
    fn set_filters(&self, v: Py<PyAny>) {
        swap(&self.filters, v);
        epoch::bump();
    }

    #[getter(_femto_manager)]
    fn get_manager(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.manager.read().as_ref().map(|m| m.clone_ref(py))
    }
    #[setter(_femto_manager)]
    fn set_manager(&self, v: Option<Py<PyAny>>) {
        swap(&self.manager, v);
    }

    /// stdlib's per-logger `isEnabledFor` cache, as a dict `{level: enabled}`.
    #[getter]
    fn _cache<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if self.cache_gen.load(Ordering::Acquire) != epoch::current() || self.disabled.load(Ordering::Relaxed) {
            return Ok(d);
        }
        let eff = self.cache_eff.load(Ordering::Relaxed);
        let dis = DISABLE_LEVEL.load(Ordering::Relaxed);
        let bits = self.queried.load(Ordering::Relaxed);
        let mut levels: Vec<i64> = (0..64).filter(|l| bits & (1u64 << l) != 0).collect();
        levels.extend(self.queried_other.lock().iter().copied());
        for l in levels {
            d.set_item(l, l > dis && l >= eff)?;
        }
        Ok(d)
    }

    /// Is a record of this level processed by this logger?
    #[pyo3(name = "isEnabledFor")]
    fn is_enabled_for(&self, py: Python<'_>, level: &Bound<'_, PyAny>) -> PyResult<bool> {
        match level.extract::<i64>() {
            Ok(l) => self.enabled_for(py, l),
            Err(_) => {
                if self.disabled.load(Ordering::Relaxed) {
                    return Ok(false);
                }
                let eff = self.effective_level(py)?;
                Ok(level.gt(DISABLE_LEVEL.load(Ordering::Relaxed))? && level.ge(eff)?)
            }
        }
    }

    /// The first non-NOTSET level walking up the hierarchy.
    #[pyo3(name = "getEffectiveLevel")]
    fn get_effective_level(&self, py: Python<'_>) -> PyResult<i64> {
        self.effective_level(py)
    }


    /// `error` with `exc_info=True` by default.
    #[pyo3(signature = (msg, *args, **kwargs))]
    fn exception<'py>(
        slf: &Bound<'py, Self>,
        msg: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<()> {
        let py = slf.py();
        let kw = match kwargs {
            Some(k) => k.copy()?,
            None => PyDict::new(py),
        };
        if !kw.contains(intern!(py, "exc_info"))? {
            kw.set_item(intern!(py, "exc_info"), true)?;
        }
        if !Self::check_enabled(slf, ERROR)? {
            return Ok(());
        }
        let level = ERROR.into_pyobject(py)?.into_any();
        Self::dispatch(slf, &level, msg, args, Some(&kw))
    }

    /// Log at an explicit integer level.
    #[pyo3(signature = (level, msg, *args, **kwargs))]
    fn log<'py>(
        slf: &Bound<'py, Self>,
        level: &Bound<'py, PyAny>,
        msg: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<()> {
        let py = slf.py();
        if !level.is_instance_of::<PyInt>() {
            if globals::flag(py, intern!(py, "raiseExceptions"))? {
                return Err(PyTypeError::new_err("level must be an integer"));
            }
            return Ok(());
        }
        let enabled = if Self::flags(slf)? & O_IS_ENABLED != 0 {
            slf.call_method1(intern!(py, "isEnabledFor"), (level,))?.is_truthy()?
        } else {
            slf.get().is_enabled_for(py, level)?
        };
        if !enabled {
            return Ok(());
        }
        Self::dispatch(slf, level, msg, args, kwargs)
    }

    /// Low-level logging routine: find the caller, make the record, handle it.
    #[pyo3(signature = (level, msg, args, exc_info=None, extra=None, stack_info=None, stacklevel=1))]
    #[allow(clippy::too_many_arguments)]
    fn _log<'py>(
        slf: &Bound<'py, Self>,
        level: &Bound<'py, PyAny>,
        msg: &Bound<'py, PyAny>,
        args: &Bound<'py, PyAny>,
        exc_info: Option<Bound<'py, PyAny>>,
        extra: Option<Bound<'py, PyAny>>,
        stack_info: Option<Bound<'py, PyAny>>,
        stacklevel: i64,
    ) -> PyResult<()> {
        let stack_info = match stack_info { Some(s) => s.is_truthy()?, None => false };
        let opts = LogOptions { exc_info, extra, stack_info, stacklevel };
        Self::log_native(slf, level, msg, args, opts)
    }

    /// `(filename, lineno, funcName, stack_info)` of the code that called the logging method.
    #[pyo3(name = "findCaller", signature = (stack_info=None, stacklevel=1))]
    fn find_caller<'py>(&self, py: Python<'py>, stack_info: Option<Bound<'py, PyAny>>, stacklevel: i64) -> PyResult<Bound<'py, PyTuple>> {
        let stack_info = match stack_info { Some(s) => s.is_truthy()?, None => false };
        let c = caller::find_caller(py, stack_info, stacklevel)?;
        PyTuple::new(py, [c.filename, c.lineno.into_pyobject(py)?.into_any(), c.func, c.sinfo])
    }

    /// Create a record (the factory plus `extra`); subclasses override it to specialise records.
    #[pyo3(name = "makeRecord", signature = (name, level, r#fn, lno, msg, args, exc_info, func=None, extra=None, sinfo=None))]
    #[allow(clippy::too_many_arguments)]
    fn make_record_py<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        level: &Bound<'py, PyAny>,
        r#fn: &Bound<'py, PyAny>,
        lno: &Bound<'py, PyAny>,
        msg: &Bound<'py, PyAny>,
        args: &Bound<'py, PyAny>,
        exc_info: &Bound<'py, PyAny>,
        func: Option<&Bound<'py, PyAny>>,
        extra: Option<&Bound<'py, PyAny>>,
        sinfo: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let none = py.None().into_bound(py);
        make_record(
            py,
            name,
            level,
            r#fn,
            lno,
            msg,
            args,
            exc_info,
            func.unwrap_or(&none),
            extra.unwrap_or(&none),
            sinfo.unwrap_or(&none),
        )
    }

    /// Apply this logger's filters, then pass the record to the handlers.
    fn handle<'py>(slf: &Bound<'py, Self>, record: Bound<'py, PyAny>) -> PyResult<()> {
        Self::handle_native(slf, record)
    }

    /// Pass a record to every handler of this logger and its ancestors (while propagating).
    #[pyo3(name = "callHandlers")]
    fn call_handlers<'py>(slf: &Bound<'py, Self>, record: Bound<'py, PyAny>) -> PyResult<()> {
        dispatch::emit::call_handlers(&Self::origin(slf), &record)
    }
}

/// A logger name as permanent Rust text (see `globals::static_text`).
fn text_of(v: &Bound<'_, PyAny>) -> Option<&'static str> {
    Some(globals::static_text(v.cast::<PyString>().ok()?.to_str().ok()?))
}

/// Store `new` under the lock and drop the old value only after the lock is released: dropping
/// a Python reference may run arbitrary Python code (a `__del__` that logs), which must never
/// happen while an engine lock is held.
fn swap<T>(lock: &RwLock<T>, new: T) {
    let old = std::mem::replace(&mut *lock.write(), new);
    drop(old);
}

/// stdlib's `_checkLevel`, via the facade (it owns the name tables).
fn check_level(py: Python<'_>, level: &Bound<'_, PyAny>) -> PyResult<i64> {
    if level.is_instance_of::<PyInt>() && !level.is_instance_of::<PyBool>() {
        return level.extract();
    }
    match globals::global(py, intern!(py, "_checkLevel"))? {
        Some(f) => f.call1((level,))?.extract(),
        None => level.extract(),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<LoggerCore>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core(py: Python<'_>) -> LoggerCore {
        LoggerCore::new(py, &PyTuple::empty(py), None)
    }

    #[test]
    fn quick_check_answers_only_in_the_current_epoch() {
        Python::initialize();
        Python::attach(|py| {
            let c = core(py);
            assert_eq!(c.quick_check(DEBUG), None, "nothing cached yet");
            let now = epoch::current();
            c.cache_eff.store(INFO, Ordering::Relaxed);
            c.cache_gen.store(now, Ordering::Relaxed);
            c.overrides.store(0, Ordering::Relaxed);
            c.overrides_epoch.store(now, Ordering::Relaxed);
            assert_eq!(c.quick_check(DEBUG), Some(false));
            assert_eq!(c.quick_check(ERROR), Some(true));
            assert!(c.queried.load(Ordering::Relaxed) & (1 << DEBUG) != 0, "asked levels are remembered");
            c.overrides.store(O_IS_ENABLED, Ordering::Relaxed);
            assert_eq!(c.quick_check(ERROR), None, "an overridden isEnabledFor is always called");
            c.overrides.store(0, Ordering::Relaxed);
            epoch::bump();
            assert_eq!(c.quick_check(ERROR), None, "a new epoch invalidates the level cache");
        });
    }

    #[test]
    fn disabled_logger_drops_everything() {
        Python::initialize();
        Python::attach(|py| {
            let c = core(py);
            let now = epoch::current();
            c.cache_gen.store(now, Ordering::Relaxed);
            c.overrides_epoch.store(now, Ordering::Relaxed);
            c.disabled.store(true, Ordering::Relaxed);
            assert_eq!(c.quick_check(CRITICAL), Some(false));
        });
    }
}
