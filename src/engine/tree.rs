//! The live task tree, public: [`Engine::task_tree`] turns the runtime's
//! walk (`runtime::asyncio::tree`) into [`TaskFacts`] with places in words, and
//! [`render_tree`] draws it as `tasks ps`, Ctrl-\ and `:tasks` show it.

use super::Engine;
use crate::diagnostics::Sources;
use crate::runtime::error::Loc;
use crate::runtime::interp::Interp;
pub use crate::runtime::interrupt::TreeRequest;

/// One pending task, as `tasks ps` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskFacts {
    /// The task's number in creation order (the main task's is the lowest).
    pub id: u64,
    /// Its name (`main`, `Task-3`, or what `set_name` gave it).
    pub name: String,
    /// `running`, `ready`, `waiting` or `cancelling`.
    pub state: &'static str,
    /// How long it has waited, in seconds of the run's clock (real or
    /// virtual), if it waits. Under the real clock it counts from the
    /// loop's latest reading before the wait (at most the length of the
    /// computation that ran just before it too long).
    pub waited: Option<f64>,
    /// Where it waits (or will resume): `file:line:col`.
    pub at: Option<String>,
    /// The source line there, trimmed.
    pub line: Option<String>,
    /// What it waits on, in words: `a lock held by task 'x'`,
    /// `an empty queue (...)`, `sleep(2) until 3.000s`, `http.get("...")`.
    pub on: Option<String>,
    /// The task holding the lock it waits for.
    pub lock_holder: Option<String>,
    /// The task awaiting it, the task awaiting that one, ... up to main.
    pub awaited_by: Vec<String>,
    /// The task whose `group { }` it belongs to.
    pub group: Option<String>,
}

/// A native operation no task awaits (a server's accept loop), as
/// `tasks ps` lists it after the tasks.
#[derive(Clone, Debug, PartialEq)]
pub struct OperationFacts {
    /// What it is (`http.serve http://127.0.0.1:8080`).
    pub name: String,
    /// How long it has run, in seconds of the run's clock.
    pub running: f64,
}

impl Engine {
    /// The native operations no task awaits, oldest first.
    pub fn operations(&self) -> Vec<OperationFacts> {
        operations(&self.interp)
    }

    /// The pending tasks, in creation order, with what each is doing.
    pub fn task_tree(&self) -> Vec<TaskFacts> {
        facts(&self.interp, &self.sources)
    }

    /// The clock's reading, in seconds (virtual under `--virtual-time`).
    pub fn clock_secs(&self) -> f64 {
        self.interp.lp.clock.now_secs()
    }

    /// Calls `f` with the task tree drawn as text ([`tree_report`]) when
    /// [`InterruptHandle::request_tree`](crate::InterruptHandle::request_tree)
    /// asks for it (Ctrl-\, `tasks ps`): between two steps of the loop, or
    /// at the running code's next check point. The run goes on.
    pub fn on_tree_request(&mut self, mut f: impl FnMut(TreeRequest, String) + 'static) {
        let sources = self.rendered_sources.clone();
        self.interp.tree_sink = Some(Box::new(move |interp: &Interp, who| {
            let tasks = facts(interp, &sources.borrow());
            let ops = operations(interp);
            f(who, tree_report(&tasks, &ops, interp.lp.clock.now_secs()));
        }));
    }
}

fn operations(interp: &Interp) -> Vec<OperationFacts> {
    let now = interp.lp.clock.now_ns();
    interp
        .lp
        .ops
        .unawaited()
        .into_iter()
        .map(|(name, since)| OperationFacts {
            name: name.to_string(),
            running: now.saturating_sub(since) as f64 / 1e9,
        })
        .collect()
}

fn facts(interp: &Interp, sources: &Sources) -> Vec<TaskFacts> {
    interp
        .task_tree()
        .into_iter()
        .map(|n| TaskFacts {
            id: n.id,
            name: n.name.to_string(),
            state: n.state,
            waited: n.waited_ns.map(|w| w as f64 / 1e9),
            at: n.at.map(|l| sources.describe(l)),
            line: n.at.and_then(|l| source_line(sources, l)),
            on: n.on,
            lock_holder: n.holder.map(|(h, _)| h.to_string()),
            awaited_by: n.awaited_by.iter().map(|a| a.to_string()).collect(),
            group: n.group_of.map(|g| g.to_string()),
        })
        .collect()
}

/// What Ctrl-\ prints and `tasks ps` shows: a title line with the
/// process and the clock, then [`render_tree`], then the operations no
/// task awaits ([`operation_line`]).
pub fn tree_report(tasks: &[TaskFacts], ops: &[OperationFacts], clock: f64) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let n = tasks.len();
    let mut title = format!("tasks: {n} pending task{}", plural(n));
    if !ops.is_empty() {
        let m = ops.len();
        title.push_str(&format!(" and {m} operation{} nobody awaits", plural(m)));
    }
    let mut out = format!(
        "{title} at {clock:.3}s (pid {})\n{}",
        std::process::id(),
        render_tree(tasks)
    );
    for op in ops {
        out.push_str(&operation_line(op));
    }
    out
}

