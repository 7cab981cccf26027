use super::*;

fn fmt(src: &str) -> String {
    let once = format(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    let twice = format(&once).unwrap_or_else(|e| panic!("{e}\n{once}"));
    assert_eq!(once, twice, "not idempotent");
    once
}

#[test]
fn indents_blocks_and_spaces_tokens() {
    let src = "async fn f(a,b=2){\nif a>b{\nreturn a}else{\nreturn[b,a]}\n}\n";
    assert_eq!(
        fmt(src),
        "async fn f(a, b = 2) {\n    if a > b {\n        return a\n    } else {\n        return [b, a]\n    }\n}\n"
    );
}

#[test]
fn joins_else_catch_and_finally_to_the_brace() {
    let src = "try {\n  x()\n}\ncatch e {\n  y()\n}\nfinally {\n}\n";
    assert_eq!(
        fmt(src),
        "try {\n    x()\n} catch e {\n    y()\n} finally {\n}\n"
    );
}

#[test]
fn keeps_comments_and_one_blank_line() {
    let src = "# head\n\n\n\nlet x = 1   # one\n/* block\n   kept */\nfn f() {\n\n    # inside\n\n    return x\n\n}\n";
    assert_eq!(
        fmt(src),
        "# head\n\nlet x = 1  # one\n/* block\n   kept */\nfn f() {\n    # inside\n\n    return x\n}\n"
    );
}

#[test]
fn indents_continuations_and_open_brackets() {
    let src = "let total = a +\nb\nlet xs = [1,\n2]\nlet y = foo(\n1,\n2)\n";
    assert_eq!(
        fmt(src),
        "let total = a +\n    b\nlet xs = [1,\n    2]\nlet y = foo(\n    1,\n    2)\n"
    );
    // A line break is whitespace: `x` then `- 1` is one expression.
    assert_eq!(fmt("let v = x\n-1\n"), "let v = x\n    - 1\n");
    assert_eq!(fmt("let w = s\n.strip()\n"), "let w = s\n    .strip()\n");
}

#[test]
fn breaks_long_lines_at_the_outermost_bracket() {
    let args: Vec<String> = (0..12)
        .map(|i| format!("\"argument number {i}\""))
        .collect();
    let src = format!("print(\"x\", run(\"tool\", [{}]))\n", args.join(", "));
    let out = fmt(&src);
    assert!(out.lines().all(|l| l.len() <= breaking::WIDTH), "{out}");
    assert!(out.starts_with("print(\n    \"x\",\n    run(\n        \"tool\",\n        [\n"));
    assert!(out.ends_with("        ],\n    ),\n)\n"), "{out}");
}

#[test]
fn opens_up_a_group_written_with_a_trailing_comma() {
    assert_eq!(
        fmt("let m = {\"a\": 1, \"b\": 2,}\n"),
        "let m = {\n    \"a\": 1,\n    \"b\": 2,\n}\n"
    );
    // No comma is added after a comprehension or inside a plain group.
    let long = format!(
        "let xs = [x * {0} for x in range({0}) if x > {0}]\n",
        "n".repeat(40)
    );
    let out = fmt(&long);
    assert!(out.contains("for x in range") && !out.contains("],") && !out.contains("0,\n]"));
}

#[test]
fn strings_and_fstrings_are_kept_verbatim() {
    let src =
        "let s = f\"{ a[\"k\"] :>10}  x\"+\"  y  \"\nprint(\"\\u{41}\"  ,  \"multi\nline\")\n";
    assert_eq!(
        fmt(src),
        "let s = f\"{ a[\"k\"] :>10}  x\" + \"  y  \"\nprint(\"\\u{41}\", \"multi\nline\")\n"
    );
}

#[test]
fn sh_commands_are_kept_verbatim_with_their_interpolations() {
    let src = "let c = sh\"a  {d[\"}\"]}  |  b\"+[\"x\"]\nprint(  c  )\n";
    assert_eq!(
        fmt(src),
        "let c = sh\"a  {d[\"}\"]}  |  b\" + [\"x\"]\nprint(c)\n"
    );
}

#[test]
fn refuses_what_does_not_parse() {
    assert_eq!(format("let = 1\n"), Err(FormatError::Syntax));
    assert_eq!(format("print(\"x)\n"), Err(FormatError::Syntax));
}

#[test]
fn keeps_maps_and_blocks_apart() {
    assert_eq!(
        fmt("let m={}\nif k in {\"a\":1}{print(m)}\nlet f=fn(x){x+1}\n"),
        "let m = {}\nif k in {\"a\": 1} { print(m) }\nlet f = fn(x) { x + 1 }\n"
    );
    assert_eq!(fmt("xs[1:-1]\nxs[::2]\n"), "xs[1:-1]\nxs[::2]\n");
}

#[test]
fn a_file_that_says_fmt_off_first_is_left_alone() {
    let off = "# A fixture\n# fmt: off\nlet   x=1\n";
    assert_eq!(format(off).unwrap(), off);
    // Below the first code line it is an ordinary comment.
    let late = "let   x=1\n# fmt: off\nlet   y=2\n";
    assert_eq!(format(late).unwrap(), "let x = 1\n# fmt: off\nlet y = 2\n");
}

/// A one-line lambda body on a line too long is opened up as a block
/// (its inside on a line of its own), not at its parameters: the first
/// run used to print `fn(\n x,\n) { return f(` and the second moved the
/// `return` to its own line.
#[test]
fn a_long_one_line_block_opens_up_as_a_block() {
    let src = "let ys = map_all(xs, fn(x) { return some_function_with_a_long_name(x, \"a fairly long string argument\", another_argument_here, 12345) })\n";
    assert_eq!(
        fmt(src),
        "let ys = map_all(\n    xs,\n    fn(x) {\n        return some_function_with_a_long_name(\n            x,\n            \"a fairly long string argument\",\n            another_argument_here,\n            12345,\n        )\n    },\n)\n"
    );
    let src = "if n > 2 { print(\"this is a fairly long message that goes on\", n, \"and on and on and on\", n * 2, \"end\") }\n";
    assert_eq!(
        fmt(src),
        "if n > 2 {\n    print(\"this is a fairly long message that goes on\", n, \"and on and on and on\", n * 2, \"end\")\n}\n"
    );
    // A block that fits stays on its line.
    let src = "let fs = [fn(a) { return a + 1 }, fn(b) { return compute_something_long(b, \"with a long string argument here\", b * 2) }]\n";
    assert_eq!(
        fmt(src),
        "let fs = [\n    fn(a) { return a + 1 },\n    fn(b) { return compute_something_long(b, \"with a long string argument here\", b * 2) },\n]\n"
    );
}
