//! Answers from the model: the criteria, constraints, scope and done-rules
//! that bind a task (which task is current is `current`'s).
//!
//! Pure: no I/O. Callers fetch features from the workspace and pass them in;
//! every answer is made of model items that keep their sources.

use crate::model::{
    Criterion, DocumentRole, Feature, Item, Project, Question, SectionKind, Task, TaskStatus,
};
use crate::note::{Param, Step, Wording};
use crate::parse::task::ALL_REQUIREMENTS;
use crate::workspace::{list_choices, printable};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(
        "no feature given and none can be chosen: {}",
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
        "no task of feature {feature} is in progress or ready: every open task waits on another ({waiting})"
    )]
    NothingReady { feature: String, waiting: String },
}

impl QueryError {
    /// The message with what to do next, in the front end's words.
    pub fn message(&self, wording: &dyn Wording) -> String {
        match self {
            QueryError::NoCurrentFeature { .. } => format!(
                "{self}. Pass {}, or pin one with {}",
                wording.param(Param::Feature),
                wording.step(Step::PinTask)
            ),
            QueryError::NothingReady { .. } => {
                format!("{self}. Pass {} to choose one", wording.param(Param::Task))
            }
            QueryError::UnknownTask { .. }
            | QueryError::NoTasks { .. }
            | QueryError::AllDone { .. } => self.to_string(),
        }
    }
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

/// Whether a criterion carries one of `keys`. `All` (Kiro's
/// `_Requirements: All_`) names every criterion a task can link to.
fn links_to(keys: &[&str], criterion: &Criterion) -> bool {
    criterion.keys.iter().any(|key| {
        keys.iter().any(|wanted| {
            wanted.eq_ignore_ascii_case(key) || wanted.eq_ignore_ascii_case(ALL_REQUIREMENTS)
        })
    })
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
        // Options weighed and not taken, with every sub-heading under them.
        let alternatives: Vec<&std::ops::Range<usize>> = document
            .sections
            .iter()
            .filter(|section| section.kind == SectionKind::Alternatives)
            .map(|section| &section.body_span)
            .collect();
        for section in &document.sections {
            // Goals and non-goals say what to build or not, not how.
            let not_constraints = matches!(
                section.kind,
                SectionKind::OpenQuestions
                    | SectionKind::Goals
                    | SectionKind::NonGoals
                    | SectionKind::OutOfScope
                    | SectionKind::Alternatives
            ) || alternatives
                .iter()
                .any(|range| range.contains(&section.heading_span.start));
            if section.level < 2 || not_constraints {
                continue;
            }
            result.extend(rules(&section.items, &section.title, false, false));
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
            result.extend(rules(
                &section.items,
                label,
                true,
                document.role == DocumentRole::Principles,
            ));
        }
    }
    result
}

/// A section's items as constraints under `label`, leaving out ideas for
/// later.
fn rules<'a>(
    items: &'a [Item],
    label: &'a str,
    project_wide: bool,
    principle: bool,
) -> impl Iterator<Item = Labelled<'a>> {
    items
        .iter()
        .filter(|item| !is_future_idea(item))
        .map(move |item| Labelled {
            label,
            item,
            project_wide,
            principle,
        })
}

/// An item labelled as an idea for later (`*Future consideration*: …`,
/// `**Future work**: …`): not a rule to follow now.
fn is_future_idea(item: &Item) -> bool {
    let text = item.text.trim_start();
    let Some(colon) = text.find(':').filter(|&colon| colon <= 40) else {
        return false;
    };
    let label = text[..colon]
        .trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace())
        .to_lowercase();
    matches!(
        label.as_str(),
        "future consideration"
            | "future considerations"
            | "future work"
            | "future enhancement"
            | "future enhancements"
            | "future idea"
            | "future ideas"
            | "future improvement"
            | "future improvements"
    )
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

/// The items of the requirements sections of the documents that say what
/// to build (spec-kit's functional requirements, a PRD's requirements).
pub fn requirements(feature: &Feature) -> Vec<&Item> {
    feature
        .documents_with(DocumentRole::Prd)
        .flat_map(|document| document.items_of(SectionKind::Requirements))
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
