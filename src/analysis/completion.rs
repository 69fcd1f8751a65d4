//! Completion: keys valid at the cursor, values from the catalog, and the values only this
//! product knows (protocol keys, auth types with entries, model ids, variables from the chain,
//! endpoints from the catalog).

use super::locate::{Seg, Spot, locate};
use super::{Edit, json_str};
use crate::model::catalog::{Catalog, NodeId, Type, catalog};
use crate::model::endpoints::{
    ENDPOINTS, Plan, dashscope_host, parse_url, provider_for, variable_for,
};
use crate::model::{AUTH_TYPES, Chain, Effective, Entry, PROVIDER_KEYS, Protocol, route_of};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Property,
    Value,
    Enum,
    Snippet,
    Variable,
    Module,
}

/// One completion item, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    pub edit: Edit,
    /// `edit.new_text` uses snippet syntax (`$1`, `${1:x}`).
    pub snippet: bool,
    pub filter: Option<String>,
    pub sort: Option<String>,
    /// From the generic catalog (keys, enums), as opposed to this product's own knowledge.
    pub generic: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The client accepts snippets.
    pub snippets: bool,
    /// Offer generic catalog keys and enum values (off when another JSON server does).
    pub generic: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            snippets: true,
            generic: true,
        }
    }
}

/// Completion at byte `offset` of the chain's target file.
pub fn complete(chain: &Chain, offset: usize, options: Options) -> Vec<Completion> {
    let eff = Effective::new(chain);
    let file = eff.target();
    let spot = locate(&file.text, file.parse.root.as_ref(), offset);
    let mut items = match spot {
        Spot::Key {
            object,
            range,
            has_value,
        } => keys(&eff, &object, range, has_value, options),
        Spot::Value { path, range } => values(&eff, &path, range, options),
        Spot::None => Vec::new(),
    };
    if !options.generic {
        items.retain(|i| !i.generic);
    }
    // A key pasted as a name or an id is never offered back, nor shown in a detail: an item
    // whose label or text holds one anywhere (`nsk-…` after a missing quote) is dropped, since
    // a masked label would insert the wrong text.
    let holds_key = |s: &str| {
        crate::model::keys::secret(s).is_some() || crate::model::keys::mask_secrets(s) != s
    };
    items.retain(|i| !holds_key(&i.label) && !holds_key(&i.edit.new_text));
    for i in &mut items {
        i.detail = i.detail.as_deref().map(crate::model::keys::mask_secrets);
        i.documentation = i
            .documentation
            .as_deref()
            .map(crate::model::keys::mask_secrets);
    }
    items
}

/// The catalog node of a document path.
fn catalog_node(path: &[Seg]) -> Option<NodeId> {
    let cat = catalog();
    path.iter().try_fold(Catalog::ROOT, |node, seg| match seg {
        Seg::Key(k) => cat.member(node, k),
        Seg::Index(_) => cat.item(node),
    })
}

fn path_keys(path: &[Seg]) -> Vec<&str> {
    path.iter().filter_map(Seg::key).collect()
}

/// The existing member names of the object at `path` in the target file.
fn existing(eff: &Effective, path: &[Seg]) -> Vec<String> {
    let mut node = eff.target().parse.root.as_ref();
    for seg in path {
        node = match seg {
            Seg::Key(k) => node.and_then(|n| n.get(k)),
            Seg::Index(i) => node
                .and_then(|n| n.as_array())
                .and_then(|a| a.items.get(*i)),
        };
    }
    node.and_then(|n| n.as_object())
        .map(|o| o.members.iter().map(|m| m.key.text.to_string()).collect())
        .unwrap_or_default()
}

fn value_snippet(types: &[Type], default: Option<&serde_json::Value>, snippets: bool) -> String {
    let t = types.first().copied().unwrap_or(Type::String);
    if !snippets {
        return match t {
            Type::String => "\"\"".into(),
            Type::Number | Type::Integer => default.map_or("0".into(), |d| d.to_string()),
            Type::Boolean => default.map_or("false".into(), |d| d.to_string()),
            Type::Object => "{}".into(),
            Type::Array => "[]".into(),
        };
    }
    match t {
        Type::String => match default.and_then(|d| d.as_str()).filter(|d| !d.is_empty()) {
            Some(d) => format!("\"${{1:{}}}\"", escape_snippet(d)),
            None => "\"$1\"".into(),
        },
        Type::Number | Type::Integer => {
            format!("${{1:{}}}", default.map_or("0".into(), |d| d.to_string()))
        }
        Type::Boolean => format!(
            "${{1:{}}}",
            default.map_or("false".into(), |d| d.to_string())
        ),
        Type::Object => "{$1}".into(),
        Type::Array => "[$1]".into(),
    }
}

