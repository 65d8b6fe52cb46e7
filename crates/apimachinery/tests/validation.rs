//! Name and label validation through the public API.

use kapi_apimachinery::validation::{
    is_dns1035_label, is_dns1123_label, is_dns1123_subdomain, is_qualified_name,
    is_valid_label_value, name_is_dns1035_label, name_is_dns_label, name_is_dns_subdomain,
};
use proptest::prelude::*;

#[test]
fn object_names() {
    assert!(name_is_dns_subdomain("my-app.v1", false).is_ok());
    assert!(name_is_dns_subdomain("My-App", false).is_err());
    assert!(name_is_dns_subdomain(&"a".repeat(253), false).is_ok());
    assert!(name_is_dns_subdomain(&"a".repeat(254), false).is_err());
    assert!(name_is_dns_label("kube-system", false).is_ok());
    assert!(name_is_dns_label("kube.system", false).is_err());
    assert!(name_is_dns1035_label("9lives", false).is_err());
}

#[test]
fn generate_name_prefixes_may_end_in_dash() {
    assert!(name_is_dns_subdomain("job-", true).is_ok());
    assert!(name_is_dns_label("job-", true).is_ok());
    assert!(name_is_dns1035_label("job-", true).is_ok());
    assert!(name_is_dns_subdomain("job-", false).is_err());
    assert!(name_is_dns_subdomain("-", true).is_err());
    assert!(name_is_dns_subdomain("Job-", true).is_err());
}

#[test]
fn messages_are_specific() {
    let e = is_dns1123_subdomain("Foo").unwrap_err();
    assert_eq!(e.messages().len(), 1);
    assert!(e.to_string().contains("RFC 1123 subdomain"), "{e}");
    let e = is_dns1123_label(&"x".repeat(64)).unwrap_err();
    assert_eq!(e.to_string(), "must be no more than 63 characters (is 64)");
    let e = is_qualified_name("example.com/").unwrap_err();
    assert_eq!(e.to_string(), "name part must not be empty");
    let e = is_qualified_name("/name").unwrap_err();
    assert_eq!(e.to_string(), "prefix part must not be empty");
    let e = is_valid_label_value("bad value").unwrap_err();
    assert!(
        e.to_string().starts_with("a label value must be empty or"),
        "{e}"
    );
    assert!(is_dns1035_label("a1").is_ok());
}

#[test]
fn label_keys_and_values() {
    assert!(is_qualified_name("app.kubernetes.io/managed-by").is_ok());
    assert!(is_qualified_name(&format!("{}/n", "p".repeat(253))).is_ok());
    assert!(is_qualified_name(&format!("{}/n", "p".repeat(254))).is_err());
    assert!(is_valid_label_value("").is_ok());
    assert!(is_valid_label_value("v1.2_beta-3").is_ok());
    assert!(is_valid_label_value("v/1").is_err());
}

proptest! {
    #[test]
    fn validators_never_panic(s in any::<String>()) {
        let _ = is_dns1123_label(&s);
        let _ = is_dns1123_subdomain(&s);
        let _ = is_dns1035_label(&s);
        let _ = is_qualified_name(&s);
        let _ = is_valid_label_value(&s);
        let _ = name_is_dns_subdomain(&s, true);
    }

    #[test]
    fn every_dns_label_is_a_subdomain_and_a_label_value(s in "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?") {
        prop_assert!(is_dns1123_label(&s).is_ok());
        prop_assert!(is_dns1123_subdomain(&s).is_ok());
        prop_assert!(is_valid_label_value(&s).is_ok());
        prop_assert!(is_qualified_name(&s).is_ok());
    }
}
