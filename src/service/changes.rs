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
use crate::workspace::Workspace;

/// How many changes a slow session may fall behind before it misses some;
/// one that does is told everything may have changed.
const BACKLOG: usize = 256;

/// One batch of changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Features a changed file belongs to: their tasks and questions may
    /// read differently.
    pub features: BTreeSet<String>,
    /// URIs of the documents that changed, appeared or went, the
    /// project-wide files among them.
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
        if parsed
            .feature()
            .is_some_and(|feature| self.vanished.contains(feature))
        {
            return true;
        }
        match &parsed {
            ResourceUri::Document { .. } | ResourceUri::Project { .. } => {
                self.documents.contains(&parsed.to_string())
            }
            ResourceUri::Task { feature, .. } | ResourceUri::Questions { feature } => {
                self.features.contains(feature)
            }
            // Built into the binary: it never changes.
            ResourceUri::Skill { .. } => false,
        }
    }

    fn is_empty(&self) -> bool {
        self.features.is_empty()
            && self.documents.is_empty()
            && self.vanished.is_empty()
            && !self.listing
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
    /// The project-wide files as last seen, likewise.
    known_project: Mutex<Option<Vec<String>>>,
    /// Whether a file watcher reports changes, our own writes included.
    watching: AtomicBool,
}

impl Default for Changes {
    fn default() -> Changes {
        Changes {
            sender: broadcast::channel(BACKLOG).0,
            known: Mutex::default(),
            known_project: Mutex::default(),
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

    /// Notes that a watcher now reports changes, and the feature ids and
    /// project-wide files it starts from.
    pub fn watching(&self, workspace: &Workspace) {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(|| workspace.feature_ids());
        self.known_project
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(|| workspace.project_paths());
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
    let project_before = kit
        .changes
        .known_project
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    let project_after = workspace.project_paths();
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
    record_project(
        &mut change,
        paths.iter().map(|path| workspace.relative(path)),
        project_before.as_deref(),
        &project_after,
    );
    *kit.changes
        .known
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(after);
    *kit.changes
        .known_project
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(project_after);
    kit.changes.send(change);
}

/// Adds to `change` the project-wide files among `changed` (relative to
/// the root): each changed, appeared or went, the last two changing the
/// list. Before the first change the files were not yet seen: those
/// present now are taken as present then.
fn record_project(
    change: &mut Change,
    changed: impl Iterator<Item = String>,
    before: Option<&[String]>,
    after: &[String],
) {
    for relative in changed {
        let is_project = after.contains(&relative);
        let was_project = before.map_or(is_project, |before| before.contains(&relative));
        if !is_project && !was_project {
            continue;
        }
        change.listing |= is_project != was_project;
        change
            .documents
            .insert(ResourceUri::Project { document: relative }.to_string());
    }
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
    use super::{Change, record_project};

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_project_file_that_changed_appeared_or_went_is_recorded() {
        let before = strings(&["specs/project.md", ".kiro/steering/old.md"]);
        let after = strings(&["specs/project.md", ".specify/memory/constitution.md"]);
        let mut edited = Change::default();
        record_project(
            &mut edited,
            strings(&["specs/project.md", "specs/a/prd.md"]).into_iter(),
            Some(&before),
            &after,
        );
        assert_eq!(edited.documents, ["spec:///specs/project.md".into()].into());
        assert!(!edited.listing, "an edit leaves the list as it was");
        assert!(edited.touches("spec:///specs/project.md"));
        assert!(!edited.touches("spec://specs/project.md"));
        assert!(!edited.touches("skill://spec-driven/SKILL.md"));

        let mut moved = Change::default();
        record_project(
            &mut moved,
            strings(&[".specify/memory/constitution.md", ".kiro/steering/old.md"]).into_iter(),
            Some(&before),
            &after,
        );
        assert_eq!(
            moved.documents,
            [
                "spec:///.kiro/steering/old.md".into(),
                "spec:///.specify/memory/constitution.md".into()
            ]
            .into()
        );
        assert!(moved.listing, "one appeared and one went");
    }

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
