//! The conversions between script values and Rust types that a host
//! function's parameters and results go through.

use super::NativeResult;
use crate::runtime::values::value::Value;
use std::rc::Rc;

/// A script value converted to a Rust type; `Err` names what was wanted.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of a function scripts call",
    label = "not convertible from a script value",
    note = "parameters may be `i64`, `f64`, `bool`, `String`, `Value`, `Vec<T>`, `IndexMap<String, T>` or `Option<T>` of those (`tasks::FromValue`), and the first may be `&mut NativeCtx`"
)]
pub trait FromValue: Sized {
    /// The conversion.
    fn from_value(v: &Value) -> Result<Self, &'static str>;
    /// What a parameter of this type is when the call leaves it out
    /// (`None`: it may not be left out; `Option<T>` may).
    fn missing() -> Option<Self> {
        None
    }
}

/// A Rust value converted to a script value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned to a script",
    label = "not convertible to a script value",
    note = "results may be `i64`, `f64`, `bool`, `String`, `&str`, `()`, `Value`, `Vec<T>`, `IndexMap<String, T>` or `Option<T>` of those (`tasks::IntoValue`)"
)]
pub trait IntoValue {
    /// The conversion.
    fn into_value(self) -> Value;
}

impl FromValue for Value {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        Ok(v.clone())
    }
}
impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        match v {
            Value::Int(i) => Ok(*i),
            _ => Err("an int"),
        }
    }
}
impl IntoValue for i64 {
    fn into_value(self) -> Value {
        Value::Int(self)
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        match v {
            Value::Int(i) => Ok(*i as f64),
            Value::Float(f) => Ok(*f),
            _ => Err("a number"),
        }
    }
}
impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Float(self)
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        match v {
            Value::Bool(b) => Ok(*b),
            _ => Err("a bool"),
        }
    }
}
impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        match v {
            Value::Str(s) => Ok(s.to_string()),
            _ => Err("a str"),
        }
    }
}
/// A string argument without a copy: the value's own text, shared.
impl FromValue for crate::runtime::values::str::Str {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        match v {
            Value::Str(s) => Ok(s.clone()),
            _ => Err("a str"),
        }
    }
}
impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::str(&self)
    }
}
impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::str(self)
    }
}
impl IntoValue for () {
    fn into_value(self) -> Value {
        Value::Nil
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        match v {
            Value::Nil => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
    fn missing() -> Option<Self> {
        Some(None)
    }
}
impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::Nil, T::into_value)
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        match v {
            Value::List(l) => l
                .borrow()
                .iter()
                .map(T::from_value)
                .collect::<Result<_, _>>()
                .map_err(|_| "a list of the right items"),
            _ => Err("a list"),
        }
    }
}
impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::list(self.into_iter().map(T::into_value).collect())
    }
}

impl<T: FromValue> FromValue for indexmap::IndexMap<String, T> {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        let Value::Map(m) = v else {
            return Err("a map");
        };
        m.borrow()
            .iter()
            .map(|(k, v)| match k {
                crate::runtime::values::value::Key::Str(s) => {
                    T::from_value(v).map(|v| (s.to_string(), v))
                }
                _ => Err("a map with str keys"),
            })
            .collect::<Result<_, _>>()
            .map_err(|_| "a map of the right items")
    }
}
impl<T: IntoValue> IntoValue for indexmap::IndexMap<String, T> {
    fn into_value(self) -> Value {
        let mut table = crate::runtime::values::value::MapTable::default();
        for (k, v) in self {
            table.insert(
                crate::runtime::values::value::Key::Str(crate::runtime::values::value::Str::new(
                    &k,
                )),
                v.into_value(),
            );
        }
        Value::Map(Rc::new(std::cell::RefCell::new(table)))
    }
}

/// What a registered function may return: a value, a `Result` whose error
/// becomes a `RuntimeError` with its text, or a `Result<T, ScriptError>`
/// (an error of the kind the function chooses).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned to a script",
    note = "return a value (`tasks::IntoValue`), a `Result<T, E: Display>` or a `Result<T, ScriptError>`"
)]
pub trait IntoNativeResult {
    /// The conversion.
    fn into_native_result(self) -> NativeResult;
}

impl<T: IntoValue> IntoNativeResult for T {
    fn into_native_result(self) -> NativeResult {
        Ok(self.into_value())
    }
}

impl<T: IntoValue> IntoNativeResult for Result<T, crate::runtime::error::ScriptError> {
    fn into_native_result(self) -> NativeResult {
        self.map(T::into_value)
    }
}

impl<T: IntoValue, E: std::fmt::Display> IntoNativeResult for Result<T, E> {
    fn into_native_result(self) -> NativeResult {
        self.map(T::into_value)
            .map_err(|e| crate::runtime::error::ErrorObj::new("RuntimeError", e.to_string()))
    }
}
