//! A program that declares `main` and never calls it: the habit of
//! languages that call it for you (Go, Rust, C) and of Python scripts
//! whose last line, `asyncio.run(main())`, was left out. A script runs from
//! its first line here, so such a program does nothing and exits 0: worth
//! a warning (it still runs; a script may mean it).

use super::{err, CompileError};
use crate::syntax::ast::{Stmt, StmtKind};
use crate::syntax::lex::Scanner;

/// The warning for a top-level `fn main` / `async fn main` whose name the
/// program's code never mentions again (strings and comments don't count).
pub(super) fn warning(stmts: &[Stmt], text: &str) -> Option<CompileError> {
    let def = stmts.iter().find_map(|s| match &s.kind {
        StmtKind::Fn(f) => f
            .name
            .as_ref()
            .filter(|n| &*n.name == "main")
            .map(|n| (n, f)),
        _ => None,
    });
    let (name, f) = def?;
    if mentions(text, "main") > 1 {
        return None;
    }
    let call = if f.is_async { "await main()" } else { "main()" };
    let mut w = err(
        "`main` is declared but never called",
        name.span,
        "nothing calls this function",
    );
    w.help = Some(format!(
        "a script runs from its first line: add `{call}` at the end (Python's \
         `asyncio.run(main())`)"
    ));
    Some(w)
}

/// How many times `word` stands as a whole word in the code of `text`.
fn mentions(text: &str, word: &str) -> usize {
    let mut count = 0;
    let mut run = String::new();
    let mut next_at = usize::MAX;
    let mut end_run = |run: &mut String| {
        if run == word {
            count += 1;
        }
        run.clear();
    };
    for b in Scanner::new(text) {
        let ident = b.byte.is_ascii_alphanumeric() || b.byte == b'_';
        if !ident || b.at != next_at {
            end_run(&mut run);
        }
        if ident {
            run.push(b.byte as char);
        }
        next_at = b.at + 1;
    }
    end_run(&mut run);
    count
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn only_whole_words_in_code_are_mentions() {
        let text = "fn main() {}\n# main()\nprint(\"main\", main_loop, f\"{main}\")\nmain()";
        // The declaration, the f-string's interpolation, the last call.
        assert_eq!(mentions(text, "main"), 3);
        assert_eq!(mentions("fn main() {}", "main"), 1);
    }
}
