use std::collections::BTreeMap;

use super::{Entry, Map};

fn m(pairs: &[(&str, i32)]) -> Map<String, i32> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[test]
fn behaves_like_btreemap_under_a_random_sequence_of_operations() {
    let mut ours: Map<u8, u32> = Map::new();
    let mut theirs: BTreeMap<u8, u32> = BTreeMap::new();
    let mut x: u32 = 12345;
    for i in 0..5000u32 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let key = (x % 40) as u8;
        match x % 5 {
            0 | 1 => assert_eq!(ours.insert(key, i), theirs.insert(key, i)),
            2 => assert_eq!(ours.remove(&key), theirs.remove(&key)),
            3 => *ours.entry(key).or_default() += 1,
            _ => assert_eq!(ours.get(&key), theirs.get(&key)),
        }
        if x % 5 == 3 {
            *theirs.entry(key).or_default() += 1;
        }
        assert_eq!(ours.len(), theirs.len());
    }
    assert!(ours.iter().eq(theirs.iter()));
    assert_eq!(BTreeMap::from(ours.clone()), theirs);
    assert_eq!(Map::from(theirs), ours);
}

#[test]
fn from_unsorted_pairs_sorts_and_keeps_the_last_of_repeated_keys() {
    let map = m(&[("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)]);
    assert_eq!(
        map.as_slice(),
        m(&[("a", 5), ("b", 3), ("c", 4)]).as_slice()
    );
    let mut ext = m(&[("z", 1)]);
    ext.extend([("a".to_owned(), 1), ("z".to_owned(), 2)]);
    assert_eq!(ext, m(&[("a", 1), ("z", 2)]));
}

#[test]
fn decodes_json_objects_exactly_sized_and_last_key_wins() {
    let map: Map<String, String> =
        serde_json::from_str(r#"{"b":"1","a":"2","b":"3"}"#).expect("valid map");
    assert_eq!(
        serde_json::to_string(&map).expect("serializes"),
        r#"{"a":"2","b":"3"}"#
    );
    assert_eq!(map.entries.capacity(), map.len());
    let err = serde_json::from_str::<Map<String, String>>(r#"["a"]"#).expect_err("not a map");
    assert!(err.to_string().contains("expected a map"), "{err}");
    let err = serde_json::from_str::<Map<String, i32>>(r#"{"a":"x"}"#).expect_err("bad value");
    assert!(err.to_string().contains("invalid type"), "{err}");
}

#[test]
fn entry_api_inserts_updates_and_removes() {
    let mut map = m(&[("a", 1)]);
    map.entry("a".into()).and_modify(|v| *v += 10).or_insert(0);
    map.entry("b".into()).and_modify(|v| *v += 10).or_insert(7);
    assert_eq!(map, m(&[("a", 11), ("b", 7)]));
    match map.entry("a".into()) {
        Entry::Occupied(o) => assert_eq!(o.remove(), 11),
        Entry::Vacant(_) => panic!("a is present"),
    }
    match map.entry("c".into()) {
        Entry::Vacant(v) => assert_eq!(v.key(), "c"),
        Entry::Occupied(_) => panic!("c is absent"),
    }
    assert_eq!(map, m(&[("b", 7)]));
}

#[test]
fn lookups_borrow_iterators_run_both_ways_and_debug_prints_a_map() {
    let mut map = m(&[("x", 1), ("y", 2), ("w", 0)]);
    assert!(map.contains_key("x"));
    assert_eq!(map["y"], 2);
    assert_eq!(map.get_key_value("w"), Some((&"w".to_owned(), &0)));
    *map.get_mut("x").expect("present") = 9;
    for v in map.values_mut() {
        *v += 1;
    }
    assert_eq!(map.values().rev().copied().collect::<Vec<_>>(), [3, 10, 1]);
    assert_eq!(map.keys().len(), 3);
    map.retain(|k, _| k != "y");
    assert_eq!(format!("{map:?}"), r#"{"w": 1, "x": 10}"#);
    assert_eq!(map.first_key_value(), Some((&"w".to_owned(), &1)));
    assert_eq!(map.clone().into_values().collect::<Vec<_>>(), [1, 10]);
    assert_eq!(map.into_keys().collect::<Vec<_>>(), ["w", "x"]);
}
