//! The answer service: one function per tool, taking the kit, the
//! session's state and typed parameters, returning the wire types. It knows
//! no front end and no transport: the MCP handler, the command line and an
//! HTTP session all call these functions, and each passes its own
//! [`Wording`] for the steps an answer suggests.
//!
//! The functions read files and may block: async callers run them on a
//! blocking thread.

pub mod answer;
pub mod changes;
pub mod memo;
pub mod params;
pub mod prompt;
pub mod resource;
pub mod select;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use crate::current::{self, Choice, Hints, Reason};
use crate::edit::{self, EditError, NewQuestion, Writer};
use crate::lint::{self, Levels};
use crate::model::{Criterion, Feature, Item, Layout, Project, Task, TaskStatus};
use crate::note::{Note, Param, Step, Wording};
use crate::query::{self, QueryError, QuestionFilter};
use crate::workspace::{Catalogue, Workspace, WorkspaceError, check_id_among, printable};
use answer::{
    AcceptanceCriteria, Answered, Asked, Check, Constraint, Constraints, CriteriaShown,
    CurrentTask, DefinitionOfDone, FeatureRef, OutOfScope, Pinned, QuestionInfo, Questions,
    ScopeItem, StatusSet, TaskInfo, TaskRow, Tasks,
};
use params::{
    AnswerQuestion, AskQuestion, CheckSpec, ConstraintsQuery, CurrentTaskQuery, ListQuestions,
    ListTasks, QuestionStatus, SetCurrentTask, SetTaskStatus, Target,
};

/// How many tasks one `list_tasks` answer lists: about 30 KB of rows,
/// well within what a client takes from one call.
pub const TASK_PAGE: usize = 100;

/// What every session shares: the kit on disk, the one writer, and the
/// defaults from the command line.
#[derive(Debug)]
pub struct Kit {
    pub workspace: Workspace,
    pub writer: Writer,
    pub defaults: Defaults,
    /// What changed on disk, for every session subscribed to resources.
    pub changes: changes::Changes,
    /// Answers built from the parses the workspace still hands out.
    memo: memo::Memo,
}

impl Kit {
    pub fn new(workspace: Workspace, writer: Writer, defaults: Defaults) -> Kit {
        Kit {
            workspace,
            writer,
            defaults,
            changes: changes::Changes::default(),
            memo: memo::Memo::default(),
        }
    }
}

/// `--feature` / `--task` (or their environment variables), and spec-kit's
/// environment variables naming the feature being worked on.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub feature: Option<String>,
    pub task: Option<String>,
    /// `SPECIFY_FEATURE_DIRECTORY`: the feature folder, absolute or
    /// relative to the root.
    pub specify_feature_directory: Option<PathBuf>,
    /// `SPECIFY_FEATURE`: the feature folder's name (or a branch named
    /// after it).
    pub specify_feature: Option<String>,
}

/// One client's state: the task it pinned. Sessions never see each
/// other's.
#[derive(Debug, Default)]
pub struct Session {
    pin: Mutex<Option<Pin>>,
}

/// The task a session pinned with `set_current_task`.
#[derive(Debug, Clone)]
struct Pin {
    feature: String,
    task: String,
}

