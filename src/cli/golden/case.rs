//! One golden case: its files, its run, its verdict. A script with a
//! Python twin (`NAME.py`) and no `NAME.out` is a parity case: CPython's
//! run is its expected output.

use super::diff::unified;
use super::TestOptions;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Case {
    pub script: PathBuf,
    /// Where its trace and timeline go (`tasks test --trace DIR`).
    pub schedule: super::schedule::ScheduleFiles,
}

pub enum Problem {
    Missing {
        file: String,
        /// What the run printed on stdout, shown so it can be checked
        /// before `--bless` records it.
        printed: String,
    },
    /// The interpreter crashed (a bug in tasks): never a pass, whatever
    /// the expected files say.
    Crashed,
    Differs {
        what: &'static str,
        expected: String,
        actual: String,
    },
    Status {
        expected: Ended,
        actual: Ended,
    },
    TimedOut(Duration),
    CannotRun(String),
}

pub enum Verdict {
    Pass,
    Blessed,
    /// Blessed, but the run was a crash of the interpreter: said in the
    /// summary, and the case fails until it is fixed.
    BlessedCrash,
    Fail(Vec<Problem>),
}

pub struct CaseResult {
    pub case: Case,
    pub verdict: Verdict,
    pub elapsed: Duration,
}

struct Run {
    stdout: String,
    stderr: String,
    status: Ended,
}

/// How a case's process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    Code(i32),
    /// Killed by this signal.
    Signal(i32),
}

impl Ended {
    fn of(status: std::process::ExitStatus) -> Ended {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(signo) = status.signal() {
                return Ended::Signal(signo);
            }
        }
        Ended::Code(status.code().unwrap_or(-1))
    }
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Ended::Code(c) => write!(f, "{c}"),
            Ended::Signal(s) => write!(f, "killed by {}", signal_name(s)),
        }
    }
}

fn signal_name(signo: i32) -> String {
    let name = match signo {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("signal {signo}"),
    };
    name.to_string()
}

impl Problem {
    pub fn render(&self, color: bool) -> String {
        match self {
            Problem::Missing { file, printed } if printed.is_empty() => format!(
                "missing {file}: run `tasks test --bless` to create it from this run\n\
                 (it printed nothing on stdout)\n"
            ),
            Problem::Missing { file, printed } => format!(
                "missing {file}: run `tasks test --bless` to create it from this run\n\
                 what it printed on stdout:\n{}",
                unified("", printed, color)
            ),
            Problem::Crashed => format!("the interpreter crashed ({CRASHED}): a bug in tasks\n"),
            Problem::Differs {
                what,
                expected,
                actual,
            } => {
                format!(
                    "{what} differs (- expected, + actual):\n{}",
                    unified(expected, actual, color)
                )
            }
            Problem::Status { expected, actual } => {
                format!("exit status: expected {expected}, got {actual}\n")
            }
            Problem::TimedOut(d) => format!(
                "timed out after {} s (see --timeout); the case was stopped\n",
                d.as_secs_f64()
            ),
            Problem::CannotRun(e) => format!("could not run: {e}\n"),
        }
    }
}

fn sibling(script: &Path, ext: &str) -> PathBuf {
    script.with_extension(ext)
}

