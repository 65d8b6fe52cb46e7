//! Emits the Rust source of the generated types: one file per type, one `mod.rs` per
//! group/version and per group.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::docs;
use crate::model::{Def, Field, ModKey, Model, Module, Shape, Ty};
use crate::HEADER;

/// Names that generated code must never import under their short name.
const RESERVED: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Vec",
    "String",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Serialize",
    "Deserialize",
    "Object",
    "Resource",
    "ResourceInfo",
    "Cow",
    "Verbs",
    "Scheme",
];

/// Per-file import collector: short names for paths, falling back to full paths on clashes.
struct Imports {
    module: ModKey,
    names: BTreeMap<String, String>,
    taken: BTreeSet<String>,
}

impl Imports {
    fn new(module: &ModKey, local: &[&str]) -> Self {
        let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| (*s).to_owned()).collect();
        taken.extend(local.iter().map(|s| (*s).to_owned()));
        Self {
            module: module.clone(),
            names: BTreeMap::new(),
            taken,
        }
    }

    /// Returns the name to use for `path` (`a::b::C`), importing it when possible.
    fn name(&mut self, path: &str) -> String {
        let short = path.rsplit("::").next().unwrap_or(path).to_owned();
        match self.names.get(&short) {
            Some(p) if p == path => short,
            Some(_) => path.to_owned(),
            None if self.taken.contains(&short) => path.to_owned(),
            None => {
                self.names.insert(short.clone(), path.to_owned());
                short
            }
        }
    }

    fn def_path(&mut self, model: &Model, name: &str, current: &str) -> String {
        let d = &model.defs[name];
        if d.rust == current && d.module == self.module {
            return d.rust.clone();
        }
        if d.module == self.module {
            self.name(&format!("super::{}", d.rust))
        } else {
            self.name(&format!("crate::{}::{}", d.module.path(), d.rust))
        }
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for path in self.names.values().collect::<BTreeSet<_>>() {
            let _ = writeln!(out, "use {path};");
        }
        out
    }
}

fn render_ty(model: &Model, imp: &mut Imports, ty: &Ty, current: &str) -> String {
    match ty {
        Ty::Bool => "bool".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::F64 => "f64".into(),
        Ty::String => imp.name("kapi_apimachinery::CompactString"),
        Ty::Bytes => imp.name("kapi_apimachinery::ByteString"),
        Ty::Extern(p) => imp.name(p),
        Ty::Value => imp.name("serde_json::Value"),
        Ty::Def(n) => imp.def_path(model, n, current),
        Ty::Vec(t) => {
            let v = imp.name("kapi_apimachinery::ThinVec");
            format!("{v}<{}>", render_ty(model, imp, t, current))
        }
        Ty::Nullable(t) => format!("Option<{}>", render_ty(model, imp, t, current)),
        Ty::Map(t) => {
            let m = imp.name("kapi_apimachinery::Map");
            let k = imp.name("kapi_apimachinery::CompactString");
            format!("{m}<{k}, {}>", render_ty(model, imp, t, current))
        }
    }
}

fn field_ty(model: &Model, imp: &mut Imports, f: &Field, current: &str) -> String {
    let mut t = render_ty(model, imp, &f.ty, current);
    if f.boxed {
        t = format!("Box<{t}>");
    }
    if f.is_option() {
        t = format!("Option<{t}>");
    }
    t
}

