//! A [`LeaseLock`] on a `coordination.k8s.io/v1` Lease through the client.

use futures::future::BoxFuture;
use kapi_api::coordination::v1::{Lease, LeaseSpec};
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, UpdateOptions};
use kapi_client::{Api, Client};

use crate::leader::{LeaderElectionRecord, LeaseLock, LockError};

/// The lock of a leader election: the Lease `name` in `namespace`.
#[derive(Clone, Debug)]
pub struct ApiLeaseLock {
    api: Api<Lease>,
    name: String,
}

impl ApiLeaseLock {
    /// A lock on the Lease `namespace/name`.
    pub fn new(client: Client, namespace: &str, name: &str) -> Self {
        Self {
            api: Api::namespaced(client, namespace),
            name: name.to_owned(),
        }
    }
}

fn to_error(e: kapi_client::Error) -> LockError {
    if e.is_conflict() || e.is_already_exists() {
        LockError::Conflict
    } else {
        LockError::Other(Box::new(e))
    }
}

fn record_of(spec: Option<&LeaseSpec>) -> LeaderElectionRecord {
    let Some(s) = spec else {
        return LeaderElectionRecord::default();
    };
    LeaderElectionRecord {
        holder_identity: s.holder_identity.clone().unwrap_or_default().into(),
        lease_duration_seconds: s.lease_duration_seconds.unwrap_or(0),
        acquire_time: s.acquire_time,
        renew_time: s.renew_time,
        leader_transitions: s.lease_transitions.unwrap_or(0),
    }
}

fn spec_of(r: LeaderElectionRecord) -> LeaseSpec {
    LeaseSpec {
        holder_identity: Some(r.holder_identity.into()),
        lease_duration_seconds: Some(r.lease_duration_seconds),
        acquire_time: r.acquire_time,
        renew_time: r.renew_time,
        lease_transitions: Some(r.leader_transitions),
        ..LeaseSpec::default()
    }
}

impl LeaseLock for ApiLeaseLock {
    fn get(&self) -> BoxFuture<'_, Result<Option<(LeaderElectionRecord, String)>, LockError>> {
        Box::pin(async move {
            let lease = self.api.get_opt(&self.name).await.map_err(to_error)?;
            Ok(lease.map(|l| {
                (
                    record_of(l.spec.as_ref()),
                    l.metadata.resource_version.unwrap_or_default().into(),
                )
            }))
        })
    }

    fn create(&self, record: LeaderElectionRecord) -> BoxFuture<'_, Result<(), LockError>> {
        Box::pin(async move {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.name.clone().into()),
                    ..ObjectMeta::default()
                },
                spec: Some(spec_of(record)),
            };
            self.api
                .create(&CreateOptions::default(), &lease)
                .await
                .map(|_| ())
                .map_err(to_error)
        })
    }

    fn update(
        &self,
        record: LeaderElectionRecord,
        resource_version: String,
    ) -> BoxFuture<'_, Result<(), LockError>> {
        Box::pin(async move {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.name.clone().into()),
                    resource_version: Some(resource_version.into()),
                    ..ObjectMeta::default()
                },
                spec: Some(spec_of(record)),
            };
            self.api
                .replace(&self.name, &UpdateOptions::default(), &lease)
                .await
                .map(|_| ())
                .map_err(to_error)
        })
    }

    fn describe(&self) -> String {
        format!(
            "leases/{}/{}",
            self.api.namespace().unwrap_or(""),
            self.name
        )
    }
}
