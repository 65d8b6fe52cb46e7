//! GET of one object (rule 2.2), also through `/status`.

use std::sync::Arc;

use http::StatusCode;
use kapi_apimachinery::meta::Status;

use super::{object_response, served_bytes, wait_for_rv};
use crate::http::{json, parse_rv, HResult, Req, ResourcePath};
use crate::shared::Shared;
use crate::store::{object_key, StoredObject};
use crate::table::Shape;

/// Reads the object a path names (404 Status when missing).
pub(crate) fn read(sh: &Shared, rp: &ResourcePath) -> Result<Arc<StoredObject>, crate::http::Fail> {
    let name = rp.name.as_deref().unwrap_or("");
    let key = object_key(rp.namespace.as_deref().unwrap_or(""), name);
    sh.store
        .get(&rp.def.storage_key, &key)
        .ok_or_else(|| Status::not_found(&rp.def.group, &rp.def.plural, name).into())
}

/// `GET .../{name}` and `GET .../{name}/status`.
pub(crate) async fn get(sh: &Arc<Shared>, rp: &ResourcePath, req: &Req) -> HResult {
    if let Some(rv) = parse_rv(req.query.get("resourceVersion"))? {
        if rv > 0 {
            wait_for_rv(sh, rv).await?;
        }
    }
    let shape = crate::table::shape(req)?;
    let obj = read(sh, rp)?;
    if shape == Shape::Full || rp.sub.is_some() {
        return Ok(object_response(StatusCode::OK, &rp.def, &obj, req));
    }
    let served: serde_json::Value =
        serde_json::from_slice(&served_bytes(&rp.def, &obj, None)).unwrap_or_default();
    let include = crate::table::include(req);
    let v = crate::table::object_in(&rp.def, &shape, &served, &include);
    Ok(json(StatusCode::OK, &v, req.pretty))
}
