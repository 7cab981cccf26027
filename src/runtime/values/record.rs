//! Records (`struct Job { name, cmd, timeout = 30 }`) and module values
//! (`import "./util.tasks" as util`): the two things `x.name` reads.
//!
//! A struct's constructor is an ordinary compiled function (its parameters
//! are the fields, so positional and named arguments, defaults and their
//! errors are the ones every call has); its body ends in `MakeRecord`.

use super::value::Value;
use crate::runtime::error::{ErrorObj, ErrorRef};
use crate::runtime::interp::Interp;
use std::cell::RefCell;
use std::rc::Rc;

/// A struct declaration: its name and its fields, in order.
#[derive(Debug)]
pub struct RecordType {
    /// Interned (see [`intern_name`]), so `type_name` stays `&'static
    /// str` for records too (error messages name the struct).
    pub name: &'static str,
    pub fields: Box<[Rc<str>]>,
    /// Method name → its function (which takes the record first).
    pub methods: Box<[(Rc<str>, Value)]>,
}

impl RecordType {
    pub fn new(name: &str, fields: Vec<Rc<str>>, methods: Vec<(Rc<str>, Value)>) -> RecordType {
        RecordType {
            name: intern_name(name),
            fields: fields.into_boxed_slice(),
            methods: methods.into_boxed_slice(),
        }
    }

    pub(in crate::runtime) fn method(&self, name: &str) -> Option<&Value> {
        self.methods
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, f)| f)
    }

    pub(in crate::runtime) fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| &**f == name)
    }
}

/// The one `&'static str` for a struct name. Each distinct name is
/// allocated once per process and kept in this table, so a REPL that
/// declares `struct P` a thousand times holds one "P", and leak checkers
/// see a live table rather than one lost string per declaration.
pub(crate) fn intern_name(name: &str) -> &'static str {
    use std::collections::BTreeSet;
    use std::sync::Mutex;
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = names.get(name) {
        return known;
    }
    let new: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(new);
    new
}

/// A value of a struct: its type and one value per field.
pub struct Record {
    pub ty: Rc<RecordType>,
    pub values: RefCell<Box<[Value]>>,
}

/// Records nest (`Node(1, Node(2, ...))`): their drop must not recurse.
impl Drop for Record {
    fn drop(&mut self) {
        let values = std::mem::take(self.values.get_mut());
        super::teardown::drop_contents(values, |v| v.into_vec());
    }
}

fn no_field(owner: &str, name: &str, candidates: &[&str], what: &str) -> ErrorRef {
    let message = format!("{owner} has no {what} `{name}`");
    match crate::compile::names::closest(name, candidates.iter().copied()) {
        Some(best) => {
            ErrorObj::with_help("AttributeError", message, format!("did you mean `{best}`?"))
        }
        None if candidates.is_empty() => ErrorObj::new("AttributeError", message),
        None => ErrorObj::with_help(
            "AttributeError",
            message,
            format!("its {what}s are: {}", candidates.join(", ")),
        ),
    }
}

fn not_a_record(target: &Value, name: &str) -> ErrorRef {
    let message = format!("`{}` has no field `{name}`", target.type_name());
    match target {
        Value::Map(_) => ErrorObj::with_help(
            "AttributeError",
            message,
            format!("a map's entries are read by key: `m[\"{name}\"]`"),
        ),
        _ => ErrorObj::with_help(
            "AttributeError",
            message,
            "only records (`struct`) and modules (`import`) have fields",
        ),
    }
}

impl Interp {
    /// Prepares `recv.name(args)` for an ordinary call, the receiver at
    /// `recv_at` with `argc` arguments above it: a struct's method goes
    /// below the record (which becomes `self`); a function in a field or a
    /// module member replaces the receiver. Returns the call's argument
    /// count, or `None` when the receiver has no such attribute.
    pub fn place_attr_callee(
        &self,
        stack: &mut Vec<Value>,
        recv_at: usize,
        name: &str,
        argc: usize,
    ) -> Result<Option<usize>, ErrorRef> {
        let callee = match &stack[recv_at] {
            Value::Record(r) => {
                if let Some(f) = r.ty.method(name) {
                    let f = f.clone();
                    stack.insert(recv_at, f);
                    return Ok(Some(argc + 1));
                }
                match r.ty.index_of(name) {
                    Some(i) => r.values.borrow()[i].clone(),
                    None => return Ok(None),
                }
            }
            Value::Module(m) if m.members.contains_key(name) => {
                self.get_field(&stack[recv_at], name)?
            }
            _ => return Ok(None),
        };
        stack[recv_at] = callee;
        Ok(Some(argc))
    }

