//! Socket sinks: TCP and Unix stream (reconnect with exponential backoff, drop while down),
//! UDP and Unix datagram (one record per datagram).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::io::{AsRawFd, RawFd};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::sink::{Sink, SinkSpec, Stats};

/// Default backoff start, factor and cap (seconds), as the stdlib's SocketHandler.
pub const RETRY_START: f64 = 1.0;
pub const RETRY_FACTOR: f64 = 2.0;
pub const RETRY_MAX: f64 = 30.0;

/// Reconnect backoff of a stream socket, adjustable while the writer runs, and the published
/// deadline before which no reconnection is tried (SocketHandler's `retryTime`).
#[derive(Debug)]
pub struct Retry {
    start: AtomicU64,
    factor: AtomicU64,
    max: AtomicU64,
    /// Unix time in milliseconds of the next allowed attempt; 0 while connected / never failed.
    at_ms: AtomicI64,
    /// A stream connection is currently open.
    connected: AtomicBool,
}

impl Retry {
    /// Backoff starting at `start` seconds, multiplied by `factor`, capped at `max`.
    pub fn new(start: f64, factor: f64, max: f64) -> Arc<Retry> {
        let r = Arc::new(Retry {
            start: AtomicU64::new(0),
            factor: AtomicU64::new(0),
            max: AtomicU64::new(0),
            at_ms: AtomicI64::new(0),
            connected: AtomicBool::new(false),
        });
        r.set(start, factor, max);
        r
    }

    /// Change the backoff parameters (used from the next failed attempt on).
    pub fn set(&self, start: f64, factor: f64, max: f64) {
        self.start.store(start.to_bits(), Ordering::Release);
        self.factor.store(factor.to_bits(), Ordering::Release);
        self.max.store(max.to_bits(), Ordering::Release);
    }

    fn get(&self, a: &AtomicU64) -> f64 {
        f64::from_bits(a.load(Ordering::Acquire))
    }

    /// Whether a stream connection is open right now.
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    /// Unix time (seconds) before which no reconnection is tried, if the peer is down.
    pub fn retry_at(&self) -> Option<f64> {
        match self.at_ms.load(Ordering::Acquire) {
            0 => None,
            ms => Some(ms as f64 / 1000.0),
        }
    }
}

fn unix_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
/// Connect and send timeout for stream sockets.
const IO_TIMEOUT: Duration = Duration::from_secs(1);

/// Socket family and transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketKind {
    /// TCP stream; records must already be framed.
    Tcp,
    /// UDP; one record per datagram.
    Udp,
    /// Unix-domain stream.
    Unix,
    /// Unix-domain datagram (e.g. /dev/log).
    UnixDgram,
}

/// An unknown socket kind.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("kind must be 'tcp', 'udp', 'unix' or 'unix_dgram', not {0:?}")]
pub struct KindError(pub String);

impl SocketKind {
    /// Parse `'tcp'`, `'udp'`, `'unix'`, `'unix_dgram'`.
    pub fn parse(s: &str) -> Result<SocketKind, KindError> {
        match s {
            "tcp" => Ok(SocketKind::Tcp),
            "udp" => Ok(SocketKind::Udp),
            "unix" => Ok(SocketKind::Unix),
            "unix_dgram" => Ok(SocketKind::UnixDgram),
            other => Err(KindError(other.to_string())),
        }
    }

    /// Whether the address is a filesystem path.
    pub fn is_unix(self) -> bool {
        matches!(self, SocketKind::Unix | SocketKind::UnixDgram)
    }
}

/// Where to send.
#[derive(Clone, Debug)]
pub enum Address {
    /// Host name or literal plus port (resolved on the worker).
    Inet(String, u16),
    /// Unix socket path.
    Path(PathBuf),
}

/// A socket destination.
#[derive(Clone, Debug)]
pub struct SocketSpec {
    /// Transport.
    pub kind: SocketKind,
    /// Peer address.
    pub address: Address,
    /// Reconnect backoff (stream sockets).
    pub retry: Arc<Retry>,
}

impl SocketSpec {
    fn describe(&self) -> String {
        match &self.address {
            Address::Inet(h, p) => format!("{h}:{p}"),
            Address::Path(p) => p.display().to_string(),
        }
    }

    fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        match &self.address {
            Address::Inet(h, p) => Ok((h.as_str(), *p).to_socket_addrs()?.collect()),
            Address::Path(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not an inet address",
            )),
        }
    }
}

