//! `Writer`: the cheap, cloneable, GIL-free handle that feeds one worker thread, fork-aware.

use std::io;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::{bounded, Receiver, SendTimeoutError, Sender, TrySendError};
use parking_lot::Mutex;

use super::fork::{self, REGISTRY};
use super::queue::{with_losses, Item, Overflow, Render, SendError, DEFAULT_CAPACITY, DEFAULT_MAX_BYTES};
use super::sink::{SinkSpec, Stats};
use super::worker::{ConnState, Core, Worker};

/// How a writer queues.
#[derive(Clone, Copy, Debug)]
pub struct WriterOptions {
    /// Queue capacity in records.
    pub capacity: usize,
    /// Queue bound in bytes (estimated for render jobs); the overflow policy applies beyond.
    pub max_bytes: usize,
    /// What to do when the queue is full.
    pub overflow: Overflow,
    /// Open the sink lazily on the worker at the first record instead of now.
    pub delay: bool,
    /// Warn on stderr (rate limited) when records are dropped.
    pub warn_on_drop: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            capacity: DEFAULT_CAPACITY,
            max_bytes: DEFAULT_MAX_BYTES,
            overflow: Overflow::Block,
            delay: false,
            warn_on_drop: true,
        }
    }
}

/// One worker thread and its queue, valid in the process generation that built it.
struct Conn {
    gen: u64,
    tx: Sender<Item>,
    /// The queue's receiving end, for `drop_oldest` to evict the oldest record.
    rx: Receiver<Item>,
    state: Arc<ConnState>,
    /// The worker's writing part: a caller that must see its record written writes it through
    /// this when nothing is queued ahead (`deliver`).
    core: Arc<Mutex<Core>>,
    join: Mutex<Option<JoinHandle<()>>>,
}

/// State behind every clone of a `Writer`.
pub(crate) struct Shared {
    spec: Arc<dyn SinkSpec>,
    opts: WriterOptions,
    stats: Arc<Stats>,
    /// Current `Conn`. Replaced only in a forked child (the ancestor's is leaked, never freed,
    /// so references to it stay valid); freed when `Shared` drops.
    conn: AtomicPtr<Conn>,
    closed: AtomicBool,
}

/// Handle to an asynchronous writer. Clones share the queue and worker.
#[derive(Clone)]
pub struct Writer {
    shared: Arc<Shared>,
}

/// Test hook returned by [`Writer::pause`]: the worker waits until this is dropped.
pub struct Pause {
    _resume: Sender<()>,
}

fn spawn(
    spec: &Arc<dyn SinkSpec>,
    opts: &WriterOptions,
    stats: &Arc<Stats>,
    sink: Option<Box<dyn super::sink::Sink>>,
    after_fork: bool,
) -> io::Result<Conn> {
    let (tx, rx) = bounded(opts.capacity.max(1));
    let state = ConnState::new();
    let worker = Worker::new(
        rx.clone(),
        spec.clone(),
        stats.clone(),
        state.clone(),
        sink,
        after_fork,
    );
    let core = worker.core();
    let join = std::thread::Builder::new()
        .name(spec.thread_name().replace('\0', "?"))
        .spawn(move || worker.run())?;
    Ok(Conn {
        gen: fork::generation(),
        tx,
        rx,
        state,
        core,
        join: Mutex::new(Some(join)),
    })
}

impl Writer {
    /// Build a writer over `spec`, opening it now unless `opts.delay`.
    pub fn new(spec: Arc<dyn SinkSpec>, opts: WriterOptions) -> io::Result<Writer> {
        fork::install();
        super::exit::arm();
        let stats = Stats::new(&spec.label(), opts.warn_on_drop);
        let sink = if opts.delay {
            None
        } else {
            Some(spec.open(&stats, false)?)
        };
        let conn = spawn(&spec, &opts, &stats, sink, false)?;
        let shared = Arc::new(Shared {
            spec,
            opts,
            stats,
            conn: AtomicPtr::new(Box::into_raw(Box::new(conn))),
            closed: AtomicBool::new(false),
        });
        {
            let mut reg = REGISTRY.lock();
            reg.retain(|w| w.strong_count() > 0);
            reg.push(Arc::downgrade(&shared));
        }
        Ok(Writer { shared })
    }

    /// Whether render jobs for this writer encode wire frames (see `SinkSpec::takes_frames`).
    pub fn takes_frames(&self) -> bool {
        self.shared.spec.takes_frames()
    }

