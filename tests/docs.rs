//! Every example in docs/LANGUAGE.md — a ```tasks block followed by a
//! ```text block — runs under the virtual clock and must print exactly
//! that text (stdout then stderr), so the reference stays true. A
//! ```tasks file=NAME block is not run: it is written as NAME beside the
//! examples, for the ones after it to import.

use std::path::PathBuf;
use std::process::Command;

fn blocks(text: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        out.push((info.trim().to_string(), n + 1, body));
    }
    out
}

/// An example's `# allow: read=. env=HOME` first line, as `tasks run` flags.
fn grants(code: &str) -> Vec<String> {
    let Some(words) = code.lines().next().and_then(|l| l.strip_prefix("# allow:")) else {
        return Vec::new();
    };
    words
        .split_whitespace()
        .map(|w| format!("--allow-{w}"))
        .collect()
}

#[test]
fn language_reference_examples_print_what_they_say() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/LANGUAGE.md")).unwrap();
    let dir = std::env::temp_dir().join(format!("tasks-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let all = blocks(&doc);
    let mut checked = 0;
    let mut failures = Vec::new();
    for pair in all.windows(2) {
        let [(info, line, code), (next, _, expected)] = pair else {
            continue;
        };
        // ```tasks file=lib/util.tasks: a file the examples after it import.
        if let Some(name) = info.strip_prefix("tasks file=") {
            let path = dir.join(name.trim());
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, code).unwrap();
            continue;
        }
        if info != "tasks" || next != "text" {
            continue;
        }
        std::fs::write(dir.join("example.tasks"), code).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
            .args(["run", "--virtual-time"])
            .args(grants(code))
            .arg("example.tasks")
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let got = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
        if &got != expected {
            failures.push(format!(
                "docs/LANGUAGE.md:{line}\n--- expected\n{expected}--- actual\n{got}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        checked >= 30,
        "only {checked} examples found in docs/LANGUAGE.md"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} examples differ:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn language_reference_contents_list_every_section_and_no_other() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/LANGUAGE.md")).unwrap();
    let start = doc.find("Contents:\n").expect("a contents list");
    // The title between `[` and `](` of each numbered line.
    let listed: Vec<&str> = doc[start..]
        .lines()
        .skip(1)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(". [")?.1.split_once("](").map(|(t, _)| t))
        .collect();
    let headings: Vec<&str> = doc.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(
        listed, headings,
        "the contents list and the ## headings differ"
    );
}

/// The README's first `tasks` command comes after the line that installs
/// it, and the claim of the same order names the CPython version it holds
/// for (3.12 changed `wait_for`).
#[test]
fn readme_installs_tasks_before_using_it_and_names_cpython_3_11() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let install = readme
        .find("cargo install --path .")
        .expect("an install line");
    let first_use = readme.find("$ tasks ").expect("a `$ tasks` command");
    assert!(
        install < first_use,
        "`tasks` is used before it is installed"
    );
    assert!(readme.contains("same order as CPython 3.11's asyncio"));
}
