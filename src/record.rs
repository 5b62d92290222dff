//! The native `LogRecord`: stdlib's attributes held in native slots, shown as an instance `__dict__` on demand.
//!
//! A record made by `LogRecord(...)` or `makeRecord` keeps its standard attributes (`name`, `msg`,
//! ..., `taskName`, and `message`/`asctime` once a formatter sets them) in a fixed array of object
//! pointers instead of a dict: creating one stores pointers, reading `record.levelno` is an index.
//! The instance `__dict__` is built (*materialised*) the first time anything needs it as a dict —
//! `record.__dict__`, `vars(record)`, an attribute that is not a standard one (`extra=`, a
//! factory's `record.custom = ...`), a deletion — with the keys in the order stdlib's `__init__`
//! and `Formatter.format` would have inserted them; from then on the dict is the only storage.
//! Subclass instances are materialised at the end of `__init__` (a subclass may define
//! descriptors for standard names), so only exact `LogRecord`s are lazy.

use std::cell::UnsafeCell;

use pyo3::exceptions::{PyAttributeError, PySystemError};
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFloat, PyString, PyTuple, PyType};
use pyo3::{PyTraverseError, PyVisit};

use crate::globals;
pub use crate::record_context::{is_mapping, level_name, msecs_of, python_minor, record_times, thread_name};
use crate::record_context::{path_parts, pid_object, process_name, record_args, record_level_name, task_name};

/// The attributes a record holds natively, in stdlib's insertion order (`taskName` from 3.12;
/// `message` and `asctime` are set later by formatters).
const KEYS: [&str; SLOTS] = [
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread",
    "threadName", "processName", "process", "taskName", "message", "asctime",
];
const SLOTS: usize = 23;
/// Slots `__init__` fills (the standard attributes up to `taskName`).
const INIT_SLOTS: usize = 21;
const TASK_NAME: usize = 20;
const MESSAGE: usize = 21;
const ASCTIME: usize = 22;

/// The slot of attribute `name`.
fn slot_of(name: &str) -> Option<usize> {
    Some(match name {
        "name" => 0,
        "msg" => 1,
        "args" => 2,
        "levelname" => 3,
        "levelno" => 4,
        "pathname" => 5,
        "filename" => 6,
        "module" => 7,
        "exc_info" => 8,
        "exc_text" => 9,
        "stack_info" => 10,
        "lineno" => 11,
        "funcName" => 12,
        "created" => 13,
        "msecs" => 14,
        "relativeCreated" => 15,
        "thread" => 16,
        "threadName" => 17,
        "processName" => 18,
        "process" => 19,
        "taskName" => 20,
        "message" => 21,
        "asctime" => 22,
        _ => return None,
    })
}

/// The slot of attribute `name`: the interned key itself (names in compiled code are interned)
/// by pointer, else by text.
fn slot_of_obj(name: &Bound<'_, PyAny>) -> Option<usize> {
    match keys(name.py()).iter().position(|k| k.as_ptr() == name.as_ptr()) {
        Some(i) => Some(i),
        None => slot_of(name.cast::<PyString>().ok()?.to_str().ok()?),
    }
}

/// The interned key strings, by slot.
fn keys(py: Python<'_>) -> &[Py<PyString>; SLOTS] {
    static KEY_OBJECTS: PyOnceLock<[Py<PyString>; SLOTS]> = PyOnceLock::new();
    KEY_OBJECTS.get_or_init(py, || KEYS.map(|k| PyString::intern(py, k).unbind()))
}

/// A record's native storage. Every access happens with the GIL held (free-threaded builds are
/// not supported), and no reference into it is kept across a call into Python.
struct Slots {
    /// Owned references; NULL: the attribute is absent.
    values: [*mut ffi::PyObject; SLOTS],
    /// The instance dict holds the attributes (the slots are then all NULL).
    materialised: bool,
    /// `asctime` was set before `message` (their order in the dict).
    asctime_first: bool,
    /// `created`, `msecs`, `relativeCreated` as numbers: the float objects are made when first
    /// read (bit `i - CREATED` set: slot `i` is NULL and its value is `times[i - CREATED]`).
    times: [f64; 3],
    raw_times: u8,
}

const CREATED: usize = 13;

