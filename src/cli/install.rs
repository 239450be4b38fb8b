//! `spec-mcp install`: registers this binary with an MCP client (Claude
//! Code, Cursor, VS Code) by merging one entry, `spec-mcp`, into the
//! client's config file, and writes the agent skill into the project.
//!
//! It never clobbers: the config is read (JSON, or JSONC for VS Code),
//! only our entry is spliced in (`merge.rs`), the result is read back and
//! compared before a temp file is renamed over the original, and a file
//! it cannot read is refused untouched. It writes no spec file and reads
//! no kit: the server does that when the client starts it.

mod jsonc;
mod merge;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::cli::KitOptions;
use crate::cli::reply::{COULD_NOT_RUN, REFUSED};
use crate::edit::DEFAULT_MAX_TEXT_CHARS;
use crate::skill;
use crate::workspace::DEFAULT_MAX_FILE_BYTES;

use jsonc::Dialect;
use merge::{Merged, Slot};

/// The entry's name in every client's config.
const SERVER_NAME: &str = "spec-mcp";

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp install claude                      # .mcp.json in the current folder\n  \
    spec-mcp --root ~/code/shop install cursor   # .cursor/mcp.json in ~/code/shop\n  \
    spec-mcp install vscode --skill              # .vscode/mcp.json and the agent skill\n  \
    spec-mcp install claude --scope user         # ~/.claude.json, for every project\n  \
    spec-mcp install claude --http http://127.0.0.1:8080/mcp\n  \
    spec-mcp install cursor --print              # show the result, write nothing\n  \
    spec-mcp install --skill                     # only the agent skill\n\n\
    The entry runs this binary by its absolute path with `serve --root <project>`, \
    the project being `--root` (the current folder by default), and passes on \
    `--layout`, `--feature`, `--task`, `--read-only` and the size limits given here. \
    Every other server and key in the file stays as it was; running it again says \
    `unchanged`.\n\n\
    Exit status: 0 when done (or unchanged), 1 when refused (a SKILL.md of your own \
    without --force, no VS Code user folder), 2 when it could not run (a config file \
    that is not valid JSON, a project folder that does not exist, a failed write).")]
pub struct InstallArgs {
    /// The client to register spec-mcp with.
    #[arg(value_enum, required_unless_present = "skill")]
    pub client: Option<Client>,
    /// Register the endpoint of a server already running over HTTP
    /// (`spec-mcp serve --http`) instead of a command the client starts.
    #[arg(long, value_name = "URL", value_parser = parse_url, requires = "client")]
    pub http: Option<String>,
    /// `project`: the client's config file in the project folder, to
    /// share through the repository. `user`: the client's config in your
    /// home folder, seen from every project.
    #[arg(long, value_enum, requires = "client")]
    pub scope: Option<Scope>,
    /// Print the config file as it would be, and write nothing.
    #[arg(long)]
    pub print: bool,
    /// Write the agent skill for the spec-driven workflow into the project:
    /// `.claude/skills/spec-driven/SKILL.md` and
    /// `.agents/skills/spec-driven/SKILL.md`.
    #[arg(long)]
    pub skill: bool,
    /// Overwrite a SKILL.md that differs from this version's.
    #[arg(long, requires = "skill")]
    pub force: bool,
}

/// An MCP client whose config `install` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Client {
    /// Claude Code: `.mcp.json`, or `~/.claude.json` for the user.
    Claude,
    /// Cursor: `.cursor/mcp.json`, or `~/.cursor/mcp.json`.
    Cursor,
    /// VS Code: `.vscode/mcp.json`, or `mcp.json` in the user profile.
    #[value(alias = "code")]
    Vscode,
}

/// Which of the client's config files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Scope {
    #[default]
    Project,
    User,
}

/// A server entry as the clients read it; fields in the order they are
/// written.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum Entry {
    Stdio {
        #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
        kind: Option<&'static str>,
        command: String,
        args: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        env: Option<BTreeMap<String, String>>,
    },
    Http {
        #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
        kind: Option<&'static str>,
        url: String,
    },
}

/// A reason to stop, with the exit status it gives.
struct Stop {
    message: String,
    status: u8,
}

impl Stop {
    fn could_not_run(message: impl Into<String>) -> Stop {
        Stop {
            message: message.into(),
            status: COULD_NOT_RUN,
        }
    }

    fn refused(message: impl Into<String>) -> Stop {
        Stop {
            message: message.into(),
            status: REFUSED,
        }
    }
}

