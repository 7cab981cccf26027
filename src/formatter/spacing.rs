//! What each token is in its context (which kind of bracket, a unary
//! operator or a binary one) and whether a space goes before it when it
//! shares a line with the token before.

use super::tokens::{Kind, Token};

/// What a bracket opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bracket {
    /// `f(x)`, `fn name(x)`, `fn(x)`.
    Call,
    /// `(a + b)`.
    Group,
    /// `xs[i]`, `xs[a:b]`.
    Index,
    /// `[1, 2]`, `[x for x in xs]`, `let [a, b] = …`.
    List,
    /// `{"k": v}`.
    Map,
    /// Statements: `if c { … }`, `fn f() { … }`, `struct S { … }`.
    Block,
}

impl Bracket {
    /// A trailing comma is allowed before its closer.
    pub(super) fn takes_trailing_comma(self) -> bool {
        matches!(self, Bracket::Call | Bracket::List | Bracket::Map)
    }
}

/// What the layout needs to know of a token.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Role {
    /// For `( [ {` and their closers: what they open or close.
    pub bracket: Option<Bracket>,
    /// For a closer: the index of its opener, and for an opener its closer
    /// (when the source closes it).
    pub partner: Option<usize>,
    /// `-x`, `*rest`.
    pub unary: bool,
    /// A space before it when it follows another token on its line.
    pub space: bool,
    /// A name after `.`: a field or method, never a keyword.
    pub member: bool,
}

/// The words the grammar reserves that cannot end an operand (`true`,
/// `false` and `nil` can; `group`, `with`, `struct`, `import` and `as` are
/// keywords only in their statements and names elsewhere).
const KEYWORDS: [&str; 20] = [
    "let", "fn", "async", "await", "spawn", "return", "if", "else", "while", "for", "in", "break",
    "continue", "try", "catch", "finally", "throw", "and", "or", "not",
];

pub(super) fn is_keyword(t: &Token) -> bool {
    t.kind == Kind::Word && KEYWORDS.contains(&t.text.as_str())
}

pub(super) fn is_opener(t: &Token) -> bool {
    t.kind == Kind::Punct && matches!(t.text.as_str(), "(" | "[" | "{")
}

pub(super) fn is_closer(t: &Token) -> bool {
    t.kind == Kind::Punct && matches!(t.text.as_str(), ")" | "]" | "}")
}

/// An operator that may stand between two operands.
pub(super) fn is_binary_operator(t: &Token) -> bool {
    match t.kind {
        Kind::Punct => matches!(
            t.text.as_str(),
            "+" | "-"
                | "*"
                | "/"
                | "//"
                | "%"
                | "**"
                | "=="
                | "!="
                | "<"
                | ">"
                | "<="
                | ">="
                | "="
                | "+="
                | "-="
                | "*="
                | "/="
                | "//="
                | "%="
                | "|"
        ),
        Kind::Word => matches!(t.text.as_str(), "and" | "or" | "in" | "not"),
        _ => false,
    }
}

/// The token ends an operand: what follows it is a binary operator, a
/// call or an index.
fn ends_operand(t: &Token, role: &Role) -> bool {
    match t.kind {
        Kind::Number | Kind::Str => true,
        Kind::Word => role.member || !is_keyword(t),
        Kind::Punct => match t.text.as_str() {
            ")" | "]" => true,
            "}" => role.bracket == Some(Bracket::Map),
            _ => false,
        },
        _ => false,
    }
}

/// Words after which a `{` opens a map, not a block.
const VALUE_WORDS: [&str; 8] = [
    "return", "throw", "and", "or", "not", "in", "await", "yield",
];

