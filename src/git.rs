//! Reads the current git branch from `.git/HEAD` without a git binary.
//!
//! Only `root/.git` is consulted, never a parent folder, so the server does
//! not look outside the root it was given. The one exception is a `.git`
//! file (linked worktrees, submodules): its `gitdir:` may point elsewhere,
//! and then that directory's `HEAD` is read, and nothing else there. Every
//! read is capped and anything unexpected means "no branch", never an
//! error: the branch is a hint, not something worth failing over.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

/// Largest `HEAD` or `.git` file read; real ones are well under 100 bytes.
const MAX_READ_BYTES: u64 = 4 * 1024;

/// The branch checked out in the working tree at `root`, read from its `.git`.
/// `None` when `root` has no `.git`, HEAD is detached, or anything is unreadable or malformed.
pub fn current_branch(root: &Path) -> Option<String> {
    let dot_git = root.join(".git");
    // A `.git` linked to somewhere outside the root is not followed: the
    // one read outside is the HEAD a worktree's `.git` file names.
    if fs::symlink_metadata(&dot_git)
        .ok()?
        .file_type()
        .is_symlink()
    {
        let inside = fs::canonicalize(&dot_git)
            .ok()
            .zip(fs::canonicalize(root).ok())
            .is_some_and(|(target, root)| target.starts_with(root));
        if !inside {
            return None;
        }
    }
    let meta = fs::metadata(&dot_git).ok()?;
    let head = if meta.is_dir() {
        // Inside the root's own `.git`, HEAD itself must stay inside too.
        let head = dot_git.join("HEAD");
        let root = fs::canonicalize(root).ok()?;
        if !fs::canonicalize(&head).ok()?.starts_with(root) {
            return None;
        }
        read_small(&head)?
    } else {
        let file = read_small(&dot_git)?;
        // A relative gitdir is relative to the folder holding the `.git`
        // file; `join` keeps an absolute one as it is.
        read_small(&root.join(gitdir_target(&file)?).join("HEAD"))?
    };
    branch_from_head(&head).map(str::to_owned)
}

/// Whether `branch` names the feature `folder`: the same name, or a last
/// `/` segment equal to it, so `feature/001-login` works on `001-login`.
/// Case-sensitive and exact; `001-log` does not match `001-login`.
pub fn branch_matches(branch: &str, folder: &str) -> bool {
    !folder.is_empty() && (branch == folder || branch.rsplit('/').next() == Some(folder))
}

