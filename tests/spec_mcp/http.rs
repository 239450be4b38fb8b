//! `serve --http` from the outside, with raw HTTP/1.1 requests: the guard
//! (Host, Origin, token, body size), the health check, idle sessions, and
//! many sessions writing questions into one file at once.

use std::io::Write as _;
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    ACCEPT, HttpServer, JSON, fixture, initialize, open_sse, rpc, send, temp_copy,
};

fn example() -> tempfile::TempDir {
    temp_copy(&crate::support::repo().join("specs-example"))
}

#[test]
fn the_health_check_says_version_root_and_features() {
    let kit = example();
    let server = HttpServer::start(kit.path(), &[]);
    let reply = send(server.authority(), "GET /healthz", &[], "");
    assert_eq!(reply.status, 200);
    let health: Value = serde_json::from_str(&reply.body).expect("json");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(health["features"], 2);
    let root = std::fs::canonicalize(kit.path()).expect("canonical");
    assert_eq!(health["root"], root.display().to_string());
}

#[test]
fn a_foreign_host_or_origin_is_refused_and_logged() {
    let kit = example();
    let server = HttpServer::start(kit.path(), &[]);
    let authority = server.authority();
    for path in [
        "GET /healthz",
        "GET /sse",
        "POST /mcp",
        "POST /messages?sessionId=x",
    ] {
        let reply = send(authority, path, &[("Host", "evil.example")], "");
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
        let reply = send(authority, path, &[("Origin", "https://evil.example")], "");
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
    }
    // A page on this machine, and a client sending no Origin, are served.
    let reply = send(
        authority,
        "GET /healthz",
        &[("Origin", "http://localhost:6274")],
        "",
    );
    assert_eq!(reply.status, 200);
    initialize(authority, &[]);
    let log = server.log();
    assert!(log.contains("request refused"), "{log}");
    assert!(log.contains("evil") || log.contains("Host header"), "{log}");

    // Named hosts and origins are served once allowed.
    let server = HttpServer::start(
        kit.path(),
        &[
            "--allow-host",
            "specs.internal",
            "--allow-origin",
            "https://app.example.com",
        ],
    );
    let reply = send(
        server.authority(),
        "GET /healthz",
        &[("Host", "specs.internal:80")],
        "",
    );
    assert_eq!(reply.status, 200);
    let reply = send(
        server.authority(),
        "GET /healthz",
        &[("Origin", "https://app.example.com")],
        "",
    );
    assert_eq!(reply.status, 200);
}

#[test]
fn with_a_token_every_route_but_the_health_check_needs_it() {
    let kit = example();
    let server = HttpServer::start(kit.path(), &["--token", "correct-horse"]);
    let authority = server.authority();
    for path in ["GET /sse", "POST /mcp", "POST /messages?sessionId=x"] {
        let reply = send(authority, path, &[JSON], "{}");
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
        let reply = send(
            authority,
            path,
            &[JSON, ("Authorization", "Bearer wrong")],
            "{}",
        );
        assert_eq!(reply.status, 401, "{path}");
    }
    assert_eq!(send(authority, "GET /healthz", &[], "").status, 200);
    let session = initialize(authority, &[("Authorization", "Bearer correct-horse")]);
    assert!(!session.is_empty());
    assert!(server.log().contains("bearer token is not this server"));
}

#[test]
fn a_body_over_the_limit_is_refused_and_the_server_goes_on() {
    let kit = example();
    let server = HttpServer::start(kit.path(), &["--max-body", "4096"]);
    let authority = server.authority();
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(10_000));
    for path in ["POST /mcp", "POST /messages?sessionId=x"] {
        let reply = send(authority, path, &[JSON, ACCEPT], &big);
        assert_eq!(reply.status, 413, "{path}: {}", reply.body);
    }
    initialize(authority, &[]);
}

#[test]
fn an_idle_session_is_kept_unless_an_idle_limit_is_set() {
    let kit = example();
    let list = |server: &HttpServer, session: &str| {
        rpc(server.authority(), session, 2, "tools/list", &json!({})).status
    };
    let kept = HttpServer::start(kit.path(), &[]);
    let limited = HttpServer::start(kit.path(), &["--session-idle", "1"]);
    let kept_session = initialize(kept.authority(), &[]);
    let limited_session = initialize(limited.authority(), &[]);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        list(&kept, &kept_session),
        200,
        "the default keeps an idle session"
    );
    assert_eq!(
        list(&limited, &limited_session),
        404,
        "--session-idle 1 drops a session idle for longer"
    );
}

