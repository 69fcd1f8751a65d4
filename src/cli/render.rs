//! `check` output: rustc-style text, or JSON with LSP ranges.

use super::Checked;
use crate::analysis::{Diagnostic, Severity};
use crate::model::display_path;
use crate::text::{Encoding, LineIndex};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use ropey::Rope;
use serde::Serialize;
use std::io::{self, IsTerminal, Write};

#[derive(Serialize)]
pub struct JsonPosition {
    pub line: u32,
    pub character: u32,
}

#[derive(Serialize)]
pub struct JsonRange {
    pub start: JsonPosition,
    pub end: JsonPosition,
}

/// A diagnostic as `check --format json` prints it (LSP ranges: 0-based, UTF-16).
#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub file: String,
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub range: JsonRange,
}

/// `diagnostics` of `text` (shown as `file`) in the JSON shape.
pub fn json_diagnostics(file: &str, text: &str, diagnostics: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    let rope = Rope::from_str(text);
    let index = LineIndex::new(&rope);
    diagnostics
        .iter()
        .map(|d| {
            let range = index.range(d.range.clone(), Encoding::Utf16);
            let pos = |p: crate::text::Position| JsonPosition {
                line: p.line,
                character: p.character,
            };
            JsonDiagnostic {
                file: file.to_string(),
                code: d.code,
                severity: d.severity.as_str(),
                message: d.message.clone(),
                range: JsonRange {
                    start: pos(range.start),
                    end: pos(range.end),
                },
            }
        })
        .collect()
}

pub(super) fn json(results: &[Checked], out: &mut impl Write) -> io::Result<()> {
    let all: Vec<JsonDiagnostic> = results
        .iter()
        .flat_map(|r| {
            json_diagnostics(
                &r.shown,
                &r.chain.files[r.chain.target].text,
                &r.diagnostics,
            )
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &all)?;
    writeln!(out)
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Information => Level::INFO.with_name("information"),
        Severity::Hint => Level::NOTE.with_name("hint"),
    }
}

pub(super) fn human(results: &[Checked], out: &mut impl Write) -> io::Result<()> {
    let colored = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let renderer = if colored {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut counts = [0usize; 4];
    for r in results {
        let text = &r.chain.files[r.chain.target].text;
        let rope = Rope::from_str(text);
        for d in &r.diagnostics {
            counts[d.severity as usize] += 1;
            let report = report(r, text, &rope, d);
            writeln!(out, "{}\n", renderer.render(&report))?;
        }
    }
    let names = ["error", "warning", "information", "hint"];
    let parts: Vec<String> = counts
        .iter()
        .zip(names)
        .filter(|(n, _)| **n > 0)
        .map(|(n, name)| {
            format!(
                "{n} {name}{}",
                if *n == 1 || name == "information" {
                    ""
                } else {
                    "s"
                }
            )
        })
        .collect();
    let files = results.len();
    let checked = format!("{files} file{}", if files == 1 { "" } else { "s" });
    if parts.is_empty() {
        writeln!(out, "{checked} checked: no problems")
    } else {
        writeln!(out, "{checked} checked: {}", parts.join(", "))
    }
}

/// One diagnostic as an annotated excerpt of just the lines it covers.
fn report<'a>(r: &'a Checked, text: &'a str, rope: &Rope, d: &'a Diagnostic) -> Vec<Group<'a>> {
    let first_line = rope.byte_to_line(d.range.start.min(text.len()));
    let last_line = rope.byte_to_line(d.range.end.min(text.len()));
    let start = rope.line_to_byte(first_line);
    let end = if last_line + 1 < rope.len_lines() {
        rope.line_to_byte(last_line + 1)
    } else {
        text.len()
    };
    let excerpt = text[start..end].trim_end_matches(['\n', '\r']);
    // Never print a key: mask secret-looking strings in place (offsets stay valid).
    let excerpt = crate::model::keys::redact_in_place(excerpt);
    let span = (d.range.start - start).min(excerpt.len())..(d.range.end - start).min(excerpt.len());
    let mut groups = vec![
        level(d.severity)
            .primary_title(&d.message)
            .id(d.code)
            .element(
                Snippet::source(excerpt)
                    .line_start(first_line + 1)
                    .path(&r.shown)
                    .annotation(AnnotationKind::Primary.span(span)),
            ),
    ];
    for rel in &d.related {
        let file = &r.chain.files[rel.file];
        let rope = Rope::from_str(&file.text);
        let p = LineIndex::new(&rope).position(rel.range.start, Encoding::Utf32);
        let path = if rel.file == r.chain.target {
            r.shown.clone()
        } else {
            display_path(&file.path, r.chain.env.home())
        };
        groups.push(Group::with_title(Level::NOTE.secondary_title(format!(
            "{}: {path}:{}:{}",
            rel.message,
            p.line + 1,
            p.character + 1
        ))));
    }
    for f in &d.fixes {
        groups.push(Group::with_title(
            Level::HELP.secondary_title(f.title.clone()),
        ));
    }
    groups
}
