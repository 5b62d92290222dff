//! Native `traceback.print_exception` text (CPython 3.11), with a per-site cache of formatted frames.
//!
//! The output is exactly what `''.join(traceback.format_exception(type(value), value, tb))` gives.
//! Each traceback entry is identified by its code object and instruction offset (`tb_lasti`): that pair
//! fixes the file name, function name, line number and caret columns, so the entry's formatted text
//! (`  File "...", line N, in name` plus the source line and the `^^^`/`~~^~~` markers) is computed
//! once — by the `traceback` module itself, so the carets are stdlib's — and then served from a bounded
//! cache. A cached entry is only reused while its source file keeps the size and modification time it
//! had when the text was computed (one `stat` per file per call, as `linecache.checkcache` does); frames
//! whose file cannot be `stat`ed (`<string>`, `<frozen ...>`, deleted files, zip imports) are never
//! cached and always go through Python.
//!
//! The exception chain (`__cause__`, `__context__`, `__suppress_context__`, cycles), `__notes__`, the
//! "[Previous line repeated N more times]" folding and the final `module.Type: message` line are
//! rendered natively. Anything unusual — exception groups, `SyntaxError`, `sys.tracebacklimit`, a
//! value that is not an exception, text that is not plain `str` or not valid UTF-8 — is handed whole
//! to `traceback.format_exception`, so exactness never depends on the native path.
//!
//! Known differences, none visible in the text for ordinary programs: on a cache hit `linecache` is
//! not consulted (no `lazycache`/`checkcache` side effects), so lines planted in `linecache.cache` by
//! hand for a file that exists on disk, or a patched `linecache.getlines`, are only seen on a miss;
//! and the cache holds strong references to up to `CACHE_CAPACITY` code objects.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use once_cell::sync::Lazy;
use parking_lot::Mutex;
use pyo3::exceptions::{PyBaseExceptionGroup, PySyntaxError};
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

const HEADER: &str = "Traceback (most recent call last):\n";
const CAUSE_MESSAGE: &str =
    "\nThe above exception was the direct cause of the following exception:\n\n";
const CONTEXT_MESSAGE: &str =
    "\nDuring handling of the above exception, another exception occurred:\n\n";
/// Identical consecutive entries shown before the rest are folded into one summary line.
const RECURSIVE_CUTOFF: usize = 3;
/// Entries kept before the cache is emptied and refilled.
const CACHE_CAPACITY: usize = 4096;

/// Identity and state of a source file when an entry's text was computed: size and modification
/// time (what `linecache.checkcache` compares) plus, on Unix, device, inode and change time, so a file
/// replaced or whose permissions changed is also noticed. Stricter than linecache is safe: a mismatch
/// only sends the entry back through the `traceback` module.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    len: u64,
    mtime: SystemTime,
    extra: (u64, u64, i64, i64),
}

impl Stamp {
    fn of(path: &str) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let extra = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
        };
        #[cfg(not(unix))]
        let extra = (0, 0, 0, 0);
        Some(Stamp { len: meta.len(), mtime: meta.modified().ok()?, extra })
    }
}

/// The formatted text of one traceback entry and what identifies it.
struct FrameEntry {
    /// Strong reference: keeps the code object (whose address is the cache key) alive.
    code: Py<PyAny>,
    tb_lineno: i32,
    filename: Arc<str>,
    name: Box<str>,
    lineno: i64,
    /// `None`: the file could not be `stat`ed, so the entry is never cached.
    stamp: Option<Stamp>,
    text: Box<str>,
}

type CacheKey = (usize, i32);

static CACHE: Lazy<Mutex<HashMap<CacheKey, Arc<FrameEntry>>>> =
    Lazy::new(|| Mutex::new(HashMap::new()));

