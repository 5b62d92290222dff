//! File sink: Python-compatible open modes, size rotation and watched reopen, on the worker.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::queue::{whole_records, write_all_fd_counted};
use super::sink::{Sink, SinkSpec, Stats};
use super::timed::{now_secs, TimedSpec};

/// How the file is opened the first time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenKind {
    /// `'a'`: append, create if missing.
    Append,
    /// `'w'`: truncate, create if missing.
    Truncate,
    /// `'x'`: create; fail if it exists.
    Exclusive,
}

/// A mode string Python's `open()` would not accept for writing.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("invalid mode: {0:?} (expected 'a', 'w' or 'x', optionally with 'b', 't' or '+')")]
pub struct ModeError(pub String);

/// Parsed file mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileMode {
    /// Creation/truncation behaviour.
    pub kind: OpenKind,
    /// `'+'` was given (also open for reading).
    pub plus: bool,
}

impl FileMode {
    /// Parse a Python mode string such as `"a"`, `"wb"`, `"a+"`.
    pub fn parse(mode: &str) -> Result<FileMode, ModeError> {
        let bad = || ModeError(mode.to_string());
        let (mut kind, mut plus, mut b, mut t) = (None, false, false, false);
        for c in mode.chars() {
            match c {
                'a' | 'w' | 'x' if kind.is_none() => {
                    kind = Some(match c {
                        'a' => OpenKind::Append,
                        'w' => OpenKind::Truncate,
                        _ => OpenKind::Exclusive,
                    })
                }
                '+' if !plus => plus = true,
                'b' if !b && !t => b = true,
                't' if !t && !b => t = true,
                _ => return Err(bad()),
            }
        }
        kind.map(|kind| FileMode { kind, plus }).ok_or_else(bad)
    }
}

/// Everything needed to open (and reopen, rotate) one log file.
#[derive(Clone, Debug)]
pub struct FileSpec {
    /// The (absolute) path of the live file.
    pub path: PathBuf,
    /// Mode for the first open.
    pub mode: FileMode,
    /// Rotate before a record would make the file reach this size (0: never).
    pub max_bytes: u64,
    /// Number of `path.N` backups kept (0: never rotate).
    pub backup_count: u32,
    /// Whether an empty file is rolled over for a record of `max_bytes` or more
    /// (CPython 3.11/3.12 do; 3.13 never rolls an empty file over).
    pub roll_empty: bool,
    /// Size a record in characters of its UTF-8 text, as stdlib's `len(msg)` does (else in
    /// bytes); the file's size is always in bytes.
    pub count_chars: bool,
    /// Reopen when the path's device/inode changes or the file vanishes.
    pub watch: bool,
    /// Rotate on a time schedule instead of by size.
    pub timed: Option<TimedSpec>,
}

impl FileSpec {
    fn rotating(&self) -> bool {
        self.max_bytes > 0 && self.backup_count > 0
    }

    /// Rotating files (by size or time) always append, as the stdlib forces mode 'a'.
    fn reopen_kind(&self) -> OpenKind {
        if self.max_bytes > 0 || self.timed.is_some() {
            OpenKind::Append
        } else {
            self.mode.kind
        }
    }

    fn open_file(&self, kind: OpenKind) -> io::Result<File> {
        let mut o = OpenOptions::new();
        o.read(self.mode.plus);
        match kind {
            OpenKind::Append => o.append(true).create(true),
            OpenKind::Truncate => o.write(true).create(true).truncate(true),
            OpenKind::Exclusive => o.write(true).create_new(true),
        };
        let f = o.open(&self.path)?;
        if kind != OpenKind::Append {
            // Write at the end even in 'w'/'x' mode, so a forked child (which reopens the
            // path) and the parent never overwrite each other's records.
            let fd = f.as_raw_fd();
            let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
            if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_APPEND) } < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(f)
    }

    /// What one record adds to the size rule (`count_chars`: its UTF-8 characters).
    fn record_len(&self, record: &[u8]) -> u64 {
        if self.count_chars {
            record.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64
        } else {
            record.len() as u64
        }
    }

    fn backup(&self, i: u32) -> PathBuf {
        let mut s = self.path.clone().into_os_string();
        s.push(format!(".{i}"));
        PathBuf::from(s)
    }
}

