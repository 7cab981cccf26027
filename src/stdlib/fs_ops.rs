//! `fs.stat`/`lstat`, `make_dirs`, `chmod`, `copy`, `move` and
//! `remove_tree` (LANGUAGE.md, Files): each checked, then done through
//! the open-beneath layer as every `fs` call is.

use super::fs::{check, run, Access, Data};
use crate::{Args, Key, MapTable, Module, NativeCtx, NativeFuture, ScriptError, Str, Value};
use rustix::fs::{FileType, OFlags};
use std::cell::RefCell;
use std::io;
use std::rc::Rc;

pub(crate) fn add(m: Module) -> Module {
    m.object::<super::fs_walk::Walk>()
        .raw("walk", super::fs_walk::walk)
        .raw_boxed("glob", super::fs_glob::glob)
        .raw_boxed("temp_dir", |ctx, args| {
            super::fs_temp::make(ctx, args, true)
        })
        .raw_boxed("temp_file", |ctx, args| {
            super::fs_temp::make(ctx, args, false)
        })
        .raw_boxed("stat", stat(Access::Read, |p| p.parent()?.stat()))
        .raw_boxed("lstat", stat(Access::Look, |p| p.parent()?.lstat()))
        .raw_boxed("make_dirs", |ctx, mut args| {
            let p: String = args.next("path")?;
            let exist_ok: Option<bool> = args.named("exist_ok")?;
            args.finish()?;
            let place = check(ctx, &p, Access::Write)?;
            Ok(run(p, move || {
                let there = place.parent().and_then(|p| p.lstat()).is_ok();
                if there && !exist_ok.unwrap_or(true) {
                    return Err(io::ErrorKind::AlreadyExists.into());
                }
                place.mkdir_all().map(|()| Data::Nil)
            }))
        })
        .raw_boxed("chmod", |ctx, mut args| {
            let p: String = args.next("path")?;
            let mode = mode_of(args.next("mode")?)?;
            args.finish()?;
            let place = check(ctx, &p, Access::Write)?;
            Ok(run(p, move || {
                place.parent()?.chmod(mode).map(|()| Data::Nil)
            }))
        })
        .raw_boxed("copy", |ctx, mut args| {
            let from: String = args.next("from")?;
            let to: String = args.next("to")?;
            args.finish()?;
            let src = check(ctx, &from, Access::Read)?;
            let dst = check(ctx, &to, Access::Write)?;
            Ok(run(from, move || copy(&src, &dst).map(|()| Data::Nil)))
        })
        .raw_boxed("move", |ctx, mut args| {
            let from: String = args.next("from")?;
            let to: String = args.next("to")?;
            args.finish()?;
            let src = check(ctx, &from, Access::Move)?;
            let dst = check(ctx, &to, Access::Itself)?;
            Ok(run(from, move || {
                let (s, d) = (src.parent()?, dst.parent()?);
                match s.rename_to(&d) {
                    // Another file system: copied, then the source removed
                    // (a regular file only), as `shutil.move` does.
                    Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
                        copy(&src, &dst)?;
                        s.remove()?;
                        Ok(Data::Nil)
                    }
                    other => other.map(|()| Data::Nil),
                }
            }))
        })
        .raw_boxed("remove_tree", |ctx, mut args| {
            let p: String = args.next("path")?;
            args.finish()?;
            let place = check(ctx, &p, Access::Tree)?;
            Ok(run(p, move || {
                place.parent()?.remove_tree().map(|()| Data::Nil)
            }))
        })
}

/// `stat` or `lstat`: what is at a path, as a map.
fn stat(
    access: Access,
    look: fn(&crate::permissions::Place) -> io::Result<rustix::fs::Stat>,
) -> impl Fn(&mut NativeCtx<'_>, Args) -> Result<NativeFuture, ScriptError> {
    move |ctx: &mut NativeCtx<'_>, mut args: Args| {
        let p: String = args.next("path")?;
        args.finish()?;
        let place = check(ctx, &p, access)?;
        Ok(run(p, move || {
            look(&place).map(|st| Data::Stat(StatInfo::of(&st)))
        }))
    }
}

/// Copies the regular file `src` over `dst`, whole or not at all (a
/// temporary file renamed over it), with `src`'s permission bits, as
/// `shutil.copy` does.
fn copy(src: &crate::permissions::Place, dst: &crate::permissions::Place) -> io::Result<()> {
    // Non-blocking: a FIFO put there must not hang the open.
    let mut file = src.open(OFlags::RDONLY | OFlags::NONBLOCK, 0)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::ErrorKind::IsADirectory.into());
    }
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let to = dst.parent()?;
    let flight = super::fs_write::Flight::begin();
    let fill = |out: &mut std::fs::File| io::copy(&mut file, out).map(drop);
    super::fs_write::replace_with(&to, Some(meta.permissions()), fill, &flight)
}

/// A mode: an int (`0o755` is `493`), or its octal digits as a string
/// (`"755"`, `"0o755"`), as `chmod` takes them.
fn mode_of(v: Value) -> Result<u32, ScriptError> {
    let bad = |shown: String| {
        ScriptError::new("ValueError", format!("invalid mode: {shown}")).with_help(
            "a mode is an int from 0 to 0o7777, or its octal digits as a string: \"755\"",
        )
    };
    match v {
        Value::Int(n) if (0..=0o7777).contains(&n) => Ok(n as u32),
        Value::Int(n) => Err(bad(n.to_string())),
        Value::Str(s) => {
            let digits = s.as_str().strip_prefix("0o").unwrap_or(s.as_str());
            u32::from_str_radix(digits, 8)
                .ok()
                .filter(|m| *m <= 0o7777 && !digits.starts_with('+'))
                .ok_or_else(|| bad(format!("{:?}", s.as_str())))
        }
        other => Err(ScriptError::new(
            "TypeError",
            format!(
                "fs.chmod() takes a mode as an int or a str, not `{}`",
                other.type_name()
            ),
        )),
    }
}

/// What `stat` tells, carried back from the file thread.
pub(crate) struct StatInfo {
    kind: &'static str,
    size: i64,
    mode: i64,
    mtime: f64,
}

impl StatInfo {
    fn of(st: &rustix::fs::Stat) -> StatInfo {
        StatInfo {
            kind: kind_name(FileType::from_raw_mode(st.st_mode)),
            size: st.st_size,
            mode: i64::from(st.st_mode & 0o7777),
            mtime: st.st_mtime as f64 + st.st_mtime_nsec as f64 / 1e9,
        }
    }

    pub(crate) fn into_value(self) -> Value {
        let mut m = MapTable::default();
        let mut put = |k: &str, v: Value| m.insert(Key::Str(Str::new(k)), v);
        put("kind", Value::str(self.kind));
        put("size", Value::Int(self.size));
        put("mode", Value::Int(self.mode));
        put("mtime", Value::Float(self.mtime));
        put("modified", Value::Float(self.mtime));
        put("is_dir", Value::Bool(self.kind == "dir"));
        put("is_file", Value::Bool(self.kind == "file"));
        put("is_link", Value::Bool(self.kind == "link"));
        Value::Map(Rc::new(RefCell::new(m)))
    }
}

/// The word `stat` and `walk` give for a kind of file.
pub(crate) fn kind_name(t: FileType) -> &'static str {
    match t {
        FileType::RegularFile => "file",
        FileType::Directory => "dir",
        FileType::Symlink => "link",
        FileType::Fifo => "fifo",
        FileType::Socket => "socket",
        FileType::CharacterDevice => "char_device",
        FileType::BlockDevice => "block_device",
        FileType::Unknown => "unknown",
    }
}
