//! The `http` client end to end through the `tasks` binary, against a
//! std-only HTTP/1.1 server thread on 127.0.0.1:0 (one thread per
//! connection). The server records what it saw, so the tests assert the
//! order of events (a hang-up before the script's next request), never
//! timings. A hang-up is recorded by the thread watching its connection,
//! or, if that thread has not run yet (a loaded machine), by the thread of
//! the next request, which asks the kernel before it records its request.

mod common;
use common::Buf;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Log = Arc<Mutex<Events>>;

/// What the server saw, in order, and the connections whose hang-up it
/// looks for and has not recorded yet (with their route and peer).
#[derive(Default)]
struct Events {
    seen: Vec<String>,
    watched: Vec<(String, SocketAddr, TcpStream)>,
}

impl Events {
    /// Records `event`, after the hang-ups that already happened: a client
    /// that closed a connection and then sent a request has its FIN in the
    /// kernel before the request, whether or not the watching thread ran.
    fn push(&mut self, event: String) {
        let (gone, open): (Vec<_>, Vec<_>) = std::mem::take(&mut self.watched)
            .into_iter()
            .partition(|(_, _, s)| hung_up(s));
        self.watched = open;
        for (what, _, _) in gone {
            self.seen.push(format!("{what}: client hung up"));
        }
        self.seen.push(event);
    }

    /// The watching thread saw the hang-up of the connection from `peer`
    /// (unless a request's thread recorded it first).
    fn hang_up(&mut self, peer: SocketAddr) {
        if let Some(i) = self.watched_at(peer) {
            let (what, _, _) = self.watched.remove(i);
            self.seen.push(format!("{what}: client hung up"));
        }
    }

    fn watched_at(&self, peer: SocketAddr) -> Option<usize> {
        (self.watched.iter()).position(|(_, p, _)| *p == peer)
    }
}

/// Whether the peer closed `s` (or reset it), without waiting and without
/// taking any data.
fn hung_up(s: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut b = [0u8; 1];
    // SAFETY: recv(2) writes at most 1 byte into `b`, which lives across
    // the call; the descriptor is open (`s` is borrowed).
    let n = unsafe {
        libc::recv(
            s.as_raw_fd(),
            b.as_mut_ptr().cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    let err = std::io::Error::last_os_error().raw_os_error();
    n == 0 || (n < 0 && err != Some(libc::EAGAIN) && err != Some(libc::EWOULDBLOCK))
}

struct Server {
    port: u16,
    log: Log,
}

impl Server {
    fn start() -> Server {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let log: Log = Arc::default();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { return };
                let log = log2.clone();
                std::thread::spawn(move || serve(s, &log));
            }
        });
        Server { port, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn events(&self) -> Vec<String> {
        self.log.lock().unwrap().seen.clone()
    }
}

fn respond(s: &mut TcpStream, status: &str, extra: &str, body: &str) {
    let _ = write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
}

/// Reads from `s` into `buf` until it holds a request's head; where the
/// head ends, or `None` when the client hung up first.
fn read_head(s: &mut TcpStream, buf: &mut Vec<u8>) -> Option<usize> {
    let mut b = [0u8; 4096];
    loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(i + 4);
        }
        match s.read(&mut b) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&b[..n]),
        }
    }
}

