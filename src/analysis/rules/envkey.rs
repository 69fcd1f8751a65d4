//! `envKey`: `envkey-literal-secret`, `envkey-invalid-name`, `envkey-missing`.

use crate::analysis::edit::{fix, insert_member, replace, set_member};
use crate::analysis::{Diagnostic, Fix, Severity, json_str};
use crate::model::endpoints::variable_for;
use crate::model::keys::{self, Secret};
use crate::model::{Effective, Entry, Protocol, has_reference};

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    let entries = eff.target_entries();
    for entry in entries {
        let Some(protocol) = entry.protocol else {
            continue;
        };
        let default = protocol.default_key_variable().unwrap_or("OPENAI_API_KEY");
        let Some(member) = entry.field("envKey") else {
            let reads = if protocol == Protocol::VertexAi {
                format!("{default} (or Application Default Credentials)")
            } else {
                default.to_string()
            };
            let conventional = conventional_variable(entry, None, protocol);
            out.push(
                Diagnostic::new(
                    "envkey-missing",
                    Severity::Information,
                    entry.node.open_range(),
                    format!("This entry has no \"envKey\": Qwen Code reads its key from {reads}."),
                )
                .fix(add_env_key(eff, entry, conventional)),
            );
            continue;
        };
        let Some(value) = &member.value else { continue };
        let Some(raw) = value.as_str() else {
            out.push(Diagnostic::new(
                "envkey-invalid-name",
                Severity::Error,
                value.range(),
                format!(
                    "\"envKey\" must be the name of an environment variable, not {}: Qwen Code finds no key for this model.",
                    value.type_name()
                ),
            ));
            continue;
        };
        let interpolated = has_reference(raw);
        let Some(name) = eff.interpolate(raw) else {
            continue; // unresolved references are not judged
        };
        if let Some(kind) = keys::secret(&name) {
            let what = match kind {
                Secret::Known { provider, .. } if !provider.is_empty() => {
                    format!("an API key ({provider}, {})", keys::mask(&name))
                }
                _ => format!("an API key ({})", keys::mask(&name)),
            };
            let variable = conventional_variable(entry, Some(kind), protocol);
            let mut d = Diagnostic::new(
                "envkey-literal-secret",
                Severity::Error,
                value.range(),
                format!(
                    "\"envKey\" must name an environment variable, but it holds what looks like {what}: Qwen Code looks for a variable with that name and, if {default} is set, silently sends that key to this model's endpoint instead."
                ),
            );
            if !interpolated {
                d = d.fix(move_secret_fix(eff, value.range(), &name, variable));
            }
            out.push(d);
        } else if !keys::is_valid_var_name(&name) {
            let suggestion = sanitize(&name);
            let mut d = Diagnostic::new(
                "envkey-invalid-name",
                Severity::Error,
                value.range(),
                format!(
                    "\"envKey\" {} is not a valid environment variable name: no shell can export it, so Qwen Code finds no key under it unless settings \"env\" defines exactly that name.",
                    json_str(&name)
                ),
            );
            if !interpolated && !suggestion.is_empty() {
                let mut edits = vec![replace(value.range(), json_str(&suggestion))];
                if let Some(env_member) = eff.target().member(&["env", &name]) {
                    edits.push(replace(env_member.key.range(), json_str(&suggestion)));
                }
                d = d.fix(Some(fix(format!("Rename to {suggestion}"), edits)));
            }
            out.push(d);
        }
    }
}

/// The variable a key for this entry conventionally lives in: the base URL's provider, else
/// the key's provider, else the protocol's default.
fn conventional_variable(
    entry: &Entry,
    secret: Option<Secret>,
    protocol: Protocol,
) -> &'static str {
    if let Some(variable) = variable_for(entry.base_url()) {
        return variable;
    }
    if let Some(Secret::Known { variable, .. }) = secret
        && !variable.is_empty()
    {
        return variable;
    }
    protocol.default_key_variable().unwrap_or("OPENAI_API_KEY")
}

fn add_env_key(eff: &Effective, entry: &Entry, variable: &str) -> Option<Fix> {
    let edit = insert_member(
        &eff.target().text,
        entry.node,
        "envKey",
        &serde_json::json!(variable),
    )?;
    Some(fix(format!("Add \"envKey\": \"{variable}\""), vec![edit]))
}

/// Moves a literal key into settings `env` under `variable` and points `envKey` at it.
fn move_secret_fix(
    eff: &Effective,
    envkey_range: std::ops::Range<usize>,
    secret: &str,
    variable: &str,
) -> Option<Fix> {
    let file = eff.target();
    let mut name = variable.to_string();
    let mut n = 2;
    loop {
        match file.member(&["env", &name]).and_then(|m| m.value.as_ref()) {
            Some(v) if v.as_str() == Some(secret) => {
                // already there: only point envKey at it
                return Some(fix(
                    format!("Use the variable {name} (already in env)"),
                    vec![replace(envkey_range, json_str(&name))],
                ));
            }
            Some(_) => {
                name = format!("{variable}_{n}");
                n += 1;
            }
            None => break,
        }
    }
    let mut edits = set_member(file, &["env", &name], serde_json::json!(secret))?;
    edits.push(replace(envkey_range, json_str(&name)));
    Some(fix(
        format!("Move the key into env.{name} and set envKey to \"{name}\""),
        edits,
    ))
}

/// `my-key` → `MY_KEY`.
fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    }
}
