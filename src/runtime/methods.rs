//! Methods of the built-in types: `x.m(args)`.

use super::builtins::take_named;
use super::error::{index_error, key_error, type_error, value_error, ErrorObj, ErrorRef};
use super::interp::Interp;
use super::ops;
use super::value::{Key, Str, Value};
use crate::compile::names::METHODS;
use std::rc::Rc;

type R = Result<Value, ErrorRef>;
type Named = Vec<(Rc<str>, Value)>;

/// The builtins' argument count check, naming the method as `ty.m`
/// (the name is only made for the error).
fn arity(ty: &str, m: &str, args: &[Value], min: usize, max: usize) -> Result<(), ErrorRef> {
    if args.len() < min || args.len() > max {
        return super::builtins::arity(&format!("{ty}.{m}"), args, min, max);
    }
    Ok(())
}

fn str_arg(m: &str, v: &Value) -> Result<Str, ErrorRef> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        _ => Err(type_error(format!(
            "{m}() needs a str, not `{}`",
            v.type_name()
        ))),
    }
}

fn int_arg(m: &str, v: &Value) -> Result<i64, ErrorRef> {
    match v {
        Value::Int(i) => Ok(*i),
        _ => Err(type_error(format!(
            "{m}() needs an int, not `{}`",
            v.type_name()
        ))),
    }
}

fn no_method(recv: &Value, m: &str) -> ErrorRef {
    ErrorObj::new(
        "AttributeError",
        format!("`{}` has no method `{m}`", recv.type_name()),
    )
}

pub fn call(it: &mut Interp, method: u32, recv: Value, args: Vec<Value>, mut named: Named) -> R {
    let m = METHODS[method as usize];
    match &recv {
        Value::Str(s) => string_method(s, m, args),
        Value::List(_) => list_method(&recv, m, args),
        Value::Map(_) => map_method(&recv, m, args),
        Value::Error(e) => {
            arity("error", m, &args, 0, 0)?;
            match m {
                "kind" => Ok(Value::Str((&e.kind).into())),
                "message" => Ok(Value::Str((&e.message).into())),
                _ => Err(no_method(&recv, m)),
            }
        }
        Value::Task(_) | Value::Future(_) => {
            if m == "cancel" {
                if let Some(v) = take_named(&mut named, "msg") {
                    return it.task_method(&recv, m, vec![v]);
                }
            }
            it.task_method(&recv, m, args)
        }
        Value::Queue(_) | Value::Event(_) | Value::Lock(_) | Value::Semaphore(_) => {
            it.sync_method(&recv, m, args)
        }
        _ => Err(no_method(&recv, m)),
    }
}

fn string_method(s: &Str, m: &str, args: Vec<Value>) -> R {
    let a = |min, max| arity("str", m, &args, min, max);
    Ok(match m {
        "upper" => {
            a(0, 0)?;
            Value::str(&s.to_uppercase())
        }
        "lower" => {
            a(0, 0)?;
            Value::str(&s.to_lowercase())
        }
        "strip" => {
            a(0, 1)?;
            match args.first() {
                Some(chars) => {
                    let chars = str_arg(m, chars)?;
                    Value::str(s.trim_matches(|c| chars.contains(c)))
                }
                None => Value::str(s.trim()),
            }
        }
        "split" => {
            a(0, 1)?;
            let parts: Vec<Value> = match args.first() {
                Some(sep) => {
                    let sep = str_arg(m, sep)?;
                    if sep.is_empty() {
                        return Err(value_error("split() separator must not be empty"));
                    }
                    s.split(&*sep).map(Value::str).collect()
                }
                None => s.split_whitespace().map(Value::str).collect(),
            };
            Value::list(parts)
        }
        "join" => {
            a(1, 1)?;
            let items = ops::items_of(&args[0])?;
            let mut out = String::new();
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(s);
                }
                match v {
                    Value::Str(x) => out.push_str(x),
                    other => {
                        return Err(type_error(format!(
                            "join() needs a list of str, found `{}`",
                            other.type_name()
                        )))
                    }
                }
            }
            Value::str(&out)
        }
        "replace" => {
            a(2, 2)?;
            let (from, to) = (str_arg(m, &args[0])?, str_arg(m, &args[1])?);
            Value::str(&s.replace(&*from, &to))
        }
        "starts_with" => {
            a(1, 1)?;
            Value::Bool(s.starts_with(&*str_arg(m, &args[0])?))
        }
        "ends_with" => {
            a(1, 1)?;
            Value::Bool(s.ends_with(&*str_arg(m, &args[0])?))
        }
        "find" => {
            a(1, 1)?;
            let needle = str_arg(m, &args[0])?;
            Value::Int(
                s.find(&*needle)
                    .map_or(-1, |b| s[..b].chars().count() as i64),
            )
        }
        "contains" => {
            a(1, 1)?;
            Value::Bool(s.contains(&*str_arg(m, &args[0])?))
        }
        "len" => {
            a(0, 0)?;
            Value::Int(s.chars().count() as i64)
        }
        "slice" => {
            a(1, 2)?;
            let chars: Vec<char> = s.chars().collect();
            let (from, to) = slice_bounds(m, &args, chars.len())?;
            Value::str(&chars[from..to].iter().collect::<String>())
        }
        _ => return Err(no_method(&Value::Str(s.clone()), m)),
    })
}

