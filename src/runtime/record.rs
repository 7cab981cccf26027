//! Records (`struct Job { name, cmd, timeout = 30 }`) and module values
//! (`import "./util.tasks" as util`): the two things `x.name` reads.
//!
//! A struct's constructor is an ordinary compiled function (its parameters
//! are the fields, so positional and named arguments, defaults and their
//! errors are the ones every call has); its body ends in `MakeRecord`.

use super::error::{ErrorObj, ErrorRef};
use super::interp::Interp;
use super::value::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A struct declaration: its name and its fields, in order.
#[derive(Debug)]
pub struct RecordType {
    /// Leaked once per declaration, so `type_name` stays `&'static str`
    /// for records too (error messages name the struct).
    pub name: &'static str,
    pub fields: Box<[Rc<str>]>,
}

impl RecordType {
    pub fn new(name: &str, fields: Vec<Rc<str>>) -> RecordType {
        RecordType {
            name: Box::leak(name.to_string().into_boxed_str()),
            fields: fields.into_boxed_slice(),
        }
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| &**f == name)
    }
}

/// A value of a struct: its type and one value per field.
pub struct Record {
    pub ty: Rc<RecordType>,
    pub values: RefCell<Box<[Value]>>,
}

/// What `import` binds: the module's top-level names and the global slots
/// that hold them.
#[derive(Debug)]
pub struct ModuleObj {
    /// The file, as diagnostics name it.
    pub name: Rc<str>,
    pub members: BTreeMap<Rc<str>, u32>,
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
pub fn records_equal(
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
