//! Doc comments for generated items. Only schema facts and links: the spec's description prose is
//! never copied.

use std::fmt::Write as _;

use serde_json::Value;

use crate::emit_types::schema_type_name;
use crate::model::{Def, Field, ModKey, Model, Module};

/// Anchor of a type on the upstream API reference page: `#deployment-v1-apps`,
/// `#pod-v1-core`, `#ingress-v1-networking-k8s-io`.
pub(crate) fn reference_link(model: &Model, upstream: &str, group: &str, version: &str) -> String {
    let g = if group.is_empty() {
        "core".to_owned()
    } else {
        group.replace('.', "-")
    };
    format!(
        "https://kubernetes.io/docs/reference/generated/kubernetes-api/{}/#{}-{version}-{g}",
        model.k8s_version,
        upstream.to_ascii_lowercase()
    )
}

fn module_group(model: &Model, def: &Def) -> Option<String> {
    if def.module.top == "meta" {
        return Some("meta".to_owned());
    }
    model.modules.get(&def.module).and_then(|m| m.group.clone())
}

fn join_code<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> String {
    items
        .into_iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Doc comment of a generated struct.
pub(crate) fn type_doc(model: &Model, def: &Def) -> String {
    let module = &model.modules[&def.module];
    let av = module.api_version();
    let mut s = String::new();
    match (&def.top_level, def.resource.map(|i| &model.resources[i])) {
        (Some(g), Some(r)) => {
            let scope = if r.namespaced {
                "namespaced"
            } else {
                "cluster-scoped"
            };
            let _ = writeln!(s, "`{}` `{}` ({scope}).", g.api_version(), g.kind);
            s.push('\n');
            let _ = writeln!(s, "| | |\n|---|---|");
            let _ = writeln!(s, "| GVK | `{}` `{}` |", g.api_version(), g.kind);
            let _ = writeln!(
                s,
                "| Resource | `{}` (singular `{}`), {scope} |",
                r.plural,
                r.kind.to_ascii_lowercase()
            );
            let _ = writeln!(
                s,
                "| Verbs | {} |",
                if r.verbs.is_empty() {
                    "none".into()
                } else {
                    join_code(&r.verbs)
                }
            );
            let subs = if r.subresources.is_empty() {
                "none".to_owned()
            } else {
                join_code(r.subresources.keys())
            };
            let _ = writeln!(s, "| Subresources | {subs} |");
            let _ = writeln!(s, "| Schema | `{}` |", def.name);
            let _ = writeln!(
                s,
                "| Reference | <{}> |",
                reference_link(model, &def.upstream, &g.group, &g.version)
            );
            if !def.has_object_meta {
                let _ = writeln!(
                    s,
                    "\nIt has no `metadata`, so it implements neither `Object` nor `Resource`."
                );
            }
        }
        (Some(g), None) => {
            let _ = writeln!(
                s,
                "`{}` `{}`: a kind with no REST collection of its own.",
                g.api_version(),
                g.kind
            );
            s.push('\n');
            let _ = writeln!(s, "| | |\n|---|---|");
            let _ = writeln!(s, "| GVK | `{}` `{}` |", g.api_version(), g.kind);
            if def.subresource_body_of.is_empty() {
                let _ = writeln!(s, "| Served | not as a resource (no path in the spec) |");
            } else {
                let subs: Vec<String> = def
                    .subresource_body_of
                    .iter()
                    .map(|(av, p)| format!("`{av}` `{p}`"))
                    .collect();
                let _ = writeln!(s, "| Body of | {} |", subs.join(", "));
            }
            let _ = writeln!(s, "| Schema | `{}` |", def.name);
            let _ = writeln!(
                s,
                "| Reference | <{}> |",
                reference_link(model, &def.upstream, &g.group, &g.version)
            );
            let _ = writeln!(
                s,
                "\n{}",
                if def.has_object_meta {
                    "Implements `Object` (it has `metadata`) but not `Resource` (no collection URL)."
                } else {
                    "It has no `metadata`, so it implements neither `Object` nor `Resource`."
                }
            );
        }
        (None, _) => {
            let _ = writeln!(s, "`{av}` `{}`.", def.upstream);
            s.push('\n');
            let _ = write!(s, "Schema `{}`", def.name);
            if let (Some(group), Some(v)) =
                (module_group(model, def), def.module.version.as_deref())
            {
                let link = if group == "meta" {
                    format!(
                        "https://kubernetes.io/docs/reference/generated/kubernetes-api/{}/#{}-{v}-meta",
                        model.k8s_version,
                        def.upstream.to_ascii_lowercase()
                    )
                } else {
                    reference_link(model, &def.upstream, &group, v)
                };
                let _ = write!(s, " · [API reference]({link})");
            }
            s.push_str(".\n");
            if def.gvks.len() > 1 {
                let _ = writeln!(s, "\nRegistered under {} group-versions.", def.gvks.len());
            }
        }
    }
    if let Some(mt) = def
        .schema
        .get("x-kubernetes-map-type")
        .and_then(Value::as_str)
    {
        let _ = writeln!(s, "\nMap type `{mt}` (`x-kubernetes-map-type`).");
    }
    if let Some(unions) = def
        .schema
        .get("x-kubernetes-unions")
        .and_then(Value::as_array)
    {
        for u in unions {
            let disc = u.get("discriminator").and_then(Value::as_str);
            let members: Vec<&str> = u
                .get("fields-to-discriminateBy")
                .and_then(Value::as_object)
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            match disc {
                Some(d) => {
                    let _ = writeln!(
                        s,
                        "\nUnion of {} (discriminator `{d}`).",
                        join_code(&members)
                    );
                }
                None => {
                    let _ = writeln!(s, "\nUnion of {}.", join_code(&members));
                }
            }
        }
    }
    s
}

/// Doc comment of a generated field: JSON name, type, required-ness and list/map/patch facts.
pub(crate) fn field_doc(_model: &Model, _def: &Def, f: &Field) -> String {
    let sch = &f.schema;
    let mut s = format!("`{}`: {}", f.json, schema_type_name(sch));
    if f.required {
        s.push_str(", required");
        if f.option_always {
            s.push_str(" (`None` is written as `null`)");
        }
    } else {
        s.push_str(", optional");
    }
    s.push('.');
    let get = |k: &str| sch.get(k).and_then(Value::as_str);
    if let Some(lt) = get("x-kubernetes-list-type") {
        let keys: Vec<&str> = sch
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if keys.is_empty() {
            let _ = write!(s, " List type `{lt}`.");
        } else {
            let _ = write!(s, " List type `{lt}` (keys {}).", join_code(&keys));
        }
    }
    if let Some(mt) = get("x-kubernetes-map-type") {
        let _ = write!(s, " Map type `{mt}`.");
    }
    if let Some(ps) = get("x-kubernetes-patch-strategy") {
        match get("x-kubernetes-patch-merge-key") {
            Some(k) => {
                let _ = write!(s, " Patch strategy `{ps}` (merge key `{k}`).");
            }
            None => {
                let _ = write!(s, " Patch strategy `{ps}`.");
            }
        }
    }
    if let Some(e) = sch.get("enum").and_then(Value::as_array) {
        let vals: Vec<String> = e.iter().map(ToString::to_string).collect();
        let _ = write!(s, " Values: {}.", vals.join(", "));
    }
    s
}

/// Doc comment of a `<Kind>List` alias.
pub(crate) fn list_doc(model: &Model, list: &Def, item: &Def) -> String {
    let g = list
        .top_level
        .as_ref()
        .map(crate::model::Gvk::api_version)
        .unwrap_or_default();
    let _ = model;
    format!(
        "`{g}` `{}`: a list of [`{}`] (`apiVersion`, `kind`, `metadata`, `items`).\n\nSchema `{}`.",
        list.upstream, item.rust, list.name
    )
}

/// Inner doc of a group/version module: its kinds and feature.
pub(crate) fn module_doc(model: &Model, m: &Module) -> String {
    let mut s = String::new();
    match (&m.group, m.key.top.as_str()) {
        (Some(_), _) => {
            let _ = writeln!(
                s,
                "`{}`: {} generated types.",
                m.api_version(),
                m.defs.len()
            );
        }
        (None, "meta") => {
            let _ = writeln!(
                s,
                "`meta/v1` types that `kapi-apimachinery` does not define itself ({} types).",
                m.defs.len()
            );
            s.push_str(
                "\nObject and list metadata, selectors, conditions, Status and discovery types live in \
                 [`kapi_apimachinery::meta`].\n",
            );
        }
        (None, _) => {
            let _ = writeln!(s, "`{}` types ({}).", m.key.path(), m.defs.len());
        }
    }
    if let Some(f) = &m.feature {
        let _ = writeln!(s, "\nEnabled by the cargo feature `{f}`.");
        if !m.deps.is_empty() {
            let deps: Vec<String> = m.deps.iter().map(ModKey::path).collect();
            let _ = writeln!(s, "Its types reference {}.", join_code(&deps));
        }
    }
    let kinds: Vec<&Def> = m
        .defs
        .iter()
        .map(|n| &model.defs[n])
        .filter(|d| d.top_level.is_some() && d.resource.is_some())
        .collect();
    if !kinds.is_empty() {
        s.push_str("\n| Kind | Resource | Scope |\n|---|---|---|\n");
        for d in kinds {
            let r = &model.resources[d.resource.unwrap_or_default()];
            let _ = writeln!(
                s,
                "| [`{}`] | `{}` | {} |",
                d.rust,
                r.plural,
                if r.namespaced {
                    "namespaced"
                } else {
                    "cluster"
                }
            );
        }
    }
    s
}

/// Inner doc of a group module.
pub(crate) fn group_doc(model: &Model, top: &str, mods: &[&Module]) -> String {
    let _ = model;
    let mut s = String::new();
    let group = mods.iter().find_map(|m| m.group.clone());
    match group.as_deref() {
        Some("") => {
            let _ = writeln!(s, "The core API group (`apiVersion: v1`).");
        }
        Some(g) => {
            let _ = writeln!(s, "The `{g}` API group.");
        }
        None => {
            let _ = writeln!(s, "The `{top}` types.");
        }
    }
    s.push_str("\n| Version | Feature |\n|---|---|\n");
    for m in mods {
        let v = m.key.version.as_deref().unwrap_or_default();
        let f = m
            .feature
            .as_deref()
            .map_or_else(|| "always".to_owned(), |f| format!("`{f}`"));
        let _ = writeln!(s, "| `{v}` | {f} |");
    }
    s
}
