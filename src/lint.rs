//! The quality gate: rules over the parsed model that say what a spec kit
//! still lacks before an agent can work from it (a task without acceptance
//! criteria, a question nobody answered, a dependency on a task that does
//! not exist, template text never filled in).
//!
//! Pure: the rules read a `Feature` or a `Project` the workspace already
//! built and return findings, each with its rule, level and `path:line`.
//! No I/O and no layout branches here: what a layout states is already in
//! the model's generic fields. Which rules run at which level is the
//! caller's `Levels`; `check` and `check_spec` share this through the
//! service.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::model::{
    Diagnostic, DiagnosticKind, Document, Feature, Project, SectionKind, Source, Task,
};
use crate::parse::speckit::NEEDS_CLARIFICATION;
use crate::query;

/// How serious a finding is: an error fails the check, a warning is
/// reported and lets it pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule of the gate. Its id is stable: scripts and `--deny` /
/// `--allow` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    TaskWithoutCriteria,
    MissingDependency,
    DependencyCycle,
    DuplicateId,
    TemplatePlaceholder,
    NeedsClarification,
    OpenQuestion,
    NoOutOfScope,
    EmptySection,
    UnreadableFile,
    EmptyFile,
    UnknownStatus,
}

impl Rule {
    /// Every rule, errors first, in the order the README lists them.
    pub const ALL: [Rule; 12] = [
        Rule::TaskWithoutCriteria,
        Rule::MissingDependency,
        Rule::DependencyCycle,
        Rule::DuplicateId,
        Rule::TemplatePlaceholder,
        Rule::NeedsClarification,
        Rule::UnreadableFile,
        Rule::OpenQuestion,
        Rule::NoOutOfScope,
        Rule::EmptySection,
        Rule::EmptyFile,
        Rule::UnknownStatus,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::TaskWithoutCriteria => "task-without-criteria",
            Rule::MissingDependency => "missing-dependency",
            Rule::DependencyCycle => "dependency-cycle",
            Rule::DuplicateId => "duplicate-id",
            Rule::TemplatePlaceholder => "template-placeholder",
            Rule::NeedsClarification => "needs-clarification",
            Rule::OpenQuestion => "open-question",
            Rule::NoOutOfScope => "no-out-of-scope",
            Rule::EmptySection => "empty-section",
            Rule::UnreadableFile => "unreadable-file",
            Rule::EmptyFile => "empty-file",
            Rule::UnknownStatus => "unknown-status",
        }
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.id() == id.trim())
    }

    /// The level a rule reports at unless `--deny` or `--allow` says
    /// otherwise. Errors are what leaves an agent unable to tell when a
    /// task is done, or sends it after a task that cannot be reached;
    /// warnings are what a person should look at before work starts.
    pub fn default_level(self) -> Level {
        match self {
            Rule::TaskWithoutCriteria
            | Rule::MissingDependency
            | Rule::DependencyCycle
            | Rule::DuplicateId
            | Rule::TemplatePlaceholder
            | Rule::NeedsClarification
            | Rule::UnreadableFile => Level::Error,
            Rule::OpenQuestion
            | Rule::NoOutOfScope
            | Rule::EmptySection
            | Rule::EmptyFile
            | Rule::UnknownStatus => Level::Warning,
        }
    }

    /// What the rule finds, in one line.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::TaskWithoutCriteria => {
                "a task no acceptance criteria bind: none of its own, none it links to, none of the feature's"
            }
            Rule::MissingDependency => "a task depends on an id that is no task of the feature",
            Rule::DependencyCycle => "tasks depend on each other in a cycle, so none can start",
            Rule::DuplicateId => "two tasks, or two questions, of a feature share an id",
            Rule::TemplatePlaceholder => {
                "template text never filled in: [FEATURE NAME], [###-feature-name], an ACTION REQUIRED comment"
            }
            Rule::NeedsClarification => "an inline [NEEDS CLARIFICATION: ...] marker still open",
            Rule::OpenQuestion => "a recorded question nobody has answered yet",
            Rule::NoOutOfScope => {
                "a feature with tasks that states nothing out of scope or as a non-goal"
            }
            Rule::EmptySection => {
                "a heading such as Acceptance criteria or Out of scope with nothing under it"
            }
            Rule::UnreadableFile => {
                "a spec file not served as written: binary, too large, not UTF-8, outside the root"
            }
            Rule::EmptyFile => "a spec file with nothing in it",
            Rule::UnknownStatus => "a task status that is no known word, read as todo",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What a rule found, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub level: Level,
    /// The feature it is in; `None` for a project-wide file.
    pub feature: Option<String>,
    pub source: Source,
    pub message: String,
}

