//! [`TokenFile`]: a bearer token read from a file and re-read so rotated tokens are picked up.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{AuthError, Result};
use crate::secret::SecretString;

/// How long a token read from a file is used before the file is read again.
pub(crate) const REREAD_AFTER: Duration = Duration::from_secs(60);

/// A bearer token kept in a file (a projected service-account token, `tokenFile`).
///
/// The file is read on first use, then again once a minute and right after the server answers
/// 401. When a re-read fails the last good token is kept (and a warning logged). Clones share
/// the cache.
#[derive(Clone)]
pub struct TokenFile {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    cache: Mutex<Option<Cached>>,
}

#[derive(Clone)]
struct Cached {
    token: SecretString,
    read_at: Instant,
    generation: u64,
}

impl TokenFile {
    /// A token file at `path` (not read yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            inner: Arc::new(Inner {
                path: path.into(),
                cache: Mutex::new(None),
            }),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The current token, reading the file when the cached token is older than a minute.
    pub fn token(&self) -> Result<SecretString> {
        self.current().map(|(t, _)| t)
    }

    /// The token and its generation (bumped whenever the token text changes).
    pub(crate) fn current(&self) -> Result<(SecretString, u64)> {
        let mut cache = self
            .inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match cache.as_ref() {
            Some(c) if c.read_at.elapsed() < REREAD_AFTER => Ok((c.token.clone(), c.generation)),
            _ => self.reread(&mut cache),
        }
    }

    /// Re-reads the file now (after a 401). `true` when the token differs from `generation`'s.
    pub(crate) fn refresh(&self, generation: u64) -> bool {
        let mut cache = self
            .inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.reread(&mut cache).is_ok_and(|(_, g)| g != generation)
    }

    fn reread(&self, cache: &mut Option<Cached>) -> Result<(SecretString, u64)> {
        let read = std::fs::read_to_string(&self.inner.path)
            .map_err(|source| AuthError::TokenFile {
                path: self.inner.path.clone(),
                source,
            })
            .and_then(|text| {
                let token = text.trim();
                if token.is_empty() {
                    Err(AuthError::EmptyTokenFile(self.inner.path.clone()))
                } else {
                    Ok(SecretString::new(token))
                }
            });
        match (read, cache.as_mut()) {
            (Ok(token), Some(c)) => {
                if token != c.token {
                    c.generation += 1;
                    c.token = token;
                }
                c.read_at = Instant::now();
                Ok((c.token.clone(), c.generation))
            }
            (Ok(token), None) => {
                *cache = Some(Cached {
                    token: token.clone(),
                    read_at: Instant::now(),
                    generation: 1,
                });
                Ok((token, 1))
            }
            (Err(e), Some(c)) => {
                tracing::warn!(error = %e, "re-reading the token file failed; keeping the last good token");
                c.read_at = Instant::now();
                Ok((c.token.clone(), c.generation))
            }
            (Err(e), None) => Err(e.into()),
        }
    }
}

impl fmt::Debug for TokenFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenFile")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn rereads_after_a_minute_and_keeps_last_good() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        std::fs::write(&path, "one\n").expect("write");
        let tf = TokenFile::new(&path);
        assert_eq!(tf.token().expect("read").expose_secret(), "one");
        std::fs::write(&path, "two").expect("write");
        tokio::time::advance(Duration::from_secs(30)).await;
        assert_eq!(tf.token().expect("cached").expose_secret(), "one");
        tokio::time::advance(Duration::from_secs(31)).await;
        assert_eq!(tf.token().expect("reread").expose_secret(), "two");
        std::fs::remove_file(&path).expect("remove");
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(tf.token().expect("last good").expose_secret(), "two");
        assert!(!tf.refresh(2));
        let missing = TokenFile::new(dir.path().join("nope"));
        assert!(missing.token().is_err());
    }
}
