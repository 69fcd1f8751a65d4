//! No key is ever shown unmasked: realistic provider keys in every place a settings file or a
//! `.env` file holds them, and everything the product says about them (server logs at trace
//! level, published diagnostics and related information, hovers, code action titles,
//! completion items, document symbols, `check` and `doctor` in both formats) is searched for
//! the keys. The masked form (`sk-…3f2a`: three characters, `…`, four) is fine; any 16
//! consecutive characters of a key are not. Logs go to stderr only: stdout is LSP frames.

#[path = "hostile/client.rs"]
mod client;

use client::{Lsp, Sandbox, parse_frames, run, uri};
use serde_json::{Value, json};
use std::time::Duration;

const T: Duration = Duration::from_secs(30);

// Realistic shapes (random bodies, made up for this test).
const OPENAI: &str =
    "sk-proj-Xq3vR8tLm2Nw9KpZ4hYc7BfD1sGj6uE0aW5nQT3BlbkFJa5Ue0WnQ8rTy2LxVb4MzKc9PdHf3Rg7Sk1Jm6";
const ANTHROPIC: &str = "sk-ant-api03-R7fK2mQ9xW4vL8nT3pZ6yB1cH5jD0sG-_aE7uN2kV9rX4wM8qY3tF6bJ1hC5zP0dL7gS2nW9mK4vQ8xR3yT6pB1e-AA";
const OPENROUTER: &str =
    "sk-or-v1-4f9a2c7e1b8d3f6a0c5e9b2d7f1a4c8e3b6d9f2a5c0e7b4d1f8a3c6e9b2d5f70a1";
const CODING_PLAN: &str = "sk-sp-8e3f1a9c5b7d2e4f6a0c8b1d3e5f7a92";
const GOOGLE: &str = "AIzaSyB3x9Kq7Lm2Nv8Rt4Wz6Yc1Hd5Jf0Gp3Q";
const DASHSCOPE: &str = "sk-7c2e9a4f1b6d8e3a5c0f2b7d9e1a4c6f";
const KEYS: &[(&str, &str)] = &[
    ("OpenAI", OPENAI),
    ("Anthropic", ANTHROPIC),
    ("OpenRouter", OPENROUTER),
    ("Coding Plan", CODING_PLAN),
    ("Google", GOOGLE),
    ("DashScope", DASHSCOPE),
];

fn workspace() -> String {
    format!(
        r#"{{
  "$version": 4,
  // keys everywhere a key can be put
  "modelProviders": {{
    "openai": [
      {{ "id": "qwen3-coder-plus", "baseUrl": "https://dashscope.aliyuncs.com/compatible-mode/v1", "envKey": "{DASHSCOPE}" }},
      {{
        "id": "gpt-4.1",
        "baseUrl": "https://api.openai.com/v1",
        "envKey": "OPENAI_API_KEY",
        "generationConfig": {{ "customHeaders": {{ "Authorization": "Bearer {OPENROUTER}", "X-Api-Key": "{CODING_PLAN}", "x-goog-api-key": "{GOOGLE}" }} }}
      }},
      {{ "id": "qwen/qwen3-coder", "baseUrl": "https://openrouter.ai/api/v1", "envKey": "OPENROUTER_API_KEY" }},
      {{ "id": "qwen3-coder-next", "baseUrl": "https://coding.dashscope.aliyuncs.com/v1", "envKey": "{CODING_PLAN}" }}
    ],
    "anthropic": [
      {{ "id": "claude-sonnet-4", "baseUrl": "https://dashscope.aliyuncs.com/apps/anthropic", "envKey": "{ANTHROPIC}" }}
    ],
    "gemini": [{{ "id": "gemini-2.5-pro", "envKey": "{GOOGLE}" }}]
  }},
  "env": {{
    "OPENAI_API_KEY": "{OPENAI}",
    "OPENROUTER_API_KEY": "{OPENROUTER}",
    "BAILIAN_CODING_PLAN_API_KEY": "{CODING_PLAN}",
    "DASHSCOPE_API_KEY": "{DASHSCOPE}",
    "ANTHROPIC_API_KEY": "{ANTHROPIC}",
    "GEMINI_API_KEY": "{GOOGLE}",
    "SK_ALONE": "{OPENAI}"
  }},
  "security": {{ "auth": {{ "selectedType": "openai", "apiKey": "{OPENAI}", "baseUrl": "https://api.openai.com/v1" }} }},
  "model": {{ "name": "qwen3-coder-plus" }}
}}
"#
    )
}