    /// Queue one encoded record (honours the overflow policy). A dropped record is counted,
    /// not an error. An error the worker hit earlier is reported here (this record is queued).
    pub fn send_bytes(&self, b: Vec<u8>) -> Result<(), SendError> {
        self.send_item(Item::Bytes(b))
    }

    /// Queue one record the worker renders.
    pub fn send_render(&self, r: Box<dyn Render>) -> Result<(), SendError> {
        self.send_item(Item::Render(r))
    }

    /// Queue one record (`Bytes` or `Render`), waiting for room when the policy says so.
    pub fn send_item(&self, item: Item) -> Result<(), SendError> {
        let (n, w) = item.sizes();
        self.send(item, n, w, true).map(|_| ())
    }

    /// Like `send_item` but never waits: when the policy would wait for room, the record comes
    /// back in `Ok(Some(..))` so the caller can release the GIL and call `send_item`.
    pub fn send_nowait(&self, item: Item) -> Result<Option<Item>, SendError> {
        let (n, w) = item.sizes();
        self.send(item, n, w, false)
    }

    /// Write one record (`Bytes` or `Render`) to the OS before returning, after everything
    /// queued before it. When nothing is queued and the writer is open, the calling thread
    /// renders and writes it itself, under the worker's lock and through the worker's own code
    /// (`Core::take`, `Core::write_pending`: rotation, error storage and cut-back included);
    /// otherwise the record is queued and waited for. Call without the GIL. An error stored
    /// earlier is reported as by `send_item`; this record's own error stays stored.
    pub fn deliver(&self, item: Item) -> Result<(), SendError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(SendError::Closed);
        }
        let conn = self.conn()?;
        {
            let mut core = conn.core.lock();
            // The worker takes items off the queue only under this lock: an empty queue means
            // nothing is ahead of this record, neither queued nor in the worker's hands.
            if core.is_open() && conn.rx.is_empty() {
                let (n, w) = item.sizes();
                let stats = &self.shared.stats;
                stats.pending.fetch_add(w, Ordering::AcqRel);
                stats.queued.fetch_add(n, Ordering::AcqRel);
                let reported = self.report(conn);
                core.take(item);
                core.write_pending();
                return reported;
            }
        }
        let sent = self.send_item(item);
        if !matches!(sent, Err(SendError::Closed)) {
            let _ = self.sync();
        }
        sent
    }

    /// Is there room under the byte bound for a record of `w` bytes? `Ok(false)`: drop it;
    /// `Err(())`: the policy would wait but `wait` is false.
    fn byte_room(&self, w: u64, wait: bool) -> Result<bool, ()> {
        let sh = &*self.shared;
        let max = sh.opts.max_bytes as u64;
        // One record always fits in an empty queue, however large.
        let fits = |pending: u64| pending == 0 || pending.saturating_add(w) <= max;
        if fits(sh.stats.pending.load(Ordering::Acquire)) {
            return Ok(true);
        }
        match (sh.opts.overflow, wait) {
            (Overflow::DropNewest, _) => Ok(false),
            (Overflow::DropOldest, _) => {
                // Make room by evicting the oldest records, as for the count bound.
                let conn = self.conn().map_err(|_| ())?;
                let mut held = Vec::new();
                while !fits(sh.stats.pending.load(Ordering::Acquire)) && evict_one(conn, &sh.stats, &mut held) {}
                for control in held {
                    conn.tx.send(control).ok();
                }
                Ok(true)
            }
            (_, false) => Err(()),
            (Overflow::Block, true) => Ok(sh.stats.wait_for_room(fits, None)),
            (Overflow::BlockTimeout(d), true) => Ok(sh.stats.wait_for_room(fits, Some(Instant::now() + d))),
        }
    }

    /// Returns `Some(item)` only when `wait` is false and the policy would have waited.
    /// `n`: bytes counted by `tell()`; `w`: the record's weight for the byte bound.
    fn send(&self, item: Item, n: u64, w: u64, wait: bool) -> Result<Option<Item>, SendError> {
        let sh = &*self.shared;
        if sh.closed.load(Ordering::Acquire) {
            return Err(SendError::Closed);
        }
        let conn = self.conn()?;
        let stats = &sh.stats;
        match self.byte_room(w, wait) {
            Ok(true) => {}
            Ok(false) => {
                stats.drops.add(1);
                return self.report(conn).map(|_| None);
            }
            Err(()) => return Ok(Some(item)),
        }
        stats.pending.fetch_add(w, Ordering::AcqRel);
        stats.queued.fetch_add(n, Ordering::AcqRel);
        let dropped = match (sh.opts.overflow, wait) {
            (Overflow::Block, true) => conn
                .tx
                .send(item)
                .map_err(|_| SendError::Closed)
                .map(|_| false),
            (Overflow::BlockTimeout(d), true) => match conn.tx.send_timeout(item, d) {
                Ok(()) => Ok(false),
                Err(SendTimeoutError::Timeout(_)) => Ok(true),
                Err(SendTimeoutError::Disconnected(_)) => Err(SendError::Closed),
            },
            (Overflow::DropOldest, _) => evict_oldest(conn, stats, item),
            (policy, _) => match conn.tx.try_send(item) {
                Ok(()) => Ok(false),
                Err(TrySendError::Full(item)) if policy != Overflow::DropNewest => {
                    stats.unqueue(n);
                    stats.release(w);
                    return Ok(Some(item));
                }
                Err(TrySendError::Full(_)) => Ok(true),
                Err(TrySendError::Disconnected(_)) => Err(SendError::Closed),
            },
        };
        match dropped {
            Ok(false) => {}
            Ok(true) => {
                stats.unqueue(n);
                stats.release(w);
                stats.drops.add(1);
            }
            Err(e) => {
                stats.unqueue(n);
                stats.release(w);
                return Err(e);
            }
        }
        self.report(conn).map(|_| None)
    }

    /// Hand an error the worker stored to this sender (at most once a second per writer),
    /// with the number of records it cost.
    fn report(&self, conn: &Conn) -> Result<(), SendError> {
        match conn.state.take_rate_limited() {
            Some((e, lost)) => Err(SendError::Io(with_losses(e, lost))),
            None => Ok(()),
        }
    }

    /// Barrier with a deadline: false when the deadline passed first (nothing is cancelled).
    pub fn flush_until(&self, deadline: Instant) -> bool {
        match self.start_barrier(deadline) {
            Some(done) => done.recv_deadline(deadline).is_ok(),
            None => true,
        }
    }

    /// Queue a non-consuming flush item (by `deadline`); the receiver answers once done.
    fn start_barrier(&self, deadline: Instant) -> Option<crossbeam_channel::Receiver<io::Result<()>>> {
        if self.shared.closed.load(Ordering::Acquire) {
            return None;
        }
        let conn = self.current_conn()?;
        let (ack, done) = bounded(1);
        conn.tx
            .send_deadline(Item::Flush { ack, take_error: false }, deadline)
            .ok()?;
        Some(done)
    }

    /// Barrier: returns once every record sent before is written and flushed to the OS.
    /// Reports (and clears) the worker's last I/O error. A no-op once closed.
    pub fn flush(&self) -> io::Result<()> {
        self.barrier(true)
    }

    /// Flush without consuming a stored error (used before fork()).
    pub fn sync(&self) -> io::Result<()> {
        self.barrier(false)
    }

    /// Like `flush` but gives up waiting after `limit`: `None` when the barrier was not reached.
    pub fn flush_within(&self, limit: std::time::Duration) -> Option<io::Result<()>> {
        let Some(conn) = self.current_conn().filter(|_| !self.is_closed()) else {
            return Some(Ok(()));
        };
        let (ack, done) = bounded(1);
        match conn.tx.send_timeout(Item::Flush { ack, take_error: true }, limit) {
            Ok(()) => {
                wake(conn);
                done.recv_timeout(limit).ok()
            }
            Err(SendTimeoutError::Timeout(_)) => None,
            Err(SendTimeoutError::Disconnected(_)) => Some(Ok(())),
        }
    }

    fn barrier(&self, take_error: bool) -> io::Result<()> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Ok(());
        }
        // A writer not yet used in this (forked) process has nothing to flush here.
        let Some(conn) = self.current_conn() else {
            return Ok(());
        };
        let (ack, done) = bounded(1);
        if conn.tx.send(Item::Flush { ack, take_error }).is_err() {
            return Ok(());
        }
        wake(conn);
        done.recv().unwrap_or(Ok(()))
    }

    /// Ask the worker to reopen its destination (files: the same path).
    pub fn reopen(&self) -> Result<(), SendError> {
        self.control(Item::Reopen)
    }

    /// Ask the worker to rotate now (rotating files only).
    pub fn rotate(&self) -> Result<(), SendError> {
        self.control(Item::Rotate)
    }

    fn control(&self, item: Item) -> Result<(), SendError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(SendError::Closed);
        }
        self.conn()?.tx.send(item).map_err(|_| SendError::Closed)
    }

    /// Drain, flush, close the sink and join the worker. Idempotent.
    pub fn close(&self) -> io::Result<()> {
        let sh = &*self.shared;
        if sh.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let p = sh.conn.load(Ordering::Acquire);
        // SAFETY: conns are freed only when `Shared` drops.
        let conn = unsafe { &*p };
        if conn.gen != fork::generation() {
            // Inherited from the parent and never used here: release our copy of its fd.
            close_inherited(conn);
            return Ok(());
        }
        let (ack, done) = bounded(1);
        let result = if conn.tx.send(Item::Close(ack)).is_ok() {
            done.recv().unwrap_or(Ok(()))
        } else {
            Ok(())
        };
        if let Some(join) = conn.join.lock().take() {
            join.join().ok();
        }
        sh.stats.drops.summarize();
        result
    }

    /// Whether `close()` was called.
    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }

    /// Records dropped so far (overflow policy or unreachable peer).
    pub fn dropped(&self) -> u64 {
        self.shared.stats.drops.get()
    }

    /// Bytes in the current file plus bytes queued as `Bytes` items (files only).
    pub fn tell(&self) -> u64 {
        let s = &self.shared.stats;
        s.written.load(Ordering::Acquire) + s.queued.load(Ordering::Acquire)
    }

    /// Get the destination open in this process where it can be: in a forked child that has
    /// not used this writer yet, open it here (as the child's first record would); where
    /// records are queued, wait until the worker has written them (opening it on the way).
    pub fn open_here(&self) -> io::Result<()> {
        let p = self.shared.conn.load(Ordering::Acquire);
        // SAFETY: conns are freed only when `Shared` drops, and we hold an `Arc<Shared>`.
        if self.is_closed() {
            return Ok(());
        }
        if unsafe { &*p }.gen == fork::generation() {
            return self.barrier(false);
        }
        let sink = self.shared.spec.open(&self.shared.stats, true)?;
        self.respawn(p, Some(sink)).map(|_| ())
    }

    /// The descriptor the worker's sink currently owns, if any.
    pub fn owned_fd(&self) -> Option<RawFd> {
        let conn = self.current_conn()?;
        let fd = conn.state.owned_fd.load(Ordering::Acquire);
        (fd >= 0).then_some(fd)
    }

    /// Test hook: returns once everything sent before is written and the worker is parked;
    /// the worker takes nothing more from the queue until the `Pause` is dropped.
    pub fn pause(&self) -> Result<Pause, SendError> {
        let (paused_tx, paused_rx) = bounded(1);
        let (resume_tx, resume_rx) = bounded(1);
        self.control(Item::Pause {
            paused: paused_tx,
            resume: resume_rx,
        })?;
        paused_rx.recv().map_err(|_| SendError::Closed)?;
        Ok(Pause { _resume: resume_tx })
    }

    /// The connection if it belongs to this process (None in a fork child that has not used it).
    fn current_conn(&self) -> Option<&Conn> {
        // SAFETY: conns are freed only when `Shared` drops, and we hold an `Arc<Shared>`.
        let conn = unsafe { &*self.shared.conn.load(Ordering::Acquire) };
        (conn.gen == fork::generation()).then_some(conn)
    }

    /// The connection for this process, building a fresh worker in a forked child.
    fn conn(&self) -> io::Result<&Conn> {
        let sh = &*self.shared;
        let p = sh.conn.load(Ordering::Acquire);
        // SAFETY: conns are freed only when `Shared` drops, and we hold an `Arc<Shared>`.
        let conn = unsafe { &*p };
        if conn.gen == fork::generation() {
            return Ok(conn);
        }
        self.respawn(p, None)
    }

    #[cold]
    fn respawn(&self, old: *mut Conn, sink: Option<Box<dyn super::sink::Sink>>) -> io::Result<&Conn> {
        let sh = &*self.shared;
        let fresh = Box::into_raw(Box::new(spawn(&sh.spec, &sh.opts, &sh.stats, sink, true)?));
        match sh
            .conn
            .compare_exchange(old, fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {
                // The parent's queued items are the parent's business.
                sh.stats.queued.store(0, Ordering::Release);
                sh.stats.pending.store(0, Ordering::Release);
                super::exit::arm();
                // SAFETY: `old` is leaked on purpose (its worker lives in another process).
                close_inherited(unsafe { &*old });
                Ok(unsafe { &*fresh })
            }
            Err(current) => {
                // Another thread won; drop ours (its worker sees the disconnect and exits).
                drop(unsafe { Box::from_raw(fresh) });
                Ok(unsafe { &*current })
            }
        }
    }
}