fn serve(mut s: TcpStream, log: &Log) {
    let mut buf = Vec::new();
    let Some(head_end) = read_head(&mut s, &mut buf) else {
        return;
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let first = lines.next().unwrap_or("").to_string();
    let mut words = first.split_whitespace();
    let method = words.next().unwrap_or("").to_string();
    let path = words.next().unwrap_or("/").to_string();
    let len: usize = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    let mut b = [0u8; 4096];
    while body.len() < len {
        match s.read(&mut b) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&b[..n]),
        }
    }
    let body = String::from_utf8_lossy(&body).to_string();
    let route = path.split('?').next().unwrap_or("");
    {
        // A connection whose hang-up the tests look for is watched from
        // the moment its request is recorded.
        let mut log = log.lock().unwrap();
        log.push(format!("{method} {path}"));
        if matches!(route, "/slow-body" | "/hang") {
            let peer = s.peer_addr().unwrap();
            (log.watched).push((route.to_string(), peer, s.try_clone().unwrap()));
        }
    }
    match route {
        "/json" => respond(
            &mut s,
            "200 OK",
            "Content-Type: application/json\r\nX-Thing: a\r\nX-Thing: b\r\n",
            r#"{"id": 1, "title": "hello", "tags": ["é", 2.5]}"#,
        ),
        "/echo" => {
            let ct = head
                .lines()
                .find(|l| l.to_lowercase().starts_with("content-type:"))
                .unwrap_or("content-type: none")
                .to_lowercase();
            respond(&mut s, "201 Created", "", &format!("{method} {ct} {body}"))
        }
        "/status/404" => respond(&mut s, "404 Not Found", "", "nope"),
        "/status/500" => respond(&mut s, "500 Internal Server Error", "", "broken"),
        "/chunked" => {
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            );
            for part in ["one ", "two ", "three"] {
                let _ = write!(s, "{:x}\r\n{part}\r\n", part.len());
                let _ = s.flush();
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = s.write_all(b"0\r\n\r\n");
        }
        "/big" => respond(&mut s, "200 OK", "", &"x".repeat(5000)),
        "/redirect" => respond(&mut s, "302 Found", "Location: /json\r\n", ""),
        "/redirect-post" => respond(&mut s, "303 See Other", "Location: /echo\r\n", ""),
        "/redirect-far" => respond(
            &mut s,
            "302 Found",
            // The same machine, another port: not granted below.
            "Location: http://127.0.0.1:9/json\r\n",
            "",
        ),
        "/loop" => respond(&mut s, "302 Found", "Location: /loop\r\n", ""),
        "/a/redirect-query" => respond(
            &mut s,
            "302 Found",
            "Location: ../json?from=http://127.0.0.1/x\r\n",
            "",
        ),
        "/host" => {
            let hosts: Vec<&str> = head
                .lines()
                .filter(|l| l.to_lowercase().starts_with("host:"))
                .collect();
            respond(&mut s, "200 OK", "", &hosts.join("|"))
        }
        "/slow-headers" => {
            std::thread::sleep(Duration::from_millis(1500));
            respond(&mut s, "200 OK", "", "late");
        }
        "/slow-body" => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstart");
            let _ = s.flush();
            watch_hang_up(&mut s, log, "/slow-body");
        }
        "/hang" => watch_hang_up(&mut s, log, "/hang"),
        _ => respond(&mut s, "404 Not Found", "", ""),
    }
}

/// Waits up to 5 s for the client to close, logging when it does.
fn watch_hang_up(s: &mut TcpStream, log: &Log, what: &str) {
    let peer = s.peer_addr().unwrap();
    s.set_read_timeout(Some(Duration::from_millis(5))).unwrap();
    let start = Instant::now();
    let mut b = [0u8; 64];
    while start.elapsed() < Duration::from_secs(5) {
        if let Ok(0) = s.read(&mut b) {
            log.lock().unwrap().hang_up(peer);
            return;
        }
    }
    let mut log = log.lock().unwrap();
    if let Some(i) = log.watched_at(peer) {
        log.watched.remove(i);
        log.seen.push(format!("{what}: still connected after 5 s"));
    }
}