/// stdlib-compatible log record. Subclassable; `record.__dict__` shows every standard attribute
/// as stdlib's does.
#[pyclass(subclass, dict, weakref, frozen, module = "femtologging", name = "LogRecord")]
pub struct LogRecord {
    slots: UnsafeCell<Slots>,
}

// SAFETY: the slots are only touched with the GIL held (see `Slots`).
unsafe impl Sync for LogRecord {}
unsafe impl Send for LogRecord {}

impl Default for LogRecord {
    fn default() -> Self {
        LogRecord {
            slots: UnsafeCell::new(Slots {
                values: [std::ptr::null_mut(); SLOTS],
                materialised: false,
                asctime_first: false,
                times: [0.0; 3],
                raw_times: 0,
            }),
        }
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        // Dropped from tp_dealloc or tp_clear: the GIL is held.
        for p in self.values {
            if !p.is_null() {
                unsafe { ffi::Py_DECREF(p) };
            }
        }
    }
}

impl LogRecord {
    #[allow(clippy::mut_from_ref)]
    fn slots(&self) -> &mut Slots {
        // SAFETY: GIL held by every caller; each use is short and calls no Python code.
        unsafe { &mut *self.slots.get() }
    }

    fn is_lazy(&self) -> bool {
        !self.slots().materialised
    }

    /// Attribute `i` while the record is lazy (`None`: absent, or the dict holds it).
    fn get<'py>(&self, py: Python<'py>, i: usize) -> Option<Bound<'py, PyAny>> {
        let s = self.slots();
        if s.materialised {
            return None;
        }
        if s.values[i].is_null() {
            let bit = Self::time_bit(i);
            if s.raw_times & bit == 0 {
                return None;
            }
            s.raw_times &= !bit;
            s.values[i] = PyFloat::new(py, s.times[i - CREATED]).into_ptr();
        }
        // SAFETY: an owned, live reference held by the slot.
        Some(unsafe { Bound::from_borrowed_ptr(py, s.values[i]) })
    }

    /// The `raw_times` bit of slot `i` (0 for the slots that are not times).
    fn time_bit(i: usize) -> u8 {
        if (CREATED..CREATED + 3).contains(&i) {
            1 << (i - CREATED)
        } else {
            0
        }
    }

    /// Make the float objects of the times not read yet.
    fn realise_times(&self, py: Python<'_>) {
        for i in CREATED..CREATED + 3 {
            self.get(py, i);
        }
    }

    /// Store `v` in slot `i`; the old value is released after the store (its finaliser may run).
    fn put(&self, i: usize, v: Bound<'_, PyAny>) {
        let s = self.slots();
        s.raw_times &= !Self::time_bit(i);
        if i == ASCTIME && s.values[ASCTIME].is_null() {
            s.asctime_first = s.values[MESSAGE].is_null();
        } else if i == MESSAGE && s.values[MESSAGE].is_null() {
            s.asctime_first = !s.values[ASCTIME].is_null();
        }
        let old = std::mem::replace(&mut s.values[i], v.into_ptr());
        if !old.is_null() {
            unsafe { ffi::Py_DECREF(old) };
        }
    }

    /// Store what `__init__` sets (owned references; the times as numbers, NULL in `values`);
    /// old values are released afterwards.
    fn put_standard(&self, values: &[*mut ffi::PyObject; INIT_SLOTS - 1], times: [f64; 3]) {
        let s = self.slots();
        let fresh = s.values[..INIT_SLOTS - 1].iter().all(|p| p.is_null()) && s.raw_times == 0;
        let mut old = [std::ptr::null_mut(); INIT_SLOTS - 1];
        if fresh {
            s.values[..INIT_SLOTS - 1].copy_from_slice(values);
        } else {
            old.copy_from_slice(&s.values[..INIT_SLOTS - 1]);
            s.values[..INIT_SLOTS - 1].copy_from_slice(values);
        }
        s.times = times;
        s.raw_times = 0b111;
        for p in old.into_iter().filter(|p| !p.is_null()) {
            unsafe { ffi::Py_DECREF(p) };
        }
    }

    /// Take every slot out (in dict order) and mark the record materialised.
    fn take_all(&self, py: Python<'_>) -> Vec<(usize, *mut ffi::PyObject)> {
        self.realise_times(py);
        let s = self.slots();
        s.materialised = true;
        let mut order: [usize; SLOTS] = std::array::from_fn(|i| i);
        if s.asctime_first {
            order.swap(MESSAGE, ASCTIME);
        }
        let mut out = Vec::with_capacity(SLOTS);
        for i in order {
            let v = std::mem::replace(&mut s.values[i], std::ptr::null_mut());
            if !v.is_null() {
                out.push((i, v));
            }
        }
        s.asctime_first = false;
        out
    }
}