/// Rules or groups of rules `--deny` and `--allow` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector {
    Rule(Rule),
    /// Every rule whose default level is warning.
    Warnings,
}

impl Selector {
    /// A rule id, or `warnings`.
    pub fn parse(text: &str) -> Option<Selector> {
        match text.trim() {
            "warnings" => Some(Selector::Warnings),
            id => Rule::from_id(id).map(Selector::Rule),
        }
    }

    fn selects(self, rule: Rule) -> bool {
        match self {
            Selector::Rule(selected) => selected == rule,
            Selector::Warnings => rule.default_level() == Level::Warning,
        }
    }
}

/// Which rules report, and at which level. A rule named by itself wins
/// over `warnings`; a rule both denied and allowed is denied, since a gate
/// errs on the side of failing.
#[derive(Debug, Clone, Default)]
pub struct Levels {
    pub deny: Vec<Selector>,
    pub allow: Vec<Selector>,
}

impl Levels {
    /// The level `rule` reports at, or `None` when it is allowed (silenced).
    pub fn level(&self, rule: Rule) -> Option<Level> {
        let named = |selectors: &[Selector]| selectors.contains(&Selector::Rule(rule));
        let grouped = |selectors: &[Selector]| {
            selectors
                .iter()
                .any(|selector| *selector == Selector::Warnings && selector.selects(rule))
        };
        if named(&self.deny) {
            Some(Level::Error)
        } else if named(&self.allow) {
            None
        } else if grouped(&self.deny) {
            Some(Level::Error)
        } else if grouped(&self.allow) {
            None
        } else {
            Some(rule.default_level())
        }
    }

    /// The findings at the levels chosen, allowed rules left out.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut finding| {
                finding.level = self.level(finding.rule)?;
                Some(finding)
            })
            .collect()
    }
}

/// Sections that say something every kit needs: empty, they promise what
/// they do not hold. An empty Open questions section says there are none,
/// and a heading of no known kind is the writer's own business.
const REQUIRED: [SectionKind; 12] = [
    SectionKind::Overview,
    SectionKind::Outcomes,
    SectionKind::SurfaceArea,
    SectionKind::Goals,
    SectionKind::NonGoals,
    SectionKind::UserStories,
    SectionKind::Requirements,
    SectionKind::AcceptanceCriteria,
    SectionKind::TestPlan,
    SectionKind::OutOfScope,
    SectionKind::ArchitectureConstraints,
    SectionKind::DefinitionOfDone,
];

/// Every finding in one feature, at the rules' default levels, in the
/// order of the files and lines they cite.
pub fn feature(feature: &Feature) -> Vec<Finding> {
    let mut found = Found {
        feature: Some(feature.id.clone()),
        findings: Vec::new(),
    };
    tasks_without_criteria(feature, &mut found);
    missing_dependencies(feature, &mut found);
    dependency_cycles(feature, &mut found);
    duplicate_ids(feature, &mut found);
    questions(feature, &mut found);
    no_out_of_scope(feature, &mut found);
    for document in feature.documents() {
        document_rules(document, &mut found);
    }
    reading_problems(feature.all_diagnostics(), &mut found);
    found.sorted()
}

