//! Syntax layer: a tolerant JSONC tree with byte ranges.
//!
//! Qwen Code reads settings with `JSON.parse` after stripping comments, so the grammar here is
//! strict JSON plus `//` and `/* */` comments (and a leading BOM, which 0.24.4 strips).
//! Parsing never fails: [`parse`] returns the tree it could build plus every error it found,
//! recovering at the next member, element or closing bracket, so that a missing comma on one
//! line does not hide the rest of the file from the analysis.
//!
//! Tokens come from `jsonc-parser`'s scanner; this module adds what `JSON.parse` rejects and
//! the scanner lets through (raw control characters in strings, non-JSON whitespace) and the
//! recovering grammar on top.

mod lexer;
mod parser;
mod reparse;
#[cfg(test)]
mod tests;

use std::ops::Range;

/// Strings in the tree: most keys and values are short and stored inline (no allocation).
pub use compact_str::CompactString;

pub use parser::parse;
pub use reparse::reparse;

/// Byte range into the parsed text.
pub type TextRange = Range<usize>;

/// Deepest nesting the parser descends into; deeper values are skipped with an error.
pub const MAX_DEPTH: usize = 256;

/// A byte range kept in 8 bytes inside the tree (offsets fit in 32 bits: [`parse`] refuses
/// larger texts); [`Node::range`] and [`Key::range`] hand it out as a [`TextRange`].
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    pub fn range(self) -> TextRange {
        self.start as usize..self.end as usize
    }
}

impl From<TextRange> for Span {
    /// Offsets past `u32::MAX` are clamped (never produced: see [`parser::MAX_TEXT`]).
    fn from(r: TextRange) -> Self {
        let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Span {
            start: clamp(r.start),
            end: clamp(r.end),
        }
    }
}

impl std::fmt::Debug for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.range().fmt(f)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    range: Span,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Object(Object),
    Array(Array),
    String(CompactString),
    /// The number as written (the text keeps `1.0` apart from `1`).
    Number(CompactString),
    Bool(bool),
    Null,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Object {
    pub members: Box<[Member]>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Array {
    pub items: Box<[Node]>,
}

// The tree is most of a document's memory: these sizes (64-bit targets) only shrink.
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(std::mem::size_of::<Node>() == 40);
    assert!(std::mem::size_of::<Member>() == 80);
};

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: Key,
    /// `None` when the value is missing (`"a": }`).
    pub value: Option<Node>,
    /// The byte offset of the comma that follows this member, if any (a comma is one byte;
    /// four bytes here instead of a 24-byte range: a tenth of a large tree).
    pub comma: Option<u32>,
}

impl Member {
    /// The range of the comma that follows this member, if any.
    pub fn comma_range(&self) -> Option<TextRange> {
        self.comma.map(|at| at as usize..at as usize + 1)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub text: CompactString,
    /// The key token with its quotes.
    range: Span,
}

impl Key {
    /// The key token with its quotes.
    pub fn range(&self) -> TextRange {
        self.range.range()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A comma before `}` or `]`.
    TrailingComma,
    /// Anything else `JSON.parse` rejects.
    Syntax,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub kind: ErrorKind,
    pub message: String,
}

/// The result of parsing: a tree (when any value was found) and all errors.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Parse {
    pub root: Option<Node>,
    pub errors: Vec<SyntaxError>,
    /// Ranges of all comments, in order.
    pub comments: Vec<TextRange>,
}

impl Parse {
    /// Whether there were more syntax errors than are listed: the list then ends with one that
    /// says how many more follow from its position on.
    pub fn errors_capped(&self) -> bool {
        self.errors.len() > parser::MAX_ERRORS
    }

    /// The root object, when the root is an object.
    pub fn root_object(&self) -> Option<(&Node, &Object)> {
        let root = self.root.as_ref()?;
        root.as_object().map(|o| (root, o))
    }
}

impl Node {
    pub fn new(range: TextRange, kind: NodeKind) -> Self {
        Node {
            range: range.into(),
            kind,
        }
    }

    /// The value's text, brackets and quotes included.
    pub fn range(&self) -> TextRange {
        self.range.range()
    }

    pub fn as_object(&self) -> Option<&Object> {
        match &self.kind {
            NodeKind::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Array> {
        match &self.kind {
            NodeKind::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object member `key` (the last one when the key is repeated, as in `JSON.parse`).
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.as_object()?.member(key)
    }

    /// The value of member `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key)?.value.as_ref()
    }

    /// Follows a path of object keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The range of the opening bracket of an object or array, else the whole value.
    pub fn open_range(&self) -> TextRange {
        match self.kind {
            NodeKind::Object(_) | NodeKind::Array(_) => self.range().start..self.range().start + 1,
            _ => self.range(),
        }
    }

    /// A short name of the value's JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Object(_) => "an object",
            NodeKind::Array(_) => "an array",
            NodeKind::String(_) => "a string",
            NodeKind::Number(_) => "a number",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Null => "null",
        }
    }
}

impl Object {
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.members.iter().rev().find(|m| m.key.text == key)
    }
}
