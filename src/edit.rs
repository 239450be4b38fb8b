//! The only way back to disk: appending a question to a feature's open
//! questions, recording the answer to one, setting a task's status.
//!
//! A write is a byte splice of the file as it is on disk now, never a
//! re-render. Under a per-file lock (an in-process mutex plus an advisory
//! file lock, so separate server processes serialise too) the file is read,
//! the change spliced in, the result re-parsed and verified (every other
//! byte unchanged; exactly one more question, that question answered, or
//! that task at its new status, and nothing else read differently),
//! written to a temp file in the same directory, fsynced and swapped in for
//! the original (see `install`). If someone else changed the file in the
//! meantime, the whole step is retried. Each change is planned by a pure
//! function (`plan_append_in`, `plan_answer`, `plan_status`); `Writer::write`
//! is the one path that applies them.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fs4::fs_std::FileExt;

use crate::model::{
    Document, DocumentRole, Feature, Item, Layout, Question, SectionKind, Task, TaskStatus,
};
use crate::parse;
use crate::parse::markdown::{Block, Outline, all_items, line_end, line_start, outline};
use crate::workspace::{
    Primary, Unreadable, Workspace, WorkspaceError, is_invisible, list_choices, printable,
    read_text,
};

/// Longest question or context kept, in characters, unless the command
/// line sets another limit: a long paragraph, far more than a question a
/// person can answer at a glance needs.
pub const DEFAULT_MAX_TEXT_CHARS: usize = 2_000;

/// Attempts before giving up on a file that someone keeps changing without
/// taking the lock.
const MAX_ATTEMPTS: u32 = 20;

/// How long a write may wait on other writers before giving up.
const LOCK_DEADLINE: Duration = Duration::from_secs(30);

/// How one locked attempt ended.
enum Attempt<T> {
    Done(T),
    /// Another writer replaced the file while we waited for the lock.
    Replaced,
    /// The bytes changed between our read and our rename.
    ChangedUnderneath,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("the server is read-only (--read-only); questions cannot be recorded")]
    ReadOnly,
    #[error("the question is empty once control characters and whitespace are removed")]
    EmptyQuestion,
    #[error("refusing to write to {path}: {reason}")]
    Unreadable { path: String, reason: &'static str },
    #[error(
        "refusing to write to {path}: it is {len} bytes, over the {limit}-byte size limit (--max-file-size)"
    )]
    TooLarge { path: String, len: u64, limit: u64 },
    #[error(
        "refusing to write to {path}: the file is read-only; make it writable (for example `chmod u+w {path}`) to record questions in it"
    )]
    ReadOnlyFile { path: String },
    #[error("{path} kept changing while the question was being written; try again")]
    KeptChanging { path: String },
    /// The OS error is part of the message, not a `source`: the message is
    /// all a tool's caller sees, and "Permission denied" or "No space left
    /// on device" is what tells them what to fix.
    #[error("writing {path} failed: {error}; nothing was changed")]
    Io { path: String, error: io::Error },
    #[error("the edit of {path} did not verify ({reason}); nothing was written")]
    Verify { path: String, reason: String },
    #[error("spec-mcp is read-only (--read-only); the spec cannot be changed")]
    ReadOnlySpec,
    #[error("the answer is empty once control characters and whitespace are removed")]
    EmptyAnswer,
    #[error(
        "no question `{id}` in feature {feature}; {}",
        list_choices("question ids", known)
    )]
    UnknownQuestion {
        id: String,
        feature: String,
        known: Vec<String>,
    },
    #[error(
        "question {id} is recorded more than once ({}); give each its own number in the file first",
        sources.join(", ")
    )]
    AmbiguousQuestion { id: String, sources: Vec<String> },
    #[error("question {id} is already answered at {at}: {answer}")]
    AlreadyAnswered {
        id: String,
        answer: String,
        at: String,
    },
    #[error(
        "question {id} at {at} holds an answer already, but its box is not checked; check it (`[x]`) or change the answer in the file"
    )]
    UncheckedAnswer { id: String, at: String },
    #[error(
        "task {id} is listed more than once ({}); give each its own id in the file first",
        sources.join(", ")
    )]
    AmbiguousTask { id: String, sources: Vec<String> },
    #[error("{what} {id} is no longer in {path}; try again")]
    Moved {
        what: &'static str,
        id: String,
        path: String,
    },
    #[error(
        "no checkbox of {path} reads as {status}: add a legend line to it, such as `[!] = blocked` or `[/] = in progress`, then set the status again"
    )]
    NoBox { path: String, status: &'static str },
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
}

/// A question to record.
#[derive(Debug, Clone, Default)]
pub struct NewQuestion {
    pub text: String,
    pub context: Option<String>,
    pub task: Option<String>,
    /// Who asked: the client's name from the MCP handshake.
    pub asked_by: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// What `append_question` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub id: String,
    /// True when the same open question was already recorded: nothing was
    /// written and `id` is the existing one.
    pub existing: bool,
    /// `path:line` of the question.
    pub source: String,
}

/// The one writer. Holds the in-process locks, one per file.
#[derive(Debug)]
pub struct Writer {
    read_only: bool,
    /// `--max-question-chars`: question and context are each cut to this.
    max_text_chars: usize,
    locks: Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>,
}

impl Default for Writer {
    fn default() -> Writer {
        Writer::new(false)
    }
}

impl Writer {
    pub fn new(read_only: bool) -> Writer {
        Writer {
            read_only,
            max_text_chars: DEFAULT_MAX_TEXT_CHARS,
            locks: Mutex::default(),
        }
    }

