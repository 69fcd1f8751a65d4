//! The open documents and their latest analysis.
//!
//! Edits are applied synchronously, under one lock, in the order the notifications arrive
//! (the server runs handlers one at a time). Analysis happens off the handler, on the newest
//! text only: a burst of edits is coalesced, and a result is published only if its version is
//! still the document's version, so no stale diagnostics ever reach the client.

use crate::analysis::{self, Diagnostic, RuleConfig};
use crate::model::{Chain, Environment, ScopeKind, SettingsFile};
use crate::syntax::{self, Parse};
use crate::text::{Change, Changed, Document, Encoding};
use crate::workspace::{Locations, read_settings};
use ropey::Rope;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use tower_lsp_server::ls_types::Uri;

/// One version of a document, understood: its text, tree and settings chain at once (what
/// completion and hover need), its diagnostics when first asked for (the rules take longer).
pub struct Analysis {
    pub version: i32,
    /// The snapshot it was made from.
    seq: u64,
    pub rope: Rope,
    pub chain: Chain,
    rules: RuleConfig,
    diagnostics: OnceLock<Vec<Diagnostic>>,
}

impl Analysis {
    /// The diagnostics, computed by the first caller (others wait for that one).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.diagnostics.get_or_init(|| {
            let mut diagnostics = analysis::analyze_unverified(&self.chain);
            self.rules.apply(&mut diagnostics);
            diagnostics
        })
    }
}

struct Doc {
    document: Document,
    path: Option<PathBuf>,
    kind: Option<ScopeKind>,
    /// The analysis of the current version, once there is one.
    analysis: Option<Arc<Analysis>>,
    /// The analysis of the last snapshot taken (number `seq`), whatever its version: the next
    /// analysis starts from its text and tree and re-parses only what changed since.
    base: Option<Arc<Analysis>>,
    seq: u64,
}

#[derive(Default)]
struct Inner {
    docs: HashMap<Uri, Doc>,
    dirty: HashSet<Uri>,
}

/// What the analysis of one document needs, taken under the lock.
struct Snapshot {
    version: i32,
    rope: Rope,
    path: PathBuf,
    kind: ScopeKind,
    seq: u64,
    /// The previous snapshot's analysis, and what changed in the text since.
    base: Option<Arc<Analysis>>,
    changed: Option<Changed>,
    /// Open documents' text by path, so that unsaved edits of other scopes count.
    open: HashMap<PathBuf, Rope>,
}

pub struct Documents {
    inner: Mutex<Inner>,
    /// Held while an analysis runs: at most one syntax tree is being built at a time, and a
    /// request that needs the current analysis waits for the worker's instead of building its
    /// own (memory stays near one document's worth).
    analysing: Mutex<()>,
    rules: Mutex<RuleConfig>,
    pub env: Environment,
    pub locations: Locations,
}