fn escape_snippet(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('$', "\\$")
        .replace('}', "\\}")
}

/// The edit for a key: `"key": <value>` (or just `"key"` when a value follows already).
fn key_item(
    key: &str,
    range: &std::ops::Range<usize>,
    has_value: bool,
    value: String,
) -> (Edit, Option<String>) {
    let new_text = if has_value {
        json_str(key)
    } else {
        format!("{}: {value}", json_str(key))
    };
    (
        Edit {
            range: range.clone(),
            new_text,
        },
        Some(json_str(key)),
    )
}

fn keys(
    eff: &Effective,
    object: &[Seg],
    range: std::ops::Range<usize>,
    has_value: bool,
    options: Options,
) -> Vec<Completion> {
    let present = existing(eff, object);
    let editing = eff
        .target()
        .text
        .get(range.clone())
        .unwrap_or("")
        .trim_matches('"')
        .to_string();
    let absent = |k: &str| k == editing || !present.iter().any(|p| p == k);
    let cat = catalog();
    let keys = path_keys(object);
    let mut out = Vec::new();
    let mut push = |label: &str,
                    kind: ItemKind,
                    detail: Option<String>,
                    doc: Option<String>,
                    value: String,
                    generic: bool,
                    sort: &str| {
        let snippet = options.snippets && !has_value;
        let (edit, filter) = key_item(label, &range, has_value, value);
        out.push(Completion {
            label: label.to_string(),
            kind,
            detail,
            documentation: doc,
            edit,
            snippet,
            filter,
            sort: Some(format!("{sort}{label}")),
            generic,
        });
    };
    // Maps this product knows the members of.
    match keys.as_slice() {
        ["modelProviders"] if object.len() == 1 => {
            let mut ids: Vec<(&str, String)> = PROVIDER_KEYS
                .iter()
                .map(|k| (*k, format!("{k} protocol")))
                .collect();
            ids.extend(eff.provider_protocol.iter().filter_map(|(id, at)| {
                at.str().map(|p| (*id, format!("custom id, mapped to {p}")))
            }));
            let entry = if options.snippets {
                "[\n\t{\n\t\t\"id\": \"$1\",\n\t\t\"baseUrl\": \"$2\",\n\t\t\"envKey\": \"$3\"\n\t}\n]"
            } else {
                "[]"
            };
            for (id, detail) in ids {
                if absent(id) {
                    push(
                        id,
                        ItemKind::Module,
                        Some(detail),
                        Some("Model entries for this provider id.".into()),
                        entry.into(),
                        false,
                        "0",
                    );
                }
            }
            return out;
        }
        ["providerProtocol"] if object.len() == 1 => {
            for p in &eff.providers {
                if route_of(p.name, &[]).protocol().is_none()
                    && p.name != "qwen-oauth"
                    && absent(p.name)
                {
                    let value = if options.snippets {
                        "\"${1|openai,anthropic,gemini,vertex-ai|}\""
                    } else {
                        "\"openai\""
                    };
                    push(
                        p.name,
                        ItemKind::Module,
                        Some("custom provider id in modelProviders".into()),
                        None,
                        value.into(),
                        false,
                        "0",
                    );
                }
            }
            return out;
        }
        ["env"] if object.len() == 1 => {
            for (name, detail) in wanted_variables(eff) {
                if absent(&name) {
                    push(
                        &name,
                        ItemKind::Variable,
                        Some(detail),
                        None,
                        value_snippet(&[Type::String], None, options.snippets),
                        false,
                        "0",
                    );
                }
            }
            return out;
        }
        _ => {}
    }
    let Some(node) = catalog_node(object) else {
        return out;
    };
    let in_entry = keys.first() == Some(&"modelProviders");
    for (name, child) in cat.children(node) {
        let Some(key) = cat.key(child) else { continue };
        if key.legacy.is_some() || key.deprecated.is_some() || !absent(name) {
            continue;
        }
        let detail = Some(describe_type(key));
        let doc = key.description.clone();
        // Common fields first inside a model entry.
        let sort = match (in_entry, name) {
            (true, "id") => "0",
            (true, "name" | "baseUrl" | "envKey") => "1",
            _ => "2",
        };
        push(
            name,
            ItemKind::Property,
            detail,
            doc,
            value_snippet(&key.types, key.default.as_ref(), options.snippets),
            !in_entry,
            sort,
        );
    }
    out
}

