//! Bytes through files, processes and HTTP, end to end through the `tasks`
//! binary: a binary with every byte value arrives byte for byte (before
//! bytes, a downloaded 100,000-byte file was written back as 180,768).

use std::process::{Command, Output};

/// Runs `script` as `main.tasks` in `dir` with `flags`.
fn run_in(dir: &std::path::Path, flags: &[&str], script: &str) -> Output {
    let file = dir.join("main.tasks");
    std::fs::write(&file, script).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("run")
        .args(flags)
        .arg(&file)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// 102,400 bytes: every value 0..=255, 400 times.
fn binary() -> Vec<u8> {
    (0..102_400).map(|i| (i % 256) as u8).collect()
}

#[test]
fn files_take_and_give_bytes_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.bin"), binary()).unwrap();
    let script = r#"
let data = await fs.read_bytes("in.bin")
print(type(data), len(data), data[:4], data[-2:])
await fs.write_bytes("out.bin", data)
await fs.append_bytes("out.bin", b"\x00\xff")
await fs.append_bytes("new.bin", b"\x80")
print(len(await fs.read_bytes("out.bin")), await fs.read_bytes("new.bin"))
try { await fs.write_text("t.txt", b"x") } catch e { print(e.kind(), e.message()) }
try { await fs.write_bytes("t.bin", "x") } catch e { print(e.kind(), e.message()) }
try { await fs.read_text("in.bin") } catch e { print(e.kind()) }
"#;
    let out = run_in(dir.path(), &["--allow-read=.", "--allow-write=."], script);
    assert_eq!(text(&out.stderr), "");
    assert_eq!(
        text(&out.stdout),
        "bytes 102400 b'\\x00\\x01\\x02\\x03' b'\\xfe\\xff'\n\
         102402 b'\\x80'\n\
         TypeError fs.write_text() needs a str, not `bytes`\n\
         TypeError fs.write_bytes() needs bytes, not `str`\n\
         UnicodeError\n"
    );
    let mut want = binary();
    want.extend([0, 255]);
    assert_eq!(std::fs::read(dir.path().join("out.bin")).unwrap(), want);
    assert!(!dir.path().join("t.txt").exists() && !dir.path().join("t.bin").exists());
}

#[test]
fn writing_bytes_needs_the_write_grant() {
    let dir = tempfile::tempdir().unwrap();
    let script = "await fs.write_bytes(\"x.bin\", b\"\\x00\")\n";
    let out = run_in(dir.path(), &["--allow-read=."], script);
    assert!(
        text(&out.stderr).contains("NotCapableError"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("x.bin").exists());
}

#[test]
fn a_download_round_trips_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("served.bin"), binary()).unwrap();
    let script = r#"
let served = await fs.read_bytes("served.bin")
async fn handler(req) {
    if req.method() == "POST" {
        let got = req.bytes()
        return http.response(200, body: f"{len(got)} {hash.sha256(got).hex() == hash.sha256(served).hex()}")
    }
    return http.response(200, body: served)
}
let server = http.serve(handler, port: 0)
let r = await http.get(server.url() + "/file")
let got = r.bytes()
print(r.status(), r.headers()["content-type"], len(got), got == served)
print(hash.sha256(got).hex() == hash.sha256(served).hex())
await fs.write_bytes("downloaded.bin", got)
let echo = await http.post(server.url() + "/up", body: served)
print(echo.text())
server.close()
"#;
    let out = run_in(
        dir.path(),
        &["--allow-read=.", "--allow-write=.", "--allow-net=127.0.0.1"],
        script,
    );
    assert_eq!(text(&out.stderr), "");
    assert_eq!(
        text(&out.stdout),
        "200 application/octet-stream 102400 true\ntrue\n102400 true\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("downloaded.bin")).unwrap(),
        binary()
    );
}

#[test]
fn a_process_takes_and_gives_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let script = r#"
let data = bytes(range(256))
let r = await process.run("cat", stdin: data)
print(r.stdout_bytes() == data, len(r.stdout_bytes()), len(r.stdout()), r.stderr_bytes())
let t = await process.run("cat", stdin: "text é")
print(t.stdout(), t.stdout_bytes())
"#;
    let out = run_in(dir.path(), &["--allow-run=cat"], script);
    assert_eq!(text(&out.stderr), "");
    assert_eq!(
        text(&out.stdout),
        "true 256 256 b''\ntext é b'text \\xc3\\xa9'\n"
    );
}

#[test]
fn a_gzip_file_is_opened_only_with_the_read_grant() {
    let dir = tempfile::tempdir().unwrap();
    let inside = dir.path().join("in");
    std::fs::create_dir(&inside).unwrap();
    std::fs::write(dir.path().join("secret.gz"), gzip_of(b"secret\n")).unwrap();
    std::fs::write(inside.join("ok.gz"), gzip_of(b"one\ntwo\n")).unwrap();
    std::os::unix::fs::symlink("../secret.gz", inside.join("link.gz")).unwrap();
    let script = r#"
for p in ["../secret.gz", "link.gz", "/etc/hostname"] {
    try { await gzip.open(p) } catch e { print(p, e.kind()) }
}
let f = await gzip.open("ok.gz")
for await line in f.lines() { print(line) }
"#;
    let out = run_in(&inside, &["--allow-read=."], script);
    assert_eq!(text(&out.stderr), "");
    assert_eq!(
        text(&out.stdout),
        "../secret.gz NotCapableError\nlink.gz NotCapableError\n/etc/hostname NotCapableError\none\ntwo\n"
    );
}

/// `data` as a gzip file, made by the `gzip` program (another
/// implementation than ours).
fn gzip_of(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(data).unwrap();
    child.wait_with_output().unwrap().stdout
}