impl Documents {
    pub fn new(env: Environment, locations: Locations) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            analysing: Mutex::new(()),
            rules: Mutex::new(RuleConfig::default()),
            env,
            locations,
        }
    }

    /// Replaces the rule configuration and schedules every document for re-analysis.
    pub fn set_rules(&self, rules: RuleConfig) {
        *self.rules.lock().unwrap_or_else(|e| e.into_inner()) = rules;
        self.touch_all();
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere never leaves the map half-updated: recover the guard.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn open(&self, uri: Uri, text: &str, version: i32) {
        let path = uri.to_file_path().map(|p| p.into_owned());
        let kind = path.as_deref().and_then(|p| self.locations.classify(p));
        let mut inner = self.lock();
        inner.docs.insert(
            uri.clone(),
            Doc {
                document: Document::new(text, version),
                path,
                kind,
                analysis: None,
                base: None,
                seq: 0,
            },
        );
        mark_dirty(&mut inner, &uri);
    }

    pub fn change(&self, uri: &Uri, changes: Vec<Change>, version: i32, enc: Encoding) {
        let mut inner = self.lock();
        let Some(doc) = inner.docs.get_mut(uri) else {
            tracing::warn!("didChange for a document that is not open");
            return;
        };
        if version <= doc.document.version() {
            tracing::error!(
                "didChange out of order: version {version} after {}",
                doc.document.version()
            );
        }
        // A panic while editing must not take the server down; the document then holds
        // whatever the rope holds, and the next full-text change repairs it.
        let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            doc.document.apply(changes, version, enc);
        }));
        if applied.is_err() {
            tracing::error!("applying a change panicked; the document may be out of sync");
        }
        // The old analysis is stale: free its tree now rather than after the next one is built.
        doc.analysis = None;
        mark_dirty(&mut inner, uri);
    }

    /// Closes a document; returns whether it was one this server analyses.
    pub fn close(&self, uri: &Uri) -> bool {
        let mut inner = self.lock();
        inner.dirty.remove(uri);
        let kind = inner.docs.remove(uri).and_then(|d| d.kind);
        if kind.is_some_and(|k| k != ScopeKind::Workspace) {
            // other files may have depended on its unsaved text: now the disk copy counts
            let others: Vec<Uri> = inner.docs.keys().cloned().collect();
            for other in others {
                invalidate(&mut inner, &other);
            }
        }
        kind.is_some()
    }

    /// Marks every open settings document for re-analysis (e.g. a scope file changed on disk).
    pub fn touch_all(&self) {
        let mut inner = self.lock();
        let all: Vec<Uri> = inner.docs.keys().cloned().collect();
        for uri in all {
            mark_dirty(&mut inner, &uri);
        }
    }

    /// Takes the documents waiting for analysis. The worker analyses each with [`current`]:
    /// the text is taken only once the analysis may start (under the one-at-a-time lock), so a
    /// request arriving meanwhile waits for that analysis instead of building a second tree
    /// beside it, and a version edited again meanwhile is skipped for the newest.
    ///
    /// [`current`]: Documents::current
    pub fn take_dirty(&self) -> Vec<Uri> {
        self.lock().dirty.drain().collect()
    }

    fn analyze_now(&self, snap: Snapshot) -> Analysis {
        let (text, parse) = text_and_tree(snap.base, snap.changed, &snap.rope);
        let target = SettingsFile::with_parse(snap.kind, snap.path.clone(), text, parse);
        let read = |p: &Path| match snap.open.get(p) {
            Some(rope) => Some(crate::text::rope_text(rope)),
            None => read_settings(p),
        };
        let chain = self.locations.chain(target, self.env.clone(), &read);
        let rules = self.rules.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Analysis {
            version: snap.version,
            seq: snap.seq,
            rope: snap.rope,
            chain,
            rules,
            diagnostics: OnceLock::new(),
        }
    }

    /// Stores `analysis` if it is still current; returns it for publishing, else `None`.
    pub fn store(&self, uri: &Uri, analysis: Analysis) -> Option<Arc<Analysis>> {
        let mut inner = self.lock();
        let doc = inner.docs.get_mut(uri)?;
        let analysis = Arc::new(analysis);
        if doc.seq == analysis.seq {
            doc.base = Some(analysis.clone());
        }
        if doc.document.version() != analysis.version {
            return None; // superseded: a newer version is already queued
        }
        doc.analysis = Some(analysis.clone());
        Some(analysis)
    }

    /// The analysis of the current version, computing it now if the worker has not yet.
    pub fn current(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        if let Some(a) = self.stored_current(uri) {
            return Some(a);
        }
        // Wait for an analysis in progress (most likely of this very version), then look again.
        let _one_at_a_time = self.analysing.lock().unwrap_or_else(|e| e.into_inner());
        let snap = {
            let mut inner = self.lock();
            let open = inner
                .docs
                .values()
                .filter_map(|d| Some((d.path.clone()?, d.document.rope().clone())))
                .collect();
            let doc = inner.docs.get_mut(uri)?;
            if let Some(a) = &doc.analysis
                && a.version == doc.document.version()
            {
                return Some(a.clone());
            }
            snapshot(doc, open)?
        };
        let analysis = self.analyze_now(snap);
        // Keep it for the next request if the document has not moved on meanwhile.
        let stored = self.store(uri, analysis);
        if stored.is_none() {
            // superseded already: analyse the newest text instead
            return self.stored_current(uri);
        }
        stored
    }

    /// Whether `version` is still the version of `uri`.
    pub fn is_current(&self, uri: &Uri, version: i32) -> bool {
        self.lock()
            .docs
            .get(uri)
            .is_some_and(|d| d.document.version() == version)
    }

    fn stored_current(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        let inner = self.lock();
        let doc = inner.docs.get(uri)?;
        doc.analysis
            .as_ref()
            .filter(|a| a.version == doc.document.version())
            .cloned()
    }
}

