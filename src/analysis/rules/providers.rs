//! `modelProviders` and `providerProtocol`: `unknown-protocol-key`,
//! `unknown-provider-protocol`, `unused-provider-protocol`, `qwen-oauth-provider-ignored`,
//! `providers-not-array`, `empty-model-providers`, `missing-model-id`, `duplicate-model`.

use crate::analysis::edit::{fix, remove_item, replace, set_member};
use crate::analysis::{Diagnostic, Fix, Severity, closest, json_str};
use crate::model::{Effective, PROVIDER_KEYS, Protocol, Route, ScopeKind, is_legacy_wrapper};
use crate::syntax::{Member, Node, NodeKind};
use rustc_hash::FxHashMap as HashMap;

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    let file = eff.target();
    if let Some(providers) = file.member(&["modelProviders"]) {
        model_providers(eff, providers, out);
    }
    if let Some(mappings) = file.root().and_then(|r| r.get("providerProtocol")) {
        if let Some(obj) = mappings.as_object() {
            for m in &obj.members {
                provider_protocol(eff, m, out);
            }
        }
    }
    duplicate_models(eff, out);
}

fn model_providers(eff: &Effective, providers: &Member, out: &mut Vec<Diagnostic>) {
    let file = eff.target();
    let Some(obj) = providers.value.as_ref().and_then(Node::as_object) else {
        return;
    };
    if obj.members.is_empty() && file.kind == ScopeKind::Workspace {
        out.push(
            Diagnostic::new(
                "empty-model-providers",
                Severity::Warning,
                providers.key.range(),
                "An empty \"modelProviders\" in a workspace file has no effect: the user's providers still apply, and Qwen Code prints a warning about it at every start.",
            )
            .fix(remove_member_fix(eff, &["modelProviders"], "Remove the empty modelProviders")),
        );
    }
    let versioned = file
        .version()
        .and_then(|m| m.value.as_ref())
        .is_some_and(|v| v.kind == NodeKind::Number("4".into()));
    for member in &obj.members {
        let name = member.key.text.as_str();
        let count = member
            .value
            .as_ref()
            .and_then(Node::as_array)
            .map_or(0, |a| a.items.len());
        let route = crate::model::route_of(name, &eff.provider_protocol);
        match &route {
            Route::Unknown => out.push(unknown_protocol_key(eff, obj, member, count)),
            Route::QwenOAuth => out.push(Diagnostic::new(
                "qwen-oauth-provider-ignored",
                Severity::Warning,
                member.key.range(),
                "Entries under \"qwen-oauth\" are ignored without a word: Qwen OAuth models are built in (coder-model).",
            )),
            Route::Mapped {
                protocol: Protocol::QwenOAuth,
                via,
            } => out.push(Diagnostic::new(
                "qwen-oauth-provider-ignored",
                Severity::Warning,
                member.key.range(),
                format!(
                    "providerProtocol maps {} to \"qwen-oauth\"{}, whose models are built in: Qwen Code ignores these {count} model(s).",
                    json_str(name),
                    eff.where_(via.file)
                ),
            )),
            Route::MappedUnknown { via } if !eff.is_target(via.file) => out.push(Diagnostic::new(
                "unknown-provider-protocol",
                Severity::Error,
                member.key.range(),
                format!(
                    "providerProtocol maps {} to something that is not a protocol{}: Qwen Code ignores these {count} model(s).",
                    json_str(name),
                    eff.where_(via.file)
                ),
            ).related(via.file, via.value_range(), "the mapping")),
            _ => {}
        }
        let Some(value) = &member.value else { continue };
        if value.as_array().is_none() {
            out.push(not_array(eff, name, value, versioned));
            continue;
        }
        if let Some(protocol) = route.protocol() {
            for item in &value.as_array().unwrap().items {
                missing_id(protocol, item, out);
            }
        }
    }
}

/// Where an unknown key most likely meant to go.
fn suggest_protocol(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.contains("claude") || lower.contains("anthropic") {
        return "anthropic";
    }
    if lower.contains("vertex") {
        return "vertex-ai";
    }
    if lower.contains("gemini") || lower.contains("google") {
        return "gemini";
    }
    closest(name, PROVIDER_KEYS).map_or("openai", |c| {
        PROVIDER_KEYS
            .into_iter()
            .find(|k| *k == c)
            .unwrap_or("openai")
    })
}

