//! The native `LogRecord`: every stdlib attribute lives in the instance `__dict__`, filled in Rust.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFloat, PyInt, PyString, PyTuple};

use std::sync::atomic::{AtomicU8, Ordering};

use crate::globals;

/// stdlib-compatible log record. Subclassable; attributes are plain instance attributes so that
/// `record.__dict__` holds every standard field (stdlib formatters and handlers read it).
#[pyclass(subclass, dict, weakref, module = "femtologging", name = "LogRecord")]
pub struct LogRecord;

/// The instance `__dict__` of an object (created on demand).
pub fn instance_dict<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = obj.py();
    // SAFETY: PyObject_GenericGetDict returns a new reference or NULL with an exception set.
    let raw = unsafe { pyo3::ffi::PyObject_GenericGetDict(obj.as_ptr(), std::ptr::null_mut()) };
    if raw.is_null() {
        return Err(PyErr::fetch(py));
    }
    let any = unsafe { Bound::from_owned_ptr(py, raw) };
    Ok(any.cast_into::<PyDict>()?)
}

static MAPPING_ABC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `threading.current_thread` and the exact thread classes whose `name` is their `_name`.
struct Threading {
    current_thread: Py<PyAny>,
    plain_types: Vec<Py<PyAny>>,
}

static THREADING: PyOnceLock<Threading> = PyOnceLock::new();
static ACTIVE_THREADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `threading.current_thread().name`, read straight from `threading._active` and the thread's
/// `_name` for the standard thread classes (their `name` property returns `_name`); any other
/// thread class goes through `current_thread().name`.
pub fn thread_name<'py>(py: Python<'py>, ident: u64) -> PyResult<Bound<'py, PyAny>> {
    let th = THREADING.get_or_try_init(py, || -> PyResult<Threading> {
        let m = crate::globals::module(py, "threading")?;
        let mut plain_types = Vec::new();
        for n in ["Thread", "_MainThread", "_DummyThread"] {
            if let Ok(t) = m.getattr(n) {
                plain_types.push(t.unbind());
            }
        }
        Ok(Threading { current_thread: m.getattr("current_thread")?.unbind(), plain_types })
    })?;
    // `threading._active` is one dict for the life of the process (fork clears and refills it).
    let active = ACTIVE_THREADS.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(crate::globals::module(py, "threading")?.getattr("_active")?.unbind())
    });
    if let Ok(active) = active {
        if let Ok(Some(t)) = active.bind(py).cast::<PyDict>().map(|a| a.get_item(ident)).unwrap_or(Ok(None)) {
            let ty = t.get_type();
            if th.plain_types.iter().any(|p| p.bind(py).is(&ty)) {
                if let Some(name) = instance_dict(&t)?.get_item(intern!(py, "_name"))? {
                    return Ok(name);
                }
            }
        }
    }
    th.current_thread.bind(py).call0()?.getattr(intern!(py, "name"))
}

pub fn is_mapping(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    if obj.is_instance_of::<PyDict>() {
        return Ok(true);
    }
    // The usual single arguments: no `Mapping.__instancecheck__` for them.
    if obj.is_exact_instance_of::<PyString>() || obj.is_exact_instance_of::<PyInt>()
        || obj.is_exact_instance_of::<PyFloat>()
    {
        return Ok(false);
    }
    let py = obj.py();
    let abc = MAPPING_ABC.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(crate::globals::module(py, "collections.abc")?.getattr("Mapping")?.unbind())
    })?;
    obj.is_instance(abc.bind(py))
}

/// stdlib's `getLevelName(level)` reading the facade's `_levelToName` / `_nameToLevel` tables.
pub fn level_name<'py>(py: Python<'py>, level: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Some(table) = globals::global(py, intern!(py, "_levelToName"))? {
        if let Ok(Some(v)) = table.cast::<PyDict>().map(|d| d.get_item(level)).unwrap_or(Ok(None)) {
            return Ok(v);
        }
    }
    if let Some(table) = globals::global(py, intern!(py, "_nameToLevel"))? {
        if let Ok(d) = table.cast::<PyDict>() {
            if let Ok(Some(v)) = d.get_item(level) {
                return Ok(v);
            }
        }
    }
    Ok(PyString::new(py, &format!("Level {}", level.str()?)).into_any())
}

/// `os.path.basename` and the stem of `os.path.splitext` for a POSIX path.
fn split_path(path: &str) -> (&str, &str) {
    let base = match path.rfind('/') {
        Some(i) => &path[i + 1..],
        None => path,
    };
    let stem = match base.rfind('.') {
        Some(i) if base[..i].chars().any(|c| c != '.') => &base[..i],
        _ => base,
    };
    (base, stem)
}

