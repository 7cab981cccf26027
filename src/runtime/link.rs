//! Linking: a compiled function (`compile::code::FnCode`, whose constants
//! are typed data) becomes the prototype the evaluator runs, whose
//! constants are ready values, so `Op::Const(k)` is one clone. Natives are
//! found in the engine's table by index, struct declarations become record
//! types (with their methods linked), imports become module values.
//! `link` is the only way to make a [`FnProto`], and it checks the
//! invariant the unchecked instruction fetch relies on.

use super::native::function::NativeFn;
use super::values::record::RecordType;
use super::values::value::Value;
use super::vm::leaf::Leaf;
use crate::compile::code::{Const, FnCode, Op, UpvalSource};
use crate::compile::names::{NativeName, Natives};
use crate::syntax::Span;
use std::cell::RefCell;
use std::rc::Rc;

/// A function as the evaluator runs it. Built only by [`link`].
#[derive(Debug)]
pub struct FnProto {
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
    /// Ends in a return, and every jump lands inside (checked by `link`).
    pub code: Vec<Op>,
    pub spans: Vec<Span>,
    pub consts: Vec<Value>,
    pub protos: Vec<Rc<FnProto>>,
    pub upvals: Vec<UpvalSource>,
    pub is_async: bool,
    /// The argument count a plain call binds straight into a frame: the
    /// parameter count, or `usize::MAX` for an async function (one
    /// compare on every call instead of two reads and two compares).
    pub plain_arity: usize,
    /// A struct's constructor: its parameters are the fields (for errors).
    pub is_struct: bool,
    /// Makes cells (locals that closures capture): its frame's end checks
    /// them for cycles (`runtime::cycles`).
    pub has_cells: bool,
    /// A body its calls can answer without a frame (`vm/leaf.rs`).
    pub(crate) leaf: Leaf,
    /// `leaf` is not [`Leaf::No`]: the one test a call makes.
    pub(crate) is_leaf: bool,
    pub source: u32,
    pub span: Span,
    /// Keeps the struct from being built anywhere but here.
    _linked: (),
}

impl FnProto {
    /// What its parameters are called in errors.
    pub fn param_word(&self) -> &'static str {
        if self.is_struct {
            "field"
        } else {
            "parameter"
        }
    }
}

/// A function value: its prototype and the cells it captured.
pub struct Closure {
    pub proto: Rc<FnProto>,
    pub upvals: Box<[Rc<RefCell<Value>>]>,
}

/// Closures nest through the cells they capture (a closure that calls the
/// previous one, made a million times in a loop): their drop must not
/// recurse.
impl Drop for Closure {
    fn drop(&mut self) {
        let upvals = std::mem::take(&mut self.upvals);
        super::values::teardown::drop_contents(upvals, super::values::teardown::cells);
    }
}

impl std::fmt::Debug for Closure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<closure {}>", self.proto.name)
    }
}

/// The values of the natives (builtins, a host's functions, native
/// modules' members) that compiled code names by index; the compiler sees
/// only their names, in [`Natives`].
#[derive(Default)]
pub(crate) struct NativeTable {
    values: Vec<Value>,
    /// The modules' end-of-program hooks, in registration order.
    pub(crate) at_end: Vec<super::native::module::EndHook>,
}

impl NativeTable {
    fn add(&mut self, v: Value) -> u32 {
        self.values.push(v);
        (self.values.len() - 1) as u32
    }

    /// The signature of the builtin at `id`, when it declares one.
    pub(crate) fn usage(&self, id: u32) -> Option<String> {
        match self.values.get(id as usize)? {
            Value::Native(f) => f.builtin.as_ref().map(|b| b.sig.usage()),
            _ => None,
        }
    }