/// `PyObject_GenericGetDict`: the instance dict, created on first use.
fn generic_dict<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = obj.py();
    // SAFETY: PyObject_GenericGetDict returns a new reference or NULL with an exception set.
    let raw = unsafe { ffi::PyObject_GenericGetDict(obj.as_ptr(), std::ptr::null_mut()) };
    if raw.is_null() {
        return Err(PyErr::fetch(py));
    }
    Ok(unsafe { Bound::from_owned_ptr(py, raw) }.cast_into::<PyDict>()?)
}

/// Move a lazy record's attributes into its instance dict (created if needed, keys already
/// there keep their place) and return the dict.
fn materialise<'py>(rec: &Bound<'py, LogRecord>) -> PyResult<Bound<'py, PyDict>> {
    let py = rec.py();
    let d = generic_dict(rec.as_any())?;
    if !rec.get().is_lazy() {
        return Ok(d);
    }
    let values = rec.get().take_all(py);
    // An empty dict is replaced by a copy of the template of this shape: the stores below then
    // only replace values, with no growing and rehashing as the keys arrive.
    let (d, mut result) = if d.is_empty() {
        match shape_template(py, &values).and_then(|t| t.copy()).and_then(|fresh| {
            // SAFETY: GIL held; `fresh` is a dict, which becomes the record's instance dict.
            match unsafe { ffi::PyObject_GenericSetDict(rec.as_ptr(), fresh.as_ptr(), std::ptr::null_mut()) } {
                0 => Ok(fresh),
                _ => Err(PyErr::fetch(py)),
            }
        }) {
            Ok(fresh) => (fresh, Ok(())),
            Err(e) => (d, Err(e)),
        }
    } else {
        (d, Ok(()))
    };
    let keys = keys(py);
    for (i, v) in values {
        // SAFETY: `v` is the owned reference the slot held; the dict takes its own.
        let rc = unsafe { ffi::PyDict_SetItem(d.as_ptr(), keys[i].as_ptr(), v) };
        unsafe { ffi::Py_DECREF(v) };
        if rc < 0 && result.is_ok() {
            result = Err(PyErr::fetch(py));
        }
    }
    result.map(|()| d)
}

/// A dict with the keys of `values` (slot, value) in their order and `None` values: the shape
/// every materialised record of that set of attributes starts from. A few shapes are cached.
fn shape_template<'py>(py: Python<'py>, values: &[(usize, *mut ffi::PyObject)]) -> PyResult<Bound<'py, PyDict>> {
    static SHAPES: parking_lot::Mutex<Vec<(u32, Py<PyDict>)>> = parking_lot::Mutex::new(Vec::new());
    const MAX_SHAPES: usize = 16;
    let at = |slot: usize| values.iter().position(|(i, _)| *i == slot);
    let asctime_first = matches!((at(ASCTIME), at(MESSAGE)), (Some(a), Some(m)) if a < m);
    let shape = values.iter().fold(u32::from(asctime_first) << 31, |m, (i, _)| m | 1 << i);
    if let Some((_, t)) = SHAPES.lock().iter().find(|(s, _)| *s == shape) {
        return Ok(t.bind(py).clone());
    }
    // Built outside the lock: allocating may run the garbage collector, hence Python code.
    let template = PyDict::new(py);
    let keys = keys(py);
    for (i, _) in values {
        template.set_item(keys[*i].bind(py), py.None())?;
    }
    let mut shapes = SHAPES.lock();
    if shapes.len() < MAX_SHAPES && !shapes.iter().any(|(s, _)| *s == shape) {
        shapes.push((shape, template.clone().unbind()));
    }
    Ok(template)
}

