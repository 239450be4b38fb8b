//! Answers already built, kept while the parsed documents they were built
//! from are the very ones the workspace hands out. The workspace re-reads
//! a file only when it changed and then hands out a new parse, so an
//! answer is reused exactly as long as nothing it was made of changed:
//! an agent calling `get_current_task` before every edit pays for choosing
//! constraints and scope once per change, not once per call.
//!
//! Only what follows from the documents is kept; why a feature and task
//! were chosen (which depends on the session, the branch and the command
//! line) and notes about other files are worked out on every call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::model::{Document, Feature, Project};
use crate::note::Note;
use crate::service::answer::CurrentTask;
use crate::service::select::Share;

/// How many answers are kept. A kit's agents ask about a few tasks at a
/// time; past this the memo starts again rather than track use.
const KEPT: usize = 256;

/// The answers every session of a kit shares.
#[derive(Debug, Default)]
pub struct Memo {
    current_tasks: Mutex<HashMap<TaskKey, Kept>>,
}

/// Which answer: the feature, the task and how much of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TaskKey {
    feature: String,
    task: String,
    full: bool,
}

/// A built answer and the parses it was built from, held so that no other
/// parse can come to have their address.
#[derive(Debug)]
struct Kept {
    feature: Arc<Feature>,
    project: Vec<Arc<Document>>,
    built: Arc<BuiltTask>,
}

/// `get_current_task`'s answer as the documents alone make it: the reasons
/// for the choice left empty, and the notes not yet worded.
#[derive(Debug)]
pub struct BuiltTask {
    pub answer: CurrentTask,
    /// Notes on the criteria the task links to: they come first.
    pub link_notes: Vec<Note>,
    /// Notes on what the answer left out: they come last.
    pub cut_notes: Vec<Note>,
}

impl Memo {
    /// The answer for `task` of `feature`, built by `make` unless one was
    /// built from these same parses.
    pub fn current_task(
        &self,
        feature: &Arc<Feature>,
        project: &Project,
        task: &str,
        share: Share,
        make: impl FnOnce() -> BuiltTask,
    ) -> Arc<BuiltTask> {
        let key = TaskKey {
            feature: feature.id.clone(),
            task: task.to_string(),
            full: share == Share::Full,
        };
        if let Some(kept) = self.lock().get(&key)
            && Arc::ptr_eq(&kept.feature, feature)
            && same_parses(&kept.project, &project.documents)
        {
            return kept.built.clone();
        }
        // Built outside the lock: sessions asking about other tasks are
        // not held up, and two building the same answer agree on it.
        let built = Arc::new(make());
        let mut kept = self.lock();
        if kept.len() >= KEPT && !kept.contains_key(&key) {
            kept.clear();
        }
        kept.insert(
            key,
            Kept {
                feature: feature.clone(),
                project: project.documents.clone(),
                built: built.clone(),
            },
        );
        built
    }

    /// How many answers are kept.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TaskKey, Kept>> {
        self.current_tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn same_parses(kept: &[Arc<Document>], now: &[Arc<Document>]) -> bool {
    kept.len() == now.len()
        && kept
            .iter()
            .zip(now)
            .all(|(kept, now)| Arc::ptr_eq(kept, now))
}
