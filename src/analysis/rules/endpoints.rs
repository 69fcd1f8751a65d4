//! Where the key goes: `invalid-url`, `insecure-base-url`, `endpoint-suffix`,
//! `anthropic-missing-base-url`, `dashscope-wrong-path`, `dashscope-unknown-host`,
//! `coding-plan-mismatch`, `coding-plan-key-format`, `openrouter-base-url`,
//! `openrouter-model-format`, `key-provider-mismatch`.

use crate::analysis::edit::{fix, insert_member, replace};
use crate::analysis::{Diagnostic, Fix, Severity, json_str};
use crate::model::endpoints::{
    DashScopeHost, ENDPOINTS, Plan, Provider, dashscope_host, is_aliyun, is_loopback, parse_url,
    provider_for, provider_of_variable,
};
use crate::model::keys::{self, Secret};
use crate::model::{Effective, Entry, Protocol, has_reference};
use crate::syntax::TextRange;

/// Base-URL endings the SDK appends itself: the path is then doubled.
const SDK_SUFFIXES: [&str; 4] = [
    "/chat/completions",
    "/responses",
    "/v1/messages",
    "/messages",
];

pub(crate) fn check(eff: &Effective, out: &mut Vec<Diagnostic>) {
    let entries = eff.target_entries();
    for entry in entries {
        let Some(protocol) = entry.protocol else {
            continue;
        };
        let base_url_member = entry.field("baseUrl");
        if base_url_member.is_some_and(|m| m.value.is_none()) {
            // There, but unreadable (`"baseUrl": "https://…` never closed): the syntax error
            // says so, and adding a second baseUrl would only duplicate it.
            key_checks(eff, entry, protocol, out);
            continue;
        }
        match base_url_member.and_then(|m| m.value.as_ref()) {
            None if protocol == Protocol::Anthropic => out.push(
                Diagnostic::new(
                    "anthropic-missing-base-url",
                    Severity::Error,
                    entry.node.open_range(),
                    "An anthropic entry needs a \"baseUrl\": Qwen Code stops with \"Anthropic provider missing required baseUrl in modelProviders[].baseUrl\".",
                )
                .fix(
                    insert_member(&eff.target().text, entry.node, "baseUrl", &serde_json::json!("https://api.anthropic.com"))
                        .map(|e| fix("Add \"baseUrl\": \"https://api.anthropic.com\"", vec![e])),
                ),
            ),
            None => {}
            Some(value) => {
                let Some(raw) = value.as_str() else { continue };
                // An unset `$VAR` is reported by `unresolved-variable`.
                let Some(url) = eff.interpolate(raw) else { continue };
                let editable = !has_reference(raw);
                base_url(eff, entry, protocol, &url, value.range(), editable, out);
            }
        }
        key_checks(eff, entry, protocol, out);
    }
}

fn replace_url(range: &TextRange, title: impl Into<String>, url: &str) -> Fix {
    fix(title, vec![replace(range.clone(), json_str(url))])
}

