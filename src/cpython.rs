//! Every version-specific or unsafe CPython detail of the engine, behind small safe functions.
//!
//! * **Noticing changes** (the sources of the invalidation [`epoch`](crate::epoch)). From
//!   CPython 3.12 the engine registers one type watcher and one dict watcher (public API:
//!   `PyType_AddWatcher`/`PyType_Watch`, `PyDict_AddWatcher`/`PyDict_Watch`) and watches every
//!   class a cached decision depends on, the facade's namespace and its level-name table. A type
//!   watcher only fires for a class holding a valid version tag, so a class is given one
//!   (`PyUnstable_Type_AssignVersionTag`) when it is watched; a class that cannot get one is
//!   reported as unwatched and the caller then caches nothing for it. On 3.11 there are no
//!   watchers: the facade gives its classes a metaclass whose `__setattr__`/`__delattr__` bump
//!   the epoch (registered with `_set_class_watcher`), turns its module into a module subclass
//!   doing the same, and bumps explicitly where it rebinds its own globals.
//! * **Instance attribute assignment**: [`install_watched_setattr`] gives a class
//!   `__setattr__`/`__delattr__` method descriptors that store the attribute the generic way and
//!   then bump the epoch (same on every version).
//! * **Method descriptors** built from C function pointers (the `METH_FASTCALL` level methods).
//!
//! Nothing here reads a struct field whose layout differs between versions.

use std::ffi::CStr;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

use crate::epoch;

/// True when this build notices class and dict changes by itself (CPython 3.12 and later).
pub const NATIVE_WATCHERS: bool = cfg!(Py_3_12);

/// True when a dict watcher on an instance's attribute dict hears every attribute assignment
/// (3.12). From 3.13 an instance keeps its attributes inline even once its dict exists, and
/// assignments may bypass the dict's watchers.
pub const INSTANCE_DICT_EVENTS: bool = cfg!(all(Py_3_12, not(Py_3_13)));

#[cfg(Py_3_12)]
mod watchers {
    use super::*;
    use std::os::raw::c_int;
    use std::sync::atomic::{AtomicI32, Ordering};

    type TypeWatchCallback = unsafe extern "C" fn(*mut ffi::PyTypeObject) -> c_int;
    type DictWatchCallback =
        unsafe extern "C" fn(c_int, *mut ffi::PyObject, *mut ffi::PyObject, *mut ffi::PyObject) -> c_int;

    extern "C" {
        fn PyType_AddWatcher(callback: TypeWatchCallback) -> c_int;
        fn PyType_Watch(watcher_id: c_int, ty: *mut ffi::PyObject) -> c_int;
        fn PyUnstable_Type_AssignVersionTag(ty: *mut ffi::PyTypeObject) -> c_int;
        fn PyDict_AddWatcher(callback: DictWatchCallback) -> c_int;
    }

    unsafe extern "C" fn on_type_change(_ty: *mut ffi::PyTypeObject) -> c_int {
        epoch::bump();
        0
    }

    unsafe extern "C" fn on_dict_change(
        _event: c_int,
        _dict: *mut ffi::PyObject,
        _key: *mut ffi::PyObject,
        _value: *mut ffi::PyObject,
    ) -> c_int {
        epoch::bump();
        0
    }

    static TYPE_WATCHER: AtomicI32 = AtomicI32::new(-1);
    static DICT_WATCHER: AtomicI32 = AtomicI32::new(-1);

    /// The watcher id, registering the callback on first use (GIL held: no race).
    fn id(slot: &AtomicI32, add: impl FnOnce() -> c_int) -> Option<c_int> {
        let id = slot.load(Ordering::Relaxed);
        if id >= 0 {
            return Some(id);
        }
        let id = add();
        if id < 0 {
            // SAFETY: GIL held; the failed registration left an exception.
            unsafe { ffi::PyErr_Clear() };
            return None;
        }
        slot.store(id, Ordering::Relaxed);
        Some(id)
    }

    pub fn watch_class(ty: &Bound<'_, PyType>) -> bool {
        // SAFETY: GIL held (a `Bound` exists); the callbacks are plain functions.
        let Some(id) = id(&TYPE_WATCHER, || unsafe { PyType_AddWatcher(on_type_change) }) else {
            return false;
        };
        unsafe {
            if PyType_Watch(id, ty.as_ptr()) != 0 {
                ffi::PyErr_Clear();
                return false;
            }
            // Changes are only reported for a class with a valid version tag.
            PyUnstable_Type_AssignVersionTag(ty.as_ptr().cast()) != 0
        }
    }

    pub fn watch_dict(d: &Bound<'_, PyDict>) -> bool {
        // SAFETY: as above.
        let Some(id) = id(&DICT_WATCHER, || unsafe { PyDict_AddWatcher(on_dict_change) }) else {
            return false;
        };
        unsafe {
            if ffi::PyDict_Watch(id, d.as_ptr()) != 0 {
                ffi::PyErr_Clear();
                return false;
            }
        }
        true
    }
}