fn unknown_protocol_key(
    eff: &Effective,
    obj: &crate::syntax::Object,
    member: &Member,
    count: usize,
) -> Diagnostic {
    let name = member.key.text.as_str();
    let suggestion = suggest_protocol(name);
    let mut d = Diagnostic::new(
        "unknown-protocol-key",
        Severity::Error,
        member.key.range(),
        format!(
            "{} is not a protocol Qwen Code knows (openai, anthropic, gemini, vertex-ai) and has no providerProtocol mapping: its {count} model(s) are ignored; did you mean \"{suggestion}\"?",
            json_str(name)
        ),
    );
    if obj.member(suggestion).is_none() {
        d = d.fix(Some(fix(
            format!("Rename to \"{suggestion}\""),
            vec![replace(member.key.range(), json_str(suggestion))],
        )));
    }
    d.fix(
        set_member(
            eff.target(),
            &["providerProtocol", name],
            serde_json::json!(suggestion),
        )
        .map(|e| {
            fix(
                format!(
                    "Map {} to \"{suggestion}\" in providerProtocol",
                    json_str(name)
                ),
                e,
            )
        }),
    )
}

fn not_array(eff: &Effective, name: &str, value: &Node, versioned: bool) -> Diagnostic {
    let text = &eff.target().text;
    let key = json_str(name);
    if is_legacy_wrapper(value) {
        let models = value.get("models").expect("wrapper has models");
        let unwrap = fix(
            "Unwrap the legacy { protocol, models } wrapper",
            vec![replace(value.range(), &text[models.range()])],
        );
        let (severity, message) = if versioned {
            (
                Severity::Error,
                format!(
                    "The legacy {{ \"protocol\", \"models\" }} wrapper under {key} is skipped in a \"$version\": 4 file: Qwen Code ignores these models."
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "The legacy {{ \"protocol\", \"models\" }} wrapper under {key} will be migrated to a plain array when Qwen Code next rewrites this file."
                ),
            )
        };
        return Diagnostic::new("providers-not-array", severity, value.range(), message)
            .fix(Some(unwrap));
    }
    let wrap = (value.as_object().is_some() && value.get("id").is_some()).then(|| {
        fix(
            "Wrap the entry in [ ]",
            vec![
                replace(value.range().start..value.range().start, "["),
                replace(value.range().end..value.range().end, "]"),
            ],
        )
    });
    let message = if value.as_object().is_some() && !versioned {
        format!(
            "{key} must be an array of model entries: without \"$version\": 4, Qwen Code's migration rewrites this object to [] and the entry is lost."
        )
    } else {
        format!(
            "{key} must be an array of model entries, not {}: Qwen Code skips it and its models are ignored.",
            value.type_name()
        )
    };
    Diagnostic::new(
        "providers-not-array",
        Severity::Error,
        value.range(),
        message,
    )
    .fix(wrap)
}

fn missing_id(protocol: Protocol, item: &Node, out: &mut Vec<Diagnostic>) {
    let crash = format!(
        "Qwen Code stops at startup with \"Model config in authType '{}' missing required field: id\"",
        protocol.name()
    );
    match item.as_object() {
        None => out.push(Diagnostic::new(
            "missing-model-id",
            Severity::Error,
            item.range(),
            format!(
                "A model entry must be an object with an \"id\", not {}: {crash}.",
                item.type_name()
            ),
        )),
        Some(obj) => match obj.member("id").and_then(|m| m.value.as_ref()) {
            Some(v) if v.as_str().is_some() => {}
            Some(v) => out.push(Diagnostic::new(
                "missing-model-id",
                Severity::Error,
                item.open_range(),
                format!(
                    "The model \"id\" must be a string, not {}: {crash}.",
                    v.type_name()
                ),
            )),
            None => out.push(Diagnostic::new(
                "missing-model-id",
                Severity::Error,
                item.open_range(),
                format!("This model entry has no \"id\": {crash}."),
            )),
        },
    }
}

