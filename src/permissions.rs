//! What a script may touch outside the interpreter: Deno's model, deny by
//! default.
//!
//! Five kinds of access (read, write, run, env, net), each with an allow
//! rule and a deny rule; a rule covers everything (`--allow-read`) or a
//! list (`--allow-read=a,b`). Deny always wins. Paths are compared after
//! making them absolute against the start-up folder and resolving symlinks,
//! so `..` and links cannot reach outside a grant; a program is resolved
//! to a file (through our own `PATH`) at the check, and that file is what
//! a grant must name and what runs.
//!
//! A refusal is a [`Denied`], which the interpreter raises as a
//! `NotCapableError` (kept apart from the OS's `PermissionError`, as Deno 2
//! does) whose message names the flag that would allow it.
//!
//! A file check hands back the [`Place`] it checked (the grant's folder and
//! the canonical rest), and the operation opens that place without
//! following any link ([`beneath`]), so a path swapped for a symlink
//! between the check and the use is refused, not followed. A process's own
//! files under `/proc` (its environment, its memory) need `--allow-env` as
//! well to be read, and are never written.

mod audit;
#[cfg(feature = "cli")]
mod flags;
#[cfg(feature = "cli")]
pub use flags::PermissionFlags;
mod paths;
pub use paths::resolve_path;
use paths::{absolute, is_process_file, is_under, program_path, resolve};
mod grants;
mod imports;
mod net;
mod trees;

pub use grants::parse_flag_value;
#[cfg(feature = "cli")]
use grants::parse_items;
use net::NetPattern;
pub use net::{parse_ip, system_lookup, Lookup, NetRefusal, NetUse};
use std::fmt;
use std::path::{Component, Path, PathBuf};

pub mod beneath;
pub use beneath::{Parent, Place};

/// A kind of access, with its flag's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Reading files and folders.
    Read,
    /// Creating, writing, renaming and removing files and folders.
    Write,
    /// Running programs.
    Run,
    /// Reading environment variables.
    Env,
    /// Connecting and listening.
    Net,
}

impl Kind {
    /// Every kind, in flag order.
    pub const ALL: [Kind; 5] = [Kind::Read, Kind::Write, Kind::Run, Kind::Env, Kind::Net];

    /// The word in messages and flags: `read` in `--allow-read`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Read => "read",
            Kind::Write => "write",
            Kind::Run => "run",
            Kind::Env => "env",
            Kind::Net => "net",
        }
    }

    /// The kind a flag's name (`read`, `net`, ...) stands for.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What one flag grants or denies: everything, or the listed items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything of the kind.
    All,
    /// Only these paths, programs, names or hosts.
    Only(Vec<String>),
}

/// A check that failed. Renders as the message of the `NotCapableError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denied {
    /// The kind of access refused.
    pub kind: Kind,
    /// What was asked for, as the script named it (`host:port` for net);
    /// `None` for "every environment variable".
    pub target: Option<String>,
    /// The deny flag that refused it, when one did (then an allow flag
    /// would not help, so the message does not suggest one).
    pub denied_by: Option<String>,
    /// A rule of the interpreter's own that refused it (no flag did), said
    /// in place of the flag to add.
    pub rule: Option<&'static str>,
}

impl Denied {
    /// The error kind a script sees.
    pub const ERROR_KIND: &'static str = "NotCapableError";
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind.name();
        match &self.target {
            Some(t) => write!(f, "{kind} access to \"{t}\" is not allowed — ")?,
            None => write!(f, "{kind} access to all variables is not allowed — ")?,
        }
        if let Some(rule) = self.rule {
            return write!(f, "{rule}");
        }
        match (&self.denied_by, &self.target) {
            (Some(flag), _) => write!(f, "it is denied by {flag}"),
            (None, Some(t)) => write!(f, "run again with --allow-{kind}={t}"),
            (None, None) => write!(f, "run again with --allow-{kind}"),
        }
    }
}

impl std::error::Error for Denied {}

/// A flag value that cannot be used (an empty item, a bad port).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagError {
    /// The flag as given.
    pub flag: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for FlagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid value for {}: {}", self.flag, self.message)
    }
}

impl std::error::Error for FlagError {}

/// One item of a rule, with what it was resolved to when it was added.
#[derive(Clone, Debug)]
struct Entry {
    /// As written, for messages and for [`Permissions::flags`].
    raw: String,
    target: Target,
}

#[derive(Clone, Debug)]
enum Target {
    /// Read and write: the resolved path; everything under it matches.
    Path(PathBuf),
    /// Run: where `PATH` found the program when it was granted, if it did.
    Program(Option<PathBuf>),
    /// Env: a name, or a prefix when the item ends in `*`.
    Env,
    Net(NetPattern),
}

#[derive(Clone, Debug, Default)]
struct Rule {
    all: bool,
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, Default)]
struct Rules {
    allow: Rule,
    deny: Rule,
}

