//! End-to-end benchmark: spawns the real `spec-mcp` binary, talks to it
//! over stdio or Streamable HTTP with a buffered JSON-RPC client, and
//! reports for each tool the round trip (p50, p99) beside the same client's
//! `ping` to the same server, the answer's size, the time from spawn to the
//! `initialize` answer, and the server's peak resident memory.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example e2e-bench -- --root specs-example --feature image-upload
//! cargo run --release --example e2e-bench -- --root specs-example --feature image-upload --transport http
//! cargo run --release --example e2e-bench -- --root specs-example --feature image-upload --compare
//! ```
//!
//! `--transport http` starts `spec-mcp serve --http 127.0.0.1:0`, takes the
//! port from the line it prints on stderr, and speaks Streamable HTTP
//! (protocol 2025-06-18) over one kept-alive HTTP/1.1 connection: each
//! answer, an event stream or plain JSON, sized by `Content-Length` or
//! chunked, is read only up to the JSON-RPC answer with the request's id.
//! An answer's bytes are the JSON-RPC message's (an event's data), not the
//! HTTP framing around it, so they match the stdio line's.
//!
//! `--compare` then measures, in the same run and the same way, the servers
//! a user would otherwise pick, each on a store built from the same kit:
//! `@modelcontextprotocol/server-filesystem` reading the task's tasks file
//! (`read_text_file`), `task-master-ai` answering `get_task` from a
//! `.taskmaster/tasks/tasks.json` converted from spec-mcp's own `list_tasks`
//! and `get_acceptance_criteria` answers, and `foundry-mcp` answering
//! `load_spec` from a `~/.foundry` project built from the kit's files. On
//! first use they are installed into `target/alternatives/`: `npm ci` from
//! `benches/alternatives/package-lock.json`, and `cargo install --locked`
//! of a pinned `foundry-mcp`. One that cannot be installed or run is named
//! with the reason, and the others are still measured. They speak stdio
//! only, so they are measured over stdio whatever `--transport` says.
//! `--alternatives-dir` puts the installs and stores elsewhere;
//! `benches/alternatives/README.md` says how each store is built.
//!
//! `--json` prints one object, for scripts; `--binary` measures another
//! build. `cargo test --example e2e-bench` checks the HTTP answer reader
//! on framed bytes.
//!
//! Only the answer's id is looked at while timing (the answer is parsed
//! once, on the first call), so the client's cost stays small beside the
//! server's. Numbers from a shared machine are noisy: run it more than
//! once, and compare runs made on the same machine at the same time.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use serde::Serialize;
use serde_json::{Value, json};

use crate::rpc::{Launch, Server};

const AFTER_HELP: &str = "\
Examples:
  cargo run --release --example e2e-bench -- --root specs-example --feature image-upload --calls 1000
  cargo run --release --example e2e-bench -- --root specs-example --feature image-upload --transport http
  cargo run --release --example e2e-bench -- --root specs-example --feature image-upload --compare";

/// Measure spec-mcp's tools end to end, and optionally the alternatives.
#[derive(Debug, Parser)]
#[command(after_help = AFTER_HELP)]
struct Args {
    /// The kit to serve.
    #[arg(long)]
    root: PathBuf,
    /// The feature each call names (omit to let the server choose).
    #[arg(long)]
    feature: Option<String>,
    /// The task calls that take one name.
    #[arg(long)]
    task: Option<String>,
    /// Calls per tool.
    #[arg(long, default_value_t = 1000)]
    calls: usize,
    /// The server binary (default: the release build beside this example).
    #[arg(long)]
    binary: Option<PathBuf>,
    /// How to reach spec-mcp: its stdin and stdout, or Streamable HTTP on a
    /// loopback port.
    #[arg(long, value_enum, default_value_t = Transport::Stdio)]
    transport: Transport,
    /// Also measure the alternatives, installing them on first use.
    #[arg(long)]
    compare: bool,
    /// Where the alternatives are installed and their stores built
    /// (default: `alternatives/` in the target folder of this example).
    #[arg(long)]
    alternatives_dir: Option<PathBuf>,
    /// Questions asked with `ask_question`, each a new one appended (with
    /// fsync and rename) to a copy of the kit in a temporary folder; 0
    /// leaves the write out.
    #[arg(long, default_value_t = 100)]
    asks: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
enum Transport {
    Stdio,
    Http,
}

impl Transport {
    fn name(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
        }
    }
}

/// One call measured: a first call, then `calls` timed ones.
#[derive(Debug, Clone, Serialize)]
struct Timing {
    call: String,
    p50_ms: f64,
    p99_ms: f64,
    first_ms: f64,
    bytes: usize,
}

/// One server measured.
#[derive(Debug, Serialize)]
struct Run {
    server: String,
    version: String,
    transport: Transport,
    #[serde(rename = "initialize_ms", serialize_with = "as_ms")]
    initialize: Duration,
    peak_rss_kib: Option<u64>,
    /// `None` when the server does not answer `ping`.
    ping: Option<Timing>,
    calls: Vec<Timing>,
}

/// An alternative that was measured, or why it was not.
#[derive(Debug)]
enum Outcome {
    Measured(Run),
    NotInstalled { server: String, reason: String },
    NotRun { server: String, reason: String },
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("e2e-bench: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    if args.calls == 0 {
        bail!("--calls must be at least 1");
    }
    let exe = std::env::current_exe().context("finding this example's path")?;
    // This example runs from target/<profile>/examples/.
    let profile_dir = exe
        .ancestors()
        .nth(2)
        .context("this example has no target folder")?;
    let binary = args
        .binary
        .clone()
        .unwrap_or_else(|| profile_dir.join("spec-mcp"));
    let alternatives_dir = args.alternatives_dir.clone().unwrap_or_else(|| {
        profile_dir
            .parent()
            .unwrap_or(profile_dir)
            .join("alternatives")
    });
    // Installing comes first, so a first-use install does not load the
    // machine while anything is timed.
    let installed = if args.compare {
        alternatives::install_all(&alternatives_dir)
    } else {
        Vec::new()
    };

    let mut server = Server::start(&spec_mcp_launch(&binary, &args.root, args), args.transport)
        .with_context(|| format!("starting {}", binary.display()))?;
    let mut spec_mcp = measure_spec_mcp(&mut server, args)?;
    let kit = if args.compare {
        Some(kit::read(&mut server, args).context("reading the kit through spec-mcp")?)
    } else {
        None
    };
    drop(server);
    if args.asks > 0 {
        spec_mcp
            .calls
            .push(measure_asks(&binary, args).context("timing ask_question")?);
    }

    let outcomes = match &kit {
        Some(kit) => installed
            .into_iter()
            .map(|(alternative, install)| {
                alternatives::measure(alternative, install, kit, &alternatives_dir, args.calls)
            })
            .collect(),
        None => Vec::new(),
    };
    if args.json {
        print_json(args, &spec_mcp, &outcomes);
    } else {
        print_table(args, &spec_mcp);
        if let Some(kit) = &kit {
            print_comparison(args, kit, &spec_mcp, &outcomes);
        }
    }
    Ok(())
}

fn spec_mcp_launch(binary: &Path, root: &Path, args: &Args) -> Launch {
    let mut launch = Launch::new("spec-mcp", binary);
    launch.args(["serve", "--root"]).arg(root);
    if args.transport == Transport::Http {
        launch.args(["--http", "127.0.0.1:0"]);
    }
    launch.env("RUST_LOG", "warn").env_remove("SPEC_MCP_TOKEN");
    launch
}

/// spec-mcp's own workload: `ping` and each read-only tool.
fn measure_spec_mcp(server: &mut Server, args: &Args) -> Result<Run> {
    let mut target = json!({});
    if let Some(feature) = &args.feature {
        target["feature"] = json!(feature);
    }
    let mut with_task = target.clone();
    if let Some(task) = &args.task {
        with_task["task"] = json!(task);
    }
    let tools: [(&str, &Value); 7] = [
        ("get_current_task", &with_task),
        ("get_acceptance_criteria", &with_task),
        ("get_architecture_constraints", &with_task),
        ("get_out_of_scope", &target),
        ("get_definition_of_done", &target),
        ("list_tasks", &target),
        ("list_questions", &target),
    ];
    let params = tools.map(|(name, arguments)| json!({"name": name, "arguments": arguments}));
    let requests = tools
        .iter()
        .zip(&params)
        .map(|(&(name, _), params)| (name, "tools/call", params))
        .collect::<Vec<_>>();
    let (ping, calls) = time_beside_ping(server, &requests, args.calls)?;
    Ok(Run {
        server: "spec-mcp".to_string(),
        version: server.version().to_string(),
        transport: args.transport,
        initialize: server.initialized(),
        peak_rss_kib: server.peak_rss_kib(),
        ping,
        calls,
    })
}

