//! Wire types: what each tool returns as structured content. Their doc
//! comments become the output schema an agent reads. Built from the model;
//! the model knows nothing of them.

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::{Criterion, Feature, Item, Question, Task};
use crate::query::{self, Labelled, ScopeKind};

/// A count, as JSON Schema says it: schemars gives `usize` a `uint`
/// format, which JSON Schema does not define; the TypeScript SDK's
/// validator warns about it and strict validators refuse the schema.
fn count_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "integer", "minimum": 0 })
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
    pub kind: String,
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<String>,
    /// `path:line`.
    pub source: String,
}

impl ScopeItem {
    pub fn new(kind: ScopeKind, item: &Item) -> ScopeItem {
        ScopeItem {
            kind: kind.as_str().to_string(),
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
    pub status: String,
}

/// A task's own fields.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TaskInfo {
    pub id: String,
    pub title: String,
    /// `todo`, `in progress`, `done` or `blocked`.
    pub status: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<Dependency>,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub description: String,
    /// The phase or group heading the task is listed under.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phase: Option<String>,
    /// The user story the task serves (spec-kit `US1`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub story: Option<String>,
    /// The task this one is a step of.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parent: Option<String>,
    /// Marked as able to run in parallel with other tasks (`[P]`).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub parallel: bool,
    /// Marked optional.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub optional: bool,
    /// Requirement numbers the task links to.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub requirements: Vec<String>,
    /// File paths the task names.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub files: Vec<String>,
    /// `path:line` of the task's heading or checklist line.
    pub source: String,
}

impl TaskInfo {
    pub fn new(feature: &Feature, task: &Task) -> TaskInfo {
        TaskInfo {
            id: task.id.clone(),
            title: task.title.clone(),
            status: task.status.as_str().to_string(),
            depends_on: task
                .depends_on
                .iter()
                .map(|id| Dependency {
                    id: id.clone(),
                    status: feature
                        .task(id)
                        .map_or("missing", |dependency| dependency.status.as_str())
                        .to_string(),
                })
                .collect(),
            description: task.description.clone(),
            phase: task.phase.clone(),
            story: task.story.clone(),
            parent: task.parent.clone(),
            parallel: task.parallel,
            optional: task.optional,
            requirements: task.requirements.clone(),
            files: task.files.clone(),
            source: task.source.to_string(),
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
    pub status: String,
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
                "answered"
            } else {
                "open"
            }
            .to_string(),
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
    pub definition_of_done: Vec<SourcedItem>,
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
    pub id: String,
    pub title: String,
    /// `todo`, `in progress`, `done` or `blocked`.
    pub status: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<String>,
    /// Dependencies not done yet.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub waiting_on: Vec<String>,
    /// How many acceptance criteria the task has, its own and linked.
    #[schemars(schema_with = "count_schema")]
    pub acceptance_criteria: usize,
    /// Marked optional: chosen as current only after every required task.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub optional: bool,
    /// The phase or group heading the task is listed under.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phase: Option<String>,
    /// The user story the task serves.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub story: Option<String>,
    /// The task this one is a step of.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parent: Option<String>,
    /// `path:line`.
    pub source: String,
}

impl TaskRow {
    pub fn new(feature: &Feature, task: &Task) -> TaskRow {
        TaskRow {
            id: task.id.clone(),
            title: task.title.clone(),
            status: task.status.as_str().to_string(),
            depends_on: task.depends_on.clone(),
            waiting_on: query::blocked_by(feature, task),
            acceptance_criteria: task.acceptance_criteria.len()
                + query::linked_criteria(feature, task).len(),
            optional: task.optional,
            phase: task.phase.clone(),
            story: task.story.clone(),
            parent: task.parent.clone(),
            source: task.source.to_string(),
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
