//! Pipeline benchmarks at 10 KB, 1 MB and 10 MB (issue 6).
//!
//! Documents come from `benches/support/gen.rs` (deterministic, seeded; `bench/lsp-latency` has a
//! byte-identical Python port). Stages, each per size:
//!
//! - `parse`: `syntax::parse` of the whole text.
//! - `analyze`: `analysis::analyze` on a prebuilt workspace [`Chain`].
//! - `edit_reparse`: one incremental `text::Document::apply` (typing or deleting an emoji after
//!   CJK text in the middle of the file, UTF-16 positions), then, as the server does, the
//!   previous `String` patched where it changed (`text::patch`) and `syntax::reparse`.
//! - `edit_full_parse`: the same edit, then rope → `String` and a full parse (the fallback when
//!   an edit touches a bracket or the file has syntax errors).
//! - `server_cycle`: what the server does per keystroke before publishing
//!   (`protocol/documents.rs`): apply the edit, patch and re-parse, build the chain with the
//!   other scopes (none exist in the sandbox), run the rules, convert ranges to UTF-16.
//! - `check`: `cli::check_file` end to end (read from disk, parse, chain, analyse).
//! - `completion`, `hover`: `analysis::completion::complete` inside the `"model"` object's
//!   `"name"` key and `analysis::hover::hover` on `"selectedType"`, on a prebuilt chain.
//!
//! Run: `cargo bench --bench pipeline` (about 3 minutes on 2 cores), or a subset, e.g.
//! `cargo bench --bench pipeline -- 'parse/'`. `QWEN_BENCH_WRITE_DOCS=<dir>` writes the
//! documents (`10KB.json`, `1MB.json`, `10MB.json`) instead of benchmarking.

#[path = "support/gen.rs"]
mod docgen;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group};
use qwen_settings_ls::analysis::completion::{Options as CompletionOptions, complete};
use qwen_settings_ls::analysis::hover::hover;
use qwen_settings_ls::analysis::{analyze, analyze_unverified};
use qwen_settings_ls::cli::check_file;
use qwen_settings_ls::model::{Chain, Environment, ScopeKind, SettingsFile};
use qwen_settings_ls::syntax::reparse;
use qwen_settings_ls::text::{
    Change, Changed, Document, Encoding, LineIndex, PosRange, Position, patch,
};
use qwen_settings_ls::workspace::{Locations, read_settings};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// A generated document and where the benchmarks type in it.
struct Doc {
    label: &'static str,
    text: String,
    /// The UTF-16 position right after the edit marker.
    edit_at: Position,
}

fn docs() -> &'static [Doc] {
    static DOCS: OnceLock<Vec<Doc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        docgen::SIZES
            .iter()
            .map(|&(label, size)| {
                let text = docgen::generate(size, docgen::SEED);
                let rope = ropey::Rope::from_str(&text);
                let edit_at =
                    LineIndex::new(&rope).position(docgen::edit_offset(&text), Encoding::Utf16);
                Doc {
                    label,
                    text,
                    edit_at,
                }
            })
            .collect()
    })
}

/// A HOME with one project per size, so that no real settings file takes part.
struct Sandbox {
    _dir: tempfile::TempDir,
    home: PathBuf,
    env: Environment,
    locations: Locations,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).expect("create HOME");
        let mut env = Environment {
            in_editor: true,
            ..Environment::default()
        };
        let etc = dir.path().join("etc");
        for (name, value) in [
            ("HOME", home.clone()),
            ("QWEN_CODE_SYSTEM_SETTINGS_PATH", etc.join("settings.json")),
            (
                "QWEN_CODE_SYSTEM_DEFAULTS_PATH",
                etc.join("system-defaults.json"),
            ),
        ] {
            env.vars
                .insert(name.into(), value.to_string_lossy().into_owned());
        }
        let locations = Locations::new(&env, &home);
        Self {
            _dir: dir,
            home,
            env,
            locations,
        }
    }

    /// `<HOME>/proj-<label>/.qwen/settings.json` (written when `text` is given).
    fn settings_path(&self, label: &str, text: Option<&str>) -> PathBuf {
        let path = self
            .home
            .join(format!("proj-{label}"))
            .join(".qwen")
            .join("settings.json");
        if let Some(text) = text {
            std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write document");
        }
        path
    }
}

