//! `process` as scripts see it: `run`, `shell` and `start`, behind
//! `--allow-run`, over the Rust side in `process.rs` (process groups,
//! killing on cancel, output caps).

use super::not_capable;
use super::process::{self as rust, Child, Io, Pipe, ProcessFailure, RunOutput, RunSpec};
use crate::permissions::{Denied, Kind};
use crate::{
    Args, FromValue, Module, NativeCtx, NativeFuture, NativeObject, NativeResult, NativeStream,
    ScriptError, Value,
};
use std::path::PathBuf;

pub(crate) fn module() -> Module {
    Module::new("process")
        // Nothing a program started outlives it: the children it forgot
        // are killed with their trees.
        .at_end(|ctx| {
            super::process::kill_engine(ctx.engine_id());
        })
        .object::<Finished>()
        .object::<Running>()
        .object::<ChildLines>()
        .raw_boxed("pipe", super::process_pipe::pipe)
        .raw_boxed("run", |ctx, mut args| {
            let (cmd, list) = command(&mut args)?;
            start_run(ctx, cmd, list, args)
        })
        .raw_boxed("shell", |ctx, mut args| {
            let script: String = args.next("script")?;
            start_run(ctx, "sh".into(), vec!["-c".into(), script], args)
        })
        .raw("start", |ctx, mut args| {
            let (cmd, list) = command(&mut args)?;
            let mut spec = spec(ctx, cmd, list, &mut args)?;
            spec.stdin_io = io_arg(&mut args, "stdin", Io::Pipe)?;
            spec.stdout_io = io_arg(&mut args, "stdout", Io::Pipe)?;
            spec.stderr_io = io_arg(&mut args, "stderr", Io::Inherit)?;
            args.finish()?;
            // What the script printed goes out before what the child
            // writes to the streams it shares with us.
            ctx.flush_output();
            let child = Child::start(&spec).map_err(|e| failure(&e))?;
            Ok(Value::object(Running(child)))
        })
        .raw("quote", |_ctx, mut args| {
            let v: Value = args.next("s")?;
            args.finish()?;
            quote_value(&v).map(|s| Value::str(&s))
        })
}

/// `cmd` and `args` of `run` and `start`: `cmd` is a program's name, or a
/// list of the program and its first arguments (what `sh"…"` makes); the
/// words of `args` follow.
fn command(args: &mut Args) -> Result<(String, Vec<String>), ScriptError> {
    let Command(cmd, mut list) = args.next("cmd")?;
    list.extend(args.named::<Vec<String>>("args")?.unwrap_or_default());
    Ok((cmd, list))
}

struct Command(String, Vec<String>);

impl FromValue for Command {
    fn from_value(v: &Value) -> Result<Self, &'static str> {
        const WANT: &str = "a program's name or a non-empty list of strings";
        match v {
            Value::Str(s) => Ok(Command(s.to_string(), Vec::new())),
            Value::List(_) => {
                let mut words = Vec::<String>::from_value(v).map_err(|_| WANT)?;
                if words.is_empty() {
                    return Err(WANT);
                }
                let program = words.remove(0);
                Ok(Command(program, words))
            }
            _ => Err(WANT),
        }
    }
}

/// `process.quote(v)`: a string or a number as one word; a list as one
/// word per item, joined by spaces (Python's `shlex.join`). What a
/// `sh"…"` command puts in for each interpolation. Anything else (`nil`,
/// a map) is a `TypeError`, not the word "nil" in a command line.
fn quote_value(v: &Value) -> Result<String, ScriptError> {
    match v {
        Value::Str(s) => Ok(quote(s.to_string())),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => v.try_display().map(quote),
        Value::List(items) => {
            let items = items.borrow();
            let mut words = Vec::with_capacity(items.len());
            for item in items.iter() {
                if matches!(item, Value::List(_)) {
                    return Err(word_error(item));
                }
                words.push(quote_value(item)?);
            }
            Ok(words.join(" "))
        }
        other => Err(word_error(other)),
    }
}

