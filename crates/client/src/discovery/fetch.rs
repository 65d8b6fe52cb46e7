//! Fetching discovery documents: aggregated v2 first, legacy as the fallback (converted to
//! the aggregated shape so one code path builds the view).

use bytes::Bytes;
use futures::StreamExt;
use http::header::{ACCEPT, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use http::{Request, StatusCode};
use kapi_apimachinery::meta::{
    ApiGroupDiscovery, ApiGroupDiscoveryList, ApiGroupList, ApiResourceDiscovery, ApiResourceList,
    ApiSubresourceDiscovery, ApiVersionDiscovery, ApiVersions, DiscoveryKind, ObjectMeta,
    AGGREGATED_DISCOVERY_V2,
};
use serde::{Deserialize, Serialize};

use crate::api::request_decode as decode;
use crate::body::Body;
use crate::client::{api_error, Client};
use crate::error::{Error, Result};

/// How many legacy group/version documents are fetched at once.
const PARALLEL: usize = 8;

/// The raw documents behind a [`ServerResources`](super::ServerResources), as cached.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Docs {
    /// Unix seconds when the documents were fetched or last revalidated.
    pub(crate) fetched_at: u64,
    /// `true` for aggregated documents (revalidated with ETags).
    pub(crate) aggregated: bool,
    pub(crate) core: ApiGroupDiscoveryList,
    pub(crate) groups: ApiGroupDiscoveryList,
    #[serde(default)]
    pub(crate) core_etag: Option<String>,
    #[serde(default)]
    pub(crate) groups_etag: Option<String>,
    #[serde(default)]
    pub(crate) failed: Vec<String>,
}

/// What one aggregated request gave.
enum Answer {
    /// 304: the cached document is current.
    NotModified,
    /// An aggregated document and its ETag.
    Aggregated(ApiGroupDiscoveryList, Option<String>),
    /// The server does not do aggregated discovery: the legacy body.
    Legacy(Bytes),
}

async fn aggregated(client: &Client, path: &str, etag: Option<&str>) -> Result<Answer> {
    let mut req = Request::get(path).header(
        ACCEPT,
        format!("{AGGREGATED_DISCOVERY_V2},application/json"),
    );
    if let Some(tag) = etag {
        req = req.header(IF_NONE_MATCH, tag);
    }
    let req = req
        .body(Body::empty())
        .map_err(|e| Error::InvalidRequest(e.to_string()))?;
    let resp = client.send(req).await?;
    if resp.status() == StatusCode::NOT_MODIFIED {
        return Ok(Answer::NotModified);
    }
    if !resp.status().is_success() {
        return Err(Error::Api(api_error(resp).await));
    }
    let is_aggregated = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("as=APIGroupDiscoveryList"));
    let tag = resp
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = resp.into_body().collect_bytes().await?;
    Ok(if is_aggregated {
        Answer::Aggregated(decode(&body)?, tag)
    } else {
        Answer::Legacy(body)
    })
}

/// Fetches fresh documents; `cached` (with ETags) lets unchanged aggregated documents come
/// back as 304.
pub(crate) async fn fetch(client: &Client, cached: Option<&Docs>, now: u64) -> Result<Docs> {
    let cached = cached.filter(|d| d.aggregated);
    let core_tag = cached.and_then(|d| d.core_etag.as_deref());
    let groups_tag = cached.and_then(|d| d.groups_etag.as_deref());
    let (core, groups) = futures::try_join!(
        aggregated(client, "/api", core_tag),
        aggregated(client, "/apis", groups_tag)
    )?;
    let pick = |a: Answer, old: Option<(&ApiGroupDiscoveryList, &Option<String>)>| match a {
        Answer::Aggregated(doc, tag) => Some((doc, tag)),
        Answer::NotModified => old.map(|(d, t)| (d.clone(), t.clone())),
        Answer::Legacy(_) => None,
    };
    match (core, groups) {
        (Answer::Legacy(core), Answer::Legacy(groups)) => legacy(client, &core, &groups, now).await,
        (core, groups) => {
            let core = pick(core, cached.map(|d| (&d.core, &d.core_etag)));
            let groups = pick(groups, cached.map(|d| (&d.groups, &d.groups_etag)));
            match (core, groups) {
                (Some((core, core_etag)), Some((groups, groups_etag))) => Ok(Docs {
                    fetched_at: now,
                    aggregated: true,
                    core,
                    groups,
                    core_etag,
                    groups_etag,
                    failed: Vec::new(),
                }),
                _ => Err(Error::Discovery(
                    "the server answered /api and /apis inconsistently (aggregated for one only, or 304 without a cached document)".into(),
                )),
            }
        }
    }
}

