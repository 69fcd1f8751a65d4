//! Data-driven rule tests: every `rules/fixtures/**/*.jsonc` is analysed, its diagnostics and
//! the result of each fix are snapshotted, and each fix is applied and re-checked.
//!
//! Fixture format: sections headed `//- <scope>` (`user`, `workspace`, `system`,
//! `system-defaults`; add ` target` to pick the analysed file, else the last one),
//! `//- exported` (`NAME=value` lines) and `//- dotenv <path> [project]` (a loaded `.env` file,
//! in load order). A fixture without headers is one workspace file.

use super::*;
use super::{completion, hover};
use crate::model::{Chain, Environment, ScopeKind, SettingsFile};
use crate::text::{Encoding, LineIndex};
use ropey::Rope;
use std::fmt::Write;

pub(crate) fn chain_from_fixture(src: &str) -> Chain {
    let mut files = Vec::new();
    let mut target = None;
    let mut env = Environment::default();
    let mut dotenv = Vec::new();
    env.vars.insert("HOME".into(), "/home/user".into());
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in src.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("//- ") {
            sections.push((header.trim().to_string(), String::new()));
        } else if let Some(last) = sections.last_mut() {
            last.1.push_str(line);
        } else {
            sections.push(("workspace".into(), line.to_string()));
        }
    }
    if sections.is_empty() {
        sections.push(("workspace".into(), String::new()));
    }
    for (header, body) in sections {
        let mut words = header.split_whitespace();
        let scope = words.next().unwrap_or("workspace");
        let is_target = header.ends_with(" target");
        let (kind, path) = match scope {
            // `//- dotenv <path> [project]`: a loaded .env file, in precedence order
            "dotenv" => {
                let path = words.next().expect("dotenv path");
                let project = header.ends_with(" project");
                dotenv.push(crate::model::EnvFile::new(path, project, &body));
                continue;
            }
            "exported" => {
                for l in body.lines().filter(|l| !l.trim().is_empty()) {
                    let (k, v) = l.split_once('=').expect("NAME=value");
                    env.vars.insert(k.into(), v.into());
                }
                continue;
            }
            "user" => (ScopeKind::User, "/home/user/.qwen/settings.json"),
            "workspace" => (
                ScopeKind::Workspace,
                "/home/user/project/.qwen/settings.json",
            ),
            "system" => (ScopeKind::System, "/etc/qwen-code/settings.json"),
            "system-defaults" => (
                ScopeKind::SystemDefaults,
                "/etc/qwen-code/system-defaults.json",
            ),
            other => panic!("unknown fixture section {other:?}"),
        };
        if is_target {
            target = Some(files.len());
        }
        files.push(SettingsFile::new(kind, path, body));
    }
    let target = target.unwrap_or(files.len() - 1);
    // A workspace project is a git repository with a .gitignore; its .qwen/.env does not exist.
    let secret_store = match files[target].kind {
        ScopeKind::Workspace => Some(crate::model::SecretStore {
            env_path: "/home/user/project/.qwen/.env".into(),
            env_text: None,
            gitignore: Some((
                "/home/user/project/.gitignore".into(),
                Some("target/\n".into()),
            )),
        }),
        _ => None,
    };
    Chain {
        files,
        target,
        env,
        dotenv,
        shadowed_dotenv: None,
        secret_store,
    }
}

fn at(text: &str, offset: usize) -> String {
    let rope = Rope::from_str(text);
    let p = LineIndex::new(&rope).position(offset, Encoding::Utf16);
    format!("{}:{}", p.line + 1, p.character + 1)
}

/// Renders diagnostics, related places and fixes (as diffs), and checks each fix.
pub(crate) fn check_rules(src: &str) -> String {
    let chain = chain_from_fixture(src);
    let diagnostics = analyze(&chain);
    let file = &chain.files[chain.target];
    let text = &file.text;
    let mut out = String::new();
    for d in &diagnostics {
        writeln!(
            out,
            "{}[{}] {}-{} {:?}\n  {}",
            d.severity.as_str(),
            d.code,
            at(text, d.range.start),
            at(text, d.range.end),
            &text[d.range.clone()],
            d.message
        )
        .unwrap();
        for r in &d.related {
            let other = &chain.files[r.file];
            writeln!(
                out,
                "  related {} {}: {}",
                other.kind.label(),
                at(&other.text, r.range.start),
                r.message
            )
            .unwrap();
        }
        for f in &d.fixes {
            let fixed = apply_edits(text, &f.edits);
            let diff = similar::TextDiff::from_lines(text.as_str(), fixed.as_str());
            writeln!(out, "  fix: {}", f.title).unwrap();
            for change in diff.iter_all_changes() {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => "-",
                    similar::ChangeTag::Insert => "+",
                    similar::ChangeTag::Equal => continue,
                };
                write!(out, "    {sign} {}", change).unwrap();
                if change.missing_newline() {
                    out.push('\n');
                }
            }
            for other in &f.files {
                let after = apply_edits(&other.text, &other.edits);
                writeln!(
                    out,
                    "    {} {}: {:?}",
                    if other.create { "create" } else { "edit" },
                    other.path.display(),
                    after
                )
                .unwrap();
            }
            check_fix(&chain, d, &fixed, &f.title);
        }
    }
    if diagnostics.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

