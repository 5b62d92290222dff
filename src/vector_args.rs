//! A level method's vectorcall entry (`name(self, msg, *args, **kwargs)`): its C functions, its
//! arguments bound as Python binds them, its result.
//!
//! `Logger` (`fastcall.rs`) and `LoggerAdapter` (`adapter.rs`) install such methods; each gives
//! [`level_entries!`] its body, which receives a [`VectorCall`] and decides when to
//! [`VectorCall::bind`] it (the logger only after its level check, so a disabled call reads no
//! argument). Errors carry stdlib's messages (`Logger.info() missing 1 required positional
//! argument: 'msg'`).

use std::panic::AssertUnwindSafe;

use pyo3::exceptions::{PySystemError, PyTypeError};
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

/// One vectorcall as CPython passes it: `self`, the argument vector, its positional count (with
/// the offset flag) and the keyword names (null: none).
#[derive(Clone, Copy)]
pub(crate) struct VectorCall {
    pub(crate) slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
}

/// `msg, *args, **kwargs` of one call.
pub(crate) struct LevelArgs<'py> {
    pub msg: Bound<'py, PyAny>,
    /// The keyword arguments but `msg` (`None`: there were none).
    pub kwargs: Option<Bound<'py, PyDict>>,
    py: Python<'py>,
    call: VectorCall,
    nargs: isize,
}

impl<'py> LevelArgs<'py> {
    /// The positional arguments after `msg` (read from the call's vector: no copy until asked).
    #[inline(always)]
    pub fn rest(&self) -> impl ExactSizeIterator<Item = Bound<'py, PyAny>> {
        let (py, args) = (self.py, self.call.args);
        // SAFETY: `bind` made `self` inside the C function, whose vector outlives it.
        (1..self.nargs).map(move |i| unsafe { Bound::from_borrowed_ptr(py, *args.offset(i)) })
    }
}

impl VectorCall {
    /// # Safety
    /// The arguments of a `METH_FASTCALL | METH_KEYWORDS` C function, as CPython passed them.
    #[inline(always)]
    pub(crate) unsafe fn new(
        slf: *mut ffi::PyObject,
        args: *const *mut ffi::PyObject,
        nargsf: ffi::Py_ssize_t,
        kwnames: *mut ffi::PyObject,
    ) -> Self {
        VectorCall { slf, args, nargsf, kwnames }
    }

    /// The arguments bound to `msg, *args, **kwargs` of `{owner}.{name}` (the names of the
    /// method in stdlib, for the error messages).
    ///
    /// # Safety
    /// `py` is attached and the call's vector is still alive (inside the C function).
    #[inline(always)]
    pub(crate) unsafe fn bind<'py>(self, py: Python<'py>, owner: &str, name: &str) -> PyResult<LevelArgs<'py>> {
        let nargs = ffi::PyVectorcall_NARGS(self.nargsf as usize);
        let arg = |i: isize| Bound::from_borrowed_ptr(py, *self.args.offset(i));
        let mut msg = (nargs > 0).then(|| arg(0));
        let mut kwargs: Option<Bound<'py, PyDict>> = None;
        if !self.kwnames.is_null() {
            let names = Bound::from_borrowed_ptr(py, self.kwnames).cast_into::<PyTuple>()?;
            for (i, k) in names.iter().enumerate() {
                let v = arg(nargs + i as isize);
                match named_param(py, &k) {
                    Some("msg") if msg.is_none() => msg = Some(v),
                    Some(param) => {
                        return Err(PyTypeError::new_err(format!(
                            "{owner}.{name}() got multiple values for argument '{param}'"
                        )))
                    }
                    None => kwargs.get_or_insert_with(|| PyDict::new(py)).set_item(k, v)?,
                }
            }
        }
        let Some(msg) = msg else {
            return Err(PyTypeError::new_err(format!(
                "{owner}.{name}() missing 1 required positional argument: 'msg'"
            )));
        };
        Ok(LevelArgs { msg, kwargs, py, call: self, nargs })
    }
}

/// The parameter before `*args` that keyword `k` names (`msg`, `self`), if any.
fn named_param(py: Python<'_>, k: &Bound<'_, PyAny>) -> Option<&'static str> {
    if k.is(intern!(py, "msg")) {
        return Some("msg");
    }
    // Most keywords (`extra`, `exc_info`...) are neither: their length tells, without text.
    if !k.len().is_ok_and(|n| n == 3 || n == 4) {
        return None;
    }
    match k.cast::<PyString>().ok()?.to_str().ok()? {
        "msg" => Some("msg"),
        "self" => Some("self"),
        _ => None,
    }
}

/// Run a vectorcall method's `body`: `None` on success, its error raised, a panic reported as a
/// `SystemError` naming `what`.
pub(crate) unsafe fn returning_none(py: Python<'_>, what: &str, body: impl FnOnce() -> PyResult<()>) -> *mut ffi::PyObject {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(body));
    match outcome {
        Ok(Ok(())) => none(),
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

/// A new reference to `None`, a level method's result.
#[inline(always)]
pub(crate) unsafe fn none() -> *mut ffi::PyObject {
    let none = ffi::Py_None();
    ffi::Py_INCREF(none);
    none
}

/// The five level methods as vectorcall C functions named `debug` ... `critical`, each calling
/// `$body(level, name, call)` with the [`VectorCall`]; `@one` makes one more (`fatal`).
macro_rules! level_entries {
    ($body:path) => {
        $crate::vector_args::level_entries!(@one $body, debug, $crate::logger::DEBUG, "debug");
        $crate::vector_args::level_entries!(@one $body, info, $crate::logger::INFO, "info");
        $crate::vector_args::level_entries!(@one $body, warning, $crate::logger::WARNING, "warning");
        $crate::vector_args::level_entries!(@one $body, error, $crate::logger::ERROR, "error");
        $crate::vector_args::level_entries!(@one $body, critical, $crate::logger::CRITICAL, "critical");
    };
    (@one $body:path, $fn_name:ident, $level:expr, $name:literal) => {
        unsafe extern "C" fn $fn_name(
            slf: *mut pyo3::ffi::PyObject,
            args: *const *mut pyo3::ffi::PyObject,
            nargsf: pyo3::ffi::Py_ssize_t,
            kwnames: *mut pyo3::ffi::PyObject,
        ) -> *mut pyo3::ffi::PyObject {
            $body($level, $name, $crate::vector_args::VectorCall::new(slf, args, nargsf, kwnames))
        }
    };
}
pub(crate) use level_entries;
