//! The workflow prompts: the spec kit's way of working, handed to an agent
//! as a message filled from the kit for one feature and task. Each prompt
//! is built from the answers the tools give (the same choice of feature and
//! task, the same criteria, constraints and scope, with their `path:line`
//! sources), set out as items and followed by what to do with them. Knows
//! no front end: the MCP handler turns a [`Prompt`] into rmcp's types, and
//! the steps it suggests are worded by the caller's [`Wording`].
//!
//! Prompts stay short: items with sources, never whole documents, and a
//! note saying which step gives what was left out.

use std::fmt::Write as _;

use crate::model::Feature;
use crate::note::{Note, Param, Step, Wording};
use crate::parse;
use crate::query;
use crate::render::{self, Page, Style};
use crate::service::answer::{
    self, Constraint, CurrentTask, OmittedSection, SourcedItem, TaskInfo,
};
use crate::service::params::{ConstraintsQuery, CurrentTaskQuery, ListTasks, Target};
use crate::service::resource::{self, Completion};
use crate::service::{
    Kit, ServiceError, Session, acceptance_criteria, chosen_task, constraints,
    current_task_with_notes, definition_of_done, feature as chosen_feature, tasks, words,
};
use crate::workspace::{list_choices, printable};

/// A prompt a client can list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptInfo {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// Every argument is optional.
    pub arguments: &'static [ArgumentInfo],
}

/// An argument of a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgumentInfo {
    pub name: &'static str,
    pub description: &'static str,
}

const FEATURE: ArgumentInfo = ArgumentInfo {
    name: "feature",
    description: "Feature id: the feature's folder name. Omit for the current feature.",
};

const TASK: ArgumentInfo = ArgumentInfo {
    name: "task",
    description: "Task id such as T2. Omit for the current task: the one pinned in this \
                  session, else the first in progress, else the first open task whose \
                  dependencies are done.",
};

const DIFF: ArgumentInfo = ArgumentInfo {
    name: "diff",
    description: "The change to review, as a unified diff. Omit to review the working \
                  tree's change (`git diff`).",
};

/// Every prompt, in the order they are listed.
pub const PROMPTS: [PromptInfo; 4] = [
    PromptInfo {
        name: "start_task",
        title: "Start a task",
        description: "The task to work on with its acceptance criteria, architecture \
                      constraints, out of scope and Definition of Done, each with its \
                      path:line, and how to work: implement only what is stated, ask when \
                      something is missing, write tests first, then say how to verify locally.",
        arguments: &[FEATURE, TASK],
    },
    PromptInfo {
        name: "review_change",
        title: "Review a change against the spec",
        description: "Check a diff (or the working tree's) against the task's acceptance \
                      criteria, architecture constraints and scope: a verdict per criterion, \
                      and every constraint or scope item the change breaks, with path:line.",
        arguments: &[FEATURE, TASK, DIFF],
    },
    PromptInfo {
        name: "failure_modes",
        title: "List failure modes and mitigations",
        description: "What fails in a task or feature, the edge cases missed, a refresh \
                      mid-flow, where to log and alert, and what an attacker would try, from \
                      the spec's criteria, error handling, logs and metrics, and auth rules.",
        arguments: &[FEATURE, TASK],
    },
    PromptInfo {
        name: "plan_tasks",
        title: "Break a feature into tasks",
        description: "Break a feature into PR-sized tasks with acceptance criteria and test \
                      plans, from its requirements and criteria, in the kit's own tasks \
                      format, naming the file they belong in.",
        arguments: &[FEATURE],
    },
];

/// A prompt filled from the kit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Prompt {
    /// One line saying what this prompt is about.
    pub description: String,
    /// The messages, each from the user, in order.
    pub messages: Vec<String>,
}

/// A prompt request this server cannot fill.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    #[error("unknown prompt `{name}`; {}", list_choices("prompts", known))]
    UnknownPrompt { name: String, known: Vec<String> },
    #[error(
        "prompt {prompt} takes no argument `{argument}`; {}",
        list_choices("arguments", known)
    )]
    UnknownArgument {
        prompt: String,
        argument: String,
        known: Vec<String>,
    },
}