fn word_error(v: &Value) -> ScriptError {
    ScriptError::new(
        "TypeError",
        format!("a `{}` is not a word of a command", v.type_name()),
    )
    .with_help("give a string, a number, or a list of them (one word each)")
}

/// `process.quote(s)`: `s` as one word for `sh` (Python's `shlex.quote`):
/// as it is when every character is safe, else in single quotes, each `'`
/// written `'"'"'`. Needs no permission: it runs nothing.
pub(crate) fn quote(s: String) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if s.is_empty() {
        return "''".into();
    }
    if s.chars().all(safe) {
        return s;
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

/// `start`'s `stdin:`, `stdout:`, `stderr:`: "pipe" (to the script),
/// "inherit" (the script's own: the terminal, for an interactive child)
/// or "null".
fn io_arg(args: &mut Args, name: &str, default: Io) -> Result<Io, ScriptError> {
    Ok(match args.named::<String>(name)?.as_deref() {
        None => default,
        Some("pipe") => Io::Pipe,
        Some("inherit") => Io::Inherit,
        Some("null") => Io::Null,
        Some(other) => {
            return Err(ScriptError::new(
                "ValueError",
                format!("{name}: {other:?} is not a way to connect a child's stream"),
            )
            .with_help("use \"pipe\", \"inherit\" or \"null\""))
        }
    })
}

/// The options `run`, `shell` and `start` share: `cwd:`, `env:`. The
/// program is checked and resolved to a file here, once (see
/// `Permissions::check_run_file`): the child runs that file, whatever its
/// `env:` and `cwd:` say.
fn spec(
    ctx: &mut NativeCtx<'_>,
    cmd: String,
    list: Vec<String>,
    args: &mut Args,
) -> Result<RunSpec, ScriptError> {
    let place = place_args(args)?;
    checked_spec(ctx, cmd, list, &place)
}

/// `cwd:` and `env:`.
pub(super) struct Place {
    cwd: Option<PathBuf>,
    env: Vec<(String, String)>,
}

pub(super) fn place_args(args: &mut Args) -> Result<Place, ScriptError> {
    let cwd = args.named::<String>("cwd")?.map(PathBuf::from);
    let env = args.named::<indexmap::IndexMap<String, String>>("env")?;
    Ok(Place {
        cwd,
        env: env.unwrap_or_default().into_iter().collect(),
    })
}

/// The spec of `cmd` with `list`, run where `place` says, once the
/// program passed the permission check.
pub(super) fn checked_spec(
    ctx: &mut NativeCtx<'_>,
    cmd: String,
    list: Vec<String>,
    place: &Place,
) -> Result<RunSpec, ScriptError> {
    let file = ctx
        .permissions()
        .check_run_file(&cmd)
        .map_err(not_capable)?;
    let mut spec = RunSpec::new(cmd, list);
    spec.cwd.clone_from(&place.cwd);
    spec.env.clone_from(&place.env);
    check_env(ctx, &spec)?;
    let Some(file) = file else {
        return Err(failure(&ProcessFailure::Spawn {
            program: spec.cmd,
            error: std::io::ErrorKind::NotFound.into(),
        }));
    };
    spec.program = Some(file);
    spec.engine = ctx.engine_id();
    Ok(spec)
}

/// `env:` names: no `=` (it would end the name early), and with a grant of
/// some programs only, none the dynamic loader reads (`LD_PRELOAD`,
/// `LD_LIBRARY_PATH`, `DYLD_INSERT_LIBRARIES`, ...): they load other code
/// into the granted program, which could then do anything. Deno has the
/// same rule.
fn check_env(ctx: &mut NativeCtx<'_>, spec: &RunSpec) -> Result<(), ScriptError> {
    for (name, _) in &spec.env {
        if name.is_empty() || name.contains('=') || name.contains('\0') {
            return Err(ScriptError::new(
                "ValueError",
                format!("{name:?} is not an environment variable name"),
            ));
        }
        let loader = name.starts_with("LD_") || name.starts_with("DYLD_");
        if loader && !ctx.permissions().allows_all(Kind::Run) {
            let target = format!("{} (env: {name})", spec.cmd);
            let reason = "the dynamic loader's variables need --allow-run with no list";
            ctx.permissions().record_refusal(Kind::Run, &target, reason);
            return Err(ScriptError::new(
                Denied::ERROR_KIND,
                format!(
                    "run access to \"{}\" with {name} in env: is not allowed — \
                     it loads other code into the program; only an unscoped --allow-run allows it",
                    spec.cmd
                ),
            )
            .with_help(
                "the dynamic loader's variables (LD_*, DYLD_*) need --allow-run with no list",
            ));
        }
    }
    Ok(())
}

fn start_run(
    ctx: &mut NativeCtx<'_>,
    cmd: String,
    list: Vec<String>,
    mut args: Args,
) -> Result<NativeFuture, ScriptError> {
    let mut spec = spec(ctx, cmd, list, &mut args)?;
    if let Some(input) = args.named::<Value>("stdin")? {
        spec.stdin = super::bytes::data_arg("process.run", "stdin", &input)?.into_owned();
    }
    let check = args.named::<bool>("check")?.unwrap_or(true);
    args.finish()?;
    let shown = spec.cmd.clone();
    Ok(Box::pin(async move {
        let out = rust::run(spec).await.map_err(|e| failure(&e))?;
        if check && out.code != 0 {
            return Err(check_error(&shown, &out));
        }
        let codes = vec![out.code];
        Ok(Value::object(Finished(out, codes)))
    }))
}

/// `check: true` and a non-zero exit: a `ProcessError` with the status and
/// the end of what the program wrote to stderr.
pub(super) fn check_error(cmd: &str, out: &RunOutput) -> ScriptError {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    let mut msg = format!("`{cmd}` exited with status {}", out.code);
    if !tail.is_empty() {
        msg.push_str(": ");
        msg.push_str(&tail.join(" | "));
    }
    ScriptError::new("ProcessError", msg)
        .with_help("pass `check: false` to get the result whatever the status")
        .with_fields(&[
            ("code", Value::Int(out.code.into())),
            ("stdout", Value::str(&out.stdout_text())),
            ("stderr", Value::str(&out.stderr_text())),
        ])
}

pub(super) fn failure(e: &ProcessFailure) -> ScriptError {
    ScriptError::new(e.kind(), e.to_string())
}

/// What `process.run` returns: `code()`, `ok()`, `stdout()`, `stderr()`;
/// and `process.pipe`, with each program's status in `codes()` (the last
/// one's is `code()`; its stderr is theirs, one after the other).
pub(super) struct Finished(pub(super) RunOutput, pub(super) Vec<i32>);

impl NativeObject for Finished {
    fn type_name(&self) -> &'static str {
        "process_result"
    }
    fn methods() -> &'static [&'static str] {
        &[
            "code",
            "ok",
            "stdout",
            "stderr",
            "stdout_bytes",
            "stderr_bytes",
            "codes",
        ]
    }
    fn method(&self, _ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        let v = match name {
            "code" => Value::Int(self.0.code as i64),
            // As `check:` judges: for a pipe, no program failed.
            "ok" => Value::Bool(super::process_pipe::failed(&self.1).is_none()),
            "stdout" => Value::str(&self.0.stdout_text()),
            "stderr" => Value::str(&self.0.stderr_text()),
            "stdout_bytes" => Value::bytes(self.0.stdout.clone()),
            "stderr_bytes" => Value::bytes(self.0.stderr.clone()),
            "codes" => Value::list(self.1.iter().map(|&c| Value::Int(c.into())).collect()),
            _ => return None,
        };
        Some(args.finish().map(|()| v))
    }
    fn repr(&self) -> String {
        format!("<process_result code={}>", self.0.code)
    }
}

