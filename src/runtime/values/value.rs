//! Runtime values: small (two words plus a tag) and cheap to clone.

mod helpers;
mod repr;
pub(crate) use repr::format_float;

pub(crate) use super::str::Str;
use crate::runtime::asyncio::future::Future;
use crate::runtime::asyncio::sync_state::{Event, Lock, Queue, Semaphore};
use crate::runtime::asyncio::task::{Coro, Task};
use crate::runtime::error::ErrorRef;
use crate::runtime::link::Closure;
use std::cell::RefCell;
use std::mem::ManuallyDrop;
use std::rc::Rc;

pub(crate) type List = Rc<RefCell<ListItems>>;
pub(crate) type Map = Rc<RefCell<MapTable>>;

/// A list's items: a `Vec` whose drop does not recurse into nested lists
/// (see `teardown`). It derefs to the `Vec`. `ManuallyDrop`, so that its
/// `Drop` moves the `Vec` out and drops it where `teardown` says, with no
/// second, empty drop of the field after it.
#[derive(Default, Clone)]
pub struct ListItems(ManuallyDrop<Vec<Value>>);

impl std::ops::Deref for ListItems {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.0
    }
}

impl std::ops::DerefMut for ListItems {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        &mut self.0
    }
}

impl From<Vec<Value>> for ListItems {
    #[inline]
    fn from(items: Vec<Value>) -> ListItems {
        ListItems(ManuallyDrop::new(items))
    }
}

impl Drop for ListItems {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `drop` runs once and nothing reads `self.0` after it, so
        // the `Vec` taken out here is dropped exactly once, by `teardown`.
        let items = unsafe { ManuallyDrop::take(&mut self.0) };
        super::teardown::drop_contents(items, |items| items);
    }
}

pub use super::map_table::MapTable;

/// A script value. A host reads the plain ones (`Nil` to `Map`) and hands
/// the others back unchanged.
///
/// `repr(u8)`: the variant is byte 0, a `bool`'s payload byte 1, every other
/// payload one word at offset 8, which `exec::move_value` relies on (it
/// copies those bytes and nothing else): a new variant holds nothing, a
/// `bool`, or one word (an `Rc`, a pointer, a 64-bit number).
#[derive(Clone)]
#[repr(u8)]
pub enum Value {
    /// `nil`.
    Nil,
    /// `true`, `false`.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(Str),
    /// Bytes, immutable (`b"..."`).
    Bytes(Rc<Vec<u8>>),
    /// A list, shared and mutable.
    List(List),
    /// A map in insertion order, shared and mutable.
    Map(Map),
    /// A script function.
    Func(Rc<Closure>),
    /// A function written in Rust (a builtin, a host's, or a native module's).
    Native(Rc<crate::runtime::native::function::NativeFn>),
    /// A value made in Rust with methods of its own (a running process, ...).
    Object(Rc<crate::runtime::native::function::Object>),
    /// A coroutine (the result of calling an async function).
    Coro(Rc<Coro>),
    /// A task.
    Task(Rc<Task>),
    /// A future.
    Future(Rc<Future>),
    /// An error value.
    Error(ErrorRef),
    /// A queue.
    Queue(Rc<Queue>),
    /// An event.
    Event(Rc<Event>),
    /// A lock.
    Lock(Rc<Lock>),
    /// A semaphore.
    Semaphore(Rc<Semaphore>),
    /// `timeout(secs)`, `timeout_at(deadline)`: a `with` scope.
    Timeout(Rc<crate::runtime::asyncio::callbacks::Timeout>),
    /// `condition(lock)`: a `with` scope too.
    Condition(Rc<crate::runtime::asyncio::sync_state::Condition>),
    /// `barrier(n)`.
    Barrier(Rc<crate::runtime::asyncio::sync_state::Barrier>),
    /// What `call_soon`, `call_later` and `call_at` return.
    Handle(Rc<crate::runtime::asyncio::callbacks::LoopCallback>),
    /// A value of a `struct`.
    Record(Rc<super::record::Record>),
    /// What `import "..." as name` binds: the file's declaration (its
    /// members' global slots), one per file, so `==` is identity.
    Module(Rc<crate::compile::code::ModuleDecl>),
    /// Internal: a struct's type, a constant of its constructor.
    RecordType(Rc<super::record::RecordType>),
    /// Internal: the task group of a `group { }` block.
    Group(Rc<crate::runtime::asyncio::group::Group>),
    /// Internal: a variable captured by a closure lives in a cell.
    Cell(Rc<RefCell<Value>>),
    /// Internal: the state of a `for` loop.
    Iter(Rc<RefCell<Iter>>),
    /// Internal: a global read before its `let` ran.
    Uninit,
}

