//! End-to-end tests of the language server over stdio, with the real binary.

mod common;

use common::{Sandbox, Server, codes, position, uri};
use serde_json::{Value, json};

const BROKEN: &str = r#"{
  "$version": 4,
  // "名前" 😀 — comments with CJK and emoji before the problems
  "modelProviders": {
    "openai": [{ "id": "qwen3-coder-plus", "baseUrl": "https://dashscope.aliyuncs.com/compatible-mode/v1", "envKey": "DASHSCOPE_API_KEY" }],
    "dashscope": [{ "id": "qwen3-max", "baseUrl": "https://dashscope.aliyuncs.com/compatible-mode/v1", "envKey": "DASHSCOPE_API_KEY" }]
  },
  "security": { "auth": { "selectedType": "openai" } },
  "model": { "name": "qwen3-coder-plus" }
}
"#;

#[test]
fn negotiates_position_encoding() {
    let sandbox = Sandbox::new();
    let mut server = Server::spawn(&sandbox);
    let init = server.initialize(&["utf-8", "utf-16"]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(
        init["capabilities"]["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(init["serverInfo"]["name"], "qwen-settings-ls");
    assert!(server.shutdown().success());

    let mut server = Server::spawn(&sandbox);
    let init = server.initialize(&["utf-16"]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    drop(server);

    // A client that offers nothing gets the LSP default.
    let mut server = Server::spawn(&sandbox);
    let init = server.initialize(&[]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
}

#[test]
fn diagnostics_on_open_carry_version_code_and_source() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("proj/.qwen/settings.json", BROKEN);
    let mut server = Server::spawn(&sandbox);
    server.initialize(&["utf-16"]);
    server.open(&path, BROKEN, 7);
    let diags = server.diagnostics(&path, 7);
    assert_eq!(codes(&diags), vec![("unknown-protocol-key".to_string(), 5)]);
    let d = &diags[0];
    assert_eq!(d["source"], "qwen-settings-ls");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"]["character"], 4);
    assert_eq!(d["range"]["end"]["character"], 15);
    assert!(server.shutdown().success());
}

#[test]
fn other_json_files_are_left_alone() {
    let sandbox = Sandbox::new();
    let other = sandbox.write("proj/settings.json", "{ \"a\": 1, }");
    let qwen = sandbox.write("proj/.qwen/settings.json", BROKEN);
    let mut server = Server::spawn(&sandbox);
    server.initialize(&["utf-16"]);
    server.open(&other, "{ \"a\": 1, }", 1);
    server.open(&qwen, BROKEN, 1);
    server.diagnostics(&qwen, 1);
    let other_uri = uri(&other);
    let stray: Vec<Value> = server
        .drain_pending()
        .into_iter()
        .filter(|m| m["params"]["uri"] == other_uri.as_str())
        .collect();
    assert!(stray.is_empty(), "published for a non-Qwen file: {stray:?}");
}

/// Incremental edits after emoji and CJK text, in both encodings.
#[test]
fn incremental_changes_after_multibyte_text() {
    for encoding in ["utf-8", "utf-16"] {
        let sandbox = Sandbox::new();
        let path = sandbox.write("proj/.qwen/settings.json", BROKEN);
        let mut server = Server::spawn(&sandbox);
        server.initialize(&[encoding]);
        server.open(&path, BROKEN, 1);
        assert_eq!(codes(&server.diagnostics(&path, 1)).len(), 1);

        // Replace "dashscope" (after the emoji line) with the legacy key "openai-responses".
        let start = BROKEN.find("dashscope\"").unwrap();
        let end = start + "dashscope".len();
        let after_emoji = BROKEN.find("😀").unwrap() + "😀".len();
        server.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri(&path), "version": 2 },
                "contentChanges": [
                    { "range": { "start": position(BROKEN, start, encoding), "end": position(BROKEN, end, encoding) }, "text": "openai-responses" },
                    // a second change in the same notification, on the emoji line: positions
                    // refer to the text after the first change (which is on a later line)
                    { "range": { "start": position(BROKEN, after_emoji, encoding), "end": position(BROKEN, after_emoji, encoding) }, "text": " 中文" }
                ]
            }),
        );
        let diags = server.diagnostics(&path, 2);
        assert!(codes(&diags).is_empty(), "{encoding}: {diags:?}");

        // Now type a trailing comma after the model object's last member.
        let v2 = BROKEN
            .replace("dashscope\"", "openai-responses\"")
            .replace("😀", "😀 中文");
        let at = v2.find("\"qwen3-coder-plus\" }").unwrap() + "\"qwen3-coder-plus\"".len();
        server.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri(&path), "version": 3 },
                "contentChanges": [{ "range": { "start": position(&v2, at, encoding), "end": position(&v2, at, encoding) }, "text": "," }]
            }),
        );
        let diags = server.diagnostics(&path, 3);
        assert_eq!(
            codes(&diags),
            vec![("trailing-comma".to_string(), 8)],
            "{encoding}"
        );
        let expected_col = position(&v2, at, encoding)["character"].clone();
        assert_eq!(
            diags[0]["range"]["start"]["character"], expected_col,
            "{encoding}"
        );
        assert!(server.shutdown().success());
    }
}

