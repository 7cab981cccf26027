//! What the text formats (`toml`, `yaml`) share: where in the text an
//! error is, as a person counts it, and the guard that keeps writing a
//! value from following a list that contains itself or nesting without end.

use crate::{Key, ScriptError, Value};

/// How deep lists and maps may nest when read or written (as `json`'s
/// reader: deeper is refused with an error, not a stack overflow).
pub(crate) const MAX_DEPTH: usize = 128;

/// The 1-based line and column (in characters) of byte `at` of `text`.
pub(crate) fn line_col(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// A parse error of `kind` (`TomlError`, `YamlError`): the message says
/// where, and the error's data has `line` and `column` for a script.
pub(crate) fn parse_error(kind: &str, what: &str, line: usize, column: usize) -> ScriptError {
    ScriptError::new(kind, format!("{what} (at line {line}, column {column})")).with_fields(&[
        ("line", Value::Int(line as i64)),
        ("column", Value::Int(column as i64)),
    ])
}

/// The lists and maps being written, innermost last: a container met
/// again while it is open contains itself.
#[derive(Default)]
pub(crate) struct Open {
    stack: Vec<*const ()>,
}

impl Open {
    /// Enters `v` (a list or map), or the error of writing it: it is
    /// already open (`ValueError`), or the nesting is too deep.
    pub(crate) fn enter(&mut self, fname: &str, v: &Value) -> Result<(), ScriptError> {
        let ptr = match v {
            Value::List(l) => std::rc::Rc::as_ptr(l) as *const (),
            Value::Map(m) => std::rc::Rc::as_ptr(m) as *const (),
            _ => return Ok(()),
        };
        if self.stack.contains(&ptr) {
            return Err(ScriptError::new(
                "ValueError",
                format!("{fname}(): a {} contains itself", v.type_name()),
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ScriptError::new(
                "RecursionError",
                format!("{fname}(): lists and maps nested more than {MAX_DEPTH} deep"),
            ));
        }
        self.stack.push(ptr);
        Ok(())
    }

    /// Leaves the innermost container.
    pub(crate) fn leave(&mut self) {
        self.stack.pop();
    }
}

/// A list's items or a map's pairs, copied out before they are written:
/// writing an item may enter the same container again (the [`Open`] guard
/// then refuses it), which must not find it borrowed.
pub(crate) fn items_of(items: &std::cell::RefCell<crate::ListItems>) -> Vec<Value> {
    items.borrow().iter().cloned().collect()
}

/// See [`items_of`].
pub(crate) fn pairs_of(m: &std::cell::RefCell<crate::MapTable>) -> Vec<(Key, Value)> {
    m.borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn line_col_counts_characters_from_one() {
        assert_eq!(line_col("ab\ncé\nd", 0), (1, 1));
        assert_eq!(line_col("ab\ncé\nd", 3), (2, 1));
        // After the two-byte é: column 3, not 4.
        assert_eq!(line_col("ab\ncé\nd", 6), (2, 3));
        assert_eq!(line_col("ab\ncé\nd", 5), (2, 2));
        assert_eq!(line_col("x", 99), (1, 2));
    }
}
