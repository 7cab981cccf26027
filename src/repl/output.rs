//! Where the REPL's output goes: above the prompt while the user is typing
//! (reedline's external printer), straight to the terminal otherwise.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

/// Shared by the editor thread and the loop: true while a prompt is shown.
pub type PromptShown = Arc<AtomicBool>;

pub struct ReplWriter {
    printer: Option<SyncSender<String>>,
    prompt_shown: PromptShown,
    to_stderr: bool,
    pending: Vec<u8>,
}

impl ReplWriter {
    pub fn new(
        printer: Option<SyncSender<String>>,
        prompt_shown: PromptShown,
        to_stderr: bool,
    ) -> Self {
        ReplWriter {
            printer,
            prompt_shown,
            to_stderr,
            pending: Vec::new(),
        }
    }

    /// Known and left (docs/LANGUAGE.md, the REPL): reedline 0.52.1's
    /// `Painter::print_external_message` moves up `lines().count() - 1`
    /// rows before printing, assuming the cursor is on the input's last
    /// row; `str::lines()` drops an empty last line, so just after Enter on
    /// an unfinished input it moves one row short and the message is
    /// overwritten by a copy of the input's first line (seen through a pty
    /// and a terminal emulator; the input is kept and redrawn). A way that
    /// was not tried for lack of time: learn the buffer and cursor from a
    /// `Highlighter` (called with both at every paint) and start the
    /// message with the cursor motion that corrects the painter's count.
    /// Taking the print over through `Signal::ExternalBreak` does not mend
    /// it: the next `read_line` reuses the old prompt rows when the cursor
    /// is still inside them (`select_prompt_row`) and paints over what was
    /// printed there. Mending it needs reedline's painter.
    fn emit(&mut self, text: &[u8]) {
        let shown = self.prompt_shown.load(Ordering::SeqCst);
        match &self.printer {
            Some(p) if shown => {
                let s = String::from_utf8_lossy(text);
                let _ = p.send(s.trim_end_matches('\n').to_string());
            }
            _ if self.to_stderr => {
                let mut err = crate::streams::stderr();
                if let Err(e) = err.write_all(text).and_then(|()| err.flush()) {
                    crate::streams::exit_on_stderr_error(&e);
                }
            }
            _ => {
                let mut out = crate::streams::stdout();
                if let Err(e) = out.write_all(text).and_then(|()| out.flush()) {
                    crate::streams::exit_on_write_error(&e);
                }
            }
        }
    }
}

impl Write for ReplWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // Whole lines go out at once, so lines printed above the prompt stay whole.
        if let Some(last) = self.pending.iter().rposition(|b| *b == b'\n') {
            let rest = self.pending.split_off(last + 1);
            let lines = std::mem::replace(&mut self.pending, rest);
            self.emit(&lines);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest);
        }
        Ok(())
    }
}
