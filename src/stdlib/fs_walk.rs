//! `fs.walk(dir)`: every entry below a folder, as a stream for `for
//! await` (LANGUAGE.md, Files), and `fs.glob(pattern)` on top of it.
//!
//! The walk goes down through folder handles with `O_NOFOLLOW` from the
//! checked place (the open-beneath layer), so it never leaves the grant
//! and a folder swapped for a link under it fails instead of being
//! followed. A link is reported, not followed, unless `follow: true`;
//! then its target is checked as any path is (a link out of the grants is
//! a `NotCapableError`) and walked from its own checked place. The
//! folders being walked (the current one and those above it) are known by
//! device and inode, and a link to one of them is reported, not gone
//! into: no loop (`find -L` does the same). A folder a `--deny-read` rule covers is refused before it is
//! listed.
//!
//! The work runs on the blocking pool a batch at a time; the batch waits
//! in the walk's state, so a cancelled `next` loses nothing.

use super::fs::{check, io_error, Access};
use super::not_capable;
use crate::permissions::beneath;
use crate::permissions::beneath::{names_in, open_child};
use crate::permissions::{Kind, Permissions, Place};
use crate::{
    Args, Key, MapTable, NativeCtx, NativeFuture, NativeObject, NativeResult, NativeStream,
    ScriptError, Str, Value,
};
use rustix::fs::{AtFlags, FileType};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::ffi::OsString;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

/// Entries found per trip to the blocking pool.
const BATCH: usize = 256;

/// One entry, carried back from the walking thread.
pub(crate) struct Entry {
    pub(crate) path: String,
    /// Below the walked folder, `/`-separated (what `glob` matches).
    pub(crate) rel: String,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) is_link: bool,
    pub(crate) depth: usize,
}

impl Entry {
    fn into_value(self) -> Value {
        let mut m = MapTable::default();
        let mut put = |k: &str, v: Value| m.insert(Key::Str(Str::new(k)), v);
        put("path", Value::str(&self.path));
        put("name", Value::str(&self.name));
        put("kind", Value::str(self.kind));
        put("is_link", Value::Bool(self.is_link));
        put("depth", Value::Int(self.depth as i64));
        Value::Map(Rc::new(RefCell::new(m)))
    }
}

/// A folder being listed.
struct Frame {
    fd: OwnedFd,
    /// Names left, last first.
    left: Vec<OsString>,
    /// As the script sees it (the walked path joined with the names).
    shown: String,
    rel: String,
    /// Its canonical path, for the deny rules.
    canonical: PathBuf,
    depth: usize,
    /// Its device and inode: a link to a folder on the stack is a loop.
    id: (u64, u64),
}

/// Options of a walk.
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) follow: bool,
    pub(crate) max_depth: Option<usize>,
    /// Whether names starting with `.` are listed (a glob leaves them out).
    pub(crate) hidden: bool,
}

/// The walk's state, shared with the thread that advances it.
pub(crate) struct Walker {
    stack: Vec<Frame>,
    pending: VecDeque<Entry>,
    failed: Option<(io::Error, String)>,
    refused: Option<crate::permissions::Denied>,
    perms: Permissions,
    denied: Vec<(PathBuf, String)>,
    opts: Options,
}

impl Walker {
    /// Opens the checked folder `place` (shown as `shown`).
    pub(crate) fn start(
        perms: Permissions,
        place: &Place,
        shown: &str,
        opts: Options,
    ) -> io::Result<Walker> {
        let denied = perms.denied_paths(Kind::Read);
        let mut w = Walker {
            stack: Vec::new(),
            pending: VecDeque::new(),
            failed: None,
            refused: None,
            perms,
            denied,
            opts,
        };
        let fd = place.parent()?.open_dir()?;
        w.push(fd, shown.to_string(), String::new(), place.path(), 0)?;
        Ok(w)
    }

