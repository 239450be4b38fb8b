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

use crate::model::{Diagnostic, Document, DocumentRole, Feature, Project, Source};
use crate::parse;
use crate::parse::native::{FEATURE_FILES, PROJECT_FILE};

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
    /// The folder holding `project.md` and the feature folders.
    specs_dir: PathBuf,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    documents: HashMap<PathBuf, (Stamp, Arc<Document>)>,
    features: HashMap<String, (Vec<Option<Stamp>>, Arc<Feature>)>,
    feature_ids: Option<(Option<SystemTime>, Arc<Vec<String>>)>,
}

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

impl Workspace {
    /// Opens a spec root: either a project root with a `specs/` folder, or
    /// the specs folder itself.
    pub fn open(root: &Path) -> Result<Workspace, WorkspaceError> {
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
        } else {
            root.clone()
        };
        Ok(Workspace {
            root,
            specs_dir,
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

    /// Feature ids (folder names), sorted.
    pub fn feature_ids(&self) -> Arc<Vec<String>> {
        let modified = fs::metadata(&self.specs_dir)
            .and_then(|metadata| metadata.modified())
            .ok();
        let mut cache = self.lock();
        if let Some((stamp, ids)) = &cache.feature_ids
            && modified.is_some()
            && *stamp == modified
        {
            return ids.clone();
        }
        let ids = Arc::new(self.scan_feature_ids());
        cache.feature_ids = Some((modified, ids.clone()));
        ids
    }

    fn scan_feature_ids(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(&self.specs_dir) else {
            return Vec::new();
        };
        let mut ids: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| !name.starts_with('.'))
            .filter(|name| {
                self.feature_files(name)
                    .iter()
                    .any(|state| matches!(state, FileState::Inside(_)))
            })
            .collect();
        ids.sort();
        ids
    }

    /// Where each of the feature's documents is, in `FEATURE_FILES` order.
    fn feature_files(&self, id: &str) -> Vec<FileState> {
        let dir = self.specs_dir.join(id);
        FEATURE_FILES
            .iter()
            .map(|(name, _)| {
                let path = dir.join(name);
                if fs::symlink_metadata(&path).is_err() {
                    return FileState::Missing;
                }
                match self.inside(&path) {
                    Ok(resolved) if resolved.is_file() => FileState::Inside(resolved),
                    Ok(_) => FileState::Missing,
                    Err(_) => FileState::Outside(self.relative(&path)),
                }
            })
            .collect()
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
        let files = self.existing_feature_files(id)?;
        let stamps: Vec<Option<Stamp>> = files
            .iter()
            .map(|state| match state {
                FileState::Inside(path) => {
                    fs::metadata(path).ok().map(|metadata| Stamp::of(&metadata))
                }
                FileState::Missing | FileState::Outside(_) => None,
            })
            .collect();
        if let Some((cached_stamps, feature)) = self.lock().features.get(id)
            && *cached_stamps == stamps
        {
            return Ok(feature.clone());
        }
        let dir = self.specs_dir.join(id);
        let mut outside = Vec::new();
        let mut documents = Vec::new();
        for ((_, role), state) in FEATURE_FILES.iter().zip(&files) {
            match state {
                FileState::Inside(path) => documents.push((*self.document(path, *role)).clone()),
                FileState::Outside(relative) => outside.push(relative.clone()),
                FileState::Missing => {}
            }
        }
        let mut feature = parse::native::feature(id, Arc::from(self.relative(&dir)), documents);
        feature
            .diagnostics
            .extend(outside.into_iter().map(|relative| Diagnostic {
                source: Source {
                    path: Arc::from(relative.as_str()),
                    line: 1,
                },
                message: "the file resolves outside the spec root; it was not read".to_string(),
            }));
        let feature = Arc::new(feature);
        self.lock()
            .features
            .insert(id.to_string(), (stamps, feature.clone()));
        Ok(feature)
    }

    /// The feature's documents, after checking the id names a feature with
    /// at least one readable document.
    fn existing_feature_files(&self, id: &str) -> Result<Vec<FileState>, WorkspaceError> {
        check_id("feature", id)?;
        let files = self.feature_files(id);
        if files
            .iter()
            .any(|state| matches!(state, FileState::Inside(_)))
        {
            return Ok(files);
        }
        match files.into_iter().find_map(|state| match state {
            FileState::Outside(relative) => Some(relative),
            _ => None,
        }) {
            Some(relative) => Err(WorkspaceError::OutsideRoot { path: relative }),
            None => Err(WorkspaceError::UnknownFeature {
                id: printable(id),
                known: self.feature_ids().to_vec(),
            }),
        }
    }

    /// The document questions are appended to (the first of the feature's
    /// documents present), resolved for writing. A primary document that
    /// resolves outside the root is refused, never skipped.
    pub fn primary_path(&self, id: &str) -> Result<(PathBuf, DocumentRole), WorkspaceError> {
        let files = self.existing_feature_files(id)?;
        let first_present = FEATURE_FILES
            .iter()
            .zip(files)
            .find(|(_, state)| !matches!(state, FileState::Missing));
        match first_present {
            Some(((_, role), FileState::Inside(path))) => Ok((path, *role)),
            Some((_, FileState::Outside(relative))) => {
                Err(WorkspaceError::OutsideRoot { path: relative })
            }
            // `existing_feature_files` guarantees a document inside the root.
            Some((_, FileState::Missing)) | None => Err(WorkspaceError::UnknownFeature {
                id: printable(id),
                known: self.feature_ids().to_vec(),
            }),
        }
    }

    /// The project-wide document, if the kit has one.
    pub fn project(&self) -> Project {
        let path = self.specs_dir.join(PROJECT_FILE);
        match self.inside(&path) {
            Ok(resolved) if resolved.is_file() => Project {
                document: Some(self.document(&resolved, DocumentRole::Project)),
            },
            _ => Project::default(),
        }
    }

    /// Reads and parses one file, from the cache when it has not changed.
    fn document(&self, path: &Path, role: DocumentRole) -> Arc<Document> {
        let relative: Arc<str> = Arc::from(self.relative(path));
        let stamp = match fs::metadata(path) {
            Ok(metadata) => Stamp::of(&metadata),
            Err(error) => return Arc::new(unreadable(relative, role, &error.to_string())),
        };
        if let Some((cached, document)) = self.lock().documents.get(path)
            && *cached == stamp
        {
            return document.clone();
        }
        let document = Arc::new(read_document(path, relative, role, &stamp));
        self.lock()
            .documents
            .insert(path.to_path_buf(), (stamp, document.clone()));
        document
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn read_document(path: &Path, relative: Arc<str>, role: DocumentRole, stamp: &Stamp) -> Document {
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
    match String::from_utf8(bytes) {
        Ok(text) => parse::document(relative, role, &text),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let mut document = parse::document(relative.clone(), role, &text);
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

fn unreadable(path: Arc<str>, role: DocumentRole, message: &str) -> Document {
    Document {
        diagnostics: vec![Diagnostic {
            source: Source {
                path: path.clone(),
                line: 1,
            },
            message: message.to_string(),
        }],
        path,
        role,
        title: None,
        sections: Vec::new(),
        questions: Vec::new(),
        tasks: Vec::new(),
    }
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
