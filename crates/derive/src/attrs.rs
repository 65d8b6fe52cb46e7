//! Parsing and checking `#[kapi(...)]`: every mistake becomes a `syn::Error` spanned at the key
//! or value that caused it.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Path, Type};

use crate::names;

/// Every key `#[kapi(...)]` accepts, for the "unknown key" message.
const KEYS: &str = "group, version, kind, namespaced, cluster, plural, singular, shortname, \
                    category, status, scale, printcolumn, selectable_field, description, crate";

/// What one `#[derive(CustomResource)]` was asked to generate.
pub(crate) struct Config {
    pub(crate) group: String,
    pub(crate) version: String,
    pub(crate) kind: String,
    pub(crate) kind_span: Span,
    pub(crate) plural: String,
    pub(crate) singular: String,
    pub(crate) namespaced: bool,
    pub(crate) short_names: Vec<String>,
    pub(crate) categories: Vec<String>,
    pub(crate) status: Option<Type>,
    pub(crate) scale: Option<Scale>,
    pub(crate) printer_columns: Vec<PrinterColumn>,
    pub(crate) selectable_fields: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) krate: Path,
}

/// `scale(...)`: the `/scale` subresource.
pub(crate) struct Scale {
    pub(crate) spec_replicas_path: String,
    pub(crate) status_replicas_path: String,
    pub(crate) label_selector_path: Option<String>,
}

/// `printcolumn(...)`: one `additionalPrinterColumns` entry.
pub(crate) struct PrinterColumn {
    pub(crate) name: String,
    pub(crate) type_: String,
    pub(crate) json_path: String,
    pub(crate) description: Option<String>,
    pub(crate) format: Option<String>,
    pub(crate) priority: Option<i32>,
}

/// Keys seen so far; `Option`s become the [`Config`] once everything is read.
#[derive(Default)]
struct Raw {
    group: Option<LitStr>,
    version: Option<LitStr>,
    kind: Option<LitStr>,
    namespaced: Option<(bool, Span)>,
    plural: Option<LitStr>,
    singular: Option<LitStr>,
    short_names: Vec<LitStr>,
    categories: Vec<LitStr>,
    status: Option<(Type, Span)>,
    scale: Option<(Scale, Span)>,
    printer_columns: Vec<PrinterColumn>,
    selectable_fields: Vec<LitStr>,
    description: Option<LitStr>,
    krate: Option<Path>,
}

/// Reads every `#[kapi(...)]` attribute of the spec struct. `ident_span` is where errors about
/// missing keys point when there is no attribute at all.
pub(crate) fn parse(attrs: &[Attribute], ident_span: Span) -> syn::Result<Config> {
    let mut raw = Raw::default();
    let mut attr_span = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("kapi")) {
        // Point at the whole `(...)` when something is missing from it.
        let span = match &attr.meta {
            syn::Meta::List(list) => list.delimiter.span().join(),
            other => other.span(),
        };
        attr_span.get_or_insert(span);
        attr.parse_nested_meta(|meta| raw.key(&meta))?;
    }
    raw.finish(attr_span.unwrap_or(ident_span))
}

