//! The `process` module's Rust side: `run` (and so `shell`), the
//! streaming `Child` of `start`, and `pipe` (`pipeline.rs`), on
//! async-process.
//!
//! Every child runs in its own process group. Killing a child kills its
//! whole tree ([`tree::kill_tree`]: every descendant, even one that left
//! the group with `setsid`, found through `/proc`) and then the group
//! (which also reaches a member whose parent has exited). A [`Group`]
//! does that when the child is dropped before it was seen to exit — which
//! is what happens when a script cancels the task awaiting `run`, or a
//! timeout fires — and the child's status is then collected in the
//! background ([`reaper`]: no zombie). Live groups are also kept in a
//! process-wide registry, each under the engine that started it: the end
//! of an engine's program kills its own with [`kill_engine`] (another
//! engine of the host keeps its children), and the Ctrl-C handler (which
//! exits without running destructors) kills them all with [`kill_all`].
//! As a subreaper (the `tasks` command), the end of the program also kills
//! the orphans handed to us: nothing a script started outlives it.
//!
//! A child in its own group no longer gets the terminal's Ctrl-C; that is
//! why the interpreter must call [`kill_all`] itself.

mod child;
mod pipeline;
mod reaper;
mod tree;

pub(crate) use child::Child;

pub(crate) use pipeline::pipeline;
pub(crate) use reaper::become_subreaper;
// Public through `tasks::signals` (the golden runner kills what a case left).
pub(crate) use reaper::{is_subreaper, reap_if_exited};
pub(crate) use tree::{children, kill_tree, wait_for_killed};

use super::lines::{Line, LineReader};
use async_lock::Mutex as AsyncMutex;
use futures_lite::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

/// Captured output past this many bytes (per stream) is an error, unless
/// the caller sets another cap.
pub(crate) const DEFAULT_OUTPUT_CAP: usize = 16 << 20;

/// What to start, and how.
#[derive(Clone, Debug)]
pub(crate) struct RunSpec {
    /// A program name (looked up in `PATH`) or a path: the child's
    /// `argv[0]`, and its name in messages.
    pub cmd: String,
    /// The file to run, when the permission check resolved `cmd` already
    /// (scripts' children always: then the child's `env:` and `cwd:`
    /// cannot change which file runs). `None`: `cmd`, looked up as
    /// `execvp` does, in the child's `PATH` and from its `cwd`.
    pub program: Option<PathBuf>,
    pub args: Vec<String>,
    /// Where the child starts; `None`: where we are.
    pub cwd: Option<PathBuf>,
    /// Variables set for the child, on top of ours (or instead of ours
    /// with `clear_env`).
    pub env: Vec<(String, String)>,
    pub clear_env: bool,
    /// Fed to the child's stdin, which is then closed (`""`: closed at
    /// once, so a child never waits on the terminal).
    pub stdin: Vec<u8>,
    /// Most bytes kept from stdout, and from stderr; past it the run
    /// fails with [`ProcessFailure::OutputTooLarge`]. For `Child`, the
    /// longest line `read_line` accepts.
    pub output_cap: usize,
    /// Where a started child's (`Child::start`) standard streams go: by
    /// default its stdin and stdout are pipes to us and its stderr is ours.
    pub stdin_io: Io,
    pub stdout_io: Io,
    pub stderr_io: Io,
    /// The engine that starts it (`NativeCtx::engine_id`; 0: none): the
    /// end of that engine's program kills it.
    pub engine: u64,
}

/// Where a child's standard stream goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Io {
    /// A pipe to us (read a line at a time, or written).
    Pipe,
    /// Ours: the terminal, for an interactive child.
    Inherit,
    /// `/dev/null`.
    Null,
}

impl Io {
    fn stdio(self) -> Stdio {
        match self {
            Io::Pipe => Stdio::piped(),
            Io::Inherit => Stdio::inherit(),
            Io::Null => Stdio::null(),
        }
    }
}

/// Which output of a child to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pipe {
    Stdout,
    Stderr,
}

impl RunSpec {
    pub(crate) fn new(
        cmd: impl Into<String>,
        args: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        RunSpec {
            cmd: cmd.into(),
            program: None,
            args: args.into_iter().map(Into::into).collect(),
            cwd: None,
            env: Vec::new(),
            clear_env: false,
            stdin: Vec::new(),
            output_cap: DEFAULT_OUTPUT_CAP,
            stdin_io: Io::Pipe,
            stdout_io: Io::Pipe,
            stderr_io: Io::Inherit,
            engine: 0,
        }
    }
}

