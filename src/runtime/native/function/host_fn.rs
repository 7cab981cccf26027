//! Rust closures as script functions: the traits `register_fn` and
//! `register_async_fn` take, implemented for closures of up to six
//! convertible parameters, with or without the native context first.

use super::{FromValue, IntoNativeResult, NativeCtx, NativeFn, OpFuture};
use std::future::Future;
use std::rc::Rc;

/// A Rust closure usable as a sync script function: `Fn(A, B, ...) -> R`
/// or `Fn(&mut NativeCtx, A, B, ...) -> R`, at most six arguments, each
/// [`FromValue`], and `R` a value or a `Result` ([`IntoNativeResult`]).
#[diagnostic::on_unimplemented(
    message = "this closure cannot be registered as a sync script function",
    label = "not a `Fn(A, ...) -> R` with convertible types",
    note = "a sync function is `Fn(A1, ..., A6) -> R` or `Fn(&mut NativeCtx, A1, ..., A6) -> R`; each parameter `tasks::FromValue` (`i64`, not `usize`; `String`, not `&str`), `R` a `tasks::IntoValue` or a `Result`; annotate each parameter's type",
    note = "a closure returning a future goes to `register_async_fn` / `Module::async_function`"
)]
pub trait HostFn<Marker>: 'static {
    /// The native function scripts call as `name`.
    fn into_native(self, name: Rc<str>) -> NativeFn;
}

/// A Rust closure returning a future, usable as an async script function.
#[diagnostic::on_unimplemented(
    message = "this closure cannot be registered as an async script function",
    label = "not a `Fn(A, ...) -> impl Future<Output = R> + 'static` with convertible types",
    note = "an async function is `Fn(A1, ..., A6) -> Fut` or `Fn(&mut NativeCtx, A1, ..., A6) -> Fut` with `Fut: Future + 'static` (`move |x: i64| async move {{ ... }}`: the future may not borrow the context); each parameter `tasks::FromValue`, the output a `tasks::IntoValue` or a `Result`",
    note = "a closure returning a value goes to `register_fn` / `Module::function`"
)]
pub trait HostAsyncFn<Marker>: 'static {
    /// The native function scripts call as `name`.
    fn into_native(self, name: Rc<str>) -> NativeFn;
}

/// Marks the [`HostFn`]/[`HostAsyncFn`] of a closure that takes a
/// [`NativeCtx`] first.
#[derive(Debug)]
pub struct WithCtx;

macro_rules! host_fn {
    ($($a:ident),*) => {
        impl<F, R, $($a: FromValue),*> HostFn<($($a,)* R,)> for F
        where
            F: Fn($($a),*) -> R + 'static,
            R: IntoNativeResult,
        {
            #[allow(non_snake_case, unused_mut)]
            fn into_native(self, name: Rc<str>) -> NativeFn {
                NativeFn::sync(name, move |_ctx, mut args| {
                    // The type parameters are `A1`, `A2`, ...: their position.
                    $(let $a: $a = args.next(&stringify!($a)[1..])?;)*
                    args.finish()?;
                    (self)($($a),*).into_native_result()
                })
            }
        }

        impl<F, Fut, R, $($a: FromValue),*> HostAsyncFn<($($a,)* Fut, R)> for F
        where
            F: Fn($($a),*) -> Fut + 'static,
            Fut: Future<Output = R> + 'static,
            R: IntoNativeResult,
        {
            #[allow(non_snake_case, unused_mut)]
            fn into_native(self, name: Rc<str>) -> NativeFn {
                NativeFn::asynchronous(name, move |_ctx, mut args| {
                    // The type parameters are `A1`, `A2`, ...: their position.
                    $(let $a: $a = args.next(&stringify!($a)[1..])?;)*
                    args.finish()?;
                    let fut = (self)($($a),*);
                    Ok(Box::pin(async move { fut.await.into_native_result() }) as OpFuture)
                })
            }
        }

        impl<F, R, $($a: FromValue),*> HostFn<(WithCtx, $($a,)* R,)> for F
        where
            F: Fn(&mut NativeCtx<'_>, $($a),*) -> R + 'static,
            R: IntoNativeResult,
        {
            #[allow(non_snake_case, unused_mut)]
            fn into_native(self, name: Rc<str>) -> NativeFn {
                NativeFn::sync(name, move |ctx, mut args| {
                    $(let $a: $a = args.next(&stringify!($a)[1..])?;)*
                    args.finish()?;
                    (self)(ctx, $($a),*).into_native_result()
                })
            }
        }

        impl<F, Fut, R, $($a: FromValue),*> HostAsyncFn<(WithCtx, $($a,)* Fut, R)> for F
        where
            F: Fn(&mut NativeCtx<'_>, $($a),*) -> Fut + 'static,
            Fut: Future<Output = R> + 'static,
            R: IntoNativeResult,
        {
            #[allow(non_snake_case, unused_mut)]
            fn into_native(self, name: Rc<str>) -> NativeFn {
                NativeFn::asynchronous(name, move |ctx, mut args| {
                    $(let $a: $a = args.next(&stringify!($a)[1..])?;)*
                    args.finish()?;
                    let fut = (self)(ctx, $($a),*);
                    Ok(Box::pin(async move { fut.await.into_native_result() }) as OpFuture)
                })
            }
        }
    };
}

host_fn!();
host_fn!(A1);
host_fn!(A1, A2);
host_fn!(A1, A2, A3);
host_fn!(A1, A2, A3, A4);
host_fn!(A1, A2, A3, A4, A5);
host_fn!(A1, A2, A3, A4, A5, A6);
