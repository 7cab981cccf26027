//! The warnings at the end of a run: tasks that failed with nobody to
//! await them, coroutines never awaited. A program that fails a million
//! tasks must not write a million diagnostics (hundreds of megabytes, and
//! minutes): the first few are shown in full, the rest counted, one line
//! per place and error kind.

use super::Engine;
use crate::diagnostics;
use crate::runtime::asyncio::future::FutState;
use crate::runtime::asyncio::task::Task;
use crate::runtime::error::Loc;
use indexmap::IndexMap;
use std::rc::Rc;

/// Reports of each kind shown in full before the rest are counted.
const IN_FULL: usize = 10;

/// A place (source and offset) and an error kind or coroutine name.
type Key = (Option<(u32, u32)>, Rc<str>);

/// The reports past [`IN_FULL`]: how many per place (and error kind), in
/// the order first seen.
#[derive(Default)]
struct Counts(IndexMap<Key, (Option<Loc>, usize)>);

impl Counts {
    fn add(&mut self, at: Option<Loc>, kind: Rc<str>) {
        let key = (at.map(|l| (l.source, l.span.start)), kind);
        self.0.entry(key).or_insert((at, 0)).1 += 1;
    }
}

impl Engine {
    pub(super) fn report_unretrieved(&mut self, main: &Rc<Task>) {
        let failed: Vec<Rc<Task>> = std::mem::take(&mut self.interp.lp.failed);
        let mut shown = 0;
        let mut rest = Counts::default();
        for t in failed {
            if Rc::ptr_eq(&t, main) || !t.core.borrow().unretrieved {
                continue;
            }
            let FutState::Failed(e) = t.core.borrow().state().clone() else {
                continue;
            };
            if shown == IN_FULL {
                rest.add(t.spawned_at, e.kind.clone());
                continue;
            }
            shown += 1;
            let mut labels: Vec<(Loc, String)> = Vec::new();
            if let Some(at) = *e.origin.borrow() {
                labels.push((at, format!("{} thrown here", e.kind)));
            }
            if let Some(at) = t.spawned_at {
                labels.push((at, format!("task '{}' spawned here", t.name())));
            }
            let msg = format!(
                "task '{}' failed and nobody awaited it: {}: {}",
                t.name(),
                e.kind,
                e.message
            );
            let report = diagnostics::warning(&self.style, &self.sources, &msg, &labels);
            self.write_err(&report);
        }
        for ((_, kind), (at, n)) in rest.0 {
            let msg = format!(
                "and {} spawned at {} failed with {kind}",
                more(n, "task"),
                self.place(at)
            );
            self.write_err(&diagnostics::warning(&self.style, &self.sources, &msg, &[]));
        }
    }

    pub(super) fn report_never_awaited(&mut self) {
        let mut shown = 0;
        let mut rest = Counts::default();
        for (name, at) in crate::runtime::interp::Interp::never_awaited(self.id) {
            if at.is_some_and(|l| self.warned_dropped.contains(&(l.source, l.span.start))) {
                continue;
            }
            if shown == IN_FULL {
                rest.add(at, name);
                continue;
            }
            shown += 1;
            let labels: Vec<(Loc, String)> = at
                .map(|l| (l, "created here".to_string()))
                .into_iter()
                .collect();
            let msg = format!("coroutine '{name}' was never awaited or spawned");
            let report = diagnostics::warning(&self.style, &self.sources, &msg, &labels);
            self.write_err(&report);
        }
        for ((_, name), (at, n)) in rest.0 {
            let msg = format!(
                "and {} '{name}' created at {} {} never awaited or spawned",
                more(n, "coroutine"),
                self.place(at),
                if n == 1 { "was" } else { "were" }
            );
            self.write_err(&diagnostics::warning(&self.style, &self.sources, &msg, &[]));
        }
    }

    fn place(&self, at: Option<Loc>) -> String {
        at.map_or_else(
            || "an unknown place".to_string(),
            |l| self.sources.describe(l),
        )
    }
}

/// `1 more task`, `2,519,000 more tasks`.
fn more(n: usize, what: &str) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let s = if n == 1 { "" } else { "s" };
    format!("{grouped} more {what}{s}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(super::more(1, "task"), "1 more task");
        assert_eq!(super::more(999, "task"), "999 more tasks");
        assert_eq!(super::more(2_519_000, "task"), "2,519,000 more tasks");
    }
}
