//! Every setting against the catalog: `unknown-setting`, `type-mismatch`,
//! `invalid-enum-value`, `deprecated-setting`.

use crate::analysis::edit::{fix, move_member, replace};
use crate::analysis::{Diagnostic, Fix, Severity, closest, json_str};
use crate::model::catalog::{Catalog, Key, NodeId, Type, catalog};
use crate::model::{Effective, ScopeKind};
use crate::syntax::{Member, Node, NodeKind};

/// Catalog paths whose values more specific rules judge (one problem, one diagnostic).
const OWNED: &[&str] = &[
    "$version",
    "env.*",
    "model.name",
    "security.auth.selectedType",
    "modelProviders.*",
    "modelProviders.*[]",
    "modelProviders.*[].id",
    "modelProviders.*[].envKey",
    "providerProtocol.*",
];

/// Legacy keys the CLI itself writes and migrates without a warning.
const SELF_MIGRATED: &[&str] = &["codingPlan", "tokenPlan"];

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    let file = eff.target();
    let Some(root) = file.root() else { return };
    let versioned = file
        .version()
        .and_then(|m| m.value.as_ref())
        .is_some_and(|v| v.kind == NodeKind::Number("4".into()));
    let walker = Walker {
        eff,
        cat: catalog(),
        versioned,
    };
    walker.object(root, Catalog::ROOT, Place::Root, out);
}

/// Where an object sits, for the severity of unknown keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    /// A model entry or an object inside one: unknown fields there are silently dropped.
    Entry,
    Other,
}

struct Walker<'a> {
    eff: &'a Effective<'a>,
    cat: &'static Catalog,
    versioned: bool,
}

fn type_of(node: &Node) -> Option<Type> {
    Some(match &node.kind {
        NodeKind::Object(_) => Type::Object,
        NodeKind::Array(_) => Type::Array,
        NodeKind::String(_) => Type::String,
        NodeKind::Number(n) if !n.contains(['.', 'e', 'E']) => Type::Integer,
        NodeKind::Number(_) => Type::Number,
        NodeKind::Bool(_) => Type::Boolean,
        NodeKind::Null => return None,
    })
}

fn accepts(types: &[Type], actual: Type) -> bool {
    types.contains(&actual) || (actual == Type::Integer && types.contains(&Type::Number))
}

fn type_list(types: &[Type]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
    names.join(" or ")
}