impl Raw {
    fn key(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let path = &meta.path;
        let name = path_name(path);
        match name.as_str() {
            "group" => set_once(
                &mut self.group,
                meta,
                "group",
                string(meta, "demo.example.com")?,
            ),
            "version" => set_once(&mut self.version, meta, "version", string(meta, "v1")?),
            "kind" => set_once(&mut self.kind, meta, "kind", string(meta, "PodSet")?),
            "plural" => set_once(&mut self.plural, meta, "plural", string(meta, "podsets")?),
            "singular" => set_once(
                &mut self.singular,
                meta,
                "singular",
                string(meta, "podset")?,
            ),
            "description" => {
                let value = string(meta, "a PodSet runs a set of pods")?;
                set_once(&mut self.description, meta, "description", value)
            }
            "namespaced" | "cluster" => {
                flag(meta, &name)?;
                if self.namespaced.is_some() {
                    return Err(meta.error(
                        "the scope is already set: use either `namespaced` or `cluster`, once",
                    ));
                }
                self.namespaced = Some((name == "namespaced", path.span()));
                Ok(())
            }
            "shortname" => {
                self.short_names.push(string(meta, "ps")?);
                Ok(())
            }
            "category" => {
                self.categories.push(string(meta, "all")?);
                Ok(())
            }
            "selectable_field" => {
                self.selectable_fields.push(string(meta, ".spec.color")?);
                Ok(())
            }
            "status" => {
                let lit = string(meta, "PodSetStatus")?;
                let ty: Type = lit.parse().map_err(|_| {
                    syn::Error::new(
                        lit.span(),
                        "`status` must name a type, like \"PodSetStatus\"",
                    )
                })?;
                let value = (ty, lit.span());
                set_once(&mut self.status, meta, "status", value)
            }
            "crate" => {
                let lit = string(meta, "::kapi")?;
                let krate: Path = lit.parse().map_err(|_| {
                    syn::Error::new(lit.span(), "`crate` must be a path, like \"::kapi\"")
                })?;
                set_once(&mut self.krate, meta, "crate", krate)
            }
            "scale" => {
                let scale = parse_scale(meta)?;
                set_once(&mut self.scale, meta, "scale", (scale, path.span()))
            }
            "printcolumn" => {
                self.printer_columns.push(parse_printcolumn(meta)?);
                Ok(())
            }
            _ => Err(syn::Error::new(
                path.span(),
                format!("unknown key `{name}` in #[kapi(...)]; expected one of: {KEYS}"),
            )),
        }
    }

    fn finish(self, span: Span) -> syn::Result<Config> {
        let group = required(self.group, span, "group", "demo.example.com")?;
        let version = required(self.version, span, "version", "v1")?;
        let kind = required(self.kind, span, "kind", "PodSet")?;
        check(&group, names::check_group(&group.value()))?;
        check(
            &version,
            names::check_dns1035_label("version", &version.value()),
        )?;
        check(&kind, names::check_kind(&kind.value()))?;

        let plural = label_or(self.plural.as_ref(), "plural", || {
            names::guess_plural(&kind.value())
        })?;
        let singular = label_or(self.singular.as_ref(), "singular", || {
            kind.value().to_ascii_lowercase()
        })?;
        let short_names = labels(&self.short_names, "short name")?;
        let categories = labels(&self.categories, "category")?;
        let selectable_fields = self
            .selectable_fields
            .iter()
            .map(|lit| {
                let v = lit.value();
                check(lit, json_path("selectable_field", &v))?;
                Ok(v)
            })
            .collect::<syn::Result<_>>()?;

        if let Some((_, scale_span)) = &self.scale {
            if self.status.is_none() {
                return Err(syn::Error::new(
                    *scale_span,
                    "the scale subresource reads the replica count from `.status`, so it needs a \
                     status type: add `status = \"YourStatus\"` to #[kapi(...)]",
                ));
            }
        }

        Ok(Config {
            group: group.value(),
            version: version.value(),
            kind: kind.value(),
            kind_span: kind.span(),
            plural,
            singular,
            namespaced: self.namespaced.is_some_and(|(n, _)| n),
            short_names,
            categories,
            status: self.status.map(|(ty, _)| ty),
            scale: self.scale.map(|(s, _)| s),
            printer_columns: self.printer_columns,
            selectable_fields,
            description: self.description.map(|d| d.value()),
            krate: self.krate.unwrap_or_else(|| syn::parse_quote!(::kapi)),
        })
    }
}

