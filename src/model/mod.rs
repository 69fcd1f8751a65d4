//! Model layer: a typed view of Qwen Code settings across the scopes the CLI merges.
//!
//! Facts follow `shared/reference/qwen-code.md` (observed with qwen-code 0.24.4):
//! merge order system defaults → user → workspace → system, later wins; `modelProviders`
//! merges per provider key (a workspace array replaces the user's array for that key only);
//! `security`, `model`, `env` and `providerProtocol` merge key by key.

pub mod catalog;
pub mod dotenv;
pub mod endpoints;
pub mod keys;

use crate::syntax::{Member, Node, NodeKind, Parse, TextRange, parse};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The settings scopes, lowest precedence first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScopeKind {
    SystemDefaults,
    User,
    Workspace,
    System,
}

impl ScopeKind {
    pub fn label(self) -> &'static str {
        match self {
            ScopeKind::SystemDefaults => "system defaults",
            ScopeKind::User => "user",
            ScopeKind::Workspace => "workspace",
            ScopeKind::System => "system",
        }
    }
}

/// Index of a file in a [`Chain`].
pub type FileId = usize;

/// One settings file: where it is, which scope it is, its text and its tree.
#[derive(Clone, Debug)]
pub struct SettingsFile {
    pub kind: ScopeKind,
    pub path: PathBuf,
    pub text: String,
    pub parse: Parse,
}

impl SettingsFile {
    pub fn new(kind: ScopeKind, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let parse = parse(&text);
        Self {
            kind,
            path: path.into(),
            text,
            parse,
        }
    }

    /// A file whose text was already parsed (e.g. re-parsed incrementally after an edit).
    pub fn with_parse(kind: ScopeKind, path: PathBuf, text: String, parse: Parse) -> Self {
        Self {
            kind,
            path,
            text,
            parse,
        }
    }

    /// The root object (`None` when the file is not an object).
    pub fn root(&self) -> Option<&Node> {
        self.parse.root_object().map(|(n, _)| n)
    }

    /// The member at `path` in this file.
    pub fn member(&self, path: &[&str]) -> Option<&Member> {
        let (last, parents) = path.split_last()?;
        self.root()?.get_path(parents)?.member(last)
    }

    /// The nearest member along `path` that exists, deepest first (`model.name` → `model`).
    pub fn nearest_member(&self, path: &[&str]) -> Option<&Member> {
        (1..=path.len()).rev().find_map(|n| self.member(&path[..n]))
    }

    /// `"$version"` as written, if any.
    pub fn version(&self) -> Option<&Member> {
        self.member(&["$version"])
    }
}

/// A path as users write it: `~/…` under the home directory.
pub fn display_path(path: &Path, home: Option<&str>) -> String {
    if let Some(home) = home.filter(|h| !h.is_empty())
        && let Ok(rest) = path.strip_prefix(home)
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}

/// The exported (process) environment the analysis assumes.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    pub vars: HashMap<String, String>,
    /// True in the language server: messages then say "in this editor's environment".
    pub in_editor: bool,
}

impl Environment {
    pub fn from_process(in_editor: bool) -> Self {
        Self {
            vars: std::env::vars().collect(),
            in_editor,
        }
    }

    /// An exported variable; an empty value counts as unset (qwen-code 0.24.4, PR #6284).
    pub fn exported(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The home directory, for displaying paths.
    pub fn home(&self) -> Option<&str> {
        self.exported("HOME")
    }

    pub fn where_exported(&self) -> &'static str {
        if self.in_editor {
            "in this editor's environment"
        } else {
            "in the environment"
        }
    }
}

/// A `.env` file the CLI loads.
#[derive(Clone, Debug)]
pub struct EnvFile {
    pub path: PathBuf,
    /// True for the project's file (found walking up from the project), false for the home
    /// files (`$QWEN_HOME/.env` or `~/.qwen/.env`, and `~/.env`).
    pub project: bool,
    pub vars: Vec<dotenv::Var>,
}

