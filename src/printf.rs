//! Python-exact rendering of scalar values for `%`-style specifiers and the `format()` mini-language.
//!
//! Every function here either produces exactly the text CPython 3.11 would produce, or returns
//! [`NeedsPython`] so the caller can hand that one value to Python instead. Nothing is ever
//! approximated.

use crate::layout::FieldValue;
use std::fmt::Write as _;

/// Marker error: this value/specifier combination must be rendered by Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedsPython;

/// Largest width/precision rendered natively; larger ones go to Python (which may raise).
const MAX_WIDTH: usize = 100_000;

// ---------------------------------------------------------------------------------------------
// Float text helpers
// ---------------------------------------------------------------------------------------------

/// Splits Rust's shortest/precision `{:e}` output into (negative, digits, exponent).
fn split_exp(s: &str) -> (bool, String, i32) {
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    (neg, digits, exp.parse().unwrap_or(0))
}

fn push_exponent(out: &mut String, exp: i32, upper: bool) {
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exp < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", exp.unsigned_abs());
}

/// `repr(x)` for a finite or non-finite float, as CPython prints it.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let (neg, digits, exp) = split_exp(&format!("{:e}", x));
    let decpt = exp + 1;
    let mut out = String::with_capacity(24);
    if neg {
        out.push('-');
    }
    if decpt <= -4 || decpt > 16 {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        push_exponent(&mut out, exp, false);
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let d = decpt as usize;
        if d >= digits.len() {
            out.push_str(&digits);
            for _ in digits.len()..d {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..d]);
            out.push('.');
            out.push_str(&digits[d..]);
        }
    }
    out
}

/// Magnitude of a finite float in fixed notation (`%.Nf`), without sign.
fn fixed_abs(x: f64, prec: usize, alt: bool) -> String {
    let mut s = format!("{:.*}", prec, x.abs());
    if alt && prec == 0 {
        s.push('.');
    }
    s
}

/// Magnitude of a finite float in exponent notation (`%.Ne`), without sign.
fn exp_abs(x: f64, prec: usize, alt: bool, upper: bool) -> String {
    let raw = format!("{:.*e}", prec, x.abs());
    let (mant, exp) = raw.split_once('e').unwrap_or((&raw, "0"));
    let mut s = String::with_capacity(mant.len() + 5);
    s.push_str(mant);
    if alt && prec == 0 {
        s.push('.');
    }
    push_exponent(&mut s, exp.parse().unwrap_or(0), upper);
    s
}

/// Magnitude of a finite float in general notation (`%.Ng`), without sign.
fn general_abs(x: f64, prec: usize, alt: bool, upper: bool) -> String {
    general_abs_with(x, prec, alt, upper, false)
}

/// General notation; `dot0` is `format()`'s no-type-with-precision variant, which switches to
/// exponent notation one digit earlier and keeps a `.0` on integral fixed-point results.
fn general_abs_with(x: f64, prec: usize, alt: bool, upper: bool, dot0: bool) -> String {
    let p = prec.max(1);
    let probe = format!("{:.*e}", p - 1, x.abs());
    let exp: i64 = probe
        .split_once('e')
        .map(|(_, e)| e.parse().unwrap_or(0))
        .unwrap_or(0);
    let limit = p as i64 - dot0 as i64;
    let mut s = if exp >= -4 && exp < limit {
        format!("{:.*}", (p as i64 - 1 - exp) as usize, x.abs())
    } else {
        exp_abs(x, p - 1, false, upper)
    };
    // Split off an exponent part, fix up the mantissa, and glue back.
    let epos = s.find(['e', 'E']);
    let (mut mant, tail) = match epos {
        Some(i) => (s[..i].to_string(), s[i..].to_string()),
        None => (s.clone(), String::new()),
    };
    if alt {
        if !mant.contains('.') {
            mant.push('.');
        }
    } else if mant.contains('.') {
        while mant.ends_with('0') {
            mant.pop();
        }
        if mant.ends_with('.') {
            mant.pop();
        }
    }
    if dot0 && tail.is_empty() && !mant.contains('.') {
        mant.push_str(".0");
    }
    s = mant;
    s.push_str(&tail);
    s
}

