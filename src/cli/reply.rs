//! What every answering command shares: the kit opened from the global
//! options, the command line's wording of the steps an answer suggests,
//! and how an answer or a refusal reaches the user (text or `--json` on
//! stdout, refusals on stderr) with its exit status.
//!
//! The commands call the service's functions, the same ones the MCP tools
//! call; nothing here reads the kit itself.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use crate::cli::KitOptions;
use crate::cli::serve::open_kit;
use crate::edit::EditError;
use crate::mcp::Tools;
use crate::note::{Param, Step, Wording};
use crate::service::{Kit, ServiceError};

/// Steps and parameters as a person at a shell knows them: commands and
/// their options.
#[derive(Debug, Clone, Copy)]
pub struct Commands;

impl Wording for Commands {
    fn step(&self, step: Step) -> &'static str {
        match step {
            Step::Criteria => "`spec-mcp criteria`",
            Step::Constraints => "`spec-mcp constraints`",
            Step::ListTasks => "`spec-mcp tasks`",
            Step::PinTask => "`SPEC_MCP_FEATURE` and `SPEC_MCP_TASK`",
            Step::OutOfScope => "`spec-mcp scope`",
            Step::DefinitionOfDone => "`spec-mcp done`",
            Step::CurrentTask => "`spec-mcp task`",
            Step::ListQuestions => "`spec-mcp questions`",
            Step::AskQuestion => "`spec-mcp ask`",
            Step::Check => "`spec-mcp check`",
        }
    }

    fn param(&self, param: Param) -> &'static str {
        match param {
            Param::Feature => "`--feature`",
            Param::Task => "`--task`",
            Param::Section => "`--section`",
            Param::Cursor => "`--cursor`",
            Param::Full => "`--full`",
        }
    }
}

/// How an answer is printed.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Output {
    /// Print the answer as JSON: the structured content the MCP tool of
    /// the same name returns.
    #[arg(long)]
    pub json: bool,
}

impl Output {
    /// How the answer words the steps it suggests: as commands in text
    /// for people, and in JSON exactly as the tool's structured content
    /// does, so a program reads one answer whichever front end it asked.
    pub fn wording(self) -> &'static dyn Wording {
        if self.json { &Tools } else { &Commands }
    }
}

/// Exit status 1: nothing found, or a refusal (an unknown id, a question
/// already answered, `--read-only`).
pub const REFUSED: u8 = 1;
/// Exit status 2: the command could not run (no such root, a write that
/// failed); clap gives a malformed command line the same.
pub const COULD_NOT_RUN: u8 = 2;

/// Opens the kit, or says why not with exit status 2.
pub fn kit(options: &KitOptions) -> Result<Kit, ExitCode> {
    open_kit(options).map_err(|error| {
        eprintln!("spec-mcp: error: {error:#}");
        ExitCode::from(COULD_NOT_RUN)
    })
}

/// Prints an answer (JSON or text) and gives its exit status: 0, or 1 when
/// `empty` says it holds nothing; a refusal goes to stderr with its status.
pub fn print<T: Serialize>(
    output: Output,
    outcome: Result<T, ServiceError>,
    text: fn(&T) -> String,
    empty: fn(&T) -> bool,
) -> ExitCode {
    let answer = match outcome {
        Ok(answer) => answer,
        Err(error) => return refuse(&error),
    };
    let printed = if output.json {
        serde_json::to_string_pretty(&answer)
            .map_err(std::io::Error::other)
            .and_then(|json| writeln!(std::io::stdout().lock(), "{json}"))
    } else {
        write!(std::io::stdout().lock(), "{}", text(&answer))
    };
    match printed {
        Ok(()) if empty(&answer) => ExitCode::from(REFUSED),
        Ok(()) => ExitCode::SUCCESS,
        // A reader that went away (`| head`) wants no more, and no error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("spec-mcp: error: writing the answer: {error}");
            ExitCode::from(COULD_NOT_RUN)
        }
    }
}

/// Says on stderr why the service refused, in the command line's words:
/// exit status 2 when a write could not be done, 1 for every other refusal.
pub fn refuse(error: &ServiceError) -> ExitCode {
    eprintln!("spec-mcp: error: {}", error.message(&Commands));
    let could_not_run = matches!(
        error,
        ServiceError::Edit(EditError::Io { .. } | EditError::KeptChanging { .. })
    );
    ExitCode::from(if could_not_run {
        COULD_NOT_RUN
    } else {
        REFUSED
    })
}

/// For answers that always say something.
pub fn never_empty<T>(_: &T) -> bool {
    false
}
