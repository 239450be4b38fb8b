//! Root and path safety: turning a convention's patterns into paths under a
//! folder, and resolving every path before it is read or listed.
//!
//! A path that resolves outside the root (through a symlink, usually) is
//! never read and no folder outside it is listed; it is reported by its
//! path relative to the root, so no message names what lies outside.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Workspace, WorkspaceError};

/// Where one of a feature's documents is.
#[derive(Debug)]
pub(super) enum FileState {
    Missing,
    /// Present, resolved inside the root.
    Inside(PathBuf),
    /// Present but resolving outside the root; holds the path relative to
    /// the root, safe to show.
    Outside(String),
}

impl Workspace {
    /// The path of `path` relative to the root, with `/` separators.
    pub fn relative(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        relative
            .components()
            .map(|component| component.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    pub(super) fn file_state(&self, path: &Path) -> FileState {
        if fs::symlink_metadata(path).is_err() {
            return FileState::Missing;
        }
        match self.inside(path) {
            Ok(resolved) if resolved.is_file() => FileState::Inside(resolved),
            Ok(_) => FileState::Missing,
            Err(_) => FileState::Outside(self.relative(path)),
        }
    }

    /// Resolves `path` and checks it lies inside the root.
    pub(super) fn inside(&self, path: &Path) -> Result<PathBuf, WorkspaceError> {
        let resolved = fs::canonicalize(path).map_err(|source| WorkspaceError::Io {
            path: PathBuf::from(self.relative(path)),
            source,
        })?;
        if resolved.starts_with(&self.root) {
            Ok(resolved)
        } else {
            Err(WorkspaceError::OutsideRoot {
                path: self.relative(path),
            })
        }
    }

    /// The paths of `pattern` under `dir` that exist.
    pub(super) fn existing_paths(&self, dir: &Path, pattern: &str) -> Vec<PathBuf> {
        let mut paths = self.paths(dir, pattern);
        paths.retain(|path| fs::symlink_metadata(path).is_ok());
        paths
    }

    /// The paths a pattern names under `dir`. A `*` segment (or `*.md` as the
    /// last one) matches every entry not starting with a dot, sorted; a
    /// pattern without `*` names its one path, present or not. Folders
    /// resolving outside the root are not listed.
    pub(super) fn paths(&self, dir: &Path, pattern: &str) -> Vec<PathBuf> {
        let mut paths = vec![dir.to_path_buf()];
        let segments: Vec<&str> = pattern.split('/').collect();
        for (position, segment) in segments.iter().enumerate() {
            let last = position + 1 == segments.len();
            if let Some(suffix) = segment.strip_prefix('*') {
                let mut next = Vec::new();
                for path in &paths {
                    // Never list a folder that resolves outside the root.
                    if self.inside(path).is_err() {
                        continue;
                    }
                    let Ok(entries) = fs::read_dir(path) else {
                        continue;
                    };
                    let mut names: Vec<String> = entries
                        .filter_map(Result::ok)
                        .filter_map(|entry| entry.file_name().into_string().ok())
                        .filter(|name| !name.starts_with('.') && name.ends_with(suffix))
                        .collect();
                    names.sort();
                    next.extend(names.into_iter().map(|name| path.join(name)));
                }
                paths = next;
                if !last {
                    paths.retain(|path| path.is_dir());
                }
            } else {
                for path in &mut paths {
                    path.push(segment);
                }
            }
        }
        if pattern.contains('*') {
            paths.retain(|path| fs::symlink_metadata(path).is_ok());
        }
        paths
    }
}
