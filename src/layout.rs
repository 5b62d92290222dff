//! A format string parsed once into literal text and typed fields, renderable without Python.
//!
//! [`Layout::parse`] accepts the three `logging` styles (`%`, `{`, `$`). It returns `None` when
//! the string uses anything the native renderer cannot reproduce exactly (positional `%s`, `*`
//! widths, attribute/index field names, nested specs, invalid placeholders...); the caller then
//! formats the whole message with Python, which also raises Python's exact error.

use crate::printf::{self, BraceSpec, Conversion, NeedsPython, PrintfSpec};
use thiserror::Error;

/// A scalar value of a record field, borrowed from its source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
}

/// Anything that can provide record fields by name (a record's `__dict__`, a native record...).
pub trait FieldSource {
    /// The value of `name`, or `None` when the record has no such field.
    fn field(&self, name: &str) -> Option<FieldValue<'_>>;
}

/// Which of the three `logging` format styles a layout was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    Percent,
    Brace,
    Template,
}

/// How one field is turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldFmt {
    /// `%(name)<spec>`.
    Printf(PrintfSpec),
    /// `{name!conv:spec}`; the raw spec text is kept for a Python fallback.
    Brace(Conversion, BraceSpec, String),
    /// `$name` / `${name}`: `str(value)`.
    Template,
}

/// One referenced record field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub fmt: FieldFmt,
}

/// A piece of a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Lit(String),
    Field(Field),
}

/// Errors of [`Layout::render`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenderError {
    /// The record has no such field (Python raises `ValueError` with this text).
    #[error("Formatting field not found in record: '{0}'")]
    Missing(String),
    /// The value needs Python to be rendered exactly (e.g. `repr()` of a str).
    #[error("field '{0}' cannot be rendered natively")]
    Unsupported(String),
}

/// Which standard record attributes a layout references, so record producers can skip work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// `asctime` (the formatter computes it from `created`).
    pub asctime: bool,
    /// `message`.
    pub message: bool,
    /// `pathname`, `filename`, `module`, `lineno` or `funcName`.
    pub caller: bool,
    /// `thread` or `threadName`.
    pub thread: bool,
    /// `process` or `processName`.
    pub process: bool,
    /// `taskName`.
    pub task: bool,
    /// Every referenced field name, in order of first use.
    pub fields: Vec<String>,
    /// The referenced fields that are no `LogRecord` attribute: they come from `extra=` (or
    /// whatever else put them on the record), in order of first use.
    pub extras: Vec<String>,
}

/// Is `name` an attribute every `LogRecord` has (or `message`/`asctime`, which the formatter
/// sets)? `extra=` may not use these names (stdlib's "Attempt to overwrite" `KeyError`);
/// `taskName` counts on every version, so a 3.11 `extra={"taskName": ...}` takes the Python path.
pub fn is_record_attribute(name: &str) -> bool {
    matches!(
        name,
        "name" | "msg" | "args" | "levelname" | "levelno" | "pathname" | "filename" | "module"
            | "exc_info" | "exc_text" | "stack_info" | "lineno" | "funcName" | "created" | "msecs"
            | "relativeCreated" | "thread" | "threadName" | "processName" | "process" | "taskName"
            | "message" | "asctime"
    )
}

/// A parsed format string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub style: Style,
    pub segments: Vec<Segment>,
    /// stdlib's textual `usesTime()` answer for this format string.
    pub uses_time: bool,
}

/// stdlib's `usesTime()` test, a plain substring search per style.
pub fn uses_time(style: Style, fmt: &str) -> bool {
    match style {
        Style::Percent => fmt.contains("%(asctime)"),
        Style::Brace => fmt.contains("{asctime"),
        Style::Template => fmt.contains("$asctime") || fmt.contains("${asctime}"),
    }
}

fn push_lit(segs: &mut Vec<Segment>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Segment::Lit(s)) = segs.last_mut() {
        s.push_str(text);
    } else {
        segs.push(Segment::Lit(text.to_string()));
    }
}