fn push_repeat(out: &mut String, c: char, n: usize) {
    for _ in 0..n {
        out.push(c);
    }
}

// ---------------------------------------------------------------------------------------------
// %-style
// ---------------------------------------------------------------------------------------------

/// One parsed `%`-specifier (after the `(name)` part): flags, width, precision, conversion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrintfSpec {
    pub left: bool,
    pub plus: bool,
    pub space: bool,
    pub alt: bool,
    pub zero: bool,
    pub width: usize,
    pub prec: Option<usize>,
    pub conv: char,
}

impl PrintfSpec {
    /// Parses the part of a `%`-specifier after the mapping key: flags, width, precision,
    /// length modifiers and the conversion. Returns the spec and the bytes consumed, or `None`
    /// for anything the native renderer does not handle (`*`, an unknown conversion, `%%`).
    pub fn parse(b: &[u8]) -> Option<(PrintfSpec, usize)> {
        let mut i = 0;
        let mut p = PrintfSpec::default();
        while i < b.len() && b"-+ #0".contains(&b[i]) {
            match b[i] {
                b'-' => p.left = true,
                b'+' => p.plus = true,
                b' ' => p.space = true,
                b'#' => p.alt = true,
                _ => p.zero = true,
            }
            i += 1;
        }
        let ws = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i > ws {
            p.width = std::str::from_utf8(&b[ws..i]).ok()?.parse().ok()?;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let ps = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            p.prec = Some(if i > ps { std::str::from_utf8(&b[ps..i]).ok()?.parse().ok()? } else { 0 });
        }
        while i < b.len() && b"hlL".contains(&b[i]) {
            i += 1;
        }
        let conv = *b.get(i)? as char;
        if !PrintfSpec::conv_known(conv) || conv == '%' {
            return None;
        }
        p.conv = conv;
        Some((p, i + 1))
    }

    /// The specifier text without the mapping key, e.g. `-10.3s`, for a Python fallback.
    pub fn to_python(&self) -> String {
        let mut s = String::from("%");
        if self.left {
            s.push('-');
        }
        if self.plus {
            s.push('+');
        }
        if self.space {
            s.push(' ');
        }
        if self.alt {
            s.push('#');
        }
        if self.zero {
            s.push('0');
        }
        if self.width > 0 {
            let _ = write!(s, "{}", self.width);
        }
        if let Some(p) = self.prec {
            let _ = write!(s, ".{}", p);
        }
        s.push(self.conv);
        s
    }

    /// True if `conv` is one CPython's `%` operator accepts.
    pub fn conv_known(c: char) -> bool {
        "sradiuoxXeEfFgGc%".contains(c)
    }
}

fn pad_str(out: &mut String, text: &str, width: usize, left: bool) {
    // Counting chars only matters when a width could pad the text.
    if width == 0 || text.len() >= width && text.is_ascii() {
        out.push_str(text);
        return;
    }
    let n = text.chars().count();
    let pad = width.saturating_sub(n);
    if !left {
        push_repeat(out, ' ', pad);
    }
    out.push_str(text);
    if left {
        push_repeat(out, ' ', pad);
    }
}

/// Writes a signed number body (already without sign) with printf sign/zero/width rules.
fn pad_number(out: &mut String, spec: &PrintfSpec, neg: bool, prefix: &str, body: &str) {
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + prefix.len() + body.len();
    let pad = spec.width.saturating_sub(len);
    if spec.left {
        out.push_str(sign);
        out.push_str(prefix);
        out.push_str(body);
        push_repeat(out, ' ', pad);
    } else if spec.zero {
        out.push_str(sign);
        out.push_str(prefix);
        push_repeat(out, '0', pad);
        out.push_str(body);
    } else {
        push_repeat(out, ' ', pad);
        out.push_str(sign);
        out.push_str(prefix);
        out.push_str(body);
    }
}

