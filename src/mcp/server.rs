//! The MCP handler: one value per client session, sharing one [`Kit`].
//! Knows no transport; `transport` hands it a connection.

use std::sync::{Arc, Mutex, PoisonError};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::schema_for_output;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use serde::Serialize;

use crate::edit::{self, EditError, NewQuestion, Writer};
use crate::mcp::answer::{
    self, AcceptanceCriteria, Asked, Constraint, Constraints, CriteriaShown, CurrentTask,
    DefinitionOfDone, FeatureRef, OutOfScope, Pinned, QuestionInfo, Questions, ScopeItem, TaskInfo,
    TaskRow, Tasks,
};
use crate::mcp::params::{
    AskQuestion, ConstraintsQuery, ListQuestions, ListTasks, QuestionStatus, SetCurrentTask, Target,
};
use crate::mcp::{render, select};
use crate::model::{Feature, Task};
use crate::query::{self, Choice, QueryError, QuestionFilter, Reason};
use crate::workspace::{Workspace, WorkspaceError, check_id};

/// How many tasks one `list_tasks` answer lists: about 30 KB of rows,
/// well within what a client takes from one call.
const TASK_PAGE: usize = 100;

/// What every session shares: the kit on disk, the one writer, and the
/// defaults from the command line.
#[derive(Debug)]
pub struct Kit {
    pub workspace: Workspace,
    pub writer: Writer,
    pub defaults: Defaults,
}

/// `--feature` / `--task` (or their environment variables), and spec-kit's
/// environment variables naming the feature being worked on.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub feature: Option<String>,
    pub task: Option<String>,
    /// `SPECIFY_FEATURE_DIRECTORY`: the feature folder, absolute or
    /// relative to the root.
    pub specify_feature_directory: Option<std::path::PathBuf>,
    /// `SPECIFY_FEATURE`: the feature folder's name (or a branch named
    /// after it).
    pub specify_feature: Option<String>,
}

/// The task a session pinned with `set_current_task`.
#[derive(Debug, Clone)]
struct Pin {
    feature: String,
    task: String,
}

/// A tool that ran and could not do what was asked; the agent sees the
/// message.
#[derive(Debug, thiserror::Error)]
enum ToolError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error("no constraint heading contains `{section}`; the headings are: {}", known.join(", "))]
    NoSection { section: String, known: Vec<String> },
    #[error(
        "cursor `{cursor}` is not one list_tasks gave: the feature has {total} tasks; omit `cursor` to start at the first"
    )]
    BadCursor { cursor: String, total: usize },
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Edit(#[from] EditError),
}

/// One client session.
#[derive(Debug, Clone)]
pub struct SpecServer {
    kit: Arc<Kit>,
    pin: Arc<Mutex<Option<Pin>>>,
    tool_router: ToolRouter<SpecServer>,
}

/// Turns an answer into a tool result: markdown text for people and models,
/// structured content for programs; a failure into an `isError` result.
fn reply<T: Serialize>(
    outcome: Result<T, ToolError>,
    render: fn(&T) -> String,
) -> Result<CallToolResult, ErrorData> {
    match outcome {
        Ok(answer) => {
            let value = serde_json::to_value(&answer)
                .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
            let mut result = CallToolResult::structured(value);
            result.content = vec![ContentBlock::text(render(&answer))];
            Ok(result)
        }
        Err(error) => {
            tracing::info!(%error, "tool call refused");
            Ok(CallToolResult::error(vec![ContentBlock::text(
                error.to_string(),
            )]))
        }
    }
}

#[tool_router]
impl SpecServer {
    pub fn new(kit: Arc<Kit>) -> SpecServer {
        SpecServer {
            kit,
            pin: Arc::default(),
            tool_router: Self::tool_router(),
        }
    }

