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

#[test]
fn a_child_streams_stdout_and_stderr_by_lines() {
    let script = r#"
let p = process.start("sh", ["-c", "i=0; while [ $i -lt 3000 ]; do echo out $i; echo err $i >&2; i=$((i+1)); done"], stderr: "pipe")
let errs = spawn(async fn() {
    let n = 0
    for await l in p.stderr_lines() { n += 1 }
    return n
}())
let n = 0
let last = nil
for await line in p.lines() {
    n += 1
    last = line
}
print(n, last, await errs, await p.wait())
"#;
    let out = tasks(&["--allow-run=sh"], script, Vec::new());
    assert_eq!(
        text(&out.stdout),
        "3000 out 2999 3000 0\n",
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_inherited_stdout_comes_after_what_the_script_printed() {
    let script = r#"
print("first")
let p = process.start("sh", ["-c", "echo second"], stdout: "inherit")
for await line in p.lines() { print("never", line) }
await p.wait()
print("third")
"#;
    let out = tasks(&["--allow-run=sh"], script, Vec::new());
    assert_eq!(
        text(&out.stdout),
        "first\nsecond\nthird\n",
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_socket_streams_lines_after_and_before_read_line() {
    let script = r#"
async fn serve(s) {
    await s.write("one\ntwo\r\nthree\nfour\nfive")
}
let server = net.listen(serve)
let s = await net.connect("127.0.0.1", server.port())
print(await s.read_line())
for await line in s.lines() {
    print("loop", line)
    if line == "three" { break }
}
print(await s.read_line())
for await line in s.lines() { print("rest", line) }
server.close()
"#;
    let out = tasks(&["--allow-net=127.0.0.1"], script, Vec::new());
    assert_eq!(
        text(&out.stdout),
        "one\nloop two\nloop three\nfour\nrest five\n",
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_file_is_written_read_by_pieces_and_closed_by_with() {
    let script = r#"
let f = await fs.open("out.txt", "w")
try {
    with f {
        await f.write("héllo\nworld\n")
        await f.write("third")
        throw error("boom")
    }
} catch e { print("caught", e.message(), f.closed()) }
let r = await fs.open("out.txt")
print(repr(await r.read(2)), r.tell())
print(repr(await r.read_line()))
for await line in r.lines() { print("line", repr(line)) }
print(repr(await r.read_line()), repr(await r.read(5)))
r.seek(1)
print(repr(await r.read_all()))
r.close()
try { await r.read_line() } catch e { print(e.kind(), e.message()) }
"#;
    let out = tasks(&["--allow-read=.", "--allow-write=."], script, Vec::new());
    assert_eq!(
        text(&out.stdout),
        "caught boom true\n\"hé\" 3\n\"llo\"\nline \"world\"\nline \"third\"\nnil \"\"\n\"éllo\\nworld\\nthird\"\nValueError I/O operation on closed file\n",
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn following_a_file_sees_what_is_appended_and_waits_for_a_cut_character() {
    let script = r#"
let w = await fs.open("log.txt", "wb")
let r = await fs.open("log.txt")
await w.write(b"one\ncaf\xc3")
await w.flush()
print(repr(await r.read_line()), repr(await r.read_all()))
await w.write(b"\xa9 au lait\ntwo\n")
await w.flush()
print(repr(await r.read_line()), repr(await r.read_line()), repr(await r.read_line()))
"#;
    let out = tasks(&["--allow-read=.", "--allow-write=."], script, Vec::new());
    assert_eq!(
        text(&out.stdout),
        "\"one\" \"caf\"\n\"é au lait\" \"two\" nil\n",
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn opening_a_file_is_checked_at_open_links_included() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "s").unwrap();
    let granted = dir.path().join("granted");
    std::fs::create_dir(&granted).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret"), granted.join("link")).unwrap();
    let script = r#"
for [path, mode] in [["granted/link", "r"], ["../secret", "r"], ["granted/new", "w"], ["other", "w"]] {
    try {
        let f = await fs.open(path, mode)
        print(path, mode, "opened")
        f.close()
    } catch e { print(path, mode, e.kind()) }
}
"#;
    let file = dir.path().join("main.tasks");
    std::fs::write(&file, script).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["run", "--allow-read=granted", "--allow-write=granted"])
        .arg(&file)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        text(&out.stdout),
        "granted/link r NotCapableError\n../secret r NotCapableError\ngranted/new w opened\nother w NotCapableError\n",
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn csv_rows_hold_a_row_across_lines_and_a_cancelled_next_loses_nothing() {
    // Issue 27: quoted fields go on over lines that come 300-900 ms apart;
    // a `next` cancelled by its 500 ms timeout while it waits for the rest
    // of a row (its first line came at 300 ms, the rest comes at 1200 ms)
    // loses nothing: the next `next` gives the whole row. (The timeout
    // starts when the header is read, so it fires 700 ms before the rest
    // comes, less however late a loaded machine has the script read it.)
    let script = r#"
let p = process.start(["sh", "-c", "printf 'id,note\n'; sleep 0.3; printf '1,\"first\n'; sleep 0.9; printf 'second\",b\n\n2,\"x\"\"y\"\n3,\"c\n'; sleep 0.3; printf 'd\"\n4,z'"])
let rows = csv.rows(p.lines())
print(await rows.next())
try { await wait_for(rows.next(), 0.5) } catch e: TimeoutError { print("timed out") }
print(await rows.next())
for await row in rows { print(row) }
print(await rows.next(), await p.wait())
let q = process.start(["sh", "-c", "printf 'k;v\nx;\"1\n2\"\n'"])
for await m in csv.rows(q.lines(), delimiter: ";", header: true) { print(m) }
"#;
    let out = tasks(&["--allow-run=sh"], script, Vec::new());
    assert_eq!(
        text(&out.stdout),
        "[\"id\", \"note\"]\ntimed out\n[\"1\", \"first\\nsecond\", \"b\"]\n[]\n[\"2\", \"x\\\"y\"]\n\
         [\"3\", \"c\\nd\"]\n[\"4\", \"z\"]\nnil 0\n{\"k\": \"x\", \"v\": \"1\\n2\"}\n",
        "{}",
        text(&out.stderr)
    );
}
