//! Builds the AST from pest's parse tree.

use super::ast::*;
use super::depth;
use super::error::{self, SyntaxError};
use super::habits;
use super::lex;
use pest::iterators::Pair;
use pest::Parser;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/tasks.pest"]
pub(crate) struct TasksParser;

type P<'a> = Pair<'a, Rule>;
type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses a whole source file, one statement at a time: pest keeps every
/// token of what it parses in one queue until the tree is built, so
/// parsing the file at once took about 60 bytes per source byte (issue
/// 16). The grammar skips the inside of every block; each block's
/// statements are read one at a time when the block is built (`block`),
/// so memory follows the largest statement outside blocks, and no mistake
/// inside a block makes pest re-read the statement around it.
pub fn parse_program(src: &str) -> Result<Program> {
    error::check_source(src)?;
    let _session = Session;
    match items(src, 0, 0, Rule::top_stmt) {
        Ok((stmts, _)) => match FIRST_ERROR.take() {
            Some(e) => Err(e),
            None => Ok(Program { stmts }),
        },
        Err(e) => Err(match FAILED.take() {
            Some(failure) => parse_error(src, failure),
            None => e,
        }),
    }
}

/// Where pest found a mistake: the statements of that level (the file, or
/// one block) from some statement on do not parse.
struct Failure {
    /// Where its level is re-read from, and the rule that reads a statement
    /// there (`top_stmt` or `body_stmt`); `None` when `first` is the error
    /// to word as it is.
    reread: Option<(usize, Rule)>,
    /// pest's own error for the failing statement, positions in the file.
    first: pest::error::Error<Rule>,
}

/// Reads the statements of `text` (the file from `base` on) from `pos`
/// on, one at a time, to the end of the file (`top_stmt`) or to the `}`
/// that closes a block (`body_stmt`). Returns them and the position after
/// that end, in `text`.
///
/// A mistake found while building (`FIRST_ERROR`) is reported only if the
/// whole file parses, as when the file was parsed at once: after it,
/// statements are still parsed, blocks included, but no longer built. A
/// syntax error ends the parse at once: it is recorded in `FAILED` and
/// returned through every level.
fn items(text: &str, base: usize, mut pos: usize, rule: Rule) -> Result<(Vec<Stmt>, usize)> {
    let mut stmts = Vec::new();
    let mut open: Option<Simple> = None;
    // Where each statement read so far ends (to re-parse near a failure).
    let mut ends = vec![pos];
    loop {
        let p = match TasksParser::parse(rule, &text[pos..]) {
            Ok(mut pairs) => pairs.next().expect("a statement or the end"),
            Err(e) => return Err(fail(base, &ends, pos, rule, e)),
        };
        let end = pos + p.as_span().end();
        if matches!(p.as_rule(), Rule::EOI | Rule::rbrace) {
            return Ok((exact(stmts), end));
        }
        let _base = Base::enter(base + pos);
        let end = if p.as_rule() == Rule::block {
            block_or_map(p, text, base, pos, &mut open, &mut stmts)?
        } else {
            add_stmt(p, text, base, &mut open, &mut stmts)?;
            end
        };
        ends.push(end);
        pos = end;
    }
}

/// A statement that starts with `{` (at `pos` in `text`): a block if its
/// statements parse, else a map (`{"a": 1}` typed into the REPL), as
/// pest's ordered choice had it when blocks were parsed in place. Adds
/// it; returns where it ends. When neither parses, the error is the
/// block's (see below). Each level tries the map at most once, so nested
/// blocks stay linear (the map is read as an expression, with no block
/// inside it read twice).
fn block_or_map<'a>(
    p: P<'a>,
    text: &'a str,
    base: usize,
    pos: usize,
    open: &mut Option<Simple<'a>>,
    stmts: &mut Vec<Stmt>,
) -> Result<usize> {
    let end = pos + p.as_span().end();
    let (was_open, was_first, was_len) = (
        open.clone(),
        FIRST_ERROR.with(|f| f.borrow().clone()),
        stmts.len(),
    );
    let Err(e) = add_stmt(p, text, base, open, stmts) else {
        return Ok(end);
    };
    let Some(as_block) = FAILED.take() else {
        return Err(e);
    };
    let as_map = match TasksParser::parse(Rule::expr_first, &text[pos..]) {
        Ok(mut pairs) => pairs.next().expect("a statement"),
        Err(map_error) => {
            // The block's own error, unless its statements stopped at a
            // `:` the map read past (`{"a": 1 "b": 2}` is a broken map). A
            // map's error is no guide otherwise: it skipped the blocks
            // inside it, whose mistake the block's error points at.
            let map_error = shifted(map_error, base + pos);
            let block_at = error_at(&as_block.first);
            let meant_map =
                text[block_at - base..].starts_with(':') && error_at(&map_error) > block_at;
            FAILED.set(Some(if meant_map {
                Failure {
                    reread: None,
                    first: map_error,
                }
            } else {
                as_block
            }));
            return Err(e);
        }
    };
    *open = was_open;
    FIRST_ERROR.set(was_first);
    stmts.truncate(was_len);
    let end = pos + as_map.as_span().end();
    add_stmt(as_map, text, base, open, stmts)?;
    Ok(end)
}

/// Adds the statement `p` (of `text`, the file from `base` on) to
/// `stmts`: built, or after a mistake (`FIRST_ERROR`) only checked.
fn add_stmt<'a>(
    p: P<'a>,
    text: &'a str,
    base: usize,
    open: &mut Option<Simple<'a>>,
    stmts: &mut Vec<Stmt>,
) -> Result<()> {
    if FIRST_ERROR.with(|f| f.borrow().is_some()) {
        return check_blocks(p);
    }
    let whole = p.clone();
    let gap = match open {
        Some(prev) => &text[prev.span.end as usize - base..span(&p).start as usize - base],
        None => "",
    };
    if let Err(e) = push_stmt(p, gap, open, stmts) {
        if FAILED.with(|f| f.borrow().is_some()) {
            return Err(e);
        }
        // A mistake inside one of its blocks came first.
        FIRST_ERROR.with(|f| {
            f.borrow_mut().get_or_insert(e);
        });
        check_blocks(whole)?;
    }
    Ok(())
}

/// A block this short is parsed in one call of pest, not one per
/// statement: each call sets up pest's state and a line index, which
/// costs more than holding the tokens of a few statements at once (3% of
/// `tasks check` on 7.7 MB of small functions with nested blocks).
const WHOLE_BLOCK: usize = 2048;

/// The statements of a short block (from `start`, after its `{` in
/// `text`, the file from `base` on, to `end`, after its `}`), read at once;
/// `None` when they do not parse or end elsewhere (`items` then finds the
/// mistake).
fn whole_block(text: &str, base: usize, start: usize, end: usize) -> Result<Option<Vec<Stmt>>> {
    let Ok(pairs) = TasksParser::parse(Rule::block_stmts, &text[start..]) else {
        return Ok(None);
    };
    if pairs.clone().last().map(|p| start + p.as_span().end()) != Some(end) {
        return Ok(None);
    }
    // A `{` that starts a statement may be a map after all (`block_or_map`).
    if pairs.clone().any(|p| p.as_rule() == Rule::block) {
        return Ok(None);
    }
    let _base = Base::enter(base + start);
    let mut stmts = Vec::new();
    let mut open: Option<Simple> = None;
    for p in pairs.filter(|p| p.as_rule() != Rule::rbrace) {
        add_stmt(p, text, base, &mut open, &mut stmts)?;
    }
    Ok(Some(exact(stmts)))
}

