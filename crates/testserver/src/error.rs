//! The crate's error type.

/// Why a server could not start or a file could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding the listening socket failed (port taken, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// Generating the certificates or the TLS configuration failed.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// Another I/O failure (writing a kubeconfig, starting the runtime).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// An object given to [`crate::TestServer::insert`] cannot be stored.
    #[error("cannot insert object: {0}")]
    InvalidObject(String),
    /// The server thread ended before it was ready.
    #[error("the server thread stopped unexpectedly")]
    Stopped,
}
