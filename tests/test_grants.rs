//! `tasks test` and the grants cases give themselves (`# allow:`): the
//! closing line says how many cases granted themselves everything, and
//! `--no-grants` runs every case with none.

use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
}

fn tasks_test(dir: &Path, flags: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("test")
        .args(flags)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TASKS_TEST_SECRET", "hunter2")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// The report without timings: `ok      a (12 ms)` becomes `ok      a`.
fn untimed(report: &str) -> String {
    report
        .lines()
        .map(|l| match l.rfind(" (") {
            Some(i) if l.ends_with(" ms)") => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Three cases: one granting itself everything with `all`, one with every
/// kind unscoped (the same thing), one with a narrow grant.
fn cases(dir: &Path) {
    let secret = "print(env.get(\"TASKS_TEST_SECRET\"))\n";
    for (name, header) in [
        ("a_all", "# allow: all\n"),
        ("b_every_kind", "# allow: read write run env net\n"),
        ("c_narrow", "# allow: env=TASKS_TEST_SECRET\n"),
    ] {
        std::fs::write(
            dir.join(format!("{name}.tasks")),
            format!("{header}{secret}"),
        )
        .unwrap();
        std::fs::write(dir.join(format!("{name}.out")), "hunter2\n").unwrap();
    }
}

#[test]
fn the_summary_names_cases_that_grant_themselves_everything() {
    let dir = tempfile::tempdir().unwrap();
    cases(dir.path());
    let r = tasks_test(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        untimed(&r.stdout),
        "ok      a_all\nok      b_every_kind\nok      c_narrow\n\
         granted everything (# allow: all): a_all, b_every_kind\n\
         3 passed, 0 failed; 2 cases granted themselves everything"
    );
    let r = tasks_test(dir.path(), &["--filter", "narrow"]);
    assert_eq!(
        untimed(&r.stdout),
        "ok      c_narrow\n1 passed, 0 failed, 2 skipped"
    );
}

#[test]
fn no_grants_runs_cases_without_their_header_grants() {
    let dir = tempfile::tempdir().unwrap();
    cases(dir.path());
    let r = tasks_test(dir.path(), &["--no-grants", "--filter", "a_all"]);
    assert_eq!(r.code, 1);
    let report = untimed(&r.stdout);
    assert!(report.starts_with("FAILED  a_all\n"), "{report}");
    assert!(report.contains("+NotCapableError\n"), "{report}");
    assert!(
        report.contains("env access to \"TASKS_TEST_SECRET\" is not allowed"),
        "{report}"
    );
    // The replay line runs it as it ran: with no grants.
    assert!(
        report
            .contains("to replay, in its folder: tasks run --virtual-time --seed 0 a_all.tasks\n"),
        "{report}"
    );
    assert!(!report.contains("granted: "), "{report}");
    assert!(!report.contains("granted everything"), "{report}");
    assert!(
        report
            .ends_with("0 passed, 1 failed, 2 skipped; no case was granted anything (--no-grants)"),
        "{report}"
    );
}
