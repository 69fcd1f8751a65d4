//! Tokens for the parser, from `jsonc-parser`'s scanner, with lexical recovery.

use super::{ErrorKind, SyntaxError, TextRange};
use compact_str::CompactString;
use jsonc_parser::tokens::Token as ScanToken;
use jsonc_parser::{Scanner, ScannerOptions};
use std::collections::VecDeque;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Str(CompactString),
    Num(CompactString),
    Bool(bool),
    Null,
    /// An unquoted word (`undefined`, a JSON5 key): never valid JSON.
    Word(CompactString),
    /// A token the lexer already reported; stands in for a value so that errors do not cascade.
    Invalid,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub tok: Tok,
    pub range: TextRange,
}

/// Strict JSON plus comments, like Qwen Code's `JSON.parse(stripJsonComments(text))`.
const OPTIONS: ScannerOptions = ScannerOptions {
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

fn error(range: TextRange, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        range,
        kind: ErrorKind::Syntax,
        message: message.into(),
    }
}

/// Tokens on demand: the parser pulls them one at a time, so no list of all tokens is ever
/// built (it used to be the largest allocation of a parse).
pub(super) struct Lexer<'t> {
    text: &'t str,
    /// The scanner, over `text[base..]`; `None` when it must restart at `base`.
    scanner: Option<Scanner<'t>>,
    base: usize,
    gap_start: usize,
    done: bool,
    /// Tokens lexed and not yet taken (recovery can produce a token and go on in one step).
    pending: VecDeque<Token>,
    /// The first line break at or after the last position asked of [`Lexer::line_end`]
    /// (positions only move forward: one scan of each line in all).
    next_break: Option<usize>,
    pub comments: Vec<TextRange>,
    pub errors: Vec<SyntaxError>,
    /// Errors dropped past the first ones (see `parser::compact_errors`).
    pub dropped: usize,
}

impl<'t> Lexer<'t> {
    pub fn new(text: &'t str) -> Self {
        // Qwen Code 0.24.4 strips a leading BOM.
        let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Lexer {
            text,
            scanner: None,
            base,
            gap_start: base,
            done: false,
            pending: VecDeque::new(),
            next_break: None,
            comments: Vec::new(),
            errors: Vec::new(),
            dropped: 0,
        }
    }

    /// The token `n` places ahead, lexing as far as needed.
    pub fn peek(&mut self, n: usize) -> Option<&Token> {
        // An invalid token is handed out only once the garbage run after it is merged into it.
        while (self.pending.len() <= n
            || self
                .pending
                .back()
                .is_some_and(|t| matches!(t.tok, Tok::Invalid)))
            && !self.done
        {
            self.step();
            super::parser::compact_errors(&mut self.errors, &mut self.dropped);
        }
        self.pending.get(n)
    }

    pub fn peek_mut(&mut self) -> Option<&mut Token> {
        self.peek(0)?;
        self.pending.front_mut()
    }

    pub fn next_token(&mut self) -> Option<Token> {
        self.peek(0)?;
        self.pending.pop_front()
    }

