//! The generated `Resource` impls, the scheme registration and the catalog agree.
#![cfg(all(feature = "all-groups", feature = "catalog"))]

use kapi_api::apps::v1::Deployment;
use kapi_api::catalog;
use kapi_api::core::v1::{Pod, PodList};
use kapi_api::policy::v1::Eviction;
use kapi_apimachinery::scheme::Scheme;
use kapi_apimachinery::{Object, ObjectList, Resource, Scope, Verbs};

#[test]
fn register_all_covers_every_catalog_type() {
    let mut scheme = Scheme::new();
    kapi_api::register_all(&mut scheme);
    let mut typed = 0;
    for entry in catalog::RESOURCES {
        let gvk = entry.info.gvk();
        match entry.rust_type {
            Some(path) => {
                typed += 1;
                assert_eq!(
                    scheme.info(&gvk),
                    Some(&entry.info),
                    "{path}: INFO differs from the catalog"
                );
            }
            None => assert!(
                !scheme.is_registered(&gvk),
                "{gvk:?} registered without a typed entry"
            ),
        }
    }
    assert_eq!(scheme.infos().count(), typed);
    assert!(typed > 90, "only {typed} typed resources");
}

#[test]
fn pod_and_deployment_facts() {
    assert_eq!(Pod::API_VERSION, "v1");
    assert_eq!(Pod::INFO.scope, Scope::Namespaced);
    assert!(Pod::INFO.verbs.contains(Verbs::ALL));
    for sub in [
        "status",
        "log",
        "exec",
        "eviction",
        "binding",
        "ephemeralcontainers",
        "resize",
    ] {
        assert!(Pod::INFO.has_subresource(sub), "pods/{sub}");
    }
    assert_eq!(Deployment::API_VERSION, "apps/v1");
    assert_eq!(
        Deployment::INFO.collection_path(Some("ns")),
        "/apis/apps/v1/namespaces/ns/deployments"
    );
    assert!(Deployment::INFO.has_subresource("scale"));
    let list: PodList = ObjectList::new(vec![Pod::default()]);
    assert_eq!(list.kind, "PodList");
}

#[test]
fn subresource_bodies_are_objects_not_resources() {
    // `Eviction` is only the body of `pods/eviction`: it has metadata but no collection URL.
    let mut e = Eviction::default();
    e.metadata_mut().name = Some("web-0".into());
    assert_eq!(e.name(), "web-0");
    let pods = catalog::find_by_gvk(&Pod::INFO.gvk()).expect("pods");
    let body = pods
        .subresource("eviction")
        .and_then(|s| s.kind)
        .expect("eviction body");
    assert_eq!(
        (body.group, body.version, body.kind),
        ("policy", "v1", "Eviction")
    );
}

#[test]
fn top_level_kinds_write_type_meta_and_skip_empty_fields() {
    let mut pod = Pod::default();
    pod.metadata.name = Some("a".into());
    let json = serde_json::to_string(&pod).expect("encodes");
    assert_eq!(
        json,
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}"#
    );
    // Unknown fields are ignored, `null` collections read as empty, apiVersion/kind are not kept.
    let back: Pod = serde_json::from_str(
        r#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","labels":null},"bogus":[1,2]}"#,
    )
    .expect("decodes");
    assert_eq!(back, pod);
}

#[test]
fn go_leniency_for_required_fields() {
    use kapi_api::core::v1::Container;
    // `name` is required: missing or null reads as "", and it is always written.
    let c: Container = serde_json::from_str(r#"{"name":null,"image":"x"}"#).expect("decodes");
    assert_eq!(c.name, "");
    assert_eq!(
        serde_json::to_string(&c).expect("encodes"),
        r#"{"image":"x","name":""}"#
    );
}
