//! Find references and rename, within the file: every place a name is
//! written (in code, f-string interpolations included; never in a string,
//! a comment or after a `.`) that resolves to the same declaration as the
//! name under the cursor.

use super::members::Scope;
use super::symbols::{self, Kind, Symbol};
use super::text::{qualifier, receiver, word_at};
use crate::syntax::lex::Scanner;

/// The declaration of the name at `offset`, and where each use of it
/// (the declaration included) starts and ends.
pub(super) fn occurrences<'a>(
    text: &str,
    symbols: &'a [Symbol],
    offset: usize,
) -> Option<(&'a Symbol, Vec<(usize, usize)>)> {
    let (start, word) = word_at(text, offset)?;
    if qualifier(text, start).is_some() {
        return None;
    }
    let target = declared_at(symbols, word, start)?;
    let uses = code_words(text)
        .into_iter()
        .filter(|&(s, e)| &text[s..e] == word && qualifier(text, s).is_none())
        .filter(|&(s, _)| declared_at(symbols, word, s).is_some_and(|d| same(d, target)))
        .collect();
    Some((target, uses))
}

/// Where a name is written: its first byte and the byte after it.
type Span = (usize, usize);

/// A record's field or method under `offset` (written after a `.`, or
/// its declaration), and every `.name` that means it, its declaration
/// first: a use counts when its receiver's type says so (see
/// [`Scope::definition`]).
pub(super) fn member_occurrences(
    text: &str,
    scope: &Scope,
    offset: usize,
) -> Option<(Span, Vec<Span>)> {
    let (start, word) = word_at(text, offset)?;
    let target = match receiver(text, start) {
        Some(recv) => scope.definition(&recv, word, start)?,
        None => member_declared_at(scope.symbols, start)?,
    };
    let mut uses = vec![target];
    for (s, e) in code_words(text) {
        let means_it =
            || receiver(text, s).is_some_and(|r| scope.definition(&r, word, s) == Some(target));
        if &text[s..e] == word && means_it() {
            uses.push((s, e));
        }
    }
    Some((target, uses))
}

/// The field or method a record declares at `at`.
fn member_declared_at(symbols: &[Symbol], at: usize) -> Option<(usize, usize)> {
    symbols.iter().find_map(|s| match s.kind {
        Kind::Record => s
            .fields
            .iter()
            .find(|(_, start, _)| *start == at)
            .map(|(_, start, end)| (*start, *end)),
        Kind::Function if s.ty.is_some() && s.start == at => Some((s.start, s.end)),
        _ => None,
    })
}

/// The declaration the name written at `at` means: itself where it is
/// declared (a parameter is outside the block it is seen in), else the
/// one in scope there.
fn declared_at<'a>(symbols: &'a [Symbol], word: &str, at: usize) -> Option<&'a Symbol> {
    symbols
        .iter()
        .find(|d| d.start == at && d.name == word)
        .or_else(|| symbols::resolve(symbols, word, at))
}

fn same(a: &Symbol, b: &Symbol) -> bool {
    a.start == b.start && a.end == b.end
}

/// The names written in code: runs of word bytes the scanner says are
/// code, which do not start with a digit.
pub(super) fn code_words(text: &str) -> Vec<(usize, usize)> {
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for b in Scanner::new(text) {
        let word_byte = b.byte.is_ascii_alphanumeric() || b.byte == b'_';
        match current {
            Some((s, e)) if word_byte && e == b.at => current = Some((s, e + 1)),
            _ => {
                words.extend(current.take());
                if word_byte {
                    current = Some((b.at, b.at + 1));
                }
            }
        }
    }
    words.extend(current);
    // Not a number, and not the prefix of a string (`f"…"`, `b"…"`).
    let bytes = text.as_bytes();
    words.retain(|&(s, e)| !bytes[s].is_ascii_digit() && bytes.get(e) != Some(&b'"'));
    words
}

/// A new name must be a name, and not a keyword.
pub(super) fn valid_name(name: &str, keywords: &[&str]) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !keywords.contains(&name)
}