/// Exactly the text of `traceback.print_exception(etype, value, tb)` (trailing newline included),
/// as a Python `str`. `etype` is ignored as in Python 3.11 (the type of `value` is used) except by
/// the fallback, which receives it unchanged.
pub fn format_exception_str<'py>(
    py: Python<'py>,
    etype: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
    tb: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyString>> {
    match render(py, value, tb) {
        Ok(Some(text)) => Ok(PyString::new(py, &text)),
        _ => python_format(py, etype, value, tb),
    }
}

/// Exactly the text of `traceback.print_exception(etype, value, tb)` (as a str, trailing newline
/// included), for CPython 3.11. Text containing lone surrogates (not representable in Rust) has them
/// replaced by U+FFFD; use [`format_exception_str`] to keep them.
pub fn format_exception(
    py: Python<'_>,
    etype: &Bound<PyAny>,
    value: &Bound<PyAny>,
    tb: &Bound<PyAny>,
) -> PyResult<String> {
    match render(py, value, tb) {
        Ok(Some(text)) => Ok(text),
        _ => Ok(python_format(py, etype, value, tb)?.to_string_lossy().into_owned()),
    }
}

/// Empty the frame cache (for tests and after reloading code).
pub fn clear_cache() {
    let old = std::mem::take(&mut *CACHE.lock());
    drop(old);
}

/// Number of cached entries.
pub fn cache_len() -> usize {
    CACHE.lock().len()
}

/// The whole text from the `traceback` module.
fn python_format<'py>(
    py: Python<'py>,
    etype: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
    tb: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyString>> {
    let traceback = crate::globals::module(py, "traceback")?;
    let lines = traceback
        .getattr(intern!(py, "format_exception"))?
        .call1((etype, value, tb))?;
    let joined = intern!(py, "").call_method1(intern!(py, "join"), (lines,))?;
    Ok(joined.cast_into::<PyString>()?)
}

/// One exception of the chain, with the message printed before it.
struct Link<'py> {
    message: Option<&'static str>,
    exc: Bound<'py, PyAny>,
    tb: Bound<'py, PyAny>,
}

