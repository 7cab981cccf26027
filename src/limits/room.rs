//! How far a value may grow under `--max-memory`, checked before it
//! grows (`runtime::values::growth` for lists and maps, `+` for strings), and the
//! memory freed blocks keep given back near the limit, so that what the
//! process holds in memory follows what the allocator counts.

use super::{allocated, GRACE, LIMIT};
use std::sync::atomic::Ordering;

/// The capacity a full collection should grow to, in items, when `need`
/// items must fit and `bytes(cap)` is what a capacity of `cap` takes:
/// `wanted` (its usual doubling) if the process stays under
/// `--max-memory` while the old block is still held (a reallocation
/// copies), else the most that fits if that is at least an eighth more
/// (so growing near the limit stays linear), else the bytes the process
/// would reach and the limit. Without a limit, `wanted`.
pub(crate) fn grown_capacity(
    cap: usize,
    need: usize,
    wanted: usize,
    bytes: impl Fn(usize) -> usize,
) -> Result<usize, (usize, usize)> {
    let limit = LIMIT
        .load(Ordering::Relaxed)
        .max(GRACE.load(Ordering::Relaxed));
    let Some(now) = allocated().filter(|_| limit != usize::MAX) else {
        return Ok(wanted);
    };
    let chosen = largest_fitting(now, limit, cap, need, wanted, &bytes)?;
    // Near the limit, blocks freed but kept by the allocator (a list
    // dropped a moment ago) must not add to the new one.
    if now.saturating_add(bytes(chosen)) > limit / 2 && bytes(chosen) >= LARGE {
        release_freed();
    }
    Ok(chosen)
}

fn largest_fitting(
    now: usize,
    limit: usize,
    cap: usize,
    need: usize,
    wanted: usize,
    bytes: impl Fn(usize) -> usize,
) -> Result<usize, (usize, usize)> {
    if now.saturating_add(bytes(wanted)) <= limit {
        return Ok(wanted);
    }
    let least = need.max(cap.saturating_add(cap / 8));
    if now.saturating_add(bytes(least)) > limit {
        return Err((now.saturating_add(bytes(need)), limit));
    }
    // The largest capacity between `least` and `wanted` that fits.
    let (mut fits, mut over) = (least, wanted);
    while over.saturating_sub(fits) > 1 {
        let mid = fits + (over - fits) / 2;
        if now.saturating_add(bytes(mid)) <= limit {
            fits = mid;
        } else {
            over = mid;
        }
    }
    Ok(fits)
}

/// Gives the memory freed blocks left back to the system now. mimalloc
/// keeps a freed large block for a second before it does (cheap reuse),
/// so a list that grew twice within a second held its old blocks too
/// (twice `--max-memory` resident for two thirds of it counted). Called
/// near the limit only, after or before a large block is made, which
/// copies or fills that much anyway.
fn release_freed() {
    // Only when freed blocks hold more than a sixteenth of the limit: giving
    // memory back costs its reuse (page faults), every time.
    let limit = LIMIT.load(Ordering::Relaxed);
    let held = committed().saturating_sub(allocated().unwrap_or(usize::MAX));
    if held > limit / 16 {
        // SAFETY: `mi_collect` takes no pointer and may run at any time on
        // any thread; with another global allocator it finds nothing.
        unsafe { libmimalloc_sys::mi_collect(true) }
    }
}

/// The bytes mimalloc has committed: what it holds, blocks freed but not
/// yet given back included.
fn committed() -> usize {
    let mut commit = 0;
    let none = std::ptr::null_mut();
    // SAFETY: every out parameter is null (not written) but `commit`, a
    // valid `usize` to write.
    unsafe {
        libmimalloc_sys::mi_process_info(none, none, none, none, none, &mut commit, none, none)
    };
    commit
}

/// A block at least this large is checked against the limit before it
/// is made, and the one it replaces released near the limit.
pub(crate) const LARGE: usize = 1 << 20;

/// Whether `bytes` more can be allocated for a new large value (a string
/// made by `+`) without passing `--max-memory`: `Err` with the bytes the
/// process would reach and the limit if not. Near the limit, the memory
/// freed blocks left is given back first, so what is resident stays near
/// what is counted.
pub(crate) fn room_for(bytes: usize) -> Result<(), (usize, usize)> {
    let limit = LIMIT
        .load(Ordering::Relaxed)
        .max(GRACE.load(Ordering::Relaxed));
    let Some(now) = allocated().filter(|_| limit != usize::MAX) else {
        return Ok(());
    };
    let after = now.saturating_add(bytes);
    if after > limit {
        return Err((after, limit));
    }
    if after > limit / 2 {
        release_freed();
    }
    Ok(())
}

/// [`release_freed`] when the process holds over half of `--max-memory`:
/// below, what freed blocks keep for a moment cannot take it past the
/// limit, and giving it back costs their reuse (a second of page faults
/// in a loop building 1M-item lists 20 times).
pub(crate) fn release_freed_near_limit() {
    let limit = LIMIT.load(Ordering::Relaxed);
    if limit != usize::MAX && allocated().is_some_and(|now| now > limit / 2) {
        release_freed();
    }
}
