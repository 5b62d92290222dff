//! Timed rotation schedule (TimedRotatingFileHandler semantics): when/interval/utc/atTime,
//! backup suffixes and the list of old backups to delete.

use std::ffi::CString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

const DAY: i64 = 86_400;

/// The rollover unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// `'S'`
    Seconds,
    /// `'M'`
    Minutes,
    /// `'H'`
    Hours,
    /// `'D'`
    Days,
    /// `'MIDNIGHT'`
    Midnight,
    /// `'W0'`..`'W6'` (0 is Monday)
    Weekday(u8),
}

/// A `when` / `interval` combination that cannot be scheduled.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TimedError {
    /// Unknown unit.
    #[error("Invalid rollover interval specified: {0}")]
    BadWhen(String),
    /// `W` without a single day digit.
    #[error("You must specify a day for weekly rollover from 0 to 6 (0 is Monday): {0}")]
    NoDay(String),
    /// `W7` and the like.
    #[error("Invalid day specified for weekly rollover: {0}")]
    BadDay(String),
    /// Interval below one unit.
    #[error("interval must be >= 1, got {0}")]
    BadInterval(i64),
    /// atTime outside a day.
    #[error("at_time must be within a day (0..86400 seconds), got {0}")]
    BadAtTime(i64),
}

/// Schedule of a timed-rotating file. `rollover_at` is shared with the Python object.
#[derive(Clone, Debug)]
pub struct TimedSpec {
    /// Unit.
    pub when: When,
    /// Interval in seconds (unit times count).
    pub interval: i64,
    /// Use UTC instead of local time.
    pub utc: bool,
    /// Seconds after midnight to rotate at (MIDNIGHT / W only).
    pub at_time: Option<i64>,
    /// Backups kept (0: keep all).
    pub backup_count: u32,
    /// Next rollover time (Unix seconds); 0 until the file is first opened.
    pub rollover_at: Arc<AtomicI64>,
}

/// The broken-down fields rotation needs.
struct Tm {
    raw: libc::tm,
}

impl Tm {
    fn at(t: i64, utc: bool) -> Tm {
        let mut raw: libc::tm = unsafe { std::mem::zeroed() };
        let tt = t as libc::time_t;
        unsafe {
            if utc {
                libc::gmtime_r(&tt, &mut raw);
            } else {
                libc::localtime_r(&tt, &mut raw);
            }
        }
        Tm { raw }
    }

    fn seconds_into_day(&self) -> i64 {
        (self.raw.tm_hour as i64 * 60 + self.raw.tm_min as i64) * 60 + self.raw.tm_sec as i64
    }

    /// Monday = 0, as Python's `tm_wday`.
    fn weekday(&self) -> i64 {
        (self.raw.tm_wday as i64 + 6) % 7
    }

    fn dst(&self) -> bool {
        self.raw.tm_isdst > 0
    }

    fn format(&self, fmt: &str) -> String {
        let cfmt = CString::new(fmt).expect("format has no NUL");
        let mut buf = [0u8; 64];
        let n =
            unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), cfmt.as_ptr(), &self.raw) };
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

/// Local-time DST correction the stdlib applies when a span crosses a DST change.
fn dst_shift(dst_now: bool, dst_then: bool) -> i64 {
    match (dst_now, dst_then) {
        (false, true) => -3600,
        (true, false) => 3600,
        _ => 0,
    }
}

impl TimedSpec {
    /// Validate the stdlib-style parameters (`when` is case-insensitive).
    pub fn parse(
        when: &str,
        interval: i64,
        utc: bool,
        at_time: Option<i64>,
        backup_count: u32,
    ) -> Result<TimedSpec, TimedError> {
        let up = when.to_uppercase();
        let (w, unit) = match up.as_str() {
            "S" => (When::Seconds, 1),
            "M" => (When::Minutes, 60),
            "H" => (When::Hours, 3600),
            "D" => (When::Days, DAY),
            "MIDNIGHT" => (When::Midnight, DAY),
            s if s.starts_with('W') => {
                if s.len() != 2 {
                    return Err(TimedError::NoDay(up.clone()));
                }
                let d = s.as_bytes()[1];
                if !(b'0'..=b'6').contains(&d) {
                    return Err(TimedError::BadDay(up.clone()));
                }
                (When::Weekday(d - b'0'), 7 * DAY)
            }
            _ => return Err(TimedError::BadWhen(up.clone())),
        };
        if interval < 1 {
            return Err(TimedError::BadInterval(interval));
        }
        if let Some(a) = at_time {
            if !(0..DAY).contains(&a) {
                return Err(TimedError::BadAtTime(a));
            }
        }
        Ok(TimedSpec {
            when: w,
            interval: interval * unit,
            utc,
            at_time,
            backup_count,
            rollover_at: Arc::new(AtomicI64::new(0)),
        })
    }

