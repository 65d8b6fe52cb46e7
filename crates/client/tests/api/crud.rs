//! Every verb on ConfigMaps, Pods, Namespaces and Leases (rules §3).

use kapi_api::coordination::v1::{Lease, LeaseSpec};
use kapi_api::core::v1::{ConfigMap, Namespace, Pod};
use kapi_apimachinery::meta::Status;
use kapi_apimachinery::options::{
    CreateOptions, DeleteOptions, FieldValidation, GetOptions, ListOptions, PatchOptions,
    Preconditions, PropagationPolicy, UpdateOptions,
};
use kapi_apimachinery::CompactString;
use kapi_apimachinery::Object as _;
use kapi_client::{Api, Either, Error, Patch};
use serde_json::json;

use crate::support::{config_map, meta, pod, setup};

#[tokio::test]
async fn write_3_1_create_get_list_and_get_opt() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let mut cm = config_map("settings", "mode", "fast");
    cm.metadata.labels = [("app".into(), "web".into())].into();
    let created = cms
        .create(&CreateOptions::default(), &cm)
        .await
        .expect("create");
    assert!(created.uid().is_some());
    assert!(created.resource_version().is_some());
    assert_eq!(created.namespace(), Some("default"));

    let got = cms.get("settings").await.expect("get");
    assert_eq!(got.data, cm.data);
    let any = cms
        .get_with(
            "settings",
            &GetOptions {
                resource_version: Some("0".into()),
            },
        )
        .await
        .expect("get rv 0");
    assert_eq!(any.uid(), created.uid());

    cms.create(&CreateOptions::default(), &config_map("other", "k", "v"))
        .await
        .expect("other");
    let listed = cms
        .list(&ListOptions::default().labels("app=web"))
        .await
        .expect("list");
    assert_eq!(listed.items.len(), 1);
    assert!(listed.metadata.resource_version.is_some());
    assert_eq!(listed.items[0].name(), "settings");

    assert!(cms.get_opt("missing").await.expect("get_opt").is_none());
    assert!(cms.get_opt("settings").await.expect("get_opt").is_some());
    let err = cms.get("missing").await.expect_err("404");
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.api().map(kapi_client::ApiError::code), Some(404));
}

#[tokio::test]
async fn write_3_3_duplicate_create_is_already_exists() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    cms.create(&CreateOptions::default(), &config_map("dup", "a", "b"))
        .await
        .expect("create");
    let err = cms
        .create(&CreateOptions::default(), &config_map("dup", "a", "b"))
        .await
        .expect_err("duplicate");
    assert!(err.is_already_exists(), "{err}");
}

#[tokio::test]
async fn write_3_4_replace_with_a_stale_resource_version_is_a_conflict() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let v1 = cms
        .create(&CreateOptions::default(), &config_map("c", "n", "1"))
        .await
        .expect("create");
    let mut v2 = v1.clone();
    v2.data = [("n".into(), "2".into())].into();
    let v2 = cms
        .replace("c", &UpdateOptions::default(), &v2)
        .await
        .expect("replace");
    assert_ne!(v2.resource_version(), v1.resource_version());
    let mut stale = v1.clone();
    stale.data = [("n".into(), "3".into())].into();
    let err = cms
        .replace("c", &UpdateOptions::default(), &stale)
        .await
        .expect_err("conflict");
    assert!(err.is_conflict(), "{err}");
    assert!(!err.is_not_found());
    let err = cms
        .replace(
            "nope",
            &UpdateOptions::default(),
            &config_map("nope", "a", "b"),
        )
        .await
        .expect_err("404");
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn write_3_15_dry_run_create_stores_nothing() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let opts = CreateOptions {
        dry_run: true,
        field_manager: Some("tests".into()),
        field_validation: Some(FieldValidation::Strict),
    };
    let out = cms
        .create(&opts, &config_map("dry", "a", "b"))
        .await
        .expect("dry run");
    assert_eq!(out.name(), "dry");
    assert!(out.uid().is_some());
    assert!(out.resource_version().is_none());
    assert!(cms.get_opt("dry").await.expect("get").is_none());
    let replace = UpdateOptions {
        dry_run: true,
        ..UpdateOptions::default()
    };
    cms.create(&CreateOptions::default(), &config_map("real", "a", "b"))
        .await
        .expect("create");
    let mut changed = config_map("real", "a", "changed");
    changed.metadata.resource_version = None;
    cms.replace("real", &replace, &changed)
        .await
        .expect("dry replace");
    let stored = cms.get("real").await.expect("get");
    assert_eq!(stored.data.get("a").map(CompactString::as_str), Some("b"));
}

