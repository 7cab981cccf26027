//! The I/O surface end to end through the `tasks` binary: standard input,
//! exit statuses and the permission flags.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn tasks(args: &[&str], script: &str, stdin: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    tasks_in(dir.path(), args, script, stdin)
}

/// Runs `script` as `main.tasks` in `dir` (its current folder).
fn tasks_in(dir: &std::path::Path, args: &[&str], script: &str, stdin: &str) -> Output {
    let file = dir.join("main.tasks");
    std::fs::write(&file, script).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("run")
        .args(args)
        .arg(&file)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TASKS_IO_TEST_VAR", "from the test")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn stdin_is_read_line_by_line_then_whole() {
    let script = "let n = 0\nwhile true {\n  let l = await stdin.read_line()\n  if l == nil { break }\n  n += 1\n  print(n, l)\n}\nprint(repr(await stdin.read_text()))";
    let out = tasks(&[], script, "alpha\nbeta\r\ngamma");
    assert_eq!(text(&out.stdout), "1 alpha\n2 beta\n3 gamma\n\"\"\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn allow_env_grants_the_named_variable_only() {
    let script = "print(env.get(\"TASKS_IO_TEST_VAR\"))\nprint(env.get(\"HOME\"))";
    let out = tasks(&["--allow-env=TASKS_IO_TEST_VAR"], script, "");
    assert_eq!(text(&out.stdout), "from the test\n");
    let err = text(&out.stderr);
    assert!(
        err.contains("env access to \"HOME\" is not allowed — run again with --allow-env=HOME"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn deny_wins_over_allow() {
    let script = "print(env.get(\"TASKS_IO_TEST_VAR\"))";
    let out = tasks(&["-A", "--deny-env=TASKS_IO_TEST_VAR"], script, "");
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("NotCapableError"));
    assert_eq!(out.status.code(), Some(1));
    let out = tasks(&["-A"], script, "");
    assert_eq!(text(&out.stdout), "from the test\n");
}

#[test]
fn env_all_needs_every_variable() {
    let script = "let all = env.all()\nprint(all[\"TASKS_IO_TEST_VAR\"])";
    let out = tasks(&["--allow-env"], script, "");
    assert_eq!(text(&out.stdout), "from the test\n");
    let out = tasks(&["--allow-env=TASKS_IO_TEST_VAR"], script, "");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_bad_permission_flag_is_a_usage_error() {
    let out = tasks(&["--allow-net=:99999"], "print(1)", "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn files_are_written_read_listed_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let script = r#"
await fs.mkdir("out/logs")
await fs.write_text("out/logs/a.txt", "one\ntwo\n")
await fs.append_text("out/logs/a.txt", "three\n")
print(repr(await fs.read_text("out/logs/a.txt")))
print(await fs.read_lines("out/logs/a.txt"))
await fs.write_text("out/b.txt", "")
print(await fs.list("out"))
let st = await fs.stat("out/logs/a.txt")
print(st["size"], st["is_dir"], (await fs.stat("out"))["is_dir"], st["modified"] > 0)
await fs.rename("out/b.txt", "out/c.txt")
print(await fs.exists("out/b.txt"), await fs.exists("out/c.txt"))
await fs.remove("out/c.txt")
print(await fs.list("out"))
"#;
    let out = tasks_in(
        dir.path(),
        &["--allow-read=.", "--allow-write=out"],
        script,
        "",
    );
    assert_eq!(text(&out.stderr), "");
    assert_eq!(
        text(&out.stdout),
        "\"one\\ntwo\\nthree\\n\"\n[\"one\", \"two\", \"three\"]\n[\"b.txt\", \"logs\"]\n14 false true true\nfalse true\n[\"logs\"]\n"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn file_errors_have_python_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.txt"), b"ok \xff").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let script = r#"
for p in ["missing.txt", "sub", "bad.txt"] {
    try { await fs.read_text(p) } catch e { print(e.kind()) }
}
"#;
    let out = tasks_in(dir.path(), &["--allow-read"], script, "");
    assert_eq!(
        text(&out.stdout),
        "FileNotFoundError\nIsADirectoryError\nUnicodeError\n"
    );
}

#[test]
fn files_are_denied_by_default_and_outside_a_grant() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("inside")).unwrap();
    std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
    let script = r#"
for p in ["secret.txt", "inside/../secret.txt", "inside/link.txt"] {
    try { await fs.read_text(p) } catch e: NotCapableError { print(e.message()) }
}
try { await fs.write_text("inside/x.txt", "x") } catch e: NotCapableError { print(e.message()) }
"#;
    std::os::unix::fs::symlink(
        dir.path().join("secret.txt"),
        dir.path().join("inside/link.txt"),
    )
    .unwrap();
    let out = tasks_in(dir.path(), &["--allow-read=inside"], script, "");
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}{}", text(&out.stderr));
    for l in &lines[..3] {
        assert!(l.starts_with("read access to"), "{l}");
    }
    assert!(lines[3].starts_with("write access to"), "{}", lines[3]);
    assert!(lines[3].contains("--allow-write="), "{}", lines[3]);
    assert!(!dir.path().join("inside/x.txt").exists());
}

#[test]
fn the_repl_takes_the_permission_flags_too() {
    let run = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tasks"))
            .args(args)
            .env("NO_COLOR", "1")
            .env("TASKS_IO_TEST_VAR", "seen")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"print(env.get(\"TASKS_IO_TEST_VAR\"))\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(&["repl", "--allow-env=TASKS_IO_TEST_VAR"]);
    assert_eq!(text(&out.stdout), "seen\n");
    let out = run(&["repl"]);
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("NotCapableError"));
    assert_eq!(out.status.code(), Some(1));
}

/// Natives that read data of unknown size stay within `--max-memory`,
/// and a line has a length limit: each is an error the script can see,
/// not a process that grows to the machine's size.
#[test]
fn reads_of_endless_input_end_in_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let zero = || std::fs::File::open("/dev/zero").unwrap();
    let run = |args: &[&str], script: &str| {
        std::fs::write(dir.path().join("main.tasks"), script).unwrap();
        Command::new(env!("CARGO_BIN_EXE_tasks"))
            .arg("run")
            .args(args)
            .arg("main.tasks")
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdin(zero())
            .output()
            .unwrap()
    };
    let line = run(
        &["--max-memory", "200MB"],
        "try { await stdin.read_line() } catch e: ValueError { print(e.message()) }\n",
    );
    assert_eq!(
        text(&line.stdout),
        "a line of standard input is longer than 16777216 bytes\n",
        "{}",
        text(&line.stderr)
    );
    let all = run(
        &["--max-memory", "200MB"],
        "print(\"before\")\nawait stdin.read_text()\n",
    );
    assert_eq!(text(&all.stdout), "before\n");
    assert!(
        text(&all.stderr).starts_with("MemoryError\n")
            && text(&all.stderr).contains("over the limit of 200000000"),
        "{}",
        text(&all.stderr)
    );
    let file = run(
        &["--max-memory", "200MB", "--allow-read=/dev/zero"],
        "try { await fs.read_text(\"/dev/zero\") } catch e: MemoryError { print(\"MemoryError\") }\nprint(\"after\")\n",
    );
    assert_eq!(
        text(&file.stdout),
        "MemoryError\nafter\n",
        "{}",
        text(&file.stderr)
    );
}

/// The files of `dir` whose name says they are a write's temporary file.
fn temp_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tasks-tmp"))
        .collect()
}

