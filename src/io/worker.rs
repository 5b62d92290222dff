//! The worker thread: drains its queue in batches, renders, writes once per batch, answers barriers.
//! Its `Core` (sink and batch) is shared with callers delivering a record themselves.

use std::io;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;

use crossbeam_channel::{Receiver, Select, TryRecvError};
use parking_lot::Mutex;

use super::queue::{Ack, Item};
use super::sink::{Sink, SinkSpec, Stats};

/// Most records one batch takes before writing.
const MAX_BATCH_ITEMS: usize = 4096;
/// Most bytes one batch buffers before writing.
const MAX_BATCH_BYTES: usize = 1 << 20;

/// After a batch of records only (no barrier waiting), the worker lingers this long before
/// looking at its queue again, so that a busy producer fills whole batches instead of paying a
/// thread wake-up per record. Bounds the added latency of a log line.
const LINGER: std::time::Duration = std::time::Duration::from_micros(200);

/// State one worker shares with the sending side.
pub struct ConnState {
    error: Mutex<Option<io::Error>>,
    has_error: AtomicBool,
    /// Records lost to I/O errors since the error was last reported.
    lost: AtomicU64,
    /// When a send last reported an error (ms since the epoch), for rate limiting.
    last_report_ms: AtomicU64,
    /// Descriptor the current sink owns, or -1.
    pub owned_fd: AtomicI32,
    /// Device and inode of `owned_fd`, so a forked child closes only that very file.
    owned_dev: AtomicU64,
    owned_ino: AtomicU64,
}

impl ConnState {
    pub fn new() -> Arc<ConnState> {
        Arc::new(ConnState {
            error: Mutex::new(None),
            has_error: AtomicBool::new(false),
            lost: AtomicU64::new(0),
            last_report_ms: AtomicU64::new(0),
            owned_fd: AtomicI32::new(-1),
            owned_dev: AtomicU64::new(0),
            owned_ino: AtomicU64::new(0),
        })
    }

    /// Publish the descriptor the sink now owns (-1: none) and, when known, its identity.
    pub fn set_owned(&self, fd: RawFd, known: Option<(u64, u64)>) {
        match known.filter(|_| fd >= 0).or_else(|| fd_identity(fd)) {
            Some((dev, ino)) => {
                self.owned_dev.store(dev, Ordering::Release);
                self.owned_ino.store(ino, Ordering::Release);
                self.owned_fd.store(fd, Ordering::Release);
            }
            None => self.owned_fd.store(-1, Ordering::Release),
        }
    }

    /// In a forked child: close the inherited descriptor if it still is the same file
    /// (the child may have closed it and reused the number meanwhile).
    pub fn close_inherited(&self) {
        let fd = self.owned_fd.swap(-1, Ordering::AcqRel);
        let ident = (
            self.owned_dev.load(Ordering::Acquire),
            self.owned_ino.load(Ordering::Acquire),
        );
        if fd >= 0 && fd_identity(fd) == Some(ident) {
            unsafe { libc::close(fd) };
        }
    }
}

fn fd_identity(fd: RawFd) -> Option<(u64, u64)> {
    if fd < 0 {
        return None;
    }
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return None;
    }
    Some((st.st_dev as u64, st.st_ino as u64))
}

impl ConnState {
    /// Remember `e` as the latest I/O error.
    pub fn record(&self, e: io::Error) {
        *self.error.lock() = Some(e);
        self.has_error.store(true, Ordering::Release);
    }

    /// Remember `e`, which cost `lost` records.
    pub fn record_loss(&self, e: io::Error, lost: u64) {
        self.lost.fetch_add(lost, Ordering::AcqRel);
        self.record(e);
    }

    /// Take the stored error, if any (cheap when there is none), with the number of records
    /// lost since the last report.
    pub fn take_counted(&self) -> Option<(io::Error, u64)> {
        if !self.has_error.load(Ordering::Acquire) {
            return None;
        }
        let mut slot = self.error.lock();
        self.has_error.store(false, Ordering::Release);
        let lost = self.lost.swap(0, Ordering::AcqRel);
        self.last_report_ms.store(super::queue::now_ms(), Ordering::Release);
        slot.take().map(|e| (e, lost))
    }

