//! The lowered program: flat instruction lists with resolved slots and
//! typed tables of constants. Every instruction has a span, so runtime
//! errors point at the source. Nothing here is a runtime value: the
//! runtime's `link` turns a compiled function into what the evaluator runs.

use crate::syntax::Span;
use std::rc::Rc;

/// The comparison of a fused compare-and-jump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// The arithmetic of a fused instruction with an int operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    FloorDiv,
    Mod,
}

impl Cmp {
    pub fn holds(self, o: std::cmp::Ordering) -> bool {
        match self {
            Cmp::Lt => o.is_lt(),
            Cmp::Le => o.is_le(),
            Cmp::Gt => o.is_gt(),
            Cmp::Ge => o.is_ge(),
            Cmp::Eq => o.is_eq(),
            Cmp::Ne => o.is_ne(),
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// `local <cmp> k` then jump when false: `LoadLocal`, `Int`, `CmpJump`
    /// fused (loop and base-case tests).
    CmpLocalIntJump {
        cmp: Cmp,
        slot: u32,
        k: i32,
        target: u32,
    },
    /// `local <arith> k`: `LoadLocal`, `Int` and `Add`/`Sub`/`Mul`/
    /// `FloorDiv`/`Mod` fused.
    ArithLocalInt(Arith, u32, i32),
    /// `<top> <arith> k`: `Int` and the arithmetic fused (`(i + j) * 2`).
    ArithInt(Arith, i32),
    /// `<top> <cmp> k` as a bool: `Int` and the comparison fused
    /// (`return n % 3 == 0`).
    CmpInt(Cmp, i32),
    /// A `for` loop's jump back to its `IterNextLocal` at `top`, fused with
    /// it: the backward jump's check, then the next item into `slot` (on
    /// to `top + 1`) or the jump to `exit`. One dispatch per iteration
    /// instead of two.
    IterLoop {
        slot: u32,
        exit: u32,
        top: u32,
    },
    /// Two `LoadLocal`s in a row (`a + b`, `f(x, y)`), fused by the
    /// peephole pass: one dispatch instead of two.
    LoadLocal2(u32, u32),
    /// `a <arith> b` of two locals (`i + j`): two `LoadLocal`s and the
    /// arithmetic fused.
    ArithLocals(Arith, u32, u32),
    /// `a[b]` of two locals (`v[j]`): two `LoadLocal`s and `Index` fused.
    IndexLocals(u32, u32),
    /// `return local`.
    ReturnLocal(u32),
    /// `local[k]` with a constant key (`p["score"]`): `LoadLocal`, `Const`
    /// and `Index` fused; a map's value by a str key is read where the
    /// map lies, neither it nor the key pushed.
    IndexLocalConst {
        slot: u32,
        k: u32,
    },
    /// `local[k]` with an int key (`fields[2]`): `LoadLocal`, `Int` and
    /// `Index` fused.
    IndexLocalInt {
        slot: u32,
        k: i32,
    },
    /// Compare the top two values and jump when the comparison is false.
    CmpJump(Cmp, u32),
    Const(u32),
    Nil,
    True,
    False,
    Int(i32),
    Pop,
    Dup,
    /// Jumps to `skip` when the parameter in `slot` was given (else its
    /// default expression, which follows, runs).
    DefaultArg {
        slot: u32,
        skip: u32,
    },
    /// Duplicates the top two values (for `xs[i] += v`).
    Dup2,
    Nop,
    /// Moves a captured parameter into a cell at function entry.
    BoxLocal(u32),
    LoadLocal(u32),
    StoreLocal(u32),
    /// Declares a captured local: a fresh cell, so closures made in each
    /// loop iteration see their own variable.
    NewCell(u32),
    LoadCell(u32),
    StoreCell(u32),
    LoadUpval(u32),
    StoreUpval(u32),
    LoadGlobal(u32),
    StoreGlobal(u32),
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Neg,
    Not,
    Jump(u32),
    JumpIfFalse(u32),
    /// `and`: jump keeping the operand when it is falsy, else pop it.
    JumpIfFalseOrPop(u32),
    /// `or`: jump keeping the operand when it is truthy, else pop it.
    JumpIfTrueOrPop(u32),
    Call(u32),
    /// Call the function in a global with the `argc` arguments on the stack
    /// (no callee slot below them).
    CallGlobal {
        global: u32,
        argc: u32,
    },
    /// Call with named arguments; the const holds the list of names.
    CallNamed {
        argc: u32,
        names: u32,
    },
    Method {
        method: u32,
        argc: u32,
    },
    /// `Method` whose result is dropped (the statement `xs.push(v)`):
    /// `Method; Pop` fused by the peephole pass.
    MethodPop {
        method: u32,
        argc: u32,
    },
    MethodNamed {
        method: u32,
        argc: u32,
        names: u32,
    },
    /// `await f(args)`: for an async fn runs the body inline without
    /// making a coroutine object.
    CallAwait(u32),
    /// `await f(args)` of a global function by name (no callee slot).
    CallAwaitGlobal {
        global: u32,
        argc: u32,
    },
    Index,
    /// `target[start:stop:step]`: the four values on the stack (nil for a
    /// part left out) make a new list or string.
    Slice,
    StoreIndex,
    /// `local["key"] = value` (the value on top): `LoadLocal`, `Const`
    /// and `StoreIndex` fused by the peephole pass; the local is read
    /// when the value is stored, which no expression can tell apart (a
    /// local that a closure could rebind is a cell, not fused).
    StoreIndexLocalConst {
        slot: u32,
        k: u32,
    },
    /// `target.name(args)` where some struct or module has an attribute
    /// `name`: a struct's method, or a function in a field or module
    /// member, found by the name in the const when it runs; other values
    /// answer with the builtin method whose id is the next const (-1:
    /// none). `names`: u32::MAX, or the const list of the named
    /// arguments' names.
    CallAttr {
        name: u32,
        argc: u32,
        names: u32,
    },
    /// `target.name`: the const holds the name.
    GetField(u32),
    /// `target.name = value` (value on top).
    SetField(u32),
    /// A struct's constructor: its `n` fields on the stack become a record
    /// of the type in the const.
    MakeRecord {
        ty: u32,
        n: u32,
    },
    MakeList(u32),
    /// Append the value on top to the list in the local (a comprehension's).
    ListAppend(u32),
    /// Set the key and value on top in the map in the local.
    MapInsert(u32),
    MakeMap(u32),
    /// `MakeMap` of a literal whose keys are string literals, no two
    /// alike: no key needs checking, none can replace another.
    MakeMapStrs(u32),
    Closure(u32),
    Return,
    Await,
    Spawn,
    /// `spawn f(args)` (no named arguments, outside a group).
    SpawnCall(u32),
    /// Spawn into the task group held in the given local.
    SpawnInGroup(u32),
    Throw,
    /// Throw the error on the stack again, keeping its original location.
    Rethrow,
    PushHandler(u32),
    PopHandler,
    IterStart,
    IterNext(u32),
    /// `IterNext` whose item goes straight into the loop variable's local
    /// (`IterNext(exit); StoreLocal(slot)` fused by the peephole pass).
    IterNextLocal {
        slot: u32,
        exit: u32,
    },
    /// Replace the value on top with its `n` items, the first on top (so
    /// the targets are stored left to right); a different count is a
    /// `ValueError`.
    Unpack(u32),
    /// The value on top → `before` items, a list of the items between,
    /// then `after` items, the first on top (`[a, *rest, z]`).
    UnpackStar {
        before: u32,
        after: u32,
    },
    /// Format the value with the spec const (u32::MAX: no spec).
    Format(u32),
    /// The value's `repr` as a string (`{x!r}`).
    Repr,
    Concat(u32),
    /// Does the error on the stack match the kinds in the const list? Pushes a bool.
    /// The const index u32::MAX means "anything but cancellation".
    CatchMatch(u32),
    GroupEnter(u32),
    /// Enter the `with` scope object in the local: pushes what entering
    /// returns (after waiting, for a lock or semaphore).
    WithEnter(u32),
    /// Exit the `with` scope object in the local, as `__aexit__` does; on
    /// the error path the error is on the stack, and is thrown again (or
    /// replaced, as a timeout replaces its cancellation). Pushes nil.
    WithExit {
        slot: u32,
        failed: bool,
    },
    /// `for await`: the stream on top goes into the local, checked to be
    /// one (a native stream, or a value with a `next` method).
    StreamStart(u32),
    /// `for await`: the next item of the stream in the local. A native
    /// stream's item is pushed at once (or after its wait) and the `Await`
    /// that follows is skipped; for any other stream `next()` is called
    /// (`name`: the const index of "next" and its builtin method id, as
    /// `CallAttr` has them) and the `Await` waits for its result.
    StreamNext {
        slot: u32,
        name: u32,
    },
    /// `for await` is done with the stream in the local: a native stream
    /// is closed (pushes nil, skips the next instruction); any other
    /// stream's `close()` is called, when it has one (else nil).
    StreamClose {
        slot: u32,
        name: u32,
    },
    /// Await the value on top if it is awaitable (a `close()` may be an
    /// `async fn` or a plain one).
    AwaitMaybe,
    /// The end of a stream: if the value on top is nil, pop it and jump.
    JumpIfNil(u32),
    /// Wait for every task of the group; on the error path the error is on the stack.
    GroupExit {
        slot: u32,
        failed: bool,
    },
    /// `m[k] = m.get(k, 0) + x` (the counting idiom), in place of the
    /// first of its nine ops, which stay behind it: the map in global
    /// `map` (else local `map`), the key in local `key`, `x` the int `x`
    /// (else local `x`). It adds to the value in place and skips the eight
    /// when it can, else runs the first op and falls into the rest
    /// (`runtime/vm/bump.rs`).
    MapBump {
        global: bool,
        x_local: bool,
        map: u32,
        key: u32,
        x: i32,
    },
    /// `name(x)` for a builtin function `name` (no variable shadows it):
    /// the builtin is constant `k`, never pushed; its argument is on top
    /// (`runtime/vm/natives.rs`).
    CallNative1(u32),
    /// `local <arith>= value` (the value on top) of a plain local: its
    /// `LoadLocal`, the arithmetic and the `StoreLocal` fused, the local
    /// read where it lies after the value (no expression can rebind a
    /// plain local: see `peephole::fuse_aug_stores`).
    AugLocal(Arith, u32),
    /// `local <arith>= k` (`count += 1`): `Int(k)` and `AugLocal` fused.
    AugLocalInt(Arith, u32, i32),
    /// `<top> <arith> local` (`x * 2 + i`): `LoadLocal` and the
    /// arithmetic fused, the top replaced.
    ArithLocal(Arith, u32),
    /// `<top> <arith> a[b]` of two locals (`x * v[j]`), in place of
    /// `IndexLocals(a, b)` with the arithmetic left behind it: an item of
    /// a list and a top that are numbers are computed in place and the
    /// arithmetic skipped; anything else runs `IndexLocals` and falls into
    /// the arithmetic, so errors from either keep their spans.
    ArithIndexLocals(Arith, u32, u32),
    /// `k / <top>` with `k` (the const) a number literal (`1.0 / x`):
    /// the literal is not pushed, and a number on top is divided in place.
    ConstDiv(u32),
    /// `local.method(v)` as a statement, `local` a plain local (not a
    /// cell), in place of the call and the pop of its result; the load of
    /// the local before `v` is gone. Reading the local after `v` reads the
    /// same value: only an assignment statement can rebind a plain local.
    /// A list's `push` takes `v` straight off the stack (no count on the
    /// list, no result to drop); any other method or value gets the local
    /// put below `v` and the call `MethodPop` makes (`runtime/vm/data.rs`).
    MethodPopLocal {
        slot: u32,
        method: u32,
    },
    /// `f(args)` with `f` a plain local (not a cell), in place of the
    /// `Call`; the load of `f` before the arguments is gone (reading it
    /// after them reads the same value: only an assignment statement can
    /// rebind a plain local). A script function given exactly its
    /// parameters gets its frame at the first argument, as `CallGlobal`
    /// does; anything else gets the local put below the arguments and the
    /// call `Call` makes (`runtime/vm/calls.rs`).
    CallLocal {
        slot: u32,
        argc: u32,
    },
    /// `f(x)` with `f` and `x` plain locals: `x`'s `LoadLocal` and the
    /// `CallLocal` in one instruction (one dispatch fewer on the commonest
    /// call of a function passed in: `out.push(f(x))`, `if p(x)`).
    CallLocalArg {
        slot: u32,
        arg: u32,
    },
    /// `g(x)` with `g` on the stack (an upvalue's, an index's, ...) and `x`
    /// a plain local: the `LoadLocal` and the `Call(1)` in one instruction.
    CallArg(u32),
    /// `ArithLocalInt`, `CmpInt` or `ArithLocals` followed by `Return`
    /// (`return x * 2`, `return n % 3 == 0`, `return a + b`: the body of a
    /// small function passed to another): the op, then the return, in
    /// one dispatch. It takes the first op's place and span; the `Return`
    /// stays behind it for any jump that lands there.
    ReturnArithLocalInt(Arith, u32, i32),
    ReturnCmpInt(Cmp, i32),
    ReturnArithLocals(Arith, u32, u32),
    /// `Add` followed by `Return` (`return x + k` with `k` captured), as
    /// the three above.
    ReturnAdd,
}

/// The ops `MapBump` skips when it has done their work: the rest of
/// `m[k] = m.get(k, 0) + x` after its first op (`LoadLocal(k)`, the map and
/// the key again, `Int(0)`, `get`, `x`, `Add`, `StoreIndex`).
pub(crate) const MAP_BUMP_SKIP: usize = 8;

/// Where a jump goes, for the instructions that jump.
pub(crate) fn jump_target(op: &Op) -> Option<u32> {
    match *op {
        Op::Jump(t) | Op::JumpIfFalse(t) | Op::JumpIfFalseOrPop(t) | Op::JumpIfTrueOrPop(t) => {
            Some(t)
        }
        Op::PushHandler(t) | Op::IterNext(t) | Op::CmpJump(_, t) | Op::JumpIfNil(t) => Some(t),
        Op::CmpLocalIntJump { target, .. } => Some(target),
        Op::IterNextLocal { exit, .. } | Op::IterLoop { exit, .. } => Some(exit),
        Op::DefaultArg { skip, .. } => Some(skip),
        _ => None,
    }
}

/// Every place an instruction may jump to: [`jump_target`], and the loop
/// head an `IterLoop` also goes back to.
pub(crate) fn jump_targets(op: &Op) -> impl Iterator<Item = u32> {
    let head = match *op {
        Op::IterLoop { top, .. } => Some(top),
        _ => None,
    };
    jump_target(op).into_iter().chain(head)
}

/// How a closure finds a captured variable when it is created.
#[derive(Clone, Copy, Debug)]
pub struct UpvalSource {
    /// True: a cell in the enclosing function's local slot; false: the enclosing closure's upvalue.
    pub from_local: bool,
    pub index: u32,
}

/// A constant an instruction refers to by index (`Op::Const(k)`, a call's
/// named-argument list, a field name, a catch's kinds, ...).
#[derive(Clone, Debug)]
pub(crate) enum Const {
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    /// A bytes literal.
    Bytes(Rc<[u8]>),
    /// Names: a call's named arguments, a `catch`'s error kinds.
    Names(Rc<[Rc<str>]>),
    /// A struct: the record type its constructor makes.
    Record(Rc<RecordDecl>),
    /// A native function or a native module's member, by its index in the
    /// engine's table of native values (`Natives` holds the names).
    Native(u32),
    /// What an `import` binds.
    Module(Rc<ModuleDecl>),
}

/// A `struct` declaration: the record type's name, fields and methods.
#[derive(Debug)]
pub(crate) struct RecordDecl {
    pub name: Rc<str>,
    pub fields: Vec<Rc<str>>,
    /// Method name → its function (which takes the record first; it
    /// captures nothing).
    pub methods: Vec<(Rc<str>, Rc<FnCode>)>,
}

/// An imported file as `x.name` sees it: its top-level names and the
/// global slots that hold them. The script's module value is this
/// declaration (one per file, so two imports of a file are the same module).
#[derive(Debug)]
pub struct ModuleDecl {
    /// The file, as diagnostics name it.
    pub name: Rc<str>,
    pub members: std::collections::BTreeMap<Rc<str>, u32>,
}

/// A compiled function.
#[derive(Clone, Debug)]
pub(crate) struct FnCode {
    pub name: Rc<str>,
    pub params: Vec<Rc<str>>,
    /// How many of the last params have defaults (evaluated at each call that omits them).
    pub n_defaults: usize,
    /// Names of local slots and upvalues, for "used before its `let`" errors.
    pub local_names: Vec<Rc<str>>,
    pub upval_names: Vec<Rc<str>>,
    pub n_locals: usize,
    /// The most operand slots the code holds at once, above the locals.
    pub max_stack: usize,
    pub code: Vec<Op>,
    pub spans: Vec<Span>,
    pub consts: Vec<Const>,
    pub protos: Vec<Rc<FnCode>>,
    pub upvals: Vec<UpvalSource>,
    pub is_async: bool,
    /// A struct's constructor: its parameters are the fields (for errors).
    pub is_struct: bool,
    pub source: u32,
    pub span: Span,
}
