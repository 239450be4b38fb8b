//! The spec root on disk: opening it, reading a feature's documents and the
//! project-wide ones, and where questions are written. The only module that
//! reads spec files for answers.
//!
//! By concern: `paths` keeps every path inside the root, `read` is the one
//! policy for what file is taken as text (the writer's too), `catalogue`
//! finds the features, `cache` keeps what was parsed until it changes,
//! `hints` maps a folder, spec-kit's `feature.json` or a branch to a
//! feature, and `ids` refuses ids that could escape a folder or fool a
//! reader.
//!
//! Every path handed out or read is checked to resolve inside the root;
//! nothing outside it is read, and error messages never name such paths.

mod cache;
mod catalogue;
#[cfg(test)]
mod fixture;
mod hints;
mod ids;
mod paths;
mod read;
mod watch;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::model::{
    Diagnostic, DiagnosticKind, Document, DocumentRole, Feature, Layout, Project, Source,
};
use crate::parse::{self, CONVENTIONS, Convention, openspec};

use cache::{Cache, FileStamps, Stamp};
pub use catalogue::{Catalogue, Located};
pub use ids::{check_id, check_id_among, is_invisible, list_choices, printable};
use paths::FileState;
pub use read::{DEFAULT_MAX_FILE_BYTES, Unreadable, read_text};
pub use watch::{WatchError, Watcher};

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("spec root {path} does not exist")]
    RootMissing { path: PathBuf },
    #[error("spec root {path} is not a directory")]
    RootNotDirectory { path: PathBuf },
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("unknown feature `{id}`; {}", list_choices("features", known))]
    UnknownFeature { id: String, known: Vec<String> },
    #[error("invalid {what} `{id}`: {reason}{}", ids::then_choices(what, valid.as_deref()))]
    InvalidId {
        what: &'static str,
        id: String,
        reason: &'static str,
        /// The ids to use instead, when the caller knows them.
        valid: Option<Vec<String>>,
    },
    #[error("{path} resolves outside the spec root; refusing to use it")]
    OutsideRoot { path: String },
    #[error("{path} was not read: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("feature `{id}` is ambiguous: more than one layout has a folder of that name; use one of {}", candidates.join(", "))]
    AmbiguousFeature { id: String, candidates: Vec<String> },
    #[error(
        "feature {id} has none of {files} to record questions in; create {first} in {dir} and ask again"
    )]
    NoPrimary {
        id: String,
        files: String,
        first: String,
        dir: String,
    },
}

/// A spec root and its cache of parsed documents.
#[derive(Debug)]
pub struct Workspace {
    /// The root the user gave, canonicalized. Sources are relative to it.
    root: PathBuf,
    /// The folder holding native and spec-kit feature folders: `specs/`, or
    /// the root itself when it has none.
    specs_dir: PathBuf,
    /// `--layout`: read only this layout. `None` reads every layout found.
    layout: Option<Layout>,
    /// The root has `.specify/`: a `specs/` folder holding only `tasks.md`
    /// is spec-kit's, not native.
    specify: bool,
    /// `--max-file-size`: larger files are reported, not read, and never
    /// written to.
    max_file_bytes: u64,
    cache: Mutex<Cache>,
}

/// Where questions for a feature are written.
#[derive(Debug, Clone)]
pub struct Primary {
    pub path: PathBuf,
    pub role: DocumentRole,
    pub layout: Layout,
}

impl Workspace {
    /// Opens a spec root reading every layout found in it.
    pub fn open(root: &Path) -> Result<Workspace, WorkspaceError> {
        Workspace::open_with(root, None)
    }