/// Every standard attribute, in the order stdlib's `LogRecord.__init__` sets them.
const STANDARD_KEYS: [&str; 20] = [
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread",
    "threadName", "processName", "process",
];

static TEMPLATE: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// A dict holding every standard key (values `None`), built by inserts so that it is compact.
/// Merged into an empty record dict, CPython clones its key table in one step: the record's
/// own inserts then only replace values (no resizing, no rehashing).
fn template(py: Python<'_>) -> PyResult<&Bound<'_, PyDict>> {
    Ok(TEMPLATE
        .get_or_try_init(py, || -> PyResult<Py<PyDict>> {
            let d = PyDict::new(py);
            for k in STANDARD_KEYS {
                d.set_item(PyString::intern(py, k), py.None())?;
            }
            Ok(d.unbind())
        })?
        .bind(py))
}

/// Entries of the `pathname` -> (`filename`, `module`) cache (direct-mapped by address).
const PATH_SLOTS: usize = 64;

type PathEntry = Option<(Py<PyAny>, Py<PyAny>, Py<PyAny>)>;

/// Records of one call site share their `pathname` object (the code object's `co_filename`):
/// its `filename` and `module` strings are computed once and shared too. Holding the path
/// keeps its address from being reused while it is cached.
static PATH_CACHE: parking_lot::Mutex<[PathEntry; PATH_SLOTS]> =
    parking_lot::Mutex::new([const { None }; PATH_SLOTS]);

/// `filename` and `module` of a `str` pathname (stdlib's `os.path.basename`/`splitext`).
fn path_parts<'py>(p: &Bound<'py, PyString>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let py = p.py();
    let slot = (p.as_ptr() as usize >> 4) % PATH_SLOTS;
    if let Some((path, base, stem)) = &PATH_CACHE.lock()[slot] {
        if path.bind(py).is(p) {
            return Ok((base.bind(py).clone(), stem.bind(py).clone()));
        }
    }
    let s = p.to_cow()?;
    let (base, stem) = split_path(&s);
    let base = PyString::new(py, base).into_any();
    let stem = PyString::new(py, stem).into_any();
    // Exact str only: a subclass could compare equal yet be a different object next time.
    if p.is_exact_instance_of::<PyString>() {
        let old = PATH_CACHE.lock()[slot].replace((p.clone().into_any().unbind(), base.clone().unbind(), stem.clone().unbind()));
        drop(old); // released outside the lock (a decref may run Python code)
    }
    Ok((base, stem))
}

/// stdlib's rule for `args`: a 1-tuple (or 1-sequence) holding a non-empty mapping is replaced
/// by that mapping.
fn record_args<'py>(args: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(t) = args.cast::<PyTuple>() {
        if t.len() == 1 {
            let first = t.get_item(0)?;
            if is_mapping(&first)? && first.is_truthy()? {
                return Ok(first);
            }
        }
    } else if args.is_truthy()? && args.len().ok() == Some(1) {
        let first = args.get_item(0)?;
        if is_mapping(&first)? && first.is_truthy()? {
            return Ok(first);
        }
    }
    Ok(args.clone())
}

/// `processName` as stdlib computes it when `logMultiprocessing` is on.
fn process_name<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
    let mut pname: Bound<'py, PyAny> = intern!(py, "MainProcess").clone().into_any();
    // SAFETY: PyImport_GetModuleDict returns a borrowed reference to the interpreter's
    // `sys.modules` dict (never NULL once the interpreter runs).
    let modules = unsafe { Bound::from_borrowed_ptr(py, pyo3::ffi::PyImport_GetModuleDict()) };
    if let Ok(Some(mp)) = modules.cast::<PyDict>().map(|m| m.get_item(intern!(py, "multiprocessing"))).unwrap_or(Ok(None)) {
        if let Ok(n) = mp
            .call_method0(intern!(py, "current_process"))
            .and_then(|p| p.getattr(intern!(py, "name")))
        {
            pname = n;
        }
    }
    Ok(pname)
}

/// The attributes of a record that do not change from one record of a call site to the next:
/// everything but `args`, `created`, `msecs` and `relativeCreated`.
struct Site<'a, 'py> {
    name: &'a Bound<'py, PyAny>,
    level: &'a Bound<'py, PyAny>,
    levelname: Bound<'py, PyAny>,
    pathname: &'a Bound<'py, PyAny>,
    lineno: &'a Bound<'py, PyAny>,
    msg: &'a Bound<'py, PyAny>,
    exc_info: &'a Bound<'py, PyAny>,
    func: &'a Bound<'py, PyAny>,
    sinfo: &'a Bound<'py, PyAny>,
    thread: Option<u64>,
    thread_name: Option<Bound<'py, PyAny>>,
    process_name: Option<Bound<'py, PyAny>>,
    process: Option<u32>,
}