/// The grants a program runs with. Build one with [`Permissions::none`]
/// and the `allow_*`/`deny_*` methods, or from the command line with
/// [`PermissionFlags::to_permissions`].
#[derive(Clone, Debug)]
pub struct Permissions {
    /// Relative paths, in grants and in checks, are taken from here: the
    /// folder the program started in.
    cwd: PathBuf,
    rules: [Rules; 5],
    /// `--audit-permissions`: where each check is logged.
    audit: Option<audit::Audit>,
}

impl Default for Permissions {
    fn default() -> Self {
        Permissions::none()
    }
}

impl Permissions {
    /// Would reading `path` be allowed?
    pub fn check_read(&self, path: &Path) -> Result<(), Denied> {
        self.place(Kind::Read, path).map(drop)
    }

    /// Would writing, creating, renaming or removing `path` be allowed?
    pub fn check_write(&self, path: &Path) -> Result<(), Denied> {
        self.place(Kind::Write, path).map(drop)
    }

    /// Checks `kind` (read or write) for `path` and hands back what was
    /// checked: the canonical path below the grant that covers it. Use the
    /// file through the [`Place`], never by name again: it refuses a link
    /// swapped in after this check instead of following it.
    pub fn place(&self, kind: Kind, path: &Path) -> Result<Place, Denied> {
        self.place_resolved(kind, path, resolve_path(&self.cwd, path))
    }

    /// [`Permissions::place`] for an operation on the path itself, not
    /// what it links to (removing or renaming a link acts on the link):
    /// its folder is resolved, its last name kept as it is.
    pub fn place_itself(&self, kind: Kind, path: &Path) -> Result<Place, Denied> {
        let abs = absolute(&self.cwd, path);
        let resolved = match (abs.components().next_back(), abs.parent()) {
            (Some(Component::Normal(name)), Some(dir)) => resolve(dir, 0).join(name),
            _ => resolve(&abs, 0),
        };
        self.place_resolved(kind, path, resolved)
    }

    fn place_resolved(&self, kind: Kind, path: &Path, resolved: PathBuf) -> Result<Place, Denied> {
        let shown = path.to_string_lossy();
        let place = self.place_unaudited(kind, &shown, resolved);
        self.audited(kind, Some(&shown), place)
    }

    fn place_unaudited(&self, kind: Kind, shown: &str, resolved: PathBuf) -> Result<Place, Denied> {
        self.process_files(kind, &resolved, shown)?;
        let covers = |e: &Entry| matches!(&e.target, Target::Path(p) if is_under(&resolved, p));
        self.decide(kind, shown, covers)?;
        let root = self.rules[kind.index()]
            .allow
            .entries
            .iter()
            .filter_map(|e| match &e.target {
                Target::Path(p) if is_under(&resolved, p) => Some(p),
                _ => None,
            })
            .max_by_key(|p| p.as_os_str().len())
            .cloned()
            .unwrap_or_else(|| PathBuf::from("/")); // allowed everywhere
        Ok(Place::new(root, &resolved))
    }

    /// Checks moving `from` (write and read: what is moved becomes
    /// readable where it lands) and refuses moving a folder with a denied
    /// path inside, which would carry that path out from under its deny
    /// rule. Returns the place, as [`Permissions::place`].
    pub fn place_to_move(&self, from: &Path) -> Result<Place, Denied> {
        let place = self.place_itself(Kind::Write, from)?;
        self.place_itself(Kind::Read, from)?;
        let moved = place.path();
        for kind in [Kind::Read, Kind::Write] {
            let inside = self.rules[kind.index()].deny.entries.iter().find(
                |e| matches!(&e.target, Target::Path(p) if p.starts_with(&moved) && *p != moved),
            );
            if let Some(e) = inside {
                let target = from.display().to_string();
                let denied = Denied {
                    kind: Kind::Write,
                    target: Some(target.clone()),
                    denied_by: Some(format!("--deny-{}={}", kind.name(), e.raw)),
                    rule: None,
                };
                return self.audited(Kind::Write, Some(&target), Err(denied));
            }
        }
        Ok(place)
    }

    /// A process's own files under `/proc` (`/proc/self/environ`, `mem`,
    /// ...) hold its environment and memory: reading them needs
    /// `--allow-env` for every variable as well, and writing them (which
    /// could rewrite the interpreter's code) is never allowed.
    fn process_files(&self, kind: Kind, resolved: &Path, shown: &str) -> Result<(), Denied> {
        if !is_process_file(resolved) || (kind == Kind::Read && self.check_env_all().is_ok()) {
            return Ok(());
        }
        Err(Denied {
            kind,
            target: Some(shown.to_string()),
            denied_by: None,
            rule: Some(match kind {
                Kind::Read => {
                    "a process's files under /proc hold its environment: reading them needs --allow-env as well"
                }
                _ => "a process's files under /proc are never written",
            }),
        })
    }

    /// Would starting `program` (a name looked up in `PATH`, or a path) be
    /// allowed? See [`Permissions::check_run_file`].
    pub fn check_run(&self, program: &str) -> Result<(), Denied> {
        self.check_run_file(program).map(|_| ())
    }

