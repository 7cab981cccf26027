//! `fs`: files and folders, behind `--allow-read` and `--allow-write`.
//! Every function returns a coroutine; the system calls run on a blocking
//! thread pool once it is awaited (a file call cannot be interrupted:
//! cancelling abandons its result).

use super::fs_write::Flight;
use super::not_capable;
use crate::permissions::{beneath, Kind, Place};
use crate::{Args, Module, NativeCtx, NativeFuture, ScriptError, Value};
use rustix::fs::OFlags;
use std::io;
use std::path::Path;

pub(crate) fn module() -> Module {
    let m = Module::new("fs")
        // A file write the program started goes on on its thread although
        // its task is gone: let it finish (as `asyncio.run` waits for its
        // executor), so the process does not end in the middle of it; then
        // the temporary files and folders it made go.
        .at_end(|ctx| {
            super::fs_write::wait_for_writes(None);
            super::fs_temp::remove_engine(ctx.engine_id());
        })
        .object::<super::fs_file::File>()
        .object::<super::fs_file::FileLines>()
        .raw_boxed("open", super::fs_file::open)
        .raw_boxed("read_text", reader(|p| read_utf8(&p).map(Data::Text)))
        .raw_boxed(
            "read_lines",
            reader(|p| {
                let text = read_utf8(&p)?;
                Ok(Data::Lines(text.lines().map(str::to_string).collect()))
            }),
        )
        .raw_boxed(
            "exists",
            reader(|p| match p.parent().and_then(|p| p.metadata()) {
                Err(e) if beneath::is_moved(&e) => Err(e),
                found => Ok(Data::Bool(found.is_ok())),
            }),
        )
        .raw_boxed(
            "list",
            reader(|p| {
                let names = p.parent()?.list()?;
                let mut names: Vec<String> = names
                    .into_iter()
                    .map(|n| n.to_string_lossy().into_owned())
                    .collect();
                names.sort();
                Ok(Data::Lines(names))
            }),
        )
        .raw_boxed(
            "write_text",
            writer("fs.write_text", false, |p, text, flight| {
                super::fs_write::replace(&p.parent()?, &text, flight).map(|_| Data::Nil)
            }),
        )
        .raw_boxed(
            "append_text",
            writer("fs.append_text", false, |p, text, _| {
                let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::APPEND;
                write_all(p.open(flags, 0o666)?, &text)
            }),
        )
        .raw_boxed(
            "read_bytes",
            reader(|p| read_bounded(p.parent()?.open(OFlags::RDONLY, 0)?).map(Data::Bytes)),
        )
        .raw_boxed(
            "write_bytes",
            writer("fs.write_bytes", true, |p, data, flight| {
                super::fs_write::replace(&p.parent()?, &data, flight).map(|_| Data::Nil)
            }),
        )
        .raw_boxed(
            "append_bytes",
            writer("fs.append_bytes", true, |p, data, _| {
                let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::APPEND;
                write_all(p.open(flags, 0o666)?, &data)
            }),
        )
        .raw_boxed("remove", |ctx, mut args| {
            let p: String = args.next("path")?;
            args.finish()?;
            let place = check(ctx, &p, Access::Itself)?;
            Ok(run(p, move || place.parent()?.remove().map(|_| Data::Nil)))
        })
        .raw_boxed("mkdir", |ctx, mut args| {
            let p: String = args.next("path")?;
            let parents: Option<bool> = args.named("parents")?;
            args.finish()?;
            let place = check(ctx, &p, Access::Write)?;
            Ok(run(p, move || {
                if parents.unwrap_or(true) {
                    place.mkdir_all()?;
                } else {
                    place.parent()?.mkdir()?;
                }
                Ok(Data::Nil)
            }))
        })
        .raw_boxed("rename", |ctx, mut args| {
            let from: String = args.next("from")?;
            let to: String = args.next("to")?;
            args.finish()?;
            let src = check(ctx, &from, Access::Move)?;
            let dst = check(ctx, &to, Access::Itself)?;
            Ok(run(from, move || {
                src.parent()?.rename_to(&dst.parent()?).map(|_| Data::Nil)
            }))
        });
    super::fs_ops::add(m)
}

