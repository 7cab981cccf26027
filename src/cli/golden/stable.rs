//! The stable form of an `.err` golden: a file whose first line is
//! [`HEADER`] is compared with the run's stderr without line and column
//! numbers, so a line added above the error (a comment) does not fail the
//! case. What is compared: every line of the report as printed (the error's
//! kind and message, help, the call stack's function names and files),
//! with each `:LINE:COL` dropped, and of each source excerpt the lines a
//! label points at (without their numbers), their labels and the excerpt's
//! file, not the context lines around them.

/// The first line of an `.err` file in the stable form.
pub(super) const HEADER: &str = "# stable: compared without line numbers (docs/TESTING.md)";

/// Whether an `.err` file's text is in the stable form.
pub(super) fn is_stable(expected: &str) -> bool {
    expected.lines().next() == Some(HEADER)
}

/// The stable form of a run's stderr: [`HEADER`], then the report as
/// described in the module's comment.
pub(super) fn stable_form(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = format!("{HEADER}\n");
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = excerpt_line(line) else {
            out.push_str(&without_places(line));
            out.push('\n');
            continue;
        };
        if let Some(code) = numbered_source(rest) {
            // A source line is kept when a label points at it.
            let labelled = lines
                .get(i + 1)
                .and_then(|next| excerpt_line(next))
                .is_some_and(|next| next.starts_with('·'));
            if labelled {
                out.push_str(&format!("│{code}\n"));
            }
            continue;
        }
        out.push_str(&without_places(rest));
        out.push('\n');
    }
    out
}

/// A line of a source excerpt (its gutter: spaces, then a line number or
/// one of the frame's characters), without the leading spaces, which
/// depend on how many digits the largest line number has.
fn excerpt_line(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(' ');
    let first = rest.chars().next()?;
    (first.is_ascii_digit() && numbered_source(rest).is_some() || "╭│·╰┬├".contains(first))
        .then_some(rest)
}

/// `12 │ code` → ` code`.
fn numbered_source(rest: &str) -> Option<&str> {
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    rest[digits..].strip_prefix(" │")
}

/// The line with every `:LINE:COL` (two numbers after colons) taken out.
fn without_places(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < bytes.len() {
        // After a file name, not inside a run of numbers (a time: 12:30:45).
        let after_number = i > 0 && bytes[i - 1].is_ascii_digit();
        if let Some(len) = place_at(&bytes[i..]).filter(|_| !after_number) {
            i += len;
            continue;
        }
        let c = line[i..].chars().next().expect("a char at a char boundary");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// The length of `:LINE:COL` at the start of `b`, if it is one.
fn place_at(b: &[u8]) -> Option<usize> {
    let number = |from: usize| {
        let n = b
            .get(from..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        (n > 0).then_some(from + n)
    };
    if b.first() != Some(&b':') {
        return None;
    }
    let line_end = number(1)?;
    if b.get(line_end) != Some(&b':') {
        return None;
    }
    let col_end = number(line_end + 1)?;
    (b.get(col_end) != Some(&b':')).then_some(col_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT_LINE_3: &str = "\
ValueError

  × bad input
   ╭─[case.tasks:3:9]
 2 │ let a = 1
 3 │ let b = parse(a)
   ·         ────┬───
   ·             ╰── raised here
 4 │ print(b)
   ╰────
call stack (most recent call last):
  main at case.tasks:3:9
";

    /// The same error after two lines were added above it: line 5, and
    /// other context lines around it.
    const AT_LINE_10: &str = "\
ValueError

  × bad input
    ╭─[case.tasks:10:9]
  9 │ # a comment
 10 │ let b = parse(a)
    ·         ────┬───
    ·             ╰── raised here
 11 │ print(b)
    ╰────
call stack (most recent call last):
  main at case.tasks:10:9
";

    #[test]
    fn keeps_kind_message_labelled_line_and_labels() {
        assert_eq!(
            stable_form(AT_LINE_3),
            format!(
                "{HEADER}\nValueError\n\n  × bad input\n╭─[case.tasks]\n│ let b = parse(a)\n\
                 ·         ────┬───\n·             ╰── raised here\n╰────\n\
                 call stack (most recent call last):\n  main at case.tasks\n"
            )
        );
    }

    #[test]
    fn lines_added_above_the_error_do_not_change_it() {
        assert_eq!(stable_form(AT_LINE_3), stable_form(AT_LINE_10));
    }

    /// What a line numbers cannot hide is still compared: the message,
    /// the source line the label points at, the label.
    #[test]
    fn a_different_message_or_line_still_differs() {
        let other_message = AT_LINE_3.replace("bad input", "bad output");
        assert_ne!(stable_form(AT_LINE_3), stable_form(&other_message));
        let other_line = AT_LINE_3.replace("let b = parse(a)", "let c = parse(a)");
        assert_ne!(stable_form(AT_LINE_3), stable_form(&other_line));
    }

    #[test]
    fn a_time_of_day_is_not_a_place() {
        assert_eq!(
            without_places("at 12:30:45 in x.tasks:4:2"),
            "at 12:30:45 in x.tasks"
        );
    }
}