impl Session {
    fn pinned(&self) -> Option<Pin> {
        self.pin
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn pin(&self, pin: Pin) {
        *self.pin.lock().unwrap_or_else(PoisonError::into_inner) = Some(pin);
    }
}

/// A call that could not do what was asked; the caller shows the message.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error("no constraint heading contains `{section}`; the headings are: {}", known.join(", "))]
    NoSection { section: String, known: Vec<String> },
    #[error("cursor `{cursor}` is not one the task list gave: the feature has {total} tasks")]
    BadCursor { cursor: String, total: usize },
    #[error("unknown status `{status}`; use todo, in progress, done or blocked")]
    UnknownStatus { status: String },
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error("not a resource of this server: {reason}")]
    BadUri { reason: String },
    #[error("feature {feature} has no document `{document}`; its documents are: {}", known.join(", "))]
    NoDocument {
        document: String,
        feature: String,
        known: Vec<String>,
    },
    #[error("the project has no file `{document}`; {}", if known.is_empty() { "it has no project-wide files".to_string() } else { format!("its project-wide files are: {}", known.join(", ")) })]
    NoProjectFile {
        document: String,
        known: Vec<String>,
    },
    #[error("no skill file `{uri}`; the skill served is {known}")]
    NoSkill { uri: String, known: &'static str },
    #[error("cursor `{cursor}` is not one the resource list gave; omit it to start at the first")]
    BadResourceCursor { cursor: String },
    #[error("the answer could not be encoded: {reason}")]
    Encode { reason: String },
    #[error(transparent)]
    Prompt(#[from] prompt::PromptError),
}

impl ServiceError {
    /// The message with what to do next, in the front end's words.
    pub fn message(&self, wording: &dyn Wording) -> String {
        match self {
            ServiceError::BadCursor { cursor, total } => format!(
                "cursor `{cursor}` is not one {} gave: the feature has {total} tasks; omit {} to start at the first",
                wording.step(Step::ListTasks),
                wording.param(Param::Cursor)
            ),
            ServiceError::Query(error) => error.message(wording),
            ServiceError::Workspace(_)
            | ServiceError::NoSection { .. }
            | ServiceError::UnknownStatus { .. }
            | ServiceError::Edit(_)
            | ServiceError::BadUri { .. }
            | ServiceError::NoDocument { .. }
            | ServiceError::NoProjectFile { .. }
            | ServiceError::NoSkill { .. }
            | ServiceError::BadResourceCursor { .. }
            | ServiceError::Encode { .. }
            | ServiceError::Prompt(_) => self.to_string(),
        }
    }
}

/// The task to work on now, with what binds it: in full, or (the default)
/// cut to about 4 KB, with notes naming what was left out.
pub fn current_task(
    kit: &Kit,
    session: &Session,
    query: &CurrentTaskQuery,
    wording: &dyn Wording,
) -> Result<CurrentTask, ServiceError> {
    Ok(current_task_parts(kit, session, query, wording)?.answer(wording))
}

/// [`current_task`]'s answer in its two parts: what the documents alone
/// make, kept until one of them changes, and what this call decided. A
/// front end that keeps its rendering of an answer may reuse it for as
/// long as both parts are the same ([`CurrentTaskParts::same`]).
#[derive(Debug, Clone)]
pub struct CurrentTaskParts {
    pub built: Arc<memo::BuiltTask>,
    /// Why the task is the current one.
    pub chosen_because: String,
    /// Why the feature is the current one.
    pub feature_chosen_because: String,
    /// Every note, in the order the answer gives them, still data.
    pub notes: Vec<Note>,
}

impl CurrentTaskParts {
    /// The whole answer, its notes worded.
    pub fn answer(&self, wording: &dyn Wording) -> CurrentTask {
        CurrentTask {
            notes: words(&self.notes, wording),
            ..self.answer_without_notes()
        }
    }

    fn answer_without_notes(&self) -> CurrentTask {
        CurrentTask {
            chosen_because: self.chosen_because.clone(),
            feature_chosen_because: self.feature_chosen_because.clone(),
            ..self.built.answer.clone()
        }
    }

    /// Whether `other` makes the very same answer: built from the same
    /// parses, chosen for the same reasons, with the same notes.
    pub fn same(&self, other: &CurrentTaskParts) -> bool {
        Arc::ptr_eq(&self.built, &other.built)
            && self.chosen_because == other.chosen_because
            && self.feature_chosen_because == other.feature_chosen_because
            && self.notes == other.notes
    }
}

/// [`current_task`]'s answer with its notes still data, for an answer
/// built on it that words them its own way.
fn current_task_with_notes(
    kit: &Kit,
    session: &Session,
    query: &CurrentTaskQuery,
    wording: &dyn Wording,
) -> Result<(CurrentTask, Vec<Note>), ServiceError> {
    let parts = current_task_parts(kit, session, query, wording)?;
    Ok((parts.answer_without_notes(), parts.notes))
}

/// [`current_task`]'s answer, not yet put together.
pub fn current_task_parts(
    kit: &Kit,
    session: &Session,
    query: &CurrentTaskQuery,
    wording: &dyn Wording,
) -> Result<CurrentTaskParts, ServiceError> {
    let share = if query.full.unwrap_or(false) {
        select::Share::Full
    } else {
        select::Share::Brief
    };
    let (feature, feature_reason) = chosen_feature(kit, session, query.feature.as_deref())?;
    let (task, reason) = chosen_task(kit, session, &feature, query.task.as_deref())?;
    let project = kit.workspace.project(feature.layout);
    let built = kit
        .memo
        .current_task(&feature, &project, &task.id, share, || {
            build_current_task(&project, &feature, task, share)
        });
    let mut notes = built.link_notes.clone();
    notes.extend(current_truth_note(kit, &feature));
    notes.extend(built.cut_notes.iter().cloned());
    Ok(CurrentTaskParts {
        chosen_because: reason.describe(wording),
        feature_chosen_because: feature_reason.describe(wording),
        notes,
        built,
    })
}

/// What `get_current_task` answers for `task` that follows from the
/// documents alone.
fn build_current_task(
    project: &Project,
    feature: &Feature,
    task: &Task,
    share: select::Share,
) -> memo::BuiltTask {
    let all_constraints = query::constraints(project, feature);
    let (constraints, omitted) = select::for_task(&all_constraints, task, share);
    let link_notes = link_notes(feature, task, Shown::Linked);
    let mut cut_notes = Vec::new();
    if omitted > 0 {
        cut_notes.push(Note::ConstraintsNotShown { count: omitted });
    }
    let linked = query::linked_criteria(feature, task);
    let open_questions = query::questions(feature, QuestionFilter::Open, Some(&task.id))
        .into_iter()
        .map(QuestionInfo::from)
        .collect();
    let mut out_of_scope = scope_items(project, feature);
    let mut surface_area = answer::items(query::surface_area(feature));
    let mut definition_of_done = Some(answer::items(query::definition_of_done(project, feature)));
    if share == select::Share::Brief {
        let (kept, exclusions) = select::brief_scope(out_of_scope, task);
        out_of_scope = kept;
        let surface_area = std::mem::take(&mut surface_area).len();
        let definition_of_done = definition_of_done.take().map_or(0, |items| items.len());
        if exclusions + surface_area + definition_of_done > 0 {
            cut_notes.push(Note::LeftOutOfBrief {
                exclusions,
                surface_area,
                definition_of_done,
            });
        }
    }
    memo::BuiltTask {
        answer: CurrentTask {
            feature: FeatureRef::from(feature),
            task: TaskInfo::new(feature, task),
            chosen_because: String::new(),
            feature_chosen_because: String::new(),
            acceptance_criteria: task_criteria(&task.acceptance_criteria, &linked),
            test_plan: answer::items(&task.test_plan),
            constraints,
            out_of_scope,
            surface_area,
            definition_of_done,
            open_questions,
            notes: Vec::new(),
        },
        link_notes,
        cut_notes,
    }
}

/// A task's criteria and test plan, with the feature's criteria that bind
/// it.
pub fn acceptance_criteria(
    kit: &Kit,
    session: &Session,
    target: &Target,
    wording: &dyn Wording,
) -> Result<AcceptanceCriteria, ServiceError> {
    let feature = feature(kit, session, target.feature.as_deref())?;
    let mut notes = Vec::new();
    let task = match chosen_task(kit, session, &feature, target.task.as_deref()) {
        Ok((task, _)) => Some(task),
        Err(ServiceError::Query(
            error @ (QueryError::NoTasks { .. }
            | QueryError::AllDone { .. }
            | QueryError::NothingReady { .. }),
        )) => {
            notes.push(Note::NoCurrentTask {
                reason: error.message(wording),
            });
            None
        }
        Err(error) => return Err(error),
    };
    // A task that links to stories or requirements gets exactly those,
    // beside the criteria that bind every task; one that links to nothing
    // gets every criterion of the feature.
    let (task_criteria, feature_criteria, shown) = match task {
        Some(task)
            if !query::task_links(&feature, task).is_empty() || query::tasks_link(&feature) =>
        {
            notes.extend(link_notes(&feature, task, Shown::LinkedAndCommon));
            (
                self::task_criteria(
                    &task.acceptance_criteria,
                    &query::linked_criteria(&feature, task),
                ),
                query::criteria_for_every_task(&feature),
                CriteriaShown::EveryTask,
            )
        }
        Some(task) => {
            notes.extend(link_notes(&feature, task, Shown::All));
            (
                answer::items(&task.acceptance_criteria),
                query::feature_criteria(&feature),
                CriteriaShown::All,
            )
        }
        None => (
            Vec::new(),
            query::feature_criteria(&feature),
            CriteriaShown::All,
        ),
    };
    notes.extend(current_truth_note(kit, &feature));
    Ok(AcceptanceCriteria {
        feature: FeatureRef::from(&*feature),
        task: task.map(|task| TaskInfo::new(&feature, task)),
        task_criteria,
        test_plan: task
            .map(|task| answer::items(&task.test_plan))
            .unwrap_or_default(),
        feature_criteria: answer::criteria(feature_criteria),
        feature_criteria_shown: shown,
        notes: words(&notes, wording),
    })
}

/// Every constraint when they fit one answer; otherwise the native
/// project-wide ones and those closest to the task, with the sections left
/// out named so they can be asked for.
pub fn constraints(
    kit: &Kit,
    session: &Session,
    params: &ConstraintsQuery,
    wording: &dyn Wording,
) -> Result<Constraints, ServiceError> {
    let target = Target {
        feature: params.feature.clone(),
        task: params.task.clone(),
    };
    let feature = feature_with_task(kit, session, &target)?;
    let project = kit.workspace.project(feature.layout);
    let mut all = query::constraints(&project, &feature);
    if let Some(wanted) = params.section.as_deref() {
        let wanted = wanted.trim().to_lowercase();
        let sections: Vec<String> = select::unique_labels(&all);
        all.retain(|labelled| labelled.label.to_lowercase().contains(&wanted));
        if all.is_empty() {
            return Err(ServiceError::NoSection {
                section: printable(params.section.as_deref().unwrap_or_default()),
                known: sections,
            });
        }
    }
    let task = chosen_task(kit, session, &feature, target.task.as_deref())
        .ok()
        .map(|(task, _)| task);
    let fit = select::to_fit(&all, task);
    let mut notes = Vec::new();
    if fit.cut {
        notes.push(Note::ConstraintsCut {
            task: task.map(|task| task.id.clone()),
        });
    }
    let omitted = select::omitted(&all, &fit.kept);
    Ok(Constraints {
        feature: FeatureRef::from(&*feature),
        constraints: fit
            .kept
            .iter()
            .map(|&index| Constraint::from(&all[index]))
            .collect(),
        omitted,
        notes: words(&notes, wording),
    })
}

/// What must not be built.
pub fn out_of_scope(
    kit: &Kit,
    session: &Session,
    target: &Target,
) -> Result<OutOfScope, ServiceError> {
    let feature = feature_with_task(kit, session, target)?;
    let project = kit.workspace.project(feature.layout);
    Ok(OutOfScope {
        feature: FeatureRef::from(&*feature),
        items: scope_items(&project, &feature),
    })
}

/// The Definition of Done that applies to the feature.
pub fn definition_of_done(
    kit: &Kit,
    session: &Session,
    target: &Target,
) -> Result<DefinitionOfDone, ServiceError> {
    let feature = feature_with_task(kit, session, target)?;
    let project = kit.workspace.project(feature.layout);
    Ok(DefinitionOfDone {
        feature: FeatureRef::from(&*feature),
        items: answer::items(query::definition_of_done(&project, &feature)),
    })
}

/// The questions recorded in the feature's spec.
pub fn questions(
    kit: &Kit,
    session: &Session,
    params: &ListQuestions,
) -> Result<Questions, ServiceError> {
    let feature = feature(kit, session, params.feature.as_deref())?;
    if let Some(id) = params.task.as_deref() {
        check_task_id(&feature, id)?;
        query::task(&feature, id)?;
    }
    let filter = match params.status.unwrap_or_default() {
        QuestionStatus::All => QuestionFilter::All,
        QuestionStatus::Open => QuestionFilter::Open,
        QuestionStatus::Answered => QuestionFilter::Answered,
    };
    let (answered, open): (Vec<_>, Vec<_>) =
        feature.questions().partition(|question| question.answered);
    Ok(Questions {
        feature: FeatureRef::from(&*feature),
        open: open.len(),
        answered: answered.len(),
        questions: query::questions(&feature, filter, params.task.as_deref())
            .into_iter()
            .map(QuestionInfo::from)
            .collect(),
    })
}

/// One page of the feature's tasks, with the current one marked.
pub fn tasks(kit: &Kit, session: &Session, params: &ListTasks) -> Result<Tasks, ServiceError> {
    let target = Target {
        feature: params.feature.clone(),
        task: params.task.clone(),
    };
    let feature = feature_with_task(kit, session, &target)?;
    let current = chosen_task(kit, session, &feature, target.task.as_deref())
        .ok()
        .map(|(task, _)| task.id.clone());
    let total = feature.tasks().count();
    let start = match params.cursor.as_deref() {
        None => 0,
        Some(cursor) => match cursor.parse::<usize>() {
            Ok(start) if start < total && start % TASK_PAGE == 0 => start,
            _ => {
                return Err(ServiceError::BadCursor {
                    cursor: printable(cursor),
                    total,
                });
            }
        },
    };
    let end = (start + TASK_PAGE).min(total);
    let tasks = feature
        .tasks()
        .skip(start)
        .take(end - start)
        .map(|task| TaskRow::new(&feature, task))
        .collect();
    let project = kit.workspace.project(feature.layout);
    let problems = feature
        .all_diagnostics()
        .chain(
            project
                .documents
                .iter()
                .flat_map(|document| document.diagnostics.iter()),
        )
        .map(|diagnostic| answer::Problem {
            message: diagnostic.message.clone(),
            source: diagnostic.source.to_string(),
        })
        .collect();
    Ok(Tasks {
        feature: FeatureRef::from(&*feature),
        current,
        tasks,
        total,
        next_cursor: (end < total).then(|| end.to_string()),
        problems,
    })
}

/// Pins a task as the session's current one.
pub fn pin_task(
    kit: &Kit,
    session: &Session,
    params: &SetCurrentTask,
) -> Result<Pinned, ServiceError> {
    let feature = feature(kit, session, params.feature.as_deref())?;
    check_task_id(&feature, &params.task)?;
    let task = query::task(&feature, &params.task)?;
    session.pin(Pin {
        feature: feature.id.clone(),
        task: task.id.clone(),
    });
    Ok(Pinned {
        feature: FeatureRef::from(&*feature),
        task: TaskInfo::new(&feature, task),
    })
}

/// Records a question in the feature's spec, through the one writer.
/// `asked_by` is the client's name, as it introduced itself.
pub fn ask(
    kit: &Kit,
    session: &Session,
    params: &AskQuestion,
    asked_by: &str,
) -> Result<Asked, ServiceError> {
    if kit.writer.read_only() {
        return Err(EditError::ReadOnly.into());
    }
    let feature = feature(kit, session, params.feature.as_deref())?;
    let task = match params.task.as_deref() {
        Some(id) => {
            check_task_id(&feature, id)?;
            Some(query::task(&feature, id)?.id.clone())
        }
        None => chosen_task(kit, session, &feature, None)
            .ok()
            .map(|(task, _)| task.id.clone()),
    };
    let question = NewQuestion {
        text: params.question.clone(),
        context: params.context.clone(),
        task,
        asked_by: asked_by.to_string(),
        date: edit::today(),
    };
    let appended = kit
        .writer
        .append_question(&kit.workspace, &feature.id, &question)?;
    tracing::info!(feature = %feature.id, id = %appended.id, created = !appended.existing, "question recorded");
    if !appended.existing
        && let Ok(primary) = kit.workspace.primary_path(&feature.id)
    {
        changes::written(kit, &primary.path);
    }
    Ok(Asked {
        id: appended.id,
        created: !appended.existing,
        feature: feature.id.clone(),
        source: appended.source,
    })
}

/// Records a person's answer under a question of the feature and marks
/// it answered, through the one writer.
pub fn answer_question(
    kit: &Kit,
    session: &Session,
    params: &AnswerQuestion,
) -> Result<Answered, ServiceError> {
    if kit.writer.read_only() {
        return Err(EditError::ReadOnlySpec.into());
    }
    let feature = feature(kit, session, params.feature.as_deref())?;
    check_id_among("question", &params.id, || {
        feature
            .questions()
            .filter_map(|question| question.id.clone())
            .collect()
    })?;
    let recorded =
        kit.writer
            .answer_question(&kit.workspace, &feature.id, &params.id, &params.answer)?;
    tracing::info!(feature = %feature.id, id = %recorded.id, "question answered");
    Ok(Answered {
        id: recorded.id,
        feature: feature.id.clone(),
        answer: recorded.answer,
        source: recorded.source,
    })
}

/// Sets a task's status where its file states it, through the one writer.
pub fn set_task_status(
    kit: &Kit,
    session: &Session,
    params: &SetTaskStatus,
) -> Result<StatusSet, ServiceError> {
    if kit.writer.read_only() {
        return Err(EditError::ReadOnlySpec.into());
    }
    let status = TaskStatus::parse(&params.status).ok_or_else(|| ServiceError::UnknownStatus {
        status: printable(&params.status),
    })?;
    let feature = feature(kit, session, params.feature.as_deref())?;
    check_task_id(&feature, &params.task)?;
    let task = query::task(&feature, &params.task)?;
    let change = kit
        .writer
        .set_status(&kit.workspace, &feature.id, &task.id, status)?;
    tracing::info!(feature = %feature.id, id = %change.id, status = status.as_str(), changed = change.changed, "task status set");
    Ok(StatusSet {
        id: change.id,
        feature: feature.id.clone(),
        status: change.status.into(),
        previous: change.previous.into(),
        changed: change.changed,
        source: change.source,
    })
}

/// Runs the quality gate's rules over one feature, or over every feature
/// and the project-wide files of each layout read, at the levels given.
/// A feature named must exist; without one, nothing is chosen for the
/// caller: the whole kit is checked.
pub fn check(kit: &Kit, params: &CheckSpec, levels: &Levels) -> Result<Check, ServiceError> {
    let workspace = &kit.workspace;
    let ids: Vec<String> = match params.feature.as_deref() {
        Some(id) => {
            check_id_among("feature", id, || workspace.feature_ids().to_vec())?;
            vec![workspace.locate(id)?.id]
        }
        None => workspace.feature_ids().to_vec(),
    };
    let mut findings = Vec::new();
    let mut layouts: Vec<Layout> = Vec::new();
    for id in &ids {
        let feature = workspace.feature(id)?;
        findings.extend(lint::feature(&feature));
        if !layouts.contains(&feature.layout) {
            layouts.push(feature.layout);
        }
    }
    if params.feature.is_none() {
        // The project-wide files of each layout a feature was found in;
        // of every layout when none was, as a constitution may come first.
        if layouts.is_empty() {
            layouts = Layout::ALL.to_vec();
        }
        for layout in layouts {
            findings.extend(lint::project(&workspace.project(layout)));
        }
    }
    let findings = levels.apply(findings);
    let errors = findings
        .iter()
        .filter(|finding| finding.level == lint::Level::Error)
        .count();
    Ok(Check {
        features: ids,
        errors,
        warnings: findings.len() - errors,
        findings: findings.iter().map(answer::Finding::from).collect(),
    })
}

fn feature(
    kit: &Kit,
    session: &Session,
    requested: Option<&str>,
) -> Result<Arc<Feature>, ServiceError> {
    chosen_feature(kit, session, requested).map(|(feature, _)| feature)
}

/// The current feature and why it is the current one.
fn chosen_feature(
    kit: &Kit,
    session: &Session,
    requested: Option<&str>,
) -> Result<(Arc<Feature>, Reason), ServiceError> {
    if let Some(id) = requested {
        check_id_among("feature", id, || kit.workspace.feature_ids().to_vec())?;
    }
    let pin = session.pinned();
    let choice = Choice {
        requested,
        pinned: pin.as_ref().map(|pin| pin.feature.as_str()),
        configured: kit.defaults.feature.as_deref(),
    };
    let (id, reason) = current::current_feature(choice, &KitHints(kit))?;
    Ok((kit.workspace.feature(&id)?, reason))
}

/// The current task of `feature` and why it is the current one.
fn chosen_task<'f>(
    kit: &Kit,
    session: &Session,
    feature: &'f Feature,
    requested: Option<&str>,
) -> Result<(&'f Task, Reason), ServiceError> {
    if let Some(id) = requested {
        check_task_id(feature, id)?;
    }
    let pin = session.pinned();
    let defaults = &kit.defaults;
    let choice = current::task_choice(
        feature,
        requested,
        pin.as_ref()
            .map(|pin| (pin.feature.as_str(), pin.task.as_str())),
        (defaults.feature.as_deref(), defaults.task.as_deref()),
        |id| {
            kit.workspace
                .locate(id)
                .is_ok_and(|located| located.id == feature.id)
        },
    );
    Ok(current::current_task(feature, choice)?)
}

