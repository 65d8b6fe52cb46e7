//! An [`EventSink`] writing `events.k8s.io/v1` Events through the client.

use futures::future::BoxFuture;
use kapi_api::events::v1::{Event, EventSeries};
use kapi_apimachinery::options::{CreateOptions, PatchOptions};
use kapi_client::{Api, Client, Patch};

use crate::events::{EventSink, EventSinkError};

/// Writes events to the API server.
#[derive(Clone, Debug)]
pub struct ApiEventSink {
    client: Client,
}

impl ApiEventSink {
    /// A sink over `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl EventSink for ApiEventSink {
    fn create(&self, event: Event) -> BoxFuture<'_, Result<(), EventSinkError>> {
        Box::pin(async move {
            let ns = event
                .metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".into());
            Api::<Event>::namespaced(self.client.clone(), &ns)
                .create(&CreateOptions::default(), &event)
                .await
                .map(|_| ())
                .map_err(|e| EventSinkError(Box::new(e)))
        })
    }

    fn update_series(
        &self,
        namespace: String,
        name: String,
        series: EventSeries,
    ) -> BoxFuture<'_, Result<(), EventSinkError>> {
        Box::pin(async move {
            let patch = serde_json::json!({ "series": series });
            Api::<Event>::namespaced(self.client.clone(), &namespace)
                .patch(&name, &PatchOptions::default(), &Patch::Merge(patch))
                .await
                .map(|_| ())
                .map_err(|e| EventSinkError(Box::new(e)))
        })
    }
}
