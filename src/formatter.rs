//! Native `logging.Formatter` core: `FormatterCore`, the base class of `femtologging.Formatter`.
//!
//! The format string is parsed once into a [`Layout`] (re-parsed only when the formatter's style
//! object, its `_fmt` or its `_defaults` change identity). `format()` then renders the record's
//! `__dict__` in Rust, calling Python only for what Python must do: `record.getMessage()`,
//! values that are not plain str/int/float/bool/None, methods a subclass overrides, converters
//! other than `time.localtime`/`time.gmtime`, and traceback text.
//!
//! [`FormatterCore::native_plan`] hands the handler layer a GIL-free [`NativeFormatterPlan`].

use crate::layout::{
    self, Field, FieldFmt, FieldSource, FieldValue, Layout, Needs, RenderError, Segment, Style,
};
use crate::printf::Conversion;
use crate::record::RecordView;
use crate::timefmt::{self, Converter, MsecFormat, SecondCache};
use parking_lot::Mutex;
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFloat, PyInt, PyString, PyTuple, PyType};
use pyo3::{PyTraverseError, PyVisit};
use std::sync::Arc;

/// Python objects the native code compares against, registered by `femtologging._formatter`.
struct Registry {
    formatter: Py<PyType>,
    percent: Py<PyType>,
    brace: Py<PyType>,
    template: Py<PyType>,
}

static REGISTRY: PyOnceLock<Registry> = PyOnceLock::new();

/// `time.localtime`, `time.gmtime`, `time.strftime`, `builtins.format`, `builtins.ascii`.
struct PyFns {
    localtime: Py<PyAny>,
    gmtime: Py<PyAny>,
    strftime: Py<PyAny>,
    format: Py<PyAny>,
    ascii: Py<PyAny>,
}

static PYFNS: PyOnceLock<PyFns> = PyOnceLock::new();

fn pyfns(py: Python<'_>) -> PyResult<&PyFns> {
    PYFNS.get_or_try_init(py, || {
        let time = crate::globals::module(py, "time")?;
        let builtins = crate::globals::module(py, "builtins")?;
        Ok(PyFns {
            localtime: time.getattr("localtime")?.unbind(),
            gmtime: time.getattr("gmtime")?.unbind(),
            strftime: time.getattr("strftime")?.unbind(),
            format: builtins.getattr("format")?.unbind(),
            ascii: builtins.getattr("ascii")?.unbind(),
        })
    })
}

/// Which formatter methods a subclass, a class-level patch or the instance replaced.
#[derive(Debug, Clone, Copy, Default)]
struct Overrides {
    format: bool,
    format_time: bool,
    format_exception: bool,
    format_stack: bool,
    uses_time: bool,
    format_message: bool,
}

impl Overrides {
    fn any(&self) -> bool {
        self.format || self.format_time || self.format_exception || self.format_stack || self.uses_time || self.format_message
    }
}

/// The parsed message layout for one (style, `_fmt`, `_defaults`) triple.
struct MsgCache {
    /// The epoch the entry was last confirmed in: until the next bump (any attribute assignment
    /// on a formatter or style object), it is used without looking at the attributes.
    epoch: u64,
    style: Py<PyAny>,
    fmt: Py<PyAny>,
    defaults: Py<PyAny>,
    /// `_tpl` of a `$`-style (what it actually substitutes), else `None`.
    tpl: Py<PyAny>,
    kind: Option<Style>,
    layout: Option<Arc<Layout>>,
    keys: Arc<Vec<Py<PyString>>>,
    uses_time: bool,
}

/// Key objects a cached [`NativeFormatterPlan`] was built from.
struct PlanCache {
    keys: Vec<Py<PyAny>>,
    plan: Option<Arc<NativeFormatterPlan>>,
}

/// A formatter's `converter`, `default_time_format` and `default_msec_format`, when natively
/// rendered (`None` fields: that part is left to Python).
struct TimeSettings {
    converter: Converter,
    time_format: Option<String>,
    msec: Option<MsecFormat>,
}

/// What one `formatTime` text was made from.
#[derive(PartialEq, Eq)]
struct TimeKey {
    epoch: u64,
    secs: i64,
    /// `msecs` as float bits (0 when not shown).
    msecs: u64,
}

/// The last `formatTime` text, for the records that share its second and millisecond.
struct TimeText {
    key: TimeKey,
    /// The `datefmt` it was made with (held: its identity is part of the key).
    datefmt: Py<PyAny>,
    text: Py<PyString>,
}

#[derive(Default)]
struct State {
    last_time: Option<TimeText>,
    /// The epoch `time` was read in (0: never).
    time_epoch: u64,
    time: Option<Arc<TimeSettings>>,
    /// The epoch `overrides` was computed in (0: never).
    overrides_epoch: u64,
    overrides: Overrides,
    msg: Option<MsgCache>,
    plan: Option<PlanCache>,
}

/// Native base class of `femtologging.Formatter` (see the module docs).
#[pyclass(subclass, dict, frozen, module = "femtologging")]
pub struct FormatterCore {
    state: Mutex<State>,
    time_cache: SecondCache,
}

/// A record field value owned by a plan (a `defaults=` entry).
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
}

