//! Find references and rename, within the file: every place a name is
//! written (in code, f-string interpolations included; never in a string,
//! a comment or after a `.`) that resolves to the same declaration as the
//! name under the cursor.

use super::symbols::{self, Symbol};
use super::text::{qualifier, word_at};
use crate::syntax::lex::Scanner;

/// The declaration of the name at `offset`, and where each use of it
/// (the declaration included) starts and ends.
pub fn occurrences<'a>(
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
fn code_words(text: &str) -> Vec<(usize, usize)> {
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
pub fn valid_name(name: &str, keywords: &[&str]) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !keywords.contains(&name)
}
