//! Loading imported files: `import "./util.tasks" as util`.
//!
//! A path is relative to the importing file (to the current directory for
//! the REPL and for sources that are not files). Each file is loaded once
//! per engine, keyed by its canonical path; the first import compiles it
//! into a namespace of its own and runs its body there. A file that imports
//! itself, directly or not, is a diagnostic showing the chain.
//!
//! Imports are code, not data: one from the main script's folder (or
//! below it) needs no `--allow-read`, one from elsewhere does, and a
//! `--deny-read` holds for every one. Only a regular file whose real name
//! ends in `.tasks` is ever read ([`open`]), and a file that is not a
//! script (not UTF-8) is reported without quoting it.

mod open;

use crate::compile::code::ModuleDecl;
use crate::compile::names::Globals;
use crate::compile::{compile_program, CompileError, Elsewhere, Imported, Importer};
use crate::diagnostics::{self, Sources, Style};
use crate::permissions::Permissions;
use crate::syntax::{parse_program, Span};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// The files an engine has loaded, by canonical path.
#[derive(Default)]
pub(crate) struct ModuleCache {
    loaded: HashMap<PathBuf, Rc<ModuleDecl>>,
    /// Source id → the folder its imports are relative to.
    dirs: HashMap<u32, PathBuf>,
    /// The files the latest compilation that succeeded loaded first.
    last_loaded: Vec<PathBuf>,
}

impl ModuleCache {
    /// The global slots of every loaded file's top-level names: they keep
    /// their values from one program on an engine to the next, since a
    /// file's body runs only at its first import.
    pub(crate) fn member_slots(&self) -> std::collections::HashSet<u32> {
        self.loaded
            .values()
            .flat_map(|m| m.members.values().copied())
            .collect()
    }

    /// After the latest program (a REPL input) failed or was cancelled:
    /// forgets each file its compilation loaded first whose body did not
    /// run to its end (`finished` says), so that the next import reads and
    /// runs it again, as Python drops a module whose body raised from
    /// `sys.modules`. A file whose body finished stays loaded.
    pub(crate) fn forget_unfinished(&mut self, finished: impl Fn(&Rc<ModuleDecl>) -> bool) {
        for path in self.last_loaded.drain(..) {
            if self.loaded.get(&path).is_some_and(|m| !finished(m)) {
                self.loaded.remove(&path);
            }
        }
    }
}

/// One compilation's importer: the engine's sources and cache, the chain
/// of files being compiled (for cycles), and what to undo if it fails.
pub(crate) struct Loader<'e> {
    pub sources: &'e mut Sources,
    pub style: &'e Style,
    pub cache: &'e mut ModuleCache,
    /// (canonical path, name) of each file being compiled, outermost first.
    chain: Vec<(PathBuf, String)>,
    /// Warnings found in imported files, rendered.
    pub warnings: Vec<String>,
    /// (source, span) of each coroutine those warnings say is dropped.
    pub dropped_coroutines: Vec<(u32, crate::syntax::Span)>,
    /// Files first loaded by this compilation (forgotten if it fails, so a
    /// REPL input that failed to compile leaves no half-loaded module).
    added: Vec<PathBuf>,
    /// How deep in imported files the compiler is (0: the program).
    importing: usize,
    /// The grants imports are checked against (`None`: a static check,
    /// which runs nothing and checks no grant).
    permissions: Option<&'e Permissions>,
    /// The main script's folder (canonical), whose files need no grant.
    home: PathBuf,
}

