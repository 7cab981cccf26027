//! Limits on what a script may consume, each its own error kind raised at
//! the script's location: an untrusted script ends with a diagnostic, not
//! by taking the process down.
//!
//! - operations (`--max-ops`): counted where a script can run for ever, at
//!   each backward jump (by the loop body's length in instructions) and
//!   each call, so the count approximates instructions executed;
//!   `OperationLimitError`.
//! - call depth (`--max-depth`): `RecursionError`.
//! - live tasks (`--max-tasks`): `TaskLimitError` at the `spawn`.
//! - memory (`--max-memory`): bytes allocated by the whole process, as
//!   counted by [`CountingAlloc`] when the program installs it as its global
//!   allocator (the `tasks` command does); `MemoryError`. Checked at the
//!   same places as operations, and before a string or list grows.
//!
//! Once a limit is reached it stays reached: a script that catches the
//! error hits it again at its next check, so catching cannot buy more.

use mimalloc::MiMalloc;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

mod room;
pub(crate) use room::{grown_capacity, release_freed_near_limit, room_for, LARGE};

/// Python's default recursion limit, `--max-depth`'s default.
pub const DEFAULT_RECURSION_LIMIT: usize = 1000;

/// The limits an engine enforces (`None`: no limit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Operations (roughly instructions) a run may execute.
    pub max_ops: Option<u64>,
    /// Deepest call nesting.
    pub max_depth: usize,
    /// Tasks alive at once (the main task included).
    pub max_tasks: Option<usize>,
    /// Bytes the process may hold (needs [`CountingAlloc`]).
    pub max_memory: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_ops: None,
            max_depth: DEFAULT_RECURSION_LIMIT,
            max_tasks: None,
            max_memory: None,
        }
    }
}

/// The `--max-memory` limit, for the allocator's side of the check.
pub(crate) static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Set by the allocator when the process passes [`LIMIT`]; the next check
/// point turns it into a `MemoryError`.
pub(crate) static OVER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The process is over its memory limit: every check point takes its slow
/// path until it is not. Process-wide, because the allocator is: with two
/// engines in one process, both see the one limit.
#[inline(always)]
pub(crate) fn memory_over() -> bool {
    OVER.load(Ordering::Relaxed)
}

/// Why check points should take their slow path, counted: 1 while
/// [`OVER`] is set, plus 1 for each engine with an interrupt request
/// pending (`runtime::interrupt`). The fast path of a check point (every
/// call and backward jump) reads only this, one load of a static, instead
/// of the engine's request flag behind its `Arc` and then [`OVER`]. The
/// slow path looks at the real flags, so a reason that is another
/// engine's costs this one a slower check point, never a wrong answer.
/// Each flag changes it only on its own change (a `swap`), so the count is
/// exact once every thread's add or subtract has landed (between the
/// two, a subtract may run first and wrap it: still not zero, still only a
/// slower check).
static ATTENTION: AtomicUsize = AtomicUsize::new(0);

/// A check point has something to look at beyond its countdown: the
/// memory limit passed, or an interrupt requested (here or in another
/// engine of the process).
#[inline(always)]
pub(crate) fn attention() -> bool {
    ATTENTION.load(Ordering::Relaxed) != 0
}

