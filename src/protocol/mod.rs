//! Protocol layer: the language server. The only module that knows LSP types, URIs and tokio.
//!
//! Ordering is correct by construction: the server runs one handler at a time
//! (`concurrency_level(1)`), and every handler that changes a document does so synchronously,
//! before its first `.await`. Analysis runs on a worker task that always takes the newest text
//! and publishes only results whose version is still current.

mod convert;
mod documents;
mod transport;

use crate::model::Environment;
use crate::text::Encoding;
use crate::workspace::Locations;
use documents::Documents;
use std::sync::{Arc, OnceLock};
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService};

struct Backend {
    client: Client,
    docs: Arc<Documents>,
    encoding: Arc<OnceLock<Encoding>>,
    wake: Arc<Notify>,
    /// Client accepts completion snippets.
    snippets: std::sync::atomic::AtomicBool,
    /// Offer generic catalog completion and hover (`completion.generic` option).
    generic: std::sync::atomic::AtomicBool,
    /// The client can watch files for us (`workspace/didChangeWatchedFiles` registration).
    watch: std::sync::atomic::AtomicBool,
    /// The client applies `documentChanges` that create files (for fixes writing `.qwen/.env`).
    multi_file: std::sync::atomic::AtomicBool,
}

impl Backend {
    fn encoding(&self) -> Encoding {
        *self.encoding.get().unwrap_or(&Encoding::Utf16)
    }
}

/// UTF-8 when the client offers it, else UTF-16 (the LSP default, and all VS Code accepts).
fn negotiate(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_deref())
        .unwrap_or(&[]);
    if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

/// Runs a request's computation so that a panic becomes an InternalError reply and the server
/// goes on serving (document state is only changed under its lock, never here).
fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    if fault_injected(what) {
        return std::panic::catch_unwind(|| panic!("injected fault in {what}"))
            .map_err(|_| internal_error(what));
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| internal_error(what))
}

fn internal_error(what: &str) -> tower_lsp_server::jsonrpc::Error {
    tracing::error!("{what} failed with a panic; the server goes on");
    tower_lsp_server::jsonrpc::Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
        message: format!("internal error in {what}").into(),
        data: None,
    }
}

/// `QWEN_SETTINGS_LS_FAULT=<handler>` makes that handler panic: for testing isolation only.
fn fault_injected(what: &str) -> bool {
    static FAULT: OnceLock<Option<String>> = OnceLock::new();
    FAULT
        .get_or_init(|| std::env::var("QWEN_SETTINGS_LS_FAULT").ok())
        .as_deref()
        == Some(what)
}

/// The `completion.generic` option, if given.
fn generic_option(options: &serde_json::Value) -> Option<bool> {
    let options = options.get("qwenSettings").unwrap_or(options);
    options.get("completion")?.get("generic")?.as_bool()
}

