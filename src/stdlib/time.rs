//! `time`: the wall clock and dates, on chrono. `time.time()` is epoch
//! seconds; under virtual time it is [`VIRTUAL_EPOCH`] plus the loop's
//! clock, so a golden test prints the same dates on every run. Dates are
//! UTC unless a call says `local: true` (the machine's zone, from `TZ` or
//! the system's setting).

use crate::{Module, NativeCtx, ScriptError, Value};
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use std::fmt::Write;

/// `time.time()` when the loop's clock reads 0 under virtual time:
/// 2000-01-01T00:00:00Z.
pub(crate) const VIRTUAL_EPOCH: f64 = 946_684_800.0;

pub(crate) fn module() -> Module {
    Module::new("time")
        .raw("time", |ctx, args| {
            args.finish()?;
            Ok(Value::Float(now(ctx)))
        })
        .raw("now_iso", |ctx, mut args| {
            let local: Option<bool> = args.named("local")?;
            args.finish()?;
            let ts = now(ctx);
            let fmt = if ts.fract() == 0.0 {
                "%Y-%m-%dT%H:%M:%S%:z"
            } else {
                "%Y-%m-%dT%H:%M:%S%.6f%:z"
            };
            format(ts, fmt, local.unwrap_or(false)).map(|s| Value::str(&s))
        })
        .raw("format", |_ctx, mut args| {
            let ts: f64 = args.next("ts")?;
            let fmt: String = args.next("fmt")?;
            let local: Option<bool> = args.named("local")?;
            args.finish()?;
            format(ts, &fmt, local.unwrap_or(false)).map(|s| Value::str(&s))
        })
        .raw("parse", |_ctx, mut args| {
            let text: String = args.next("text")?;
            let fmt: String = args.next("fmt")?;
            let local: Option<bool> = args.named("local")?;
            args.finish()?;
            parse(&text, &fmt, local.unwrap_or(false)).map(Value::Float)
        })
}

/// Epoch seconds now: the system's clock, or the virtual start plus the
/// loop's clock.
fn now(ctx: &NativeCtx<'_>) -> f64 {
    if ctx.virtual_time() {
        return VIRTUAL_EPOCH + ctx.now();
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The instant `ts` seconds after the epoch, to the microsecond as
/// Python's `datetime.fromtimestamp` rounds it.
fn instant(ts: f64) -> Result<DateTime<Utc>, ScriptError> {
    let out_of_range = || {
        ScriptError::value_error(format!(
            "timestamp {} is out of range",
            Value::float_repr(ts)
        ))
    };
    if !ts.is_finite() {
        return Err(out_of_range());
    }
    let micros = (ts * 1e6).round_ties_even();
    if micros.abs() >= 9.0e18 {
        return Err(out_of_range());
    }
    DateTime::from_timestamp_micros(micros as i64).ok_or_else(out_of_range)
}

/// The strftime items of `fmt`, or a `ValueError` naming the bad spec.
fn items(fmt: &str) -> Result<Vec<Item<'_>>, ScriptError> {
    StrftimeItems::new(fmt)
        .parse()
        .map_err(|_| ScriptError::value_error(format!("invalid format string {fmt:?}")))
}

fn format(ts: f64, fmt: &str, local: bool) -> Result<String, ScriptError> {
    let at = instant(ts)?;
    let items = items(fmt)?;
    let mut s = String::new();
    let written = if local {
        write!(
            s,
            "{}",
            at.with_timezone(&Local).format_with_items(items.iter())
        )
    } else {
        write!(s, "{}", at.format_with_items(items.iter()))
    };
    written.map_err(|_| ScriptError::value_error(format!("cannot format a date with {fmt:?}")))?;
    Ok(s)
}

/// Epoch seconds of `text` read with `fmt`: with an offset (`%z`) it says
/// where it is; without one it is UTC (or local time with `local`); a
/// format with a date and no time means midnight.
fn parse(text: &str, fmt: &str, local: bool) -> Result<f64, ScriptError> {
    items(fmt)?;
    if let Ok(at) = DateTime::parse_from_str(text, fmt) {
        return Ok(seconds(at.timestamp(), at.timestamp_subsec_micros()));
    }
    let naive = match NaiveDateTime::parse_from_str(text, fmt) {
        Ok(n) => n,
        Err(first) => match NaiveDate::parse_from_str(text, fmt) {
            Ok(d) => d.and_time(chrono::NaiveTime::MIN),
            Err(_) => {
                return Err(ScriptError::value_error(format!(
                    "time data {text:?} does not match format {fmt:?} ({first})"
                )))
            }
        },
    };
    let at = if local {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .ok_or_else(|| {
                ScriptError::value_error(format!("{text:?} does not exist in local time"))
            })?
            .with_timezone(&Utc)
    } else {
        Utc.from_utc_datetime(&naive)
    };
    Ok(seconds(at.timestamp(), at.timestamp_subsec_micros()))
}

fn seconds(secs: i64, micros: u32) -> f64 {
    secs as f64 + f64::from(micros) / 1e6
}