#[cfg(not(Py_3_12))]
mod watchers {
    use super::*;
    use pyo3::sync::PyOnceLock;

    /// The facade's class-watching metaclass (3.11): its `__setattr__` bumps the epoch.
    pub static CLASS_WATCHER: PyOnceLock<Py<PyType>> = PyOnceLock::new();

    pub fn watch_class(ty: &Bound<'_, PyType>) -> bool {
        let py = ty.py();
        CLASS_WATCHER.get(py).is_some_and(|m| ty.is_instance(m.bind(py)).unwrap_or(false))
    }

    pub fn watch_dict(_d: &Bound<'_, PyDict>) -> bool {
        // The facade reports its own changes (module subclass, explicit bumps).
        false
    }
}

/// Make sure a change to class `ty` (or to one of its bases) bumps the epoch from now on.
/// `false`: changes to it cannot be noticed, so nothing about it may be cached.
pub fn watch_class(ty: &Bound<'_, PyType>) -> bool {
    watchers::watch_class(ty)
}

/// Make sure a change to dict `d` bumps the epoch; `false` when the facade must report changes
/// itself (CPython 3.11).
pub fn watch_dict(d: &Bound<'_, PyDict>) -> bool {
    watchers::watch_dict(d)
}

/// Register the 3.11 class-watching metaclass (a no-op where native watchers exist).
#[pyfunction]
fn _set_class_watcher(meta: Bound<'_, PyType>) {
    #[cfg(not(Py_3_12))]
    {
        let _ = watchers::CLASS_WATCHER.set(meta.py(), meta.unbind());
    }
    #[cfg(Py_3_12)]
    drop(meta);
}

/// A vectorcall C function as CPython's method tables take it.
pub type FastcallWithKeywords = unsafe extern "C" fn(
    *mut ffi::PyObject,
    *const *mut ffi::PyObject,
    ffi::Py_ssize_t,
    *mut ffi::PyObject,
) -> *mut ffi::PyObject;

/// A vectorcall C function without keywords.
pub type Fastcall =
    unsafe extern "C" fn(*mut ffi::PyObject, *mut *mut ffi::PyObject, ffi::Py_ssize_t) -> *mut ffi::PyObject;

/// How a method descriptor calls its C function.
pub enum MethodKind {
    WithKeywords(FastcallWithKeywords),
    Positional(Fastcall),
}

/// Set `owner.name` to a method descriptor calling `func`; `self` must be an instance of
/// `self_type` (checked by CPython). The method table entry is leaked: it must outlive the type.
pub fn add_method(
    owner: &Bound<'_, PyType>,
    self_type: &Bound<'_, PyType>,
    name: &'static CStr,
    func: MethodKind,
    doc: &'static CStr,
) -> PyResult<()> {
    let py = owner.py();
    let (meth, flags) = match func {
        MethodKind::WithKeywords(f) => {
            (ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: f }, ffi::METH_FASTCALL | ffi::METH_KEYWORDS)
        }
        MethodKind::Positional(f) => (ffi::PyMethodDefPointer { PyCFunctionFast: f }, ffi::METH_FASTCALL),
    };
    let def: &'static mut ffi::PyMethodDef = Box::leak(Box::new(ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: meth,
        ml_flags: flags,
        ml_doc: doc.as_ptr(),
    }));
    // SAFETY: `def` lives forever; PyDescr_NewMethod returns a new reference or NULL.
    let descr = unsafe { ffi::PyDescr_NewMethod(self_type.as_ptr().cast(), def) };
    if descr.is_null() {
        return Err(PyErr::fetch(py));
    }
    let descr = unsafe { Bound::from_owned_ptr(py, descr) };
    owner.setattr(name.to_str().unwrap_or_default(), descr)
}

unsafe extern "C" fn watched_setattr(
    slf: *mut ffi::PyObject,
    args: *mut *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
) -> *mut ffi::PyObject {
    if nargs != 2 {
        ffi::PyErr_SetString(ffi::PyExc_TypeError, c"__setattr__ expected 2 arguments".as_ptr());
        return std::ptr::null_mut();
    }
    store(slf, *args, *args.offset(1))
}

unsafe extern "C" fn watched_delattr(
    slf: *mut ffi::PyObject,
    args: *mut *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
) -> *mut ffi::PyObject {
    if nargs != 1 {
        ffi::PyErr_SetString(ffi::PyExc_TypeError, c"__delattr__ expected 1 argument".as_ptr());
        return std::ptr::null_mut();
    }
    store(slf, *args, std::ptr::null_mut())
}

