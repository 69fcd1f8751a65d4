//! The README's rule table and the code's rule list stay in sync.

use qwen_settings_ls::analysis::RULES;

#[test]
fn readme_rule_table_matches_the_code() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("<!-- rules:start -->")
        .expect("rules:start marker");
    let end = readme.find("<!-- rules:end -->").expect("rules:end marker");
    let rows: Vec<(String, String)> = readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (
                cells[1].trim_matches('`').to_string(),
                cells[2].split_whitespace().next().unwrap_or("").to_string(),
            )
        })
        .collect();
    let code: Vec<(String, String)> = RULES
        .iter()
        .map(|r| (r.code.to_string(), r.severity.as_str().to_string()))
        .collect();
    assert_eq!(
        rows, code,
        "README rule table (code, default severity) differs from analysis::RULES"
    );
}

#[test]
fn every_rule_code_is_kebab_case_and_unique() {
    let mut seen = std::collections::HashSet::new();
    for r in RULES {
        assert!(
            r.code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            r.code
        );
        assert!(seen.insert(r.code), "duplicate code {}", r.code);
    }
}
