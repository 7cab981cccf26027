//! The I/O surface end to end through the `tasks` binary: standard input,
//! exit statuses and the permission flags.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn tasks(args: &[&str], script: &str, stdin: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.tasks");
    std::fs::write(&file, script).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("run")
        .args(args)
        .arg(&file)
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
