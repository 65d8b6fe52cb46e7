//! Real kubectl (v1.32) against the server, in process and standalone: get (tables, custom
//! printer columns, -w), create (also --dry-run=server), apply (client- and server-side, with a
//! conflict and --force-conflicts), patch (json, merge, strategic), scale, replace, label,
//! annotate, delete --wait, explain, api-resources, get --raw. Fails under `CI=true` when
//! kubectl is missing; skips loudly elsewhere.

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
    let out = kubectl_any(kubeconfig, args);
    assert!(
        out.status.success(),
        "kubectl {args:?} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs kubectl with its own discovery cache (beside the kubeconfig); any exit status.
fn kubectl_any(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache_dir(kubeconfig))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("kubectl runs")
}

fn cache_dir(kubeconfig: &Path) -> PathBuf {
    let mut p = kubeconfig.as_os_str().to_owned();
    p.push(".cache");
    PathBuf::from(p)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A table as lines of single-spaced cells, with ages (`0s`, `12s`, `3m`) masked.
fn table(text: &str) -> Vec<String> {
    let age = regex::Regex::new(r"^\d+[smhd]$").expect("regex");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split_whitespace()
                .map(|c| if age.is_match(c) { "<age>" } else { c })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
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
        .arg("--cache-dir")
        .arg(cache_dir(&kc))
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
    // Generators that send protobuf Deployments and Services.
    assert!(stdout(&k(&[
        "create",
        "deployment",
        "web",
        "-n",
        "team-a",
        "--image=nginx",
        "--replicas=2"
    ]))
    .contains("deployment.apps/web created"));
    assert!(stdout(&k(&[
        "create",
        "service",
        "clusterip",
        "web",
        "-n",
        "team-a",
        "--tcp=80:8080"
    ]))
    .contains("service/web created"));
    assert_eq!(
        stdout(&k(&["get", "deploy,svc", "web", "-n", "team-a", "-o",
            "jsonpath={.items[0].spec.replicas} {.items[0].spec.template.spec.containers[0].image} {.items[1].spec.ports[0].targetPort}"])),
        "2 nginx 8080"
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

const MANIFEST: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: demo
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: demo
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: A widget.
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1, maximum: 10, description: How big.}
              color: {type: string, enum: [red, blue], default: red}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
  namespace: demo
spec:
  size: 3
"#;

/// The acceptance scenario: everyday kubectl workflows against an in-process server, with
/// the outputs compared to what a cluster prints.
#[test]
#[allow(clippy::too_many_lines)]
fn kubectl_7_apply_get_patch_scale_replace_delete_explain() {
    if !kubectl_available() {
        return;
    }
    let server = TestServer::builder().start_blocking().expect("server");
    let kc = temp_path("workflow-kubeconfig");
    server.write_kubeconfig(&kc).expect("kubeconfig");
    let file = temp_path("all.yaml");
    std::fs::write(&file, MANIFEST).expect("manifest");
    let f = file.to_str().expect("utf-8 path");
    let k = |args: &[&str]| stdout(&kubectl(&kc, args));

    // First apply: as on a cluster, the Widget's kind is unknown until its CRD exists.
    let first = kubectl_any(&kc, &["apply", "-f", f]);
    assert!(!first.status.success());
    assert_eq!(
        table(&stdout(&first)),
        [
            "namespace/demo created",
            "configmap/settings created",
            "deployment.apps/web created",
            "service/web created",
            "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created",
        ]
    );
    assert!(
        stderr(&first).contains("ensure CRDs are installed first"),
        "{}",
        stderr(&first)
    );
    let second = k(&["apply", "-f", f]);
    assert!(second.contains("widget.example.com/w1 created"), "{second}");
    assert!(second.contains("deployment.apps/web unchanged"), "{second}");
    // A third apply is a no-op: nothing is written.
    let rv = server.resource_version();
    let third = k(&["apply", "-f", f]);
    assert_eq!(third.matches("unchanged").count(), 6, "{third}");
    assert_eq!(server.resource_version(), rv);
    // A change.
    std::fs::write(&file, MANIFEST.replace("mode: fast", "mode: slow")).expect("manifest");
    let fourth = k(&["apply", "-f", f]);
    assert!(fourth.contains("configmap/settings configured"), "{fourth}");
    assert_eq!(
        k(&[
            "get",
            "cm",
            "settings",
            "-n",
            "demo",
            "-o",
            "jsonpath={.data.mode}"
        ]),
        "slow"
    );

    // Tables: built-in and custom (printer columns).
    assert_eq!(
        table(&k(&["get", "deploy,svc,cm", "-n", "demo"])),
        [
            "NAME READY UP-TO-DATE AVAILABLE AGE",
            "deployment.apps/web 0/2 0 0 <age>",
            "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE",
            "service/web ClusterIP <none> <none> 80/TCP <age>",
            "NAME DATA AGE",
            "configmap/settings 1 <age>",
        ]
    );
    assert_eq!(
        table(&k(&["get", "widgets", "-n", "demo"])),
        ["NAME SIZE COLOR AGE", "w1 3 red <age>"]
    );
    assert_eq!(
        table(&k(&["get", "deploy", "web", "-n", "demo", "-o", "wide"])),
        [
            "NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR",
            "web 0/2 0 0 <age> nginx nginx:1.27 app=web"
        ]
    );

    // get -w sees a change.
    let mut watcher = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kc)
        .arg("--cache-dir")
        .arg(cache_dir(&kc))
        .args(["get", "wd", "-n", "demo", "-w"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl -w starts");
    std::thread::sleep(Duration::from_millis(1500));
    // Patches of every kind.
    assert_eq!(
        k(&[
            "patch",
            "wd",
            "w1",
            "-n",
            "demo",
            "--type=merge",
            "-p",
            r#"{"spec":{"size":7}}"#
        ])
        .trim(),
        "widget.example.com/w1 patched"
    );
    std::thread::sleep(Duration::from_millis(1000));
    let _ = watcher.kill();
    let watched = watcher.wait_with_output().expect("kubectl -w output");
    assert_eq!(
        table(&stdout(&watched)),
        ["NAME SIZE COLOR AGE", "w1 3 red <age>", "w1 7 red <age>"]
    );
    k(&[
        "patch",
        "cm",
        "settings",
        "-n",
        "demo",
        "--type=json",
        "-p",
        r#"[{"op":"add","path":"/data/extra","value":"1"}]"#,
    ]);
    k(&[
        "patch",
        "deploy",
        "web",
        "-n",
        "demo",
        "--type=strategic",
        "-p",
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}"#,
    ]);
    let bad = kubectl_any(
        &kc,
        &[
            "patch",
            "wd",
            "w1",
            "-n",
            "demo",
            "--type=strategic",
            "-p",
            "{}",
        ],
    );
    assert!(
        stderr(&bad).contains("application/strategic-merge-patch+json is not supported"),
        "{}",
        stderr(&bad)
    );
    assert_eq!(
        k(&[
            "get",
            "deploy",
            "web",
            "-n",
            "demo",
            "-o",
            "jsonpath={.spec.template.spec.containers[*].image}"
        ]),
        "nginx:1.28"
    );
    // Scale.
    assert_eq!(
        k(&["scale", "deployment", "web", "-n", "demo", "--replicas=4"]).trim(),
        "deployment.apps/web scaled"
    );
    assert_eq!(
        k(&[
            "get",
            "deploy",
            "web",
            "-n",
            "demo",
            "-o",
            "jsonpath={.spec.replicas}"
        ]),
        "4"
    );
    // Edit-equivalent: get, change, replace.
    let yaml = k(&["get", "cm", "settings", "-n", "demo", "-o", "yaml"])
        .replace("mode: slow", "mode: edited");
    let edited = temp_path("edited.yaml");
    std::fs::write(&edited, yaml).expect("edited");
    assert_eq!(
        k(&["replace", "-f", edited.to_str().expect("path")]).trim(),
        "configmap/settings replaced"
    );
    // Server-side apply: a conflict, then --force-conflicts.
    let ssa = temp_path("ssa.yaml");
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: demo\ndata:\n  a: \"1\"\n  b: \"2\"\n";
    std::fs::write(&ssa, doc).expect("ssa");
    let s = ssa.to_str().expect("path");
    assert_eq!(
        k(&["apply", "--server-side", "-f", s]).trim(),
        "configmap/ssa serverside-applied"
    );
    std::fs::write(&ssa, doc.replace("\"2\"", "\"3\"")).expect("ssa");
    let conflict = kubectl_any(
        &kc,
        &["apply", "--server-side", "--field-manager=other", "-f", s],
    );
    assert!(!conflict.status.success());
    assert!(
        stderr(&conflict)
            .starts_with("error: Apply failed with 1 conflict: conflict with \"kubectl\": .data.b"),
        "{}",
        stderr(&conflict)
    );
    k(&[
        "apply",
        "--server-side",
        "--field-manager=other",
        "--force-conflicts",
        "-f",
        s,
    ]);
    assert_eq!(
        k(&["get", "cm", "ssa", "-n", "demo", "-o", "jsonpath={.data.b}"]),
        "3"
    );
    let managers = k(&[
        "get",
        "cm",
        "ssa",
        "-n",
        "demo",
        "--show-managed-fields",
        "-o",
        "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}",
    ]);
    assert_eq!(managers.trim(), "kubectl/Apply other/Apply");
    // From client-side to server-side apply: kubectl migrates the ownership quietly.
    let csa = temp_path("csa.yaml");
    std::fs::write(&csa, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: csa\n  namespace: demo\ndata:\n  a: \"1\"\n").expect("csa");
    let c = csa.to_str().expect("path");
    k(&["apply", "-f", c]);
    let migrated = kubectl(&kc, &["apply", "--server-side", "-f", c]);
    assert_eq!(stdout(&migrated).trim(), "configmap/csa serverside-applied");
    assert!(stderr(&migrated).is_empty(), "{}", stderr(&migrated));
    let managers = k(&[
        "get",
        "cm",
        "csa",
        "-n",
        "demo",
        "--show-managed-fields",
        "-o",
        "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}",
    ]);
    assert_eq!(managers.trim(), "kubectl/Apply kubectl-last-applied/Apply");
    let _ = std::fs::remove_file(&csa);
    // Dry run on the server.
    let dry = temp_path("dry.yaml");
    std::fs::write(
        &dry,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\n  namespace: demo\n",
    )
    .expect("dry");
    assert_eq!(
        k(&[
            "create",
            "--dry-run=server",
            "-f",
            dry.to_str().expect("path")
        ])
        .trim(),
        "configmap/dry created (server dry run)"
    );
    assert!(!kubectl_any(&kc, &["get", "cm", "dry", "-n", "demo"])
        .status
        .success());
    // explain reads the CRD's schema from /openapi/v3.
    let explain = k(&["explain", "widgets.spec"]);
    assert!(explain.contains("KIND:       Widget"), "{explain}");
    assert!(explain.contains("size\t<integer>"), "{explain}");
    assert!(explain.contains("How big."), "{explain}");
    let raw: serde_json::Value =
        serde_json::from_str(&k(&["get", "--raw", "/openapi/v3"])).expect("json");
    assert!(raw["paths"]["apis/example.com/v1"].is_object());
    // Delete and wait.
    assert_eq!(
        k(&["delete", "wd", "w1", "-n", "demo", "--wait"]).trim(),
        "widget.example.com \"w1\" deleted"
    );
    assert_eq!(
        k(&["delete", "namespace", "demo", "--wait"]).trim(),
        "namespace \"demo\" deleted"
    );
    assert!(!kubectl_any(&kc, &["get", "ns", "demo"]).status.success());
    for p in [&kc, &file, &edited, &ssa, &dry] {
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_dir_all(cache_dir(&kc));
}
