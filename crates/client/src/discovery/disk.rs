//! [`DiskCache`]: discovery documents kept on disk between processes, like kubectl's
//! `~/.kube/cache/discovery`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use http::Uri;

use super::fetch::Docs;

/// The file name inside the per-server directory (beside kubectl's own files, which it does
/// not touch).
const FILE: &str = "kapi-discovery.json";

/// Where and for how long discovery results are cached on disk.
///
/// Documents younger than the TTL are used without asking the server. Older ones are
/// revalidated: aggregated documents with `If-None-Match` (a 304 costs no body), legacy ones
/// fetched again. One directory per server (`host_port`, as kubectl names them) below `dir`.
///
/// ```no_run
/// use std::time::Duration;
/// use kapi_client::discovery::{Discovery, DiskCache};
/// use kapi_client::Client;
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let client = Client::try_default()?;
/// let cache = DiskCache::new(DiskCache::default_dir().unwrap_or_else(std::env::temp_dir))
///     .ttl(Duration::from_secs(600));
/// let discovery = Discovery::new(client).with_disk_cache(cache);
/// println!("{} groups", discovery.resources().await?.groups().len());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskCache {
    dir: PathBuf,
    ttl: Duration,
}

impl DiskCache {
    /// kubectl's default time to live: six hours.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(6 * 3600);

    /// A cache below `dir` with the default TTL.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            ttl: Self::DEFAULT_TTL,
        }
    }

    /// Sets the time to live.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The time to live.
    pub fn time_to_live(&self) -> Duration {
        self.ttl
    }

    /// `~/.kube/cache/discovery` (`$HOME`, or `%USERPROFILE%`), if a home directory is known.
    pub fn default_dir() -> Option<PathBuf> {
        std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(|h| Path::new(&h).join(".kube").join("cache").join("discovery"))
    }

    /// The cache file for a server.
    pub fn file_for(&self, server: &Uri) -> PathBuf {
        let mut key = server
            .authority()
            .map_or_else(|| "unknown".to_owned(), |a| a.as_str().to_owned());
        let path = server.path().trim_matches('/');
        if !path.is_empty() {
            key.push('/');
            key.push_str(path);
        }
        let key: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(key).join(FILE)
    }

    /// Reads the cached documents; `None` when missing or unreadable (never an error).
    pub(crate) fn read(&self, server: &Uri) -> Option<Docs> {
        let path = self.file_for(server);
        let text = std::fs::read(&path).ok()?;
        match serde_json::from_slice(&text) {
            Ok(docs) => Some(docs),
            Err(e) => {
                tracing::debug!(path = %path.display(), error = %e, "ignoring an unreadable discovery cache");
                None
            }
        }
    }

    /// `true` when documents fetched at `fetched_at` (unix seconds) are still fresh at `now`.
    pub(crate) fn is_fresh(&self, fetched_at: u64, now: u64) -> bool {
        now >= fetched_at && Duration::from_secs(now - fetched_at) < self.ttl
    }

    /// Writes the documents (atomically: a temporary file, then a rename). Failures are
    /// logged, not returned: the cache is an optimisation.
    pub(crate) fn write(&self, server: &Uri, docs: &Docs) {
        let path = self.file_for(server);
        let result = (|| -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let body = serde_json::to_vec(docs).map_err(std::io::Error::other)?;
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&tmp, body)?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = result {
            tracing::warn!(path = %path.display(), error = %e, "cannot write the discovery cache");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_directory_per_server() {
        let c = DiskCache::new("/cache");
        let uri: Uri = "https://10.0.0.1:6443".parse().expect("uri");
        assert_eq!(
            c.file_for(&uri),
            Path::new("/cache/10.0.0.1_6443/kapi-discovery.json")
        );
        let uri: Uri = "https://rancher.example/k8s/clusters/c-1"
            .parse()
            .expect("uri");
        assert_eq!(
            c.file_for(&uri),
            Path::new("/cache/rancher.example_k8s_clusters_c-1/kapi-discovery.json")
        );
        assert!(c.is_fresh(100, 100 + 6 * 3600 - 1));
        assert!(!c.is_fresh(100, 100 + 6 * 3600));
        assert!(!c.is_fresh(200, 100));
    }
}
