//! Source text to syntax tree. Knows nothing of running programs.

pub mod ast;
pub mod command;
pub mod depth;
pub mod error;
pub mod habits;
pub mod lex;
pub mod parser;

pub use ast::Span;
pub use error::SyntaxError;
pub use parser::parse_program;
