//! The parser on hostile shapes of input: nested callbacks (exponential
//! before statements were parsed once), very long flat chains (a million
//! `+ 1`, `()`, `not`, … or 125,000 `else if` overflowed the stack in the
//! parser or the compiler), and a large ordinary program under a memory
//! cap. Programs are generated; each runs `tasks check` in a child process.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Checked {
    status: i32,
    stderr: String,
}

/// `tasks check` on `source`; `prefix` runs it under `sh -c` (to set a
/// limit first). Killed, and the test failed, if it takes longer than a
/// minute: a guard against a hang, not a timing assertion.
fn check(name: &str, source: &str, prefix: Option<&str>) -> Checked {
    let dir = std::env::temp_dir().join(format!("tasks-limits-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file: PathBuf = dir.join(format!("{name}.tasks"));
    std::fs::write(&file, source).unwrap();
    let bin = env!("CARGO_BIN_EXE_tasks");
    let mut cmd = match prefix {
        Some(p) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("{p}; exec \"$0\" check \"$1\""))
                .arg(bin)
                .arg(&file);
            c
        }
        None => {
            let mut c = Command::new(bin);
            c.arg("check").arg(&file);
            c
        }
    };
    let mut child = cmd
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        pipe.read_to_string(&mut s).map(|_| s)
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{name}: `tasks check` did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    stderr.push_str(&reader.join().unwrap().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!stderr.contains("crashed"), "{name} crashed:\n{stderr}");
    Checked {
        status: status.code().unwrap_or(-1),
        stderr,
    }
}

fn assert_too_deep(name: &str, source: &str) {
    let c = check(name, source, None);
    assert_eq!(c.status, 2, "{name}: {}", c.stderr);
    assert!(
        c.stderr.contains("the program nests too deeply"),
        "{name}: {}",
        c.stderr
    );
}

#[test]
fn nested_callbacks_parse_in_linear_time() {
    // 2^60 steps before: each level was parsed twice.
    let mut s = String::from("print(x)");
    for _ in 0..60 {
        s = format!("f(fn() {{ {s} }})");
    }
    let src = format!("fn f(g) {{ return g }}\nlet x = 1\n{s}\n");
    let c = check("callbacks", &src, None);
    assert_eq!(c.status, 0, "{}", c.stderr);
}

#[test]
fn long_operator_chains_stop_at_the_depth_limit() {
    let n = 200_000;
    assert_too_deep("plus", &format!("let x = 1{}\n", " + 1".repeat(n)));
    assert_too_deep("or", &format!("let x = false{}\n", " or false".repeat(n)));
    assert_too_deep(
        "calls",
        &format!("fn f() {{ return f }}\nf{}\n", "()".repeat(n)),
    );
    assert_too_deep(
        "index",
        &format!("let xs = [0]\nprint(xs{})\n", "[0]".repeat(n)),
    );
}

#[test]
fn long_prefix_runs_stop_at_the_depth_limit() {
    let n = 1_000_000;
    assert_too_deep("not", &format!("let x = {}true\n", "not ".repeat(n)));
    assert_too_deep("neg", &format!("let x = {}1\n", "- ".repeat(n)));
    assert_too_deep(
        "await",
        &format!("async fn f() {{ return {}f() }}\n", "await ".repeat(n)),
    );
}

#[test]
fn a_long_else_if_chain_stops_at_the_depth_limit() {
    let chain = " else if a == 1 { print(1) }".repeat(125_000);
    let src = format!("let a = 0\nif a == 1 {{ print(1) }}{chain} else {{ print(2) }}\n");
    assert_too_deep("else_if", &src);
}

#[test]
fn chains_below_the_limit_are_accepted() {
    let src = format!(
        "let a = 0\nlet x = 1{}\nif a == 1 {{ }}{} else {{ print(x) }}\n",
        " + 1".repeat(900),
        " else if a == 1 { }".repeat(900)
    );
    let c = check("below", &src, None);
    assert_eq!(c.status, 0, "{}", c.stderr);
}

#[test]
fn a_megabyte_of_statements_parses_within_a_memory_cap() {
    let mut src = String::from("let x = 0\nlet xs = [0]\nfn f(a, b) { return a + b }\n");
    let lines = [
        "x = x + 1",
        "xs.push(f(x, 2))",
        "if x > 3 { x = x - 1 } else if x < 0 { x = 0 }",
        "print(f\"{x} and {xs[0]}\")",
        "let m = {\"k\": [1, 2, x]}",
    ];
    let mut i = 0;
    while src.len() < 1_000_000 {
        src.push_str(lines[i % lines.len()]);
        src.push('\n');
        i += 1;
    }
    // An address-space cap (the process reserves a large stack up front,
    // so this is far more than the parse itself needs); parsing took more
    // than 650 MB here before its pairs were trimmed.
    let c = check("megabyte", &src, Some("ulimit -v 560000"));
    assert_eq!(c.status, 0, "{}", c.stderr);
}
