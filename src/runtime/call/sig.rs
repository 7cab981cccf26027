//! The signatures of builtins and methods and the one binder that checks
//! every call of them against its documentation.

use crate::runtime::error::{type_error, ErrorObj, ErrorRef};
use crate::runtime::values::value::Value;
use std::rc::Rc;

/// Named arguments, in call order.
pub(crate) type Named = Vec<(Rc<str>, Value)>;

/// The parameters of a builtin or a method, as its documentation gives
/// them. One binder ([`bind`]) serves every builtin and every method, so
/// each accepts exactly its documented names and rejects any other, as a
/// script function does.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sig {
    /// The type whose method this is (`list`), or `""` for a builtin.
    pub owner: &'static str,
    /// How errors name it: `sorted`, or `sort` (shown as `list.sort`).
    pub name: &'static str,
    /// Parameters taken by position or by name, in order.
    pub params: &'static [&'static str],
    /// How many of `params` must be given.
    pub required: usize,
    /// Any number of further positional arguments (`print(a, b, ...)`).
    pub rest: bool,
    /// Parameters taken only by name (`sep:`, `key:`).
    pub named: &'static [&'static str],
    /// `params` can only be given by position (`range`, whose first
    /// parameter is `stop` or `start` depending on the count).
    pub positional_only: bool,
}

impl Sig {
    /// `params`, all of them required.
    pub(crate) const fn new(name: &'static str, params: &'static [&'static str]) -> Sig {
        Sig {
            owner: "",
            name,
            params,
            required: params.len(),
            rest: false,
            named: &[],
            positional_only: false,
        }
    }
    /// A method of the type named `owner`.
    pub(crate) const fn of(mut self, owner: &'static str) -> Sig {
        self.owner = owner;
        self
    }
    /// Only the first `n` parameters are required.
    pub(crate) const fn required(mut self, n: usize) -> Sig {
        self.required = n;
        self
    }
    pub(crate) const fn rest(mut self) -> Sig {
        self.rest = true;
        self
    }
    pub(crate) const fn named(mut self, names: &'static [&'static str]) -> Sig {
        self.named = names;
        self
    }
    pub(crate) const fn positional_only(mut self) -> Sig {
        self.positional_only = true;
        self
    }

    /// `round(x, digits?)`, `sorted(xs, key:, reverse:)`: how the
    /// language server shows the signature.
    pub(crate) fn usage(&self) -> String {
        let mut parts: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i < self.required {
                    p.to_string()
                } else {
                    format!("{p}?")
                }
            })
            .collect();
        if self.rest {
            parts.push("...".into());
        }
        parts.extend(self.named.iter().map(|n| format!("{n}:")));
        format!("{}({})", self.display(), parts.join(", "))
    }

    /// `sorted`, `list.sort`: made only for an error message.
    fn display(&self) -> String {
        if self.owner.is_empty() {
            self.name.to_string()
        } else {
            format!("{}.{}", self.owner, self.name)
        }
    }

    /// The count check, naming the callee only when it fails.
    fn check_count(&self, n: usize) -> Result<(), ErrorRef> {
        let (min, max) = (
            self.required,
            if self.rest {
                usize::MAX
            } else {
                self.params.len()
            },
        );
        if n >= min && n <= max {
            return Ok(());
        }
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        Err(type_error(format!(
            "{}() takes {want} argument{} but {n} were given",
            self.display(),
            if max == 1 { "" } else { "s" },
        )))
    }

    fn unknown_name(&self, name: &str) -> ErrorRef {
        let mut names: Vec<String> = Vec::new();
        if !self.positional_only {
            names.extend(self.params.iter().map(|p| p.to_string()));
        }
        names.extend(self.named.iter().map(|p| p.to_string()));
        let help = if names.is_empty() {
            format!("{}() takes no named arguments", self.display())
        } else {
            format!("its parameters are: {}", names.join(", "))
        };
        ErrorObj::with_help(
            "TypeError",
            format!("{}() has no parameter named `{name}`", self.display()),
            help,
        )
    }
}

/// Binds a call's arguments to `sig`: checks the count and every name.
/// Parameters given by name move to their positions in the returned list;
/// the named-only ones come back by name, each at most once, for
/// [`take_named`].
pub(crate) fn bind(
    sig: &Sig,
    mut args: Vec<Value>,
    named: Named,
) -> Result<(Vec<Value>, Named), ErrorRef> {
    if named.is_empty() {
        sig.check_count(args.len())?;
        return Ok((args, named));
    }
    let given = args.len();
    let mut by_position: Vec<Option<Value>> = Vec::new();
    let mut kept: Named = Vec::new();
    for (name, v) in named {
        let twice = || type_error(format!("{}() got two values for `{name}`", sig.display()));
        if sig.named.contains(&&*name) {
            if kept.iter().any(|(n, _)| *n == name) {
                return Err(twice());
            }
            kept.push((name, v));
            continue;
        }
        let at = sig.params.iter().position(|p| **p == *name);
        let Some(i) = at.filter(|_| !sig.positional_only) else {
            return Err(sig.unknown_name(&name));
        };
        if i < given {
            return Err(twice());
        }
        if by_position.len() <= i - given {
            by_position.resize(i - given + 1, None);
        }
        if by_position[i - given].replace(v).is_some() {
            return Err(twice());
        }
    }
    for (k, v) in by_position.into_iter().enumerate() {
        match v {
            Some(v) => args.push(v),
            // An optional parameter left out before one given by name
            // (`b.decode(errors: "replace")`): nil, which means "left out".
            None if given + k >= sig.required => args.push(Value::Nil),
            None => {
                return Err(type_error(format!(
                    "{}() missing argument `{}`",
                    sig.display(),
                    sig.params[given + k]
                )))
            }
        }
    }
    if args.len() < sig.required.min(sig.params.len()) {
        return Err(type_error(format!(
            "{}() missing argument `{}`",
            sig.display(),
            sig.params[args.len()]
        )));
    }
    sig.check_count(args.len())?;
    Ok((args, kept))
}

/// Takes a named argument out of `named`, if given.
pub(crate) fn take_named(named: &mut Named, name: &str) -> Option<Value> {
    let i = named.iter().position(|(n, _)| &**n == name)?;
    Some(named.remove(i).1)
}

/// The awaitables of `gather(a, b)` or `gather([a, b])`.
pub(crate) fn gather_items(args: Vec<Value>) -> Vec<Value> {
    match args.as_slice() {
        [Value::List(l)] => l.borrow().to_vec(),
        _ => args,
    }
}
