//! `crd()` against the expected CustomResourceDefinition JSON: names, version, scope,
//! subresources, printer columns and the structural schema derived from the Rust types.

mod common;

use common::{PodSet, Policy};
use kapi::api::apiextensions::v1::CustomResourceDefinition;
use serde_json::{json, Value};

#[test]
fn names_versions_subresources_and_columns() {
    let mut crd = serde_json::to_value(PodSet::crd()).expect("serialize");
    let schema = crd["spec"]["versions"][0]
        .as_object_mut()
        .and_then(|v| v.remove("schema"));
    assert!(schema.is_some(), "the version has a schema");
    assert_eq!(
        crd,
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {
                "name": "podsets.demo.kapi.dev"
            },
            "spec": {
                "group": "demo.kapi.dev",
                "names": {
                    "categories": [
                        "all",
                        "demo"
                    ],
                    "kind": "PodSet",
                    "listKind": "PodSetList",
                    "plural": "podsets",
                    "shortNames": [
                        "ps",
                        "pset"
                    ],
                    "singular": "podset"
                },
                "scope": "Namespaced",
                "versions": [
                    {
                        "additionalPrinterColumns": [
                            {
                                "jsonPath": ".spec.replicas",
                                "name": "Replicas",
                                "type": "integer"
                            },
                            {
                                "description": "Pods ready to serve",
                                "jsonPath": ".status.readyReplicas",
                                "name": "Ready",
                                "priority": 1,
                                "type": "integer"
                            }
                        ],
                        "name": "v1",
                        "selectableFields": [
                            {
                                "jsonPath": ".spec.strategy.type"
                            }
                        ],
                        "served": true,
                        "storage": true,
                        "subresources": {
                            "scale": {
                                "labelSelectorPath": ".status.selector",
                                "specReplicasPath": ".spec.replicas",
                                "statusReplicasPath": ".status.replicas"
                            },
                            "status": {}
                        }
                    }
                ]
            }
        })
    );
}

#[test]
fn schema_from_the_rust_types() {
    let crd = serde_json::to_value(PodSet::crd()).expect("serialize");
    let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    let expected = json!({
        "properties": {
            "apiVersion": {
                "description": "The schema version of this object: `demo.kapi.dev/v1`.",
                "type": "string"
            },
            "kind": {
                "description": "The kind of this object: `PodSet`.",
                "type": "string"
            },
            "metadata": {
                "type": "object"
            },
            "spec": {
                "description": "Runs a set of identical pods.",
                "properties": {
                    "labels": {
                        "additionalProperties": {
                            "type": "string"
                        },
                        "description": "Extra labels put on every pod.",
                        "type": "object"
                    },
                    "maxUnavailable": {
                        "anyOf": [
                            {
                                "type": "integer"
                            },
                            {
                                "type": "string"
                            }
                        ],
                        "description": "Pods that may be unavailable during an update: a count or a percentage.",
                        "x-kubernetes-int-or-string": true
                    },
                    "paused": {
                        "default": false,
                        "description": "Stop creating pods.",
                        "type": "boolean"
                    },
                    "replicas": {
                        "description": "How many pods to run.",
                        "format": "int32",
                        "type": "integer"
                    },
                    "settings": {
                        "description": "Free-form settings, kept as written.",
                        "x-kubernetes-preserve-unknown-fields": true
                    },
                    "strategy": {
                        "default": {
                            "type": "recreate"
                        },
                        "description": "How pods are replaced on a change.",
                        "properties": {
                            "surge": {
                                "description": "Extra pods allowed during the update.",
                                "format": "int64",
                                "minimum": 0,
                                "type": "integer"
                            },
                            "type": {
                                "enum": [
                                    "recreate",
                                    "rollingUpdate"
                                ],
                                "type": "string"
                            }
                        },
                        "required": [
                            "type"
                        ],
                        "type": "object"
                    },
                    "template": {
                        "description": "What every pod runs.",
                        "properties": {
                            "args": {
                                "description": "Arguments to the entrypoint.",
                                "items": {
                                    "type": "string"
                                },
                                "type": "array"
                            },
                            "image": {
                                "description": "Container image.",
                                "type": "string"
                            },
                            "memory": {
                                "anyOf": [
                                    {
                                        "type": "integer"
                                    },
                                    {
                                        "type": "string"
                                    }
                                ],
                                "description": "Memory limit.",
                                "pattern": "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+))?$",
                                "x-kubernetes-int-or-string": true
                            },
                            "ports": {
                                "description": "Ports the container listens on.",
                                "items": {
                                    "description": "A container port.",
                                    "properties": {
                                        "containerPort": {
                                            "description": "The port number.",
                                            "format": "int32",
                                            "maximum": 65535,
                                            "minimum": 0,
                                            "type": "integer"
                                        },
                                        "name": {
                                            "description": "Optional port name.",
                                            "nullable": true,
                                            "type": "string"
                                        },
                                        "protocol": {
                                            "default": "TCP",
                                            "description": "The protocol.",
                                            "enum": [
                                                "TCP",
                                                "UDP"
                                            ],
                                            "type": "string"
                                        }
                                    },
                                    "required": [
                                        "containerPort"
                                    ],
                                    "type": "object"
                                },
                                "type": "array"
                            }
                        },
                        "required": [
                            "image",
                            "memory"
                        ],
                        "type": "object"
                    }
                },
                "required": [
                    "replicas",
                    "template"
                ],
                "type": "object"
            },
            "status": {
                "description": "What the controller observed.",
                "properties": {
                    "lastUpdate": {
                        "description": "When the status last changed.",
                        "format": "date-time",
                        "type": "string"
                    },
                    "phase": {
                        "description": "The phase, once known.",
                        "enum": [
                            "Pending",
                            "Running",
                            "Failed",
                            null
                        ],
                        "nullable": true,
                        "type": "string"
                    },
                    "readyReplicas": {
                        "default": 0,
                        "description": "Pods that are ready.",
                        "format": "int32",
                        "type": "integer"
                    },
                    "replicas": {
                        "description": "Pods that exist.",
                        "format": "int32",
                        "type": "integer"
                    },
                    "selector": {
                        "description": "The label selector of the pods, for the scale subresource.",
                        "nullable": true,
                        "type": "string"
                    }
                },
                "required": [
                    "replicas"
                ],
                "type": "object"
            }
        },
        "required": [
            "spec"
        ],
        "type": "object"
    });
    assert_eq!(schema, &expected, "{}", diff(schema, &expected));
}

