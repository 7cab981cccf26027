//! The network grants, tried as an attacker would (issue 23): each test
//! is named after the hole it closes. Every target is a listener this
//! test starts on 127.0.0.1 (port 0); a refused attempt must leave it
//! without a connection. Loads are bounded in count and in time.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::Duration;

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

#[test]
fn deny_net_by_address_is_not_bypassed_by_a_short_form_127_1() {
    connect_is_denied("127.1");
}

#[test]
fn deny_net_by_address_is_not_bypassed_by_the_any_address_0_0_0_0() {
    connect_is_denied("0.0.0.0");
}

#[test]
fn deny_net_by_address_is_not_bypassed_by_a_decimal_integer() {
    connect_is_denied("2130706433");
}

#[test]
fn deny_net_by_address_is_not_bypassed_by_hex() {
    connect_is_denied("0x7f000001");
}

#[test]
fn deny_net_by_address_is_not_bypassed_by_an_octal_part() {
    connect_is_denied("127.0.0.01");
}

#[test]
fn deny_net_by_address_is_not_bypassed_by_an_ipv4_mapped_ipv6_address() {
    connect_is_denied("::ffff:127.0.0.1");
}

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

#[test]
fn an_address_grant_is_reached_in_any_spelling_and_nothing_else_is() {
    // The other side of judging by address: 127.1 is 127.0.0.1.
    let t = Target::start();
    let port = t.port.to_string();
    let out = tasks(&["--allow-net=127.0.0.1"], CONNECT, &["127.1", &port]);
    assert_eq!(stdout(&out), "reached\n");
    assert!(t.was_reached());
    let out = tasks(&["--allow-net=127.0.0.2"], CONNECT, &["127.1", &port]);
    assert!(
        stdout(&out).starts_with("NotCapableError"),
        "{}",
        stdout(&out)
    );
    assert!(!t.was_reached());
}

#[test]
fn http_get_does_not_reach_a_denied_address_by_another_spelling() {
    let t = Target::start();
    let script = r#"
try {
    await http.get(args()[0], timeout: 5)
    print("reached")
} catch e: NotCapableError {
    print(e.kind())
}
"#;
    for url in [
        format!("http://127.1:{}/", t.port),
        format!("http://0x7f000001:{}/", t.port),
        format!("http://[::ffff:127.0.0.1]:{}/", t.port),
        format!("http://localhost:{}/", t.port),
    ] {
        let out = tasks(&["--allow-net", "--deny-net=127.0.0.1"], script, &[&url]);
        assert_eq!(stdout(&out), "NotCapableError\n", "{url}");
        assert!(!t.was_reached(), "{url}");
    }
}

/// A server on 127.0.0.1 that answers every request with a redirect to
/// `location`, and counts the requests.
fn redirecting_server(location: String) -> (u16, std::sync::mpsc::Receiver<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for s in l.incoming().take(10) {
            let Ok(mut s) = s else { return };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = tx.send(());
        }
    });
    (port, rx)
}

#[test]
fn an_http_redirect_does_not_reach_a_denied_address_by_another_spelling() {
    let t = Target::start();
    let (port, served) = redirecting_server(format!("http://2130706433:{}/x", t.port));
    let script = r#"
try {
    await http.get(args()[0], timeout: 5)
    print("reached")
} catch e: NotCapableError {
    print(e.message())
}
"#;
    let deny = format!("--deny-net=127.0.0.1:{}", t.port);
    let url = format!("http://127.0.0.1:{port}/");
    let out = tasks(&["--allow-net", &deny], script, &[&url]);
    assert_eq!(
        stdout(&out),
        format!(
            "net access to \"2130706433:{p}\" is not allowed — it is denied by {deny}\n",
            p = t.port
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(served.try_recv().is_ok(), "the first hop was made");
    assert!(!t.was_reached());
}

#[test]
fn listening_on_a_denied_address_by_another_spelling_is_refused() {
    for (call, host) in [
        ("net.listen", "127.1"),
        ("http.serve", "localhost"),
        ("http.serve", "0x7f000001"),
    ] {
        let script = format!(
            r#"
try {{
    let s = {call}(fn(x) {{ return nil }}, host: "{host}", port: 0)
    print("listening", s.url())
}} catch e: NotCapableError {{
    print(e.kind())
}}
"#
        );
        let out = tasks(&["--allow-net", "--deny-net=127.0.0.1"], &script, &[]);
        assert_eq!(stdout(&out), "NotCapableError\n", "{call} on {host}");
    }
}
