//! Every CRD the derive builds passes the API server's rules (apiserver.md §6.1 and the
//! structural-schema rules), including for awkward Rust types; and the checker used for that
//! really does catch violations.

mod checker;
mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use checker::crd_violations;
use kapi::apimachinery::time::Time;
use kapi::apimachinery::{Duration, IntOrString};
use kapi::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Every shape that needs rewriting to be structural.
#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kapi(
    group = "zoo.kapi.dev",
    version = "v1beta2",
    kind = "Zoo",
    status = "ZooStatus",
    description = "A zoo of awkward types"
)]
pub(crate) struct ZooSpec {
    /// A recursive type.
    pub(crate) tree: Tree,
    /// A tuple.
    pub(crate) pair: (i32, String),
    /// A set of strings.
    pub(crate) tags: BTreeSet<String>,
    /// A set of structs.
    pub(crate) points: HashSet<Point>,
    /// Unsigned and floating numbers.
    pub(crate) counts: Counts,
    /// An untagged integer-or-string enum.
    pub(crate) port: PortRef,
    /// Unit and data variants mixed.
    pub(crate) action: Action,
    /// Adjacently tagged.
    pub(crate) event: Event,
    /// Externally tagged, data only.
    pub(crate) source: Source,
    /// Nested options.
    pub(crate) deep: Option<Option<Vec<Option<Point>>>>,
    /// A map of structs, and one of anything.
    pub(crate) by_name: HashMap<String, Point>,
    /// Free-form JSON objects.
    pub(crate) extra: BTreeMap<String, Value>,
    /// Flattened known fields and a catch-all map.
    #[serde(flatten)]
    pub(crate) rest: Flattened,
    /// A boxed value.
    pub(crate) boxed: Box<Point>,
    /// A character and a unit.
    pub(crate) letter: char,
    /// kapi value types via the helpers.
    pub(crate) times: Times,
    /// Validation rules pass through.
    #[schemars(extend("x-kubernetes-validations" = [{"rule": "self.size() < 10", "message": "too many"}]))]
    pub(crate) limited: Vec<String>,
    /// Skipped when serializing: still part of the input schema.
    #[serde(skip_serializing, default)]
    #[allow(dead_code)]
    pub(crate) write_only: Option<String>,
    /// Skipped when deserializing: not part of the schema.
    #[serde(skip_deserializing)]
    pub(crate) read_only: String,
}

/// A tree.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Tree {
    /// Its value.
    pub(crate) value: i64,
    /// Its children.
    pub(crate) children: Vec<Tree>,
}

/// A point.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Point {
    /// X.
    pub(crate) x: i32,
    /// Y.
    pub(crate) y: i32,
}

/// Numbers.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Counts {
    /// A byte.
    pub(crate) small: u8,
    /// A big one.
    pub(crate) big: u64,
    /// A size.
    pub(crate) size: usize,
    /// A ratio.
    pub(crate) ratio: f32,
    /// A precise ratio.
    pub(crate) precise: f64,
    /// A signed short.
    pub(crate) short: i16,
}

/// A port number or name.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum PortRef {
    /// By number.
    Number(u16),
    /// By name.
    Name(String),
}

/// Unit and data variants.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub(crate) enum Action {
    /// Nothing.
    Noop,
    /// Scale to.
    Scale(u32),
}

/// Adjacently tagged.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "data")]
pub(crate) enum Event {
    /// Started.
    Started {
        /// When.
        at: String,
    },
    /// Stopped.
    Stopped {
        /// Exit code.
        code: i32,
    },
}

/// Externally tagged, data only.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Source {
    /// From git.
    Git {
        /// Repository.
        url: String,
    },
    /// From an image.
    Image(String),
}

/// Flattened fields.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Flattened {
    /// A known field.
    pub(crate) known: bool,
    /// Everything else.
    #[serde(flatten)]
    pub(crate) other: BTreeMap<String, Value>,
}

/// kapi's value types.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Times {
    /// A timestamp.
    #[schemars(schema_with = "kapi::derive_support::time_schema")]
    pub(crate) at: Time,
    /// A duration.
    #[schemars(schema_with = "kapi::derive_support::duration_schema")]
    pub(crate) every: Duration,
    /// An int-or-string.
    #[schemars(schema_with = "kapi::derive_support::int_or_string_schema")]
    pub(crate) budget: IntOrString,
    /// An embedded built-in object.
    #[schemars(schema_with = "kapi::derive_support::embedded_object_schema")]
    pub(crate) template: Value,
    /// An embedded resource.
    #[schemars(schema_with = "kapi::derive_support::embedded_resource_schema")]
    pub(crate) object: Value,
}

/// Status.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub(crate) struct ZooStatus {
    /// Unit.
    pub(crate) nothing: (),
}