/// Every finding in the project-wide files (a `project.md`, a
/// constitution, steering files): template text, empty sections, and
/// what the reader could not take as written.
pub fn project(project: &Project) -> Vec<Finding> {
    let mut found = Found {
        feature: None,
        findings: Vec::new(),
    };
    for document in &project.documents {
        document_rules(document, &mut found);
        reading_problems(document.diagnostics.iter(), &mut found);
    }
    found.sorted()
}

/// Findings being gathered for one feature or the project.
struct Found {
    feature: Option<String>,
    findings: Vec<Finding>,
}

impl Found {
    fn push(&mut self, rule: Rule, source: &Source, message: String) {
        self.findings.push(Finding {
            rule,
            level: rule.default_level(),
            feature: self.feature.clone(),
            source: source.clone(),
            message,
        });
    }

    fn sorted(mut self) -> Vec<Finding> {
        self.findings.sort_by(|a, b| {
            (&a.source.path, a.source.line, a.rule).cmp(&(&b.source.path, b.source.line, b.rule))
        });
        self.findings.dedup();
        self.findings
    }
}

/// A task binds criteria when it states its own, links to some (its story,
/// the requirements it names, or those of its steps or the task it is a
/// step of; Kiro's `_Requirements: All_` links every one), or, when no
/// task of its group (the phase or heading it is listed under) states
/// criteria of its own, when the feature's criteria bind it: those no
/// task can link to, or all of them when no task links at all. That is
/// when `get_acceptance_criteria` would answer with nothing, or when the
/// tasks beside it state criteria and it does not.
fn tasks_without_criteria(feature: &Feature, found: &mut Found) {
    let feature_wide = if query::tasks_link(feature) {
        !query::criteria_for_every_task(feature).is_empty()
    } else {
        !query::feature_criteria(feature).is_empty()
    };
    let binds = |task: &Task| {
        !task.acceptance_criteria.is_empty() || !query::linked_criteria(feature, task).is_empty()
    };
    let groups_with_own: HashSet<Option<&str>> = feature
        .tasks()
        .filter(|task| !task.acceptance_criteria.is_empty())
        .map(|task| task.phase.as_deref())
        .collect();
    for task in feature.tasks() {
        let own_in_group = groups_with_own.contains(&task.phase.as_deref());
        if feature_wide && !own_in_group {
            continue;
        }
        let parent = task.parent.as_deref().and_then(|id| feature.task(id));
        let bound = binds(task) || parent.is_some_and(binds) || feature.steps(task).any(&binds);
        if !bound {
            let hint = if own_in_group {
                "add an acceptance-criteria list under it, as the tasks beside it have"
            } else {
                "state criteria under it, link it to a story or requirement that has them, or give the feature acceptance criteria"
            };
            found.push(
                Rule::TaskWithoutCriteria,
                &task.source,
                format!(
                    "task {} ({}) has no acceptance criteria: {hint}",
                    task.id,
                    short(&task.title)
                ),
            );
        }
    }
}

fn missing_dependencies(feature: &Feature, found: &mut Found) {
    for task in feature.tasks() {
        for dependency in &task.depends_on {
            if feature.task(dependency).is_none() {
                found.push(
                    Rule::MissingDependency,
                    &task.source,
                    format!(
                        "task {} depends on {dependency}, which is not a task of feature {}",
                        task.id, feature.id
                    ),
                );
            }
        }
    }
}

/// Each cycle once, cited at the task of it written first, naming the
/// tasks in the order they wait on each other.
fn dependency_cycles(feature: &Feature, found: &mut Found) {
    // The first task of each id is the one served, so it is the one whose
    // dependencies count.
    let mut tasks: Vec<&Task> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for task in feature.tasks() {
        let key = task.id.to_ascii_lowercase();
        if let std::collections::hash_map::Entry::Vacant(entry) = index.entry(key) {
            entry.insert(tasks.len());
            tasks.push(task);
        }
    }
    let edges: Vec<Vec<usize>> = tasks
        .iter()
        .map(|task| {
            task.depends_on
                .iter()
                .filter_map(|id| index.get(&id.to_ascii_lowercase()).copied())
                .collect()
        })
        .collect();
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    for cycle in cycles(&edges) {
        let mut members = cycle.clone();
        members.sort_unstable();
        if !seen.insert(members.clone()) {
            continue;
        }
        // Start the cycle at the task written first.
        let first = members[0];
        let at = cycle.iter().position(|&node| node == first).unwrap_or(0);
        let mut order: Vec<&str> = cycle[at..]
            .iter()
            .chain(&cycle[..at])
            .map(|&node| tasks[node].id.as_str())
            .collect();
        order.push(tasks[first].id.as_str());
        found.push(
            Rule::DependencyCycle,
            &tasks[first].source,
            format!(
                "tasks depend on each other in a cycle, so none of them can start: {}",
                order.join(" → ")
            ),
        );
    }
}

