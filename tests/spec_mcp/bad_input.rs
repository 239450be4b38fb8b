//! The technical spec's bad-input catalogue, item by item, against the
//! real binary on real files. Each bad input must get a clear error (an
//! `isError` result saying what was wrong and what to do, a JSON-RPC
//! error, an HTTP status, or exit status 2 naming the path), the server
//! must go on answering, and no byte of the kit may be lost.
//!
//! This file is the index of the whole catalogue: an item tested in
//! another file names the test that covers it. Tests marked `ignore`
//! state the behaviour the spec asks for and the server does not have yet;
//! their reason says what is missing.
//!
//! | item | test |
//! |---|---|
//! | HTTP with a foreign Origin or Host | `http::a_foreign_host_or_origin_is_refused_and_logged` |
//! | HTTP with no or a wrong token | `http::with_a_token_every_route_but_the_health_check_needs_it` |
//! | HTTP body over the limit | `http::a_body_over_the_limit_is_refused_and_the_server_goes_on` |
//! | HTTP: a dropped SSE connection | `http::clients_that_stall_or_leave_hold_up_no_one_else` |
//! | a spec root that does not exist, or is a file | `a_missing_root_or_a_file_as_root_exits_2_naming_it`; the message's wording: `cli::serve_with_a_missing_root_fails_before_stdout`, `cli::serve_with_a_file_as_root_fails_before_stdout` |
#![cfg(unix)]

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Upper bound for one test's server: a hang kills it, so the test fails
/// on "the server is gone" instead of blocking CI.
const DEADLINE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// Kills a process still running at [`DEADLINE`]: a test blocked reading
/// from a server that will never answer then reads end-of-file and fails.
struct Watchdog(Arc<AtomicBool>);

impl Watchdog {
    fn new(pid: u32) -> Watchdog {
        let done = Arc::new(AtomicBool::new(false));
        let finished = done.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            while !finished.load(Ordering::SeqCst) {
                if started.elapsed() > DEADLINE {
                    let _ = std::process::Command::new("kill")
                        .args(["-KILL", &pid.to_string()])
                        .status();
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Watchdog(done)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------------------
// The spec root
// ---------------------------------------------------------------------------

#[test]
fn a_missing_root_or_a_file_as_root_exits_2_naming_it() {
    let temp = tempfile::tempdir().expect("temp dir");
    let missing = temp.path().join("no-such-folder");
    let file = temp.path().join("prd.md");
    fs::write(&file, "# PRD\n").expect("write a file");
    for root in [&missing, &file] {
        for mode in [&["serve"][..], &["serve", "--http", "127.0.0.1:0"], &[]] {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_spec-mcp"));
            command
                .args(mode)
                .arg("--root")
                .arg(root)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            for name in crate::support::KIT_ENV {
                command.env_remove(name);
            }
            let child = command.spawn().expect("run spec-mcp");
            let _watchdog = Watchdog::new(child.id());
            let output = child.wait_with_output().expect("its output");
            let what = format!("{mode:?} --root {}", root.display());
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
            assert!(output.stdout.is_empty(), "{what}: nothing on stdout");
            assert!(
                stderr.contains(&root.display().to_string()) && stderr.contains("--root"),
                "{what}: names the path and the option: {stderr}"
            );
        }
    }
}
