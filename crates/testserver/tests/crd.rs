//! Rules 6.1–6.7 (CustomResourceDefinitions) and the custom-resource cases of 3.1, 3.5, 3.8,
//! 3.11 and 3.12.

mod support;

use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::{json, Value};
use support::{install_crd, start, widget, widget_crd, CRDS, WIDGETS};

fn causes(r: &support::Resp) -> Vec<(String, String)> {
    r.json()["details"]["causes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap_or("").to_owned(),
                c["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn crd_6_1_invalid_definitions_are_rejected() {
    let (_s, c) = start().await;
    let mut bad = widget_crd();
    bad["metadata"]["name"] = json!("wrong.example.com");
    bad["spec"]["versions"][1]["storage"] = json!(true);
    bad["spec"]["versions"][0]["schema"] = json!({});
    bad["spec"]["scope"] = json!("Galaxy");
    let r = c.post(CRDS, &bad).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.text());
    let fields: Vec<String> = causes(&r).into_iter().map(|(f, _)| f).collect();
    for f in [
        "metadata.name",
        "spec.scope",
        "spec.versions",
        "spec.versions[0].schema.openAPIV3Schema",
    ] {
        assert!(fields.contains(&f.to_owned()), "{f} missing: {fields:?}");
    }
    assert!(r.json()["message"].as_str().unwrap().starts_with(
        "CustomResourceDefinition.apiextensions.k8s.io \"wrong.example.com\" is invalid: ["
    ));
    // A non-structural schema (a property without a type).
    let mut loose = widget_crd();
    loose["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        ["x"] = json!({});
    let r = c.post(CRDS, &loose).await;
    assert_eq!(r.status.as_u16(), 422);
    assert!(causes(&r).iter().any(|(f, m)| f
        == "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[x].type"
        && m.contains("must not be empty")));
    // Nothing is served.
    assert_eq!(
        c.get("/apis/example.com/v1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn crd_6_2_conditions_names_and_serving() {
    let (_s, c) = start().await;
    assert_eq!(c.get(WIDGETS).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.get("/apis/example.com").await.status,
        StatusCode::NOT_FOUND
    );
    let created = install_crd(&c, &widget_crd()).await;
    assert!(created["metadata"]["uid"].is_string());
    let crd = c.get(&format!("{CRDS}/widgets.example.com")).await.json();
    let conds = crd["status"]["conditions"].as_array().unwrap();
    for ty in ["NamesAccepted", "Established"] {
        let cond = conds.iter().find(|x| x["type"] == ty).expect(ty);
        assert_eq!(cond["status"], "True", "{ty}");
    }
    assert_eq!(crd["status"]["acceptedNames"]["kind"], "Widget");
    assert_eq!(crd["status"]["acceptedNames"]["listKind"], "WidgetList");
    assert_eq!(crd["status"]["storedVersions"], json!(["v1"]));
    assert_eq!(
        crd["metadata"]["finalizers"],
        json!(["customresourcecleanup.apiextensions.k8s.io"])
    );
    // Served everywhere: list, discovery (legacy and aggregated), OpenAPI.
    let list = c.get(WIDGETS).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["kind"], "WidgetList");
    let rl = c.get("/apis/example.com/v1").await.json();
    let names: Vec<&str> = rl["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["widgets", "widgets/status", "widgets/scale"]);
    assert_eq!(rl["resources"][0]["shortNames"], json!(["wd"]));
    assert_eq!(
        rl["resources"][0]["verbs"],
        json!([
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch"
        ])
    );
    let groups = c.get("/apis").await.json();
    let g = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "example.com")
        .expect("group listed");
    assert_eq!(g["preferredVersion"]["version"], "v2");
    let agg = c
        .send(
            Method::GET,
            "/apis",
            &[(
                "accept",
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
            )],
            Vec::new(),
        )
        .await
        .json();
    assert!(agg["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["metadata"]["name"] == "example.com"));
    let index = c.get("/openapi/v3").await.json();
    assert!(index["paths"]["apis/example.com/v1"]["serverRelativeURL"].is_string());
    let v2 = c.get("/openapi/v2").await.json();
    assert!(v2["definitions"]["com.example.v1.Widget"].is_object());
    // A second CRD asking for a taken name is not accepted and not served.
    let mut clash = widget_crd();
    clash["metadata"]["name"] = json!("gadgets.example.com");
    clash["spec"]["names"] = json!({"plural": "gadgets", "kind": "Gadget", "shortNames": ["wd"]});
    assert_eq!(c.post(CRDS, &clash).await.status, StatusCode::CREATED);
    let got = c.get(&format!("{CRDS}/gadgets.example.com")).await.json();
    let accepted = got["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["type"] == "NamesAccepted")
        .cloned()
        .unwrap();
    assert_eq!(accepted["status"], "False");
    assert_eq!(accepted["reason"], "ShortNamesConflict");
    assert_eq!(
        c.get("/apis/example.com/v1/namespaces/default/gadgets")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn crd_6_3_pruning_defaults_and_validation() {
    let (_s, c) = start().await;
    install_crd(&c, &widget_crd()).await;
    let mut w = widget("w", 3);
    w["spec"]["bogus"] = json!(true);
    w["spec"]["extra"] = json!({"anything": {"goes": [1, 2]}});
    w["top"] = json!(1);
    let r = c.post(WIDGETS, &w).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let o = r.json();
    assert!(
        o["spec"].get("bogus").is_none() && o.get("top").is_none(),
        "{o}"
    );
    assert_eq!(o["spec"]["extra"]["anything"]["goes"], json!([1, 2]));
    assert_eq!(o["spec"]["color"], "red", "default applied");
    assert_eq!(o["metadata"]["generation"], 1);
    let warnings: Vec<&str> = r
        .headers
        .get_all("warning")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(
        warnings,
        [
            "299 - \"unknown field \\\"spec.bogus\\\"\"",
            "299 - \"unknown field \\\"top\\\"\""
        ]
    );
    // One cause per field.
    let bad = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "bad"},
        "spec": {"size": 15, "color": "pink", "name": "Too-Long-Name", "tags": ["a", "b", "c", "d"]}});
    let r = c.post(WIDGETS, &bad).await;
    assert_eq!(r.status.as_u16(), 422);
    let st = r.json();
    assert_eq!(st["reason"], "Invalid");
    assert_eq!(st["details"]["kind"], "Widget");
    assert_eq!(st["details"]["group"], "example.com");
    let cs = causes(&r);
    assert!(
        cs.contains(&(
            "spec.size".into(),
            "Invalid value: 15: spec.size in body should be less than or equal to 10".into()
        )),
        "{cs:?}"
    );
    assert!(cs.contains(&(
        "spec.color".into(),
        "Unsupported value: \"pink\": supported values: \"red\", \"blue\"".into()
    )));
    assert!(cs
        .iter()
        .any(|(f, m)| f == "spec.name" && m.starts_with("Too long")));
    assert!(cs
        .iter()
        .any(|(f, m)| f == "spec.name" && m.contains("should match '^[a-z]+$'")));
    assert!(cs.contains(&(
        "spec.tags".into(),
        "Too many: 4: must have at most 3 items".into()
    )));
    let r = c.post(WIDGETS, &json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "nosize"}, "spec": {}})).await;
    assert_eq!(
        causes(&r),
        [("spec.size".to_owned(), "Required value".to_owned())]
    );
    let r = c.post(WIDGETS, &json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "str"}, "spec": {"size": "big"}})).await;
    assert_eq!(
        causes(&r),
        [(
            "spec.size".to_owned(),
            "Invalid value: \"string\": spec.size in body must be of type integer: \"string\""
                .to_owned()
        )]
    );
    // Updates are validated too.
    let mut upd = o.clone();
    upd["spec"]["size"] = json!(0);
    let r = c.put(&format!("{WIDGETS}/w"), &upd).await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(causes(&r)[0].0, "spec.size");
}