fn slice_bounds(m: &str, args: &[Value], len: usize) -> Result<(usize, usize), ErrorRef> {
    let clamp = |i: i64| -> usize {
        let j = if i < 0 { i + len as i64 } else { i };
        j.clamp(0, len as i64) as usize
    };
    let from = clamp(int_arg(m, &args[0])?);
    let to = match args.get(1) {
        Some(Value::Nil) | None => len,
        Some(v) => clamp(int_arg(m, v)?),
    };
    Ok((from, to.max(from)))
}

fn list_method(recv: &Value, m: &str, mut args: Vec<Value>) -> R {
    let Value::List(l) = recv else { unreachable!() };
    let a = |min, max| arity("list", m, &args, min, max);
    Ok(match m {
        "push" => {
            a(1, 1)?;
            l.borrow_mut().push(args.pop().expect("arg"));
            Value::Nil
        }
        "pop" => {
            a(0, 1)?;
            let mut l = l.borrow_mut();
            let len = l.len();
            if len == 0 {
                return Err(index_error("pop from an empty list"));
            }
            let i = match args.first() {
                Some(v) => ops::norm_index(int_arg(m, v)?, len)
                    .ok_or_else(|| index_error("pop index out of range"))?,
                None => len - 1,
            };
            l.remove(i)
        }
        "insert" => {
            a(2, 2)?;
            let v = args.pop().expect("arg");
            let mut l = l.borrow_mut();
            let len = l.len() as i64;
            let i = int_arg(m, &args[0])?;
            let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
            l.insert(i as usize, v);
            Value::Nil
        }
        "remove" => {
            a(1, 1)?;
            let mut l = l.borrow_mut();
            let i = l
                .iter()
                .position(|v| super::value::values_equal(v, &args[0]));
            match i {
                Some(i) => {
                    l.remove(i);
                    Value::Nil
                }
                None => {
                    return Err(value_error(format!(
                        "list.remove(): {} is not in the list",
                        args[0].repr()
                    )))
                }
            }
        }
        "index" => {
            a(1, 1)?;
            let l = l.borrow();
            match l
                .iter()
                .position(|v| super::value::values_equal(v, &args[0]))
            {
                Some(i) => Value::Int(i as i64),
                None => {
                    return Err(value_error(format!(
                        "{} is not in the list",
                        args[0].repr()
                    )))
                }
            }
        }
        "contains" => {
            a(1, 1)?;
            Value::Bool(ops::contains(recv, &args[0])?)
        }
        "slice" => {
            a(1, 2)?;
            let l = l.borrow();
            let (from, to) = slice_bounds(m, &args, l.len())?;
            Value::list(l[from..to].to_vec())
        }
        "extend" => {
            a(1, 1)?;
            let items = ops::items_of(&args[0])?;
            l.borrow_mut().extend(items);
            Value::Nil
        }
        "copy" => {
            a(0, 0)?;
            Value::list(l.borrow().clone())
        }
        "reverse" => {
            a(0, 0)?;
            l.borrow_mut().reverse();
            Value::Nil
        }
        "sort" => {
            a(0, 0)?;
            let mut items = l.borrow().clone();
            let mut failure = None;
            items.sort_by(|x, y| {
                ops::compare(x, y, "<").unwrap_or_else(|e| {
                    failure.get_or_insert(e);
                    std::cmp::Ordering::Equal
                })
            });
            if let Some(e) = failure {
                return Err(e);
            }
            *l.borrow_mut() = items;
            Value::Nil
        }
        "len" => {
            a(0, 0)?;
            Value::Int(l.borrow().len() as i64)
        }
        _ => return Err(no_method(recv, m)),
    })
}

/// `keys`, `values` and `items` as lists.
pub fn map_view(m: &str, v: &Value) -> R {
    let Value::Map(map) = v else {
        return Err(type_error(format!(
            "{m}() needs a map, not `{}`",
            v.type_name()
        )));
    };
    let map = map.borrow();
    Ok(Value::list(match m {
        "keys" => map.keys().map(|k| k.to_value()).collect(),
        "values" => map.values().cloned().collect(),
        _ => map
            .iter()
            .map(|(k, v)| Value::list(vec![k.to_value(), v.clone()]))
            .collect(),
    }))
}

fn map_method(recv: &Value, m: &str, args: Vec<Value>) -> R {
    let Value::Map(map) = recv else {
        unreachable!()
    };
    let a = |min, max| arity("map", m, &args, min, max);
    let key = |v: &Value| {
        Key::from_value(v).ok_or_else(|| {
            type_error(format!(
                "a map key must be str, int or bool, not `{}`",
                v.type_name()
            ))
        })
    };
    Ok(match m {
        "get" => {
            a(1, 2)?;
            let k = key(&args[0])?;
            map.borrow()
                .get(&k)
                .cloned()
                .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::Nil))
        }
        "keys" | "values" | "items" => {
            a(0, 0)?;
            map_view(m, recv)?
        }
        "contains" => {
            a(1, 1)?;
            Value::Bool(ops::contains(recv, &args[0])?)
        }
        "remove" => {
            a(1, 1)?;
            let k = key(&args[0])?;
            match map.borrow_mut().shift_remove(&k) {
                Some(v) => v,
                None => {
                    return Err(key_error(format!(
                        "key {} is not in the map",
                        args[0].repr()
                    )))
                }
            }
        }
        "len" => {
            a(0, 0)?;
            Value::Int(map.borrow().len() as i64)
        }
        "copy" => {
            a(0, 0)?;
            Value::Map(Rc::new(std::cell::RefCell::new(map.borrow().clone())))
        }
        _ => return Err(no_method(recv, m)),
    })
}