async fn get_json<T: serde::de::DeserializeOwned>(client: &Client, path: &str) -> Result<T> {
    let req = Request::get(path)
        .header(ACCEPT, "application/json")
        .body(Body::empty())
        .map_err(|e| Error::InvalidRequest(e.to_string()))?;
    client.request_json(req).await
}

/// Legacy discovery: `/api` (`APIVersions`), `/apis` (`APIGroupList`), then one
/// `APIResourceList` per group/version, preferred version first.
async fn legacy(client: &Client, core: &[u8], groups: &[u8], now: u64) -> Result<Docs> {
    let core: ApiVersions = decode(core)?;
    let groups: ApiGroupList = decode(groups)?;
    let mut wanted: Vec<(String, Vec<String>)> = vec![(String::new(), core.versions.clone())];
    for g in &groups.groups {
        let mut versions: Vec<String> = Vec::new();
        if let Some(p) = &g.preferred_version {
            versions.push(p.version.clone());
        }
        for v in &g.versions {
            if !versions.contains(&v.version) {
                versions.push(v.version.clone());
            }
        }
        wanted.push((g.name.clone(), versions));
    }
    let jobs: Vec<(usize, usize, String)> = wanted
        .iter()
        .enumerate()
        .flat_map(|(gi, (g, vs))| {
            vs.iter().enumerate().map(move |(vi, v)| {
                let path = if g.is_empty() {
                    format!("/api/{v}")
                } else {
                    format!("/apis/{g}/{v}")
                };
                (gi, vi, path)
            })
        })
        .collect();
    let results: Vec<(usize, usize, String, Result<ApiResourceList>)> = futures::stream::iter(jobs)
        .map(|(gi, vi, path)| async move {
            let res = get_json::<ApiResourceList>(client, &path).await;
            (gi, vi, path, res)
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut lists: Vec<Vec<Option<ApiResourceList>>> =
        wanted.iter().map(|(_, vs)| vec![None; vs.len()]).collect();
    let mut failed = Vec::new();
    for (gi, vi, path, res) in results {
        match res {
            Ok(list) => lists[gi][vi] = Some(list),
            Err(e) => failed.push(format!("{path}: {e}")),
        }
    }
    if failed.len() == lists.iter().map(Vec::len).sum::<usize>() && !failed.is_empty() {
        return Err(Error::Discovery(format!(
            "no group/version could be read: {}",
            failed.join("; ")
        )));
    }
    failed.sort();
    let mut out = [
        ApiGroupDiscoveryList::default(),
        ApiGroupDiscoveryList::default(),
    ];
    for ((name, versions), lists) in wanted.iter().zip(lists) {
        let versions = versions
            .iter()
            .zip(lists)
            .filter_map(|(v, list)| list.map(|l| version_from_legacy(name, v, &l)))
            .collect();
        let item = ApiGroupDiscovery {
            metadata: ObjectMeta {
                name: Some(name.as_str().into()),
                ..ObjectMeta::default()
            },
            versions,
        };
        out[usize::from(!name.is_empty())].items.push(item);
    }
    let [core, groups] = out;
    Ok(Docs {
        fetched_at: now,
        aggregated: false,
        core,
        groups,
        core_etag: None,
        groups_etag: None,
        failed,
    })
}

fn version_from_legacy(group: &str, version: &str, list: &ApiResourceList) -> ApiVersionDiscovery {
    let kind = |r: &kapi_apimachinery::meta::ApiResource| DiscoveryKind {
        group: r.group.clone().unwrap_or_else(|| group.to_owned()),
        version: r.version.clone().unwrap_or_else(|| version.to_owned()),
        kind: r.kind.clone(),
    };
    let mut resources: Vec<ApiResourceDiscovery> = list
        .resources
        .iter()
        .filter(|r| !r.name.contains('/'))
        .map(|r| ApiResourceDiscovery {
            resource: r.name.clone(),
            response_kind: Some(kind(r)),
            scope: if r.namespaced {
                "Namespaced"
            } else {
                "Cluster"
            }
            .to_owned(),
            singular_resource: if r.singular_name.is_empty() {
                r.kind.to_lowercase()
            } else {
                r.singular_name.clone()
            },
            verbs: r.verbs.clone(),
            short_names: r.short_names.clone(),
            categories: r.categories.clone(),
            subresources: Vec::new(),
        })
        .collect();
    for r in &list.resources {
        let Some((parent, sub)) = r.name.split_once('/') else {
            continue;
        };
        if let Some(p) = resources.iter_mut().find(|p| p.resource == parent) {
            p.subresources.push(ApiSubresourceDiscovery {
                subresource: sub.to_owned(),
                response_kind: Some(kind(r)),
                accepted_types: Vec::new(),
                verbs: r.verbs.clone(),
            });
        }
    }
    ApiVersionDiscovery {
        version: version.to_owned(),
        resources,
        freshness: Some("Current".to_owned()),
    }
}
