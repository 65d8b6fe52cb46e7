//! The generation model: which definitions become which Rust types, in which module, behind which
//! feature, and with which resource facts.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::naming;
use crate::resources::{self, ResourceFacts};

/// A group/version/kind triple.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Gvk {
    pub(crate) group: String,
    pub(crate) version: String,
    pub(crate) kind: String,
}

impl Gvk {
    pub(crate) fn from_value(v: &Value) -> Option<Self> {
        Some(Self {
            group: v.get("group")?.as_str()?.to_owned(),
            version: v.get("version")?.as_str()?.to_owned(),
            kind: v.get("kind")?.as_str()?.to_owned(),
        })
    }

    pub(crate) fn api_version(&self) -> String {
        api_version(&self.group, &self.version)
    }
}

/// `v1` for the core group, `group/version` otherwise.
pub(crate) fn api_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

/// A Rust module holding generated types: `core::v1`, `apps::v1`, `meta::v1`, `version`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ModKey {
    /// Top-level module (the upstream Go package name): `core`, `apps`, `rbac`, `meta`.
    pub(crate) top: String,
    /// Version sub-module, if any.
    pub(crate) version: Option<String>,
}

impl ModKey {
    /// `core::v1`.
    pub(crate) fn path(&self) -> String {
        match &self.version {
            Some(v) => format!("{}::{v}", self.top),
            None => self.top.clone(),
        }
    }
}

/// The Rust type of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Bool,
    I32,
    I64,
    F64,
    String,
    /// `kapi_apimachinery::ByteString`.
    Bytes,
    /// A type from outside the generated code, by full path.
    Extern(&'static str),
    /// `serde_json::Value`.
    Value,
    /// A generated definition, by spec name.
    Def(String),
    Vec(Box<Ty>),
    Map(Box<Ty>),
    /// `Option<T>` inside a collection: a timestamp whose Go zero value is written as `null`.
    Nullable(Box<Ty>),
}

impl Ty {
    pub(crate) fn is_collection(&self) -> bool {
        matches!(self, Ty::Vec(_) | Ty::Map(_))
    }
}

/// Types with no `Default` impl: required fields of these types become `Option` (always written).
pub(crate) const NO_DEFAULT: &[&str] = &[
    "kapi_apimachinery::Time",
    "kapi_apimachinery::MicroTime",
    "kapi_apimachinery::Quantity",
    "kapi_apimachinery::IntOrString",
];

/// Definitions implemented by hand in `kapi-apimachinery`.
pub(crate) const EXTERN_DEFS: &[(&str, &str)] = &[
    (
        "io.k8s.apimachinery.pkg.api.resource.Quantity",
        "kapi_apimachinery::Quantity",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup",
        "kapi_apimachinery::meta::ApiGroup",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList",
        "kapi_apimachinery::meta::ApiGroupList",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIResource",
        "kapi_apimachinery::meta::ApiResource",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
        "kapi_apimachinery::meta::ApiResourceList",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions",
        "kapi_apimachinery::meta::ApiVersions",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.Condition",
        "kapi_apimachinery::meta::Condition",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
        "kapi_apimachinery::options::DeleteOptions",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
        "kapi_apimachinery::meta::FieldsV1",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery",
        "kapi_apimachinery::meta::GroupVersionForDiscovery",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
        "kapi_apimachinery::meta::LabelSelector",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        "kapi_apimachinery::meta::LabelSelectorRequirement",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
        "kapi_apimachinery::meta::ListMeta",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
        "kapi_apimachinery::meta::ManagedFieldsEntry",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
        "kapi_apimachinery::MicroTime",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "kapi_apimachinery::meta::ObjectMeta",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
        "kapi_apimachinery::meta::OwnerReference",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions",
        "kapi_apimachinery::options::Preconditions",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR",
        "kapi_apimachinery::meta::ServerAddressByClientCidr",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        "kapi_apimachinery::meta::Status",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause",
        "kapi_apimachinery::meta::StatusCause",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails",
        "kapi_apimachinery::meta::StatusDetails",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
        "kapi_apimachinery::Time",
    ),
    (
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        "kapi_apimachinery::IntOrString",
    ),
];

