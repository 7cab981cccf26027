//! `tasks run --trace` and `--timeline`: a record of the schedule. The
//! interpreter calls the [`Tracer`]'s hooks (`runtime/tracing.rs`) when a
//! task steps, spawns, wakes another, prints, and when a timer fires or a
//! native operation starts and ends; the tracer knows tasks only by their
//! ids. `events.rs` holds what it records, `chrome.rs` writes that as
//! Chrome trace JSON, `timeline.rs` draws it as an HTML page.

pub mod chrome;
pub mod events;
pub mod timeline;

use events::{Event, Flow, FlowKind, Point, Slice, SliceKind, Trace, Track, TrackKind, WaitKind};
use std::rc::Rc;

/// Two digits at a time, from a table of "00" to "99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// `n` in decimal digits, appended to `out`: the trace writes millions of
/// numbers, and `write!`'s formatting machinery cost more than the rest of
/// a traced run (a loop this small is not worth a dependency).
pub fn decimal(n: u64, out: &mut Vec<u8>) {
    match u32::try_from(n) {
        Ok(n) if n < 10 => out.push(b'0' + n as u8),
        Ok(n) => decimal32(n, out),
        Err(_) => decimal64(n, out),
    }
}

/// Nearly every number of a trace (ids, µs): counted first, then written
/// into a fixed block that is appended whole and cut to length (a copy of
/// a constant size is a few stores; one of the number's own length was a
/// call to memcpy, as costly as the digits).
fn decimal32(mut n: u32, out: &mut Vec<u8>) {
    let len = match n {
        0..=99 => 2,
        100..=999 => 3,
        1_000..=9_999 => 4,
        10_000..=99_999 => 5,
        100_000..=999_999 => 6,
        1_000_000..=9_999_999 => 7,
        10_000_000..=99_999_999 => 8,
        100_000_000..=999_999_999 => 9,
        _ => 10,
    };
    let mut digits = [0u8; 10];
    let mut i = len;
    while i >= 2 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        digits[i] = PAIRS[pair];
        digits[i + 1] = PAIRS[pair + 1];
    }
    if i == 1 {
        digits[0] = b'0' + n as u8;
    }
    out.extend_from_slice(&digits);
    out.truncate(out.len() - (digits.len() - len));
}