/// Reads the server options (`initializationOptions`, or the `qwenSettings` section of
/// `workspace/didChangeConfiguration`): `{ "rules": { "<code>": "off" | "error" | … } }`.
/// Unknown codes and levels are logged and ignored.
fn rule_config(options: &serde_json::Value) -> crate::analysis::RuleConfig {
    let options = options.get("qwenSettings").unwrap_or(options);
    let mut config = crate::analysis::RuleConfig::default();
    if let Some(rules) = options.get("rules").and_then(|r| r.as_object()) {
        for (code, level) in rules {
            let level = level.as_str().unwrap_or_default();
            if let Err(e) = config.set(code, level) {
                tracing::warn!("ignoring server option: {e}");
            }
        }
    }
    config
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        if let Some(options) = &params.initialization_options {
            self.docs.set_rules(rule_config(options));
            if let Some(g) = generic_option(options) {
                self.generic.store(g, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let snippets = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false);
        self.snippets
            .store(snippets, std::sync::atomic::Ordering::Relaxed);
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.watch
            .store(watch, std::sync::atomic::Ordering::Relaxed);
        let multi_file = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .is_some_and(|w| {
                w.document_changes == Some(true)
                    && w.resource_operations
                        .as_ref()
                        .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create))
            });
        self.multi_file
            .store(multi_file, std::sync::atomic::Ordering::Relaxed);
        let enc = negotiate(&params);
        let enc = *self.encoding.get_or_init(|| enc);
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(convert::encoding_kind(enc)),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..Default::default()
                    },
                )),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["\"".into(), ":".into()]),
                    ..Default::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::REFACTOR_REWRITE,
                        ]),
                        ..Default::default()
                    },
                )),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: crate::NAME.to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if !self.watch.load(std::sync::atomic::Ordering::Relaxed) {
            return; // re-read on open and save instead
        }
        // The files every analysis reads besides the open ones: .env files and settings scopes.
        let mut globs = vec![
            "**/.env".to_string(),
            "**/.qwen/.env".to_string(),
            "**/.qwen/settings.json".to_string(),
        ];
        let loc = &self.docs.locations;
        for path in [
            loc.user.clone(),
            Some(loc.system.clone()),
            Some(loc.system_defaults.clone()),
        ]
        .into_iter()
        .flatten()
        .chain(loc.qwen_dir.iter().map(|d| d.join(".env")))
        .chain(loc.home.iter().map(|h| h.join(".env")))
        {
            globs.push(path.display().to_string());
        }
        let watchers = globs
            .into_iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "qwen-settings-ls/watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        // Never await a client request inside a handler: the reply is read by the same loop.
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(e) = client.register_capability(vec![registration]).await {
                tracing::warn!("the client refused file watching: {e}");
            }
        });
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        self.docs.touch_all();
        self.wake.notify_one();
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if params.settings.is_object() {
            if let Some(g) = generic_option(&params.settings) {
                self.generic.store(g, std::sync::atomic::Ordering::Relaxed);
            }
            self.docs.set_rules(rule_config(&params.settings));
            self.wake.notify_one();
        }
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.docs.open(doc.uri, &doc.text, doc.version);
        self.wake.notify_one();
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let changes = params
            .content_changes
            .into_iter()
            .map(convert::change)
            .collect();
        let doc = params.text_document;
        self.docs
            .change(&doc.uri, changes, doc.version, self.encoding());
        self.wake.notify_one();
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let analysed = self.docs.close(&uri);
        self.wake.notify_one();
        if analysed {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        // Other open files may read this one from disk now.
        self.docs.touch_all();
        self.wake.notify_one();
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let enc = self.encoding();
        let Some(analysis) = guard("analysis", || self.docs.current(&pos.text_document.uri))?
        else {
            return Ok(None);
        };
        let offset = crate::text::LineIndex::new(&analysis.rope).offset(
            crate::text::Position {
                line: pos.position.line,
                character: pos.position.character,
            },
            enc,
        );
        let options = crate::analysis::completion::Options {
            snippets: self.snippets.load(std::sync::atomic::Ordering::Relaxed),
            generic: self.generic.load(std::sync::atomic::Ordering::Relaxed),
        };
        let items = guard("completion", || {
            crate::analysis::completion::complete(&analysis.chain, offset, options)
                .iter()
                .map(|c| convert::completion(c, &analysis.rope, enc))
                .collect()
        })?;
        Ok(Some(CompletionResponse::Array(items)))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let enc = self.encoding();
        let Some(analysis) = guard("analysis", || self.docs.current(&pos.text_document.uri))?
        else {
            return Ok(None);
        };
        let index = crate::text::LineIndex::new(&analysis.rope);
        let offset = index.offset(
            crate::text::Position {
                line: pos.position.line,
                character: pos.position.character,
            },
            enc,
        );
        let generic = self.generic.load(std::sync::atomic::Ordering::Relaxed);
        let hover = guard("hover", || {
            crate::analysis::hover::hover(&analysis.chain, offset, generic)
        })?;
        Ok(hover.map(|h| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: h.markdown,
            }),
            range: Some(convert::range(index.range(h.range, enc))),
        }))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(analysis) = guard("analysis", || self.docs.current(&params.text_document.uri))?
        else {
            return Ok(None);
        };
        let enc = self.encoding();
        let file = &analysis.chain.files[analysis.chain.target];
        let symbols = guard("documentSymbol", || {
            crate::analysis::outline::symbols(&file.parse)
                .iter()
                .map(|s| convert::symbol(s, &analysis.rope, enc))
                .collect()
        })?;
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(analysis) = guard("analysis", || self.docs.current(&params.text_document.uri))?
        else {
            return Ok(None);
        };
        let file = &analysis.chain.files[analysis.chain.target];
        Ok(Some(convert::folding(
            &crate::analysis::outline::folding(&file.parse),
            &analysis.rope,
        )))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let enc = self.encoding();
        let Some(analysis) = guard("analysis", || self.docs.current(&uri))? else {
            return Ok(None);
        };
        let index = crate::text::LineIndex::new(&analysis.rope);
        let want = convert::from_range(params.range);
        let start = index.offset(want.start, enc);
        let end = index.offset(want.end, enc);
        let actions = guard("codeAction", || {
            let mut actions = Vec::new();
            let mut touching: Vec<_> = analysis
                .diagnostics()
                .iter()
                .filter(|d| d.range.start <= end && start <= d.range.end && !d.fixes.is_empty())
                .cloned()
                .collect();
            // Only now, and only for these: in a broken file, drop fixes that would make it worse.
            crate::analysis::verify_fixes(&analysis.chain, &mut touching);
            for d in &touching {
                if d.fixes.is_empty() {
                    continue;
                }
                let lsp_diag = convert::diagnostic(d, &analysis.chain, &analysis.rope, &uri, enc);
                actions.extend(convert::code_actions(
                    d,
                    &lsp_diag,
                    &analysis.rope,
                    &uri,
                    enc,
                    self.multi_file.load(std::sync::atomic::Ordering::Relaxed),
                ));
            }
            for assist in crate::analysis::assists::assists(&analysis.chain, start..end) {
                actions.push(convert::assist(&assist, &analysis.rope, &uri, enc));
            }
            actions
        })?;
        Ok(Some(actions))
    }
}