fn user() -> String {
    format!(
        r#"{{
  "$version": 4,
  "env": {{ "DASHSCOPE_API_KEY": "{DASHSCOPE}", "ANTHROPIC_API_KEY": "{ANTHROPIC}" }},
  "security": {{ "auth": {{ "apiKey": "{GOOGLE}" }} }},
  "modelProviders": {{
    "openai": [{{ "id": "qwen/qwen3-coder", "baseUrl": "https://openrouter.ai/api/v1", "envKey": "{OPENROUTER}",
      "generationConfig": {{ "customHeaders": {{ "Authorization": "Bearer {DASHSCOPE}" }} }} }}]
  }}
}}
"#
    )
}

/// Keys pasted into the wrong place: `model.name`, a model `id`, member names, an unquoted
/// value (a syntax error), a header value with a scheme in front.
fn wrong_workspace() -> String {
    format!(
        r#"{{
  "$version": 4,
  "modelProviders": {{
    "openai": [
      {{ "id": "{OPENROUTER}", "baseUrl": "https://openrouter.ai/api/v1", "envKey": "OPENROUTER_API_KEY" }},
      {{ "id": "qwen3-coder-plus", "baseUrl": "https://dashscope.aliyuncs.com/compatible-mode/v1", "envKey": "DASHSCOPE_API_KEY", "{CODING_PLAN}": true }}
    ]
  }},
  "env": {{ "{DASHSCOPE}": "{DASHSCOPE}" }},
  "{ANTHROPIC}": true,
  "security": {{ "auth": {{ "selectedType": "openai" }} }},
  "model": {{ "name": "{GOOGLE}" }}
}}
"#
    )
}

fn wrong_user() -> String {
    format!(
        r#"{{
  "$version": 4,
  "security": {{ "auth": {{ "apiKey": {OPENAI} }} }}
}}
"#
    )
}

struct Fixture {
    sandbox: Sandbox,
    workspace: std::path::PathBuf,
    user: std::path::PathBuf,
    texts: [String; 2],
}

/// The keys where they belong (`wrong == false`: envKey, env, customHeaders,
/// security.auth.apiKey, .env files, the exported environment) or in the wrong fields.
fn fixture(wrong: bool) -> Fixture {
    let sandbox = Sandbox::new();
    let texts = if wrong {
        [wrong_workspace(), wrong_user()]
    } else {
        [workspace(), user()]
    };
    let workspace = sandbox.write("proj/.qwen/settings.json", &texts[0]);
    let user = sandbox.write(".qwen/settings.json", &texts[1]);
    sandbox.write(
        "proj/.qwen/.env",
        format!("DASHSCOPE_API_KEY={DASHSCOPE}\nexport GEMINI_API_KEY=\"{GOOGLE}\"\nOPENAI_API_KEY='{OPENAI}'\n"),
    );
    sandbox.write("proj/.env", format!("ANTHROPIC_API_KEY={ANTHROPIC}\n"));
    sandbox.write(
        ".qwen/.env",
        format!(
            "OPENROUTER_API_KEY={OPENROUTER} # comment\nBAILIAN_CODING_PLAN_API_KEY={CODING_PLAN}\n"
        ),
    );
    sandbox.write(".env", format!("OPENAI_API_KEY={OPENAI}\n"));
    Fixture {
        sandbox,
        workspace,
        user,
        texts,
    }
}

/// The command environment: trace logging, and keys exported as a user would.
fn env(cmd: &mut std::process::Command) {
    cmd.env("QWEN_SETTINGS_LS_LOG", "trace")
        .env("RUST_LOG", "trace")
        .env("RUST_BACKTRACE", "1")
        .env("OPENAI_API_KEY", OPENAI)
        .env("GEMINI_API_KEY", GOOGLE)
        .env("EXPORTED_ANTHROPIC", ANTHROPIC);
}

