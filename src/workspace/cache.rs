//! What was read, kept until it changes: parsed documents by path, role and
//! layout; parsed features with the stamps of the files they were built
//! from; the feature listing with the stamps of the folders it was listed
//! from. Also which features each file was read into, so a file watcher or
//! the writer can say what a change touches.
//!
//! An entry is used while its stamps match the disk. A stamp from the last
//! [`SETTLE`] is not trusted as a key, so what was read then is used but not
//! kept. A change a stamp cannot show (a second change within one tick, a
//! copy that keeps the old time and size) is what [`Workspace::invalidate`]
//! is for. Nothing here reads a file's contents; only metadata is looked at.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use super::paths::FileState;
use super::{Catalogue, Located, Workspace};
use crate::model::{Document, DocumentRole, Feature, Layout, Project};

/// How recent a modification time must be to be trusted as a cache key.
/// Within this window a second change may land in the same timestamp tick
/// (file systems and kernels differ in how fine their ticks are) and go
/// unseen, so what was read is used but not cached.
pub(super) const SETTLE: Duration = Duration::from_secs(2);

/// Whether `time` is too recent to tell a later change in the same tick
/// from no change.
pub(super) fn racy(time: Option<SystemTime>) -> bool {
    time.is_some_and(|time| {
        SystemTime::now()
            .duration_since(time)
            .map_or(true, |age| age < SETTLE)
    })
}

pub(super) fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
}

/// Folders features are listed from, each with its modification time.
pub(super) type FolderStamps = Vec<(PathBuf, Option<SystemTime>)>;

/// The files a feature was parsed from, each with its stamp.
pub(super) type FileStamps = Vec<(PathBuf, Option<Stamp>)>;

/// A parsed file's key: its resolved path, and the role and layout it was
/// read in.
pub(super) type DocumentKey = (PathBuf, DocumentRole, Layout);

