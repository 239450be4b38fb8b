//! `spec-mcp prompt`: one of the server's workflow prompts, filled from
//! the kit as `prompts/get` fills it, for an agent driven from the shell
//! (or a person pasting it into a chat). The text words its steps as
//! commands; `--json` is `{description, messages}` worded as the tools.

use std::io::Read as _;
use std::process::ExitCode;

use clap::Args;

use crate::cli::KitOptions;
use crate::cli::reply::{self, Output};
use crate::service::prompt::{self, Prompt};
use crate::service::{ServiceError, Session};

#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp prompt start_task                       # the current task, to start work on\n  \
    spec-mcp --task T3 prompt failure_modes\n  \
    git diff | spec-mcp prompt review_change --diff -\n  \
    spec-mcp --feature image-upload prompt plan_tasks")]
pub struct PromptArgs {
    /// The prompt: `start_task`, `review_change`, `failure_modes` or
    /// `plan_tasks`.
    pub name: String,
    /// For `review_change`: the diff to review, from a file or `-` for
    /// standard input (without it the prompt asks for the working tree's).
    #[arg(long, value_name = "FILE")]
    pub diff: Option<String>,
    #[command(flatten)]
    pub output: Output,
}

pub fn run(options: &KitOptions, args: &PromptArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let mut given = Vec::new();
    if let Some(from) = &args.diff {
        match read_diff(from) {
            Ok(diff) => given.push(("diff".to_string(), diff)),
            Err(error) => {
                eprintln!("spec-mcp: error: reading the diff from {from}: {error}");
                return ExitCode::from(reply::COULD_NOT_RUN);
            }
        }
    }
    // The global `--feature` and `--task` are the kit's defaults, as for
    // every answering command.
    let outcome: Result<Prompt, ServiceError> = prompt::get(
        &kit,
        &Session::default(),
        &args.name,
        &given,
        args.output.wording(),
    );
    reply::print(args.output, outcome, text, reply::never_empty)
}

fn read_diff(from: &str) -> std::io::Result<String> {
    if from == "-" {
        let mut diff = String::new();
        std::io::stdin().read_to_string(&mut diff)?;
        Ok(diff)
    } else {
        std::fs::read_to_string(from)
    }
}

/// The messages, one after another.
fn text(prompt: &Prompt) -> String {
    let mut text = prompt.messages.join("\n\n");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
