//! The plain-data record: what a native handler's worker renders, without the GIL.
//!
//! Built on the calling thread by `capture.rs` (from a logging call or from a Python
//! `LogRecord`), queued in a render job, formatted on a writer's worker by the formatter plan.

use std::borrow::Cow;
use std::sync::Arc;

use crate::formatter::OwnedValue;
use crate::layout::{FieldSource, FieldValue};
use crate::message::Message;

/// A record captured as plain data, renderable without the GIL.
#[derive(Debug)]
pub struct NativeRecord {
    pub name: Cow<'static, str>,
    pub levelno: i64,
    pub levelname: Cow<'static, str>,
    pub lineno: i64,
    pub created: f64,
    pub msecs: f64,
    pub relative_created: f64,
    pub thread: Option<i64>,
    pub process: Option<i64>,
    pub message: Message,
    /// The text fields only some layouts use, boxed so the common record stays small.
    pub extra: Option<Box<RecordText>>,
}

/// Text fields of a captured record that most layouts do not use.
#[derive(Debug, Default)]
pub struct RecordText {
    pub pathname: Option<String>,
    pub filename: Option<String>,
    pub module: Option<String>,
    pub func_name: Option<String>,
    pub thread_name: Option<String>,
    pub process_name: Option<String>,
    pub exc_text: Option<String>,
    pub stack_info: Option<String>,
    /// Non-standard fields the layouts render (from `extra=`), as captured scalars.
    pub fields: Vec<(Box<str>, OwnedValue)>,
    /// Plain values of `extra=` (for wire-format handlers; empty unless one asked).
    pub key_values: Vec<(String, KvValue)>,
}

/// A plain value carried from `extra=` into the wire record's `key_values`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum KvValue {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl NativeRecord {
    /// The boxed text fields, created on first use.
    pub fn text_mut(&mut self) -> &mut RecordText {
        self.extra.get_or_insert_with(Default::default)
    }

    /// Has a non-standard field `name` been captured?
    pub fn has_field(&self, name: &str) -> bool {
        self.extra.as_deref().is_some_and(|t| t.fields.iter().any(|(k, _)| &**k == name))
    }

    fn text_field(&self, get: impl Fn(&RecordText) -> &Option<String>) -> FieldValue<'_> {
        match self.extra.as_deref().map(get) {
            Some(Some(s)) => FieldValue::Str(s),
            _ => FieldValue::None,
        }
    }
}


impl FieldSource for NativeRecord {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        Some(match name {
            "name" => FieldValue::Str(&self.name),
            "levelno" => FieldValue::Int(self.levelno),
            "levelname" => FieldValue::Str(&self.levelname),
            "pathname" => self.text_field(|t| &t.pathname),
            "filename" => self.text_field(|t| &t.filename),
            "module" => self.text_field(|t| &t.module),
            "lineno" => FieldValue::Int(self.lineno),
            "funcName" => self.text_field(|t| &t.func_name),
            "created" => FieldValue::Float(self.created),
            "msecs" => FieldValue::Float(self.msecs),
            "relativeCreated" => FieldValue::Float(self.relative_created),
            "thread" => self.thread.map_or(FieldValue::None, FieldValue::Int),
            "threadName" => self.text_field(|t| &t.thread_name),
            "process" => self.process.map_or(FieldValue::None, FieldValue::Int),
            "processName" => self.text_field(|t| &t.process_name),
            "message" => FieldValue::Str(self.message.text()),
            "exc_text" => self.text_field(|t| &t.exc_text),
            "stack_info" => self.text_field(|t| &t.stack_info),
            _ => {
                let t = self.extra.as_deref()?;
                return t.fields.iter().find(|(k, _)| &**k == name).map(|(_, v)| v.as_field());
            }
        })
    }
}

/// A record as a job holds it: owned when it goes to one handler (one allocation in all),
/// shared when several handlers write it.
pub enum RecordRef {
    Owned(NativeRecord),
    Shared(Arc<NativeRecord>),
}

impl std::ops::Deref for RecordRef {
    type Target = NativeRecord;
    fn deref(&self) -> &NativeRecord {
        match self {
            RecordRef::Owned(r) => r,
            RecordRef::Shared(r) => r,
        }
    }
}
