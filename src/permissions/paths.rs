//! Paths as the OS would reach them: made absolute, symlinks resolved by
//! hand (a path that does not exist yet included), programs looked up on
//! `$PATH`, `/proc`'s process folders told apart. What a grant is judged
//! against (`Permissions::check_*`).

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

pub(super) fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// Whether `p` (resolved) is in a process's folder under `/proc`: a pid,
/// `self` or `thread-self`.
pub(super) fn is_process_file(p: &Path) -> bool {
    let mut parts = p.components();
    if parts.next() != Some(Component::RootDir)
        || parts.next() != Some(Component::Normal(OsStr::new("proc")))
    {
        return false;
    }
    match parts.next() {
        Some(Component::Normal(name)) => {
            let name = name.to_string_lossy();
            name == "self"
                || name == "thread-self"
                || (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
    }
}

/// Whether the canonical `path` is `dir` or below it. Both are canonical
/// (absolute; no `.`, `..`, doubled or trailing `/` but in `/` itself), so
/// comparing bytes says what `Path::starts_with` does, which walks both
/// paths component by component and was most of a check's cost.
pub(crate) fn is_under(path: &Path, dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let (p, d) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
    p.starts_with(d) && (p.len() == d.len() || d.ends_with(b"/") || p[d.len()] == b'/')
}

/// How many symlinks one resolution follows by hand (the kernel's limit).
const MAX_LINKS: u32 = 40;

/// The path the OS would reach for `p`: absolute against `cwd`, symlinks
/// resolved. For a path that does not exist (yet), the nearest existing
/// ancestor is canonicalised and the rest appended, following dangling
/// symlinks too, so that creating a file through a link that points
/// outside a grant is seen as what it is.
pub fn resolve_path(cwd: &Path, p: &Path) -> PathBuf {
    resolve(&absolute(cwd, p), 0)
}

pub(super) fn resolve(path: &Path, links: u32) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    if links < MAX_LINKS {
        if let Ok(target) = std::fs::read_link(path) {
            let base = path.parent().unwrap_or(Path::new("/"));
            return resolve(&base.join(target), links + 1);
        }
    }
    let mut components = path.components();
    let last = components.next_back();
    let parent = components.as_path();
    match last {
        Some(Component::Normal(name)) => resolve(parent, links).join(name),
        Some(Component::ParentDir) => {
            let mut p = resolve(parent, links);
            p.pop();
            p
        }
        Some(Component::CurDir) => resolve(parent, links),
        Some(Component::RootDir | Component::Prefix(_)) | None => path.to_path_buf(),
    }
}

/// Where a program would be found: a path with a `/` as it is (made
/// absolute), a bare name looked up in `search` (else `$PATH`). The
/// folder's symlinks are resolved but not the program's own, so `/bin/sh`
/// and `/usr/bin/sh` are one program, while `sh` does not become whatever
/// shell it links to.
pub(super) fn program_path(program: &str, cwd: &Path, search: Option<&OsStr>) -> Option<PathBuf> {
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        return Some(resolve_dir_of(&absolute(cwd, Path::new(program))));
    }
    let env_path = std::env::var_os("PATH");
    // Without PATH, where execvp looks (glibc's confstr(_CS_PATH)).
    let search = search
        .or(env_path.as_deref())
        .unwrap_or(OsStr::new("/bin:/usr/bin"));
    std::env::split_paths(search)
        .map(|dir| absolute(cwd, &dir).join(program))
        .find(|candidate| is_executable(candidate))
        .map(|found| resolve_dir_of(&found))
}

pub(super) fn resolve_dir_of(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => resolve(dir, 0).join(name),
        _ => resolve(path, 0),
    }
}

pub(super) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
