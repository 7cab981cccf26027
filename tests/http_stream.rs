//! Streamed HTTP bodies end to end through the `tasks` binary: `http.get(url,
//! stream: true)`, `r.save(path)` and `for await chunk in r.chunks()`,
//! against a std-only server thread on 127.0.0.1:0 serving a binary larger
//! than the 16 MiB cap of a body read whole. The server records when a
//! client hangs up, and answers `/closed` only once the first download's
//! connection has ended (or 10 s have passed): the tests assert the order
//! of events (the socket closed before the script's next request), never
//! timings.

mod common;
use common::{run_in, Run};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// 17 MiB and a bit, not a repeating pattern (a byte lost or doubled
/// anywhere changes the hash).
fn served() -> Vec<u8> {
    let mut x: u32 = 2_463_534_242;
    (0..(17 << 20) + 4321)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

struct Server {
    port: u16,
}

impl Server {
    /// `/full`: the whole binary; `/half`: its header and half of it, then
    /// nothing until the client hangs up; `/closed`: "closed" once a
    /// `/half` connection has been hung up on, "open" after 10 s without.
    fn start(body: Arc<Vec<u8>>) -> Server {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let hung_up = Arc::new(AtomicBool::new(false));
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { return };
                let (body, hung_up) = (body.clone(), hung_up.clone());
                std::thread::spawn(move || serve(s, &body, &hung_up));
            }
        });
        Server { port }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn serve(mut s: TcpStream, body: &[u8], hung_up: &AtomicBool) {
    let mut head = Vec::new();
    let mut b = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut b) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&b[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split(' ').nth(1).unwrap_or("").to_string();
    let header = |len: usize| {
        format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n\r\n")
    };
    match path.as_str() {
        "/full" => {
            let _ = s.write_all(header(body.len()).as_bytes());
            let _ = s.write_all(body);
        }
        "/half" => {
            let _ = s.write_all(header(body.len()).as_bytes());
            let _ = s.write_all(&body[..body.len() / 2]);
            // The client's hang-up reads as the end (or a reset).
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            if matches!(s.read(&mut b), Ok(0) | Err(_)) {
                hung_up.store(true, Ordering::SeqCst);
            }
        }
        "/closed" => {
            let deadline = Instant::now() + Duration::from_secs(10);
            while !hung_up.load(Ordering::SeqCst) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            let word = if hung_up.load(Ordering::SeqCst) {
                "closed"
            } else {
                "open"
            };
            let _ = s.write_all(header(word.len()).as_bytes());
            let _ = s.write_all(word.as_bytes());
        }
        _ => {
            let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        }
    }
}

/// A folder with the served binary in it, and the server.
fn setup() -> (tempfile::TempDir, Server, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let body = served();
    std::fs::write(dir.path().join("served.bin"), &body).unwrap();
    let server = Server::start(Arc::new(body.clone()));
    (dir, server, body)
}

fn script(server: &Server, body: &str) -> String {
    format!(
        "let full = {:?}\nlet half = {:?}\nlet closed = {:?}\n{body}",
        server.url("/full"),
        server.url("/half"),
        server.url("/closed")
    )
}

const GRANTS: &[&str] = &["--allow-read=.", "--allow-write=.", "--allow-net=127.0.0.1"];

/// The names in `dir`, sorted.
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_body_larger_than_the_cap_streams_to_a_file_and_in_chunks() {
    let (dir, server, body) = setup();
    let s = script(
        &server,
        r#"
let want = hash.sha256(await fs.read_bytes("served.bin")).hex()
try { await http.get(full) } catch e { print(e.kind()) }
let r = await http.get(full, stream: true)
print(r.status(), r.headers()["content-length"])
try { r.bytes() } catch e { print(e.kind(), e.message()) }
print(await r.save("saved.bin"))
print(hash.sha256(await fs.read_bytes("saved.bin")).hex() == want)
let h = hash.sha256()
let n = 0
let pieces = 0
for await chunk in (await http.get(full, stream: true)).chunks() {
    h.update(chunk)
    n += len(chunk)
    pieces += 1
}
print(n, h.hex() == want, pieces > 1)
try { await (await http.get(full, stream: true, max_body: 1000)).save("capped.bin") } catch e { print(e.kind(), e.message().ends_with("larger than 1000 bytes")) }
"#,
    );
    let out = run_in(dir.path(), GRANTS, &s);
    assert_eq!(out.stderr, "");
    let n = body.len();
    assert_eq!(
        out.stdout,
        format!(
            "HttpError\n200 {n}\n\
             ValueError `bytes()` reads a body whole, and this response was opened with `stream: true`\n\
             {n}\ntrue\n{n} true true\nHttpError true\n"
        )
    );
    assert!(std::fs::read(dir.path().join("saved.bin")).unwrap() == body);
    // The capped download left nothing: not the target, not a temporary.
    assert_eq!(names(dir.path()), ["main.tasks", "saved.bin", "served.bin"]);
}

