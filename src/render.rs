//! Answers as text, in the order a reader should take them in: markdown
//! for the text content of a tool result (the reader is a model), plain
//! text for a terminal (the reader is a person at a shell). One walk over
//! each answer serves both; the [`Style`] says how a title, a heading, a
//! bullet and a source are written, and the [`Wording`] how a step is
//! named. The facts are the structured content's, each item with the
//! `path:line` it came from.

use std::fmt::Write;

use crate::note::{Param, Step, Wording};
use crate::service::answer::{
    AcceptanceCriteria, Constraint, Constraints, CriteriaShown, CurrentTask, DefinitionOfDone,
    OutOfScope, QuestionInfo, Questions, ScopeItem, SourcedItem, TaskInfo,
};

/// How a page is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `#` titles, `##` headings, `-` bullets with their source in
    /// parentheses.
    Markdown,
    /// Titles as they are, headings ending in `:`, everything under a
    /// heading indented, sources set apart by two spaces.
    Plain,
}

/// What `task` waits on, each with its status: `T1 (done), T2 (todo)`.
pub fn dependencies(task: &TaskInfo) -> String {
    let dependencies: Vec<String> = task
        .depends_on
        .iter()
        .map(|dependency| format!("{} ({})", dependency.id, dependency.status))
        .collect();
    dependencies.join(", ")
}

/// An answer both front ends print, written onto a page of either style.
pub trait Walk {
    fn walk(&self, page: &mut Page<'_>);
}

/// `answer` written in `style`, its steps named by `wording`.
pub fn text<T: Walk>(answer: &T, style: Style, wording: &dyn Wording) -> String {
    let mut page = Page::new(style, wording);
    answer.walk(&mut page);
    page.text
}

/// Text being written; `fmt::Write` into a `String` cannot fail.
pub struct Page<'a> {
    pub text: String,
    style: Style,
    wording: &'a dyn Wording,
}

impl<'a> Page<'a> {
    pub fn new(style: Style, wording: &'a dyn Wording) -> Page<'a> {
        Page {
            text: String::new(),
            style,
            wording,
        }
    }

    pub fn line(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }

    /// `text` and the source (or other aside) it is about.
    fn sourced(&self, text: &str, aside: &str) -> String {
        match self.style {
            Style::Markdown => format!("{text} ({aside})"),
            Style::Plain => format!("{text}  ({aside})"),
        }
    }

    /// The page's first line.
    pub fn title(&mut self, text: &str, aside: Option<&str>) {
        let text = match aside {
            Some(aside) => self.sourced(text, aside),
            None => text.to_string(),
        };
        match self.style {
            Style::Markdown => self.line(&format!("# {text}")),
            Style::Plain => self.line(&text),
        }
    }

    /// A titled block, apart from what comes before it.
    pub fn heading(&mut self, text: &str) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        match self.style {
            Style::Markdown => self.line(&format!("## {text}")),
            Style::Plain => self.line(&format!("{text}:")),
        }
    }

    /// The indent of what sits `depth` levels under a heading.
    fn indent(&self, depth: usize) -> String {
        let margin = usize::from(self.style == Style::Plain);
        "  ".repeat(margin + depth)
    }

    /// A line under a heading that is not an item (`None stated.`).
    pub fn remark(&mut self, text: &str) {
        let line = format!("{}{text}", self.indent(0));
        self.line(&line);
    }

    /// An item with its source, `depth` levels in, and its details under it.
    pub fn bullet(&mut self, depth: usize, text: &str, details: &[String], source: &str) {
        let indent = self.indent(depth);
        let _ = writeln!(self.text, "{indent}- {}", self.sourced(text, source));
        for detail in details {
            match self.style {
                Style::Markdown => writeln!(self.text, "{indent}  - {detail}"),
                Style::Plain => writeln!(self.text, "{indent}    {detail}"),
            }
            .ok();
        }
    }

    /// The label of a group of items (a story, a requirement, a section).
    fn group(&mut self, label: &str) {
        let line = match self.style {
            Style::Markdown => format!("- **{label}**"),
            Style::Plain => format!("{}{label}", self.indent(0)),
        };
        self.line(&line);
    }

    pub fn items(&mut self, title: &str, items: &[SourcedItem], empty: &str) {
        self.heading(title);
        if items.is_empty() {
            self.remark(empty);
        }
        let mut group = None;
        for item in items {
            if item.group.is_some() && item.group != group {
                group.clone_from(&item.group);
                self.group(item.group.as_deref().unwrap_or_default());
            }
            if item.group.is_none() {
                group = None;
            }
            let depth = usize::from(item.group.is_some());
            self.bullet(depth, &item.text, &item.details, &item.source);
        }
    }

    /// Constraints under `title`, grouped by the section they come from.
    pub fn constraints(&mut self, title: &str, constraints: &[Constraint], empty: &str) {
        self.heading(title);
        if constraints.is_empty() {
            self.remark(empty);
        }
        let mut section = "";
        for constraint in constraints {
            if constraint.section != section {
                section = &constraint.section;
                self.group(section);
            }
            self.bullet(1, &constraint.text, &constraint.details, &constraint.source);
        }
    }

    /// What not to build, under `title`, each item with its kind.
    pub fn scope(&mut self, title: &str, items: &[ScopeItem]) {
        self.heading(title);
        if items.is_empty() {
            self.remark("Nothing stated.");
        }
        for item in items {
            let text = format!("[{}] {}", item.kind, item.text);
            self.bullet(0, &text, &item.details, &item.source);
        }
    }