/// A map key: maps are keyed by str, int, bool or bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// `true`, `false`.
    Bool(bool),
    /// An int (a float with no fraction is keyed as its int, as in Python).
    Int(i64),
    /// A string.
    Str(Str),
    /// Bytes.
    Bytes(Rc<Vec<u8>>),
}

impl Key {
    /// The key as a value (what `m.keys()` gives).
    pub fn to_value(&self) -> Value {
        match self {
            Key::Bool(b) => Value::Bool(*b),
            Key::Int(i) => Value::Int(*i),
            Key::Str(s) => Value::Str(s.clone()),
            Key::Bytes(b) => Value::Bytes(b.clone()),
        }
    }
    /// Whether `v` can key a map ([`Key::from_value`] gives `Some`),
    /// asked without making the key (no count taken and let go).
    #[inline]
    pub(crate) fn accepts(v: &Value) -> bool {
        match v {
            Value::Bool(_) | Value::Int(_) | Value::Str(_) | Value::Bytes(_) => true,
            Value::Float(f) => f.fract() == 0.0 && f.abs() < 9.0e15,
            _ => false,
        }
    }
    /// The key a value is stored under; `None` for a value that cannot
    /// key a map (a list, a map, a float with a fraction, ...).
    pub fn from_value(v: &Value) -> Option<Key> {
        Some(match v {
            Value::Bool(b) => Key::Bool(*b),
            Value::Int(i) => Key::Int(*i),
            Value::Str(s) => Key::Str(s.clone()),
            Value::Bytes(b) => Key::Bytes(b.clone()),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Key::Int(*f as i64),
            _ => return None,
        })
    }
}

pub enum Iter {
    Range {
        next: i64,
        stop: i64,
        step: i64,
    },
    /// A list is walked live, as Python does: items appended during the
    /// loop are visited.
    List {
        list: List,
        pos: usize,
    },
    /// Strings and map keys are walked over a snapshot.
    Items {
        items: Rc<[Value]>,
        pos: usize,
    },
    /// `as_completed(...)`: a generator, as in Python. Each step makes the
    /// next coroutine; every loop over it shares its state, so a loop left
    /// early leaves the rest unmade (and unreported).
    AsCompleted(Rc<crate::runtime::asyncio::as_completed::Pending>),
}

impl Iter {
    pub fn next_item(&mut self) -> Option<Value> {
        match self {
            Iter::Range { next, stop, step } => {
                let done = if *step > 0 {
                    *next >= *stop
                } else {
                    *next <= *stop
                };
                if done {
                    return None;
                }
                let v = *next;
                *next = next.saturating_add(*step);
                Some(Value::Int(v))
            }
            Iter::List { list, pos } => {
                let v = list.borrow().get(*pos).cloned();
                *pos += 1;
                v
            }
            Iter::Items { items, pos } => {
                let v = items.get(*pos).cloned();
                *pos += 1;
                v
            }
            Iter::AsCompleted(p) => p.next(),
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.repr())
    }
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Str::new(s))
    }
    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items.into())))
    }

    /// What `type(v)` says.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Func(c) if c.proto.is_async => "async fn",
            Value::Func(_) => "fn",
            Value::Object(o) => o.inner.type_name(),
            Value::Native(f) if f.is_async() => "async fn",
            Value::Native(_) => "fn",
            Value::Coro(_) => "coroutine",
            Value::Task(_) => "task",
            Value::Future(_) => "future",
            Value::Error(_) => "error",
            Value::Queue(_) => "queue",
            Value::Event(_) => "event",
            Value::Lock(_) => "lock",
            Value::Semaphore(_) => "semaphore",
            Value::Timeout(_) => "timeout",
            Value::Condition(_) => "condition",
            Value::Barrier(_) => "barrier",
            Value::Handle(_) => "handle",
            Value::Group(_) => "group",
            Value::Record(r) => r.ty.name,
            Value::Module(_) => "module",
            Value::RecordType(_) => "internal",
            Value::Iter(it) if matches!(&*it.borrow(), Iter::AsCompleted(_)) => "iterator",
            Value::Iter(_) => "range",
            Value::Cell(_) | Value::Uninit => "internal",
        }
    }

    /// Whether `if v` takes the branch.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil | Value::Uninit => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            _ => true,
        }
    }
}

/// An int against a float, exactly, as CPython compares them (converting
/// the int to a float would round it past 2^53: `2**53 + 1 == 2.0**53`
/// must be false). `None` for a NaN.
pub(crate) fn int_float_cmp(i: i64, f: f64) -> Option<std::cmp::Ordering> {
    // 2^63, the first float past every i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() {
        return None;
    }
    if f >= LIMIT {
        return Some(std::cmp::Ordering::Less);
    }
    if f < -LIMIT {
        return Some(std::cmp::Ordering::Greater);
    }
    let whole = f.trunc();
    // Same integer part: the fraction decides.
    Some(
        i.cmp(&(whole as i64))
            .then_with(|| 0.0.partial_cmp(&(f - whole)).expect("finite")),
    )
}

