//! `--audit-permissions FILE`: one JSON line per permission check, with
//! the script location of the call that asked (where its callee starts:
//! `fs.read_text(...)` is at its `fs`).

mod common;

use common::run_in;

fn audit_lines(dir: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("audit.jsonl")).unwrap();
    text.lines().map(str::to_string).collect()
}

#[test]
fn every_check_is_one_line_with_its_outcome_and_location() {
    let dir = tempfile::tempdir().unwrap();
    let work = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir(work.join("data")).unwrap();
    std::fs::write(work.join("data/in.txt"), "x").unwrap();
    std::fs::write(work.join("lib.tasks"), "let v = 1\n").unwrap();
    let script = r#"import "./lib.tasks" as lib
let a = await fs.read_text("data/in.txt")
try { await fs.read_text("secret.txt") } catch e { print(e.kind()) }
await fs.write_text("data/out.txt", a)
try { env.get("HOME") } catch e { print(e.kind()) }
try { await process.run("true") } catch e { print(e.kind()) }
try { await net.connect("127.0.0.2", 9) } catch e { print(e.kind()) }
"#;
    let run = run_in(
        &work,
        &[
            "--allow-read=data",
            "--allow-write=data",
            "--allow-net=127.0.0.1",
            "--audit-permissions=audit.jsonl",
        ],
        script,
    );
    assert_eq!(run.stdout, "NotCapableError\n".repeat(4), "{}", run.stderr);
    let lines = audit_lines(&work);
    let expected = [
        r#"{"kind":"read","target":"lib.tasks","granted":true,"at":"main.tasks:1:8"}"#,
        r#"{"kind":"read","target":"data/in.txt","granted":true,"at":"main.tasks:2:15"}"#,
        r#"{"kind":"read","target":"secret.txt","granted":false,"reason":"read access to \"secret.txt\" is not allowed — run again with --allow-read=secret.txt","at":"main.tasks:3:13"}"#,
        r#"{"kind":"write","target":"data/out.txt","granted":true,"at":"main.tasks:4:7"}"#,
        r#"{"kind":"env","target":"HOME","granted":false,"reason":"env access to \"HOME\" is not allowed — run again with --allow-env=HOME","at":"main.tasks:5:7"}"#,
        r#"{"kind":"run","target":"true","granted":false,"reason":"run access to \"true\" is not allowed — run again with --allow-run=true","at":"main.tasks:6:13"}"#,
        r#"{"kind":"net","target":"127.0.0.2:9","granted":false,"reason":"net access to \"127.0.0.2:9\" is not allowed — run again with --allow-net=127.0.0.2:9","at":"main.tasks:7:13"}"#,
    ];
    assert_eq!(lines, expected);
}

#[test]
fn a_check_made_after_a_lookup_keeps_the_location_of_its_call() {
    let dir = tempfile::tempdir().unwrap();
    let work = std::fs::canonicalize(dir.path()).unwrap();
    // localhost is looked up on a blocking thread, after the call returned
    // and the script went on to other calls.
    let script = r#"let c = net.connect("localhost", 9)
print(len("other native calls"), type(c))
try { await c } catch e { print(e.kind()) }
"#;
    let run = run_in(
        &work,
        &[
            "--allow-net",
            "--deny-net=127.0.0.1",
            "--audit-permissions=audit.jsonl",
        ],
        script,
    );
    assert_eq!(
        run.stdout, "18 coroutine\nNotCapableError\n",
        "{}",
        run.stderr
    );
    let lines = audit_lines(&work);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(r#"{"kind":"net","target":"localhost:9","granted":false,"reason":"net access to \"localhost:9\" is not allowed — it is denied by --deny-net=127.0.0.1""#),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with(r#""at":"main.tasks:1:9"}"#),
        "{}",
        lines[0]
    );
}

#[test]
fn lines_are_appended_and_a_log_that_cannot_be_opened_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let work = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::write(work.join("audit.jsonl"), "earlier\n").unwrap();
    let script = "try { env.get(\"X\") } catch e { }\n";
    let run = run_in(&work, &["--audit-permissions=audit.jsonl"], script);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = audit_lines(&work);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], "earlier");
    let run = run_in(&work, &["--audit-permissions=no/such/dir/a.jsonl"], script);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with(
            "error: invalid value for --audit-permissions: cannot open no/such/dir/a.jsonl"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_connection_is_logged_once_and_the_loaders_variables_are_logged_refused() {
    let dir = tempfile::tempdir().unwrap();
    let work = std::fs::canonicalize(dir.path()).unwrap();
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let script = format!(
        r#"let c = await net.connect("127.0.0.1", {port})
try {{ await process.shell("true", env: {{"LD_PRELOAD": "x.so"}}) }} catch e {{ print(e.kind()) }}
"#
    );
    let run = run_in(
        &work,
        &[
            "--allow-net=127.0.0.1",
            "--allow-run=sh",
            "--audit-permissions=audit.jsonl",
        ],
        &script,
    );
    assert_eq!(run.stdout, "NotCapableError\n", "{}", run.stderr);
    let expected = [
        format!(r#"{{"kind":"net","target":"127.0.0.1:{port}","granted":true,"at":"main.tasks:1:15"}}"#),
        r#"{"kind":"run","target":"sh","granted":true,"at":"main.tasks:2:13"}"#.to_string(),
        r#"{"kind":"run","target":"sh (env: LD_PRELOAD)","granted":false,"reason":"the dynamic loader's variables need --allow-run with no list","at":"main.tasks:2:13"}"#.to_string(),
    ];
    assert_eq!(audit_lines(&work), expected);
}
