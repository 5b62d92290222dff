//! `LoggerAdapter`'s level methods without their Python frames: `log` → `isEnabledFor` → `process`.
//!
//! stdlib's `LoggerAdapter.info(msg)` runs `self.log(INFO, msg)`, which asks
//! `self.isEnabledFor(INFO)`, then `self.process(msg, kwargs)`, then `self.logger.log(...)`.
//! [`_adapter_log`] does the same with the methods the adapter really has: each one a subclass,
//! a class patch or an instance attribute replaced is called in Python, the originals (as
//! registered by `_logger.py`) run here — `process`'s `extra` merge included. The level methods
//! themselves are vectorcall method descriptors on `LoggerAdapter`, so an exact adapter runs no
//! Python frame, and a subclass only its own replaced methods (typically `process()`).

use std::ffi::CStr;

use parking_lot::Mutex;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};
use smallvec::SmallVec;

use crate::logger::LoggerCore;
use crate::vector_args::VectorCall;

/// `LoggerAdapter` and its original `log`, `isEnabledFor` and `process`.
static ORIGINALS: Mutex<Option<(Py<PyType>, [Py<PyAny>; 3])>> = Mutex::new(None);

/// Bits of [`replaced`], in the order of its names.
const LOG: u32 = 1;
const IS_ENABLED_FOR: u32 = 2;
const PROCESS: u32 = 4;

/// The last adapter class asked about, its answer, and the epoch the answer holds for.
static CLASS_BITS: Mutex<Option<(Py<PyType>, u64, u32)>> = Mutex::new(None);

/// Which of `log`, `isEnabledFor`, `process` the adapter replaced (all of them when
/// `LoggerAdapter` was not registered here). The class's answer is cached for one epoch (a
/// class patch bumps it); an instance attribute of one of the names counts as a replacement.
fn replaced(adapter: &Bound<'_, PyAny>) -> PyResult<u32> {
    let py = adapter.py();
    let names = [intern!(py, "log"), intern!(py, "isEnabledFor"), intern!(py, "process")];
    let mut bits = 0;
    if let Some(d) = crate::cpython::attribute_dict(adapter) {
        for (i, n) in names.iter().enumerate() {
            if d.contains(*n)? {
                bits |= 1 << i;
            }
        }
    }
    let ty = adapter.get_type();
    let now = crate::epoch::current();
    if let Some((t, epoch, b)) = CLASS_BITS.lock().as_ref() {
        if *epoch == now && t.bind(py).is(&ty) {
            return Ok(bits | b);
        }
    }
    let originals = {
        let guard = ORIGINALS.lock();
        match guard.as_ref() {
            Some((_, o)) => o.iter().map(|f| Some(f.clone_ref(py).into_bound(py))).collect::<Vec<_>>(),
            None => return Ok(crate::overrides::ALL),
        }
    };
    let class_bits = crate::overrides::detect(&ty, None, &names, &originals)?;
    if crate::epoch::current() == now {
        let old = CLASS_BITS.lock().replace((ty.unbind(), now, class_bits));
        drop(old); // released outside the lock: dropping a class may run Python code
    }
    Ok(bits | class_bits)
}

/// stdlib's `LoggerAdapter.process`: the adapter's `extra` replaces the call's (from 3.13, with
/// `merge_extra`, the call's own keys win over a copy of the adapter's).
fn process<'py>(adapter: &Bound<'py, PyAny>, kwargs: &Bound<'py, PyDict>) -> PyResult<()> {
    let py = adapter.py();
    let merge = crate::record::python_minor(py) >= 13 && adapter.getattr(intern!(py, "merge_extra"))?.is_truthy()?;
    let own = if merge { kwargs.get_item(intern!(py, "extra"))? } else { None };
    let extra = adapter.getattr(intern!(py, "extra"))?;
    match own {
        // `{**self.extra, **kwargs["extra"]}`
        Some(own) => {
            let merged = PyDict::new(py);
            for part in [&extra, &own] {
                // SAFETY: PyDict_Update accepts any object with `keys()`, as `{**x}` does; a
                // non-mapping raises its TypeError.
                merged.update(unsafe { part.cast_unchecked::<pyo3::types::PyMapping>() })?;
            }
            kwargs.set_item(intern!(py, "extra"), merged)
        }
        None => kwargs.set_item(intern!(py, "extra"), extra),
    }
}

