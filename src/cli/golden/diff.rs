//! Unified diffs of expected and actual output (coloured on a terminal).

use similar::{ChangeTag, TextDiff};
use std::time::Duration;

/// Myers' diff is quadratic in the number of differing lines (40,000 took
/// 14 s); past this it settles for a coarser diff, still a correct one.
const DIFF_TIME: Duration = Duration::from_millis(500);

/// Diff lines shown per comparison: a report with more is not read, and a
/// runaway case must not make a huge one.
const MAX_LINES: usize = 400;

pub(super) fn unified(expected: &str, actual: &str, color: bool) -> String {
    let diff = TextDiff::configure()
        .timeout(DIFF_TIME)
        .diff_lines(expected, actual);
    let mut out = String::new();
    let mut shown = 0;
    let mut left_out = 0;
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        if shown >= MAX_LINES {
            left_out += hunk.iter_changes().count();
            continue;
        }
        out.push_str(&format!("{}\n", hunk.header()));
        for change in hunk.iter_changes() {
            if shown >= MAX_LINES {
                left_out += 1;
                continue;
            }
            shown += 1;
            push_change(&mut out, change.tag(), change.value(), color);
        }
    }
    if left_out > 0 {
        out.push_str(&format!("… {left_out} more diff lines not shown\n"));
    }
    out
}

fn push_change(out: &mut String, tag: ChangeTag, line: &str, color: bool) {
    let (sign, paint) = match tag {
        ChangeTag::Delete => ('-', "\x1b[31m"),
        ChangeTag::Insert => ('+', "\x1b[32m"),
        ChangeTag::Equal => (' ', ""),
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_diff_is_shown_whole() {
        assert_eq!(
            unified("a\nb\nc\n", "a\nx\nc\n", false),
            "@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n"
        );
    }

    /// 40,000 differing lines (14 s before the time limit): the report
    /// shows the first `MAX_LINES` and counts the rest.
    #[test]
    fn a_huge_diff_is_cut_short() {
        let expected: String = (0..40_000).map(|i| format!("e{i}\n")).collect();
        let actual: String = (0..40_000).map(|i| format!("a{}\n", i * 7)).collect();
        let d = unified(&expected, &actual, false);
        assert_eq!(
            d.lines().filter(|l| l.starts_with(['-', '+'])).count(),
            MAX_LINES
        );
        assert!(
            d.ends_with("… 79600 more diff lines not shown\n"),
            "{}",
            &d[d.len() - 200..]
        );
    }
}