    pub fn questions(&mut self, questions: &[QuestionInfo]) {
        for question in questions {
            let id = question.id.as_deref().unwrap_or("(no id)");
            let text = format!("{id} [{}] {}", question.status, question.text);
            let line = self.sourced(&text, &question.source);
            match self.style {
                Style::Markdown => self.line(&format!("- {line}")),
                Style::Plain => self.line(&format!("  {line}")),
            }
            if let Some(answer) = &question.answer {
                match self.style {
                    Style::Markdown => self.line(&format!("  - A: {answer}")),
                    Style::Plain => self.line(&format!("      A: {answer}")),
                }
            }
        }
    }

    pub fn task(&mut self, task: &TaskInfo) {
        let summary = &task.summary;
        match self.style {
            Style::Markdown => writeln!(
                self.text,
                "Status: {}. Source: {}.",
                summary.status, summary.source
            ),
            Style::Plain => writeln!(
                self.text,
                "Status: {}  ({})",
                summary.status, summary.source
            ),
        }
        .ok();
        if !task.depends_on.is_empty() {
            let end = if self.style == Style::Markdown {
                "."
            } else {
                ""
            };
            let _ = writeln!(self.text, "Depends on: {}{end}", dependencies(task));
        }
        if !task.description.is_empty() {
            self.line("");
            self.line(&task.description);
        }
    }

    pub fn notes(&mut self, notes: &[String]) {
        if !notes.is_empty() {
            self.heading("Notes");
            for note in notes {
                let line = format!("{}- {note}", self.indent(0));
                self.line(&line);
            }
        }
    }
}

impl Walk for CurrentTask {
    fn walk(&self, page: &mut Page<'_>) {
        let task = &self.task.summary;
        page.title(
            &format!("{}: {}", task.id, task.title),
            Some(&format!("feature {}", self.feature.id)),
        );
        let _ = writeln!(
            page.text,
            "Current because: {}. Feature {}: {}.",
            self.chosen_because, self.feature.id, self.feature_chosen_because
        );
        page.task(&self.task);
        let ask = page.wording.step(Step::AskQuestion);
        page.items(
            "Acceptance criteria",
            &self.acceptance_criteria,
            &format!("None stated for this task: ask before assuming ({ask})."),
        );
        page.items("Test plan", &self.test_plan, "None stated.");
        page.constraints(
            "Architecture constraints",
            &self.constraints,
            "None stated.",
        );
        page.scope("Out of scope (do not build)", &self.out_of_scope);
        if !self.surface_area.is_empty() {
            page.items("Surface area (only these exist)", &self.surface_area, "");
        }
        if let Some(done) = &self.definition_of_done {
            page.items("Definition of Done", done, "None stated.");
        }
        if !self.open_questions.is_empty() {
            page.heading("Open questions on this task");
            page.questions(&self.open_questions);
        }
        page.notes(&self.notes);
    }
}

impl Walk for AcceptanceCriteria {
    fn walk(&self, page: &mut Page<'_>) {
        let feature = format!("feature {}", self.feature.id);
        match &self.task {
            Some(task) => {
                page.title(
                    &format!(
                        "Acceptance criteria: {} {}",
                        task.summary.id, task.summary.title
                    ),
                    Some(&feature),
                );
                page.items(
                    "Task acceptance criteria",
                    &self.task_criteria,
                    "None stated for this task.",
                );
                page.items("Test plan", &self.test_plan, "None stated.");
            }
            None => page.title(&format!("Acceptance criteria: {feature}"), None),
        }
        let heading = match self.feature_criteria_shown {
            CriteriaShown::EveryTask => "Feature acceptance criteria (bind every task)",
            CriteriaShown::All => "Feature acceptance criteria",
        };
        page.items(heading, &self.feature_criteria, "None stated.");
        page.notes(&self.notes);
    }
}

impl Walk for Constraints {
    fn walk(&self, page: &mut Page<'_>) {
        page.title(
            &format!("Architecture constraints: feature {}", self.feature.id),
            None,
        );
        page.constraints(
            "Architecture constraints",
            &self.constraints,
            "None stated.",
        );
        if !self.omitted.is_empty() {
            let section = page.wording.param(Param::Section);
            page.heading(&format!("Left out (pass {section} to get one)"));
            for omitted in &self.omitted {
                let line = format!(
                    "{}{}: {} more, from {}",
                    match page.style {
                        Style::Markdown => "- ",
                        Style::Plain => "  ",
                    },
                    omitted.section,
                    omitted.count,
                    omitted.at
                );
                page.line(&line);
            }
        }
        page.notes(&self.notes);
    }
}

impl Walk for OutOfScope {
    fn walk(&self, page: &mut Page<'_>) {
        page.title(&format!("Out of scope: feature {}", self.feature.id), None);
        page.scope("Out of scope (do not build)", &self.items);
    }
}

impl Walk for DefinitionOfDone {
    fn walk(&self, page: &mut Page<'_>) {
        page.title(
            &format!("Definition of Done: feature {}", self.feature.id),
            None,
        );
        page.items("Definition of Done", &self.items, "None stated.");
    }
}

impl Walk for Questions {
    fn walk(&self, page: &mut Page<'_>) {
        page.title(
            &format!(
                "Questions: feature {} ({} open, {} answered)",
                self.feature.id, self.open, self.answered
            ),
            None,
        );
        if self.questions.is_empty() {
            page.remark("No questions match.");
        }
        page.questions(&self.questions);
    }
}
