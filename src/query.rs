//! Answers from the model: which feature and task are current, and the
//! criteria, constraints, scope and done-rules that bind them.
//!
//! Pure: no I/O. Callers fetch features from the workspace and pass them in;
//! every answer is made of model items that keep their sources.

use crate::model::{
    Criterion, DocumentRole, Feature, Item, Project, Question, SectionKind, Task, TaskStatus,
};
use crate::workspace::{list_choices, printable};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(
        "no feature given and none can be chosen: {}. Pass `feature`, or pin one with set_current_task",
        list_choices("features", known)
    )]
    NoCurrentFeature { known: Vec<String> },
    #[error(
        "unknown task `{id}` in feature {feature}; {}",
        list_choices("tasks", known)
    )]
    UnknownTask {
        feature: String,
        id: String,
        known: Vec<String>,
    },
    #[error("feature {feature} has no tasks (its tasks.md is missing or lists none)")]
    NoTasks { feature: String },
    #[error("every task of feature {feature} is done")]
    AllDone { feature: String },
    #[error(
        "no task of feature {feature} is in progress or ready: every open task waits on another ({waiting}). Pass `task` to choose one"
    )]
    NothingReady { feature: String, waiting: String },
}

/// Where the current feature or task came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Requested,
    Pinned,
    Configured,
    InProgress,
    StepOfInProgress,
    FirstReady,
    OnlyFeature,
    OnlyWork,
    SpecifyFeatureDirectory,
    FeatureJson,
    SpecifyFeature,
    GitBranch,
}

impl Reason {
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Requested => "named in the call",
            Reason::Pinned => "pinned for this session with set_current_task",
            Reason::Configured => "set by --feature/--task or SPEC_MCP_FEATURE/SPEC_MCP_TASK",
            Reason::InProgress => "the first task marked in progress",
            Reason::StepOfInProgress => {
                "the step to work on next in the first task marked in progress"
            }
            Reason::FirstReady => "the first open task whose dependencies are done",
            Reason::OnlyFeature => "the only feature in the kit",
            Reason::OnlyWork => {
                "the only work in progress in the kit (the other features are reference: OpenSpec capabilities, the current truth changes apply to)"
            }
            Reason::SpecifyFeatureDirectory => "named by SPECIFY_FEATURE_DIRECTORY",
            Reason::FeatureJson => "named by .specify/feature.json",
            Reason::SpecifyFeature => "named by SPECIFY_FEATURE",
            Reason::GitBranch => "its folder is named like the current git branch",
        }
    }
}

/// Candidates for the current feature or task, in precedence order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Choice<'a> {
    pub requested: Option<&'a str>,
    pub pinned: Option<&'a str>,
    pub configured: Option<&'a str>,
}

impl<'a> Choice<'a> {
    pub fn first(self) -> Option<(&'a str, Reason)> {
        self.requested
            .map(|id| (id, Reason::Requested))
            .or_else(|| self.pinned.map(|id| (id, Reason::Pinned)))
            .or_else(|| self.configured.map(|id| (id, Reason::Configured)))
    }
}

/// The current feature id when nothing named one: the only work item
/// (an OpenSpec change, say, beside the capabilities it changes), else the
/// only feature. `work` is the part of `known` that is work, not reference.
pub fn current_feature(known: &[String], work: &[String]) -> Result<(String, Reason), QueryError> {
    match (work, known) {
        ([only], [_, _, ..]) => Ok((only.clone(), Reason::OnlyWork)),
        (_, [only]) => Ok((only.clone(), Reason::OnlyFeature)),
        _ => Err(QueryError::NoCurrentFeature {
            known: known.to_vec(),
        }),
    }
}

