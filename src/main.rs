//! The `tasks` command: a thin layer over the library.

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use tasks::{Engine, Options};

/// `eprint!` that cannot panic. What the `tasks` command says about itself
/// (a usage error, a missing file) is lost when stderr cannot be written
/// (`2>/dev/full`), rather than turning into a crash: the exit status still
/// tells.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

/// [`say!`] with a newline.
macro_rules! sayln {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// The binary's own modules live in `src/cli/` (`src/` holds the library's).
mod cli;
use cli::files;
use cli::output::{
    flush_on_panic, stop_on_signals, trees_on_signals, ScriptErr, SharedOut, SCRIPT_OUT,
};

#[derive(Parser)]
#[command(
    name = "tasks",
    version,
    about = "Run .tasks scripts: concurrency that schedules like Python's asyncio",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

/// What a session takes, whether it runs a script or the REPL: the
/// clock, the seed, the limits and the permissions.
#[derive(clap::Args)]
struct SessionArgs {
    /// Jump the clock to the next timer whenever every task waits.
    #[arg(long)]
    virtual_time: bool,
    /// Seed `random` (default: from the system; 0 under --virtual-time).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Deepest call nesting before a RecursionError.
    #[arg(long, visible_alias = "recursion-limit", default_value_t = 1000)]
    max_depth: usize,
    /// Operations (roughly instructions) the script may execute.
    #[arg(long, value_name = "N")]
    max_ops: Option<u64>,
    /// Tasks alive at once.
    #[arg(long, value_name = "N")]
    max_tasks: Option<usize>,
    /// Bytes the process may hold: 100MB, 2GiB, ... (default: half of the
    /// memory the process can have: the machine's, a container's or
    /// `ulimit -v`, the least).
    #[arg(long, value_name = "BYTES", value_parser = tasks::limits::parse_bytes)]
    max_memory: Option<usize>,
    #[command(flatten)]
    permissions: tasks::permissions::PermissionFlags,
}

impl SessionArgs {
    /// The engine options these flags ask for, or the exit code of a
    /// usage error (already reported).
    fn options(&self) -> Result<Options, ExitCode> {
        let permissions = self.permissions.to_permissions().map_err(|e| {
            sayln!("error: {e}");
            ExitCode::from(2)
        })?;
        Ok(Options {
            virtual_time: self.virtual_time,
            root_certificates: ca_file_roots()?,
            limits: tasks::Limits {
                max_ops: self.max_ops,
                max_depth: self.max_depth,
                max_tasks: self.max_tasks,
                max_memory: self.max_memory.or_else(tasks::limits::default_max_memory),
            },
            color: color(),
            permissions,
            seed: self.seed,
        })
    }
}

#[derive(clap::Args)]
struct RunArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// Write the schedule to FILE in Chrome's trace format (Perfetto, chrome://tracing).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Draw the schedule in FILE, an HTML page (a Gantt chart of the tasks).
    #[arg(long, value_name = "FILE")]
    timeline: Option<PathBuf>,
    /// The script to run, then its arguments (returned by `args()`).
    /// Everything after the script's name belongs to the script.
    #[arg(
        value_name = "FILE [ARGS]",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    script: Vec<String>,
}