#[test]
fn sessions_pin_their_own_tasks() {
    let kit = example();
    let server = HttpServer::start(kit.path(), &[]);
    let authority = server.authority();
    let first = initialize(authority, &[]);
    let second = initialize(authority, &[]);
    let pin =
        json!({"name": "set_current_task", "arguments": {"feature": "image-upload", "task": "T3"}});
    let reply = rpc(authority, &first, 2, "tools/call", &pin);
    assert_eq!(
        reply.message()["result"]["isError"],
        false,
        "{}",
        reply.body
    );
    let current = |session: &str| {
        let call = json!({"name": "get_current_task", "arguments": {"feature": "image-upload"}});
        rpc(authority, session, 3, "tools/call", &call).message()["result"]["structuredContent"]
            ["task"]["id"]
            .clone()
    };
    assert_eq!(current(&first), "T3");
    assert_ne!(current(&second), "T3");
}

#[test]
fn eight_sessions_asking_at_once_lose_no_question() {
    let kit = temp_copy(&fixture("layouts/kiro"));
    let server = HttpServer::start(kit.path(), &[]);
    let authority = server.authority().to_string();
    let sessions = 8;
    let each = 8;
    let threads: Vec<_> = (0..sessions)
        .map(|session| {
            let authority = authority.clone();
            std::thread::spawn(move || {
                let id = initialize(&authority, &[]);
                for question in 0..each {
                    let call = json!({"name": "ask_question", "arguments": {
                        "question": format!("Question {question} from session {session}?")
                    }});
                    let reply = rpc(&authority, &id, 10 + question, "tools/call", &call);
                    let message = reply.message();
                    assert_eq!(message["result"]["isError"], false, "{}", reply.body);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a session failed");
    }
    let written = std::fs::read_to_string(kit.path().join(".kiro/specs/login/requirements.md"))
        .expect("read");
    let mut ids = Vec::new();
    for session in 0..sessions {
        for question in 0..each {
            let text = format!("Question {question} from session {session}?");
            let lines: Vec<&str> = written
                .lines()
                .filter(|line| line.ends_with(&text))
                .collect();
            assert_eq!(lines.len(), 1, "{text} once:\n{written}");
            let id = lines[0]
                .split_whitespace()
                .find(|word| word.starts_with("Q-"))
                .expect("an id");
            ids.push(id.to_string());
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), sessions * each as usize, "every id is unique");
}

#[test]
fn clients_that_stall_or_leave_hold_up_no_one_else() {
    let kit = example();
    let server = HttpServer::start(kit.path(), &[]);
    let authority = server.authority();
    // Streams nobody reads, and a session initialized and then left
    // alone, its answers piling up unread.
    let stalled: Vec<(TcpStream, String)> = (0..40).map(|_| open_sse(authority)).collect();
    let (_, id) = &stalled[0];
    let hello = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2024-11-05", "capabilities": {},
                   "clientInfo": {"name": "stalled", "version": "1"}}
    });
    let path = format!("POST /messages?sessionId={id}");
    assert_eq!(
        send(authority, &path, &[JSON], &hello.to_string()).status,
        202
    );
    for n in 2..=20 {
        let ping = json!({"jsonrpc": "2.0", "id": n, "method": "ping"});
        assert_eq!(
            send(authority, &path, &[JSON], &ping.to_string()).status,
            202
        );
    }
    // Someone else is served meanwhile.
    let session = initialize(authority, &[]);
    let call = json!({"name": "get_current_task", "arguments": {"feature": "image-upload"}});
    let reply = rpc(authority, &session, 2, "tools/call", &call);
    assert_eq!(
        reply.message()["result"]["isError"],
        false,
        "{}",
        reply.body
    );

    // A client that left: its session is forgotten, and posting to it says
    // so.
    let (stream, gone) = open_sse(authority);
    drop(stream);
    let path = format!("POST /messages?sessionId={gone}");
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}).to_string();
    let mut status = 0;
    for _ in 0..50 {
        status = send(authority, &path, &[JSON], &ping).status;
        if status == 404 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(status, 404, "a closed SSE session is forgotten");
    drop(stalled);
}