fn parse_scale(meta: &ParseNestedMeta<'_>) -> syn::Result<Scale> {
    let (mut spec, mut status, mut selector) = (None, None, None);
    meta.parse_nested_meta(|inner| {
        let name = path_name(&inner.path);
        let (slot, example) = match name.as_str() {
            "spec_replicas_path" => (&mut spec, ".spec.replicas"),
            "status_replicas_path" => (&mut status, ".status.replicas"),
            "label_selector_path" => (&mut selector, ".status.selector"),
            _ => {
                return Err(inner.error(format!(
                    "unknown key `{name}` in scale(...); expected spec_replicas_path, \
                     status_replicas_path or label_selector_path"
                )))
            }
        };
        let value = string(&inner, example)?;
        set_once(slot, &inner, &name, value)
    })?;
    let missing = |what: &str, example: &str| {
        meta.error(format!(
            "scale(...) needs `{what} = \"{example}\"` (both replica paths are required)"
        ))
    };
    let spec = spec.ok_or_else(|| missing("spec_replicas_path", ".spec.replicas"))?;
    let status = status.ok_or_else(|| missing("status_replicas_path", ".status.replicas"))?;
    check(
        &spec,
        under("spec_replicas_path", &spec.value(), &[".spec."]),
    )?;
    check(
        &status,
        under("status_replicas_path", &status.value(), &[".status."]),
    )?;
    if let Some(sel) = &selector {
        check(
            sel,
            under("label_selector_path", &sel.value(), &[".spec.", ".status."]),
        )?;
    }
    Ok(Scale {
        spec_replicas_path: spec.value(),
        status_replicas_path: status.value(),
        label_selector_path: selector.map(|s| s.value()),
    })
}

/// Column types the API server accepts.
const COLUMN_TYPES: [&str; 5] = ["integer", "number", "string", "boolean", "date"];

fn parse_printcolumn(meta: &ParseNestedMeta<'_>) -> syn::Result<PrinterColumn> {
    let (mut name, mut type_, mut json_path_lit) = (None, None, None);
    let (mut description, mut format, mut priority) = (None, None, None);
    meta.parse_nested_meta(|inner| {
        let key = path_name(&inner.path);
        match key.as_str() {
            "name" => set_once(&mut name, &inner, "name", string(&inner, "Replicas")?),
            "type" => set_once(&mut type_, &inner, "type", string(&inner, "integer")?),
            "json_path" => {
                let value = string(&inner, ".spec.replicas")?;
                set_once(&mut json_path_lit, &inner, "json_path", value)
            }
            "description" => {
                let value = string(&inner, "desired replicas")?;
                set_once(&mut description, &inner, "description", value)
            }
            "format" => set_once(&mut format, &inner, "format", string(&inner, "int32")?),
            "priority" => {
                let value = integer(&inner)?;
                set_once(&mut priority, &inner, "priority", value)
            }
            _ => Err(inner.error(format!(
                "unknown key `{key}` in printcolumn(...); expected name, type, json_path, \
                 description, format or priority"
            ))),
        }
    })?;
    let missing = |what: &str, example: &str| {
        meta.error(format!(
            "printcolumn(...) needs `{what} = \"{example}\"` (name, type and json_path are \
             required)"
        ))
    };
    let name = name.ok_or_else(|| missing("name", "Replicas"))?;
    let type_ = type_.ok_or_else(|| missing("type", "integer"))?;
    let path = json_path_lit.ok_or_else(|| missing("json_path", ".spec.replicas"))?;
    if name.value().is_empty() {
        return Err(syn::Error::new(
            name.span(),
            "a printer column needs a non-empty name",
        ));
    }
    if !COLUMN_TYPES.contains(&type_.value().as_str()) {
        return Err(syn::Error::new(
            type_.span(),
            format!(
                "unknown printer column type {:?}; expected one of: {}",
                type_.value(),
                COLUMN_TYPES.join(", ")
            ),
        ));
    }
    check(&path, json_path("json_path", &path.value()))?;
    Ok(PrinterColumn {
        name: name.value(),
        type_: type_.value(),
        json_path: path.value(),
        description: description.map(|d| d.value()),
        format: format.map(|f| f.value()),
        priority,
    })
}

