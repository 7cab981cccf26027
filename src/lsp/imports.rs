//! `m.name` where `m` is an imported file: the declaration in that file,
//! for hover and go to definition. The file is read from disk as it is
//! saved (the editor's unsaved text of it is not seen).

use super::symbols::{self, Symbol};
use std::path::{Path, PathBuf};

/// A top-level declaration of an imported file.
pub(super) struct Found {
    pub file: PathBuf,
    pub text: String,
    pub symbol: Symbol,
}

/// The top-level `name` of the file `import_path` names, imported by the
/// document at `doc_path` (imports are relative to the importing file).
pub(super) fn member(doc_path: &str, import_path: &str, name: &str) -> Option<Found> {
    let dir = Path::new(doc_path).parent().unwrap_or(Path::new(""));
    let file = dir.join(import_path);
    let text = std::fs::read_to_string(&file).ok()?;
    let symbol = super::features::declarations(&text)
        .into_iter()
        .find(|s| s.name == name && s.scope.0 == 0 && s.kind != symbols::Kind::Parameter)?;
    Some(Found { file, text, symbol })
}

impl Found {
    /// What hover shows: the declaration, and a function's or record's
    /// leading comment.
    pub(super) fn hover(&self) -> String {
        let mut out = format!("```tasks\n{}\n```", self.symbol.detail);
        if let Some(doc) = symbols::leading_comment(&self.text, self.symbol.start) {
            out = format!("{out}\n\n{doc}");
        }
        let file = self.file.file_name().unwrap_or_default().to_string_lossy();
        format!("{out}\n\nfrom `{file}`")
    }

    /// The file as a `file://` URI.
    pub(super) fn uri(&self) -> Option<lsp_types::Uri> {
        let absolute = std::path::absolute(&self.file).ok()?;
        let url = url::Url::from_file_path(absolute).ok()?;
        url.as_str().parse().ok()
    }
}
