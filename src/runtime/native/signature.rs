//! `Signature`: a top-level native's parameters as its documentation gives
//! them, the form the builtins are bound to, for a host's functions and
//! the standard library's alike.

use super::function::{Args, NativeFn};
use crate::runtime::call::Sig;
use crate::{NativeCtx, NativeResult};

/// The parameters of a top-level native function, as its documentation
/// gives them (`Signature::new("clamp", &["x", "lo", "hi"]).required(1)`).
/// A function registered with one
/// ([`Engine::register_with`](crate::Engine::register_with)) has each call
/// bound to it before its body runs, as a builtin's is: a missing
/// argument, one too many, a name it does not have or a value given twice
/// is a `TypeError` worded as the builtins' (with a "did you mean"), and
/// parameters given by name are moved to their places, so the body reads
/// them with `args.next(...)`/`args.next_opt(...)` in order (one left out
/// before one given by name is `nil`: read it as an `Option<T>`). Named-only parameters
/// ([`Signature::named`]) are read with `args.keyword(...)`.
#[derive(Clone, Copy, Debug)]
pub struct Signature(pub(crate) Sig);

impl Signature {
    /// `name(params...)`, every parameter required, by position or name.
    pub const fn new(name: &'static str, params: &'static [&'static str]) -> Signature {
        Signature(Sig::new(name, params))
    }
    /// Only the first `n` parameters are required.
    pub const fn required(self, n: usize) -> Signature {
        Signature(self.0.required(n))
    }
    /// Any number of further positional arguments (`print(a, b, ...)`),
    /// read with `args.rest()`.
    pub const fn rest(self) -> Signature {
        Signature(self.0.rest())
    }
    /// Parameters taken only by name (`sep:`, `key:`).
    pub const fn named(self, names: &'static [&'static str]) -> Signature {
        Signature(self.0.named(names))
    }
    /// The function's name.
    pub fn name(&self) -> &'static str {
        self.0.name
    }
    /// The function, its calls bound to this signature.
    pub(crate) fn function(
        self,
        f: impl Fn(&mut NativeCtx<'_>, Args) -> NativeResult + 'static,
    ) -> NativeFn {
        NativeFn::builtin(self.0, f)
    }
}