fn tasks(flags: &[&str], script: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.tasks");
    std::fs::write(&file, script).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("run")
        .args(flags)
        .arg(&file)
        .args(args)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn run_ok(script: &str, srv: &Server) -> String {
    let out = tasks(&["--allow-net=127.0.0.1"], script, &[&srv.url("")]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "status {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn get_json_headers_and_status() {
    let srv = Server::start();
    let out = run_ok(
        r#"
let base = args()[0]
let r = await http.get(f"{base}/json")
print(r.status(), r.ok(), r.url() == f"{base}/json")
print(r.headers()["content-type"], r.headers()["x-thing"])
let data = r.json()
print(data["title"], data["tags"])
print(type(r))
let missing = await http.get(f"{base}/status/404")
print(missing.status(), missing.ok(), missing.text())
try { missing.raise_for_status() } catch e: HttpStatusError { print(e.message().ends_with("404 Not Found for " + base + "/status/404")) }
"#,
        &srv,
    );
    assert_eq!(
        out,
        "200 true true\napplication/json a, b\nhello [\"é\", 2.5]\nresponse\n404 false nope\ntrue\n"
    );
}

#[test]
fn post_json_and_text_bodies() {
    let srv = Server::start();
    let out = run_ok(
        r#"
let base = args()[0]
print((await http.post(f"{base}/echo", json: {"a": [1, 2]})).text())
let r = await http.post(f"{base}/echo", body: "plain")
print(r.status(), r.text())
print((await http.request("put", f"{base}/echo", body: "x", headers: {"Content-Type": "text/x"})).text())
"#,
        &srv,
    );
    assert_eq!(
        out,
        "POST content-type: application/json {\"a\": [1, 2]}\n\
         201 POST content-type: text/plain; charset=utf-8 plain\n\
         PUT content-type: text/x x\n"
    );
}

#[test]
fn chunked_bodies_are_read_whole() {
    let srv = Server::start();
    let out = run_ok(
        "print((await http.get(args()[0] + \"/chunked\")).text())",
        &srv,
    );
    assert_eq!(out, "one two three\n");
}

#[test]
fn a_body_over_the_cap_is_an_http_error() {
    let srv = Server::start();
    let out = run_ok(
        r#"
let base = args()[0]
print(len((await http.get(f"{base}/big", max_body: 5000)).text()))
try { await http.get(f"{base}/big", max_body: 4999) } catch e: HttpError { print(e.message()) }
"#,
        &srv,
    );
    assert_eq!(
        out,
        format!(
            "5000\n{}: the response body is larger than 4999 bytes\n",
            srv.url("/big")
        )
    );
}

#[test]
fn redirects_are_followed_and_rechecked() {
    let srv = Server::start();
    let grant = format!("--allow-net=127.0.0.1:{}", srv.port);
    let script = r#"
let base = args()[0]
let r = await http.get(f"{base}/redirect")
print(r.status(), r.url() == f"{base}/json")
print((await http.post(f"{base}/redirect-post", json: [1])).text())
try { await http.get(f"{base}/redirect-far") } catch e: NotCapableError { print(e.message()) }
try { await http.get(f"{base}/loop") } catch e: HttpError { print(e.kind()) }
"#;
    let out = tasks(&[&grant], script, &[&srv.url("")]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "200 true\nGET content-type: none \n\
         net access to \"127.0.0.1:9\" is not allowed — run again with --allow-net=127.0.0.1:9\n\
         HttpError\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The denied hop was never requested; the loop stopped after 5 redirects.
    let ev = srv.events();
    assert_eq!(ev.iter().filter(|e| *e == "GET /json").count(), 1);
    assert_eq!(ev.iter().filter(|e| *e == "GET /loop").count(), 6);
}

#[test]
fn denied_by_default() {
    let srv = Server::start();
    let out = tasks(&[], "await http.get(args()[0])", &[&srv.url("/json")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("NotCapableError"), "{err}");
    assert!(err.contains("--allow-net=127.0.0.1:"), "{err}");
    assert!(srv.events().is_empty());
}

#[test]
fn connection_refused_is_an_http_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = tasks(
        &["--allow-net=127.0.0.1"],
        "try { await http.get(args()[0]) } catch e: HttpError { print(e.message()) }",
        &[&format!("http://127.0.0.1:{port}/")],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("cannot connect to 127.0.0.1:{port}: Connection refused\n")
    );
}

/// The timeout covers the headers and the body; each time the client is
/// gone before the script's next request reaches the server.
#[test]
fn timeouts_cover_headers_and_body_and_hang_up() {
    let srv = Server::start();
    let out = run_ok(
        r#"
let base = args()[0]
try { await http.get(f"{base}/slow-headers", timeout: 0.2) } catch e: TimeoutError { print("headers", e.kind()) }
try { await http.get(f"{base}/slow-body", timeout: 0.2) } catch e: TimeoutError { print("body", e.kind()) }
await sleep(0.1)
await http.get(f"{base}/json")
"#,
        &srv,
    );
    assert_eq!(out, "headers TimeoutError\nbody TimeoutError\n");
    let ev = srv.events();
    let at = |e: &str| ev.iter().position(|x| x == e).unwrap_or(usize::MAX);
    assert!(at("/slow-body: client hung up") < at("GET /json"), "{ev:?}");
}

/// Cancelling the awaiting task (`t.cancel()`, `wait_for`) closes the
/// socket: the server sees the hang-up before the next request. Each
/// cancel comes 0.5 s after the request started, time enough for it to
/// reach the server on a loaded machine (the server only sees a hang-up
/// of a request it received).
#[test]
fn cancellation_closes_the_connection() {
    let srv = Server::start();
    let out = run_ok(
        r#"
let base = args()[0]
let t = spawn http.get(f"{base}/hang")
await sleep(0.5)
t.cancel()
try { await t } catch e: CancelledError { print("cancelled") }
await sleep(0.1)
await http.get(f"{base}/json?1")
try { await wait_for(http.get(f"{base}/hang?2"), 0.5) } catch e: TimeoutError { print("timed out") }
await sleep(0.1)
await http.get(f"{base}/json?2")
"#,
        &srv,
    );
    assert_eq!(out, "cancelled\ntimed out\n");
    let ev = srv.events();
    let hang_ups: Vec<usize> = ev
        .iter()
        .enumerate()
        .filter(|(_, e)| *e == "/hang: client hung up")
        .map(|(i, _)| i)
        .collect();
    let at = |e: &str| ev.iter().position(|x| x == e).unwrap_or(usize::MAX);
    assert_eq!(hang_ups.len(), 2, "{ev:?}");
    assert!(hang_ups[0] < at("GET /json?1"), "{ev:?}");
    assert!(at("GET /json?1") < at("GET /hang?2"), "{ev:?}");
    assert!(hang_ups[1] < at("GET /json?2"), "{ev:?}");
}

#[test]
fn a_client_resolves_against_its_base_url() {
    let srv = Server::start();
    let out = run_ok(
        r#"
let c = http.client(base_url: args()[0], headers: {"Content-Type": "text/c"}, timeout: 5)
print(c)
let r = await c.get("/json")
print(r.json()["id"], (await c.post("echo", body: "b")).text())
"#,
        &srv,
    );
    assert_eq!(
        out,
        format!(
            "<http client {}>\n1 POST content-type: text/c b\n",
            srv.url("")
        )
    );
}

/// A `tasks` process serving `script` (which prints its URL first); killed
/// when dropped.
struct Served {
    child: std::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Served {
    fn start(script: &str) -> Served {
        use std::io::BufRead;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("serve.tasks");
        std::fs::write(&file, script).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tasks"))
            .args(["run", "--allow-net=127.0.0.1"])
            .arg(&file)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
        Served {
            child,
            url: line.trim().to_string(),
            _dir: dir,
        }
    }

    /// Stops the server; what it wrote to stderr.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        err
    }
}

fn python(code: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

const ECHO_SERVER: &str = r#"
async fn handler(req) {
    if req.path() == "/boom" { throw error("kaboom", kind: "ValueError") }
    if req.path() == "/slow" { await sleep(0.2) }
    if req.method() == "POST" {
        return {"got": req.json(), "type": req.headers()["content-type"]}
    }
    return f"{req.method()} {req.path()} {req.query()}"
}
let s = http.serve(handler)
print(s.url())
await s.wait()
"#;

/// CPython's urllib as the client: text, JSON, a 500, and 40 requests at
/// once from threads against a handler that sleeps (they overlap: all 40
/// are answered while each handler waits).
#[test]
fn http_serve_answers_cpython_urllib() {
    let srv = Served::start(ECHO_SERVER);
    let out = python(
        r#"
import json, sys, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor
base = sys.argv[1]
with urllib.request.urlopen(base + "/hello?x=1&y=a+b") as r:
    print(r.status, r.headers["Content-Type"], r.read().decode())
req = urllib.request.Request(base + "/echo", data=json.dumps({"a": [1, 2]}).encode(),
                             headers={"Content-Type": "application/json"}, method="POST")
with urllib.request.urlopen(req) as r:
    print(r.status, r.headers["Content-Type"], json.loads(r.read()))
try:
    urllib.request.urlopen(base + "/boom")
except urllib.error.HTTPError as e:
    print(e.code)
def slow(i):
    with urllib.request.urlopen(base + "/slow?i=%d" % i, timeout=30) as r:
        return r.read().decode()
with ThreadPoolExecutor(40) as ex:
    got = list(ex.map(slow, range(40)))
print(len(got), got[39])
"#,
        &[&srv.url],
    );
    let err = srv.stop();
    assert_eq!(
        out,
        "200 text/plain; charset=utf-8 GET /hello {\"x\": \"1\", \"y\": \"a b\"}\n\
         200 application/json {'got': {'a': [1, 2]}, 'type': 'application/json'}\n\
         500\n\
         40 GET /slow {\"i\": \"39\"}\n"
    );
    assert!(
        err.contains("warning: the http handler failed on GET /boom; the client got a 500"),
        "{err}"
    );
    assert!(err.contains("kaboom"), "{err}");
}

/// Started with a soft limit of 256 open files (a hard one of 4,096),
/// `tasks` raises its soft limit to the hard one: 300 requests at once to
/// its own server (600 sockets) all succeed, and a program it starts
/// inherits the raised limit. Before, every request past the 256th
/// descriptor failed with "Too many open files".
#[test]
fn a_low_soft_open_file_limit_is_raised_to_the_hard_one() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("many.tasks"),
        r#"
let s = http.serve(fn(req) { return "ok" })
let rs = await gather([http.get(s.url()) for i in range(300)], return_errors: true)
print(len([r for r in rs if type(r) == "response" and r.status() == 200]))
s.close()
print((await process.shell("ulimit -Sn")).stdout().strip())
"#,
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tasks"));
    cmd.args([
        "run",
        "--allow-net=127.0.0.1",
        "--allow-run=sh",
        "many.tasks",
    ])
    .current_dir(dir.path());
    // SAFETY: runs in the child between fork and exec, calling only
    // setrlimit(2), which is async-signal-safe; the struct lives on the
    // child's stack.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 256,
                rlim_max: 4096,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "300\n4096\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success());
}

/// 1,000 requests at once, the script fetching from its own server: every
/// one answered, none failed.
#[test]
fn http_serve_takes_a_thousand_concurrent_requests() {
    let out = tasks(
        &["--allow-net=127.0.0.1"],
        r#"
async fn handler(req) {
    await sleep(0.01)
    return {"n": req.query()["n"]}
}
let s = http.serve(handler)
let ts = []
for i in range(1000) {
    ts.push(http.get(f"{s.url()}/?n={i}"))
}
let rs = await gather(ts, return_errors: true)
let ok = 0
let wrong = []
for i in range(1000) {
    let r = rs[i]
    if type(r) == "response" and r.status() == 200 and r.json()["n"] == str(i) {
        ok += 1
    } else if len(wrong) < 3 {
        wrong.push(r)
    }
}
print(ok, wrong)
s.close()
"#,
        &[],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1000 []\n",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success());
}

/// CPython's `socket` as the client of `net.listen`: lines echoed, a
/// partial read, several connections at once (threads), and the server
/// hanging up when its handler returns.
#[test]
fn net_listen_talks_to_cpython_sockets() {
    let srv = Served::start(
        r#"
async fn handler(stream) {
    let name = await stream.read_line()
    await stream.write(f"hi {name}\n")
    let n = 0
    while true {
        let line = await stream.read_line()
        if line == nil or line == "bye" { break }
        await sleep(0.05)
        n += 1
        await stream.write(f"{n}: {line.upper()}\n")
    }
    await stream.write("done\n")
}
let s = net.listen(handler)
print(f"http://127.0.0.1:{s.port()}")
await s.wait()
"#,
    );
    let port = srv.url.rsplit(':').next().unwrap().to_string();
    let out = python(
        r#"
import socket, sys
from concurrent.futures import ThreadPoolExecutor
port = int(sys.argv[1])
def talk(i):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        f = s.makefile("rw", encoding="utf-8", newline="\n")
        f.write(f"client{i}\n"); f.flush()
        got = [f.readline()]
        for w in ["a", "é"]:
            f.write(w + "\n"); f.flush()
            got.append(f.readline())
        f.write("bye\n"); f.flush()
        got.append(f.readline())
        got.append(repr(f.readline()) + "\n")  # the server hung up
        return "".join(got)
print(talk(0), end="")
with ThreadPoolExecutor(20) as ex:
    results = list(ex.map(talk, range(1, 21)))
print(sum(r == talk(0).replace("client0", f"client{i}") for i, r in enumerate(results, 1)))
"#,
        &[&port],
    );
    srv.stop();
    assert_eq!(out, "hi client0\n1: A\n2: É\ndone\n''\n20\n");
}

/// `net.connect` against a CPython socket server that answers each line
/// in upper case and then closes: `read_line` gives `nil` at the end.
#[test]
fn net_connect_talks_to_a_cpython_server() {
    use std::io::BufRead;
    let mut py = Command::new("python3")
        .arg("-c")
        .arg(
            r#"
import socket
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
print(l.getsockname()[1], flush=True)
c, _ = l.accept()
f = c.makefile("rw", encoding="utf-8", newline="\n")
for _ in range(2):
    f.write(f.readline().upper()); f.flush()
c.close()
"#,
        )
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    std::io::BufReader::new(py.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let out = tasks(
        &["--allow-net=127.0.0.1"],
        r#"
let s = await net.connect("127.0.0.1", int(args()[0]))
await s.write("first\n")
print(await s.read_line())
await s.write("second line\n")
print(await s.read_line())
print(await s.read_line())
s.close()
"#,
        &[port.trim()],
    );
    let _ = py.wait();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "FIRST\nSECOND LINE\nnil\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An HTTPS server thread on 127.0.0.1:0 (rustls), answering every
/// request with a small JSON body.
struct TlsServer {
    port: u16,
}

impl TlsServer {
    fn start(cert: rustls::pki_types::CertificateDer<'static>, key: &rcgen::KeyPair) -> TlsServer {
        use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
        let config = Arc::new(config);
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { return };
                let config = config.clone();
                std::thread::spawn(move || {
                    let conn = rustls::ServerConnection::new(config).unwrap();
                    let mut tls = rustls::StreamOwned::new(conn, s);
                    let mut head = Vec::new();
                    let mut b = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut b) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&b[..n]),
                        }
                    }
                    let body = r#"{"title": "over tls"}"#;
                    let _ = write!(
                        tls,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.flush();
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        TlsServer { port }
    }
}

/// A test CA and a certificate it signed for 127.0.0.1 (made now, so
/// nothing expires), and a self-signed certificate nobody trusts.
struct TestCerts {
    ca_pem: String,
    leaf: rustls::pki_types::CertificateDer<'static>,
    leaf_key: rcgen::KeyPair,
    self_signed: rustls::pki_types::CertificateDer<'static>,
    self_signed_key: rcgen::KeyPair,
}

fn test_certs() -> TestCerts {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "tasks test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let self_signed_key = KeyPair::generate().unwrap();
    let self_signed = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&self_signed_key)
        .unwrap();
    TestCerts {
        ca_pem: ca_cert.pem(),
        leaf: leaf.der().clone(),
        leaf_key,
        self_signed: self_signed.der().clone(),
        self_signed_key,
    }
}

const TLS_CLIENT: &str = r#"
try {
    let r = await http.get(args()[0])
    print(r.status(), r.json()["title"])
} catch e: HttpError {
    print("HttpError", e.message())
}
"#;

/// `https://` against a certificate signed by a CA made at test time:
/// trusted through `TASKS_CA_FILE`, refused without it, and a self-signed
/// certificate is refused.
#[test]
fn https_trusts_roots_from_tasks_ca_file() {
    let certs = test_certs();
    let good = TlsServer::start(certs.leaf.clone(), &certs.leaf_key);
    let bad = TlsServer::start(certs.self_signed.clone(), &certs.self_signed_key);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &certs.ca_pem).unwrap();
    let url = format!("https://127.0.0.1:{}/post", good.port);
    let with_ca = |url: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tasks"));
        let file = dir.path().join("client.tasks");
        std::fs::write(&file, TLS_CLIENT).unwrap();
        cmd.args(["run", "--allow-net=127.0.0.1"])
            .arg(&file)
            .arg(url)
            .env("TASKS_CA_FILE", &ca_file);
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).to_string()
    };
    assert_eq!(with_ca(&url), "200 over tls\n");
    let out = tasks(&["--allow-net=127.0.0.1"], TLS_CLIENT, &[&url]);
    let out = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.starts_with(&format!("HttpError {url}: TLS: invalid peer certificate")),
        "{out}"
    );
    assert!(out.contains("UnknownIssuer"), "{out}");
    let self_signed = with_ca(&format!("https://127.0.0.1:{}/", bad.port));
    assert!(
        self_signed.starts_with("HttpError ") && self_signed.contains("invalid peer certificate"),
        "{self_signed}"
    );
}

