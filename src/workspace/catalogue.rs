//! The kit's features: walking the layouts' `Convention` tables to list
//! feature folders, deciding which layout a folder in the shared `specs/`
//! belongs to, qualifying the ids two layouts share, and finding a
//! feature's folder by id.
//!
//! Only folders and the names in them are looked at here; no file is read.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cache::{FolderStamps, modified, stamp_folders};
use super::{Workspace, WorkspaceError, check_id, check_id_among, printable};
use crate::model::{DocumentRole, Feature, Layout};
use crate::parse::{self, CONVENTIONS, Convention, native, openspec, speckit};

/// The kit's feature ids, in layout order then by name.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Every feature.
    pub ids: Arc<Vec<String>>,
    /// The features that are work items, leaving out reference folders
    /// (OpenSpec's capabilities, the current truth changes apply to).
    pub work: Arc<Vec<String>>,
}

/// A feature found on disk: its folder and the convention it follows.
#[derive(Debug, Clone)]
pub struct Located {
    /// The id answers use: the folder name, qualified when it clashes.
    pub id: String,
    pub convention: &'static Convention,
    pub dir: PathBuf,
}

impl Workspace {
    /// The conventions read: all, or those of the `--layout` chosen.
    pub(super) fn conventions(&self) -> impl Iterator<Item = &'static Convention> + '_ {
        CONVENTIONS
            .into_iter()
            .filter(|convention| self.layout.is_none_or(|layout| convention.layout == layout))
    }

    /// The layouts read: all four, or the `--layout` chosen.
    pub fn layouts(&self) -> Vec<Layout> {
        Layout::ALL
            .into_iter()
            .filter(|layout| self.layout.is_none_or(|chosen| chosen == *layout))
            .collect()
    }

    pub(super) fn base_dir(&self, convention: &Convention) -> PathBuf {
        if convention.base == "specs" {
            self.specs_dir.clone()
        } else {
            self.root.join(convention.base)
        }
    }

    /// Whether `dir` is a feature folder of `convention`: it holds one of
    /// the convention's marker files, or a `tasks.md` no other convention
    /// sharing the folder claims. Native and spec-kit share `specs/`: a
    /// folder with only `tasks.md` is spec-kit's when the root has
    /// `.specify/`, native's otherwise.
    fn claims(&self, convention: &Convention, dir: &Path) -> bool {
        let has = |pattern: &str| !self.existing_paths(dir, pattern).is_empty();
        let marked = |convention: &Convention| convention.markers.iter().any(|marker| has(marker));
        let reads_tasks = convention
            .documents
            .iter()
            .any(|(pattern, _)| *pattern == "tasks.md");
        if convention.base != "specs" {
            return marked(convention) || (reads_tasks && has("tasks.md"));
        }
        // Native and spec-kit share `specs/`: each folder goes to one.
        let native = convention.layout == Layout::Native;
        let other = if native {
            &speckit::CONVENTION
        } else {
            &native::CONVENTION
        };
        // A forced layout claims what is ambiguous, never another layout's
        // folder.
        let forced = self.layout.is_some();
        match (marked(convention), marked(other)) {
            (true, false) => true,
            (true, true) => native || forced,
            (false, true) => false,
            (false, false) => has("tasks.md") && (forced || native != self.specify),
        }
    }

    /// Feature ids, in layout order then by name. Kept until a folder they
    /// were listed from changes: a layout's base folder (a feature added or
    /// removed) or one of its subfolders (a folder gaining or losing, directly
    /// inside it, the file that makes it a feature).
    pub fn feature_ids(&self) -> Arc<Vec<String>> {
        self.catalogue().ids
    }

    /// Every feature id, and those that are work items rather than
    /// reference; kept as [`Workspace::feature_ids`] says.
    pub fn catalogue(&self) -> Catalogue {
        if let Some(catalogue) = self.lock().listing() {
            return catalogue;
        }
        // Stamped before the scan, so a change during it shows next time.
        // Each base once (native and spec-kit share theirs).
        let mut folders = stamp_folders(
            self.conventions()
                .map(|convention| self.base_dir(convention))
                .collect(),
        );
        let (catalogue, subfolders) = self.scan_feature_ids();
        folders.extend(subfolders);
        self.lock().keep_listing(folders, catalogue.clone());
        catalogue
    }