    /// The writer, cutting question and context to `max_text_chars`
    /// characters each.
    #[must_use]
    pub fn with_max_question_chars(mut self, max_text_chars: usize) -> Writer {
        self.max_text_chars = max_text_chars;
        self
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Appends a question to the feature's primary document. Blocking: call
    /// it off the async runtime's worker threads.
    pub fn append_question(
        &self,
        workspace: &Workspace,
        feature_id: &str,
        question: &NewQuestion,
    ) -> Result<Appended, EditError> {
        if self.read_only {
            return Err(EditError::ReadOnly);
        }
        let file = workspace.primary_path(feature_id)?;
        let relative = workspace.relative(&file.path);
        self.write(workspace, &file, |text| {
            // Other documents of the feature may hold questions too: ids
            // are unique per feature, and a repeat anywhere is a repeat.
            let feature = workspace.feature(feature_id)?;
            let others: Vec<&Question> = feature
                .documents()
                .filter(|document| *document.path != *relative)
                .flat_map(|document| document.questions.iter())
                .collect();
            let plan = plan_append_in(
                file.layout,
                &relative,
                file.role,
                text,
                &others,
                question,
                self.max_text_chars,
            )?;
            Ok(match plan {
                Plan::Existing { id, source } => Planned::Unchanged(Appended {
                    id,
                    existing: true,
                    source,
                }),
                Plan::Splice(splice) => Planned::Write {
                    new_text: splice.new_text,
                    outcome: Appended {
                        id: splice.id,
                        existing: false,
                        source: format!("{relative}:{}", splice.line),
                    },
                },
            })
        })
    }

    /// Records `answer` under the feature's question `question_id` and
    /// checks its box, in the document that holds it. Blocking.
    pub fn answer_question(
        &self,
        workspace: &Workspace,
        feature_id: &str,
        question_id: &str,
        answer: &str,
    ) -> Result<Recorded, EditError> {
        if self.read_only {
            return Err(EditError::ReadOnlySpec);
        }
        let feature = workspace.feature(feature_id)?;
        let relative = question_document(&feature, question_id)?;
        let file = workspace.document_path(feature_id, &relative)?;
        self.write(workspace, &file, |text| {
            let plan = plan_answer(
                (file.layout, file.role),
                &relative,
                text,
                question_id,
                answer,
                self.max_text_chars,
            )?;
            Ok(Planned::Write {
                new_text: plan.new_text,
                outcome: Recorded {
                    id: plan.id,
                    answer: plan.answer,
                    source: format!("{relative}:{}", plan.line),
                },
            })
        })
    }

    /// Sets the status of the feature's task `task_id` where its file
    /// states it: the checkbox of a checklist task, the `Status:` line of
    /// a heading task. Blocking.
    pub fn set_status(
        &self,
        workspace: &Workspace,
        feature_id: &str,
        task_id: &str,
        status: TaskStatus,
    ) -> Result<StatusChange, EditError> {
        if self.read_only {
            return Err(EditError::ReadOnlySpec);
        }
        let feature = workspace.feature(feature_id)?;
        let relative = task_document(&feature, task_id)?;
        let file = workspace.document_path(feature_id, &relative)?;
        self.write(workspace, &file, |text| {
            let plan = plan_status((file.layout, file.role), &relative, text, task_id, status)?;
            let change = StatusChange {
                id: plan.id,
                previous: plan.previous,
                status,
                changed: plan.new_text.is_some(),
                source: format!("{relative}:{}", plan.line),
            };
            Ok(match plan.new_text {
                None => Planned::Unchanged(change),
                Some(new_text) => Planned::Write {
                    new_text,
                    outcome: change,
                },
            })
        })
    }

    /// The one way a spec file is changed: under the file's locks, `plan`
    /// is given the file's text as it is on disk now and says what it
    /// should become (having verified it); that is written to a temp file
    /// and swapped in unless the file changed meanwhile, in which case the
    /// whole step is retried. Blocking.
    fn write<T>(
        &self,
        workspace: &Workspace,
        file: &Primary,
        mut plan: impl FnMut(&str) -> Result<Planned<T>, EditError>,
    ) -> Result<T, EditError> {
        let path = &file.path;
        let relative = workspace.relative(path);
        let file_lock = self.lock_for(path);
        let _in_process = file_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut changed_underneath = 0;
        let deadline = Instant::now() + LOCK_DEADLINE;
        while changed_underneath < MAX_ATTEMPTS && Instant::now() < deadline {
            let target = Target {
                path,
                relative: &relative,
                max_file_bytes: workspace.max_file_bytes(),
            };
            match Self::attempt(&target, &mut plan)? {
                Attempt::Done(outcome) => {
                    // What was just written must be what the next answer
                    // reads, even if the rename left every stamp alike.
                    workspace.invalidate(path);
                    return Ok(outcome);
                }
                // Another locking writer renamed its result over the file:
                // it made progress, so this is no reason to give up.
                Attempt::Replaced => {}
                Attempt::ChangedUnderneath => {
                    changed_underneath += 1;
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
        Err(EditError::KeptChanging { path: relative })
    }

    /// One locked read-plan-install.
    fn attempt<T>(
        target: &Target,
        plan: &mut impl FnMut(&str) -> Result<Planned<T>, EditError>,
    ) -> Result<Attempt<T>, EditError> {
        let &Target {
            path,
            relative,
            max_file_bytes,
        } = target;
        let io_error = |error| EditError::Io {
            path: relative.to_string(),
            error,
        };
        let mut file = File::open(path).map_err(io_error)?;
        file.lock_exclusive().map_err(io_error)?;
        // The lock is on the inode we opened; if a rename replaced the file
        // since, lock the new one instead.
        if !same_file(&file, path) {
            return Ok(Attempt::Replaced);
        }
        // The same limits the reader applies: never write to a file no
        // answer can show.
        let metadata = file.metadata().map_err(io_error)?;
        // The rename that installs a write needs only the folder writable,
        // so without this a file its owner made read-only would be
        // replaced all the same.
        if made_read_only(&metadata.permissions()) {
            return Err(EditError::ReadOnlyFile {
                path: relative.to_string(),
            });
        }
        let len = metadata.len();
        let refuse = |reason| EditError::Unreadable {
            path: relative.to_string(),
            reason,
        };
        // An editor saving in place (truncate, then write) without the
        // lock may be between the two, and its write would go to the file
        // our rename unlinks: an empty file is never the base of a write.
        // One that changed a moment ago is read again, as the save is
        // likely done by then.
        if len == 0 {
            if changed_within(&metadata, SAVE_IN_PROGRESS) {
                return Ok(Attempt::ChangedUnderneath);
            }
            return Err(refuse(
                "it is empty (an editor may be saving it; if it is empty on purpose, give it a title line such as `# Overview` first)",
            ));
        }
        let read = || {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map(|_| bytes)
        };
        let text = read_text(len, max_file_bytes, read).map_err(|refusal| match refusal {
            Unreadable::TooLarge(len) => EditError::TooLarge {
                path: relative.to_string(),
                len,
                limit: max_file_bytes,
            },
            Unreadable::Io(source) => io_error(source),
            Unreadable::Binary => refuse("it is binary"),
            Unreadable::NotUtf8(_) => refuse("it is not valid UTF-8"),
        })?;

        let (new_text, outcome) = match plan(&text)? {
            Planned::Unchanged(outcome) => return Ok(Attempt::Done(outcome)),
            Planned::Write { new_text, outcome } => (new_text, outcome),
        };

        let directory = path.parent().unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map_or_else(|| "spec".into(), |name| name.to_string_lossy());
        remove_stale_temps(directory, &name);
        let mut temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(directory)
            .map_err(io_error)?;
        // Locked before it is swapped in: another writer opening the path
        // once it holds this file must wait until what came out has been
        // checked (and, if need be, swapped back) and the temp name
        // removed, or it could take that name for a killed writer's and
        // remove it, or write over a swap about to be undone.
        temp.as_file().lock_exclusive().map_err(io_error)?;
        temp.write_all(new_text.as_bytes()).map_err(io_error)?;
        if let Ok(metadata) = file.metadata() {
            fs::set_permissions(temp.path(), metadata.permissions()).map_err(io_error)?;
        }
        temp.as_file().sync_all().map_err(io_error)?;

        // Someone who does not take the lock (a person in an editor) may
        // have saved since we read: never put our file over their bytes.
        if !install(&mut file, text.as_bytes(), temp, path).map_err(io_error)? {
            return Ok(Attempt::ChangedUnderneath);
        }
        sync_directory_soon(directory);
        Ok(Attempt::Done(outcome))
    }

    fn lock_for(&self, path: &Path) -> Arc<Mutex<()>> {
        self.locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(path.to_path_buf())
            .or_default()
            .clone()
    }
}

/// Whether the file's owner may not write it. The mode bits, not an access
/// check: a file made read-only stays so even for a user (root) whom the
/// mode does not bind.
#[cfg(unix)]
fn made_read_only(permissions: &fs::Permissions) -> bool {
    use std::os::unix::fs::PermissionsExt;
    permissions.mode() & 0o200 == 0
}

#[cfg(not(unix))]
fn made_read_only(permissions: &fs::Permissions) -> bool {
    permissions.readonly()
}

/// The file a write goes to, and the limit it is read with.
struct Target<'a> {
    path: &'a Path,
    relative: &'a str,
    max_file_bytes: u64,
}

/// What a write's plan found the file should become.
enum Planned<T> {
    /// Nothing to write: the file already says it.
    Unchanged(T),
    /// The new text, verified, and what to report once it is in place.
    Write { new_text: String, outcome: T },
}

/// How long after its last change an empty file may still be in the middle
/// of a save.
const SAVE_IN_PROGRESS: Duration = Duration::from_millis(50);

fn changed_within(metadata: &fs::Metadata, window: Duration) -> bool {
    metadata.modified().is_ok_and(|modified| {
        SystemTime::now()
            .duration_since(modified)
            .is_ok_and(|age| age < window)
    })
}

/// Puts `temp` at `path` if `path` still holds the file `file` has open,
/// with the bytes `read`; true when it did. On Linux the two names are
/// swapped in one step (`renameat2` with `RENAME_EXCHANGE`) and what was
/// swapped out is checked, and swapped back if it is not what was read, so
/// a save that lands between the check and the swap is never lost. Where
/// the file system cannot swap, the check is made just before a rename.
/// Either way `temp` is left holding what is not wanted, for the caller to
/// remove.
fn install(
    file: &mut File,
    read: &[u8],
    temp: tempfile::NamedTempFile,
    path: &Path,
) -> io::Result<bool> {
    let unchanged = |file: &mut File, at: &Path| -> io::Result<bool> {
        if !same_file(file, at) {
            return Ok(false);
        }
        file.seek(SeekFrom::Start(0))?;
        let mut now = Vec::with_capacity(read.len());
        file.read_to_end(&mut now)?;
        Ok(now == read)
    };
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, temp.path(), CWD, path, RenameFlags::EXCHANGE) {
            Ok(()) => {
                let kept = unchanged(file, temp.path());
                if matches!(kept, Ok(true)) {
                    return Ok(true);
                }
                // Not known to be what was read (or the check itself
                // failed): put it back, so a failed write changes nothing.
                renameat_with(CWD, temp.path(), CWD, path, RenameFlags::EXCHANGE)?;
                return kept;
            }
            // Not every file system can swap (some network and FUSE ones).
            Err(error)
                if error == rustix::io::Errno::INVAL || error == rustix::io::Errno::NOSYS => {}
            Err(error) => return Err(error.into()),
        }
    }
    if !unchanged(file, path)? {
        return Ok(false);
    }
    temp.persist(path).map_err(|error| error.error)?;
    Ok(true)
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(now)) => open.ino() == now.ino() && open.dev() == now.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Removes temp files of the writer's own shape (`.prd.md.Ab12Cd.tmp`)
/// left beside `name` by a writer killed mid-write. Only a writer holding
/// the file's lock makes them, and the caller holds it now, so any found
/// is stale.
fn remove_stale_temps(directory: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let random = file_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"));
        let ours = random.is_some_and(|random| {
            random.len() == TEMP_RANDOM_CHARS && random.chars().all(|c| c.is_ascii_alphanumeric())
        });
        if ours && fs::remove_file(entry.path()).is_ok() {
            tracing::info!(file = file_name, "removed a temp file a killed writer left");
        }
    }
}

