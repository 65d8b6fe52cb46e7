//! Round-trips of the upstream fixtures this crate can type: `core.v1.Status`,
//! `core.v1.ListOptions`, every object's `metadata` as `ObjectMeta`, and every object as a
//! `DynamicObject` (lossless), from JSON and YAML.

mod common;

use kapi_apimachinery::meta::{ObjectMeta, Status};
use kapi_apimachinery::options::ListOptions;
use kapi_apimachinery::DynamicObject;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fn round_trip_json<T: DeserializeOwned + Serialize>(original: &Value, what: &str) {
    let typed: T =
        serde_json::from_value(original.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(&back, original, "{what}: JSON round-trip differs");
}

fn round_trip_yaml<T: DeserializeOwned + Serialize>(yaml: &str, original: &Value, what: &str) {
    let typed: T = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{what}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(&back, original, "{what}: YAML round-trip differs");
    let yaml_again = serde_yaml::to_string(&typed).unwrap();
    let again: T = serde_yaml::from_str(&yaml_again).unwrap();
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        *original,
        "{what}: YAML re-encode differs"
    );
}

fn check<T: DeserializeOwned + Serialize>(base: &str) {
    let Some(dir) = common::fixtures_dir() else {
        return;
    };
    let json = common::load(&dir, &format!("{base}.json"));
    round_trip_json::<T>(&json, base);
    let yaml = std::fs::read_to_string(dir.join(format!("{base}.yaml"))).unwrap();
    round_trip_yaml::<T>(&yaml, &json, base);
}

#[test]
fn status_fixture_round_trips() {
    check::<Status>("core.v1.Status");
}

#[test]
fn list_options_fixture_round_trips() {
    check::<ListOptions>("core.v1.ListOptions");
}

fn fixture_bases() -> Vec<String> {
    let Some(dir) = common::fixtures_dir() else {
        return Vec::new();
    };
    let mut bases: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .collect();
    bases.sort();
    bases
}

#[test]
fn every_fixture_round_trips_as_dynamic_object() {
    let bases = fixture_bases();
    for base in &bases {
        // Deliberate exception: Status carries ListMeta, not ObjectMeta, so it is not an object
        // a DynamicObject models (it has its own typed round-trip above).
        if base == "core.v1.Status" {
            continue;
        }
        check::<DynamicObject>(base);
    }
    if common::fixtures_dir().is_some() {
        assert!(
            bases.len() >= 180,
            "expected the 185 upstream fixtures, found {}",
            bases.len()
        );
    }
}

#[test]
fn every_fixture_metadata_round_trips_as_object_meta() {
    let Some(dir) = common::fixtures_dir() else {
        return;
    };
    let mut seen = 0;
    for base in fixture_bases() {
        let json = common::load(&dir, &format!("{base}.json"));
        let Some(meta) = json.get("metadata") else {
            continue;
        };
        // List-typed metadata (e.g. in Status) is not ObjectMeta.
        if meta.get("name").is_none() {
            continue;
        }
        round_trip_json::<ObjectMeta>(meta, &base);
        let yaml = common::load(&dir, &format!("{base}.yaml"));
        let typed: ObjectMeta = serde_json::from_value(yaml["metadata"].clone()).unwrap();
        assert_eq!(
            &serde_json::to_value(&typed).unwrap(),
            meta,
            "{base}: YAML metadata"
        );
        seen += 1;
    }
    assert!(seen > 150, "only {seen} fixtures had object metadata");
}