/// A regular file's text, or `None` if it is missing, not a regular file,
/// not UTF-8, or over [`MAX_READ_BYTES`]. Checking the kind before opening
/// keeps a FIFO named `HEAD` from blocking the server.
fn read_small(path: &Path) -> Option<String> {
    if !fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    File::open(path)
        .ok()?
        .take(MAX_READ_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > MAX_READ_BYTES {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// The path in a `.git` file's `gitdir: <path>` line.
fn gitdir_target(content: &str) -> Option<&str> {
    let path = content.trim_end().strip_prefix("gitdir: ")?;
    let clean = !path.is_empty() && !path.contains(|c: char| c.is_control());
    clean.then_some(path)
}

/// The branch in a `HEAD` holding `ref: refs/heads/<name>`; `None` for a
/// detached sha, another kind of ref, or a name git would not accept.
fn branch_from_head(head: &str) -> Option<&str> {
    let name = head.trim_end().strip_prefix("ref: refs/heads/")?;
    is_branch_name(name).then_some(name)
}

/// The parts of git's ref-name rules that matter here: no whitespace,
/// control or special characters, no empty, `.`-led or `.lock` segments,
/// and no `..` or `@{`.
fn is_branch_name(name: &str) -> bool {
    let bad_char = |c: char| {
        c.is_control() || c.is_whitespace() || matches!(c, '~' | '^' | ':' | '?' | '*' | '[' | '\\')
    };
    !name.is_empty()
        && name != "@"
        && !name.contains(bad_char)
        && !name.contains("..")
        && !name.contains("@{")
        && !name.ends_with('.')
        && name.split('/').all(|seg| {
            !seg.is_empty() && !seg.starts_with('.') && seg.strip_suffix(".lock").is_none()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A working tree at `<tmp>/repo` whose `.git/HEAD` holds `head`.
    fn repo_with_head(tmp: &Path, head: &[u8]) -> PathBuf {
        let root = tmp.join("repo");
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(root.join(".git/HEAD"), head).unwrap();
        root
    }

    #[test]
    fn reads_branch_of_normal_repo() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo_with_head(tmp.path(), b"ref: refs/heads/main\n");
        assert_eq!(current_branch(&root), Some("main".to_owned()));
    }

    #[test]
    fn keeps_slashes_in_branch_name() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo_with_head(tmp.path(), b"ref: refs/heads/feature/001-login\n");
        assert_eq!(current_branch(&root), Some("feature/001-login".to_owned()));
    }

    #[test]
    fn reads_head_without_trailing_newline() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo_with_head(tmp.path(), b"ref: refs/heads/dev");
        assert_eq!(current_branch(&root), Some("dev".to_owned()));
    }

    #[test]
    fn detached_head_has_no_branch() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo_with_head(tmp.path(), b"3f786850e387550fdab836ed7e6dc881de23001b\n");
        assert_eq!(current_branch(&root), None);
    }

    #[test]
    fn crlf_head_is_trimmed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo_with_head(tmp.path(), b"ref: refs/heads/002-search\r\n");
        assert_eq!(current_branch(&root), Some("002-search".to_owned()));
    }

    #[test]
    fn worktree_with_relative_gitdir() {
        let tmp = tempfile::tempdir().unwrap();
        let admin = tmp.path().join("main/.git/worktrees/wt");
        fs::create_dir_all(&admin).unwrap();
        fs::write(admin.join("HEAD"), "ref: refs/heads/003-export\n").unwrap();
        let wt = tmp.path().join("wt");
        fs::create_dir_all(&wt).unwrap();
        fs::write(wt.join(".git"), "gitdir: ../main/.git/worktrees/wt\n").unwrap();
        assert_eq!(current_branch(&wt), Some("003-export".to_owned()));
    }

    #[test]
    fn worktree_with_absolute_gitdir_and_crlf() {
        let tmp = tempfile::tempdir().unwrap();
        let admin = tmp.path().join("elsewhere/modules/sub");
        fs::create_dir_all(&admin).unwrap();
        fs::write(admin.join("HEAD"), "ref: refs/heads/feature/x\n").unwrap();
        let wt = tmp.path().join("wt");
        fs::create_dir_all(&wt).unwrap();
        fs::write(
            wt.join(".git"),
            format!("gitdir: {}  \r\n", admin.display()),
        )
        .unwrap();
        assert_eq!(current_branch(&wt), Some("feature/x".to_owned()));
    }

    #[test]
    fn missing_dot_git_has_no_branch() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(current_branch(tmp.path()), None);
    }

    #[test]
    fn does_not_search_parent_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo_with_head(tmp.path(), b"ref: refs/heads/main\n");
        let child = root.join("specs");
        fs::create_dir_all(&child).unwrap();
        assert_eq!(current_branch(&root), Some("main".to_owned()));
        assert_eq!(current_branch(&child), None);
    }

    #[test]
    fn oversize_head_is_malformed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut head = b"ref: refs/heads/main\n".to_vec();
        head.resize(5000, b'\n');
        let root = repo_with_head(tmp.path(), &head);
        assert_eq!(current_branch(&root), None);
    }

    #[test]
    fn head_at_exactly_the_cap_is_read() {
        let tmp = tempfile::tempdir().unwrap();
        let mut head = b"ref: refs/heads/main".to_vec();
        head.resize(4096, b'\n');
        let root = repo_with_head(tmp.path(), &head);
        assert_eq!(current_branch(&root), Some("main".to_owned()));
    }

    #[test]
    fn non_utf8_head_is_malformed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo_with_head(tmp.path(), b"ref: refs/heads/ma\xffin\n");
        assert_eq!(current_branch(&root), None);
    }

    #[test]
    fn garbage_heads_have_no_branch() {
        let tmp = tempfile::tempdir().unwrap();
        let cases: [&[u8]; 9] = [
            b"",
            b"\n",
            b"ref: refs/remotes/origin/main\n",
            b"ref: refs/heads/\n",
            b"ref: refs/heads/a b\n",
            b"ref: refs/heads/a\0b\n",
            b"ref: refs/heads/a\nref: refs/heads/b\n",
            b"ref: refs/heads/a//b\n",
            b"hello world",
        ];
        for head in cases {
            let root = repo_with_head(tmp.path(), head);
            assert_eq!(current_branch(&root), None, "HEAD {head:?}");
        }
    }

    #[test]
    fn garbage_dot_git_file_has_no_branch() {
        let tmp = tempfile::tempdir().unwrap();
        for content in ["not a gitdir line\n", "gitdir: \n", "", "gitdir: nowhere\n"] {
            fs::write(tmp.path().join(".git"), content).unwrap();
            assert_eq!(current_branch(tmp.path()), None, ".git {content:?}");
        }
    }

    #[test]
    fn directory_named_head_has_no_branch() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        fs::create_dir_all(root.join(".git/HEAD")).unwrap();
        assert_eq!(current_branch(&root), None);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_dot_git_is_followed_only_inside_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let real = repo_with_head(tmp.path(), b"ref: refs/heads/main\n");
        let linked = tmp.path().join("linked");
        fs::create_dir_all(&linked).unwrap();
        std::os::unix::fs::symlink(real.join(".git"), linked.join(".git")).unwrap();
        assert_eq!(current_branch(&linked), None, "the link leaves the root");
        let inner = linked.join("inner");
        fs::create_dir_all(inner.join("real-git")).unwrap();
        fs::write(inner.join("real-git/HEAD"), "ref: refs/heads/inner\n").unwrap();
        std::os::unix::fs::symlink(inner.join("real-git"), inner.join(".git")).unwrap();
        assert_eq!(current_branch(&inner), Some("inner".to_owned()));
        let dangling = tmp.path().join("dangling");
        fs::create_dir_all(&dangling).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("gone"), dangling.join(".git")).unwrap();
        assert_eq!(current_branch(&dangling), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_head_linked_out_of_the_root_is_not_read() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside-head");
        fs::write(&outside, "ref: refs/heads/elsewhere\n").unwrap();
        let root = tmp.path().join("repo");
        fs::create_dir_all(root.join(".git")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join(".git/HEAD")).unwrap();
        assert_eq!(current_branch(&root), None);
    }

    #[cfg(unix)]
    #[test]
    fn fifo_head_does_not_block() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        fs::create_dir_all(root.join(".git")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join(".git/HEAD"))
            .status()
            .unwrap();
        assert!(made.success());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(current_branch(&root)));
        let answer = rx.recv_timeout(std::time::Duration::from_secs(5));
        assert_eq!(answer, Ok(None));
    }

    #[test]
    fn branch_matches_exact_name() {
        assert!(branch_matches("001-login", "001-login"));
    }

    #[test]
    fn branch_matches_last_segment() {
        assert!(branch_matches("feature/001-login", "001-login"));
        assert!(branch_matches("user/feature/001-login", "001-login"));
    }

    #[test]
    fn branch_does_not_match_other_names() {
        assert!(!branch_matches("main", "001-login"));
        assert!(!branch_matches("001-log", "001-login"));
        assert!(!branch_matches("001-login-v2", "001-login"));
        assert!(!branch_matches("001-login/wip", "001-login"));
        assert!(!branch_matches("feature/001-Login", "001-login"));
        assert!(!branch_matches("001", "001-login"));
        assert!(!branch_matches("feature/", ""));
        assert!(!branch_matches("", ""));
    }
}