/// The prompt named `name`, or `None`.
pub fn info(name: &str) -> Option<&'static PromptInfo> {
    PROMPTS.iter().find(|prompt| prompt.name == name)
}

/// Values for the argument `argument` of the prompt `name` starting with
/// `value`: feature ids, or the task ids of `feature` (the value the client
/// already chose for it), else of the current feature. Nothing for an
/// argument the prompt lacks, or one (a diff) that no list holds.
pub fn complete(
    kit: &Kit,
    session: &Session,
    name: &str,
    argument: &str,
    value: &str,
    feature: Option<&str>,
) -> Completion {
    let takes = info(name).is_some_and(|prompt| {
        prompt
            .arguments
            .iter()
            .any(|known| known.name == argument && known != &DIFF)
    });
    if !takes {
        return Completion::default();
    }
    resource::complete_argument(kit, session, argument, value, feature)
}

/// The arguments a request gave, blank ones taken as not given (a client
/// may send every argument it lists, filled or not).
#[derive(Debug, Default)]
struct Arguments {
    feature: Option<String>,
    task: Option<String>,
    diff: Option<String>,
}

impl Arguments {
    fn read(prompt: &PromptInfo, given: &[(String, String)]) -> Result<Arguments, PromptError> {
        let mut arguments = Arguments::default();
        for (name, value) in given {
            if !prompt.arguments.iter().any(|known| known.name == name) {
                return Err(PromptError::UnknownArgument {
                    prompt: prompt.name.to_string(),
                    argument: printable(name),
                    known: prompt
                        .arguments
                        .iter()
                        .map(|known| known.name.to_string())
                        .collect(),
                });
            }
            let value = (!value.trim().is_empty()).then(|| value.clone());
            match name.as_str() {
                "feature" => arguments.feature = value.map(|id| id.trim().to_string()),
                "task" => arguments.task = value.map(|id| id.trim().to_string()),
                _ => arguments.diff = value,
            }
        }
        Ok(arguments)
    }
}

/// Fills the prompt `name` from the kit, for the feature and task its
/// arguments name or, without them, the current ones.
pub fn get(
    kit: &Kit,
    session: &Session,
    name: &str,
    given: &[(String, String)],
    wording: &dyn Wording,
) -> Result<Prompt, ServiceError> {
    let Some(prompt) = info(name) else {
        return Err(PromptError::UnknownPrompt {
            name: printable(name),
            known: PROMPTS
                .iter()
                .map(|prompt| prompt.name.to_string())
                .collect(),
        }
        .into());
    };
    let arguments = Arguments::read(prompt, given)?;
    match prompt.name {
        "start_task" => start_task(kit, session, &arguments, wording),
        "review_change" => review_change(kit, session, &arguments, wording),
        "failure_modes" => failure_modes(kit, session, &arguments, wording),
        _ => plan_tasks(kit, session, &arguments, wording),
    }
}

/// The brief task answer for the arguments, with the notes on what it
/// left out still data.
fn task_answer(
    kit: &Kit,
    session: &Session,
    arguments: &Arguments,
    wording: &dyn Wording,
) -> Result<(CurrentTask, Vec<Note>), ServiceError> {
    let query = CurrentTaskQuery {
        feature: arguments.feature.clone(),
        task: arguments.task.clone(),
        full: None,
    };
    current_task_with_notes(kit, session, &query, wording)
}

/// The task's feature and id, named so that later answers are about the
/// very task the first one chose.
fn same_task(answer: &CurrentTask) -> Target {
    Target {
        feature: Some(answer.feature.id.clone()),
        task: Some(answer.task.summary.id.clone()),
    }
}