fn crd_json<T: Serialize>(crd: &T) -> Value {
    serde_json::to_value(crd).expect("serialize")
}

fn spec_schema(crd: &Value) -> &Value {
    &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
}

#[test]
fn representative_crds_pass() {
    for crd in [
        crd_json(&common::PodSet::crd()),
        crd_json(&common::Policy::crd()),
        crd_json(&Zoo::crd()),
    ] {
        let violations = crd_violations(&crd);
        assert!(
            violations.is_empty(),
            "{}:\n{}",
            crd["metadata"]["name"],
            violations.join("\n")
        );
    }
}

#[test]
fn awkward_types_become_structural() {
    let crd = crd_json(&Zoo::crd());
    let root = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    assert_eq!(root["description"], "A zoo of awkward types");
    let text = root.to_string();
    for gone in [
        "$ref",
        "$defs",
        "$schema",
        "title",
        "const",
        "prefixItems",
        "uniqueItems",
    ] {
        assert!(!text.contains(gone), "{gone} left in {text}");
    }
    let p = &spec_schema(&crd)["properties"];

    // Recursion stops with "anything" where the type recurs.
    assert_eq!(
        p["tree"]["properties"]["children"]["items"],
        json!({"x-kubernetes-preserve-unknown-fields": true})
    );
    // Tuples: one items schema for all.
    assert_eq!(
        p["pair"]["items"],
        json!({"x-kubernetes-preserve-unknown-fields": true})
    );
    assert_eq!(p["pair"]["minItems"], 2);
    // Sets.
    assert_eq!(p["tags"]["x-kubernetes-list-type"], "set");
    assert_eq!(p["points"]["items"]["type"], "object");
    assert!(p["points"].get("x-kubernetes-list-type").is_none());
    // `deny_unknown_fields` (`additionalProperties: false`) is not structural: dropped.
    assert!(p["points"]["items"].get("additionalProperties").is_none());
    // Numbers.
    let c = &p["counts"]["properties"];
    assert_eq!(
        (&c["small"]["format"], &c["small"]["maximum"]),
        (&json!("int32"), &json!(255))
    );
    assert_eq!(
        (&c["big"]["format"], &c["big"]["minimum"]),
        (&json!("int64"), &json!(0))
    );
    assert_eq!(c["size"]["format"], "int64");
    assert_eq!(c["ratio"]["format"], "float");
    assert_eq!(c["precise"]["format"], "double");
    assert_eq!(c["short"]["format"], "int32");
    // Unions.
    assert_eq!(p["port"]["x-kubernetes-int-or-string"], true);
    assert_eq!(
        p["action"],
        json!({"description": "Unit and data variants mixed.", "x-kubernetes-preserve-unknown-fields": true})
    );
    assert_eq!(
        p["event"]["properties"]["kind"]["enum"],
        json!(["Started", "Stopped"])
    );
    assert_eq!(p["event"]["required"], json!(["kind", "data"]));
    assert_eq!(p["event"]["properties"]["data"]["type"], "object");
    assert_eq!(
        p["event"]["properties"]["data"]["properties"]
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["at".to_string(), "code".to_string()])
    );
    assert_eq!(
        p["source"]["oneOf"],
        json!([{"required": ["git"]}, {"required": ["image"]}])
    );
    // Nested options collapse into one nullable node.
    assert_eq!(p["deep"]["nullable"], true);
    assert_eq!(p["deep"]["type"], "array");
    assert_eq!(p["deep"]["items"]["nullable"], true);
    assert_eq!(p["deep"]["items"]["type"], "object");
    // Maps.
    assert_eq!(p["by_name"]["additionalProperties"]["type"], "object");
    assert_eq!(
        p["extra"],
        json!({"description": "Free-form JSON objects.", "type": "object", "x-kubernetes-preserve-unknown-fields": true})
    );
    // Flattened maps keep the known fields and let the rest through.
    assert_eq!(
        spec_schema(&crd)["x-kubernetes-preserve-unknown-fields"],
        true
    );
    assert_eq!(p["known"]["type"], "boolean");
    assert!(spec_schema(&crd).get("additionalProperties").is_none());
    // Misc.
    assert_eq!(p["boxed"]["type"], "object");
    assert_eq!(p["letter"]["type"], "string");
    assert_eq!(
        p["limited"]["x-kubernetes-validations"][0]["rule"],
        "self.size() < 10"
    );
    assert!(p.get("write_only").is_some());
    assert!(p.get("read_only").is_none());
    let t = &p["times"]["properties"];
    assert_eq!(
        t["at"],
        json!({"description": "A timestamp.", "type": "string", "format": "date-time"})
    );
    assert_eq!(
        t["every"],
        json!({"description": "A duration.", "type": "string"})
    );
    assert_eq!(t["template"]["x-kubernetes-preserve-unknown-fields"], true);
    assert_eq!(t["object"]["x-kubernetes-embedded-resource"], true);
    // Required follows deserialization: Option and default fields are optional.
    let required = &spec_schema(&crd)["required"];
    assert!(required
        .as_array()
        .is_some_and(|r| r.contains(&json!("tree"))));
    assert!(!required
        .as_array()
        .is_some_and(|r| r.contains(&json!("deep"))));
    assert!(!required
        .as_array()
        .is_some_and(|r| r.contains(&json!("write_only"))));
}