    fn push(
        &mut self,
        fd: OwnedFd,
        shown: String,
        rel: String,
        canonical: PathBuf,
        depth: usize,
    ) -> io::Result<bool> {
        let st = rustix::fs::fstat(&fd)?;
        let id = (st.st_dev, st.st_ino);
        if self.stack.iter().any(|f| f.id == id) {
            return Ok(false); // a folder above: going in would loop
        }
        let mut left = names_in(fd.as_fd())?;
        left.reverse();
        self.stack.push(Frame {
            fd,
            left,
            shown,
            rel,
            canonical,
            depth,
            id,
        });
        Ok(true)
    }

    /// Finds up to [`BATCH`] more entries (none: the walk is over).
    pub(crate) fn fill(&mut self) {
        while self.pending.len() < BATCH && self.failed.is_none() && self.refused.is_none() {
            let Some(frame) = self.stack.last_mut() else {
                return;
            };
            let Some(name) = frame.left.pop() else {
                self.stack.pop();
                continue;
            };
            let shown = super::path::join(&frame.shown, [name.to_string_lossy().as_ref()]);
            if let Err(e) = self.visit(name) {
                self.failed = Some((e, shown));
            }
        }
    }

    /// Reports the entry `name` of the top folder and goes into it if it
    /// is a folder.
    fn visit(&mut self, name: OsString) -> io::Result<()> {
        let Some(frame) = self.stack.last() else {
            return Ok(());
        };
        let text = name.to_string_lossy().into_owned();
        if !self.opts.hidden && text.starts_with('.') {
            return Ok(());
        }
        let st = match rustix::fs::statat(&frame.fd, &name, AtFlags::SYMLINK_NOFOLLOW) {
            Err(e) if e == rustix::io::Errno::NOENT => return Ok(()), // gone meanwhile
            st => st?,
        };
        let shown = super::path::join(&frame.shown, [text.as_str()]);
        let rel = super::path::join(&frame.rel, [text.as_str()]);
        let canonical = frame.canonical.join(&name);
        let depth = frame.depth + 1;
        let mut kind = FileType::from_raw_mode(st.st_mode);
        let is_link = kind == FileType::Symlink;
        let deeper = self.opts.max_depth.is_none_or(|m| depth < m);
        let mut into: Option<(OwnedFd, PathBuf)> = None;
        if is_link && self.opts.follow {
            // Checked as the script's own path would be: through the link.
            let target = match self.perms.place(Kind::Read, shown.as_ref()) {
                Ok(t) => t,
                Err(d) => {
                    self.refused = Some(d);
                    return Ok(());
                }
            };
            match target.parent().and_then(|p| p.stat()) {
                Ok(t) => kind = FileType::from_raw_mode(t.st_mode),
                // Dangling, a loop of links, or changed meanwhile: the
                // link is reported as a link, and not gone through.
                Err(e) if e.kind() == io::ErrorKind::NotFound || beneath::is_moved(&e) => {}
                Err(e) => return Err(e),
            }
            if kind == FileType::Directory && deeper {
                into = Some((target.parent()?.open_dir()?, target.path()));
            }
        } else if kind == FileType::Directory && deeper {
            into = Some((open_child(frame.fd.as_fd(), &name)?, canonical));
        }
        self.pending.push_back(Entry {
            path: shown.clone(),
            rel: rel.clone(),
            name: text,
            kind: super::fs_ops::kind_name(kind),
            is_link,
            depth,
        });
        if let Some((fd, canonical)) = into {
            if let Some(d) = Permissions::denied_below(&self.denied, &canonical, &shown) {
                self.refused = Some(d);
                return Ok(());
            }
            self.push(fd, shown, rel, canonical, depth)?;
        }
        Ok(())
    }