/// Before a mistake pest found at `until` is reported, the blocks between
/// `pos` and it are read: one of them may hold an earlier mistake
/// (`spawn(async {` then `x = =` typed into the REPL, the `)` still to
/// come), which is the one to report, as when blocks were parsed in place.
/// Only blocks that cannot be maps are read: after `async`, or after the
/// parameters of `fn`. `Err` when one of them does not parse.
fn blocks_before(src: &str, pos: usize, until: usize) -> Result<()> {
    let code = &src[pos..until];
    // The last word read, whether the last `)` closed the parameters of
    // `fn`, and for each open `(`: whether `fn` (or `fn name`) came before.
    let (mut word, mut fn_params, mut parens) = ("", false, Vec::new());
    let (mut word_start, mut prev_word) = (None, "");
    let mut skip_to = 0;
    for b in lex::Scanner::new(code) {
        if b.at < skip_to {
            continue;
        }
        let c = b.byte;
        if c.is_ascii_alphanumeric() || c == b'_' {
            word_start.get_or_insert(b.at);
            continue;
        }
        if let Some(w) = word_start.take() {
            prev_word = word;
            word = &code[w..b.at];
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        match c {
            b'(' => parens.push(word == "fn" || prev_word == "fn"),
            b')' => fn_params = parens.pop().unwrap_or(false),
            b'{' if word == "async" || fn_params => {
                let at = pos + b.at;
                if let Ok(mut pairs) = TasksParser::parse(Rule::block, &src[at..]) {
                    let p = pairs.next().expect("a block");
                    skip_to = b.at + p.as_span().end();
                    let _base = Base::enter(at);
                    check_blocks(p)?;
                }
            }
            _ => {}
        }
        word = "";
        prev_word = "";
        fn_params = fn_params && c == b')';
    }
    Ok(())
}

/// Records a syntax error at one level: the statement at `pos` of `text`
/// does not parse.
fn fail(
    base: usize,
    ends: &[usize],
    pos: usize,
    rule: Rule,
    first: pest::error::Error<Rule>,
) -> SyntaxError {
    let shift = base + pos;
    FAILED.set(Some(Failure {
        reread: Some((base + ends[ends.len().saturating_sub(3)], rule)),
        first: shifted(first, shift),
    }));
    // Replaced by `parse_program`, which words the error from the whole file.
    SyntaxError::new("syntax error", Span::new(shift, shift), "")
}

/// Where pest's error is (its start, for a span).
fn error_at(e: &pest::error::Error<Rule>) -> usize {
    match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((a, _)) => a,
    }
}

/// pest's error for a parse of the file from `shift` on, with positions
/// in the file.
fn shifted(mut e: pest::error::Error<Rule>, shift: usize) -> pest::error::Error<Rule> {
    use pest::error::InputLocation;
    e.location = match e.location {
        InputLocation::Pos(p) => InputLocation::Pos(shift + p),
        InputLocation::Span((a, b)) => InputLocation::Span((shift + a, shift + b)),
    };
    e
}

/// Parses the blocks of a statement that is not built (after a mistake),
/// for a syntax error in them.
fn check_blocks(p: P) -> Result<()> {
    let outer = std::iter::once(p.clone());
    for inner in outer.chain(p.into_inner().flatten()) {
        if inner.as_rule() == Rule::block {
            block(inner)?;
        }
    }
    Ok(())
}

/// The error for a statement that does not parse, worded as if the whole
/// file had been parsed at once. pest words it from the rules it tried at
/// the furthest position it reached, and the statement before the failing
/// one may have tried some there too (a `(`, an operator or `else` after
/// its last token), so its level (the file, or the block) is re-parsed
/// from two statements before the failure: no statement's attempts reach
/// past the first token of the next, nor into a block.
fn parse_error(src: &str, failure: Failure) -> SyntaxError {
    let Failure { reread, first } = failure;
    let Some((from, rule)) = reread else {
        return error::from_pest(src, first);
    };
    let whole = match rule {
        Rule::top_stmt => Rule::program,
        _ => Rule::block_rest,
    };
    let e = match TasksParser::parse(whole, &src[from..]) {
        Err(e) => shifted(e, from),
        // The level parses from there, though one statement did not: say
        // what that statement's own parse says.
        Ok(_) => first,
    };
    if blocks_before(src, from, error_at(&e)).is_err() {
        if let Some(earlier) = FAILED.take() {
            return parse_error(src, earlier);
        }
    }
    error::from_pest(src, e)
}

thread_local! {
    /// The first mistake found while building the tree (see `items`).
    static FIRST_ERROR: RefCell<Option<SyntaxError>> = const { RefCell::new(None) };
    /// The syntax error that ends the parse (see `items`).
    static FAILED: RefCell<Option<Failure>> = const { RefCell::new(None) };
    /// Where the slice pest parsed starts in the source: pest's positions
    /// are relative to it, the tree's spans are not.
    static BASE: Cell<usize> = const { Cell::new(0) };
    /// The names and strings of the file being parsed, each allocated once:
    /// a name is shared by every place it occurs (32 bytes saved each).
    static NAMES: RefCell<foldhash::HashSet<Rc<str>>> = RefCell::new(Default::default());
}

fn base() -> usize {
    BASE.with(Cell::get)
}

/// The one shared copy of `text` in this parse.
fn intern(text: &str) -> Rc<str> {
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some(known) = names.get(text) {
            return known.clone();
        }
        let new: Rc<str> = Rc::from(text);
        names.insert(new.clone());
        new
    })
}

/// One parse of a file: the names it interned are let go at its end.
struct Session;

impl Drop for Session {
    fn drop(&mut self) {
        NAMES.with(|names| std::mem::take(&mut *names.borrow_mut()));
        FIRST_ERROR.take();
        FAILED.take();
    }
}

/// Sets the base for the pairs of one statement; back to the enclosing
/// statement's when dropped (a block's statements are read while the
/// statement around it is built), so a parse that fails half-way leaves no
/// stale offset.
struct Base(usize);

impl Base {
    fn enter(at: usize) -> Base {
        Base(BASE.with(|b| b.replace(at)))
    }
}

impl Drop for Base {
    fn drop(&mut self) {
        BASE.with(|b| b.set(self.0));
    }
}

/// `v` without spare capacity: the tree lives until the program is
/// compiled, and a vector grown by pushing starts at four items (a call
/// with one argument kept room for four).
fn exact<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

/// The last simple statement (all but the ones that end in a block) not
/// yet ended by `;`: the next statement must start on another line.
#[derive(Clone)]
struct Simple<'a> {
    rule: Rule,
    /// Its source text, without trailing whitespace.
    text: &'a str,
    span: Span,
}

/// Adds the statement `p` to `out`. `gap` is the source between the open
/// simple statement, if any, and `p`: without a line break in it, `print
/// "hello"` is a mistake, not two statements.
fn push_stmt<'a>(
    p: P<'a>,
    gap: &str,
    open: &mut Option<Simple<'a>>,
    out: &mut Vec<Stmt>,
) -> Result<()> {
    if p.as_rule() == Rule::semi {
        *open = None;
        return Ok(());
    }
    if let Some(prev) = open.take() {
        if !gap.contains('\n') {
            return Err(missing_semicolon(&prev, &p));
        }
    }
    if is_simple(p.as_rule()) {
        *open = Some(Simple {
            rule: p.as_rule(),
            text: p.as_str().trim_end(),
            span: span(&p),
        });
    }
    out.extend(stmt(p)?);
    Ok(())
}

