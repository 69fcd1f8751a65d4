use super::*;

/// Renders the errors of `text` (and a compact view of the tree) for a snapshot.
fn check(text: &str) -> String {
    let parsed = parse(text);
    let mut out = String::new();
    for e in &parsed.errors {
        let kind = match e.kind {
            ErrorKind::TrailingComma => "trailing-comma",
            ErrorKind::Syntax => "syntax",
        };
        out.push_str(&format!(
            "{kind} {:?} {:?}: {}\n",
            e.range,
            &text[e.range.clone()],
            e.message
        ));
    }
    out.push_str(&format!("tree: {}\n", render(parsed.root.as_ref())));
    out
}

fn render(node: Option<&Node>) -> String {
    let Some(node) = node else {
        return "∅".into();
    };
    match &node.kind {
        NodeKind::Object(o) => {
            let members: Vec<String> = o
                .members
                .iter()
                .map(|m| format!("{:?}: {}", m.key.text, render(m.value.as_ref())))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        NodeKind::Array(a) => {
            let items: Vec<String> = a.items.iter().map(|i| render(Some(i))).collect();
            format!("[{}]", items.join(", "))
        }
        NodeKind::String(s) => format!("{s:?}"),
        NodeKind::Number(n) => n.to_string(),
        NodeKind::Bool(b) => b.to_string(),
        NodeKind::Null => "null".into(),
    }
}

const CASES: &[(&str, &str)] = &[
    (
        "valid_with_comments",
        "\u{feff}// c\n{ /* x */ \"a\": [1, -2.5e3, true, null], \"b\": {\"c\": \"\\u00e9\"} }\n",
    ),
    ("empty", ""),
    ("only_comment", "// nothing\n"),
    ("trailing_comma_object", "{\"a\": 1,\n}"),
    ("trailing_comma_array", "{\"a\": [1, 2,]}"),
    (
        "missing_comma_keeps_later_members",
        "{\n  \"a\": 1\n  \"b\": 2,\n  \"c\": {\"d\": 3}\n}",
    ),
    (
        "missing_value",
        "{\"model\": {\"name\": }, \"ui\": {\"theme\": \"x\"}}",
    ),
    ("missing_colon", "{\"a\" 1, \"b\": 2}"),
    ("unquoted_key_and_word", "{model: {name: qwen}}"),
    ("single_quotes", "{'a': 'openai', \"b\": 1}"),
    (
        "unterminated_string_resumes_next_line",
        "{\"a\": \"abc\n, \"b\": 2}",
    ),
    ("unterminated_object", "{\"a\": {\"b\": 1}"),
    ("unclosed_string_at_eof", "{\"a\": \"ab"),
    ("bad_escape", "{\"p\": \"C:\\path\", \"b\": 1}"),
    ("control_char", "{\"a\": \"x\ty\"}"),
    (
        "hex_plus_nan",
        "{\"a\": 0x1F, \"b\": +1, \"c\": NaN, \"d\": .5}",
    ),
    ("two_roots", "{} {}"),
    ("root_array", "[1]"),
    ("wrong_close", "{\"a\": [1, 2}, \"b\": 1}"),
    ("double_comma", "{\"a\": 1,, \"b\": 2}"),
    ("nbsp_whitespace", "{\u{a0}\"a\": 1}"),
    ("unterminated_block_comment", "{\"a\": 1} /* x"),
];

#[test]
fn parse_cases() {
    for (name, text) in CASES {
        insta::assert_snapshot!(*name, check(text), text);
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let text = "[".repeat(100_000) + &"]".repeat(100_000);
    let parsed = parse(&text);
    assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
    let text = "{\"a\":".repeat(100_000);
    assert!(!parse(&text).errors.is_empty());
}

#[test]
fn duplicate_keys_resolve_to_the_last() {
    let root = parse("{\"a\": 1, \"a\": 2}").root.unwrap();
    assert_eq!(root.get("a").unwrap().kind, NodeKind::Number("2".into()));
}

/// Re-parsing after an edit gives exactly what a full parse gives, and small edits inside a
/// valid document are done in place.
#[test]
fn reparse_equals_a_full_parse() {
    use crate::text::{Changed, TextEdit};
    let base = concat!(
        "// settings\n{\n  \"modelProviders\": {\n    \"openai\": [\n",
        "      { \"id\": \"名-😀\", \"baseUrl\": \"https://x/v1\", /* c */ \"generationConfig\": { \"timeout\": 1 } },\n",
        "      { \"id\": \"b\", \"envKey\": \"K\" }\n    ]\n  },\n",
        "  \"env\": { \"K\": \"v\" }, // tail\n  \"model\": { \"name\": \"b\" }\n}\n"
    );
    let inserts = [
        "",
        "x",
        "名",
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "/*",
        "*/",
        "//",
        "\n",
        "1",
        "\"a\": 2,",
        "{\"k\": [1, {\"z\": null}]}",
        "\\",
        "\u{2028}",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let boundaries: Vec<usize> = (0..=base.len())
        .filter(|&i| base.is_char_boundary(i))
        .collect();
    let mut in_place = 0;
    for round in 0..3000 {
        let a = boundaries[next(boundaries.len())];
        let b = if next(3) == 0 {
            a
        } else {
            boundaries[next(boundaries.len())].max(a).min(a + 12)
        };
        let b = (b..=base.len())
            .find(|&i| base.is_char_boundary(i))
            .unwrap();
        let insert = inserts[next(inserts.len())];
        let new = format!("{}{}{}", &base[..a], insert, &base[b..]);
        let edit = TextEdit {
            start: a,
            old_end: b,
            new_end: a + insert.len(),
        };
        let mut old = parse(base);
        if reparse::reparse_in_place(&mut old, &new, &edit) {
            in_place += 1;
            assert_eq!(old, parse(&new), "round {round}: {a}..{b} -> {insert:?}");
        }
        let again = reparse(Some(parse(base)), &new, Some(Changed::Range(edit)));
        assert_eq!(again, parse(&new), "round {round}: {a}..{b} -> {insert:?}");
    }
    assert!(
        in_place > 500,
        "only {in_place} of 3000 edits were re-parsed in place"
    );
}

/// Many edits in a row, each re-parsed from the tree the previous one left (so shifted ranges
/// accumulate), always equal to a full parse of the current text.
#[test]
fn chained_reparses_stay_equal_to_full_parses() {
    use crate::text::{Changed, TextEdit};
    let mut text =
        String::from("{\n  \"a\": { \"b\": [1, {\"c\": \"名\"}], /* x */ \"d\": true },\n");
    for i in 0..40 {
        text.push_str(&format!(
            "  \"k{i}\": {{ \"id\": \"😀{i}\", \"v\": [{i}, null] }},\n"
        ));
    }
    text.push_str(
        "  \"list\": [1, \"two\", {\"t\": 3}, [4], null, true, 7.5, \"八\", 9, 10, 11, 12],\n",
    );
    text.push_str("  \"z\": 0\n}\n");
    let inserts = [
        "",
        "x",
        "名",
        "1",
        " ",
        "\"q\": 1, ",
        "{}",
        "[]",
        "\"",
        "}",
        ",",
    ];
    let mut seed = 0x1234_5678_9abc_def1u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let mut tree = parse(&text);
    let mut in_place = 0;
    for step in 0..3000 {
        let mut a = next(text.len() + 1);
        while !text.is_char_boundary(a) {
            a -= 1;
        }
        let mut b = (a + next(4)).min(text.len());
        while !text.is_char_boundary(b) {
            b += 1;
        }
        let insert = inserts[next(inserts.len())];
        let removed = text[a..b].to_string();
        let valid_before = tree.errors.is_empty();
        text.replace_range(a..b, insert);
        let full = parse(&text);
        tree = reparse(
            Some(tree),
            &text,
            Some(Changed::Range(TextEdit {
                start: a,
                old_end: b,
                new_end: a + insert.len(),
            })),
        );
        assert_eq!(tree, full, "step {step}: {a}..{b} -> {insert:?}");
        if valid_before && full.errors.is_empty() {
            in_place += 1;
        }
        // Undo what broke the text (or, at random, a valid edit), so most steps start valid.
        if !full.errors.is_empty() || next(2) == 0 {
            text.replace_range(a..a + insert.len(), &removed);
            tree = reparse(
                Some(tree),
                &text,
                Some(Changed::Range(TextEdit {
                    start: a,
                    old_end: a + insert.len(),
                    new_end: b,
                })),
            );
            assert_eq!(tree, parse(&text), "undo of step {step}");
        }
    }
    assert!(in_place > 500, "only {in_place} steps between valid texts");
}
