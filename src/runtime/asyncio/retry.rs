//! `retry(f, attempts:, backoff:, max_delay:, jitter:, on:)`: call `f`
//! until it succeeds, sleeping longer after each failure, but only for the
//! failures that are worth another try.
//!
//! The delay after the k-th failure (from 0) is `backoff * 2^k`, at most
//! `max_delay`, times a random factor in `[1 - jitter, 1]` drawn from the
//! engine's seeded generator: under `--virtual-time` and `--seed` a run
//! is repeatable, sleeps included. `on:` names the error kinds to retry
//! (by default a connection that failed or timed out, never an
//! `HttpStatusError`: a 404 stays a 404), or is a function of the error.

use super::coro::NativeStep;
use super::future::{Awaitable, Future};
use crate::runtime::error::{ErrorObj, ErrorRef};
use crate::runtime::handle::Input;
use crate::runtime::interp::Interp;
use crate::runtime::values::value::Value;
use std::rc::Rc;

/// What `retry` retries when `on:` is not given.
pub(crate) const DEFAULT_ON: &[&str] = &["ConnectionError", "TimeoutError", "HttpError"];

/// Which errors are retried.
pub enum RetryOn {
    Kinds(Vec<String>),
    /// A function of the error, true to retry.
    Check(Value),
}

pub struct RetryPolicy {
    pub attempts: u32,
    pub backoff: f64,
    pub max_delay: f64,
    pub jitter: f64,
    pub on: RetryOn,
}

/// The state of one `await retry(...)`.
pub struct Retry {
    f: Value,
    policy: RetryPolicy,
    failures: Vec<ErrorRef>,
    sleeping: Option<Rc<Future>>,
}

impl Retry {
    pub fn new(f: Value, policy: RetryPolicy) -> Retry {
        Retry {
            f,
            policy,
            failures: Vec::new(),
            sleeping: None,
        }
    }

    pub fn step(&mut self, it: &mut Interp, input: Input) -> NativeStep {
        match (input, self.sleeping.take()) {
            (Input::Start, _) | (Input::Value(_), Some(_)) => self.attempt(it),
            (Input::Value(v), None) => NativeStep::Return(v),
            (Input::Throw(e), Some(sleep)) => {
                it.cancel_sleep_timer(&sleep);
                NativeStep::Throw(e)
            }
            (Input::Throw(e), None) => self.failed(it, e),
        }
    }

    /// Calls `f` once more: its coroutine is awaited, a plain function's
    /// result is the answer.
    fn attempt(&mut self, it: &mut Interp) -> NativeStep {
        match it.call_for_coro(&self.f, Vec::new()) {
            Ok(v @ Value::Coro(_)) => match it.ensure_future(v) {
                Ok(a) => NativeStep::Await(a),
                Err(e) => NativeStep::Throw(e),
            },
            Ok(v) => NativeStep::Return(v),
            Err(e) => self.failed(it, e),
        }
    }

    fn failed(&mut self, it: &mut Interp, e: ErrorRef) -> NativeStep {
        if e.escapes_catch_all() {
            return NativeStep::Throw(e);
        }
        let retry = match self.retries(it, &e) {
            Ok(r) => r,
            Err(check_failed) => return NativeStep::Throw(check_failed),
        };
        let tried = self.failures.len() as u32 + 1;
        if !retry || tried >= self.policy.attempts {
            // The last error is raised; the earlier ones go with it.
            e.others.borrow_mut().extend(self.failures.drain(..));
            return NativeStep::Throw(e);
        }
        let delay = self.delay(it);
        self.failures.push(e);
        let sleep = it.sleep_future(delay);
        self.sleeping = Some(sleep.clone());
        NativeStep::Await(Awaitable::Future(sleep))
    }

    fn retries(&self, it: &mut Interp, e: &ErrorRef) -> Result<bool, ErrorRef> {
        match &self.policy.on {
            RetryOn::Kinds(kinds) => Ok(kinds.iter().any(|k| e.is(k) || k == "Error")),
            RetryOn::Check(f) => Ok(it.call_sync(f, vec![Value::Error(e.clone())])?.truthy()),
        }
    }

    /// `backoff * 2^k`, capped, with its jitter.
    fn delay(&self, it: &mut Interp) -> f64 {
        let p = &self.policy;
        let k = self.failures.len().min(1000) as i32;
        let full = (p.backoff * 2f64.powi(k)).min(p.max_delay);
        if p.jitter > 0.0 {
            full * (1.0 - p.jitter * it.rng.f64())
        } else {
            full
        }
    }
}

/// The checks of `retry`'s arguments.
pub(crate) fn check_policy(p: &RetryPolicy) -> Result<(), ErrorRef> {
    let bad = |what: &str| Err(ErrorObj::new("ValueError", format!("retry() {what}")));
    if p.attempts < 1 {
        return bad("attempts must be at least 1");
    }
    if !p.backoff.is_finite() || p.backoff < 0.0 {
        return bad("backoff must be a number of seconds, 0 or more");
    }
    if p.max_delay.is_nan() || p.max_delay < 0.0 {
        return bad("max_delay must be a number of seconds, 0 or more");
    }
    if !(0.0..=1.0).contains(&p.jitter) {
        return bad("jitter must be between 0 and 1 (true is 1)");
    }
    Ok(())
}
