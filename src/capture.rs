//! The one capture: a logging call's or a Python `LogRecord`'s fields as a [`NativeRecord`].
//!
//! Both entrances fill the same record and share the field rules (caller fields, thread and
//! process names, `msecs`), so a record looks the same whichever path made it.

use std::borrow::Cow;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

use crate::caller;
use crate::globals::{self, Switches};
use crate::make_record::LogOptions;

use crate::dispatch::target::Target;
use crate::message::Message;
use crate::native_record::{KvValue, NativeRecord, RecordText};
use crate::record::RecordView;

fn field_str(d: &RecordView<'_>, key: &Bound<'_, PyString>) -> PyResult<Option<Option<String>>> {
    match d.get_item(key)? {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(Some(None)),
        // Not a str, or text Rust cannot hold (lone surrogates): the Python path formats it.
        Some(v) => match v.cast::<PyString>().ok().and_then(|s| s.to_str().ok()) {
            Some(s) => Ok(Some(Some(s.to_string()))),
            None => Ok(None),
        },
    }
}

fn field_num(d: &RecordView<'_>, key: &Bound<'_, PyString>) -> PyResult<Option<f64>> {
    match d.get_item(key)? {
        Some(v) if v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>() => Ok(Some(v.extract()?)),
        _ => Ok(None),
    }
}

fn field_int(d: &RecordView<'_>, key: &Bound<'_, PyString>) -> PyResult<Option<Option<i64>>> {
    match d.get_item(key)? {
        Some(v) if v.is_none() => Ok(Some(None)),
        Some(v) if v.is_instance_of::<PyInt>() => Ok(v.extract().ok().map(Some)),
        _ => Ok(None),
    }
}

/// The record's extra attributes whose values are plain (`str`, `int`, `float`, `bool`, `None`),
/// for a wire record's `key_values`; other values are left out.
pub fn key_values(d: &Bound<'_, PyDict>) -> PyResult<Vec<(String, KvValue)>> {
    let mut out = Vec::new();
    for (k, v) in d.iter() {
        let Some(k) = k.cast::<PyString>().ok().and_then(|k| k.to_str().ok()) else { continue };
        if crate::layout::is_record_attribute(k) {
            continue;
        }
        let value = if v.is_none() {
            KvValue::None
        } else if let Ok(b) = v.cast_exact::<PyBool>() {
            KvValue::Bool(b.is_true())
        } else if v.is_instance_of::<PyInt>() {
            match v.extract() {
                Ok(i) => KvValue::Int(i),
                Err(_) => continue,
            }
        } else if let Ok(f) = v.cast::<PyFloat>() {
            KvValue::Float(f.value())
        } else if let Some(s) = v.cast::<PyString>().ok().and_then(|s| s.to_str().ok()) {
            KvValue::Str(s.to_string())
        } else {
            continue;
        };
        out.push((k.to_string(), value));
    }
    Ok(out)
}