/// The feature, after checking a task named in the call exists in it.
fn feature_with_task(
    kit: &Kit,
    session: &Session,
    target: &Target,
) -> Result<Arc<Feature>, ServiceError> {
    let feature = feature(kit, session, target.feature.as_deref())?;
    if let Some(id) = target.task.as_deref() {
        check_task_id(&feature, id)?;
        query::task(&feature, id)?;
    }
    Ok(feature)
}

/// Refuses a task id that could fool a reader, naming the feature's tasks.
fn check_task_id(feature: &Feature, id: &str) -> Result<(), WorkspaceError> {
    check_id_among("task", id, || {
        feature.tasks().map(|task| task.id.clone()).collect()
    })
}

/// What the kit on disk says about the current feature: spec-kit's
/// environment variables and `.specify/feature.json`, the git branch, the
/// feature list.
struct KitHints<'a>(&'a Kit);

impl Hints for KitHints<'_> {
    fn specify_feature_directory(&self) -> Option<String> {
        let dir = self.0.defaults.specify_feature_directory.as_deref()?;
        self.0.workspace.feature_at(dir)
    }

    fn feature_json(&self) -> Option<String> {
        let workspace = &self.0.workspace;
        workspace
            .feature_json()
            .and_then(|dir| workspace.feature_at(&dir))
    }

    fn specify_feature(&self) -> Option<String> {
        let name = self.0.defaults.specify_feature.as_deref()?;
        self.0.workspace.feature_named_by_branch(name)
    }

    fn git_branch(&self) -> Option<String> {
        let workspace = &self.0.workspace;
        let branch = crate::git::current_branch(workspace.root())?;
        workspace.feature_named_by_branch(&branch)
    }

    fn catalogue(&self) -> Catalogue {
        self.0.workspace.catalogue()
    }

    fn finished(&self, id: &str) -> bool {
        self.0.workspace.feature(id).is_ok_and(|feature| {
            let mut tasks = feature.tasks().peekable();
            tasks.peek().is_some() && tasks.all(|task| task.status == TaskStatus::Done)
        })
    }
}

