//! `copy.copy(record)` without the pickle-protocol round trip: `LogRecord.__copy__`.
//!
//! Formatter subclasses copy the record before decorating it (uvicorn's `formatMessage` does).
//! Without `__copy__`, `copy.copy` asks `__reduce_ex__(4)`, then runs `copyreg.__newobj__`,
//! `__getstate__` and `__setstate__` in Python. The copy here is the same object: a new record
//! of the same class whose `__dict__` is a shallow copy of the original's. A class registered in
//! `copyreg.dispatch_table`, and any `LogRecord` subclass, keep `copy.copy`'s own protocol.

use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::record::LogRecord;

/// `__copy__(self)`.
fn copy_record<'py>(record: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = record.py();
    let ty = record.get_type();
    let table = crate::globals::module(py, "copyreg")?.getattr(intern!(py, "dispatch_table"))?;
    let registered = table.cast::<PyDict>().map_or(true, |t| t.contains(&ty).unwrap_or(true));
    if !ty.is(py.get_type::<LogRecord>()) || registered {
        // What `copy.copy` does for a class without `__copy__`.
        let rv = match table.get_item(&ty).ok().filter(|r| !r.is_none()) {
            Some(reductor) => reductor.call1((record,))?,
            None => record.call_method1(intern!(py, "__reduce_ex__"), (4,))?,
        };
        let Ok(rv) = rv.cast_into::<PyTuple>() else { return Ok(record.clone()) };
        let mut args = vec![record.clone(), py.None().into_bound(py)];
        args.extend(rv.iter());
        let reconstruct = crate::globals::module(py, "copy")?.getattr(intern!(py, "_reconstruct"))?;
        return reconstruct.call1(PyTuple::new(py, args)?);
    }
    Ok(crate::record::shallow_copy(record.cast::<LogRecord>()?)?.into_any())
}

unsafe extern "C" fn copy_entry(
    slf: *mut ffi::PyObject,
    _args: *mut *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
) -> *mut ffi::PyObject {
    let py = Python::assume_attached();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if nargs != 0 {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "LogRecord.__copy__() takes no arguments ({nargs} given)"
            )));
        }
        copy_record(&Bound::from_borrowed_ptr(py, slf)).map(Bound::into_ptr)
    }));
    match result {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            e.restore(py);
            std::ptr::null_mut()
        }
        Err(_) => {
            pyo3::exceptions::PySystemError::new_err("femtologging: internal panic in LogRecord.__copy__").restore(py);
            std::ptr::null_mut()
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let ty = m.py().get_type::<LogRecord>();
    crate::cpython::add_method(
        &ty,
        &ty,
        c"__copy__",
        crate::cpython::MethodKind::Positional(copy_entry),
        c"__copy__($self, /)\n--\n\nA shallow copy: a new record with a copy of this one's attributes.",
    )
}