    /// Opens a spec root: a project root (with `specs/`, `.specify/`,
    /// `.kiro/` or `openspec/` inside) or a specs folder itself. With a
    /// layout, only that layout's features are read.
    pub fn open_with(root: &Path, layout: Option<Layout>) -> Result<Workspace, WorkspaceError> {
        let metadata = fs::metadata(root).map_err(|source| {
            if source.kind() == io::ErrorKind::NotFound {
                WorkspaceError::RootMissing {
                    path: root.to_path_buf(),
                }
            } else {
                WorkspaceError::Io {
                    path: root.to_path_buf(),
                    source,
                }
            }
        })?;
        if !metadata.is_dir() {
            return Err(WorkspaceError::RootNotDirectory {
                path: root.to_path_buf(),
            });
        }
        let root = fs::canonicalize(root).map_err(|source| WorkspaceError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        let nested = root.join("specs");
        let specs_dir = if nested.is_dir()
            && fs::canonicalize(&nested).is_ok_and(|dir| dir.starts_with(&root))
        {
            nested
        } else if [".specify", ".kiro", "openspec"]
            .iter()
            .any(|marker| root.join(marker).exists())
        {
            // A project root of another layout, without `specs/`: its
            // other folders (docs, scripts) are not features. A `.git`
            // alone says nothing: a specs folder may be a repository too.
            nested
        } else {
            // The specs folder itself.
            root.clone()
        };
        let specify = root.join(".specify").is_dir();
        Ok(Workspace {
            root,
            specs_dir,
            layout,
            specify,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            cache: Mutex::new(Cache::default()),
        })
    }

    /// The workspace, reading files of at most `max_file_bytes` (larger
    /// ones are reported, not read). Set before the first answer: a file
    /// already read keeps what the old limit made of it until it changes.
    #[must_use]
    pub fn with_max_file_bytes(mut self, max_file_bytes: u64) -> Workspace {
        self.max_file_bytes = max_file_bytes;
        self
    }

    /// The largest file read, and so the largest written to.
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where each of the feature's documents is, in the convention's order.
    fn feature_files(
        &self,
        located: &Located,
        listed: &mut Vec<PathBuf>,
    ) -> Vec<(DocumentRole, FileState)> {
        let mut files = Vec::new();
        for (pattern, role) in located.convention.documents {
            for path in self.paths_noting(&located.dir, pattern, listed) {
                // A file in a subfolder (`contracts/api.md`) is there while
                // that folder holds it.
                if let Some(parent) = path.parent() {
                    listed.push(parent.to_path_buf());
                }
                files.push((*role, self.file_state(&path)));
            }
        }
        files
    }

    /// Checks a feature id names a feature and returns it, parsed.
    pub fn feature(&self, id: &str) -> Result<Arc<Feature>, WorkspaceError> {
        let (located, files) = self.resolve(id, true)?;
        if let Some(feature) = self.lock().feature(&located.id, &file_stamps(&files)) {
            return Ok(feature);
        }
        // Something changed: find the files again before reading any, so a
        // file swapped for a link out of the root is caught, not followed.
        let (located, files) = self.resolve(id, false)?;
        let stamps = file_stamps(&files);
        let layout = located.convention.layout;
        let mut outside = Vec::new();
        let mut documents = Vec::new();
        for (role, state) in &files {
            match state {
                FileState::Inside(path) => {
                    documents.push((*self.document(path, *role, layout)).clone());
                }
                FileState::Outside(relative) => outside.push(relative.clone()),
                FileState::Missing => {}
            }
        }
        let mut feature = parse::feature(
            &located.id,
            layout,
            Arc::from(self.relative(&located.dir)),
            documents,
        );
        feature
            .diagnostics
            .extend(outside.into_iter().map(|relative| Diagnostic {
                source: Source {
                    path: Arc::from(relative.as_str()),
                    line: 1,
                },
                message: "the file resolves outside the spec root; it was not read".to_string(),
                kind: DiagnosticKind::Unreadable,
            }));
        log_diagnostics(&feature.diagnostics);
        let feature = Arc::new(feature);
        self.lock()
            .keep_feature(&located.id, stamps, feature.clone());
        Ok(feature)
    }

    /// Where the feature `id` is and which of its files exist: kept while
    /// the folders that decided it are unchanged, so a warm call lists no
    /// folder and resolves no path.
    fn resolve(
        &self,
        id: &str,
        kept: bool,
    ) -> Result<(Located, Vec<(DocumentRole, FileState)>), WorkspaceError> {
        check_id_among("feature", id, || self.feature_ids().to_vec())?;
        if kept
            && let Some(kept) = self.lock().resolution(id)
            && cache::unchanged(&kept.folders)
        {
            return Ok((kept.located, kept.files));
        }
        let located = self.locate(id)?;
        let mut listed = Vec::new();
        let files = self.existing_feature_files(&located, &mut listed)?;
        // What `locate` looked at: each layout's base folder and its folder
        // of this name (a new one there may make the id ambiguous), and the
        // feature's own folder with those its patterns listed.
        let (name, _) = parse::split_qualified(id);
        for convention in self.conventions() {
            let base = self.base_dir(convention);
            listed.push(base.join(name));
            listed.push(base);
        }
        listed.push(located.dir.clone());
        let resolution = cache::Resolution {
            located: located.clone(),
            files: files.clone(),
            folders: cache::stamp_folders(listed),
        };
        self.lock().keep_resolution(id, resolution);
        Ok((located, files))
    }

    /// The feature's documents, after checking it has at least one
    /// readable document; the folders listed to find them go in `listed`.
    fn existing_feature_files(
        &self,
        located: &Located,
        listed: &mut Vec<PathBuf>,
    ) -> Result<Vec<(DocumentRole, FileState)>, WorkspaceError> {
        let files = self.feature_files(located, listed);
        if files
            .iter()
            .any(|(_, state)| matches!(state, FileState::Inside(_)))
        {
            return Ok(files);
        }
        match files.into_iter().find_map(|(_, state)| match state {
            FileState::Outside(relative) => Some(relative),
            _ => None,
        }) {
            Some(relative) => Err(WorkspaceError::OutsideRoot { path: relative }),
            None => Err(WorkspaceError::UnknownFeature {
                id: printable(&located.id),
                known: self.feature_ids().to_vec(),
            }),
        }
    }

    /// The feature's folder and the paths of its documents found inside
    /// the root, relative to the root, without reading or parsing any: for
    /// telling whether a changed file is one of its documents.
    pub fn feature_paths(&self, id: &str) -> Result<(String, Vec<String>), WorkspaceError> {
        let (located, files) = self.resolve(id, true)?;
        let documents = files
            .iter()
            .filter_map(|(_, state)| match state {
                FileState::Inside(path) => Some(self.relative(path)),
                FileState::Missing | FileState::Outside(_) => None,
            })
            .collect();
        Ok((self.relative(&located.dir), documents))
    }

    /// The document questions are appended to: the first present of the
    /// layout's preferred files, resolved for writing. One that resolves
    /// outside the root is refused, never skipped.
    pub fn primary_path(&self, id: &str) -> Result<Primary, WorkspaceError> {
        let located = self.locate(id)?;
        let convention = located.convention;
        for name in convention.primary {
            let path = located.dir.join(name);
            match self.file_state(&path) {
                FileState::Inside(path) => {
                    let role = convention
                        .documents
                        .iter()
                        .find(|(pattern, _)| pattern == name)
                        .map_or(DocumentRole::Prd, |(_, role)| *role);
                    return Ok(Primary {
                        path,
                        role,
                        layout: convention.layout,
                    });
                }
                FileState::Outside(relative) => {
                    return Err(WorkspaceError::OutsideRoot { path: relative });
                }
                FileState::Missing => {}
            }
        }
        Err(WorkspaceError::NoPrimary {
            files: convention.primary.join(", "),
            first: convention
                .primary
                .first()
                .copied()
                .unwrap_or_default()
                .to_string(),
            dir: self.relative(&located.dir),
            id: located.id,
        })
    }

    /// One of the feature's documents, named by the path relative to the
    /// root its items cite, resolved for writing: found again among the
    /// feature's files (so only a document of the feature is ever
    /// written), and refused if it now resolves outside the root.
    pub fn document_path(&self, id: &str, relative: &str) -> Result<Primary, WorkspaceError> {
        let located = self.locate(id)?;
        let mut listed = Vec::new();
        for (role, state) in self.feature_files(&located, &mut listed) {
            match state {
                FileState::Inside(path) if self.relative(&path) == relative => {
                    return Ok(Primary {
                        path,
                        role,
                        layout: located.convention.layout,
                    });
                }
                FileState::Outside(outside) if outside == relative => {
                    return Err(WorkspaceError::OutsideRoot { path: outside });
                }
                _ => {}
            }
        }
        Err(WorkspaceError::UnknownFeature {
            id: printable(&located.id),
            known: self.feature_ids().to_vec(),
        })
    }

    /// The project-wide documents of a layout: `project.md`, a spec-kit
    /// constitution, Kiro steering files (but those included only on
    /// request), OpenSpec's project context.
    pub fn project(&self, layout: Layout) -> Project {
        let Some(convention) = CONVENTIONS
            .into_iter()
            .find(|convention| convention.layout == layout)
        else {
            return Project::default();
        };
        // Kept while the folders and files are as they were; when a file
        // changed, its path is resolved again before it is read, so a file
        // swapped for a link out of the root is not followed.
        if let Some(kept) = self.lock().project(layout)
            && cache::unchanged(&kept.folders)
            && kept.files == restamp(&kept.files)
        {
            return kept.project;
        }
        let mut listed = Vec::new();
        let mut documents = Vec::new();
        let mut files = Vec::new();
        for (resolved, role) in self.project_files(convention, &mut listed) {
            let stamp = fs::metadata(&resolved)
                .ok()
                .map(|metadata| Stamp::of(&metadata));
            let document = self.document(&resolved, role, layout);
            files.push((resolved, stamp));
            if document.front_matter("inclusion") != Some("manual") {
                documents.push(document);
            }
        }
        let project = Project { documents };
        self.lock().keep_project(
            layout,
            cache::KeptProject {
                project: project.clone(),
                files,
                folders: cache::stamp_folders(listed),
            },
        );
        project
    }

    /// The project-wide files of `convention` that resolve inside the root,
    /// resolved, with their roles, in the convention's order; the folders
    /// listed to find them go in `listed`.
    fn project_files(
        &self,
        convention: &Convention,
        listed: &mut Vec<PathBuf>,
    ) -> Vec<(PathBuf, DocumentRole)> {
        let base = if convention.project_in_base {
            self.specs_dir.clone()
        } else {
            self.root.clone()
        };
        listed.push(base.clone());
        let mut found = Vec::new();
        for (pattern, role) in convention.project {
            let mut paths = self.paths_noting(&base, pattern, listed);
            paths.retain(|path| fs::symlink_metadata(path).is_ok());
            for path in paths {
                if let Some(parent) = path.parent() {
                    listed.push(parent.to_path_buf());
                }
                if let FileState::Inside(resolved) = self.file_state(&path) {
                    found.push((resolved, *role));
                }
            }
        }
        found
    }

    /// The project-wide files of every layout read, relative to the root,
    /// each once, in the layouts' order: what [`Workspace::project`] reads,
    /// and the Kiro steering files included only on request too. Found
    /// without reading or parsing any, so a file watcher may ask.
    pub fn project_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = Vec::new();
        for convention in self.conventions() {
            for (resolved, _) in self.project_files(convention, &mut Vec::new()) {
                let relative = self.relative(&resolved);
                if !paths.contains(&relative) {
                    paths.push(relative);
                }
            }
        }
        paths
    }

