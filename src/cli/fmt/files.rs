//! Which files `tasks fmt` formats: the `.tasks` files named, and those
//! under the folders named, in a stable order. Folders whose names start
//! with `.`, `target` and `node_modules` are skipped, and symlinked
//! folders are not followed (so a link loop cannot make it walk forever).

use std::path::{Path, PathBuf};

pub(super) fn script_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        let meta =
            std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if meta.is_dir() {
            walk(path, &mut out).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                walk(&path, out)?;
            }
        } else if name.ends_with(".tasks") && !kind.is_symlink() {
            out.push(path);
        }
    }
    Ok(())
}
