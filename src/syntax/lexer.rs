//! Tokens for the parser, from `jsonc-parser`'s scanner, with lexical recovery.

use super::{ErrorKind, SyntaxError, TextRange};
use jsonc_parser::tokens::Token as ScanToken;
use jsonc_parser::{Scanner, ScannerOptions};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Str(String),
    Num(String),
    Bool(bool),
    Null,
    /// An unquoted word (`undefined`, a JSON5 key): never valid JSON.
    Word(String),
    /// A token the lexer already reported; stands in for a value so that errors do not cascade.
    Invalid,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub tok: Tok,
    pub range: TextRange,
}

pub(super) struct Lexed {
    pub tokens: Vec<Token>,
    pub comments: Vec<TextRange>,
    pub errors: Vec<SyntaxError>,
}

/// Strict JSON plus comments, like Qwen Code's `JSON.parse(stripJsonComments(text))`.
fn scanner_options() -> ScannerOptions {
    ScannerOptions {
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

fn error(range: TextRange, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        range,
        kind: ErrorKind::Syntax,
        message: message.into(),
    }
}

pub(super) fn lex(text: &str) -> Lexed {
    let options = scanner_options();
    let mut out = Lexed {
        tokens: Vec::new(),
        comments: Vec::new(),
        errors: Vec::new(),
    };
    // Qwen Code 0.24.4 strips a leading BOM.
    let mut base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut gap_start = base;
    'restart: while base < text.len() {
        let mut scanner = Scanner::new(&text[base..], &options);
        loop {
            match scanner.scan() {
                Ok(None) => {
                    check_gap(text, gap_start, text.len(), &mut out.errors);
                    break 'restart;
                }
                Ok(Some(token)) => {
                    let range = base + scanner.token_start()..base + scanner.token_end();
                    check_gap(text, gap_start, range.start, &mut out.errors);
                    gap_start = range.end;
                    let tok = match token {
                        ScanToken::OpenBrace => Tok::LBrace,
                        ScanToken::CloseBrace => Tok::RBrace,
                        ScanToken::OpenBracket => Tok::LBracket,
                        ScanToken::CloseBracket => Tok::RBracket,
                        ScanToken::Comma => Tok::Comma,
                        ScanToken::Colon => Tok::Colon,
                        ScanToken::String(s) => {
                            let raw = &text[range.clone()];
                            if let Some(nl) = raw.find(['\n', '\r']) {
                                // A string never spans lines in JSON: treat it as unterminated at
                                // the line break and resume scanning on the next line.
                                let end = range.start + nl;
                                out.errors
                                    .push(error(range.start..end, "Unterminated string"));
                                out.tokens.push(Token {
                                    tok: Tok::Invalid,
                                    range: range.start..end,
                                });
                                base = end;
                                gap_start = end;
                                continue 'restart;
                            }
                            if let Some(i) = raw.bytes().position(|b| b < 0x20) {
                                let at = range.start + i;
                                out.errors.push(error(
                                    at..at + 1,
                                    "Control character in string: escape it (e.g. \\t, \\u0000)",
                                ));
                            }
                            Tok::Str(s.into_owned())
                        }
                        ScanToken::Number(n) => Tok::Num(n.to_string()),
                        ScanToken::Boolean(b) => Tok::Bool(b),
                        ScanToken::Null => Tok::Null,
                        ScanToken::Word(w) => Tok::Word(w.to_string()),
                        ScanToken::CommentLine(_) | ScanToken::CommentBlock(_) => {
                            out.comments.push(range);
                            continue;
                        }
                    };
                    out.tokens.push(Token { tok, range });
                }
                Err(err) => {
                    let r = err.range();
                    let token_start = base + scanner.token_start();
                    check_gap(text, gap_start, token_start, &mut out.errors);
                    let first = text[token_start..].chars().next().unwrap_or(' ');
                    if first == '"' {
                        // A bad escape or an unterminated string: report it, and resume after
                        // the closing quote on the same line, or at the line's end.
                        let line_end = text[token_start..]
                            .find(['\n', '\r'])
                            .map_or(text.len(), |i| token_start + i);
                        let err_start = (base + r.start).min(line_end);
                        let err_end = (base + r.end).clamp(err_start, line_end);
                        match closing_quote(text, err_end, line_end) {
                            Some(close) => {
                                let end = err_end.max(next_char_boundary(text, err_start));
                                out.errors
                                    .push(error(err_start..end, lexical_message(&err)));
                                out.tokens.push(Token {
                                    tok: Tok::Str(text[token_start + 1..close].to_string()),
                                    range: token_start..close + 1,
                                });
                                base = close + 1;
                            }
                            None => {
                                out.errors
                                    .push(error(token_start..line_end, "Unterminated string"));
                                out.tokens.push(Token {
                                    tok: Tok::Invalid,
                                    range: token_start..line_end,
                                });
                                base = line_end;
                            }
                        }
                    } else if first == '\'' {
                        // A single-quoted string: report it, keep its value for the analysis.
                        let line_end = text[token_start + 1..]
                            .find(['\n', '\r'])
                            .map_or(text.len(), |i| token_start + 1 + i);
                        let close = text[token_start + 1..line_end]
                            .find('\'')
                            .map(|i| token_start + 1 + i);
                        let end = close.map_or(line_end, |c| c + 1);
                        out.errors
                            .push(error(token_start..end, "Strings must use double quotes"));
                        out.tokens.push(Token {
                            tok: match close {
                                Some(c) => Tok::Str(text[token_start + 1..c].to_string()),
                                None => Tok::Invalid,
                            },
                            range: token_start..end,
                        });
                        base = end;
                    } else if first.is_alphabetic() || first == '_' || first == '$' {
                        // An unquoted word; the parser says what is wrong with it.
                        let end = word_end(text, token_start);
                        out.tokens.push(Token {
                            tok: Tok::Word(text[token_start..end].to_string()),
                            range: token_start..end,
                        });
                        base = end;
                    } else {
                        let start = (base + r.start).max(token_start);
                        let end =
                            word_end(text, (base + r.end).max(next_char_boundary(text, start)));
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
                        match out.tokens.last_mut() {
                            Some(t) if merged && t.tok == Tok::Invalid && t.range.end == start => {
                                t.range.end = end
                            }
                            _ => out.tokens.push(Token {
                                tok: Tok::Invalid,
                                range: token_start..end,
                            }),
                        }
                        base = end;
                    }
                    gap_start = base;
                    continue 'restart;
                }
            }
        }
    }
    out
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
