//! `MapTable`: a map's entries in insertion order, in one of two shapes.
//!
//! A small map (up to [`SMALL`] entries: a record-like `{"id": 1, "name":
//! ...}`, most maps a script makes) is a plain vector of pairs, looked up by
//! scanning: no hash computed, no index table beside the entries. Building
//! one is one allocation and a copy per pair, and it takes 32 bytes an
//! entry where the hash table took the entry, its hash and an index slot
//! (`benches/objects`: 100,000 maps of 5 keys). Scanning a handful of keys
//! costs less than hashing one: string literals are interned when the
//! program is linked, so most string keys match by pointer.
//!
//! Past [`SMALL`] entries the map becomes an `IndexMap` (foldhash, seeded
//! per process: the default SipHash was most of a map-heavy loop), boxed so
//! that a small map's header stays three words. It stays one when it
//! shrinks again: a map that grew once is likely to grow again, and
//! switching back and forth at the threshold would cost on every step.
//!
//! Both shapes keep insertion order, replace a value in place, and remove
//! by shifting what follows (as `IndexMap::shift_remove`), so behaviour
//! does not depend on the shape: the methods here are the `IndexMap` ones
//! the runtime and hosts use.

use super::str::Str;
use super::value::{Key, Value};
use indexmap::IndexMap;
use std::mem::ManuallyDrop;

/// The hash table of a large map.
pub(crate) type Table = IndexMap<Key, Value, foldhash::fast::RandomState>;

/// The most entries a map holds as a plain vector of pairs. Eight keys
/// scan in fewer instructions than one key hashes and probes.
pub(crate) const SMALL: usize = 8;

#[derive(Clone)]
enum Repr {
    Small(Vec<(Key, Value)>),
    Large(Box<Table>),
}

/// A map's table: its entries in insertion order (see the module's
/// comment for its two shapes). Its drop does not recurse into nested
/// values (see `teardown`), as for [`super::value::ListItems`].
#[derive(Clone)]
pub struct MapTable(ManuallyDrop<Repr>);

impl Default for MapTable {
    fn default() -> MapTable {
        MapTable(ManuallyDrop::new(Repr::Small(Vec::new())))
    }
}

impl Drop for MapTable {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `drop` runs once and nothing reads `self.0` after it, so
        // the table taken out here is dropped exactly once, by `teardown`.
        let repr = unsafe { ManuallyDrop::take(&mut self.0) };
        super::teardown::drop_contents(repr, Repr::into_values);
    }
}

impl Repr {
    /// The values, the keys let go (for `teardown`, which must not make
    /// another `MapTable` to drop).
    fn into_values(self) -> Vec<Value> {
        match self {
            Repr::Small(e) => e.into_iter().map(|(_, v)| v).collect(),
            Repr::Large(t) => t.into_values().collect(),
        }
    }
}

/// Where `key` is among small `entries`: a str key by pointer first (an
/// interned literal finds its twin without reading any text), then by
/// text; any other key by `==`.
#[inline(always)]
fn small_find(entries: &[(Key, Value)], key: &Key) -> Option<usize> {
    match key {
        Key::Str(s) => small_find_str(entries, s),
        _ => entries.iter().position(|(k, _)| k == key),
    }
}

/// The pair of str key `s` among small `entries`, as [`small_find_str`]
/// finds it, without counting positions (the hot lookups want the value).
#[inline(always)]
fn small_pair_str<'a>(entries: &'a [(Key, Value)], s: &Str) -> Option<&'a (Key, Value)> {
    let same = |(k, _): &&(Key, Value)| matches!(k, Key::Str(t) if Str::ptr_eq(t, s));
    if let Some(pair) = entries.iter().find(same) {
        return Some(pair);
    }
    let equal = |(k, _): &&(Key, Value)| matches!(k, Key::Str(t) if t.as_str() == s.as_str());
    entries.iter().find(equal)
}

#[inline(always)]
fn small_find_str(entries: &[(Key, Value)], s: &Str) -> Option<usize> {
    let same = |(k, _): &(Key, Value)| matches!(k, Key::Str(t) if Str::ptr_eq(t, s));
    if let Some(i) = entries.iter().position(same) {
        return Some(i);
    }
    let equal = |(k, _): &(Key, Value)| matches!(k, Key::Str(t) if t.as_str() == s.as_str());
    entries.iter().position(equal)
}

impl MapTable {
    fn from_repr(repr: Repr) -> MapTable {
        MapTable(ManuallyDrop::new(repr))
    }