/// The cycles of a directed graph, each as the nodes along it: one per
/// back edge a depth-first walk meets.
fn cycles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut marks = vec![Mark::New; edges.len()];
    let mut found = Vec::new();
    for start in 0..edges.len() {
        if marks[start] != Mark::New {
            continue;
        }
        // An explicit stack of (node, next edge to follow): a long chain
        // of dependencies must not overflow the call stack.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        marks[start] = Mark::OnPath;
        while let Some(top) = path.last_mut() {
            let node = top.0;
            if let Some(&target) = edges[node].get(top.1) {
                top.1 += 1;
                match marks[target] {
                    Mark::New => {
                        marks[target] = Mark::OnPath;
                        path.push((target, 0));
                    }
                    Mark::OnPath => {
                        let from = path
                            .iter()
                            .position(|&(on_path, _)| on_path == target)
                            .unwrap_or(0);
                        found.push(path[from..].iter().map(|&(on_path, _)| on_path).collect());
                    }
                    Mark::Done => {}
                }
            } else {
                marks[node] = Mark::Done;
                path.pop();
            }
        }
    }
    found
}

fn duplicate_ids(feature: &Feature, found: &mut Found) {
    let mut tasks: HashMap<String, &Source> = HashMap::new();
    for task in feature.tasks() {
        match tasks.get(&task.id.to_ascii_lowercase()) {
            Some(first) => found.push(
                Rule::DuplicateId,
                &task.source,
                format!(
                    "task id {} is used twice (first at {first}); only the first is served",
                    task.id
                ),
            ),
            None => {
                tasks.insert(task.id.to_ascii_lowercase(), &task.source);
            }
        }
    }
    let mut questions: HashMap<&str, &Source> = HashMap::new();
    for question in feature.questions() {
        let Some(id) = question.id.as_deref() else {
            continue;
        };
        match questions.get(id) {
            Some(first) => found.push(
                Rule::DuplicateId,
                &question.source,
                format!("question id {id} is used twice (first at {first})"),
            ),
            None => {
                questions.insert(id, &question.source);
            }
        }
    }
}

/// Open questions, and the inline markers that are questions too.
fn questions(feature: &Feature, found: &mut Found) {
    for question in feature.questions().filter(|question| !question.answered) {
        let text = short(&question.text);
        if question.meta.as_deref() == Some(NEEDS_CLARIFICATION) {
            found.push(
                Rule::NeedsClarification,
                &question.source,
                format!("needs clarification: {text}"),
            );
        } else {
            let id = question
                .id
                .as_deref()
                .map_or_else(String::new, |id| format!(" {id}"));
            found.push(
                Rule::OpenQuestion,
                &question.source,
                format!("question{id} is not answered yet: {text}"),
            );
        }
    }
}

/// A feature with work to do that says nothing of what not to build. A
/// feature without tasks (an OpenSpec capability, a spec not planned yet)
/// is not asked.
fn no_out_of_scope(feature: &Feature, found: &mut Found) {
    if feature.tasks().next().is_none() {
        return;
    }
    let states_scope = feature.documents().any(|document| {
        !document.out_of_scope.is_empty()
            || !document.non_goals.is_empty()
            || document.sections.iter().any(|section| {
                matches!(
                    section.kind,
                    SectionKind::OutOfScope | SectionKind::NonGoals
                )
            })
    });
    if states_scope {
        return;
    }
    let Some(document) = feature.documents().next() else {
        return;
    };
    let source = Source {
        path: document.path.clone(),
        line: 1,
    };
    found.push(
        Rule::NoOutOfScope,
        &source,
        format!(
            "feature {} states nothing out of scope: add an Out of scope or Non-goals section, so an agent knows what not to build",
            feature.id
        ),
    );
}

