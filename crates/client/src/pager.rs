//! [`Pager`]: lists in pages of a fixed size.

use futures::stream::BoxStream;
use futures::StreamExt;
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::{Object, ObjectList};

use crate::api::Api;
use crate::error::Result;

/// One page from [`Pager::pages`].
#[derive(Clone, Debug)]
pub struct Page<K> {
    /// The page (its `metadata.continue` says whether more follow).
    pub list: ObjectList<K>,
    /// `true` when the continue token expired (410) and this page is a full list that
    /// supersedes every page before it.
    pub restarted: bool,
}

/// Lists a resource page by page (`limit` + `continue`), as client-go's `ListPager`.
///
/// Every page carries the first page's resourceVersion, so the pages form one consistent
/// snapshot. If the snapshot is compacted before the last page (410 on a continue token),
/// the pager falls back to one full list without `limit` (client-go's `FullListIfExpired`).
///
/// ```no_run
/// use futures::TryStreamExt;
/// use kapi_api::core::v1::Pod;
/// use kapi_apimachinery::options::ListOptions;
/// use kapi_client::{Api, Client, Pager};
///
/// # async fn demo() -> Result<(), kapi_client::Error> {
/// let pods: Api<Pod> = Api::all(Client::try_default()?);
/// // Everything, 500 at a time, collected:
/// let all = pods.list_paged(&ListOptions::default(), 500).await?;
/// // Or page by page, holding one page at a time:
/// let mut pages = Pager::new(pods, 500).pages(&ListOptions::default());
/// while let Some(page) = pages.try_next().await? {
///     if page.restarted {
///         println!("starting over from a full list");
///     }
///     println!("{} pods", page.list.items.len());
/// }
/// # drop(all); Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Pager<K> {
    api: Api<K>,
    page_size: i64,
}

impl<K: Object> Pager<K> {
    /// Pages of `page_size` objects (at least 1).
    pub fn new(api: Api<K>, page_size: i64) -> Self {
        Self {
            api,
            page_size: page_size.max(1),
        }
    }

    /// The pages, as a stream. After an error the stream ends.
    pub fn pages(&self, opts: &ListOptions) -> BoxStream<'static, Result<Page<K>>> {
        let api = self.api.clone();
        let mut first = opts.clone();
        first.limit = Some(self.page_size);
        first.continue_token = None;
        let original = opts.clone();
        futures::stream::unfold(Some(first), move |next| {
            let api = api.clone();
            let original = original.clone();
            async move {
                let opts = next?;
                match api.list(&opts).await {
                    Ok(list) => {
                        let token = list.metadata.continue_.clone().filter(|c| !c.is_empty());
                        let next = token.map(|c| ListOptions {
                            continue_token: Some(c),
                            resource_version: None,
                            resource_version_match: None,
                            ..opts.clone()
                        });
                        Some((
                            Ok(Page {
                                list,
                                restarted: false,
                            }),
                            next,
                        ))
                    }
                    Err(e) if e.is_expired() && opts.continue_token.is_some() => {
                        let full = ListOptions {
                            limit: None,
                            continue_token: None,
                            ..original
                        };
                        let page = api.list(&full).await.map(|list| Page {
                            list,
                            restarted: true,
                        });
                        Some((page, None))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .boxed()
    }

    /// Every object, as a stream, one page in memory at a time. Unlike [`Pager::pages`] this
    /// does not fall back to a full list: an expired continue token ends it with the 410.
    pub fn items(&self, opts: &ListOptions) -> BoxStream<'static, Result<K>> {
        let pages = self.pages(opts);
        pages
            .scan(false, |failed, page| {
                let out = match page {
                    _ if *failed => None,
                    Ok(p) if p.restarted => {
                        *failed = true;
                        Some(Err(crate::Error::Api(kapi_apimachinery::ApiError::new(
                            kapi_apimachinery::meta::Status::expired(
                                "the continue token expired before the last page",
                            ),
                        ))))
                    }
                    Ok(p) => Some(Ok(p.list.items)),
                    Err(e) => {
                        *failed = true;
                        Some(Err(e))
                    }
                };
                futures::future::ready(out)
            })
            .flat_map(|res| match res {
                Ok(items) => futures::stream::iter(items.into_iter().map(Ok)).boxed(),
                Err(e) => futures::stream::iter([Err(e)]).boxed(),
            })
            .boxed()
    }

    /// All pages collected into one list (with the first page's resourceVersion).
    ///
    /// # Errors
    /// The first failing request (after the full-list fallback).
    pub async fn list(&self, opts: &ListOptions) -> Result<ObjectList<K>> {
        let mut pages = self.pages(opts);
        let mut out: Option<ObjectList<K>> = None;
        while let Some(page) = pages.next().await {
            let page = page?;
            match out.as_mut() {
                Some(acc) if !page.restarted => acc.items.extend(page.list.items),
                _ => out = Some(page.list),
            }
        }
        let mut list = out.unwrap_or_default();
        list.metadata.continue_ = None;
        list.metadata.remaining_item_count = None;
        Ok(list)
    }
}

impl<K: Object> Api<K> {
    /// Lists everything in pages of `page_size`, collected into one list; see [`Pager`].
    ///
    /// # Errors
    /// As [`Pager::list`].
    pub async fn list_paged(&self, opts: &ListOptions, page_size: i64) -> Result<ObjectList<K>> {
        Pager::new(self.clone(), page_size).list(opts).await
    }
}