impl<'e> Loader<'e> {
    /// A loader for compiling source `main` (named `name`), its imports
    /// checked against `permissions` (see [`Permissions::check_import`]).
    pub(crate) fn new(
        sources: &'e mut Sources,
        style: &'e Style,
        cache: &'e mut ModuleCache,
        main: u32,
        name: &str,
        permissions: Option<&'e Permissions>,
    ) -> Loader<'e> {
        let path = Path::new(name);
        let mut chain = Vec::new();
        let mut home = std::env::current_dir().unwrap_or_default();
        // Imports are beside the file, also one not saved yet (an
        // editor's new buffer, as `tasks lsp` sees it).
        if let Some(dir) = path.parent().filter(|d| d.is_dir()) {
            cache.dirs.insert(main, dir.to_path_buf());
        }
        if path.is_file() {
            if let Ok(canonical) = path.canonicalize() {
                home = canonical
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                chain.push((canonical, name.to_string()));
            }
        }
        let home = home.canonicalize().unwrap_or(home);
        Loader {
            sources,
            style,
            cache,
            chain,
            warnings: Vec::new(),
            dropped_coroutines: Vec::new(),
            added: Vec::new(),
            importing: 0,
            permissions,
            home,
        }
    }

    /// The compilation succeeded: remembers which files it loaded first
    /// (see [`ModuleCache::forget_unfinished`]).
    pub(crate) fn succeeded(&mut self) {
        self.cache.last_loaded = std::mem::take(&mut self.added);
    }

    /// Forgets the files this compilation loaded (it failed).
    pub(crate) fn roll_back(&mut self) {
        for p in self.added.drain(..) {
            self.cache.loaded.remove(&p);
        }
    }

    fn compile_file(
        &mut self,
        globals: &mut Globals,
        canonical: PathBuf,
        name: String,
        span: Span,
        bytes: Vec<u8>,
    ) -> Result<Imported, CompileError> {
        let text = std::str::from_utf8(&bytes).map_err(|e| not_utf8(&name, &bytes, &e, span))?;
        let id = self.sources.add(&name, text);
        let dir = Path::new(&name).parent().map(Path::to_path_buf);
        self.cache.dirs.insert(id, dir.unwrap_or_default());
        let program = parse_program(text)
            .map_err(|error| elsewhere(span, Elsewhere::Syntax { source: id, error }))?;
        self.chain.push((canonical.clone(), name.clone()));
        let back = globals.enter_new_space();
        self.importing += 1;
        let compiled = compile_program(&program, text, globals, self, id, false);
        self.importing -= 1;
        let members = globals.members();
        globals.leave_space(back);
        self.chain.pop();
        let mut compiled = compiled.map_err(|error| match error.elsewhere {
            Some(_) => error,
            None => elsewhere(span, Elsewhere::Compile { source: id, error }),
        })?;
        // Call stacks name a file's body as Python's tracebacks do.
        if let Some(body) = Rc::get_mut(&mut compiled.main) {
            body.name = Rc::from("<module>");
        }
        self.dropped_coroutines
            .extend(compiled.dropped_coroutines.iter().map(|&s| (id, s)));
        for w in &compiled.warnings {
            let src = &self.sources.files[id as usize];
            self.warnings
                .push(diagnostics::compile_warning(self.style, src, w));
        }
        let module = Rc::new(ModuleDecl {
            name: Rc::from(name.as_str()),
            members,
        });
        self.cache.loaded.insert(canonical.clone(), module.clone());
        self.added.push(canonical);
        Ok(Imported {
            module,
            body: Some(compiled.main),
        })
    }
}

impl Importer for Loader<'_> {
    fn in_import(&self) -> bool {
        self.importing > 0
    }

    fn import(
        &mut self,
        globals: &mut Globals,
        from: u32,
        path: &str,
        span: Span,
    ) -> Result<Imported, CompileError> {
        let dir = self.cache.dirs.get(&from).cloned().unwrap_or_default();
        let joined = dir.join(path);
        let name = normalize(&joined);
        if !open::is_script_name(Path::new(path)) {
            return Err(not_a_script(
                path,
                span,
                "only `.tasks` files can be imported",
            ));
        }
        if let Some(p) = self.permissions.filter(|p| p.audits()) {
            let at = crate::runtime::error::Loc { source: from, span };
            p.set_site(Some(&self.sources.describe(at)));
        }
        let rules = open::Rules {
            permissions: self.permissions,
            home: &self.home,
        };
        let (chain, loaded) = (&self.chain, &self.cache.loaded);
        let unseen =
            |real: &Path| !chain.iter().any(|(p, _)| p == real) && !loaded.contains_key(real);
        let (canonical, bytes) = match open::open(&joined, &name, &rules, unseen) {
            Ok(opened) => opened,
            Err(open::Refusal::NotFound) => {
                return Err(not_found(path, &name, &dir, span, &rules));
            }
            Err(open::Refusal::NotScript) => {
                let why = "it is not a `.tasks` file once its links are followed";
                return Err(not_a_script(path, span, why));
            }
            Err(open::Refusal::Denied(d)) => return Err(denied(path, &d, &self.home, span)),
            Err(open::Refusal::Io(e)) => {
                let message = format!("cannot read `{name}`: {e}");
                return Err(import_error(message, span, "imported here"));
            }
        };
        if let Some(at) = self.chain.iter().position(|(p, _)| *p == canonical) {
            let mut names: Vec<&str> = self.chain[at..].iter().map(|(_, n)| n.as_str()).collect();
            names.push(&self.chain[at].1);
            let mut e = import_error(
                format!("import cycle: {}", names.join(" → ")),
                span,
                "this import closes the cycle",
            );
            e.help = Some(
                "files cannot import each other: move what they share into a file that imports neither"
                    .into(),
            );
            return Err(e);
        }
        if let Some(module) = self.cache.loaded.get(&canonical) {
            return Ok(Imported {
                module: module.clone(),
                body: None,
            });
        }
        let bytes = bytes.expect("read, since neither loaded nor being compiled");
        self.compile_file(globals, canonical, name, span, bytes)
    }
}

