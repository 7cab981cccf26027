//! Where the REPL's output goes: above the prompt while the user is typing
//! (reedline's external printer), straight to the terminal otherwise.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

/// A write to stdout failed. A closed pipe (its reader went away, as
/// `head -1` does) ends the program quietly with status 141, what a shell
/// shows for a process stopped by SIGPIPE; any other error (a full disk,
/// `/dev/full`) is an error: a message on stderr and status 1.
pub fn exit_on_write_error(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
    let _ = writeln!(std::io::stderr(), "error: cannot write to stdout: {e}");
    std::process::exit(1)
}

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

    fn emit(&mut self, text: &[u8]) {
        let shown = self.prompt_shown.load(Ordering::SeqCst);
        match &self.printer {
            Some(p) if shown => {
                let s = String::from_utf8_lossy(text);
                let _ = p.send(s.trim_end_matches('\n').to_string());
            }
            _ if self.to_stderr => {
                let _ = std::io::stderr().write_all(text);
                let _ = std::io::stderr().flush();
            }
            _ => {
                let mut out = std::io::stdout();
                if let Err(e) = out.write_all(text).and_then(|()| out.flush()) {
                    exit_on_write_error(&e);
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