fn describe_type(key: &crate::model::catalog::Key) -> String {
    let types: Vec<&str> = key.types.iter().map(|t| t.name()).collect();
    let mut s = types.join(" | ");
    if let Some(d) = &key.default {
        s.push_str(&format!(" = {d}"));
    }
    s
}

/// Variables worth defining in settings `env`: the ones entries name, and the conventional ones
/// for their endpoints, with whether they are defined.
fn wanted_variables(eff: &Effective) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |name: String, why: String| {
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, why));
        }
    };
    for e in eff.usable_entries() {
        if let Some(k) = e
            .field_str("envKey")
            .filter(|k| crate::model::keys::is_valid_var_name(k))
        {
            let state = if eff.resolve(k).is_some() {
                "defined"
            } else {
                "not defined yet"
            };
            add(
                k.to_string(),
                format!("envKey of {} ({state})", e.id().unwrap_or("an entry")),
            );
        }
        if let Some(v) = variable_for(e.base_url()) {
            add(v.to_string(), format!("conventional for {}", e.base_url()));
        }
    }
    out
}

fn item(
    label: String,
    kind: ItemKind,
    detail: Option<String>,
    range: &std::ops::Range<usize>,
    new_text: String,
    sort: String,
    generic: bool,
) -> Completion {
    Completion {
        filter: Some(new_text.clone()),
        label,
        kind,
        detail,
        documentation: None,
        edit: Edit {
            range: range.clone(),
            new_text,
        },
        snippet: false,
        sort: Some(sort),
        generic,
    }
}

/// The model entry at `path` (`modelProviders.<key>[i]…`) in the effective view.
fn entry_at<'a>(eff: &'a Effective<'a>, path: &[Seg]) -> Option<&'a Entry<'a>> {
    let (Some(Seg::Key(root)), Some(Seg::Key(key)), Some(Seg::Index(i))) =
        (path.first(), path.get(1), path.get(2))
    else {
        return None;
    };
    if root != "modelProviders" {
        return None;
    }
    let provider = eff
        .providers
        .iter()
        .find(|p| p.name == key && eff.is_target(p.at.file))?;
    provider.entries.get(*i)
}

