//! The per-logger dispatch plan: the native handlers a record reaches, cached for one epoch.

use std::sync::Arc;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyList;
use smallvec::SmallVec;

use super::target::{served, Served, Target};
use super::{Origin, Step};

/// A logger's cached answer to "which handlers does a record reach, and are they all native":
/// valid for one epoch (a handler's, formatter's or logger's attribute, a watched class, a
/// `propagate` flag or a parent changing bumps it) while the chain's handler lists still hold the
/// same items (in-place `append`/`remove`/slice assignment do not bump the epoch, so the lists'
/// sizes and items are compared). Saves the chain walk and the per-handler slot lookups.
pub struct DispatchPlan {
    epoch: u64,
    links: SmallVec<[Link; 3]>,
    /// Every handler of the chain, in the order a record reaches them.
    pub(crate) entries: SmallVec<[(Py<PyAny>, Served); 4]>,
    /// Records at or above this level reach a handler that needs a Python record (native but
    /// for its Python formatter: `target::Formatted`), so they take the record path.
    pub(crate) record_from: i64,
}

struct Link {
    list: Py<PyList>,
    items: SmallVec<[usize; 4]>,
}

impl DispatchPlan {
    /// Does the plan still describe the chain? One atomic load and a few pointer comparisons.
    pub(crate) fn holds(&self, py: Python<'_>) -> bool {
        if self.epoch != crate::epoch::current() {
            return false;
        }
        self.links.iter().all(|link| crate::cpython::list_holds(link.list.bind(py), &link.items))
    }
}

/// Walk the handler chain for a record at `levelno`, collecting native targets. `None`: a
/// handler the record reaches is not native (take the record path). On a complete, all-native
/// chain of native loggers, caches a [`DispatchPlan`] on the logger.
pub(crate) fn walk_chain<'py>(
    origin: &Origin<'_, 'py>,
    levelno: i64,
    targets: &mut SmallVec<[(Bound<'py, PyAny>, Arc<Target>); 4]>,
) -> PyResult<Option<usize>> {
    let py = origin.logger.py();
    let epoch = crate::epoch::current();
    let mut plan = Some(DispatchPlan { epoch, links: SmallVec::new(), entries: SmallVec::new(), record_from: i64::MAX });
    let mut found = 0usize;
    let mut record_path = false;
    let mut cur: Option<Bound<'py, PyAny>> = Some(origin.logger.clone());
    while let Some(c) = cur {
        let Step { handlers, propagate, parent, native } = (origin.step)(&c)?;
        // Handlers are a list nearly always: index it (no iterator object per call).
        let items: SmallVec<[Bound<'py, PyAny>; 4]> = match handlers.cast_exact::<PyList>() {
            Ok(l) => l.iter().collect(),
            Err(_) => {
                plan = None;
                handlers.try_iter()?.collect::<PyResult<_>>()?
            }
        };
        // A logger that is not native may change its chain without bumping the epoch.
        match (native, handlers.cast_exact::<PyList>(), plan.as_mut()) {
            (true, Ok(list), Some(p)) => p.links.push(Link {
                list: list.clone().unbind(),
                items: items.iter().map(|h| h.as_ptr() as usize).collect(),
            }),
            _ => plan = None,
        }
        for h in items {
            found += 1;
            match served(&h)? {
                Some(Served::Native(t)) => {
                    if let Some(p) = plan.as_mut() {
                        p.entries.push((h.clone().unbind(), Served::Native(t.clone())));
                    }
                    if levelno >= t.level() {
                        if t.has_filters(py) {
                            // Filters need a Python record: the record path runs them natively.
                            return Ok(None);
                        }
                        targets.push((h, t));
                    }
                }
                Some(Served::Formatted(f)) => {
                    let level = f.level();
                    if let Some(p) = plan.as_mut() {
                        p.record_from = p.record_from.min(level);
                        p.entries.push((h.clone().unbind(), Served::Formatted(f)));
                    }
                    // The whole chain is still walked, so that the plan is complete.
                    record_path |= levelno >= level;
                }
                None => {
                    plan = None;
                    // A Python handler below the record's level is skipped, as stdlib would.
                    let hl = h.getattr(intern!(py, "level"))?;
                    match hl.extract::<i64>() {
                        Ok(l) if levelno < l => {}
                        _ => return Ok(None),
                    }
                }
            }
        }
        cur = if propagate { parent } else { None };
    }
    store(origin, plan, found);
    Ok(if record_path { None } else { Some(found) })
}

/// Keep a complete plan on the logger (one made while the epoch moved is dropped).
fn store(origin: &Origin<'_, '_>, plan: Option<DispatchPlan>, found: usize) {
    if found > 0 {
        if let Some(p) = plan.filter(|p| p.epoch == crate::epoch::current()) {
            let old = origin.plan.lock().replace(Arc::new(p));
            drop(old); // outside the lock
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyo3::types::PyList;

    fn plan_over(list: &Bound<'_, PyList>) -> DispatchPlan {
        let mut links = SmallVec::new();
        links.push(Link {
            list: list.clone().unbind(),
            items: list.iter().map(|h| h.as_ptr() as usize).collect(),
        });
        DispatchPlan { epoch: crate::epoch::current(), links, entries: SmallVec::new(), record_from: i64::MAX }
    }

    #[test]
    fn plan_follows_in_place_list_changes_and_the_epoch() {
        Python::initialize();
        Python::attach(|py| {
            let a = pyo3::types::PyString::new(py, "a");
            let list = PyList::new(py, [&a]).unwrap();
            let plan = plan_over(&list);
            assert!(plan.holds(py));
            list.append(&a).unwrap();
            assert!(!plan.holds(py), "an appended handler must invalidate the plan");
            list.del_item(1).unwrap();
            assert!(plan.holds(py));
            list.set_item(0, pyo3::types::PyString::new(py, "b")).unwrap();
            assert!(!plan.holds(py), "a replaced item must invalidate the plan");
            list.set_item(0, &a).unwrap();
            assert!(plan.holds(py));
            crate::epoch::bump();
            assert!(!plan.holds(py), "a new epoch must invalidate the plan");
        });
    }
}