/// What a finished `run` gives back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RunOutput {
    /// The exit status, or minus the signal number that ended the child
    /// (as Python's `returncode`).
    pub code: i32,
    /// As the child wrote them (`stdout_bytes()`); `stdout()` decodes
    /// them as UTF-8, invalid bytes replaced by U+FFFD.
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl RunOutput {
    /// stdout decoded as UTF-8, invalid bytes replaced by U+FFFD.
    pub(crate) fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    /// stderr, likewise.
    pub(crate) fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Why a process could not be run to the end.
#[derive(Debug)]
pub(crate) enum ProcessFailure {
    /// It could not be started (no such program, not executable, bad cwd).
    Spawn { program: String, error: io::Error },
    /// It wrote more than the cap to one stream; it has been killed.
    OutputTooLarge { stream: &'static str, cap: usize },
    /// A line from `read_line` was longer than the cap.
    LineTooLong { cap: usize },
    /// Reading or writing a pipe failed.
    Io(io::Error),
}

impl ProcessFailure {
    /// The error kind a script sees.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            ProcessFailure::Spawn { error, .. } => match error.kind() {
                io::ErrorKind::NotFound => "FileNotFoundError",
                io::ErrorKind::PermissionDenied => "PermissionError",
                _ => "OSError",
            },
            ProcessFailure::OutputTooLarge { .. } => "ProcessError",
            // As asyncio's `readline` past its limit.
            ProcessFailure::LineTooLong { .. } => "ValueError",
            ProcessFailure::Io(_) => "OSError",
        }
    }
}

impl fmt::Display for ProcessFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProcessFailure::Spawn { program, error } => {
                write!(f, "cannot run \"{program}\": {}", plain_io_message(error))
            }
            ProcessFailure::OutputTooLarge { stream, cap } => write!(
                f,
                "the process wrote more than {cap} bytes to {stream}, so it was killed"
            ),
            ProcessFailure::LineTooLong { cap } => {
                write!(f, "a line of output is longer than {cap} bytes")
            }
            ProcessFailure::Io(e) => write!(f, "{}", plain_io_message(e)),
        }
    }
}

impl std::error::Error for ProcessFailure {}

/// `No such file or directory` rather than `... (os error 2)`.
fn plain_io_message(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl From<io::Error> for ProcessFailure {
    fn from(e: io::Error) -> Self {
        ProcessFailure::Io(e)
    }
}

/// The children that may still be running, by process group. Process-wide,
/// not per engine, because the Ctrl-C handler runs on its own thread and
/// must reach them all.
static LIVE_GROUPS: Mutex<BTreeMap<i32, Arc<Group>>> = Mutex::new(BTreeMap::new());

fn live_groups() -> std::sync::MutexGuard<'static, BTreeMap<i32, Arc<Group>>> {
    LIVE_GROUPS.lock().unwrap_or_else(|p| p.into_inner())
}

/// SIGKILLs every live child with its tree and group, and as a subreaper
/// every other process below us, and waits (bounded) until every process
/// killed so far is dead. For the Ctrl-C handler; safe to call from any
/// thread, any number of times. Returns how many children it killed.
pub(crate) fn kill_all() -> usize {
    let groups = std::mem::take(&mut *live_groups());
    for group in groups.values() {
        group.kill();
    }
    if reaper::is_subreaper() && reaper::spawned() {
        tree::kill_tree(std::process::id() as i32, false);
    }
    tree::wait_for_killed(KILLED_DIE_WITHIN);
    groups.len()
}

/// How long the end of a program waits for the processes it killed to be
/// dead (a SIGKILL lands when the kernel next runs the process): so that
/// nothing it started runs on once it has ended.
const KILLED_DIE_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

/// SIGKILLs the children engine `engine` started that may still run, with
/// their trees and groups: the end of its program (children held by a
/// value that outlives the program's tasks). As a subreaper, also the
/// orphans handed to us. Then waits (bounded) until every process killed
/// so far, these and those cancels killed earlier, is dead. Returns how
/// many children it killed.
pub(crate) fn kill_engine(engine: u64) -> usize {
    let mine: Vec<Arc<Group>> = {
        let mut live = live_groups();
        let mine: Vec<i32> = (live.iter())
            .filter(|(_, g)| g.engine == engine)
            .map(|(&pgid, _)| pgid)
            .collect();
        mine.iter().filter_map(|pgid| live.remove(pgid)).collect()
    };
    for group in &mine {
        group.kill();
    }
    reaper::kill_orphans();
    tree::wait_for_killed(KILLED_DIE_WITHIN);
    mine.len()
}

/// How many child groups are registered as live (for tests and `:tasks`).
#[cfg(test)]
pub(crate) fn live_count() -> usize {
    live_groups().len()
}

