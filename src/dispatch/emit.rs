//! Walking the handler chain once per record: native handlers get a captured record, every other
//! handler its Python `handle()`.
//!
//! Two entrances: [`try_log`] for a logging call that may need no Python record at all (every
//! handler it reaches is native), and [`call_handlers`] for a Python `LogRecord`.

use std::sync::Arc;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyInt;
use smallvec::SmallVec;

use crate::capture;
use crate::caller;
use crate::globals;
use crate::make_record::LogOptions;
use crate::native_record::{NativeRecord, RecordRef};

use super::handle;
use super::plan::walk_chain;
use super::target::{served, Served, Target};
use super::{Origin, Step};

/// Handle the call natively if possible; `Ok(false)` means "take the Python-record path".
pub fn try_log<'py>(
    origin: &Origin<'_, 'py>,
    level: &Bound<'py, PyAny>,
    msg: &Bound<'py, PyAny>,
    args: &[Bound<'py, PyAny>],
    opts: &LogOptions<'py>,
) -> PyResult<bool> {
    let py = origin.logger.py();
    // `extra` stays record-less when it is a plain dict overwriting no record attribute.
    let extra = match opts.extra.as_ref().filter(|e| !e.is_none()) {
        None => None,
        Some(e) => match capture::plain_extra(e) {
            Some(d) => Some(d),
            None => return Ok(false),
        },
    };
    let exc_info = match &opts.exc_info {
        Some(ei) if ei.is_truthy()? => Some(crate::make_record::normalize_exc_info(py, Some(ei.clone()))?),
        _ => None,
    };
    // An int level beyond 64 bits takes the record path, which compares Python ints.
    let Some(levelno) = level.cast::<PyInt>().ok().and_then(|l| l.extract::<i64>().ok()) else {
        return Ok(false);
    };
    let sw = globals::switches(py)?;
    if !sw.native_factory {
        return Ok(false);
    }
    let mut targets: SmallVec<[(Bound<'py, PyAny>, Arc<Target>); 4]> = SmallVec::new();
    let plan = origin.plan.lock().clone();
    if let Some(plan) = plan.as_ref().filter(|p| p.holds(py)) {
        if levelno >= plan.record_from {
            return Ok(false);
        }
        for (h, t) in plan.entries.iter().filter_map(|(h, s)| match s {
            Served::Native(t) => Some((h, t)),
            // Below `record_from`: a record reaching it took the record path above.
            Served::Formatted(_) => None,
        }) {
            if levelno >= t.level() {
                if t.has_filters(py) {
                    return Ok(false);
                }
                targets.push((h.bind(py).clone(), t.clone()));
            }
        }
    } else {
        let Some(found) = walk_chain(origin, levelno, &mut targets)? else { return Ok(false) };
        if found == 0 {
            return Ok(false);
        }
    }
    if targets.is_empty() {
        return Ok(true);
    }
    let needs = capture::Needs {
        caller: opts.stack_info || targets.iter().any(|(_, t)| t.needs_caller),
        thread_name: targets.iter().any(|(_, t)| t.needs_thread_name),
        process_name: targets.iter().any(|(_, t)| t.needs_process_name),
    };
    let call = capture::Call { name: origin.name, level, levelno, msg, args, opts, exc_info: exc_info.as_ref() };
    let Some(mut rec) = capture::from_call(py, &sw, &call, needs)? else { return Ok(false) };
    for (_, t) in &targets {
        if !t.extra_fields.is_empty() && !capture::add_fields(&mut rec, extra, t)? {
            return Ok(false);
        }
    }
    if let Some(d) = extra.filter(|_| targets.iter().any(|(_, t)| t.wire)) {
        rec.text_mut().key_values = capture::key_values(d)?;
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
            fallback = Some(python_record(py, origin.logger, level, msg, args, opts, exc_info.as_ref(), times)?);
        }
        if let Some(r) = &fallback {
            h.call_method1(intern!(py, "handle"), (r,))?;
        }
    }
    Ok(true)
}

pub fn call_handlers<'py>(origin: &Origin<'_, 'py>, record: &Bound<'py, PyAny>) -> PyResult<()> {
    let py = origin.logger.py();
    let levelno = record.getattr(intern!(py, "levelno"))?;
    let levelno_i: Option<i64> = if levelno.is_instance_of::<PyInt>() { levelno.extract().ok() } else { None };
    let mut captured: Option<(Arc<Target>, Arc<NativeRecord>)> = None;
    // A plan that still holds lists every handler of the chain, each served natively.
    let plan = origin.plan.lock().clone();
    if let (Some(lv), Some(plan)) = (levelno_i, plan.filter(|p| p.holds(py))) {
        for (h, how) in &plan.entries {
            serve(h.bind(py), how, lv, record, &mut captured)?;
        }
        return Ok(());
    }
    let mut found = 0usize;
    let mut cur: Option<Bound<'py, PyAny>> = Some(origin.logger.clone());
    while let Some(c) = cur {
        let Step { handlers, propagate, parent, .. } = (origin.step)(&c)?;
        for h in handlers.try_iter()? {
            let h = h?;
            found += 1;
            if let Some(lv) = levelno_i {
                if let Some(how) = served(&h)? {
                    serve(&h, &how, lv, record, &mut captured)?;
                    continue;
                }
            }
            let hlevel = h.getattr(intern!(py, "level"))?;
            let pass = match (levelno_i, hlevel.extract::<i64>()) {
                (Some(a), Ok(b)) if hlevel.is_instance_of::<PyInt>() => a >= b,
                _ => levelno.ge(&hlevel)?,
            };
            if pass {
                h.call_method1(intern!(py, "handle"), (record,))?;
            }
        }
        cur = if propagate { parent } else { None };
    }
    if found == 0 {
        let last = globals::global(py, intern!(py, "lastResort"))?;
        match last {
            Some(lr) if !lr.is_none() => {
                if levelno.ge(lr.getattr(intern!(py, "level"))?)? {
                    lr.call_method1(intern!(py, "handle"), (record,))?;
                }
            }
            _ => {
                if globals::flag(py, intern!(py, "raiseExceptions"))? {
                    let manager = origin.logger.getattr(intern!(py, "manager"))?;
                    let warned = manager.getattr(intern!(py, "emittedNoHandlerWarning"))?;
                    if !warned.is_truthy()? {
                        let name = origin.logger.getattr(intern!(py, "name"))?;
                        let stderr = crate::globals::module(py, "sys")?.getattr(intern!(py, "stderr"))?;
                        stderr.call_method1(
                            intern!(py, "write"),
                            (format!("No handlers could be found for logger \"{}\"\n", name.str()?),),
                        )?;
                        manager.setattr(intern!(py, "emittedNoHandlerWarning"), true)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Give `record` (at level `lv`) to handler `h`, served natively as `how` (a Python formatter's
/// handler runs no Python `handle`/`emit` frame).
fn serve<'py>(
    h: &Bound<'py, PyAny>,
    how: &Served,
    lv: i64,
    record: &Bound<'py, PyAny>,
    captured: &mut Option<(Arc<Target>, Arc<NativeRecord>)>,
) -> PyResult<()> {
    match how {
        Served::Native(t) => serve_native(h, t, lv, record, captured),
        Served::Formatted(f) if lv >= f.level() => f.handle(h, record),
        Served::Formatted(_) => Ok(()),
    }
}

/// Give `record` (at level `lv`) to native handler `h` with target `t`: its filters, then one
/// capture shared with the handlers before it whose fields it holds, sent to its sink; when the
/// sink cannot take it, the handler's own Python emit under its lock.
fn serve_native<'py>(
    h: &Bound<'py, PyAny>,
    t: &Arc<Target>,
    lv: i64,
    record: &Bound<'py, PyAny>,
    captured: &mut Option<(Arc<Target>, Arc<NativeRecord>)>,
) -> PyResult<()> {
    let py = h.py();
    if lv < t.level() {
        return Ok(());
    }
    let own;
    let (rec_obj, shared) = if t.has_filters(py) {
        match t.filter(record)? {
            None => return Ok(()),
            Some(r) if !r.is(record) => {
                own = r;
                (&own, false)
            }
            Some(_) => (record, true),
        }
    } else {
        (record, true)
    };
    let rec = if shared {
        let reusable = matches!(&*captured, Some((by, _)) if by.capture_covers(t));
        if !reusable {
            *captured = capture::from_record(record, t)?.map(|r| (t.clone(), Arc::new(r)));
        }
        captured.as_ref().map(|(_, r)| r.clone())
    } else {
        capture::from_record(rec_obj, t)?.map(Arc::new)
    };
    let sent = match &rec {
        Some(rec) => t.send(py, RecordRef::Shared(rec.clone()))?,
        None => false,
    };
    if !sent {
        // The handler's own Python emit (under its lock, filters already passed) formats the
        // record and reports any error.
        handle::locked(handle::Lock::Methods(h), || h.call_method1(intern!(py, "emit"), (rec_obj,)).map(|_| ()))?;
    }
    Ok(())
}

/// A Python `LogRecord` equal to what the slow path would have made for this call.
fn python_record<'py>(
    py: Python<'py>,
    logger: &Bound<'py, PyAny>,
    level: &Bound<'py, PyAny>,
    msg: &Bound<'py, PyAny>,
    args: &[Bound<'py, PyAny>],
    opts: &LogOptions<'py>,
    exc_info: Option<&Bound<'py, PyAny>>,
    (created, msecs, relative): (f64, f64, f64),
) -> PyResult<Bound<'py, PyAny>> {
    let c = caller::find_caller(py, opts.stack_info, opts.stacklevel)?;
    let none = py.None().into_bound(py);
    let extra = opts.extra.clone().unwrap_or_else(|| none.clone());
    let lineno = c.lineno.into_pyobject(py)?.into_any();
    let name = logger.getattr(intern!(py, "name"))?;
    let ei = exc_info.cloned().unwrap_or_else(|| none.clone());
    let args = pyo3::types::PyTuple::new(py, args)?.into_any();
    let record = crate::make_record::make_record(py, &name, level, &c.filename, &lineno, msg, &args, &ei, &c.func, &extra, &c.sinfo)?;
    let d = crate::record::instance_dict(&record)?;
    d.set_item(intern!(py, "created"), created)?;
    d.set_item(intern!(py, "msecs"), msecs)?;
    d.set_item(intern!(py, "relativeCreated"), relative)?;
    Ok(record)
}
