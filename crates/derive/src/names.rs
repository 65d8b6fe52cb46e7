//! Compile-time checks of the names a CRD carries, mirroring what the API server validates, and
//! the plural guess (kept identical to `kapi_apimachinery::restmapper::guess_plural`; an
//! integration test compares the two).

/// `PodSet` → `podsets`, `Policy` → `policies`, `Ingress` → `ingresses`.
pub(crate) fn guess_plural(kind: &str) -> String {
    let singular = kind.to_lowercase();
    if singular.is_empty() || singular.ends_with("endpoints") {
        singular
    } else if singular.ends_with('s') {
        format!("{singular}es")
    } else if let Some(stem) = singular.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{singular}s")
    }
}

/// A kind is CamelCase: an upper-case ASCII letter, then ASCII letters and digits.
pub(crate) fn check_kind(kind: &str) -> Result<(), String> {
    let mut chars = kind.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    if !first_ok || !kind.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "kind {kind:?} must be CamelCase: an upper-case ASCII letter followed by ASCII \
             letters and digits, like \"PodSet\""
        ));
    }
    check_dns1035_label("the lower-cased kind", &kind.to_ascii_lowercase())
}

/// A CRD group is a DNS-1123 subdomain with at least one dot (`demo.kapi.dev`).
pub(crate) fn check_group(group: &str) -> Result<(), String> {
    let labels_ok = group.split('.').all(is_dns1123_label);
    if group.len() > 253 || !labels_ok {
        return Err(format!(
            "group {group:?} must be a DNS subdomain: lower-case letters, digits, '-' and '.', \
             each dot-separated part starting and ending with a letter or digit, like \
             \"demo.example.com\""
        ));
    }
    if !group.contains('.') {
        return Err(format!(
            "group {group:?} must contain at least one dot (custom resources need a domain-like \
             group such as \"{group}.example.com\")"
        ));
    }
    Ok(())
}

/// Versions, plurals, singulars, short names and categories are DNS-1035 labels.
pub(crate) fn check_dns1035_label(what: &str, value: &str) -> Result<(), String> {
    let starts_with_letter = value.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
    if value.len() > 63 || !starts_with_letter || !is_dns1123_label(value) {
        return Err(format!(
            "{what} {value:?} must be a DNS-1035 label: at most 63 lower-case letters, digits \
             and '-', starting with a letter and ending with a letter or digit"
        ));
    }
    Ok(())
}

fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            b.len() <= 63
                && is_lower_alnum(*first)
                && is_lower_alnum(*last)
                && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
        }
        _ => false,
    }
}

fn is_lower_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(guess_plural("PodSet"), "podsets");
        assert_eq!(guess_plural("Policy"), "policies");
        assert_eq!(guess_plural("Ingress"), "ingresses");
        assert_eq!(guess_plural("Endpoints"), "endpoints");
    }

    #[test]
    fn kinds() {
        assert!(check_kind("PodSet").is_ok());
        assert!(check_kind("V1Thing").is_ok());
        assert!(check_kind("podSet").is_err());
        assert!(check_kind("Pod_Set").is_err());
        assert!(check_kind("").is_err());
    }

    #[test]
    fn groups() {
        assert!(check_group("demo.kapi.dev").is_ok());
        assert!(check_group("a-b.c1").is_ok());
        assert!(check_group("demo")
            .unwrap_err()
            .contains("at least one dot"));
        assert!(check_group("Demo.dev").is_err());
        assert!(check_group("demo..dev").is_err());
        assert!(check_group("-demo.dev").is_err());
    }

    #[test]
    fn labels() {
        assert!(check_dns1035_label("version", "v1beta1").is_ok());
        assert!(check_dns1035_label("version", "1v").is_err());
        assert!(check_dns1035_label("version", "v1-").is_err());
        assert!(check_dns1035_label("version", "V1").is_err());
    }
}