fn kill_group(pgid: i32) {
    if let Some(pid) = rustix::process::Pid::from_raw(pgid) {
        // ESRCH (the group is already gone) is fine.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// A child (the leader of its process group), registered while it may
/// run, with what killing it needs.
///
/// Its pid (and so its group id) cannot be reused while it is unreaped:
/// `exited` is set, under its lock, when its status is collected, and a
/// kill takes the lock and kills only while it is unset. (A child whose
/// status async-process collects in the middle of `run` is awaited on the
/// thread that would kill it, so the two cannot meet either.)
#[derive(Debug)]
struct Group {
    pgid: i32,
    engine: u64,
    exited: Mutex<bool>,
}

impl Group {
    fn new(pid: u32, engine: u64) -> Arc<Group> {
        let group = Arc::new(Group {
            pgid: pid as i32,
            engine,
            exited: Mutex::new(false),
        });
        live_groups().insert(group.pgid, group.clone());
        group
    }

    fn exited_lock(&self) -> std::sync::MutexGuard<'_, bool> {
        self.exited.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The child exited (its status was collected): leave anything it left
    /// behind alone (until the end of the program).
    fn exited(&self) {
        *self.exited_lock() = true;
        live_groups().remove(&self.pgid);
    }

    /// SIGKILLs the child, its tree and its group, unless it was seen to
    /// exit.
    fn kill(&self) {
        let exited = self.exited_lock();
        if !*exited {
            tree::kill_tree(self.pgid, true);
            kill_group(self.pgid);
        }
        drop(exited);
        live_groups().remove(&self.pgid);
    }
}

fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| -s))
        .unwrap_or(-1)
}

fn command(spec: &RunSpec, stdin: Stdio, stdout: Stdio, stderr: Stdio) -> async_process::Command {
    let program = spec.program.as_deref().unwrap_or(Path::new(&spec.cmd));
    let mut std_cmd = std::process::Command::new(program);
    std_cmd.arg0(&spec.cmd).args(&spec.args).process_group(0);
    if let Some(dir) = &spec.cwd {
        std_cmd.current_dir(dir);
    }
    if spec.clear_env {
        std_cmd.env_clear();
    }
    std_cmd.envs(spec.env.iter().map(|(k, v)| (k, v)));
    let mut cmd = async_process::Command::from(std_cmd);
    cmd.stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        // A second line: every child is reaped (or killed and handed to
        // the background reaper) before it is dropped.
        .kill_on_drop(true);
    cmd
}

/// A started child and its group. Dropped before the child's status was
/// collected (`child` still there), it kills the child while it is still
/// unreaped (so its id cannot have been reused), then hands it to the
/// background reaper.
struct Started {
    group: Arc<Group>,
    child: Option<async_process::Child>,
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            self.group.kill();
            reaper::reap_in_background(child);
        }
    }
}

fn spawn(
    spec: &RunSpec,
    stdin: Stdio,
    stdout: Stdio,
    stderr: Stdio,
) -> Result<Started, ProcessFailure> {
    let child = reaper::spawn(&mut command(spec, stdin, stdout, stderr)).map_err(|error| {
        ProcessFailure::Spawn {
            program: spec.cmd.clone(),
            error,
        }
    })?;
    let group = Group::new(child.id(), spec.engine);
    Ok(Started {
        group,
        child: Some(child),
    })
}

/// Runs a program to the end: feeds `stdin`, reads stdout and stderr at
/// the same time (so neither pipe fills up and blocks the child), waits
/// for it to exit. Nothing starts until the future is first polled; if it
/// is dropped before the end, the child's whole process group is killed.
pub(crate) async fn run(spec: RunSpec) -> Result<RunOutput, ProcessFailure> {
    let mut started = spawn(&spec, Stdio::piped(), Stdio::piped(), Stdio::piped())?;
    let child = started.child.as_mut().expect("just spawned");
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let feed = async {
        if let Some(mut pipe) = stdin {
            match pipe.write_all(&spec.stdin).await {
                // A child that exits without reading all of it is fine
                // (Python's communicate() ignores this too).
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
            // Dropping the pipe closes it: the child sees end of input.
        }
        Ok::<(), ProcessFailure>(())
    };
    let cap = spec.output_cap;
    let (((), out), err) = futures_lite::future::try_zip(
        futures_lite::future::try_zip(feed, read_capped(stdout, cap, "stdout")),
        read_capped(stderr, cap, "stderr"),
    )
    .await?;
    let child = started.child.as_mut().expect("not yet reaped");
    let status = child.status().await?;
    started.group.exited();
    reaper::reaped(child.id());
    started.child = None;
    Ok(RunOutput {
        code: exit_code(status),
        stdout: out,
        stderr: err,
    })
}

async fn read_capped(
    pipe: Option<impl AsyncRead + Unpin>,
    cap: usize,
    stream: &'static str,
) -> Result<Vec<u8>, ProcessFailure> {
    let mut buf = Vec::new();
    if let Some(pipe) = pipe {
        // One byte past the cap tells "exactly the cap" from "more".
        pipe.take(cap as u64 + 1).read_to_end(&mut buf).await?;
    }
    if buf.len() > cap {
        return Err(ProcessFailure::OutputTooLarge { stream, cap });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests;
