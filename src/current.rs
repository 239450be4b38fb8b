//! Which feature and which task are current: the one home of the order
//! `SPEC_FORMAT.md` gives (§7 for tasks, §13 for features). Pure: what the
//! disk says (spec-kit's hints, the git branch, the feature list) comes in
//! through [`Hints`].

use crate::model::{Feature, Task, TaskStatus};
use crate::note::{Step, Wording};
use crate::query::{QueryError, blocked_by, task};
use crate::workspace::Catalogue;

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
    OnlyUnfinished,
    SpecifyFeatureDirectory,
    FeatureJson,
    SpecifyFeature,
    GitBranch,
}

impl Reason {
    pub fn describe(self, wording: &dyn Wording) -> String {
        let text = match self {
            Reason::Requested => "named in the call",
            Reason::Pinned => {
                return format!(
                    "pinned for this session with {}",
                    wording.step(Step::PinTask)
                );
            }
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
            Reason::OnlyUnfinished => {
                "the only feature with work left (every task of the others is done)"
            }
            Reason::SpecifyFeatureDirectory => "named by SPECIFY_FEATURE_DIRECTORY",
            Reason::FeatureJson => "named by .specify/feature.json",
            Reason::SpecifyFeature => "named by SPECIFY_FEATURE",
            Reason::GitBranch => "its folder is named like the current git branch",
        };
        text.to_string()
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

/// What the kit on disk says about the current feature, asked only when
/// nothing earlier in the order named one.
pub trait Hints {
    /// The feature whose folder `SPECIFY_FEATURE_DIRECTORY` names.
    fn specify_feature_directory(&self) -> Option<String>;
    /// The feature whose folder `.specify/feature.json` names.
    fn feature_json(&self) -> Option<String>;
    /// The feature `SPECIFY_FEATURE` names (a folder or a branch name).
    fn specify_feature(&self) -> Option<String>;
    /// The feature named like the current git branch.
    fn git_branch(&self) -> Option<String>;
    /// Every feature, and those that are work rather than reference.
    fn catalogue(&self) -> Catalogue;
    /// Whether every task of the feature is done (it has some, all done).
    fn finished(&self, id: &str) -> bool;
}

/// The current feature: one named in the call, pinned for the session or
/// configured; else the one spec-kit's hints name (in spec-kit's order),
/// else the one named like the git branch; else the only work item (an
/// OpenSpec change, say, beside the capabilities it changes), else the
/// only feature, else the only work item with work left. A hint naming no
/// feature is passed over.
pub fn current_feature(
    choice: Choice<'_>,
    hints: &dyn Hints,
) -> Result<(String, Reason), QueryError> {
    if let Some((id, reason)) = choice.first() {
        return Ok((id.to_string(), reason));
    }
    let hinted = hints
        .specify_feature_directory()
        .map(|id| (id, Reason::SpecifyFeatureDirectory))
        .or_else(|| hints.feature_json().map(|id| (id, Reason::FeatureJson)))
        .or_else(|| {
            hints
                .specify_feature()
                .map(|id| (id, Reason::SpecifyFeature))
        })
        .or_else(|| hints.git_branch().map(|id| (id, Reason::GitBranch)));
    if let Some(hinted) = hinted {
        return Ok(hinted);
    }
    let catalogue = hints.catalogue();
    match (catalogue.work.as_slice(), catalogue.ids.as_slice()) {
        ([only], [_, _, ..]) => Ok((only.clone(), Reason::OnlyWork)),
        (_, [only]) => Ok((only.clone(), Reason::OnlyFeature)),
        (work, _) => {
            let mut unfinished = work.iter().filter(|id| !hints.finished(id));
            match (unfinished.next(), unfinished.next()) {
                (Some(only), None) if work.len() > 1 => Ok((only.clone(), Reason::OnlyUnfinished)),
                _ => Err(QueryError::NoCurrentFeature {
                    known: catalogue.ids.to_vec(),
                }),
            }
        }
    }
}

/// The candidates for a feature's current task: one named in the call, the
/// session's pin when it is in this feature, and `--task` when it belongs
/// to this feature (`--feature` unset, or naming this feature however it
/// is spelled, which `is_this_feature` tells).
pub fn task_choice<'a>(
    feature: &Feature,
    requested: Option<&'a str>,
    pinned: Option<(&str, &'a str)>,
    configured: (Option<&str>, Option<&'a str>),
    is_this_feature: impl Fn(&str) -> bool,
) -> Choice<'a> {
    let (configured_feature, configured_task) = configured;
    Choice {
        requested,
        pinned: pinned
            .filter(|(pinned_feature, _)| *pinned_feature == feature.id)
            .map(|(_, task)| task),
        configured: configured_task.filter(|_| {
            configured_feature.is_none_or(|id| id == feature.id || is_this_feature(id))
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
    let mut seen = vec![task];
    let mut chosen = None;
    let mut at = task;
    // A step is also a task; a step's steps come before the step itself.
    // Steps that lead back to a task already passed (ids written twice)
    // end the descent.
    while let Some(step) = next_step(feature, at, &seen) {
        seen.push(step);
        chosen = Some(step);
        at = step;
    }
    chosen
}

fn next_step<'f>(feature: &'f Feature, task: &'f Task, seen: &[&Task]) -> Option<&'f Task> {
    let steps: Vec<&Task> = feature
        .steps(task)
        .filter(|step| !seen.iter().any(|passed| std::ptr::eq(*passed, *step)))
        .collect();
    steps
        .iter()
        .find(|step| step.status == TaskStatus::InProgress)
        .or_else(|| {
            steps
                .iter()
                .filter(|step| !step.optional)
                .find(|step| ready(feature, step) || has_open_steps(feature, step))
        })
        .or_else(|| steps.iter().find(|step| ready(feature, step)))
        .copied()
}

/// Whether some required step of `task` (a task naming it as parent) is
/// not done; optional steps do not hold their parent back.
fn has_open_steps(feature: &Feature, task: &Task) -> bool {
    feature
        .steps(task)
        .any(|step| step.status != TaskStatus::Done && !step.optional)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{DocumentRole, Layout};
    use crate::parse;

    fn kiro(tasks: &str) -> Feature {
        let document = parse::document_in(
            Layout::Kiro,
            Arc::from(".kiro/specs/k/tasks.md"),
            DocumentRole::Tasks,
            tasks,
        );
        parse::feature(
            "k",
            Layout::Kiro,
            Arc::from(".kiro/specs/k"),
            vec![document],
        )
    }

    fn current(feature: &Feature) -> Result<(&str, Reason), QueryError> {
        current_task(feature, Choice::default()).map(|(task, reason)| (task.id.as_str(), reason))
    }

    #[derive(Default)]
    struct Fake {
        directory: Option<&'static str>,
        json: Option<&'static str>,
        specify: Option<&'static str>,
        branch: Option<&'static str>,
        ids: Vec<&'static str>,
        work: Vec<&'static str>,
        finished: Vec<&'static str>,
    }

    impl Hints for Fake {
        fn specify_feature_directory(&self) -> Option<String> {
            self.directory.map(str::to_string)
        }
        fn feature_json(&self) -> Option<String> {
            self.json.map(str::to_string)
        }
        fn specify_feature(&self) -> Option<String> {
            self.specify.map(str::to_string)
        }
        fn git_branch(&self) -> Option<String> {
            self.branch.map(str::to_string)
        }
        fn catalogue(&self) -> Catalogue {
            let owned = |ids: &[&str]| Arc::new(ids.iter().map(ToString::to_string).collect());
            Catalogue {
                ids: owned(&self.ids),
                work: owned(&self.work),
            }
        }
        fn finished(&self, id: &str) -> bool {
            self.finished.contains(&id)
        }
    }

    fn feature_of(choice: Choice<'_>, hints: &Fake) -> Result<(String, Reason), QueryError> {
        current_feature(choice, hints)
    }

    #[test]
    fn a_named_pinned_or_configured_feature_comes_before_any_hint() {
        let hints = Fake {
            directory: Some("hinted"),
            ids: vec!["a", "b"],
            ..Fake::default()
        };
        let all = Choice {
            requested: Some("asked"),
            pinned: Some("pinned"),
            configured: Some("configured"),
        };
        assert_eq!(
            feature_of(all, &hints),
            Ok(("asked".into(), Reason::Requested))
        );
        let pinned = Choice {
            requested: None,
            ..all
        };
        assert_eq!(
            feature_of(pinned, &hints),
            Ok(("pinned".into(), Reason::Pinned))
        );
        let configured = Choice {
            pinned: None,
            ..pinned
        };
        assert_eq!(
            feature_of(configured, &hints),
            Ok(("configured".into(), Reason::Configured))
        );
    }

    #[test]
    fn hints_are_taken_in_spec_kits_order_then_the_branch() {
        let mut hints = Fake {
            directory: Some("dir"),
            json: Some("json"),
            specify: Some("env"),
            branch: Some("branch"),
            ids: vec!["a", "b"],
            ..Fake::default()
        };
        let none = Choice::default();
        assert_eq!(
            feature_of(none, &hints),
            Ok(("dir".into(), Reason::SpecifyFeatureDirectory))
        );
        hints.directory = None;
        assert_eq!(
            feature_of(none, &hints),
            Ok(("json".into(), Reason::FeatureJson))
        );
        hints.json = None;
        assert_eq!(
            feature_of(none, &hints),
            Ok(("env".into(), Reason::SpecifyFeature))
        );
        hints.specify = None;
        assert_eq!(
            feature_of(none, &hints),
            Ok(("branch".into(), Reason::GitBranch))
        );
    }

    #[test]
    fn without_hints_the_only_work_item_then_the_only_feature() {
        let work = Fake {
            ids: vec!["change", "capability"],
            work: vec!["change"],
            ..Fake::default()
        };
        assert_eq!(
            feature_of(Choice::default(), &work),
            Ok(("change".into(), Reason::OnlyWork))
        );
        let only = Fake {
            ids: vec!["one"],
            work: vec!["one"],
            ..Fake::default()
        };
        assert_eq!(
            feature_of(Choice::default(), &only),
            Ok(("one".into(), Reason::OnlyFeature))
        );
        let mut two = Fake {
            ids: vec!["a", "b"],
            work: vec!["a", "b"],
            ..Fake::default()
        };
        let neither = Err(QueryError::NoCurrentFeature {
            known: vec!["a".into(), "b".into()],
        });
        assert_eq!(feature_of(Choice::default(), &two), neither);
        two.finished = vec!["a"];
        assert_eq!(
            feature_of(Choice::default(), &two),
            Ok(("b".into(), Reason::OnlyUnfinished))
        );
        two.finished = vec!["a", "b"];
        assert_eq!(feature_of(Choice::default(), &two), neither);
    }

    #[test]
    fn the_pin_and_task_option_apply_only_to_their_feature() {
        let feature = kiro("- [ ] 1. One\n- [ ] 2. Two\n");
        let elsewhere = |_: &str| false;
        let choice = task_choice(
            &feature,
            None,
            Some(("other", "2")),
            (None, None),
            elsewhere,
        );
        assert_eq!(choice.first(), None);
        let choice = task_choice(&feature, None, Some(("k", "2")), (None, None), elsewhere);
        assert_eq!(choice.first(), Some(("2", Reason::Pinned)));
        let choice = task_choice(&feature, None, None, (Some("other"), Some("2")), elsewhere);
        assert_eq!(choice.first(), None);
        let choice = task_choice(&feature, None, None, (None, Some("2")), elsewhere);
        assert_eq!(choice.first(), Some(("2", Reason::Configured)));
        // `--feature k@kiro` names this feature too.
        let spelled = |id: &str| id == "k@kiro";
        let choice = task_choice(&feature, None, None, (Some("k@kiro"), Some("2")), spelled);
        assert_eq!(choice.first(), Some(("2", Reason::Configured)));
    }

    #[test]
    fn work_in_progress_comes_before_an_earlier_open_task() {
        let feature = kiro("- [ ] 1. One\n- [-] 2. Two\n  - [x] 2.1 Done\n  - [ ] 2.2 Next\n");
        assert_eq!(current(&feature), Ok(("2.2", Reason::StepOfInProgress)));
        let feature = kiro("- [ ] 1. One\n- [-] 2. Two\n");
        assert_eq!(current(&feature), Ok(("2", Reason::InProgress)));
    }

    #[test]
    fn else_the_first_ready_required_task_through_its_steps() {
        let feature = kiro("- [x] 1. One\n- [ ]* 2. Optional\n- [ ] 3. Three\n  - [ ] 3.1 Step\n");
        assert_eq!(current(&feature), Ok(("3.1", Reason::FirstReady)));
        let feature = kiro("- [x] 1. One\n- [ ]* 2. Optional\n");
        assert_eq!(current(&feature), Ok(("2", Reason::FirstReady)));
    }

    #[test]
    fn no_tasks_all_done_or_nothing_ready_are_told_apart() {
        assert!(matches!(
            current(&kiro("No tasks yet.\n")),
            Err(QueryError::NoTasks { .. })
        ));
        assert!(matches!(
            current(&kiro("- [x] 1. One\n")),
            Err(QueryError::AllDone { .. })
        ));
        let waiting = kiro("- [ ] 1. One (depends on 2)\n- [ ] 2. Two (depends on 1)\n");
        assert!(matches!(
            current(&waiting),
            Err(QueryError::NothingReady { .. })
        ));
    }

    #[test]
    fn steps_that_lead_back_to_their_task_end_the_descent() {
        // A duplicate id nested under itself, and two tasks each the
        // other's step: the choice ends instead of going round for ever.
        for tasks in [
            "- [-] 1 Outer\n  - [ ] 1 Inner\n",
            "- [-] 1.1 Outer\n  - [ ] 1 Inner\n",
            "- [ ] 1 Outer\n  - [ ] 1 Inner\n",
        ] {
            let feature = kiro(tasks);
            assert_eq!(current(&feature).map(|(id, _)| id), Ok("1"), "{tasks}");
        }
    }
}
