//! `tasks run --timeline`: the trace drawn as one self-contained HTML page,
//! a Gantt chart in inline SVG: a row per task in spawn order (then the
//! loop's timers and the lanes of native operations), running bars and
//! waiting bars coloured by what they wait on, spawn and wake-up arrows,
//! printed lines as markers (their text on hover), a time axis in the
//! run's clock. The SVG is complete without script; the page's small
//! script (`timeline.js`) adds zoom, pan and the axis labels. What cannot
//! be drawn one by one is aggregated, and the page says so: tasks past
//! [`MAX_TASK_ROWS`] share one row, a row with more slices than its share
//! of [`MAX_BARS`] is drawn in buckets, arrows past [`MAX_ARROWS`] are left out.

use super::events::{Event, FlowKind, Point, Slice, SliceKind, Trace, TrackKind, WaitKind};
use std::fmt::Write;

/// Task rows drawn one by one; the tasks after them share a row.
pub const MAX_TASK_ROWS: usize = 300;
/// Bars in the whole picture (each row gets its share).
pub const MAX_BARS: usize = 60_000;
/// Arrows drawn (the first ones recorded).
pub const MAX_ARROWS: usize = 5_000;
/// The plot's width in SVG units (the script scales it to the window).
const PLOT_W: f64 = 1000.0;
/// Buckets a crowded row is drawn in.
const BUCKETS: usize = 1000;
const ROW_H: f64 = 18.0;
const AXIS_H: f64 = 24.0;
const LABEL_W: f64 = 170.0;

/// Where each track is drawn.
struct Rows {
    /// Track → row (the aggregated tasks all map to the shared row).
    of_track: Vec<usize>,
    /// Each row's label and whether it aggregates.
    labels: Vec<(String, bool)>,
    /// Tasks drawn in the shared row.
    aggregated: usize,
}

fn layout(trace: &Trace) -> Rows {
    let mut of_track = vec![0; trace.tracks.len()];
    let mut labels = Vec::new();
    let mut aggregated = 0;
    let mut shared = None;
    let tasks = trace
        .tracks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind == TrackKind::Task);
    for (i, t) in tasks {
        if labels.len() < MAX_TASK_ROWS {
            of_track[i] = labels.len();
            labels.push((t.name().into_owned(), false));
        } else {
            let row = *shared.get_or_insert_with(|| {
                labels.push((String::new(), true));
                labels.len() - 1
            });
            of_track[i] = row;
            aggregated += 1;
        }
    }
    if let Some(row) = shared {
        labels[row].0 = format!("… {aggregated} more tasks");
    }
    for (i, t) in trace
        .tracks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind != TrackKind::Task)
    {
        of_track[i] = labels.len();
        labels.push((t.name().into_owned(), false));
    }
    Rows {
        of_track,
        labels,
        aggregated,
    }
}

