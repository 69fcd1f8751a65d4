//! Building quick-fix edits that keep the user's comments and formatting.
//!
//! Edits touch as little text as possible: a value is replaced in place, a new member is
//! inserted before the first member of its object with that member's indentation, and a
//! removed member or element takes its comma with it.

use super::{Edit, Fix, json_str};
use crate::model::SettingsFile;
use crate::syntax::{Node, NodeKind, TextRange};

/// Applies non-overlapping edits to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    // From the end backwards; insertions at one offset end up in array order, as LSP applies them.
    let mut sorted: Vec<(usize, &Edit)> = edits.iter().enumerate().collect();
    sorted.sort_by_key(|(i, e)| std::cmp::Reverse((e.range.start, *i)));
    let sorted = sorted.into_iter().map(|(_, e)| e);
    let mut out = text.to_string();
    for e in sorted {
        if e.range.start <= e.range.end
            && e.range.end <= out.len()
            && out.is_char_boundary(e.range.start)
            && out.is_char_boundary(e.range.end)
        {
            out.replace_range(e.range.clone(), &e.new_text);
        }
    }
    out
}

pub(crate) fn fix(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
    Fix {
        title: title.into(),
        edits,
        files: Vec::new(),
    }
}

/// Appends `line` (with its newline) to a file's text, creating the file when it is missing.
pub(crate) fn append_line(
    path: &std::path::Path,
    text: Option<&str>,
    line: &str,
) -> super::FileEdit {
    let current = text.unwrap_or("");
    let sep = if current.is_empty() || current.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    super::FileEdit {
        path: path.to_path_buf(),
        create: text.is_none(),
        text: current.to_string(),
        edits: vec![replace(
            current.len()..current.len(),
            format!("{sep}{line}\n"),
        )],
    }
}

pub(crate) fn replace(range: TextRange, new_text: impl Into<String>) -> Edit {
    Edit {
        range,
        new_text: new_text.into(),
    }
}

/// Edits that set the member at `path` to the JSON `value` in `file`, creating missing
/// objects on the way. `None` when something on the path is not an object, or the file is not
/// parsed well enough to edit safely.
pub(crate) fn set_member(
    file: &SettingsFile,
    path: &[&str],
    value: serde_json::Value,
) -> Option<Vec<Edit>> {
    let text = &file.text;
    let mut node = file.root()?;
    for (i, key) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        match node.member(key) {
            Some(member) if last => {
                let v = member.value.as_ref()?;
                let indent = line_indent(text, member.key.range().start);
                return Some(vec![replace(
                    v.range(),
                    render(&value, &indent, &indent_unit(text)),
                )]);
            }
            Some(member) => {
                node = member.value.as_ref()?;
                node.as_object()?;
            }
            None => {
                let mut nested = value;
                for k in path[i + 1..].iter().rev() {
                    let mut map = serde_json::Map::new();
                    map.insert((*k).to_string(), nested);
                    nested = serde_json::Value::Object(map);
                }
                return insert_member(text, node, key, &nested).map(|e| vec![e]);
            }
        }
    }
    None
}

/// Edits that move the top-level `member` of `file` to `path` (which must not exist yet) with
/// `value`: one replacement when the member's object is where the new one goes, else an
/// insertion into the existing parent plus the removal of the member.
pub(crate) fn move_member(
    file: &SettingsFile,
    member: &crate::syntax::Member,
    path: &[&str],
    value: serde_json::Value,
) -> Option<Vec<Edit>> {
    let root = file.root()?;
    let text = &file.text;
    let index = root
        .as_object()?
        .members
        .iter()
        .position(|m| std::ptr::eq(m, member))?;
    let (first, rest) = path.split_first()?;
    if root.member(first).is_some() {
        let mut edits = set_member(file, path, value)?;
        edits.push(remove_item(text, root, index)?);
        return Some(edits);
    }
    let mut nested = value;
    for k in rest.iter().rev() {
        let mut map = serde_json::Map::new();
        map.insert((*k).to_string(), nested);
        nested = serde_json::Value::Object(map);
    }
    let end = member.value.as_ref()?.range().end;
    let indent = line_indent(text, member.key.range().start);
    let single_line = !text[root.range()].contains('\n');
    let rendered = if single_line {
        render_inline(&nested)
    } else {
        render(&nested, &indent, &indent_unit(text))
    };
    Some(vec![replace(
        member.key.range().start..end,
        format!("{}: {rendered}", json_str(first)),
    )])
}

