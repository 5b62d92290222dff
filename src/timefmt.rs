//! Native `Formatter.formatTime` for the `time.localtime` / `time.gmtime` converters.
//!
//! Mirrors `time.strftime(fmt, converter(created))`: the seconds are floored, broken down with
//! libc `localtime_r`/`gmtime_r` (keeping libc's zone name, as CPython 3.11 does) and passed to
//! libc `strftime`. The formatted seconds part is cached per whole second, so a burst of
//! records in the same second formats the date once.

use parking_lot::Mutex;
use std::ffi::CString;

/// Which `time` function the formatter's `converter` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Converter {
    /// `time.localtime`.
    Local,
    /// `time.gmtime`.
    Utc,
}

/// How `default_msec_format` is applied after the seconds part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MsecFormat {
    /// `default_msec_format` is falsy: no milliseconds.
    Omit,
    /// The stdlib default `'%s,%03d'`.
    CommaThreeDigits,
}

/// True when `fmt` can be handed to libc `strftime` and give CPython's exact result.
pub fn native_strftime_ok(fmt: &str) -> bool {
    fmt.is_ascii() && !fmt.contains('\0')
}

/// `time.strftime(fmt, converter(secs))` for whole seconds; `None` when Python must do it.
pub fn strftime(secs: i64, conv: Converter, fmt: &str) -> Option<String> {
    if !native_strftime_ok(fmt) {
        return None;
    }
    if fmt.is_empty() {
        return Some(String::new());
    }
    #[allow(clippy::useless_conversion)] // time_t is narrower than i64 on some targets
    let t: libc::time_t = secs.try_into().ok()?;
    // SAFETY: `tm` is plain old data, fully written by localtime_r/gmtime_r before use.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe {
        match conv {
            Converter::Local => !libc::localtime_r(&t, &mut tm).is_null(),
            Converter::Utc => !libc::gmtime_r(&t, &mut tm).is_null(),
        }
    };
    if !ok {
        return None;
    }
    let cfmt = CString::new(fmt).ok()?;
    let limit = 256 * fmt.len();
    let mut size = 1024usize.min(limit.max(64));
    loop {
        let mut buf = vec![0u8; size];
        // SAFETY: buf has `size` bytes; cfmt and tm are valid for the call.
        let n = unsafe {
            libc::strftime(
                buf.as_mut_ptr() as *mut libc::c_char,
                size,
                cfmt.as_ptr(),
                &tm,
            )
        };
        if n > 0 || size >= limit {
            buf.truncate(n);
            // Non-ASCII output would need Python's locale decoding: let Python do it.
            return if buf.is_ascii() {
                String::from_utf8(buf).ok()
            } else {
                None
            };
        }
        size = (size * 4).min(limit);
    }
}

/// Floors a `created` timestamp to whole seconds like `time.localtime(created)` does.
pub fn floor_secs(created: f64) -> Option<i64> {
    let f = created.floor();
    if f.is_finite() && f.abs() < 9.0e18 {
        Some(f as i64)
    } else {
        None
    }
}

#[derive(Debug)]
struct Entry {
    secs: i64,
    conv: Converter,
    fmt: String,
    text: String,
}

/// A one-entry cache of the last formatted second.
#[derive(Debug, Default)]
pub struct SecondCache {
    last: Mutex<Option<Entry>>,
}

impl SecondCache {
    /// `strftime(secs, conv, fmt)`, reusing the previous result for the same second.
    ///
    /// The cache is only ever *tried*: a busy lock (another thread formatting, or a lock a
    /// worker thread held when the process forked, orphaned in the child) means "format without
    /// the cache", never waiting.
    pub fn strftime(&self, secs: i64, conv: Converter, fmt: &str) -> Option<String> {
        if let Some(g) = self.last.try_lock() {
            if let Some(e) = g.as_ref() {
                if e.secs == secs && e.conv == conv && e.fmt == fmt {
                    // Room for the `,mmm` that `format_time` usually appends (no regrowth).
                    let mut text = String::with_capacity(e.text.len() + 4);
                    text.push_str(&e.text);
                    return Some(text);
                }
            }
        }
        let text = strftime(secs, conv, fmt)?;
        let Some(mut slot) = self.last.try_lock() else { return Some(text) };
        *slot = Some(Entry {
            secs,
            conv,
            fmt: fmt.to_string(),
            text: text.clone(),
        });
        Some(text)
    }
}

/// The whole of stdlib `formatTime` for a native converter.
///
/// With `datefmt` set, returns `strftime(datefmt)`; otherwise `strftime(default_time_format)`
/// followed by the milliseconds as `msec` says (`msecs` is truncated like `%03d`).
pub fn format_time(
    cache: &SecondCache,
    created: f64,
    msecs: f64,
    conv: Converter,
    datefmt: Option<&str>,
    time_fmt: &str,
    msec: &MsecFormat,
) -> Option<String> {
    let secs = floor_secs(created)?;
    if let Some(d) = datefmt {
        return cache.strftime(secs, conv, d);
    }
    let mut s = cache.strftime(secs, conv, time_fmt)?;
    if *msec == MsecFormat::CommaThreeDigits {
        let m = msecs.trunc();
        if !m.is_finite() || m.abs() > 1e15 {
            return None;
        }
        let m = m as i64;
        s.push(',');
        if (0..1000).contains(&m) {
            // The common case, without a formatting allocation.
            let m = m as u32;
            s.push(char::from(b'0' + (m / 100) as u8));
            s.push(char::from(b'0' + (m / 10 % 10) as u8));
            s.push(char::from(b'0' + (m % 10) as u8));
        } else if m < 0 {
            s.push_str(&format!("-{:02}", -m));
        } else {
            s.push_str(&format!("{:03}", m));
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting() {
        // 1993-04-21 08:03:00 UTC
        let t = 735379380;
        assert_eq!(
            strftime(t, Converter::Utc, "%Y-%m-%d %H:%M:%S").unwrap(),
            "1993-04-21 08:03:00"
        );
        assert_eq!(strftime(t, Converter::Utc, "%Z %z").unwrap(), "GMT +0000");
        assert_eq!(strftime(t, Converter::Utc, "").unwrap(), "");
        assert!(strftime(t, Converter::Utc, "é").is_none());
    }

    #[test]
    fn format_time_with_msecs_and_cache() {
        let cache = SecondCache::default();
        let ms = MsecFormat::CommaThreeDigits;
        let tf = "%Y-%m-%d %H:%M:%S";
        let a = format_time(&cache, 735379380.5, 500.9, Converter::Utc, None, tf, &ms).unwrap();
        assert_eq!(a, "1993-04-21 08:03:00,500");
        let b = format_time(&cache, 735379380.9, 7.0, Converter::Utc, None, tf, &ms).unwrap();
        assert_eq!(b, "1993-04-21 08:03:00,007");
        let c = format_time(
            &cache,
            735379381.0,
            0.0,
            Converter::Utc,
            Some("%S"),
            tf,
            &ms,
        )
        .unwrap();
        assert_eq!(c, "01");
        let d = format_time(
            &cache,
            735379381.0,
            0.0,
            Converter::Utc,
            None,
            tf,
            &MsecFormat::Omit,
        )
        .unwrap();
        assert_eq!(d, "1993-04-21 08:03:01");
        assert_eq!(floor_secs(-0.5), Some(-1));
    }
}
