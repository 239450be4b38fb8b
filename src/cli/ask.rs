//! `spec-mcp ask`: records a question in the feature's open questions, as
//! `ask_question` does, through the one writer.

use std::process::ExitCode;

use clap::Args;

use crate::cli::KitOptions;
use crate::cli::reply::{self, Output};
use crate::cli::text;
use crate::service::params::AskQuestion;
use crate::service::{self, Session};

/// Who asked, as the question's meta line says it.
const ASKED_BY: &str = "spec-mcp cli";

#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp ask \"Should HEIC uploads be converted to JPEG on the server?\"\n  \
    spec-mcp --task T3 ask \"Which CDN?\" --context \"The tech spec names none.\"")]
pub struct AskArgs {
    /// The question, as one sentence a person can answer without the chat.
    pub question: String,
    /// Why it matters or what you found, recorded under the question.
    #[arg(long)]
    pub context: Option<String>,
    #[command(flatten)]
    pub output: Output,
}

pub fn run(options: &KitOptions, args: &AskArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    // The global `--task` names the task the question blocks, as the
    // tool's `task` does; without it the current task is recorded.
    let params = AskQuestion {
        question: args.question.clone(),
        context: args.context.clone(),
        feature: None,
        task: options.task.clone(),
    };
    let outcome = service::ask(&kit, &Session::default(), &params, ASKED_BY);
    reply::print(args.output, outcome, text::asked, reply::never_empty)
}