    /// Checks `program` and says which file to run: the name looked up in
    /// our own `PATH`, or the path made absolute against our start-up
    /// folder, once, here (`None`: no such program in `PATH`). Run that
    /// file, so that a child's `env:` (its `PATH`) or `cwd:` cannot make
    /// the name mean another one.
    ///
    /// A grant covers the file it named when it was given (so
    /// `--allow-run=sh` allows `/bin/sh` but not `bash`, nor an `sh` put
    /// earlier in `PATH` later); a grant of a name `PATH` did not find then
    /// covers that name. A deny covers its name and its file.
    pub fn check_run_file(&self, program: &str) -> Result<Option<PathBuf>, Denied> {
        let outcome = self.run_file(program);
        self.audited(Kind::Run, Some(program), outcome)
    }

    fn run_file(&self, program: &str) -> Result<Option<PathBuf>, Denied> {
        let path = program_path(program, &self.cwd, None);
        let same_file =
            |e: &Entry| matches!((&e.target, &path), (Target::Program(Some(g)), Some(p)) if g == p);
        let rules = &self.rules[Kind::Run.index()];
        let denied_by = if rules.deny.all {
            Some("--deny-run".to_string())
        } else {
            (rules.deny.entries.iter())
                .find(|e| e.raw == program || same_file(e))
                .map(|e| format!("--deny-run={}", e.raw))
        };
        let granted = rules.allow.all
            || rules.allow.entries.iter().any(|e| {
                same_file(e) || (e.raw == program && matches!(e.target, Target::Program(None)))
            });
        if denied_by.is_none() && granted {
            return Ok(path);
        }
        Err(Denied {
            kind: Kind::Run,
            target: Some(program.to_string()),
            denied_by,
            rule: None,
        })
    }

    /// Is `kind` granted for everything (`--allow-run` with no list, or
    /// `-A`)? Deny rules may still refuse some of it.
    pub fn allows_all(&self, kind: Kind) -> bool {
        self.rules[kind.index()].allow.all
    }

    /// Would reading the environment variable `name` be allowed?
    pub fn check_env(&self, name: &str) -> Result<(), Denied> {
        let covers = |e: &Entry| match e.raw.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => e.raw == name,
        };
        let outcome = self.decide(Kind::Env, name, covers);
        self.audited(Kind::Env, Some(name), outcome)
    }

    /// Would reading every environment variable (`env.all()`) be allowed?
    /// Only with `--allow-env` for all names and no `--deny-env`.
    pub fn check_env_all(&self) -> Result<(), Denied> {
        let rules = &self.rules[Kind::Env.index()];
        let denied_by = if rules.deny.all {
            Some("--deny-env".to_string())
        } else {
            rules
                .deny
                .entries
                .first()
                .map(|e| format!("--deny-env={}", e.raw))
        };
        let outcome = match rules.allow.all && denied_by.is_none() {
            true => Ok(()),
            false => Err(Denied {
                kind: Kind::Env,
                target: None,
                denied_by,
                rule: None,
            }),
        };
        self.audited(Kind::Env, None, outcome)
    }

    /// Would connecting to `host` on `port` be allowed? `host` may be a
    /// name (looked up with the system's resolver, which blocks) or an IP
    /// address in any spelling the resolver takes; see
    /// [`Permissions::net_addresses`], which also gives the addresses to use.
    pub fn check_net(&self, host: &str, port: u16) -> Result<(), Denied> {
        match self.net_addresses(host, port, NetUse::Connect, &mut net::system_lookup) {
            Ok(_) => Ok(()),
            Err(NetRefusal::Denied(d)) => Err(d),
            // Nothing to reach: judged by the name alone.
            Err(NetRefusal::Lookup(_)) => {
                let outcome = self.net_by_name(host, port);
                self.audited(Kind::Net, Some(&net::shown(host, port)), outcome)
            }
        }
    }

    /// Deny first (it always wins), then allow.
    fn decide(
        &self,
        kind: Kind,
        target: &str,
        covers: impl Fn(&Entry) -> bool,
    ) -> Result<(), Denied> {
        let rules = &self.rules[kind.index()];
        let denied_by = self.denied_by(kind, &covers);
        if denied_by.is_none() && (rules.allow.all || rules.allow.entries.iter().any(covers)) {
            return Ok(());
        }
        Err(Denied {
            kind,
            target: Some(target.to_string()),
            denied_by,
            rule: None,
        })
    }

    /// The deny flag that covers a target, if one does.
    fn denied_by(&self, kind: Kind, covers: impl Fn(&Entry) -> bool) -> Option<String> {
        let deny = &self.rules[kind.index()].deny;
        if deny.all {
            return Some(format!("--deny-{}", kind.name()));
        }
        (deny.entries.iter())
            .find(|e| covers(e))
            .map(|e| format!("--deny-{}={}", kind.name(), e.raw))
    }
}

#[cfg(test)]
mod tests;
