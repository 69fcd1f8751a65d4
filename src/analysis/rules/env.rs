//! Which value wins: `envkey-unresolved`, `env-shadowed`, `env-value-not-string`,
//! `unresolved-variable`, `literal-secret`.

use crate::analysis::edit::{fix, remove_item, replace};
use crate::analysis::{Diagnostic, Fix, Severity, closest, json_str};
use crate::model::keys;
use crate::model::{Effective, Origin, ScopeKind, Source, excluded, has_reference};
use crate::syntax::{Node, NodeKind};

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    envkey_unresolved(eff, out);
    settings_env(eff, out);
    if let Some(root) = eff.target().root() {
        unresolved_variables(eff, root, &mut Vec::new(), out);
        literal_secrets(eff, root, None, &mut Vec::new(), out);
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
    let entries = eff.target_entries();
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
            value.range(),
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
                vec![replace(value.range(), json_str(near))],
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
            let literal = &file.text[value.range()];
            let quotable = matches!(value.kind, NodeKind::Number(_) | NodeKind::Bool(_));
            out.push(
                Diagnostic::new(
                    "env-value-not-string",
                    Severity::Error,
                    value.range(),
                    format!(
                        "env.{name} is {}, and Qwen Code ignores non-string env values without a word.",
                        value.type_name()
                    ),
                )
                .fix(quotable.then(|| fix(format!("Quote it: \"{literal}\""), vec![replace(value.range(), json_str(literal))]))),
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
                value.range(),
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
        NodeKind::String(s) if s.contains('$') => {
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
                    node.range(),
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

/// A member of the settings `env` object: the object, the member's index and name.
type EnvMember<'n> = (&'n Node, usize, &'n str);

/// One step of the path to a value: a member name or an array index.
#[derive(Clone, Copy)]
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn literal_secrets<'n>(
    eff: &Effective,
    node: &'n Node,
    env_member: Option<EnvMember<'n>>,
    path: &mut Vec<Step<'n>>,
    out: &mut Vec<Diagnostic>,
) {
    match &node.kind {
        NodeKind::Object(o) => {
            let is_env = matches!(path.as_slice(), [Step::Key("env")]);
            for (i, m) in o.members.iter().enumerate() {
                // envKey has its own rule (envkey-literal-secret)
                if m.key.text == "envKey" {
                    continue;
                }
                if let Some(v) = &m.value {
                    path.push(Step::Key(&m.key.text));
                    let member = is_env.then_some((node, i, m.key.text.as_str()));
                    literal_secrets(eff, v, member, path, out);
                    path.pop();
                }
            }
        }
        NodeKind::Array(a) => {
            for (i, item) in a.items.iter().enumerate() {
                path.push(Step::Index(i));
                literal_secrets(eff, item, None, path, out);
                path.pop();
            }
        }
        NodeKind::String(s) if !has_reference(s) => {
            // The whole value, or one word of it ("Bearer sk-…").
            // The whole value, or, when it has spaces, one word of it.
            let secret = if keys::secret(s).is_some() {
                s.as_str()
            } else if s.len() >= 16 && s.contains(|c: char| c.is_whitespace()) {
                match s.split_whitespace().find(|w| keys::secret(w).is_some()) {
                    Some(w) => w,
                    None => return,
                }
            } else {
                return;
            };
            let what = path_text(path);
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
            let d = Diagnostic::new("literal-secret", severity, node.range(), message);
            out.push(d.fix(move_secret(eff, node, s, secret, env_member)));
        }
        _ => {}
    }
}

/// Moves a key into the `.env` file Qwen Code loads (`<project>/.qwen/.env`, or the home one
/// for the user file), and makes git ignore that file.
fn move_secret(
    eff: &Effective,
    node: &Node,
    value: &str,
    secret: &str,
    env_member: Option<EnvMember>,
) -> Option<Fix> {
    let store = eff.chain.secret_store.as_ref()?;
    let file = eff.target();
    let in_store: Vec<String> = store
        .env_text
        .as_deref()
        .map(|t| {
            crate::model::dotenv::parse(t)
                .into_iter()
                .map(|v| v.name)
                .collect()
        })
        .unwrap_or_default();
    let (name, edits) = match env_member {
        Some((env, index, name)) if keys::is_valid_var_name(name) => {
            if in_store.iter().any(|n| n == name) {
                return None; // the .env value already wins: env-shadowed says so
            }
            (name.to_string(), vec![remove_item(&file.text, env, index)?])
        }
        _ => {
            let base = match keys::secret(secret) {
                Some(keys::Secret::Known { variable, .. }) if !variable.is_empty() => variable,
                _ => "QWEN_SECRET",
            };
            let mut name = base.to_string();
            let mut n = 2;
            while eff.resolve(&name).is_some() || in_store.contains(&name) {
                name = format!("{base}_{n}");
                n += 1;
            }
            let referenced = value.replacen(secret, &format!("${{{name}}}"), 1);
            (name, vec![replace(node.range(), json_str(&referenced))])
        }
    };
    let line = if secret.contains(|c: char| c.is_whitespace() || "#'\"`".contains(c)) {
        format!("{name}=\"{}\"", secret.replace('"', "\\\""))
    } else {
        format!("{name}={secret}")
    };
    let mut files = vec![crate::analysis::edit::append_line(
        &store.env_path,
        store.env_text.as_deref(),
        &line,
    )];
    if let Some((path, text)) = &store.gitignore
        && !ignores_qwen_env(text.as_deref().unwrap_or(""))
    {
        files.push(crate::analysis::edit::append_line(
            path,
            text.as_deref(),
            ".qwen/.env",
        ));
    }
    Some(Fix {
        title: format!(
            "Move the key to {} as {name}",
            crate::model::display_path(&store.env_path, eff.chain.env.home())
        ),
        edits,
        files,
    })
}

/// Whether a `.gitignore` already keeps `.qwen/.env` out of git.
fn ignores_qwen_env(gitignore: &str) -> bool {
    gitignore.lines().map(str::trim).any(|l| {
        matches!(
            l,
            ".qwen/.env"
                | "/.qwen/.env"
                | ".qwen/"
                | ".qwen"
                | "/.qwen/"
                | "/.qwen"
                | ".qwen/*"
                | ".env"
                | "*.env"
                | "**/.env"
                | ".env*"
        )
    })
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
