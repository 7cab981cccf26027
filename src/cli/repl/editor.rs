//! The line editor, on its own thread: reedline with history, and input
//! that continues while the project's parser says it is incomplete.

use super::Msg;
use reedline::{
    ExampleHighlighter, ExternalPrinter, FileBackedHistory, Highlighter, Prompt, PromptEditMode,
    PromptHistorySearch, Reedline, Signal, StyledText, ValidationResult, Validator,
};
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

struct TasksValidator;

impl Validator for TasksValidator {
    fn validate(&self, line: &str) -> ValidationResult {
        if line.trim_start().starts_with(':') {
            return ValidationResult::Complete;
        }
        match tasks::engine::session::is_incomplete(line) {
            true => ValidationResult::Incomplete,
            false => ValidationResult::Complete,
        }
    }
}

/// reedline's own default highlighter, watched: it is called with the
/// buffer and the cursor at every paint (see
/// `output::INPUT_ENDS_ON_AN_EMPTY_ROW`).
#[derive(Default)]
struct CursorWatcher(ExampleHighlighter);

impl Highlighter for CursorWatcher {
    fn highlight(&self, line: &str, cursor: usize) -> StyledText {
        let on_empty_row = cursor == line.len() && line.ends_with('\n');
        super::output::INPUT_ENDS_ON_AN_EMPTY_ROW.store(on_empty_row, Ordering::SeqCst);
        self.0.highlight(line, cursor)
    }
}

struct TasksPrompt;

impl Prompt for TasksPrompt {
    fn render_prompt_left(&self) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn render_prompt_right(&self) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn render_prompt_indicator(&self, _: PromptEditMode) -> Cow<'_, str> {
        Cow::Borrowed(">>> ")
    }
    fn render_prompt_multiline_indicator(&self) -> Cow<'_, str> {
        Cow::Borrowed("... ")
    }
    fn render_prompt_history_search_indicator(&self, h: PromptHistorySearch) -> Cow<'_, str> {
        Cow::Owned(format!("(search: {}) ", h.term))
    }
}

/// The history file in the user's data folder.
pub(super) fn history_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    private_history(&base)
}

/// `BASE/tasks/history`, made readable by its owner only (0600, as shells
/// keep theirs: what was typed may hold secrets), created so before the
/// editor opens it (reedline would create it 0644) and tightened if an
/// earlier version left it readable by others. `None` (no history) if it
/// cannot be made private.
fn private_history(base: &std::path::Path) -> Option<PathBuf> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let dir = base.join("tasks");
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("history");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
        .ok()?;
    let mode = file.metadata().ok()?.permissions().mode();
    if mode & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))
            .ok()?;
    }
    Some(path)
}

/// Runs the editor: waits for the loop to ask for a line, reads it, sends it back.
pub(super) fn run(
    printer: ExternalPrinter<String>,
    asks: std::sync::mpsc::Receiver<()>,
    tx: async_channel::Sender<Msg>,
    shown: super::output::PromptShown,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    // Known and left (docs/LANGUAGE.md, the REPL): a byte that starts a
    // UTF-8 sequence but is not followed by one (a Latin-1 terminal's `é`)
    // is dropped by crossterm 0.29's parser together with the byte after
    // it (parse_utf8_char fails and Parser::advance clears its buffer), so
    // the next key is lost; the editor never sees either byte, so nothing
    // on this side can give it back. Also left: each key typed repaints
    // the whole input (about 1-2 ms a key at 10,000 characters, measured
    // through a pty); a paste is one event (below).
    // Bracketed paste: a paste arrives as one event, inserted at once,
    // instead of one key event (and one batch and repaint) per character;
    // its newlines are text, so the validator runs once, at the Enter
    // that follows.
    let mut editor = Reedline::create()
        .use_bracketed_paste(true)
        .with_validator(Box::new(TasksValidator))
        .with_highlighter(Box::<CursorWatcher>::default())
        .with_external_printer(printer)
        .with_break_signal(stop);
    if let Some(h) = history_path().and_then(|p| FileBackedHistory::with_file(1000, p).ok()) {
        editor = editor.with_history(Box::new(h));
    }
    while asks.recv().is_ok() {
        let sig = editor.read_line(&TasksPrompt);
        shown.store(false, Ordering::SeqCst);
        // Keep the history file current: the process may end without dropping the editor.
        let _ = editor.sync_history();
        let msg = match sig {
            Ok(Signal::Success(line)) => Msg::Line(line),
            Ok(Signal::CtrlC) => Msg::Cleared,
            Ok(Signal::CtrlD) | Err(_) => Msg::Eof,
            Ok(_) => Msg::Cleared,
        };
        if tx.send_blocking(msg).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_history_file_is_readable_by_its_owner_only() {
        let base = tempfile::tempdir().unwrap();
        let path = super::private_history(base.path()).unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_history_file_readable_by_others_is_tightened() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("tasks");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("history");
        std::fs::write(&file, "let token = 1\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let path = super::private_history(base.path()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "let token = 1\n");
    }
}
