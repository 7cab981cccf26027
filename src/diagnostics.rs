//! Every error, syntax or runtime, rendered as a miette report: the kind,
//! the message, the source line with the span labelled, a help line where
//! there is a likely fix, then the call stack and the task chain.

use crate::compile::CompileError;
use crate::runtime::error::{ErrorObj, Loc};
use crate::syntax::{Span, SyntaxError};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, Report, Severity,
};
use std::rc::Rc;

mod excerpt;
pub(crate) use excerpt::escape_controls;
use excerpt::{clean, Excerpt};

/// A loaded source file.
pub(crate) struct Source {
    pub name: String,
    pub text: Rc<str>,
}

/// The sources of a run, indexed by the `source` field of a [`Loc`].
#[derive(Default)]
pub(crate) struct Sources {
    pub files: Vec<Source>,
}

impl Sources {
    pub(crate) fn add(&mut self, name: &str, text: &str) -> u32 {
        self.files.push(Source {
            name: name.to_string(),
            text: Rc::from(text),
        });
        (self.files.len() - 1) as u32
    }

    /// Makes this copy (sharing the texts, for a renderer that outlives a borrow) hold every file of
    /// `newer`, which holds all of this copy's and then more: only the files
    /// added since are copied.
    pub(crate) fn catch_up_with(&mut self, newer: &Sources) {
        let known = self.files.len();
        let added = newer.files.get(known..).unwrap_or_default();
        self.files.extend(added.iter().map(|s| Source {
            name: s.name.clone(),
            text: s.text.clone(),
        }));
    }

    /// `file:line:col` for a location (1-based, columns in characters).
    pub(crate) fn describe(&self, loc: Loc) -> String {
        let Some(src) = self.files.get(loc.source as usize) else {
            return "?".into();
        };
        let (line, col) = line_col(&src.text, loc.span.start as usize);
        format!("{}:{line}:{col}", src.name)
    }
}

pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// How reports look: colours only on a terminal, a fixed width otherwise so
/// golden files are stable.
pub struct Style {
    /// Colours (for a terminal); without, a fixed width for files and pipes.
    pub color: bool,
}

impl Style {
    fn handler(&self) -> GraphicalReportHandler {
        self.handler_at(report_width())
    }

    fn handler_at(&self, width: usize) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            // A flag such as `--allow-read=/a/long/path` must stay whole to
            // be copied: lines break at spaces only (not after a `/` or a
            // `-`), and a word longer than the line goes on a line of its
            // own, whole.
            .with_word_separator(textwrap::WordSeparator::AsciiSpace)
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
            .with_break_words(false)
            .with_context_lines(1)
    }

    fn render(&self, report: Report) -> String {
        let mut out = String::new();
        let _ = self.handler().render_report(&mut out, report.as_ref());
        out
    }
}

/// Reports are wrapped at 100 columns, or at the terminal's width when
/// stderr is a narrower terminal: wider lines would be broken by the
/// terminal itself, anywhere, a flag or a path included. Files and pipes
/// (golden tests) always get 100.
fn report_width() -> usize {
    const WIDTH: usize = 100;
    match rustix::termios::tcgetwinsize(std::io::stderr()) {
        Ok(size) if size.ws_col >= 40 => WIDTH.min(usize::from(size.ws_col)),
        _ => WIDTH,
    }
}

fn span_of(span: Span, text: &str) -> miette::SourceSpan {
    let start = (span.start as usize).min(text.len());
    let len = span.len().min(text.len() - start);
    (start, len).into()
}

/// A report with the source excerpt its labels point into (see [`Excerpt`]).
fn with_source(diag: MietteDiagnostic, src: &Source) -> Report {
    let mut diag = clean(diag);
    let labels = diag.labels.take().unwrap_or_default();
    let (excerpt, labels) = Excerpt::new(src, labels);
    Report::new(diag.with_labels(labels)).with_source_code(excerpt)
}

/// A report without source.
fn plain(diag: MietteDiagnostic) -> Report {
    Report::new(clean(diag))
}

pub(crate) fn syntax_error(style: &Style, src: &Source, e: &SyntaxError) -> String {
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(e.label.clone()),
        span_of(e.span, &src.text),
    )];
    if let Some((span, label)) = &e.related {
        labels.push(LabeledSpan::new_with_span(
            Some(label.clone()),
            span_of(*span, &src.text),
        ));
    }
    let mut d = MietteDiagnostic::new(e.message.clone())
        .with_code("syntax error")
        .with_labels(labels);
    if let Some(h) = &e.help {
        d = d.with_help(h.clone());
    }
    style.render(with_source(d, src))
}

