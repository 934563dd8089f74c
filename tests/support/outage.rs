//! Making the database unavailable to the bot, and available again, without touching the
//! bot: on SQLite another connection holds the write lock (`BEGIN EXCLUSIVE`), so the bot's
//! writes fail after its busy timeout while reads go on (WAL); on PostgreSQL the bot
//! reaches the server through a TCP proxy that can drop every connection and refuse new
//! ones (its port closed) until it is restored.

use super::db::{Backend, TestDb};
use sqlx::Connection;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The busy timeout the bot is given on SQLite here: short, so that an outage shows
/// quickly, yet far above any wait for the lock between the bot's own connections.
pub const SQLITE_BUSY_MS: u64 = 500;

/// One test database that can be made unavailable to the bot.
pub struct DbOutage {
    /// The URL the bot must use.
    pub bot_url: String,
    kind: Kind,
}

enum Kind {
    /// The database URL for the locking connection, and the connection while it locks.
    Sqlite {
        url: String,
        lock: Option<sqlx::SqliteConnection>,
    },
    Postgres(TcpProxy),
}

impl DbOutage {
    pub async fn new(db: &TestDb) -> DbOutage {
        match db.backend {
            Backend::Sqlite => DbOutage {
                bot_url: format!("{}?busy_timeout={SQLITE_BUSY_MS}", db.url),
                kind: Kind::Sqlite {
                    url: db.url.clone(),
                    lock: None,
                },
            },
            Backend::Postgres => {
                let mut url = url::Url::parse(&db.url).expect("a PostgreSQL URL");
                let upstream = format!(
                    "{}:{}",
                    url.host_str().expect("a host"),
                    url.port().unwrap_or(5432)
                );
                let proxy = TcpProxy::start(&upstream).await;
                url.set_host(Some("127.0.0.1")).unwrap();
                url.set_port(Some(proxy.addr().port())).unwrap();
                DbOutage {
                    bot_url: url.to_string(),
                    kind: Kind::Postgres(proxy),
                }
            }
        }
    }

    /// Make the database unavailable; returns once it is.
    pub async fn begin(&mut self) {
        match &mut self.kind {
            Kind::Sqlite { url, lock } => {
                assert!(lock.is_none(), "the outage has begun already");
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                // Waits (sqlx's default busy timeout) for a write of the bot in progress.
                sqlx::raw_sql("BEGIN EXCLUSIVE")
                    .execute(&mut conn)
                    .await
                    .expect("take the write lock");
                *lock = Some(conn);
            }
            Kind::Postgres(proxy) => proxy.cut().await,
        }
    }

    /// Make the database available again.
    pub async fn end(&mut self) {
        match &mut self.kind {
            Kind::Sqlite { lock, .. } => {
                let mut conn = lock.take().expect("the outage has not begun");
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
            Kind::Postgres(proxy) => proxy.restore().await,
        }
    }
}

/// A TCP proxy on 127.0.0.1 to `upstream`, which can be cut and restored.
pub struct TcpProxy {
    addr: SocketAddr,
    upstream: String,
    accept: Option<JoinHandle<()>>,
    /// The tasks relaying open connections (aborting one closes both of its sockets).
    relays: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl TcpProxy {
    /// Listens on a free port below Linux's ephemeral range (32768–60999), so that no
    /// outgoing connection can take the port while the proxy is cut and it can listen on
    /// it again.
    pub async fn start(upstream: &str) -> TcpProxy {
        let mut listener = None;
        for _ in 0..1000 {
            let port = rand::random_range(20_000..32_000);
            if let Ok(l) = TcpListener::bind(("127.0.0.1", port)).await {
                listener = Some(l);
                break;
            }
        }
        let listener = listener.expect("a free port for the proxy");
        let mut proxy = TcpProxy {
            addr: listener.local_addr().unwrap(),
            upstream: upstream.to_string(),
            accept: None,
            relays: Arc::new(Mutex::new(Vec::new())),
        };
        proxy.serve(listener);
        proxy
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Drop every open connection and stop listening: new connections are refused.
    pub async fn cut(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
            // Once it is over, its listener is closed and it adds no more relays.
            let _ = accept.await;
        }
        let relays: Vec<_> = self.relays.lock().unwrap().drain(..).collect();
        for relay in relays {
            relay.abort();
            let _ = relay.await;
        }
    }

    /// Listen again, on the same port.
    pub async fn restore(&mut self) {
        assert!(self.accept.is_none(), "the proxy is not cut");
        // The aborted accept task drops its listener a moment later.
        let mut listener = None;
        for _ in 0..100 {
            match TcpListener::bind(self.addr).await {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
        self.serve(listener.expect("listen on the proxy's port again"));
    }

    fn serve(&mut self, listener: TcpListener) {
        let upstream = self.upstream.clone();
        let relays = self.relays.clone();
        self.accept = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let relay = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                let mut relays = relays.lock().unwrap();
                relays.retain(|r| !r.is_finished());
                relays.push(relay);
            }
        }));
    }
}
