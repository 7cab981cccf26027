//! `process.pipe`: programs run side by side, each one's stdout the next
//! one's stdin.
//!
//! The pipes between them are the kernel's (`std::io::pipe`, each end
//! handed to the child that uses it and closed here once it has started),
//! so the data never passes through the script: the pipeline runs as fast
//! as a shell's. Only the first stdin (fed), the last stdout and every
//! stderr (captured, capped) are ours. Each child is started as `run`
//! starts one (its own process group, registered): dropping the future — a
//! cancel, a timeout, a later program that cannot start — kills every one
//! still running, with its tree.

use super::{exit_code, read_capped, reaper, spawn, ProcessFailure, RunSpec, Started};
use futures_lite::io::AsyncWriteExt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::process::Stdio;
use std::task::Poll;

/// What a finished pipeline gives back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PipeOutput {
    /// Each program's status, in order (minus the signal that ended it).
    pub codes: Vec<i32>,
    /// The last program's stdout.
    pub stdout: Vec<u8>,
    /// Each program's stderr, in order.
    pub stderr: Vec<Vec<u8>>,
}

/// Runs `specs` as a pipeline to the end: `stdin` fed to the first, the
/// last one's stdout and every stderr read (at most `cap` bytes each),
/// every status collected. Nothing starts until the future is polled.
pub(crate) async fn pipeline(
    specs: &[RunSpec],
    stdin: &[u8],
    cap: usize,
) -> Result<PipeOutput, ProcessFailure> {
    let mut started: Vec<Started> = Vec::with_capacity(specs.len());
    let mut next_stdin: Option<io::PipeReader> = None;
    for (i, spec) in specs.iter().enumerate() {
        let input = match next_stdin.take() {
            Some(r) => Stdio::from(r),
            None => Stdio::piped(),
        };
        let output = if i + 1 < specs.len() {
            let (r, w) = io::pipe()?;
            next_stdin = Some(r);
            Stdio::from(w)
        } else {
            Stdio::piped()
        };
        // The command, and with it our copy of the write end, is gone when
        // this returns: the next program sees the end of its input when
        // this one exits.
        started.push(spawn(spec, input, output, Stdio::piped())?);
    }
    let first = started.first_mut().and_then(|s| s.child.as_mut());
    let feed_pipe = first.and_then(|c| c.stdin.take());
    let last = started.last_mut().and_then(|s| s.child.as_mut());
    let stdout = last.and_then(|c| c.stdout.take());
    let feed = async {
        if let Some(mut pipe) = feed_pipe {
            match pipe.write_all(stdin).await {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
        Ok::<(), ProcessFailure>(())
    };
    let mut reads: Vec<Read> = vec![Box::pin(read_capped(stdout, cap, "stdout"))];
    for s in started.iter_mut() {
        let err = s.child.as_mut().and_then(|c| c.stderr.take());
        reads.push(Box::pin(read_capped(err, cap, "stderr")));
    }
    let ((), mut outputs) = futures_lite::future::try_zip(feed, all(reads)).await?;
    let stdout = outputs.remove(0);
    let mut codes = Vec::with_capacity(started.len());
    for s in started.iter_mut() {
        let child = s.child.as_mut().expect("not yet reaped");
        let status = child.status().await?;
        s.group.exited();
        reaper::reaped(child.id());
        s.child = None;
        codes.push(exit_code(status));
    }
    Ok(PipeOutput {
        codes,
        stdout,
        stderr: outputs,
    })
}

type Read = Pin<Box<dyn Future<Output = Result<Vec<u8>, ProcessFailure>>>>;

/// Awaits every read at once (each pipe drained while the others are, so
/// none fills up and stalls its program); the first error ends it.
async fn all(mut reads: Vec<Read>) -> Result<Vec<Vec<u8>>, ProcessFailure> {
    let mut done: Vec<Option<Vec<u8>>> = reads.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (read, slot) in reads.iter_mut().zip(done.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            match read.as_mut().poll(cx) {
                Poll::Ready(Ok(bytes)) => *slot = Some(bytes),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => pending = true,
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(Ok(done.iter_mut().filter_map(Option::take).collect()))
        }
    })
    .await
}
