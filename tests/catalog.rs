//! Invariants of the generated settings catalog (`src/model/catalog.json`), and that it matches
//! its generator (`python3 scripts/gen-catalog.py --check`).

use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::process::Command;

const CATALOG: &str = include_str!("../src/model/catalog.json");
const TYPES: &[&str] = &["string", "number", "integer", "boolean", "object", "array"];
const FIELDS: &[&str] = &[
    "path",
    "type",
    "enum",
    "default",
    "open",
    "required",
    "minimum",
    "maximum",
    "mergeStrategy",
    "since",
    "operatorOnly",
    "legacy",
    "legacyTypes",
    "inverted",
    "deprecated",
    "replacement",
    "description",
];

/// The 46 top-level keys of Qwen Code 0.24.4's settings schema (reference/qwen-code.md §1.5).
const TOP_LEVEL_0244: &[&str] = &[
    "mcpServers",
    "channels",
    "serve",
    "modelProviders",
    "providerProtocol",
    "plansDirectory",
    "env",
    "proxy",
    "general",
    "review",
    "output",
    "dualOutput",
    "ui",
    "ide",
    "privacy",
    "telemetry",
    "outboundCorrelation",
    "fastModel",
    "advisorModel",
    "visionModel",
    "compactionModel",
    "imageModel",
    "visionBridgeTimeoutMs",
    "modelFallbacks",
    "voiceModel",
    "model",
    "modelPricing",
    "context",
    "memory",
    "slashCommands",
    "skills",
    "permissions",
    "tools",
    "policy",
    "mcp",
    "security",
    "advanced",
    "goals",
    "agents",
    "disableAllHooks",
    "stopHookBlockingCap",
    "hooks",
    "experimental",
    "artifact",
    "worktree",
    "omni",
];

const ENTRY_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "envKey",
    "baseUrl",
    "wireApi",
    "capabilities",
    "capabilities.vision",
    "capabilities.agent",
    "capabilities.reasoning",
    "supportsImageGeneration",
    "imageOnly",
    "fastOnly",
    "voiceOnly",
    "visionOnly",
    "realtimeOnly",
    "generationConfig",
    "generationConfig.samplingParams",
    "generationConfig.timeout",
    "generationConfig.maxRetries",
    "generationConfig.retryErrorCodes",
    "generationConfig.enableCacheControl",
    "generationConfig.schemaCompliance",
    "generationConfig.reasoning",
    "generationConfig.contextWindowSize",
    "generationConfig.customHeaders",
    "generationConfig.extra_body",
    "generationConfig.modalities",
    "generationConfig.splitToolMedia",
    "generationConfig.streamIdleTimeoutMs",
    "generationConfig.toolResultContentFormat",
    "generationConfig.cacheRetention",
];

fn keys() -> Vec<Map<String, Value>> {
    let root: Value = serde_json::from_str(CATALOG).expect("catalog.json parses");
    root["keys"]
        .as_array()
        .expect("keys array")
        .iter()
        .map(|k| k.as_object().expect("key object").clone())
        .collect()
}

fn by_path(keys: &[Map<String, Value>]) -> HashMap<String, Map<String, Value>> {
    keys.iter()
        .map(|k| (k["path"].as_str().unwrap().to_string(), k.clone()))
        .collect()
}

fn types_of(k: &Map<String, Value>) -> Vec<String> {
    match &k["type"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|t| t.as_str().unwrap().to_string()).collect(),
        other => panic!("{}: bad type {other}", k["path"]),
    }
}

/// Parent path: drop a trailing `[]`, else the last dot-separated segment (`\.` is not a separator).
fn parent(path: &str) -> Option<String> {
    if let Some(p) = path.strip_suffix("[]") {
        return Some(p.to_string());
    }
    let bytes = path.as_bytes();
    (0..bytes.len())
        .rev()
        .find(|&i| bytes[i] == b'.' && (i == 0 || bytes[i - 1] != b'\\'))
        .map(|i| path[..i].to_string())
}

fn value_fits(v: &Value, types: &[String]) -> bool {
    types.iter().any(|t| match t.as_str() {
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        _ => false,
    })
}

#[test]
fn paths_are_unique_and_sorted() {
    let keys = keys();
    let paths: Vec<&str> = keys.iter().map(|k| k["path"].as_str().unwrap()).collect();
    for w in paths.windows(2) {
        assert!(
            w[0] < w[1],
            "not strictly sorted: {:?} then {:?}",
            w[0],
            w[1]
        );
    }
    assert!(paths.len() > 700, "only {} keys", paths.len());
}

