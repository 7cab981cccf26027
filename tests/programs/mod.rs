//! The grammar-aware program generator `tests/generated.rs` runs (valid
//! programs and near-valid ones), shared with `tests/lsp.rs`, which opens
//! them in the language server cut at every line.
#![allow(dead_code)]

use std::fmt::Write as _;

/// xorshift64*: small, seedable, the same sequence everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A function the program has defined: its name, whether it is async, its
/// number of parameters.
#[derive(Clone)]
pub struct FnDef {
    name: String,
    is_async: bool,
    arity: usize,
}

pub struct Gen {
    pub rng: Rng,
    out: String,
    indent: usize,
    depth: usize,
    max_depth: usize,
    fresh: usize,
    /// Names in scope (variables and parameters).
    vars: Vec<String>,
    fns: Vec<FnDef>,
    /// Inside an `async fn` or at the top level: `await` is allowed.
    in_async: bool,
    in_loop: bool,
    in_fn: bool,
}

const KINDS: &[&str] = &[
    "ValueError",
    "TypeError",
    "KeyError",
    "IndexError",
    "TimeoutError",
    "CancelledError",
    "RecursionError",
    "ZeroDivisionError",
    "QueueEmpty",
    "MyError",
];

const SPECS: &[&str] = &[
    "", ">8", "<6", "^9", "08.3f", ".2f", ".0e", ".3%", "x", "#x", "o", "b", ",", "_", "+d",
    " .1f", "*^12", ".70g", "e", "g", "%", "s", ">20s", ".3s", "n", "c", "010d", "=+8",
];

impl Gen {
    pub fn new(seed: u64) -> Gen {
        let mut rng = Rng::new(seed);
        let max_depth = if rng.chance(10) { 40 } else { 6 };
        Gen {
            rng,
            out: String::new(),
            indent: 0,
            depth: 0,
            max_depth,
            fresh: 0,
            vars: Vec::new(),
            fns: Vec::new(),
            in_async: true,
            in_loop: false,
            in_fn: false,
        }
    }

