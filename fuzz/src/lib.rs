//! The checks behind the fuzz targets, shared with `tests/fuzz_replay.rs` (which includes this
//! file with `#[path]`), so that `cargo test` replays the committed corpora through exactly what
//! the fuzzers ran. Every check panics on a violation; it depends only on the library's public
//! API and `std`.
//!
//! Input format of `analyze` and `fixes`: segments separated by the byte `0xFF` (which never
//! occurs in UTF-8): the workspace `settings.json` (must be UTF-8, else the input is skipped),
//! then optionally the project `.qwen/.env` (any bytes, read lossily as the server does), the
//! user `settings.json` (ignored unless UTF-8), exported variables (`NAME=value` lines), and
//! cursor offsets (pairs of little-endian bytes).
//!
//! Input format of `edits`: the first byte picks the position encoding; the initial text runs to
//! the first `0xFF` (read lossily); the rest is a stream of edit operations (see [`edits`]).
#![allow(dead_code)]

use qwen_settings_ls::analysis::{self, Diagnostic, Edit, Fix};
use qwen_settings_ls::model::{Chain, EnvFile, Environment, ScopeKind, SettingsFile, keys};
use qwen_settings_ls::syntax::{Node, NodeKind, TextRange};
use qwen_settings_ls::text::{Change, Document, Encoding, LineIndex, PosRange, Position};

/// Separates the segments of an `analyze` or `fixes` input.
pub const SEP: u8 = 0xFF;
pub const WORKSPACE: &str = "/home/user/project/.qwen/settings.json";
pub const USER: &str = "/home/user/.qwen/settings.json";
pub const DOTENV: &str = "/home/user/project/.qwen/.env";

/// Texts larger than this are not grown further by edit operations.
const MAX_EDITED_TEXT: usize = 1 << 14;

// ---------------------------------------------------------------------------------------------
// Building the chain

/// The chain an `analyze`/`fixes` input describes (the workspace file is the target), or
/// `None` when the workspace text is not UTF-8.
pub fn chain_from_input(data: &[u8]) -> Option<Chain> {
    let mut parts = data.split(|&b| b == SEP);
    let target = std::str::from_utf8(parts.next()?).ok()?;
    let dotenv = parts.next();
    let user = parts.next().and_then(|u| std::str::from_utf8(u).ok());
    let exported = parts.next();
    let mut env = Environment::default();
    env.vars.insert("HOME".into(), "/home/user".into());
    if let Some(exported) = exported {
        for line in String::from_utf8_lossy(exported).lines() {
            if let Some((k, v)) = line.split_once('=') {
                env.vars.insert(k.to_string(), v.to_string());
            }
        }
    }
    let mut files = Vec::new();
    if let Some(user) = user {
        files.push(SettingsFile::new(ScopeKind::User, USER, user));
    }
    files.push(SettingsFile::new(ScopeKind::Workspace, WORKSPACE, target));
    let dotenv = dotenv
        .map(|d| vec![EnvFile::new(DOTENV, true, &String::from_utf8_lossy(d))])
        .unwrap_or_default();
    Some(Chain {
        target: files.len() - 1,
        files,
        env,
        dotenv,
        shadowed_dotenv: None,
        secret_store: None,
    })
}

/// A chain of one workspace file with no environment (for the `edits` target).
pub fn plain_chain(text: &str) -> Chain {
    Chain {
        files: vec![SettingsFile::new(ScopeKind::Workspace, WORKSPACE, text)],
        target: 0,
        env: Environment::default(),
        dotenv: Vec::new(),
        shadowed_dotenv: None,
        secret_store: None,
    }
}

