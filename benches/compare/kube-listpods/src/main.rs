//! Lists every Pod and prints how many there are: the build-time comparison's kube-rs side.
//! `kube-listpods KUBECONFIG`

use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "kubeconfig".into());
    let kc = Kubeconfig::read_from(path)?;
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await?;
    let pods = Api::<Pod>::all(Client::try_from(config)?)
        .list(&ListParams::default())
        .await?;
    println!("{} pods", pods.items.len());
    Ok(())
}
