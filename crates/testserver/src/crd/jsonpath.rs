//! The simple JSON paths of printer columns, scale subresources and selectable fields:
//! `.spec.replicas`, `.metadata.labels.app\.kubernetes\.io/name`, `['a.b']`, `[0]`, `[*]` and
//! filters such as `.status.conditions[?(@.type=="Ready")].status`.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    All,
    Filter {
        field: Vec<String>,
        equals: bool,
        value: Value,
    },
}

fn parse(path: &str) -> Option<Vec<Step>> {
    let p = path.trim();
    let p = p
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(p);
    let p = p.strip_prefix('$').unwrap_or(p);
    let chars: Vec<char> = p.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                let mut key = String::new();
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    key.push(chars[i]);
                    i += 1;
                }
                if !key.is_empty() {
                    steps.push(Step::Key(key));
                }
            }
            '[' => {
                let end = chars[i..].iter().position(|c| *c == ']')? + i;
                let inner: String = chars[i + 1..end].iter().collect();
                steps.push(bracket(inner.trim())?);
                i = end + 1;
            }
            _ => return None,
        }
    }
    Some(steps)
}

fn bracket(inner: &str) -> Option<Step> {
    if inner == "*" {
        return Some(Step::All);
    }
    if let Some(q) = inner
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .or_else(|| inner.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
    {
        return Some(Step::Key(q.to_owned()));
    }
    if let Some(f) = inner.strip_prefix("?(").and_then(|x| x.strip_suffix(')')) {
        let (lhs, rhs, equals) = match f.split_once("==") {
            Some((l, r)) => (l, r, true),
            None => {
                let (l, r) = f.split_once("!=")?;
                (l, r, false)
            }
        };
        let field = lhs
            .trim()
            .strip_prefix("@.")?
            .split('.')
            .map(str::to_owned)
            .collect();
        let rhs = rhs.trim();
        let value = match rhs
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .or_else(|| rhs.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        {
            Some(s) => Value::String(s.to_owned()),
            None => serde_json::from_str(rhs).ok()?,
        };
        return Some(Step::Filter {
            field,
            equals,
            value,
        });
    }
    inner.parse().ok().map(Step::Index)
}

/// Every value `path` selects in `v` (empty for a malformed path or no match).
pub(crate) fn find(v: &Value, path: &str) -> Vec<Value> {
    let Some(steps) = parse(path) else {
        return Vec::new();
    };
    let mut cur = vec![v];
    for step in &steps {
        let mut next = Vec::new();
        for c in cur {
            match step {
                Step::Key(k) => next.extend(c.get(k)),
                Step::Index(i) => next.extend(c.get(i)),
                Step::All => match c {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(m) => next.extend(m.values()),
                    _ => {}
                },
                Step::Filter {
                    field,
                    equals,
                    value,
                } => {
                    for item in c.as_array().into_iter().flatten() {
                        let mut f = Some(item);
                        for k in field {
                            f = f.and_then(|x| x.get(k));
                        }
                        if (f == Some(value)) == *equals {
                            next.push(item);
                        }
                    }
                }
            }
        }
        cur = next;
    }
    cur.into_iter().cloned().collect()
}

/// The first value `path` selects.
pub(crate) fn first(v: &Value, path: &str) -> Option<Value> {
    find(v, path).into_iter().next()
}

/// Sets the value at a path of plain keys (`.spec.replicas`), creating objects on the way.
pub(crate) fn set(v: &mut Value, path: &str, value: Value) -> bool {
    let Some(steps) = parse(path) else {
        return false;
    };
    let mut cur = v;
    for (i, step) in steps.iter().enumerate() {
        let Step::Key(k) = step else { return false };
        if !cur.is_object() {
            *cur = Value::Object(serde_json::Map::new());
        }
        let Some(m) = cur.as_object_mut() else {
            return false;
        };
        if i + 1 == steps.len() {
            m.insert(k.clone(), value);
            return true;
        }
        cur = m
            .entry(k.clone())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_filters_and_set() {
        let v = json!({"spec": {"replicas": 3, "items": [{"n": "a"}, {"n": "b"}]},
            "metadata": {"labels": {"app.kubernetes.io/name": "x"}},
            "status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Other", "status": "False"}]}});
        assert_eq!(first(&v, ".spec.replicas"), Some(json!(3)));
        assert_eq!(first(&v, "{.spec.items[1].n}"), Some(json!("b")));
        assert_eq!(find(&v, ".spec.items[*].n"), [json!("a"), json!("b")]);
        assert_eq!(
            first(&v, r".metadata.labels.app\.kubernetes\.io/name"),
            Some(json!("x"))
        );
        assert_eq!(
            first(&v, ".metadata.labels['app.kubernetes.io/name']"),
            Some(json!("x"))
        );
        assert_eq!(
            first(&v, ".status.conditions[?(@.type==\"Ready\")].status"),
            Some(json!("True"))
        );
        assert_eq!(first(&v, ".nope.x"), None);
        let mut w = json!({});
        assert!(set(&mut w, ".spec.replicas", json!(5)));
        assert_eq!(w, json!({"spec": {"replicas": 5}}));
    }
}
