//! A recovering recursive-descent parser over the lexer's tokens.

use super::lexer::{Lexer, Tok};
use super::{
    Array, ErrorKind, Key, MAX_DEPTH, Member, Node, NodeKind, Object, Parse, SyntaxError, TextRange,
};
use compact_str::CompactString;

/// Syntax errors reported at most (one more says how many were left out).
pub(super) const MAX_ERRORS: usize = 100;

/// Parses `text`. Never fails: see the module docs of [`crate::syntax`].
pub fn parse(text: &str) -> Parse {
    if text.len() > MAX_TEXT {
        return Parse {
            root: None,
            errors: vec![SyntaxError {
                range: 0..0,
                kind: ErrorKind::Syntax,
                message: format!("The document is over {MAX_TEXT} bytes: it is not parsed"),
            }],
            comments: Vec::new(),
        };
    }
    parse_at(text, 0)
}

/// Keeps only the first errors by position once many have gathered, counting the others: a
/// garbage file gives an error every few bytes, and only the first [`MAX_ERRORS`] are listed
/// (1 MB of single quotes held 400 MB of errors and members). Errors may arrive out of order
/// (an unclosed brace is reported when its object ends), so the smallest positions are kept.
/// The count of those dropped is not deduplicated by position as the kept ones are, so "N more
/// syntax errors" may count a position twice.
pub(super) fn compact_errors(errors: &mut Vec<SyntaxError>, dropped: &mut usize) {
    const KEEP: usize = MAX_ERRORS + 1;
    if errors.len() >= 8 * KEEP {
        // The newest stays last: the lexer extends it over a run of garbage.
        let newest = errors.pop();
        errors.sort_by_key(|e| (e.range.start, e.range.end));
        *dropped += errors.len() - KEEP;
        errors.truncate(KEEP);
        errors.extend(newest);
    }
}

/// The largest text [`parse`] reads: its offsets are kept in 32 bits where that halves a node.
pub const MAX_TEXT: usize = u32::MAX as usize;

/// Parses `text` as if its value sat `depth` levels deep (for re-parsing a fragment).
pub(super) fn parse_at(text: &str, depth: usize) -> Parse {
    let mut p = Parser {
        lexer: Lexer::new(text),
        members: Vec::new(),
        items: Vec::new(),
        errors: Vec::new(),
        dropped: 0,
        text_len: text.len(),
    };
    let root = p.root(depth);
    let dropped = p.dropped + p.lexer.dropped;
    let mut errors = p.lexer.errors;
    errors.append(&mut p.errors);
    errors.sort_by_key(|e| (e.range.start, e.range.end));
    errors.dedup_by(|a, b| a.range.start == b.range.start);
    // Past a point more errors say nothing new, and a binary file would produce millions.
    if errors.len() + dropped > MAX_ERRORS {
        let rest = errors.len() + dropped - MAX_ERRORS;
        let at = errors[MAX_ERRORS].range.clone();
        errors.truncate(MAX_ERRORS);
        errors.push(SyntaxError {
            range: at,
            kind: ErrorKind::Syntax,
            message: format!("{rest} more syntax errors from here on are not listed"),
        });
    }
    Parse {
        root,
        errors,
        comments: p.lexer.comments,
    }
}

struct Parser<'t> {
    /// Tokens are pulled as the parser goes; string values move from them into the tree.
    lexer: Lexer<'t>,
    /// The members and items of the objects and arrays being parsed, innermost last: each
    /// container takes its own off the top when it closes.
    members: Vec<Member>,
    items: Vec<Node>,
    errors: Vec<SyntaxError>,
    /// Errors dropped by [`compact_errors`] (past the first ones by position).
    dropped: usize,
    text_len: usize,
}

