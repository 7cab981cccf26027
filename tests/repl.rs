//! The REPL driven through a real pseudo-terminal (line editing on), and
//! through a pipe (scripted, no prompts).

use rexpect::process::PtyProcess;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tasks");

/// A terminal for the REPL: it records everything printed and answers the
/// cursor-position queries a line editor sends (as a terminal emulator would).
struct Term {
    process: PtyProcess,
    writer: std::fs::File,
    seen: Arc<Mutex<String>>,
    /// How much of `seen` earlier expectations consumed.
    pos: usize,
    /// How much of `seen` there was when the last line was typed.
    sent_at: usize,
    /// What a 24x80 terminal shows of it all (`vt100::Parser::default`).
    screen: Arc<Mutex<vt100::Parser>>,
}

/// How the terminal answers a cursor-position query.
#[derive(Clone, Copy)]
enum Answer {
    /// Always row 1, column 1 (enough where no test reads the screen).
    Fixed,
    /// Where the cursor really is on the emulated screen (the pty's size
    /// set to match), as a terminal emulator answers.
    Emulated,
}

/// How long a test waits for the REPL before it fails: generous, so a
/// loaded machine slows a test down without failing it.
const PATIENCE: Duration = Duration::from_secs(30);

/// What the editor writes when it starts reading a line: reedline asks
/// the terminal for the cursor position (it also does when a background
/// task prints above the prompt).
const NEW_PROMPT: &str = "\x1b[6n";

impl Term {
    fn start() -> Term {
        Term::start_with(&[])
    }

    fn start_with(env: &[(&str, &str)]) -> Term {
        Term::start_args(&[], env)
    }

    fn start_args(args: &[&str], env: &[(&str, &str)]) -> Term {
        Term::start_in(&std::env::current_dir().unwrap(), args, env)
    }

    /// The REPL started in folder `dir` (what its imports are relative to).
    fn start_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Term {
        Term::start_answering(dir, args, env, Answer::Fixed)
    }

    /// The REPL on an emulated 24x80 screen (see `Term::screen`).
    fn start_emulated() -> Term {
        let dir = std::env::current_dir().unwrap();
        Term::start_answering(&dir, &[], &[], Answer::Emulated)
    }

