//! LSP types ↔ the product's plain data. Positions go through [`crate::text::LineIndex`].

use crate::analysis::{self, Severity};
use crate::model::Chain;
use crate::text::{self, Encoding, LineIndex};
use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

pub fn position(p: text::Position) -> lsp::Position {
    lsp::Position {
        line: p.line,
        character: p.character,
    }
}

pub fn range(r: text::PosRange) -> lsp::Range {
    lsp::Range {
        start: position(r.start),
        end: position(r.end),
    }
}

pub fn from_range(r: lsp::Range) -> text::PosRange {
    text::PosRange {
        start: text::Position {
            line: r.start.line,
            character: r.start.character,
        },
        end: text::Position {
            line: r.end.line,
            character: r.end.character,
        },
    }
}

pub fn change(c: lsp::TextDocumentContentChangeEvent) -> text::Change {
    text::Change {
        range: c.range.map(from_range),
        text: c.text,
    }
}

pub fn encoding_kind(enc: Encoding) -> lsp::PositionEncodingKind {
    match enc {
        Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
    }
}

fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// Converts one diagnostic of the chain's target (whose text is `rope`).
pub fn diagnostic(
    d: &analysis::Diagnostic,
    chain: &Chain,
    rope: &Rope,
    uri: &lsp::Uri,
    enc: Encoding,
) -> lsp::Diagnostic {
    let index = LineIndex::new(rope);
    let related = d
        .related
        .iter()
        .filter_map(|r| {
            let (uri, range) = if r.file == chain.target {
                (uri.clone(), index.range(r.range.clone(), enc))
            } else {
                let file = &chain.files[r.file];
                let other = Rope::from_str(&file.text);
                let range = LineIndex::new(&other).range(r.range.clone(), enc);
                (lsp::Uri::from_file_path(&file.path)?, range)
            };
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location {
                    uri,
                    range: self::range(range),
                },
                message: r.message.clone(),
            })
        })
        .collect::<Vec<_>>();
    lsp::Diagnostic {
        range: range(index.range(d.range.clone(), enc)),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some(crate::NAME.to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

fn text_edits(edits: &[analysis::Edit], rope: &Rope, enc: Encoding) -> Vec<lsp::TextEdit> {
    let index = LineIndex::new(rope);
    edits
        .iter()
        .map(|e| lsp::TextEdit {
            range: range(index.range(e.range.clone(), enc)),
            new_text: e.new_text.clone(),
        })
        .collect()
}

/// The edit of a fix: a plain `changes` map when it touches only `uri`, else `documentChanges`
/// that create and edit the other files (e.g. `.qwen/.env`).
fn workspace_edit(
    fix: &analysis::Fix,
    rope: &Rope,
    uri: &lsp::Uri,
    enc: Encoding,
) -> Option<lsp::WorkspaceEdit> {
    let own = text_edits(&fix.edits, rope, enc);
    if fix.files.is_empty() {
        return Some(lsp::WorkspaceEdit {
            changes: Some([(uri.clone(), own)].into_iter().collect()),
            ..Default::default()
        });
    }
    let mut ops = Vec::new();
    let edit_op = |uri: lsp::Uri, edits: Vec<lsp::TextEdit>| {
        lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
        })
    };
    ops.push(edit_op(uri.clone(), own));
    for f in &fix.files {
        let other = lsp::Uri::from_file_path(&f.path)?;
        if f.create {
            ops.push(lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(
                lsp::CreateFile {
                    uri: other.clone(),
                    options: Some(lsp::CreateFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(true),
                    }),
                    annotation_id: None,
                },
            )));
        }
        let rope = Rope::from_str(&f.text);
        ops.push(edit_op(other, text_edits(&f.edits, &rope, enc)));
    }
    Some(lsp::WorkspaceEdit {
        document_changes: Some(lsp::DocumentChanges::Operations(ops)),
        ..Default::default()
    })
}

