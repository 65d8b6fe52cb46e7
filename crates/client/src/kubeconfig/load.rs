//! Reading kubeconfig files and merging them with client-go's rules.
//!
//! - `KUBECONFIG` is split with the OS list separator (`:` on Unix, `;` on Windows); empty
//!   entries are skipped and repeated entries de-duplicated. Files that do not exist are skipped;
//!   a file that exists but does not parse is an error.
//! - Without `KUBECONFIG`, `~/.kube/config` is used.
//! - Merging: for clusters, users, contexts and extensions the **first** file that defines a name
//!   wins, wholesale (entries are never merged field by field); for `current-context` (and the
//!   other scalars) the first file that sets a non-empty value wins.
//! - Within one file, two entries of a list with the same name are an error (as in kubectl).
//! - Every entry remembers the file it came from, so relative paths resolve against that file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext, NamedExtension};
use crate::error::{sanitize, Error, KubeconfigError, KubeconfigErrorKind, Result};

/// The environment variable holding the list of kubeconfig files.
pub const KUBECONFIG_ENV: &str = "KUBECONFIG";

impl Kubeconfig {
    /// Parses a kubeconfig from YAML or JSON text. Entries get no origin (relative paths then
    /// resolve against the current directory).
    pub fn from_yaml(text: &str) -> Result<Self> {
        parse(text, None)
    }

    /// Reads one file. Its entries remember the file as their origin.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = absolute(path.as_ref());
        let text = std::fs::read_to_string(&path).map_err(|e| {
            KubeconfigError::new(KubeconfigErrorKind::Read(e)).file(Some(path.clone()))
        })?;
        parse(&text, Some(&path))
    }

    /// Reads and merges `paths` in order (first wins). Files that do not exist are skipped;
    /// [`KubeconfigErrorKind::NoFiles`] when none exists.
    pub fn load<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Result<Self> {
        let mut merged: Option<Kubeconfig> = None;
        let mut seen = HashSet::new();
        for path in paths {
            let path = path.as_ref();
            if path.as_os_str().is_empty() || !seen.insert(path.to_path_buf()) {
                continue;
            }
            if !path.exists() {
                tracing::debug!(path = %path.display(), "kubeconfig file does not exist; skipped");
                continue;
            }
            let next = Kubeconfig::read(path)?;
            merged = Some(match merged {
                None => next,
                Some(mut m) => {
                    m.merge(next);
                    m
                }
            });
        }
        merged.ok_or_else(|| KubeconfigError::new(KubeconfigErrorKind::NoFiles).into())
    }

    /// The files kapi would read: `KUBECONFIG`'s list if set and non-empty, else
    /// `~/.kube/config` (empty when no home directory is known).
    pub fn default_paths() -> Vec<PathBuf> {
        match std::env::var_os(KUBECONFIG_ENV) {
            Some(list) if !list.is_empty() => std::env::split_paths(&list).collect(),
            _ => home_dir()
                .map(|h| h.join(".kube").join("config"))
                .into_iter()
                .collect(),
        }
    }

    /// Loads [`Kubeconfig::default_paths`]; `Ok(None)` when none of those files exists.
    pub fn from_env() -> Result<Option<Self>> {
        match Kubeconfig::load(Kubeconfig::default_paths()) {
            Ok(k) => Ok(Some(k)),
            Err(Error::Kubeconfig(KubeconfigError {
                kind: KubeconfigErrorKind::NoFiles,
                ..
            })) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Merges `lower` into `self`; `self` has priority (it came earlier in the list).
    pub fn merge(&mut self, lower: Kubeconfig) {
        fn first<T>(mine: &mut Option<T>, theirs: Option<T>, set: impl Fn(&T) -> bool) {
            if !mine.as_ref().is_some_and(&set) {
                if let Some(t) = theirs.filter(|t| set(t)) {
                    *mine = Some(t);
                }
            }
        }
        first(&mut self.current_context, lower.current_context, |s| {
            !s.is_empty()
        });
        first(&mut self.kind, lower.kind, |s| !s.is_empty());
        first(&mut self.api_version, lower.api_version, |s| !s.is_empty());
        first(&mut self.preferences, lower.preferences, |v| !v.is_null());
        add_missing(&mut self.clusters, lower.clusters, |c: &NamedCluster| {
            &c.name
        });
        add_missing(
            &mut self.auth_infos,
            lower.auth_infos,
            |c: &NamedAuthInfo| &c.name,
        );
        add_missing(&mut self.contexts, lower.contexts, |c: &NamedContext| {
            &c.name
        });
        add_missing(
            &mut self.extensions,
            lower.extensions,
            |c: &NamedExtension| &c.name,
        );
    }
}

fn add_missing<T>(mine: &mut Vec<T>, theirs: Vec<T>, name: impl Fn(&T) -> &String) {
    let have: HashSet<String> = mine.iter().map(|t| name(t).clone()).collect();
    mine.extend(theirs.into_iter().filter(|t| !have.contains(name(t))));
}

fn parse(text: &str, file: Option<&Path>) -> Result<Kubeconfig> {
    let err = |kind| KubeconfigError::new(kind).file(file.map(Path::to_path_buf));
    let blank = text
        .lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---");
    let mut config = if blank {
        Kubeconfig::default()
    } else {
        serde_yaml::from_str::<Option<Kubeconfig>>(text)
            .map_err(|e| err(KubeconfigErrorKind::Parse(sanitize(&e.to_string()))))?
            .unwrap_or_default()
    };
    check_unique(config.clusters.iter().map(|c| &c.name), "cluster").map_err(&err)?;
    check_unique(config.auth_infos.iter().map(|c| &c.name), "user").map_err(&err)?;
    check_unique(config.contexts.iter().map(|c| &c.name), "context").map_err(&err)?;
    let origin = file.map(Path::to_path_buf);
    config
        .clusters
        .iter_mut()
        .for_each(|c| c.origin.clone_from(&origin));
    config
        .auth_infos
        .iter_mut()
        .for_each(|c| c.origin.clone_from(&origin));
    config
        .contexts
        .iter_mut()
        .for_each(|c| c.origin.clone_from(&origin));
    Ok(config)
}

fn check_unique<'a>(
    names: impl Iterator<Item = &'a String>,
    what: &str,
) -> std::result::Result<(), KubeconfigErrorKind> {
    let mut seen = HashSet::new();
    for n in names {
        if !seen.insert(n) {
            return Err(KubeconfigErrorKind::DuplicateName(format!("{what} {n}")));
        }
    }
    Ok(())
}