/// Records where a key (any 16 consecutive characters of one) appears in `text`, once per
/// channel and key, with some context.
fn find_keys(channel: &str, text: &str, leaks: &mut Vec<String>) {
    for (name, key) in KEYS {
        let chars: Vec<char> = key.chars().collect();
        let found = chars.windows(16).find_map(|window| {
            let fragment: String = window.iter().collect();
            text.find(&fragment).map(|at| (fragment, at))
        });
        if let Some((fragment, at)) = found {
            let from = text[..at]
                .char_indices()
                .rev()
                .nth(60)
                .map_or(0, |(i, _)| i);
            let context: String = text[from..].chars().take(200).collect();
            let leak = format!("the {name} key through {channel}: {fragment:?} in …{context}…");
            if !leaks
                .iter()
                .any(|l| l.starts_with(&format!("the {name} key through {channel}:")))
            {
                leaks.push(leak);
            }
        }
    }
}

fn assert_no_leaks(leaks: &[String]) {
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n---\n")
    );
}

/// All the strings a user sees in a server response, by channel.
fn shown(channel: &str, v: &Value, out: &mut Vec<(String, String)>) {
    let mut push = |what: &str, s: &Value| {
        if let Some(s) = s.as_str() {
            out.push((format!("{channel} {what}"), s.to_string()));
        } else if let Some(s) = s.get("value").and_then(Value::as_str) {
            out.push((format!("{channel} {what}"), s.to_string()));
        }
    };
    match channel {
        "diagnostic" => {
            push("message", &v["message"]);
            for r in v["relatedInformation"].as_array().into_iter().flatten() {
                push("related", &r["message"]);
            }
        }
        "hover" => {
            push("contents", &v["contents"]);
            for c in v["contents"].as_array().into_iter().flatten() {
                push("contents", c);
            }
        }
        "codeAction" => push("title", &v["title"]),
        "completion" => {
            push("label", &v["label"]);
            push("detail", &v["detail"]);
            push("documentation", &v["documentation"]);
            push("labelDetails", &v["labelDetails"]["detail"]);
            push("labelDetails", &v["labelDetails"]["description"]);
        }
        "symbol" => {
            push("name", &v["name"]);
            push("detail", &v["detail"]);
            for c in v["children"].as_array().into_iter().flatten() {
                shown("symbol", c, out);
            }
        }
        _ => unreachable!(),
    }
}