    /// Scans once: adds zero or more tokens to `pending`, or ends.
    fn step(&mut self) {
        let text = self.text;
        if self.base >= text.len() && self.scanner.is_none() {
            self.done = true;
            return;
        }
        let base = self.base;
        let scanner = self
            .scanner
            .get_or_insert_with(|| Scanner::new(&text[base..], &OPTIONS));
        let scanned = scanner.scan();
        let (token_start, token_end) = (base + scanner.token_start(), base + scanner.token_end());
        let out = self;
        match scanned {
            Ok(None) => {
                check_gap(text, out.gap_start, text.len(), &mut out.errors);
                out.done = true;
            }
            Ok(Some(token)) => {
                let range = token_start..token_end;
                check_gap(text, out.gap_start, range.start, &mut out.errors);
                out.gap_start = range.end;
                let tok = match token {
                    ScanToken::OpenBrace => Tok::LBrace,
                    ScanToken::CloseBrace => Tok::RBrace,
                    ScanToken::OpenBracket => Tok::LBracket,
                    ScanToken::CloseBracket => Tok::RBracket,
                    ScanToken::Comma => Tok::Comma,
                    ScanToken::Colon => Tok::Colon,
                    ScanToken::String(s) => {
                        let raw = &text[range.clone()];
                        // One pass finds the first control character; only a string that has
                        // one is searched for a line break (the usual string has neither).
                        let control = raw.bytes().position(|b| b < 0x20);
                        let line_break =
                            control.and_then(|i| raw[i..].find(['\n', '\r']).map(|j| i + j));
                        if let Some(nl) = line_break {
                            // A string never spans lines in JSON: treat it as unterminated at
                            // the line break and resume scanning on the next line.
                            let end = range.start + nl;
                            out.errors
                                .push(error(range.start..end, "Unterminated string"));
                            out.pending.push_back(Token {
                                tok: Tok::Invalid,
                                range: range.start..end,
                            });
                            out.restart(end);
                            return;
                        }
                        if let Some(i) = control {
                            let at = range.start + i;
                            out.errors.push(error(
                                at..at + 1,
                                "Control character in string: escape it (e.g. \\t, \\u0000)",
                            ));
                        }
                        Tok::Str(CompactString::from(s))
                    }
                    ScanToken::Number(n) => Tok::Num(CompactString::from(n)),
                    ScanToken::Boolean(b) => Tok::Bool(b),
                    ScanToken::Null => Tok::Null,
                    ScanToken::Word(w) => Tok::Word(CompactString::from(w)),
                    ScanToken::CommentLine(_) | ScanToken::CommentBlock(_) => {
                        out.comments.push(range);
                        return;
                    }
                };
                out.pending.push_back(Token { tok, range });
            }
            Err(err) => {
                let r = err.range();
                check_gap(text, out.gap_start, token_start, &mut out.errors);
                let first = text[token_start..].chars().next().unwrap_or(' ');
                let next_base;
                if first == '"' {
                    // A bad escape or an unterminated string: report it, and resume after
                    // the closing quote on the same line, or at the line's end.
                    let line_end = out.line_end(token_start);
                    let err_start = (base + r.start).min(line_end);
                    let err_end = (base + r.end).clamp(err_start, line_end);
                    match closing_quote(text, err_end, line_end) {
                        Some(close) => {
                            let end = err_end.max(next_char_boundary(text, err_start));
                            out.errors
                                .push(error(err_start..end, lexical_message(&err)));
                            out.pending.push_back(Token {
                                tok: Tok::Str(CompactString::from(&text[token_start + 1..close])),
                                range: token_start..close + 1,
                            });
                            next_base = close + 1;
                        }
                        None => {
                            out.errors
                                .push(error(token_start..line_end, "Unterminated string"));
                            out.pending.push_back(Token {
                                tok: Tok::Invalid,
                                range: token_start..line_end,
                            });
                            next_base = line_end;
                        }
                    }
                } else if first == '\'' {
                    // A single-quoted string: report it, keep its value for the analysis.
                    let line_end = out.line_end(token_start + 1);
                    let close = text[token_start + 1..line_end]
                        .find('\'')
                        .map(|i| token_start + 1 + i);
                    let end = close.map_or(line_end, |c| c + 1);
                    out.errors
                        .push(error(token_start..end, "Strings must use double quotes"));
                    out.pending.push_back(Token {
                        tok: match close {
                            Some(c) => Tok::Str(CompactString::from(&text[token_start + 1..c])),
                            None => Tok::Invalid,
                        },
                        range: token_start..end,
                    });
                    next_base = end;
                } else if first.is_alphabetic() || first == '_' || first == '$' {
                    // An unquoted word; the parser says what is wrong with it.
                    let end = word_end(text, token_start);
                    out.pending.push_back(Token {
                        tok: Tok::Word(CompactString::from(&text[token_start..end])),
                        range: token_start..end,
                    });
                    next_base = end;
                } else {
                    let start = (base + r.start).max(token_start);
                    let end = word_end(text, (base + r.end).max(next_char_boundary(text, start)));
                    // A run of garbage (NUL bytes, a binary file) is one error, not one per byte.
                    let merged = out
                        .errors
                        .last_mut()
                        .filter(|e| e.range.end == start)
                        .is_some_and(|e| {
                            e.range.end = end;
                            true
                        });
                    if !merged {
                        out.errors.push(error(start..end, lexical_message(&err)));
                    }
                    match out.pending.back_mut() {
                        Some(t) if merged && t.tok == Tok::Invalid && t.range.end == start => {
                            t.range.end = end
                        }
                        _ => out.pending.push_back(Token {
                            tok: Tok::Invalid,
                            range: token_start..end,
                        }),
                    }
                    next_base = end;
                }
                out.restart(next_base);
            }
        }
    }

