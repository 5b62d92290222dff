//! Native caller lookup (`findCaller`): walks the interpreter's frames without keeping any alive.

use std::sync::Arc;

use parking_lot::RwLock;
use crate::cpython::Frame;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// Source files of femtologging's own Python facade: their frames are never "the caller".
static INTERNAL_FILES: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// What `findCaller` returns: `(filename, lineno, funcName, stack_info)`.
pub struct Caller<'py> {
    pub filename: Bound<'py, PyAny>,
    pub lineno: i32,
    pub func: Bound<'py, PyAny>,
    pub sinfo: Bound<'py, PyAny>,
    /// The caller's code object (`None`: no frame, unknown caller).
    pub code: Option<Bound<'py, PyAny>>,
}

/// A code object's caller fields as Rust text, made once per code object: `pathname`,
/// `filename`, `module` (`os.path` rules) and `funcName`.
pub struct CallerTexts {
    pub pathname: String,
    pub filename: String,
    pub module: String,
    pub func_name: String,
}

/// What caller lookup needs of a code object, cached: is it femtologging's own, its
/// `co_filename` and `co_name`, and (made on first use) their texts (`None` inside: a name Rust
/// cannot hold, such as one with lone surrogates).
struct CodeInfo {
    code: Py<PyAny>,
    internal: bool,
    filename: Py<PyAny>,
    func: Py<PyAny>,
    texts: Option<Option<Arc<CallerTexts>>>,
}

/// Entries of the code-object cache (direct-mapped by address; an entry holds its code object,
/// so the address is not reused while it is cached).
const CODE_SLOTS: usize = 256;

static CODES: parking_lot::Mutex<[Option<CodeInfo>; CODE_SLOTS]> =
    parking_lot::Mutex::new([const { None }; CODE_SLOTS]);

fn code_slot(code: &Bound<'_, PyAny>) -> usize {
    (code.as_ptr() as usize >> 4) % CODE_SLOTS
}

/// `(internal, co_filename, co_name)` of `code`, from the cache.
fn code_info<'py>(code: &Bound<'py, PyAny>) -> PyResult<(bool, Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let py = code.py();
    let slot = code_slot(code);
    if let Some(c) = &CODES.lock()[slot] {
        if c.code.bind(py).is(code) {
            return Ok((c.internal, c.filename.bind(py).clone(), c.func.bind(py).clone()));
        }
    }
    let filename = code.getattr(intern!(py, "co_filename"))?;
    let func = code.getattr(intern!(py, "co_name"))?;
    let internal = is_internal(&filename.cast::<PyString>()?.to_cow()?);
    let entry = CodeInfo {
        code: code.clone().unbind(),
        internal,
        filename: filename.clone().unbind(),
        func: func.clone().unbind(),
        texts: None,
    };
    let old = CODES.lock()[slot].replace(entry);
    drop(old); // released outside the lock (a decref may free a code object)
    Ok((internal, filename, func))
}

/// The caller's fields as text, made once per code object (`None`: not representable in Rust).
pub fn caller_texts(c: &Caller<'_>, make: impl FnOnce(&Caller<'_>) -> Option<CallerTexts>) -> Option<Arc<CallerTexts>> {
    let Some(code) = &c.code else { return make(c).map(Arc::new) };
    let py = code.py();
    let slot = code_slot(code);
    if let Some(info) = &CODES.lock()[slot] {
        if let (true, Some(t)) = (info.code.bind(py).is(code), &info.texts) {
            return t.clone();
        }
    }
    let texts = make(c).map(Arc::new);
    if let Some(info) = CODES.lock()[slot].as_mut() {
        if info.code.bind(py).is(code) {
            info.texts = Some(texts.clone());
        }
    }
    texts
}

fn is_internal(filename: &str) -> bool {
    if filename.contains("importlib") && filename.contains("_bootstrap") {
        return true;
    }
    INTERNAL_FILES.read().iter().any(|f| f == filename)
}

fn frame_is_internal(f: &Frame<'_>) -> PyResult<bool> {
    Ok(code_info(&f.code())?.0)
}

