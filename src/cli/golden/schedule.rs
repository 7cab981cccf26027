//! `tasks test --trace DIR` and `--timeline DIR`: every case runs with
//! `--trace`/`--timeline` writing into DIR, named after the case
//! (`async/lock.tasks` → `async__lock.json`, `async__lock.html`). A failing
//! case's files stay, and the report names them beside its diff; a
//! passing case's are removed, so DIR holds what there is to look at.

use super::TestOptions;
use std::path::PathBuf;

/// Where one case's schedule goes.
#[derive(Default)]
pub struct ScheduleFiles {
    pub trace: Option<PathBuf>,
    pub timeline: Option<PathBuf>,
}

impl ScheduleFiles {
    /// The files of the case shown as `name` in the report.
    pub fn of(name: &str, opts: &TestOptions) -> ScheduleFiles {
        let stem = name
            .strip_suffix(".tasks")
            .unwrap_or(name)
            .replace('/', "__");
        ScheduleFiles {
            trace: opts
                .trace_dir
                .as_ref()
                .map(|d| d.join(format!("{stem}.json"))),
            timeline: opts
                .timeline_dir
                .as_ref()
                .map(|d| d.join(format!("{stem}.html"))),
        }
    }

    /// The `tasks run` flags that write them.
    pub fn flags(&self) -> Vec<std::ffi::OsString> {
        let mut flags = Vec::new();
        for (flag, path) in [("--trace", &self.trace), ("--timeline", &self.timeline)] {
            if let Some(p) = path {
                flags.push(flag.into());
                flags.push(p.into());
            }
        }
        flags
    }

    /// A passing case's: nothing to look at.
    pub fn remove(&self) {
        for p in [&self.trace, &self.timeline].into_iter().flatten() {
            let _ = std::fs::remove_file(p);
        }
    }

    /// The report's line for a failing case (empty without files, or if
    /// the run ended before writing them: stopped at the timeout).
    pub fn note(&self) -> String {
        let written: Vec<String> = [&self.trace, &self.timeline]
            .into_iter()
            .flatten()
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        match written.is_empty() {
            true => String::new(),
            false => format!("its schedule: {}\n", written.join(", ")),
        }
    }
}