impl<'py> Site<'_, 'py> {
    /// A dict with every standard key, the site's values and `None` for the per-record ones.
    fn build_dict(&self) -> PyResult<Bound<'py, PyDict>> {
        let py = self.name.py();
        let d = template(py)?.copy()?;
        d.set_item(intern!(py, "name"), self.name)?;
        d.set_item(intern!(py, "msg"), self.msg)?;
        d.set_item(intern!(py, "levelname"), &self.levelname)?;
        d.set_item(intern!(py, "levelno"), self.level)?;
        d.set_item(intern!(py, "pathname"), self.pathname)?;
        if let Ok(p) = self.pathname.cast::<PyString>() {
            let (base, stem) = path_parts(p)?;
            d.set_item(intern!(py, "filename"), base)?;
            d.set_item(intern!(py, "module"), stem)?;
        } else {
            let ospath = crate::globals::module(py, "os.path")?;
            match ospath.call_method1(intern!(py, "basename"), (self.pathname,)) {
                Ok(base) => {
                    let stem = ospath.call_method1(intern!(py, "splitext"), (&base,))?.get_item(0)?;
                    d.set_item(intern!(py, "filename"), base)?;
                    d.set_item(intern!(py, "module"), stem)?;
                }
                Err(e) if e.is_instance_of::<PyTypeError>(py)
                    || e.is_instance_of::<pyo3::exceptions::PyValueError>(py)
                    || e.is_instance_of::<pyo3::exceptions::PyAttributeError>(py) =>
                {
                    d.set_item(intern!(py, "filename"), self.pathname)?;
                    d.set_item(intern!(py, "module"), "Unknown module")?;
                }
                Err(e) => return Err(e),
            }
        }
        d.set_item(intern!(py, "exc_info"), self.exc_info)?;
        d.set_item(intern!(py, "exc_text"), py.None())?;
        d.set_item(intern!(py, "stack_info"), self.sinfo)?;
        d.set_item(intern!(py, "lineno"), self.lineno)?;
        d.set_item(intern!(py, "funcName"), self.func)?;
        d.set_item(intern!(py, "thread"), self.thread)?;
        d.set_item(intern!(py, "threadName"), &self.thread_name)?;
        d.set_item(intern!(py, "processName"), &self.process_name)?;
        d.set_item(intern!(py, "process"), self.process)?;
        Ok(d)
    }

    /// Only plain sites are cached: a `str` message, no exception, no stack (a cached
    /// traceback would keep its frames alive).
    fn cacheable(&self) -> bool {
        self.msg.is_exact_instance_of::<PyString>() && self.exc_info.is_none() && self.sinfo.is_none()
    }

    fn slot(&self) -> usize {
        let h = (self.pathname.as_ptr() as usize >> 4)
            ^ (self.msg.as_ptr() as usize >> 4)
            ^ (self.thread.unwrap_or(0) as usize >> 12);
        h % SITE_SLOTS
    }
}

/// A cached site dict and what it was built from (identities; `lineno` by value).
struct CachedSite {
    keys: [Py<PyAny>; 8],
    lineno: i64,
    thread: Option<u64>,
    process: Option<u32>,
    dict: Py<PyDict>,
}

const SITE_SLOTS: usize = 32;

/// Direct-mapped cache of site dicts: a record of a known site starts as a clone of its dict
/// (one key-table copy) and sets only its four per-record values.
static SITES: parking_lot::Mutex<[Option<CachedSite>; SITE_SLOTS]> =
    parking_lot::Mutex::new([const { None }; SITE_SLOTS]);

fn exact_int(v: &Bound<'_, PyAny>) -> Option<i64> {
    if v.is_exact_instance_of::<pyo3::types::PyInt>() {
        v.extract().ok()
    } else {
        None
    }
}

fn site_keys<'a, 'py>(s: &'a Site<'a, 'py>) -> [&'a Bound<'py, PyAny>; 8] {
    let none = s.exc_info; // only cacheable sites get here: exc_info and sinfo are None
    [
        s.name,
        s.level,
        &s.levelname,
        s.pathname,
        s.msg,
        s.func,
        s.thread_name.as_ref().unwrap_or(none),
        s.process_name.as_ref().unwrap_or(none),
    ]
}

