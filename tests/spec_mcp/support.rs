//! What the test files share: fixture paths and temporary kits, the tool
//! list, the binary as a stdio or HTTP server, and raw HTTP/1.1 requests
//! to it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// The server's tools, sorted.
pub const TOOLS: [&str; 10] = [
    "ask_question",
    "check_spec",
    "get_acceptance_criteria",
    "get_architecture_constraints",
    "get_current_task",
    "get_definition_of_done",
    "get_out_of_scope",
    "list_questions",
    "list_tasks",
    "set_current_task",
];

/// Whether `tool` reads `field` of its arguments: every tool takes a
/// feature and all but `check_spec` a task (without a feature they choose
/// the current one; `check_spec` checks the whole kit).
pub fn takes(tool: &str, field: &str) -> bool {
    field != "task" || tool != "check_spec"
}

/// The tools that take a `task`.
pub fn task_tools() -> impl Iterator<Item = &'static str> {
    TOOLS.into_iter().filter(|tool| takes(tool, "task"))
}

/// The repository's own folder.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests").join("fixtures").join(name)
}

/// Sets the modification time of every file and folder under `root` (the
/// root too) an hour back: settled, as far as the caches can tell.
pub fn settle(root: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read dir") {
                pending.push(entry.expect("entry").path());
            }
        }
        std::fs::File::open(&path)
            .and_then(|file| file.set_modified(past))
            .expect("set the modification time");
    }
}

/// Copies a folder tree into a fresh temporary directory.
pub fn temp_copy(source: &Path) -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("temp dir");
    copy_tree(source, temp.path());
    temp
}

pub fn copy_tree(source: &Path, target: &Path) {
    std::fs::create_dir_all(target).expect("create dir");
    for entry in std::fs::read_dir(source).expect("read dir") {
        let entry = entry.expect("dir entry");
        let to = target.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).expect("copy file");
        }
    }
}

/// Every regular file under `dir` with its bytes, by path relative to it;
/// symlinks are left out, so a link out of `dir` is never followed.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("read dir") {
            let entry = entry.expect("dir entry");
            let path = entry.path();
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                let bytes = std::fs::read(&path).expect("read file");
                files.insert(path.strip_prefix(dir).expect("inside").to_path_buf(), bytes);
            }
        }
    }
    files
}

/// Environment variables that would change what the binary serves: tests
/// clear them so a developer's shell cannot change their outcome.
pub const KIT_ENV: [&str; 9] = [
    "SPEC_MCP_ROOT",
    "SPEC_MCP_NO_WATCH",
    "SPEC_MCP_FEATURE",
    "SPEC_MCP_TASK",
    "SPEC_MCP_LAYOUT",
    "SPEC_MCP_MAX_FILE_SIZE",
    "SPEC_MCP_MAX_QUESTION_CHARS",
    "SPECIFY_FEATURE",
    "SPECIFY_FEATURE_DIRECTORY",
];

