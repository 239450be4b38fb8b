//! stdio: one client, launched by its editor; stdout carries the protocol.
//!
//! rmcp's own stdio transport drops a line that is not JSON, or is over its
//! 16 MiB limit, without a word, so the client that sent it waits for an
//! answer that never comes. JSON-RPC asks for a Parse error there. This
//! transport reads the lines itself, answers the ones it cannot take, and
//! hands every other line to rmcp's codec, which parses and frames each
//! message exactly as rmcp's transport does. The answers are valid JSON
//! with no id, so a peer that echoes them back cannot start an error storm
//! (the reason rmcp stays silent).

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::Arc;

use futures::{Sink, SinkExt};
use rmcp::model::ErrorData;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::transport::async_rw::{
    DEFAULT_MAX_LINE_LENGTH, JsonRpcMessageCodec, JsonRpcMessageCodecError,
};
use rmcp::{RoleServer, ServiceExt};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};
use tokio::sync::Mutex;
use tokio_util::bytes::{BufMut, BytesMut};
use tokio_util::codec::Encoder;
use tokio_util::codec::{Decoder, FramedWrite};

use crate::mcp::{SpecServer, Splices};
use crate::service::Kit;

/// Serves one session over stdin/stdout until the client closes it.
pub async fn serve(kit: Arc<Kit>) -> anyhow::Result<()> {
    // The pipes an MCP client gives are driven by the reactor (rmcp's
    // `stdio_pipes`; other kinds of stdin fall back to tokio's blocking
    // handles), so a message wakes no other thread.
    let (input, output) = rmcp::transport::stdio_pipes();
    serve_on(kit, input, output).await
}

/// Serves one session over `input` and `output` as over stdio: each call
/// answered on the thread that reads it, its result's pieces spliced in as
/// it is written.
pub async fn serve_on<R, W>(kit: Arc<Kit>, input: R, output: W) -> anyhow::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let splices = Arc::new(Splices::default());
    let transport = LineTransport::new(input, output).splicing(splices.clone());
    let running = SpecServer::inline(kit, splices)
        .serve(transport)
        .await
        .map_err(|error| anyhow::anyhow!("MCP handshake over stdio failed: {error}"))?;
    let reason = running.waiting().await?;
    tracing::info!(?reason, "session ended");
    Ok(())
}

/// The longest line taken, its newline included: rmcp's own limit, so a
/// message over it is refused here rather than dropped there.
const MAX_LINE: usize = DEFAULT_MAX_LINE_LENGTH;

type Output<W> = FramedWrite<W, Encode>;

/// Writes a message as rmcp's codec does, one line of JSON, with the
/// pieces of its result spliced in.
#[derive(Debug, Default)]
pub struct Encode {
    splices: Option<Arc<Splices>>,
}

impl Encoder<TxJsonRpcMessage<RoleServer>> for Encode {
    type Error = io::Error;

    fn encode(
        &mut self,
        message: TxJsonRpcMessage<RoleServer>,
        buffer: &mut BytesMut,
    ) -> io::Result<()> {
        let start = buffer.len();
        serde_json::to_writer((&mut *buffer).writer(), &message)?;
        if let Some(splices) = &self.splices
            && splices.any_waiting()
            && let Some(spliced) = splices.splice(&buffer[start..])
        {
            buffer.truncate(start);
            buffer.extend_from_slice(&spliced);
        }
        buffer.put_u8(b'\n');
        Ok(())
    }
}

/// Newline-delimited JSON-RPC over a reader and a writer, answering the
/// lines that are not messages.
pub struct LineTransport<R, W> {
    input: BufReader<R>,
    /// The line read so far. `receive` may be cancelled (rmcp polls it
    /// beside other work) and the next call goes on with the same line.
    line: BytesMut,
    /// Dropping the rest of a line over [`MAX_LINE`].
    skipping: bool,
    codec: JsonRpcMessageCodec<RxJsonRpcMessage<RoleServer>>,
    /// Shared with the futures `send` returns, which outlive the borrow.
    output: Arc<Mutex<Option<Output<W>>>>,
    /// Answers to lines that were not messages, written before the next
    /// line is read, so they come before any answer to a later message.
    refusals: VecDeque<TxJsonRpcMessage<RoleServer>>,
}

