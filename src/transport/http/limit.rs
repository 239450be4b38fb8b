//! The cap on open Streamable HTTP sessions (`--max-sessions`).
//!
//! Two parts share one count. [`admit`], a middleware in front of `/mcp`,
//! takes a slot for each `initialize` that comes without a session, or
//! answers 503 with a JSON-RPC error when none is free; [`Counted`], a
//! [`SessionManager`] around rmcp's own, turns that slot into the session
//! rmcp creates and gives it back when rmcp closes the session, whether the
//! client sent `DELETE /mcp`, it sat idle past `--session-idle`, or the
//! server is stopping. rmcp calls `close_session` in each case, and a
//! session is counted from its id, so a close that comes twice frees one
//! slot.
//!
//! The slot goes from the middleware to the manager through a task-local:
//! rmcp creates the session on the task that runs the request, inside the
//! middleware's call. A request that never reaches `create_session` (a bad
//! body, a wrong `Accept`) drops its slot when it is answered.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::Stream;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::{
    RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
};

/// How many sessions may be open, and which are.
#[derive(Debug)]
pub struct Limit {
    max: usize,
    state: Mutex<Count>,
}

#[derive(Debug, Default)]
struct Count {
    /// Sessions rmcp created and has not closed yet.
    open: HashSet<SessionId>,
    /// `initialize` requests admitted whose session is not created yet.
    admitted: usize,
}

impl Count {
    fn taken(&self) -> usize {
        self.open.len() + self.admitted
    }
}

impl Limit {
    pub fn new(max: usize) -> Limit {
        Limit {
            max,
            state: Mutex::default(),
        }
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// A slot for one new session, if one is free.
    fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut count = self.lock();
        if count.taken() >= self.max {
            return None;
        }
        count.admitted += 1;
        Some(Slot {
            limit: self.clone(),
            used: Mutex::new(false),
        })
    }

    /// Records a session rmcp created: with the slot its request was
    /// admitted with, or, should a session be created outside [`admit`],
    /// on the count alone.
    fn record(&self, id: &SessionId) -> bool {
        let slot = SLOT.try_with(Arc::clone).ok();
        let mut count = self.lock();
        match slot {
            Some(slot) if !slot.take() => {
                count.admitted -= 1;
            }
            _ if count.taken() >= self.max => return false,
            _ => {}
        }
        count.open.insert(id.clone());
        true
    }

    fn release(&self, id: &SessionId) {
        self.lock().open.remove(id);
    }

    fn lock(&self) -> MutexGuard<'_, Count> {
        // The count is a set and a number, each changed in one step: a
        // panic elsewhere cannot leave it half changed.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A place taken for one `initialize` request.
#[derive(Debug)]
struct Slot {
    limit: Arc<Limit>,
    /// Whether the session it was taken for has been created.
    used: Mutex<bool>,
}

impl Slot {
    /// Marks the slot used; says whether it already was.
    fn take(&self) -> bool {
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::replace(&mut *used, true)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if !self.take() {
            self.limit.lock().admitted -= 1;
        }
    }
}

tokio::task_local! {
    static SLOT: Arc<Slot>;
}

/// Admits a new session only while the limit allows one.
pub async fn admit(State(limit): State<Arc<Limit>>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || request.headers().contains_key("mcp-session-id") {
        return next.run(request).await;
    }
    // The guard has read the body already, within --max-body: this is a
    // copy of bytes in memory.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let request = Request::from_parts(parts, Body::from(bytes.clone()));
    let Some(id) = initialize_id(&bytes) else {
        return next.run(request).await;
    };
    let Some(slot) = limit.admit() else {
        tracing::warn!(
            max_sessions = limit.max(),
            "initialize refused: the session limit is reached"
        );
        return full(&limit, &id);
    };
    SLOT.scope(Arc::new(slot), next.run(request)).await
}

/// The id of a JSON-RPC `initialize` request, `None` for anything else.
fn initialize_id(body: &[u8]) -> Option<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    (value.get("method")?.as_str()? == "initialize")
        .then(|| value.get("id").cloned().unwrap_or(serde_json::Value::Null))
}

fn full(limit: &Limit, id: &serde_json::Value) -> Response {
    let max = limit.max();
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {
            "code": -32000,
            "message": format!(
                "this server already has its limit of {max} open sessions: end one (DELETE /mcp with its Mcp-Session-Id) or wait for an idle one to expire (--session-idle), or restart the server with a higher --max-sessions (SPEC_MCP_MAX_SESSIONS)"
            ),
            "data": {"max_sessions": max},
        }
    });
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// rmcp's session manager, counted against a [`Limit`].
pub struct Counted<M> {
    inner: M,
    limit: Arc<Limit>,
}

impl<M> Counted<M> {
    pub fn new(inner: M, limit: Arc<Limit>) -> Counted<M> {
        Counted { inner, limit }
    }
}

/// What the counted manager may fail with besides the inner one's errors.
#[derive(Debug, thiserror::Error)]
pub enum CountedError<E> {
    #[error("the limit of {0} open sessions is reached (--max-sessions)")]
    Full(usize),
    #[error(transparent)]
    Inner(E),
}

impl<M: SessionManager> SessionManager for Counted<M> {
    type Error = CountedError<M::Error>;
    type Transport = M::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        let (id, transport) = self
            .inner
            .create_session()
            .await
            .map_err(CountedError::Inner)?;
        if !self.limit.record(&id) {
            // Only reached by a session created without passing `admit`.
            let _ = self.inner.close_session(&id).await;
            return Err(CountedError::Full(self.limit.max()));
        }
        Ok((id, transport))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.inner
            .initialize_session(id, message)
            .await
            .map_err(CountedError::Inner)
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.inner
            .has_session(id)
            .await
            .map_err(CountedError::Inner)
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        let closed = self.inner.close_session(id).await;
        self.limit.release(id);
        closed.map_err(CountedError::Inner)
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner
            .create_stream(id, message)
            .await
            .map_err(CountedError::Inner)
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.inner
            .accept_message(id, message)
            .await
            .map_err(CountedError::Inner)
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner
            .create_standalone_stream(id)
            .await
            .map_err(CountedError::Inner)
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner
            .resume(id, last_event_id)
            .await
            .map_err(CountedError::Inner)
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        // No session store is configured, so rmcp's manager restores
        // nothing; a restored session would be counted like a created one.
        let restored = self
            .inner
            .restore_session(id.clone())
            .await
            .map_err(CountedError::Inner)?;
        if let RestoreOutcome::Restored(_) = &restored {
            self.limit.lock().open.insert(id);
        }
        Ok(restored)
    }

    fn event_store(
        &self,
    ) -> Option<Arc<dyn rmcp::transport::streamable_http_server::session::EventStore>> {
        self.inner.event_store()
    }
}
