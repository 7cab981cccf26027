//! `re`: regular expressions on the `regex` crate (its syntax, not
//! Python's: no backreferences or look-around, `$1` in replacements; in
//! exchange matching takes linear time). Positions are code-point
//! indices, as everywhere else in the language. Compiled patterns are
//! cached per thread.

use crate::{Args, Module, NativeCtx, NativeObject, NativeResult, ScriptError, Str, Value};
use regex::{Captures, Regex};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// How many compiled patterns the cache keeps before it starts over.
const CACHE_SIZE: usize = 256;

thread_local! {
    /// Pattern → compiled regex, as searched and anchored at the start.
    /// Shared, not cloned: a cloned `Regex` starts with an empty matching
    /// cache, and building that cache again on every call cost 6x the
    /// match itself. Looked up by the argument's own text (no copy).
    static CACHE: RefCell<[HashMap<Box<str>, Rc<Regex>>; 2]> = RefCell::default();
}

pub(crate) fn module() -> Module {
    Module::new("re")
        .object::<Match>()
        .raw("search", |_ctx, args| find(args, false))
        .raw("match", |_ctx, args| find(args, true))
        .raw("find_all", |_ctx, mut args| {
            let re = pattern(&mut args, false)?;
            let text: Str = args.next("text")?;
            args.finish()?;
            Ok(Value::list(find_all(&re, &text)))
        })
        .raw("replace", |_ctx, mut args| {
            let re = pattern(&mut args, false)?;
            let replacement: Str = args.next("replacement")?;
            let text: Str = args.next("text")?;
            let count: Option<i64> = args.named("count")?;
            args.finish()?;
            let limit = usize::try_from(count.unwrap_or(0)).unwrap_or(0);
            Ok(Value::str(&re.replacen(&text, limit, replacement.as_str())))
        })
        .raw("split", |_ctx, mut args| {
            let re = pattern(&mut args, false)?;
            let text: Str = args.next("text")?;
            let max: Option<i64> = args.named("max_split")?;
            args.finish()?;
            Ok(Value::list(split(&re, &text, max.unwrap_or(0))))
        })
}

/// The compiled pattern of the first argument (from the cache); a bad
/// pattern is a `ValueError` with the regex crate's explanation.
fn pattern(args: &mut Args, anchored: bool) -> Result<Rc<Regex>, ScriptError> {
    let source: Str = args.next("pattern")?;
    let kind = usize::from(anchored);
    if let Some(re) = CACHE.with(|c| c.borrow()[kind].get(&*source).cloned()) {
        return Ok(re);
    }
    let bad = |e: regex::Error| ScriptError::value_error(format!("bad pattern: {e}"));
    let mut re = Regex::new(&source).map_err(bad)?;
    if anchored {
        // `\A` anchors at the start of the text even under `(?m)`; the
        // pattern alone compiled, so wrapped it does too.
        re = Regex::new(&format!(r"\A(?:{})", &*source)).map_err(bad)?;
    }
    let re = Rc::new(re);
    CACHE.with(|c| {
        let cache = &mut c.borrow_mut()[kind];
        if cache.len() >= CACHE_SIZE {
            cache.clear();
        }
        cache.insert(Box::from(&*source), re.clone());
    });
    Ok(re)
}

/// `re.search` and `re.match`: the first match (at the start only, for
/// `match`) as a match object, or nil.
fn find(mut args: Args, anchored: bool) -> NativeResult {
    let re = pattern(&mut args, anchored)?;
    let text: Str = args.next("text")?;
    args.finish()?;
    Ok(match re.captures(&text) {
        Some(caps) => Match::value(&caps, text.clone(), re.clone()),
        None => Value::Nil,
    })
}

/// Python's `findall`: the matched texts without groups, the one group's
/// texts with one, lists of the groups' texts with more (`""` for a group
/// that took no part).
fn find_all(re: &Regex, text: &str) -> Vec<Value> {
    let groups = re.captures_len() - 1;
    if groups == 0 {
        // No group to report: the faster search that finds no groups.
        return re.find_iter(text).map(|m| Value::str(m.as_str())).collect();
    }
    re.captures_iter(text)
        .map(|caps| {
            let group = |i: usize| Value::str(caps.get(i).map_or("", |m| m.as_str()));
            match groups {
                0 => group(0),
                1 => group(1),
                n => Value::list((1..=n).map(group).collect()),
            }
        })
        .collect()
}

