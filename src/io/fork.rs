//! Fork awareness: a process generation bumped in every forked child, and the registry lock
//! held across fork() so a child never inherits it locked.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Once, Weak};

use once_cell::sync::Lazy;
use parking_lot::Mutex;

/// Bumped by the `pthread_atfork` child handler; a writer built in another generation
/// belongs to an ancestor process.
static FORK_GEN: AtomicU64 = AtomicU64::new(0);

static INSTALL: Once = Once::new();

/// Every writer ever built in this process, weakly held (for flush_all/close_all/before_fork).
pub(crate) static REGISTRY: Lazy<Mutex<Vec<Weak<super::writer::Shared>>>> =
    Lazy::new(|| Mutex::new(Vec::new()));

/// The current process generation.
#[inline]
pub fn generation() -> u64 {
    FORK_GEN.load(Ordering::Acquire)
}

extern "C" fn prepare() {
    std::mem::forget(REGISTRY.lock());
}

extern "C" fn in_parent() {
    // SAFETY: `prepare` locked it on this thread and forgot the guard.
    unsafe { REGISTRY.force_unlock() };
}

extern "C" fn in_child() {
    FORK_GEN.fetch_add(1, Ordering::AcqRel);
    // SAFETY: as in `in_parent`; the child has only the forking thread.
    unsafe { REGISTRY.force_unlock() };
}

/// Install the fork handlers once per process.
pub fn install() {
    INSTALL.call_once(|| {
        Lazy::force(&REGISTRY);
        // SAFETY: the handlers only touch atomics and the registry lock.
        unsafe {
            libc::pthread_atfork(Some(prepare), Some(in_parent), Some(in_child));
        }
    });
}
