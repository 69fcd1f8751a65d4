//! Where Qwen Code's settings files live, and building a [`Chain`] from disk.
//!
//! Shared by the CLI and the server; the only module besides them that touches the file system.
//! Locations follow `shared/reference/qwen-code.md` §1.1 (Linux paths).

use crate::model::{Chain, EnvFile, Environment, ScopeKind, SecretStore, SettingsFile};
use std::path::{Component, Path, PathBuf};

/// Largest settings file read from disk for the other scopes of a chain.
const MAX_SCOPE_FILE: u64 = 64 * 1024 * 1024;
/// Largest `.env` file read; a larger one is treated as absent.
const MAX_DOTENV_FILE: u64 = 16 * 1024 * 1024;

/// The scope files' locations for one environment.
#[derive(Clone, Debug)]
pub struct Locations {
    pub home: Option<PathBuf>,
    /// `$QWEN_HOME`, else `~/.qwen`.
    pub qwen_dir: Option<PathBuf>,
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
        let qwen_dir = qwen_home.or_else(|| home.as_ref().map(|h| h.join(".qwen")));
        let user = qwen_dir.as_ref().map(|d| d.join("settings.json"));
        Self {
            home,
            qwen_dir,
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
        let project = match target.kind {
            ScopeKind::Workspace => project_dir(&target.path),
            _ => None,
        };
        let (dotenv, shadowed_dotenv) = self.dotenv(project.as_deref());
        let secret_store = match (target.kind, &project) {
            (ScopeKind::Workspace, Some(dir)) => {
                let env_path = dir.join(".qwen").join(".env");
                let gitignore = dir.join(".git").exists().then(|| {
                    let path = dir.join(".gitignore");
                    let text = read_dotenv(&path);
                    (path, text)
                });
                Some(SecretStore {
                    env_text: read_dotenv(&env_path),
                    env_path,
                    gitignore,
                })
            }
            (ScopeKind::User, _) => self.qwen_dir.as_ref().map(|d| {
                let env_path = d.join(".env");
                SecretStore {
                    env_text: read_dotenv(&env_path),
                    env_path,
                    gitignore: None,
                }
            }),
            _ => None,
        };
        files.push(target);
        Chain {
            target: files.len() - 1,
            files,
            env,
            dotenv,
            shadowed_dotenv,
            secret_store,
        }
    }

    /// The `.env` files the CLI loads for a project (qwen-code.md §5.3): walking up from the
    /// project, the first directory with `.qwen/.env` or `.env` gives one file (`.qwen/.env`
    /// preferred; a `.env` beside it is then shadowed); then `$QWEN_HOME/.env` or
    /// `~/.qwen/.env`, and `~/.env`.
    pub fn dotenv(&self, project: Option<&Path>) -> (Vec<EnvFile>, Option<PathBuf>) {
        let (files, shadowed, _) = self.dotenv_with_skipped(project);
        (files, shadowed)
    }

    /// [`Locations::dotenv`], plus the files that exist but were not read, with why.
    pub fn dotenv_with_skipped(
        &self,
        project: Option<&Path>,
    ) -> (Vec<EnvFile>, Option<PathBuf>, Vec<(PathBuf, String)>) {
        let mut files: Vec<EnvFile> = Vec::new();
        let mut shadowed = None;
        let skipped = std::cell::RefCell::new(Vec::new());
        let add = |path: PathBuf, project: bool, files: &mut Vec<EnvFile>| {
            if files.iter().any(|f| same_file(&f.path, &path)) {
                return;
            }
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() && meta.len() > MAX_DOTENV_FILE => {
                    skipped.borrow_mut().push((
                        path,
                        format!(
                            "{} MiB, over the {} MiB this tool reads",
                            meta.len() >> 20,
                            MAX_DOTENV_FILE >> 20
                        ),
                    ));
                    return;
                }
                _ => {}
            }
            if let Some(text) = read_dotenv(&path) {
                files.push(EnvFile::new(path, project, &text));
            }
        };
        if let Some(project) = project {
            for dir in project.ancestors() {
                let qwen_env = dir.join(".qwen").join(".env");
                let plain = dir.join(".env");
                if qwen_env.is_file() {
                    if plain.is_file() {
                        shadowed = Some(plain);
                    }
                    add(qwen_env, true, &mut files);
                    break;
                }
                if plain.is_file() {
                    add(plain, true, &mut files);
                    break;
                }
            }
        }
        if let Some(dir) = &self.qwen_dir {
            add(dir.join(".env"), false, &mut files);
        }
        if let Some(home) = &self.home {
            add(home.join(".env"), false, &mut files);
        }
        (files, shadowed, skipped.into_inner())
    }
}

/// The project a settings file belongs to: the directory holding its `.qwen` directory, or
/// the file's own directory for a settings file elsewhere.
pub fn project_dir(settings: &Path) -> Option<PathBuf> {
    let parent = settings.parent()?;
    if parent.file_name().is_some_and(|n| n == ".qwen") {
        parent.parent().map(Path::to_path_buf)
    } else {
        Some(parent.to_path_buf())
    }
}

/// Reads a `.env` file as dotenv does (invalid UTF-8 replaced); `None` when missing, not a
/// regular file (or a symlink loop), or too large.
fn read_dotenv(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_DOTENV_FILE {
        return None;
    }
    Some(String::from_utf8_lossy(&std::fs::read(path).ok()?).into_owned())
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
