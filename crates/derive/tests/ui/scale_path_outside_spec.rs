use kapi::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kapi(
    group = "demo.kapi.dev",
    version = "v1",
    kind = "Foo",
    status = "FooStatus",
    scale(spec_replicas_path = ".replicas", status_replicas_path = ".status.replicas")
)]
pub struct FooSpec {
    pub replicas: i32,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct FooStatus {
    pub replicas: i32,
}

fn main() {}
