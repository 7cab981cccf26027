//! Positions as the protocol counts them (line, UTF-16 unit) and as the
//! engine does (byte offsets), and the word under a position.

use lsp_types::{Position, Range};

/// Where each line of a text starts, to turn byte offsets into positions
/// and back.
pub(super) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    pub(super) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let prefix = self.text.get(start..offset).unwrap_or("");
        let character = prefix.chars().map(char::len_utf16).sum::<usize>();
        Position::new(line as u32, character as u32)
    }

    pub(super) fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end.max(start)))
    }

    /// The byte offset of `pos` (clamped to its line and to the text).
    pub(super) fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(self.text.len());
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= pos.character as usize || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The name at `offset` (touching it from either side), with its start.
pub(super) fn word_at(text: &str, offset: usize) -> Option<(usize, &str)> {
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(text.len(), |(i, _)| offset + i);
    let word = &text[start..end];
    let starts_like_a_name = word.chars().next().is_some_and(|c| !c.is_ascii_digit());
    (!word.is_empty() && starts_like_a_name).then_some((start, word))
}

/// `fs` when the name starting at `start` is written `fs.name`.
pub(super) fn qualifier(text: &str, start: usize) -> Option<&str> {
    let before = text[..start].strip_suffix('.')?;
    let q_start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map(|(i, _)| i)?;
    Some(&before[q_start..])
}

/// What stands before the `.` in front of the name at `start`.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Receiver<'a> {
    /// `x.name`: a name.
    Name(&'a str),
    /// `"a,b".split`: a string literal (or an f-string).
    Str,
    /// `xs[0].name`, `f().name`: something whose type is not plain.
    Other,
}

/// The receiver of the name at `start`, when it is written `x.name`.
pub(super) fn receiver(text: &str, start: usize) -> Option<Receiver<'_>> {
    let before = text[..start].strip_suffix('.')?;
    if let Some(q) = qualifier(text, start) {
        let is_number = q.chars().next().is_some_and(|c| c.is_ascii_digit());
        return Some(if is_number {
            Receiver::Other
        } else {
            Receiver::Name(q)
        });
    }
    Some(if before.ends_with('"') {
        Receiver::Str
    } else {
        Receiver::Other
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "let é = 1\nlet 😀x = 2\n";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(lines.position(x), Position::new(1, 6));
        assert_eq!(lines.offset(Position::new(1, 6)), x);
        assert_eq!(lines.offset(Position::new(9, 0)), text.len());
    }

    #[test]
    fn the_word_and_its_qualifier() {
        let text = "fs.read_text(p)";
        assert_eq!(word_at(text, 5), Some((3, "read_text")));
        assert_eq!(qualifier(text, 3), Some("fs"));
        assert_eq!(word_at(text, 0), Some((0, "fs")));
        assert_eq!(word_at("1.5", 1), None);
    }

    #[test]
    fn the_receiver_before_a_dot() {
        let text = "q.put(1); \"a,b\".split(\",\"); xs[0].pop(); x";
        let at = |w: &str| text.find(w).unwrap();
        assert_eq!(receiver(text, at("put")), Some(Receiver::Name("q")));
        assert_eq!(receiver(text, at("split")), Some(Receiver::Str));
        assert_eq!(receiver(text, at("pop")), Some(Receiver::Other));
        assert_eq!(receiver(text, text.len() - 1), None);
    }
}