/// The native rendering; `Ok(None)` (or an error) means "let Python do all of it".
fn render(py: Python<'_>, value: &Bound<PyAny>, tb: &Bound<PyAny>) -> PyResult<Option<String>> {
    let sys = crate::globals::module(py, "sys")?;
    if sys.dict().contains(intern!(py, "tracebacklimit"))? {
        return Ok(None);
    }
    let Some(chain) = collect_chain(py, value, tb)? else {
        return Ok(None);
    };
    let mut out = String::with_capacity(1024);
    let mut stamps = StampMemo::default();
    for link in chain.iter().rev() {
        if let Some(message) = link.message {
            out.push_str(message);
        }
        if !link.tb.is_none() {
            let start = out.len();
            out.push_str(HEADER);
            let frames = render_frames(py, &link.tb, &mut out, &mut stamps)?;
            if frames == 0 {
                out.truncate(start);
            }
        }
        if !render_exception_only(py, &link.exc, &mut out)? {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

/// Follow `__cause__`/`__context__` from `value` as `TracebackException(compact=True)` does: a cause
/// wins over a context, a suppressed context is dropped, an exception already in the chain ends it.
/// `None` when some exception needs the Python path.
fn collect_chain<'py>(
    py: Python<'py>,
    value: &Bound<'py, PyAny>,
    tb: &Bound<'py, PyAny>,
) -> PyResult<Option<Vec<Link<'py>>>> {
    if !is_exception(value) || !is_traceback_or_none(tb) {
        return Ok(None);
    }
    let mut chain = vec![Link { message: None, exc: value.clone(), tb: tb.clone() }];
    let mut seen: Vec<*mut ffi::PyObject> = vec![value.as_ptr()];
    loop {
        let exc = chain.last().expect("chain starts non-empty").exc.clone();
        if exc.is_instance_of::<PyBaseExceptionGroup>()
            || exc.get_type().is_subclass_of::<PySyntaxError>()?
        {
            return Ok(None);
        }
        if !exc.is_truthy()? {
            break;
        }
        let cause = exc.getattr(intern!(py, "__cause__"))?;
        let next = if !cause.is_none() && !seen.contains(&cause.as_ptr()) {
            Some((CAUSE_MESSAGE, cause))
        } else if exc.getattr(intern!(py, "__suppress_context__"))?.is_truthy()? {
            None
        } else {
            let context = exc.getattr(intern!(py, "__context__"))?;
            if !context.is_none() && !seen.contains(&context.as_ptr()) {
                Some((CONTEXT_MESSAGE, context))
            } else {
                None
            }
        };
        let Some((message, next)) = next else { break };
        if !is_exception(&next) {
            return Ok(None);
        }
        let next_tb = next.getattr(intern!(py, "__traceback__"))?;
        if !is_traceback_or_none(&next_tb) {
            return Ok(None);
        }
        seen.push(next.as_ptr());
        chain.last_mut().expect("chain starts non-empty").message = Some(message);
        chain.push(Link { message: None, exc: next, tb: next_tb });
    }
    Ok(Some(chain))
}

fn is_exception(obj: &Bound<PyAny>) -> bool {
    obj.is_instance_of::<pyo3::exceptions::PyBaseException>()
}

fn is_traceback_or_none(obj: &Bound<PyAny>) -> bool {
    obj.is_none() || obj.is_instance_of::<pyo3::types::PyTraceback>()
}

/// `stat` results already taken during one call, by file name.
#[derive(Default)]
struct StampMemo {
    seen: Vec<(Arc<str>, Option<Stamp>)>,
}

impl StampMemo {
    fn get(&mut self, filename: &Arc<str>) -> Option<Stamp> {
        if let Some((_, stamp)) = self
            .seen
            .iter()
            .find(|(name, _)| Arc::ptr_eq(name, filename) || **name == **filename)
        {
            return *stamp;
        }
        let stamp = Stamp::of(filename);
        self.seen.push((filename.clone(), stamp));
        stamp
    }
}

/// Append the entries of `tb` (oldest call first) with stdlib's folding of repeated entries;
/// returns how many entries there were.
fn render_frames(
    py: Python<'_>,
    tb: &Bound<PyAny>,
    out: &mut String,
    stamps: &mut StampMemo,
) -> PyResult<usize> {
    let mut total = 0usize;
    let mut last: Option<Arc<FrameEntry>> = None;
    let mut count = 0usize;
    // The traceback's public attributes (`tb_frame`, `tb_lasti`, `tb_lineno`, `tb_next`): the
    // C struct's layout is not part of the stable interface.
    let mut current = Some(tb.clone());
    while let Some(t) = current.take() {
        let frame = t.getattr(intern!(py, "tb_frame"))?;
        let code = frame.getattr(intern!(py, "f_code"))?;
        let lasti: i32 = t.getattr(intern!(py, "tb_lasti"))?.extract()?;
        let tb_lineno: i32 = match t.getattr(intern!(py, "tb_lineno"))?.extract::<Option<i32>>()? {
            Some(l) => l,
            None => -1,
        };
        let next = t.getattr(intern!(py, "tb_next"))?;
        let next = if next.is_none() { None } else { Some(next) };
        let entry = frame_entry(py, &frame, &code, lasti, tb_lineno, stamps)?;
        total += 1;
        let same = last.as_ref().is_some_and(|prev| {
            prev.lineno == entry.lineno && prev.filename == entry.filename && prev.name == entry.name
        });
        if !same {
            push_repeat_line(out, count);
            count = 0;
            last = Some(entry.clone());
        }
        count += 1;
        if count <= RECURSIVE_CUTOFF {
            out.push_str(&entry.text);
        }
        current = next;
    }
    push_repeat_line(out, count);
    Ok(total)
}

fn push_repeat_line(out: &mut String, count: usize) {
    if count > RECURSIVE_CUTOFF {
        let more = count - RECURSIVE_CUTOFF;
        let plural = if more > 1 { "s" } else { "" };
        out.push_str(&format!("  [Previous line repeated {more} more time{plural}]\n"));
    }
}

/// The cached entry for (`code`, `lasti`) if its file is unchanged, else a freshly computed one.
fn frame_entry(
    py: Python<'_>,
    frame: &Bound<PyAny>,
    code: &Bound<PyAny>,
    lasti: i32,
    tb_lineno: i32,
    stamps: &mut StampMemo,
) -> PyResult<Arc<FrameEntry>> {
    let key = (code.as_ptr() as usize, lasti);
    let hit = CACHE.lock().get(&key).cloned();
    if let Some(entry) = hit {
        if entry.tb_lineno == tb_lineno
            && entry.code.as_ptr() == code.as_ptr()
            && entry.stamp.is_some()
            && stamps.get(&entry.filename) == entry.stamp
        {
            return Ok(entry);
        }
    }
    let entry = Arc::new(compute_entry(py, frame, code, lasti, tb_lineno)?);
    if entry.stamp.is_some() {
        let mut cache = CACHE.lock();
        if cache.len() >= CACHE_CAPACITY {
            let old = std::mem::take(&mut *cache);
            drop(cache);
            drop(old);
            cache = CACHE.lock();
        }
        let replaced = cache.insert(key, entry.clone());
        // Released outside the lock: dropping a code object can run Python code (weakref callbacks).
        drop(cache);
        drop(replaced);
    }
    Ok(entry)
}

/// One entry's text, computed by the `traceback` module from the same data its own walk would
/// collect: the code position of `lasti`, a `FrameSummary`, and linecache after `lazycache` and
/// `checkcache`.
fn compute_entry(
    py: Python<'_>,
    frame: &Bound<PyAny>,
    code: &Bound<PyAny>,
    lasti: i32,
    tb_lineno: i32,
) -> PyResult<FrameEntry> {
    let filename_obj = code.getattr(intern!(py, "co_filename"))?;
    let name_obj = code.getattr(intern!(py, "co_name"))?;
    let filename: Arc<str> = Arc::from(filename_obj.cast::<PyString>()?.to_str()?);
    let name: Box<str> = Box::from(name_obj.cast::<PyString>()?.to_str()?);
    // Taken before the source is read: an edit after this point makes the stamp stale, never the text.
    let stamp = Stamp::of(&filename);
    let positions = code_position(py, code, lasti)?;
    let first = positions.get_item(0)?;
    let lineno_obj = if first.is_none() { tb_lineno.into_pyobject(py)?.into_any() } else { first };
    let lineno: i64 = lineno_obj.extract()?;

    let linecache = crate::globals::module(py, "linecache")?;
    let globals = frame.getattr(intern!(py, "f_globals"))?;
    linecache.call_method1(intern!(py, "lazycache"), (&filename_obj, globals))?;
    linecache.call_method1(intern!(py, "checkcache"), (&filename_obj,))?;

    let traceback = crate::globals::module(py, "traceback")?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item(intern!(py, "lookup_line"), false)?;
    kwargs.set_item(intern!(py, "end_lineno"), positions.get_item(1)?)?;
    kwargs.set_item(intern!(py, "colno"), positions.get_item(2)?)?;
    kwargs.set_item(intern!(py, "end_colno"), positions.get_item(3)?)?;
    let summary = traceback
        .getattr(intern!(py, "FrameSummary"))?
        .call((&filename_obj, &lineno_obj, &name_obj), Some(&kwargs))?;
    let stack_summary = traceback.getattr(intern!(py, "StackSummary"))?;
    let text = stack_summary
        .getattr(intern!(py, "format_frame_summary"))?
        .call1((stack_summary.call0()?, summary))?;
    let text: Box<str> = Box::from(text.cast::<PyString>()?.to_str()?);
    Ok(FrameEntry {
        code: code.clone().unbind(),
        tb_lineno,
        filename,
        name,
        lineno,
        stamp,
        text,
    })
}

/// `(lineno, end_lineno, colno, end_colno)` of the instruction at byte offset `lasti`.
fn code_position<'py>(
    py: Python<'py>,
    code: &Bound<'py, PyAny>,
    lasti: i32,
) -> PyResult<Bound<'py, PyTuple>> {
    if lasti < 0 {
        return PyTuple::new(py, [py.None(), py.None(), py.None(), py.None()]);
    }
    let wanted = (lasti / 2) as usize;
    let positions = code.call_method0(intern!(py, "co_positions"))?;
    for (index, item) in positions.try_iter()?.enumerate() {
        if index == wanted {
            return Ok(item?.cast_into::<PyTuple>()?);
        }
        item?;
    }
    Err(pyo3::exceptions::PyRuntimeError::new_err("instruction offset past the end of the code"))
}