impl EnvFile {
    pub fn origin(&self) -> Origin {
        if self.project {
            let in_qwen_dir = self
                .path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|d| d == ".qwen");
            Origin::ProjectDotEnv { in_qwen_dir }
        } else {
            Origin::HomeDotEnv
        }
    }

    pub fn new(path: impl Into<PathBuf>, project: bool, text: &str) -> Self {
        Self {
            path: path.into(),
            project,
            vars: dotenv::parse(text),
        }
    }

    pub fn get(&self, name: &str) -> Option<&dotenv::Var> {
        self.vars.iter().find(|v| v.name == name)
    }
}

/// Where keys should live instead of the settings file, and the files a fix touches there.
#[derive(Clone, Debug)]
pub struct SecretStore {
    /// `<project>/.qwen/.env` for a workspace file, `$QWEN_HOME/.env` or `~/.qwen/.env` for the
    /// user file.
    pub env_path: PathBuf,
    /// Its current text; `None` when it does not exist yet.
    pub env_text: Option<String>,
    /// The project's `.gitignore` (path, current text or `None`), when the project is a git
    /// repository.
    pub gitignore: Option<(PathBuf, Option<String>)>,
}

/// The files one analysis sees, and the one it reports on.
#[derive(Clone, Debug)]
pub struct Chain {
    pub files: Vec<SettingsFile>,
    pub target: FileId,
    pub env: Environment,
    /// The `.env` files the CLI loads, first wins per variable.
    pub dotenv: Vec<EnvFile>,
    /// A project `.env` that is never loaded because `.qwen/.env` exists beside it.
    pub shadowed_dotenv: Option<PathBuf>,
    /// Where a key found in the settings file can be moved to.
    pub secret_store: Option<SecretStore>,
}

impl Chain {
    /// Takes the target file out of the chain (to reuse its text and tree for the next version).
    pub fn into_target(mut self) -> Option<SettingsFile> {
        (self.target < self.files.len()).then(|| self.files.swap_remove(self.target))
    }
}

/// Where a variable's value comes from.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    Exported,
    /// Index into [`Chain::dotenv`].
    DotEnv(usize),
    Settings(At<'a>),
}

/// A variable's value and its source.
#[derive(Clone, Copy, Debug)]
pub struct Resolved<'a> {
    pub value: &'a str,
    pub source: Source<'a>,
}

/// Variables the CLI never takes from a `.env` file or settings `env` (qwen-code.md §5.3).
const NEVER_FROM_FILES: &[&str] = &[
    "NODE_OPTIONS",
    "npm_config_node_options",
    "npm_config_userconfig",
    "npm_config_globalconfig",
    "npm_config_script_shell",
    "npm_config_prefix",
    "NODE_PATH",
    "OPENSSL_CONF",
    "NODE_REPL_EXTERNAL_MODULE",
    "npm_config_node_gyp",
    "npm_config_init_module",
    "LD_PRELOAD",
    "LD_AUDIT",
    "DYLD_INSERT_LIBRARIES",
    "BASH_ENV",
    "ZDOTDIR",
];

/// Where a file-sourced variable comes from, for the CLI's exclusion lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A project `.env` (`in_qwen_dir`: it is `.qwen/.env`).
    ProjectDotEnv {
        in_qwen_dir: bool,
    },
    HomeDotEnv,
    Settings,
}

/// Whether the CLI ignores `name` when it comes from `origin` (qwen-code.md §5.3).
pub fn excluded(name: &str, origin: Origin) -> bool {
    if NEVER_FROM_FILES.contains(&name) || name.starts_with("BASH_FUNC_") {
        return true;
    }
    let qwen_internal = matches!(
        name,
        "QWEN_HOME" | "QWEN_RUNTIME_DIR" | "QWEN_UPDATE_BASE_URL"
    );
    match origin {
        Origin::ProjectDotEnv { in_qwen_dir } => {
            qwen_internal || (!in_qwen_dir && matches!(name, "DEBUG" | "DEBUG_MODE"))
        }
        Origin::HomeDotEnv => false,
        Origin::Settings => {
            qwen_internal
                || matches!(
                    name,
                    "QWEN_SERVER_TOKEN"
                        | "PATH"
                        | "HOME"
                        | "LD_LIBRARY_PATH"
                        | "DYLD_LIBRARY_PATH"
                        | "ENV"
                )
        }
    }
}

