//! Which handlers are native, and where their lines go.
//!
//! A handler is native when its class is exactly a registered one, nothing hot is replaced (on
//! the class, a base or the instance: see `overrides.rs`), its stream is a native writer (or a
//! Python stream of an exact `StreamHandler`), and its formatter has a GIL-free plan. The answer
//! is cached per handler in a [`NativeSlot`] (in the handler's `__dict__`) for one epoch.

use std::sync::Arc;

use parking_lot::Mutex;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyString, PyTuple, PyType};

use crate::formatter::{FormatterCore, NativeFormatterPlan};
use crate::io::py::AsyncWriter;
use crate::io::{Item, Render, SendError, Writer};
use crate::native_record::RecordRef;

use super::handle;
use super::job::Job;
use crate::layout::captured_kind;

/// Python classes whose exact instances may take the native path (registered by the facade and
/// by `femtologging.handlers`), with their hot methods as registered.
static NATIVE_TYPES: Mutex<Vec<(Py<PyType>, Vec<Py<PyAny>>)>> = Mutex::new(Vec::new());

/// Methods whose replacement (on the class or the instance) sends records through Python.
const HOT_METHODS: [&str; 6] = ["emit", "handle", "format", "filter", "flush", "acquire"];

fn hot_method_names(py: Python<'_>) -> [&Bound<'_, PyString>; 6] {
    [
        intern!(py, "emit"),
        intern!(py, "handle"),
        intern!(py, "format"),
        intern!(py, "filter"),
        intern!(py, "flush"),
        intern!(py, "acquire"),
    ]
}

/// Exact handler classes whose Python stream (an `io.StringIO`, a socket file...) may be written
/// by the engine directly, skipping the Python `handle`/`emit` frames.
static PY_STREAM_TYPES: Mutex<Vec<Py<PyType>>> = Mutex::new(Vec::new());

/// Exact handler classes whose `emit` is "format, then write `msg + terminator` to the stream":
/// with a native writer as stream and a formatter the worker cannot run (a Python subclass),
/// the engine calls the formatter and queues the line itself ([`Formatted`]).
static FORMATTED_TYPES: Mutex<Vec<Py<PyType>>> = Mutex::new(Vec::new());

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
    pub(crate) plan: Arc<NativeFormatterPlan>,
    pub(crate) terminator: Box<str>,
    level: i64,
    /// The layout references caller information (pathname, lineno, funcName...).
    pub needs_caller: bool,
    pub needs_thread_name: bool,
    pub needs_process_name: bool,
    /// Non-standard fields the layout renders (`%(user)s` of `extra=`), captured per record.
    pub extra_fields: Box<[Box<str>]>,
    /// The same names as interned str objects, for dict lookups with a cached hash.
    pub extra_keys: Box<[Py<PyString>]>,
    /// The writer takes MessagePack frames: render jobs encode the record itself (the layout
    /// only says which fields to capture) and captures carry `extra=` values as `key_values`.
    pub wire: bool,
    /// The handler (weakly), whose `handleError` hears of its worker's I/O errors.
    owner: Py<pyo3::types::PyWeakrefReference>,
}

/// A handler of a [`FORMATTED_TYPES`] class whose formatter must run in Python: its record path
/// (`handle` → `filter` → `emit` → `format` → `stream.write`) without the handler's Python frames.
pub struct Formatted {
    filters: Py<PyList>,
    level: i64,
    /// The handler's formatter, or the module default when it has none (as `Handler.format`).
    formatter: Py<PyAny>,
    /// The handler's native writer (its `stream`).
    stream: Py<AsyncWriter>,
    /// The handler's lock (`None`: it has none).
    lock: Option<Py<PyAny>>,
    terminator: Py<PyString>,
}

/// Fields a record may offer natively.
const NATIVE_FIELDS: [&str; 18] = [
    "name", "levelno", "levelname", "pathname", "filename", "module", "lineno", "funcName", "created",
    "msecs", "relativeCreated", "thread", "threadName", "process", "processName", "message", "asctime",
    "exc_text",
];

struct SlotCache {
    /// The epoch the decision was made in (see `epoch.rs`).
    epoch: u64,
    target: Option<Arc<Target>>,
    formatted: Option<Arc<Formatted>>,
}

/// Per-handler cache of "can this handler be served natively, and how", valid for one epoch.
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