fn doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// The source of one type file (a struct, or a struct and its list alias).
fn emit_type_file(model: &Model, def: &Def, list: Option<&Def>) -> String {
    let mut local = vec![def.rust.as_str()];
    if let Some(l) = list {
        local.push(l.rust.as_str());
    }
    let mut imp = Imports::new(&def.module, &local);
    let mut body = String::new();
    let Shape::Struct(fields) = &def.shape else {
        unreachable!("lists are emitted with their item")
    };

    // Struct.
    doc_lines(&mut body, "", &docs::type_doc(model, def));
    if def.rust != def.upstream {
        let _ = writeln!(body, "#[doc(alias = \"{}\")]", def.upstream);
    }
    let _ = writeln!(body, "#[derive(Clone, Default, PartialEq)]");
    if fields.is_empty() {
        let _ = writeln!(body, "pub struct {} {{}}", def.rust);
    } else {
        let _ = writeln!(body, "pub struct {} {{", def.rust);
        for f in fields {
            doc_lines(&mut body, "    ", &docs::field_doc(model, def, f));
            let ty = field_ty(model, &mut imp, f, &def.rust);
            let _ = writeln!(body, "    pub {}: {ty},", f.rust);
        }
        let _ = writeln!(body, "}}");
    }
    body.push('\n');
    emit_debug(&mut body, def, fields);
    body.push('\n');
    emit_serialize(&mut body, def, fields);
    body.push('\n');
    emit_deserialize(&mut body, def, fields);

    if def.has_object_meta {
        let om = imp.name("kapi_apimachinery::meta::ObjectMeta");
        let _ = write!(
            body,
            "\nimpl kapi_apimachinery::Object for {t} {{\n    #[inline]\n    fn metadata(&self) -> &{om} {{\n        &self.metadata\n    }}\n\n    #[inline]\n    fn metadata_mut(&mut self) -> &mut {om} {{\n        &mut self.metadata\n    }}\n}}\n",
            t = def.rust
        );
    }
    if let (Some(i), true) = (def.resource, def.has_object_meta) {
        let r = &model.resources[i];
        let g = def
            .top_level
            .as_ref()
            .expect("resources are top-level kinds");
        let scope = if r.namespaced {
            "NamespaceScope"
        } else {
            "ClusterScope"
        };
        let _ = write!(
            body,
            "\nimpl kapi_apimachinery::Resource for {t} {{\n    type Scope = kapi_apimachinery::{scope};\n    const API_VERSION: &'static str = \"{av}\";\n    const INFO: kapi_apimachinery::ResourceInfo = {info};\n}}\n",
            t = def.rust,
            av = g.api_version(),
            info = resource_info_expr(r, "    "),
        );
    }
    if let Some(l) = list {
        let _ = writeln!(body);
        doc_lines(&mut body, "", &docs::list_doc(model, l, def));
        let _ = writeln!(
            body,
            "pub type {} = kapi_apimachinery::ObjectList<{}>;",
            l.rust, def.rust
        );
    }

    let mut out = String::new();
    out.push_str(HEADER);
    out.push('\n');
    let imports = imp.render();
    if !imports.is_empty() {
        out.push_str(&imports);
        out.push('\n');
    }
    out.push_str(&body);
    out
}

/// A `ResourceInfo { … }` constant expression.
pub(crate) fn resource_info_expr(r: &crate::resources::ResourceFacts, indent: &str) -> String {
    let verbs: Vec<String> = r.verbs.iter().map(|v| verb_const(v).to_owned()).collect();
    let verbs = match verbs.as_slice() {
        [] => "kapi_apimachinery::Verbs::NONE".to_owned(),
        [first, rest @ ..] => {
            let mut s = format!("kapi_apimachinery::Verbs::{first}");
            for v in rest {
                let _ = write!(s, ".union(kapi_apimachinery::Verbs::{v})");
            }
            s
        }
    };
    let subs: Vec<String> = r
        .subresources
        .keys()
        .map(|s| format!("std::borrow::Cow::Borrowed(\"{s}\")"))
        .collect();
    let i = indent;
    format!(
        "kapi_apimachinery::ResourceInfo {{\n{i}    group: std::borrow::Cow::Borrowed(\"{g}\"),\n{i}    version: std::borrow::Cow::Borrowed(\"{v}\"),\n{i}    kind: std::borrow::Cow::Borrowed(\"{k}\"),\n{i}    plural: std::borrow::Cow::Borrowed(\"{p}\"),\n{i}    singular: std::borrow::Cow::Borrowed(\"{s}\"),\n{i}    scope: kapi_apimachinery::Scope::{scope},\n{i}    verbs: {verbs},\n{i}    subresources: std::borrow::Cow::Borrowed(&[{subs}]),\n{i}}}",
        g = r.group,
        v = r.version,
        k = r.kind,
        p = r.plural,
        s = r.kind.to_ascii_lowercase(),
        scope = if r.namespaced { "Namespaced" } else { "Cluster" },
        subs = subs.join(", "),
    )
}

