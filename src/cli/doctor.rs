//! `doctor`: what `qwen` will actually send, and why.
//!
//! Reads the settings chain and the `.env` files from the current directory, as the CLI does at
//! start-up, and explains the effective auth type, model entry, base URL, the request URL the SDK
//! builds, the variable that holds the key and where its value comes from (masked). It reads
//! nothing outside the chain and opens no connection.

use super::{Format, render};
use crate::analysis::{self, Diagnostic, Severity};
use crate::model::endpoints::request_url;
use crate::model::keys::mask;
use crate::model::{
    Chain, Effective, Environment, FileId, Protocol, ScopeKind, SettingsFile, Source, display_path,
};
use crate::text::{Encoding, LineIndex};
use crate::workspace::{Locations, read_settings};
use ropey::Rope;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeySource {
    /// `exported`, `dotenv`, `settings` or `none`.
    pub kind: &'static str,
    /// The `.env` or settings file; null when exported or none.
    pub file: Option<String>,
}

#[derive(Serialize)]
pub struct Shadowed {
    pub variable: String,
    pub file: String,
    pub winner: String,
}

#[derive(Serialize)]
pub struct EntryLocation {
    pub file: String,
    pub line: u32,
    /// The `modelProviders` key it sits under.
    pub provider: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub auth_type: Option<String>,
    /// Where the auth type comes from: a settings file, or "environment".
    pub auth_type_source: Option<String>,
    /// The selected entry's `id` (or the raw model name when no entry applies).
    pub model: Option<String>,
    pub entry: Option<EntryLocation>,
    /// Why that entry was chosen.
    pub reason: Option<String>,
    pub base_url: Option<String>,
    /// Where the base URL comes from when the entry has none.
    pub base_url_source: Option<String>,
    pub request_url: Option<String>,
    pub key_variable: Option<String>,
    pub key_source: KeySource,
    pub masked_key: Option<String>,
    /// Notes such as the fallback from an unset envKey variable to the default variable.
    pub notes: Vec<String>,
    /// `(path, scope)`, lowest precedence first.
    pub settings_files: Vec<(String, &'static str)>,
    pub env_files: Vec<String>,
    pub shadowed: Vec<Shadowed>,
    pub diagnostics: Vec<render::JsonDiagnostic>,
}

pub fn run(format: Format) -> ExitCode {
    let env = Environment::from_process(false);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let locations = Locations::new(&env, &cwd);
    let home = env.home().map(str::to_string);
    let report = explain(&cwd, &locations, env);
    let errors = report.diagnostics.iter().any(|d| d.severity == "error");
    let mut buf = Vec::new();
    let written = match format {
        Format::Json => serde_json::to_writer_pretty(&mut buf, &report)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(buf)),
        Format::Human => human(&report, &cwd, home.as_deref(), &mut buf),
    };
    // Ids, names and paths are the user's text: a key pasted into one is masked here too.
    let text = crate::model::keys::mask_secrets(&String::from_utf8_lossy(&buf));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if written
        .and_then(|()| out.write_all(text.as_bytes()))
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Builds the report for a CLI started in `cwd`.
pub fn explain(cwd: &Path, locations: &Locations, env: Environment) -> Report {
    let home = env.home().map(PathBuf::from);
    // The CLI reads the workspace file of its start directory only, and none when started in ~.
    let workspace = cwd.join(".qwen").join("settings.json");
    let workspace = (home.as_deref() != Some(cwd))
        .then(|| read_settings(&workspace).map(|text| (workspace, text)))
        .flatten();
    let user = locations
        .user
        .as_ref()
        .and_then(|p| read_settings(p).map(|text| (p.clone(), text)));
    let (target, virtual_target) = match (workspace, user) {
        (Some((path, text)), _) => (SettingsFile::new(ScopeKind::Workspace, path, text), false),
        (None, Some((path, text))) => (SettingsFile::new(ScopeKind::User, path, text), false),
        (None, None) => (
            SettingsFile::new(
                ScopeKind::User,
                locations
                    .user
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("~/.qwen/settings.json")),
                "{}",
            ),
            true,
        ),
    };
    let mut chain = locations.chain(target, env, &read_settings);
    if virtual_target {
        chain.files.pop();
        chain
            .files
            .push(SettingsFile::new(ScopeKind::User, "", "{}"));
        chain.target = chain.files.len() - 1;
    }
    // .env files are found from the start directory, whatever the settings files are.
    let (dotenv, shadowed_dotenv, skipped) = locations.dotenv_with_skipped(Some(cwd));
    chain.dotenv = dotenv;
    chain.shadowed_dotenv = shadowed_dotenv;
    let mut report = report(&chain, virtual_target, cwd);
    for (path, why) in skipped {
        report
            .env_files
            .push(format!("{} (not read: {why})", path.display()));
    }
    // Settings files that exist but cannot be read are worth saying out loud.
    let candidates = [
        Some(cwd.join(".qwen").join("settings.json")),
        locations.user.clone(),
    ];
    for path in candidates.into_iter().flatten() {
        if !path.is_file() || read_settings(&path).is_some() {
            continue;
        }
        let why = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(e) => format!(
                    "is not valid UTF-8 (invalid byte at offset {}): Qwen Code cannot parse it",
                    e.utf8_error().valid_up_to()
                ),
                Ok(_) => "is too large to read".to_string(),
            },
            Err(e) => format!("cannot be read: {e}"),
        };
        report.notes.push(format!("{} {why}", path.display()));
    }
    report
}

