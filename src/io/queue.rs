//! Queue vocabulary: the items a worker consumes, overflow policies and the drop counter.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossbeam_channel::{Receiver, Sender};

/// Default number of items a writer's queue holds before its overflow policy applies.
pub const DEFAULT_CAPACITY: usize = 8192;

/// Default bound, in bytes, of the records one writer's queue holds (its overflow policy
/// applies beyond it, as beyond `DEFAULT_CAPACITY` records).
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;

/// Weight of a render job that does not say how large it is.
pub const DEFAULT_WEIGHT: usize = 256;

/// Something a worker renders into bytes off the calling thread.
///
/// Implementations must not touch Python: the worker never holds the GIL.
pub trait Render: Send + 'static {
    /// Append the rendered record (including its terminator) to `out`.
    fn render(&self, out: &mut Vec<u8>);
    /// About how many bytes this job holds (for the queue's byte bound).
    fn weight(&self) -> usize {
        DEFAULT_WEIGHT
    }
}

/// Acknowledgement channel a control item answers on.
pub type Ack = Sender<io::Result<()>>;

/// One entry of a writer's queue. `Bytes` and `Render` are one record each.
pub enum Item {
    /// An already-encoded record.
    Bytes(Vec<u8>),
    /// A record the worker renders itself.
    Render(Box<dyn Render>),
    /// Write and flush everything queued before; answer with the result.
    /// `take_error` says whether a stored earlier error is consumed and reported.
    Flush { ack: Ack, take_error: bool },
    /// Close and reopen the sink (files: reopen the path).
    Reopen,
    /// Rotate now (rotating files only; ignored elsewhere).
    Rotate,
    /// Drain, flush and close the sink, answer, then stop the worker.
    Close(Ack),
    /// Test hook: tell `paused` once everything before is written, then wait on `resume`.
    Pause {
        paused: Sender<()>,
        resume: Receiver<()>,
    },
}

impl Item {
    /// For a record: the bytes `tell()` counts while it is queued (encoded records only) and
    /// its weight for the queue's byte bound. Control items: nothing.
    pub fn sizes(&self) -> (u64, u64) {
        match self {
            Item::Bytes(b) => (b.len() as u64, b.len() as u64),
            Item::Render(r) => (0, r.weight() as u64),
            _ => (0, 0),
        }
    }
}

/// What happens when a writer's queue is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Wait for room; never drop (the standard library's behaviour).
    Block,
    /// Drop the new record and count it.
    DropNewest,
    /// Evict the oldest queued record to make room for the new one, and count it.
    DropOldest,
    /// Wait up to the duration, then drop and count.
    BlockTimeout(Duration),
}

/// An overflow specification that cannot be understood.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    /// The policy name is not one of `block`, `drop`, `timeout`.
    #[error("overflow must be 'block', 'drop', 'drop_oldest' or 'timeout', not {0:?}")]
    UnknownPolicy(String),
    /// `timeout` was given without a usable number of seconds.
    #[error("overflow='timeout' needs a timeout > 0 seconds, got {0:?}")]
    BadTimeout(Option<f64>),
    /// A timeout was given for a policy that does not wait with one.
    #[error("timeout is only meaningful with overflow='timeout'")]
    UnexpectedTimeout,
    /// Capacity must be at least one item.
    #[error("capacity must be >= 1, got {0}")]
    BadCapacity(i64),
}

impl Overflow {
    /// Parse the Python-level spelling (`'block'`, `'drop'`, `'timeout'` with `timeout` seconds).
    pub fn parse(name: &str, timeout: Option<f64>) -> Result<Self, PolicyError> {
        match name {
            "block" | "drop" | "drop_newest" | "drop_oldest" if timeout.is_some() => {
                Err(PolicyError::UnexpectedTimeout)
            }
            "block" => Ok(Overflow::Block),
            "drop" | "drop_newest" => Ok(Overflow::DropNewest),
            "drop_oldest" => Ok(Overflow::DropOldest),
            "timeout" | "block_timeout" => match timeout {
                Some(t) if t.is_finite() && t > 0.0 => {
                    Ok(Overflow::BlockTimeout(Duration::from_secs_f64(t)))
                }
                other => Err(PolicyError::BadTimeout(other)),
            },
            other => Err(PolicyError::UnknownPolicy(other.to_string())),
        }
    }
}

/// Why a record was not queued.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The writer was closed.
    #[error("I/O operation on closed writer")]
    Closed,
    /// The record was queued, but the worker had hit an I/O error earlier.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// A worker I/O error with the number of records it cost since it was last reported.
#[derive(Debug, thiserror::Error)]
#[error("{source} ({lost} record(s) could not be written)")]
pub struct LostRecords {
    /// The operating system's error.
    #[source]
    pub source: io::Error,
    /// Records lost since the previous report.
    pub lost: u64,
}

/// `e`, carrying `lost` when records were lost.
pub fn with_losses(e: io::Error, lost: u64) -> io::Error {
    if lost == 0 {
        e
    } else {
        io::Error::new(e.kind(), LostRecords { source: e, lost })
    }
}

/// The operating system error inside `e` and the records it cost (0 when unknown).
pub fn losses(e: &io::Error) -> (&io::Error, u64) {
    match e.get_ref().and_then(|r| r.downcast_ref::<LostRecords>()) {
        Some(l) => (&l.source, l.lost),
        None => (e, 0),
    }
}