/// The site's dict, from the cache or freshly built (and cached when the site is plain).
fn site_dict<'py>(site: &Site<'_, 'py>) -> PyResult<Bound<'py, PyDict>> {
    let py = site.name.py();
    if !site.cacheable() {
        return site.build_dict();
    }
    let Some(lineno) = exact_int(site.lineno) else { return site.build_dict() };
    let keys = site_keys(site);
    let slot = site.slot();
    if let Some(c) = &SITES.lock()[slot] {
        if c.lineno == lineno
            && c.thread == site.thread
            && c.process == site.process
            && c.keys.iter().zip(keys.iter()).all(|(a, b)| a.bind(py).is(*b))
        {
            return Ok(c.dict.bind(py).clone());
        }
    }
    let d = site.build_dict()?;
    let entry = CachedSite {
        keys: keys.map(|k| k.clone().unbind()),
        lineno,
        thread: site.thread,
        process: site.process,
        dict: d.clone().unbind(),
    };
    let old = SITES.lock()[slot].replace(entry);
    drop(old); // released outside the lock (a decref may run Python code)
    Ok(d)
}

/// Fill a record's attributes exactly as stdlib's `LogRecord.__init__` does.
#[allow(clippy::too_many_arguments)]
pub fn init_record<'py>(
    obj: &Bound<'py, PyAny>,
    name: &Bound<'py, PyAny>,
    level: &Bound<'py, PyAny>,
    pathname: &Bound<'py, PyAny>,
    lineno: &Bound<'py, PyAny>,
    msg: &Bound<'py, PyAny>,
    args: &Bound<'py, PyAny>,
    exc_info: &Bound<'py, PyAny>,
    func: &Bound<'py, PyAny>,
    sinfo: &Bound<'py, PyAny>,
) -> PyResult<()> {
    let py = obj.py();
    let (created, msecs, relative) = record_times(py)?;
    let d = instance_dict(obj)?;
    let args = record_args(args)?;
    let sw = globals::switches(py)?;
    // SAFETY: pthread_self has no preconditions; threading.get_ident() returns the same value.
    let thread = sw.log_threads.then(|| unsafe { libc::pthread_self() } as u64);
    let site = Site {
        name,
        level,
        levelname: level_name(py, level)?,
        pathname,
        lineno,
        msg,
        exc_info,
        func,
        sinfo,
        thread,
        thread_name: thread.map(|ident| thread_name(py, ident)).transpose()?,
        process_name: if sw.log_multiprocessing { Some(process_name(py)?) } else { None },
        process: sw.log_processes.then(globals::pid),
    };
    // Every standard key in stdlib's order at once (a key-table clone when the dict is empty,
    // as it is unless a subclass set attributes first: those keep their place).
    d.update(site_dict(&site)?.as_mapping())?;
    d.set_item(intern!(py, "args"), &args)?;
    d.set_item(intern!(py, "created"), created)?;
    d.set_item(intern!(py, "msecs"), msecs)?;
    d.set_item(intern!(py, "relativeCreated"), relative)?;
    if python_minor(py) >= 12 {
        // Last, as in stdlib's dict order; it varies per asyncio task, so never cached per site.
        d.set_item(intern!(py, "taskName"), task_name(py)?)?;
    }
    Ok(())
}

/// The running interpreter's minor version: records carry what that version's stdlib puts there.
pub fn python_minor(py: Python<'_>) -> u8 {
    static MINOR: AtomicU8 = AtomicU8::new(0);
    match MINOR.load(Ordering::Relaxed) {
        0 => {
            let m = py.version_info().minor;
            MINOR.store(m, Ordering::Relaxed);
            m
        }
        m => m,
    }
}

/// 3.12+: the name of the running asyncio task, when `logAsyncioTasks` is set and asyncio is loaded.
fn task_name(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let none = py.None().into_bound(py);
    if !globals::flag(py, intern!(py, "logAsyncioTasks"))? {
        return Ok(none);
    }
    let modules = globals::module(py, "sys")?.getattr(intern!(py, "modules"))?;
    let Ok(Some(asyncio)) = modules.cast::<PyDict>().map(|m| m.get_item(intern!(py, "asyncio"))).unwrap_or(Ok(None))
    else {
        return Ok(none);
    };
    if !asyncio.is_truthy()? {
        return Ok(none);
    }
    match asyncio.call_method0(intern!(py, "current_task")).and_then(|t| t.call_method0(intern!(py, "get_name"))) {
        Ok(name) => Ok(name),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyException>(py) => Ok(none),
        Err(e) => Err(e),
    }
}