/// Sampling per size: the 10 MB cases run few, flat samples to keep `cargo bench` short.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, doc: &Doc) {
    group.throughput(Throughput::Bytes(doc.text.len() as u64));
    group.warm_up_time(Duration::from_secs(1));
    if doc.text.len() > 4 * 1024 * 1024 {
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(3));
    } else {
        group.sampling_mode(SamplingMode::Auto);
        group.sample_size(50);
        group.measurement_time(Duration::from_secs(3));
    }
}

/// Alternately types an emoji at the edit point and deletes it again (UTF-16 ranges), so the
/// document never drifts; returns the new version.
fn toggle_edit(doc: &mut Document, at: Position) -> i32 {
    let version = doc.version() + 1;
    let change = if version % 2 == 1 {
        Change {
            range: Some(PosRange { start: at, end: at }),
            text: "🚀".into(),
        }
    } else {
        let end = Position {
            line: at.line,
            character: at.character + 2,
        };
        Change {
            range: Some(PosRange { start: at, end }),
            text: String::new(),
        }
    };
    doc.apply([change], version, Encoding::Utf16);
    version
}

fn workspace_chain(sandbox: &Sandbox, path: &Path, text: String) -> Chain {
    let target = SettingsFile::new(ScopeKind::Workspace, path, text);
    sandbox
        .locations
        .chain(target, sandbox.env.clone(), &read_settings)
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for doc in docs() {
        configure(&mut group, doc);
        group.bench_function(doc.label, |b| {
            b.iter(|| qwen_settings_ls::syntax::parse(black_box(&doc.text)))
        });
    }
    group.finish();
}

fn analysis(c: &mut Criterion) {
    let sandbox = Sandbox::new();
    let mut group = c.benchmark_group("analyze");
    for doc in docs() {
        let path = sandbox.settings_path(doc.label, None);
        let chain = workspace_chain(&sandbox, &path, doc.text.clone());
        configure(&mut group, doc);
        group.bench_function(doc.label, |b| b.iter(|| analyze(black_box(&chain))));
    }
    group.finish();
}

/// One keystroke as the server handles it: patch the previous text, re-parse what changed.
fn edit_reparse(c: &mut Criterion) {
    let mut group = c.benchmark_group("edit_reparse");
    for doc in docs() {
        let mut document = Document::new(&doc.text, 0);
        document.take_changed();
        let mut text = doc.text.clone();
        let mut tree = Some(qwen_settings_ls::syntax::parse(&text));
        configure(&mut group, doc);
        group.bench_function(doc.label, |b| {
            b.iter(|| {
                toggle_edit(&mut document, doc.edit_at);
                let changed = document.take_changed();
                if let Some(Changed::Range(edit)) = changed {
                    assert!(patch(&mut text, document.rope(), &edit));
                }
                tree = Some(reparse(tree.take(), &text, changed));
            })
        });
    }
    group.finish();
}

/// The same keystroke with a full parse of a fresh copy of the text (what the server did before
/// the incremental pipeline, and still does when an edit touches a bracket).
fn edit_full_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("edit_full_parse");
    for doc in docs() {
        let mut document = Document::new(&doc.text, 0);
        configure(&mut group, doc);
        group.bench_function(doc.label, |b| {
            b.iter(|| {
                toggle_edit(&mut document, doc.edit_at);
                qwen_settings_ls::syntax::parse(&document.text())
            })
        });
    }
    group.finish();
}