#[test]
fn structural_schema_for_a_single_type() {
    let props = kapi::derive_support::structural_schema_for::<Option<Point>>();
    assert_eq!(props.type_.as_deref(), Some("object"));
    assert_eq!(props.nullable, Some(true));
    assert_eq!(props.required, ["x", "y"]);
}

/// How a test case breaks a good CRD.
enum Edit {
    /// Sets `key` in the object at a JSON pointer.
    Set(&'static str, &'static str, Value),
    /// Removes `key` from the object at a JSON pointer.
    Remove(&'static str, &'static str),
    /// Anything else.
    With(fn(&mut Value)),
}

const ROOT: &str = "/spec/versions/0/schema/openAPIV3Schema";
const SPEC: &str = "/spec/versions/0/schema/openAPIV3Schema/properties/spec";
const RULES: &str = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/rules";
const ITEMS: &str =
    "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/rules/items";

/// Breaks one rule at a time and expects the checker to say so.
#[test]
fn checker_catches_violations() {
    use Edit::{Remove, Set, With};
    let good = crd_json(&common::Policy::crd());
    assert!(crd_violations(&good).is_empty());
    let cases = [
        (
            "metadata.name",
            Set("/metadata", "name", json!("policy.policy.kapi.dev")),
        ),
        ("spec.group", Set("/spec", "group", json!("nodot"))),
        (
            "not a DNS-1035 label",
            Set("/spec/names", "plural", json!("Policies")),
        ),
        (
            "exactly one must have storage",
            Set("/spec/versions/0", "storage", json!(false)),
        ),
        ("exactly one must have storage", With(duplicate_version)),
        (
            "openAPIV3Schema: required",
            Remove("/spec/versions/0", "schema"),
        ),
        (
            "nullable: not allowed at the root",
            Set(ROOT, "nullable", json!(true)),
        ),
        (
            "metadata: may only be",
            Set(
                ROOT,
                "properties",
                json!({"metadata": {"type": "object", "properties": {"labels": {"type": "object"}}}}),
            ),
        ),
        (
            "$ref: forbidden",
            Set(SPEC, "$ref", json!("#/definitions/X")),
        ),
        ("title: forbidden", Set(SPEC, "title", json!("Spec"))),
        ("unknown keyword", Set(SPEC, "examples", json!([]))),
        ("type: must be set", Remove(RULES, "type")),
        ("an array needs one items schema", Remove(RULES, "items")),
        (
            "mutually exclusive",
            Set(SPEC, "additionalProperties", json!({"type": "string"})),
        ),
        (
            "additionalProperties: false",
            Set(SPEC, "additionalProperties", json!(false)),
        ),
        ("uniqueItems", Set(RULES, "uniqueItems", json!(true))),
        (
            "not allowed under a junctor",
            Set(SPEC, "anyOf", json!([{"type": "object"}])),
        ),
        (
            "does not have",
            Set(SPEC, "oneOf", json!([{"required": ["nope"]}])),
        ),
        ("default: null", Set(SPEC, "default", Value::Null)),
        ("does not match type", Set(ITEMS, "enum", json!([1]))),
        ("is unknown for type", Set(ITEMS, "format", json!("uint8"))),
        (
            "must be empty with x-kubernetes-int-or-string",
            Set(ITEMS, "x-kubernetes-int-or-string", json!(true)),
        ),
    ];
    for (expected, edit) in cases {
        let mut crd = good.clone();
        match edit {
            Set(pointer, key, value) => {
                if let Some(Value::Object(node)) = crd.pointer_mut(pointer) {
                    node.insert(key.into(), value);
                }
            }
            Remove(pointer, key) => {
                if let Some(Value::Object(node)) = crd.pointer_mut(pointer) {
                    node.remove(key);
                }
            }
            With(f) => f(&mut crd),
        }
        let violations = crd_violations(&crd);
        assert!(
            violations.iter().any(|v| v.contains(expected)),
            "expected a violation containing {expected:?}, got {violations:?}"
        );
    }
}

fn duplicate_version(crd: &mut Value) {
    let version = crd["spec"]["versions"][0].clone();
    if let Some(versions) = crd["spec"]["versions"].as_array_mut() {
        versions.push(version);
    }
}