#[test]
fn code_action_fixes_and_clears_the_diagnostic() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("proj/.qwen/settings.json", BROKEN);
    let mut server = Server::spawn(&sandbox);
    server.initialize(&["utf-16"]);
    server.open(&path, BROKEN, 1);
    let diags = server.diagnostics(&path, 1);
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri(&path) },
            "range": diags[0]["range"],
            "context": { "diagnostics": diags }
        }),
    );
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Map \"dashscope\" to \"openai\" in providerProtocol"]
    );
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["diagnostics"][0]["code"], "unknown-protocol-key");
    let edits = action["edit"]["changes"][uri(&path)]
        .as_array()
        .unwrap()
        .clone();

    // Apply the edits as the client would, and send them as one incremental change.
    let changes: Vec<Value> = edits
        .iter()
        .rev()
        .map(|e| json!({ "range": e["range"], "text": e["newText"] }))
        .collect();
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&path), "version": 2 }, "contentChanges": changes }),
    );
    assert!(server.diagnostics(&path, 2).is_empty());
    assert!(server.shutdown().success());
}

#[test]
fn close_clears_diagnostics() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("proj/.qwen/settings.json", BROKEN);
    let mut server = Server::spawn(&sandbox);
    server.initialize(&["utf-16"]);
    server.open(&path, BROKEN, 1);
    server.diagnostics(&path, 1);
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri(&path) } }),
    );
    let u = uri(&path);
    let msg = server.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u.as_str()
    });
    assert_eq!(msg["params"]["diagnostics"], json!([]));
}

/// The user file beneath a workspace file is part of the analysis, and diagnostics say so.
#[test]
fn workspace_file_sees_the_user_scope() {
    let sandbox = Sandbox::new();
    sandbox.write(
        ".qwen/settings.json",
        r#"{ "$version": 4, "providerProtocol": { "idealab": "openai" }, "security": { "auth": { "selectedType": "openai" } } }"#,
    );
    let text = r#"{
  "$version": 4,
  "modelProviders": { "idealab": [{ "id": "m", "baseUrl": "https://idealab.alibaba-inc.com/api/openai/v1", "envKey": "IDEALAB_API_KEY" }] },
  "model": { "name": "other" }
}"#;
    let path = sandbox.write("proj/.qwen/settings.json", text);
    let mut server = Server::spawn(&sandbox);
    server.initialize(&["utf-16"]);
    server.open(&path, text, 1);
    let diags = server.diagnostics(&path, 1);
    // The mapping in the user file makes "idealab" valid, and selectedType comes from there too.
    assert_eq!(codes(&diags), vec![("model-not-found".to_string(), 3)]);
}

