//! The `Sink` a worker writes into, the `SinkSpec` that (re)opens one, and shared counters.

use std::io;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::queue::DropCounter;

/// Counters shared by a writer's sending side and its worker.
pub struct Stats {
    /// Bytes in the current file (files only; maintained by the worker).
    pub written: AtomicU64,
    /// Bytes of `Item::Bytes` records sent but not yet written.
    pub queued: AtomicU64,
    /// Records dropped by the overflow policy or an unreachable peer, or lost to an I/O error.
    pub drops: DropCounter,
    /// Estimated bytes of every record queued and not yet written (the byte bound).
    pub pending: AtomicU64,
    room_lock: Mutex<()>,
    room: Condvar,
    waiters: AtomicUsize,
}

impl Stats {
    /// Fresh counters; drop warnings name `label`.
    pub fn new(label: &str, warn: bool) -> Arc<Stats> {
        Arc::new(Stats {
            written: AtomicU64::new(0),
            queued: AtomicU64::new(0),
            drops: DropCounter::new(label, warn),
            pending: AtomicU64::new(0),
            room_lock: Mutex::new(()),
            room: Condvar::new(),
            waiters: AtomicUsize::new(0),
        })
    }

    /// The worker wrote (or lost) records weighing `w` bytes: wake senders waiting for room.
    pub fn release(&self, w: u64) {
        if w == 0 {
            return;
        }
        let _ = self
            .pending
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |q| Some(q.saturating_sub(w)));
        if self.waiters.load(Ordering::Acquire) > 0 {
            let _g = self.room_lock.lock();
            self.room.notify_all();
        }
    }

    /// Wait until `fits(pending bytes)` holds, or until `deadline`; true when it holds.
    pub fn wait_for_room(&self, fits: impl Fn(u64) -> bool, deadline: Option<Instant>) -> bool {
        let mut g = self.room_lock.lock();
        self.waiters.fetch_add(1, Ordering::AcqRel);
        let ok = loop {
            if fits(self.pending.load(Ordering::Acquire)) {
                break true;
            }
            // Short waits: a wake-up racing the check is picked up at the next round.
            let step = Instant::now() + Duration::from_millis(20);
            match deadline {
                Some(d) if Instant::now() >= d => break false,
                Some(d) => {
                    self.room.wait_until(&mut g, step.min(d));
                }
                None => {
                    self.room.wait_until(&mut g, step);
                }
            }
        };
        self.waiters.fetch_sub(1, Ordering::AcqRel);
        ok
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
    /// On error, no partial record may stay at the destination where the sink can avoid it.
    fn write_batch(&mut self, buf: &[u8], ends: &[usize]) -> io::Result<()>;
    /// After `write_batch` failed: how many records of that batch did reach the destination.
    fn records_kept(&self) -> usize {
        0
    }
    /// Whether `flush()` reports a stored worker error (sockets report it with the next record).
    fn flush_reports_errors(&self) -> bool {
        true
    }
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
    /// Device and inode of `owned_fd()` when the sink knows them without asking the OS (it is
    /// published after every batch; `None`: `fstat` it).
    fn owned_identity(&self) -> Option<(u64, u64)> {
        None
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
    /// The file name (last path component) written, for files: opening a file of that name
    /// is a sync point (see `sync_point`).
    fn file_name(&self) -> Option<&[u8]> {
        None
    }
    /// Whether render jobs hand this sink MessagePack frames (`msgpack::encode_record`) instead
    /// of formatted text.
    fn takes_frames(&self) -> bool {
        false
    }
}
