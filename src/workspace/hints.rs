//! Which feature something outside the kit points at: a folder (spec-kit's
//! `SPECIFY_FEATURE_DIRECTORY`), spec-kit's `.specify/feature.json`, a git
//! branch or `SPECIFY_FEATURE`.
//!
//! A hint only ever names a feature that [`Workspace::locate`] finds; one
//! that points elsewhere, or is unreadable, gives no feature rather than an
//! error.

use std::fs;
use std::path::{Path, PathBuf};

use super::paths::FileState;
use super::{Workspace, check_id};
use crate::parse;

impl Workspace {
    /// The feature whose folder is `dir` (absolute, or relative to the
    /// root), if `dir` is one.
    pub fn feature_at(&self, dir: &Path) -> Option<String> {
        let dir = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            self.root.join(dir)
        };
        let dir = fs::canonicalize(dir).ok()?;
        let name = dir.file_name()?.to_str()?;
        // Asked by qualified id, each layout answers for its own folder of
        // that name (and gives the plain id when no other layout has one).
        self.conventions().find_map(|convention| {
            let located = self
                .locate(&format!("{name}@{}", convention.qualifier))
                .ok()?;
            fs::canonicalize(&located.dir)
                .is_ok_and(|found| found == dir)
                .then_some(located.id)
        })
    }

    /// The `feature_directory` of spec-kit's `.specify/feature.json`.
    pub fn feature_json(&self) -> Option<PathBuf> {
        const MAX_BYTES: u64 = 64 * 1024;
        let path = self.root.join(".specify").join("feature.json");
        let FileState::Inside(resolved) = self.file_state(&path) else {
            return None;
        };
        if fs::metadata(&resolved).ok()?.len() > MAX_BYTES {
            return None;
        }
        let text = fs::read_to_string(resolved).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        let dir = value.get("feature_directory")?.as_str()?.trim();
        (!dir.is_empty()).then(|| PathBuf::from(dir))
    }

    /// The feature a branch (or `SPECIFY_FEATURE`) names: the one whose
    /// folder is named like the branch or its last `/` segment, else the
    /// one spec-kit folder sharing its number (`001-` for a branch
    /// `001-login-v2`), when only one does.
    pub fn feature_named_by_branch(&self, branch: &str) -> Option<String> {
        // The usual case, a folder named like the branch, needs no listing.
        let last = branch.rsplit('/').next().unwrap_or(branch);
        for name in [branch, last] {
            if check_id("feature", name).is_ok()
                && let Ok(located) = self.locate(name)
            {
                return Some(located.id);
            }
        }
        let ids = self.feature_ids();
        let name_of = |id: &str| parse::split_qualified(id).0.to_string();
        let matching: Vec<&String> = ids
            .iter()
            .filter(|id| crate::git::branch_matches(branch, &name_of(id)))
            .collect();
        if let [only] = matching.as_slice() {
            return Some((*only).clone());
        }
        if !matching.is_empty() {
            return None;
        }
        let digits = last.len() - last.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits < 3 || !last[digits..].starts_with('-') {
            return None;
        }
        let prefix = &last[..=digits];
        let numbered: Vec<&String> = ids
            .iter()
            .filter(|id| name_of(id).starts_with(prefix))
            .collect();
        match numbered.as_slice() {
            [only] => Some((*only).clone()),
            _ => None,
        }
    }
}