fn values(
    eff: &Effective,
    path: &[Seg],
    range: std::ops::Range<usize>,
    options: Options,
) -> Vec<Completion> {
    let keys = path_keys(path);
    let mut out = Vec::new();
    let text = |s: &str| json_str(s);
    match keys.as_slice() {
        ["security", "auth", "selectedType"] => {
            for t in AUTH_TYPES {
                let n = eff.candidates(t).len();
                let (detail, sort) = match (n, t) {
                    (_, "qwen-oauth") => ("free tier discontinued on 2026-04-15".to_string(), "9"),
                    (0, _) => ("no model entries".to_string(), "5"),
                    (n, _) => (format!("{n} model(s)"), "0"),
                };
                out.push(item(
                    t.to_string(),
                    ItemKind::Enum,
                    Some(detail),
                    &range,
                    text(t),
                    format!("{sort}{t}"),
                    false,
                ));
            }
        }
        ["model", "name"] => {
            let auth = eff.selected_type.and_then(|a| a.str());
            let entries: Vec<&Entry> = match auth {
                Some(t) if AUTH_TYPES.contains(&t) => eff.candidates(t),
                _ => eff.usable_entries().collect(),
            };
            let mut seen = Vec::new();
            for (i, e) in entries.iter().enumerate() {
                let Some(id) = e.id() else { continue };
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id);
                let name = e.field_str("name").unwrap_or(id);
                let detail = format!(
                    "{name} · {}",
                    if e.base_url().is_empty() {
                        "default base URL"
                    } else {
                        e.base_url()
                    }
                );
                out.push(item(
                    id.to_string(),
                    ItemKind::Value,
                    Some(detail),
                    &range,
                    text(id),
                    format!("{i:04}"),
                    false,
                ));
            }
        }
        ["model", "baseUrl"] => {
            let name = eff.model_name.and_then(|at| at.str());
            for e in eff
                .usable_entries()
                .filter(|e| e.id() == name && !e.base_url().is_empty())
            {
                out.push(item(
                    e.base_url().to_string(),
                    ItemKind::Value,
                    e.id().map(str::to_string),
                    &range,
                    text(e.base_url()),
                    "0".into(),
                    false,
                ));
            }
        }
        ["providerProtocol", _] => {
            for p in Protocol::ALL {
                out.push(item(
                    p.name().to_string(),
                    ItemKind::Enum,
                    None,
                    &range,
                    text(p.name()),
                    p.name().into(),
                    false,
                ));
            }
        }
        ["modelProviders", key, "envKey"] if path.len() == 4 => {
            let entry = entry_at(eff, path);
            let protocol = route_of(key, &eff.provider_protocol).protocol();
            let mut names: Vec<(String, String, &str)> = Vec::new();
            let mut add = |n: &str, d: String, sort: &'static str| {
                if !names.iter().any(|(x, _, _)| x == n) {
                    names.push((n.to_string(), d, sort));
                }
            };
            if let Some(v) = entry.and_then(|e| variable_for(e.base_url())) {
                add(
                    v,
                    format!("conventional for this endpoint{}", defined(eff, v)),
                    "0",
                );
            }
            for (k, _) in &eff.env {
                add(k, format!("in settings env{}", defined(eff, k)), "1");
            }
            for f in &eff.chain.dotenv {
                for v in &f.vars {
                    add(
                        &v.name,
                        format!(
                            "in {}",
                            crate::model::display_path(&f.path, eff.chain.env.home())
                        ),
                        "1",
                    );
                }
            }
            if let Some(d) = protocol.and_then(Protocol::default_key_variable) {
                add(
                    d,
                    format!(
                        "the {} default{}",
                        protocol.map_or("", Protocol::name),
                        defined(eff, d)
                    ),
                    "2",
                );
            }
            for (n, d, sort) in names {
                out.push(item(
                    n.clone(),
                    ItemKind::Variable,
                    Some(d),
                    &range,
                    text(&n),
                    format!("{sort}{n}"),
                    false,
                ));
            }
        }
        ["modelProviders", key, "baseUrl"] if path.len() == 4 => {
            let protocol = route_of(key, &eff.provider_protocol)
                .protocol()
                .unwrap_or(Protocol::OpenAi);
            for (i, e) in ENDPOINTS
                .iter()
                .enumerate()
                .filter(|(_, e)| e.protocol == protocol)
            {
                let mut parts = vec![e.provider.name().to_string()];
                parts.extend(e.region.map(str::to_string));
                if e.plan != Plan::Standard {
                    parts.push(e.plan.label().to_string());
                }
                parts.push(match e.protocol {
                    Protocol::Anthropic => "Anthropic-compatible".into(),
                    Protocol::Gemini => "Gemini".into(),
                    _ => "OpenAI-compatible".into(),
                });
                out.push(item(
                    e.url.to_string(),
                    ItemKind::Value,
                    Some(parts.join(" · ")),
                    &range,
                    text(e.url),
                    format!("{i:03}"),
                    false,
                ));
            }
        }
        ["modelProviders", _, "id"] if path.len() == 4 => {
            let base = entry_at(eff, path).map(|e| e.base_url()).unwrap_or("");
            for (i, id) in model_hints(base).iter().enumerate() {
                out.push(item(
                    id.to_string(),
                    ItemKind::Value,
                    Some("hint: a model id this endpoint serves (not an allow-list)".into()),
                    &range,
                    text(id),
                    format!("{i:03}"),
                    false,
                ));
            }
        }
        ["modelProviders", _] if matches!(path.last(), Some(Seg::Index(_))) && range.is_empty() => {
            let snippet = if options.snippets {
                "{\n\t\"id\": \"$1\",\n\t\"name\": \"$2\",\n\t\"baseUrl\": \"$3\",\n\t\"envKey\": \"$4\"\n}"
            } else {
                "{ \"id\": \"\", \"name\": \"\", \"baseUrl\": \"\", \"envKey\": \"\" }"
            };
            out.push(Completion {
                label: "model entry".into(),
                kind: ItemKind::Snippet,
                detail: Some("{ id, name, baseUrl, envKey }".into()),
                documentation: Some("A model entry: `id` is sent as the model, `envKey` names the variable holding the key.".into()),
                edit: Edit {
                    range: range.clone(),
                    new_text: snippet.into(),
                },
                snippet: options.snippets,
                filter: None,
                sort: Some("0".into()),
                generic: false,
            });
        }
        _ => {}
    }
    if !out.is_empty() {
        return out;
    }
    // Generic: the catalog's enum values and booleans.
    let cat = catalog();
    let Some(key) = catalog_node(path).and_then(|n| cat.key(n)) else {
        return out;
    };
    for (i, v) in key.enum_values.iter().enumerate() {
        let label = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        out.push(item(
            label,
            ItemKind::Enum,
            None,
            &range,
            v.to_string(),
            format!("{i:03}"),
            true,
        ));
    }
    if key.enum_values.is_empty() && key.types.contains(&Type::Boolean) {
        for b in ["true", "false"] {
            out.push(item(
                b.into(),
                ItemKind::Value,
                None,
                &range,
                b.into(),
                b.into(),
                true,
            ));
        }
    }
    out
}