fn write_all(mut file: std::fs::File, data: &[u8]) -> io::Result<Data> {
    use std::io::Write;
    file.write_all(data).map(|_| Data::Nil)
}

/// What a file call hands back from its thread (`Value` is not `Send`).
pub(crate) enum Data {
    Nil,
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
    Lines(Vec<String>),
    Stat(super::fs_ops::StatInfo),
}

impl Data {
    fn into_value(self) -> Value {
        match self {
            Data::Nil => Value::Nil,
            Data::Bool(b) => Value::Bool(b),
            Data::Text(t) => Value::str(&t),
            Data::Bytes(b) => Value::bytes(b),
            Data::Lines(ls) => Value::list(ls.iter().map(|l| Value::str(l)).collect()),
            Data::Stat(info) => info.into_value(),
        }
    }
}

/// Strict UTF-8, as Python's `read_text` (a bad byte is a `UnicodeError`).
fn read_utf8(p: &Place) -> io::Result<String> {
    String::from_utf8(read_bounded(p.parent()?.open(OFlags::RDONLY, 0)?)?).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is not valid UTF-8 (byte {} is bad)",
                p.path().display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// All of `file`, its buffer grown within `--max-memory` (a file with no
/// size, as `/dev/zero` or a pipe, would otherwise grow without end).
fn read_bounded(mut file: std::fs::File) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let hint = file.metadata().map_or(0, |m| m.len() as usize);
    let mut buf = Vec::new();
    // The size it says, and a byte to see the end: a small file keeps a
    // small buffer (its text is kept as long as the script keeps it).
    crate::limits::reserve_exact(&mut buf, hint.saturating_add(1))?;
    loop {
        let room = buf.capacity() - buf.len();
        // `read_to_end` fills the spare capacity without zeroing it first
        // (zeroing 64 KiB a read was a third of the json_files bench).
        let n = (&mut file).take(room as u64).read_to_end(&mut buf)?;
        if n < room {
            return Ok(buf);
        }
        crate::limits::reserve(&mut buf, 64 << 10)?;
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Access {
    Read,
    Write,
    /// Writing the path itself, not what a link there points to (a
    /// remove, a rename's destination).
    Itself,
    /// The source of a rename (see `Permissions::place_to_move`).
    Move,
    /// Reading the path itself, not what a link there points to (`lstat`).
    Look,
    /// Writing the path itself and all below it (`remove_tree`; see
    /// `Permissions::place_tree`).
    Tree,
}

/// Checks the permission for `p` (relative to the folder `tasks` started
/// in) and returns the place checked: the work opens that, never `p`.
pub(crate) fn check(
    ctx: &mut NativeCtx<'_>,
    p: &str,
    access: Access,
) -> Result<Place, ScriptError> {
    let path = Path::new(p);
    let perms = ctx.permissions();
    match access {
        Access::Read => perms.place(Kind::Read, path),
        Access::Write => perms.place(Kind::Write, path),
        Access::Itself => perms.place_itself(Kind::Write, path),
        Access::Move => perms.place_to_move(path),
        Access::Look => perms.place_itself(Kind::Read, path),
        Access::Tree => perms.place_tree(path),
    }
    .map_err(not_capable)
}

/// A function of one path that reads.
fn reader(
    work: impl Fn(Place) -> io::Result<Data> + Send + Sync + Copy + 'static,
) -> impl Fn(&mut NativeCtx<'_>, Args) -> Result<NativeFuture, ScriptError> {
    move |ctx: &mut NativeCtx<'_>, mut args: Args| {
        let p: String = args.next("path")?;
        args.finish()?;
        let place = check(ctx, &p, Access::Read)?;
        Ok(run(p, move || work(place)))
    }
}

/// A function of a path and data that writes: text (`write_text`), or
/// bytes (`write_bytes`). Each refuses the other kind, as Python's do:
/// which encoding text is written in, or whether bytes are text, is the
/// script's to say.
fn writer(
    name: &'static str,
    bytes: bool,
    work: impl Fn(Place, Vec<u8>, &Flight) -> io::Result<Data> + Send + Sync + Copy + 'static,
) -> impl Fn(&mut NativeCtx<'_>, Args) -> Result<NativeFuture, ScriptError> {
    move |ctx: &mut NativeCtx<'_>, mut args: Args| {
        let p: String = args.next("path")?;
        let data: Value = args.next(if bytes { "data" } else { "text" })?;
        args.finish()?;
        let data = match (&data, bytes) {
            (Value::Str(s), false) => s.as_bytes().to_vec(),
            (Value::Bytes(b), true) => b.to_vec(),
            (other, _) => {
                let (want, other_fn) = if bytes {
                    ("bytes", "fs.write_text, or s.encode()")
                } else {
                    ("a str", "fs.write_bytes (or append_bytes), or b.decode()")
                };
                return Err(ScriptError::new(
                    "TypeError",
                    format!("{name}() needs {want}, not `{}`", other.type_name()),
                )
                .with_help(format!("for this use {other_fn}")));
            }
        };
        let place = check(ctx, &p, Access::Write)?;
        Ok(Box::pin(async move {
            // Registered when first polled, on the loop's thread: before
            // the blocking thread starts (see `Flight::begin`). Dropped
            // with the work, run or cancelled before it ran.
            let flight = Flight::begin();
            blocking::unblock(move || work(place, data, &flight))
                .await
                .map(Data::into_value)
                .map_err(|e| io_error(&e, &p))
        }))
    }
}

