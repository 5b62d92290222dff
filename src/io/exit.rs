//! Exit paths: queued records are written when SIGTERM, SIGHUP or SIGQUIT (default disposition)
//! or `os._exit()` end the process, within a bounded deadline; the process then ends as before.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pyo3::prelude::*;

use super::writer::flush_all_until;

/// How long an exit path waits for the workers before the process ends anyway.
pub const EXIT_DEADLINE: Duration = Duration::from_secs(2);

/// The signals whose default action ends the process and which a service manager sends.
const SIGNALS: [c_int; 3] = [libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// Write end of the pipe the signal handler wakes the watcher through (-1: none yet).
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);
/// Process the watcher thread runs in (a forked child has none until it arms again).
static WATCHER_PID: AtomicI32 = AtomicI32::new(0);
static HANDLERS: Once = Once::new();
static ARMING: Mutex<()> = Mutex::new(());

/// Restore the default action for `sig` and deliver it again: the process ends exactly as it
/// would have without us (same signal, same wait status, a core dump for SIGQUIT).
fn die_by(sig: c_int) {
    // SAFETY: sigaction/sigprocmask/raise are async-signal-safe.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
}

extern "C" fn on_signal(sig: c_int) {
    let fd = WAKE_FD.load(Ordering::Acquire);
    // SAFETY: getpid and write are async-signal-safe.
    if fd >= 0 && WATCHER_PID.load(Ordering::Acquire) == unsafe { libc::getpid() } {
        let b = sig as u8;
        if unsafe { libc::write(fd, (&b as *const u8).cast(), 1) } == 1 {
            return;
        }
    }
    // No watcher in this process (a forked child that has not logged): the default action.
    // The signal is blocked while this handler runs; it is delivered again on return.
    unsafe { libc::signal(sig, libc::SIG_DFL) };
    unsafe { libc::raise(sig) };
}

fn install_handlers() {
    for sig in SIGNALS {
        // SAFETY: plain sigaction calls; the handler only uses async-signal-safe calls.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) != 0 || old.sa_sigaction != libc::SIG_DFL {
                // The program (or Python) has its own handler, or ignores it: keep that.
                continue;
            }
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_signal as extern "C" fn(c_int) as usize;
            new.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut new.sa_mask);
            libc::sigaction(sig, &new, std::ptr::null_mut());
        }
    }
}

fn watch(rfd: c_int) {
    loop {
        let mut b = 0u8;
        let n = unsafe { libc::read(rfd, (&mut b as *mut u8).cast(), 1) };
        if n == 1 {
            flush_all_until(Instant::now() + EXIT_DEADLINE);
            die_by(b as c_int);
            // Still alive: the program has installed its own handler meanwhile; keep serving.
            continue;
        }
        if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        return;
    }
}

/// Make sure this process flushes its writers when one of the exit signals arrives: install
/// the handlers once (only where the disposition is the default) and start the watcher
/// thread in this process if it has none (first writer, or first writer of a forked child).
pub fn arm() {
    let pid = unsafe { libc::getpid() };
    if WATCHER_PID.load(Ordering::Acquire) == pid {
        return;
    }
    let _guard = ARMING.lock();
    if WATCHER_PID.load(Ordering::Acquire) == pid {
        return;
    }
    let mut fds = [0 as c_int; 2];
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return;
    }
    let rfd = fds[0];
    let spawned = std::thread::Builder::new()
        .name("femtolog-signals".into())
        .spawn(move || watch(rfd));
    if spawned.is_err() {
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        return;
    }
    // An inherited pipe of the parent is left open: the parent's watcher still reads it.
    WAKE_FD.store(fds[1], Ordering::Release);
    WATCHER_PID.store(pid, Ordering::Release);
    HANDLERS.call_once(install_handlers);
}

/// Exit to the system with the given status, without normal exit processing — after
/// femtologging's worker threads have written what was logged before (at most 2 s).
#[pyfunction]
#[pyo3(name = "_exit", signature = (status, /))]
fn exit_now(py: Python<'_>, status: c_int) {
    py.detach(|| flush_all_until(Instant::now() + EXIT_DEADLINE));
    // SAFETY: ends the process; no Rust state needs to survive.
    unsafe { libc::_exit(status) }
}

/// Replace `os._exit` with the flushing version (same signature and meaning).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let f = wrap_pyfunction!(exit_now, m)?;
    m.add("_os_exit", &f)?;
    m.py().import("os")?.setattr("_exit", f)?;
    Ok(())
}
