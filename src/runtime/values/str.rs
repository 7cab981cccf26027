//! `Str`: the string value. One pointer to a reference-counted block that
//! holds the count, the length and the bytes, so a `Value` is 16 bytes
//! rather than the 24 an `Rc<str>` (a fat pointer) would make it. Every
//! stack slot, list item and map entry is a `Value`, and values are moved
//! on every instruction, so the word saved is paid back everywhere.
//!
//! A string of up to seven bytes (on a 64-bit little-endian machine) is
//! kept in that word itself, with no block: its low byte holds the length
//! and a tag bit (a block's address is a multiple of 8, so its low bit is
//! 0), the bytes follow. Most pieces a script splits, strips, upper-cases
//! or matches are that short (CSV fields, words, numbers, map keys), and
//! making and freeing a block for each was the largest cost of
//! string-heavy scripts after dispatch (issue 28). Which form a text takes
//! depends only on its length, so equal texts have equal forms.
//!
//! Counting is not atomic, as with `Rc`: a `Str` is neither `Send` nor
//! `Sync` (the `NonNull` inside sees to that).

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::ptr::NonNull;
use std::rc::Rc;

#[repr(C)]
struct Header {
    count: Cell<usize>,
    len: usize,
}

/// A script string: one counted block holding its length and its UTF-8
/// text, a thin pointer (what `Value::Str` holds). Cheap to clone; it
/// derefs to `str`.
pub struct Str(NonNull<Header>);

/// The longest text kept in the `Str` itself: all but the word's first
/// byte, which its memory starts with only on a little-endian machine
/// (elsewhere every string has a block).
const INLINE_MAX: usize = if cfg!(target_endian = "little") {
    std::mem::size_of::<usize>() - 1
} else {
    0
};

/// The block of a string of `len` bytes: the header, then the bytes,
/// rounded up to a whole word (the header's alignment). One comparison and
/// two additions (no `Layout::extend` and its checks): it runs on every
/// allocation and every free of a string.
#[inline(always)]
fn layout(len: usize) -> Layout {
    const ALIGN: usize = std::mem::align_of::<Header>();
    const MAX: usize = isize::MAX as usize - std::mem::size_of::<Header>() - ALIGN;
    assert!(len <= MAX, "string too long");
    let size = (std::mem::size_of::<Header>() + len + ALIGN - 1) & !(ALIGN - 1);
    // SAFETY: `ALIGN` is an alignment (a power of two), and `size`, a
    // multiple of it, is at most `isize::MAX` (`len` was checked).
    unsafe { Layout::from_size_align_unchecked(size, ALIGN) }
}

/// Copies `len` bytes from `src` to `dst` (not overlapping). Most strings
/// a script makes are a few bytes, and the call to `memcpy` (through the
/// PLT, then its size dispatch) cost more than the copy: up to 16 bytes
/// are moved here with at most two loads and two stores a size, as
/// `memcpy` itself does, and longer runs go to it.
///
/// # Safety
/// As for [`std::ptr::copy_nonoverlapping`].
#[inline(always)]
unsafe fn copy_bytes(src: *const u8, dst: *mut u8, len: usize) {
    // SAFETY: each read and write lies within the first `len` bytes of
    // `src` and `dst` (the two of a pair overlap when `len` is not a
    // power of two); unaligned accesses are asked for as such.
    unsafe {
        match len {
            0 => {}
            1..=3 => {
                *dst = *src;
                *dst.add(len / 2) = *src.add(len / 2);
                *dst.add(len - 1) = *src.add(len - 1);
            }
            4..=7 => {
                let a = (src as *const u32).read_unaligned();
                let b = (src.add(len - 4) as *const u32).read_unaligned();
                (dst as *mut u32).write_unaligned(a);
                (dst.add(len - 4) as *mut u32).write_unaligned(b);
            }
            8..=16 => {
                let a = (src as *const u64).read_unaligned();
                let b = (src.add(len - 8) as *const u64).read_unaligned();
                (dst as *mut u64).write_unaligned(a);
                (dst.add(len - 8) as *mut u64).write_unaligned(b);
            }
            _ => std::ptr::copy_nonoverlapping(src, dst, len),
        }
    }
}