/// The end of one program closes its servers; the next program on the
/// same engine serves again.
#[test]
fn an_engine_serves_again_in_its_next_program() {
    let out = Buf::default();
    let mut engine = tasks::Engine::builder()
        .permissions(tasks::Permissions::none().allow_net(["127.0.0.1"]))
        .stdout(out.clone())
        .build();
    let script = r#"
let s = http.serve(fn(req) { return "served " + req.path() })
print((await http.get(s.url() + "/again")).text())
"#;
    assert_eq!(engine.run("one.tasks", script), 0);
    assert_eq!(engine.run("two.tasks", script), 0);
    assert_eq!(out.text(), "served /again\nserved /again\n");
}

/// An embedding program adds a root with `EngineBuilder::add_root_certificate`.
#[test]
fn https_trusts_a_root_given_to_the_engine() {
    let certs = test_certs();
    let srv = TlsServer::start(certs.leaf.clone(), &certs.leaf_key);
    let out = Buf::default();
    let mut engine = tasks::Engine::builder()
        .permissions(tasks::Permissions::none().allow_net(["127.0.0.1"]))
        .add_root_certificate(certs.ca_pem.clone())
        .stdout(out.clone())
        .build();
    engine.set_args(vec![format!("https://127.0.0.1:{}/", srv.port)]);
    assert_eq!(engine.run("client.tasks", TLS_CLIENT), 0);
    assert_eq!(out.text(), "200 over tls\n");
    let out = Buf::default();
    let mut engine = tasks::Engine::builder()
        .permissions(tasks::Permissions::none().allow_net(["127.0.0.1"]))
        .add_root_certificate("not a certificate")
        .stdout(out.clone())
        .build();
    engine.set_args(vec![format!("https://127.0.0.1:{}/", srv.port)]);
    engine.run("client.tasks", TLS_CLIENT);
    assert_eq!(
        out.text(),
        "HttpError root certificate 1: no certificate in it\n"
    );
}

