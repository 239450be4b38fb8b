//! Wire types: what each tool returns as structured content. Their doc
//! comments become the output schema an agent reads. Built from the model;
//! the model knows nothing of them.

use schemars::JsonSchema;
use serde::Serialize;

use crate::lint;
use crate::model::{Criterion, Feature, Item, Question, Task, TaskStatus};
use crate::query::{self, Labelled, ScopeKind};

/// A count, as JSON Schema says it: schemars gives `usize` a `uint`
/// format, which JSON Schema does not define; the TypeScript SDK's
/// validator warns about it and strict validators refuse the schema.
fn count_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "integer", "minimum": 0 })
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub enum Status {
    #[serde(rename = "todo")]
    Todo,
    #[serde(rename = "in progress")]
    InProgress,
    #[serde(rename = "done")]
    Done,
    #[serde(rename = "blocked")]
    Blocked,
}

impl From<TaskStatus> for Status {
    fn from(status: TaskStatus) -> Status {
        match status {
            TaskStatus::Todo => Status::Todo,
            TaskStatus::InProgress => Status::InProgress,
            TaskStatus::Done => Status::Done,
            TaskStatus::Blocked => Status::Blocked,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Todo => "todo",
            Status::InProgress => "in progress",
            Status::Done => "done",
            Status::Blocked => "blocked",
        })
    }
}

/// Where a dependency stands: a task's status, or `missing` when no task
/// has that id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum DependencyStatus {
    Task(Status),
    Missing(Missing),
}

/// No task has the id depended on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub enum Missing {
    #[serde(rename = "missing")]
    Missing,
}

impl std::fmt::Display for DependencyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DependencyStatus::Task(status) => status.fmt(f),
            DependencyStatus::Missing(_) => f.write_str("missing"),
        }
    }
}

/// Whether a question has been answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuestionStatus {
    Open,
    Answered,
}

impl std::fmt::Display for QuestionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            QuestionStatus::Open => "open",
            QuestionStatus::Answered => "answered",
        })
    }
}

/// What kind of exclusion an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub enum Exclusion {
    /// The feature's out-of-scope list.
    #[serde(rename = "out of scope")]
    OutOfScope,
    /// The PRD's non-goals.
    #[serde(rename = "non-goal")]
    NonGoal,
    /// An exclusion binding every feature (project.md).
    #[serde(rename = "project-wide")]
    ProjectWide,
}

impl From<ScopeKind> for Exclusion {
    fn from(kind: ScopeKind) -> Exclusion {
        match kind {
            ScopeKind::OutOfScope => Exclusion::OutOfScope,
            ScopeKind::NonGoal => Exclusion::NonGoal,
            ScopeKind::ProjectWide => Exclusion::ProjectWide,
        }
    }
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Exclusion::OutOfScope => "out of scope",
            Exclusion::NonGoal => "non-goal",
            Exclusion::ProjectWide => "project-wide",
        })
    }
}

/// A piece of the spec and where it is written.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SourcedItem {
    /// The text as written (inline markdown kept).
    pub text: String,
    /// Nested bullets under the item.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<String>,
    /// What a criterion belongs to, as written: a user story, a
    /// requirement, "Success criteria", "Edge cases".
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub group: Option<String>,
    /// `path:line`, relative to the spec root.
    pub source: String,
}

impl From<&Item> for SourcedItem {
    fn from(item: &Item) -> SourcedItem {
        SourcedItem {
            text: item.text.clone(),
            details: item.details.clone(),
            group: None,
            source: item.source.to_string(),
        }
    }
}

impl From<&Criterion> for SourcedItem {
    fn from(criterion: &Criterion) -> SourcedItem {
        SourcedItem {
            group: criterion.group.clone(),
            ..SourcedItem::from(&criterion.item)
        }
    }
}

pub fn items<'a>(items: impl IntoIterator<Item = &'a Item>) -> Vec<SourcedItem> {
    items.into_iter().map(SourcedItem::from).collect()
}

pub fn criteria<'a>(criteria: impl IntoIterator<Item = &'a Criterion>) -> Vec<SourcedItem> {
    criteria.into_iter().map(SourcedItem::from).collect()
}

