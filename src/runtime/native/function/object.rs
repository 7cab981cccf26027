//! Values made in Rust with methods of their own: a host's types and the
//! standard library's (a process's result, a response, a stream, a match).

use super::{Args, NativeCtx};
use crate::runtime::values::value::Value;
use std::rc::Rc;

/// A value made in Rust with methods of its own (a host's type, or the
/// standard library's process result, response, stream, match): made with
/// [`Value::object`], its type registered with `Module::object::<T>()` so
/// that scripts may call its methods (a method name nobody registered is
/// an error before running). Methods are looked up by name when called;
/// an async method returns a coroutine made with [`NativeCtx::coroutine`].
pub trait NativeObject: 'static {
    /// What `type(v)` says.
    fn type_name(&self) -> &'static str;
    /// The names of its methods (what [`NativeObject::method`] answers).
    fn methods() -> &'static [&'static str]
    where
        Self: Sized;
    /// Runs method `name`; `None` if there is no such method.
    fn method(
        &self,
        ctx: &mut NativeCtx<'_>,
        name: &str,
        args: Args,
    ) -> Option<Result<Value, crate::runtime::error::ScriptError>>;
    /// How it prints.
    fn repr(&self) -> String {
        format!("<{}>", self.type_name())
    }
    /// The object as `Any`, for Rust code that takes a particular kind
    /// back from a script (a handler's `http.response(...)`).
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
    /// The object as a stream `for await` reads, if it is one.
    fn stream(&self) -> Option<&dyn crate::runtime::stream::NativeStream> {
        None
    }
    /// Can `with obj { }` take it? Then [`NativeObject::exit_scope`] runs
    /// when the block ends, by any way (a file closes).
    fn is_scope(&self) -> bool {
        false
    }
    /// The end of a `with` block over the object.
    fn exit_scope(
        &self,
        _ctx: &mut NativeCtx<'_>,
    ) -> Result<(), crate::runtime::error::ScriptError> {
        Ok(())
    }
}

/// A native object behind one thin pointer (a `Value` stays 16 bytes).
pub struct Object {
    pub(crate) inner: Box<dyn NativeObject>,
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.inner.repr())
    }
}

impl Object {
    pub(crate) fn value(o: impl NativeObject) -> Value {
        Value::Object(Rc::new(Object { inner: Box::new(o) }))
    }
}

impl Value {
    /// A script value holding a Rust object with methods.
    pub fn object(o: impl NativeObject) -> Value {
        Object::value(o)
    }
    /// The stream this value holds, if it is a native object that is one
    /// ([`NativeObject::stream`]): what `for await` reads without a
    /// coroutine when an item is [`ready`](crate::NativeStream::ready).
    pub fn as_stream(&self) -> Option<&dyn crate::NativeStream> {
        crate::runtime::stream::native(self)
    }
    /// The Rust object of type `T` this value holds, if it holds one
    /// whose [`NativeObject::as_any`] gives it out.
    pub fn as_object<T: 'static>(&self) -> Option<&T> {
        match self {
            Value::Object(o) => o.inner.as_any()?.downcast_ref(),
            _ => None,
        }
    }
}
