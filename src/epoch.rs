//! The one invalidation epoch: every cached engine decision remembers the epoch it was made in.
//!
//! Level caches, override flags, handler slots, dispatch plans and the module-switch snapshot are
//! valid only while the epoch is unchanged. Every operation that can change one of them bumps it:
//! attribute assignment on loggers, handlers, formatters and style objects, any change to a
//! watched class or to the facade's namespace (see `cpython.rs` for how changes are noticed on
//! each CPython version), `manager.disable`, `Manager._clear_cache()`. A logging call therefore
//! checks one atomic load against its cached decision.

use std::sync::atomic::{AtomicU64, Ordering};

static EPOCH: AtomicU64 = AtomicU64::new(1);

/// The current epoch.
#[inline(always)]
pub fn current() -> u64 {
    EPOCH.load(Ordering::Acquire)
}

/// Invalidate every cached decision.
#[inline]
pub fn bump() {
    EPOCH.fetch_add(1, Ordering::AcqRel);
}

#[cfg(test)]
mod tests {
    #[test]
    fn bump_moves_the_epoch_forward() {
        let a = super::current();
        super::bump();
        assert!(super::current() > a);
    }
}