/// Times `ask_question` on a copy of the kit: a first question, then
/// `--asks` more, each new, so each is appended with fsync and rename.
fn measure_asks(binary: &Path, args: &Args) -> Result<Timing> {
    let copy = tempfile::tempdir().context("making a temporary folder for the kit's copy")?;
    copy_kit(&args.root, copy.path()).with_context(|| {
        format!(
            "copying {} to {}",
            args.root.display(),
            copy.path().display()
        )
    })?;
    let mut server = Server::start(&spec_mcp_launch(binary, copy.path(), args), args.transport)
        .with_context(|| format!("starting {} on the copy", binary.display()))?;
    let params = |n: usize| {
        let mut arguments = json!({
            "question": format!("Does limit number {n} apply per user or per team?"),
        });
        if let Some(feature) = &args.feature {
            arguments["feature"] = json!(feature);
        }
        json!({"name": "ask_question", "arguments": arguments})
    };
    time_call(&mut server, "ask_question", "tools/call", params, args.asks)
}

/// Copies the files and folders under `from` into `to`, leaving out links
/// and the `.git` folder.
fn copy_kit(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() && entry.file_name() != ".git" {
            copy_kit(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Whether the server answers `ping` (it is timed beside the calls).
fn answers_ping(server: &mut Server) -> Result<bool> {
    server.request("ping", &json!({}))?;
    Ok(server.answer_error().is_none())
}

/// One request to time: its label, method and params.
type Request<'a> = (&'a str, &'a str, &'a Value);

/// Times `ping` (when the server answers it) and each of `requests`,
/// interleaved: a first call of each, checked in full, then `calls` rounds
/// of one call of each in turn, so that a slower minute of a shared
/// machine falls on all of them alike and their ratios hold.
fn time_beside_ping(
    server: &mut Server,
    requests: &[Request<'_>],
    calls: usize,
) -> Result<(Option<Timing>, Vec<Timing>)> {
    let empty = json!({});
    let ping = answers_ping(server)?;
    let mut all: Vec<Request<'_>> = Vec::with_capacity(requests.len() + 1);
    if ping {
        all.push(("ping", "ping", &empty));
    }
    all.extend_from_slice(requests);
    let mut firsts = Vec::with_capacity(all.len());
    for &(label, method, params) in &all {
        let started = Instant::now();
        let first = server.request(method, params)?;
        server
            .check_answer()
            .with_context(|| format!("{label} on {}", server.name()))?;
        firsts.push((ms(first.at - started), first.bytes));
    }
    let mut times = vec![Vec::with_capacity(calls); all.len()];
    for _ in 0..calls {
        for (&(_, method, params), times) in all.iter().zip(&mut times) {
            let started = Instant::now();
            let answer = server.request(method, params)?;
            times.push(answer.at - started);
        }
    }
    let mut timings = all
        .iter()
        .zip(firsts)
        .zip(&mut times)
        .map(|((&(label, ..), (first_ms, bytes)), times)| {
            let (p50_ms, p99_ms) = percentiles(times);
            Timing {
                call: label.to_string(),
                p50_ms,
                p99_ms,
                first_ms,
                bytes,
            }
        })
        .collect::<Vec<_>>();
    let ping = ping.then(|| timings.remove(0));
    Ok((ping, timings))
}

/// Times one request: a first call, checked in full, then `calls` more,
/// the `n`th with `params(n)` (made before its clock starts).
fn time_call<P: std::borrow::Borrow<Value>>(
    server: &mut Server,
    label: &str,
    method: &str,
    params: impl Fn(usize) -> P,
    calls: usize,
) -> Result<Timing> {
    // The first call may load and parse the files; the rest are warm.
    let request = params(0);
    let started = Instant::now();
    let first = server.request(method, request.borrow())?;
    server
        .check_answer()
        .with_context(|| format!("{label} on {}", server.name()))?;
    let mut times = Vec::with_capacity(calls);
    for n in 1..=calls {
        let request = params(n);
        let started = Instant::now();
        let answer = server.request(method, request.borrow())?;
        times.push(answer.at - started);
    }
    let (p50, p99) = percentiles(&mut times);
    Ok(Timing {
        call: label.to_string(),
        p50_ms: p50,
        p99_ms: p99,
        first_ms: ms(first.at - started),
        bytes: first.bytes,
    })
}

/// p50 and p99 of `times`, in milliseconds.
fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort_unstable();
    let at = |percent: usize| ms(times[(times.len() - 1) * percent / 100]);
    (at(50), at(99))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn as_ms<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(ms(*duration))
}

/// KiB as MiB with one decimal, without a float cast.
fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "unknown".to_string(),
        |kib| format!("{}.{} MiB", kib / 1024, kib % 1024 * 10 / 1024),
    )
}

fn print_json(args: &Args, spec_mcp: &Run, outcomes: &[Outcome]) {
    // `results` keeps the shape scripts read before `--compare`: ping first.
    let results: Vec<&Timing> = spec_mcp.ping.iter().chain(&spec_mcp.calls).collect();
    let compare: Vec<Value> = outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Measured(run) => json!(run),
            Outcome::NotInstalled { server, reason } => {
                json!({"server": server, "error": format!("could not be installed: {reason}")})
            }
            Outcome::NotRun { server, reason } => {
                json!({"server": server, "error": format!("could not be run: {reason}")})
            }
        })
        .collect();
    let mut report = json!({
        "root": args.root, "calls": args.calls, "transport": args.transport,
        "version": spec_mcp.version,
        "initialize_ms": ms(spec_mcp.initialize),
        "peak_rss_kib": spec_mcp.peak_rss_kib, "results": results,
    });
    if args.compare {
        report["compare"] = json!(compare);
    }
    println!("{report}");
}

fn print_table(args: &Args, run: &Run) {
    let ping = run.ping.as_ref().map_or(f64::NAN, |ping| ping.p50_ms);
    println!(
        "spec-mcp {} over {} on {} ({} calls each)",
        run.version,
        run.transport.name(),
        args.root.display(),
        args.calls
    );
    println!(
        "initialize answered {:.2} ms after spawn; peak RSS {}",
        ms(run.initialize),
        mib(run.peak_rss_kib)
    );
    println!(
        "{:<30} {:>9} {:>9} {:>9} {:>7} {:>9}",
        "call", "p50 ms", "p99 ms", "first ms", "x ping", "bytes"
    );
    for timing in run.ping.iter().chain(&run.calls) {
        println!(
            "{:<30} {:>9.3} {:>9.3} {:>9.3} {:>7.1} {:>9}",
            timing.call,
            timing.p50_ms,
            timing.p99_ms,
            timing.first_ms,
            timing.p50_ms / ping,
            timing.bytes
        );
    }
}

/// The calls of spec-mcp that stand beside the alternatives' one call.
const COMPARED_CALLS: [&str; 2] = ["get_current_task", "get_acceptance_criteria"];

fn print_comparison(args: &Args, kit: &kit::Kit, spec_mcp: &Run, outcomes: &[Outcome]) {
    println!();
    println!(
        "Compared with the alternatives: feature {}, task {}, {} calls each; \
         the alternatives speak stdio only",
        kit.feature,
        kit.target_task().map_or("(none)", |task| task.id.as_str()),
        args.calls
    );
    println!(
        "{:<40} {:<10} {:<5} {:<24} {:>8} {:>8} {:>8} {:>8} {:>6} {:>7} {:>9}",
        "server",
        "version",
        "over",
        "call",
        "init ms",
        "ping p50",
        "p50 ms",
        "p99 ms",
        "x ping",
        "bytes",
        "peak RSS"
    );
    let wanted = |timing: &&Timing| COMPARED_CALLS.contains(&timing.call.as_str());
    for timing in spec_mcp.calls.iter().filter(wanted) {
        print_comparison_row(spec_mcp, timing);
    }
    let mut refused = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Measured(run) => {
                for timing in &run.calls {
                    print_comparison_row(run, timing);
                }
            }
            Outcome::NotInstalled { server, reason } => {
                refused.push(format!("{server} could not be installed: {reason}"));
            }
            Outcome::NotRun { server, reason } => {
                refused.push(format!("{server} could not be run: {reason}"));
            }
        }
    }
    for line in refused {
        println!("{line}");
    }
}

