//! The `tasks` command's own modules, on the library's public face only
//! (`src/`'s other folders hold the library): what a host embedding the
//! engine could write itself.

pub(crate) mod files;
pub(crate) mod fmt;
pub(crate) mod golden;
pub(crate) mod output;
pub(crate) mod ps;
pub(crate) mod repl;
pub(crate) mod streams;
