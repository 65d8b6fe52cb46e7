//! Lists every Pod and prints how many there are: the build-time comparison's kapi side.
//! `kapi-listpods KUBECONFIG`

use kapi_api::core::v1::Pod;
use kapi_apimachinery::options::ListOptions;
use kapi_client::kubeconfig::{Kubeconfig, KubeconfigOptions};
use kapi_client::{Api, Client, Config};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "kubeconfig".into());
    let kc = Kubeconfig::from_yaml(&std::fs::read_to_string(path)?)?;
    let client = Client::new(Config::from_custom_kubeconfig(
        &kc,
        &KubeconfigOptions::default(),
    )?)?;
    let pods = Api::<Pod>::all(client)
        .list(&ListOptions::default())
        .await?;
    println!("{} pods", pods.items.len());
    Ok(())
}