/// `f.txt` holds its old text or all of the new one, never a part.
fn assert_old_or_whole(dir: &std::path::Path, len: usize) {
    let got = std::fs::read(dir.join("f.txt")).unwrap();
    assert!(
        got == b"old" || (got.len() == len && got.iter().all(|b| *b == b'x')),
        "f.txt holds {} bytes",
        got.len()
    );
    assert_eq!(temp_files(dir), Vec::<String>::new());
}

/// A write a spawned task started goes on when the program ends; the
/// process waits for it (it was cut short and the old text lost, before).
#[test]
fn a_write_in_flight_at_the_end_of_the_program_ends_whole() {
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.txt"), "old").unwrap();
        let out = tasks_in(
            dir.path(),
            &["--allow-write=f.txt"],
            "spawn fs.write_text(\"f.txt\", \"x\" * 20000000)\nawait sleep(0.01)\n",
            "",
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_old_or_whole(dir.path(), 20_000_000);
    }
}

/// SIGTERM during a big awaited write: the program stops, and the file is
/// the old one or the whole new one (it held 10 to 33 MB of 200, before;
/// here 2 runs of 3 cut a 50 MB write short).
#[test]
fn a_signal_during_a_write_leaves_no_part_of_a_file() {
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f.txt"), "old").unwrap();
        std::fs::write(
            dir.path().join("main.tasks"),
            "let big = \"x\" * 50000000\nawait fs.write_text(\"started\", \"\")\nawait fs.write_text(\"f.txt\", big)\n",
        )
        .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_tasks"))
            .args(["run", "--allow-write=.", "main.tasks"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while !dir.path().join("started").exists() {
            assert!(started.elapsed().as_secs() < 30, "the script never started");
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        // The big write is under way (or about to be).
        std::thread::sleep(std::time::Duration::from_millis(10));
        let pid = child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0) | Some(143)),
            "{:?} {}",
            out.status,
            text(&out.stderr)
        );
        std::fs::remove_file(dir.path().join("started")).unwrap();
        assert_old_or_whole(dir.path(), 50_000_000);
    }
}
