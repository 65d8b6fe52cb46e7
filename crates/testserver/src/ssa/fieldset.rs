//! Sets of field paths in the `FieldsV1` shape of `managedFields`: a tree whose keys are path
//! elements (`f:name`, `k:{"name":"c"}`, `v:"x"`, `i:0`) and whose `.` marks a node that is
//! itself in the set.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A set of paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldSet {
    /// This node's own path is in the set.
    pub(crate) member: bool,
    /// Paths below, by element.
    pub(crate) children: BTreeMap<String, FieldSet>,
}

impl FieldSet {
    /// A set holding only this node.
    pub(crate) fn leaf() -> Self {
        Self {
            member: true,
            children: BTreeMap::new(),
        }
    }

    /// `true` when no path is in the set.
    pub(crate) fn is_empty(&self) -> bool {
        !self.member && self.children.values().all(FieldSet::is_empty)
    }

    /// Adds `child` under element `pe` (dropped when empty).
    pub(crate) fn put(&mut self, pe: String, child: FieldSet) {
        if child.is_empty() {
            return;
        }
        match self.children.get_mut(&pe) {
            Some(existing) => existing.union_with(&child),
            None => {
                self.children.insert(pe, child);
            }
        }
    }

    /// Adds every path of `other`.
    pub(crate) fn union_with(&mut self, other: &FieldSet) {
        self.member |= other.member;
        for (k, c) in &other.children {
            self.put(k.clone(), c.clone());
        }
    }

    /// The paths of `self` that `other` does not hold.
    pub(crate) fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            member: self.member && !other.member,
            children: BTreeMap::new(),
        };
        for (k, c) in &self.children {
            let d = match other.children.get(k) {
                Some(o) => c.difference(o),
                None => c.clone(),
            };
            out.put(k.clone(), d);
        }
        out
    }

    /// The paths both sets hold.
    pub(crate) fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            member: self.member && other.member,
            children: BTreeMap::new(),
        };
        for (k, c) in &self.children {
            if let Some(o) = other.children.get(k) {
                out.put(k.clone(), c.intersection(o));
            }
        }
        out
    }

    /// Every path in the set, as element lists, in order.
    pub(crate) fn paths(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if self.member && !prefix.is_empty() {
            out.push(prefix.clone());
        }
        for (k, c) in &self.children {
            prefix.push(k.clone());
            c.collect(prefix, out);
            prefix.pop();
        }
    }

    /// Reads `FieldsV1`.
    pub(crate) fn from_fields_v1(v: &Value) -> FieldSet {
        let mut out = FieldSet::default();
        let Some(m) = v.as_object() else {
            return out;
        };
        for (k, c) in m {
            if k == "." {
                out.member = true;
                continue;
            }
            let mut child = FieldSet::from_fields_v1(c);
            if c.as_object().is_none_or(Map::is_empty) {
                child.member = true;
            }
            out.put(k.clone(), child);
        }
        out
    }

    /// Writes `FieldsV1`.
    pub(crate) fn to_fields_v1(&self) -> Value {
        let mut m = Map::new();
        if self.member && !self.children.is_empty() {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for (k, c) in &self.children {
            if !c.is_empty() {
                m.insert(k.clone(), c.to_fields_v1());
            }
        }
        Value::Object(m)
    }
}

/// A path as upstream prints it in conflicts: `.spec.containers[name="app"].image`.
pub(crate) fn format_path(path: &[String]) -> String {
    let mut out = String::new();
    for pe in path {
        if let Some(f) = pe.strip_prefix("f:") {
            out.push('.');
            out.push_str(f);
        } else if let Some(k) = pe.strip_prefix("k:") {
            let parts: Vec<String> = serde_json::from_str::<Map<String, Value>>(k)
                .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                .unwrap_or_default();
            out.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(v) = pe.strip_prefix("v:") {
            out.push_str(&format!("[={v}]"));
        } else if let Some(i) = pe.strip_prefix("i:") {
            out.push_str(&format!("[{i}]"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_v1_round_trip_and_set_algebra() {
        let doc = json!({"f:data": {".": {}, "f:a": {}, "f:b": {}},
            "f:spec": {"f:containers": {"k:{\"name\":\"c\"}": {".": {}, "f:image": {}}}}});
        let s = FieldSet::from_fields_v1(&doc);
        assert_eq!(s.to_fields_v1(), doc);
        assert_eq!(s.paths().len(), 5);
        let b = FieldSet::from_fields_v1(&json!({"f:data": {"f:b": {}}}));
        let d = s.difference(&b);
        assert_eq!(d.paths().len(), 4);
        assert_eq!(s.intersection(&b), b);
        assert_eq!(
            format_path(&[
                "f:spec".into(),
                "f:containers".into(),
                "k:{\"name\":\"c\"}".into(),
                "f:image".into()
            ]),
            ".spec.containers[name=\"c\"].image"
        );
    }
}