    /// The task to work on now, with everything that binds it: acceptance
    /// criteria, test plan, dependencies, architecture constraints, what is
    /// out of scope, the surface area that exists and the Definition of
    /// Done, each with its `path:line`. Call this before writing code.
    #[tool(
        title = "Get current task",
        output_schema = schema_for_output::<CurrentTask>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn get_current_task(
        &self,
        Parameters(target): Parameters<Target>,
    ) -> Result<CallToolResult, ErrorData> {
        reply(self.current_task(&target), render::current_task)
    }

    /// Acceptance criteria and test plan of a task, plus the feature-level
    /// acceptance criteria from the PRD.
    #[tool(
        title = "Get acceptance criteria",
        output_schema = schema_for_output::<AcceptanceCriteria>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn get_acceptance_criteria(
        &self,
        Parameters(target): Parameters<Target>,
    ) -> Result<CallToolResult, ErrorData> {
        reply(
            self.acceptance_criteria(&target),
            render::acceptance_criteria,
        )
    }

    /// Architecture constraints of a feature: every rule of its technical
    /// spec (architecture, data ownership, auth, endpoints, jobs, errors,
    /// logging, deployment) and the project-wide constraints.
    #[tool(
        title = "Get architecture constraints",
        output_schema = schema_for_output::<Constraints>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn get_architecture_constraints(
        &self,
        Parameters(params): Parameters<ConstraintsQuery>,
    ) -> Result<CallToolResult, ErrorData> {
        reply(self.constraints(&params), render::constraints)
    }

    /// What must not be built: the feature's out-of-scope list, its PRD's
    /// non-goals, and the project-wide exclusions.
    #[tool(
        title = "Get out of scope",
        output_schema = schema_for_output::<OutOfScope>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn get_out_of_scope(
        &self,
        Parameters(target): Parameters<Target>,
    ) -> Result<CallToolResult, ErrorData> {
        let outcome = self.feature_with_task(&target).map(|feature| {
            let project = self.kit.workspace.project(feature.layout);
            OutOfScope {
                feature: FeatureRef::from(&*feature),
                items: scope_items(&project, &feature),
            }
        });
        reply(outcome, render::out_of_scope)
    }

    /// The Definition of Done every task must meet before it counts as done.
    #[tool(
        title = "Get Definition of Done",
        output_schema = schema_for_output::<DefinitionOfDone>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn get_definition_of_done(
        &self,
        Parameters(target): Parameters<Target>,
    ) -> Result<CallToolResult, ErrorData> {
        let outcome = self.feature_with_task(&target).map(|feature| {
            let project = self.kit.workspace.project(feature.layout);
            DefinitionOfDone {
                feature: FeatureRef::from(&*feature),
                items: answer::items(query::definition_of_done(&project, &feature)),
            }
        });
        reply(outcome, render::definition_of_done)
    }

    /// Questions recorded in the feature's spec, open and answered, with the
    /// answers people wrote. Check here before asking again.
    #[tool(
        title = "List questions",
        output_schema = schema_for_output::<Questions>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn list_questions(
        &self,
        Parameters(params): Parameters<ListQuestions>,
    ) -> Result<CallToolResult, ErrorData> {
        reply(self.questions(&params), render::questions)
    }

    /// The feature's tasks with status, dependencies and which one is
    /// current: every task, in pages of 100 with a `next_cursor` when there
    /// are more.
    #[tool(
        title = "List tasks",
        output_schema = schema_for_output::<Tasks>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn list_tasks(
        &self,
        Parameters(params): Parameters<ListTasks>,
    ) -> Result<CallToolResult, ErrorData> {
        reply(self.tasks(&params), render::tasks)
    }

    /// Make a task the current one for the rest of this session (other
    /// sessions are not affected). Later calls that omit `task` use it.
    #[tool(
        title = "Set current task",
        output_schema = schema_for_output::<Pinned>(),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    fn set_current_task(
        &self,
        Parameters(params): Parameters<SetCurrentTask>,
    ) -> Result<CallToolResult, ErrorData> {
        reply(self.pin_task(&params), render::pinned)
    }

