//! The only way back to disk: appending a question to a feature's open
//! questions.
//!
//! A write is a byte splice of the file as it is on disk now, never a
//! re-render. Under a per-file lock (an in-process mutex plus an advisory
//! file lock, so separate server processes serialise too) the file is read,
//! the new line spliced in, the result re-parsed and verified (every other
//! byte unchanged, exactly one more question), written to a temp file in the
//! same directory, fsynced and swapped in for the original (see
//! `install`). If someone else changed the file in the meantime, the
//! whole step is retried.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fs4::fs_std::FileExt;

use crate::model::{Document, DocumentRole, Item, Layout, Question, SectionKind};
use crate::parse;
use crate::parse::markdown::{Block, Outline, all_items, line_end, line_start, outline};
use crate::workspace::{Primary, Unreadable, Workspace, WorkspaceError, is_invisible, read_text};

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
enum Attempt {
    Done(Appended),
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
        let Primary { path, role, layout } = workspace.primary_path(feature_id)?;
        let relative = workspace.relative(&path);

        let file_lock = self.lock_for(&path);
        let _in_process = file_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut changed_underneath = 0;
        let deadline = Instant::now() + LOCK_DEADLINE;
        while changed_underneath < MAX_ATTEMPTS && Instant::now() < deadline {
            // Other documents of the feature may hold questions too: ids are
            // unique per feature, and a repeat anywhere is a repeat.
            let feature = workspace.feature(feature_id)?;
            let others: Vec<&Question> = feature
                .documents()
                .filter(|document| *document.path != *relative)
                .flat_map(|document| document.questions.iter())
                .collect();
            let target = Target {
                path: &path,
                relative: &relative,
                layout,
                role,
                max_file_bytes: workspace.max_file_bytes(),
            };
            match self.attempt(&target, &others, question)? {
                Attempt::Done(appended) => {
                    // What was just written must be what the next answer
                    // reads, even if the rename left every stamp alike.
                    workspace.invalidate(&path);
                    return Ok(appended);
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

    /// One locked read-splice-verify-install.
    fn attempt(
        &self,
        target: &Target,
        others: &[&Question],
        question: &NewQuestion,
    ) -> Result<Attempt, EditError> {
        let &Target {
            path,
            relative,
            layout,
            role,
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

        let plan = plan_append_in(
            layout,
            relative,
            role,
            &text,
            others,
            question,
            self.max_text_chars,
        )?;
        let splice = match plan {
            Plan::Existing { id, source } => {
                return Ok(Attempt::Done(Appended {
                    id,
                    existing: true,
                    source,
                }));
            }
            Plan::Splice(splice) => splice,
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
        temp.write_all(splice.new_text.as_bytes())
            .map_err(io_error)?;
        if let Ok(metadata) = file.metadata() {
            fs::set_permissions(temp.path(), metadata.permissions()).map_err(io_error)?;
        }
        temp.as_file().sync_all().map_err(io_error)?;

        // Locked before it is swapped in, so the file at `path` stays
        // locked until this write is done: another writer cannot take it
        // and sweep up the file swapped out as a stale temp.
        temp.as_file().lock_exclusive().map_err(io_error)?;
        // Someone who does not take the lock (a person in an editor) may
        // have saved since we read: never put our file over their bytes.
        if !install(&mut file, text.as_bytes(), temp, path).map_err(io_error)? {
            return Ok(Attempt::ChangedUnderneath);
        }
        sync_directory(directory);
        Ok(Attempt::Done(Appended {
            id: splice.id,
            existing: false,
            source: format!("{relative}:{}", splice.line),
        }))
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
    layout: Layout,
    role: DocumentRole,
    max_file_bytes: u64,
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

/// Makes the rename durable. Best effort: not every platform can open a
/// directory.
fn sync_directory(directory: &Path) {
    if let Ok(handle) = File::open(directory) {
        let _ = handle.sync_all();
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
    let text_end = next.map_or(text.len(), |(_, span)| span.start);
    (all_items(outline, index + 1..blocks_end), text_end)
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