/// What tells a changed file from an unchanged one without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) len: u64,
    pub(super) modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl Stamp {
    pub(super) fn of(metadata: &fs::Metadata) -> Stamp {
        Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(metadata),
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Cache {
    /// Parsed files by path and the role and layout they were read in.
    documents: HashMap<DocumentKey, (Stamp, Arc<Document>)>,
    features: HashMap<String, (FileStamps, Arc<Feature>)>,
    /// For each file, the features it was last read into, kept or not: a
    /// file that just changed is too recent to keep, and is exactly the one
    /// a watcher asks about.
    touches: HashMap<PathBuf, BTreeSet<String>>,
    listing: Option<Listing>,
    /// Where each feature asked for by id was found, and its files.
    resolutions: HashMap<String, Resolution>,
    /// Each layout's project-wide documents.
    projects: HashMap<Layout, KeptProject>,
}

/// A layout's project-wide documents, with the stamps of their files and
/// of the folders that decided which files they are.
#[derive(Debug, Clone)]
pub(super) struct KeptProject {
    pub(super) project: Project,
    pub(super) files: FileStamps,
    pub(super) folders: FolderStamps,
}

/// Where a feature is and which of its files exist, resolved inside the
/// root, with the folders whose entries decided it: while none of them
/// changed, no folder is listed and no path resolved again.
#[derive(Debug, Clone)]
pub(super) struct Resolution {
    pub(super) located: Located,
    pub(super) files: Vec<(DocumentRole, FileState)>,
    pub(super) folders: FolderStamps,
}

/// Whether every folder still has the stamp it had. A folder that was
/// absent is not looked at when its parent is absent too, or is there
/// with the stamp it had: a folder's stamp changes whenever an entry
/// appears in it, and a stamp is kept only once it is too old to share its
/// tick with a later change. (Stamps are kept sorted, parents first, and
/// hold the parents of absent folders: see [`stamp_folders`].)
pub(super) fn unchanged(folders: &FolderStamps) -> bool {
    let mut absent: Vec<&Path> = Vec::new();
    let mut same: Vec<&Path> = Vec::new();
    folders.iter().all(|(folder, stamp)| {
        if stamp.is_none()
            && folder
                .parent()
                .is_some_and(|parent| absent.contains(&parent) || same.contains(&parent))
        {
            absent.push(folder);
            return true;
        }
        let now = modified(folder);
        match now {
            None => absent.push(folder),
            Some(_) if now == *stamp => same.push(folder),
            Some(_) => {}
        }
        now == *stamp
    })
}
/// Whether any folder's stamp is too recent to trust.
fn unsettled(folders: &FolderStamps) -> bool {
    folders.iter().any(|(_, stamp)| racy(*stamp))
}

/// The stamps of `folders`, each once, sorted parents first. An absent
/// folder comes with its parents up to the nearest one that is there, so
/// that [`unchanged`] can tell it is still absent from that parent's stamp.
pub(super) fn stamp_folders(folders: Vec<PathBuf>) -> FolderStamps {
    let mut stamped: Vec<(PathBuf, Option<SystemTime>)> = Vec::with_capacity(folders.len());
    let mut pending = folders;
    while let Some(folder) = pending.pop() {
        if stamped.iter().any(|(kept, _)| *kept == folder) {
            continue;
        }
        let stamp = modified(&folder);
        if stamp.is_none()
            && let Some(parent) = folder.parent()
            && parent.parent().is_some()
        {
            pending.push(parent.to_path_buf());
        }
        stamped.push((folder, stamp));
    }
    stamped.sort_by(|(left, _), (right, _)| left.cmp(right));
    stamped
}

/// The feature ids, with the modification times of the folders they were
/// listed from.
#[derive(Debug)]
struct Listing {
    /// The layouts' base folders, then the subfolders looked at in them.
    folders: FolderStamps,
    catalogue: Catalogue,
}

impl Listing {
    /// Whether a change at `path` may change the listing: `path` is a
    /// folder it was listed from, or an entry directly in one (a folder
    /// appearing in a base folder, a marker file in a feature folder),
    /// which is what that folder's stamp stands for.
    fn depends_on(&self, path: &Path) -> bool {
        self.folders
            .iter()
            .any(|(folder, _)| folder == path || path.parent() == Some(folder))
    }
}

impl Cache {
    /// The document kept for `key`, if it was read with this stamp.
    pub(super) fn document(&self, key: &DocumentKey, stamp: &Stamp) -> Option<Arc<Document>> {
        self.documents
            .get(key)
            .filter(|(cached, _)| cached == stamp)
            .map(|(_, document)| document.clone())
    }

    /// Keeps a document just read, unless its stamp is too recent to trust;
    /// then any older copy goes too.
    pub(super) fn keep_document(
        &mut self,
        key: DocumentKey,
        stamp: Stamp,
        document: Arc<Document>,
    ) {
        if racy(stamp.modified) {
            self.documents.remove(&key);
        } else {
            self.documents.insert(key, (stamp, document));
        }
    }

    /// The feature kept for `id`, if it was built from these files with
    /// these stamps.
    pub(super) fn feature(&self, id: &str, stamps: &FileStamps) -> Option<Arc<Feature>> {
        self.features
            .get(id)
            .filter(|(cached, _)| cached == stamps)
            .map(|(_, feature)| feature.clone())
    }

    /// Keeps a feature just built, unless one of its files' stamps is too
    /// recent to trust; then any older copy goes too. Either way, records
    /// the files it was built from.
    pub(super) fn keep_feature(&mut self, id: &str, stamps: FileStamps, feature: Arc<Feature>) {
        self.touches.retain(|_, ids| {
            ids.remove(id);
            !ids.is_empty()
        });
        for (path, _) in &stamps {
            self.touches
                .entry(path.clone())
                .or_default()
                .insert(id.to_string());
        }
        let settled = !stamps
            .iter()
            .any(|(_, stamp)| racy(stamp.as_ref().and_then(|stamp| stamp.modified)));
        if settled {
            self.features.insert(id.to_string(), (stamps, feature));
        } else {
            self.features.remove(id);
        }
    }

    /// The listing kept, if none of the folders it was listed from changed
    /// since.
    pub(super) fn listing(&self) -> Option<Catalogue> {
        let listing = self.listing.as_ref()?;
        // A folder that does not exist stamps as `None`: still a valid
        // key, so a one-layout project does not rescan on every call.
        unchanged(&listing.folders).then(|| listing.catalogue.clone())
    }

    /// Keeps a listing just made, unless a folder's stamp is too recent to
    /// trust; then any older listing goes too.
    pub(super) fn keep_listing(&mut self, folders: FolderStamps, catalogue: Catalogue) {
        let settled = !folders.iter().any(|(_, stamp)| racy(*stamp));
        self.listing = settled.then_some(Listing { folders, catalogue });
    }

    /// Drops what a change at `path` (resolved as the cache holds paths)
    /// may have made stale.
    /// Where the feature `id` was found, if it was kept.
    pub(super) fn resolution(&self, id: &str) -> Option<Resolution> {
        self.resolutions.get(id).cloned()
    }

    /// Keeps where a feature was found, unless a folder's stamp is too
    /// recent to trust.
    pub(super) fn keep_resolution(&mut self, id: &str, resolution: Resolution) {
        if unsettled(&resolution.folders) {
            self.resolutions.remove(id);
        } else {
            self.resolutions.insert(id.to_string(), resolution);
        }
    }

    /// A layout's project-wide documents, if they were kept.
    pub(super) fn project(&self, layout: Layout) -> Option<KeptProject> {
        self.projects.get(&layout).cloned()
    }

    /// Keeps a layout's project-wide documents, unless a stamp is too
    /// recent to trust.
    pub(super) fn keep_project(&mut self, layout: Layout, kept: KeptProject) {
        let recent = unsettled(&kept.folders)
            || kept
                .files
                .iter()
                .any(|(_, stamp)| racy(stamp.as_ref().and_then(|stamp| stamp.modified)));
        if recent {
            self.projects.remove(&layout);
        } else {
            self.projects.insert(layout, kept);
        }
    }

    fn invalidate(&mut self, path: &Path) {
        // A path, or an entry in a folder, that decided where files are.
        let decided = |folders: &FolderStamps| {
            folders
                .iter()
                .any(|(folder, _)| folder == path || path.parent() == Some(folder.as_path()))
        };
        self.resolutions
            .retain(|_, resolution| !decided(&resolution.folders));
        self.projects.retain(|_, kept| {
            !decided(&kept.folders) && !kept.files.iter().any(|(file, _)| file == path)
        });

        self.documents
            .retain(|(document, _, _), _| document != path);
        if let Some(ids) = self.touches.get(path) {
            for id in ids {
                self.features.remove(id);
            }
        }
        if self
            .listing
            .as_ref()
            .is_some_and(|listing| listing.depends_on(path))
        {
            self.listing = None;
        }
    }
}

impl Workspace {
    pub(super) fn lock(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets what was read from `path` (absolute, or relative to the
    /// root): the documents parsed from it, every feature built from it,
    /// and the feature listing when `path` is a folder the listing was made
    /// from or an entry directly in one. For a file watcher or the writer,
    /// which know of changes a stamp may not show; the next call reads
    /// them from disk.
    pub fn invalidate(&self, path: &Path) {
        let keys = self.cache_keys(path);
        let mut cache = self.lock();
        for key in &keys {
            cache.invalidate(key);
        }
    }

    /// The features the file at `path` (absolute, or relative to the root)
    /// was last read into, sorted: those a change to it changes. Only
    /// features read since the workspace was opened are known.
    pub fn features_touching(&self, path: &Path) -> Vec<String> {
        let keys = self.cache_keys(path);
        let cache = self.lock();
        let ids: BTreeSet<&String> = keys
            .iter()
            .filter_map(|key| cache.touches.get(key))
            .flatten()
            .collect();
        ids.into_iter().cloned().collect()
    }

    /// Whether the feature `id` was read since the workspace was opened:
    /// then every file it was read from is known to
    /// [`Workspace::features_touching`].
    pub fn feature_was_read(&self, id: &str) -> bool {
        self.lock().touches.values().any(|ids| ids.contains(id))
    }

    /// The forms of `path` the cache may hold: as given (made absolute),
    /// and resolved, as documents are kept. A file just deleted no longer
    /// resolves, so its folder is resolved instead.
    fn cache_keys(&self, path: &Path) -> Vec<PathBuf> {
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        };
        let resolved = fs::canonicalize(&absolute).ok().or_else(|| {
            let folder = fs::canonicalize(absolute.parent()?).ok()?;
            Some(folder.join(absolute.file_name()?))
        });
        let mut keys = vec![absolute];
        if let Some(resolved) = resolved
            && resolved != keys[0]
        {
            keys.push(resolved);
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use std::fs::{self, File};
    use std::path::Path;
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    use crate::model::Layout;
    use crate::workspace::WorkspaceError;
    use crate::workspace::fixture::{kit, write};

    /// A fixed time long past: stamps from then are trusted, and setting
    /// it again after a change makes the change invisible to them.
    fn long_ago() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    /// Sets the modification time of everything under `path`, folders
    /// last (writing into a folder changes its time), to [`long_ago`].
    fn settle(path: &Path) {
        if path.is_dir() {
            for entry in fs::read_dir(path).unwrap() {
                settle(&entry.unwrap().path());
            }
        }
        File::open(path).unwrap().set_modified(long_ago()).unwrap();
    }

    /// Rewrites `path` in place with text of the same length and puts its
    /// time back: length, time and inode all look unchanged.
    fn rewrite_unseen(path: &Path, text: &str) {
        assert_eq!(fs::metadata(path).unwrap().len(), text.len() as u64);
        fs::write(path, text).unwrap();
        settle(path);
    }

    #[test]
    fn a_warm_feature_is_found_without_resolving_its_paths_again() {
        let (_dir, workspace) = kit(&[("specs/a/prd.md", "# Alpha\n")]);
        settle(workspace.root());
        workspace.feature("a").unwrap();
        assert!(workspace.lock().resolution("a").is_some(), "kept");
        // A file added to the folder is seen: the folder's stamp changed.
        fs::write(workspace.root().join("specs/a/tasks.md"), "- [ ] T1 Go\n").unwrap();
        let feature = workspace.feature("a").unwrap();
        assert_eq!(feature.tasks().count(), 1);
    }

    #[test]
    fn an_absent_folder_is_vouched_for_by_its_parent_until_it_appears() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("kit");
        fs::create_dir(&root).unwrap();
        let deep = root.join(".kiro/specs");
        settle(&root);
        let stamps = super::stamp_folders(vec![deep.clone(), root.clone()]);
        let listed: Vec<&Path> = stamps.iter().map(|(folder, _)| folder.as_path()).collect();
        assert_eq!(
            listed,
            [root.as_path(), &root.join(".kiro"), &deep],
            "parents first, up to one that is there"
        );
        assert!(super::unchanged(&stamps));
        // The first folder that appears changes the stamp of the one above.
        fs::create_dir_all(&deep).unwrap();
        assert!(!super::unchanged(&stamps), "the new folder is seen");
        // Made with a parent in place: the parent's stamp shows it too.
        settle(&root);
        let stamps = super::stamp_folders(vec![deep.join("a")]);
        assert!(super::unchanged(&stamps));
        fs::create_dir(deep.join("a")).unwrap();
        assert!(!super::unchanged(&stamps), "the new subfolder is seen");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_swapped_for_a_link_out_of_the_root_is_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.md");
        fs::write(&secret, "# Secret\n").unwrap();
        let (_dir, workspace) = kit(&[("specs/a/prd.md", "# Alpha\n")]);
        settle(workspace.root());
        assert_eq!(workspace.feature("a").unwrap().title, "Alpha");
        // The swap keeps the folder's time, so only the file's stamp shows
        // it: the paths must be resolved again before anything is read.
        let prd = workspace.root().join("specs/a/prd.md");
        fs::remove_file(&prd).unwrap();
        std::os::unix::fs::symlink(&secret, &prd).unwrap();
        File::open(workspace.root().join("specs/a"))
            .unwrap()
            .set_modified(long_ago())
            .unwrap();
        let error = workspace.feature("a").unwrap_err();
        assert!(
            matches!(error, WorkspaceError::OutsideRoot { .. }),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_project_file_swapped_for_a_link_out_of_the_root_is_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.md");
        fs::write(&secret, "# Secret\n").unwrap();
        let (_dir, workspace) = kit(&[
            ("specs/a/prd.md", "# Alpha\n"),
            ("specs/project.md", "# Project\n"),
        ]);
        settle(workspace.root());
        let first = workspace.project(Layout::Native);
        assert_eq!(first.documents.len(), 1);
        assert!(Arc::ptr_eq(
            &first.documents[0],
            &workspace.project(Layout::Native).documents[0]
        ));
        let project = workspace.root().join("specs/project.md");
        fs::remove_file(&project).unwrap();
        std::os::unix::fs::symlink(&secret, &project).unwrap();
        File::open(workspace.root().join("specs"))
            .unwrap()
            .set_modified(long_ago())
            .unwrap();
        assert!(workspace.project(Layout::Native).documents.is_empty());
    }

    #[test]
    fn a_feature_is_read_again_after_invalidate_though_its_stamp_looks_unchanged() {
        let (_dir, workspace) = kit(&[("specs/a/prd.md", "# Alpha\n")]);
        settle(workspace.root());
        let first = workspace.feature("a").unwrap();
        assert!(Arc::ptr_eq(&first, &workspace.feature("a").unwrap()));

        rewrite_unseen(&workspace.root().join("specs/a/prd.md"), "# Omega\n");
        // The stamps cannot tell: the old answer is still given.
        let stale = workspace.feature("a").unwrap();
        assert!(Arc::ptr_eq(&first, &stale));

        workspace.invalidate(Path::new("specs/a/prd.md"));
        let fresh = workspace.feature("a").unwrap();
        assert_eq!(fresh.title, "Omega");
        assert_eq!(fresh.documents[0].title.as_deref(), Some("Omega"));
        // Read again after the change, and kept again.
        assert!(Arc::ptr_eq(&fresh, &workspace.feature("a").unwrap()));
    }

    #[test]
    fn a_project_document_is_read_again_after_invalidate() {
        let (_dir, workspace) = kit(&[
            ("specs/project.md", "# Alpha\n"),
            ("specs/a/prd.md", "# A\n"),
        ]);
        settle(workspace.root());
        let project = workspace.project(Layout::Native);
        let first = project.documents[0].clone();
        let path = workspace.root().join("specs/project.md");
        rewrite_unseen(&path, "# Omega\n");
        assert!(Arc::ptr_eq(
            &first,
            &workspace.project(Layout::Native).documents[0]
        ));

        workspace.invalidate(&path);
        let fresh = workspace.project(Layout::Native).documents[0].clone();
        assert_eq!(fresh.title.as_deref(), Some("Omega"));
    }

    #[test]
    fn invalidating_an_unrelated_path_keeps_what_was_kept() {
        let (_dir, workspace) = kit(&[
            ("specs/a/prd.md", "# A\n"),
            ("specs/b/prd.md", "# B\n"),
            ("docs/notes.md", "# Notes\n"),
        ]);
        settle(workspace.root());
        let a = workspace.feature("a").unwrap();
        let b = workspace.feature("b").unwrap();
        let ids = workspace.feature_ids();

        workspace.invalidate(Path::new("docs/notes.md"));
        workspace.invalidate(Path::new("missing/file.md"));
        assert!(Arc::ptr_eq(&a, &workspace.feature("a").unwrap()));
        assert!(Arc::ptr_eq(&b, &workspace.feature("b").unwrap()));
        assert!(Arc::ptr_eq(&ids, &workspace.feature_ids()));

        // Only what was built from the path goes.
        workspace.invalidate(&workspace.root().join("specs/b/prd.md"));
        assert!(Arc::ptr_eq(&a, &workspace.feature("a").unwrap()));
        assert!(!Arc::ptr_eq(&b, &workspace.feature("b").unwrap()));
    }

    #[test]
    fn a_listing_is_made_again_after_invalidating_a_folder_it_depends_on() {
        let (_dir, workspace) = kit(&[("specs/a/prd.md", "# A\n")]);
        settle(workspace.root());
        let first = workspace.feature_ids();
        assert!(Arc::ptr_eq(&first, &workspace.feature_ids()));

        // A feature copied in with its old times: no folder stamp changes.
        write(workspace.root(), &[("specs/b/prd.md", "# B\n")]);
        settle(workspace.root());
        assert_eq!(*workspace.feature_ids(), ["a"]);

        workspace.invalidate(Path::new("specs/b"));
        assert_eq!(*workspace.feature_ids(), ["a", "b"]);

        // The base folder itself, and a marker file in a feature folder,
        // drop the listing too.
        let listed = workspace.feature_ids();
        workspace.invalidate(Path::new("specs"));
        assert!(!Arc::ptr_eq(&listed, &workspace.feature_ids()));
        let listed = workspace.feature_ids();
        workspace.invalidate(Path::new("specs/a/tech-spec.md"));
        assert!(!Arc::ptr_eq(&listed, &workspace.feature_ids()));
    }

    #[test]
    fn a_file_touches_the_features_it_was_read_into_even_when_too_recent_to_keep() {
        let (_dir, workspace) = kit(&[("specs/a/prd.md", "# A\n"), ("specs/b/prd.md", "# B\n")]);
        assert!(
            workspace
                .features_touching(Path::new("specs/a/prd.md"))
                .is_empty()
        );
        workspace.feature("a").unwrap();
        workspace.feature("b").unwrap();
        assert_eq!(
            workspace.features_touching(Path::new("specs/a/prd.md")),
            ["a"]
        );
        assert_eq!(
            workspace.features_touching(&workspace.root().join("specs/b/prd.md")),
            ["b"]
        );
        assert!(workspace.features_touching(Path::new("specs/a")).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_two_features_share_touches_both_until_one_stops_using_it() {
        let (_dir, workspace) = kit(&[("specs/a/prd.md", "# A\n"), ("specs/b/prd.md", "# B\n")]);
        let root = workspace.root().to_path_buf();
        std::os::unix::fs::symlink(root.join("specs/a/prd.md"), root.join("specs/b/tasks.md"))
            .unwrap();
        workspace.feature("a").unwrap();
        workspace.feature("b").unwrap();
        assert_eq!(
            workspace.features_touching(Path::new("specs/a/prd.md")),
            ["a", "b"]
        );
        // Asked by the link's path, the answer is the same.
        assert_eq!(
            workspace.features_touching(Path::new("specs/b/tasks.md")),
            ["a", "b"]
        );

        fs::remove_file(root.join("specs/b/tasks.md")).unwrap();
        workspace.feature("b").unwrap();
        assert_eq!(
            workspace.features_touching(Path::new("specs/a/prd.md")),
            ["a"]
        );
        assert!(
            workspace
                .features_touching(Path::new("specs/b/tasks.md"))
                .is_empty()
        );
    }
}
