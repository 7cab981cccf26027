//! `env`: the process environment, behind `--allow-env`.

use super::not_capable;
use crate::{Key, MapTable, Module, Str, Value};
use std::cell::RefCell;
use std::rc::Rc;

pub(crate) fn module() -> Module {
    Module::new("env")
        .raw("get", |ctx, mut args| {
            let name: String = args.next("name")?;
            let default: Option<Value> = args.named("default")?;
            args.finish()?;
            ctx.permissions().check_env(&name).map_err(not_capable)?;
            Ok(match std::env::var(&name) {
                Ok(v) => Value::str(&v),
                Err(_) => default.unwrap_or(Value::Nil),
            })
        })
        .raw("all", |ctx, args| {
            args.finish()?;
            ctx.permissions().check_env_all().map_err(not_capable)?;
            let mut vars: Vec<(String, String)> = std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect();
            // Sorted, so a script's output does not depend on the OS's order.
            vars.sort();
            let mut table = MapTable::default();
            for (k, v) in vars {
                table.insert(Key::Str(Str::new(&k)), Value::str(&v));
            }
            Ok(Value::Map(Rc::new(RefCell::new(table))))
        })
}
