//! Helpers the integration tests share. Each test binary that says
//! `mod common;` compiles its own copy, and one that uses only some of
//! them would warn about the rest: hence the `allow`.
#![allow(dead_code)]

pub mod attack;

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};
use std::rc::Rc;

/// What a `tasks` process did: exit status (-1 if a signal ended it) and
/// its two streams as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// `tasks run FLAGS main.tasks` with `script` as `main.tasks` in `dir`
/// (also its current folder), without colours.
pub fn run_in(dir: &Path, flags: &[&str], script: &str) -> Run {
    std::fs::write(dir.join("main.tasks"), script).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("run")
        .args(flags)
        .arg("main.tasks")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
        .into()
}

/// [`run_in`] a fresh temporary folder.
pub fn run(flags: &[&str], script: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    run_in(dir.path(), flags, script)
}

/// An output sink for an embedded engine that the test reads back.
#[derive(Clone, Default)]
pub struct Buf(Rc<RefCell<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buf {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}