impl SinkSpec for FileSpec {
    fn open(&self, stats: &Arc<Stats>, after_fork: bool) -> io::Result<Box<dyn Sink>> {
        // A rotating file always appends (as the stdlib forces mode 'a'); a child appends too.
        let kind = if after_fork {
            OpenKind::Append
        } else {
            self.reopen_kind()
        };
        let mut sink = FileSink {
            spec: self.clone(),
            stats: stats.clone(),
            file: None,
            dev: 0,
            ino: 0,
            pos: 0,
            regular: true,
            kept: 0,
        };
        sink.open_with(kind)?;
        if let Some(t) = &self.timed {
            let mtime = fs::metadata(&self.path)
                .map(|m| m.mtime())
                .unwrap_or_else(|_| now_secs());
            t.start(mtime);
        }
        Ok(Box::new(sink))
    }

    fn thread_name(&self) -> String {
        let base = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("femtolog-file:{base}")
    }

    fn label(&self) -> String {
        self.path.display().to_string()
    }

    fn file_name(&self) -> Option<&[u8]> {
        use std::os::unix::ffi::OsStrExt;
        self.path.file_name().map(|n| n.as_bytes())
    }
}

/// An open log file owned by the worker.
pub struct FileSink {
    spec: FileSpec,
    stats: Arc<Stats>,
    file: Option<File>,
    dev: u64,
    ino: u64,
    /// Current size of the live file as far as we wrote it.
    pos: u64,
    /// Rotation only applies to regular files (never to /dev/null, FIFOs...).
    regular: bool,
    /// Records of the last failed batch that were written whole.
    kept: usize,
}

impl FileSink {
    fn open_with(&mut self, kind: OpenKind) -> io::Result<()> {
        self.file = None;
        let mut f = self.spec.open_file(kind)?;
        let meta = f.metadata()?;
        self.dev = meta.dev();
        self.ino = meta.ino();
        self.regular = meta.file_type().is_file();
        self.pos = if self.regular {
            f.seek(SeekFrom::End(0))?
        } else {
            0
        };
        self.stats.written.store(self.pos, Ordering::Release);
        self.file = Some(f);
        Ok(())
    }

    fn fd(&mut self) -> io::Result<RawFd> {
        if self.file.is_none() {
            self.open_with(OpenKind::Append)?;
        }
        Ok(self.file.as_ref().map(|f| f.as_raw_fd()).unwrap_or(-1))
    }

    /// Append whole records (`ends`: where each ends, counted from the start of `bytes`).
    /// A failed write (disk full...) is cut back to the last whole record, so the file never
    /// keeps a partial line; `self.kept` grows by the records that stayed.
    fn put(&mut self, bytes: &[u8], ends: impl Iterator<Item = usize> + Clone) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let fd = self.fd()?;
        let result = match write_all_fd_counted(fd, bytes) {
            Ok(()) => {
                self.pos += bytes.len() as u64;
                self.kept += ends.count();
                Ok(())
            }
            Err((e, done)) => {
                let whole = whole_records(ends.clone(), done);
                let keep = ends.take(whole).last().unwrap_or(0);
                if done > keep && self.regular {
                    self.cut_to(fd, self.pos + keep as u64, self.pos + done as u64);
                }
                self.pos += keep as u64;
                self.kept += whole;
                Err(e)
            }
        };
        self.stats.written.store(self.pos, Ordering::Release);
        result
    }

    /// Truncate a partial record off the end, unless someone else appended meanwhile.
    fn cut_to(&self, fd: RawFd, keep: u64, ours_end: u64) {
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        if unsafe { libc::fstat(fd, &mut st) } == 0 && st.st_size as u64 == ours_end {
            unsafe { libc::ftruncate(fd, keep as libc::off_t) };
        }
    }

    /// Shift `path.N-1 -> path.N ... path -> path.1`, then open a fresh live file.
    fn do_rotate(&mut self) -> io::Result<()> {
        self.file = None;
        let spec = &self.spec;
        let mut result = Ok(());
        for i in (1..spec.backup_count).rev() {
            let (src, dst) = (spec.backup(i), spec.backup(i + 1));
            if exists(&src) {
                if exists(&dst) {
                    keep_first(&mut result, fs::remove_file(&dst));
                }
                keep_first(&mut result, fs::rename(&src, &dst));
            }
        }
        let first = spec.backup(1);
        if exists(&first) {
            keep_first(&mut result, fs::remove_file(&first));
        }
        if exists(&spec.path) {
            keep_first(&mut result, fs::rename(&spec.path, &first));
        }
        let reopened = self.open_with(OpenKind::Append);
        result.and(reopened)
    }

    fn reopen_if_moved(&mut self) -> io::Result<()> {
        let same = match fs::metadata(&self.spec.path) {
            Ok(m) => self.file.is_some() && m.dev() == self.dev && m.ino() == self.ino,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e),
        };
        if same {
            return Ok(());
        }
        self.open_with(self.spec.reopen_kind())
    }

    /// Rename the live file to `path.SUFFIX`, delete old backups, reopen (timed rotation).
    fn do_timed_rotate(&mut self, timed: &TimedSpec, now: i64) -> io::Result<()> {
        self.file = None;
        let mut result = Ok(());
        let dst = timed.backup_name(&self.spec.path, now);
        if exists(&dst) {
            keep_first(&mut result, fs::remove_file(&dst));
        }
        if exists(&self.spec.path) {
            keep_first(&mut result, fs::rename(&self.spec.path, &dst));
        }
        for old in timed.files_to_delete(&self.spec.path) {
            keep_first(&mut result, fs::remove_file(old));
        }
        keep_first(&mut result, self.open_with(OpenKind::Append));
        timed.advance(now);
        result
    }

    fn timed_check(&mut self) -> io::Result<()> {
        let Some(timed) = self.spec.timed.clone() else {
            return Ok(());
        };
        let now = now_secs();
        if !timed.due(now) {
            return Ok(());
        }
        match fs::metadata(&self.spec.path) {
            Ok(m) if !m.file_type().is_file() => {
                timed.postpone(now);
                Ok(())
            }
            _ => self.do_timed_rotate(&timed, now),
        }
    }
}