/// How many random characters `tempfile` puts in a name, by default.
const TEMP_RANDOM_CHARS: usize = 6;

/// Makes the rename durable, on another thread. The new text was synced
/// before the rename, and the rename is the kernel's at once, so a killed
/// server loses nothing; only a power cut in the next few milliseconds
/// could bring back the text from before, whole. Syncing the folder on the
/// answer's path would double what every question costs. Best effort: not
/// every platform can open a directory.
fn sync_directory_soon(directory: &Path) {
    let sync = |directory: &Path| {
        if let Ok(handle) = File::open(directory) {
            let _ = handle.sync_all();
        }
    };
    let owned = directory.to_path_buf();
    if std::thread::Builder::new()
        .name("spec-mcp-sync".to_string())
        .spawn(move || sync(&owned))
        .is_err()
    {
        sync(directory);
    }
}

/// What appending to a document would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// The same open question is already recorded, with this id at this
    /// `path:line`.
    Existing {
        id: String,
        source: String,
    },
    Splice(Splice),
}

/// The new text of a document and what was added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub new_text: String,
    pub id: String,
    /// 1-based line of the new question.
    pub line: u32,
    pub at: usize,
    pub inserted: String,
}

/// Plans the append of `question` to a native document's text, its text
/// and context cut to `max_chars` characters each: pure, so tests can check
/// it byte for byte.
pub fn plan_append(
    relative: &str,
    role: DocumentRole,
    text: &str,
    others: &[&Question],
    question: &NewQuestion,
    max_chars: usize,
) -> Result<Plan, EditError> {
    plan_append_in(
        Layout::Native,
        relative,
        role,
        text,
        others,
        question,
        max_chars,
    )
}

/// Plans the append of `question` to a document of `layout`.
pub fn plan_append_in(
    layout: Layout,
    relative: &str,
    role: DocumentRole,
    text: &str,
    others: &[&Question],
    question: &NewQuestion,
    max_chars: usize,
) -> Result<Plan, EditError> {
    let body = sanitize(&question.text, max_chars);
    if body.is_empty() {
        return Err(EditError::EmptyQuestion);
    }
    if has_lone_carriage_return(text) {
        // Markdown ends a line there, but line numbers, spans and this
        // splice count `\n`s: the new line could land in another section.
        return Err(EditError::Unreadable {
            path: relative.to_string(),
            reason: "it ends lines with a lone carriage return; save it with LF or CRLF line endings",
        });
    }
    let document = parse::document_in(layout, Arc::from(relative), role, text);
    let wanted = normalize(&body);
    if let Some(existing) = others
        .iter()
        .copied()
        .chain(&document.questions)
        .find(|other| other.id.is_some() && !other.answered && normalize(&other.text) == wanted)
    {
        return Ok(Plan::Existing {
            id: existing.id.clone().unwrap_or_default(),
            source: existing.source.to_string(),
        });
    }
    let number = document
        .questions
        .iter()
        .chain(others.iter().copied())
        .filter_map(|question| question.number)
        .max()
        .unwrap_or(0)
        .checked_add(1)
        .ok_or_else(|| EditError::Verify {
            path: relative.to_string(),
            reason: "question numbers are exhausted".to_string(),
        })?;
    let id = format!("Q-{number}");
    let eol = if text
        .find('\n')
        .is_some_and(|at| at > 0 && text.as_bytes()[at - 1] == b'\r')
    {
        "\r\n"
    } else {
        "\n"
    };
    let (at, before, after, indent, marker) = insertion_point(&document, text, eol);
    let mut meta = vec![question.date.clone()];
    if let Some(task) = question.task.as_deref().map(|task| sanitize(task, 40))
        && !task.is_empty()
    {
        meta.push(format!("task {task}"));
    }
    let asked_by = client_name(&question.asked_by);
    meta.push(format!("asked by {asked_by}"));
    let mut line = format!(
        "{indent}{marker} [ ] {id} ({}): {body}{eol}",
        meta.join(", ")
    );
    if let Some(context) = question
        .context
        .as_deref()
        .map(|context| sanitize(context, max_chars))
        && !context.is_empty()
    {
        let _ = write!(line, "{indent}  {marker} Context: {context}{eol}");
    }
    let inserted = format!("{before}{line}{after}");
    let mut new_text = String::with_capacity(text.len() + inserted.len());
    new_text.push_str(&text[..at]);
    new_text.push_str(&inserted);
    new_text.push_str(&text[at..]);
    let question_line =
        (text[..at].matches('\n').count() + before.matches('\n').count() + 1) as u32;
    verify(
        relative,
        (layout, role),
        &document,
        text,
        &new_text,
        at,
        &inserted,
        &id,
        &body,
    )?;
    Ok(Plan::Splice(Splice {
        new_text,
        id,
        line: question_line,
        at,
        inserted,
    }))
}

/// Where the new line goes, with what must come before and after it, the
/// indentation and the list marker.
fn insertion_point(
    document: &Document,
    text: &str,
    eol: &str,
) -> (usize, String, String, String, char) {
    let outline = outline(&Arc::from(""), text);
    let section = document.sections_of(SectionKind::OpenQuestions).next();
    let marker = list_marker(&outline, text, section.map(|section| &section.body_span));
    let Some(section) = section else {
        // No section: create one at the end, at the level the document's
        // sections use.
        let level = document
            .sections
            .iter()
            .map(|section| section.level)
            .filter(|&level| level >= 2)
            .min()
            .unwrap_or(2);
        let mut before = String::new();
        if !text.is_empty() && !text.ends_with('\n') {
            before.push_str(eol);
        }
        if !text.trim().is_empty()
            && !text.ends_with(&format!("{eol}{eol}"))
            && !text.ends_with("\n\n")
        {
            before.push_str(eol);
        }
        before.push_str(&"#".repeat(usize::from(level)));
        before.push_str(" Open questions");
        before.push_str(eol);
        before.push_str(eol);
        return (text.len(), before, String::new(), String::new(), marker);
    };
    let (items, direct_end) = direct_content(&outline, text, &section.heading_span);
    // Every item counts here, the empty ones and those the reader drops as
    // unfilled placeholders: the new one goes after the last of them.
    if let Some(last) = items.last() {
        let at = line_end(text, last_char(text, last.span.clone()));
        let indent: String = text[line_start(text, last.span.start)..last.span.start]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        // A bullet is a marker then whitespace: `**Question:**` is not one.
        let is_list_item = text[last.span.start..]
            .trim_start()
            .strip_prefix(['-', '*', '+'])
            .is_some_and(|rest| rest.starts_with([' ', '\t']));
        let mut before = String::new();
        if at == text.len() && !text.ends_with('\n') {
            before.push_str(eol);
        }
        if !is_list_item {
            before.push_str(eol);
        }
        return (at, before, String::new(), indent, marker);
    }
    let body = section.heading_span.end.min(direct_end)..direct_end;
    if !text[body.clone()].trim().is_empty() {
        // No item, but something else (an indented or fenced code block, a
        // table, HTML): the list goes after it, apart, so that nothing of
        // it reads as the new item's continuation.
        let at = line_end(text, last_char(text, body));
        let mut before = String::new();
        if at == text.len() && !text.ends_with('\n') {
            before.push_str(eol);
        }
        before.push_str(eol);
        return (at, before, String::new(), String::new(), marker);
    }
    // An empty section: the list goes right under the heading.
    let at = section.heading_span.end;
    let mut before = String::new();
    if at == text.len() && !text.ends_with('\n') {
        before.push_str(eol);
    }
    before.push_str(eol);
    let rest = &text[at..];
    let after = if rest.is_empty() || rest.starts_with(['\r', '\n']) {
        String::new()
    } else {
        eol.to_string()
    };
    (at, before, after, String::new(), marker)
}

/// A `\r` not followed by `\n`: the line ending of classic Mac OS.
fn has_lone_carriage_return(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len()).any(|at| bytes[at] == b'\r' && bytes.get(at + 1) != Some(&b'\n'))
}

