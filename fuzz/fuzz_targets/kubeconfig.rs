//! The kubeconfig loader: any text either parses or is an error (never a panic); a parsed
//! kubeconfig resolves every context without panicking, turns into a `Config` when it names
//! no files, minifies, and writes out YAML that reads back equal.
#![no_main]

use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::Config;
use libfuzzer_sys::fuzz_target;

fn resolve(kc: &Kubeconfig, options: &KubeconfigOptions) {
    let Ok(resolved) = kc.resolve(options) else {
        return;
    };
    let _ = format!("{resolved:?}");
    // Files are not fuzzed: a path such as /dev/zero would only test the machine.
    let c = &resolved.cluster;
    let u = &resolved.user;
    if c.certificate_authority.is_some()
        || u.client_certificate.is_some()
        || u.client_key.is_some()
        || u.token_file.is_some()
    {
        return;
    }
    if let Ok(config) = Config::from_resolved(&resolved) {
        let _ = format!("{config:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(kc) = Kubeconfig::from_yaml(text) else {
        return;
    };
    let _ = format!("{kc:?}");
    resolve(&kc, &KubeconfigOptions::new());
    for ctx in kc.contexts.iter().take(8) {
        resolve(&kc, &KubeconfigOptions::new().context(ctx.name.clone()));
        let _ = kc.minify(Some(&ctx.name));
    }
    resolve(
        &kc,
        &KubeconfigOptions::new()
            .server("https://127.0.0.1:6443")
            .namespace("ns"),
    );
    let _ = kc.minify(None);

    let yaml = serde_yaml::to_string(&kc).expect("a parsed kubeconfig serializes");
    let back = Kubeconfig::from_yaml(&yaml)
        .unwrap_or_else(|e| panic!("written kubeconfig does not read back: {e}\n{yaml}"));
    assert_eq!(back, kc, "kubeconfig changed through YAML:\n{yaml}");
});