/// Definitions whose JSON is free-form: kept losslessly as `serde_json::Value`.
pub(crate) const VALUE_DEFS: &[&str] = &[
    "io.k8s.apimachinery.pkg.runtime.RawExtension",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray",
];

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// One field of a generated struct.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub(crate) json: String,
    pub(crate) rust: String,
    pub(crate) ty: Ty,
    /// Listed in the definition's `required`.
    pub(crate) required: bool,
    /// Stored as `Option<T>` even though required (the type has no `Default`); always written.
    pub(crate) option_always: bool,
    /// Stored behind a `Box` (recursive type).
    pub(crate) boxed: bool,
    /// The raw property schema (for docs).
    pub(crate) schema: Value,
}

impl Field {
    /// Stored as `Option<T>`.
    pub(crate) fn is_option(&self) -> bool {
        self.option_always || (!self.required && !self.ty.is_collection())
    }
}

/// What a definition becomes.
#[derive(Clone, Debug)]
pub(crate) enum Shape {
    Struct(Vec<Field>),
    /// `<Kind>List` = `ObjectList<Kind>`, by the item definition's name.
    List(String),
}

/// A generated definition.
#[derive(Clone, Debug)]
pub(crate) struct Def {
    /// Spec name, e.g. `io.k8s.api.core.v1.Pod`.
    pub(crate) name: String,
    /// Upstream short name, e.g. `Pod`, `APIService`.
    pub(crate) upstream: String,
    /// Rust type name, e.g. `Pod`, `ApiService`.
    pub(crate) rust: String,
    pub(crate) module: ModKey,
    /// Source file stem inside the module (`pod`, `pod_list` files are merged into their item).
    pub(crate) file: String,
    pub(crate) shape: Shape,
    /// All GVKs of the definition.
    pub(crate) gvks: Vec<Gvk>,
    /// A top-level kind: one GVK and `apiVersion`/`kind` properties, written as constants.
    pub(crate) top_level: Option<Gvk>,
    /// Has a `metadata: ObjectMeta` property.
    pub(crate) has_object_meta: bool,
    /// Index into [`Model::resources`] when this kind is served as a resource.
    pub(crate) resource: Option<usize>,
    /// `(resource apiVersion, plural/subresource)` where this kind is a subresource body.
    pub(crate) subresource_body_of: Vec<(String, String)>,
    /// The raw definition (for docs).
    pub(crate) schema: Value,
}

/// A generated module.
#[derive(Clone, Debug)]
pub(crate) struct Module {
    pub(crate) key: ModKey,
    /// API group of its kinds (`""` for core), when it has kinds.
    pub(crate) group: Option<String>,
    /// The cargo feature gating it; `None` for always-compiled modules.
    pub(crate) feature: Option<String>,
    /// Definitions in it, by spec name (sorted).
    pub(crate) defs: Vec<String>,
    /// Modules its types reference.
    pub(crate) deps: BTreeSet<ModKey>,
}

impl Module {
    /// `apps/v1`, or the module path when it has no group.
    pub(crate) fn api_version(&self) -> String {
        match (&self.group, &self.key.version) {
            (Some(g), Some(v)) => api_version(g, v),
            _ => self.key.path().replace("::", "/"),
        }
    }
}

/// Everything the emitters need.
#[derive(Debug)]
pub(crate) struct Model {
    /// `v1.36`: used in reference links.
    pub(crate) k8s_version: String,
    pub(crate) defs: BTreeMap<String, Def>,
    pub(crate) modules: BTreeMap<ModKey, Module>,
    pub(crate) resources: Vec<ResourceFacts>,
    /// GVK → definition name, for every GVK of every definition in the spec.
    pub(crate) gvk_defs: BTreeMap<Gvk, String>,
    pub(crate) spec: Value,
}

/// Module of a definition name, or `None` for names outside the known layouts.
fn module_of(name: &str) -> Option<(ModKey, String)> {
    let (prefix, short) = name.rsplit_once('.')?;
    let key = if let Some(rest) = prefix.strip_prefix("io.k8s.api.") {
        let (pkg, ver) = rest.split_once('.')?;
        ModKey {
            top: pkg.to_owned(),
            version: Some(ver.to_owned()),
        }
    } else if let Some(ver) =
        prefix.strip_prefix("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.")
    {
        ModKey {
            top: "apiextensions".into(),
            version: Some(ver.to_owned()),
        }
    } else if let Some(ver) =
        prefix.strip_prefix("io.k8s.kube-aggregator.pkg.apis.apiregistration.")
    {
        ModKey {
            top: "apiregistration".into(),
            version: Some(ver.to_owned()),
        }
    } else if let Some(ver) = prefix.strip_prefix("io.k8s.apimachinery.pkg.apis.meta.") {
        ModKey {
            top: "meta".into(),
            version: Some(ver.to_owned()),
        }
    } else if prefix == "io.k8s.apimachinery.pkg.version" {
        ModKey {
            top: "version".into(),
            version: None,
        }
    } else {
        return None;
    };
    Some((key, short.to_owned()))
}

fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")?.as_str()?.strip_prefix("#/definitions/")
}

/// Maps a definition reference to a field type.
fn ty_of_ref(name: &str) -> Ty {
    if let Some((_, path)) = EXTERN_DEFS.iter().find(|(n, _)| *n == name) {
        return Ty::Extern(path);
    }
    if VALUE_DEFS.contains(&name) {
        return Ty::Value;
    }
    Ty::Def(name.to_owned())
}

/// Maps a property schema to a field type.
pub(crate) fn ty_of(schema: &Value) -> Ty {
    if let Some(r) = ref_name(schema) {
        return ty_of_ref(r);
    }
    let format = schema.get("format").and_then(Value::as_str);
    if schema
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true)
        || format == Some("int-or-string")
    {
        return Ty::Extern("kapi_apimachinery::IntOrString");
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => match format {
            Some("byte") => Ty::Bytes,
            Some("date-time") => Ty::Extern("kapi_apimachinery::Time"),
            _ => Ty::String,
        },
        Some("integer") => match format {
            Some("int32") => Ty::I32,
            _ => Ty::I64,
        },
        Some("number") => Ty::F64,
        Some("boolean") => Ty::Bool,
        Some("array") => Ty::Vec(Box::new(schema.get("items").map_or(Ty::Value, element_ty))),
        Some("object") => match schema.get("additionalProperties") {
            Some(ap) if ap.is_object() => Ty::Map(Box::new(element_ty(ap))),
            _ => Ty::Value,
        },
        _ => Ty::Value,
    }
}

