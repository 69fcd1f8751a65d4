//! qwen-settings-ls: a language server and linter for Qwen Code's `settings.json`.
//!
//! Layers, each depending only on the ones before it:
//! [`text`] → [`syntax`] → [`model`] → [`analysis`] → [`protocol`] and [`cli`].

pub mod text;
pub mod syntax;
pub mod model;
pub mod analysis;
