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
#[derive(Debug, Clone)]
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
        self.paths_noting(dir, pattern, &mut Vec::new())
    }

    /// As [`Workspace::paths`], noting in `listed` every folder whose
    /// entries were read: a change to what it holds changes the result.
    pub(super) fn paths_noting(
        &self,
        dir: &Path,
        pattern: &str,
        listed: &mut Vec<PathBuf>,
    ) -> Vec<PathBuf> {
        let mut paths = vec![dir.to_path_buf()];
        let segments: Vec<&str> = pattern.split('/').collect();
        for (position, segment) in segments.iter().enumerate() {
            let last = position + 1 == segments.len();
            if let Some(suffix) = segment.strip_prefix('*') {
                let mut next = Vec::new();
                for path in &paths {
                    listed.push(path.clone());
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

#[cfg(test)]
mod tests {
    use std::fs;

    use super::FileState;
    use crate::workspace::fixture::kit;

    /// The paths `pattern` names under `specs/f` of a kit holding `files`,
    /// relative to the root.
    fn check_paths(files: &[&str], pattern: &str, expected: &[&str]) {
        let files: Vec<(&str, &str)> = files.iter().map(|path| (*path, "text")).collect();
        let (_dir, workspace) = kit(&files);
        let dir = workspace.root().join("specs/f");
        let found: Vec<String> = workspace
            .paths(&dir, pattern)
            .iter()
            .map(|path| workspace.relative(path))
            .collect();
        assert_eq!(found, expected, "pattern {pattern}");
    }

    #[test]
    fn a_pattern_without_a_star_names_its_one_path_present_or_not() {
        check_paths(&["specs/f/prd.md"], "prd.md", &["specs/f/prd.md"]);
        check_paths(&["specs/f/prd.md"], "tasks.md", &["specs/f/tasks.md"]);
    }

    #[test]
    fn a_star_matches_the_entries_not_starting_with_a_dot_sorted() {
        check_paths(
            &[
                "specs/f/contracts/b.md",
                "specs/f/contracts/a.md",
                "specs/f/contracts/.draft.md",
                "specs/f/contracts/notes.txt",
            ],
            "contracts/*.md",
            &["specs/f/contracts/a.md", "specs/f/contracts/b.md"],
        );
        check_paths(&["specs/f/prd.md"], "contracts/*.md", &[]);
    }

    #[test]
    fn a_star_before_the_last_segment_matches_folders_holding_the_rest() {
        check_paths(
            &[
                "specs/f/specs/users/spec.md",
                "specs/f/specs/orders/spec.md",
                "specs/f/specs/empty/notes.md",
                "specs/f/specs/readme.md",
            ],
            "specs/*/spec.md",
            &[
                "specs/f/specs/orders/spec.md",
                "specs/f/specs/users/spec.md",
            ],
        );
    }

    #[test]
    fn existing_paths_leaves_out_what_is_missing() {
        let (_dir, workspace) = kit(&[("specs/f/prd.md", "# F\n")]);
        let dir = workspace.root().join("specs/f");
        assert_eq!(workspace.existing_paths(&dir, "prd.md").len(), 1);
        assert!(workspace.existing_paths(&dir, "tasks.md").is_empty());
    }

    #[test]
    fn relative_paths_use_slashes_from_the_root() {
        let (_dir, workspace) = kit(&[]);
        let path = workspace.root().join("specs").join("f").join("prd.md");
        assert_eq!(workspace.relative(&path), "specs/f/prd.md");
        assert_eq!(workspace.relative(workspace.root()), "");
    }

    #[test]
    fn a_file_state_says_missing_inside_or_outside() {
        let (_dir, workspace) = kit(&[("specs/f/prd.md", "# F\n")]);
        let root = workspace.root().to_path_buf();
        assert!(matches!(
            workspace.file_state(&root.join("specs/f/tasks.md")),
            FileState::Missing
        ));
        // A folder is not a document.
        assert!(matches!(
            workspace.file_state(&root.join("specs/f")),
            FileState::Missing
        ));
        match workspace.file_state(&root.join("specs/f/prd.md")) {
            FileState::Inside(path) => assert_eq!(path, root.join("specs/f/prd.md")),
            other => panic!("expected inside, got {other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_inside_the_root_resolves_to_its_target() {
        let (_dir, workspace) = kit(&[("shared/prd.md", "# Shared\n"), ("specs/f/tasks.md", "")]);
        let root = workspace.root().to_path_buf();
        std::os::unix::fs::symlink(root.join("shared/prd.md"), root.join("specs/f/prd.md"))
            .unwrap();
        match workspace.file_state(&root.join("specs/f/prd.md")) {
            FileState::Inside(path) => assert_eq!(path, root.join("shared/prd.md")),
            other => panic!("expected inside, got {other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_root_is_outside_and_named_from_the_root() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.md"), "# Secret\n").unwrap();
        let (_dir, workspace) = kit(&[("specs/f/tasks.md", "")]);
        let link = workspace.root().join("specs/f/prd.md");
        std::os::unix::fs::symlink(outside.path().join("secret.md"), &link).unwrap();
        match workspace.file_state(&link) {
            FileState::Outside(relative) => assert_eq!(relative, "specs/f/prd.md"),
            other => panic!("expected outside, got {other:?}"),
        }
        let error = workspace.inside(&link).unwrap_err().to_string();
        assert_eq!(
            error,
            "specs/f/prd.md resolves outside the spec root; refusing to use it"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_linked_out_of_the_root_is_not_listed() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("a.md"), "# A\n").unwrap();
        let (_dir, workspace) = kit(&[("specs/f/spec.md", "# F\n")]);
        let root = workspace.root().to_path_buf();
        std::os::unix::fs::symlink(outside.path(), root.join("specs/f/contracts")).unwrap();
        assert!(
            workspace
                .paths(&root.join("specs/f"), "contracts/*.md")
                .is_empty()
        );
    }
}
