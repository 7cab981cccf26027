//! The standard library's builtins of LANGUAGE.md §9 that need nothing
//! private (`ord`, `chr`): registered as a host registers its own, with a
//! public [`Signature`](crate::Signature) (`Engine::register_with`). The
//! value model's builtins (`len`, `str`, `sorted`, `range`, `bytes`, ...)
//! and asyncio's are the runtime's (`runtime/builtins/`: why is said
//! there). Adding one here is adding it to its file's `functions()`.

mod text;

/// The builtins registered as a host would (`Engine::register_with`).
pub(crate) fn bound() -> Vec<(crate::Signature, super::RawFn)> {
    text::functions()
}