impl OwnedValue {
    pub(crate) fn as_field(&self) -> FieldValue<'_> {
        match self {
            OwnedValue::Str(s) => FieldValue::Str(s),
            OwnedValue::Int(i) => FieldValue::Int(*i),
            OwnedValue::Float(f) => FieldValue::Float(*f),
            OwnedValue::Bool(b) => FieldValue::Bool(*b),
            OwnedValue::None => FieldValue::None,
        }
    }
}

/// Everything needed to format a record line without the GIL.
///
/// Obtained from [`FormatterCore::native_plan`]. It is a snapshot: if the formatter is changed
/// afterwards (new `_style`, `datefmt`, `converter`...), call `native_plan` again (it returns the
/// cached `Arc` while nothing changed, so calling it per batch is cheap).
#[derive(Debug)]
pub struct NativeFormatterPlan {
    /// The parsed format string.
    pub layout: Layout,
    /// `defaults=` values, consulted when the record lacks a field.
    pub defaults: Vec<(String, OwnedValue)>,
    /// `time.localtime` or `time.gmtime`.
    pub converter: Converter,
    /// The formatter's `datefmt` when truthy.
    pub datefmt: Option<String>,
    /// `default_time_format`.
    pub time_format: String,
    /// How `default_msec_format` applies.
    pub msec: MsecFormat,
    cache: SecondCache,
}

struct Overlay<'a> {
    src: &'a dyn FieldSource,
    asctime: Option<&'a str>,
    defaults: &'a [(String, OwnedValue)],
}

impl FieldSource for Overlay<'_> {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        if name == "asctime" {
            if let Some(a) = self.asctime {
                return Some(FieldValue::Str(a));
            }
        }
        self.src.field(name).or_else(|| {
            self.defaults
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_field())
        })
    }
}

fn append_block(out: &mut String, block: &str) {
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(block);
}

impl NativeFormatterPlan {
    /// Builds a plan directly (tests, or callers that configure formatting without Python).
    pub fn new(
        layout: Layout,
        defaults: Vec<(String, OwnedValue)>,
        converter: Converter,
        datefmt: Option<String>,
        time_format: String,
        msec: MsecFormat,
    ) -> Self {
        NativeFormatterPlan {
            layout,
            defaults,
            converter,
            datefmt,
            time_format,
            msec,
            cache: SecondCache::default(),
        }
    }

    /// Which record fields the format references (`asctime` is computed by the plan).
    pub fn needs(&self) -> Needs {
        self.layout.needs()
    }

    /// stdlib `formatTime(record, datefmt)` for a record created at `created` with `msecs`.
    /// `None` only if libc cannot format this time (the caller should then use Python).
    pub fn format_time(&self, created: f64, msecs: f64) -> Option<String> {
        timefmt::format_time(
            &self.cache,
            created,
            msecs,
            self.converter,
            self.datefmt.as_deref(),
            &self.time_format,
            &self.msec,
        )
    }

    /// Appends the complete formatted line (stdlib `Formatter.format`) to `out`.
    ///
    /// `src` must provide `message` (the result of `getMessage()`), and, when present,
    /// `msecs`, `exc_text` (already formatted exception text) and `stack_info`. `asctime` is
    /// computed here from `created` when the format uses it. On `Err`, `out` may hold a partial
    /// line: truncate it and format the record through Python instead
    /// ([`RenderError::Unsupported`]) or report the error ([`RenderError::Missing`] is what
    /// Python raises as `ValueError`).
    pub fn render(
        &self,
        src: &dyn FieldSource,
        created: f64,
        out: &mut String,
    ) -> Result<(), RenderError> {
        let asctime = if self.layout.uses_time {
            let msecs = match src.field("msecs") {
                Some(FieldValue::Float(f)) => f,
                Some(FieldValue::Int(i)) => i as f64,
                _ => ((created - created.trunc()) * 1000.0).trunc(),
            };
            Some(
                self.format_time(created, msecs)
                    .ok_or_else(|| RenderError::Unsupported("asctime".into()))?,
            )
        } else {
            None
        };
        let overlay = Overlay {
            src,
            asctime: asctime.as_deref(),
            defaults: &self.defaults,
        };
        let start = out.len();
        self.layout.render(&overlay, out)?;
        for key in ["exc_text", "stack_info"] {
            match src.field(key) {
                Some(FieldValue::Str(s)) if !s.is_empty() => {
                    let mut tail = out.split_off(start);
                    append_block(&mut tail, s);
                    out.push_str(&tail);
                }
                Some(FieldValue::Str(_)) | Some(FieldValue::None) | None => {}
                Some(_) => return Err(RenderError::Unsupported(key.into())),
            }
        }
        Ok(())
    }
}

/// A Python scalar as a native field value, or `None` when Python must render it.
fn scalar<'a>(v: &'a Bound<'_, PyAny>) -> Option<FieldValue<'a>> {
    if v.is_none() {
        return Some(FieldValue::None);
    }
    if let Ok(s) = v.cast_exact::<PyString>() {
        return s.to_str().ok().map(FieldValue::Str);
    }
    if let Ok(f) = v.cast_exact::<PyFloat>() {
        return Some(FieldValue::Float(f.value()));
    }
    if v.is_exact_instance_of::<pyo3::types::PyBool>() {
        return Some(FieldValue::Bool(v.is_truthy().ok()?));
    }
    if v.is_exact_instance_of::<PyInt>() {
        return v.extract::<i64>().ok().map(FieldValue::Int);
    }
    None
}

