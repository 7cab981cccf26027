//! Keep-alive: connections whose exchange ended cleanly wait here, by
//! scheme, host and port, for the engine's next request to the same
//! place (`http.get` and every `http.client` share them). Only a
//! connection whose response was read to its end, that neither side
//! asked to close, comes back: a request cancelled half-way still drops
//! its connection (nothing half-read is ever reused). At most
//! [`MAX_IDLE_PER_HOST`] wait per host, none longer than [`IDLE_TIMEOUT`]
//! (aiohttp's keep-alive time). A connection the server closed while it
//! waited is found out when it is taken (its driver ends) and dropped;
//! one that fails before any answer, on reuse, is retried once on a new
//! connection when the method is idempotent (`http.rs`).
//!
//! A new connection is made only through `net::reach`, so every one is
//! checked against `--allow-net` by its addresses, as before; a pooled
//! one was checked when it was made, under the same grants.

use super::body::Conn;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Idle connections kept per scheme, host and port.
pub(super) const MAX_IDLE_PER_HOST: usize = 64;
/// How long an idle connection is kept.
pub(super) const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// A connection between exchanges: the request side and hyper's driver,
/// which runs only inside an exchange's future.
pub(super) struct Idle {
    pub sender: SendRequest<Full<Bytes>>,
    pub conn: Conn,
    since: Instant,
}

/// Where a connection goes: scheme, host, port.
pub(super) type Key = (String, String, u16);

/// The engine's idle connections (a per-engine data slot; clones share).
#[derive(Clone, Default)]
pub(crate) struct Pool(Rc<RefCell<HashMap<Key, Vec<Idle>>>>);

impl Pool {
    /// The most recently used live connection to `key`, if one waits.
    pub(super) fn take(&self, key: &Key) -> Option<Idle> {
        let mut map = self.0.borrow_mut();
        let list = map.get_mut(key)?;
        while let Some(mut idle) = list.pop() {
            if idle.since.elapsed() < IDLE_TIMEOUT && alive(&mut idle) {
                return Some(idle);
            }
        }
        None
    }

    /// Keeps a connection whose exchange ended cleanly.
    pub(super) fn put(&self, key: Key, sender: SendRequest<Full<Bytes>>, conn: Conn) {
        if conn.is_none() || sender.is_closed() {
            return;
        }
        let mut map = self.0.borrow_mut();
        let list = map.entry(key).or_default();
        list.retain(|i| i.since.elapsed() < IDLE_TIMEOUT);
        if list.len() >= MAX_IDLE_PER_HOST {
            list.remove(0);
        }
        list.push(Idle {
            sender,
            conn,
            since: Instant::now(),
        });
    }
}

/// Polls the driver once without waiting: a connection the server has
/// closed (its end already read) finishes here and is not reused.
fn alive(idle: &mut Idle) -> bool {
    if idle.sender.is_closed() {
        return false;
    }
    let Some(conn) = idle.conn.as_mut() else {
        return false;
    };
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    conn.as_mut().poll(&mut cx).is_pending()
}
