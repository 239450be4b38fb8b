//! What changed in the kit, told to every session at once: one broadcast
//! channel held by the [`Kit`], so sessions over HTTP (each its own
//! handler) and the one stdio session hear the same changes. A session
//! subscribes by taking a receiver and is gone from the channel when it
//! drops it.
//!
//! [`files_changed`] turns a batch of changed paths (from the file
//! watcher, or from our own writer when no watcher runs) into one
//! [`Change`]: it drops what the workspace cache kept of those files, so
//! the next answer reads them again, and says which resources may read
//! differently now and whether the resource list changed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;

use crate::service::Kit;
use crate::service::resource::{self, ResourceUri};

/// How many changes a slow session may fall behind before it misses some;
/// one that does is told everything may have changed.
const BACKLOG: usize = 256;

/// One batch of changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Features a changed file belongs to: their tasks and questions may
    /// read differently.
    pub features: BTreeSet<String>,
    /// URIs of the documents that changed, appeared or went.
    pub documents: BTreeSet<String>,
    /// Features that are gone.
    pub vanished: BTreeSet<String>,
    /// A feature or a document appeared or went.
    pub listing: bool,
}

impl Change {
    /// Whether the resource at `uri` may read differently after this change.
    pub fn touches(&self, uri: &str) -> bool {
        let Ok(parsed) = ResourceUri::parse(uri) else {
            return false;
        };
        let feature = parsed.feature();
        if self.vanished.contains(feature) {
            return true;
        }
        match parsed {
            ResourceUri::Document { .. } => self.documents.contains(&parsed.to_string()),
            ResourceUri::Task { .. } | ResourceUri::Questions { .. } => {
                self.features.contains(feature)
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.features.is_empty() && self.vanished.is_empty() && !self.listing
    }
}

/// What a receiver gets: a change, or word that it fell behind.
#[derive(Debug, Clone)]
pub enum Heard {
    Change(Arc<Change>),
    /// Changes were missed: anything may have changed.
    Missed,
}

/// The channel every session listens on.
#[derive(Debug)]
pub struct Changes {
    sender: broadcast::Sender<Arc<Change>>,
    /// The feature ids as last seen, to tell when one appears or goes.
    known: Mutex<Option<Arc<Vec<String>>>>,
    /// Whether a file watcher reports changes, our own writes included.
    watching: AtomicBool,
}

impl Default for Changes {
    fn default() -> Changes {
        Changes {
            sender: broadcast::channel(BACKLOG).0,
            known: Mutex::default(),
            watching: AtomicBool::new(false),
        }
    }
}

impl Changes {
    /// A receiver of every change from now on.
    pub fn listen(&self) -> Listener {
        Listener {
            receiver: self.sender.subscribe(),
        }
    }

    /// How many sessions listen now.
    pub fn listeners(&self) -> usize {
        self.sender.receiver_count()
    }

    /// Notes that a watcher now reports changes, and the feature ids it
    /// starts from.
    pub fn watching(&self, ids: Arc<Vec<String>>) {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(ids);
        self.watching.store(true, Ordering::Release);
    }

    pub fn is_watching(&self) -> bool {
        self.watching.load(Ordering::Acquire)
    }

    fn send(&self, change: Change) {
        if change.is_empty() {
            return;
        }
        tracing::debug!(
            features = change.features.len(),
            documents = change.documents.len(),
            listing = change.listing,
            "kit changed"
        );
        // No receiver is no error: nobody listens yet.
        let _ = self.sender.send(Arc::new(change));
    }
}

/// One session's receiver.
#[derive(Debug)]
pub struct Listener {
    receiver: broadcast::Receiver<Arc<Change>>,
}

impl Listener {
    /// The next change; `None` once the kit is gone.
    pub async fn next(&mut self) -> Option<Heard> {
        match self.receiver.recv().await {
            Ok(change) => Some(Heard::Change(change)),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Heard::Missed),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// Forgets what was read from `paths` and tells every listener what that
/// changes. Blocking: it looks at the folders of the features touched;
/// no file is read or parsed here (the next call parses what it needs, as
/// it would with no watcher).
pub fn files_changed(kit: &Kit, paths: &[PathBuf]) {
    let workspace = &kit.workspace;
    let before = kit
        .changes
        .known
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .unwrap_or_else(|| workspace.feature_ids());
    // What each path was to which feature, asked before forgetting it.
    let mut touched: Vec<(PathBuf, BTreeSet<String>, Option<String>)> = Vec::new();
    let mut read_before = BTreeSet::new();
    for path in paths {
        let read_into: BTreeSet<String> = workspace.features_touching(path).into_iter().collect();
        let owner = workspace.feature_owning(path, &before);
        read_before.extend(
            owner
                .iter()
                .filter(|id| workspace.feature_was_read(id))
                .cloned(),
        );
        read_before.extend(read_into.iter().cloned());
        touched.push((path.clone(), read_into, owner));
    }
    for path in paths {
        workspace.invalidate(path);
    }
    let after = workspace.feature_ids();
    let mut change = Change {
        listing: *before != *after,
        vanished: before
            .iter()
            .filter(|id| !after.contains(id))
            .cloned()
            .collect(),
        ..Change::default()
    };
    for (path, read_into, owner) in touched {
        let relative = workspace.relative(&path);
        for id in read_into
            .iter()
            .chain(owner.iter())
            .collect::<BTreeSet<_>>()
        {
            let before = if read_before.contains(id) {
                Before::Read {
                    document: read_into.contains(id),
                }
            } else {
                Before::Unread
            };
            record(kit, &mut change, id, &relative, before);
        }
    }
    *kit.changes
        .known
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(after);
    kit.changes.send(change);
}

/// What was known of a feature before a change.
#[derive(Debug, Clone, Copy)]
enum Before {
    /// It was read, and the changed file was one of its documents or not.
    Read { document: bool },
    /// Never read: no listing has shown its documents, so none that
    /// appears or goes changes a list a client saw.
    Unread,
}

/// Adds to `change` what a change at `relative` does to feature `id`: a
/// document of it changed, appeared or went; anything else in its folder
/// (a temporary file, notes) changes nothing.
fn record(kit: &Kit, change: &mut Change, id: &str, relative: &str, before: Before) {
    let paths = kit.workspace.feature_paths(id).ok();
    let is_document = paths
        .as_ref()
        .is_some_and(|(_, documents)| documents.iter().any(|path| path == relative));
    let was_document = match before {
        Before::Read { document } => document,
        Before::Unread => false,
    };
    if !is_document && !was_document {
        return;
    }
    change.features.insert(id.to_string());
    if matches!(before, Before::Read { .. }) && is_document != was_document {
        change.listing = true;
    }
    // A feature that is gone tells its subscribers through `vanished`.
    let Some((dir, _)) = paths else {
        return;
    };
    change.documents.insert(
        ResourceUri::Document {
            feature: id.to_string(),
            document: resource::document_name_in(&dir, relative),
        }
        .to_string(),
    );
}

/// After our own writer changed `path`: tells the listeners, unless a
/// watcher will.
pub fn written(kit: &Kit, path: &Path) {
    if !kit.changes.is_watching() {
        files_changed(kit, &[path.to_path_buf()]);
    }
}

#[cfg(test)]
mod tests {
    use super::Change;

    #[test]
    fn a_change_touches_its_documents_and_the_tasks_and_questions_of_its_features() {
        let change = Change {
            features: ["a".to_string()].into(),
            documents: ["spec://a/tasks.md".to_string()].into(),
            vanished: ["gone".to_string()].into(),
            listing: false,
        };
        for (uri, touched) in [
            ("spec://a/tasks.md", true),
            ("spec://a/prd.md", false),
            ("spec://a/tasks/T1", true),
            ("spec://a/questions", true),
            ("spec://b/tasks/T1", false),
            ("spec://gone/prd.md", true),
            ("spec://gone/questions", true),
            ("file:///a/tasks.md", false),
        ] {
            assert_eq!(change.touches(uri), touched, "{uri}");
        }
    }
}