/// The `Verbs` constant for a verb name.
pub(crate) fn verb_const(v: &str) -> &'static str {
    match v {
        "get" => "GET",
        "list" => "LIST",
        "watch" => "WATCH",
        "create" => "CREATE",
        "update" => "UPDATE",
        "patch" => "PATCH",
        "delete" => "DELETE",
        "deletecollection" => "DELETE_COLLECTION",
        other => panic!("unknown verb {other}"),
    }
}

/// `Debug`, written out instead of derived so it can be `#[inline]`: the library then compiles
/// no machine code for the ~750 impls, and a program pays only for the ones it formats.
fn emit_debug(out: &mut String, def: &Def, fields: &[Field]) {
    let t = &def.rust;
    let _ = writeln!(out, "impl std::fmt::Debug for {t} {{");
    let _ = writeln!(out, "    #[inline]");
    let _ = writeln!(
        out,
        "    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{"
    );
    let _ = write!(out, "        f.debug_struct(\"{t}\")");
    for fl in fields {
        let _ = write!(
            out,
            "\n            .field(\"{}\", &self.{})",
            fl.rust, fl.rust
        );
    }
    let _ = writeln!(out, "\n            .finish()\n    }}\n}}");
}

fn emit_serialize(out: &mut String, def: &Def, fields: &[Field]) {
    let t = &def.rust;
    let _ = writeln!(out, "impl serde::Serialize for {t} {{");
    let _ = writeln!(out, "    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{");
    let has_entries = def.top_level.is_some() || !fields.is_empty();
    if !has_entries {
        let _ = writeln!(
            out,
            "        serde::ser::SerializeMap::end(serializer.serialize_map(Some(0))?)"
        );
        let _ = writeln!(out, "    }}\n}}");
        return;
    }
    let _ = writeln!(out, "        use serde::ser::SerializeMap as _;");
    let _ = writeln!(
        out,
        "        let mut map = serializer.serialize_map(None)?;"
    );
    if let Some(g) = &def.top_level {
        let _ = writeln!(
            out,
            "        map.serialize_entry(\"apiVersion\", \"{}\")?;",
            g.api_version()
        );
        let _ = writeln!(
            out,
            "        map.serialize_entry(\"kind\", \"{}\")?;",
            g.kind
        );
    }
    for f in fields {
        let (j, r) = (&f.json, &f.rust);
        let float = f.ty == Ty::F64;
        if f.is_option() && !f.option_always {
            let v = if float {
                "&crate::support::GoFloat(*value)"
            } else {
                "value"
            };
            let _ = writeln!(out, "        if let Some(value) = &self.{r} {{\n            map.serialize_entry(\"{j}\", {v})?;\n        }}");
        } else if f.ty.is_collection() && !f.required {
            let _ = writeln!(out, "        if !self.{r}.is_empty() {{\n            map.serialize_entry(\"{j}\", &self.{r})?;\n        }}");
        } else {
            assert!(
                !(float && f.option_always),
                "required float without default"
            );
            let v = if float {
                format!("&crate::support::GoFloat(self.{r})")
            } else {
                format!("&self.{r}")
            };
            let _ = writeln!(out, "        map.serialize_entry(\"{j}\", {v})?;");
        }
    }
    let _ = writeln!(out, "        map.end()\n    }}\n}}");
}