/// `object.__setattr__`/`__delattr__` (data descriptors honoured), then a bump of the epoch.
unsafe fn store(slf: *mut ffi::PyObject, name: *mut ffi::PyObject, value: *mut ffi::PyObject) -> *mut ffi::PyObject {
    let rc = ffi::PyObject_GenericSetAttr(slf, name, value);
    epoch::bump();
    if rc < 0 {
        return std::ptr::null_mut();
    }
    let none = ffi::Py_None();
    ffi::Py_IncRef(none);
    none
}

/// Give `cls` a `__setattr__` and a `__delattr__` that bump the epoch after storing.
#[pyfunction]
#[pyo3(name = "_watch_instances")]
pub fn install_watched_setattr(cls: &Bound<'_, PyType>) -> PyResult<()> {
    let object = cls.py().get_type::<pyo3::types::PyAny>();
    add_method(cls, &object, c"__setattr__", MethodKind::Positional(watched_setattr), c"Set an attribute; the engine's cached decisions are revisited.")?;
    add_method(cls, &object, c"__delattr__", MethodKind::Positional(watched_delattr), c"Delete an attribute; the engine's cached decisions are revisited.")
}

/// An object's attribute dict (created on demand; `None` when it has none).
pub fn attribute_dict<'py>(obj: &Bound<'py, PyAny>) -> Option<Bound<'py, PyDict>> {
    // SAFETY: GIL held; PyObject_GenericGetDict returns a new reference or NULL with an error.
    let raw = unsafe { ffi::PyObject_GenericGetDict(obj.as_ptr(), std::ptr::null_mut()) };
    if raw.is_null() {
        unsafe { ffi::PyErr_Clear() };
        return None;
    }
    let d = unsafe { Bound::from_owned_ptr(obj.py(), raw) };
    d.cast_into::<PyDict>().ok()
}

/// Run `f` while `exc` is the exception being handled (what `sys.exc_info()` returns inside an
/// `except` block), as stdlib's `emit` calls `handleError`.
pub fn with_handled_exception<R>(exc: &Bound<'_, PyAny>, f: impl FnOnce() -> R) -> R {
    // SAFETY: GIL held; PyErr_GetHandledException returns a new reference (or NULL), which
    // PyErr_SetHandledException does not steal.
    unsafe {
        let previous = ffi::PyErr_GetHandledException();
        ffi::PyErr_SetHandledException(exc.as_ptr());
        let r = f();
        ffi::PyErr_SetHandledException(previous);
        ffi::Py_XDECREF(previous);
        r
    }
}

/// Bump the epoch (the facade calls this where it changes what the engine caches).
#[pyfunction]
fn _bump_epoch() {
    epoch::bump();
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("_NATIVE_WATCHERS", NATIVE_WATCHERS)?;
    m.add_function(wrap_pyfunction!(_set_class_watcher, m)?)?;
    m.add_function(wrap_pyfunction!(install_watched_setattr, m)?)?;
    m.add_function(wrap_pyfunction!(_bump_epoch, m)?)
}

/// Does `list` hold exactly the objects at `items` (same length, same identities, in order)?
/// Uses the public `PyList_GET_SIZE`/`PyList_GET_ITEM`: no reference is taken.
#[inline]
pub fn list_holds(list: &Bound<'_, pyo3::types::PyList>, items: &[usize]) -> bool {
    // SAFETY: GIL held, `list` is a live list; indices stay below its current size.
    unsafe {
        let raw = list.as_ptr();
        if ffi::PyList_GET_SIZE(raw) as usize != items.len() {
            return false;
        }
        items.iter().enumerate().all(|(i, item)| ffi::PyList_GET_ITEM(raw, i as ffi::Py_ssize_t) as usize == *item)
    }
}

/// An owned reference to an interpreter frame (public frame API: `PyEval_GetFrame`,
/// `PyFrame_GetBack`, `PyFrame_GetCode`, `PyFrame_GetLineNumber`, `PyFrame_GetLasti`).
pub struct Frame<'py>(Bound<'py, PyAny>);

impl<'py> Frame<'py> {
    /// The frame of the Python code running now (the engine's own methods have none).
    pub fn current(py: Python<'py>) -> Option<Self> {
        // SAFETY: PyEval_GetFrame returns a borrowed reference (or NULL) while we hold the GIL.
        let raw = unsafe { ffi::PyEval_GetFrame() };
        if raw.is_null() {
            None
        } else {
            Some(Frame(unsafe { Bound::from_borrowed_ptr(py, raw.cast()) }))
        }
    }

    /// The calling frame.
    pub fn back(&self) -> Option<Self> {
        // SAFETY: a live frame object; PyFrame_GetBack returns a new reference or NULL.
        let raw = unsafe { ffi::PyFrame_GetBack(self.0.as_ptr().cast()) };
        if raw.is_null() {
            None
        } else {
            Some(Frame(unsafe { Bound::from_owned_ptr(self.0.py(), raw.cast()) }))
        }
    }

