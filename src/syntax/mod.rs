//! Source text to syntax tree. Knows nothing of running programs.

pub(crate) mod ast;
pub(crate) mod command;
pub(crate) mod depth;
pub(crate) mod error;
pub(crate) mod habits;
pub(crate) mod lex;
pub(crate) mod parser;

pub(crate) use ast::Span;
pub(crate) use error::SyntaxError;
pub(crate) use parser::parse_program;