/// A fix must not make the file parse worse and must remove (one) diagnostic of its code.
fn check_fix(chain: &Chain, d: &Diagnostic, fixed: &str, title: &str) {
    let mut after = chain.clone();
    let target = &chain.files[chain.target];
    after.files[chain.target] = SettingsFile::new(target.kind, target.path.clone(), fixed);
    let before_errors = target.parse.errors.len();
    let after_errors = after.files[chain.target].parse.errors.len();
    assert!(
        after_errors <= before_errors,
        "fix {title:?} added syntax errors:\n{fixed}"
    );
    let count = |diags: &[Diagnostic]| diags.iter().filter(|x| x.code == d.code).count();
    let before = count(&analyze(chain));
    let now = count(&analyze(&after));
    assert!(
        now < before,
        "fix {title:?} left every {} diagnostic in place:\n{fixed}",
        d.code
    );
}

#[test]
fn rule_fixtures() {
    insta::glob!("rules/fixtures/**/*.jsonc", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(check_rules(&src));
    });
}

/// Realistic, correct configurations (Qwen Code's and Alibaba Cloud's documentation, a file the
/// CLI's `/auth` setup writes) get no error or warning.
#[test]
fn clean_configs_have_no_errors_or_warnings() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analysis/rules/fixtures/clean");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let chain = chain_from_fixture(&std::fs::read_to_string(&path).unwrap());
        for d in analyze(&chain) {
            assert!(
                d.severity >= Severity::Information,
                "{}: {} {}",
                path.display(),
                d.code,
                d.message
            );
        }
        n += 1;
    }
    assert!(n >= 5, "clean fixtures missing");
}

/// The text of every rule fixture, in a stable order.
fn rule_fixture_texts() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analysis/rules/fixtures");
    let mut paths = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Every shipped rule fires on at least one fixture, and every emitted code is a shipped rule.
#[test]
fn every_rule_has_a_fixture() {
    let mut fired = std::collections::BTreeSet::new();
    for src in rule_fixture_texts() {
        fired.extend(
            analyze(&chain_from_fixture(&src))
                .into_iter()
                .map(|d| d.code),
        );
    }
    let shipped: std::collections::BTreeSet<&str> = RULES
        .iter()
        .map(|r| r.code)
        .filter(|c| !DOCTOR_ONLY.contains(c))
        .collect();
    assert_eq!(fired, shipped);
}

/// Random edits of every fixture (a cheap, deterministic stand-in for fuzzing): analysis and
/// every fix must never panic, and fix edits must stay inside the text on char boundaries.
#[test]
fn mutated_fixtures_never_panic() {
    let files = rule_fixture_texts();
    let pieces = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "//", "/*", "\n", "\r\n", " ", "é", "😀", "中",
        "$", "sk-", "null", "1e9", "\u{2028}", "'",
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    for src in &files {
        let original = chain_from_fixture(src);
        for _ in 0..120 {
            let mut text = original.files[original.target].text.clone();
            for _ in 0..1 + next(4) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if next(2) == 0 {
                    let mut end = (at + next(12)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                } else {
                    text.insert_str(at, pieces[next(pieces.len())]);
                }
            }
            let mut chain = original.clone();
            let t = &chain.files[chain.target];
            chain.files[chain.target] = SettingsFile::new(t.kind, t.path.clone(), text);
            let target = &chain.files[chain.target].text;
            for d in analyze(&chain) {
                assert!(
                    d.range.end <= target.len()
                        && target.is_char_boundary(d.range.start)
                        && target.is_char_boundary(d.range.end)
                );
                for f in &d.fixes {
                    for e in &f.edits {
                        assert!(
                            e.range.start <= e.range.end && e.range.end <= target.len(),
                            "{} {:?}",
                            f.title,
                            e.range
                        );
                        assert!(
                            target.is_char_boundary(e.range.start)
                                && target.is_char_boundary(e.range.end)
                        );
                    }
                    let fixed = apply_edits(target, &f.edits);
                    let _ = crate::syntax::parse(&fixed);
                }
            }
        }
    }
}

/// A fixture with the cursor marker `$0` in the analysed file: the chain and the offset.
fn with_cursor(src: &str) -> (Chain, usize) {
    let mut chain = chain_from_fixture(&src.replacen("$0", "", 1));
    let marked = chain_from_fixture(src);
    let offset = marked.files[marked.target]
        .text
        .find("$0")
        .expect("cursor marker $0");
    let _ = &mut chain;
    (chain, offset)
}

/// Renders completion items: label, detail, and the edit (range as text, new text).
fn check_completion(src: &str) -> String {
    let (chain, offset) = with_cursor(src);
    let text = &chain.files[chain.target].text;
    let mut items = completion::complete(&chain, offset, completion::Options::default());
    items.sort_by(|a, b| a.sort.cmp(&b.sort).then(a.label.cmp(&b.label)));
    let mut out = String::new();
    for i in &items {
        writeln!(
            out,
            "{:?} {}{}  [{:?} -> {:?}]{}",
            i.kind,
            i.label,
            i.detail
                .as_deref()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default(),
            &text[i.edit.range.clone()],
            i.edit.new_text,
            if i.generic { " (generic)" } else { "" }
        )
        .unwrap();
    }
    if items.is_empty() {
        out.push_str("(no items)\n");
    }
    out
}

fn check_hover(src: &str) -> String {
    let (chain, offset) = with_cursor(src);
    let text = &chain.files[chain.target].text;
    match hover::hover(&chain, offset, true) {
        Some(h) => format!("{:?}\n{}\n", &text[h.range.clone()], h.markdown),
        None => "(no hover)\n".into(),
    }
}

#[test]
fn completion_fixtures() {
    insta::glob!("fixtures/completion/*.jsonc", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(check_completion(&src));
    });
}

#[test]
fn hover_fixtures() {
    insta::glob!("fixtures/hover/*.jsonc", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(check_hover(&src));
    });
}
