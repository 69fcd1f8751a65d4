//! Incremental re-parsing: after an edit, only the smallest object or array around it is lexed
//! and parsed again; the rest of the tree is kept and its ranges are shifted.
//!
//! The result is always what [`parse`] gives for the new text. Re-parsing a fragment is exact
//! when the fragment starts and ends at the same brackets as before and parses alone as one
//! value of the same kind with no error: every token boundary outside it is then unchanged, so
//! the lexer and the parser would have done the same there. Anything else (an edit that touches
//! a bracket, a file that already had errors, a fragment that now has one) falls back to a full
//! parse, which is what it costs today anyway.

use super::parser::{parse, parse_at};
use super::{Node, NodeKind, Parse, TextRange};
use crate::text::{Changed, TextEdit};

/// The parse of `text`, reusing `old`, the parse of the text before `changed`.
pub fn reparse(old: Option<Parse>, text: &str, changed: Option<Changed>) -> Parse {
    match (old, changed) {
        (Some(old), None) => old,
        (Some(mut old), Some(Changed::Range(edit))) if text.len() <= super::parser::MAX_TEXT => {
            if reparse_in_place(&mut old, text, &edit) {
                old
            } else {
                drop(old); // free the old tree before the new one is built
                parse(text)
            }
        }
        _ => parse(text),
    }
}

/// Applies `edit` to `parse` (of the old text), given the new `text`; false when it cannot be
/// done incrementally (then `parse` is left as it was).
pub(super) fn reparse_in_place(parse: &mut Parse, text: &str, edit: &TextEdit) -> bool {
    if !parse.errors.is_empty() {
        return false;
    }
    let Some(root) = parse.root.as_mut() else {
        return false;
    };
    surrounds(root, edit) && splice(root, 0, edit, text, &mut parse.comments)
}

/// Whether `node` is an object or array whose brackets are both outside `edit`.
fn surrounds(node: &Node, edit: &TextEdit) -> bool {
    matches!(node.kind, NodeKind::Object(_) | NodeKind::Array(_))
        && node.range().start < edit.start
        && edit.old_end < node.range().end
}

/// Re-parses the innermost container inside `node` (which surrounds `edit`, at `depth`) that
/// surrounds the edit, and shifts what follows it.
fn splice(
    node: &mut Node,
    depth: usize,
    edit: &TextEdit,
    text: &str,
    comments: &mut Vec<TextRange>,
) -> bool {
    let delta = edit.delta();
    match &mut node.kind {
        NodeKind::Object(o) => {
            let i = o
                .members
                .partition_point(|m| m.key.range().start < edit.start);
            if let Some(m) = i.checked_sub(1).map(|j| &mut o.members[j])
                && let Some(value) = m.value.as_mut().filter(|v| surrounds(v, edit))
            {
                if !splice(value, depth + 1, edit, text, comments) {
                    return false;
                }
                shift_comma(&mut m.comma, delta);
                for m in &mut o.members[i..] {
                    shift_member(m, delta);
                }
                shift_end(&mut node.range, delta);
                return true;
            }
        }
        NodeKind::Array(a) => {
            let i = a
                .items
                .partition_point(|item| item.range().start < edit.start);
            if let Some(item) = i.checked_sub(1).map(|j| &mut a.items[j])
                && surrounds(item, edit)
            {
                if !splice(item, depth + 1, edit, text, comments) {
                    return false;
                }
                for item in &mut a.items[i..] {
                    shift_node(item, delta);
                }
                shift_end(&mut node.range, delta);
                return true;
            }
        }
        _ => return false,
    }
    // No child surrounds the edit: parse again only the children around it when there are
    // many (an edit between two entries of a long list), else the whole container.
    if let Some(done) = splice_children(node, depth, edit, text, comments) {
        return done;
    }
    let start = node.range().start;
    let old_end = node.range().end;
    let new_end = shift(old_end, delta);
    let Some(fragment) = text.get(start..new_end) else {
        return false;
    };
    let parsed = parse_at(fragment, depth);
    let Some(mut fresh) = parsed.root else {
        return false;
    };
    let same_kind = matches!(
        (&fresh.kind, &node.kind),
        (NodeKind::Object(_), NodeKind::Object(_)) | (NodeKind::Array(_), NodeKind::Array(_))
    );
    if !parsed.errors.is_empty() || !same_kind || fresh.range() != (0..fragment.len()) {
        return false;
    }
    shift_node(&mut fresh, start as isize);
    replace_comments(
        comments,
        start..old_end,
        parsed.comments,
        start as isize,
        delta,
    );
    *node = fresh;
    true
}

/// Children of a container below this many are re-parsed with it.
const FEW_CHILDREN: usize = 8;