/// Ctrl-C while serving: the main task is cancelled, which closes the
/// server it started and cancels the handler still running; the client
/// sees the connection close without an answer.
#[test]
fn ctrl_c_stops_a_server_and_its_handlers() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("forever.tasks");
    std::fs::write(
        &file,
        r#"
async fn handler(req) {
    print("handler started")
    try { await sleep(100) } finally { print("handler cancelled") }
}
let s = http.serve(handler)
print(s.url())
try { await s.wait() } finally { print("main cancelled") }
"#,
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tasks"))
        .args(["run", "--allow-net=127.0.0.1"])
        .arg(&file)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    let addr = url.trim_start_matches("http://").to_string();
    let client = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        got
    });
    assert_eq!(lines.next().unwrap().unwrap(), "handler started");
    // SAFETY: kill(2) on the pid of a child this test started and has not waited for.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    assert_eq!(status.code(), Some(130));
    assert_eq!(rest, ["main cancelled", "handler cancelled"]);
    assert!(client.join().unwrap().is_empty(), "no answer was sent");
}

#[test]
fn urls_are_joined_as_rfc_3986_says_and_ports_are_checked() {
    // Issue 24: a redirect whose query holds `://` was refused, a `Host`
    // header given in `headers:` went out twice, and port 99999 became 80.
    let srv = Server::start();
    let out = run_ok(
        r#"
let base = args()[0]
let r = await http.get(f"{base}/a/redirect-query")
print(r.status(), r.url() == f"{base}/json?from=http://127.0.0.1/x")
print((await http.get(f"{base}/host", headers: {"Host": "example.test"})).text())
try { await http.get("http://127.0.0.1:99999/") } catch e: ValueError { print(e.kind()) }
"#,
        &srv,
    );
    assert_eq!(out, "200 true\nhost: example.test\nValueError\n");
}

