//! Unit tests for queues, policies, barriers, error reporting and file rotation.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::file::{FileMode, FileSpec};
use super::queue::{Item, Overflow, Render, SendError};
use super::sink::{Sink, SinkSpec, Stats};
use super::stream::StreamSpec;
use super::writer::{Writer, WriterOptions};

/// A sink that appends to shared memory and can be told to fail its next writes.
#[derive(Clone, Default)]
struct MemSpec {
    data: Arc<Mutex<Vec<u8>>>,
    batches: Arc<AtomicUsize>,
    fail_next: Arc<AtomicUsize>,
}

struct MemSink(MemSpec);

impl Sink for MemSink {
    fn write_batch(&mut self, buf: &[u8], _ends: &[usize]) -> io::Result<()> {
        if self.0.fail_next.load(Ordering::SeqCst) > 0 {
            self.0.fail_next.fetch_sub(1, Ordering::SeqCst);
            return Err(io::Error::from_raw_os_error(libc::ENOSPC));
        }
        self.0.batches.fetch_add(1, Ordering::SeqCst);
        self.0.data.lock().extend_from_slice(buf);
        Ok(())
    }
}

impl SinkSpec for MemSpec {
    fn open(&self, _stats: &Arc<Stats>, _after_fork: bool) -> io::Result<Box<dyn Sink>> {
        Ok(Box::new(MemSink(self.clone())))
    }
    fn thread_name(&self) -> String {
        "femtolog-test".into()
    }
    fn label(&self) -> String {
        "memory".into()
    }
}

fn mem_writer(capacity: usize, overflow: Overflow) -> (MemSpec, Writer) {
    let spec = MemSpec::default();
    let opts = WriterOptions {
        capacity,
        max_bytes: crate::io::queue::DEFAULT_MAX_BYTES,
        overflow,
        delay: false,
        warn_on_drop: false,
    };
    let w = Writer::new(Arc::new(spec.clone()), opts).unwrap();
    (spec, w)
}

fn lines(data: &[u8]) -> Vec<String> {
    String::from_utf8(data.to_vec())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "femtolog-io-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn flush_is_a_barrier_and_keeps_order() {
    let (spec, w) = mem_writer(64, Overflow::Block);
    for i in 0..1000 {
        w.send_bytes(format!("{i}\n").into_bytes()).unwrap();
    }
    w.flush().unwrap();
    let got = lines(&spec.data.lock());
    let want: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    assert_eq!(got, want);
    w.close().unwrap();
}

#[test]
fn drop_newest_counts_exactly() {
    let (spec, w) = mem_writer(10, Overflow::DropNewest);
    let pause = w.pause().unwrap();
    for i in 0..25 {
        w.send_bytes(format!("{i}\n").into_bytes()).unwrap();
    }
    assert_eq!(w.dropped(), 15);
    drop(pause);
    w.flush().unwrap();
    let want: Vec<String> = (0..10).map(|i| i.to_string()).collect();
    assert_eq!(lines(&spec.data.lock()), want);
    assert_eq!(w.dropped(), 15);
    w.close().unwrap();
}

#[test]
fn block_timeout_drops_after_waiting() {
    let (spec, w) = mem_writer(2, Overflow::BlockTimeout(Duration::from_millis(20)));
    let pause = w.pause().unwrap();
    for i in 0..5 {
        w.send_bytes(format!("{i}\n").into_bytes()).unwrap();
    }
    assert_eq!(w.dropped(), 3);
    drop(pause);
    w.close().unwrap();
    assert_eq!(lines(&spec.data.lock()), vec!["0", "1"]);
}

#[test]
fn block_waits_and_never_drops() {
    let (spec, w) = mem_writer(3, Overflow::Block);
    let pause = w.pause().unwrap();
    for i in 0..3 {
        w.send_bytes(format!("{i}\n").into_bytes()).unwrap();
    }
    let w2 = w.clone();
    let t = std::thread::spawn(move || {
        for i in 3..10 {
            w2.send_bytes(format!("{i}\n").into_bytes()).unwrap();
        }
    });
    drop(pause);
    t.join().unwrap();
    w.close().unwrap();
    let want: Vec<String> = (0..10).map(|i| i.to_string()).collect();
    assert_eq!(lines(&spec.data.lock()), want);
    assert_eq!(w.dropped(), 0);
}

#[test]
fn worker_batches_what_is_queued() {
    let (spec, w) = mem_writer(100, Overflow::Block);
    let pause = w.pause().unwrap();
    for i in 0..50 {
        w.send_bytes(format!("{i}\n").into_bytes()).unwrap();
    }
    let before = spec.batches.load(Ordering::SeqCst);
    drop(pause);
    w.flush().unwrap();
    assert_eq!(
        spec.batches.load(Ordering::SeqCst) - before,
        1,
        "50 queued records => one write"
    );
    w.close().unwrap();
}