#[test]
fn every_key_is_well_formed() {
    let keys = keys();
    let all = by_path(&keys);
    for k in &keys {
        let path = k["path"].as_str().unwrap();
        for field in k.keys() {
            assert!(
                FIELDS.contains(&field.as_str()),
                "{path}: unknown field {field}"
            );
        }
        let types = types_of(k);
        assert!(!types.is_empty(), "{path}: no type");
        for t in &types {
            assert!(TYPES.contains(&t.as_str()), "{path}: type {t}");
        }
        if let Some(p) = parent(path) {
            let parent = all
                .get(&p)
                .unwrap_or_else(|| panic!("{path}: parent {p} missing"));
            let pt = types_of(parent);
            if path.ends_with("[]") {
                assert!(
                    pt.contains(&"array".to_string()),
                    "{path}: parent not an array"
                );
            } else {
                assert!(
                    pt.contains(&"object".to_string()),
                    "{path}: parent not an object"
                );
            }
        }
        if path.ends_with(".*") {
            let p = parent(path).unwrap();
            assert_eq!(
                all[&p].get("open"),
                Some(&Value::Bool(true)),
                "{p} has * but is not open"
            );
        }
        if let Some(e) = k.get("enum") {
            let e = e
                .as_array()
                .unwrap_or_else(|| panic!("{path}: enum not a list"));
            assert!(!e.is_empty(), "{path}: empty enum");
            let distinct: BTreeSet<String> = e.iter().map(Value::to_string).collect();
            assert_eq!(distinct.len(), e.len(), "{path}: duplicate enum value");
            for v in e {
                assert!(
                    value_fits(v, &types),
                    "{path}: enum value {v} is not {types:?}"
                );
            }
            if let Some(d) = k.get("default") {
                assert!(e.contains(d), "{path}: default {d} not in enum");
            }
        }
        if let Some(d) = k.get("default") {
            assert!(!d.is_null(), "{path}: null default");
            assert!(
                value_fits(d, &types),
                "{path}: default {d} is not {types:?}"
            );
        }
        if k.contains_key("open") {
            assert_eq!(
                k["open"],
                Value::Bool(true),
                "{path}: open must be true or absent"
            );
            assert!(
                types.contains(&"object".to_string()),
                "{path}: open non-object"
            );
        }
        if let Some(s) = k.get("since") {
            assert!(s == "0.16.1" || s == "0.24.4", "{path}: since {s}");
        }
        if let Some(d) = k.get("description") {
            let d = d.as_str().unwrap();
            assert!(!d.trim().is_empty(), "{path}: empty description");
            assert!(
                d.chars().count() <= 160,
                "{path}: description has {} chars",
                d.chars().count()
            );
        }
        for field in ["legacy", "replacement"] {
            if let Some(target) = k.get(field) {
                let target = target.as_str().unwrap();
                assert!(all.contains_key(target), "{path}: {field} {target} missing");
                assert_ne!(target, path, "{path}: {field} points to itself");
            }
        }
        if let Some(lt) = k.get("legacyTypes") {
            for t in lt.as_array().unwrap() {
                assert!(
                    types.contains(&t.as_str().unwrap().to_string()),
                    "{path}: legacy type {t} not accepted"
                );
            }
        }
        if k.contains_key("inverted") {
            assert!(k.contains_key("legacy"), "{path}: inverted without legacy");
            assert_eq!(types, ["boolean"], "{path}: inverted non-boolean");
        }
        let legacy_only = (k.contains_key("legacy") && !k.contains_key("legacyTypes"))
            || k.get("deprecated")
                .and_then(Value::as_str)
                .is_some_and(|d| d.starts_with("V1 key"));
        assert_eq!(
            !legacy_only,
            k.contains_key("since"),
            "{path}: every current key has `since`, legacy keys have none"
        );
    }
}

#[test]
fn top_level_keys_of_0_24_4_and_cli_written_keys_are_present() {
    let keys = keys();
    let all = by_path(&keys);
    for name in TOP_LEVEL_0244
        .iter()
        .chain(&["$version", "providerMetadata"])
    {
        let k = all
            .get(*name)
            .unwrap_or_else(|| panic!("top-level key {name} missing"));
        assert!(k.contains_key("description"), "{name}: no description");
        assert!(
            !k.contains_key("legacy") || k.contains_key("legacyTypes"),
            "{name} must be a current key"
        );
    }
    // Every current top-level key in the catalog is described.
    for k in &keys {
        let path = k["path"].as_str().unwrap();
        if parent(path).is_none() && k.contains_key("since") {
            assert!(k.contains_key("description"), "{path}: no description");
        }
    }
    for (old, new) in [
        ("codingPlan", "providerMetadata.coding-plan"),
        ("tokenPlan", "providerMetadata.token-plan"),
    ] {
        assert_eq!(all[old]["legacy"], new);
    }
    assert_eq!(all["providerMetadata"]["open"], true);
}