impl SinkSpec for SocketSpec {
    fn open(&self, stats: &Arc<Stats>, _after_fork: bool) -> io::Result<Box<dyn Sink>> {
        Ok(match self.kind {
            SocketKind::Tcp | SocketKind::Unix => Box::new(StreamSocketSink {
                spec: self.clone(),
                stats: stats.clone(),
                conn: None,
                retry_at: None,
                retry_period: self.retry.get(&self.retry.start),
            }),
            SocketKind::Udp | SocketKind::UnixDgram => Box::new(DatagramSink {
                spec: self.clone(),
                sock: None,
                kept: 0,
            }),
        })
    }

    fn thread_name(&self) -> String {
        let kind = match self.kind {
            SocketKind::Tcp => "tcp",
            SocketKind::Udp => "udp",
            SocketKind::Unix => "unix",
            SocketKind::UnixDgram => "unixdg",
        };
        format!("femtolog-{kind}:{}", self.describe())
    }

    fn label(&self) -> String {
        self.describe()
    }
}

enum StreamConn {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl StreamConn {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            StreamConn::Tcp(s) => s.write(b),
            StreamConn::Unix(s) => s.write(b),
        }
    }

    fn fd(&self) -> RawFd {
        match self {
            StreamConn::Tcp(s) => s.as_raw_fd(),
            StreamConn::Unix(s) => s.as_raw_fd(),
        }
    }
}

/// Stream socket with reconnect backoff; records are dropped (and counted) while the peer is down.
struct StreamSocketSink {
    spec: SocketSpec,
    stats: Arc<Stats>,
    conn: Option<StreamConn>,
    retry_at: Option<Instant>,
    retry_period: f64,
}

impl StreamSocketSink {
    fn connect(&self) -> io::Result<StreamConn> {
        match &self.spec.address {
            Address::Path(p) => {
                let s = UnixStream::connect(p)?;
                s.set_write_timeout(Some(IO_TIMEOUT))?;
                Ok(StreamConn::Unix(s))
            }
            Address::Inet(..) => {
                let mut last =
                    io::Error::new(io::ErrorKind::NotFound, "address resolved to nothing");
                for addr in self.spec.resolve()? {
                    match TcpStream::connect_timeout(&addr, IO_TIMEOUT) {
                        Ok(s) => {
                            s.set_write_timeout(Some(IO_TIMEOUT))?;
                            return Ok(StreamConn::Tcp(s));
                        }
                        Err(e) => last = e,
                    }
                }
                Err(last)
            }
        }
    }

    /// Connect unless we are inside a backoff period.
    fn ensure(&mut self, now: Instant) -> bool {
        if self.conn.is_some() {
            return true;
        }
        if matches!(self.retry_at, Some(t) if now < t) {
            return false;
        }
        match self.connect() {
            Ok(c) => {
                self.conn = Some(c);
                self.retry_at = None;
                self.spec.retry.at_ms.store(0, Ordering::Release);
                self.spec.retry.connected.store(true, Ordering::Release);
                true
            }
            Err(_) => {
                let r = &self.spec.retry;
                self.retry_period = match self.retry_at {
                    None => r.get(&r.start),
                    Some(_) => (self.retry_period * r.get(&r.factor)).min(r.get(&r.max)),
                };
                let period = if self.retry_period.is_finite() { self.retry_period.max(0.0) } else { RETRY_MAX };
                self.retry_at = Some(now + Duration::from_secs_f64(period));
                r.at_ms.store(unix_now_ms() + (period * 1000.0) as i64, Ordering::Release);
                false
            }
        }
    }
}

impl Sink for StreamSocketSink {
    fn write_batch(&mut self, buf: &[u8], ends: &[usize]) -> io::Result<()> {
        if !self.ensure(Instant::now()) {
            self.stats.drops.add_quiet(ends.len() as u64);
            return Ok(());
        }
        let mut sent = 0usize;
        while sent < buf.len() {
            let r = self.conn.as_mut().map(|c| c.write(&buf[sent..]));
            match r {
                Some(Ok(0)) | Some(Err(_)) | None => {
                    if let Some(Err(e)) = &r {
                        if e.kind() == io::ErrorKind::Interrupted {
                            continue;
                        }
                    }
                    // Peer gone: every record not completely sent is lost.
                    self.conn = None;
                    self.spec.retry.connected.store(false, Ordering::Release);
                    let lost = ends.iter().filter(|&&end| end > sent).count();
                    self.stats.drops.add_quiet(lost as u64);
                    return Ok(());
                }
                Some(Ok(n)) => sent += n,
            }
        }
        Ok(())
    }