/// `repr(s)` (= `ascii(s)`) for an ASCII-only string; `None` for other strings.
pub fn ascii_str_repr(s: &str) -> Option<String> {
    if !s.is_ascii() {
        return None;
    }
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    Some(out)
}

/// `str(i)` of an int, appended without a formatting allocation.
pub fn push_int(out: &mut String, i: i64) {
    if i < 0 {
        out.push('-');
    }
    out.push_str(Digits::new(i.unsigned_abs(), 'd').as_str());
}

/// Text `str(v)` gives for a non-str scalar value.
pub fn scalar_str(v: &FieldValue<'_>, out: &mut String) {
    match v {
        FieldValue::Str(s) => out.push_str(s),
        FieldValue::Int(i) => push_int(out, *i),
        FieldValue::Float(f) => out.push_str(&float_repr(*f)),
        FieldValue::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        FieldValue::None => out.push_str("None"),
    }
}

fn int_of(v: &FieldValue<'_>) -> Option<i64> {
    match v {
        FieldValue::Int(i) => Some(*i),
        FieldValue::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

fn float_of(v: &FieldValue<'_>) -> Option<f64> {
    match v {
        FieldValue::Float(f) => Some(*f),
        FieldValue::Int(i) => Some(*i as f64),
        FieldValue::Bool(b) => Some(*b as i64 as f64),
        _ => None,
    }
}

/// The digits of a magnitude in base 10 (`conv` 'd'), 16 ('x', 'X'), 8 ('o') or 2 ('b'),
/// written into a stack buffer: the worker renders numbers of every record without allocating.
struct Digits {
    buf: [u8; 64],
    start: usize,
}

impl Digits {
    fn new(mut mag: u64, conv: char) -> Digits {
        let (base, alpha) = match conv {
            'x' => (16, b'a'),
            'X' => (16, b'A'),
            'o' => (8, b'0'),
            'b' => (2, b'0'),
            _ => (10, b'0'),
        };
        let mut buf = [0u8; 64];
        let mut i = buf.len();
        loop {
            let d = (mag % base) as u8;
            i -= 1;
            buf[i] = if d < 10 { b'0' + d } else { alpha + d - 10 };
            mag /= base;
            if mag == 0 {
                break;
            }
        }
        Digits { buf, start: i }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and letters were written.
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or("")
    }
}

/// `sign` then `prefix`, allocating only when there is something to hold.
fn lead_text(sign: &str, prefix: &str) -> String {
    let mut lead = String::new();
    lead.push_str(sign);
    lead.push_str(prefix);
    lead
}

/// Renders `v` as CPython's `"%<spec>" % (v,)` would.
pub fn render_printf(
    spec: &PrintfSpec,
    v: &FieldValue<'_>,
    out: &mut String,
) -> Result<(), NeedsPython> {
    if spec.width > MAX_WIDTH || spec.prec.unwrap_or(0) > MAX_WIDTH {
        return Err(NeedsPython);
    }
    match spec.conv {
        // The common `%(name)s`: written straight into the line.
        's' if spec.prec.is_none() && spec.width == 0 => {
            scalar_str(v, out);
            Ok(())
        }
        's' | 'r' | 'a' => {
            let mut text = String::new();
            match v {
                FieldValue::Str(s) if spec.conv == 's' => text.push_str(s),
                FieldValue::Str(s) => text = ascii_str_repr(s).ok_or(NeedsPython)?,
                other => scalar_str(other, &mut text),
            }
            let text = match spec.prec {
                Some(p) => match text.char_indices().nth(p) {
                    Some((i, _)) => &text[..i],
                    None => &text[..],
                },
                None => &text[..],
            };
            pad_str(out, text, spec.width, spec.left);
            Ok(())
        }
        'c' => {
            let c = match v {
                FieldValue::Str(s) if s.chars().count() == 1 => s.chars().next(),
                FieldValue::Int(i) => u32::try_from(*i).ok().and_then(char::from_u32),
                _ => None,
            };
            let mut buf = [0u8; 4];
            pad_str(
                out,
                c.ok_or(NeedsPython)?.encode_utf8(&mut buf),
                spec.width,
                spec.left,
            );
            Ok(())
        }
        'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
            let i = match v {
                FieldValue::Float(f) if matches!(spec.conv, 'd' | 'i' | 'u') => {
                    let t = f.trunc();
                    if !t.is_finite() || t.abs() >= 9.0e18 {
                        return Err(NeedsPython);
                    }
                    t as i64
                }
                other => int_of(other).ok_or(NeedsPython)?,
            };
            let digits = Digits::new(i.unsigned_abs(), spec.conv);
            let mut body = std::borrow::Cow::Borrowed(digits.as_str());
            if let Some(p) = spec.prec {
                if body.len() < p {
                    body = std::borrow::Cow::Owned("0".repeat(p - body.len()) + &body);
                }
            }
            let prefix = match (spec.alt, spec.conv) {
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                (true, 'o') => "0o",
                _ => "",
            };
            pad_number(out, spec, i < 0, prefix, &body);
            Ok(())
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let x = float_of(v).ok_or(NeedsPython)?;
            if !x.is_finite() {
                return Err(NeedsPython);
            }
            let prec = spec.prec.unwrap_or(6);
            let body = match spec.conv {
                'e' | 'E' => exp_abs(x, prec, spec.alt, spec.conv == 'E'),
                'f' | 'F' => fixed_abs(x, prec, spec.alt),
                _ => general_abs(x, prec, spec.alt, spec.conv == 'G'),
            };
            pad_number(out, spec, x.is_sign_negative(), "", &body);
            Ok(())
        }
        _ => Err(NeedsPython),
    }
}

// ---------------------------------------------------------------------------------------------
// format() mini-language ({}-style)
// ---------------------------------------------------------------------------------------------

/// `!s` / `!r` / `!a` conversion of a `{}` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    None,
    Str,
    Repr,
    Ascii,
}

