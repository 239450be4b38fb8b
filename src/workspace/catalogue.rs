//! The kit's features: walking the layouts' `Convention` tables to list
//! feature folders, deciding which layout a folder in the shared `specs/`
//! belongs to, qualifying the ids two layouts share, and finding a
//! feature's folder by id.
//!
//! Only folders and the names in them are looked at here; no file is read.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::cache::{FolderStamps, modified};
use super::{Workspace, WorkspaceError, check_id, printable};
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
        let bases: Vec<PathBuf> = self
            .conventions()
            .map(|convention| self.base_dir(convention))
            .collect();
        if let Some(catalogue) = self.lock().listing(&bases) {
            return catalogue;
        }
        let base_stamps: FolderStamps = bases.iter().map(|base| modified(base)).collect();
        let (catalogue, folders) = self.scan_feature_ids();
        self.lock()
            .keep_listing(base_stamps, folders, catalogue.clone());
        catalogue
    }

    /// The feature ids, and every subfolder looked at with its stamp.
    fn scan_feature_ids(&self) -> (Catalogue, Vec<(PathBuf, Option<SystemTime>)>) {
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
        check_id("feature", id)?;
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