/// Cursor offsets for completion, hover and assists: from the fifth segment when there is one,
/// else derived from a hash of the input; always including both ends and the places after the
/// first `"` and `:` characters. Rounded down to char boundaries, as the server's position
/// conversion does.
pub fn offsets(data: &[u8], text: &str) -> Vec<usize> {
    let len = text.len() as u64 + 1;
    let mut out: Vec<u64> = vec![0, len - 1];
    match data.split(|&b| b == SEP).nth(4) {
        Some(seg) => out.extend(
            seg.chunks(2)
                .take(8)
                .map(|c| (u64::from(c[0]) | (u64::from(*c.get(1).unwrap_or(&0)) << 8)) % len),
        ),
        None => {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for &b in data {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            for _ in 0..3 {
                out.push(h % len);
                h = h.rotate_left(23).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            }
        }
    }
    out.extend(
        text.match_indices(['"', ':'])
            .map(|(i, _)| i as u64 + 1)
            .take(4),
    );
    let mut out: Vec<usize> = out
        .into_iter()
        .map(|o| floor_boundary(text, (o as usize).min(text.len())))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

// ---------------------------------------------------------------------------------------------
// Findings already reported

/// While exploring, the fuzzers run with `QWEN_FUZZ_SKIP_KNOWN=1`: inputs that reach a finding
/// already reported (fuzz/README.md) are passed over, so that the run looks for new ones instead
/// of stopping at the same one. The replay test (`tests/fuzz_replay.rs`) never sets it: there
/// the kept inputs fail until the findings are fixed.
pub fn skip_known() -> bool {
    std::env::var_os("QWEN_FUZZ_SKIP_KNOWN").is_some()
}

/// Messages that quote a key verbatim: a syntax error quoting the bad token (finding 2), a
/// member name quoted (unknown-setting, unknown-protocol-key, …: finding 3; while exploring,
/// any key inside a member name is passed over) or as part of a path (finding 4), a
/// `$version` value. (Finding 5: a value that contains a key, such as `Bearer sk-…`, is shown
/// whole as a symbol detail. Finding 7: messages quote values (model ids, `model.name`, …)
/// verbatim; while exploring, any key between quotes in a message is passed over.)
const KNOWN_LEAKS: &[&str] = &[
    "is not a JSON value",
    "Unknown setting",
    "Unknown top-level setting",
    "Unknown model-entry field",
    "holds what looks like an API key",
    "\"$version\" is",
    "is not a valid environment variable name",
];

/// Finding 1: `rules/endpoints.rs` takes the origin of a base URL as
/// `trimmed[..trimmed.len() - parsed.path.len()]`, but the parsed path is normalized
/// (percent-encoded, dot segments resolved), so for a URL with characters the URL parser
/// rewrites the subtraction underflows or lands inside a character.
fn reaches_known_panic(chain: &Chain) -> bool {
    fn walk(node: &Node) -> bool {
        match &node.kind {
            NodeKind::String(s) => {
                let lower = s.to_ascii_lowercase();
                let rest = lower.trim_start();
                (rest.starts_with("http") || rest.contains(':'))
                    && (!s.contains("://")
                        || s.contains("/.")
                        || s.chars().any(|c| {
                            !(c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c))
                        }))
            }
            NodeKind::Object(o) => o.members.iter().filter_map(|m| m.value.as_ref()).any(walk),
            NodeKind::Array(a) => a.items.iter().any(walk),
            _ => false,
        }
    }
    chain
        .files
        .iter()
        .filter_map(|f| f.parse.root.as_ref())
        .any(walk)
}

// ---------------------------------------------------------------------------------------------
// Target `analyze`

/// Parse, full analysis, completion, hover, outline, folding and assists: nothing panics, every
/// range lies inside its text on char boundaries, every position conversion round-trips, and no
/// provider key of the input appears in any message, title, hover, completion or symbol.
pub fn check_analyze(data: &[u8]) {
    let Some(chain) = chain_from_input(data) else {
        return;
    };
    if skip_known() && reaches_known_panic(&chain) {
        return;
    }
    let target = &chain.files[chain.target];
    let text = target.text.as_str();
    let secrets = secrets_of(&chain);
    let mut shown: Vec<(&str, String)> = Vec::new();

    let diagnostics = analysis::analyze(&chain);
    check_diagnostics(&chain, &diagnostics);
    for d in &diagnostics {
        shown.push(("diagnostic message", d.message.clone()));
        shown.extend(d.related.iter().map(|r| ("related", r.message.clone())));
        shown.extend(d.fixes.iter().map(|f| ("fix title", f.title.clone())));
    }

    let document = Document::new(text, 0);
    let index = document.line_index();
    // (ropey scans a chunk per query, slow under coverage instrumentation: a few suffice)
    for d in diagnostics.iter().take(6) {
        check_conversions(text, &index, d.range.clone());
    }

    let flip = data.first().is_some_and(|b| b & 1 == 1);
    let options = analysis::completion::Options {
        snippets: !flip,
        generic: !flip,
    };
    for offset in offsets(data, text) {
        for item in analysis::completion::complete(&chain, offset, options) {
            check_range(text, &item.edit.range, "completion edit");
            shown.push(("completion label", item.label.clone()));
            shown.extend(item.detail.clone().map(|s| ("completion detail", s)));
            shown.extend(
                item.documentation
                    .clone()
                    .map(|s| ("completion documentation", s)),
            );
        }
        if let Some(h) = analysis::hover::hover(&chain, offset, !flip) {
            check_range(text, &h.range, "hover");
            check_conversions(text, &index, h.range.clone());
            shown.push(("hover", h.markdown));
        }
        for assist in analysis::assists::assists(&chain, offset..offset) {
            check_fix_edits(text, &assist);
            shown.push(("assist title", assist.title));
        }
    }
    for assist in analysis::assists::assists(&chain, 0..text.len()) {
        check_fix_edits(text, &assist);
        shown.push(("assist title", assist.title));
    }
    fn walk(text: &str, symbols: &[analysis::outline::Symbol], shown: &mut Vec<(&str, String)>) {
        for s in symbols {
            check_range(text, &s.range, "symbol");
            check_range(text, &s.selection, "symbol selection");
            shown.push(("symbol name", s.name.clone()));
            shown.extend(s.detail.clone().map(|d| ("symbol detail", d)));
            walk(text, &s.children, shown);
        }
    }
    walk(text, &analysis::outline::symbols(&target.parse), &mut shown);
    for r in analysis::outline::folding(&target.parse) {
        check_range(text, &r, "folding range");
    }

    // Symbol names are member names verbatim (as every JSON outline shows them): a key-looking
    // member name, e.g. one error recovery made of a value, is not counted there. (A model
    // entry's symbol is named by its `id`, a value: that one counts.)
    let names = member_names(&chain);
    for secret in &secrets {
        for (channel, s) in &shown {
            if *channel == "symbol name" && names.contains(s) {
                continue;
            }
            if skip_known()
                && (KNOWN_LEAKS.iter().any(|k| s.contains(k))
                    || names.iter().any(|n| n.contains(secret.as_str()))
                    || quoted(s, secret))
            {
                continue; // findings 2-4 and 7 (5, a key inside a symbol detail, is fixed)
            }
            assert!(
                !s.contains(secret.as_str()),
                "a key of the input is shown unmasked in a {channel}: {secret:?} in {s:?}"
            );
        }
    }
}

/// `secret` occurs in `s` between quotes or backticks (a quoted value: finding 7).
fn quoted(s: &str, secret: &str) -> bool {
    s.match_indices(secret)
        .any(|(i, m)| s[..i].contains(['"', '`']) && s[i + m.len()..].contains(['"', '`']))
}

fn member_names(chain: &Chain) -> std::collections::HashSet<String> {
    fn walk(node: &Node, out: &mut std::collections::HashSet<String>) {
        match &node.kind {
            NodeKind::Object(o) => {
                for m in &o.members {
                    out.insert(m.key.text.to_string());
                    if let Some(v) = &m.value {
                        walk(v, out);
                    }
                }
            }
            NodeKind::Array(a) => a.items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = std::collections::HashSet::new();
    if let Some(root) = &chain.files[chain.target].parse.root {
        walk(root, &mut out);
    }
    out
}

/// Values (and keys) of the chain that the product itself recognises as a provider's key.
fn secrets_of(chain: &Chain) -> Vec<String> {
    fn walk(node: &Node, out: &mut Vec<String>) {
        match &node.kind {
            NodeKind::String(s) => out.push(s.to_string()),
            NodeKind::Object(o) => {
                for m in &o.members {
                    out.push(m.key.text.to_string());
                    if let Some(v) = &m.value {
                        walk(v, out);
                    }
                }
            }
            NodeKind::Array(a) => a.items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut strings = Vec::new();
    for f in &chain.files {
        if let Some(root) = &f.parse.root {
            walk(root, &mut strings);
        }
    }
    strings.extend(
        chain
            .dotenv
            .iter()
            .flat_map(|f| f.vars.iter().map(|v| v.value.clone())),
    );
    strings.extend(chain.env.vars.values().cloned());
    strings.retain(|s| matches!(keys::secret(s), Some(keys::Secret::Known { .. })));
    strings
}

fn check_range(text: &str, r: &TextRange, what: &str) {
    assert!(
        r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end),
        "{what} range {r:?} is not inside the text ({} bytes) on char boundaries",
        text.len()
    );
}

/// Diagnostic, related and fix ranges are well-formed.
pub fn check_diagnostics(chain: &Chain, diagnostics: &[Diagnostic]) {
    let text = &chain.files[chain.target].text;
    for d in diagnostics {
        check_range(text, &d.range, d.code);
        for r in &d.related {
            let file = chain
                .files
                .get(r.file)
                .unwrap_or_else(|| panic!("{}: related file {} does not exist", d.code, r.file));
            check_range(&file.text, &r.range, "related");
        }
        for f in &d.fixes {
            check_fix_edits(text, f);
        }
    }
}

/// A fix's edits lie inside the text on char boundaries and do not overlap.
fn check_fix_edits(text: &str, fix: &Fix) {
    if let Err(e) = apply_lsp(text, &fix.edits) {
        panic!("fix {:?}: {e}", fix.title);
    }
}

/// Byte range → position → byte range, in every encoding, as the server converts them.
fn check_conversions(text: &str, index: &LineIndex<'_>, r: TextRange) {
    for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
        let p = index.range(r.clone(), enc);
        for (offset, pos) in [(r.start, p.start), (r.end, p.end)] {
            if !between_cr_lf(text, offset) {
                assert_eq!(index.offset(pos, enc), offset, "{enc:?} {pos:?}");
            }
        }
    }
}

fn between_cr_lf(text: &str, offset: usize) -> bool {
    offset > 0
        && text.as_bytes().get(offset - 1) == Some(&b'\r')
        && text[offset..].starts_with('\n')
}

// ---------------------------------------------------------------------------------------------
// Target `fixes`

/// Every quick-fix and assist offered, applied as an editor applies a `WorkspaceEdit`: its
/// edits lie inside the text and do not overlap; `apply_edits` gives the same text as the LSP
/// semantics (so every byte outside the edited ranges is kept); the result has no more syntax
/// errors and no more duplicate keys than before; and a quick-fix does not increase the number
/// of diagnostics of its code.
pub fn check_fixes(data: &[u8]) {
    let Some(chain) = chain_from_input(data) else {
        return;
    };
    if skip_known() && reaches_known_panic(&chain) {
        return;
    }
    let diagnostics = analysis::analyze(&chain);
    // Each fix costs a re-analysis: at most 48 fixes and 8 assists per input, so that a
    // document with hundreds of diagnostics stays a fast input.
    let fixes = diagnostics
        .iter()
        .flat_map(|d| d.fixes.iter().map(move |f| (d, f)));
    for (d, fix) in fixes.take(48) {
        check_fix(&chain, &diagnostics, Some(d), fix);
    }
    let text = &chain.files[chain.target].text;
    let assists = offsets(data, text)
        .into_iter()
        .flat_map(|o| analysis::assists::assists(&chain, o..o));
    for assist in assists.take(8) {
        check_fix(&chain, &diagnostics, None, &assist);
    }
}

fn check_fix(chain: &Chain, before: &[Diagnostic], fixing: Option<&Diagnostic>, fix: &Fix) {
    let target = &chain.files[chain.target];
    let text = &target.text;
    let expected =
        apply_lsp(text, &fix.edits).unwrap_or_else(|e| panic!("fix {:?}: {e}", fix.title));
    let fixed = analysis::apply_edits(text, &fix.edits);
    assert_eq!(
        fixed, expected,
        "fix {:?}: apply_edits differs from the LSP semantics of its edits {:?}",
        fix.title, fix.edits
    );
    let mut after = chain.clone();
    after.files[chain.target] = SettingsFile::new(target.kind, target.path.clone(), fixed.clone());
    let new = &after.files[chain.target];
    // finding 8: the missing-version fix glues `4` onto a token right after `{` (`{e}`);
    // finding 10: a type fix on a value read after a missing colon (`{"model"09o`);
    // finding 11: wrapping an unfinished (unclosed) entry in [ ]
    let known = skip_known()
        && (fix.title.starts_with("Add \"$version\"")
            || fix.title.starts_with("Change to")
            || fix.title == "Wrap the entry in [ ]");
    assert!(
        known || new.parse.errors.len() <= target.parse.errors.len(),
        "fix {:?} added syntax errors ({} -> {}): {:?}\n--- before\n{text}\n--- after\n{fixed}",
        fix.title,
        target.parse.errors.len(),
        new.parse.errors.len(),
        new.parse.errors
    );
    let diagnostics = analysis::analyze(&after);
    check_diagnostics(&after, &diagnostics);
    // A fix never writes a member next to one of the same name (even an unreadable one). (One
    // that only removes text writes none; in a broken document it may turn a member that error
    // recovery made of garbage into a plain one, which then counts.)
    let duplicates = |ds: &[Diagnostic]| ds.iter().filter(|x| x.code == "duplicate-key").count();
    let writes = fix.edits.iter().any(|e| !e.new_text.is_empty());
    // (finding 14, fixed: ignored-generation-config wrote a second generationConfig next to one
    // without a value)
    assert!(
        !writes || duplicates(&diagnostics) <= duplicates(before),
        "fix {:?} added a duplicate key\n--- before\n{text}\n--- after\n{fixed}",
        fix.title,
    );
    if let Some(d) = fixing {
        let code = d.code;
        // No more diagnostics of its code than before, not counting those inside the value of a
        // member the fix wrote (renaming `uii` to `ui` brings the value's unknown keys to light:
        // they were there before, hidden by the unknown parent).
        let revealed = touched_values(new, fix);
        let count_after = diagnostics
            .iter()
            .filter(|x| x.code == code)
            .filter(|x| {
                !revealed
                    .iter()
                    .any(|r| r.start <= x.range.start && x.range.end <= r.end)
            })
            .count();
        let count_before = before.iter().filter(|x| x.code == code).count();
        assert!(
            count_after <= count_before,
            "fix {:?} increased the {code} diagnostics ({count_before} -> {count_after})\n--- before\n{text}\n--- after\n{fixed}",
            fix.title,
        );
    }
}

/// In the fixed file: the value ranges of the members whose key an edit of `fix` wrote.
fn touched_values(file: &SettingsFile, fix: &Fix) -> Vec<TextRange> {
    let mut written: Vec<TextRange> = Vec::new();
    let mut order: Vec<&Edit> = fix.edits.iter().collect();
    order.sort_by_key(|e| (e.range.start, e.range.end));
    let mut delta: isize = 0;
    for e in order {
        let start = (e.range.start as isize + delta) as usize;
        written.push(start..start + e.new_text.len());
        delta += e.new_text.len() as isize - e.range.len() as isize;
    }
    fn walk(node: &Node, written: &[TextRange], out: &mut Vec<TextRange>) {
        match &node.kind {
            NodeKind::Object(o) => {
                for m in &o.members {
                    if let Some(v) = &m.value {
                        let k = &m.key.range();
                        if written.iter().any(|w| w.start <= k.start && k.end <= w.end) {
                            out.push(v.range());
                        }
                        walk(v, written, out);
                    }
                }
            }
            NodeKind::Array(a) => a.items.iter().for_each(|i| walk(i, written, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(root) = &file.parse.root {
        walk(root, &written, &mut out);
    }
    out
}

/// Applies `edits` with the LSP semantics (ranges refer to the original text; edits at the same
/// position apply in array order), independently of the crate's `apply_edits`.
pub fn apply_lsp(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut order: Vec<&Edit> = edits.iter().collect();
    order.sort_by_key(|e| (e.range.start, e.range.end)); // stable: ties keep array order
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in order {
        let r = &e.range;
        if r.start > r.end
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            return Err(format!(
                "edit {r:?} is not inside the text ({} bytes) on char boundaries",
                text.len()
            ));
        }
        if r.start < at {
            return Err(format!(
                "edit {r:?} overlaps an earlier edit (ends at {at})"
            ));
        }
        out.push_str(&text[at..r.start]);
        out.push_str(&e.new_text);
        at = r.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Target `edits`: an independent model of the text layer

/// Each line's start and content end (before its break); a line ends at `\n`, `\r\n` or `\r`.
pub fn model_lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push((start, i));
                i += 1;
                start = i;
            }
            b'\r' => {
                out.push((start, i));
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push((start, b.len()));
    out
}

fn width(c: char, enc: Encoding) -> u64 {
    match enc {
        Encoding::Utf8 => c.len_utf8() as u64,
        Encoding::Utf16 => c.len_utf16() as u64,
        Encoding::Utf32 => 1,
    }
}

/// The documented clamping: a line past the end means the end of the text, a column past the
/// line's content its content end, a column inside a character that character's start.
pub fn model_offset(text: &str, pos: Position, enc: Encoding) -> usize {
    let lines = model_lines(text);
    let Some(&(start, end)) = lines.get(pos.line as usize) else {
        return text.len();
    };
    let col = u64::from(pos.character);
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        let w = width(c, enc);
        if col < units + w {
            return start + i;
        }
        units += w;
    }
    end
}

/// The position of byte `offset`, clamped to the text and rounded down to a char boundary.
pub fn model_position(text: &str, offset: usize, enc: Encoding) -> Position {
    let offset = floor_boundary(text, offset.min(text.len()));
    let lines = model_lines(text);
    // the last line whose start is at or before the offset
    let line = lines.partition_point(|&(s, _)| s <= offset) - 1;
    let start = lines[line].0;
    let character: u64 = text[start..offset].chars().map(|c| width(c, enc)).sum();
    Position {
        line: line as u32,
        character: character as u32,
    }
}

/// Reads an operation stream; yields zeros when exhausted.
pub struct Ops<'a> {
    data: &'a [u8],
    at: usize,
}

impl Ops<'_> {
    fn more(&self) -> bool {
        self.at < self.data.len()
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }
}

/// Text pieces for insertions: line breaks of every kind, multi-byte characters (a surrogate
/// pair in UTF-16, a ZWJ sequence), JSON punctuation, and what `JSON.parse` treats specially.
const PIECES: &[&str] = &[
    "\r",
    "\n",
    "\r\n",
    "😀",
    "中",
    "é",
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    " ",
    "\u{2028}",
    "\u{85}",
    "\0",
    "\u{FEFF}",
    "\"a\": 1",
    "// c\n",
    "/* x\r\n */",
    "\t",
    "\u{10FFFF}",
    "👨\u{200D}👩",
    "\\",
    "\"modelProviders\"",
    "sk-",
    "\r\r\n\n",
    "\n\r",
    "\"$version\": 4,",
];

fn piece_text(ops: &mut Ops<'_>) -> String {
    match ops.byte() % 4 {
        0 => PIECES[usize::from(ops.byte()) % PIECES.len()].to_string(),
        1 => {
            let n = usize::from(ops.byte() % 16);
            let bytes: Vec<u8> = (0..n).map(|_| ops.byte()).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        2 => {
            let a = PIECES[usize::from(ops.byte()) % PIECES.len()];
            let b = PIECES[usize::from(ops.byte()) % PIECES.len()];
            format!("{a}{b}")
        }
        _ => String::new(),
    }
}

/// A position in `text`: valid ones, past the end of a line or the text, `u32::MAX`, inside a
/// multi-byte character (between the halves of a surrogate pair in UTF-16), around line breaks.
fn position(ops: &mut Ops<'_>, text: &str, enc: Encoding) -> Position {
    let lines = model_lines(text);
    let line_len = |l: usize| -> u64 {
        let (s, e) = lines[l];
        text[s..e].chars().map(|c| width(c, enc)).sum()
    };
    let pick_line = |b: u8| usize::from(b) % lines.len();
    match ops.byte() % 7 {
        0 | 1 => {
            let line = pick_line(ops.byte());
            let c = u64::from(ops.byte()) % (line_len(line) + 2);
            Position {
                line: line as u32,
                character: c as u32,
            }
        }
        2 => Position {
            line: u32::from(ops.byte()),
            character: u32::from(ops.byte()),
        },
        3 => Position {
            line: pick_line(ops.byte()) as u32,
            character: u32::MAX - u32::from(ops.byte()),
        },
        4 => Position {
            line: u32::MAX - u32::from(ops.byte()),
            character: u32::from(ops.byte()),
        },
        5 => {
            // inside a multi-byte character
            let wide: Vec<usize> = text
                .char_indices()
                .filter(|&(_, c)| width(c, enc) > 1)
                .map(|(i, _)| i)
                .collect();
            if wide.is_empty() {
                return Position::default();
            }
            let at = wide[usize::from(ops.byte()) % wide.len()];
            let p = model_position(text, at, enc);
            Position {
                line: p.line,
                character: p.character + 1,
            }
        }
        _ => {
            // at, just past, or on the next line after a line break
            let line = pick_line(ops.byte());
            let len = line_len(line) as u32;
            match ops.byte() % 3 {
                0 => Position {
                    line: line as u32,
                    character: len,
                },
                1 => Position {
                    line: line as u32,
                    character: len + 1,
                },
                _ => Position {
                    line: line as u32 + 1,
                    character: 0,
                },
            }
        }
    }
}

/// Applies one change to the model text.
fn model_apply(text: &mut String, change: &Change, enc: Encoding) {
    match change.range {
        None => *text = change.text.clone(),
        Some(r) => {
            let start = model_offset(text, r.start, enc);
            let end = model_offset(text, r.end, enc).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

/// Incremental edits through `text::Document` against the independent model: the same text
/// after every batch, the same line structure and positions as a fresh `Document` of that text
/// and as the model, and the same diagnostics.
pub fn check_edits(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let enc = match first % 3 {
        0 => Encoding::Utf8,
        1 => Encoding::Utf16,
        _ => Encoding::Utf32,
    };
    let (initial, stream) = match rest.iter().position(|&b| b == SEP) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let mut model = String::from_utf8_lossy(initial).into_owned();
    let mut doc = Document::new(&model, 0);
    let mut ops = Ops {
        data: stream,
        at: 0,
    };
    let mut version = 0i32;
    let mut batch: Vec<Change> = Vec::new();
    let mut batch_model = model.clone();
    let flush = |doc: &mut Document,
                 batch: &mut Vec<Change>,
                 version: &mut i32,
                 model: &mut String,
                 batch_model: &String| {
        *version = version.wrapping_add(1);
        doc.apply(std::mem::take(batch), *version, enc);
        *model = batch_model.clone();
        assert_eq!(doc.version(), *version);
        assert_eq!(
            doc.text(),
            *model,
            "{enc:?}: the document differs from the model"
        );
    };
    while ops.more() {
        let op = ops.byte();
        let change = match op % 8 {
            0..=4 => {
                let start = position(&mut ops, &batch_model, enc);
                let end = if op & 0x80 != 0 {
                    start
                } else {
                    position(&mut ops, &batch_model, enc)
                };
                Change {
                    range: Some(PosRange { start, end }),
                    text: piece_text(&mut ops),
                }
            }
            5 => {
                // reversed: end before start
                let a = position(&mut ops, &batch_model, enc);
                let b = position(&mut ops, &batch_model, enc);
                Change {
                    range: Some(PosRange {
                        start: a.max(b),
                        end: a.min(b),
                    }),
                    text: piece_text(&mut ops),
                }
            }
            6 => Change {
                range: None,
                text: piece_text(&mut ops),
            },
            _ => {
                flush(&mut doc, &mut batch, &mut version, &mut model, &batch_model);
                continue;
            }
        };
        if batch_model.len() + change.text.len() > MAX_EDITED_TEXT {
            break;
        }
        model_apply(&mut batch_model, &change, enc);
        batch.push(change);
    }
    flush(&mut doc, &mut batch, &mut version, &mut model, &batch_model);
    compare_with_fresh(&doc, &model);
}

/// The expected position of every offset `0..=text.len() + 1` in `enc`, in one pass.
fn model_positions(text: &str, enc: Encoding) -> Vec<Position> {
    let mut out = Vec::with_capacity(text.len() + 2);
    let (mut line, mut character) = (0u32, 0u64);
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        // a line starts after \n, and after a \r that no \n follows
        let here = Position {
            line,
            character: character as u32,
        };
        out.push(here);
        for _ in 1..c.len_utf8() {
            out.push(here); // inside the char: rounded down
        }
        match c {
            '\n' => {
                line += 1;
                character = 0;
            }
            '\r' if chars.peek().map(|&(_, n)| n) != Some('\n') => {
                line += 1;
                character = 0;
            }
            _ => character += width(c, enc),
        }
    }
    let end = Position {
        line,
        character: character as u32,
    };
    out.push(end);
    out.push(end); // past the end: clamped
    out
}

/// The edited document against a fresh one of the same text and against the model, at
/// offsets around line breaks and multi-byte characters and spread over the text.
fn compare_with_fresh(doc: &Document, model: &str) {
    let fresh = Document::new(model, doc.version());
    let lines = model_lines(model);
    assert_eq!(doc.rope().len_lines(), lines.len(), "line count (edited)");
    assert_eq!(fresh.rope().len_lines(), lines.len(), "line count (fresh)");
    let (edited, new) = (doc.line_index(), fresh.line_index());
    // ropey answers each query by scanning a chunk, which coverage instrumentation makes slow:
    // check about 64 offsets, spread over the text and the line breaks and wide characters.
    let stride = (model.len() / 16).max(1);
    let mut offsets: Vec<usize> = (0..=model.len() + 1).step_by(stride).collect();
    let mut near: Vec<usize> = Vec::new();
    for (i, c) in model.char_indices() {
        if c == '\n' || c == '\r' || c.len_utf8() > 1 {
            near.extend([i.saturating_sub(1), i, i + 1, i + c.len_utf8()]);
        }
    }
    let step = (near.len() / 48).max(1);
    offsets.extend(near.into_iter().step_by(step));
    offsets.extend([model.len(), model.len() + 1]);
    offsets.sort_unstable();
    offsets.dedup();
    let line_stride = (lines.len() / 8).max(1);
    for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
        let expected = model_positions(model, enc);
        for &offset in &offsets {
            let want = expected[offset.min(model.len() + 1)];
            assert_eq!(
                edited.position(offset, enc),
                want,
                "edited {enc:?} @{offset}"
            );
            assert_eq!(new.position(offset, enc), want, "fresh {enc:?} @{offset}");
            if offset <= model.len()
                && model.is_char_boundary(offset)
                && !between_cr_lf(model, offset)
            {
                assert_eq!(edited.offset(want, enc), offset, "edited {enc:?} {want:?}");
            }
        }
        for (line, &(start, end)) in lines.iter().enumerate().step_by(line_stride) {
            for character in [0, 1, 3, u32::MAX] {
                let p = Position {
                    line: line as u32,
                    character,
                };
                let want = model_offset(model, p, enc);
                assert_eq!(edited.offset(p, enc), want, "edited {enc:?} {p:?}");
                assert_eq!(new.offset(p, enc), want, "fresh {enc:?} {p:?}");
                assert!((start..=end).contains(&want));
            }
        }
    }
    let a = analysis::analyze(&plain_chain(&doc.text()));
    let b = analysis::analyze(&plain_chain(&fresh.text()));
    assert_eq!(
        a, b,
        "diagnostics differ between the edited and the fresh document"
    );
    check_diagnostics(&plain_chain(model), &a);
}

// ---------------------------------------------------------------------------------------------
// Target `parse`

/// Arbitrary bytes as a settings file (skipped unless UTF-8): `syntax::parse` never panics;
/// every range (nodes, keys, commas, errors, comments) lies inside the text on char boundaries;
/// a member's key and value, and an array's items, lie inside their parent, in order; errors and
/// comments are sorted. And against `serde_json` as an oracle for `JSON.parse` (comments blanked
/// out, a leading BOM dropped): the parser reports no error exactly when the text is JSON, and
/// then its tree holds the same value.
pub fn check_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parse = qwen_settings_ls::syntax::parse(text);
    for e in &parse.errors {
        check_range(text, &e.range, "syntax error");
    }
    for c in &parse.comments {
        check_range(text, c, "comment");
    }
    assert!(
        parse.errors.is_sorted_by_key(|e| e.range.start),
        "syntax errors out of order: {:?}",
        parse.errors
    );
    assert!(
        parse.comments.windows(2).all(|w| w[0].end <= w[1].start),
        "comments out of order or overlapping: {:?}",
        parse.comments
    );
    if let Some(root) = &parse.root {
        check_tree(text, root, 0);
    }
    differential(text, &parse);
    incremental(text, &parse);
}

/// `syntax::reparse` after an edit equals a full parse of the edited text: a few edits chosen
/// from the input itself (where, how much is removed, what is inserted).
fn incremental(text: &str, parse: &qwen_settings_ls::syntax::Parse) {
    use qwen_settings_ls::text::{Changed, TextEdit};
    const INSERTS: &[&str] = &[
        "",
        "x",
        "1",
        " ",
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "/*",
        "*/",
        "\n",
        "名",
        "😀",
        "\"k\": 1,",
        "{}",
        "[1]",
        "\\",
    ];
    let bytes = text.as_bytes();
    for k in 0..4usize {
        let seed = bytes.get(k * 7 % bytes.len().max(1)).copied().unwrap_or(0) as usize;
        let mut start = (bytes.len() * (k + 1) / 5 + seed) % (bytes.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + seed % 4).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let insert = INSERTS[(seed / 4 + k) % INSERTS.len()];
        let new = format!("{}{}{}", &text[..start], insert, &text[end..]);
        let edit = TextEdit {
            start,
            old_end: end,
            new_end: start + insert.len(),
        };
        let again = qwen_settings_ls::syntax::reparse(
            Some(parse.clone()),
            &new,
            Some(Changed::Range(edit)),
        );
        assert!(
            again == qwen_settings_ls::syntax::parse(&new),
            "re-parse after {start}..{end} -> {insert:?} differs from a full parse"
        );
    }
}

/// Ranges of `node` and its descendants: inside the text, children inside their parent and in
/// order (keys before their values, commas after them).
fn check_tree(text: &str, node: &Node, depth: usize) {
    check_range(text, &node.range(), "node");
    let inside = |r: &TextRange, what: &str| {
        assert!(
            node.range().start <= r.start && r.end <= node.range().end,
            "{what} {r:?} outside its parent {:?}",
            node.range()
        );
    };
    let mut last = node.range().start;
    let mut after = |r: &TextRange, what: &str| {
        assert!(
            last <= r.start,
            "{what} {r:?} starts before the end ({last}) of what precedes it"
        );
        last = r.end;
    };
    match &node.kind {
        NodeKind::Object(o) => {
            for m in &o.members {
                check_range(text, &m.key.range(), "key");
                inside(&m.key.range(), "key");
                after(&m.key.range(), "key");
                if let Some(v) = &m.value {
                    inside(&v.range(), "member value");
                    after(&v.range(), "member value");
                    check_tree(text, v, depth + 1);
                }
                if let Some(c) = &m.comma_range() {
                    check_range(text, c, "comma");
                    inside(c, "comma");
                    after(c, "comma");
                    assert_eq!(&text[c.clone()], ",", "comma range {c:?}");
                }
            }
        }
        NodeKind::Array(a) => {
            for item in &a.items {
                inside(&item.range(), "array item");
                after(&item.range(), "array item");
                check_tree(text, item, depth + 1);
            }
        }
        _ => {}
    }
    assert!(
        depth <= qwen_settings_ls::syntax::MAX_DEPTH + 1,
        "a tree deeper than MAX_DEPTH"
    );
}

/// `serde_json` errors on JSON that `JSON.parse` accepts: numbers out of the f64 range (JS
/// reads them as Infinity), lone surrogates in `\u` escapes, nesting past serde_json's limit.
fn serde_json_limitation(e: &serde_json::Error) -> bool {
    let m = e.to_string();
    m.contains("number out of range") || m.contains("surrogate") || m.contains("recursion limit")
}

fn differential(text: &str, parse: &qwen_settings_ls::syntax::Parse) {
    let mut json = text.to_string();
    for c in &parse.comments {
        // blank out each comment (same length, so the offsets hold)
        json.replace_range(c.clone(), &" ".repeat(c.len()));
    }
    let json = json.strip_prefix('\u{feff}').unwrap_or(&json);
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(expected) => {
            assert!(
                parse.errors.is_empty(),
                "JSON that serde_json accepts, yet syntax errors: {:?}",
                parse.errors
            );
            let root = parse.root.as_ref().expect("a tree for valid JSON");
            assert_eq!(to_value(root), expected, "the tree holds another value");
        }
        Err(e) if serde_json_limitation(&e) => {}
        Err(e) => assert!(
            !parse.errors.is_empty(),
            "no syntax error, yet serde_json rejects the text: {e}"
        ),
    }
}

fn to_value(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match &node.kind {
        NodeKind::Object(o) => {
            let mut map = serde_json::Map::new();
            for m in &o.members {
                let v = m.value.as_ref().map_or(Value::Null, to_value);
                map.insert(m.key.text.to_string(), v);
            }
            Value::Object(map)
        }
        NodeKind::Array(a) => Value::Array(a.items.iter().map(to_value).collect()),
        NodeKind::String(s) => Value::String(s.to_string()),
        NodeKind::Number(n) => serde_json::from_str(n)
            .unwrap_or_else(|e| panic!("number {n:?} in the tree is not a JSON number: {e}")),
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Null => Value::Null,
    }
}
