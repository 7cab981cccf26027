//! The parser on hostile shapes of input: nested callbacks (exponential
//! before statements were parsed once), very long flat chains (a million
//! `+ 1`, `()`, `not`, … or 125,000 `else if` overflowed the stack in the
//! parser or the compiler), and large ordinary programs under a memory
//! cap. Programs are generated; each runs `tasks check` in a child process.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Checked {
    status: i32,
    stderr: String,
    /// The child's peak resident set, in KiB (`ru_maxrss` from `wait4`).
    max_rss_kib: i64,
}

/// `tasks check` on `source`; `prefix` runs it under `sh -c` (to set a
/// limit first). Killed, and the test failed, if it takes longer than
/// five minutes: a guard against a hang, not a timing assertion (the dev
/// profile on a loaded machine is slow).
// The child is reaped by `reap` (`wait4`), which clippy does not see.
#[allow(clippy::zombie_processes)]
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
    let deadline = Instant::now() + Duration::from_secs(300);
    let (status, max_rss_kib) = loop {
        if let Some(done) = reap(&child) {
            break done;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{name}: `tasks check` did not finish within five minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    stderr.push_str(&reader.join().unwrap().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!stderr.contains("crashed"), "{name} crashed:\n{stderr}");
    Checked {
        status,
        stderr,
        max_rss_kib,
    }
}

/// The exit status (-1 if killed by a signal) and peak RSS of `child`
/// once it has ended. `wait4` instead of `Child::try_wait`, which reaps
/// the child without its resource usage.
fn reap(child: &std::process::Child) -> Option<(i32, i64)> {
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `status` and `usage` are valid for writes for the whole call,
    // and `child` is our own child, not yet reaped (reaped only here).
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, libc::WNOHANG, &mut usage) };
    assert!(pid >= 0, "wait4: {}", std::io::Error::last_os_error());
    if pid == 0 {
        return None;
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Some((code, usage.ru_maxrss))
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

/// Broken programs nested 60 deep: each took time exponential in the
/// nesting (3^n for the unclosed braces libFuzzer found: 24 s at 376
/// bytes), because pest re-read every level another way after a mistake
/// inside it. Blocks are now read once, and a `(` after `.name` always
/// starts arguments.
#[test]
fn broken_nesting_is_reported_in_linear_time() {
    let n = 60;
    let cases = [
        (
            "unclosed",
            format!("prin{{{}", "{{async{".repeat(n)),
            "unclosed `{`",
        ),
        (
            "blocks",
            format!("{} x = = {}", "{{async{".repeat(n), "}}}".repeat(n)),
            "expected an expression, found `=`",
        ),
        (
            "callbacks",
            (0..n).fold("x = =".to_string(), |s, _| format!("f(fn() {{ {s} }})")),
            "expected an expression, found `=`",
        ),
        (
            "methods",
            format!("x{} +{}", ".f(x".repeat(n), ")".repeat(n)),
            "expected an expression, found `)`",
        ),
        (
            "maps",
            format!("{}x = = {}", "{ {".repeat(n), "} }".repeat(n)),
            "expected an expression, found `=`",
        ),
    ];
    for (name, src, message) in cases {
        let c = check(name, &src, None);
        assert_eq!(c.status, 2, "{name}: {}", c.stderr);
        assert!(c.stderr.contains(message), "{name}: {}", c.stderr);
    }
}

/// Every construct that nests, alone and in pairs, 60 deep around a
/// mistake: each must be reported (status 2) at once. Before blocks were
/// read once, several of these took time exponential in the depth.
#[test]
fn every_nesting_construct_is_linear_around_a_mistake() {
    let shapes = [
        ("f(", ")"),
        ("[", "]"),
        ("{1: ", "}"),
        ("x.f(", ")"),
        ("f(a: ", ")"),
        ("async { ", " }"),
        ("fn() { ", " }"),
        ("if x { ", " }"),
        ("if x { 1 } else { ", " }"),
        ("{ ", " }"),
        ("try { ", " } catch e { }"),
        ("[y for y in ", "]"),
        ("x[1:", "]"),
        ("group { ", " }"),
        ("with x { ", " }"),
        ("f(fn() { ", " })"),
        ("struct S { a = ", " }"),
    ];
    let mut sources = Vec::new();
    for (i, a) in shapes.iter().enumerate() {
        for b in &shapes[i..] {
            let (open, close): (String, String) = (0..30)
                .map(|_| (format!("{}{}", a.0, b.0), format!("{}{}", b.1, a.1)))
                .unzip();
            sources.push(format!("{open} x = = {close}\n"));
        }
    }
    assert_eq!(sources.len(), 153);
    for (n, source) in sources.iter().enumerate() {
        let c = check(&format!("shape{n}"), source, None);
        assert_eq!(c.status, 2, "{source}: {}", c.stderr);
        assert!(c.stderr.contains("syntax error"), "{source}: {}", c.stderr);
    }
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

/// About `len` bytes of ordinary code: structs, functions with loops,
/// `if`/`else if` chains, calls with named arguments, f-strings with
/// specs, lists, maps, comprehensions, slices and comments, each unit a
/// little different so that no two functions are the same text.
fn ordinary_program(len: usize) -> String {
    let mut src = String::with_capacity(len + 2_000);
    let mut i = 0;
    while src.len() < len {
        let (decl, code) = unit(i);
        src.push_str(&decl);
        src.push_str(&code);
        i += 1;
    }
    src
}

/// The same units with all the code in one `async fn main`, as scripts are
/// often written (the struct declarations stay at the top level).
fn one_function_program(len: usize) -> String {
    let (mut decls, mut body) = (String::new(), String::new());
    let mut i = 0;
    while decls.len() + body.len() < len {
        let (decl, code) = unit(i);
        decls.push_str(&decl);
        body.push_str(&code);
        i += 1;
    }
    format!("{decls}async fn main() {{\n{body}}}\n")
}

/// Unit `i`: a struct declaration, and a function that uses it with a
/// call to it.
fn unit(i: usize) -> (String, String) {
    let (a, b) = (i % 7, i % 11);
    let decl = format!("struct Job{i} {{ name, timeout = {b} }}\n");
    let code = format!(
        r#"# unit {i}: a function, a call and a struct
fn work{i}(a, b = {a}) {{
    let total = 0
    let xs = [a, b, {i}, "x{i}", 1.5e{a}]
    let m = {{"k{i}": [1, 2, a], "n": b * {b} + a // 3}}
    for k, v in m.items() {{
        total = total + len(f"{{k}}={{v!r}}")
    }}
    if a > b and not (a == {a}) {{
        total += a - b
    }} else if a == b or b in xs {{
        total -= 1 /* a block comment */
    }} else {{
        total = total * 2 % 5
    }}
    while total > 100 {{ total = total - 7; }}
    let job = Job{i}(name: "job{i}", timeout: total)
    print(f"{{job.name}}: {{total:>8}} {{xs[1:3]}} {{-a ** 2}}")
    return [x * 2 for x in range(total) if x % 3 == {a}]
}}
work{i}({b}, b: {a})
"#
    );
    (decl, code)
}

#[test]
fn ten_megabytes_of_statements_parse_within_a_memory_cap() {
    let src = ordinary_program(10_000_000);
    let c = check("ten_megabytes", &src, None);
    assert_eq!(c.status, 0, "{}", c.stderr);
    // Peak RSS of the whole `tasks check`, about 27 bytes per source byte:
    // its syntax tree (14), its compiled code (9), the source twice (read,
    // and kept for diagnostics) and the process's own few MB
    // (docs/PERFORMANCE.md, "Parsing"). Parsing the whole file at once
    // took 62 (615 MB), and a tree with a separate copy of every name and
    // spare room in every vector 38.
    assert_within_cap(&c, src.len(), "at the top level");
}

#[test]
fn a_program_in_one_function_parses_within_the_same_cap() {
    // 3 MB, not 10, to keep the suite quick: the tree of one function is
    // the same shape at any size.
    let src = one_function_program(3_000_000);
    let c = check("one_function", &src, None);
    assert_eq!(c.status, 0, "{}", c.stderr);
    // Read whole, `main`'s body took 52 bytes per source byte here;
    // statement by statement, as at the top level, 29.
    assert_within_cap(&c, src.len(), "in one function");
}

/// The cap both memory tests hold `tasks check` to: 35 bytes of peak RSS
/// per source byte, over what `tasks check` of an empty file peaks at (the
/// process itself: its code, larger in the dev profile and with every
/// crate the stdlib links, is no part of what parsing costs).
fn assert_within_cap(c: &Checked, len: usize, where_: &str) {
    let base = check("empty", "", None);
    assert_eq!(base.status, 0, "{}", base.stderr);
    let cap_kib = 35 * len as i64 / 1024;
    let used = c.max_rss_kib - base.max_rss_kib;
    assert!(
        used < cap_kib,
        "`tasks check` on {len} bytes {where_} peaked at {used} KiB over an empty file's {} KiB (cap {cap_kib} KiB)",
        base.max_rss_kib
    );
}