fn start_task(
    kit: &Kit,
    session: &Session,
    arguments: &Arguments,
    wording: &dyn Wording,
) -> Result<Prompt, ServiceError> {
    let (answer, notes) = task_answer(kit, session, arguments, wording)?;
    let done = definition_of_done(kit, session, &same_task(&answer))?;
    // The Definition of Done is shown here, whatever the brief answer left
    // out of it.
    let notes: Vec<Note> = notes
        .into_iter()
        .filter_map(|note| match note {
            Note::LeftOutOfBrief {
                exclusions,
                surface_area,
                ..
            } if exclusions + surface_area > 0 => Some(Note::LeftOutOfBrief {
                exclusions,
                surface_area,
                definition_of_done: 0,
            }),
            Note::LeftOutOfBrief { .. } => None,
            other => Some(other),
        })
        .collect();
    let mut text = Page::new(Style::Markdown, wording);
    let _ = writeln!(
        text.text,
        "Start work on task {} of feature {} ({}). Everything below comes from the spec kit, \
         each item with the `path:line` it is written at.",
        answer.task.summary.id, answer.feature.id, answer.feature.title
    );
    write_task(&mut text, &answer.task, Some(&answer.chosen_because));
    text.items(
        "Acceptance criteria",
        &answer.acceptance_criteria,
        "The task states none of its own; the notes below say where the feature's are.",
    );
    text.items("Test plan", &answer.test_plan, "None stated.");
    text.constraints(
        "Architecture constraints",
        &answer.constraints,
        "None stated.",
    );
    text.scope("Out of scope", &answer.out_of_scope);
    text.items("Definition of Done", &done.items, "None stated.");
    if !answer.open_questions.is_empty() {
        text.heading("Open questions about this task");
        for question in &answer.open_questions {
            let id = question
                .id
                .as_deref()
                .map_or(String::new(), |id| format!("{id}: "));
            let _ = writeln!(text.text, "- {id}{} ({})", question.text, question.source);
        }
    }
    text.notes(&words(&notes, wording));
    text.heading("How to work");
    let ask = wording.step(Step::AskQuestion);
    let _ = writeln!(
        text.text,
        "1. Only implement what is stated above: the acceptance criteria are the whole task. \
         Build nothing out of scope, and add no endpoint, field, screen or dependency the spec \
         does not name.\n\
         2. When something you need is missing or unclear, ask with {ask} instead of guessing, \
         one self-contained question at a time; {} shows the answers people wrote.\n\
         3. Write the tests first, from the acceptance criteria and the test plan, and see them \
         fail; then implement until they pass, keeping to every constraint above.\n\
         4. Finish by explaining how to verify the change locally: the commands to run and what \
         each shows, criterion by criterion, and check each item of the Definition of Done.",
        wording.step(Step::ListQuestions)
    );
    Ok(about_task("Start task", &answer, text))
}

/// A prompt about `answer`'s task, described as `what` (`Start task`)
/// the task of its feature.
fn about_task(what: &str, answer: &CurrentTask, text: Page<'_>) -> Prompt {
    Prompt {
        description: format!(
            "{what} {} of {}: {}",
            answer.task.summary.id,
            answer.feature.id,
            shortened(&answer.task.summary.title, DESCRIPTION_TITLE)
        ),
        messages: vec![text.text],
    }
}

/// Bytes of criteria (text, details and sources) a review prompt holds
/// before it names how many it left out.
const REVIEW_BUDGET: usize = 6_000;

/// The most of a diff a review prompt holds; past it, the agent reads the
/// rest itself.
const DIFF_LIMIT: usize = 200_000;

