//! Key formats and variable names, as data.
//!
//! Sources: `shared/reference/providers.md` §6 (gitleaks `config/gitleaks.toml`, betterleaks
//! `config/betterleaks.toml`, trufflehog `pkg/detectors/*`), §7 (the gitleaks generic threshold of
//! 3.5 bits/char) and §8 (variable-name rules: POSIX.1-2017 §8.1 and §3.231).

use regex::Regex;
use std::sync::LazyLock;

/// A provider-specific key shape.
pub struct KeyFormat {
    pub provider: &'static str,
    /// The variable Qwen Code's presets (or the provider's docs) use for this key.
    pub variable: &'static str,
    pattern: &'static str,
}

/// Most specific first: the first match names the provider.
const KEY_FORMATS: &[KeyFormat] = &[
    // Coding Plan: "sk-sp-xxxxx" (help.aliyun.com coding-plan-quickstart; Qwen Code validateApiKey).
    KeyFormat {
        provider: "Alibaba Cloud Coding Plan",
        variable: "BAILIAN_CODING_PLAN_API_KEY",
        pattern: r"^sk-sp-[A-Za-z0-9]{16,}$",
    },
    // trufflehog openrouter, betterleaks openrouter-api-key.
    KeyFormat {
        provider: "OpenRouter",
        variable: "OPENROUTER_API_KEY",
        pattern: r"^sk-or-v1-[0-9a-fA-F]{32,}$",
    },
    // gitleaks anthropic-api-key / anthropic-admin-api-key.
    KeyFormat {
        provider: "Anthropic",
        variable: "ANTHROPIC_API_KEY",
        pattern: r"^sk-ant-[A-Za-z0-9_-]{20,}$",
    },
    // gitleaks openai-api-key: project/service/admin keys, and the T3BlbkFJ marker.
    KeyFormat {
        provider: "OpenAI",
        variable: "OPENAI_API_KEY",
        pattern: r"^sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}$|^sk-[A-Za-z0-9_-]*T3BlbkFJ[A-Za-z0-9_-]*$",
    },
    // betterleaks minimax-api-key.
    KeyFormat {
        provider: "MiniMax",
        variable: "MINIMAX_API_KEY",
        pattern: r"^sk-api-[A-Za-z0-9_-]{40,}$",
    },
    // gitleaks gcp-api-key; trufflehog googlegemini.
    KeyFormat {
        provider: "Google",
        variable: "GEMINI_API_KEY",
        pattern: r"^AIza[0-9A-Za-z_-]{35}$",
    },
    // gitleaks huggingface-access-token (trufflehog allows digits too).
    KeyFormat {
        provider: "Hugging Face",
        variable: "HUGGINGFACE_API_KEY",
        pattern: r"^(?:hf_|api_org_)[A-Za-z0-9]{30,}$",
    },
    // trufflehog groq.
    KeyFormat {
        provider: "Groq",
        variable: "GROQ_API_KEY",
        pattern: r"^gsk_[A-Za-z0-9]{40,}$",
    },
    // betterleaks xai-api-key.
    KeyFormat {
        provider: "xAI",
        variable: "XAI_API_KEY",
        pattern: r"^xai-[A-Za-z0-9_-]{40,}$",
    },
    // gitleaks perplexity-api-key.
    KeyFormat {
        provider: "Perplexity",
        variable: "PERPLEXITY_API_KEY",
        pattern: r"^pplx-[A-Za-z0-9]{40,}$",
    },
    // ModelScope: observed "ms-" + UUID (providers.md §6).
    KeyFormat {
        provider: "ModelScope",
        variable: "MODELSCOPE_API_KEY",
        pattern: r"^ms-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    },
    // "sk-" + 32 hex is shared by DashScope and DeepSeek; Moonshot uses 48 chars: the provider is
    // not identifiable from the key alone (providers.md §1.7).
    KeyFormat {
        provider: "",
        variable: "",
        pattern: r"^sk-[A-Za-z0-9_-]{16,}$",
    },
];

/// Every pattern of [`KEY_FORMATS`] starts with one of these (a test checks it): anything else
/// skips the regexes.
const KEY_PREFIXES: &[&str] = &[
    "sk-", "AIza", "hf_", "api_org_", "gsk_", "xai-", "pplx-", "ms-",
];

static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    KEY_FORMATS
        .iter()
        .map(|f| Regex::new(f.pattern).expect("key format regexes are valid"))
        .collect()
});