#[test]
fn minimal_cluster_scoped_crd() {
    assert_eq!(
        serde_json::to_value(Policy::crd()).expect("serialize"),
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {
                "name": "policies.policy.kapi.dev"
            },
            "spec": {
                "group": "policy.kapi.dev",
                "names": {
                    "kind": "Policy",
                    "listKind": "PolicyList",
                    "plural": "policies",
                    "singular": "policy"
                },
                "scope": "Cluster",
                "versions": [
                    {
                        "name": "v1alpha1",
                        "schema": {
                            "openAPIV3Schema": {
                                "properties": {
                                    "apiVersion": {
                                        "description": "The schema version of this object: `policy.kapi.dev/v1alpha1`.",
                                        "type": "string"
                                    },
                                    "kind": {
                                        "description": "The kind of this object: `Policy`.",
                                        "type": "string"
                                    },
                                    "metadata": {
                                        "type": "object"
                                    },
                                    "spec": {
                                        "description": "A cluster-wide policy: the smallest custom resource (no status, default names).",
                                        "properties": {
                                            "rules": {
                                                "description": "Rules, in order.",
                                                "items": {
                                                    "type": "string"
                                                },
                                                "type": "array"
                                            }
                                        },
                                        "required": [
                                            "rules"
                                        ],
                                        "type": "object"
                                    }
                                },
                                "required": [
                                    "spec"
                                ],
                                "type": "object"
                            }
                        },
                        "served": true,
                        "storage": true
                    }
                ]
            }
        })
    );
}

#[test]
fn crd_round_trips_through_json() {
    let crd = PodSet::crd();
    let text = serde_json::to_string(&crd).expect("serialize");
    let back: CustomResourceDefinition = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(back, crd);
}

/// The first differing path, to make a failure readable.
fn diff(actual: &Value, expected: &Value) -> String {
    fn walk(a: &Value, e: &Value, path: &str) -> Option<String> {
        match (a, e) {
            (Value::Object(a), Value::Object(e)) => {
                for key in a.keys().chain(e.keys()) {
                    let (x, y) = (a.get(key), e.get(key));
                    if x != y {
                        let p = format!("{path}.{key}");
                        return match (x, y) {
                            (Some(x), Some(y)) => walk(x, y, &p),
                            _ => Some(format!("{p}: actual {x:?}, expected {y:?}")),
                        };
                    }
                }
                None
            }
            _ if a != e => Some(format!("{path}: actual {a}, expected {e}")),
            _ => None,
        }
    }
    walk(actual, expected, "").unwrap_or_default()
}
