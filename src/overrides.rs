//! The one answer to "does this class (or this instance) replace that method?".
//!
//! Loggers, formatters and handlers each keep a small bit set of the hot methods a subclass, a
//! class-level patch or an instance attribute replaced; the native code calls Python exactly
//! where a bit is set. The bits are recomputed once per [`epoch`](crate::epoch): assigning an
//! attribute on a watched class or on an instance bumps it, so a patch made before or after the
//! first record is seen by the next one, for old and new objects alike.

use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple, PyType};

use crate::cpython;

/// Every bit set: "treat everything as overridden" (used when a class cannot be watched, so
/// nothing about it may be cached).
pub const ALL: u32 = u32::MAX;

/// Bit `i` is set when `names[i]` resolves, on `obj` (its instance dict first, when given) or on
/// its class `ty`, to something other than `originals[i]` (`None`: the name is absent). A class whose changes cannot be
/// noticed gets [`ALL`].
pub fn detect(
    ty: &Bound<'_, PyType>,
    obj: Option<&Bound<'_, PyAny>>,
    names: &[&Bound<'_, PyString>],
    originals: &[Option<Bound<'_, PyAny>>],
) -> PyResult<u32> {
    if !cpython::watch_class(ty) {
        return Ok(ALL);
    }
    let mut bits = 0u32;
    for (i, (name, original)) in names.iter().zip(originals).enumerate() {
        let on_class = ty.getattr_opt(*name)?;
        let replaced = match (&on_class, original) {
            (Some(m), Some(o)) => !m.is(o),
            (None, None) => false,
            _ => true,
        };
        let shadowed = !replaced
            && match (obj, &on_class) {
                (Some(o), Some(c)) => shadowed_on_instance(o, ty, name, c)?,
                _ => false,
            };
        if replaced || shadowed {
            bits |= 1 << i;
        }
    }
    Ok(bits)
}

/// Does instance `obj` hold its own `name`, hiding the class attribute `on_class`? Answered by
/// comparing the attribute as found on the instance with the class's one bound to it, without
/// touching the instance `__dict__`: materialising it would keep CPython 3.12+ from
/// specialising method lookups on the object (`log.debug` would get slower).
fn shadowed_on_instance(
    obj: &Bound<'_, PyAny>,
    ty: &Bound<'_, PyType>,
    name: &Bound<'_, PyString>,
    on_class: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let py = obj.py();
    let Some(found) = obj.getattr_opt(name)? else { return Ok(false) };
    let bound = match on_class.get_type().getattr_opt(pyo3::intern!(py, "__get__"))? {
        Some(get) => get.call1((on_class, obj, ty))?,
        None => on_class.clone(),
    };
    Ok(!(found.is(&bound) || found.eq(&bound)?))
}

/// [`detect`] against the methods of a base class.
pub fn detect_against(
    ty: &Bound<'_, PyType>,
    obj: Option<&Bound<'_, PyAny>>,
    base: &Bound<'_, PyType>,
    names: &[&Bound<'_, PyString>],
) -> PyResult<u32> {
    let originals = names.iter().map(|n| base.getattr_opt(*n)).collect::<PyResult<Vec<_>>>()?;
    detect(ty, obj, names, &originals)
}

/// `_overrides(cls, base, names)`: does `cls` replace any of `base`'s methods `names`?
#[pyfunction]
fn _overrides(cls: &Bound<'_, PyType>, base: &Bound<'_, PyType>, names: &Bound<'_, PyTuple>) -> PyResult<bool> {
    let names = names.iter().map(|n| n.cast_into::<PyString>()).collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&Bound<'_, PyString>> = names.iter().collect();
    Ok(detect_against(cls, None, base, &refs)? != 0)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_overrides, m)?)
}
