//! stdio: one client, launched by its editor; stdout carries the protocol.

use std::sync::Arc;

use rmcp::ServiceExt;

use crate::mcp::SpecServer;
use crate::service::Kit;

/// Serves one session over stdin/stdout until the client closes it.
pub async fn serve(kit: Arc<Kit>) -> anyhow::Result<()> {
    let running = SpecServer::inline(kit)
        .serve(rmcp::transport::stdio_pipes())
        .await
        .map_err(|error| anyhow::anyhow!("MCP handshake over stdio failed: {error}"))?;
    let reason = running.waiting().await?;
    tracing::info!(?reason, "session ended");
    Ok(())
}
