//! Answers as markdown for the text content of a tool result: the same facts
//! as the structured content, in the order an agent should read them. The
//! answers the command line also prints are walked by `crate::render`; the
//! rest are written here.

use std::fmt::Write;

use crate::mcp::Tools;
use crate::render::{self, Page, Style, Walk};
use crate::service::answer::{Asked, Check, Pinned, Tasks};

/// A page of markdown, its steps named as tools.
fn page() -> Page<'static> {
    Page::new(Style::Markdown, &Tools)
}

/// An answer the command line prints too, as markdown.
pub fn markdown<T: Walk>(answer: &T) -> String {
    render::text(answer, Style::Markdown, &Tools)
}

pub fn tasks(answer: &Tasks) -> String {
    let mut page = page();
    let _ = writeln!(page.text, "# Tasks: feature {}", answer.feature.id);
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
            page.text,
            "- {} [{}] {}{waiting} ({}){current}",
            row.summary.id, row.summary.status, row.summary.title, row.summary.source
        );
    }
    if let Some(cursor) = &answer.next_cursor {
        let shown = answer.tasks.len();
        let _ = writeln!(
            page.text,
            "\n{shown} of {} tasks listed; call list_tasks with cursor `{cursor}` for the next.",
            answer.total
        );
    }
    if !answer.problems.is_empty() {
        page.heading("Problems in the spec files");
        for problem in &answer.problems {
            let _ = writeln!(page.text, "- {} ({})", problem.message, problem.source);
        }
    }
    page.text
}

pub fn pinned(answer: &Pinned) -> String {
    let mut page = page();
    let _ = writeln!(
        page.text,
        "Current task for this session: {} {} (feature {}).",
        answer.task.summary.id, answer.task.summary.title, answer.feature.id
    );
    page.task(&answer.task);
    page.text
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
    let mut page = page();
    let verdict = if check.errors > 0 { "fails" } else { "passes" };
    let _ = writeln!(
        page.text,
        "The check {verdict}: {}, {} in {}.",
        counted(check.errors, "error"),
        counted(check.warnings, "warning"),
        counted(check.features.len(), "feature")
    );
    for finding in &check.findings {
        let _ = writeln!(
            page.text,
            "- {} [{}] {} ({})",
            finding.level, finding.rule, finding.message, finding.source
        );
    }
    page.text
}

/// `1 error`, `2 errors`.
fn counted(count: usize, what: &str) -> String {
    if count == 1 {
        format!("1 {what}")
    } else {
        format!("{count} {what}s")
    }
}
