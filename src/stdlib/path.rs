//! `path`: paths as strings (LANGUAGE.md, Paths).
//!
//! `join`, `base_name`, `dir_name` and `normalize` are Python's
//! `os.path` (`posixpath`) line for line; `stem`, `suffix`, `with_suffix`
//! and `parts` are `pathlib.PurePosixPath`'s. None of them touches the
//! file system, so they need no grant. `cwd()`, and `absolute`/`relative`
//! when the answer depends on the current folder, need `--allow-read` of
//! that folder (as Deno's `cwd()` does): the folder's name is something
//! the script learns. `home()` reads `HOME`, so it needs `--allow-env=HOME`.
//!
//! Written by hand: `std::path` normalises differently from Python
//! (`Path::new("a/./b")` keeps no `.` but keeps `..` and trailing
//! slashes) and has no `relpath`; parity with Python is the point.

use super::not_capable;
use crate::{Args, Module, NativeCtx, ScriptError, Value};

pub(crate) fn module() -> Module {
    Module::new("path")
        .raw("join", |_ctx, mut args| {
            let first: String = args.next("path")?;
            let rest = strings(args.rest(), "path.join")?;
            Ok(Value::str(&join(&first, rest.iter().map(String::as_str))))
        })
        .raw("base_name", pure(|p| Value::str(base_name(p))))
        .raw("dir_name", pure(|p| Value::str(&dir_name(p))))
        .raw("normalize", pure(|p| Value::str(&normalize(p))))
        .raw("is_absolute", pure(|p| Value::Bool(p.starts_with('/'))))
        .raw("stem", pure(|p| Value::str(stem(&Pure::parse(p).name()))))
        .raw(
            "suffix",
            pure(|p| Value::str(suffix(&Pure::parse(p).name()))),
        )
        .raw(
            "parts",
            pure(|p| {
                let parts = Pure::parse(p).all_parts();
                Value::list(parts.iter().map(|s| Value::str(s)).collect())
            }),
        )
        .raw("with_suffix", |_ctx, mut args| {
            let p: String = args.next("path")?;
            let s: String = args.next("suffix")?;
            args.finish()?;
            with_suffix(&p, &s).map(|p| Value::str(&p))
        })
        .raw("cwd", |ctx, args| {
            args.finish()?;
            Ok(Value::str(&cwd(ctx)?))
        })
        .raw("absolute", |ctx, mut args| {
            let p: String = args.next("path")?;
            args.finish()?;
            if p.starts_with('/') {
                return Ok(Value::str(&normalize(&p)));
            }
            Ok(Value::str(&normalize(&join(&cwd(ctx)?, [p.as_str()]))))
        })
        .raw("relative", |ctx, mut args| {
            let p: String = args.next("path")?;
            let to: Option<String> = args.next_opt("to")?;
            args.finish()?;
            relative_to(ctx, &p, to.as_deref().unwrap_or("."))
        })
        .raw("home", |ctx, args| {
            args.finish()?;
            ctx.permissions().check_env("HOME").map_err(not_capable)?;
            match std::env::var("HOME") {
                Ok(home) if !home.is_empty() => Ok(Value::str(&home)),
                _ => Err(ScriptError::new("OSError", "HOME is not set")),
            }
        })
}

/// A function of one path string that needs no grant.
fn pure(
    f: impl Fn(&str) -> Value + 'static,
) -> impl Fn(&mut NativeCtx<'_>, Args) -> Result<Value, ScriptError> {
    move |_ctx: &mut NativeCtx<'_>, mut args: Args| {
        let p: String = args.next("path")?;
        args.finish()?;
        Ok(f(&p))
    }
}

fn strings(values: Vec<Value>, name: &str) -> Result<Vec<String>, ScriptError> {
    values
        .into_iter()
        .map(|v| match v {
            Value::Str(s) => Ok(s.as_str().to_string()),
            other => Err(ScriptError::new(
                "TypeError",
                format!("{name}() takes strings, not `{}`", other.type_name()),
            )),
        })
        .collect()
}