impl Parser<'_> {
    fn peek(&mut self) -> Option<&Tok> {
        self.lexer.peek(0).map(|t| &t.tok)
    }

    fn peek_at(&mut self, n: usize) -> Option<&Tok> {
        self.lexer.peek(n).map(|t| &t.tok)
    }

    fn range(&mut self) -> TextRange {
        match self.lexer.peek(0) {
            Some(t) => t.range.clone(),
            None => self.text_len..self.text_len,
        }
    }

    fn bump(&mut self) -> TextRange {
        match self.lexer.next_token() {
            Some(t) => t.range,
            None => self.text_len..self.text_len,
        }
    }

    fn error(&mut self, range: TextRange, message: impl Into<String>) {
        self.errors.push(SyntaxError {
            range,
            kind: ErrorKind::Syntax,
            message: message.into(),
        });
        compact_errors(&mut self.errors, &mut self.dropped);
    }

    fn root(&mut self, depth: usize) -> Option<Node> {
        if self.peek().is_none() {
            self.error(0..0, "The file is empty");
            return None;
        }
        let root = loop {
            match self.peek() {
                None => break None,
                Some(t) if starts_value(t) => break self.value(depth),
                Some(_) => {
                    let r = self.bump();
                    self.error(r, "Expected a JSON value");
                }
            }
        };
        if self.peek().is_some() {
            let start = self.range().start;
            let mut end = start;
            while let Some(t) = self.lexer.next_token() {
                end = t.range.end;
            }
            self.error(
                start..end,
                "Unexpected content after the end of the settings object",
            );
        }
        root
    }

    /// Takes the current token out of the list (it is consumed next).
    fn take(&mut self) -> Option<Tok> {
        let t = self.lexer.peek_mut()?;
        Some(match &mut t.tok {
            Tok::Str(s) => Tok::Str(std::mem::take(s)),
            Tok::Num(s) => Tok::Num(std::mem::take(s)),
            Tok::Word(s) => Tok::Word(std::mem::take(s)),
            other => other.clone(),
        })
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        let range = self.range();
        if matches!(self.peek()?, Tok::LBrace | Tok::LBracket) {
            return self.container(depth);
        }
        let tok = self.take()?;
        let kind = match tok {
            Tok::LBrace | Tok::LBracket => unreachable!("handled by container"),
            Tok::Str(s) => NodeKind::String(s),
            Tok::Num(n) => NodeKind::Number(n),
            Tok::Bool(b) => NodeKind::Bool(b),
            Tok::Null => NodeKind::Null,
            Tok::Word(w) => {
                self.bump();
                self.error(
                    range.clone(),
                    format!("`{w}` is not a JSON value: strings need double quotes"),
                );
                return Some(Node::new(range, NodeKind::String(w)));
            }
            Tok::Invalid => {
                self.bump();
                return None;
            }
            Tok::RBrace | Tok::RBracket | Tok::Comma | Tok::Colon => return None,
        };
        self.bump();
        Some(Node::new(range, kind))
    }

    fn container(&mut self, depth: usize) -> Option<Node> {
        if depth >= MAX_DEPTH {
            let start = self.range().start;
            let end = self.skip_balanced();
            self.error(
                start..end,
                format!("Nesting deeper than {MAX_DEPTH} levels is not analysed"),
            );
            return None;
        }
        match self.peek()? {
            Tok::LBrace => Some(self.object(depth)),
            _ => Some(self.array(depth)),
        }
    }

    /// Skips one bracketed value without recursion; returns its end.
    fn skip_balanced(&mut self) -> usize {
        let mut depth = 0usize;
        let mut end = self.range().end;
        while let Some(tok) = self.peek() {
            match tok {
                Tok::LBrace | Tok::LBracket => depth += 1,
                Tok::RBrace | Tok::RBracket => depth = depth.saturating_sub(1),
                _ => {}
            }
            end = self.bump().end;
            if depth == 0 {
                break;
            }
        }
        end
    }

    fn object(&mut self, depth: usize) -> Node {
        let open = self.bump();
        let base = self.members.len();
        let end = loop {
            let colon_next = self.peek_at(1) == Some(&Tok::Colon);
            match self.peek() {
                None => {
                    self.error(open.clone(), "This `{` is never closed");
                    break self.text_len;
                }
                Some(Tok::RBrace) => break self.bump().end,
                Some(Tok::RBracket) => {
                    // `]` where `}` belongs: report it, and close the object here.
                    let r = self.range();
                    self.error(r.clone(), "Expected `}` to close the object, found `]`");
                    self.bump();
                    break r.end;
                }
                Some(Tok::Comma) => {
                    let r = self.bump();
                    self.error(r, "Unexpected comma: expected a property name");
                }
                Some(Tok::Invalid) => {
                    // already reported by the lexer
                    self.bump();
                    self.recover_in_object();
                }
                Some(t @ (Tok::Str(_) | Tok::Word(_) | Tok::Num(_) | Tok::Bool(_) | Tok::Null))
                    if colon_next || matches!(t, Tok::Str(_)) =>
                {
                    let member = self.member(depth);
                    let has_comma = member.comma.is_some();
                    self.members.push(member);
                    if !has_comma && !matches!(self.peek(), None | Some(Tok::RBrace)) {
                        let r = self.range();
                        if starts_member(self.peek()) {
                            self.error(r, "Expected a comma before this property");
                        } else {
                            self.error(r, "Expected a comma or `}`");
                            self.recover_in_object();
                        }
                    }
                }
                Some(_) => {
                    let r = self.range();
                    self.error(r, "Expected a property name in double quotes");
                    self.recover_in_object();
                }
            }
        };
        // One allocation of the exact size (the tree lives as long as the document).
        let members: Box<[Member]> = self.members.drain(base..).collect();
        Node {
            range: (open.start..end).into(),
            kind: NodeKind::Object(Object { members }),
        }
    }

    fn member(&mut self, depth: usize) -> Member {
        let key_range = self.range();
        let (text, quoted) = match self.take() {
            Some(Tok::Str(s)) => (s, true),
            Some(Tok::Word(w) | Tok::Num(w)) => (w, false),
            Some(Tok::Bool(b)) => (
                CompactString::const_new(if b { "true" } else { "false" }),
                false,
            ),
            _ => (CompactString::const_new("null"), false),
        };
        if !quoted {
            self.error(key_range.clone(), "Property names must be in double quotes");
        }
        self.bump();
        let key = Key {
            text,
            range: key_range.clone().into(),
        };
        if self.peek() == Some(&Tok::Colon) {
            self.bump();
        } else {
            let r = self.range();
            let at_end = self.peek().is_none();
            self.error(
                if at_end { key_range } else { r },
                "Expected `:` after the property name",
            );
            if !self.peek().is_some_and(starts_value) || starts_member(self.peek()) {
                // `"a" "b": 1` — treat the next string as the next key.
                return Member {
                    key,
                    value: None,
                    comma: self.comma(Tok::RBrace),
                };
            }
        }
        let value = if self.peek().is_some_and(starts_value) {
            self.value(depth + 1)
        } else {
            let r = self.range();
            self.error(r, "Expected a value");
            None
        };
        Member {
            key,
            value,
            comma: self.comma(Tok::RBrace),
        }
    }

    /// Consumes a comma after a member or element, reporting a trailing one.
    fn comma(&mut self, close: Tok) -> Option<u32> {
        if self.peek() != Some(&Tok::Comma) {
            return None;
        }
        let r = self.bump();
        if self.peek() == Some(&close) {
            self.errors.push(SyntaxError {
                range: r.clone(),
                kind: ErrorKind::TrailingComma,
                message: "Trailing comma".into(),
            });
            compact_errors(&mut self.errors, &mut self.dropped);
        }
        // Offsets fit in u32: `parse` refuses larger texts.
        Some(r.start as u32)
    }

    /// Skips to the next comma, `}` or property name at this level.
    fn recover_in_object(&mut self) {
        loop {
            let colon_next = self.peek_at(1) == Some(&Tok::Colon);
            match self.peek() {
                None | Some(Tok::RBrace) => return,
                Some(Tok::Comma) => {
                    self.bump();
                    return;
                }
                Some(Tok::Str(_)) if colon_next => return,
                Some(Tok::LBrace | Tok::LBracket) => {
                    self.skip_balanced();
                }
                Some(_) => {
                    self.bump();
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Node {
        let open = self.bump();
        let base = self.items.len();
        let end = loop {
            match self.peek() {
                None => {
                    self.error(open.clone(), "This `[` is never closed");
                    break self.text_len;
                }
                Some(Tok::RBracket) => break self.bump().end,
                Some(Tok::RBrace) => {
                    let r = self.range();
                    self.error(r.clone(), "Expected `]` to close the array, found `}`");
                    self.bump();
                    break r.end;
                }
                Some(Tok::Comma) => {
                    let r = self.bump();
                    self.error(r, "Unexpected comma: expected a value");
                }
                Some(Tok::Colon) => {
                    let r = self.bump();
                    self.error(r, "Unexpected `:` in an array");
                }
                Some(_) => {
                    if let Some(item) = self.value(depth + 1) {
                        self.items.push(item);
                    }
                    let has_comma = self.comma(Tok::RBracket).is_some();
                    if !has_comma && !matches!(self.peek(), None | Some(Tok::RBracket)) {
                        let r = self.range();
                        if self.peek().is_some_and(starts_value) {
                            self.error(r, "Expected a comma before this value");
                        } else {
                            self.error(r, "Expected a comma or `]`");
                            if self.peek() != Some(&Tok::RBrace) {
                                self.bump();
                            }
                        }
                    }
                }
            }
        };
        let items: Box<[Node]> = self.items.drain(base..).collect();
        Node {
            range: (open.start..end).into(),
            kind: NodeKind::Array(Array { items }),
        }
    }
}

fn starts_value(t: &Tok) -> bool {
    matches!(
        t,
        Tok::LBrace
            | Tok::LBracket
            | Tok::Str(_)
            | Tok::Num(_)
            | Tok::Bool(_)
            | Tok::Null
            | Tok::Word(_)
            | Tok::Invalid
    )
}

fn starts_member(t: Option<&Tok>) -> bool {
    matches!(t, Some(Tok::Str(_) | Tok::Word(_)))
}