/// Counts a reason for check points to look ([`ATTENTION`]) that came
/// (`true`) or went.
#[inline]
pub(crate) fn note_attention(came: bool) {
    if came {
        ATTENTION.fetch_add(1, Ordering::SeqCst);
    } else {
        ATTENTION.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Sets or clears [`OVER`], keeping [`ATTENTION`] in step.
#[inline]
pub(crate) fn set_over(over: bool) {
    if OVER.swap(over, Ordering::Relaxed) != over {
        note_attention(over);
    }
}

/// Notes a new total; past the limit, makes check points take the slow path.
#[inline]
fn counted(total: isize) {
    if total > LIMIT.load(Ordering::Relaxed) as isize && !OVER.load(Ordering::Relaxed) {
        set_over(true);
    }
}

/// Bytes currently allocated through [`CountingAlloc`], up to what the
/// threads have not added yet (see [`PENDING`]). Signed: one thread may
/// add what another frees before the first has added it.
static ALLOCATED: AtomicIsize = AtomicIsize::new(0);
/// Whether [`CountingAlloc`] is the global allocator (else memory is unknown).
static COUNTING: AtomicUsize = AtomicUsize::new(0);

/// How far a thread's count may run from [`ALLOCATED`] before it is added.
const BATCH: isize = 64 * 1024;

thread_local! {
    /// Bytes this thread allocated less those it freed, not yet added to
    /// [`ALLOCATED`]. A locked add on every allocation and every free was
    /// most of their cost (85 % of `alloc`'s samples in a string-heavy
    /// script): small allocations now touch only this, and the shared
    /// count moves once per 64 KiB, or at once for a large block. The
    /// limit is thus seen up to 64 KiB per thread late, and a thread that
    /// ends leaves up to that much uncounted. `const` and without `Drop`,
    /// so reading it never allocates and works while a thread ends.
    static PENDING: Cell<isize> = const { Cell::new(0) };
}

/// Counts `delta` bytes (negative when freed) for this thread.
#[inline(always)]
fn note(delta: isize) {
    let d = PENDING.get() + delta;
    if d > -BATCH && d < BATCH {
        PENDING.set(d);
    } else {
        PENDING.set(0);
        add(d);
    }
}

#[cold]
#[inline(never)]
fn add(d: isize) {
    counted(ALLOCATED.fetch_add(d, Ordering::Relaxed) + d);
}

/// mimalloc, counting the bytes it holds, so `--max-memory` can stop a
/// runaway script before the OS kills the process. Install it with
/// `#[global_allocator] static A: tasks::limits::CountingAlloc = tasks::limits::CountingAlloc;`.
/// Written by hand because it is a dozen lines over `MiMalloc`. mimalloc
/// rather than the system allocator because a script allocates a small
/// string, list or map at almost every step: glibc's malloc and free were
/// a fifth of the time of string-heavy scripts (issue 28).
pub struct CountingAlloc;

/// Whether a block with this alignment and size may come from mimalloc's
/// plain `mi_malloc`: every mimalloc block is a whole number of words from
/// a page start aligned to 16, so it is aligned to a word (not always to 16:
/// there is a 24-byte size class). The aligned entry (`mi_malloc_aligned`,
/// which the `mimalloc` crate always calls) cost 57 instructions a call
/// against about 20 (callgrind), and a script allocates at almost every
/// step (issue 28).
#[inline(always)]
fn plain(align: usize, size: usize) -> bool {
    align <= std::mem::size_of::<usize>() && align <= size
}

// SAFETY: every method forwards to `MiMalloc`, or for a layout that
// `plain` accepts to the matching unaligned mimalloc function, which returns
// a block aligned as asked (see `plain`; asserted in debug builds) and frees
// with the same `mi_free`; that upholds `GlobalAlloc`'s contract. The
// counting on the side touches no memory.
unsafe impl GlobalAlloc for CountingAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = if plain(layout.align(), layout.size()) {
            // SAFETY: a plain C allocation of a non-zero size (align <= size).
            unsafe { libmimalloc_sys::mi_malloc(layout.size()) as *mut u8 }
        } else {
            // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
            unsafe { MiMalloc.alloc(layout) }
        };
        if !p.is_null() {
            debug_assert_eq!(p as usize % layout.align(), 0);
            note(layout.size() as isize);
        }
        p
    }
    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize));
        // SAFETY: forwarded unchanged (`MiMalloc` frees every block with
        // `mi_free`); the caller upholds `dealloc`'s contract.
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }
    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = if plain(layout.align(), layout.size()) {
            // SAFETY: as in `alloc`.
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()) as *mut u8 }
        } else {
            // SAFETY: forwarded unchanged; the caller upholds `alloc_zeroed`'s contract.
            unsafe { MiMalloc.alloc_zeroed(layout) }
        };
        if !p.is_null() {
            debug_assert_eq!(p as usize % layout.align(), 0);
            note(layout.size() as isize);
        }
        p
    }
    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = if plain(layout.align(), new_size) {
            // SAFETY: `ptr` is a live mimalloc block (every block here is);
            // the new size is non-zero (align <= new_size).
            unsafe { libmimalloc_sys::mi_realloc(ptr as *mut _, new_size) as *mut u8 }
        } else {
            // SAFETY: forwarded unchanged; the caller upholds `realloc`'s contract.
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        };
        if !p.is_null() {
            debug_assert_eq!(p as usize % layout.align(), 0);
            note(new_size as isize - layout.size() as isize);
        }
        p
    }
}

