//! [`list_then_watch`]: the current state as synthetic ADDED events, then live changes.

use std::collections::BTreeMap;

use futures::StreamExt;
use kapi_apimachinery::meta::{Bookmark, BookmarkMeta, WatchEvent, INITIAL_EVENTS_END_ANNOTATION};
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::Object;

use super::{RetryWatcher, WatchStream};
use crate::api::Api;
use crate::error::{Error, Result};
use crate::pager::Pager;

/// Lists (in pages of `opts.limit`, default 500), yields every object as
/// [`WatchEvent::Added`], then one [`WatchEvent::Bookmark`] at the list's resourceVersion
/// carrying the `k8s.io/initial-events-end: "true"` annotation (as a watch-list does), then
/// the events of a [`RetryWatcher`] from that resourceVersion.
///
/// The stream ends with an error when the list fails or the watch hits a terminal error
/// (410 Expired: call again for a fresh list).
///
/// ```no_run
/// use futures::TryStreamExt;
/// use kapi_api::core::v1::Pod;
/// use kapi_apimachinery::{meta::WatchEvent, options::ListOptions};
/// use kapi_client::{list_then_watch, Api, Client};
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let pods: Api<Pod> = Api::all(Client::try_default()?);
/// let mut events = list_then_watch(pods, ListOptions::default().labels("app=web"));
/// while let Some(ev) = events.try_next().await? {
///     if let WatchEvent::Bookmark(b) = &ev {
///         if b.is_initial_events_end() {
///             println!("initial state complete");
///         }
///     }
/// }
/// # Ok(()) }
/// ```
pub fn list_then_watch<K: Object>(api: Api<K>, opts: ListOptions) -> WatchStream<K> {
    let initial = futures::stream::once(initial_events(api.clone(), opts.clone()));
    let stream = initial.flat_map(move |res| match res {
        Ok((events, rv)) => {
            let watch = match RetryWatcher::with_options(api.clone(), &rv, opts.clone()) {
                Ok(w) => w.boxed(),
                Err(e) => futures::stream::iter([Err(e)]).boxed(),
            };
            futures::stream::iter(events.into_iter().map(Ok))
                .chain(watch)
                .boxed()
        }
        Err(e) => futures::stream::iter([Err(e)]).boxed(),
    });
    Box::pin(stream)
}

async fn initial_events<K: Object>(
    api: Api<K>,
    mut opts: ListOptions,
) -> Result<(Vec<WatchEvent<K>>, String)> {
    let page = opts.limit.filter(|l| *l > 0).unwrap_or(500);
    opts.watch = false;
    opts.allow_watch_bookmarks = false;
    opts.send_initial_events = None;
    let list = Pager::new(api.clone(), page).list(&opts).await?;
    let rv = list
        .metadata
        .resource_version
        .clone()
        .filter(|rv| !rv.is_empty())
        .ok_or_else(|| Error::decode("list", "the list has no resourceVersion to watch from"))?;
    let mut events: Vec<WatchEvent<K>> = list.items.into_iter().map(WatchEvent::Added).collect();
    events.push(WatchEvent::Bookmark(Bookmark {
        kind: api.resource_info().kind.to_string(),
        api_version: api.resource_info().api_version(),
        metadata: BookmarkMeta {
            resource_version: rv.clone(),
            annotations: BTreeMap::from([(
                INITIAL_EVENTS_END_ANNOTATION.to_owned(),
                "true".to_owned(),
            )]),
        },
    }));
    Ok((events, rv))
}