/// A Python scalar (exact `str`, `int` within 64 bits, `float`, `bool`, `None`) as owned data.
pub(crate) fn owned_scalar(v: &Bound<'_, PyAny>) -> Option<OwnedValue> {
    Some(match scalar(v)? {
        FieldValue::Str(s) => OwnedValue::Str(s.to_string()),
        FieldValue::Int(i) => OwnedValue::Int(i),
        FieldValue::Float(f) => OwnedValue::Float(f),
        FieldValue::Bool(b) => OwnedValue::Bool(b),
        FieldValue::None => OwnedValue::None,
    })
}

/// Renders one field through Python, exactly as the style's own formatting would.
/// `Ok(false)` when the text cannot live in a Rust string (lone surrogates).
fn python_field(
    py: Python<'_>,
    field: &Field,
    v: &Bound<'_, PyAny>,
    out: &mut String,
) -> PyResult<bool> {
    let text = match &field.fmt {
        FieldFmt::Printf(p) => {
            let spec = PyString::new(py, &p.to_python());
            spec.rem(PyTuple::new(py, [v])?)?
        }
        FieldFmt::Brace(conv, _, spec) => {
            let fns = pyfns(py)?;
            let converted = match conv {
                Conversion::None => v.clone(),
                Conversion::Str => v.str()?.into_any(),
                Conversion::Repr => v.repr()?.into_any(),
                Conversion::Ascii => fns.ascii.bind(py).call1((v,))?,
            };
            fns.format.bind(py).call1((converted, spec.as_str()))?
        }
        FieldFmt::Template => v.str()?.into_any(),
    };
    match text.cast::<PyString>()?.to_str() {
        Ok(t) => {
            out.push_str(t);
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}

fn missing_field(py: Python<'_>, name: &str) -> PyErr {
    let shown = PyString::new(py, name)
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| format!("'{}'", name));
    PyValueError::new_err(format!("Formatting field not found in record: {}", shown))
}

/// Reads a record attribute: from its `__dict__` (a lazy record's slots) when there, else by
/// normal attribute lookup.
fn rec_attr<'py>(
    record: &Bound<'py, PyAny>,
    view: Option<&RecordView<'py>>,
    name: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyAny>> {
    if let Some(v) = view {
        if let Some(v) = v.get_item(name)? {
            return Ok(v);
        }
    }
    record.getattr(name)
}

/// The record's `__dict__` as a view that does not materialise a lazy record (`None`: the
/// object has no instance dict; the style object then formats it).
fn record_view<'py>(record: &Bound<'py, PyAny>) -> Option<RecordView<'py>> {
    RecordView::of(record).ok()
}

fn style_kind(py: Python<'_>, style: &Bound<'_, PyAny>) -> Option<Style> {
    let reg = REGISTRY.get(py)?;
    let ty = style.get_type();
    if ty.is(reg.percent.bind(py)) {
        Some(Style::Percent)
    } else if ty.is(reg.brace.bind(py)) {
        Some(Style::Brace)
    } else if ty.is(reg.template.bind(py)) {
        Some(Style::Template)
    } else {
        None
    }
}

/// Message-layout snapshot used by one `format` call.
struct MsgView {
    kind: Option<Style>,
    layout: Option<Arc<Layout>>,
    /// Interned field names, one per field of `layout`, in order.
    keys: Arc<Vec<Py<PyString>>>,
    /// The style's `_defaults`.
    defaults: Option<Py<PyAny>>,
    uses_time: bool,
}

impl MsgCache {
    fn view(&self, py: Python<'_>) -> MsgView {
        MsgView {
            kind: self.kind,
            layout: self.layout.clone(),
            keys: self.keys.clone(),
            defaults: Some(self.defaults.clone_ref(py)),
            uses_time: self.uses_time,
        }
    }
}

impl FormatterCore {
    /// The methods replaced on this formatter's class or on the instance, once per epoch.
    fn overrides(slf: &Bound<'_, Self>) -> PyResult<Overrides> {
        let py = slf.py();
        let now = crate::epoch::current();
        {
            let st = slf.get().state.lock();
            if st.overrides_epoch == now {
                return Ok(st.overrides);
            }
        }
        let names = [
            intern!(py, "format"),
            intern!(py, "formatTime"),
            intern!(py, "formatException"),
            intern!(py, "formatStack"),
            intern!(py, "usesTime"),
            intern!(py, "formatMessage"),
        ];
        let bits = crate::overrides::detect_against(&slf.get_type(), Some(slf.as_any()), &py.get_type::<FormatterCore>(), &names)?;
        let bit = |i: u32| bits & (1 << i) != 0;
        let ov = Overrides {
            format: bit(0),
            format_time: bit(1),
            format_exception: bit(2),
            format_stack: bit(3),
            uses_time: bit(4),
            format_message: bit(5),
        };
        let mut st = slf.get().state.lock();
        st.overrides_epoch = now;
        st.overrides = ov;
        Ok(ov)
    }