/// What `process.start` returns: a running child.
struct Running(Child);

impl NativeObject for Running {
    fn type_name(&self) -> &'static str {
        "child"
    }
    fn methods() -> &'static [&'static str] {
        &[
            "pid",
            "kill",
            "close_stdin",
            "read_line",
            "write",
            "wait",
            "lines",
            "stderr_lines",
        ]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, mut args: Args) -> Option<NativeResult> {
        let child = self.0.clone();
        let pid = child.pid();
        let result = match name {
            "pid" => args.finish().map(|()| Value::Int(pid as i64)),
            "kill" => args.finish().map(|()| {
                child.kill();
                Value::Nil
            }),
            "close_stdin" => args.finish().map(|()| {
                child.close_stdin();
                Value::Nil
            }),
            "lines" => args.finish().map(|()| {
                Value::object(ChildLines {
                    child,
                    pipe: Pipe::Stdout,
                })
            }),
            "stderr_lines" => args.finish().map(|()| {
                Value::object(ChildLines {
                    child,
                    pipe: Pipe::Stderr,
                })
            }),
            "read_line" => args.finish().map(|()| {
                let fut = child.read_line();
                ctx.coroutine(
                    &format!("child({pid}).read_line()"),
                    Box::pin(async move {
                        match fut.await {
                            Ok(Some(line)) => Ok(Value::str(&line)),
                            Ok(None) => Ok(Value::Nil),
                            Err(e) => Err(failure(&e)),
                        }
                    }),
                )
            }),
            "write" => args.next::<String>("text").and_then(|text| {
                args.finish()?;
                let fut = child.write(text);
                Ok(ctx.coroutine(
                    &format!("child({pid}).write()"),
                    Box::pin(
                        async move { fut.await.map(|()| Value::Nil).map_err(|e| failure(&e)) },
                    ),
                ))
            }),
            "wait" => args.finish().map(|()| {
                let fut = child.wait();
                ctx.coroutine(
                    &format!("child({pid}).wait()"),
                    Box::pin(async move {
                        fut.await
                            .map(|c| Value::Int(c as i64))
                            .map_err(|e| failure(&e))
                    }),
                )
            }),
            _ => return None,
        };
        Some(result)
    }
    fn repr(&self) -> String {
        format!("<child pid={}>", self.0.pid())
    }
}