/// A member of some file of the chain.
#[derive(Clone, Copy, Debug)]
pub struct At<'a> {
    pub file: FileId,
    pub member: &'a Member,
}

impl<'a> At<'a> {
    pub fn value(&self) -> Option<&'a Node> {
        self.member.value.as_ref()
    }

    pub fn str(&self) -> Option<&'a str> {
        self.value()?.as_str()
    }

    /// The range of the value, else the key.
    pub fn value_range(&self) -> TextRange {
        self.value().map_or(self.member.key.range(), |v| v.range())
    }
}

/// The protocols (SDKs) a provider key can route to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    OpenAi,
    Anthropic,
    Gemini,
    VertexAi,
    QwenOAuth,
}

impl Protocol {
    pub const ALL: [Protocol; 5] = [
        Protocol::OpenAi,
        Protocol::Anthropic,
        Protocol::Gemini,
        Protocol::VertexAi,
        Protocol::QwenOAuth,
    ];

    pub fn from_name(name: &str) -> Option<Protocol> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::OpenAi => "openai",
            Protocol::Anthropic => "anthropic",
            Protocol::Gemini => "gemini",
            Protocol::VertexAi => "vertex-ai",
            Protocol::QwenOAuth => "qwen-oauth",
        }
    }

    /// The variable the CLI reads the key from when an entry has no `envKey`
    /// (`AUTH_ENV_MAPPINGS`, qwen-code.md §5.2).
    pub fn default_key_variable(self) -> Option<&'static str> {
        match self {
            Protocol::OpenAi => Some("OPENAI_API_KEY"),
            Protocol::Anthropic => Some("ANTHROPIC_API_KEY"),
            Protocol::Gemini => Some("GEMINI_API_KEY"),
            Protocol::VertexAi => Some("GOOGLE_API_KEY"),
            Protocol::QwenOAuth => None,
        }
    }
}

/// The built-in `modelProviders` keys whose models the CLI uses (`qwen-oauth` is built in but
/// its entries are ignored).
pub const PROVIDER_KEYS: [&str; 4] = ["openai", "anthropic", "gemini", "vertex-ai"];

/// The legacy key `openai-responses` (v0.23.3 format) is still read by the CLI.
pub const LEGACY_RESPONSES_KEY: &str = "openai-responses";

/// The values `security.auth.selectedType` (and `--auth-type`) accept.
pub const AUTH_TYPES: [&str; 6] = [
    "openai",
    "openai-responses",
    "anthropic",
    "gemini",
    "vertex-ai",
    "qwen-oauth",
];

/// How the CLI treats one `modelProviders` key.
#[derive(Clone, Debug)]
pub enum Route<'a> {
    /// A built-in protocol key (`openai`, …), or the legacy `openai-responses`.
    BuiltIn(Protocol),
    /// `qwen-oauth` itself: its entries are ignored.
    QwenOAuth,
    /// A custom id mapped through `providerProtocol`.
    Mapped { protocol: Protocol, via: At<'a> },
    /// A custom id mapped to something that is not a protocol.
    MappedUnknown { via: At<'a> },
    /// A custom id without a mapping: its entries are ignored.
    Unknown,
}

impl Route<'_> {
    /// The protocol whose candidates this key's entries join, when they are used at all.
    pub fn protocol(&self) -> Option<Protocol> {
        match self {
            Route::BuiltIn(p) | Route::Mapped { protocol: p, .. } if *p != Protocol::QwenOAuth => {
                Some(*p)
            }
            _ => None,
        }
    }
}

/// One `modelProviders` key as the merge sees it (from the highest scope that defines it).
#[derive(Clone, Debug)]
pub struct ProviderKey<'a> {
    pub at: At<'a>,
    pub name: &'a str,
    pub route: Route<'a>,
    pub entries: Vec<Entry<'a>>,
}

