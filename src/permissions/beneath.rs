//! Using a path that passed a check so that what is used is what was
//! checked: the check and the open are one act.
//!
//! A check ([`super::Permissions::place`]) resolves a path through its
//! symlinks to a canonical path and finds the grant that covers it; it
//! hands back a [`Place`]: that grant's folder and the canonical rest
//! below it. Everything an `fs` function does then opens the place's
//! folder by its canonical path *without following any symlink*, so
//! without leaving the grant (a canonical path has no `..`): `openat2`
//! with `RESOLVE_NO_SYMLINKS` (which implies `RESOLVE_NO_MAGICLINKS`;
//! `RESOLVE_BENEATH` too when walking from a folder's handle) where the
//! kernel has it, one `O_NOFOLLOW` open per component where it does not. The last component is acted on
//! relative to its folder's handle ([`Parent`]: `openat`, `mkdirat`,
//! `unlinkat`, `renameat`, all refusing to follow a link).
//!
//! A canonical path has no symlink in it, so a link the check saw is
//! already resolved (a link inside a grant to elsewhere inside it keeps
//! working), and a link found now was swapped in after the check: the walk
//! refuses it with [`Moved`] instead of following it anywhere, even inside
//! the grant (where a `--deny-read` folder may be). No race, `..` or link
//! can make an operation touch a path other than the one checked.
//!
//! Written by hand over `rustix` rather than with `cap-std`: the grants are
//! paths chosen per call (not a few directories opened at start-up, since
//! a grant may not exist yet when the program starts), and the rule here
//! is stricter than cap-std's (no link is followed at all).

use rustix::fs::{AtFlags, Mode, OFlags};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

/// A checked path: the covering grant's folder (canonical) and the
/// canonical rest of the path below it (empty for the grant itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    root: PathBuf,
    rel: PathBuf,
}

/// The error an operation gets when the path changed after its check
/// (a symlink where the check saw a file or folder): the script sees a
/// `NotCapableError`.
#[derive(Debug)]
pub struct Moved;

impl std::fmt::Display for Moved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the path changed after it was checked (a symlink appeared on it)"
        )
    }
}

impl std::error::Error for Moved {}

fn moved() -> io::Error {
    io::Error::other(Moved)
}

/// Whether `e` says the path changed between the check and the use.
pub fn is_moved(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Moved>())
}

/// A directory handle that only walks (no reading), and never through a link.
#[cfg(target_os = "linux")]
const WALK: OFlags = OFlags::PATH
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);
#[cfg(not(target_os = "linux"))]
const WALK: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

impl Place {
    /// `canonical` must be `root` or under it, both canonical.
    pub(super) fn new(root: PathBuf, canonical: &Path) -> Place {
        use std::os::unix::ffi::OsStrExt;
        // By bytes, as `paths::is_under` compares (both canonical).
        let rel = match canonical
            .as_os_str()
            .as_bytes()
            .strip_prefix(root.as_os_str().as_bytes())
        {
            Some(rest) if super::paths::is_under(canonical, &root) => {
                Path::new(OsStr::from_bytes(rest.strip_prefix(b"/").unwrap_or(rest)))
            }
            _ => Path::new(""),
        };
        Place {
            rel: rel.to_path_buf(),
            root,
        }
    }

    /// The canonical path that was checked.
    pub fn path(&self) -> PathBuf {
        if self.rel.as_os_str().is_empty() {
            self.root.clone()
        } else {
            self.root.join(&self.rel)
        }
    }

    /// The grant's folder this place is below.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Opens the folder holding this place, walking from the grant's
    /// folder, and names the place in it. For the grant itself, its own
    /// parent folder is opened by its canonical path (still no link
    /// followed), so that a grant can be created, listed or removed.
    pub fn parent(&self) -> io::Result<Parent> {
        let (dir, name) = match (self.rel.parent(), self.rel.file_name()) {
            // One open of the whole canonical path: it has no `..` and no
            // link may be followed on it, so it cannot leave the grant's
            // folder, as opening that folder first and walking beneath it
            // would ensure, at half the system calls.
            (Some(up), Some(name)) if up.as_os_str().is_empty() => {
                (open_dir(None, &self.root)?, name)
            }
            (Some(up), Some(name)) => (open_dir(None, &self.root.join(up))?, name),
            _ => match (self.root.parent(), self.root.file_name()) {
                (Some(up), Some(name)) => (open_dir(None, up)?, name),
                // The root folder of the system: itself, as ".".
                _ => (open_dir(None, &self.root)?, OsStr::new(".")),
            },
        };
        Ok(Parent {
            dir,
            name: name.to_os_string(),
        })
    }