/// `copy.copy(record)` of an exact record: a new record with the same attribute values, in
/// the same order (the slots of a lazy original, else a shallow copy of its dict).
pub fn shallow_copy<'py>(rec: &Bound<'py, LogRecord>) -> PyResult<Bound<'py, LogRecord>> {
    let py = rec.py();
    let new = Bound::new(py, LogRecord::default())?;
    let src = rec.get().slots();
    let dst = new.get().slots();
    if !src.materialised {
        for (d, s) in dst.values.iter_mut().zip(src.values.iter()) {
            if !s.is_null() {
                // SAFETY: a live reference held by the original's slot; the copy owns a new one.
                unsafe { ffi::Py_INCREF(*s) };
                *d = *s;
            }
        }
        dst.times = src.times;
        dst.raw_times = src.raw_times;
        dst.asctime_first = src.asctime_first;
        return Ok(new);
    }
    let d = generic_dict(rec.as_any())?.copy()?;
    dst.materialised = true;
    // SAFETY: GIL held; `d` is a dict, which the new record's instance dict becomes.
    if unsafe { ffi::PyObject_GenericSetDict(new.as_ptr(), d.as_ptr(), std::ptr::null_mut()) } < 0 {
        return Err(PyErr::fetch(py));
    }
    Ok(new)
}

/// The instance `__dict__` of an object (created on demand; a lazy record is materialised).
pub fn instance_dict<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    match obj.cast::<LogRecord>() {
        Ok(rec) => materialise(rec),
        Err(_) => generic_dict(obj),
    }
}

/// Read and write a record's attributes the way its `__dict__` would, without materialising a
/// lazy record (the native capture of a record that a Python filter saw, for instance).
pub enum RecordView<'py> {
    Record(Bound<'py, LogRecord>),
    Dict(Bound<'py, PyDict>),
}

impl<'py> RecordView<'py> {
    pub fn of(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        Ok(match obj.cast::<LogRecord>() {
            Ok(rec) => RecordView::Record(rec.clone()),
            Err(_) => RecordView::Dict(generic_dict(obj)?),
        })
    }

    /// `record.__dict__.get(key)`.
    pub fn get_item(&self, key: &Bound<'py, PyString>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self {
            RecordView::Record(rec) if rec.get().is_lazy() => {
                Ok(slot_of_obj(key).and_then(|i| rec.get().get(rec.py(), i)))
            }
            RecordView::Record(rec) => generic_dict(rec.as_any())?.get_item(key),
            RecordView::Dict(d) => d.get_item(key),
        }
    }

    /// `record.__dict__[key] = value`.
    pub fn set_item(&self, key: &Bound<'py, PyString>, value: &Bound<'py, PyAny>) -> PyResult<()> {
        match self {
            RecordView::Record(rec) => set_attribute(rec, key.as_any(), value, |d| d.set_item(key, value)),
            RecordView::Dict(d) => d.set_item(key, value),
        }
    }

    /// The instance dict when the record has one (a lazy record holds standard attributes only).
    pub fn dict(&self) -> PyResult<Option<Bound<'py, PyDict>>> {
        match self {
            RecordView::Record(rec) if rec.get().is_lazy() => Ok(None),
            RecordView::Record(rec) => generic_dict(rec.as_any()).map(Some),
            RecordView::Dict(d) => Ok(Some(d.clone())),
        }
    }
}

/// Set `name` on a record: into its slot while the record is lazy and the attribute is one it
/// holds (or `message`/`asctime`), else materialise and `store` it the generic way.
fn set_attribute<'py>(
    rec: &Bound<'py, LogRecord>,
    name: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
    store: impl FnOnce(&Bound<'py, PyDict>) -> PyResult<()>,
) -> PyResult<()> {
    let r = rec.get();
    if r.is_lazy() {
        if let Some(i) = slot_of_obj(name) {
            if i == MESSAGE || i == ASCTIME || r.get(rec.py(), i).is_some() {
                r.put(i, value.clone());
                return Ok(());
            }
        }
    }
    let d = materialise(rec)?;
    store(&d)
}

/// The arguments of `LogRecord.__init__` (`func` and `sinfo` default to `None`).
#[derive(Clone, Copy)]
pub struct InitArgs<'a, 'py> {
    pub name: &'a Bound<'py, PyAny>,
    pub level: &'a Bound<'py, PyAny>,
    pub pathname: &'a Bound<'py, PyAny>,
    pub lineno: &'a Bound<'py, PyAny>,
    pub msg: &'a Bound<'py, PyAny>,
    pub args: &'a Bound<'py, PyAny>,
    pub exc_info: &'a Bound<'py, PyAny>,
    pub func: &'a Bound<'py, PyAny>,
    pub sinfo: &'a Bound<'py, PyAny>,
}

