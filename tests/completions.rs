//! `tasks completions SHELL` and `tasks man`: the scripts a shell loads and
//! the manual page, generated from the command definition.

use std::process::Command;

fn tasks(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(args)
        .output()
        .expect("tasks runs");
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    (out.status.code().unwrap_or(-1), text)
}

const SUBCOMMANDS: [&str; 6] = ["run", "repl", "check", "test", "completions", "man"];

/// What bash offers after `tasks <words>`, by calling the generated
/// completion function as bash's `complete` would.
fn bash_completes(words: &[&str]) -> Vec<String> {
    let (code, script) = tasks(&["completions", "bash"]);
    assert_eq!(code, 0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tasks.bash");
    std::fs::write(&path, script).unwrap();
    let words_list = words.join(" ");
    let call = format!(
        "source {}; COMP_WORDS=(tasks {words_list}); COMP_CWORD={}; \
         _tasks tasks '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display(),
        words.len(),
        words.last().unwrap(),
        if words.len() > 1 {
            words[words.len() - 2]
        } else {
            "tasks"
        },
    );
    let out = Command::new("bash").args(["-c", &call]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_flags() {
    assert_eq!(bash_completes(&["te"]), ["test"]);
    assert_eq!(
        bash_completes(&["run", "--allow-r"]),
        ["--allow-read", "--allow-run"]
    );
    assert_eq!(bash_completes(&["completions", "f"]), ["fish"]);
}

#[test]
fn zsh_and_fish_scripts_name_every_subcommand() {
    let (code, zsh) = tasks(&["completions", "zsh"]);
    assert_eq!(code, 0);
    assert!(zsh.starts_with("#compdef tasks"), "{zsh}");
    let (code, fish) = tasks(&["completions", "fish"]);
    assert_eq!(code, 0);
    for name in SUBCOMMANDS {
        assert!(zsh.contains(&format!("'{name}:")), "zsh lacks {name}");
        assert!(
            fish.contains(&format!("-a \"{name}\"")),
            "fish lacks {name}"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn the_man_page_documents_the_commands_and_permission_flags() {
    let (code, page) = tasks(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH tasks 1"), "{page}");
    assert!(page.contains(".SH NAME"), "{page}");
    for name in SUBCOMMANDS {
        assert!(
            page.contains(&format!("tasks\\-{name}(1)")),
            "man page lacks {name}"
        );
    }
    for flag in [
        "allow\\-read",
        "deny\\-net",
        "virtual\\-time",
        "max\\-memory",
    ] {
        assert!(page.contains(flag), "man page lacks --{flag}");
    }
}