/// The page.
pub fn render(trace: &Trace) -> String {
    let rows = layout(trace);
    let span = trace.end.max(1) as f64;
    let x = |ns: u64| ns as f64 / span * PLOT_W;
    let mut notes = Vec::new();
    if rows.aggregated > 0 {
        notes.push(format!(
            "{} tasks after the first {MAX_TASK_ROWS} are drawn together in the last task row (their running time only).",
            rows.aggregated
        ));
    }
    let mut per_row: Vec<Vec<&Slice>> = vec![Vec::new(); rows.labels.len()];
    for s in trace.slices() {
        per_row[rows.of_track[s.track as usize]].push(s);
    }
    let share = (MAX_BARS / rows.labels.len().max(1)).max(500);
    let mut bars = String::new();
    for (row, slices) in per_row.iter().enumerate() {
        let y = AXIS_H + row as f64 * ROW_H;
        let _ = write!(bars, "<g class=\"row\" data-row=\"{row}\">");
        if rows.labels[row].1 || slices.len() > share {
            if !rows.labels[row].1 {
                notes.push(format!(
                    "row '{}' has {} slices: drawn in {BUCKETS} buckets.",
                    rows.labels[row].0,
                    slices.len()
                ));
            }
            bucketed(&mut bars, slices, span, y);
        } else {
            for s in slices {
                bar(&mut bars, s, x(s.start), x(s.end), y);
            }
        }
        bars.push_str("</g>\n");
    }
    let center = |p: Point| AXIS_H + rows.of_track[p.track as usize] as f64 * ROW_H + ROW_H / 2.0;
    let mut arrows = String::new();
    let mut marks = String::new();
    let (mut n_arrows, mut skipped) = (0, 0);
    for e in trace.events.iter() {
        match e {
            Event::Flow(f) if n_arrows < MAX_ARROWS => {
                n_arrows += 1;
                let class = match f.kind {
                    FlowKind::Spawn => "spawn",
                    FlowKind::Wake => "wake",
                };
                let (x1, y1, x2, y2) = (x(f.from.ts), center(f.from), x(f.to.ts), center(f.to));
                let _ = writeln!(
                    arrows,
                    "<path class=\"{class}\" d=\"M{x1:.4} {y1}L{x2:.4} {y2}\"/><path class=\"{class} head\" d=\"M{x2:.4} {y2}l0 0\"/>"
                );
            }
            Event::Flow(_) => skipped += 1,
            Event::Print(at, text) => {
                let y = AXIS_H + rows.of_track[at.track as usize] as f64 * ROW_H;
                let _ = writeln!(
                    marks,
                    "<path class=\"print\" d=\"M{:.4} {}v{}\"><title>{} {}</title></path>",
                    x(at.ts),
                    y + 1.0,
                    ROW_H - 2.0,
                    clock(at.ts),
                    escape(text)
                );
            }
            Event::Slice(_) => {}
        }
    }
    if skipped > 0 {
        notes.push(format!(
            "{skipped} arrows after the first {MAX_ARROWS} are not drawn."
        ));
    }
    page(trace, &rows, &bars, &arrows, &marks, &notes)
}

/// One slice as a bar, its times and label on hover.
fn bar(out: &mut String, s: &Slice, x1: f64, x2: f64, y: f64) {
    let (class, what) = match s.kind {
        SliceKind::Step => ("run".to_string(), "running".to_string()),
        SliceKind::Wait(k) => (
            format!("wait {}", k.name()),
            s.label.as_deref().unwrap_or(k.name()).to_string(),
        ),
        SliceKind::Op => ("op".into(), s.label.as_deref().unwrap_or("").to_string()),
        SliceKind::Timer => ("timer".into(), s.label.as_deref().unwrap_or("").to_string()),
    };
    let (top, h) = match s.kind {
        SliceKind::Wait(_) => (y + 5.0, ROW_H - 10.0),
        _ => (y + 2.0, ROW_H - 4.0),
    };
    let _ = writeln!(
        out,
        "<rect class=\"{class}\" x=\"{x1:.4}\" y=\"{top}\" width=\"{:.4}\" height=\"{h}\"><title>{} ({} to {})</title></rect>",
        (x2 - x1).max(0.0),
        escape(&what),
        clock(s.start),
        clock(s.end),
    );
}

/// A crowded row: in each bucket of time, running if any step touched it
/// (shaded by how many), else the kind of the last wait that did.
fn bucketed(out: &mut String, slices: &[&Slice], span: f64, y: f64) {
    let mut steps = vec![0u32; BUCKETS];
    let mut waits: Vec<Option<WaitKind>> = vec![None; BUCKETS];
    let bucket = |ns: u64| ((ns as f64 / span * BUCKETS as f64) as usize).min(BUCKETS - 1);
    for s in slices {
        for b in bucket(s.start)..=bucket(s.end) {
            match s.kind {
                SliceKind::Wait(k) => waits[b] = Some(k),
                _ => steps[b] += 1,
            }
        }
    }
    let most = steps.iter().copied().max().unwrap_or(1).max(1) as f64;
    let w = PLOT_W / BUCKETS as f64;
    for b in 0..BUCKETS {
        let x = b as f64 * w;
        if steps[b] > 0 {
            let _ = writeln!(
                out,
                "<rect class=\"run bucket\" x=\"{x:.4}\" y=\"{}\" width=\"{w:.4}\" height=\"{}\" fill-opacity=\"{:.2}\"><title>{} step(s) running</title></rect>",
                y + 2.0,
                ROW_H - 4.0,
                0.35 + 0.65 * steps[b] as f64 / most,
                steps[b]
            );
        } else if let Some(k) = waits[b] {
            let _ = writeln!(
                out,
                "<rect class=\"wait {} bucket\" x=\"{x:.4}\" y=\"{}\" width=\"{w:.4}\" height=\"{}\"/>",
                k.name(),
                y + 5.0,
                ROW_H - 10.0
            );
        }
    }
}

