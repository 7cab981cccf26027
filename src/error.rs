//! The error an engine's `eval`, `call` and `eval_file` return: what
//! failed (an [`ErrorKind`]), the script error's own kind and message,
//! where (file, line, column, the source span), the call stack and the
//! task it happened in, and the report the `tasks` command prints. It is a
//! `miette::Diagnostic`, so a host may render it its own way.

use crate::diagnostics::{line_col, Sources};
use crate::runtime::error::{ErrorObj, Loc};
use std::sync::Arc;

/// Exit statuses (LANGUAGE.md §10). Success.
pub const EXIT_OK: i32 = 0;
/// An error escaped the main task, or a deadlock.
pub const EXIT_RUNTIME: i32 = 1;
/// A syntax error or a mistake found before running.
pub const EXIT_COMPILE: i32 = 2;

/// What kind of failure an [`Error`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The source does not parse.
    Syntax,
    /// A mistake found before running (an undefined name, ...).
    Compile,
    /// The script threw an error nobody caught.
    Runtime,
    /// Every task waits and nothing can wake them (or virtual time is stuck).
    Deadlock,
    /// The script file could not be read.
    Io,
    /// A signal (SIGINT, SIGTERM, SIGHUP: its number) cancelled the main task.
    Signal(i32),
    /// The script called `exit(code)` (with a code other than 0).
    Exit(i32),
}

/// A place in a script: file name, 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The name the source was loaded under (`eval`'s `name`, a path).
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One call of the stack at a throw, innermost last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackFrame {
    /// The function's name (`<main>` for a file's top level).
    pub function: String,
    /// Where in it the call or throw is.
    pub location: Location,
}

/// A failed `eval` (or `call`): its [`Display`](std::fmt::Display) is
/// one line (`TypeError: ...`); [`Error::report`] is the full report the
/// `tasks` command prints; the parts are accessors and
/// [`miette::Diagnostic`].
#[derive(Clone, Debug)]
pub struct Error {
    pub(crate) kind: ErrorKind,
    pub(crate) report: String,
    pub(crate) detail: Box<Detail>,
}

/// The structured parts, boxed: an `Error` stays small in a `Result`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Detail {
    code: Option<String>,
    message: String,
    help: Option<String>,
    /// The source the error points into, and the span in it.
    source: Option<Arc<miette::NamedSource<String>>>,
    span: Option<miette::SourceSpan>,
    location: Option<Location>,
    stack: Vec<StackFrame>,
    task: Option<String>,
    awaited_by: Vec<String>,
}