/// Writes a line to the real stderr, past the test harness's capture, so a
/// skipped check is visible in a passing run.
pub fn note(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// A `spec-mcp serve --http 127.0.0.1:0` process, killed when dropped. Its
/// stderr (the request log) is collected as it runs.
pub struct HttpServer {
    pub base: String,
    child: std::process::Child,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl HttpServer {
    /// Starts the server on `root` with `extra` options and waits for the
    /// line that says where it listens.
    pub fn start(root: &Path, extra: &[&str]) -> HttpServer {
        HttpServer::spawn(HttpServer::command(root, extra))
    }

    /// `spec-mcp serve --http 127.0.0.1:0 --root <root> <extra>`, with the
    /// environment's defaults cleared, for a test that changes it further.
    pub fn command(root: &Path, extra: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spec-mcp"));
        command
            .args(["serve", "--http", "127.0.0.1:0", "--root"])
            .arg(root)
            .args(extra);
        for name in KIT_ENV
            .iter()
            .chain(["SPEC_MCP_TOKEN", "SPEC_MCP_MAX_SESSIONS"].iter())
        {
            command.env_remove(name);
        }
        command
    }

    /// Runs `command` (a `serve --http` one) and waits for the line that
    /// says where it listens.
    pub fn spawn(mut command: Command) -> HttpServer {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start the HTTP server");
        let stderr = child.stderr.take().expect("stderr");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (found, address) = std::sync::mpsc::channel();
        let collected = log.clone();
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.strip_prefix("spec-mcp: listening on ")
                    && let Some(sender) = found.take()
                {
                    let _ = sender.send(rest.trim_end_matches("/mcp").to_string());
                }
                let mut log = collected
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                log.push_str(&line);
                log.push('\n');
            }
        });
        let base = address
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!(
                    "the HTTP server did not say where it listens: {}",
                    log.lock().expect("log")
                )
            });
        HttpServer { base, child, log }
    }

    /// The server's process id (or, started through a shell, that of the
    /// shell it replaced).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port`, for raw requests.
    pub fn authority(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Sends SIGTERM and waits (up to `limit`) for the process to end;
    /// its exit status, or `None` if it was still running.
    pub fn terminate(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `command` run by `sh` after `setup` (say, `ulimit -f 4`), which `exec`s
/// it, so the limits `setup` sets are the server's and its pid is the
/// shell's.
pub fn in_shell(setup: &str, command: &Command) -> Command {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(format!("{setup}\nexec \"$0\" \"$@\""))
        .arg(command.get_program())
        .args(command.get_args());
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => shell.env(name, value),
            None => shell.env_remove(name),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        shell.current_dir(dir);
    }
    shell
}

// ---------------------------------------------------------------------------
// The binary over stdio, one JSON-RPC message a line
// ---------------------------------------------------------------------------

/// `spec-mcp serve --root <root> <extra>` with the environment's defaults
/// cleared.
pub fn stdio_command(root: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spec-mcp"));
    command.args(["serve", "--root"]).arg(root).args(extra);
    for name in KIT_ENV {
        command.env_remove(name);
    }
    command
}

/// A `spec-mcp serve --root` process speaking newline-delimited JSON-RPC on
/// its stdin and stdout, initialized; killed when dropped.
pub struct StdioServer {
    pub child: Child,
    /// Taken by a test that hands it to another thread.
    pub client: Option<StdioClient>,
}

/// The client's ends of a stdio server's pipes.
pub struct StdioClient {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl StdioServer {
    /// Starts the server on `root` and goes through the handshake as
    /// `client_name`.
    pub fn start(root: &Path, client_name: &str) -> StdioServer {
        StdioServer::spawn(stdio_command(root, &[]), client_name)
    }

    /// Runs `command` (a stdio `serve`; its stderr is discarded) and goes
    /// through the handshake.
    pub fn spawn(mut command: Command, client_name: &str) -> StdioServer {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("start the stdio server");
        let mut client = StdioClient {
            stdin: child.stdin.take().expect("stdin"),
            stdout: BufReader::new(child.stdout.take().expect("stdout")),
            next_id: 1,
        };
        let hello = json!({"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": client_name, "version": "1"}});
        client
            .call("initialize", &hello)
            .expect("an initialize answer");
        client
            .send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .expect("send initialized");
        StdioServer {
            child,
            client: Some(client),
        }
    }

    /// The client, for a test that keeps it on this thread.
    pub fn client(&mut self) -> &mut StdioClient {
        self.client.as_mut().expect("the client")
    }
}

impl Drop for StdioServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl StdioClient {
    pub fn send(&mut self, message: &Value) -> std::io::Result<()> {
        self.send_line(message.to_string().as_bytes())
    }

    /// Writes `bytes` and a newline as they are: for lines that are not
    /// JSON-RPC, or not JSON at all.
    pub fn send_line(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stdin.write_all(bytes)?;
        self.stdin.write_all(b"\n")?;
        self.stdin.flush()
    }

    /// The next message the server writes, or `None` once it is gone.
    pub fn receive(&mut self) -> Option<Value> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line).ok()? == 0 {
            return None;
        }
        Some(serde_json::from_str(&line).unwrap_or_else(|error| panic!("{error}: {line}")))
    }

    /// Sends a request and reads up to its answer: the whole message, or
    /// `None` once the server is gone.
    pub fn request(&mut self, method: &str, params: &Value) -> Option<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .ok()?;
        loop {
            let message = self.receive()?;
            if message["id"] == id {
                return Some(message);
            }
        }
    }

    /// Sends a request and reads up to its answer: the `result` (or the
    /// whole message if it is an error), or `None` once the server is gone.
    pub fn call(&mut self, method: &str, params: &Value) -> Option<Value> {
        let message = self.request(method, params)?;
        Some(message.get("result").cloned().unwrap_or(message))
    }

    /// Calls a tool on a server that must still be there; its result.
    pub fn tool(&mut self, name: &str, arguments: &Value) -> Value {
        self.call("tools/call", &json!({"name": name, "arguments": arguments}))
            .unwrap_or_else(|| panic!("the server is gone: no answer to {name} {arguments}"))
    }
}

