//! Answers as markdown for the text content of a tool result: the same facts
//! as the structured content, in the order an agent should read them.

use std::fmt::Write;

use crate::service::answer::{
    AcceptanceCriteria, Asked, Check, Constraint, Constraints, CriteriaShown, CurrentTask,
    DefinitionOfDone, OutOfScope, Pinned, QuestionInfo, Questions, ScopeItem, SourcedItem,
    TaskInfo, Tasks,
};

/// Markdown being written; `fmt::Write` into a `String` cannot fail.
#[derive(Default)]
struct Page(String);

impl Page {
    fn line(&mut self, text: &str) {
        self.0.push_str(text);
        self.0.push('\n');
    }

    fn heading(&mut self, text: &str) {
        if !self.0.is_empty() {
            self.0.push('\n');
        }
        let _ = writeln!(self.0, "## {text}");
    }

    fn bullet(&mut self, text: &str, details: &[String], source: &str) {
        self.bullet_at("", text, details, source);
    }

    /// A bullet indented by `indent`, its details one level deeper.
    fn bullet_at(&mut self, indent: &str, text: &str, details: &[String], source: &str) {
        let _ = writeln!(self.0, "{indent}- {text} ({source})");
        for detail in details {
            let _ = writeln!(self.0, "{indent}  - {detail}");
        }
    }

    fn items(&mut self, title: &str, items: &[SourcedItem], empty: &str) {
        self.heading(title);
        if items.is_empty() {
            self.line(empty);
        }
        let mut group = None;
        for item in items {
            if item.group.is_some() && item.group != group {
                group.clone_from(&item.group);
                let _ = writeln!(
                    self.0,
                    "- **{}**",
                    item.group.as_deref().unwrap_or_default()
                );
            }
            if item.group.is_some() {
                self.bullet_at("  ", &item.text, &item.details, &item.source);
            } else {
                group = None;
                self.bullet(&item.text, &item.details, &item.source);
            }
        }
    }

    fn constraints(&mut self, constraints: &[Constraint]) {
        self.heading("Architecture constraints");
        if constraints.is_empty() {
            self.line("None stated.");
        }
        let mut section = "";
        for constraint in constraints {
            if constraint.section != section {
                section = &constraint.section;
                let _ = writeln!(self.0, "- **{section}**");
            }
            self.bullet_at(
                "  ",
                &constraint.text,
                &constraint.details,
                &constraint.source,
            );
        }
    }

    fn scope(&mut self, items: &[ScopeItem]) {
        self.heading("Out of scope (do not build)");
        if items.is_empty() {
            self.line("Nothing stated.");
        }
        for item in items {
            let text = format!("[{}] {}", item.kind, item.text);
            self.bullet(&text, &item.details, &item.source);
        }
    }

    fn questions(&mut self, questions: &[QuestionInfo]) {
        for question in questions {
            let id = question.id.as_deref().unwrap_or("(no id)");
            let _ = writeln!(
                self.0,
                "- {id} [{}] {} ({})",
                question.status, question.text, question.source
            );
            if let Some(answer) = &question.answer {
                let _ = writeln!(self.0, "  - A: {answer}");
            }
        }
    }

    fn task(&mut self, task: &TaskInfo) {
        let _ = writeln!(
            self.0,
            "Status: {}. Source: {}.",
            task.summary.status, task.summary.source
        );
        if !task.depends_on.is_empty() {
            let dependencies: Vec<String> = task
                .depends_on
                .iter()
                .map(|dependency| format!("{} ({})", dependency.id, dependency.status))
                .collect();
            let _ = writeln!(self.0, "Depends on: {}.", dependencies.join(", "));
        }
        if !task.description.is_empty() {
            self.line("");
            self.line(&task.description);
        }
    }

    fn notes(&mut self, notes: &[String]) {
        if !notes.is_empty() {
            self.heading("Notes");
            for note in notes {
                let _ = writeln!(self.0, "- {note}");
            }
        }
    }
}

pub fn current_task(answer: &CurrentTask) -> String {
    let mut page = Page::default();
    let _ = writeln!(
        page.0,
        "# {}: {} (feature {})",
        answer.task.summary.id, answer.task.summary.title, answer.feature.id
    );
    let _ = writeln!(
        page.0,
        "Current because: {}. Feature {}: {}.",
        answer.chosen_because, answer.feature.id, answer.feature_chosen_because
    );
    page.task(&answer.task);
    page.items(
        "Acceptance criteria",
        &answer.acceptance_criteria,
        "None stated for this task: ask before assuming (ask_question).",
    );
    page.items("Test plan", &answer.test_plan, "None stated.");
    page.constraints(&answer.constraints);
    page.scope(&answer.out_of_scope);
    if !answer.surface_area.is_empty() {
        page.items("Surface area (only these exist)", &answer.surface_area, "");
    }
    if let Some(done) = &answer.definition_of_done {
        page.items("Definition of Done", done, "None stated.");
    }
    if !answer.open_questions.is_empty() {
        page.heading("Open questions on this task");
        page.questions(&answer.open_questions);
    }
    page.notes(&answer.notes);
    page.0
}

