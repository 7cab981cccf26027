//! Methods of the built-in types: `x.m(args)`.

use super::call::{bind, take_named, Sig};
use super::error::{index_error, key_error, type_error, value_error, ErrorObj, ErrorRef};
use super::interp::Interp;
use super::values::ops;
use super::values::seq::sort_values;
use super::values::value::{Key, Str, Value};
use std::rc::Rc;

mod sigs;
use sigs::method_sig;
pub(crate) use sigs::{
    known_method, method_catalogue, register, BUILTIN_METHODS, LIST_PUSH, MAP_GET,
};

type R = Result<Value, ErrorRef>;
type Named = Vec<(Rc<str>, Value)>;

pub(super) fn str_arg(m: &str, v: &Value) -> Result<Str, ErrorRef> {
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

pub(crate) fn call(it: &mut Interp, method: u32, recv: Value, args: Vec<Value>, named: Named) -> R {
    if let Value::Object(o) = &recv {
        // A module's object: its methods are found by name.
        let m = it.method_name(method);
        let args = super::native::function::Args::new(m.clone(), args, named);
        let mut ctx = super::native::function::Ctx { interp: it };
        return o
            .inner
            .method(&mut ctx, &m, args)
            .unwrap_or_else(|| Err(no_method(&recv, &m)));
    }
    let Some(&m) = BUILTIN_METHODS.get(method as usize) else {
        return Err(no_method(&recv, &it.method_name(method)));
    };
    match (&recv, m) {
        (Value::Record(r), "to_map") if named.is_empty() => {
            return super::values::record_map::to_map(r, &args)
        }
        (Value::Func(c), "from_map") if c.proto.is_struct => {
            return super::values::record_map::from_map(it, c, args, named)
        }
        _ => {}
    }
    let Some(sig) = method_sig(recv.type_name(), m) else {
        return Err(no_method(&recv, m));
    };
    let (args, named) = bind(&sig, args, named)?;
    match &recv {
        Value::Str(s) => match m {
            "count" | "is_digit" | "is_alpha" | "is_space" | "is_upper" | "is_lower" | "title"
            | "splitlines" | "pad_start" | "pad_end" | "center" | "partition" => {
                super::values::text_methods::call(s, m, &args)
            }
            "split" | "lstrip" | "rstrip" | "zfill" => super::values::text_split::call(s, m, &args),
            _ => string_method(s, m, args),
        },
        Value::Bytes(b) => super::values::bytes::call(b, m, &args),
        Value::List(_) => list_method(it, &recv, m, args, named),
        Value::Map(_) => map_method(&recv, m, args),
        Value::Error(e) => error_method(e, m),
        Value::Group(g) => match m {
            "spawn" => it.spawn_value(
                args.into_iter().next().unwrap_or(Value::Nil),
                None,
                Some(recv.clone()),
            ),
            _ => {
                it.group_cancel(g);
                Ok(Value::Nil)
            }
        },
        Value::Task(_) | Value::Future(_) => it.task_method(&recv, m, args),
        Value::Queue(_)
        | Value::Event(_)
        | Value::Lock(_)
        | Value::Semaphore(_)
        | Value::Condition(_)
        | Value::Barrier(_) => it.sync_method(&recv, m, args),
        Value::Timeout(_) | Value::Handle(_) => it.scope_method(&recv, m, args),
        _ => Err(no_method(&recv, m)),
    }
}

/// `e.kind()`, `e.message()`, `e.data()`, `e.others()`, and the readers of
/// the data's fields (`e.status()` of an `HttpStatusError`, ...).
fn error_method(e: &super::error::ErrorRef, m: &str) -> R {
    Ok(match m {
        "kind" => Value::Str((&e.kind).into()),
        "message" => Value::Str((&e.message).into()),
        "data" => e.data().unwrap_or(Value::Nil),
        "others" => Value::list(
            e.others
                .borrow()
                .iter()
                .cloned()
                .map(Value::Error)
                .collect(),
        ),
        field => {
            let found = match e.data() {
                Some(Value::Map(map)) => map
                    .borrow()
                    .get(&super::values::value::Key::Str(Str::new(field)))
                    .cloned(),
                _ => None,
            };
            return found.ok_or_else(|| {
                super::error::ErrorObj::new(
                    "AttributeError",
                    format!("a {} has no {field}() (its data has no `{field}`)", e.kind),
                )
            });
        }
    })
}

fn string_method(s: &Str, m: &str, args: Vec<Value>) -> R {
    Ok(match m {
        "upper" => Value::str(&s.to_uppercase()),
        "lower" => Value::str(&s.to_lowercase()),
        "strip" => match args.first() {
            Some(chars) => {
                let chars = str_arg(m, chars)?;
                Value::str(s.trim_matches(|c| chars.contains(c)))
            }
            None => Value::str(s.trim()),
        },
        "join" => {
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
            let (from, to) = (str_arg(m, &args[0])?, str_arg(m, &args[1])?);
            Value::str(&s.replace(&*from, &to))
        }
        "starts_with" => Value::Bool(s.starts_with(&*str_arg(m, &args[0])?)),
        "ends_with" => Value::Bool(s.ends_with(&*str_arg(m, &args[0])?)),
        "find" => {
            let needle = str_arg(m, &args[0])?;
            Value::Int(
                s.find(&*needle)
                    .map_or(-1, |b| s[..b].chars().count() as i64),
            )
        }
        "contains" => Value::Bool(s.contains(&*str_arg(m, &args[0])?)),
        "encode" => super::values::bytes::encode(s, args.first(), args.get(1))?,
        "len" => Value::Int(s.chars().count() as i64),
        "slice" => {
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

fn list_method(
    it: &mut Interp,
    recv: &Value,
    m: &str,
    mut args: Vec<Value>,
    mut named: Named,
) -> R {
    let Value::List(l) = recv else { unreachable!() };
    Ok(match m {
        "push" => {
            let mut items = l.borrow_mut();
            super::values::growth::list_room(&mut items, 1)?;
            items.push(args.pop().expect("arg"));
            Value::Nil
        }
        "pop" => {
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
            let v = args.pop().expect("arg");
            let mut l = l.borrow_mut();
            let len = l.len() as i64;
            let i = int_arg(m, &args[0])?;
            let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
            super::values::growth::list_room(&mut l, 1)?;
            l.insert(i as usize, v);
            Value::Nil
        }
        "remove" => {
            let mut l = l.borrow_mut();
            let i = super::values::value::position(&l, &args[0])?;
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
            let l = l.borrow();
            match super::values::value::position(&l, &args[0])? {
                Some(i) => Value::Int(i as i64),
                None => {
                    return Err(value_error(format!(
                        "{} is not in the list",
                        args[0].repr()
                    )))
                }
            }
        }
        "contains" => Value::Bool(ops::contains(recv, &args[0])?),
        "slice" => {
            let l = l.borrow();
            let (from, to) = slice_bounds(m, &args, l.len())?;
            Value::list(l[from..to].to_vec())
        }
        "extend" => {
            let items = ops::items_of(&args[0])?;
            let mut l = l.borrow_mut();
            super::values::growth::list_room(&mut l, items.len())?;
            l.extend(items);
            Value::Nil
        }
        "copy" => Value::list(l.borrow().to_vec()),
        "reverse" => {
            l.borrow_mut().reverse();
            Value::Nil
        }
        "sort" => {
            let reverse = take_named(&mut named, "reverse").is_some_and(|v| v.truthy());
            let key = take_named(&mut named, "key").filter(|k| !matches!(k, Value::Nil));
            // Sorts a copy: a key function may look at the list meanwhile.
            let items = l.borrow().to_vec();
            let mut ctx = super::native::ctx::NativeCtx { interp: it };
            **l.borrow_mut() = sort_values(&mut ctx, items, key.as_ref(), reverse)?;
            Value::Nil
        }
        "len" => Value::Int(l.borrow().len() as i64),
        "count" => {
            let l = l.borrow().to_vec();
            let mut n = 0;
            for v in &l {
                if super::values::value::values_equal(v, &args[0])? {
                    n += 1;
                }
            }
            Value::Int(n)
        }
        _ => return Err(no_method(recv, m)),
    })
}

fn update_error(v: &Value) -> ErrorRef {
    type_error(format!(
        "update() needs a map or a list of [key, value] pairs, not `{}`",
        v.repr()
    ))
}

/// `keys`, `values` and `items` as lists.
pub(crate) fn map_view(m: &str, v: &Value) -> R {
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
    let key = |v: &Value| {
        Key::from_value(v).ok_or_else(|| {
            type_error(format!(
                "a map key must be str, int, bool or bytes, not `{}`",
                v.type_name()
            ))
        })
    };
    Ok(match m {
        "get" => {
            let k = key(&args[0])?;
            map.borrow()
                .get(&k)
                .cloned()
                .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::Nil))
        }
        "keys" | "values" | "items" => map_view(m, recv)?,
        "contains" => Value::Bool(ops::contains(recv, &args[0])?),
        "remove" => {
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
        "len" => Value::Int(map.borrow().len() as i64),
        "pop" => {
            let k = key(&args[0])?;
            let removed = map.borrow_mut().shift_remove(&k);
            match (removed, args.get(1)) {
                (Some(v), _) => v,
                (None, Some(default)) => default.clone(),
                (None, None) => {
                    return Err(key_error(format!(
                        "key {} is not in the map",
                        args[0].repr()
                    )))
                }
            }
        }
        "setdefault" => {
            let k = key(&args[0])?;
            let default = args.get(1).cloned().unwrap_or(Value::Nil);
            let mut map = map.borrow_mut();
            super::values::growth::map_room(&mut map, &k)?;
            map.entry(k).or_insert(default).clone()
        }
        "update" => {
            // Collected first: `m.update(m)` reads the map it writes.
            let pairs: Vec<(Key, Value)> = match &args[0] {
                Value::Map(other) => other
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                other => {
                    let mut pairs = Vec::new();
                    for item in ops::items_of(other).map_err(|_| update_error(other))? {
                        let Value::List(pair) = &item else {
                            return Err(update_error(&item));
                        };
                        let pair = pair.borrow();
                        let [k, v] = pair.as_slice() else {
                            return Err(update_error(&item));
                        };
                        pairs.push((key(k)?, v.clone()));
                    }
                    pairs
                }
            };
            let mut map = map.borrow_mut();
            for (k, v) in pairs {
                super::values::growth::map_room(&mut map, &k)?;
                map.insert(k, v);
            }
            Value::Nil
        }
        "copy" => Value::Map(Rc::new(std::cell::RefCell::new(map.borrow().clone()))),
        _ => return Err(no_method(recv, m)),
    })
}