// ---------------------------------------------------------------------------
// Raw HTTP/1.1
// ---------------------------------------------------------------------------

/// A response: status, headers (names lowercased) and body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The JSON-RPC message in the body: plain JSON, or the `data:` of an
    /// SSE event.
    pub fn message(&self) -> Value {
        let text = self
            .body
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .map(str::trim)
            .find(|data| data.starts_with('{'))
            .unwrap_or(self.body.trim());
        serde_json::from_str(text).unwrap_or_else(|error| panic!("{error}: {}", self.body))
    }
}

/// Reads a response to its end: status line, headers, body.
pub fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {raw}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// One request on a fresh connection, read to its end.
pub fn send(authority: &str, request_line: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut request = format!("{request_line} HTTP/1.1\r\nConnection: close\r\n");
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        let _ = write!(request, "Host: {authority}\r\n");
    }
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    let _ = write!(request, "Content-Length: {}\r\n\r\n{body}", body.len());
    stream.write_all(request.as_bytes()).expect("send");
    read_reply(&mut stream)
}

pub const JSON: (&str, &str) = ("Content-Type", "application/json");
pub const ACCEPT: (&str, &str) = ("Accept", "application/json, text/event-stream");

/// Opens a Streamable HTTP session (protocol 2025-06-18) and returns its id.
pub fn initialize(authority: &str, extra: &[(&str, &str)]) -> String {
    let body = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "raw-http", "version": "1"}}
    });
    let mut headers = vec![JSON, ACCEPT];
    headers.extend_from_slice(extra);
    let reply = send(authority, "POST /mcp", &headers, &body.to_string());
    assert_eq!(reply.status, 200, "{}", reply.body);
    let session = reply
        .header("mcp-session-id")
        .expect("a session id")
        .to_string();
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let mut headers = vec![JSON, ACCEPT, ("Mcp-Session-Id", session.as_str())];
    headers.extend_from_slice(extra);
    let reply = send(authority, "POST /mcp", &headers, &initialized.to_string());
    assert_eq!(reply.status, 202, "{}", reply.body);
    session
}

/// One JSON-RPC request in a session.
pub fn rpc(authority: &str, session: &str, id: u64, method: &str, params: &Value) -> Reply {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    send(
        authority,
        "POST /mcp",
        &[
            JSON,
            ACCEPT,
            ("Mcp-Session-Id", session),
            ("MCP-Protocol-Version", "2025-06-18"),
        ],
        &body.to_string(),
    )
}

/// Opens `GET /sse` and reads up to the `endpoint` event: the session id.
pub fn open_sse(authority: &str) -> (TcpStream, String) {
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "GET /sse HTTP/1.1\r\nHost: {authority}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("send");
    let mut seen = String::new();
    let mut byte = [0u8; 1];
    while !seen.contains("sessionId=") || !seen.ends_with('\n') {
        stream
            .read_exact(&mut byte)
            .expect("read the endpoint event");
        seen.push(char::from(byte[0]));
    }
    let id = seen
        .rsplit("sessionId=")
        .next()
        .expect("an id")
        .trim()
        .to_string();
    (stream, id)
}