pub(crate) fn compile_error(style: &Style, src: &Source, e: &CompileError) -> String {
    let label =
        LabeledSpan::new_primary_with_span(Some(e.label.clone()), span_of(e.span, &src.text));
    let mut d = MietteDiagnostic::new(e.message.clone())
        .with_code("error")
        .with_labels(vec![label]);
    if let Some(h) = &e.help {
        d = d.with_help(h.clone());
    }
    style.render(with_source(d, src))
}

/// How many mistakes found before running are shown in full; the rest are
/// counted (a file pasted from elsewhere can have hundreds).
pub(crate) const MAX_COMPILE_ERRORS: usize = 20;

/// A compile error and the ones found with it ([`CompileError::also`]), at
/// most [`MAX_COMPILE_ERRORS`] in full.
pub(crate) fn compile_errors(style: &Style, src: &Source, e: &CompileError) -> String {
    let all: Vec<&CompileError> = std::iter::once(e).chain(&e.also).collect();
    let mut out: String = all
        .iter()
        .take(MAX_COMPILE_ERRORS)
        .map(|e| compile_error(style, src, e))
        .collect();
    if let Some(more) = all.len().checked_sub(MAX_COMPILE_ERRORS).filter(|&n| n > 0) {
        let s = if more == 1 { "" } else { "s" };
        out.push_str(&format!("and {more} more error{s} in {}\n", src.name));
    }
    out
}

/// A compile-time warning: same layout as a compile error, but the program
/// still runs.
pub(crate) fn compile_warning(style: &Style, src: &Source, e: &CompileError) -> String {
    let label =
        LabeledSpan::new_primary_with_span(Some(e.label.clone()), span_of(e.span, &src.text));
    let mut d = MietteDiagnostic::new(e.message.clone())
        .with_severity(Severity::Warning)
        .with_code("warning")
        .with_labels(vec![label]);
    if let Some(h) = &e.help {
        d = d.with_help(h.clone());
    }
    style.render(with_source(d, src))
}

/// A source file that is not UTF-8, reported at its first bad byte.
pub fn not_utf8(style: &Style, name: &str, bytes: &[u8], err: &std::str::Utf8Error) -> String {
    let at = err.valid_up_to();
    let text = String::from_utf8_lossy(bytes);
    // Up to `at` the lossy text is the source itself; the bad byte became U+FFFD.
    let label = LabeledSpan::new_primary_with_span(
        Some(format!("byte 0x{:02X} is not UTF-8", bytes[at])),
        (at, '\u{fffd}'.len_utf8()),
    );
    let d = MietteDiagnostic::new("the source is not valid UTF-8")
        .with_code("error")
        .with_labels(vec![label])
        .with_help("save the file as UTF-8");
    let src = Source {
        name: name.to_string(),
        text: Rc::from(text.as_ref()),
    };
    style.render(with_source(d, &src))
}

/// What an error carries beside its message: its data (cut short: an HTTP
/// body may be long) and the other errors raised with it.
fn error_data(out: &mut String, e: &ErrorObj) {
    const MAX: usize = 300;
    if let Some(d) = e.data.borrow().as_ref() {
        let mut text = escape_controls(&d.repr());
        if let Some((cut, _)) = text.char_indices().nth(MAX) {
            text.truncate(cut);
            text.push_str(" ...");
        }
        out.push_str(&format!("data: {text}\n"));
    }
    for o in e.others.borrow().iter() {
        let msg = escape_controls(&o.message);
        out.push_str(&format!("also failed: {}: {msg}\n", o.kind));
    }
}

/// An error that escaped: the report, then the call stack and the task chain.
pub(crate) fn runtime_error(style: &Style, sources: &Sources, e: &ErrorObj) -> String {
    let mut d = MietteDiagnostic::new(e.message.to_string()).with_code(e.kind.to_string());
    if e.message.is_empty() {
        d = MietteDiagnostic::new(e.kind.to_string()).with_code(e.kind.to_string());
    }
    if let Some(h) = e.help.borrow().as_ref() {
        d = d.with_help(h.clone());
    }
    let origin = *e.origin.borrow();
    let mut out =
        match origin.and_then(|loc| sources.files.get(loc.source as usize).map(|s| (loc, s))) {
            Some((loc, src)) => {
                let label = LabeledSpan::new_primary_with_span(
                    Some("raised here".into()),
                    span_of(loc.span, &src.text),
                );
                style.render(with_source(d.with_labels(vec![label]), src))
            }
            None => style.render(plain(d)),
        };
    error_data(&mut out, e);
    let trace = e.trace.borrow();
    if trace.len() > 1 {
        out.push_str("call stack (most recent call last):\n");
        let lines: Vec<String> = trace
            .iter()
            .map(|f| format!("  {} at {}\n", f.function, sources.describe(f.loc)))
            .collect();
        let mut i = 0;
        while i < lines.len() {
            // Collapse a run of identical frames (deep recursion), as Python does.
            let run = lines[i..].iter().take_while(|l| **l == lines[i]).count();
            let shown = run.min(3);
            for _ in 0..shown {
                out.push_str(&lines[i]);
            }
            if run > shown {
                out.push_str(&format!(
                    "  [previous line repeated {} more times]\n",
                    run - shown
                ));
            }
            i += run;
        }
    }
    if let Some(t) = e.task.borrow().as_ref() {
        match t.spawned_at {
            Some(at) => out.push_str(&format!(
                "in task '{}' spawned at {}\n",
                t.name,
                sources.describe(at)
            )),
            None if &*t.name == "main" => {}
            None => out.push_str(&format!("in task '{}'\n", t.name)),
        }
    }
    out
}

