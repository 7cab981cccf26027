//! Building the grants: `Permissions::none()` and the `allow_*`/`deny_*`
//! methods (each item resolved as it is added: a path made absolute and
//! its links followed, a program found on `$PATH`), the flags' values
//! read, and the grants written back as flags.

use super::net::{self, parse_net, NetPattern};
use super::paths::{absolute, program_path};
use super::{resolve_path, Entry, FlagError, Kind, Permissions, Rule, Scope, Target};
use std::path::{Path, PathBuf};

impl Permissions {
    /// Nothing allowed, relative paths taken from the current folder.
    pub fn none() -> Permissions {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        Permissions {
            cwd,
            rules: Default::default(),
            audit: None,
        }
    }

    /// The folder relative paths are taken from.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// Takes relative paths from `dir` instead, re-resolving what was
    /// granted so far.
    pub fn with_cwd(mut self, dir: impl AsRef<Path>) -> Permissions {
        self.cwd = absolute(&std::env::current_dir().unwrap_or_default(), dir.as_ref());
        let old = std::mem::take(&mut self.rules);
        for (kind, rules) in Kind::ALL.into_iter().zip(old) {
            for (is_deny, rule) in [(false, rules.allow), (true, rules.deny)] {
                let scope = if rule.all {
                    Scope::All
                } else {
                    Scope::Only(rule.entries.into_iter().map(|e| e.raw).collect())
                };
                self = self.add(kind, is_deny, scope);
            }
        }
        self
    }

    /// Everything allowed (`-A`); deny rules added before or after still win.
    pub fn allow_all(mut self) -> Permissions {
        for rules in &mut self.rules {
            rules.allow.all = true;
        }
        self
    }

    /// Grants `kind` for `scope`.
    pub fn allow(self, kind: Kind, scope: Scope) -> Permissions {
        self.add(kind, false, scope)
    }

    /// Refuses `kind` for `scope`, whatever is granted.
    pub fn deny(self, kind: Kind, scope: Scope) -> Permissions {
        self.add(kind, true, scope)
    }

    /// Grants reading under `paths` (`--allow-read=...`).
    pub fn allow_read<P: AsRef<Path>>(self, paths: impl IntoIterator<Item = P>) -> Permissions {
        self.allow(Kind::Read, paths_scope(paths))
    }
    /// Grants writing under `paths` (`--allow-write=...`).
    pub fn allow_write<P: AsRef<Path>>(self, paths: impl IntoIterator<Item = P>) -> Permissions {
        self.allow(Kind::Write, paths_scope(paths))
    }
    /// Grants running `programs` (`--allow-run=...`).
    pub fn allow_run<S: AsRef<str>>(self, programs: impl IntoIterator<Item = S>) -> Permissions {
        self.allow(Kind::Run, str_scope(programs))
    }
    /// Grants reading the variables `names` (`--allow-env=...`).
    pub fn allow_env<S: AsRef<str>>(self, names: impl IntoIterator<Item = S>) -> Permissions {
        self.allow(Kind::Env, str_scope(names))
    }
    /// Items are `HOST[:PORT]`; `*.example.com` matches every subdomain.
    pub fn allow_net<S: AsRef<str>>(self, hosts: impl IntoIterator<Item = S>) -> Permissions {
        self.allow(Kind::Net, str_scope(hosts))
    }
    /// Refuses reading under `paths`.
    pub fn deny_read<P: AsRef<Path>>(self, paths: impl IntoIterator<Item = P>) -> Permissions {
        self.deny(Kind::Read, paths_scope(paths))
    }
    /// Refuses writing under `paths`.
    pub fn deny_write<P: AsRef<Path>>(self, paths: impl IntoIterator<Item = P>) -> Permissions {
        self.deny(Kind::Write, paths_scope(paths))
    }
    /// Refuses running `programs`.
    pub fn deny_run<S: AsRef<str>>(self, programs: impl IntoIterator<Item = S>) -> Permissions {
        self.deny(Kind::Run, str_scope(programs))
    }
    /// Refuses reading the variables `names`.
    pub fn deny_env<S: AsRef<str>>(self, names: impl IntoIterator<Item = S>) -> Permissions {
        self.deny(Kind::Env, str_scope(names))
    }
    /// Refuses connecting to `hosts`.
    pub fn deny_net<S: AsRef<str>>(self, hosts: impl IntoIterator<Item = S>) -> Permissions {
        self.deny(Kind::Net, str_scope(hosts))
    }

