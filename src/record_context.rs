//! What a record takes from its surroundings — clock, thread, process, level name, asyncio task —
//! each read the cheap way while the inputs stdlib would consult are unchanged.
//!
//! stdlib's `LogRecord.__init__` calls `time.time_ns()` (or `time.time()`), `threading.current_thread()`,
//! `multiprocessing.current_process()`, `getLevelName()` and `asyncio.current_task()` for every
//! record. The results only change when those inputs change, so each value here is cached
//! against the invalidation [`epoch`](crate::epoch) or against the identity of the objects it
//! came from, and a patched input (a test replacing `time.time_ns`) is still called.

use std::sync::atomic::{AtomicU8, Ordering};

use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFloat, PyInt, PyString, PyTuple};

use crate::{cpython, epoch, globals};

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

/// `d.get(key)` for a `str` key, errors of the lookup ignored.
fn dict_get<'py>(d: &Bound<'py, PyDict>, key: &Bound<'py, PyString>) -> Option<Bound<'py, PyAny>> {
    // SAFETY: GIL held; PyDict_GetItemWithError returns a borrowed reference or NULL.
    let raw = unsafe { ffi::PyDict_GetItemWithError(d.as_ptr(), key.as_ptr()) };
    if raw.is_null() {
        if unsafe { !ffi::PyErr_Occurred().is_null() } {
            unsafe { ffi::PyErr_Clear() };
        }
        return None;
    }
    Some(unsafe { Bound::from_borrowed_ptr(d.py(), raw) })
}

