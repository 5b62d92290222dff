//! Native handler dispatch: records for an exact `StreamHandler`/`FileHandler` that writes to a
//! native async writer, with a native formatter and no filters, are captured as plain Rust data
//! on the calling thread and formatted, encoded and written on the writer's worker thread.
//!
//! Eligibility is cached per handler in a [`NativeSlot`] stored in the handler's `__dict__`, and
//! revalidated on every record with a few version-tag comparisons (the handler's and formatter's
//! attribute dicts and types), so any change to the handler, its formatter, its class or its
//! filters is seen at the next record.

use std::borrow::Cow;
use std::sync::Arc;

use parking_lot::Mutex;
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::Borrowed;
use pyo3::types::{PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::formatter::{FormatterCore, NativeFormatterPlan};
use crate::io::py::AsyncWriter;
use crate::io::{Render, SendError, Writer};
use crate::layout::{FieldFmt, FieldSource, FieldValue, Layout};
use crate::printf::Conversion;
use crate::message::Message;
use crate::record::instance_dict;

/// Python classes whose exact instances may take the native path (registered by the facade and
/// by `femtologging.handlers`).
static NATIVE_TYPES: Mutex<Vec<(Py<PyType>, Vec<(&'static str, Py<PyAny>)>)>> = Mutex::new(Vec::new());

/// Methods whose replacement (on the class or the instance) sends records through Python.
const HOT_METHODS: [&str; 6] = ["emit", "handle", "format", "filter", "flush", "acquire"];

/// Exact handler classes whose Python stream (an `io.StringIO`, a socket file...) may be written
/// by the engine directly, skipping the Python `handle`/`emit` frames.
static PY_STREAM_TYPES: Mutex<Vec<Py<PyType>>> = Mutex::new(Vec::new());

/// Where a native handler's lines go.
pub enum Sink {
    /// A native writer: formatted and written on its worker thread.
    Worker(Writer),
    /// A Python stream: formatted natively on the calling thread, then `stream.write(line)` and
    /// `stream.flush()` under the handler's lock, exactly what `StreamHandler.emit` does.
    Python { handler: Py<PyAny>, stream: Py<PyAny>, lock: Py<PyAny>, flush: Option<Py<PyAny>> },
}

/// What a native handler writes to, and how.
pub struct Target {
    /// The handler's `filters` list (usually empty), run natively on the calling thread.
    filters: Py<PyList>,
    sink: Sink,
    plan: Arc<NativeFormatterPlan>,
    terminator: Box<str>,
    level: i64,
    /// The layout references caller information (pathname, lineno, funcName...).
    pub needs_caller: bool,
    pub needs_thread_name: bool,
    pub needs_process_name: bool,
    /// The handler (weakly), whose `handleError` hears of its worker's I/O errors.
    owner: Py<pyo3::types::PyWeakrefReference>,
}

/// Fields a record may offer natively.
const NATIVE_FIELDS: [&str; 18] = [
    "name", "levelno", "levelname", "pathname", "filename", "module", "lineno", "funcName", "created",
    "msecs", "relativeCreated", "thread", "threadName", "process", "processName", "message", "asctime",
    "exc_text",
];

/// Fields that are always a number on a captured record.
const ALWAYS_NUMBER: [&str; 5] = ["levelno", "lineno", "created", "msecs", "relativeCreated"];
/// Fields that are always a str on a captured record.
const ALWAYS_STR: [&str; 4] = ["name", "levelname", "message", "asctime"];

/// Can the worker render every field of this layout, whatever the captured values, without
/// Python? Conservative: anything value-dependent (repr, `%c`, numeric specs on fields that may
/// be None, exotic widths) keeps the handler on the Python path, which formats exactly.
fn worker_safe(layout: &Layout) -> bool {
    layout.fields().all(|f| {
        let name = f.name.as_str();
        match &f.fmt {
            FieldFmt::Template => true,
            FieldFmt::Printf(spec) => {
                spec.width <= 512
                    && spec.prec.unwrap_or(0) <= 512
                    && match spec.conv {
                        's' => true,
                        'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                            ALWAYS_NUMBER.contains(&name)
                        }
                        _ => false,
                    }
            }
            FieldFmt::Brace(conv, spec, _) => {
                if !matches!(conv, Conversion::None | Conversion::Str) {
                    return false;
                }
                if spec.empty {
                    return true;
                }
                if spec.width > 512 || spec.prec.unwrap_or(0) > 512 {
                    return false;
                }
                let str_ok = ALWAYS_STR.contains(&name) || *conv == Conversion::Str;
                match spec.ty {
                    None | Some('s') => str_ok && spec.sign.is_none() && !spec.alt && !spec.zero && spec.grouping.is_none()
                        || ALWAYS_NUMBER.contains(&name) && spec.ty.is_none() && *conv == Conversion::None,
                    Some(_) => ALWAYS_NUMBER.contains(&name) && *conv == Conversion::None,
                }
            }
        }
    })
}

/// What a cached decision about a handler depends on: the version tags of the handler's and its
/// formatter's attribute dicts and types, and of the formatter's style object.
pub struct Validity {
    hdict_version: u64,
    htype_tag: u32,
    formatter: Option<(Py<PyAny>, u64, u32)>,
    style: Option<(Py<PyAny>, u64)>,
}

impl Validity {
    fn clone_ref(&self, py: Python<'_>) -> Validity {
        Validity {
            hdict_version: self.hdict_version,
            htype_tag: self.htype_tag,
            formatter: self.formatter.as_ref().map(|(f, v, t)| (f.clone_ref(py), *v, *t)),
            style: self.style.as_ref().map(|(s, v)| (s.clone_ref(py), *v)),
        }
    }

    /// Does the decision still hold for handler `h`? (Reads version tags only; runs no Python.)
    pub fn holds(&self, h: &Bound<'_, PyAny>) -> bool {
        match dict_of(h) {
            Some(d) => self.check(h.py(), &d, &h.get_type()),
            None => false,
        }
    }

    fn check(&self, py: Python<'_>, hdict: &Bound<'_, PyDict>, htype: &Bound<'_, PyType>) -> bool {
        let htag = type_tag(htype);
        if htag == 0 || htag != self.htype_tag || dict_version(hdict) != self.hdict_version {
            return false;
        }
        if let Some((f, ver, tag)) = &self.formatter {
            let f = f.bind(py);
            let t = type_tag(&f.get_type());
            if t == 0 || t != *tag || obj_dict_version(f) != *ver {
                return false;
            }
        }
        if let Some((s, ver)) = &self.style {
            if obj_dict_version(s.bind(py)) != *ver {
                return false;
            }
        }
        true
    }
}

struct SlotCache {
    validity: Validity,
    target: Option<Arc<Target>>,
}

/// Per-handler cache of "can this handler be served natively, and how".
#[pyclass(frozen, module = "femtologging._femtologging")]
pub struct NativeSlot {
    cache: Mutex<Option<SlotCache>>,
}

#[pymethods]
impl NativeSlot {
    #[new]
    fn new() -> Self {
        NativeSlot { cache: Mutex::new(None) }
    }
}

fn dict_version(d: &Bound<'_, PyDict>) -> u64 {
    // SAFETY: `d` is a live dict; ma_version_tag is a plain field of PyDictObject on CPython 3.11.
    unsafe { (*(d.as_ptr() as *mut ffi::PyDictObject)).ma_version_tag }
}

fn type_tag(t: &Bound<'_, PyType>) -> u32 {
    // SAFETY: live type object; tp_version_tag is a plain field (0 means "no valid tag").
    unsafe { (*(t.as_ptr() as *mut ffi::PyTypeObject)).tp_version_tag }
}

extern "C" {
    // CPython 3.11 (exported, private): the address of an object's `__dict__` slot, after
    // materialising a managed dict. Cheaper than `PyObject_GenericGetDict` (no new reference).
    fn _PyObject_GetDictPtr(obj: *mut ffi::PyObject) -> *mut *mut ffi::PyObject;
}

/// An object's attribute dict, without creating a new reference (`None`: it has none).
fn dict_of<'a, 'py>(obj: &'a Bound<'py, PyAny>) -> Option<Borrowed<'a, 'py, PyDict>> {
    // SAFETY: live object, GIL held; the slot holds NULL or a dict owned by the object, which
    // `obj` keeps alive for 'a.
    unsafe {
        let slot = _PyObject_GetDictPtr(obj.as_ptr());
        if slot.is_null() || (*slot).is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        Some(Borrowed::from_ptr(obj.py(), *slot).cast_unchecked::<PyDict>())
    }
}

fn obj_dict_version(obj: &Bound<'_, PyAny>) -> u64 {
    dict_of(obj).map_or(u64::MAX, |d| dict_version(&d))
}


/// The native writer a `StreamHandler` keeps for `sys.__stdout__`/`sys.__stderr__`, when `stream`
/// is one of them and the writer encodes natively.
fn stdio_writer(py: Python<'_>, h: &Bound<'_, PyAny>, stream: &Bound<'_, PyAny>) -> PyResult<Option<Writer>> {
    let sys = crate::globals::module(py, "sys")?;
    let is_stdio = [intern!(py, "__stdout__"), intern!(py, "__stderr__")]
        .iter()
        .any(|n| sys.getattr(*n).is_ok_and(|s| s.is(stream)));
    if !is_stdio {
        return Ok(None);
    }
    let Some(make) = h.getattr_opt(intern!(py, "_femto_stdio_writer"))? else { return Ok(None) };
    let w = make.call1((stream,))?;
    Ok(match w.cast::<AsyncWriter>() {
        Ok(aw) if aw.get().is_native_utf8() && !aw.get().writer().is_closed() => Some(aw.get().writer().clone()),
        _ => None,
    })
}

/// Build the native target of handler `h`, or `None` when it must go through Python.
fn build_target(py: Python<'_>, h: &Bound<'_, PyAny>, hdict: &Bound<'_, PyDict>) -> PyResult<SlotCache> {
    let htype = h.get_type();
    let mut cache = SlotCache {
        validity: Validity { hdict_version: 0, htype_tag: 0, formatter: None, style: None },
        target: None,
    };
    let target = (|| -> PyResult<Option<Target>> {
        let originals = {
            let registered = NATIVE_TYPES.lock();
            match registered.iter().find(|(t, _)| t.bind(py).is(&htype)) {
                Some((_, o)) => o.iter().map(|(n, f)| (*n, f.clone_ref(py))).collect::<Vec<_>>(),
                None => return Ok(None),
            }
        };
        // A method patched on the class after registration is honoured: Python path.
        for (name, original) in &originals {
            if !htype.getattr(*name)?.is(original.bind(py)) {
                return Ok(None);
            }
        }
        for key in HOT_METHODS {
            if hdict.contains(key)? {
                return Ok(None);
            }
        }
        // A rotating handler with a Python namer/rotator rotates in Python, record by record.
        for key in ["namer", "rotator"] {
            if hdict.get_item(key)?.is_some_and(|v| !v.is_none()) {
                return Ok(None);
            }
        }
        let filters = match hdict.get_item(intern!(py, "filters"))? {
            Some(f) => f,
            None => return Ok(None),
        };
        // Filters run natively (see `Target::filter`); they must be a plain list.
        let Ok(filters) = filters.cast_exact::<PyList>() else { return Ok(None) };
        let filters = filters.clone().unbind();
        let Some(stream) = hdict.get_item(intern!(py, "stream"))? else { return Ok(None) };
        let sink = if let Ok(aw) = stream.cast::<AsyncWriter>() {
            if !aw.get().is_native_utf8() || aw.get().writer().is_closed() {
                return Ok(None);
            }
            Sink::Worker(aw.get().writer().clone())
        } else if let Some(aw) = stdio_writer(py, h, &stream)? {
            // The process's own stdout/stderr: written by a worker thread on the raw fd.
            Sink::Worker(aw)
        } else if !stream.is_none() && PY_STREAM_TYPES.lock().iter().any(|t| t.bind(py).is(&htype)) {
            let Some(lock) = hdict.get_item(intern!(py, "lock"))? else { return Ok(None) };
            if lock.is_none() {
                return Ok(None);
            }
            let flush = stream.getattr_opt(intern!(py, "flush"))?.map(|f| f.unbind());
            Sink::Python { handler: h.clone().unbind(), stream: stream.clone().unbind(), lock: lock.unbind(), flush }
        } else {
            return Ok(None);
        };
        let level: i64 = match hdict.get_item(intern!(py, "level"))? {
            Some(l) if l.is_instance_of::<PyInt>() => l.extract()?,
            _ => return Ok(None),
        };
        let mut formatter = hdict.get_item(intern!(py, "formatter"))?.unwrap_or_else(|| py.None().into_bound(py));
        if formatter.is_none() {
            match crate::globals::global(py, intern!(py, "_defaultFormatter"))? {
                Some(f) => formatter = f,
                None => return Ok(None),
            }
        }
        let Ok(fcore) = formatter.cast::<FormatterCore>() else { return Ok(None) };
        let Some(plan) = FormatterCore::native_plan(fcore) else { return Ok(None) };
        let needs = plan.needs();
        if !needs.fields.iter().all(|f| NATIVE_FIELDS.contains(&f.as_str())) || !worker_safe(&plan.layout) {
            return Ok(None);
        }
        let style = formatter.getattr(intern!(py, "_style"))?;
        cache.validity.formatter =
            Some((formatter.clone().unbind(), obj_dict_version(&formatter), type_tag(&formatter.get_type())));
        cache.validity.style = Some((style.clone().unbind(), obj_dict_version(&style)));
        let terminator = h.getattr(intern!(py, "terminator"))?;
        let Ok(terminator) = terminator.cast::<PyString>() else { return Ok(None) };
        let names = &needs.fields;
        Ok(Some(Target {
            filters,
            sink,
            terminator: terminator.to_str()?.into(),
            level,
            needs_caller: needs.caller,
            needs_thread_name: names.iter().any(|n| n == "threadName"),
            needs_process_name: names.iter().any(|n| n == "processName"),
            plan,
            owner: pyo3::types::PyWeakrefReference::new(h)?.unbind(),
        }))
    })()?;
    // Versions are read last: reading attributes above may have materialised dicts.
    cache.validity.hdict_version = dict_version(hdict);
    cache.validity.htype_tag = type_tag(&htype);
    cache.target = target.map(Arc::new);
    Ok(cache)
}

/// The native target of handler `h`, if it has one right now.
pub fn native_target(h: &Bound<'_, PyAny>) -> PyResult<Option<Arc<Target>>> {
    Ok(native_target_with_validity(h, false)?.map(|(t, _)| t))
}

/// Like [`native_target`], also giving what the decision depends on (for a dispatch plan).
pub fn native_target_with_validity(h: &Bound<'_, PyAny>, want_validity: bool) -> PyResult<Option<(Arc<Target>, Option<Validity>)>> {
    let py = h.py();
    // Only instances of registered classes (or their subclasses) carry a slot.
    let Some(hdict) = dict_of(h) else { return Ok(None) };
    let hdict = hdict.to_owned();
    let Some(slot) = hdict.get_item(intern!(py, "_femto_slot"))? else { return Ok(None) };
    let Ok(slot) = slot.cast::<NativeSlot>() else { return Ok(None) };
    // Never hold the slot's lock while running Python code (which may release the GIL and let
    // another thread block on the lock while holding the GIL): check, unlock, build, store.
    {
        let guard = slot.get().cache.lock();
        if let Some(c) = guard.as_ref() {
            if c.validity.check(py, &hdict, &h.get_type()) {
                return Ok(c.target.clone().map(|t| (t, want_validity.then(|| c.validity.clone_ref(py)))));
            }
        }
    }
    let fresh = build_target(py, h, &hdict)?;
    let out = fresh.target.clone().map(|t| (t, want_validity.then(|| fresh.validity.clone_ref(py))));
    let old = slot.get().cache.lock().replace(fresh);
    drop(old); // released outside the lock: dropping Python references may run Python code
    Ok(out)
}

impl Target {
    /// The handler's level threshold.
    pub fn level(&self) -> i64 {
        self.level
    }

    /// Hand `rec` to this handler's sink. `Ok(false)` means the record must go through the
    /// handler's Python path instead (the writer is closed, or the line could not be rendered
    /// or written: Python then reports it through `handleError`, as stdlib would).
    pub fn send(self: &Arc<Self>, py: Python<'_>, rec: RecordRef) -> PyResult<bool> {
        match &self.sink {
            Sink::Worker(writer) => {
                let levelno = rec.levelno;
                let job: Box<dyn Render> = Box::new(Job { rec, target: self.clone() });
                let sent = match writer.send_render_nowait(job) {
                    Ok(None) => Ok(()),
                    Ok(Some(job)) => {
                        let w = writer.clone();
                        py.detach(move || w.send_render(job))
                    }
                    Err(e) => Err(e),
                };
                Ok(match sent {
                    Ok(()) => {
                        crate::io::delivery::after_record(py, writer, levelno);
                        true
                    }
                    Err(SendError::Closed) => false,
                    // An earlier I/O error of the worker (the record itself was queued).
                    Err(SendError::Io(e)) => {
                        crate::io::delivery::after_record(py, writer, levelno);
                        crate::io::py::report_worker_error(py, self.owner.bind(py), e, levelno)?;
                        true
                    }
                })
            }
            Sink::Python { stream, lock, flush, .. } => {
                let mut line = String::with_capacity(128);
                if self.plan.render(&*rec, rec.created, &mut line).is_err() {
                    return Ok(false);
                }
                line.push_str(&self.terminator);
                let lock = lock.bind(py);
                lock.call_method0(intern!(py, "acquire"))?;
                let written = stream
                    .bind(py)
                    .call_method1(intern!(py, "write"), (line,))
                    .and_then(|_| match flush {
                        Some(f) => f.bind(py).call0().map(|_| ()),
                        None => Ok(()),
                    });
                lock.call_method0(intern!(py, "release"))?;
                match written {
                    Ok(()) => Ok(true),
                    Err(e) if e.is_instance_of::<pyo3::exceptions::PyRecursionError>(py) => Err(e),
                    Err(_) => Ok(false),
                }
            }
        }
    }

    /// Does the handler have filters (which need a Python record)?
    pub fn has_filters(&self, py: Python<'_>) -> bool {
        !self.filters.bind(py).is_empty()
    }

    /// stdlib's `Filterer.filter` for this handler: `None` drops the record; otherwise the
    /// record to emit (a filter may return a replacement record, as in Python 3.12).
    pub fn filter<'py>(&self, record: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = record.py();
        let mut record = record.clone();
        // Iterate over a snapshot, as a filter may add or remove filters.
        let filters = self.filters.bind(py).to_tuple();
        for f in filters.iter() {
            let result = match f.getattr_opt(intern!(py, "filter"))? {
                Some(m) => m.call1((&record,))?,
                None => f.call1((&record,))?,
            };
            if !result.is_truthy()? {
                return Ok(None);
            }
            if result.is_instance_of::<crate::record::LogRecord>() {
                record = result;
            }
        }
        Ok(Some(record))
    }
}

/// A record captured as plain data, renderable without the GIL.
#[derive(Debug)]
pub struct NativeRecord {
    pub name: Cow<'static, str>,
    pub levelno: i64,
    pub levelname: Cow<'static, str>,
    pub lineno: i64,
    pub created: f64,
    pub msecs: f64,
    pub relative_created: f64,
    pub thread: Option<i64>,
    pub process: Option<i64>,
    pub message: Message,
    /// The text fields only some layouts use, boxed so the common record stays small.
    pub extra: Option<Box<RecordText>>,
}

/// Text fields of a captured record that most layouts do not use.
#[derive(Debug, Default)]
pub struct RecordText {
    pub pathname: Option<String>,
    pub filename: Option<String>,
    pub module: Option<String>,
    pub func_name: Option<String>,
    pub thread_name: Option<String>,
    pub process_name: Option<String>,
    pub exc_text: Option<String>,
    pub stack_info: Option<String>,
}

impl NativeRecord {
    /// The boxed text fields, created on first use.
    pub fn text_mut(&mut self) -> &mut RecordText {
        self.extra.get_or_insert_with(Default::default)
    }

    fn text_field(&self, get: impl Fn(&RecordText) -> &Option<String>) -> FieldValue<'_> {
        match self.extra.as_deref().map(get) {
            Some(Some(s)) => FieldValue::Str(s),
            _ => FieldValue::None,
        }
    }
}