    /// Like `take_counted`, but at most once a second (a failing disk must not turn every
    /// record into a report): in between, the error stays stored and its losses add up.
    pub fn take_rate_limited(&self) -> Option<(io::Error, u64)> {
        if !self.has_error.load(Ordering::Acquire) {
            return None;
        }
        let last = self.last_report_ms.load(Ordering::Acquire);
        if last != 0 && super::queue::now_ms().saturating_sub(last) < 1000 {
            return None;
        }
        self.take_counted()
    }
}

/// The part of a worker that writes: its sink and the batch being built. The worker thread
/// holds the lock while it has items in hand (it takes them off the queue only under it), so a
/// logging call holding the lock that sees an empty queue has nothing ahead of its record and
/// may write it itself through the same `take`/`write_pending` (see `Writer::deliver`).
pub struct Core {
    spec: Arc<dyn SinkSpec>,
    stats: Arc<Stats>,
    state: Arc<ConnState>,
    sink: Option<Box<dyn Sink>>,
    after_fork: bool,
    /// The sink was closed for good (`Close`, or every handle gone): nothing may reopen it.
    closed: bool,
    buf: Vec<u8>,
    ends: Vec<usize>,
    pending_queued: u64,
    /// Byte-bound weight of the records taken since the last write.
    pending_weight: u64,
}

/// One worker thread: owns the queue's receiving end and shares its `Core`.
pub struct Worker {
    rx: Receiver<Item>,
    core: Arc<Mutex<Core>>,
}

impl Worker {
    pub fn new(
        rx: Receiver<Item>,
        spec: Arc<dyn SinkSpec>,
        stats: Arc<Stats>,
        state: Arc<ConnState>,
        sink: Option<Box<dyn Sink>>,
        after_fork: bool,
    ) -> Worker {
        if let Some(s) = &sink {
            state.set_owned(s.owned_fd(), s.owned_identity());
        }
        let core = Core {
            spec,
            stats,
            state,
            sink,
            after_fork,
            closed: false,
            buf: Vec::new(),
            ends: Vec::new(),
            pending_queued: 0,
            pending_weight: 0,
        };
        Worker { rx, core: Arc::new(Mutex::new(core)) }
    }

    /// The writing part, shared with the writer's senders.
    pub fn core(&self) -> Arc<Mutex<Core>> {
        self.core.clone()
    }

    /// Thread body: runs until `Close` or until every sender is gone.
    pub fn run(self) {
        let mut ready = Select::new();
        ready.recv(&self.rx);
        loop {
            // Wait for an item without taking it: items leave the queue only under the lock.
            ready.ready();
            let mut core = self.core.lock();
            let mut taken = 0usize;
            let mut records_only = true;
            while taken < MAX_BATCH_ITEMS && core.buf.len() < MAX_BATCH_BYTES {
                let item = match self.rx.try_recv() {
                    Ok(item) => item,
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        // All handles dropped without close(): finish what we have.
                        core.shutdown();
                        return;
                    }
                };
                records_only &= matches!(item, Item::Bytes(_) | Item::Render(_));
                if let Some(ack) = core.take(item) {
                    core.close(ack, &self.rx);
                    return;
                }
                taken += 1;
            }
            core.write_pending();
            drop(core);
            if taken > 0 && records_only && taken < MAX_BATCH_ITEMS {
                // A barrier queued meanwhile unparks the thread (see `Writer::barrier`): a
                // caller waiting for its records does not wait out the linger.
                std::thread::park_timeout(LINGER);
            }
        }
    }
}

impl Core {
    /// Whether the sink may still be written (false once closed for good).
    pub fn is_open(&self) -> bool {
        !self.closed
    }