impl From<SendError> for io::Error {
    fn from(e: SendError) -> io::Error {
        match e {
            SendError::Closed => io::Error::other("I/O operation on closed writer"),
            SendError::Io(e) => e,
        }
    }
}

/// Records dropped by every writer of this process.
static TOTAL_DROPPED: AtomicU64 = AtomicU64::new(0);

/// Records dropped (or lost to I/O errors) so far by all writers of this process.
pub fn total_dropped() -> u64 {
    TOTAL_DROPPED.load(Ordering::Relaxed)
}

/// Counts dropped records and warns on stderr at most once per second.
pub struct DropCounter {
    count: AtomicU64,
    last_warn_ms: AtomicU64,
    warned_count: AtomicU64,
    label: String,
    warn: bool,
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl DropCounter {
    /// A counter whose warnings name `label`; `warn` false keeps stderr quiet.
    pub fn new(label: impl Into<String>, warn: bool) -> Self {
        DropCounter {
            count: AtomicU64::new(0),
            last_warn_ms: AtomicU64::new(0),
            warned_count: AtomicU64::new(0),
            label: label.into(),
            warn,
        }
    }

    /// Total records dropped so far.
    pub fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Count `n` records dropped because the queue was full, and maybe warn.
    pub fn add(&self, n: u64) {
        if n == 0 {
            return;
        }
        let total = self.count.fetch_add(n, Ordering::Relaxed) + n;
        TOTAL_DROPPED.fetch_add(n, Ordering::Relaxed);
        if self.warn {
            self.maybe_warn(total);
        }
    }

    /// Count `n` records lost for another reason (peer down, sink unopenable): no warning.
    pub fn add_quiet(&self, n: u64) {
        self.count.fetch_add(n, Ordering::Relaxed);
        TOTAL_DROPPED.fetch_add(n, Ordering::Relaxed);
    }

    /// At close or exit: when drops happened since the last warning, say the final total.
    pub fn summarize(&self) {
        let total = self.get();
        let before = self.warned_count.swap(total, Ordering::Relaxed);
        if !self.warn || total == before {
            return;
        }
        let line = format!(
            "femtologging: {}: {} record(s) dropped in total ({} since last warning)\n",
            self.label,
            total,
            total - before
        );
        write_all_fd(2, line.as_bytes()).ok();
    }

    fn maybe_warn(&self, total: u64) {
        let now = now_ms();
        let last = self.last_warn_ms.load(Ordering::Relaxed);
        if last != 0 && now.saturating_sub(last) < 1000 {
            return;
        }
        if self
            .last_warn_ms
            .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        let before = self.warned_count.swap(total, Ordering::Relaxed);
        let line = format!(
            "femtologging: {}: queue full, {} record(s) dropped so far ({} since last warning)\n",
            self.label,
            total,
            total.saturating_sub(before)
        );
        // Raw write(2): no std lock a forked child could inherit held.
        write_all_fd(2, line.as_bytes()).ok();
    }
}

/// Write all of `buf` to `fd`, retrying on EINTR and partial writes.
pub fn write_all_fd(fd: i32, buf: &[u8]) -> io::Result<()> {
    write_all_fd_counted(fd, buf).map_err(|(e, _)| e)
}

/// `write_all_fd` that says, on error, how many bytes did get written.
pub fn write_all_fd_counted(fd: i32, buf: &[u8]) -> Result<(), (io::Error, usize)> {
    let mut done = 0usize;
    while done < buf.len() {
        let rest = &buf[done..];
        let n = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
        if n < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err((err, done));
        }
        if n == 0 {
            return Err((io::Error::new(io::ErrorKind::WriteZero, "write returned 0"), done));
        }
        done += n as usize;
    }
    Ok(())
}

/// How many of the records ending at `ends` (offsets from the same start) lie wholly within
/// the first `done` bytes.
pub fn whole_records(ends: impl IntoIterator<Item = usize>, done: usize) -> usize {
    ends.into_iter().take_while(|&end| end <= done).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_policies() {
        assert_eq!(Overflow::parse("block", None), Ok(Overflow::Block));
        assert_eq!(Overflow::parse("drop", None), Ok(Overflow::DropNewest));
        assert_eq!(
            Overflow::parse("timeout", Some(0.5)),
            Ok(Overflow::BlockTimeout(Duration::from_millis(500)))
        );
        assert_eq!(
            Overflow::parse("timeout", None),
            Err(PolicyError::BadTimeout(None))
        );
        assert_eq!(
            Overflow::parse("timeout", Some(-1.0)),
            Err(PolicyError::BadTimeout(Some(-1.0)))
        );
        assert_eq!(
            Overflow::parse("drop", Some(1.0)),
            Err(PolicyError::UnexpectedTimeout)
        );
        assert!(matches!(
            Overflow::parse("nope", None),
            Err(PolicyError::UnknownPolicy(_))
        ));
    }

    #[test]
    fn drop_counter_counts_exactly() {
        let c = DropCounter::new("test", false);
        for _ in 0..10 {
            c.add(1);
        }
        c.add(5);
        c.add(0);
        assert_eq!(c.get(), 15);
    }
}
