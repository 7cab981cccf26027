use super::*;
use crate::{ScriptError, Str};
use std::cell::RefCell;
use std::io::Write as _;
use std::process::{Command, Stdio};

fn map(pairs: Vec<(Key, Value)>) -> Value {
    Value::Map(Rc::new(RefCell::new(pairs.into_iter().collect())))
}

fn s(text: &str) -> Value {
    Value::str(text)
}

fn compact(v: &Value) -> String {
    stringify(v, None).expect("stringify")
}

#[test]
fn parse_builds_maps_in_document_order_and_lists() {
    let v = parse(r#" {"b": 1, "a": [1.5, true, null, "x"], "e": {}, "l": []} "#).unwrap();
    assert_eq!(
        v.repr(),
        r#"{"b": 1, "a": [1.5, true, nil, "x"], "e": {}, "l": []}"#
    );
    // A repeated key keeps its first place and its last value (Python's dict).
    assert_eq!(
        parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap().repr(),
        r#"{"a": 3, "b": 2}"#
    );
}

#[test]
fn parse_numbers_as_python_does_where_they_fit() {
    let kinds = |t: &str| {
        let v = parse(t).unwrap();
        format!("{} {}", v.type_name(), v.repr())
    };
    assert_eq!(kinds("42"), "int 42");
    // `-0` is an int, as in Python (it was the float -0.0 with serde_json).
    assert_eq!(kinds("-0"), "int 0");
    assert_eq!(kinds("-0.0"), "float -0.0");
    assert_eq!(kinds("-0e0"), "float -0.0");
    // What `json.loads` accepts beyond JSON.
    assert_eq!(kinds("NaN"), "float nan");
    assert_eq!(kinds("Infinity"), "float inf");
    assert_eq!(kinds("-Infinity"), "float -inf");
    assert_eq!(kinds("1e400"), "float inf");
    assert_eq!(kinds("-1e400"), "float -inf");
    assert_eq!(kinds("1e-400"), "float 0.0");
    assert_eq!(kinds("1e2"), "float 100.0");
    assert_eq!(kinds("9223372036854775807"), "int 9223372036854775807");
    assert_eq!(kinds("-9223372036854775808"), "int -9223372036854775808");
    // Past i64: a float (Python keeps an exact int; documented difference).
    assert_eq!(kinds("9223372036854775808"), "float 9.223372036854776e+18");
    assert_eq!(
        kinds("123456789012345678901234"),
        "float 1.2345678901234569e+23"
    );
    // Correctly rounded, as Python's float().
    assert_eq!(kinds("0.30000000000000004"), "float 0.30000000000000004");
    assert_eq!(
        kinds("2.2250738585072011e-308"),
        "float 2.225073858507201e-308"
    );
}

#[test]
fn parse_errors_say_where() {
    let err = |t: &str| parse(t).unwrap_err();
    let e = err("[1,]");
    assert_eq!((e.line, e.column, e.char), (1, 4, 3));
    assert_eq!(e.to_string(), "Expecting value: line 1 column 4 (char 3)");
    let e = err("\n  [1, 2\n   x]");
    assert_eq!((e.line, e.column), (3, 4));
    assert_eq!(e.message, "Expecting ',' delimiter");
    let e = err("");
    assert_eq!((e.line, e.column, e.char), (1, 1, 0));
    assert_eq!(e.message, "Expecting value");
    let e = err("[1] 2");
    assert_eq!(e.message, "Extra data");
    assert_eq!((e.line, e.column), (1, 5));
    // Columns count characters, not bytes.
    let e = err("[\"éé\" x]");
    assert_eq!((e.line, e.column, e.char), (1, 7, 6));
    for bad in [
        "nan",
        "inf",
        "-",
        "+1",
        "\"\\ud800\"",
        "{1: 2}",
        "[\"a\nb\"]",
        "'a'",
    ] {
        assert!(parse(bad).is_err(), "{bad} should not parse");
    }
    let deep = "[".repeat(200) + &"]".repeat(200);
    assert_eq!(
        parse(&deep).unwrap_err().message,
        "lists and maps nested more than 128 deep"
    );
    let ok = "[".repeat(128) + &"]".repeat(128);
    assert!(parse(&ok).is_ok());
}

/// Python's `str(JSONDecodeError)` for each text, or `ok`.
fn python_errors(texts: &[&str]) -> Vec<String> {
    let program = r#"
import json, sys
for t in json.loads(sys.stdin.read()):
    try:
        json.loads(t)
        print("ok")
    except json.JSONDecodeError as e:
        print(e)
"#;
    let mut child = Command::new("python3")
        .args(["-c", program])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 (CPython 3.11) on the PATH");
    let list = Value::list(texts.iter().map(|t| s(t)).collect());
    let input = compact(&list);
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "python3 failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn parse_errors_match_cpython_message_and_place() {
    let texts = [
        "",
        " ",
        "x",
        "[",
        "[1",
        "[1,",
        "[1,]",
        "[1 2]",
        "{",
        "{\"a\"",
        "{\"a\" 1}",
        "{\"a\": }",
        "{\"a\": 1,}",
        "{\"a\": 1 \"b\": 2}",
        "{1: 2}",
        "[1] 2",
        "\"abc",
        "\"a\\",
        "\"a\\q\"",
        "\"a\tb\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\u",
        "1.",
        "1.e5",
        "1e",
        "01",
        "-",
        "-a",
        "--1",
        "tru",
        "nul",
        "NaNx",
        "Infinit",
        "-Inf",
        "\n\n  [1,\n  ,]",
        "[\"é\", x]",
        "1e400",
        "-0",
        "NaN",
        "{\"é\": [1, {\"b\": tru}]}",
    ];
    let theirs = python_errors(&texts);
    assert_eq!(theirs.len(), texts.len());
    for (text, py) in texts.iter().zip(&theirs) {
        let ours = match parse(text) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        assert_eq!(&ours, py, "json.parse({text:?})");
    }
}

#[test]
fn stringify_matches_python_without_and_with_indent() {
    let v = map(vec![
        (Key::Str("b".into()), Value::Int(1)),
        (
            Key::Str("a".into()),
            Value::list(vec![
                Value::Float(1.5),
                Value::Bool(true),
                Value::Nil,
                s("x"),
            ]),
        ),
        (Key::Str("e".into()), map(vec![])),
        (Key::Str("l".into()), Value::list(vec![])),
    ]);
    assert_eq!(
        compact(&v),
        r#"{"b": 1, "a": [1.5, true, null, "x"], "e": {}, "l": []}"#
    );
    assert_eq!(
        stringify(&v, Some(2)).unwrap(),
        "{\n  \"b\": 1,\n  \"a\": [\n    1.5,\n    true,\n    null,\n    \"x\"\n  ],\n  \"e\": {},\n  \"l\": []\n}"
    );
    let nested = Value::list(vec![
        Value::Int(1),
        Value::list(vec![Value::Int(2), map(vec![])]),
    ]);
    assert_eq!(
        stringify(&nested, Some(0)).unwrap(),
        "[\n1,\n[\n2,\n{}\n]\n]"
    );
    assert_eq!(stringify(&Value::Int(7), Some(4)).unwrap(), "7");
}

#[test]
fn stringify_escapes_as_ensure_ascii() {
    assert_eq!(
        compact(&s("q\"\\\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f} é\u{2028}😀")),
        r#""q\"\\\n\r\t\b\f\u0000\u001f\u007f \u00e9\u2028\ud83d\ude00""#
    );
    assert_eq!(compact(&s("")), r#""""#);
    assert_eq!(compact(&s("plain ascii ~")), r#""plain ascii ~""#);
}

#[test]
fn stringify_floats_as_repr_and_keys_as_python_converts_them() {
    let floats = [
        1e16,
        1e-5,
        0.1,
        -0.0,
        1e22,
        5e-324,
        f64::MAX,
        123456789.0,
        2.5,
    ];
    let v = Value::list(floats.into_iter().map(Value::Float).collect());
    assert_eq!(
        compact(&v),
        "[1e+16, 1e-05, 0.1, -0.0, 1e+22, 5e-324, 1.7976931348623157e+308, 123456789.0, 2.5]"
    );
    let keys = map(vec![
        (Key::Int(-3), s("a")),
        (Key::Bool(true), s("b")),
        (Key::Bool(false), s("c")),
        (Key::Str("é".into()), Value::Int(2)),
    ]);
    assert_eq!(
        compact(&keys),
        r#"{"-3": "a", "true": "b", "false": "c", "\u00e9": 2}"#
    );
}

#[test]
fn stringify_refuses_what_has_no_json_form() {
    // NaN and the infinities are written as `json.dumps` writes them,
    // and read back.
    let odd = Value::list(vec![
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(f64::NEG_INFINITY),
    ]);
    assert_eq!(compact(&odd), "[NaN, Infinity, -Infinity]");
    assert_eq!(compact(&parse(&compact(&odd)).unwrap()), compact(&odd));
    let list = Value::list(vec![Value::Int(1)]);
    if let Value::List(l) = &list {
        l.borrow_mut().push(list.clone());
    }
    let e = stringify(&list, None).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string().as_str()),
        ("ValueError", "Circular reference detected")
    );
    if let Value::List(l) = &list {
        l.borrow_mut().clear(); // break the cycle so the test does not leak it
    }
    // The same list twice, not inside itself, is fine (Python agrees).
    let shared = Value::list(vec![Value::Int(1)]);
    assert_eq!(
        compact(&Value::list(vec![shared.clone(), shared])),
        "[[1], [1]]"
    );
    let e = stringify(&Value::Error(ScriptError::value_error("x")), None).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string().as_str()),
        ("TypeError", "Object of type error is not JSON serializable")
    );
    let mut deep = Value::Nil;
    for _ in 0..MAX_DEPTH {
        deep = Value::list(vec![deep]);
    }
    assert!(stringify(&deep, None).is_ok());
    let deeper = Value::list(vec![deep]);
    assert_eq!(
        stringify(&deeper, None).unwrap_err().kind(),
        "RecursionError"
    );
}