    /// The text of a feature's document or a project-wide file, `relative`
    /// as the model holds its path, read as answers read it: resolved inside the root, within the
    /// size limit and not binary; bytes that are not UTF-8 are replaced,
    /// as when it is parsed.
    pub fn document_text(&self, relative: &str) -> Result<String, WorkspaceError> {
        let path = self.inside(&self.root.join(relative))?;
        let io_error = |source| WorkspaceError::Io {
            path: PathBuf::from(relative),
            source,
        };
        let len = fs::metadata(&path).map_err(io_error)?.len();
        let refuse = |reason: String| WorkspaceError::Unreadable {
            path: relative.to_string(),
            reason,
        };
        match read_text(len, self.max_file_bytes, || fs::read(&path)) {
            Ok(text) => Ok(text),
            Err(Unreadable::NotUtf8(error)) => {
                Ok(String::from_utf8_lossy(error.as_bytes()).into_owned())
            }
            Err(Unreadable::Io(source)) => Err(io_error(source)),
            Err(Unreadable::TooLarge(len)) => Err(refuse(format!(
                "it is {len} bytes, over the {}-byte limit (--max-file-size)",
                self.max_file_bytes
            ))),
            Err(Unreadable::Binary) => Err(refuse("it is binary (it holds NUL bytes)".to_string())),
        }
    }