    /// An empty table.
    pub fn new() -> MapTable {
        MapTable::default()
    }

    /// An empty table with room for `n` entries.
    #[inline]
    pub fn with_capacity(n: usize) -> MapTable {
        if n <= SMALL {
            MapTable::from_repr(Repr::Small(Vec::with_capacity(n)))
        } else {
            MapTable::from_repr(Repr::Large(Box::new(Table::with_capacity_and_hasher(
                n,
                Default::default(),
            ))))
        }
    }

    /// A table of `pairs`, in order, whose keys the caller knows to be
    /// distinct (a map literal's string literals): moved in, unsearched.
    pub(crate) fn from_distinct(pairs: Vec<(Key, Value)>) -> MapTable {
        debug_assert!(pairs
            .iter()
            .enumerate()
            .all(|(i, (k, _))| small_find(&pairs[..i], k).is_none()));
        if pairs.len() <= SMALL {
            MapTable::from_repr(Repr::Small(pairs))
        } else {
            pairs.into_iter().collect()
        }
    }

    /// How many entries.
    #[inline]
    pub fn len(&self) -> usize {
        match &*self.0 {
            Repr::Small(e) => e.len(),
            Repr::Large(t) => t.len(),
        }
    }

    /// Whether there are no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many entries fit before the table grows.
    pub fn capacity(&self) -> usize {
        match &*self.0 {
            Repr::Small(e) => e.capacity(),
            Repr::Large(t) => t.capacity(),
        }
    }

    /// Whether the table is the hash table (for `growth`'s estimate of
    /// what growing costs).
    pub(crate) fn is_large(&self) -> bool {
        matches!(&*self.0, Repr::Large(_))
    }

    /// The position of `key`.
    #[inline]
    pub fn get_index_of(&self, key: &Key) -> Option<usize> {
        match &*self.0 {
            Repr::Small(e) => small_find(e, key),
            Repr::Large(t) => t.get_index_of(key),
        }
    }

    /// The index of str key `k`. A small table is scanned (by pointer
    /// first: string literals are interned program-wide when the program
    /// is linked, so `p["name"]` of a map built from a literal finds its
    /// key without reading text); a large one is looked up by hash.
    #[inline(always)]
    pub fn index_of_str(&self, k: &Str) -> Option<usize> {
        match &*self.0 {
            Repr::Small(e) => small_find_str(e, k),
            Repr::Large(t) => {
                // SAFETY: a bitwise copy of the `Str` without its count,
                // never dropped (`ManuallyDrop`) and gone when this
                // returns; `k` keeps the text alive meanwhile.
                let key = ManuallyDrop::new(Key::Str(unsafe { std::ptr::read(k) }));
                t.get_index_of(&*key)
            }
        }
    }

    /// The value of str key `k`, found as [`MapTable::index_of_str`]
    /// finds it, with one look at the table's shape.
    #[inline(always)]
    pub fn get_str(&self, k: &Str) -> Option<&Value> {
        match &*self.0 {
            Repr::Small(e) => small_pair_str(e, k).map(|(_, v)| v),
            Repr::Large(t) => {
                // SAFETY: as in `index_of_str`.
                let key = ManuallyDrop::new(Key::Str(unsafe { std::ptr::read(k) }));
                t.get(&*key)
            }
        }
    }

    /// [`MapTable::get_str`], the value to change.
    #[inline(always)]
    pub fn get_str_mut(&mut self, k: &Str) -> Option<&mut Value> {
        match &mut *self.0 {
            Repr::Small(e) => {
                let i = small_find_str(e, k)?;
                // SAFETY: `small_find_str` gives a position within `e`.
                Some(&mut unsafe { e.get_unchecked_mut(i) }.1)
            }
            Repr::Large(t) => {
                // SAFETY: as in `index_of_str`.
                let key = ManuallyDrop::new(Key::Str(unsafe { std::ptr::read(k) }));
                t.get_mut(&*key)
            }
        }
    }