#[tokio::test]
async fn write_3_8_json_merge_and_strategic_patches() {
    let (_server, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    pods.create(&CreateOptions::default(), &pod("p"))
        .await
        .expect("create");
    let pp = PatchOptions::default();
    let p = pods
        .patch(
            "p",
            &pp,
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "web"}}})),
        )
        .await
        .expect("merge");
    assert_eq!(
        p.metadata.labels.get("tier").map(CompactString::as_str),
        Some("web")
    );
    let p = pods
        .patch(
            "p",
            &pp,
            &Patch::Json(
                json!([{"op": "add", "path": "/metadata/annotations", "value": {"a": "1"}}]),
            ),
        )
        .await
        .expect("json patch");
    assert!(!p.metadata.annotations.is_empty());
    // Strategic merge: containers merge by name instead of replacing the list.
    let p = pods
        .patch(
            "p",
            &pp,
            &Patch::Strategic(
                json!({"spec": {"containers": [{"name": "sidecar", "image": "busybox"}]}}),
            ),
        )
        .await
        .expect("strategic");
    let names: Vec<String> = p
        .spec
        .map(|s| s.containers.into_iter().map(|c| c.name.into()).collect())
        .unwrap_or_default();
    assert_eq!(names.len(), 2, "{names:?}");
    // A failing JSON-patch operation is 422.
    let err = pods
        .patch(
            "p",
            &pp,
            &Patch::Json(json!([{"op": "remove", "path": "/metadata/nope"}])),
        )
        .await
        .expect_err("bad op");
    assert!(err.is_invalid(), "{err}");
    // A resourceVersion inside a patch is a precondition.
    let err = pods
        .patch(
            "p",
            &pp,
            &Patch::Merge(json!({"metadata": {"resourceVersion": "1"}})),
        )
        .await
        .expect_err("stale");
    assert!(err.is_conflict(), "{err}");
    let err = pods
        .patch("missing", &pp, &Patch::Merge(json!({})))
        .await
        .expect_err("404");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn patch_options_are_checked_before_sending() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let err = cms
        .patch("x", &PatchOptions::default(), &Patch::Apply(json!({})))
        .await
        .expect_err("no manager");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    let err = cms
        .patch(
            "x",
            &PatchOptions::default().force(),
            &Patch::Merge(json!({})),
        )
        .await
        .expect_err("force");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
}

