//! `fs.temp_dir()` and `fs.temp_file()`: a new folder or empty file with
//! a name nobody can guess, removed (with all it holds) when the program
//! ends (LANGUAGE.md, Files).
//!
//! Not the `tempfile` crate: it makes and removes by path, while here the
//! folder it is made in is checked (`--allow-write` of it) and then used
//! through its handle (the open-beneath layer), as every `fs` call is; the
//! removal at the end goes through that same handle and follows no link
//! the script left inside. The names come from `fastrand`, as tempfile's do.

use super::fs::{check, run, Access, Data};
use crate::permissions::beneath::remove_tree_at;
use crate::{Args, NativeCtx, NativeFuture, ScriptError};
use rustix::fs::{Mode, OFlags};
use std::ffi::OsString;
use std::io;
use std::os::fd::OwnedFd;
use std::sync::{Mutex, MutexGuard};

/// What is to be removed at the end: the engine that made it, the folder
/// it is in (a handle) and its name there.
struct Temp {
    engine: u64,
    dir: OwnedFd,
    name: OsString,
}

static TEMPS: Mutex<Vec<Temp>> = Mutex::new(Vec::new());

fn temps() -> MutexGuard<'static, Vec<Temp>> {
    TEMPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// `fs.temp_dir(dir:, prefix:)` (`folder`) or `fs.temp_file(...)`.
pub(crate) fn make(
    ctx: &mut NativeCtx<'_>,
    mut args: Args,
    folder: bool,
) -> Result<NativeFuture, ScriptError> {
    let dir: Option<String> = args.named("dir")?;
    let prefix: Option<String> = args.named("prefix")?;
    args.finish()?;
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().to_string_lossy().into_owned());
    let prefix = prefix.unwrap_or_else(|| "tasks-".to_string());
    if prefix.contains('/') {
        return Err(ScriptError::new(
            "ValueError",
            format!("a prefix holds no '/': {prefix:?}"),
        ));
    }
    let place = check(ctx, &dir, Access::Write)?;
    let engine = ctx.engine_id();
    Ok(run(dir, move || {
        let fd = place.parent()?.open_dir()?;
        let name = create(&fd, &prefix, folder)?;
        let path = place.path().join(&name).to_string_lossy().into_owned();
        temps().push(Temp {
            engine,
            dir: fd,
            name,
        });
        Ok(Data::Text(path))
    }))
}

/// Makes a new folder (0700) or file (0600) in `dir`, under a fresh name.
fn create(dir: &OwnedFd, prefix: &str, folder: bool) -> io::Result<OsString> {
    loop {
        let tail: String = (0..10).map(|_| fastrand::alphanumeric()).collect();
        let name = OsString::from(format!("{prefix}{tail}"));
        let made = if folder {
            rustix::fs::mkdirat(dir, &name, Mode::from_raw_mode(0o700))
        } else {
            let flags =
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            rustix::fs::openat(dir, &name, flags, Mode::from_raw_mode(0o600)).map(drop)
        };
        match made {
            Err(e) if e == rustix::io::Errno::EXIST => continue,
            other => return other.map(|()| name).map_err(Into::into),
        }
    }
}

/// Removes what engine `engine` made: the end of its program.
pub(crate) fn remove_engine(engine: u64) {
    let mine: Vec<Temp> = {
        let mut all = temps();
        let (mine, others) = all.drain(..).partition(|t| t.engine == engine);
        *all = others;
        mine
    };
    for t in mine {
        let _ = remove_tree_at(&t.dir, &t.name);
    }
}

/// Removes every one left: the process is ending (a signal).
pub(crate) fn remove_all() {
    let all: Vec<Temp> = temps().drain(..).collect();
    for t in all {
        let _ = remove_tree_at(&t.dir, &t.name);
    }
}