    pub(super) fn add(mut self, kind: Kind, is_deny: bool, scope: Scope) -> Permissions {
        let entries: Vec<Entry> = match scope {
            Scope::All => {
                self.rule_mut(kind, is_deny).all = true;
                return self;
            }
            Scope::Only(items) => items
                .into_iter()
                .map(|raw| {
                    let target = self.resolve_entry(kind, &raw);
                    Entry { raw, target }
                })
                .collect(),
        };
        self.rule_mut(kind, is_deny).entries.extend(entries);
        self
    }

    fn rule_mut(&mut self, kind: Kind, is_deny: bool) -> &mut Rule {
        let rules = &mut self.rules[kind.index()];
        if is_deny {
            &mut rules.deny
        } else {
            &mut rules.allow
        }
    }

    fn resolve_entry(&self, kind: Kind, raw: &str) -> Target {
        match kind {
            Kind::Read | Kind::Write => Target::Path(resolve_path(&self.cwd, Path::new(raw))),
            Kind::Run => Target::Program(program_path(raw, &self.cwd, None)),
            Kind::Env => Target::Env,
            // An item the flag parser would refuse matches nothing here.
            Kind::Net => Target::Net(parse_net(raw).unwrap_or(NetPattern {
                host: net::HostPattern::Name(raw.to_string()),
                port: Some(0),
            })),
        }
    }

    /// The grants as command-line flags (`--allow-read=. --allow-run=sh`),
    /// for reports such as `tasks test`'s; empty when nothing is granted.
    pub fn flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (prefix, pick) in [("allow", false), ("deny", true)] {
            for kind in Kind::ALL {
                let rules = &self.rules[kind.index()];
                let rule = if pick { &rules.deny } else { &rules.allow };
                let flag = format!("--{prefix}-{}", kind.name());
                if rule.all {
                    out.push(flag);
                } else if !rule.entries.is_empty() {
                    let items: Vec<&str> = rule.entries.iter().map(|e| e.raw.as_str()).collect();
                    out.push(format!("{flag}={}", items.join(",")));
                }
            }
        }
        out
    }

    /// Adds the grants of a golden test's header, such as
    /// `read=. run=sh net=127.0.0.1` (`all` for everything): words of
    /// `KIND` or `KIND=ITEM,...`.
    pub fn allow_words(mut self, words: &str) -> Result<Permissions, FlagError> {
        for word in words.split_whitespace() {
            if word == "all" {
                self = self.allow_all();
                continue;
            }
            let (name, value) = match word.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (word, None),
            };
            let Some(kind) = Kind::from_name(name) else {
                return Err(FlagError {
                    flag: word.to_string(),
                    message: "expected read, write, run, env, net or all".to_string(),
                });
            };
            let scope = parse_flag_value(kind, &format!("--allow-{name}"), value)?;
            self = self.allow(kind, scope);
        }
        Ok(self)
    }
}

fn paths_scope<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Scope {
    Scope::Only(
        paths
            .into_iter()
            .map(|p| p.as_ref().to_string_lossy().into_owned())
            .collect(),
    )
}

fn str_scope<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Scope {
    Scope::Only(items.into_iter().map(|s| s.as_ref().to_string()).collect())
}

/// Reads one permission flag's value: `None` (the bare flag) grants
/// everything, `Some("a,b")` the listed items. `flag` names the flag in
/// errors.
pub fn parse_flag_value(kind: Kind, flag: &str, value: Option<&str>) -> Result<Scope, FlagError> {
    match value {
        None => Ok(Scope::All),
        Some(v) => parse_items(kind, flag, v.split(',')),
    }
}

pub(super) fn parse_items<'a>(
    kind: Kind,
    flag: &str,
    items: impl IntoIterator<Item = &'a str>,
) -> Result<Scope, FlagError> {
    let err = |message: String| FlagError {
        flag: flag.to_string(),
        message,
    };
    let mut out = Vec::new();
    for item in items {
        if item.is_empty() {
            return Err(err(
                "an empty item (write the flag alone to allow everything)".into(),
            ));
        }
        if kind == Kind::Net {
            parse_net(item).map_err(err)?;
        }
        out.push(item.to_string());
    }
    Ok(Scope::Only(out))
}