    /// Opens the file here (see [`Parent::open`]).
    pub fn open(&self, flags: OFlags, mode: u32) -> io::Result<File> {
        self.parent()?.open(flags, mode)
    }

    /// Makes this folder and the missing folders above it, up to the
    /// grant's folder (never above it); an existing folder is fine.
    pub fn mkdir_all(&self) -> io::Result<()> {
        match self.parent() {
            Ok(p) => p.mkdir_or_exists(),
            Err(e) if e.kind() == io::ErrorKind::NotFound && self.rel.parent().is_some() => {
                let up = Place {
                    root: self.root.clone(),
                    rel: self.rel.parent().unwrap_or(Path::new("")).to_path_buf(),
                };
                up.mkdir_all()?;
                self.parent()?.mkdir_or_exists()
            }
            Err(e) => Err(e),
        }
    }
}

/// A checked place's folder, open, and the place's name in it: what
/// every operation on the place acts through.
#[derive(Debug)]
pub struct Parent {
    dir: OwnedFd,
    name: OsString,
}

impl Parent {
    /// The folder's handle, for operations of one's own (a temporary file
    /// beside the place, renamed over it).
    pub fn dir(&self) -> BorrowedFd<'_> {
        self.dir.as_fd()
    }

    /// The place's name in [`Parent::dir`].
    pub fn name(&self) -> &OsStr {
        &self.name
    }

    /// Opens the place with `flags` (`O_CREAT` makes it with `mode`, less
    /// the umask); a link there is refused, never followed.
    pub fn open(&self, flags: OFlags, mode: u32) -> io::Result<File> {
        self.open_named(&self.name, flags, mode)
    }

    /// Opens `name` in the same folder, as [`Parent::open`] does.
    pub fn open_named(&self, name: &OsStr, flags: OFlags, mode: u32) -> io::Result<File> {
        let flags = flags | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        rustix::fs::openat(&self.dir, name, flags, Mode::from_raw_mode(mode))
            .map(File::from)
            .map_err(|e| self.link_or(e))
    }

    /// The whole file.
    pub fn read(&self) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        self.open(OFlags::RDONLY, 0)?.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// The names in the folder (not `.` and `..`), unsorted.
    pub fn list(&self) -> io::Result<Vec<OsString>> {
        use std::os::unix::ffi::OsStrExt;
        let fd: OwnedFd = self.open(OFlags::RDONLY | OFlags::DIRECTORY, 0)?.into();
        let mut names = Vec::new();
        for entry in rustix::fs::Dir::new(fd)? {
            let name = entry?.file_name().to_bytes().to_vec();
            if name != b"." && name != b".." {
                names.push(OsStr::from_bytes(&name).to_os_string());
            }
        }
        Ok(names)
    }

    /// What is there (a link is refused, as everywhere).
    pub fn metadata(&self) -> io::Result<std::fs::Metadata> {
        #[cfg(target_os = "linux")]
        let flags = OFlags::PATH;
        #[cfg(not(target_os = "linux"))]
        let flags = OFlags::RDONLY;
        let meta = self.open(flags, 0)?.metadata()?;
        if meta.file_type().is_symlink() {
            return Err(moved()); // O_PATH | O_NOFOLLOW opens a link itself
        }
        Ok(meta)
    }

    /// Makes the folder.
    pub fn mkdir(&self) -> io::Result<()> {
        rustix::fs::mkdirat(&self.dir, &self.name, Mode::from_raw_mode(0o777)).map_err(Into::into)
    }

    fn mkdir_or_exists(&self) -> io::Result<()> {
        match self.mkdir() {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && self.metadata()?.is_dir() => {
                Ok(())
            }
            other => other,
        }
    }

    /// Removes a file, a link (itself), or an empty folder.
    pub fn remove(&self) -> io::Result<()> {
        let stat = rustix::fs::statat(&self.dir, &self.name, AtFlags::SYMLINK_NOFOLLOW)?;
        let is_dir = rustix::fs::FileType::from_raw_mode(stat.st_mode).is_dir();
        let flags = if is_dir {
            AtFlags::REMOVEDIR
        } else {
            AtFlags::empty()
        };
        rustix::fs::unlinkat(&self.dir, &self.name, flags).map_err(Into::into)
    }

    /// Renames the place to `to` (replacing a file there, as `rename(2)`).
    pub fn rename_to(&self, to: &Parent) -> io::Result<()> {
        rustix::fs::renameat(&self.dir, &self.name, &to.dir, &to.name).map_err(Into::into)
    }

    /// `ELOOP` from an `O_NOFOLLOW` open means a link is there now.
    fn link_or(&self, e: rustix::io::Errno) -> io::Error {
        if e == rustix::io::Errno::LOOP {
            return moved();
        }
        if e == rustix::io::Errno::NOTDIR && self.is_link() {
            return moved(); // `O_DIRECTORY` met a link
        }
        e.into()
    }

    fn is_link(&self) -> bool {
        rustix::fs::statat(&self.dir, &self.name, AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|s| rustix::fs::FileType::from_raw_mode(s.st_mode).is_symlink())
    }
}