pub fn acceptance_criteria(answer: &AcceptanceCriteria) -> String {
    let mut page = Page::default();
    match &answer.task {
        Some(task) => {
            let _ = writeln!(
                page.0,
                "# Acceptance criteria: {} {} (feature {})",
                task.summary.id, task.summary.title, answer.feature.id
            );
            page.items(
                "Task acceptance criteria",
                &answer.task_criteria,
                "None stated for this task.",
            );
            page.items("Test plan", &answer.test_plan, "None stated.");
        }
        None => {
            let _ = writeln!(
                page.0,
                "# Acceptance criteria: feature {}",
                answer.feature.id
            );
        }
    }
    let heading = match answer.feature_criteria_shown {
        CriteriaShown::EveryTask => "Feature acceptance criteria (bind every task)",
        CriteriaShown::All => "Feature acceptance criteria",
    };
    page.items(heading, &answer.feature_criteria, "None stated.");
    page.notes(&answer.notes);
    page.0
}

pub fn constraints(answer: &Constraints) -> String {
    let mut page = Page::default();
    let _ = writeln!(
        page.0,
        "# Architecture constraints: feature {}",
        answer.feature.id
    );
    page.constraints(&answer.constraints);
    if !answer.omitted.is_empty() {
        page.heading("Left out (pass `section` to get one)");
        for omitted in &answer.omitted {
            let _ = writeln!(
                page.0,
                "- {}: {} more, from {}",
                omitted.section, omitted.count, omitted.at
            );
        }
    }
    page.notes(&answer.notes);
    page.0
}

pub fn out_of_scope(answer: &OutOfScope) -> String {
    let mut page = Page::default();
    let _ = writeln!(page.0, "# Out of scope: feature {}", answer.feature.id);
    page.scope(&answer.items);
    page.0
}

pub fn definition_of_done(answer: &DefinitionOfDone) -> String {
    let mut page = Page::default();
    let _ = writeln!(
        page.0,
        "# Definition of Done: feature {}",
        answer.feature.id
    );
    page.items("Definition of Done", &answer.items, "None stated.");
    page.0
}

pub fn questions(answer: &Questions) -> String {
    let mut page = Page::default();
    let _ = writeln!(
        page.0,
        "# Questions: feature {} ({} open, {} answered)",
        answer.feature.id, answer.open, answer.answered
    );
    if answer.questions.is_empty() {
        page.line("No questions match.");
    }
    page.questions(&answer.questions);
    page.0
}

pub fn tasks(answer: &Tasks) -> String {
    let mut page = Page::default();
    let _ = writeln!(page.0, "# Tasks: feature {}", answer.feature.id);
    if answer.tasks.is_empty() {
        page.line("No tasks.");
    }
    for row in &answer.tasks {
        let current = if answer.current.as_deref() == Some(row.summary.id.as_str()) {
            " ← current"
        } else {
            ""
        };
        let waiting = if row.waiting_on.is_empty() {
            String::new()
        } else {
            format!(", waits on {}", row.waiting_on.join(", "))
        };
        let _ = writeln!(
            page.0,
            "- {} [{}] {}{waiting} ({}){current}",
            row.summary.id, row.summary.status, row.summary.title, row.summary.source
        );
    }
    if let Some(cursor) = &answer.next_cursor {
        let shown = answer.tasks.len();
        let _ = writeln!(
            page.0,
            "\n{shown} of {} tasks listed; call list_tasks with cursor `{cursor}` for the next.",
            answer.total
        );
    }
    if !answer.problems.is_empty() {
        page.heading("Problems in the spec files");
        for problem in &answer.problems {
            let _ = writeln!(page.0, "- {} ({})", problem.message, problem.source);
        }
    }
    page.0
}

pub fn pinned(answer: &Pinned) -> String {
    let mut page = Page::default();
    let _ = writeln!(
        page.0,
        "Current task for this session: {} {} (feature {}).",
        answer.task.summary.id, answer.task.summary.title, answer.feature.id
    );
    page.task(&answer.task);
    page.0
}

pub fn asked(answer: &Asked) -> String {
    if answer.created {
        format!(
            "Recorded {} in feature {} at {}. A person will answer it in the spec; check later with list_questions.\n",
            answer.id, answer.feature, answer.source
        )
    } else {
        format!(
            "Already recorded as {} in feature {} at {}; nothing was written.\n",
            answer.id, answer.feature, answer.source
        )
    }
}

pub fn check(check: &Check) -> String {
    let mut page = Page::default();
    let verdict = if check.errors > 0 { "fails" } else { "passes" };
    let _ = writeln!(
        page.0,
        "The check {verdict}: {}, {} in {}.",
        counted(check.errors, "error"),
        counted(check.warnings, "warning"),
        counted(check.features.len(), "feature")
    );
    for finding in &check.findings {
        let _ = writeln!(
            page.0,
            "- {} [{}] {} ({})",
            finding.level, finding.rule, finding.message, finding.source
        );
    }
    page.0
}

/// `1 error`, `2 errors`.
fn counted(count: usize, what: &str) -> String {
    if count == 1 {
        format!("1 {what}")
    } else {
        format!("{count} {what}s")
    }
}
