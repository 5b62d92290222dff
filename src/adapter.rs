//! `LoggerAdapter`'s level methods without their Python frames: `log` → `isEnabledFor` → `process`.
//!
//! stdlib's `LoggerAdapter.info(msg)` runs `self.log(INFO, msg)`, which asks
//! `self.isEnabledFor(INFO)`, then `self.process(msg, kwargs)`, then `self.logger.log(...)`.
//! [`_adapter_log`] does the same with the methods the adapter really has: each one a subclass,
//! a class patch or an instance attribute replaced is called in Python, the originals (as
//! registered by `_logger.py`) run here — `process`'s `extra` merge included.

use parking_lot::Mutex;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

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

/// A level method's call (`info(msg, *args, **kwargs)`): `adapter.log(level, ...)` as stdlib's
/// `LoggerAdapter.log` runs it. `via_log` is false when `LoggerAdapter.log` itself calls (its
/// override, if any, has run already).
#[pyfunction]
#[pyo3(signature = (adapter, level, msg, args, kwargs, via_log=true))]
fn _adapter_log<'py>(
    adapter: &Bound<'py, PyAny>,
    level: &Bound<'py, PyAny>,
    msg: &Bound<'py, PyAny>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
    via_log: bool,
) -> PyResult<()> {
    let py = adapter.py();
    let bits = replaced(adapter)? & if via_log { !0 } else { !LOG };
    let kwargs = match kwargs {
        Some(k) => k.clone(),
        None => PyDict::new(py),
    };
    let call_args = || PyTuple::new(py, [level.clone(), msg.clone()].into_iter().chain(args.iter()).collect::<Vec<_>>());
    if bits & LOG != 0 {
        adapter.call_method(intern!(py, "log"), call_args()?, Some(&kwargs))?;
        return Ok(());
    }
    let enabled = if bits & IS_ENABLED_FOR != 0 {
        adapter.call_method1(intern!(py, "isEnabledFor"), (level,))?
    } else {
        adapter.getattr(intern!(py, "logger"))?.call_method1(intern!(py, "isEnabledFor"), (level,))?
    };
    if !enabled.is_truthy()? {
        return Ok(());
    }
    let (msg, kwargs) = if bits & PROCESS != 0 {
        let r = adapter.call_method1(intern!(py, "process"), (msg, &kwargs))?;
        let (m, k): (Bound<'py, PyAny>, Bound<'py, PyAny>) = r.extract()?;
        (m, k)
    } else {
        process(adapter, &kwargs)?;
        (msg.clone(), kwargs.into_any())
    };
    let full = PyTuple::new(py, [level.clone(), msg].into_iter().chain(args.iter()).collect::<Vec<_>>())?;
    // `**kwargs` of a mapping that is not a dict: let Python unpack it (and raise its TypeError).
    let kw = match kwargs.cast::<PyDict>() {
        Ok(d) => d.clone(),
        Err(_) => py.get_type::<PyDict>().call1((kwargs,))?.cast_into::<PyDict>()?,
    };
    adapter.getattr(intern!(py, "logger"))?.call_method(intern!(py, "log"), full, Some(&kw))?;
    Ok(())
}

/// Remember `LoggerAdapter`'s original methods (called once by `_logger.py`).
#[pyfunction]
fn _register_adapter(cls: &Bound<'_, PyType>) -> PyResult<()> {
    let py = cls.py();
    let get = |n: &Bound<'_, PyString>| cls.getattr(n).map(|f| f.unbind());
    let originals = [get(intern!(py, "log"))?, get(intern!(py, "isEnabledFor"))?, get(intern!(py, "process"))?];
    *ORIGINALS.lock() = Some((cls.clone().unbind(), originals));
    Ok(())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_adapter_log, m)?)?;
    m.add_function(wrap_pyfunction!(_register_adapter, m)?)?;
    Ok(())
}
