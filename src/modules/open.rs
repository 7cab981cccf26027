//! Opening a file an `import` names, so that only a script is ever read.
//!
//! An import reads only a regular file whose real name (after every
//! symlink) ends in `.tasks`, and only when the grants let it (see
//! [`crate::permissions::Permissions::check_import`]). The check and the
//! read are one act: on Linux the file is first opened with `O_PATH`
//! (which reads nothing and has no side effect, even on a device or a
//! FIFO), its type and real name are taken from that handle
//! (`fstat`, `/proc/self/fd`), and only then is that same file opened for
//! reading through the handle. A link swapped in meanwhile changes
//! nothing: the handle is the file that was checked.

use crate::permissions::{Denied, Permissions};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Why an import does not read a file.
pub(super) enum Refusal {
    /// Nothing there.
    NotFound,
    /// A folder, a device, or a file whose real name is not `*.tasks`.
    NotScript,
    /// The grants refuse it.
    Denied(Denied),
    Io(io::Error),
}

/// What decides whether a real path may be imported.
pub(super) struct Rules<'a> {
    /// The grants; `None` for a static check that runs nothing (`tasks
    /// check`, the language server): it still reads only scripts.
    pub permissions: Option<&'a Permissions>,
    /// The main script's folder (canonical): imports from it need no grant.
    pub home: &'a Path,
}

/// Whether `path`, as written in an `import`, names a script: its last
/// name ends in `.tasks`. Checked before the file system is touched.
pub(super) fn is_script_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "tasks")
}

/// Opens `path`, checks what it really is, and hands back its real path;
/// `read` is then called only if `wanted(real)` says so (it is not cached).
pub(super) fn open(
    path: &Path,
    shown: &str,
    rules: &Rules,
    wanted: impl FnOnce(&Path) -> bool,
) -> Result<(PathBuf, Option<Vec<u8>>), Refusal> {
    let handle = Handle::open(path)?;
    let real = handle.real_path()?;
    if !handle.is_regular_file()? || !is_script_name(&real) {
        return Err(Refusal::NotScript);
    }
    if let Some(p) = rules.permissions {
        p.check_import(&real, shown, rules.home)
            .map_err(Refusal::Denied)?;
    }
    if !wanted(&real) {
        return Ok((real, None));
    }
    let bytes = handle.read().map_err(Refusal::Io)?;
    Ok((real, Some(bytes)))
}

fn refusal(e: io::Error) -> Refusal {
    match e.kind() {
        io::ErrorKind::NotFound => Refusal::NotFound,
        _ => Refusal::Io(e),
    }
}

/// A handle on the file itself that reads nothing until asked.
struct Handle {
    file: File,
    /// The name it was opened by.
    path: PathBuf,
}

impl Handle {
    #[cfg(target_os = "linux")]
    fn open(path: &Path) -> Result<Handle, Refusal> {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::open(path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty())
            .map_err(|e| refusal(e.into()))?;
        Ok(Handle {
            file: File::from(fd),
            path: path.to_path_buf(),
        })
    }

    /// Elsewhere a plain open, non-blocking (a FIFO does not hang it).
    #[cfg(not(target_os = "linux"))]
    fn open(path: &Path) -> Result<Handle, Refusal> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .map_err(refusal)?;
        Ok(Handle {
            file,
            path: path.to_path_buf(),
        })
    }

    fn is_regular_file(&self) -> Result<bool, Refusal> {
        let stat = rustix::fs::fstat(&self.file).map_err(|e| Refusal::Io(e.into()))?;
        Ok(rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::RegularFile)
    }

    /// The path of the file the handle holds, every link resolved: from
    /// `/proc/self/fd`, or without it, the name resolved again (then a
    /// link swapped in between the open and this could go unseen; the file
    /// read is still the one opened, and a regular file).
    fn real_path(&self) -> Result<PathBuf, Refusal> {
        #[cfg(target_os = "linux")]
        if let Ok(real) = std::fs::read_link(self.proc_path()) {
            return Ok(real);
        }
        self.path.canonicalize().map_err(refusal)
    }

    #[cfg(target_os = "linux")]
    fn proc_path(&self) -> PathBuf {
        use std::os::fd::AsRawFd;
        PathBuf::from(format!("/proc/self/fd/{}", self.file.as_raw_fd()))
    }

    /// The file's bytes, read through the handle (the `O_PATH` handle
    /// reopened for reading: the same file, whatever its name is now).
    /// Without `/proc`, the name is opened again and must still be the
    /// same file.
    fn read(self) -> io::Result<Vec<u8>> {
        #[cfg(target_os = "linux")]
        let reopened = File::open(self.proc_path()).ok();
        #[cfg(not(target_os = "linux"))]
        let reopened = Some(self.file);
        let mut file = match reopened {
            Some(f) => f,
            None => self.open_same_again()?,
        };
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    #[cfg(target_os = "linux")]
    fn open_same_again(&self) -> io::Result<File> {
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(&self.path)?;
        let (was, now) = (self.file.metadata()?, file.metadata()?);
        if (was.dev(), was.ino()) != (now.dev(), now.ino()) {
            return Err(io::Error::other("the file changed while it was imported"));
        }
        Ok(file)
    }

    #[cfg(not(target_os = "linux"))]
    fn open_same_again(&self) -> io::Result<File> {
        unreachable!("the handle was opened for reading")
    }
}