/// Positions worth asking about: inside and around every string and after every colon, and
/// every fourth column.
fn positions(text: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for (line, l) in text.lines().enumerate() {
        let units: Vec<usize> = l
            .char_indices()
            .map(|(i, _)| l[..i].encode_utf16().count())
            .collect();
        for (k, (_, c)) in l.char_indices().enumerate() {
            if c == '"' || c == ':' || k % 4 == 0 {
                out.push((line as u32, units[k] as u32));
                out.push((line as u32, units[k] as u32 + 1));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn the_server_never_shows_a_key() {
    assert_no_leaks(&server_leaks(&fixture(false)));
}

#[test]
fn the_server_never_shows_a_key_put_in_the_wrong_field() {
    assert_no_leaks(&server_leaks(&fixture(true)));
}

/// Drives a whole session over both settings files; returns the leaks.
fn server_leaks(f: &Fixture) -> Vec<String> {
    let mut cmd = f.sandbox.command(&[]);
    env(&mut cmd);
    cmd.current_dir(f.sandbox.path("proj"));
    let mut lsp = Lsp::start(cmd);
    lsp.initialize(&["utf-16"], T);
    let mut seen: Vec<(String, String)> = Vec::new();
    let docs = [
        (f.workspace.clone(), f.texts[0].clone()),
        (f.user.clone(), f.texts[1].clone()),
    ];
    for (path, text) in &docs {
        lsp.open(path, text, 1);
    }
    for (path, text) in &docs {
        let diags = lsp.diagnostics(path, 1, T).expect("diagnostics");
        assert!(!diags.is_empty(), "{}: no diagnostics", path.display());
        for d in &diags {
            shown("diagnostic", d, &mut seen);
            let actions = lsp.request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": uri(path) }, "range": d["range"], "context": { "diagnostics": [d] } }),
                T,
            );
            for a in actions.as_array().into_iter().flatten() {
                shown("codeAction", a, &mut seen);
            }
        }
        let lines = text.lines().count() as u32;
        let all = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": lines, "character": 0 } });
        let actions = lsp.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri(path) }, "range": all, "context": { "diagnostics": [] } }),
            T,
        );
        for a in actions.as_array().into_iter().flatten() {
            shown("codeAction", a, &mut seen);
        }
        for (line, character) in positions(text) {
            let pos = json!({ "textDocument": { "uri": uri(path) }, "position": { "line": line, "character": character } });
            let hover = lsp.request("textDocument/hover", pos.clone(), T);
            if !hover.is_null() {
                shown("hover", &hover, &mut seen);
            }
            let actions = lsp.request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": uri(path) }, "range": { "start": pos["position"], "end": pos["position"] }, "context": { "diagnostics": [] } }),
                T,
            );
            for a in actions.as_array().into_iter().flatten() {
                shown("codeAction", a, &mut seen);
            }
            let completion = lsp.request("textDocument/completion", pos, T);
            let items = completion
                .get("items")
                .unwrap_or(&completion)
                .as_array()
                .cloned()
                .unwrap_or_default();
            for item in &items {
                shown("completion", item, &mut seen);
            }
        }
        let symbols = lsp.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri(path) } }),
            T,
        );
        for s in symbols.as_array().into_iter().flatten() {
            shown("symbol", s, &mut seen);
        }
    }
    // everything else the server sent (publishDiagnostics of other versions, logs, …)
    for m in lsp.drain(Duration::from_millis(300)) {
        seen.push(("other message".into(), m.to_string()));
    }
    assert_eq!(lsp.shutdown(T).and_then(|s| s.code()), Some(0));
    let hovers = seen.iter().filter(|(c, _)| c.starts_with("hover")).count();
    let completions = seen
        .iter()
        .filter(|(c, _)| c.starts_with("completion"))
        .count();
    eprintln!(
        "searched {} shown strings ({hovers} hover, {completions} completion)",
        seen.len()
    );
    assert!(hovers > 10 && completions > 10);
    let mut leaks = Vec::new();
    for (channel, text) in &seen {
        find_keys(channel, text, &mut leaks);
    }

    // logs: stderr only, no key
    let stderr = lsp.stderr_text();
    eprintln!(
        "server log: {} lines at trace level",
        stderr.lines().count()
    );
    find_keys("the server log (stderr)", &stderr, &mut leaks);
    let stdout = lsp.stdout.lock().unwrap().clone();
    let (messages, garbage, used) = parse_frames(&stdout);
    assert!(
        garbage.is_empty() && used == stdout.len(),
        "stdout is not pure LSP frames: {garbage:?}, {} of {} bytes parsed",
        used,
        stdout.len()
    );
    assert!(!messages.is_empty());
    leaks
}

#[test]
fn the_command_line_never_shows_a_key() {
    assert_no_leaks(&cli_leaks(&fixture(false)));
}

#[test]
fn the_command_line_never_shows_a_key_put_in_the_wrong_field() {
    assert_no_leaks(&cli_leaks(&fixture(true)));
}

