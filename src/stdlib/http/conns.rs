//! The connections of one `http.serve`: how long a client may take to
//! send a request, and how many may be sending one at once, so that slow
//! clients (slowloris) cannot starve the rest.
//!
//! A connection is *waiting* from when it is accepted, or its previous
//! answer went out, until its request — headers and body — has been read
//! and handed to the handler. A waiting connection is closed after the
//! server's `header_timeout`; and when a new connection would make more
//! than [`Limits::max_waiting`] wait, the one that has waited longest is
//! closed first. A connection whose handler is running is never closed
//! by either rule. (hyper's own `header_read_timeout` needs a hyper timer
//! and covers neither the body nor the cap: hence this table.)

use super::server::{respond, Shared};
use async_executor::{LocalExecutor, Task};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// What the table enforces.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// How long a connection may wait (see the module's notes).
    pub header_timeout: Duration,
    /// How many connections may wait at once.
    pub max_waiting: usize,
}

impl Limits {
    /// The default timeout, in seconds.
    pub(super) const DEFAULT_HEADER_TIMEOUT: f64 = 30.0;

    /// `header_timeout` seconds, and a quarter of the open-file limit
    /// waiting (between 8 and 1024): the rest is left for connections
    /// being answered, files and processes.
    pub(super) fn new(header_timeout: f64) -> Limits {
        let files = rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .current
            .unwrap_or(4096);
        Limits {
            header_timeout: Duration::from_secs_f64(header_timeout.min(1e9)),
            max_waiting: (files / 4).clamp(8, 1024) as usize,
        }
    }
}

/// One connection's phase.
struct Phase {
    waiting: Cell<bool>,
    /// When it started waiting.
    since: Cell<Instant>,
}

/// A connection: its phase and the task serving it (dropping the task
/// closes the connection).
type Conn = (Rc<Phase>, Option<Task<()>>);

/// The connections being served, by id (accept order).
#[derive(Default)]
struct Table {
    next: Cell<u64>,
    conns: RefCell<HashMap<u64, Conn>>,
    waiting: Cell<usize>,
}

impl Table {
    fn add(&self) -> (u64, Rc<Phase>) {
        let id = self.next.get();
        self.next.set(id + 1);
        let phase = Rc::new(Phase {
            waiting: Cell::new(true),
            since: Cell::new(Instant::now()),
        });
        self.conns.borrow_mut().insert(id, (phase.clone(), None));
        self.waiting.set(self.waiting.get() + 1);
        (id, phase)
    }

    fn set_waiting(&self, phase: &Phase, waiting: bool) {
        if phase.waiting.replace(waiting) != waiting {
            let n = self.waiting.get();
            self.waiting.set(if waiting { n + 1 } else { n - 1 });
        }
        phase.since.set(Instant::now());
    }

    /// Forgets a connection that ended; its task handle is detached, as
    /// this runs inside that task.
    fn remove(&self, id: u64) {
        let removed = self.conns.borrow_mut().remove(&id);
        if let Some((phase, task)) = removed {
            if phase.waiting.get() {
                self.waiting.set(self.waiting.get() - 1);
            }
            if let Some(t) = task {
                t.detach();
            }
        }
    }

    /// Closes the longest-waiting connections until fewer than `max` wait.
    fn make_room(&self, max: usize) {
        while self.waiting.get() >= max {
            let oldest = self
                .conns
                .borrow()
                .iter()
                .filter(|(_, (p, _))| p.waiting.get())
                .min_by_key(|(id, (p, _))| (p.since.get(), **id))
                .map(|(id, _)| *id);
            let Some(id) = oldest else { return };
            let removed = self.conns.borrow_mut().remove(&id);
            self.waiting.set(self.waiting.get() - 1);
            drop(removed); // dropping its task closes the socket
        }
    }
}

/// Accepts connections until dropped, serving each on an executor that is
/// dropped (closing them all) with this future.
pub(super) async fn accept_loop(
    listener: async_net::TcpListener,
    shared: Rc<Shared>,
) -> crate::NativeResult {
    let conns = LocalExecutor::new();
    let table = Rc::new(Table::default());
    conns
        .run(async {
            loop {
                let stream = match listener.accept().await {
                    Ok((s, _)) => s,
                    // Out of descriptors, say: wait a little and go on.
                    Err(_) => {
                        async_io::Timer::after(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                table.make_room(shared.limits.max_waiting);
                let (id, phase) = table.add();
                let task = conns.spawn(serve_connection(
                    stream,
                    shared.clone(),
                    table.clone(),
                    id,
                    phase,
                ));
                if let Some(entry) = table.conns.borrow_mut().get_mut(&id) {
                    entry.1 = Some(task);
                }
            }
        })
        .await
}

async fn serve_connection(
    stream: async_net::TcpStream,
    shared: Rc<Shared>,
    table: Rc<Table>,
    id: u64,
    phase: Rc<Phase>,
) {
    let io = smol_hyper::rt::FuturesIo::new(stream);
    let timeout = shared.limits.header_timeout;
    let (t, p) = (table.clone(), phase.clone());
    let service = hyper::service::service_fn(move |req| {
        let (shared, table, phase) = (shared.clone(), t.clone(), p.clone());
        async move {
            let answer = respond(req, shared, || table.set_waiting(&phase, false)).await;
            table.set_waiting(&phase, true);
            answer
        }
    });
    let serve = async {
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(io, service)
            .await;
    };
    futures_lite::future::or(serve, watchdog(&phase, timeout)).await;
    table.remove(id);
}

/// Returns once the connection has waited longer than `timeout`.
async fn watchdog(phase: &Phase, timeout: Duration) {
    loop {
        let due = phase.since.get() + timeout;
        let now = Instant::now();
        if phase.waiting.get() && now >= due {
            return;
        }
        let next = if phase.waiting.get() {
            due
        } else {
            now + timeout
        };
        async_io::Timer::at(next).await;
    }
}
