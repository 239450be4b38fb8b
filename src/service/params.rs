//! Tool parameters. Their doc comments become the input schema descriptions
//! an agent reads, so they say what to pass and what happens when omitted.

use schemars::JsonSchema;
use serde::Deserialize;

/// Which feature and task a call is about.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Target {
    /// Feature id: the feature's folder name (see `list_tasks` or an error
    /// message for the valid ids). Omit to use the current feature.
    pub feature: Option<String>,
    /// Task id such as `T2`. Omit to use the current task (the one pinned
    /// with `set_current_task`, else the first in progress, else the first
    /// open task whose dependencies are done).
    pub task: Option<String>,
}

/// Which task to describe, and how much to say.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct CurrentTaskQuery {
    /// Feature id: the feature's folder name (see `list_tasks` or an error
    /// message for the valid ids). Omit to use the current feature.
    pub feature: Option<String>,
    /// Task id such as `T2`. Omit to use the current task (the one pinned
    /// with `set_current_task`, else the first in progress, else the first
    /// open task whose dependencies are done).
    pub task: Option<String>,
    /// `true` for everything that binds the task: every constraint that
    /// fits, the project-wide exclusions, the surface area and the
    /// Definition of Done. Omit for the short answer (about 4 KB: the
    /// task, its criteria and test plan, the constraints closest to it and
    /// the feature's exclusions), whose notes say what it left out and
    /// where to get it.
    pub full: Option<bool>,
}

impl CurrentTaskQuery {
    pub fn target(&self) -> Target {
        Target {
            feature: self.feature.clone(),
            task: self.task.clone(),
        }
    }
}

/// Which feature's tasks to list, and from where.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct ListTasks {
    /// Feature id: the feature's folder name. Omit to use the current
    /// feature.
    pub feature: Option<String>,
    /// Task id such as `T2` to mark as current instead of the one the
    /// server would choose.
    pub task: Option<String>,
    /// Where to go on from: the `next_cursor` of the previous answer, when
    /// the feature has more tasks than one answer lists. Omit to start at
    /// the first task.
    pub cursor: Option<String>,
}

/// Which constraints to return.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct ConstraintsQuery {
    /// Feature id (folder name). Omit to use the current feature.
    pub feature: Option<String>,
    /// Task id such as `T2`: when the constraints are too many for one
    /// answer, the ones closest to this task are returned. Omit to use the
    /// current task.
    pub task: Option<String>,
    /// Only the constraints under headings containing this text (any case),
    /// e.g. `Data model` or a section an earlier answer listed as left out.
    pub section: Option<String>,
}

/// Which questions to list.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuestionStatus {
    /// Open and answered questions.
    #[default]
    All,
    /// Only questions not answered yet.
    Open,
    /// Only answered questions.
    Answered,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct ListQuestions {
    /// Feature id (folder name). Omit to use the current feature.
    pub feature: Option<String>,
    /// Only questions recorded for this task id. Omit for every question of
    /// the feature.
    pub task: Option<String>,
    /// `open`, `answered` or `all` (the default).
    pub status: Option<QuestionStatus>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SetCurrentTask {
    /// Feature id (folder name). Omit to use the current feature.
    pub feature: Option<String>,
    /// The task id to make current for the rest of this session, e.g. `T3`.
    pub task: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct AskQuestion {
    /// The question, as one self-contained sentence a person can answer
    /// without the chat (e.g. "Should HEIC uploads be converted to JPEG on
    /// the server?"). Plain text; markdown is escaped. Longer text than
    /// the server's limit (2,000 characters unless set otherwise) is cut.
    pub question: String,
    /// Why it matters or what you found (optional), recorded under the
    /// question.
    pub context: Option<String>,
    /// Feature id (folder name). Omit to use the current feature.
    pub feature: Option<String>,
    /// The task the question blocks, e.g. `T3`. Omit to use the current
    /// task, if one can be resolved.
    pub task: Option<String>,
}

/// A question to answer.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct AnswerQuestion {
    /// The question's id, e.g. `Q-3`.
    pub id: String,
    /// The answer, as plain text on one line; markdown is escaped.
    pub answer: String,
    /// Feature id (folder name). Omit to use the current feature.
    pub feature: Option<String>,
}

/// A task status to set.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SetTaskStatus {
    /// The task id, e.g. `T3`.
    pub task: String,
    /// `todo`, `in progress`, `done` or `blocked` (or another word the
    /// reader takes for one of them, such as `wip` or `complete`).
    pub status: String,
    /// Feature id (folder name). Omit to use the current feature.
    pub feature: Option<String>,
}

/// Which part of the kit to check.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct CheckSpec {
    /// Feature id (folder name) to check alone. Omit to check every
    /// feature of the kit and its project-wide files.
    pub feature: Option<String>,
}
