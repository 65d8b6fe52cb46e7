//! Continuous random writes to the source ConfigMaps.

use std::time::{Duration, Instant};

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, PatchOptions};
use kapi_client::{Api, Patch};

use crate::cluster::{source, source_name};

/// What a writer did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Writes the server accepted.
    pub ok: u64,
    /// Writes that failed (a fault, a 404 or 409 from racing itself).
    pub failed: u64,
}

/// A random writer over `names` source objects (`cm-0000` …): 60 % merge-patch updates
/// (creating the object when missing), 20 % creates, 20 % deletes.
#[derive(Debug)]
pub struct Writer {
    api: Api<ConfigMap>,
    names: u64,
    state: u64,
    per_second: Option<u32>,
}

impl Writer {
    /// A writer over `names` objects, seeded for reproducible sequences.
    pub fn new(api: Api<ConfigMap>, names: u64, seed: u64) -> Self {
        Self {
            api,
            names,
            state: seed.max(1),
            per_second: None,
        }
    }

    /// Paces writes to `n` per second on average (a slow write is caught up on after it;
    /// default: as fast as the server answers).
    #[must_use]
    pub fn per_second(mut self, n: u32) -> Self {
        self.per_second = Some(n);
        self
    }

    fn next(&mut self) -> u64 {
        // xorshift64
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    /// One random write; `Ok` when the server accepted it.
    async fn write_one(&mut self, n: u64) -> bool {
        let name = source_name(self.next() % self.names);
        match self.next() % 10 {
            0..=5 => {
                let patch = Patch::Merge(serde_json::json!({"data": {"v": n.to_string()}}));
                match self
                    .api
                    .patch(&name, &PatchOptions::default(), &patch)
                    .await
                {
                    Ok(_) => true,
                    Err(e) if e.is_not_found() => self
                        .api
                        .create(&CreateOptions::default(), &source(&name, "new"))
                        .await
                        .is_ok(),
                    Err(_) => false,
                }
            }
            6..=7 => self
                .api
                .create(&CreateOptions::default(), &source(&name, "created"))
                .await
                .is_ok(),
            _ => self
                .api
                .delete(&name, &DeleteOptions::default())
                .await
                .is_ok(),
        }
    }

    /// Writes until `duration` has passed.
    pub async fn run_for(mut self, duration: Duration) -> WriteStats {
        let deadline = Instant::now() + duration;
        let mut stats = WriteStats::default();
        let mut tick = self.per_second.map(|n| {
            let mut i = tokio::time::interval(Duration::from_secs(1) / n.max(1));
            i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            i
        });
        let mut n = 0u64;
        while Instant::now() < deadline {
            if let Some(t) = tick.as_mut() {
                t.tick().await;
            }
            n += 1;
            if self.write_one(n).await {
                stats.ok += 1;
            } else {
                stats.failed += 1;
            }
        }
        stats
    }
}