impl FieldSource for NativeRecord {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        Some(match name {
            "name" => FieldValue::Str(&self.name),
            "levelno" => FieldValue::Int(self.levelno),
            "levelname" => FieldValue::Str(&self.levelname),
            "pathname" => self.text_field(|t| &t.pathname),
            "filename" => self.text_field(|t| &t.filename),
            "module" => self.text_field(|t| &t.module),
            "lineno" => FieldValue::Int(self.lineno),
            "funcName" => self.text_field(|t| &t.func_name),
            "created" => FieldValue::Float(self.created),
            "msecs" => FieldValue::Float(self.msecs),
            "relativeCreated" => FieldValue::Float(self.relative_created),
            "thread" => self.thread.map_or(FieldValue::None, FieldValue::Int),
            "threadName" => self.text_field(|t| &t.thread_name),
            "process" => self.process.map_or(FieldValue::None, FieldValue::Int),
            "processName" => self.text_field(|t| &t.process_name),
            "message" => FieldValue::Str(self.message.text()),
            "exc_text" => self.text_field(|t| &t.exc_text),
            "stack_info" => self.text_field(|t| &t.stack_info),
            _ => return None,
        })
    }
}

/// A record as a job holds it: owned when it goes to one handler (one allocation in all),
/// shared when several handlers write it.
pub enum RecordRef {
    Owned(NativeRecord),
    Shared(Arc<NativeRecord>),
}