/// Writes the bytes of a string that [`Str::build`] makes, in order: each
/// run is checked against the room left, so a wrong size is a panic, not a
/// write out of bounds.
pub(crate) struct Filler {
    at: *mut u8,
    left: usize,
}

impl Filler {
    /// Writes `bytes` next.
    #[inline(always)]
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        assert!(bytes.len() <= self.left, "a string built long");
        // SAFETY: there is room for `bytes` (checked above).
        unsafe {
            copy_bytes(bytes.as_ptr(), self.at, bytes.len());
            self.at = self.at.add(bytes.len());
        }
        self.left -= bytes.len();
    }

    /// Writes `bytes` next, each one changed by `f`.
    #[inline(always)]
    pub(crate) fn push_map(&mut self, bytes: &[u8], f: impl Fn(u8) -> u8) {
        assert!(bytes.len() <= self.left, "a string built long");
        for (i, &b) in bytes.iter().enumerate() {
            // SAFETY: `i` is below `bytes.len()`, within the room checked.
            unsafe { self.at.add(i).write(f(b)) }
        }
        // SAFETY: as above.
        self.at = unsafe { self.at.add(bytes.len()) };
        self.left -= bytes.len();
    }
}

/// A part of a string that [`Str::try_concat_pieces`] joins: text, or an
/// int written in decimal (an f-string's `{n}` goes straight into the
/// result, without a string of its own made and freed first).
#[derive(Clone, Copy)]
pub(crate) enum Piece<'a> {
    Text(&'a str),
    Int(i64),
}

impl Piece<'_> {
    /// How many bytes the piece writes.
    #[inline(always)]
    fn len(self) -> usize {
        match self {
            Piece::Text(t) => t.len(),
            Piece::Int(n) => int_len(n),
        }
    }

    /// The length of the pieces one after another, or `None` past
    /// `usize::MAX`.
    #[inline]
    pub(crate) fn total<'a>(mut pieces: impl Iterator<Item = Piece<'a>>) -> Option<usize> {
        pieces.try_fold(0usize, |n, p| n.checked_add(p.len()))
    }

    /// Writes the piece's bytes at `dst`; returns where they end.
    ///
    /// # Safety
    /// `dst` must have room for them.
    #[inline(always)]
    unsafe fn write(self, dst: *mut u8) -> *mut u8 {
        match self {
            // SAFETY: the caller gave room for the text's bytes.
            Piece::Text(t) => unsafe {
                copy_bytes(t.as_ptr(), dst, t.len());
                dst.add(t.len())
            },
            // SAFETY: as above, for `int_len(n)` bytes.
            Piece::Int(n) => unsafe {
                let len = int_len(n);
                write_int(n, std::slice::from_raw_parts_mut(dst, len));
                dst.add(len)
            },
        }
    }
}

/// The length of `n` in decimal, with its sign.
#[inline]
pub(crate) fn int_len(n: i64) -> usize {
    let digits = n.unsigned_abs().checked_ilog10().unwrap_or(0) as usize + 1;
    digits + usize::from(n < 0)
}

/// Writes `n` in decimal (what `str(n)` shows) to fill `out`, whose length
/// is [`int_len`]`(n)`: from the last digit back, with no formatter.
#[inline]
fn write_int(n: i64, out: &mut [u8]) {
    let mut m = n.unsigned_abs();
    let mut at = out.len();
    loop {
        at -= 1;
        out[at] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        out[0] = b'-';
    }
}

impl Str {
    /// A copy of `s`: one allocation and one copy, without the loop over
    /// parts of [`Str::concat`] (every split piece, slice and literal is made
    /// here: 8 % of the instructions of `benches/csv_strings` went to that
    /// loop and its length fold).
    pub fn new(s: &str) -> Str {
        // SAFETY: the `s.len()` bytes of `s` (UTF-8) fill the string.
        unsafe { Str::make(s.len(), |data| copy_bytes(s.as_ptr(), data, s.len())) }
    }