/// An assist (not tied to a diagnostic) as a `refactor.rewrite` code action.
pub fn assist(
    fix: &analysis::Fix,
    rope: &Rope,
    uri: &lsp::Uri,
    enc: Encoding,
) -> lsp::CodeActionOrCommand {
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: fix.title.clone(),
        kind: Some(lsp::CodeActionKind::REFACTOR_REWRITE),
        edit: workspace_edit(fix, rope, uri, enc),
        ..Default::default()
    })
}

/// The quick-fixes of `d` as code actions editing `uri`. Fixes that create or edit other
/// files are left out unless the client supports `documentChanges` with file creation.
pub fn code_actions(
    d: &analysis::Diagnostic,
    lsp_diagnostic: &lsp::Diagnostic,
    rope: &Rope,
    uri: &lsp::Uri,
    enc: Encoding,
    multi_file: bool,
) -> Vec<lsp::CodeActionOrCommand> {
    d.fixes
        .iter()
        .filter(|f| multi_file || f.files.is_empty())
        .enumerate()
        .map(|(i, fix)| {
            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic.clone()]),
                edit: workspace_edit(fix, rope, uri, enc),
                is_preferred: Some(i == 0 && d.fixes.len() == 1),
                ..Default::default()
            })
        })
        .collect()
}

pub fn completion(
    c: &crate::analysis::completion::Completion,
    rope: &Rope,
    enc: Encoding,
) -> lsp::CompletionItem {
    use crate::analysis::completion::ItemKind;
    let index = LineIndex::new(rope);
    lsp::CompletionItem {
        label: c.label.clone(),
        kind: Some(match c.kind {
            ItemKind::Property => lsp::CompletionItemKind::PROPERTY,
            ItemKind::Value => lsp::CompletionItemKind::VALUE,
            ItemKind::Enum => lsp::CompletionItemKind::ENUM_MEMBER,
            ItemKind::Snippet => lsp::CompletionItemKind::SNIPPET,
            ItemKind::Variable => lsp::CompletionItemKind::VARIABLE,
            ItemKind::Module => lsp::CompletionItemKind::MODULE,
        }),
        detail: c.detail.clone(),
        documentation: c.documentation.clone().map(|d| {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: d,
            })
        }),
        sort_text: c.sort.clone(),
        filter_text: c.filter.clone(),
        insert_text_format: Some(if c.snippet {
            lsp::InsertTextFormat::SNIPPET
        } else {
            lsp::InsertTextFormat::PLAIN_TEXT
        }),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
            range: range(index.range(c.edit.range.clone(), enc)),
            new_text: c.edit.new_text.clone(),
        })),
        ..Default::default()
    }
}

pub fn symbol(
    s: &crate::analysis::outline::Symbol,
    rope: &Rope,
    enc: Encoding,
) -> lsp::DocumentSymbol {
    use crate::analysis::outline::SymbolKind as K;
    let index = LineIndex::new(rope);
    #[allow(deprecated)]
    lsp::DocumentSymbol {
        name: s.name.clone(),
        detail: s.detail.clone(),
        kind: match s.kind {
            K::Object => lsp::SymbolKind::OBJECT,
            K::Array => lsp::SymbolKind::ARRAY,
            K::String => lsp::SymbolKind::STRING,
            K::Number => lsp::SymbolKind::NUMBER,
            K::Boolean => lsp::SymbolKind::BOOLEAN,
            K::Null => lsp::SymbolKind::NULL,
        },
        tags: None,
        deprecated: None,
        range: range(index.range(s.range.clone(), enc)),
        selection_range: range(index.range(s.selection.clone(), enc)),
        children: Some(s.children.iter().map(|c| symbol(c, rope, enc)).collect()),
    }
}

/// Folding ranges by line; regions within one line are dropped.
pub fn folding(ranges: &[crate::syntax::TextRange], rope: &Rope) -> Vec<lsp::FoldingRange> {
    let index = LineIndex::new(rope);
    ranges
        .iter()
        .filter_map(|r| {
            let start = index.position(r.start, Encoding::Utf16).line;
            let end = index.position(r.end, Encoding::Utf16).line;
            (end > start).then(|| lsp::FoldingRange {
                start_line: start,
                end_line: end.saturating_sub(1).max(start),
                ..Default::default()
            })
        })
        .collect()
}
