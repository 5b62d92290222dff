//! The socket handler's wire format: MessagePack record maps behind a 4-byte big-endian length.
//!
//! A socket handler's render job encodes its `NativeRecord` straight into a frame
//! ([`encode_record`], behind a [`FRAME_TAG`] byte). Text written through the handler's Python
//! path follows [`WIRE_FORMAT`] (fields separated by [`SEP`], the message last so it may hold
//! anything); the framed socket sink parses that text back ([`WireRef::parse`]) and encodes it.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::native_record::{KvValue, NativeRecord};

/// First byte of a record a render job already encoded as a frame; never starts UTF-8 text.
pub const FRAME_TAG: u8 = 0xff;

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
    pub key_values: BTreeMap<String, KvValue>,
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

/// `created` (seconds since the epoch) as whole nanoseconds; the fraction is scaled on its own so
/// that no precision is lost beyond the float's.
fn nanos(created: f64) -> u64 {
    if created.is_nan() || created <= 0.0 {
        return 0;
    }
    let secs = created.floor();
    (secs as u64).saturating_mul(1_000_000_000).saturating_add(((created - secs) * 1e9).round() as u64)
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
    #[serde(serialize_with = "key_value_map")]
    pub key_values: &'a [(String, KvValue)],
}

fn key_value_map<S: Serializer>(kv: &&[(String, KvValue)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(kv.len()))?;
    for (k, v) in kv.iter() {
        map.serialize_entry(k, v)?;
    }
    map.end()
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
            timestamp_ns: nanos(created),
            filename,
            line_number,
            module_path,
            thread_id,
            thread_name,
            key_values: &[],
        })
    }

    /// The wire view of a captured record; `caller` false sends `""`, 0, `""` for the caller.
    pub fn of(rec: &'a NativeRecord, caller: bool) -> WireRef<'a> {
        let text = rec.extra.as_deref();
        let field = |get: fn(&crate::native_record::RecordText) -> &Option<String>| {
            text.and_then(|t| get(t).as_deref())
        };
        WireRef {
            logger: &rec.name,
            level: &rec.levelname,
            message: rec.message.text(),
            timestamp_ns: nanos(rec.created),
            filename: if caller { field(|t| &t.pathname).unwrap_or("") } else { "" },
            line_number: if caller { rec.lineno.clamp(0, u32::MAX as i64) as u32 } else { 0 },
            module_path: if caller { field(|t| &t.module).unwrap_or("") } else { "" },
            thread_id: rec.thread.map(|t| t as u64),
            thread_name: field(|t| &t.thread_name),
            key_values: text.map_or(&[], |t| &t.key_values),
        }
    }
}

/// Append [`FRAME_TAG`] and `rec`'s frame to `out` (a render job's output for a framed sink).
pub fn encode_record(rec: &NativeRecord, caller: bool, out: &mut Vec<u8>) -> Result<(), WireError> {
    out.push(FRAME_TAG);
    encode_frame(&WireRef::of(rec, caller), out).map(drop).inspect_err(|_| {
        out.pop();
    })
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
    fn a_captured_record_encodes_to_a_tagged_frame_with_its_key_values() {
        use crate::message::Message;
        use crate::native_record::RecordText;
        let rec = NativeRecord {
            name: "shop".into(),
            levelno: 30,
            levelname: "WARNING".into(),
            lineno: 12,
            created: 1_700_000_000.25,
            msecs: 250.0,
            relative_created: 0.0,
            thread: Some(9),
            process: None,
            message: Message::Ready("low stock".into()),
            extra: Some(Box::new(RecordText {
                pathname: Some("/app/shop.py".into()),
                module: Some("shop".into()),
                thread_name: Some("MainThread".into()),
                key_values: vec![("sku".into(), KvValue::Str("A-1".into())), ("left".into(), KvValue::Int(2)),
                                 ("ok".into(), KvValue::Bool(false)), ("ratio".into(), KvValue::Float(0.5)),
                                 ("note".into(), KvValue::None)],
                ..Default::default()
            })),
        };
        for caller in [true, false] {
            let mut out = vec![7];
            encode_record(&rec, caller, &mut out).unwrap();
            assert_eq!(out[1], FRAME_TAG);
            let (back, used) = decode_frames(&out[2..]).unwrap();
            assert_eq!((back.len(), used), (1, out.len() - 2));
            let r = &back[0];
            assert_eq!((r.logger.as_str(), r.level.as_str(), r.message.as_str()), ("shop", "WARNING", "low stock"));
            assert_eq!(r.timestamp_ns, 1_700_000_000_250_000_000);
            assert_eq!((r.thread_id, r.thread_name.as_deref()), (Some(9), Some("MainThread")));
            let expect = if caller { ("/app/shop.py", 12, "shop") } else { ("", 0, "") };
            assert_eq!((r.filename.as_str(), r.line_number, r.module_path.as_str()), expect);
            assert_eq!(r.key_values.len(), 5);
            assert_eq!(r.key_values["left"], KvValue::Int(2));
            assert_eq!(r.key_values["ratio"], KvValue::Float(0.5));
            assert_eq!(r.key_values["note"], KvValue::None);
            assert_eq!(r.key_values["ok"], KvValue::Bool(false));
            assert_eq!(r.key_values["sku"], KvValue::Str("A-1".into()));
        }
    }

    #[test]
    fn missing_fields_are_a_layout_error() {
        assert!(matches!(WireRef::parse(b"a\x1fb"), Err(WireError::Layout)));
    }
}