/// The items directly under the heading at `heading`, empty ones included,
/// and where its direct content ends (the next heading of any level).
fn direct_content(
    outline: &Outline,
    text: &str,
    heading: &std::ops::Range<usize>,
) -> (Vec<Item>, usize) {
    let headings = || {
        outline
            .blocks
            .iter()
            .enumerate()
            .filter_map(|(index, block)| match block {
                Block::Heading { span, .. } => Some((index, span)),
                _ => None,
            })
    };
    let Some(index) = headings().find_map(|(index, span)| (span == heading).then_some(index))
    else {
        return (Vec::new(), heading.end);
    };
    let next = headings().find(|(next, _)| *next > index);
    let blocks_end = next.map_or(outline.blocks.len(), |(next, _)| next);
    let mut text_end = next.map_or(text.len(), |(_, span)| span.start);
    let mut items = all_items(outline, index + 1..blocks_end);
    // An item that holds the next heading (`* # Overview`) is not the
    // section's: a line after it would land under that heading, so the
    // section's content ends on the line before it.
    if let Some(crossing) = items.iter().position(|item| item.span.end > text_end) {
        text_end = line_start(text, items[crossing].span.start);
        items.truncate(crossing);
    }
    (items, text_end)
}

/// Start of the last non-whitespace character in `text[range]`, or of the
/// range when it holds none: a place on the range's last written line.
fn last_char(text: &str, range: std::ops::Range<usize>) -> usize {
    text[range.clone()]
        .trim_end()
        .char_indices()
        .next_back()
        .map_or(range.start, |(offset, _)| range.start + offset)
}

/// The bullet character the section (or else the document) already uses.
fn list_marker(outline: &Outline, text: &str, section: Option<&std::ops::Range<usize>>) -> char {
    let bullets = outline.blocks.iter().filter_map(|block| match block {
        Block::ListItem(item) => {
            let first = text[item.span.start..].chars().next()?;
            matches!(first, '-' | '*' | '+').then_some((item.span.start, first))
        }
        _ => None,
    });
    let mut fallback = None;
    for (start, marker) in bullets {
        if section.is_some_and(|range| range.contains(&start)) {
            return marker;
        }
        fallback.get_or_insert(marker);
    }
    fallback.unwrap_or('-')
}

/// Re-parses the new text and checks the splice did exactly what it should.
#[allow(clippy::too_many_arguments)]
fn verify(
    relative: &str,
    (layout, role): (Layout, DocumentRole),
    before: &Document,
    old_text: &str,
    new_text: &str,
    at: usize,
    inserted: &str,
    id: &str,
    body: &str,
) -> Result<(), EditError> {
    let fail = |reason: String| {
        Err(EditError::Verify {
            path: relative.to_string(),
            reason,
        })
    };
    let after = parse::document_in(layout, Arc::from(relative), role, new_text);
    if after.questions.len() != before.questions.len() + 1 {
        // The usual cause: a code fence or HTML block left open above the
        // insertion point runs to the end of the file and takes the new
        // line in as its content.
        let hint = if after.questions.len() <= before.questions.len() {
            "; a code fence or HTML block left open above the Open questions section would swallow the new line"
        } else {
            ""
        };
        return fail(format!(
            "expected {} questions after the edit, found {}{hint}",
            before.questions.len() + 1,
            after.questions.len()
        ));
    }
    let Some(added) = after
        .questions
        .iter()
        .find(|question| question.id.as_deref() == Some(id))
    else {
        return fail(format!("{id} is not found after the edit"));
    };
    if added.text != body || added.answered {
        return fail(format!("{id} reads back differently"));
    }
    let headings = |document: &Document| {
        document
            .sections
            .iter()
            .filter(|section| section.kind != SectionKind::OpenQuestions)
            .count()
    };
    if headings(&after) != headings(before) {
        return fail("the number of headings changed".to_string());
    }
    let end = at + inserted.len();
    if new_text.get(..at) != old_text.get(..at) || new_text.get(end..) != old_text.get(at..) {
        return fail("bytes outside the inserted lines changed".to_string());
    }
    Ok(())
}

/// What `answer_question` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub id: String,
    /// The answer as written: on one line, escaped.
    pub answer: String,
    /// `path:line` of the question.
    pub source: String,
}

/// What `set_status` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub id: String,
    pub previous: TaskStatus,
    pub status: TaskStatus,
    /// False when the task already had that status: nothing was written.
    pub changed: bool,
    /// `path:line` of the task.
    pub source: String,
}

/// The document of `feature` holding the question `id`: refused when no
/// question or more than one has that id.
fn question_document(feature: &Feature, id: &str) -> Result<String, EditError> {
    let found: Vec<&Question> = feature
        .questions()
        .filter(|question| {
            question
                .id
                .as_deref()
                .is_some_and(|known| known.eq_ignore_ascii_case(id.trim()))
        })
        .collect();
    match found.as_slice() {
        [question] => Ok(question.source.path.to_string()),
        [] => Err(EditError::UnknownQuestion {
            id: printable(id),
            feature: feature.id.clone(),
            known: feature
                .questions()
                .filter_map(|question| question.id.clone())
                .collect(),
        }),
        _ => Err(EditError::AmbiguousQuestion {
            id: printable(id),
            sources: found.iter().map(|found| found.source.to_string()).collect(),
        }),
    }
}

/// The document of `feature` holding the task `id`: refused when more
/// than one task has that id (the service has checked there is one).
fn task_document(feature: &Feature, id: &str) -> Result<String, EditError> {
    let found: Vec<&Task> = feature
        .tasks()
        .filter(|task| task.id.eq_ignore_ascii_case(id.trim()))
        .collect();
    match found.as_slice() {
        [task] => Ok(task.source.path.to_string()),
        [] => Err(EditError::Moved {
            what: "task",
            id: printable(id),
            path: feature.dir.to_string(),
        }),
        _ => Err(EditError::AmbiguousTask {
            id: printable(id),
            sources: found.iter().map(|found| found.source.to_string()).collect(),
        }),
    }
}

/// A change to a file: the bytes of `range` replaced by `with`. A plan's
/// edits are in order and do not overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    range: std::ops::Range<usize>,
    with: String,
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut new_text = String::with_capacity(text.len() + 64);
    let mut from = 0;
    for edit in edits {
        new_text.push_str(&text[from..edit.range.start]);
        new_text.push_str(&edit.with);
        from = edit.range.end;
    }
    new_text.push_str(&text[from..]);
    new_text
}

/// Whether `new_text` is `old_text` with exactly `edits` made: every byte
/// outside them kept, in order.
fn only_edited(old_text: &str, new_text: &str, edits: &[Edit]) -> bool {
    let mut old_at = 0;
    let mut new_at = 0;
    for edit in edits {
        let kept = &old_text[old_at..edit.range.start];
        if new_text.get(new_at..new_at + kept.len()) != Some(kept) {
            return false;
        }
        new_at += kept.len();
        if new_text.get(new_at..new_at + edit.with.len()) != Some(edit.with.as_str()) {
            return false;
        }
        new_at += edit.with.len();
        old_at = edit.range.end;
    }
    new_text.get(new_at..) == Some(&old_text[old_at..])
}

/// The line ending a file uses: CRLF if its first line ends so.
fn line_ending(text: &str) -> &'static str {
    if text
        .find('\n')
        .is_some_and(|at| at > 0 && text.as_bytes()[at - 1] == b'\r')
    {
        "\r\n"
    } else {
        "\n"
    }
}

fn refuse_lone_carriage_returns(relative: &str, text: &str) -> Result<(), EditError> {
    if has_lone_carriage_return(text) {
        // Markdown ends a line there, but spans and splices count `\n`s.
        return Err(EditError::Unreadable {
            path: relative.to_string(),
            reason: "it ends lines with a lone carriage return; save it with LF or CRLF line endings",
        });
    }
    Ok(())
}

/// Where a list item's content starts: after its marker (`-`, `*`, `+`,
/// `1.`, `1)`) and the spaces after it; `None` if `start` is no marker.
fn item_content(text: &str, start: usize) -> Option<usize> {
    let rest = text.get(start..)?;
    let marker = if rest.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let after = rest.get(digits..)?;
        if digits == 0 || !after.starts_with(['.', ')']) {
            return None;
        }
        digits + 1
    };
    let after = &rest[marker..];
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    (spaces > 0).then_some(start + marker + spaces)
}

