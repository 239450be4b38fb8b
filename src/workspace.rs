//! The spec root on disk: finding the specs folder and its features, reading
//! files (the only module that reads spec files for answers), and caching
//! parsed documents so a feature is parsed on first use and a file is
//! re-read only when it changed.
//!
//! Every path handed out or read is checked to resolve inside the root;
//! nothing outside it is read, and error messages never name such paths.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use crate::model::{Diagnostic, Document, DocumentRole, Feature, Layout, Project, Source};
use crate::parse::{self, CONVENTIONS, Convention, native, openspec, speckit};

/// Files larger than this are reported, not parsed.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

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
    #[error("invalid {what} `{id}`: {reason}")]
    InvalidId {
        what: &'static str,
        id: String,
        reason: &'static str,
    },
    #[error("{path} resolves outside the spec root; refusing to use it")]
    OutsideRoot { path: String },
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

/// "valid features: a, b" or "there are no features".
pub fn list_choices(what: &str, known: &[String]) -> String {
    if known.is_empty() {
        format!("there are no {what}")
    } else {
        format!("valid {what}: {}", known.join(", "))
    }
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
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    /// Parsed files by path and the role and layout they were read in.
    documents: HashMap<(PathBuf, DocumentRole, Layout), (Stamp, Arc<Document>)>,
    features: HashMap<String, (FileStamps, Arc<Feature>)>,
    catalogue: Option<Listing>,
}

/// The feature ids, with the modification times of the folders they were
/// listed from.
#[derive(Debug)]
struct Listing {
    bases: FolderStamps,
    folders: Vec<(PathBuf, Option<SystemTime>)>,
    catalogue: Catalogue,
}

/// The kit's feature ids, in layout order then by name.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Every feature.
    pub ids: Arc<Vec<String>>,
    /// The features that are work items, leaving out reference folders
    /// (OpenSpec's capabilities, the current truth changes apply to).
    pub work: Arc<Vec<String>>,
}

/// How recent a modification time must be to be trusted as a cache key.
/// Within this window a second change may land in the same timestamp tick
/// (file systems and kernels differ in how fine their ticks are) and go
/// unseen, so what was read is used but not cached.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether `time` is too recent to tell a later change in the same tick
/// from no change.
fn racy(time: Option<SystemTime>) -> bool {
    time.is_some_and(|time| {
        SystemTime::now()
            .duration_since(time)
            .map_or(true, |age| age < SETTLE)
    })
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
}

/// Modification times of the folders features are listed from.
type FolderStamps = Vec<Option<SystemTime>>;

/// The files a feature was parsed from, each with its stamp.
type FileStamps = Vec<(PathBuf, Option<Stamp>)>;

/// Where one of a feature's documents is.
#[derive(Debug)]
enum FileState {
    Missing,
    /// Present, resolved inside the root.
    Inside(PathBuf),
    /// Present but resolving outside the root; holds the path relative to
    /// the root, safe to show.
    Outside(String),
}

/// What tells a changed file from an unchanged one without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl Stamp {
    fn of(metadata: &fs::Metadata) -> Stamp {
        Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(metadata),
        }
    }
}