#[tokio::test]
async fn crd_6_4_status_and_scale_subresources() {
    let (_s, c) = start().await;
    install_crd(&c, &widget_crd()).await;
    let mut w = widget("w", 2);
    w["status"] = json!({"phase": "Ignored"});
    let o = c.post(WIDGETS, &w).await.json();
    assert!(o.get("status").is_none(), "status dropped on create: {o}");
    let path = format!("{WIDGETS}/w");
    let mut st = o.clone();
    st["status"] = json!({"phase": "Ready", "replicas": 2, "selector": "app=w"});
    st["spec"]["size"] = json!(9);
    let r = c.put(&format!("{path}/status"), &st).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let o2 = r.json();
    assert_eq!(o2["status"]["phase"], "Ready");
    assert_eq!(o2["spec"]["size"], 2, "spec comes from storage");
    assert_eq!(
        o2["metadata"]["generation"], 1,
        "never bumped through /status"
    );
    // Main endpoint keeps the stored status.
    let mut main = o2.clone();
    main["status"] = json!({"phase": "Hacked"});
    main["spec"]["size"] = json!(4);
    let o3 = c.put(&path, &main).await.json();
    assert_eq!(o3["status"]["phase"], "Ready");
    assert_eq!(o3["metadata"]["generation"], 2);
    // Scale.
    let scale = c.get(&format!("{path}/scale")).await.json();
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["apiVersion"], "autoscaling/v1");
    assert_eq!(scale["spec"]["replicas"], 4);
    assert_eq!(scale["status"], json!({"replicas": 2, "selector": "app=w"}));
    let r = c
        .patch(
            &format!("{path}/scale"),
            "application/merge-patch+json",
            &json!({"spec": {"replicas": 7}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["spec"]["replicas"], 7);
    let o4 = c.get(&path).await.json();
    assert_eq!(o4["spec"]["size"], 7);
    assert_eq!(o4["metadata"]["generation"], 3);
    let managers: Vec<&str> = o4["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["subresource"] == "scale")
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert_eq!(managers.len(), 1);
}

#[tokio::test]
async fn crd_6_5_versions_share_storage() {
    let (_s, c) = start().await;
    install_crd(&c, &widget_crd()).await;
    let v2 = "/apis/example.com/v2/namespaces/default/widgets";
    let mut w = widget("w", 2);
    w["apiVersion"] = json!("example.com/v2");
    let r = c.post(v2, &w).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["apiVersion"], "example.com/v2");
    let v1 = c.get(&format!("{WIDGETS}/w")).await.json();
    assert_eq!(v1["apiVersion"], "example.com/v1");
    assert_eq!(v1["spec"]["size"], 2);
    let list = c.get(v2).await.json();
    assert_eq!(list["items"][0]["apiVersion"], "example.com/v2");
    let crd = c.get(&format!("{CRDS}/widgets.example.com")).await.json();
    assert_eq!(crd["status"]["storedVersions"], json!(["v1"]));
    // Switch the storage version: both are recorded.
    let mut upd = crd.clone();
    upd["spec"]["versions"][0]["storage"] = json!(false);
    upd["spec"]["versions"][1]["storage"] = json!(true);
    let r = c.put(&format!("{CRDS}/widgets.example.com"), &upd).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let crd = c.get(&format!("{CRDS}/widgets.example.com")).await.json();
    assert_eq!(crd["status"]["storedVersions"], json!(["v1", "v2"]));
}

#[tokio::test]
async fn crd_6_6_selectable_fields_and_printer_columns() {
    let (_s, c) = start().await;
    install_crd(&c, &widget_crd()).await;
    let mut blue = widget("b", 1);
    blue["spec"]["color"] = json!("blue");
    c.post(WIDGETS, &blue).await;
    c.post(WIDGETS, &widget("r", 2)).await;
    let l = c
        .get(&format!("{WIDGETS}?fieldSelector=spec.color%3Dblue"))
        .await
        .json();
    let names: Vec<&str> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["b"]);
    let r = c
        .get(&format!("{WIDGETS}?fieldSelector=spec.size%3D1"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["message"], "field label not supported: spec.size");
    let t = c
        .send(
            Method::GET,
            WIDGETS,
            &[(
                "accept",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
            )],
            Vec::new(),
        )
        .await
        .json();
    assert_eq!(t["kind"], "Table");
    let cols: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cols, ["Name", "Size", "Color", "Phase", "Age"]);
    assert_eq!(t["columnDefinitions"][3]["priority"], 1);
    let row = &t["rows"][0];
    assert_eq!(row["cells"][0], "b");
    assert_eq!(row["cells"][1], 1);
    assert_eq!(row["cells"][2], "blue");
    assert_eq!(row["cells"][3], Value::Null);
    assert!(row["cells"][4].as_str().unwrap().ends_with('s'));
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
}

