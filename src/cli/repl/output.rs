//! Where the REPL's output goes: above the prompt while the user is typing
//! (reedline's external printer), straight to the terminal otherwise.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

/// reedline 0.52.1's `Painter::print_external_message` moves up
/// `lines().count() - 1` rows before printing, assuming the cursor is on the
/// input's last row; `str::lines()` drops an empty last line, so just after
/// Enter on an unfinished input it moves one row short, prints on the empty
/// row, and leaves a copy of the input's first row above the message (once
/// per print). The editor's highlighter, called at every paint with the
/// buffer and cursor, sets this when the cursor is on such an empty last row;
/// the next message printed then starts by going up that row and erasing it.
/// (The painter measures the cursor after printing, so its own count of
/// rows stays right.) A static: there is one terminal and one editor.
pub(super) static INPUT_ENDS_ON_AN_EMPTY_ROW: AtomicBool = AtomicBool::new(false);

/// Up one row, to its start, and erase it (ECMA-48 CUU, CR, EL 2).
const UP_AND_ERASE: &str = "\x1b[1A\r\x1b[2K";

/// Shared by the editor thread and the loop: true while a prompt is shown.
pub(super) type PromptShown = Arc<AtomicBool>;

pub(super) struct ReplWriter {
    printer: Option<SyncSender<String>>,
    prompt_shown: PromptShown,
    to_stderr: bool,
    pending: Vec<u8>,
}

impl ReplWriter {
    pub(super) fn new(
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

    /// Lines printed while a prompt is shown go through reedline's
    /// external printer, which draws them above the input.
    fn emit(&mut self, text: &[u8]) {
        let shown = self.prompt_shown.load(Ordering::SeqCst);
        match &self.printer {
            Some(p) if shown => {
                let s = String::from_utf8_lossy(text);
                let mut message = s.trim_end_matches('\n').to_string();
                if INPUT_ENDS_ON_AN_EMPTY_ROW.swap(false, Ordering::SeqCst) {
                    message.insert_str(0, UP_AND_ERASE);
                }
                let _ = p.send(message);
            }
            _ if self.to_stderr => {
                let mut err = crate::cli::streams::stderr();
                if let Err(e) = err.write_all(text).and_then(|()| err.flush()) {
                    crate::cli::streams::exit_on_stderr_error(&e);
                }
            }
            _ => {
                let mut out = crate::cli::streams::stdout();
                if let Err(e) = out.write_all(text).and_then(|()| out.flush()) {
                    crate::cli::streams::exit_on_write_error(&e);
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
