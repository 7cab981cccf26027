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

    /// A float's integer part as an int, as `int(f)` makes it: nan is a
    /// `ValueError` and anything outside 64 bits an `OverflowError`, in
    /// CPython's words.
    pub fn int_from_float(f: f64) -> Result<Value, ScriptError> {
        // -2^63 is exact as a float; 2^63 is the first value past the range.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if f.is_nan() {
            return Err(ScriptError::value_error(
                "cannot convert float NaN to integer",
            ));
        }
        if (-LIMIT..LIMIT).contains(&f) {
            return Ok(Value::Int(f as i64));
        }
        let what = if f.is_infinite() {
            "float infinity".to_string()
        } else {
            Value::float_repr(f)
        };
        Err(ScriptError::new(
            "OverflowError",
            format!("cannot convert {what} to a 64-bit integer"),
        ))
    }
}
