//! What an editor asks of a script without running it: every mistake the
//! compiler finds, as data (`tasks lsp` turns them into LSP diagnostics),
//! and the names a script can use (builtins, modules and their members,
//! with signatures where the registration declares one).

use super::Engine;
use crate::compile::{CompileError, Elsewhere};
use crate::syntax::parse_program;
use std::collections::BTreeMap;

/// How bad a [`Finding`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The program cannot run (`tasks check` exits 2).
    Error,
    /// It runs, but probably not as meant (a coroutine never awaited).
    Warning,
}

/// One mistake, located in the text that was analysed (byte offsets).
/// A mistake inside an imported file is reported at the `import` that
/// brings it in, its message naming the file.
#[derive(Clone, Debug)]
pub struct Finding {
    /// An error or a warning.
    pub severity: Severity,
    /// The first byte of what it points at.
    pub start: usize,
    /// The byte after it.
    pub end: usize,
    /// The headline, as `tasks check` prints it.
    pub message: String,
    /// What the label under the span says.
    pub label: String,
    /// The help line, when the report has one.
    pub help: Option<String>,
}

/// The names a script sees besides its own.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    /// Builtin functions, with their signature when declared.
    pub builtins: BTreeMap<String, Option<String>>,
    /// Native modules → member → signature when declared.
    pub modules: BTreeMap<String, BTreeMap<String, Option<String>>>,
    /// Built-in types → method → usage (`list.pop(i?)`).
    pub methods: BTreeMap<String, BTreeMap<String, String>>,
}

impl Engine {
    /// The files a program imports at its top level, as written
    /// (`import "lib/util.tasks" as util` gives `lib/util.tasks`), in
    /// order; `None` when it does not parse. Nothing is read or run: what
    /// a test runner needs to tell a module the scripts share from a
    /// script (`tasks test` does), or a bundler to find what to copy.
    pub fn imports(text: &str) -> Option<Vec<String>> {
        let program = parse_program(text).ok()?;
        let paths = program.stmts.iter().filter_map(|s| match &s.kind {
            crate::syntax::ast::StmtKind::Import { path, .. } => Some(path.to_string()),
            _ => None,
        });
        Some(paths.collect())
    }

    /// Parses and resolves `text` as the program `name` (its imports
    /// too), returning every mistake found instead of rendering it.
    pub fn analyze(&mut self, name: &str, text: &str) -> Vec<Finding> {
        let program = match parse_program(text) {
            Ok(p) => p,
            Err(e) => {
                let mut help = e.help.clone();
                if let Some((_, related)) = &e.related {
                    help = Some(help.map_or(related.clone(), |h| format!("{h}\n{related}")));
                }
                return vec![Finding {
                    severity: Severity::Error,
                    start: e.span.start as usize,
                    end: e.span.end as usize,
                    message: e.message,
                    label: e.label,
                    help,
                }];
            }
        };
        let id = self.sources.add(name, text);
        // The imports' warnings are rendered reports, not findings: an
        // editor sees the import's own file when it opens it.
        let (compiled, _import_warnings) = self.compile_unlinked(&program, text, id, name);
        let (errors, warnings) = match compiled {
            Ok(c) => (Vec::new(), c.warnings),
            Err(e) => (vec![e], Vec::new()),
        };
        let errors = errors.iter().map(|e| self.finding(e, Severity::Error));
        let warnings = warnings.iter().map(|w| self.finding(w, Severity::Warning));
        errors.chain(warnings).collect()
    }

    fn finding(&self, e: &CompileError, severity: Severity) -> Finding {
        let file = |i: &u32| self.sources.files[*i as usize].name.clone();
        let message = match e.elsewhere.as_deref() {
            None => e.message.clone(),
            Some(Elsewhere::Syntax { source, error }) => {
                format!("in {}: {}", file(source), error.message)
            }
            Some(Elsewhere::Compile { source, error }) => {
                format!("in {}: {}", file(source), error.message)
            }
        };
        Finding {
            severity,
            start: e.span.start as usize,
            end: e.span.end as usize,
            message,
            label: e.label.clone(),
            help: e.help.clone(),
        }
    }

    /// The builtins and native modules this engine offers.
    pub fn vocabulary(&self) -> Vocabulary {
        let natives = &self.globals.natives;
        let builtins = natives
            .functions
            .iter()
            .map(|(name, n)| (name.to_string(), self.natives.usage(n.id)))
            .collect();
        let modules = natives
            .modules
            .iter()
            .map(|(module, members)| {
                let members = members
                    .iter()
                    .map(|(m, id)| (m.to_string(), self.natives.usage(*id)))
                    .collect();
                (module.to_string(), members)
            })
            .collect();
        let mut methods: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (ty, m, usage) in crate::runtime::methods::method_catalogue() {
            methods
                .entry(ty.to_string())
                .or_default()
                .insert(m.to_string(), usage);
        }
        Vocabulary {
            builtins,
            modules,
            methods,
        }
    }
}
