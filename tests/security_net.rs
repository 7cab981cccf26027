//! The network grants, tried as an attacker would (issue 23): each test
//! is named after the hole it closes. Every target is a listener this
//! test starts on 127.0.0.1 (port 0); a refused attempt must leave it
//! without a connection. Loads are bounded in count and in time.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// `tasks run FLAGS main.tasks ARGS` in a fresh folder.
fn tasks(flags: &[&str], script: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tasks"), script).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("run")
        .args(flags)
        .arg("main.tasks")
        .args(args)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A listener on 127.0.0.1 that tells whether anyone connected.
struct Target {
    listener: TcpListener,
    port: u16,
}

impl Target {
    fn start() -> Target {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        Target { listener, port }
    }

    /// Whether a connection waits to be accepted (the script has ended,
    /// so one it made is queued by now).
    fn was_reached(&self) -> bool {
        match self.listener.accept() {
            Ok(_) => true,
            Err(e) if e.kind() == ErrorKind::WouldBlock => false,
            Err(e) => panic!("accept: {e}"),
        }
    }
}

const CONNECT: &str = r#"
try {
    let s = await net.connect(args()[0], int(args()[1]))
    print("reached")
} catch e: NotCapableError {
    print(e.kind(), e.message())
}
"#;

/// `net.connect(host, port)` with everything allowed but 127.0.0.1:
/// refused, naming the deny flag, and the target never reached.
fn connect_is_denied(host: &str) {
    let t = Target::start();
    let port = t.port.to_string();
    let out = tasks(
        &["--allow-net", "--deny-net=127.0.0.1"],
        CONNECT,
        &[host, &port],
    );
    let shown = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    assert_eq!(
        stdout(&out),
        format!(
            "NotCapableError net access to \"{shown}\" is not allowed — it is denied by --deny-net=127.0.0.1\n"
        ),
        "{host}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!t.was_reached(), "{host} reached the denied listener");
}

#[test]
fn deny_net_by_address_is_not_bypassed_by_localhost() {
    connect_is_denied("localhost");
}

// Other spellings of a denied address (127.1, 2130706433, 0x7f000001,
// 127.0.0.01, ::ffff:127.0.0.1) for connect, http, redirects and listen are
// tested in src/permissions/net.rs against a fixed-table resolver: those
// tests hand no such spelling to a running program, so nothing here talks
// to an address other than 127.0.0.1 if a check were ever wrong.

#[test]
fn deny_net_by_name_covers_the_names_addresses() {
    let t = Target::start();
    let port = t.port.to_string();
    let out = tasks(
        &["--allow-net", "--deny-net=localhost"],
        CONNECT,
        &["127.0.0.1", &port],
    );
    assert!(
        stdout(&out).starts_with("NotCapableError")
            && stdout(&out).contains("--deny-net=localhost"),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!t.was_reached());
}

#[test]
fn a_name_grant_does_not_reach_a_denied_address() {
    let t = Target::start();
    let port = t.port.to_string();
    let out = tasks(
        &["--allow-net=localhost", "--deny-net=127.0.0.1"],
        CONNECT,
        &["localhost", &port],
    );
    assert!(
        stdout(&out).starts_with("NotCapableError"),
        "{}",
        stdout(&out)
    );
    assert!(!t.was_reached());
}

/// A `tasks` program serving `script` (which prints its server's port
/// first), its open-file limit set to `files`, until dropped.
struct Serving {
    child: std::process::Child,
    port: u16,
}

impl Serving {
    fn start(script: &str, files: u32) -> (Serving, tempfile::TempDir) {
        use std::io::BufRead;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tasks"), script).unwrap();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -n {files} && exec \"$0\" run --allow-net=127.0.0.1 main.tasks"
            ))
            .arg(env!("CARGO_BIN_EXE_tasks"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("no port: {line:?}"));
        (Serving { child, port }, dir)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A GET on a new connection; the answer's body, or why there is none
/// within 10 s.
fn get(port: u16) -> Result<String, String> {
    let addr = ([127, 0, 0, 1], port).into();
    let mut s =
        TcpStream::connect_timeout(&addr, Duration::from_secs(10)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).map_err(|e| e.to_string())?;
    Ok(answer.rsplit("\r\n\r\n").next().unwrap_or("").to_string())
}

const SERVE_OK: &str = r#"
let s = http.serve(fn(req) { return "ok" }, port: 0, header_timeout: 120)
print(s.port())
await stdin.read_line()
"#;

#[test]
fn slow_clients_cannot_starve_http_serve() {
    // 300 clients that never finish their headers, against a server
    // allowed 128 open files: without a cap on waiting connections it
    // would run out of descriptors and leave the rest in the backlog.
    let (srv, _dir) = Serving::start(SERVE_OK, 128);
    let mut slow = Vec::new();
    for i in 0..300 {
        let addr = ([127, 0, 0, 1], srv.port).into();
        let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
            continue;
        };
        if i % 2 == 0 {
            let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        }
        slow.push(s);
    }
    for _ in 0..8 {
        assert_eq!(get(srv.port).as_deref(), Ok("ok"));
    }
    drop(slow);
}

#[test]
fn a_client_that_never_finishes_its_headers_is_closed() {
    let script = SERVE_OK.replace("header_timeout: 120", "header_timeout: 0.3");
    let (srv, _dir) = Serving::start(&script, 1024);
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let start = Instant::now();
    let mut b = [0u8; 256];
    // Closed (a 0-byte read, or a reset) well before the 10 s bound.
    match s.read(&mut b) {
        Ok(n) => assert!(
            n == 0 || String::from_utf8_lossy(&b[..n]).starts_with("HTTP/1.1 408"),
            "{n}"
        ),
        Err(e) => assert!(
            !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "still open after {:?}: {e}",
            start.elapsed()
        ),
    }
    // An idle connection (nothing sent) is closed too, and the server
    // still answers.
    let mut idle = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert!(matches!(idle.read(&mut b), Ok(0) | Err(_)));
    assert_eq!(get(srv.port).as_deref(), Ok("ok"));
}

/// The client is cancelled once its handler runs (after a fixed sleep, a
/// loaded machine could cancel it before its request got there).
#[test]
fn a_handler_whose_client_hung_up_is_cancelled() {
    let script = r#"
let gone = event()
let started = event()
async fn handler(req) {
    try {
        started.set()
        await sleep(60)
        return "late"
    } catch e: CancelledError {
        print("handler cancelled")
        gone.set()
        throw e
    }
}
let server = http.serve(handler, port: 0)
let client = spawn http.get(server.url() + "/slow")
await wait_for(started.wait(), 10)
client.cancel()
await wait_for(gone.wait(), 10)
print("done")
server.close()
"#;
    let out = tasks(&["--allow-net=127.0.0.1"], script, &[]);
    assert_eq!(
        stdout(&out),
        "handler cancelled\ndone\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
