//! The command line: one file per subcommand (the answering commands
//! share `answers.rs`), all sharing the options that say where the kit is
//! and which feature and task are current.

mod answer;
mod answers;
mod ask;
pub mod check;
mod init;
mod install;
mod prompt;
mod reply;
pub mod serve;
mod status;
mod text;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::edit::DEFAULT_MAX_TEXT_CHARS;
use crate::model::Layout;
use crate::workspace::{DEFAULT_MAX_FILE_BYTES, WorkspaceError};

/// Serve a spec kit (PRD, tech spec, tasks, Definition of Done) to AI coding
/// agents over the Model Context Protocol.
#[derive(Debug, Parser)]
#[command(name = "spec-mcp", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub kit: KitOptions,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the MCP server over stdio (the default when no command is
    /// given), or over HTTP with `--http`.
    Serve(serve::ServeArgs),
    /// Write the example spec kit into a folder, to start your own from.
    Init(init::InitArgs),
    /// Register spec-mcp with Claude Code, Cursor or VS Code (merging one
    /// entry into the client's config), and write the agent skill.
    Install(install::InstallArgs),
    /// The current task with what binds it (`get_current_task`).
    Task(answers::TaskArgs),
    /// A task's acceptance criteria and test plan, with the feature's
    /// (`get_acceptance_criteria`).
    Criteria(answers::CriteriaArgs),
    /// The architecture constraints (`get_architecture_constraints`).
    Constraints(answers::ConstraintsArgs),
    /// What is out of scope (`get_out_of_scope`).
    Scope(answers::ScopeArgs),
    /// The Definition of Done (`get_definition_of_done`).
    Done(answers::DoneArgs),
    /// The feature's tasks with their status, the current one marked
    /// (`list_tasks`).
    Tasks(answers::TasksArgs),
    /// The feature's questions, open and answered (`list_questions`).
    Questions(answers::QuestionsArgs),
    /// Record a question in the feature's open questions (`ask_question`).
    Ask(ask::AskArgs),
    /// Record the answer to a question and mark it answered.
    Answer(answer::AnswerArgs),
    /// Set a task's status in its file.
    Status(status::StatusArgs),
    /// Check the kit for what it still lacks (tasks without acceptance
    /// criteria, open questions, broken dependencies, template text left):
    /// exits 1 when a finding is an error, for CI.
    Check(check::CheckArgs),
    /// A workflow prompt filled from the kit (`start_task`,
    /// `review_change`, `failure_modes`, `plan_tasks`), as the server's
    /// prompts give it.
    Prompt(prompt::PromptArgs),
}

/// Where the kit is and what is current.
#[derive(Debug, Clone, Args)]
pub struct KitOptions {
    /// The project root (holding `specs/`, `.specify/`, `.kiro/` or
    /// `openspec/`) or the specs folder itself.
    #[arg(long, global = true, env = "SPEC_MCP_ROOT", default_value = ".")]
    pub root: PathBuf,
    /// Read only this layout instead of every layout found in the root.
    #[arg(long, global = true, env = "SPEC_MCP_LAYOUT", value_enum)]
    pub layout: Option<LayoutArg>,
    /// The feature answers default to (a feature folder's name).
    #[arg(long, global = true, env = "SPEC_MCP_FEATURE")]
    pub feature: Option<String>,
    /// The task answers default to (an id such as `T2`).
    #[arg(long, global = true, env = "SPEC_MCP_TASK")]
    pub task: Option<String>,
    /// Refuse every write (`ask_question` answers with an error).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// The largest spec file read, in bytes, or with a K, M or G suffix
    /// (KiB, MiB, GiB: `8M`). Larger files are reported, not parsed, and
    /// never written to.
    #[arg(
        long,
        global = true,
        env = "SPEC_MCP_MAX_FILE_SIZE",
        value_name = "BYTES",
        default_value_t = DEFAULT_MAX_FILE_BYTES,
        value_parser = parse_size
    )]
    pub max_file_size: u64,
    /// The longest question, and the longest context, `ask_question`
    /// records, in characters; longer text is cut, with `…`.
    #[arg(
        long,
        global = true,
        env = "SPEC_MCP_MAX_QUESTION_CHARS",
        value_name = "N",
        default_value_t = DEFAULT_MAX_TEXT_CHARS,
        value_parser = parse_count
    )]
    pub max_question_chars: usize,
}

/// A count of at least 1: a limit of 0 would cut every question to nothing.
fn parse_count(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("it must be at least 1".to_string()),
        Ok(count) => Ok(count),
        Err(_) => Err(format!("`{text}` is not a whole number")),
    }
}