/// The current task of a feature, resolved as the tech spec orders it.
pub fn current_task<'f>(
    feature: &'f Feature,
    choice: Choice<'_>,
) -> Result<(&'f Task, Reason), QueryError> {
    if let Some((id, reason)) = choice.first() {
        return task(feature, id).map(|task| (task, reason));
    }
    let all: Vec<&Task> = feature.tasks().collect();
    if all.is_empty() {
        return Err(QueryError::NoTasks {
            feature: feature.id.clone(),
        });
    }
    // Work marked in progress comes first, even after an earlier open task;
    // one made of steps goes on through its first open step.
    if let Some(task) = all
        .iter()
        .find(|task| task.status == TaskStatus::InProgress)
    {
        return Ok(match open_step(feature, task) {
            Some(step) => (step, Reason::StepOfInProgress),
            None => (task, Reason::InProgress),
        });
    }
    // A task made of steps is worked on through its steps.
    let tasks: Vec<&Task> = all
        .iter()
        .copied()
        .filter(|task| !has_open_steps(feature, task))
        .collect();
    // Optional tasks (Kiro's `- [ ]*`) come after every required one.
    if let Some(task) = tasks
        .iter()
        .filter(|task| !task.optional)
        .find(|task| ready(feature, task))
        .or_else(|| tasks.iter().find(|task| ready(feature, task)))
    {
        return Ok((task, Reason::FirstReady));
    }
    let open: Vec<String> = tasks
        .iter()
        .filter(|task| task.status != TaskStatus::Done)
        .map(|task| {
            let waits = blocked_by(feature, task);
            if waits.is_empty() {
                format!("{} is {}", task.id, task.status.as_str())
            } else {
                format!("{} waits on {}", task.id, waits.join(", "))
            }
        })
        .collect();
    if open.is_empty() {
        Err(QueryError::AllDone {
            feature: feature.id.clone(),
        })
    } else {
        Err(QueryError::NothingReady {
            feature: feature.id.clone(),
            waiting: open.join("; "),
        })
    }
}

/// Whether a task can be started: todo, its dependencies done.
fn ready(feature: &Feature, task: &Task) -> bool {
    task.status == TaskStatus::Todo && blocked_by(feature, task).is_empty()
}

/// The step to work on in a task that has open steps, descending into
/// steps of steps: one in progress, else the first required one that is
/// ready, else the first ready optional one. `None` when the task has no
/// open step that can be worked on.
fn open_step<'f>(feature: &'f Feature, task: &'f Task) -> Option<&'f Task> {
    let steps: Vec<&Task> = feature.steps(task).collect();
    let step = steps
        .iter()
        .find(|step| step.status == TaskStatus::InProgress)
        .or_else(|| {
            steps
                .iter()
                .filter(|step| !step.optional)
                .find(|step| ready(feature, step) || has_open_steps(feature, step))
        })
        .or_else(|| steps.iter().find(|step| ready(feature, step)))
        .copied()?;
    // A step is also a task; a step's steps come before the step itself.
    Some(open_step(feature, step).unwrap_or(step))
}

/// Whether some required step of `task` (a task naming it as parent) is
/// not done; optional steps do not hold their parent back.
fn has_open_steps(feature: &Feature, task: &Task) -> bool {
    feature
        .steps(task)
        .any(|step| step.status != TaskStatus::Done && !step.optional)
}

/// A task by id (case-insensitive), or an error naming the valid ids.
pub fn task<'f>(feature: &'f Feature, id: &str) -> Result<&'f Task, QueryError> {
    feature.task(id).ok_or_else(|| QueryError::UnknownTask {
        feature: feature.id.clone(),
        id: printable(id),
        known: feature.tasks().map(|task| task.id.clone()).collect(),
    })
}

/// Dependencies of `task` that are not done (missing ones count as not done).
pub fn blocked_by(feature: &Feature, task: &Task) -> Vec<String> {
    task.depends_on
        .iter()
        .filter(|id| {
            feature
                .task(id)
                .is_none_or(|dependency| dependency.status != TaskStatus::Done)
        })
        .cloned()
        .collect()
}

/// The label of constraints from project.md.
pub const PROJECT_WIDE: &str = "Project-wide";

