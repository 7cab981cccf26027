//! `args.parse(spec)`: a script's command line as Python's `argparse`
//! reads it — flags, options with types and defaults, positional
//! arguments, sub-commands — declared as a map, parsed by clap's builder
//! API. `--help` prints the generated help and ends the program with
//! status 0; a usage error prints the usage and the error on stderr and
//! ends it with status 2, as argparse does. The spec is checked here first
//! (`spec.rs`), so that a script's mistake is a `ValueError` naming it,
//! never one of the panics clap keeps for a program's own bugs.

mod spec;

use crate::{Module, NativeCtx, ScriptError, Value};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};
use indexmap::IndexMap;
use spec::{Action, Kind, Opt, Spec, Type};

pub(crate) fn module() -> Module {
    Module::new("args").raw("parse", |ctx, mut args| {
        let spec: IndexMap<String, Value> = args.next("spec")?;
        let argv: Option<Vec<String>> = args.named("argv")?;
        args.finish()?;
        let argv = argv.unwrap_or_else(|| ctx.args().map(String::from).collect());
        parse(ctx, &spec, argv)
    })
}

fn parse(
    ctx: &mut NativeCtx<'_>,
    spec: &IndexMap<String, Value>,
    argv: Vec<String>,
) -> Result<Value, ScriptError> {
    // The name a program's usage line shows: the file the engine runs,
    // `tasks` when there is none.
    let default_prog = ctx.program_name().unwrap_or("tasks").to_string();
    let spec = Spec::read(spec, &default_prog)?;
    let mut command = command(&spec)
        .subcommand_required(!spec.commands.is_empty())
        .disable_help_subcommand(true);
    for (name, sub) in &spec.commands {
        command = command.subcommand(self::command(sub).name(name.clone()));
    }
    match command.try_get_matches_from(argv) {
        Ok(m) => {
            let mut out = IndexMap::new();
            values(&spec, &m, &mut out)?;
            if let Some((name, m)) = m.subcommand() {
                out.insert("command".to_string(), Value::str(name));
                values(&spec.commands[name], m, &mut out)?;
            }
            Ok(crate::IntoValue::into_value(out))
        }
        Err(e) => {
            use clap::error::ErrorKind as K;
            let text = e.render().to_string();
            let code = match e.kind() {
                K::DisplayHelp | K::DisplayHelpOnMissingArgumentOrSubcommand => {
                    ctx.print(&text);
                    0
                }
                _ => {
                    ctx.eprint(&text);
                    2
                }
            };
            Err(ScriptError::exit(code))
        }
    }
}

/// The clap command of one level (the program, or one sub-command).
fn command(spec: &Spec) -> Command {
    let mut c = Command::new(spec.prog.clone())
        .no_binary_name(true)
        .disable_version_flag(true)
        .infer_long_args(true)
        .allow_negative_numbers(true);
    if let Some(d) = &spec.description {
        c = c.about(d.clone());
    }
    if let Some(e) = &spec.epilog {
        c = c.after_help(e.clone());
    }
    for opt in &spec.opts {
        c = c.arg(arg(opt));
    }
    c
}

fn arg(opt: &Opt) -> Arg {
    let mut a = Arg::new(opt.dest.clone());
    let mut help = opt.help.clone().unwrap_or_default();
    if let Some(d) = opt.default_shown() {
        help = format!("{help} [default: {d}]").trim_start().to_string();
    }
    a = a.help(help);
    match &opt.kind {
        Kind::Positional => a = a.value_name(opt.metavar.clone()),
        Kind::Option { long, short } => {
            a = a.long(long.clone());
            if let Some(s) = short {
                a = a.short(*s);
            }
        }
    }
    a = match opt.action {
        Action::StoreTrue => a.action(ArgAction::SetTrue),
        Action::StoreFalse => a.action(ArgAction::SetFalse),
        Action::Count => a.action(ArgAction::Count),
        Action::Append => a.action(ArgAction::Append),
        Action::Store => a.action(ArgAction::Set),
    };
    if matches!(opt.action, Action::Store | Action::Append) {
        if matches!(opt.kind, Kind::Option { .. }) {
            a = a.value_name(opt.metavar.clone());
        }
        a = a.value_parser(spec::parser(opt.ty, &opt.choices));
        if let Some((min, max)) = opt.nargs.range() {
            a = match max {
                Some(max) => a.num_args(min..=max),
                None => a.num_args(min..),
            };
        }
        a = a.required(opt.required);
    }
    a
}

/// The values of one level's arguments, into `out` by their names.
fn values(
    spec: &Spec,
    m: &ArgMatches,
    out: &mut IndexMap<String, Value>,
) -> Result<(), ScriptError> {
    for opt in &spec.opts {
        let id = opt.dest.as_str();
        let given = !matches!(m.value_source(id), None | Some(ValueSource::DefaultValue));
        let v = match opt.action {
            Action::StoreTrue | Action::StoreFalse if !given => opt
                .default
                .clone()
                .unwrap_or(Value::Bool(opt.action == Action::StoreFalse)),
            Action::StoreTrue | Action::StoreFalse => Value::Bool(opt.action == Action::StoreTrue),
            Action::Count if !given => opt.default.clone().unwrap_or(Value::Int(0)),
            Action::Count => Value::Int(m.get_count(id).into()),
            _ if !given => opt.default.clone().unwrap_or_else(|| opt.empty()),
            Action::Append | Action::Store if opt.nargs.many() || opt.action == Action::Append => {
                let items = m.try_get_raw(id).map_err(internal)?.into_iter().flatten();
                let items: Result<Vec<Value>, ScriptError> = items
                    .map(|s| opt.ty.convert(&s.to_string_lossy()))
                    .collect();
                Value::list(items?)
            }
            _ => match m
                .try_get_raw(id)
                .map_err(internal)?
                .and_then(|mut v| v.next())
            {
                Some(s) => opt.ty.convert(&s.to_string_lossy())?,
                None => opt.empty(),
            },
        };
        out.insert(opt.dest.clone(), v);
    }
    Ok(())
}

fn internal(e: clap::parser::MatchesError) -> ScriptError {
    ScriptError::new("InternalError", format!("args.parse: {e}"))
}

impl Type {
    /// A value clap has checked, as the script gets it.
    fn convert(self, s: &str) -> Result<Value, ScriptError> {
        let bad = || {
            ScriptError::new(
                "ValueError",
                format!("invalid {} value: {s:?}", self.name()),
            )
        };
        Ok(match self {
            Type::Str => Value::str(s),
            Type::Int => Value::Int(s.parse().map_err(|_| bad())?),
            Type::Float => Value::Float(s.parse().map_err(|_| bad())?),
        })
    }
}