    /// A string of `len` bytes that `write` writes at the pointer it is
    /// given: kept in the `Str` itself when short enough, else in a new
    /// block (the layout the allocator refused is the error).
    ///
    /// # Safety
    /// `write` must write exactly `len` bytes of UTF-8 there.
    #[inline(always)]
    unsafe fn try_make(len: usize, write: impl FnOnce(*mut u8)) -> Result<Str, Layout> {
        // One call of `write` whichever form the string takes, so that it
        // is inlined (called from two branches, it was made a function).
        let mut word = [0u8; std::mem::size_of::<usize>()];
        let block = if len <= INLINE_MAX {
            None
        } else {
            // SAFETY: the block's `len` bytes are written just below.
            Some(unsafe { Str::try_alloc_raw(len)? })
        };
        let data = match &block {
            Some((_, data)) => *data,
            // SAFETY: `len <= INLINE_MAX` bytes fit after the tag byte.
            None => unsafe { word.as_mut_ptr().add(1) },
        };
        // `data` has room for `len` bytes, which the caller's `write`
        // fills with UTF-8 (its promise).
        write(data);
        Ok(match block {
            Some((s, _)) => s,
            None => {
                word[0] = ((len as u8) << 1) | 1;
                Str::from_word(word)
            }
        })
    }

    /// [`Str::try_make`], ending the process if the allocator refuses.
    ///
    /// # Safety
    /// As for [`Str::try_make`].
    #[inline(always)]
    unsafe fn make(len: usize, write: impl FnOnce(*mut u8)) -> Str {
        // SAFETY: the caller keeps `try_make`'s promise.
        unsafe { Str::try_make(len, write) }.unwrap_or_else(|layout| handle_alloc_error(layout))
    }

    /// A short string in the word itself: the tag byte (`len << 1 | 1`),
    /// then the bytes, the rest zero (so equal texts are equal words).
    #[inline(always)]
    fn from_word(word: [u8; std::mem::size_of::<usize>()]) -> Str {
        debug_assert!(word[0] & 1 == 1 && usize::from(word[0] >> 1) <= INLINE_MAX);
        let bits = usize::from_ne_bytes(word);
        // SAFETY: the low bit is set, so the word is not zero. It is never
        // dereferenced as a pointer (`is_inline` guards every use).
        Str(unsafe { NonNull::new_unchecked(std::ptr::without_provenance_mut(bits)) })
    }

    /// Whether the text is in the word itself (see [`Str::from_word`]).
    #[inline(always)]
    fn is_inline(&self) -> bool {
        self.0.as_ptr().addr() & 1 == 1
    }

    /// A new block for `len` bytes, its header written and its bytes not:
    /// the string and where its bytes go, or the layout the allocator
    /// refused.
    ///
    /// # Safety
    /// The caller must write `len` bytes of UTF-8 at the pointer before the
    /// string is read or dropped.
    unsafe fn try_alloc_raw(len: usize) -> Result<(Str, *mut u8), Layout> {
        let layout = layout(len);
        // SAFETY: the layout has a non-zero size (the header); the header
        // is written before use, and the bytes lie after it, within the
        // allocation.
        unsafe {
            let p = alloc(layout) as *mut Header;
            let Some(p) = NonNull::new(p) else {
                return Err(layout);
            };
            p.as_ptr().write(Header {
                count: Cell::new(1),
                len,
            });
            let data = (p.as_ptr() as *mut u8).add(std::mem::size_of::<Header>());
            Ok((Str(p), data))
        }
    }

    /// `parts` one after another, copied straight into the new block: no
    /// intermediate `String`, so `s + s` on a large string needs its
    /// result's bytes once, not twice (which is what lets a runaway
    /// doubling end in a `MemoryError` rather than an abort).
    pub fn concat(parts: &[&str]) -> Str {
        match Str::try_concat(parts) {
            Ok(s) => s,
            Err(layout) => handle_alloc_error(layout),
        }
    }