    /// Take one item into the batch (records) or act on it (control items, which first write
    /// the batch). A `Close` is not acted on: its acknowledgement is handed back.
    pub fn take(&mut self, item: Item) -> Option<Ack> {
        match item {
            Item::Bytes(b) => {
                self.pending_queued += b.len() as u64;
                self.pending_weight += b.len() as u64;
                self.buf.extend_from_slice(&b);
                self.ends.push(self.buf.len());
            }
            Item::Render(r) => {
                self.pending_weight += r.weight() as u64;
                let start = self.buf.len();
                let buf = &mut self.buf;
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.render(buf))).is_err()
                {
                    // A broken renderer loses its own record only.
                    self.buf.truncate(start);
                    self.state
                        .record(io::Error::other("record renderer panicked"));
                } else {
                    self.ends.push(self.buf.len());
                }
            }
            Item::Flush { ack, take_error } => {
                self.write_pending();
                let flushed = match self.sink.as_mut() {
                    Some(s) => s.flush(),
                    None => Ok(()),
                };
                let reports = self.sink.as_ref().is_none_or(|s| s.flush_reports_errors());
                let stored = if take_error && reports {
                    self.state.take_counted().map(|(e, lost)| super::queue::with_losses(e, lost))
                } else {
                    None
                };
                let result = match (stored, flushed) {
                    (Some(e), _) => Err(e),
                    (None, r) => r,
                };
                ack.send(result).ok();
            }
            Item::Reopen => {
                self.write_pending();
                if let Some(s) = self.sink.as_mut() {
                    let r = s.reopen();
                    self.note(r);
                }
            }
            Item::Rotate => {
                self.write_pending();
                if let Some(s) = self.sink.as_mut() {
                    let r = s.rotate();
                    self.note(r);
                }
            }
            Item::Pause { paused, resume } => {
                self.write_pending();
                paused.send(()).ok();
                resume.recv().ok();
            }
            Item::Close(ack) => return Some(ack),
        }
        None
    }

    /// `Close`: write what is taken and what raced past the closed flag, close the sink, answer.
    fn close(&mut self, ack: Ack, rx: &Receiver<Item>) {
        self.write_pending();
        // Records that raced past the closed flag still get written.
        while let Ok(item) = rx.try_recv() {
            if let Some(other) = self.take(item) {
                other.send(Ok(())).ok();
            }
        }
        self.write_pending();
        // A stored error was (or will be, in the closing summary) reported already:
        // close() itself fails only when closing fails.
        let result = self.close_sink();
        self.state.take_counted();
        ack.send(result).ok();
    }

    fn shutdown(&mut self) {
        self.write_pending();
        if let Err(e) = self.close_sink() {
            self.state.record(e);
        }
    }

    fn close_sink(&mut self) -> io::Result<()> {
        self.closed = true;
        let result = match self.sink.take() {
            Some(mut s) => s.flush().and(s.close()),
            None => Ok(()),
        };
        self.state.set_owned(-1, None);
        result
    }

    fn lost_pending(&self, lost: u64) {
        self.state.lost.fetch_add(lost, Ordering::AcqRel);
    }

    fn note(&mut self, r: io::Result<()>) {
        if let Err(e) = r {
            self.state.record(e);
        }
        let (fd, known) = self.sink.as_ref().map_or((-1, None), |s| (s.owned_fd(), s.owned_identity()));
        self.state.set_owned(fd, known);
    }

    /// Write the batch taken so far (opening the sink first if it is not open yet).
    pub fn write_pending(&mut self) {
        if self.ends.is_empty() {
            self.stats.release(std::mem::take(&mut self.pending_weight));
            return;
        }
        let records = self.ends.len() as u64;
        if self.sink.is_none() {
            match self.spec.open(&self.stats, self.after_fork) {
                Ok(s) => self.sink = Some(s),
                Err(e) => {
                    self.stats.drops.add_quiet(records);
                    self.state.record_loss(e, records);
                }
            }
        }
        if let Some(sink) = self.sink.as_mut() {
            let r = sink
                .before_batch()
                .and_then(|_| sink.write_batch(&self.buf, &self.ends));
            if r.is_err() {
                // Count what the failure cost; the error is reported with those counts.
                let kept = sink.records_kept() as u64;
                let lost = records.saturating_sub(kept);
                self.stats.drops.add_quiet(lost);
                self.lost_pending(lost);
            }
            self.note(r);
        }
        self.stats.unqueue(self.pending_queued);
        self.stats.release(std::mem::take(&mut self.pending_weight));
        self.pending_queued = 0;
        self.buf.clear();
        self.ends.clear();
        if self.buf.capacity() > 4 * MAX_BATCH_BYTES {
            self.buf.shrink_to(MAX_BATCH_BYTES);
        }
    }
}