/// `sys.modules`.
fn sys_modules(py: Python<'_>) -> Option<Bound<'_, PyDict>> {
    // SAFETY: PyImport_GetModuleDict returns a borrowed reference to `sys.modules`.
    unsafe { Bound::from_borrowed_ptr(py, ffi::PyImport_GetModuleDict()) }.cast_into::<PyDict>().ok()
}

/// Which of the modules a record asks about were loaded, for one epoch (3.12+: `sys.modules`
/// is watched, so an import bumps the epoch).
#[derive(Clone, Copy)]
struct Loaded {
    epoch: u64,
    multiprocessing: bool,
    asyncio: bool,
}

static LOADED: parking_lot::Mutex<Option<Loaded>> = parking_lot::Mutex::new(None);

/// The modules a record asks `sys.modules` about.
#[derive(Clone, Copy, PartialEq)]
enum Asked {
    Multiprocessing,
    Asyncio,
}

/// `sys.modules.get(name)`, answered `None` without a lookup while a watched `sys.modules` is
/// known not to hold it.
fn loaded_module(py: Python<'_>, which: Asked) -> Option<Bound<'_, PyAny>> {
    let name = match which {
        Asked::Multiprocessing => intern!(py, "multiprocessing"),
        Asked::Asyncio => intern!(py, "asyncio"),
    };
    let modules = sys_modules(py)?;
    if cpython::NATIVE_WATCHERS {
        let now = epoch::current();
        let known = LOADED.lock().filter(|l| l.epoch == now);
        let l = match known {
            Some(l) => l,
            None => {
                cpython::watch_dict(&modules);
                let l = Loaded {
                    epoch: now,
                    multiprocessing: dict_get(&modules, intern!(py, "multiprocessing")).is_some(),
                    asyncio: dict_get(&modules, intern!(py, "asyncio")).is_some(),
                };
                *LOADED.lock() = Some(l);
                l
            }
        };
        let present = match which {
            Asked::Multiprocessing => l.multiprocessing,
            Asked::Asyncio => l.asyncio,
        };
        if !present {
            return None;
        }
    }
    dict_get(&modules, name)
}

// ---------------------------------------------------------------------------------------------
// Clock

/// The `time` module's namespace and its builtin clock functions, taken at first use.
struct TimeModule {
    module: Py<PyModule>,
    dict: Py<PyDict>,
    /// The dict is watched (3.12+): a patch bumps the epoch, so the check below is cached.
    watched: bool,
}

static TIME: PyOnceLock<TimeModule> = PyOnceLock::new();

fn time_module(py: Python<'_>) -> PyResult<&TimeModule> {
    TIME.get_or_try_init(py, || {
        // From the engine's module cache, imported at bind: no import during finalisation.
        let module = globals::module(py, "time")?;
        let dict = module.dict();
        let watched = cpython::watch_dict(&dict);
        Ok(TimeModule { module: module.unbind(), dict: dict.unbind(), watched })
    })
}

/// What the clock check found for one epoch (3.12+: the `time` module's dict is watched).
#[derive(Clone, Copy)]
struct ClockState {
    epoch: u64,
    patched: bool,
    /// 3.13: the facade's `_startTime` in nanoseconds.
    start_ns: Option<i64>,
}

static CLOCK: parking_lot::Mutex<Option<ClockState>> = parking_lot::Mutex::new(None);

/// Is `time.<name>` something other than the module's own builtin?
fn clock_patched(py: Python<'_>, t: &TimeModule, name: &Bound<'_, PyString>) -> bool {
    let Some(f) = dict_get(t.dict.bind(py), name) else { return true };
    // SAFETY: both calls only inspect the object; PyCFunction_GetSelf is called on a PyCFunction.
    unsafe { !(ffi::PyCFunction_Check(f.as_ptr()) != 0 && ffi::PyCFunction_GetSelf(f.as_ptr()) == t.module.as_ptr()) }
}

/// The clock state: from the per-epoch cache when the `time` module is watched.
fn clock_state(py: Python<'_>, name: &Bound<'_, PyString>) -> PyResult<ClockState> {
    let t = time_module(py)?;
    let now = epoch::current();
    if t.watched {
        if let Some(s) = *CLOCK.lock() {
            if s.epoch == now {
                return Ok(s);
            }
        }
    }
    let start_ns = if python_minor(py) >= 13 {
        globals::global(py, intern!(py, "_startTime"))?.and_then(|s| s.extract::<i64>().ok())
    } else {
        None
    };
    let s = ClockState { epoch: now, patched: clock_patched(py, t, name), start_ns };
    if t.watched && epoch::current() == now {
        *CLOCK.lock() = Some(s);
    }
    Ok(s)
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
/// before, from `time.time()` in seconds. A clock function patched on the `time` module is called,
/// as stdlib would.
pub fn record_times(py: Python<'_>) -> PyResult<(f64, f64, f64)> {
    const NS: i64 = 1_000_000_000;
    if python_minor(py) >= 13 {
        let name = intern!(py, "time_ns");
        let state = clock_state(py, name)?;
        let ns = if state.patched {
            time_module(py)?.module.bind(py).getattr(name)?.call0()?.extract::<i64>()?
        } else {
            clock_ns()
        };
        let created = ns as f64 / 1e9;
        let mut msecs = (ns.rem_euclid(NS) / 1_000_000) as f64;
        if msecs == 999.0 && created.trunc() as i64 != ns.div_euclid(NS) {
            msecs = 0.0; // the float seconds rounded up into the next second
        }
        let relative = match state.start_ns {
            Some(start_ns) => (ns - start_ns) as f64 / 1e6,
            None => (created - globals::start_time()) * 1000.0,
        };
        Ok((created, msecs, relative))
    } else {
        let name = intern!(py, "time");
        let ct = if clock_state(py, name)?.patched {
            time_module(py)?.module.bind(py).getattr(name)?.call0()?.extract::<f64>()?
        } else {
            clock_ns() as f64 / 1e9
        };
        Ok((ct, msecs_of(ct), (ct - globals::start_time()) * 1000.0))
    }
}

/// `msecs` of a record created at `created` (seconds since the epoch), as stdlib before 3.13 computes it.
pub fn msecs_of(created: f64) -> f64 {
    ((created - created.trunc()) * 1000.0).trunc() + 0.0
}

// ---------------------------------------------------------------------------------------------
// Thread and process

/// `threading.current_thread`, `threading._active` and the thread classes whose `name` is `_name`.
struct Threading {
    current_thread: Py<PyAny>,
    active: Option<Py<PyDict>>,
    plain_types: Vec<Py<PyAny>>,
}

static THREADING: PyOnceLock<Threading> = PyOnceLock::new();

/// The calling thread as last seen: its ident (and that ident as a Python int), the process it
/// was seen in, the thread object and its attribute dict (where `Thread.name` reads `_name`).
struct KnownThread {
    ident: u64,
    pid: u32,
    ident_obj: Py<PyAny>,
    thread: Py<PyAny>,
    dict: Py<PyDict>,
    /// 3.12: `_active` and the thread's dict are watched, so the name found in this epoch
    /// holds until the epoch moves.
    checked: Option<(u64, Py<PyAny>)>,
    watched: bool,
}

thread_local! {
    /// Per OS thread: a new thread never sees another's entry, even when its ident is reused.
    static KNOWN_THREAD: std::cell::RefCell<Option<KnownThread>> = const { std::cell::RefCell::new(None) };
}

fn threading(py: Python<'_>) -> PyResult<&Threading> {
    THREADING.get_or_try_init(py, || -> PyResult<Threading> {
        let m = globals::module(py, "threading")?;
        let mut plain_types = Vec::new();
        for n in ["Thread", "_MainThread", "_DummyThread"] {
            if let Ok(t) = m.getattr(n) {
                plain_types.push(t.unbind());
            }
        }
        // `threading._active` is one dict for the life of the process (fork clears and refills it).
        let active = m.getattr("_active").ok().and_then(|a| a.cast_into::<PyDict>().ok()).map(Bound::unbind);
        Ok(Threading { current_thread: m.getattr("current_thread")?.unbind(), active, plain_types })
    })
}

/// `threading.get_ident()` of the calling thread as a Python int, and `threading.current_thread().name`.
/// For the standard thread classes the name is the thread object's `_name`, read from the object
/// registered in `threading._active` under the ident (remembered per OS thread, checked against
/// `_active` each time); any other thread class goes through `current_thread().name`.
pub fn current_thread(py: Python<'_>) -> PyResult<(Bound<'_, PyAny>, Bound<'_, PyAny>)> {
    // SAFETY: pthread_self has no preconditions; threading.get_ident() returns the same value.
    let ident = unsafe { libc::pthread_self() } as u64;
    let pid = globals::pid();
    let now = epoch::current();
    let mut checked = None;
    let mut watched = false;
    let known = KNOWN_THREAD.with_borrow(|k| {
        k.as_ref().filter(|k| k.ident == ident && k.pid == pid).map(|k| {
            checked = k.checked.as_ref().filter(|(e, _)| *e == now).map(|(_, n)| n.bind(py).clone());
            watched = k.watched;
            (k.ident_obj.bind(py).clone(), k.thread.as_ptr(), k.dict.bind(py).clone())
        })
    });
    if let (Some(name), Some((ident_obj, _, _))) = (checked, &known) {
        return Ok((ident_obj.clone(), name));
    }
    let th = threading(py)?;
    if let (Some((ident_obj, thread, dict)), Some(active)) = (&known, &th.active) {
        // SAFETY: GIL held; borrowed lookup with an int key (no Python code runs).
        let raw = unsafe { ffi::PyDict_GetItemWithError(active.as_ptr(), ident_obj.as_ptr()) };
        if raw == *thread {
            if let Some(name) = dict_get(dict, intern!(py, "_name")) {
                if watched && epoch::current() == now {
                    let entry = (now, name.clone().unbind());
                    let old = KNOWN_THREAD.with_borrow_mut(|k| k.as_mut().and_then(|k| k.checked.replace(entry)));
                    drop(old);
                }
                return Ok((ident_obj.clone(), name));
            }
        }
        unsafe { ffi::PyErr_Clear() };
    }
    let ident_obj = match known {
        Some((obj, _, _)) => obj,
        None => ident.into_pyobject(py)?.into_any(),
    };
    let name = thread_name_of(py, th, ident, &ident_obj)?;
    Ok((ident_obj, name))
}

/// `threading.current_thread().name` for the calling thread, whose ident is `ident`.
pub fn thread_name(py: Python<'_>, ident: u64) -> PyResult<Bound<'_, PyAny>> {
    let ident_obj = ident.into_pyobject(py)?.into_any();
    thread_name_of(py, threading(py)?, ident, &ident_obj)
}

/// The calling thread's name, the slow way; remembers a standard thread class's object.
fn thread_name_of<'py>(py: Python<'py>, th: &Threading, ident: u64, ident_obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Some(active) = &th.active {
        if let Some(t) = active.bind(py).get_item(ident_obj)? {
            let ty = t.get_type();
            if th.plain_types.iter().any(|p| p.bind(py).is(&ty)) {
                if let Some(d) = cpython::attribute_dict(&t) {
                    if let Some(name) = dict_get(&d, intern!(py, "_name")) {
                        // The `_active` key itself (the thread's `_ident`): later lookups then
                        // match by identity.
                        let key = dict_get(&d, intern!(py, "_ident"))
                            .filter(|k| k.eq(ident_obj).unwrap_or(false))
                            .unwrap_or_else(|| ident_obj.clone());
                        let entry = KnownThread {
                            ident,
                            pid: globals::pid(),
                            ident_obj: key.unbind(),
                            thread: t.unbind(),
                            checked: None,
                            // 3.12: a thread starting or ending, or this thread's attributes
                            // changing (a rename), bumps the epoch.
                            watched: cpython::INSTANCE_DICT_EVENTS
                                && cpython::watch_dict(active.bind(py))
                                && cpython::watch_dict(&d),
                            dict: d.unbind(),
                        };
                        let old = KNOWN_THREAD.with_borrow_mut(|k| k.replace(entry));
                        drop(old); // after the borrow ends (a decref may run Python code)
                        return Ok(name);
                    }
                }
            }
        }
    }
    th.current_thread.bind(py).call0()?.getattr(intern!(py, "name"))
}

/// `processName` as stdlib computes it when `logMultiprocessing` is on: `'MainProcess'` unless
/// `multiprocessing` is loaded, then `multiprocessing.current_process().name` (errors ignored).
pub fn process_name(py: Python<'_>) -> Bound<'_, PyAny> {
    if let Some(mp) = loaded_module(py, Asked::Multiprocessing) {
        if let Ok(n) = mp.call_method0(intern!(py, "current_process")).and_then(|p| p.getattr(intern!(py, "name"))) {
            return n;
        }
    }
    intern!(py, "MainProcess").clone().into_any()
}

/// The process id as a Python int, made once per process.
pub fn pid_object(py: Python<'_>) -> Bound<'_, PyAny> {
    static PID: parking_lot::Mutex<Option<(u32, Py<PyAny>)>> = parking_lot::Mutex::new(None);
    let pid = globals::pid();
    if let Some((p, obj)) = &*PID.lock() {
        if *p == pid {
            return obj.bind(py).clone();
        }
    }
    let obj = pid.into_pyobject(py).expect("int conversion cannot fail").into_any();
    let old = PID.lock().replace((pid, obj.clone().unbind()));
    drop(old);
    obj
}

/// 3.12+: the name of the running asyncio task, when `logAsyncioTasks` is set and asyncio is loaded.
pub fn task_name(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static FLAG: parking_lot::Mutex<(u64, bool)> = parking_lot::Mutex::new((0, false));
    let none = py.None().into_bound(py);
    let now = epoch::current();
    let cached = *FLAG.lock();
    let on = if cached.0 == now {
        cached.1
    } else {
        let on = globals::flag(py, intern!(py, "logAsyncioTasks"))?;
        if epoch::current() == now {
            *FLAG.lock() = (now, on);
        }
        on
    };
    if !on {
        return Ok(none);
    }
    let Some(asyncio) = loaded_module(py, Asked::Asyncio) else { return Ok(none) };
    if !asyncio.is_truthy()? {
        return Ok(none);
    }
    match asyncio.call_method0(intern!(py, "current_task")).and_then(|t| t.call_method0(intern!(py, "get_name"))) {
        Ok(name) => Ok(name),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyException>(py) => Ok(none),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Level name

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

/// Level names found in `_levelToName`, for one epoch (changing the table bumps it: see
/// `globals::switches`, which watches the table, and `addLevelName`).
static LEVEL_NAMES: parking_lot::Mutex<(u64, Vec<(i64, Py<PyAny>)>)> = parking_lot::Mutex::new((0, Vec::new()));

/// `levelname` of a record at `level` (an exact `int` is answered from the per-epoch cache).
/// The caller has taken `globals::switches` this epoch, so the table is watched.
pub fn record_level_name<'py>(py: Python<'py>, level: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let Some(n) = level.cast_exact::<PyInt>().ok().and_then(|i| i.extract::<i64>().ok()) else {
        return level_name(py, level);
    };
    let now = epoch::current();
    {
        let cache = LEVEL_NAMES.lock();
        if cache.0 == now {
            if let Some((_, name)) = cache.1.iter().find(|(l, _)| *l == n) {
                return Ok(name.bind(py).clone());
            }
        }
    }
    let name = level_name(py, level)?;
    if epoch::current() == now {
        let mut cache = LEVEL_NAMES.lock();
        if cache.0 != now {
            let old = std::mem::replace(&mut *cache, (now, Vec::new()));
            drop(cache);
            drop(old); // decrefs outside the lock
            cache = LEVEL_NAMES.lock();
        }
        if cache.0 == now && cache.1.len() < 64 {
            cache.1.push((n, name.clone().unbind()));
        }
    }
    Ok(name)
}

// ---------------------------------------------------------------------------------------------
// Path, arguments

static MAPPING_ABC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Is `obj` a mapping, by stdlib's test (`isinstance(obj, collections.abc.Mapping)`)?
pub fn is_mapping(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    if obj.is_instance_of::<PyDict>() {
        return Ok(true);
    }
    // The usual single arguments: no `Mapping.__instancecheck__` for them.
    if obj.is_exact_instance_of::<PyString>() || obj.is_exact_instance_of::<PyInt>() || obj.is_exact_instance_of::<PyFloat>() {
        return Ok(false);
    }
    let py = obj.py();
    let abc = MAPPING_ABC.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(globals::module(py, "collections.abc")?.getattr("Mapping")?.unbind())
    })?;
    obj.is_instance(abc.bind(py))
}

/// stdlib's rule for `args`: a 1-tuple (or 1-sequence) holding a non-empty mapping is replaced
/// by that mapping.
pub fn record_args<'py>(args: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
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

/// `os.path.basename` and the stem of `os.path.splitext` for a POSIX path.
pub fn split_path(path: &str) -> (&str, &str) {
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

/// Entries of the `pathname` -> (`filename`, `module`) cache (direct-mapped by address).
const PATH_SLOTS: usize = 64;

type PathEntry = Option<(Py<PyAny>, Py<PyAny>, Py<PyAny>)>;

/// Records of one call site share their `pathname` object (the code object's `co_filename`):
/// its `filename` and `module` strings are computed once and shared too. Holding the path
/// keeps its address from being reused while it is cached.
static PATH_CACHE: parking_lot::Mutex<[PathEntry; PATH_SLOTS]> = parking_lot::Mutex::new([const { None }; PATH_SLOTS]);

/// `filename` and `module` of a `str` pathname (stdlib's `os.path.basename`/`splitext`).
fn str_path_parts<'py>(p: &Bound<'py, PyString>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
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

/// `filename` and `module` of a record's `pathname`, as stdlib derives them (a pathname
/// `os.path` rejects gives the pathname itself and `'Unknown module'`).
pub fn path_parts<'py>(pathname: &Bound<'py, PyAny>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    if let Ok(p) = pathname.cast::<PyString>() {
        return str_path_parts(p);
    }
    let py = pathname.py();
    let ospath = globals::module(py, "os.path")?;
    match ospath.call_method1(intern!(py, "basename"), (pathname,)) {
        Ok(base) => {
            let stem = ospath.call_method1(intern!(py, "splitext"), (&base,))?.get_item(0)?;
            Ok((base, stem))
        }
        Err(e)
            if e.is_instance_of::<pyo3::exceptions::PyTypeError>(py)
                || e.is_instance_of::<pyo3::exceptions::PyValueError>(py)
                || e.is_instance_of::<pyo3::exceptions::PyAttributeError>(py) =>
        {
            Ok((pathname.clone(), PyString::new(py, "Unknown module").into_any()))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::{msecs_of, split_path};

    #[test]
    fn split_path_matches_os_path() {
        assert_eq!(split_path("/a/b/c.py"), ("c.py", "c"));
        assert_eq!(split_path("c.tar.gz"), ("c.tar.gz", "c.tar"));
        assert_eq!(split_path("/x/.bashrc"), (".bashrc", ".bashrc"));
        assert_eq!(split_path("/x/dir/"), ("", ""));
        assert_eq!(split_path("noext"), ("noext", "noext"));
    }

    #[test]
    fn msecs_match_stdlib() {
        assert_eq!(msecs_of(1.2345), 234.0);
        assert_eq!(msecs_of(10.0), 0.0);
        assert!(msecs_of(10.0).is_sign_positive());
    }
}
