//! Analysis layer: rules and quick-fixes as pure functions over the model.
//!
//! Input is a [`Chain`] (the file being analysed plus the scopes the CLI merges with it and
//! the exported environment); output is plain data with byte ranges. Nothing here knows LSP,
//! files on disk or the terminal.

pub mod assists;
pub mod completion;
mod edit;
pub mod hover;
pub mod locate;
pub mod outline;
mod rules;
#[cfg(test)]
mod tests;

use crate::model::{Chain, Effective, FileId};
use crate::syntax::TextRange;

pub use edit::apply_edits;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// Another place involved in a diagnostic, possibly in another file of the chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub file: FileId,
    pub range: TextRange,
    pub message: String,
}

/// One replacement in the analysed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub new_text: String,
}

/// Edits of another file (created when `create`), against its current `text`.
#[derive(Clone, Debug, PartialEq)]
pub struct FileEdit {
    pub path: std::path::PathBuf,
    pub create: bool,
    pub text: String,
    pub edits: Vec<Edit>,
}

/// A quick-fix: a title, non-overlapping edits of the analysed file, and edits of other files.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    pub files: Vec<FileEdit>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Stable kebab-case rule code (a public interface).
    pub code: &'static str,
    pub severity: Severity,
    /// Byte range in the analysed file.
    pub range: TextRange,
    /// One sentence saying what Qwen Code will do.
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    fn new(
        code: &'static str,
        severity: Severity,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            range,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    fn related(mut self, file: FileId, range: TextRange, message: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            range,
            message: message.into(),
        });
        self
    }

    fn fix(mut self, fix: Option<Fix>) -> Self {
        self.fixes.extend(fix);
        self
    }
}

/// A rule's public description: its code, default severity and what it catches.
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

/// Rules reported by `doctor` only: they are about files the editor does not show.
pub const DOCTOR_ONLY: &[&str] = &["env-file-shadowed"];

