//! Compile-time name tables: the globals a program (or a REPL session)
//! defines, the natives (builtins among them), and the method names values
//! answer to.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

/// Error kinds whose names do not end in `Error` (every `...Error` name
/// counts as a kind too).
const KINDS_WITHOUT_ERROR_SUFFIX: &[&str] = &[
    "KeyboardInterrupt",
    "QueueEmpty",
    "QueueFull",
    "QueueClosed",
];

/// Is `name` spelled like an error kind (`KeyError`, `Error`, a known
/// kind)? A `catch` variable spelled so was meant as a kind.
pub(crate) fn looks_like_error_kind(name: &str) -> bool {
    let capitalised = name.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    (capitalised && name.ends_with("Error")) || KINDS_WITHOUT_ERROR_SUFFIX.contains(&name)
}

/// Globals persist across compilations so the REPL can add to them. Every
/// file has a namespace of its own (the main program or REPL session is
/// namespace 0, each imported file gets the next one); all namespaces
/// share one table of slots, so a module's globals are read like any other.
pub(crate) struct Globals {
    pub names: Vec<Rc<str>>,
    /// Namespace → name → slot. foldhash, not SipHash: `tasks check` looks
    /// a global up for every use of one (SipHash was 3 % of P2's check).
    spaces: Vec<foldhash::HashMap<Rc<str>, u32>>,
    /// The namespace being compiled.
    space: usize,
    /// False while a top-level `let` has been seen but not yet compiled.
    pub declared: Vec<bool>,
    /// Globals declared by `fn` and never by `let`: slot → is it async.
    pub fn_async: HashMap<u32, bool>,
    /// Functions written in Rust, by the name scripts call them: the
    /// builtins, a host's registered functions and the members of native
    /// modules. Resolved after the script's own names (which shadow them).
    pub natives: Natives,
    /// Every field some struct declares and every member of an imported
    /// file: `x.name` with a name outside this set is a mistake found
    /// before running.
    pub fields: std::collections::BTreeSet<Rc<str>>,
    /// Globals bound by `import`: slot → the module, so `util.name`
    /// resolves to the member's slot before running.
    pub modules: HashMap<u32, Rc<super::code::ModuleDecl>>,
    /// Names found lately, by the address of their text: (slot, its
    /// namespace). The parser shares one copy of each name's text among
    /// the places it occurs, so a name used again is found at the same
    /// address without hashing it (`x += 1` looks `x` up twice).
    recent: [Cell<(u32, u32)>; RECENT],
}

/// How many names `Globals::lookup` remembers.
const RECENT: usize = 64;

impl Default for Globals {
    fn default() -> Self {
        Globals {
            names: Vec::new(),
            spaces: vec![Default::default()],
            space: 0,
            declared: Vec::new(),
            fn_async: HashMap::new(),
            natives: Natives::default(),
            fields: Default::default(),
            modules: HashMap::new(),
            recent: std::array::from_fn(|_| Cell::new((u32::MAX, 0))),
        }
    }
}

/// The names of the native functions and modules a script can call: what
/// the compiler needs to know of them. Their values are the runtime's (its
/// `NativeTable`), which fills this in; compiled code names them by index
/// (`Const::Native`).
#[derive(Default, Clone)]
pub(crate) struct Natives {
    pub functions: HashMap<Rc<str>, NativeName>,
    /// Module name → member name → index, members sorted (for "did you mean").
    pub modules: HashMap<Rc<str>, std::collections::BTreeMap<Rc<str>, u32>>,
    /// Every method name some value answers to, as the runtime and the
    /// modules registered them (the built-in types' first, then each
    /// module's objects'); `Op::Method` carries an index here. A name
    /// nobody registered is a mistake found before running.
    pub methods: Vec<Rc<str>>,
}

