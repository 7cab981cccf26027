//! One-line descriptions for hover, taken from the reference itself:
//! the first cell of each table row of `docs/LANGUAGE.md` names a function
//! (`random.randint(a, b)`, or `sqrt(x)` under the `math` heading) and the
//! second says what it does; a paragraph that starts with a call
//! (`` `json.parse(text)` is Python's ... ``) says it in its first sentence. Read from the document people read, so the
//! editor and the reference cannot disagree, and there is no second list
//! to keep.

use std::collections::HashMap;
use std::sync::OnceLock;

static REFERENCE: &str = include_str!("../../docs/LANGUAGE.md");

/// The description of `name` (`sleep`, `fs.read_text`), when the
/// reference has a table row for it.
pub(super) fn describe(name: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| rows(REFERENCE))
        .get(name)
        .map(String::as_str)
}

fn rows(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut module: Option<String> = None;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        // A paragraph, or a sentence, that starts with the call.
        let starts_paragraph = i == 0 || {
            let before = lines[i - 1].trim_end();
            before.is_empty() || before.ends_with('.')
        };
        if starts_paragraph {
            if let Some((name, about)) = paragraph_call(&lines[i..]) {
                out.entry(name).or_insert(about);
            }
        }
        if let Some(heading) = line.strip_prefix("## ") {
            // `## Math: `math``: bare names below are that module's.
            module = heading
                .split('`')
                .nth(1)
                .filter(|m| m.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .map(str::to_owned);
            continue;
        }
        let Some(row) = line.strip_prefix("| `") else {
            continue;
        };
        let mut cells = row.split(" | ");
        let (Some(first), Some(second)) = (cells.next(), cells.next()) else {
            continue;
        };
        let description = plain(second.trim_end_matches('|').trim());
        for span in format!("`{first}").split('`').skip(1).step_by(2) {
            let Some(name) = called_name(span) else {
                continue;
            };
            if !name.contains('.') {
                if let Some(m) = &module {
                    out.entry(format!("{m}.{name}"))
                        .or_insert_with(|| description.clone());
                }
            }
            out.entry(name.to_owned())
                .or_insert_with(|| description.clone());
        }
    }
    out
}

/// `` `json.parse(text)` is Python's `json.loads`: ... `` at the start of
/// a paragraph: the name, and the rest of the first sentence.
fn paragraph_call(lines: &[&str]) -> Option<(String, String)> {
    let first = lines.first()?.strip_prefix('`')?;
    let (span, _) = first.split_once('`')?;
    let name = called_name(span)?;
    let paragraph: Vec<&str> = lines
        .iter()
        .take_while(|l| !l.trim().is_empty())
        .copied()
        .collect();
    let joined = paragraph.join(" ");
    let rest = joined[span.len() + 2..].trim_start();
    let sentence = rest.find(". ").map_or(rest, |end| &rest[..=end]);
    let sentence = sentence.trim_end_matches(':').trim();
    if sentence.is_empty() || sentence.len() > 400 {
        return None;
    }
    Some((name.to_owned(), plain(sentence)))
}

/// `fs.read_text` of `fs.read_text(path)` (or `await fs.open(path)`),
/// and `math.pi` of itself (a module's constant).
fn called_name(span: &str) -> Option<&str> {
    let span = span.strip_prefix("await ").unwrap_or(span);
    let name = match span.split_once('(') {
        Some((name, _)) => name,
        None if span.contains('.') => span,
        None => return None,
    };
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    ok.then_some(name)
}

/// A cell without its markdown links: `[Bytes](#bytes)` reads `Bytes`.
fn plain(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut rest = cell;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|e| close + e) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_name_functions_and_module_headings_qualify_bare_names() {
        let text = "## Math: `math`\n\n| `sqrt(x)` `exp(x)` | a [float](#numbers) |\n\
                    ## Time\n| `sleep(secs)` | waits |\n| `x` | not a call |\n";
        let rows = rows(text);
        assert_eq!(rows["math.sqrt"], "a float");
        assert_eq!(rows["math.exp"], "a float");
        assert_eq!(rows["sleep"], "waits");
        assert!(!rows.contains_key("x") && !rows.contains_key("time.sleep"));
        let prose =
            "text\n\n`json.parse(text)` is Python's `json.loads`: maps\nand lists. More here.\n";
        assert_eq!(
            super::rows(prose)["json.parse"],
            "is Python's `json.loads`: maps and lists."
        );
    }

    /// Every method calls are bound with has its line in the reference
    /// (a method added without one fails here).
    #[test]
    fn the_reference_describes_every_built_in_method() {
        let missing: Vec<String> = crate::runtime::methods::method_catalogue()
            .into_iter()
            .map(|(ty, m, _)| format!("{ty}.{m}"))
            .filter(|name| describe(name).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "add these to LANGUAGE.md's \"Each method in a line\": {missing:?}"
        );
    }

    /// Every builtin and native module member has its line in the
    /// reference (a native added without one fails here).
    #[test]
    fn the_reference_describes_every_builtin_and_module_member() {
        let engine = crate::Engine::new(
            crate::Options::default(),
            Box::new(std::io::sink()),
            Box::new(std::io::sink()),
        );
        let vocabulary = engine.vocabulary();
        let members = vocabulary
            .modules
            .iter()
            .flat_map(|(m, members)| members.keys().map(move |k| format!("{m}.{k}")));
        let missing: Vec<String> = vocabulary
            .builtins
            .keys()
            .cloned()
            .chain(members)
            .filter(|name| describe(name).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "LANGUAGE.md says nothing an editor can show of {missing:?}: give each a table \
             row (`| `name(args)` | what it does |`) or a sentence that starts with \
             `name(args)` on its own line"
        );
    }

    #[test]
    fn the_reference_describes_the_common_functions() {
        for name in [
            "sleep",
            "gather",
            "sorted",
            "fs.read_text",
            "random.randint",
            "math.sqrt",
            "process.run",
            "json.parse",
        ] {
            assert!(describe(name).is_some(), "{name} has no row in LANGUAGE.md");
        }
    }
}
