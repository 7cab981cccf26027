//! The command-line tools end to end: `tasks test` (missing files, `--bless`,
//! diffs, `--filter`, `--timeout`, `.args`, `--jobs`, `.err` files),
//! `tasks check`, `tasks FILE` / `tasks run FILE` with their options and
//! arguments, exit statuses, and one run on the real clock.
//!
//! Each test works in its own folder under the system temp dir and removes
//! it afterwards. Timings in `tasks test` reports (`(12 ms)`) are the only
//! part of an output that is not compared exactly.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const EXE: &str = env!("CARGO_BIN_EXE_tasks");

/// A scratch folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "tasks-cli-{label}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, name: &str, text: &str) {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create sub folder");
        }
        std::fs::write(&p, text).expect("write file");
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join(name))
            .unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
    }

    fn exists(&self, name: &str) -> bool {
        self.0.join(name).exists()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Debug)]
struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

/// Runs `tasks ARGS...` in `dir`. Colour is not switched off here: output
/// to a pipe must be plain on its own.
fn tasks(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(EXE)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run the tasks binary");
    Run {
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        code: out.status.code().unwrap_or(-1),
    }
}

/// A `tasks test` report with each timing `(123 ms)` replaced by `(T ms)`.
fn untimed(report: &str) -> String {
    let mut out = String::new();
    let mut rest = report;
    while let Some(i) = rest.find(" (") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(" ms)") {
            out.push_str(" (T ms)");
            rest = &after[digits + 4..];
        } else {
            out.push_str(" (");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[track_caller]
fn assert_run(run: &Run, code: i32, stdout: &str, stderr: &str) {
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (code, stdout, stderr),
        "(exit status, stdout, stderr) differ"
    );
}

/// `tasks test` with its timings masked.
#[track_caller]
fn assert_report(run: &Run, code: i32, report: &str) {
    assert_eq!(
        (run.code, untimed(&run.stdout).as_str(), run.stderr.as_str()),
        (code, report, ""),
        "(exit status, report, stderr) differ"
    );
}

#[test]
fn untimed_masks_only_timings() {
    assert_eq!(
        untimed("ok      a (12 ms)\nprint(f (x) (ms)\nFAILED  b (0 ms)\n"),
        "ok      a (T ms)\nprint(f (x) (ms)\nFAILED  b (T ms)\n"
    );
}

// ------------------------------------------------------------ tasks test

#[test]
fn test_missing_out_then_bless_then_pass_then_diff() {
    let dir = TempDir::new("bless");
    dir.write("hello.tasks", "print(\"hello\")\nprint(\"same\")\n");

    let run = tasks(dir.path(), &["test"]);
    assert_report(
        &run,
        1,
        "FAILED  hello (T ms)\n\
         \n\
         failures:\n\
         \n\
         ---- hello ----\n\
         seed 0; to replay, in its folder: tasks run --virtual-time --seed 0 hello.tasks\n\
         missing ./hello.out: run `tasks test --bless` to create it from this run\n\
         what it printed on stdout:\n\
         @@ -0,0 +1,2 @@\n\
         +hello\n\
         +same\n\
         \n\
         0 passed, 1 failed\n",
    );
    assert!(
        !dir.exists("hello.out"),
        "a failing run must not write files"
    );

    let run = tasks(dir.path(), &["test", "--bless"]);
    assert_report(&run, 0, "blessed hello (T ms)\n1 passed, 0 failed\n");
    assert_eq!(dir.read("hello.out"), "hello\nsame\n");
    assert!(!dir.exists("hello.err"), "no stderr, so no .err file");
    assert!(!dir.exists("hello.code"), "exit status 0, so no .code file");

    let run = tasks(dir.path(), &["test"]);
    assert_report(&run, 0, "ok      hello (T ms)\n1 passed, 0 failed\n");

    dir.write("hello.tasks", "print(\"goodbye\")\nprint(\"same\")\n");
    let run = tasks(dir.path(), &["test"]);
    assert_report(
        &run,
        1,
        "FAILED  hello (T ms)\n\
         \n\
         failures:\n\
         \n\
         ---- hello ----\n\
         seed 0; to replay, in its folder: tasks run --virtual-time --seed 0 hello.tasks\n\
         stdout differs (- expected, + actual):\n\
         @@ -1,2 +1,2 @@\n\
         -hello\n\
         +goodbye\n \
         same\n\
         \n\
         0 passed, 1 failed\n",
    );
    assert_eq!(
        dir.read("hello.out"),
        "hello\nsame\n",
        "test never rewrites"
    );
}

/// A new case that prints nothing says so.
#[test]
fn test_missing_out_of_a_silent_case_says_it_printed_nothing() {
    let dir = TempDir::new("silent");
    dir.write("quiet.tasks", "let x = 1\n");
    let run = tasks(dir.path(), &["test"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "missing ./quiet.out: run `tasks test --bless` to create it from this run\n\
             (it printed nothing on stdout)\n"
        ),
        "{}",
        run.stdout
    );
}

/// `--bless` of a case whose run crashed the interpreter records it (the
/// files show the crash: status 70 and the crash message at the end of
/// `.err`), says so in its line and in the closing line, and exits 1; the
/// next run fails the case whatever its files expect (a crash was blessed
/// silently, and passed from then on).
#[test]
fn test_bless_of_a_crash_is_said_and_never_passes() {
    let dir = TempDir::new("bless-crash");
    dir.write("crash.tasks", "print(\"before\")\n");
    let crash = |args: &[&str]| {
        let out = Command::new(EXE)
            .args(args)
            .current_dir(dir.path())
            .env("TASKS_TEST_CRASH", "1")
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("run the tasks binary");
        Run {
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
            code: out.status.code().unwrap_or(-1),
        }
    };
    let run = crash(&["test", "--bless"]);
    assert_report(
        &run,
        1,
        "blessed crash (T ms), but it CRASHED: see the end of its .err\n\
         0 passed, 0 failed, 1 blessed although the interpreter crashed (a bug in tasks)\n",
    );
    assert_eq!(dir.read("crash.out"), "before\n");
    assert_eq!(dir.read("crash.code"), "70\n");
    assert!(
        dir.read("crash.err")
            .ends_with("error: the interpreter crashed (this is a bug in tasks)\n"),
        "{}",
        dir.read("crash.err")
    );
    let run = crash(&["test"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("FAILED  crash")
            && run
                .stdout
                .contains("the interpreter crashed (exit status 70): a bug in tasks\n"),
        "{}",
        run.stdout
    );
}

/// An `.err` file in the stable form (its first line says so) is compared
/// without line and column numbers: a comment added above the error
/// keeps the case passing, where the exact form fails; `--bless` keeps
/// the form; a different message still fails.
#[test]
fn test_stable_err_ignores_line_numbers() {
    let dir = TempDir::new("stable-err");
    let script = "let a = 1\nlet b = a + \"x\"\nprint(b)\n";
    dir.write("stable.tasks", script);
    dir.write("exact.tasks", script);
    dir.write(
        "stable.err",
        "# stable: compared without line numbers (docs/TESTING.md)\n",
    );
    let run = tasks(dir.path(), &["test", "--bless"]);
    assert_eq!(run.code, 0, "{run:?}");
    let stable = dir.read("stable.err");
    assert!(
        stable
            .starts_with("# stable: compared without line numbers (docs/TESTING.md)\nTypeError\n")
            && stable.contains("╭─[stable.tasks]\n│ let b = a + \"x\"\n")
            && !stable.contains("let a = 1")
            && !stable.contains(":2:"),
        "{stable}"
    );
    assert!(dir.read("exact.err").contains("exact.tasks:2:"));
    let moved = format!("# a comment above the error\n{script}");
    dir.write("stable.tasks", &moved);
    dir.write("exact.tasks", &moved);
    let run = tasks(dir.path(), &["test"]);
    assert_eq!(run.code, 1, "{run:?}");
    let report = untimed(&run.stdout);
    assert!(
        report.starts_with("FAILED  exact (T ms)\nok      stable (T ms)\n"),
        "{report}"
    );
    dir.write("stable.tasks", &moved.replace("+ \"x\"", "+ \"y\""));
    let run = tasks(dir.path(), &["test", "stable.tasks"]);
    assert_eq!(run.code, 1, "a different source line still fails: {run:?}");
}

#[test]
fn test_bless_writes_err_and_code_with_relative_paths() {
    let dir = TempDir::new("err");
    dir.write(
        "cases/boom.tasks",
        "print(\"before\")\nlet xs = [1]\nprint(xs[5])\n",
    );
    // Run from the parent folder: the case still runs in its own folder.
    let run = tasks(dir.path(), &["test", "--bless", "cases"]);
    assert_report(&run, 0, "blessed boom (T ms)\n1 passed, 0 failed\n");
    assert_eq!(dir.read("cases/boom.out"), "before\n");
    assert_eq!(dir.read("cases/boom.code"), "1\n");
    let err = dir.read("cases/boom.err");
    assert_eq!(
        err,
        "IndexError\n\
         \n  \
         × list index 5 is out of range (length 1)\n   \
         ╭─[boom.tasks:3:7]\n \
         2 │ let xs = [1]\n \
         3 │ print(xs[5])\n   \
         ·       ──┬──\n   \
         ·         ╰── raised here\n   \
         ╰────\n"
    );
    assert!(!err.contains('\x1b'), "no escape codes in .err files");
    let temp = dir.path().display().to_string();
    assert!(!err.contains(&temp), "no absolute paths in .err files");

    // The comparison gives the same text from another working folder and
    // with an absolute path.
    let abs = dir.path().join("cases");
    let run = tasks(
        &std::env::temp_dir(),
        &["test", abs.to_str().expect("utf-8 path")],
    );
    assert_report(&run, 0, "ok      boom (T ms)\n1 passed, 0 failed\n");

    // A different stderr is a failure with a diff of the .err file.
    dir.write(
        "cases/boom.tasks",
        "print(\"before\")\nlet xs = [1]\nprint(xs[6])\n",
    );
    let run = tasks(dir.path(), &["test", "cases"]);
    assert_report(
        &run,
        1,
        "FAILED  boom (T ms)\n\
         \n\
         failures:\n\
         \n\
         ---- boom ----\n\
         seed 0; to replay, in its folder: tasks run --virtual-time --seed 0 boom.tasks\n\
         stderr differs (- expected, + actual):\n\
         @@ -1,9 +1,9 @@\n \
         IndexError\n \n\
         -  × list index 5 is out of range (length 1)\n\
         +  × list index 6 is out of range (length 1)\n    \
         ╭─[boom.tasks:3:7]\n  \
         2 │ let xs = [1]\n\
         - 3 │ print(xs[5])\n\
         + 3 │ print(xs[6])\n    \
         ·       ──┬──\n    \
         ·         ╰── raised here\n    \
         ╰────\n\
         \n\
         0 passed, 1 failed\n",
    );
    assert!(
        !run.stdout.contains('\x1b'),
        "no escape codes in a piped report"
    );

    // When the case stops failing, --bless removes the .err and .code files.
    dir.write("cases/boom.tasks", "print(\"before\")\n");
    let run = tasks(dir.path(), &["test", "--bless", "cases"]);
    assert_report(&run, 0, "blessed boom (T ms)\n1 passed, 0 failed\n");
    assert!(!dir.exists("cases/boom.err"));
    assert!(!dir.exists("cases/boom.code"));
}

#[test]
fn test_filter_counts_skipped_cases() {
    let dir = TempDir::new("filter");
    for name in ["alpha", "beta", "gamma"] {
        dir.write(&format!("{name}.tasks"), &format!("print(\"{name}\")\n"));
        dir.write(&format!("{name}.out"), &format!("{name}\n"));
    }
    let run = tasks(dir.path(), &["test", "--filter", "eta"]);
    assert_report(
        &run,
        0,
        "ok      beta (T ms)\n1 passed, 0 failed, 2 skipped\n",
    );
    let run = tasks(dir.path(), &["test", "--filter", "a"]);
    assert_report(
        &run,
        0,
        "ok      alpha (T ms)\nok      beta (T ms)\nok      gamma (T ms)\n3 passed, 0 failed\n",
    );
}

#[test]
fn test_timeout_stops_a_hung_case_and_the_others_still_run() {
    let dir = TempDir::new("timeout");
    dir.write("a_first.tasks", "print(\"first\")\n");
    dir.write("a_first.out", "first\n");
    dir.write("b_hangs.tasks", "print(\"spinning\")\nwhile true {}\n");
    dir.write("b_hangs.out", "spinning\n");
    dir.write("c_last.tasks", "print(\"last\")\n");
    dir.write("c_last.out", "last\n");
    let started = std::time::Instant::now();
    let run = tasks(dir.path(), &["test", "--timeout", "1", "--jobs", "1"]);
    assert_report(
        &run,
        1,
        "ok      a_first (T ms)\n\
         FAILED  b_hangs (T ms)\n\
         ok      c_last (T ms)\n\
         \n\
         failures:\n\
         \n\
         ---- b_hangs ----\n\
         seed 0; to replay, in its folder: tasks run --virtual-time --seed 0 b_hangs.tasks\n\
         timed out after 1 s (see --timeout); the case was stopped\n\
         \n\
         2 passed, 1 failed\n",
    );
    // Not a timing test: only a guard against the case never being stopped.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn test_args_files_reach_args() {
    let dir = TempDir::new("args");
    dir.write("with_args.tasks", "print(args())\nprint(len(args()))\n");
    dir.write("with_args.args", "one\ntwo words\n--flag\n\n");
    dir.write(
        "with_args.out",
        "[\"one\", \"two words\", \"--flag\", \"\"]\n4\n",
    );
    dir.write("without.tasks", "print(args())\n");
    dir.write("without.out", "[]\n");
    let run = tasks(dir.path(), &["test"]);
    assert_report(
        &run,
        0,
        "ok      with_args (T ms)\nok      without (T ms)\n2 passed, 0 failed\n",
    );
}

/// A script with a Python twin and no `.out`: CPython's run is the
/// expected output (stdout and exit status), and `--bless` leaves it so.
/// (CPython's sleeps are real: 100 ms apart, a loaded machine pausing it
/// between the two cannot swap them; 10 ms apart, it could.)
#[test]
fn test_python_twin_is_the_oracle() {
    let dir = TempDir::new("twin");
    dir.write(
        "same.tasks",
        "async fn f(n) {\n    await sleep(0.1 * n)\n    print(f\"done {n}\")\n}\nawait gather(f(2), f(1))\nprint(args())\n",
    );
    dir.write(
        "same.py",
        "import asyncio, sys\nasync def f(n):\n    await asyncio.sleep(0.1 * n)\n    print(f\"done {n}\")\nasync def main():\n    await asyncio.gather(f(2), f(1))\n    print(repr(sys.argv[1:]).replace(\"'\", '\"'))\nasyncio.run(main())\n",
    );
    dir.write("same.args", "x\n");
    dir.write("differs.tasks", "print(\"tasks\")\n");
    dir.write("differs.py", "print(\"python\")\n");
    let run = tasks(dir.path(), &["test"]);
    assert_report(
        &run,
        1,
        "FAILED  differs (T ms)\n\
         ok      same (T ms)\n\
         \nfailures:\n\n\
         ---- differs ----\n\
         seed 0; to replay, in its folder: tasks run --virtual-time --seed 0 differs.tasks\n\
         stdout (expected: what CPython printed) differs (- expected, + actual):\n\
         @@ -1 +1 @@\n\
         -python\n\
         +tasks\n\
         \n\
         1 passed, 1 failed\n",
    );
    let run = tasks(dir.path(), &["test", "--bless"]);
    assert_eq!(run.code, 1, "a parity case is compared, not blessed");
    assert!(!dir.exists("differs.out") && !dir.exists("same.out"));
}

/// A parity case whose exit status is not CPython's fails, with the
/// script's stderr shown for context.
#[test]
fn test_python_twin_exit_status_must_match() {
    let dir = TempDir::new("twin-status");
    dir.write("boom.tasks", "print(\"before\")\n");
    dir.write("boom.py", "print(\"before\")\nraise SystemExit(3)\n");
    let run = tasks(dir.path(), &["test"]);
    assert_report(
        &run,
        1,
        "FAILED  boom (T ms)\n\
         \nfailures:\n\n\
         ---- boom ----\n\
         seed 0; to replay, in its folder: tasks run --virtual-time --seed 0 boom.tasks\n\
         exit status: expected 3, got 0\n\
         \n\
         0 passed, 1 failed\n",
    );
}

#[test]
fn test_jobs_keep_the_report_order() {
    let dir = TempDir::new("jobs");
    // Early cases are slow and later ones quick, so with several jobs they
    // finish out of order; a few fail so the failures section is compared too.
    for (i, name) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
        let work = 200_000 / (i + 1);
        dir.write(
            &format!("{name}.tasks"),
            &format!(
                "let s = 0\nfor i in range(0, {work}) {{ s += i }}\nawait sleep({i})\nprint(\"{name}\", s > 0)\n"
            ),
        );
        let expected = if i % 3 == 1 { "wrong" } else { "true" };
        dir.write(&format!("{name}.out"), &format!("{name} {expected}\n"));
    }
    let one = tasks(dir.path(), &["test", "--jobs", "1"]);
    let four = tasks(dir.path(), &["test", "--jobs", "4"]);
    assert_eq!(one.code, 1);
    assert_eq!(four.code, 1);
    assert_eq!(untimed(&one.stdout), untimed(&four.stdout));
    let report = untimed(&four.stdout);
    assert!(
        report.starts_with(
            "ok      a (T ms)\nFAILED  b (T ms)\nok      c (T ms)\nok      d (T ms)\nFAILED  e (T ms)\n"
        ),
        "{report}"
    );
    assert!(
        report.contains("\n---- b ----\n") && report.contains("\n---- e ----\n"),
        "{report}"
    );
    assert!(report.find("---- b ----") < report.find("---- e ----"));
    assert!(report.ends_with("\n5 passed, 3 failed\n"), "{report}");
}

#[test]
fn test_helpers_imported_by_cases_are_not_cases() {
    let dir = TempDir::new("helpers");
    dir.write("lib/greet.tasks", "fn hello(n) { return f\"hello {n}\" }\n");
    dir.write(
        "uses.tasks",
        "import \"./lib/greet.tasks\" as greet\nprint(greet.hello(1))\n",
    );
    dir.write("uses.out", "hello 1\n");
    // Imported by nothing and without `.out`: a new case, still reported.
    dir.write("fresh.tasks", "print(2)\n");
    let run = tasks(dir.path(), &["test", "."]);
    assert_eq!(run.code, 1, "{run:?}");
    // The helper `lib/greet` is not listed: not a case.
    assert_eq!(
        untimed(&run.stdout),
        "FAILED  fresh (T ms)\n\
         ok      uses (T ms)\n\
         \n\
         failures:\n\
         \n\
         ---- fresh ----\n\
         seed 0; to replay, in its folder: tasks run --virtual-time --seed 0 fresh.tasks\n\
         missing ./fresh.out: run `tasks test --bless` to create it from this run\n\
         what it printed on stdout:\n\
         @@ -0,0 +1 @@\n\
         +2\n\
         \n\
         1 passed, 1 failed\n"
    );
}

#[test]
fn check_a_good_file_prints_nothing() {
    let dir = TempDir::new("check-good");
    dir.write(
        "good.tasks",
        "let x = 1\nprint(x + 1)\nthrow error(\"not run\")\n",
    );
    let run = tasks(dir.path(), &["check", "good.tasks"]);
    assert_run(&run, 0, "", "");
}

#[test]
fn check_warns_about_a_dropped_coroutine_and_exits_0() {
    let dir = TempDir::new("check-await");
    dir.write("nap.tasks", "sleep(1)\nprint(\"awake\")\n");
    let run = tasks(dir.path(), &["check", "nap.tasks"]);
    assert_run(
        &run,
        0,
        "",
        "warning\n\
         \n  \
         ⚠ `sleep(1)` makes a coroutine that is never awaited\n   \
         ╭─[nap.tasks:1:1]\n \
         1 │ sleep(1)\n   \
         · ────┬───\n   \
         ·     ╰── this coroutine is dropped without running\n \
         2 │ print(\"awake\")\n   \
         ╰────\n  \
         help: add `await` to wait for it (`await sleep(1)`), or `spawn` to run it as a task\n",
    );
}

#[test]
fn check_reports_an_undefined_variable_without_running() {
    let dir = TempDir::new("check-undef");
    dir.write("undef.tasks", "print(\"hi\")\nprint(y)\n");
    let run = tasks(dir.path(), &["check", "undef.tasks"]);
    assert_run(
        &run,
        2,
        "",
        "error\n\
         \n  \
         × undefined variable `y`\n   \
         ╭─[undef.tasks:2:7]\n \
         1 │ print(\"hi\")\n \
         2 │ print(y)\n   \
         ·       ┬\n   \
         ·       ╰── not defined in this scope\n   \
         ╰────\n",
    );
    // Running it is the same compile error: nothing runs, exit status 2.
    let run = tasks(dir.path(), &["undef.tasks"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(run.stderr.contains("undefined variable `y`"), "{run:?}");
}

#[test]
fn check_reports_every_undefined_name_not_only_the_first() {
    let dir = TempDir::new("check-undef-all");
    dir.write(
        "undef.tasks",
        "print(a1)\nfn f() { return a2 + a3 }\nprint(a4)\n",
    );
    let run = tasks(dir.path(), &["check", "undef.tasks"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:?}");
    let named: Vec<&str> = ["a1", "a2", "a3", "a4"]
        .into_iter()
        .filter(|n| run.stderr.contains(&format!("undefined variable `{n}`")))
        .collect();
    assert_eq!(named, ["a1", "a2", "a3", "a4"], "{}", run.stderr);
    // In source order.
    let at = |n: &str| run.stderr.find(&format!("`{n}`")).unwrap();
    assert!(at("a1") < at("a2") && at("a2") < at("a3") && at("a3") < at("a4"));
    // Past 20, the rest are counted.
    let many: String = (0..25).map(|i| format!("print(m{i})\n")).collect();
    dir.write("many.tasks", &many);
    let run = tasks(dir.path(), &["check", "many.tasks"]);
    assert_eq!(run.stderr.matches("undefined variable").count(), 20);
    assert!(
        run.stderr.ends_with("and 5 more errors in many.tasks\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_word_that_is_no_file_but_near_a_command_suggests_it() {
    let dir = TempDir::new("near-command");
    for (word, command) in [
        ("tset", "test"),
        ("chek", "check"),
        ("rnu", "run"),
        ("repel", "repl"),
    ] {
        let run = tasks(dir.path(), &[word]);
        assert_run(
            &run,
            2,
            "",
            &format!(
                "error: `{word}` is neither a command nor a file\n\n  did you mean `tasks {command}`?\n"
            ),
        );
    }
    // A word far from every command is a missing file, as before.
    let run = tasks(dir.path(), &["deploy"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: cannot read deploy"),
        "{run:?}"
    );
    // A file of that name is run, whatever it is called.
    dir.write("tset", "print(\"ran\")\n");
    assert_run(&tasks(dir.path(), &["tset"]), 0, "ran\n", "");
}

#[test]
fn check_reports_a_mistake_in_an_imported_file() {
    let dir = TempDir::new("check-import");
    dir.write("lib/util.tasks", "fn f() { return nmae }\nlet name = 1\n");
    dir.write(
        "main.tasks",
        "import \"./lib/util.tasks\" as util\nprint(util.f())\n",
    );
    let run = tasks(dir.path(), &["check", "main.tasks"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:?}");
    assert!(run.stderr.contains("undefined variable `nmae`"), "{run:?}");
    assert!(run.stderr.contains("[lib/util.tasks:1:17]"), "{run:?}");
    assert!(run.stderr.contains("did you mean `name`?"), "{run:?}");
}

#[test]
fn imports_are_relative_to_the_importing_file_and_need_no_grant() {
    let dir = TempDir::new("import-relative");
    dir.write(
        "app/lib/a.tasks",
        "import \"../b.tasks\" as b\nlet v = b.v + 1\n",
    );
    dir.write("app/b.tasks", "let v = 40\n");
    dir.write(
        "app/main.tasks",
        "import \"./lib/a.tasks\" as a\nprint(a.v + 1)\n",
    );
    // Run from the parent folder: paths follow the files, not the cwd.
    let run = tasks(dir.path(), &["run", "app/main.tasks"]);
    assert_run(&run, 0, "42\n", "");
}

#[test]
fn syntax_errors_exit_2() {
    let dir = TempDir::new("syntax");
    dir.write("syn.tasks", "print(\"a\"\n");
    let expected = "syntax error\n\
         \n  \
         × unclosed `(`\n   \
         ╭─[syn.tasks:1:6]\n \
         1 │ print(\"a\"\n   \
         ·      ┬\n   \
         ·      ╰── this `(` is never closed\n   \
         ╰────\n  \
         help: add a `)` to close it\n";
    assert_run(&tasks(dir.path(), &["check", "syn.tasks"]), 2, "", expected);
    assert_run(&tasks(dir.path(), &["syn.tasks"]), 2, "", expected);
}

// ------------------------------------------------------------ seeds

const DRAW: &str = "print(random.random(), random.randint(1, 1000000000))\n";

#[test]
fn seed_makes_random_repeatable() {
    let dir = TempDir::new("seed");
    dir.write("r.tasks", DRAW);
    let seven = tasks(dir.path(), &["run", "--seed", "7", "r.tasks"]);
    assert_eq!(seven.code, 0, "{}", seven.stderr);
    assert_eq!(
        tasks(dir.path(), &["run", "--seed", "7", "r.tasks"]).stdout,
        seven.stdout
    );
    // `--seed N` draws what CPython draws after `random.seed(N)`, for
    // every u64 (two 32-bit words of key past 2^32).
    let cpython = [
        ("42", "0.6394267984578837 26855093\n"),
        ("18446744073709551615", "0.021825695401270107 363027089\n"),
    ];
    for (seed, want) in cpython {
        let r = tasks(dir.path(), &["run", "--seed", seed, "r.tasks"]);
        assert_eq!(r.stdout, want, "--seed {seed}: {}", r.stderr);
    }
    let eight = tasks(dir.path(), &["run", "--seed", "8", "r.tasks"]);
    assert_ne!(eight.stdout, seven.stdout, "another seed, other numbers");
    // Virtual time without a seed starts from seed 0, as `tasks test` does.
    let vt = tasks(dir.path(), &["run", "--virtual-time", "r.tasks"]);
    assert_eq!(
        vt.stdout,
        tasks(dir.path(), &["run", "--seed", "0", "r.tasks"]).stdout
    );
    // The real clock without a seed: from the system, so two runs differ
    // (a 30-bit int and a float both repeating is a 2^-80 chance).
    let a = tasks(dir.path(), &["run", "r.tasks"]);
    let b = tasks(dir.path(), &["run", "r.tasks"]);
    assert_ne!(a.stdout, b.stdout);
}

#[test]
fn test_passes_its_seed_and_a_failure_names_it() {
    let dir = TempDir::new("seed-test");
    dir.write("r.tasks", DRAW);
    let blessed = tasks(dir.path(), &["test", "--bless"]);
    assert_eq!(blessed.code, 0, "{}", blessed.stdout);
    let run_zero = tasks(
        dir.path(),
        &["run", "--virtual-time", "--seed", "0", "r.tasks"],
    );
    assert_eq!(
        dir.read("r.out"),
        run_zero.stdout,
        "tasks test's default seed is 0"
    );
    let run = tasks(dir.path(), &["test", "--seed", "5"]);
    assert_eq!(run.code, 1, "seed 5 draws other numbers: {}", run.stdout);
    assert!(
        run.stdout.contains(
            "seed 5; to replay, in its folder: tasks run --virtual-time --seed 5 r.tasks\n"
        ),
        "{}",
        run.stdout
    );
    let replay = tasks(
        dir.path(),
        &["run", "--virtual-time", "--seed", "5", "r.tasks"],
    );
    assert!(
        run.stdout.contains(&format!("+{}", replay.stdout)),
        "{}",
        run.stdout
    );
}

#[test]
fn time_local_follows_tz() {
    let dir = TempDir::new("tz");
    dir.write(
        "tz.tasks",
        "print(time.format(0, \"%H:%M %:z\", local: true), time.format(0, \"%H:%M %:z\"))\n\
         print(time.parse(\"1970-01-01 03:00\", \"%Y-%m-%d %H:%M\", local: true))\n\
         print(time.now_iso(local: true))\n",
    );
    // A POSIX zone three hours east of UTC, with no zone files needed.
    let out = Command::new(EXE)
        .args(["run", "--virtual-time", "tz.tasks"])
        .current_dir(dir.path())
        .env("TZ", "XYZ-3")
        .output()
        .expect("run tasks");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "03:00 +03:00 00:00 +00:00\n0.0\n2000-01-01T03:00:00+03:00\n"
    );
}

// ------------------------------------------------------------ running scripts

const PRINT_ARGS: &str = "print(args())\n";

#[test]
fn file_and_run_pass_the_arguments() {
    let dir = TempDir::new("args-run");
    dir.write("a.tasks", PRINT_ARGS);
    let run = tasks(dir.path(), &["a.tasks", "x", "y z", "--opt", "-v"]);
    assert_run(&run, 0, "[\"x\", \"y z\", \"--opt\", \"-v\"]\n", "");
    let run = tasks(dir.path(), &["run", "a.tasks", "x", "y z"]);
    assert_run(&run, 0, "[\"x\", \"y z\"]\n", "");
    let run = tasks(dir.path(), &["a.tasks"]);
    assert_run(&run, 0, "[]\n", "");
}

#[test]
fn options_go_before_the_file() {
    let dir = TempDir::new("options");
    // Five seconds of sleep: instant, and exact, only under virtual time.
    dir.write(
        "vt.tasks",
        "print(now())\nawait sleep(5)\nprint(now())\nprint(args())\n",
    );
    let run = tasks(dir.path(), &["run", "--virtual-time", "vt.tasks", "q"]);
    assert_run(&run, 0, "0.0\n5.0\n[\"q\"]\n", "");
    let run = tasks(dir.path(), &["--virtual-time", "vt.tasks"]);
    assert_run(&run, 0, "0.0\n5.0\n[]\n", "");
}

/// LANGUAGE.md §10: what follows the file is the script's `args()`, even
/// when it looks like one of `tasks`'s own options.
#[test]
fn everything_after_the_file_belongs_to_the_script() {
    let dir = TempDir::new("after-file");
    dir.write("a.tasks", PRINT_ARGS);
    let cases: &[&[&str]] = &[
        &["a.tasks", "--virtual-time", "x"],
        &["run", "a.tasks", "--virtual-time"],
        &["run", "a.tasks", "--recursion-limit", "50"],
        &["a.tasks", "--", "x"],
        &["a.tasks", "--help"],
        &["a.tasks", "--version"],
    ];
    let mut wrong = Vec::new();
    for args in cases {
        let tail = &args[args.iter().position(|a| *a == "a.tasks").unwrap() + 1..];
        let list = tail
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let expected = format!("[{list}]\n");
        let run = tasks(dir.path(), args);
        if (run.code, run.stdout.as_str(), run.stderr.as_str()) != (0, expected.as_str(), "") {
            wrong.push(format!(
                "tasks {}: expected {expected:?}, got exit {} stdout {:?} stderr {:?}",
                args.join(" "),
                run.code,
                run.stdout,
                run.stderr
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let dir = TempDir::new("missing");
    for args in [
        &["nope.tasks"][..],
        &["run", "nope.tasks"][..],
        &["check", "nope.tasks"][..],
    ] {
        let run = tasks(dir.path(), args);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{args:?}");
        assert!(
            run.stderr.starts_with("error: cannot read nope.tasks: ")
                && run.stderr.contains("No such file")
                && run.stderr.ends_with('\n')
                && run.stderr.lines().count() == 1,
            "{args:?}: {:?}",
            run.stderr
        );
    }
    let run = tasks(dir.path(), &["run"]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr.starts_with("error: no script given\n"),
        "{run:?}"
    );
}

#[test]
fn recursion_limit_option() {
    let dir = TempDir::new("recursion");
    dir.write(
        "deep.tasks",
        "fn down(n) {\n    if n == 0 { return 0 }\n    return 1 + down(n - 1)\n}\nprint(down(40))\nprint(down(60))\n",
    );
    let run = tasks(dir.path(), &["deep.tasks"]);
    assert_run(&run, 0, "40\n60\n", "");
    let run = tasks(
        dir.path(),
        &["run", "--recursion-limit", "50", "deep.tasks"],
    );
    assert_eq!((run.code, run.stdout.as_str()), (1, "40\n"), "{run:?}");
    assert!(
        run.stderr
            .starts_with("RecursionError\n\n  × maximum recursion depth exceeded (50 frames)\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("[deep.tasks:3:16]"), "{}", run.stderr);
}

#[test]
fn a_runtime_error_exits_1_and_keeps_what_was_printed() {
    let dir = TempDir::new("runtime");
    dir.write(
        "fail.tasks",
        "for i in range(0, 2000) { print(f\"line {i}\") }\nlet m = {\"a\": 1}\nprint(m[\"b\"])\nprint(\"unreachable\")\n",
    );
    let run = tasks(dir.path(), &["fail.tasks"]);
    let lines: String = (0..2000).map(|i| format!("line {i}\n")).collect();
    assert_run(
        &run,
        1,
        &lines,
        "KeyError\n\
         \n  \
         × key \"b\" is not in the map\n   \
         ╭─[fail.tasks:3:7]\n \
         2 │ let m = {\"a\": 1}\n \
         3 │ print(m[\"b\"])\n   \
         ·       ───┬──\n   \
         ·          ╰── raised here\n \
         4 │ print(\"unreachable\")\n   \
         ╰────\n",
    );
}

#[test]
fn real_clock_runs_tasks_concurrently() {
    let dir = TempDir::new("real-clock");
    dir.write(
        "real.tasks",
        "async fn worker(name) {\n    print(f\"{name} starts\")\n    await sleep(0.03)\n    print(f\"{name} ends\")\n    return name\n}\n\
         let a = spawn worker(\"a\")\nlet b = spawn worker(\"b\")\nprint(\"spawned\")\nprint(await gather(a, b))\nprint(now() >= 0.03)\n",
    );
    let run = tasks(dir.path(), &["real.tasks"]);
    assert_run(
        &run,
        0,
        "spawned\na starts\nb starts\na ends\nb ends\n[\"a\", \"b\"]\ntrue\n",
        "",
    );
}

/// Ctrl-C in the middle of a loop that never yields: everything printed so
/// far (partly still in the 64 KiB pipe buffer) reaches stdout, then the
/// interrupt report, exit status 130.
#[cfg(unix)]
#[test]
fn ctrl_c_flushes_piped_output_and_exits_130() {
    let dir = TempDir::new("ctrl-c");
    dir.write(
        "spin.tasks",
        &format!(
            "for i in range(0, 2000) {{ print(f\"line {{i}}\") }}\n{READY}\nwhile true {{ }}\n"
        ),
    );
    let run = run_signalled(dir.path(), "spin.tasks", &["INT"]);
    let lines: String = (0..2000).map(|i| format!("line {i}\n")).collect();
    assert_run(
        &run,
        130,
        &lines,
        &stopped("interrupted by Ctrl-C", "KeyboardInterrupt"),
    );
}

/// The report of a signal that cancelled the main task.
fn stopped(message: &str, code: &str) -> String {
    format!(
        "{code}\n\n  × {message}\n  help: the main task was cancelled and its `finally` blocks ran\n"
    )
}

/// The script's way to say it reached the point to signal: a line longer
/// than the 64 KiB output buffer is written at once, so the test sees it
/// without guessing how long startup takes.
const READY: &str = "print(\"ready\" + \" \" * 70000)";

/// Runs `tasks run FILE` in `dir` and sends each signal (`INT`, `TERM`,
/// `HUP`) after one more `READY` line has appeared; the `READY` lines are
/// left out of the returned stdout.
#[cfg(unix)]
fn run_signalled(dir: &Path, file: &str, signals: &[&str]) -> Run {
    use std::io::Read;
    let mut child = Command::new(EXE)
        .args(["run", file])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start tasks");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    for (i, signal) in signals.iter().enumerate() {
        while String::from_utf8_lossy(&seen).matches("ready").count() <= i {
            let mut buf = [0u8; 8192];
            let n = stdout.read(&mut buf).expect("read stdout");
            assert!(n > 0, "tasks ended before it was ready for SIG{signal}");
            seen.extend_from_slice(&buf[..n]);
        }
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
    }
    stdout.read_to_end(&mut seen).expect("read stdout");
    let out = child.wait_with_output().expect("wait for tasks");
    let stdout: String = String::from_utf8_lossy(&seen)
        .lines()
        .filter(|l| !l.starts_with("ready"))
        .map(|l| format!("{l}\n"))
        .collect();
    Run {
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// As `asyncio.run` on Ctrl-C: the main task is cancelled (its `finally`
/// runs), then the remaining tasks are, in that order (CPython 3.11 prints
/// the same two lines in the same order), and the exit status is 130.
#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_waiting_main_task_then_the_others() {
    let dir = TempDir::new("sigint-wait");
    dir.write(
        "wait.tasks",
        &format!(
            "async fn worker() {{ try {{ await sleep(50) }} finally {{ print(\"worker cleanup\") }} }}\n\
             let w = spawn worker()\n\
             try {{ {READY}; await sleep(100) }} finally {{ print(\"main cleanup\") }}\n"
        ),
    );
    let run = run_signalled(dir.path(), "wait.tasks", &["INT"]);
    assert_run(
        &run,
        130,
        "main cleanup\nworker cleanup\n",
        &stopped("interrupted by Ctrl-C", "KeyboardInterrupt"),
    );
}

/// A loop that never yields, in a task the main task awaits: the first
/// Ctrl-C cancels it at its next loop iteration, then the main task.
#[cfg(unix)]
#[test]
fn ctrl_c_cancels_a_task_that_never_yields() {
    let dir = TempDir::new("sigint-busy");
    dir.write(
        "busy.tasks",
        &format!(
            "async fn busy() {{ try {{ {READY}; while true {{ }} }} finally {{ print(\"busy cleanup\") }} }}\n\
             try {{ await spawn busy() }} finally {{ print(\"main cleanup\") }}\n"
        ),
    );
    let run = run_signalled(dir.path(), "busy.tasks", &["INT"]);
    assert_run(
        &run,
        130,
        "busy cleanup\nmain cleanup\n",
        &stopped("interrupted by Ctrl-C", "KeyboardInterrupt"),
    );
}

/// A main task that catches the cancellation goes on and ends normally,
/// as under `asyncio.run`.
#[cfg(unix)]
#[test]
fn ctrl_c_caught_as_a_cancellation_lets_the_program_finish() {
    let dir = TempDir::new("sigint-caught");
    dir.write(
        "caught.tasks",
        &format!(
            "try {{ {READY}; await sleep(100) }} catch e: CancelledError {{ print(\"caught\") }}\nprint(\"went on\")\n"
        ),
    );
    let run = run_signalled(dir.path(), "caught.tasks", &["INT"]);
    assert_run(&run, 0, "caught\nwent on\n", "");
}

/// A second Ctrl-C stops at once, even in a `finally` that never ends,
/// and still flushes what was printed.
#[cfg(unix)]
#[test]
fn a_second_ctrl_c_stops_at_once() {
    let dir = TempDir::new("sigint-twice");
    dir.write(
        "twice.tasks",
        &format!(
            "try {{ {READY}; while true {{ }} }} finally {{ print(\"cleanup\"); {READY}; while true {{ }} }}\n"
        ),
    );
    let run = run_signalled(dir.path(), "twice.tasks", &["INT", "INT"]);
    assert_run(
        &run,
        130,
        "cleanup\n",
        "KeyboardInterrupt\n\n  × interrupted by Ctrl-C\n  \
         help: stopped at once: `finally` blocks still running did not finish\n",
    );
}

/// SIGTERM and SIGHUP are handled like Ctrl-C, in a loop that never
/// awaits too: `finally` runs, output is kept, exit 128 + the signal.
#[cfg(unix)]
#[test]
fn sigterm_and_sighup_cancel_like_ctrl_c() {
    let dir = TempDir::new("sigterm");
    dir.write(
        "spin.tasks",
        &format!(
            "print(\"before\")\ntry {{ {READY}; while true {{ }} }} finally {{ print(\"cleanup\") }}\n"
        ),
    );
    let run = run_signalled(dir.path(), "spin.tasks", &["TERM"]);
    assert_run(
        &run,
        143,
        "before\ncleanup\n",
        &stopped("terminated by SIGTERM", "SIGTERM"),
    );
    let run = run_signalled(dir.path(), "spin.tasks", &["HUP"]);
    assert_run(
        &run,
        129,
        "before\ncleanup\n",
        &stopped("stopped by SIGHUP (the terminal hung up)", "SIGHUP"),
    );
}

/// A crash keeps what the script printed (flushed before the panic
/// message) and exits 70. `TASKS_TEST_CRASH=1` makes the interpreter panic
/// once the main task has ended, before its output is flushed.
#[test]
fn a_crash_keeps_printed_output() {
    let dir = TempDir::new("crash");
    dir.write("crash.tasks", "print(\"before the crash\")\n");
    let out = Command::new(EXE)
        .arg("crash.tasks")
        .current_dir(dir.path())
        .env("TASKS_TEST_CRASH", "1")
        .output()
        .expect("run the tasks binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(70), "stderr: {stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "before the crash\n");
    assert!(
        stderr.ends_with("error: the interpreter crashed (this is a bug in tasks)\n"),
        "stderr: {stderr}"
    );
}

/// An endless printer whose reader goes away (`tasks run … | head -1`)
/// stops quietly with status 141, as a process stopped by SIGPIPE shows.
#[cfg(unix)]
#[test]
fn a_closed_output_pipe_ends_the_program_quietly_with_141() {
    use std::io::Read;
    let dir = TempDir::new("broken-pipe");
    dir.write(
        "yes.tasks",
        "let i = 0\nwhile true { print(f\"y {i}\"); i += 1 }\n",
    );
    let mut child = Command::new(EXE)
        .args(["run", "yes.tasks"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start tasks");
    let mut first = [0u8; 4];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("read the first line");
    assert_eq!(&first, b"y 0\n");
    let out = child.wait_with_output().expect("wait for tasks");
    assert_eq!(out.status.code(), Some(141));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// A write error other than a closed pipe is an error: exit 1 and a
/// message on stderr (it used to exit 0 with the output lost).
#[cfg(target_os = "linux")]
#[test]
fn a_write_error_on_stdout_exits_1_with_a_message() {
    let dir = TempDir::new("dev-full");
    dir.write("hello.tasks", "print(\"hello\")\n");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let out = Command::new(EXE)
        .args(["run", "hello.tasks"])
        .current_dir(dir.path())
        .stdout(full)
        .output()
        .expect("run tasks");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot write to stdout: No space left on device (os error 28)\n"
    );
}

/// The command's own messages (a missing file, a usage error) to a stderr
/// that cannot be written are lost, not a panic: the status still says 2
/// (it was 101, Rust's panic status).
#[cfg(target_os = "linux")]
#[test]
fn a_usage_error_to_a_full_stderr_is_still_status_2() {
    for args in [
        &["run", "/no/such/file.tasks"][..],
        &["check", "/no/such/file.tasks"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full");
        let out = Command::new(EXE)
            .args(args)
            .stderr(full)
            .output()
            .expect("run tasks");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// Runs `tasks run FILE` in `dir` with descriptor `fd` closed, as a
/// shell's `>&-` (fd 1) or `2>&-` (fd 2) leaves it.
#[cfg(target_os = "linux")]
fn run_with_closed(dir: &Path, file: &str, fd: i32) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(EXE);
    cmd.args(["run", file]).current_dir(dir);
    // SAFETY: the closure runs in the forked child before exec and only
    // calls close(2), which is async-signal-safe and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            libc::close(fd);
            Ok(())
        });
    }
    cmd.output().expect("run tasks")
}

/// A closed stdout is an error at the first print, like `/dev/full`
/// (Rust reopens it on /dev/null before `main`; it used to exit 0).
#[cfg(target_os = "linux")]
#[test]
fn a_print_to_a_closed_stdout_exits_1_with_a_message() {
    let dir = TempDir::new("closed-stdout");
    dir.write("hello.tasks", "print(\"hello\")\n");
    dir.write("quiet.tasks", "let x = 1 + 1\n");
    let out = run_with_closed(dir.path(), "hello.tasks", 1);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot write to stdout: Bad file descriptor (os error 9)\n"
    );
    // Nothing printed, nothing failed.
    let out = run_with_closed(dir.path(), "quiet.tasks", 1);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// A write to a closed stderr ends the program with status 1 (there is
/// nowhere to say why); what was printed to stdout before it is kept.
#[cfg(target_os = "linux")]
#[test]
fn a_write_to_a_closed_stderr_exits_1_keeping_stdout() {
    let dir = TempDir::new("closed-stderr");
    dir.write(
        "warn.tasks",
        "print(\"before\")\neprint(\"oops\")\nprint(\"after\")\n",
    );
    let out = run_with_closed(dir.path(), "warn.tasks", 2);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "before\n");
}

/// A case that a signal killed is reported as such, not as "exit status -1"
/// (here the CPython twin kills itself).
#[cfg(unix)]
#[test]
fn test_a_case_killed_by_a_signal_says_so() {
    let dir = TempDir::new("twin-killed");
    dir.write("killed.tasks", "print(\"before\")\n");
    dir.write(
        "killed.py",
        "import os, signal\nprint(\"before\", flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n",
    );
    let run = tasks(dir.path(), &["test"]);
    assert_report(
        &run,
        1,
        "FAILED  killed (T ms)\n\
         \nfailures:\n\n\
         ---- killed ----\n\
         seed 0; to replay, in its folder: tasks run --virtual-time --seed 0 killed.tasks\n\
         exit status: expected killed by SIGKILL, got 0\n\
         \n\
         0 passed, 1 failed\n",
    );
}

/// `--timeout` takes a positive number of seconds a clock can count:
/// `inf` or `1e30` used to crash the runner.
#[test]
fn test_timeout_out_of_range_is_a_usage_error() {
    let dir = TempDir::new("timeout-range");
    for (value, message) in [
        (
            "inf",
            "at most 31536000 seconds (a year); `inf` is too long",
        ),
        (
            "1e30",
            "at most 31536000 seconds (a year); `1e30` is too long",
        ),
        ("nan", "`nan` is not a number of seconds"),
        ("0", "the timeout must be more than 0 seconds"),
        ("-1", "the timeout must be more than 0 seconds"),
    ] {
        let run = tasks(dir.path(), &["test", &format!("--timeout={value}")]);
        assert_eq!(run.code, 2, "--timeout {value}: {run:?}");
        assert!(
            run.stderr.starts_with(&format!(
                "error: invalid value '{value}' for '--timeout <TIMEOUT>': {message}\n"
            )),
            "--timeout {value}: {}",
            run.stderr
        );
    }
}

/// The pids of running processes whose command line contains `needle`.
#[cfg(target_os = "linux")]
fn pids_running(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("read /proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        // A zombie (ended, not yet reaped) has an empty command line.
        if String::from_utf8_lossy(&cmdline).contains(needle) {
            found.push(pid);
        }
    }
    found
}

/// SIGTERM to `tasks test` kills the cases it is running (each runs in its
/// own process group) instead of leaving them orphaned and spinning.
#[cfg(target_os = "linux")]
#[test]
fn test_sigterm_kills_the_running_cases() {
    let dir = TempDir::new("test-sigterm");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let script = format!("spin-{}-{nanos}.tasks", std::process::id());
    dir.write(&script, "while true { }\n");
    dir.write(&script.replace(".tasks", ".out"), "");
    let runner = Command::new(EXE)
        .args(["test", "--timeout", "600"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start tasks test");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while pids_running(&script).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the case never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sent = Command::new("kill")
        .args(["-TERM", &runner.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let out = runner.wait_with_output().expect("wait for tasks test");
    assert_eq!(out.status.code(), Some(143));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left = pids_running(&script);
        if left.is_empty() {
            break;
        }
        if std::time::Instant::now() > deadline {
            for pid in &left {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
            panic!("the case outlived the runner: {left:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