/// Re-parses the run of children of `node` from the last one that starts before the edit to the
/// first one that ends after it, as a list of their own (wrapped in the container's brackets).
/// `None` when that does not apply (few children, the edit reaches the first or last one);
/// `Some(false)` when the run no longer parses cleanly (then the caller falls back).
fn splice_children(
    node: &mut Node,
    depth: usize,
    edit: &TextEdit,
    text: &str,
    comments: &mut Vec<TextRange>,
) -> Option<bool> {
    let delta = edit.delta();
    // (first, last) child indices and the byte span [from, to) they cover in the old text.
    let (first, last, from, to, open, close) = match &node.kind {
        NodeKind::Object(o) if o.members.len() >= FEW_CHILDREN => {
            let first = o
                .members
                .partition_point(|m| m.key.range().start < edit.start)
                .checked_sub(1)?;
            let end_of = |m: &super::Member| m.value.as_ref().map(|v| v.range().end);
            let last = first
                + o.members[first..]
                    .iter()
                    .position(|m| end_of(m).is_some_and(|end| end > edit.old_end))?;
            let to = end_of(&o.members[last])?;
            (
                first,
                last,
                o.members[first].key.range().start,
                to,
                "{",
                "}",
            )
        }
        NodeKind::Array(a) if a.items.len() >= FEW_CHILDREN => {
            let first = a
                .items
                .partition_point(|i| i.range().start < edit.start)
                .checked_sub(1)?;
            let last = first
                + a.items[first..]
                    .iter()
                    .position(|i| i.range().end > edit.old_end)?;
            (
                first,
                last,
                a.items[first].range().start,
                a.items[last].range().end,
                "[",
                "]",
            )
        }
        _ => return None,
    };
    let new_to = shift(to, delta);
    let Some(run) = text.get(from..new_to) else {
        return Some(false);
    };
    let fragment = format!("{open}{run}{close}");
    let parsed = parse_at(&fragment, depth);
    let Some(mut fresh) = parsed.root else {
        return Some(false);
    };
    if !parsed.errors.is_empty() || fresh.range() != (0..fragment.len()) {
        return Some(false);
    }
    // The fragment's offsets are one bracket ahead of the text's.
    let offset = from as isize - 1;
    match (&mut node.kind, &mut fresh.kind) {
        (NodeKind::Object(o), NodeKind::Object(f)) if !f.members.is_empty() => {
            for m in &mut f.members {
                shift_member(m, offset);
            }
            // The comma after the run is outside it: the last member keeps its own.
            let mut after = o.members[last].comma;
            shift_comma(&mut after, delta);
            if let Some(m) = f.members.last_mut() {
                m.comma = after;
            }
            for m in &mut o.members[last + 1..] {
                shift_member(m, delta);
            }
            splice_run(&mut o.members, first..=last, std::mem::take(&mut f.members));
        }
        (NodeKind::Array(a), NodeKind::Array(f)) if !f.items.is_empty() => {
            for item in &mut f.items {
                shift_node(item, offset);
            }
            for item in &mut a.items[last + 1..] {
                shift_node(item, delta);
            }
            splice_run(&mut a.items, first..=last, std::mem::take(&mut f.items));
        }
        _ => return Some(false),
    }
    shift_end(&mut node.range, delta);
    replace_comments(comments, from..to, parsed.comments, offset, delta);
    Some(true)
}

/// Replaces the children `run` of a container with `fresh`: in place when they are as many
/// (the usual edit inside one child), else in a new slice of the exact size.
fn splice_run<T>(children: &mut Box<[T]>, run: std::ops::RangeInclusive<usize>, fresh: Box<[T]>) {
    if run.end() + 1 - run.start() == fresh.len() {
        for (slot, child) in children[run].iter_mut().zip(fresh) {
            *slot = child;
        }
    } else {
        let mut all = std::mem::take(children).into_vec();
        all.splice(run, fresh);
        *children = all.into_boxed_slice();
    }
}

/// Replaces the comments that were in `old` (old text) with `fresh` (fragment offsets, moved by
/// `offset`), and moves those after `old` by `delta`.
fn replace_comments(
    comments: &mut Vec<TextRange>,
    old: TextRange,
    fresh: Vec<TextRange>,
    offset: isize,
    delta: isize,
) {
    let lo = comments.partition_point(|c| c.start < old.start);
    let hi = comments.partition_point(|c| c.start < old.end);
    for c in &mut comments[hi..] {
        shift_range(c, delta);
    }
    comments.splice(
        lo..hi,
        fresh
            .into_iter()
            .map(|c| shift(c.start, offset)..shift(c.end, offset)),
    );
}

fn shift(offset: usize, delta: isize) -> usize {
    offset.saturating_add_signed(delta)
}

fn shift_span(span: &mut super::Span, delta: isize) {
    // Offsets fit in u32: `parse` refuses larger texts.
    span.start = shift(span.start as usize, delta) as u32;
    shift_end(span, delta);
}

/// Moves the end of a container whose inside changed by `delta` bytes.
fn shift_end(span: &mut super::Span, delta: isize) {
    span.end = shift(span.end as usize, delta) as u32;
}

fn shift_range(range: &mut TextRange, delta: isize) {
    range.start = shift(range.start, delta);
    range.end = shift(range.end, delta);
}

/// Moves a member (key, value, comma) by `delta` bytes.
fn shift_member(m: &mut super::Member, delta: isize) {
    shift_span(&mut m.key.range, delta);
    if let Some(v) = &mut m.value {
        shift_node(v, delta);
    }
    shift_comma(&mut m.comma, delta);
}

fn shift_comma(comma: &mut Option<u32>, delta: isize) {
    if let Some(at) = comma {
        // Offsets fit in u32: `parse` refuses larger texts.
        *at = shift(*at as usize, delta) as u32;
    }
}

/// Moves `node` and everything in it by `delta` bytes.
fn shift_node(node: &mut Node, delta: isize) {
    shift_span(&mut node.range, delta);
    match &mut node.kind {
        NodeKind::Object(o) => {
            for m in &mut o.members {
                shift_member(m, delta);
            }
        }
        NodeKind::Array(a) => {
            for item in &mut a.items {
                shift_node(item, delta);
            }
        }
        _ => {}
    }
}
