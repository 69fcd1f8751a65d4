//! `.env` files, parsed the way Qwen Code parses them (npm `dotenv` 16/17 `parse`).
//!
//! The grammar is dotenv's `LINE` regular expression, used verbatim: `KEY=value`, optional
//! `export `, `KEY: value`, single-, double- or back-quoted values (only double quotes expand
//! `\n` and `\r`), `#` comments. There is no `${VAR}` expansion (that is `dotenv-expand`, which
//! the CLI does not use). A later line for the same key wins within one file.

use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// dotenv's `LINE` (lib/main.js), with its `m` flag spelled `(?mR)`.
static LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?mR)(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)"#,
    )
    .expect("dotenv LINE regex is valid")
});

/// One variable of a `.env` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    pub value: String,
    /// Byte range of the whole line in the file, for diagnostics.
    pub range: Range<usize>,
}

/// Parses `.env` text. Never fails: lines that do not match are ignored, as dotenv does.
pub fn parse(text: &str) -> Vec<Var> {
    // dotenv first turns "\r\n" and "\r" into "\n"; CRLF mode (`R`) gives the same lines while
    // keeping byte offsets into the original text.
    let mut vars: Vec<Var> = Vec::new();
    for caps in LINE.captures_iter(text) {
        let (Some(whole), Some(key)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let raw = caps.get(2).map_or("", |m| m.as_str()).trim();
        let quote = raw.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'));
        let mut value = match quote {
            Some(q) if raw.len() >= 2 && raw.ends_with(q) => raw[1..raw.len() - 1].to_string(),
            _ => raw.to_string(),
        };
        if quote == Some('"') {
            value = value.replace("\\n", "\n").replace("\\r", "\r");
        }
        let name = key.as_str().to_string();
        let var = Var {
            name,
            value,
            range: whole.range(),
        };
        match vars.iter_mut().find(|v| v.name == var.name) {
            Some(existing) => *existing = var,
            None => vars.push(var),
        }
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(text: &str) -> Vec<(String, String)> {
        parse(text).into_iter().map(|v| (v.name, v.value)).collect()
    }

    #[test]
    fn parses_like_dotenv() {
        let text = "# comment\nA=1\nexport B = two words  # trailing\nC=\"line\\nbreak\"\nD='single \\n kept'\nE=`back`\nF:  colon\nG=\nH=${A}\nbad line\nA=override\r\nI=\"unterminated\n";
        assert_eq!(
            kv(text),
            [
                ("A", "override"),
                ("B", "two words"),
                ("C", "line\nbreak"),
                ("D", "single \\n kept"),
                ("E", "back"),
                ("F", "colon"),
                ("G", ""),
                ("H", "${A}"),
                ("I", "\"unterminated"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }

    #[test]
    fn binary_garbage_is_harmless() {
        let text = "\u{0}\u{1}=x\nK\u{0}=1\nOK=yes";
        assert_eq!(
            kv(text).last().unwrap(),
            &("OK".to_string(), "yes".to_string())
        );
    }

    #[test]
    fn lone_carriage_returns_break_lines() {
        assert_eq!(kv("A=1\rB=2").len(), 2);
    }
}
