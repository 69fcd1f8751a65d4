//! `qwen-settings-ls doctor`: predictions of what the CLI will send, with the real binary.

mod common;

use common::Sandbox;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn doctor(sandbox: &Sandbox, cwd: &Path, env: &[(&str, &str)]) -> Value {
    std::fs::create_dir_all(cwd).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_qwen-settings-ls"))
        .args(["doctor", "--format", "json"])
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
        .envs(env.iter().copied())
        .current_dir(cwd)
        .output()
        .expect("run doctor");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("0123456789abcdef0123"),
        "a key leaked:\n{text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

const PROJECT: &str = r#"{
  "$version": 4,
  "modelProviders": {
    "openai": [
      { "id": "qwen3-coder-plus", "baseUrl": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "envKey": "DASHSCOPE_API_KEY" },
      { "id": "qwen3-max", "baseUrl": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "envKey": "DASHSCOPE_API_KEY" }
    ]
  },
  "env": { "DASHSCOPE_API_KEY": "sk-settings0123456789abcdef0123456789" },
  "security": { "auth": { "selectedType": "openai" } },
  "model": { "name": "qwen3-max" }
}"#;

#[test]
fn exported_beats_dotenv_beats_settings() {
    let sandbox = Sandbox::new();
    sandbox.write("proj/.qwen/settings.json", PROJECT);
    let proj = sandbox.path("proj");

    let r = doctor(&sandbox, &proj, &[]);
    assert_eq!(r["authType"], "openai");
    assert_eq!(r["model"], "qwen3-max");
    assert_eq!(
        r["baseUrl"],
        "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
    );
    assert_eq!(
        r["requestUrl"],
        "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/chat/completions"
    );
    assert_eq!(r["keyVariable"], "DASHSCOPE_API_KEY");
    assert_eq!(r["keySource"]["kind"], "settings");
    assert_eq!(r["maskedKey"], "sk-…6789");

    sandbox.write(
        ".qwen/.env",
        "DASHSCOPE_API_KEY=sk-homeqwen0123456789abcdef0123456789aaaa\n",
    );
    let r = doctor(&sandbox, &proj, &[]);
    assert_eq!(r["keySource"]["kind"], "dotenv");
    assert!(
        r["keySource"]["file"]
            .as_str()
            .unwrap()
            .ends_with("home/.qwen/.env")
    );
    assert_eq!(r["maskedKey"], "sk-…aaaa");
    assert_eq!(r["shadowed"][0]["variable"], "DASHSCOPE_API_KEY");

    // the project's .env beats ~/.qwen/.env
    sandbox.write(
        "proj/.env",
        "DASHSCOPE_API_KEY=sk-project0123456789abcdef0123456789bbbb\n",
    );
    let r = doctor(&sandbox, &proj, &[]);
    assert!(
        r["keySource"]["file"]
            .as_str()
            .unwrap()
            .ends_with("proj/.env")
    );

    // an exported value beats every file; an empty one counts as unset
    let r = doctor(
        &sandbox,
        &proj,
        &[(
            "DASHSCOPE_API_KEY",
            "sk-exported0123456789abcdef0123456789cccc",
        )],
    );
    assert_eq!(r["keySource"]["kind"], "exported");
    assert_eq!(r["keySource"]["file"], Value::Null);
    assert_eq!(r["maskedKey"], "sk-…cccc");
    let r = doctor(&sandbox, &proj, &[("DASHSCOPE_API_KEY", "")]);
    assert!(
        r["keySource"]["file"]
            .as_str()
            .unwrap()
            .ends_with("proj/.env")
    );
}

