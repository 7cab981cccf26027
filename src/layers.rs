//! The layers of the crate, as `src/README.md` draws them, and the test
//! that keeps them true: it reads every `crate::…` path in the code of
//! `src/` (comments skipped) and fails when a module imports one of a
//! higher layer, or when top-level modules import each other in a circle.
//! Within a layer, modules may use each other, in one direction only.
//! An import in [`EXCEPTIONS`] is let through both checks.

/// Lowest first. A module may use those of its own layer and below.
const LAYERS: &[(&str, &[&str])] = &[
    // Import nothing of the crate.
    (
        "leaves",
        &["syntax", "scheduler", "trace", "limits", "permissions"],
    ),
    ("compiler", &["compile"]),
    ("runtime", &["runtime"]),
    // Beside the runtime, on it: native modules, reports, the importer.
    ("beside", &["stdlib", "diagnostics", "modules"]),
    // The public face an embedder uses.
    ("face", &["error", "host", "engine"]),
    // The `tasks` command's own: what it runs on the face (`cli/`: the
    // binary's modules, beside `main.rs`, on `tasks::…` alone).
    ("front", &["formatter", "lsp", "main", "cli"]),
];

/// Imports that run up, each with why it is still there. Keep it short:
/// none today (`stdlib` used `host::Module` until `Module` moved to
/// `runtime/native/module.rs`).
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// Inside `runtime/`: a folder, and the runtime modules its files may not
/// import (`crate::runtime::NAME`).
const INSIDE_RUNTIME: &[(&str, &[&str])] = &[
    // asyncio's objects work on the loop and the current task; running a
    // task's code (the evaluator, its calls) is the driver's.
    ("asyncio", &["vm", "call", "driver"]),
    // What a native receives is the engine's face to Rust, not the
    // evaluator's inside.
    ("native", &["vm", "driver"]),
    // Values, their operators, methods and text are data: they run no
    // task's code and know nothing of the loop.
    ("values", &["vm", "driver", "asyncio"]),
];

/// Files inside a folder of [`INSIDE_RUNTIME`] let through for one
/// runtime module, each with why.
const INSIDE_RUNTIME_EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "values/value.rs",
    "asyncio",
    "`Value`'s variants hold asyncio's objects (a task, a future, a lock): \
     it names their types, and calls none of their code",
)];

#[cfg(test)]
mod tests {
    use super::{EXCEPTIONS, INSIDE_RUNTIME, INSIDE_RUNTIME_EXCEPTIONS, LAYERS};
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    fn layer_of(module: &str) -> Option<usize> {
        LAYERS.iter().position(|(_, ms)| ms.contains(&module))
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The lines of a file with their index, a `use` whose group spans
    /// lines joined into one (at its first line).
    fn statements(text: &str) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> = vec![];
        let mut open = false;
        for (n, line) in text.lines().enumerate() {
            if open {
                let last = out.last_mut().unwrap();
                last.1.push_str(line.trim());
                open = !line.contains('}');
            } else {
                let t = line.trim_start();
                open = t.contains("use ") && t.ends_with('{');
                out.push((n, line.to_string()));
            }
        }
        out
    }

    /// The top-level modules a line of code names through `crate::`.
    fn named(line: &str) -> Vec<String> {
        named_in(line, "crate::")
    }