/// Type of a collection element. Timestamps become `Option`: Go writes a zero `metav1.Time` in a
/// map or list as `null`, and reads `null` back as zero.
fn element_ty(schema: &Value) -> Ty {
    match ty_of(schema) {
        Ty::Extern(p) if p.ends_with("Time") => Ty::Nullable(Box::new(Ty::Extern(p))),
        t => t,
    }
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Builds the model from the parsed OpenAPI document.
pub(crate) fn build(spec: Value, k8s_version: &str) -> Result<Model, String> {
    let empty = Map::new();
    let definitions = spec
        .get("definitions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);

    let mut gvk_defs = BTreeMap::new();
    for (name, def) in definitions {
        if let Some(list) = def
            .get("x-kubernetes-group-version-kind")
            .and_then(Value::as_array)
        {
            for g in list.iter().filter_map(Gvk::from_value) {
                gvk_defs.insert(g, name.clone());
            }
        }
    }

    let mut defs: BTreeMap<String, Def> = BTreeMap::new();
    for (name, def) in definitions {
        if EXTERN_DEFS.iter().any(|(n, _)| n == name) || VALUE_DEFS.contains(&name.as_str()) {
            continue;
        }
        let (module, upstream) =
            module_of(name).ok_or_else(|| format!("definition {name}: unknown package layout"))?;
        let props = def
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let gvks: Vec<Gvk> = def
            .get("x-kubernetes-group-version-kind")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Gvk::from_value).collect())
            .unwrap_or_default();
        let top_level =
            (gvks.len() == 1 && props.contains_key("apiVersion") && props.contains_key("kind"))
                .then(|| gvks[0].clone());
        let required: BTreeSet<String> = str_list(def.get("required")).into_iter().collect();
        let has_object_meta =
            props.get("metadata").and_then(ref_name) == Some(OBJECT_META) && top_level.is_some();

        // `<Kind>List` with an `items` array of a top-level kind of the same group/version.
        let list_item = top_level
            .as_ref()
            .filter(|g| g.kind.ends_with("List"))
            .and_then(|g| {
                let item = props.get("items")?.get("items").and_then(ref_name)?;
                let item_gvk = Gvk {
                    kind: g.kind.trim_end_matches("List").to_owned(),
                    ..g.clone()
                };
                (gvk_defs.get(&item_gvk).map(String::as_str) == Some(item)).then(|| item.to_owned())
            });

        let shape = if let Some(item) = list_item {
            Shape::List(item)
        } else {
            let mut fields = Vec::new();
            for (json, schema) in props {
                if top_level.is_some() && (json == "apiVersion" || json == "kind") {
                    continue;
                }
                let ty = ty_of(schema);
                let is_required = required.contains(json);
                let option_always =
                    is_required && matches!(ty, Ty::Extern(p) if NO_DEFAULT.contains(&p));
                // Top-level objects always carry `metadata` (written even when empty).
                let required = is_required || (has_object_meta && json == "metadata");
                fields.push(Field {
                    json: json.clone(),
                    rust: naming::field_name(json),
                    ty,
                    required,
                    option_always,
                    boxed: false,
                    schema: schema.clone(),
                });
            }
            let mut seen = BTreeSet::new();
            for f in &fields {
                if !seen.insert(f.rust.clone()) {
                    return Err(format!(
                        "{name}: two properties map to the field name {}",
                        f.rust
                    ));
                }
            }
            Shape::Struct(fields)
        };

        let rust = naming::type_name(&upstream);
        defs.insert(
            name.clone(),
            Def {
                name: name.clone(),
                upstream,
                rust,
                module,
                file: String::new(),
                shape,
                gvks,
                top_level,
                has_object_meta,
                resource: None,
                subresource_body_of: Vec::new(),
                schema: def.clone(),
            },
        );
    }

    // Every referenced definition must exist.
    for d in defs.values() {
        if let Shape::Struct(fields) = &d.shape {
            for f in fields {
                let mut t = &f.ty;
                while let Ty::Vec(i) | Ty::Map(i) | Ty::Nullable(i) = t {
                    t = i;
                }
                if let Ty::Def(n) = t {
                    if !defs.contains_key(n) {
                        return Err(format!(
                            "{}: field {} references unknown {n}",
                            d.name, f.json
                        ));
                    }
                }
            }
        }
    }

    mark_boxes(&mut defs);
    box_large_optionals(&mut defs);
    assign_files(&mut defs)?;

    // Resources from paths.
    let resources = resources::collect(&spec, &gvk_defs)?;
    for (i, r) in resources.iter().enumerate() {
        if let Some(def) = r.definition.as_ref().and_then(|n| defs.get_mut(n)) {
            if def.resource.is_some() {
                return Err(format!("{}: served as two resources", def.name));
            }
            def.resource = Some(i);
        }
        for (sub, facts) in &r.subresources {
            if let Some(body) = facts.gvk.as_ref().and_then(|g| gvk_defs.get(g)) {
                if Some(body) != r.definition.as_ref() {
                    if let Some(def) = defs.get_mut(body) {
                        def.subresource_body_of.push((
                            api_version(&r.group, &r.version),
                            format!("{}/{sub}", r.plural),
                        ));
                    }
                }
            }
        }
    }

    // Modules.
    let mut modules: BTreeMap<ModKey, Module> = BTreeMap::new();
    for d in defs.values() {
        let m = modules.entry(d.module.clone()).or_insert_with(|| Module {
            key: d.module.clone(),
            group: None,
            feature: None,
            defs: Vec::new(),
            deps: BTreeSet::new(),
        });
        m.defs.push(d.name.clone());
        if let Some(g) = &d.top_level {
            if d.module.top != "meta" {
                match &m.group {
                    Some(existing) if existing != &g.group => {
                        return Err(format!(
                            "module {} mixes groups {existing} and {}",
                            m.key.path(),
                            g.group
                        ));
                    }
                    _ => m.group = Some(g.group.clone()),
                }
            }
        }
        for dep in def_deps(d) {
            if let Some(t) = defs.get(&dep) {
                if t.module != d.module {
                    m.deps.insert(t.module.clone());
                }
            }
        }
    }
    for m in modules.values_mut() {
        m.feature = match (&m.key.version, m.key.top.as_str()) {
            (_, "meta" | "version") | (None, _) => None,
            (Some(v), top) if naming::is_stable_version(v) => Some(top.to_owned()),
            (Some(v), top) => Some(format!("{top}-{v}")),
        };
        if m.group.is_none() && m.feature.is_some() {
            return Err(format!(
                "module {} has no kinds to name its group",
                m.key.path()
            ));
        }
    }

    Ok(Model {
        k8s_version: k8s_version.to_owned(),
        defs,
        modules,
        resources,
        gvk_defs,
        spec,
    })
}

