//! Real kubectl (v1.32) against the server, in process and standalone: get, create, label,
//! annotate, delete, api-resources, get --raw. Fails under `CI=true` when kubectl is missing;
//! skips loudly elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use kapi_testserver::TestServer;

fn kubectl_available() -> bool {
    let found = Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "kubectl is required under CI=true but was not found"
        );
        println!("SKIPPED: kubectl not found on PATH");
    }
    found
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> Output {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "kubectl {args:?} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn temp_path(name: &str) -> PathBuf {
    let unique = format!("kapi-ts-{}-{}-{name}", std::process::id(), rand_suffix());
    std::env::temp_dir().join(unique)
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_7_in_process_everyday_commands() {
    if !kubectl_available() {
        return;
    }
    let server = TestServer::start().await.expect("server");
    let kc = temp_path("kubeconfig");
    server.write_kubeconfig(&kc).expect("kubeconfig");
    let k = |args: &[&str]| kubectl(&kc, args);

    let ns = stdout(&k(&["get", "ns"]));
    for n in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        assert!(ns.contains(n), "{ns}");
    }
    assert!(
        stdout(&k(&["create", "configmap", "demo", "--from-literal=a=b"]))
            .contains("configmap/demo created")
    );
    let list: serde_json::Value =
        serde_json::from_str(&stdout(&k(&["get", "cm", "-o", "json"]))).expect("json");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["metadata"]["name"], "demo");
    assert_eq!(items[0]["data"]["a"], "b");
    assert!(stdout(&k(&["label", "cm", "demo", "x=y"])).contains("configmap/demo labeled"));
    assert!(stdout(&k(&["annotate", "cm", "demo", "note=hi"])).contains("configmap/demo annotated"));
    assert_eq!(
        stdout(&k(&[
            "get",
            "cm",
            "demo",
            "-o",
            "jsonpath={.metadata.labels.x}/{.metadata.annotations.note}"
        ])),
        "y/hi"
    );
    let table = stdout(&k(&["get", "cm"]));
    assert!(table.contains("demo"), "{table}");
    assert!(stdout(&k(&["delete", "cm", "demo"])).contains("configmap \"demo\" deleted"));
    let after = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kc)
        .args(["get", "cm", "demo"])
        .output()
        .expect("runs");
    assert!(!after.status.success());
    assert!(String::from_utf8_lossy(&after.stderr).contains("NotFound"));
    let res = stdout(&k(&["api-resources"]));
    for needle in [
        "configmaps",
        "deployments",
        "apps/v1",
        "customresourcedefinitions",
    ] {
        assert!(res.contains(needle), "{needle} missing from api-resources");
    }
    let raw: serde_json::Value =
        serde_json::from_str(&stdout(&k(&["get", "--raw", "/apis"]))).expect("json");
    assert_eq!(raw["kind"], "APIGroupList");
    // A few more kinds kubectl creates with protobuf bodies.
    assert!(stdout(&k(&["create", "namespace", "team-a"])).contains("namespace/team-a created"));
    assert!(stdout(&k(&[
        "create",
        "secret",
        "generic",
        "s",
        "-n",
        "team-a",
        "--from-literal=p=q"
    ]))
    .contains("secret/s created"));
    assert!(
        stdout(&k(&["create", "serviceaccount", "robot", "-n", "team-a"]))
            .contains("serviceaccount/robot created")
    );
    assert!(stdout(&k(&["delete", "namespace", "team-a"])).contains("namespace \"team-a\" deleted"));
    let _ = std::fs::remove_file(&kc);
}

#[test]
fn kubectl_standalone_binary_serves_until_killed() {
    if !kubectl_available() {
        return;
    }
    let kc = temp_path("standalone-kubeconfig");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kapi-testserver"))
        .args(["--port", "0", "--token", "t0k3n", "--quiet", "--kubeconfig"])
        .arg(&kc)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let start = Instant::now();
    while !kc.exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let result = std::panic::catch_unwind(|| {
        let text = std::fs::read_to_string(&kc).expect("kubeconfig written");
        assert!(text.contains("token: t0k3n"));
        assert!(text.contains("certificate-authority-data:"));
        let ns = stdout(&kubectl(&kc, &["get", "ns", "default", "-o", "name"]));
        assert_eq!(ns.trim(), "namespace/default");
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&kc);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