pub fn run(kit: &KitOptions, args: &InstallArgs) -> ExitCode {
    match install(kit, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(stop) => {
            eprintln!("spec-mcp: error: {}", stop.message);
            ExitCode::from(stop.status)
        }
    }
}

fn install(kit: &KitOptions, args: &InstallArgs) -> Result<(), Stop> {
    let project = project_folder(&kit.root)?;
    // Everything is read and checked before anything is written, so a
    // refusal leaves every file as it was.
    let config = match args.client {
        Some(client) => Some(ConfigPlan::new(client, args, kit, &project)?),
        None => None,
    };
    let skills = if args.skill {
        skill_plans(&project, args.force)?
    } else {
        Vec::new()
    };
    if args.print {
        if let Some(config) = &config {
            print_stdout(config.resulting_text())?;
        }
        for plan in &skills {
            eprintln!("spec-mcp: {} {}", plan.would(), plan.path.display());
        }
        return Ok(());
    }
    if let Some(config) = config {
        config.write()?;
    }
    for plan in &skills {
        plan.write()?;
    }
    Ok(())
}

/// The project folder, absolute: the kit root the entry serves, and where
/// project configs and the skill go.
fn project_folder(root: &Path) -> Result<PathBuf, Stop> {
    let project = fs::canonicalize(root).map_err(|error| {
        Stop::could_not_run(format!(
            "the project folder {}: {error} (run install from your project folder, or pass --root)",
            root.display()
        ))
    })?;
    if !project.is_dir() {
        return Err(Stop::could_not_run(format!(
            "the project folder {} is not a folder (pass --root with your project folder)",
            root.display()
        )));
    }
    Ok(project)
}

// ---------------------------------------------------------------------------
// The client's config
// ---------------------------------------------------------------------------

struct ConfigPlan {
    client: Client,
    scope: Scope,
    path: PathBuf,
    slot: Slot<'static>,
    entry: Entry,
    /// The file as read ("" when it does not exist yet).
    original: String,
    merged: Merged,
}

impl ConfigPlan {
    fn new(
        client: Client,
        args: &InstallArgs,
        kit: &KitOptions,
        project: &Path,
    ) -> Result<ConfigPlan, Stop> {
        let scope = args.scope.unwrap_or_default();
        let entry = match &args.http {
            Some(url) => http_entry(client, url),
            None => stdio_entry(client, kit, project)?,
        };
        let path = resolve_link(&config_path(client, scope, project, &entry)?)?;
        let slot = Slot {
            servers: match client {
                Client::Claude | Client::Cursor => "mcpServers",
                Client::Vscode => "servers",
            },
            name: SERVER_NAME,
            dialect: match client {
                Client::Claude | Client::Cursor => Dialect::Json,
                Client::Vscode => Dialect::Jsonc,
            },
        };
        let original = read_config(&path)?;
        let merged = merge_into(&path, &original, slot, &entry)?;
        Ok(ConfigPlan {
            client,
            scope,
            path,
            slot,
            entry,
            original,
            merged,
        })
    }

    fn resulting_text(&self) -> &str {
        match &self.merged {
            Merged::Unchanged => &self.original,
            Merged::Added { text } | Merged::Replaced { text, .. } => text,
        }
    }

    fn write(self) -> Result<(), Stop> {
        let path = self.path.display();
        let mut report = match &self.merged {
            Merged::Unchanged => {
                format!("unchanged: {path} already has this `{SERVER_NAME}` entry\n")
            }
            Merged::Added { .. } => {
                let mut report = format!("added `{SERVER_NAME}` to {path}:\n");
                for line in merge::render_entry(SERVER_NAME, &self.entry).lines() {
                    let _ = writeln!(report, "+ {line}");
                }
                report
            }
            Merged::Replaced { old, new, .. } => {
                let mut report = format!("replaced `{SERVER_NAME}` in {path}:\n");
                let old = format!("\"{SERVER_NAME}\": {old}");
                let new = format!("\"{SERVER_NAME}\": {new}");
                report.push_str(&line_diff(&old, &new));
                report
            }
        };
        if self.merged != Merged::Unchanged {
            self.write_merged()?;
        }
        if self.client == Client::Claude && self.scope == Scope::Project {
            report.push_str(
                "Claude Code asks once before it starts a server from .mcp.json: run `claude` \
                 in the project and approve `spec-mcp` (`claude mcp list` shows it).\n",
            );
        }
        print_stdout(&report)
    }

