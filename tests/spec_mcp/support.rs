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
