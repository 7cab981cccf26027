//! f-string format specs: Python's format mini-language,
//! `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`, and
//! Python's `repr(float)`.
//!
//! This is a port of CPython 3.11's `Python/formatter_unicode.c` (spec
//! parsing, padding, grouping) and of `format_float_short` in
//! `Python/pystrtod.c` (laying out digits). No crate implements Python's
//! rules; the digits themselves come from the standard library, which
//! gives correctly rounded digits to any precision and the shortest
//! round-tripping digits (see `shortest` for the one rule fixed on top).
//! `tests/parity/format_table.*` checks all of it against CPython.

use super::value::Value;
use crate::runtime::error::{value_error, ErrorObj, ErrorRef};
use float::Layout;

mod float;
pub(crate) use float::float_repr;

/// Largest width or precision accepted. CPython allows more (it is
/// limited by memory); a spec past this is a `ValueError` so that a typo
/// cannot ask for gigabytes.
pub(crate) const MAX_FORMAT_WIDTH: usize = 1_000_000;

/// Digit grouping: none, or a separator every `len` digits.
#[derive(Clone, Copy, PartialEq)]
enum Grouping {
    None,
    Comma,
    Underscore,
}

struct Spec {
    fill: char,
    align: char,
    sign: Option<char>,
    no_neg_0: bool,
    alt: bool,
    width: Option<usize>,
    grouping: Grouping,
    precision: Option<usize>,
    /// `None` is Python's `'\0'`: no type given.
    ty: Option<char>,
}

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '^' | '=')
}

/// Reads a run of digits at `*i`; `None` if there is none.
fn integer(chars: &[char], i: &mut usize, what: &str) -> Result<Option<usize>, ErrorRef> {
    let start = *i;
    let mut n: usize = 0;
    while *i < chars.len() && chars[*i].is_ascii_digit() {
        let d = chars[*i] as usize - '0' as usize;
        n = n.saturating_mul(10).saturating_add(d);
        *i += 1;
    }
    if *i == start {
        return Ok(None);
    }
    if n > MAX_FORMAT_WIDTH {
        let text: String = chars[start..*i].iter().collect();
        return Err(value_error(format!(
            "format {what} {text} is too big (the limit is {MAX_FORMAT_WIDTH})"
        )));
    }
    Ok(Some(n))
}

/// `parse_internal_render_format_spec`: `default_ty` and `default_align`
/// depend on the value's type (`d`/`>` for ints, none/`>` for floats,
/// `s`/`<` for strings).
fn parse(
    spec: &str,
    type_name: &str,
    default_ty: Option<char>,
    default_align: char,
) -> Result<Spec, ErrorRef> {
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut s = Spec {
        fill: ' ',
        align: default_align,
        sign: None,
        no_neg_0: false,
        alt: false,
        width: None,
        grouping: Grouping::None,
        precision: None,
        ty: default_ty,
    };
    let mut fill_given = false;
    let mut align_given = false;
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = chars[0];
        s.align = chars[1];
        fill_given = true;
        align_given = true;
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        s.align = chars[0];
        align_given = true;
        i = 1;
    }
    let at = |i: usize, c: char| chars.get(i) == Some(&c);
    if let Some(&c @ ('+' | '-' | ' ')) = chars.get(i) {
        s.sign = Some(c);
        i += 1;
    }
    if at(i, 'z') {
        s.no_neg_0 = true;
        i += 1;
    }
    if at(i, '#') {
        s.alt = true;
        i += 1;
    }
    // A `0` before the width means zero padding after the sign, unless a
    // fill was given (then it is just part of the width).
    if !fill_given && at(i, '0') {
        s.fill = '0';
        if !align_given && default_align == '>' {
            s.align = '=';
        }
        i += 1;
    }
    s.width = integer(&chars, &mut i, "width")?;
    if at(i, ',') {
        s.grouping = Grouping::Comma;
        i += 1;
    }
    if at(i, '_') {
        if s.grouping != Grouping::None {
            return Err(value_error("cannot specify both ',' and '_'"));
        }
        s.grouping = Grouping::Underscore;
        i += 1;
    }
    if at(i, ',') && s.grouping == Grouping::Underscore {
        return Err(value_error("cannot specify both ',' and '_'"));
    }
    if at(i, '.') {
        i += 1;
        s.precision = integer(&chars, &mut i, "precision")?;
        if s.precision.is_none() {
            return Err(value_error("format specifier missing precision"));
        }
    }
    if chars.len() - i > 1 {
        return Err(value_error(format!(
            "invalid format specifier `{spec}` for a value of type `{type_name}`"
        )));
    }
    if let Some(&c) = chars.get(i) {
        s.ty = Some(c);
    }
    if s.grouping != Grouping::None {
        check_grouping(&s)?;
    }
    Ok(s)
}