/// For an OpenSpec change: where the current requirements of the
/// capabilities it changes are, since its deltas only say what changes.
fn current_truth_note(kit: &Kit, feature: &Feature) -> Option<Note> {
    let capabilities = kit.workspace.changed_capabilities(feature);
    (!capabilities.is_empty()).then_some(Note::CurrentTruth { capabilities })
}

fn words(notes: &[Note], wording: &dyn Wording) -> Vec<String> {
    notes.iter().map(|note| note.words(wording)).collect()
}

/// Which of the feature's criteria an answer shows beside a task's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// Only those the task links to (`get_current_task`).
    Linked,
    /// Those the task links to, and those that bind every task.
    LinkedAndCommon,
    /// Every criterion of the feature.
    All,
}

/// What an answer says about the criteria a task links to and those it
/// leaves out.
fn link_notes(feature: &Feature, task: &Task, shown: Shown) -> Vec<Note> {
    let mut notes = Vec::new();
    let links = query::task_links(feature, task);
    let all = query::feature_criteria(feature).len();
    if links.is_empty() && !query::tasks_link(feature) {
        // No task of the feature links: every criterion applies to each.
        if all > 0 {
            notes.push(match shown {
                Shown::All => Note::EveryCriterionListed {
                    task: task.id.clone(),
                },
                Shown::Linked | Shown::LinkedAndCommon => Note::UnlinkedCriteriaElsewhere {
                    task: task.id.clone(),
                    count: all,
                },
            });
        }
        return notes;
    }
    let dangling = query::dangling_links(feature, task);
    if links.is_empty() {
        notes.push(Note::NoLink {
            task: task.id.clone(),
        });
    } else if !dangling.is_empty() {
        notes.push(Note::DanglingLinks {
            task: task.id.clone(),
            links: owned(&dangling),
        });
    }
    let linked = query::linked_criteria(feature, task).len();
    let common = query::criteria_for_every_task(feature);
    if shown == Shown::Linked && !common.is_empty() {
        notes.push(Note::CommonCriteriaElsewhere {
            count: common.len(),
            groups: groups(&common),
        });
    }
    let others = all - linked - common.len();
    if others > 0 {
        notes.push(if links.is_empty() {
            Note::OthersLeftOut { count: others }
        } else {
            Note::OthersOfLinksLeftOut {
                task: task.id.clone(),
                links: owned(&links),
                count: others,
            }
        });
    }
    notes
}