    /// Writes the merged text, unless the file changed since it was read
    /// (a client rewrites its own config while it runs): then it merges
    /// again into what is there now, a few times, a little later each
    /// time, before giving up. The file is compared once more just before
    /// the rename, after the new text is on disk, so a write by someone
    /// else is lost only if it lands in the moment between the two.
    fn write_merged(&self) -> Result<(), Stop> {
        let mut original = self.original.clone();
        let mut merged = self.merged.clone();
        for attempt in 1..=ATTEMPTS {
            let text = match &merged {
                Merged::Unchanged => return Ok(()),
                Merged::Added { text } | Merged::Replaced { text, .. } => text,
            };
            let private = self.scope == Scope::User;
            let written = write_atomically(&self.path, text.as_bytes(), private, || {
                let now = read_config(&self.path).map_err(|stop| io::Error::other(stop.message))?;
                Ok(now == original)
            })
            .map_err(|error| {
                Stop::could_not_run(format!("writing {}: {error}", self.path.display()))
            })?;
            if written {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10 * u64::from(attempt)));
            let now = read_config(&self.path)?;
            merged = merge_into(&self.path, &now, self.slot, &self.entry)?;
            original = now;
        }
        Err(Stop::could_not_run(format!(
            "{} kept changing while it was being merged into; nothing was written (try again)",
            self.path.display()
        )))
    }
}

/// How many times a config that keeps changing is merged into again.
const ATTEMPTS: u32 = 10;

fn merge_into(path: &Path, text: &str, slot: Slot<'_>, entry: &Entry) -> Result<Merged, Stop> {
    merge::merge(text, slot, entry).map_err(|error| {
        Stop::could_not_run(format!(
            "{}: {error}; it was left as it was (fix it, or move it away to start a new one)",
            path.display()
        ))
    })
}

/// The entry that starts this binary on the project.
fn stdio_entry(client: Client, kit: &KitOptions, project: &Path) -> Result<Entry, Stop> {
    let binary = std::env::current_exe()
        .and_then(fs::canonicalize)
        .map_err(|error| Stop::could_not_run(format!("finding this binary's path: {error}")))?;
    let utf8 = |path: &Path, what: &str| {
        path.to_str().map(str::to_string).ok_or_else(|| {
            Stop::could_not_run(format!(
                "{what} {} is not UTF-8, which a JSON config cannot hold",
                path.display()
            ))
        })
    };
    let mut args = vec![
        "serve".to_string(),
        "--root".to_string(),
        utf8(project, "the project folder")?,
    ];
    args.extend(kit_args(kit));
    Ok(Entry::Stdio {
        kind: match client {
            Client::Claude | Client::Vscode => Some("stdio"),
            Client::Cursor => None,
        },
        command: utf8(&binary, "this binary's path")?,
        args,
        // Claude Code writes an empty `env` itself; matching it keeps
        // `claude mcp add` and `install` from undoing each other.
        env: (client == Client::Claude).then(BTreeMap::new),
    })
}

fn http_entry(client: Client, url: &str) -> Entry {
    Entry::Http {
        kind: match client {
            Client::Claude | Client::Vscode => Some("http"),
            Client::Cursor => None,
        },
        url: url.to_string(),
    }
}

/// The kit options given to `install` that the server should get too.
fn kit_args(kit: &KitOptions) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(layout) = kit.layout {
        let name = layout
            .to_possible_value()
            .expect("every layout has a name")
            .get_name()
            .to_string();
        args.extend(["--layout".to_string(), name]);
    }
    if let Some(feature) = &kit.feature {
        args.extend(["--feature".to_string(), feature.clone()]);
    }
    if let Some(task) = &kit.task {
        args.extend(["--task".to_string(), task.clone()]);
    }
    if kit.read_only {
        args.push("--read-only".to_string());
    }
    if kit.max_file_size != DEFAULT_MAX_FILE_BYTES {
        args.extend(["--max-file-size".to_string(), kit.max_file_size.to_string()]);
    }
    if kit.max_question_chars != DEFAULT_MAX_TEXT_CHARS {
        args.extend([
            "--max-question-chars".to_string(),
            kit.max_question_chars.to_string(),
        ]);
    }
    args
}

