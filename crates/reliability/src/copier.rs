//! The copy controller: keeps one `<name>-copy` ConfigMap per source ConfigMap, holding the
//! source's data, and deletes copies whose source is gone. It reads only from the shared
//! informer's lister and writes through the API, as a real controller does.

use std::sync::Arc;
use std::time::Duration;

use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::meta::ObjectMeta;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, UpdateOptions};
use kapi_client::Api;
use kapi_informers::SharedInformerFactory;
use kapi_runtime::{reconciler_fn, Action, Controller, Reconciler, Request};
use kapi_workqueue::limiter::{default_controller, MaxOf, WithMaxWait};

use crate::cluster::{COPY_SUFFIX, NS};

/// The request for the source a ConfigMap belongs to (itself, or the source of a copy).
pub fn source_request(cm: &ConfigMap) -> Vec<Request> {
    let name = cm.metadata.name.as_deref().unwrap_or_default();
    let source = name.strip_suffix(COPY_SUFFIX).unwrap_or(name);
    vec![Request::namespaced(NS, source)]
}

/// The retry limiter of the copy controller in tests: the default controller limiter (max of
/// per-key exponential 5 ms…1000 s and a 10 qps / 100 burst bucket) with every wait capped at
/// 1 s. With the plain default, the bucket spaces retries 100 ms apart across all keys, so a
/// controller with N failed keys after an outage needs N/10 seconds to retry them all (as
/// client-go's does) — longer than a test case may take.
pub fn test_limiter() -> WithMaxWait<MaxOf<Request>> {
    WithMaxWait::new(default_controller(), Duration::from_secs(1))
}

/// Builds the copy controller on the factory's ConfigMap informer, with `workers` workers and
/// [`test_limiter`].
pub fn copy_controller(
    factory: &SharedInformerFactory,
    api: Api<ConfigMap>,
    workers: usize,
) -> Controller<impl Reconciler> {
    let informer = factory.informer::<ConfigMap>();
    let lister = informer.lister();
    let api = Arc::new(api);
    Controller::new(
        "copier",
        reconciler_fn(move |req: Request| {
            let lister = lister.clone();
            let api = Arc::clone(&api);
            async move { reconcile(&lister, &api, &req).await }
        }),
    )
    .with_rate_limiter(test_limiter())
    .workers(workers)
    .watches_mapped(&informer, source_request, vec![])
}

async fn reconcile(
    lister: &kapi_informers::Lister<ConfigMap>,
    api: &Api<ConfigMap>,
    req: &Request,
) -> Result<Action, String> {
    let copy_name = format!("{}{COPY_SUFFIX}", req.name);
    let copy = lister.get(&format!("{NS}/{copy_name}"));
    let Some(source) = lister.get(&req.key()) else {
        if copy.is_some() {
            match api.delete(&copy_name, &DeleteOptions::default()).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(format!("delete {copy_name}: {e}")),
            }
        }
        return Ok(Action::Done);
    };
    match copy {
        Some(c) if c.data == source.data => Ok(Action::Done),
        Some(c) => {
            let mut updated = (*c).clone();
            updated.data.clone_from(&source.data);
            api.replace(&copy_name, &UpdateOptions::default(), &updated)
                .await
                .map_err(|e| format!("update {copy_name}: {e}"))?;
            Ok(Action::Done)
        }
        None => {
            let new = ConfigMap {
                metadata: ObjectMeta {
                    name: Some(copy_name.clone().into()),
                    namespace: Some(NS.into()),
                    ..ObjectMeta::default()
                },
                data: source.data.clone(),
                ..ConfigMap::default()
            };
            api.create(&CreateOptions::default(), &new)
                .await
                .map_err(|e| format!("create {copy_name}: {e}"))?;
            Ok(Action::Done)
        }
    }
}