fn owned(texts: &[&str]) -> Vec<String> {
    texts.iter().map(ToString::to_string).collect()
}

/// The groups criteria are listed under, each once, in order.
fn groups(criteria: &[&Criterion]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in criteria
        .iter()
        .filter_map(|criterion| criterion.group.as_deref())
    {
        if !names.iter().any(|known| known == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// A task's own criteria, then the feature criteria it links to.
fn task_criteria(own: &[Item], linked: &[&Criterion]) -> Vec<answer::SourcedItem> {
    let mut result = answer::items(own);
    result.extend(answer::criteria(linked.iter().copied()));
    result
}

fn scope_items(project: &Project, feature: &Feature) -> Vec<ScopeItem> {
    query::out_of_scope(project, feature)
        .into_iter()
        .map(|(kind, item)| ScopeItem::new(kind, item))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::fs::{self, File};
    use std::path::Path;
    use std::time::{Duration, SystemTime};

    use super::{Defaults, Kit, Session, current_task};
    use crate::edit::Writer;
    use crate::mcp::Tools;
    use crate::service::params::{CurrentTaskQuery, SetCurrentTask};
    use crate::workspace::Workspace;

    /// A time long past, `seconds` after a fixed start: stamps from then
    /// are trusted, so the workspace keeps what it parsed.
    fn long_ago(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
    }

    /// Copies `from` to `to`, then dates every file and folder `when`.
    fn copy_dated(from: &Path, to: &Path, when: SystemTime) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dated(&entry.path(), &target, when);
            } else {
                fs::copy(entry.path(), &target).unwrap();
                File::open(&target).unwrap().set_modified(when).unwrap();
            }
        }
        File::open(to).unwrap().set_modified(when).unwrap();
    }

    fn example_kit(root: &Path) -> Kit {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs-example");
        copy_dated(&example, root, long_ago(0));
        Kit::new(
            Workspace::open(root).unwrap(),
            Writer::new(false),
            Defaults::default(),
        )
    }

    fn query(task: Option<&str>) -> CurrentTaskQuery {
        CurrentTaskQuery {
            feature: Some("image-upload".to_string()),
            task: task.map(str::to_string),
            full: None,
        }
    }

    fn criteria(answer: &super::CurrentTask) -> Vec<String> {
        answer
            .acceptance_criteria
            .iter()
            .map(|item| item.text.clone())
            .collect()
    }

    #[test]
    fn a_kept_answer_is_built_again_once_a_file_it_came_from_changes() {
        let dir = tempfile::tempdir().unwrap();
        let kit = example_kit(dir.path());
        let session = Session::default();
        let first = current_task(&kit, &session, &query(Some("T2")), &Tools).unwrap();
        let again = current_task(&kit, &session, &query(Some("T2")), &Tools).unwrap();
        assert_eq!(criteria(&first), criteria(&again));
        assert_eq!(kit.memo.len(), 1, "the second answer was the kept one");

        // Edited, with a time as old as any: only the length and the time
        // differ from what was parsed.
        let tasks = dir.path().join("image-upload/tasks.md");
        let text = fs::read_to_string(&tasks).unwrap();
        let edited = text.replace(
            "Requests for another seller's upload return 404.",
            "Requests for another seller's upload return 403.",
        );
        assert_ne!(text, edited);
        fs::write(&tasks, edited).unwrap();
        File::open(&tasks)
            .unwrap()
            .set_modified(long_ago(60))
            .unwrap();

        let after = current_task(&kit, &session, &query(Some("T2")), &Tools).unwrap();
        let texts = criteria(&after);
        assert!(
            texts.iter().any(|text| text.ends_with("return 403.")),
            "{texts:?}"
        );
        assert!(
            !texts.iter().any(|text| text.ends_with("return 404.")),
            "{texts:?}"
        );
    }

    #[test]
    fn sessions_share_a_kept_answer_but_each_is_told_why_its_task_was_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let kit = example_kit(dir.path());
        let pinned = Session::default();
        super::pin_task(
            &kit,
            &pinned,
            &SetCurrentTask {
                feature: Some("image-upload".to_string()),
                task: "T2".to_string(),
            },
        )
        .unwrap();
        let named = current_task(&kit, &Session::default(), &query(Some("T2")), &Tools).unwrap();
        let from_pin = current_task(&kit, &pinned, &query(None), &Tools).unwrap();
        assert_eq!(named.task.summary.id, "T2");
        assert_eq!(from_pin.task.summary.id, "T2");
        assert_eq!(criteria(&named), criteria(&from_pin));
        assert_ne!(named.chosen_because, from_pin.chosen_because);
        assert!(
            from_pin.chosen_because.contains("set_current_task"),
            "{}",
            from_pin.chosen_because
        );
        // Another task is another answer.
        let other = current_task(&kit, &pinned, &query(Some("T3")), &Tools).unwrap();
        assert_eq!(other.task.summary.id, "T3");
        assert_ne!(criteria(&other), criteria(&named));
    }
}
