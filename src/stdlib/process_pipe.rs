//! `process.pipe(programs, stdin:, check:, cwd:, env:)` as scripts see it:
//! `[["grep", "x"], ["sort"], ["uniq", "-c"]]`, each program a list of its
//! name and arguments, connected by the kernel's pipes (`process/
//! pipeline.rs`). Every program passes the `--allow-run` check before any
//! starts; the result is `run`'s, with each status in `codes()`.

use super::process::{self as rust, RunOutput, DEFAULT_OUTPUT_CAP};
use super::process_api::{checked_spec, failure, place_args, Finished};
use crate::{Args, NativeCtx, NativeFuture, ScriptError, Value};

/// The signal a program gets when it writes to a pipe whose reader has
/// gone (13 on Linux and macOS): how `yes` ends in `yes | head -3`.
const SIGPIPE: i32 = 13;

pub(super) fn pipe(ctx: &mut NativeCtx<'_>, mut args: Args) -> Result<NativeFuture, ScriptError> {
    let programs: Vec<Vec<String>> = args.next("programs")?;
    let place = place_args(&mut args)?;
    let stdin = match args.named::<Value>("stdin")? {
        Some(v) => super::bytes::data_arg("process.pipe", "stdin", &v)?.into_owned(),
        None => Vec::new(),
    };
    let check = args.named::<bool>("check")?.unwrap_or(true);
    args.finish()?;
    if programs.is_empty() {
        return Err(ScriptError::new("ValueError", "process.pipe() needs at least one program").with_help("give a list of programs, each a list of its name and arguments: [[\"sort\"], [\"uniq\", \"-c\"]]"));
    }
    let mut specs = Vec::with_capacity(programs.len());
    for (i, mut words) in programs.into_iter().enumerate() {
        if words.is_empty() {
            return Err(ScriptError::new(
                "ValueError",
                format!("program {} of the pipe is an empty list", i + 1),
            )
            .with_help("each program is a list of its name and arguments: [\"grep\", \"x\"]"));
        }
        let cmd = words.remove(0);
        specs.push(checked_spec(ctx, cmd, words, &place)?);
    }
    Ok(Box::pin(async move {
        let out = rust::pipeline(&specs, &stdin, DEFAULT_OUTPUT_CAP)
            .await
            .map_err(|e| failure(&e))?;
        let n = out.codes.len();
        if check {
            if let Some(i) = failed(&out.codes) {
                let err = RunOutput {
                    code: out.codes[i],
                    stdout: out.stdout,
                    stderr: out.stderr[i].clone(),
                };
                return Err(check_error(&specs[i].cmd, i, n, &err, &out.codes));
            }
        }
        let run = RunOutput {
            code: out.codes[n - 1],
            stdout: out.stdout,
            stderr: out.stderr.concat(),
        };
        Ok(Value::object(Finished(run, out.codes)))
    }))
}

/// The first program that failed: a status other than 0, except a
/// program before the last ended by SIGPIPE — the program after it stopped
/// reading, as `head` does, which is how a pipe is meant to end early.
/// (A shell looks only at the last status, so a `grep` that failed in the
/// middle goes unseen; `set -o pipefail` sees it, and also fails `yes |
/// head`.)
pub(super) fn failed(codes: &[i32]) -> Option<usize> {
    let last = codes.len().saturating_sub(1);
    (0..codes.len()).find(|&i| codes[i] != 0 && !(i < last && codes[i] == -SIGPIPE))
}

/// `check: true` and a program that failed: a `ProcessError` naming it,
/// with its status and the end of its stderr.
fn check_error(cmd: &str, i: usize, n: usize, out: &RunOutput, codes: &[i32]) -> ScriptError {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    let mut msg = format!(
        "`{cmd}` (program {} of {n} in the pipe) exited with status {}",
        i + 1,
        out.code
    );
    if !tail.is_empty() {
        msg.push_str(": ");
        msg.push_str(&tail.join(" | "));
    }
    ScriptError::new("ProcessError", msg)
        .with_help("pass `check: false` to get the result whatever the statuses")
        .with_fields(&[
            ("code", Value::Int(out.code.into())),
            (
                "codes",
                Value::list(codes.iter().map(|&c| Value::Int(c.into())).collect()),
            ),
            ("stdout", Value::str(&out.stdout_text())),
            ("stderr", Value::str(&out.stderr_text())),
        ])
}