fn is_simple(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::let_stmt
            | Rule::expr_stmt
            | Rule::return_stmt
            | Rule::break_stmt
            | Rule::continue_stmt
            | Rule::throw_stmt
    )
}

/// `prev next` on one line: names the call that was probably meant when
/// `prev` is a bare name (`print "hello"` for `print("hello")`).
fn missing_semicolon(prev: &Simple, next: &P) -> SyntaxError {
    let at = span(next);
    let mut e = SyntaxError::new(
        "two statements on one line need a `;` between them",
        at,
        "a second statement starts here",
    );
    let name = prev.text;
    let is_word = name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if prev.rule == Rule::expr_stmt && is_word {
        let line_end = next.as_span().get_input()[next.as_span().start()..]
            .find('\n')
            .map_or(next.as_span().get_input().len(), |i| {
                next.as_span().start() + i
            });
        let rest = &next.as_span().get_input()[next.as_span().start()..line_end];
        if let Some(h) = habits::bare_word(name, prev.span, rest) {
            return h;
        }
    }
    let bare_name = prev.rule == Rule::expr_stmt && is_word && next.as_rule() == Rule::expr_stmt;
    e.help = Some(if bare_name {
        let args = next.as_str().trim_end();
        format!("to call `{name}`, put its arguments in parentheses: `{name}({args})`")
    } else {
        "end the first statement with `;`, or start the second on a new line".into()
    });
    e
}

/// A pair's span in the source, without the whitespace a trailing
/// repetition swallows.
fn span(p: &P) -> Span {
    let start = base() + p.as_span().start();
    let trimmed = p.as_str().trim_end().len();
    Span::new(start, start + trimmed)
}

fn ident(p: P) -> Ident {
    Ident {
        name: intern(p.as_str()),
        span: span(&p),
    }
}

/// A block: its statements are read here, one at a time (the grammar
/// skipped them).
fn block(p: P) -> Result<Block> {
    let sp = span(&p);
    let text = p.as_span().get_input();
    let start = p.as_span().start() + 1;
    if p.as_span().end() - start <= WHOLE_BLOCK {
        if let Some(stmts) = whole_block(text, base(), start, p.as_span().end())? {
            return Ok(Block { stmts, span: sp });
        }
    }
    let (stmts, end) = items(text, base(), start, Rule::body_stmt)?;
    if end != p.as_span().end() {
        // The grammar's skip and the statements disagree on where the block
        // ends: a bug, reported rather than a program read wrongly.
        return Err(SyntaxError::new(
            "this block could not be read (a bug in tasks: please report it)",
            Span::new(sp.start as usize, sp.start as usize + 1),
            "this block",
        ));
    }
    Ok(Block { stmts, span: sp })
}

fn stmt(p: P) -> Result<Option<Stmt>> {
    let sp = span(&p);
    let _depth = depth::enter(1, sp)?;
    let sp_input = p.as_span().get_input();
    let rule = p.as_rule();
    let whole = (rule == Rule::block).then(|| p.clone());
    let mut inner = p.into_inner();
    let kind = match rule {
        Rule::semi => return Ok(None),
        Rule::let_stmt => {
            inner.next(); // kw
            let target = inner.next().unwrap();
            let value = inner.next().map(expr).transpose()?;
            if target.as_rule() == Rule::ident {
                StmtKind::Let {
                    name: ident(target),
                    value,
                }
            } else {
                let pattern = pattern(target)?;
                let Some(value) = value else {
                    let mut e = SyntaxError::new(
                        "unpacking needs a value",
                        sp,
                        "nothing to unpack into these names",
                    );
                    e.help = Some("write `let [a, b] = pair`".into());
                    return Err(e);
                };
                StmtKind::LetUnpack { pattern, value }
            }
        }
        Rule::fn_decl | Rule::async_fn_decl => {
            let is_async = rule == Rule::async_fn_decl;
            let mut parts = inner.filter(|p| !matches!(p.as_rule(), Rule::kw_fn | Rule::kw_async));
            let name = ident(parts.next().unwrap());
            let params = params(parts.next().unwrap())?;
            let body = block(parts.next().unwrap())?;
            StmtKind::Fn(Rc::new(FnDef {
                name: Some(name),
                params,
                body,
                is_async,
                span: sp,
            }))
        }
        Rule::struct_decl => {
            inner.next(); // kw
            let name = ident(inner.next().unwrap());
            let mut fields = Vec::new();
            let mut methods = Vec::new();
            for part in inner {
                match part.as_rule() {
                    Rule::param => fields.push(param(part)?),
                    Rule::semi => {}
                    _ => {
                        if let Some(Stmt {
                            kind: StmtKind::Fn(def),
                            ..
                        }) = stmt(part)?
                        {
                            methods.push(def);
                        }
                    }
                }
            }
            StmtKind::Struct(Rc::new(StructDef {
                name,
                fields,
                methods,
                span: sp,
            }))
        }
        Rule::import_stmt => {
            inner.next(); // kw
            let path = inner.next().unwrap();
            let path_span = span(&path);
            let text = string_body(path)?;
            inner.next(); // as
            StmtKind::Import {
                path: Rc::from(text.as_str()),
                path_span,
                alias: ident(inner.next().unwrap()),
            }
        }
        Rule::if_stmt => {
            inner.next();
            let cond = expr(inner.next().unwrap())?;
            let then = block(inner.next().unwrap())?;
            let mut else_ifs = Vec::new();
            let mut otherwise = None;
            for part in inner {
                match part.as_rule() {
                    Rule::else_if => else_ifs.push(part),
                    Rule::block => {
                        let b = block(part)?;
                        let span = b.span;
                        otherwise = Some(Box::new(Stmt {
                            kind: StmtKind::Block(b),
                            span,
                        }));
                    }
                    _ => {}
                }
            }
            // Each `else if` is an `if` nested in the `else` of the one before.
            let _depth = depth::enter(else_ifs.len(), sp)?;
            let mut links = Vec::with_capacity(else_ifs.len());
            for e in else_ifs {
                let mut parts = e.into_inner().skip(1);
                let start = span(&parts.next().unwrap()).start as usize;
                let cond = expr(parts.next().unwrap())?;
                links.push((start, cond, block(parts.next().unwrap())?));
            }
            for (start, cond, then) in links.into_iter().rev() {
                otherwise = Some(Box::new(Stmt {
                    kind: StmtKind::If {
                        cond,
                        then,
                        otherwise,
                    },
                    span: Span::new(start, sp.end as usize),
                }));
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            }
        }
        Rule::while_stmt => {
            inner.next();
            let cond = expr(inner.next().unwrap())?;
            StmtKind::While {
                cond,
                body: block(inner.next().unwrap())?,
            }
        }
        Rule::for_stmt => {
            inner.next();
            let awaits = inner.peek().is_some_and(|p| p.as_rule() == Rule::kw_await);
            if awaits {
                inner.next();
            }
            let target = for_target(inner.next().unwrap())?;
            inner.next(); // `in`
            let iter = expr(inner.next().unwrap())?;
            StmtKind::For {
                target,
                iter,
                body: block(inner.next().unwrap())?,
                awaits,
            }
        }
        Rule::try_stmt => {
            inner.next();
            let body = block(inner.next().unwrap())?;
            let mut catches = Vec::new();
            let mut finally = None;
            for part in inner {
                match part.as_rule() {
                    Rule::catch_clause => catches.push(catch_clause(part)?),
                    Rule::finally_clause => {
                        finally = Some(block(part.into_inner().nth(1).unwrap())?)
                    }
                    _ => unreachable!(),
                }
            }
            if catches.is_empty() && finally.is_none() {
                let after = &sp_input[body.span.end as usize - base()..];
                let at = body.span.end as usize + (after.len() - after.trim_start().len());
                if after.trim_start().starts_with("except") {
                    return Err(habits::bare_word("except", Span::new(at, at + 6), "").unwrap());
                }
                return Err(SyntaxError::new(
                    "a `try` needs a `catch` or a `finally`",
                    Span::new(body.span.end as usize, body.span.end as usize),
                    "expected `catch` or `finally` here",
                ));
            }
            StmtKind::Try {
                body,
                catches,
                finally,
            }
        }
        Rule::return_stmt => {
            inner.next();
            StmtKind::Return(inner.next().map(expr).transpose()?)
        }
        Rule::break_stmt => StmtKind::Break,
        Rule::continue_stmt => StmtKind::Continue,
        Rule::throw_stmt => {
            inner.next();
            StmtKind::Throw(expr(inner.next().unwrap())?)
        }
        Rule::group_stmt => {
            let mut name = None;
            let mut next = inner.next().unwrap();
            if next.as_rule() == Rule::kw_as {
                name = Some(ident(inner.next().unwrap()));
                next = inner.next().unwrap();
            }
            StmtKind::Group {
                name,
                body: block(next)?,
            }
        }
        Rule::with_stmt => StmtKind::With {
            scope: {
                inner.next();
                expr(inner.next().unwrap())?
            },
            body: block(inner.next().unwrap())?,
        },
        Rule::block => StmtKind::Block(block(whole.expect("kept for a block"))?),
        // One rule for both, so that a statement is parsed once: trying an
        // assignment first and re-parsing on failure doubled the work at
        // every level of nested callbacks.
        Rule::expr_stmt => {
            let first = inner.next().unwrap();
            if let (Some(list), Some(op)) = (sole_list(&first), inner.peek()) {
                // `[a, *rest] = xs`: read as a pattern, where `*` is allowed.
                if op.as_str() != "=" {
                    return Err(compound_unpack(&op));
                }
                inner.next(); // `=`
                return Ok(Some(Stmt {
                    kind: StmtKind::AssignUnpack {
                        pattern: target_list(list)?,
                        value: expr(inner.next().unwrap())?,
                    },
                    span: sp,
                }));
            }
            let target = expr(first)?;
            let Some(op) = inner.next() else {
                return Ok(Some(Stmt {
                    kind: StmtKind::Expr(target),
                    span: sp,
                }));
            };
            if let ExprKind::Slice { .. } = target.kind {
                let mut e = SyntaxError::new(
                    "a slice cannot be assigned",
                    target.span,
                    "a slice makes a new list",
                );
                e.help = Some(
                    "assign items by index (`xs[i] = v`), or build the new list: \
                     `xs = xs[:i] + new + xs[j:]`"
                        .into(),
                );
                return Err(e);
            }
            if !matches!(
                target.kind,
                ExprKind::Var(_) | ExprKind::Index { .. } | ExprKind::Field { .. }
            ) {
                return Err(SyntaxError::new(
                    "cannot assign to this expression",
                    target.span,
                    "only a variable, an index like `xs[0]` or a field like `job.name` can be assigned",
                ));
            }
            let op = match op.as_str() {
                "=" => AssignOp::Set,
                "+=" => AssignOp::Add,
                "-=" => AssignOp::Sub,
                "*=" => AssignOp::Mul,
                "/=" => AssignOp::Div,
                "//=" => AssignOp::FloorDiv,
                _ => AssignOp::Mod,
            };
            StmtKind::Assign {
                target,
                op,
                value: expr(inner.next().unwrap())?,
            }
        }
        r => unreachable!("statement rule {r:?}"),
    };
    Ok(Some(Stmt { kind, span: sp }))
}