/// `adapter.log(level, msg, *args, **kwargs)` as stdlib's `LoggerAdapter.log` runs it. `via_log`
/// is false when `LoggerAdapter.log` itself calls (its override, if any, has run already).
fn run<'py>(
    adapter: &Bound<'py, PyAny>,
    level: &Bound<'py, PyAny>,
    msg: &Bound<'py, PyAny>,
    args: &[Bound<'py, PyAny>],
    kwargs: Option<Bound<'py, PyDict>>,
    via_log: bool,
) -> PyResult<()> {
    let py = adapter.py();
    let bits = replaced(adapter)? & if via_log { !0 } else { !LOG };
    let with_level = |msg: &Bound<'py, PyAny>| {
        PyTuple::new(py, [level.clone(), msg.clone()].into_iter().chain(args.iter().cloned()).collect::<SmallVec<[_; 6]>>())
    };
    if bits & LOG != 0 {
        adapter.call_method(intern!(py, "log"), with_level(msg)?, kwargs.as_ref())?;
        return Ok(());
    }
    // The level method's `**kwargs` passed on to `self.log(level, msg, ...)`.
    if via_log && kwargs.as_ref().map(|k| k.contains(intern!(py, "level"))).transpose()? == Some(true) {
        return Err(PyTypeError::new_err("LoggerAdapter.log() got multiple values for argument 'level'"));
    }
    let logger = adapter.getattr(intern!(py, "logger"))?;
    // A native logger whose `log` and `isEnabledFor` are its own: both checks (the adapter's
    // and `Logger.log`'s) and the `log` call run here.
    let core = match (logger.cast::<LoggerCore>(), level.extract::<i64>()) {
        (Ok(c), Ok(l)) => Some((c, l)),
        _ => None,
    };
    let native_check = |c: &Bound<'py, LoggerCore>, l| LoggerCore::adapter_check(c, l);
    let quick = match &core {
        Some((c, l)) if bits & IS_ENABLED_FOR == 0 => native_check(c, *l)?,
        _ => None,
    };
    let enabled = match quick {
        Some(e) => e,
        None if bits & IS_ENABLED_FOR != 0 => adapter.call_method1(intern!(py, "isEnabledFor"), (level,))?.is_truthy()?,
        None => logger.call_method1(intern!(py, "isEnabledFor"), (level,))?.is_truthy()?,
    };
    if !enabled {
        return Ok(());
    }
    let kwargs = kwargs.unwrap_or_else(|| PyDict::new(py));
    let (msg, kwargs) = if bits & PROCESS != 0 {
        unpack_pair(&adapter.call_method1(intern!(py, "process"), (msg, &kwargs))?)?
    } else {
        process(adapter, &kwargs)?;
        (msg.clone(), kwargs.into_any())
    };
    // `**kwargs` of a mapping that is not a dict: let Python unpack it (and raise its TypeError).
    let kw = match kwargs.cast::<PyDict>() {
        Ok(d) => d.clone(),
        Err(_) => py.get_type::<PyDict>().call1((kwargs,))?.cast_into::<PyDict>()?,
    };
    // `Logger.log` checks the level again (a `process()` may have changed it).
    if let Some((c, l)) = &core {
        match native_check(c, *l)? {
            Some(false) => return Ok(()),
            Some(true) => return LoggerCore::dispatch(c, level, &msg, &PyTuple::new(py, args)?, Some(&kw)),
            None => {}
        }
    }
    logger.call_method(intern!(py, "log"), with_level(&msg)?, Some(&kw))?;
    Ok(())
}