    fn start_answering(
        dir: &std::path::Path,
        args: &[&str],
        env: &[(&str, &str)],
        answer_with: Answer,
    ) -> Term {
        let home = std::env::temp_dir().join(format!(
            "tasks-repl-test-{}-{}",
            std::process::id(),
            nanos()
        ));
        std::fs::create_dir_all(&home).unwrap();
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(dir)
            .env("XDG_DATA_HOME", &home)
            .env("NO_COLOR", "1")
            .env("TERM", "xterm");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let process = PtyProcess::new(cmd).expect("start the REPL in a pty");
        let mut reader = process.get_file_handle().unwrap();
        let mut answer = process.get_file_handle().unwrap();
        let writer = process.get_file_handle().unwrap();
        if let Answer::Emulated = answer_with {
            set_size(&writer, 24, 80);
        }
        let seen = Arc::new(Mutex::new(String::new()));
        let screen = Arc::new(Mutex::new(vt100::Parser::default()));
        let (sink, shown) = (seen.clone(), screen.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                // Each query is answered with the screen as it is where the
                // query was written.
                let mut parts = text.split("\x1b[6n").peekable();
                while let Some(part) = parts.next() {
                    let mut screen = shown.lock().unwrap();
                    screen.process(part.as_bytes());
                    if parts.peek().is_some() {
                        let reply = match answer_with {
                            Answer::Fixed => "\x1b[1;1R".to_string(),
                            Answer::Emulated => {
                                let (row, col) = screen.screen().cursor_position();
                                format!("\x1b[{};{}R", row + 1, col + 1)
                            }
                        };
                        let _ = answer.write_all(reply.as_bytes());
                    }
                }
                sink.lock().unwrap().push_str(&text);
            }
        });
        let mut t = Term {
            process,
            writer,
            seen,
            pos: 0,
            sent_at: 0,
            screen,
        };
        t.expect(":help for help");
        t
    }

    /// Types `line` and Enter at the next prompt, as a person would: once
    /// the editor reads a new line. Typed earlier, while the previous
    /// input runs, the terminal is not in raw mode yet, and the line
    /// discipline would echo it and turn its Enter into a newline.
    fn send_line(&mut self, line: &str) {
        self.wait_for_prompt();
        self.send_more(line);
    }

    /// Types `line` and Enter into the edit in progress (a continuation
    /// line of a multi-line input: the same prompt, no new one to wait for).
    fn send_more(&mut self, line: &str) {
        self.sent_at = self.seen.lock().unwrap().len();
        self.writer.write_all(line.as_bytes()).unwrap();
        self.writer.write_all(b"\r").unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until the editor has started reading a line since the last
    /// line was typed.
    fn wait_for_prompt(&mut self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            {
                let seen = self.seen.lock().unwrap();
                if seen[self.sent_at..].contains(NEW_PROMPT) {
                    return;
                }
                if Instant::now() > deadline {
                    panic!(
                        "timed out waiting for a prompt; the terminal shows:\n{}",
                        strip_ansi(&seen[self.sent_at..])
                    );
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Pastes `text` as a terminal does, with no Enter after it: between
    /// the bracketed-paste markers if the REPL turned that mode on
    /// (`ESC [?2004h`), else as if typed, all at once.
    fn paste(&mut self, text: &str) {
        let (seen, bracketed) = {
            let seen = self.seen.lock().unwrap();
            (seen.len(), seen.contains("\x1b[?2004h"))
        };
        self.sent_at = seen;
        let (open, close): (&[u8], &[u8]) = match bracketed {
            true => (b"\x1b[200~", b"\x1b[201~"),
            false => (b"", b""),
        };
        self.writer.write_all(open).unwrap();
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.write_all(close).unwrap();
        self.writer.flush().unwrap();
    }

    fn send_control(&mut self, c: char) {
        let byte = (c as u8) & 0x1f;
        self.writer.write_all(&[byte]).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits until `text` appears after what earlier expectations matched.
    fn expect(&mut self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            {
                let seen = self.seen.lock().unwrap();
                if let Some(i) = seen[self.pos..].find(text) {
                    self.pos += i + text.len();
                    return;
                }
                if Instant::now() > deadline {
                    panic!(
                        "timed out waiting for {text:?}; the terminal shows:\n{}",
                        strip_ansi(&seen[self.pos..])
                    );
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for `marker` and returns what came before it (after earlier matches).
    fn until(&mut self, marker: &str) -> String {
        let start = self.pos;
        self.expect(marker);
        let seen = self.seen.lock().unwrap();
        seen[start..self.pos - marker.len()].to_string()
    }

    /// Ctrl-D at the next prompt. A Ctrl-D typed before the editor has
    /// switched the terminal to raw mode is taken by the terminal driver and
    /// lost, so wait for the prompt and repeat it now and then.
    fn quit(mut self) {
        self.wait_for_prompt();
        self.send_control('d');
        let start = Instant::now();
        while self
            .process
            .status()
            .is_some_and(|s| format!("{s:?}").contains("StillAlive"))
        {
            let waited = start.elapsed();
            assert!(waited < PATIENCE, "the REPL did not exit on Ctrl-D");
            std::thread::sleep(Duration::from_millis(20));
            if waited.as_millis() % 1000 < 20 && waited > Duration::from_millis(500) {
                self.send_control('d');
            }
        }
    }
}

/// The pty's window size, as a terminal emulator sets it.
fn set_size(pty: &std::fs::File, rows: u16, cols: u16) {
    use std::os::fd::AsRawFd;
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one `winsize` through the pointer, which
    // points at a live local of that type; the fd is the open pty master.
    let rc = unsafe { libc::ioctl(pty.as_raw_fd(), libc::TIOCSWINSZ, &size) };
    assert_eq!(rc, 0, "set the pty's size");
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                while let Some(&d) = chars.peek() {
                    chars.next();
                    if d.is_ascii_alphabetic() || d == '~' {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn multi_line_definition_top_level_await_and_echo() {
    let mut p = Term::start();
    p.send_line("async fn double(n) {");
    p.send_more("    await sleep(0.01)");
    p.send_more("    return n * 2");
    p.send_more("}");
    p.send_line("await double(21) + 1000");
    p.expect("1042");
    p.send_line("\"echo\" + \"ed\"");
    p.expect("\"echoed\"");
    p.send_line(":quit");
}

#[test]
fn background_task_prints_while_the_prompt_waits() {
    let mut p = Term::start();
    p.send_line(
        "async fn ticker() { for i in range(3) { await sleep(0.05); print(f\"tick-{i}-done\") } }",
    );
    p.send_line("let t = spawn ticker()");
    // Nothing more is typed: the ticks arrive while the editor waits for input.
    p.expect("tick-0-done");
    p.expect("tick-1-done");
    p.expect("tick-2-done");
    p.send_line("print(\"after\", t.done())");
    p.expect("after true");
    p.quit();
}

/// A background print just after Enter on an unfinished input (the cursor
/// on the input's empty last row) goes above the input and leaves the
/// input drawn once: reedline's painter counted one row short there and
/// left a copy of the input's first row above each print (failed before).
#[test]
fn background_prints_during_a_multi_line_input_leave_it_drawn_once() {
    let mut p = Term::start_emulated();
    p.send_line("async fn ticker() { for i in range(3) { await sleep(1); print(f\"tick-{i}\") } }");
    p.send_line("let t = spawn ticker()");
    p.send_line("if true {");
    p.expect("tick-0");
    p.expect("tick-1");
    p.expect("tick-2");
    // The repaint after the last print: the input drawn below it (waited
    // for, bounded: a loaded machine may take a while to repaint).
    let deadline = Instant::now() + PATIENCE;
    let rows: Vec<String> = loop {
        let rows: Vec<String> = {
            let screen = p.screen.lock().unwrap();
            screen
                .screen()
                .rows(0, 80)
                .map(|r| r.trim_end().to_string())
                .collect()
        };
        let last = rows.iter().position(|r| r == "tick-2");
        let input = rows.iter().rposition(|r| r.ends_with("if true {"));
        if (last.is_some() && input > last) || Instant::now() > deadline {
            break rows;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let shown = rows.join("\n");
    let count = |text: &str| rows.iter().filter(|r| r.contains(text)).count();
    assert_eq!(count("if true {"), 1, "the screen shows:\n{shown}");
    let at = |text: &str| rows.iter().position(|r| r == text);
    let ticks: Vec<_> = (0..3).map(|i| at(&format!("tick-{i}"))).collect();
    assert!(
        ticks.iter().all(Option::is_some),
        "the screen shows:\n{shown}"
    );
    let input = rows.iter().position(|r| r.ends_with("if true {"));
    assert!(
        ticks.windows(2).all(|w| w[0] < w[1]),
        "the screen shows:\n{shown}"
    );
    assert!(ticks[2] < input, "the screen shows:\n{shown}");
    p.send_more("print(\"inside\")");
    p.send_more("}");
    p.expect("inside");
    p.quit();
}

#[test]
fn an_error_does_not_end_the_session() {
    let mut p = Term::start();
    p.send_line("1 + \"a\"");
    p.expect("unsupported operand types for +");
    p.send_line("print(undefined_name)");
    p.expect("undefined variable `undefined_name`");
    p.send_line("let ok = 6 * 7");
    p.send_line("ok");
    p.expect("42");
    p.quit();
}

/// The REPL takes `tasks run`'s limits: a value that grows without end
/// is a `MemoryError` for that input, and the session goes on (the memory
/// is given back once the name is rebound).
#[test]
fn a_memory_limit_fails_the_input_not_the_session() {
    let mut p = Term::start_args(&["repl", "--max-memory", "200MB"], &[]);
    p.send_line("let s = \"x\"");
    p.send_line("while true { s = s + s }");
    p.expect("over the limit of 200000000 (--max-memory)");
    p.send_line("s = \"small\"");
    p.send_line("print(s.upper())");
    p.expect("SMALL");
    p.quit();
}

/// No input is known to panic, so the REPL has a panicking function
/// `__panic(msg)` when `TASKS_REPL_TEST_PANIC` is set.
#[test]
fn a_panic_in_an_input_fails_only_that_input() {
    let mut p = Term::start_with(&[("TASKS_REPL_TEST_PANIC", "1"), ("RUST_BACKTRACE", "0")]);
    p.send_line("let t = spawn sleep(0.2, 5)");
    // The next prompt: the editor is ready for the next line.
    p.expect("sleep(0.2, 5)");
    p.expect(">>> ");
    p.send_line("print(\"before\"); __panic(\"boom\")");
    p.expect("before");
    p.expect("internal error (a bug in tasks): boom");
    p.send_line("print(\"after\", await t)");
    p.expect("after 5");
    p.quit();
}

#[test]
fn tasks_command_lists_waiting_tasks() {
    let mut p = Term::start();
    p.send_line("let e = event()");
    p.send_line("async fn waiter() { await e.wait() }");
    p.send_line("let w = spawn waiter()");
    p.send_line("w.set_name(\"the-waiter\")");
    p.send_line(":tasks");
    p.expect("the-waiter");
    p.expect("waiting at <input 2>:1:21");
    p.send_line("e.set()");
    p.send_line(":tasks");
    p.expect("no live tasks");
    p.quit();
}

#[test]
fn ctrl_c_cancels_a_long_await_but_not_the_session() {
    let mut p = Term::start();
    // Ctrl-C once the input runs (the editor has left raw mode, so the
    // terminal turns it into SIGINT).
    p.send_line("print(\"waiting\"); await sleep(100)");
    p.expect("waiting\r\n");
    p.send_control('c');
    p.expect("cancelled");
    p.send_line("print(\"still\" + \" here\")");
    p.expect("still here");
    p.quit();
}

#[test]
fn ctrl_c_stops_a_loop_that_never_yields() {
    let mut p = Term::start();
    p.send_line("let spins = 0");
    p.send_line("while true { spins += 1; if spins == 1 { print(\"spinning\") } }");
    p.expect("spinning\r\n");
    p.send_control('c');
    p.expect("KeyboardInterrupt");
    p.send_line("print(spins > 0)");
    p.expect("true");
    p.quit();
}

/// After Ctrl-C stops a loop that never yields, the evaluator and the
/// editor must stay in step: each input's output appears before the next
/// prompt is drawn (reedline asks for the cursor position, `ESC [6n`, when it
/// starts a prompt), not over it.
#[test]
fn after_ctrl_c_in_a_busy_loop_output_comes_before_the_next_prompt() {
    let mut p = Term::start();
    p.send_line("print(\"spinning\"); while true { }");
    p.expect("spinning\r\n");
    p.send_control('c');
    p.expect("KeyboardInterrupt");
    for (input, shown) in [
        ("1 + 1", "2"),
        ("print(\"x\" * 3)", "xxx"),
        ("40 + 2", "42"),
    ] {
        p.send_line(input);
        p.expect(input);
        let before_prompt = p.until("\x1b[6n");
        assert!(
            before_prompt.contains(&format!("{shown}\r\n")),
            "{input} should show {shown} before the next prompt; got {before_prompt:?}"
        );
    }
    p.quit();
}

fn piped(input: &str) -> (String, String, i32) {
    piped_in(&std::env::current_dir().unwrap(), input, &[])
}

fn piped_with(input: &str, env: &[(&str, &str)]) -> (String, String, i32) {
    piped_in(&std::env::current_dir().unwrap(), input, env)
}

fn piped_in(dir: &std::path::Path, input: &str, env: &[(&str, &str)]) -> (String, String, i32) {
    piped_bytes(dir, input.as_bytes(), env)
}

/// The REPL started with `args` (grants), `input` piped in.
fn piped_args(input: &str, args: &[&str]) -> (String, String, i32) {
    let dir = std::env::current_dir().unwrap();
    piped_full(&dir, input.as_bytes(), &[], args)
}

fn piped_bytes(dir: &std::path::Path, input: &[u8], env: &[(&str, &str)]) -> (String, String, i32) {
    piped_full(dir, input, env, &[])
}

fn piped_full(
    dir: &std::path::Path,
    input: &[u8],
    env: &[(&str, &str)],
    args: &[&str],
) -> (String, String, i32) {
    let mut child = Command::new(BIN)
        .arg("repl")
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn piped_input_runs_statements_without_prompts() {
    let (out, err, code) = piped(
        "let x = 40\nfn add(a,\n  b) {\n  return a + b\n}\nadd(x, 2)\nprint(\"done\")\nnil\n",
    );
    assert_eq!(out, "42\ndone\n");
    assert_eq!(err, "");
    assert_eq!(code, 0);
}

#[test]
fn the_repl_imports_relative_to_the_cwd_once() {
    let dir = std::env::temp_dir().join(format!("tasks-repl-import-{}", nanos()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("m.tasks"), "print(\"m runs\")\nlet x = 41\n").unwrap();
    let (out, err, code) = piped_in(
        &dir,
        "import \"./m.tasks\" as m\nm.x + 1\nimport \"m.tasks\" as again\nagain == m\n",
        &[],
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        (out.as_str(), err.as_str(), code),
        ("m runs\n42\ntrue\n", "", 0)
    );
}

/// An import whose body failed is not kept: once the file is fixed, the
/// same import in the same session runs it again (as Python removes a
/// module whose body raised from `sys.modules`); a file it imported whose
/// body finished stays loaded and does not run again.
#[test]
fn a_failed_import_runs_again_once_fixed() {
    let dir = std::env::temp_dir().join(format!("tasks-repl-failed-import-{}", nanos()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("z.tasks"), "print(\"z runs\")\nlet c = 10\n").unwrap();
    let broken = "import \"./z.tasks\" as z\nprint(\"y runs\")\nlet a = 1\nlet b = 1 / 0\n";
    std::fs::write(dir.join("y.tasks"), broken).unwrap();
    let mut p = Term::start_in(&dir, &[], &[]);
    p.send_line("import \"./y.tasks\" as y");
    p.expect("z runs");
    p.expect("y runs");
    p.expect("division by zero");
    let fixed = "import \"./z.tasks\" as z\nprint(\"fixed y runs\")\nlet a = 2\nlet b = z.c\n";
    std::fs::write(dir.join("y.tasks"), fixed).unwrap();
    p.send_line("import \"./y.tasks\" as y");
    let before = p.until("fixed y runs");
    assert!(!before.contains("z runs"), "z ran again: {before:?}");
    p.send_line("print(y.a + y.b)");
    p.expect("12\r\n");
    p.quit();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn piped_runtime_error_ends_the_session_with_status_1() {
    let (out, err, code) = piped("print(\"first\")\nprint(1 + \"a\")\nprint(\"next\")\n");
    assert_eq!(out, "first\n");
    assert!(
        err.contains("unsupported operand types for +"),
        "stderr was: {err}"
    );
    assert_eq!(code, 1);
}

#[test]
fn piped_thrown_error_ends_the_session_with_status_1() {
    let (out, err, code) =
        piped("fn f() { throw error(\"ValueError\", \"bad\") }\nf()\nprint(\"next\")\n");
    assert_eq!(out, "");
    assert!(err.contains("ValueError"), "stderr was: {err}");
    assert_eq!(code, 1);
}

#[test]
fn piped_panic_is_an_internal_error_with_output_intact() {
    let (out, err, code) = piped_with(
        "print(\"before\")\n__panic(\"boom\")\nprint(\"not reached\")\n",
        &[("TASKS_REPL_TEST_PANIC", "1"), ("RUST_BACKTRACE", "0")],
    );
    assert_eq!(out, "before\n");
    assert!(
        err.contains("InternalError") && err.contains("internal error (a bug in tasks): boom"),
        "{err}"
    );
    assert_eq!(code, 1);
}

#[test]
fn piped_syntax_error_ends_the_session_with_status_2() {
    let (out, err, code) = piped("print(1)\nlet = 3\nprint(2)\n");
    assert_eq!(out, "1\n");
    assert!(!err.is_empty());
    assert_eq!(code, 2);
    let (out, err, code) = piped("print(1)\nprint(nope)\nprint(2)\n");
    assert_eq!(out, "1\n");
    assert!(
        err.contains("undefined variable `nope`"),
        "stderr was: {err}"
    );
    assert_eq!(code, 2);
}

#[test]
fn piped_deadlocked_input_is_reported_and_exits_1() {
    let (out, err, code) = piped("let q = queue()\nawait q.get()\nprint(\"after\")\n");
    assert_eq!(out, "");
    assert!(err.contains("deadlock"), "stderr was: {err}");
    assert!(err.contains("task 'main' waits here"), "stderr was: {err}");
    assert_eq!(code, 1);
}

/// The piped REPL stops quietly (status 141) when its output pipe closes.
#[test]
fn piped_repl_stops_when_its_output_closes() {
    use std::io::Read;
    let mut child = Command::new(BIN)
        .arg("repl")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"while true { print(\"y\") }\n")
        .unwrap();
    let mut first = [0u8; 2];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    assert_eq!(&first, b"y\n");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// `tasks --virtual-time` with no file is a REPL on the virtual clock: a
/// wait jumps the clock instead of hanging (it used to never return).
#[test]
fn the_repl_runs_on_the_virtual_clock() {
    let mut child = Command::new(BIN)
        .arg("--virtual-time")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"await sleep(100)\nprint(now())\nlet t = spawn sleep(5)\nawait t\nnow()\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "100.0\n105.0\n");
    assert_eq!(out.status.code(), Some(0));
}

/// What the terminal showed, without colour and cursor codes, with the
/// terminal's `\r\n` line ends as `\n`.
fn shown(raw: &str) -> String {
    strip_ansi(raw).replace("\r\n", "\n")
}

/// A deadlock report draws its labels on the input that deadlocked, not on
/// an earlier input where another waiting task stopped (whose place would
/// point at unrelated text); that task is only listed below the excerpt.
#[test]
fn a_deadlock_report_shows_the_input_that_deadlocked() {
    let mut p = Term::start();
    p.send_line("let e = event()");
    p.send_line("async fn waiter() { await e.wait() }");
    p.send_line("let w = spawn waiter()");
    p.send_line("let q = queue()");
    p.send_line("print(\"begin\" + \"s\"); await q.get()");
    p.expect("begins\r\n");
    let report = shown(&p.until("cancelled"));
    assert_eq!(
        report,
        "deadlock

  × deadlock: every task is waiting and nothing can wake any of them
   ╭─[<input 5>:1:23]
 1 │ print(\"begin\" + \"s\"); await q.get()
   ·                       ──────┬──────
   ·                             ╰── task 'main' waits here
   ╰────
  help: each waiting task needs another task, a timer or an event to resume it
  task 'Task-1' is waiting at <input 2>:1:21
      on an event not yet set
  task 'main' is waiting at <input 5>:1:23
      on get() of an empty queue (size 0, 1 waiting to get)
"
    );
    p.quit();
}

/// Under `--virtual-time`, an input that keeps yielding with `sleep(0)`
/// while a timer waits is reported once, as `tasks run --virtual-time`
/// reports it (it was reported three times: the loop's report, then a
/// "deadlock" for the input, then the loop's again after the input was
/// cancelled), and the session goes on.
#[test]
fn a_stuck_virtual_clock_is_reported_once_per_input() {
    let mut p = Term::start_args(&["--virtual-time"], &[]);
    p.send_line(
        "let t = spawn sleep(10); print(\"spin\" + \"ning\"); while true { await sleep(0) }",
    );
    p.expect("spinning\r\n");
    let report = shown(&p.until("cancelled"));
    assert_eq!(
        report,
        "deadlock

  × virtual time is stuck: tasks keep yielding with `sleep(0)` while a timer waits
   ╭─[<input 1>:1:63]
 1 │ let t = spawn sleep(10); print(\"spin\" + \"ning\"); while true { await sleep(0) }
   ·                                                               ───────┬──────
   ·                                                                      ╰── task 'main' waits here
   ╰────
  help: under --virtual-time the clock only moves when every task waits; await the timer (or an
        event) instead of polling
  task 'main' is waiting at <input 1>:1:63
  task 'Task-1' is waiting at its start
      on sleep until 10.000s
"
    );
    p.send_line("print(\"still\" + \" here\")");
    p.expect("still here");
    p.quit();
}

/// A background task that spins while a timer waits, with the prompt
/// idle, is reported once, not again at every turn of the loop (which
/// flooded the terminal) until it stops.
#[test]
fn a_stuck_virtual_clock_at_the_prompt_is_reported_once() {
    let mut p = Term::start_args(&["--virtual-time"], &[]);
    p.send_line("async fn spin() { while true { await sleep(0) } }");
    p.send_line("let t = spawn sleep(10); let s = spawn spin()");
    p.expect("virtual time is stuck");
    p.send_line("s.cancel()");
    p.send_line("print(\"qu\" + \"iet\")");
    let after = shown(&p.until("quiet\r\n"));
    assert!(
        !after.contains("virtual time is stuck"),
        "reported again: {after}"
    );
    p.quit();
}

/// A piped line that is not UTF-8 is reported as `tasks run` reports such
/// a file, and ends the session with its status (it ended it with status 0
/// and dropped every later line).
#[test]
fn piped_input_that_is_not_utf8_is_reported_and_exits_2() {
    let dir = std::env::current_dir().unwrap();
    let (out, err, code) = piped_bytes(&dir, b"print(1)\nprint(\"\xff\")\nprint(2)\n", &[]);
    assert_eq!(out, "1\n");
    assert!(
        err.contains("the source is not valid UTF-8") && err.contains("byte 0xFF is not UTF-8"),
        "{err}"
    );
    assert!(err.contains("<input 2>:1:8"), "{err}");
    assert_eq!(code, 2);
}

/// `exit(n)` leaves the session with status `n`, in an input or in a
/// background task (it printed `SystemExit × 3` and went on).
#[test]
fn piped_exit_leaves_with_its_status() {
    let (out, err, code) = piped("print(1)\nexit(3)\nprint(2)\n");
    assert_eq!((out.as_str(), err.as_str(), code), ("1\n", "", 3));
    let (out, err, code) = piped(
        "async fn later() { await sleep(0.05); exit(4) }\nlet t = spawn later()\n\
         print(\"waiting\")\nawait sleep(100)\nprint(\"not reached\")\n",
    );
    assert_eq!((out.as_str(), err.as_str(), code), ("waiting\n", "", 4));
    let (out, _, code) = piped("exit()\nprint(2)\n");
    assert_eq!((out.as_str(), code), ("", 0));
}

/// `quit` or `exit` typed alone says how to leave (it said "undefined
/// variable `quit`"), and the session goes on.
#[test]
fn bare_quit_or_exit_says_how_to_leave() {
    let (out, err, code) = piped("quit\nexit\nprint(7)\n");
    assert_eq!(out, "7\n");
    let hint =
        "to leave, type :quit or press Ctrl-D (or call exit(), which leaves with a status)\n";
    assert_eq!(err, hint.repeat(2));
    assert_eq!(code, 0);
}

/// `:tasks` shows a background task that failed, with its error, until
/// the error is retrieved (it was missing from the list).
#[test]
fn tasks_command_shows_a_failed_task_with_its_error() {
    let (out, err, code) = piped(
        "async fn f() { throw error(\"bad input\", kind: \"ValueError\") }\nlet t = spawn f()\n\
         await sleep(0.01)\n:tasks\ntry { await t } catch e { print(\"caught\") }\n:tasks\n",
    );
    assert_eq!(
        out,
        "no live tasks\nTask-1       failed: ValueError: bad input\ncaught\nno live tasks\n"
    );
    assert_eq!((err.as_str(), code), ("", 0));
}

/// `exit(5)` at the prompt leaves the terminal session with status 5;
/// `exit(6)` in a background task while the prompt waits does too.
#[test]
fn exit_leaves_the_terminal_session_with_its_status() {
    use rexpect::process::WaitStatus;
    let mut p = Term::start();
    p.send_line("print(\"bye\" + \"!\"); exit(5)");
    p.expect("bye!");
    assert!(matches!(p.process.wait(), Ok(WaitStatus::Exited(_, 5))));
    let mut p = Term::start();
    p.send_line("async fn later() { await sleep(0.2); exit(6) }");
    p.send_line("let t = spawn later()");
    assert!(matches!(p.process.wait(), Ok(WaitStatus::Exited(_, 6))));
}

/// `:tasks` names the holder of the lock a task waits for, the tasks
/// awaiting a task (up to the input) and the group a task is in.
#[test]
fn tasks_command_shows_lock_holders_awaiters_and_groups() {
    let (out, err, code) = piped(
        "let l = lock()\nlet q = queue()\n\
         async fn keeper() { await l.acquire(); await q.get() }\n\
         async fn wanting() { await l.acquire() }\n\
         async fn boss(t) { await t }\n\
         let k = spawn keeper(); k.set_name(\"keeper\")\n\
         let b = spawn boss(k); b.set_name(\"boss\")\n\
         let g = spawn (async fn() { group { spawn wanting() } })(); g.set_name(\"grouper\")\n\
         await sleep(0.01)\n:tasks\n",
    );
    assert!(
        out.contains("keeper       waiting at <input 3>:1:40 on get() of an empty queue (size 0, 1 waiting to get), awaited by 'boss'\n"),
        "{out}"
    );
    assert!(
        out.contains("on a lock held by task 'keeper', which waits at <input 3>:1:40, in the group of task 'grouper'\n"),
        "{out}"
    );
    assert_eq!((err.as_str(), code), ("", 0));
}

/// `:tasks` lists a server's accept loop (no task awaits it) after the
/// tasks, until the server is closed.
#[test]
fn tasks_command_lists_a_server_nobody_awaits() {
    let input = "let s = http.serve(fn(req) { return http.response(200) }, port: 0)\n\
                 :tasks\ns.close()\n:tasks\n";
    let (text, err, code) = piped_args(input, &["--allow-net=127.0.0.1"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0], "no live tasks");
    assert!(
        lines[1].starts_with("operation 'http server http://127.0.0.1:")
            && lines[1].ends_with("s, nobody awaits it"),
        "{text}"
    );
    assert_eq!(lines[2], "no live tasks");
    assert_eq!((err.as_str(), code), ("", 0));
}

/// SIGINT with the prompt up (what Ctrl-C becomes while the terminal is not
/// yet in the editor's raw mode): no input runs, so it interrupts nothing,
/// and the next input runs whole. Before, the request stayed set and the
/// next input failed with `KeyboardInterrupt` as it started.
#[test]
fn a_sigint_at_the_prompt_does_not_drop_the_next_input() {
    let mut p = Term::start();
    p.send_line("print(\"re\" + \"ady\")");
    p.expect("ready");
    p.wait_for_prompt();
    p.process
        .signal(rexpect::process::Signal::SIGINT)
        .expect("signal the REPL");
    // Let the signal reach the loop before the line does (their order is
    // what this test is about, not a deadline).
    std::thread::sleep(Duration::from_millis(1000));
    p.send_more("print(40 + 2)");
    p.expect("42\r\n");
    p.quit();
}

/// Bracketed paste: a 100 KB line pasted (inside the terminal's paste
/// markers) is one edit, parsed once at Enter. Before, each character was a
/// key event with its own batch and repaint: two minutes for 100 KB. The
/// patience is a hang guard only.
#[test]
fn a_pasted_100_kb_line_runs() {
    let mut p = Term::start();
    let big = format!("print(len(\"{}\"), \"pasted\")", "x".repeat(100_000));
    p.wait_for_prompt();
    p.paste(&big);
    p.send_more("");
    p.expect("100000 pasted");
    // A multi-line paste keeps its newlines as text: one input.
    p.paste("let a = 20\nlet b = 22\nprint(a + b, \"both\")");
    p.send_more("");
    p.expect("42 both");
    p.quit();
}

/// A 3 KB line arriving at once without paste markers (a terminal without
/// bracketed paste, or fast typing): crossterm's default reader left what
/// followed its first 1 KiB read unread until another key came (crossterm
/// issue 813), so the line never ran; its poll(2) reader (`use-dev-tty`)
/// reads on.
#[test]
fn a_3_kb_line_typed_at_once_runs() {
    let mut p = Term::start();
    p.send_line(&format!("print(len(\"{}\"), \"typed\")", "y".repeat(3000)));
    p.expect("3000 typed");
    p.quit();
}

/// 5,000 nested brackets: a clear error, and the REPL answers at once after
/// it (before, it was unresponsive for over a minute).
#[test]
fn deeply_nested_brackets_fail_and_the_session_goes_on() {
    let mut p = Term::start();
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    p.wait_for_prompt();
    p.paste(&deep);
    p.send_more("");
    p.expect("nest");
    p.send_line("print(6 * 7)");
    p.expect("42\r\n");
    p.quit();
}

/// A thousand inputs, one after another, each waiting for its answer: the
/// last is answered as the first is (the session does not slow as it
/// grows; the patience per input is a hang guard only).
#[test]
fn the_thousandth_input_is_answered() {
    let mut p = Term::start();
    p.send_line("let total = 0");
    for i in 0..1000 {
        p.send_line(&format!("total += {i}; print(f\"n{{total}}.\")"));
        p.expect(&format!("n{}.", i * (i + 1) / 2));
    }
    p.quit();
}