/// `operation 'http.serve http://...' running 2.000s, nobody awaits it`.
pub fn operation_line(op: &OperationFacts) -> String {
    format!(
        "operation '{}' running {:.3}s, nobody awaits it\n",
        op.name, op.running
    )
}

/// The line `loc` is on, trimmed.
pub(crate) fn source_line(sources: &Sources, loc: Loc) -> Option<String> {
    let src = sources.files.get(loc.source as usize)?;
    let start = (loc.span.start as usize).min(src.text.len());
    let begin = src.text[..start].rfind('\n').map_or(0, |i| i + 1);
    let end = src.text[start..]
        .find('\n')
        .map_or(src.text.len(), |i| start + i);
    Some(src.text.get(begin..end)?.trim().to_string())
}

/// The tree as text: each task under the task awaiting it (or, if none,
/// the task whose group it is in), roots in creation order.
pub fn render_tree(tasks: &[TaskFacts]) -> String {
    let parent = |t: &TaskFacts| t.awaited_by.first().or(t.group.as_ref()).cloned();
    let by_name = |n: &str| tasks.iter().position(|t| t.name == n);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
    let mut roots = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        // A parent that awaits in a cycle, or is not pending, makes a root.
        match parent(t).and_then(|p| by_name(&p)).filter(|&p| p != i) {
            Some(p) if !in_cycle(tasks, i, &parent, &by_name) => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let mut out = String::new();
    for r in roots {
        draw(tasks, &children, r, 0, &mut out);
    }
    out
}

fn in_cycle(
    tasks: &[TaskFacts],
    start: usize,
    parent: &impl Fn(&TaskFacts) -> Option<String>,
    by_name: &impl Fn(&str) -> Option<usize>,
) -> bool {
    let mut at = start;
    for _ in 0..tasks.len() {
        match parent(&tasks[at]).and_then(|p| by_name(&p)) {
            Some(p) if p == start => return true,
            Some(p) => at = p,
            None => return false,
        }
    }
    true
}

fn draw(tasks: &[TaskFacts], children: &[Vec<usize>], i: usize, depth: usize, out: &mut String) {
    let t = &tasks[i];
    let pad = "    ".repeat(depth);
    out.push_str(&format!("{pad}{}\n", headline(t)));
    if let Some(at) = &t.at {
        let line = t.line.as_deref().unwrap_or("");
        out.push_str(&format!("{pad}    at {at}  {line}\n"));
    }
    for &c in &children[i] {
        draw(tasks, children, c, depth + 1, out);
    }
}

/// `task 'name' waiting 1.200s on ... [in the group of 'main']`.
pub(super) fn headline(t: &TaskFacts) -> String {
    let mut s = format!("task '{}' {}", t.name, t.state);
    if let Some(w) = t.waited {
        s.push_str(&format!(" {w:.3}s"));
    }
    if let Some(on) = &t.on {
        s.push_str(&format!(" on {on}"));
    }
    if let Some(g) = &t.group {
        s.push_str(&format!(" [in the group of '{g}']"));
    }
    s
}

/// The facts the deadlock report adds under each waiting task's line.
pub(crate) fn report_lines(t: &TaskFacts, all: &[TaskFacts]) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(on) = &t.on {
        // Where the holder of the lock waits, when it is pending.
        let holder = t
            .lock_holder
            .as_ref()
            .and_then(|h| all.iter().find(|o| &o.name == h && o.id != t.id))
            .and_then(|h| h.at.as_ref().map(|at| format!(", which waits at {at}")));
        lines.push(format!("on {on}{}", holder.unwrap_or_default()));
    }
    if !t.awaited_by.is_empty() {
        let chain: Vec<String> = t.awaited_by.iter().map(|a| format!("'{a}'")).collect();
        lines.push(format!("awaited by {}", chain.join(" <- ")));
    }
    if let Some(g) = &t.group {
        lines.push(format!("in the group of task '{g}'"));
    }
    lines
}

/// One line of the REPL's `:tasks`: `name  state at file:line:col on ...,
/// awaited by ..., in the group of ...`.
pub fn tree_line(t: &TaskFacts, all: &[TaskFacts]) -> String {
    let mut s = format!("{:<12} {}", t.name, t.state);
    if let (Some(at), "waiting" | "cancelling") = (&t.at, t.state) {
        s.push_str(&format!(" at {at}"));
    }
    let more = report_lines(t, all);
    if !more.is_empty() {
        s.push(' ');
        s.push_str(&more.join(", "));
    }
    s.push('\n');
    s
}