/// One element of a provider array.
#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub file: FileId,
    pub node: &'a Node,
    /// Which key it sits under.
    pub key: &'a str,
    pub protocol: Option<Protocol>,
}

impl<'a> Entry<'a> {
    pub fn field(&self, name: &str) -> Option<&'a Member> {
        self.node.member(name)
    }

    pub fn field_str(&self, name: &str) -> Option<&'a str> {
        self.field(name)?.value.as_ref()?.as_str()
    }

    pub fn id(&self) -> Option<&'a str> {
        self.field_str("id")
    }

    /// `baseUrl` as written ("" when absent, which is how the CLI compares identities).
    pub fn base_url(&self) -> &'a str {
        self.field_str("baseUrl").unwrap_or("")
    }

    pub fn wire_api(&self) -> Option<&'a str> {
        self.field_str("wireApi")
    }
}

/// The variable an entry's key comes from, and its value.
#[derive(Clone, Debug)]
pub struct KeyInfo<'a> {
    /// The variable the CLI reads: `envKey` after interpolation, or the protocol's default.
    pub variable: String,
    /// True when `envKey` names the variable (false: the protocol's default).
    pub from_env_key: bool,
    /// `envKey` holds a valid variable name (not a pasted key, not `my-key`).
    pub valid_name: bool,
    pub resolved: Option<Resolved<'a>>,
    /// When `envKey`'s variable is unset, the CLI falls back to the default variable.
    pub fallback: Option<(&'static str, Resolved<'a>)>,
}

/// The base URL an entry's requests go to.
#[derive(Clone, Debug)]
pub struct BaseUrl {
    pub url: String,
    /// Where it comes from when the entry has no `baseUrl`: e.g. "OPENAI_BASE_URL" or
    /// "the openai default".
    pub implicit: Option<String>,
}

/// What the CLI will run with: the auth type, the entry, and why.
#[derive(Clone, Debug)]
pub struct Selection<'a> {
    pub auth_type: String,
    /// `None` when the auth type comes from the environment (no `selectedType`).
    pub auth_from: Option<At<'a>>,
    pub entry: Option<Entry<'a>>,
    /// Why that entry: "model.name matches", "first entry (model.name matches no id)", ….
    pub reason: &'static str,
}

/// The effective settings, merged across the chain, with where each value comes from.
pub struct Effective<'a> {
    pub chain: &'a Chain,
    pub selected_type: Option<At<'a>>,
    pub model_name: Option<At<'a>>,
    pub model_base_url: Option<At<'a>>,
    /// `providerProtocol` mappings, per id.
    pub provider_protocol: Vec<(&'a str, At<'a>)>,
    /// `modelProviders` keys in merged order.
    pub providers: Vec<ProviderKey<'a>>,
    /// Settings `env` values, per variable.
    pub env: Vec<(&'a str, At<'a>)>,
}