/// xorshift64*: the same values on every run, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const CHARS: &[char] = &[
    'a',
    'Z',
    '0',
    ' ',
    '~',
    '"',
    '\\',
    '/',
    '\n',
    '\r',
    '\t',
    '\u{8}',
    '\u{c}',
    '\u{0}',
    '\u{1f}',
    '\u{7f}',
    '\u{80}',
    'é',
    'ß',
    '\u{2028}',
    '\u{fffd}',
    '\u{ffff}',
    '€',
    '中',
    '😀',
    '\u{10ffff}',
    '\u{1d11e}',
];

fn random_string(rng: &mut Rng) -> String {
    (0..rng.below(8)).map(|_| *rng.pick(CHARS)).collect()
}

fn random_float(rng: &mut Rng) -> f64 {
    const SPECIAL: &[f64] = &[
        0.0,
        -0.0,
        0.1,
        1.5,
        1e16,
        1e15,
        9999999999999998.0,
        1e-4,
        1e-5,
        1e22,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        123456789.0,
        0.30000000000000004,
        9007199254740992.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    match rng.below(3) {
        0 => *rng.pick(SPECIAL),
        1 => (rng.next() as i64 as f64) / (1u64 << rng.below(64)) as f64,
        _ => loop {
            let f = f64::from_bits(rng.next());
            if f.is_finite() {
                break f;
            }
        },
    }
}

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    let leaf = depth >= 4 || rng.below(3) > 0;
    if leaf {
        return match rng.below(6) {
            0 => Value::Nil,
            1 => Value::Bool(rng.below(2) == 0),
            2 => Value::Int(match rng.below(3) {
                0 => *rng.pick(&[0, -1, i64::MAX, i64::MIN, 1 << 53]),
                1 => rng.below(1000) as i64 - 500,
                _ => rng.next() as i64,
            }),
            3 => Value::Float(random_float(rng)),
            _ => Value::str(&random_string(rng)),
        };
    }
    let n = rng.below(5);
    if rng.below(2) == 0 {
        return Value::list((0..n).map(|_| random_value(rng, depth + 1)).collect());
    }
    let mut table = MapTable::default();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..n {
        let key = match rng.below(4) {
            0 => Key::Int(rng.next() as i64 >> rng.below(64)),
            1 => Key::Bool(rng.below(2) == 0),
            _ => Key::Str(Str::new(&random_string(rng))),
        };
        // Python's dict would merge keys that become the same text.
        let text = compact(&key.to_value());
        let text = text.trim_matches('"').to_string();
        if seen.insert(text) {
            table.insert(key, random_value(rng, depth + 1));
        }
    }
    Value::Map(Rc::new(RefCell::new(table)))
}