/// A parsed standard format specifier (only the subset rendered natively).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BraceSpec {
    pub empty: bool,
    pub fill: char,
    pub fill_set: bool,
    pub align: Option<char>,
    pub sign: Option<char>,
    pub alt: bool,
    pub zero: bool,
    pub width: usize,
    pub grouping: Option<char>,
    pub prec: Option<usize>,
    pub ty: Option<char>,
}

/// Parses a standard format spec; `None` when it is not valid or not handled natively.
pub fn parse_brace_spec(spec: &str) -> Option<BraceSpec> {
    let chars: Vec<char> = spec.chars().collect();
    let mut s = BraceSpec {
        empty: chars.is_empty(),
        fill: ' ',
        fill_set: false,
        align: None,
        sign: None,
        alt: false,
        zero: false,
        width: 0,
        grouping: None,
        prec: None,
        ty: None,
    };
    let is_align = |c: char| "<>=^".contains(c);
    let mut i = 0;
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = chars[0];
        s.fill_set = true;
        s.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if i < chars.len() && "+- ".contains(chars[i]) {
        s.sign = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == 'z' {
        return None;
    }
    if i < chars.len() && chars[i] == '#' {
        s.alt = true;
        i += 1;
    }
    if i < chars.len() && chars[i] == '0' && !s.fill_set {
        s.zero = true;
        i += 1;
    }
    let start = i;
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    if i > start {
        s.width = chars[start..i].iter().collect::<String>().parse().ok()?;
    }
    if i < chars.len() && (chars[i] == ',' || chars[i] == '_') {
        s.grouping = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        let ps = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i == ps {
            return None;
        }
        s.prec = Some(chars[ps..i].iter().collect::<String>().parse().ok()?);
    }
    match chars.len() - i {
        0 => {}
        1 => s.ty = Some(chars[i]),
        _ => return None,
    }
    if s.width > MAX_WIDTH || s.prec.unwrap_or(0) > MAX_WIDTH {
        return None;
    }
    Some(s)
}

fn align_text(
    out: &mut String,
    spec: &BraceSpec,
    default_align: char,
    sign_prefix: &str,
    body: &str,
) {
    // No width, no padding: every alignment writes the sign, then the body.
    if spec.width == 0 || spec.width <= sign_prefix.len() + body.len() && sign_prefix.is_ascii() && body.is_ascii() {
        out.push_str(sign_prefix);
        out.push_str(body);
        return;
    }
    let len = sign_prefix.chars().count() + body.chars().count();
    let pad = spec.width.saturating_sub(len);
    let mut align = spec.align.unwrap_or(default_align);
    let mut fill = spec.fill;
    if spec.zero {
        fill = '0';
        if spec.align.is_none() && default_align == '>' {
            align = '=';
        }
    }
    let (lpad, rpad) = match align {
        '>' => (pad, 0),
        '^' => (pad / 2, pad - pad / 2),
        '=' => {
            out.push_str(sign_prefix);
            push_repeat(out, fill, pad);
            out.push_str(body);
            return;
        }
        _ => (0, pad),
    };
    push_repeat(out, fill, lpad);
    out.push_str(sign_prefix);
    out.push_str(body);
    push_repeat(out, fill, rpad);
}

/// Renders a string through a format spec, like `format(text, spec)`.
pub fn render_brace_str(spec: &BraceSpec, text: &str, out: &mut String) -> Result<(), NeedsPython> {
    if spec.sign.is_some() || spec.alt || spec.grouping.is_some() || spec.align == Some('=') {
        return Err(NeedsPython);
    }
    if !matches!(spec.ty, None | Some('s')) {
        return Err(NeedsPython);
    }
    let text = match spec.prec {
        Some(p) => match text.char_indices().nth(p) {
            Some((i, _)) => &text[..i],
            None => text,
        },
        None => text,
    };
    align_text(out, spec, '<', "", text);
    Ok(())
}

fn group_thousands(digits: &str, sep: char) -> String {
    let n = digits.len();
    let mut s = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            s.push(sep);
        }
        s.push(c);
    }
    s
}