/// An architecture constraint with the heading it sits under.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Constraint {
    /// The tech-spec heading (e.g. "Auth rules"), or "Project-wide".
    pub section: String,
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<String>,
    /// `path:line`.
    pub source: String,
}

impl From<&Labelled<'_>> for Constraint {
    fn from(labelled: &Labelled<'_>) -> Constraint {
        Constraint {
            section: labelled.label.to_string(),
            text: labelled.item.text.clone(),
            details: labelled.item.details.clone(),
            source: labelled.item.source.to_string(),
        }
    }
}

/// Something not to build.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScopeItem {
    /// `out of scope` (the feature's list), `non-goal` (the PRD's
    /// non-goals) or `project-wide` (project.md).
    pub kind: Exclusion,
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<String>,
    /// `path:line`.
    pub source: String,
}

impl ScopeItem {
    pub fn new(kind: ScopeKind, item: &Item) -> ScopeItem {
        ScopeItem {
            kind: Exclusion::from(kind),
            text: item.text.clone(),
            details: item.details.clone(),
            source: item.source.to_string(),
        }
    }
}

/// A feature's id and title.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FeatureRef {
    /// The feature id to pass as `feature` (its folder name).
    pub id: String,
    pub title: String,
}

impl From<&Feature> for FeatureRef {
    fn from(feature: &Feature) -> FeatureRef {
        FeatureRef {
            id: feature.id.clone(),
            title: feature.title.clone(),
        }
    }
}

/// A task a task depends on, with its status.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Dependency {
    pub id: String,
    /// `todo`, `in progress`, `done`, `blocked`, or `missing` when no such
    /// task exists.
    pub status: DependencyStatus,
}

/// What every answer says of a task: the fields a task row and a task's
/// details share.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskSummary {
    pub id: String,
    pub title: String,
    /// `todo`, `in progress`, `done` or `blocked`.
    pub status: Status,
    /// The phase or group heading the task is listed under.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phase: Option<String>,
    /// The user story the task serves (spec-kit `US1`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub story: Option<String>,
    /// The task this one is a step of.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parent: Option<String>,
    /// Marked optional: chosen as current only after every required task.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub optional: bool,
    /// `path:line` of the task's heading or checklist line.
    pub source: String,
}

impl From<&Task> for TaskSummary {
    fn from(task: &Task) -> TaskSummary {
        TaskSummary {
            id: task.id.clone(),
            title: task.title.clone(),
            status: task.status.into(),
            phase: task.phase.clone(),
            story: task.story.clone(),
            parent: task.parent.clone(),
            optional: task.optional,
            source: task.source.to_string(),
        }
    }
}

/// A task's own fields.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskInfo {
    #[serde(flatten)]
    pub summary: TaskSummary,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<Dependency>,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub description: String,
    /// Marked as able to run in parallel with other tasks (`[P]`).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub parallel: bool,
    /// Requirement numbers the task links to.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub requirements: Vec<String>,
    /// File paths the task names.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub files: Vec<String>,
}

impl TaskInfo {
    pub fn new(feature: &Feature, task: &Task) -> TaskInfo {
        TaskInfo {
            summary: TaskSummary::from(task),
            depends_on: task
                .depends_on
                .iter()
                .map(|id| Dependency {
                    id: id.clone(),
                    status: feature
                        .task(id)
                        .map_or(DependencyStatus::Missing(Missing::Missing), |dependency| {
                            DependencyStatus::Task(dependency.status.into())
                        }),
                })
                .collect(),
            description: task.description.clone(),
            parallel: task.parallel,
            requirements: task.requirements.clone(),
            files: task.files.clone(),
        }
    }
}

/// A recorded question.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QuestionInfo {
    /// `Q-<n>`; absent for a plain bullet under an open-questions heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `open` or `answered`.
    pub status: QuestionStatus,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The task it was asked for, if recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// What was recorded with it: date, task, who asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asked: Option<String>,
    /// `path:line`.
    pub source: String,
}