/// Which types take `,` or `_` (PEP 378 and PEP 515).
fn check_grouping(s: &Spec) -> Result<(), ErrorRef> {
    match s.ty {
        None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => Ok(()),
        Some('b' | 'o' | 'x' | 'X') if s.grouping == Grouping::Underscore => Ok(()),
        Some(t) => {
            let sep = if s.grouping == Grouping::Comma {
                ','
            } else {
                '_'
            };
            Err(value_error(format!("cannot specify '{sep}' with '{t}'")))
        }
    }
}

fn unknown_type(ty: char, type_name: &str) -> ErrorRef {
    value_error(format!(
        "unknown format code '{}' for a value of type `{type_name}`",
        ty.escape_debug()
    ))
}

pub(crate) fn format_spec(v: &Value, spec: &str) -> Result<String, ErrorRef> {
    if spec.is_empty() {
        return v.try_display();
    }
    match v {
        Value::Int(n) => format_int(*n, spec),
        Value::Float(f) => {
            let s = parse(spec, "float", None, '>')?;
            match s.ty {
                None | Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') => {
                    Ok(format_float(*f, &s))
                }
                Some(t) => Err(unknown_type(t, "float")),
            }
        }
        // Values that are not numbers format their text as a string does.
        _ => format_str(&v.try_display()?, v.type_name(), spec),
    }
}

fn format_str(text: &str, type_name: &str, spec: &str) -> Result<String, ErrorRef> {
    let s = parse(spec, type_name, Some('s'), '<')?;
    if let Some(t) = s.ty.filter(|t| *t != 's') {
        return Err(unknown_type(t, type_name));
    }
    let refuse = |what: &str| {
        Err(value_error(format!(
            "{what} not allowed in string format specifier"
        )))
    };
    if s.sign.is_some() {
        return refuse("sign");
    }
    if s.no_neg_0 {
        return refuse("negative zero coercion (z)");
    }
    if s.alt {
        return refuse("alternate form (#)");
    }
    if s.align == '=' {
        return refuse("'=' alignment");
    }
    let body: String = match s.precision {
        Some(p) => text.chars().take(p).collect(),
        None => text.to_string(),
    };
    let len = body.chars().count();
    let pad = s.width.unwrap_or(0).saturating_sub(len);
    let left = match s.align {
        '>' => pad,
        '^' => pad / 2,
        _ => 0,
    };
    Ok(pad_around(&body, s.fill, left, pad - left))
}

fn pad_around(body: &str, fill: char, left: usize, right: usize) -> String {
    let mut out = String::with_capacity(body.len() + left + right);
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(body);
    out.extend(std::iter::repeat_n(fill, right));
    out
}

