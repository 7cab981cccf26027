//! The REPL: one long-lived event loop on the main thread, the line editor
//! on another. Each input runs as a task; spawned tasks keep running while
//! the user types, and what they print appears above the prompt.

mod editor;
mod output;
mod piped;

use output::{PromptShown, ReplWriter};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tasks::engine::{
    Engine, Input, LoopTick, Options, Session, EXIT_COMPILE, EXIT_OK, EXIT_RUNTIME,
};

/// What reaches the loop from outside.
pub enum Msg {
    Line(String),
    /// Ctrl-C at the prompt: the line was cleared.
    Cleared,
    /// Ctrl-C while an input runs (SIGINT).
    Interrupt,
    Eof,
}

const HELP: &str = "\
Type statements and expressions; the value of an expression is shown.
`await` works at the top level; `let`, `fn` and `async fn` definitions persist.
Spawned tasks keep running between inputs.

  :tasks   list live tasks, their state and where each waits, and failed
           tasks with their error
  :help    this text
  :quit    leave (Ctrl-D too; exit(n) leaves with status n)

Ctrl-C cancels the running input (never the session).
";

/// Runs a REPL session; returns the exit status.
pub fn run(opts: Options) -> i32 {
    let (tx, rx) = async_channel::unbounded();
    if std::io::stdin().is_terminal() {
        interactive(opts, tx, rx)
    } else {
        piped::run(opts, tx, rx)
    }
}

/// The REPL's session: it outlives a panic in one input (a bug in
/// tasks), which fails that input with an `InternalError`.
fn new_session(
    opts: Options,
    out: Box<dyn std::io::Write>,
    err: Box<dyn std::io::Write>,
) -> Session {
    let mut engine = Engine::new(opts, out, err);
    // The tests' way to make an input panic: no input known today does.
    if std::env::var_os(TEST_PANIC_VAR).is_some() {
        engine.register_fn("__panic", |msg: String| -> i64 { panic!("{msg}") });
    }
    Session::new(engine)
}

/// With this set in the environment, the REPL has a function `__panic(msg)`
/// that panics (`tests/repl.rs` checks the session survives it).
pub const TEST_PANIC_VAR: &str = "TASKS_REPL_TEST_PANIC";

/// Ctrl-C for the session's engine: the flag stops script code that never
/// yields; the message cancels an input that waits.
fn on_ctrl_c(session: &Session, tx: async_channel::Sender<Msg>) {
    let handle = session.engine().interrupt_handle();
    let _ = ctrlc::set_handler(move || {
        handle.interrupt();
        let _ = tx.send_blocking(Msg::Interrupt);
    });
}

struct Repl {
    session: Session,
    rx: async_channel::Receiver<Msg>,
    inputs: usize,
    /// The status `exit()` asked for: the session ends with it.
    exit: Option<i32>,
}

/// What the REPL says to `quit` or `exit` typed alone (Python's hint).
const HOW_TO_LEAVE: &str =
    "to leave, type :quit or press Ctrl-D (or call exit(), which leaves with a status)\n";

impl Repl {
    fn new(session: Session, rx: async_channel::Receiver<Msg>) -> Repl {
        Repl {
            session,
            rx,
            inputs: 0,
            exit: None,
        }
    }

    /// Notes an `exit()` that ran since the last look; true once there was one.
    fn exit_requested(&mut self) -> bool {
        if let Some(code) = self.session.take_exit_request() {
            self.exit.get_or_insert(code);
        }
        self.exit.is_some()
    }

    /// Waits for `d`, a message or a native operation's completion,
    /// whichever comes first.
    fn wait(&mut self, d: Option<Duration>) -> Option<Msg> {
        let rx = self.rx.clone();
        self.session
            .wait_event(d, async move { rx.recv().await.ok() })
            .flatten()
    }

    /// Keeps the loop running (background tasks) until a message arrives
    /// or a background task calls `exit()` (then `None`).
    fn idle_until_message(&mut self) -> Option<Msg> {
        loop {
            if let Ok(m) = self.rx.try_recv() {
                return Some(m);
            }
            if self.exit_requested() {
                return None;
            }
            match self.session.tick() {
                LoopTick::Ran | LoopTick::Stuck => continue,
                LoopTick::Idle(next) => {
                    if let Some(m) = self.wait(next) {
                        return Some(m);
                    }
                }
            }
        }
    }