/// Fill a record's attributes exactly as stdlib's `LogRecord.__init__` does.
pub fn init_record<'py>(obj: &Bound<'py, PyAny>, a: &InitArgs<'_, 'py>) -> PyResult<()> {
    let InitArgs { name, level, pathname, lineno, msg, args, exc_info, func, sinfo } = *a;
    let py = obj.py();
    let rec = obj.cast::<LogRecord>()?;
    let (created, msecs, relative) = record_times(py)?;
    let args = record_args(args)?;
    let sw = globals::switches(py)?;
    let none = || py.None().into_bound(py);
    let levelname = record_level_name(py, level)?;
    let (filename, module) = path_parts(pathname)?;
    let (thread, thread_name) = if sw.log_threads {
        crate::record_context::current_thread(py)?
    } else {
        (none(), none())
    };
    let process_name = if sw.log_multiprocessing { process_name(py) } else { none() };
    let process = if sw.log_processes { pid_object(py) } else { none() };
    let task = if python_minor(py) >= 12 { Some(task_name(py)?) } else { None };
    // Everything that may run Python code is done: store (old values released as they go).
    let r = rec.get();
    let none_ptr = || none().into_ptr();
    let values: [*mut ffi::PyObject; INIT_SLOTS - 1] = [
        name.clone().into_ptr(),
        msg.clone().into_ptr(),
        args.into_ptr(),
        levelname.into_ptr(),
        level.clone().into_ptr(),
        pathname.clone().into_ptr(),
        filename.into_ptr(),
        module.into_ptr(),
        exc_info.clone().into_ptr(),
        none_ptr(),
        sinfo.clone().into_ptr(),
        lineno.clone().into_ptr(),
        func.clone().into_ptr(),
        std::ptr::null_mut(), // created, msecs, relativeCreated: numbers until read
        std::ptr::null_mut(),
        std::ptr::null_mut(),
        thread.into_ptr(),
        thread_name.into_ptr(),
        process_name.into_ptr(),
        process.into_ptr(),
    ];
    if r.is_lazy() {
        r.put_standard(&values, [created, msecs, relative]);
        if let Some(t) = task {
            r.put(TASK_NAME, t);
        }
        if !rec.get_type().is(py.get_type::<LogRecord>()) {
            materialise(rec)?;
        }
    } else {
        // Attributes set before `__init__` (by a subclass) keep their place, as in stdlib.
        // SAFETY: each non-NULL entry is an owned reference, taken over here.
        let values = values.map(|p| unsafe { Bound::from_owned_ptr_or_opt(py, p) });
        let d = generic_dict(obj)?;
        let keys = keys(py);
        let times = [created, msecs, relative];
        for (i, v) in values.into_iter().enumerate() {
            match (i.checked_sub(CREATED).and_then(|t| times.get(t)), v) {
                (Some(t), _) => d.set_item(keys[i].bind(py), *t)?,
                (None, Some(v)) => d.set_item(keys[i].bind(py), v)?,
                (None, None) => {}
            }
        }
        if let Some(t) = task {
            d.set_item(keys[TASK_NAME].bind(py), t)?;
        }
    }
    Ok(())
}

/// `record.<key>`: from the slot of a lazy record, else by attribute lookup.
fn attr<'py>(obj: &Bound<'py, PyAny>, slot: usize) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    if let Ok(rec) = obj.cast::<LogRecord>() {
        if let Some(v) = rec.get().get(py, slot) {
            return Ok(v);
        }
    }
    obj.getattr(keys(py)[slot].bind(py))
}

/// `record.created` and `record.msecs` as numbers, read from the slots of a lazy record
/// (`None`: not a lazy record, or an attribute that is absent or not a plain number).
pub fn created_and_msecs(obj: &Bound<'_, PyAny>) -> Option<(f64, f64)> {
    let rec = obj.cast::<LogRecord>().ok()?.get();
    let s = rec.slots();
    if s.materialised {
        return None;
    }
    let number = |i: usize| -> Option<f64> {
        if s.raw_times & LogRecord::time_bit(i) != 0 {
            return Some(s.times[i - CREATED]);
        }
        let p = s.values[i];
        // SAFETY: a non-NULL slot holds a live reference; exact float/int checks run no code.
        unsafe {
            if p.is_null() {
                None
            } else if ffi::PyFloat_CheckExact(p) != 0 {
                Some(ffi::PyFloat_AS_DOUBLE(p))
            } else {
                None
            }
        }
    };
    Some((number(CREATED)?, number(CREATED + 1)?))
}