fn provider_protocol(eff: &Effective, m: &Member, out: &mut Vec<Diagnostic>) {
    let id = m.key.text.as_str();
    let Some(value) = &m.value else { return };
    let models = eff
        .providers
        .iter()
        .find(|p| p.name == id)
        .map(|p| p.entries.len());
    match value.as_str().and_then(Protocol::from_name) {
        Some(Protocol::QwenOAuth) => out.push(Diagnostic::new(
            "qwen-oauth-provider-ignored",
            Severity::Warning,
            value.range(),
            format!(
                "Mapping {} to \"qwen-oauth\" makes Qwen Code ignore its {} model(s): Qwen OAuth models are built in.",
                json_str(id),
                models.unwrap_or(0)
            ),
        )),
        Some(_) => {}
        None => {
            let names: Vec<&str> = Protocol::ALL.iter().map(|p| p.name()).collect();
            let suggestion = value.as_str().and_then(|v| closest(v, names.iter().copied()));
            let mut d = Diagnostic::new(
                "unknown-provider-protocol",
                Severity::Error,
                value.range(),
                format!(
                    "providerProtocol[{}] must be one of openai, anthropic, gemini, vertex-ai, qwen-oauth: Qwen Code ignores its {} model(s){}",
                    json_str(id),
                    models.unwrap_or(0),
                    suggestion.map_or_else(|| ".".to_string(), |s| format!("; did you mean \"{s}\"?"))
                ),
            );
            let choices = suggestion.map_or_else(|| vec!["openai", "anthropic"], |s| vec![s]);
            for c in choices {
                d = d.fix(Some(fix(format!("Change to \"{c}\""), vec![replace(value.range(), json_str(c))])));
            }
            out.push(d);
        }
    }
    if models.is_none() && Protocol::from_name(id).is_none() {
        out.push(
            Diagnostic::new(
                "unused-provider-protocol",
                Severity::Hint,
                m.key.range(),
                format!(
                    "No modelProviders key {} exists, so this mapping has no effect.",
                    json_str(id)
                ),
            )
            .fix(remove_member_fix(
                eff,
                &["providerProtocol", id],
                "Remove the unused mapping",
            )),
        );
    }
}

fn duplicate_models(eff: &Effective, out: &mut Vec<Diagnostic>) {
    // A model's identity: protocol, id, baseUrl and wireApi (qwen-code.md §3.4).
    let mut seen: HashMap<(Protocol, &str, &str, Option<&str>), &crate::model::Entry> =
        HashMap::default();
    for entry in eff.usable_entries() {
        let (Some(protocol), Some(id)) = (entry.protocol, entry.id()) else {
            continue;
        };
        let identity = (protocol, id, entry.base_url(), entry.wire_api());
        match seen.get(&identity).copied() {
            Some(first) if eff.is_target(entry.file) => {
                let base = if entry.base_url().is_empty() {
                    "no baseUrl".to_string()
                } else {
                    format!("baseUrl {}", json_str(entry.base_url()))
                };
                let provider = eff.providers.iter().find(|p| {
                    p.at.file == entry.file
                        && p.entries.iter().any(|e| std::ptr::eq(e.node, entry.node))
                });
                let removal = provider.and_then(|p| {
                    let arr = p.at.value()?;
                    let index = p
                        .entries
                        .iter()
                        .position(|e| std::ptr::eq(e.node, entry.node))?;
                    remove_item(&eff.target().text, arr, index)
                });
                out.push(
                    Diagnostic::new(
                        "duplicate-model",
                        Severity::Warning,
                        entry.node.open_range(),
                        format!(
                            "Model {} with {base} is already defined for protocol \"{}\"{}: Qwen Code uses the first one, so this entry (and its envKey) is never used.",
                            json_str(id),
                            protocol.name(),
                            eff.where_(first.file),
                        ),
                    )
                    .related(first.file, first.node.open_range(), "first definition, which wins")
                    .fix(removal.map(|e| fix("Remove this duplicate entry", vec![e]))),
                );
            }
            Some(_) => {}
            None => {
                seen.insert(identity, entry);
            }
        }
    }
}

fn remove_member_fix(eff: &Effective, path: &[&str], title: &str) -> Option<Fix> {
    let file = eff.target();
    let (last, parents) = path.split_last()?;
    let parent = file.root()?.get_path(parents)?;
    let index = parent
        .as_object()?
        .members
        .iter()
        .rposition(|m| m.key.text == *last)?;
    remove_item(&file.text, parent, index).map(|e| fix(title, vec![e]))
}