fn sign_text(spec: &BraceSpec, neg: bool) -> &'static str {
    if neg {
        "-"
    } else {
        match spec.sign {
            Some('+') => "+",
            Some(' ') => " ",
            _ => "",
        }
    }
}

fn render_brace_int(spec: &BraceSpec, i: i64, out: &mut String) -> Result<(), NeedsPython> {
    let conv = match spec.ty {
        None | Some('d') => 'd',
        Some(c @ ('x' | 'X' | 'o' | 'b')) => c,
        Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => {
            return render_brace_float(spec, i as f64, out)
        }
        _ => return Err(NeedsPython),
    };
    if spec.prec.is_some() {
        return Err(NeedsPython);
    }
    if spec.grouping.is_some() && (conv != 'd' || spec.zero || spec.align == Some('=')) {
        return Err(NeedsPython);
    }
    let digits = Digits::new(i.unsigned_abs(), conv);
    let mut body = std::borrow::Cow::Borrowed(digits.as_str());
    if let Some(g) = spec.grouping {
        body = std::borrow::Cow::Owned(group_thousands(&body, g));
    }
    let prefix = match (spec.alt, conv) {
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        (true, 'o') => "0o",
        (true, 'b') => "0b",
        _ => "",
    };
    let lead = lead_text(sign_text(spec, i < 0), prefix);
    align_text(out, spec, '>', &lead, &body);
    Ok(())
}