fn is_ident(name: &str) -> bool {
    let mut it = name.chars();
    matches!(it.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && it.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn parse_percent(fmt: &str) -> Option<Vec<Segment>> {
    let mut segs = Vec::new();
    let mut rest = fmt;
    while let Some(pos) = rest.find('%') {
        push_lit(&mut segs, &rest[..pos]);
        let spec = &rest[pos + 1..];
        if let Some(after) = spec.strip_prefix('%') {
            push_lit(&mut segs, "%");
            rest = after;
            continue;
        }
        let body = spec.strip_prefix('(')?;
        // Key with nested parentheses, as CPython's `%` operator reads it.
        let mut depth = 1usize;
        let mut end = None;
        for (i, c) in body.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end?;
        let name = body[..end].to_string();
        let (p, used) = PrintfSpec::parse(&body.as_bytes()[end + 1..])?;
        segs.push(Segment::Field(Field {
            name,
            fmt: FieldFmt::Printf(p),
        }));
        rest = &body[end + 1 + used..];
    }
    push_lit(&mut segs, rest);
    Some(segs)
}

fn parse_brace(fmt: &str) -> Option<Vec<Segment>> {
    let mut segs = Vec::new();
    let mut rest = fmt;
    while let Some(pos) = rest.find(['{', '}']) {
        push_lit(&mut segs, &rest[..pos]);
        let c = rest.as_bytes()[pos];
        let after = &rest[pos + 1..];
        if c == b'}' {
            rest = after.strip_prefix('}')?;
            push_lit(&mut segs, "}");
            continue;
        }
        if let Some(a) = after.strip_prefix('{') {
            push_lit(&mut segs, "{");
            rest = a;
            continue;
        }
        let close = after.find('}')?;
        let inner = &after[..close];
        if inner.contains('{') {
            return None;
        }
        let (head, spec) = match inner.find(':') {
            Some(i) => (&inner[..i], &inner[i + 1..]),
            None => (inner, ""),
        };
        let (name, conv) = match head.find('!') {
            Some(i) => {
                let conv = match &head[i + 1..] {
                    "s" => Conversion::Str,
                    "r" => Conversion::Repr,
                    "a" => Conversion::Ascii,
                    _ => return None,
                };
                (&head[..i], conv)
            }
            None => (head, Conversion::None),
        };
        if !is_ident(name) {
            return None;
        }
        let parsed = printf::parse_brace_spec(spec)?;
        segs.push(Segment::Field(Field {
            name: name.to_string(),
            fmt: FieldFmt::Brace(conv, parsed, spec.to_string()),
        }));
        rest = &after[close + 1..];
    }
    push_lit(&mut segs, rest);
    Some(segs)
}

fn parse_template(fmt: &str) -> Option<Vec<Segment>> {
    let mut segs = Vec::new();
    let mut rest = fmt;
    while let Some(pos) = rest.find('$') {
        push_lit(&mut segs, &rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(a) = after.strip_prefix('$') {
            push_lit(&mut segs, "$");
            rest = a;
            continue;
        }
        let (name, next) = if let Some(a) = after.strip_prefix('{') {
            let close = a.find('}')?;
            (&a[..close], &a[close + 1..])
        } else {
            let n = after
                .char_indices()
                .find(|(i, c)| {
                    !(*c == '_' || c.is_ascii_alphabetic() || (*i > 0 && c.is_ascii_digit()))
                })
                .map(|(i, _)| i)
                .unwrap_or(after.len());
            (&after[..n], &after[n..])
        };
        if !is_ident(name) {
            return None;
        }
        segs.push(Segment::Field(Field {
            name: name.to_string(),
            fmt: FieldFmt::Template,
        }));
        rest = next;
    }
    push_lit(&mut segs, rest);
    Some(segs)
}

/// Renders one field value natively, or reports that Python must do it.
pub fn render_field(
    field: &Field,
    v: &FieldValue<'_>,
    out: &mut String,
) -> Result<(), NeedsPython> {
    match &field.fmt {
        FieldFmt::Printf(p) => printf::render_printf(p, v, out),
        FieldFmt::Brace(conv, spec, _) => printf::render_brace(spec, *conv, v, out),
        FieldFmt::Template => {
            printf::scalar_str(v, out);
            Ok(())
        }
    }
}

/// What a captured record field can hold when a line is rendered without Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Always a `str` (`name`, `levelname`, `message`, `asctime`).
    Str,
    /// A `str` or `None` (caller fields, thread and process names, `exc_text`...).
    StrOrNone,
    /// Always an `int` (`levelno`, `lineno`; `thread`/`process` while their switch is on).
    Int,
    /// An `int` or `None` (`thread`/`process` with `logThreads`/`logProcesses` off).
    IntOrNone,
    /// Always a `float` (`created`, `msecs`, `relativeCreated`).
    Float,
    /// Anything: only a spec that renders every scalar the same way is safe.
    Any,
}

/// The kind of a standard record attribute as the engine captures it. `thread` and `process`
/// are ints unless `logThreads`/`logProcesses` is off, which is the only way they are `None`.
pub fn captured_kind(name: &str, log_threads: bool, log_processes: bool) -> FieldKind {
    match name {
        "name" | "levelname" | "message" | "asctime" => FieldKind::Str,
        "levelno" | "lineno" => FieldKind::Int,
        "thread" if log_threads => FieldKind::Int,
        "process" if log_processes => FieldKind::Int,
        "thread" | "process" => FieldKind::IntOrNone,
        "created" | "msecs" | "relativeCreated" => FieldKind::Float,
        "pathname" | "filename" | "module" | "funcName" | "threadName" | "processName"
        | "taskName" | "exc_text" | "stack_info" => FieldKind::StrOrNone,
        _ => FieldKind::Any,
    }
}

/// Widest field a worker renders (a wider one is almost certainly a mistake: Python does it).
const WORKER_MAX_WIDTH: usize = 512;

/// Representative values of a kind: every edge the renderer treats differently (a non-ASCII
/// str for `repr`, a thread id beyond any code point for `%c`, `None`, a float for `%x`...).
fn kind_samples(kind: FieldKind) -> &'static [FieldValue<'static>] {
    const STR: [FieldValue<'static>; 2] = [FieldValue::Str("INFO"), FieldValue::Str("\u{e9}\n'")];
    const INT: [FieldValue<'static>; 3] =
        [FieldValue::Int(0), FieldValue::Int(-7), FieldValue::Int(140_000_000_000_000)];
    const FLOAT: [FieldValue<'static>; 3] =
        [FieldValue::Float(0.0), FieldValue::Float(999.5), FieldValue::Float(1.7e9 + 0.25)];
    const STR_NONE: [FieldValue<'static>; 3] = [STR[0], STR[1], FieldValue::None];
    const INT_NONE: [FieldValue<'static>; 4] = [INT[0], INT[1], INT[2], FieldValue::None];
    const ANY: [FieldValue<'static>; 7] =
        [STR[0], STR[1], INT[0], INT[2], FLOAT[1], FieldValue::Bool(true), FieldValue::None];
    match kind {
        FieldKind::Str => &STR,
        FieldKind::StrOrNone => &STR_NONE,
        FieldKind::Int => &INT,
        FieldKind::IntOrNone => &INT_NONE,
        FieldKind::Float => &FLOAT,
        FieldKind::Any => &ANY,
    }
}

impl Field {
    /// Does this field render natively for every value of `kind`? Anything value-dependent
    /// (`repr` of a str, `%c`, a numeric spec on a value that may be `None`, `%x` of a float)
    /// answers no, and Python then formats exactly, errors included.
    pub fn renders_any(&self, kind: FieldKind) -> bool {
        let (width, prec) = match &self.fmt {
            FieldFmt::Printf(p) => (p.width, p.prec),
            FieldFmt::Brace(_, b, _) => (b.width, b.prec),
            FieldFmt::Template => (0, None),
        };
        if width > WORKER_MAX_WIDTH || prec.unwrap_or(0) > WORKER_MAX_WIDTH {
            return false;
        }
        let mut scratch = String::new();
        kind_samples(kind).iter().all(|v| {
            scratch.clear();
            render_field(self, v, &mut scratch).is_ok()
        })
    }
}

impl Layout {
    /// Parses `fmt` in `style`; `None` when it cannot be rendered natively and exactly.
    pub fn parse(style: Style, fmt: &str) -> Option<Layout> {
        let segments = match style {
            Style::Percent => parse_percent(fmt)?,
            Style::Brace => parse_brace(fmt)?,
            Style::Template => parse_template(fmt)?,
        };
        Some(Layout {
            style,
            segments,
            uses_time: uses_time(style, fmt),
        })
    }

    /// The referenced fields, in order.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Field(f) => Some(f),
            Segment::Lit(_) => None,
        })
    }

    /// Renders the layout from `src` into `out` (appending).
    pub fn render(&self, src: &dyn FieldSource, out: &mut String) -> Result<(), RenderError> {
        for seg in &self.segments {
            match seg {
                Segment::Lit(s) => out.push_str(s),
                Segment::Field(f) => {
                    let v = src
                        .field(&f.name)
                        .ok_or_else(|| RenderError::Missing(f.name.clone()))?;
                    render_field(f, &v, out)
                        .map_err(|_| RenderError::Unsupported(f.name.clone()))?;
                }
            }
        }
        Ok(())
    }

    /// Can a worker render every field without Python, whatever the captured values, when
    /// `kind` tells what each field may hold?
    pub fn worker_safe(&self, kind: impl Fn(&str) -> FieldKind) -> bool {
        self.fields().all(|f| f.renders_any(kind(&f.name)))
    }

    /// Which standard fields the layout references.
    pub fn needs(&self) -> Needs {
        let mut n = Needs::default();
        for f in self.fields() {
            match f.name.as_str() {
                "asctime" => n.asctime = true,
                "message" => n.message = true,
                "pathname" | "filename" | "module" | "lineno" | "funcName" => n.caller = true,
                "thread" | "threadName" => n.thread = true,
                "process" | "processName" => n.process = true,
                "taskName" => n.task = true,
                _ => {}
            }
            if !n.fields.contains(&f.name) {
                n.fields.push(f.name.clone());
                if !is_record_attribute(&f.name) {
                    n.extras.push(f.name.clone());
                }
            }
        }
        n.asctime |= self.uses_time;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, FieldValue<'static>>);
    impl FieldSource for Map {
        fn field(&self, name: &str) -> Option<FieldValue<'_>> {
            self.0.get(name).copied()
        }
    }

    fn rec() -> Map {
        let mut m = HashMap::new();
        m.insert("message", FieldValue::Str("hello"));
        m.insert("levelname", FieldValue::Str("INFO"));
        m.insert("lineno", FieldValue::Int(42));
        m.insert("msecs", FieldValue::Float(7.9));
        m.insert("exc_text", FieldValue::None);
        Map(m)
    }

    fn render(style: Style, fmt: &str) -> Result<String, RenderError> {
        let mut out = String::new();
        Layout::parse(style, fmt)
            .expect("native")
            .render(&rec(), &mut out)?;
        Ok(out)
    }

    #[test]
    fn percent_layout() {
        assert_eq!(
            render(
                Style::Percent,
                "%(levelname)-6s|%(lineno)04d %% %(message)s"
            )
            .unwrap(),
            "INFO  |0042 % hello"
        );
        assert_eq!(
            render(Style::Percent, "%(msecs)03d %(exc_text)s").unwrap(),
            "007 None"
        );
        assert_eq!(
            render(Style::Percent, "%(nope)s"),
            Err(RenderError::Missing("nope".into()))
        );
        assert!(Layout::parse(Style::Percent, "%s %(message)s").is_none());
        assert!(Layout::parse(Style::Percent, "%(message)*s").is_none());
        assert!(Layout::parse(Style::Percent, "%(message)").is_none());
        assert!(Layout::parse(Style::Percent, "%(message)Z").is_none());
    }

    #[test]
    fn brace_layout() {
        assert_eq!(
            render(Style::Brace, "{{{levelname:>6}}} {lineno:05} {msecs:03.0f}").unwrap(),
            "{  INFO} 00042 008"
        );
        assert!(Layout::parse(Style::Brace, "{a.b}").is_none());
        assert!(Layout::parse(Style::Brace, "{a:{w}}").is_none());
        assert!(Layout::parse(Style::Brace, "a}b").is_none());
        assert!(Layout::parse(Style::Brace, "{0}").is_none());
    }

    #[test]
    fn template_layout() {
        assert_eq!(
            render(Style::Template, "$$${levelname}-$message.$lineno").unwrap(),
            "$INFO-hello.42"
        );
        assert!(Layout::parse(Style::Template, "bar $").is_none());
        assert!(Layout::parse(Style::Template, "${1x}").is_none());
    }

    #[test]
    fn worker_safe_follows_the_value_kinds() {
        let safe = |style, fmt: &str, threads| {
            Layout::parse(style, fmt)
                .unwrap()
                .worker_safe(|n| captured_kind(n, threads, true))
        };
        assert!(safe(Style::Percent, "[%(process)d] %(thread)d %(process)5d", true));
        assert!(!safe(Style::Percent, "%(thread)d", false)); // None when logThreads is off
        assert!(safe(Style::Percent, "%(thread)s %(created)r %(lineno)x", false));
        assert!(!safe(Style::Percent, "%(created)x", true)); // TypeError in Python
        assert!(!safe(Style::Percent, "%(name)r", true)); // repr of any str needs Python
        assert!(!safe(Style::Percent, "%(lineno)c", true));
        assert!(!safe(Style::Percent, "%(message)600s", true));
        assert!(safe(Style::Brace, "{process:d} {thread:>20} {module} {funcName!s:>9}", true));
        assert!(!safe(Style::Brace, "{module:>9}", true)); // format(None, '>9') raises
        assert!(!safe(Style::Brace, "{created:d}", true));
        assert!(safe(Style::Template, "$module ${thread} $created", false));
        assert!(!safe(Style::Percent, "%(user)d", true));
    }

    #[test]
    fn needs_and_uses_time() {
        let l = Layout::parse(
            Style::Percent,
            "%(asctime)s %(lineno)d %(thread)d %(message)s",
        )
        .unwrap();
        let n = l.needs();
        assert!(n.asctime && n.caller && n.thread && n.message && !n.process);
        assert_eq!(n.fields, vec!["asctime", "lineno", "thread", "message"]);
        assert!(n.extras.is_empty());
        let n = Layout::parse(Style::Brace, "{user} {msg} {user} {req_id:>4}").unwrap().needs();
        assert_eq!(n.extras, vec!["user", "req_id"]);
        assert!(is_record_attribute("taskName") && !is_record_attribute("user"));
        assert!(uses_time(Style::Template, "$asctimex"));
        assert!(!uses_time(Style::Brace, "{message}"));
    }
}