/// Capture a Python record's fields for the native path (`target`'s layout says which text
/// fields it needs); `None` when a field is not a plain
/// value (the handler's Python path then formats it exactly as stdlib would).
pub fn from_record(record: &Bound<'_, PyAny>, target: &Target) -> PyResult<Option<NativeRecord>> {
    let py = record.py();
    let d = RecordView::of(record)?;
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
                d.set_item(intern!(py, "message"), s.as_any())?;
                match s.to_str() {
                    Ok(t) => t.to_string(),
                    // Lone surrogates: the handler's Python path writes or reports it.
                    Err(_) => return Ok(None),
                }
            }
            Err(_) => return Ok(None),
        },
        Err(_) => return Ok(None),
    };
    let exc_text = match d.get_item(intern!(py, "exc_text"))? {
        Some(t) if t.is_truthy()? => match t.cast::<PyString>().ok().and_then(|s| s.to_str().ok()) {
            Some(s) => Some(s.to_string()),
            None => return Ok(None),
        },
        _ => {
            let ei = d.get_item(intern!(py, "exc_info"))?;
            match ei {
                Some(ei) if ei.is_truthy()? => {
                    // stdlib caches the traceback text on the record; so do we.
                    let f = match crate::globals::global(py, intern!(py, "_defaultFormatter"))? {
                        Some(f) => f,
                        None => return Ok(None),
                    };
                    // A malformed exc_info (`(1, 2, 3)`) fails here: the handler's Python path
                    // then reports it through handleError, as stdlib does.
                    let Ok(text) = f.call_method1(intern!(py, "formatException"), (ei,)) else {
                        return Ok(None);
                    };
                    d.set_item(intern!(py, "exc_text"), &text)?;
                    match text.cast::<PyString>().ok().and_then(|s| s.to_str().ok()) {
                        Some(s) => Some(s.to_string()),
                        None => return Ok(None),
                    }
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
            d.set_item(intern!(py, "asctime"), &PyString::new(py, &asctime).into_any())?;
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
    let mut rec = NativeRecord {
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
            fields: Vec::new(),
            key_values: match d.dict()? {
                Some(dict) if target.wire => key_values(&dict)?,
                _ => Vec::new(),
            },
        })),
    };
    Ok(add_fields(&mut rec, d.dict()?.as_ref(), target)?.then_some(rec))
}

/// Capture the non-standard fields `target`'s layout renders (`%(user)s` of `extra=`) from `src`
/// (the call's `extra` dict, or a record's `__dict__`) into `rec`. `Ok(false)`: a field is not a
/// plain scalar, or is missing and has no `defaults=` entry — the Python path then formats (or
/// fails) exactly as stdlib would.
pub fn add_fields(rec: &mut NativeRecord, src: Option<&Bound<'_, PyDict>>, target: &Target) -> PyResult<bool> {
    for (name, key) in target.extra_fields.iter().zip(target.extra_keys.iter()) {
        if rec.has_field(name) {
            continue;
        }
        let value = match src {
            Some(d) => d.get_item(key.bind(d.py()))?,
            None => None,
        };
        match value {
            Some(v) => match crate::formatter::owned_scalar(&v) {
                Some(val) => rec.text_mut().fields.push((name.clone(), val)),
                None => return Ok(false),
            },
            None if target.plan.defaults.iter().any(|(k, _)| k == &**name) => {}
            None => return Ok(false),
        }
    }
    Ok(true)
}

/// The call's `extra` when the record-less path can take it: an exact `dict` whose keys are
/// `str`s that overwrite no record attribute. `None`: the Python-record path merges it (and
/// raises stdlib's "Attempt to overwrite" `KeyError` for a clashing key).
pub fn plain_extra<'a, 'py>(extra: &'a Bound<'py, PyAny>) -> Option<&'a Bound<'py, PyDict>> {
    let d = extra.cast_exact::<PyDict>().ok()?;
    for k in d.keys() {
        let k = k.cast_exact::<PyString>().ok()?.to_str().ok()?;
        if crate::layout::is_record_attribute(k) {
            return None;
        }
    }
    Some(d)
}

/// Which optional fields the handlers of a record render.
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    pub caller: bool,
    pub thread_name: bool,
    pub process_name: bool,
}

/// A logging call, as the record-less path sees it.
pub struct Call<'a, 'py> {
    /// The logger's name as Rust text (`None`: not a str, the call takes the record path).
    pub name: Option<&'static str>,
    pub level: &'a Bound<'py, PyAny>,
    pub levelno: i64,
    pub msg: &'a Bound<'py, PyAny>,
    pub args: &'a [Bound<'py, PyAny>],
    pub opts: &'a LogOptions<'py>,
    /// Normalised `exc_info` (a 3-tuple), when the call has one.
    pub exc_info: Option<&'a Bound<'py, PyAny>>,
}

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
            Err(Unrepresentable) => return Ok(None),
        }
    };
}