impl<'a> Effective<'a> {
    pub fn new(chain: &'a Chain) -> Self {
        let mut order: Vec<FileId> = (0..chain.files.len()).collect();
        order.sort_by_key(|&i| chain.files[i].kind);

        let leaf = |path: &[&str]| {
            order.iter().rev().find_map(|&file| {
                chain.files[file]
                    .member(path)
                    .map(|member| At { file, member })
            })
        };
        let map = |path: &[&str]| {
            let mut out: Vec<(&'a str, At<'a>)> = Vec::new();
            for &file in &order {
                let Some(obj) = chain.files[file]
                    .root()
                    .and_then(|r| r.get_path(path))
                    .and_then(Node::as_object)
                else {
                    continue;
                };
                for member in &obj.members {
                    let at = At { file, member };
                    match out.iter_mut().find(|(k, _)| *k == member.key.text) {
                        Some(slot) => slot.1 = at,
                        None => out.push((member.key.text.as_str(), at)),
                    }
                }
            }
            out
        };

        let provider_protocol = map(&["providerProtocol"]);
        let env = map(&["env"]);
        let providers = map(&["modelProviders"])
            .into_iter()
            .map(|(name, at)| {
                let route = route_of(name, &provider_protocol);
                let protocol = route.protocol();
                let entries = at
                    .value()
                    .and_then(Node::as_array)
                    .map(|a| {
                        a.items
                            .iter()
                            .map(|node| Entry {
                                file: at.file,
                                node,
                                key: name,
                                protocol,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ProviderKey {
                    at,
                    name,
                    route,
                    entries,
                }
            })
            .collect();

        Effective {
            chain,
            selected_type: leaf(&["security", "auth", "selectedType"]),
            model_name: leaf(&["model", "name"]),
            model_base_url: leaf(&["model", "baseUrl"]),
            provider_protocol,
            providers,
            env,
        }
    }

    pub fn file(&self, id: FileId) -> &'a SettingsFile {
        &self.chain.files[id]
    }

    pub fn target(&self) -> &'a SettingsFile {
        &self.chain.files[self.chain.target]
    }

    pub fn is_target(&self, id: FileId) -> bool {
        id == self.chain.target
    }

    /// The path of file `id` as users write it (`~/.qwen/settings.json`).
    pub fn display_path(&self, id: FileId) -> String {
        display_path(&self.file(id).path, self.chain.env.home())
    }

    /// " (in ~/.qwen/settings.json)" when `id` is not the file being analysed, else "".
    pub fn where_(&self, id: FileId) -> String {
        if self.is_target(id) {
            String::new()
        } else {
            format!(" (in {})", self.display_path(id))
        }
    }

    /// Entries whose models the CLI registers (object entries under a routed key).
    pub fn usable_entries(&self) -> impl Iterator<Item = &Entry<'a>> {
        self.providers
            .iter()
            .filter(|p| p.route.protocol().is_some())
            .flat_map(|p| p.entries.iter())
            .filter(|e| e.node.as_object().is_some())
    }

    /// The usable entries that sit in the file being analysed (the ones rules report on).
    pub fn target_entries(&self) -> Vec<&Entry<'a>> {
        self.usable_entries()
            .filter(|e| self.is_target(e.file))
            .collect()
    }