    /// Record a question you cannot answer from the spec, instead of
    /// guessing. It is appended to the feature's Open questions with the next
    /// id (`Q-<n>`), today's date, the task and your client's name; a person
    /// answers it in the spec. Asking the same open question again returns
    /// its existing id.
    #[tool(
        title = "Ask a question",
        output_schema = schema_for_output::<Asked>(),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn ask_question(
        &self,
        Parameters(params): Parameters<AskQuestion>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let asked_by = context
            .client_info()
            .map_or_else(String::new, |client| client.name.clone());
        let this = self.clone();
        let outcome = tokio::task::spawn_blocking(move || this.ask(&params, &asked_by))
            .await
            .map_err(|error| {
                ErrorData::internal_error(format!("the write task failed: {error}"), None)
            })?;
        reply(outcome, render::asked)
    }
}

impl SpecServer {
    fn pinned(&self) -> Option<Pin> {
        self.pin
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn feature(&self, requested: Option<&str>) -> Result<Arc<Feature>, ToolError> {
        self.chosen_feature(requested).map(|(feature, _)| feature)
    }

    /// The current feature and why it is the current one.
    fn chosen_feature(&self, requested: Option<&str>) -> Result<(Arc<Feature>, Reason), ToolError> {
        if let Some(id) = requested {
            check_id("feature", id)?;
        }
        let pin = self.pinned();
        let choice = Choice {
            requested,
            pinned: pin.as_ref().map(|pin| pin.feature.as_str()),
            configured: self.kit.defaults.feature.as_deref(),
        };
        let (id, reason) = match choice.first() {
            Some((id, reason)) => (id.to_string(), reason),
            None => {
                if let Some(hinted) = self.hinted_feature() {
                    hinted
                } else {
                    let catalogue = self.kit.workspace.catalogue();
                    query::current_feature(&catalogue.ids, &catalogue.work)?
                }
            }
        };
        Ok((self.kit.workspace.feature(&id)?, reason))
    }

    /// For an OpenSpec change: where the current requirements of the
    /// capabilities it changes are, since its deltas only say what changes.
    fn current_truth_note(&self, feature: &Feature) -> Option<String> {
        let capabilities = self.kit.workspace.changed_capabilities(feature);
        (!capabilities.is_empty()).then(|| {
            format!(
                "this change modifies capabilities whose current requirements are served as features of their own: {}; call get_acceptance_criteria with one of them as `feature`",
                capabilities.join(", ")
            )
        })
    }

    /// The feature the project says is being worked on, in spec-kit's
    /// order (`SPECIFY_FEATURE_DIRECTORY`, `.specify/feature.json`,
    /// `SPECIFY_FEATURE`), then the one named like the git branch. A hint
    /// naming no feature is passed over.
    fn hinted_feature(&self) -> Option<(String, Reason)> {
        let workspace = &self.kit.workspace;
        let defaults = &self.kit.defaults;
        defaults
            .specify_feature_directory
            .as_deref()
            .and_then(|dir| workspace.feature_at(dir))
            .map(|id| (id, Reason::SpecifyFeatureDirectory))
            .or_else(|| {
                workspace
                    .feature_json()
                    .and_then(|dir| workspace.feature_at(&dir))
                    .map(|id| (id, Reason::FeatureJson))
            })
            .or_else(|| {
                let name = defaults.specify_feature.as_deref()?;
                workspace
                    .feature_named_by_branch(name)
                    .map(|id| (id, Reason::SpecifyFeature))
            })
            .or_else(|| {
                let branch = crate::git::current_branch(workspace.root())?;
                workspace
                    .feature_named_by_branch(&branch)
                    .map(|id| (id, Reason::GitBranch))
            })
    }

    fn task<'f>(
        &self,
        feature: &'f Feature,
        requested: Option<&str>,
    ) -> Result<(&'f Task, Reason), ToolError> {
        if let Some(id) = requested {
            check_id("task", id)?;
        }
        let pin = self.pinned().filter(|pin| pin.feature == feature.id);
        let defaults = &self.kit.defaults;
        // `--task` belongs to `--feature`, however that was spelled
        // (`auth` or `auth@kiro`).
        let configured = defaults.task.as_deref().filter(|_| {
            defaults.feature.as_ref().is_none_or(|id| {
                *id == feature.id
                    || self
                        .kit
                        .workspace
                        .locate(id)
                        .is_ok_and(|located| located.id == feature.id)
            })
        });
        let choice = Choice {
            requested,
            pinned: pin.as_ref().map(|pin| pin.task.as_str()),
            configured,
        };
        Ok(query::current_task(feature, choice)?)
    }