    /// Makes `f` callable as `name` (replacing a native of that name).
    pub(crate) fn add_function(&mut self, names: &mut Natives, name: Rc<str>, f: NativeFn) {
        let makes_coroutine = f.builtin_makes_coroutine();
        let id = self.add(Value::Native(Rc::new(f)));
        names.functions.insert(
            name,
            NativeName {
                id,
                makes_coroutine,
            },
        );
    }

    /// Makes `members` readable as `module.member`.
    pub(crate) fn add_module(
        &mut self,
        names: &mut Natives,
        module: Rc<str>,
        members: impl IntoIterator<Item = (Rc<str>, Value)>,
    ) {
        let ids = members
            .into_iter()
            .map(|(name, v)| (name, self.add(v)))
            .collect();
        names.modules.insert(module, ids);
    }
}

/// The runtime's prototype of `code` and of every function nested in it.
pub(crate) fn link(code: Rc<FnCode>, natives: &NativeTable) -> Rc<FnProto> {
    link_in(code, natives, &mut Strings::default())
}

/// The string constants made so far by one [`link`]: every literal with
/// the same text becomes the same `Str`, so a map key written in one
/// place and looked up in another compares by pointer, not by bytes
/// (`m["score"]` in a loop; issue 28).
type Strings = std::collections::HashMap<Rc<str>, Value>;

fn link_in(code: Rc<FnCode>, natives: &NativeTable, strs: &mut Strings) -> Rc<FnProto> {
    // The compiled code is usually referenced only here: take it apart
    // instead of copying it.
    let code = Rc::try_unwrap(code).unwrap_or_else(|shared| (*shared).clone());
    check_jumps(&code.code);
    let consts = code
        .consts
        .iter()
        .map(|k| value_of(k, natives, strs))
        .collect();
    let protos = code
        .protos
        .into_iter()
        .map(|p| link_in(p, natives, strs))
        .collect();
    let has_cells = code
        .code
        .iter()
        .any(|op| matches!(op, Op::NewCell(_) | Op::BoxLocal(_)));
    let plain_arity = if code.is_async {
        usize::MAX
    } else {
        code.params.len()
    };
    let leaf = Leaf::of(&code.code, code.params.len(), code.is_async);
    Rc::new(FnProto {
        name: code.name,
        params: code.params,
        n_defaults: code.n_defaults,
        local_names: code.local_names,
        upval_names: code.upval_names,
        n_locals: code.n_locals,
        max_stack: code.max_stack,
        code: code.code,
        spans: code.spans,
        consts,
        protos,
        upvals: code.upvals,
        is_async: code.is_async,
        plain_arity,
        is_struct: code.is_struct,
        has_cells,
        leaf,
        is_leaf: leaf != Leaf::No,
        source: code.source,
        span: code.span,
        _linked: (),
    })
}

/// The evaluator fetches instructions without bounds checks: it relies on
/// every function ending in a return and every jump landing inside. The
/// compiler guarantees both; a failure here is a bug in it.
fn check_jumps(code: &[Op]) {
    assert!(matches!(code.last(), Some(Op::Return | Op::ReturnLocal(_))));
    assert!(code
        .iter()
        .flat_map(crate::compile::code::jump_targets)
        .all(|t| (t as usize) < code.len()));
}