/// Ends of the records lying in `buf[start..stop]`, counted from `start`.
fn segment(ends: &[usize], start: usize, stop: usize) -> impl Iterator<Item = usize> + Clone + '_ {
    ends.iter().filter(move |&&e| e > start && e <= stop).map(move |&e| e - start)
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

fn keep_first(acc: &mut io::Result<()>, r: io::Result<()>) {
    if acc.is_ok() {
        *acc = r;
    }
}

impl Sink for FileSink {
    fn before_batch(&mut self) -> io::Result<()> {
        if self.spec.watch {
            self.reopen_if_moved()
        } else {
            Ok(())
        }
    }

    fn write_batch(&mut self, buf: &[u8], ends: &[usize]) -> io::Result<()> {
        self.kept = 0;
        if self.spec.timed.is_some() {
            let rotated = self.timed_check();
            return rotated.and(self.put(buf, ends.iter().copied()));
        }
        if !(self.spec.rotating() && self.regular) {
            return self.put(buf, ends.iter().copied());
        }
        let max = self.spec.max_bytes;
        let (mut seg_start, mut rec_start) = (0usize, 0usize);
        let mut result = Ok(());
        for &end in ends {
            let size = self.pos + (rec_start - seg_start) as u64;
            let len = self.spec.record_len(&buf[rec_start..end]);
            if size + len >= max && (size > 0 || self.spec.roll_empty) {
                let written = self.put(&buf[seg_start..rec_start], segment(ends, seg_start, rec_start));
                keep_first(&mut result, written);
                let rotated = self.do_rotate();
                keep_first(&mut result, rotated);
                seg_start = rec_start;
            }
            rec_start = end;
        }
        let last = self.put(&buf[seg_start..rec_start], segment(ends, seg_start, rec_start));
        keep_first(&mut result, last);
        result
    }

    /// Reopen when the path now names another file or vanished (WatchedFileHandler semantics).
    fn reopen(&mut self) -> io::Result<()> {
        self.reopen_if_moved()
    }

    fn rotate(&mut self) -> io::Result<()> {
        if let Some(timed) = self.spec.timed.clone() {
            return self.do_timed_rotate(&timed, now_secs());
        }
        if self.spec.backup_count > 0 && self.regular {
            self.do_rotate()
        } else {
            Ok(())
        }
    }

    fn close(&mut self) -> io::Result<()> {
        self.file = None;
        Ok(())
    }

    fn owned_fd(&self) -> RawFd {
        self.file.as_ref().map_or(-1, |f| f.as_raw_fd())
    }

    fn owned_identity(&self) -> Option<(u64, u64)> {
        self.file.as_ref().map(|_| (self.dev, self.ino))
    }

    fn records_kept(&self) -> usize {
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(
            FileMode::parse("a"),
            Ok(FileMode {
                kind: OpenKind::Append,
                plus: false
            })
        );
        assert_eq!(
            FileMode::parse("wb+"),
            Ok(FileMode {
                kind: OpenKind::Truncate,
                plus: true
            })
        );
        assert_eq!(
            FileMode::parse("xt"),
            Ok(FileMode {
                kind: OpenKind::Exclusive,
                plus: false
            })
        );
        for bad in ["", "r", "aw", "a++", "bt", "abt", "q"] {
            assert!(FileMode::parse(bad).is_err(), "{bad}");
        }
    }
}