/// A `list_pattern` or a name, as `let` and `for` declare them.
fn pattern(p: P) -> Result<Pattern> {
    match p.as_rule() {
        Rule::ident => return Ok(Pattern::Name(ident(p))),
        Rule::star_pattern => {
            let name = ident(p.into_inner().next().unwrap());
            return Ok(Pattern::Star(Box::new(Pattern::Name(name))));
        }
        _ => {}
    }
    let sp = span(&p);
    let items = p
        .into_inner()
        .map(|item| Ok((span(&item), pattern(item)?)))
        .collect::<Result<_>>()?;
    list_pattern(items, sp)
}

/// A list of patterns, each with its span, once it is checked that at
/// most one of them is starred (CPython: "multiple starred expressions in
/// assignment"): which items would the second one take?
fn list_pattern(items: Vec<(Span, Pattern)>, sp: Span) -> Result<Pattern> {
    let mut stars = items.iter().filter(|(_, p)| matches!(p, Pattern::Star(_)));
    if let (Some(_), Some((second, _))) = (stars.next(), stars.next()) {
        let mut e = SyntaxError::new(
            "multiple starred names in one pattern",
            *second,
            "a second `*` in this list",
        );
        e.help = Some(
            "a list takes one `*name`, which gets the items the other names leave: \
             `[first, *rest]`"
                .into(),
        );
        return Err(e);
    }
    let items = items.into_iter().map(|(_, p)| p).collect();
    Ok(Pattern::List(exact(items), sp))
}

/// `x`, `k, v` (a pair) or `[k, v]` after `for`.
fn for_target(p: P) -> Result<Pattern> {
    let sp = span(&p);
    let mut parts: Vec<P> = p.into_inner().collect();
    if parts.len() == 1 {
        return pattern(parts.pop().unwrap());
    }
    let items = parts.into_iter().map(pattern).collect::<Result<_>>()?;
    Ok(Pattern::List(exact(items), sp))
}

/// `for x in xs if c ...` after a comprehension's item.
fn comp_clauses(p: P) -> Result<Vec<CompClause>> {
    let mut out = Vec::new();
    for clause in p.into_inner() {
        let rule = clause.as_rule();
        let mut parts = clause.into_inner().skip(1); // the keyword
        out.push(if rule == Rule::comp_for {
            let target = for_target(parts.next().unwrap())?;
            parts.next(); // `in`
            CompClause::For {
                target,
                iter: expr(parts.next().unwrap())?,
            }
        } else {
            CompClause::If(expr(parts.next().unwrap())?)
        });
    }
    Ok(exact(out))
}

/// `[*xs, 1]` in an expression: Python's spread, which does not exist
/// here (the grammar reads it for `[first, *rest] = xs`).
fn star_in_list(sp: Span) -> SyntaxError {
    let mut e = SyntaxError::new("there is no `*` spread in a list", sp, "Python's `*xs`");
    e.help = Some(
        "join lists with `+`: `xs + [1]`; `*name` only collects items when unpacking, \
         as in `let [first, *rest] = xs`"
            .into(),
    );
    e
}