/// 1,000 incremental edits sent back to back, without waiting, with multi-byte text and
/// deletions: the final text and diagnostics equal those of a fresh open of the final text.
#[test]
fn thousand_edits_apply_in_order() {
    const PREFIX: &str = "{\n  \"$version\": 4,\n  \"modelProviders\": { \"openai\": [{ \"id\": \"a\", \"envKey\": \"K\" }] },\n  \"security\": { \"auth\": { \"selectedType\": \"openai\" } },\n  \"model\": { \"name\": \"";
    const SUFFIX: &str = "\" },\n  \"modelProviders\": { \"openai\": [{ \"id\": \"a\", \"envKey\": \"K\" }], \"bogus\": [] }\n}\n";
    for encoding in ["utf-16", "utf-8"] {
        let sandbox = Sandbox::new();
        let path = sandbox.write("proj/.qwen/settings.json", "");
        let fresh = sandbox.write("fresh/.qwen/settings.json", "");
        let mut server = Server::spawn(&sandbox);
        server.initialize(&[encoding]);
        let mut name: Vec<char> = Vec::new();
        let text_of =
            |name: &[char]| format!("{PREFIX}{}{SUFFIX}", name.iter().collect::<String>());
        server.open(&path, &text_of(&name), 0);
        let alphabet = ['a', 'é', '中', '😀', 'z'];
        for i in 0..1000usize {
            let before = text_of(&name);
            let base = PREFIX.len();
            let (start_char, end_char, insert) = if i % 10 == 9 && !name.is_empty() {
                let at = (i * 7) % name.len();
                (at, at + 1, String::new())
            } else {
                let at = (i * 7) % (name.len() + 1);
                (at, at, alphabet[i % alphabet.len()].to_string())
            };
            let byte = |c: usize| base + name[..c].iter().map(|ch| ch.len_utf8()).sum::<usize>();
            let change = json!({
                "range": { "start": position(&before, byte(start_char), encoding), "end": position(&before, byte(end_char), encoding) },
                "text": insert,
            });
            name.splice(start_char..end_char, insert.chars());
            server.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri(&path), "version": i + 1 }, "contentChanges": [change] }),
            );
        }
        let final_text = text_of(&name);
        let edited = server.diagnostics(&path, 1000);
        server.open(&fresh, &final_text, 1);
        let opened = server.diagnostics(&fresh, 1);
        // identical but for the file the related information points into
        let opened = serde_json::to_string(&opened)
            .unwrap()
            .replace(&uri(&fresh), &uri(&path));
        assert_eq!(
            serde_json::to_string(&edited).unwrap(),
            opened,
            "{encoding}"
        );
        // the diagnostics name the edited model id, so they prove the text is identical
        let name: String = name.into_iter().collect();
        let not_found = edited
            .iter()
            .find(|d| d["code"] == "model-not-found")
            .expect("model-not-found");
        assert!(
            not_found["message"].as_str().unwrap().contains(&name),
            "{encoding}"
        );
        assert_eq!(codes(&edited).len(), 3, "{edited:?}");
        assert!(server.shutdown().success());
    }
}

/// Rules can be turned off or re-levelled by `initializationOptions` and by
/// `workspace/didChangeConfiguration`.
#[test]
fn rule_options_from_the_client() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("proj/.qwen/settings.json", BROKEN);
    let mut server = Server::spawn(&sandbox);
    server.initialize_with(
        &["utf-16"],
        json!({ "rules": { "unknown-protocol-key": "warning", "no-such-rule": "off" } }),
    );
    server.open(&path, BROKEN, 1);
    let diags = server.diagnostics(&path, 1);
    assert_eq!(diags[0]["severity"], 2, "re-levelled to warning");
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "qwenSettings": { "rules": { "unknown-protocol-key": "off" } } } }),
    );
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&path), "version": 2 }, "contentChanges": [{ "text": BROKEN }] }),
    );
    assert!(server.diagnostics(&path, 2).is_empty());
}