/// What the reader reported that no rule above finds itself: files it
/// could not read as written, empty files, statuses it did not know.
fn reading_problems<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>, found: &mut Found) {
    for diagnostic in diagnostics {
        let rule = match diagnostic.kind {
            DiagnosticKind::Unreadable => Rule::UnreadableFile,
            DiagnosticKind::EmptyFile => Rule::EmptyFile,
            DiagnosticKind::UnknownStatus => Rule::UnknownStatus,
            // Found by their own rules, with messages of their own.
            DiagnosticKind::Placeholder
            | DiagnosticKind::DuplicateId
            | DiagnosticKind::MissingDependency => continue,
        };
        found.push(rule, &diagnostic.source, diagnostic.message.clone());
    }
}

/// What any document can hold: template text and empty sections.
fn document_rules(document: &Document, found: &mut Found) {
    for placeholder in &document.placeholders {
        let message = if placeholder.token.starts_with('[') {
            format!(
                "template placeholder {} was never filled in",
                placeholder.token
            )
        } else {
            format!(
                "a template comment saying {} is still here: write the section it introduces and remove the comment",
                placeholder.token
            )
        };
        found.push(Rule::TemplatePlaceholder, &placeholder.source, message);
    }
    for section in &document.sections {
        if section.empty && REQUIRED.contains(&section.kind) {
            found.push(
                Rule::EmptySection,
                &section.source,
                format!("section `{}` is empty", short(&section.title)),
            );
        }
    }
}

/// Text cut to one short line for a message.
fn short(text: &str) -> String {
    const MAX: usize = 80;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_id_reads_back() {
        for rule in Rule::ALL {
            assert_eq!(Rule::from_id(rule.id()), Some(rule));
            assert_eq!(Selector::parse(rule.id()), Some(Selector::Rule(rule)));
        }
        assert_eq!(Selector::parse("warnings"), Some(Selector::Warnings));
        assert_eq!(Rule::from_id("no-such-rule"), None);
    }

    #[test]
    fn a_rule_named_wins_over_warnings_and_deny_wins_over_allow() {
        let levels = Levels {
            deny: vec![Selector::Warnings, Selector::Rule(Rule::DuplicateId)],
            allow: vec![
                Selector::Rule(Rule::OpenQuestion),
                Selector::Rule(Rule::DuplicateId),
            ],
        };
        assert_eq!(levels.level(Rule::OpenQuestion), None);
        assert_eq!(levels.level(Rule::EmptySection), Some(Level::Error));
        assert_eq!(levels.level(Rule::DuplicateId), Some(Level::Error));
        assert_eq!(
            Levels::default().level(Rule::NoOutOfScope),
            Some(Level::Warning)
        );
        let quiet = Levels {
            deny: Vec::new(),
            allow: vec![Selector::Warnings],
        };
        assert_eq!(quiet.level(Rule::EmptySection), None);
        assert_eq!(quiet.level(Rule::TaskWithoutCriteria), Some(Level::Error));
    }

    #[test]
    fn cycles_are_found_once_per_back_edge() {
        // 0 → 1 → 2 → 0, and 3 → 3.
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![]];
        assert_eq!(cycles(&edges), vec![vec![0, 1, 2], vec![3]]);
        assert!(cycles(&[vec![1], vec![2], vec![]]).is_empty());
    }

    #[test]
    fn messages_keep_to_one_short_line() {
        assert_eq!(short("  a title "), "a title");
        let long = "x".repeat(100);
        assert_eq!(short(&long).chars().count(), 81);
    }
}