struct Upper(String);

impl Render for Upper {
    fn render(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.0.to_uppercase().as_bytes());
        out.push(b'\n');
    }
}

#[test]
fn render_items_are_rendered_by_the_worker() {
    let (spec, w) = mem_writer(8, Overflow::Block);
    w.send_render(Box::new(Upper("abc".into()))).unwrap();
    w.send_bytes(b"raw\n".to_vec()).unwrap();
    w.close().unwrap();
    assert_eq!(lines(&spec.data.lock()), vec!["ABC", "raw"]);
}

#[test]
fn worker_errors_surface_once_and_lose_nothing_else() {
    let (spec, w) = mem_writer(8, Overflow::Block);
    spec.fail_next.store(1, Ordering::SeqCst);
    w.send_bytes(b"lost\n".to_vec()).unwrap();
    let err = w.flush().unwrap_err();
    assert_eq!(crate::io::queue::losses(&err).0.raw_os_error(), Some(libc::ENOSPC));
    w.send_bytes(b"kept\n".to_vec()).unwrap();
    w.flush().unwrap();
    assert_eq!(lines(&spec.data.lock()), vec!["kept"]);
    w.close().unwrap();
}

#[test]
fn error_is_reported_to_next_sender() {
    let (spec, w) = mem_writer(8, Overflow::Block);
    spec.fail_next.store(1, Ordering::SeqCst);
    w.send_bytes(b"lost\n".to_vec()).unwrap();
    w.sync().unwrap(); // written (and failed), error kept
    match w.send_bytes(b"next\n".to_vec()) {
        Err(SendError::Io(e)) => {
            let (os, lost) = crate::io::queue::losses(&e);
            assert_eq!(os.raw_os_error(), Some(libc::ENOSPC));
            assert_eq!(lost, 1, "the failed record is counted");
        }
        other => panic!("expected stored error, got {other:?}"),
    }
    w.close().unwrap();
    assert_eq!(lines(&spec.data.lock()), vec!["next"]);
}

#[test]
fn delivered_records_are_written_when_deliver_returns() {
    let (spec, w) = mem_writer(8, Overflow::Block);
    w.deliver(Item::Render(Box::new(Upper("abc".into())))).unwrap();
    assert_eq!(lines(&spec.data.lock()), vec!["ABC"]);
    w.deliver(Item::Bytes(b"raw\n".to_vec())).unwrap();
    assert_eq!(lines(&spec.data.lock()), vec!["ABC", "raw"]);
    w.close().unwrap();
    assert!(matches!(w.deliver(Item::Bytes(b"late\n".to_vec())), Err(SendError::Closed)));
    assert_eq!(lines(&spec.data.lock()), vec!["ABC", "raw"]);
}

#[test]
fn a_delivered_record_comes_after_the_queued_ones() {
    let (spec, w) = mem_writer(64, Overflow::Block);
    let paused = w.pause().unwrap();
    for i in 0..10 {
        w.send_bytes(format!("{i}\n").into_bytes()).unwrap();
    }
    let w2 = w.clone();
    let t = std::thread::spawn(move || w2.deliver(Item::Bytes(b"delivered\n".to_vec())).unwrap());
    std::thread::sleep(Duration::from_millis(50));
    assert!(!t.is_finished(), "a record is never written ahead of queued ones");
    drop(paused);
    t.join().unwrap();
    let mut want: Vec<String> = (0..10).map(|i| i.to_string()).collect();
    want.push("delivered".into());
    assert_eq!(lines(&spec.data.lock()), want);
    w.close().unwrap();
}

#[test]
fn a_delivered_record_keeps_its_own_error_for_the_next_sender() {
    let (spec, w) = mem_writer(8, Overflow::Block);
    spec.fail_next.store(1, Ordering::SeqCst);
    w.deliver(Item::Bytes(b"lost\n".to_vec())).unwrap();
    match w.deliver(Item::Bytes(b"next\n".to_vec())) {
        Err(SendError::Io(e)) => assert_eq!(crate::io::queue::losses(&e).1, 1, "the failed record is counted"),
        other => panic!("expected stored error, got {other:?}"),
    }
    assert_eq!(lines(&spec.data.lock()), vec!["next"]);
    assert_eq!(w.dropped(), 1);
    w.close().unwrap();
}

#[test]
fn close_is_idempotent_and_rejects_later_sends() {
    let (spec, w) = mem_writer(8, Overflow::Block);
    w.send_bytes(b"a\n".to_vec()).unwrap();
    w.close().unwrap();
    w.close().unwrap();
    assert!(w.is_closed());
    assert!(matches!(
        w.send_bytes(b"b\n".to_vec()),
        Err(SendError::Closed)
    ));
    w.flush().unwrap();
    assert_eq!(lines(&spec.data.lock()), vec!["a"]);
}

