//! Document symbols (a hierarchical outline) and folding ranges, from the syntax tree.

use crate::syntax::{Node, NodeKind, Parse, TextRange};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Object,
    Array,
    String,
    Number,
    Boolean,
    Null,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole member.
    pub range: TextRange,
    /// The key (or the element).
    pub selection: TextRange,
    pub children: Vec<Symbol>,
}

fn kind(node: &Node) -> SymbolKind {
    match node.kind {
        NodeKind::Object(_) => SymbolKind::Object,
        NodeKind::Array(_) => SymbolKind::Array,
        NodeKind::String(_) => SymbolKind::String,
        NodeKind::Number(_) => SymbolKind::Number,
        NodeKind::Bool(_) => SymbolKind::Boolean,
        NodeKind::Null => SymbolKind::Null,
    }
}

fn children(node: &Node) -> Vec<Symbol> {
    match &node.kind {
        NodeKind::Object(o) => o
            .members
            .iter()
            .map(|m| {
                let end = m
                    .value
                    .as_ref()
                    .map_or(m.key.range().end, |v| v.range().end);
                Symbol {
                    name: if m.key.text.is_empty() {
                        "\"\"".into()
                    } else {
                        crate::model::keys::mask_secrets(&m.key.text)
                    },
                    detail: m.value.as_ref().and_then(scalar_detail),
                    kind: m.value.as_ref().map_or(SymbolKind::Null, kind),
                    range: m.key.range().start..end,
                    selection: m.key.range(),
                    children: m.value.as_ref().map(children).unwrap_or_default(),
                }
            })
            .collect(),
        NodeKind::Array(a) => a
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| Symbol {
                // A model entry is named by its id.
                name: item
                    .get("id")
                    .and_then(Node::as_str)
                    .map_or_else(|| format!("[{i}]"), crate::model::keys::mask_secrets),
                detail: scalar_detail(item),
                kind: kind(item),
                range: item.range(),
                selection: item.open_range(),
                children: children(item),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn scalar_detail(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::String(s) => Some(crate::model::keys::mask_secrets(
            &s.chars().take(200).collect::<String>(),
        )),
        NodeKind::Number(n) => Some(n.to_string()),
        NodeKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn symbols(parse: &Parse) -> Vec<Symbol> {
    parse.root.as_ref().map(children).unwrap_or_default()
}

/// Foldable regions as byte ranges: every object and array, and every block comment. The
/// protocol layer drops those that start and end on the same line.
pub fn folding(parse: &Parse) -> Vec<TextRange> {
    fn walk(node: &Node, out: &mut Vec<TextRange>) {
        match &node.kind {
            NodeKind::Object(o) => {
                out.push(node.range());
                for v in o.members.iter().filter_map(|m| m.value.as_ref()) {
                    walk(v, out);
                }
            }
            NodeKind::Array(a) => {
                out.push(node.range());
                for i in &a.items {
                    walk(i, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(root) = &parse.root {
        walk(root, &mut out);
    }
    out.extend(parse.comments.iter().cloned());
    out
}
