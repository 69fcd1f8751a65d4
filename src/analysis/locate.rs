//! What is at a byte offset: which setting path, and whether the cursor is on a key or a value.
//! Works on unfinished documents: an unterminated string on the cursor's line is recognised from
//! the text, since the parser drops it.

use crate::syntax::{Node, NodeKind, TextRange};

/// One step of a path: a member name or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl Seg {
    pub fn key(&self) -> Option<&str> {
        match self {
            Seg::Key(k) => Some(k),
            Seg::Index(_) => None,
        }
    }
}

/// What the cursor is on.
#[derive(Clone, Debug, PartialEq)]
pub enum Spot {
    /// Typing a member name in the object at `object` (its path). `range` is the text to
    /// replace (the string so far, quotes included, or empty); `has_value` when `: value` follows.
    Key {
        object: Vec<Seg>,
        range: TextRange,
        has_value: bool,
    },
    /// Typing or on a value at `path`. `range` is the value's text (quotes included) or empty.
    Value { path: Vec<Seg>, range: TextRange },
    /// Elsewhere (whitespace in an array, after the root, in a comment).
    None,
}

/// The string on the cursor's line that the cursor is inside, if any: `(start, end)` with `end`
/// after the closing quote, or at the line's end for an unterminated string.
fn string_at(text: &str, offset: usize) -> Option<TextRange> {
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    let bytes = text.as_bytes();
    let mut i = line_start;
    let mut open: Option<usize> = None;
    while i < line_end {
        match bytes[i] {
            b'\\' if open.is_some() => i += 1,
            b'"' => match open {
                None => open = Some(i),
                Some(start) => {
                    if start < offset && offset <= i {
                        return Some(start..i + 1);
                    }
                    open = None;
                }
            },
            b'/' if open.is_none() && bytes.get(i + 1) == Some(&b'/') => break,
            _ => {}
        }
        i += 1;
    }
    // Unterminated: up to the end of the word under the cursor, not the rest of the line.
    let word_end = text[offset..line_end]
        .find(|c: char| !(c.is_alphanumeric() || "_-.$/:".contains(c)))
        .map_or(line_end, |i| offset + i);
    open.filter(|s| *s < offset).map(|s| s..word_end)
}

/// The last significant character before `offset` (skipping whitespace and comments, roughly).
fn prev_char(text: &str, offset: usize) -> Option<char> {
    text[..offset].trim_end().chars().last()
}

fn next_char(text: &str, offset: usize) -> Option<char> {
    text[offset..].trim_start().chars().next()
}

/// Finds the spot at `offset` in `root` (the parsed tree of `text`).
pub fn locate(text: &str, root: Option<&Node>, offset: usize) -> Spot {
    let offset = offset.min(text.len());
    let Some(root) = root else {
        return Spot::None;
    };
    let mut path = Vec::new();
    let container = innermost(text, root, offset, &mut path);
    let string = string_at(text, offset);
    // Where the token under the cursor starts (the string's quote, or the word's start).
    let word_start = string.as_ref().map_or(offset, |s| s.start);
    let before = prev_char(text, word_start);
    match &container.kind {
        NodeKind::Object(o) => {
            // On an existing member's key or value?
            for m in &o.members {
                if m.key.range().start <= offset && offset <= m.key.range().end && string.is_some()
                {
                    return Spot::Key {
                        object: path,
                        range: m.key.range(),
                        has_value: true,
                    };
                }
                if let Some(v) = &m.value
                    && v.range().start <= offset
                    && offset <= v.range().end
                    && !matches!(v.kind, NodeKind::Object(_) | NodeKind::Array(_))
                {
                    path.push(Seg::Key(m.key.text.to_string()));
                    return Spot::Value {
                        path,
                        range: v.range(),
                    };
                }
            }
            match before {
                Some(':') => {
                    // A value being typed after `"key":` — find that key.
                    let key = o
                        .members
                        .iter()
                        .rev()
                        .find(|m| m.key.range().end <= word_start)
                        .map(|m| m.key.text.to_string());
                    match key {
                        Some(k) => {
                            path.push(Seg::Key(k));
                            Spot::Value {
                                path,
                                range: string.unwrap_or(offset..offset),
                            }
                        }
                        None => Spot::None,
                    }
                }
                Some('{' | ',') | None => {
                    let range = string.clone().unwrap_or(offset..offset);
                    let has_value = next_char(text, range.end) == Some(':');
                    Spot::Key {
                        object: path,
                        range,
                        has_value,
                    }
                }
                // Right after a complete value with no comma yet: a new key on a new line.
                Some(_) if string.is_some() || text[..offset].ends_with(char::is_whitespace) => {
                    let range = string.unwrap_or(offset..offset);
                    let has_value = next_char(text, range.end) == Some(':');
                    Spot::Key {
                        object: path,
                        range,
                        has_value,
                    }
                }
                _ => Spot::None,
            }
        }
        NodeKind::Array(a) => {
            let index = a
                .items
                .iter()
                .position(|i| i.range().start <= offset && offset <= i.range().end)
                .unwrap_or_else(|| a.items.iter().filter(|i| i.range().end <= offset).count());
            path.push(Seg::Index(index));
            let range = a
                .items
                .iter()
                .find(|i| i.range().start <= offset && offset <= i.range().end)
                .map(|i| i.range())
                .or(string)
                .unwrap_or(offset..offset);
            Spot::Value { path, range }
        }
        _ => Spot::None,
    }
}