fn emit_deserialize(out: &mut String, def: &Def, fields: &[Field]) {
    let t = &def.rust;
    let _ = write!(
        out,
        "impl<'de> serde::Deserialize<'de> for {t} {{\n    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n        crate::support::deserialize_struct(deserializer)\n    }}\n}}\n\n"
    );
    let _ = writeln!(out, "impl crate::support::DeStruct for {t} {{");
    let _ = writeln!(
        out,
        "    const NAME: &'static str = \"{}\";\n",
        def.upstream
    );
    if fields.is_empty() {
        let _ = writeln!(
            out,
            "    #[inline]\n    fn field_index(_key: &str) -> u16 {{\n        crate::support::UNKNOWN\n    }}\n"
        );
        let _ = writeln!(out, "    fn visit_field<'de, A: serde::de::MapAccess<'de>>(\n        &mut self,\n        _index: u16,\n        _map: &mut A,\n    ) -> Result<(), A::Error> {{\n        Ok(())\n    }}\n}}");
        return;
    }
    let _ = writeln!(
        out,
        "    #[inline]\n    fn field_index(key: &str) -> u16 {{\n        match key {{"
    );
    for (i, f) in fields.iter().enumerate() {
        let _ = writeln!(out, "            \"{}\" => {i},", f.json);
    }
    let _ = writeln!(
        out,
        "            _ => crate::support::UNKNOWN,\n        }}\n    }}\n"
    );
    let _ = writeln!(out, "    fn visit_field<'de, A: serde::de::MapAccess<'de>>(\n        &mut self,\n        index: u16,\n        map: &mut A,\n    ) -> Result<(), A::Error> {{");
    let _ = writeln!(out, "        match index {{");
    for (i, f) in fields.iter().enumerate() {
        let r = &f.rust;
        let expr = if f.is_option() {
            "map.next_value()?"
        } else if matches!(f.ty, Ty::Vec(_)) {
            "crate::support::vec(map)?"
        } else {
            "crate::support::or_default(map)?"
        };
        let line = format!("            {i} => self.{r} = {expr},");
        if line.len() <= 100 {
            let _ = writeln!(out, "{line}");
        } else {
            // rustfmt would wrap it into a block without `;` (clippy: semicolon_if_nothing_returned).
            let _ = writeln!(
                out,
                "            {i} => {{\n                self.{r} = {expr};\n            }}"
            );
        }
    }
    let _ = writeln!(out, "            _ => crate::support::skip_value(map)?,");
    let _ = writeln!(out, "        }}\n        Ok(())\n    }}\n}}");
}

/// A group/version module: file modules, re-exports, `register`.
fn emit_gv_mod(model: &Model, m: &Module) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    doc_lines_inner(&mut out, &docs::module_doc(model, m));
    out.push('\n');
    let mut files: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for n in &m.defs {
        let d = &model.defs[n];
        files
            .entry(d.file.as_str())
            .or_default()
            .push(d.rust.as_str());
    }
    for f in files.keys() {
        let _ = writeln!(out, "mod {f};");
    }
    out.push('\n');
    for (f, names) in &files {
        let mut names = names.clone();
        names.sort_unstable();
        if names.len() == 1 {
            let _ = writeln!(out, "pub use self::{f}::{};", names[0]);
        } else {
            let _ = writeln!(out, "pub use self::{f}::{{{}}};", names.join(", "));
        }
    }
    let kinds = registered_kinds(model, m);
    if m.feature.is_some() {
        let _ = writeln!(
            out,
            "\n/// Registers the {} resource type(s) of `{}` with `scheme`.",
            kinds.len(),
            m.api_version()
        );
        if kinds.is_empty() {
            let _ = writeln!(
                out,
                "#[inline]\npub fn register(_scheme: &mut kapi_apimachinery::scheme::Scheme) {{}}"
            );
        } else {
            let _ = writeln!(
                out,
                "#[inline]\npub fn register(scheme: &mut kapi_apimachinery::scheme::Scheme) {{"
            );
            for k in kinds {
                let _ = writeln!(out, "    scheme.register::<{k}>();");
            }
            let _ = writeln!(out, "}}");
        }
    }
    out
}

/// Rust names of the kinds of `m` that implement `Resource`, sorted.
pub(crate) fn registered_kinds<'a>(model: &'a Model, m: &Module) -> Vec<&'a str> {
    let mut v: Vec<&str> = m
        .defs
        .iter()
        .map(|n| &model.defs[n])
        .filter(|d| d.resource.is_some() && d.has_object_meta)
        .map(|d| d.rust.as_str())
        .collect();
    v.sort_unstable();
    v
}

fn doc_lines_inner(out: &mut String, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "//!");
        } else {
            let _ = writeln!(out, "//! {line}");
        }
    }
}