    /// The end of the line `at` is on: the first `\n` or `\r` at or after it, or the end of
    /// the text. Amortised: a run of bad tokens on one long line does not rescan the line for
    /// each (10,000 `'` on one line took a minute).
    fn line_end(&mut self, at: usize) -> usize {
        match self.next_break {
            Some(b) if b >= at => b,
            _ => {
                let b = self.text[at..]
                    .find(['\n', '\r'])
                    .map_or(self.text.len(), |i| at + i);
                self.next_break = Some(b);
                b
            }
        }
    }

    /// Scans on from `at` with a fresh scanner (after lexical recovery).
    fn restart(&mut self, at: usize) {
        self.base = at;
        self.gap_start = at;
        self.scanner = None;
    }
}

/// The first unescaped `"` in `text[from..to]`.
fn closing_quote(text: &str, from: usize, to: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < to {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The end of the run of word characters (letters, digits, `_`, `$`, `-`, `.`, `+`) at `at`.
fn word_end(text: &str, at: usize) -> usize {
    text[at..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '$' | '-' | '.' | '+')))
        .map_or(text.len(), |(i, _)| at + i)
}

fn next_char_boundary(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .map_or(text.len(), |c| at + c.len_utf8())
}

fn lexical_message(err: &jsonc_parser::errors::ParseError) -> String {
    use jsonc_parser::errors::ParseErrorKind as K;
    match err.kind() {
        K::HexadecimalNumbersNotAllowed => "Hexadecimal numbers are not valid JSON".into(),
        K::UnaryPlusNumbersNotAllowed => "A leading `+` is not valid JSON".into(),
        K::BareDecimalPointNumbersNotAllowed => {
            "Numbers need digits on both sides of the decimal point".into()
        }
        K::NonFiniteNumbersNotAllowed => "Infinity and NaN are not valid JSON".into(),
        K::UnterminatedCommentBlock => "Unterminated block comment".into(),
        other => {
            let mut s = other.to_string();
            if let Some(first) = s.get(..1) {
                let upper = first.to_uppercase();
                s.replace_range(..1, &upper);
            }
            s
        }
    }
}

/// Between tokens `JSON.parse` accepts only space, tab, line feed and carriage return.
fn check_gap(text: &str, start: usize, end: usize, errors: &mut Vec<SyntaxError>) {
    // Almost always indentation: check bytes first, chars only when something else is there.
    if text.as_bytes().get(start..end).is_some_and(|gap| {
        gap.iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    }) {
        return;
    }
    let Some(gap) = text.get(start..end) else {
        return;
    };
    if let Some((i, c)) = gap
        .char_indices()
        .find(|&(_, c)| !matches!(c, ' ' | '\t' | '\n' | '\r'))
    {
        let at = start + i;
        errors.push(error(
            at..at + c.len_utf8(),
            format!("Invalid whitespace character U+{:04X}", c as u32),
        ));
    }
}
