//! End-to-end benchmark: spawns the real `spec-mcp` binary over stdio,
//! talks to it with a buffered JSON-RPC client, and reports for each tool
//! the round trip (p50, p99) beside the same client's `ping` to the same
//! server, the answer's size, the time from spawn to the `initialize`
//! answer, and the server's peak resident memory.
//!
//!     cargo build --release
//!     cargo run --release --example e2e-bench -- --root specs-example --feature image-upload
//!
//! Numbers from a shared machine are noisy: run it more than once, and
//! compare runs made on the same machine at the same time.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

/// Measure spec-mcp's tools end to end over stdio.
#[derive(Debug, Parser)]
#[command(after_help = "Example:\n  \
    cargo run --release --example e2e-bench -- --root specs-example --feature image-upload --calls 1000")]
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
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// A server process and a buffered client on its stdin and stdout.
struct Server {
    child: Child,
    input: Option<BufWriter<ChildStdin>>,
    output: BufReader<ChildStdout>,
    next_id: u64,
    line: String,
}

impl Server {
    fn spawn(binary: &PathBuf, root: &PathBuf) -> (Server, Duration) {
        let started = Instant::now();
        let mut child = Command::new(binary)
            .args(["serve", "--root"])
            .arg(root)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let input = BufWriter::new(child.stdin.take().expect("stdin"));
        let output = BufReader::with_capacity(1 << 20, child.stdout.take().expect("stdout"));
        let mut server = Server {
            child,
            input: Some(input),
            output,
            next_id: 0,
            line: String::new(),
        };
        server.request(
            "initialize",
            &json!({"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "e2e-bench", "version": "1"}}),
        );
        let initialized = started.elapsed();
        server.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        (server, initialized)
    }

    fn send(&mut self, message: &Value) {
        let input = self.input.as_mut().expect("stdin open");
        serde_json::to_writer(&mut *input, message).expect("encode");
        input.write_all(b"\n").expect("write");
        input.flush().expect("flush");
    }

    /// One request; returns the size of its answer line in bytes.
    fn request(&mut self, method: &str, params: &Value) -> usize {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            self.line.clear();
            let read = self.output.read_line(&mut self.line).expect("read");
            assert!(read > 0, "the server closed its output");
            // Only the id is looked at: the answer itself is not parsed, so
            // the client's cost stays small beside the server's.
            let id_field = format!("\"id\":{id}");
            if self.line.contains(&id_field) {
                assert!(
                    !self.line.contains("\"isError\":true"),
                    "{method} was refused: {}",
                    self.line
                );
                return self.line.len();
            }
        }
    }

    /// The peak resident set size in KiB, from `/proc` (Linux only).
    fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
    }
}

impl Drop for Server {
    /// Closes the server's input, as a client leaving does, and waits a
    /// moment for it to exit (so a profiler wrapping it can finish).
    fn drop(&mut self) {
        drop(self.input.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// p50 and p99 of `times`, in milliseconds.
fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort_unstable();
    let at = |percent: usize| times[(times.len() - 1) * percent / 100].as_secs_f64() * 1000.0;
    (at(50), at(99))
}

fn main() {
    let args = Args::parse();
    let binary = args.binary.clone().unwrap_or_else(|| {
        let mut path = std::env::current_exe().expect("this example's path");
        path.pop();
        path.pop();
        path.push("spec-mcp");
        path
    });
    let (mut server, initialized) = Server::spawn(&binary, &args.root);
    let rows = measure(&mut server, &args);
    let peak = server.peak_rss_kib();
    if args.json {
        let report = json!({
            "root": args.root, "calls": args.calls,
            "initialize_ms": initialized.as_secs_f64() * 1000.0,
            "peak_rss_kib": peak, "results": rows,
        });
        println!("{report}");
    } else {
        print_table(&args, initialized, peak, &rows);
    }
}

/// The calls measured, each with its round trips and answer size.
fn measure(server: &mut Server, args: &Args) -> Vec<Value> {
    let mut target = json!({});
    if let Some(feature) = &args.feature {
        target["feature"] = json!(feature);
    }
    let mut with_task = target.clone();
    if let Some(task) = &args.task {
        with_task["task"] = json!(task);
    }
    let tool = |name: &str, arguments: &Value| json!({"name": name, "arguments": arguments});
    let calls: Vec<(&str, &str, Value)> = vec![
        ("ping", "ping", json!({})),
        (
            "get_current_task",
            "tools/call",
            tool("get_current_task", &with_task),
        ),
        (
            "get_acceptance_criteria",
            "tools/call",
            tool("get_acceptance_criteria", &with_task),
        ),
        (
            "get_architecture_constraints",
            "tools/call",
            tool("get_architecture_constraints", &with_task),
        ),
        (
            "get_out_of_scope",
            "tools/call",
            tool("get_out_of_scope", &target),
        ),
        (
            "get_definition_of_done",
            "tools/call",
            tool("get_definition_of_done", &target),
        ),
        ("list_tasks", "tools/call", tool("list_tasks", &target)),
        (
            "list_questions",
            "tools/call",
            tool("list_questions", &target),
        ),
    ];
    let mut rows = Vec::new();
    for (name, method, params) in &calls {
        // The first call parses the feature; the rest are warm.
        let first = Instant::now();
        let bytes = server.request(method, params);
        let cold = first.elapsed();
        let mut times = Vec::with_capacity(args.calls);
        for _ in 0..args.calls {
            let started = Instant::now();
            server.request(method, params);
            times.push(started.elapsed());
        }
        let (p50, p99) = percentiles(&mut times);
        rows.push(json!({
            "call": name, "p50_ms": p50, "p99_ms": p99,
            "first_ms": cold.as_secs_f64() * 1000.0, "bytes": bytes
        }));
    }
    rows
}

fn print_table(args: &Args, initialized: Duration, peak: Option<u64>, rows: &[Value]) {
    let ping = rows[0]["p50_ms"].as_f64().unwrap_or(f64::NAN);
    println!(
        "spec-mcp over stdio on {} ({} calls each)",
        args.root.display(),
        args.calls
    );
    println!(
        "initialize answered {:.2} ms after spawn; peak RSS {}",
        initialized.as_secs_f64() * 1000.0,
        peak.map_or_else(|| "unknown".to_string(), |kib| format!("{kib} KiB"))
    );
    println!(
        "{:<30} {:>9} {:>9} {:>9} {:>7} {:>9}",
        "call", "p50 ms", "p99 ms", "first ms", "x ping", "bytes"
    );
    for row in rows {
        let p50 = row["p50_ms"].as_f64().unwrap_or(f64::NAN);
        println!(
            "{:<30} {:>9.3} {:>9.3} {:>9.3} {:>7.1} {:>9}",
            row["call"].as_str().unwrap_or_default(),
            p50,
            row["p99_ms"].as_f64().unwrap_or(f64::NAN),
            row["first_ms"].as_f64().unwrap_or(f64::NAN),
            p50 / ping,
            row["bytes"]
        );
    }
}
