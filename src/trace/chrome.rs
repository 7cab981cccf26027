//! The trace in Chrome's trace event format (the JSON that Perfetto and
//! `chrome://tracing` load): a thread per track, named and sorted in
//! spawn order; `X` slices for steps, waits, operations and timers; `s`/`f`
//! flow events for spawns and wake-ups; `i` instants for printed lines.
//! Timestamps are µs with three decimals (the trace's ns). Everything is
//! written in the order it was recorded, so the same run gives the same
//! bytes.

use super::events::{Event, FlowKind, SliceKind, Trace, TrackKind};
use std::io::{self, Write};

/// The trace as one JSON document.
pub fn write(trace: &Trace, w: &mut dyn Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, w);
    write!(w, "{{\"displayTimeUnit\":\"ms\",\"otherData\":{{\"clock\":")?;
    let clock = if trace.virtual_time {
        "virtual"
    } else {
        "real"
    };
    string(&mut w, clock)?;
    writeln!(w, "}},\"traceEvents\":[")?;
    write!(
        w,
        "{{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{{\"name\":"
    )?;
    string(&mut w, &trace.title)?;
    write!(w, "}}}}")?;
    for (i, t) in trace.tracks.iter().enumerate() {
        let tid = i + 1;
        write!(w, ",\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"name\":\"thread_name\",\"args\":{{\"name\":")?;
        string(&mut w, &t.name)?;
        // Tasks first, in spawn order; then the loop and the operations.
        let sort = match t.kind {
            TrackKind::Task => i,
            TrackKind::Loop | TrackKind::Ops => 1_000_000_000 + i,
        };
        write!(w, "}}}},\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"name\":\"thread_sort_index\",\"args\":{{\"sort_index\":{sort}}}}}")?;
    }
    let mut flow_id = 0u64;
    for e in &trace.events {
        w.write_all(b",\n")?;
        match e {
            Event::Slice(s) => {
                let (name, cat) = match s.kind {
                    SliceKind::Step => ("step", "step"),
                    SliceKind::Wait(k) => (k.name(), "wait"),
                    SliceKind::Op => ("native", "native"),
                    SliceKind::Timer => ("timer", "timer"),
                };
                let name = match (&s.label, s.kind) {
                    (Some(l), SliceKind::Wait(_) | SliceKind::Op) => &**l,
                    _ => name,
                };
                write!(
                    w,
                    "{{\"ph\":\"X\",\"pid\":1,\"tid\":{},\"ts\":",
                    s.track + 1
                )?;
                micros(&mut w, s.start)?;
                w.write_all(b",\"dur\":")?;
                micros(&mut w, s.end - s.start)?;
                write!(w, ",\"cat\":\"{cat}\",\"name\":")?;
                string(&mut w, name)?;
                match (s.kind, &s.label) {
                    (SliceKind::Wait(k), _) => {
                        write!(w, ",\"args\":{{\"on\":\"{}\"}}}}", k.name())?
                    }
                    (SliceKind::Timer, Some(l)) => {
                        w.write_all(b",\"args\":{\"does\":")?;
                        string(&mut w, l)?;
                        w.write_all(b"}}")?;
                    }
                    _ => w.write_all(b"}")?,
                }
            }
            Event::Flow(f) => {
                flow_id += 1;
                let name = match f.kind {
                    FlowKind::Spawn => "spawn",
                    FlowKind::Wake => "wake",
                };
                write!(
                    w,
                    "{{\"ph\":\"s\",\"pid\":1,\"tid\":{},\"ts\":",
                    f.from.track + 1
                )?;
                micros(&mut w, f.from.ts)?;
                writeln!(
                    w,
                    ",\"id\":{flow_id},\"cat\":\"{name}\",\"name\":\"{name}\"}},"
                )?;
                write!(
                    w,
                    "{{\"ph\":\"f\",\"bp\":\"e\",\"pid\":1,\"tid\":{},\"ts\":",
                    f.to.track + 1
                )?;
                micros(&mut w, f.to.ts)?;
                write!(
                    w,
                    ",\"id\":{flow_id},\"cat\":\"{name}\",\"name\":\"{name}\"}}"
                )?;
            }
            Event::Print(at, text) => {
                write!(
                    w,
                    "{{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":{},\"ts\":",
                    at.track + 1
                )?;
                micros(&mut w, at.ts)?;
                w.write_all(b",\"cat\":\"print\",\"name\":")?;
                string(&mut w, text)?;
                w.write_all(b"}")?;
            }
        }
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}

/// ns as µs with three decimals (`1234.567`).
fn micros(w: &mut impl Write, ns: u64) -> io::Result<()> {
    write!(w, "{}.{:03}", ns / 1000, ns % 1000)
}

/// A JSON string, escaped by serde_json.
fn string(w: &mut impl Write, s: &str) -> io::Result<()> {
    serde_json::to_writer(w, s).map_err(io::Error::from)
}
