//! Options query strings, API errors, watch-event decoding, Scheme and RESTMapper.

use std::collections::BTreeMap;
use std::time::Duration;

use kapi_apimachinery::meta::{decode_event, EventType, ObjectMeta, Status, WatchEvent};
use kapi_apimachinery::options::{
    CreateOptions, DeleteOptions, FieldValidation, GetOptions, ListOptions, PatchOptions,
    Preconditions, PropagationPolicy, ResourceVersionMatch,
};
use kapi_apimachinery::restmapper::{guess_plural, RestMapper, StaticRestMapper};
use kapi_apimachinery::scheme::{Decoded, Scheme};
use kapi_apimachinery::{
    ApiError, ClusterScope, DynamicObject, Error, GroupKind, GroupVersionKind,
    GroupVersionResource, NamespaceScope, Object, Resource, ResourceInfo, Scope, Verbs,
};
use serde::{Deserialize, Serialize};

#[test]
fn list_options_query_strings() {
    assert_eq!(ListOptions::default().to_query(), "");
    let opts = ListOptions {
        label_selector: Some("a=b,c in (d,e)".into()),
        field_selector: Some("metadata.name=x".into()),
        resource_version: Some("0".into()),
        resource_version_match: Some(ResourceVersionMatch::NotOlderThan),
        timeout_seconds: Some(300),
        limit: Some(500),
        continue_token: Some("tok==".into()),
        ..ListOptions::default()
    };
    assert_eq!(
        opts.to_query(),
        "labelSelector=a%3Db%2Cc+in+%28d%2Ce%29&fieldSelector=metadata.name%3Dx&resourceVersion=0\
         &resourceVersionMatch=NotOlderThan&timeoutSeconds=300&limit=500&continue=tok%3D%3D"
    );
    let watch = ListOptions::default().watch_from("42");
    assert_eq!(
        watch.to_query(),
        "watch=true&allowWatchBookmarks=true&resourceVersion=42"
    );
    let wl = ListOptions::default().watch_list("");
    assert_eq!(
        wl.to_query(),
        "watch=true&allowWatchBookmarks=true&resourceVersion=&resourceVersionMatch=NotOlderThan&sendInitialEvents=true"
    );
    assert_eq!(
        GetOptions {
            resource_version: Some("7".into())
        }
        .to_query(),
        "resourceVersion=7"
    );
}

#[test]
fn write_options_query_strings() {
    let c = CreateOptions {
        dry_run: true,
        field_manager: Some("me".into()),
        field_validation: Some(FieldValidation::Strict),
    };
    assert_eq!(
        c.to_query(),
        "dryRun=All&fieldManager=me&fieldValidation=Strict"
    );
    assert_eq!(
        PatchOptions::apply("kubectl").force().to_query(),
        "fieldManager=kubectl&force=true"
    );
    let d = DeleteOptions {
        grace_period_seconds: Some(0),
        propagation_policy: Some(PropagationPolicy::Foreground),
        preconditions: Some(Preconditions {
            uid: Some("u".into()),
            resource_version: None,
        }),
        ..DeleteOptions::default()
    };
    assert_eq!(
        d.to_query(),
        "gracePeriodSeconds=0&propagationPolicy=Foreground"
    );
    let body = serde_json::to_value(d.to_body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"apiVersion":"v1","kind":"DeleteOptions","gracePeriodSeconds":0,
            "preconditions":{"uid":"u"},"propagationPolicy":"Foreground"})
    );
    // Unknown enum values survive a round-trip.
    let odd: DeleteOptions = serde_json::from_str(r#"{"propagationPolicy":"Sideways"}"#).unwrap();
    assert_eq!(
        odd.propagation_policy,
        Some(PropagationPolicy::Other("Sideways".into()))
    );
    assert_eq!(
        serde_json::to_string(&odd).unwrap(),
        r#"{"propagationPolicy":"Sideways"}"#
    );
}

