//! Answers as text for a terminal: the same facts as `--json`, each item on
//! its line with the `path:line` it came from, in the order a person reads
//! them. Plain text, not markdown: the reader is a shell, not a model. The
//! answers the tools also give are walked by `crate::render`; the rest are
//! written here.

use std::fmt::Write;

use crate::cli::reply::Commands;
use crate::render::{self, Page, Style, Walk};
use crate::service::answer::{Answered, Asked, StatusSet, Tasks};

/// A page of plain text, its steps named as commands.
fn page() -> Page<'static> {
    Page::new(Style::Plain, &Commands)
}

/// An answer the tools give too, as plain text.
pub fn plain<T: Walk>(answer: &T) -> String {
    render::text(answer, Style::Plain, &Commands)
}

/// A table: one row per task, the current one marked with `>`.
pub fn tasks(answer: &Tasks) -> String {
    let mut page = page();
    let _ = writeln!(page.text, "Tasks of feature {}", answer.feature.id);
    if answer.tasks.is_empty() {
        page.line("  No tasks.");
        return page.text;
    }
    let width = |column: fn(&crate::service::answer::TaskRow) -> usize| {
        answer.tasks.iter().map(column).max().unwrap_or(0)
    };
    let id_width = width(|row| row.summary.id.chars().count()).max("ID".len());
    let status_width = width(|row| row.summary.status.to_string().len()).max("STATUS".len());
    let _ = writeln!(
        page.text,
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
            page.text,
            "{current} {:id_width$}  {:status_width$}  {}{waiting}  ({})",
            row.summary.id,
            row.summary.status.to_string(),
            row.summary.title,
            row.summary.source
        );
    }
    if let Some(current) = &answer.current {
        let _ = writeln!(page.text, "\n> current: {current}");
    }
    if let Some(cursor) = &answer.next_cursor {
        let _ = writeln!(
            page.text,
            "{} of {} tasks listed; run `spec-mcp tasks --cursor {cursor}` for the next.",
            answer.tasks.len(),
            answer.total
        );
    }
    if !answer.problems.is_empty() {
        page.heading("Problems in the spec files");
        for problem in &answer.problems {
            let _ = writeln!(page.text, "  - {}  ({})", problem.message, problem.source);
        }
    }
    page.text
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