fn read_opt(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

impl Case {
    pub fn load(script: &Path) -> Case {
        Case {
            script: script.to_path_buf(),
            schedule: Default::default(),
        }
    }

    fn args(&self) -> Vec<String> {
        read_opt(&sibling(&self.script, "args"))
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn dir(&self) -> &Path {
        self.script
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    /// The CPython twin that is this case's oracle, if it has no `.out`.
    fn python_twin(&self) -> Option<PathBuf> {
        let py = sibling(&self.script, "py");
        (py.exists() && !sibling(&self.script, "out").exists()).then_some(py)
    }

    /// What the case declares it needs, as `tasks run` flags: a comment
    /// line `# allow: read=. run=sh` among the script's first lines. A test
    /// never silently depends on the machine: without it, nothing is granted.
    pub fn grants(&self) -> Result<Vec<String>, Problem> {
        Ok(self.header_grants()?.map(|p| p.flags()).unwrap_or_default())
    }

    /// The grants of the `# allow:` line, if there is one.
    fn header_grants(&self) -> Result<Option<tasks::permissions::Permissions>, Problem> {
        let text = read_opt(&self.script).unwrap_or_default();
        let header = text
            .lines()
            .take(3)
            .find_map(|l| l.trim().strip_prefix("# allow:"));
        let Some(words) = header else {
            return Ok(None);
        };
        tasks::permissions::Permissions::none()
            .allow_words(words)
            .map(Some)
            .map_err(|e| Problem::CannotRun(format!("bad `# allow:` line: {e}")))
    }

    /// The grants this run gives the case: its own, or none with
    /// `--no-grants`.
    pub fn grants_in(&self, opts: &TestOptions) -> Result<Vec<String>, Problem> {
        if opts.no_grants {
            return Ok(Vec::new());
        }
        self.grants()
    }

    /// Does the case grant itself every kind of access, for everything
    /// (`# allow: all`, or each kind with no list)?
    pub fn grants_everything(&self) -> bool {
        use tasks::permissions::Kind;
        matches!(self.header_grants(), Ok(Some(p)) if Kind::ALL.into_iter().all(|k| p.allows_all(k)))
    }

    /// How to run the case again by hand, as `tasks test` ran it (the
    /// seed included, so `random` gives the same numbers).
    pub fn replay_line(&self, opts: &TestOptions) -> String {
        let seed = opts.seed;
        let file = self
            .script
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let mut words = vec![
            "tasks run --virtual-time".to_string(),
            format!("--seed {seed}"),
        ];
        words.extend(self.grants_in(opts).unwrap_or_default());
        words.push(file.to_string());
        words.extend(self.args());
        format!(
            "seed {seed}; to replay, in its folder: {}\n",
            words.join(" ")
        )
    }

    fn execute(&self, opts: &TestOptions) -> Result<Run, Problem> {
        let file = self.script.file_name().expect("script file name");
        let mut cmd = Command::new(&opts.exe);
        cmd.arg("run")
            .arg("--virtual-time")
            .arg("--seed")
            .arg(opts.seed.to_string())
            .args(self.grants_in(opts)?)
            .args(self.schedule.flags())
            .arg(file);
        collect(cmd, self, opts, &opts.exe.display().to_string())
    }

    /// CPython runs the twin on the real clock, as asyncio does.
    fn execute_python(&self, py: &Path, opts: &TestOptions) -> Result<Run, Problem> {
        let mut cmd = Command::new("python3");
        cmd.arg(py.file_name().expect("twin file name"));
        collect(cmd, self, opts, "python3 (the oracle of a parity case)")
    }
}

/// Runs `cmd` (plus the case's arguments) in the case's folder, with the
/// timeout, and collects what it printed.
fn collect(mut cmd: Command, case: &Case, opts: &TestOptions, what: &str) -> Result<Run, Problem> {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd.args(case.args())
        .current_dir(case.dir())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (mut child, group) = super::signals::Running::spawn(&mut cmd)
        .map_err(|e| Problem::CannotRun(format!("{what}: {e}")))?;
    // Drain the pipes on threads so a chatty case cannot block on a full pipe.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child
            .try_wait()
            .map_err(|e| Problem::CannotRun(e.to_string()))?
        {
            break st;
        }
        if start.elapsed() > opts.timeout {
            group.kill();
            let _ = child.kill();
            let _ = child.wait();
            drop(group);
            super::signals::sweep_orphans();
            return Err(Problem::TimedOut(opts.timeout));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    drop(group);
    super::signals::sweep_orphans();
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned();
    Ok(Run {
        stdout,
        stderr,
        status: Ended::of(status),
    })
}

impl Case {
    pub fn run(self, opts: &TestOptions) -> CaseResult {
        let start = Instant::now();
        let verdict = match self.execute(opts) {
            Err(p) => Verdict::Fail(vec![p]),
            // Nothing to bless: CPython is the expected output.
            Ok(run) if self.python_twin().is_some() => self.compare_with_python(&run, opts),
            Ok(run) if opts.bless => match self.bless(&run) {
                Ok(()) if crashed(&run) => Verdict::BlessedCrash,
                Ok(()) => Verdict::Blessed,
                Err(e) => Verdict::Fail(vec![Problem::CannotRun(e.to_string())]),
            },
            Ok(run) => self.compare(&run),
        };
        CaseResult {
            case: self,
            verdict,
            elapsed: start.elapsed(),
        }
    }

    /// A parity case: stdout and exit status must be CPython's (stderr is
    /// not compared: tracebacks and diagnostics differ by design).
    fn compare_with_python(&self, run: &Run, opts: &TestOptions) -> Verdict {
        let py = self.python_twin().expect("a parity case");
        let oracle = match self.execute_python(&py, opts) {
            Ok(o) => o,
            Err(p) => return Verdict::Fail(vec![p]),
        };
        let mut problems = Vec::new();
        if oracle.stdout != run.stdout {
            problems.push(Problem::Differs {
                what: "stdout (expected: what CPython printed)",
                expected: oracle.stdout,
                actual: run.stdout.clone(),
            });
        }
        check_status(
            &mut problems,
            oracle.status,
            run,
            Some("stderr (shown for context)"),
        );
        verdict(problems)
    }

    fn compare(&self, run: &Run) -> Verdict {
        let mut problems = Vec::new();
        match read_opt(&sibling(&self.script, "out")) {
            None => problems.push(Problem::Missing {
                file: format!("{}", sibling(&self.script, "out").display()),
                printed: run.stdout.clone(),
            }),
            Some(expected) if expected != run.stdout => problems.push(Problem::Differs {
                what: "stdout",
                expected,
                actual: run.stdout.clone(),
            }),
            Some(_) => {}
        }
        if let Some(expected) = read_opt(&sibling(&self.script, "err")) {
            let actual = match super::stable::is_stable(&expected) {
                true => super::stable::stable_form(&run.stderr),
                false => run.stderr.clone(),
            };
            if expected != actual {
                problems.push(Problem::Differs {
                    what: "stderr",
                    expected,
                    actual,
                });
            }
        }
        if crashed(run) {
            problems.push(Problem::Crashed);
        }
        let expected_code = Ended::Code(
            read_opt(&sibling(&self.script, "code"))
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(0),
        );
        // With a `.err` file, stderr was compared above already.
        let context = (!sibling(&self.script, "err").exists())
            .then_some("stderr (no .err file; shown for context)");
        check_status(&mut problems, expected_code, run, context);
        verdict(problems)
    }

    fn bless(&self, run: &Run) -> std::io::Result<()> {
        std::fs::write(sibling(&self.script, "out"), &run.stdout)?;
        let err = sibling(&self.script, "err");
        if run.stderr.is_empty() {
            if err.exists() {
                std::fs::remove_file(err)?;
            }
        } else if read_opt(&err).is_some_and(|e| super::stable::is_stable(&e)) {
            std::fs::write(err, super::stable::stable_form(&run.stderr))?;
        } else {
            std::fs::write(err, &run.stderr)?;
        }
        let code = sibling(&self.script, "code");
        match run.status {
            Ended::Code(0) => {
                if code.exists() {
                    std::fs::remove_file(code)?;
                }
            }
            Ended::Code(c) => std::fs::write(code, format!("{c}\n"))?,
            Ended::Signal(_) => {
                return Err(std::io::Error::other(format!(
                    "the case was {}: nothing to bless",
                    run.status
                )))
            }
        }
        Ok(())
    }
}

/// How `tasks` reports a crash of the interpreter (`main.rs`): this status
/// and this last line.
const CRASHED: &str = "exit status 70";
const CRASH_STATUS: Ended = Ended::Code(70);
const CRASH_LINE: &str = "error: the interpreter crashed (this is a bug in tasks)\n";

fn crashed(run: &Run) -> bool {
    run.status == CRASH_STATUS && run.stderr.ends_with(CRASH_LINE)
}

/// A wrong exit status, with the run's stderr (if any) shown under the
/// heading `context`, when there is one.
fn check_status(
    problems: &mut Vec<Problem>,
    expected: Ended,
    run: &Run,
    context: Option<&'static str>,
) {
    if expected == run.status {
        return;
    }
    problems.push(Problem::Status {
        expected,
        actual: run.status,
    });
    if let (Some(what), false) = (context, run.stderr.is_empty()) {
        problems.push(Problem::Differs {
            what,
            expected: String::new(),
            actual: run.stderr.clone(),
        });
    }
}

fn verdict(problems: Vec<Problem>) -> Verdict {
    if problems.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(problems)
    }
}
