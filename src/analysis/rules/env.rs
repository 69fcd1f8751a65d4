//! Which value wins: `envkey-unresolved`, `env-shadowed`, `env-value-not-string`,
//! `unresolved-variable`, `literal-secret`.

use crate::analysis::edit::{fix, remove_item, replace};
use crate::analysis::{Diagnostic, Severity, closest, json_str};
use crate::model::keys;
use crate::model::{Effective, Entry, Origin, ScopeKind, Source, excluded, has_reference};
use crate::syntax::{Node, NodeKind};

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    envkey_unresolved(eff, out);
    settings_env(eff, out);
    if let Some(root) = eff.target().root() {
        unresolved_variables(eff, root, &mut Vec::new(), out);
        literal_secrets(eff, root, &mut Vec::new(), out);
    }
}

/// Where the CLI looks for a variable, for messages.
fn places(eff: &Effective) -> String {
    let mut places = vec![format!(
        "exported variables ({})",
        eff.chain.env.where_exported().trim_start_matches("in ")
    )];
    places.extend(
        eff.chain
            .dotenv
            .iter()
            .map(|f| crate::model::display_path(&f.path, eff.chain.env.home())),
    );
    if eff.chain.dotenv.is_empty() {
        places.push("no .env file (none found)".into());
    }
    places.push("settings \"env\"".into());
    places.join(", ")
}

fn envkey_unresolved(eff: &Effective, out: &mut Vec<Diagnostic>) {
    let entries: Vec<&Entry> = eff
        .usable_entries()
        .filter(|e| eff.is_target(e.file))
        .collect();
    for entry in entries {
        let Some(member) = entry.field("envKey") else {
            continue;
        };
        let Some(value) = &member.value else { continue };
        let Some(key) = eff.key_info(entry) else {
            continue;
        };
        // A pasted key or an invalid name has its own rule.
        if key.resolved.is_some() || !key.valid_name {
            continue;
        }
        let then = match key.fallback {
            Some((default, r)) => format!(
                "so Qwen Code falls back to {default} ({}, from {}) and sends that key instead",
                keys::mask(r.value),
                eff.describe_source(r.source)
            ),
            None => format!(
                "so Qwen Code stops with \"Missing API key … Set the '{}' environment variable\"",
                key.variable
            ),
        };
        let mut d = Diagnostic::new(
            "envkey-unresolved",
            Severity::Warning,
            value.range.clone(),
            format!(
                "{} is not defined in any place Qwen Code looks ({}), {then}.",
                key.variable,
                places(eff)
            ),
        );
        // A near-miss of a defined variable is most likely a typo.
        let mut defined: Vec<&str> = eff.env.iter().map(|(k, _)| *k).collect();
        defined.extend(
            eff.chain
                .dotenv
                .iter()
                .flat_map(|f| f.vars.iter().map(|v| v.name.as_str())),
        );
        defined.extend(
            eff.chain
                .env
                .vars
                .keys()
                .map(String::as_str)
                .filter(|k| k.contains("KEY") || k.contains("TOKEN")),
        );
        if let Some(near) = closest(&key.variable, defined).filter(|n| *n != key.variable)
            && !has_reference(value.as_str().unwrap_or(""))
        {
            d = d.fix(Some(fix(
                format!("Use the defined variable {near}"),
                vec![replace(value.range.clone(), json_str(near))],
            )));
        }
        out.push(d);
    }
}

fn settings_env(eff: &Effective, out: &mut Vec<Diagnostic>) {
    let file = eff.target();
    let Some(env) = file.root().and_then(|r| r.get("env")) else {
        return;
    };
    let Some(obj) = env.as_object() else { return };
    for (index, member) in obj.members.iter().enumerate() {
        let Some(value) = &member.value else { continue };
        let name = member.key.text.as_str();
        let Some(text) = value.as_str() else {
            let literal = &file.text[value.range.clone()];
            let quotable = matches!(value.kind, NodeKind::Number(_) | NodeKind::Bool(_));
            out.push(
                Diagnostic::new(
                    "env-value-not-string",
                    Severity::Error,
                    value.range.clone(),
                    format!(
                        "env.{name} is {}, and Qwen Code ignores non-string env values without a word.",
                        value.type_name()
                    ),
                )
                .fix(quotable.then(|| fix(format!("Quote it: \"{literal}\""), vec![replace(value.range.clone(), json_str(literal))]))),
            );
            continue;
        };
        if text.is_empty() || excluded(name, Origin::Settings) {
            continue;
        }
        // The settings value only fills a gap: an exported or .env value wins.
        let Some(winner) = eff.resolve(name) else {
            continue;
        };
        let (severity, place) = match winner.source {
            Source::Exported => (
                Severity::Information,
                format!("is exported {}", eff.chain.env.where_exported()),
            ),
            Source::DotEnv(i) => (
                Severity::Warning,
                format!(
                    "is set in {}",
                    crate::model::display_path(&eff.chain.dotenv[i].path, eff.chain.env.home())
                ),
            ),
            Source::Settings(_) => continue,
        };
        let masked = if keys::secret(winner.value).is_some()
            || name.contains("KEY")
            || name.contains("TOKEN")
            || name.contains("SECRET")
        {
            keys::mask(winner.value)
        } else {
            winner.value.to_string()
        };
        out.push(
            Diagnostic::new(
                "env-shadowed",
                severity,
                value.range.clone(),
                format!(
                    "This value is never used: {name} {place} ({masked}), which Qwen Code uses instead, since settings \"env\" only fills variables that are not set."
                ),
            )
            .fix(remove_item(&file.text, env, index).map(|e| fix(format!("Remove the unused env.{name}"), vec![e]))),
        );
    }
}

