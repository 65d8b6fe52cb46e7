use kapi::CustomResource;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize)]
#[kapi(group = "demo.kapi.dev", version = "v1", kind = "Foo")]
pub struct FooSpec {
    pub size: i32,
}

fn main() {}