impl CountingAlloc {
    /// Says that this allocator is in use (the `tasks` binary calls it at
    /// start), so the engine may trust [`allocated`].
    pub fn enable() {
        COUNTING.store(1, Ordering::Relaxed);
    }
}

/// Bytes the process holds now, if [`CountingAlloc`] counts them.
pub fn allocated() -> Option<usize> {
    (COUNTING.load(Ordering::Relaxed) == 1)
        .then(|| ALLOCATED.load(Ordering::Relaxed).max(0) as usize)
}

/// Makes room in `buf` for `more` bytes, as a native reading data of
/// unknown size (a pipe, `/dev/zero`) grows its buffer: an error of kind
/// `OutOfMemory` (the script's `MemoryError`) when the new capacity would
/// take the process past `--max-memory`. The VM's check points cannot
/// stop a native that reads on another thread; this does, before the
/// allocation rather than after it. Without a memory limit, or without
/// [`CountingAlloc`] to count the process's bytes, it only makes room.
/// A host's native turns the error into the script's `MemoryError`:
///
/// ```
/// let mut buf = Vec::new();
/// tasks::limits::reserve(&mut buf, 4096).map_err(|e| {
///     tasks::ScriptError::new("MemoryError", e.to_string())
/// })?;
/// assert!(buf.capacity() >= 4096);
/// # Ok::<(), tasks::ScriptError>(())
/// ```
pub fn reserve(buf: &mut Vec<u8>, more: usize) -> std::io::Result<()> {
    if buf.capacity() - buf.len() >= more {
        return Ok(());
    }
    let need = buf.len().saturating_add(more);
    let doubled = need.max(buf.capacity().saturating_mul(2)).max(64 << 10);
    let limit = LIMIT.load(Ordering::Relaxed);
    let Some(now) = allocated().filter(|_| limit != usize::MAX) else {
        buf.reserve_exact(doubled - buf.len());
        return Ok(());
    };
    // Doubling keeps a long read linear; near the limit, just what is needed.
    for cap in [doubled, need] {
        if now.saturating_add(cap - buf.capacity()) <= limit {
            buf.reserve_exact(cap - buf.len());
            return Ok(());
        }
    }
    Err(over_limit(now.saturating_add(need - buf.capacity()), limit))
}

/// As [`reserve`], but room for exactly `more` bytes (a read whose size
/// is known: no doubling, no 64 KiB floor).
pub fn reserve_exact(buf: &mut Vec<u8>, more: usize) -> std::io::Result<()> {
    let limit = LIMIT.load(Ordering::Relaxed);
    match allocated().filter(|_| limit != usize::MAX) {
        Some(now) if now.saturating_add(more) > limit => {
            Err(over_limit(now.saturating_add(more), limit))
        }
        _ => {
            buf.reserve_exact(more);
            Ok(())
        }
    }
}

/// The limit a REPL input over it may still grow to (see
/// `Interp::forgive_memory`); 0 when none.
pub(crate) static GRACE: AtomicUsize = AtomicUsize::new(0);

fn over_limit(after: usize, limit: usize) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::OutOfMemory,
        format!("reading this would take the process to {after} bytes, over the limit of {limit} (--max-memory)"),
    )
}