fn import_error(message: String, span: Span, label: &str) -> CompileError {
    CompileError {
        message,
        span,
        label: label.into(),
        help: None,
        elsewhere: None,
        also: Vec::new(),
    }
}

fn elsewhere(span: Span, inner: Elsewhere) -> CompileError {
    let mut e = import_error("error in an imported file".into(), span, "imported here");
    e.elsewhere = Some(Box::new(inner));
    e
}

/// An import of what is not a script: said without reading it.
fn not_a_script(path: &str, span: Span, why: &str) -> CompileError {
    let mut e = import_error(
        format!("cannot import `{path}`: {why}"),
        span,
        "not a script",
    );
    e.help = Some(
        "an import reads only a regular file whose real name ends in `.tasks`; data is read with fs.read_text (and --allow-read)".into(),
    );
    e
}

/// An import the grants refuse.
fn denied(path: &str, d: &crate::permissions::Denied, home: &Path, span: Span) -> CompileError {
    let mut e = import_error(format!("cannot import `{path}`: {d}"), span, "not allowed");
    if d.denied_by.is_none() {
        e.help = Some(format!(
            "an import from the main script's folder ({}) or below needs no grant; from elsewhere, --allow-read must cover it",
            home.display()
        ));
    }
    e
}

/// An imported file that is not UTF-8 is not a script: where the first
/// bad byte is, without quoting the file (it may be anything).
fn not_utf8(name: &str, bytes: &[u8], err: &std::str::Utf8Error, span: Span) -> CompileError {
    let at = err.valid_up_to();
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = at
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    let mut e = import_error(
        format!(
            "cannot import `{name}`: it is not UTF-8 text (byte 0x{:02X} at line {line}, column {column})",
            bytes[at]
        ),
        span,
        "not a script",
    );
    e.help = Some("save the file as UTF-8".into());
    e
}

/// A missing file, with the closest `.tasks` file beside it as a guess
/// (only from a folder the import could read: no listing of others).
fn not_found(path: &str, name: &str, dir: &Path, span: Span, rules: &open::Rules) -> CompileError {
    let mut e = import_error(
        format!("cannot import `{path}`: there is no file `{name}`"),
        span,
        "no such file",
    );
    let target = Path::new(path);
    let folder = dir.join(target.parent().unwrap_or(Path::new("")));
    let wanted = target.file_name().and_then(|f| f.to_str()).unwrap_or("");
    let listable = match (rules.permissions, folder.canonicalize()) {
        (None, _) => true,
        (Some(p), Ok(real)) => p.import_judged(&real, path, rules.home).is_ok(),
        (Some(_), Err(_)) => false,
    };
    let listing = listable
        .then(|| std::fs::read_dir(&folder))
        .and_then(Result::ok);
    let mut files: Vec<String> = (listing.into_iter().flatten().flatten())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|f| f.ends_with(".tasks"))
        .collect();
    files.sort();
    if let Some(best) = crate::compile::names::closest(wanted, files.iter().map(|s| s.as_str())) {
        let parent = target.parent().map(|p| p.to_string_lossy().to_string());
        let guess = match parent.as_deref() {
            Some("") | None => best,
            Some(p) => format!("{p}/{best}"),
        };
        e.help = Some(format!("did you mean `{guess}`?"));
    } else {
        e.help = Some("the path is relative to the importing file's folder".into());
    }
    e
}

/// `a/./b/../c.tasks` → `a/c.tasks`, without touching the file system.
fn normalize(p: &Path) -> String {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    let joined: PathBuf = out.iter().collect();
    joined.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::Path;

    #[test]
    fn names_are_normalized_lexically() {
        assert_eq!(normalize(Path::new("./util.tasks")), "util.tasks");
        assert_eq!(normalize(Path::new("lib/../util.tasks")), "util.tasks");
        assert_eq!(normalize(Path::new("a/./b/../c.tasks")), "a/c.tasks");
        assert_eq!(normalize(Path::new("../x.tasks")), "../x.tasks");
    }
}