/// Re-analyses dirty documents whenever woken, publishing only current results.
async fn worker(
    client: Client,
    docs: Arc<Documents>,
    encoding: Arc<OnceLock<Encoding>>,
    wake: Arc<Notify>,
) {
    loop {
        wake.notified().await;
        loop {
            let dirty = docs.take_dirty();
            if dirty.is_empty() {
                break;
            }
            for uri in dirty {
                let docs2 = docs.clone();
                let enc = *encoding.get().unwrap_or(&Encoding::Utf16);
                let uri2 = uri.clone();
                // The tree and chain are stored first (requests can use them at once), then the
                // rules run; a version superseded meanwhile is not published.
                let Ok(done) = tokio::task::spawn_blocking(move || {
                    let analysis = docs2.current(&uri2)?;
                    let diagnostics: Vec<_> = analysis
                        .diagnostics()
                        .iter()
                        .map(|d| {
                            convert::diagnostic(d, &analysis.chain, &analysis.rope, &uri2, enc)
                        })
                        .collect();
                    docs2
                        .is_current(&uri2, analysis.version)
                        .then_some((analysis, diagnostics))
                })
                .await
                else {
                    tracing::error!("analysis panicked");
                    continue;
                };
                let Some((analysis, diagnostics)) = done else {
                    continue; // superseded while it ran
                };
                let version = analysis.version;
                // Let go of it before waiting on the client: the next analysis reuses its tree
                // only if nothing else holds it.
                drop(analysis);
                client
                    .publish_diagnostics(uri, diagnostics, Some(version))
                    .await;
            }
        }
    }
}

/// One malloc arena for the whole process. glibc gives each thread that allocates its own arena
/// and keeps freed memory in each, so a tree built on one thread and freed on another makes the
/// resident size grow with the number of threads; with one arena the server holds about one
/// document's worth (1 MB document: 64 → 26 MiB peak).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before any other thread
    // exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Serves LSP on stdin/stdout until the client sends `exit`.
pub fn run_stdio() -> std::process::ExitCode {
    limit_malloc_arenas();
    // One thread runs the protocol (handlers already run one at a time); analyses run on the
    // blocking pool and rules on rayon's. A multi-threaded scheduler would add threads and
    // pull in the dynamic libm (its statistics use `powf`): ~0.6 MiB of resident memory.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the server runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let status = runtime.block_on(async {
        let env = Environment::from_process(true);
        let cwd = std::env::current_dir().unwrap_or_default();
        let locations = Locations::new(&env, &cwd);
        let docs = Arc::new(Documents::new(env, locations));
        let encoding = Arc::new(OnceLock::new());
        let wake = Arc::new(Notify::new());
        let (service, socket) = LspService::new(|client| {
            tokio::spawn(worker(
                client.clone(),
                docs.clone(),
                encoding.clone(),
                wake.clone(),
            ));
            Backend {
                client,
                docs,
                encoding,
                wake,
                snippets: std::sync::atomic::AtomicBool::new(false),
                generic: std::sync::atomic::AtomicBool::new(true),
                watch: std::sync::atomic::AtomicBool::new(false),
                multi_file: std::sync::atomic::AtomicBool::new(false),
            }
        });
        transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket).await
    });
    // Exit at once: a thread blocked reading stdin must not keep the process alive.
    std::process::exit(i32::from(status))
}