fn value_of(k: &Const, natives: &NativeTable, strs: &mut Strings) -> Value {
    match k {
        Const::Int(i) => Value::Int(*i),
        Const::Float(f) => Value::Float(*f),
        Const::Bytes(b) => Value::bytes(b.to_vec()),
        Const::Str(s) => strs
            .entry(s.clone())
            .or_insert_with(|| Value::str(s))
            .clone(),
        Const::Names(names) => Value::list(names.iter().map(|n| Value::str(n)).collect()),
        Const::Native(id) => natives.values[*id as usize].clone(),
        Const::Module(m) => Value::Module(m.clone()),
        Const::Record(decl) => {
            let methods = decl
                .methods
                .iter()
                .map(|(name, code)| {
                    let proto = link_in(code.clone(), natives, strs);
                    let f = Closure {
                        proto,
                        upvals: Box::new([]),
                    };
                    (name.clone(), Value::Func(Rc::new(f)))
                })
                .collect();
            let ty = RecordType::new(&decl.name, decl.fields.clone(), methods);
            Value::RecordType(Rc::new(ty))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::names::Globals;
    use crate::compile::{compile_program, CompileError, Imported, Importer};

    struct NoImports;
    impl Importer for NoImports {
        fn import(
            &mut self,
            _: &mut Globals,
            _: u32,
            path: &str,
            span: Span,
        ) -> Result<Imported, CompileError> {
            panic!("no import expected: {path} at {span:?}")
        }
    }

    /// Compiles and links `text` with one native function, `hello`.
    fn linked(text: &str) -> (Rc<FnProto>, Value) {
        let mut globals = Globals::default();
        let mut natives = NativeTable::default();
        let hello = NativeFn::sync("hello", |_, _| Ok(Value::Nil));
        natives.add_function(&mut globals.natives, Rc::from("hello"), hello);
        let program = crate::syntax::parse_program(text).expect("parses");
        let compiled = compile_program(&program, text, &mut globals, &mut NoImports, 0, false)
            .unwrap_or_else(|e| panic!("compiles: {}", e.message));
        let hello = natives.values[0].clone();
        (link(compiled.main, &natives), hello)
    }

    /// The leaf shapes (`vm/leaf.rs`) as the compiler emits them: each
    /// function of the source, by name, and the shape found in its code.
    #[test]
    fn the_compiler_s_small_bodies_are_found_as_leaves() {
        use crate::compile::code::{Arith, Cmp};
        let (main, _) = linked(
            "fn double(x) { return x * 2 }\n\
             fn add(a, b) { return b + a }\n\
             fn third(n) { return n % 3 == 0 }\n\
             fn adders(k) { return [fn(x) { return x + k }, fn(x) { return k - x }] }\n\
             fn twice(x) { return x + x }\n\
             fn with_default(x, y = 1) { return x + y }\n\
             fn captured(x) { let f = fn() { return x }\n return x * 2 }\n\
             async fn later(x) { return x * 2 }\n\
             hello(double, add, third, adders, twice, with_default, captured, later)",
        );
        let mut found = Vec::new();
        let mut todo = vec![main];
        while let Some(p) = todo.pop() {
            found.push((p.name.to_string(), p.leaf));
            todo.extend(p.protos.iter().cloned());
        }
        let leaf = |name: &str| {
            let shapes: Vec<Leaf> = found.iter().filter(|f| f.0 == name).map(|f| f.1).collect();
            shapes
        };
        assert_eq!(leaf("double"), [Leaf::ArithInt(Arith::Mul, 0, 2)]);
        assert_eq!(leaf("add"), [Leaf::ArithParams(Arith::Add, 1, 0)]);
        assert_eq!(
            leaf("third"),
            [Leaf::ArithCmp(Arith::Mod, 0, 3, Cmp::Eq, 0)]
        );
        let mut inner = leaf("<fn>");
        inner.sort_by_key(|l| format!("{l:?}"));
        let (add_k, k_minus) = (
            Leaf::AddCaptured(0, 0),
            Leaf::CapturedArith(Arith::Sub, 0, 0),
        );
        assert!(
            inner.contains(&add_k) && inner.contains(&k_minus),
            "{inner:?}"
        );
        assert_eq!(leaf("twice"), [Leaf::ArithParams(Arith::Add, 0, 0)]);
        for not_leaves in ["adders", "with_default", "captured", "later", "main"] {
            assert_eq!(leaf(not_leaves), [Leaf::No], "{not_leaves}");
        }
    }

    #[test]
    fn constants_become_ready_values() {
        let (main, hello) = linked(
            "let big = 12345678901\nlet f = 2.5\nlet s = \"text\"\nlet h = hello\nhello(s, sep: \"-\", end: \"\")",
        );
        let has = |want: &dyn Fn(&Value) -> bool| main.consts.iter().any(want);
        assert!(has(&|v| matches!(v, Value::Int(12345678901))));
        assert!(has(&|v| matches!(v, Value::Float(f) if *f == 2.5)));
        assert!(has(&|v| matches!(v, Value::Str(s) if &**s == "text")));
        let Value::Native(a) = &hello else {
            panic!("the table holds the native")
        };
        assert!(has(&|v| matches!(v, Value::Native(b) if Rc::ptr_eq(a, b))));
        let names = main.consts.iter().find_map(|v| match v {
            Value::List(l) => Some(
                l.borrow()
                    .iter()
                    .map(|n| n.try_display().expect("a name"))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        });
        assert_eq!(names, Some(vec!["sep".to_string(), "end".to_string()]));
    }

    #[test]
    fn equal_string_literals_share_one_string() {
        use crate::runtime::values::str::Str;
        let (main, _) = linked(
            "let m = {\"key\": 1}\nfn f(m) { return m[\"key\"] }\nhello(m[\"key\"], \"other\")",
        );
        let strs = |p: &FnProto| -> Vec<Str> {
            p.consts
                .iter()
                .filter_map(|v| match v {
                    Value::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect()
        };
        let top = strs(&main);
        let keys: Vec<&Str> = top.iter().filter(|s| &***s == "key").collect();
        assert_eq!(keys.len(), 2, "two literals in the top level: {top:?}");
        assert!(Str::ptr_eq(keys[0], keys[1]));
        let inner = strs(&main.protos[0]);
        assert!(Str::ptr_eq(&inner[0], keys[0]), "and the one in f");
        let other = top.iter().find(|s| &***s == "other").expect("other");
        assert!(!Str::ptr_eq(other, keys[0]));
    }

    #[test]
    fn a_struct_gets_one_record_type_with_linked_methods() {
        let (main, _) = linked("struct P { x, fn get(self) { return self.x } }\nhello(P(1).get())");
        let ctor = &main.protos[0];
        assert!(ctor.is_struct);
        let types: Vec<_> = ctor
            .consts
            .iter()
            .filter_map(|v| match v {
                Value::RecordType(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(types.len(), 1);
        assert_eq!(types[0].name, "P");
        assert_eq!(&*types[0].fields, &[Rc::from("x")]);
        let [(name, Value::Func(get))] = &*types[0].methods else {
            panic!("one method, a function")
        };
        assert_eq!(&**name, "get");
        assert_eq!(&*get.proto.name, "P.get");
        assert!(matches!(get.proto.code.last(), Some(Op::Return)));
    }

    /// A compiled function with this code and nothing else.
    fn bare(code: Vec<Op>) -> Rc<FnCode> {
        let spans = vec![Span::new(0, 0); code.len()];
        Rc::new(FnCode {
            name: Rc::from("f"),
            params: Vec::new(),
            n_defaults: 0,
            local_names: Vec::new(),
            upval_names: Vec::new(),
            n_locals: 0,
            max_stack: 1,
            code,
            spans,
            consts: Vec::new(),
            protos: Vec::new(),
            upvals: Vec::new(),
            is_async: false,
            is_struct: false,
            source: 0,
            span: Span::new(0, 0),
        })
    }

    #[test]
    fn well_formed_code_links() {
        let f = link(bare(vec![Op::Nil, Op::Return]), &NativeTable::default());
        assert_eq!(f.code, [Op::Nil, Op::Return]);
    }

    #[test]
    #[should_panic]
    fn code_that_runs_off_its_end_is_refused() {
        link(bare(vec![Op::Nil]), &NativeTable::default());
    }

    #[test]
    #[should_panic]
    fn a_jump_outside_the_code_is_refused() {
        link(
            bare(vec![Op::Jump(5), Op::Nil, Op::Return]),
            &NativeTable::default(),
        );
    }
}
