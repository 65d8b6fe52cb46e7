use kapi::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kapi(group = "demo.kapi.dev", version = "v1", kind = "Foo")]
pub struct FooSpec {
    pub size: i32,
}

fn main() {
    // `Foo` has `Default` and `PartialEq` only when `FooSpec` has them.
    let _ = Foo::default();
}