fn defined(eff: &Effective, name: &str) -> String {
    match eff.resolve(name) {
        Some(r) => format!(", set ({})", eff.describe_source(r.source)),
        None => ", not set".into(),
    }
}

/// Model ids an endpoint is known to serve (providers.md §10, §1.4, §2, §3): hints only.
fn model_hints(base_url: &str) -> &'static [&'static str] {
    let host = parse_url(base_url).map(|p| p.host).unwrap_or_default();
    if let Some(ds) = dashscope_host(&host) {
        return match ds.plan() {
            Plan::CodingPlan => &[
                "qwen3.5-plus",
                "qwen3.6-plus",
                "qwen3.7-plus",
                "qwen3-coder-plus",
                "qwen3-coder-next",
                "qwen3-max-2026-01-23",
                "glm-5",
                "glm-4.7",
                "kimi-k2.5",
                "MiniMax-M2.5",
            ],
            Plan::TokenPlan => &[
                "qwen3.7-plus",
                "qwen3.6-plus",
                "qwen3.7-max",
                "qwen3.8-max-preview",
                "qwen3.6-flash",
                "deepseek-v4-pro",
                "deepseek-v4-flash",
                "deepseek-v3.2",
                "kimi-k2.7-code",
                "kimi-k2.6",
                "kimi-k2.5",
                "glm-5.2",
                "glm-5.1",
                "glm-5",
                "MiniMax-M2.5",
            ],
            _ => &[
                "qwen3-coder-plus",
                "qwen3-coder-flash",
                "qwen3-max",
                "qwen3.6-plus",
                "qwen3.7-plus",
                "qwen3.7-max",
                "qwen3.5-plus",
                "qwen-plus",
                "qwen-flash",
                "qwen-turbo",
                "qwen3-coder-next",
                "glm-5.1",
                "kimi-k2.6",
                "deepseek-v4-pro",
            ],
        };
    }
    match provider_for(base_url) {
        Some(crate::model::endpoints::Provider::OpenRouter) => &[
            "qwen/qwen3-coder:free",
            "qwen/qwen3-coder",
            "qwen/qwen3-max",
            "z-ai/glm-4.5-air:free",
            "openai/gpt-oss-120b:free",
            "openrouter/auto",
        ],
        Some(crate::model::endpoints::Provider::ModelScope) => &[
            "Qwen/Qwen3.5-397B-A17B",
            "Qwen/Qwen3-Coder-480B-A35B-Instruct",
            "deepseek-ai/DeepSeek-V4-Flash",
            "ZhipuAI/GLM-5.1",
        ],
        Some(crate::model::endpoints::Provider::DeepSeek) => {
            &["deepseek-chat", "deepseek-reasoner"]
        }
        Some(crate::model::endpoints::Provider::Anthropic) => {
            &["claude-sonnet-4-20250514", "claude-opus-4-20250514"]
        }
        Some(crate::model::endpoints::Provider::Google) => &["gemini-2.5-pro", "gemini-2.5-flash"],
        _ => &[],
    }
}
