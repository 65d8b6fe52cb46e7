//! Unit tests of the JSON Schema → structural rewriting on hand-written schemas (the derive's
//! integration tests cover what `schemars` really emits).

use serde_json::{json, Map, Value};

use super::structural::Converter;

fn convert_with(schema: &Value, defs: Value) -> Value {
    let defs = match defs {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Value::Object(Converter::new(&defs).convert(schema))
}

fn convert(schema: &Value) -> Value {
    convert_with(schema, json!({}))
}

#[test]
fn type_arrays_with_null() {
    assert_eq!(
        convert(&json!({"type": ["string", "null"], "maxLength": 3})),
        json!({"type": "string", "maxLength": 3, "nullable": true})
    );
    assert_eq!(
        convert(&json!({"type": ["integer", "string", "null"]})),
        json!({
            "x-kubernetes-int-or-string": true,
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "nullable": true
        })
    );
    assert_eq!(
        convert(&json!({"type": ["boolean", "object"]})),
        json!({"x-kubernetes-preserve-unknown-fields": true})
    );
}

#[test]
fn references_with_escaped_names_and_siblings() {
    let defs = json!({
        "a/b": {"type": "object", "description": "target", "properties": {"x": {"type": "integer"}}},
        "Wrapped<T>": {"$ref": "#/$defs/a~1b"}
    });
    assert_eq!(
        convert_with(
            &json!({"$ref": "#/$defs/Wrapped%3CT%3E", "description": "field"}),
            defs
        ),
        json!({"type": "object", "description": "field", "properties": {"x": {"type": "integer"}}})
    );
    // A dangling reference cannot be described: anything goes.
    assert_eq!(
        convert(&json!({"$ref": "#/$defs/Missing"})),
        json!({"x-kubernetes-preserve-unknown-fields": true})
    );
}

#[test]
fn all_of_parts_are_merged() {
    let schema = json!({
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"type": "object", "properties": {"b": {"type": "integer"}}, "required": ["b"]}
        ],
        "description": "both"
    });
    assert_eq!(
        convert(&schema),
        json!({
            "type": "object",
            "description": "both",
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
            "required": ["a", "b"]
        })
    );
}

#[test]
fn constants_enums_and_null() {
    assert_eq!(
        convert(&json!({"const": "Fixed"})),
        json!({"type": "string", "enum": ["Fixed"]})
    );
    assert_eq!(
        convert(&json!({"enum": ["a", null]})),
        json!({"type": "string", "enum": ["a", null], "nullable": true})
    );
    assert_eq!(
        convert(&json!({"oneOf": [{"const": 1}, {"const": 2}, {"type": "null"}]})),
        json!({"type": "integer", "enum": [1, 2, null], "nullable": true})
    );
}

#[test]
fn numbers() {
    assert_eq!(
        convert(
            &json!({"type": "integer", "format": "uint8", "exclusiveMinimum": 0, "maximum": 9})
        ),
        json!({
            "type": "integer",
            "format": "int32",
            "minimum": 0,
            "exclusiveMinimum": true,
            "maximum": 9
        })
    );
    assert_eq!(
        convert(&json!({"type": "integer", "format": "int128"})),
        json!({"type": "integer"})
    );
    assert_eq!(
        convert(&json!({"anyOf": [{"type": "integer"}, {"type": "number"}]})),
        json!({"type": "number"})
    );
}

#[test]
fn annotations() {
    assert_eq!(
        convert(&json!({
            "type": "string",
            "format": "ip",
            "title": "T",
            "$comment": "c",
            "deprecated": true,
            "readOnly": true,
            "examples": ["x", "y"],
            "default": null,
            "x-kubernetes-validations": [{"rule": "self != ''"}],
            "x-kubernetes-preserve-unknown-fields": false
        })),
        json!({
            "type": "string",
            "example": "x",
            "x-kubernetes-validations": [{"rule": "self != ''"}]
        })
    );
}

#[test]
fn objects_and_maps() {
    assert_eq!(
        convert(&json!({
            "type": "object",
            "properties": {"a": true},
            "required": ["a", "gone"],
            "additionalProperties": false,
            "patternProperties": {"^x": {"type": "string"}},
            "minProperties": 1
        })),
        json!({
            "type": "object",
            "properties": {"a": {"x-kubernetes-preserve-unknown-fields": true}},
            "required": ["a"],
            "minProperties": 1
        })
    );
    assert_eq!(
        convert(
            &json!({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}})
        ),
        json!({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}})
    );
}

#[test]
fn arrays() {
    assert_eq!(
        convert(&json!({"type": "array"})),
        json!({"type": "array", "items": {"x-kubernetes-preserve-unknown-fields": true}})
    );
    assert_eq!(
        convert(&json!({"type": "array", "items": {"type": "integer"}, "uniqueItems": true})),
        json!({"type": "array", "items": {"type": "integer"}, "x-kubernetes-list-type": "set"})
    );
    assert_eq!(
        convert(&json!({"anyOf": [
            {"type": "array", "items": {"type": "string", "enum": ["a"]}},
            {"type": "array", "items": {"type": "string", "enum": ["b"]}}
        ]})),
        json!({"type": "array", "items": {"type": "string", "enum": ["a", "b"]}})
    );
}

#[test]
fn object_unions() {
    // Untagged structs: properties unioned, only common fields required, no oneOf (a value
    // of one variant may also satisfy the other's required list).
    let schema = json!({"anyOf": [
        {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}, "required": ["x", "y"]},
        {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}
    ]});
    assert_eq!(
        convert(&schema),
        json!({
            "type": "object",
            "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
            "required": ["x"]
        })
    );
    // A map among the variants opens the object up.
    let schema = json!({"anyOf": [
        {"type": "object", "properties": {"x": {"type": "integer"}}},
        {"type": "object", "additionalProperties": {"type": "string"}}
    ]});
    assert_eq!(
        convert(&schema),
        json!({
            "type": "object",
            "properties": {"x": {"type": "integer"}},
            "x-kubernetes-preserve-unknown-fields": true
        })
    );
}