/// `drop_oldest`: make room by evicting the oldest queued record (counted as dropped). A control
/// item met on the way is put back behind the new record, since barriers may only move later.
fn evict_oldest(conn: &Conn, stats: &super::sink::Stats, mut item: Item) -> Result<bool, SendError> {
    let mut held = Vec::new();
    let result = loop {
        match conn.tx.try_send(item) {
            Ok(()) => break Ok(false),
            Err(TrySendError::Disconnected(_)) => break Err(SendError::Closed),
            Err(TrySendError::Full(back)) => {
                item = back;
                evict_one(conn, stats, &mut held);
            }
        }
    };
    for control in held {
        conn.tx.send(control).ok();
    }
    result
}

/// Take the oldest queued item off the queue: a record is dropped (counted, its bytes and weight
/// released), a control item is kept in `held` to be queued again. False when the queue is empty.
fn evict_one(conn: &Conn, stats: &super::sink::Stats, held: &mut Vec<Item>) -> bool {
    match conn.rx.try_recv() {
        Ok(Item::Bytes(b)) => {
            stats.unqueue(b.len() as u64);
            stats.release(b.len() as u64);
            stats.drops.add(1);
        }
        Ok(Item::Render(r)) => {
            stats.release(r.weight() as u64);
            stats.drops.add(1);
        }
        Ok(control) => held.push(control),
        Err(_) => return false,
    }
    true
}

