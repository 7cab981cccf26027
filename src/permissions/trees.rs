//! Checks for operations on a whole tree: removing a folder with all it
//! holds, and walking one.

use super::{Denied, Kind, Permissions, Place, Target};
use std::path::{Path, PathBuf};

impl Permissions {
    /// Checks writing `path` itself and everything below it (removing a
    /// tree): refused when a `--deny-write` path lies inside, which the
    /// removal would take with it. Returns the place, as
    /// [`Permissions::place_itself`].
    pub fn place_tree(&self, path: &Path) -> Result<Place, Denied> {
        let place = self.place_itself(Kind::Write, path)?;
        let tree = place.path();
        let inside = self
            .denied_paths(Kind::Write)
            .into_iter()
            .find(|(p, _)| p.starts_with(&tree));
        if let Some((_, raw)) = inside {
            let target = path.display().to_string();
            let denied = Denied {
                kind: Kind::Write,
                target: Some(target.clone()),
                denied_by: Some(format!("--deny-write={raw}")),
                rule: None,
            };
            return self.audited(Kind::Write, Some(&target), Err(denied));
        }
        Ok(place)
    }

    /// The resolved paths of the `--deny-KIND=...` items, with each as
    /// written: what a walk checks each folder it goes into against (its
    /// folders' canonical paths are known, so no resolving is needed).
    pub fn denied_paths(&self, kind: Kind) -> Vec<(PathBuf, String)> {
        self.rules[kind.index()]
            .deny
            .entries
            .iter()
            .filter_map(|e| match &e.target {
                Target::Path(p) => Some((p.clone(), e.raw.clone())),
                _ => None,
            })
            .collect()
    }

    /// The refusal of reading `canonical` (a folder a walk is about to
    /// go into, below a place already checked) by a deny rule in
    /// `denied` (from [`Permissions::denied_paths`]); `shown` is the path
    /// as the script sees it.
    pub fn denied_below(
        denied: &[(PathBuf, String)],
        canonical: &Path,
        shown: &str,
    ) -> Option<Denied> {
        let (_, raw) = denied.iter().find(|(p, _)| canonical.starts_with(p))?;
        Some(Denied {
            kind: Kind::Read,
            target: Some(shown.to_string()),
            denied_by: Some(format!("--deny-read={raw}")),
            rule: None,
        })
    }
}