/// Definitions a definition's fields reference (any depth of collections).
pub(crate) fn def_deps(d: &Def) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match &d.shape {
        Shape::List(item) => {
            out.insert(item.clone());
        }
        Shape::Struct(fields) => {
            for f in fields {
                let mut t = &f.ty;
                while let Ty::Vec(i) | Ty::Map(i) | Ty::Nullable(i) = t {
                    t = i;
                }
                if let Ty::Def(n) = t {
                    out.insert(n.clone());
                }
            }
        }
    }
    out
}

/// Optional struct fields larger than this (estimated, in bytes) are stored as `Option<Box<T>>`,
/// like Go's pointer fields: a `Volume` or `Container` stays small when most of its optional
/// parts are absent (an unset one costs 8 bytes, not its whole size), and decoding moves less
/// memory. Only structs no bigger than the pointer itself stay inline.
pub(crate) const BOX_THRESHOLD: usize = 8;

/// Estimated in-memory size of a field type (64-bit), with boxing decisions already applied.
fn estimate(ty: &Ty, memo: &BTreeMap<String, usize>) -> usize {
    match ty {
        Ty::Bool => 1,
        Ty::I32 => 4,
        Ty::I64 | Ty::F64 => 8,
        Ty::String | Ty::Bytes => 24,
        // `ThinVec` and `Map` (over a `ThinVec`) are one pointer.
        Ty::Vec(_) | Ty::Map(_) => 8,
        Ty::Value => 32,
        // Pointer-like types keep `Option` in their niche.
        Ty::Nullable(t) if matches!(**t, Ty::Vec(_) | Ty::Map(_) | Ty::String) => estimate(t, memo),
        Ty::Nullable(t) => estimate(t, memo) + 8,
        Ty::Extern(p) => match *p {
            "kapi_apimachinery::meta::ObjectMeta" => 264,
            "kapi_apimachinery::meta::ListMeta" => 80,
            "kapi_apimachinery::Time" | "kapi_apimachinery::MicroTime" => 16,
            "kapi_apimachinery::Quantity" => 32,
            "kapi_apimachinery::IntOrString" => 24,
            "kapi_apimachinery::meta::LabelSelector" => 16,
            _ => 64,
        },
        Ty::Def(n) => memo.get(n).copied().unwrap_or(64),
    }
}

/// Decides boxing bottom-up (a definition's field types first), memoizing sizes.
fn size_of_def(
    name: &str,
    defs: &mut BTreeMap<String, Def>,
    memo: &mut BTreeMap<String, usize>,
) -> usize {
    if let Some(s) = memo.get(name) {
        return *s;
    }
    memo.insert(name.to_owned(), 64); // provisional, for cycles (already boxed)
    let Some(Shape::Struct(fields)) = defs.get(name).map(|d| d.shape.clone()) else {
        memo.insert(name.to_owned(), 24);
        return 24;
    };
    let top_level = defs.get(name).is_some_and(|d| d.top_level.is_some());
    let mut total = 0;
    let mut boxed = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if let Ty::Def(t) = &f.ty {
            if !f.boxed {
                size_of_def(t, defs, memo);
            }
        }
        let inner = estimate(&f.ty, memo);
        // Top-level kinds keep `spec`/`status` inline: the object is one allocation anyway.
        let big_optional =
            matches!(f.ty, Ty::Def(_)) && f.is_option() && !top_level && inner > BOX_THRESHOLD;
        let size = if f.boxed || big_optional {
            if !f.boxed {
                boxed.push(i);
            }
            8
        } else if f.is_option() && matches!(f.ty, Ty::Bool | Ty::I32 | Ty::I64 | Ty::F64) {
            inner + 8
        } else {
            inner
        };
        total += size;
    }
    if let Some(Shape::Struct(fields)) = defs.get_mut(name).map(|d| &mut d.shape) {
        for i in boxed {
            fields[i].boxed = true;
        }
    }
    memo.insert(name.to_owned(), total.max(1));
    total
}

fn box_large_optionals(defs: &mut BTreeMap<String, Def>) {
    let names: Vec<String> = defs.keys().cloned().collect();
    let mut memo = BTreeMap::new();
    for n in names {
        size_of_def(&n, defs, &mut memo);
    }
}