/// Paths in the report are absolute; the human view shortens them with [`friendly`].
fn shown(path: &Path, _chain: &Chain, _cwd: &Path) -> String {
    path.display().to_string()
}

/// `path` relative to `cwd` when inside it, else with `~` for the home directory.
fn friendly(path: &str, cwd: &Path, home: Option<&str>) -> String {
    let p = Path::new(path);
    match p.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => display_path(p, home),
    }
}

fn line_of(file: &SettingsFile, offset: usize) -> u32 {
    let rope = Rope::from_str(&file.text);
    LineIndex::new(&rope).position(offset, Encoding::Utf16).line + 1
}

fn report(chain: &Chain, virtual_target: bool, cwd: &Path) -> Report {
    let eff = Effective::new(chain);
    let file_name = |id: FileId| shown(&chain.files[id].path, chain, cwd);
    let mut notes = Vec::new();
    let selection = eff.selection();

    let mut report = Report {
        auth_type: None,
        auth_type_source: None,
        model: None,
        entry: None,
        reason: None,
        base_url: None,
        base_url_source: None,
        request_url: None,
        key_variable: None,
        key_source: KeySource {
            kind: "none",
            file: None,
        },
        masked_key: None,
        notes: Vec::new(),
        settings_files: chain
            .files
            .iter()
            .filter(|f| !f.path.as_os_str().is_empty())
            .map(|f| (shown(&f.path, chain, cwd), f.kind.label()))
            .collect(),
        env_files: chain
            .dotenv
            .iter()
            .map(|f| shown(&f.path, chain, cwd))
            .collect(),
        shadowed: shadowed(&eff, chain, cwd),
        diagnostics: Vec::new(),
    };

    if let Some(sel) = &selection {
        report.auth_type = Some(sel.auth_type.clone());
        report.auth_type_source = Some(match sel.auth_from {
            Some(at) => format!(
                "security.auth.selectedType in {}",
                display_path(&chain.files[at.file].path, chain.env.home())
            ),
            None => "derived from the environment (no security.auth.selectedType)".into(),
        });
        let protocol = if sel.auth_type == "openai-responses" {
            Some(Protocol::OpenAi)
        } else {
            Protocol::from_name(&sel.auth_type)
        };
        match (&sel.entry, protocol) {
            (Some(entry), _) => {
                report.model = entry.id().map(str::to_string);
                report.reason = Some(sel.reason.to_string());
                report.entry = Some(EntryLocation {
                    file: file_name(entry.file),
                    line: line_of(&chain.files[entry.file], entry.node.range().start),
                    provider: entry.key.to_string(),
                });
                match eff.base_url(entry) {
                    Some(base) => {
                        let responses = entry.wire_api() == Some("responses") || entry.key == "openai-responses";
                        let model = entry.id().unwrap_or_default();
                        report.request_url = entry
                            .protocol
                            .map(|p| request_url(p, &base.url, model, responses));
                        report.base_url = Some(base.url);
                        report.base_url_source = base.implicit;
                    }
                    None if entry.protocol == Some(Protocol::Anthropic) => notes.push(
                        "this anthropic entry has no baseUrl: Qwen Code stops before sending anything".to_string(),
                    ),
                    None => notes.push("baseUrl refers to an unset variable and is sent literally".to_string()),
                }
                if let Some(key) = eff.key_info(entry) {
                    if !key.valid_name {
                        notes.push(format!(
                            "envKey holds {} instead of a variable name (see the diagnostics)",
                            key.variable
                        ));
                    }
                    let (variable, resolved) = match (key.resolved, key.fallback) {
                        (Some(r), _) => (key.variable.clone(), Some(r)),
                        (None, Some((default, r))) => {
                            notes.push(format!(
                                "{} is not set anywhere, so Qwen Code falls back to {default}",
                                key.variable
                            ));
                            (default.to_string(), Some(r))
                        }
                        (None, None) => (key.variable.clone(), None),
                    };
                    report.key_variable = Some(variable);
                    if let Some(r) = resolved {
                        report.masked_key = Some(mask(r.value));
                        report.key_source = key_source(r.source, chain, cwd);
                    }
                } else {
                    notes.push("envKey does not name a variable (see the diagnostics)".to_string());
                }
            }
            (None, Some(protocol)) => {
                notes.push(format!(
                    "no modelProviders entry for \"{}\": Qwen Code runs a raw model from the environment",
                    sel.auth_type
                ));
                runtime_model(&eff, protocol, &mut report, chain, cwd);
            }
            (None, None) => {}
        }
    } else {
        notes.push("no auth type: security.auth.selectedType is not set and the environment selects none, so `qwen -p` stops with \"No auth type is selected\"".into());
    }
    report.notes = notes;

    let targets: Vec<FileId> = if virtual_target {
        Vec::new()
    } else {
        (0..chain.files.len()).collect()
    };
    for id in targets {
        let mut c = chain.clone();
        c.target = id;
        let diagnostics = analysis::analyze(&c);
        report.diagnostics.extend(render::json_diagnostics(
            &file_name(id),
            &chain.files[id].text,
            &diagnostics,
        ));
    }
    if let Some(path) = &chain.shadowed_dotenv {
        let d = Diagnostic {
            code: "env-file-shadowed",
            severity: Severity::Hint,
            range: 0..0,
            message: format!(
                "{} is never loaded: Qwen Code loads only {} from this directory.",
                shown(path, chain, cwd),
                shown(&path.with_file_name(".qwen").join(".env"), chain, cwd)
            ),
            related: Vec::new(),
            fixes: Vec::new(),
        };
        report
            .diagnostics
            .extend(render::json_diagnostics(&shown(path, chain, cwd), "", &[d]));
    }
    report
}

