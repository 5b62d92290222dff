//! Vectorcall (`METH_FASTCALL`) entry points for the logger's level methods, so that a call below
//! the level costs one type check and one cached comparison, with no argument tuple built.

use std::ffi::CStr;
use std::panic::AssertUnwindSafe;

use pyo3::exceptions::{PySystemError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::Borrowed;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::logger::LoggerCore;

/// Shared body: level check first, then build `args`/`kwargs` only for enabled calls.
unsafe fn level_call(
    level: i64,
    name: &str,
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    let py = Python::assume_attached();
    // SAFETY: installed as method descriptors of `_LoggerCore`; the descriptor protocol has
    // checked that `self` is an instance of it. Borrowed: no reference counting.
    let core = Borrowed::<'_, '_, PyAny>::from_ptr(py, slf).cast_unchecked::<LoggerCore>();
    let quick = core.get().quick_check(level);
    if quick == Some(false) {
        let none = ffi::Py_None();
        ffi::Py_INCREF(none);
        return none;
    }
    returning_none(py, "a level method", || -> PyResult<()> {
        let obj = Bound::from_borrowed_ptr(py, slf);
        // SAFETY: these functions are installed as method descriptors of `_LoggerCore`; the
        // descriptor protocol has already checked that `self` is an instance of it.
        let core = obj.cast_unchecked::<LoggerCore>();
        if quick.is_none() && !LoggerCore::check_enabled(core, level)? {
            return Ok(());
        }
        let nargs = ffi::PyVectorcall_NARGS(nargsf as usize);
        if nargs < 1 {
            return Err(PyTypeError::new_err(format!(
                "{name}() missing 1 required positional argument: 'msg'"
            )));
        }
        let msg = Bound::from_borrowed_ptr(py, *args);
        if kwnames.is_null() {
            // No keywords: the record-less path takes the arguments without building a tuple.
            let rest: smallvec::SmallVec<[Bound<'_, PyAny>; 4]> =
                (1..nargs).map(|i| Bound::from_borrowed_ptr(py, *args.offset(i))).collect();
            return LoggerCore::log_fast_args(core, level, &msg, &rest);
        }
        let tuple = PyTuple::new(py, (1..nargs).map(|i| Bound::from_borrowed_ptr(py, *args.offset(i))))?;
        let kwargs = if kwnames.is_null() {
            None
        } else {
            let names = Bound::from_borrowed_ptr(py, kwnames).cast_into::<PyTuple>()?;
            let d = PyDict::new(py);
            for (i, k) in names.iter().enumerate() {
                d.set_item(k, Bound::from_borrowed_ptr(py, *args.offset(nargs + i as isize)))?;
            }
            Some(d)
        };
        let level_obj = level.into_pyobject(py)?.into_any();
        LoggerCore::dispatch(core, &level_obj, &msg, &tuple, kwargs.as_ref())
    })
}

/// Run a vectorcall method's `body`: `None` on success, its error raised, a panic reported as a
/// `SystemError` naming `what`.
pub(crate) unsafe fn returning_none(py: Python<'_>, what: &str, body: impl FnOnce() -> PyResult<()>) -> *mut ffi::PyObject {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(body));
    match outcome {
        Ok(Ok(())) => {
            let none = ffi::Py_None();
            ffi::Py_INCREF(none);
            none
        }
        Ok(Err(e)) => {
            e.restore(py);
            std::ptr::null_mut()
        }
        Err(_) => {
            PySystemError::new_err(format!("femtologging: internal panic in {what}")).restore(py);
            std::ptr::null_mut()
        }
    }
}

/// The five level methods as vectorcall C functions named `debug` ... `critical`, each calling
/// `$body(level, name, self, args, nargsf, kwnames)` (used here and by `adapter.rs`).
macro_rules! level_entries {
    ($body:path) => {
        $crate::fastcall::level_entries!(@one $body, debug, $crate::logger::DEBUG, "debug");
        $crate::fastcall::level_entries!(@one $body, info, $crate::logger::INFO, "info");
        $crate::fastcall::level_entries!(@one $body, warning, $crate::logger::WARNING, "warning");
        $crate::fastcall::level_entries!(@one $body, error, $crate::logger::ERROR, "error");
        $crate::fastcall::level_entries!(@one $body, critical, $crate::logger::CRITICAL, "critical");
    };
    (@one $body:path, $fn_name:ident, $level:expr, $name:literal) => {
        unsafe extern "C" fn $fn_name(
            slf: *mut pyo3::ffi::PyObject,
            args: *const *mut pyo3::ffi::PyObject,
            nargsf: pyo3::ffi::Py_ssize_t,
            kwnames: *mut pyo3::ffi::PyObject,
        ) -> *mut pyo3::ffi::PyObject {
            $body($level, $name, slf, args, nargsf, kwnames)
        }
    };
}
pub(crate) use level_entries;

level_entries!(level_call);

type Entry = crate::cpython::FastcallWithKeywords;

const METHODS: [(&CStr, Entry, &CStr); 6] = [
    (c"debug", debug, c"Log 'msg % args' at DEBUG."),
    (c"info", info, c"Log 'msg % args' at INFO."),
    (c"warning", warning, c"Log 'msg % args' at WARNING."),
    (c"error", error, c"Log 'msg % args' at ERROR."),
    (c"critical", critical, c"Log 'msg % args' at CRITICAL."),
    (c"fatal", critical, c"Alias of critical()."),
];

/// Attach the vectorcall level methods to `ty` (`_LoggerCore`, a subclass of it).
pub fn install(ty: &Bound<'_, PyType>) -> PyResult<()> {
    if !ty.is_subclass_of::<LoggerCore>()? {
        return Err(PyTypeError::new_err("level methods need a _LoggerCore subclass"));
    }
    for (name, func, doc) in METHODS {
        crate::cpython::add_method(ty, ty, name, crate::cpython::MethodKind::WithKeywords(func), doc)?;
    }
    Ok(())
}

/// Give `cls` (the public `Logger`) its own copies of the level methods. CPython's specialised
/// call of a method descriptor (3.11-3.13) requires `self` to be exactly the descriptor's class;
/// with the methods on `_LoggerCore` alone, every `Logger` call took the generic path.
#[pyfunction]
fn _install_level_methods(cls: &Bound<'_, PyType>) -> PyResult<()> {
    install(cls)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    install(&m.py().get_type::<LoggerCore>())?;
    m.add_function(wrap_pyfunction!(_install_level_methods, m)?)
}
