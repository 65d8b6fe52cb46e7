//! Integration tests of the typed, dynamic and metadata APIs, watches, pagers, discovery and
//! the clientset against `kapi-testserver` over HTTPS (configured through its kubeconfig).
//! Tests are named after the rules of `shared/spec/apiserver.md` where one applies.

mod crd;
mod crud;
mod discovery;
mod mock;
mod pager;
mod subresources;
mod support;
mod watch;