#[allow(clippy::too_many_arguments)]
fn base_url(
    eff: &Effective,
    entry: &Entry,
    protocol: Protocol,
    url: &str,
    range: TextRange,
    editable: bool,
    out: &mut Vec<Diagnostic>,
) {
    let fixes = |fs: Vec<Fix>| if editable { fs } else { Vec::new() };
    let Some(parsed) = parse_url(url) else {
        let mut d = Diagnostic::new(
            "invalid-url",
            Severity::Error,
            range.clone(),
            format!(
                "baseUrl {} is not an absolute http(s) URL: every request fails with \"Invalid URL\".",
                json_str(url)
            ),
        );
        let guess = if url.starts_with("localhost") || url.starts_with("127.") {
            format!("http://{url}")
        } else {
            format!("https://{}", url.trim_start_matches("//"))
        };
        if !url.contains("://") && parse_url(&guess).is_some() {
            d.fixes = fixes(vec![replace_url(
                &range,
                format!("Use {}", json_str(&guess)),
                &guess,
            )]);
        }
        out.push(d);
        return;
    };
    let trimmed = url.trim_end_matches('/');
    // The parser's normalised form: the raw text may differ (case, dot segments, escapes).
    let origin = parsed.origin.as_str();

    if parsed.scheme == "http" && !is_loopback(&parsed.host) {
        let https = format!("https{}", &url[4..]);
        out.push(
            Diagnostic::new(
                "insecure-base-url",
                Severity::Warning,
                range.clone(),
                format!(
                    "baseUrl uses http:// to {}, which is not this machine: the API key travels unencrypted.",
                    parsed.host
                ),
            )
            .fix(editable.then(|| replace_url(&range, "Use https://", &https))),
        );
    }

    // One problem, one diagnostic: a doubled endpoint hides the path rules below.
    let suffix = SDK_SUFFIXES.iter().find(|s| parsed.path.ends_with(*s));
    if let Some(suffix) = suffix {
        let stripped = format!(
            "{origin}{}",
            &parsed.path[..parsed.path.len() - suffix.len()]
        );
        out.push(
            Diagnostic::new(
                "endpoint-suffix",
                Severity::Error,
                range.clone(),
                format!(
                    "baseUrl ends in {suffix}, which the SDK appends itself: requests go to …{}{} and fail.",
                    parsed.path,
                    crate::model::endpoints::request_url(protocol, "", "", entry.wire_api() == Some("responses"))
                ),
            )
            .fix(editable.then(|| replace_url(&range, format!("Remove {suffix}"), &stripped))),
        );
        return;
    }
    let dashscope_host = dashscope_host(&parsed.host);
    let openrouter = parsed.host == "openrouter.ai" || parsed.host == "www.openrouter.ai";
    // DashScope and OpenRouter hosts get their own, more specific path rules below.
    if protocol == Protocol::Anthropic
        && parsed.path.ends_with("/v1")
        && dashscope_host.is_none()
        && !openrouter
    {
        let stripped = format!("{origin}{}", &parsed.path[..parsed.path.len() - 3]);
        out.push(
            Diagnostic::new(
                "endpoint-suffix",
                Severity::Warning,
                range.clone(),
                format!(
                    "An anthropic baseUrl ending in /v1 makes requests go to …{}/v1/messages, since the SDK appends /v1/messages itself.",
                    parsed.path
                ),
            )
            .fix(editable.then(|| replace_url(&range, "Remove the trailing /v1", &stripped))),
        );
        return;
    }

    if let Some(ds) = dashscope_host {
        dashscope(protocol, &parsed.path, origin, ds, &range, editable, out);
        coding_plan_mismatch(eff, entry, protocol, ds, &range, editable, out);
    } else if is_aliyun(&parsed.host) {
        let mut d = Diagnostic::new(
            "dashscope-unknown-host",
            Severity::Warning,
            range.clone(),
            format!(
                "{} is not a Model Studio (DashScope) endpoint: the request cannot reach Qwen models there.",
                parsed.host
            ),
        );
        let choices: Vec<Fix> = ENDPOINTS
            .iter()
            .filter(|e| {
                e.provider == Provider::ModelStudio
                    && e.plan == Plan::Standard
                    && e.protocol == protocol
            })
            .map(|e| {
                replace_url(
                    &range,
                    format!("Switch to {}", e.region.unwrap_or("")),
                    e.url,
                )
            })
            .collect();
        d.fixes = fixes(choices);
        out.push(d);
    } else if openrouter {
        if let Some(expected) = ENDPOINTS
            .iter()
            .find(|e| e.provider == Provider::OpenRouter && e.protocol == protocol)
            && trimmed != expected.url
        {
            out.push(
                Diagnostic::new(
                    "openrouter-base-url",
                    Severity::Error,
                    range.clone(),
                    format!(
                        "OpenRouter's {} base URL is {}: with {} requests go to a path OpenRouter does not serve.",
                        protocol.name(),
                        expected.url,
                        json_str(url)
                    ),
                )
                .fix(editable.then(|| replace_url(&range, format!("Use {}", expected.url), expected.url))),
            );
        }
        openrouter_model(entry, out);
    }
}

