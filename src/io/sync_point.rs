//! Sync points: before this process opens a file a writer is writing, or starts another
//! program, the records queued so far are written — so a program (or a test) that logs and
//! then reads its own log file finds every line there, as with the standard library.
//!
//! Implemented with a native audit hook (`PySys_AddAuditHook`, public API since 3.8) that
//! looks at the `open`, `subprocess.Popen`, `os.system`, `os.exec` and `os.posix_spawn` events.

use std::ffi::{c_char, c_int, c_void, CStr};

use pyo3::ffi;
use pyo3::prelude::*;

use std::time::{Duration, Instant};

use super::writer::{sync_pending, sync_pending_named};

/// A sync point never waits longer than this (a sink that is stalled stays stalled).
const DEADLINE: Duration = Duration::from_secs(2);

type AuditHook = unsafe extern "C" fn(*const c_char, *mut ffi::PyObject, *mut c_void) -> c_int;

extern "C" {
    fn PySys_AddAuditHook(hook: Option<AuditHook>, user_data: *mut c_void) -> c_int;
}

/// The last path component of `path` (str, bytes or os.PathLike), if it has one.
fn file_name(path: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    let owned;
    let p = if path.is_instance_of::<pyo3::types::PyString>() || path.is_instance_of::<pyo3::types::PyBytes>() {
        path
    } else {
        // SAFETY: PyOS_FSPath returns a new reference or NULL with an exception set.
        let raw = unsafe { ffi::PyOS_FSPath(path.as_ptr()) };
        if raw.is_null() {
            let _ = PyErr::take(path.py());
            return None;
        }
        owned = unsafe { Bound::from_owned_ptr(path.py(), raw) };
        &owned
    };
    let bytes: Vec<u8> = if let Ok(s) = p.cast::<pyo3::types::PyString>() {
        s.to_str().ok()?.as_bytes().to_vec()
    } else {
        p.cast::<pyo3::types::PyBytes>().ok()?.as_bytes().to_vec()
    };
    let name = bytes.rsplit(|&b| b == b'/').next()?;
    (!name.is_empty()).then(|| name.to_vec())
}

unsafe extern "C" fn hook(event: *const c_char, args: *mut ffi::PyObject, _data: *mut c_void) -> c_int {
    let event = CStr::from_ptr(event).to_bytes();
    let opening = event == b"open";
    let spawning = matches!(event, b"subprocess.Popen" | b"os.system" | b"os.exec" | b"os.posix_spawn");
    if !(opening || spawning) {
        return 0;
    }
    let py = Python::assume_attached();
    if spawning {
        py.detach(|| sync_pending(Instant::now() + DEADLINE));
        return 0;
    }
    let args = Bound::from_borrowed_ptr(py, args);
    let Ok(first) = args.get_item(0) else {
        let _ = PyErr::take(py);
        return 0;
    };
    if let Some(name) = file_name(&first) {
        if let Some(writers) = sync_pending_named(&name) {
            py.detach(move || {
                let deadline = Instant::now() + DEADLINE;
                for w in &writers {
                    w.flush_until(deadline);
                }
            });
        }
    }
    0
}

/// Install the audit hook (once, at import).
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    // SAFETY: the hook only runs with the GIL held and never raises.
    if unsafe { PySys_AddAuditHook(Some(hook), std::ptr::null_mut()) } != 0 {
        return Err(PyErr::fetch(_m.py()));
    }
    Ok(())
}