/// A feature found on disk: its folder and the convention it follows.
#[derive(Debug, Clone)]
pub struct Located {
    /// The id answers use: the folder name, qualified when it clashes.
    pub id: String,
    pub convention: &'static Convention,
    pub dir: PathBuf,
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
            cache: Mutex::new(Cache::default()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of `path` relative to the root, with `/` separators.
    pub fn relative(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        relative
            .components()
            .map(|component| component.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The conventions read: all, or those of the `--layout` chosen.
    fn conventions(&self) -> impl Iterator<Item = &'static Convention> + '_ {
        CONVENTIONS
            .into_iter()
            .filter(|convention| self.layout.is_none_or(|layout| convention.layout == layout))
    }

    fn base_dir(&self, convention: &Convention) -> PathBuf {
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
        {
            let cache = self.lock();
            // A folder that does not exist stamps as `None`: still a valid
            // key, so a one-layout project does not rescan on every call.
            if let Some(listing) = &cache.catalogue
                && listing.bases
                    == bases
                        .iter()
                        .map(|base| modified(base))
                        .collect::<FolderStamps>()
                && listing
                    .folders
                    .iter()
                    .all(|(folder, stamp)| modified(folder) == *stamp)
            {
                return listing.catalogue.clone();
            }
        }
        let base_stamps: FolderStamps = bases.iter().map(|base| modified(base)).collect();
        let (catalogue, folders) = self.scan_feature_ids();
        let settled = !base_stamps
            .iter()
            .chain(folders.iter().map(|(_, stamp)| stamp))
            .any(|stamp| racy(*stamp));
        self.lock().catalogue = settled.then(|| Listing {
            bases: base_stamps,
            folders,
            catalogue: catalogue.clone(),
        });
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

    /// Where each of the feature's documents is, in the convention's order.
    fn feature_files(&self, located: &Located) -> Vec<(DocumentRole, FileState)> {
        located
            .convention
            .documents
            .iter()
            .flat_map(|(pattern, role)| {
                self.paths(&located.dir, pattern)
                    .into_iter()
                    .map(|path| (*role, self.file_state(&path)))
            })
            .collect()
    }

    fn file_state(&self, path: &Path) -> FileState {
        if fs::symlink_metadata(path).is_err() {
            return FileState::Missing;
        }
        match self.inside(path) {
            Ok(resolved) if resolved.is_file() => FileState::Inside(resolved),
            Ok(_) => FileState::Missing,
            Err(_) => FileState::Outside(self.relative(path)),
        }
    }

    /// Resolves `path` and checks it lies inside the root.
    fn inside(&self, path: &Path) -> Result<PathBuf, WorkspaceError> {
        let resolved = fs::canonicalize(path).map_err(|source| WorkspaceError::Io {
            path: PathBuf::from(self.relative(path)),
            source,
        })?;
        if resolved.starts_with(&self.root) {
            Ok(resolved)
        } else {
            Err(WorkspaceError::OutsideRoot {
                path: self.relative(path),
            })
        }
    }

    /// Checks a feature id names a feature and returns it, parsed.
    pub fn feature(&self, id: &str) -> Result<Arc<Feature>, WorkspaceError> {
        let located = self.locate(id)?;
        let files = self.existing_feature_files(&located)?;
        let stamps: FileStamps = files
            .iter()
            .filter_map(|(_, state)| match state {
                FileState::Inside(path) => Some((
                    path.clone(),
                    fs::metadata(path).ok().map(|metadata| Stamp::of(&metadata)),
                )),
                FileState::Missing | FileState::Outside(_) => None,
            })
            .collect();
        if let Some((cached_stamps, feature)) = self.lock().features.get(&located.id)
            && *cached_stamps == stamps
        {
            return Ok(feature.clone());
        }
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
            }));
        log_diagnostics(&feature.diagnostics);
        let feature = Arc::new(feature);
        let settled = !stamps
            .iter()
            .any(|(_, stamp)| racy(stamp.as_ref().and_then(|stamp| stamp.modified)));
        if settled {
            self.lock()
                .features
                .insert(located.id.clone(), (stamps, feature.clone()));
        } else {
            self.lock().features.remove(&located.id);
        }
        Ok(feature)
    }

    /// The feature's documents, after checking it has at least one
    /// readable document.
    fn existing_feature_files(
        &self,
        located: &Located,
    ) -> Result<Vec<(DocumentRole, FileState)>, WorkspaceError> {
        let files = self.feature_files(located);
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
        let base = if convention.project_in_base {
            self.specs_dir.clone()
        } else {
            self.root.clone()
        };
        let mut documents = Vec::new();
        for (pattern, role) in convention.project {
            for path in self.existing_paths(&base, pattern) {
                if let FileState::Inside(resolved) = self.file_state(&path) {
                    let document = self.document(&resolved, *role, layout);
                    if document.front_matter("inclusion") != Some("manual") {
                        documents.push(document);
                    }
                }
            }
        }
        Project { documents }
    }

    /// Reads and parses one file, from the cache when it has not changed.
    fn document(&self, path: &Path, role: DocumentRole, layout: Layout) -> Arc<Document> {
        let relative: Arc<str> = Arc::from(self.relative(path));
        let stamp = match fs::metadata(path) {
            Ok(metadata) => Stamp::of(&metadata),
            Err(error) => return Arc::new(unreadable(relative, role, &error.to_string())),
        };
        let key = (path.to_path_buf(), role, layout);
        if let Some((cached, document)) = self.lock().documents.get(&key)
            && *cached == stamp
        {
            return document.clone();
        }
        let document = Arc::new(read_document(path, relative, role, layout, &stamp));
        log_diagnostics(&document.diagnostics);
        if racy(stamp.modified) {
            self.lock().documents.remove(&key);
        } else {
            self.lock().documents.insert(key, (stamp, document.clone()));
        }
        document
    }

    /// The paths of `pattern` under `dir` that exist.
    fn existing_paths(&self, dir: &Path, pattern: &str) -> Vec<PathBuf> {
        let mut paths = self.paths(dir, pattern);
        paths.retain(|path| fs::symlink_metadata(path).is_ok());
        paths
    }

    /// The paths a pattern names under `dir`. A `*` segment (or `*.md` as the
    /// last one) matches every entry not starting with a dot, sorted; a
    /// pattern without `*` names its one path, present or not. Folders
    /// resolving outside the root are not listed.
    fn paths(&self, dir: &Path, pattern: &str) -> Vec<PathBuf> {
        let mut paths = vec![dir.to_path_buf()];
        let segments: Vec<&str> = pattern.split('/').collect();
        for (position, segment) in segments.iter().enumerate() {
            let last = position + 1 == segments.len();
            if let Some(suffix) = segment.strip_prefix('*') {
                let mut next = Vec::new();
                for path in &paths {
                    // Never list a folder that resolves outside the root.
                    if self.inside(path).is_err() {
                        continue;
                    }
                    let Ok(entries) = fs::read_dir(path) else {
                        continue;
                    };
                    let mut names: Vec<String> = entries
                        .filter_map(Result::ok)
                        .filter_map(|entry| entry.file_name().into_string().ok())
                        .filter(|name| !name.starts_with('.') && name.ends_with(suffix))
                        .collect();
                    names.sort();
                    next.extend(names.into_iter().map(|name| path.join(name)));
                }
                paths = next;
                if !last {
                    paths.retain(|path| path.is_dir());
                }
            } else {
                for path in &mut paths {
                    path.push(segment);
                }
            }
        }
        if pattern.contains('*') {
            paths.retain(|path| fs::symlink_metadata(path).is_ok());
        }
        paths
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn read_document(
    path: &Path,
    relative: Arc<str>,
    role: DocumentRole,
    layout: Layout,
    stamp: &Stamp,
) -> Document {
    if stamp.len > MAX_FILE_BYTES {
        return unreadable(
            relative,
            role,
            &format!(
                "the file is {} bytes, over the {MAX_FILE_BYTES}-byte limit; it was not read",
                stamp.len
            ),
        );
    }
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => return unreadable(relative, role, &error.to_string()),
    };
    if bytes.contains(&0) {
        return unreadable(
            relative,
            role,
            "the file is binary (it holds NUL bytes); it was not read",
        );
    }
    let parse = |relative: Arc<str>, text: &str| {
        if &*relative == openspec::CONFIG_FILE {
            openspec::config_document(relative, text)
        } else {
            parse::document_in(layout, relative, role, text)
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => parse(relative, &text),
        Err(error) => {
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
            });
            document
        }
    }
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
    });
    document
}

