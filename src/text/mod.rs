//! Text layer: the document buffer and position encodings.
//!
//! This is the only module that converts between byte offsets (what the parser and the
//! analysis speak) and line/character positions (what editors and CLI output speak).
//! Every conversion clamps: a position past the end of a line means the end of that line's
//! content, a line past the end of the text means the end of the text. Nothing here panics
//! on any input.

use ropey::Rope;
use std::ops::Range;

/// How the `character` of a [`Position`] is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units, the LSP default.
    Utf16,
    /// Unicode scalar values (chars), as rustc and Neovim's `utf-32` count columns.
    Utf32,
}

/// A 0-based line and a 0-based column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

/// A half-open range of positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct PosRange {
    pub start: Position,
    pub end: Position,
}

/// One change of a document: replace `range` (or the whole text when `None`) with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub range: Option<PosRange>,
    pub text: String,
}

/// A line index over a rope: converts byte offsets to positions and back.
///
/// The rope is configured (`cr_lines`, no `unicode_lines`) so that exactly `\n`, `\r\n`
/// and `\r` end a line, as in LSP.
pub struct LineIndex<'a> {
    rope: &'a Rope,
}

impl<'a> LineIndex<'a> {
    pub fn new(rope: &'a Rope) -> Self {
        Self { rope }
    }

    /// The byte offset of `pos`, clamped to the text and to the line's content.
    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        let char_idx = self.char_index(pos, enc);
        self.rope.char_to_byte(char_idx)
    }

    /// The position of byte `offset`, clamped to the text and rounded down to a char boundary.
    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        let rope = self.rope;
        let offset = offset.min(rope.len_bytes());
        let char_idx = rope.byte_to_char(offset);
        let line = rope.char_to_line(char_idx);
        let line_start = rope.line_to_char(line);
        let character = match enc {
            Encoding::Utf8 => rope.char_to_byte(char_idx) - rope.line_to_byte(line),
            Encoding::Utf16 => rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start),
            Encoding::Utf32 => char_idx - line_start,
        };
        Position {
            line: saturate(line),
            character: saturate(character),
        }
    }

    pub fn range(&self, range: Range<usize>, enc: Encoding) -> PosRange {
        PosRange {
            start: self.position(range.start, enc),
            end: self.position(range.end, enc),
        }
    }

    /// The char index of `pos`, clamped (see module docs).
    fn char_index(&self, pos: Position, enc: Encoding) -> usize {
        let rope = self.rope;
        let last_line = rope.len_lines().saturating_sub(1);
        let line = pos.line as usize;
        if line > last_line {
            return rope.len_chars();
        }
        let start = rope.line_to_char(line);
        let end = start + line_content_chars(rope, line);
        let col = pos.character as usize;
        let idx = match enc {
            Encoding::Utf8 => {
                let byte = rope.line_to_byte(line).saturating_add(col);
                rope.try_byte_to_char(byte).unwrap_or(end)
            }
            Encoding::Utf16 => {
                let cu = rope.char_to_utf16_cu(start).saturating_add(col);
                rope.try_utf16_cu_to_char(cu).unwrap_or(end)
            }
            Encoding::Utf32 => start.saturating_add(col),
        };
        idx.min(end)
    }
}

/// Number of chars on `line`, excluding its line break.
fn line_content_chars(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
    }
    if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    len
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What changed between two texts, as one byte range: `old[start..old_end]` became
/// `new[start..new_end]`, and everything outside it is the same (after `old_end`, shifted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl TextEdit {
    /// How far bytes after the edit moved.
    pub fn delta(&self) -> isize {
        self.new_end as isize - self.old_end as isize
    }

    /// This edit followed by `next` (given in the coordinates of the text after `self`), as one
    /// edit covering both.
    pub fn then(self, next: TextEdit) -> TextEdit {
        let hi = self.new_end.max(next.old_end);
        TextEdit {
            start: self.start.min(next.start),
            old_end: (hi as isize - self.delta()) as usize,
            new_end: (hi as isize + next.delta()) as usize,
        }
    }
}