    /// Reads and parses one file, from the cache when it has not changed.
    fn document(&self, path: &Path, role: DocumentRole, layout: Layout) -> Arc<Document> {
        let relative: Arc<str> = Arc::from(self.relative(path));
        let stamp = match fs::metadata(path) {
            Ok(metadata) => Stamp::of(&metadata),
            Err(error) => return Arc::new(unreadable(relative, role, &error.to_string())),
        };
        let key = (path.to_path_buf(), role, layout);
        if let Some(document) = self.lock().document(&key, &stamp) {
            return document;
        }
        let document = Arc::new(read_document(
            path,
            relative,
            (role, layout),
            &stamp,
            self.max_file_bytes,
        ));
        log_diagnostics(&document.diagnostics);
        self.lock().keep_document(key, stamp, document.clone());
        document
    }
}

fn read_document(
    path: &Path,
    relative: Arc<str>,
    (role, layout): (DocumentRole, Layout),
    stamp: &Stamp,
    max_file_bytes: u64,
) -> Document {
    let parse = |relative: Arc<str>, text: &str| {
        if &*relative == openspec::CONFIG_FILE {
            openspec::config_document(relative, text)
        } else {
            parse::document_in(layout, relative, role, text)
        }
    };
    match read_text(stamp.len, max_file_bytes, || fs::read(path)) {
        Ok(text) => parse(relative, &text),
        Err(Unreadable::TooLarge(len)) => unreadable(
            relative,
            role,
            &format!(
                "the file is {len} bytes, over the {max_file_bytes}-byte limit (--max-file-size); it was not read"
            ),
        ),
        Err(Unreadable::Io(error)) => unreadable(relative, role, &error.to_string()),
        Err(Unreadable::Binary) => unreadable(
            relative,
            role,
            "the file is binary (it holds NUL bytes); it was not read",
        ),
        Err(Unreadable::NotUtf8(error)) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let mut document = parse(relative.clone(), &text);
            let line = text
                .get(..valid_up_to)
                .map_or(1, |before| before.matches('\n').count() + 1);
            document.diagnostics.push(Diagnostic {
                source: Source {
                    path: relative,
                    line: line as u32,
                },
                message: "the file is not valid UTF-8; unreadable bytes were replaced and nothing will be written to it".to_string(),
                kind: DiagnosticKind::Unreadable,
            });
            document
        }
    }
}

