//! The `tasks fmt` command: format files in place, or (`--check`) print
//! the diff each would get. Exit status: 0 when all is formatted (or has
//! been), 1 when `--check` found a file to format, 2 when a file cannot be
//! read or does not parse (its syntax error is shown as `tasks check`
//! shows it; the file is left as it is).

mod files;

use files::script_files;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tasks::formatter::{format, FormatError};
use tasks::{Engine, Options};

/// Runs `tasks fmt [--check] PATHS`; returns the exit status.
pub fn run(paths: &[PathBuf], check: bool, color: bool) -> u8 {
    if paths.len() == 1 && paths[0].as_os_str() == "-" {
        return stdin_to_stdout(color);
    }
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let files = match script_files(paths) {
        Ok(f) => f,
        Err(e) => {
            say(&format!("error: {e}\n"));
            return 2;
        }
    };
    let mut status = 0;
    let mut unformatted = 0;
    for file in &files {
        match one_file(file, check, color) {
            Ok(true) => {}
            Ok(false) => unformatted += 1,
            Err(()) => status = 2,
        }
    }
    if check && unformatted > 0 {
        say(&format!(
            "{unformatted} of {} files would be formatted: run `tasks fmt`\n",
            files.len()
        ));
        status = status.max(1);
    }
    status
}

/// Formats one file; `Ok(false)` when `--check` found it unformatted.
fn one_file(path: &Path, check: bool, color: bool) -> Result<bool, ()> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| say(&format!("error: cannot read {name}: {e}\n")))?;
    let out = formatted(&name, &text, color)?;
    if out == text {
        return Ok(true);
    }
    if check {
        let diff = similar::TextDiff::from_lines(&text, &out);
        let shown = diff.unified_diff().header(&name, &name).to_string();
        let mut stdout = crate::cli::streams::stdout();
        let _ = stdout
            .write_all(shown.as_bytes())
            .and_then(|()| stdout.flush());
        return Ok(false);
    }
    std::fs::write(path, out).map_err(|e| say(&format!("error: cannot write {name}: {e}\n")))?;
    Ok(true)
}

fn formatted(name: &str, text: &str, color: bool) -> Result<String, ()> {
    match format(text) {
        Ok(out) => Ok(out),
        Err(FormatError::Syntax) => {
            let mut engine = Engine::new(
                Options {
                    color,
                    ..Options::default()
                },
                Box::new(std::io::sink()),
                Box::new(std::io::sink()),
            );
            match engine.check(name, text) {
                Err(report) => say(&report),
                Ok(()) => say(&format!("error: {name} does not parse\n")),
            }
            Err(())
        }
        Err(e) => {
            say(&format!("error: {name}: {e}\n"));
            Err(())
        }
    }
}

fn stdin_to_stdout(color: bool) -> u8 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        say(&format!("error: cannot read stdin: {e}\n"));
        return 2;
    }
    match formatted("<stdin>", &text, color) {
        Ok(out) => {
            let mut stdout = crate::cli::streams::stdout();
            let _ = stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush());
            0
        }
        Err(()) => 2,
    }
}

/// What the command says about itself goes to stderr; lost if stderr is
/// closed (the status still tells).
fn say(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}
