//! `yaml`: `parse(text)` (one document), `parse_all(text)` (a list of
//! them) and `stringify(value)`, on saphyr: the YAML 1.2 library of the
//! yaml-rust2 maintainers, its successor and maintained (serde_yaml is
//! deprecated, serde_yml unmaintained). Reading is in `yaml_read.rs`;
//! writing is saphyr's emitter, given the forms that PyYAML (YAML 1.1)
//! reads back as the same values too.

use super::formats::{self, Open};
use super::yaml_read::documents;
use crate::{Args, Module, NativeResult, ScriptError, Value};
use saphyr::{Scalar, ScalarStyle, Tag, Yaml};
use std::borrow::Cow;

pub(crate) fn module() -> Module {
    Module::new("yaml")
        .raw("parse", |_ctx, args| parse(args))
        .raw("parse_all", |_ctx, args| parse_all(args))
        .raw("stringify", |_ctx, args| stringify(args))
}

/// The one document of the text (`nil` for none), as PyYAML's
/// `safe_load`: a second document is an error.
fn parse(mut args: Args) -> NativeResult {
    let text: String = args.next("text")?;
    args.finish()?;
    let mut docs = documents(&text)?.into_iter();
    let first = docs.next().map_or(Value::Nil, |(v, _)| v);
    if let Some((_, at)) = docs.next() {
        return Err(super::formats::parse_error(
            "YamlError",
            "a second document in the stream (yaml.parse_all reads several)",
            at.line(),
            at.col() + 1,
        ));
    }
    Ok(first)
}

fn parse_all(mut args: Args) -> NativeResult {
    let text: String = args.next("text")?;
    args.finish()?;
    let docs = documents(&text)?;
    Ok(Value::list(docs.into_iter().map(|(v, _)| v).collect()))
}

fn stringify(mut args: Args) -> NativeResult {
    let v: Value = args.next("value")?;
    args.finish()?;
    let doc = to_yaml(&v, &mut Open::default())?;
    let mut out = String::new();
    let mut emitter = saphyr::YamlEmitter::new(&mut out);
    emitter.multiline(true);
    emitter
        .dump(&doc)
        .map_err(|e| ScriptError::new("ValueError", format!("yaml.stringify(): {e}")))?;
    // The emitter starts every document with `---` and ends it without a
    // line break; a file of one document needs neither.
    let body = out
        .strip_prefix("---\n")
        .or_else(|| out.strip_prefix("--- "));
    let mut text = body.unwrap_or(&out).to_owned();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(Value::str(&text))
}

fn to_yaml(v: &Value, open: &mut Open) -> Result<Yaml<'static>, ScriptError> {
    const F: &str = "yaml.stringify";
    let plain = |s: String| Yaml::Representation(Cow::Owned(s), ScalarStyle::Plain, None);
    Ok(match v {
        Value::Nil => plain("null".into()),
        Value::Bool(b) => Yaml::Value(Scalar::Boolean(*b)),
        Value::Int(i) => Yaml::Value(Scalar::Integer(*i)),
        Value::Float(f) => plain(float_text(*f)),
        Value::Str(s) => string(s.as_ref()),
        Value::Bytes(b) => {
            use base64::Engine;
            let text = base64::engine::general_purpose::STANDARD.encode(b.as_slice());
            // Tag's Display writes the handle `!` then `!suffix`: `!!binary`.
            let tag = Tag {
                handle: "!".into(),
                suffix: "!binary".into(),
            };
            Yaml::Tagged(Cow::Owned(tag), Box::new(plain(text)))
        }
        Value::List(items) => {
            open.enter(F, v)?;
            let items = formats::items_of(items);
            let out = items
                .iter()
                .map(|i| to_yaml(i, open))
                .collect::<Result<_, _>>()?;
            open.leave();
            Yaml::Sequence(out)
        }
        Value::Map(m) => {
            open.enter(F, v)?;
            let pairs = formats::pairs_of(m);
            let mut out = saphyr::Mapping::new();
            for (k, item) in &pairs {
                out.insert(to_yaml(&k.to_value(), open)?, to_yaml(item, open)?);
            }
            open.leave();
            Yaml::Mapping(out)
        }
        other => {
            return Err(ScriptError::type_error(format!(
                "{F}(): a `{}` has no YAML form",
                other.type_name()
            )))
        }
    })
}

/// A float as Python's `repr` writes it, with the `.0` PyYAML needs to
/// read `1e+20` as a float (`1.0e+20`), and YAML's names for the others.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let text = Value::float_repr(f);
    match text.find('e') {
        Some(e) if !text[..e].contains('.') => format!("{}.0{}", &text[..e], &text[e..]),
        _ => text,
    }
}

/// A string the emitter writes itself (quoted where YAML 1.2 would read
/// something else), except those a YAML 1.1 reader (PyYAML) would read as
/// a number or a date: they start with a digit, or a sign or dot and a
/// digit (`1_000`, `2024-01-02`, `1:30`, `+1`). Those are written in
/// double quotes, escaped as JSON escapes them (JSON's escapes are YAML's).
fn string(s: &str) -> Yaml<'static> {
    let mut chars = s.chars();
    let first = chars.next();
    let second = chars.next();
    let numeric = match first {
        Some(c) if c.is_ascii_digit() => true,
        Some('+' | '-' | '.') => second.is_some_and(|c| c.is_ascii_digit() || c == '.'),
        _ => false,
    };
    if !numeric {
        return Yaml::Value(Scalar::String(Cow::Owned(s.to_owned())));
    }
    let quoted = serde_json::to_string(s).expect("a string is JSON");
    let inner = quoted[1..quoted.len() - 1].to_owned();
    Yaml::Representation(Cow::Owned(inner), ScalarStyle::DoubleQuoted, None)
}
