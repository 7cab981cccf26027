//! Python habits: what someone used to Python is likely to write, and what
//! to write here instead. Each check runs only where the program is already
//! wrong (a failed parse, two statements run together, an undefined name),
//! so a variable that happens to be called `def` or `lambda` still works.

use super::ast::Span;
use super::error::SyntaxError;
use super::lex::Scanner;

fn habit(message: &str, span: Span, label: &str, help: String) -> SyntaxError {
    let mut e = SyntaxError::new(message, span, label);
    e.help = Some(help);
    e
}

/// `word next` on one line, where `word` is a bare name used as a
/// statement: Python's `def f(x)`, `import asyncio`, `elif c`, `except E`.
pub(crate) fn bare_word(word: &str, word_span: Span, next: &str) -> Option<SyntaxError> {
    // A header is what comes before its body (`{` or Python's `:`).
    let header = next.split(['{', ':']).next().unwrap_or_default().trim();
    Some(match word {
        "def" => habit(
            "functions are declared with `fn`, not `def`",
            word_span,
            "Python's `def`",
            format!("write `fn {header} {{ ... }}` (or `async fn`)"),
        ),
        "import" | "from" => habit(
            "there is nothing to import",
            word_span,
            "Python's `import`",
            "`sleep`, `spawn`, `gather`, `wait_for`, `queue`, `event`, `lock` and the rest are \
             built in: delete this line (a file of your own is imported by its path: \
             `import \"./util.tasks\" as util`)"
                .into(),
        ),
        "elif" => habit(
            "`elif` is written `else if`",
            word_span,
            "Python's `elif`",
            format!("write `else if {header} {{ ... }}`"),
        ),
        "except" => except(word_span),
        "lambda" => lambda(word_span, next),
        "raise" => raise(word_span, next),
        _ => return None,
    })
}

/// `raise ValueError("m")`: `rest` is what follows the word `raise`.
fn raise(span: Span, rest: &str) -> SyntaxError {
    let rest = rest.trim();
    let kind = word_at(rest, 0);
    let after = rest[kind.len()..].trim_start();
    let help = match after.strip_prefix('(') {
        Some(args) if !kind.is_empty() => {
            let message = operand(args);
            let message = if message.is_empty() {
                "\"...\""
            } else {
                message
            };
            format!("write `throw error({message}, kind: \"{kind}\")`")
        }
        _ if !kind.is_empty() && after.is_empty() => {
            format!("write `throw error(\"...\", kind: \"{kind}\")`")
        }
        _ => "write `throw error(\"message\", kind: \"ValueError\")`, or `throw e` for \
              an error caught with `catch e`"
            .into(),
    };
    habit(
        "errors are thrown with `throw`, not `raise`",
        span,
        "Python's `raise`",
        help,
    )
}

fn except(span: Span) -> SyntaxError {
    habit(
        "errors are caught with `catch`, not `except`",
        span,
        "Python's `except`",
        "write `catch e { ... }`, or `catch e: KeyError { ... }` for one kind".into(),
    )
}

/// `lambda x: x + 1` (`rest` is what follows the word `lambda`).
fn lambda(span: Span, rest: &str) -> SyntaxError {
    let (params, body) = rest.split_once(':').unwrap_or((rest, "..."));
    let body = operand(body);
    let body = if body.is_empty() { "..." } else { body };
    habit(
        "there is no `lambda`: a function value is written `fn`",
        span,
        "Python's `lambda`",
        format!("write `fn({}) {{ return {body} }}`", params.trim()),
    )
}

/// Help for an undefined name that is Python's spelling of a value.
pub(crate) fn for_name(name: &str) -> Option<String> {
    Some(match name {
        "None" => "Python's `None` is `nil` here".into(),
        "True" | "False" => format!("booleans are lower-case: `{}`", name.to_ascii_lowercase()),
        "raise" => "errors are thrown with `throw`: `throw e` throws a caught error again".into(),
        _ => return None,
    })
}

/// Help for an undefined name right after `//`: Python's floor division
/// taken for a comment (`let t = 30 // seconds`). `before` is the source
/// up to the name.
pub(crate) fn after_floor_division(before: &str, name: &str) -> Option<String> {
    let code = before.trim_end_matches([' ', '\t']).strip_suffix("//")?;
    let line = code.rsplit('\n').next().unwrap_or_default().trim();
    Some(format!(
        "a comment starts with `#`: `{line}  # {name}` (`//` is floor division)"
    ))
}