fn review_change(
    kit: &Kit,
    session: &Session,
    arguments: &Arguments,
    wording: &dyn Wording,
) -> Result<Prompt, ServiceError> {
    let (answer, notes) = task_answer(kit, session, arguments, wording)?;
    let criteria = acceptance_criteria(kit, session, &same_task(&answer), wording)?;
    let mut all_criteria = criteria.task_criteria.clone();
    all_criteria.extend(criteria.feature_criteria.iter().cloned());
    let mut budget = REVIEW_BUDGET;
    let (all_criteria, criteria_left) = within(all_criteria, &mut budget);
    // The criteria notes come from the criteria answer; the task answer's
    // say only what it cut.
    let cut: Vec<Note> = notes
        .into_iter()
        .filter(|note| {
            matches!(
                note,
                Note::ConstraintsNotShown { .. } | Note::LeftOutOfBrief { .. }
            )
        })
        .collect();
    let mut notes = criteria.notes.clone();
    if criteria_left > 0 {
        notes.push(format!(
            "{criteria_left} more acceptance criteria did not fit; {} lists them",
            wording.step(Step::Criteria)
        ));
    }
    notes.extend(words(&cut, wording));
    let mut text = Page::new(Style::Markdown, wording);
    let _ = writeln!(
        text.text,
        "Review a change against task {} of feature {} ({}): judge it only by the spec items \
         below, each with the `path:line` it is written at.",
        answer.task.summary.id, answer.feature.id, answer.feature.title
    );
    write_task(&mut text, &answer.task, None);
    text.heading("The change");
    match arguments.diff.as_deref() {
        Some(diff) => fenced(&mut text, diff),
        None => text.line(
            "No diff was given: review the working tree's change, what `git diff HEAD` shows \
             (staged and unstaged), and the new files `git status` lists.",
        ),
    }
    text.items(
        "Acceptance criteria",
        &all_criteria,
        "None stated: say so, and review against the constraints and scope alone.",
    );
    text.constraints(
        "Architecture constraints",
        &answer.constraints,
        "None stated.",
    );
    text.scope("Out of scope", &answer.out_of_scope);
    text.notes(&notes);
    text.heading("What to answer");
    let _ = writeln!(
        text.text,
        "1. A verdict for every acceptance criterion above, in order: met, not met, or not shown \
         (the change neither does it nor tests it), with the criterion's `path:line` and the \
         lines of the change that show it.\n\
         2. Every architecture constraint the change breaks, with the constraint's `path:line` \
         and the lines of the change that break it.\n\
         3. Everything the change builds that is out of scope, with the scope item's \
         `path:line`, and anything it builds that no criterion asks for.\n\
         4. Which criteria the change's tests check, and which none does.\n\
         Report; do not fix. Where the spec leaves the right behaviour open, say so and record \
         the question with {}.",
        wording.step(Step::AskQuestion)
    );
    Ok(about_task("Review a change against task", &answer, text))
}

/// Words of a constraint heading that say it is about how failures are
/// handled; one ending in `*` is a word's start.
const ERROR_WORDS: [&str; 8] = [
    "error*",
    "fail*",
    "retry",
    "retries",
    "resilien*",
    "recovery",
    "exception*",
    "timeouts",
];

/// Words of a heading about logs, metrics and alerts.
const OBSERVABILITY_WORDS: [&str; 9] = [
    "log",
    "logs",
    "logging",
    "metric*",
    "observab*",
    "monitor*",
    "alert*",
    "telemetry",
    "tracing",
];

/// Words of a heading about who may do what.
const SECURITY_WORDS: [&str; 8] = [
    "auth*",
    "security",
    "permission*",
    "access",
    "privacy",
    "threat*",
    "secret*",
    "rbac",
];

/// Whether a heading holds one of `words`.
fn about(label: &str, words: &[&str]) -> bool {
    let label = label.to_lowercase();
    label
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .any(|word| {
            words.iter().any(|wanted| match wanted.strip_suffix('*') {
                Some(start) => word.starts_with(start),
                None => word == *wanted,
            })
        })
}

