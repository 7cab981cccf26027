//! Lines longer than the width are broken at a bracket, as black and
//! rustfmt do: the outermost call, list or map that opens and closes on
//! the line (the last one, if there are several) is opened up, one item a
//! line with a trailing comma, and each new line is broken again if it
//! still needs it. A group written with a trailing comma is always opened
//! up (the "magic trailing comma"), which lets a writer ask for it. A
//! one-line block (`fn(x) { return … }` as an argument) is a group too:
//! opened up, its inside goes on a line of its own, as `lines.rs` lays
//! out a block written over several lines, so formatting the result again
//! changes nothing (opening the brackets inside it instead left the block
//! across lines with code after its `{`, which the next run moved).

use super::lines::{Line, INDENT};
use super::spacing::{is_closer, is_opener, Bracket, Role};
use super::tokens::{Kind, Token};

pub(super) const WIDTH: usize = 100;

/// The tokens (with a synthetic trailing comma added when a group is
/// opened up without one) and their roles.
pub(super) struct Tokens {
    pub tokens: Vec<Token>,
    pub roles: Vec<Role>,
}

impl Tokens {
    /// How wide the line is, or `None` when a token spans lines.
    fn width(&self, line: &Line) -> Option<usize> {
        let mut w = line.indent;
        for (n, &i) in line.tokens.iter().enumerate() {
            let t = &self.tokens[i].text;
            if t.contains('\n') {
                return None;
            }
            let gap = match self.tokens[i].kind {
                _ if n == 0 => 0,
                Kind::LineComment => 2,
                _ => usize::from(self.roles[i].space),
            };
            w += t.chars().count() + gap;
        }
        Some(w)
    }

    fn comma(&mut self) -> usize {
        self.tokens.push(Token {
            kind: Kind::Punct,
            text: ",".into(),
            breaks: 0,
        });
        self.roles.push(Role::default());
        self.tokens.len() - 1
    }

    pub(super) fn break_line(&mut self, line: Line, out: &mut Vec<Line>) {
        let Some(width) = self.width(&line) else {
            out.push(line);
            return;
        };
        match self.group_to_open(&line, width > WIDTH) {
            Some((open, close)) => self.open_up(line, open, close, out),
            None => out.push(line),
        }
    }

    /// The positions (in the line) of the opener and closer of the group
    /// to open up: one written with a trailing comma, else (when the line
    /// is too long) the last of the outermost ones.
    fn group_to_open(&self, line: &Line, too_long: bool) -> Option<(usize, usize)> {
        let at = |k: usize| line.tokens[k];
        let mut depth = 0usize;
        let mut best: Option<(usize, usize, usize)> = None;
        let mut magic: Option<(usize, usize, usize)> = None;
        for k in 0..line.tokens.len() {
            let i = at(k);
            let t = &self.tokens[i];
            if is_closer(t) {
                depth = depth.saturating_sub(1);
                continue;
            }
            if !is_opener(t) {
                continue;
            }
            depth += 1;
            let role = self.roles[i];
            let Some(partner) = role.partner.filter(|&p| p > i + 1) else {
                continue;
            };
            let close = k + (partner - i);
            if line.tokens.get(close) != Some(&partner) {
                continue;
            }
            let block = role.bracket == Some(Bracket::Block);
            let candidate = (depth, k, close);
            if !block && self.tokens[partner - 1].is(",") && magic.is_none_or(|m| depth < m.0) {
                magic = Some(candidate);
            }
            if best.is_none_or(|b| depth <= b.0) {
                best = Some(candidate);
            }
        }
        let chosen = magic.or(if too_long { best } else { None })?;
        Some((chosen.1, chosen.2))
    }

    fn open_up(&mut self, line: Line, open: usize, close: usize, out: &mut Vec<Line>) {
        let kind = self.roles[line.tokens[open]].bracket;
        let inner = &line.tokens[open + 1..close];
        // A block's inside is statements, not items: one line, no comma.
        let items = if kind == Some(Bracket::Block) {
            vec![inner.to_vec()]
        } else {
            self.items(inner)
        };
        let comprehension =
            items.len() == 1 && inner.iter().any(|&i| self.tokens[i].is_word("for"));
        let needs_comma = kind.is_some_and(Bracket::takes_trailing_comma) && !comprehension;
        let head = Line {
            indent: line.indent,
            tokens: line.tokens[..=open].to_vec(),
            blank_before: line.blank_before,
        };
        self.break_line(head, out);
        let count = items.len();
        for (n, mut item) in items.into_iter().enumerate() {
            let has_comma = item.last().is_some_and(|&i| self.tokens[i].is(","));
            if n + 1 == count && !has_comma && needs_comma {
                let c = self.comma();
                item.push(c);
            }
            let item_line = Line {
                indent: line.indent + INDENT,
                tokens: item,
                blank_before: false,
            };
            self.break_line(item_line, out);
        }
        let tail = Line {
            indent: line.indent,
            tokens: line.tokens[close..].to_vec(),
            blank_before: false,
        };
        self.break_line(tail, out);
    }

    /// A group's inside split after each comma at its own level.
    fn items(&self, inner: &[usize]) -> Vec<Vec<usize>> {
        let mut items = vec![Vec::new()];
        let mut depth = 0usize;
        for &i in inner {
            let t = &self.tokens[i];
            if is_opener(t) {
                depth += 1;
            } else if is_closer(t) {
                depth = depth.saturating_sub(1);
            }
            items.last_mut().expect("never empty").push(i);
            if depth == 0 && t.is(",") {
                items.push(Vec::new());
            }
        }
        if items.last().is_some_and(Vec::is_empty) {
            items.pop();
        }
        items
    }
}