fn print_comparison_row(run: &Run, timing: &Timing) {
    let (ping, times_ping) = match &run.ping {
        Some(ping) => (
            format!("{:.3}", ping.p50_ms),
            format!("{:.1}", timing.p50_ms / ping.p50_ms),
        ),
        None => ("n/a".to_string(), "n/a".to_string()),
    };
    println!(
        "{:<40} {:<10} {:<5} {:<24} {:>8.2} {:>8} {:>8.3} {:>8.3} {:>6} {:>7} {:>9}",
        run.server,
        run.version,
        run.transport.name(),
        timing.call,
        ms(run.initialize),
        ping,
        timing.p50_ms,
        timing.p99_ms,
        times_ping,
        timing.bytes,
        mib(run.peak_rss_kib)
    );
}

mod rpc {
    //! The client side: starting a server, one JSON-RPC request at a time
    //! over a [`Channel`] (stdio here, HTTP in [`crate::http`]), and its
    //! memory from `/proc`. A watchdog ends a server that stops answering,
    //! so one broken alternative cannot stall the whole run.

    use std::ffi::OsString;
    use std::fs::File;
    use std::io::{BufRead, BufReader, BufWriter, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use anyhow::{Context, Result, anyhow, bail};
    use serde_json::{Value, json};

    use crate::Transport;
    use crate::http::HttpChannel;

    pub const PROTOCOL: &str = "2025-06-18";
    /// How long a server may take to answer `initialize` (a Node server
    /// with a cold file cache takes seconds).
    const INITIALIZE_LIMIT: Duration = Duration::from_secs(120);
    const CALL_LIMIT: Duration = Duration::from_secs(30);

    /// One way of carrying JSON-RPC messages to a server and its answers back.
    pub trait Channel {
        /// Sends a message that gets no answer.
        fn notify(&mut self, message: &[u8]) -> Result<()>;
        /// Sends request `id` and reads until its answer; the answer's text
        /// stays in [`Channel::answer`] until the next exchange.
        fn exchange(&mut self, message: &[u8], id: u64) -> Result<Exchanged>;
        fn answer(&self) -> &str;
    }

    /// An answer read: its size and when its last byte was read.
    #[derive(Debug, Clone, Copy)]
    pub struct Exchanged {
        pub bytes: usize,
        pub at: Instant,
    }

    /// Whether `message` carries `needle` (`"id":N`) with no digit after it.
    /// Only the id is looked at: the servers measured here send the client
    /// no requests of their own (it offers no roots, sampling or
    /// elicitation), so any message with our id is our answer.
    pub fn answers(message: &str, needle: &str) -> bool {
        message.match_indices(needle).any(|(at, _)| {
            !message[at + needle.len()..].starts_with(|next: char| next.is_ascii_digit())
        })
    }

    /// How to start a server.
    #[derive(Debug, Clone)]
    pub struct Launch {
        name: String,
        program: PathBuf,
        args: Vec<OsString>,
        env: Vec<(String, Option<OsString>)>,
        cwd: Option<PathBuf>,
        /// Where its stderr goes; `None` passes it through.
        log: Option<PathBuf>,
    }

    impl Launch {
        pub fn new(name: &str, program: &Path) -> Launch {
            Launch {
                name: name.to_string(),
                program: program.to_path_buf(),
                args: Vec::new(),
                env: Vec::new(),
                cwd: None,
                log: None,
            }
        }

        pub fn arg(&mut self, arg: impl Into<OsString>) -> &mut Launch {
            self.args.push(arg.into());
            self
        }

        pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(
            &mut self,
            args: I,
        ) -> &mut Launch {
            self.args.extend(args.into_iter().map(Into::into));
            self
        }

        pub fn env(&mut self, key: &str, value: impl Into<OsString>) -> &mut Launch {
            self.env.push((key.to_string(), Some(value.into())));
            self
        }

        pub fn env_remove(&mut self, key: &str) -> &mut Launch {
            self.env.push((key.to_string(), None));
            self
        }

        pub fn cwd(&mut self, cwd: &Path) -> &mut Launch {
            self.cwd = Some(cwd.to_path_buf());
            self
        }

        pub fn log(&mut self, log: &Path) -> &mut Launch {
            self.log = Some(log.to_path_buf());
            self
        }

        fn command(&self) -> Result<Command> {
            let mut command = Command::new(&self.program);
            command.args(&self.args).stdin(Stdio::piped());
            for (key, value) in &self.env {
                match value {
                    Some(value) => command.env(key, value),
                    None => command.env_remove(key),
                };
            }
            if let Some(cwd) = &self.cwd {
                command.current_dir(cwd);
            }
            if let Some(log) = &self.log {
                let file =
                    File::create(log).with_context(|| format!("creating {}", log.display()))?;
                command.stderr(file);
            }
            Ok(command)
        }
    }

    /// A running server and the client talking to it.
    pub struct Server {
        name: String,
        child: Child,
        channel: Option<Box<dyn Channel>>,
        transport: Transport,
        next_id: u64,
        watchdog: Watchdog,
        initialized: Duration,
        version: String,
    }

    impl Server {
        /// Spawns the server and completes the `initialize` handshake; the
        /// time to initialize runs from the spawn to the answer.
        pub fn start(launch: &Launch, transport: Transport) -> Result<Server> {
            let started = Instant::now();
            let mut command = launch.command()?;
            match transport {
                Transport::Stdio => command.stdout(Stdio::piped()),
                // The address is on stderr; stdout carries nothing.
                Transport::Http => command.stdout(Stdio::null()).stderr(Stdio::piped()),
            };
            let mut child = command
                .spawn()
                .with_context(|| format!("cannot start {}", launch.program.display()))?;
            let watchdog = Watchdog::start(child.id());
            watchdog.arm(INITIALIZE_LIMIT);
            let channel: Result<Box<dyn Channel>> = match transport {
                Transport::Stdio => Ok(Box::new(StdioChannel::new(&mut child))),
                Transport::Http => {
                    HttpChannel::start(&mut child, launch.log.as_deref(), INITIALIZE_LIMIT)
                        .map(|channel| Box::new(channel) as Box<dyn Channel>)
                }
            };
            let mut server = Server {
                name: launch.name.clone(),
                child,
                channel: None,
                transport,
                next_id: 0,
                watchdog,
                initialized: Duration::ZERO,
                version: String::new(),
            };
            server.channel = Some(channel?);
            let answer = server.request_within(
                "initialize",
                &json!({"protocolVersion": PROTOCOL, "capabilities": {},
                        "clientInfo": {"name": "e2e-bench", "version": "1"}}),
                INITIALIZE_LIMIT,
            )?;
            server.initialized = answer.at - started;
            server.check_answer().context("initialize")?;
            let answer: Value = serde_json::from_str(server.answer())?;
            answer["result"]["serverInfo"]["version"]
                .as_str()
                .unwrap_or("?")
                .clone_into(&mut server.version);
            let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
            server
                .channel()?
                .notify(&serde_json::to_vec(&initialized)?)?;
            Ok(server)
        }

        pub fn name(&self) -> &str {
            &self.name
        }

        /// The version the server gave in its `initialize` answer.
        pub fn version(&self) -> &str {
            &self.version
        }

        pub fn initialized(&self) -> Duration {
            self.initialized
        }

        fn channel(&mut self) -> Result<&mut Box<dyn Channel>> {
            self.channel.as_mut().context("the channel is closed")
        }

        /// One request, answered within the usual limit. A tool that ran
        /// and failed is an error here, found by a cheap look for the flag.
        pub fn request(&mut self, method: &str, params: &Value) -> Result<Exchanged> {
            let answer = self.request_within(method, params, CALL_LIMIT)?;
            if self.answer().contains("\"isError\":true") {
                bail!("{} refused {method}: {}", self.name, clip(self.answer()));
            }
            Ok(answer)
        }

        fn request_within(
            &mut self,
            method: &str,
            params: &Value,
            limit: Duration,
        ) -> Result<Exchanged> {
            self.next_id += 1;
            let id = self.next_id;
            let message = serde_json::to_vec(
                &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
            )?;
            self.watchdog.arm(limit);
            let exchanged = self.channel()?.exchange(&message, id);
            self.watchdog.disarm();
            if self.watchdog.fired() {
                bail!(
                    "{} gave no answer to {method} within {limit:?}, so it was stopped",
                    self.name
                );
            }
            exchanged.with_context(|| format!("{} did not answer {method}", self.name))
        }

        /// The last answer's text.
        pub fn answer(&self) -> &str {
            self.channel.as_ref().map_or("", |channel| channel.answer())
        }

        /// The last answer's JSON-RPC error, if it was one.
        pub fn answer_error(&self) -> Option<Value> {
            let answer: Value = serde_json::from_str(self.answer()).ok()?;
            answer.get("error").cloned()
        }

        /// Checks the last answer in full: JSON, a result, and no tool error.
        pub fn check_answer(&self) -> Result<()> {
            let answer: Value = serde_json::from_str(self.answer())
                .with_context(|| format!("the answer is not JSON: {}", clip(self.answer())))?;
            if let Some(error) = answer.get("error") {
                bail!("answered with an error: {error}");
            }
            let result = answer
                .get("result")
                .ok_or_else(|| anyhow!("the answer has no result"))?;
            if result["isError"] == json!(true) {
                bail!("the tool failed: {}", clip(&result["content"].to_string()));
            }
            Ok(())
        }

        /// Calls a tool and returns its structured content.
        pub fn structured(&mut self, tool: &str, arguments: &Value) -> Result<Value> {
            self.request("tools/call", &json!({"name": tool, "arguments": arguments}))?;
            self.check_answer()
                .with_context(|| format!("{tool} on {}", self.name))?;
            let mut answer: Value = serde_json::from_str(self.answer())?;
            match answer["result"].get_mut("structuredContent") {
                Some(content) => Ok(content.take()),
                None => bail!("{tool} gave no structured content"),
            }
        }

        /// The peak resident set size in KiB, from `/proc` (Linux only).
        pub fn peak_rss_kib(&self) -> Option<u64> {
            let status =
                std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
        }
    }

    impl Drop for Server {
        /// Ends the session as a client leaving does (stdin closed, or
        /// SIGTERM for an HTTP server), and waits for the server to exit, so
        /// a profiler wrapping it can finish.
        fn drop(&mut self) {
            self.watchdog.stop();
            drop(self.channel.take());
            if self.transport == Transport::Http
                || !wait_for_exit(&mut self.child, Duration::from_secs(5))
            {
                signal(self.child.id(), "-TERM");
            }
            if !wait_for_exit(&mut self.child, Duration::from_secs(10)) {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }

    fn wait_for_exit(child: &mut Child, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Sends a signal to one process we started, by its id (std has no
    /// SIGTERM, and the crate forbids the unsafe a libc call needs).
    fn signal(pid: u32, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, &pid.to_string()])
            .stderr(Stdio::null())
            .status();
    }

    /// The first 300 characters of `text`, for messages.
    pub fn clip(text: &str) -> String {
        let mut clipped: String = text.trim().chars().take(300).collect();
        if clipped.len() < text.trim().len() {
            clipped.push('…');
        }
        clipped
    }

    /// Newline-delimited JSON-RPC on the server's stdin and stdout.
    struct StdioChannel {
        input: BufWriter<ChildStdin>,
        output: BufReader<ChildStdout>,
        line: String,
    }

    impl StdioChannel {
        fn new(child: &mut Child) -> StdioChannel {
            StdioChannel {
                input: BufWriter::new(child.stdin.take().expect("stdin is piped")),
                // Buffered: an unbuffered line read costs a syscall per byte
                // and hides the server's cost.
                output: BufReader::with_capacity(
                    1 << 20,
                    child.stdout.take().expect("stdout is piped"),
                ),
                line: String::new(),
            }
        }
    }

    impl Channel for StdioChannel {
        fn notify(&mut self, message: &[u8]) -> Result<()> {
            self.input.write_all(message)?;
            self.input.write_all(b"\n")?;
            self.input.flush()?;
            Ok(())
        }

        fn exchange(&mut self, message: &[u8], id: u64) -> Result<Exchanged> {
            self.notify(message)?;
            let needle = format!("\"id\":{id}");
            loop {
                self.line.clear();
                // Lines that are not our answer (logs, notifications, a
                // banner printed to stdout) are skipped.
                if self.output.read_line(&mut self.line)? == 0 {
                    bail!("the server closed its output");
                }
                if answers(&self.line, &needle) {
                    return Ok(Exchanged {
                        bytes: self.line.len(),
                        at: Instant::now(),
                    });
                }
            }
        }

        fn answer(&self) -> &str {
            &self.line
        }
    }

    /// Stops a server that takes longer than allowed to answer: the read
    /// waiting on it then ends, where a timeout on a pipe cannot be set.
    struct Watchdog {
        base: Instant,
        /// Milliseconds after `base` when the server is stopped; 0 = never.
        deadline: Arc<AtomicU64>,
        stopped: Arc<AtomicBool>,
        fired: Arc<AtomicBool>,
    }

    impl Watchdog {
        fn start(pid: u32) -> Watchdog {
            let watchdog = Watchdog {
                base: Instant::now(),
                deadline: Arc::default(),
                stopped: Arc::default(),
                fired: Arc::default(),
            };
            let (base, deadline, stopped, fired) = (
                watchdog.base,
                watchdog.deadline.clone(),
                watchdog.stopped.clone(),
                watchdog.fired.clone(),
            );
            std::thread::spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    let due = deadline.load(Ordering::Relaxed);
                    if due != 0 && millis(base.elapsed()) > due && !stopped.load(Ordering::Relaxed)
                    {
                        fired.store(true, Ordering::Relaxed);
                        signal(pid, "-KILL");
                        return;
                    }
                }
            });
            watchdog
        }

        fn arm(&self, limit: Duration) {
            self.deadline
                .store(millis(self.base.elapsed() + limit), Ordering::Relaxed);
        }

        fn disarm(&self) {
            self.deadline.store(0, Ordering::Relaxed);
        }

        fn fired(&self) -> bool {
            self.fired.load(Ordering::Relaxed)
        }

        /// Stops watching before the server is reaped, so its id is never
        /// signalled once it may belong to another process.
        fn stop(&self) {
            self.disarm();
            self.stopped.store(true, Ordering::Relaxed);
        }
    }

