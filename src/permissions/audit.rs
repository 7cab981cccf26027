//! `--audit-permissions FILE`: one JSON line per permission check, so an
//! operator can learn what a script really needs before narrowing its
//! grants.
//!
//! A line says the kind (`read`, `write`, `run`, `env`, `net`), the target
//! as the script named it, whether it was granted, the reason when it was
//! not, and where in the script the call that asked was made
//! (`file:line:col`, `null` when no script code asked):
//!
//! ```text
//! {"kind":"read","target":"data/x.txt","granted":true,"at":"main.tasks:3:7"}
//! ```
//!
//! Where: the interpreter tells the log the location of each native call
//! it makes while the log is on ([`Permissions::set_site`]); a check made
//! later by an operation that call started (a name looked up on a blocking
//! thread, a redirect) uses the copy of the grants the operation took,
//! which keeps the location of the call it was taken in (cloning pins it).
//! Lines are appended, each with one `write` on a file opened `O_APPEND`,
//! so several runs may share a file.

use super::{Denied, Kind, Permissions};
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The open log and the location of the native call being made.
struct Log {
    file: Mutex<File>,
    site: Mutex<Option<Arc<str>>>,
}

/// A grants' handle on the log: shared by every copy.
pub(super) struct Audit {
    log: Arc<Log>,
    /// The location a copy was taken at (see the module's comment).
    pinned: Option<Arc<str>>,
}

impl Clone for Audit {
    /// A copy is taken for an operation a call starts: it keeps that
    /// call's location for the checks it makes later.
    fn clone(&self) -> Audit {
        Audit {
            log: self.log.clone(),
            pinned: self.pinned.clone().or_else(|| self.log.current()),
        }
    }
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Audit")
            .field("pinned", &self.pinned)
            .finish()
    }
}

impl Log {
    fn current(&self) -> Option<Arc<str>> {
        self.site.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Audit {
    /// One line; `refused` holds the reason of a refusal. Written by
    /// hand to keep the fields in this order (serde_json's maps sort them).
    fn write(&self, kind: Kind, target: Option<&str>, refused: Option<String>) {
        let site = self.pinned.clone().or_else(|| self.log.current());
        let json = |v: Option<&str>| serde_json::to_string(&v).unwrap_or_default();
        let reason = match &refused {
            Some(r) => format!(",\"reason\":{}", json(Some(r))),
            None => String::new(),
        };
        let line = format!(
            "{{\"kind\":\"{}\",\"target\":{},\"granted\":{}{reason},\"at\":{}}}",
            kind.name(),
            json(target),
            refused.is_none(),
            json(site.as_deref()),
        );
        let mut text = line;
        text.push('\n');
        let mut file = self.log.file.lock().unwrap_or_else(|e| e.into_inner());
        // A log that cannot be written does not stop the script.
        let _ = file.write_all(text.as_bytes());
    }
}

impl Permissions {
    /// Logs every check these grants make to `path` (created if missing,
    /// appended to), one JSON line each: `--audit-permissions FILE`.
    pub fn audit_to(mut self, path: &Path) -> io::Result<Permissions> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        self.audit = Some(Audit {
            log: Arc::new(Log {
                file: Mutex::new(file),
                site: Mutex::new(None),
            }),
            pinned: None,
        });
        Ok(self)
    }

    /// Whether checks are logged (the interpreter then tells where each
    /// native call is made).
    #[inline]
    pub fn audits(&self) -> bool {
        self.audit.is_some()
    }

    /// The script location (`file:line:col`) of the call being made, for
    /// the checks it makes; `None` when no script code is calling.
    pub fn set_site(&self, site: Option<&str>) {
        if let Some(a) = &self.audit {
            *a.log.site.lock().unwrap_or_else(|e| e.into_inner()) = site.map(Arc::from);
        }
    }

    /// Logs a refusal by a rule outside these methods (a module's own,
    /// such as the dynamic loader's variables in `process` calls).
    pub fn record_refusal(&self, kind: Kind, target: &str, reason: &str) {
        if let Some(a) = &self.audit {
            a.write(kind, Some(target), Some(reason.to_string()));
        }
    }

    /// Logs the outcome of a check and hands it back.
    pub(super) fn audited<T>(
        &self,
        kind: Kind,
        target: Option<&str>,
        outcome: Result<T, Denied>,
    ) -> Result<T, Denied> {
        if let Some(a) = &self.audit {
            a.write(kind, target, outcome.as_ref().err().map(Denied::to_string));
        }
        outcome
    }
}
