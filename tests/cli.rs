//! End-to-end tests of `qwen-settings-ls check`, with the real binary.

mod common;

use common::Sandbox;
use std::path::Path;
use std::process::{Command, Output};

fn check(sandbox: &Sandbox, cwd: &Path, args: &[&str]) -> Output {
    std::fs::create_dir_all(sandbox.home()).unwrap();
    Command::new(env!("CARGO_BIN_EXE_qwen-settings-ls"))
        .arg("check")
        .args(args)
        .env_clear()
        .env("HOME", sandbox.home())
        .env(
            "QWEN_CODE_SYSTEM_SETTINGS_PATH",
            sandbox.path("etc/settings.json"),
        )
        .env(
            "QWEN_CODE_SYSTEM_DEFAULTS_PATH",
            sandbox.path("etc/system-defaults.json"),
        )
        .current_dir(cwd)
        .output()
        .expect("run check")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const EXAMPLE: &str = include_str!("../examples/broken/.qwen/settings.json");

#[test]
fn human_output_reads_like_rustc_and_masks_keys() {
    let sandbox = Sandbox::new();
    sandbox.write("proj/.qwen/settings.json", EXAMPLE);
    let out = check(
        &sandbox,
        &sandbox.home().join("proj"),
        &[".qwen/settings.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        !text.contains("sk-0123456789abcdef0123456789ab3f2a"),
        "a key leaked:\n{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn json_output_has_lsp_ranges() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "proj/.qwen/settings.json",
        "{\n  \"$version\": 4,\n  \"model\": { \"name\": \"😀\", },\n}\n",
    );
    let out = check(
        &sandbox,
        &sandbox.home(),
        &["--format", "json", "proj/.qwen/settings.json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!(json);
    // UTF-16: the emoji counts two (it would be 24 in chars, 27 in bytes)
    assert_eq!(json[0]["range"]["start"]["character"], 25);
}

#[test]
fn clean_file_exits_zero() {
    let sandbox = Sandbox::new();
    let clean = r#"{
  "$version": 4,
  "modelProviders": { "openai": [{ "id": "qwen3-coder-plus", "baseUrl": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "envKey": "DASHSCOPE_API_KEY" }] },
  "security": { "auth": { "selectedType": "openai" } },
  "model": { "name": "qwen3-coder-plus" }
}"#;
    sandbox.write("proj/.qwen/settings.json", clean);
    // the key the entry names lives in the project's .env, as recommended
    sandbox.write(
        "proj/.qwen/.env",
        "DASHSCOPE_API_KEY=sk-0123456789abcdef0123456789abcdef\n",
    );
    let out = check(&sandbox, &sandbox.home().join("proj"), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "1 file checked: no problems\n");
    let out = check(
        &sandbox,
        &sandbox.home().join("proj"),
        &["--format", "json"],
    );
    assert_eq!(stdout(&out).trim(), "[]");
}

#[test]
fn warnings_alone_exit_zero() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "p/.qwen/settings.json",
        r#"{ "$version": 4, "model": { "name": "a", "name": "b" } }"#,
    );
    let out = check(&sandbox, &sandbox.home().join("p"), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("duplicate-key"));
}

/// Without a path: the workspace file from the current directory upwards, and the user file.
#[test]
fn discovers_workspace_and_user_files() {
    let sandbox = Sandbox::new();
    sandbox.write(".qwen/settings.json", "{ \"$version\": 4, \"ui\": {}, }");
    sandbox.write("proj/.qwen/settings.json", "{ \"$version\": 4 }");
    std::fs::create_dir_all(sandbox.path("proj/src/deep")).unwrap();
    let out = check(
        &sandbox,
        &sandbox.path("proj/src/deep"),
        &["--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{json}");
    assert!(files[0].ends_with("home/.qwen/settings.json"), "{files:?}");
    // the user file's trailing comma stops the CLI: the message says so
    assert!(
        json[0]["message"]
            .as_str()
            .unwrap()
            .contains("refuses to start")
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn nothing_to_check_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let out = check(&sandbox, &sandbox.home(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no Qwen Code settings file found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn io_problems_exit_two_with_a_message() {
    let sandbox = Sandbox::new();
    let out = check(&sandbox, &sandbox.home(), &["missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read missing.json"),
        "{}",
        stderr(&out)
    );

    let bad = sandbox.path("bad/.qwen/settings.json");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, b"{ \"a\": \"\xff\xfe\" }").unwrap();
    let out = check(&sandbox, &sandbox.home(), &["bad/.qwen/settings.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not valid UTF-8"), "{}", stderr(&out));

    let out = check(&sandbox, &sandbox.home(), &["bad"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"));

    let out = check(&sandbox, &sandbox.home(), &["--format", "yaml", "x"]);
    assert_eq!(out.status.code(), Some(2), "usage error");
}

/// The README's first command: the bundled example has the problems it advertises.
#[test]
fn bundled_example_shows_the_advertised_problems() {
    let sandbox = Sandbox::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = check(
        &sandbox,
        repo,
        &["--format", "json", "examples/broken/.qwen/settings.json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "envkey-literal-secret",
            "unknown-protocol-key",
            "model-not-found",
            "trailing-comma"
        ]
    );
}

#[test]
fn rules_can_be_relevelled_or_turned_off() {
    let sandbox = Sandbox::new();
    sandbox.write("p/.qwen/settings.json", "{ \"ui\": {}, }");
    let dir = sandbox.home().join("p");
    let out = check(
        &sandbox,
        &dir,
        &[
            "--format",
            "json",
            "--rule",
            "trailing-comma=warning",
            "--rule",
            "missing-version=off",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["severity"], "warning");
    let out = check(&sandbox, &dir, &["--rule", "nope=off"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown rule code `nope`"));
}
