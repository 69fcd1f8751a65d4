//! The shipped Helix configuration (`editors/helix/languages.toml`), checked for what Helix needs,
//! since Helix itself is not installable here (not packaged for Debian 12). Field names and rules
//! follow Helix's `LanguageConfiguration` (helix-core/src/syntax/config.rs, which denies unknown
//! fields) and book/src/languages.md. The file is then replayed as Helix would use it: its glob
//! against paths, and the server started with its command and spoken to with its `language-id`
//! and Helix's position encodings.

mod common;

use common::{Sandbox, Server, codes, uri};
use serde_json::json;
use std::path::Path;
use toml::{Table, Value};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const LANGUAGE: &str = "qwen-settings";
const SERVER: &str = "qwen-settings-ls";

/// The keys a `[[language]]` table may have (Helix rejects any other).
const LANGUAGE_KEYS: &[&str] = &[
    "name",
    "language-id",
    "scope",
    "file-types",
    "shebangs",
    "roots",
    "comment-tokens",
    "comment-token",
    "block-comment-tokens",
    "text-width",
    "soft-wrap",
    "auto-format",
    "formatter",
    "path-completion",
    "word-completion",
    "diagnostic-severity",
    "grammar",
    "injection-regex",
    "language-servers",
    "indent",
    "debugger",
    "auto-pairs",
    "rulers",
    "workspace-lsp-roots",
    "persistent-diagnostic-sources",
];

/// The keys of a `[language-server.<name>]` table.
const SERVER_KEYS: &[&str] = &[
    "command",
    "args",
    "environment",
    "config",
    "timeout",
    "required-root-patterns",
];

fn config() -> Table {
    let path = Path::new(REPO).join("editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    text.parse::<Table>()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn language(config: &Table) -> &Table {
    let languages = config["language"].as_array().expect("[[language]] tables");
    let mine: Vec<&Table> = languages
        .iter()
        .filter_map(Value::as_table)
        .filter(|l| l.get("name").and_then(Value::as_str) == Some(LANGUAGE))
        .collect();
    assert_eq!(mine.len(), 1, "exactly one [[language]] named {LANGUAGE}");
    mine[0]
}

fn str_of<'a>(table: &'a Table, key: &str) -> &'a str {
    table
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("`{key}` must be a string"))
}

/// Helix's reading of a `{ glob = … }` file type: a glob that is neither absolute nor starts
/// with `*/` gets `*/` prepended, and is matched against the absolute path (globset defaults:
/// `*` also matches `/`).
fn helix_glob(glob: &str) -> String {
    if glob.starts_with('/') || glob.starts_with("*/") {
        glob.to_string()
    } else {
        format!("*/{glob}")
    }
}

