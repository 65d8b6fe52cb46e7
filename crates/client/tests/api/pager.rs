//! Pagination (rules 2.3, 2.5, 2.6) and the full-list fallback on an expired continue token.

use futures::{StreamExt, TryStreamExt};
use kapi_api::core::v1::ConfigMap;
use kapi_apimachinery::options::{CreateOptions, ListOptions};
use kapi_apimachinery::Object as _;
use kapi_client::{Api, Pager};
use kapi_testserver::{Fault, Verb};

use crate::support::{config_map, setup};

async fn seed(cms: &Api<ConfigMap>, n: usize) {
    for i in 0..n {
        cms.create(
            &CreateOptions::default(),
            &config_map(&format!("cm-{i:02}"), "k", "v"),
        )
        .await
        .expect("create");
    }
}

#[tokio::test]
async fn rv_2_5_pages_share_the_first_resource_version() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    seed(&cms, 25).await;
    let pages: Vec<_> = Pager::new(cms.clone(), 10)
        .pages(&ListOptions::default())
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(
        pages.iter().map(|p| p.list.items.len()).collect::<Vec<_>>(),
        [10, 10, 5]
    );
    let rvs: Vec<_> = pages
        .iter()
        .map(|p| p.list.metadata.resource_version.clone())
        .collect();
    assert!(rvs.windows(2).all(|w| w[0] == w[1]), "{rvs:?}");
    assert_eq!(pages[0].list.metadata.remaining_item_count, Some(15));
    assert!(pages.iter().all(|p| !p.restarted));

    let all = cms
        .list_paged(&ListOptions::default(), 7)
        .await
        .expect("list_paged");
    assert_eq!(all.items.len(), 25);
    assert!(all.metadata.continue_.is_none());
    let names: Vec<String> = Pager::new(cms, 4)
        .items(&ListOptions::default().labels(""))
        .map_ok(|c| c.name().to_owned())
        .try_collect()
        .await
        .expect("items");
    assert_eq!(names.len(), 25);
    assert_eq!(names[24], "cm-24");
}

#[tokio::test]
async fn rv_2_6_an_expired_continue_token_falls_back_to_a_full_list() {
    let (server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    seed(&cms, 12).await;
    let pager = Pager::new(cms.clone(), 5);
    let mut pages = pager.pages(&ListOptions::default());
    let first = pages.next().await.expect("a page").expect("first page");
    assert_eq!(first.list.items.len(), 5);
    // The snapshot is compacted before the next page.
    server.faults().inject(
        Fault::expired()
            .resource("configmaps")
            .verb(Verb::List)
            .times(1),
    );
    let second = pages.next().await.expect("a page").expect("fallback");
    assert!(second.restarted);
    assert_eq!(second.list.items.len(), 12);
    assert!(pages.next().await.is_none());

    server.faults().inject(
        Fault::expired()
            .resource("configmaps")
            .verb(Verb::List)
            .times(1),
    );
    // The first page expiring is not a continue-token problem: an error.
    let err = cms
        .list_paged(&ListOptions::default(), 5)
        .await
        .expect_err("first page 410");
    assert!(err.is_expired());
    let all = cms
        .list_paged(&ListOptions::default(), 5)
        .await
        .expect("all");
    assert_eq!(all.items.len(), 12);

    // items() does not fall back: it ends with the 410.
    let mut items = pager.items(&ListOptions::default());
    for _ in 0..5 {
        items.next().await.expect("item").expect("ok");
    }
    server.faults().inject(
        Fault::expired()
            .resource("configmaps")
            .verb(Verb::List)
            .times(1),
    );
    let err = items.next().await.expect("an error").expect_err("410");
    assert!(err.is_expired());
    assert!(items.next().await.is_none());
}

#[tokio::test]
async fn rv_2_3_a_list_of_any_version_ignores_the_limit() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    seed(&cms, 6).await;
    let opts = ListOptions {
        resource_version: Some("0".into()),
        ..ListOptions::default()
    };
    let pages: Vec<_> = Pager::new(cms, 2)
        .pages(&opts)
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].list.items.len(), 6);
}
