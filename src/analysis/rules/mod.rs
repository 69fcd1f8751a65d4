//! The rules, one file per family. Fixtures for each live in `fixtures/<family>/`.

pub(super) mod endpoints;
pub(super) mod env;
pub(super) mod envkey;
pub(super) mod generation;
pub(super) mod providers;
pub(super) mod schema;
pub(super) mod selection;
pub(super) mod syntax;
pub(super) mod version;