#[cfg(unix)]
#[test]
fn sigterm_ends_open_streams_and_the_server_exits_cleanly() {
    let kit = example();
    let mut server = HttpServer::start(kit.path(), &[]);
    let authority = server.authority().to_string();
    let (_legacy, _) = open_sse(&authority);
    let session = initialize(&authority, &[]);
    // A Streamable HTTP session's standing GET stream.
    let mut standing = TcpStream::connect(&authority).expect("connect");
    write!(
        standing,
        "GET /mcp HTTP/1.1\r\nHost: {authority}\r\nAccept: text/event-stream\r\nMcp-Session-Id: {session}\r\n\r\n"
    )
    .expect("send");
    std::thread::sleep(Duration::from_millis(200));
    let status = server
        .terminate(Duration::from_secs(20))
        .expect("the server ends within 20 s of SIGTERM, open streams and all");
    assert!(status.success(), "{status}");
    assert!(server.log().contains("shutting down"), "{}", server.log());
}

// ---------------------------------------------------------------------------
// The session limit
// ---------------------------------------------------------------------------

/// An `initialize` without a session: the reply, whatever its status.
fn try_initialize(authority: &str) -> crate::support::Reply {
    let body = json!({
        "jsonrpc": "2.0", "id": 7, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "one-too-many", "version": "1"}}
    });
    send(authority, "POST /mcp", &[JSON, ACCEPT], &body.to_string())
}

fn assert_refused_for_the_limit(reply: &crate::support::Reply, max: usize) {
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(
        reply.header("mcp-session-id").is_none(),
        "{:?}",
        reply.headers
    );
    let message: Value = serde_json::from_str(&reply.body).expect("a JSON-RPC error");
    assert_eq!(message["jsonrpc"], "2.0");
    assert_eq!(message["id"], 7, "{message}");
    let text = message["error"]["message"].as_str().expect("a message");
    assert!(
        text.contains(&format!("limit of {max} open sessions")),
        "{text}"
    );
    assert!(text.contains("--max-sessions"), "{text}");
    assert!(text.contains("SPEC_MCP_MAX_SESSIONS"), "{text}");
    assert!(text.contains("DELETE /mcp"), "{text}");
}

fn current_task(authority: &str, session: &str, id: u64) -> Value {
    let call = json!({"name": "get_current_task", "arguments": {"feature": "image-upload"}});
    let reply = rpc(authority, session, id, "tools/call", &call);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.message()["result"]["structuredContent"]["task"]["id"].clone()
}

fn delete(authority: &str, session: &str) -> crate::support::Reply {
    send(
        authority,
        "DELETE /mcp",
        &[
            ("Mcp-Session-Id", session),
            ("MCP-Protocol-Version", "2025-06-18"),
        ],
        "",
    )
}

#[test]
fn past_max_sessions_an_initialize_is_refused_until_a_session_ends() {
    let kit = example();
    let server = HttpServer::start(kit.path(), &["--max-sessions", "2"]);
    let authority = server.authority();
    let first = initialize(authority, &[]);
    let second = initialize(authority, &[]);

    let refused = try_initialize(authority);
    assert_refused_for_the_limit(&refused, 2);
    assert_eq!(refused.header("retry-after"), Some("5"));
    // Refused again: a refusal takes no slot, and frees none.
    assert_refused_for_the_limit(&try_initialize(authority), 2);

    // The sessions already open are served as before.
    assert_eq!(current_task(authority, &first, 2), "T2");
    assert_eq!(current_task(authority, &second, 2), "T2");

    // A request in a session, or one that is not an initialize, is not
    // counted against the limit.
    let ping = json!({"jsonrpc": "2.0", "id": 3, "method": "ping"});
    let reply = send(authority, "POST /mcp", &[JSON, ACCEPT], &ping.to_string());
    assert_ne!(reply.status, 503, "{}", reply.body);

    let closed = delete(authority, &first);
    assert!(closed.status < 300, "{}: {}", closed.status, closed.body);
    // The session is gone, and its slot is free for a new one.
    let gone = current_task_reply(authority, &first);
    assert_eq!(gone.status, 404, "{}", gone.body);
    let third = initialize(authority, &[]);
    assert_eq!(current_task(authority, &third, 2), "T2");
    assert_eq!(current_task(authority, &second, 3), "T2");
    // Two open again: full.
    assert_refused_for_the_limit(&try_initialize(authority), 2);
    // Deleting the same session twice frees one slot, not two.
    delete(authority, &first);
    assert_refused_for_the_limit(&try_initialize(authority), 2);

    let log = server.log();
    assert!(log.contains("the session limit is reached"), "{log}");
}