/// Refuses ids that could name a path outside their folder or fool a reader.
pub fn check_id(what: &'static str, id: &str) -> Result<(), WorkspaceError> {
    let reason = if id.is_empty() {
        Some("it is empty")
    } else if id.len() > 200 {
        Some("it is longer than 200 bytes")
    } else if id.contains('\0') {
        Some("it contains a NUL character")
    } else if id.contains('/') || id.contains('\\') {
        Some("it contains a path separator")
    } else if id.contains("..") {
        Some("it contains `..`")
    } else if id.starts_with('.') {
        Some("it starts with a dot")
    } else if id.trim() != id {
        Some("it starts or ends with whitespace")
    } else if id.chars().any(|c| c.is_control() || is_invisible(c)) {
        Some("it contains control or invisible characters")
    } else if Path::new(id).is_absolute() || id.contains(':') {
        Some("it looks like a path")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(WorkspaceError::InvalidId {
            what,
            id: printable(id),
            reason,
        }),
        None => Ok(()),
    }
}

/// Zero-width and bidi formatting characters: they make two different ids
/// look alike.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{61c}')
}

/// An id made safe to echo back: anything but printable ASCII escaped (so
/// a look-alike shows as different), length capped.
pub fn printable(id: &str) -> String {
    let escaped: String = id.chars().flat_map(char::escape_default).take(80).collect();
    escaped
}