/// What a secret-looking value was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secret {
    /// A provider's key prefix; `provider` is empty when several providers share the shape.
    Known {
        provider: &'static str,
        variable: &'static str,
    },
    /// A long high-entropy token.
    HighEntropy,
}

/// Recognises a key value. A conventional variable name (`^[A-Z_][A-Z0-9_]*$`) is never a
/// secret: the CLI itself writes long names such as `QWEN_CUSTOM_API_KEY_…`.
pub fn secret(value: &str) -> Option<Secret> {
    // Cheap rejections first: every key format is 16 to a few hundred characters of token
    // characters, and contains a digit.
    // Every format below is made of token characters only (so a URL, a sentence or any
    // non-ASCII text is never a key).
    if value.len() < 16
        || value.len() > 1024
        || !value.bytes().all(is_token_byte)
        || !value.bytes().any(|b| b.is_ascii_digit())
        || is_conventional_var_name(value)
    {
        return None;
    }
    // (Real keys are random and contain digits, checked above: "sk-your-key-here" is no key.)
    if KEY_PREFIXES.iter().any(|p| value.starts_with(p))
        && let Some(i) = COMPILED.iter().position(|re| re.is_match(value))
    {
        let f = &KEY_FORMATS[i];
        return Some(Secret::Known {
            provider: f.provider,
            variable: f.variable,
        });
    }
    // Token characters only (checked above), so repository-style model ids
    // (`Qwen/Qwen3-Coder-480B-A35B-Instruct`), long and varied too, are never taken for keys.
    let has_alpha = value.chars().any(|c| c.is_ascii_alphabetic());
    // A name like `Project_Key_2024_Backup` is a variable name, however long; words joined by
    // hyphens (`qwen-conformance-run-7oeHmZ`, a UUID) are names or ids, not random keys.
    let name_like =
        (is_valid_var_name(value) && value.contains('_')) || value.matches('-').count() >= 3;
    // providers.md §7: longer than ~40 characters with more than 3.5 bits/char.
    if !name_like && has_alpha && value.len() >= 32 && shannon_entropy(value) > 3.5 {
        return Some(Secret::HighEntropy);
    }
    None
}

/// A character a key can contain: base62, hex or URL-safe base64 and the separators of the
/// known formats.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'=')
}

/// Shannon entropy in bits per character, as gitleaks computes it.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n as f64;
            -p * libm::log2(p)
        })
        .sum()
}

/// A portable shell variable name: `^[A-Za-z_][A-Za-z0-9_]*$` (POSIX §3.231).
pub fn is_valid_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The conventional form `^[A-Z_][A-Z0-9_]*$`.
pub fn is_conventional_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The masked form shown everywhere a secret appears: first three characters, `…`, last four
/// (`sk-…3f2a`). Values too short to mask that way are hidden whole.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 12 {
        return "…".to_string();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// Key prefixes from the formats above, for finding keys inside longer words.
const PREFIXES: [&str; 8] = [
    "sk-", "AIza", "hf_", "api_org_", "gsk_", "xai-", "pplx-", "ms-",
];

/// `text` with every key masked, wherever it stands: as a word, inside quotes, glued to other
/// text (`env.sk-…`, `key:sk-…`). Applied to every message, title, hover and symbol.
pub fn mask_secrets(text: &str) -> String {
    mask_with(text, mask)
}