/// A size in bytes: digits, optionally followed by `K`, `M` or `G` (binary
/// multiples, with or without a trailing `iB` or `B`). Zero is refused: it
/// would leave every file unread.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    let shift = match suffix.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => {
            return Err(format!(
                "`{text}` is not a size: give bytes, or a number with K, M or G (for example 8M)"
            ));
        }
    };
    let number: u64 = digits.parse().map_err(|_| {
        format!("`{text}` is not a size: it must start with a number (for example 8M)")
    })?;
    match number.checked_mul(1 << shift) {
        Some(0) => Err("the size must be more than 0 bytes".to_string()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("`{text}` is too large")),
    }
}

/// A spec layout, as `--layout` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// `specs/<feature>/prd.md`, `tech-spec.md`, `tasks.md`.
    Native,
    /// GitHub spec-kit: `specs/NNN-name/spec.md`, `plan.md`, `tasks.md`.
    #[value(alias = "spec-kit")]
    Speckit,
    /// Kiro: `.kiro/specs/<name>/requirements.md`, `design.md`, `tasks.md`.
    Kiro,
    /// OpenSpec: `openspec/changes/<id>/`, `openspec/specs/<capability>/`.
    Openspec,
}

impl From<LayoutArg> for Layout {
    fn from(layout: LayoutArg) -> Layout {
        match layout {
            LayoutArg::Native => Layout::Native,
            LayoutArg::Speckit => Layout::SpecKit,
            LayoutArg::Kiro => Layout::Kiro,
            LayoutArg::Openspec => Layout::OpenSpec,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Logs go to stderr: in stdio mode stdout belongs to the protocol. A
/// server logs what it does; a command that answers once says only what
/// went wrong (`RUST_LOG` sets either).
pub fn init_logging(cli: &Cli) {
    // `check` reports what the parser warns about as findings of its own;
    // the warnings would only say it twice. Answering commands say only
    // what went wrong.
    let level = match cli.command {
        None | Some(Command::Serve(_) | Command::Init(_)) => "info",
        Some(Command::Check(_)) => "error",
        Some(_) => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    match cli.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => serve::run(&cli.kit, &serve::ServeArgs::default()),
        Some(Command::Serve(args)) => serve::run(&cli.kit, &args),
        Some(Command::Init(args)) => init::run(&args),
        Some(Command::Install(args)) => Ok(install::run(&cli.kit, &args)),
        Some(Command::Task(args)) => Ok(answers::task(&cli.kit, &args)),
        Some(Command::Criteria(args)) => Ok(answers::criteria(&cli.kit, &args)),
        Some(Command::Constraints(args)) => Ok(answers::constraints(&cli.kit, &args)),
        Some(Command::Scope(args)) => Ok(answers::scope(&cli.kit, &args)),
        Some(Command::Done(args)) => Ok(answers::done(&cli.kit, &args)),
        Some(Command::Tasks(args)) => Ok(answers::tasks(&cli.kit, &args)),
        Some(Command::Questions(args)) => Ok(answers::questions(&cli.kit, &args)),
        Some(Command::Ask(args)) => Ok(ask::run(&cli.kit, &args)),
        Some(Command::Answer(args)) => Ok(answer::run(&cli.kit, &args)),
        Some(Command::Status(args)) => Ok(status::run(&cli.kit, &args)),
        Some(Command::Check(args)) => Ok(check::run(&cli.kit, &args)),
        Some(Command::Prompt(args)) => Ok(prompt::run(&cli.kit, &args)),
    }
}

/// The exit status for a failed run: 2 when the command line names a spec
/// root that does not exist or is not a folder (the status clap gives a
/// malformed command line, so a script can tell a wrong `--root` from a
/// server that failed), else 1.
pub fn exit_code(error: &anyhow::Error) -> ExitCode {
    let bad_root = error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<WorkspaceError>(),
            Some(WorkspaceError::RootMissing { .. } | WorkspaceError::RootNotDirectory { .. })
        )
    });
    if bad_root {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_count, parse_size};

    #[test]
    fn counts_are_whole_numbers_above_zero() {
        assert_eq!(parse_count("2000"), Ok(2000));
        assert_eq!(parse_count("0"), Err("it must be at least 1".to_string()));
        assert!(parse_count("-3").is_err());
        assert!(parse_count("2k").is_err());
    }

    #[test]
    fn sizes_are_bytes_or_binary_multiples() {
        assert_eq!(parse_size("8388608"), Ok(8 * 1024 * 1024));
        assert_eq!(parse_size("8M"), Ok(8 * 1024 * 1024));
        assert_eq!(parse_size("8MiB"), Ok(8 * 1024 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("100B"), Ok(100));
        assert_eq!(
            parse_size("0"),
            Err("the size must be more than 0 bytes".to_string())
        );
        assert!(parse_size("").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("8T").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999G").is_err());
    }
}