impl std::ops::Deref for RecordRef {
    type Target = NativeRecord;
    fn deref(&self) -> &NativeRecord {
        match self {
            RecordRef::Owned(r) => r,
            RecordRef::Shared(r) => r,
        }
    }
}

struct Job {
    rec: RecordRef,
    target: Arc<Target>,
}

impl Render for Job {
    fn weight(&self) -> usize {
        let extra = self.rec.extra.as_ref().map_or(0, |t| {
            t.exc_text.as_ref().map_or(0, String::len) + t.stack_info.as_ref().map_or(0, String::len)
        });
        128 + self.rec.message.size_hint() + extra
    }

    fn render(&self, out: &mut Vec<u8>) {
        thread_local! {
            // One line buffer per worker thread, reused for every record.
            static LINE: std::cell::RefCell<String> = std::cell::RefCell::new(String::with_capacity(256));
        }
        LINE.with(|cell| self.render_with(&mut cell.borrow_mut(), out))
    }
}

impl Job {
    fn render_with(&self, line: &mut String, out: &mut Vec<u8>) {
        line.clear();
        match self.target.plan.render(&*self.rec, self.rec.created, line) {
            Ok(()) => {
                line.push_str(&self.target.terminator);
                out.extend_from_slice(line.as_bytes());
            }
            Err(e) => {
                // No Python here: report like handleError would, on stderr, and keep going.
                let msg = format!(
                    "--- Logging error ---\n{e}\nMessage: {:?}\nLogger: {} ({})\n",
                    self.rec.message.text(), self.rec.name, self.rec.levelname
                );
                let _ = crate::io::queue::write_all_fd(2, msg.as_bytes());
            }
        }
    }
}