fn failure_modes(
    kit: &Kit,
    session: &Session,
    arguments: &Arguments,
    wording: &dyn Wording,
) -> Result<Prompt, ServiceError> {
    let target = Target {
        feature: arguments.feature.clone(),
        task: arguments.task.clone(),
    };
    // Without a task to work on (none written, or all done), the feature
    // alone, saying why.
    let criteria = acceptance_criteria(kit, session, &target, wording)?;
    let feature_id = criteria.feature.id.clone();
    let feature = chosen_feature(kit, session, Some(&feature_id))?;
    let task_id = criteria.task.as_ref().map(|task| task.summary.id.clone());
    let all = constraints(
        kit,
        session,
        &ConstraintsQuery {
            feature: Some(feature_id.clone()),
            task: task_id.clone(),
            section: None,
        },
        wording,
    )?;
    let pick = |words: &[&str]| -> Vec<Constraint> {
        all.constraints
            .iter()
            .filter(|constraint| about(&constraint.section, words))
            .cloned()
            .collect()
    };
    let errors = pick(&ERROR_WORDS);
    let observability = pick(&OBSERVABILITY_WORDS);
    let security = pick(&SECURITY_WORDS);
    let edge_cases: Vec<SourcedItem> = criteria
        .feature_criteria
        .iter()
        .filter(|item| is_edge_case(item))
        .cloned()
        .collect();
    let mut notes = Vec::new();
    let other_criteria = criteria.feature_criteria.len() - edge_cases.len();
    if other_criteria > 0 {
        notes.push(format!(
            "{other_criteria} more acceptance criteria of the feature; {} lists them",
            wording.step(Step::Criteria)
        ));
    }
    notes.extend(omitted_notes(&all.omitted, wording));
    let subject = match &task_id {
        Some(task) => format!("task {task} of feature {feature_id}"),
        None => format!("feature {feature_id}"),
    };
    let mut text = Page::new(Style::Markdown, wording);
    let _ = writeln!(
        text.text,
        "List the failure modes of {subject} ({}) and how to handle each, from what the spec \
         states below (each item with the `path:line` it is written at) and what it leaves out.",
        criteria.feature.title
    );
    match &criteria.task {
        Some(task) => {
            write_task(&mut text, task, None);
            text.items(
                "Acceptance criteria",
                &criteria.task_criteria,
                "None stated.",
            );
        }
        None => {
            // Why no task could be chosen, in the words a tool would use.
            if let Err(error) = chosen_task(kit, session, &feature, None) {
                let _ = writeln!(text.text, "\nNo task: {}.", error.message(wording));
            }
        }
    }
    text.items(
        "Edge cases the spec states",
        &edge_cases,
        "None stated as such.",
    );
    text.constraints("Error handling the spec states", &errors, "None stated.");
    text.constraints(
        "Logs, metrics and alerts the spec states",
        &observability,
        "None stated.",
    );
    text.constraints(
        "Auth and security rules the spec states",
        &security,
        "None stated.",
    );
    text.notes(&notes);
    failure_questions(&mut text, wording);
    Ok(Prompt {
        description: format!("Failure modes of {subject}"),
        messages: vec![text.text],
    })
}

/// A criterion the spec lists among its edge cases.
fn is_edge_case(item: &SourcedItem) -> bool {
    item.group
        .as_deref()
        .is_some_and(|group| group.to_lowercase().contains("edge case"))
}

/// What a failure-modes prompt says of the sections of error handling,
/// logs or security that did not fit the constraints answer.
fn omitted_notes(omitted: &[OmittedSection], wording: &dyn Wording) -> Vec<String> {
    let words: Vec<&str> = ERROR_WORDS
        .iter()
        .chain(&OBSERVABILITY_WORDS)
        .chain(&SECURITY_WORDS)
        .copied()
        .collect();
    omitted
        .iter()
        .filter(|omitted| about(&omitted.section, &words))
        .map(|omitted| {
            format!(
                "{} constraints of `{}` (from {}) did not fit; {} with {} `{}` gives them",
                omitted.count,
                omitted.section,
                omitted.at,
                wording.step(Step::Constraints),
                wording.param(Param::Section),
                omitted.section
            )
        })
        .collect()
}