/// Inserts `sep` every three digits into the integer part of a float body.
fn group_float_body(body: &str, sep: char) -> String {
    let end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let mut s = group_thousands(&body[..end], sep);
    s.push_str(&body[end..]);
    s
}

fn render_brace_float(spec: &BraceSpec, x: f64, out: &mut String) -> Result<(), NeedsPython> {
    if !x.is_finite() || (spec.grouping.is_some() && (spec.zero || spec.align == Some('='))) {
        return Err(NeedsPython);
    }
    let alt = spec.alt;
    let mut neg = x.is_sign_negative();
    let mut body = match spec.ty {
        None if spec.prec.is_none() => {
            if alt {
                return Err(NeedsPython);
            }
            let r = float_repr(x);
            r.trim_start_matches('-').to_string()
        }
        None => general_abs_with(x, spec.prec.unwrap_or(6), alt, false, true),
        Some(c @ ('e' | 'E')) => exp_abs(x, spec.prec.unwrap_or(6), alt, c == 'E'),
        Some('f' | 'F') => fixed_abs(x, spec.prec.unwrap_or(6), alt),
        Some(c @ ('g' | 'G')) => general_abs(x, spec.prec.unwrap_or(6), alt, c == 'G'),
        Some('%') => {
            let y = x * 100.0;
            if !y.is_finite() {
                return Err(NeedsPython);
            }
            neg = y.is_sign_negative();
            let mut b = fixed_abs(y, spec.prec.unwrap_or(6), alt);
            b.push('%');
            b
        }
        _ => return Err(NeedsPython),
    };
    if let Some(sep) = spec.grouping {
        body = group_float_body(&body, sep);
    }
    align_text(out, spec, '>', sign_text(spec, neg), &body);
    Ok(())
}

