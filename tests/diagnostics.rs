//! Diagnostics on sources no golden file holds well: lines longer than
//! 65,535 columns (miette cannot place a label there), bytes that are not
//! UTF-8, NUL and other control bytes. Each program is generated, run by the
//! `tasks` binary, and its report checked: the right message and true
//! `file:line:col`, no crash, nothing raw sent to the terminal.

use std::path::PathBuf;
use std::process::Command;

struct Run {
    status: i32,
    stderr: String,
}

/// Runs `tasks run FILE` on `source`, written to a fresh temp folder.
fn run(name: &str, source: &[u8]) -> Run {
    let dir = std::env::temp_dir().join(format!("tasks-diag-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file: PathBuf = dir.join(format!("{name}.tasks"));
    std::fs::write(&file, source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["run", "--virtual-time", &format!("{name}.tasks")])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8(out.stderr).expect("reports are UTF-8");
    assert!(!stderr.contains("crashed"), "{name} crashed:\n{stderr}");
    Run {
        status: out.status.code().unwrap_or(-1),
        stderr,
    }
}

/// The report shows a window of the long line, not all of it.
fn assert_short_lines(r: &Run) {
    let widest = r
        .stderr
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    assert!(widest < 600, "a report line of {widest} characters");
}

const PAD: usize = 70_000;

#[test]
fn a_runtime_error_past_column_65535_is_reported() {
    let src = format!("let pad = 1;{}let x = \"a\" + pad\n", " ".repeat(PAD));
    let r = run("runtime_far", src.as_bytes());
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(r.stderr.contains("unsupported operand types for +"));
    assert!(r
        .stderr
        .contains(&format!("[runtime_far.tasks:1:{}]", PAD + 21)));
    assert!(r.stderr.contains("let x = \"a\" + pad"));
    assert_short_lines(&r);
}

#[test]
fn a_syntax_error_past_column_65535_is_reported() {
    let src = format!("let s = \"{}\" $\n", "a".repeat(PAD));
    let r = run("syntax_far", src.as_bytes());
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r
        .stderr
        .contains(&format!("[syntax_far.tasks:1:{}]", PAD + 12)));
    assert_short_lines(&r);
}

#[test]
fn a_compile_error_past_column_65535_is_reported() {
    let src = format!("{}print(nope)\n", " ".repeat(PAD));
    let r = run("compile_far", src.as_bytes());
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("undefined variable `nope`"));
    assert!(r
        .stderr
        .contains(&format!("[compile_far.tasks:1:{}]", PAD + 7)));
    assert_short_lines(&r);
}

#[test]
fn a_warning_past_column_65535_is_reported() {
    let src = format!(
        "async fn f() {{ }}\n{}f()\n{}let c = f()\nprint(\"done\")\n",
        " ".repeat(PAD),
        " ".repeat(PAD)
    );
    let r = run("warning_far", src.as_bytes());
    assert_eq!(r.status, 0, "{}", r.stderr);
    // The compiler's warning (a dropped call) and the run's (a coroutine
    // kept in a variable and never awaited).
    assert!(r.stderr.contains("is never awaited"), "{}", r.stderr);
    assert!(r
        .stderr
        .contains(&format!("[warning_far.tasks:2:{}]", PAD + 1)));
    assert!(r.stderr.contains("was never awaited"), "{}", r.stderr);
    assert!(r
        .stderr
        .contains(&format!("[warning_far.tasks:3:{}]", PAD + 9)));
    assert_short_lines(&r);
}

#[test]
fn a_label_spanning_a_long_line_is_cut_to_the_window() {
    let src = format!("let x = \"{}\" + 1\n", "a".repeat(PAD));
    let r = run("span_long", src.as_bytes());
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(r.stderr.contains("[span_long.tasks:1:9]"));
    assert!(r.stderr.contains('…'));
    assert_short_lines(&r);
}

#[test]
fn source_that_is_not_utf8_is_reported_at_its_first_bad_byte() {
    let r = run("latin1", b"print(\"ok\")\nlet x = \"caf\xe9\"\n");
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("the source is not valid UTF-8"));
    assert!(r.stderr.contains("[latin1.tasks:2:13]"));
    assert!(r.stderr.contains("byte 0xE9 is not UTF-8"));
}

#[test]
fn a_nul_byte_is_named_and_never_echoed() {
    let r = run("nul", b"print(\"ok\")\nlet x = 1\x00\n");
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("NUL byte in source"));
    assert!(r.stderr.contains("[nul.tasks:2:10]"));
    assert!(!r.stderr.contains('\0'));
}

#[test]
fn control_bytes_are_escaped_in_every_part_of_a_report() {
    // In the source line shown, in the message (the key), and in a syntax
    // error's "found" (the escape byte where a statement should start).
    let r = run("escape", b"let d = {}\nprint(d[\"\x1b[31mred\"])\n");
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(r.stderr.contains("\\u{1b}[31mred"), "{}", r.stderr);
    assert!(!r.stderr.contains('\x1b'), "{:?}", r.stderr);
    let r = run("escape_code", b"let x = 1\n\x07\n");
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("\\u{7}"), "{}", r.stderr);
    assert!(!r.stderr.contains('\x07'), "{:?}", r.stderr);
}
