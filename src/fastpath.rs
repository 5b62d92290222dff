//! The record-less fast path: when every handler a record reaches is native, the calling thread
//! captures only the fields the layouts use into a [`NativeRecord`] and queues it; no Python
//! `LogRecord` is created and no Python code runs.

use std::borrow::Cow;
use std::sync::Arc;

use parking_lot::RwLock;
use smallvec::SmallVec;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyString};

use crate::caller;
use crate::globals;
use crate::handler::{native_target, NativeRecord, RecordRef, Target};
use crate::logger::{LogOptions, LoggerCore};

/// Text of a str field; `Err(Unrepresentable)` when Rust cannot hold it (lone surrogates).
fn to_string(v: &Bound<'_, PyAny>) -> Result<Option<String>, Unrepresentable> {
    match v.cast::<PyString>() {
        Ok(s) => s.to_str().map(|t| Some(t.to_string())).map_err(|_| Unrepresentable),
        Err(_) => Ok(None),
    }
}

/// A field whose text is not valid UTF-8: the call takes the Python-record path.
struct Unrepresentable;

macro_rules! text_or_bail {
    ($v:expr) => {
        match to_string($v) {
            Ok(t) => t,
            Err(Unrepresentable) => return Ok(false),
        }
    };
}

/// Handle the call natively if possible; `Ok(false)` means "take the Python-record path".
pub(crate) fn try_log<'py>(
    slf: &Bound<'py, LoggerCore>,
    filters: &RwLock<Py<PyAny>>,
    level: &Bound<'py, PyAny>,
    msg: &Bound<'py, PyAny>,
    args: &[Bound<'py, PyAny>],
    opts: &LogOptions<'py>,
) -> PyResult<bool> {
    let py = slf.py();
    if opts.extra.as_ref().is_some_and(|e| !e.is_none()) {
        return Ok(false);
    }
    let exc_info = match &opts.exc_info {
        Some(ei) if ei.is_truthy()? => Some(crate::logger::normalize_exc_info(py, Some(ei.clone()))?),
        _ => None,
    };
    if slf.get().is_disabled() || filters.read().bind(py).is_truthy()? {
        return Ok(false);
    }
    // An int level beyond 64 bits takes the record path, which compares Python ints.
    let Some(levelno) = level.cast::<PyInt>().ok().and_then(|l| l.extract::<i64>().ok()) else {
        return Ok(false);
    };
    let sw = globals::switches(py)?;
    if !sw.native_factory {
        return Ok(false);
    }
    let mut targets: SmallVec<[(Bound<'py, PyAny>, Arc<Target>); 4]> = SmallVec::new();
    let plan = slf.get().plan();
    if let Some(plan) = plan.as_ref().filter(|p| p.holds(py)) {
        for (h, t) in &plan.entries {
            if levelno >= t.level() {
                if t.has_filters(py) {
                    return Ok(false);
                }
                targets.push((h.bind(py).clone(), t.clone()));
            }
        }
    } else {
        let Some(found) = walk_chain(slf, levelno, &mut targets)? else { return Ok(false) };
        if found == 0 {
            return Ok(false);
        }
    }
    if targets.is_empty() {
        return Ok(true);
    }
    let Some(message) = crate::message::capture(msg, args)? else { return Ok(false) };
    let needs_caller = opts.stack_info || targets.iter().any(|(_, t)| t.needs_caller);
    let created = globals::now();
    let mut rec = NativeRecord {
        name: match slf.get().name_text() {
            Some(n) => Cow::Borrowed(n),
            None => return Ok(false),
        },
        levelno,
        levelname: match globals::level_name_text(py, &sw, level, levelno)? {
            Some(n) => Cow::Borrowed(n),
            None => return Ok(false),
        },
        lineno: 0,
        created,
        msecs: ((created - created.trunc()) * 1000.0).trunc(),
        relative_created: (created - globals::start_time()) * 1000.0,
        thread: None,
        process: None,
        message,
        extra: None,
    };
    if needs_caller && sw.srcfile {
        let c = caller::find_caller(py, opts.stack_info, opts.stacklevel)?;
        let path = text_or_bail!(&c.filename);
        if let Some(p) = &path {
            let base = p.rsplit('/').next().unwrap_or(p);
            let stem = match base.rfind('.') {
                Some(i) if base[..i].chars().any(|ch| ch != '.') => &base[..i],
                _ => base,
            };
            let t = rec.text_mut();
            t.filename = Some(base.to_string());
            t.module = Some(stem.to_string());
        }
        rec.text_mut().pathname = path;
        rec.lineno = c.lineno as i64;
        rec.text_mut().func_name = text_or_bail!(&c.func);
        rec.text_mut().stack_info = if c.sinfo.is_none() { None } else { text_or_bail!(&c.sinfo) };
    } else if needs_caller {
        let t = rec.text_mut();
        t.pathname = Some("(unknown file)".into());
        t.filename = Some("(unknown file)".into());
        t.module = Some("(unknown file)".into());
        t.func_name = Some("(unknown function)".into());
    }
    if sw.log_threads {
        // SAFETY: pthread_self has no preconditions.
        rec.thread = Some(unsafe { libc::pthread_self() } as i64);
        if targets.iter().any(|(_, t)| t.needs_thread_name) {
            let ident = unsafe { libc::pthread_self() } as u64;
            rec.text_mut().thread_name = text_or_bail!(&crate::record::thread_name(py, ident)?);
        }
    }
    if sw.log_processes {
        rec.process = Some(globals::pid() as i64);
    }
    if sw.log_multiprocessing && targets.iter().any(|(_, t)| t.needs_process_name) {
        let modules = globals::module(py, "sys")?.getattr(intern!(py, "modules"))?;
        rec.text_mut().process_name = Some("MainProcess".into());
        if let Ok(Some(mp)) = modules.cast::<PyDict>().map(|m| m.get_item("multiprocessing")).unwrap_or(Ok(None)) {
            if let Ok(n) = mp.call_method0("current_process").and_then(|p| p.getattr("name")) {
                rec.text_mut().process_name = text_or_bail!(&n);
            }
        }
    }
    if let Some(ei) = &exc_info {
        // The traceback text every native formatter would produce (cached per code site).
        let tb = globals::module(py, "traceback")?.getattr(intern!(py, "print_exception"))?;
        if !globals::is_original_print_exception(py, &tb) || !ei.is_instance_of::<pyo3::types::PyTuple>() {
            return Ok(false);
        }
        if ei.len()? != 3 {
            return Ok(false);
        }
        // A malformed exc_info (`(1, 2, 3)`) cannot be formatted: the record path reports it
        // through the handler's handleError, as stdlib does.
        let Ok(text) = crate::traceback::format_exception_str(py, &ei.get_item(0)?, &ei.get_item(1)?, &ei.get_item(2)?) else {
            return Ok(false);
        };
        let Ok(text) = text.to_str() else { return Ok(false) };
        rec.text_mut().exc_text = Some(text.strip_suffix('\n').unwrap_or(text).to_string());
    }
    let times = (rec.created, rec.msecs, rec.relative_created);
    let mut fallback: Option<Bound<'py, PyAny>> = None;
    let mut failed: SmallVec<[&Bound<'py, PyAny>; 4]> = SmallVec::new();
    if targets.len() == 1 {
        let (h, t) = &targets[0];
        if !t.send(py, RecordRef::Owned(rec))? {
            failed.push(h);
        }
    } else {
        let rec = Arc::new(rec);
        for (h, t) in &targets {
            if !t.send(py, RecordRef::Shared(rec.clone()))? {
                failed.push(h);
            }
        }
    }
    for h in failed {
        // This handler needs its Python path (closed writer, a write error for handleError...):
        // give it a real record, built once, with the same fields.
        if fallback.is_none() {
            fallback = Some(python_record(py, slf, level, msg, args, opts, exc_info.as_ref(), times)?);
        }
        if let Some(r) = &fallback {
            h.call_method1(intern!(py, "handle"), (r,))?;
        }
    }
    Ok(true)
}

/// A logger's cached answer to "which handlers does a record reach, and are they all native":
/// valid for one epoch (a handler's, formatter's or logger's attribute, a watched class, a
/// `propagate` flag or a parent changing bumps it) while the chain's handler lists still hold the
/// same items (in-place `append`/`remove`/slice assignment do not bump the epoch, so the lists'
/// sizes and items are compared). Saves the chain walk and the per-handler slot lookups.
pub struct DispatchPlan {
    epoch: u64,
    links: SmallVec<[Link; 3]>,
    entries: SmallVec<[(Py<PyAny>, Arc<Target>); 4]>,
}

struct Link {
    list: Py<PyList>,
    items: SmallVec<[usize; 4]>,
}

impl DispatchPlan {
    /// Does the plan still describe the chain? One atomic load and a few pointer comparisons.
    fn holds(&self, py: Python<'_>) -> bool {
        if self.epoch != crate::epoch::current() {
            return false;
        }
        self.links.iter().all(|link| {
            let list = link.list.bind(py);
            list.len() == link.items.len()
                && link.items.iter().enumerate().all(|(i, item)| crate::cpython::list_item_ptr(list, i) == *item)
        })
    }
}

/// Walk the handler chain for a record at `levelno`, collecting native targets. `None`: a
/// handler the record reaches is not native (take the record path). On a complete, all-native
/// chain of native loggers, caches a [`DispatchPlan`] on the logger.
fn walk_chain<'py>(
    slf: &Bound<'py, LoggerCore>,
    levelno: i64,
    targets: &mut SmallVec<[(Bound<'py, PyAny>, Arc<Target>); 4]>,
) -> PyResult<Option<usize>> {
    let py = slf.py();
    let epoch = crate::epoch::current();
    let mut plan = Some(DispatchPlan { epoch, links: SmallVec::new(), entries: SmallVec::new() });
    let mut found = 0usize;
    let mut cur: Option<Bound<'py, PyAny>> = Some(slf.clone().into_any());
    while let Some(c) = cur {
        let (handlers, propagate, parent) = LoggerCore::chain_step(&c)?;
        // Handlers are a list nearly always: index it (no iterator object per call).
        let items: SmallVec<[Bound<'py, PyAny>; 4]> = match handlers.cast_exact::<PyList>() {
            Ok(l) => l.iter().collect(),
            Err(_) => {
                plan = None;
                handlers.try_iter()?.collect::<PyResult<_>>()?
            }
        };
        // A logger that is not native may change its chain without bumping the epoch.
        match (c.is_instance_of::<LoggerCore>(), handlers.cast_exact::<PyList>(), plan.as_mut()) {
            (true, Ok(list), Some(p)) => p.links.push(Link {
                list: list.clone().unbind(),
                items: items.iter().map(|h| h.as_ptr() as usize).collect(),
            }),
            _ => plan = None,
        }
        for h in items {
            found += 1;
            match native_target(&h)? {
                Some(t) => {
                    if let Some(p) = plan.as_mut() {
                        p.entries.push((h.clone().unbind(), t.clone()));
                    }
                    if levelno >= t.level() {
                        if t.has_filters(py) {
                            // Filters need a Python record: the record path runs them natively.
                            return Ok(None);
                        }
                        targets.push((h, t));
                    }
                }
                None => {
                    plan = None;
                    // A Python handler below the record's level is skipped, as stdlib would.
                    let hl = h.getattr(intern!(py, "level"))?;
                    match hl.extract::<i64>() {
                        Ok(l) if levelno < l => {}
                        _ => return Ok(None),
                    }
                }
            }
        }
        cur = if propagate { parent } else { None };
    }
    if found > 0 {
        if let Some(p) = plan.filter(|p| p.epoch == crate::epoch::current()) {
            slf.get().set_plan(Some(Arc::new(p)));
        }
    }
    Ok(Some(found))
}

/// A Python `LogRecord` equal to what the slow path would have made for this call.
fn python_record<'py>(
    py: Python<'py>,
    slf: &Bound<'py, LoggerCore>,
    level: &Bound<'py, PyAny>,
    msg: &Bound<'py, PyAny>,
    args: &[Bound<'py, PyAny>],
    opts: &LogOptions<'py>,
    exc_info: Option<&Bound<'py, PyAny>>,
    (created, msecs, relative): (f64, f64, f64),
) -> PyResult<Bound<'py, PyAny>> {
    let c = caller::find_caller(py, opts.stack_info, opts.stacklevel)?;
    let none = py.None().into_bound(py);
    let lineno = c.lineno.into_pyobject(py)?.into_any();
    let name = slf.getattr(intern!(py, "name"))?;
    let ei = exc_info.cloned().unwrap_or_else(|| none.clone());
    let args = pyo3::types::PyTuple::new(py, args)?.into_any();
    let record = crate::logger::make_record(py, &name, level, &c.filename, &lineno, msg, &args, &ei, &c.func, &none, &c.sinfo)?;
    let d = crate::record::instance_dict(&record)?;
    d.set_item(intern!(py, "created"), created)?;
    d.set_item(intern!(py, "msecs"), msecs)?;
    d.set_item(intern!(py, "relativeCreated"), relative)?;
    Ok(record)
}
