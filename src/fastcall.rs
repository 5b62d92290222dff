//! Vectorcall (`METH_FASTCALL`) entry points for the logger's level methods, so that a call below
//! the level costs one type check and one cached comparison, with no argument tuple built.

use std::ffi::CStr;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::Borrowed;
use pyo3::types::{PyTuple, PyType};
use smallvec::SmallVec;

use crate::logger::LoggerCore;
use crate::vector_args::{returning_none, VectorCall};

/// Shared body: level check first, then bind `msg, *args, **kwargs` only for enabled calls.
unsafe fn level_call(level: i64, name: &str, call: VectorCall) -> *mut pyo3::ffi::PyObject {
    let py = Python::assume_attached();
    // SAFETY: installed as method descriptors of `_LoggerCore`; the descriptor protocol has
    // checked that `self` is an instance of it. Borrowed: no reference counting.
    let core = Borrowed::<'_, '_, PyAny>::from_ptr(py, call.slf).cast_unchecked::<LoggerCore>();
    let quick = core.get().quick_check(level);
    if quick == Some(false) {
        return crate::vector_args::none();
    }
    returning_none(py, "a level method", || -> PyResult<()> {
        let core = core.to_owned();
        if quick.is_none() && !LoggerCore::check_enabled(&core, level)? {
            return Ok(());
        }
        let a = call.bind(py, "Logger", name)?;
        let Some(kwargs) = &a.kwargs else {
            // No keywords: the record-less path takes the arguments without building a tuple.
            let rest: SmallVec<[_; 4]> = a.rest().collect();
            return LoggerCore::log_fast_args(&core, level, &a.msg, &rest);
        };
        let level_obj = level.into_pyobject(py)?.into_any();
        LoggerCore::dispatch(&core, &level_obj, &a.msg, &PyTuple::new(py, a.rest())?, Some(kwargs))
    })
}

crate::vector_args::level_entries!(level_call);
// stdlib's `Logger.fatal` is a method of its own (its errors name it), running `critical`.
crate::vector_args::level_entries!(@one level_call, fatal, crate::logger::CRITICAL, "fatal");

type Entry = crate::cpython::FastcallWithKeywords;

const METHODS: [(&CStr, Entry, &CStr); 6] = [
    (c"debug", debug, c"Log 'msg % args' at DEBUG."),
    (c"info", info, c"Log 'msg % args' at INFO."),
    (c"warning", warning, c"Log 'msg % args' at WARNING."),
    (c"error", error, c"Log 'msg % args' at ERROR."),
    (c"critical", critical, c"Log 'msg % args' at CRITICAL."),
    (c"fatal", fatal, c"Alias of critical()."),
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
