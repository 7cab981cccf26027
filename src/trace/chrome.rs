//! The trace in Chrome's trace event format (the JSON that Perfetto and
//! `chrome://tracing` load): a thread per track, named and sorted in
//! spawn order; `X` slices for steps, waits, operations and timers; `s`/`f`
//! flow events for spawns and wake-ups; `i` instants for printed lines.
//! Timestamps are µs with three decimals (the trace's ns). Everything is
//! written in the order it was recorded, so the same run gives the same
//! bytes. Written by hand into a buffer, numbers by `super::decimal` and strings
//! escaped by serde_json when they need it: a run's trace has millions of
//! events, and `write!` formatting took most of the time of a traced run.

use super::events::{Event, FlowKind, SliceKind, Trace, TrackKind};
use std::io::{self, Write};

const X: &str = "{\"ph\":\"X\",\"pid\":1,\"tid\":";
const S: &str = "{\"ph\":\"s\",\"pid\":1,\"tid\":";
const F: &str = "{\"ph\":\"f\",\"pid\":1,\"tid\":";
const I: &str = "{\"ph\":\"i\",\"pid\":1,\"tid\":";

/// The output, flushed to the file in large pieces.
struct Out<'w> {
    buf: Vec<u8>,
    w: &'w mut dyn Write,
}

impl Out<'_> {
    // Inlined so that a literal's length is known where it is copied: the
    // copy is then a few moves, not a call to memcpy (most of what the
    // writer appends are short constants).
    #[inline(always)]
    fn raw(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }
    fn num(&mut self, n: u64) {
        super::decimal(n, &mut self.buf);
    }
    /// ns as µs with three decimals (`1234.567`).
    fn micros(&mut self, ns: u64) {
        self.num(ns / 1000);
        let frac = ns % 1000;
        self.buf.extend_from_slice(&[
            b'.',
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ]);
    }
    /// A JSON string: as it is when nothing needs escaping, else serde_json's.
    fn string(&mut self, s: &str) {
        let plain = s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
        if plain {
            self.buf.push(b'"');
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.push(b'"');
        } else {
            // Writing into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut self.buf, s);
        }
    }
    /// `{"ph":"P","pid":1,"tid":T,"ts":TS` of an event on track `track`;
    /// `start` is `{"ph":"P","pid":1,"tid":` (one constant per phase).
    #[inline(always)]
    fn head(&mut self, start: &str, track: u32, ts: u64) {
        self.raw(start);
        self.num(u64::from(track) + 1);
        self.raw(",\"ts\":");
        self.micros(ts);
    }
    /// A name known to need no escaping, quoted.
    fn quoted(&mut self, s: &str) {
        self.buf.push(b'"');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(b'"');
    }
    fn spill(&mut self) -> io::Result<()> {
        if self.buf.len() >= 1 << 20 {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

/// The trace as one JSON document.
pub fn write(trace: &Trace, w: &mut dyn Write) -> io::Result<()> {
    let mut o = Out {
        buf: Vec::with_capacity(1 << 21),
        w,
    };
    o.raw("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"clock\":");
    o.string(if trace.virtual_time {
        "virtual"
    } else {
        "real"
    });
    o.raw("},\"traceEvents\":[\n");
    o.raw("{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":");
    o.string(&trace.title);
    o.raw("}}");
    for (i, t) in trace.tracks.iter().enumerate() {
        let tid = i as u64 + 1;
        o.raw(",\n{\"ph\":\"M\",\"pid\":1,\"tid\":");
        o.num(tid);
        o.raw(",\"name\":\"thread_name\",\"args\":{\"name\":");
        match t.number {
            Some(n) => {
                o.raw("\"Task-");
                o.num(u64::from(n));
                o.raw("\"");
            }
            None => o.string(&t.name),
        }
        o.raw("}},\n{\"ph\":\"M\",\"pid\":1,\"tid\":");
        o.num(tid);
        // Tasks first, in spawn order; then the loop and the operations.
        let sort = match t.kind {
            TrackKind::Task => i as u64,
            TrackKind::Loop | TrackKind::Ops => 1_000_000_000 + i as u64,
        };
        o.raw(",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":");
        o.num(sort);
        o.raw("}}");
        o.spill()?;
    }
    let mut flow_id = 0u64;
    for e in trace.events.iter() {
        o.raw(",\n");
        match e {
            Event::Slice(s) => {
                o.head(X, s.track, s.start);
                o.raw(",\"dur\":");
                o.micros(s.end - s.start);
                match (s.kind, &s.label) {
                    (SliceKind::Step, _) => o.raw(",\"cat\":\"step\",\"name\":\"step\"}"),
                    (SliceKind::Wait(k), label) => {
                        o.raw(",\"cat\":\"wait\",\"name\":");
                        match label {
                            Some(l) => o.string(l),
                            None => o.quoted(k.name()),
                        }
                        o.raw(",\"args\":{\"on\":");
                        o.quoted(k.name());
                        o.raw("}}");
                    }
                    (SliceKind::Op, label) => {
                        o.raw(",\"cat\":\"native\",\"name\":");
                        o.string(label.as_deref().unwrap_or("native"));
                        o.raw("}");
                    }
                    (SliceKind::Timer, Some(l)) => {
                        o.raw(",\"cat\":\"timer\",\"name\":\"timer\",\"args\":{\"does\":");
                        o.string(l);
                        o.raw("}}");
                    }
                    (SliceKind::Timer, None) => o.raw(",\"cat\":\"timer\",\"name\":\"timer\"}"),
                }
            }
            Event::Flow(f) => {
                flow_id += 1;
                o.head(S, f.from.track, f.from.ts);
                flow_tail(&mut o, flow_id, f.kind);
                o.raw(",\n");
                o.head(F, f.to.track, f.to.ts);
                o.raw(",\"bp\":\"e\"");
                flow_tail(&mut o, flow_id, f.kind);
            }
            Event::Print(at, text) => {
                o.head(I, at.track, at.ts);
                o.raw(",\"s\":\"t\",\"cat\":\"print\",\"name\":");
                o.string(text);
                o.raw("}");
            }
        }
        o.spill()?;
    }
    o.raw("\n]}\n");
    o.w.write_all(&o.buf)?;
    o.w.flush()
}

fn flow_tail(o: &mut Out<'_>, id: u64, kind: FlowKind) {
    o.raw(",\"id\":");
    o.num(id);
    match kind {
        FlowKind::Spawn => o.raw(",\"cat\":\"spawn\",\"name\":\"spawn\"}"),
        FlowKind::Wake => o.raw(",\"cat\":\"wake\",\"name\":\"wake\"}"),
    }
}