/// Parses a byte count: `1000000`, `100MB`, `1.5GiB`, `512k` (decimal
/// units are powers of 1000, `i` units powers of 1024).
pub fn parse_bytes(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{text}` is not a number of bytes (try 100MB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "ki" | "kib" => 1024.0,
        "mi" | "mib" => 1024.0 * 1024.0,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        u => {
            return Err(format!(
                "unknown unit `{u}` in `{text}` (use B, KB, MB, GB, KiB, MiB, GiB)"
            ))
        }
    };
    let bytes = n * mult;
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < usize::MAX as f64) {
        return Err(format!("`{text}` is not a usable number of bytes"));
    }
    Ok(bytes as usize)
}

/// Half of the memory the process can really have: the default
/// `--max-memory` of `tasks run` and the REPL, so a runaway script ends in
/// a `MemoryError` before the OS kills it (and its buffered output with
/// it). Half, because a value that doubles needs its old and new copies
/// at once.
///
/// What the process can have is the least of the machine's memory, the
/// cgroup's limit (a container's `--memory`: there the OOM killer strikes
/// long before the machine is full) and the address-space and data
/// rlimits (`ulimit -v`, `ulimit -d`).
pub fn default_max_memory() -> Option<usize> {
    let bounds = [
        mem_total(),
        cgroup_limit(),
        address_space_left(),
        rlimit(rustix::process::Resource::Data),
    ];
    bounds.into_iter().flatten().min().map(|b| b / 2)
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn mem_total() -> Option<usize> {
    proc_bytes("/proc/meminfo", "MemTotal:")
}

/// The `KEY: N kB` line of a `/proc` file such as `meminfo`, in bytes.
fn proc_bytes(file: &str, key: &str) -> Option<usize> {
    let text = std::fs::read_to_string(file).ok()?;
    let kb: usize = text
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kb.checked_mul(1024)
}

/// The memory limit of this process's cgroup (v2 `memory.max`, or v1
/// `memory.limit_in_bytes`), when one is set.
fn cgroup_limit() -> Option<usize> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut limits = Vec::new();
    for line in own.lines() {
        // `0::/path` (v2) or `N:memory:/path` (v1).
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let file = match controllers {
            "" => format!("/sys/fs/cgroup{path}/memory.max"),
            c if c.split(',').any(|c| c == "memory") => {
                format!("/sys/fs/cgroup/memory{path}/memory.limit_in_bytes")
            }
            _ => continue,
        };
        if let Some(n) = std::fs::read_to_string(file)
            .ok()
            .and_then(|t| t.trim().parse::<usize>().ok())
        {
            limits.push(n);
        }
    }
    limits.into_iter().min()
}

/// What `ulimit -v` leaves of the address space: its limit less what is
/// mapped already (the binary, the 256 MiB interpreter stack, the
/// allocator's arenas), which the limit counts too.
fn address_space_left() -> Option<usize> {
    let limit = rlimit(rustix::process::Resource::As)?;
    let mapped = proc_bytes("/proc/self/status", "VmSize:")?;
    Some(limit.saturating_sub(mapped))
}

/// The soft limit of `resource`, when it is not unlimited.
fn rlimit(resource: rustix::process::Resource) -> Option<usize> {
    let limit = rustix::process::getrlimit(resource).current?;
    usize::try_from(limit).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_take_units() {
        assert_eq!(parse_bytes("1000").unwrap(), 1000);
        assert_eq!(parse_bytes("100MB").unwrap(), 100_000_000);
        assert_eq!(parse_bytes("1.5GiB").unwrap(), 1_610_612_736);
        assert_eq!(parse_bytes("512k").unwrap(), 512_000);
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("10XB").is_err());
        assert!(parse_bytes("0").is_err());
    }

    #[test]
    fn the_default_is_half_of_the_least_bound() {
        let d = default_max_memory().expect("a Linux machine has /proc/meminfo");
        assert!(d <= mem_total().unwrap() / 2);
        if let Some(c) = cgroup_limit() {
            assert!(d <= c / 2);
        }
    }
}
