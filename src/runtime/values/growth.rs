//! Room for more items in a list or a map, checked against
//! `--max-memory` before the collection grows. The allocator's count
//! alone sees a doubling only once it is made: a list that doubled from
//! 60 % of the limit held 1.8 times it (old and new block) before the
//! next check point raised `MemoryError`. Here a growth that would pass
//! the limit is made smaller, or refused with a `MemoryError`, before any
//! byte is allocated.

use super::map_table::{small_growth, SMALL};
use super::value::{Key, MapTable, Value};
use crate::runtime::error::{ErrorObj, ErrorRef};

/// Room for `more` items in a list, as `push`, `insert` and `extend`
/// need. Inline for the common case: there is room already.
#[inline]
pub(crate) fn list_room(items: &mut Vec<Value>, more: usize) -> Result<(), ErrorRef> {
    if items.capacity() - items.len() >= more {
        return Ok(());
    }
    grow_list(items, more)
}

#[cold]
#[inline(never)]
fn grow_list(items: &mut Vec<Value>, more: usize) -> Result<(), ErrorRef> {
    let need = items.len().saturating_add(more);
    // What `Vec::push` would do: double, at least 4.
    let wanted = need.max(items.capacity().saturating_mul(2)).max(4);
    let bytes = |cap: usize| cap.saturating_mul(std::mem::size_of::<Value>());
    match crate::limits::grown_capacity(items.capacity(), need, wanted, bytes) {
        Ok(cap) => {
            let old = bytes(items.capacity());
            items.reserve_exact(cap - items.len());
            released(old);
            Ok(())
        }
        Err(over) => Err(too_big("list", need, over)),
    }
}

/// Room for `key` in a map before it goes in (`setdefault`, `update`):
/// none needed if the map has room or holds the key already.
#[inline]
pub(crate) fn map_room(table: &mut MapTable, key: &Key) -> Result<(), ErrorRef> {
    if table.len() < table.capacity() || table.contains_key(key) {
        return Ok(());
    }
    grow_map(table)
}

/// `m[k] = v`: the value of a key already there is replaced in place (the
/// old one returned); a new key goes last, after [`map_room`]'s check,
/// with one lookup for both.
#[inline]
pub(crate) fn map_insert(
    table: &mut MapTable,
    key: Key,
    value: Value,
) -> Result<Option<Value>, ErrorRef> {
    if let Some(i) = table.get_index_of(&key) {
        return Ok(Some(std::mem::replace(&mut table[i], value)));
    }
    if table.len() == table.capacity() {
        grow_map(table)?;
    }
    table.push_new(key, value);
    Ok(None)
}

#[cold]
#[inline(never)]
fn grow_map(table: &mut MapTable) -> Result<(), ErrorRef> {
    let need = table.len() + 1;
    let small = !table.is_large() && need <= SMALL;
    // What the table's own growth would give: a small one doubles (up to
    // `SMALL`); the hash table doubles its index table's slots, 7/8 of
    // them usable, the entries as many.
    let wanted = if small {
        small_growth(table.capacity()).max(need)
    } else {
        (need.saturating_mul(8).div_ceil(7))
            .next_power_of_two()
            .max(8)
            / 8
            * 7
    };
    let bytes = |cap: usize| {
        if small {
            small_bytes(cap)
        } else {
            large_bytes(cap)
        }
    };
    match crate::limits::grown_capacity(table.len(), need, wanted, bytes) {
        Ok(cap) => {
            let old = if table.is_large() {
                large_bytes(table.capacity())
            } else {
                small_bytes(table.capacity())
            };
            table.reserve_exact(cap - table.len());
            released(old);
            Ok(())
        }
        Err(over) => Err(too_big("map", need, over)),
    }
}

/// A small table's block: its pairs.
fn small_bytes(cap: usize) -> usize {
    cap.saturating_mul(std::mem::size_of::<(Key, Value)>())
}

/// The hash table's blocks: an entry holds its hash, key and value; the
/// index table beside the entries has a power of two of slots (an index
/// and a control byte each), at most 7/8 full. Reserving exactly grows
/// the entries by as much as asked and the index table only when it is
/// full.
fn large_bytes(cap: usize) -> usize {
    let entry = std::mem::size_of::<(u64, Key, Value)>();
    let slots = cap.saturating_mul(8).div_ceil(7).next_power_of_two();
    cap.saturating_mul(entry)
        .saturating_add(slots.saturating_mul(std::mem::size_of::<usize>() + 1))
}

/// The block a large collection left when it grew goes back to the
/// system at once near the limit (see `limits::release_freed`): resident
/// memory follows the count.
fn released(old_bytes: usize) {
    if old_bytes >= crate::limits::LARGE {
        crate::limits::release_freed_near_limit();
    }
}

/// Short enough for one line of an 80-column report.
fn too_big(what: &str, items: usize, (after, limit): (usize, usize)) -> ErrorRef {
    ErrorObj::with_help(
        "MemoryError",
        format!("growing this {what} would be over the limit of {limit} (--max-memory)"),
        format!("to {items} items the process would hold {after} bytes. A value that grows without end? raise the limit with --max-memory"),
    )
}