/// No entry applies: the CLI runs `model.name` (or the model variables) as a raw model with
/// the protocol's default variables (qwen-code.md §4.4).
fn runtime_model(
    eff: &Effective,
    protocol: Protocol,
    report: &mut Report,
    chain: &Chain,
    cwd: &Path,
) {
    let (key_var, base_var, model_vars): (&str, Option<&str>, &[&str]) = match protocol {
        Protocol::OpenAi => (
            "OPENAI_API_KEY",
            Some("OPENAI_BASE_URL"),
            &["OPENAI_MODEL", "QWEN_MODEL"],
        ),
        Protocol::Anthropic => (
            "ANTHROPIC_API_KEY",
            Some("ANTHROPIC_BASE_URL"),
            &["ANTHROPIC_MODEL"],
        ),
        Protocol::Gemini => ("GEMINI_API_KEY", None, &["GEMINI_MODEL"]),
        Protocol::VertexAi => ("GOOGLE_API_KEY", None, &["GOOGLE_MODEL"]),
        Protocol::QwenOAuth => return,
    };
    report.model = eff
        .model_name
        .and_then(|at| at.str())
        .map(str::to_string)
        .or_else(|| {
            model_vars
                .iter()
                .find_map(|v| eff.resolve_var(v))
                .map(str::to_string)
        });
    let base = base_var.and_then(|v| eff.resolve(v).map(|r| (v, r)));
    let (url, source) = match (base, protocol) {
        (Some((v, r)), _) => (
            Some(r.value.to_string()),
            Some(format!("{v}, from {}", eff.describe_source(r.source))),
        ),
        (None, Protocol::OpenAi) => (
            Some("https://dashscope.aliyuncs.com/compatible-mode/v1".to_string()),
            Some("the CLI's default for an openai runtime model without a base URL".to_string()),
        ),
        (None, Protocol::Gemini | Protocol::VertexAi) => (
            Some("https://generativelanguage.googleapis.com".to_string()),
            Some("the Gemini SDK's default".to_string()),
        ),
        _ => (None, None),
    };
    if let Some(url) = &url {
        report.request_url = Some(request_url(
            protocol,
            url,
            report.model.as_deref().unwrap_or("<model>"),
            false,
        ));
    }
    report.base_url = url;
    report.base_url_source = source;
    report.key_variable = Some(key_var.to_string());
    if let Some(r) = eff.resolve(key_var) {
        report.masked_key = Some(mask(r.value));
        report.key_source = key_source(r.source, chain, cwd);
    }
}

