//! Watching the spec root: a `notify` watcher over the folders that hold
//! specs, whose events are gathered until the disk is quiet for a moment
//! and then handed, as one batch of paths, to whoever started it. Which
//! features a path belongs to is answered here too (`feature_owning`),
//! from the layouts' base folders.
//!
//! Symbolic links are never followed: a link inside the root to a folder
//! outside it is not watched, and no path outside the root is reported.
//! Without a watcher (it could not start, `--no-watch`, or a network file
//! system that sends no events) nothing is stale all the same: every answer
//! checks file metadata first. The watcher only makes changes known sooner,
//! and catches those a stamp cannot show.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Config, Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::Workspace;
use crate::parse::split_qualified;

/// How long the disk must be quiet before a batch is handed on: an editor's
/// save, a `git checkout` or a writer's rename is a burst of events.
pub const QUIET: Duration = Duration::from_millis(100);

/// The longest a batch waits under a steady stream of events.
pub const LONGEST: Duration = Duration::from_secs(1);

/// The root's folders that hold specs, watched with all they contain. The
/// rest of a project root (sources, `target/`, `node_modules/`) is not.
const SPEC_FOLDERS: [&str; 4] = ["specs", ".specify", ".kiro", "openspec"];

/// A running watcher; dropping it stops it.
#[derive(Debug)]
pub struct Watcher {
    _inner: Arc<Mutex<RecommendedWatcher>>,
}

/// Why the root cannot be watched.
#[derive(Debug, thiserror::Error)]
#[error("cannot watch the spec root: {source}")]
pub struct WatchError {
    #[source]
    source: notify::Error,
}

impl Workspace {
    /// Starts watching the root. `on_change` is called on the watcher's own
    /// thread with each batch of changed paths (absolute, inside the root,
    /// sorted, each once), after [`QUIET`].
    pub fn watch(
        &self,
        on_change: impl FnMut(Vec<PathBuf>) + Send + 'static,
    ) -> Result<Watcher, WatchError> {
        let (events, received) = mpsc::channel();
        let config = Config::default().with_follow_symlinks(false);
        let mut inner =
            RecommendedWatcher::new(events, config).map_err(|source| WatchError { source })?;
        let mut watched = BTreeSet::new();
        for (path, mode) in self.watch_targets() {
            match inner.watch(&path, mode) {
                Ok(()) => {
                    watched.insert(path);
                }
                // The root itself must be watched; a spec folder that cannot
                // be is left to the metadata checks.
                Err(source) if path == self.root => return Err(WatchError { source }),
                Err(error) => {
                    tracing::warn!(path = %self.relative(&path), %error, "not watching a spec folder; its changes show on the next call");
                }
            }
        }
        let inner = Arc::new(Mutex::new(inner));
        let batches = Batches {
            root: self.root.clone(),
            // Every folder below is watched already when the root is.
            nested: self.specs_dir != self.root,
            watched,
            watcher: Arc::downgrade(&inner),
        };
        std::thread::Builder::new()
            .name("spec-watch".to_string())
            .spawn(move || batches.run(&received, on_change))
            .map_err(|error| WatchError {
                source: notify::Error::io(error),
            })?;
        tracing::info!(root = %self.root.display(), "watching the spec root for changes");
        Ok(Watcher { _inner: inner })
    }

    /// What to watch: the root alone when it is the specs folder itself;
    /// otherwise the root's own entries and, with all they hold, those of
    /// its folders that hold specs and resolve inside it.
    fn watch_targets(&self) -> Vec<(PathBuf, RecursiveMode)> {
        if self.specs_dir == self.root {
            return vec![(self.root.clone(), RecursiveMode::Recursive)];
        }
        let mut targets = vec![(self.root.clone(), RecursiveMode::NonRecursive)];
        for name in SPEC_FOLDERS {
            let path = self.root.join(name);
            if path.is_dir() && self.inside(&path).is_ok() {
                targets.push((path, RecursiveMode::Recursive));
            }
        }
        targets
    }

