//! `import` tried as an attacker would: to read what is not a script
//! (a secret, the environment, through a link named like a script), to
//! get past `--deny-read`, or to read from outside the script's folder
//! without a grant. Each test is named after the hole it keeps shut.

mod common;

use common::attack;
use common::{run_in, Run};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "TOP-SECRET-41";

/// The attacker's folders, `outside/secret.txt` holding the secret in a
/// line that is not valid source (so a syntax error would quote it).
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    attack::folders(&format!("token = {SECRET} !\n"))
}

fn assert_no_leak(run: &Run) {
    attack::assert_no_leak(run, SECRET)
}

/// The report's text on one line: its wrapped lines joined, without the
/// gutter (a report is wrapped at spaces, at 100 columns).
fn flat(report: &str) -> String {
    let lines = report
        .lines()
        .map(|l| l.trim().trim_start_matches('│').trim());
    lines
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The run failed before running anything, saying `expected`.
fn assert_refused(run: &Run, expected: &str) {
    assert_no_leak(run);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "", "nothing ran");
    assert!(flat(&run.stderr).contains(expected), "{}", run.stderr);
}

#[test]
fn an_import_of_a_text_file_does_not_read_or_quote_it() {
    let (_d, work, outside) = setup();
    std::fs::copy(outside.join("secret.txt"), work.join("secret.txt")).unwrap();
    let run = run_in(&work, &["-A"], "import \"./secret.txt\" as s\nprint(1)");
    assert_refused(
        &run,
        "cannot import `./secret.txt`: only `.tasks` files can be imported",
    );
}

#[test]
fn an_import_of_proc_self_environ_does_not_leak_the_environment() {
    let (_d, work, _outside) = setup();
    std::fs::write(
        work.join("main.tasks"),
        "import \"/proc/self/environ\" as e\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["run", "-A", "main.tasks"])
        .current_dir(&work)
        .env("NO_COLOR", "1")
        .env("TASKS_TEST_TOKEN", SECRET)
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_refused(&run, "only `.tasks` files can be imported");
}

#[test]
fn a_link_named_like_a_script_to_a_secret_is_not_read() {
    let (_d, work, outside) = setup();
    symlink(outside.join("secret.txt"), work.join("evil.tasks")).unwrap();
    let run = run_in(&work, &["-A"], "import \"./evil.tasks\" as e\nprint(1)");
    assert_refused(
        &run,
        "cannot import `./evil.tasks`: it is not a `.tasks` file once its links are followed",
    );
}

#[test]
fn a_link_named_like_a_script_to_proc_self_environ_is_not_read() {
    let (_d, work, _outside) = setup();
    symlink("/proc/self/environ", work.join("env.tasks")).unwrap();
    std::fs::write(work.join("main.tasks"), "import \"./env.tasks\" as e\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["run", "-A", "main.tasks"])
        .current_dir(&work)
        .env("NO_COLOR", "1")
        .env("TASKS_TEST_TOKEN", SECRET)
        .output()
        .unwrap();
    assert_refused(
        &Run::from(out),
        "not a `.tasks` file once its links are followed",
    );
}

/// `lib/conf.tasks` prints the secret when its body runs.
fn secret_module(folder: &Path) {
    std::fs::create_dir_all(folder).unwrap();
    std::fs::write(
        folder.join("conf.tasks"),
        format!("let token = \"{SECRET}\"\nprint(\"loaded\", token)\n"),
    )
    .unwrap();
}

#[test]
fn an_import_is_refused_by_deny_read_even_with_allow_all() {
    let (_d, work, _outside) = setup();
    secret_module(&work.join("lib"));
    let script = "import \"./lib/conf.tasks\" as c\nprint(c.token)";
    for flags in [&["--deny-read=lib"][..], &["-A", "--deny-read=lib"]] {
        let run = run_in(&work, flags, script);
        assert_refused(
            &run,
            "cannot import `./lib/conf.tasks`: read access to \"lib/conf.tasks\" is not allowed — it is denied by --deny-read=lib",
        );
    }
    // A link inside the script's folder to the denied folder is no way round.
    symlink(work.join("lib/conf.tasks"), work.join("alias.tasks")).unwrap();
    let run = run_in(&work, &["--deny-read=lib"], "import \"./alias.tasks\" as c");
    assert_refused(&run, "it is denied by --deny-read=lib");
}

#[test]
fn an_import_from_outside_the_scripts_folder_needs_the_read_grant() {
    let (_d, work, outside) = setup();
    secret_module(&outside);
    let script = "import \"../outside/conf.tasks\" as c";
    let run = run_in(&work, &[], script);
    assert_refused(
        &run,
        "read access to \"../outside/conf.tasks\" is not allowed — run again with --allow-read=../outside/conf.tasks",
    );
    // Nor through a link in the script's folder that points out of it.
    symlink(outside.join("conf.tasks"), work.join("conf.tasks")).unwrap();
    let run = run_in(&work, &[], "import \"./conf.tasks\" as c");
    assert_refused(&run, "read access to \"conf.tasks\" is not allowed");
    // With the grant, it is imported.
    let run = run_in(&work, &["--allow-read=../outside"], script);
    assert_eq!(run.stdout, format!("loaded {SECRET}\n"), "{}", run.stderr);
}

#[test]
fn a_not_found_import_does_not_list_a_folder_it_could_not_read() {
    let (_d, work, outside) = setup();
    std::fs::write(outside.join("payroll.tasks"), "let x = 1\n").unwrap();
    let script = "import \"../outside/payrol.tasks\" as p";
    let run = run_in(&work, &[], script);
    assert_refused(&run, "there is no file `../outside/payrol.tasks`");
    assert!(!run.stderr.contains("payroll"), "{}", run.stderr);
    // With the read grant the guess is given.
    let run = run_in(&work, &["--allow-read=../outside"], script);
    assert!(
        run.stderr
            .contains("did you mean `../outside/payroll.tasks`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_script_that_is_not_utf8_is_reported_without_quoting_it() {
    let (_d, work, _outside) = setup();
    let mut bytes = format!("let token = \"{SECRET}\"\nlet y = \"").into_bytes();
    bytes.extend_from_slice(b"\xff\"\n");
    std::fs::write(work.join("bin.tasks"), bytes).unwrap();
    let run = run_in(&work, &[], "import \"./bin.tasks\" as b");
    assert_refused(
        &run,
        "cannot import `bin.tasks`: it is not UTF-8 text (byte 0xFF at line 2, column 10)",
    );
}

#[test]
fn a_fifo_or_a_folder_named_like_a_script_is_not_read() {
    let (_d, work, _outside) = setup();
    let made = Command::new("mkfifo")
        .arg(work.join("pipe.tasks"))
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::create_dir(work.join("dir.tasks")).unwrap();
    for name in ["pipe.tasks", "dir.tasks"] {
        std::fs::write(
            work.join("main.tasks"),
            format!("import \"./{name}\" as p\n"),
        )
        .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tasks"))
            .args(["run", "main.tasks"])
            .current_dir(&work)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Reading the FIFO would wait for a writer forever.
        let deadline = Instant::now() + Duration::from_secs(20);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let hung = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let run = Run::from(child.wait_with_output().unwrap());
        assert!(!hung, "the import of {name} hung");
        assert_refused(&run, "not a `.tasks` file once its links are followed");
    }
}