/// Makes `path` absolute against the current directory, lexically (like Go's `filepath.Abs`).
pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The user's home directory: `HOME`, or `USERPROFILE` on Windows.
pub(crate) fn home_dir() -> Option<PathBuf> {
    let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    std::env::var_os(var)
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kc(text: &str) -> Kubeconfig {
        Kubeconfig::from_yaml(text).expect("valid kubeconfig")
    }

    #[test]
    fn unknown_fields_and_nulls_are_tolerated() {
        let k = kc("clusters:\n- name: a\n  cluster:\n    server: https://x\n    future-field: 1\nusers: null\ncontexts:\n- name: c\n  context: null\nsomething: else\n");
        assert_eq!(k.clusters[0].cluster.server.as_deref(), Some("https://x"));
        assert!(k.auth_infos.is_empty());
        assert_eq!(k.contexts[0].context.cluster, "");
    }

    #[test]
    fn blank_and_json_files_parse() {
        assert_eq!(kc("# only a comment\n"), Kubeconfig::default());
        let k =
            kc(r#"{"current-context":"j","contexts":[{"name":"j","context":{"namespace":"n"}}]}"#);
        assert_eq!(k.current_context.as_deref(), Some("j"));
    }

    #[test]
    fn merge_first_wins() {
        let mut a =
            kc("current-context: ''\nclusters:\n- name: c\n  cluster: {server: https://a}\n");
        let b = kc("current-context: b\nclusters:\n- name: c\n  cluster: {server: https://b}\n- name: d\n  cluster: {server: https://d}\n");
        a.merge(b);
        assert_eq!(a.current_context.as_deref(), Some("b"));
        assert_eq!(
            a.cluster("c").and_then(|c| c.cluster.server.as_deref()),
            Some("https://a")
        );
        assert!(a.cluster("d").is_some());
    }

    #[test]
    fn duplicate_names_in_one_file_fail() {
        let e = Kubeconfig::from_yaml("users:\n- name: u\n- name: u\n").expect_err("duplicate");
        assert!(e.to_string().contains("duplicate name \"user u\""), "{e}");
    }
}
