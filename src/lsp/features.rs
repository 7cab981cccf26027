//! One open document and what the server answers about it.

use super::members::{MemberKind, Scope};
use super::references;
use super::symbols::{self, Kind, Symbol};
use super::text::{qualifier, receiver, word_at, Lines, Receiver};
use crate::engine::{Severity, Vocabulary};
use crate::{Engine, Options};
use lsp_types::{
    CompletionItem, CompletionItemKind, Diagnostic, DiagnosticSeverity, GotoDefinitionResponse,
    Hover, HoverContents, Location, MarkupContent, MarkupKind, Position, TextEdit, Uri,
    WorkspaceEdit,
};

const KEYWORDS: &[&str] = &[
    "let", "fn", "async", "await", "spawn", "return", "if", "else", "while", "for", "in", "break",
    "continue", "try", "catch", "finally", "throw", "true", "false", "nil", "and", "or", "not",
    "import", "as", "struct", "group", "with",
];

/// A signature, and the reference's one line about it when it has one.
fn with_description(sig: String, about: Option<&str>) -> String {
    match about {
        Some(about) => format!("```tasks\n{sig}\n```\n\n{about}"),
        None => format!("```tasks\n{sig}\n```"),
    }
}

/// An open document: its text, the mistakes in it, its declarations.
pub(super) struct Document {
    /// The file the document is (imports resolve beside it).
    path: String,
    text: String,
    findings: Vec<crate::engine::Finding>,
    symbols: Vec<Symbol>,
    vocabulary: Vocabulary,
}

/// The file a `file://` URI names (imports resolve beside it), or the URI
/// itself for an unsaved buffer (`untitled:...`) or one that names no
/// local file. Decoded by the `url` crate (percent escapes, `localhost`).
fn path_of(uri: &Uri) -> String {
    let s = uri.as_str();
    match url::Url::parse(s).map(|u| u.to_file_path()) {
        Ok(Ok(path)) => path.to_string_lossy().into_owned(),
        _ => s.to_owned(),
    }
}

/// The declarations of `text`; while a line is half typed, those of the
/// lines before it (the file's scope still reaching to its end), so that
/// completion offers the names declared so far.
pub(super) fn declarations(text: &str) -> Vec<Symbol> {
    // Cut before the line of each error in turn (an error can be reported
    // a line after the mistake, at the next token), a few times at most.
    let mut end = text.len();
    for _ in 0..4 {
        let err = match crate::syntax::parse_program(&text[..end]) {
            Ok(p) => {
                let mut symbols = symbols::collect(&p, end);
                for s in &mut symbols {
                    if s.scope == (0, end) {
                        s.scope.1 = text.len();
                    }
                }
                return symbols;
            }
            Err(e) => e,
        };
        let at = (err.span.start as usize).min(end);
        let cut = text[..at].rfind('\n').map_or(0, |i| i + 1);
        end = if cut < end {
            cut
        } else {
            text[..end].trim_end().rfind('\n').map_or(0, |i| i + 1)
        };
    }
    Vec::new()
}

impl Document {
    /// Reads `text` as the file `uri` names: its mistakes and declarations.
    pub(super) fn new(uri: &Uri, text: String) -> Document {
        let mut engine = Engine::new(
            Options::default(),
            Box::new(std::io::sink()),
            Box::new(std::io::sink()),
        );
        let path = path_of(uri);
        let findings = engine.analyze(&path, &text);
        let symbols = declarations(&text);
        let vocabulary = engine.vocabulary();
        Document {
            path,
            text,
            findings,
            symbols,
            vocabulary,
        }
    }

    /// The mistakes, as the protocol shows them.
    pub(super) fn diagnostics(&self) -> Vec<Diagnostic> {
        let lines = Lines::new(&self.text);
        self.findings
            .iter()
            .map(|f| {
                let mut message = f.message.clone();
                if !f.label.is_empty() && f.label != f.message {
                    message = format!("{message}\n{}", f.label);
                }
                if let Some(help) = &f.help {
                    message = format!("{message}\nhelp: {help}");
                }
                Diagnostic {
                    range: lines.range(f.start, f.end),
                    severity: Some(match f.severity {
                        Severity::Error => DiagnosticSeverity::ERROR,
                        Severity::Warning => DiagnosticSeverity::WARNING,
                    }),
                    source: Some("tasks".into()),
                    message,
                    ..Diagnostic::default()
                }
            })
            .collect()
    }