/// Like [`mask_secrets`], but keeps every byte offset: the hidden middle of a key becomes `*`
/// (keys are ASCII). For source excerpts shown with carets under them.
pub fn redact_in_place(text: &str) -> String {
    mask_with(text, |k| {
        let n = k.len();
        if n < 12 {
            "*".repeat(n)
        } else {
            format!("{}{}{}", &k[..3], "*".repeat(n - 7), &k[n - 4..])
        }
    })
}

fn mask_with(text: &str, hide: fn(&str) -> String) -> String {
    // Runs split at dots and slashes too, so URLs and dotted paths are never taken for keys.
    let token = |c: char| c.is_ascii_alphanumeric() || "_-+=".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(token) {
        out.push_str(&rest[..start]);
        let run_len = rest[start..]
            .find(|c: char| !token(c))
            .unwrap_or(rest.len() - start);
        let run = &rest[start..start + run_len];
        out.push_str(&mask_run(run, hide));
        rest = &rest[start + run_len..];
    }
    out.push_str(rest);
    out
}

/// Masks a key inside one run of token characters.
fn mask_run(run: &str, hide: fn(&str) -> String) -> String {
    if run.len() < 16 {
        return run.to_string();
    }
    if secret(run).is_some() {
        return hide(run);
    }
    // A key glued to other text, before it (`key-sk-…`) or after it (`AIza…X`, `sk-…+old`):
    // the longest run of a known format from a prefix on.
    for p in PREFIXES {
        for (at, _) in run.match_indices(p) {
            let rest = &run[at..];
            let whole = at > 0 && secret(rest).is_some();
            let end = if whole {
                Some(rest.len())
            } else {
                GLUED
                    .iter()
                    .filter_map(|re| re.find(rest))
                    .map(|m| m.end())
                    .max()
            };
            if let Some(end) = end.filter(|&end| end >= 16) {
                return format!(
                    "{}{}{}",
                    &run[..at],
                    hide(&rest[..end]),
                    mask_run(&rest[end..], hide)
                );
            }
        }
    }
    run.to_string()
}

