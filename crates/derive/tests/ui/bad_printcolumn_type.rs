use kapi::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kapi(
    group = "demo.kapi.dev",
    version = "v1",
    kind = "Foo",
    printcolumn(name = "Size", type = "int", json_path = ".spec.size")
)]
pub struct FooSpec {
    pub size: i32,
}

fn main() {}