    /// The feature among `ids` whose folder holds `path` (absolute), found
    /// from the layouts' base folders without touching the disk, so a
    /// folder just deleted is still placed.
    pub fn feature_owning(&self, path: &Path, ids: &[String]) -> Option<String> {
        for convention in self.conventions() {
            let Ok(rest) = path.strip_prefix(self.base_dir(convention)) else {
                continue;
            };
            let Some(Component::Normal(name)) = rest.components().next() else {
                continue;
            };
            let Some(name) = name.to_str() else {
                continue;
            };
            if convention.skip.contains(&name) {
                continue;
            }
            let qualified = format!("{name}@{}", convention.qualifier);
            if let Some(id) = ids.iter().find(|id| {
                **id == qualified || (id.as_str() == name && split_qualified(id).1.is_none())
            }) {
                return Some(id.clone());
            }
        }
        None
    }
}

/// The watcher thread's state.
struct Batches {
    root: PathBuf,
    /// Only some of the root's folders are watched: a spec folder created
    /// later must be added.
    nested: bool,
    watched: BTreeSet<PathBuf>,
    /// Weak, so dropping the [`Watcher`] drops the notify watcher, which
    /// closes the channel and ends the thread.
    watcher: Weak<Mutex<RecommendedWatcher>>,
}