/// Boxes direct (non-collection) fields that close a reference cycle.
fn mark_boxes(defs: &mut BTreeMap<String, Def>) {
    let direct: BTreeMap<String, Vec<String>> = defs
        .iter()
        .map(|(n, d)| {
            let targets = match &d.shape {
                Shape::Struct(fields) => fields
                    .iter()
                    .filter_map(|f| {
                        if let Ty::Def(t) = &f.ty {
                            Some(t.clone())
                        } else {
                            None
                        }
                    })
                    .collect(),
                Shape::List(_) => Vec::new(),
            };
            (n.clone(), targets)
        })
        .collect();
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(direct.get(&n).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut to_box = Vec::new();
    for (n, d) in defs.iter() {
        if let Shape::Struct(fields) = &d.shape {
            for (i, f) in fields.iter().enumerate() {
                if let Ty::Def(t) = &f.ty {
                    if reaches(t, n) {
                        to_box.push((n.clone(), i));
                    }
                }
            }
        }
    }
    for (n, i) in to_box {
        if let Some(Shape::Struct(fields)) = defs.get_mut(&n).map(|d| &mut d.shape) {
            fields[i].boxed = true;
        }
    }
}

/// One file per type; `<Kind>List` aliases live in their item's file.
fn assign_files(defs: &mut BTreeMap<String, Def>) -> Result<(), String> {
    let mut used: BTreeMap<(ModKey, String), String> = BTreeMap::new();
    let names: Vec<String> = defs.keys().cloned().collect();
    for n in &names {
        let d = &defs[n];
        let stem = match &d.shape {
            Shape::List(item) => naming::snake(&defs[item].rust),
            Shape::Struct(_) => naming::snake(&d.rust),
        };
        let file = match stem.as_str() {
            // File names that would shadow something in the module (`mod.rs`).
            "mod" => "mod_".to_owned(),
            _ => stem,
        };
        if let Shape::Struct(_) = d.shape {
            if let Some(other) = used.insert((d.module.clone(), file.clone()), n.clone()) {
                return Err(format!("{n} and {other} map to the same file {file}.rs"));
            }
        }
        if let Some(d) = defs.get_mut(n) {
            d.file = file;
        }
    }
    // Rust type names must be unique per module.
    let mut rust_names: BTreeMap<(ModKey, String), String> = BTreeMap::new();
    for d in defs.values() {
        if let Some(other) = rust_names.insert((d.module.clone(), d.rust.clone()), d.name.clone()) {
            return Err(format!(
                "{} and {other} map to the same Rust name {}",
                d.name, d.rust
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn property_types() {
        assert_eq!(
            ty_of(&json!({"type": "string", "format": "byte"})),
            Ty::Bytes
        );
        assert_eq!(
            ty_of(&json!({"type": "string", "format": "date-time"})),
            Ty::Extern("kapi_apimachinery::Time")
        );
        assert_eq!(
            ty_of(&json!({"type": "string", "format": "int-or-string"})),
            Ty::Extern("kapi_apimachinery::IntOrString")
        );
        assert_eq!(
            ty_of(&json!({"type": "integer", "format": "int32"})),
            Ty::I32
        );
        assert_eq!(ty_of(&json!({"type": "integer"})), Ty::I64);
        assert_eq!(
            ty_of(&json!({"type": "number", "format": "double"})),
            Ty::F64
        );
        assert_eq!(ty_of(&json!({"type": "object"})), Ty::Value);
        assert_eq!(
            ty_of(&json!({"type": "object", "additionalProperties": {"type": "string"}})),
            Ty::Map(Box::new(Ty::String))
        );
        assert_eq!(
            ty_of(
                &json!({"type": "array", "items": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}})
            ),
            Ty::Vec(Box::new(Ty::Nullable(Box::new(Ty::Extern(
                "kapi_apimachinery::Time"
            )))))
        );
        assert_eq!(
            ty_of(&json!({"$ref": "#/definitions/io.k8s.apimachinery.pkg.runtime.RawExtension"})),
            Ty::Value
        );
        assert_eq!(
            ty_of(&json!({"$ref": "#/definitions/io.k8s.api.core.v1.PodSpec"})),
            Ty::Def("io.k8s.api.core.v1.PodSpec".into())
        );
    }

    #[test]
    fn modules() {
        let m = |n: &str| module_of(n).map(|(k, s)| (k.path(), s));
        assert_eq!(
            m("io.k8s.api.core.v1.Pod"),
            Some(("core::v1".into(), "Pod".into()))
        );
        assert_eq!(
            m("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"),
            Some(("apiextensions::v1".into(), "JSONSchemaProps".into()))
        );
        assert_eq!(
            m("io.k8s.apimachinery.pkg.version.Info"),
            Some(("version".into(), "Info".into()))
        );
        assert_eq!(m("com.example.Thing"), None);
    }
}
