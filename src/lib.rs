//! qwen-settings-ls: a language server and linter for Qwen Code's `settings.json`.
//!
//! Layers, each depending only on the ones before it:
//! [`text`] → [`syntax`] → [`model`] → [`analysis`] → [`protocol`] and [`cli`]
//! ([`workspace`] finds the settings files on disk for both front doors).

pub mod analysis;
pub mod cli;
pub mod model;
pub mod protocol;
pub mod syntax;
pub mod text;
pub mod workspace;

/// The server's name, also the `source` of every diagnostic.
pub const NAME: &str = "qwen-settings-ls";
