//! Writes that complete or leave the old file intact.
//!
//! `fs.write_text` writes a temporary file in the target's folder and
//! renames it over the target, so a reader (or a program that stops
//! halfway) sees the old file or the new one, never a cut-short one.
//!
//! A file call runs on a blocking thread that the program's end does not
//! stop, and leaving the process kills it mid-write. So every write is
//! registered while in flight, and the end of a program, `exit` and the
//! signals wait for them ([`wait_for_writes`]), as `asyncio.run` waits for
//! its executor's threads. A wait that gives up (a second signal, a write
//! stuck on a full disk or a FIFO) removes the temporary files, so
//! nothing is left behind but the old files.
//!
//! A write that streams (`r.save(path)`, a download) is [`Staged`]: its
//! temporary file is registered too, but nothing waits for it — it may
//! take minutes, and it goes on on the loop thread, which a wait blocks.
//! The program's end drops it (its task's operation is dropped, and the
//! temporary file with it), and a wait just before the process ends
//! removes it at once.

use crate::permissions::beneath::Parent;
use rustix::fs::OFlags;
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Writes in flight: an id, the temporary file each one writes (if any),
/// and whether the end of a program waits for it (not for a [`Staged`]).
static IN_FLIGHT: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
type Entry = (u64, Option<Temp>, bool);
/// Notified when a write ends.
static ENDED: Condvar = Condvar::new();
/// Set when a wait gave up on the writes in flight (the process is about
/// to end): a temporary file made after that is removed at once.
static GAVE_UP: AtomicBool = AtomicBool::new(false);
/// Set by a wait just before the process ends: a [`Staged`] write made
/// after that fails.
static ENDING: AtomicBool = AtomicBool::new(false);
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A temporary file: its folder (a handle of its own) and its name.
struct Temp(OwnedFd, OsString);

impl Temp {
    fn remove(&self) {
        let _ = rustix::fs::unlinkat(&self.0, &self.1, rustix::fs::AtFlags::empty());
    }
}

fn in_flight() -> MutexGuard<'static, Vec<Entry>> {
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner())
}

/// A write registered until it is dropped.
pub(crate) struct Flight(u64);

impl Flight {
    fn start(temp: Option<Temp>) -> Flight {
        Flight::register(temp, true)
    }

    /// Registers a write before anything of it runs: `fs`'s writers call
    /// this on the loop's thread when their operation is first polled, so
    /// that the end of a program (which waits for the writes registered)
    /// cannot come between a blocking thread starting the write and the
    /// write registering itself. A loaded CI run of
    /// `a_signal_during_a_write_leaves_no_part_of_a_file` left a
    /// temporary file from that window.
    pub(crate) fn begin() -> Flight {
        Flight::start(None)
    }

    fn register(temp: Option<Temp>, waited: bool) -> Flight {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        in_flight().push((id, temp, waited));
        Flight(id)
    }

    /// Names the temporary file this write made, so that a wait that
    /// gives up removes it. False (and the file removed) when a wait has
    /// already given up.
    fn attach(&self, temp: Temp) -> bool {
        let mut flights = in_flight();
        match flights.iter_mut().find(|(id, _, _)| *id == self.0) {
            Some((_, slot, waited))
                if !GAVE_UP.load(Ordering::SeqCst)
                    && (*waited || !ENDING.load(Ordering::SeqCst)) =>
            {
                *slot = Some(temp);
                true
            }
            _ => {
                temp.remove();
                false
            }
        }
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        let mut flights = in_flight();
        if let Some(i) = flights.iter().position(|(id, _, _)| *id == self.0) {
            let (_, temp, _) = flights.swap_remove(i);
            // Still there after a failed write: not worth keeping.
            if let Some(temp) = temp {
                temp.remove();
            }
        }
        drop(flights);
        ENDED.notify_all();
    }
}

/// Replaces the file at `place` with `bytes`, whole or not at all; the
/// new file keeps the old one's permissions. The temporary file is made
/// and renamed in the place's own folder handle (the permission layer's:
/// no link is followed).
pub(crate) fn replace(place: &Parent, bytes: &[u8], flight: &Flight) -> io::Result<()> {
    let old = place.metadata().ok().map(|m| m.permissions());
    replace_with(place, old, |file| file.write_all(bytes), flight)
}

