//! `process.start`'s child, streamed: its output read a line at a time
//! as the script asks, its stdin written, its process group killed when
//! the last handle goes before it was waited for.

use super::*;

/// A running child for streaming (`process.start`): its stdout (and its
/// stderr, when piped) is read a line at a time, its stdin written. A cheap
/// handle (clones share the child), so that a script can wait on one
/// method while another is in flight: each method returns a `'static`
/// future. When the last handle is dropped before the child was waited
/// for, its process group is killed.
///
/// `wait` does not read stdout: a child that writes more than a pipe holds
/// (64 KiB) while nobody reads its lines blocks until someone does.
#[derive(Clone, Debug)]
pub(crate) struct Child(Rc<ChildInner>);

/// A child's output, read a line at a time.
type Lines = LineReader<BufReader<Box<dyn AsyncRead + Unpin>>>;

/// Reads of this many bytes: a child's output read line by line from a
/// pipe costs one system call per 64 KiB, not per 8.
const PIPE_BUFFER: usize = 64 << 10;

fn lines(pipe: Option<impl AsyncRead + Unpin + 'static>) -> Option<Lines> {
    let pipe: Box<dyn AsyncRead + Unpin> = Box::new(pipe?);
    Some(LineReader::new(BufReader::with_capacity(PIPE_BUFFER, pipe)))
}

struct ChildInner {
    pid: u32,
    line_cap: usize,
    /// Its stdout, with the start of a line a cancelled `read_line` read.
    stdout: AsyncMutex<Option<Lines>>,
    /// Its stderr, when piped.
    stderr: AsyncMutex<Option<Lines>>,
    stdin: AsyncMutex<Option<async_process::ChildStdin>>,
    /// Set by `close_stdin`; a write in flight closes the pipe when done.
    stdin_closed: Cell<bool>,
    code: Cell<Option<i32>>,
    group: Arc<Group>,
    /// The background wait that collects the exit status as soon as the
    /// child exits (so it is never left a zombie, awaited or not); taken
    /// by the `wait` that sees it end.
    exit: AsyncMutex<Option<async_executor::Task<io::Result<i32>>>>,
}

impl ChildInner {
    fn pipe(&self, pipe: Pipe) -> &AsyncMutex<Option<Lines>> {
        match pipe {
            Pipe::Stdout => &self.stdout,
            Pipe::Stderr => &self.stderr,
        }
    }
}

/// A line read from a child: UTF-8, invalid bytes replaced.
fn line_text(line: Line, cap: usize) -> Result<Option<String>, ProcessFailure> {
    match line {
        Line::Text(line) => Ok(Some(String::from_utf8_lossy(&line).into_owned())),
        Line::End => Ok(None),
        Line::TooLong => Err(ProcessFailure::LineTooLong { cap }),
    }
}

impl Drop for ChildInner {
    /// The last handle is gone: kill the child unless it exited; its
    /// background wait goes on and collects its status.
    fn drop(&mut self) {
        self.group.kill();
        if let Some(exit) = self.exit.get_mut().take() {
            exit.detach();
        }
    }
}

impl fmt::Debug for ChildInner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child").field("pid", &self.pid).finish()
    }
}

impl Child {
    /// Starts `spec` (its `stdin` text is ignored: use `write`).
    pub(crate) fn start(spec: &RunSpec) -> Result<Child, ProcessFailure> {
        let mut started = spawn(
            spec,
            spec.stdin_io.stdio(),
            spec.stdout_io.stdio(),
            spec.stderr_io.stdio(),
        )?;
        let mut child = started.child.take().expect("just spawned");
        let group = started.group.clone();
        let stdout = lines(child.stdout.take());
        let stderr = lines(child.stderr.take());
        let stdin = child.stdin.take();
        let pid = child.id();
        let exit = reaper::in_background(collect_exit(child, group.clone()));
        Ok(Child(Rc::new(ChildInner {
            pid,
            line_cap: spec.output_cap,
            stdout: AsyncMutex::new(stdout),
            stderr: AsyncMutex::new(stderr),
            stdin: AsyncMutex::new(stdin),
            stdin_closed: Cell::new(false),
            code: Cell::new(None),
            group,
            exit: AsyncMutex::new(Some(exit)),
        })))
    }

    pub(crate) fn pid(&self) -> u32 {
        self.0.pid
    }