/// `str(record.msg) % record.args` (only when args is non-empty), as stdlib's `getMessage`.
pub fn get_message<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let msg = attr(obj, 1)?.str()?.into_any();
    let args = attr(obj, 2)?;
    if let (Ok(text), Ok(tuple)) = (msg.cast_exact::<PyString>(), args.cast_exact::<PyTuple>()) {
        if !tuple.is_empty() {
            if let Some(done) = crate::message::format_now(text, tuple)? {
                return Ok(done.into_any());
            }
        }
    }
    if args.is_truthy()? {
        msg.rem(args)
    } else {
        Ok(msg)
    }
}

/// A new, initialised exact `LogRecord` (what `makeRecord` and `LogRecord(...)` make).
pub fn new_record<'py>(py: Python<'py>, a: &InitArgs<'_, 'py>) -> PyResult<Bound<'py, PyAny>> {
    let rec = Bound::new(py, LogRecord::default())?.into_any();
    init_record(&rec, a)?;
    Ok(rec)
}

#[pymethods]
impl LogRecord {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        LogRecord::default()
    }

    #[pyo3(signature = (name, level, pathname, lineno, msg, args, exc_info, func=None, sinfo=None, **_kwargs))]
    #[allow(clippy::too_many_arguments)]
    fn __init__<'py>(
        slf: &Bound<'py, Self>,
        name: &Bound<'py, PyAny>,
        level: &Bound<'py, PyAny>,
        pathname: &Bound<'py, PyAny>,
        lineno: &Bound<'py, PyAny>,
        msg: &Bound<'py, PyAny>,
        args: &Bound<'py, PyAny>,
        exc_info: &Bound<'py, PyAny>,
        func: Option<&Bound<'py, PyAny>>,
        sinfo: Option<&Bound<'py, PyAny>>,
        _kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<()> {
        let py = slf.py();
        let none = py.None().into_bound(py);
        let a = InitArgs {
            name,
            level,
            pathname,
            lineno,
            msg,
            args,
            exc_info,
            func: func.unwrap_or(&none),
            sinfo: sinfo.unwrap_or(&none),
        };
        init_record(slf.as_any(), &a)
    }

    fn __getattribute__<'py>(slf: &Bound<'py, Self>, name: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        if slf.get().is_lazy() {
            if let Some(v) = slot_of_obj(name).and_then(|i| slf.get().get(py, i)) {
                return Ok(v);
            }
        }
        // SAFETY: GIL held; returns a new reference or NULL with an exception set.
        let raw = unsafe { ffi::PyObject_GenericGetAttr(slf.as_ptr(), name.as_ptr()) };
        if raw.is_null() {
            let e = PyErr::fetch(py);
            if e.is_instance_of::<PyAttributeError>(py) {
                // PyO3 now calls `__getattr__`, which re-raises this very error.
                *LAST_MISS.lock() = Some(e.clone_ref(py));
            }
            Err(e)
        } else {
            Ok(unsafe { Bound::from_owned_ptr(py, raw) })
        }
    }

    /// Only reached right after `__getattribute__` failed: the same `AttributeError`, so the
    /// message is CPython's ("'LogRecord' object has no attribute ...").
    fn __getattr__(&self, name: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        Err(LAST_MISS.lock().take().unwrap_or_else(|| PyAttributeError::new_err(name.clone().unbind())))
    }

    fn __setattr__<'py>(slf: &Bound<'py, Self>, name: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<()> {
        set_attribute(slf, name, value, |_| generic_setattr(slf.as_any(), name, Some(value)))
    }

    fn __delattr__<'py>(slf: &Bound<'py, Self>, name: &Bound<'py, PyAny>) -> PyResult<()> {
        materialise(slf)?;
        generic_setattr(slf.as_any(), name, None)
    }

    /// The record's attributes (built from its native slots on first use).
    #[getter(__dict__)]
    fn dict_get<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        materialise(slf)
    }

    #[setter(__dict__)]
    fn dict_set(slf: &Bound<'_, Self>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let raw = value.map_or(std::ptr::null_mut(), |v| v.as_ptr());
        // SAFETY: GIL held; checks the value (a dict) and replaces the instance dict.
        if unsafe { ffi::PyObject_GenericSetDict(slf.as_ptr(), raw, std::ptr::null_mut()) } < 0 {
            return Err(PyErr::fetch(slf.py()));
        }
        // The new dict replaces every attribute.
        for (_, v) in slf.get().take_all(slf.py()) {
            unsafe { ffi::Py_DECREF(v) };
        }
        Ok(())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for p in self.slots().values.iter().filter(|p| !p.is_null()) {
            // SAFETY: `Py<PyAny>` is a transparent non-null object pointer; the slot owns it.
            visit.call(unsafe { &*(p as *const *mut ffi::PyObject).cast::<Py<PyAny>>() })?;
        }
        Ok(())
    }

    fn __clear__(&self) {
        let s = self.slots();
        let values = std::mem::replace(&mut s.values, [std::ptr::null_mut(); SLOTS]);
        s.raw_times = 0;
        for p in values {
            if !p.is_null() {
                unsafe { ffi::Py_DECREF(p) };
            }
        }
    }

    /// The message with the user's arguments merged in.
    #[pyo3(name = "getMessage")]
    fn get_message_py<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        get_message(slf.as_any())
    }

    /// Pickle/copy support: the state is the attribute dict (as for a plain Python object).
    fn __getstate__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let r = slf.get();
        if !r.is_lazy() {
            return generic_dict(slf.as_any())?.copy();
        }
        // A copy in dict order, leaving this record lazy.
        r.realise_times(py);
        let d = PyDict::new(py);
        let keys = keys(py);
        let mut order: [usize; SLOTS] = std::array::from_fn(|i| i);
        if r.slots().asctime_first {
            order.swap(MESSAGE, ASCTIME);
        }
        for i in order {
            if let Some(v) = r.get(py, i) {
                d.set_item(keys[i].bind(py), v)?;
            }
        }
        Ok(d)
    }

    fn __setstate__(slf: &Bound<'_, Self>, state: &Bound<'_, PyDict>) -> PyResult<()> {
        materialise(slf)?.update(state.as_mapping())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let g = |n: &Bound<'_, PyString>| -> PyResult<String> { Ok(slf.getattr(n)?.str()?.to_string()) };
        Ok(format!(
            "<LogRecord: {}, {}, {}, {}, \"{}\">",
            g(intern!(py, "name"))?,
            g(intern!(py, "levelno"))?,
            g(intern!(py, "pathname"))?,
            g(intern!(py, "lineno"))?,
            g(intern!(py, "msg"))?
        ))
    }
}

