//! Which auth type and model the CLI picks: `unknown-auth-type`, `selected-type-missing`,
//! `selected-type-without-providers`, `qwen-oauth-discontinued`, `model-not-found`,
//! `model-name-missing`, `ambiguous-model`, `model-base-url-not-found`.

use crate::analysis::edit::{fix, replace, set_member};
use crate::analysis::{Diagnostic, Fix, Severity, closest, json_str};
use crate::model::{AUTH_TYPES, At, Effective, Entry, Protocol, Route};

const SELECTED_TYPE: [&str; 3] = ["security", "auth", "selectedType"];
const MODEL_NAME: [&str; 2] = ["model", "name"];
const MODEL_BASE_URL: [&str; 2] = ["model", "baseUrl"];
/// At most this many "set to …" actions per diagnostic.
const MAX_CHOICES: usize = 12;

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    if let Some(at) = eff.model_name
        && eff.is_target(at.file)
        && let Some(value) = at.value()
        && value.as_str().is_none()
    {
        out.push(Diagnostic::new(
            "model-not-found",
            Severity::Error,
            value.range(),
            format!(
                "model.name must be a model id string, not {}: Qwen Code crashes at startup with \"id.startsWith is not a function\".",
                value.type_name()
            ),
        ));
    }
    let Some(auth) = selected_type(eff, out) else {
        return;
    };
    let candidates = eff.candidates(auth);
    if candidates.is_empty() {
        return;
    }
    model(eff, auth, &candidates, out);
}

/// The protocol keys that have usable entries, as `selectedType` values, in order.
fn types_with_entries(eff: &Effective) -> Vec<&'static str> {
    let mut types: Vec<&'static str> = Vec::new();
    for e in eff.usable_entries() {
        let t = match e.key {
            crate::model::LEGACY_RESPONSES_KEY => "openai-responses",
            _ => e.protocol.map_or("openai", Protocol::name),
        };
        if !types.contains(&t) {
            types.push(t);
        }
    }
    types
}

fn set_type_fixes(eff: &Effective, types: &[&str]) -> Vec<Fix> {
    types
        .iter()
        .filter_map(|t| {
            set_member(eff.target(), &SELECTED_TYPE, serde_json::json!(t))
                .map(|e| fix(format!("Set selectedType to \"{t}\""), e))
        })
        .collect()
}