/// Runs `work` on the blocking pool when the coroutine is first stepped
/// (not before: nothing starts until it is awaited or spawned).
pub(crate) fn run(
    shown: String,
    work: impl FnOnce() -> io::Result<Data> + Send + 'static,
) -> NativeFuture {
    Box::pin(async move {
        blocking::unblock(work)
            .await
            .map(Data::into_value)
            .map_err(|e| io_error(&e, &shown))
    })
}

/// An OS error as the script's error kind (Python's names).
pub(crate) fn io_error(e: &io::Error, path: &str) -> ScriptError {
    use io::ErrorKind as K;
    if let Some(moved) = e.get_ref().filter(|_| beneath::is_moved(e)) {
        return ScriptError::new(
            "NotCapableError",
            format!("access to {path:?} is refused: {moved}"),
        );
    }
    let (kind, what) = match e.kind() {
        K::NotFound => ("FileNotFoundError", "no such file or folder"),
        K::PermissionDenied => ("PermissionError", "the system refused access to"),
        K::IsADirectory => ("IsADirectoryError", "this is a folder, not a file"),
        K::NotADirectory => ("NotADirectoryError", "this is not a folder"),
        K::AlreadyExists => ("FileExistsError", "this already exists"),
        K::DirectoryNotEmpty => ("OSError", "the folder is not empty"),
        K::InvalidData => return ScriptError::new("UnicodeError", e.to_string()),
        K::OutOfMemory => {
            return ScriptError::new("MemoryError", e.to_string())
                .with_help("raise the limit with --max-memory")
        }
        _ => {
            return with_path(
                ScriptError::new("OSError", format!("{e}: {path:?}")),
                e,
                path,
            )
        }
    };
    with_path(ScriptError::new(kind, format!("{what}: {path:?}")), e, path)
}

/// `e.path()` and `e.errno()` (nil when the system gave no number).
fn with_path(err: ScriptError, e: &io::Error, path: &str) -> ScriptError {
    let errno = e
        .raw_os_error()
        .map_or(Value::Nil, |n| Value::Int(n.into()));
    err.with_fields(&[("path", Value::str(path)), ("errno", errno)])
}
