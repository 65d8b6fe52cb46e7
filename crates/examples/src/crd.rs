//! Installing a CustomResourceDefinition and waiting until the API server serves it.

use std::time::Duration;

use kapi_api::apiextensions::v1::CustomResourceDefinition;
use kapi_apimachinery::options::{CreateOptions, UpdateOptions};
use kapi_client::{Api, Client};

use crate::error::{Error, Result};
use crate::wait::{wait_for, Check};

/// What [`install`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Installed {
    /// The CRD was created.
    Created,
    /// A CRD of that name existed and was replaced with this definition.
    Updated,
}

/// Creates `crd` (or replaces an existing one of the same name) and waits until its
/// `Established` condition is `True`, i.e. the API server serves the new resource.
///
/// # Errors
/// API failures; [`Error::Timeout`] when the CRD is not established within `timeout`.
pub async fn install(
    client: &Client,
    crd: &CustomResourceDefinition,
    timeout: Duration,
) -> Result<Installed> {
    let api = Api::<CustomResourceDefinition>::all(client.clone());
    let name = crd
        .metadata
        .name
        .clone()
        .ok_or_else(|| Error::expectation("a CRD without a name"))?;
    let installed = match api.create(&CreateOptions::default(), crd).await {
        Ok(_) => Installed::Created,
        Err(e) if e.is_already_exists() => {
            kapi_client::retry_on_conflict(kapi_client::Backoff::conflict_default(), || async {
                let current = api.get(&name).await?;
                let mut next = crd.clone();
                next.metadata.resource_version = current.metadata.resource_version;
                api.replace(&name, &UpdateOptions::default(), &next).await
            })
            .await?;
            Installed::Updated
        }
        Err(e) => return Err(e.into()),
    };
    wait_for(
        &format!("CRD {name} to be established"),
        timeout,
        || async {
            let current = api.get(&name).await?;
            let conditions = current
                .status
                .as_ref()
                .map(|s| s.conditions.as_slice())
                .unwrap_or_default();
            let established = conditions
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True");
            Ok(if established {
                Check::Done(())
            } else {
                Check::Pending(format!(
                    "conditions {:?}",
                    conditions
                        .iter()
                        .map(|c| format!("{}={}", c.type_, c.status))
                        .collect::<Vec<_>>()
                ))
            })
        },
    )
    .await?;
    Ok(installed)
}