/// Checks `security.auth.selectedType`; returns it when models can be resolved against it.
fn selected_type<'a>(eff: &Effective<'a>, out: &mut Vec<Diagnostic>) -> Option<&'a str> {
    let types = types_with_entries(eff);
    let Some(at) = eff.selected_type else {
        if types.is_empty() {
            return None;
        }
        let file = eff.target();
        let anchor = file
            .member(&["security", "auth"])
            .or_else(|| file.member(&["security"]))
            .or_else(|| file.member(&["modelProviders"]))?;
        let mut d = Diagnostic::new(
            "selected-type-missing",
            Severity::Warning,
            anchor.key.range(),
            "modelProviders has entries but no security.auth.selectedType is set: non-interactive runs (qwen -p) stop with \"No auth type is selected\", and interactive runs open the auth dialog.",
        );
        d.fixes = set_type_fixes(eff, &types);
        out.push(d);
        return None;
    };
    let here = eff.is_target(at.file);
    let value = at.value()?;
    let Some(t) = value.as_str().filter(|t| AUTH_TYPES.contains(t)) else {
        if here {
            out.push(unknown_auth_type(eff, at, &types));
        }
        return None;
    };
    if t == "qwen-oauth" {
        if here {
            let mut d = Diagnostic::new(
                "qwen-oauth-discontinued",
                Severity::Warning,
                value.range(),
                "The Qwen OAuth free tier was discontinued on 2026-04-15: with selectedType \"qwen-oauth\", every run of Qwen Code exits with an error.",
            );
            d.fixes = set_type_fixes(eff, &types);
            out.push(d);
        }
        return None;
    }
    if eff.candidates(t).is_empty() && !types.is_empty() {
        if here {
            let fallback = Protocol::from_name(t)
                .and_then(Protocol::default_key_variable)
                .unwrap_or("OPENAI_API_KEY");
            let mut d = Diagnostic::new(
                "selected-type-without-providers",
                Severity::Warning,
                value.range(),
                format!(
                    "selectedType \"{t}\" has no model entries, while modelProviders has entries under {}: Qwen Code ignores those and falls back to {fallback}.",
                    types
                        .iter()
                        .map(|t| format!("\"{t}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            d.fixes = set_type_fixes(eff, &types);
            out.push(d);
        }
        return None;
    }
    Some(t)
}

fn unknown_auth_type(eff: &Effective, at: At, types: &[&str]) -> Diagnostic {
    let value = at.value().expect("checked by caller");
    let written = value.as_str();
    // A custom provider id is not accepted here even when mapped: suggest what it maps to.
    let mapped = written.and_then(
        |w| match crate::model::route_of(w, &eff.provider_protocol) {
            Route::Mapped { protocol, .. } if protocol != Protocol::QwenOAuth => {
                Some(protocol.name())
            }
            _ => None,
        },
    );
    let suggestion = mapped.or_else(|| written.and_then(|w| closest(w, AUTH_TYPES)));
    let what = match written {
        Some(w) => json_str(w),
        None => value.type_name().to_string(),
    };
    let hint = match (mapped, suggestion) {
        (Some(p), _) => {
            format!("; a custom provider id is not accepted here even when mapped, use \"{p}\".")
        }
        (None, Some(s)) => format!("; did you mean \"{s}\"?"),
        (None, None) => ".".to_string(),
    };
    let mut d = Diagnostic::new(
        "unknown-auth-type",
        Severity::Error,
        value.range(),
        format!(
            "security.auth.selectedType {what} is not an auth type (openai, openai-responses, anthropic, gemini, vertex-ai, qwen-oauth): Qwen Code crashes at startup with \"Cannot read properties of undefined\"{hint}"
        ),
    );
    let mut choices: Vec<&str> = suggestion.into_iter().collect();
    for t in types {
        if !choices.contains(t) {
            choices.push(t);
        }
    }
    for c in choices {
        d = d.fix(Some(fix(
            format!("Change to \"{c}\""),
            vec![replace(value.range(), json_str(c))],
        )));
    }
    d
}

fn describe(eff: &Effective, e: &Entry) -> String {
    let id = e.id().unwrap_or("");
    let url = e.base_url();
    let url = if url.is_empty() {
        String::new()
    } else {
        format!(" ({url})")
    };
    format!("{}{url}{}", json_str(id), eff.where_(e.file))
}

fn set_name_fixes(eff: &Effective, candidates: &[&Entry]) -> Vec<Fix> {
    let mut ids: Vec<&str> = Vec::new();
    for e in candidates {
        if let Some(id) = e.id()
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids.into_iter()
        .take(MAX_CHOICES)
        .filter_map(|id| {
            set_member(eff.target(), &MODEL_NAME, serde_json::json!(id))
                .map(|e| fix(format!("Set model.name to \"{id}\""), e))
        })
        .collect()
}

fn model(eff: &Effective, auth: &str, candidates: &[&Entry], out: &mut Vec<Diagnostic>) {
    let first = candidates[0];
    let Some(at) = eff.model_name else {
        let file = eff.target();
        if let Some(anchor) = file
            .member(&["model"])
            .or_else(|| file.member(&["modelProviders"]))
        {
            let mut d = Diagnostic::new(
                "model-name-missing",
                Severity::Information,
                anchor.key.range(),
                format!(
                    "No model.name is set: Qwen Code uses the first \"{auth}\" entry, {}.",
                    describe(eff, first)
                ),
            );
            d.fixes = set_name_fixes(eff, candidates);
            out.push(d);
        }
        return;
    };
    if !eff.is_target(at.file) {
        return;
    }
    let Some(value) = at.value() else { return };
    let Some(name) = value.as_str().and_then(|n| eff.interpolate(n)) else {
        return;
    };
    let matches: Vec<&&Entry> = candidates
        .iter()
        .filter(|e| e.id() == Some(name.as_str()))
        .collect();
    if matches.is_empty() {
        let elsewhere = eff
            .providers
            .iter()
            .find(|p| p.entries.iter().any(|e| e.id() == Some(name.as_str())));
        let note = match elsewhere {
            Some(p) if p.route.protocol().is_some() => format!(
                "; {} is defined under \"{}\", which selectedType \"{auth}\" does not use",
                json_str(&name),
                p.name
            ),
            Some(p) => format!(
                "; {} is only defined under \"{}\", whose models are ignored",
                json_str(&name),
                p.name
            ),
            None => String::new(),
        };
        let mut d = Diagnostic::new(
            "model-not-found",
            Severity::Error,
            value.range(),
            format!(
                "model.name {} matches no \"{auth}\" model id: Qwen Code silently uses the first entry, {}, instead{note}.",
                json_str(&name),
                describe(eff, first)
            ),
        );
        if let Some(p) = elsewhere
            && let Some(e) = p.entries.iter().find(|e| e.id() == Some(name.as_str()))
        {
            d = d.related(e.file, e.node.open_range(), "the entry with this id");
        }
        d.fixes = set_name_fixes(eff, candidates);
        out.push(d);
        return;
    }
    let mut urls: Vec<&str> = Vec::new();
    for e in &matches {
        if !urls.contains(&e.base_url()) {
            urls.push(e.base_url());
        }
    }
    match eff.model_base_url {
        None if urls.len() > 1 => {
            let mut d = Diagnostic::new(
                "ambiguous-model",
                Severity::Information,
                value.range(),
                format!(
                    "model.name {} matches {} entries with different baseUrls: Qwen Code uses the first, {}, unless model.baseUrl picks one.",
                    json_str(&name),
                    matches.len(),
                    describe(eff, matches[0])
                ),
            );
            for e in matches.iter().skip(1) {
                d = d.related(e.file, e.node.open_range(), "another entry with this id");
            }
            d.fixes = set_url_fixes(eff, &urls);
            out.push(d);
        }
        Some(url_at) if eff.is_target(url_at.file) => {
            let Some(url_value) = url_at.value() else {
                return;
            };
            let Some(url) = url_value.as_str() else {
                return;
            };
            if urls.contains(&url) {
                return;
            }
            let mut d = Diagnostic::new(
                "model-base-url-not-found",
                Severity::Warning,
                url_value.range(),
                format!(
                    "model.baseUrl matches no {} entry: Qwen Code warns \"Persisted model.baseUrl … no longer matches any provider\" and uses the first id match, {}.",
                    json_str(&name),
                    describe(eff, matches[0])
                ),
            );
            d.fixes = set_url_fixes(eff, &urls);
            out.push(d);
        }
        _ => {}
    }
}

fn set_url_fixes(eff: &Effective, urls: &[&str]) -> Vec<Fix> {
    urls.iter()
        .take(MAX_CHOICES)
        .filter_map(|u| {
            set_member(eff.target(), &MODEL_BASE_URL, serde_json::json!(u))
                .map(|e| fix(format!("Set model.baseUrl to {}", json_str(u)), e))
        })
        .collect()
}
