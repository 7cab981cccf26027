//! Builds the AST from pest's parse tree.

use super::ast::*;
use super::depth;
use super::error::{self, SyntaxError};
use super::habits;
use super::lex;
use super::source_check;
use pest::iterators::Pair;
use pest::Parser;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

mod expr;
mod literal;
mod pattern;
mod stmt;
#[cfg(test)]
mod tests;

use stmt::{block, push_stmt, Simple};

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
pub(crate) fn parse_program(src: &str) -> Result<Program> {
    super::with_stack(|| parse_checked(src))
}

fn parse_checked(src: &str) -> Result<Program> {
    source_check::check_source(src)?;
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
        if let Some(end) = batch(text, base, &mut pos, rule, &mut open, &mut stmts, &mut ends)? {
            return Ok((exact(stmts), end));
        }
        let p = match parse_at(rule, &text[pos..]) {
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

/// Reads statements from `pos` on, up to 16 in one call of pest (the
/// grammar's `top_batch` and `body_batch`; `rule` says which level), and
/// adds them as `items` does, moving `pos` and `ends` past each, as long
/// as whole batches parse. Stops before a statement that does not parse
/// and before one that starts with `{` (a block or a map: `items` reads
/// those one at a time); `Some(end)` when it read the end of the level.
fn batch<'a>(
    text: &'a str,
    base: usize,
    pos: &mut usize,
    rule: Rule,
    open: &mut Option<Simple<'a>>,
    stmts: &mut Vec<Stmt>,
    ends: &mut Vec<usize>,
) -> Result<Option<usize>> {
    let batch_rule = match rule {
        Rule::top_stmt => Rule::top_batch,
        _ => Rule::body_batch,
    };
    loop {
        let at = *pos;
        // A batch never fails: a repetition, then an optional end.
        let Ok(pairs) = TasksParser::parse(batch_rule, &text[at..]) else {
            return Ok(None);
        };
        let _base = Base::enter(base + at);
        let mut read = 0;
        for p in pairs {
            let end = at + p.as_span().end();
            match p.as_rule() {
                Rule::EOI | Rule::rbrace => return Ok(Some(end)),
                Rule::block => return Ok(None),
                _ => {
                    add_stmt(p, text, base, open, stmts)?;
                    ends.push(end);
                    *pos = end;
                    read += 1;
                }
            }
        }
        if read < 16 {
            return Ok(None);
        }
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
    let as_map = match parse_at(Rule::expr_first, &text[pos..]) {
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

/// Parses `input` with `rule` in the grammar's fast mode; when that
/// fails, again with its exact twin (the grammar's `program` says why),
/// whose error is the one to word. The twin accepts what the fast rule
/// does: were that ever not so, its parse is the one to trust.
fn parse_at(rule: Rule, input: &str) -> std::result::Result<Pairs<'_>, pest::error::Error<Rule>> {
    TasksParser::parse(rule, input).or_else(|_| {
        let exact = match rule {
            Rule::top_stmt => Rule::top_exact,
            Rule::body_stmt => Rule::body_exact,
            _ => Rule::expr_first_exact,
        };
        TasksParser::parse(exact, input)
    })
}

type Pairs<'a> = pest::iterators::Pairs<'a, Rule>;

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
