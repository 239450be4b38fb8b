//! `spec-mcp status`: sets a task's status in place (its checkbox, or its
//! `Status:` line), through the one writer.

use std::process::ExitCode;

use clap::Args;

use crate::cli::KitOptions;
use crate::cli::reply::{self, Output};
use crate::cli::text;
use crate::model::TaskStatus;
use crate::service::params::SetTaskStatus;
use crate::service::{self, Session};

#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp status T3 done\n  \
    spec-mcp --feature 001-upload status T004 \"in progress\"\n\n\
    A checklist task's box becomes `[x]`, `[ ]` or `[-]` (or the box the file's legend gives \
    the status); a heading task's `Status:` word is replaced. Nothing else in the file \
    changes.")]
pub struct StatusArgs {
    /// The task's id, as `spec-mcp tasks` lists it (`T3`).
    pub task: String,
    /// `todo`, `in progress`, `done` or `blocked` (also `wip`, `complete`,
    /// `on hold` and the other words the reader knows).
    #[arg(value_parser = parse_status)]
    pub status: String,
    #[command(flatten)]
    pub output: Output,
}

/// A status word the reader knows, kept as written.
fn parse_status(text: &str) -> Result<String, String> {
    match TaskStatus::parse(text) {
        Some(_) => Ok(text.to_string()),
        None => Err(format!(
            "`{text}` is not a status: use todo, in progress, done or blocked"
        )),
    }
}

pub fn run(options: &KitOptions, args: &StatusArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let params = SetTaskStatus {
        task: args.task.clone(),
        status: args.status.clone(),
        feature: None,
    };
    let outcome = service::set_task_status(&kit, &Session::default(), &params);
    reply::print(args.output, outcome, text::status_set, reply::never_empty)
}
