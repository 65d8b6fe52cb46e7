//! OpenAPI documents (rule 1.8): `/openapi/v2` (Swagger 2.0) and `/openapi/v3` (an index of
//! one OpenAPI 3.0 document per group-version), built from the catalog's embedded document and
//! from the schemas of the served CustomResourceDefinitions.
//!
//! The built-in documents never change, so they are built once per process; a snapshot of the
//! served API ([`crate::shared::Api`]) adds the documents of its custom resources on first use.

mod custom;
mod v3;

pub(crate) use custom::definition_name;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use serde_json::Value;

use crate::registry::Registry;

/// The OpenAPI documents of one API snapshot, built on first use.
#[derive(Debug, Default)]
pub(crate) struct OpenApi {
    v2: OnceLock<Bytes>,
    v3: OnceLock<V3Docs>,
}

/// `/openapi/v3`: the index and each document with its hash, by path (`apis/apps/v1`).
#[derive(Debug)]
pub(crate) struct V3Docs {
    /// The index document.
    pub(crate) index: Bytes,
    /// Documents by path.
    pub(crate) docs: BTreeMap<String, Arc<(Bytes, String)>>,
}

impl OpenApi {
    /// The Swagger 2.0 document: the catalog's plus custom resources.
    pub(crate) fn v2(&self, reg: &Registry) -> Bytes {
        self.v2
            .get_or_init(|| {
                let customs: Vec<_> = reg.all().filter(|d| d.custom).collect();
                if customs.is_empty() {
                    return builtin_v2().clone();
                }
                let mut doc = kapi_api::catalog::openapi_v2().clone();
                custom::add_to_v2(&mut doc, &customs);
                Bytes::from(serde_json::to_vec(&doc).unwrap_or_default())
            })
            .clone()
    }

    /// The OpenAPI v3 documents.
    pub(crate) fn v3(&self, reg: &Registry) -> &V3Docs {
        self.v3.get_or_init(|| {
            let mut docs = builtin_v3().clone();
            let mut gvs: BTreeMap<(String, String), Vec<_>> = BTreeMap::new();
            for d in reg.all().filter(|d| d.custom) {
                gvs.entry((d.group.clone(), d.version.clone()))
                    .or_default()
                    .push(d);
            }
            for ((group, version), defs) in gvs {
                let doc = custom::v3_document(&defs);
                docs.insert(format!("apis/{group}/{version}"), hashed(&doc));
            }
            let paths: serde_json::Map<String, Value> = docs
                .iter()
                .map(|(path, d)| {
                    let url = format!("/openapi/v3/{path}?hash={}", d.1);
                    (
                        path.clone(),
                        serde_json::json!({ "serverRelativeURL": url }),
                    )
                })
                .collect();
            let index = serde_json::json!({ "paths": paths });
            V3Docs {
                index: Bytes::from(serde_json::to_vec(&index).unwrap_or_default()),
                docs,
            }
        })
    }
}

fn hashed(doc: &Value) -> Arc<(Bytes, String)> {
    use std::hash::{Hash, Hasher};
    let bytes = Bytes::from(serde_json::to_vec(doc).unwrap_or_default());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    Arc::new((bytes, format!("{:016X}", h.finish())))
}

fn builtin_v2() -> &'static Bytes {
    static DOC: OnceLock<Bytes> = OnceLock::new();
    DOC.get_or_init(|| {
        Bytes::from(serde_json::to_vec(kapi_api::catalog::openapi_v2()).unwrap_or_default())
    })
}

fn builtin_v3() -> &'static BTreeMap<String, Arc<(Bytes, String)>> {
    static DOCS: OnceLock<BTreeMap<String, Arc<(Bytes, String)>>> = OnceLock::new();
    DOCS.get_or_init(|| {
        v3::builtin_documents()
            .into_iter()
            .map(|(path, doc)| (path, hashed(&doc)))
            .collect()
    })
}