/// What the server does per keystroke until the diagnostics are ready to send: patch and
/// re-parse, build the chain, run the rules, convert ranges to UTF-16 positions.
fn server_cycle(c: &mut Criterion) {
    let sandbox = Sandbox::new();
    let mut group = c.benchmark_group("server_cycle");
    for doc in docs() {
        let path = sandbox.settings_path(doc.label, None);
        let mut document = Document::new(&doc.text, 0);
        document.take_changed();
        let mut file = Some(SettingsFile::new(
            ScopeKind::Workspace,
            &path,
            doc.text.clone(),
        ));
        configure(&mut group, doc);
        group.bench_function(doc.label, |b| {
            b.iter(|| {
                toggle_edit(&mut document, doc.edit_at);
                let changed = document.take_changed();
                let SettingsFile {
                    mut text, parse, ..
                } = file.take().expect("kept");
                if let Some(Changed::Range(edit)) = changed {
                    assert!(patch(&mut text, document.rope(), &edit));
                }
                let parse = reparse(Some(parse), &text, changed);
                let target =
                    SettingsFile::with_parse(ScopeKind::Workspace, path.clone(), text, parse);
                let chain = sandbox
                    .locations
                    .chain(target, sandbox.env.clone(), &read_settings);
                let diagnostics = analyze_unverified(&chain);
                let index = LineIndex::new(document.rope());
                let ranges: Vec<_> = diagnostics
                    .iter()
                    .map(|d| index.range(d.range.clone(), Encoding::Utf16))
                    .collect();
                file = chain.into_target();
                ranges
            })
        });
    }
    group.finish();
}

fn check(c: &mut Criterion) {
    let sandbox = Sandbox::new();
    let mut group = c.benchmark_group("check");
    for doc in docs() {
        let path = sandbox.settings_path(doc.label, Some(&doc.text));
        configure(&mut group, doc);
        group.bench_function(doc.label, |b| {
            b.iter(|| {
                check_file(&path, &sandbox.locations, &sandbox.env)
                    .expect("the generated document is readable")
                    .diagnostics
            })
        });
    }
    group.finish();
}

/// Completion inside the `"model"` object's `"name"` key and hover on `"selectedType"`, on a
/// prebuilt chain (issue 6 targets: ≤ 1 ms at 10 KB, ≤ 5 ms at 1 MB, ≤ 10 ms at 10 MB).
fn completion_hover(c: &mut Criterion) {
    let sandbox = Sandbox::new();
    let mut group = c.benchmark_group("completion");
    let chains: Vec<(&Doc, Chain)> = docs()
        .iter()
        .map(|doc| {
            let path = sandbox.settings_path(doc.label, None);
            (doc, workspace_chain(&sandbox, &path, doc.text.clone()))
        })
        .collect();
    for (doc, chain) in &chains {
        let model = doc.text.find("\"model\": {").expect("model object");
        let offset = model + doc.text[model..].find("\"name\"").expect("model.name") + 1;
        configure(&mut group, doc);
        group.bench_function(doc.label, |b| {
            b.iter(|| complete(black_box(chain), offset, CompletionOptions::default()))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("hover");
    for (doc, chain) in &chains {
        let offset = doc.text.find("\"selectedType\"").expect("selectedType") + 2;
        configure(&mut group, doc);
        group.bench_function(doc.label, |b| {
            b.iter(|| hover(black_box(chain), offset, false))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    parse,
    analysis,
    edit_reparse,
    edit_full_parse,
    server_cycle,
    check,
    completion_hover
);

/// Writes the generated documents to `dir` (for `bench/lsp-latency --verify-generator`).
fn write_docs(dir: &Path) {
    std::fs::create_dir_all(dir).expect("create the output directory");
    for doc in docs() {
        let path = dir.join(format!("{}.json", doc.label));
        std::fs::write(&path, &doc.text).expect("write a document");
        eprintln!(
            "{} ({} bytes, edit point at {}:{} UTF-16)",
            path.display(),
            doc.text.len(),
            doc.edit_at.line,
            doc.edit_at.character
        );
    }
}

fn main() {
    if let Some(dir) = std::env::var_os("QWEN_BENCH_WRITE_DOCS") {
        write_docs(Path::new(&dir));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