/// `check` (given paths and found) and `doctor`, both formats; returns the leaks.
fn cli_leaks(f: &Fixture) -> Vec<String> {
    let proj = f.sandbox.path("proj");
    let targets = [
        f.workspace.to_str().unwrap().to_string(),
        f.user.to_str().unwrap().to_string(),
    ];
    let mut runs = Vec::new();
    for format in ["human", "json"] {
        let mut cmd = f.sandbox.command(&["check", "--format", format]);
        cmd.args(&targets).current_dir(&proj);
        env(&mut cmd);
        runs.push((format!("check --format {format}"), run(cmd, T)));
        let mut cmd = f.sandbox.command(&["check", "--format", format]);
        cmd.current_dir(&proj);
        env(&mut cmd);
        runs.push((format!("check --format {format} (found)"), run(cmd, T)));
        let mut cmd = f.sandbox.command(&["doctor", "--format", format]);
        cmd.current_dir(&proj);
        env(&mut cmd);
        runs.push((format!("doctor --format {format}"), run(cmd, T)));
    }
    let mut leaks = Vec::new();
    for (what, r) in &runs {
        assert!(
            matches!(r.code(), Some(0 | 1)),
            "{what}: {:?}\n{}",
            r.status,
            r.stderr()
        );
        assert!(!r.stdout.is_empty(), "{what}: no output");
        find_keys(&format!("{what} stdout"), &r.stdout(), &mut leaks);
        find_keys(&format!("{what} stderr"), &r.stderr(), &mut leaks);
    }
    // the masked form is what is shown
    let doctor = &runs
        .iter()
        .find(|(w, _)| w == "doctor --format json")
        .unwrap()
        .1;
    let report: Value = serde_json::from_slice(&doctor.stdout).expect("doctor JSON");
    if let Some(masked) = report["maskedKey"].as_str() {
        assert!(masked.contains('…'), "{masked}");
    }
    leaks
}

/// Sanity: the keys are recognised as keys (else this test would prove nothing about masking).
#[test]
fn the_fixture_keys_are_keys() {
    let f = fixture(false);
    let mut cmd = f.sandbox.command(&["check", "--format", "json"]);
    cmd.arg(&f.workspace).current_dir(f.sandbox.path("proj"));
    env(&mut cmd);
    let r = run(cmd, T);
    let diags: Value = serde_json::from_slice(&r.stdout).expect("JSON");
    let codes: Vec<&str> = diags
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    for code in ["envkey-literal-secret", "literal-secret"] {
        assert!(codes.contains(&code), "{code} missing: {codes:?}");
    }
}

/// Panic messages reach the log and `check`'s stderr: they must not carry a key either. The
/// base URL below makes the analysis panic while fuzz finding 1 lasts (tests/hostile/fuzz), with
/// a message that quotes the URL, which holds a key.
#[test]
fn a_panic_message_never_shows_a_key() {
    let sandbox = Sandbox::new();
    let text = format!(
        "{{ \"$version\": 4, \"modelProviders\": {{ \"openai\": [{{ \"id\": \"a\", \"baseUrl\": \"http:a/ü ü ü ü {DASHSCOPE} {OPENAI}\" }}] }} }}\n"
    );
    let path = sandbox.write("proj/.qwen/settings.json", &text);
    let mut leaks = Vec::new();
    for format in ["human", "json"] {
        let mut cmd = sandbox.command(&["check", "--format", format]);
        cmd.arg(&path);
        env(&mut cmd);
        let r = run(cmd, T);
        find_keys(
            &format!("check --format {format} stdout"),
            &r.stdout(),
            &mut leaks,
        );
        find_keys(
            &format!("check --format {format} stderr"),
            &r.stderr(),
            &mut leaks,
        );
    }
    let mut cmd = sandbox.command(&[]);
    env(&mut cmd);
    let mut lsp = Lsp::start(cmd);
    lsp.initialize(&["utf-16"], T);
    lsp.open(&path, &text, 1);
    let doc = json!({ "uri": uri(&path) });
    for character in [60, 70, 80] {
        let pos = json!({ "textDocument": doc, "position": { "line": 0, "character": character } });
        lsp.call("textDocument/hover", pos.clone(), T);
        lsp.call("textDocument/completion", pos, T);
    }
    for m in lsp.drain(Duration::from_millis(300)) {
        find_keys("a server message", &m.to_string(), &mut leaks);
    }
    assert_eq!(lsp.shutdown(T).and_then(|s| s.code()), Some(0));
    find_keys("the server log (stderr)", &lsp.stderr_text(), &mut leaks);
    assert_no_leaks(&leaks);
}
