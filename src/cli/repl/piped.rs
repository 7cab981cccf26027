//! The REPL fed by a pipe: statements run as a script's do, and the first
//! error ends the session with the exit status `tasks run` gives for it.

use super::output::ReplWriter;
use super::{new_session, on_ctrl_c, Msg, Repl};
use std::io::BufRead;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tasks::engine::{Options, EXIT_COMPILE, EXIT_OK};

pub(super) fn run(
    opts: Options,
    tx: async_channel::Sender<Msg>,
    rx: async_channel::Receiver<Msg>,
) -> i32 {
    let style = tasks::reports::Style { color: opts.color };
    let writer = |to_stderr| ReplWriter::new(None, Arc::new(AtomicBool::new(false)), to_stderr);
    let session = new_session(opts, Box::new(writer(false)), Box::new(writer(true)));
    on_ctrl_c(&session, tx);
    let mut s = Repl::new(session, rx);
    let mut buffer = String::new();
    let mut status = EXIT_OK;
    let mut input = std::io::stdin().lock();
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        match input.read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                s.session
                    .print_error(&format!("error: cannot read stdin: {e}\n"));
                status = EXIT_COMPILE;
                break;
            }
        }
        let Ok(line) = std::str::from_utf8(&bytes) else {
            // Reported as `tasks run` reports a file that is not UTF-8,
            // with the lines before it of the statement it is part of.
            let mut text = std::mem::take(&mut buffer).into_bytes();
            text.extend_from_slice(&bytes);
            let bad = std::str::from_utf8(&text).expect_err("the line is not UTF-8");
            let name = format!("<input {}>", s.inputs + 1);
            let report = tasks::reports::not_utf8(&style, &name, &text, &bad);
            s.session.print_error(&report);
            status = EXIT_COMPILE;
            break;
        };
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if buffer.is_empty() && line.trim_start().starts_with(':') {
            if !s.command(line) {
                break;
            }
            continue;
        }
        buffer.push_str(line);
        buffer.push('\n');
        if tasks::engine::session::is_incomplete(&buffer) {
            continue;
        }
        let text = std::mem::take(&mut buffer);
        if !text.trim().is_empty() {
            status = s.run_input(&text);
        }
        if let Ok(Msg::Interrupt) = s.rx.try_recv() {
            return 130;
        }
        if status != EXIT_OK || s.exit.is_some() {
            break;
        }
    }
    if status == EXIT_OK && s.exit.is_none() && !buffer.trim().is_empty() {
        status = s.run_input(&buffer);
    }
    s.session.shutdown();
    s.exit.unwrap_or(status)
}