    /// The current style object and its parsed layout (cached by object identity).
    fn msg_view<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, MsgView)> {
        let py = slf.py();
        let now = crate::epoch::current();
        {
            let st = slf.get().state.lock();
            if let Some(c) = st.msg.as_ref().filter(|c| c.epoch == now) {
                return Ok((c.style.bind(py).clone(), c.view(py)));
            }
        }
        let style = slf.getattr(intern!(py, "_style"))?;
        let kind = style_kind(py, &style);
        if kind.is_none() {
            return Ok((
                style,
                MsgView {
                    kind: None,
                    layout: None,
                    keys: Arc::default(),
                    defaults: None,
                    uses_time: false,
                },
            ));
        }
        let fmt = style.getattr(intern!(py, "_fmt"))?;
        let defaults = style.getattr(intern!(py, "_defaults"))?;
        let tpl = match kind {
            Some(Style::Template) => style.getattr(intern!(py, "_tpl"))?,
            _ => py.None().into_bound(py),
        };
        {
            let mut st = slf.get().state.lock();
            if let Some(c) = &mut st.msg {
                if c.style.is(&style)
                    && c.fmt.is(&fmt)
                    && c.defaults.is(&defaults)
                    && c.tpl.is(&tpl)
                {
                    c.epoch = now;
                    return Ok((style, c.view(py)));
                }
            }
        }
        let source = if tpl.is_none() {
            fmt.clone()
        } else {
            tpl.getattr(intern!(py, "template"))?
        };
        let (layout, uses_time, kind) = match (
            fmt.cast_exact::<PyString>(),
            source.cast_exact::<PyString>(),
        ) {
            (Ok(f), Ok(src)) => match (f.to_str(), src.to_str()) {
                (Ok(f), Ok(src)) => {
                    let k = kind.unwrap_or(Style::Percent);
                    (
                        Layout::parse(k, src).map(Arc::new),
                        layout::uses_time(k, f),
                        kind,
                    )
                }
                _ => (None, false, None),
            },
            // A non-str `_fmt`: leave everything to the Python style object.
            _ => (None, false, None),
        };
        let keys: Arc<Vec<Py<PyString>>> = Arc::new(
            layout
                .iter()
                .flat_map(|l| l.fields())
                .map(|f| PyString::intern(py, &f.name).unbind())
                .collect(),
        );
        let defaults = defaults.unbind();
        let cache = MsgCache {
            epoch: now,
            style: style.clone().unbind(),
            fmt: fmt.unbind(),
            defaults: defaults.clone_ref(py),
            tpl: tpl.unbind(),
            kind,
            layout: layout.clone(),
            keys: keys.clone(),
            uses_time,
        };
        slf.get().state.lock().msg = Some(cache);
        Ok((
            style,
            MsgView {
                kind,
                layout,
                keys,
                defaults: Some(defaults),
                uses_time,
            },
        ))
    }

    fn render_message<'py>(
        slf: &Bound<'py, Self>,
        record: &Bound<'py, PyAny>,
        dict: Option<&RecordView<'py>>,
        style: &Bound<'py, PyAny>,
        view: &MsgView,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (layout, dict) = match (&view.layout, dict) {
            (Some(l), Some(d)) => (l, d),
            _ => return style.call_method1(intern!(py, "format"), (record,)),
        };
        let defaults = match view.defaults.as_ref().map(|d| d.bind(py)) {
            Some(d) if d.is_none() => None,
            Some(d) => match d.cast::<PyDict>() {
                Ok(d) => Some(d),
                // A non-dict `defaults` mapping: let the style merge it as stdlib does.
                Err(_) => return style.call_method1(intern!(py, "format"), (record,)),
            },
            None => None,
        };
        let mut out = String::with_capacity(128);
        let mut keys = view.keys.iter();
        for seg in &layout.segments {
            match seg {
                Segment::Lit(s) => out.push_str(s),
                Segment::Field(f) => {
                    let key = keys.next().expect("one key per field").bind(py);
                    let v = match dict.get_item(key)? {
                        Some(v) => v,
                        None => match defaults.map(|d| d.get_item(key)).transpose()?.flatten() {
                            Some(v) => v,
                            None => return Err(missing_field(py, &f.name)),
                        },
                    };
                    let native = scalar(&v).map(|fv| layout::render_field(f, &fv, &mut out));
                    if !matches!(native, Some(Ok(()))) && !python_field(py, f, &v, &mut out)? {
                        return style.call_method1(intern!(py, "format"), (record,));
                    }
                }
            }
        }
        Ok(PyString::new(py, &out).into_any())
    }

    fn uses_time_impl(
        slf: &Bound<'_, Self>,
        ov: Overrides,
        style: &Bound<'_, PyAny>,
        view: &MsgView,
    ) -> PyResult<bool> {
        if ov.uses_time {
            return slf.call_method0(intern!(slf.py(), "usesTime"))?.is_truthy();
        }
        if view.kind.is_some() {
            return Ok(view.uses_time);
        }
        style
            .call_method0(intern!(slf.py(), "usesTime"))?
            .is_truthy()
    }

    fn converter_kind(py: Python<'_>, conv: &Bound<'_, PyAny>) -> PyResult<Option<Converter>> {
        let fns = pyfns(py)?;
        Ok(if conv.is(fns.localtime.bind(py)) {
            Some(Converter::Local)
        } else if conv.is(fns.gmtime.bind(py)) {
            Some(Converter::Utc)
        } else {
            None
        })
    }

    fn msec_kind(v: &Bound<'_, PyAny>) -> PyResult<Option<MsecFormat>> {
        if !v.is_truthy()? {
            return Ok(Some(MsecFormat::Omit));
        }
        match v.cast_exact::<PyString>() {
            Ok(s) if s.to_str().ok() == Some("%s,%03d") => Ok(Some(MsecFormat::CommaThreeDigits)),
            _ => Ok(None),
        }
    }

    fn format_time_impl<'py>(
        slf: &Bound<'py, Self>,
        record: &Bound<'py, PyAny>,
        datefmt: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        if let Some(text) = Self::native_time(slf, record, datefmt)? {
            return Ok(text.into_any());
        }
        let converter = slf.getattr(intern!(py, "converter"))?;
        let created = record.getattr(intern!(py, "created"))?;
        let fns = pyfns(py)?;
        let ct = converter.call1((created,))?;
        let strftime = fns.strftime.bind(py);
        if datefmt.is_truthy()? {
            return strftime.call1((datefmt, ct));
        }
        let s = strftime.call1((slf.getattr(intern!(py, "default_time_format"))?, ct))?;
        let msec_fmt = slf.getattr(intern!(py, "default_msec_format"))?;
        if msec_fmt.is_truthy()? {
            let msecs = record.getattr(intern!(py, "msecs"))?;
            msec_fmt.rem(PyTuple::new(py, [s, msecs])?)
        } else {
            Ok(s)
        }
    }

    /// The formatter's time attributes as native settings, re-read once per epoch.
    /// The second value: whether the settings hold for the whole epoch (else they were read
    /// just now and nothing derived from them may be kept).
    fn time_settings(slf: &Bound<'_, Self>) -> PyResult<(Option<Arc<TimeSettings>>, bool)> {
        let py = slf.py();
        let now = crate::epoch::current();
        {
            let st = slf.get().state.lock();
            if st.time_epoch == now {
                return Ok((st.time.clone(), true));
            }
        }
        let converter = slf.getattr(intern!(py, "converter"))?;
        let settings = match Self::converter_kind(py, &converter)? {
            None => None,
            Some(converter) => {
                // Absent attributes are Python's to report, if ever read.
                let tf = slf.getattr_opt(intern!(py, "default_time_format"))?;
                let time_format = match tf.as_ref().map(|t| t.cast_exact::<PyString>().map(|s| s.to_str())) {
                    Some(Ok(Ok(t))) if timefmt::native_strftime_ok(t) => Some(t.to_string()),
                    _ => None,
                };
                let msec = match slf.getattr_opt(intern!(py, "default_msec_format"))? {
                    Some(m) => Self::msec_kind(&m)?,
                    None => None,
                };
                Some(Arc::new(TimeSettings { converter, time_format, msec }))
            }
        };
        // Cached only while a change to the class (a subclass's `converter = ...`) bumps the
        // epoch; instance attribute assignments always do.
        let watched = crate::cpython::watch_class(&slf.get_type());
        if watched {
            let mut st = slf.get().state.lock();
            st.time_epoch = now;
            st.time = settings.clone();
        }
        Ok((settings, watched))
    }

    /// `formatTime` natively: `None` when Python must do it (another converter, a time format
    /// libc-free code does not render, a non-numeric `created`). The last text is kept: the
    /// records of one millisecond (one second, with a `datefmt`) share it.
    fn native_time<'py>(
        slf: &Bound<'py, Self>,
        record: &Bound<'py, PyAny>,
        datefmt: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyString>>> {
        let py = slf.py();
        let (Some(ts), keep) = Self::time_settings(slf)? else { return Ok(None) };
        let number = |name: &Bound<'_, PyString>| -> PyResult<Option<f64>> {
            Ok(match scalar(&record.getattr(name)?) {
                Some(FieldValue::Float(f)) => Some(f),
                Some(FieldValue::Int(i)) => Some(i as f64),
                _ => None,
            })
        };
        let slots = crate::record::created_and_msecs(record);
        let created = match slots {
            Some((c, _)) => c,
            None => match number(intern!(py, "created"))? {
                Some(c) => c,
                None => return Ok(None),
            },
        };
        let Some(secs) = timefmt::floor_secs(created) else { return Ok(None) };
        let with_datefmt = datefmt.is_truthy()?;
        let msecs = match (with_datefmt, ts.msec.as_ref(), slots) {
            (true, _, _) | (_, Some(MsecFormat::Omit), _) => 0.0,
            (_, _, Some((_, m))) => m,
            _ => match number(intern!(py, "msecs"))? {
                Some(m) => m,
                None => return Ok(None),
            },
        };
        let key = TimeKey { epoch: crate::epoch::current(), secs, msecs: msecs.to_bits() };
        if let Some(t) = slf.get().state.lock().last_time.as_ref().filter(|_| keep) {
            if t.key == key && t.datefmt.bind(py).is(datefmt) {
                return Ok(Some(t.text.bind(py).clone()));
            }
        }
        let cache = &slf.get().time_cache;
        let text = if with_datefmt {
            let Ok(d) = datefmt.cast_exact::<PyString>() else { return Ok(None) };
            let Ok(d) = d.to_str() else { return Ok(None) };
            cache.strftime(secs, ts.converter, d)
        } else {
            let (Some(tf), Some(msec)) = (ts.time_format.as_deref(), ts.msec.as_ref()) else { return Ok(None) };
            timefmt::format_time(cache, created, msecs, ts.converter, None, tf, msec)
        };
        let Some(text) = text else { return Ok(None) };
        let text = PyString::new(py, &text);
        if keep {
            let last = TimeText { key, datefmt: datefmt.clone().unbind(), text: text.clone().unbind() };
            let old = slf.get().state.lock().last_time.replace(last);
            drop(old); // outside the lock: releasing the old datefmt may run Python code
        }
        Ok(Some(text))
    }

    fn format_exception_impl<'py>(
        py: Python<'py>,
        ei: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let traceback = crate::globals::module(py, "traceback")?;
        let print_exception = traceback.getattr("print_exception")?;
        if crate::globals::is_original_print_exception(py, &print_exception) {
            // The native formatter gives print_exception's exact text, cached per code site.
            let text = crate::traceback::format_exception_str(py, &ei.get_item(0)?, &ei.get_item(1)?, &ei.get_item(2)?)?;
            return match text.to_str() {
                Ok(s) => Ok(match s.strip_suffix('\n') {
                    Some(t) => pyo3::types::PyString::new(py, t).into_any(),
                    None => text.clone().into_any(),
                }),
                // Text Rust cannot hold (lone surrogates in a message): strip it in Python.
                Err(_) => Self::strip_newline(text.into_any()),
            };
        }
        let io = crate::globals::module(py, "io")?;
        let sio = io.getattr("StringIO")?.call0()?;
        let tb = ei.get_item(2)?;
        traceback.getattr("print_exception")?.call1((
            ei.get_item(0)?,
            ei.get_item(1)?,
            tb,
            py.None(),
            &sio,
        ))?;
        let s = sio.call_method0("getvalue")?;
        sio.call_method0("close")?;
        Self::strip_newline(s)
    }

    /// `s[:-1]` when `s` ends with a newline, computed by Python.
    fn strip_newline(s: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyAny>> {
        let py = s.py();
        if s.call_method1(intern!(py, "endswith"), ("\n",))?.is_truthy()? {
            return s.get_item(pyo3::types::PySlice::new(py, 0, -1, 1));
        }
        Ok(s)
    }

    fn format_message_impl<'py>(
        slf: &Bound<'py, Self>,
        record: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (style, view) = Self::msg_view(slf)?;
        Self::render_message(slf, record, record_view(record).as_ref(), &style, &view)
    }

    /// Appends `block` to `s` on a new line, with Python semantics for non-str values.
    fn append_py<'py>(
        s: Bound<'py, PyAny>,
        block: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = s.py();
        if let (Ok(a), Ok(b)) = (s.cast::<PyString>(), block.cast::<PyString>()) {
            if let (Ok(a), Ok(b)) = (a.to_str(), b.to_str()) {
                let mut out = a.to_string();
                append_block(&mut out, b);
                return Ok(PyString::new(py, &out).into_any());
            }
        }
        let last = s.get_item(pyo3::types::PySlice::new(py, -1, isize::MAX, 1))?;
        let s = if last.ne("\n")? { s.add("\n")? } else { s };
        s.add(block)
    }

    /// Returns a GIL-free plan when this formatter is exactly `Formatter` (or `FormatterCore`)
    /// with a natively renderable format, a `time.localtime`/`time.gmtime` converter, a plain
    /// `datefmt`/`default_time_format`, a `'%s,%03d'` or empty `default_msec_format`, and
    /// scalar `defaults`. Returns `None` otherwise (format with Python `format()` then).
    /// Needs the GIL to inspect the formatter; the returned plan does not.
    pub fn native_plan(slf: &Bound<'_, Self>) -> Option<Arc<NativeFormatterPlan>> {
        Self::native_plan_impl(slf).ok().flatten()
    }

    fn native_plan_impl(slf: &Bound<'_, Self>) -> PyResult<Option<Arc<NativeFormatterPlan>>> {
        let py = slf.py();
        let ty = slf.get_type();
        let exact = ty.is(py.get_type::<FormatterCore>())
            || REGISTRY
                .get(py)
                .is_some_and(|r| ty.is(r.formatter.bind(py)));
        if !exact || Self::overrides(slf)?.any() {
            return Ok(None);
        }
        let (style, view) = Self::msg_view(slf)?;
        let Some(layout) = view.layout.clone() else {
            return Ok(None);
        };
        let keys = [
            style.clone(),
            style.getattr(intern!(py, "_fmt"))?,
            style.getattr(intern!(py, "_defaults"))?,
            slf.getattr(intern!(py, "datefmt"))?,
            slf.getattr(intern!(py, "converter"))?,
            slf.getattr(intern!(py, "default_time_format"))?,
            slf.getattr(intern!(py, "default_msec_format"))?,
        ];
        {
            let st = slf.get().state.lock();
            if let Some(pc) = &st.plan {
                if pc.keys.iter().zip(keys.iter()).all(|(a, b)| a.is(b)) {
                    return Ok(pc.plan.clone());
                }
            }
        }
        let plan = Self::build_plan(py, &layout, &keys)?.map(Arc::new);
        slf.get().state.lock().plan = Some(PlanCache {
            keys: keys.iter().map(|k| k.clone().unbind()).collect(),
            plan: plan.clone(),
        });
        Ok(plan)
    }

    fn build_plan(
        py: Python<'_>,
        layout: &Layout,
        keys: &[Bound<'_, PyAny>; 7],
    ) -> PyResult<Option<NativeFormatterPlan>> {
        let [_, _, defaults, datefmt, converter, time_fmt, msec_fmt] = keys;
        let Some(converter) = Self::converter_kind(py, converter)? else {
            return Ok(None);
        };
        let Some(msec) = Self::msec_kind(msec_fmt)? else {
            return Ok(None);
        };
        let datefmt = if datefmt.is_truthy()? {
            match datefmt.cast_exact::<PyString>() {
                Ok(s) if timefmt::native_strftime_ok(s.to_str()?) => Some(s.to_str()?.to_string()),
                _ => return Ok(None),
            }
        } else {
            None
        };
        let time_format = match time_fmt.cast_exact::<PyString>() {
            Ok(s) if timefmt::native_strftime_ok(s.to_str()?) => s.to_str()?.to_string(),
            _ => return Ok(None),
        };
        let mut owned = Vec::new();
        if let Ok(d) = defaults.cast::<PyDict>() {
            for (k, v) in d.iter() {
                let (Ok(k), Some(v)) = (k.cast_exact::<PyString>(), owned_scalar(&v)) else {
                    return Ok(None);
                };
                owned.push((k.to_str()?.to_string(), v));
            }
        } else if !defaults.is_none() {
            return Ok(None);
        }
        Ok(Some(NativeFormatterPlan::new(
            layout.clone(),
            owned,
            converter,
            datefmt,
            time_format,
            msec,
        )))
    }
}