    fn close(&mut self) -> io::Result<()> {
        self.conn = None;
        self.spec.retry.connected.store(false, Ordering::Release);
        Ok(())
    }

    fn flush_reports_errors(&self) -> bool {
        false
    }

    fn owned_fd(&self) -> RawFd {
        self.conn.as_ref().map_or(-1, |c| c.fd())
    }
}

enum DgramSock {
    Udp(UdpSocket, Vec<SocketAddr>),
    Unix(UnixDatagram, PathBuf),
}

/// One record per datagram; send errors are stored for the next caller.
struct DatagramSink {
    spec: SocketSpec,
    sock: Option<DgramSock>,
    /// Records of the last failed batch that were sent.
    kept: usize,
}

impl DatagramSink {
    fn open(&self) -> io::Result<DgramSock> {
        match &self.spec.address {
            Address::Path(p) => Ok(DgramSock::Unix(UnixDatagram::unbound()?, p.clone())),
            Address::Inet(..) => {
                let addrs = self.spec.resolve()?;
                let first = addrs.first().ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, "address resolved to nothing")
                })?;
                let local: SocketAddr = if first.is_ipv4() {
                    "0.0.0.0:0".parse()
                } else {
                    "[::]:0".parse()
                }
                .expect("literal address");
                Ok(DgramSock::Udp(UdpSocket::bind(local)?, addrs))
            }
        }
    }
}

impl Sink for DatagramSink {
    fn write_batch(&mut self, buf: &[u8], ends: &[usize]) -> io::Result<()> {
        self.kept = 0;
        if self.sock.is_none() {
            self.sock = Some(self.open()?);
        }
        let sock = self.sock.as_ref().expect("opened above");
        let mut start = 0usize;
        let mut first_err = None;
        for &end in ends {
            let rec = &buf[start..end];
            start = end;
            let r = match sock {
                DgramSock::Udp(s, addrs) => s.send_to(rec, addrs[0]),
                DgramSock::Unix(s, p) => s.send_to(rec, p),
            };
            match r {
                Ok(_) => self.kept += 1,
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) => {
                // Re-resolve / rebuild next time.
                self.sock = None;
                Err(e)
            }
            None => Ok(()),
        }
    }

    fn close(&mut self) -> io::Result<()> {
        self.sock = None;
        Ok(())
    }

    fn records_kept(&self) -> usize {
        self.kept
    }

    fn flush_reports_errors(&self) -> bool {
        false
    }

    fn owned_fd(&self) -> RawFd {
        match &self.sock {
            Some(DgramSock::Udp(s, _)) => s.as_raw_fd(),
            Some(DgramSock::Unix(s, _)) => s.as_raw_fd(),
            None => -1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn refused_port() -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }

    #[test]
    fn tcp_backoff_doubles_to_the_cap_then_reconnects() {
        let port = refused_port();
        let spec = SocketSpec {
            kind: SocketKind::Tcp,
            address: Address::Inet("127.0.0.1".into(), port),
            retry: Retry::new(RETRY_START, RETRY_FACTOR, RETRY_MAX),
        };
        let stats = Stats::new("t", false);
        let mut sink = StreamSocketSink {
            spec,
            stats,
            conn: None,
            retry_at: None,
            retry_period: RETRY_START,
        };
        let t0 = Instant::now();
        assert!(!sink.ensure(t0));
        assert_eq!(sink.retry_period, 1.0);
        // Inside the backoff window: no attempt, period unchanged.
        assert!(!sink.ensure(t0 + Duration::from_millis(500)));
        assert_eq!(sink.retry_period, 1.0);
        let mut now = t0;
        let mut periods = vec![];
        for _ in 0..7 {
            now = sink.retry_at.unwrap();
            assert!(!sink.ensure(now));
            periods.push(sink.retry_period);
        }
        assert_eq!(periods, vec![2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]);
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        assert!(
            !sink.ensure(now + Duration::from_secs(29)),
            "still backing off"
        );
        assert!(sink.ensure(sink.retry_at.unwrap()));
        assert!(sink.retry_at.is_none());
        sink.write_batch(b"abc", &[3]).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        sink.close().unwrap();
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut peer, &mut got).unwrap();
        assert_eq!(got, b"abc");
    }
}