/// The key formats without their end anchor: a key with more text glued after it.
static GLUED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    KEY_FORMATS
        .iter()
        .map(|f| Regex::new(&f.pattern.replace('$', "")).expect("key format regexes are valid"))
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_glued_to_other_text_are_masked() {
        let keys = [
            "AIzaSyA1234567890abcdefghijklmnopqrstuv",
            "sk-sp-0123456789abcdef0123456789abcdef",
            "ms-01234567-89ab-cdef-0123-456789abcdef",
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123",
        ];
        for key in keys {
            for text in [
                format!("{key}X"),
                format!("{key}+old"),
                format!("{key}=="),
                format!("Bearer {key}=="),
                format!("x{key}+y"),
                format!("{key}+{key}"),
            ] {
                let masked = mask_secrets(&text);
                assert!(!masked.contains(key), "{text:?} shown as {masked:?}");
                let redacted = redact_in_place(&text);
                assert!(!redacted.contains(key), "{text:?} redacted as {redacted:?}");
                assert_eq!(redacted.len(), text.len(), "{text:?}");
            }
        }
        // Not keys: left alone.
        for text in [
            "sk-short+x",
            "ms-build-2024+final",
            "Qwen/Qwen3-Coder-480B-A35B-Instruct",
        ] {
            assert_eq!(mask_secrets(text), text);
        }
    }

    #[test]
    fn every_key_format_starts_with_a_listed_prefix() {
        for f in KEY_FORMATS {
            // each alternative of the pattern: `^prefix…` or `^(?:a|b)…`
            for alt in f.pattern.split("|^") {
                let alt = alt.trim_start_matches('^');
                let starts: Vec<&str> = match alt.strip_prefix("(?:") {
                    Some(group) => group[..group.find(')').unwrap()].split('|').collect(),
                    _ => vec![alt],
                };
                for start in starts {
                    assert!(
                        KEY_PREFIXES.iter().any(|p| start.starts_with(p)),
                        "{} has no listed prefix",
                        f.pattern
                    );
                }
            }
        }
    }

    #[test]
    fn recognises_keys_and_names() {
        let known = |v: &str| match secret(v) {
            Some(Secret::Known { variable, .. }) => variable,
            Some(Secret::HighEntropy) => "entropy",
            None => "none",
        };
        assert_eq!(
            known("sk-sp-0123456789abcdef0123456789abcdef"),
            "BAILIAN_CODING_PLAN_API_KEY"
        );
        assert_eq!(
            known(&format!("sk-or-v1-{}", "ab12".repeat(16))),
            "OPENROUTER_API_KEY"
        );
        assert_eq!(
            known("sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123"),
            "ANTHROPIC_API_KEY"
        );
        assert_eq!(
            known("AIzaSyA1234567890abcdefghijklmnopqrstuv"),
            "GEMINI_API_KEY"
        );
        assert_eq!(known("sk-0123456789abcdef0123456789abcdef"), "");
        assert_eq!(known("Zq8vK2mX9pL4tR7wN1yB6cH3jF5gD0sA"), "entropy");
        assert_eq!(
            known("QWEN_CUSTOM_API_KEY_OPENAI_HTTP_LOCALHOST_11434_V1_0123456789AB"),
            "none"
        );
        assert_eq!(known("OpenRouter_Key_For_Project_X2_2026_Backup"), "none");
        assert_eq!(known("DASHSCOPE_API_KEY"), "none");
        assert_eq!(known("Qwen/Qwen3-Coder-480B-A35B-Instruct"), "none");
        assert_eq!(
            known("qwen-conformance-empty-exported-is-unset-dotenv-7oeHmZ"),
            "none"
        );
        assert_eq!(known("sk-your-dashscope-key-here"), "none");
        assert_eq!(known("sk-sp-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "none");
        assert_eq!(known("my-key"), "none");
        assert_eq!(
            known("https://dashscope.aliyuncs.com/compatible-mode/v1"),
            "none"
        );
        assert!(is_valid_var_name("_a1") && !is_valid_var_name("1a") && !is_valid_var_name(""));
    }

    #[test]
    fn redacts_excerpts_in_place() {
        let line = r#"  "envKey": "sk-0123456789abcdef0123456789ab3f2a", "h": "Bearer sk-or-v1-0123456789abcdef0123456789abcdef0123", "id": "qwen3-max" "#;
        let red = redact_in_place(line);
        assert_eq!(red.len(), line.len());
        assert!(
            red.contains(r#""sk-****************************3f2a""#),
            "{red}"
        );
        assert!(!red.contains("sk-or-v1-0123456789abcdef"), "{red}");
        assert!(red.contains("qwen3-max"));
    }

    #[test]
    fn masks_secrets_anywhere() {
        let k = "sk-7c2e9a4f1b6d8e3a5c0f2b7d9e1a4c6f";
        for text in [
            format!("env.{k} holds"),
            format!("\"key: {k}\" is not"),
            format!("`{k}` is not a JSON value"),
            format!("Unknown setting \"{k}\""),
            format!("x {k}.suffix"),
        ] {
            let masked = mask_secrets(&text);
            assert!(!masked.contains(k), "{masked}");
            assert!(masked.contains("sk-…4c6f"), "{masked}");
        }
        assert_eq!(
            mask_secrets("model.generationConfig.timeout is fine"),
            "model.generationConfig.timeout is fine"
        );
    }

    #[test]
    fn masks() {
        assert_eq!(mask("sk-0123456789abcdef3f2a"), "sk-…3f2a");
        assert_eq!(mask("short"), "…");
        assert_eq!(mask("密钥密钥密钥密钥密钥密钥"), "密钥密…密钥密钥");
    }
}
