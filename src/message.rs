//! A record's message: `str(msg) % args`, either done on the calling thread (`Ready`) or, for
//! the common `%s`/`%d` templates with int/str arguments, deferred to the worker thread, which
//! renders exactly what Python's `%` operator would.

use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use smallvec::SmallVec;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyString, PyTuple};

/// One piece of a parsed `%` template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(String),
    /// `%s`
    Str,
    /// `%d` / `%i`
    Int,
}

/// A message template with only literal text, `%s`, `%d`, `%i` and `%%`.
#[derive(Debug, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
    slots: usize,
}

impl Template {
    /// Parse `text`; `None` when it uses anything else (flags, widths, `%r`, `%(key)s`...).
    pub fn parse(text: &str) -> Option<Template> {
        let mut pieces = Vec::with_capacity(8);
        let mut lit = String::with_capacity(text.len());
        let mut slots = 0;
        let mut rest = text;
        while let Some(at) = rest.find('%') {
            lit.push_str(&rest[..at]);
            let piece = match rest.as_bytes().get(at + 1)? {
                b'%' => {
                    lit.push('%');
                    rest = &rest[at + 2..];
                    continue;
                }
                b's' => Piece::Str,
                b'd' | b'i' => Piece::Int,
                _ => return None,
            };
            rest = &rest[at + 2..];
            if !lit.is_empty() {
                pieces.push(Piece::Lit(std::mem::replace(&mut lit, String::with_capacity(rest.len()))));
            }
            pieces.push(piece);
            slots += 1;
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit));
        }
        Some(Template { pieces, slots })
    }
}

/// An argument captured for deferred formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Int(i64),
    /// A short str kept inline (no allocation).
    Small(u8, [u8; SMALL]),
    Str(Box<str>),
}

/// Longest str argument stored inline.
const SMALL: usize = 22;

impl Arg {
    fn text(s: &str) -> Arg {
        if s.len() <= SMALL {
            let mut buf = [0u8; SMALL];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            Arg::Small(s.len() as u8, buf)
        } else {
            Arg::Str(s.into())
        }
    }
}

/// The message of a captured record.
#[derive(Debug)]
pub enum Message {
    Ready(String),
    Deferred { template: Arc<Template>, args: SmallVec<[Arg; 4]>, text: OnceLock<String> },
}

impl Message {
    /// About how many bytes the message takes, without rendering it (for queue bounds).
    pub fn size_hint(&self) -> usize {
        match self {
            Message::Ready(s) => s.len(),
            Message::Deferred { args, .. } => {
                64 + args.iter().map(|a| if let Arg::Str(s) = a { s.len() } else { SMALL }).sum::<usize>()
            }
        }
    }

    /// The message text (rendered on first use when deferred).
    pub fn text(&self) -> &str {
        match self {
            Message::Ready(s) => s,
            Message::Deferred { template, args, text } => text.get_or_init(|| render(template, args)),
        }
    }
}

fn render(t: &Template, args: &[Arg]) -> String {
    let literal: usize = t.pieces.iter().map(|p| if let Piece::Lit(s) = p { s.len() } else { 0 }).sum();
    let mut out = String::with_capacity(literal + 24 * args.len());
    let mut next = args.iter();
    for p in &t.pieces {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Str | Piece::Int => match next.next() {
                Some(Arg::Int(i)) => crate::printf::push_int(&mut out, *i),
                Some(Arg::Str(s)) => out.push_str(s),
                Some(Arg::Small(n, buf)) => {
                    // SAFETY: the bytes were copied from a str, up to a char boundary (whole str).
                    out.push_str(unsafe { std::str::from_utf8_unchecked(&buf[..*n as usize]) })
                }
                None => {}
            },
        }
    }
    out
}

/// Parsed templates by message text, in a small direct-mapped cache indexed by the string's
/// hash (a literal's hash is cached in the str object; a message built per call, such as an
/// adapter's `f"[{id}] {msg}"`, finds the template of the equal string before it). A slot holds
/// a reference to its message, so a hit is the same object or an equal exact `str`.
struct Slot {
    key: isize,
    msg: Option<Py<PyString>>,
    template: Option<Arc<Template>>,
}

const SLOTS: usize = 1024;
static TEMPLATES: Mutex<Vec<Slot>> = Mutex::new(Vec::new());

fn template_of(msg: &Bound<'_, PyString>) -> PyResult<Option<Arc<Template>>> {
    let key = msg.hash()?;
    let index = (key as usize) % SLOTS;
    {
        let slots = TEMPLATES.lock();
        if let Some(Slot { key: k, msg: Some(m), template }) = slots.get(index) {
            // Comparing two exact str objects runs no Python code.
            if *k == key && (m.is(msg) || m.bind(msg.py()).as_any().eq(msg)?) {
                return Ok(template.clone());
            }
        }
    }
    // A message that is not valid UTF-8 (lone surrogates) is left to Python.
    let Ok(text) = msg.to_str() else { return Ok(None) };
    let parsed = Template::parse(text).map(Arc::new);
    let old = {
        let mut slots = TEMPLATES.lock();
        if slots.is_empty() {
            slots.extend((0..SLOTS).map(|_| Slot { key: 0, msg: None, template: None }));
        }
        let new = Slot { key, msg: Some(msg.clone().unbind()), template: parsed.clone() };
        std::mem::replace(&mut slots[index], new)
    };
    drop(old); // dropping the evicted reference outside the lock
    Ok(parsed)
}