/// How reading a line ended.
enum Line {
    /// A whole line, newline included, is in `line`.
    Whole,
    /// A line over [`MAX_LINE`] ended; it was dropped as it came.
    TooLong,
    /// The client closed its end (a line without a newline is dropped, as
    /// rmcp does: there is no one left to answer).
    End,
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    pub fn new(input: R, output: W) -> Self {
        LineTransport {
            input: BufReader::new(input),
            line: BytesMut::new(),
            skipping: false,
            codec: JsonRpcMessageCodec::default(),
            output: Arc::new(Mutex::new(Some(FramedWrite::new(
                output,
                Encode::default(),
            )))),
            refusals: VecDeque::new(),
        }
    }

    /// Splices the pieces of `splices` into the messages it writes.
    #[must_use]
    pub fn splicing(self, splices: Arc<Splices>) -> Self {
        // Not yet shared: nothing has been sent.
        if let Ok(mut output) = self.output.try_lock()
            && let Some(writer) = output.as_mut()
        {
            writer.encoder_mut().splices = Some(splices);
        }
        self
    }

    /// Reads up to the next newline into `line`, never holding more than
    /// [`MAX_LINE`] bytes of it. Safe to cancel: bytes are taken from the
    /// reader only in the step that keeps or drops them.
    async fn read_line(&mut self) -> io::Result<Line> {
        loop {
            let available = self.input.fill_buf().await?;
            if available.is_empty() {
                return Ok(Line::End);
            }
            let newline = available.iter().position(|&byte| byte == b'\n');
            let take = newline.map_or(available.len(), |at| at + 1);
            if !self.skipping && self.line.len() + take > MAX_LINE {
                self.skipping = true;
                // Give back the memory now, not at the next long message.
                self.line = BytesMut::new();
            }
            if !self.skipping {
                self.line.extend_from_slice(&available[..take]);
            }
            self.input.consume(take);
            if newline.is_some() {
                let skipped = std::mem::take(&mut self.skipping);
                return Ok(if skipped { Line::TooLong } else { Line::Whole });
            }
        }
    }

    /// Writes the queued refusals; `None` when the client's end is closed.
    /// Safe to cancel: a refusal leaves the queue only as it is handed to
    /// the writer, which keeps it for the next flush.
    async fn write_refusals(&mut self) -> Option<()> {
        if self.refusals.is_empty() {
            return Some(());
        }
        let mut output = self.output.lock().await;
        let writer = output.as_mut()?;
        while !self.refusals.is_empty() {
            futures::future::poll_fn(|context| Pin::new(&mut *writer).poll_ready(context))
                .await
                .ok()?;
            let refusal = self.refusals.pop_front()?;
            Pin::new(&mut *writer).start_send(refusal).ok()?;
        }
        writer.flush().await.ok()
    }