fn current_task_reply(authority: &str, session: &str) -> crate::support::Reply {
    let call = json!({"name": "get_current_task", "arguments": {"feature": "image-upload"}});
    rpc(authority, session, 9, "tools/call", &call)
}

#[test]
fn a_session_that_expires_frees_its_slot() {
    let kit = example();
    let server = HttpServer::start(kit.path(), &["--max-sessions", "1", "--session-idle", "1"]);
    let authority = server.authority();
    let first = initialize(authority, &[]);
    assert_refused_for_the_limit(&try_initialize(authority), 1);
    // Idle past --session-idle, rmcp ends the session; the slot follows.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let second = loop {
        std::thread::sleep(Duration::from_millis(250));
        let reply = try_initialize(authority);
        if reply.status == 200 {
            break reply.header("mcp-session-id").expect("an id").to_string();
        }
        assert_refused_for_the_limit(&reply, 1);
        assert!(
            std::time::Instant::now() < deadline,
            "the idle session still holds its slot"
        );
    };
    assert_ne!(first, second);
}

#[test]
fn a_bad_max_sessions_exits_2_naming_the_option() {
    let kit = example();
    for value in ["0", "abc", "-1", ""] {
        let option = format!("--max-sessions={value}");
        let output = HttpServer::command(kit.path(), &[&option])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{value:?}: {stderr}");
        assert!(stderr.contains("--max-sessions"), "{value:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{value:?}");
    }
    let output = HttpServer::command(kit.path(), &[])
        .env("SPEC_MCP_MAX_SESSIONS", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--max-sessions"), "{stderr}");
}

#[test]
fn the_session_limit_is_read_from_the_environment() {
    let kit = example();
    let mut command = HttpServer::command(kit.path(), &[]);
    command.env("SPEC_MCP_MAX_SESSIONS", "1");
    let server = HttpServer::spawn(command);
    let authority = server.authority();
    initialize(authority, &[]);
    assert_refused_for_the_limit(&try_initialize(authority), 1);
}

#[test]
fn initializes_racing_for_the_last_slots_get_exactly_the_limit() {
    const MAX: usize = 4;
    const CLIENTS: usize = 24;
    let kit = example();
    let server = HttpServer::start(kit.path(), &["--max-sessions", &MAX.to_string()]);
    let authority = server.authority().to_string();
    let start = std::sync::Arc::new(std::sync::Barrier::new(CLIENTS));
    let replies: Vec<crate::support::Reply> = (0..CLIENTS)
        .map(|_| {
            let authority = authority.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                try_initialize(&authority)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|thread| thread.join().expect("a client"))
        .collect();
    let (accepted, refused): (Vec<_>, Vec<_>) =
        replies.into_iter().partition(|reply| reply.status == 200);
    assert_eq!(
        accepted.len(),
        MAX,
        "accepted {} of {CLIENTS}",
        accepted.len()
    );
    for reply in &refused {
        assert_refused_for_the_limit(reply, MAX);
    }
    // Each accepted session works, and the limit still holds after them.
    for (n, reply) in accepted.iter().enumerate() {
        let session = reply.header("mcp-session-id").expect("an id");
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let headers = [JSON, ACCEPT, ("Mcp-Session-Id", session)];
        let ack = send(&authority, "POST /mcp", &headers, &initialized.to_string());
        assert_eq!(ack.status, 202, "{}", ack.body);
        assert_eq!(current_task(&authority, session, n as u64 + 2), "T2");
    }
    assert_refused_for_the_limit(&try_initialize(&authority), MAX);
}