/// Help for a method no value has that is Python's spelling of one.
pub(crate) fn for_method(name: &str) -> Option<String> {
    Some(match name {
        "append" => "a list grows with `push`: `xs.push(x)`".into(),
        _ => return None,
    })
}

/// Help for a field no struct has that other languages read a length
/// with; `receiver` is the source of what it is read from.
pub(crate) fn for_field(name: &str, receiver: &str) -> Option<String> {
    Some(match name {
        "length" | "size" | "len" => {
            format!("the length of a list, string or map is `len({receiver})`")
        }
        _ => return None,
    })
}

/// `asyncio.NAME(args)`: there is no module, its functions are built in.
/// None for a name asyncio does not have (then `asyncio` may be a variable).
pub(crate) fn asyncio_call(method: &str, span: Span, args: &str) -> Option<SyntaxError> {
    const NAMES: [&str; 17] = [
        "create_task",
        "ensure_future",
        "run",
        "TaskGroup",
        "Queue",
        "Event",
        "Lock",
        "Semaphore",
        "sleep",
        "gather",
        "wait_for",
        "current_task",
        "all_tasks",
        "wait",
        "as_completed",
        "get_event_loop",
        "timeout",
    ];
    if !NAMES.contains(&method) {
        return None;
    }
    let args = args.trim();
    let help = match method {
        "create_task" | "ensure_future" => format!("start a task with `spawn {args}`"),
        "run" => format!("a script is the main task: write `await {args}` at the top level"),
        "TaskGroup" => "use a task group block: `group { spawn work() }`".into(),
        "Queue" | "Event" | "Lock" | "Semaphore" => {
            format!("write `{}({args})`", method.to_ascii_lowercase())
        }
        "sleep" | "gather" | "wait_for" | "current_task" | "all_tasks" => {
            format!("write `{method}({args})`")
        }
        _ => "`spawn`, `gather`, `sleep`, `wait_for`, `queue` and the rest are built in".into(),
    };
    Some(habit(
        "there is no `asyncio` module",
        span,
        "Python's `asyncio`",
        help,
    ))
}

/// The expression at the start of `text`: up to a `,` or a closing bracket
/// that it did not open (roughly: strings are not looked into).
fn operand(text: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' | ',' if depth == 0 => return text[..i].trim(),
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    text.trim()
}

