//! `syntax-error`, `trailing-comma`, `duplicate-key`.

use crate::analysis::edit::{fix, remove_item, replace};
use crate::analysis::{Diagnostic, Severity};
use crate::model::{Effective, ScopeKind};
use crate::syntax::{ErrorKind, Member, Node, NodeKind, Parse};
use std::collections::HashMap;

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    let file = eff.target();
    let workspace = file.kind == ScopeKind::Workspace;
    let consequence = if workspace {
        "Qwen Code cannot parse this file, so it silently moves it to settings.json.corrupted and resets it to {}, dropping every workspace setting"
    } else {
        "Qwen Code cannot parse this file and refuses to start (exit 1), saving a copy as settings.json.corrupted"
    };
    for e in &file.parse.errors {
        out.push(match e.kind {
            ErrorKind::TrailingComma => Diagnostic::new(
                "trailing-comma",
                Severity::Error,
                e.range.clone(),
                if workspace {
                    "Trailing comma: JSON does not allow it, so Qwen Code silently moves this file to settings.json.corrupted and resets it to {}."
                } else {
                    "Trailing comma: JSON does not allow it, so Qwen Code refuses to start (exit 1) until it is removed."
                },
            )
            .fix(Some(fix("Remove the trailing comma", vec![replace(e.range.clone(), "")]))),
            ErrorKind::Syntax => Diagnostic::new(
                "syntax-error",
                Severity::Error,
                e.range.clone(),
                format!("{}: {consequence}.", e.message),
            ),
        });
    }
    if let Some(root) = &file.parse.root {
        if !matches!(root.kind, NodeKind::Object(_)) {
            let message = if workspace {
                "The settings file must be a JSON object: Qwen Code stops with \"Settings file is not a valid JSON object\" (exit 52)."
            } else {
                "The settings file must be a JSON object: Qwen Code crashes at startup with \"Expected a settings object\" (exit 1)."
            };
            out.push(Diagnostic::new(
                "syntax-error",
                Severity::Error,
                root.range(),
                message,
            ));
        }
        duplicate_keys(eff, root, out);
    }
}

/// A member that error recovery made out of garbage: no value, and its key token is itself
/// where a syntax error starts (`'a'`, a bare word, a string with no `:` after the one before).
/// A run of 200 `'` read as 100 members named `""` is one problem, already reported as syntax
/// errors: the rules that judge keys (`duplicate-key`, `unknown-setting`) pass over such members.
/// Past the last listed syntax error of a capped list (see [`Parse::errors_capped`]) the
/// errors are not known one by one: there, every member without a value counts as garbage.
pub(crate) fn is_garbage(parse: &Parse, member: &Member) -> bool {
    if member.value.is_some() {
        return false;
    }
    let key = &member.key.range();
    if parse.errors_capped()
        && parse
            .errors
            .last()
            .is_some_and(|e| e.range.start <= key.start)
    {
        return true;
    }
    let first = parse.errors.partition_point(|e| e.range.start < key.start);
    parse.errors[first..]
        .first()
        .is_some_and(|e| e.range.start < key.end || e.range.start == key.start)
}

fn duplicate_keys(eff: &Effective, node: &Node, out: &mut Vec<Diagnostic>) {
    match &node.kind {
        NodeKind::Object(o) => {
            // Settings objects are small: a scan beats hashing every key; large maps hash.
            let mut seen: HashMap<&str, usize> = HashMap::new();
            let small = o.members.len() <= 16;
            let parse = &eff.target().parse;
            for (i, m) in o.members.iter().enumerate() {
                if is_garbage(parse, m) {
                    continue;
                }
                let earlier = if small {
                    o.members[..i]
                        .iter()
                        .position(|e| e.key.text == m.key.text && !is_garbage(parse, e))
                } else {
                    seen.get(m.key.text.as_str()).copied()
                };
                if let Some(first) = earlier {
                    let earlier = &o.members[first];
                    let text = &eff.target().text;
                    out.push(
                        Diagnostic::new(
                            "duplicate-key",
                            Severity::Warning,
                            m.key.range(),
                            format!(
                                "Duplicate key {}: Qwen Code uses this last value and ignores the earlier one.",
                                crate::analysis::json_str(&m.key.text)
                            ),
                        )
                        .related(eff.chain.target, earlier.key.range(), "ignored earlier value")
                        .fix(
                            remove_item(text, node, first)
                                .map(|e| fix("Remove the earlier, ignored member", vec![e])),
                        ),
                    );
                }
                if !small {
                    seen.entry(&m.key.text).or_insert(i);
                }
                if let Some(v) = &m.value {
                    duplicate_keys(eff, v, out);
                }
            }
        }
        NodeKind::Array(a) => a.items.iter().for_each(|i| duplicate_keys(eff, i, out)),
        _ => {}
    }
}
