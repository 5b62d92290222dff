//! stdlib's `Handler.handle` rule for the handlers the engine serves past their Python frames:
//! the filters, then the emit under the handler's lock, an emit error reported by `handleError`.
//!
//! [`handle`] is the whole rule; its parts serve the native targets, which filter, then try
//! their native sink before the Python emit ([`filter`], [`locked`]).

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyList;

/// How a handler's lock is taken.
#[derive(Clone, Copy)]
pub enum Lock<'a, 'py> {
    /// The handler's own `acquire()` and `release()`.
    Methods(&'a Bound<'py, PyAny>),
    /// Its lock object (`None`: it has none), as stdlib's `Handler.acquire` takes it.
    Object(Option<&'a Bound<'py, PyAny>>),
}

/// stdlib's `Filterer.filter` over `filters`: `None` drops the record; otherwise the record to
/// emit (from 3.12 a filter may return a replacement `LogRecord`).
#[inline]
pub fn filter<'py>(filters: &Bound<'py, PyList>, record: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    if filters.is_empty() {
        return Ok(Some(record.clone()));
    }
    run_filters(filters, record)
}

fn run_filters<'py>(filters: &Bound<'py, PyList>, record: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = record.py();
    let mut record = record.clone();
    // Iterate over a snapshot, as a filter may add or remove filters.
    for f in filters.to_tuple().iter() {
        let result = match f.getattr_opt(intern!(py, "filter"))? {
            Some(m) => m.call1((&record,))?,
            None => f.call1((&record,))?,
        };
        if !result.is_truthy()? {
            return Ok(None);
        }
        if crate::record::python_minor(py) >= 12 && result.is_instance_of::<crate::record::LogRecord>() {
            record = result;
        }
    }
    Ok(Some(record))
}

/// `body` with the lock held (`acquire(); try: body finally: release()`): released on every
/// exit, an error of `release` replacing the body's, as in Python.
#[inline]
pub fn locked<R>(lock: Lock<'_, '_>, body: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    let (target, py) = match lock {
        Lock::Methods(h) => (h, h.py()),
        Lock::Object(Some(l)) => (l, l.py()),
        Lock::Object(None) => return body(),
    };
    target.call_method0(intern!(py, "acquire"))?;
    let out = body();
    target.call_method0(intern!(py, "release"))?;
    out
}

/// `emit` with `StreamHandler.emit`'s `except` clauses: a `RecursionError` propagates, any
/// other error goes to `handler.handleError(record)` (which finds it in `sys.exc_info()`).
#[inline]
pub fn reporting(handler: &Bound<'_, PyAny>, record: &Bound<'_, PyAny>, emit: impl FnOnce() -> PyResult<()>) -> PyResult<()> {
    let py = handler.py();
    match emit() {
        Err(e) if !e.is_instance_of::<pyo3::exceptions::PyRecursionError>(py) => {
            let err = e.into_value(py).into_bound(py);
            crate::cpython::with_handled_exception(&err, || {
                handler.call_method1(intern!(py, "handleError"), (record,)).map(|_| ())
            })
        }
        other => other,
    }
}

/// `handler.handle(record)` past the level check, for a handler whose `filter`, `acquire`,
/// `release` and `handleError` are stdlib's: `filters`, then under `lock` `emit(record)` (the
/// record the filters let through), its error reported by `handleError` inside the lock.
#[inline]
pub fn handle<'py>(
    handler: &Bound<'py, PyAny>,
    filters: &Bound<'py, PyList>,
    lock: Lock<'_, 'py>,
    record: &Bound<'py, PyAny>,
    emit: impl FnOnce(&Bound<'py, PyAny>) -> PyResult<()>,
) -> PyResult<()> {
    let Some(record) = filter(filters, record)? else { return Ok(()) };
    locked(lock, || reporting(handler, &record, || emit(&record)))
}
