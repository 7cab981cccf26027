//! What a native reads and makes values with, the standard library's and a
//! host's alike: the public faces of the evaluator's own helpers (the
//! items a `for` visits, how a float shows, hex and bytes, the nesting
//! rule), so that neither needs `runtime::values`' insides.

use super::{Value, MAX_NESTING};
use crate::runtime::error::ScriptError;

impl Value {
    /// How deep lists and maps may nest for the structural operations
    /// (`==`, `<`, `str`, `repr`; a writer such as `json.stringify` keeps
    /// to it too): past it they raise a `RecursionError`.
    pub const MAX_NESTING: usize = MAX_NESTING;

    /// The items a `for` loop over this value visits: a list's items, a
    /// string's characters, a map's keys, a range's ints, a bytes value's
    /// ints; a `TypeError` for anything else.
    pub fn items(&self) -> Result<Vec<Value>, ScriptError> {
        crate::runtime::values::ops::items_of(self)
    }

    /// How a float shows (`repr`, `print`): the shortest text that reads
    /// back as the same float, as Python's `repr(float)` (`0.1`, `1e+16`,
    /// `inf`, `nan`).
    pub fn float_repr(f: f64) -> String {
        super::format_float(f)
    }

    /// A bytes value's `b.hex(sep)`: two lowercase digits a byte, `sep`
    /// between them; `None` for a value that is not bytes.
    pub fn hex(&self, sep: &str) -> Option<String> {
        self.as_bytes()
            .map(|b| crate::runtime::values::bytes::hex(b, sep))
    }

    /// `bytes.from_hex(text)`: the bytes a hex text spells, as Python's
    /// `bytes.fromhex` (whitespace allowed between bytes); a bad or
    /// missing digit is a `ValueError` naming its position.
    pub fn from_hex(text: &str) -> Result<Value, ScriptError> {
        crate::runtime::values::bytes::from_hex(text)
    }
}
