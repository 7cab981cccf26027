//! `fs.glob(pattern)`: the paths that match, as Python's `glob.glob(p,
//! recursive=True)` gives them (sorted here). The pattern's leading
//! folders without a wildcard are checked as one path; below them the
//! walk of `fs.walk` (no link followed, never out of the grant) lists
//! what globset matches.

use super::fs::{check, Access};
use super::fs_walk::{Options, Walker};
use crate::{Args, NativeCtx, NativeFuture, ScriptError, Value};

pub(crate) fn glob(ctx: &mut NativeCtx<'_>, mut args: Args) -> Result<NativeFuture, ScriptError> {
    let pattern: String = args.next("pattern")?;
    let hidden: Option<bool> = args.named("hidden")?;
    args.finish()?;
    let (base, rest) = split(&pattern);
    let shown = if base.is_empty() { "." } else { base.as_str() };
    let place = check(ctx, shown, Access::Read)?;
    if rest.is_empty() {
        // No wildcard: the path itself, if it is there.
        return Ok(Box::pin(async move {
            let there = blocking::unblock(move || place.parent().and_then(|p| p.lstat())).await;
            let found = there.is_ok().then(|| Value::str(&pattern));
            Ok(Value::list(found.into_iter().collect()))
        }));
    }
    let matcher = globset::GlobBuilder::new(&rest)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| ScriptError::new("ValueError", format!("invalid pattern {pattern:?}: {e}")))?
        .compile_matcher();
    let opts = Options {
        follow: false,
        max_depth: (!rest.contains("**")).then(|| rest.split('/').count()),
        hidden: hidden.unwrap_or_else(|| rest.split('/').any(|c| c.starts_with('.'))),
    };
    let perms = ctx.permissions().clone();
    Ok(Box::pin(async move {
        let found = blocking::unblock(move || {
            let mut walker = match Walker::start(perms, &place, &base, opts) {
                Ok(w) => w,
                // No such folder: nothing matches, as in Python.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(super::fs_walk::WalkError::Io(e, base)),
            };
            let mut paths: Vec<String> = walker
                .drain()?
                .into_iter()
                .filter(|e| matcher.is_match(&e.rel))
                .map(|e| e.path)
                .collect();
            paths.sort();
            Ok(paths)
        })
        .await
        .map_err(|e| e.into_error())?;
        Ok(Value::list(found.iter().map(|p| Value::str(p)).collect()))
    }))
}

/// The pattern's leading folders without a wildcard, and the rest (empty
/// when there is no wildcard at all: then the first is the whole path).
fn split(pattern: &str) -> (String, String) {
    if !has_magic(pattern) {
        return (pattern.to_string(), String::new());
    }
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal = parts.iter().take_while(|p| !has_magic(p)).count();
    let mut base = parts[..literal].join("/");
    if base.is_empty() && pattern.starts_with('/') {
        base = "/".to_string();
    }
    (base, parts[literal..].join("/"))
}

fn has_magic(p: &str) -> bool {
    p.contains(['*', '?', '[', '{'])
}