#[tokio::test]
async fn write_3_12_delete_returns_the_object_or_a_status() {
    let (_server, client) = setup().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    pods.create(&CreateOptions::default(), &pod("p"))
        .await
        .expect("create");
    match pods
        .delete("p", &DeleteOptions::default())
        .await
        .expect("delete pod")
    {
        Either::Left(p) => assert_eq!(p.name(), "p"),
        Either::Right(s) => panic!("pods answer with the object, got {s:?}"),
    }
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    cms.create(&CreateOptions::default(), &config_map("c", "a", "b"))
        .await
        .expect("create");
    let res = cms
        .delete("c", &DeleteOptions::default())
        .await
        .expect("delete cm");
    let status: Status = res.right().expect("config maps answer with a Status");
    assert!(status.is_success());
    let err = cms
        .delete("c", &DeleteOptions::default())
        .await
        .expect_err("gone");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn write_3_12_finalizers_keep_the_object_and_3_13_preconditions_and_propagation() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let mut cm = config_map("held", "a", "b");
    cm.metadata.finalizers = vec!["example.com/hold".into()].into();
    let created = cms
        .create(&CreateOptions::default(), &cm)
        .await
        .expect("create");

    let wrong = DeleteOptions {
        preconditions: Some(Preconditions {
            uid: Some("not-the-uid".into()),
            resource_version: None,
        }),
        ..DeleteOptions::default()
    };
    let err = cms.delete("held", &wrong).await.expect_err("precondition");
    assert!(err.is_conflict(), "{err}");

    let opts = DeleteOptions {
        preconditions: Some(Preconditions {
            uid: created.uid().map(str::to_owned),
            resource_version: None,
        }),
        ..DeleteOptions::propagation(PropagationPolicy::Foreground)
    };
    let pending = cms
        .delete("held", &opts)
        .await
        .expect("delete")
        .left()
        .expect("object while pending");
    assert!(pending.metadata.deletion_timestamp.is_some());
    let finalizers = pending.metadata.finalizers.clone();
    assert!(
        finalizers.iter().any(|f| f == "foregroundDeletion"),
        "{finalizers:?}"
    );

    let dry = cms
        .delete("held", &DeleteOptions::dry_run())
        .await
        .expect("dry-run delete");
    assert!(dry.is_left());
    // Removing the finalizers completes the delete.
    cms.patch(
        "held",
        &PatchOptions::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .expect("clear finalizers");
    assert!(cms.get_opt("held").await.expect("get").is_none());

    let both = DeleteOptions {
        orphan_dependents: Some(true),
        ..DeleteOptions::propagation(PropagationPolicy::Orphan)
    };
    cms.create(&CreateOptions::default(), &config_map("x", "a", "b"))
        .await
        .expect("create");
    let err = cms.delete("x", &both).await.expect_err("both");
    assert!(err.is_invalid(), "{err}");
}

#[tokio::test]
async fn write_3_14_delete_collection_by_selector() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for (name, app) in [("a", "web"), ("b", "web"), ("c", "db")] {
        let mut cm = config_map(name, "k", "v");
        cm.metadata.labels = [("app".into(), app.into())].into();
        cms.create(&CreateOptions::default(), &cm)
            .await
            .expect("create");
    }
    let gone = cms
        .delete_collection(
            &DeleteOptions::default(),
            &ListOptions::default().labels("app=web"),
        )
        .await
        .expect("deletecollection");
    let names: Vec<String> = gone
        .left()
        .expect("a list")
        .items
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let left = cms.list(&ListOptions::default()).await.expect("list");
    assert_eq!(
        left.items
            .iter()
            .map(kapi_apimachinery::Object::name)
            .collect::<Vec<_>>(),
        ["c"]
    );
    let all: Api<ConfigMap> = Api::all(client);
    let err = all
        .delete_collection(&DeleteOptions::default(), &ListOptions::default())
        .await
        .expect_err("needs a namespace");
    assert!(matches!(err, Error::InvalidRequest(_)));
}

