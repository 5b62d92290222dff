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
    let dict = obj.and_then(cpython::attribute_dict);
    let mut bits = 0u32;
    for (i, (name, original)) in names.iter().zip(originals).enumerate() {
        let shadowed = match &dict {
            Some(d) => d.contains(*name)?,
            None => false,
        };
        let replaced = shadowed
            || match (ty.getattr_opt(*name)?, original) {
                (Some(m), Some(o)) => !m.is(o),
                (None, None) => false,
                _ => true,
            };
        if replaced {
            bits |= 1 << i;
        }
    }
    Ok(bits)
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