#[test]
fn saving_needs_the_write_grant() {
    let (dir, server, body) = setup();
    // A link in the granted folder to a file outside it is refused (as
    // `fs.write_bytes` refuses it): the layer judges where it leads.
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("victim.bin"), b"victim").unwrap();
    std::os::unix::fs::symlink("../victim.bin", dir.path().join("sub/link.bin")).unwrap();
    let s = script(
        &server,
        r#"
let r = await http.get(full, stream: true)
try { await r.save("x.bin") } catch e { print(e.kind()) }
try { await r.save("sub/../x.bin") } catch e { print(e.kind()) }
try { await r.save("sub/../../x.bin") } catch e { print(e.kind()) }
try { await r.save("sub/link.bin") } catch e { print(e.kind()) }
print(await r.save("sub/new.bin"))
"#,
    );
    let out = run_in(
        dir.path(),
        &[
            "--allow-read=.",
            "--allow-write=./sub",
            "--allow-net=127.0.0.1",
        ],
        &s,
    );
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        format!(
            "NotCapableError\nNotCapableError\nNotCapableError\nNotCapableError\n{}\n",
            body.len()
        )
    );
    assert_eq!(
        names(dir.path()),
        ["main.tasks", "served.bin", "sub", "victim.bin"]
    );
    assert!(!dir.path().parent().unwrap().join("x.bin").exists());
    assert_eq!(
        std::fs::read(dir.path().join("victim.bin")).unwrap(),
        b"victim"
    );
    assert!(std::fs::read(dir.path().join("sub/new.bin")).unwrap() == body);
}

#[test]
fn a_signal_mid_download_leaves_no_temporary_file() {
    let (dir, server, _) = setup();
    std::fs::write(
        dir.path().join("main.tasks"),
        script(
            &server,
            "await (await http.get(half, stream: true)).save(\"new.bin\")\n",
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("run")
        .args(GRANTS)
        .arg("main.tasks")
        .current_dir(dir.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Half the body is written at once: the temporary file shows up.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !names(dir.path()).iter().any(|n| n.ends_with(".tasks-tmp")) {
        assert!(
            Instant::now() < deadline,
            "no temporary file: {:?}",
            names(dir.path())
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(names(dir.path()), ["main.tasks", "served.bin"]);
}

#[test]
fn a_cancelled_save_closes_the_socket_and_leaves_no_file() {
    let (dir, server, _) = setup();
    std::fs::write(dir.path().join("old.bin"), b"old").unwrap();
    let s = script(
        &server,
        r#"
let r = await http.get(half, stream: true)
try { await wait_for(r.save("old.bin"), 0.3) } catch e { print("old", e.kind()) }
print((await http.get(closed)).text())
try { await r.save("new.bin") } catch e { print("new", e.kind()) }
"#,
    );
    let out = run_in(dir.path(), GRANTS, &s);
    assert_eq!(out.stderr, "");
    let Run { stdout, .. } = out;
    assert_eq!(stdout, "old TimeoutError\nclosed\nnew HttpError\n");
    assert_eq!(names(dir.path()), ["main.tasks", "old.bin", "served.bin"]);
    assert_eq!(std::fs::read(dir.path().join("old.bin")).unwrap(), b"old");
}

#[test]
fn leaving_a_chunks_loop_early_closes_the_socket() {
    let (dir, server, _) = setup();
    let s = script(
        &server,
        r#"
let r = await http.get(half, stream: true)
let n = 0
for await chunk in r.chunks() {
    n += len(chunk)
    if n > 100000 { break }
}
print(n > 100000)
print((await http.get(closed)).text())
try { await r.chunks().next() } catch e { print(e.kind(), e.message().ends_with("closed before its end")) }
"#,
    );
    let out = run_in(dir.path(), GRANTS, &s);
    assert_eq!(out.stderr, "");
    assert_eq!(out.stdout, "true\nclosed\nHttpError true\n");
}
