//! The legacy HTTP+SSE transport (protocol 2024-11-05), for clients that
//! still speak it: `GET /sse` opens a session whose first event,
//! `endpoint`, names where to post; `POST /messages?sessionId=…` carries
//! each client message, and the answers come back as `message` events on
//! the stream. The session is the same [`SpecServer`] as over any other
//! transport, fed through rmcp's sink/stream transport: only the framing
//! is written here, not the protocol.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::channel::mpsc;
use futures::{SinkExt, Stream, StreamExt};
use rmcp::ServiceExt;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};

use super::Shared;
use crate::mcp::SpecServer;

/// How many messages may wait in each direction before a sender waits: a
/// slow client holds up only its own session.
const QUEUE: usize = 32;

/// How often an idle stream gets a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The open legacy sessions: where to deliver each one's posted messages.
#[derive(Debug, Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, mpsc::Sender<ClientJsonRpcMessage>>>,
}

impl Sessions {
    fn insert(&self, id: String, sender: mpsc::Sender<ClientJsonRpcMessage>) {
        self.lock().insert(id, sender);
    }

    fn sender(&self, id: &str) -> Option<mpsc::Sender<ClientJsonRpcMessage>> {
        self.lock().get(id).cloned()
    }

    fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, mpsc::Sender<ClientJsonRpcMessage>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Forgets a session when its stream goes (the client left, or the server
/// is shutting down): later posts to it are told it is gone, and its
/// handler, no longer fed, ends.
struct Forget {
    sessions: Arc<Sessions>,
    id: String,
}

impl Drop for Forget {
    fn drop(&mut self) {
        self.sessions.remove(&self.id);
        tracing::info!(session = %self.id, "legacy SSE session closed");
    }
}

/// `GET /sse`: a new session, and the stream its answers come on.
pub async fn open(State(shared): State<Shared>) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (to_server, from_client) = mpsc::channel::<ClientJsonRpcMessage>(QUEUE);
    let (to_client, from_server) = mpsc::channel::<ServerJsonRpcMessage>(QUEUE);
    shared.sse.insert(id.clone(), to_server);
    let server = SpecServer::new(shared.kit.clone());
    let stop = shared.shutdown.child_token();
    let session = id.clone();
    tokio::spawn(async move {
        // The handshake waits for the client's `initialize`, which arrives
        // by post.
        match server.serve_with_ct((to_client, from_client), stop).await {
            Ok(running) => {
                let reason = running.waiting().await;
                tracing::debug!(%session, ?reason, "legacy SSE session ended");
            }
            Err(error) => tracing::info!(%session, %error, "legacy SSE session never started"),
        }
    });
    tracing::info!(session = %id, "legacy SSE session opened");
    let forget = Forget {
        sessions: shared.sse.clone(),
        id: id.clone(),
    };
    Sse::new(events(&id, from_server, forget))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// The `endpoint` event, then each server message as a `message` event.
fn events(
    id: &str,
    from_server: mpsc::Receiver<ServerJsonRpcMessage>,
    forget: Forget,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("/messages?sessionId={id}"));
    let messages = from_server.filter_map(move |message| {
        // Holding the guard here ties the session to the stream's life.
        let _alive = &forget;
        let event = match serde_json::to_string(&message) {
            Ok(json) => Some(Ok(Event::default().event("message").data(json))),
            Err(error) => {
                tracing::error!(%error, "could not encode a message for the SSE stream");
                None
            }
        };
        std::future::ready(event)
    });
    futures::stream::once(std::future::ready(Ok(endpoint))).chain(messages)
}

#[derive(Debug, serde::Deserialize)]
pub struct Target {
    #[serde(rename = "sessionId")]
    session_id: String,
}

/// `POST /messages?sessionId=…`: one client message for a session.
pub async fn message(
    State(shared): State<Shared>,
    Query(target): Query<Target>,
    body: Bytes,
) -> Response {
    let Some(mut sender) = shared.sse.sender(&target.session_id) else {
        return (
            StatusCode::NOT_FOUND,
            "no open SSE session has that id; open one with GET /sse\n",
        )
            .into_response();
    };
    let message: ClientJsonRpcMessage = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("the body is not a JSON-RPC message: {error}\n"),
            )
                .into_response();
        }
    };
    if sender.send(message).await.is_err() {
        return (StatusCode::GONE, "the session has ended\n").into_response();
    }
    StatusCode::ACCEPTED.into_response()
}
