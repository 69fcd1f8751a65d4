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
        NodeKind::Number(n) => n.clone(),
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