/// The native writer a `StreamHandler` keeps for `sys.__stdout__`/`sys.__stderr__`, when `stream`
/// is one of them: `Ok(None)` when it is not, `Some(None)` when it is but the writer does not
/// encode natively (its `emit` then writes every record, so they all keep one order).
fn stdio_writer(py: Python<'_>, h: &Bound<'_, PyAny>, stream: &Bound<'_, PyAny>) -> PyResult<Option<Option<Writer>>> {
    let sys = crate::globals::module(py, "sys")?;
    let is_stdio = [intern!(py, "__stdout__"), intern!(py, "__stderr__")]
        .iter()
        .any(|n| sys.getattr(*n).is_ok_and(|s| s.is(stream)));
    if !is_stdio {
        return Ok(None);
    }
    let Some(make) = h.getattr_opt(intern!(py, "_femto_stdio_writer"))? else { return Ok(None) };
    let w = make.call1((stream,))?;
    Ok(Some(match w.cast::<AsyncWriter>() {
        Ok(aw) if aw.get().is_native_utf8() && !aw.get().writer().is_closed() => Some(aw.get().writer().clone()),
        Ok(_) => None,
        Err(_) => return Ok(None),
    }))
}

/// How a handler's records are served, decided once per epoch.
enum Decision {
    Native(Target),
    Formatted(Formatted),
    Python,
}

/// Decide how handler `h` is served: natively, natively around its Python formatter, or by its
/// Python `handle()`.
fn build_target(py: Python<'_>, h: &Bound<'_, PyAny>, hdict: &Bound<'_, PyDict>) -> PyResult<Decision> {
    Ok(match build_native(py, h, hdict)? {
        Ok(t) => Decision::Native(t),
        Err(Some(f)) => Decision::Formatted(f),
        Err(None) => Decision::Python,
    })
}

/// The native target of handler `h`; `Err(Some)`: everything is native but the formatter (see
/// [`Formatted`]); `Err(None)`: the handler's Python path.
fn build_native(py: Python<'_>, h: &Bound<'_, PyAny>, hdict: &Bound<'_, PyDict>) -> PyResult<Result<Target, Option<Formatted>>> {
    let htype = h.get_type();
    {
        let originals = {
            let registered = NATIVE_TYPES.lock();
            match registered.iter().find(|(t, _)| t.bind(py).is(&htype)) {
                Some((_, o)) => o.iter().map(|f| Some(f.clone_ref(py).into_bound(py))).collect::<Vec<_>>(),
                None => return Ok(Err(None)),
            }
        };
        // A method replaced on the class (before or after registration) or on the instance is
        // honoured: Python path.
        let names = hot_method_names(py);
        if crate::overrides::detect(&htype, Some(h), &names, &originals)? != 0 {
            return Ok(Err(None));
        }
    }
    // A rotating handler with a Python namer/rotator, or whose schedule only Python keeps
    // (`_femto_python_rotation`), rotates in Python, record by record.
    for key in ["namer", "rotator", "_femto_python_rotation"] {
        if hdict.get_item(key)?.is_some_and(|v| !v.is_none()) {
            return Ok(Err(None));
        }
    }
    let filters = match hdict.get_item(intern!(py, "filters"))? {
        Some(f) => f,
        None => return Ok(Err(None)),
    };
    // Filters run natively (see `Target::filter`); they must be a plain list.
    let Ok(filters) = filters.cast_exact::<PyList>() else { return Ok(Err(None)) };
    let filters = filters.clone().unbind();
    let Some(stream) = hdict.get_item(intern!(py, "stream"))? else { return Ok(Err(None)) };
    let sink = if let Ok(aw) = stream.cast::<AsyncWriter>() {
        if !aw.get().is_native_utf8() || aw.get().writer().is_closed() {
            return Ok(Err(None));
        }
        Sink::Worker(aw.get().writer().clone())
    } else if let Some(aw) = stdio_writer(py, h, &stream)? {
        // The process's own stdout/stderr: written by a worker thread on the raw fd.
        match aw {
            Some(aw) => Sink::Worker(aw),
            None => return Ok(Err(None)),
        }
    } else if !stream.is_none() && PY_STREAM_TYPES.lock().iter().any(|t| t.bind(py).is(&htype)) {
        let Some(lock) = hdict.get_item(intern!(py, "lock"))? else { return Ok(Err(None)) };
        if lock.is_none() {
            return Ok(Err(None));
        }
        let flush = stream.getattr_opt(intern!(py, "flush"))?.map(|f| f.unbind());
        Sink::Python { handler: h.clone().unbind(), stream: stream.clone().unbind(), lock: lock.unbind(), flush }
    } else {
        return Ok(Err(None));
    };
    let level: i64 = match hdict.get_item(intern!(py, "level"))? {
        Some(l) if l.is_instance_of::<PyInt>() => l.extract()?,
        _ => return Ok(Err(None)),
    };
    let mut formatter = hdict.get_item(intern!(py, "formatter"))?.unwrap_or_else(|| py.None().into_bound(py));
    if formatter.is_none() {
        match crate::globals::global(py, intern!(py, "_defaultFormatter"))? {
            Some(f) => formatter = f,
            None => return Ok(Err(None)),
        }
    }
    let plan = formatter.cast::<FormatterCore>().ok().and_then(FormatterCore::native_plan);
    let Some(plan) = plan else { return formatted(py, h, hdict, &htype, filters, level, &stream, formatter) };
    let needs = plan.needs();
    let sw = crate::globals::switches(py)?;
    let kind = |n: &str| captured_kind(n, sw.log_threads, sw.log_processes);
    // A field is native when the engine captures it, or when it is no record attribute (then it
    // comes from `extra=`, captured as a scalar of any kind).
    let capturable = |f: &String| NATIVE_FIELDS.contains(&f.as_str()) || needs.extras.contains(f);
    if !needs.fields.iter().all(capturable) || !plan.layout.worker_safe(kind) {
        return Ok(Err(None));
    }
    let terminator = h.getattr(intern!(py, "terminator"))?;
    let Ok(terminator) = terminator.cast::<PyString>() else { return Ok(Err(None)) };
    let names = &needs.fields;
    let wire = matches!(&sink, Sink::Worker(w) if w.takes_frames());
    Ok(Ok(Target {
        filters,
        sink,
        terminator: terminator.to_str()?.into(),
        level,
        needs_caller: needs.caller,
        needs_thread_name: names.iter().any(|n| n == "threadName"),
        needs_process_name: names.iter().any(|n| n == "processName"),
        extra_fields: needs.extras.iter().map(|n| n.as_str().into()).collect(),
        extra_keys: needs.extras.iter().map(|n| PyString::intern(py, n).unbind()).collect(),
        wire,
        plan,
        owner: pyo3::types::PyWeakrefReference::new(h)?.unbind(),
    }))
}