impl Walker<'_> {
    fn object(&self, node: &Node, at: NodeId, place: Place, out: &mut Vec<Diagnostic>) {
        let Some(obj) = node.as_object() else { return };
        let parse = &self.eff.target().parse;
        for member in &obj.members {
            if super::syntax::is_garbage(parse, member) {
                continue; // reported as syntax errors, not as hundreds of unknown keys
            }
            let name = member.key.text.as_str();
            match self.cat.member(at, name) {
                Some(child) => self.member(node, member, child, place, out),
                None if self.cat.is_open(at) => {}
                None => out.push(self.unknown(node, obj, member, at, place)),
            }
        }
    }

    fn child_place(&self, key: &Key, place: Place) -> Place {
        if key.path.starts_with("modelProviders.*[]") || place == Place::Entry {
            Place::Entry
        } else {
            Place::Other
        }
    }

    fn member(
        &self,
        parent: &Node,
        member: &Member,
        at: NodeId,
        place: Place,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(value) = &member.value else { return };
        let Some(key) = self.cat.key(at) else {
            // an intermediate node without facts (e.g. `hooks.X[]`): only descend
            self.descend(value, at, place, out);
            return;
        };
        let actual = type_of(value);
        let is_legacy = key.legacy.is_some()
            && key
                .legacy_types
                .as_ref()
                .is_none_or(|lt| actual.is_some_and(|t| lt.contains(&t)));
        if is_legacy {
            if !SELF_MIGRATED.contains(&key.path.as_str()) {
                out.push(self.legacy(parent, member, key));
            }
            return;
        }
        if let Some(why) = &key.deprecated {
            // security.auth.apiKey/baseUrl are on their way out (warning); keys upstream merely
            // calls deprecated still work (hint).
            let severity = if key.path.starts_with("security.auth.") {
                Severity::Warning
            } else {
                Severity::Hint
            };
            out.push(Diagnostic::new(
                "deprecated-setting",
                severity,
                member.key.range(),
                format!(
                    "{} is deprecated: {why}.",
                    key.path,
                    why = why.trim_end_matches('.')
                ),
            ));
        }
        if key.operator_only && self.eff.target().kind == ScopeKind::Workspace {
            // Honoured only in user and system files: not a type problem, but worth saying.
        }
        self.value(value, key, at, place, out);
    }

    /// Type and enum checks of one value, then its contents.
    fn value(&self, value: &Node, key: &Key, at: NodeId, place: Place, out: &mut Vec<Diagnostic>) {
        let owned = OWNED.contains(&key.path.as_str());
        if let Some(actual) = type_of(value)
            && !owned
        {
            if !accepts(&key.types, actual) {
                out.push(self.type_mismatch(value, key));
                return;
            }
            if !key.enum_values.is_empty() && !key.enum_values.iter().any(|e| json_eq(e, value)) {
                out.push(self.invalid_enum(value, key));
                return;
            }
        }
        self.descend(value, at, self.child_place(key, place), out);
    }

    fn descend(&self, value: &Node, at: NodeId, place: Place, out: &mut Vec<Diagnostic>) {
        match &value.kind {
            NodeKind::Object(_) => self.object(value, at, place, out),
            NodeKind::Array(a) => {
                let Some(item) = self.cat.item(at) else {
                    return;
                };
                for element in &a.items {
                    match self.cat.key(item) {
                        Some(key) => self.value(element, key, item, place, out),
                        None => self.descend(element, item, place, out),
                    }
                }
            }
            _ => {}
        }
    }

    fn unknown(
        &self,
        parent: &Node,
        obj: &crate::syntax::Object,
        member: &Member,
        at: NodeId,
        place: Place,
    ) -> Diagnostic {
        let name = member.key.text.as_str();
        // Suggest current keys only, never legacy ones.
        let known: Vec<&str> = self
            .cat
            .children(at)
            .filter(|(_, id)| {
                self.cat
                    .key(*id)
                    .is_none_or(|k| k.legacy.is_none() && k.deprecated.is_none())
            })
            .map(|(n, _)| n)
            .collect();
        let near = known
            .iter()
            .copied()
            .find(|k| k.eq_ignore_ascii_case(name))
            .or_else(|| closest(name, known.iter().copied()));
        let (severity, what) = match (place, near) {
            (Place::Entry, Some(_)) => (Severity::Error, "model-entry field"),
            (Place::Entry, None) => (Severity::Warning, "model-entry field"),
            (Place::Root, Some(_)) => (Severity::Warning, "top-level setting"),
            (Place::Root, None) => (Severity::Information, "top-level setting"),
            (Place::Other, _) => (Severity::Warning, "setting"),
        };
        let consequence = match (place, near) {
            (Place::Entry, Some(n)) => format!(
                "; did you mean \"{n}\"? The entry then has no \"{n}\"{}",
                match n {
                    "baseUrl" =>
                        ", so its requests go to the protocol's default endpoint (api.openai.com for openai)",
                    "envKey" => ", so its key is read from the protocol's default variable",
                    _ => "",
                }
            ),
            (_, Some(n)) => format!("; did you mean \"{n}\"?"),
            (Place::Root, None) => " (it may belong to a newer Qwen Code).".to_string(),
            _ => ".".to_string(),
        };
        let end = if consequence.ends_with(['.', '?']) {
            ""
        } else {
            "."
        };
        let mut d = Diagnostic::new(
            "unknown-setting",
            severity,
            member.key.range(),
            format!(
                "Unknown {what} {}: Qwen Code ignores it without a word{consequence}{end}",
                json_str(name)
            ),
        );
        if let Some(n) = near
            && obj.member(n).is_none()
        {
            d = d.fix(Some(fix(
                format!("Rename to \"{n}\""),
                vec![replace(member.key.range(), json_str(n))],
            )));
        }
        let _ = parent;
        d
    }

    fn legacy(&self, parent: &Node, member: &Member, key: &Key) -> Diagnostic {
        let target = key.legacy.as_deref().unwrap_or_default();
        let name = member.key.text.as_str();
        let message = if self.versioned {
            format!(
                "Legacy setting \"{name}\": in a \"$version\": 4 file Qwen Code ignores it and warns at every start; use \"{target}\"{}.",
                if key.inverted {
                    " (with the opposite value)"
                } else {
                    ""
                }
            )
        } else {
            format!(
                "Legacy setting \"{name}\": Qwen Code moves it to \"{target}\"{} when it next rewrites this file.",
                if key.inverted {
                    " (with the opposite value)"
                } else {
                    ""
                }
            )
        };
        let mut d = Diagnostic::new(
            "deprecated-setting",
            Severity::Warning,
            member.key.range(),
            message,
        );
        d = d.fix(self.move_fix(parent, member, key, target));
        d
    }

    fn move_fix(&self, parent: &Node, member: &Member, key: &Key, target: &str) -> Option<Fix> {
        let file = self.eff.target();
        let value = member.value.as_ref()?;
        let mut json: serde_json::Value = serde_json::from_str(&file.text[value.range()]).ok()?;
        if key.inverted {
            json = serde_json::Value::Bool(!json.as_bool()?);
        }
        // Only top-level legacy keys move (the V1 layout); the target must not be set already.
        if !std::ptr::eq(parent, file.root()?) || target.contains('\\') {
            return None;
        }
        let path: Vec<&str> = target.split('.').collect();
        if path.first() == Some(&member.key.text.as_str()) {
            // `"model": "<id>"` → `"model": { "name": "<id>" }`
            let mut nested = json;
            for k in path[1..].iter().rev() {
                let mut map = serde_json::Map::new();
                map.insert((*k).to_string(), nested);
                nested = serde_json::Value::Object(map);
            }
            return Some(fix(
                format!("Change to {target}"),
                vec![replace(
                    value.range(),
                    crate::analysis::edit::render_inline(&nested),
                )],
            ));
        }
        if file.member(&path).is_some() {
            return None;
        }
        let edits = move_member(file, member, &path, json)?;
        Some(fix(format!("Move to \"{target}\""), edits))
    }

    fn type_mismatch(&self, value: &Node, key: &Key) -> Diagnostic {
        let file = self.eff.target();
        let text = &file.text[value.range()];
        let expected = type_list(&key.types);
        let mut d = Diagnostic::new(
            "type-mismatch",
            Severity::Error,
            value.range(),
            format!(
                "{} must be {}{expected}, not {}: Qwen Code cannot use this value.",
                key.path,
                if expected.starts_with(['a', 'i', 'o']) {
                    "an "
                } else {
                    "a "
                },
                value.type_name()
            ),
        );
        // The obvious repairs: unquote a number or boolean, quote a scalar.
        let repaired = match (&value.kind, key.types.as_slice()) {
            (NodeKind::String(s), ts)
                if (ts.contains(&Type::Number) || ts.contains(&Type::Integer))
                    && s.trim().parse::<f64>().is_ok_and(f64::is_finite) =>
            {
                let n = s.trim();
                (!ts.contains(&Type::Integer)
                    || !n.contains(['.', 'e', 'E'])
                    || ts.contains(&Type::Number))
                .then(|| n.to_string())
            }
            (NodeKind::String(s), ts)
                if ts.contains(&Type::Boolean) && matches!(s.trim(), "true" | "false") =>
            {
                Some(s.trim().to_string())
            }
            (NodeKind::Number(_) | NodeKind::Bool(_), ts) if ts.contains(&Type::String) => {
                Some(json_str(text))
            }
            (NodeKind::String(_), ts) if ts.contains(&Type::Array) => Some(format!("[{text}]")),
            _ => None,
        };
        if let Some(r) = repaired {
            d = d.fix(Some(fix(
                format!("Change to {r}"),
                vec![replace(value.range(), r)],
            )));
        }
        d
    }

    fn invalid_enum(&self, value: &Node, key: &Key) -> Diagnostic {
        let file = self.eff.target();
        let written = &file.text[value.range()];
        let allowed: Vec<String> = key.enum_values.iter().map(|v| v.to_string()).collect();
        let consequence = match key.path.as_str() {
            p if p.ends_with("wireApi") => "Qwen Code stops with \"Invalid wireApi\" (exit 52)",
            "model.reasoningEffort" => "Qwen Code ignores it and warns at every start",
            _ => "Qwen Code cannot use this value",
        };
        let mut d = Diagnostic::new(
            "invalid-enum-value",
            Severity::Error,
            value.range(),
            format!(
                "{} must be one of {}, not {written}: {consequence}.",
                key.path,
                allowed.join(", ")
            ),
        );
        let choices: Vec<&String> = match value.as_str() {
            Some(s) => {
                let strings: Vec<&str> =
                    key.enum_values.iter().filter_map(|v| v.as_str()).collect();
                match closest(s, strings.iter().copied()) {
                    Some(c) => allowed
                        .iter()
                        .filter(|a| a.trim_matches('"') == c)
                        .collect(),
                    None => allowed.iter().take(6).collect(),
                }
            }
            None => allowed.iter().take(6).collect(),
        };
        for c in choices {
            d = d.fix(Some(fix(
                format!("Change to {c}"),
                vec![replace(value.range(), c.clone())],
            )));
        }
        d
    }
}

/// Whether a catalog enum value equals a JSON node.
fn json_eq(expected: &serde_json::Value, node: &Node) -> bool {
    match (&node.kind, expected) {
        (NodeKind::String(s), serde_json::Value::String(e)) => s == e,
        (NodeKind::Bool(b), serde_json::Value::Bool(e)) => b == e,
        (NodeKind::Number(n), serde_json::Value::Number(e)) => n.parse::<f64>().ok() == e.as_f64(),
        (NodeKind::Null, serde_json::Value::Null) => true,
        _ => false,
    }
}
