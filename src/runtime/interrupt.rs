//! Ctrl-C while script code runs: the signal handler raises a flag, and the
//! evaluator checks it where a script can run for ever (a backward jump, a
//! call) and throws `KeyboardInterrupt` into the running task. Checking a
//! relaxed atomic there costs one load; nothing else polls.

use super::error::{ErrorObj, ErrorRef};
use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Called from the signal handler thread.
pub fn request() {
    REQUESTED.store(true, Ordering::Relaxed);
}

/// Forgets a request nobody acted on (the REPL handled it another way).
pub fn clear() {
    REQUESTED.store(false, Ordering::Relaxed);
}

#[inline(always)]
pub fn pending() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// Takes the request, making the error to throw.
pub fn take() -> ErrorRef {
    clear();
    ErrorObj::with_help(
        "KeyboardInterrupt",
        "interrupted by Ctrl-C",
        "`catch e` does not catch this; name it to: `catch e: KeyboardInterrupt`",
    )
}