    /// The feature, after checking a task named in the call exists in it.
    fn feature_with_task(&self, target: &Target) -> Result<Arc<Feature>, ToolError> {
        let feature = self.feature(target.feature.as_deref())?;
        if let Some(id) = target.task.as_deref() {
            check_id("task", id)?;
            query::task(&feature, id)?;
        }
        Ok(feature)
    }

    fn current_task(&self, target: &Target) -> Result<CurrentTask, ToolError> {
        let (feature, feature_reason) = self.chosen_feature(target.feature.as_deref())?;
        let (task, reason) = self.task(&feature, target.task.as_deref())?;
        let project = self.kit.workspace.project(feature.layout);
        let all_constraints = query::constraints(&project, &feature);
        let (constraints, omitted) = select::for_task(&all_constraints, task);
        let mut notes = Vec::new();
        let linked = query::linked_criteria(&feature, task);
        notes.extend(link_notes(&feature, task, Shown::Linked));
        notes.extend(self.current_truth_note(&feature));
        if omitted > 0 {
            notes.push(format!(
                "{omitted} more architecture constraints and principles are not shown here; get_architecture_constraints lists them (its `section` parameter fetches one section whole)"
            ));
        }
        let open_questions: Vec<QuestionInfo> =
            query::questions(&feature, QuestionFilter::Open, Some(&task.id))
                .into_iter()
                .map(QuestionInfo::from)
                .collect();
        Ok(CurrentTask {
            feature: FeatureRef::from(&*feature),
            task: TaskInfo::new(&feature, task),
            chosen_because: reason.describe().to_string(),
            feature_chosen_because: feature_reason.describe().to_string(),
            acceptance_criteria: task_criteria(&task.acceptance_criteria, &linked),
            test_plan: answer::items(&task.test_plan),
            constraints,
            out_of_scope: scope_items(&project, &feature),
            surface_area: answer::items(query::surface_area(&feature)),
            definition_of_done: answer::items(query::definition_of_done(&project, &feature)),
            open_questions,
            notes,
        })
    }

    fn acceptance_criteria(&self, target: &Target) -> Result<AcceptanceCriteria, ToolError> {
        let feature = self.feature(target.feature.as_deref())?;
        let mut notes = Vec::new();
        let task = match self.task(&feature, target.task.as_deref()) {
            Ok((task, _)) => Some(task),
            Err(ToolError::Query(
                error @ (QueryError::NoTasks { .. }
                | QueryError::AllDone { .. }
                | QueryError::NothingReady { .. }),
            )) => {
                notes.push(format!(
                    "no current task ({error}); showing the feature's criteria only"
                ));
                None
            }
            Err(error) => return Err(error),
        };
        // A task that links to stories or requirements gets exactly those,
        // beside the criteria that bind every task; one that links to
        // nothing gets every criterion of the feature.
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
        notes.extend(self.current_truth_note(&feature));
        Ok(AcceptanceCriteria {
            feature: FeatureRef::from(&*feature),
            task: task.map(|task| TaskInfo::new(&feature, task)),
            task_criteria,
            test_plan: task
                .map(|task| answer::items(&task.test_plan))
                .unwrap_or_default(),
            feature_criteria: answer::criteria(feature_criteria),
            feature_criteria_shown: shown,
            notes,
        })
    }