/// Replaces the file at `place` with what `fill` writes, whole or not at
/// all, as [`replace`] does; the new file gets `perms` (a copy's are its
/// source's).
pub(crate) fn replace_with(
    place: &Parent,
    perms: Option<std::fs::Permissions>,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
    flight: &Flight,
) -> io::Result<()> {
    if place.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(io::Error::from(io::ErrorKind::IsADirectory));
    }
    // `flight` was registered before the temporary file exists (see
    // [`Flight::begin`]).
    let dir: OwnedFd = rustix::io::dup(place.dir())?;
    let (mut file, name) = create_temp(place)?;
    if !flight.attach(Temp(dir, name.clone())) {
        return Err(io::Error::new(
            io::ErrorKind::Interrupted,
            "the program is ending",
        ));
    }
    let written = match perms {
        Some(perms) => file.set_permissions(perms),
        None => Ok(()),
    };
    let written = written.and_then(|()| fill(&mut file));
    // The flight's end (the caller drops it) removes the temporary file
    // if the rename did not take it.
    written.and_then(|()| rename(place.dir(), &name, place.name()))
}

fn rename(dir: BorrowedFd<'_>, from: &OsString, to: &std::ffi::OsStr) -> io::Result<()> {
    rustix::fs::renameat(dir, from, dir, to).map_err(Into::into)
}

/// A new file beside the place (same folder, so the rename cannot cross
/// file systems), named so a person who finds one knows what it is.
fn create_temp(place: &Parent) -> io::Result<(File, OsString)> {
    let name = place.name().to_string_lossy().into_owned();
    loop {
        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let temp = OsString::from(format!(".{name}.{}-{n}.tasks-tmp", std::process::id()));
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL;
        match place.open_named(&temp, flags, 0o666) {
            Ok(f) => return Ok((f, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A file written a piece at a time beside its target and renamed over it
/// by [`Staged::commit`]; dropped before that (an error, a cancel, the
/// end of the program), it is removed and the target keeps what it had.
pub(crate) struct Staged {
    file: File,
    dir: OwnedFd,
    name: OsString,
    target: OsString,
    _flight: Flight,
}

impl Staged {
    /// Starts replacing the file at `place` (its permissions kept).
    pub(crate) fn create(place: &Parent) -> io::Result<Staged> {
        let old = place.metadata().ok();
        if old.as_ref().is_some_and(|m| m.is_dir()) {
            return Err(io::Error::from(io::ErrorKind::IsADirectory));
        }
        let flight = Flight::register(None, false);
        let dir: OwnedFd = rustix::io::dup(place.dir())?;
        let (file, name) = create_temp(place)?;
        let temp_dir = rustix::io::dup(&dir)?;
        if !flight.attach(Temp(temp_dir, name.clone())) {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "the program is ending",
            ));
        }
        if let Some(m) = old {
            file.set_permissions(m.permissions())?;
        }
        Ok(Staged {
            file,
            dir,
            name,
            target: place.name().to_os_string(),
            _flight: flight,
        })
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)
    }

    /// Renames the file over its target; the flight's end then finds no
    /// temporary file to remove.
    pub(crate) fn commit(self) -> io::Result<()> {
        rename(self.dir.as_fd(), &self.name, &self.target)
    }
}

/// Waits until no write is in flight, at most `limit` (`None`: as long as
/// it takes). Returns whether they all ended; if not, their temporary
/// files are removed (their targets keep the old content). With a limit
/// (the process is about to end), [`Staged`] writes are not waited for:
/// their temporary files are removed at once.
pub(crate) fn wait_for_writes(limit: Option<Duration>) -> bool {
    let deadline = limit.map(|l| Instant::now() + l);
    let mut flights = in_flight();
    if limit.is_some() {
        ENDING.store(true, Ordering::SeqCst);
        for (_, temp, waited) in flights.iter_mut() {
            if !*waited {
                if let Some(temp) = temp.take() {
                    temp.remove();
                }
            }
        }
    }
    while flights.iter().any(|(_, _, waited)| *waited) {
        match deadline {
            None => flights = ENDED.wait(flights).unwrap_or_else(|e| e.into_inner()),
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    GAVE_UP.store(true, Ordering::SeqCst);
                    for (_, temp, _) in flights.iter_mut() {
                        if let Some(temp) = temp.take() {
                            temp.remove();
                        }
                    }
                    return false;
                }
                flights = ENDED
                    .wait_timeout(flights, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
    }
    true
}