    /// Whether `key` is in the table.
    #[inline]
    pub fn contains_key(&self, key: &Key) -> bool {
        self.get_index_of(key).is_some()
    }

    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: &Key) -> Option<&Value> {
        self.get_index_of(key).map(|i| &self[i])
    }

    /// The value of `key`, to change.
    #[inline]
    pub fn get_mut(&mut self, key: &Key) -> Option<&mut Value> {
        self.get_index_of(key).map(|i| &mut self[i])
    }

    /// The entry at position `i`.
    #[inline]
    pub fn get_index(&self, i: usize) -> Option<(&Key, &Value)> {
        match &*self.0 {
            Repr::Small(e) => e.get(i).map(|(k, v)| (k, v)),
            Repr::Large(t) => t.get_index(i),
        }
    }

    /// The entry at position `i`, its value to change.
    #[inline]
    pub fn get_index_mut(&mut self, i: usize) -> Option<(&Key, &mut Value)> {
        match &mut *self.0 {
            Repr::Small(e) => e.get_mut(i).map(|(k, v)| (&*k, v)),
            Repr::Large(t) => t.get_index_mut(i),
        }
    }

    /// Sets `key` to `value`: a key already there keeps its place and its
    /// old value is returned; a new key goes last.
    #[inline]
    pub fn insert(&mut self, key: Key, value: Value) -> Option<Value> {
        if let Some(i) = self.get_index_of(&key) {
            return Some(std::mem::replace(&mut self[i], value));
        }
        self.push_new(key, value);
        None
    }

    /// Appends `key`, known not to be in the table.
    #[inline]
    pub(crate) fn push_new(&mut self, key: Key, value: Value) {
        match &mut *self.0 {
            Repr::Small(e) if e.len() < SMALL => {
                if e.len() == e.capacity() {
                    e.reserve_exact(small_growth(e.capacity()) - e.len());
                }
                e.push((key, value));
            }
            Repr::Large(t) => {
                t.insert(key, value);
            }
            Repr::Small(_) => {
                self.make_large(SMALL + 1);
                let Repr::Large(t) = &mut *self.0 else {
                    unreachable!("made large")
                };
                t.insert(key, value);
            }
        }
    }

    /// Turns a small table into the hash table, with room for `cap`
    /// entries (nothing for a large one).
    #[cold]
    #[inline(never)]
    fn make_large(&mut self, cap: usize) {
        let Repr::Small(e) = &mut *self.0 else {
            return;
        };
        let mut t = Table::with_capacity_and_hasher(cap.max(e.len()), Default::default());
        t.extend(e.drain(..));
        *self.0 = Repr::Large(Box::new(t));
    }

    /// The value the entry `key` holds, set to `default()` first if the
    /// key is not there.
    pub fn get_or_insert_with(&mut self, key: Key, default: impl FnOnce() -> Value) -> &mut Value {
        let i = match self.get_index_of(&key) {
            Some(i) => i,
            None => {
                self.push_new(key, default());
                self.len() - 1
            }
        };
        &mut self[i]
    }

    /// The entry of `key`, for `or_insert` (the `IndexMap` spelling).
    pub fn entry(&mut self, key: Key) -> Entry<'_> {
        Entry { table: self, key }
    }

    /// Removes `key`, shifting the entries after it down (order kept).
    pub fn shift_remove(&mut self, key: &Key) -> Option<Value> {
        match &mut *self.0 {
            Repr::Small(e) => small_find(e, key).map(|i| e.remove(i).1),
            Repr::Large(t) => t.shift_remove(key),
        }
    }

    /// Removes every entry (a large table keeps its room).
    pub fn clear(&mut self) {
        match &mut *self.0 {
            Repr::Small(e) => e.clear(),
            Repr::Large(t) => t.clear(),
        }
    }

    /// Room for `more` entries beyond those there, exactly as asked (past
    /// [`SMALL`] the table becomes the hash table).
    pub fn reserve_exact(&mut self, more: usize) {
        let need = self.len().saturating_add(more);
        match &mut *self.0 {
            Repr::Small(e) if need <= SMALL => e.reserve_exact(more),
            Repr::Small(_) => self.make_large(need),
            Repr::Large(t) => t.reserve_exact(more),
        }
    }

    /// The entries in order.
    #[inline]
    pub fn iter(&self) -> Iter<'_> {
        match &*self.0 {
            Repr::Small(e) => Iter::Small(e.iter()),
            Repr::Large(t) => Iter::Large(t.iter()),
        }
    }

    /// The entries in order, their values to change.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        match &mut *self.0 {
            Repr::Small(e) => IterMut::Small(e.iter_mut()),
            Repr::Large(t) => IterMut::Large(t.iter_mut()),
        }
    }

    /// The keys in order.
    #[inline]
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The values in order.
    #[inline]
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator + '_ {
        self.iter().map(|(_, v)| v)
    }

    /// The values in order, to change.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> + '_ {
        self.iter_mut().map(|(_, v)| v)
    }

    /// The values in order, the keys let go.
    pub fn into_values(self) -> impl Iterator<Item = Value> {
        self.into_iter().map(|(_, v)| v)
    }
}

