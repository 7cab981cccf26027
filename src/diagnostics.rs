//! Every error, syntax or runtime, rendered as a miette report: the kind,
//! the message, the source line with the span labelled, a help line where
//! there is a likely fix, then the call stack and the task chain.

use crate::compile::CompileError;
use crate::runtime::error::{ErrorObj, Loc};
use crate::syntax::{Span, SyntaxError};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
    Severity,
};
use std::rc::Rc;

/// A loaded source file.
pub struct Source {
    pub name: String,
    pub text: Rc<str>,
}

/// The sources of a run, indexed by the `source` field of a [`Loc`].
#[derive(Default)]
pub struct Sources {
    pub files: Vec<Source>,
}

impl Sources {
    pub fn add(&mut self, name: &str, text: &str) -> u32 {
        self.files.push(Source {
            name: name.to_string(),
            text: Rc::from(text),
        });
        (self.files.len() - 1) as u32
    }

    /// `file:line:col` for a location (1-based, columns in characters).
    pub fn describe(&self, loc: Loc) -> String {
        let Some(src) = self.files.get(loc.source as usize) else {
            return "?".into();
        };
        let (line, col) = line_col(&src.text, loc.span.start as usize);
        format!("{}:{line}:{col}", src.name)
    }
}

pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
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
    pub color: bool,
}

impl Style {
    fn handler(&self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            // A flag such as `--allow-env=HOME` must stay whole to be copied.
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
            .with_context_lines(1)
    }

    fn render(&self, report: Report) -> String {
        let mut out = String::new();
        let _ = self.handler().render_report(&mut out, report.as_ref());
        out
    }
}

fn span_of(span: Span, text: &str) -> miette::SourceSpan {
    let start = (span.start as usize).min(text.len());
    let len = span.len().min(text.len() - start);
    (start, len).into()
}

fn with_source(diag: MietteDiagnostic, src: &Source) -> Report {
    Report::new(diag).with_source_code(NamedSource::new(src.name.clone(), src.text.to_string()))
}

pub fn syntax_error(style: &Style, src: &Source, e: &SyntaxError) -> String {
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

pub fn compile_error(style: &Style, src: &Source, e: &CompileError) -> String {
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

/// An error that escaped: the report, then the call stack and the task chain.
pub fn runtime_error(style: &Style, sources: &Sources, e: &ErrorObj) -> String {
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
            None => style.render(Report::new(d)),
        };
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
pub struct Waiter {
    pub name: Rc<str>,
    pub at: Option<Loc>,
}

pub fn stuck(
    style: &Style,
    sources: &Sources,
    title: &str,
    help: &str,
    waiters: &[Waiter],
) -> String {
    let src = waiters
        .iter()
        .find_map(|w| w.at)
        .and_then(|l| sources.files.get(l.source as usize));
    let labels: Vec<LabeledSpan> = waiters
        .iter()
        .filter_map(|w| {
            let at = w.at?;
            let text = &sources.files.get(at.source as usize)?.text;
            Some(LabeledSpan::new_with_span(
                Some(format!("task '{}' waits here", w.name)),
                span_of(at.span, text),
            ))
        })
        .collect();
    let d = MietteDiagnostic::new(title.to_string())
        .with_code("deadlock")
        .with_labels(labels)
        .with_help(help.to_string());
    let mut out = match src {
        Some(src) => style.render(with_source(d, src)),
        None => style.render(Report::new(d)),
    };
    for w in waiters {
        let at =
            w.at.map(|l| sources.describe(l))
                .unwrap_or_else(|| "its start".into());
        out.push_str(&format!("  task '{}' is waiting at {}\n", w.name, at));
    }
    out
}

/// A warning printed at the end of a run (unretrieved task errors,
/// coroutines never awaited).
pub fn warning(
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
    style.render(Report::new(d))
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
    style.render(Report::new(d))
}
