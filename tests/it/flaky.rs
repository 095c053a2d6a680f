//! Network faults for the fake platform APIs: a listener that can drop the next connections after
//! reading their request, without answering — as a connection lost on the way to the platform looks
//! to the bot. The fakes close every connection after its answer, so each call arrives on a
//! connection of its own and a dropped one never takes a later call with it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::CONNECTION;
use axum::response::Response;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

/// How many of the next connections to drop; shared by the fake and its listener.
#[derive(Clone, Default)]
pub struct Drops(Arc<AtomicUsize>, Arc<AtomicUsize>);

impl Drops {
    pub fn arm(&self, n: usize) {
        self.0.fetch_add(n, Ordering::SeqCst);
    }

    /// Connections dropped so far.
    pub fn dropped(&self) -> usize {
        self.1.load(Ordering::SeqCst)
    }

    fn take(&self) -> bool {
        self.0.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
    }
}

pub struct FlakyListener {
    inner: TcpListener,
    drops: Drops,
}

impl FlakyListener {
    pub fn new(inner: TcpListener, drops: Drops) -> FlakyListener {
        FlakyListener { inner, drops }
    }
}

impl axum::serve::Listener for FlakyListener {
    type Io = TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (TcpStream, std::net::SocketAddr) {
        loop {
            let Ok((stream, addr)) = self.inner.accept().await else { continue };
            if !self.drops.take() {
                return (stream, addr);
            }
            let drops = self.drops.clone();
            tokio::spawn(async move {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                // the request arrives, then the connection goes away unanswered
                let _ = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await;
                drops.1.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            });
        }
    }

    fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.local_addr()
    }
}

/// Every answer closes its connection.
pub fn one_call_per_connection(router: Router) -> Router {
    router.layer(axum::middleware::map_response(|mut r: Response| async move {
        r.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
        r
    }))
}
