//! `spec-mcp serve`: open the kit and serve it over stdio, or over HTTP
//! with `--http`.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::cli::KitOptions;
use crate::edit::Writer;
use crate::model::Layout;
use crate::service::changes;
use crate::service::{Defaults, Kit};
use crate::transport;
use crate::transport::http::{Access, HttpOptions};
use crate::workspace::Workspace;

/// How to serve.
#[derive(Debug, Clone, Default, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp serve --root .                       # stdio, launched by an editor\n  \
    spec-mcp serve --root . --http 127.0.0.1:8765  # a server many agents connect to\n  \
    SPEC_MCP_TOKEN=$(openssl rand -hex 32) spec-mcp serve --http 0.0.0.0:8765 --allow-host specs.internal")]
pub struct ServeArgs {
    /// Serve over HTTP on this address (`--http` alone: 127.0.0.1:8765;
    /// port 0 picks a free one): Streamable HTTP at `/mcp`, legacy SSE at
    /// `/sse`, health at `/healthz`. Without it, serve one client over
    /// stdio.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:8765")]
    pub http: Option<SocketAddr>,
    /// Require `Authorization: Bearer <TOKEN>` on every HTTP route but
    /// `/healthz`.
    #[arg(
        long,
        env = "SPEC_MCP_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// A host name (or `host:port`) HTTP requests may name besides
    /// localhost, `127.0.0.1` and `::1`; repeatable; `*` for any.
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,
    /// A browser origin (`https://app.example.com`, `http://host:*`) HTTP
    /// requests may come from besides this machine's; repeatable; `*` for
    /// any. Requests without an Origin (editors, CLIs) are not affected.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// The largest HTTP request body taken, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// Drop an HTTP session idle for this many seconds; 0, the default,
    /// keeps it until the client ends it, so an editor left open overnight
    /// still has its session.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub session_idle: u64,
    /// How many Streamable HTTP sessions may be open at once; an
    /// `initialize` past it gets 503 until a session ends (`DELETE /mcp`)
    /// or expires (`--session-idle`).
    #[arg(
        long,
        env = "SPEC_MCP_MAX_SESSIONS",
        value_name = "N",
        default_value_t = DEFAULT_MAX_SESSIONS,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_sessions: u32,
    /// Do not watch the spec root for changes. Answers still never go
    /// stale (file metadata is checked before each one), but subscribed
    /// clients hear only of this server's own writes.
    #[arg(long, env = "SPEC_MCP_NO_WATCH")]
    pub no_watch: bool,
}

/// 1 MiB: a question is at most a few kilobytes; nothing a client sends
/// comes near it.
const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// 128: a team's agents and editors need tens at most; the rest is room
/// for clients that went away without ending theirs. Each session costs a
/// handler, a few queues and a task: well under a megabyte.
const DEFAULT_MAX_SESSIONS: u32 = 128;

pub fn run(options: &KitOptions, serve: &ServeArgs) -> anyhow::Result<ExitCode> {
    let kit = Arc::new(open_kit(options)?);
    if !serve.no_watch {
        watch(&kit);
    }
    if let Some(addr) = serve.http {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let http = HttpOptions {
            addr,
            access: Access {
                token: serve.token.clone().filter(|token| !token.trim().is_empty()),
                hosts: serve.allow_hosts.clone(),
                origins: serve.allow_origins.clone(),
            },
            max_body: serve.max_body,
            session_idle: (serve.session_idle > 0).then(|| Duration::from_secs(serve.session_idle)),
            max_sessions: serve.max_sessions as usize,
        };
        tracing::info!(read_only = options.read_only, "serving over HTTP");
        runtime.block_on(transport::http::serve(kit, http))?;
        return Ok(ExitCode::SUCCESS);
    }
    tracing::info!(
        root = %kit.workspace.root().display(),
        read_only = options.read_only,
        "serving over stdio"
    );
    if std::io::stdin().is_terminal() {
        eprintln!(
            "spec-mcp speaks MCP on stdin/stdout and is waiting for a client. Add it to your \
             editor instead (see the README), or press Ctrl-D to quit."
        );
    }
    // One client: every message is handled on this thread, so none waits
    // for another thread to wake.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(transport::stdio::serve(kit))?;
    Ok(ExitCode::SUCCESS)
}

/// Watches the spec root on a thread of its own, so the first answer
/// does not wait for the watches to be set up, and tells every session
/// what changed. A root that cannot be watched is served all the same.
fn watch(kit: &Arc<Kit>) {
    let kit = kit.clone();
    let started = std::thread::Builder::new()
        .name("spec-watch-start".to_string())
        .spawn(move || {
            let for_changes = kit.clone();
            let watcher = kit
                .workspace
                .watch(move |paths| changes::files_changed(&for_changes, &paths));
            match watcher {
                Ok(watcher) => {
                    kit.changes.watching(&kit.workspace);
                    // Held for as long as the server runs.
                    loop {
                        std::thread::park();
                        let _ = &watcher;
                    }
                }
                Err(error) => tracing::warn!(
                    error = %format!("{error:#}"),
                    "not watching the spec root: changes show on the next call, and subscribers hear only of this server's own writes"
                ),
            }
        });
    if let Err(error) = started {
        tracing::warn!(%error, "not watching the spec root");
    }
}

/// Opens the spec root with the command line's defaults.
pub fn open_kit(options: &KitOptions) -> anyhow::Result<Kit> {
    let workspace = Workspace::open_with(&options.root, options.layout.map(Layout::from))
        .with_context(|| {
            format!(
                "opening the spec root (pass --root with the folder that holds your specs; got {})",
                options.root.display()
            )
        })?
        .with_max_file_bytes(options.max_file_size);
    Ok(Kit::new(
        workspace,
        Writer::new(options.read_only).with_max_question_chars(options.max_question_chars),
        Defaults {
            feature: options.feature.clone(),
            task: options.task.clone(),
            // spec-kit's own way of naming the feature being worked on.
            specify_feature_directory: non_empty_env("SPECIFY_FEATURE_DIRECTORY")
                .map(PathBuf::from),
            specify_feature: non_empty_env("SPECIFY_FEATURE"),
        },
    ))
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}