/// The folder relative paths are taken from (the one `tasks` started
/// in), once `--allow-read` covers it.
fn cwd(ctx: &mut NativeCtx<'_>) -> Result<String, ScriptError> {
    let perms = ctx.permissions();
    let dir = perms.cwd().to_path_buf();
    perms.check_read(&dir).map_err(not_capable)?;
    Ok(dir.to_string_lossy().into_owned())
}

/// `os.path.join`: an absolute part starts over.
pub(crate) fn join<'a>(first: &str, rest: impl IntoIterator<Item = &'a str>) -> String {
    let mut path = first.to_string();
    for part in rest {
        if part.starts_with('/') {
            path = part.to_string();
        } else if path.is_empty() || path.ends_with('/') {
            path.push_str(part);
        } else {
            path.push('/');
            path.push_str(part);
        }
    }
    path
}

/// `os.path.basename`: what follows the last `/` (`""` after a trailing one).
pub(crate) fn base_name(p: &str) -> &str {
    p.rfind('/').map_or(p, |i| &p[i + 1..])
}

/// `os.path.dirname`: what precedes the last `/`, its trailing slashes
/// dropped unless it is all slashes.
pub(crate) fn dir_name(p: &str) -> String {
    let head = p.rfind('/').map_or("", |i| &p[..i + 1]);
    if !head.is_empty() && head.bytes().any(|b| b != b'/') {
        head.trim_end_matches('/').to_string()
    } else {
        head.to_string()
    }
}

/// `os.path.normpath`: `.` and empty parts dropped, `..` applied where it
/// can be; two leading slashes kept (POSIX leaves their meaning open),
/// three or more made one.
pub(crate) fn normalize(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let slashes = match (
        p.starts_with('/'),
        p.starts_with("//") && !p.starts_with("///"),
    ) {
        (_, true) => 2,
        (true, false) => 1,
        _ => 0,
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." if slashes == 0 && (parts.is_empty() || parts.last() == Some(&"..")) => {
                parts.push(part)
            }
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let out = "/".repeat(slashes) + &parts.join("/");
    if out.is_empty() {
        ".".to_string()
    } else {
        out
    }
}

/// A path as `pathlib.PurePosixPath` reads it: a root (`/`, or `//`) and
/// the names, with empty and `.` parts dropped (`..` kept).
struct Pure<'a> {
    root: &'a str,
    names: Vec<&'a str>,
}

impl<'a> Pure<'a> {
    fn parse(p: &'a str) -> Pure<'a> {
        let root = if p.starts_with("//") && !p.starts_with("///") {
            "//"
        } else if p.starts_with('/') {
            "/"
        } else {
            ""
        };
        let names = p
            .split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .collect();
        Pure { root, names }
    }

    /// The last name (`""` for a root alone or for `.`).
    fn name(&self) -> String {
        self.names.last().map_or(String::new(), |s| s.to_string())
    }

    fn all_parts(&self) -> Vec<&'a str> {
        let root = Some(self.root).filter(|r| !r.is_empty());
        root.into_iter().chain(self.names.iter().copied()).collect()
    }

    fn render(&self) -> String {
        let s = self.root.to_string() + &self.names.join("/");
        if s.is_empty() {
            ".".to_string()
        } else {
            s
        }
    }
}

/// Where the suffix starts in `name`, if it has one: a last `.` that is
/// neither first nor last.
fn suffix_at(name: &str) -> Option<usize> {
    name.rfind('.').filter(|&i| i > 0 && i < name.len() - 1)
}

fn stem(name: &str) -> &str {
    suffix_at(name).map_or(name, |i| &name[..i])
}

fn suffix(name: &str) -> &str {
    suffix_at(name).map_or("", |i| &name[i..])
}