    /// [`Str::concat`], or the layout the allocator refused: for a large
    /// string, running out of memory is the script's `MemoryError` (as in
    /// CPython), not the end of the process.
    pub fn try_concat(parts: &[&str]) -> Result<Str, Layout> {
        let pieces = parts.iter().map(|p| Piece::Text(p));
        let len = Piece::total(pieces.clone()).expect("string too long");
        // SAFETY: `len` is the pieces' total.
        unsafe { Str::try_concat_pieces(len, pieces) }
    }

    /// [`Str::try_concat`] of text and ints, whose total length
    /// ([`Piece::total`]) the caller has found.
    ///
    /// # Safety
    /// `len` must be the pieces' total length: they are written into a
    /// block of that size.
    #[inline]
    pub(crate) unsafe fn try_concat_pieces<'a>(
        len: usize,
        pieces: impl Iterator<Item = Piece<'a>>,
    ) -> Result<Str, Layout> {
        // SAFETY: the pieces' bytes, `len` in all (the caller's promise),
        // are written right away; text and decimal digits one after
        // another are UTF-8.
        unsafe {
            Str::try_make(len, |mut data| {
                for piece in pieces {
                    data = piece.write(data);
                }
            })
        }
    }

    /// A new string of `len` bytes that `fill` writes in order through a
    /// [`Filler`]: one allocation, no intermediate `String`, and no zeroing
    /// first (a `memset` call per string).
    ///
    /// # Safety
    /// `fill` must write valid UTF-8.
    ///
    /// # Panics
    /// When `fill` writes more or fewer than `len` bytes (a bug).
    pub(crate) unsafe fn build(len: usize, fill: impl FnOnce(&mut Filler)) -> Str {
        // SAFETY: the `Filler` writes only within the `len` bytes, and the
        // string is returned only once all of them are written (the
        // caller promises UTF-8). Dropped early (a panic), the string frees
        // its block without reading the bytes.
        unsafe {
            Str::make(len, |data| {
                let mut f = Filler {
                    at: data,
                    left: len,
                };
                fill(&mut f);
                assert_eq!(f.left, 0, "a string built short");
            })
        }
    }

    /// The decimal text of `n`, written straight into the string (what
    /// `str(n)` and `f"{n}"` show), without a formatter or a `String`.
    pub fn from_int(n: i64) -> Str {
        let len = int_len(n);
        // SAFETY: a sign and ASCII digits are UTF-8, written in full (no
        // zeroing first, as `build` does: a `memset` call per number).
        unsafe {
            Str::make(len, |data| {
                write_int(n, std::slice::from_raw_parts_mut(data, len))
            })
        }
    }

    /// The block's header (only for a string that has one).
    #[inline(always)]
    fn header(&self) -> &Header {
        debug_assert!(!self.is_inline());
        // SAFETY: the block lives while any `Str` points at it.
        unsafe { self.0.as_ref() }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        if self.is_inline() {
            let len = usize::from(self.0.as_ptr().addr() as u8 >> 1);
            // SAFETY: `try_make` wrote `len` bytes of UTF-8 after the tag
            // byte, which is the word's first byte in memory (little-endian
            // only: `INLINE_MAX` is 0 elsewhere). They are read where
            // `self` lies, so the text borrows from `self`.
            return unsafe {
                let data = (self as *const Str as *const u8).add(1);
                std::str::from_utf8_unchecked(std::slice::from_raw_parts(data, len))
            };
        }
        let len = self.header().len;
        // SAFETY: `try_make` wrote `len` bytes of a `str` right after the header.
        unsafe {
            let data = (self.0.as_ptr() as *const u8).add(std::mem::size_of::<Header>());
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(data, len))
        }
    }

    /// Whether two `Str`s are one block or the same short text (a cheap
    /// test that, when true, means equal texts).
    pub fn ptr_eq(a: &Str, b: &Str) -> bool {
        a.0 == b.0
    }
}

impl Clone for Str {
    #[inline]
    fn clone(&self) -> Str {
        if !self.is_inline() {
            let count = &self.header().count;
            // Overflow needs more live clones than there are bytes of memory.
            count.set(count.get() + 1);
        }
        Str(self.0)
    }
}