    fn millis(duration: Duration) -> u64 {
        u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
    }
}

mod http {
    //! Streamable HTTP (protocol 2025-06-18) over one kept-alive HTTP/1.1
    //! connection, with std's `TcpStream` only: each request a POST to
    //! `/mcp` with the session's headers; each answer an event stream or
    //! JSON, sized by `Content-Length` or chunked, read up to the JSON-RPC
    //! answer with the request's id and then to its end, so the connection
    //! can carry the next request.

    use std::fs::File;
    use std::io::{self, BufRead, BufReader, Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::path::Path;
    use std::process::Child;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use anyhow::{Context, Result, bail};

    use crate::rpc::{Channel, Exchanged, PROTOCOL, answers, clip};

    /// What `spec-mcp serve --http` prints on stderr once it listens.
    const LISTENING: &str = "listening on http://";
    const READ_LIMIT: Duration = Duration::from_secs(60);

    pub struct HttpChannel {
        address: SocketAddr,
        connection: Option<Connection>,
        session: Option<String>,
        request: Vec<u8>,
        answer: String,
        line: String,
    }

    struct Connection {
        writer: TcpStream,
        reader: BufReader<TcpStream>,
    }

    impl Connection {
        fn open(address: SocketAddr) -> Result<Connection> {
            let stream =
                TcpStream::connect(address).with_context(|| format!("connecting to {address}"))?;
            // Without it a small request can wait for the previous answer's ACK.
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(READ_LIMIT))?;
            let reader = BufReader::with_capacity(1 << 16, stream.try_clone()?);
            Ok(Connection {
                writer: stream,
                reader,
            })
        }
    }