/// How many entries a small table that is full grows to: doubled (four at
/// least), never past [`SMALL`]; one more entry makes it the hash table.
#[inline]
pub(crate) fn small_growth(cap: usize) -> usize {
    cap.saturating_mul(2).clamp(4, SMALL)
}

/// What [`MapTable::entry`] gives.
pub struct Entry<'a> {
    table: &'a mut MapTable,
    key: Key,
}

impl<'a> Entry<'a> {
    /// The key's value, set to `default` first if the key is not there.
    pub fn or_insert(self, default: Value) -> &'a mut Value {
        self.table.get_or_insert_with(self.key, || default)
    }

    /// The key's value, set to `default()` first if the key is not there.
    pub fn or_insert_with(self, default: impl FnOnce() -> Value) -> &'a mut Value {
        self.table.get_or_insert_with(self.key, default)
    }
}

impl std::ops::Index<usize> for MapTable {
    type Output = Value;
    /// The value at position `i` (panics past the end).
    #[inline]
    fn index(&self, i: usize) -> &Value {
        match &*self.0 {
            Repr::Small(e) => &e[i].1,
            Repr::Large(t) => &t[i],
        }
    }
}

impl std::ops::IndexMut<usize> for MapTable {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut Value {
        match &mut *self.0 {
            Repr::Small(e) => &mut e[i].1,
            Repr::Large(t) => &mut t[i],
        }
    }
}

/// [`MapTable::iter`]: the entries in order.
pub enum Iter<'a> {
    #[doc(hidden)]
    Small(std::slice::Iter<'a, (Key, Value)>),
    #[doc(hidden)]
    Large(indexmap::map::Iter<'a, Key, Value>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a Value);
    #[inline]
    fn next(&mut self) -> Option<(&'a Key, &'a Value)> {
        match self {
            Iter::Small(it) => it.next().map(|(k, v)| (k, v)),
            Iter::Large(it) => it.next(),
        }
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Small(it) => it.size_hint(),
            Iter::Large(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(it) => it.next_back().map(|(k, v)| (k, v)),
            Iter::Large(it) => it.next_back(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// [`MapTable::iter_mut`]: the entries in order, values to change.
pub enum IterMut<'a> {
    #[doc(hidden)]
    Small(std::slice::IterMut<'a, (Key, Value)>),
    #[doc(hidden)]
    Large(indexmap::map::IterMut<'a, Key, Value>),
}

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a Key, &'a mut Value);
    #[inline]
    fn next(&mut self) -> Option<(&'a Key, &'a mut Value)> {
        match self {
            IterMut::Small(it) => it.next().map(|(k, v)| (&*k, v)),
            IterMut::Large(it) => it.next(),
        }
    }
}

impl<'a> IntoIterator for &'a MapTable {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for MapTable {
    type Item = (Key, Value);
    type IntoIter = IntoIter;
    /// The entries in order, moved out (an empty table is left to drop).
    fn into_iter(mut self) -> IntoIter {
        match std::mem::replace(&mut *self.0, Repr::Small(Vec::new())) {
            Repr::Small(e) => IntoIter::Small(e.into_iter()),
            Repr::Large(t) => IntoIter::Large(t.into_iter()),
        }
    }
}

/// The entries of a table, moved out in order.
pub enum IntoIter {
    #[doc(hidden)]
    Small(std::vec::IntoIter<(Key, Value)>),
    #[doc(hidden)]
    Large(indexmap::map::IntoIter<Key, Value>),
}

impl Iterator for IntoIter {
    type Item = (Key, Value);
    #[inline]
    fn next(&mut self) -> Option<(Key, Value)> {
        match self {
            IntoIter::Small(it) => it.next(),
            IntoIter::Large(it) => it.next(),
        }
    }
}

impl Extend<(Key, Value)> for MapTable {
    fn extend<I: IntoIterator<Item = (Key, Value)>>(&mut self, pairs: I) {
        for (k, v) in pairs {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(Key, Value)> for MapTable {
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(pairs: I) -> MapTable {
        let pairs = pairs.into_iter();
        let mut table = MapTable::with_capacity(pairs.size_hint().0.min(SMALL));
        table.extend(pairs);
        table
    }
}

#[cfg(test)]
mod tests;