    fn refuse(&mut self, error: ErrorData) {
        tracing::debug!(message = %error.message, "answered a line that is not a message");
        self.refusals
            .push_back(TxJsonRpcMessage::<RoleServer>::error(error, None));
    }
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), io::Error>> + Send + 'static {
        let output = self.output.clone();
        async move {
            match output.lock().await.as_mut() {
                Some(writer) => writer.send(item).await,
                None => Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    "the transport is closed",
                )),
            }
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            self.write_refusals().await?;
            match self.read_line().await {
                Ok(Line::Whole) => {}
                Ok(Line::TooLong) => {
                    self.refuse(ErrorData::invalid_request(
                        format!(
                            "a message is at most {} MiB on one line; this one was dropped unread",
                            MAX_LINE / (1024 * 1024)
                        ),
                        None,
                    ));
                    continue;
                }
                Ok(Line::End) => return None,
                Err(error) => {
                    tracing::error!(%error, "reading stdin failed");
                    return None;
                }
            }
            if self.line.iter().all(|&byte| matches!(byte, b'\r' | b'\n')) {
                self.line.clear();
                continue;
            }
            let decoded = self.codec.decode(&mut self.line);
            self.line.clear();
            match decoded {
                Ok(Some(message)) => return Some(message),
                // A notification outside MCP (an editor's LSP traffic, say),
                // which rmcp ignores.
                Ok(None) => {}
                Err(JsonRpcMessageCodecError::Serde(error))
                    if matches!(
                        error.classify(),
                        serde_json::error::Category::Syntax | serde_json::error::Category::Eof
                    ) =>
                {
                    self.refuse(ErrorData::parse_error(
                        format!("the line is not JSON ({error}); send one JSON-RPC message per line, in UTF-8"),
                        None,
                    ));
                }
                // JSON, but not a JSON-RPC message: rmcp's own answer.
                Err(error) => {
                    tracing::debug!(%error, "a line is not a JSON-RPC message");
                    self.refuse(ErrorData::invalid_request("Invalid request", None));
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), io::Error> {
        self.output.lock().await.take();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    use super::*;

    /// What the transport answers to `lines` and a ping after them: every
    /// message written, in order, until the ping's answer.
    async fn answers(lines: &[&[u8]]) -> Vec<Value> {
        let (client_input, server_output) = tokio::io::duplex(64 * 1024);
        let (mut client_output, server_input) = tokio::io::duplex(64 * 1024);
        let mut transport = LineTransport::new(server_input, server_output);
        let mut input = Vec::new();
        for line in lines {
            input.extend_from_slice(line);
            input.push(b'\n');
        }
        input.extend_from_slice(br#"{"jsonrpc": "2.0", "id": "ping", "method": "ping"}"#);
        input.push(b'\n');
        let writer = tokio::spawn(async move {
            client_output.write_all(&input).await.expect("write");
            client_output
        });
        let received = transport.receive().await.expect("the ping");
        let (_, id) = received.into_request().expect("a request");
        assert_eq!(id.to_string(), "ping");
        transport
            .send(TxJsonRpcMessage::<RoleServer>::error(
                ErrorData::internal_error("pong", None),
                Some(id),
            ))
            .await
            .expect("send");
        drop(writer.await.expect("the writer"));
        transport.close().await.expect("close");
        drop(transport);
        let mut seen = Vec::new();
        let mut lines = BufReader::new(client_input).lines();
        while let Some(line) = lines.next_line().await.expect("read") {
            seen.push(serde_json::from_str(&line).expect("JSON"));
        }
        seen
    }

    #[tokio::test]
    async fn a_line_that_is_not_json_is_answered_with_a_parse_error_first() {
        let seen = answers(&[b"not json", b"\xff\xfe\x00", b"", b"\r"]).await;
        let codes: Vec<&Value> = seen
            .iter()
            .map(|message| &message["error"]["code"])
            .collect();
        assert_eq!(codes, [-32700, -32700, -32603], "{seen:?}");
        assert_eq!(seen[0].get("id"), None, "{seen:?}");
        assert_eq!(seen[2]["id"], "ping", "{seen:?}");
    }

    #[tokio::test]
    async fn json_that_is_not_a_message_is_an_invalid_request() {
        let seen = answers(&[b"[1, 2]", br#"{"jsonrpc": "2.0"}"#]).await;
        let codes: Vec<&Value> = seen
            .iter()
            .map(|message| &message["error"]["code"])
            .collect();
        assert_eq!(codes, [-32600, -32600, -32603], "{seen:?}");
    }
}
