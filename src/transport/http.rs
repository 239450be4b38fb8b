//! HTTP, for a team server: rmcp's Streamable HTTP at `/mcp`, the legacy
//! HTTP+SSE pair (`GET /sse`, `POST /messages`) for clients that still
//! speak protocol 2024-11-05, and `GET /healthz`. Every route but the
//! health check passes the same guard: Host and Origin checked, the bearer
//! token when one is set, the body capped. Each MCP session is its own
//! [`SpecServer`] over the one shared kit.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use rmcp::transport::streamable_http_server::session::local::{LocalSessionManager, SessionConfig};
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::mcp::SpecServer;
use crate::service::Kit;

mod guard;
mod limit;
mod sse;

pub use guard::Access;

/// How the HTTP server is set up.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub addr: SocketAddr,
    pub access: Access,
    /// The largest request body taken, in bytes.
    pub max_body: usize,
    /// How long a session may sit idle before it is dropped; `None` keeps
    /// it until the client ends it, so an editor left open is never told
    /// its session is gone.
    pub session_idle: Option<Duration>,
    /// How many Streamable HTTP sessions may be open at once.
    pub max_sessions: usize,
}

/// What the routes share.
#[derive(Debug, Clone)]
struct Shared {
    kit: Arc<Kit>,
    access: Arc<Access>,
    max_body: usize,
    sse: Arc<sse::Sessions>,
    shutdown: CancellationToken,
}

/// Serves until SIGINT or SIGTERM, then stops taking requests, ends the
/// sessions and lets the calls in flight (a write among them) finish.
pub async fn serve(kit: Arc<Kit>, options: HttpOptions) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .with_context(|| format!("binding {}", options.addr))?;
    let local = listener.local_addr().context("reading the bound address")?;
    if !local.ip().is_loopback() && options.access.token.is_none() {
        tracing::warn!(
            address = %local,
            "serving on a non-loopback address without a token: anyone who can reach it can read the kit and record questions; pass --token or SPEC_MCP_TOKEN"
        );
    }
    let shutdown = CancellationToken::new();
    let app = router(kit.clone(), &options, shutdown.clone());
    // The one line a script waits for: where to connect.
    tracing::info!(
        root = %kit.workspace.root().display(),
        "listening on http://{local}/mcp (legacy SSE at /sse)"
    );
    eprintln!("spec-mcp: listening on http://{local}/mcp");
    let stop = shutdown.clone();
    // Each answer goes out in two writes (the head, then the event); with
    // Nagle's algorithm on, the second waits for the client's delayed ack,
    // some 40 ms a call.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            tracing::info!("shutting down: finishing the calls in flight");
            stop.cancel();
        })
        .await
        .context("serving HTTP")?;
    Ok(())
}

fn router(kit: Arc<Kit>, options: &HttpOptions, shutdown: CancellationToken) -> Router {
    let shared = Shared {
        kit: kit.clone(),
        access: Arc::new(options.access.clone()),
        max_body: options.max_body,
        sse: Arc::default(),
        shutdown: shutdown.clone(),
    };
    let mut sessions = SessionConfig::default();
    sessions.keep_alive = options.session_idle;
    let mut manager = LocalSessionManager::default();
    manager.session_config = sessions;
    // The guard checks Host and Origin for every route, so rmcp's own
    // checks (Host only, by default) are left to it.
    let config = StreamableHttpServerConfig::default()
        .disable_allowed_hosts()
        .disable_allowed_origins()
        .with_max_request_body_bytes(options.max_body)
        .with_cancellation_token(shutdown);
    let factory_kit = kit;
    let limit = Arc::new(limit::Limit::new(options.max_sessions));
    let streamable = StreamableHttpService::new(
        move || Ok(SpecServer::new(factory_kit.clone())),
        Arc::new(limit::Counted::new(manager, limit.clone())),
        config,
    );
    let mcp = Router::new()
        .fallback_service(streamable)
        .layer(middleware::from_fn_with_state(limit, limit::admit));
    Router::new()
        .nest("/mcp", mcp)
        .route("/sse", get(sse::open))
        .route("/messages", axum::routing::post(sse::message))
        .route("/healthz", get(health))
        .layer(middleware::from_fn_with_state(shared.clone(), guarded))
        .with_state(shared)
}

/// Checks every request, caps its body, and logs it when answered.
async fn guarded(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let session = session_of(&request);
    if let Err(refusal) = shared.access.check(&request) {
        tracing::warn!(%method, %path, status = refusal.status.as_u16(), reason = refusal.reason, "request refused");
        return refusal.into_response();
    }
    // The body is read here, within the cap, so what it asks can be logged
    // and an oversized one refused for every route alike.
    let (parts, body) = request.into_parts();
    if declared_length(&parts.headers).is_some_and(|length| length > shared.max_body) {
        return too_large(&method, &path, shared.max_body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, shared.max_body).await else {
        return too_large(&method, &path, shared.max_body);
    };
    let asked = rpc_summary(&bytes);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let session = session.or_else(|| {
        response
            .headers()
            .get("mcp-session-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    });
    tracing::info!(
        %method,
        %path,
        session = session.as_deref().unwrap_or("-"),
        rpc = asked.as_deref().unwrap_or("-"),
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

fn too_large(method: &axum::http::Method, path: &str, max: usize) -> Response {
    tracing::warn!(%method, %path, status = 413, max_bytes = max, "request body over the limit");
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body over the {max}-byte limit (--max-body)\n"),
    )
        .into_response()
}

fn declared_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The session a request belongs to: Streamable HTTP's header or the
/// legacy transport's query parameter.
fn session_of(request: &Request) -> Option<String> {
    if let Some(id) = request
        .headers()
        .get("mcp-session-id")
        .and_then(|value| value.to_str().ok())
    {
        return Some(id.to_string());
    }
    request.uri().query().and_then(|query| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("sessionId="))
            .map(str::to_string)
    })
}

/// `tools/call get_current_task`: what a JSON-RPC body asks, for the log.
fn rpc_summary(body: &Bytes) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let method = value.get("method")?.as_str()?;
    let method: String = method.chars().take(64).collect();
    match value
        .pointer("/params/name")
        .and_then(serde_json::Value::as_str)
    {
        Some(tool) => Some(format!(
            "{method} {}",
            tool.chars().take(64).collect::<String>()
        )),
        None => Some(method),
    }
}

/// `GET /healthz`: the version, the root and how many features it holds.
async fn health(State(shared): State<Shared>) -> Response {
    let kit = shared.kit.clone();
    let features = tokio::task::spawn_blocking(move || kit.workspace.feature_ids().len())
        .await
        .unwrap_or_default();
    let body = serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "root": shared.kit.workspace.root().display().to_string(),
        "features": features,
    });
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