fn file_writer(path: &std::path::Path, mode: &str, max_bytes: u64, backup_count: u32) -> Writer {
    let spec = file_spec(path, mode, max_bytes, backup_count);
    Writer::new(Arc::new(spec), WriterOptions::default()).unwrap()
}

fn file_spec(path: &std::path::Path, mode: &str, max_bytes: u64, backup_count: u32) -> FileSpec {
    FileSpec {
        path: path.to_path_buf(),
        mode: FileMode::parse(mode).unwrap(),
        max_bytes,
        backup_count,
        roll_empty: true,
        count_chars: false,
        watch: false,
        timed: None,
    }
}

#[test]
fn file_modes_append_truncate_exclusive() {
    let d = temp_dir("modes");
    let p = d.join("a.log");
    fs::write(&p, "old\n").unwrap();
    let w = file_writer(&p, "a", 0, 0);
    w.send_bytes(b"new\n".to_vec()).unwrap();
    assert_eq!(w.tell(), 8);
    w.close().unwrap();
    assert_eq!(fs::read_to_string(&p).unwrap(), "old\nnew\n");
    let w = file_writer(&p, "w", 0, 0);
    w.close().unwrap();
    assert_eq!(fs::read_to_string(&p).unwrap(), "");
    let spec = FileSpec {
        path: p.clone(),
        mode: FileMode::parse("x").unwrap(),
        max_bytes: 0,
        backup_count: 0,
        roll_empty: true,
        count_chars: false,
        watch: false,
        timed: None,
    };
    let err = Writer::new(Arc::new(spec), WriterOptions::default())
        .err()
        .unwrap();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    fs::remove_dir_all(d).ok();
}

#[test]
fn rotation_names_and_sizes_follow_stdlib() {
    let d = temp_dir("rot");
    let p = d.join("r.log");
    // Records are 10 bytes; max 25 => at most 2 records per file (2*10 + 10 >= 25 rotates).
    let w = file_writer(&p, "a", 25, 2);
    for i in 0..7 {
        // Queued and delivered records follow one rule.
        let record = format!("record-{i:02}\n").into_bytes();
        if i % 2 == 0 {
            w.send_bytes(record).unwrap();
        } else {
            w.deliver(Item::Bytes(record)).unwrap();
        }
    }
    w.close().unwrap();
    let read = |s: &str| fs::read_to_string(d.join(s)).unwrap();
    assert_eq!(read("r.log"), "record-06\n");
    assert_eq!(read("r.log.1"), "record-04\nrecord-05\n");
    assert_eq!(read("r.log.2"), "record-02\nrecord-03\n");
    assert!(!d.join("r.log.3").exists());
    fs::remove_dir_all(d).ok();
}

#[test]
fn an_empty_file_rolls_over_for_a_large_record_only_by_the_roll_empty_rule() {
    for roll_empty in [true, false] {
        let d = temp_dir(if roll_empty { "rolle" } else { "keepe" });
        let p = d.join("e.log");
        let spec = FileSpec {
            roll_empty,
            ..file_spec(&p, "a", 10, 3)
        };
        let w = Writer::new(Arc::new(spec), WriterOptions::default()).unwrap();
        w.deliver(Item::Bytes(b"0123456789ab\n".to_vec())).unwrap();
        w.send_bytes(b"x\n".to_vec()).unwrap();
        w.close().unwrap();
        let read = |s: &str| fs::read_to_string(d.join(s)).unwrap();
        // One decision per record: the large one rolls the empty file over (3.11/3.12) or not
        // (3.13); either way the small one after it rolls the large one over.
        assert_eq!(read("e.log"), "x\n");
        assert_eq!(read("e.log.1"), "0123456789ab\n");
        assert_eq!(d.join("e.log.2").exists(), roll_empty);
        if roll_empty {
            assert_eq!(read("e.log.2"), "");
        }
        fs::remove_dir_all(d).ok();
    }
}