    /// The frame's code object.
    pub fn code(&self) -> Bound<'py, PyAny> {
        // SAFETY: PyFrame_GetCode returns a new, non-NULL reference to the frame's code object.
        let raw = unsafe { ffi::PyFrame_GetCode(self.0.as_ptr().cast()) };
        unsafe { Bound::from_owned_ptr(self.0.py(), raw.cast()) }
    }

    /// The line being executed.
    pub fn lineno(&self) -> i32 {
        // SAFETY: live frame, GIL held.
        unsafe { ffi::PyFrame_GetLineNumber(self.0.as_ptr().cast()) }
    }

    /// The index of the last instruction run (`PyFrame_GetLasti`, public since 3.11); negative
    /// before the first.
    pub fn lasti(&self) -> i32 {
        // SAFETY: live frame, GIL held.
        unsafe { ffi::PyFrame_GetLasti(self.0.as_ptr().cast()) }
    }

    /// The frame as a Python object.
    pub fn object(&self) -> &Bound<'py, PyAny> {
        &self.0
    }
}

/// A vectorcall function as `tp_vectorcall` takes it.
pub type Vectorcall =
    unsafe extern "C" fn(*mut ffi::PyObject, *const *mut ffi::PyObject, usize, *mut ffi::PyObject) -> *mut ffi::PyObject;

/// Make `f` the vectorcall of calling class `ty` itself (`ty(...)`), the documented
/// `PyTypeObject.tp_vectorcall` (used since 3.9, never inherited by subclasses). `f` must behave
/// as `type.__call__` does for `ty`.
pub fn set_type_vectorcall(ty: &Bound<'_, PyType>, f: Vectorcall) {
    // SAFETY: GIL held; `ty` is a live class object and the field is part of the public struct.
    unsafe { (*ty.as_ptr().cast::<ffi::PyTypeObject>()).tp_vectorcall = Some(f) };
}

/// Put `f` in `ty`'s `tp_getattro` slot and return what was there.
/// Subclasses created afterwards inherit `f`; a class-level `__getattribute__` assignment
/// replaces it as it would any slot.
pub fn replace_getattro(ty: &Bound<'_, PyType>, f: ffi::getattrofunc) -> Option<ffi::getattrofunc> {
    // SAFETY: GIL held; `ty` is a live class object and the field is part of the public struct.
    unsafe { std::mem::replace(&mut (*ty.as_ptr().cast::<ffi::PyTypeObject>()).tp_getattro, Some(f)) }
}

/// The `tp_new` and `tp_init` slots of `ty` (`PyType_GetSlot`): they change when a class-level
/// `__new__` or `__init__` is assigned.
pub fn new_and_init_slots(ty: &Bound<'_, PyType>) -> (usize, usize) {
    // SAFETY: GIL held; `ty` is a heap type, for which PyType_GetSlot is defined.
    unsafe {
        let t = ty.as_ptr().cast::<ffi::PyTypeObject>();
        (ffi::PyType_GetSlot(t, ffi::Py_tp_new) as usize, ffi::PyType_GetSlot(t, ffi::Py_tp_init) as usize)
    }
}

/// `type.__call__(ty, *args, **kwargs)` from a vectorcall's arguments: `ty.__new__`, then
/// `__init__` on the result, as for any class.
///
/// # Safety
/// `args`, `nargsf` and `kwnames` are a vectorcall's arguments (valid for the call).
pub unsafe fn call_type_generic<'py>(
    ty: &Bound<'py, PyType>,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> PyResult<Bound<'py, PyAny>> {
    let py = ty.py();
    let nargs = ffi::PyVectorcall_NARGS(nargsf) as usize;
    let tuple = pyo3::types::PyTuple::new(py, (0..nargs).map(|i| Bound::from_borrowed_ptr(py, *args.add(i))))?;
    let kwargs = if kwnames.is_null() {
        None
    } else {
        let names = Bound::from_borrowed_ptr(py, kwnames).cast_into::<pyo3::types::PyTuple>()?;
        let d = PyDict::new(py);
        for (k, name) in names.iter().enumerate() {
            d.set_item(name, Bound::from_borrowed_ptr(py, *args.add(nargs + k)))?;
        }
        Some(d)
    };
    let call = (*std::ptr::addr_of!(ffi::PyType_Type)).tp_call.expect("type has tp_call");
    let raw = call(ty.as_ptr(), tuple.as_ptr(), kwargs.as_ref().map_or(std::ptr::null_mut(), |d| d.as_ptr()));
    if raw.is_null() {
        Err(PyErr::fetch(py))
    } else {
        Ok(Bound::from_owned_ptr(py, raw))
    }
}