/// What a failure-modes prompt asks for.
fn failure_questions(text: &mut Page<'_>, wording: &dyn Wording) {
    text.heading("What to answer");
    let _ = writeln!(
        text.text,
        "For each point: what happens, what the user sees, the mitigation, and the test that \
         shows it; cite the `path:line` of the spec item it rests on, and say where the spec is \
         silent.\n\
         1. What fails here: each step the work takes (requests, storage, jobs, calls to other \
         services) and how it can fail: timeouts, partial writes, retries, a dependency down, a \
         limit reached.\n\
         2. Edge cases the criteria miss: empty and largest input, duplicates, concurrent \
         changes, ordering, time zones, encodings.\n\
         3. A refresh mid-flow: the page reloaded, the tab closed or the request sent twice \
         halfway through; what state is left behind, and whether a retry is safe or does the \
         work twice.\n\
         4. Where to log and alert: for each failure, the log line (its fields, never secrets \
         or personal data), the metric and the alert with its threshold, following the logs and \
         metrics above or proposing them where the spec has none.\n\
         5. What an attacker would try: another user's ids, oversized or malformed input, \
         replayed or forged requests, injection, exhausting a limit; check each against the auth \
         rules above.\n\
         Record each decision the spec should make with {} instead of choosing it yourself.",
        wording.step(Step::AskQuestion)
    );
}

/// Bytes of requirements and criteria (text, details and sources) a
/// planning prompt holds before it names how many it left out.
const PLAN_BUDGET: usize = 8_000;

/// Tasks already written that a planning prompt lists.
const TASKS_SHOWN: usize = 40;

/// Characters of each written task's title it shows: enough to tell what
/// the task is; the task list has the rest.
const TITLE_SHOWN: usize = 60;

/// Characters of a task's title a prompt's one-line description shows.
const DESCRIPTION_TITLE: usize = 80;

/// `text` cut to `limit` characters, with an ellipsis when it was cut.
fn shortened(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
        None => text.to_string(),
    }
}

fn plan_tasks(
    kit: &Kit,
    session: &Session,
    arguments: &Arguments,
    wording: &dyn Wording,
) -> Result<Prompt, ServiceError> {
    let feature = chosen_feature(kit, session, arguments.feature.as_deref())?;
    let written = tasks(
        kit,
        session,
        &ListTasks {
            feature: Some(feature.id.clone()),
            task: None,
            cursor: None,
        },
    )?;
    let requirements = answer::items(query::requirements(&feature));
    let criteria = answer::criteria(query::feature_criteria(&feature));
    // Half for each; what the requirements leave goes to the criteria.
    let mut budget = PLAN_BUDGET / 2;
    let (requirements, requirements_left) = within(requirements, &mut budget);
    budget += PLAN_BUDGET / 2;
    let (criteria, criteria_left) = within(criteria, &mut budget);
    let format = parse::task_format(feature.layout);
    let file = tasks_file(kit, &feature)?;
    let mut notes = Vec::new();
    if requirements_left > 0 {
        notes.push(format!(
            "{requirements_left} more requirements did not fit; the feature's documents hold them"
        ));
    }
    if criteria_left > 0 {
        notes.push(format!(
            "{criteria_left} more acceptance criteria did not fit; {} lists them",
            wording.step(Step::Criteria)
        ));
    }
    if written.total > TASKS_SHOWN {
        notes.push(format!(
            "{} more tasks are written; {} lists every one",
            written.total - TASKS_SHOWN,
            wording.step(Step::ListTasks)
        ));
    }
    let mut text = Page::new(Style::Markdown, wording);
    let _ = writeln!(
        text.text,
        "Break feature {} ({}) into PR-sized tasks, each with acceptance criteria and a test \
         plan, written in this kit's {} tasks format. Everything below comes from the spec kit, \
         each item with the `path:line` it is written at.",
        feature.id,
        feature.title,
        layout_name(feature.layout)
    );
    text.line("");
    text.line(&file.describe(written.total));
    text.items(
        "Requirements",
        &requirements,
        "None stated under a requirements heading.",
    );
    text.items(
        "Acceptance criteria of the feature",
        &criteria,
        "None stated.",
    );
    text.heading("Tasks already written");
    if written.tasks.is_empty() {
        text.line("None.");
    }
    for row in written.tasks.iter().take(TASKS_SHOWN) {
        let _ = writeln!(
            text.text,
            "- {} [{}] {} ({})",
            row.summary.id,
            row.summary.status,
            shortened(&row.summary.title, TITLE_SHOWN),
            row.summary.source
        );
    }
    text.heading("Task format of this layout");
    text.line(format.criteria);
    text.line("");
    fenced_as(&mut text, "markdown", format.example);
    text.notes(&notes);
    plan_instructions(&mut text, &file.path, wording);
    Ok(Prompt {
        description: format!("Plan the tasks of {}: {}", feature.id, feature.title),
        messages: vec![text.text],
    })
}