#[test]
fn qwen_dotenv_shadows_the_project_dotenv() {
    let sandbox = Sandbox::new();
    sandbox.write("proj/.qwen/settings.json", PROJECT);
    sandbox.write("proj/.qwen/.env", "OTHER=1\n");
    sandbox.write(
        "proj/.env",
        "DASHSCOPE_API_KEY=sk-project0123456789abcdef0123456789bbbb\n",
    );
    let r = doctor(&sandbox, &sandbox.path("proj"), &[]);
    // .env beside .qwen/.env is never loaded: settings env fills the gap
    assert_eq!(r["keySource"]["kind"], "settings");
    let hint = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "env-file-shadowed")
        .expect("env-file-shadowed");
    assert_eq!(hint["severity"], "hint");
    assert!(hint["file"].as_str().unwrap().ends_with("proj/.env"));
}

#[test]
fn unset_envkey_falls_back_to_the_default_variable() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "proj/.qwen/settings.json",
        &PROJECT.replace(
            r#""env": { "DASHSCOPE_API_KEY": "sk-settings0123456789abcdef0123456789" },"#,
            "",
        ),
    );
    let r = doctor(
        &sandbox,
        &sandbox.path("proj"),
        &[("OPENAI_API_KEY", "sk-openai0123456789abcdef0123456789dddd")],
    );
    assert_eq!(r["keyVariable"], "OPENAI_API_KEY");
    assert_eq!(r["maskedKey"], "sk-…dddd");
    assert!(
        r["notes"][0]
            .as_str()
            .unwrap()
            .contains("falls back to OPENAI_API_KEY")
    );
}

#[test]
fn entry_without_base_url_and_model_fallback() {
    let sandbox = Sandbox::new();
    let text = r#"{ "$version": 4,
      "modelProviders": { "openai": [{ "id": "gpt-4o", "envKey": "MY_KEY" }] },
      "security": { "auth": { "selectedType": "openai" } },
      "model": { "name": "missing" } }"#;
    sandbox.write("p/.qwen/settings.json", text);
    let r = doctor(
        &sandbox,
        &sandbox.path("p"),
        &[("MY_KEY", "sk-my0123456789abcdef0123456789abcdeeee")],
    );
    assert_eq!(r["model"], "gpt-4o");
    assert_eq!(r["reason"], "first entry (model.name matches no id)");
    assert_eq!(r["baseUrl"], "https://api.openai.com/v1");
    let r = doctor(
        &sandbox,
        &sandbox.path("p"),
        &[
            ("MY_KEY", "x"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
        ],
    );
    assert_eq!(r["baseUrl"], "http://127.0.0.1:9/v1");
    assert_eq!(r["requestUrl"], "http://127.0.0.1:9/v1/chat/completions");
}

#[test]
fn started_in_home_reads_no_workspace_and_without_auth_says_so() {
    let sandbox = Sandbox::new();
    sandbox.write(
        ".qwen/settings.json",
        r#"{ "$version": 4, "ui": { "theme": "x" } }"#,
    );
    let r = doctor(&sandbox, &sandbox.home(), &[]);
    assert_eq!(r["authType"], Value::Null);
    assert_eq!(r["settingsFiles"].as_array().unwrap().len(), 1);
    assert!(
        r["notes"][0]
            .as_str()
            .unwrap()
            .contains("No auth type is selected")
    );
}

#[test]
fn anthropic_request_url() {
    let sandbox = Sandbox::new();
    let text = r#"{ "$version": 4,
      "modelProviders": { "anthropic": [{ "id": "qwen3-max", "baseUrl": "https://dashscope.aliyuncs.com/apps/anthropic", "envKey": "DASHSCOPE_API_KEY" }] },
      "security": { "auth": { "selectedType": "anthropic" } } }"#;
    sandbox.write("p/.qwen/settings.json", text);
    let r = doctor(&sandbox, &sandbox.path("p"), &[]);
    assert_eq!(
        r["requestUrl"],
        "https://dashscope.aliyuncs.com/apps/anthropic/v1/messages"
    );
    assert_eq!(r["keySource"]["kind"], "none");
    assert_eq!(r["maskedKey"], Value::Null);
}