    /// `Op::CallAttr`: `recv.name(args)` where some struct or module has
    /// an attribute `name`. A record's method, a function in its field or
    /// a module's member is called; any other receiver gets the builtin
    /// method of that name, as `Op::Method` would (the const after the
    /// name holds its id, or -1). Kept out of the dispatch loop, so
    /// programs without records pay nothing for them. True when a frame
    /// was pushed.
    #[cold]
    #[inline(never)]
    pub(in crate::runtime) fn call_attr(
        &mut self,
        ex: &mut crate::runtime::exec::Exec,
        proto: &crate::runtime::link::FnProto,
        name: u32,
        argc: u32,
        names: u32,
    ) -> Result<bool, ErrorRef> {
        let (Value::Str(attr), Value::Int(builtin)) = (
            &proto.consts[name as usize],
            &proto.consts[name as usize + 1],
        ) else {
            unreachable!("an attribute name and its builtin method id")
        };
        let names = (names != u32::MAX).then(|| &proto.consts[names as usize]);
        let argc = argc as usize;
        let recv_at = ex.stack.len() - argc - 1;
        if let Some(argc) = self.place_attr_callee(&mut ex.stack, recv_at, attr, argc)? {
            return self.call_value(ex, argc, names, false);
        }
        // A record without a `to_map` of its own still has the builtin one.
        let record_builtin = matches!(ex.stack[recv_at], Value::Record(_)) && &**attr == "to_map";
        if *builtin < 0
            || matches!(ex.stack[recv_at], Value::Module(_))
            || (matches!(ex.stack[recv_at], Value::Record(_)) && !record_builtin)
        {
            return Err(self.no_attr_method(&ex.stack[recv_at], attr));
        }
        let (args, named) = crate::runtime::call::split_named(ex, recv_at, names);
        let recv = ex.stack.pop().expect("the receiver");
        self.caller_depth = ex.frames.len();
        let r = crate::runtime::methods::call(self, *builtin as u32, recv, args, named);
        self.caller_depth = 0;
        let r = r?;
        self.mark_created(&r, ex);
        ex.push_result(r);
        Ok(false)
    }

    /// The error for `recv.name(...)` when `recv` has no such method.
    pub fn no_attr_method(&self, recv: &Value, name: &str) -> ErrorRef {
        match recv {
            Value::Record(r) => {
                let names: Vec<&str> =
                    r.ty.methods
                        .iter()
                        .map(|(n, _)| &**n)
                        .chain(r.ty.fields.iter().map(|f| &**f))
                        .collect();
                no_field(&format!("`{}`", r.ty.name), name, &names, "method")
            }
            Value::Module(m) => {
                let names: Vec<&str> = m.members.keys().map(|k| &**k).collect();
                no_field(&format!("module `{}`", m.name), name, &names, "member")
            }
            other => ErrorObj::new(
                "AttributeError",
                format!("`{}` has no method `{name}`", other.type_name()),
            ),
        }
    }

    /// `target.name`.
    pub fn get_field(&self, target: &Value, name: &str) -> Result<Value, ErrorRef> {
        match target {
            Value::Record(r) => match r.ty.index_of(name) {
                Some(i) => Ok(r.values.borrow()[i].clone()),
                None => Err(record_no_field(r, name)),
            },
            Value::Module(m) => match m.members.get(name) {
                Some(&g) => match &self.globals[g as usize] {
                    Value::Uninit => Err(self.name_error(g)),
                    v => Ok(v.clone()),
                },
                None => {
                    let names: Vec<&str> = m.members.keys().map(|k| &**k).collect();
                    Err(no_field(
                        &format!("module `{}`", m.name),
                        name,
                        &names,
                        "member",
                    ))
                }
            },
            other => Err(not_a_record(other, name)),
        }
    }

    /// `target.name = v`.
    pub fn set_field(&self, target: &Value, name: &str, v: Value) -> Result<(), ErrorRef> {
        match target {
            Value::Record(r) => match r.ty.index_of(name) {
                Some(i) => {
                    r.values.borrow_mut()[i] = v;
                    Ok(())
                }
                None => Err(record_no_field(r, name)),
            },
            Value::Module(m) => Err(ErrorObj::with_help(
                "AttributeError",
                format!("cannot assign to `{}.{name}`", m.name),
                "a module's names are read-only from outside it: give it a function that sets them",
            )),
            other => Err(not_a_record(other, name)),
        }
    }
}

fn record_no_field(r: &Record, name: &str) -> ErrorRef {
    let names: Vec<&str> = r.ty.fields.iter().map(|f| &**f).collect();
    no_field(&format!("`{}`", r.ty.name), name, &names, "field")
}

/// Two records are equal when they are of the same struct and their
/// fields are equal (a dataclass's `__eq__`).
/// `eq` compares two fields (and may fail on nesting too deep).
pub(crate) fn records_equal(
    a: &Record,
    b: &Record,
    eq: impl Fn(&Value, &Value) -> Result<bool, ErrorRef>,
) -> Result<bool, ErrorRef> {
    if !Rc::ptr_eq(&a.ty, &b.ty) {
        return Ok(false);
    }
    let (x, y) = (a.values.borrow(), b.values.borrow());
    for (p, q) in x.iter().zip(y.iter()) {
        if !eq(p, q)? {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::RecordType;

    /// Declaring a struct again (each REPL input, each engine) reuses its
    /// name instead of leaking a new copy (LeakSanitizer reported one per
    /// declaration).
    #[test]
    fn a_struct_name_is_stored_once() {
        let a = RecordType::new("Interned", Vec::new(), Vec::new());
        let b = RecordType::new(&String::from("Interned"), Vec::new(), Vec::new());
        assert!(std::ptr::eq(a.name, b.name));
        assert_eq!(b.name, "Interned");
        let c = RecordType::new("Other", Vec::new(), Vec::new());
        assert!(!std::ptr::eq(a.name, c.name));
    }
}