/// `PurePosixPath.with_suffix`: the last name's suffix replaced (added,
/// or removed with `""`).
fn with_suffix(p: &str, new: &str) -> Result<String, ScriptError> {
    if new.contains('/') || new == "." || (!new.is_empty() && !new.starts_with('.')) {
        return Err(
            ScriptError::new("ValueError", format!("invalid suffix {new:?}")).with_help(
                "a suffix starts with a dot and holds no slash: \".txt\" (\"\" removes it)",
            ),
        );
    }
    let mut pure = Pure::parse(p);
    let Some(last) = pure.names.pop() else {
        return Err(ScriptError::new(
            "ValueError",
            format!("{p:?} has an empty name"),
        ));
    };
    let renamed = stem(last).to_string() + new;
    Ok(join(&pure.render_parent(), [renamed.as_str()]))
}

impl Pure<'_> {
    /// The rendering of what is left once the last name was taken off,
    /// as the folder a new last name joins (empty for none).
    fn render_parent(&self) -> String {
        if self.names.is_empty() {
            self.root.to_string()
        } else {
            self.render()
        }
    }
}

/// `os.path.relpath(p, to)`. Worked out on the strings when the folder
/// `tasks` started in makes no difference (both absolute, or both
/// relative with no `..` left in `to` past what they share); otherwise
/// both are made absolute, which needs `--allow-read` of that folder.
fn relative_to(ctx: &mut NativeCtx<'_>, p: &str, to: &str) -> Result<Value, ScriptError> {
    if p.is_empty() {
        return Err(ScriptError::new("ValueError", "no path specified"));
    }
    let (mut a, mut b) = (normalize(p), normalize(to));
    if !(a.starts_with('/') && b.starts_with('/')) {
        let shared = shared_prefix(&names(&a), &names(&b));
        let pure =
            !a.starts_with('/') && !b.starts_with('/') && !names(&b)[shared..].contains(&"..");
        if !pure {
            let dir = cwd(ctx)?;
            a = normalize(&join(&dir, [a.as_str()]));
            b = normalize(&join(&dir, [b.as_str()]));
        }
    }
    let (a, b) = (names(&a), names(&b));
    let shared = shared_prefix(&a, &b);
    let mut rel: Vec<&str> = vec![".."; b.len() - shared];
    rel.extend_from_slice(&a[shared..]);
    Ok(Value::str(&if rel.is_empty() {
        ".".to_string()
    } else {
        rel.join("/")
    }))
}

/// The names of a normalised path (`.` has none).
fn names(p: &str) -> Vec<&str> {
    p.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

fn shared_prefix(a: &[&str], b: &[&str]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_pythons_normpath() {
        for (p, want) in [
            ("", "."),
            ("/", "/"),
            ("//", "//"),
            ("///", "/"),
            ("a/./b/../c/", "a/c"),
            ("../../a", "../../a"),
            ("/../a", "/a"),
            ("a/..", "."),
            ("a/../..", ".."),
            ("//a/b", "//a/b"),
        ] {
            assert_eq!(normalize(p), want, "normalize({p:?})");
        }
    }

    #[test]
    fn dir_name_and_base_name_are_pythons() {
        assert_eq!(dir_name("a/b/"), "a/b");
        assert_eq!(dir_name("//a"), "//");
        assert_eq!(dir_name("a//b"), "a");
        assert_eq!(dir_name("b"), "");
        assert_eq!(base_name("a/b/"), "");
        assert_eq!(base_name("a/b.txt"), "b.txt");
    }

    #[test]
    fn with_suffix_keeps_the_folder() {
        assert_eq!(with_suffix("a/b.tar.gz", ".zip").unwrap(), "a/b.tar.zip");
        assert_eq!(with_suffix("/x", ".c").unwrap(), "/x.c");
        assert_eq!(with_suffix("x.c", "").unwrap(), "x");
        assert!(with_suffix("/", ".c").is_err());
        assert!(with_suffix("a", "c").is_err());
    }
}