fn dashscope(
    protocol: Protocol,
    path: &str,
    origin: &str,
    ds: DashScopeHost,
    range: &TextRange,
    editable: bool,
    out: &mut Vec<Diagnostic>,
) {
    let Some(expected) = ds.path_for(protocol) else {
        return;
    };
    if path == expected {
        return;
    }
    let what = if path.starts_with("/api/v1") {
        "the native DashScope path /api/v1, which the OpenAI and Anthropic SDKs cannot use"
            .to_string()
    } else if path.is_empty() {
        "no path".to_string()
    } else {
        format!("the path {path}")
    };
    let right = format!("{origin}{expected}");
    out.push(
        Diagnostic::new(
            "dashscope-wrong-path",
            Severity::Error,
            range.clone(),
            format!(
                "This {} {} URL has {what}: {} requests need {expected} on this host.",
                ds.plan().label(),
                ds.region(),
                protocol.name()
            ),
        )
        .fix(editable.then(|| replace_url(range, format!("Use {right}"), &right))),
    );
}

#[allow(clippy::too_many_arguments)]
fn coding_plan_mismatch(
    eff: &Effective,
    entry: &Entry,
    protocol: Protocol,
    ds: DashScopeHost,
    range: &TextRange,
    editable: bool,
    out: &mut Vec<Diagnostic>,
) {
    if ds.plan() == Plan::CodingPlan {
        return;
    }
    let Some(key) = eff.key_info(entry) else {
        return;
    };
    let by_name = key.variable == "BAILIAN_CODING_PLAN_API_KEY";
    let by_value = key.resolved.is_some_and(|r| r.value.starts_with("sk-sp-"));
    if !by_name && !by_value {
        return;
    }
    let why = if by_name {
        format!("{} (a Coding Plan key)", key.variable)
    } else {
        format!(
            "a Coding Plan key ({} from {})",
            keys::mask(key.resolved.map_or("", |r| r.value)),
            eff.describe_source(key.resolved.expect("by_value").source)
        )
    };
    let mut d = Diagnostic::new(
        "coding-plan-mismatch",
        Severity::Error,
        range.clone(),
        format!(
            "This entry sends {why} to a {} URL: Alibaba Cloud answers 401, because Coding Plan keys only work on the Coding Plan endpoints.",
            ds.plan().label()
        ),
    );
    let targets: Vec<_> = ENDPOINTS
        .iter()
        .filter(|e| e.plan == Plan::CodingPlan && e.protocol == protocol)
        // Coding Plan has Beijing and Singapore endpoints: keep the region, else offer both.
        .filter(|e| !has_coding_plan(ds.region()) || e.region == Some(ds.region()))
        .collect();
    if editable {
        for e in targets {
            d = d.fix(Some(replace_url(
                range,
                format!("Use the Coding Plan URL ({})", e.region.unwrap_or("")),
                e.url,
            )));
        }
    }
    out.push(d);
}

fn has_coding_plan(region: &str) -> bool {
    ENDPOINTS
        .iter()
        .any(|e| e.plan == Plan::CodingPlan && e.region == Some(region))
}

/// The envKey value's range, else the entry's `{`.
fn key_range(entry: &Entry) -> TextRange {
    entry
        .field("envKey")
        .and_then(|m| m.value.as_ref())
        .map_or(entry.node.open_range(), |v| v.range())
}