fn key_source(source: Source, chain: &Chain, cwd: &Path) -> KeySource {
    match source {
        Source::Exported => KeySource {
            kind: "exported",
            file: None,
        },
        Source::DotEnv(i) => KeySource {
            kind: "dotenv",
            file: Some(shown(&chain.dotenv[i].path, chain, cwd)),
        },
        Source::Settings(at) => KeySource {
            kind: "settings",
            file: Some(shown(&chain.files[at.file].path, chain, cwd)),
        },
    }
}

/// Every settings `env` value and `.env` value that another source overrides.
fn shadowed(eff: &Effective, chain: &Chain, cwd: &Path) -> Vec<Shadowed> {
    let mut names: Vec<&str> = Vec::new();
    for f in &chain.dotenv {
        names.extend(f.vars.iter().map(|v| v.name.as_str()));
    }
    for file in &chain.files {
        if let Some(obj) = file
            .root()
            .and_then(|r| r.get("env"))
            .and_then(|e| e.as_object())
        {
            names.extend(obj.members.iter().map(|m| m.key.text.as_str()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(*n));
    let mut out = Vec::new();
    for name in names {
        let Some(winner) = eff.resolve(name) else {
            continue;
        };
        let winner_text = match winner.source {
            Source::Exported => "exported".to_string(),
            Source::DotEnv(i) => shown(&chain.dotenv[i].path, chain, cwd),
            Source::Settings(at) => shown(&chain.files[at.file].path, chain, cwd),
        };
        for (i, f) in chain.dotenv.iter().enumerate() {
            let is_winner = matches!(winner.source, Source::DotEnv(w) if w == i);
            if !is_winner && f.get(name).is_some_and(|v| !v.value.is_empty()) {
                out.push(Shadowed {
                    variable: name.to_string(),
                    file: shown(&f.path, chain, cwd),
                    winner: winner_text.clone(),
                });
            }
        }
        for (id, file) in chain.files.iter().enumerate() {
            let Some(member) = file.member(&["env", name]) else {
                continue;
            };
            let is_winner = matches!(winner.source, Source::Settings(at) if at.file == id);
            let non_empty = member
                .value
                .as_ref()
                .and_then(|v| v.as_str())
                .is_some_and(|v| !v.is_empty());
            if !is_winner && non_empty {
                out.push(Shadowed {
                    variable: name.to_string(),
                    file: shown(&file.path, chain, cwd),
                    winner: winner_text.clone(),
                });
            }
        }
    }
    out
}

fn human(r: &Report, cwd: &Path, home: Option<&str>, out: &mut impl Write) -> std::io::Result<()> {
    let f = |p: &str| friendly(p, cwd, home);
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    writeln!(out, "Settings files (lowest precedence first):")?;
    if r.settings_files.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for (path, kind) in &r.settings_files {
        writeln!(out, "  {} ({kind})", f(path))?;
    }
    writeln!(
        out,
        ".env files loaded (the first one that sets a variable wins):"
    )?;
    if r.env_files.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for path in &r.env_files {
        // "path (not read: …)" keeps its note
        match path.split_once(" (") {
            Some((p, note)) => writeln!(out, "  {} ({note}", display_path(Path::new(p), home))?,
            None => writeln!(out, "  {}", f(path))?,
        }
    }
    writeln!(out)?;
    let row = |out: &mut dyn Write, label: &str, value: String, note: Option<&String>| match note {
        Some(n) => writeln!(out, "{label:<13}{value}\n{:<13}({n})", ""),
        None => writeln!(out, "{label:<13}{value}"),
    };
    row(
        out,
        "Auth type",
        or_none(&r.auth_type),
        r.auth_type_source.as_ref(),
    )?;
    let entry = r
        .entry
        .as_ref()
        .map(|e| format!("modelProviders.{} in {}:{}", e.provider, f(&e.file), e.line));
    row(out, "Model", or_none(&r.model), entry.as_ref())?;
    if let Some(reason) = &r.reason {
        row(out, "", format!("chosen as: {reason}"), None)?;
    }
    row(
        out,
        "Base URL",
        or_none(&r.base_url),
        r.base_url_source.as_ref(),
    )?;
    row(
        out,
        "Request",
        r.request_url
            .as_ref()
            .map_or("(none)".into(), |u| format!("POST {u}")),
        None,
    )?;
    row(out, "Key variable", or_none(&r.key_variable), None)?;
    let source = match (r.key_source.kind, &r.key_source.file) {
        ("exported", _) => "exported in the environment".to_string(),
        (_, Some(file)) => format!("from {}", f(file)),
        _ => "not set anywhere".to_string(),
    };
    row(
        out,
        "Key",
        r.masked_key.clone().unwrap_or_else(|| "(none)".into()),
        Some(&source),
    )?;
    for n in &r.notes {
        writeln!(out, "note: {n}")?;
    }
    if !r.shadowed.is_empty() {
        writeln!(out, "\nShadowed values (never used):")?;
        for s in &r.shadowed {
            writeln!(
                out,
                "  {} in {}: {} wins",
                s.variable,
                f(&s.file),
                f(&s.winner)
            )?;
        }
    }
    if r.diagnostics.is_empty() {
        writeln!(out, "\nNo problems found.")?;
    } else {
        writeln!(out, "\nDiagnostics:")?;
        for d in &r.diagnostics {
            writeln!(
                out,
                "  {}:{}:{}: {}[{}] {}",
                f(&d.file),
                d.range.start.line + 1,
                d.range.start.character + 1,
                d.severity,
                d.code,
                d.message
            )?;
        }
    }
    Ok(())
}