/// What a planning prompt asks for, the tasks to be added to `path`.
fn plan_instructions(text: &mut Page<'_>, path: &str, wording: &dyn Wording) {
    text.heading("What to produce");
    let _ = writeln!(
        text.text,
        "1. Tasks a reviewer can take in one sitting: one concern each, about a day of work, \
         each leaving the build and the tests green, ordered so that each depends only on \
         earlier ones.\n\
         2. For each task: an id continuing the numbering above, a title, what it changes (the \
         files, when known), its dependencies, acceptance criteria a test can check, each traced \
         to the requirement or criterion above it comes from by its `path:line`, and a test plan \
         to write before the code.\n\
         3. Cover every requirement and criterion above, and list any that no task covers, with \
         the reason. Leave the tasks already written as they are.\n\
         4. Add nothing the spec does not ask for; where it is silent or unclear, ask with {} \
         instead of planning a guess.\n\
         5. Write the tasks in the format above, ready to add to `{}`; then {} shows what the \
         tasks still lack.",
        wording.step(Step::AskQuestion),
        path,
        wording.step(Step::Check)
    );
}

/// The items that fit `budget` (which they use up), in order, and how
/// many did not.
fn within(items: Vec<SourcedItem>, budget: &mut usize) -> (Vec<SourcedItem>, usize) {
    let total = items.len();
    let mut kept = Vec::new();
    for item in items {
        // The text and what is printed around it: the details, the source.
        let size = item.text.len()
            + item.details.iter().map(String::len).sum::<usize>()
            + item.source.len()
            + 6;
        if size > *budget {
            break;
        }
        *budget -= size;
        kept.push(item);
    }
    let left = total - kept.len();
    (kept, left)
}

fn layout_name(layout: crate::model::Layout) -> &'static str {
    match layout {
        crate::model::Layout::Native => "spec-mcp",
        crate::model::Layout::SpecKit => "GitHub spec-kit",
        crate::model::Layout::Kiro => "Kiro",
        crate::model::Layout::OpenSpec => "OpenSpec",
    }
}

/// Where a feature's tasks are written.
struct TasksFile {
    /// Relative to the root.
    path: String,
    /// The feature already has it.
    exists: bool,
    /// The feature's folder holds no tasks in its layout (an OpenSpec
    /// capability): they go in a change.
    elsewhere: bool,
}

impl TasksFile {
    fn describe(&self, written: usize) -> String {
        if self.elsewhere {
            format!(
                "This folder is a capability as built, which holds no tasks: plan the work as a \
                 change, its tasks in `{}`.",
                self.path
            )
        } else if self.exists {
            format!(
                "The tasks belong in `{}`, which lists {written} tasks now.",
                self.path
            )
        } else {
            format!(
                "The tasks belong in `{}`, which does not exist yet.",
                self.path
            )
        }
    }
}

/// The feature's tasks file: the one it has, else the one its layout's
/// convention names in its folder, else (for a folder of a convention
/// without tasks) the one a work item of the same layout would have.
fn tasks_file(kit: &Kit, feature: &Feature) -> Result<TasksFile, ServiceError> {
    let tasks_of = |convention: &parse::Convention| {
        convention
            .documents
            .iter()
            .find(|(_, role)| *role == crate::model::DocumentRole::Tasks)
            .map(|(name, _)| *name)
    };
    if let Some(document) = feature
        .documents_with(crate::model::DocumentRole::Tasks)
        .next()
    {
        return Ok(TasksFile {
            path: document.path.to_string(),
            exists: true,
            elsewhere: false,
        });
    }
    let located = kit.workspace.locate(&feature.id)?;
    if let Some(name) = tasks_of(located.convention) {
        return Ok(TasksFile {
            path: format!("{}/{name}", feature.dir),
            exists: false,
            elsewhere: false,
        });
    }
    let work = parse::CONVENTIONS
        .iter()
        .find(|convention| convention.layout == feature.layout && !convention.reference);
    let path = work
        .and_then(|convention| {
            tasks_of(convention).map(|name| format!("{}/<change>/{name}", convention.base))
        })
        .unwrap_or_else(|| format!("{}/tasks.md", feature.dir));
    Ok(TasksFile {
        path,
        exists: false,
        elsewhere: true,
    })
}

