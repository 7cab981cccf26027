//! What follows a `.` that is not a module's: the methods of a built-in
//! type and a record's fields and methods, found from the receiver's type
//! when a `let` makes it plain, and all that share the name when not.

use super::symbols::{self, Kind, Symbol};
use super::text::Receiver;
use crate::engine::Vocabulary;

/// One thing that can follow the `.`.
pub(super) struct Member {
    pub name: String,
    /// `str.split(sep?, max_split?)`, `Job.name`, `fn run(self)`.
    pub detail: String,
    pub kind: MemberKind,
    /// A record method's leading comment.
    pub doc: Option<String>,
    /// Where a record's field or method is declared.
    pub at: Option<(usize, usize)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MemberKind {
    Method,
    Field,
}

/// What a document knows to look members up in.
pub(super) struct Scope<'a> {
    pub text: &'a str,
    pub symbols: &'a [Symbol],
    pub vocabulary: &'a Vocabulary,
}

impl Scope<'_> {
    /// The receiver's type, when plain: a string literal's, a variable's
    /// whose `let` says it, `self`'s in a record's method.
    pub(super) fn type_of(&self, receiver: &Receiver, at: usize) -> Option<String> {
        let name = match receiver {
            Receiver::Str => return Some("str".into()),
            Receiver::Other => return None,
            Receiver::Name(name) => *name,
        };
        let sym = symbols::resolve(self.symbols, name, at)?;
        match sym.kind {
            Kind::Variable => sym.ty.clone(),
            Kind::Parameter if name == "self" => self.record_of_method_at(sym.scope.0),
            _ => None,
        }
    }

    /// The record whose method has its body starting at `body`.
    fn record_of_method_at(&self, body: usize) -> Option<String> {
        self.symbols
            .iter()
            .filter(|s| s.kind == Kind::Function && s.start < body)
            .max_by_key(|s| s.start)?
            .ty
            .clone()
    }

    fn record(&self, name: &str) -> Option<&Symbol> {
        self.symbols
            .iter()
            .find(|s| s.kind == Kind::Record && s.name == name)
    }

    /// The members of type `ty`: a built-in type's methods, or a record's
    /// fields and methods.
    pub(super) fn members_of(&self, ty: &str) -> Vec<Member> {
        if let Some(methods) = self.vocabulary.methods.get(ty) {
            return methods
                .iter()
                .map(|(m, usage)| Member {
                    name: m.clone(),
                    detail: usage.clone(),
                    kind: MemberKind::Method,
                    doc: super::reference::describe(&format!("{ty}.{m}")).map(str::to_owned),
                    at: None,
                })
                .collect();
        }
        let Some(record) = self.record(ty) else {
            return Vec::new();
        };
        let fields = record.fields.iter().map(|(f, start, end)| Member {
            name: f.clone(),
            detail: format!("{ty}.{f}"),
            kind: MemberKind::Field,
            doc: Some(format!("a field of `{}`", record.detail)),
            at: Some((*start, *end)),
        });
        let methods = self
            .symbols
            .iter()
            .filter(|s| s.kind == Kind::Function && s.ty.as_deref() == Some(ty))
            .map(|s| Member {
                name: s.name.clone(),
                detail: s.detail.clone(),
                kind: MemberKind::Method,
                doc: symbols::leading_comment(self.text, s.start),
                at: Some((s.start, s.end)),
            });
        fields.chain(methods).collect()
    }

    /// Every member any type has, for a receiver whose type is not plain.
    pub(super) fn all_members(&self) -> Vec<Member> {
        let records = self.symbols.iter().filter(|s| s.kind == Kind::Record);
        let mut out: Vec<Member> = self
            .vocabulary
            .methods
            .keys()
            .map(String::as_str)
            .chain(records.map(|r| r.name.as_str()))
            .flat_map(|ty| self.members_of(ty))
            .collect();
        out.sort_by(|a, b| (&a.name, &a.detail).cmp(&(&b.name, &b.detail)));
        out
    }

    /// Where `.word` after `receiver` is declared: a record's field or
    /// method, when the receiver's type is plain (or only one record has
    /// a member of that name).
    pub(super) fn definition(
        &self,
        receiver: &Receiver,
        word: &str,
        at: usize,
    ) -> Option<(usize, usize)> {
        let candidates = match self.type_of(receiver, at) {
            Some(ty) => self.members_of(&ty),
            None => self.all_members(),
        };
        // One declaration, or none: a built-in type's method of the same
        // name (`t.name()`) makes an unplain receiver ambiguous.
        let found: Vec<Option<(usize, usize)>> = candidates
            .into_iter()
            .filter(|m| m.name == word)
            .map(|m| m.at)
            .collect();
        match found[..] {
            [Some(at)] => Some(at),
            _ => None,
        }
    }

    /// Hover text for `.word` after `receiver`: the one member when the
    /// type is known, else every type's member of that name.
    pub(super) fn hover(&self, receiver: &Receiver, word: &str, at: usize) -> Option<String> {
        let found: Vec<Member> = match self.type_of(receiver, at) {
            Some(ty) => self.members_of(&ty),
            None => self.all_members(),
        }
        .into_iter()
        .filter(|m| m.name == word)
        .collect();
        if found.is_empty() {
            return None;
        }
        let signatures: Vec<&str> = found.iter().map(|m| m.detail.as_str()).collect();
        let mut text = format!("```tasks\n{}\n```", signatures.join("\n"));
        if let [Member { doc: Some(doc), .. }] = &found[..] {
            text = format!("{text}\n\n{doc}");
        }
        Some(text)
    }
}