/// The `AttributeError` of the last failed attribute lookup on a record (see `__getattr__`).
static LAST_MISS: parking_lot::Mutex<Option<PyErr>> = parking_lot::Mutex::new(None);

/// `object.__setattr__`/`object.__delattr__` (`value` `None`).
fn generic_setattr(obj: &Bound<'_, PyAny>, name: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let raw = value.map_or(std::ptr::null_mut(), |v| v.as_ptr());
    // SAFETY: GIL held; honours data descriptors, stores in the instance dict.
    if unsafe { ffi::PyObject_GenericSetAttr(obj.as_ptr(), name.as_ptr(), raw) } < 0 {
        Err(PyErr::fetch(obj.py()))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// `LogRecord(...)` without an argument tuple

/// `tp_new`/`tp_init` of `LogRecord` when the fast constructor was installed: a class-level
/// `__new__`/`__init__` replacement changes them, and calls then take the generic path.
static SLOTS_AT_INSTALL: PyOnceLock<(usize, usize)> = PyOnceLock::new();

/// Positional parameters of `LogRecord.__init__`, then the optional ones.
const PARAMS: [&str; 9] = ["name", "level", "pathname", "lineno", "msg", "args", "exc_info", "func", "sinfo"];

/// The vectorcall of the `LogRecord` class itself (`LogRecord(...)`, the default record factory):
/// the same as `type.__call__` (`__new__`, then `__init__`), without the argument tuple and
/// keyword dict. Anything unusual (a replaced `__init__`, missing or unknown arguments) takes
/// `type.__call__`, which gives stdlib's behaviour and errors.
unsafe extern "C" fn construct(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    let py = Python::assume_attached();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> PyResult<Bound<'_, PyAny>> {
        let ty = Bound::from_borrowed_ptr(py, callable).cast_into_unchecked::<PyType>();
        let nargs = ffi::PyVectorcall_NARGS(nargsf) as usize;
        let mut params: [*mut ffi::PyObject; 9] = [std::ptr::null_mut(); 9];
        let fast = SLOTS_AT_INSTALL.get(py).is_some_and(|s| *s == crate::cpython::new_and_init_slots(&ty))
            && nargs <= 9
            && fill_params(&mut params, args, nargs, kwnames);
        if !fast || params[..7].iter().any(|p| p.is_null()) {
            return crate::cpython::call_type_generic(&ty, args, nargsf, kwnames);
        }
        let none = py.None().into_bound(py);
        let p: [Bound<'_, PyAny>; 9] =
            std::array::from_fn(|i| if params[i].is_null() { none.clone() } else { Bound::from_borrowed_ptr(py, params[i]) });
        let [name, level, pathname, lineno, msg, args, exc_info, func, sinfo] = &p;
        new_record(py, &InitArgs { name, level, pathname, lineno, msg, args, exc_info, func, sinfo })
    }));
    match outcome {
        Ok(Ok(rec)) => rec.into_ptr(),
        Ok(Err(e)) => {
            e.restore(py);
            std::ptr::null_mut()
        }
        Err(_) => {
            PySystemError::new_err("femtologging: internal panic in LogRecord()").restore(py);
            std::ptr::null_mut()
        }
    }
}

