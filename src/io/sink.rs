//! The `Sink` a worker writes into, the `SinkSpec` that (re)opens one, and shared counters.

use std::io;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::queue::DropCounter;

/// Counters shared by a writer's sending side and its worker.
pub struct Stats {
    /// Bytes in the current file (files only; maintained by the worker).
    pub written: AtomicU64,
    /// Bytes of `Item::Bytes` records sent but not yet written.
    pub queued: AtomicU64,
    /// Records dropped by the overflow policy or an unreachable peer.
    pub drops: DropCounter,
}

impl Stats {
    /// Fresh counters; drop warnings name `label`.
    pub fn new(label: &str, warn: bool) -> Arc<Stats> {
        Arc::new(Stats {
            written: AtomicU64::new(0),
            queued: AtomicU64::new(0),
            drops: DropCounter::new(label, warn),
        })
    }

    /// Forget `n` queued bytes (saturating: a forked child resets the count while its first
    /// senders may race).
    pub fn unqueue(&self, n: u64) {
        if n > 0 {
            let _ = self
                .queued
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |q| {
                    Some(q.saturating_sub(n))
                });
        }
    }
}

/// An open destination owned by one worker thread.
pub trait Sink: Send {
    /// Write one batch. `buf` holds the records back to back; `ends[i]` is where record `i` ends.
    fn write_batch(&mut self, buf: &[u8], ends: &[usize]) -> io::Result<()>;
    /// Called before each batch (watched files reopen here).
    fn before_batch(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Push anything buffered to the OS.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Close and reopen the destination.
    fn reopen(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Rotate now, where rotation is configured.
    fn rotate(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Release the destination.
    fn close(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// A descriptor this sink owns (closed in a forked child that never uses it), or -1.
    fn owned_fd(&self) -> RawFd {
        -1
    }
}

/// How to open a sink; shared between the writer handle and its worker(s).
pub trait SinkSpec: Send + Sync + 'static {
    /// Open the destination. `after_fork` is true in a forked child (files then append).
    fn open(&self, stats: &Arc<Stats>, after_fork: bool) -> io::Result<Box<dyn Sink>>;
    /// Worker thread name, e.g. `femtolog-file:app.log`.
    fn thread_name(&self) -> String;
    /// Short human description for warnings.
    fn label(&self) -> String;
}