#[test]
fn params_are_encoded_and_so_are_spaces_and_non_ascii() {
    // Issue 27: `params:` adds an encoded query (after the URL's own), and
    // a space or a non-ASCII character in a path or query goes out
    // %-escaped, never as an "invalid uri character" error.
    let srv = Server::start();
    let out = run_ok(
        r#"
let base = args()[0]
let r = await http.get(f"{base}/json?x=1#frag", params: {"q": "café au lait", "n": [1, 2], "skip": nil})
print(r.status(), r.url() == f"{base}/json?x=1&q=caf%C3%A9+au+lait&n=1&n=2")
await http.get(f"{base}/a b/é?q=x y&w=ü")
await http.post(f"{base}/echo", params: [["a", "&="], ["a", "/"]], body: "x")
let c = http.client(base_url: base, params: {"key": "k y"})
await c.get("/json", params: {"page": 2})
try { await http.get(base, params: {"a": {"b": 1}}) } catch e { print(e.kind(), e.message()) }
"#,
        &srv,
    );
    assert_eq!(
        out,
        "200 true\nTypeError `params:`: a `map` cannot be a query name or value\n"
    );
    assert_eq!(
        srv.events(),
        [
            "GET /json?x=1&q=caf%C3%A9+au+lait&n=1&n=2",
            "GET /a%20b/%C3%A9?q=x%20y&w=%C3%BC",
            "POST /echo?a=%26%3D&a=%2F",
            "GET /json?key=k+y&page=2",
        ]
    );
}

