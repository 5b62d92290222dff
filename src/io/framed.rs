//! Framed socket sink: each rendered record becomes a length-prefixed MessagePack frame sent over
//! TCP, TLS or a Unix stream socket, with reconnect backoff (exponential, jittered, with a reset
//! period and a deadline) and a frame size limit.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::io::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use rustls::{ClientConnection, StreamOwned};

use super::msgpack::{encode_frame, WireError, WireRef, FRAME_TAG};
use super::sink::{Sink, SinkSpec, Stats};
use super::tls::TlsSettings;

/// Where frames go.
#[derive(Clone, Debug)]
pub enum Target {
    Tcp(String, u16),
    Unix(PathBuf),
}

/// Reconnect timing: delays grow from `base` to `cap` (doubling, with jitter); a connection that
/// lived `reset_after` starts again from `base`; after `deadline` of failing, stop trying.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    pub reset_after: Duration,
    pub deadline: Option<Duration>,
}

/// What the worker reports to Python.
#[derive(Default)]
pub struct Status {
    pub connected: AtomicBool,
    pub frames: AtomicU64,
    pub oversized: AtomicU64,
    pub last_error: Mutex<Option<String>>,
}

/// Everything needed to (re)open the sink.
pub struct FramedSpec {
    pub target: Target,
    pub tls: Option<TlsSettings>,
    pub connect_timeout: Duration,
    pub write_timeout: Duration,
    pub max_frame: usize,
    pub backoff: Backoff,
    pub status: Arc<Status>,
}

impl FramedSpec {
    fn describe(&self) -> String {
        match &self.target {
            Target::Tcp(h, p) if self.tls.is_some() => format!("tls:{h}:{p}"),
            Target::Tcp(h, p) => format!("tcp:{h}:{p}"),
            Target::Unix(p) => format!("unix:{}", p.display()),
        }
    }
}

enum Conn {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Conn {
    fn out(&mut self) -> &mut dyn Write {
        match self {
            Conn::Tcp(s) => s,
            Conn::Unix(s) => s,
            Conn::Tls(s) => s.as_mut(),
        }
    }

