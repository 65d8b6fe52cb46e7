//! The generated resource types: JSON round trips, `Object`, `Resource::INFO`, `new`, and the
//! `crate = "..."` override.

mod common;

use common::{PodSet, PodSetSpec, PodSetStatus, Policy, PolicySpec, Strategy, Template};
use kapi::apimachinery::restmapper::guess_plural;
use kapi::apimachinery::{Object, Resource, Scope, ScopeMarker, Verbs};
use serde_json::json;

fn sample() -> PodSet {
    let mut set = PodSet::new(
        "web",
        PodSetSpec {
            replicas: 3,
            template: Template {
                image: "nginx:1.27".into(),
                memory: "128Mi".parse().expect("quantity"),
                ..Template::default()
            },
            strategy: Strategy::RollingUpdate { surge: 1 },
            ..PodSetSpec::default()
        },
    );
    set.metadata.namespace = Some("prod".into());
    set
}

#[test]
fn serializes_api_version_and_kind_first_and_omits_missing_status() {
    let set = sample();
    let text = serde_json::to_string(&set).expect("serialize");
    assert!(
        text.starts_with(r#"{"apiVersion":"demo.kapi.dev/v1","kind":"PodSet","metadata":"#),
        "{text}"
    );
    assert_eq!(
        serde_json::to_value(&set).expect("serialize"),
        json!({
            "apiVersion": "demo.kapi.dev/v1",
            "kind": "PodSet",
            "metadata": { "name": "web", "namespace": "prod" },
            "spec": {
                "replicas": 3,
                "template": { "image": "nginx:1.27", "memory": "128Mi" },
                "strategy": { "type": "rollingUpdate", "surge": 1 },
                "paused": false
            }
        })
    );
}

#[test]
fn round_trips_with_status() {
    let mut set = sample();
    set.status = Some(PodSetStatus {
        replicas: 3,
        ready_replicas: 2,
        selector: Some("app=web".into()),
        ..PodSetStatus::default()
    });
    let value = serde_json::to_value(&set).expect("serialize");
    assert_eq!(value["status"]["readyReplicas"], 2);
    let back: PodSet = serde_json::from_value(value).expect("deserialize");
    assert_eq!(back, set);
}

#[test]
fn deserializes_ignoring_type_meta_and_unknown_fields() {
    let set: PodSet = serde_json::from_value(json!({
        "apiVersion": "demo.kapi.dev/v1beta1",
        "kind": "Whatever",
        "metadata": { "name": "a", "resourceVersion": "7" },
        "spec": { "replicas": 1, "template": { "image": "x", "memory": 1 } },
        "status": null,
        "extra": true
    }))
    .expect("deserialize");
    assert_eq!(set.name(), "a");
    assert_eq!(set.resource_version(), Some("7"));
    assert_eq!(set.spec.replicas, 1);
    assert_eq!(set.status, None);

    // Without metadata the default is used; without spec it is an error naming the field.
    let bare: Policy = serde_json::from_value(json!({ "spec": { "rules": [] } })).expect("bare");
    assert_eq!(bare.metadata, Default::default());
    let err = serde_json::from_value::<Policy>(json!({ "metadata": {} })).unwrap_err();
    assert!(err.to_string().contains("missing field `spec`"), "{err}");
    let err = serde_json::from_value::<Policy>(json!("text")).unwrap_err();
    assert!(
        err.to_string().contains("expected a Policy object"),
        "{err}"
    );
}

#[test]
fn resource_info() {
    assert_eq!(PodSet::API_VERSION, "demo.kapi.dev/v1");
    let info = PodSet::INFO;
    assert_eq!(info.group, "demo.kapi.dev");
    assert_eq!(info.version, "v1");
    assert_eq!(info.kind, "PodSet");
    assert_eq!(info.plural, "podsets");
    assert_eq!(info.singular, "podset");
    assert_eq!(info.scope, Scope::Namespaced);
    assert_eq!(<PodSet as Resource>::Scope::SCOPE, Scope::Namespaced);
    assert_eq!(info.verbs, Verbs::ALL);
    assert_eq!(info.subresources.as_ref(), ["status", "scale"]);
    assert_eq!(
        info.object_path(Some("prod"), "web", Some("scale")),
        "/apis/demo.kapi.dev/v1/namespaces/prod/podsets/web/scale"
    );
    assert_eq!(PodSet::CRD_NAME, "podsets.demo.kapi.dev");

    let info = Policy::INFO;
    assert_eq!(info.plural, "policies");
    assert_eq!(info.singular, "policy");
    assert_eq!(info.scope, Scope::Cluster);
    assert!(info.subresources.is_empty());
    assert_eq!(
        info.collection_path(Some("ignored")),
        "/apis/policy.kapi.dev/v1alpha1/policies"
    );
}

#[test]
fn object_and_constructors() {
    let mut policy = Policy::new("strict", PolicySpec { rules: vec![] });
    assert_eq!(policy.name(), "strict");
    policy
        .metadata_mut()
        .labels
        .insert("tier".into(), "gold".into());
    assert_eq!(policy.metadata().labels["tier"], "gold");
    assert_eq!(policy.cache_key(), "strict");

    // Default and PartialEq exist when the spec has them.
    let set = PodSet::default();
    assert_eq!(set.spec, PodSetSpec::default());
    assert_eq!(set.status, None);
    assert_eq!(set, PodSet::default());
}

/// The derive's plural guess agrees with the REST mapper's.
#[test]
fn default_plurals_match_the_rest_mapper() {
    mod kinds {
        use kapi::CustomResource;
        use schemars::JsonSchema;
        use serde::{Deserialize, Serialize};

        macro_rules! kinds {
            ($($spec:ident => $kind:literal),*) => {$(
                #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
                #[kapi(group = "plural.kapi.dev", version = "v1", kind = $kind)]
                pub(crate) struct $spec {}
            )*};
        }
        kinds!(ASpec => "Ingress", BSpec => "NetworkPolicy", CSpec => "Endpoints",
               DSpec => "Box", ESpec => "Gateway", FSpec => "Status");
    }
    let cases = [
        (kinds::Ingress::INFO, "Ingress"),
        (kinds::NetworkPolicy::INFO, "NetworkPolicy"),
        (kinds::Endpoints::INFO, "Endpoints"),
        (kinds::Box::INFO, "Box"),
        (kinds::Gateway::INFO, "Gateway"),
        (kinds::Status::INFO, "Status"),
    ];
    for (info, kind) in cases {
        let (plural, singular) = guess_plural(kind);
        assert_eq!(info.plural, plural, "{kind}");
        assert_eq!(info.singular, singular, "{kind}");
    }
}

/// A re-export of the facade under another path, for `crate = "..."`.
mod facade {
    pub(crate) use kapi::*;
}

mod renamed {
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// A widget.
    #[derive(crate::facade::CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
    #[kapi(
        group = "other.kapi.dev",
        version = "v2",
        kind = "Widget",
        crate = "crate::facade"
    )]
    pub(crate) struct WidgetSpec {
        /// Its size.
        pub(crate) size: u8,
    }
}

/// `crate = "..."` points the generated code at a re-export of the facade.
#[test]
fn crate_override() {
    let widget = renamed::Widget::new("w", renamed::WidgetSpec { size: 2 });
    let value = serde_json::to_value(&widget).expect("serialize");
    assert_eq!(value["apiVersion"], "other.kapi.dev/v2");
    assert_eq!(renamed::Widget::crd().spec.names.plural, "widgets");
}