    /// The next line of stdout without its line ending (`\n` or `\r\n`);
    /// `None` at the end. Invalid UTF-8 becomes U+FFFD. Cancel-safe: what
    /// a dropped read had of a line is the start of the next one.
    pub(crate) fn read_line(
        &self,
    ) -> impl std::future::Future<Output = Result<Option<String>, ProcessFailure>> + 'static {
        self.read_line_from(Pipe::Stdout)
    }

    /// [`Child::read_line`] from stdout or stderr (`None` at once if that
    /// one is not piped).
    pub(crate) fn read_line_from(
        &self,
        pipe: Pipe,
    ) -> impl std::future::Future<Output = Result<Option<String>, ProcessFailure>> + 'static {
        let inner = self.0.clone();
        async move {
            let mut lines = inner.pipe(pipe).lock().await;
            let Some(reader) = lines.as_mut() else {
                return Ok(None);
            };
            let cap = inner.line_cap;
            line_text(reader.read_line(cap).await?, cap)
        }
    }

    /// A line of stdout or stderr already read into the buffer, without
    /// waiting; `None` when one must be waited for.
    pub(crate) fn try_line(&self, pipe: Pipe) -> Option<Result<Option<String>, ProcessFailure>> {
        let mut lines = self.0.pipe(pipe).try_lock()?;
        let Some(reader) = lines.as_mut() else {
            return Some(Ok(None));
        };
        let cap = self.0.line_cap;
        Some(line_text(reader.try_line(cap)?, cap))
    }

    /// Writes `text` to the child's stdin (waiting while the pipe is full).
    /// Writing after `close_stdin`, or to a child that closed its end, is
    /// an error.
    pub(crate) fn write(
        &self,
        text: String,
    ) -> impl std::future::Future<Output = Result<(), ProcessFailure>> + 'static {
        let inner = self.0.clone();
        async move {
            let mut stdin = inner.stdin.lock().await;
            let Some(pipe) = stdin.as_mut() else {
                return Err(ProcessFailure::Io(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "stdin is closed",
                )));
            };
            let result = pipe.write_all(text.as_bytes()).await;
            if inner.stdin_closed.get() {
                stdin.take(); // close_stdin came while this write held the pipe
            }
            result?;
            Ok(())
        }
    }

    /// Closes the child's stdin, so it sees end of input. A write still in
    /// flight keeps the pipe until it finishes, then closes it.
    pub(crate) fn close_stdin(&self) {
        self.0.stdin_closed.set(true);
        if let Some(mut stdin) = self.0.stdin.try_lock() {
            stdin.take();
        }
    }

    /// Waits for the child to exit and gives its exit code (minus the
    /// signal number if a signal ended it). Waiting again gives it again.
    pub(crate) fn wait(
        &self,
    ) -> impl std::future::Future<Output = Result<i32, ProcessFailure>> + 'static {
        let inner = self.0.clone();
        async move {
            if let Some(code) = inner.code.get() {
                return Ok(code);
            }
            let mut exit = inner.exit.lock().await;
            if let Some(code) = inner.code.get() {
                return Ok(code);
            }
            let Some(task) = exit.as_mut() else {
                return Err(ProcessFailure::Io(io::Error::other(
                    "the exit status could not be read",
                )));
            };
            let result = task.await;
            *exit = None;
            let code = result?;
            inner.code.set(Some(code));
            Ok(code)
        }
    }

    /// SIGKILLs the child with all it started (its tree and its group).
    /// Does nothing once it has exited.
    pub(crate) fn kill(&self) {
        self.0.group.kill();
    }
}

/// Waits for `child` to exit and collects its status (on the background
/// thread), marking its group exited under the group's lock, so that a
/// kill never signals a pid that was reaped (and could be reused). With a
/// pidfd, the exit is seen without collecting the status; without one
/// (kernels before 5.3), async-process collects it, and a kill in the
/// instant between that and the mark could meet a reused pid.
async fn collect_exit(mut child: async_process::Child, group: Arc<Group>) -> io::Result<i32> {
    let pid = child.id();
    let pidfd = rustix::process::Pid::from_raw(pid as i32)
        .and_then(|p| rustix::process::pidfd_open(p, rustix::process::PidfdFlags::empty()).ok())
        .and_then(|fd| async_io::Async::new(fd).ok());
    if let Some(fd) = &pidfd {
        let _ = fd.readable().await;
    }
    let status = {
        let mut exited = group.exited_lock();
        let status = child.try_status();
        if let Ok(Some(_)) = status {
            *exited = true;
        }
        status
    };
    let status = match status? {
        Some(status) => status,
        None => child.status().await?,
    };
    group.exited();
    reaper::reaped(pid);
    Ok(exit_code(status))
}
