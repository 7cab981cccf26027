//! The spec of `args.parse`, read from the script's map and checked: every
//! mistake a script can make in it is a `ValueError` that names the
//! argument, found before clap sees the spec (clap asserts on a bad
//! configuration — a name used twice, an optional positional before a
//! required one — with a panic meant for a program's own bugs).
//!
//! ```text
//! {"prog": "count", "description": "...", "epilog": "...",
//!  "args": {"pattern": {"help": "..."},            # positional
//!           "files": {"nargs": "*"},
//!           "--limit": {"short": "-n", "type": "int", "default": 10},
//!           "--verbose": {"short": "-v", "action": "store_true"}},
//!  "commands": {"add": {"help": "...", "args": {...}}}}
//! ```

use crate::{ScriptError, Value};
use clap::builder::{PossibleValuesParser, TypedValueParser, ValueParser};
use indexmap::IndexMap;

/// One level: the program, or one of its sub-commands.
pub(super) struct Spec {
    pub prog: String,
    pub description: Option<String>,
    pub epilog: Option<String>,
    pub opts: Vec<Opt>,
    pub commands: IndexMap<String, Spec>,
}

pub(super) struct Opt {
    /// The key of its value in the result (`--dry-run` → `dry_run`).
    pub dest: String,
    pub kind: Kind,
    pub help: Option<String>,
    pub metavar: String,
    pub ty: Type,
    pub default: Option<Value>,
    pub choices: Vec<String>,
    pub required: bool,
    pub nargs: Nargs,
    pub action: Action,
}

pub(super) enum Kind {
    Positional,
    Option { long: String, short: Option<char> },
}

