//! The `tasks test` runner: golden files beside scripts.