/// What goes before a line that continues the list item whose content
/// starts at `content`: its block quote markers, then spaces up to the
/// content.
fn continuation(text: &str, content: usize) -> String {
    text[line_start(text, content)..content]
        .chars()
        .map(|c| {
            if c == '>' || c == ' ' || c == '\t' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// The question and task fields a change must leave alone.
fn question_facts(question: &Question) -> (Option<&str>, &str, bool, Option<&str>) {
    (
        question.id.as_deref(),
        &question.text,
        question.answered,
        question.answer.as_deref(),
    )
}

fn task_facts(task: &Task) -> (&str, &str, TaskStatus, &[String], &str) {
    (
        &task.id,
        &task.title,
        task.status,
        &task.depends_on,
        &task.description,
    )
}

/// What answering a question does to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerPlan {
    pub new_text: String,
    /// The question's id as the file writes it.
    pub id: String,
    /// The answer as written.
    pub answer: String,
    /// 1-based line of the question.
    pub line: u32,
}

/// Plans recording `answer` under the question `id` of a document of
/// `layout`: its box checked (`- [ ] Q-3` becomes `- [x] Q-3`; one is
/// added to an item without a box) and a sub-bullet `- A: <answer>` added
/// after its last line, at its content's indentation. The answer is made
/// inert as a question is (`sanitize`), cut to `max_chars`. Pure; the new
/// text is verified by re-parsing before it is returned.
pub fn plan_answer(
    (layout, role): (Layout, DocumentRole),
    relative: &str,
    text: &str,
    id: &str,
    answer: &str,
    max_chars: usize,
) -> Result<AnswerPlan, EditError> {
    let body = sanitize(answer, max_chars);
    if body.is_empty() {
        return Err(EditError::EmptyAnswer);
    }
    refuse_lone_carriage_returns(relative, text)?;
    let before = parse::document_in(layout, Arc::from(relative), role, text);
    let question = one_question(&before, relative, id)?;
    let id = question.id.clone().unwrap_or_default();
    if question.answered {
        return Err(EditError::AlreadyAnswered {
            id,
            answer: question.answer.clone().unwrap_or_default(),
            at: question.source.to_string(),
        });
    }
    if question.answer.is_some() {
        return Err(EditError::UncheckedAnswer {
            id,
            at: question.source.to_string(),
        });
    }
    let fail = |reason: &str| EditError::Verify {
        path: relative.to_string(),
        reason: reason.to_string(),
    };
    let content = item_content(text, question.span.start)
        .ok_or_else(|| fail("the question is not a list item"))?;
    let check = if text[content..].starts_with("[ ]") {
        Edit {
            range: content + 1..content + 2,
            with: "x".to_string(),
        }
    } else {
        Edit {
            range: content..content,
            with: "[x] ".to_string(),
        }
    };
    let eol = line_ending(text);
    let at = line_end(text, last_char(text, question.span.clone()));
    let mut line = String::new();
    if at == text.len() && !text.ends_with('\n') {
        line.push_str(eol);
    }
    let _ = write!(line, "{}- A: {body}{eol}", continuation(text, content));
    let edits = [
        check,
        Edit {
            range: at..at,
            with: line,
        },
    ];
    let new_text = apply(text, &edits);

    let after = parse::document_in(layout, Arc::from(relative), role, &new_text);
    check_answered(relative, &before, &after, question, &body)?;
    check_rest_kept(relative, &before, &after, text, &new_text, &edits, None)?;
    Ok(AnswerPlan {
        new_text,
        id,
        answer: body,
        line: question.source.line,
    })
}

/// The one question of `document` with the id `id`.
fn one_question<'d>(
    document: &'d Document,
    relative: &str,
    id: &str,
) -> Result<&'d Question, EditError> {
    let matching: Vec<&Question> = document
        .questions
        .iter()
        .filter(|question| {
            question
                .id
                .as_deref()
                .is_some_and(|known| known.eq_ignore_ascii_case(id.trim()))
        })
        .collect();
    match matching.as_slice() {
        [question] => Ok(question),
        [] => Err(EditError::Moved {
            what: "question",
            id: printable(id),
            path: relative.to_string(),
        }),
        _ => Err(EditError::AmbiguousQuestion {
            id: printable(id),
            sources: matching
                .iter()
                .map(|found| found.source.to_string())
                .collect(),
        }),
    }
}

/// The question reads back answered with `answer`, every other one as it
/// was.
fn check_answered(
    relative: &str,
    before: &Document,
    after: &Document,
    question: &Question,
    answer: &str,
) -> Result<(), EditError> {
    let fail = |reason: &str| EditError::Verify {
        path: relative.to_string(),
        reason: reason.to_string(),
    };
    if after.questions.len() != before.questions.len() {
        return Err(fail("the number of questions changed"));
    }
    for (old, new) in before.questions.iter().zip(&after.questions) {
        if old.span == question.span {
            let reads_back = new.id == old.id
                && new.text == old.text
                && new.answered
                && new.answer.as_deref() == Some(answer);
            if !reads_back {
                return Err(fail("the question does not read back as answered"));
            }
        } else if question_facts(old) != question_facts(new) {
            return Err(fail("another question changed"));
        }
    }
    Ok(())
}

/// What setting a task's status does to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPlan {
    /// `None` when the task already has the status.
    pub new_text: Option<String>,
    /// The task's id as the file writes it.
    pub id: String,
    pub previous: TaskStatus,
    /// 1-based line of the task.
    pub line: u32,
}

/// The boxes that may say `status`, the usual one first; which of the
/// others does depends on the file's legend, so each is tried.
fn boxes_for(status: TaskStatus) -> &'static [&'static str] {
    match status {
        TaskStatus::Done => &["x"],
        TaskStatus::Todo => &[" ", "~"],
        TaskStatus::InProgress => &["-", "/", "~", ">", "!"],
        TaskStatus::Blocked => &["!", "-", "~", "/", ">"],
    }
}

/// Plans setting the status of task `id` in a document of `layout`: a
/// checklist task's box (`[ ]`, `[x]`, `[-]`, or the box the file's legend
/// gives the status), a heading task's `Status:` value (the word replaced,
/// its emphasis kept; a `Status:` line added under the heading when there
/// is none). Pure; the new text is verified by re-parsing.
pub fn plan_status(
    (layout, role): (Layout, DocumentRole),
    relative: &str,
    text: &str,
    id: &str,
    status: TaskStatus,
) -> Result<StatusPlan, EditError> {
    refuse_lone_carriage_returns(relative, text)?;
    let before = parse::document_in(layout, Arc::from(relative), role, text);
    let matching: Vec<&Task> = before
        .tasks
        .iter()
        .filter(|task| task.id.eq_ignore_ascii_case(id.trim()))
        .collect();
    let task = match matching.as_slice() {
        [task] => *task,
        [] => {
            return Err(EditError::Moved {
                what: "task",
                id: printable(id),
                path: relative.to_string(),
            });
        }
        _ => {
            return Err(EditError::AmbiguousTask {
                id: printable(id),
                sources: matching
                    .iter()
                    .map(|found| found.source.to_string())
                    .collect(),
            });
        }
    };
    let unchanged = StatusPlan {
        new_text: None,
        id: task.id.clone(),
        previous: task.status,
        line: task.source.line,
    };
    if task.status == status {
        return Ok(unchanged);
    }
    let heading = before
        .sections
        .iter()
        .position(|section| section.heading_span.start == task.span.start);
    let candidates: Vec<Vec<Edit>> = if let Some(position) = heading {
        vec![status_field_edits(&before, position, text, status)]
    } else {
        let inner = checkbox(text, task.span.start).ok_or_else(|| EditError::Verify {
            path: relative.to_string(),
            reason: format!("no checkbox found on the line of task {}", task.id),
        })?;
        boxes_for(status)
            .iter()
            .map(|mark| {
                vec![Edit {
                    range: inner.clone(),
                    with: (*mark).to_string(),
                }]
            })
            .collect()
    };
    let mut refusal = EditError::NoBox {
        path: relative.to_string(),
        status: status.as_str(),
    };
    for edits in candidates {
        let new_text = apply(text, &edits);
        let after = parse::document_in(layout, Arc::from(relative), role, &new_text);
        match check_status(relative, &before, &after, task, status).and_then(|()| {
            check_rest_kept(
                relative,
                &before,
                &after,
                text,
                &new_text,
                &edits,
                Some(task),
            )
        }) {
            Ok(()) => {
                return Ok(StatusPlan {
                    new_text: Some(new_text),
                    ..unchanged
                });
            }
            // A heading task has one way to say it; its failure is the
            // reason. A box that means something else here is not one.
            Err(error) if heading.is_some() => refusal = error,
            Err(_) => {}
        }
    }
    Err(refusal)
}

/// The range of the one character inside the box of the checklist item at
/// `start` (`- [ ] T1`).
fn checkbox(text: &str, start: usize) -> Option<std::ops::Range<usize>> {
    let content = item_content(text, start)?;
    let rest = text.get(content..)?;
    let mut chars = rest.char_indices();
    let (_, open) = chars.next()?;
    let (inner_at, inner) = chars.next()?;
    let (_, close) = chars.next()?;
    (open == '[' && close == ']' && inner.is_ascii())
        .then(|| content + inner_at..content + inner_at + 1)
}

