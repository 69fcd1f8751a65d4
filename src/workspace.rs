//! Where Qwen Code's settings files live, and building a [`Chain`] from disk.
//!
//! Shared by the CLI and the server; the only module besides them that touches the file system.
//! Locations follow `shared/reference/qwen-code.md` §1.1 (Linux paths).

use crate::model::{Chain, Environment, ScopeKind, SettingsFile};
use std::path::{Component, Path, PathBuf};

/// Largest settings file read from disk for the other scopes of a chain.
const MAX_SCOPE_FILE: u64 = 64 * 1024 * 1024;

/// The scope files' locations for one environment.
#[derive(Clone, Debug)]
pub struct Locations {
    pub user: Option<PathBuf>,
    pub system: PathBuf,
    pub system_defaults: PathBuf,
}

impl Locations {
    /// `cwd` resolves a relative `QWEN_HOME`, as the CLI does from its start directory.
    pub fn new(env: &Environment, cwd: &Path) -> Self {
        let home = env.home().map(PathBuf::from);
        let qwen_home = env.exported("QWEN_HOME").map(|q| {
            let expanded = match (q.strip_prefix('~'), &home) {
                (Some(rest), Some(h)) => h.join(rest.trim_start_matches('/')),
                _ => PathBuf::from(q),
            };
            normalize(&cwd.join(expanded))
        });
        let user = qwen_home
            .or_else(|| home.map(|h| h.join(".qwen")))
            .map(|d| d.join("settings.json"));
        Self {
            user,
            system: env.exported("QWEN_CODE_SYSTEM_SETTINGS_PATH").map_or_else(
                || PathBuf::from("/etc/qwen-code/settings.json"),
                PathBuf::from,
            ),
            system_defaults: env.exported("QWEN_CODE_SYSTEM_DEFAULTS_PATH").map_or_else(
                || PathBuf::from("/etc/qwen-code/system-defaults.json"),
                PathBuf::from,
            ),
        }
    }

    /// The scope of a Qwen settings file, or `None` for any other file.
    pub fn classify(&self, path: &Path) -> Option<ScopeKind> {
        let same = |a: &Path, b: &Path| same_file(a, b);
        if self.user.as_deref().is_some_and(|u| same(u, path)) {
            Some(ScopeKind::User)
        } else if same(&self.system, path) {
            Some(ScopeKind::System)
        } else if same(&self.system_defaults, path) {
            Some(ScopeKind::SystemDefaults)
        } else if is_workspace_settings(path) {
            Some(ScopeKind::Workspace)
        } else {
            None
        }
    }

    /// The chain the CLI merges for `target`: the target plus the scopes it is analysed with
    /// (a workspace file with the system defaults, user and system files; the user file with the
    /// system ones). `read` supplies other files' text (open editor buffers first, then disk).
    pub fn chain(
        &self,
        target: SettingsFile,
        env: Environment,
        read: &dyn Fn(&Path) -> Option<String>,
    ) -> Chain {
        let mut files = Vec::new();
        let mut add = |kind: ScopeKind, path: &Path| {
            if !same_file(path, &target.path)
                && let Some(text) = read(path)
            {
                files.push(SettingsFile::new(kind, path, text));
            }
        };
        match target.kind {
            ScopeKind::Workspace => {
                add(ScopeKind::SystemDefaults, &self.system_defaults);
                if let Some(user) = &self.user {
                    add(ScopeKind::User, user);
                }
                add(ScopeKind::System, &self.system);
            }
            ScopeKind::User => {
                add(ScopeKind::SystemDefaults, &self.system_defaults);
                add(ScopeKind::System, &self.system);
            }
            ScopeKind::System => add(ScopeKind::SystemDefaults, &self.system_defaults),
            ScopeKind::SystemDefaults => {}
        }
        files.push(target);
        Chain {
            target: files.len() - 1,
            files,
            env,
        }
    }
}

/// Reads a settings file from disk: `None` when missing, unreadable, too large or not UTF-8.
pub fn read_settings(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_SCOPE_FILE {
        return None;
    }
    String::from_utf8(std::fs::read(path).ok()?).ok()
}

/// `…/.qwen/settings.json`.
pub fn is_workspace_settings(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "settings.json")
        && path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == ".qwen")
}

/// The nearest `.qwen/settings.json` from `dir` upwards.
pub fn find_workspace_settings(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(".qwen").join("settings.json"))
        .find(|p| p.is_file())
}

fn same_file(a: &Path, b: &Path) -> bool {
    if normalize(a) == normalize(b) {
        return true;
    }
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Removes `.` and resolves `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            in_editor: false,
        }
    }

    #[test]
    fn classifies_scopes() {
        let loc = Locations::new(&env(&[("HOME", "/home/u")]), Path::new("/home/u/p"));
        assert_eq!(
            loc.classify(Path::new("/home/u/.qwen/settings.json")),
            Some(ScopeKind::User)
        );
        assert_eq!(
            loc.classify(Path::new("/home/u/p/.qwen/settings.json")),
            Some(ScopeKind::Workspace)
        );
        assert_eq!(
            loc.classify(Path::new("/etc/qwen-code/settings.json")),
            Some(ScopeKind::System)
        );
        assert_eq!(loc.classify(Path::new("/home/u/p/settings.json")), None);
        let loc = Locations::new(
            &env(&[("HOME", "/home/u"), ("QWEN_HOME", "~/cfg")]),
            Path::new("/x"),
        );
        assert_eq!(
            loc.user.as_deref(),
            Some(Path::new("/home/u/cfg/settings.json"))
        );
        let loc = Locations::new(
            &env(&[("HOME", "/home/u"), ("QWEN_HOME", "rel/../q")]),
            Path::new("/x"),
        );
        assert_eq!(loc.user.as_deref(), Some(Path::new("/x/q/settings.json")));
        let loc = Locations::new(
            &env(&[("HOME", "/home/u"), ("QWEN_HOME", "")]),
            Path::new("/x"),
        );
        assert_eq!(
            loc.user.as_deref(),
            Some(Path::new("/home/u/.qwen/settings.json"))
        );
    }
}