/// Python's `re.split`: the pieces between matches, with each match's
/// groups in between (nil for a group that took no part); at most `max`
/// splits when `max > 0`.
fn split(re: &Regex, text: &str, max: i64) -> Vec<Value> {
    if re.captures_len() == 1 {
        return split_plain(re, text, max);
    }
    let mut out = Vec::new();
    let mut last = 0;
    for (n, caps) in re.captures_iter(text).enumerate() {
        if max > 0 && n as i64 >= max {
            break;
        }
        let whole = caps.get(0).expect("group 0 always matches");
        out.push(Value::str(&text[last..whole.start()]));
        for g in caps.iter().skip(1) {
            out.push(g.map_or(Value::Nil, |m| Value::str(m.as_str())));
        }
        last = whole.end();
    }
    out.push(Value::str(&text[last..]));
    out
}

/// `split` of a pattern without groups: only the pieces between matches.
fn split_plain(re: &Regex, text: &str, max: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut last = 0;
    for (n, m) in re.find_iter(text).enumerate() {
        if max > 0 && n as i64 >= max {
            break;
        }
        out.push(Value::str(&text[last..m.start()]));
        last = m.end();
    }
    out.push(Value::str(&text[last..]));
    out
}

/// A match: the text searched (shared, not copied) and its groups' byte
/// spans; a group's text and code-point positions are made when asked.
struct Match {
    text: Str,
    /// Per group: its byte span, or `None` if the group took no part.
    groups: Vec<Option<(usize, usize)>>,
    /// The pattern, for its group names.
    re: Rc<Regex>,
}

impl Match {
    fn value(caps: &Captures<'_>, text: Str, re: Rc<Regex>) -> Value {
        let groups = caps
            .iter()
            .map(|g| g.map(|m| (m.start(), m.end())))
            .collect();
        Value::object(Match { text, groups, re })
    }

    /// A byte offset of the text as a code-point index.
    fn chars(&self, byte: usize) -> usize {
        self.text[..byte].chars().count()
    }

    fn group_text(&self, (start, end): (usize, usize)) -> Value {
        Value::str(&self.text[start..end])
    }

    /// The group an argument names: an index, or a name; out of range is
    /// an `IndexError`, as Python's "no such group".
    fn group_index(&self, which: Option<Value>) -> Result<usize, ScriptError> {
        let i = match which {
            None => Some(0),
            Some(Value::Int(i)) => usize::try_from(i).ok(),
            Some(Value::Str(s)) => self.re.capture_names().position(|n| n == Some(&*s)),
            Some(other) => {
                return Err(ScriptError::type_error(format!(
                    "a group is an int or a name, not `{}`",
                    other.type_name()
                )))
            }
        };
        i.filter(|&i| i < self.groups.len())
            .ok_or_else(|| ScriptError::index_error("no such group"))
    }
}

impl NativeObject for Match {
    fn type_name(&self) -> &'static str {
        "match"
    }
    fn methods() -> &'static [&'static str] {
        &["group", "groups", "start", "end"]
    }
    fn repr(&self) -> String {
        match self.groups[0] {
            Some((s, e)) => {
                let (start, end) = (self.chars(s), self.chars(e));
                format!("<match [{start}, {end}] {:?}>", &self.text[s..e])
            }
            None => "<match>".to_string(),
        }
    }
    fn method(&self, _ctx: &mut NativeCtx<'_>, name: &str, mut args: Args) -> Option<NativeResult> {
        if !matches!(name, "group" | "groups" | "start" | "end") {
            return None;
        }
        let r = (|| {
            if name == "groups" {
                args.finish()?;
                let all = self.groups[1..]
                    .iter()
                    .map(|g| g.map_or(Value::Nil, |span| self.group_text(span)))
                    .collect();
                return Ok(Value::list(all));
            }
            let which: Option<Value> = args.next_opt("group")?;
            args.finish()?;
            let g = self.groups[self.group_index(which)?];
            Ok(match (name, g) {
                (_, None) if name == "group" => Value::Nil,
                // Python's -1 for a group that took no part.
                (_, None) => Value::Int(-1),
                ("group", Some(span)) => self.group_text(span),
                ("start", Some((s, _))) => Value::Int(self.chars(s) as i64),
                (_, Some((_, e))) => Value::Int(self.chars(e) as i64),
            })
        })();
        Some(r)
    }
}