    impl HttpChannel {
        /// Waits for the server to say where it listens and connects there;
        /// its stderr then goes on to `log`, or to ours.
        pub fn start(
            child: &mut Child,
            log: Option<&Path>,
            limit: Duration,
        ) -> Result<HttpChannel> {
            let stderr = child.stderr.take().context("stderr is not piped")?;
            let mut log = match log {
                Some(path) => Some(
                    File::create(path).with_context(|| format!("creating {}", path.display()))?,
                ),
                None => None,
            };
            let (sender, receiver) = mpsc::channel();
            std::thread::spawn(move || {
                let mut sender = Some(sender);
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some(address) = line.split_once(LISTENING).map(|(_, rest)| rest) {
                        let address = address.split('/').next().unwrap_or_default().to_string();
                        if let Some(sender) = sender.take() {
                            let _ = sender.send(address);
                            continue;
                        }
                    }
                    match &mut log {
                        Some(file) => drop(writeln!(file, "{line}")),
                        None => eprintln!("{line}"),
                    }
                }
            });
            let address = receiver
                .recv_timeout(limit)
                .context("the server never said where it listens")?;
            let address: SocketAddr = address
                .parse()
                .with_context(|| format!("the server listens on {address:?}, not an address"))?;
            Ok(HttpChannel {
                address,
                connection: Some(Connection::open(address)?),
                session: None,
                request: Vec::with_capacity(1 << 12),
                answer: String::new(),
                line: String::new(),
            })
        }

        /// Sends `message` in one POST and reads the answer to its end;
        /// returns whether it held the JSON-RPC answer with `needle`, and
        /// when that was read.
        fn send(&mut self, message: &[u8], needle: Option<&str>) -> Result<(bool, Instant)> {
            self.request.clear();
            write!(
                self.request,
                "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
                 Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n",
                self.address,
                message.len()
            )?;
            if let Some(session) = &self.session {
                write!(
                    self.request,
                    "Mcp-Session-Id: {session}\r\nMCP-Protocol-Version: {PROTOCOL}\r\n"
                )?;
            }
            self.request.extend_from_slice(b"\r\n");
            self.request.extend_from_slice(message);
            if self.connection.is_none() {
                self.connection = Some(Connection::open(self.address)?);
            }
            let connection = self.connection.as_mut().expect("just opened");
            connection.writer.write_all(&self.request)?;
            let read = read_answer(
                &mut connection.reader,
                needle,
                &mut self.answer,
                &mut self.line,
            )?;
            if self.session.is_none() {
                self.session = read.head.session;
            }
            if read.head.close {
                self.connection = None;
            }
            Ok((read.found, read.at))
        }
    }

    /// One HTTP answer read to its end.
    struct Answered {
        head: Head,
        /// Whether it held the JSON-RPC answer looked for.
        found: bool,
        /// When that answer (or, when none was looked for, the head) was read.
        at: Instant,
    }

    /// Reads one HTTP answer from `reader`: its head, its body up to the
    /// JSON-RPC answer with `needle` (left in `answer`), and then the rest
    /// of the body (the stream's end), so the connection is free for the
    /// next request. A status other than 2xx is an error holding the body.
    fn read_answer(
        reader: &mut impl BufRead,
        needle: Option<&str>,
        answer: &mut String,
        line: &mut String,
    ) -> Result<Answered> {
        let head = Head::read(reader, line)?;
        let mut body = Body {
            reader,
            framing: head.framing,
        };
        answer.clear();
        if !(200..300).contains(&head.status) {
            body.read_to_string(answer)?;
            bail!("HTTP {}: {}", head.status, clip(answer));
        }
        let found = match needle {
            None => false,
            Some(needle) if head.event_stream => read_events(&mut body, needle, answer, line)?,
            Some(needle) => {
                body.read_to_string(answer)?;
                answers(answer, needle)
            }
        };
        let at = Instant::now();
        io::copy(&mut body, &mut io::sink())?;
        Ok(Answered { head, found, at })
    }

    impl Channel for HttpChannel {
        fn notify(&mut self, message: &[u8]) -> Result<()> {
            self.send(message, None).map(drop)
        }

        fn exchange(&mut self, message: &[u8], id: u64) -> Result<Exchanged> {
            let needle = format!("\"id\":{id}");
            let (found, at) = self.send(message, Some(&needle))?;
            if !found {
                bail!("the answer ended without the JSON-RPC answer to request {id}");
            }
            Ok(Exchanged {
                bytes: self.answer.len(),
                at,
            })
        }

        fn answer(&self) -> &str {
            &self.answer
        }
    }

    /// Reads server-sent events until one carries the answer with
    /// `needle`, leaving its data in `data`; false if the stream ended first.
    fn read_events(
        body: &mut impl BufRead,
        needle: &str,
        data: &mut String,
        line: &mut String,
    ) -> Result<bool> {
        data.clear();
        loop {
            line.clear();
            let read = body.read_line(line)?;
            let field = line.trim_end_matches(['\r', '\n']);
            if read == 0 || field.is_empty() {
                // A blank line ends an event; so does the end of the stream.
                if !data.is_empty() && answers(data, needle) {
                    return Ok(true);
                }
                if read == 0 {
                    return Ok(false);
                }
                data.clear();
            } else if let Some(value) = field.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(value.strip_prefix(' ').unwrap_or(value));
            }
            // `event:`, `id:`, `retry:` and `:` comments say nothing we need.
        }
    }

    /// What the status line and headers say.
    struct Head {
        status: u16,
        event_stream: bool,
        framing: Framing,
        session: Option<String>,
        /// The server closes the connection after this answer.
        close: bool,
    }

    impl Head {
        fn read(reader: &mut impl BufRead, line: &mut String) -> Result<Head> {
            line.clear();
            if reader.read_line(line)? == 0 {
                bail!("the server closed the connection");
            }
            let status: u16 = line
                .split_whitespace()
                .nth(1)
                .and_then(|code| code.parse().ok())
                .with_context(|| format!("not an HTTP status line: {line:?}"))?;
            let (mut length, mut chunked, mut event_stream, mut session, mut close) =
                (None, false, false, None, false);
            loop {
                line.clear();
                reader.read_line(line)?;
                let header = line.trim_end();
                if header.is_empty() {
                    break;
                }
                let Some((name, value)) = header.split_once(':') else {
                    continue;
                };
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = Some(value.parse::<usize>().context("a bad Content-Length")?);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.to_ascii_lowercase().contains("chunked");
                } else if name.eq_ignore_ascii_case("content-type") {
                    event_stream = value.starts_with("text/event-stream");
                } else if name.eq_ignore_ascii_case("mcp-session-id") {
                    session = Some(value.to_string());
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                }
            }
            let framing = if chunked {
                Framing::Chunked {
                    left: 0,
                    started: false,
                    done: false,
                }
            } else if let Some(length) = length {
                Framing::Length(length)
            } else if status == 204 || status == 304 || status < 200 {
                Framing::Length(0)
            } else {
                close = true;
                Framing::UntilClose
            };
            Ok(Head {
                status,
                event_stream,
                framing,
                session,
                close,
            })
        }
    }

    /// How the body's end is known.
    #[derive(Debug, Clone, Copy)]
    enum Framing {
        Length(usize),
        /// `left` bytes remain of the current chunk; `started` once the
        /// first size line is read; `done` after the last chunk.
        Chunked {
            left: usize,
            started: bool,
            done: bool,
        },
        UntilClose,
    }

    /// One answer's body, decoded from its framing, read in place from the
    /// connection's buffer and never past its end.
    struct Body<'a, R> {
        reader: &'a mut R,
        framing: Framing,
    }

    impl<R: BufRead> BufRead for Body<'_, R> {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            let limit = match &mut self.framing {
                Framing::Length(left) => *left,
                Framing::UntilClose => usize::MAX,
                Framing::Chunked {
                    left,
                    started,
                    done,
                } => {
                    if *left == 0 && !*done {
                        *left = next_chunk(self.reader, started)?;
                        *done = *left == 0;
                    }
                    *left
                }
            };
            if limit == 0 {
                return Ok(&[]);
            }
            let buffer = self.reader.fill_buf()?;
            Ok(&buffer[..buffer.len().min(limit)])
        }

        fn consume(&mut self, amount: usize) {
            match &mut self.framing {
                Framing::Length(left) | Framing::Chunked { left, .. } => *left -= amount,
                Framing::UntilClose => {}
            }
            self.reader.consume(amount);
        }
    }

    impl<R: BufRead> Read for Body<'_, R> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let available = self.fill_buf()?;
            let amount = available.len().min(out.len());
            out[..amount].copy_from_slice(&available[..amount]);
            self.consume(amount);
            Ok(amount)
        }
    }

    /// Reads the next chunk's size line (after the line end closing the
    /// chunk before); at the last chunk, the trailer too. Returns the size.
    fn next_chunk(reader: &mut impl BufRead, started: &mut bool) -> io::Result<usize> {
        let mut line = String::new();
        if *started {
            reader.read_line(&mut line)?;
            line.clear();
        }
        *started = true;
        if reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the body ended inside a chunk",
            ));
        }
        let size = line.trim_end().split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a bad chunk size line: {line:?}"),
            )
        })?;
        if size == 0 {
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                    break;
                }
            }
        }
        Ok(size)
    }
    #[cfg(test)]
    mod tests {
        //! Answers as a server may frame them, read from bytes: each must
        //! yield the JSON-RPC answer and leave the reader just past it.

        use std::io::{BufRead, Cursor};

        use super::read_answer;

        /// Reads `response` (lines joined with CRLF) looking for answer
        /// `id`; checks what was found and that nothing past it was read.
        fn check(response: &str, id: u64, expected: Option<&str>) {
            let bytes = format!("{response}NEXT");
            let mut reader = Cursor::new(bytes.into_bytes());
            let (mut answer, mut line) = (String::new(), String::new());
            let needle = format!("\"id\":{id}");
            let read = read_answer(&mut reader, Some(&needle), &mut answer, &mut line).unwrap();
            assert_eq!(read.found.then_some(answer.as_str()), expected);
            assert_eq!(reader.fill_buf().unwrap(), b"NEXT");
        }

        fn crlf(lines: &[&str]) -> String {
            lines.join("\r\n")
        }

        const ANSWER: &str = r#"{"jsonrpc":"2.0","id":12,"result":{}}"#;

        #[test]
        fn event_stream_in_chunks_split_inside_an_event() {
            let priming = "data: \nid: 0/0\nretry: 3000\n\n";
            let note = "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\n";
            let event = format!("data: {ANSWER}\nid: 1/0\n\n");
            let (first, second) = event.split_at(10);
            let chunk = |text: &str| format!("{:x};ext=1\r\n{text}\r\n", text.len());
            let response = crlf(&[
                "HTTP/1.1 200 OK",
                "Content-Type: text/event-stream",
                "Transfer-Encoding: chunked",
                "",
                &format!(
                    "{}{}{}{}0\r\nX-Trailer: 1\r\n\r\n",
                    chunk(priming),
                    chunk(note),
                    chunk(first),
                    chunk(second)
                ),
            ]);
            check(&response, 12, Some(ANSWER));
        }

        #[test]
        fn event_stream_with_a_length_and_data_over_two_lines() {
            let body =
                "event: message\ndata: {\"jsonrpc\":\"2.0\",\ndata: \"id\":12,\"result\":{}}\n\n";
            let response = crlf(&[
                "HTTP/1.1 200 OK",
                "content-type: text/event-stream",
                &format!("content-length: {}", body.len()),
                "",
                body,
            ]);
            check(
                &response,
                12,
                Some("{\"jsonrpc\":\"2.0\",\n\"id\":12,\"result\":{}}"),
            );
        }

        #[test]
        fn json_with_a_length() {
            let response = crlf(&[
                "HTTP/1.1 200 OK",
                "Content-Type: application/json",
                &format!("Content-Length: {}", ANSWER.len()),
                "",
                ANSWER,
            ]);
            check(&response, 12, Some(ANSWER));
        }

        #[test]
        fn json_in_chunks() {
            let (first, second) = ANSWER.split_at(7);
            let body = format!(
                "7\r\n{first}\r\n{:X}\r\n{second}\r\n0\r\n\r\n",
                second.len()
            );
            let response = crlf(&[
                "HTTP/1.1 200 OK",
                "Content-Type: application/json",
                "Transfer-Encoding: chunked",
                "",
                &body,
            ]);
            check(&response, 12, Some(ANSWER));
        }

        #[test]
        fn another_id_is_not_the_answer() {
            let response = crlf(&[
                "HTTP/1.1 200 OK",
                "Content-Type: application/json",
                &format!("Content-Length: {}", ANSWER.len()),
                "",
                ANSWER,
            ]);
            check(&response, 1, None);
        }

        #[test]
        fn accepted_notification_has_no_body() {
            check(
                "HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n",
                1,
                None,
            );
        }

        #[test]
        fn an_error_status_is_an_error_with_its_body() {
            let mut reader = Cursor::new(
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 17\r\n\r\nsession not found".to_vec(),
            );
            let (mut answer, mut line) = (String::new(), String::new());
            let error = read_answer(&mut reader, Some("\"id\":1"), &mut answer, &mut line)
                .err()
                .unwrap();
            assert_eq!(error.to_string(), "HTTP 404: session not found");
        }
    }
}