/// Cut the worker's linger short: someone waits on a barrier it has just queued.
fn wake(conn: &Conn) {
    if let Some(j) = conn.join.lock().as_ref() {
        j.thread().unpark();
    }
}

fn close_inherited(conn: &Conn) {
    conn.state.close_inherited();
}

impl Drop for Shared {
    fn drop(&mut self) {
        let p = *self.conn.get_mut();
        // SAFETY: we are the last owner.
        let conn = unsafe { &*p };
        if conn.gen == fork::generation() {
            // Dropping the sender lets the worker drain, close and exit on its own.
            drop(unsafe { Box::from_raw(p) });
        } else {
            close_inherited(conn);
        }
    }
}

fn live_writers() -> Vec<Writer> {
    let reg = REGISTRY.lock();
    reg.iter()
        .filter_map(Weak::upgrade)
        .map(|shared| Writer { shared })
        .collect()
}

fn first_error(results: impl Iterator<Item = io::Result<()>>) -> io::Result<()> {
    let mut first = Ok(());
    for r in results {
        if first.is_ok() {
            first = r;
        }
    }
    first
}

/// Flush every live writer; returns the first error after trying them all.
pub fn flush_all() -> io::Result<()> {
    first_error(live_writers().iter().map(Writer::flush))
}

/// Close every live writer; returns the first error after trying them all.
pub fn close_all() -> io::Result<()> {
    first_error(live_writers().iter().map(Writer::close))
}