    fn daily(&self) -> bool {
        matches!(self.when, When::Midnight | When::Weekday(_))
    }

    /// strftime suffix for backups.
    pub fn suffix_format(&self) -> &'static str {
        match self.when {
            When::Seconds => "%Y-%m-%d_%H-%M-%S",
            When::Minutes => "%Y-%m-%d_%H-%M",
            When::Hours => "%Y-%m-%d_%H",
            _ => "%Y-%m-%d",
        }
    }

    /// Shape of a backup suffix: `#` is an ASCII digit, anything else literal.
    fn suffix_shape(&self) -> &'static str {
        match self.when {
            When::Seconds => "####-##-##_##-##-##",
            When::Minutes => "####-##-##_##-##",
            When::Hours => "####-##-##_##",
            _ => "####-##-##",
        }
    }

    fn matches_shape(&self, part: &str) -> bool {
        let shape = self.suffix_shape().as_bytes();
        let p = part.as_bytes();
        p.len() == shape.len()
            && p.iter().zip(shape).all(|(&c, &s)| {
                if s == b'#' {
                    c.is_ascii_digit()
                } else {
                    c == s
                }
            })
    }

    /// The first rollover time after `now` (the stdlib's computeRollover).
    pub fn compute_rollover(&self, now: i64) -> i64 {
        if !self.daily() {
            return now + self.interval;
        }
        let tm = Tm::at(now, self.utc);
        let target = self.at_time.unwrap_or(DAY);
        let mut r = target - tm.seconds_into_day();
        let mut day = tm.weekday();
        if r < 0 {
            r += DAY;
            day = (day + 1) % 7;
        }
        let mut result = now + r;
        if let When::Weekday(want) = self.when {
            let want = want as i64;
            if day != want {
                let wait = if day < want {
                    want - day
                } else {
                    6 - day + want + 1
                };
                let mut next = result + wait * DAY;
                if !self.utc {
                    next += dst_shift(tm.dst(), Tm::at(next, false).dst());
                }
                result = next;
            }
        }
        result
    }

    /// Initialise `rollover_at` from the file's mtime (or now) unless already set.
    pub fn start(&self, mtime_or_now: i64) {
        if self.rollover_at.load(Ordering::Acquire) == 0 {
            self.rollover_at
                .store(self.compute_rollover(mtime_or_now), Ordering::Release);
        }
    }

    /// Whether a rollover is due at `now`.
    pub fn due(&self, now: i64) -> bool {
        now >= self.rollover_at.load(Ordering::Acquire)
    }

    /// Skip a rollover (the stdlib does this for non-regular files).
    pub fn postpone(&self, now: i64) {
        self.rollover_at
            .store(self.compute_rollover(now), Ordering::Release);
    }

    /// Backup name for the interval that just ended (`base.SUFFIX`).
    pub fn backup_name(&self, base: &Path, now: i64) -> PathBuf {
        let t = self.rollover_at.load(Ordering::Acquire) - self.interval;
        let tm = if self.utc {
            Tm::at(t, true)
        } else {
            let then = Tm::at(t, false);
            let shift = dst_shift(Tm::at(now, false).dst(), then.dst());
            if shift != 0 {
                Tm::at(t + shift, false)
            } else {
                then
            }
        };
        let mut s = base.as_os_str().to_owned();
        s.push(".");
        s.push(tm.format(self.suffix_format()));
        PathBuf::from(s)
    }

    /// Schedule the next rollover after one done at `now`.
    pub fn advance(&self, now: i64) {
        let mut next = self.compute_rollover(now);
        while next <= now {
            next += self.interval;
        }
        if self.daily() && !self.utc {
            next += dst_shift(Tm::at(now, false).dst(), Tm::at(next, false).dst());
        }
        self.rollover_at.store(next, Ordering::Release);
    }

    /// Old backups beyond `backup_count`, oldest first (the stdlib's getFilesToDelete).
    pub fn files_to_delete(&self, base: &Path) -> Vec<PathBuf> {
        if self.backup_count == 0 {
            return Vec::new();
        }
        let dir = base.parent().unwrap_or_else(|| Path::new("."));
        let base_name = match base.file_name().and_then(|n| n.to_str()) {
            Some(n) => n,
            None => return Vec::new(),
        };
        let stem = match base_name.rfind('.') {
            Some(i) if i > 0 => &base_name[..i],
            _ => base_name,
        };
        let prefix = format!("{stem}.");
        let mut found: Vec<PathBuf> = match fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| name.starts_with(base_name) && name.starts_with(&prefix))
                .filter(|name| {
                    name[prefix.len()..]
                        .split('.')
                        .any(|part| self.matches_shape(part))
                })
                .map(|name| dir.join(name))
                .collect(),
            Err(_) => return Vec::new(),
        };
        if found.len() < self.backup_count as usize {
            return Vec::new();
        }
        found.sort();
        found.truncate(found.len() - self.backup_count as usize);
        found
    }
}