    fn fd(&self) -> RawFd {
        match self {
            Conn::Tcp(s) => s.as_raw_fd(),
            Conn::Unix(s) => s.as_raw_fd(),
            Conn::Tls(s) => s.sock.as_raw_fd(),
        }
    }
}

/// A cheap jitter source (xorshift seeded from the clock): no need for cryptographic quality.
fn jitter_fraction(state: &mut u64) -> f64 {
    if *state == 0 {
        *state = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            | 1;
    }
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

struct FramedSink {
    spec: Arc<FramedSpec>,
    stats: Arc<Stats>,
    conn: Option<Conn>,
    frames: Vec<u8>,
    failures: u32,
    retry_at: Option<Instant>,
    down_since: Option<Instant>,
    connected_at: Option<Instant>,
    rng: u64,
    /// Records lost since the last warning, and when that warning was written.
    unreported: u64,
    warned_at: Option<Instant>,
}

/// The sink spec handed to a `Writer` (shares `FramedSpec` with every sink it opens).
pub struct FramedSinkSpec(pub Arc<FramedSpec>);

impl SinkSpec for FramedSinkSpec {
    fn open(&self, stats: &Arc<Stats>, _after_fork: bool) -> io::Result<Box<dyn Sink>> {
        Ok(Box::new(FramedSink::new(self.0.clone(), stats.clone())))
    }

    fn thread_name(&self) -> String {
        format!("femtolog-frames:{}", self.0.describe())
    }

    fn label(&self) -> String {
        format!("socket handler {}", self.0.describe())
    }

    fn takes_frames(&self) -> bool {
        true
    }
}

impl FramedSink {
    /// A sink that connects at its first batch.
    fn new(spec: Arc<FramedSpec>, stats: Arc<Stats>) -> FramedSink {
        FramedSink {
            spec,
            stats,
            conn: None,
            frames: Vec::new(),
            failures: 0,
            retry_at: None,
            down_since: None,
            connected_at: None,
            rng: 0,
            unreported: 0,
            warned_at: None,
        }
    }

    fn connect(&self) -> io::Result<Conn> {
        let s = &self.spec;
        match &s.target {
            Target::Unix(p) => {
                let u = UnixStream::connect(p)?;
                u.set_write_timeout(Some(s.write_timeout))?;
                Ok(Conn::Unix(u))
            }
            Target::Tcp(host, port) => {
                let addrs: Vec<SocketAddr> = (host.as_str(), *port).to_socket_addrs()?.collect();
                let mut last = io::Error::new(io::ErrorKind::NotFound, "address resolved to nothing");
                for addr in addrs {
                    match TcpStream::connect_timeout(&addr, s.connect_timeout) {
                        Ok(t) => {
                            t.set_nodelay(true).ok();
                            t.set_write_timeout(Some(s.write_timeout))?;
                            return match &s.tls {
                                None => Ok(Conn::Tcp(t)),
                                Some(tls) => {
                                    // The handshake reads too: bound it by the connect timeout.
                                    t.set_read_timeout(Some(s.connect_timeout))?;
                                    Ok(Conn::Tls(Box::new(tls.connect(t)?)))
                                }
                            };
                        }
                        Err(e) => last = e,
                    }
                }
                Err(last)
            }
        }
    }

    /// Count `n` records lost (peer down, frame too big, bad layout) and warn on stderr at most
    /// once a second with the reason.
    fn lose(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        self.stats.drops.add_quiet(n);
        self.unreported += n;
        let now = Instant::now();
        if matches!(self.warned_at, Some(t) if now.duration_since(t) < Duration::from_secs(1)) {
            return;
        }
        let reason = self.spec.status.last_error.lock().clone().unwrap_or_default();
        let line = format!(
            "femtologging: socket handler {}: {} record(s) lost ({} in total): {}\n",
            self.spec.describe(),
            self.unreported,
            self.stats.drops.get(),
            reason
        );
        super::queue::write_all_fd(2, line.as_bytes()).ok();
        self.unreported = 0;
        self.warned_at = Some(now);
    }

    fn gave_up(&self, now: Instant) -> bool {
        match (self.spec.backoff.deadline, self.down_since) {
            (Some(d), Some(since)) => now.duration_since(since) >= d,
            _ => false,
        }
    }

    /// Connect unless inside a backoff period or past the deadline.
    fn ensure(&mut self, now: Instant) -> bool {
        if self.conn.is_some() {
            return true;
        }
        if self.gave_up(now) || matches!(self.retry_at, Some(t) if now < t) {
            return false;
        }
        match self.connect() {
            Ok(c) => {
                self.conn = Some(c);
                self.retry_at = None;
                self.down_since = None;
                self.connected_at = Some(now);
                self.spec.status.connected.store(true, Ordering::Release);
                true
            }
            Err(e) => {
                *self.spec.status.last_error.lock() = Some(e.to_string());
                self.down_since.get_or_insert(now);
                let b = self.spec.backoff;
                let grown = b.base.as_secs_f64() * 2f64.powi(self.failures.min(30) as i32);
                let delay = grown.min(b.cap.as_secs_f64()) * (0.5 + 0.5 * jitter_fraction(&mut self.rng));
                self.failures = self.failures.saturating_add(1);
                self.retry_at = Some(now + Duration::from_secs_f64(delay));
                false
            }
        }
    }

    fn lost_connection(&mut self, e: Option<io::Error>) {
        self.conn = None;
        self.spec.status.connected.store(false, Ordering::Release);
        if let Some(e) = e {
            *self.spec.status.last_error.lock() = Some(e.to_string());
        }
        let lived = self.connected_at.take().map(|t| t.elapsed());
        if matches!(lived, Some(l) if l >= self.spec.backoff.reset_after) {
            self.failures = 0;
        }
    }

    /// Append one record's frame to `self.frames`: a render job's frame as is, text written
    /// through the Python path parsed and encoded. Returns the payload length.
    fn encode_one(&mut self, rec: &[u8]) -> Result<usize, WireError> {
        match rec.split_first() {
            Some((&FRAME_TAG, frame)) if frame.len() >= 4 => {
                self.frames.extend_from_slice(frame);
                Ok(frame.len() - 4)
            }
            _ => WireRef::parse(rec).and_then(|r| encode_frame(&r, &mut self.frames)),
        }
    }

    /// Encode the rendered records of a batch into `self.frames`; returns the end of each frame.
    fn encode(&mut self, buf: &[u8], ends: &[usize]) -> Vec<usize> {
        self.frames.clear();
        let mut frame_ends = Vec::with_capacity(ends.len());
        let mut start = 0;
        for &end in ends {
            let before = self.frames.len();
            let ok = match self.encode_one(&buf[start..end]) {
                Ok(n) if n <= self.spec.max_frame => true,
                Ok(n) => {
                    self.spec.status.oversized.fetch_add(1, Ordering::Relaxed);
                    *self.spec.status.last_error.lock() =
                        Some(format!("frame of {n} bytes exceeds max_frame_size {}", self.spec.max_frame));
                    false
                }
                Err(e) => {
                    *self.spec.status.last_error.lock() = Some(e.to_string());
                    false
                }
            };
            if ok {
                frame_ends.push(self.frames.len());
            } else {
                self.frames.truncate(before);
                self.lose(1);
            }
            start = end;
        }
        frame_ends
    }
}

impl Sink for FramedSink {
    fn write_batch(&mut self, buf: &[u8], ends: &[usize]) -> io::Result<()> {
        let frame_ends = self.encode(buf, ends);
        if frame_ends.is_empty() {
            return Ok(());
        }
        if !self.ensure(Instant::now()) {
            self.lose(frame_ends.len() as u64);
            return Ok(());
        }
        let frames = std::mem::take(&mut self.frames);
        let mut sent = 0usize;
        let mut failure = None;
        while sent < frames.len() {
            match self.conn.as_mut().map(|c| c.out().write(&frames[sent..])) {
                Some(Ok(0)) => {
                    failure = Some(io::Error::new(io::ErrorKind::WriteZero, "peer closed"));
                    break;
                }
                Some(Ok(n)) => sent += n,
                Some(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Some(Err(e)) => {
                    failure = Some(e);
                    break;
                }
                None => break,
            }
        }
        if failure.is_none() {
            if let Some(Err(e)) = self.conn.as_mut().map(|c| c.out().flush()) {
                sent = 0; // TLS: nothing is known to have left
                failure = Some(e);
            }
        }
        let complete = frame_ends.iter().filter(|&&end| end <= sent).count();
        self.spec.status.frames.fetch_add(complete as u64, Ordering::Relaxed);
        if let Some(e) = failure {
            self.lost_connection(Some(e));
            self.lose((frame_ends.len() - complete) as u64);
        }
        self.frames = frames;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(Err(e)) = self.conn.as_mut().map(|c| c.out().flush()) {
            self.lost_connection(Some(e));
        }
        Ok(())
    }

    fn close(&mut self) -> io::Result<()> {
        if let Some(Conn::Tls(s)) = self.conn.as_mut() {
            s.conn.send_close_notify();
            s.flush().ok();
        }
        self.lost_connection(None);
        Ok(())
    }

    fn owned_fd(&self) -> RawFd {
        self.conn.as_ref().map_or(-1, Conn::fd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_port() -> u16 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }

    fn sink(deadline: Option<Duration>) -> FramedSink {
        let spec = Arc::new(FramedSpec {
            target: Target::Tcp("127.0.0.1".into(), refused_port()),
            tls: None,
            connect_timeout: Duration::from_millis(200),
            write_timeout: Duration::from_millis(200),
            max_frame: 1 << 20,
            backoff: Backoff {
                base: Duration::from_millis(100),
                cap: Duration::from_millis(700),
                reset_after: Duration::from_secs(1),
                deadline,
            },
            status: Arc::new(Status::default()),
        });
        FramedSink::new(spec, Stats::new("test", false))
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let mut s = sink(None);
        let mut now = Instant::now();
        for ceiling_ms in [100u64, 200, 400, 700, 700] {
            assert!(!s.ensure(now));
            let delay = s.retry_at.unwrap() - now;
            let ceiling = Duration::from_millis(ceiling_ms);
            assert!(delay >= ceiling / 2 && delay <= ceiling, "{delay:?} vs {ceiling:?}");
            assert!(!s.ensure(now + delay / 2), "no attempt inside the backoff period");
            now += delay;
        }
        assert!(s.spec.status.last_error.lock().is_some());
    }

    #[test]
    fn deadline_stops_the_attempts_and_records_are_counted() {
        let mut s = sink(Some(Duration::from_millis(250)));
        let start = Instant::now();
        assert!(!s.ensure(start));
        assert!(!s.gave_up(start + Duration::from_millis(200)));
        assert!(s.gave_up(start + Duration::from_millis(250)));
        let text = "a\x1fINFO\x1f1.5\x1fp\x1f1\x1fm\x1fNone\x1fNone\x1fhello";
        let buf = [text, text].concat();
        s.write_batch(buf.as_bytes(), &[text.len(), buf.len()]).unwrap();
        assert_eq!(s.stats.drops.get(), 2);
    }
}
