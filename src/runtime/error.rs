//! Error values: what `throw` throws and `catch` binds. They remember where
//! they were thrown, the call stack then, and the task they happened in, so
//! the diagnostics module can render them.

use crate::syntax::Span;
use std::cell::RefCell;
use std::rc::Rc;

/// The error kind `exit()` unwinds with: `finally` blocks run, a bare
/// `catch e` does not catch it (Python's `SystemExit` under `except Exception`).
pub(crate) const EXIT_KIND: &str = "SystemExit";

/// The crate's name for [`ScriptError`] (it was an `Rc<ErrorObj>`).
pub(crate) type ErrorRef = ScriptError;

/// An error value in a script: what `throw` throws, `catch` binds and a
/// native function returns to raise one (`kind` is what `catch e: Kind`
/// matches, `message` what `e.message()` reads). Cheap to clone: one
/// shared object.
///
/// ```ignore
/// Err(ScriptError::new("LookupError", "no row 7").with_help("ids start at 1"))
/// ```
#[derive(Clone, Debug)]
pub struct ScriptError(Rc<ErrorObj>);

impl std::ops::Deref for ScriptError {
    type Target = ErrorObj;
    fn deref(&self) -> &ErrorObj {
        &self.0
    }
}

impl ScriptError {
    /// An error of `kind` (`ValueError`, or a name of the host's own such
    /// as `LookupError`) saying `message`.
    pub fn new(kind: &str, message: impl Into<String>) -> ScriptError {
        ErrorObj::new(kind, message)
    }
    /// A `TypeError` (a value of the wrong type), as the builtins raise.
    pub fn type_error(message: impl Into<String>) -> ScriptError {
        type_error(message)
    }
    /// A `ValueError` (a value of the right type that will not do).
    pub fn value_error(message: impl Into<String>) -> ScriptError {
        value_error(message)
    }
    /// An `IndexError` (a position past the end).
    pub fn index_error(message: impl Into<String>) -> ScriptError {
        index_error(message)
    }
    /// A `KeyError` (a key the map lacks).
    pub fn key_error(message: impl Into<String>) -> ScriptError {
        key_error(message)
    }
    /// The `OverflowError` of integer arithmetic whose result does not
    /// fit in 64 bits, worded as the evaluator's own.
    pub fn overflow() -> ScriptError {
        overflow()
    }
    /// What `exit(code)` raises: a `SystemExit` that unwinds the task
    /// (`finally` blocks run, a bare `catch e` does not catch it) and ends
    /// the program with status `code` (what `exit_code()` reads).
    pub fn exit(code: i32) -> ScriptError {
        ErrorObj::new(EXIT_KIND, code.to_string())
    }
    /// The same error with a hint shown under the report (`help: ...`).
    pub fn with_help(self, help: impl Into<String>) -> ScriptError {
        *self.0.help.borrow_mut() = Some(help.into());
        self
    }
    /// What `e.kind()` says in the script.
    pub fn kind(&self) -> &str {
        &self.0.kind
    }
    /// What `e.message()` says in the script.
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// Is `other` this very error (not just an equal one)?
    pub(crate) fn same(&self, other: &ScriptError) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
    /// The hint, if any.
    pub fn help(&self) -> Option<String> {
        self.0.help.borrow().clone()
    }
    /// The same error carrying `data` (what `e.data()` returns; a map's
    /// keys are also read by `e.status()`, `e.path()`, ...).
    pub fn with_data(self, data: super::values::value::Value) -> ScriptError {
        *self.0.data.borrow_mut() = Some(data);
        self
    }
    /// The error's data, if it has any.
    pub fn data(&self) -> Option<super::values::value::Value> {
        self.0.data.borrow().clone()
    }
    /// The same error with a map of `fields` as its data, in their order
    /// (`e.data()["path"]`, and `e.path()`, `e.status()`, ... read them):
    /// `ScriptError::new("FileError", "gone").with_fields(&[("path",
    /// Value::str("a.txt"))])`.
    pub fn with_fields(self, fields: &[(&str, super::values::value::Value)]) -> ScriptError {
        use super::values::value::{Key, MapTable, Str, Value};
        let table: MapTable = fields
            .iter()
            .map(|(k, v)| (Key::Str(Str::new(k)), v.clone()))
            .collect();
        self.with_data(Value::Map(Rc::new(RefCell::new(table))))
    }
}