/// The list literal an `expr` pair is, if it is nothing more (`[a, b]`,
/// not `[a, b][0]`): the left side of an unpacking assignment.
fn sole_list<'a>(p: &P<'a>) -> Option<P<'a>> {
    let mut inner = p.clone().into_inner();
    match (inner.next(), inner.next()) {
        (Some(list), None) if list.as_rule() == Rule::list_lit => Some(list),
        _ => None,
    }
}

fn compound_unpack(op: &P) -> SyntaxError {
    SyntaxError::new(
        format!("`{}` cannot unpack", op.as_str()),
        span(op),
        "only `=` assigns to a list of names",
    )
}

fn cannot_unpack_into(sp: Span) -> SyntaxError {
    SyntaxError::new(
        "cannot assign to this expression",
        sp,
        "only a variable, an index, a field or a list of them can be unpacked into",
    )
}

/// The left side of `[a, xs[0], *rest, [b, c]] = value`, a `list_lit`:
/// each item a variable, an index, a field, such a list again, or one
/// `*` with a variable, an index or a field.
fn target_list(p: P) -> Result<Pattern> {
    let sp = span(&p);
    let _depth = depth::enter(1, sp)?;
    let mut items = Vec::new();
    for part in p.into_inner() {
        let item_span = span(&part);
        let item = match part.as_rule() {
            Rule::star_item => match target(part.into_inner().next().unwrap())? {
                Pattern::List(..) => {
                    return Err(SyntaxError::new(
                        "cannot assign to this expression",
                        item_span,
                        "a `*` takes a variable, an index or a field",
                    ))
                }
                place => Pattern::Star(Box::new(place)),
            },
            Rule::expr => target(part)?,
            // A comprehension.
            _ => return Err(cannot_unpack_into(sp)),
        };
        items.push((item_span, item));
    }
    if items.is_empty() {
        return Err(cannot_unpack_into(sp));
    }
    list_pattern(items, sp)
}

/// One item of an unpacking assignment's left side (an `expr` pair).
fn target(p: P) -> Result<Pattern> {
    if let Some(list) = sole_list(&p) {
        return target_list(list);
    }
    let e = expr(p)?;
    match e.kind {
        ExprKind::Var(name) => Ok(Pattern::Name(name)),
        ExprKind::Index { .. } | ExprKind::Field { .. } => Ok(Pattern::Place(e)),
        _ => Err(cannot_unpack_into(e.span)),
    }
}

fn catch_clause(p: P) -> Result<CatchClause> {
    let sp = span(&p);
    let mut binding = None;
    let mut kinds = Vec::new();
    let mut body = None;
    for part in p.into_inner() {
        match part.as_rule() {
            Rule::ident => binding = Some(ident(part)),
            Rule::catch_kinds => kinds = part.into_inner().map(ident).collect(),
            Rule::block => body = Some(block(part)?),
            _ => {}
        }
    }
    Ok(CatchClause {
        binding,
        kinds,
        body: body.expect("catch body"),
        span: sp,
    })
}

fn params(p: P) -> Result<Vec<Param>> {
    p.into_inner().map(param).collect::<Result<_>>().map(exact)
}

fn param(p: P) -> Result<Param> {
    let mut inner = p.into_inner();
    let name = ident(inner.next().unwrap());
    let default = inner.next().map(expr).transpose()?;
    Ok(Param { name, default })
}

fn expr(p: P) -> Result<Expr> {
    debug_assert_eq!(p.as_rule(), Rule::expr);
    sequence(p.into_inner())
}

/// An operand followed by the operator tails that apply to it, innermost
/// level first (the grammar keeps each precedence level flat: `a * b + c`
/// is `a`, `* b`, `+ c`).
fn sequence<'a>(mut parts: impl Iterator<Item = P<'a>>) -> Result<Expr> {
    let mut e = operand(parts.next().expect("an operand"))?;
    for tail in parts {
        e = apply_tail(e, tail)?;
    }
    Ok(e)
}

/// The head of a sequence: a prefix operator and its operand, or a primary.
fn operand(p: P) -> Result<Expr> {
    let sp = span(&p);
    let rule = p.as_rule();
    if !matches!(rule, Rule::not_expr | Rule::unary | Rule::prefix) {
        return primary(p);
    }
    let _depth = depth::enter(1, sp)?;
    let mut inner = p.into_inner();
    let op = inner.next().expect("a prefix operator").as_rule();
    let operand = Box::new(sequence(inner)?);
    let kind = match op {
        Rule::kw_not => ExprKind::Not(operand),
        Rule::kw_await => ExprKind::Await(operand),
        Rule::kw_spawn => ExprKind::Spawn(operand),
        // Fold `-<literal>` so that i64::MIN is writable and constants stay constants.
        _ => match operand.kind {
            ExprKind::Int(n) => ExprKind::Int(n.wrapping_neg()),
            ExprKind::Float(f) => ExprKind::Float(-f),
            _ => ExprKind::Unary { operand },
        },
    };
    Ok(Expr { kind, span: sp })
}

fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_or | Rule::kw_and | Rule::cmp_op | Rule::add_op | Rule::mul_op | Rule::pow_op
    )
}

/// Applies one tail to `left`: calls, indexes and methods, or a run of
/// binary operators of one level (left-associative).
fn apply_tail(mut left: Expr, tail: P) -> Result<Expr> {
    let rule = tail.as_rule();
    if rule == Rule::postfix_ops {
        return postfix(left, tail);
    }
    if rule == Rule::pow_tail {
        return pow_tail(left, tail);
    }
    let ops = tail
        .clone()
        .into_inner()
        .filter(|p| is_operator(p.as_rule()));
    let _depth = depth::enter(ops.count(), span(&tail))?;
    let mut children = tail.into_inner().peekable();
    while let Some(op) = children.next() {
        let operand = std::iter::from_fn(|| children.next_if(|p| !is_operator(p.as_rule())));
        let right = sequence(operand)?;
        let span = Span {
            start: left.span.start,
            end: right.span.end,
        };
        let kind = match rule {
            Rule::or_tail => ExprKind::Or(Box::new(left), Box::new(right)),
            Rule::and_tail => ExprKind::And(Box::new(left), Box::new(right)),
            _ => ExprKind::Binary {
                op: binop(op.as_str()),
                left: Box::new(left),
                right: Box::new(right),
            },
        };
        left = Expr { kind, span };
    }
    Ok(left)
}

/// `left ** a ** -b ...`: the grammar reads the chain as a run (`**`,
/// minus signs, an operand, ...) so that pest does not recurse on it;
/// `**` is right-associative, so the run is folded from its end. Each
/// `**` and each minus is a level of depth, entered left to right as
/// when the chain nested in the grammar (the same error at the same
/// place when it is too deep).
fn pow_tail(left: Expr, tail: P) -> Result<Expr> {
    let mut guards = Vec::new();
    // Each right operand: its minus signs (their spans) and itself.
    let mut operands: Vec<(Vec<Span>, Expr)> = Vec::new();
    let mut negs = Vec::new();
    let mut children = tail.into_inner().peekable();
    while let Some(p) = children.next() {
        match p.as_rule() {
            Rule::pow_op => guards.push(depth::enter(1, span(&p))?),
            Rule::neg => {
                guards.push(depth::enter(1, span(&p))?);
                negs.push(span(&p));
            }
            _ => {
                let rest = std::iter::from_fn(|| {
                    children.next_if(|p| !matches!(p.as_rule(), Rule::pow_op | Rule::neg))
                });
                let operand = sequence(std::iter::once(p).chain(rest))?;
                operands.push((std::mem::take(&mut negs), operand));
            }
        }
    }
    let mut right: Option<Expr> = None;
    while let Some((negs, operand)) = operands.pop() {
        let mut e = match right.take() {
            None => operand,
            Some(r) => binary(BinOp::Pow, operand, r),
        };
        for at in negs.into_iter().rev() {
            let end = e.span.end as usize;
            e = negate(e, Span::new(at.start as usize, end));
        }
        right = Some(e);
    }
    let right = right.expect("an operand after `**`");
    Ok(binary(BinOp::Pow, left, right))
}

