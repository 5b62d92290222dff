//! Stream sink: unbuffered write(2) loops on a raw descriptor (1, 2 or any fd the caller owns).

use std::io;
use std::os::unix::io::RawFd;
use std::sync::Arc;

use super::queue::{whole_records, write_all_fd_counted};
use super::sink::{Sink, SinkSpec, Stats};

/// Writes to a descriptor it does not own (never closes it).
#[derive(Clone, Copy, Debug)]
pub struct StreamSpec {
    /// The descriptor written to.
    pub fd: RawFd,
}

impl SinkSpec for StreamSpec {
    fn open(&self, _stats: &Arc<Stats>, _after_fork: bool) -> io::Result<Box<dyn Sink>> {
        if unsafe { libc::fcntl(self.fd, libc::F_GETFD) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Box::new(StreamSink { fd: self.fd, kept: 0 }))
    }

    fn thread_name(&self) -> String {
        format!("femtolog-fd:{}", self.fd)
    }

    fn label(&self) -> String {
        format!("fd {}", self.fd)
    }
}

/// The open stream sink.
pub struct StreamSink {
    fd: RawFd,
    /// Records of the last failed batch that were written whole.
    kept: usize,
}

impl Sink for StreamSink {
    fn write_batch(&mut self, buf: &[u8], ends: &[usize]) -> io::Result<()> {
        write_all_fd_counted(self.fd, buf).map_err(|(e, done)| {
            self.kept = whole_records(ends.iter().copied(), done);
            e
        })
    }

    fn records_kept(&self) -> usize {
        self.kept
    }
}
