//! `tasks fmt`: the layout is idempotent, keeps every program's meaning
//! (the formatter checks its own result against the parse tree), reaches
//! the same layout from any spacing of the same tokens, and the command
//! formats in place, checks with a diff, and leaves a broken file alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tasks::formatter::{format, FormatError};

const BIN: &str = env!("CARGO_BIN_EXE_tasks");

fn scripts(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            scripts(&p, out);
        } else if p.extension().is_some_and(|x| x == "tasks") {
            out.push(p);
        }
    }
}

fn repository_scripts() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests", "benches", "docs", "editors"] {
        scripts(&root.join(dir), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

/// xorshift: the same "random" spacing on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The same program spaced at random: each line indented anyhow, and
/// spaces added around its punctuation outside strings and comments (on
/// lines without f-strings, whose nested quotes this does not follow).
fn respaced(src: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut in_str = false;
    let mut in_comment = false;
    let mut fstring_line = false;
    let mut in_block = false;
    let mut prev = '\n';
    for (at, c) in src.char_indices() {
        if prev == '\n' && !in_str && !in_block {
            in_comment = false;
            fstring_line = src[at..].lines().next().is_some_and(|l| l.contains("f\""));
            out.extend(std::iter::repeat_n(' ', rng.below(9) as usize));
        }
        let code = !in_str && !in_comment && !fstring_line && !in_block;
        if code && c == '#' {
            in_comment = true;
        }
        if !in_str && !in_comment && prev == '/' && c == '*' {
            in_block = true;
        } else if in_block && prev == '*' && c == '/' {
            in_block = false;
        }
        if code && "(),[]+=<>:".contains(c) && rng.below(3) == 0 {
            out.push(' ');
        }
        out.push(c);
        if c == '"' && !in_comment && !in_block && prev != '\\' {
            in_str = !in_str;
        }
        prev = if prev == '\\' && c == '\\' { ' ' } else { c };
    }
    out
}

#[test]
fn every_script_in_the_repository_keeps_its_meaning_and_formats_idempotently() {
    let mut formatted = 0;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for (path, src) in repository_scripts() {
        match format(&src) {
            Ok(once) => {
                formatted += 1;
                let twice = format(&once).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(once, twice, "{}: a second pass changed it", path.display());
                // Any spacing of the same tokens comes out the same
                // (a file that opts out keeps any spacing).
                if src.lines().any(|l| l.trim() == "# fmt: off") {
                    continue;
                }
                let messy = respaced(&src, &mut rng);
                if let Ok(again) = format(&messy) {
                    assert_eq!(again, once, "{}: respaced:\n{messy}", path.display());
                }
            }
            Err(FormatError::Syntax) => {}
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    assert!(formatted > 400, "only {formatted} scripts formatted");
}

/// The repository keeps to its own layout: every script that parses is
/// formatted (error goldens that do not parse are left as written, and a
/// fixture can say `# fmt: off`). `tasks fmt` fixes what this finds.
#[test]
fn every_parsable_script_in_the_repository_is_formatted() {
    let unformatted: Vec<String> = repository_scripts()
        .into_iter()
        .filter(|(_, src)| format(src).is_ok_and(|out| &out != src))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(
        unformatted.is_empty(),
        "run `tasks fmt` on these:\n{}",
        unformatted.join("\n")
    );
}

#[test]
fn every_prefix_of_every_example_is_formatted_or_refused_never_mangled() {
    // Half-typed programs, as an editor's format-on-save sees them.
    for (path, src) in repository_scripts()
        .iter()
        .filter(|(p, _)| p.starts_with(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")))
    {
        for (cut, _) in src.char_indices().step_by(7) {
            match format(&src[..cut]) {
                Ok(_) | Err(FormatError::Syntax) => {}
                Err(e) => panic!("{} cut at {cut}: {e}", path.display()),
            }
        }
    }
}

fn tasks_fmt(dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .arg("fmt")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap(),
        text(out.stdout),
        text(out.stderr),
    )
}

#[test]
fn the_command_checks_formats_in_place_and_leaves_broken_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let ugly = "let x=[1,2]\nif x{print(x)}\n";
    let pretty = "let x = [1, 2]\nif x { print(x) }\n";
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/a.tasks"), ugly).unwrap();
    std::fs::write(dir.path().join("b.tasks"), pretty).unwrap();
    std::fs::write(dir.path().join("notes.txt"), ugly).unwrap();

    let (code, out, err) = tasks_fmt(dir.path(), &["--check"], "");
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("--- ./sub/a.tasks\n+++ ./sub/a.tasks\n"),
        "{out}"
    );
    assert!(
        out.contains("-let x=[1,2]\n") && out.contains("+let x = [1, 2]\n"),
        "{out}"
    );
    assert_eq!(err, "1 of 2 files would be formatted: run `tasks fmt`\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/a.tasks")).unwrap(),
        ugly
    );

    let (code, out, err) = tasks_fmt(dir.path(), &[], "");
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/a.tasks")).unwrap(),
        pretty
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        ugly
    );
    assert_eq!(tasks_fmt(dir.path(), &["--check", "."], "").0, 0);

    let broken = "let x = [1,\nprint( x)\n";
    std::fs::write(dir.path().join("c.tasks"), broken).unwrap();
    let (code, _, err) = tasks_fmt(dir.path(), &["c.tasks"], "");
    assert_eq!(code, 2);
    assert!(err.contains("c.tasks:"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("c.tasks")).unwrap(),
        broken
    );

    let (code, out, _) = tasks_fmt(dir.path(), &["-"], ugly);
    assert_eq!((code, out.as_str()), (0, pretty));
}