/// The CLI's reference syntax: `$NAME` (word characters) or `${…}`.
fn references(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        if let Some(braced) = after.strip_prefix('{') {
            if let Some(end) = braced.find('}').filter(|e| *e > 0) {
                out.push(&braced[..end]);
                rest = &braced[end + 1..];
                continue;
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if end > 0 {
                out.push(&after[..end]);
                rest = &after[end..];
                continue;
            }
        }
        rest = after;
    }
    out
}

/// Settings whose strings the CLI uses for models and auth.
const INTERPOLATED_ROOTS: [&str; 6] = [
    "modelProviders",
    "env",
    "security",
    "model",
    "providerProtocol",
    "proxy",
];

fn unresolved_variables<'n>(
    eff: &Effective,
    node: &'n Node,
    path: &mut Vec<&'n str>,
    out: &mut Vec<Diagnostic>,
) {
    match &node.kind {
        NodeKind::Object(o) => {
            for m in &o.members {
                if path.is_empty() && !INTERPOLATED_ROOTS.contains(&m.key.text.as_str()) {
                    continue;
                }
                if let Some(v) = &m.value {
                    path.push(&m.key.text);
                    unresolved_variables(eff, v, path, out);
                    path.pop();
                }
            }
        }
        NodeKind::Array(a) => a
            .items
            .iter()
            .for_each(|i| unresolved_variables(eff, i, path, out)),
        NodeKind::String(s) => {
            let in_headers = path.contains(&"customHeaders");
            let missing: Vec<&str> = references(s)
                .into_iter()
                .filter(|name| !(in_headers && *name == "session_id"))
                .filter(|name| eff.resolve(name).is_none())
                .collect();
            if let Some(first) = missing.first() {
                out.push(Diagnostic::new(
                    "unresolved-variable",
                    Severity::Warning,
                    node.range.clone(),
                    format!(
                        "${{{first}}} is not defined in any place Qwen Code looks ({}): the CLI sends the text \"${{{first}}}\" as it is.",
                        places(eff)
                    ),
                ));
            }
        }
        _ => {}
    }
}

fn literal_secrets(
    eff: &Effective,
    node: &Node,
    path: &mut Vec<String>,
    out: &mut Vec<Diagnostic>,
) {
    match &node.kind {
        NodeKind::Object(o) => {
            for m in &o.members {
                // envKey has its own rule (envkey-literal-secret)
                if m.key.text == "envKey" {
                    continue;
                }
                if let Some(v) = &m.value {
                    path.push(if path.is_empty() {
                        m.key.text.clone()
                    } else {
                        format!(".{}", m.key.text)
                    });
                    literal_secrets(eff, v, path, out);
                    path.pop();
                }
            }
        }
        NodeKind::Array(a) => {
            for (i, item) in a.items.iter().enumerate() {
                path.push(format!("[{i}]"));
                literal_secrets(eff, item, path, out);
                path.pop();
            }
        }
        NodeKind::String(s) if !has_reference(s) => {
            // The whole value, or one word of it ("Bearer sk-…").
            let Some(secret) = std::iter::once(s.as_str())
                .chain(s.split_whitespace())
                .find(|w| keys::secret(w).is_some())
            else {
                return;
            };
            let what = path.concat();
            let (severity, message) = if eff.target().kind == ScopeKind::Workspace {
                (
                    Severity::Warning,
                    format!(
                        "{what} holds what looks like an API key ({}) in a workspace settings file, which is usually committed: keep it in .qwen/.env, which Qwen Code also loads.",
                        keys::mask(secret)
                    ),
                )
            } else {
                (
                    Severity::Information,
                    format!(
                        "{what} holds what looks like an API key ({}) in plain text: Qwen Code also loads ~/.qwen/.env, which keeps keys out of the settings file.",
                        keys::mask(secret)
                    ),
                )
            };
            out.push(Diagnostic::new(
                "literal-secret",
                severity,
                node.range.clone(),
                message,
            ));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::references;

    #[test]
    fn finds_references_like_the_cli() {
        assert_eq!(
            references("a $A ${B.c} $ ${} $$D $_e9"),
            ["A", "B.c", "D", "_e9"]
        );
    }
}