#[test]
fn concurrent_writers_rotation_loses_and_duplicates_nothing() {
    let d = temp_dir("rotmt");
    let p = d.join("m.log");
    let w = file_writer(&p, "a", 4096, 10_000);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let w = w.clone();
            std::thread::spawn(move || {
                for i in 0..2000 {
                    let record = format!("thread {t} line {i}\n").into_bytes();
                    // Every third record is delivered (written by this thread when nothing
                    // is queued ahead of it), the others queued.
                    if i % 3 == 0 {
                        w.deliver(Item::Bytes(record)).unwrap();
                    } else {
                        w.send_bytes(record).unwrap();
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    w.close().unwrap();
    let mut seen = HashSet::new();
    let mut files = 0;
    // Oldest first: m.log.N ... m.log.1, then m.log; each thread's lines in order throughout.
    let mut paths: Vec<PathBuf> = fs::read_dir(&d).unwrap().map(|e| e.unwrap().path()).collect();
    let age = |p: &PathBuf| p.extension().and_then(|e| e.to_str()?.parse::<u32>().ok()).unwrap_or(0);
    paths.sort_by_key(|p| std::cmp::Reverse(age(p)));
    let mut next = [0u32; 4];
    for path in paths {
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.len() < 4096,
            "{} has {} bytes",
            path.display(),
            text.len()
        );
        for line in text.lines() {
            assert!(seen.insert(line.to_string()), "duplicate line {line}");
            let f: Vec<&str> = line.split(' ').collect();
            let (t, i): (usize, u32) = (f[1].parse().unwrap(), f[3].parse().unwrap());
            assert_eq!(i, next[t], "thread {t} out of order in {}", path.display());
            next[t] += 1;
        }
        files += 1;
    }
    assert_eq!(seen.len(), 8000);
    assert!(files > 10);
    fs::remove_dir_all(d).ok();
}

#[test]
fn watched_file_reopens_after_move() {
    let d = temp_dir("watch");
    let p = d.join("w.log");
    let spec = FileSpec {
        path: p.clone(),
        mode: FileMode::parse("a").unwrap(),
        max_bytes: 0,
        backup_count: 0,
        roll_empty: true,
        count_chars: false,
        watch: true,
        timed: None,
    };
    let w = Writer::new(Arc::new(spec), WriterOptions::default()).unwrap();
    w.send_bytes(b"one\n".to_vec()).unwrap();
    w.flush().unwrap();
    fs::rename(&p, d.join("w.log.moved")).unwrap();
    w.send_bytes(b"two\n".to_vec()).unwrap();
    w.close().unwrap();
    assert_eq!(fs::read_to_string(d.join("w.log.moved")).unwrap(), "one\n");
    assert_eq!(fs::read_to_string(&p).unwrap(), "two\n");
    fs::remove_dir_all(d).ok();
}

#[test]
fn stream_sink_writes_to_a_pipe() {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let w = Writer::new(
        Arc::new(StreamSpec { fd: fds[1] }),
        WriterOptions::default(),
    )
    .unwrap();
    w.send_bytes(b"hello\n".to_vec()).unwrap();
    w.send_bytes(b"world\n".to_vec()).unwrap();
    w.close().unwrap();
    unsafe { libc::close(fds[1]) };
    let mut buf = [0u8; 64];
    let n = unsafe { libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len()) };
    assert_eq!(&buf[..n as usize], b"hello\nworld\n");
    unsafe { libc::close(fds[0]) };
}

#[test]
fn stream_sink_rejects_bad_fd() {
    let err = Writer::new(
        Arc::new(StreamSpec { fd: 987_654 }),
        WriterOptions::default(),
    )
    .err()
    .unwrap();
    assert_eq!(err.raw_os_error(), Some(libc::EBADF));
}

struct Explodes;

impl Render for Explodes {
    fn render(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"partial");
        panic!("renderer bug");
    }
}

#[test]
fn a_panicking_renderer_loses_only_its_record() {
    let (spec, w) = mem_writer(8, Overflow::Block);
    w.send_bytes(b"before\n".to_vec()).unwrap();
    w.send_render(Box::new(Explodes)).unwrap();
    w.send_bytes(b"after\n".to_vec()).unwrap();
    assert!(w.flush().is_err());
    w.close().unwrap();
    assert_eq!(lines(&spec.data.lock()), vec!["before", "after"]);
}

#[test]
fn byte_bound_applies_the_overflow_policy() {
    let spec = MemSpec::default();
    let opts = WriterOptions {
        capacity: 1000,
        max_bytes: 100,
        overflow: Overflow::DropNewest,
        delay: false,
        warn_on_drop: false,
    };
    let w = Writer::new(Arc::new(spec.clone()), opts).unwrap();
    let paused = w.pause().unwrap();
    for _ in 0..10 {
        w.send_bytes(vec![b'x'; 30]).unwrap();
    }
    // 30 + 30 + 30 fit under 100 bytes; every later record would go over.
    assert_eq!(w.dropped(), 7);
    drop(paused);
    w.flush().unwrap();
    assert_eq!(spec.data.lock().len(), 90);
    // Written records free their bytes: the queue takes records again.
    w.send_bytes(vec![b'y'; 30]).unwrap();
    w.close().unwrap();
    assert_eq!(spec.data.lock().len(), 120);
    assert_eq!(w.dropped(), 7);
}