    fn name(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    /// `text` inside `try`/`catch` most of the time, so that a type error
    /// in a random expression does not end the program at once.
    fn guarded(&mut self, text: &str) {
        if self.rng.chance(80) {
            self.line(&format!("try {{ {text} }} catch e {{ print(e.kind()) }}"));
        } else {
            self.line(text);
        }
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    pub fn program(&mut self) -> String {
        self.line("let q0 = queue(3)");
        self.line("let lk = lock()");
        self.line("let ev = event()");
        self.line("let sem = semaphore(2)");
        self.vars
            .extend(["q0", "lk", "ev", "sem"].map(String::from));
        let n = 3 + self.rng.below(12);
        for _ in 0..n {
            self.stmt();
        }
        std::mem::take(&mut self.out)
    }

    fn block(&mut self, head: &str) {
        self.block_with(head, "}");
    }

    /// `head {`, a body, then `close` (`}` and whatever follows it).
    fn block_with(&mut self, head: &str, close: &str) {
        self.line(&format!("{head} {{"));
        self.body();
        self.line(close);
    }

    fn body(&mut self) {
        self.indent += 1;
        self.depth += 1;
        let saved = self.vars.len();
        let saved_fns = self.fns.len();
        let n = if self.depth >= self.max_depth {
            1
        } else {
            1 + self.rng.below(3)
        };
        for _ in 0..n {
            self.stmt();
        }
        self.vars.truncate(saved);
        self.fns.truncate(saved_fns);
        self.depth -= 1;
        self.indent -= 1;
    }

    fn stmt(&mut self) {
        let deep = self.depth >= self.max_depth;
        let choice = if deep {
            self.rng.below(4)
        } else {
            self.rng.below(24)
        };
        match choice {
            0 => {
                let v = self.name("v");
                let e = self.expr(2);
                self.line(&format!("let {v} = nil"));
                self.guarded(&format!("{v} = {e}"));
                self.vars.push(v);
            }
            1 => {
                let n = self.rng.below(3) + 1;
                let args = self.args(n);
                self.guarded(&format!("print({args})"));
            }
            2 => {
                let f = self.fstring();
                self.guarded(&format!("print({f})"));
            }
            3 if !self.vars.is_empty() => {
                let v = self.rng.pick(&self.vars).clone();
                let e = self.expr(2);
                let op = *self.rng.pick(&["=", "+=", "-=", "*="]);
                self.guarded(&format!("{v} {op} {e}"));
            }
            4 => {
                let c = self.expr(2);
                if self.rng.chance(50) {
                    self.block_with(&format!("if {c}"), "} else {");
                    self.body();
                    self.line("}");
                } else {
                    self.block(&format!("if {c}"));
                }
            }
            5 => {
                let i = self.name("i");
                let n = self.rng.below(6);
                let was = std::mem::replace(&mut self.in_loop, true);
                self.vars.push(i.clone());
                self.block(&format!("for {i} in range({n})"));
                self.vars.pop();
                self.in_loop = was;
            }
            6 => {
                let i = self.name("w");
                let n = self.rng.below(5);
                self.line(&format!("let {i} = 0"));
                let was = std::mem::replace(&mut self.in_loop, true);
                self.line(&format!("while {i} < {n} {{"));
                self.indent += 1;
                self.line(&format!("{i} += 1"));
                self.indent -= 1;
                // The body, then the closing brace written by `block`.
                self.indent += 1;
                self.depth += 1;
                self.stmt();
                if self.rng.chance(20) {
                    let kw = *self.rng.pick(&["break", "continue"]);
                    self.line(kw);
                }
                self.depth -= 1;
                self.indent -= 1;
                self.line("}");
                self.in_loop = was;
            }
            7 => self.try_stmt(),
            8 => self.fn_def(false),
            9 => self.fn_def(true),
            10 => self.call_stmt(),
            11 if self.in_async => self.spawn_stmt(),
            12 if self.in_async => self.gather_stmt(),
            13 if self.in_async => self.group_stmt(),
            14 if self.in_async => self.sync_stmt(),
            15 if self.in_async => {
                let d = *self.rng.pick(&["0", "0.1", "1", "0.05", "2.5"]);
                self.line(&format!("await sleep({d})"));
            }
            16 => {
                let kind = *self.rng.pick(KINDS);
                let c = self.expr(1);
                self.line(&format!(
                    "if {c} {{ throw error(\"boom\", kind: \"{kind}\") }}"
                ));
            }
            17 if self.in_fn => {
                let e = self.expr(2);
                self.line(&format!("return {e}"));
            }
            18 if self.in_loop => {
                let kw = *self.rng.pick(&["break", "continue"]);
                self.line(kw);
            }
            19 => {
                let v = self.name("c");
                let p = self.name("p");
                self.vars.push(p.clone());
                let body = self.expr(2);
                self.vars.pop();
                self.line(&format!("let {v} = fn({p}) {{ return {body} }}"));
                let a = self.atom();
                self.guarded(&format!("print({v}({a}))"));
            }
            20 => {
                let xs = self.list(4);
                let key = *self
                    .rng
                    .pick(&["fn(x) { return x }", "str", "fn(x) { return -x }"]);
                self.line(&format!(
                    "try {{ print(sorted({xs}, key: {key})) }} catch e {{ print(e.kind()) }}"
                ));
            }
            21 if self.in_async => {
                self.line("try {");
                self.indent += 1;
                self.line("with timeout(0.5) {");
                self.indent += 1;
                self.depth += 1;
                self.stmt();
                self.line("await sleep(1)");
                self.depth -= 1;
                self.indent -= 1;
                self.line("}");
                self.indent -= 1;
                self.line("} catch e { print(e.kind()) }");
            }
            22 => {
                let m = self.name("m");
                let k = self.atom();
                let v = self.expr(1);
                self.line(&format!("let {m} = nil"));
                self.guarded(&format!("{m} = {{{k}: {v}, \"k\": [1, 2]}}"));
                self.vars.push(m);
            }
            _ => {
                let e = self.expr(3);
                self.guarded(&format!("print({e})"));
            }
        }
    }

    fn try_stmt(&mut self) {
        let e = self.name("e");
        let mut close = String::from("}");
        if self.rng.chance(30) {
            let kind = *self.rng.pick(KINDS);
            let _ = write!(
                close,
                " catch {e}: {kind} {{ print(\"caught\", {e}.kind()) }}"
            );
        }
        let _ = write!(
            close,
            " catch {e} {{ print(\"error\", {e}.kind(), {e}.message()) }}"
        );
        if self.rng.chance(40) {
            self.block_with("try", &format!("{close} finally {{"));
            self.body();
            self.line("}");
        } else {
            self.block_with("try", &close);
        }
    }

    fn fn_def(&mut self, is_async: bool) {
        let name = self.name(if is_async { "af" } else { "f" });
        let arity = self.rng.below(3);
        let params: Vec<String> = (0..arity).map(|_| self.name("a")).collect();
        let kw = if is_async { "async fn" } else { "fn" };
        // Recursion is allowed: the function is defined before its body runs.
        self.fns.push(FnDef {
            name: name.clone(),
            is_async,
            arity,
        });
        let saved_vars = self.vars.clone();
        self.vars.extend(params.iter().cloned());
        let was_async = std::mem::replace(&mut self.in_async, is_async);
        let was_fn = std::mem::replace(&mut self.in_fn, true);
        let was_loop = std::mem::replace(&mut self.in_loop, false);
        self.block(&format!("{kw} {name}({})", params.join(", ")));
        self.in_async = was_async;
        self.in_fn = was_fn;
        self.in_loop = was_loop;
        self.vars = saved_vars;
    }

    fn call_of(&mut self, f: &FnDef) -> String {
        let args = self.args(f.arity);
        format!("{}({args})", f.name)
    }

    fn call_stmt(&mut self) {
        let plain: Vec<FnDef> = self.fns.iter().filter(|f| !f.is_async).cloned().collect();
        let asyncs: Vec<FnDef> = self.fns.iter().filter(|f| f.is_async).cloned().collect();
        if self.in_async && !asyncs.is_empty() && self.rng.chance(60) {
            let f = self.rng.pick(&asyncs).clone();
            let c = self.call_of(&f);
            self.line(&format!(
                "try {{ print(await {c}) }} catch e {{ print(e.kind()) }}"
            ));
        } else if !plain.is_empty() {
            let f = self.rng.pick(&plain).clone();
            let c = self.call_of(&f);
            self.line(&format!(
                "try {{ print({c}) }} catch e {{ print(e.kind()) }}"
            ));
        } else {
            self.line("print(len([1, 2, 3]))");
        }
    }

    fn coro(&mut self) -> String {
        let asyncs: Vec<FnDef> = self.fns.iter().filter(|f| f.is_async).cloned().collect();
        if asyncs.is_empty() || self.rng.chance(30) {
            let d = *self.rng.pick(&["0", "0.1", "1", "3"]);
            let v = self.atom();
            return format!("sleep({d}, {v})");
        }
        let f = self.rng.pick(&asyncs).clone();
        self.call_of(&f)
    }

    fn spawn_stmt(&mut self) {
        let t = self.name("t");
        let c = self.coro();
        self.line(&format!("let {t} = spawn {c}"));
        match self.rng.below(4) {
            0 => self.line(&format!("{t}.cancel()")),
            1 => self.line(&format!(
                "try {{ print(await {t}) }} catch e {{ print(e.kind()) }}"
            )),
            2 => self.line(&format!(
                "{t}.on_done(fn(x) {{ print(\"done\", x.cancelled()) }})"
            )),
            _ => {}
        }
        self.vars.push(t);
    }

    fn gather_stmt(&mut self) {
        let a = self.coro();
        let b = self.coro();
        let call = match self.rng.below(4) {
            0 => format!("gather({a}, {b})"),
            1 => format!("race({a}, {b})"),
            2 => format!("wait_for({a}, 0.5)"),
            _ => format!("gather({a}, {b}, return_errors: true)"),
        };
        self.line(&format!(
            "try {{ print(await {call}) }} catch e {{ print(e.kind()) }}"
        ));
    }

    fn group_stmt(&mut self) {
        let a = self.coro();
        let b = self.coro();
        self.line("try {");
        self.indent += 1;
        self.line("group {");
        self.indent += 1;
        self.line(&format!("spawn {a}"));
        self.line(&format!("spawn {b}"));
        if self.rng.chance(30) {
            self.line("throw error(\"in group\")");
        }
        self.indent -= 1;
        self.line("}");
        self.indent -= 1;
        self.line("} catch e { print(\"group\", e.kind()) }");
    }

    fn sync_stmt(&mut self) {
        let line = match self.rng.below(9) {
            0 => format!("await q0.put({})", self.atom()),
            1 => "try { print(q0.get_nowait()) } catch e { print(e.kind()) }".to_string(),
            2 => "try { q0.put_nowait(1) } catch e { print(e.kind()) }".to_string(),
            3 => "with lk { await sleep(0.1) }".to_string(),
            4 => "ev.set()".to_string(),
            5 => "try { await wait_for(ev.wait(), 1) } catch e { print(e.kind()) }".to_string(),
            6 => "with sem { print(\"sem\") }".to_string(),
            7 => "try { print(await wait_for(q0.get(), 0.2)) } catch e { print(e.kind()) }"
                .to_string(),
            _ => "print(q0.size(), lk.locked(), ev.is_set())".to_string(),
        };
        self.line(&line);
    }

    fn args(&mut self, n: usize) -> String {
        (0..n).map(|_| self.expr(1)).collect::<Vec<_>>().join(", ")
    }

    fn list(&mut self, n: usize) -> String {
        let items: Vec<String> = (0..self.rng.below(n + 1)).map(|_| self.atom()).collect();
        format!("[{}]", items.join(", "))
    }

    fn atom(&mut self) -> String {
        match self.rng.below(12) {
            0 => self.rng.below(100).to_string(),
            1 => format!("-{}", self.rng.below(5)),
            2 => (*self
                .rng
                .pick(&["0.5", "1e300", "-2.25", "3.0", "1e-9", "0.1"]))
            .to_string(),
            3 => (*self.rng.pick(&[
                "9223372036854775807",
                "(-9223372036854775807 - 1)",
                "float(\"inf\")",
                "float(\"nan\")",
            ]))
            .to_string(),
            4 => format!(
                "\"{}\"",
                self.rng.pick(&["", "a", "héllo", "x y", "{}", "\\n"])
            ),
            5 => (*self.rng.pick(&["true", "false", "nil"])).to_string(),
            6 | 7 if !self.vars.is_empty() => self.rng.pick(&self.vars).clone(),
            8 => "[1, [2, 3]]".to_string(),
            9 => "range(5)".to_string(),
            _ => self.rng.below(10).to_string(),
        }
    }

    fn expr(&mut self, budget: usize) -> String {
        if budget == 0 || self.rng.chance(35) {
            return self.atom();
        }
        match self.rng.below(10) {
            0..=2 => {
                let op = *self.rng.pick(&[
                    "+", "-", "*", "/", "//", "%", "==", "!=", "<", "<=", ">", "and", "or", "in",
                ]);
                let a = self.expr(budget - 1);
                let b = self.expr(budget - 1);
                format!("({a} {op} {b})")
            }
            3 => format!("(not {})", self.expr(budget - 1)),
            4 => {
                let f = *self
                    .rng
                    .pick(&["len", "str", "int", "float", "abs", "repr", "type"]);
                format!("{f}({})", self.expr(budget - 1))
            }
            5 => format!("{}[{}]", self.list(3), self.expr(budget - 1)),
            6 => self.fstring(),
            7 => {
                let plain: Vec<FnDef> = self.fns.iter().filter(|f| !f.is_async).cloned().collect();
                if plain.is_empty() {
                    self.list(3)
                } else {
                    let f = self.rng.pick(&plain).clone();
                    self.call_of(&f)
                }
            }
            8 => {
                let c = self.expr(budget - 1);
                let a = self.expr(budget - 1);
                let b = self.expr(budget - 1);
                format!("if {c} {{ {a} }} else {{ {b} }}")
            }
            _ => {
                let f = *self.rng.pick(&["min", "max", "sum", "sorted"]);
                format!("{f}({})", self.list(4))
            }
        }
    }

    fn fstring(&mut self) -> String {
        let mut s = String::from("f\"");
        for _ in 0..1 + self.rng.below(3) {
            let e = self.atom();
            let spec = *self.rng.pick(SPECS);
            if spec.is_empty() {
                let _ = write!(s, "<{{{e}}}>");
            } else {
                let _ = write!(s, "<{{{e}:{spec}}}>");
            }
        }
        s.push('"');
        s
    }
}

/// Tokens a near-valid program gets one of, where a byte is changed.
const TOKENS: &[&str] = &[
    "{", "}", "(", ")", "[", "]", ",", ":", "\"", "f\"", "await ", "spawn ", "async ", "fn ",
    "let ", "group ", "try ", "catch ", "finally ", "with ", "return ", "not ", "//", "#", "\n",
    "else ", "if ", "for ", "while ", "in ", ".", "=", "==", "\\", "{x:", "0x", "1e", "\0",
    "\u{ff}",
];

/// A few random edits: delete a span, insert a token, duplicate a line.
pub fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s: Vec<u8> = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(3) {
        if s.is_empty() {
            break;
        }
        let at = rng.below(s.len());
        match rng.below(3) {
            0 => {
                let end = (at + 1 + rng.below(8)).min(s.len());
                s.drain(at..end);
            }
            1 => {
                let tok = rng.pick(TOKENS).as_bytes();
                s.splice(at..at, tok.iter().copied());
            }
            _ => {
                let start = s[..at]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = s[at..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(s.len(), |i| at + i + 1);
                let line = s[start..end].to_vec();
                s.splice(start..start, line);
            }
        }
    }
    String::from_utf8_lossy(&s).into_owned()
}
