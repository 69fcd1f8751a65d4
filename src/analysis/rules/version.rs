//! `missing-version`.

use crate::analysis::edit::{fix, set_member};
use crate::analysis::{Diagnostic, Severity};
use crate::model::Effective;
use crate::syntax::NodeKind;

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    let file = eff.target();
    let Some(root) = file.root() else { return };
    match file.version() {
        None => out.push(
            Diagnostic::new(
                "missing-version",
                Severity::Information,
                root.open_range(),
                "No \"$version\": 4: Qwen Code will rewrite this file on its next start, appending \"$version\": 4 and migrating legacy keys.",
            )
            .fix(
                set_member(file, &["$version"], serde_json::json!(4))
                    .map(|e| fix("Add \"$version\": 4", e)),
            ),
        ),
        Some(member) => {
            let Some(value) = &member.value else { return };
            if value.kind != NodeKind::Number("4".into()) {
                out.push(Diagnostic::new(
                    "missing-version",
                    Severity::Information,
                    value.range(),
                    format!(
                        "\"$version\" is {}, not 4: Qwen Code will migrate and rewrite this file on its next start.",
                        &file.text[value.range()]
                    ),
                ));
            }
        }
    }
}
