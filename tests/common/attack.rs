//! What the attacker's suites (`tests/security_*.rs`) share: a folder the
//! script is granted beside one it is not, holding a secret, and the check
//! that the secret never shows in what the script printed.

use super::Run;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// A canonical temporary folder with `work/` (the script's folder and
/// grant) and `outside/secret.txt` (beyond every grant) holding `text`.
/// Keep the `TempDir`: the folders go when it is dropped.
pub fn folders(text: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let work = root.join("work");
    let outside = root.join("outside");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), text).unwrap();
    (dir, work, outside)
}

/// Neither stream of `run` holds `secret`.
pub fn assert_no_leak(run: &Run, secret: &str) {
    assert!(
        !run.stdout.contains(secret) && !run.stderr.contains(secret),
        "leaked: {}{}",
        run.stdout,
        run.stderr
    );
}

/// `data/d1/x` is a file; `data/d2/x` links out of the grant to the
/// secret: [`SWAP`] puts `d2` in `d1`'s place after the script's calls
/// were checked.
pub fn swap_setup(work: &Path, outside: &Path) {
    std::fs::create_dir_all(work.join("data/d1")).unwrap();
    std::fs::create_dir_all(work.join("data/d2")).unwrap();
    std::fs::write(work.join("data/d1/x"), "inside").unwrap();
    symlink(outside.join("secret.txt"), work.join("data/d2/x")).unwrap();
}

/// The script's own renames that swap `data/d2` into `data/d1`'s place.
pub const SWAP: &str = "await fs.rename(\"data/d1\", \"data/old\")\n\
                        await fs.rename(\"data/d2\", \"data/d1\")\n";
