//! Integration tests of kapi-client's public API over real HTTPS (a test server built on hyper,
//! rustls and rcgen certificates), plus the kubectl oracle for kubeconfig merging.

mod auth;
mod bad_input;
mod exec;
mod incluster;
mod kubeconfig;
mod oracle;
mod secrets;
mod support;
mod tls;
mod transport;
