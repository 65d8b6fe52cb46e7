use kapi::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct FooSpec {
    pub size: i32,
}

fn main() {}
