//! stdlib's `makeRecord` and the keyword arguments of `_log`, below both the logger and dispatch.

use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::globals;
use crate::record::{instance_dict, new_record, InitArgs, LogRecord};

/// Keyword arguments accepted by `_log`.
pub struct LogOptions<'py> {
    pub exc_info: Option<Bound<'py, PyAny>>,
    pub extra: Option<Bound<'py, PyAny>>,
    pub stack_info: bool,
    pub stacklevel: i64,
}

impl<'py> LogOptions<'py> {
    pub fn parse(kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Self> {
        let mut o = LogOptions { exc_info: None, extra: None, stack_info: false, stacklevel: 1 };
        if let Some(kw) = kwargs {
            for (k, v) in kw.iter() {
                let key = k.cast::<PyString>()?.to_cow()?;
                match &*key {
                    "exc_info" => o.exc_info = Some(v),
                    "extra" => o.extra = Some(v),
                    "stack_info" => o.stack_info = v.is_truthy()?,
                    "stacklevel" => o.stacklevel = v.extract()?,
                    // `_log`'s own positional parameters.
                    taken @ ("level" | "msg" | "args") => {
                        return Err(PyTypeError::new_err(format!(
                            "Logger._log() got multiple values for argument '{taken}'"
                        )))
                    }
                    other => {
                        return Err(PyTypeError::new_err(format!(
                            "Logger._log() got an unexpected keyword argument '{other}'"
                        )))
                    }
                }
            }
        }
        Ok(o)
    }
}

/// `exc_info=True` → `sys.exc_info()`, an exception instance → its triple, a tuple stays.
pub(crate) fn normalize_exc_info<'py>(py: Python<'py>, exc_info: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let Some(e) = exc_info else { return Ok(py.None().into_bound(py)) };
    if !e.is_truthy()? {
        return Ok(e);
    }
    if e.is_instance_of::<pyo3::exceptions::PyBaseException>() {
        let tb = e.getattr(intern!(py, "__traceback__"))?;
        return Ok(PyTuple::new(py, [e.get_type().into_any(), e.clone(), tb])?.into_any());
    }
    if e.is_instance_of::<PyTuple>() {
        return Ok(e);
    }
    crate::globals::module(py, "sys")?.call_method0(intern!(py, "exc_info"))
}

/// stdlib's `Logger.makeRecord`: the record factory (natively when it is `LogRecord`), then `extra`.
#[allow(clippy::too_many_arguments)]
pub fn make_record<'py>(
    py: Python<'py>,
    name: &Bound<'py, PyAny>,
    level: &Bound<'py, PyAny>,
    path: &Bound<'py, PyAny>,
    lineno: &Bound<'py, PyAny>,
    msg: &Bound<'py, PyAny>,
    args: &Bound<'py, PyAny>,
    exc_info: &Bound<'py, PyAny>,
    func: &Bound<'py, PyAny>,
    extra: &Bound<'py, PyAny>,
    sinfo: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let factory = match globals::switches(py)?.native_factory {
        true => None,
        false => globals::global(py, intern!(py, "_logRecordFactory"))?,
    };
    let native = py.get_type::<LogRecord>();
    let record = match factory {
        Some(f) if !f.is(&native) => f.call1((name, level, path, lineno, msg, args, exc_info, func, sinfo))?,
        _ => new_record(py, &InitArgs { name, level, pathname: path, lineno, msg, args, exc_info, func, sinfo })?,
    };
    if !extra.is_none() {
        let mut dict = None; // materialised only when there is a key to add
        for key in extra.try_iter()? {
            let key = key?;
            let d = match &dict {
                Some(d) => d,
                None => dict.insert(instance_dict(&record)?),
            };
            let reserved = key.eq(intern!(py, "message"))? || key.eq(intern!(py, "asctime"))?;
            if reserved || d.contains(&key)? {
                return Err(PyKeyError::new_err(format!("Attempt to overwrite {} in LogRecord", key.repr()?)));
            }
            d.set_item(&key, extra.get_item(&key)?)?;
        }
    }
    Ok(record)
}