/// Where the client keeps the config of this scope.
fn config_path(
    client: Client,
    scope: Scope,
    project: &Path,
    entry: &Entry,
) -> Result<PathBuf, Stop> {
    Ok(match (client, scope) {
        (Client::Claude, Scope::Project) => project.join(".mcp.json"),
        (Client::Cursor, Scope::Project) => project.join(".cursor").join("mcp.json"),
        (Client::Vscode, Scope::Project) => project.join(".vscode").join("mcp.json"),
        // Claude Code keeps user-scope servers in the top-level
        // `mcpServers` of `.claude.json`, in `CLAUDE_CONFIG_DIR` when set.
        (Client::Claude, Scope::User) => match std::env::var_os("CLAUDE_CONFIG_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir).join(".claude.json"),
            _ => home()?.join(".claude.json"),
        },
        (Client::Cursor, Scope::User) => home()?.join(".cursor").join("mcp.json"),
        (Client::Vscode, Scope::User) => {
            let folder = vscode_user_folder()?;
            if !folder.is_dir() {
                let entry = serde_json::to_string(&AddMcp {
                    name: SERVER_NAME,
                    entry,
                })
                .expect("plain data serializes");
                return Err(Stop::refused(format!(
                    "there is no VS Code user folder at {} (is VS Code installed, with its default profile?); \
                     install into the project instead, or let VS Code add it: code --add-mcp '{entry}'",
                    folder.display()
                )));
            }
            folder.join("mcp.json")
        }
    })
}

/// The argument `code --add-mcp` takes: the entry with its name in it.
#[derive(Serialize)]
struct AddMcp<'a> {
    name: &'a str,
    #[serde(flatten)]
    entry: &'a Entry,
}

fn home() -> Result<PathBuf, Stop> {
    let variable = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    match std::env::var_os(variable) {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home)),
        _ => Err(Stop::could_not_run(format!(
            "{variable} is not set, so the user config cannot be found"
        ))),
    }
}

/// VS Code's user folder for the default profile.
fn vscode_user_folder() -> Result<PathBuf, Stop> {
    let settings = if cfg!(target_os = "macos") {
        home()?.join("Library").join("Application Support")
    } else if cfg!(windows) {
        match std::env::var_os("APPDATA") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => return Err(Stop::could_not_run("APPDATA is not set")),
        }
    } else {
        match std::env::var_os("XDG_CONFIG_HOME") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => home()?.join(".config"),
        }
    };
    Ok(settings.join("Code").join("User"))
}

/// A config that is a symbolic link (dotfiles kept elsewhere) is written
/// where it points, so the link stays a link.
fn resolve_link(path: &Path) -> Result<PathBuf, Stop> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|error| {
                Stop::could_not_run(format!("following the link {}: {error}", path.display()))
            })
        }
        _ => Ok(path.to_path_buf()),
    }
}

/// The config's text, or "" when there is none yet.
fn read_config(path: &Path) -> Result<String, Stop> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            Stop::could_not_run(format!(
                "{}: it is not UTF-8 text, so not JSON; it was left as it was",
                path.display()
            ))
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(error) => Err(Stop::could_not_run(format!(
            "reading {}: {error}",
            path.display()
        ))),
    }
}

/// The lines that differ between `old` and `new`, marked `-` and `+`, in
/// the order of a shortest edit.
fn line_diff(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    // Longest common subsequence, from the ends: entries are a few lines.
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut diff = String::new();
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            // Lines kept are not shown: they may hold the user's secrets
            // (an `env` value), which need not reach a terminal or a log.
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            let _ = writeln!(diff, "- {}", old[i]);
            i += 1;
        } else {
            let _ = writeln!(diff, "+ {}", new[j]);
            j += 1;
        }
    }
    diff
}

// ---------------------------------------------------------------------------
// The agent skill
// ---------------------------------------------------------------------------

