//! The REPL's history file holds what was typed (tokens, passwords):
//! readable by its owner only, as shells keep theirs.

use rexpect::process::PtyProcess;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Starts the REPL in a pty with `data` as its data folder, types a line,
/// and ends it with Ctrl-D once the line's answer came back.
fn session(data: &Path) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tasks"));
    cmd.env("XDG_DATA_HOME", data)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut process = PtyProcess::new(cmd).expect("start the REPL in a pty");
    let mut reader = process.get_file_handle().unwrap();
    let mut writer = process.get_file_handle().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0
                || tx
                    .send(String::from_utf8_lossy(&buf[..n]).into_owned())
                    .is_err()
            {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = String::new();
    let mut typed = false;
    while !seen.contains("4242") {
        assert!(Instant::now() < deadline, "the REPL did not answer: {seen}");
        let Ok(text) = rx.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        // Answer the editor's cursor-position queries as a terminal does.
        for _ in 0..text.matches("\x1b[6n").count() {
            writer.write_all(b"\x1b[1;1R").unwrap();
        }
        seen.push_str(&text);
        if !typed && seen.contains(":help for help") && seen.contains("\x1b[6n") {
            writer
                .write_all(b"let secret = 4200 + 42; print(secret)\r")
                .unwrap();
            typed = true;
        }
    }
    writer.write_all(b"\x04").unwrap();
    let _ = process.exit();
}

#[test]
fn the_history_file_is_created_readable_by_its_owner_only() {
    let data = tempfile::tempdir().unwrap();
    session(data.path());
    let history = data.path().join("tasks/history");
    assert!(
        std::fs::read_to_string(&history)
            .unwrap()
            .contains("4200 + 42"),
        "the line was kept"
    );
    assert_eq!(mode(&history), 0o600);
}

#[test]
fn a_history_file_readable_by_others_is_made_private() {
    let data = tempfile::tempdir().unwrap();
    let history = data.path().join("tasks/history");
    std::fs::create_dir_all(history.parent().unwrap()).unwrap();
    std::fs::write(&history, "print(1)\n").unwrap();
    std::fs::set_permissions(&history, std::fs::Permissions::from_mode(0o644)).unwrap();
    session(data.path());
    assert_eq!(mode(&history), 0o600);
}
