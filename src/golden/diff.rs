//! Unified diffs of expected and actual output (coloured on a terminal).

use similar::{ChangeTag, TextDiff};

pub fn unified(expected: &str, actual: &str, color: bool) -> String {
    let diff = TextDiff::from_lines(expected, actual);
    let mut out = String::new();
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&format!("{}\n", hunk.header()));
        for change in hunk.iter_changes() {
            let (sign, paint) = match change.tag() {
                ChangeTag::Delete => ('-', "\x1b[31m"),
                ChangeTag::Insert => ('+', "\x1b[32m"),
                ChangeTag::Equal => (' ', ""),
            };
            let line = change.value();
            let newline = if line.ends_with('\n') {
                ""
            } else {
                "\n\\ no newline at end\n"
            };
            if color && !paint.is_empty() {
                out.push_str(&format!("{paint}{sign}{line}\x1b[0m{newline}"));
            } else {
                out.push_str(&format!("{sign}{line}{newline}"));
            }
        }
    }
    out
}
