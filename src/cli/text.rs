//! Answers as text for a terminal: the same facts as `--json`, each item on
//! its line with the `path:line` it came from, in the order a person reads
//! them. Plain text, not markdown: the reader is a shell, not a model.

use std::fmt::Write;

use crate::service::answer::{
    AcceptanceCriteria, Answered, Asked, Constraint, Constraints, CriteriaShown, CurrentTask,
    DefinitionOfDone, OutOfScope, QuestionInfo, Questions, ScopeItem, SourcedItem, StatusSet,
    TaskInfo, Tasks,
};

/// Text being written; `fmt::Write` into a `String` cannot fail.
#[derive(Default)]
struct Page(String);

impl Page {
    fn line(&mut self, text: &str) {
        self.0.push_str(text);
        self.0.push('\n');
    }

    /// A titled block, apart from what comes before it.
    fn heading(&mut self, text: &str) {
        if !self.0.is_empty() {
            self.0.push('\n');
        }
        self.line(&format!("{text}:"));
    }

    fn bullet(&mut self, indent: &str, text: &str, details: &[String], source: &str) {
        let _ = writeln!(self.0, "{indent}- {text}  ({source})");
        for detail in details {
            let _ = writeln!(self.0, "{indent}    {detail}");
        }
    }

    fn items(&mut self, title: &str, items: &[SourcedItem], empty: &str) {
        self.heading(title);
        if items.is_empty() {
            let _ = writeln!(self.0, "  {empty}");
        }
        let mut group = None;
        for item in items {
            if item.group.is_some() && item.group != group {
                group.clone_from(&item.group);
                let _ = writeln!(self.0, "  {}", item.group.as_deref().unwrap_or_default());
            }
            let indent = if item.group.is_some() { "    " } else { "  " };
            if item.group.is_none() {
                group = None;
            }
            self.bullet(indent, &item.text, &item.details, &item.source);
        }
    }

    fn constraints(&mut self, constraints: &[Constraint]) {
        self.heading("Architecture constraints");
        if constraints.is_empty() {
            self.line("  None stated.");
        }
        let mut section = "";
        for constraint in constraints {
            if constraint.section != section {
                section = &constraint.section;
                let _ = writeln!(self.0, "  {section}");
            }
            self.bullet(
                "    ",
                &constraint.text,
                &constraint.details,
                &constraint.source,
            );
        }
    }

    fn scope(&mut self, items: &[ScopeItem]) {
        self.heading("Out of scope (do not build)");
        if items.is_empty() {
            self.line("  Nothing stated.");
        }
        for item in items {
            let text = format!("[{}] {}", item.kind, item.text);
            self.bullet("  ", &text, &item.details, &item.source);
        }
    }

    fn questions(&mut self, questions: &[QuestionInfo]) {
        for question in questions {
            let id = question.id.as_deref().unwrap_or("(no id)");
            let _ = writeln!(
                self.0,
                "  {id} [{}] {}  ({})",
                question.status, question.text, question.source
            );
            if let Some(answer) = &question.answer {
                let _ = writeln!(self.0, "      A: {answer}");
            }
        }
    }

    fn task(&mut self, task: &TaskInfo) {
        let _ = writeln!(
            self.0,
            "Status: {}  ({})",
            task.summary.status, task.summary.source
        );
        if !task.depends_on.is_empty() {
            let dependencies: Vec<String> = task
                .depends_on
                .iter()
                .map(|dependency| format!("{} ({})", dependency.id, dependency.status))
                .collect();
            let _ = writeln!(self.0, "Depends on: {}", dependencies.join(", "));
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
                let _ = writeln!(self.0, "  - {note}");
            }
        }
    }
}

pub fn current_task(answer: &CurrentTask) -> String {
    let mut page = Page::default();
    let _ = writeln!(
        page.0,
        "{}: {}  (feature {})",
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
        "None stated for this task: ask before assuming (spec-mcp ask \"…\").",
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
                "Acceptance criteria of {}: {}  (feature {})",
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
                "Acceptance criteria of feature {}",
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
        "Architecture constraints of feature {}",
        answer.feature.id
    );
    page.constraints(&answer.constraints);
    if !answer.omitted.is_empty() {
        page.heading("Left out (pass --section to get one)");
        for omitted in &answer.omitted {
            let _ = writeln!(
                page.0,
                "  {}: {} more, from {}",
                omitted.section, omitted.count, omitted.at
            );
        }
    }
    page.notes(&answer.notes);
    page.0
}