/// Opens the folder `path` (canonical: absolute from `/` when `from` is
/// `None`, else relative to `from` and kept beneath it) following no link.
fn open_dir(from: Option<BorrowedFd<'_>>, path: &Path) -> io::Result<OwnedFd> {
    #[cfg(target_os = "linux")]
    if let Some(result) = openat2(from, path) {
        return result;
    }
    walk(from, path)
}

/// `openat2`, or `None` where the kernel (or a seccomp filter) lacks it.
#[cfg(target_os = "linux")]
fn openat2(from: Option<BorrowedFd<'_>>, path: &Path) -> Option<io::Result<OwnedFd>> {
    use rustix::fs::ResolveFlags;
    use std::sync::atomic::{AtomicBool, Ordering};
    static MISSING: AtomicBool = AtomicBool::new(false);
    if MISSING.load(Ordering::Relaxed) {
        return None;
    }
    let mut how = ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
    let dir = match from {
        Some(fd) => {
            how |= ResolveFlags::BENEATH;
            fd
        }
        None => rustix::fs::CWD,
    };
    // Without O_NOFOLLOW, which would open a last link itself (O_PATH)
    // rather than fail: RESOLVE_NO_SYMLINKS refuses every link instead.
    let flags = WALK.difference(OFlags::NOFOLLOW);
    match rustix::fs::openat2(dir, path, flags, Mode::empty(), how) {
        Ok(fd) => Some(Ok(fd)),
        Err(e) if e == rustix::io::Errno::NOSYS || e == rustix::io::Errno::PERM => {
            MISSING.store(true, Ordering::Relaxed);
            None
        }
        // A link (ELOOP) or a way out of the grant (EXDEV) on the path.
        Err(e) if e == rustix::io::Errno::LOOP || e == rustix::io::Errno::XDEV => {
            Some(Err(moved()))
        }
        Err(e) => Some(Err(e.into())),
    }
}

/// One `O_NOFOLLOW | O_DIRECTORY` open per component: a link fails the
/// open (`ELOOP`, or `ENOTDIR` with `O_PATH`), `..` is refused outright.
fn walk(from: Option<BorrowedFd<'_>>, path: &Path) -> io::Result<OwnedFd> {
    let mut fd: Option<OwnedFd> = None;
    for part in path.components() {
        let name = match part {
            Component::RootDir if from.is_none() && fd.is_none() => OsStr::new("/"),
            Component::Normal(name) => name,
            Component::CurDir => continue,
            _ => return Err(moved()),
        };
        let dir = match (&fd, from) {
            (Some(fd), _) => fd.as_fd(),
            (None, Some(from)) => from,
            (None, None) => rustix::fs::CWD,
        };
        let next = rustix::fs::openat(dir, name, WALK, Mode::empty()).map_err(|e| {
            let link = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
                .is_ok_and(|s| rustix::fs::FileType::from_raw_mode(s.st_mode).is_symlink());
            if link || e == rustix::io::Errno::LOOP {
                moved()
            } else {
                io::Error::from(e)
            }
        })?;
        fd = Some(next);
    }
    match (fd, from) {
        (Some(fd), _) => Ok(fd),
        // An empty rest: the folder itself, a fresh handle.
        (None, Some(from)) => {
            rustix::fs::openat(from, ".", WALK, Mode::empty()).map_err(Into::into)
        }
        (None, None) => Err(io::Error::from(io::ErrorKind::NotFound)),
    }
}

mod tree;
pub use tree::{names_in, open_child, remove_tree_at};

#[cfg(test)]
mod tests;
