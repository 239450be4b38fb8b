//! What was read, kept until it changes: parsed documents by path, role and
//! layout; parsed features with the stamps of the files they were built
//! from; the feature listing with the stamps of the folders it was listed
//! from.
//!
//! An entry is used while its stamps match the disk. A stamp from the last
//! [`SETTLE`] is not trusted as a key, so what was read then is used but not
//! kept. Nothing here reads a file's contents; only metadata is looked at.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use super::{Catalogue, Workspace};
use crate::model::{Document, DocumentRole, Feature, Layout};

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

/// Modification times of the folders features are listed from.
pub(super) type FolderStamps = Vec<Option<SystemTime>>;

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
    /// recent to trust; then any older copy goes too.
    pub(super) fn keep_feature(&mut self, id: &str, stamps: FileStamps, feature: Arc<Feature>) {
        let settled = !stamps
            .iter()
            .any(|(_, stamp)| racy(stamp.as_ref().and_then(|stamp| stamp.modified)));
        if settled {
            self.features.insert(id.to_string(), (stamps, feature));
        } else {
            self.features.remove(id);
        }
    }

    /// The listing kept, if none of the folders it was listed from (the
    /// `bases` given, then their subfolders) changed since.
    pub(super) fn listing(&self, bases: &[PathBuf]) -> Option<Catalogue> {
        let listing = self.catalogue.as_ref()?;
        // A folder that does not exist stamps as `None`: still a valid
        // key, so a one-layout project does not rescan on every call.
        let unchanged = listing.bases
            == bases
                .iter()
                .map(|base| modified(base))
                .collect::<FolderStamps>()
            && listing
                .folders
                .iter()
                .all(|(folder, stamp)| modified(folder) == *stamp);
        unchanged.then(|| listing.catalogue.clone())
    }

    /// Keeps a listing just made, unless a folder's stamp is too recent to
    /// trust; then any older listing goes too.
    pub(super) fn keep_listing(
        &mut self,
        bases: FolderStamps,
        folders: Vec<(PathBuf, Option<SystemTime>)>,
        catalogue: Catalogue,
    ) {
        let settled = !bases
            .iter()
            .chain(folders.iter().map(|(_, stamp)| stamp))
            .any(|stamp| racy(*stamp));
        self.catalogue = settled.then_some(Listing {
            bases,
            folders,
            catalogue,
        });
    }
}

impl Workspace {
    pub(super) fn lock(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