/// Place the call's arguments in `params`; `false` when a keyword is unknown or repeated (the
/// generic path then reports it, or takes it as `**kwargs`).
unsafe fn fill_params(
    params: &mut [*mut ffi::PyObject; 9],
    args: *const *mut ffi::PyObject,
    nargs: usize,
    kwnames: *mut ffi::PyObject,
) -> bool {
    for (i, p) in params.iter_mut().enumerate().take(nargs) {
        *p = *args.add(i);
    }
    if kwnames.is_null() {
        return true;
    }
    let names = Bound::from_borrowed_ptr(Python::assume_attached(), kwnames);
    let Ok(names) = names.cast::<PyTuple>() else { return false };
    for (k, name) in names.iter().enumerate() {
        let Some(i) = name.cast::<PyString>().ok().and_then(|s| s.to_str().ok()).and_then(|s| PARAMS.iter().position(|p| *p == s))
        else {
            return false;
        };
        if !params[i].is_null() {
            return false;
        }
        params[i] = *args.add(nargs + k);
    }
    true
}

// ---------------------------------------------------------------------------------------------
// `record.<standard attribute>` without the generic attribute machinery

/// `tp_getattro` of `LogRecord`: a lazy record answers a standard attribute named by the
/// interned key string (every attribute name in compiled code is interned) straight from its
/// slot; anything else is what `__getattribute__` would answer, without its detour through
/// PyO3's `__getattribute__`/`__getattr__` pair.
unsafe extern "C" fn getattro(obj: *mut ffi::PyObject, name: *mut ffi::PyObject) -> *mut ffi::PyObject {
    let py = Python::assume_attached();
    // SAFETY: installed on LogRecord, so `obj` is an instance of it (or of a subclass).
    let rec = pyo3::Borrowed::<'_, '_, PyAny>::from_ptr(py, obj).cast_unchecked::<LogRecord>();
    if rec.get().is_lazy() {
        if let Some(v) = slot_of_obj(&Bound::from_borrowed_ptr(py, name)).and_then(|i| rec.get().get(py, i)) {
            return v.into_ptr();
        }
    }
    // Not a slot: methods, class attributes and the instance dict, found the generic way, and
    // CPython's own `AttributeError` when absent.
    ffi::PyObject_GenericGetAttr(obj, name)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<LogRecord>()?;
    let py = m.py();
    let ty = py.get_type::<LogRecord>();
    crate::cpython::replace_getattro(&ty, getattro);
    if SLOTS_AT_INSTALL.set(py, crate::cpython::new_and_init_slots(&ty)).is_ok() {
        crate::cpython::set_type_vectorcall(&ty, construct);
    }
    Ok(())
}