#[tokio::test]
async fn url_1_1_namespaces_are_cluster_scoped_and_all_namespaces_lists_everything() {
    let (_server, client) = setup().await;
    let nss: Api<Namespace> = Api::cluster(client.clone());
    let ns = Namespace {
        metadata: meta("team-a"),
        ..Namespace::default()
    };
    nss.create(&CreateOptions::default(), &ns)
        .await
        .expect("create ns");
    let names: Vec<String> = nss
        .list(&ListOptions::default())
        .await
        .expect("list")
        .items
        .iter()
        .map(|n| n.name().to_owned())
        .collect();
    for want in ["default", "kube-system", "team-a"] {
        assert!(names.iter().any(|n| n == want), "{names:?}");
    }
    Api::<ConfigMap>::namespaced(client.clone(), "team-a")
        .create(&CreateOptions::default(), &config_map("in-a", "k", "v"))
        .await
        .expect("create in team-a");
    Api::<ConfigMap>::namespaced(client.clone(), "default")
        .create(
            &CreateOptions::default(),
            &config_map("in-default", "k", "v"),
        )
        .await
        .expect("create in default");
    let all: Api<ConfigMap> = Api::all(client.clone());
    let everywhere = all.list(&ListOptions::default()).await.expect("list all");
    let keys: Vec<String> = everywhere
        .items
        .iter()
        .map(kapi_apimachinery::Object::cache_key)
        .collect();
    assert!(
        keys.contains(&"team-a/in-a".to_owned()) && keys.contains(&"default/in-default".to_owned()),
        "{keys:?}"
    );
    let err = all.get("in-a").await.expect_err("needs a namespace");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    // 3.17: creating in a missing namespace is 404.
    let err = Api::<ConfigMap>::namespaced(client.clone(), "nowhere")
        .create(&CreateOptions::default(), &config_map("x", "k", "v"))
        .await
        .expect_err("missing namespace");
    assert!(err.is_not_found(), "{err}");
    // Deleting a namespace answers with it (terminating).
    let res = nss
        .delete("team-a", &DeleteOptions::default())
        .await
        .expect("delete ns");
    assert!(res.is_left());
    let default_ns: Api<ConfigMap> = Api::default_namespaced(client);
    assert_eq!(default_ns.namespace(), Some("default"));
}

#[tokio::test]
async fn leases_create_renew_and_conflict() {
    let (_server, client) = setup().await;
    let leases: Api<Lease> = Api::namespaced(client, "kube-node-lease");
    let lease = Lease {
        metadata: meta("leader"),
        spec: Some(LeaseSpec {
            holder_identity: Some("a".into()),
            lease_duration_seconds: Some(15),
            ..LeaseSpec::default()
        }),
    };
    let held = leases
        .create(&CreateOptions::default(), &lease)
        .await
        .expect("acquire");
    let mut renew = held.clone();
    renew
        .spec
        .get_or_insert_with(LeaseSpec::default)
        .lease_transitions = Some(1);
    let renewed = leases
        .replace("leader", &UpdateOptions::default(), &renew)
        .await
        .expect("renew");
    // Another candidate still holding the old version loses.
    let mut steal = held;
    steal
        .spec
        .get_or_insert_with(LeaseSpec::default)
        .holder_identity = Some("b".into());
    let err = leases
        .replace("leader", &UpdateOptions::default(), &steal)
        .await
        .expect_err("stale");
    assert!(err.is_conflict());
    assert_eq!(
        leases
            .get("leader")
            .await
            .expect("get")
            .spec
            .and_then(|s| s.holder_identity),
        Some("a".into())
    );
    assert_eq!(renewed.spec.and_then(|s| s.lease_transitions), Some(1));
}

#[tokio::test]
async fn retry_on_conflict_rereads_until_the_write_lands() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    cms.create(&CreateOptions::default(), &config_map("counter", "n", "0"))
        .await
        .expect("create");
    let stale = cms.get("counter").await.expect("get");
    // Someone else writes in between: the first attempt (from `stale`) conflicts.
    cms.patch(
        "counter",
        &PatchOptions::default(),
        &Patch::Merge(json!({"data": {"n": "1"}})),
    )
    .await
    .expect("other writer");
    let mut attempts = 0;
    let out = kapi_client::retry_on_conflict(kapi_client::Backoff::conflict_default(), || {
        attempts += 1;
        let cms = cms.clone();
        let first = (attempts == 1).then(|| stale.clone());
        async move {
            let mut cm = match first {
                Some(cm) => cm,
                None => cms.get("counter").await?,
            };
            let n: u32 = cm.data.get("n").and_then(|v| v.parse().ok()).unwrap_or(0);
            cm.data.insert("n".into(), ((n + 1).to_string()).into());
            cms.replace("counter", &UpdateOptions::default(), &cm).await
        }
    })
    .await
    .expect("lands");
    assert_eq!(attempts, 2);
    assert_eq!(out.data.get("n").map(CompactString::as_str), Some("2"));
}