    /// The next entry, an error, or `None` at the end; `Err(None)` when
    /// more must be found first.
    fn take(&mut self) -> Result<Option<Value>, Option<ScriptError>> {
        if let Some(e) = self.pending.pop_front() {
            return Ok(Some(e.into_value()));
        }
        if let Some((e, shown)) = self.failed.take() {
            return Err(Some(io_error(&e, &shown)));
        }
        if let Some(d) = self.refused.take() {
            return Err(Some(not_capable(d)));
        }
        if self.stack.is_empty() {
            return Ok(None);
        }
        Err(None)
    }

    /// Every entry, for `glob`: stops at the first error.
    pub(crate) fn drain(&mut self) -> Result<Vec<Entry>, WalkError> {
        let mut all = Vec::new();
        loop {
            self.fill();
            all.extend(self.pending.drain(..));
            if let Some((e, shown)) = self.failed.take() {
                return Err(WalkError::Io(e, shown));
            }
            if let Some(d) = self.refused.take() {
                return Err(WalkError::Refused(d));
            }
            if self.stack.is_empty() {
                return Ok(all);
            }
        }
    }
}

/// Why a walk stopped early.
pub(crate) enum WalkError {
    Io(io::Error, String),
    Refused(crate::permissions::Denied),
}

impl WalkError {
    pub(crate) fn into_error(self) -> ScriptError {
        match self {
            WalkError::Io(e, shown) => io_error(&e, &shown),
            WalkError::Refused(d) => not_capable(d),
        }
    }
}

/// `fs.walk(dir, follow: false, max_depth: nil)`.
pub(crate) fn walk(ctx: &mut NativeCtx<'_>, mut args: Args) -> NativeResult {
    let dir: String = args.next("dir")?;
    let follow: Option<bool> = args.named("follow")?;
    let max_depth: Option<i64> = args.named("max_depth")?;
    args.finish()?;
    let place = check(ctx, &dir, Access::Read)?;
    let opts = Options {
        follow: follow.unwrap_or(false),
        max_depth: max_depth.map(|d| d.max(0) as usize),
        hidden: true,
    };
    let perms = ctx.permissions().clone();
    let walker = Walker::start(perms, &place, &dir, opts).map_err(|e| io_error(&e, &dir))?;
    Ok(Value::object(Walk {
        state: Arc::new(Mutex::new(walker)),
        shown: dir,
    }))
}

/// The stream `fs.walk` returns.
pub(crate) struct Walk {
    state: Arc<Mutex<Walker>>,
    shown: String,
}

impl NativeObject for Walk {
    fn type_name(&self) -> &'static str {
        "walk"
    }
    fn methods() -> &'static [&'static str] {
        &["next"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        self.next_method(ctx, name, args, || format!("fs.walk({:?})", self.shown))
    }
    fn repr(&self) -> String {
        format!("<walk {:?}>", self.shown)
    }
    fn stream(&self) -> Option<&dyn NativeStream> {
        Some(self)
    }
}

impl NativeStream for Walk {
    fn ready(&self, _ctx: &mut NativeCtx<'_>) -> Option<NativeResult> {
        // Locked by the thread finding more: not ready.
        let mut w = self.state.try_lock().ok()?;
        match w.take() {
            Ok(v) => Some(Ok(v.unwrap_or(Value::Nil))),
            Err(Some(e)) => Some(Err(e)),
            Err(None) => None,
        }
    }
    fn wait(&self, _ctx: &mut NativeCtx<'_>) -> Result<NativeFuture, ScriptError> {
        let state = self.state.clone();
        Ok(Box::pin(async move {
            let found = state.clone();
            blocking::unblock(move || {
                let mut w = found.lock().unwrap_or_else(|e| e.into_inner());
                if w.pending.is_empty() {
                    w.fill();
                }
            })
            .await;
            let mut w = state.lock().unwrap_or_else(|e| e.into_inner());
            match w.take() {
                Ok(v) => Ok(v.unwrap_or(Value::Nil)),
                Err(Some(e)) => Err(e),
                Err(None) => Ok(Value::Nil), // unreachable: fill found one or ended
            }
        }))
    }
}