/// Completion, hover, outline and folding over the real protocol, on an unfinished document.
#[test]
fn completion_hover_symbols_folding() {
    let sandbox = Sandbox::new();
    let text = "{\n  \"modelProviders\": {\n    \"openai\": [{ \"id\": \"qwen3-coder-plus\", \"baseUrl\": \"https://dashscope-intl.aliyuncs.com/compatible-mode/v1\", \"envKey\": \"DASHSCOPE_API_KEY\" }]\n  },\n  \"security\": { \"auth\": { \"selectedType\": \"openai\" } },\n  \"model\": { \"name\": \"\n";
    let path = sandbox.write("proj/.qwen/settings.json", text);
    let mut server = Server::spawn(&sandbox);
    server.initialize_with(&["utf-16"], json!({ "completion": { "generic": true } }));
    server.open(&path, text, 1);
    server.diagnostics(&path, 1);
    let at = text.len() - 1; // inside the unterminated model.name string
    let items = server.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri(&path) }, "position": position(text, at, "utf-16") }),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["qwen3-coder-plus"]);
    assert_eq!(items[0]["textEdit"]["newText"], "\"qwen3-coder-plus\"");

    let base = text.find("compatible-mode").unwrap();
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&path) }, "position": position(text, base, "utf-16") }),
    );
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.contains("/compatible-mode/v1/chat/completions"), "{md}");

    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri(&path) } }),
    );
    assert_eq!(symbols[0]["name"], "modelProviders");
    assert_eq!(
        symbols[0]["children"][0]["children"][0]["name"],
        "qwen3-coder-plus"
    );
    let folds = server.request(
        "textDocument/foldingRange",
        json!({ "textDocument": { "uri": uri(&path) } }),
    );
    assert!(!folds.as_array().unwrap().is_empty());
}

/// A panic in a handler becomes an error reply; the server keeps serving, documents intact.
#[test]
fn a_panicking_handler_does_not_take_the_server_down() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("proj/.qwen/settings.json", BROKEN);
    let mut server = Server::spawn_with_env(&sandbox, &[("QWEN_SETTINGS_LS_FAULT", "hover")]);
    server.initialize(&["utf-16"]);
    server.open(&path, BROKEN, 1);
    server.diagnostics(&path, 1);
    server.send(&json!({ "jsonrpc": "2.0", "id": 99, "method": "textDocument/hover",
        "params": { "textDocument": { "uri": uri(&path) }, "position": { "line": 5, "character": 6 } } }));
    let reply = server.wait_for(|m| m["id"] == 99);
    assert_eq!(reply["error"]["code"], -32603, "{reply}");
    // still serving, with the document as it was
    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri(&path) } }),
    );
    assert_eq!(symbols[1]["name"], "modelProviders");
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&path), "version": 2 }, "contentChanges": [{ "text": "{ \"$version\": 4 }" }] }),
    );
    assert!(server.diagnostics(&path, 2).is_empty());
    assert!(server.shutdown().success());
}

