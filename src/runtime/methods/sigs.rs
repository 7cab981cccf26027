//! The built-in types' methods as names and signatures: the one table
//! calls are bound with (`method_sig`), the names the compiler is given,
//! and the catalogue an editor offers.

use super::Sig;

/// Each method's parameters, as the methods table of LANGUAGE.md gives
/// them; any of them may be named (`"a-b".split(sep: "-")`), and
/// `sort`'s `key:` and `reverse:` only by name. `None`: the type has no
/// such method.
pub(super) fn method_sig(ty: &'static str, m: &'static str) -> Option<Sig> {
    let sig = |params: &'static [&'static str]| Sig::new(m, params).of(ty);
    if ty == "bytes" {
        let (params, required) = crate::runtime::values::bytes::method_params(m)?;
        return Some(sig(params).required(required));
    }
    Some(match (ty, m) {
        ("str", "upper" | "lower" | "len")
        | (
            "str",
            "is_digit" | "is_alpha" | "is_space" | "is_upper" | "is_lower" | "title" | "splitlines",
        )
        | ("list", "copy" | "reverse" | "len")
        | ("map", "keys" | "values" | "items" | "copy" | "len")
        | ("error", "kind" | "message" | "data" | "others")
        | ("error", "status" | "url" | "body" | "code" | "stdout" | "stderr" | "path" | "errno")
        | ("group", "cancel")
        | ("task" | "future", "done" | "cancelled" | "result" | "error")
        | ("task", "name")
        | (
            "queue",
            "get" | "get_nowait" | "size" | "len" | "empty" | "full" | "close" | "task_done"
            | "join",
        )
        | ("event", "set" | "clear" | "is_set" | "wait")
        | ("lock" | "semaphore", "acquire" | "release" | "locked")
        | ("semaphore", "value") => sig(&[]),
        ("str", "strip") => sig(&["chars"]).required(0),
        ("str", "split") => sig(&["sep", "max_split"]).required(0),
        ("str", "lstrip" | "rstrip") => sig(&["chars"]).required(0),
        ("str", "zfill") => sig(&["width"]),
        ("str", "join") | ("list", "extend") => sig(&["items"]),
        ("str", "replace") => sig(&["old", "new"]),
        ("str", "starts_with" | "ends_with" | "find" | "contains" | "count") => sig(&["s"]),
        ("str", "pad_start" | "pad_end" | "center") => sig(&["width", "fill"]).required(1),
        ("str", "partition") => sig(&["sep"]),
        ("str", "encode") => sig(&["encoding", "errors"]).required(0),
        ("list", "count") => sig(&["x"]),
        ("map", "pop") => sig(&["k", "default"]).required(1),
        ("map", "setdefault") => sig(&["k", "default"]).required(1),
        ("map", "update") => sig(&["other"]),
        ("str" | "list", "slice") => sig(&["from", "to"]).required(1),
        ("list", "push" | "remove" | "index" | "contains") | ("queue", "put" | "put_nowait") => {
            sig(&["x"])
        }
        ("list", "pop") => sig(&["i"]).required(0),
        ("list", "insert") => sig(&["i", "x"]),
        ("list", "sort") => sig(&[]).named(&["key", "reverse"]),
        ("map", "get") => sig(&["k", "default"]).required(1),
        ("map", "contains" | "remove") => sig(&["k"]),
        ("task" | "future", "cancel") => sig(&["msg"]).required(0),
        ("task", "set_name") => sig(&["s"]),
        ("task" | "future", "on_done") => sig(&["f"]),
        ("future", "set_result") => sig(&["v"]),
        ("timeout", "deadline" | "expired") | ("handle", "cancel" | "cancelled") => sig(&[]),
        ("timeout", "reschedule") => sig(&["deadline"]),
        ("condition", "acquire" | "release" | "locked" | "wait" | "notify_all")
        | ("barrier", "wait" | "reset" | "abort" | "parties" | "n_waiting" | "broken") => sig(&[]),
        ("condition", "wait_for") => sig(&["predicate"]),
        ("condition", "notify") => sig(&["n"]).required(0),
        ("future", "set_error") => sig(&["e"]),
        ("group", "spawn") => sig(&["coro"]),
        _ => return None,
    })
}