#[test]
fn api_error_helpers() {
    let nf = ApiError::new(Status::not_found("", "configmaps", "x"));
    assert!(nf.is_not_found() && !nf.is_conflict());
    assert_eq!(nf.message(), r#"configmaps "x" not found"#);
    let nf_apps = Status::not_found("apps", "deployments", "d");
    assert_eq!(
        nf_apps.message.as_deref(),
        Some(r#"deployments.apps "d" not found"#)
    );
    assert_eq!(
        nf_apps.details.as_ref().unwrap().group.as_deref(),
        Some("apps")
    );
    assert!(Status::not_found("", "pods", "p")
        .details
        .unwrap()
        .group
        .is_none());

    let conflict = ApiError::new(Status::conflict("", "configmaps", "x", Status::MODIFIED));
    assert!(conflict.is_conflict() && !conflict.is_already_exists());
    assert_eq!(
        conflict.message(),
        "Operation cannot be fulfilled on configmaps \"x\": the object has been modified; please apply your changes to the latest version and try again"
    );
    let exists = ApiError::new(Status::already_exists("", "configmaps", "x"));
    assert!(exists.is_already_exists() && !exists.is_conflict());
    assert!(ApiError::new(Status::expired("too old resource version: 1 (5)")).is_expired());

    let tmr = ApiError::new(Status::too_many_requests(3));
    assert!(tmr.is_too_many_requests());
    assert_eq!(tmr.retry_after(), Some(Duration::from_secs(3)));
    let mut plain = ApiError::from_code(503, "upstream overloaded\n");
    assert!(plain.is_service_unavailable());
    assert_eq!(plain.message(), "upstream overloaded");
    assert_eq!(plain.retry_after(), None);
    plain.retry_after_header = Some(2);
    assert_eq!(plain.retry_after(), Some(Duration::from_secs(2)));
    assert!(ApiError::from_code(410, "").is_gone());
    assert!(ApiError::from_code(422, "").is_invalid());

    let invalid = Status::invalid(
        "apps",
        "Deployment",
        "d",
        vec![kapi_apimachinery::meta::StatusCause::new(
            "FieldValueInvalid",
            "Invalid value: 15: must be less than or equal to 10",
            "spec.replicas",
        )],
    );
    assert_eq!(
        invalid.message.as_deref(),
        Some("Deployment.apps \"d\" is invalid: spec.replicas: Invalid value: 15: must be less than or equal to 10")
    );
    assert_eq!(invalid.code, Some(422));
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Widget {
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default)]
    spec: BTreeMap<String, i64>,
}

impl Object for Widget {
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl Resource for Widget {
    type Scope = NamespaceScope;
    const API_VERSION: &'static str = "example.com/v1";
    const INFO: ResourceInfo = ResourceInfo {
        group: std::borrow::Cow::Borrowed("example.com"),
        version: std::borrow::Cow::Borrowed("v1"),
        kind: std::borrow::Cow::Borrowed("Widget"),
        plural: std::borrow::Cow::Borrowed("widgets"),
        singular: std::borrow::Cow::Borrowed("widget"),
        scope: Scope::Namespaced,
        verbs: Verbs::ALL,
        subresources: std::borrow::Cow::Borrowed(&[std::borrow::Cow::Borrowed("status")]),
    };
}

#[test]
fn watch_events_decode() {
    let added = br#"{"type":"ADDED","object":{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns","resourceVersion":"5"},"spec":{"size":3}}}"#;
    let WatchEvent::Added(w) = decode_event::<Widget>(added).unwrap() else {
        panic!("not ADDED")
    };
    assert_eq!(
        (w.cache_key().as_str(), w.resource_version(), w.spec["size"]),
        ("ns/w", Some("5"), 3)
    );

    let bm = br#"{"type":"BOOKMARK","object":{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}}"#;
    let WatchEvent::Bookmark(b) = decode_event::<Widget>(bm).unwrap() else {
        panic!("not BOOKMARK")
    };
    assert!(b.is_initial_events_end());
    assert_eq!(b.metadata.resource_version, "12");

    let err = br#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#;
    let WatchEvent::Error(st) = decode_event::<Widget>(err).unwrap() else {
        panic!("not ERROR")
    };
    assert!(ApiError::new(st).is_expired());

    assert!(decode_event::<Widget>(br#"{"type":"EXPLODED","object":{}}"#).is_err());
    assert!(decode_event::<Widget>(br#"{"type":"ADDED","object":{"metadata":7}}"#).is_err());
    assert!(decode_event::<Widget>(b"not json").is_err());

    let ev = WatchEvent::Deleted(w);
    let line = serde_json::to_string(&ev).unwrap();
    assert!(line.starts_with(r#"{"type":"DELETED","object":{"metadata""#));
    assert_eq!(ev.event_type(), EventType::Deleted);
}

#[test]
fn scheme_decodes_typed_dynamic_and_lists() {
    let mut scheme = Scheme::new();
    scheme.add_defaulting::<Widget>(|w| {
        w.spec.entry("size".into()).or_insert(1);
    });
    let manifest = "\
apiVersion: example.com/v1
kind: Widget
metadata: {name: a}
---
# an empty document is skipped
---
apiVersion: other.io/v2
kind: Gadget
metadata: {name: g}
spec: {x: [1, 2]}
---
apiVersion: v1
kind: List
items:
- {apiVersion: example.com/v1, kind: Widget, metadata: {name: b}, spec: {size: 7}}
";
    let docs = scheme.decode_yaml(manifest).unwrap();
    assert_eq!(docs.len(), 3);
    assert_eq!(
        docs[1].gvk(),
        GroupVersionKind::new("other.io", "v2", "Gadget")
    );
    let mut it = docs.into_iter();
    let a = it.next().unwrap().downcast::<Widget>().unwrap();
    assert_eq!(a.spec["size"], 1, "defaulting hook ran");
    let Decoded::Dynamic(g) = it.next().unwrap() else {
        panic!("Gadget is not registered")
    };
    assert_eq!(g.data["spec"]["x"][1], 2);
    let b = it.next().unwrap().downcast::<Widget>().unwrap();
    assert_eq!(b.spec["size"], 7);

    let err = scheme.decode_yaml("kind: Widget\n").unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingTypeMeta {
                field: "apiVersion",
                ..
            }
        ),
        "{err}"
    );
    let err = scheme
        .decode_yaml("apiVersion: example.com/v1\nkind: Widget\nspec: {size: x}\n")
        .unwrap_err();
    assert!(err.to_string().contains("invalid"), "{err}");
    assert!(scheme.decode_yaml("a: [unclosed\n").is_err());
    assert!(scheme.decode_json(b"{").is_err());

    scheme.set_version_priority("example.com", &["v2", "v1"]);
    let versions: Vec<String> = scheme
        .prioritized_versions("example.com")
        .iter()
        .map(|g| g.version.clone())
        .collect();
    assert_eq!(versions, ["v2", "v1"]);
}

#[test]
fn hostile_yaml_is_an_error_not_a_hang() {
    // "Billion laughs": aliases that would expand exponentially.
    let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9u8 {
        let prev = (b'a' + i) as char;
        let next = (b'a' + i + 1) as char;
        doc.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    let result = Scheme::new().decode_yaml(&doc);
    assert!(result.is_err(), "alias bomb must be rejected");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(Scheme::new().decode_yaml(&deep).is_err());
}

#[test]
fn dynamic_object_round_trip_and_conversion() {
    let info = Widget::INFO;
    let obj = DynamicObject::new("w", &info)
        .within("ns")
        .with_field("spec", serde_json::json!({"size": 2}));
    let json = serde_json::to_value(&obj).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns"},"spec":{"size":2}})
    );
    let typed: Widget = obj.to_typed().unwrap();
    assert_eq!(typed.spec["size"], 2);
    assert!(serde_json::from_str::<DynamicObject>(r#"{"kind":5}"#).is_err());
    assert!(serde_json::from_str::<DynamicObject>("[]").is_err());
}

#[test]
fn resource_info_paths() {
    let info = Widget::INFO;
    assert_eq!(
        info.collection_path(Some("ns")),
        "/apis/example.com/v1/namespaces/ns/widgets"
    );
    assert_eq!(info.collection_path(None), "/apis/example.com/v1/widgets");
    assert_eq!(
        info.object_path(Some("ns"), "w", Some("status")),
        "/apis/example.com/v1/namespaces/ns/widgets/w/status"
    );
    let ns = ResourceInfo::new(
        &GroupVersionKind::new("", "v1", "Namespace"),
        "namespaces",
        Scope::Cluster,
    );
    assert_eq!(
        ns.object_path(Some("ignored"), "default", None),
        "/api/v1/namespaces/default"
    );
    assert!(info.has_subresource("status") && !info.has_subresource("scale"));
    assert_eq!(
        Verbs::GET.union(Verbs::WATCH).names().collect::<Vec<_>>(),
        ["get", "watch"]
    );
    assert_eq!(
        Verbs::from_name("deletecollection"),
        Some(Verbs::DELETE_COLLECTION)
    );
    fn scope_of<K: Resource>() -> Scope {
        <K::Scope as kapi_apimachinery::ScopeMarker>::SCOPE
    }
    assert_eq!(scope_of::<Widget>(), Scope::Namespaced);
    let _ = ClusterScope;
}

#[test]
fn rest_mapper_resolves_names_short_names_and_versions() {
    let mut m = StaticRestMapper::new();
    let gvk = |g: &str, v: &str, k: &str| GroupVersionKind::new(g, v, k);
    m.add(
        ResourceInfo::new(&gvk("", "v1", "Pod"), "pods", Scope::Namespaced),
        &["po"],
        &["all"],
    );
    m.add(
        ResourceInfo::new(
            &gvk("apps", "v1", "Deployment"),
            "deployments",
            Scope::Namespaced,
        ),
        &["deploy"],
        &["all"],
    );
    m.add(
        ResourceInfo::new(
            &gvk("apps", "v1beta1", "Deployment"),
            "deployments",
            Scope::Namespaced,
        ),
        &["deploy"],
        &[],
    );
    m.add(
        ResourceInfo::new(
            &gvk("extensions.example", "v1", "Deployment"),
            "deployments",
            Scope::Namespaced,
        ),
        &[],
        &[],
    );
    m.add(
        ResourceInfo::new(&gvk("", "v1", "Namespace"), "namespaces", Scope::Cluster),
        &["ns"],
        &[],
    );

    assert_eq!(m.resolve("po").unwrap().plural, "pods");
    assert_eq!(m.resolve("pod").unwrap().plural, "pods");
    assert_eq!(m.resolve("Pod").unwrap().plural, "pods");
    assert_eq!(m.resolve("deploy").unwrap().version, "v1");
    assert_eq!(
        m.resolve("deployments.v1beta1.apps").unwrap().version,
        "v1beta1"
    );
    assert_eq!(
        m.resolve("deployments.extensions.example").unwrap().group,
        "extensions.example"
    );
    assert!(matches!(
        m.resolve("deployments"),
        Err(Error::Ambiguous { .. })
    ));
    assert!(matches!(m.resolve("nothing"), Err(Error::NoMapping(_))));
    assert_eq!(m.resolve("ns").unwrap().scope, Scope::Cluster);

    let gk = GroupKind::new("apps", "Deployment");
    assert_eq!(m.rest_mapping(&gk, &[]).unwrap().version, "v1");
    assert_eq!(
        m.rest_mapping(&gk, &["v1beta1"]).unwrap().version,
        "v1beta1"
    );
    assert!(m.rest_mapping(&gk, &["v9"]).is_err());
    assert_eq!(
        m.kind_for(&GroupVersionResource::new("", "", "pods"))
            .unwrap()
            .kind,
        "Pod"
    );
    let all: Vec<String> = m
        .category("all")
        .iter()
        .map(|i| i.plural.to_string())
        .collect();
    assert_eq!(all, ["pods", "deployments"]);

    assert_eq!(guess_plural("Endpoints").0, "endpoints");
    assert_eq!(guess_plural("Policy").0, "policies");
    assert_eq!(guess_plural("Class").0, "classes");
}

#[test]
fn label_selector_struct_converts_to_selector() {
    use kapi_apimachinery::meta::{LabelSelector, LabelSelectorRequirement};
    use kapi_apimachinery::Selector;
    let ls = LabelSelector {
        match_labels: kapi_apimachinery::Map::from([("app".into(), "web".into())]),
        match_expressions: kapi_apimachinery::thin_vec![LabelSelectorRequirement {
            key: "tier".into(),
            operator: "NotIn".into(),
            values: kapi_apimachinery::thin_vec!["db".into()],
        }],
    };
    let sel = Selector::try_from(&ls).unwrap();
    let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert!(sel.matches(&labels(&[("app", "web")])));
    assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "db")])));
    assert_eq!(ls.to_selector_string().unwrap(), "app=web,tier notin (db)");
    let bad = LabelSelector {
        match_expressions: kapi_apimachinery::thin_vec![LabelSelectorRequirement {
            key: "k".into(),
            operator: "Sometimes".into(),
            values: kapi_apimachinery::ThinVec::new(),
        }],
        ..LabelSelector::default()
    };
    let err = Selector::try_from(&bad).unwrap_err();
    assert!(err.to_string().contains("Sometimes"), "{err}");
    assert!(Selector::try_from(&LabelSelector::default())
        .unwrap()
        .is_empty());
    let parse_err: Error = "a in (b".parse::<Selector>().unwrap_err().into();
    assert!(
        parse_err
            .to_string()
            .contains("unable to parse requirement"),
        "{parse_err}"
    );
}

#[cfg(feature = "schemars")]
#[test]
fn value_types_have_structural_schemas() {
    use kapi_apimachinery::{IntOrString, Quantity, Time};
    let s = serde_json::to_value(schemars::schema_for!(IntOrString)).unwrap();
    assert_eq!(s["x-kubernetes-int-or-string"], true);
    let q = serde_json::to_value(schemars::schema_for!(Quantity)).unwrap();
    assert!(
        q["pattern"].as_str().unwrap().contains("Ki|Mi")
            || q["pattern"].as_str().unwrap().contains("[KMGTPE]i")
    );
    let t = serde_json::to_value(schemars::schema_for!(Time)).unwrap();
    assert_eq!(
        (t["type"].as_str(), t["format"].as_str()),
        (Some("string"), Some("date-time"))
    );
    let ls = serde_json::to_value(schemars::schema_for!(
        kapi_apimachinery::meta::LabelSelector
    ))
    .unwrap();
    assert!(ls.to_string().contains("matchLabels"), "{ls}");
}

#[test]
fn fields_v1_keeps_raw_json_and_reads_yaml() {
    use kapi_apimachinery::meta::ManagedFieldsEntry;
    let json = r#"{"manager":"m","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}}"#;
    let e: ManagedFieldsEntry = serde_json::from_str(json).unwrap();
    let f = e.fields_v1.as_ref().unwrap();
    assert_eq!(
        f.as_json(),
        r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}"#
    );
    assert_eq!(serde_json::to_string(&e).unwrap(), json);
    let yaml =
        "manager: m\nfieldsV1:\n  f:metadata:\n    f:labels:\n      .: {}\n      f:app: {}\n";
    let y: ManagedFieldsEntry = serde_yaml::from_str(yaml).unwrap();
    assert_eq!(y.fields_v1.unwrap().to_value(), f.to_value());
    assert!(serde_json::from_str::<ManagedFieldsEntry>(r#"{"fieldsV1":{"a":}}"#).is_err());
    // A pretty-printed document's field set is kept compact, in its members' order, and so
    // equals (and encodes like) the compact one.
    let pretty = "{\"manager\": \"m\",\n \"fieldsV1\": {\"f:metadata\": {\"f:labels\": {\".\": {}, \"f:app\": {}}}}}";
    let p: ManagedFieldsEntry = serde_json::from_str(pretty).unwrap();
    assert_eq!(p.fields_v1.as_ref().unwrap().as_json(), f.as_json());
    assert_eq!(p, e);
    let spaced_key = r#"{"fieldsV1":{"k:{\"name\":\"a b\"}":{}, "f:z":{}}}"#;
    let k: ManagedFieldsEntry = serde_json::from_str(spaced_key).unwrap();
    assert_eq!(
        k.fields_v1.unwrap().as_json(),
        r#"{"k:{\"name\":\"a b\"}":{},"f:z":{}}"#,
        "whitespace inside strings stays, member order stays"
    );
}