impl Drop for Str {
    #[inline]
    fn drop(&mut self) {
        if self.is_inline() {
            return;
        }
        let h = self.header();
        let left = h.count.get() - 1;
        h.count.set(left);
        if left == 0 {
            let layout = layout(h.len);
            // SAFETY: this was the last reference; the block came from
            // `alloc` with this same layout.
            unsafe { dealloc(self.0.as_ptr() as *mut u8, layout) }
        }
    }
}

impl Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        Str::ptr_eq(self, other) || self.as_str() == other.as_str()
    }
}

impl Eq for Str {}

impl PartialOrd for Str {
    fn partial_cmp(&self, other: &Str) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Str {
    fn cmp(&self, other: &Str) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Str {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str::new(s)
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        Str::new(&s)
    }
}

impl From<&String> for Str {
    fn from(s: &String) -> Str {
        Str::new(s)
    }
}

impl From<Rc<str>> for Str {
    fn from(s: Rc<str>) -> Str {
        Str::new(&s)
    }
}

impl From<&Rc<str>> for Str {
    fn from(s: &Rc<str>) -> Str {
        Str::new(s)
    }
}

impl From<&Str> for Rc<str> {
    fn from(s: &Str) -> Rc<str> {
        Rc::from(s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Str;

    #[test]
    fn holds_and_shares_its_text() {
        let empty = Str::new("");
        assert_eq!(&*empty, "");
        let a = Str::new("héllo, wörld");
        let b = a.clone();
        assert!(Str::ptr_eq(&a, &b));
        drop(a);
        assert_eq!(&*b, "héllo, wörld");
        assert_eq!(b, Str::from(String::from("héllo, wörld")));
        assert!(Str::new("a") < Str::new("b"));
        assert_eq!(std::mem::size_of::<Str>(), 8);
        assert_eq!(std::mem::size_of::<Option<Str>>(), 8);
    }

    #[test]
    fn keeps_short_texts_in_the_word() {
        let texts = [
            "", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "é", "日本",
            "x日本",
        ];
        for t in texts {
            let s = Str::new(t);
            assert_eq!(&*s, t);
            assert_eq!(s.len(), t.len());
            assert_eq!(s.is_inline(), t.len() <= super::INLINE_MAX, "{t:?}");
            let c = s.clone();
            drop(s);
            assert_eq!(&*c, t);
            // The same text made another way takes the same form.
            let built = Str::concat(&[t]);
            assert_eq!(built, c);
            assert_eq!(Str::ptr_eq(&built, &c), t.len() <= super::INLINE_MAX);
            let hash = |s: &Str| {
                use std::hash::{BuildHasher, BuildHasherDefault};
                BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                    .hash_one(s)
            };
            assert_eq!(hash(&built), hash(&c));
        }
        // Moved, a short string's text moves with it.
        let v: Vec<Str> = (0..100).map(Str::from_int).collect();
        let w: Vec<Str> = v.into_iter().rev().collect();
        assert_eq!(&*w[0], "99");
        assert_eq!(&*w[99], "0");
        assert!(Str::new("abc") < Str::new("abcdefghij"));
        assert!(Str::new("b") > Str::new("abcdefghij"));
        // SAFETY: ASCII digits and letters, as many bytes as asked for.
        let long = unsafe { Str::build(9, |f| f.push(b"123456789")) };
        // SAFETY: as above.
        let short = unsafe { Str::build(3, |f| f.push_map(b"abc", |b| b.to_ascii_uppercase())) };
        assert_eq!((&*long, &*short), ("123456789", "ABC"));
        assert_eq!(&*Str::from_int(-123456), "-123456");
        assert_eq!(&*Str::from_int(-1234567), "-1234567");
    }

    #[test]
    fn writes_ints_as_display_does() {
        for n in [0, 7, -7, 10, -10, 1234567890, i64::MAX, i64::MIN] {
            assert_eq!(&*Str::from_int(n), n.to_string());
        }
    }
}
