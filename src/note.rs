//! What an answer tells the reader beyond the items: what was left out and
//! how to get it, why a task was chosen, what to pass next. Said as data;
//! each front end words the steps its own way (a tool name over MCP, a
//! command on the command line), so nothing below the front ends names one.

/// Something the reader can do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// List a task's and a feature's acceptance criteria.
    Criteria,
    /// List a feature's architecture constraints.
    Constraints,
    /// List a feature's tasks.
    ListTasks,
    /// Make a task the current one.
    PinTask,
    /// List what is out of scope.
    OutOfScope,
    /// List the Definition of Done.
    DefinitionOfDone,
    /// Describe the current task with what binds it.
    CurrentTask,
    /// List the questions recorded in the spec.
    ListQuestions,
    /// Record a question in the spec.
    AskQuestion,
    /// Check the spec for what it still lacks.
    Check,
}

/// A parameter the reader can pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Feature,
    Task,
    Section,
    Cursor,
    /// Asks a task answer for everything.
    Full,
}

/// How one front end names steps and parameters.
pub trait Wording: Sync {
    fn step(&self, step: Step) -> &'static str;
    fn param(&self, param: Param) -> &'static str;
}

/// A remark attached to an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// No task could be chosen (the reason, already worded); the feature's
    /// criteria are shown alone.
    NoCurrentTask { reason: String },
    /// No task of the feature links to a story or requirement, so all of
    /// the feature's criteria are listed with this one.
    EveryCriterionListed { task: String },
    /// As above, but this answer does not list them.
    UnlinkedCriteriaElsewhere { task: String, count: usize },
    /// The task links to nothing though other tasks do.
    NoLink { task: String },
    /// Links the task names that no criterion carries.
    DanglingLinks { task: String, links: Vec<String> },
    /// Criteria binding every task, listed by another step.
    CommonCriteriaElsewhere { count: usize, groups: Vec<String> },
    /// Criteria of stories and requirements left out for an unlinked task.
    OthersLeftOut { count: usize },
    /// Criteria of other stories and requirements left out.
    OthersOfLinksLeftOut {
        task: String,
        links: Vec<String>,
        count: usize,
    },
    /// An OpenSpec change: the capabilities it changes hold the current
    /// requirements.
    CurrentTruth { capabilities: Vec<String> },
    /// Constraints not shown in a task answer.
    ConstraintsNotShown { count: usize },
    /// Constraints cut to fit, keeping those closest to a task or the
    /// first of each kind.
    ConstraintsCut { task: Option<String> },
    /// What a short task answer left out, by count.
    LeftOutOfBrief {
        /// The project's exclusions and those of the feature's that did
        /// not fit.
        exclusions: usize,
        surface_area: usize,
        definition_of_done: usize,
    },
}

impl Note {
    pub fn words(&self, wording: &dyn Wording) -> String {
        let criteria = wording.step(Step::Criteria);
        match self {
            Note::NoCurrentTask { reason } => {
                format!("no current task ({reason}); showing the feature's criteria only")
            }
            Note::EveryCriterionListed { task } => format!(
                "task {task} links to no user story or requirement, so every criterion of the feature is listed"
            ),
            Note::UnlinkedCriteriaElsewhere { task, count } => format!(
                "task {task} links to no user story or requirement; the feature states {count} acceptance criteria, which {criteria} lists"
            ),
            Note::NoLink { task } => {
                format!("task {task} links to no user story or requirement")
            }
            Note::DanglingLinks { task, links } => format!(
                "task {task} links to {}, which no criterion of the spec carries",
                links.join(", ")
            ),
            Note::CommonCriteriaElsewhere { count, groups } => {
                let groups = if groups.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", groups.join(", "))
                };
                format!(
                    "the feature also states {count} acceptance criteria that bind every task{groups}; {criteria} lists them"
                )
            }
            Note::OthersLeftOut { count } => format!(
                "the {count} criteria of stories and requirements belong to the tasks that link them and are left out"
            ),
            Note::OthersOfLinksLeftOut { task, links, count } => format!(
                "task {task} links to {}; the {count} criteria of other stories and requirements belong to other tasks and are left out",
                links.join(", ")
            ),
            Note::CurrentTruth { capabilities } => format!(
                "this change modifies capabilities whose current requirements are served as features of their own: {}; call {criteria} with one of them as {}",
                capabilities.join(", "),
                wording.param(Param::Feature)
            ),
            Note::ConstraintsNotShown { count } => format!(
                "{count} more architecture constraints and principles are not shown here; {} lists them (its {} parameter fetches one section whole)",
                wording.step(Step::Constraints),
                wording.param(Param::Section)
            ),
            Note::ConstraintsCut { task: Some(task) } => format!(
                "the constraints do not fit one answer; these are the ones closest to task {task}"
            ),
            Note::LeftOutOfBrief {
                exclusions,
                surface_area,
                definition_of_done,
            } => {
                let mut parts = Vec::new();
                if *exclusions > 0 {
                    parts.push(format!(
                        "{exclusions} more exclusions ({} lists every one)",
                        wording.step(Step::OutOfScope)
                    ));
                }
                if *surface_area > 0 {
                    parts.push(format!("the surface area ({surface_area} items)"));
                }
                if *definition_of_done > 0 {
                    parts.push(format!(
                        "the Definition of Done ({definition_of_done} items; {} lists them)",
                        wording.step(Step::DefinitionOfDone)
                    ));
                }
                format!(
                    "left out to keep this short: {}; set {} to true for all of it",
                    parts.join(", "),
                    wording.param(Param::Full)
                )
            }
            Note::ConstraintsCut { task: None } => {
                "the constraints do not fit one answer; these are the first of each kind"
                    .to_string()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;

    impl Wording for Plain {
        fn step(&self, step: Step) -> &'static str {
            match step {
                Step::Criteria => "CRITERIA",
                Step::Constraints => "CONSTRAINTS",
                Step::ListTasks => "TASKS",
                Step::PinTask => "PIN",
                Step::OutOfScope => "SCOPE",
                Step::DefinitionOfDone => "DONE",
                Step::CurrentTask => "TASK",
                Step::ListQuestions => "QUESTIONS",
                Step::AskQuestion => "ASK",
                Step::Check => "CHECK",
            }
        }
        fn param(&self, param: Param) -> &'static str {
            match param {
                Param::Feature => "FEATURE",
                Param::Task => "TASK",
                Param::Section => "SECTION",
                Param::Full => "FULL",
                Param::Cursor => "CURSOR",
            }
        }
    }

    #[test]
    fn steps_and_parameters_come_from_the_wording() {
        let worded = Note::CurrentTruth {
            capabilities: vec!["auth".into(), "orders".into()],
        }
        .words(&Plain);
        assert!(worded.ends_with("auth, orders; call CRITERIA with one of them as FEATURE"));
        let worded = Note::ConstraintsNotShown { count: 3 }.words(&Plain);
        assert!(worded.contains("CONSTRAINTS lists them (its SECTION parameter"));
    }

    #[test]
    fn groups_are_named_only_when_there_are_some() {
        let without = Note::CommonCriteriaElsewhere {
            count: 2,
            groups: Vec::new(),
        }
        .words(&Plain);
        assert!(without.contains("bind every task; CRITERIA"));
        let with = Note::CommonCriteriaElsewhere {
            count: 2,
            groups: vec!["Edge cases".into(), "Success criteria".into()],
        }
        .words(&Plain);
        assert!(with.contains("bind every task (Edge cases, Success criteria); CRITERIA"));
    }
}
