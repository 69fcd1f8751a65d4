//! `ignored-generation-config`: `model.generationConfig` does nothing for a model that comes
//! from `modelProviders` (qwen-code.md §3.5: the entry's `generationConfig` replaces it whole).

use crate::analysis::edit::{fix, insert_member, remove_item};
use crate::analysis::{Diagnostic, Fix, Severity};
use crate::model::Effective;

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    let file = eff.target();
    let Some(model) = file.root().and_then(|r| r.get("model")) else {
        return;
    };
    let Some(index) = model.as_object().and_then(|o| {
        o.members
            .iter()
            .rposition(|m| m.key.text == "generationConfig")
    }) else {
        return;
    };
    let member = &model.as_object().expect("checked").members[index];
    let Some(config) = member.value.as_ref().and_then(|v| v.as_object()) else {
        return;
    };
    if config.members.is_empty() {
        return;
    }
    let Some(entry) = eff.selection().and_then(|s| s.entry) else {
        return;
    };
    let fields: Vec<String> = config
        .members
        .iter()
        .map(|m| format!("model.generationConfig.{}", m.key.text))
        .collect();
    let d = Diagnostic::new(
        "ignored-generation-config",
        Severity::Warning,
        member.key.range(),
        format!(
            "Qwen Code ignores {} for the provider model \"{}\" from modelProviders.{}: an entry's generationConfig replaces model.generationConfig as a whole.",
            fields.join(", "),
            entry.id().unwrap_or(""),
            entry.key
        ),
    );
    let fix = move_fix(eff, &entry, model, index);
    out.push(d.fix(fix));
}

/// Moves the fields into the entry's `generationConfig` (when the entry is in this file).
fn move_fix(
    eff: &Effective,
    entry: &crate::model::Entry,
    model: &crate::syntax::Node,
    index: usize,
) -> Option<Fix> {
    let file = eff.target();
    if !eff.is_target(entry.file) {
        return None;
    }
    let member = &model.as_object()?.members[index];
    let config = member.value.as_ref()?;
    // A `generationConfig` member without a readable value (`"generationConfig": }`): a second
    // one would be a duplicate key, so no fix until the user's own is repaired (finding 14).
    if entry
        .node
        .member("generationConfig")
        .is_some_and(|m| m.value.is_none())
    {
        return None;
    }
    let mut edits = Vec::new();
    match entry.node.get("generationConfig") {
        None => {
            let value: serde_json::Value = serde_json::from_str(&file.text[config.range()]).ok()?;
            edits.push(insert_member(
                &file.text,
                entry.node,
                "generationConfig",
                &value,
            )?);
        }
        Some(existing) if existing.as_object()?.members.is_empty() => {
            // One edit for an empty object: several insertions at one offset need commas.
            let value: serde_json::Value = serde_json::from_str(&file.text[config.range()]).ok()?;
            edits.push(crate::analysis::edit::replace(
                existing.range(),
                crate::analysis::edit::render_inline(&value),
            ));
        }
        Some(existing) => {
            for m in &config.as_object()?.members {
                if existing.member(&m.key.text).is_some() {
                    continue; // the entry's own value wins already
                }
                let value: serde_json::Value =
                    serde_json::from_str(&file.text[m.value.as_ref()?.range()]).ok()?;
                edits.push(insert_member(&file.text, existing, &m.key.text, &value)?);
            }
        }
    }
    edits.push(remove_item(&file.text, model, index)?);
    Some(fix(
        format!(
            "Move them into the generationConfig of \"{}\"",
            entry.id().unwrap_or("")
        ),
        edits,
    ))
}
