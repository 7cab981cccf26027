use super::{parse_program, Rule, TasksParser};
use crate::syntax::ast::StmtKind;
use pest::Parser;
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

/// Every pair of a parse of `src` with `rule` (its rule and place), or
/// `None` when it fails. The fast mode's twins of `expr_stmt` and `expr`
/// (`fexpr_stmt`, `fexpr`) are given their exact rule's name.
fn pairs_of(rule: Rule, src: &str) -> Option<Vec<(Rule, usize, usize)>> {
    let pairs = TasksParser::parse(rule, src).ok()?;
    let flat = pairs.flatten();
    Some(
        flat.map(|p| {
            let rule = super::stmt::same_rule(p.as_rule());
            (rule, p.as_span().start(), p.as_span().end())
        })
        .collect(),
    )
}

/// The fast mode reads an expression statement with its own rules (so
/// the comparisons below test them): an assignment, a call and a chain
/// of operators, each with its operands.
#[test]
fn the_fast_mode_reads_expression_statements_with_its_own_rules() {
    for src in ["x += 1\n", "f(a, b)\n", "y = a * 2 + b < c and d\n"] {
        let pairs = TasksParser::parse(Rule::top_stmt, src).unwrap();
        let rules: Vec<Rule> = pairs.flatten().map(|p| p.as_rule()).collect();
        assert_eq!(rules[0], Rule::fexpr_stmt, "{src}: {rules:?}");
        assert!(rules.contains(&Rule::fexpr), "{src}: {rules:?}");
        assert!(!rules.contains(&Rule::expr_stmt), "{src}: {rules:?}");
    }
}

/// The grammar's fast mode and its exact mode (tasks.pest, `program`)
/// parse `src` (a block's statements when `body`) the same way: the same
/// pairs, statement by statement and block by block, or both fail.
///
/// The batches (`top_batch`, `body_batch`) read what the one-statement
/// rules read from the same place: a batch starts at every 16th
/// statement, so each statement is checked in one.
fn both_modes_agree(src: &str, body: bool) {
    let (fast, exact, batch) = match body {
        true => (Rule::body_stmt, Rule::body_exact, Rule::body_batch),
        false => (Rule::top_stmt, Rule::top_exact, Rule::top_batch),
    };
    // Each statement's place and pairs, the failure or the end last.
    let mut singles = Vec::new();
    let mut pos = 0;
    loop {
        let got = pairs_of(fast, &src[pos..]);
        assert_eq!(got, pairs_of(exact, &src[pos..]), "at {pos} of:\n{src}");
        singles.push((pos, got.clone()));
        let Some(&(rule, _, end)) = got.as_ref().and_then(|g| g.first()) else {
            break;
        };
        if matches!(rule, Rule::EOI | Rule::rbrace) {
            break;
        }
        for &(_, start, _) in got.iter().flatten().filter(|p| p.0 == Rule::block) {
            both_modes_agree(&src[pos + start + 1..], true);
        }
        pos += end;
    }
    for first in (0..singles.len()).step_by(16) {
        let at = singles[first].0;
        let mut want = Vec::new();
        for (n, (pos, pairs)) in singles[first..].iter().enumerate() {
            let Some(pairs) = pairs else { break };
            let is_end = matches!(pairs[0].0, Rule::EOI | Rule::rbrace);
            if n == 16 && !is_end {
                break;
            }
            let shift = pos - at;
            want.extend(pairs.iter().map(|&(r, a, b)| (r, a + shift, b + shift)));
            if is_end {
                break;
            }
        }
        let got = pairs_of(batch, &src[at..]);
        assert_eq!(got, Some(want), "a batch at {at} of:\n{src}");
    }
}

/// The fast mode's shortcuts change no parse: every file of the tests
/// and examples, and generated expressions of every operator, prefix and
/// primary (chained comparisons, `not` after an operator, `-=` and `+ =`,
/// comments between tokens), which must also parse or fail alike.
#[test]
fn the_fast_mode_parses_as_the_exact_grammar_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests", "examples", "benches"] {
        tasks_files(&root.join(dir), &mut files);
    }
    for file in files {
        both_modes_agree(&std::fs::read_to_string(&file).unwrap(), false);
    }
    let operands = [
        "x",
        "1",
        "2.5",
        // Numbers `int_first` must leave to `float` (or take): exponents,
        // hex with an `e`, separators, a field of an int.
        "1e5",
        "2.5e-3",
        "0x1e5",
        "1_000",
        "3.real",
        "f(a)",
        "xs[1:2]",
        "o.m(2)",
        "(a + b)",
        "\"s\"",
        "[1, 2]",
        "true",
        "nil",
        "fn(a) { a < b }",
        "f\"{a + 1}\"",
        "{\"k\": 1}",
        "if a { b } else { c }",
        "o.spawn(g)",
    ];
    let prefixes = ["-", "not ", "await ", "spawn ", "- -", "not not "];
    let ops = [
        " + ",
        " - ",
        " * ",
        " / ",
        " // ",
        " % ",
        " ** ",
        " == ",
        " != ",
        " < ",
        " <= ",
        " > ",
        " >= ",
        " in ",
        " not in ",
        " and ",
        " or ",
        "+",
        "-",
        "**-",
        " # c\n+ ",
        " /* c */ * ",
        " = ",
        " += ",
        " -= ",
        " + = ",
        " *= ",
        " //= ",
        " not ",
        " ! ",
    ];
    let shapes = [
        "{}\n",
        "y = {}\n",
        "let y = {}\n",
        "f({}, k: {})\n",
        "if {} { {} }\n",
        "[{} for q in {} if {}]\n",
        "print(f\"{{{}}}\")\n",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut pick = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..3000 {
        let expr = |pick: &mut dyn FnMut(usize) -> usize| {
            let mut e = String::new();
            for i in 0..=pick(4) {
                if i > 0 {
                    e.push_str(ops[pick(ops.len())]);
                }
                if pick(3) == 0 {
                    e.push_str(prefixes[pick(prefixes.len())]);
                }
                e.push_str(operands[pick(operands.len())]);
            }
            e
        };
        let shape = shapes[pick(shapes.len())];
        let mut src = String::new();
        for (i, part) in shape.split("{}").enumerate() {
            if i > 0 {
                src.push_str(&expr(&mut pick));
            }
            src.push_str(part);
        }
        both_modes_agree(&src, false);
    }
}
