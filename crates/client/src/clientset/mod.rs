//! A clientset in client-go's shape: `client.core_v1().pods("ns")`,
//! `client.apps_v1().deployments("ns")`, `client.core_v1().namespaces()`.
//!
//! Each accessor returns an [`Api`] — the generic handle, so every verb, subresource, watch
//! and pager works the same whichever way the handle was made. Group accessors exist when
//! the matching cargo feature is on (`core`, `apps`, `batch`, … — the defaults are every
//! stable group). As in client-go, a namespace of `""` means all namespaces.
//!
//! ```no_run
//! use kapi_apimachinery::options::ListOptions;
//! use kapi_client::Client;
//!
//! # async fn demo() -> Result<(), kapi_client::Error> {
//! let client = Client::try_default()?;
//! let pods = client.core_v1().pods("kube-system").list(&ListOptions::default()).await?;
//! let everywhere = client.apps_v1().deployments("").list(&ListOptions::default()).await?;
//! let lease = client.coordination_v1().leases("kube-node-lease").get_opt("node-1").await?;
//! let namespaces = client.core_v1().namespaces().list(&ListOptions::default()).await?;
//! # drop((pods, everywhere, lease, namespaces)); Ok(()) }
//! ```

mod groups;

#[allow(unused_imports, unreachable_pub)] // empty with no group feature
pub use groups::*;

use kapi_apimachinery::{NamespaceScope, Resource};

use crate::api::Api;
use crate::client::Client;

/// A namespaced handle; `""` means all namespaces (client-go's `metav1.NamespaceAll`).
#[allow(dead_code)] // unused when no group feature is on
pub(crate) fn in_namespace<K>(client: &Client, namespace: &str) -> Api<K>
where
    K: Resource<Scope = NamespaceScope>,
{
    if namespace.is_empty() {
        Api::all(client.clone())
    } else {
        Api::namespaced(client.clone(), namespace)
    }
}

/// Declares one group/version of the clientset: a struct, its accessor on [`Client`], and
/// one method per resource. `ns` resources take a namespace, `cluster` ones do not.
macro_rules! group_version {
    (
        $(#[$doc:meta])*
        $feature:literal, $accessor:ident, $Group:ident;
        $( $scope:ident $method:ident => $Kind:ty; )+
    ) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        #[cfg_attr(docsrs, doc(cfg(feature = $feature)))]
        #[derive(Clone, Debug)]
        pub struct $Group {
            client: Client,
        }

        #[cfg(feature = $feature)]
        impl Client {
            $(#[$doc])*
            pub fn $accessor(&self) -> $Group {
                $Group { client: self.clone() }
            }
        }

        #[cfg(feature = $feature)]
        impl $Group {
            $( group_version!(@method $scope $method $Kind); )+
        }
    };
    (@method ns $method:ident $Kind:ty) => {
        #[doc = concat!("`", stringify!($Kind), "` objects in a namespace (`\"\"`: all namespaces).")]
        pub fn $method(&self, namespace: &str) -> Api<$Kind> {
            in_namespace(&self.client, namespace)
        }
    };
    (@method cluster $method:ident $Kind:ty) => {
        #[doc = concat!("`", stringify!($Kind), "` objects (cluster-scoped).")]
        pub fn $method(&self) -> Api<$Kind> {
            Api::cluster(self.client.clone())
        }
    };
}

pub(crate) use group_version;
