//! Status and scale subresources (rules 1.3, 3.10, 3.11) and generic named subresources.

use kapi_api::apps::v1::{Deployment, DeploymentStatus};
use kapi_api::autoscaling::v1::{Scale, ScaleSpec};
use kapi_api::core::v1::{ConfigMap, Pod, PodStatus};
use kapi_apimachinery::options::{CreateOptions, PatchOptions, UpdateOptions};
use kapi_apimachinery::Object as _;
use kapi_client::{Api, Error, Patch};
use serde_json::json;

use crate::support::{config_map, deployment, pod, setup};

#[tokio::test]
async fn sub_3_10_status_writes_take_only_status() {
    let (_server, client) = setup().await;
    let deploys: Api<Deployment> = Api::namespaced(client, "default");
    let created = deploys
        .create(&CreateOptions::default(), &deployment("web", 2))
        .await
        .expect("create");
    assert_eq!(created.metadata.generation, Some(1));

    let mut d = deploys.get_status("web").await.expect("get status");
    d.status = Some(DeploymentStatus {
        replicas: Some(2),
        observed_generation: Some(1),
        ..DeploymentStatus::default()
    });
    // A spec change sent through /status is ignored.
    d.spec.as_mut().expect("spec").replicas = Some(9);
    let after = deploys
        .replace_status("web", &UpdateOptions::default(), &d)
        .await
        .expect("replace status");
    assert_eq!(after.status.as_ref().and_then(|s| s.replicas), Some(2));
    assert_eq!(after.spec.as_ref().and_then(|s| s.replicas), Some(2));
    // 3.11: never bumps generation.
    assert_eq!(after.metadata.generation, Some(1));

    let patched = deploys
        .patch_status(
            "web",
            &PatchOptions::default(),
            &Patch::Merge(json!({"status": {"readyReplicas": 1}})),
        )
        .await
        .expect("patch status");
    assert_eq!(
        patched.status.as_ref().and_then(|s| s.ready_replicas),
        Some(1)
    );
    // Stale status write conflicts.
    let err = deploys
        .replace_status("web", &UpdateOptions::default(), &d)
        .await
        .expect_err("stale");
    assert!(err.is_conflict(), "{err}");

    let pods: Api<Pod> = Api::namespaced(deploys.client().clone(), "default");
    pods.create(&CreateOptions::default(), &pod("p"))
        .await
        .expect("pod");
    let mut p = pods.get_status("p").await.expect("pod status");
    p.status = Some(PodStatus {
        phase: Some("Running".into()),
        ..PodStatus::default()
    });
    let p = pods
        .replace_status("p", &UpdateOptions::default(), &p)
        .await
        .expect("pod status");
    assert_eq!(p.status.and_then(|s| s.phase).as_deref(), Some("Running"));
}

#[tokio::test]
async fn sub_1_3_scale_get_replace_and_patch() {
    let (_server, client) = setup().await;
    let deploys: Api<Deployment> = Api::namespaced(client, "default");
    deploys
        .create(&CreateOptions::default(), &deployment("web", 1))
        .await
        .expect("create");
    let scale = deploys.get_scale("web").await.expect("get scale");
    assert_eq!(scale.spec.as_ref().and_then(|s| s.replicas), Some(1));
    assert_eq!(scale.metadata.name.as_deref(), Some("web"));

    let want = Scale {
        metadata: scale.metadata.clone(),
        spec: Some(ScaleSpec { replicas: Some(3) }),
        status: None,
    };
    let out = deploys
        .replace_scale("web", &UpdateOptions::default(), &want)
        .await
        .expect("replace scale");
    assert_eq!(out.spec.and_then(|s| s.replicas), Some(3));
    assert_eq!(
        deploys
            .get("web")
            .await
            .expect("get")
            .spec
            .and_then(|s| s.replicas),
        Some(3)
    );
    // The old resourceVersion is stale now.
    let err = deploys
        .replace_scale("web", &UpdateOptions::default(), &want)
        .await
        .expect_err("stale");
    assert!(err.is_conflict(), "{err}");

    let out = deploys
        .patch_scale(
            "web",
            &PatchOptions::default(),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .expect("patch scale");
    assert_eq!(out.spec.and_then(|s| s.replicas), Some(5));
    let err = deploys.get_scale("missing").await.expect_err("404");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn missing_subresources_are_refused_before_sending() {
    let (_server, client) = setup().await;
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    cms.create(&CreateOptions::default(), &config_map("c", "a", "b"))
        .await
        .expect("create");
    for err in [
        cms.get_status("c").await.expect_err("no status"),
        cms.get_scale("c").await.map(|_| ()).expect_err("no scale"),
        cms.logs("c", &kapi_client::LogParams::default())
            .await
            .map(|_| ())
            .expect_err("no log"),
        cms.evict("c", &Default::default())
            .await
            .map(|_| ())
            .expect_err("no eviction"),
    ] {
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains("configmaps has no")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn generic_subresources_by_name() {
    let (_server, client) = setup().await;
    let deploys: Api<Deployment> = Api::namespaced(client, "default");
    deploys
        .create(&CreateOptions::default(), &deployment("web", 1))
        .await
        .expect("create");
    let scale: serde_json::Value = deploys
        .get_subresource("scale", "web")
        .await
        .expect("scale");
    assert_eq!(scale["kind"], "Scale");
    let status: Deployment = deploys
        .patch_subresource(
            "status",
            "web",
            &PatchOptions::default(),
            &Patch::Merge(json!({"status": {"replicas": 1}})),
        )
        .await
        .expect("patch status");
    assert_eq!(status.status.and_then(|s| s.replicas), Some(1));
    let mut d = deploys.get("web").await.expect("get");
    d.metadata.labels.insert("x".into(), "y".into());
    let d: Deployment = deploys
        .replace_subresource("status", "web", &UpdateOptions::default(), &d)
        .await
        .expect("replace status");
    // Labels are not status: unchanged.
    assert!(!d.metadata.labels.contains_key("x"));
    assert_eq!(d.name(), "web");
}
