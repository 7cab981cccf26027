//! The text a report shows: control characters escaped in its words,
//! and the source excerpt its labels point into (over-long lines cut to a
//! window around their labels, control characters drawn visible).

use super::{floor_char_boundary, Source};
use miette::{
    LabeledSpan, MietteDiagnostic, MietteError, MietteSpanContents, SourceCode, SpanContents,
};

/// Control characters (a NUL, an escape sequence from a string) would be
/// sent to the terminal as they are: show them escaped, in every text of a
/// report.
pub(super) fn clean(mut d: MietteDiagnostic) -> MietteDiagnostic {
    d.message = escape_controls(&d.message);
    d.help = d.help.map(|h| escape_controls(&h));
    d.labels = d.labels.map(|labels| {
        labels
            .into_iter()
            .map(|l| relabel(&l, l.label().map(escape_controls), *l.inner()))
            .collect()
    });
    d
}

/// A label like `l` (primary or not) with another text and span.
fn relabel(l: &LabeledSpan, text: Option<String>, span: miette::SourceSpan) -> LabeledSpan {
    if l.primary() {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

pub(crate) fn escape_controls(s: &str) -> String {
    if !s.chars().any(is_escaped_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| match c {
            c if !is_escaped_control(c) => c.to_string(),
            c => c.escape_default().to_string(),
        })
        .collect()
}

/// Every control character but the line breaks and tabs a report lays out.
fn is_escaped_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t')
}

/// Source lines longer than this many bytes are shown as a window of this
/// size around their labels: miette cannot place a label past column
/// 65,535, and nobody can read one there.
const WIDEST_LINE: usize = 400;
/// How much of a long line a window shows before the label it is for.
const WINDOW_LEAD: usize = 80;

/// The source as a report shows it: each over-long line cut to a window
/// (marked with `…`), control characters drawn as visible symbols. Labels
/// are moved to match, and the `file:line:col` header keeps the position
/// in the real source.
pub(super) struct Excerpt {
    name: String,
    text: String,
    /// Each label's start in `text`, and its true column (characters from
    /// its line's start, 0-based). miette counts bytes, but a column is
    /// where a person counts to (as rustc and `Sources::describe` count).
    columns: Vec<(usize, usize)>,
}

/// A run of the original source and what stands for it in the excerpt.
struct Piece {
    old: std::ops::Range<usize>,
    new_start: usize,
    /// Copied byte for byte (else replaced: positions inside it map to its start).
    copied: bool,
}

impl Excerpt {
    pub(super) fn new(src: &Source, labels: Vec<LabeledSpan>) -> (Self, Vec<LabeledSpan>) {
        let text: &str = &src.text;
        let starts: Vec<usize> = labels.iter().map(|l| l.offset()).collect();
        let mut out = String::with_capacity(text.len());
        let mut pieces: Vec<Piece> = Vec::new();
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            let content_end = line_start + line.trim_end_matches(['\n', '\r']).len();
            let (from, to) = window(text, line_start, content_end, &starts);
            if from > line_start {
                replace(&mut out, &mut pieces, line_start..from, "…");
            }
            copy(&mut out, &mut pieces, text, from..to);
            if to < content_end {
                replace(&mut out, &mut pieces, to..content_end, "…");
            }
            copy(
                &mut out,
                &mut pieces,
                text,
                content_end..line_start + line.len(),
            );
            line_start += line.len();
        }
        let map = |old: usize| -> usize {
            let i = pieces
                .partition_point(|p| p.old.start <= old)
                .saturating_sub(1);
            match pieces.get(i) {
                Some(p) if p.copied => p.new_start + (old.min(p.old.end) - p.old.start),
                Some(p) if old >= p.old.end => p.new_start + 3,
                Some(p) => p.new_start,
                None => old.min(out.len()),
            }
        };
        let mut columns = Vec::new();
        let labels = labels
            .into_iter()
            .map(|l| {
                let start = l.offset().min(text.len());
                let end = (start + l.len()).min(text.len());
                let (new_start, new_end) = (map(start), map(end).max(map(start)));
                let at = floor_char_boundary(text, start);
                let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
                columns.push((new_start, text[line..at].chars().count()));
                let label = l.label().map(str::to_string);
                relabel(&l, label, (new_start, new_end - new_start).into())
            })
            .collect();
        let excerpt = Excerpt {
            name: src.name.clone(),
            text: out,
            columns,
        };
        (excerpt, labels)
    }
}

/// The part of the line `start..end` to show: all of it when it is short,
/// else a window around the first label on it.
fn window(text: &str, start: usize, end: usize, labels: &[usize]) -> (usize, usize) {
    if end - start <= WIDEST_LINE {
        return (start, end);
    }
    let anchor = labels
        .iter()
        .copied()
        .filter(|&l| l >= start && l <= end)
        .min()
        .unwrap_or(start);
    let from = floor_char_boundary(text, anchor.saturating_sub(WINDOW_LEAD).max(start));
    let to = floor_char_boundary(text, (from + WIDEST_LINE).min(end));
    (from, to)
}

fn replace(out: &mut String, pieces: &mut Vec<Piece>, old: std::ops::Range<usize>, with: &str) {
    pieces.push(Piece {
        old,
        new_start: out.len(),
        copied: false,
    });
    out.push_str(with);
}

/// Copies `old`, drawing each control character as a visible symbol.
fn copy(out: &mut String, pieces: &mut Vec<Piece>, text: &str, old: std::ops::Range<usize>) {
    let mut run = old.start;
    for (i, c) in text[old.clone()].char_indices() {
        let at = old.start + i;
        if c == '\r' && text[at..].starts_with("\r\n") || !is_escaped_control(c) {
            continue;
        }
        if at > run {
            pieces.push(Piece {
                old: run..at,
                new_start: out.len(),
                copied: true,
            });
            out.push_str(&text[run..at]);
        }
        let picture = match c as u32 {
            n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('?'),
            0x7f => '\u{2421}',
            _ => '\u{fffd}',
        };
        replace(out, pieces, at..at + c.len_utf8(), &picture.to_string());
        run = at + c.len_utf8();
    }
    if old.end > run {
        pieces.push(Piece {
            old: run..old.end,
            new_start: out.len(),
            copied: true,
        });
        out.push_str(&text[run..old.end]);
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self.text.as_str().read_span(span, before, after)?;
        // A header's `line:col` comes from reading its label with no
        // context: give it the column in the real source.
        let column = match self.columns.iter().find(|(at, _)| *at == span.offset()) {
            Some(&(_, col)) if before == 0 => col,
            _ => c.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line(),
            column,
            c.line_count(),
        )))
    }
}
