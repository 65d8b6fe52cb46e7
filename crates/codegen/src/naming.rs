//! Name conversions: upstream (Go/JSON) names to Rust type, field, module, file and feature names.

/// Rust keywords (strict and reserved) that cannot be field names.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Splits a camel-case identifier into words, keeping acronyms together.
///
/// `podIPs` → `pod`, `IPs`; `APIService` → `API`, `Service`; `SELinuxOptions` → `SE`, `Linux`,
/// `Options`; `TTLSecondsAfterFinished` → `TTL`, `Seconds`, …; digits stay with the word before.
pub(crate) fn words(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            i += 1;
            continue;
        }
        if c.is_ascii_uppercase() {
            // Collect the whole run of capitals.
            let start = i;
            while i < chars.len() && chars[i].is_ascii_uppercase() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let next_lower = i < chars.len() && chars[i].is_ascii_lowercase();
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if run.len() == 1 {
                cur.push_str(&run);
            } else if next_lower {
                // A plural acronym (`IPs`, `CIDRs`) keeps its `s` when the word ends there.
                let plural_s =
                    chars[i] == 's' && (i + 1 == chars.len() || !chars[i + 1].is_ascii_lowercase());
                if plural_s {
                    out.push(format!("{run}s"));
                    i += 1;
                } else {
                    let (head, last) = run.split_at(run.len() - 1);
                    out.push(head.to_owned());
                    cur.push_str(last);
                }
            } else {
                cur.push_str(&run);
            }
            continue;
        }
        cur.push(c);
        i += 1;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn capitalize(w: &str) -> String {
    let mut cs = w.chars();
    match cs.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase(),
        None => String::new(),
    }
}

/// Rust type name for an upstream type name: acronyms become one capitalized word
/// (`APIService` → `ApiService`, `CSIDriver` → `CsiDriver`, `PodIP` → `PodIp`).
pub(crate) fn type_name(upstream: &str) -> String {
    words(upstream).iter().map(|w| capitalize(w)).collect()
}

/// `snake_case` for a camel-case name, without keyword escaping.
pub(crate) fn snake(s: &str) -> String {
    words(s)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// Rust field name for a JSON property name (`podIPs` → `pod_ips`, `type` → `type_`,
/// `$ref` → `ref_`, `x-kubernetes-list-type` → `x_kubernetes_list_type`).
pub(crate) fn field_name(json: &str) -> String {
    let mut s = snake(json);
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `true` for versions without an `alpha`/`beta` qualifier (`v1`, `v2`).
pub(crate) fn is_stable_version(v: &str) -> bool {
    v.strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        assert_eq!(field_name("podIPs"), "pod_ips");
        assert_eq!(field_name("hostIP"), "host_ip");
        assert_eq!(field_name("clusterIPs"), "cluster_ips");
        assert_eq!(field_name("podCIDRs"), "pod_cidrs");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("$ref"), "ref_");
        assert_eq!(
            field_name("x-kubernetes-list-map-keys"),
            "x_kubernetes_list_map_keys"
        );
        assert_eq!(
            field_name("ttlSecondsAfterFinished"),
            "ttl_seconds_after_finished"
        );
        assert_eq!(field_name("seLinuxOptions"), "se_linux_options");
        assert_eq!(field_name("hostIPC"), "host_ipc");
        assert_eq!(field_name("x509"), "x509");
    }

    #[test]
    fn types() {
        assert_eq!(type_name("APIService"), "ApiService");
        assert_eq!(type_name("CSIDriver"), "CsiDriver");
        assert_eq!(type_name("SELinuxOptions"), "SeLinuxOptions");
        assert_eq!(type_name("ScaleIOVolumeSource"), "ScaleIoVolumeSource");
        assert_eq!(
            type_name("ServerAddressByClientCIDR"),
            "ServerAddressByClientCidr"
        );
        assert_eq!(type_name("Pod"), "Pod");
        assert_eq!(type_name("FieldsV1"), "FieldsV1");
        assert_eq!(type_name("JSONSchemaProps"), "JsonSchemaProps");
    }

    #[test]
    fn versions() {
        assert!(is_stable_version("v1") && is_stable_version("v2"));
        assert!(!is_stable_version("v1beta1") && !is_stable_version("v1alpha2"));
    }
}