/// How deep lists and maps may nest for the operations that walk them
/// (`==`, `<`, `sorted`, `in`, `str`, `json.stringify`): one rule for all,
/// Python's default recursion limit. Deeper (or a list that contains
/// itself, compared with another) is a `RecursionError`, never a wrong
/// answer or an overflow of the interpreter's stack.
pub(crate) const MAX_NESTING: usize = 1000;

/// The error for a structure nested deeper than [`MAX_NESTING`].
#[cold]
pub(crate) fn nesting_error(what: &str) -> ErrorRef {
    crate::runtime::error::ErrorObj::with_help(
        "RecursionError",
        format!("maximum recursion depth exceeded in {what} (lists, maps or records nested more than {MAX_NESTING} deep)"),
        "a list or map that contains itself?",
    )
}

/// Structural equality, as `==` sees it.
pub(crate) fn values_equal(a: &Value, b: &Value) -> Result<bool, ErrorRef> {
    eq_depth(a, b, 0)
}

/// Where `x` first is in `items` (`==`), for `index` and `remove`.
pub(crate) fn position(items: &[Value], x: &Value) -> Result<Option<usize>, ErrorRef> {
    for (i, v) in items.iter().enumerate() {
        if values_equal(v, x)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// `depth`: how many lists or maps `a` and `b` are inside of.
pub(crate) fn eq_depth(a: &Value, b: &Value, depth: usize) -> Result<bool, ErrorRef> {
    Ok(match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
            int_float_cmp(*x, *y) == Some(std::cmp::Ordering::Equal)
        }
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            if depth >= MAX_NESTING {
                return Err(nesting_error("comparison"));
            }
            let (x, y) = (x.borrow(), y.borrow());
            if x.len() != y.len() {
                return Ok(false);
            }
            for (a, b) in x.iter().zip(y.iter()) {
                if !eq_depth(a, b, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Map(x), Value::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            if depth >= MAX_NESTING {
                return Err(nesting_error("comparison"));
            }
            let (x, y) = (x.borrow(), y.borrow());
            if x.len() != y.len() {
                return Ok(false);
            }
            for (k, v) in x.iter() {
                match y.get(k) {
                    Some(w) if eq_depth(v, w, depth + 1)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        (Value::Func(x), Value::Func(y)) => Rc::ptr_eq(x, y),
        (Value::Native(x), Value::Native(y)) => Rc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
        (Value::Coro(x), Value::Coro(y)) => Rc::ptr_eq(x, y),
        (Value::Task(x), Value::Task(y)) => Rc::ptr_eq(x, y),
        (Value::Future(x), Value::Future(y)) => Rc::ptr_eq(x, y),
        (Value::Error(x), Value::Error(y)) => {
            x.same(y) || (x.kind == y.kind && x.message == y.message)
        }
        (Value::Queue(x), Value::Queue(y)) => Rc::ptr_eq(x, y),
        (Value::Iter(x), Value::Iter(y)) => match (&*x.borrow(), &*y.borrow()) {
            (
                Iter::Range {
                    next: a,
                    stop: b,
                    step: c,
                },
                Iter::Range {
                    next: d,
                    stop: e,
                    step: f,
                },
            ) => (a, b, c) == (d, e, f),
            _ => Rc::ptr_eq(x, y),
        },
        (Value::Event(x), Value::Event(y)) => Rc::ptr_eq(x, y),
        (Value::Lock(x), Value::Lock(y)) => Rc::ptr_eq(x, y),
        (Value::Semaphore(x), Value::Semaphore(y)) => Rc::ptr_eq(x, y),
        (Value::Timeout(x), Value::Timeout(y)) => Rc::ptr_eq(x, y),
        (Value::Condition(x), Value::Condition(y)) => Rc::ptr_eq(x, y),
        (Value::Barrier(x), Value::Barrier(y)) => Rc::ptr_eq(x, y),
        (Value::Handle(x), Value::Handle(y)) => Rc::ptr_eq(x, y),
        (Value::Record(x), Value::Record(y)) => {
            if Rc::ptr_eq(x, y) {
                return Ok(true);
            }
            if depth >= MAX_NESTING {
                return Err(nesting_error("comparison"));
            }
            super::record::records_equal(x, y, |a, b| eq_depth(a, b, depth + 1))?
        }
        (Value::Module(x), Value::Module(y)) => Rc::ptr_eq(x, y),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::format_float;

    #[test]
    fn floats_print_like_python() {
        assert_eq!(format_float(3.0), "3.0");
        assert_eq!(format_float(0.1), "0.1");
        assert_eq!(format_float(1e16), "1e+16");
        assert_eq!(format_float(1.5e-7), "1.5e-07");
        assert_eq!(format_float(123456.789), "123456.789");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(-2.5), "-2.5");
    }
}
