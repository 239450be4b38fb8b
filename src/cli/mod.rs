//! The command line: one file per subcommand, all sharing the options that
//! say where the kit is and which feature and task are current.

mod init;
pub mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::Layout;
use crate::workspace::WorkspaceError;

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

/// Logs go to stderr: in stdio mode stdout belongs to the protocol.
pub fn init_logging(cli: &Cli) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
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