/// The types whose methods [`method_sig`] knows.
const METHOD_TYPES: &[&str] = &[
    "str",
    "bytes",
    "list",
    "map",
    "task",
    "future",
    "error",
    "queue",
    "event",
    "lock",
    "semaphore",
    "condition",
    "barrier",
    "timeout",
    "handle",
    "group",
];

/// Every method of the built-in types as `(type, method, usage)`, the
/// usage as an argument error shows it (`str.split(sep?, max_split?)`):
/// what an editor offers, from the same table the calls are bound with.
pub(crate) fn method_catalogue() -> Vec<(&'static str, &'static str, String)> {
    METHOD_TYPES
        .iter()
        .flat_map(|ty| {
            BUILTIN_METHODS
                .iter()
                .filter_map(move |m| method_sig(ty, m).map(|sig| (*ty, *m, sig.usage())))
        })
        .collect()
}

/// The methods of the built-in types, registered before any module's
/// (so their indices are these): what the compiler knows of them.
pub(crate) const BUILTIN_METHODS: &[&str] = &[
    // str
    "upper",
    "lower",
    "strip",
    "split",
    "join",
    "replace",
    "starts_with",
    "ends_with",
    "find",
    "count",
    "is_digit",
    "is_alpha",
    "is_space",
    "is_upper",
    "is_lower",
    "title",
    "splitlines",
    "pad_start",
    "pad_end",
    "center",
    "partition",
    "encode",
    // bytes (and the str methods above)
    "hex",
    "decode",
    // list
    "push",
    "pop",
    "insert",
    "remove",
    "index",
    "contains",
    "slice",
    "extend",
    "copy",
    "sort",
    "reverse",
    // map
    "get",
    "keys",
    "values",
    "items",
    "update",
    "setdefault",
    // task and future
    "done",
    "cancelled",
    "cancel",
    "result",
    "error",
    "name",
    "set_name",
    "on_done",
    "set_result",
    "set_error",
    // error
    "kind",
    "message",
    // queue
    "put",
    "put_nowait",
    "get_nowait",
    "size",
    "empty",
    "full",
    "close",
    "task_done",
    // (and "join", above)
    // event, lock, semaphore
    "set",
    "clear",
    "is_set",
    "wait",
    "acquire",
    "release",
    "locked",
    "value",
    // condition, barrier
    "wait_for",
    "notify",
    "notify_all",
    "reset",
    "abort",
    "parties",
    "n_waiting",
    "broken",
    // timeout
    "reschedule",
    "deadline",
    "expired",
    // shared
    "len",
    // error data, group
    "data",
    "others",
    "status",
    "url",
    "body",
    "code",
    "stdout",
    "stderr",
    "path",
    "errno",
    "spawn",
    // str, Python's
    "lstrip",
    "rstrip",
    "zfill",
    // records (`runtime/values/record_map.rs`)
    "to_map",
    "from_map",
];

/// The index of a built-in method name, checked when the crate compiles.
pub(crate) const fn known_method(name: &str) -> u32 {
    let mut i = 0;
    while i < BUILTIN_METHODS.len() {
        let (a, b) = (BUILTIN_METHODS[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i as u32;
            }
        }
        i += 1;
    }
    panic!("not a method name")
}

/// `xs.push(v)` and `m.get(k, default)`: method calls hot enough in loops
/// for their own paths in the evaluator.
pub(crate) const LIST_PUSH: u32 = known_method("push");
pub(crate) const MAP_GET: u32 = known_method("get");

/// Registers the built-in types' method names with the compiler.
pub(crate) fn register(names: &mut crate::compile::names::Natives) {
    for m in BUILTIN_METHODS {
        names.add_method(m);
    }
}