/// Takes what the analysis of `doc`'s current text needs; the document's base moves into it.
fn snapshot(doc: &mut Doc, open: HashMap<PathBuf, Rope>) -> Option<Snapshot> {
    let path = doc.path.clone()?;
    let kind = doc.kind?;
    doc.seq += 1;
    Some(Snapshot {
        version: doc.document.version(),
        rope: doc.document.rope().clone(),
        path,
        kind,
        seq: doc.seq,
        base: doc.base.take(),
        changed: doc.document.take_changed(),
        open,
    })
}

/// The text of `rope` and its tree, from the previous analysis `base` and what `changed` since
/// when possible: the old text is patched where it changed (no full copy of the rope) and only
/// the edited region is parsed again.
fn text_and_tree(
    base: Option<Arc<Analysis>>,
    changed: Option<Changed>,
    rope: &Rope,
) -> (String, Parse) {
    // The base is reusable only if nothing else holds it (e.g. a request still reading it).
    let old = base
        .and_then(|a| Arc::try_unwrap(a).ok())
        .and_then(|a| a.chain.into_target());
    match (old, changed) {
        (Some(file), None) => (file.text, file.parse),
        (Some(file), Some(Changed::Range(edit))) => {
            let mut text = file.text;
            if crate::text::patch(&mut text, rope, &edit) {
                let parse = syntax::reparse(Some(file.parse), &text, Some(Changed::Range(edit)));
                if cfg!(debug_assertions) && text.len() < 1 << 20 {
                    debug_assert_eq!(text, rope.to_string(), "patched text differs");
                    debug_assert!(parse == syntax::parse(&text), "re-parse differs");
                }
                return (text, parse);
            }
            drop((text, file.parse));
            let text = crate::text::rope_text(rope);
            let parse = syntax::parse(&text);
            (text, parse)
        }
        _ => {
            let text = crate::text::rope_text(rope);
            let parse = syntax::parse(&text);
            (text, parse)
        }
    }
}

/// Schedules `uri` for analysis and forgets its stored analysis, which is stale even when the
/// version is not (another file of its chain changed).
fn invalidate(inner: &mut Inner, uri: &Uri) {
    if let Some(doc) = inner.docs.get_mut(uri)
        && doc.kind.is_some()
    {
        doc.analysis = None;
        inner.dirty.insert(uri.clone());
    }
}

fn mark_dirty(inner: &mut Inner, uri: &Uri) {
    let kind = inner.docs.get(uri).and_then(|d| d.kind);
    invalidate(inner, uri);
    if kind == Some(ScopeKind::Workspace) {
        return;
    }
    // A user or system file changes what the other open settings files mean.
    let others: Vec<Uri> = inner
        .docs
        .iter()
        .filter(|(u, d)| *u != uri && d.kind.is_some())
        .map(|(u, _)| u.clone())
        .collect();
    for other in others {
        invalidate(inner, &other);
    }
}