/// `msg, kwargs = result` with Python's unpacking rules and messages.
fn unpack_pair<'py>(result: &Bound<'py, PyAny>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    if let Ok(t) = result.cast::<PyTuple>() {
        if t.len() == 2 {
            return Ok((t.get_item(0)?, t.get_item(1)?));
        }
    }
    let Ok(mut items) = result.try_iter() else {
        return Err(PyTypeError::new_err(format!(
            "cannot unpack non-iterable {} object",
            result.get_type().name()?
        )));
    };
    let mut got = SmallVec::<[Bound<'py, PyAny>; 2]>::new();
    while got.len() < 3 {
        match items.next() {
            Some(v) => got.push(v?),
            None => break,
        }
    }
    match got.len() {
        2 => Ok((got[0].clone(), got[1].clone())),
        n if n < 2 => Err(PyValueError::new_err(format!("not enough values to unpack (expected 2, got {n})"))),
        _ => Err(PyValueError::new_err("too many values to unpack (expected 2)")),
    }
}

/// `LoggerAdapter.log`'s body (the Python method calls this with its arguments).
#[pyfunction]
#[pyo3(signature = (adapter, level, msg, args, kwargs, via_log=true))]
fn _adapter_log<'py>(
    adapter: &Bound<'py, PyAny>,
    level: &Bound<'py, PyAny>,
    msg: &Bound<'py, PyAny>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<Bound<'py, PyDict>>,
    via_log: bool,
) -> PyResult<()> {
    run(adapter, level, msg, args.as_slice(), kwargs, via_log)
}

/// Shared body of the vectorcall level methods `LoggerAdapter.debug(msg, *args, **kwargs)`...:
/// `self.log(level, msg, *args, **kwargs)` without a Python frame.
unsafe fn level_call(level: i64, name: &str, call: VectorCall) -> *mut ffi::PyObject {
    let py = Python::assume_attached();
    crate::vector_args::returning_none(py, "an adapter level method", || -> PyResult<()> {
        let adapter = Bound::from_borrowed_ptr(py, call.slf);
        let a = call.bind(py, "LoggerAdapter", name)?;
        let level = level.into_pyobject(py)?.into_any();
        let rest: SmallVec<[_; 4]> = a.rest().collect();
        run(&adapter, &level, &a.msg, &rest, a.kwargs, true)
    })
}

crate::vector_args::level_entries!(level_call);

const METHODS: [(&CStr, crate::cpython::FastcallWithKeywords, &CStr); 5] = [
    (c"debug", debug, c"debug($self, msg, *args, **kwargs)\n--\n\nLog at DEBUG through the adapter (``process`` adds its context)."),
    (c"info", info, c"info($self, msg, *args, **kwargs)\n--\n\nLog at INFO through the adapter (``process`` adds its context)."),
    (c"warning", warning, c"warning($self, msg, *args, **kwargs)\n--\n\nLog at WARNING through the adapter (``process`` adds its context)."),
    (c"error", error, c"error($self, msg, *args, **kwargs)\n--\n\nLog at ERROR through the adapter (``process`` adds its context)."),
    (c"critical", critical, c"critical($self, msg, *args, **kwargs)\n--\n\nLog at CRITICAL through the adapter (``process`` adds its context)."),
];

/// Remember `LoggerAdapter`'s original methods and give it the native level methods (called
/// once by `_logger.py`).
#[pyfunction]
fn _register_adapter(cls: &Bound<'_, PyType>) -> PyResult<()> {
    let py = cls.py();
    let get = |n: &Bound<'_, PyString>| cls.getattr(n).map(|f| f.unbind());
    let originals = [get(intern!(py, "log"))?, get(intern!(py, "isEnabledFor"))?, get(intern!(py, "process"))?];
    *ORIGINALS.lock() = Some((cls.clone().unbind(), originals));
    for (name, func, doc) in METHODS {
        crate::cpython::add_method(cls, cls, name, crate::cpython::MethodKind::WithKeywords(func), doc)?;
    }
    Ok(())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_adapter_log, m)?)?;
    m.add_function(wrap_pyfunction!(_register_adapter, m)?)?;
    Ok(())
}