/// The frame's current line. Decoding a code object's line table costs time in proportion
/// to the instruction's offset (thousands of instructions deep in a long function), so
/// the answer is cached per (code object, instruction offset).
fn line_of<'py>(f: &Frame<'py>, code: &Bound<'py, PyAny>) -> i32 {
    let py = code.py();
    let lasti = f.lasti();
    if lasti < 0 {
        return f.lineno();
    }
    let slot = ((code.as_ptr() as usize >> 4) ^ (lasti as usize).wrapping_mul(0x9E37_79B9)) % LINE_SLOTS;
    if let Some((c, at, line)) = &LINES.lock()[slot] {
        if *at == lasti && c.bind(py).is(code) {
            return *line;
        }
    }
    let line = f.lineno();
    // Holding the code object keeps its address from being reused while it is cached.
    let old = LINES.lock()[slot].replace((code.clone().unbind(), lasti, line));
    drop(old); // released outside the lock (a decref may free the code object)
    line
}

/// Entries of the line-number cache (direct-mapped by code object and instruction offset).
const LINE_SLOTS: usize = 256;

static LINES: parking_lot::Mutex<[Option<(Py<PyAny>, i32, i32)>; LINE_SLOTS]> =
    parking_lot::Mutex::new([const { None }; LINE_SLOTS]);

/// stdlib's `findCaller`, counting `stacklevel` non-internal frames up from the logging call.
pub fn find_caller(py: Python<'_>, stack_info: bool, stacklevel: i64) -> PyResult<Caller<'_>> {
    let Some(mut f) = Frame::current(py) else {
        return Ok(Caller {
            filename: PyString::new(py, "(unknown file)").into_any(),
            lineno: 0,
            func: PyString::new(py, "(unknown function)").into_any(),
            sinfo: py.None().into_bound(py),
            code: None,
        });
    };
    // The current frame is the first candidate: the engine's own Rust frames are invisible.
    let mut remaining = stacklevel;
    if !frame_is_internal(&f)? {
        remaining -= 1;
    }
    while remaining > 0 {
        let Some(next) = f.back() else { break };
        f = next;
        if !frame_is_internal(&f)? {
            remaining -= 1;
        }
    }
    let code = f.code();
    let sinfo = if stack_info { stack_text(py, f.object())? } else { py.None().into_bound(py) };
    let (_, filename, func) = code_info(&code)?;
    Ok(Caller { filename, lineno: line_of(&f, &code), func, sinfo, code: Some(code) })
}

/// "Stack (most recent call last):" plus `traceback.print_stack(frame)`, through the facade's
/// `traceback` module attribute (so a patched `print_stack` is honoured, as in stdlib).
fn stack_text<'py>(py: Python<'py>, frame: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let tb = match crate::globals::global(py, intern!(py, "traceback"))? {
        Some(m) => m,
        None => crate::globals::module(py, "traceback")?.into_any(),
    };
    let sio = crate::globals::module(py, "io")?.call_method0(intern!(py, "StringIO"))?;
    sio.call_method1(intern!(py, "write"), ("Stack (most recent call last):\n",))?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item(intern!(py, "file"), &sio)?;
    tb.call_method(intern!(py, "print_stack"), (frame,), Some(&kwargs))?;
    let text = sio.call_method0(intern!(py, "getvalue"))?;
    let s = text.cast::<PyString>()?.to_cow()?;
    Ok(match s.strip_suffix('\n') {
        Some(t) => PyString::new(py, t).into_any(),
        None => text.clone(),
    })
}

/// Declare the facade's own source files (skipped by caller lookup).
#[pyfunction]
fn _set_internal_files(files: Vec<String>) {
    *INTERNAL_FILES.write() = files;
    let old = std::mem::replace(&mut *CODES.lock(), [const { None }; CODE_SLOTS]);
    drop(old); // released outside the lock
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_set_internal_files, m)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn importlib_bootstrap_frames_are_internal() {
        assert!(is_internal("<frozen importlib._bootstrap>"));
        assert!(!is_internal("/app/main.py"));
        *INTERNAL_FILES.write() = vec!["/pkg/femtologging/__init__.py".into()];
        assert!(is_internal("/pkg/femtologging/__init__.py"));
        INTERNAL_FILES.write().clear();
    }
}