    /// Every constraint when they fit one answer; otherwise the native
    /// project-wide ones and those closest to the task, with the sections
    /// left out named so they can be asked for.
    fn constraints(&self, params: &ConstraintsQuery) -> Result<Constraints, ToolError> {
        let target = Target {
            feature: params.feature.clone(),
            task: params.task.clone(),
        };
        let feature = self.feature_with_task(&target)?;
        let project = self.kit.workspace.project(feature.layout);
        let mut all = query::constraints(&project, &feature);
        if let Some(wanted) = params.section.as_deref() {
            let wanted = wanted.trim().to_lowercase();
            let sections: Vec<String> = select::unique_labels(&all);
            all.retain(|labelled| labelled.label.to_lowercase().contains(&wanted));
            if all.is_empty() {
                return Err(ToolError::NoSection {
                    section: crate::workspace::printable(
                        params.section.as_deref().unwrap_or_default(),
                    ),
                    known: sections,
                });
            }
        }
        let task = self.task(&feature, target.task.as_deref()).ok();
        let fit = select::to_fit(&all, task.map(|(task, _)| task));
        let mut notes = Vec::new();
        if fit.cut {
            notes.push(match task {
                Some((task, _)) => format!(
                    "the constraints do not fit one answer; these are the ones closest to task {}",
                    task.id
                ),
                None => "the constraints do not fit one answer; these are the first of each kind"
                    .to_string(),
            });
        }
        let omitted = select::omitted(&all, &fit.kept);
        let kept = fit.kept;
        Ok(Constraints {
            feature: FeatureRef::from(&*feature),
            constraints: kept
                .iter()
                .map(|&index| Constraint::from(&all[index]))
                .collect(),
            omitted,
            notes,
        })
    }