/// The deepest object or array whose range contains `offset` (strictly inside its brackets),
/// recording the path to it.
fn innermost<'n>(text: &str, node: &'n Node, offset: usize, path: &mut Vec<Seg>) -> &'n Node {
    let inside =
        |n: &Node| n.range().start < offset && (offset < n.range().end || !closed(text, n));
    match &node.kind {
        NodeKind::Object(o) => {
            for m in &o.members {
                if let Some(v) = &m.value
                    && matches!(v.kind, NodeKind::Object(_) | NodeKind::Array(_))
                    && inside(v)
                {
                    path.push(Seg::Key(m.key.text.to_string()));
                    return innermost(text, v, offset, path);
                }
            }
            node
        }
        NodeKind::Array(a) => {
            for (i, item) in a.items.iter().enumerate() {
                if matches!(item.kind, NodeKind::Object(_) | NodeKind::Array(_)) && inside(item) {
                    path.push(Seg::Index(i));
                    return innermost(text, item, offset, path);
                }
            }
            node
        }
        _ => node,
    }
}

/// Whether an object or array node ends with its closing bracket (the parser extends an
/// unclosed one to the end of the text).
fn closed(text: &str, node: &Node) -> bool {
    text[..node.range().end.min(text.len())].ends_with(['}', ']'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spot(src: &str) -> Spot {
        let offset = src.find('|').expect("cursor marker");
        let text = src.replacen('|', "", 1);
        let parse = crate::syntax::parse(&text);
        locate(&text, parse.root.as_ref(), offset)
    }

    fn keys(path: &[Seg]) -> Vec<String> {
        path.iter()
            .map(|s| match s {
                Seg::Key(k) => k.clone(),
                Seg::Index(i) => format!("[{i}]"),
            })
            .collect()
    }

    #[test]
    fn spots() {
        match spot(r#"{ "model": { "na| } }"#) {
            Spot::Key {
                object,
                range,
                has_value,
            } => {
                assert_eq!(keys(&object), ["model"]);
                assert_eq!(range.len(), 3);
                assert!(!has_value);
            }
            other => panic!("{other:?}"),
        }
        match spot("{ \"model\": { \"name\": \"q|\" } }") {
            Spot::Value { path, .. } => assert_eq!(keys(&path), ["model", "name"]),
            other => panic!("{other:?}"),
        }
        match spot("{ \"security\": { \"auth\": { \"selectedType\": | } } }") {
            Spot::Value { path, range } => {
                assert_eq!(keys(&path), ["security", "auth", "selectedType"]);
                assert!(range.is_empty());
            }
            other => panic!("{other:?}"),
        }
        match spot("{\n  \"modelProviders\": { \"openai\": [ | ] }\n}") {
            Spot::Value { path, .. } => {
                assert_eq!(keys(&path), ["modelProviders", "openai", "[0]"])
            }
            other => panic!("{other:?}"),
        }
        match spot(
            "{\n  \"modelProviders\": { \"openai\": [ { \"id\": \"a\", \"baseUrl\": \"htt|\n",
        ) {
            Spot::Value { path, .. } => {
                assert_eq!(keys(&path), ["modelProviders", "openai", "[0]", "baseUrl"])
            }
            other => panic!("{other:?}"),
        }
        match spot("{\n  \"ui\": {},\n  |\n}") {
            Spot::Key { object, .. } => assert!(object.is_empty()),
            other => panic!("{other:?}"),
        }
        match spot("{\n  \"ui\": { \"theme\": \"x\" }\n  \"to|\n}") {
            Spot::Key { object, .. } => assert!(object.is_empty()),
            other => panic!("{other:?}"),
        }
    }
}
