//! The command line: `check` for CI (and the entry point that starts the server).

mod doctor;
mod render;

pub use doctor::run as doctor;

use crate::analysis::{self, Diagnostic, RuleConfig, Severity};
use crate::model::{Chain, Environment, ScopeKind, SettingsFile};
use crate::workspace::{Locations, find_workspace_settings, read_settings};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "qwen-settings-ls",
    version,
    about = "Language server and linter for Qwen Code's settings.json",
    long_about = "Language server and linter for Qwen Code's settings.json.\n\nWithout a command it serves the Language Server Protocol on stdio."
)]
pub struct Cli {
    /// Serve LSP on stdio (the default when no command is given).
    #[arg(long)]
    pub stdio: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint settings files; exit 1 if any error-severity diagnostic is found.
    ///
    /// Without PATH, checks the workspace .qwen/settings.json found from the current directory
    /// upwards and the user file ($QWEN_HOME/settings.json, else ~/.qwen/settings.json).
    Check {
        /// Settings files to check.
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Change a rule's severity or turn it off: `--rule missing-version=off`. Repeatable.
        #[arg(long = "rule", value_name = "CODE=LEVEL")]
        rules: Vec<String>,
    },
    /// Explain what `qwen` started here will send: auth type, model entry, base URL, request
    /// URL, the variable holding the key and where its value comes from (masked), shadowed
    /// values, and every diagnostic of the settings chain.
    Doctor {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style text with source excerpts.
    Human,
    /// One JSON array of diagnostics with LSP ranges (0-based lines, UTF-16 characters).
    Json,
}

/// One checked file and its results.
pub struct Checked {
    /// The path as given (or as found).
    pub shown: String,
    pub chain: Chain,
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs `check`; returns the process exit code.
pub fn check(paths: &[PathBuf], format: Format, rule_args: &[String]) -> ExitCode {
    let mut rules = RuleConfig::default();
    for arg in rule_args {
        let result = match arg.split_once('=') {
            Some((code, level)) => rules.set(code.trim(), level.trim()),
            None => Err(format!("`--rule {arg}`: expected CODE=LEVEL")),
        };
        if let Err(e) = result {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let env = Environment::from_process(false);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let locations = Locations::new(&env, &cwd);
    let mut io_error = false;
    let targets: Vec<PathBuf> = if paths.is_empty() {
        let found: Vec<PathBuf> = find_workspace_settings(&cwd)
            .into_iter()
            .chain(locations.user.clone().filter(|u| u.is_file()))
            .collect();
        if found.is_empty() {
            eprintln!(
                "error: no Qwen Code settings file found: looked for .qwen/settings.json from {} upwards and for {}",
                cwd.display(),
                locations.user.as_deref().map_or_else(
                    || "the user file (HOME is not set)".to_string(),
                    |u| u.display().to_string()
                )
            );
            return ExitCode::from(2);
        }
        found
    } else {
        paths.to_vec()
    };

    let mut results = Vec::new();
    for path in &targets {
        match check_file(path, &locations, &env) {
            Ok(mut checked) => {
                rules.apply(&mut checked.diagnostics);
                results.push(checked);
            }
            Err(message) => {
                eprintln!("error: {message}");
                io_error = true;
            }
        }
    }

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match format {
        Format::Json => render::json(&results, &mut out),
        Format::Human => render::human(&results, &mut out),
    };
    if written.and_then(|()| out.flush()).is_err() {
        return ExitCode::from(2);
    }
    let errors = results
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error);
    // The process ends here: freeing a large tree piece by piece would only cost time.
    std::mem::forget(results);
    if io_error {
        ExitCode::from(2)
    } else if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads and analyses one file with the scopes the CLI would merge with it.
pub fn check_file(
    path: &Path,
    locations: &Locations,
    env: &Environment,
) -> Result<Checked, String> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(format!("{shown} is a directory, not a settings file"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{shown} is not valid UTF-8 (invalid byte at offset {}): Qwen Code cannot read it either",
            e.utf8_error().valid_up_to()
        )
    })?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // Any file that is not the user or a system file is checked as a workspace file.
    let kind = locations
        .classify(&absolute)
        .unwrap_or(ScopeKind::Workspace);
    let target = SettingsFile::new(kind, absolute, text);
    let chain = locations.chain(target, env.clone(), &read_settings);
    let diagnostics = analysis::analyze(&chain);
    Ok(Checked {
        shown,
        chain,
        diagnostics,
    })
}