    /// [`Repl::run_one`], surviving a panic outside the input's own
    /// code (inside, the engine turns it into an `InternalError`).
    fn run_input(&mut self, text: &str) -> i32 {
        let run = std::panic::AssertUnwindSafe(|| self.run_one(text));
        match std::panic::catch_unwind(run) {
            Ok(status) => status,
            Err(payload) => {
                let msg = tasks::engine::session::panic_text(&*payload);
                self.session
                    .print_error(&format!("internal error (a bug in tasks): {msg}\n"));
                EXIT_RUNTIME
            }
        }
    }

    /// Runs one input as a task until it ends; Ctrl-C cancels it. Returns
    /// the exit status `tasks run` would give for it (`exit()`'s, noted in
    /// `self.exit`).
    fn run_one(&mut self, text: &str) -> i32 {
        if matches!(text.trim(), "quit" | "exit") {
            self.session.print_error(HOW_TO_LEAVE);
            return EXIT_OK;
        }
        self.inputs += 1;
        let name = format!("<input {}>", self.inputs);
        let Some(task) = self.session.start(&name, text) else {
            return EXIT_COMPILE;
        };
        let mut reported = false;
        // A request left from before this input was cleared when the
        // prompt was shown; one made since (Ctrl-C right after Enter) is for it.
        // `exit()` in a background task ends the session at once, as
        // SystemExit leaves asyncio's loop.
        while !task.is_done() && !self.exit_requested() {
            if let Ok(Msg::Interrupt) = self.rx.try_recv() {
                self.interrupted(&task);
            }
            match self.session.tick() {
                LoopTick::Ran => {}
                LoopTick::Idle(Some(d)) => {
                    if let Some(Msg::Interrupt) = self.wait(Some(d)) {
                        self.interrupted(&task);
                    }
                }
                tick @ (LoopTick::Idle(None) | LoopTick::Stuck) => {
                    // Nothing can ever wake the input: say so (unless the
                    // loop just did: `Stuck`) and cancel it.
                    if !reported && matches!(tick, LoopTick::Idle(None)) {
                        self.session.report_deadlock();
                    }
                    reported = true;
                    self.session.cancel(&task);
                    if matches!(self.session.tick(), LoopTick::Stuck) {
                        break;
                    }
                }
            }
        }
        let ok = self.session.finish(&task);
        match self.exit_requested() {
            true => self.exit.unwrap_or(EXIT_OK),
            false if ok => EXIT_OK,
            false => EXIT_RUNTIME,
        }
    }

    /// Ctrl-C reached the loop: cancel the waiting input, unless the
    /// evaluator already took the request and threw `KeyboardInterrupt`.
    fn interrupted(&mut self, task: &Input) {
        if self.session.take_interrupt() {
            self.session.cancel(task);
        }
    }

    fn command(&mut self, cmd: &str) -> bool {
        match cmd.trim() {
            ":quit" | ":q" | ":exit" => return false,
            ":help" | ":h" => self.session.print_text(HELP),
            ":tasks" => self.list_tasks(),
            other => self
                .session
                .print_error(&format!("unknown command `{other}`; :help lists them\n")),
        }
        true
    }
}

impl Repl {
    /// `:tasks`: the live tasks, then those that failed and whose error
    /// nobody has retrieved (awaited) yet, with the error.
    fn list_tasks(&mut self) {
        let live = self.session.engine().task_tree();
        let ops = self.session.engine().operations();
        let failed = self.session.failed_tasks();
        if live.is_empty() {
            self.session.print_text("no live tasks\n");
        }
        for t in &live {
            let line = tasks::engine::tree_line(t, &live);
            self.session.print_text(&line);
        }
        for op in &ops {
            self.session.print_text(&tasks::engine::operation_line(op));
        }
        for t in failed {
            let on = t.waiting_on.map(|o| format!(" on {o}")).unwrap_or_default();
            let at = t.waiting_at.map(|w| format!("{on} at {w}")).unwrap_or(on);
            let error = t.error.map(|e| format!(": {e}")).unwrap_or_default();
            self.session
                .print_text(&format!("{:<12} {}{at}{error}\n", t.name, t.state));
        }
    }
}