fn format_int(n: i64, spec: &str) -> Result<String, ErrorRef> {
    let s = parse(spec, "int", Some('d'), '>')?;
    let ty = s.ty.unwrap_or('d');
    match ty {
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => return Ok(format_float(n as f64, &s)),
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => {}
        t => return Err(unknown_type(t, "int")),
    }
    if s.precision.is_some() {
        return Err(value_error(
            "precision not allowed in integer format specifier",
        ));
    }
    if s.no_neg_0 {
        return Err(value_error(
            "negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if ty == 'c' {
        return format_char(n, &s);
    }
    let abs = n.unsigned_abs();
    let (digits, prefix) = match ty {
        'b' => (format!("{abs:b}"), "0b"),
        'o' => (format!("{abs:o}"), "0o"),
        'x' => (format!("{abs:x}"), "0x"),
        'X' => (format!("{abs:X}"), "0X"),
        _ => (abs.to_string(), ""),
    };
    let group = match (s.grouping, ty) {
        (Grouping::None, _) | (_, 'n') => None,
        (Grouping::Comma, _) => Some((3, ',')),
        (Grouping::Underscore, 'b' | 'o' | 'x' | 'X') => Some((4, '_')),
        (Grouping::Underscore, _) => Some((3, '_')),
    };
    let number = Number {
        negative: n < 0,
        prefix: if s.alt { prefix } else { "" },
        digits: &digits,
        decimal: false,
        rest: "",
    };
    Ok(fill_number(&number, &s, group))
}

/// `{n:c}`: the character with that code point.
fn format_char(n: i64, s: &Spec) -> Result<String, ErrorRef> {
    if s.sign.is_some() {
        return Err(value_error(
            "sign not allowed with integer format specifier 'c'",
        ));
    }
    if s.alt {
        return Err(value_error(
            "alternate form (#) not allowed with integer format specifier 'c'",
        ));
    }
    if !(0..=0x10ffff).contains(&n) {
        return Err(ErrorObj::new(
            "OverflowError",
            "%c arg not in range(0x110000)",
        ));
    }
    let c = char::from_u32(n as u32)
        .ok_or_else(|| value_error(format!("{n:#x} is a surrogate, not a character")))?;
    let text = c.to_string();
    // The character is all "rest": it is never zero-padded or grouped.
    let number = Number {
        negative: false,
        prefix: "",
        digits: "",
        decimal: false,
        rest: &text,
    };
    Ok(fill_number(&number, s, None))
}

/// A number split the way `calc_number_widths` sees it:
/// `<sign><prefix><digits>[.]<rest>`.
struct Number<'a> {
    negative: bool,
    prefix: &'a str,
    /// The integer digits, which grouping and zero padding apply to.
    digits: &'a str,
    decimal: bool,
    /// After the decimal point: fraction, exponent, `%`, or `inf`/`nan`.
    rest: &'a str,
}

/// `calc_number_widths` + `fill_number`: sign, padding and grouping.
fn fill_number(n: &Number, s: &Spec, group: Option<(usize, char)>) -> String {
    let sign = match (n.negative, s.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    };
    let width = s.width.map_or(-1, |w| w as isize);
    let fixed = sign.len() + n.prefix.len() + usize::from(n.decimal) + n.rest.chars().count();
    let fixed = fixed as isize;
    let min_width = if s.fill == '0' && s.align == '=' {
        width - fixed
    } else {
        0
    };
    let grouped = if n.digits.is_empty() {
        String::new()
    } else {
        group_digits(n.digits, min_width, group)
    };
    let padding = (width - fixed - grouped.chars().count() as isize).max(0) as usize;
    let (left, inner, right) = match s.align {
        '<' => (0, 0, padding),
        '^' => (padding / 2, 0, padding - padding / 2),
        '=' => (0, padding, 0),
        _ => (padding, 0, 0),
    };
    let mut out = String::new();
    out.extend(std::iter::repeat_n(s.fill, left));
    out.push_str(sign);
    out.push_str(n.prefix);
    out.extend(std::iter::repeat_n(s.fill, inner));
    out.push_str(&grouped);
    if n.decimal {
        out.push('.');
    }
    out.push_str(n.rest);
    out.extend(std::iter::repeat_n(s.fill, right));
    out
}

/// `_PyUnicode_InsertThousandsGrouping`: separators every `len` digits,
/// and leading zeros (grouped too) up to `min_width` characters.
fn group_digits(digits: &str, min_width: isize, group: Option<(usize, char)>) -> String {
    let digits = digits.as_bytes();
    let mut remaining = digits.len() as isize;
    let mut min_width = min_width;
    // Built right to left, then reversed.
    let mut out: Vec<u8> = Vec::with_capacity(digits.len() * 2);
    let mut use_sep = false;
    let put = |out: &mut Vec<u8>, remaining: isize, l: isize, sep: Option<char>| {
        let zeros = (l - remaining).max(0);
        let chars = remaining.min(l).max(0);
        if let Some(sep) = sep {
            out.push(sep as u8);
        }
        let end = remaining as usize;
        out.extend(digits[end - chars as usize..end].iter().rev());
        out.extend(std::iter::repeat_n(b'0', zeros as usize));
        chars
    };
    let mut done = false;
    if let Some((len, sep)) = group {
        let len = len as isize;
        loop {
            let l = len.min(remaining.max(min_width).max(1));
            remaining -= put(&mut out, remaining, l, use_sep.then_some(sep));
            use_sep = true;
            min_width -= len;
            if remaining <= 0 && min_width <= 0 {
                done = true;
                break;
            }
            min_width -= 1;
        }
    }
    if !done {
        let l = remaining.max(min_width).max(1);
        let sep = group.filter(|_| use_sep).map(|(_, c)| c);
        put(&mut out, remaining, l, sep);
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

/// `format_float_internal`: a float (or an int under a float type).
fn format_float(x: f64, s: &Spec) -> String {
    let upper = matches!(s.ty, Some('E' | 'F' | 'G'));
    let (code, add_dot_0) = match s.ty {
        None if s.precision.is_none() => ('r', true),
        None => ('g', true),
        Some('n') => ('g', false),
        Some('%') => ('f', false),
        Some(t) => (t.to_ascii_lowercase(), false),
    };
    let percent = s.ty == Some('%');
    let value = if percent { x * 100.0 } else { x };
    let layout = Layout {
        code,
        precision: s.precision.unwrap_or(6),
        alt: s.alt,
        add_dot_0,
        no_neg_0: s.no_neg_0,
        upper,
    };
    let mut text = layout.render(value);
    if percent {
        text.push('%');
    }
    // `parse_number`: leading digits, then an optional `.`, then the rest.
    let negative = text.starts_with('-');
    let body = if negative { &text[1..] } else { &text[..] };
    let int_len = body.bytes().take_while(u8::is_ascii_digit).count();
    let decimal = body[int_len..].starts_with('.');
    let rest = &body[int_len + usize::from(decimal)..];
    let group = match s.grouping {
        Grouping::None => None,
        Grouping::Comma => Some((3, ',')),
        Grouping::Underscore => Some((3, '_')),
    };
    let number = Number {
        negative,
        prefix: "",
        digits: &body[..int_len],
        decimal,
        rest,
    };
    fill_number(&number, s, group)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: Value, spec: &str) -> String {
        format_spec(&v, spec).unwrap()
    }

    #[test]
    fn specs_like_python() {
        assert_eq!(f(Value::Float(1.23456), ".2f"), "1.23");
        assert_eq!(f(Value::Int(42), "08d"), "00000042");
        assert_eq!(f(Value::Int(-42), "08d"), "-0000042");
        assert_eq!(f(Value::str("ab"), ">8"), "      ab");
        assert_eq!(f(Value::str("ab"), "<8"), "ab      ");
        assert_eq!(f(Value::Int(1234567), ","), "1,234,567");
        assert_eq!(f(Value::str("ab"), "*^6"), "**ab**");
        assert_eq!(f(Value::Int(1234), "08,"), "0,001,234");
        assert_eq!(f(Value::Float(1.5), " .1f"), " 1.5");
        assert_eq!(f(Value::Float(-0.0), ".1e"), "-0.0e+00");
        assert_eq!(f(Value::Float(-0.0), "z.1f"), "0.0");
        assert_eq!(f(Value::Float(1e16), ","), "1e+16");
        assert_eq!(f(Value::Float(1234.5678), ".3"), "1.23e+03");
        assert_eq!(f(Value::Float(f64::INFINITY), "F"), "INF");
        assert_eq!(f(Value::Float(f64::NAN), "010"), "0000000nan");
        assert_eq!(f(Value::Int(255), "#010_b"), "0b1111_1111");
    }

    #[test]
    fn huge_precision_is_produced_not_a_panic() {
        let s = f(Value::Float(1.5), ".70000f");
        assert_eq!(s.len(), 70002);
        assert!(s.starts_with("1.5000"));
        assert_eq!(f(Value::Float(1.5), ".70000e").len(), 70006);
        assert!(format_spec(&Value::Float(1.5), ".1000001f").is_err());
    }

    #[test]
    fn repr_breaks_ties_to_even() {
        assert_eq!(float_repr(1e15 + 0.25), "1000000000000000.2");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1e-5), "1e-05");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(5e-324), "5e-324");
        assert_eq!(float_repr(123456789012345680.0), "1.2345678901234568e+17");
    }
}