impl Error {
    /// An error known only by its rendered report (a deadlock, a signal,
    /// an unreadable file): the message is the report's first line.
    pub(crate) fn new(kind: ErrorKind, report: String) -> Error {
        let message = report
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && *l != "error")
            .unwrap_or("")
            .trim_start_matches("× ")
            .to_string();
        Error {
            kind,
            report,
            detail: Box::new(Detail {
                message,
                ..Detail::default()
            }),
        }
    }

    /// A script error that escaped, with its place, stack and task.
    pub(crate) fn script(report: String, sources: &Sources, e: &ErrorObj) -> Error {
        let place = |loc: Loc| {
            let src = sources.files.get(loc.source as usize)?;
            let (line, column) = line_col(&src.text, loc.span.start as usize);
            Some(Location {
                file: src.name.clone(),
                line,
                column,
            })
        };
        let origin = *e.origin.borrow();
        let stack = e
            .trace
            .borrow()
            .iter()
            .filter_map(|f| {
                Some(StackFrame {
                    function: f.function.to_string(),
                    location: place(f.loc)?,
                })
            })
            .collect();
        let detail = Detail {
            code: Some(e.kind.to_string()),
            message: e.message.to_string(),
            help: e.help.borrow().clone(),
            location: origin.and_then(place),
            stack,
            task: e.task.borrow().as_ref().map(|t| t.name.to_string()),
            awaited_by: e.task.borrow().as_ref().map_or(vec![], |t| {
                t.awaited_by.iter().map(|a| a.to_string()).collect()
            }),
            ..Detail::default()
        };
        let mut err = Error {
            kind: ErrorKind::Runtime,
            report,
            detail: Box::new(detail),
        };
        if let Some(loc) = origin {
            err.point_at(sources, loc);
        }
        err
    }

    /// A mistake found before running, at `span` of source `id`.
    pub(crate) fn at(
        kind: ErrorKind,
        report: String,
        sources: &Sources,
        loc: Loc,
        message: &str,
        help: Option<&str>,
    ) -> Error {
        let mut err = Error::new(kind, report);
        err.detail.message = message.to_string();
        err.detail.help = help.map(str::to_string);
        err.point_at(sources, loc);
        if let Some(src) = sources.files.get(loc.source as usize) {
            let (line, column) = line_col(&src.text, loc.span.start as usize);
            err.detail.location = Some(Location {
                file: src.name.clone(),
                line,
                column,
            });
        }
        err
    }

    fn point_at(&mut self, sources: &Sources, loc: Loc) {
        let Some(src) = sources.files.get(loc.source as usize) else {
            return;
        };
        let text = src.text.to_string();
        let start = (loc.span.start as usize).min(text.len());
        let end = (loc.span.end as usize).clamp(start, text.len());
        self.detail.span = Some((start, end - start).into());
        self.detail.source = Some(Arc::new(miette::NamedSource::new(&src.name, text)));
    }

    /// What failed.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The script error's kind for a runtime error (`TypeError`,
    /// `NotCapableError`, a host's `LookupError`), `None` otherwise.
    pub fn error_kind(&self) -> Option<&str> {
        self.detail.code.as_deref()
    }
    /// The message, one line, without place or stack.
    pub fn message(&self) -> &str {
        &self.detail.message
    }
    /// The hint shown under the report, if any.
    pub fn help(&self) -> Option<&str> {
        self.detail.help.as_deref()
    }
    /// Where it happened (where a runtime error was thrown).
    pub fn location(&self) -> Option<&Location> {
        self.detail.location.as_ref()
    }
    /// The call stack at the throw, innermost last (runtime errors).
    pub fn stack(&self) -> &[StackFrame] {
        &self.detail.stack
    }
    /// The task it happened in (`main` for the program's own).
    pub fn task(&self) -> Option<&str> {
        self.detail.task.as_deref()
    }
    /// The tasks that awaited [`task`](Error::task) when it threw, nearest
    /// first, up to the one nobody awaited (`main` for an error that
    /// reached the program's end through its awaits); empty when the
    /// error happened in `main` itself or in a task nobody awaited.
    pub fn awaited_by(&self) -> &[String] {
        &self.detail.awaited_by
    }
    /// The rendered report the `tasks` command prints (empty when it was
    /// already written to the engine's error stream, as a deadlock during
    /// cleanup is).
    pub fn report(&self) -> &str {
        &self.report
    }
    /// The status `tasks run` exits with for this error.
    pub fn exit_status(&self) -> i32 {
        match self.kind {
            ErrorKind::Syntax | ErrorKind::Compile => EXIT_COMPILE,
            ErrorKind::Signal(signo) => 128 + signo,
            ErrorKind::Exit(code) => code,
            _ => EXIT_RUNTIME,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.detail.code, self.detail.message.as_str()) {
            (Some(code), "") => f.write_str(code),
            (Some(code), m) => write!(f, "{code}: {m}"),
            (None, "") => write!(f, "{:?}", self.kind),
            (None, m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl miette::Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.detail
            .code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.detail
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.detail
            .source
            .as_deref()
            .map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.detail.span?;
        let label = match self.kind {
            ErrorKind::Runtime => "raised here",
            _ => "here",
        };
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_primary_with_span(Some(label.into()), span),
        )))
    }
}