#[tokio::test]
async fn crd_6_7_deleting_a_crd_deletes_its_objects() {
    let (_s, c) = start().await;
    install_crd(&c, &widget_crd()).await;
    c.post(WIDGETS, &widget("a", 1)).await;
    c.post(WIDGETS, &widget("b", 1)).await;
    let mut watch = c.watch(&format!("{WIDGETS}?watch=1")).await;
    assert_eq!(watch.change().await["type"], "ADDED");
    assert_eq!(watch.change().await["type"], "ADDED");
    let r = c.delete(&format!("{CRDS}/widgets.example.com")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(watch.change().await["type"], "DELETED");
    assert_eq!(watch.change().await["type"], "DELETED");
    for _ in 0..100 {
        if c.get(&format!("{CRDS}/widgets.example.com")).await.status == StatusCode::NOT_FOUND {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        c.get(&format!("{CRDS}/widgets.example.com")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(c.get(WIDGETS).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.get("/apis/example.com/v1").await.status,
        StatusCode::NOT_FOUND
    );
    // Recreated: empty.
    install_crd(&c, &widget_crd()).await;
    assert_eq!(c.get(WIDGETS).await.json()["items"], json!([]));
}

#[tokio::test]
async fn crd_custom_resources_follow_the_custom_rules() {
    let (_s, c) = start().await;
    install_crd(&c, &widget_crd()).await;
    let o = c.post(WIDGETS, &widget("w", 1)).await.json();
    let path = format!("{WIDGETS}/w");
    // 3.5: PUT needs a resourceVersion.
    let mut no_rv = o.clone();
    no_rv["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("resourceVersion");
    no_rv["spec"]["size"] = json!(2);
    let r = c.put(&path, &no_rv).await;
    assert_eq!(r.status.as_u16(), 422);
    assert_eq!(
        causes(&r),
        [(
            "metadata.resourceVersion".to_owned(),
            "Invalid value: 0: must be specified for an update".to_owned()
        )]
    );
    // 3.8: no strategic merge patch.
    let r = c
        .patch(
            &path,
            "application/strategic-merge-patch+json",
            &json!({"spec": {"size": 2}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // 3.11: generation follows the spec, not metadata.
    let r = c
        .patch(
            &path,
            "application/merge-patch+json",
            &json!({"metadata": {"labels": {"a": "b"}}}),
        )
        .await
        .json();
    assert_eq!(r["metadata"]["generation"], 1);
    let r = c
        .patch(
            &path,
            "application/merge-patch+json",
            &json!({"spec": {"size": 5}}),
        )
        .await
        .json();
    assert_eq!(r["metadata"]["generation"], 2);
    // 3.12: delete answers with a Status.
    let r = c.delete(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    let st = r.json();
    assert_eq!(st["kind"], "Status");
    assert_eq!(st["status"], "Success");
    assert_eq!(st["details"]["name"], "w");
    assert_eq!(st["details"]["group"], "example.com");
    assert_eq!(st["details"]["kind"], "widgets");
    assert_eq!(st["details"]["uid"], o["metadata"]["uid"]);
}