/// The value of `time.<name>()` when a program or test has replaced that function on the `time`
/// module (stdlib calls whatever is there); `None` while it is the builtin, read natively instead.
fn patched_clock<'py>(py: Python<'py>, name: &Bound<'py, PyString>) -> PyResult<Option<Bound<'py, PyAny>>> {
    static TIME: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    // From the engine's module cache, imported at bind: no import during finalisation.
    let time = TIME.get_or_try_init(py, || globals::module(py, "time").map(Bound::unbind))?.bind(py);
    let f = time.getattr(name)?;
    // SAFETY: both calls only inspect the object; PyCFunction_GetSelf is called on a PyCFunction.
    let builtin = unsafe {
        pyo3::ffi::PyCFunction_Check(f.as_ptr()) != 0 && pyo3::ffi::PyCFunction_GetSelf(f.as_ptr()) == time.as_ptr()
    };
    if builtin { Ok(None) } else { f.call0().map(Some) }
}

/// `time.time_ns()` read from the clock it uses.
fn clock_ns() -> i64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid out-pointer; CLOCK_REALTIME is what time.time_ns() reads (through the vDSO).
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec as i64 * 1_000_000_000 + ts.tv_nsec as i64
}

/// `created`, `msecs` and `relativeCreated` of a record made now, by the running interpreter's rule:
/// from 3.13 all three derive from one `time.time_ns()` reading and `_startTime` is in nanoseconds;
/// before, from `time.time()` in seconds.
pub fn record_times(py: Python<'_>) -> PyResult<(f64, f64, f64)> {
    const NS: i64 = 1_000_000_000;
    if python_minor(py) >= 13 {
        let ns = match patched_clock(py, intern!(py, "time_ns"))? {
            Some(v) => v.extract::<i64>()?,
            None => clock_ns(),
        };
        let created = ns as f64 / 1e9;
        let mut msecs = (ns.rem_euclid(NS) / 1_000_000) as f64;
        if msecs == 999.0 && created.trunc() as i64 != ns.div_euclid(NS) {
            msecs = 0.0; // the float seconds rounded up into the next second
        }
        let start = globals::global(py, intern!(py, "_startTime"))?;
        let relative = match start.as_ref().map(|s| s.extract::<i64>()) {
            Some(Ok(start_ns)) => (ns - start_ns) as f64 / 1e6,
            _ => (created - globals::start_time()) * 1000.0,
        };
        Ok((created, msecs, relative))
    } else {
        let ct = match patched_clock(py, intern!(py, "time"))? {
            Some(v) => v.extract::<f64>()?,
            None => clock_ns() as f64 / 1e9,
        };
        Ok((ct, msecs_of(ct), (ct - globals::start_time()) * 1000.0))
    }
}

/// `msecs` of a record created at `created` (seconds since the epoch), as stdlib before 3.13 computes it.
pub fn msecs_of(created: f64) -> f64 {
    ((created - created.trunc()) * 1000.0).trunc() + 0.0
}

/// `str(record.msg) % record.args` (only when args is non-empty), as stdlib's `getMessage`.
pub fn get_message<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    let msg = obj.getattr(intern!(py, "msg"))?.str()?.into_any();
    let args = obj.getattr(intern!(py, "args"))?;
    if args.is_truthy()? {
        msg.rem(args)
    } else {
        Ok(msg)
    }
}

#[pymethods]
impl LogRecord {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        LogRecord
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
        init_record(
            slf.as_any(),
            name,
            level,
            pathname,
            lineno,
            msg,
            args,
            exc_info,
            func.unwrap_or(&none),
            sinfo.unwrap_or(&none),
        )
    }

    /// The message with the user's arguments merged in.
    #[pyo3(name = "getMessage")]
    fn get_message_py<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        get_message(slf.as_any())
    }

    /// Pickle/copy support: the state is the attribute dict (as for a plain Python object).
    fn __getstate__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        instance_dict(slf.as_any())?.copy()
    }

    fn __setstate__(slf: &Bound<'_, Self>, state: &Bound<'_, PyDict>) -> PyResult<()> {
        instance_dict(slf.as_any())?.update(state.as_mapping())
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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<LogRecord>()
}

#[cfg(test)]
mod tests {
    use super::split_path;

    #[test]
    fn split_path_matches_os_path() {
        assert_eq!(split_path("/a/b/c.py"), ("c.py", "c"));
        assert_eq!(split_path("c.tar.gz"), ("c.tar.gz", "c.tar"));
        assert_eq!(split_path("/x/.bashrc"), (".bashrc", ".bashrc"));
        assert_eq!(split_path("/x/dir/"), ("", ""));
        assert_eq!(split_path("noext"), ("noext", "noext"));
    }
}