fn decimal64(mut n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    while n >= 10 {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    i -= 1;
    digits[i] = b'0' + n as u8;
    out.extend_from_slice(&digits[i..]);
}

/// Where the code running now is, for the arrows of what it wakes.
#[derive(Clone, Copy, Debug)]
enum Cause {
    /// Nothing traced (the engine between runs, the shutdown).
    None,
    /// An open slice on this track (a step, a timer, an operation ending).
    Track(u32),
    /// A moment already recorded: a callback runs because of the
    /// completion that happened there.
    Point(Point),
}

/// What a track is doing now.
#[derive(Default)]
struct TrackState {
    /// The open step's start.
    step: Option<u64>,
    /// The open wait: since when, on what.
    wait: Option<(u64, WaitKind, Option<Rc<str>>)>,
    /// What the next step was spawned or woken by.
    pending: Option<(FlowKind, Point)>,
}

/// An operation in flight: its lane, its start, its name.
type OpSlot = (usize, u64, Rc<str>);

/// Records a run (see the module's comment). Every hook takes the clock's
/// reading `now` (ns); the times recorded are strictly increasing.
pub struct Tracer {
    trace: Trace,
    last: u64,
    states: Vec<TrackState>,
    /// Task id → track (task ids are the loop's counter, dense).
    task_tracks: Vec<u32>,
    cause: Cause,
    /// Where each awaitable (by address) completed, for the arrows to the
    /// tasks its callbacks wake.
    done_at: foldhash::HashMap<usize, Point>,
    ops: foldhash::HashMap<u64, OpSlot>,
    /// Each lane's track and whether an operation runs on it.
    lanes: Vec<(u32, bool)>,
    loop_track: Option<u32>,
    /// The timer firing now: its start and what it does.
    timer: Option<(u64, &'static str)>,
    /// The name of every task track until it is written (see `Track::number`).
    no_name: Rc<str>,
}

const NO_TRACK: u32 = u32::MAX;

impl Tracer {
    /// A tracer for the run `title` names, on a virtual clock or a real one.
    pub fn new(title: &str, virtual_time: bool) -> Tracer {
        Tracer {
            trace: Trace {
                title: title.to_string(),
                virtual_time,
                ..Trace::default()
            },
            last: 0,
            states: Vec::new(),
            task_tracks: Vec::new(),
            cause: Cause::None,
            done_at: Default::default(),
            ops: Default::default(),
            lanes: Vec::new(),
            loop_track: None,
            timer: None,
            no_name: Rc::from(""),
        }
    }

    /// A time for something happening now: the clock's reading, or just
    /// after the last time given if the clock has not moved past it.
    fn tick(&mut self, now: u64) -> u64 {
        self.last = now.max(self.last + 1);
        self.last
    }

    fn add_track(&mut self, name: Rc<str>, kind: TrackKind) -> u32 {
        self.trace.tracks.push(Track {
            name,
            number: None,
            kind,
        });
        self.states.push(TrackState::default());
        (self.trace.tracks.len() - 1) as u32
    }

    fn track_of(&self, task: u64) -> Option<u32> {
        let t = *self.task_tracks.get(task as usize)?;
        (t != NO_TRACK).then_some(t)
    }

    /// The moment the code running now is at, if any is traced: inside
    /// the slice open on its track, just after the last time given (the
    /// clock is read at the slices' ends, not at every moment in between).
    fn here(&mut self) -> Option<Point> {
        match self.cause {
            Cause::None => None,
            Cause::Track(track) => Some(Point {
                track,
                ts: self.tick(0),
            }),
            Cause::Point(p) => Some(p),
        }
    }

    /// A task was made (`name`: the one it was given, else it is
    /// `Task-{number}`): its track, and an arrow from its spawner.
    pub fn spawned(&mut self, task: u64, name: Option<Rc<str>>, number: u32) {
        let unnamed = name.is_none();
        let track = self.add_track(
            name.unwrap_or_else(|| self.no_name.clone()),
            TrackKind::Task,
        );
        if unnamed {
            self.trace.tracks[track as usize].number = Some(number);
        }
        let i = task as usize;
        if self.task_tracks.len() <= i {
            self.task_tracks.resize(i + 1, NO_TRACK);
        }
        self.task_tracks[i] = track;
        let from = self.here();
        self.states[track as usize].pending = from.map(|p| (FlowKind::Spawn, p));
    }

    /// A task got a name (`set_name`): its track takes it.
    pub fn renamed(&mut self, task: u64, name: Rc<str>) {
        if let Some(track) = self.track_of(task) {
            self.trace.tracks[track as usize].name = name;
            self.trace.tracks[track as usize].number = None;
        }
    }

    /// A parked task was woken (or its wait cancelled) by the code running now.
    pub fn woken(&mut self, task: u64) {
        if let Some(track) = self.track_of(task) {
            if let Some(p) = self.here() {
                self.states[track as usize].pending = Some((FlowKind::Wake, p));
            }
        }
    }

    /// An awaitable (by address) completed: its callbacks point back here.
    pub fn completed(&mut self, addr: usize) {
        if let Some(p) = self.here() {
            self.done_at.insert(addr, p);
        }
    }

    /// The handle about to run is a callback of the awaitable at `addr`.
    pub fn callback_of(&mut self, addr: usize) {
        self.cause = self
            .done_at
            .get(&addr)
            .map_or(Cause::None, |p| Cause::Point(*p));
    }

    /// The handle that ran is over.
    pub fn handle_done(&mut self) {
        self.cause = Cause::None;
    }

    /// A task's step begins: its wait ends, and the arrow from whatever
    /// woke it (the callback running now, or its spawner or waker) lands.
    pub fn step_begin(&mut self, task: u64, now: u64) {
        let Some(track) = self.track_of(task) else {
            return;
        };
        let start = self.tick(now);
        let st = &mut self.states[track as usize];
        let wait = st.wait.take();
        let pending = st.pending.take();
        st.step = Some(start);
        if let Some((since, kind, label)) = wait {
            self.push_slice(track, since, start, SliceKind::Wait(kind), label);
        }
        let from = match self.cause {
            Cause::Point(p) => Some((FlowKind::Wake, p)),
            Cause::Track(t) => Some((
                FlowKind::Wake,
                Point {
                    track: t,
                    ts: start,
                },
            )),
            Cause::None => pending,
        };
        if let Some((kind, from)) = from {
            let to = Point {
                track,
                ts: self.tick(0),
            };
            self.trace.events.push(Event::Flow(Flow { kind, from, to }));
        }
        self.cause = Cause::Track(track);
    }

    /// A task's step ends; `wait` is what it waits on now (`None` once it
    /// has ended).
    pub fn step_end(&mut self, task: u64, now: u64, wait: Option<(WaitKind, Option<Rc<str>>)>) {
        let Some(track) = self.track_of(task) else {
            return;
        };
        let end = self.tick(now);
        let st = &mut self.states[track as usize];
        let start = st.step.take().unwrap_or(end);
        st.wait = wait.map(|(kind, label)| (end, kind, label));
        self.push_slice(track, start, end, SliceKind::Step, None);
        self.cause = Cause::None;
    }

    fn push_slice(
        &mut self,
        track: u32,
        start: u64,
        end: u64,
        kind: SliceKind,
        label: Option<Rc<str>>,
    ) {
        self.trace.events.push(Event::Slice(Slice {
            track,
            start,
            end,
            kind,
            label,
        }));
    }

    /// A timer fires (`what` it does): a slice on the loop's track that
    /// the arrows of what it wakes start from.
    pub fn timer_begin(&mut self, what: &'static str, now: u64) {
        let track = match self.loop_track {
            Some(t) => t,
            None => {
                let t = self.add_track(Rc::from("event loop: timers"), TrackKind::Loop);
                self.loop_track = Some(t);
                t
            }
        };
        self.timer = Some((self.tick(now), what));
        self.cause = Cause::Track(track);
    }

    /// A timer's work has ended at `now`: its slice on the loop's track closes.
    pub fn timer_end(&mut self, now: u64) {
        if let (Some((start, what)), Some(track)) = (self.timer.take(), self.loop_track) {
            let end = self.tick(now);
            self.push_slice(track, start, end, SliceKind::Timer, Some(Rc::from(what)));
        }
        self.cause = Cause::None;
    }

    /// A native operation starts, on the first free lane.
    pub fn op_begin(&mut self, op: u64, name: Rc<str>, now: u64) {
        let lane = match self.lanes.iter().position(|(_, busy)| !busy) {
            Some(l) => l,
            None => {
                let n = self.lanes.len() + 1;
                let title = if n == 1 {
                    "native operations".to_string()
                } else {
                    format!("native operations ({n})")
                };
                let t = self.add_track(Rc::from(title), TrackKind::Ops);
                self.lanes.push((t, false));
                n - 1
            }
        };
        self.lanes[lane].1 = true;
        let start = self.tick(now);
        self.ops.insert(op, (lane, start, name));
    }

    /// A native operation's completion is being delivered: what it wakes
    /// points back to its slice.
    pub fn op_completing(&mut self, op: u64) {
        if let Some((lane, _, _)) = self.ops.get(&op) {
            self.cause = Cause::Track(self.lanes[*lane].0);
        }
    }

    /// A native operation ended (completed, or dropped: `how`).
    pub fn op_end(&mut self, op: u64, now: u64, how: Option<&str>) {
        let Some((lane, start, name)) = self.ops.remove(&op) else {
            return;
        };
        let end = self.tick(now);
        let (track, _) = self.lanes[lane];
        self.lanes[lane].1 = false;
        let label = match how {
            Some(how) => Rc::from(format!("{name} ({how})")),
            None => name,
        };
        self.push_slice(track, start, end, SliceKind::Op, Some(label));
    }

    /// Text printed by `task` (`None`: outside any task).
    pub fn printed(&mut self, task: Option<u64>, text: &str, now: u64) {
        let track = match task.and_then(|t| self.track_of(t)) {
            Some(t) => t,
            None => match self.loop_track {
                Some(t) => t,
                None => {
                    let t = self.add_track(Rc::from("event loop: timers"), TrackKind::Loop);
                    self.loop_track = Some(t);
                    t
                }
            },
        };
        let ts = self.tick(now);
        for line in text.lines().filter(|l| !l.is_empty()) {
            let at = Point { track, ts };
            self.trace.events.push(Event::Print(at, Rc::from(line)));
        }
    }

    /// The record so far, with what is still open closed now (waits of
    /// tasks still pending, operations in flight).
    pub fn finish(&mut self, now: u64) -> Trace {
        let end = self.tick(now);
        for track in 0..self.states.len() {
            let st = &mut self.states[track];
            let step = st.step.take();
            let wait = st.wait.take();
            if let Some(start) = step {
                self.push_slice(track as u32, start, end, SliceKind::Step, None);
            }
            if let Some((since, kind, label)) = wait {
                self.push_slice(track as u32, since, end, SliceKind::Wait(kind), label);
            }
        }
        let mut open: Vec<u64> = self.ops.keys().copied().collect();
        open.sort_unstable();
        for op in open {
            self.op_end(op, end, Some("not finished"));
        }
        self.trace.end = self.last;
        std::mem::take(&mut self.trace)
    }
}

/// The files a run writes its trace to (`--trace`, `--timeline`), created
/// before it starts so that a path that cannot be written is a usage
/// error, not a lost run.
pub struct Outputs {
    chrome: Option<(std::path::PathBuf, std::fs::File)>,
    timeline: Option<(std::path::PathBuf, std::fs::File)>,
}

impl Outputs {
    /// Creates the files asked for (`--trace`, `--timeline`); an error names a path that cannot be written.
    pub fn create(
        trace: Option<std::path::PathBuf>,
        timeline: Option<std::path::PathBuf>,
    ) -> Result<Outputs, String> {
        let open = |p: std::path::PathBuf| {
            std::fs::File::create(&p)
                .map(|f| (p.clone(), f))
                .map_err(|e| format!("cannot write {}: {e}", p.display()))
        };
        Ok(Outputs {
            chrome: trace.map(open).transpose()?,
            timeline: timeline.map(open).transpose()?,
        })
    }

    /// Whether any file asks for a trace.
    pub fn wanted(&self) -> bool {
        self.chrome.is_some() || self.timeline.is_some()
    }

    /// Writes the trace into the files: Chrome's trace JSON, the timeline page.
    pub fn write(self, trace: &Trace) -> Result<(), String> {
        if let Some((p, mut f)) = self.chrome {
            chrome::write(trace, &mut f)
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        }
        if let Some((p, mut f)) = self.timeline {
            use std::io::Write;
            f.write_all(timeline::render(trace).as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_writes_what_display_writes() {
        for n in [
            0,
            7,
            9,
            10,
            42,
            99,
            100,
            101,
            999,
            1000,
            1234,
            99_999,
            1_000_000,
            999_999_999,
            1_000_000_000,
            4_294_967_295,
            4_294_967_296,
            u64::MAX,
        ] {
            let mut got = b"x".to_vec();
            super::decimal(n, &mut got);
            assert_eq!(String::from_utf8(got).unwrap(), format!("x{n}"));
        }
    }
}