mod kit {
    //! What the alternatives' stores are built from: the feature's tasks,
    //! each with its description, acceptance criteria and test plan, read
    //! through spec-mcp's own answers, so every layout it reads converts.

    use std::path::PathBuf;

    use anyhow::{Context, Result};
    use serde_json::{Value, json};

    use crate::Args;
    use crate::rpc::Server;

    pub struct Kit {
        /// The kit's root, resolved; answers name files relative to it.
        pub root: PathBuf,
        pub feature: String,
        pub feature_title: String,
        /// The task the alternatives are asked about: `--task`, else the
        /// current one, else the first.
        pub target: Option<String>,
        pub tasks: Vec<Task>,
    }

    pub struct Task {
        pub id: String,
        pub title: String,
        pub status: String,
        pub depends_on: Vec<String>,
        pub description: String,
        pub criteria: Vec<String>,
        pub test_plan: Vec<String>,
        /// `path:line` relative to the root.
        pub source: String,
    }

    impl Kit {
        pub fn target_task(&self) -> Option<&Task> {
            let target = self.target.as_deref()?;
            self.tasks.iter().find(|task| task.id == target)
        }

        /// The file the target task is written in.
        pub fn tasks_file(&self) -> Option<PathBuf> {
            let source = &self.target_task()?.source;
            let path = match source.rsplit_once(':') {
                Some((path, line)) if line.bytes().all(|byte| byte.is_ascii_digit()) => path,
                _ => source.as_str(),
            };
            Some(self.root.join(path))
        }
    }

    pub fn read(server: &mut Server, args: &Args) -> Result<Kit> {
        let root = args
            .root
            .canonicalize()
            .with_context(|| format!("resolving {}", args.root.display()))?;
        let mut arguments = json!({});
        if let Some(feature) = &args.feature {
            arguments["feature"] = json!(feature);
        }
        let (mut feature, mut feature_title, mut current) = (String::new(), String::new(), None);
        let mut tasks = Vec::new();
        loop {
            let answer = server.structured("list_tasks", &arguments)?;
            text(&answer["feature"]["id"]).clone_into(&mut feature);
            text(&answer["feature"]["title"]).clone_into(&mut feature_title);
            current = answer["current"].as_str().map(str::to_string).or(current);
            for task in answer["tasks"].as_array().into_iter().flatten() {
                tasks.push(Task {
                    id: text(&task["id"]).to_string(),
                    title: text(&task["title"]).to_string(),
                    status: text(&task["status"]).to_string(),
                    depends_on: texts(&task["depends_on"], None),
                    description: String::new(),
                    criteria: Vec::new(),
                    test_plan: Vec::new(),
                    source: text(&task["source"]).to_string(),
                });
            }
            match answer["next_cursor"].as_str() {
                Some(cursor) => arguments["cursor"] = json!(cursor),
                None => break,
            }
        }
        for task in &mut tasks {
            let answer = server.structured(
                "get_acceptance_criteria",
                &json!({"feature": feature, "task": task.id}),
            )?;
            text(&answer["task"]["description"]).clone_into(&mut task.description);
            task.criteria = texts(&answer["task_criteria"], Some("text"));
            task.test_plan = texts(&answer["test_plan"], Some("text"));
        }
        let target = args
            .task
            .clone()
            .or(current)
            .or_else(|| tasks.first().map(|task| task.id.clone()));
        Ok(Kit {
            root,
            feature,
            feature_title,
            target,
            tasks,
        })
    }