/// An item with the heading it sits under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled<'a> {
    pub label: &'a str,
    pub item: &'a Item,
    /// From project.md, binding every feature (not from the feature's own
    /// documents, whatever their headings say).
    pub project_wide: bool,
    /// From a constitution, steering file or project context: a long list
    /// of principles, of which a task needs the ones on its topic.
    pub principle: bool,
}

/// The feature's acceptance criteria: criteria sections, scenarios,
/// success criteria and edge cases, as its layout states them.
pub fn feature_criteria(feature: &Feature) -> Vec<&Criterion> {
    feature.criteria().collect()
}

/// What a task names as the criteria it serves: its user story (spec-kit
/// `[US1]`), the requirements it lists (Kiro `_Requirements: 2, 3.1_`), and
/// for a task made of steps, what its steps name. Empty for a task that
/// links to nothing.
pub fn task_links<'a>(feature: &'a Feature, task: &'a Task) -> Vec<&'a str> {
    let mut keys: Vec<&str> = Vec::new();
    let steps = feature.steps(task);
    for linking in std::iter::once(task).chain(steps) {
        for key in linking.story.iter().chain(linking.requirements.iter()) {
            if !keys.iter().any(|known| known.eq_ignore_ascii_case(key)) {
                keys.push(key);
            }
        }
    }
    keys
}

/// Whether the feature's tasks link criteria at all: then a task that
/// links to nothing serves no story or requirement of its own.
pub fn tasks_link(feature: &Feature) -> bool {
    feature
        .tasks()
        .any(|task| task.story.is_some() || !task.requirements.is_empty())
}

/// Feature criteria a task links to (see [`task_links`]): exactly those
/// whose keys it names. Kiro's `_Requirements: 2_` names all of requirement
/// 2 (key `2`), `2.3` one criterion (key `2.3`).
pub fn linked_criteria<'a>(feature: &'a Feature, task: &Task) -> Vec<&'a Criterion> {
    let keys = task_links(feature, task);
    if keys.is_empty() {
        return Vec::new();
    }
    feature
        .criteria()
        .filter(|criterion| links_to(&keys, criterion))
        .collect()
}

/// Whether a criterion carries one of `keys`.
fn links_to(keys: &[&str], criterion: &Criterion) -> bool {
    criterion
        .keys
        .iter()
        .any(|key| keys.iter().any(|wanted| wanted.eq_ignore_ascii_case(key)))
}

/// Links a task names that no criterion of the feature carries.
pub fn dangling_links<'a>(feature: &'a Feature, task: &'a Task) -> Vec<&'a str> {
    task_links(feature, task)
        .into_iter()
        .filter(|key| {
            !feature
                .criteria()
                .any(|criterion| links_to(std::slice::from_ref(key), criterion))
        })
        .collect()
}

/// Feature criteria no task can link to, so they bind every task: spec-kit
/// Success Criteria and Edge Cases, a native PRD's Acceptance criteria,
/// criteria outside any Kiro requirement.
pub fn criteria_for_every_task(feature: &Feature) -> Vec<&Criterion> {
    feature
        .criteria()
        .filter(|criterion| criterion.keys.is_empty())
        .collect()
}

/// Architecture constraints: every section of the feature's technical
/// documents (but their open questions), then the project's: the
/// Architecture constraints of a native `project.md`, every section of a
/// constitution or steering file.
pub fn constraints<'a>(project: &'a Project, feature: &'a Feature) -> Vec<Labelled<'a>> {
    let mut result: Vec<Labelled<'a>> = Vec::new();
    for document in feature.documents_with(DocumentRole::TechSpec) {
        for section in &document.sections {
            // Goals and non-goals say what to build or not, not how.
            let not_constraints = matches!(
                section.kind,
                SectionKind::OpenQuestions
                    | SectionKind::Goals
                    | SectionKind::NonGoals
                    | SectionKind::OutOfScope
            );
            if section.level < 2 || not_constraints {
                continue;
            }
            result.extend(section.items.iter().map(|item| Labelled {
                label: &section.title,
                item,
                project_wide: false,
                principle: false,
            }));
        }
    }
    for document in &project.documents {
        for section in &document.sections {
            let binds = match document.role {
                DocumentRole::Project => section.kind == SectionKind::ArchitectureConstraints,
                DocumentRole::Principles => !matches!(
                    section.kind,
                    SectionKind::OpenQuestions
                        | SectionKind::DefinitionOfDone
                        | SectionKind::OutOfScope
                ),
                _ => false,
            };
            if !binds {
                continue;
            }
            let label = match document.role {
                DocumentRole::Principles => section.title.as_str(),
                _ => PROJECT_WIDE,
            };
            result.extend(section.items.iter().map(|item| Labelled {
                label,
                item,
                project_wide: true,
                principle: document.role == DocumentRole::Principles,
            }));
        }
    }
    result
}