#[test]
fn model_entry_fields_are_present_and_described() {
    let all = by_path(&keys());
    let entry = "modelProviders.*[]";
    assert_eq!(all["modelProviders"]["open"], true);
    assert_eq!(all["modelProviders.*"]["type"], "array");
    assert_eq!(all[entry]["type"], "object");
    assert!(!all[entry].contains_key("open"), "entries must be closed");
    for f in ENTRY_FIELDS {
        let p = format!("{entry}.{f}");
        let k = all.get(&p).unwrap_or_else(|| panic!("{p} missing"));
        assert!(k.contains_key("description"), "{p}: no description");
    }
    assert_eq!(all[&format!("{entry}.id")]["required"], true);
    assert_eq!(
        all[&format!("{entry}.wireApi")]["enum"],
        serde_json::json!(["chat-completions", "responses"])
    );
    assert!(!all.contains_key(&format!("{entry}.baseURL")));
    for open in ["samplingParams", "customHeaders", "extra_body"] {
        for base in [
            "model.generationConfig",
            "modelProviders.*[].generationConfig",
        ] {
            assert_eq!(
                all[&format!("{base}.{open}")]["open"],
                true,
                "{base}.{open}"
            );
        }
    }
    // Read by the CLI under model.generationConfig although the 0.24.4 tree omits them.
    for f in [
        "samplingParams",
        "customHeaders",
        "extra_body",
        "reasoning",
        "modalities",
    ] {
        assert!(
            all.contains_key(&format!("model.generationConfig.{f}")),
            "{f}"
        );
    }
}

#[test]
fn hand_checked_facts() {
    let all = by_path(&keys());
    let get = |p: &str| all.get(p).unwrap_or_else(|| panic!("{p} missing")).clone();
    assert_eq!(get("ui.theme")["type"], "string");
    assert_eq!(get("ui.theme")["default"], "Qwen Dark");
    assert_eq!(get("tools.exclude")["type"], "array");
    assert_eq!(get("tools.exclude")["mergeStrategy"], "union");
    assert_eq!(get("tools.exclude[]")["type"], "string");
    assert_eq!(
        get("model.generationConfig.contextWindowSize")["type"],
        "number"
    );
    assert_eq!(get("model.generationConfig.timeout")["default"], 120000);
    assert_eq!(
        get("context.fileFiltering.enableFuzzySearch")["default"],
        true
    );
    assert_eq!(get("general.enableAutoUpdate")["type"], "boolean");
    assert_eq!(get("general.enableAutoUpdate")["default"], true);
    assert_eq!(get("mcpServers.*.command")["type"], "string");
    assert_eq!(get("mcpServers")["open"], true);
    assert_eq!(get("env")["open"], true);
    assert_eq!(get("env.*")["type"], "string");
    assert_eq!(get("hooks")["type"], "object");
    assert_eq!(get("hooks.PreToolUse[].hooks[].type")["required"], true);
    assert_eq!(
        get("model")["type"],
        serde_json::json!(["object", "string"])
    );
    assert_eq!(get("model")["legacy"], "model.name");
    assert_eq!(get("model")["legacyTypes"], serde_json::json!(["string"]));
    assert_eq!(get("model.reasoningEffort")["enum"][0], "none");
    assert_eq!(get("theme")["legacy"], "ui.theme");
    assert_eq!(
        get("selectedAuthType")["legacy"],
        "security.auth.selectedType"
    );
    assert_eq!(
        get("disableAutoUpdate")["legacy"],
        "general.enableAutoUpdate"
    );
    assert_eq!(get("disableAutoUpdate")["inverted"], true);
    assert!(get("security.auth.apiKey").contains_key("deprecated"));
    assert!(get("security.auth.baseUrl").contains_key("deprecated"));
    assert_eq!(get("review.effort")["operatorOnly"], true);
    assert_eq!(get("tools.executionSandbox")["operatorOnly"], true);
    assert_eq!(get("$version")["since"], "0.16.1");
    assert_eq!(get("providerProtocol")["since"], "0.24.4");
}

#[test]
fn catalog_matches_its_generator() {
    let root = env!("CARGO_MANIFEST_DIR");
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let out = match Command::new("python3")
        .args(["scripts/gen-catalog.py", "--check"])
        .current_dir(root)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !ci => {
            println!("skipped: python3 not found, cannot run scripts/gen-catalog.py --check");
            return;
        }
        Err(e) => panic!("cannot run python3 scripts/gen-catalog.py --check: {e}"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(2) && !ci {
        println!("skipped: generator inputs unavailable: {stderr}");
        return;
    }
    assert!(
        out.status.success(),
        "src/model/catalog.json is stale or the generator failed ({}): {stderr}",
        out.status
    );
}