#[pymethods]
impl FormatterCore {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        FormatterCore {
            state: Mutex::new(State::default()),
            time_cache: SecondCache::default(),
        }
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // Never block inside the collector: a formatter busy in another thread is skipped.
        let Some(st) = self.state.try_lock() else {
            return Ok(());
        };
        if let Some(c) = &st.msg {
            for obj in [&c.style, &c.fmt, &c.defaults, &c.tpl] {
                visit.call(obj)?;
            }
        }
        if let Some(p) = &st.plan {
            for obj in &p.keys {
                visit.call(obj)?;
            }
        }
        if let Some(t) = &st.last_time {
            visit.call(&t.datefmt)?;
        }
        Ok(())
    }

    fn __clear__(&self) {
        let mut st = self.state.lock();
        st.msg = None;
        st.plan = None;
        st.last_time = None;
    }

    /// No constructor arguments: copies and pickles rebuild the formatter from its `__dict__`.
    fn __getnewargs__<'py>(&self, py: Python<'py>) -> Bound<'py, PyTuple> {
        PyTuple::empty(py)
    }

    /// Format the specified record as text (stdlib `Formatter.format`).
    ///
    /// Sets `record.message`, `record.asctime` (when the format uses it) and caches
    /// `record.exc_text`; appends exception text and stack information on new lines.
    fn format<'py>(
        slf: &Bound<'py, Self>,
        record: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let ov = Self::overrides(slf)?;
        let message = record.call_method0(intern!(py, "getMessage"))?;
        record.setattr(intern!(py, "message"), message)?;
        let dict = record_view(record);
        let (style, view) = Self::msg_view(slf)?;
        if Self::uses_time_impl(slf, ov, &style, &view)? {
            let datefmt = slf.getattr(intern!(py, "datefmt"))?;
            let asctime = if ov.format_time {
                slf.call_method1(intern!(py, "formatTime"), (record, datefmt))?
            } else {
                Self::format_time_impl(slf, record, &datefmt)?
            };
            record.setattr(intern!(py, "asctime"), asctime)?;
        }
        let mut s = if ov.format_message {
            slf.call_method1(intern!(py, "formatMessage"), (record,))?
        } else {
            Self::render_message(slf, record, dict.as_ref(), &style, &view)?
        };
        let exc_info = rec_attr(record, dict.as_ref(), intern!(py, "exc_info"))?;
        if exc_info.is_truthy()? {
            let exc_text = rec_attr(record, dict.as_ref(), intern!(py, "exc_text"))?;
            if !exc_text.is_truthy()? {
                let text = if ov.format_exception {
                    slf.call_method1(intern!(py, "formatException"), (&exc_info,))?
                } else {
                    Self::format_exception_impl(py, &exc_info)?
                };
                record.setattr(intern!(py, "exc_text"), text)?;
            }
        }
        let exc_text = rec_attr(record, dict.as_ref(), intern!(py, "exc_text"))?;
        if exc_text.is_truthy()? {
            s = Self::append_py(s, &exc_text)?;
        }
        let stack_info = rec_attr(record, dict.as_ref(), intern!(py, "stack_info"))?;
        if stack_info.is_truthy()? {
            let text = if ov.format_stack {
                slf.call_method1(intern!(py, "formatStack"), (&stack_info,))?
            } else {
                stack_info
            };
            s = Self::append_py(s, &text)?;
        }
        Ok(s)
    }

    /// Return the creation time of the record as formatted text (stdlib `formatTime`).
    #[pyo3(name = "formatTime", signature = (record, datefmt=None))]
    fn format_time<'py>(
        slf: &Bound<'py, Self>,
        record: &Bound<'py, PyAny>,
        datefmt: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let datefmt = datefmt.unwrap_or_else(|| slf.py().None().into_bound(slf.py()));
        Self::format_time_impl(slf, record, &datefmt)
    }

    /// Format an exception tuple `(type, value, traceback)` as stdlib's traceback text.
    #[pyo3(name = "formatException")]
    fn format_exception<'py>(
        slf: &Bound<'py, Self>,
        ei: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::format_exception_impl(slf.py(), ei)
    }

    /// Format stack information; returned unchanged, as in stdlib.
    #[pyo3(name = "formatStack")]
    fn format_stack<'py>(&self, stack_info: Bound<'py, PyAny>) -> Bound<'py, PyAny> {
        stack_info
    }

    /// Check whether the format uses the creation time of the record.
    #[pyo3(name = "usesTime")]
    fn uses_time(slf: &Bound<'_, Self>) -> PyResult<bool> {
        let (style, view) = Self::msg_view(slf)?;
        Self::uses_time_impl(slf, Overrides::default(), &style, &view)
    }

    /// Format the record's attributes with the formatter's style.
    #[pyo3(name = "formatMessage")]
    fn format_message<'py>(
        slf: &Bound<'py, Self>,
        record: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::format_message_impl(slf, record)
    }

    /// True when this formatter can format records without the GIL (diagnostics/tests).
    #[getter(_native_plan_available)]
    fn native_plan_available(slf: &Bound<'_, Self>) -> bool {
        Self::native_plan(slf).is_some()
    }

    /// True when the current format string is rendered natively (diagnostics/tests).
    #[getter(_native_layout)]
    fn native_layout(slf: &Bound<'_, Self>) -> PyResult<bool> {
        Ok(Self::msg_view(slf)?.1.layout.is_some())
    }
}