/// Inserts `"key": value` into the object `obj`.
pub(crate) fn insert_member(
    text: &str,
    obj: &Node,
    key: &str,
    value: &serde_json::Value,
) -> Option<Edit> {
    let NodeKind::Object(o) = &obj.kind else {
        return None;
    };
    if !text[..obj.range().end].ends_with('}') {
        return None; // unclosed object: no safe place
    }
    let unit = indent_unit(text);
    if let Some(first) = o.members.first() {
        let at = first.key.range().start;
        let single_line = !text[obj.range().start..at].contains('\n');
        let indent = line_indent(text, at);
        let sep = if single_line {
            " ".to_string()
        } else {
            format!("\n{indent}")
        };
        let value = if single_line {
            render_inline(value)
        } else {
            render(value, &indent, &unit)
        };
        return Some(replace(at..at, format!("{}: {value},{sep}", json_str(key))));
    }
    let outer = line_indent(text, obj.range().start);
    let inner = format!("{outer}{unit}");
    let value = render(value, &inner, &unit);
    let interior = obj.range().start + 1..obj.range().end - 1;
    let member = format!("{}: {value}", json_str(key));
    if text[interior.clone()].trim().is_empty() {
        Some(replace(interior, format!("\n{inner}{member}\n{outer}")))
    } else if crate::syntax::parse(&text[interior.clone()]).root.is_none() {
        // only comments inside: keep them after the new member
        Some(replace(
            interior.start..interior.start,
            format!("\n{inner}{member}\n{inner}"),
        ))
    } else {
        None // something unparsable inside: no safe place
    }
}

/// The edit removing member or element `index` of the object or array `container`, with the
/// separating comma and line.
pub(crate) fn remove_item(text: &str, container: &Node, index: usize) -> Option<Edit> {
    let items = item_ranges(container);
    let item = items.get(index)?;
    let range = if let Some(next) = items.get(index + 1) {
        line_start_if_blank_before(text, item.start)..line_start_if_blank_before(text, next.start)
    } else if index > 0 {
        items[index - 1].end..item.end
    } else if text[..container.range().end].ends_with(['}', ']']) {
        container.range().start + 1..container.range().end - 1
    } else {
        item.clone()
    };
    Some(replace(range, ""))
}

/// The ranges of an object's members (key start to value end) or an array's elements.
fn item_ranges(node: &Node) -> Vec<TextRange> {
    match &node.kind {
        NodeKind::Object(o) => o
            .members
            .iter()
            .map(|m| {
                let end = m
                    .value
                    .as_ref()
                    .map_or(m.key.range().end, |v| v.range().end);
                m.key.range().start..end
            })
            .collect(),
        NodeKind::Array(a) => a.items.iter().map(|i| i.range()).collect(),
        _ => Vec::new(),
    }
}

fn line_start_if_blank_before(text: &str, at: usize) -> usize {
    let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    if text[line_start..at].trim().is_empty() {
        line_start
    } else {
        at
    }
}

/// The whitespace that starts the line containing `offset`.
fn line_indent(text: &str, offset: usize) -> String {
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The file's indentation unit: a tab, or the smallest run of leading spaces (default two).
fn indent_unit(text: &str) -> String {
    let mut best: Option<usize> = None;
    for line in text.lines().take(200) {
        if line.starts_with('\t') {
            return "\t".into();
        }
        let n = line.len() - line.trim_start_matches(' ').len();
        if n > 0 && n < line.len() && best.is_none_or(|b| n < b) {
            best = Some(n);
        }
    }
    " ".repeat(best.unwrap_or(2).min(8))
}

/// `value` as JSON on one line, spaced like hand-written JSON: `{ "a": [1, 2] }`.
pub(crate) fn render_inline(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) if !map.is_empty() => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", json_str(k), render_inline(v)))
                .collect();
            format!("{{ {} }}", members.join(", "))
        }
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(render_inline).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// `value` as JSON; nested objects are laid out one member per line, indented from `indent`.
fn render(value: &serde_json::Value, indent: &str, unit: &str) -> String {
    use serde::Serialize;
    if !matches!(
        value,
        serde_json::Value::Object(_) | serde_json::Value::Array(_)
    ) {
        return value.to_string();
    }
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    if value.serialize(&mut ser).is_err() {
        return value.to_string();
    }
    let pretty = String::from_utf8(buf).unwrap_or_default();
    pretty.replace('\n', &format!("\n{indent}"))
}
