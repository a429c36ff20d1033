//! A stand-in Terraform provider for kite's tests (doc/adr/0009).
//!
//! It serves the provider schemas kite bundles, so the real `terraform` CLI
//! can validate, plan and apply kite's output with no provider download and
//! no cloud: plans keep the configuration and mark new computed values
//! unknown, applies fill them with deterministic fakes, reads return the
//! state as it is. One binary serves every bundled provider; which one it is
//! comes from its file name (`terraform-provider-aws_v6.25.0` serves
//! `hashicorp/aws`) or from `KITE_STANDIN_PROVIDER`.
//!
//! Terraform starts it through HashiCorp's go-plugin: the plugin listens on
//! loopback, prints one handshake line on stdout
//! (`1|6|tcp|127.0.0.1:PORT|grpc|CERT`) and serves gRPC over mutual TLS.

mod plan;
mod schema;
mod server;
mod tls;
mod value;

// The protocol nests each call's messages in an empty message (`PlanResourceChange`)
// that nothing constructs.
#[allow(dead_code)]
mod proto {
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
    pub mod health {
        tonic::include_proto!("grpc.health.v1");
    }
}

use std::io::Write;
use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};

use base64::Engine;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tonic::{Request, Response, Status};

/// go-plugin's handshake cookie for Terraform providers: set by Terraform,
/// so a plugin started by hand can say what it is instead of hanging.
const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Largest message accepted: a plan of a big resource can pass gRPC's 4 MB default.
const MAX_MESSAGE: usize = 256 << 20;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("standin-provider: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    if std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
        return Err(
            "this is a Terraform provider plugin (kite's test stand-in); \
                    terraform starts it, it is not meant to be run by hand"
                .to_owned(),
        );
    }
    if let Ok(versions) = std::env::var("PLUGIN_PROTOCOL_VERSIONS")
        && !versions.split(',').any(|v| v.trim() == "6")
    {
        return Err(format!(
            "terraform offers plugin protocols {versions}; this plugin speaks 6 only"
        ));
    }
    let name = provider_name()?;
    let schemas = schema::provider(&name)?;
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) => Some(tls::server(&pem)?),
        Err(_) => None,
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(serve(schemas, tls))
}

/// `aws` from `.../terraform-provider-aws_v6.25.0`, unless the environment says.
fn provider_name() -> Result<String, String> {
    if let Ok(name) = std::env::var("KITE_STANDIN_PROVIDER") {
        return Ok(name);
    }
    let arg0 = std::env::args().next().unwrap_or_default();
    let file = std::path::Path::new(&arg0)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or_default();
    file.strip_prefix("terraform-provider-")
        .map(|rest| rest.split('_').next().unwrap_or(rest).to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            format!(
                "cannot tell which provider to serve from the file name {file:?}: \
                 name the binary terraform-provider-NAME_vVERSION or set KITE_STANDIN_PROVIDER"
            )
        })
}

async fn serve(schemas: schema::Provider, tls: Option<tls::ServerTls>) -> Result<(), String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;

    // Connections reach tonic through a channel, TLS accepted on the way.
    let (conn_tx, conn_rx) = mpsc::channel::<Result<Conn, std::io::Error>>(4);
    let acceptor = tls
        .as_ref()
        .map(|t| tokio_rustls::TlsAcceptor::from(t.config.clone()));
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let tx = conn_tx.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let conn = match acceptor {
                    Some(a) => match a.accept(tcp).await {
                        Ok(s) => Conn::Tls(Box::new(s)),
                        Err(e) => {
                            eprintln!("standin-provider: TLS handshake failed: {e}");
                            return;
                        }
                    },
                    None => Conn::Plain(tcp),
                };
                let _ = tx.send(Ok(conn)).await;
            });
        }
    });

    // Terraform ends its plugins when it exits normally; if it is killed,
    // nothing would. A plugin whose parent is gone ends itself.
    #[cfg(unix)]
    tokio::spawn(async {
        let parent = std::os::unix::process::parent_id();
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            if std::os::unix::process::parent_id() != parent {
                std::process::exit(0);
            }
        }
    });

    let (stop_tx, stop_rx) = oneshot::channel();
    let controller = Controller {
        stop: std::sync::Mutex::new(Some(stop_tx)),
    };
    let provider = server::Provider { schemas };

    // The handshake line go-plugin reads: core protocol 1, app protocol 6,
    // address, gRPC, and our certificate (unpadded standard base64 DER).
    let cert = tls.as_ref().map_or(String::new(), |t| {
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(&t.cert_der)
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "1|6|tcp|{addr}|grpc|{cert}").map_err(|e| e.to_string())?;
    stdout.flush().map_err(|e| e.to_string())?;
    drop(stdout);

    tonic::transport::Server::builder()
        .add_service(
            proto::tfplugin6::provider_server::ProviderServer::new(provider)
                .max_decoding_message_size(MAX_MESSAGE)
                .max_encoding_message_size(MAX_MESSAGE),
        )
        .add_service(proto::plugin::grpc_controller_server::GrpcControllerServer::new(controller))
        .add_service(proto::health::health_server::HealthServer::new(Health))
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::ReceiverStream::new(conn_rx),
            async {
                let _ = stop_rx.await;
            },
        )
        .await
        .map_err(|e| e.to_string())
}

/// go-plugin's controller: Terraform calls Shutdown when done with the
/// plugin, then waits up to two seconds for the process to end before it
/// kills it. Ending promptly saves those seconds on every provider start.
struct Controller {
    stop: std::sync::Mutex<Option<oneshot::Sender<()>>>,
}

#[tonic::async_trait]
impl proto::plugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _: Request<proto::plugin::Empty>,
    ) -> Result<Response<proto::plugin::Empty>, Status> {
        if let Some(stop) = self.stop.lock().unwrap().take() {
            let _ = stop.send(());
        }
        // A graceful stop waits for the client to close its connection; do
        // not wait for a client that lingers.
        tokio::spawn(async {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            std::process::exit(0);
        });
        Ok(Response::new(proto::plugin::Empty {}))
    }
}

struct Health;

#[tonic::async_trait]
impl proto::health::health_server::Health for Health {
    async fn check(
        &self,
        _: Request<proto::health::HealthCheckRequest>,
    ) -> Result<Response<proto::health::HealthCheckResponse>, Status> {
        Ok(Response::new(proto::health::HealthCheckResponse {
            status: proto::health::health_check_response::ServingStatus::Serving as i32,
        }))
    }
}

/// An accepted connection, with or without TLS, as tonic takes it.
enum Conn {
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    Plain(TcpStream),
}

impl tonic::transport::server::Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}