impl RunArgs {
    fn file(&self) -> Option<PathBuf> {
        self.script.first().map(PathBuf::from)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run a script.
    Run(Box<RunArgs>),
    /// Start the interactive REPL (also what `tasks` alone does).
    Repl(Box<SessionArgs>),
    /// Parse and resolve a script without running it.
    Check { file: PathBuf },
    /// Run golden tests: NAME.tasks beside NAME.out (and optional .err, .code, .args).
    Test(TestArgs),
    /// Print the completion script for a shell: `tasks completions bash > ~/.local/share/bash-completion/completions/tasks`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `tasks man > ~/.local/share/man/man1/tasks.1`.
    Man,
    /// Serve the Language Server Protocol on stdin/stdout, for editors.
    Lsp,
    /// Format scripts in place in the one canonical layout (`-` formats stdin to stdout).
    Fmt(FmtArgs),
    /// Print the task tree of your running `tasks run` PID: each pending
    /// task, where and how long it waits, on what (a lock and its holder,
    /// a queue, a sleep, a native operation), who awaits it. (Ctrl-\ in its
    /// terminal prints the same to its stderr.)
    Ps {
        /// The process id of a `tasks run`.
        pid: i32,
    },
}

#[derive(clap::Args)]
struct FmtArgs {
    /// Files, or folders to search for .tasks files (default: the current folder).
    paths: Vec<PathBuf>,
    /// Change nothing: print a diff of each file that is not formatted, and exit 1 if any.
    #[arg(long)]
    check: bool,
}

#[derive(clap::Args)]
struct TestArgs {
    /// Files or folders to search for .tasks cases (default: the current folder).
    paths: Vec<PathBuf>,
    /// Write the expected files from this run instead of comparing.
    #[arg(long)]
    bless: bool,
    /// Run only the cases whose name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// How many cases run at once.
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Seconds of real time after which a case is stopped and failed.
    #[arg(long, default_value_t = 10.0, value_parser = parse_timeout)]
    timeout: f64,
    /// The seed every case's `random` starts from (a failing case's report
    /// names it, to replay with `tasks run --seed N`).
    #[arg(long, value_name = "N", default_value_t = tasks::engine::DEFAULT_SEED)]
    seed: u64,
    /// Run every case with no grants, ignoring its `# allow:` line (to see
    /// what a folder of someone else's tests does without them).
    #[arg(long)]
    no_grants: bool,
    /// Write each failing case's trace (Chrome's trace format) into DIR, as CASE.json.
    #[arg(long, value_name = "DIR")]
    trace: Option<PathBuf>,
    /// Write each failing case's timeline (an HTML page) into DIR, as CASE.html.
    #[arg(long, value_name = "DIR")]
    timeline: Option<PathBuf>,
}

/// `--timeout`: a positive number of seconds that a `Duration` can hold
/// (`inf` or `1e30` are usage errors, not a crash).
fn parse_timeout(text: &str) -> Result<f64, String> {
    let secs: f64 = text
        .parse()
        .ok()
        .filter(|s: &f64| !s.is_nan())
        .ok_or_else(|| format!("`{text}` is not a number of seconds"))?;
    if secs <= 0.0 {
        return Err("the timeout must be more than 0 seconds".to_string());
    }
    if secs > MAX_TIMEOUT_SECS {
        return Err(format!(
            "at most {MAX_TIMEOUT_SECS} seconds (a year); `{text}` is too long"
        ));
    }
    Ok(secs)
}

const MAX_TIMEOUT_SECS: f64 = 31_536_000.0;

fn read(path: &PathBuf) -> Result<String, ExitCode> {
    let bytes = std::fs::read(path).map_err(|e| {
        sayln!("error: cannot read {}: {e}", path.display());
        ExitCode::from(2)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let style = tasks::reports::Style { color: color() };
        let name = path.display().to_string();
        let report = tasks::reports::not_utf8(&style, &name, e.as_bytes(), &e.utf8_error());
        say!("{report}");
        ExitCode::from(2)
    })
}

/// `tasks ps PID`.
fn ps(pid: i32) -> ExitCode {
    match crate::cli::ps::ask(pid, std::time::Duration::from_secs(5)) {
        Ok(text) => {
            let mut stdout = crate::cli::streams::stdout();
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                crate::cli::streams::exit_on_write_error(&e);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            sayln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// `TASKS_CA_FILE`: a PEM file of root certificates `https://` trusts
/// beside the built-in ones.
fn ca_file_roots() -> Result<Vec<(String, Vec<u8>)>, ExitCode> {
    let Some(path) = std::env::var_os("TASKS_CA_FILE").filter(|p| !p.is_empty()) else {
        return Ok(Vec::new());
    };
    let shown = format!("TASKS_CA_FILE={}", PathBuf::from(&path).display());
    match std::fs::read(&path) {
        Ok(pem) => Ok(vec![(shown, pem)]),
        Err(e) => {
            sayln!("error: cannot read {shown}: {e}");
            Err(ExitCode::from(2))
        }
    }
}

fn repl(args: &SessionArgs) -> ExitCode {
    match args.options() {
        Ok(opts) => ExitCode::from(crate::cli::repl::run(opts) as u8),
        Err(code) => code,
    }
}

/// `tasks tset`: a word that is no file but close to a command is a typo
/// of the command, not a script's name.
fn near_command(word: &str) -> Option<String> {
    use clap::CommandFactory;
    if word.contains(['/', '.']) || std::path::Path::new(word).exists() {
        return None;
    }
    let limit = (word.chars().count() / 3).max(1);
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .map(|name| (strsim::osa_distance(word, &name), name))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, name)| name)
}

fn run(args: RunArgs, bare: bool) -> ExitCode {
    let Some(file) = args.file() else {
        return repl(&args.session);
    };
    if let Some(command) = bare.then(|| near_command(&args.script[0])).flatten() {
        sayln!(
            "error: `{}` is neither a command nor a file\n\n  did you mean `tasks {command}`?",
            args.script[0]
        );
        return ExitCode::from(2);
    }
    let text = match read(&file) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let opts = match args.session.options() {
        Ok(o) => o,
        Err(code) => return code,
    };
    // Line by line on a terminal, so a person sees each line as it is
    // printed; in large blocks into a pipe.
    let out: Box<dyn Write + Send> = if crate::cli::streams::stdout_closed() {
        // Nothing to buffer: the first print fails.
        crate::cli::streams::stdout()
    } else if std::io::stdout().is_terminal() {
        Box::new(std::io::LineWriter::new(std::io::stdout()))
    } else {
        Box::new(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stdout(),
        ))
    };
    let out = SharedOut(Arc::new(Mutex::new(out)));
    let _ = SCRIPT_OUT.set(out.clone());
    let color = opts.color;
    let outputs = match tasks::trace::Outputs::create(args.trace, args.timeline) {
        Ok(o) => o,
        Err(e) => {
            sayln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut engine = Engine::new(opts, Box::new(out.clone()), Box::new(ScriptErr));
    stop_on_signals(engine.interrupt_handle(), out, color);
    trees_on_signals(&mut engine);
    engine.set_args(args.script[1..].to_vec());
    let name = file.display().to_string();
    if outputs.wanted() {
        engine.start_trace(&name);
    }
    let code = engine.run(&name, &text);
    if let Some(trace) = engine.finish_trace() {
        if let Err(e) = outputs.write(&trace) {
            sayln!("error: {e}");
            return ExitCode::from(if code == 0 { 1 } else { code as u8 });
        }
    }
    ExitCode::from(code as u8)
}

fn test(args: TestArgs) -> ExitCode {
    if let Some(missing) = args.paths.iter().find(|p| !p.exists()) {
        sayln!("error: {} does not exist", missing.display());
        return ExitCode::from(2);
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            sayln!("error: cannot find the tasks executable: {e}");
            return ExitCode::from(2);
        }
    };
    let mut dirs = [args.trace, args.timeline];
    for dir in dirs.iter_mut().flatten() {
        // The cases run in their own folders: the path must not be relative.
        match std::fs::create_dir_all(&*dir).and_then(|()| std::path::absolute(&*dir)) {
            Ok(abs) => *dir = abs,
            Err(e) => {
                sayln!("error: cannot write into {}: {e}", dir.display());
                return ExitCode::from(2);
            }
        }
    }
    let [trace_dir, timeline_dir] = dirs;
    let opts = crate::cli::golden::TestOptions {
        bless: args.bless,
        filter: args.filter,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        exe,
        seed: args.seed,
        no_grants: args.no_grants,
        trace_dir,
        timeline_dir,
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    crate::cli::golden::stop_cases_on_signals();
    let summary = crate::cli::golden::run(&paths, &opts);
    let mut stdout = crate::cli::streams::stdout();
    if let Err(e) = stdout
        .write_all(summary.report.as_bytes())
        .and_then(|()| stdout.flush())
    {
        crate::cli::streams::exit_on_write_error(&e);
    }
    if summary.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Runs before Rust's runtime reopens a closed stdout or stderr on
/// `/dev/null`, to see whether they were closed (see `cli::streams`).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static RECORD_CLOSED_STREAMS: extern "C" fn() = crate::cli::streams::record_closed;

/// Counts the bytes the process holds, for `--max-memory`.
#[global_allocator]
static ALLOC: tasks::limits::CountingAlloc = tasks::limits::CountingAlloc;

/// `tasks completions SHELL`: clap_complete writes the script from the
/// same command definition that parses the arguments, so it cannot drift.
fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut out = Vec::new();
    clap_complete::generate(
        shell,
        &mut <Cli as clap::CommandFactory>::command(),
        "tasks",
        &mut out,
    );
    write_stdout(&out)
}

/// `tasks man`: the manual page, from the command definition (clap_mangen).
fn man_page() -> ExitCode {
    let mut out = Vec::new();
    match clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out) {
        Ok(()) => write_stdout(&out),
        Err(e) => {
            sayln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes all of `bytes` to stdout; a closed or full stdout is exit 1.
fn write_stdout(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn main() -> ExitCode {
    tasks::limits::CountingAlloc::enable();
    let cli = Cli::parse();
    // Nothing a script or a test case starts escapes: an orphan is ours.
    tasks::signals::become_subreaper();
    // A thousand connections at once need more than 1,024 descriptors.
    files::raise_open_file_limit();
    flush_on_panic();
    // A large stack for the parser and compiler, which recurse on nesting.
    let worker = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || match cli.command {
            Some(Command::Run(args)) if args.script.is_empty() => {
                sayln!(
                    "error: no script given\n\nUsage: tasks run [--virtual-time] FILE [ARGS]..."
                );
                ExitCode::from(2)
            }
            Some(Command::Run(args)) => run(*args, false),
            Some(Command::Check { file }) => {
                let text = match read(&file) {
                    Ok(t) => t,
                    Err(code) => return code,
                };
                let mut engine = Engine::new(
                    Options {
                        color: color(),
                        ..Options::default()
                    },
                    Box::new(std::io::sink()),
                    Box::new(std::io::stderr()),
                );
                match engine.check(&file.display().to_string(), &text) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(report) => {
                        say!("{report}");
                        ExitCode::from(2)
                    }
                }
            }
            Some(Command::Test(args)) => test(args),
            Some(Command::Completions { shell }) => completions(shell),
            Some(Command::Man) => man_page(),
            Some(Command::Lsp) => match tasks::lsp::serve() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    sayln!("error: {e}");
                    ExitCode::FAILURE
                }
            },
            Some(Command::Repl(args)) => repl(&args),
            Some(Command::Fmt(args)) => {
                ExitCode::from(crate::cli::fmt::run(&args.paths, args.check, color()))
            }
            Some(Command::Ps { pid }) => ps(pid),
            None => run(cli.run, true),
        });
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            sayln!("error: the interpreter crashed (this is a bug in tasks)");
            ExitCode::from(70)
        }
    }
}