impl Natives {
    /// The index of a method name, if some value has such a method.
    pub(crate) fn method_id(&self, name: &str) -> Option<u32> {
        self.methods
            .iter()
            .position(|m| &**m == name)
            .map(|i| i as u32)
    }
    /// Registers a method name (once); its index.
    pub(crate) fn add_method(&mut self, name: &str) -> u32 {
        match self.method_id(name) {
            Some(i) => i,
            None => {
                self.methods.push(Rc::from(name));
                (self.methods.len() - 1) as u32
            }
        }
    }
}

/// A native function as the compiler sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NativeName {
    /// Its index in the engine's table of native values.
    pub id: u32,
    /// A builtin that only makes coroutines (`sleep`): a call neither
    /// awaited nor spawned is a mistake.
    pub makes_coroutine: bool,
}

impl Globals {
    pub(crate) fn lookup(&self, name: &str) -> Option<u32> {
        let recent = &self.recent[(name.as_ptr() as usize >> 4) % RECENT];
        let (slot, space) = recent.get();
        // The slot's own name at the same address and length is the same
        // text, and the namespace that gave the slot for it maps it there
        // for good (nothing is ever undeclared).
        if let Some(known) = self.names.get(slot as usize) {
            if space as usize == self.space
                && known.as_ptr() == name.as_ptr()
                && known.len() == name.len()
            {
                return Some(slot);
            }
        }
        let found = self.spaces[self.space].get(name).copied();
        if let Some(slot) = found {
            recent.set((slot, self.space as u32));
        }
        found
    }
    pub(crate) fn declare(&mut self, name: &Rc<str>) -> u32 {
        if let Some(i) = self.lookup(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.clone());
        self.declared.push(false);
        self.spaces[self.space].insert(name.clone(), i);
        i
    }
    /// The names of the namespace being compiled.
    pub(crate) fn names_in_scope(&self) -> impl Iterator<Item = &Rc<str>> {
        self.spaces[self.space].keys()
    }
    /// Starts a new namespace (for an imported file); returns the one to
    /// go back to.
    pub(crate) fn enter_new_space(&mut self) -> usize {
        self.spaces.push(Default::default());
        std::mem::replace(&mut self.space, self.spaces.len() - 1)
    }
    /// The namespace being compiled, name → slot, sorted.
    pub(crate) fn members(&self) -> std::collections::BTreeMap<Rc<str>, u32> {
        self.spaces[self.space]
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }
    pub(crate) fn leave_space(&mut self, back_to: usize) {
        self.space = back_to;
    }
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// The closest name within a small edit distance, for "did you mean" help.
pub(crate) fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (name.len() / 3).max(1);
    candidates
        .filter(|c| *c != name)
        // Optimal string alignment: a swap of two neighbouring letters is
        // one edit (`nmae` is one slip from `name`).
        .map(|c| (strsim::osa_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.to_string()))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::Globals;
    use std::rc::Rc;

    #[test]
    fn a_name_found_again_is_the_same_slot_in_its_namespace_only() {
        let mut g = Globals::default();
        let x: Rc<str> = Rc::from("x");
        let y: Rc<str> = Rc::from("y");
        assert_eq!(g.declare(&x), 0);
        assert_eq!(g.declare(&y), 1);
        // Found by hashing, then by address; another copy of the text too.
        for _ in 0..2 {
            assert_eq!(g.lookup(&x), Some(0));
            assert_eq!(g.lookup(&y), Some(1));
            assert_eq!(g.lookup("x"), Some(0));
        }
        // An imported file's namespace has its own `x`, or none.
        let back = g.enter_new_space();
        assert_eq!(g.lookup(&x), None);
        assert_eq!(g.declare(&x), 2);
        assert_eq!(g.lookup(&x), Some(2));
        g.leave_space(back);
        assert_eq!(g.lookup(&x), Some(0));
        // The same address with a shorter length is another name.
        assert_eq!(g.lookup(&x[..0]), None);
    }

    #[test]
    fn a_swap_is_one_edit() {
        assert_eq!(
            super::closest("nmae", ["name", "cmd"].into_iter()).as_deref(),
            Some("name")
        );
    }
}