fn glob_matches(glob: &str, path: &str) -> bool {
    assert!(
        !glob.contains(['?', '[', '{', '\\']),
        "only `*` is emulated here: {glob}"
    );
    let parts: Vec<&str> = glob.split('*').collect();
    let (first, rest) = parts.split_first().unwrap();
    let Some(mut tail) = path.strip_prefix(first) else {
        return false;
    };
    for (i, part) in rest.iter().enumerate() {
        if i == rest.len() - 1 {
            return tail.ends_with(part);
        }
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    tail.is_empty()
}

#[test]
fn the_language_server_is_defined_with_this_binary() {
    let config = config();
    let servers = config["language-server"].as_table().unwrap();
    let server = servers[SERVER]
        .as_table()
        .expect("[language-server.qwen-settings-ls]");
    for key in server.keys() {
        assert!(SERVER_KEYS.contains(&key.as_str()), "unknown key {key}");
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_qwen-settings-ls"));
    assert_eq!(
        str_of(server, "command"),
        binary.file_stem().unwrap().to_str().unwrap(),
        "the command is the name `cargo install` gives the binary"
    );
    if let Some(args) = server.get("args") {
        let args: Vec<_> = args.as_array().unwrap().iter().map(Value::as_str).collect();
        assert!(
            args.is_empty() || args == [Some("--stdio")],
            "the server takes no other argument: {args:?}"
        );
    }
}

#[test]
fn the_language_has_what_helix_requires_and_nothing_it_rejects() {
    let config = config();
    let lang = language(&config);
    for key in lang.keys() {
        assert!(
            LANGUAGE_KEYS.contains(&key.as_str()),
            "Helix rejects unknown key {key}"
        );
    }
    // Required by Helix: name, scope, file-types.
    assert_eq!(str_of(lang, "scope"), "source.qwen-settings");
    // Comments are allowed in the file (Qwen Code strips them), so the json grammar (which
    // parses comments) and the JSONC language id, which the server accepts along with `json`.
    assert_eq!(str_of(lang, "grammar"), "json");
    assert_eq!(str_of(lang, "language-id"), "jsonc");
    let comment = lang.get("comment-tokens").expect("comment-tokens");
    let comment: Vec<&str> = match comment {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        other => panic!("comment-tokens: {other}"),
    };
    assert_eq!(comment, ["//"]);
    let block = lang["block-comment-tokens"].as_table().unwrap();
    assert_eq!((str_of(block, "start"), str_of(block, "end")), ("/*", "*/"));
    let roots: Vec<_> = lang["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::as_str)
        .collect();
    assert!(roots.contains(&Some(".qwen")), "{roots:?}");
}

#[test]
fn the_language_uses_the_defined_server_and_only_defined_servers() {
    let config = config();
    let servers = config["language-server"].as_table().unwrap();
    let lang = language(&config);
    let names: Vec<&str> = lang["language-servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| match s {
            Value::String(name) => name.as_str(),
            Value::Table(t) => str_of(t, "name"),
            other => panic!("language-servers entry {other}"),
        })
        .collect();
    assert!(names.contains(&SERVER), "{names:?}");
    for name in names {
        assert!(
            servers.contains_key(name),
            "{name} is not defined in this file"
        );
    }
}

#[test]
fn the_glob_selects_only_settings_json_in_a_qwen_directory() {
    let config = config();
    let lang = language(&config);
    let file_types = lang["file-types"].as_array().unwrap();
    // A bare extension ("json") would take every JSON file away from Helix's json language.
    let globs: Vec<String> = file_types
        .iter()
        .map(|t| {
            let t = t.as_table().expect("only { glob = … } file types");
            assert_eq!(t.len(), 1, "{t}");
            helix_glob(str_of(t, "glob"))
        })
        .collect();
    assert_eq!(globs, ["*/.qwen/settings.json"]);
    let matches = |p: &str| globs.iter().any(|g| glob_matches(g, p));
    for yes in [
        "/home/me/.qwen/settings.json",
        "/work/project/.qwen/settings.json",
        "/work/a b/.qwen/settings.json",
    ] {
        assert!(matches(yes), "{yes} should be a {LANGUAGE} file");
    }
    for no in [
        "/work/project/settings.json",
        "/work/project/.vscode/settings.json",
        "/home/me/.config/Code/User/settings.json",
        "/work/project/.qwen/settings.json.orig",
        "/work/project/.qwen/other.json",
        "/work/project/not.qwen/settings.json",
        "/work/project/.qwen/nested/settings.json",
    ] {
        assert!(!matches(no), "{no} should not be a {LANGUAGE} file");
    }
}

#[test]
fn highlight_queries_exist_for_the_language_name() {
    // Helix looks queries up by language name, not grammar: without these files the language
    // has no highlighting. `; inherits:` must be the first line, with exactly one space.
    let dir = Path::new(REPO)
        .join("editors/helix/runtime/queries")
        .join(LANGUAGE);
    let highlights = std::fs::read_to_string(dir.join("highlights.scm")).unwrap();
    assert_eq!(highlights.lines().next(), Some("; inherits: jsonc"));
    let textobjects = std::fs::read_to_string(dir.join("textobjects.scm")).unwrap();
    assert_eq!(textobjects.lines().next(), Some("; inherits: json"));
}

#[test]
fn the_readme_snippet_is_the_shipped_configuration() {
    let readme = std::fs::read_to_string(Path::new(REPO).join("README.md")).unwrap();
    let section = readme
        .split("\n### Helix")
        .nth(1)
        .expect("README has a ### Helix section");
    let block = section
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a toml block in the Helix section");
    let snippet: Table = block.parse().expect("README Helix snippet is valid TOML");
    let shipped = config();
    assert_eq!(
        snippet["language-server"][SERVER], shipped["language-server"][SERVER],
        "README and editors/helix/languages.toml define the server alike"
    );
    assert_eq!(language(&snippet), language(&shipped));
}

/// What Helix does with the file: start `command`, offer its encodings (UTF-8 first), open a
/// matching file with `language-id`, and get the diagnostics.
#[test]
fn the_server_answers_helix_as_configured() {
    let config = config();
    let lang = language(&config);
    let sandbox = Sandbox::new();
    let text =
        "{\n  \"$version\": 4,\n  \"modelProviders\": { \"opneai\": [{ \"id\": \"m\" }] },\n}\n";
    let path = sandbox.write("project/.qwen/settings.json", text);
    assert!(glob_matches(
        &helix_glob(".qwen/settings.json"),
        path.to_str().unwrap()
    ));
    let mut server = Server::spawn(&sandbox);
    let init = server.initialize_with(&["utf-8", "utf-32", "utf-16"], json!(null));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": uri(&path),
            "languageId": str_of(lang, "language-id"),
            "version": 1,
            "text": text,
        } }),
    );
    let diags = server.diagnostics(&path, 1);
    let got = codes(&diags);
    assert!(got.contains(&("trailing-comma".to_string(), 2)), "{got:?}");
    assert!(
        got.iter()
            .any(|(code, line)| code == "unknown-protocol-key" && *line == 2),
        "{got:?}"
    );
    assert!(server.shutdown().success());
}
