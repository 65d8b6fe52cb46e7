//! Server-side printing: `Table` responses (what `kubectl get` shows).

use http::Method;
use kapi_apimachinery::meta::{Table, TABLE_ACCEPT};
use kapi_apimachinery::options::ListOptions;

use super::request::{decode, Call};
use super::Api;
use crate::error::{Error, Result};

impl<K> Api<K> {
    /// Lists as a `meta.k8s.io/v1 Table`: column definitions, one row of cells per object,
    /// each row's object as `PartialObjectMetadata`.
    ///
    /// ```no_run
    /// use kapi_api::core::v1::Pod;
    /// use kapi_apimachinery::options::ListOptions;
    /// use kapi_client::{Api, Client};
    ///
    /// # async fn demo() -> Result<(), kapi_client::Error> {
    /// let pods: Api<Pod> = Api::default_namespaced(Client::try_default()?);
    /// let table = pods.list_table(&ListOptions::default()).await?;
    /// let header: Vec<&str> = table.column_definitions.iter().map(|c| c.name.as_str()).collect();
    /// println!("{}", header.join("\t"));
    /// for row in &table.rows {
    ///     let cells: Vec<String> = row.cells.iter().map(ToString::to_string).collect();
    ///     println!("{}", cells.join("\t"));
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Decode`] when the server does not support tables (it answers with a plain
    /// list); what the server answers.
    pub async fn list_table(&self, opts: &ListOptions) -> Result<Table> {
        let mut opts = opts.clone();
        opts.watch = false;
        let call = Call::new(Method::GET, self.collection_path(false)?)
            .query(&opts.to_query())
            .accept(TABLE_ACCEPT);
        table(&self.fetch_bytes(call).await?)
    }

    /// Reads one object as a one-row `Table`.
    ///
    /// # Errors
    /// As [`Api::list_table`]; 404.
    pub async fn get_table(&self, name: &str) -> Result<Table> {
        let call = Call::new(Method::GET, self.object_path(name, None)?).accept(TABLE_ACCEPT);
        table(&self.fetch_bytes(call).await?)
    }
}

fn table(body: &[u8]) -> Result<Table> {
    let t: Table = decode(body)?;
    if t.types.kind != "Table" {
        return Err(Error::decode(
            "Table",
            &format!(
                "the server answered with a {} instead of a Table (it does not support server-side printing)",
                t.types.kind
            ),
        ));
    }
    Ok(t)
}