/// The edit that makes a heading task's `Status:` say `status`: its last
/// `Status:` line's word replaced (as the reader takes the last one), else
/// a line added right under the heading.
fn status_field_edits(
    document: &Document,
    position: usize,
    text: &str,
    status: TaskStatus,
) -> Vec<Edit> {
    let section = &document.sections[position];
    let preamble_end = document
        .sections
        .get(position + 1)
        .map_or(section.body_span.end, |next| next.heading_span.start)
        .min(section.body_span.end);
    let preamble_start = section.body_span.start.min(preamble_end);
    let mut found = None;
    let mut line_at = preamble_start;
    for line in text[preamble_start..preamble_end].split_inclusive('\n') {
        if let Some(value) = status_value(line.trim_end_matches(['\n', '\r'])) {
            found = Some(line_at + value.start..line_at + value.end);
        }
        line_at += line.len();
    }
    let word = status.as_str();
    if let Some(range) = found {
        // `Status:` with nothing after it needs a space before the word.
        let bare = range.is_empty() && text[..range.start].ends_with(':');
        return vec![Edit {
            with: if bare {
                format!(" {word}")
            } else {
                word.to_string()
            },
            range,
        }];
    }
    let at = line_end(text, last_char(text, section.heading_span.clone()));
    let eol = line_ending(text);
    let lead = if at == text.len() && !text.ends_with('\n') {
        eol
    } else {
        ""
    };
    vec![Edit {
        range: at..at,
        with: format!("{lead}Status: {word}{eol}"),
    }]
}

/// Where the status word of a `Status: done` line is (bulleted, bold or
/// italic as the reader allows): the value without the spaces, emphasis
/// and backticks around it.
fn status_value(line: &str) -> Option<std::ops::Range<usize>> {
    let bare = line
        .trim_start()
        .trim_start_matches(['-', '*', '+'])
        .trim_start()
        .trim_start_matches(['*', '_']);
    let name = "status";
    if !bare.get(..name.len())?.eq_ignore_ascii_case(name) {
        return None;
    }
    let after = bare[name.len()..]
        .trim_start_matches(['*', '_'])
        .strip_prefix(':')?;
    let around = |c: char| c.is_whitespace() || matches!(c, '*' | '_' | '`');
    let value = after.trim_start_matches(around);
    let core = value.trim_end_matches(around);
    let start = line.len() - value.len();
    Some(start..start + core.len())
}

/// The task reads back with the new status and every other task as it was.
fn check_status(
    relative: &str,
    before: &Document,
    after: &Document,
    task: &Task,
    status: TaskStatus,
) -> Result<(), EditError> {
    let fail = |reason: String| EditError::Verify {
        path: relative.to_string(),
        reason,
    };
    if after.tasks.len() != before.tasks.len() {
        return Err(fail("the number of tasks changed".to_string()));
    }
    for (old, new) in before.tasks.iter().zip(&after.tasks) {
        if old.span.start == task.span.start {
            let reads_back = new.status == status
                && (&new.id, &new.title, &new.depends_on) == (&old.id, &old.title, &old.depends_on);
            if !reads_back {
                return Err(fail(format!(
                    "task {} does not read back as {}",
                    old.id,
                    status.as_str()
                )));
            }
        } else if task_facts(old) != task_facts(new) {
            return Err(fail(format!("task {} changed", old.id)));
        }
    }
    Ok(())
}

/// What every change keeps: the headings, the questions and tasks it was
/// not about (`task`, when it is about one), and every byte outside its
/// edits.
fn check_rest_kept(
    relative: &str,
    before: &Document,
    after: &Document,
    old_text: &str,
    new_text: &str,
    edits: &[Edit],
    task: Option<&Task>,
) -> Result<(), EditError> {
    let fail = |reason: &str| EditError::Verify {
        path: relative.to_string(),
        reason: reason.to_string(),
    };
    if after.sections.len() != before.sections.len() {
        return Err(fail("the number of headings changed"));
    }
    if task.is_some() {
        if !same_facts(&before.questions, &after.questions, question_facts) {
            return Err(fail("a question changed"));
        }
    } else if !same_facts(&before.tasks, &after.tasks, task_facts) {
        return Err(fail("a task changed"));
    }
    if !only_edited(old_text, new_text, edits) {
        return Err(fail("bytes outside the edit changed"));
    }
    Ok(())
}

/// Whether `before` and `after` say the same `facts` of each entry, in
/// the same order.
fn same_facts<'a, T, F: PartialEq>(
    before: &'a [T],
    after: &'a [T],
    facts: impl Fn(&'a T) -> F,
) -> bool {
    before.iter().map(&facts).eq(after.iter().map(&facts))
}

/// Agent text made into inert data on one line: control, bidi and
/// zero-width characters dropped, whitespace collapsed, markdown that could
/// add structure escaped, and the length capped.
pub fn sanitize(text: &str, max_chars: usize) -> String {
    let cleaned: String = text
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' | '\u{85}' => Some(' '),
            c if is_invisible(c) => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut capped: String = collapsed.chars().take(max_chars).collect();
    if collapsed.chars().count() > max_chars {
        capped.push('…');
    }
    let mut escaped = String::with_capacity(capped.len() + 8);
    for (index, c) in capped.chars().enumerate() {
        match c {
            '\\' | '<' | '>' | '[' | ']' | '`' | '|' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '#' | '-' | '+' | '*' | '=' | '~' | '_' if index == 0 => {
                escaped.push('\\');
                escaped.push(c);
            }
            c => escaped.push(c),
        }
    }
    // `→ A:` would read as an answer.
    escaped.replace("→ A:", "→ A\\:").replace("→A:", "→A\\:")
}

/// A client name safe to write: letters, digits and a little punctuation.
fn client_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ' | '/' | '@'))
        .take(64)
        .collect();
    let kept = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if kept.is_empty() {
        "unknown client".to_string()
    } else {
        kept
    }
}

