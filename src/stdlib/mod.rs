//! The standard library's native modules, on the same registration API an
//! embedding host uses ([`crate::Module`]): one file per module.

pub(crate) mod env;
pub(crate) mod fs;
#[allow(dead_code)] // wired by the loop-and-host work
pub(crate) mod json;
#[allow(dead_code)] // wired by the loop-and-host work
pub(crate) mod process;
pub(crate) mod stdio;

use crate::compile::names::Natives;
use crate::runtime::error::{ErrorObj, ErrorRef};
use crate::runtime::native_fn::Ctx;

/// Every module and top-level native function scripts get without an import.
pub(crate) fn install(natives: &mut Natives) {
    for m in [env::module(), fs::module(), stdio::stdin_module()] {
        m.install(natives);
    }
    for f in stdio::functions() {
        natives.functions.insert(
            f.name.clone(),
            crate::runtime::value::Value::Native(std::rc::Rc::new(f)),
        );
    }
}

/// A refused permission as the script sees it: a `NotCapableError` whose
/// message names the flag that would allow the access.
pub(crate) fn not_capable(d: crate::permissions::Denied) -> ErrorRef {
    ErrorObj::new("NotCapableError", d.to_string())
}

impl Ctx<'_> {
    /// The engine's permissions.
    pub fn permissions(&self) -> &crate::permissions::Permissions {
        &self.interp.permissions
    }
}