/// `p.lines()` and `p.stderr_lines()`: a child's output for `for await`,
/// read from the same buffer as `p.read_line()`.
struct ChildLines {
    child: Child,
    pipe: Pipe,
}

impl ChildLines {
    fn shown(&self) -> String {
        let m = match self.pipe {
            Pipe::Stdout => "lines",
            Pipe::Stderr => "stderr_lines",
        };
        format!("child({}).{m}()", self.child.pid())
    }
}

impl NativeObject for ChildLines {
    fn type_name(&self) -> &'static str {
        "lines"
    }
    fn methods() -> &'static [&'static str] {
        &["next"]
    }
    fn method(&self, ctx: &mut NativeCtx<'_>, name: &str, args: Args) -> Option<NativeResult> {
        self.next_method(ctx, name, args, || self.shown())
    }
    fn repr(&self) -> String {
        format!("<{}>", self.shown())
    }
    fn stream(&self) -> Option<&dyn NativeStream> {
        Some(self)
    }
}

impl NativeStream for ChildLines {
    fn ready(&self, _ctx: &mut NativeCtx<'_>) -> Option<NativeResult> {
        self.child.try_line(self.pipe).map(line_value)
    }
    fn wait(&self, _ctx: &mut NativeCtx<'_>) -> Result<NativeFuture, ScriptError> {
        let fut = self.child.read_line_from(self.pipe);
        Ok(Box::pin(async move { line_value(fut.await) }))
    }
}

fn line_value(line: Result<Option<String>, ProcessFailure>) -> NativeResult {
    match line {
        Ok(Some(line)) => Ok(Value::str(&line)),
        Ok(None) => Ok(Value::Nil),
        Err(e) => Err(failure(&e)),
    }
}