/// Registers the Python classes the native core must recognise (called once by `_formatter.py`).
#[pyfunction]
fn _register_formatter_types(
    py: Python<'_>,
    formatter: Bound<'_, PyType>,
    percent: Bound<'_, PyType>,
    brace: Bound<'_, PyType>,
    template: Bound<'_, PyType>,
) -> PyResult<()> {
    let reg = Registry {
        formatter: formatter.unbind(),
        percent: percent.unbind(),
        brace: brace.unbind(),
        template: template.unbind(),
    };
    // A second registration (module reload) keeps the first classes: instances of the new
    // classes then simply take the Python paths, which give the same output.
    let _ = REGISTRY.set(py, reg);
    Ok(())
}

/// Adds `FormatterCore` and the registration hook to the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<FormatterCore>()?;
    m.add_function(wrap_pyfunction!(_register_formatter_types, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Rec(HashMap<&'static str, FieldValue<'static>>);
    impl FieldSource for Rec {
        fn field(&self, name: &str) -> Option<FieldValue<'_>> {
            self.0.get(name).copied()
        }
    }

    fn plan(fmt: &str, style: Style, datefmt: Option<&str>) -> NativeFormatterPlan {
        NativeFormatterPlan::new(
            Layout::parse(style, fmt).unwrap(),
            vec![("custom".into(), OwnedValue::Str("dflt".into()))],
            Converter::Utc,
            datefmt.map(str::to_string),
            "%Y-%m-%d %H:%M:%S".into(),
            MsecFormat::CommaThreeDigits,
        )
    }

    fn rec(extra: &[(&'static str, FieldValue<'static>)]) -> Rec {
        let mut m = HashMap::new();
        m.insert("message", FieldValue::Str("hi"));
        m.insert("levelname", FieldValue::Str("INFO"));
        m.insert("msecs", FieldValue::Float(123.9));
        m.insert("exc_text", FieldValue::None);
        for (k, v) in extra {
            m.insert(*k, *v);
        }
        Rec(m)
    }

    #[test]
    fn plan_renders_line_with_asctime_and_defaults() {
        let p = plan(
            "%(asctime)s %(levelname)-5s %(custom)s %(message)s",
            Style::Percent,
            None,
        );
        let mut out = String::new();
        p.render(&rec(&[]), 735379380.5, &mut out).unwrap();
        assert_eq!(out, "1993-04-21 08:03:00,123 INFO  dflt hi");
        assert!(p.needs().asctime && p.needs().message);
    }

    #[test]
    fn plan_appends_exception_and_stack() {
        let p = plan("{message}", Style::Brace, Some("%H"));
        let mut out = String::from("prefix:");
        let r = rec(&[
            ("exc_text", FieldValue::Str("Traceback")),
            ("stack_info", FieldValue::Str("Stack")),
        ]);
        p.render(&r, 0.0, &mut out).unwrap();
        assert_eq!(out, "prefix:hi\nTraceback\nStack");
    }

    #[test]
    fn plan_reports_missing_fields() {
        let p = plan("$nope", Style::Template, None);
        let mut out = String::new();
        assert_eq!(
            p.render(&rec(&[]), 0.0, &mut out),
            Err(RenderError::Missing("nope".into()))
        );
    }
}