    /// The modules a line of code names through `prefix` (`crate::`,
    /// `crate::runtime::`).
    fn named_in(line: &str, prefix: &str) -> Vec<String> {
        let code = line.trim_start();
        if code.starts_with("//") {
            return vec![];
        }
        let code = code.split(" // ").next().unwrap_or(code);
        let mut out = vec![];
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue; // `$crate::`, `my_crate::`
            }
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a::X, b}`: each item's first name.
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',').filter(|i| !i.trim().is_empty()) {
                    let first = item.trim().split("::").next().unwrap_or("");
                    out.push(first.to_string());
                }
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                out.push(rest[..end].to_string());
            }
        }
        out
    }

    /// Top-level module → (module it imports → first place it does).
    fn graph() -> Graph {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        rust_files(&src, &mut files);
        let mut edges = Graph::new();
        for file in files {
            let rel = file.strip_prefix(&src).unwrap();
            let first = rel.components().next().unwrap().as_os_str();
            let from = first.to_str().unwrap().trim_end_matches(".rs").to_string();
            if from == "lib" || from == "layers" {
                continue; // the root re-exports everything
            }
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in statements(&text) {
                for to in named(&line) {
                    // A name that is no module: a root re-export, from the
                    // module it comes from (`Value` → `runtime`), or
                    // lib.rs's own (`reports`, `signals`), the face.
                    let to = if layer_of(&to).is_some() {
                        to
                    } else {
                        match reexported_from(&src, &to) {
                            Some(Some(module)) => module,
                            Some(None) => continue, // another crate's
                            None => "engine".into(),
                        }
                    };
                    if to != from {
                        let at = format!("src/{}:{}", rel.display(), n + 1);
                        edges
                            .entry(from.clone())
                            .or_default()
                            .entry(to)
                            .or_insert(at);
                    }
                }
            }
        }
        edges
    }

    /// Where lib.rs's `pub use` takes a root name from: `Some(Some(m))`
    /// for the crate's module `m`, `Some(None)` for another crate, `None`
    /// when it re-exports no such name.
    fn reexported_from(src: &Path, name: &str) -> Option<Option<String>> {
        let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
        pub_statements(&lib).iter().find_map(|s| {
            let used = s.strip_prefix("pub use ")?.trim_end_matches(';');
            let first = used.split("::").next().unwrap_or(used).trim();
            exported_names(used).any(|n| n == name).then(|| {
                let module = first.trim_start_matches("crate::");
                layer_of(module).map(|_| module.to_string())
            })
        })
    }

    /// The names a `pub use` path makes known: the last of a path or of
    /// each item of a group, or what `as` renames it to.
    fn exported_names(used: &str) -> impl Iterator<Item = &str> {
        let items: Vec<&str> = match used.find('{') {
            Some(i) => used[i + 1..].trim_end_matches('}').split(',').collect(),
            None => vec![used],
        };
        items.into_iter().filter_map(|i| {
            let known = i.rsplit(" as ").next().unwrap_or(i);
            let name = known.rsplit("::").next().unwrap_or(known).trim();
            (!name.is_empty()).then_some(name)
        })
    }

    /// The imports inside `runtime/` that [`INSIDE_RUNTIME`] forbids.
    fn inside_runtime_breaches() -> Vec<String> {
        let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/runtime");
        let mut out = vec![];
        for (folder, forbidden) in INSIDE_RUNTIME {
            let mut files = vec![];
            rust_files(&runtime.join(folder), &mut files);
            for file in files {
                let text = std::fs::read_to_string(&file).unwrap();
                let at = file.strip_prefix(&runtime).unwrap().display().to_string();
                for (n, line) in statements(&text) {
                    for to in named_in(&line, "crate::runtime::") {
                        let excused = INSIDE_RUNTIME_EXCEPTIONS
                            .iter()
                            .any(|(f, m, _)| *f == at && *m == to);
                        if forbidden.contains(&to.as_str()) && !excused {
                            out.push(format!("src/runtime/{at}:{}: uses runtime::{to}", n + 1));
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn runtime_folders_keep_to_their_part() {
        let breaches = inside_runtime_breaches();
        assert!(breaches.is_empty(), "{}", breaches.join("\n"));
        // The reader sees what the rule forbids.
        assert_eq!(
            named_in(
                "use crate::runtime::{vm::X, value::Value};",
                "crate::runtime::"
            ),
            ["vm", "value"]
        );
    }

    #[test]
    fn the_runtime_exceptions_are_still_needed() {
        let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/runtime");
        for (file, module, _) in INSIDE_RUNTIME_EXCEPTIONS {
            let text = std::fs::read_to_string(runtime.join(file)).unwrap();
            let used = text
                .lines()
                .any(|l| named_in(l, "crate::runtime::").iter().any(|m| m == module));
            assert!(
                used,
                "src/runtime/{file} no longer uses runtime::{module}: drop its exception"
            );
        }
    }

    #[test]
    fn every_module_has_a_layer() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in std::fs::read_dir(src).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            let rust = path.is_dir() || path.extension().is_some_and(|e| e == "rs");
            if rust && !["lib", "layers"].contains(&name.as_str()) {
                assert!(
                    layer_of(&name).is_some(),
                    "src/{name} is in no layer of layers.rs"
                );
            }
        }
    }

    type Graph = BTreeMap<String, BTreeMap<String, String>>;

    /// The imports of `g` that run from a lower layer up.
    fn ups(g: &Graph) -> Vec<String> {
        let mut up = vec![];
        for (from, tos) in g {
            let lf = layer_of(from).unwrap();
            for (to, at) in tos {
                let lt = layer_of(to).unwrap();
                let excused = EXCEPTIONS.iter().any(|(f, t, _)| f == from && t == to);
                if lt > lf && !excused {
                    let (fl, tl) = (LAYERS[lf].0, LAYERS[lt].0);
                    up.push(format!("{at}: {from} ({fl}) uses {to} ({tl})"));
                }
            }
        }
        up
    }

    #[test]
    fn no_module_imports_a_higher_layer() {
        let up = ups(&graph());
        assert!(
            up.is_empty(),
            "imports from a lower layer up:\n{}",
            up.join("\n")
        );
    }

    #[test]
    fn the_exceptions_are_still_needed() {
        let g = graph();
        for (from, to, _) in EXCEPTIONS {
            let used = g.get(*from).is_some_and(|t| t.contains_key(*to));
            assert!(
                used,
                "{from} no longer uses {to}: drop its exception in layers.rs"
            );
        }
    }

    /// The circles of `g`, each as the imports that close it, apart
    /// from the imports in [`EXCEPTIONS`].
    fn circles(g: &Graph) -> Vec<String> {
        let mut g = g.clone();
        for (from, to, _) in EXCEPTIONS {
            g.entry(from.to_string()).or_default().remove(*to);
        }
        let mut circles = BTreeSet::new();
        for (start, tos) in &g {
            let back: Vec<String> = tos
                .iter()
                .filter(|(to, _)| reaches(&g, to, start))
                .map(|(to, at)| format!("{start} → {to} ({at})"))
                .collect();
            if !back.is_empty() {
                circles.insert(back.join(", "));
            }
        }
        circles.into_iter().collect()
    }

    #[test]
    fn no_circle_between_top_level_modules() {
        let circles = circles(&graph());
        assert!(circles.is_empty(), "circles:\n{}", circles.join("\n"));
    }

    #[test]
    fn an_import_up_and_a_circle_are_seen() {
        fn edge(g: &mut Graph, from: &str, to: &str) {
            let at = format!("src/{from}.rs:1");
            g.entry(from.to_string())
                .or_default()
                .insert(to.to_string(), at);
        }
        let mut g = Graph::new();
        edge(&mut g, "runtime", "compile");
        edge(&mut g, "stdlib", "runtime");
        assert!(ups(&g).is_empty() && circles(&g).is_empty());
        edge(&mut g, "runtime", "engine");
        edge(&mut g, "lsp", "formatter");
        edge(&mut g, "formatter", "lsp");
        let up = ups(&g);
        assert_eq!(
            up,
            ["src/runtime.rs:1: runtime (runtime) uses engine (face)"]
        );
        let c = circles(&g);
        assert_eq!(c.len(), 2, "{c:?}");
        assert!(c[0].starts_with("formatter → lsp"), "{c:?}");
    }

    fn reaches(g: &Graph, from: &str, to: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            if m == to {
                return true;
            }
            if seen.insert(m.clone()) {
                todo.extend(g.get(&m).into_iter().flat_map(|t| t.keys().cloned()));
            }
        }
        false
    }

    #[test]
    fn the_reader_sees_each_form_of_import() {
        assert_eq!(
            named("use crate::runtime::values::value::Value;"),
            ["runtime"]
        );
        assert_eq!(
            named("use crate::{Engine, runtime::x};"),
            ["Engine", "runtime"]
        );
        assert_eq!(
            named("    let x = crate::stdlib::f(crate::limits::g());"),
            ["stdlib", "limits"]
        );
        assert!(named("//! see [`crate::engine::Engine`]").is_empty());
        assert!(named("$crate::runtime::x").is_empty());
        assert_eq!(named("f(); // crate::engine::x").len(), 0);
    }

    /// The `crate::…` paths a line of code writes, whole (`crate::a::b::C`;
    /// a group `crate::a::{b::C, D}` gives `crate::a::b::C` and
    /// `crate::a::D`).
    fn paths(line: &str) -> Vec<String> {
        let code = line.trim_start();
        if code.starts_with("//") {
            return vec![];
        }
        let code = code.split(" // ").next().unwrap_or(code);
        let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
        let mut out = vec![];
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().next_back();
            rest = &rest[i..];
            let end = rest.find(|c: char| !is_name(c)).unwrap_or(rest.len());
            let (path, after) = rest.split_at(end);
            rest = &rest[end.max(1)..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let base = path.trim_end_matches("::");
            match after.strip_prefix('{').filter(|_| path.ends_with("::")) {
                Some(group) => {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    for item in group.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                        let item = item.split(" as ").next().unwrap_or(item);
                        if item == "self" {
                            out.push(base.to_string());
                        } else {
                            out.push(format!("{base}::{item}"));
                        }
                    }
                }
                None => out.push(base.to_string()),
            }
        }
        out
    }

    /// The `pub` statements of a file (`pub use` lists joined into one
    /// line), leaving out `pub(crate)` and the like.
    fn pub_statements(text: &str) -> Vec<String> {
        let mut out = vec![];
        let mut open: Option<String> = None;
        for line in text.lines().map(str::trim) {
            if let Some(mut s) = open.take() {
                s.push_str(line);
                if line.ends_with(';') {
                    out.push(s);
                } else {
                    open = Some(s);
                }
            } else if line.starts_with("pub ") {
                if line.starts_with("pub use") && !line.ends_with(';') {
                    open = Some(line.to_string());
                } else {
                    out.push(line.to_string());
                }
            }
        }
        out
    }

    /// Does a file declare `name` public: `pub fn name`, `pub struct name`,
    /// ..., or re-export it with `pub use`?
    fn declares_pub(text: &str, name: &str) -> bool {
        let named = |words: &str| {
            words
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == name)
        };
        pub_statements(text).iter().any(|s| {
            if let Some(used) = s.strip_prefix("pub use ") {
                exported_names(used.trim_end_matches(';')).any(|n| n == name)
            } else {
                let words = s.split(['(', '<', ':', '{', ';', '=']).next().unwrap_or(s);
                let mut w = words.split_whitespace();
                w.next(); // `pub`
                let kinds = [
                    "fn", "struct", "enum", "trait", "type", "const", "static", "mod",
                ];
                let rest: Vec<&str> = w.collect();
                rest.iter().any(|k| kinds.contains(k)) && named(rest.last().unwrap_or(&""))
            }
        })
    }

    /// Can a host write `path` (`crate::a::B` as `tasks::a::B`)? Each
    /// module on the way is a `pub mod` of its parent; the first item that
    /// is not a module is declared or re-exported `pub` there (what
    /// follows it, an associated function or a variant, comes with it).
    fn host_can_name(src: &Path, path: &str) -> bool {
        let mut file = src.join("lib.rs");
        let mut dir = src.to_path_buf();
        for seg in path.split("::").skip(1) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let inline_mod = text
                .lines()
                .any(|l| l.trim() == format!("pub mod {seg} {{"));
            if !declares_pub(&text, seg) {
                return false;
            }
            let module = [dir.join(format!("{seg}.rs")), dir.join(seg).join("mod.rs")]
                .into_iter()
                .find(|f| f.is_file());
            let is_mod = pub_statements(&text)
                .iter()
                .any(|s| s.starts_with(&format!("pub mod {seg};")));
            match module {
                Some(m) if is_mod => {
                    file = m;
                    dir = dir.join(seg);
                }
                // An inline `pub mod`, or an item: named from here on.
                _ => return inline_mod || !is_mod,
            }
        }
        true
    }

    /// Each `crate::…` path in `src/stdlib/` that a host cannot name, with
    /// its place. None is let through: the builtins that need the
    /// evaluator's insides are the runtime's (`runtime/builtins/`).
    fn stdlib_private_paths() -> Vec<String> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        rust_files(&src.join("stdlib"), &mut files);
        files.sort();
        let mut out = vec![];
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let rel = file.strip_prefix(&src).unwrap().display().to_string();
            for (n, line) in statements(&text) {
                for path in paths(&line) {
                    let own = path == "crate::stdlib" || path.starts_with("crate::stdlib::");
                    if !own && !host_can_name(&src, &path) {
                        out.push(format!("src/{rel}:{}: {path}", n + 1));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_stdlib_uses_only_what_a_host_can_name() {
        let private = stdlib_private_paths();
        assert!(
            private.is_empty(),
            "the standard library uses what a host cannot name (give it a public form, \
             docs/EMBEDDING.md):\n{}",
            private.join("\n")
        );
    }

    #[test]
    fn what_a_host_can_name_is_read_from_the_code() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        assert_eq!(
            paths("use crate::runtime::x::{self, A as B, c::D};"),
            [
                "crate::runtime::x",
                "crate::runtime::x::A",
                "crate::runtime::x::c::D"
            ]
        );
        assert_eq!(
            paths("f(crate::Value::str(s)) // crate::x"),
            ["crate::Value::str"]
        );
        assert!(paths("/// [`crate::runtime::X`]").is_empty());
        for public in [
            "crate::Value",
            "crate::Value::str",
            "crate::ScriptError",
            "crate::limits::reserve",
            "crate::permissions::Permissions",
            "crate::reports::Style",
            "crate::fastrand",
        ] {
            assert!(host_can_name(&src, public), "{public}");
        }
        for private in [
            "crate::runtime::values::value::Value",
            "crate::runtime",
            "crate::limits::LIMIT",
            "crate::compile::names::Natives",
            "crate::limits::room_for",
        ] {
            assert!(!host_can_name(&src, private), "{private}");
        }
    }
}
