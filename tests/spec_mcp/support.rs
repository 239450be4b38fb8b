//! Shared helpers: fixture paths and temporary kits.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository's own folder.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests").join("fixtures").join(name)
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

/// Environment variables that would change what the binary serves: tests
/// clear them so a developer's shell cannot change their outcome.
pub const KIT_ENV: [&str; 6] = [
    "SPEC_MCP_ROOT",
    "SPEC_MCP_FEATURE",
    "SPEC_MCP_TASK",
    "SPEC_MCP_LAYOUT",
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
        use std::io::BufRead as _;
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_spec-mcp"));
        command
            .args(["serve", "--http", "127.0.0.1:0", "--root"])
            .arg(root)
            .args(extra)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        for name in KIT_ENV.iter().chain(["SPEC_MCP_TOKEN"].iter()) {
            command.env_remove(name);
        }
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