/// Works out every token's role, left to right.
pub(super) fn roles(tokens: &[Token]) -> Vec<Role> {
    let mut roles = vec![Role::default(); tokens.len()];
    let mut open: Vec<usize> = Vec::new();
    // The last token that is code (comments are skipped for context).
    let mut prev: Option<usize> = None;
    for i in 0..tokens.len() {
        let t = &tokens[i];
        if t.is_comment() {
            roles[i].space = true;
            continue;
        }
        let after = prev.map(|p| (&tokens[p], roles[p]));
        roles[i].member = t.kind == Kind::Word && after.is_some_and(|(p, _)| p.is("."));
        let operand_before = after.is_some_and(|(p, r)| ends_operand(p, &r));
        if is_opener(t) {
            roles[i].bracket = Some(opener_kind(t, after, operand_before));
            open.push(i);
        } else if is_closer(t) {
            if let Some(o) = open.pop() {
                roles[i].bracket = roles[o].bracket;
                roles[i].partner = Some(o);
                roles[o].partner = Some(i);
            }
        } else if t.kind == Kind::Punct && matches!(t.text.as_str(), "-" | "*" | "**") {
            roles[i].unary = !operand_before;
        }
        let inside = open
            .iter()
            .rev()
            .find(|&&o| o != i)
            .and_then(|&o| roles[o].bracket);
        roles[i].space = match after {
            None => false,
            Some((p, r)) => space_between(p, &r, t, &roles[i], inside),
        };
        prev = Some(i);
    }
    roles
}

fn opener_kind(t: &Token, after: Option<(&Token, Role)>, operand_before: bool) -> Bracket {
    match t.text.as_str() {
        "(" if operand_before || after.is_some_and(|(p, _)| p.is_word("fn")) => Bracket::Call,
        "(" => Bracket::Group,
        "[" if operand_before => Bracket::Index,
        "[" => Bracket::List,
        _ => match after {
            None => Bracket::Block,
            Some((p, r)) => {
                let block_brace = p.is("{") && r.bracket == Some(Bracket::Block);
                let value_follows = match p.kind {
                    Kind::Punct => {
                        !(matches!(p.text.as_str(), ")" | "]" | "}" | ";") || block_brace)
                    }
                    Kind::Word => VALUE_WORDS.contains(&p.text.as_str()),
                    _ => false,
                };
                if value_follows {
                    Bracket::Map
                } else {
                    Bracket::Block
                }
            }
        },
    }
}

/// Whether `next` (role `nr`) is written with a space after `prev`;
/// `inside` is the bracket that holds `next`.
fn space_between(
    prev: &Token,
    pr: &Role,
    next: &Token,
    nr: &Role,
    inside: Option<Bracket>,
) -> bool {
    let block = |r: &Role| r.bracket == Some(Bracket::Block);
    if next.is(",") || next.is(";") || next.is(")") || next.is("]") {
        return false;
    }
    if next.is("}") {
        return block(nr) && !prev.is("{");
    }
    if prev.is("(") || prev.is("[") {
        return false;
    }
    if prev.is("{") {
        return block(pr);
    }
    if next.is(".") || prev.is(".") || next.is(":") {
        return false;
    }
    if prev.is(":") {
        return inside != Some(Bracket::Index);
    }
    if pr.unary {
        return false;
    }
    match nr.bracket {
        Some(Bracket::Call) if next.is("(") => false,
        Some(Bracket::Index) if next.is("[") => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::scan;
    use super::*;

    fn spaced(src: &str) -> String {
        let t = scan(src).unwrap();
        let r = roles(&t);
        let mut out = String::new();
        for (tok, role) in t.iter().zip(&r) {
            if role.space {
                out.push(' ');
            }
            out.push_str(&tok.text);
        }
        out
    }

    #[test]
    fn spaces_operators_and_not_brackets() {
        assert_eq!(spaced("let x=f(a,b)[1:2]+-3"), "let x = f(a, b)[1:2] + -3");
        assert_eq!(spaced("return {\"a\":1,**m}"), "return {\"a\": 1, **m}");
        assert_eq!(
            spaced("if x{print( x )}else{y}"),
            "if x { print(x) } else { y }"
        );
        assert_eq!(spaced("let [a,*rest]=xs"), "let [a, *rest] = xs");
        assert_eq!(spaced("g(fn(x){x*2},key:k)"), "g(fn(x) { x * 2 }, key: k)");
        assert_eq!(spaced("catch e:A|B{}"), "catch e: A | B {}");
        assert_eq!(spaced("x=(a)*2**-1"), "x = (a) * 2 ** -1");
        assert_eq!(spaced("if k in {}{ }"), "if k in {} {}");
        assert_eq!(spaced("m.group(1)+case(x)"), "m.group(1) + case(x)");
    }
}