/// Append `format_exception_only` for a non-`SyntaxError` exception: `module.Qualname: message`
/// (no module for `builtins`/`__main__`, no `: message` when it is empty) and one line per line of
/// each note. `false` when the Python path is needed.
fn render_exception_only(py: Python<'_>, exc: &Bound<PyAny>, out: &mut String) -> PyResult<bool> {
    let ty = exc.get_type();
    let qualname = ty.getattr(intern!(py, "__qualname__"))?;
    let module = ty.getattr(intern!(py, "__module__"))?;
    let (Ok(qualname), Ok(module)) = (qualname.cast_exact::<PyString>(), module.cast_exact::<PyString>())
    else {
        return Ok(false);
    };
    let (Ok(qualname), Ok(module)) = (qualname.to_str(), module.to_str()) else {
        return Ok(false);
    };
    let text = match exc.str() {
        Ok(s) => {
            let Ok(s) = s.cast_exact::<PyString>() else { return Ok(false) };
            let Ok(s) = s.to_str() else { return Ok(false) };
            s.to_owned()
        }
        Err(_) => "<exception str() failed>".to_owned(),
    };
    if module != "__main__" && module != "builtins" {
        out.push_str(module);
        out.push('.');
    }
    out.push_str(qualname);
    if !text.is_empty() {
        out.push_str(": ");
        out.push_str(&text);
    }
    out.push('\n');
    let Some(notes) = exc.getattr_opt(intern!(py, "__notes__"))? else {
        return Ok(true);
    };
    if notes.is_none() {
        return Ok(true);
    }
    let items: Vec<Bound<PyAny>> = if let Ok(list) = notes.cast_exact::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = notes.cast_exact::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Ok(false);
    };
    for note in items {
        let note = match note.str() {
            Ok(s) => {
                let Ok(s) = s.cast_exact::<PyString>() else { return Ok(false) };
                let Ok(s) = s.to_str() else { return Ok(false) };
                s.to_owned()
            }
            Err(_) => "<note str() failed>".to_owned(),
        };
        for line in note.split('\n') {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(true)
}

/// `_format_exception(etype, value, tb) -> str`: `traceback.print_exception`'s text, natively.
#[pyfunction]
#[pyo3(name = "_format_exception")]
fn py_format_exception<'py>(
    py: Python<'py>,
    etype: Bound<'py, PyAny>,
    value: Bound<'py, PyAny>,
    tb: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyString>> {
    format_exception_str(py, &etype, &value, &tb)
}

/// `_traceback_cache_clear()`: empty the native traceback entry cache.
#[pyfunction]
fn _traceback_cache_clear() {
    clear_cache();
}

/// `_traceback_cache_len() -> int`: number of cached traceback entries.
#[pyfunction]
fn _traceback_cache_len() -> usize {
    cache_len()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_format_exception, m)?)?;
    m.add_function(wrap_pyfunction!(_traceback_cache_clear, m)?)?;
    m.add_function(wrap_pyfunction!(_traceback_cache_len, m)?)?;
    Ok(())
}
