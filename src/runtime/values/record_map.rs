//! Records to maps and back: `r.to_map()` (Python's
//! `dataclasses.asdict`, one level: a field holding a record keeps it) and
//! `Job.from_map(m)` (`Job(**m)`: the map's entries as named arguments, so
//! defaults, unknown and missing fields behave as in any construction).
//! `json.stringify` writes a record as the object of its fields.

use super::record::Record;
use super::value::{Key, MapTable, Str, Value};
use crate::runtime::error::{type_error, ErrorRef};
use crate::runtime::interp::Interp;
use crate::runtime::link::Closure;
use std::cell::RefCell;
use std::rc::Rc;

/// `r.to_map()`: its fields in declaration order.
pub(in crate::runtime) fn to_map(r: &Record, args: &[Value]) -> Result<Value, ErrorRef> {
    if !args.is_empty() {
        return Err(type_error(format!(
            "{}.to_map() takes no arguments",
            r.ty.name
        )));
    }
    let mut table = MapTable::default();
    for (name, v) in r.ty.fields.iter().zip(r.values.borrow().iter()) {
        table.insert(Key::Str(Str::new(name)), v.clone());
    }
    Ok(Value::Map(Rc::new(RefCell::new(table))))
}

/// `Job.from_map(m)`: the constructor called with `m`'s entries by name.
pub(in crate::runtime) fn from_map(
    it: &mut Interp,
    ctor: &Rc<Closure>,
    args: Vec<Value>,
    named: Vec<(Rc<str>, Value)>,
) -> Result<Value, ErrorRef> {
    let name = &ctor.proto.name;
    let [Value::Map(m)] = args.as_slice() else {
        return Err(type_error(format!(
            "{name}.from_map() takes one map (of field names to values)"
        )));
    };
    if !named.is_empty() {
        return Err(type_error(format!(
            "{name}.from_map() takes one map, and no named arguments"
        )));
    }
    let mut fields = Vec::new();
    for (k, v) in m.borrow().iter() {
        let Key::Str(k) = k else {
            return Err(type_error(format!(
                "{name}.from_map(): a field's name is a str, not `{}`",
                k.to_value().type_name()
            )));
        };
        fields.push((Rc::from(k.as_str()), v.clone()));
    }
    let bound = Interp::bind_args(ctor, Vec::new(), fields)?;
    it.call_sync(&Value::Func(ctor.clone()), bound)
}