/// One SKILL.md to write, or to leave because it already says ours.
struct SkillPlan {
    path: PathBuf,
    state: SkillState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SkillState {
    Missing,
    Same,
    /// Different text, overwritten because `--force` was given.
    Overwrite,
}

/// Where agents look for project skills: Claude Code in `.claude/skills`,
/// agents following the shared convention in `.agents/skills`.
fn skill_plans(project: &Path, force: bool) -> Result<Vec<SkillPlan>, Stop> {
    let mut plans = Vec::new();
    let mut differing = Vec::new();
    for base in [".claude", ".agents"] {
        let path = resolve_link(
            &project
                .join(base)
                .join("skills")
                .join(skill::NAME)
                .join("SKILL.md"),
        )?;
        let state = match fs::read(&path) {
            Ok(bytes) if bytes == skill::SKILL_MD.as_bytes() => SkillState::Same,
            Ok(_) if force => SkillState::Overwrite,
            Ok(_) => {
                differing.push(path.display().to_string());
                continue;
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => SkillState::Missing,
            Err(error) => {
                return Err(Stop::could_not_run(format!(
                    "reading {}: {error}",
                    path.display()
                )));
            }
        };
        plans.push(SkillPlan { path, state });
    }
    if differing.is_empty() {
        Ok(plans)
    } else {
        Err(Stop::refused(format!(
            "{} differs from this version's skill; nothing was written (pass --force to overwrite it)",
            differing.join(" and ")
        )))
    }
}

impl SkillPlan {
    fn would(&self) -> &'static str {
        match self.state {
            SkillState::Missing => "would write",
            SkillState::Same => "unchanged:",
            SkillState::Overwrite => "would overwrite",
        }
    }

    fn write(&self) -> Result<(), Stop> {
        let done = match self.state {
            SkillState::Same => "unchanged:",
            SkillState::Missing => "wrote",
            SkillState::Overwrite => "overwrote",
        };
        if self.state != SkillState::Same {
            write_atomically(&self.path, skill::SKILL_MD.as_bytes(), false, || Ok(true)).map_err(
                |error| Stop::could_not_run(format!("writing {}: {error}", self.path.display())),
            )?;
        }
        print_stdout(&format!("{done} {}\n", self.path.display()))
    }
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Writes through a temp file in the same folder, renamed over the file,
/// so a reader sees the old file or the new one and never half of one. An
/// existing file keeps its permissions; a new one in a home folder is
/// readable by its owner only (it may come to hold a client's tokens).
/// `still_as_read` is asked last, with the new text on disk: when it says
/// the file changed, nothing is renamed and the answer is `false`.
fn write_atomically(
    path: &Path,
    bytes: &[u8],
    private: bool,
    mut still_as_read: impl FnMut() -> io::Result<bool>,
) -> io::Result<bool> {
    let folder = path
        .parent()
        .ok_or_else(|| io::Error::other("the file has no folder"))?;
    fs::create_dir_all(folder)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".spec-mcp-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    match fs::metadata(path) {
        Ok(metadata) => temp.as_file().set_permissions(metadata.permissions())?,
        Err(_) => set_new_file_mode(temp.as_file(), private)?,
    }
    if !still_as_read()? {
        // The temp file goes when it is dropped.
        return Ok(false);
    }
    temp.persist(path).map_err(|error| error.error)?;
    Ok(true)
}

#[cfg(unix)]
fn set_new_file_mode(file: &fs::File, private: bool) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(fs::Permissions::from_mode(if private {
        0o600
    } else {
        0o644
    }))
}

#[cfg(not(unix))]
fn set_new_file_mode(_file: &fs::File, _private: bool) -> io::Result<()> {
    Ok(())
}

fn print_stdout(text: &str) -> Result<(), Stop> {
    match io::stdout().lock().write_all(text.as_bytes()) {
        // A reader that went away (`| head`) wants no more, and no error.
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(Stop::could_not_run(format!("writing to stdout: {error}")))
        }
        _ => Ok(()),
    }
}

/// An `http://` or `https://` URL with a host.
fn parse_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))
        .ok_or_else(|| format!("`{text}` is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') || text.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{text}` is not a URL with a host (for example http://127.0.0.1:8080/mcp)"
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::{line_diff, parse_url, write_atomically};

    #[test]
    fn diffs_show_the_removed_and_added_lines_only() {
        assert_eq!(
            line_diff(
                "{\n  \"a\": 1,\n  \"b\": 2\n}",
                "{\n  \"a\": 1,\n  \"b\": 3\n}"
            ),
            "-   \"b\": 2\n+   \"b\": 3\n"
        );
    }

    #[test]
    fn a_file_changed_just_before_the_rename_is_not_replaced() {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("mcp.json");
        std::fs::write(&path, "{}").expect("write");
        let written = write_atomically(&path, b"{\"new\": 1}", false, || {
            // Another program saves the file while ours is being synced.
            std::fs::write(&path, "{\"theirs\": 1}")?;
            Ok(false)
        })
        .expect("no error");
        assert!(!written);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"theirs\": 1}");
        let left: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the temp file is gone: {left:?}");
    }

    #[test]
    fn urls_are_http_with_a_host() {
        assert!(parse_url("http://127.0.0.1:8080/mcp").is_ok());
        assert!(parse_url("https://specs.example.com/mcp").is_ok());
        assert!(parse_url("127.0.0.1:8080").is_err());
        assert!(parse_url("http:///mcp").is_err());
        assert!(parse_url("ftp://host/").is_err());
    }
}