/// An HTTP/1.1 server that keeps connections open (or, with
/// `close_after: 1`, closes each after one answer without saying so, as a
/// server whose idle timeout ran out does) and counts the connections it
/// accepts.
fn keep_alive_server(close_after: usize) -> (u16, Arc<Mutex<usize>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let accepts: Arc<Mutex<usize>> = Arc::default();
    let counted = accepts.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            *counted.lock().unwrap() += 1;
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                for _ in 0..close_after {
                    let Some(head_end) = read_head(&mut s, &mut buf) else {
                        return;
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    buf.drain(..head_end);
                    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let body = format!("ok {path}");
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if s.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, accepts)
}

#[test]
fn connections_are_kept_alive_and_reused() {
    // Issue 27: 1,000 sequential requests to one host, through the module
    // functions and a client, go over one connection; a connection the
    // server closed while it was idle is not reused (or, for a GET, is
    // retried on a new one); a refused address is still refused.
    let (port, accepts) = keep_alive_server(usize::MAX);
    let (closing_port, closing_accepts) = keep_alive_server(1);
    let script = r#"
let base = args()[0]
let c = http.client(base_url: base)
let ok = 0
for i in range(1000) {
    let r = await (if i % 2 == 0 { c.get(f"/n/{i}") } else { http.get(f"{base}/n/{i}") })
    if r.text() == f"ok /n/{i}" { ok += 1 }
}
print(ok)
let closing = args()[1]
let fine = 0
for i in range(20) {
    if (await http.get(f"{closing}/c/{i}")).text() == f"ok /c/{i}" { fine += 1 }
}
print(fine)
try { await http.get("http://127.0.0.1:9/") } catch e: NotCapableError { print(e.kind()) }
"#;
    let base = format!("http://127.0.0.1:{port}");
    let closing = format!("http://127.0.0.1:{closing_port}");
    let out = tasks(
        &[&format!(
            "--allow-net=127.0.0.1:{port},127.0.0.1:{closing_port}"
        )],
        script,
        &[&base, &closing],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1000\n20\nNotCapableError\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        *accepts.lock().unwrap(),
        1,
        "one connection for 1,000 requests"
    );
    assert_eq!(*closing_accepts.lock().unwrap(), 20);
}