impl From<&Question> for QuestionInfo {
    fn from(question: &Question) -> QuestionInfo {
        QuestionInfo {
            id: question.id.clone(),
            status: if question.answered {
                QuestionStatus::Answered
            } else {
                QuestionStatus::Open
            },
            text: question.text.clone(),
            answer: question.answer.clone(),
            task: query::question_task(question).map(str::to_string),
            asked: question.meta.clone(),
            source: question.source.to_string(),
        }
    }
}

/// Everything an agent needs before coding a task.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CurrentTask {
    pub feature: FeatureRef,
    pub task: TaskInfo,
    /// Why this task is the current one.
    pub chosen_because: String,
    /// Why this feature is the current one.
    pub feature_chosen_because: String,
    /// The task's own acceptance criteria, then the feature criteria it
    /// links to (its user story's scenarios, the requirements it names).
    pub acceptance_criteria: Vec<SourcedItem>,
    pub test_plan: Vec<SourcedItem>,
    /// Architecture constraints that bind the task.
    pub constraints: Vec<Constraint>,
    /// What not to build.
    pub out_of_scope: Vec<ScopeItem>,
    /// The screens, actions, roles, objects and integrations that exist;
    /// invent no others.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub surface_area: Vec<SourcedItem>,
    /// Absent from a short answer, whose notes say how to get it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub definition_of_done: Option<Vec<SourcedItem>>,
    /// Open questions recorded for this task.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub open_questions: Vec<QuestionInfo>,
    /// What was left out of this answer and how to get it.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

/// Acceptance criteria for a task and its feature.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AcceptanceCriteria {
    pub feature: FeatureRef,
    /// The task the criteria are for, when one was resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskInfo>,
    /// The task's own acceptance criteria, then the feature criteria it
    /// links to.
    pub task_criteria: Vec<SourcedItem>,
    /// The task's test plan.
    pub test_plan: Vec<SourcedItem>,
    /// For a task that links to user stories or requirements, the
    /// feature-level criteria that bind every task (success criteria, edge
    /// cases, a PRD's acceptance criteria); the other stories' and
    /// requirements' criteria are left out. Otherwise every criterion of
    /// the feature.
    pub feature_criteria: Vec<SourcedItem>,
    /// Which of the feature's criteria `feature_criteria` holds.
    pub feature_criteria_shown: CriteriaShown,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

/// Which feature-level criteria an answer lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CriteriaShown {
    /// Those that bind every task: the task links to its own.
    EveryTask,
    /// All of them: no task, or one that links to nothing.
    All,
}

/// Architecture constraints of a feature.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Constraints {
    pub feature: FeatureRef,
    pub constraints: Vec<Constraint>,
    /// Sections whose constraints were left out because the answer would
    /// not fit an agent's context; pass one as `section` to get it.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub omitted: Vec<OmittedSection>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

/// A section of constraints left out of an answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OmittedSection {
    pub section: String,
    /// How many of its constraints were left out.
    #[schemars(schema_with = "count_schema")]
    pub count: usize,
    /// `path:line` of the first one left out.
    pub at: String,
}

/// What is out of scope for a feature.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OutOfScope {
    pub feature: FeatureRef,
    pub items: Vec<ScopeItem>,
}

/// The Definition of Done that applies to a feature.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DefinitionOfDone {
    pub feature: FeatureRef,
    pub items: Vec<SourcedItem>,
}

/// Questions recorded in a feature's spec.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Questions {
    pub feature: FeatureRef,
    /// How many are open in the whole feature.
    #[schemars(schema_with = "count_schema")]
    pub open: usize,
    /// How many are answered in the whole feature.
    #[schemars(schema_with = "count_schema")]
    pub answered: usize,
    /// The questions that match the filter.
    pub questions: Vec<QuestionInfo>,
}

/// One row of the task list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskRow {
    #[serde(flatten)]
    pub summary: TaskSummary,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<String>,
    /// Dependencies not done yet.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub waiting_on: Vec<String>,
    /// How many acceptance criteria the task has, its own and linked.
    #[schemars(schema_with = "count_schema")]
    pub acceptance_criteria: usize,
}

impl TaskRow {
    pub fn new(feature: &Feature, task: &Task) -> TaskRow {
        TaskRow {
            summary: TaskSummary::from(task),
            depends_on: task.depends_on.clone(),
            waiting_on: query::blocked_by(feature, task),
            acceptance_criteria: task.acceptance_criteria.len()
                + query::linked_criteria(feature, task).len(),
        }
    }
}