/// Every rule the product ships, in README order.
pub const RULES: &[Rule] = &[
    Rule {
        code: "syntax-error",
        severity: Severity::Error,
        summary: "Anything Qwen Code's JSON parser rejects, or a root that is not an object.",
    },
    Rule {
        code: "trailing-comma",
        severity: Severity::Error,
        summary: "A trailing comma: a workspace file is moved to settings.json.corrupted and reset; a user file stops the CLI.",
    },
    Rule {
        code: "duplicate-key",
        severity: Severity::Warning,
        summary: "The same key twice in one object: the last one wins.",
    },
    Rule {
        code: "missing-version",
        severity: Severity::Information,
        summary: "No \"$version\": 4: Qwen Code rewrites the file on its next start.",
    },
    Rule {
        code: "unknown-protocol-key",
        severity: Severity::Error,
        summary: "A modelProviders key that is no protocol and has no providerProtocol mapping: its models are ignored.",
    },
    Rule {
        code: "unknown-provider-protocol",
        severity: Severity::Error,
        summary: "A providerProtocol value that is no protocol: the mapped models are ignored.",
    },
    Rule {
        code: "unused-provider-protocol",
        severity: Severity::Hint,
        summary: "A providerProtocol mapping for an id without providers has no effect.",
    },
    Rule {
        code: "qwen-oauth-provider-ignored",
        severity: Severity::Warning,
        summary: "Entries under qwen-oauth, or an id mapped to it, are ignored.",
    },
    Rule {
        code: "providers-not-array",
        severity: Severity::Error,
        summary: "A modelProviders value that is not an array is skipped, or rewritten to [] and lost.",
    },
    Rule {
        code: "empty-model-providers",
        severity: Severity::Warning,
        summary: "A workspace \"modelProviders\": {} has no effect.",
    },
    Rule {
        code: "missing-model-id",
        severity: Severity::Error,
        summary: "An entry without a string id stops the CLI at startup.",
    },
    Rule {
        code: "duplicate-model",
        severity: Severity::Warning,
        summary: "An entry with the same id and baseUrl as an earlier one is never used.",
    },
    Rule {
        code: "envkey-literal-secret",
        severity: Severity::Error,
        summary: "envKey holds a key value instead of a variable name.",
    },
    Rule {
        code: "envkey-invalid-name",
        severity: Severity::Error,
        summary: "envKey is not a valid variable name.",
    },
    Rule {
        code: "envkey-missing",
        severity: Severity::Information,
        summary: "An entry without envKey reads the protocol's default variable.",
    },
    Rule {
        code: "unknown-auth-type",
        severity: Severity::Error,
        summary: "security.auth.selectedType is no auth type: the CLI crashes.",
    },
    Rule {
        code: "selected-type-missing",
        severity: Severity::Warning,
        summary: "Providers exist but no selectedType is set: non-interactive runs stop.",
    },
    Rule {
        code: "selected-type-without-providers",
        severity: Severity::Warning,
        summary: "selectedType names a protocol with no entries while others have entries.",
    },
    Rule {
        code: "model-not-found",
        severity: Severity::Error,
        summary: "model.name matches no id of the selected protocol: the first entry is used silently.",
    },
    Rule {
        code: "model-name-missing",
        severity: Severity::Information,
        summary: "Entries exist but model.name is not set: the first entry is used.",
    },
    Rule {
        code: "ambiguous-model",
        severity: Severity::Information,
        summary: "model.name matches entries with different baseUrls: the first is used.",
    },
    Rule {
        code: "model-base-url-not-found",
        severity: Severity::Warning,
        summary: "model.baseUrl matches no entry with that id: the first id match is used.",
    },
    Rule {
        code: "qwen-oauth-discontinued",
        severity: Severity::Warning,
        summary: "selectedType qwen-oauth: its free tier ended on 2026-04-15.",
    },
    Rule {
        code: "invalid-url",
        severity: Severity::Error,
        summary: "A base URL that is not an absolute http(s) URL.",
    },
    Rule {
        code: "insecure-base-url",
        severity: Severity::Warning,
        summary: "http:// to a host that is not this machine: the key travels in clear.",
    },
    Rule {
        code: "endpoint-suffix",
        severity: Severity::Error,
        summary: "A base URL ending in the endpoint the SDK appends itself, or an anthropic base URL ending in /v1.",
    },
    Rule {
        code: "anthropic-missing-base-url",
        severity: Severity::Error,
        summary: "An anthropic entry without baseUrl stops the CLI.",
    },
    Rule {
        code: "dashscope-wrong-path",
        severity: Severity::Error,
        summary: "A DashScope host with a path that does not fit the protocol.",
    },
    Rule {
        code: "dashscope-unknown-host",
        severity: Severity::Warning,
        summary: "An aliyuncs.com host that is no known DashScope endpoint.",
    },
    Rule {
        code: "coding-plan-mismatch",
        severity: Severity::Error,
        summary: "A Coding Plan key sent to a pay-as-you-go DashScope URL.",
    },
    Rule {
        code: "coding-plan-key-format",
        severity: Severity::Error,
        summary: "A Coding Plan URL whose key does not start with sk-sp-.",
    },
    Rule {
        code: "openrouter-base-url",
        severity: Severity::Error,
        summary: "An openrouter.ai base URL that is not the one for the protocol.",
    },
    Rule {
        code: "openrouter-model-format",
        severity: Severity::Warning,
        summary: "A model id under OpenRouter that is not provider/model[:variant].",
    },
    Rule {
        code: "key-provider-mismatch",
        severity: Severity::Error,
        summary: "A key bound for one provider sent to another provider's host.",
    },
    Rule {
        code: "envkey-unresolved",
        severity: Severity::Warning,
        summary: "The variable envKey names is defined nowhere in the chain.",
    },
    Rule {
        code: "env-shadowed",
        severity: Severity::Warning,
        summary: "A settings env value that an exported variable or a .env file overrides.",
    },
    Rule {
        code: "literal-secret",
        severity: Severity::Warning,
        summary: "A key-looking value in the settings file.",
    },
    Rule {
        code: "env-value-not-string",
        severity: Severity::Error,
        summary: "A non-string env value, which the CLI ignores.",
    },
    Rule {
        code: "unresolved-variable",
        severity: Severity::Warning,
        summary: "A $VAR reference nothing defines: the CLI sends it literally.",
    },
    Rule {
        code: "env-file-shadowed",
        severity: Severity::Hint,
        summary: "A project .env never loaded because .qwen/.env exists beside it (reported by doctor).",
    },
    Rule {
        code: "deprecated-setting",
        severity: Severity::Warning,
        summary: "A legacy or deprecated key: ignored once $version is 4, migrated when it is absent.",
    },
    Rule {
        code: "unknown-setting",
        severity: Severity::Warning,
        summary: "A key Qwen Code does not know, where the catalog knows the object's keys.",
    },
    Rule {
        code: "type-mismatch",
        severity: Severity::Error,
        summary: "A value of the wrong JSON type.",
    },
    Rule {
        code: "invalid-enum-value",
        severity: Severity::Error,
        summary: "A value outside the allowed values.",
    },
    Rule {
        code: "ignored-generation-config",
        severity: Severity::Warning,
        summary: "model.generationConfig fields ignored because the model comes from modelProviders.",
    },
];