    fn text(value: &Value) -> &str {
        value.as_str().unwrap_or_default()
    }

    /// The strings of an array, or of one field of each of its objects.
    fn texts(value: &Value, field: Option<&str>) -> Vec<String> {
        let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
        items
            .iter()
            .map(|item| field.map_or(item, |field| &item[field]))
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect()
    }
}

mod alternatives {
    //! The other servers a user would pick for the job, installed from the
    //! registries at pinned versions into the alternatives folder, each
    //! given a store built from the kit and measured like spec-mcp. Their
    //! stores are written afresh on every run under `stores/`; install and
    //! server logs go to `logs/`.

    use std::fs;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};

    use anyhow::{Context, Result, bail};
    use serde_json::{Value, json};

    use crate::kit::{Kit, Task};
    use crate::rpc::{Launch, Server};
    use crate::{Outcome, Run, Transport, time_beside_ping};

    /// The pinned `foundry-mcp`; the npm packages are pinned in
    /// `benches/alternatives/package.json` and its lock.
    const FOUNDRY_VERSION: &str = "0.7.1";
    /// What the npm servers need: task-master-ai says `node >= 20`.
    const NODE_MAJOR: u32 = 20;

    #[derive(Debug, Clone, Copy)]
    pub enum Alternative {
        /// `@modelcontextprotocol/server-filesystem`: `read_text_file` on
        /// the task's tasks file.
        Filesystem,
        /// `task-master-ai`: `get_task` on the task.
        TaskMaster,
        /// `foundry-mcp`: `load_spec` on the feature.
        Foundry,
    }

    impl Alternative {
        const ALL: [Alternative; 3] = [
            Alternative::Filesystem,
            Alternative::TaskMaster,
            Alternative::Foundry,
        ];

        fn package(self) -> &'static str {
            match self {
                Alternative::Filesystem => "@modelcontextprotocol/server-filesystem",
                Alternative::TaskMaster => "task-master-ai",
                Alternative::Foundry => "foundry-mcp",
            }
        }

        fn call(self) -> &'static str {
            match self {
                Alternative::Filesystem => "read_text_file",
                Alternative::TaskMaster => "get_task",
                Alternative::Foundry => "load_spec",
            }
        }

        /// The script an npm package runs as its MCP server (its `bin`).
        fn entry(self) -> Option<&'static str> {
            match self {
                Alternative::Filesystem => Some("dist/index.js"),
                Alternative::TaskMaster => Some("dist/mcp-server.js"),
                Alternative::Foundry => None,
            }
        }

        /// A name for folders and logs.
        fn slug(self) -> &'static str {
            match self {
                Alternative::Filesystem => "server-filesystem",
                Alternative::TaskMaster => "task-master",
                Alternative::Foundry => "foundry",
            }
        }
    }

    /// An installed alternative: what to run, and the version installed.
    #[derive(Debug, Clone)]
    pub struct Installed {
        program: PathBuf,
        script: Option<PathBuf>,
        version: String,
    }

    /// Installs each alternative not yet installed at its pinned version.
    pub fn install_all(dir: &Path) -> Vec<(Alternative, Result<Installed, String>)> {
        let reason = |error: anyhow::Error| format!("{error:#}");
        let npm = install_npm(dir).map_err(reason);
        let foundry = install_foundry(dir).map_err(reason);
        Alternative::ALL
            .into_iter()
            .map(|alternative| {
                let installed = match alternative {
                    Alternative::Foundry => foundry.clone(),
                    npm_package => npm
                        .clone()
                        .and_then(|modules| npm_server(&modules, npm_package).map_err(reason)),
                };
                (alternative, installed)
            })
            .collect()
    }

    /// `npm ci` of `benches/alternatives/` into `<dir>/npm`, unless the
    /// same lock is installed there already. Returns its `node_modules`.
    fn install_npm(dir: &Path) -> Result<PathBuf> {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/alternatives");
        let target = dir.join("npm");
        let lock = fs::read(source.join("package-lock.json"))
            .with_context(|| format!("reading {}", source.join("package-lock.json").display()))?;
        let stamp = target.join("installed-lock.json");
        let modules = target.join("node_modules");
        if fs::read(&stamp).is_ok_and(|installed| installed == lock) && modules.is_dir() {
            return Ok(modules);
        }
        check_node()?;
        fs::create_dir_all(dir.join("logs"))?;
        fs::create_dir_all(&target).with_context(|| format!("creating {}", target.display()))?;
        for file in ["package.json", "package-lock.json"] {
            fs::copy(source.join(file), target.join(file))
                .with_context(|| format!("copying {file} to {}", target.display()))?;
        }
        eprintln!(
            "e2e-bench: installing the npm alternatives into {} (npm ci, first use; a few minutes)",
            target.display()
        );
        // No install scripts: the servers need none, and so npm 10 and 11
        // (which asks before running them) install the same files.
        let mut npm = Command::new("npm");
        npm.args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&target);
        run_logged(npm, "npm ci", &dir.join("logs/install-npm.log"))?;
        fs::write(&stamp, &lock)?;
        Ok(modules)
    }

    fn check_node() -> Result<()> {
        let output = Command::new("node")
            .arg("--version")
            .output()
            .context("node is not on PATH")?;
        let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let major: Option<u32> = version
            .strip_prefix('v')
            .and_then(|rest| rest.split('.').next())
            .and_then(|major| major.parse().ok());
        match major {
            Some(major) if major >= NODE_MAJOR => Ok(()),
            _ => bail!(
                "node {version} is on PATH, and these servers need node {NODE_MAJOR} or newer"
            ),
        }
    }

    fn npm_server(modules: &Path, alternative: Alternative) -> Result<Installed> {
        let package = modules.join(alternative.package());
        let manifest = fs::read_to_string(package.join("package.json")).with_context(|| {
            format!("{} is not in {}", alternative.package(), modules.display())
        })?;
        let manifest: Value = serde_json::from_str(&manifest)?;
        let entry = alternative.entry().context("not an npm package")?;
        let script = package.join(entry);
        if !script.is_file() {
            bail!("{} has no {entry}", alternative.package());
        }
        Ok(Installed {
            program: PathBuf::from("node"),
            script: Some(script),
            version: manifest["version"].as_str().unwrap_or("?").to_string(),
        })
    }

    /// `cargo install foundry-mcp` at the pinned version into
    /// `<dir>/foundry-mcp`, unless that version is there already.
    fn install_foundry(dir: &Path) -> Result<Installed> {
        let root = dir.join("foundry-mcp");
        let binary = root.join("bin/foundry");
        let installed = Installed {
            program: binary.clone(),
            script: None,
            version: FOUNDRY_VERSION.to_string(),
        };
        let version = Command::new(&binary).arg("--version").output();
        if version
            .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains(FOUNDRY_VERSION))
        {
            return Ok(installed);
        }
        fs::create_dir_all(dir.join("logs"))?;
        eprintln!(
            "e2e-bench: installing foundry-mcp {FOUNDRY_VERSION} into {} (cargo install, first use; several minutes)",
            root.display()
        );
        let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cargo
            .args([
                "install",
                "foundry-mcp",
                "--version",
                FOUNDRY_VERSION,
                "--locked",
                "--root",
            ])
            .arg(&root);
        run_logged(
            cargo,
            "cargo install",
            &dir.join("logs/install-foundry-mcp.log"),
        )?;
        Ok(installed)
    }

    /// Runs an install step with its output in `log`; on failure the
    /// error holds the log's last lines.
    fn run_logged(mut command: Command, what: &str, log: &Path) -> Result<()> {
        let file = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        command
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file);
        let status = command
            .status()
            .with_context(|| format!("cannot run {what}"))?;
        if !status.success() {
            let text = fs::read_to_string(log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(5)..].join("\n");
            bail!(
                "{what} failed ({status}); the end of {}:\n{tail}",
                log.display()
            );
        }
        Ok(())
    }

    /// Builds the alternative's store, starts it over stdio, and times
    /// `ping` and its one call.
    pub fn measure(
        alternative: Alternative,
        installed: Result<Installed, String>,
        kit: &Kit,
        dir: &Path,
        calls: usize,
    ) -> Outcome {
        let server = alternative.package().to_string();
        let installed = match installed {
            Ok(installed) => installed,
            Err(reason) => return Outcome::NotInstalled { server, reason },
        };
        match measure_installed(alternative, &installed, kit, dir, calls) {
            Ok(run) => Outcome::Measured(run),
            Err(error) => Outcome::NotRun {
                server,
                reason: format!("{error:#}"),
            },
        }
    }

    fn measure_installed(
        alternative: Alternative,
        installed: &Installed,
        kit: &Kit,
        dir: &Path,
        calls: usize,
    ) -> Result<Run> {
        let task = kit
            .target_task()
            .context("the kit has no task to ask about")?;
        let store = dir.join("stores").join(alternative.slug());
        if store.exists() {
            fs::remove_dir_all(&store).with_context(|| format!("clearing {}", store.display()))?;
        }
        fs::create_dir_all(&store)?;
        fs::create_dir_all(dir.join("logs"))?;
        let log = dir.join("logs").join(format!("{}.log", alternative.slug()));
        let mut launch = Launch::new(alternative.package(), &installed.program);
        if let Some(script) = &installed.script {
            launch.arg(script);
        }
        // A home of its own, so nothing of the user's is read or written.
        launch.env("HOME", store.join("home")).log(&log);
        let arguments = match alternative {
            Alternative::Filesystem => filesystem(&mut launch, kit)?,
            Alternative::TaskMaster => task_master(&mut launch, kit, task, &store)?,
            Alternative::Foundry => foundry(&mut launch, kit, &store)?,
        };
        let mut server = Server::start(&launch, Transport::Stdio)
            .with_context(|| format!("starting it (its stderr is in {})", log.display()))?;
        let params = json!({"name": alternative.call(), "arguments": arguments});
        let (ping, calls) = time_beside_ping(
            &mut server,
            &[(alternative.call(), "tools/call", &params)],
            calls,
        )
        .with_context(|| format!("its stderr is in {}", log.display()))?;
        Ok(Run {
            server: alternative.package().to_string(),
            version: installed.version.clone(),
            transport: Transport::Stdio,
            initialize: server.initialized(),
            peak_rss_kib: server.peak_rss_kib(),
            ping,
            calls,
        })
    }

    /// The kit itself is the store: the server may read under the root.
    fn filesystem(launch: &mut Launch, kit: &Kit) -> Result<Value> {
        let tasks_file = kit.tasks_file().context("the task names no file")?;
        launch.arg(&kit.root);
        Ok(json!({"path": tasks_file}))
    }

    /// `.taskmaster/tasks/tasks.json` converted from the kit's tasks, and
    /// a config that turns off its telemetry (on by default, it would send
    /// every call to a remote service).
    fn task_master(launch: &mut Launch, kit: &Kit, task: &Task, store: &Path) -> Result<Value> {
        let taskmaster = store.join(".taskmaster");
        fs::create_dir_all(taskmaster.join("tasks"))?;
        fs::write(
            taskmaster.join("config.json"),
            serde_json::to_vec_pretty(&json!({"global": {"anonymousTelemetry": false}}))?,
        )?;
        let (tasks, ids) = task_master_tasks(kit);
        fs::write(
            taskmaster.join("tasks/tasks.json"),
            serde_json::to_vec_pretty(&tasks)?,
        )?;
        let id = ids
            .iter()
            .find(|(spec_id, _)| *spec_id == task.id)
            .map(|(_, number)| number.to_string())
            .context("the task was not converted")?;
        launch.cwd(store).env("TASK_MASTER_PROJECT_ROOT", store);
        Ok(json!({"id": id, "projectRoot": store}))
    }

    /// task-master's tasks file: one entry per task, numbered (its ids are
    /// numbers: `T3` becomes 3, or every task is numbered in order when
    /// the kit's ids do not give distinct numbers). Returns the file and
    /// the ids given.
    pub fn task_master_tasks(kit: &Kit) -> (Value, Vec<(String, u64)>) {
        let parsed: Vec<Option<u64>> = kit
            .tasks
            .iter()
            .map(|task| {
                task.id
                    .trim_start_matches(|c: char| !c.is_ascii_digit())
                    .parse()
                    .ok()
            })
            .collect();
        let mut distinct: Vec<u64> = parsed.iter().flatten().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let numbers: Vec<u64> = if distinct.len() == kit.tasks.len() {
            parsed.into_iter().flatten().collect()
        } else {
            (1..).take(kit.tasks.len()).collect()
        };
        let ids: Vec<(String, u64)> = kit
            .tasks
            .iter()
            .zip(&numbers)
            .map(|(task, number)| (task.id.clone(), *number))
            .collect();
        let number_of = |id: &str| {
            ids.iter()
                .find(|(spec_id, _)| spec_id == id)
                .map(|(_, number)| *number)
        };
        let tasks: Vec<Value> = kit
            .tasks
            .iter()
            .zip(&numbers)
            .map(|(task, number)| {
                json!({
                    "id": number,
                    "title": task.title,
                    "description": task.description,
                    "status": task_master_status(&task.status),
                    "dependencies": task.depends_on.iter().filter_map(|id| number_of(id)).collect::<Vec<_>>(),
                    "priority": "medium",
                    "details": format!("Acceptance criteria:\n{}", bullets(&task.criteria)),
                    "testStrategy": bullets(&task.test_plan),
                    "subtasks": [],
                })
            })
            .collect();
        let file = json!({"master": {
            "tasks": tasks,
            "metadata": {
                "created": "2026-01-01T00:00:00.000Z",
                "updated": "2026-01-01T00:00:00.000Z",
                "description": format!("Tasks of {} ({}), converted by e2e-bench", kit.feature_title, kit.feature),
            },
        }});
        (file, ids)
    }

    fn task_master_status(status: &str) -> &'static str {
        match status {
            "done" => "done",
            "in progress" => "in-progress",
            "blocked" => "blocked",
            "cancelled" => "cancelled",
            _ => "pending",
        }
    }

    fn bullets(items: &[String]) -> String {
        let mut text = String::new();
        for item in items {
            text.push_str("- ");
            text.push_str(item);
            text.push('\n');
        }
        text
    }

    /// A `~/.foundry` project under the store's home: the project's files
    /// from the kit's `project.md`, and one spec for the feature whose
    /// `spec.md` holds the feature's other documents and whose
    /// `task-list.md` is its tasks file.
    fn foundry(launch: &mut Launch, kit: &Kit, store: &Path) -> Result<Value> {
        let tasks_file = kit.tasks_file().context("the task names no file")?;
        let folder = tasks_file
            .parent()
            .context("the tasks file has no folder")?;
        let project_name = kebab(
            kit.root
                .file_name()
                .map_or("kit".into(), |name| name.to_string_lossy())
                .as_ref(),
        );
        let spec_name = format!("20260101_000000_{}", kebab(&kit.feature).replace('-', "_"));
        let project = store.join("home/.foundry").join(&project_name);
        let spec = project.join("specs").join(&spec_name);
        fs::create_dir_all(&spec)?;
        let project_md = fs::read_to_string(kit.root.join("project.md"))
            .unwrap_or_else(|_| format!("# {}\n", kit.feature_title));
        for file in ["vision.md", "tech-stack.md", "summary.md"] {
            fs::write(project.join(file), &project_md)?;
        }
        let mut documents: Vec<PathBuf> = fs::read_dir(folder)?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "md") && *path != tasks_file)
            .collect();
        documents.sort();
        let mut spec_md = String::new();
        for document in documents {
            spec_md.push_str(&fs::read_to_string(&document)?);
            spec_md.push('\n');
        }
        fs::write(spec.join("spec.md"), spec_md)?;
        fs::copy(&tasks_file, spec.join("task-list.md"))?;
        fs::write(spec.join("notes.md"), "")?;
        // It logs to stdout; keep that to warnings, as spec-mcp's logs are.
        launch.arg("serve").env("RUST_LOG", "warn");
        Ok(json!({"project_name": project_name, "spec_name": spec_name}))
    }

    /// Lower-case letters and digits joined by single hyphens.
    fn kebab(name: &str) -> String {
        name.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|part| !part.is_empty())
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
            .join("-")
    }
}
