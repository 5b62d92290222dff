//! The socket handler's wire format: MessagePack record maps behind a 4-byte big-endian length.
//!
//! A handler's native formatter renders each record with [`WIRE_FORMAT`] (fields separated by
//! [`SEP`], the message last so it may hold anything); the framed socket sink turns that text
//! into a [`WireRecord`] and encodes it with `rmp-serde`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Field separator of the wire layout (ASCII unit separator).
pub const SEP: u8 = 0x1f;

/// The `%`-style format a socket handler's formatter uses; parsed back by [`WireRef::parse`].
pub const WIRE_FORMAT: &str = "%(name)s\x1f%(levelname)s\x1f%(created)s\x1f%(pathname)s\x1f%(lineno)s\x1f%(module)s\x1f%(thread)s\x1f%(threadName)s\x1f%(message)s";

/// One record as it travels (decoded): a MessagePack map with these keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireRecord {
    pub logger: String,
    pub level: String,
    pub message: String,
    pub timestamp_ns: u64,
    pub filename: String,
    pub line_number: u32,
    pub module_path: String,
    pub thread_id: Option<u64>,
    pub thread_name: Option<String>,
    pub key_values: BTreeMap<String, String>,
}

/// Why a frame could not be produced or read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("record text does not follow the wire layout")]
    Layout,
    #[error("MessagePack encoding failed: {0}")]
    Encode(#[from] rmp_serde::encode::Error),
    #[error("MessagePack decoding failed: {0}")]
    Decode(#[from] rmp_serde::decode::Error),
    #[error("truncated frame: {0} byte(s) left over")]
    Truncated(usize),
}

fn none_if(s: &str) -> Option<&str> {
    (s != "None").then_some(s)
}

/// A record borrowed from its rendered text, encoded without copying the strings.
#[derive(Serialize)]
pub struct WireRef<'a> {
    pub logger: &'a str,
    pub level: &'a str,
    pub message: &'a str,
    pub timestamp_ns: u64,
    pub filename: &'a str,
    pub line_number: u32,
    pub module_path: &'a str,
    pub thread_id: Option<u64>,
    pub thread_name: Option<&'a str>,
    pub key_values: BTreeMap<&'a str, &'a str>,
}

impl<'a> WireRef<'a> {
    /// Read a record rendered with [`WIRE_FORMAT`].
    pub fn parse(text: &'a [u8]) -> Result<WireRef<'a>, WireError> {
        let text = std::str::from_utf8(text).map_err(|_| WireError::Layout)?;
        let mut parts = text.splitn(9, SEP as char);
        let mut next = || parts.next().ok_or(WireError::Layout);
        let logger = next()?;
        let level = next()?;
        let created: f64 = next()?.parse().map_err(|_| WireError::Layout)?;
        let filename = next()?;
        let line_number = next()?.parse().unwrap_or(0);
        let module_path = next()?;
        let thread_id = none_if(next()?).and_then(|t| t.parse().ok());
        let thread_name = none_if(next()?);
        let message = next()?;
        Ok(WireRef {
            logger,
            level,
            message,
            timestamp_ns: (created * 1e9) as u64,
            filename,
            line_number,
            module_path,
            thread_id,
            thread_name,
            key_values: BTreeMap::new(),
        })
    }
}

/// Append `record`'s frame (length prefix + named MessagePack map) to `out`; returns the
/// payload length.
pub fn encode_frame<T: Serialize>(record: &T, out: &mut Vec<u8>) -> Result<usize, WireError> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    if let Err(e) = rmp_serde::encode::write_named(out, record) {
        out.truncate(start);
        return Err(e.into());
    }
    let n = out.len() - start - 4;
    out[start..start + 4].copy_from_slice(&(n as u32).to_be_bytes());
    Ok(n)
}

/// Split `buf` into complete frames; returns the decoded records and how many bytes were used.
pub fn decode_frames(buf: &[u8]) -> Result<(Vec<WireRecord>, usize), WireError> {
    let mut out = Vec::new();
    let mut at = 0;
    while buf.len() - at >= 4 {
        let n = u32::from_be_bytes(buf[at..at + 4].try_into().unwrap()) as usize;
        if buf.len() - at - 4 < n {
            break;
        }
        out.push(rmp_serde::from_slice(&buf[at + 4..at + 4 + n])?);
        at += 4 + n;
    }
    Ok((out, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_text_round_trips_through_a_frame() {
        let text = "app.db\x1fINFO\x1f1700000000.5\x1f/x/app.py\x1f42\x1fapp\x1f7\x1fMainThread\x1fhi \x1f there";
        let rec = WireRef::parse(text.as_bytes()).unwrap();
        assert_eq!(rec.message, "hi \x1f there");
        assert_eq!(rec.timestamp_ns, 1_700_000_000_500_000_000);
        assert_eq!(rec.thread_id, Some(7));
        let mut buf = Vec::new();
        let n = encode_frame(&rec, &mut buf).unwrap();
        assert_eq!(buf.len(), n + 4);
        let (back, used) = decode_frames(&buf).unwrap();
        assert_eq!(used, buf.len());
        assert_eq!(back.len(), 1);
        assert_eq!((back[0].logger.as_str(), back[0].line_number), ("app.db", 42));
        assert_eq!(back[0].message, rec.message);
    }

    #[test]
    fn missing_fields_are_a_layout_error() {
        assert!(matches!(WireRef::parse(b"a\x1fb"), Err(WireError::Layout)));
    }
}
