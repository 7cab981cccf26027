//! What acts on a checked place as a whole tree, or on what it is rather
//! than what it holds: `stat`/`lstat`, `chmod`, removing a folder with
//! everything in it, and the folder handles a walk goes down by.
//!
//! Everything goes through folder handles with `O_NOFOLLOW` (and
//! `AT_SYMLINK_NOFOLLOW`), as the rest of the layer does: a link met in a
//! tree is acted on itself (removed, reported), never gone through, and a
//! folder swapped for a link between a look and an open fails the open.

use super::{moved, Parent};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// Opening a folder to list it and to go down from it.
const DIR: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

impl Parent {
    /// What is at the place itself (a link is described, not followed).
    pub fn lstat(&self) -> io::Result<Stat> {
        rustix::fs::statat(&self.dir, &self.name, AtFlags::SYMLINK_NOFOLLOW).map_err(Into::into)
    }

    /// What is at the place, which the check resolved: a link found
    /// there now was swapped in after it, and is refused.
    pub fn stat(&self) -> io::Result<Stat> {
        let st = self.lstat()?;
        if FileType::from_raw_mode(st.st_mode) == FileType::Symlink {
            return Err(moved());
        }
        Ok(st)
    }

    /// Sets the permission bits of what is at the place (a link there is
    /// refused). Linux has no `chmod` that refuses a link at the last name
    /// (`fchmodat`'s `AT_SYMLINK_NOFOLLOW` is `EOPNOTSUPP` before 6.6), and
    /// `fchmod` needs a descriptor open for reading, which a file of mode
    /// 000 refuses: so the file is opened as a path (`O_PATH |
    /// O_NOFOLLOW`, which opens a link itself), checked, and changed
    /// through `/proc/self/fd`, which names exactly that file (glibc's
    /// own way).
    pub fn chmod(&self, mode: u32) -> io::Result<()> {
        let fd = rustix::fs::openat(
            &self.dir,
            &self.name,
            OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        if FileType::from_raw_mode(rustix::fs::fstat(&fd)?.st_mode) == FileType::Symlink {
            return Err(moved());
        }
        let by_fd = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd));
        rustix::fs::chmod(by_fd.as_str(), Mode::from_raw_mode(mode & 0o7777)).map_err(Into::into)
    }

    /// Opens the folder at the place, to list it and go down from it.
    pub fn open_dir(&self) -> io::Result<OwnedFd> {
        open_child(self.dir.as_fd(), &self.name)
    }

    /// Removes what is at the place: a file or a link itself, or a folder
    /// and everything in it. No link inside is followed: a link to a
    /// folder is removed, not emptied.
    pub fn remove_tree(&self) -> io::Result<()> {
        remove_entry(self.dir.as_fd(), &self.name)
    }
}

/// Opens the folder `name` in `dir`, never through a link (a link there
/// is `Moved`).
pub fn open_child(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<OwnedFd> {
    rustix::fs::openat(dir, name, DIR, Mode::empty()).map_err(|e| {
        let is_link = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|s| FileType::from_raw_mode(s.st_mode) == FileType::Symlink);
        if e == rustix::io::Errno::LOOP || is_link {
            moved()
        } else {
            e.into()
        }
    })
}

/// The names in an open folder (not `.` and `..`), sorted by their bytes.
pub fn names_in(dir: BorrowedFd<'_>) -> io::Result<Vec<OsString>> {
    use std::os::unix::ffi::OsStrExt;
    let mut names = Vec::new();
    for entry in rustix::fs::Dir::read_from(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name != b"." && name != b".." {
            names.push(OsStr::from_bytes(name).to_os_string());
        }
    }
    names.sort();
    Ok(names)
}

/// A folder being emptied: its handle, the names left in it, and its own
/// name in the folder above.
struct Frame {
    fd: OwnedFd,
    left: Vec<OsString>,
    name: OsString,
}

/// Removes `name` in the open folder `dir` as [`Parent::remove_tree`]
/// does (a temporary folder at the end of a program).
pub fn remove_tree_at(dir: impl AsFd, name: &OsStr) -> io::Result<()> {
    remove_entry(dir.as_fd(), name)
}

/// Removes `name` in `dir` and, for a folder, all it holds, depth first
/// with a handle per level (a loop, not recursion: a deep tree costs
/// descriptors, not stack). Whatever is not a folder is unlinked itself.
fn remove_entry(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<()> {
    let Some(fd) = open_or_unlink(dir, name)? else {
        return Ok(());
    };
    let left = names_in(fd.as_fd())?;
    let mut stack = vec![Frame {
        fd,
        left,
        name: name.to_os_string(),
    }];
    while let Some(top) = stack.last_mut() {
        match top.left.pop() {
            Some(child) => {
                if let Some(fd) = open_or_unlink(top.fd.as_fd(), &child)? {
                    let left = names_in(fd.as_fd())?;
                    stack.push(Frame {
                        fd,
                        left,
                        name: child,
                    });
                }
            }
            None => {
                let done = stack.pop().map(|f| f.name).unwrap_or_default();
                let above = stack.last().map_or(dir, |f| f.fd.as_fd());
                rustix::fs::unlinkat(above, &done, AtFlags::REMOVEDIR)?;
            }
        }
    }
    Ok(())
}

/// A folder at `name` is opened (to be emptied); anything else (a file, a
/// link, a folder swapped for a link a moment ago) is unlinked, and
/// `None` returned.
fn open_or_unlink(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<Option<OwnedFd>> {
    for _ in 0..2 {
        let st = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
        if FileType::from_raw_mode(st.st_mode) != FileType::Directory {
            match rustix::fs::unlinkat(dir, name, AtFlags::empty()) {
                // A folder swapped in after the look: look again.
                Err(e) if e == rustix::io::Errno::ISDIR => continue,
                other => return other.map(|()| None).map_err(Into::into),
            }
        }
        match open_child(dir, name) {
            Ok(fd) => return Ok(Some(fd)),
            // A link swapped in after the look: look again.
            Err(e) if super::is_moved(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(moved())
}