fn page(
    trace: &Trace,
    rows: &Rows,
    bars: &str,
    arrows: &str,
    marks: &str,
    notes: &[String],
) -> String {
    let height = AXIS_H + rows.labels.len() as f64 * ROW_H + 4.0;
    let mut labels = String::new();
    for (i, (name, agg)) in rows.labels.iter().enumerate() {
        let y = AXIS_H + i as f64 * ROW_H + ROW_H / 2.0 + 4.0;
        let class = if *agg { "label agg" } else { "label" };
        let _ = writeln!(
            labels,
            "<text class=\"{class}\" x=\"6\" y=\"{y}\">{}</text>",
            escape(name)
        );
    }
    let mut legend = String::from("<span class=\"key\"><i class=\"run\"></i>running</span>");
    for k in WaitKind::ALL {
        let _ = write!(
            legend,
            "<span class=\"key\"><i class=\"wait {0}\"></i>{0}</span>",
            k.name()
        );
    }
    legend.push_str("<span class=\"key\"><i class=\"op\"></i>native operation</span><span class=\"key\"><i class=\"arrow spawn\"></i>spawn</span><span class=\"key\"><i class=\"arrow wake\"></i>wake-up</span><span class=\"key\"><i class=\"mark\"></i>printed line</span>");
    let notes: String = notes
        .iter()
        .map(|n| format!("<p class=\"note\">{}</p>", escape(n)))
        .collect();
    let clock_name = if trace.virtual_time {
        "virtual"
    } else {
        "real"
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>tasks timeline: {title}</title>
<style>{css}</style></head>
<body data-status="loading" data-rows="{n_rows}" data-end-ns="{end}">
<header><h1>{title}</h1><p>{n_tasks} tasks · {clock_name} clock · {total} in all · wheel to zoom, drag to pan, double-click to fit</p>
<p class="legend">{legend}</p>{notes}</header>
<svg id="timeline" width="100%" height="{height}" data-label-width="{LABEL_W}" data-plot-width="{PLOT_W}">
<defs><clipPath id="plot-clip"><rect x="{LABEL_W}" y="0" width="100000" height="{height}"/></clipPath></defs>
<rect class="backdrop" x="0" y="0" width="100%" height="{height}"/>
<g id="axis"></g>
<g clip-path="url(#plot-clip)"><g id="plot" transform="translate({LABEL_W},0)">
{bars}<g id="arrows">
{arrows}</g><g id="marks">
{marks}</g></g></g>
<g id="labels"><rect class="label-bg" x="0" y="0" width="{LABEL_W}" height="{height}"/>
{labels}</g>
</svg>
<script>{js}</script>
</body></html>
"#,
        title = escape(&trace.title),
        css = include_str!("timeline.css"),
        js = include_str!("timeline.js"),
        n_rows = rows.labels.len(),
        end = trace.end,
        n_tasks = trace
            .tracks
            .iter()
            .filter(|t| t.kind == TrackKind::Task)
            .count(),
        total = clock(trace.end),
    )
}

/// A time on the run's clock, as the axis writes it.
fn clock(ns: u64) -> String {
    let s = ns as f64 / 1e9;
    if ns == 0 {
        "0s".into()
    } else if s >= 1.0 {
        format!("{s:.3}s")
    } else if s >= 1e-3 {
        format!("{:.3}ms", s * 1e3)
    } else {
        format!("{:.3}µs", s * 1e6)
    }
}

/// Text for XML: markup characters as entities.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