    fn questions(&self, params: &ListQuestions) -> Result<Questions, ToolError> {
        let feature = self.feature(params.feature.as_deref())?;
        if let Some(id) = params.task.as_deref() {
            check_id("task", id)?;
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

    fn tasks(&self, params: &ListTasks) -> Result<Tasks, ToolError> {
        let target = Target {
            feature: params.feature.clone(),
            task: params.task.clone(),
        };
        let feature = self.feature_with_task(&target)?;
        let current = self
            .task(&feature, target.task.as_deref())
            .ok()
            .map(|(task, _)| task.id.clone());
        let total = feature.tasks().count();
        let start = match params.cursor.as_deref() {
            None => 0,
            Some(cursor) => match cursor.parse::<usize>() {
                Ok(start) if start < total && start % TASK_PAGE == 0 => start,
                _ => {
                    return Err(ToolError::BadCursor {
                        cursor: crate::workspace::printable(cursor),
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
            .map(|task| TaskRow {
                id: task.id.clone(),
                title: task.title.clone(),
                status: task.status.as_str().to_string(),
                depends_on: task.depends_on.clone(),
                waiting_on: query::blocked_by(&feature, task),
                acceptance_criteria: task.acceptance_criteria.len()
                    + query::linked_criteria(&feature, task).len(),
                optional: task.optional,
                phase: task.phase.clone(),
                story: task.story.clone(),
                parent: task.parent.clone(),
                source: task.source.to_string(),
            })
            .collect();
        let project = self.kit.workspace.project(feature.layout);
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

    fn pin_task(&self, params: &SetCurrentTask) -> Result<Pinned, ToolError> {
        let feature = self.feature(params.feature.as_deref())?;
        check_id("task", &params.task)?;
        let task = query::task(&feature, &params.task)?;
        *self.pin.lock().unwrap_or_else(PoisonError::into_inner) = Some(Pin {
            feature: feature.id.clone(),
            task: task.id.clone(),
        });
        Ok(Pinned {
            feature: FeatureRef::from(&*feature),
            task: TaskInfo::new(&feature, task),
        })
    }

    fn ask(&self, params: &AskQuestion, asked_by: &str) -> Result<Asked, ToolError> {
        if self.kit.writer.read_only() {
            return Err(EditError::ReadOnly.into());
        }
        let feature = self.feature(params.feature.as_deref())?;
        let task = match params.task.as_deref() {
            Some(id) => {
                check_id("task", id)?;
                Some(query::task(&feature, id)?.id.clone())
            }
            None => self
                .task(&feature, None)
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
        let appended =
            self.kit
                .writer
                .append_question(&self.kit.workspace, &feature.id, &question)?;
        tracing::info!(feature = %feature.id, id = %appended.id, created = !appended.existing, "question recorded");
        Ok(Asked {
            id: appended.id,
            created: !appended.existing,
            feature: feature.id.clone(),
            source: appended.source,
        })
    }
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
fn link_notes(feature: &Feature, task: &Task, shown: Shown) -> Vec<String> {
    let mut notes = Vec::new();
    let links = query::task_links(feature, task);
    let all = query::feature_criteria(feature).len();
    if links.is_empty() && !query::tasks_link(feature) {
        // No task of the feature links: every criterion applies to each.
        if all > 0 {
            notes.push(match shown {
                Shown::All => format!(
                    "task {} links to no user story or requirement, so every criterion of the feature is listed",
                    task.id
                ),
                Shown::Linked | Shown::LinkedAndCommon => format!(
                    "task {} links to no user story or requirement; the feature states {all} acceptance criteria, which get_acceptance_criteria lists",
                    task.id
                ),
            });
        }
        return notes;
    }
    let dangling = query::dangling_links(feature, task);
    if links.is_empty() {
        notes.push(format!(
            "task {} links to no user story or requirement",
            task.id
        ));
    } else if !dangling.is_empty() {
        notes.push(format!(
            "task {} links to {}, which no criterion of the spec carries",
            task.id,
            dangling.join(", ")
        ));
    }
    let linked = query::linked_criteria(feature, task).len();
    let common = query::criteria_for_every_task(feature);
    if shown == Shown::Linked && !common.is_empty() {
        notes.push(format!(
            "the feature also states {} acceptance criteria that bind every task{}; get_acceptance_criteria lists them",
            common.len(),
            groups(&common)
        ));
    }
    let others = all - linked - common.len();
    if others > 0 {
        notes.push(if links.is_empty() {
            format!(
                "the {others} criteria of stories and requirements belong to the tasks that link them and are left out"
            )
        } else {
            format!(
                "task {} links to {}; the {others} criteria of other stories and requirements belong to other tasks and are left out",
                task.id,
                links.join(", ")
            )
        });
    }
    notes
}

/// ` (Success criteria, Edge cases)`: the groups criteria are listed under.
fn groups(criteria: &[&crate::model::Criterion]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for name in criteria
        .iter()
        .filter_map(|criterion| criterion.group.as_deref())
    {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        String::new()
    } else {
        format!(" ({})", names.join(", "))
    }
}

/// A task's own criteria, then the feature criteria it links to.
fn task_criteria(
    own: &[crate::model::Item],
    linked: &[&crate::model::Criterion],
) -> Vec<answer::SourcedItem> {
    let mut result = answer::items(own);
    result.extend(answer::criteria(linked.iter().copied()));
    result
}

fn scope_items(project: &crate::model::Project, feature: &Feature) -> Vec<ScopeItem> {
    query::out_of_scope(project, feature)
        .into_iter()
        .map(|(kind, item)| ScopeItem::new(kind, item))
        .collect()
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for SpecServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("spec-mcp", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "This server serves the project's spec kit. Before coding, call get_current_task: \
                 implement only what its acceptance criteria state, respect its constraints, \
                 build nothing out of scope, and meet the Definition of Done. When the spec does \
                 not answer something, call ask_question instead of guessing, then check \
                 list_questions for answers. Every item carries its source as path:line.",
            )
    }
}