/// What is out of scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// Listed under "Out of scope" in the feature.
    OutOfScope,
    /// Listed under "Non-goals" in the feature.
    NonGoal,
    /// Listed under "Out of scope" in project.md.
    ProjectWide,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::OutOfScope => "out of scope",
            ScopeKind::NonGoal => "non-goal",
            ScopeKind::ProjectWide => "project-wide",
        }
    }
}

/// Out-of-scope items, non-goals and project-wide exclusions, in that order.
pub fn out_of_scope<'a>(project: &'a Project, feature: &'a Feature) -> Vec<(ScopeKind, &'a Item)> {
    let feature_items = |kind: SectionKind| {
        feature
            .documents()
            .flat_map(move |document| document.items_of(kind))
    };
    feature_items(SectionKind::OutOfScope)
        .chain(
            feature
                .documents()
                .flat_map(|document| document.out_of_scope.iter()),
        )
        .map(|item| (ScopeKind::OutOfScope, item))
        .chain(
            feature_items(SectionKind::NonGoals)
                .chain(
                    feature
                        .documents()
                        .flat_map(|document| document.non_goals.iter()),
                )
                .map(|item| (ScopeKind::NonGoal, item)),
        )
        .chain(
            project
                .items_of(SectionKind::OutOfScope)
                .into_iter()
                .map(|item| (ScopeKind::ProjectWide, item)),
        )
        .collect()
}

/// The Definition of Done: the feature's own (if it states one) then the
/// project's.
pub fn definition_of_done<'a>(project: &'a Project, feature: &'a Feature) -> Vec<&'a Item> {
    feature
        .documents()
        .flat_map(|document| document.items_of(SectionKind::DefinitionOfDone))
        .chain(project.items_of(SectionKind::DefinitionOfDone))
        .collect()
}

/// The PRD's surface area: the screens, actions, roles, objects and
/// integrations that exist.
pub fn surface_area(feature: &Feature) -> Vec<&Item> {
    feature
        .documents_with(DocumentRole::Prd)
        .flat_map(|prd| prd.items_of(SectionKind::SurfaceArea))
        .collect()
}

/// Which questions to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuestionFilter {
    #[default]
    All,
    Open,
    Answered,
}

/// The feature's questions, optionally only those tagged with `task`.
pub fn questions<'a>(
    feature: &'a Feature,
    filter: QuestionFilter,
    task: Option<&str>,
) -> Vec<&'a Question> {
    feature
        .questions()
        .filter(|question| match filter {
            QuestionFilter::All => true,
            QuestionFilter::Open => !question.answered,
            QuestionFilter::Answered => question.answered,
        })
        .filter(|question| {
            task.is_none_or(|task| {
                question_task(question).is_some_and(|asked| asked.eq_ignore_ascii_case(task))
            })
        })
        .collect()
}

/// The task a question was asked for, from its `task <id>` metadata.
pub fn question_task(question: &Question) -> Option<&str> {
    let meta = question.meta.as_deref()?;
    meta.split(',').find_map(|part| {
        part.trim()
            .strip_prefix("task ")
            .map(str::trim)
            .filter(|id| !id.is_empty())
    })
}