fn interactive(
    opts: Options,
    tx: async_channel::Sender<Msg>,
    rx: async_channel::Receiver<Msg>,
) -> i32 {
    let printer = reedline::ExternalPrinter::new(4096);
    let sender = printer.sender();
    let shown: PromptShown = Arc::new(AtomicBool::new(false));
    let out = ReplWriter::new(Some(sender.clone()), shown.clone(), false);
    let err = ReplWriter::new(Some(sender), shown.clone(), true);
    let session = new_session(opts, Box::new(out), Box::new(err));
    on_ctrl_c(&session, tx.clone());
    let (ask_tx, ask_rx) = std::sync::mpsc::channel();
    let editor_shown = shown.clone();
    let editor_break = Arc::new(AtomicBool::new(false));
    let stop = editor_break.clone();
    std::thread::spawn(move || editor::run(printer, ask_rx, tx, editor_shown, stop));
    println!(
        "tasks {} — :help for help, Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );
    let mut s = Repl::new(session, rx);
    // The editor answers each ask with exactly one message; a SIGINT
    // message comes from elsewhere and must not make the loop ask again, or
    // the editor draws the next prompt before the current input's output.
    let mut asked = false;
    loop {
        if !asked {
            // Ctrl-C at the prompt is a key for the editor, not a signal:
            // an interrupt request still set is from the input before.
            s.session.take_interrupt();
            shown.store(true, Ordering::SeqCst);
            if ask_tx.send(()).is_err() {
                break;
            }
            asked = true;
        }
        let Some(msg) = s.idle_until_message() else {
            // `exit()` in a background task: stop the editor, which
            // answers the ask it was reading for, and leave.
            editor_break.store(true, Ordering::SeqCst);
            while asked && matches!(s.rx.recv_blocking(), Ok(Msg::Interrupt)) {}
            break;
        };
        asked &= matches!(msg, Msg::Interrupt);
        match msg {
            Msg::Line(text) if text.trim().is_empty() => {}
            Msg::Line(text) if text.trim_start().starts_with(':') => {
                if !s.command(&text) {
                    break;
                }
            }
            Msg::Line(text) => {
                s.run_input(&text);
                if s.exit.is_some() {
                    break;
                }
            }
            Msg::Cleared => {}
            // SIGINT with the prompt up (a Ctrl-C the terminal turned into
            // a signal, before the editor took the keyboard): no input runs,
            // so the request is for nothing. Left set, it would interrupt
            // the next input the moment it starts.
            Msg::Interrupt => {
                s.session.take_interrupt();
            }
            Msg::Eof => break,
        }
    }
    shown.store(false, Ordering::SeqCst);
    s.session.shutdown();
    s.exit.unwrap_or(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// What the session reports, kept to be read.
    #[derive(Clone, Default)]
    struct Captured(Rc<RefCell<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The prompt waiting with nothing typed: the loop's turns
    /// [`Repl::idle_until_message`] takes, a fixed number of them (more
    /// than a stuck clock needs to be noticed).
    fn idle(s: &mut Repl) {
        for _ in 0..1_500_000 {
            let _ = s.session.tick();
        }
    }

    /// A background task keeps the virtual clock stuck at the prompt after
    /// the input it stopped was reported and cancelled: not reported again
    /// at the prompt, nor after each later input (which breaks the run of
    /// `sleep(0)` iterations the loop counts); the next input caught in it
    /// is reported. Deterministic here, where the pty tests would race the
    /// loop's turns against the typing.
    #[test]
    fn a_clock_stuck_by_a_background_task_is_reported_once_per_stuck_input() {
        let err = Captured::default();
        let opts = Options {
            virtual_time: true,
            ..Options::default()
        };
        let engine = Engine::new(opts, Box::new(Captured::default()), Box::new(err.clone()));
        let (_tx, rx) = async_channel::unbounded();
        let mut s = Repl::new(Session::new(engine), rx);
        let reports = || {
            String::from_utf8_lossy(&err.0.borrow())
                .matches("virtual time is stuck")
                .count()
        };
        s.run_input("async fn spin() { while true { await sleep(0) } }");
        s.run_input("let t = spawn sleep(100); let s = spawn spin(); await sleep(1)");
        assert_eq!(reports(), 1);
        idle(&mut s);
        s.run_input("print(1)");
        idle(&mut s);
        assert_eq!(reports(), 1);
        s.run_input("await sleep(1)");
        assert_eq!(reports(), 2);
        s.run_input("s.cancel()");
        s.session.shutdown();
    }
}