fn binary(op: BinOp, left: Expr, right: Expr) -> Expr {
    let span = Span {
        start: left.span.start,
        end: right.span.end,
    };
    let kind = ExprKind::Binary {
        op,
        left: Box::new(left),
        right: Box::new(right),
    };
    Expr { kind, span }
}

/// `-operand`, a literal folded as `operand` does it.
fn negate(operand: Expr, span: Span) -> Expr {
    let kind = match operand.kind {
        ExprKind::Int(n) => ExprKind::Int(n.wrapping_neg()),
        ExprKind::Float(f) => ExprKind::Float(-f),
        _ => ExprKind::Unary {
            operand: Box::new(operand),
        },
    };
    Expr { kind, span }
}

fn binop(s: &str) -> BinOp {
    match s {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "//" => BinOp::FloorDiv,
        "%" => BinOp::Mod,
        "**" => BinOp::Pow,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        // `not in`, with any whitespace between the two words.
        s if s.starts_with("not") => BinOp::NotIn,
        _ => BinOp::In,
    }
}

/// Calls, indexes and method calls applied to `e`, left to right.
fn postfix(mut e: Expr, ops: P) -> Result<Expr> {
    let start = e.span.start as usize;
    let inner = ops.into_inner();
    let _depth = depth::enter(inner.len(), e.span)?;
    for op in inner {
        let end = span(&op).end as usize;
        let sp = Span::new(start, end);
        e = match op.as_rule() {
            Rule::call_args => Expr {
                kind: ExprKind::Call {
                    callee: Box::new(e),
                    args: args(op)?,
                },
                span: sp,
            },
            Rule::index => index(e, op, sp)?,
            Rule::field => {
                let mut m = op.into_inner();
                let name = ident(m.next().unwrap());
                match m.next() {
                    Some(call) => method(e, name, call, sp)?,
                    None => Expr {
                        kind: ExprKind::Field {
                            target: Box::new(e),
                            name,
                        },
                        span: sp,
                    },
                }
            }
            r => unreachable!("postfix {r:?}"),
        };
    }
    Ok(e)
}

/// `receiver.name(args)`.
fn method(e: Expr, name: Ident, call: P, sp: Span) -> Result<Expr> {
    if matches!(&e.kind, ExprKind::Var(v) if &*v.name == "asyncio") {
        let inner = call.as_str().trim_end();
        let inner = &inner[1..inner.len() - 1];
        if let Some(h) = habits::asyncio_call(&name.name, sp, inner) {
            return Err(h);
        }
    }
    Ok(Expr {
        kind: ExprKind::Method {
            receiver: Box::new(e),
            name,
            args: args(call)?,
        },
        span: sp,
    })
}

/// `target[i]`, or a slice `target[start:stop:step]` with any part left out.
fn index(target: Expr, op: P, sp: Span) -> Result<Expr> {
    let mut parts = op.into_inner().peekable();
    let start = parts
        .next_if(|p| p.as_rule() == Rule::expr)
        .map(expr)
        .transpose()?;
    let Some(tail) = parts.next() else {
        let index = Box::new(start.expect("an index"));
        return Ok(Expr {
            kind: ExprKind::Index {
                target: Box::new(target),
                index,
            },
            span: sp,
        });
    };
    let (mut stop, mut step) = (None, None);
    for part in tail.into_inner() {
        let rule = part.as_rule();
        let value = part
            .into_inner()
            .next()
            .map(expr)
            .transpose()?
            .map(Box::new);
        match rule {
            Rule::slice_stop => stop = value,
            _ => step = value,
        }
    }
    Ok(Expr {
        kind: ExprKind::Slice {
            target: Box::new(target),
            start: start.map(Box::new),
            stop,
            step,
        },
        span: sp,
    })
}

/// `if c { a } else { b }` as a value. An `else if` chain is read as a
/// run (`if`, condition, value, then `else if`, condition, value, ...,
/// the last `else`'s value) and folded from its end: each `else if` is
/// an `if` expression nested in the `else` before it, from its `if` to
/// the end, and a level of depth, entered left to right.
fn if_expr(p: P) -> Result<Expr> {
    let end = span(&p).end as usize;
    let mut guards = Vec::new();
    let mut branches = Vec::new();
    let mut parts = p.into_inner().peekable();
    while let Some(kw_if) = parts.next_if(|p| p.as_rule() == Rule::kw_if) {
        let sp = Span::new(span(&kw_if).start as usize, end);
        guards.push(depth::enter(1, sp)?);
        let cond = expr(parts.next().unwrap())?;
        let then = expr(parts.next().unwrap())?;
        branches.push((sp, cond, then));
        parts.next_if(|p| p.as_rule() == Rule::kw_else);
    }
    let mut els = expr(parts.next().expect("the last `else`'s value"))?;
    while let Some((span, cond, then)) = branches.pop() {
        let kind = ExprKind::IfExpr {
            cond: Box::new(cond),
            then: Box::new(then),
            els: Box::new(els),
        };
        els = Expr { kind, span };
    }
    Ok(els)
}

fn args(p: P) -> Result<Vec<Arg>> {
    let mut out: Vec<Arg> = Vec::new();
    for a in p.into_inner() {
        let inner = a.into_inner().next().unwrap();
        if inner.as_rule() == Rule::named_arg {
            let mut n = inner.into_inner();
            let name = ident(n.next().unwrap());
            if out
                .iter()
                .any(|a| a.name.as_ref().is_some_and(|x| x.name == name.name))
            {
                return Err(SyntaxError::new(
                    format!("argument `{}` is given twice", name.name),
                    name.span,
                    "repeated here",
                ));
            }
            out.push(Arg {
                name: Some(name),
                value: expr(n.next().unwrap())?,
            });
        } else {
            let value = expr(inner)?;
            if out.iter().any(|a| a.name.is_some()) {
                return Err(SyntaxError::new(
                    "a positional argument cannot follow a named one",
                    value.span,
                    "move this before the named arguments",
                ));
            }
            out.push(Arg { name: None, value });
        }
    }
    Ok(exact(out))
}