    /// The feature ids, and every subfolder looked at with its stamp.
    fn scan_feature_ids(&self) -> (Catalogue, FolderStamps) {
        let mut found: Vec<(&'static Convention, String)> = Vec::new();
        let mut folders = Vec::new();
        for convention in self.conventions() {
            let base = self.base_dir(convention);
            // A base folder linked to somewhere outside the root is not
            // listed.
            if self.inside(&base).is_err() {
                continue;
            }
            let Ok(entries) = fs::read_dir(&base) else {
                continue;
            };
            let mut names: Vec<String> = Vec::new();
            for name in entries
                .filter_map(Result::ok)
                .filter_map(|entry| entry.file_name().into_string().ok())
                .filter(|name| !name.starts_with('.') && !convention.skip.contains(&name.as_str()))
                // A name no call could pass back is not listed: one failing
                // the id checks, or holding the `@` of qualified ids.
                .filter(|name| check_id("feature", name).is_ok() && !name.contains('@'))
            {
                let dir = base.join(&name);
                if !dir.is_dir() || self.inside(&dir).is_err() {
                    continue;
                }
                folders.push((dir.clone(), modified(&dir)));
                if self.claims(convention, &dir) {
                    names.push(name);
                }
            }
            names.sort();
            found.extend(names.into_iter().map(|name| (convention, name)));
        }
        let mut ids = Vec::new();
        let mut work = Vec::new();
        for (convention, name) in &found {
            let clashes = found.iter().filter(|(_, other)| other == name).count() > 1;
            let id = if clashes {
                format!("{name}@{}", convention.qualifier)
            } else {
                name.clone()
            };
            if !convention.reference {
                work.push(id.clone());
            }
            ids.push(id);
        }
        let catalogue = Catalogue {
            ids: Arc::new(ids),
            work: Arc::new(work),
        };
        (catalogue, folders)
    }

    /// Finds a feature folder by id: a folder name, or `name@<layout>` when
    /// two layouts hold that name.
    pub fn locate(&self, id: &str) -> Result<Located, WorkspaceError> {
        check_id_among("feature", id, || self.feature_ids().to_vec())?;
        let (name, qualifier) = parse::split_qualified(id);
        let mut matches: Vec<(&'static Convention, PathBuf)> = Vec::new();
        let mut outside = None;
        for convention in self.conventions() {
            if convention.skip.contains(&name) {
                continue;
            }
            let dir = self.base_dir(convention).join(name);
            if !dir.is_dir() {
                continue;
            }
            match self.inside(&dir) {
                Ok(_) if self.claims(convention, &dir) => matches.push((convention, dir)),
                Ok(_) => {}
                Err(_) => outside = Some(self.relative(&dir)),
            }
        }
        let clashes = matches.len() > 1;
        let chosen = match qualifier {
            Some(qualifier) => matches
                .iter()
                .find(|(convention, _)| convention.qualifier == qualifier),
            None if clashes => {
                return Err(WorkspaceError::AmbiguousFeature {
                    id: printable(id),
                    candidates: matches
                        .iter()
                        .map(|(convention, _)| format!("{name}@{}", convention.qualifier))
                        .collect(),
                });
            }
            None => matches.first(),
        };
        match chosen {
            Some((convention, dir)) => Ok(Located {
                id: if clashes {
                    format!("{name}@{}", convention.qualifier)
                } else {
                    name.to_string()
                },
                convention,
                dir: dir.clone(),
            }),
            None => match outside {
                Some(path) => Err(WorkspaceError::OutsideRoot { path }),
                None => Err(WorkspaceError::UnknownFeature {
                    id: printable(id),
                    known: self.feature_ids().to_vec(),
                }),
            },
        }
    }

    /// For an OpenSpec change, the ids of the capabilities its delta specs
    /// change that exist in `openspec/specs/`: the current truth the
    /// deltas apply to.
    pub fn changed_capabilities(&self, feature: &Feature) -> Vec<String> {
        if feature.layout != Layout::OpenSpec {
            return Vec::new();
        }
        let mut ids: Vec<String> = Vec::new();
        for document in feature.documents_with(DocumentRole::Prd) {
            let Some(capability) = openspec::capability(&document.path) else {
                continue;
            };
            // Checked on disk first: a capability the change adds does not
            // exist yet, and a failed lookup would list every feature.
            let dir = self.base_dir(&openspec::SPECS).join(capability);
            if !dir.is_dir() || self.inside(&dir).is_err() || !self.claims(&openspec::SPECS, &dir) {
                continue;
            }
            let qualified = format!("{capability}@{}", openspec::SPECS.qualifier);
            if let Ok(located) = self.locate(&qualified)
                && std::ptr::eq(located.convention, &openspec::SPECS)
                && !ids.contains(&located.id)
            {
                ids.push(located.id);
            }
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use crate::model::Layout;
    use crate::workspace::Workspace;
    use crate::workspace::fixture::{kit, write};

    /// A kit whose files are the paths given, each holding a heading.
    fn kit_of(paths: &[&str]) -> (tempfile::TempDir, Workspace) {
        let files: Vec<(&str, &str)> = paths.iter().map(|path| (*path, "# Title\n")).collect();
        kit(&files)
    }

    /// The feature ids of a kit holding `paths`.
    fn check_ids(paths: &[&str], expected: &[&str]) {
        let (_dir, workspace) = kit_of(paths);
        assert_eq!(*workspace.feature_ids(), expected, "kit {paths:?}");
    }

    /// The layout the feature `id` of a kit holding `paths` is read in.
    fn check_layout(paths: &[&str], id: &str, expected: Layout) {
        let (_dir, workspace) = kit_of(paths);
        let located = workspace.locate(id).unwrap();
        assert_eq!(located.convention.layout, expected, "kit {paths:?}");
    }

    #[test]
    fn a_folder_holding_a_marker_file_is_a_feature() {
        check_ids(
            &[
                "specs/b/tech-spec.md",
                "specs/a/prd.md",
                "specs/c/notes.md",
                "specs/project.md",
            ],
            &["a", "b"],
        );
        check_ids(
            &[
                ".kiro/specs/pay/requirements.md",
                ".kiro/specs/fix/bugfix.md",
            ],
            &["fix", "pay"],
        );
    }

    #[test]
    fn a_folder_with_only_tasks_is_spec_kits_when_the_root_has_specify() {
        check_layout(&["specs/a/tasks.md"], "a", Layout::Native);
        check_layout(
            &[".specify/memory/constitution.md", "specs/a/tasks.md"],
            "a",
            Layout::SpecKit,
        );
        check_layout(&["specs/a/spec.md"], "a", Layout::SpecKit);
        // Both layouts' markers: native, and listed once.
        check_layout(&["specs/a/spec.md", "specs/a/prd.md"], "a", Layout::Native);
        check_ids(&["specs/a/spec.md", "specs/a/prd.md"], &["a"]);
    }

    #[test]
    fn a_forced_layout_claims_what_is_ambiguous_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[("specs/a/tasks.md", ""), ("specs/b/prd.md", "# B\n")],
        );
        let workspace = Workspace::open_with(dir.path(), Some(Layout::SpecKit)).unwrap();
        assert_eq!(*workspace.feature_ids(), ["a"]);
        assert_eq!(
            workspace.locate("a").unwrap().convention.layout,
            Layout::SpecKit
        );
    }

    #[test]
    fn names_no_call_could_pass_back_are_not_listed() {
        check_ids(
            &[
                "specs/.draft/prd.md",
                "specs/a@b/prd.md",
                "specs/c:d/prd.md",
                "specs/ok/prd.md",
            ],
            &["ok"],
        );
    }

    #[test]
    fn a_name_two_layouts_hold_is_qualified_in_layout_order() {
        let paths = ["specs/auth/prd.md", ".kiro/specs/auth/requirements.md"];
        check_ids(&paths, &["auth@native", "auth@kiro"]);
        let (_dir, workspace) = kit_of(&paths);
        assert_eq!(
            workspace.locate("auth").unwrap_err().to_string(),
            "feature `auth` is ambiguous: more than one layout has a folder of that name; \
             use one of auth@native, auth@kiro"
        );
        let located = workspace.locate("auth@kiro").unwrap();
        assert_eq!(located.id, "auth@kiro");
        assert!(located.dir.ends_with(".kiro/specs/auth"));
    }

    #[test]
    fn openspec_capabilities_are_features_but_not_work_items() {
        let (_dir, workspace) = kit_of(&[
            "openspec/changes/add-notes/proposal.md",
            "openspec/changes/archive/old/proposal.md",
            "openspec/specs/orders/spec.md",
        ]);
        let catalogue = workspace.catalogue();
        assert_eq!(*catalogue.ids, ["add-notes", "orders"]);
        assert_eq!(*catalogue.work, ["add-notes"]);
    }

    #[test]
    fn an_unknown_or_invalid_id_is_refused_naming_the_choices() {
        let (_dir, workspace) = kit_of(&["specs/a/prd.md"]);
        assert_eq!(
            workspace.locate("b").unwrap_err().to_string(),
            "unknown feature `b`; valid features: a"
        );
        assert_eq!(
            workspace.locate("../a").unwrap_err().to_string(),
            "invalid feature `../a`: it contains a path separator; valid features: a"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_feature_folder_linked_out_of_the_root_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("prd.md"), "# Out\n").unwrap();
        let (_dir, workspace) = kit_of(&["specs/a/prd.md"]);
        std::os::unix::fs::symlink(outside.path(), workspace.root().join("specs/out")).unwrap();
        assert_eq!(*workspace.feature_ids(), ["a"]);
        assert_eq!(
            workspace.locate("out").unwrap_err().to_string(),
            "specs/out resolves outside the spec root; refusing to use it"
        );
    }

    #[test]
    fn a_change_names_the_existing_capabilities_its_deltas_change() {
        let (_dir, workspace) = kit_of(&[
            "openspec/changes/add-notes/proposal.md",
            "openspec/changes/add-notes/specs/orders/spec.md",
            "openspec/changes/add-notes/specs/invoices/spec.md",
            "openspec/specs/orders/spec.md",
            "specs/a/prd.md",
        ]);
        let change = workspace.feature("add-notes").unwrap();
        assert_eq!(workspace.changed_capabilities(&change), ["orders"]);
        let native = workspace.feature("a").unwrap();
        assert!(workspace.changed_capabilities(&native).is_empty());
    }
}