/// The task's own fields: what it is, where it stands, what it waits on.
fn write_task(text: &mut Page<'_>, task: &TaskInfo, chosen_because: Option<&str>) {
    let summary = &task.summary;
    text.heading(&format!("Task {}: {}", summary.id, summary.title));
    let _ = writeln!(
        text.text,
        "- Status: {} ({})",
        summary.status, summary.source
    );
    if let Some(reason) = chosen_because {
        let _ = writeln!(text.text, "- Chosen because: {reason}");
    }
    if let Some(phase) = &summary.phase {
        let _ = writeln!(text.text, "- Phase: {phase}");
    }
    if let Some(parent) = &summary.parent {
        let _ = writeln!(text.text, "- A step of task {parent}");
    }
    if !task.depends_on.is_empty() {
        let _ = writeln!(text.text, "- Depends on: {}", render::dependencies(task));
    }
    if !task.files.is_empty() {
        let _ = writeln!(text.text, "- Files: {}", task.files.join(", "));
    }
    if !task.description.is_empty() {
        let _ = writeln!(text.text, "\n{}", task.description);
    }
}

/// A diff given by the caller, fenced so that nothing in it can end
/// the fence.
fn fenced(text: &mut Page<'_>, diff: &str) {
    if diff.len() <= DIFF_LIMIT {
        fenced_as(text, "diff", diff);
        return;
    }
    let mut end = DIFF_LIMIT;
    while !diff.is_char_boundary(end) {
        end -= 1;
    }
    fenced_as(text, "diff", &diff[..end]);
    let _ = writeln!(
        text.text,
        "The diff was cut at {DIFF_LIMIT} bytes of its {}; read the rest of it with `git diff`.",
        diff.len()
    );
}

fn fenced_as(text: &mut Page<'_>, language: &str, body: &str) {
    let longest = body
        .split(|c: char| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(text.text, "{fence}{language}");
    text.text.push_str(body);
    if !body.ends_with('\n') {
        text.text.push('\n');
    }
    let _ = writeln!(text.text, "{fence}");
}

#[cfg(test)]
mod tests {
    use super::{ERROR_WORDS, OBSERVABILITY_WORDS, SECURITY_WORDS, about, shortened};

    #[test]
    fn headings_are_read_by_their_words() {
        assert!(about("Error handling", &ERROR_WORDS));
        assert!(about("Failure modes & retries", &ERROR_WORDS));
        assert!(about("Logs and metrics", &OBSERVABILITY_WORDS));
        assert!(about("Observability", &OBSERVABILITY_WORDS));
        assert!(about("Auth rules", &SECURITY_WORDS));
        assert!(about("Authorization", &SECURITY_WORDS));
        // Words that only hold the letters.
        assert!(!about(
            "Technology & Workspace Constraints",
            &OBSERVABILITY_WORDS
        ));
        assert!(!about("Catalog fetch", &OBSERVABILITY_WORDS));
        assert!(!about("Login flow", &OBSERVABILITY_WORDS));
        assert!(!about("Terrors of retrieval", &ERROR_WORDS));
    }

    #[test]
    fn long_titles_are_cut_at_a_character() {
        assert_eq!(shortened("short", 80), "short");
        assert_eq!(shortened("ééééé", 3), "ééé…");
        assert_eq!(shortened("ab cd", 3), "ab…");
    }
}
