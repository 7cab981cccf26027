//! The trace as data: its tracks (one per task in spawn order, the event
//! loop's timers, lanes of native operations) and what happened on them,
//! in the order it was recorded. Times are nanoseconds on the run's clock
//! (virtual under `--virtual-time`), strictly increasing from one reading
//! to the next so that slices keep their order even where the clock stood
//! still. `chrome.rs` writes it as Chrome trace JSON, `timeline.rs` draws it.

use std::rc::Rc;

/// What a track shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TrackKind {
    /// One task: its steps and the waits between them.
    Task,
    /// The event loop: timers firing.
    Loop,
    /// A lane of native operations (a process, an HTTP request, a file).
    Ops,
}

/// A row of the picture, a thread of the Chrome trace.
#[derive(Clone, Debug)]
pub struct Track {
    /// Its name, unless `number` is set.
    pub name: Rc<str>,
    /// A task with no name of its own: it is `Task-{number}` (made only
    /// when written: a traced run may have millions).
    pub number: Option<u32>,
    /// What the track shows.
    pub kind: TrackKind,
}

impl Track {
    /// Its name as shown: `Task-{number}` for a task without one.
    pub fn name(&self) -> std::borrow::Cow<'_, str> {
        match self.number {
            Some(n) => format!("Task-{n}").into(),
            None => (*self.name).into(),
        }
    }
}

/// What was recorded, in order: in chunks, so that recording never copies
/// what it has (a growing `Vec` would, at each doubling).
#[derive(Clone, Debug, Default)]
pub struct Events {
    chunks: Vec<Vec<Event>>,
}

const CHUNK: usize = 4096;

impl Events {
    /// Records one more event, after the others.
    pub fn push(&mut self, e: Event) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(e),
            _ => {
                let mut c = Vec::with_capacity(CHUNK);
                c.push(e);
                self.chunks.push(c);
            }
        }
    }
    /// The events in the order they were recorded.
    pub fn iter(&self) -> impl Iterator<Item = &Event> {
        self.chunks.iter().flatten()
    }
    /// How many events were recorded.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }
    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a task waited on, in the few kinds the timeline colours.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WaitKind {
    /// A `sleep`.
    Sleep,
    /// A queue's `get` or `put`.
    Queue,
    /// A lock.
    Lock,
    /// An event's `wait`.
    Event,
    /// A semaphore.
    Semaphore,
    /// A condition or a barrier.
    Condition,
    /// One task (`await t`).
    Task,
    /// Several tasks: `gather`, `wait`, `race`, `as_completed`, a group.
    Tasks,
    /// A native operation.
    Op,
    /// Ready again at once (`sleep(0)`).
    Yield,
    /// Anything else (a future, a callback).
    Other,
}

impl WaitKind {
    /// Every kind, in the order the timeline's legend lists them.
    pub const ALL: [WaitKind; 11] = [
        WaitKind::Sleep,
        WaitKind::Queue,
        WaitKind::Lock,
        WaitKind::Event,
        WaitKind::Semaphore,
        WaitKind::Condition,
        WaitKind::Task,
        WaitKind::Tasks,
        WaitKind::Op,
        WaitKind::Yield,
        WaitKind::Other,
    ];

    /// The kind's name, as the timeline's legend and classes write it.
    pub fn name(self) -> &'static str {
        match self {
            WaitKind::Sleep => "sleep",
            WaitKind::Queue => "queue",
            WaitKind::Lock => "lock",
            WaitKind::Event => "event",
            WaitKind::Semaphore => "semaphore",
            WaitKind::Condition => "condition",
            WaitKind::Task => "task",
            WaitKind::Tasks => "tasks",
            WaitKind::Op => "native",
            WaitKind::Yield => "yield",
            WaitKind::Other => "other",
        }
    }
}

/// What a slice is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SliceKind {
    /// A task's step: its code ran.
    Step,
    /// A task waited (from one step's end to the next one's start).
    Wait(WaitKind),
    /// A native operation, from its start to its completion.
    Op,
    /// A timer fired on the loop.
    Timer,
}

/// A span of time on one track.
#[derive(Clone, Debug)]
pub struct Slice {
    /// The track it is on (an index into [`Trace::tracks`]).
    pub track: u32,
    /// When it started (ns on the run's clock).
    pub start: u64,
    /// When it ended (ns on the run's clock).
    pub end: u64,
    /// What it is.
    pub kind: SliceKind,
    /// What was awaited, the operation's call, the timer's work; `None`
    /// for a step.
    pub label: Option<Rc<str>>,
}

/// A moment on a track.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Point {
    /// The track it is on (an index into [`Trace::tracks`]).
    pub track: u32,
    /// When (ns on the run's clock).
    pub ts: u64,
}

/// Why a flow arrow is drawn.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FlowKind {
    /// From a spawn to the new task's first step.
    Spawn,
    /// From what woke a task (a completion, a `put`, a `set`, a timer, an
    /// operation's end) to the step it woke it to.
    Wake,
}

/// An arrow between two points.
#[derive(Clone, Copy, Debug)]
pub struct Flow {
    /// Why it is drawn.
    pub kind: FlowKind,
    /// Where it starts.
    pub from: Point,
    /// Where it ends.
    pub to: Point,
}

/// One thing recorded, in order.
#[derive(Clone, Debug)]
pub enum Event {
    /// A span of time on a track.
    Slice(Slice),
    /// An arrow between two points.
    Flow(Flow),
    /// A line printed (to standard output) at this point.
    Print(Point, Rc<str>),
}

/// A whole run.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// What ran (the script's name).
    pub title: String,
    /// Whether the clock was virtual.
    pub virtual_time: bool,
    /// The rows: tasks in spawn order, the loop, the operation lanes.
    pub tracks: Vec<Track>,
    /// What happened on them, in the order it was recorded.
    pub events: Events,
    /// The last time recorded.
    pub end: u64,
}

impl Trace {
    /// The slices, in the order they were recorded.
    pub fn slices(&self) -> impl Iterator<Item = &Slice> {
        self.events.iter().filter_map(|e| match e {
            Event::Slice(s) => Some(s),
            _ => None,
        })
    }
}