/// The transport answers what the framework would not, and keeps serving after bad frames.
#[test]
fn bad_frames_and_odd_messages_get_the_prescribed_replies() {
    let sandbox = Sandbox::new();
    let mut server = Server::spawn(&sandbox);
    // a request before initialize
    server
        .send(&json!({ "jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {} }));
    assert_eq!(server.wait_for(|m| m["id"] == 1)["error"]["code"], -32002);
    server.initialize(&["utf-16"]);
    // a bad Content-Length is skipped; the next request is still answered
    server.send_raw(b"Content-Length: banana\r\n\r\n{}");
    server.send_raw(b"Content-Length: 7\r\n\r\nnotjson");
    let parse_error = server.wait_for(|m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    server.send(&json!({ "jsonrpc": "2.0", "id": 2, "method": 42 }));
    assert_eq!(server.wait_for(|m| m["id"] == 2)["error"]["code"], -32600);
    server.send(&json!({ "jsonrpc": "2.0", "id": 3, "method": "$/custom" }));
    assert_eq!(server.wait_for(|m| m["id"] == 3)["error"]["code"], -32601);
    server.send(&json!({ "jsonrpc": "2.0", "id": 4, "method": "no/such/method" }));
    assert_eq!(server.wait_for(|m| m["id"] == 4)["error"]["code"], -32601);
    // didChange for a document never opened is ignored
    server.notify("textDocument/didChange", json!({ "textDocument": { "uri": "file:///nope/.qwen/settings.json", "version": 2 }, "contentChanges": [{ "text": "{" }] }));
    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": "file:///nope/.qwen/settings.json" } }),
    );
    assert_eq!(symbols, Value::Null);
    assert!(server.shutdown().success());
}

#[test]
fn exit_without_shutdown_is_status_one() {
    let sandbox = Sandbox::new();
    let mut server = Server::spawn(&sandbox);
    server.initialize(&["utf-16"]);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait().code(), Some(1));
    // end of input without shutdown too
    let mut server = Server::spawn(&sandbox);
    server.initialize(&["utf-16"]);
    assert_eq!(server.wait().code(), Some(1));
}

/// A `.env` file appearing (reported by the client's file watcher) re-analyses open files.
#[test]
fn dotenv_changes_are_live() {
    let sandbox = Sandbox::new();
    let text = r#"{ "$version": 4,
  "modelProviders": { "openai": [{ "id": "a", "baseUrl": "https://dashscope.aliyuncs.com/compatible-mode/v1", "envKey": "PROJECT_KEY" }] },
  "security": { "auth": { "selectedType": "openai" } }, "model": { "name": "a" } }"#;
    let path = sandbox.write("proj/.qwen/settings.json", text);
    let mut server = Server::spawn(&sandbox);
    server.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } } }),
    );
    server.notify("initialized", json!({}));
    // the server asks to watch .env files; answer as a client does
    let registration = server.wait_for(|m| m["method"] == "client/registerCapability");
    let watchers =
        registration["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(watchers.contains("**/.qwen/.env"), "{watchers}");
    server.send(&json!({ "jsonrpc": "2.0", "id": registration["id"], "result": null }));

    server.open(&path, text, 1);
    assert_eq!(
        codes(&server.diagnostics(&path, 1)),
        vec![("envkey-unresolved".to_string(), 1)]
    );
    let env = sandbox.write(
        "proj/.qwen/.env",
        "PROJECT_KEY=sk-0123456789abcdef0123456789abcdef\n",
    );
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&env), "type": 1 }] }),
    );
    assert!(
        server.diagnostics(&path, 1).is_empty(),
        "re-published without the warning"
    );
    assert!(server.shutdown().success());
}

/// The literal-secret fix creates `.qwen/.env` and ignores it in git, for clients that can
/// create files; others are not offered a fix they cannot apply.
#[test]
fn literal_secret_fix_writes_the_dotenv_file() {
    let sandbox = Sandbox::new();
    let text = "{\n  \"$version\": 4,\n  \"env\": { \"MY_TOKEN\": \"sk-0123456789abcdef0123456789ab3f2a\" }\n}\n";
    let path = sandbox.write("proj/.qwen/settings.json", text);
    std::fs::create_dir_all(sandbox.path("proj/.git")).unwrap();
    for multi_file in [true, false] {
        let mut server = Server::spawn(&sandbox);
        let caps = if multi_file {
            json!({ "workspace": { "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create"] } } })
        } else {
            json!({})
        };
        server.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": caps }),
        );
        server.notify("initialized", json!({}));
        server.open(&path, text, 1);
        let diags = server.diagnostics(&path, 1);
        let secret = diags
            .iter()
            .find(|d| d["code"] == "literal-secret")
            .expect("literal-secret")
            .clone();
        let actions = server.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri(&path) }, "range": secret["range"], "context": { "diagnostics": [secret] } }),
        );
        let fix = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"].as_str().unwrap().starts_with("Move the key"));
        if !multi_file {
            assert!(
                fix.is_none(),
                "offered a multi-file fix to a client that cannot apply it"
            );
            continue;
        }
        let ops = fix.expect("fix")["edit"]["documentChanges"]
            .as_array()
            .unwrap()
            .clone();
        let text_of = serde_json::to_string(&ops).unwrap();
        assert!(!text_of.contains("\"changes\""));
        assert_eq!(ops[1]["kind"], "create");
        assert!(ops[1]["uri"].as_str().unwrap().ends_with("proj/.qwen/.env"));
        assert_eq!(
            ops[2]["edits"][0]["newText"],
            "MY_TOKEN=sk-0123456789abcdef0123456789ab3f2a\n"
        );
        assert!(
            ops[4]["textDocument"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("proj/.gitignore")
        );
        assert_eq!(ops[4]["edits"][0]["newText"], ".qwen/.env\n");
    }
}