/// At exit: say, for every live writer that dropped records since its last warning, the total.
pub fn summarize_drops() {
    for w in live_writers() {
        w.shared.stats.drops.summarize();
    }
}

/// Flush every live writer, waiting at most until `deadline` (the exit paths); every writer's
/// barrier is queued first, so they all drain in parallel. Then says what was dropped.
pub fn flush_all_until(deadline: Instant) {
    let writers = live_writers();
    let waits: Vec<_> = writers.iter().filter_map(|w| w.start_barrier(deadline)).collect();
    for done in waits {
        let _ = done.recv_deadline(deadline);
    }
    summarize_drops();
}

impl Writer {
    /// Records queued and not yet written?
    fn has_pending(&self) -> bool {
        self.current_conn().is_some() && self.shared.stats.pending.load(Ordering::Acquire) > 0
    }
}

/// Sync point: write what every writer has queued, waiting at most until `deadline`.
pub fn sync_pending(deadline: Instant) {
    for w in live_writers().iter().filter(|w| w.has_pending()) {
        w.flush_until(deadline);
    }
}

/// The writers with queued records whose file is named `name` (None when there are none);
/// the caller syncs them with the GIL released.
pub fn sync_pending_named(name: &[u8]) -> Option<Vec<Writer>> {
    let found: Vec<Writer> = {
        let reg = REGISTRY.lock();
        reg.iter()
            .filter_map(Weak::upgrade)
            .filter(|sh| sh.spec.file_name() == Some(name))
            .map(|shared| Writer { shared })
            .collect()
    };
    let found: Vec<Writer> = found.into_iter().filter(Writer::has_pending).collect();
    (!found.is_empty()).then_some(found)
}

/// Flush every live writer so records handled before fork() are written; errors stay stored
/// for the writer's next caller.
pub fn before_fork_flush_all() {
    for w in live_writers() {
        w.sync().ok();
    }
}
