//! Kits written to temporary folders, for the workspace's unit tests.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use super::Workspace;

/// A temporary folder holding `files` (a path relative to it, then the
/// text), and the workspace opened on it.
pub(super) fn kit(files: &[(&str, &str)]) -> (TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    let workspace = Workspace::open(dir.path()).unwrap();
    (dir, workspace)
}

/// Writes `files` under `root`, making the folders they need.
pub(super) fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}