fn field_str(d: &Bound<'_, PyDict>, key: &Bound<'_, PyString>) -> PyResult<Option<Option<String>>> {
    match d.get_item(key)? {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(Some(None)),
        Some(v) => match v.cast::<PyString>() {
            Ok(s) => Ok(Some(Some(s.to_str()?.to_string()))),
            Err(_) => Ok(None),
        },
    }
}

fn field_num(d: &Bound<'_, PyDict>, key: &Bound<'_, PyString>) -> PyResult<Option<f64>> {
    match d.get_item(key)? {
        Some(v) if v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>() => Ok(Some(v.extract()?)),
        _ => Ok(None),
    }
}

fn field_int(d: &Bound<'_, PyDict>, key: &Bound<'_, PyString>) -> PyResult<Option<Option<i64>>> {
    match d.get_item(key)? {
        Some(v) if v.is_none() => Ok(Some(None)),
        Some(v) if v.is_instance_of::<PyInt>() => Ok(v.extract().ok().map(Some)),
        _ => Ok(None),
    }
}

/// Capture a Python record's fields for the native path; `None` when a field is not a plain
/// value (the handler's Python path then formats it exactly as stdlib would).
pub fn capture_record(record: &Bound<'_, PyAny>, target: &Target) -> PyResult<Option<NativeRecord>> {
    let py = record.py();
    let d = instance_dict(record)?;
    // A LogRecord subclass may override getMessage(): honour it, as Formatter.format would.
    let msg_obj = if record.get_type().is(&py.get_type::<crate::record::LogRecord>()) {
        crate::record::get_message(record)
    } else {
        record.call_method0(intern!(py, "getMessage"))
    };
    let message = match msg_obj {
        Ok(m) => match m.cast::<PyString>() {
            Ok(s) => {
                // Formatter.format leaves `message` on the record; later handlers may read it.
                d.set_item(intern!(py, "message"), s)?;
                s.to_str()?.to_string()
            }
            Err(_) => return Ok(None),
        },
        Err(_) => return Ok(None),
    };
    let exc_text = match d.get_item(intern!(py, "exc_text"))? {
        Some(t) if t.is_truthy()? => Some(t.cast::<PyString>()?.to_str()?.to_string()),
        _ => {
            let ei = d.get_item(intern!(py, "exc_info"))?;
            match ei {
                Some(ei) if ei.is_truthy()? => {
                    // stdlib caches the traceback text on the record; so do we.
                    let f = match crate::globals::global(py, intern!(py, "_defaultFormatter"))? {
                        Some(f) => f,
                        None => return Ok(None),
                    };
                    let text = f.call_method1(intern!(py, "formatException"), (ei,))?;
                    d.set_item(intern!(py, "exc_text"), &text)?;
                    Some(text.cast::<PyString>()?.to_str()?.to_string())
                }
                _ => None,
            }
        }
    };
    let (Some(Some(name)), Some(Some(levelno)), Some(Some(levelname))) = (
        field_str(&d, intern!(py, "name"))?,
        field_int(&d, intern!(py, "levelno"))?,
        field_str(&d, intern!(py, "levelname"))?,
    ) else {
        return Ok(None);
    };
    let (Some(created), Some(msecs), Some(relative_created)) = (
        field_num(&d, intern!(py, "created"))?,
        field_num(&d, intern!(py, "msecs"))?,
        field_num(&d, intern!(py, "relativeCreated"))?,
    ) else {
        return Ok(None);
    };
    if target.plan.layout.uses_time {
        if let Some(asctime) = target.plan.format_time(created, msecs) {
            d.set_item(intern!(py, "asctime"), asctime)?;
        }
    }
    let lineno = match field_int(&d, intern!(py, "lineno"))? {
        Some(Some(l)) => l,
        _ => return Ok(None),
    };
    macro_rules! s {
        ($k:literal) => {
            match field_str(&d, intern!(py, $k))? {
                Some(v) => v,
                None => return Ok(None),
            }
        };
    }
    macro_rules! i {
        ($k:literal) => {
            match field_int(&d, intern!(py, $k))? {
                Some(v) => v,
                None => return Ok(None),
            }
        };
    }
    Ok(Some(NativeRecord {
        name: Cow::Owned(name),
        levelno,
        levelname: Cow::Owned(levelname),
        lineno,
        created,
        msecs,
        relative_created,
        thread: i!("thread"),
        process: i!("process"),
        message: Message::Ready(message),
        extra: Some(Box::new(RecordText {
            pathname: if target.needs_caller { s!("pathname") } else { None },
            filename: if target.needs_caller { s!("filename") } else { None },
            module: if target.needs_caller { s!("module") } else { None },
            func_name: if target.needs_caller { s!("funcName") } else { None },
            thread_name: if target.needs_thread_name { s!("threadName") } else { None },
            process_name: if target.needs_process_name { s!("processName") } else { None },
            exc_text,
            stack_info: s!("stack_info"),
        })),
    }))
}

