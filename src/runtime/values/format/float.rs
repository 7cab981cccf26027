//! Laying out a float's digits: CPython's `format_float_short`
//! (`Python/pystrtod.c`), under `repr(float)` and the `e`/`f`/`g`/`%`
//! format types.

/// Python's `repr(float)` (and `str`): shortest round-tripping digits,
/// `1e+16` and `1e-05` style past 16 integer digits or 4 leading zeros.
pub(crate) fn float_repr(x: f64) -> String {
    Layout {
        code: 'r',
        precision: 0,
        alt: false,
        add_dot_0: true,
        no_neg_0: false,
        upper: false,
    }
    .render(x)
}

/// The arguments of CPython's `format_float_short`.
pub(super) struct Layout {
    /// `e`, `f`, `g` or `r` (repr).
    pub(super) code: char,
    pub(super) precision: usize,
    pub(super) alt: bool,
    pub(super) add_dot_0: bool,
    pub(super) no_neg_0: bool,
    pub(super) upper: bool,
}

impl Layout {
    pub(super) fn render(&self, x: f64) -> String {
        if x.is_nan() {
            // The sign of a NaN is never shown.
            return if self.upper { "NAN" } else { "nan" }.to_string();
        }
        if x.is_infinite() {
            let sign = if x < 0.0 { "-" } else { "" };
            return format!("{sign}{}", if self.upper { "INF" } else { "inf" });
        }
        let a = x.abs();
        let (digits, decpt, precision) = match self.code {
            'e' => {
                let (d, p) = significant(a, self.precision + 1);
                (d, p, self.precision + 1)
            }
            'f' => {
                let (d, p) = fixed(a, self.precision);
                (d, p, self.precision)
            }
            'g' => {
                let n = self.precision.max(1);
                let (d, p) = significant(a, n);
                (d, p, n)
            }
            _ => {
                let (d, p) = shortest(a);
                (d, p, 0)
            }
        };
        let negative = x.is_sign_negative() && !(self.no_neg_0 && digits == "0");
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        self.lay_out(&mut out, &digits, decpt, precision as isize);
        out
    }

    /// The digit string `digits` is `0.digits × 10^decpt`; write it with
    /// the zeros, point and exponent that the presentation type asks for.
    fn lay_out(&self, out: &mut String, digits: &str, mut decpt: isize, precision: isize) {
        let digits_len = digits.len() as isize;
        let mut vdigits_end = digits_len;
        let mut use_exp = false;
        match self.code {
            'e' => {
                use_exp = true;
                vdigits_end = precision;
            }
            'f' => vdigits_end = decpt + precision,
            'g' => {
                let limit = if self.add_dot_0 {
                    precision - 1
                } else {
                    precision
                };
                use_exp = decpt <= -4 || decpt > limit;
                if self.alt {
                    vdigits_end = precision;
                }
            }
            _ => use_exp = decpt <= -4 || decpt > 16,
        }
        let mut exp = 0;
        if use_exp {
            exp = decpt - 1;
            decpt = 1;
        }
        let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
        let least = if !use_exp && self.add_dot_0 {
            decpt + 1
        } else {
            decpt
        };
        let vdigits_end = vdigits_end.max(least);
        let zeros =
            |out: &mut String, n: isize| out.extend(std::iter::repeat_n('0', n.max(0) as usize));
        if decpt <= 0 {
            zeros(out, decpt - vdigits_start);
            out.push('.');
            zeros(out, -decpt);
        } else {
            zeros(out, -vdigits_start);
        }
        if 0 < decpt && decpt <= digits_len {
            out.push_str(&digits[..decpt as usize]);
            out.push('.');
            out.push_str(&digits[decpt as usize..]);
        } else {
            out.push_str(digits);
        }
        if digits_len < decpt {
            zeros(out, decpt - digits_len);
            out.push('.');
            zeros(out, vdigits_end - decpt);
        } else {
            zeros(out, vdigits_end - digits_len);
        }
        if out.ends_with('.') && !self.alt {
            out.pop();
        }
        if use_exp {
            out.push(if self.upper { 'E' } else { 'e' });
            let sign = if exp < 0 { '-' } else { '+' };
            out.push_str(&format!("{sign}{:02}", exp.abs()));
        }
    }
}

/// Splits `d.ddddde[-]x` (Rust's `{:e}`) into digits without trailing
/// zeros and the decimal point position (`0.digits × 10^decpt`).
fn split_sci(s: &str) -> (String, isize) {
    let (mantissa, exp) = s.split_once('e').expect("exponent");
    let exp: isize = exp.parse().expect("exponent digits");
    let mut digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    if digits == "0" {
        return (digits, 1);
    }
    (digits, exp + 1)
}

/// Shortest digits that read back as `a` (dtoa mode 0). The standard
/// library finds the shortest length, but when two candidates of that
/// length are equally near it takes the upper one; CPython takes the even
/// one (`1e15 + 0.25` is `1000000000000000.2`). The correctly rounded
/// string of the same length (the standard library rounds half to even)
/// is that one whenever it reads back as `a`.
///
/// Only 16 or more digits can hide a tie: a tie puts `a` exactly halfway
/// between two decimals less than an ulp apart, so its exact expansion
/// ends one digit later, and a normal double (53 bits) has at least 17
/// significant digits when written out exactly (a subnormal has hundreds).
/// Shorter results skip the second formatting.
fn shortest(a: f64) -> (String, isize) {
    let short = format!("{a:e}");
    let (digits, decpt) = split_sci(&short);
    if digits.len() >= 16 {
        let exact = format!("{a:.*e}", digits.len() - 1);
        if exact != short && exact.parse::<f64>() == Ok(a) {
            return split_sci(&exact);
        }
    }
    (digits, decpt)
}

/// `n` significant digits, correctly rounded (dtoa mode 2). A double has
/// at most 767 significant decimal digits, so asking for more only adds
/// zeros, which are stripped anyway.
fn significant(a: f64, n: usize) -> (String, isize) {
    split_sci(&format!("{a:.*e}", n.min(800) - 1))
}

/// Digits correctly rounded to `n` places after the point (dtoa mode 3).
/// A double's exact expansion ends within 1074 places.
fn fixed(a: f64, n: usize) -> (String, isize) {
    let text = format!("{a:.*}", n.min(1100));
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let all = format!("{int}{frac}");
    let lead = all.bytes().take_while(|b| *b == b'0').count();
    let mut digits = all[lead..].to_string();
    while digits.ends_with('0') {
        digits.pop();
    }
    if digits.is_empty() {
        return ("0".to_string(), 1);
    }
    (digits, int.len() as isize - lead as isize)
}
