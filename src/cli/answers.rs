//! `spec-mcp task`, `criteria`, `constraints`, `scope`, `done`, `tasks` and
//! `questions`: the answers of the MCP tools of the same names, from the
//! same service functions, printed for a shell.
//!
//! The feature and task come from the global `--feature` and `--task` (or
//! `SPEC_MCP_FEATURE` and `SPEC_MCP_TASK`), as they do for a server started
//! with them, so `spec-mcp --task T2 task --json` is what
//! `get_current_task` answers a server started with `--task T2`.

use std::process::ExitCode;

use clap::Args;

use crate::cli::KitOptions;
use crate::cli::reply::{self, Output};
use crate::cli::text;
use crate::service::params::{
    ConstraintsQuery, CurrentTaskQuery, ListQuestions, ListTasks, QuestionStatus, Target,
};
use crate::service::{self, Session};

/// `spec-mcp task`: the current task with what binds it.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp task                              # the task to work on now\n  \
    spec-mcp --feature image-upload --task T3 task --full\n  \
    spec-mcp task --json | jq .acceptance_criteria")]
pub struct TaskArgs {
    /// Everything that binds the task: every constraint that fits, the
    /// project-wide exclusions, the surface area and the Definition of
    /// Done (else about 4 KB, with notes saying what was left out).
    #[arg(long)]
    pub full: bool,
    #[command(flatten)]
    pub output: Output,
}

/// `spec-mcp criteria`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp criteria                           # the current task's\n  \
    spec-mcp --task T2 criteria --json")]
pub struct CriteriaArgs {
    #[command(flatten)]
    pub output: Output,
}

/// `spec-mcp scope`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp scope                              # what not to build\n  \
    spec-mcp --feature image-upload scope --json")]
pub struct ScopeArgs {
    #[command(flatten)]
    pub output: Output,
}

/// `spec-mcp done`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp done                               # check before calling a task done\n  \
    spec-mcp --feature image-upload done --json")]
pub struct DoneArgs {
    #[command(flatten)]
    pub output: Output,
}

/// `spec-mcp constraints`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp constraints\n  \
    spec-mcp constraints --section \"Data ownership\"")]
pub struct ConstraintsArgs {
    /// Only the constraints under headings holding this text (any case),
    /// such as a section an earlier answer listed as left out.
    #[arg(long)]
    pub section: Option<String>,
    #[command(flatten)]
    pub output: Output,
}

/// `spec-mcp tasks`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp tasks                              # `>` marks the current task\n  \
    spec-mcp --feature image-upload tasks --json")]
pub struct TasksArgs {
    /// Where to go on from, as the previous page said, for a feature of
    /// more than 100 tasks.
    #[arg(long)]
    pub cursor: Option<String>,
    #[command(flatten)]
    pub output: Output,
}

/// `spec-mcp questions`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:\n  \
    spec-mcp questions --open                   # what waits for an answer\n  \
    spec-mcp --task T3 questions                # those asked for task T3")]
pub struct QuestionsArgs {
    /// Only the questions not answered yet.
    #[arg(long, conflicts_with = "answered")]
    pub open: bool,
    /// Only the answered questions.
    #[arg(long)]
    pub answered: bool,
    #[command(flatten)]
    pub output: Output,
}

/// The global `--feature` and `--task` are the server's defaults, not the
/// call's parameters: the service resolves them as it does for a server
/// started with them.
fn target() -> Target {
    Target::default()
}

pub fn task(options: &KitOptions, args: &TaskArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let query = CurrentTaskQuery {
        full: args.full.then_some(true),
        ..CurrentTaskQuery::default()
    };
    let outcome = service::current_task(&kit, &Session::default(), &query, args.output.wording());
    reply::print(args.output, outcome, text::plain, reply::never_empty)
}

pub fn criteria(options: &KitOptions, args: &CriteriaArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let outcome =
        service::acceptance_criteria(&kit, &Session::default(), &target(), args.output.wording());
    reply::print(args.output, outcome, text::plain, |answer| {
        answer.task_criteria.is_empty()
            && answer.test_plan.is_empty()
            && answer.feature_criteria.is_empty()
    })
}

pub fn constraints(options: &KitOptions, args: &ConstraintsArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let params = ConstraintsQuery {
        section: args.section.clone(),
        ..ConstraintsQuery::default()
    };
    let outcome = service::constraints(&kit, &Session::default(), &params, args.output.wording());
    reply::print(args.output, outcome, text::plain, |answer| {
        answer.constraints.is_empty() && answer.omitted.is_empty()
    })
}

pub fn scope(options: &KitOptions, args: &ScopeArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let outcome = service::out_of_scope(&kit, &Session::default(), &target());
    reply::print(args.output, outcome, text::plain, |answer| {
        answer.items.is_empty()
    })
}

pub fn done(options: &KitOptions, args: &DoneArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let outcome = service::definition_of_done(&kit, &Session::default(), &target());
    reply::print(args.output, outcome, text::plain, |answer| {
        answer.items.is_empty()
    })
}

pub fn tasks(options: &KitOptions, args: &TasksArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let params = ListTasks {
        cursor: args.cursor.clone(),
        ..ListTasks::default()
    };
    let outcome = service::tasks(&kit, &Session::default(), &params);
    reply::print(args.output, outcome, text::tasks, |answer| {
        answer.tasks.is_empty()
    })
}

pub fn questions(options: &KitOptions, args: &QuestionsArgs) -> ExitCode {
    let kit = match reply::kit(options) {
        Ok(kit) => kit,
        Err(code) => return code,
    };
    let status = if args.open {
        Some(QuestionStatus::Open)
    } else if args.answered {
        Some(QuestionStatus::Answered)
    } else {
        None
    };
    // `list_questions` filters on the task named in the call; here that
    // is the global `--task`.
    let params = ListQuestions {
        feature: None,
        task: options.task.clone(),
        status,
    };
    let outcome = service::questions(&kit, &Session::default(), &params);
    reply::print(args.output, outcome, text::plain, |answer| {
        answer.questions.is_empty()
    })
}
