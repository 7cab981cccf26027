//! What an `import` may read: scripts are code, not data, so the main
//! script's own folder needs no grant, but a deny rule always holds.

use super::{Denied, Entry, Kind, Permissions, Target};
use std::path::Path;

impl Permissions {
    /// May an `import` read the script whose real (canonical) path is
    /// `real`? One in `home` (the main script's folder, canonical) or below
    /// it needs no grant; one elsewhere needs the read grant, as reading it
    /// with `fs` would. A `--deny-read` covering it refuses it anywhere.
    /// `shown` is the path as the script wrote it, for the message.
    pub fn check_import(&self, real: &Path, shown: &str, home: &Path) -> Result<(), Denied> {
        let outcome = self.import_judged(real, shown, home);
        self.audited(Kind::Read, Some(shown), outcome)
    }

    /// [`Permissions::check_import`] without the audit log.
    pub(crate) fn import_judged(
        &self,
        real: &Path,
        shown: &str,
        home: &Path,
    ) -> Result<(), Denied> {
        let covers = |e: &Entry| matches!(&e.target, Target::Path(p) if real.starts_with(p));
        if !real.starts_with(home) {
            return self.decide(Kind::Read, shown, covers);
        }
        match self.denied_by(Kind::Read, covers) {
            None => Ok(()),
            Some(flag) => Err(Denied {
                kind: Kind::Read,
                target: Some(shown.to_string()),
                denied_by: Some(flag),
                rule: None,
            }),
        }
    }
}