/// The [`Formatted`] target of a handler whose formatter is not native, when its class writes
/// through a plain `emit` and its stream is a native writer.
#[allow(clippy::too_many_arguments)]
fn formatted(
    py: Python<'_>,
    h: &Bound<'_, PyAny>,
    hdict: &Bound<'_, PyDict>,
    htype: &Bound<'_, PyType>,
    filters: Py<PyList>,
    level: i64,
    stream: &Bound<'_, PyAny>,
    formatter: Bound<'_, PyAny>,
) -> PyResult<Result<Target, Option<Formatted>>> {
    if !FORMATTED_TYPES.lock().iter().any(|t| t.bind(py).is(htype)) {
        return Ok(Err(None));
    }
    let Ok(stream) = stream.cast::<AsyncWriter>() else { return Ok(Err(None)) };
    // An overflow policy not yet applied to the stream is applied by the Python `emit`.
    if hdict.get_item(intern!(py, "_femto_overflow"))?.is_some_and(|v| !v.is_none()) {
        return Ok(Err(None));
    }
    let Ok(terminator) = h.getattr(intern!(py, "terminator"))?.cast_into::<PyString>() else { return Ok(Err(None)) };
    let lock = hdict.get_item(intern!(py, "lock"))?.filter(|l| l.is_truthy().unwrap_or(true)).map(|l| l.unbind());
    Ok(Err(Some(Formatted {
        filters,
        level,
        formatter: formatter.unbind(),
        stream: stream.clone().unbind(),
        lock,
        terminator: terminator.unbind(),
    })))
}

/// How the engine serves one handler past its level check.
pub enum Served {
    /// Natively: a captured record goes to its sink.
    Native(Arc<Target>),
    /// Natively but for its Python formatter, which needs the Python record.
    Formatted(Arc<Formatted>),
}

/// How handler `h` is served in the current epoch (`None`: by its Python `handle`). One slot
/// lookup answers both questions.
pub fn served(h: &Bound<'_, PyAny>) -> PyResult<Option<Served>> {
    Ok(match slot_decision(h)? {
        Some((Some(t), _)) => Some(Served::Native(t)),
        Some((None, Some(f))) => Some(Served::Formatted(f)),
        _ => None,
    })
}

type SlotAnswer = (Option<Arc<Target>>, Option<Arc<Formatted>>);