/// The key as written, `crate` included.
fn path_name(path: &Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// `key = "string"`, with a message naming the key and an example on any other shape.
fn string(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<LitStr> {
    let key = path_name(&meta.path);
    let wrong = |span: Span| {
        syn::Error::new(
            span,
            format!("`{key}` takes a string, like `{key} = \"{example}\"`"),
        )
    };
    if !meta.input.peek(syn::Token![=]) {
        return Err(wrong(meta.path.span()));
    }
    let expr = ungroup(meta.value()?.parse()?);
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(lit),
        other => Err(wrong(other.span())),
    }
}

/// A `macro_rules!` fragment (`$v:literal`) arrives wrapped in an invisible group.
fn ungroup(expr: Expr) -> Expr {
    match expr {
        Expr::Group(group) => ungroup(*group.expr),
        other => other,
    }
}

/// `priority = 0`: a non-negative `i32`.
fn integer(meta: &ParseNestedMeta<'_>) -> syn::Result<i32> {
    let wrong = |span: Span| {
        syn::Error::new(
            span,
            "`priority` takes a non-negative integer, like `priority = 1`",
        )
    };
    if !meta.input.peek(syn::Token![=]) {
        return Err(wrong(meta.path.span()));
    }
    let expr = ungroup(meta.value()?.parse()?);
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => lit.base10_parse::<i32>().map_err(|_| wrong(lit.span())),
        other => Err(wrong(other.span())),
    }
}

/// A bare flag: `namespaced`, not `namespaced = true`.
fn flag(meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format!(
            "`{name}` is a flag: write `{name}` without a value"
        )));
    }
    Ok(())
}

fn set_once<T>(
    slot: &mut Option<T>,
    meta: &ParseNestedMeta<'_>,
    key: &str,
    value: T,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format!("duplicate `{key}` in #[kapi(...)]")));
    }
    *slot = Some(value);
    Ok(())
}

fn required(value: Option<LitStr>, span: Span, key: &str, example: &str) -> syn::Result<LitStr> {
    value.ok_or_else(|| {
        syn::Error::new(
            span,
            format!(
                "#[derive(CustomResource)] needs `{key} = \"{example}\"` in #[kapi(...)] \
                 (group, version and kind are required)"
            ),
        )
    })
}

fn check(lit: &LitStr, result: Result<(), String>) -> syn::Result<()> {
    result.map_err(|msg| syn::Error::new(lit.span(), msg))
}

fn label_or(
    lit: Option<&LitStr>,
    what: &str,
    default: impl FnOnce() -> String,
) -> syn::Result<String> {
    match lit {
        Some(lit) => {
            check(lit, names::check_dns1035_label(what, &lit.value()))?;
            Ok(lit.value())
        }
        None => Ok(default()),
    }
}

fn labels(lits: &[LitStr], what: &str) -> syn::Result<Vec<String>> {
    lits.iter()
        .map(|lit| label_or(Some(lit), what, String::new))
        .collect()
}

fn json_path(key: &str, path: &str) -> Result<(), String> {
    if path.len() < 2 || !path.starts_with('.') {
        return Err(format!(
            "`{key}` must be a JSON path starting with '.', like \".spec.replicas\""
        ));
    }
    Ok(())
}

fn under(key: &str, path: &str, prefixes: &[&str]) -> Result<(), String> {
    if prefixes
        .iter()
        .any(|p| path.starts_with(p) && path.len() > p.len())
    {
        return Ok(());
    }
    let places = prefixes
        .iter()
        .map(|p| p.trim_end_matches('.'))
        .collect::<Vec<_>>()
        .join(" or ");
    let starts = prefixes
        .iter()
        .map(|p| format!("{p:?}"))
        .collect::<Vec<_>>()
        .join(" or ");
    Err(format!(
        "`{key}` must point into {places} (start with {starts}), got {path:?}"
    ))
}
