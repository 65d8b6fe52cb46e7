//! A tiny HTTP CONNECT proxy that records what it was asked for.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A running proxy; stops when dropped.
pub(crate) struct ConnectProxy {
    pub(crate) addr: SocketAddr,
    /// The request heads it received (`CONNECT host:port HTTP/1.1` and headers).
    pub(crate) requests: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ConnectProxy {
    pub(crate) async fn start() -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let _ = tunnel(client, recorded).await;
                });
            }
        });
        ConnectProxy {
            addr,
            requests,
            task,
        }
    }
}

async fn tunnel(mut client: TcpStream, recorded: Arc<Mutex<Vec<String>>>) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        if client.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    recorded.lock().expect("lock").push(head.clone());
    let target = head
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("CONNECT "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or("")
        .to_owned();
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
            .await?;
        return Ok(());
    };
    client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

/// A TCP forwarder to `target` that can be frozen: it then stops moving bytes (but keeps the
/// sockets open), like a network path that silently died.
pub(crate) struct Forwarder {
    pub(crate) addr: SocketAddr,
    frozen: Arc<std::sync::atomic::AtomicBool>,
    task: JoinHandle<()>,
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Forwarder {
    pub(crate) async fn start(target: SocketAddr) -> Forwarder {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind forwarder");
        let addr = listener.local_addr().expect("addr");
        let frozen = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = frozen.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(upstream) = TcpStream::connect(target).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (ur, uw) = upstream.into_split();
                tokio::spawn(pump(cr, uw, flag.clone()));
                tokio::spawn(pump(ur, cw, flag.clone()));
            }
        });
        Forwarder { addr, frozen, task }
    }

    pub(crate) fn freeze(&self) {
        self.frozen.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<std::sync::atomic::AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        if frozen.load(std::sync::atomic::Ordering::SeqCst) {
            // Swallow everything from now on, keeping both sockets open.
            std::future::pending::<()>().await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// A minimal SOCKS5 proxy (no auth, or user/password), recording the targets it connected to.
pub(crate) struct Socks5Proxy {
    pub(crate) addr: SocketAddr,
    pub(crate) targets: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for Socks5Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Socks5Proxy {
    pub(crate) async fn start() -> Socks5Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind socks");
        let addr = listener.local_addr().expect("addr");
        let targets = Arc::new(Mutex::new(Vec::new()));
        let recorded = targets.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let _ = socks5(client, recorded).await;
                });
            }
        });
        Socks5Proxy {
            addr,
            targets,
            task,
        }
    }
}

async fn socks5(mut c: TcpStream, recorded: Arc<Mutex<Vec<String>>>) -> std::io::Result<()> {
    let mut head = [0u8; 2];
    c.read_exact(&mut head).await?;
    let mut methods = vec![0u8; usize::from(head[1])];
    c.read_exact(&mut methods).await?;
    if methods.contains(&2) {
        c.write_all(&[5, 2]).await?;
        let mut ver_ulen = [0u8; 2];
        c.read_exact(&mut ver_ulen).await?;
        let mut user = vec![0u8; usize::from(ver_ulen[1])];
        c.read_exact(&mut user).await?;
        let mut plen = [0u8; 1];
        c.read_exact(&mut plen).await?;
        let mut pass = vec![0u8; usize::from(plen[0])];
        c.read_exact(&mut pass).await?;
        c.write_all(&[1, 0]).await?;
    } else {
        c.write_all(&[5, 0]).await?;
    }
    let mut req = [0u8; 4];
    c.read_exact(&mut req).await?;
    let host = match req[3] {
        1 => {
            let mut ip = [0u8; 4];
            c.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            c.read_exact(&mut len).await?;
            let mut name = vec![0u8; usize::from(len[0])];
            c.read_exact(&mut name).await?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => return Ok(()),
    };
    let mut port = [0u8; 2];
    c.read_exact(&mut port).await?;
    let target = format!("{host}:{}", u16::from_be_bytes(port));
    recorded.lock().expect("lock").push(target.clone());
    let mut upstream = TcpStream::connect(target).await?;
    c.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    tokio::io::copy_bidirectional(&mut c, &mut upstream).await?;
    Ok(())
}