/// One waiting task, for the deadlock report.
pub(crate) struct Waiter {
    pub name: Rc<str>,
    pub at: Option<Loc>,
    /// What it waits on, who awaits it, its group: a line each.
    pub more: Vec<String>,
}

/// The report when no task can go on. The excerpt shows one source:
/// `focus`'s (where the main task waits), else the first waiter's; the
/// waiters elsewhere are only in the list below it (their spans would
/// point at unrelated text in this source).
pub(crate) fn stuck(
    style: &Style,
    sources: &Sources,
    title: &str,
    help: &str,
    waiters: &[Waiter],
    focus: Option<Loc>,
) -> String {
    let shown = focus.or_else(|| waiters.iter().find_map(|w| w.at));
    let src = shown.and_then(|l| sources.files.get(l.source as usize));
    let labels: Vec<LabeledSpan> = match src {
        Some(src) => waiters
            .iter()
            .filter_map(|w| w.at.map(|at| (w, at)))
            .filter(|(_, at)| shown.is_some_and(|s| s.source == at.source))
            .map(|(w, at)| {
                LabeledSpan::new_with_span(
                    Some(format!("task '{}' waits here", w.name)),
                    span_of(at.span, &src.text),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let d = MietteDiagnostic::new(title.to_string())
        .with_code("deadlock")
        .with_labels(labels)
        .with_help(help.to_string());
    let mut out = match src {
        Some(src) => style.render(with_source(d, src)),
        None => style.render(plain(d)),
    };
    for w in waiters {
        let at =
            w.at.map(|l| sources.describe(l))
                .unwrap_or_else(|| "its start".into());
        out.push_str(&format!("  task '{}' is waiting at {}\n", w.name, at));
        for line in &w.more {
            out.push_str(&format!("      {line}\n"));
        }
    }
    out
}

/// A warning printed at the end of a run (unretrieved task errors,
/// coroutines never awaited).
pub(crate) fn warning(
    style: &Style,
    sources: &Sources,
    message: &str,
    labels: &[(Loc, String)],
) -> String {
    let mut d = MietteDiagnostic::new(message.to_string())
        .with_severity(Severity::Warning)
        .with_code("warning");
    let src = labels
        .first()
        .and_then(|(l, _)| sources.files.get(l.source as usize));
    if let Some(src) = src {
        let spans = labels
            .iter()
            .filter(|(l, _)| l.source == labels[0].0.source)
            .map(|(l, text)| {
                LabeledSpan::new_with_span(Some(text.clone()), span_of(l.span, &src.text))
            })
            .collect::<Vec<_>>();
        d = d.with_labels(spans);
        return style.render(with_source(d, src));
    }
    style.render(plain(d))
}

/// What `tasks run` prints when a signal (SIGINT, SIGTERM, SIGHUP) stops
/// it: after the main task was cancelled and the program shut down, or
/// `at_once` (a second signal, or one during the shutdown).
pub fn stopped_by_signal(style: &Style, signo: i32, at_once: bool) -> String {
    let (code, message) = match signo {
        2 => ("KeyboardInterrupt", "interrupted by Ctrl-C"),
        1 => ("SIGHUP", "stopped by SIGHUP (the terminal hung up)"),
        15 => ("SIGTERM", "terminated by SIGTERM"),
        _ => ("signal", "stopped by a signal"),
    };
    let help = if at_once {
        "stopped at once: `finally` blocks still running did not finish"
    } else {
        "the main task was cancelled and its `finally` blocks ran"
    };
    let d = MietteDiagnostic::new(message)
        .with_code(code)
        .with_help(help);
    style.render(plain(d))
}

#[cfg(test)]
mod tests;