impl Batches {
    fn run(
        mut self,
        received: &Receiver<notify::Result<Event>>,
        mut on_change: impl FnMut(Vec<PathBuf>),
    ) {
        while let Ok(first) = received.recv() {
            let started = Instant::now();
            let mut paths = BTreeSet::new();
            self.take(first, &mut paths);
            loop {
                let left = LONGEST.saturating_sub(started.elapsed());
                match received.recv_timeout(QUIET.min(left)) {
                    Ok(event) => self.take(event, &mut paths),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                if left.is_zero() {
                    break;
                }
            }
            self.watch_new_folders(&paths);
            if !paths.is_empty() {
                tracing::debug!(paths = paths.len(), "spec files changed");
                on_change(paths.into_iter().collect());
            }
        }
    }

    /// Adds the paths of one event that may change an answer.
    fn take(&self, event: notify::Result<Event>, paths: &mut BTreeSet<PathBuf>) {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(%error, "file watcher error; changes show on the next call");
                return;
            }
        };
        if event.need_rescan() {
            tracing::warn!("the file watcher missed events; changes show on the next call");
        }
        // Opening or reading a file changes nothing, and every answer opens
        // files: only a write that closes counts among accesses.
        if let EventKind::Access(kind) = event.kind
            && kind != AccessKind::Close(AccessMode::Write)
        {
            return;
        }
        paths.extend(event.paths.into_iter().filter(|path| self.matters(path)));
    }

    /// Whether a change at `path` may change an answer: inside the root,
    /// not in `.git`, and not a hidden file (an editor's swap file, the
    /// writer's temporary file).
    fn matters(&self, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(&self.root) else {
            return false;
        };
        let mut components = relative.components().peekable();
        while let Some(component) = components.next() {
            let Component::Normal(name) = component else {
                return false;
            };
            let name = name.to_string_lossy();
            if name == ".git" {
                return false;
            }
            let last = components.peek().is_none();
            if last && name.starts_with('.') && !SPEC_FOLDERS.contains(&name.as_ref()) {
                return false;
            }
        }
        // Links are not followed, so no event should come from a folder
        // outside the root; one reached through a link is dropped all the
        // same. (A folder just deleted no longer resolves, and is kept.)
        path.parent()
            .and_then(|parent| std::fs::canonicalize(parent).ok())
            .is_none_or(|real| real.starts_with(&self.root))
    }

    /// Watches a spec folder created in the root since the watcher started.
    fn watch_new_folders(&mut self, paths: &BTreeSet<PathBuf>) {
        if !self.nested {
            return;
        }
        let Some(watcher) = self.watcher.upgrade() else {
            return;
        };
        for name in SPEC_FOLDERS {
            let path = self.root.join(name);
            if !paths.contains(&path) || self.watched.contains(&path) {
                continue;
            }
            // Resolved first: a link out of the root is not watched.
            let inside =
                std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(&self.root));
            if !path.is_dir() || !inside {
                continue;
            }
            let mut watcher = watcher.lock().unwrap_or_else(PoisonError::into_inner);
            match watcher.watch(&path, RecursiveMode::Recursive) {
                Ok(()) => {
                    self.watched.insert(path);
                }
                Err(error) => {
                    tracing::warn!(folder = name, %error, "not watching a new spec folder");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;
    use std::sync::mpsc;
    use std::time::Duration;

    use crate::workspace::fixture::{kit, write};

    /// Waits (ten seconds at most) for a batch holding `wanted`; returns
    /// every path reported up to and with it.
    fn reported_until(batches: &mpsc::Receiver<Vec<PathBuf>>, wanted: &PathBuf) -> Vec<PathBuf> {
        let mut seen = Vec::new();
        loop {
            let batch = batches
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("{} not reported; saw {seen:?}", wanted.display()));
            let done = batch.contains(wanted);
            seen.extend(batch);
            if done {
                return seen;
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_root_is_not_watched() {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), &[("notes/secret.md", "# Secret\n")]);
        let (_dir, workspace) = kit(&[("specs/a/prd.md", "# A\n"), ("src/lib.rs", "\n")]);
        let root = workspace.root().to_path_buf();
        std::os::unix::fs::symlink(outside.path().join("notes"), root.join("specs/a/notes"))
            .unwrap();
        let (sender, batches) = mpsc::channel();
        let _watcher = workspace
            .watch(move |paths| {
                let _ = sender.send(paths);
            })
            .unwrap();
        fs::write(outside.path().join("notes/secret.md"), "# Changed\n").unwrap();
        fs::write(root.join("src/lib.rs"), "// not a spec folder\n").unwrap();
        fs::write(root.join("specs/a/.prd.md.swp"), "swap").unwrap();
        let prd = root.join("specs/a/prd.md");
        fs::write(&prd, "# A, edited\n").unwrap();
        let seen = reported_until(&batches, &prd);
        assert!(
            seen.iter()
                .all(|path| path.starts_with(root.join("specs/a"))
                    && !path.starts_with(root.join("specs/a/notes"))
                    && !path.ends_with(".prd.md.swp")),
            "{seen:?}"
        );
    }

    #[test]
    fn a_spec_folder_made_after_the_start_is_watched() {
        let (_dir, workspace) = kit(&[
            ("README.md", "# Project\n"),
            (".kiro/steering/tech.md", "# Tech\n"),
        ]);
        let root = workspace.root().to_path_buf();
        let (sender, batches) = mpsc::channel();
        let _watcher = workspace
            .watch(move |paths| {
                let _ = sender.send(paths);
            })
            .unwrap();
        fs::create_dir(root.join("specs")).unwrap();
        reported_until(&batches, &root.join("specs"));
        let prd = root.join("specs/a/prd.md");
        write(&root, &[("specs/a/prd.md", "# A\n")]);
        // Either the folder or the file, whichever came after the watch.
        let seen = reported_until(&batches, &root.join("specs/a"));
        if !seen.contains(&prd) {
            fs::write(&prd, "# A, edited\n").unwrap();
            reported_until(&batches, &prd);
        }
    }

    #[test]
    fn a_path_belongs_to_the_feature_whose_folder_holds_it() {
        let (_dir, workspace) = kit(&[
            ("specs/a/prd.md", "# A\n"),
            ("specs/pay/prd.md", "# Pay\n"),
            (".kiro/specs/pay/requirements.md", "# Pay\n"),
            ("openspec/changes/add-notes/proposal.md", "# Notes\n"),
        ]);
        let ids = workspace.feature_ids();
        assert_eq!(*ids, ["a", "pay@native", "pay@kiro", "add-notes"]);
        let root = workspace.root();
        let owner = |path: &str| workspace.feature_owning(&root.join(path), &ids);
        assert_eq!(owner("specs/a/prd.md").as_deref(), Some("a"));
        assert_eq!(owner("specs/a/contracts/x.md").as_deref(), Some("a"));
        assert_eq!(owner("specs/pay/tasks.md").as_deref(), Some("pay@native"));
        assert_eq!(
            owner(".kiro/specs/pay/design.md").as_deref(),
            Some("pay@kiro")
        );
        assert_eq!(
            owner("openspec/changes/add-notes/specs/orders/spec.md").as_deref(),
            Some("add-notes")
        );
        assert_eq!(owner("specs/gone/prd.md"), None);
        assert_eq!(owner("src/main.rs"), None);
    }
}
