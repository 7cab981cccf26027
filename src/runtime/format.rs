//! f-string format specs: a useful subset of Python's mini-language
//! (`[[fill]align][sign][0][width][,][.precision][type]`).

use super::error::{value_error, ErrorRef};
use super::value::{format_float, Value};

struct Spec {
    fill: char,
    align: Option<char>,
    sign: Option<char>,
    zero: bool,
    width: usize,
    comma: bool,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse(spec: &str) -> Option<Spec> {
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut s = Spec {
        fill: ' ',
        align: None,
        sign: None,
        zero: false,
        width: 0,
        comma: false,
        precision: None,
        ty: None,
    };
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = chars[0];
        s.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if i < chars.len() && matches!(chars[i], '+' | '-' | ' ') {
        s.sign = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '0' {
        s.zero = true;
        i += 1;
    }
    let start = i;
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    if i > start {
        s.width = chars[start..i].iter().collect::<String>().parse().ok()?;
    }
    if i < chars.len() && chars[i] == ',' {
        s.comma = true;
        i += 1;
    }
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        s.precision = Some(chars[start..i].iter().collect::<String>().parse().ok()?);
    }
    if i < chars.len() {
        s.ty = Some(chars[i]);
        i += 1;
    }
    (i == chars.len()).then_some(s)
}

fn group_thousands(digits: &str) -> String {
    let (int, frac) = match digits.find('.') {
        Some(p) => (&digits[..p], &digits[p..]),
        None => (digits, ""),
    };
    let mut out = String::new();
    for (n, c) in int.chars().enumerate() {
        if n > 0 && (int.len() - n) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out + frac
}

pub fn format_spec(v: &Value, spec: &str) -> Result<String, ErrorRef> {
    let bad = || {
        value_error(format!(
            "invalid format spec `{spec}` for a value of type `{}`",
            v.type_name()
        ))
    };
    let s = parse(spec).ok_or_else(bad)?;
    let numeric = matches!(v, Value::Int(_) | Value::Float(_));
    let (negative, body) = match (v, s.ty) {
        (Value::Int(n), None | Some('d')) if s.precision.is_none() => {
            (*n < 0, n.unsigned_abs().to_string())
        }
        (Value::Int(_) | Value::Float(_), Some('f' | 'F' | 'e' | '%') | None) => {
            let f = match v {
                Value::Int(n) => *n as f64,
                Value::Float(f) => *f,
                _ => unreachable!(),
            };
            let p = s.precision.unwrap_or(6);
            let body = match s.ty {
                Some('e') => {
                    let t = format!("{:.*e}", p, f.abs());
                    let (m, e) = t.split_once('e').unwrap_or((&t, "0"));
                    let e: i32 = e.parse().unwrap_or(0);
                    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
                }
                Some('%') => format!("{:.*}%", p, f.abs() * 100.0),
                None if s.precision.is_none() => format_float(f.abs()),
                _ => format!("{:.*}", p, f.abs()),
            };
            (f.is_sign_negative() && f != 0.0, body)
        }
        (Value::Int(n), Some('x')) => (*n < 0, format!("{:x}", n.unsigned_abs())),
        (Value::Int(n), Some('b')) => (*n < 0, format!("{:b}", n.unsigned_abs())),
        (_, None | Some('s')) if !numeric => {
            let mut t = v.to_display();
            if let Some(p) = s.precision {
                t = t.chars().take(p).collect();
            }
            (false, t)
        }
        _ => return Err(bad()),
    };
    let body = if s.comma {
        group_thousands(&body)
    } else {
        body
    };
    let sign = match (negative, s.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    };
    let len = sign.chars().count() + body.chars().count();
    if len >= s.width {
        return Ok(format!("{sign}{body}"));
    }
    let pad = s.width - len;
    let (fill, align) = if s.zero && s.align.is_none() && numeric {
        ('0', '=')
    } else {
        (s.fill, s.align.unwrap_or(if numeric { '>' } else { '<' }))
    };
    let fills = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    Ok(match align {
        '<' => format!("{sign}{body}{}", fills(pad)),
        '^' => format!("{}{sign}{body}{}", fills(pad / 2), fills(pad - pad / 2)),
        '=' => format!("{sign}{}{body}", fills(pad)),
        _ => format!("{}{sign}{body}", fills(pad)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_like_python() {
        assert_eq!(format_spec(&Value::Float(1.23456), ".2f").unwrap(), "1.23");
        assert_eq!(format_spec(&Value::Int(42), "08d").unwrap(), "00000042");
        assert_eq!(format_spec(&Value::Int(-42), "08d").unwrap(), "-0000042");
        assert_eq!(format_spec(&Value::str("ab"), ">8").unwrap(), "      ab");
        assert_eq!(format_spec(&Value::str("ab"), "<8").unwrap(), "ab      ");
        assert_eq!(format_spec(&Value::Int(1234567), ",").unwrap(), "1,234,567");
        assert_eq!(format_spec(&Value::str("ab"), "*^6").unwrap(), "**ab**");
    }
}