/// Runs every rule on the chain's target file. Diagnostics are sorted by position.
pub fn analyze(chain: &Chain) -> Vec<Diagnostic> {
    let mut out = analyze_unverified(chain);
    verify_fixes(chain, &mut out);
    out
}

/// [`analyze`] without checking the fixes of a broken file (see [`verify_fixes`]): an editor
/// needs the fixes only for the diagnostics it asks code actions for.
pub fn analyze_unverified(chain: &Chain) -> Vec<Diagnostic> {
    let eff = Effective::new(chain);
    // The rule families are independent: two groups of about equal cost run side by side.
    let (mut out, more) = rayon::join(
        || {
            let mut out = Vec::new();
            rules::env::check(&eff, &mut out);
            rules::syntax::check(&eff, &mut out);
            rules::version::check(&eff, &mut out);
            out
        },
        || {
            let mut out = Vec::new();
            rules::providers::check(&eff, &mut out);
            rules::envkey::check(&eff, &mut out);
            rules::endpoints::check(&eff, &mut out);
            rules::schema::check(&eff, &mut out);
            rules::generation::check(&eff, &mut out);
            rules::selection::check(&eff, &mut out);
            out
        },
    );
    out.extend(more);
    // Messages quote what the user wrote; a key pasted anywhere must never come back unmasked.
    for d in &mut out {
        d.message = crate::model::keys::mask_secrets(&d.message);
        for r in &mut d.related {
            r.message = crate::model::keys::mask_secrets(&r.message);
        }
        for f in &mut d.fixes {
            f.title = crate::model::keys::mask_secrets(&f.title);
        }
    }
    out.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    out
}

/// Bytes [`verify_fixes`] re-parses at most, in all.
const VERIFY_BUDGET: usize = 16 << 20;

/// Drops the fixes that would leave a broken target file parsing worse.
pub fn verify_fixes(chain: &Chain, out: &mut [Diagnostic]) {
    // In a broken file, a fix is offered only if it leaves the file parsing no worse: fixes are
    // written for the tree the parser recovered, and recovery can misread what surrounds them.
    // Nor does a fix remove text in which the parser found an error: what it recovered there
    // (a member made of the tail of an unterminated string, say) is a guess, and removing it
    // changes how the rest is read.
    let target = &chain.files[chain.target];
    let errors = &target.parse.errors;
    let broken = errors.len();
    if broken > 0 {
        let small = target.text.len() <= 1 << 20;
        let removes_an_error = |f: &Fix| {
            f.edits.iter().any(|e| {
                !e.range.is_empty()
                    && errors.iter().any(|x| {
                        x.range.start < e.range.end
                            && e.range.start < x.range.end.max(x.range.start + 1)
                    })
            })
        };
        // Each check re-parses the file: at most 16 MiB of re-parsing in all (a garbled file
        // with thousands of fixes would otherwise take minutes); fixes past it are not offered.
        let mut budget = VERIFY_BUDGET;
        for d in out.iter_mut() {
            if d.code == "trailing-comma" {
                continue; // removing one comma never adds an error
            }
            d.fixes.retain(|f| {
                if !small || removes_an_error(f) || budget < target.text.len() {
                    return false;
                }
                budget -= target.text.len();
                crate::syntax::parse(&apply_edits(&target.text, &f.edits))
                    .errors
                    .len()
                    <= broken
            });
        }
    }
}

/// Per-rule configuration: a rule may be turned off or given another severity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleConfig {
    /// `None` turns the rule off.
    levels: std::collections::HashMap<String, Option<Severity>>,
}

impl RuleConfig {
    /// Sets `code` to `level` (`off`, `error`, `warning`, `information`, `hint`).
    pub fn set(&mut self, code: &str, level: &str) -> Result<(), String> {
        if !RULES.iter().any(|r| r.code == code) {
            return Err(format!("unknown rule code `{code}`"));
        }
        let level = match level {
            "off" => None,
            other => Some(Severity::parse(other).ok_or_else(|| {
                format!(
                    "unknown level `{other}` for `{code}` (off, error, warning, information, hint)"
                )
            })?),
        };
        self.levels.insert(code.to_string(), level);
        Ok(())
    }

    /// Drops turned-off rules and applies severity overrides.
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>) {
        if self.levels.is_empty() {
            return;
        }
        diagnostics.retain_mut(|d| match self.levels.get(d.code) {
            Some(None) => false,
            Some(Some(level)) => {
                d.severity = *level;
                true
            }
            None => true,
        });
    }
}

/// The closest of `candidates` to `word`: equal but for case, or within an edit distance of a
/// third of the shorter name (at least one edit).
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|&(d, c)| d <= (c.chars().count().min(word.chars().count()) / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// `"text"` as a JSON string literal.
pub(crate) fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}
