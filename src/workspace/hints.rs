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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::workspace::fixture::kit;

    const SPEC_KIT: &[(&str, &str)] = &[
        (".specify/memory/constitution.md", "# Constitution\n"),
        ("specs/001-login/spec.md", "# Login\n"),
        ("specs/002-pay/spec.md", "# Pay\n"),
        ("specs/002-refund/spec.md", "# Refund\n"),
        (".kiro/specs/001-login/requirements.md", "# Login\n"),
    ];

    /// The feature `branch` names in the spec-kit kit above.
    fn check_branch(branch: &str, expected: Option<&str>) {
        let (_dir, workspace) = kit(SPEC_KIT);
        assert_eq!(
            workspace.feature_named_by_branch(branch).as_deref(),
            expected,
            "branch {branch}"
        );
    }

    #[test]
    fn a_branch_names_the_feature_of_its_name_or_last_segment_or_number() {
        check_branch("002-pay", Some("002-pay"));
        check_branch("feature/002-pay", Some("002-pay"));
        check_branch("003-new", None);
        check_branch("main", None);
        // Two folders share the number: no guess.
        check_branch("002-pay-v2", None);
        // Too short a number to be spec-kit's.
        check_branch("02-pay-v2", None);
    }

    #[test]
    fn a_branch_naming_a_folder_two_layouts_hold_picks_neither() {
        // `001-login` is ambiguous, and two features match it.
        check_branch("001-login", None);
        check_branch("001-login-v2", None);
    }

    #[test]
    fn a_numbered_branch_names_the_one_folder_of_that_number() {
        let (_dir, workspace) = kit(&[
            (".specify/memory/constitution.md", "# Constitution\n"),
            ("specs/004-search/spec.md", "# Search\n"),
        ]);
        assert_eq!(
            workspace
                .feature_named_by_branch("004-search-v2")
                .as_deref(),
            Some("004-search")
        );
    }

    /// The feature whose folder is `dir` in the spec-kit kit above.
    fn check_folder(dir: &str, expected: Option<&str>) {
        let (_dir, workspace) = kit(SPEC_KIT);
        assert_eq!(
            workspace.feature_at(Path::new(dir)).as_deref(),
            expected,
            "folder {dir}"
        );
        let absolute = workspace.root().join(dir);
        assert_eq!(
            workspace.feature_at(&absolute).as_deref(),
            expected,
            "folder {}",
            absolute.display()
        );
    }

    #[test]
    fn a_folder_names_its_feature_qualified_when_two_layouts_hold_its_name() {
        check_folder("specs/002-pay", Some("002-pay"));
        check_folder("specs/002-pay/", Some("002-pay"));
        check_folder("specs/001-login", Some("001-login@speckit"));
        check_folder(".kiro/specs/001-login", Some("001-login@kiro"));
        check_folder("specs", None);
        check_folder("specs/009-missing", None);
        check_folder(".specify/memory", None);
    }

    /// The folder `.specify/feature.json` names when it holds `json`.
    fn check_json(json: &str, expected: Option<&str>) {
        let (_dir, workspace) = kit(&[(".specify/feature.json", json)]);
        assert_eq!(
            workspace.feature_json(),
            expected.map(PathBuf::from),
            "json {json}"
        );
    }

    #[test]
    fn feature_json_names_a_directory_when_it_is_a_small_json_object_naming_one() {
        check_json(
            r#"{"feature_directory": " specs/001-login "}"#,
            Some("specs/001-login"),
        );
        check_json(r#"{"feature_directory": ""}"#, None);
        check_json(r#"{"feature_directory": 3}"#, None);
        check_json(r#"{"other": "specs/001-login"}"#, None);
        check_json("not json", None);
        let padded = format!(
            r#"{{"feature_directory": "specs/a"{}}}"#,
            " ".repeat(64 * 1024)
        );
        check_json(&padded, None);
        let (_dir, workspace) = kit(&[]);
        assert_eq!(workspace.feature_json(), None);
    }
}
