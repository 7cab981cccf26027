//! Streams end to end through the `tasks` binary: `for await` over
//! standard input's lines (and the buffer they share with the other
//! readers).

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `script` as `main.tasks` with `args`, `stdin` fed to it from a
/// thread (so a big input cannot deadlock against a full stdout pipe).
fn tasks(args: &[&str], script: &str, stdin: Vec<u8>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.tasks");
    std::fs::write(&file, script).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("run")
        .args(args)
        .arg(&file)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn stdin_lines_end_at_the_end_and_drop_line_endings() {
    let script = "for await line in stdin.lines() { print(repr(line)) }\nprint(\"done\")";
    let out = tasks(&[], script, b"alpha\r\n\nbeta\ngamma".to_vec());
    assert_eq!(
        text(&out.stdout),
        "\"alpha\"\n\"\"\n\"beta\"\n\"gamma\"\ndone\n",
        "{}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_stream_left_early_leaves_the_rest_to_the_next_reader() {
    let script = "
for await line in stdin.lines() {
    print(\"loop\", line)
    if line == \"two\" { break }
}
print(\"read_line\", await stdin.read_line())
let rest = stdin.lines()
print(\"next\", await rest.next())
print(\"text\", repr(await stdin.read_text()))
print(\"after the end\", await rest.next())
";
    let out = tasks(&[], script, b"one\ntwo\nthree\nfour\nfive\nsix\n".to_vec());
    assert_eq!(
        text(&out.stdout),
        "loop one\nloop two\nread_line three\nnext four\ntext \"five\\nsix\\n\"\nafter the end nil\n",
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn lines_across_many_reads_all_arrive_whole() {
    // Far more than one read's chunk, with lines of every length, so
    // lines straddle the chunk boundaries.
    let mut input = Vec::new();
    let mut sum = 0u64;
    for i in 0..200_000u64 {
        let pad = "x".repeat((i % 37) as usize);
        writeln!(input, "{i} {pad}").unwrap();
        sum += i;
    }
    let script = "
let n = 0
let sum = 0
for await line in stdin.lines() {
    n += 1
    sum += int(line.split(\" \")[0])
}
print(n, sum)
";
    let out = tasks(&[], script, input);
    assert_eq!(
        text(&out.stdout),
        format!("200000 {sum}\n"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_line_that_is_not_utf8_is_a_unicode_error() {
    let script = "
try {
    for await line in stdin.lines() { print(line) }
} catch e: UnicodeError { print(e.message()) }
";
    let out = tasks(&[], script, b"fine\n\xff\xfe\n".to_vec());
    assert_eq!(
        text(&out.stdout),
        "fine\nstandard input is not valid UTF-8\n",
        "{}",
        text(&out.stderr)
    );
}