fn primary(p: P) -> Result<Expr> {
    let sp = span(&p);
    let _depth = depth::enter(1, sp)?;
    let kind = match p.as_rule() {
        Rule::int => {
            let text: String = p.as_str().chars().filter(|c| *c != '_').collect();
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => i64::from_str_radix(hex, 16),
                None => text.parse::<i64>(),
            };
            match parsed {
                Ok(n) => ExprKind::Int(n),
                // Only `-9223372036854775808` legitimately lands here; the negation folds it.
                Err(_) if text == "9223372036854775808" => ExprKind::Int(i64::MIN),
                Err(_) => {
                    return Err(SyntaxError::new(
                        "integer literal is too large",
                        sp,
                        "ints are 64-bit: at most 9223372036854775807",
                    ))
                }
            }
        }
        Rule::float => {
            let text: String = p.as_str().chars().filter(|c| *c != '_').collect();
            ExprKind::Float(text.parse().unwrap_or(f64::INFINITY))
        }
        Rule::string => ExprKind::Str(intern(&string_body(p)?)),
        Rule::fstring => ExprKind::FStr(fstring(p)?),
        Rule::shstring => {
            let parts = fstring(p)?;
            super::command::check(&parts)?;
            ExprKind::Command(parts)
        }
        Rule::bytes_lit => ExprKind::Bytes(bytes_body(p)?.into()),
        Rule::kw_true => ExprKind::Bool(true),
        Rule::kw_false => ExprKind::Bool(false),
        Rule::kw_nil => ExprKind::Nil,
        Rule::list_lit => {
            let mut items = Vec::new();
            for part in p.into_inner() {
                if part.as_rule() == Rule::comp_clauses {
                    let item = Box::new(items.pop().expect("a comprehension's item"));
                    let clauses = comp_clauses(part)?;
                    return Ok(Expr {
                        kind: ExprKind::ListComp { item, clauses },
                        span: sp,
                    });
                }
                if part.as_rule() == Rule::star_item {
                    return Err(star_in_list(span(&part)));
                }
                items.push(expr(part)?);
            }
            ExprKind::List(exact(items))
        }
        Rule::map_lit => {
            let mut entries = Vec::new();
            for e in p.into_inner() {
                if e.as_rule() == Rule::comp_clauses {
                    let (key, value) = entries.pop().expect("a comprehension's entry");
                    return Ok(Expr {
                        kind: ExprKind::MapComp {
                            key: Box::new(key),
                            value: Box::new(value),
                            clauses: comp_clauses(e)?,
                        },
                        span: sp,
                    });
                }
                let mut kv = e.into_inner();
                let k = expr(kv.next().unwrap())?;
                let v = expr(kv.next().unwrap())?;
                entries.push((k, v));
            }
            ExprKind::Map(exact(entries))
        }
        Rule::fn_expr | Rule::async_fn_expr => {
            let is_async = p.as_rule() == Rule::async_fn_expr;
            let mut parts = p
                .into_inner()
                .filter(|p| !matches!(p.as_rule(), Rule::kw_fn | Rule::kw_async));
            let params = params(parts.next().unwrap())?;
            let body = block(parts.next().unwrap())?;
            ExprKind::Fn(Rc::new(FnDef {
                name: None,
                params,
                body,
                is_async,
                span: sp,
            }))
        }
        Rule::async_block => {
            let body = block(p.into_inner().nth(1).unwrap())?;
            ExprKind::AsyncBlock(Rc::new(FnDef {
                name: None,
                params: Vec::new(),
                body,
                is_async: true,
                span: sp,
            }))
        }
        Rule::paren => return expr(p.into_inner().next().unwrap()),
        Rule::if_expr => return if_expr(p),
        Rule::ident => ExprKind::Var(ident(p)),
        r => unreachable!("primary {r:?}"),
    };
    Ok(Expr { kind, span: sp })
}

fn unescape(p: &P, out: &mut String) -> Result<()> {
    let s = p.as_str();
    match &s[1..2] {
        "n" => out.push('\n'),
        "t" => out.push('\t'),
        "r" => out.push('\r'),
        "0" => out.push('\0'),
        "u" => {
            let hex = &s[3..s.len() - 1];
            match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                Some(c) => out.push(c),
                None => {
                    return Err(SyntaxError::new(
                        format!("`\\u{{{hex}}}` is not a valid character"),
                        span(p),
                        "a Unicode scalar value is expected",
                    ))
                }
            }
        }
        other => out.push_str(other),
    }
    Ok(())
}

fn string_body(p: P) -> Result<String> {
    let mut out = String::new();
    for part in p.into_inner() {
        match part.as_rule() {
            Rule::str_text => out.push_str(part.as_str()),
            Rule::escape => unescape(&part, &mut out)?,
            _ => {}
        }
    }
    Ok(out)
}

/// A bytes literal's bytes: its ASCII text, its escapes' bytes. Any other
/// character is an error, as in Python (the text cannot say which
/// encoding was meant).
fn bytes_body(p: P) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for part in p.into_inner() {
        let s = part.as_str();
        if part.as_rule() == Rule::bytes_escape {
            out.push(match &s[1..2] {
                "n" => b'\n',
                "t" => b'\t',
                "r" => b'\r',
                "0" => 0,
                "x" => u8::from_str_radix(&s[2..4], 16).expect("two hex digits"),
                other => other.as_bytes()[0],
            });
            continue;
        }
        if let Some((at, c)) = s.char_indices().find(|(_, c)| !c.is_ascii()) {
            let start = span(&part).start as usize + at;
            let mut e = SyntaxError::new(
                format!("bytes literals can only hold ASCII characters, not `{c}`"),
                Span::new(start, start + c.len_utf8()),
                "not ASCII",
            );
            e.help = Some(format!(
                "write its bytes as `\\xNN` escapes, or use `\"{c}\".encode()`"
            ));
            return Err(e);
        }
        out.extend_from_slice(s.as_bytes());
    }
    Ok(out)
}

fn fstring(p: P) -> Result<Vec<FPart>> {
    let mut parts = Vec::new();
    let mut text = String::new();
    for part in p.into_inner() {
        match part.as_rule() {
            Rule::fs_text => text.push_str(part.as_str()),
            Rule::escape => unescape(&part, &mut text)?,
            Rule::fs_open => text.push('{'),
            Rule::fs_close => text.push('}'),
            Rule::fs_interp => {
                if !text.is_empty() {
                    parts.push(FPart::Text(std::mem::take(&mut text)));
                }
                let mut inner = part.into_inner().peekable();
                let e = expr(inner.next().unwrap())?;
                let mut repr = false;
                if let Some(conv) = inner.next_if(|p| p.as_rule() == Rule::fs_conv) {
                    repr = match conv.as_str() {
                        "!r" => true,
                        "!s" => false,
                        other => {
                            return Err(SyntaxError::new(
                                format!("unknown conversion `{other}` in an f-string"),
                                span(&conv),
                                "use `!r` (repr, strings quoted) or `!s` (str)",
                            ))
                        }
                    };
                }
                let spec = inner.next().map(|s| s.as_str()[1..].to_string());
                parts.push(FPart::Expr {
                    expr: e,
                    repr,
                    spec,
                });
            }
            _ => {}
        }
    }
    if !text.is_empty() {
        parts.push(FPart::Text(text));
    }
    Ok(exact(parts))
}

#[cfg(test)]
mod tests {
    use super::parse_program;
    use crate::syntax::ast::StmtKind;
    use std::path::{Path, PathBuf};

    /// pest is built without its stack probe (Cargo.toml), so nothing in
    /// the grammar may recurse once per link of a chain that `check_source`
    /// does not cap: `**` and an `else if` chain of `if` expressions repeat
    /// instead. On a 1 MiB stack, 50,000 links end in the depth error (they
    /// overflowed the stack when each link nested in the grammar).
    #[test]
    fn long_chains_parse_without_deep_recursion() {
        let run = || {
            for src in [
                format!("let x = 2{}\n", " ** 2".repeat(50_000)),
                format!("let x = 2{}\n", " ** -2".repeat(50_000)),
                format!(
                    "let a = 1\nlet x = {}{{ 0 }}\n",
                    "if a { 1 } else ".repeat(50_000)
                ),
            ] {
                let e = parse_program(&src).unwrap_err();
                assert!(e.message.contains("nests too deeply"), "{}", e.message);
            }
        };
        let small = std::thread::Builder::new().stack_size(1 << 20);
        small.spawn(run).unwrap().join().unwrap();
    }

