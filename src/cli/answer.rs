//! `spec-mcp answer`: records a person's answer under a question and marks
//! it answered, through the one writer, so the next `list_questions` shows
//! it.

use std::process::ExitCode;

use clap::Args;

use crate::cli::KitOptions;
use crate::cli::reply::{self, Output};
use crate::cli::text;
use crate::service::params::AnswerQuestion;
use crate::service::{self, Session};

#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp answer Q-3 \"Etsy only for the first release.\"\n  \
    spec-mcp --feature image-upload answer Q-2 \"Convert HEIC to JPEG on upload.\"\n\n\
    The question's box is checked and `- A: <answer>` is added under it; nothing else in \
    the file changes.")]
pub struct AnswerArgs {
    /// The question's id, as `spec-mcp questions` lists it (`Q-3`).
    pub id: String,
    /// The answer, on one line; markdown is escaped.
    pub answer: String,
    #[command(flatten)]
    pub output: Output,
}

pub fn run(options: &KitOptions, args: &AnswerArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let params = AnswerQuestion {
        id: args.id.clone(),
        answer: args.answer.clone(),
        feature: None,
    };
    let outcome = service::answer_question(&kit, &Session::default(), &params);
    reply::print(args.output, outcome, text::answered, reply::never_empty)
}
