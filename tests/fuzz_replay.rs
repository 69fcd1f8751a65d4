//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) and the minimized crash inputs kept as
//! regression tests (`tests/hostile/fuzz/<target>/`) through the same checks the fuzz targets
//! run (`fuzz/src/lib.rs`, included below), so CI replays them on every `cargo test`.
//! Running the fuzzers themselves is described in `fuzz/README.md`.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::path::{Path, PathBuf};
use std::time::Instant;

type Check = fn(&[u8]);

const TARGETS: &[(&str, Check)] = &[
    ("parse", checks::check_parse),
    ("analyze", checks::check_analyze),
    ("edits", checks::check_edits),
    ("fixes", checks::check_fixes),
];

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Runs every input of `dirs` through `check`; returns the failures (path and panic message).
fn replay(dirs: &[PathBuf], check: Check) -> (usize, Vec<String>) {
    let mut n = 0;
    let mut failures = Vec::new();
    for dir in dirs {
        for path in inputs(dir) {
            let data = std::fs::read(&path).unwrap();
            n += 1;
            let result = std::panic::catch_unwind(|| check(&data));
            if let Err(e) = result {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let short: String = msg.chars().take(600).collect();
                failures.push(format!("{}: {short}", path.display()));
            }
        }
    }
    (n, failures)
}

fn replay_target(name: &str) {
    let (_, check) = TARGETS.iter().find(|(t, _)| *t == name).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("fuzz/corpus").join(name),
        root.join("tests/hostile/fuzz").join(name),
    ];
    // Keep panics of the code under test from flooding the output; they are reported below.
    let started = Instant::now();
    let (n, failures) = replay(&dirs, *check);
    eprintln!("{name}: {n} inputs in {:?}", started.elapsed());
    assert!(n > 0, "no corpus for {name} under {}", dirs[0].display());
    assert!(
        failures.is_empty(),
        "{} of {n} {name} inputs fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn replay_parse() {
    replay_target("parse");
}

#[test]
fn replay_analyze() {
    replay_target("analyze");
}

#[test]
fn replay_edits() {
    replay_target("edits");
}

#[test]
fn replay_fixes() {
    replay_target("fixes");
}

/// The model the `edits` target checks `text::Document` against agrees with the documented
/// clamping on hand-picked cases (so a bug in the model cannot hide one in the document).
#[test]
fn edit_model_matches_documented_clamping() {
    use qwen_settings_ls::text::{Encoding, Position};
    let pos = |line, character| Position { line, character };
    let text = "ab\r\ncd";
    assert_eq!(checks::model_offset(text, pos(0, 99), Encoding::Utf16), 2);
    assert_eq!(checks::model_offset(text, pos(40, 0), Encoding::Utf16), 6);
    assert_eq!(checks::model_offset(text, pos(1, 1), Encoding::Utf8), 5);
    assert_eq!(
        checks::model_position(text, 1000, Encoding::Utf16),
        pos(1, 2)
    );
    // between CR and LF: past the line's content
    assert_eq!(checks::model_position(text, 3, Encoding::Utf16), pos(0, 3));
    let text = "😀x\r\u{85}y\rz";
    assert_eq!(checks::model_offset(text, pos(0, 1), Encoding::Utf16), 0);
    assert_eq!(checks::model_offset(text, pos(0, 2), Encoding::Utf8), 0);
    assert_eq!(checks::model_offset(text, pos(0, 2), Encoding::Utf16), 4);
    assert_eq!(checks::model_offset(text, pos(0, 1), Encoding::Utf32), 4);
    // only \n, \r\n and \r end a line (not NEL)
    assert_eq!(checks::model_lines(text).len(), 3);
    assert_eq!(checks::model_position(text, 8, Encoding::Utf16), pos(1, 1));
    // LSP edit semantics: inserts at one position keep their array order
    use qwen_settings_ls::analysis::Edit;
    let edits = [
        Edit {
            range: 1..1,
            new_text: "A".into(),
        },
        Edit {
            range: 1..1,
            new_text: "B".into(),
        },
        Edit {
            range: 1..2,
            new_text: "C".into(),
        },
    ];
    assert_eq!(checks::apply_lsp("xyz", &edits).unwrap(), "xABCz");
    assert!(checks::apply_lsp("xyz", &[edits[2].clone(), edits[2].clone()]).is_err());
}