/// Renders `v` (already converted by `!s`/`!r`/`!a` if any) like `format(v, spec)`.
pub fn render_brace(
    spec: &BraceSpec,
    conv: Conversion,
    v: &FieldValue<'_>,
    out: &mut String,
) -> Result<(), NeedsPython> {
    match conv {
        Conversion::None => {}
        Conversion::Str | Conversion::Repr | Conversion::Ascii => {
            let text = match v {
                FieldValue::Str(s) if conv != Conversion::Str => {
                    ascii_str_repr(s).ok_or(NeedsPython)?
                }
                other => {
                    let mut text = String::new();
                    scalar_str(other, &mut text);
                    text
                }
            };
            return render_brace_str(spec, &text, out);
        }
    }
    match v {
        FieldValue::Str(s) => render_brace_str(spec, s, out),
        FieldValue::Int(i) => render_brace_int(spec, *i, out),
        FieldValue::Bool(b) if spec.empty => {
            out.push_str(if *b { "True" } else { "False" });
            Ok(())
        }
        FieldValue::Bool(b) => render_brace_int(spec, *b as i64, out),
        FieldValue::Float(f) => render_brace_float(spec, *f, out),
        FieldValue::None if spec.empty => {
            out.push_str("None");
            Ok(())
        }
        FieldValue::None => Err(NeedsPython),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pf(spec: &str, v: FieldValue<'_>) -> String {
        let (p, _) = PrintfSpec::parse(spec.as_bytes()).unwrap();
        let mut out = String::new();
        render_printf(&p, &v, &mut out).unwrap();
        out
    }

    fn bf(spec: &str, v: FieldValue<'_>) -> String {
        let mut out = String::new();
        render_brace(
            &parse_brace_spec(spec).unwrap(),
            Conversion::None,
            &v,
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn repr_of_floats() {
        assert_eq!(float_repr(1.0), "1.0");
        assert_eq!(float_repr(-0.0), "-0.0");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1234567890123456.0), "1234567890123456.0");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(1.5e-5), "1.5e-05");
        assert_eq!(float_repr(123.456), "123.456");
        assert_eq!(float_repr(1e300), "1e+300");
    }

    #[test]
    fn printf_strings_and_ints() {
        assert_eq!(pf("-10s", FieldValue::Str("ab")), "ab        ");
        assert_eq!(pf("5.1s", FieldValue::Str("xyz")), "    x");
        assert_eq!(pf("05s", FieldValue::Str("ab")), "   ab");
        assert_eq!(pf("s", FieldValue::None), "None");
        assert_eq!(pf("s", FieldValue::Bool(true)), "True");
        assert_eq!(pf("04d", FieldValue::Int(42)), "0042");
        assert_eq!(pf("+d", FieldValue::Int(42)), "+42");
        assert_eq!(pf("05.3d", FieldValue::Int(5)), "00005");
        assert_eq!(pf("#x", FieldValue::Int(255)), "0xff");
        assert_eq!(pf("#08X", FieldValue::Int(-255)), "-0X000FF");
        assert_eq!(pf("#o", FieldValue::Int(8)), "0o10");
        assert_eq!(pf("03d", FieldValue::Float(7.9)), "007");
        assert_eq!(pf("d", FieldValue::Bool(true)), "1");
    }

    #[test]
    fn printf_repr_and_char() {
        assert_eq!(pf("r", FieldValue::Str("it's")), "\"it's\"");
        assert_eq!(
            pf("a", FieldValue::Str("a'\"\n\\\x01")),
            "'a\\'\"\\n\\\\\\x01'"
        );
        assert_eq!(pf("-4c", FieldValue::Int(65)), "A   ");
        assert_eq!(pf("c", FieldValue::Str("é")), "é");
        let mut out = String::new();
        let spec = PrintfSpec {
            conv: 'r',
            ..PrintfSpec::default()
        };
        assert_eq!(
            render_printf(&spec, &FieldValue::Str("é"), &mut out),
            Err(NeedsPython)
        );
    }

    #[test]
    fn printf_floats() {
        assert_eq!(pf("f", FieldValue::Float(1.5)), "1.500000");
        assert_eq!(pf(".2f", FieldValue::Float(0.125)), "0.12");
        assert_eq!(pf("e", FieldValue::Float(12345.678)), "1.234568e+04");
        assert_eq!(pf("#.0e", FieldValue::Float(1.0)), "1.e+00");
        assert_eq!(pf("g", FieldValue::Float(0.0001)), "0.0001");
        assert_eq!(pf("g", FieldValue::Float(0.00001)), "1e-05");
        assert_eq!(pf("#.3g", FieldValue::Int(1)), "1.00");
        assert_eq!(pf("G", FieldValue::Float(1e20)), "1E+20");
        assert_eq!(pf("010.3f", FieldValue::Float(-3.14159)), "-00003.142");
        assert_eq!(pf("f", FieldValue::Float(-0.0)), "-0.000000");
    }

    #[test]
    fn brace_specs() {
        assert_eq!(bf(">10", FieldValue::Str("ab")), "        ab");
        assert_eq!(bf("05", FieldValue::Str("ab")), "ab000");
        assert_eq!(bf("^6", FieldValue::Str("abc")), " abc  ");
        assert_eq!(bf("*^7.2", FieldValue::Str("abcd")), "**ab***");
        assert_eq!(bf("05", FieldValue::Int(-42)), "-0042");
        assert_eq!(bf(",", FieldValue::Int(1234567)), "1,234,567");
        assert_eq!(bf("#x", FieldValue::Int(255)), "0xff");
        assert_eq!(bf("03.0f", FieldValue::Float(7.0)), "007");
        assert_eq!(bf("", FieldValue::Float(2.5)), "2.5");
        assert_eq!(bf("+", FieldValue::Float(2.5)), "+2.5");
        assert_eq!(bf("", FieldValue::Bool(true)), "True");
        assert_eq!(bf(">3", FieldValue::Bool(true)), "  1");
        assert!(parse_brace_spec(".2ff").is_none());
    }
}