    fn markdown(value: String) -> Hover {
        Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: None,
        }
    }

    /// What the name under `pos` is: a signature, and a function's comment.
    /// `tasks fmt`'s layout as one edit of the whole text; none when the
    /// text is formatted already or does not parse.
    pub(super) fn formatting(&self) -> Vec<lsp_types::TextEdit> {
        match crate::formatter::format(&self.text) {
            Ok(out) if out != self.text => {
                let lines = Lines::new(&self.text);
                let range = lines.range(0, self.text.len());
                vec![lsp_types::TextEdit::new(range, out)]
            }
            _ => Vec::new(),
        }
    }

    fn scope(&self) -> Scope<'_> {
        Scope {
            text: &self.text,
            symbols: &self.symbols,
            vocabulary: &self.vocabulary,
        }
    }

    /// The native module `m.` names, unless a declaration hides it.
    fn module_before(&self, start: usize) -> Option<&str> {
        let module = qualifier(&self.text, start)?;
        let hidden = symbols::resolve(&self.symbols, module, start).is_some();
        (self.vocabulary.modules.contains_key(module) && !hidden).then_some(module)
    }

    /// The declaration `m.word` names when `m` is an imported file.
    fn imported(&self, start: usize, word: &str) -> Option<super::imports::Found> {
        let module = qualifier(&self.text, start)?;
        let sym = symbols::resolve(&self.symbols, module, start)?;
        let path = sym.ty.as_deref().filter(|_| sym.kind == Kind::Module)?;
        super::imports::member(&self.path, path, word)
    }

    pub(super) fn hover(&self, pos: Position) -> Option<Hover> {
        let offset = Lines::new(&self.text).offset(pos);
        let (start, word) = word_at(&self.text, offset)?;
        if let Some(module) = self.module_before(start) {
            let members = self.vocabulary.modules.get(module)?;
            let sig = members
                .get(word)?
                .clone()
                .unwrap_or_else(|| format!("{module}.{word}"));
            let about = super::reference::describe(&format!("{module}.{word}"));
            return Some(Self::markdown(with_description(sig, about)));
        }
        if let Some(found) = self.imported(start, word) {
            return Some(Self::markdown(found.hover()));
        }
        if let Some(recv) = receiver(&self.text, start) {
            return self.scope().hover(&recv, word, start).map(Self::markdown);
        }
        if let Some(sym) = symbols::resolve(&self.symbols, word, start) {
            let mut text = format!("```tasks\n{}\n```", sym.detail);
            if matches!(sym.kind, Kind::Function | Kind::Record) {
                if let Some(doc) = symbols::leading_comment(&self.text, sym.start) {
                    text = format!("{text}\n\n{doc}");
                }
            }
            return Some(Self::markdown(text));
        }
        if let Some(sig) = self.vocabulary.builtins.get(word) {
            let sig = sig.clone().unwrap_or_else(|| format!("{word}(…)"));
            let about = super::reference::describe(word).unwrap_or("builtin");
            return Some(Self::markdown(with_description(sig, Some(about))));
        }
        if self.vocabulary.modules.contains_key(word) {
            return Some(Self::markdown(format!("module `{word}`")));
        }
        None
    }

    /// Every use of the name under `pos` in this file (its declaration
    /// too, when asked).
    pub(super) fn references(&self, uri: &Uri, pos: Position, declaration: bool) -> Vec<Location> {
        let lines = Lines::new(&self.text);
        if let Some(found) = self.imported_references(uri, lines.offset(pos), declaration) {
            return found;
        }
        let Some((decl, uses)) = self.occurrences(lines.offset(pos)) else {
            return Vec::new();
        };
        uses.into_iter()
            .filter(|&(s, _)| declaration || s != decl)
            .map(|(s, e)| Location::new(uri.clone(), lines.range(s, e)))
            .collect()
    }

    /// `m.name` of an imported file: its declaration there, and every
    /// `m.name` in this file that reads the same import.
    fn imported_references(
        &self,
        uri: &Uri,
        offset: usize,
        declaration: bool,
    ) -> Option<Vec<Location>> {
        let (start, word) = word_at(&self.text, offset)?;
        let found = self.imported(start, word)?;
        let module = qualifier(&self.text, start)?;
        let import = symbols::resolve(&self.symbols, module, start)?;
        let lines = Lines::new(&self.text);
        let mut out = Vec::new();
        if declaration {
            let there = Lines::new(&found.text).range(found.symbol.start, found.symbol.end);
            out.push(Location::new(found.uri()?, there));
        }
        for (s, e) in references::code_words(&self.text) {
            let same_import = || {
                qualifier(&self.text, s) == Some(module)
                    && symbols::resolve(&self.symbols, module, s)
                        .is_some_and(|i| i.start == import.start)
            };
            if &self.text[s..e] == word && same_import() {
                out.push(Location::new(uri.clone(), lines.range(s, e)));
            }
        }
        Some(out)
    }

    /// Where the declaration of the name at `offset` starts, and every use
    /// of it: a record's field or method (written after `.` or declared
    /// there), else a name declared in this file.
    fn occurrences(&self, offset: usize) -> Option<(usize, Vec<(usize, usize)>)> {
        if let Some(((start, _), uses)) =
            references::member_occurrences(&self.text, &self.scope(), offset)
        {
            return Some((start, uses));
        }
        references::occurrences(&self.text, &self.symbols, offset).map(|(d, uses)| (d.start, uses))
    }

    /// Renames the name under `pos` and every use of it in this file.
    pub(super) fn rename(
        &self,
        uri: &Uri,
        pos: Position,
        new_name: &str,
    ) -> Result<WorkspaceEdit, String> {
        if !references::valid_name(new_name, KEYWORDS) {
            return Err(format!("`{new_name}` is not a name that can be declared"));
        }
        let lines = Lines::new(&self.text);
        let (_, uses) = self
            .occurrences(lines.offset(pos))
            .ok_or("no name declared in this file is here")?;
        let edits = uses
            .into_iter()
            .map(|(s, e)| TextEdit::new(lines.range(s, e), new_name.to_owned()))
            .collect();
        // lsp-types keys its edits by Uri, whose cache clippy sees as
        // interior mutability; it is never changed once built.
        #[allow(clippy::mutable_key_type)]
        let changes = std::collections::HashMap::from([(uri.clone(), edits)]);
        Ok(WorkspaceEdit::new(changes))
    }

    /// Where the name under `pos` is declared in this file.
    pub(super) fn definition(&self, uri: &Uri, pos: Position) -> Option<GotoDefinitionResponse> {
        let lines = Lines::new(&self.text);
        let (start, word) = word_at(&self.text, lines.offset(pos))?;
        if let Some(found) = self.imported(start, word) {
            let there = Lines::new(&found.text).range(found.symbol.start, found.symbol.end);
            return Some(GotoDefinitionResponse::Scalar(Location::new(
                found.uri()?,
                there,
            )));
        }
        if let Some(recv) = receiver(&self.text, start) {
            let (s, e) = self.scope().definition(&recv, word, start)?;
            let range = lines.range(s, e);
            return Some(GotoDefinitionResponse::Scalar(Location::new(
                uri.clone(),
                range,
            )));
        }
        let sym = symbols::resolve(&self.symbols, word, start)?;
        let range = lines.range(sym.start, sym.end);
        Some(GotoDefinitionResponse::Scalar(Location::new(
            uri.clone(),
            range,
        )))
    }

    /// What can follow `recv.`: its type's members when the type is
    /// plain, else every member of every type, each name once.
    fn member_completions(&self, recv: &Receiver, start: usize) -> Vec<CompletionItem> {
        let scope = self.scope();
        let members = match scope.type_of(recv, start) {
            Some(ty) => scope.members_of(&ty),
            None => scope.all_members(),
        };
        let mut seen = std::collections::HashSet::new();
        members
            .into_iter()
            .filter(|m| seen.insert(m.name.clone()))
            .map(|m| CompletionItem {
                label: m.name,
                kind: Some(match m.kind {
                    MemberKind::Method => CompletionItemKind::METHOD,
                    MemberKind::Field => CompletionItemKind::FIELD,
                }),
                detail: Some(m.detail),
                ..CompletionItem::default()
            })
            .collect()
    }

    /// The names that can be typed at `pos`.
    pub(super) fn complete(&self, pos: Position) -> Vec<CompletionItem> {
        let offset = Lines::new(&self.text).offset(pos);
        let start = word_at(&self.text, offset).map_or(offset, |(s, _)| s);
        let item = |label: &str, kind, detail: Option<&String>| CompletionItem {
            label: label.to_owned(),
            kind: Some(kind),
            detail: detail.cloned(),
            ..CompletionItem::default()
        };
        if let Some(module) = self.module_before(start) {
            return self
                .vocabulary
                .modules
                .get(module)
                .map_or_else(Vec::new, |members| {
                    members
                        .iter()
                        .map(|(m, sig)| item(m, CompletionItemKind::FUNCTION, sig.as_ref()))
                        .collect()
                });
        }
        if let Some(recv) = receiver(&self.text, start) {
            return self.member_completions(&recv, start);
        }
        let mut items: Vec<CompletionItem> = KEYWORDS
            .iter()
            .map(|k| item(k, CompletionItemKind::KEYWORD, None))
            .collect();
        items.extend(
            self.vocabulary
                .builtins
                .iter()
                .map(|(b, sig)| item(b, CompletionItemKind::FUNCTION, sig.as_ref())),
        );
        items.extend(
            self.vocabulary
                .modules
                .keys()
                .map(|m| item(m, CompletionItemKind::MODULE, None)),
        );
        let mut seen = std::collections::HashSet::new();
        for s in &self.symbols {
            let in_scope = s.scope.0 <= start && start <= s.scope.1;
            if in_scope && seen.insert(s.name.clone()) {
                let kind = match s.kind {
                    Kind::Function => CompletionItemKind::FUNCTION,
                    Kind::Record => CompletionItemKind::STRUCT,
                    Kind::Module => CompletionItemKind::MODULE,
                    Kind::Variable | Kind::Parameter => CompletionItemKind::VARIABLE,
                };
                items.push(item(&s.name, kind, Some(&s.detail)));
            }
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_uri_is_its_decoded_path_and_another_uri_itself() {
        let path = |s: &str| path_of(&s.parse::<Uri>().unwrap());
        assert_eq!(
            path("file:///tmp/a%20b/%C3%A9t%C3%A9.tasks"),
            "/tmp/a b/été.tasks"
        );
        assert_eq!(path("file://localhost/tmp/x.tasks"), "/tmp/x.tasks");
        assert_eq!(path("untitled:Untitled-1"), "untitled:Untitled-1");
    }
}
