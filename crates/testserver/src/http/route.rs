//! URL routing (rules 1.1, 1.2, 1.10): discovery paths, health checks and resource paths.

use std::sync::Arc;

use crate::registry::{Registry, ResourceDef};

/// Where a request goes.
#[derive(Debug)]
pub(crate) enum Route {
    /// `/api`.
    Api,
    /// `/apis`.
    Apis,
    /// `/apis/{group}`.
    Group(String),
    /// `/api/v1`, `/apis/{group}/{version}`.
    GroupVersion(String, String),
    /// `/version`.
    Version,
    /// `/healthz`, `/livez`, `/readyz` (and their sub-checks).
    Health,
    /// `/openapi/v2`.
    OpenApiV2,
    /// `/openapi/v3`.
    OpenApiV3,
    /// `/openapi/v3/{path}` (`apis/apps/v1`).
    OpenApiV3Doc(String),
    /// A resource path.
    Resource(ResourcePath),
    /// Known group/version, unknown resource: a Status 404.
    UnknownResource,
    /// Anything else: a plain 404.
    NotFound,
}

/// A parsed resource path.
#[derive(Debug)]
pub(crate) struct ResourcePath {
    /// The resource at the URL's version.
    pub(crate) def: Arc<ResourceDef>,
    /// Namespace from the URL.
    pub(crate) namespace: Option<String>,
    /// Object name.
    pub(crate) name: Option<String>,
    /// Subresource.
    pub(crate) sub: Option<String>,
    /// `true` for the legacy `/watch/` prefix.
    pub(crate) watch_prefix: bool,
}

/// Routes `path`.
pub(crate) fn route(reg: &Registry, path: &str) -> Route {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segs.as_slice() {
        ["api"] => Route::Api,
        ["apis"] => Route::Apis,
        ["version"] => Route::Version,
        ["healthz" | "livez" | "readyz", ..] => Route::Health,
        ["openapi", "v2"] => Route::OpenApiV2,
        ["openapi", "v3"] => Route::OpenApiV3,
        ["openapi", "v3", rest @ ..] => Route::OpenApiV3Doc(rest.join("/")),
        ["api", "v1", rest @ ..] => resource(reg, "", "v1", rest),
        ["apis", group] => {
            if reg.versions(group).is_some() {
                Route::Group((*group).to_owned())
            } else {
                Route::NotFound
            }
        }
        ["apis", group, version, rest @ ..] => resource(reg, group, version, rest),
        _ => Route::NotFound,
    }
}

fn resource(reg: &Registry, group: &str, version: &str, rest: &[&str]) -> Route {
    if group.is_empty() && reg.versions("").is_none() {
        return Route::NotFound;
    }
    if !reg
        .versions(group)
        .is_some_and(|vs| vs.iter().any(|v| v == version))
    {
        return Route::NotFound;
    }
    let (watch_prefix, rest) = match rest {
        ["watch", r @ ..] => (true, r),
        r => (false, r),
    };
    if rest.is_empty() {
        return if watch_prefix {
            Route::NotFound
        } else {
            Route::GroupVersion(group.into(), version.into())
        };
    }
    let namespaced = |p: &str| reg.get(group, version, p).is_some_and(|d| d.namespaced);
    let (namespace, plural, name, sub, extra) = match rest {
        ["namespaces", ns, plural, tail @ ..] if namespaced(plural) => (
            Some(*ns),
            *plural,
            tail.first().copied(),
            tail.get(1).copied(),
            tail.len() > 2,
        ),
        [plural, tail @ ..] => (
            None,
            *plural,
            tail.first().copied(),
            tail.get(1).copied(),
            tail.len() > 2,
        ),
        [] => return Route::NotFound,
    };
    let Some(def) = reg.get(group, version, plural) else {
        return Route::UnknownResource;
    };
    if extra || (def.namespaced && namespace.is_none() && name.is_some()) {
        return Route::NotFound;
    }
    Route::Resource(ResourcePath {
        def: Arc::clone(def),
        namespace: namespace.map(str::to_owned),
        name: name.map(str::to_owned),
        sub: sub.map(str::to_owned),
        watch_prefix,
    })
}