/// Capture `msg % args` for a record: deferred when the template and arguments allow an exact
/// native rendering, else formatted now by Python. `None`: the full Python path must handle
/// the call (mapping arguments, a formatting error for `handleError`, a non-str result).
pub fn capture(msg: &Bound<'_, PyAny>, args: &[Bound<'_, PyAny>]) -> PyResult<Option<Message>> {
    let exact = msg.is_exact_instance_of::<PyString>();
    let text = match msg.cast_exact::<PyString>() {
        Ok(s) => s.clone(),
        Err(_) => match msg.str() {
            Ok(s) => s,
            Err(_) => return Ok(None),
        },
    };
    if args.is_empty() {
        // Text Rust cannot hold (lone surrogates) takes the Python-record path.
        return Ok(text.to_str().ok().map(|t| Message::Ready(t.to_string())));
    }
    if args.len() == 1 && crate::record::is_mapping(&args[0])? {
        return Ok(None);
    }
    // Only exact str messages are cached (their hash and equality run no Python code).
    if exact {
        if let Some((template, args)) = native(&text, args)? {
            return Ok(Some(Message::Deferred { template, args, text: OnceLock::new() }));
        }
    }
    let tuple = PyTuple::new(msg.py(), args)?;
    match text.as_any().rem(tuple) {
        Ok(m) => match m.cast::<PyString>() {
            Ok(s) => Ok(s.to_str().ok().map(|t| Message::Ready(t.to_string()))),
            Err(_) => Ok(None),
        },
        Err(_) => Ok(None),
    }
}

/// `msg % args` rendered natively now, when the cached template of `msg` and the arguments
/// allow it (`None`: let Python's `%` do it). The text is exactly what Python would produce.
pub fn format_now<'py>(msg: &Bound<'py, PyString>, args: &Bound<'py, PyTuple>) -> PyResult<Option<Bound<'py, PyString>>> {
    let args: SmallVec<[Bound<'py, PyAny>; 4]> = args.iter().collect();
    Ok(native(msg, &args)?.map(|(t, a)| PyString::new(msg.py(), &render(&t, &a))))
}

/// The cached template of exact str `msg` and `args` as plain values, when Python's `%` of
/// them is rendered natively (see [`native_args`]).
fn native(msg: &Bound<'_, PyString>, args: &[Bound<'_, PyAny>]) -> PyResult<Option<(Arc<Template>, SmallVec<[Arg; 4]>)>> {
    let Some(t) = template_of(msg)? else { return Ok(None) };
    if t.slots != args.len() {
        return Ok(None);
    }
    Ok(native_args(&t, args)?.map(|a| (t, a)))
}

/// Arguments as plain values when every one matches its slot exactly as Python would render it:
/// exact `int` (not `bool`) for `%d`/`%s`, exact `str` for `%s`.
fn native_args(t: &Template, args: &[Bound<'_, PyAny>]) -> PyResult<Option<SmallVec<[Arg; 4]>>> {
    let mut out = SmallVec::new();
    let mut slot = t.pieces.iter().filter(|p| !matches!(p, Piece::Lit(_)));
    for a in args.iter() {
        let kind = slot.next();
        if a.is_exact_instance_of::<PyInt>() && !a.is_instance_of::<PyBool>() {
            match a.extract::<i64>() {
                Ok(i) => out.push(Arg::Int(i)),
                Err(_) => return Ok(None),
            }
        } else if matches!(kind, Some(Piece::Str)) && a.is_exact_instance_of::<PyString>() {
            let Ok(text) = a.cast::<PyString>()?.to_str() else { return Ok(None) };
            out.push(Arg::text(text));
        } else {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_simple_templates_only() {
        let t = Template::parse("request %d from %s (100%%)").unwrap();
        assert_eq!(t.slots, 2);
        assert_eq!(
            render(&t, &[Arg::Int(-7), Arg::text("alice")]),
            "request -7 from alice (100%)"
        );
        let long = "a string longer than twenty-two bytes, with é";
        assert_eq!(render(&t, &[Arg::Int(1), Arg::text(long)]), format!("request 1 from {long} (100%)"));
        assert!(Template::parse("%5d").is_none());
        assert!(Template::parse("%r").is_none());
        assert!(Template::parse("%(x)s").is_none());
        assert!(Template::parse("trailing %").is_none());
        assert_eq!(Template::parse("plain").unwrap().slots, 0);
    }

    #[test]
    fn equal_messages_share_one_template_and_others_do_not() {
        Python::initialize();
        Python::attach(|py| {
            // Two distinct str objects with the same text (as a message built per call is).
            let a = PyString::new(py, "[req-42] request %d from %s");
            let b = PyString::new(py, &String::from("[req-42] request %d from %s"));
            assert!(!a.is(&b));
            let ta = template_of(&a).unwrap().unwrap();
            let tb = template_of(&b).unwrap().unwrap();
            assert!(Arc::ptr_eq(&ta, &tb), "an equal string reuses the parsed template");
            let other = PyString::new(py, "[req-43] request %d");
            let to = template_of(&other).unwrap().unwrap();
            assert_eq!((to.slots, ta.slots), (1, 2));
            assert_eq!(render(&to, &[Arg::Int(5)]), "[req-43] request 5");
            // A message Python must format is cached as such.
            assert!(template_of(&PyString::new(py, "%(name)s")).unwrap().is_none());
        });
    }
}