    /// Entries the CLI considers for `security.auth.selectedType = auth_type`, in order.
    pub fn candidates(&self, auth_type: &str) -> Vec<&Entry<'a>> {
        let responses = auth_type == LEGACY_RESPONSES_KEY;
        let wanted = if responses {
            Some(Protocol::OpenAi)
        } else {
            Protocol::from_name(auth_type)
        };
        let Some(wanted) = wanted else {
            return Vec::new();
        };
        self.usable_entries()
            .filter(|e| e.protocol == Some(wanted))
            .filter(|e| {
                // `openai-responses` takes the legacy key's entries and `wireApi: responses`
                // ones; plain `openai` takes the rest (qwen-code.md §4.1).
                let is_responses =
                    e.key == LEGACY_RESPONSES_KEY || e.wire_api() == Some("responses");
                !responses || is_responses
            })
            .filter(|e| responses || e.key != LEGACY_RESPONSES_KEY)
            .collect()
    }

    /// A variable's value from the chain: exported, else the first `.env` file that defines it,
    /// else settings `env` (string values only; workspace beats user). Empty values count as
    /// unset (qwen-code 0.24.4).
    pub fn resolve(&self, name: &str) -> Option<Resolved<'a>> {
        let chain = self.chain;
        if let Some(value) = chain.env.exported(name) {
            return Some(Resolved {
                value,
                source: Source::Exported,
            });
        }
        for (i, file) in chain.dotenv.iter().enumerate() {
            if let Some(var) = file.get(name)
                && !var.value.is_empty()
                && !excluded(name, file.origin())
            {
                return Some(Resolved {
                    value: &var.value,
                    source: Source::DotEnv(i),
                });
            }
        }
        let (_, at) = self.env.iter().find(|(k, _)| *k == name)?;
        let value = at.str().filter(|v| !v.is_empty())?;
        if excluded(name, Origin::Settings) {
            return None;
        }
        Some(Resolved {
            value,
            source: Source::Settings(*at),
        })
    }

    /// A variable's value from the chain (see [`Effective::resolve`]).
    pub fn resolve_var(&self, name: &str) -> Option<&'a str> {
        self.resolve(name).map(|r| r.value)
    }

    /// Where a source is, for messages: "exported", "~/.qwen/.env", "settings env (in …)".
    pub fn describe_source(&self, source: Source) -> String {
        match source {
            Source::Exported => format!("exported {}", self.chain.env.where_exported()),
            Source::DotEnv(i) => display_path(&self.chain.dotenv[i].path, self.chain.env.home()),
            Source::Settings(at) => format!("settings \"env\" in {}", self.display_path(at.file)),
        }
    }

    /// The auth type and entry the CLI selects (qwen-code.md §4.1, §4.2, §3.4). Without
    /// `selectedType`, the auth type is derived from the environment as `getAuthTypeFromEnv`
    /// does; `None` when there is none.
    pub fn selection(&self) -> Option<Selection<'a>> {
        let (auth_type, auth_from) = match self.selected_type {
            Some(at) => (at.str()?.to_string(), Some(at)),
            None => (self.auth_type_from_env()?.to_string(), None),
        };
        let candidates = self.candidates(&auth_type);
        let name = self
            .model_name
            .and_then(|at| at.str())
            .and_then(|n| self.interpolate(n));
        let (entry, reason) = match name {
            None => (candidates.first().copied(), "first entry (no model.name)"),
            Some(name) => {
                let matches: Vec<&Entry<'a>> = candidates
                    .iter()
                    .copied()
                    .filter(|e| e.id() == Some(name.as_str()))
                    .collect();
                let wanted_url = self.model_base_url.and_then(|at| at.str());
                match (matches.first(), wanted_url) {
                    (None, _) => (
                        candidates.first().copied(),
                        "first entry (model.name matches no id)",
                    ),
                    (Some(first), Some(url)) => {
                        match matches.iter().find(|e| e.base_url() == url) {
                            Some(e) => (Some(*e), "model.name and model.baseUrl match"),
                            None => (Some(*first), "first id match (model.baseUrl matches none)"),
                        }
                    }
                    (Some(first), None) => (Some(*first), "model.name matches"),
                }
            }
        };
        Some(Selection {
            auth_type,
            auth_from,
            entry: entry.cloned(),
            reason,
        })
    }

    /// `getAuthTypeFromEnv` (qwen-code.md §4.1, source reading).
    fn auth_type_from_env(&self) -> Option<&'static str> {
        let set = |n: &str| self.resolve(n).is_some();
        if set("QWEN_OAUTH") {
            Some("qwen-oauth")
        } else if set("OPENAI_API_KEY")
            && (set("OPENAI_MODEL") || set("QWEN_MODEL"))
            && set("OPENAI_BASE_URL")
        {
            Some("openai")
        } else if set("GEMINI_API_KEY") && set("GEMINI_MODEL") {
            Some("gemini")
        } else if set("GOOGLE_API_KEY") && set("GOOGLE_MODEL") {
            Some("vertex-ai")
        } else if set("ANTHROPIC_API_KEY") && set("ANTHROPIC_MODEL") && set("ANTHROPIC_BASE_URL") {
            Some("anthropic")
        } else {
            None
        }
    }

    /// Which variable holds an entry's key, and where its value comes from. The CLI looks up
    /// whatever `envKey` holds, even a pasted key or a name no shell can export, and falls back
    /// to the protocol's default variable when that finds nothing (conformance-tested).
    /// `None` only when `envKey` is not a string or refers to an unset `$VAR`.
    pub fn key_info(&self, entry: &Entry<'a>) -> Option<KeyInfo<'a>> {
        let protocol = entry.protocol?;
        let default = protocol.default_key_variable()?;
        let (looked_up, from_env_key) = match entry.field("envKey") {
            Some(m) => (self.interpolate(m.value.as_ref()?.as_str()?)?, true),
            None => (default.to_string(), false),
        };
        let literal_secret = keys::secret(&looked_up).is_some();
        let valid_name = keys::is_valid_var_name(&looked_up) && !literal_secret;
        let resolved = if literal_secret {
            None
        } else {
            self.resolve(&looked_up)
        };
        let fallback = if resolved.is_none() && looked_up != default {
            self.resolve(default).map(|r| (default, r))
        } else {
            None
        };
        Some(KeyInfo {
            // never display a pasted key
            variable: if literal_secret {
                keys::mask(&looked_up)
            } else {
                looked_up
            },
            from_env_key,
            valid_name,
            resolved,
            fallback,
        })
    }

    /// Where an entry's requests go (qwen-code.md §4.4). `None` when `baseUrl` has an unset
    /// `$VAR`, or an anthropic entry has none (the CLI stops).
    pub fn base_url(&self, entry: &Entry<'a>) -> Option<BaseUrl> {
        if let Some(m) = entry.field("baseUrl") {
            return Some(BaseUrl {
                url: self.interpolate(m.value.as_ref()?.as_str()?)?,
                implicit: None,
            });
        }
        match entry.protocol? {
            Protocol::OpenAi => Some(match self.resolve("OPENAI_BASE_URL") {
                Some(r) => BaseUrl {
                    url: r.value.to_string(),
                    implicit: Some(format!(
                        "OPENAI_BASE_URL, from {}",
                        self.describe_source(r.source)
                    )),
                },
                None => BaseUrl {
                    url: "https://api.openai.com/v1".into(),
                    implicit: Some("the default for an openai entry without baseUrl".into()),
                },
            }),
            Protocol::Gemini | Protocol::VertexAi => Some(BaseUrl {
                url: "https://generativelanguage.googleapis.com".into(),
                implicit: Some("the Gemini SDK's default".into()),
            }),
            _ => None,
        }
    }

    /// `$VAR` / `${VAR}` interpolation as the CLI does it (`/\$(?:(\w+)|{([^}]+)})/g`).
    /// `None` when some reference does not resolve (the CLI would send it literally).
    pub fn interpolate(&self, s: &str) -> Option<String> {
        if !s.contains('$') {
            return Some(s.to_string());
        }
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (name, len) = if let Some(braced) = after.strip_prefix('{') {
                match braced.find('}') {
                    Some(end) if end > 0 => (&braced[..end], end + 2),
                    _ => ("", 0),
                }
            } else {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            };
            if name.is_empty() {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(self.resolve_var(name)?);
            rest = &after[len..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// How the CLI routes the `modelProviders` key `name`, given the merged mappings.
pub fn route_of<'a>(name: &str, mappings: &[(&'a str, At<'a>)]) -> Route<'a> {
    if name == LEGACY_RESPONSES_KEY {
        return Route::BuiltIn(Protocol::OpenAi);
    }
    if name == "qwen-oauth" {
        return Route::QwenOAuth;
    }
    if let Some(p) = Protocol::from_name(name) {
        return Route::BuiltIn(p);
    }
    match mappings.iter().find(|(k, _)| *k == name) {
        Some((_, via)) => match via.str().and_then(Protocol::from_name) {
            Some(protocol) => Route::Mapped {
                protocol,
                via: *via,
            },
            None => Route::MappedUnknown { via: *via },
        },
        None => Route::Unknown,
    }
}

/// Whether a string value holds a `$VAR` reference.
pub fn has_reference(s: &str) -> bool {
    if !s.contains('$') {
        return false;
    }
    s.char_indices().any(|(i, c)| {
        c == '$'
            && s[i + 1..]
                .chars()
                .next()
                .is_some_and(|n| n == '{' || n.is_ascii_alphanumeric() || n == '_')
    })
}

/// Whether a node is the legacy `{ "protocol": …, "models": [ … ] }` provider wrapper.
pub fn is_legacy_wrapper(node: &Node) -> bool {
    let Some(obj) = node.as_object() else {
        return false;
    };
    obj.member("models")
        .and_then(|m| m.value.as_ref())
        .is_some_and(|v| matches!(v.kind, NodeKind::Array(_)))
        && obj
            .members
            .iter()
            .all(|m| m.key.text == "models" || m.key.text == "protocol")
}