#[derive(Clone, Copy)]
pub(super) enum Type {
    Str,
    Int,
    Float,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Nargs {
    One,
    /// `"?"`: zero or one.
    Optional,
    /// `"*"`.
    Any,
    /// `"+"`.
    Some,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Action {
    Store,
    StoreTrue,
    StoreFalse,
    Count,
    Append,
}

const TOP_KEYS: &[&str] = &["prog", "description", "epilog", "args", "commands"];
const COMMAND_KEYS: &[&str] = &["help", "description", "epilog", "args"];
const ARG_KEYS: &[&str] = &[
    "help", "short", "type", "default", "choices", "required", "nargs", "action", "metavar",
];

fn bad(msg: impl Into<String>, help: &str) -> ScriptError {
    ScriptError::new("ValueError", format!("args.parse: {}", msg.into())).with_help(help)
}

fn only_keys(map: &IndexMap<String, Value>, known: &[&str], what: &str) -> Result<(), ScriptError> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(bad(
            format!("{what} has no key {k:?}"),
            &format!("its keys are {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn text(
    map: &IndexMap<String, Value>,
    key: &str,
    what: &str,
) -> Result<Option<String>, ScriptError> {
    match map.get(key) {
        None | Some(Value::Nil) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.to_string())),
        Some(v) => Err(bad(
            format!("{what}'s {key:?} must be a string, not `{}`", v.type_name()),
            "write it in quotes",
        )),
    }
}

fn table(v: &Value, what: &str) -> Result<IndexMap<String, Value>, ScriptError> {
    use crate::FromValue;
    IndexMap::<String, Value>::from_value(v).map_err(|_| {
        bad(
            format!(
                "{what} must be a map with string keys, not `{}`",
                v.type_name()
            ),
            "see LANGUAGE.md, Scripts' arguments",
        )
    })
}

impl Spec {
    pub(super) fn read(map: &IndexMap<String, Value>, prog: &str) -> Result<Spec, ScriptError> {
        only_keys(map, TOP_KEYS, "the spec")?;
        let mut spec = Spec::level(map, prog.to_string(), "the spec")?;
        spec.prog = text(map, "prog", "the spec")?.unwrap_or(spec.prog);
        if let Some(commands) = map.get("commands").filter(|v| !matches!(v, Value::Nil)) {
            for (name, v) in table(commands, "\"commands\"")? {
                let what = format!("command {name:?}");
                if !is_name(&name) || name.starts_with('-') {
                    return Err(bad(
                        format!("{what} is not a name"),
                        "use letters, digits, - and _",
                    ));
                }
                let sub = table(&v, &what)?;
                only_keys(&sub, COMMAND_KEYS, &what)?;
                let mut level = Spec::level(&sub, format!("{} {name}", spec.prog), &what)?;
                if level.description.is_none() {
                    level.description = text(&sub, "help", &what)?;
                }
                spec.commands.insert(name, level);
            }
            spec.check_merged_names()?;
        }
        Ok(spec)
    }

    fn level(map: &IndexMap<String, Value>, prog: String, what: &str) -> Result<Spec, ScriptError> {
        let mut opts: Vec<Opt> = Vec::new();
        if let Some(args) = map.get("args").filter(|v| !matches!(v, Value::Nil)) {
            for (name, v) in table(args, &format!("{what}'s \"args\""))? {
                let opt = Opt::read(&name, &v)?;
                check_unique(&opts, &opt)?;
                opts.push(opt);
            }
        }
        check_positional_order(&opts)?;
        Ok(Spec {
            prog,
            description: text(map, "description", what)?,
            epilog: text(map, "epilog", what)?,
            opts,
            commands: IndexMap::new(),
        })
    }

    /// A sub-command's values go into the same map as the program's, with
    /// `"command"`: no name may mean two arguments.
    fn check_merged_names(&self) -> Result<(), ScriptError> {
        let top = self.opts.iter().map(|o| &o.dest);
        if let Some(d) = top.clone().find(|d| *d == "command") {
            return Err(bad(
                format!("an argument named {d:?} beside sub-commands"),
                "the sub-command's name is the result's \"command\": rename the argument",
            ));
        }
        for (name, sub) in &self.commands {
            if let Some(o) = sub
                .opts
                .iter()
                .find(|o| o.dest == "command" || top.clone().any(|d| *d == o.dest))
            {
                return Err(bad(
                    format!("command {name:?} has an argument {:?} that the program or the command's name has too", o.dest),
                    "their values share one map: give it another name",
                ));
            }
        }
        Ok(())
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Opt {
    fn read(name: &str, v: &Value) -> Result<Opt, ScriptError> {
        let what = format!("argument {name:?}");
        // `"pattern": "what to look for"`: only a help text.
        let map = match v {
            Value::Str(s) => IndexMap::from([("help".to_string(), Value::str(s))]),
            v => table(v, &what)?,
        };
        only_keys(&map, ARG_KEYS, &what)?;
        let bare = name.trim_start_matches('-');
        let dashes = name.len() - bare.len();
        if !is_name(bare) || bare.starts_with('-') || dashes == 1 || dashes > 2 {
            return Err(bad(
                format!("{what} is neither a positional name nor a --long option"),
                "write \"name\" or \"--name\" (a short form goes in \"short\": \"-n\")",
            ));
        }
        if bare == "help" || bare == "h" {
            return Err(bad(
                format!("{what}: --help is made for you"),
                "name it otherwise",
            ));
        }
        let positional = dashes == 0;
        let dest = bare.replace('-', "_");
        let action = action(&map, &what)?;
        let flag = !matches!(action, Action::Store | Action::Append);
        let short = short(&map, &what)?;
        let kind = if positional {
            if short.is_some() || flag || action == Action::Append || map.contains_key("required") {
                return Err(bad(
                    format!("{what} is positional: it takes a value, and no \"short\", \"action\" or \"required\""),
                    "make it an option (\"--name\"), or drop those keys (\"nargs\": \"?\" makes it optional)",
                ));
            }
            Kind::Positional
        } else {
            Kind::Option {
                long: bare.to_string(),
                short,
            }
        };
        let for_values = ["type", "choices", "nargs", "metavar"];
        if flag {
            if let Some(k) = for_values
                .iter()
                .chain(&["required"])
                .find(|k| map.contains_key(**k))
            {
                return Err(bad(
                    format!("{what} is a flag: it takes no {k:?}"),
                    "drop it, or make it an option with a value",
                ));
            }
        }
        let ty = ty(&map, &what)?;
        let choices = choices(&map, &what, ty)?;
        let nargs = nargs(&map, &what)?;
        if action == Action::Append && nargs != Nargs::One {
            return Err(bad(
                format!("{what}: \"append\" takes one value each time"),
                "drop \"nargs\"",
            ));
        }
        let default = map.get("default").cloned();
        let metavar = text(&map, "metavar", &what)?.unwrap_or_else(|| {
            if positional {
                dest.clone()
            } else {
                dest.to_uppercase()
            }
        });
        let required = match map.get("required") {
            None => positional && matches!(nargs, Nargs::One | Nargs::Some),
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                return Err(bad(
                    format!(
                        "{what}'s \"required\" must be true or false, not `{}`",
                        v.type_name()
                    ),
                    "",
                ))
            }
        };
        Ok(Opt {
            dest,
            kind,
            help: text(&map, "help", &what)?,
            metavar,
            ty,
            default,
            choices,
            required,
            nargs,
            action,
        })
    }

    /// What the help shows as the default, for a value that is one.
    pub(super) fn default_shown(&self) -> Option<String> {
        match (&self.default, self.action) {
            (Some(Value::Nil) | None, _) | (_, Action::StoreTrue | Action::StoreFalse) => None,
            (Some(v), _) => v.try_display().ok(),
        }
    }

    /// The value when the argument is not given and has no default.
    pub(super) fn empty(&self) -> Value {
        if self.action == Action::Append || matches!(self.nargs, Nargs::Any | Nargs::Some) {
            // argparse gives `None` for an absent `*` option; a list reads better.
            return Value::list(Vec::new());
        }
        Value::Nil
    }
}

fn action(map: &IndexMap<String, Value>, what: &str) -> Result<Action, ScriptError> {
    Ok(match text(map, "action", what)?.as_deref() {
        None | Some("store") => Action::Store,
        Some("store_true") => Action::StoreTrue,
        Some("store_false") => Action::StoreFalse,
        Some("count") => Action::Count,
        Some("append") => Action::Append,
        Some(other) => {
            return Err(bad(
                format!("{what}'s action {other:?} is not one args.parse knows"),
                "use \"store\", \"store_true\", \"store_false\", \"count\" or \"append\"",
            ))
        }
    })
}

fn short(map: &IndexMap<String, Value>, what: &str) -> Result<Option<char>, ScriptError> {
    let Some(s) = text(map, "short", what)? else {
        return Ok(None);
    };
    let mut chars = s.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some('-'), Some('h'), None) => Err(bad(
            format!("{what}'s short form -h is --help's"),
            "choose another letter",
        )),
        (Some('-'), Some(c), None) if c.is_ascii_alphanumeric() => Ok(Some(c)),
        _ => Err(bad(
            format!("{what}'s short form {s:?} is not a dash and a letter or digit"),
            "write \"-n\"",
        )),
    }
}

fn ty(map: &IndexMap<String, Value>, what: &str) -> Result<Type, ScriptError> {
    let name = match map.get("type") {
        None | Some(Value::Nil) => return Ok(Type::Str),
        Some(Value::Str(s)) => s.to_string(),
        // `"type": int`, as argparse's `type=int`.
        Some(Value::Native(f)) => f.name.to_string(),
        Some(v) => v.type_name().to_string(),
    };
    Ok(match name.as_str() {
        "str" => Type::Str,
        "int" => Type::Int,
        "float" => Type::Float,
        other => {
            return Err(bad(
                format!("{what}'s type {other:?} is not one args.parse converts to"),
                "use \"str\", \"int\" or \"float\" (or the builtins str, int, float)",
            ))
        }
    })
}

fn choices(
    map: &IndexMap<String, Value>,
    what: &str,
    ty: Type,
) -> Result<Vec<String>, ScriptError> {
    let Some(v) = map.get("choices").filter(|v| !matches!(v, Value::Nil)) else {
        return Ok(Vec::new());
    };
    let Value::List(items) = v else {
        return Err(bad(format!("{what}'s choices must be a list"), ""));
    };
    let mut out = Vec::new();
    for item in items.borrow().iter() {
        let ok = matches!(
            (ty, item),
            (Type::Str, Value::Str(_))
                | (Type::Int, Value::Int(_))
                | (Type::Float, Value::Float(_) | Value::Int(_))
        );
        if !ok {
            return Err(bad(
                format!(
                    "{what}'s choice {} is not {}",
                    item.repr(),
                    ty.with_article()
                ),
                "choices are values of the argument's type",
            ));
        }
        out.push(item.try_display()?);
    }
    if out.is_empty() {
        return Err(bad(format!("{what} has no choices"), "list at least one"));
    }
    Ok(out)
}

fn nargs(map: &IndexMap<String, Value>, what: &str) -> Result<Nargs, ScriptError> {
    Ok(match map.get("nargs") {
        None | Some(Value::Nil) => Nargs::One,
        Some(Value::Str(s)) if &**s == "?" => Nargs::Optional,
        Some(Value::Str(s)) if &**s == "*" => Nargs::Any,
        Some(Value::Str(s)) if &**s == "+" => Nargs::Some,
        Some(v) => {
            return Err(bad(
                format!("{what}'s nargs {} is not one args.parse knows", v.repr()),
                "use \"?\" (optional), \"*\" (any number) or \"+\" (at least one)",
            ))
        }
    })
}

/// No two arguments with the same name, long or short form.
fn check_unique(opts: &[Opt], new: &Opt) -> Result<(), ScriptError> {
    for o in opts {
        let same_short = match (&o.kind, &new.kind) {
            (Kind::Option { short: Some(a), .. }, Kind::Option { short: Some(b), .. }) => a == b,
            _ => false,
        };
        if o.dest == new.dest {
            return Err(bad(
                format!("two arguments are named {:?}", new.dest),
                "each argument needs a name of its own (`-` and `_` are the same in it)",
            ));
        }
        if let (true, Kind::Option { short: Some(c), .. }) = (same_short, &new.kind) {
            return Err(bad(
                format!("two arguments have the short form \"-{c}\""),
                "each short form names one argument",
            ));
        }
    }
    Ok(())
}

/// Positional arguments are taken in order: the required ones first, and
/// at most one that takes any number of values, last.
fn check_positional_order(opts: &[Opt]) -> Result<(), ScriptError> {
    let positional: Vec<&Opt> = opts
        .iter()
        .filter(|o| matches!(o.kind, Kind::Positional))
        .collect();
    for (i, o) in positional.iter().enumerate() {
        let last = i + 1 == positional.len();
        if o.nargs.many() && !last {
            return Err(bad(
                format!(
                    "positional {:?} takes any number of values but is not the last",
                    o.dest
                ),
                "put it after the other positional arguments",
            ));
        }
        if !o.required && positional[i + 1..].iter().any(|p| p.required) {
            return Err(bad(
                format!(
                    "optional positional {:?} comes before a required one",
                    o.dest
                ),
                "put the optional positional arguments last",
            ));
        }
    }
    Ok(())
}

impl Nargs {
    pub(super) fn many(self) -> bool {
        matches!(self, Nargs::Any | Nargs::Some)
    }
    /// How many values clap takes, when not one.
    pub(super) fn range(self) -> Option<(usize, Option<usize>)> {
        match self {
            Nargs::One => None,
            Nargs::Optional => Some((0, Some(1))),
            Nargs::Any => Some((0, None)),
            Nargs::Some => Some((1, None)),
        }
    }
}

impl Type {
    fn with_article(self) -> &'static str {
        match self {
            Type::Str => "a str",
            Type::Int => "an int",
            Type::Float => "a float",
        }
    }
    pub(super) fn name(self) -> &'static str {
        match self {
            Type::Str => "str",
            Type::Int => "int",
            Type::Float => "float",
        }
    }
}

/// clap's check of a value: its type, and its choices if any (an error
/// there is a usage error, status 2).
pub(super) fn parser(ty: Type, choices: &[String]) -> ValueParser {
    if !choices.is_empty() {
        return ValueParser::new(PossibleValuesParser::new(choices.to_vec()));
    }
    match ty {
        Type::Str => ValueParser::string(),
        Type::Int => ValueParser::new(clap::value_parser!(i64)),
        Type::Float => ValueParser::new(
            clap::builder::StringValueParser::new().try_map(|s| s.parse::<f64>().map(|_| s)),
        ),
    }
}
