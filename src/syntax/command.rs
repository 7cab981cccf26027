//! `sh"grep {pattern} {file}"`: where an interpolation of a command string
//! stands in the shell's syntax. Each value is quoted as one word when the
//! program runs (`process.quote`), which keeps it one word only where the
//! shell reads quotes: not inside quotes the template itself opens (`'{x}'`
//! would close them and leave the value bare), not after a `\` or a `$`
//! (`$'…'` is bash's escape-reading quote), and not in a here-document,
//! whose lines the shell expands without reading quotes. An interpolation
//! in any of these places is refused here, before running.

use super::ast::FPart;
use super::error::SyntaxError;

/// The shell's reading state at a point of the template's text.
#[derive(Clone, Copy, PartialEq)]
enum Quote {
    None,
    Single,
    Double,
}

struct Reader {
    quote: Quote,
    /// A `\` outside single quotes: the next character is taken literally.
    escaped: bool,
    /// How many `<` in a row were just read (`<<` opens a here-document,
    /// `<<<` is a here-string).
    less: u32,
    /// `<<` seen on this line: the lines after it are a here-document.
    heredoc_next: bool,
    heredoc: bool,
    /// The last character read, outside quotes.
    last: Option<char>,
}

impl Reader {
    fn read(&mut self, text: &str) {
        for c in text.chars() {
            if self.less == 2 && c != '<' {
                self.heredoc_next = true;
            }
            if c != '<' || self.quote != Quote::None {
                self.less = 0;
            }
            if self.escaped {
                self.escaped = false;
                self.last = None;
                continue;
            }
            match (self.quote, c) {
                (Quote::Single, '\'') | (Quote::Double, '"') => self.quote = Quote::None,
                (Quote::Single, _) => {}
                (_, '\\') => self.escaped = true,
                (Quote::Double, _) => {}
                (Quote::None, '\'') => self.quote = Quote::Single,
                (Quote::None, '"') => self.quote = Quote::Double,
                (Quote::None, '<') => self.less += 1,
                (Quote::None, '\n') if self.heredoc_next => self.heredoc = true,
                _ => {}
            }
            self.last = Some(c);
        }
    }

    /// Why a value cannot stand here, if it cannot.
    fn refusal(&self) -> Option<(&'static str, &'static str)> {
        const BARE: &str = "the value is quoted for you: write `{x}`, not `'{x}'` or `\"{x}\"`";
        Some(match self.quote {
            Quote::Single => ("inside single quotes", BARE),
            Quote::Double => ("inside double quotes", BARE),
            Quote::None if self.escaped => (
                "after a `\\`",
                "the value is quoted for you: remove the backslash",
            ),
            Quote::None if self.last == Some('$') => (
                "after a `$`",
                "the value is put in as one word; for a shell variable write `${{NAME}}`",
            ),
            Quote::None if self.heredoc => (
                "in a here-document",
                "the shell expands a here-document's lines without reading quotes: pass the value with `stdin:`",
            ),
            Quote::None => return None,
        })
    }
}

/// Checks that every interpolation of a command string stands where its
/// quoted value stays one word.
pub(crate) fn check(parts: &[FPart]) -> Result<(), SyntaxError> {
    let mut reader = Reader {
        quote: Quote::None,
        escaped: false,
        less: 0,
        heredoc_next: false,
        heredoc: false,
        last: None,
    };
    for part in parts {
        match part {
            FPart::Text(t) => reader.read(t),
            FPart::Expr { expr, .. } => {
                if let Some((place, help)) = reader.refusal() {
                    let mut e = SyntaxError::new(
                        format!("an interpolation of a sh\"…\" command {place}"),
                        expr.span,
                        "would not be one word",
                    );
                    e.help = Some(help.into());
                    return Err(e);
                }
                // The value is one quoted word: as if a letter stood here.
                reader.read("x");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::syntax::parse_program;

    fn refused(src: &str) -> Option<String> {
        parse_program(src).err().map(|e| e.message)
    }

    #[test]
    fn interpolations_where_quoting_holds_are_accepted() {
        for ok in [
            r#"let c = sh"grep -c {p} {f}""#,
            r#"let c = sh"a'b'{p}\"q\"{p}$(cat {f}) ${{HOME}} {{x}}""#,
            r#"let c = sh"echo '\\' {p} | tr -d x\\\\ {p}""#,
            r#"let c = sh"cat <<<{p}""#,
            r#"let c = sh"sh -c 'echo \"x\"' {p}""#,
            // A quote inside an interpolation, in a block the grammar skips.
            r#"if true { let c = sh"echo {f["}"]} {f["{"]} '}}'" }"#,
        ] {
            assert_eq!(
                refused(&format!("let p = 1\nlet f = 2\n{ok}")),
                None,
                "{ok}"
            );
        }
    }

    #[test]
    fn interpolations_inside_quotes_or_escapes_are_refused() {
        for (bad, place) in [
            (r#"sh"echo '{p}'""#, "inside single quotes"),
            (r#"sh"echo \"a {p}\"""#, "inside double quotes"),
            (r#"sh"echo 'it''s {p}'""#, "inside single quotes"),
            (r#"sh"echo \\{p}""#, "after a `\\`"),
            (r#"sh"echo ${p}""#, "after a `$`"),
            ("sh\"cat <<EOF\n{p}\nEOF\"", "in a here-document"),
            ("sh\"cat <<-'EOF'\nx {p}\nEOF\"", "in a here-document"),
        ] {
            let msg = refused(&format!("let p = 1\nlet c = {bad}")).unwrap_or_default();
            assert!(msg.ends_with(place), "{bad}: {msg}");
        }
    }
}