/// A caller's `pathname`, `filename`, `module` and `funcName` as text (`None`: not
/// representable, or not a `str`).
fn caller_texts(c: &caller::Caller<'_>) -> Option<caller::CallerTexts> {
    let pathname = c.filename.cast::<PyString>().ok()?.to_str().ok()?.to_string();
    let func_name = c.func.cast::<PyString>().ok()?.to_str().ok()?.to_string();
    let (base, stem) = crate::record_context::split_path(&pathname);
    let (filename, module) = (base.to_string(), stem.to_string());
    Some(caller::CallerTexts { pathname, filename, module, func_name })
}

/// Capture a logging call's record without creating a Python `LogRecord`: only the fields
/// `needs` asks for beyond the always-present ones. `None`: the call must take the record path
/// (a field Rust cannot hold, a message Python must render, a malformed `exc_info`...).
pub fn from_call(py: Python<'_>, sw: &Switches, call: &Call<'_, '_>, needs: Needs) -> PyResult<Option<NativeRecord>> {
    let Some(message) = crate::message::capture(call.msg, call.args)? else { return Ok(None) };
    let (created, msecs, relative_created) = crate::record_context::record_times(py)?;
    let mut rec = NativeRecord {
        name: match call.name {
            Some(n) => Cow::Borrowed(n),
            None => return Ok(None),
        },
        levelno: call.levelno,
        levelname: match globals::level_name_text(py, sw, call.level, call.levelno)? {
            Some(n) => Cow::Borrowed(n),
            None => return Ok(None),
        },
        lineno: 0,
        created,
        msecs,
        relative_created,
        thread: None,
        process: None,
        message,
        extra: None,
    };
    if needs.caller && sw.srcfile {
        let c = caller::find_caller(py, call.opts.stack_info, call.opts.stacklevel)?;
        let Some(texts) = caller::caller_texts(&c, caller_texts) else { return Ok(None) };
        let t = rec.text_mut();
        t.pathname = Some(texts.pathname.clone());
        t.filename = Some(texts.filename.clone());
        t.module = Some(texts.module.clone());
        t.func_name = Some(texts.func_name.clone());
        rec.lineno = c.lineno as i64;
        rec.text_mut().stack_info = if c.sinfo.is_none() { None } else { text_or_bail!(&c.sinfo) };
    } else if needs.caller {
        let t = rec.text_mut();
        t.pathname = Some("(unknown file)".into());
        t.filename = Some("(unknown file)".into());
        t.module = Some("(unknown file)".into());
        t.func_name = Some("(unknown function)".into());
    }
    if sw.log_threads {
        // SAFETY: pthread_self has no preconditions.
        rec.thread = Some(unsafe { libc::pthread_self() } as i64);
        if needs.thread_name {
            let ident = unsafe { libc::pthread_self() } as u64;
            rec.text_mut().thread_name = text_or_bail!(&crate::record_context::thread_name(py, ident)?);
        }
    }
    if sw.log_processes {
        rec.process = Some(globals::pid() as i64);
    }
    if sw.log_multiprocessing && needs.process_name {
        rec.text_mut().process_name = text_or_bail!(&crate::record_context::process_name(py));
    }
    if let Some(ei) = call.exc_info {
        // The traceback text every native formatter would produce (cached per code site).
        let tb = globals::module(py, "traceback")?.getattr(intern!(py, "print_exception"))?;
        if !globals::is_original_print_exception(py, &tb) || !ei.is_instance_of::<pyo3::types::PyTuple>() {
            return Ok(None);
        }
        if ei.len()? != 3 {
            return Ok(None);
        }
        // A malformed exc_info (`(1, 2, 3)`) cannot be formatted: the record path reports it
        // through the handler's handleError, as stdlib does.
        let Ok(text) = crate::traceback::format_exception_str(py, &ei.get_item(0)?, &ei.get_item(1)?, &ei.get_item(2)?) else {
            return Ok(None);
        };
        let Ok(text) = text.to_str() else { return Ok(None) };
        rec.text_mut().exc_text = Some(text.strip_suffix('\n').unwrap_or(text).to_string());
    }
    Ok(Some(rec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_default_is_minimal() {
        let n = Needs::default();
        assert!(!n.caller && !n.thread_name && !n.process_name);
    }
}