    fn tasks_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                tasks_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "tasks") {
                out.push(path);
            }
        }
    }

    /// The grammar skips each block's text and `block` then reads its
    /// statements: the two must agree on where the block ends, or the
    /// parse reports a bug. Every file of the tests and examples, whole and
    /// cut short (mostly inside a block), never does.
    #[test]
    fn blocks_end_where_their_statements_end() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        tasks_files(&root.join("tests"), &mut files);
        tasks_files(&root.join("examples"), &mut files);
        assert!(files.len() > 100);
        for file in files {
            let src = std::fs::read_to_string(&file).unwrap();
            for cut in [src.len(), src.len() * 2 / 3, src.len() / 2] {
                let mut cut = cut;
                while !src.is_char_boundary(cut) {
                    cut -= 1;
                }
                if let Err(e) = parse_program(&src[..cut]) {
                    assert!(
                        !e.message.contains("a bug"),
                        "{}: {}",
                        file.display(),
                        e.message
                    );
                }
            }
        }
    }

    /// Braces in strings, f-strings, format specs and comments do not end
    /// a block; an f-string's `{ }` are code, `{{` is not.
    #[test]
    fn braces_that_are_not_code_stay_inside_the_block() {
        for src in [
            "if x { print(\"}\") }",
            "if x { print(\"\\\"}\") }",
            "if x { print(f\"{ {\"a\": \"}\"}[\"a\"] }\") }",
            "if x { print(f\"{{}}\") }",
            "if x { print(f\"{y:>5}}}\") }",
            "if x { print(f\"{g(k: 1):>5}\") }",
            "if x { # }\n print(1) }",
            "if x { /* } */ print(1) }",
            "if x { if\"}\" == y { } }",
            "if x { print(f\"{f\"{1}\"}\") }",
        ] {
            let p = parse_program(src).unwrap_or_else(|e| panic!("{src}: {}", e.message));
            // One statement: the `if` whose block ends at the last `}`.
            assert_eq!(p.stmts.len(), 1, "{src}");
            assert_eq!(p.stmts[0].span.end as usize, src.len(), "{src}");
        }
    }

    /// A `{` that starts a statement is a block when its statements parse,
    /// else a map; at every level, and in a short block read at once.
    #[test]
    fn a_statement_brace_is_a_block_or_else_a_map() {
        let kinds = |src: &str| -> Vec<String> {
            let p = parse_program(src).unwrap_or_else(|e| panic!("{src}: {}", e.message));
            p.stmts
                .iter()
                .map(|s| {
                    format!("{:?}", s.kind)
                        .split(['(', ' '])
                        .next()
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(kinds("{}"), ["Block"]);
        assert_eq!(kinds("{ x }"), ["Block"]);
        assert_eq!(kinds("{\"a\": 1}"), ["Expr"]);
        assert_eq!(kinds("{\"a\": 1}[\"a\"] + 1\nx = 2"), ["Expr", "Assign"]);
        assert_eq!(kinds("x = 1\n{ {\"a\": 1}.keys() }"), ["Assign", "Block"]);
        assert_eq!(kinds("if x { {1: async { {2: 3} }} }"), ["If"]);
        let inner = "{ {\"a\": 1} }";
        let p = parse_program(inner).unwrap();
        let StmtKind::Block(b) = &p.stmts[0].kind else {
            panic!("{inner}")
        };
        assert!(matches!(b.stmts[0].kind, StmtKind::Expr(_)), "{inner}");
        // Neither: the error of the reading that got further.
        let e = parse_program("{\"a\": 1 \"b\": 2}").unwrap_err();
        let want = "expected an operator or the end of the statement, found `\"`";
        assert_eq!((e.message.as_str(), e.span.start), (want, 8), "{e:?}");
    }

    /// A mistake inside a callback's block is reported before one the
    /// statement around it makes later (a missing `)`, a second mistake),
    /// as when blocks were parsed in place; a map is not read as a block.
    #[test]
    fn a_mistake_in_a_callback_comes_before_one_around_it() {
        for src in [
            "let t = spawn(async {\n  x = =\n",
            "f(fn(a, b) { a = = }, x y)",
            "gather(async { x = 1 }, async { y = = }\n",
            "print(1)\nf(x, fn() { let y = =\n",
        ] {
            let e = parse_program(src).unwrap_err();
            // At the second `=` of `x = =`.
            let at = src.rfind('=').unwrap();
            assert_eq!(
                (e.message.as_str(), e.span.start as usize),
                ("expected an expression, found `=`", at),
                "{src}"
            );
        }
        let e = parse_program("f({\"a\": 1}, x y)").unwrap_err();
        assert_eq!(e.message, "expected `,` or `)`, found `y`");
    }

    /// The errors worded from where a mistake sits in the text around
    /// pest's failure: each message, where it points, and whether the
    /// REPL would wait for more input.
    #[test]
    fn errors_read_from_the_text_around_the_failure() {
        let cases = [
            (
                "fn f(a b) {}",
                "expected `,` or `)` after a parameter, found `b`",
                "b",
                false,
            ),
            ("fn f(a, b", "unclosed `(`", "(", true),
            (
                "struct Job { name cmd }",
                "expected `,`, `=`, a method or `}`, found `cmd`",
                "cmd",
                false,
            ),
            (
                "try {\n  f()\ncatch e { }",
                "expected `}` before `catch`",
                "catch",
                false,
            ),
            (
                "try { f() } catch e {\n  g()\nfinally { }",
                "expected `}` before `finally`",
                "finally",
                false,
            ),
            (
                "if a {\n} else if b {\n  c()\nelse { }",
                "expected `}` before `else`",
                "else {",
                false,
            ),
            (
                "async fn main() {\n  else { }\n}",
                "`else` without `if`",
                "else",
                false,
            ),
            ("let x = [1, 2)", "expected `]`, found `)`", ")", false),
        ];
        for (src, message, at, incomplete) in cases {
            let e = parse_program(src).unwrap_err();
            let want_at = src.rfind(at).unwrap();
            assert_eq!(
                (e.message.as_str(), e.span.start as usize, e.incomplete),
                (message, want_at, incomplete),
                "{src}"
            );
        }
    }

    /// The grammar's `keyword` is spelled as a tree of first letters; this
    /// is the list it must refuse as names, and some names it must not.
    #[test]
    fn keywords_are_not_names_and_longer_words_are() {
        let keywords = [
            "let", "fn", "async", "await", "spawn", "return", "if", "else", "while", "for", "in",
            "break", "continue", "try", "catch", "finally", "throw", "true", "false", "nil", "and",
            "or", "not",
        ];
        for kw in keywords {
            assert!(parse_program(&format!("let {kw} = 1")).is_err(), "{kw}");
            for name in [format!("{kw}x"), format!("{kw}_"), format!("{kw}1")] {
                let src = format!("let {name} = 1");
                assert!(parse_program(&src).is_ok(), "{src}");
            }
        }
        for name in [
            "o", "a", "f", "i", "n", "t", "fo", "tr", "an", "nu", "with", "group",
        ] {
            assert!(parse_program(&format!("let {name} = 1")).is_ok(), "{name}");
        }
    }
}
