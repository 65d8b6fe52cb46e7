//! A custom resource with `#[derive(CustomResource)]`: install its CRD, create objects (the API
//! server validates them against the generated schema and applies its defaults), read them
//! back typed, list them as `kubectl get` would (printer columns), and update the status
//! through the status subresource.
//!
//! ```text
//! cargo run -p kapi-examples --bin custom-resource
//! ```

use kapi::CustomResource;
use kapi_apimachinery::options::{CreateOptions, DeleteOptions, ListOptions, PatchOptions};
use kapi_apimachinery::{DynamicObject, Object, Resource};
use kapi_client::{Api, Client, Patch};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cluster::Cluster;
use crate::crd;
use crate::error::{ensure, Error, Result};
use crate::narrate::Narrator;
use crate::wait::DEFAULT_TIMEOUT;

/// A scheduled backup of something.
#[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kapi(
    group = "examples.kapi.dev",
    version = "v1",
    kind = "Backup",
    namespaced,
    status = "BackupStatus",
    printcolumn(name = "Schedule", type = "string", json_path = ".spec.schedule"),
    printcolumn(
        name = "Retention",
        type = "integer",
        json_path = ".spec.retentionDays"
    ),
    printcolumn(name = "Phase", type = "string", json_path = ".status.phase"),
    shortname = "bk"
)]
#[allow(clippy::duplicated_attributes)] // printer columns share `type = "string"`
#[serde(rename_all = "camelCase")]
pub struct BackupSpec {
    /// When to run, in cron syntax.
    pub schedule: String,
    /// How many days to keep each backup (the API server fills in 7 when it is left out).
    #[serde(default = "default_retention")]
    #[schemars(range(min = 1))]
    pub retention_days: u32,
}

fn default_retention() -> u32 {
    7
}

/// Where a backup stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Phase {
    /// Waiting for its schedule.
    Pending,
    /// The last run succeeded.
    Completed,
    /// The last run failed.
    Failed,
}

/// What the backup controller observed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    /// The phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// Runs so far.
    #[serde(default)]
    pub runs: u32,
}

/// Runs the example in a fresh namespace, deleted at the end (the CRD stays installed).
///
/// # Errors
/// The first failed request or expectation.
pub async fn run(cluster: &Cluster, out: &Narrator) -> Result<()> {
    out.title("custom resource: #[derive(CustomResource)], its CRD, typed CRUD and status");
    out.note(format!("cluster: {}", cluster.description()));
    out.step(format!("installing the CRD {}", Backup::CRD_NAME));
    crd::install(&cluster.client(), &Backup::crd(), DEFAULT_TIMEOUT).await?;
    out.ok(format!(
        "CRD {} established: {} served as {}",
        Backup::CRD_NAME,
        Backup::INFO.plural,
        Backup::API_VERSION
    ));
    let ns = cluster.create_namespace("kapi-crd-").await?;
    out.ok(format!("namespace {ns}"));
    let result = steps(cluster.client(), &ns, out).await;
    cluster.delete_namespace(&ns).await?;
    result
}

async fn steps(client: Client, ns: &str, out: &Narrator) -> Result<()> {
    let backups: Api<Backup> = Api::namespaced(client.clone(), ns);

    // Typed create.
    let nightly = Backup::new(
        "nightly",
        BackupSpec {
            schedule: "0 3 * * *".into(),
            retention_days: 14,
        },
    );
    let created = backups.create(&CreateOptions::default(), &nightly).await?;
    ensure(
        created.metadata.generation == Some(1) && created.status.is_none(),
        "a new object has generation 1 and no status",
    )?;
    out.ok(format!(
        "created backup/nightly (uid {}, generation 1)",
        created.uid().unwrap_or("?")
    ));

    // The schema is enforced and its defaults applied by the server. A dynamic handle sends
    // exactly the JSON we write, without the typed value's serde defaults.
    let raw: Api<DynamicObject> = Api::dynamic(client, &Backup::INFO, Some(ns));
    let weekly = DynamicObject::new("weekly", &Backup::INFO)
        .with_field("spec", json!({ "schedule": "0 4 * * 0" }));
    let weekly = raw.create(&CreateOptions::default(), &weekly).await?;
    let defaulted = weekly.data["spec"]["retentionDays"].as_u64();
    ensure(
        defaulted == Some(7),
        "the server defaulted retentionDays to 7",
    )?;
    out.ok("created backup/weekly without retentionDays: the server set the schema default, 7");
    let bad = DynamicObject::new("broken", &Backup::INFO)
        .with_field("spec", json!({ "schedule": "@daily", "retentionDays": 0 }));
    match raw.create(&CreateOptions::default(), &bad).await {
        Err(e) if e.is_invalid() => out.ok(format!("retentionDays: 0 is refused: {e}")),
        Err(e) => return Err(e.into()),
        Ok(_) => return Err(Error::expectation("retentionDays: 0 was accepted")),
    }

    // Typed reads.
    let got = backups.get("weekly").await?;
    ensure(got.spec.retention_days == 7, "typed get reads the default")?;
    let list = backups.list(&ListOptions::default()).await?;
    let names: Vec<&str> = list.items.iter().map(Object::name).collect();
    ensure(names == ["nightly", "weekly"], "both backups are listed")?;
    out.ok(format!("typed list: {names:?}"));

    // Status through the status subresource: the spec is untouched, the generation too.
    let mut status = backups.get_status("nightly").await?;
    status.status = Some(BackupStatus {
        phase: Some(Phase::Completed),
        runs: 1,
    });
    status.spec.retention_days = 1; // ignored: /status writes only .status
    let updated = backups
        .replace_status("nightly", &Default::default(), &status)
        .await?;
    ensure(
        updated.spec.retention_days == 14 && updated.metadata.generation == Some(1),
        "a status write changes neither spec nor generation",
    )?;
    out.ok("status of nightly: Completed after 1 run (spec and generation untouched)");
    let patched = backups
        .patch_status(
            "weekly",
            &PatchOptions::default(),
            &Patch::Merge(json!({ "status": { "phase": "Pending" } })),
        )
        .await?;
    ensure(
        patched.status.as_ref().and_then(|s| s.phase) == Some(Phase::Pending),
        "the status patch set the phase",
    )?;
    // A spec change bumps the generation (what controllers compare with observedGeneration).
    let changed = backups
        .patch(
            "nightly",
            &PatchOptions::default(),
            &Patch::Merge(json!({ "spec": { "schedule": "30 3 * * *" } })),
        )
        .await?;
    ensure(
        changed.metadata.generation == Some(2),
        "a spec change bumps the generation",
    )?;
    out.ok("changed nightly's schedule: generation 2");

    // What `kubectl get backups` shows: the server prints the CRD's columns.
    let table = backups.list_table(&ListOptions::default()).await?;
    let header: Vec<&str> = table
        .column_definitions
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    out.ok(format!("as a table: {}", header.join(" | ")));
    for row in &table.rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| match c {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "<none>".into(),
                other => other.to_string(),
            })
            .collect();
        out.note(cells.join(" | "));
    }
    ensure(
        header.contains(&"Schedule") && header.contains(&"Phase"),
        "the table has the printer columns",
    )?;

    for name in ["nightly", "weekly"] {
        backups.delete(name, &DeleteOptions::default()).await?;
    }
    ensure(
        backups
            .list(&ListOptions::default())
            .await?
            .items
            .is_empty(),
        "both backups are deleted",
    )?;
    out.ok("deleted both backups");
    Ok(())
}