/// Edits since some earlier text: one covering range, or "anything may have changed".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Changed {
    Range(TextEdit),
    All,
}

impl Changed {
    fn then(self, next: Changed) -> Changed {
        match (self, next) {
            (Changed::Range(a), Changed::Range(b)) => Changed::Range(a.then(b)),
            _ => Changed::All,
        }
    }
}

/// Brings `old`, the text before `edit`, up to `rope`, the text after it, by replacing only
/// the edited bytes (no copy of the whole rope). Returns false, leaving `old` as it was, when
/// the edit does not fit the two texts.
pub fn patch(old: &mut String, rope: &Rope, edit: &TextEdit) -> bool {
    let Some(inserted) = rope.get_byte_slice(edit.start..edit.new_end) else {
        return false;
    };
    if edit.old_end > old.len()
        || !old.is_char_boundary(edit.start)
        || !old.is_char_boundary(edit.old_end)
        || old.len() - (edit.old_end - edit.start) + (edit.new_end - edit.start) != rope.len_bytes()
    {
        return false;
    }
    let inserted: String = inserted.chunks().collect();
    // Grow by a little, not by doubling: the text is the size of the document.
    let grow = inserted.len().saturating_sub(edit.old_end - edit.start);
    if old.capacity() - old.len() < grow {
        old.reserve_exact(grow + slack(old.len()));
    }
    old.replace_range(edit.start..edit.old_end, &inserted);
    true
}

/// Room left at the end of a document's text for typing (about 0.4 %, at least 4 KiB), so that
/// [`patch`] reallocates it once per so many inserted bytes, never on each keystroke.
fn slack(len: usize) -> usize {
    (len / 256).max(4096)
}

/// The whole text of `rope`, in a string of its size plus a little room for typing
/// (`Rope::to_string` formats it into a string that grows by doubling: up to twice the
/// document).
pub fn rope_text(rope: &Rope) -> String {
    let mut text = String::with_capacity(rope.len_bytes() + slack(rope.len_bytes()));
    for chunk in rope.chunks() {
        text.push_str(chunk);
    }
    text
}

/// An open document: its text and the version the editor gave it.
#[derive(Clone, Debug)]
pub struct Document {
    rope: Rope,
    version: i32,
    /// What changed since [`Document::take_changed`] was last called (`None`: nothing).
    changed: Option<Changed>,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Self {
        Self {
            rope: Rope::from_str(text),
            version,
            changed: Some(Changed::All),
        }
    }

    /// What changed since the last call (the first call after [`Document::new`] says
    /// [`Changed::All`]); `None` when nothing did.
    pub fn take_changed(&mut self) -> Option<Changed> {
        self.changed.take()
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn text(&self) -> String {
        rope_text(&self.rope)
    }

    pub fn line_index(&self) -> LineIndex<'_> {
        LineIndex::new(&self.rope)
    }

    /// Applies `changes` in order, then records `version`. Ranges are clamped; a range whose
    /// end precedes its start is treated as empty at its start.
    pub fn apply(
        &mut self,
        changes: impl IntoIterator<Item = Change>,
        version: i32,
        enc: Encoding,
    ) {
        for change in changes {
            let changed = match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    Changed::All
                }
                Some(range) => {
                    let index = LineIndex::new(&self.rope);
                    let start = index.char_index(range.start, enc);
                    let end = index.char_index(range.end, enc).max(start);
                    let start_byte = self.rope.char_to_byte(start);
                    let end_byte = self.rope.char_to_byte(end);
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                    Changed::Range(TextEdit {
                        start: start_byte,
                        old_end: end_byte,
                        new_end: start_byte + change.text.len(),
                    })
                }
            };
            self.changed = Some(match self.changed {
                Some(before) => before.then(changed),
                None => changed,
            });
        }
        self.version = version;
    }
}

#[cfg(test)]
mod tests;