fn key_checks(eff: &Effective, entry: &Entry, protocol: Protocol, out: &mut Vec<Diagnostic>) {
    let Some(key) = eff.key_info(entry) else {
        return;
    };
    let Some(base) = eff.base_url(entry) else {
        return;
    };
    let Some(parsed) = parse_url(&base.url) else {
        return;
    };

    // coding-plan-key-format: a Coding Plan URL with a key that is not a Coding Plan key.
    if let Some(ds) = dashscope_host(&parsed.host)
        && ds.plan() == Plan::CodingPlan
        && let Some(r) = key.resolved
        && !r.value.starts_with("sk-sp-")
    {
        let payg = ENDPOINTS.iter().find(|e| {
            e.provider == Provider::ModelStudio
                && e.plan == Plan::Standard
                && e.protocol == protocol
                && e.region == Some(ds.region())
        });
        let url_range = entry
            .field("baseUrl")
            .and_then(|m| m.value.as_ref())
            .map(|v| v.range());
        out.push(
            Diagnostic::new(
                "coding-plan-key-format",
                Severity::Error,
                key_range(entry),
                format!(
                    "This Coding Plan URL needs a Coding Plan key (sk-sp-…), but {} is {} (from {}): Alibaba Cloud answers 401.",
                    key.variable,
                    keys::mask(r.value),
                    eff.describe_source(r.source)
                ),
            )
            .fix(payg.zip(url_range).map(|(e, range)| {
                replace_url(&range, format!("Use the pay-as-you-go URL ({})", e.region.unwrap_or("")), e.url)
            })),
        );
        return;
    }

    // key-provider-mismatch: both sides unambiguous.
    let Some(dest) = provider_for(&base.url) else {
        return;
    };
    if dest.is_gateway() {
        return;
    }
    let value = key.resolved.map(|r| r.value);
    let by_value = value.and_then(|v| match keys::secret(v) {
        Some(Secret::Known { variable, .. }) if !variable.is_empty() => {
            provider_of_variable(variable)
                .or_else(|| (variable == "OPENAI_API_KEY").then_some(Provider::OpenAi))
        }
        _ => None,
    });
    let by_name = key
        .from_env_key
        .then(|| provider_of_variable(&key.variable))
        .flatten();
    let Some(owner) = by_value.or(by_name) else {
        return;
    };
    if owner == dest {
        return;
    }
    let what = match (by_value, value) {
        (Some(_), Some(v)) => format!(
            "{} holds a key for {} ({})",
            key.variable,
            owner.name(),
            keys::mask(v)
        ),
        _ => format!("{} is the variable for {} keys", key.variable, owner.name()),
    };
    let where_to = match &base.implicit {
        Some(how) => format!("{} ({}, {how})", dest.name(), base.url),
        None => format!("{} ({})", dest.name(), base.url),
    };
    let mut d = Diagnostic::new(
        "key-provider-mismatch",
        Severity::Error,
        key_range(entry),
        format!(
            "{what}, but this entry sends it to {where_to}: the request fails with 401 and the key leaks to the wrong provider."
        ),
    );
    if base.implicit.is_some() {
        // The owner's endpoints for this key's variable (e.g. not Coding Plan URLs for
        // DASHSCOPE_API_KEY), else its pay-as-you-go ones.
        let owned =
            |e: &&crate::model::endpoints::Endpoint| e.provider == owner && e.protocol == protocol;
        let by_variable: Vec<_> = ENDPOINTS
            .iter()
            .filter(owned)
            .filter(|e| e.variable == Some(key.variable.as_str()))
            .collect();
        let choices = if by_variable.is_empty() {
            ENDPOINTS
                .iter()
                .filter(owned)
                .filter(|e| e.plan == Plan::Standard)
                .collect()
        } else {
            by_variable
        };
        for e in choices {
            d = d.fix(
                insert_member(
                    &eff.target().text,
                    entry.node,
                    "baseUrl",
                    &serde_json::json!(e.url),
                )
                .map(|edit| {
                    fix(
                        format!(
                            "Add \"baseUrl\": \"{}\"{}",
                            e.url,
                            e.region.map(|r| format!(" ({r})")).unwrap_or_default()
                        ),
                        vec![edit],
                    )
                }),
            );
        }
    }
    out.push(d);
}

/// OpenRouter model ids are `provider/model[:variant]` (providers.md §2).
fn openrouter_model(entry: &Entry, out: &mut Vec<Diagnostic>) {
    let Some(id_node) = entry.field("id").and_then(|m| m.value.as_ref()) else {
        return;
    };
    let Some(id) = id_node.as_str() else { return };
    let valid = id.split_once('/').is_some_and(|(vendor, model)| {
        !vendor.is_empty()
            && vendor
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && vendor
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            && !model.is_empty()
            && model
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c))
    });
    if valid {
        return;
    }
    let suggestion = if id.to_ascii_lowercase().starts_with("qwen") && !id.contains('/') {
        Some(format!("qwen/{}", id.to_ascii_lowercase()))
    } else {
        None
    };
    out.push(
        Diagnostic::new(
            "openrouter-model-format",
            Severity::Warning,
            id_node.range(),
            format!(
                "OpenRouter model ids look like provider/model[:variant] (e.g. qwen/qwen3-coder:free): OpenRouter rejects {}.",
                json_str(id)
            ),
        )
        .fix(suggestion.map(|s| fix(format!("Use \"{s}\""), vec![replace(id_node.range(), json_str(&s))]))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_most_specific_first() {
        assert!(
            SDK_SUFFIXES.iter().position(|s| *s == "/v1/messages")
                < SDK_SUFFIXES.iter().position(|s| *s == "/messages")
        );
    }
}