/// A feature's tasks.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Tasks {
    pub feature: FeatureRef,
    /// The current task's id, when one can be resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// The feature's tasks in document order: all of them, or one page of
    /// them when they are more than one answer lists (see `next_cursor`).
    pub tasks: Vec<TaskRow>,
    /// How many tasks the feature has in all.
    #[schemars(schema_with = "count_schema")]
    pub total: usize,
    /// Pass as `cursor` to get the next tasks; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Problems found in the feature's files: unfilled template
    /// placeholders, unknown statuses, duplicate ids, unreadable files.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub problems: Vec<Problem>,
}

/// A problem found while reading the spec.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Problem {
    pub message: String,
    /// `path:line`.
    pub source: String,
}

/// The task pinned for this session.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Pinned {
    pub feature: FeatureRef,
    pub task: TaskInfo,
}

/// A recorded question.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Asked {
    /// The question's id, `Q-<n>`.
    pub id: String,
    /// False when the same open question was already recorded; then `id` is
    /// the existing one and nothing was written.
    pub created: bool,
    pub feature: String,
    /// `path:line` where the question is.
    pub source: String,
}

/// What answering a question did.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Answered {
    /// The question's id.
    pub id: String,
    pub feature: String,
    /// The answer as recorded.
    pub answer: String,
    /// `path:line` of the question.
    pub source: String,
}

/// What setting a task's status did.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StatusSet {
    /// The task's id.
    pub id: String,
    pub feature: String,
    pub status: Status,
    pub previous: Status,
    /// False when the task already had the status: nothing was written.
    pub changed: bool,
    /// `path:line` of the task.
    pub source: String,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FindingLevel {
    /// Fails the check.
    Error,
    /// Reported; the check still passes.
    Warning,
}

impl From<lint::Level> for FindingLevel {
    fn from(level: lint::Level) -> FindingLevel {
        match level {
            lint::Level::Error => FindingLevel::Error,
            lint::Level::Warning => FindingLevel::Warning,
        }
    }
}

impl std::fmt::Display for FindingLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FindingLevel::Error => "error",
            FindingLevel::Warning => "warning",
        })
    }
}

/// Something the spec still lacks, found by one rule of the check.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Finding {
    /// The rule's stable id, such as `task-without-criteria`.
    pub rule: String,
    /// `error` (fails the check) or `warning`.
    pub level: FindingLevel,
    /// The feature it is in; absent for a project-wide file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// What is wrong and what to do about it.
    pub message: String,
    /// `path:line`, relative to the spec root.
    pub source: String,
    /// The path of `source`, relative to the spec root.
    pub path: String,
    /// The line of `source`, from 1.
    #[schemars(schema_with = "count_schema")]
    pub line: usize,
}

impl From<&lint::Finding> for Finding {
    fn from(finding: &lint::Finding) -> Finding {
        Finding {
            rule: finding.rule.id().to_string(),
            level: finding.level.into(),
            feature: finding.feature.clone(),
            message: finding.message.clone(),
            source: finding.source.to_string(),
            path: finding.source.path.to_string(),
            line: finding.source.line as usize,
        }
    }
}

/// What the check found in the kit.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Check {
    /// The ids of the features checked.
    pub features: Vec<String>,
    /// How many findings are errors: the check fails when there is one.
    #[schemars(schema_with = "count_schema")]
    pub errors: usize,
    /// How many findings are warnings.
    #[schemars(schema_with = "count_schema")]
    pub warnings: usize,
    /// Every finding, by file and line.
    pub findings: Vec<Finding>,
}

/// A task read as a resource (`spec://<feature>/tasks/<id>`): the task,
/// what it must satisfy, and the questions asked about it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskResource {
    pub feature: FeatureRef,
    pub task: TaskInfo,
    /// The task's own criteria, then the feature criteria it links to.
    pub acceptance_criteria: Vec<SourcedItem>,
    pub test_plan: Vec<SourcedItem>,
    /// Questions recorded for this task, open and answered.
    pub questions: Vec<QuestionInfo>,
}