/// Current Unix time in whole seconds.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-01-03 (a Wednesday) 12:00:00 UTC
    const WED_NOON: i64 = 1_704_283_200;

    fn utc(when: &str, interval: i64, at: Option<i64>) -> TimedSpec {
        TimedSpec::parse(when, interval, true, at, 3).unwrap()
    }

    #[test]
    fn parse_rejects_like_stdlib() {
        assert_eq!(
            TimedSpec::parse("X", 1, true, None, 0).unwrap_err(),
            TimedError::BadWhen("X".into())
        );
        assert_eq!(
            TimedSpec::parse("w", 1, true, None, 0).unwrap_err(),
            TimedError::NoDay("W".into())
        );
        assert_eq!(
            TimedSpec::parse("W7", 1, true, None, 0).unwrap_err(),
            TimedError::BadDay("W7".into())
        );
        assert_eq!(
            TimedSpec::parse("h", 0, true, None, 0).unwrap_err(),
            TimedError::BadInterval(0)
        );
    }

    #[test]
    fn simple_units_add_the_interval() {
        assert_eq!(utc("s", 5, None).compute_rollover(100), 105);
        assert_eq!(utc("m", 2, None).compute_rollover(100), 220);
        assert_eq!(utc("H", 1, None).compute_rollover(100), 3700);
        assert_eq!(utc("d", 1, None).compute_rollover(100), 100 + DAY);
    }

    #[test]
    fn midnight_and_weekday() {
        assert_eq!(
            utc("midnight", 1, None).compute_rollover(WED_NOON),
            WED_NOON + 12 * 3600
        );
        // atTime 10:00 already passed today -> tomorrow 10:00.
        assert_eq!(
            utc("midnight", 1, Some(36_000)).compute_rollover(WED_NOON),
            WED_NOON + 22 * 3600
        );
        // W2 is Wednesday (today): the coming midnight.
        assert_eq!(
            utc("W2", 1, None).compute_rollover(WED_NOON),
            WED_NOON + 12 * 3600
        );
        // W3 is Thursday: one more day.
        assert_eq!(
            utc("W3", 1, None).compute_rollover(WED_NOON),
            WED_NOON + 12 * 3600 + DAY
        );
        // W0 (Monday) from Wednesday: 6 - 2 + 0 + 1 = 5 more days.
        assert_eq!(
            utc("W0", 1, None).compute_rollover(WED_NOON),
            WED_NOON + 12 * 3600 + 5 * DAY
        );
    }

    #[test]
    fn backup_names_and_cleanup() {
        let spec = utc("H", 1, None);
        spec.start(WED_NOON);
        let dir = std::env::temp_dir().join(format!("femtolog-timed-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let base = dir.join("app.log");
        assert_eq!(
            spec.backup_name(&base, WED_NOON + 3600),
            dir.join("app.log.2024-01-03_12")
        );
        for h in 10..16 {
            fs::write(dir.join(format!("app.log.2024-01-03_{h}")), "").unwrap();
        }
        fs::write(dir.join("app.log.not-a-date"), "").unwrap();
        fs::write(dir.join("other.log.2024-01-03_01"), "").unwrap();
        let doomed = spec.files_to_delete(&base);
        let want: Vec<PathBuf> = (10..13)
            .map(|h| dir.join(format!("app.log.2024-01-03_{h}")))
            .collect();
        assert_eq!(doomed, want);
        fs::remove_dir_all(dir).ok();
    }
}