/// Question text compared for repeats: letters and digits, lowercase.
pub fn normalize(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() / 86_400);
    let (year, month, day) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!("{year:04}-{month:02}-{day:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = u32::try_from(day_of_year - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn native_tasks(text: &str) -> Document {
        parse::document_in(
            Layout::Native,
            Arc::from("a/tasks.md"),
            DocumentRole::Tasks,
            text,
        )
    }

    #[test]
    fn a_change_about_one_thing_may_not_change_another() {
        let old = "# Tasks\n\n- [ ] T1: Upload\n\n## Open questions\n\n- [ ] Q-1 (2026-01-02): Which sizes?\n";
        let before = native_tasks(old);
        let task = before.tasks.first().expect("a task").clone();
        // Each edit rewrites one line, as a status or an answer would.
        let rewrite = |from: &str, to: &str| {
            let at = old.find(from).unwrap();
            let edits = [Edit {
                range: at..at + from.len(),
                with: to.to_string(),
            }];
            let new_text = apply(old, &edits);
            let after = native_tasks(&new_text);
            (new_text, after, edits)
        };

        // What the change was about: a task (a status) or a question.
        let verdict = |from: &str, to: &str, about: Option<&Task>| {
            let (new_text, after, edits) = rewrite(from, to);
            check_rest_kept("a/tasks.md", &before, &after, old, &new_text, &edits, about)
        };
        let refused = |verdict: Result<(), EditError>, why: &str| {
            assert!(
                matches!(&verdict, Err(EditError::Verify { reason, .. }) if reason == why),
                "{verdict:?}"
            );
        };
        refused(
            verdict("- [ ] Q-1", "- [x] Q-1", Some(&task)),
            "a question changed",
        );
        refused(verdict("- [ ] T1", "- [x] T1", None), "a task changed");
        // The change a status makes to its own task passes.
        let kept = verdict("- [ ] T1", "- [x] T1", Some(&task));
        assert!(kept.is_ok(), "{kept:?}");
    }

    #[test]
    fn a_question_goes_before_an_item_that_holds_the_next_heading() {
        let old = "# Spec\n\n## Open questions\n\n- [ ] Q-1 (2026-01-02): Which sizes?\n* # Overview\n\nText.\n";
        let question = NewQuestion {
            text: "Which formats are accepted?".to_string(),
            date: "2026-01-03".to_string(),
            ..NewQuestion::default()
        };
        let Ok(Plan::Splice(splice)) =
            plan_append("a/prd.md", DocumentRole::Prd, old, &[], &question, 100)
        else {
            panic!("not a splice");
        };
        let heading = old.find("* # Overview").unwrap();
        assert_eq!(splice.at, heading, "{}", splice.new_text);
        let after = parse::document_in(
            Layout::Native,
            Arc::from("a/prd.md"),
            DocumentRole::Prd,
            &splice.new_text,
        );
        let new = after
            .questions
            .iter()
            .find(|found| found.id.as_deref() == Some(splice.id.as_str()))
            .expect("the new question");
        let open = after
            .sections_of(SectionKind::OpenQuestions)
            .next()
            .unwrap();
        assert!(
            open.body_span.contains(&new.span.start),
            "{}",
            splice.new_text
        );
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_781), (2026, 11, 24));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn sanitize_flattens_and_escapes() {
        assert_eq!(sanitize("# Heading\nmore", 100), "\\# Heading more");
        assert_eq!(sanitize("a\u{202e}b\u{200b}c", 100), "abc");
        assert_eq!(sanitize("<script>", 100), "\\<script\\>");
        assert_eq!(sanitize("x → A: yes", 100), "x → A\\: yes");
        assert_eq!(sanitize("abcdef", 3), "abc…");
        assert_eq!(sanitize(" \n\t ", 100), "");
    }

    #[test]
    fn sanitize_drops_the_characters_ids_refuse_as_invisible() {
        for c in [
            '\u{61c}', '\u{200b}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2060}', '\u{2069}',
            '\u{feff}',
        ] {
            assert_eq!(sanitize(&format!("a{c}b"), 100), "ab", "{c:?}");
        }
        // Line and paragraph separators are whitespace, not invisible.
        assert_eq!(sanitize("a\u{2028}b\u{2029}c", 100), "a b c");
    }

    /// The error appending a question to feature `a` gives when its
    /// `prd.md` holds `bytes` (or is `len` bytes long, sparse).
    fn check_refused(bytes: &[u8], len: Option<u64>, expected: &str) {
        let dir = tempfile::tempdir().unwrap();
        let feature = dir.path().join("specs/a");
        fs::create_dir_all(&feature).unwrap();
        fs::write(feature.join("prd.md"), bytes).unwrap();
        let file = File::options()
            .write(true)
            .open(feature.join("prd.md"))
            .unwrap();
        if let Some(len) = len {
            file.set_len(len).unwrap();
        }
        // Older than the moment a save in progress is waited for, so an
        // empty file is refused at once.
        file.set_modified(SystemTime::now() - Duration::from_secs(60))
            .unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let question = NewQuestion {
            text: "Which currency?".to_string(),
            date: "2026-01-01".to_string(),
            ..NewQuestion::default()
        };
        let error = Writer::new(false)
            .append_question(&workspace, "a", &question)
            .unwrap_err();
        assert_eq!(error.to_string(), expected);
        if len.is_none() {
            assert_eq!(fs::read(feature.join("prd.md")).unwrap(), bytes);
        }
    }

    #[test]
    fn the_writer_refuses_files_the_reader_cannot_show() {
        check_refused(
            b"# A\n\0\n",
            None,
            "refusing to write to specs/a/prd.md: it is binary",
        );
        check_refused(
            b"# A\n\xff\n",
            None,
            "refusing to write to specs/a/prd.md: it is not valid UTF-8",
        );
        check_refused(
            b"# A\n",
            Some(crate::workspace::DEFAULT_MAX_FILE_BYTES + 1),
            "refusing to write to specs/a/prd.md: it is 8388609 bytes, over the 8388608-byte size limit (--max-file-size)",
        );
    }

    #[test]
    fn a_file_made_read_only_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let feature = dir.path().join("specs/a");
        fs::create_dir_all(&feature).unwrap();
        let prd = feature.join("prd.md");
        fs::write(&prd, "# A\n").unwrap();
        let mut permissions = fs::metadata(&prd).unwrap().permissions();
        permissions.set_readonly(true);
        fs::set_permissions(&prd, permissions).unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        let question = NewQuestion {
            text: "Which currency?".to_string(),
            date: "2026-01-01".to_string(),
            ..NewQuestion::default()
        };
        let error = Writer::new(false)
            .append_question(&workspace, "a", &question)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "refusing to write to specs/a/prd.md: the file is read-only; make it writable (for example `chmod u+w specs/a/prd.md`) to record questions in it"
        );
        assert_eq!(fs::read_to_string(&prd).unwrap(), "# A\n");
    }

    /// A spec file opened and read, and a temp file beside it holding the
    /// new text, as the writer has them just before it installs.
    fn ready(directory: &Path) -> (PathBuf, File, tempfile::NamedTempFile) {
        let path = directory.join("prd.md");
        fs::write(&path, "# A\n").unwrap();
        let mut file = File::open(&path).unwrap();
        let mut read = String::new();
        file.read_to_string(&mut read).unwrap();
        let mut temp = tempfile::NamedTempFile::new_in(directory).unwrap();
        temp.write_all(b"# A\n- [ ] Q-1 (x): y\n").unwrap();
        (path, file, temp)
    }

    fn names(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn install_puts_the_new_text_in_place_of_an_unchanged_file() {
        let directory = tempfile::tempdir().unwrap();
        let (path, mut file, temp) = ready(directory.path());
        assert!(install(&mut file, b"# A\n", temp, &path).unwrap());
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "# A\n- [ ] Q-1 (x): y\n"
        );
        assert_eq!(names(directory.path()), ["prd.md"]);
    }

    #[test]
    fn install_keeps_a_save_made_by_rename_since_the_read() {
        let directory = tempfile::tempdir().unwrap();
        let (path, mut file, temp) = ready(directory.path());
        let saved = directory.path().join("saved");
        fs::write(&saved, "# A, saved\n").unwrap();
        fs::rename(&saved, &path).unwrap();
        assert!(!install(&mut file, b"# A\n", temp, &path).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "# A, saved\n");
        assert_eq!(names(directory.path()), ["prd.md"]);
    }

    #[test]
    fn install_keeps_a_save_made_in_place_since_the_read() {
        let directory = tempfile::tempdir().unwrap();
        let (path, mut file, temp) = ready(directory.path());
        fs::write(&path, "# B\n").unwrap();
        assert!(!install(&mut file, b"# A\n", temp, &path).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "# B\n");
        assert_eq!(names(directory.path()), ["prd.md"]);
    }

    /// Answering `id` in a native `prd.md` holding `old` gives `new`.
    fn check_answer(old: &str, id: &str, answer: &str, new: &str) {
        let plan = plan_answer(
            (Layout::Native, DocumentRole::Prd),
            "specs/a/prd.md",
            old,
            id,
            answer,
            100,
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(plan.new_text, new);
    }

    fn answer_refused(old: &str, id: &str, expected: &str) {
        let error = plan_answer(
            (Layout::Native, DocumentRole::Prd),
            "specs/a/prd.md",
            old,
            id,
            "Yes.",
            100,
        )
        .unwrap_err();
        assert_eq!(error.to_string(), expected);
    }

    #[test]
    fn an_answer_checks_the_box_and_goes_under_the_question() {
        check_answer(
            "## Open questions\n- [ ] Q-1 (2026-01-01): Which?\n- [ ] Q-2: Where?\n",
            "Q-1",
            "Etsy first.",
            "## Open questions\n- [x] Q-1 (2026-01-01): Which?\n  - A: Etsy first.\n- [ ] Q-2: Where?\n",
        );
        // After its context, at its content's indentation, in its line
        // endings, with a missing final newline added.
        check_answer(
            "# A\r\n\r\n1.  [ ] q-4: Which?\r\n    * Context: none\r\n",
            "Q-4",
            "This.",
            "# A\r\n\r\n1.  [x] q-4: Which?\r\n    * Context: none\r\n    - A: This.\r\n",
        );
        check_answer(
            "## Questions\n- **Q-2** Which?",
            "q-2",
            "# Not a heading\n- [x] nor an item",
            "## Questions\n- [x] **Q-2** Which?\n  - A: \\# Not a heading - \\[x\\] nor an item\n",
        );
        check_answer(
            "> - [ ] Q-1: Quoted?\n> - [ ] Q-2: Next?\n",
            "Q-1",
            "Yes.",
            "> - [x] Q-1: Quoted?\n>   - A: Yes.\n> - [ ] Q-2: Next?\n",
        );
    }

    #[test]
    fn an_answer_is_refused_where_it_would_not_read_back() {
        answer_refused(
            "- [x] Q-1: Which?\n  - A: Etsy.\n",
            "Q-1",
            "question Q-1 is already answered at specs/a/prd.md:1: Etsy.",
        );
        answer_refused(
            "- [ ] Q-1: Which? → A: Etsy.\n",
            "Q-1",
            "question Q-1 at specs/a/prd.md:1 holds an answer already, but its box is not checked; check it (`[x]`) or change the answer in the file",
        );
        answer_refused(
            "- [ ] Q-1: Which?\n- [ ] Q-1: Again?\n",
            "Q-1",
            "question Q-1 is recorded more than once (specs/a/prd.md:1, specs/a/prd.md:2); give each its own number in the file first",
        );
        answer_refused(
            "- [ ] Q-1: Which?\n",
            "Q-7",
            "question Q-7 is no longer in specs/a/prd.md; try again",
        );
        let error = plan_answer(
            (Layout::Native, DocumentRole::Prd),
            "specs/a/prd.md",
            "- [ ] Q-1: Which?\n",
            "Q-1",
            " \n\t",
            100,
        )
        .unwrap_err();
        assert!(matches!(error, EditError::EmptyAnswer), "{error}");
    }

    /// Setting `id` to `status` in a tasks file of `layout` holding `old`
    /// gives `new` (`None`: nothing to write).
    fn check_status(layout: Layout, old: &str, id: &str, status: TaskStatus, new: Option<&str>) {
        let plan = plan_status(
            (layout, DocumentRole::Tasks),
            "specs/a/tasks.md",
            old,
            id,
            status,
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(plan.new_text.as_deref(), new);
    }

    #[test]
    fn a_checklist_status_is_its_box() {
        let old = "## Phase 1\n- [ ] T1 Build\n  - [ ] T2 Step\n- [x] T3 Ship\n";
        check_status(
            Layout::SpecKit,
            old,
            "t1",
            TaskStatus::Done,
            Some("## Phase 1\n- [x] T1 Build\n  - [ ] T2 Step\n- [x] T3 Ship\n"),
        );
        check_status(
            Layout::SpecKit,
            old,
            "T3",
            TaskStatus::Todo,
            Some("## Phase 1\n- [ ] T1 Build\n  - [ ] T2 Step\n- [ ] T3 Ship\n"),
        );
        check_status(
            Layout::Kiro,
            "- [ ] 1. Store\n  - [ ] 1.1 Table\n",
            "1.1",
            TaskStatus::InProgress,
            Some("- [ ] 1. Store\n  - [-] 1.1 Table\n"),
        );
        check_status(Layout::SpecKit, old, "T3", TaskStatus::Done, None);
        // The file's legend decides which box says what.
        check_status(
            Layout::SpecKit,
            "Legend: `[/]` in progress, `[-]` blocked\n\n- [ ] T1 Build\n",
            "T1",
            TaskStatus::InProgress,
            Some("Legend: `[/]` in progress, `[-]` blocked\n\n- [/] T1 Build\n"),
        );
        check_status(
            Layout::SpecKit,
            "Legend: `[!]` blocked\n\n- [ ] T1 Build\n",
            "T1",
            TaskStatus::Blocked,
            Some("Legend: `[!]` blocked\n\n- [!] T1 Build\n"),
        );
        let error = plan_status(
            (Layout::SpecKit, DocumentRole::Tasks),
            "specs/a/tasks.md",
            "- [ ] T1 Build\n",
            "T1",
            TaskStatus::Blocked,
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("no checkbox of specs/a/tasks.md reads as blocked"),
            "{error}"
        );
    }

    #[test]
    fn a_heading_task_status_is_its_status_word() {
        check_status(
            Layout::Native,
            "## T1: Build\nStatus: todo\nDepends on: T0\n\n## T2: Ship\nStatus: todo\n",
            "T1",
            TaskStatus::InProgress,
            Some(
                "## T1: Build\nStatus: in progress\nDepends on: T0\n\n## T2: Ship\nStatus: todo\n",
            ),
        );
        check_status(
            Layout::Native,
            "## T1: Build\r\n- **Status:** `wip`  \r\n",
            "T1",
            TaskStatus::Done,
            Some("## T1: Build\r\n- **Status:** `done`  \r\n"),
        );
        check_status(
            Layout::Native,
            "## T1: Build\nStatus:\n",
            "T1",
            TaskStatus::Done,
            Some("## T1: Build\nStatus: done\n"),
        );
        // No `Status:` line: one is added under the heading.
        check_status(
            Layout::Native,
            "# Tasks\n\n## T1: Build\nThe build.\n\n### Test plan\n- Run it.\n",
            "T1",
            TaskStatus::Done,
            Some("# Tasks\n\n## T1: Build\nStatus: done\nThe build.\n\n### Test plan\n- Run it.\n"),
        );
        check_status(
            Layout::Native,
            "## T1: Build",
            "T1",
            TaskStatus::Blocked,
            Some("## T1: Build\nStatus: blocked\n"),
        );
    }

    /// A native feature `a` whose `prd.md` holds Q-1 and whose `tasks.md`
    /// holds Q-2 and two tasks.
    fn two_document_kit() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let feature = dir.path().join("specs/a");
        fs::create_dir_all(&feature).unwrap();
        fs::write(
            feature.join("prd.md"),
            "# A\n\n## Open questions\n- [ ] Q-1: Which currency?\n",
        )
        .unwrap();
        fs::write(
            feature.join("tasks.md"),
            "## T1: Build\nStatus: todo\n\n## Notes\n- [ ] T2 Ship\n- [ ] Q-2: Which region?\n",
        )
        .unwrap();
        let workspace = Workspace::open(dir.path()).unwrap();
        (dir, workspace)
    }

    #[test]
    fn an_answer_goes_to_the_document_holding_the_question() {
        let (dir, workspace) = two_document_kit();
        let prd = fs::read(dir.path().join("specs/a/prd.md")).unwrap();
        // Read first, so what is cached must be dropped by the write.
        assert!(
            !workspace
                .feature("a")
                .unwrap()
                .questions()
                .any(|q| q.answered)
        );
        let recorded = Writer::new(false)
            .answer_question(&workspace, "a", "q-2", "eu-west-1")
            .unwrap();
        assert_eq!(
            recorded,
            Recorded {
                id: "Q-2".to_string(),
                answer: "eu-west-1".to_string(),
                source: "specs/a/tasks.md:6".to_string(),
            }
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("specs/a/tasks.md")).unwrap(),
            "## T1: Build\nStatus: todo\n\n## Notes\n- [ ] T2 Ship\n- [x] Q-2: Which region?\n  - A: eu-west-1\n"
        );
        assert_eq!(fs::read(dir.path().join("specs/a/prd.md")).unwrap(), prd);
        let feature = workspace.feature("a").unwrap();
        let answered: Vec<_> = feature
            .questions()
            .filter(|question| question.answered)
            .map(|question| (question.id.clone(), question.answer.clone()))
            .collect();
        assert_eq!(
            answered,
            [(Some("Q-2".to_string()), Some("eu-west-1".to_string()))]
        );

        let error = Writer::new(false)
            .answer_question(&workspace, "a", "Q-5", "x")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "no question `Q-5` in feature a; valid question ids: Q-1, Q-2"
        );
    }

    #[test]
    fn a_status_is_set_where_the_task_is_and_seen_at_once() {
        let (dir, workspace) = two_document_kit();
        let status = |id| {
            workspace
                .feature("a")
                .unwrap()
                .task(id)
                .map(|task| task.status)
        };
        assert_eq!(status("T2"), Some(TaskStatus::Todo));
        let writer = Writer::new(false);
        let change = writer
            .set_status(&workspace, "a", "T2", TaskStatus::InProgress)
            .unwrap();
        assert!(change.changed);
        assert_eq!(change.previous, TaskStatus::Todo);
        assert_eq!(status("T2"), Some(TaskStatus::InProgress));
        writer
            .set_status(&workspace, "a", "t1", TaskStatus::Done)
            .unwrap();
        assert_eq!(status("T1"), Some(TaskStatus::Done));
        assert_eq!(
            fs::read_to_string(dir.path().join("specs/a/tasks.md")).unwrap(),
            "## T1: Build\nStatus: done\n\n## Notes\n- [-] T2 Ship\n- [ ] Q-2: Which region?\n"
        );
        let again = writer
            .set_status(&workspace, "a", "T1", TaskStatus::Done)
            .unwrap();
        assert!(!again.changed);

        let error = Writer::new(true)
            .set_status(&workspace, "a", "T1", TaskStatus::Todo)
            .unwrap_err();
        assert!(matches!(error, EditError::ReadOnlySpec), "{error}");
        assert_eq!(status("T1"), Some(TaskStatus::Done));
    }

    #[test]
    fn an_empty_file_is_never_written_to() {
        check_refused(
            b"",
            None,
            "refusing to write to specs/a/prd.md: it is empty (an editor may be saving it; if it \
             is empty on purpose, give it a title line such as `# Overview` first)",
        );
    }
}