/// The stamps the files have now.
fn restamp(files: &FileStamps) -> FileStamps {
    files
        .iter()
        .map(|(path, _)| {
            (
                path.clone(),
                fs::metadata(path).ok().map(|metadata| Stamp::of(&metadata)),
            )
        })
        .collect()
}

/// The stamp of each file of a feature found inside the root.
fn file_stamps(files: &[(DocumentRole, FileState)]) -> FileStamps {
    files
        .iter()
        .filter_map(|(_, state)| match state {
            FileState::Inside(path) => Some((
                path.clone(),
                fs::metadata(path).ok().map(|metadata| Stamp::of(&metadata)),
            )),
            FileState::Missing | FileState::Outside(_) => None,
        })
        .collect()
}

/// Problems found while parsing go to the log once, when a file is (re)read.
fn log_diagnostics(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        tracing::warn!(source = %diagnostic.source, "{}", diagnostic.message);
    }
}

fn unreadable(path: Arc<str>, role: DocumentRole, message: &str) -> Document {
    let mut document = Document::empty(path.clone(), role);
    document.diagnostics.push(Diagnostic {
        source: Source { path, line: 1 },
        message: message.to_string(),
        kind: DiagnosticKind::Unreadable,
    });
    document
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::fixture::{kit, write};
    use super::{DEFAULT_MAX_FILE_BYTES, Workspace};
    use crate::model::{DocumentRole, Layout};

    #[test]
    fn a_root_that_is_missing_or_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        assert_eq!(
            Workspace::open(&missing).unwrap_err().to_string(),
            format!("spec root {} does not exist", missing.display())
        );
        let file = dir.path().join("file.md");
        fs::write(&file, "").unwrap();
        assert_eq!(
            Workspace::open(&file).unwrap_err().to_string(),
            format!("spec root {} is not a directory", file.display())
        );
    }

    /// The feature ids of a root holding `paths`.
    fn check_root(paths: &[&str], expected: &[&str]) {
        let files: Vec<(&str, &str)> = paths.iter().map(|path| (*path, "# Title\n")).collect();
        let (_dir, workspace) = kit(&files);
        assert_eq!(*workspace.feature_ids(), expected, "root {paths:?}");
    }

    #[test]
    fn features_are_read_from_specs_or_from_a_specs_folder_given_as_the_root() {
        check_root(&["specs/a/prd.md", "docs/prd.md"], &["a"]);
        // The root is the specs folder itself.
        check_root(&["a/prd.md", "b/tech-spec.md"], &["a", "b"]);
        // A project root of another layout: its other folders are not
        // features.
        check_root(
            &[".kiro/specs/pay/requirements.md", "docs/prd.md"],
            &["pay"],
        );
    }

    #[test]
    fn a_feature_holds_its_documents_in_the_conventions_order() {
        let (_dir, workspace) = kit(&[
            ("specs/a/tasks.md", "# Tasks\n\n- [ ] T001 Do it\n"),
            ("specs/a/contracts/api.md", "# API\n"),
            ("specs/a/spec.md", "# Login\n"),
            ("specs/a/plan.md", "# Plan\n"),
        ]);
        let feature = workspace.feature("a").unwrap();
        assert_eq!(feature.layout, Layout::SpecKit);
        assert_eq!(&*feature.dir, "specs/a");
        let documents: Vec<(&str, DocumentRole)> = feature
            .documents()
            .map(|document| (&*document.path, document.role))
            .collect();
        assert_eq!(
            documents,
            [
                ("specs/a/spec.md", DocumentRole::Prd),
                ("specs/a/plan.md", DocumentRole::TechSpec),
                ("specs/a/contracts/api.md", DocumentRole::TechSpec),
                ("specs/a/tasks.md", DocumentRole::Tasks),
            ]
        );
        assert_eq!(feature.tasks().count(), 1);
    }

    /// The diagnostics of the one document of feature `a`, whose `prd.md`
    /// holds `bytes`: `(line, message)`.
    fn check_unreadable(bytes: &[u8], expected: &[(u32, &str)]) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[("specs/a/tasks.md", "")]);
        fs::write(dir.path().join("specs/a/prd.md"), bytes).unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let feature = workspace.feature("a").unwrap();
        let prd = feature.documents().next().unwrap();
        let found: Vec<(u32, &str)> = prd
            .diagnostics
            .iter()
            .map(|diagnostic| (diagnostic.source.line, diagnostic.message.as_str()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_binary_file_is_not_read() {
        check_unreadable(
            b"# A\n\0\n",
            &[(
                1,
                "the file is binary (it holds NUL bytes); it was not read",
            )],
        );
    }

    #[test]
    fn a_file_not_in_utf8_is_read_with_replacements_and_said_so_at_its_line() {
        check_unreadable(
            b"# A\n\nfine\nbad \xff byte\n",
            &[(
                4,
                "the file is not valid UTF-8; unreadable bytes were replaced and nothing will be written to it",
            )],
        );
    }

    #[test]
    fn a_file_over_the_size_limit_is_not_read() {
        let (_dir, workspace) = kit(&[("specs/a/tasks.md", "")]);
        let prd = fs::File::create(workspace.root().join("specs/a/prd.md")).unwrap();
        // Sparse: no disk is spent on the test.
        prd.set_len(DEFAULT_MAX_FILE_BYTES + 1).unwrap();
        let feature = workspace.feature("a").unwrap();
        let message = &feature.documents().next().unwrap().diagnostics[0].message;
        assert_eq!(
            message,
            "the file is 8388609 bytes, over the 8388608-byte limit (--max-file-size); it was not read"
        );
    }

    #[test]
    fn the_size_limit_is_the_one_set() {
        let (dir, _) = kit(&[("specs/a/prd.md", "# A\n\nLonger than ten bytes.\n")]);
        let workspace = Workspace::open(dir.path()).unwrap().with_max_file_bytes(10);
        let feature = workspace.feature("a").unwrap();
        let message = &feature.documents().next().unwrap().diagnostics[0].message;
        assert_eq!(
            message,
            "the file is 28 bytes, over the 10-byte limit (--max-file-size); it was not read"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_document_linked_out_of_the_root_is_reported_not_read() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("plan.md"), "# Secret\n").unwrap();
        let (_dir, workspace) = kit(&[("specs/a/spec.md", "# A\n")]);
        let root = workspace.root().to_path_buf();
        std::os::unix::fs::symlink(outside.path().join("plan.md"), root.join("specs/a/plan.md"))
            .unwrap();
        let feature = workspace.feature("a").unwrap();
        assert_eq!(feature.documents().count(), 1);
        let about_plan: Vec<&str> = feature
            .diagnostics
            .iter()
            .filter(|diagnostic| &*diagnostic.source.path == "specs/a/plan.md")
            .map(|diagnostic| diagnostic.message.as_str())
            .collect();
        assert_eq!(
            about_plan,
            ["the file resolves outside the spec root; it was not read"]
        );

        // With nothing else to read, the feature is refused.
        fs::remove_file(root.join("specs/a/spec.md")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("plan.md"), root.join("specs/a/spec.md"))
            .unwrap();
        assert_eq!(
            workspace.feature("a").unwrap_err().to_string(),
            "specs/a/spec.md resolves outside the spec root; refusing to use it"
        );
    }

    #[test]
    fn questions_go_to_the_first_present_of_the_layouts_files() {
        let (_dir, workspace) = kit(&[
            ("specs/a/plan.md", "# Plan\n"),
            ("specs/a/tasks.md", "# Tasks\n"),
        ]);
        let primary = workspace.primary_path("a").unwrap();
        assert_eq!(workspace.relative(&primary.path), "specs/a/plan.md");
        assert_eq!(primary.role, DocumentRole::TechSpec);
        assert_eq!(primary.layout, Layout::SpecKit);
    }

    #[test]
    fn a_feature_without_a_file_for_questions_says_which_to_create() {
        let (_dir, workspace) = kit(&[(
            "openspec/changes/add-notes/specs/orders/spec.md",
            "# Orders\n",
        )]);
        assert_eq!(
            workspace.primary_path("add-notes").unwrap_err().to_string(),
            "feature add-notes has none of design.md, proposal.md, tasks.md to record \
             questions in; create design.md in openspec/changes/add-notes and ask again"
        );
    }

    #[test]
    fn project_files_are_read_but_steering_included_only_on_request() {
        let (_dir, workspace) = kit(&[
            (".kiro/specs/pay/requirements.md", "# Pay\n"),
            (".kiro/steering/tech.md", "# Tech\n"),
            (
                ".kiro/steering/manual.md",
                "---\ninclusion: manual\n---\n# Manual\n",
            ),
            (
                ".kiro/steering/always.md",
                "---\ninclusion: always\n---\n# Always\n",
            ),
        ]);
        let project = workspace.project(Layout::Kiro);
        let paths: Vec<&str> = project
            .documents
            .iter()
            .map(|document| &*document.path)
            .collect();
        assert_eq!(
            paths,
            [".kiro/steering/always.md", ".kiro/steering/tech.md"]
        );
        assert!(workspace.project(Layout::Native).documents.is_empty());
        // Those included on request are project files all the same.
        assert_eq!(
            workspace.project_paths(),
            [
                ".kiro/steering/always.md",
                ".kiro/steering/manual.md",
                ".kiro/steering/tech.md"
            ]
        );
    }

    #[test]
    fn the_native_project_file_sits_in_the_specs_folder() {
        let (_dir, workspace) = kit(&[
            ("specs/project.md", "# Project\n"),
            ("specs/a/prd.md", "# A\n"),
        ]);
        let project = workspace.project(Layout::Native);
        assert_eq!(project.documents.len(), 1);
        assert_eq!(&*project.documents[0].path, "specs/project.md");
        assert_eq!(project.documents[0].role, DocumentRole::Project);
    }
}
