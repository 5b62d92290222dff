//! `Writer`: the cheap, cloneable, GIL-free handle that feeds one worker thread, fork-aware.

use std::io;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;

use crossbeam_channel::{bounded, Receiver, SendTimeoutError, Sender, TrySendError};
use parking_lot::Mutex;

use super::fork::{self, REGISTRY};
use super::queue::{Item, Overflow, Render, SendError, DEFAULT_CAPACITY};
use super::sink::{SinkSpec, Stats};
use super::worker::{ConnState, Worker};

/// How a writer queues.
#[derive(Clone, Copy, Debug)]
pub struct WriterOptions {
    /// Queue capacity in records.
    pub capacity: usize,
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
    let join = std::thread::Builder::new()
        .name(spec.thread_name().replace('\0', "?"))
        .spawn(move || worker.run())?;
    Ok(Conn {
        gen: fork::generation(),
        tx,
        rx,
        state,
        join: Mutex::new(Some(join)),
    })
}

impl Writer {
    /// Build a writer over `spec`, opening it now unless `opts.delay`.
    pub fn new(spec: Arc<dyn SinkSpec>, opts: WriterOptions) -> io::Result<Writer> {
        fork::install();
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

    /// Queue one encoded record (honours the overflow policy). A dropped record is counted,
    /// not an error. An error the worker hit earlier is reported here (this record is queued).
    pub fn send_bytes(&self, b: Vec<u8>) -> Result<(), SendError> {
        let n = b.len() as u64;
        self.send(Item::Bytes(b), n, true).map(|_| ())
    }

    /// Queue one record the worker renders.
    pub fn send_render(&self, r: Box<dyn Render>) -> Result<(), SendError> {
        self.send(Item::Render(r), 0, true).map(|_| ())
    }

    /// Like `send_render` but never waits: when the policy would wait for room, the job comes
    /// back in `Ok(Some(..))` so the caller can release the GIL and call `send_render`.
    pub fn send_render_nowait(&self, r: Box<dyn Render>) -> Result<Option<Box<dyn Render>>, SendError> {
        match self.send(Item::Render(r), 0, false)? {
            Some(Item::Render(r)) => Ok(Some(r)),
            _ => Ok(None),
        }
    }

    /// Like `send_bytes` but never waits: if the policy would wait for room, the bytes come
    /// back in `Ok(Some(..))` so the caller can release the GIL and call `send_bytes`.
    pub fn send_bytes_nowait(&self, b: Vec<u8>) -> Result<Option<Vec<u8>>, SendError> {
        let n = b.len() as u64;
        match self.send(Item::Bytes(b), n, false)? {
            Some(Item::Bytes(b)) => Ok(Some(b)),
            _ => Ok(None),
        }
    }

    /// Returns `Some(item)` only when `wait` is false and the policy would have waited.
    fn send(&self, item: Item, n: u64, wait: bool) -> Result<Option<Item>, SendError> {
        let sh = &*self.shared;
        if sh.closed.load(Ordering::Acquire) {
            return Err(SendError::Closed);
        }
        let conn = self.conn()?;
        let stats = &sh.stats;
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
                stats.drops.add(1);
            }
            Err(e) => {
                stats.unqueue(n);
                return Err(e);
            }
        }
        match conn.state.take() {
            Some(e) => Err(SendError::Io(e)),
            None => Ok(None),
        }
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
            Ok(()) => done.recv_timeout(limit).ok(),
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
        self.respawn(p)
    }

    #[cold]
    fn respawn(&self, old: *mut Conn) -> io::Result<&Conn> {
        let sh = &*self.shared;
        let fresh = Box::into_raw(Box::new(spawn(&sh.spec, &sh.opts, &sh.stats, None, true)?));
        match sh
            .conn
            .compare_exchange(old, fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {
                // The parent's queued items are the parent's business.
                sh.stats.queued.store(0, Ordering::Release);
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
                match conn.rx.try_recv() {
                    Ok(Item::Bytes(b)) => {
                        stats.unqueue(b.len() as u64);
                        stats.drops.add(1);
                    }
                    Ok(Item::Render(_)) => stats.drops.add(1),
                    Ok(control) => held.push(control),
                    Err(_) => {}
                }
            }
        }
    };
    for control in held {
        conn.tx.send(control).ok();
    }
    result
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

/// Flush every live writer so records handled before fork() are written; errors stay stored
/// for the writer's next caller.
pub fn before_fork_flush_all() {
    for w in live_writers() {
        w.sync().ok();
    }
}