/// A place in a loaded source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    pub source: u32,
    pub span: Span,
}

/// One frame of the call stack at the moment of a throw.
#[derive(Clone, Debug)]
pub(crate) struct TraceFrame {
    pub function: Rc<str>,
    pub loc: Loc,
}

/// Which task an error happened in, and where that task was spawned.
#[derive(Clone, Debug)]
pub(crate) struct TaskOrigin {
    pub name: Rc<str>,
    pub spawned_at: Option<Loc>,
    /// The tasks awaiting it when it threw, nearest first, up to the one
    /// nobody awaits (`main`, when the error reached the program's end).
    pub awaited_by: Vec<Rc<str>>,
}

/// What a [`ScriptError`] holds.
#[derive(Debug)]
pub struct ErrorObj {
    pub(crate) kind: Rc<str>,
    pub(crate) message: Rc<str>,
    pub(crate) help: RefCell<Option<String>>,
    pub(crate) origin: RefCell<Option<Loc>>,
    pub(crate) trace: RefCell<Vec<TraceFrame>>,
    pub(crate) task: RefCell<Option<TaskOrigin>>,
    /// What `e.data()` returns (a map, usually): an HTTP status, a
    /// process's output, a path; `e.status()` and the like read its keys.
    pub(crate) data: RefCell<Option<super::values::value::Value>>,
    /// The other errors of a group or a map that failed several times
    /// (`e.others()`); this one is the first.
    pub(crate) others: RefCell<Vec<ErrorRef>>,
}

impl ErrorObj {
    // An error object only ever lives shared, behind a `ScriptError`.
    #[allow(clippy::new_ret_no_self)]
    pub(crate) fn new(kind: &str, message: impl Into<String>) -> ErrorRef {
        ScriptError(Rc::new(ErrorObj {
            kind: Rc::from(kind),
            message: Rc::from(message.into().as_str()),
            help: RefCell::new(None),
            origin: RefCell::new(None),
            trace: RefCell::new(Vec::new()),
            task: RefCell::new(None),
            data: RefCell::new(None),
            others: RefCell::new(Vec::new()),
        }))
    }

    pub(crate) fn with_help(
        kind: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ErrorRef {
        let e = ErrorObj::new(kind, message);
        *e.help.borrow_mut() = Some(help.into());
        e
    }

    pub fn is_cancel(&self) -> bool {
        &*self.kind == "CancelledError"
    }

    /// Ctrl-C: like cancellation, not caught by a catch-all.
    pub fn is_interrupt(&self) -> bool {
        &*self.kind == "KeyboardInterrupt"
    }

    /// `exit(code)` unwinding its task.
    pub fn is_exit(&self) -> bool {
        &*self.kind == EXIT_KIND
    }

    /// The status `exit(code)` asked for.
    pub fn exit_code(&self) -> Option<i32> {
        self.is_exit().then(|| self.message.parse().unwrap_or(1))
    }

    /// Cancellation, Ctrl-C and `exit()` pass through a bare `catch e`.
    pub fn escapes_catch_all(&self) -> bool {
        self.is_cancel() || self.is_interrupt() || self.is_exit()
    }

    pub fn is(&self, kind: &str) -> bool {
        &*self.kind == kind
    }
}

/// Shorthands for the error kinds the runtime raises itself.
pub(crate) fn type_error(msg: impl Into<String>) -> ErrorRef {
    ErrorObj::new("TypeError", msg)
}
pub(crate) fn value_error(msg: impl Into<String>) -> ErrorRef {
    ErrorObj::new("ValueError", msg)
}
pub(crate) fn index_error(msg: impl Into<String>) -> ErrorRef {
    ErrorObj::new("IndexError", msg)
}
pub(crate) fn key_error(msg: impl Into<String>) -> ErrorRef {
    ErrorObj::new("KeyError", msg)
}
pub(crate) fn overflow() -> ErrorRef {
    ErrorObj::new(
        "OverflowError",
        "integer overflow: the result does not fit in 64 bits",
    )
}
pub(crate) fn zero_div(msg: &str) -> ErrorRef {
    ErrorObj::new("ZeroDivisionError", msg)
}
pub(crate) fn cancelled(msg: Option<Rc<str>>) -> ErrorRef {
    ErrorObj::new(
        "CancelledError",
        msg.map(|m| m.to_string()).unwrap_or_default(),
    )
}