/// The cached decision of handler `h` (`None`: it carries no slot).
fn slot_decision(h: &Bound<'_, PyAny>) -> PyResult<Option<SlotAnswer>> {
    let py = h.py();
    // Only instances of registered classes (or their subclasses) carry a slot.
    let Some(hdict) = crate::cpython::attribute_dict(h) else { return Ok(None) };
    let Some(slot) = hdict.get_item(intern!(py, "_femto_slot"))? else { return Ok(None) };
    let Ok(slot) = slot.cast::<NativeSlot>() else { return Ok(None) };
    // Never hold the slot's lock while running Python code (which may release the GIL and let
    // another thread block on the lock while holding the GIL): check, unlock, build, store.
    let now = crate::epoch::current();
    {
        let guard = slot.get().cache.lock();
        if let Some(c) = guard.as_ref() {
            if c.epoch == now {
                return Ok(Some((c.target.clone(), c.formatted.clone())));
            }
        }
    }
    let (target, formatted) = match build_target(py, h, &hdict)? {
        Decision::Native(t) => (Some(Arc::new(t)), None),
        Decision::Formatted(f) => (None, Some(Arc::new(f))),
        Decision::Python => (None, None),
    };
    let out = (target.clone(), formatted.clone());
    // A decision made while something changed (building may run Python) is not kept.
    let epoch = if crate::epoch::current() == now { now } else { 0 };
    let old = slot.get().cache.lock().replace(SlotCache { epoch, target, formatted });
    drop(old); // released outside the lock: dropping Python references may run Python code
    Ok(Some(out))
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
                Ok(match crate::io::delivery::send(py, writer, Item::Render(job), Some(levelno)) {
                    Ok(()) => true,
                    Err(SendError::Closed) => false,
                    // An earlier I/O error of the worker (the record itself was handled).
                    Err(SendError::Io(e)) => {
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
                let written = handle::locked(handle::Lock::Object(Some(lock.bind(py))), || {
                    Ok(stream.bind(py).call_method1(intern!(py, "write"), (line,)).and_then(|_| match flush {
                        Some(f) => f.bind(py).call0().map(|_| ()),
                        None => Ok(()),
                    }))
                })?;
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

    /// stdlib's `Filterer.filter` for this handler (see [`handle::filter`]).
    pub fn filter<'py>(&self, record: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
        handle::filter(self.filters.bind(record.py()), record)
    }
}

impl Formatted {
    /// The handler's level threshold.
    pub fn level(&self) -> i64 {
        self.level
    }

    /// `handler.handle(record)` of an exact `StreamHandler`/`FileHandler`: filters, then under
    /// the handler's lock `formatter.format(record)` and the line queued on the native writer;
    /// an error of either goes to `handleError`, as `StreamHandler.emit` does.
    pub fn handle(&self, h: &Bound<'_, PyAny>, record: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = h.py();
        let lock = handle::Lock::Object(self.lock.as_ref().map(|l| l.bind(py)));
        handle::handle(h, self.filters.bind(py), lock, record, |r| self.write(py, r))
    }

    fn write(&self, py: Python<'_>, record: &Bound<'_, PyAny>) -> PyResult<()> {
        let msg = self.formatter.bind(py).call_method1(intern!(py, "format"), (record,))?;
        let stream = self.stream.bind(py);
        if let (Some(w), Ok(text), Ok(term)) =
            (AsyncWriter::native_text(stream), msg.cast_exact::<PyString>(), self.terminator.bind(py).cast_exact::<PyString>())
        {
            let levelno = record.getattr(intern!(py, "levelno"))?.extract::<i64>().ok();
            return w.write_texts(py, &[text, term], levelno);
        }
        let line = msg.add(self.terminator.bind(py))?;
        let line = line.cast_into::<PyString>()?;
        let levelno = record.getattr(intern!(py, "levelno"))?.extract::<i64>().ok();
        self.stream.bind(py).call_method1(intern!(py, "write"), (line, levelno))?;
        Ok(())
    }
}

impl Target {
    /// Does a record captured for `self` hold every field `other` renders?
    pub fn capture_covers(&self, other: &Target) -> bool {
        (self.wire || !other.wire)
            && (self.needs_caller || !other.needs_caller)
            && (self.needs_thread_name || !other.needs_thread_name)
            && (self.needs_process_name || !other.needs_process_name)
            && other.extra_fields.iter().all(|f| self.extra_fields.contains(f))
    }
}

/// Declare handler classes whose Python stream the engine may write directly (exact types only).
#[pyfunction]
#[pyo3(signature = (*types))]
fn _register_stream_handlers(types: &Bound<'_, PyTuple>) -> PyResult<()> {
    add_types(&PY_STREAM_TYPES, types)
}

/// Add each class of `types` to `registry` once.
fn add_types(registry: &Mutex<Vec<Py<PyType>>>, types: &Bound<'_, PyTuple>) -> PyResult<()> {
    let mut registered = registry.lock();
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
            originals.push(t.getattr(name)?.unbind());
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

/// Declare handler classes whose `emit` only formats and writes to the stream (exact types only).
#[pyfunction]
#[pyo3(signature = (*types))]
fn _register_formatted_handlers(types: &Bound<'_, PyTuple>) -> PyResult<()> {
    add_types(&FORMATTED_TYPES, types)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeSlot>()?;
    m.add_function(wrap_pyfunction!(_register_formatted_handlers, m)?)?;
    m.add_function(wrap_pyfunction!(_register_stream_handlers, m)?)?;
    m.add_function(wrap_pyfunction!(_register_native_handlers, m)?)
}