/// `cfg` predicate enabling a top-level module: any of its versions' features.
pub(crate) fn top_cfg(model: &Model, top: &str) -> Option<String> {
    let feats: BTreeSet<&str> = model
        .modules
        .values()
        .filter(|m| m.key.top == top)
        .filter_map(|m| m.feature.as_deref())
        .collect();
    match feats.len() {
        0 => None,
        1 => Some(format!(
            "feature = \"{}\"",
            feats.iter().next().unwrap_or(&"")
        )),
        _ => Some(format!(
            "any({})",
            feats
                .iter()
                .map(|f| format!("feature = \"{f}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// A group module (`apps/mod.rs`): one `pub mod vN` per version behind its feature.
fn emit_group_mod(model: &Model, top: &str) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    let mods: Vec<&Module> = model
        .modules
        .values()
        .filter(|m| m.key.top == top)
        .collect();
    doc_lines_inner(&mut out, &docs::group_doc(model, top, &mods));
    out.push('\n');
    for m in &mods {
        let v = m.key.version.as_deref().unwrap_or_default();
        if let Some(f) = &m.feature {
            let _ = writeln!(out, "#[cfg(feature = \"{f}\")]");
            let _ = writeln!(out, "#[cfg_attr(docsrs, doc(cfg(feature = \"{f}\")))]");
        }
        let _ = writeln!(out, "pub mod {v};");
    }
    if mods.iter().any(|m| m.feature.is_some()) {
        let _ = writeln!(out, "\n/// Registers the resource types of every enabled version of this group with `scheme`.");
        let _ = writeln!(
            out,
            "#[inline]\npub fn register(scheme: &mut kapi_apimachinery::scheme::Scheme) {{"
        );
        for m in &mods {
            let v = m.key.version.as_deref().unwrap_or_default();
            if let Some(f) = &m.feature {
                let _ = writeln!(
                    out,
                    "    #[cfg(feature = \"{f}\")]\n    {v}::register(scheme);"
                );
            }
        }
        let _ = writeln!(out, "    let _ = scheme;\n}}");
    }
    out
}

/// All type-related files, as `(path relative to the api crate, contents)`.
pub(crate) fn emit(model: &Model) -> Vec<(String, String)> {
    let mut files = Vec::new();
    // Lists by their item.
    let mut lists: BTreeMap<&str, &Def> = BTreeMap::new();
    for d in model.defs.values() {
        if let Shape::List(item) = &d.shape {
            lists.insert(item.as_str(), d);
        }
    }
    for d in model.defs.values() {
        if let Shape::Struct(_) = d.shape {
            let dir = d.module.path().replace("::", "/");
            let list = lists.get(d.name.as_str()).copied();
            files.push((
                format!("src/{dir}/{}.rs", d.file),
                emit_type_file(model, d, list),
            ));
        }
    }
    let tops: BTreeSet<&str> = model.modules.keys().map(|k| k.top.as_str()).collect();
    for m in model.modules.values() {
        let dir = m.key.path().replace("::", "/");
        files.push((format!("src/{dir}/mod.rs"), emit_gv_mod(model, m)));
    }
    for top in tops {
        if model
            .modules
            .keys()
            .any(|k| k.top == top && k.version.is_some())
        {
            files.push((format!("src/{top}/mod.rs"), emit_group_mod(model, top)));
        }
    }
    files
}

/// The short JSON-ish description of a property schema used in field docs.
pub(crate) fn schema_type_name(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let short = r.rsplit('.').next().unwrap_or(r);
        return format!("`{short}`");
    }
    let format = schema.get("format").and_then(Value::as_str);
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            let inner = schema
                .get("items")
                .map_or_else(|| "any".to_owned(), schema_type_name);
            format!("array of {inner}")
        }
        Some("object") => match schema.get("additionalProperties") {
            Some(ap) if ap.is_object() => format!("map of {}", schema_type_name(ap)),
            _ => "free-form object".to_owned(),
        },
        Some(t) => match format {
            Some(f) => format!("`{t}` (`{f}`)"),
            None => format!("`{t}`"),
        },
        None => "any JSON value".to_owned(),
    }
}
