//! The demo's view of the controller's reactions: the Events it records, watched through the
//! API like `kubectl get events --watch` would.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use kapi_api::events::v1::Event;
use kapi_apimachinery::meta::WatchEvent;
use kapi_apimachinery::options::ListOptions;
use kapi_client::{Api, Client, RetryWatcher};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::narrate::Narrator;

/// One recorded event: its reason and note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reaction {
    pub(crate) reason: String,
    pub(crate) note: String,
}

/// Events of one reporting controller in one namespace, as they are created.
#[derive(Debug)]
pub(crate) struct EventFeed {
    rx: mpsc::UnboundedReceiver<Reaction>,
    task: JoinHandle<()>,
}

impl EventFeed {
    /// Starts watching from now (earlier events are not reported).
    pub(crate) async fn start(client: Client, namespace: &str, controller: &str) -> Result<Self> {
        let api = Api::<Event>::namespaced(client, namespace);
        let rv = api
            .list(&ListOptions::default().limit(1))
            .await?
            .metadata
            .resource_version
            .unwrap_or_default();
        let mut watcher = RetryWatcher::new(api, &rv)?;
        let (tx, rx) = mpsc::unbounded_channel();
        let controller = controller.to_owned();
        let task = tokio::spawn(async move {
            while let Some(event) = watcher.next().await {
                let Ok(WatchEvent::Added(e)) = event else {
                    continue;
                };
                if e.reporting_controller.as_deref() != Some(controller.as_str()) {
                    continue;
                }
                let reaction = Reaction {
                    reason: e.reason.unwrap_or_default().into(),
                    note: e.note.unwrap_or_default().into(),
                };
                if tx.send(reaction).is_err() {
                    break;
                }
            }
        });
        Ok(Self { rx, task })
    }

    /// Waits for exactly the expected events (`reason` → count), narrating each as it comes.
    /// An event with another reason fails at once.
    pub(crate) async fn expect(
        &mut self,
        out: &Narrator,
        expected: &[(&str, usize)],
        timeout: Duration,
    ) -> Result<()> {
        let mut missing: BTreeMap<&str, usize> = expected.iter().copied().collect();
        let deadline = tokio::time::Instant::now() + timeout;
        while missing.values().any(|n| *n > 0) {
            let Ok(Some(r)) = tokio::time::timeout_at(deadline, self.rx.recv()).await else {
                return Err(Error::Timeout {
                    what: format!("the controller's events {expected:?}"),
                    after: timeout,
                    state: format!("still missing {missing:?}"),
                });
            };
            out.reaction(format!("{}: {}", r.reason, r.note));
            match missing.get_mut(r.reason.as_str()) {
                Some(n) if *n > 0 => *n -= 1,
                _ => {
                    return Err(Error::expectation(format!(
                        "unexpected event from the controller: {}: {}",
                        r.reason, r.note
                    )))
                }
            }
        }
        Ok(())
    }

    /// Fails when any further event arrives within `quiet`.
    pub(crate) async fn expect_none(&mut self, out: &Narrator, quiet: Duration) -> Result<()> {
        match tokio::time::timeout(quiet, self.rx.recv()).await {
            Ok(Some(r)) => {
                out.reaction(format!("{}: {}", r.reason, r.note));
                Err(Error::expectation(format!(
                    "unexpected event from the controller: {}: {}",
                    r.reason, r.note
                )))
            }
            _ => Ok(()),
        }
    }
}

impl Drop for EventFeed {
    fn drop(&mut self) {
        self.task.abort();
    }
}