/// For each line of JSON on stdin, Python prints `json.dumps` of it
/// compact, with indent 2, with indent 0, and with `ensure_ascii=False`,
/// each followed by a NUL.
const PYTHON: &str = r#"
import json, sys
for line in sys.stdin.read().split("\n")[:-1]:
    v = json.loads(line)
    for text in (json.dumps(v), json.dumps(v, indent=2), json.dumps(v, indent=0),
                 json.dumps(v, ensure_ascii=False)):
        sys.stdout.write(text + "\0")
"#;

fn python_dumps(lines: &[String]) -> Vec<String> {
    let mut child = Command::new("python3")
        .args(["-c", PYTHON])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 (CPython 3.11) on the PATH");
    let mut input = lines.join("\n");
    input.push('\n');
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "python3 failed");
    let text = String::from_utf8(out.stdout).unwrap();
    text.split('\0').map(str::to_string).collect()
}

#[test]
fn round_trips_match_cpython_byte_for_byte() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let values: Vec<Value> = (0..400).map(|_| random_value(&mut rng, 0)).collect();
    let ours: Vec<String> = values.iter().map(compact).collect();
    let theirs = python_dumps(&ours);
    for (i, v) in values.iter().enumerate() {
        let [py, py2, py0, py_raw] = [0, 1, 2, 3].map(|k| &theirs[i * 4 + k]);
        assert_eq!(&ours[i], py, "json.dumps of value {i}");
        assert_eq!(&stringify(v, Some(2)).unwrap(), py2, "indent=2, value {i}");
        assert_eq!(&stringify(v, Some(0)).unwrap(), py0, "indent=0, value {i}");
        // Parsing Python's text (escaped, and raw UTF-8) gives the same value back.
        assert_eq!(&compact(&parse(py).unwrap()), py, "parse of value {i}");
        assert_eq!(&compact(&parse(py_raw).unwrap()), py, "raw parse of {i}");
        assert_eq!(&compact(&parse(py2).unwrap()), py, "indented parse of {i}");
    }
}