/// The word made of identifier characters that starts at `at`.
pub(super) fn word_at(src: &str, at: usize) -> &str {
    let len = src[at..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(src.len() - at);
    &src[at..at + len]
}

/// Python habits on the line of a parse failure at `pos`: `lambda`, `is`,
/// `except`, a named argument written `f(b=2)`, tuples (`a, b = b, a`,
/// `return a, b`). `innermost` is the bracket open at `pos`, if any.
/// Python's `async with` and `async for`: a `with` block here is always
/// asynchronous, and there is no async iteration protocol.
fn async_statement(src: &str, async_span: Span, line_end: usize) -> Option<SyntaxError> {
    let rest = &src[async_span.end as usize..line_end];
    let next = rest.trim_start();
    let at = line_end - rest.len() + (rest.len() - next.len());
    let word = word_at(src, at);
    let span = Span::new(async_span.start as usize, at + word.len());
    match word {
        "with" => Some(habit(
            "`async with` is written `with`",
            span,
            "Python's `async with`",
            "write `with EXPR { ... }`: a `with` block always enters and exits its \
             object asynchronously (a lock, a semaphore, a timeout)"
                .into(),
        )),
        "def" => {
            let header = src[span.end as usize..line_end].split(['{', ':']).next();
            let header = header.unwrap_or_default().trim();
            Some(habit(
                "`async def` is written `async fn`",
                span,
                "Python's `async def`",
                format!("write `async fn {header} {{ ... }}`"),
            ))
        }
        "for" => Some(habit(
            "there is no `async for`",
            span,
            "Python's `async for`",
            "loop with `for` over a list, or with `while` and an `await` for each item \
             (`while true { let line = await child.read_line() ... }`)"
                .into(),
        )),
        _ => None,
    }
}

pub(crate) fn at_failure(src: &str, pos: usize, innermost: Option<char>) -> Option<SyntaxError> {
    let line_start = src[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[pos..].find('\n').map_or(src.len(), |i| pos + i);
    // Whole words in code (not strings or comments) on the line, up to the failure.
    let mut words = Vec::new();
    let mut prev_ident = false;
    for b in Scanner::new(&src[..line_end]) {
        let ident = b.byte.is_ascii_alphanumeric() || b.byte == b'_';
        if b.at >= line_start && ident && !prev_ident {
            words.push(b.at);
        }
        prev_ident = ident;
    }
    if let Some(&first) = words.first() {
        let word = word_at(src, first);
        let end = first + word.len();
        if matches!(word, "def" | "elif" | "import" | "from" | "raise") && first <= pos {
            if let Some(h) = bare_word(word, Span::new(first, end), &src[end..line_end]) {
                return Some(h);
            }
        }
    }
    for &at in &words {
        let word = word_at(src, at);
        let span = Span::new(at, at + word.len());
        match word {
            "lambda" => return Some(lambda(span, &src[span.end as usize..line_end])),
            "async" => {
                if let Some(h) = async_statement(src, span, line_end) {
                    return Some(h);
                }
            }
            "except" => return Some(except(span)),
            "is" if at <= pos => {
                let not = src[span.end as usize..].trim_start().starts_with("not ");
                let (op, rest) = if not {
                    ("!=", "`is not`")
                } else {
                    ("==", "`is`")
                };
                return Some(habit(
                    &format!("{rest} is Python's: compare with `{op}`"),
                    span,
                    "Python's identity test",
                    format!("write `x {op} nil` (`nil` is Python's `None`)"),
                ));
            }
            _ => {}
        }
    }
    let found = src[pos..].chars().next()?;
    if found == '\'' {
        let close = src[pos + 1..line_end].find('\'').map(|i| pos + 1 + i);
        let (span, inner) = match close {
            Some(end) => (Span::new(pos, end + 1), &src[pos + 1..end]),
            None => (Span::new(pos, pos + 1), "..."),
        };
        let shown = format!("\"{}\"", inner.replace('"', "\\\""));
        return Some(habit(
            "strings are written with double quotes",
            span,
            "Python's single-quoted string",
            format!("write `{shown}`"),
        ));
    }
    if found == '=' && !src[pos..].starts_with("==") && innermost == Some('(') {
        let before = src[..pos].trim_end();
        // Past the last character that is not part of a name, whatever
        // its width (a BOM or `«` before `=` is more than one byte).
        let name_start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let name = &before[name_start..];
        let opener = before[..name_start].trim_end().chars().last();
        if !name.is_empty() && matches!(opener, Some('(' | ',')) {
            return Some(habit(
                "named arguments use `:`, not `=`",
                Span::new(pos, pos + 1),
                "use `:` here",
                format!("write `{name}: {}`", operand(&src[pos + 1..line_end])),
            ));
        }
    }
    let statement_start = Scanner::new(&src[..pos])
        .filter(|b| b.at >= line_start && matches!(b.byte, b'{' | b';'))
        .last()
        .map_or(line_start, |b| b.at + 1);
    let statement = src[statement_start..pos].trim_start();
    if let Some(h) = comprehension_habit(src, pos, line_end, innermost) {
        return Some(h);
    }
    if found == '(' && statement.trim_end() == "for" {
        let inside = &src[pos + 1..line_end];
        let names = inside[..inside.find(')').unwrap_or(inside.len())].trim();
        return Some(habit(
            "unpack in `for` with a list pattern, not parentheses",
            Span::new(pos, pos + 1),
            "Python's tuple",
            format!("write `for [{names}] in ...`"),
        ));
    }
    if found == ',' && matches!(innermost, None | Some('{')) {
        return Some(habit(
            "there are no tuples",
            Span::new(pos, pos + 1),
            "a comma outside brackets",
            tuple_help(statement, &src[pos..line_end]),
        ));
    }
    None
}

/// Python's generator expressions, set comprehensions and `a if c else b`,
/// at a failure on the word `for` or `if`.
fn comprehension_habit(
    src: &str,
    pos: usize,
    line_end: usize,
    innermost: Option<char>,
) -> Option<SyntaxError> {
    let word = word_at(src, pos);
    let span = Span::new(pos, pos + word.len());
    let line_start = src[..pos].rfind('\n').map_or(0, |i| i + 1);
    // `x = a if c else b` fails at the `else` (an `if` statement with no
    // braces): an `if` earlier on the line with no `{` after it.
    let before = &src[line_start..pos];
    let if_without_brace = before.rfind("if ").is_some_and(|i| {
        let word_start = !before[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        word_start && !before[i..].contains('{')
    });
    match (word, innermost) {
        ("else", _) if if_without_brace => Some(conditional(span)),
        ("for", Some('(')) => Some(habit(
            "there are no generator expressions",
            span,
            "a comprehension in parentheses",
            "make a list with brackets: `sum([x * x for x in xs])`".into(),
        )),
        ("for", Some('{')) => Some(habit(
            "there are no sets, so no set comprehensions",
            span,
            "a comprehension without `key: value`",
            "a map comprehension is `{k: v for ...}`; for distinct items use a map's keys: \
             `{x: true for x in xs}`"
                .into(),
        )),
        ("if", _) if src[pos..line_end].contains("else") => Some(conditional(span)),
        _ => None,
    }
}

fn conditional(span: Span) -> SyntaxError {
    habit(
        "`a if c else b` is written `if c { a } else { b }`",
        span,
        "Python's conditional expression",
        "write `if c { a } else { b }` (in a comprehension too: \
         `[if x > 0 { x } else { 0 } for x in xs]`)"
            .into(),
    )
}

/// What to write instead of a tuple: `statement` is the statement up to
/// the comma, `rest` the line from it.
fn tuple_help(statement: &str, rest: &str) -> String {
    if statement.starts_with("return") {
        return "return a list instead: `return [a, b]`, and unpack it with `let [a, b] = f()`"
            .into();
    }
    let (is_let, first) = match statement.strip_prefix("let ") {
        Some(name) => (true, name.trim()),
        None => (false, statement.trim()),
    };
    if statement.starts_with("for ") {
        return "`for` takes one name, a pair (`for k, v in`) or a list pattern: \
                `for [a, b, c] in ...`"
            .into();
    }
    // `a, b = b, a` or `let a, b = f()`: the same with brackets.
    let assign = rest
        .find('=')
        .filter(|&i| !rest[i + 1..].starts_with('=') && !rest[..i].ends_with(['!', '<', '>', '=']));
    let Some(eq) = assign else {
        return "to group values use a list `[a, b]`".into();
    };
    let names = format!("{first}{}", rest[..eq].trim_end());
    let value = rest[eq + 1..].trim();
    let value = if operand(value).len() < value.len() {
        format!("[{value}]")
    } else {
        value.to_string()
    };
    let let_ = if is_let { "let " } else { "" };
    format!("unpack into a list of names: `{let_}[{names}] = {value}`")
}

#[cfg(test)]
mod tests {
    /// Inputs that reach each habit's text handling, with a character of
    /// every UTF-8 width put at every position: a syntax error or a
    /// program, never a panic on a byte index inside a character (the
    /// fuzzer found `f(1 \u{feff}=2)`: a named-argument habit sliced
    /// the BOM in half).
    #[test]
    fn habits_never_slice_inside_a_character() {
        let snippets = [
            "f(1 =2)",
            "f(b=2, c = 3)",
            "let x = lambda y: y",
            "if a is not b { }",
            "x = 'single'",
            "a, b = b, a",
            "for (k, v) in m { }",
            "try { } except e { }",
            "async with x { }",
            "[x for x in xs if x]",
            "{x for x in xs}",
            "print(a if c else b)",
            "let m = {a: 1,}",
            "raise ValueError(\"m\")",
            "raise X",
            "async def f(x) { }",
        ];
        for snippet in snippets {
            for wide in ['\u{e9}', '\u{ab}', '\u{feff}', '\u{1f600}'] {
                for at in (0..=snippet.len()).filter(|&i| snippet.is_char_boundary(i)) {
                    let text = format!("{}{wide}{}\n", &snippet[..at], &snippet[at..]);
                    let _ = crate::syntax::parse_program(&text);
                }
            }
        }
    }
}