pub fn out_of_scope(answer: &OutOfScope) -> String {
    let mut page = Page::default();
    let _ = writeln!(page.0, "Out of scope of feature {}", answer.feature.id);
    page.scope(&answer.items);
    page.0
}

pub fn definition_of_done(answer: &DefinitionOfDone) -> String {
    let mut page = Page::default();
    let _ = writeln!(
        page.0,
        "Definition of Done of feature {}",
        answer.feature.id
    );
    page.items("Definition of Done", &answer.items, "None stated.");
    page.0
}

pub fn questions(answer: &Questions) -> String {
    let mut page = Page::default();
    let _ = writeln!(
        page.0,
        "Questions of feature {} ({} open, {} answered)",
        answer.feature.id, answer.open, answer.answered
    );
    if answer.questions.is_empty() {
        page.line("  No questions match.");
    }
    page.questions(&answer.questions);
    page.0
}

/// A table: one row per task, the current one marked with `>`.
pub fn tasks(answer: &Tasks) -> String {
    let mut page = Page::default();
    let _ = writeln!(page.0, "Tasks of feature {}", answer.feature.id);
    if answer.tasks.is_empty() {
        page.line("  No tasks.");
        return page.0;
    }
    let width = |column: fn(&crate::service::answer::TaskRow) -> usize| {
        answer.tasks.iter().map(column).max().unwrap_or(0)
    };
    let id_width = width(|row| row.summary.id.chars().count()).max("ID".len());
    let status_width = width(|row| row.summary.status.to_string().len()).max("STATUS".len());
    let _ = writeln!(
        page.0,
        "  {:id_width$}  {:status_width$}  TITLE",
        "ID", "STATUS"
    );
    for row in &answer.tasks {
        let current = if answer.current.as_deref() == Some(row.summary.id.as_str()) {
            ">"
        } else {
            " "
        };
        let waiting = if row.waiting_on.is_empty() {
            String::new()
        } else {
            format!(" (waits on {})", row.waiting_on.join(", "))
        };
        let _ = writeln!(
            page.0,
            "{current} {:id_width$}  {:status_width$}  {}{waiting}  ({})",
            row.summary.id,
            row.summary.status.to_string(),
            row.summary.title,
            row.summary.source
        );
    }
    if let Some(current) = &answer.current {
        let _ = writeln!(page.0, "\n> current: {current}");
    }
    if let Some(cursor) = &answer.next_cursor {
        let _ = writeln!(
            page.0,
            "{} of {} tasks listed; run `spec-mcp tasks --cursor {cursor}` for the next.",
            answer.tasks.len(),
            answer.total
        );
    }
    if !answer.problems.is_empty() {
        page.heading("Problems in the spec files");
        for problem in &answer.problems {
            let _ = writeln!(page.0, "  - {}  ({})", problem.message, problem.source);
        }
    }
    page.0
}

pub fn asked(answer: &Asked) -> String {
    if answer.created {
        format!(
            "Recorded {} in feature {} at {}. Answer it with `spec-mcp answer {} \"…\"` or in the file.\n",
            answer.id, answer.feature, answer.source, answer.id
        )
    } else {
        format!(
            "Already recorded as {} in feature {} at {}; nothing was written.\n",
            answer.id, answer.feature, answer.source
        )
    }
}

pub fn answered(answer: &Answered) -> String {
    format!(
        "Answered {} in feature {} at {}: {}\n",
        answer.id, answer.feature, answer.source, answer.answer
    )
}

pub fn status_set(answer: &StatusSet) -> String {
    if answer.changed {
        format!(
            "Task {} of feature {} is now {} (was {}) at {}.\n",
            answer.id, answer.feature, answer.status, answer.previous, answer.source
        )
    } else {
        format!(
            "Task {} of feature {} is already {} at {}; nothing was written.\n",
            answer.id, answer.feature, answer.status, answer.source
        )
    }
}