impl Target {
    /// Does a record captured for `self` hold every field `other` renders?
    pub fn capture_covers(&self, other: &Target) -> bool {
        (self.needs_caller || !other.needs_caller)
            && (self.needs_thread_name || !other.needs_thread_name)
            && (self.needs_process_name || !other.needs_process_name)
    }
}

/// Declare handler classes whose Python stream the engine may write directly (exact types only).
#[pyfunction]
#[pyo3(signature = (*types))]
fn _register_stream_handlers(types: &Bound<'_, PyTuple>) -> PyResult<()> {
    let mut registered = PY_STREAM_TYPES.lock();
    for t in types.iter() {
        let t = t.cast_into::<PyType>()?;
        if !registered.iter().any(|r| r.as_ptr() == t.as_ptr()) {
            registered.push(t.unbind());
        }
    }
    Ok(())
}

/// Declare which handler classes may take the native path (exact types only).
#[pyfunction]
#[pyo3(signature = (*types))]
fn _register_native_handlers(types: &Bound<'_, PyTuple>) -> PyResult<()> {
    let mut entries = Vec::new();
    for t in types.iter() {
        let t = t.cast_into::<PyType>()?;
        let mut originals = Vec::new();
        for name in HOT_METHODS {
            originals.push((name, t.getattr(name)?.unbind()));
        }
        entries.push((t.unbind(), originals));
    }
    let mut registered = NATIVE_TYPES.lock();
    for (t, o) in entries {
        if !registered.iter().any(|(r, _)| r.as_ptr() == t.as_ptr()) {
            registered.push((t, o));
        }
    }
    Ok(())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeSlot>()?;
    m.add_function(wrap_pyfunction!(_register_stream_handlers, m)?)?;
    m.add_function(wrap_pyfunction!(_register_native_handlers, m)?)
}
