use kapi::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kapi(
    group = "demo.kapi.dev",
    version = "v1",
    kind = "Foo",
    scale(spec_replicas_path = ".spec.replicas", status_replicas_path = ".status.replicas")
)]
pub struct FooSpec {
    pub replicas: i32,
}

fn main() {}
