//! Recognises tasks: `## T2: Title` headings with `Status:` / `Depends on:`
//! lines and `### Acceptance criteria` / `### Test plan` subsections, and
//! checklist lines such as `- [ ] T3 Add polling (depends on T2)`.

use crate::model::{Diagnostic, Section, SectionKind, Task, TaskStatus};
use crate::parse::markdown::{Block, Outline, collapse_whitespace};

/// Every task in the outline: heading tasks first, then checklist tasks that
/// sit outside any heading task.
pub fn tasks(
    outline: &Outline,
    sections: &[Section],
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Task> {
    let mut found = heading_tasks(sections, text, diagnostics);
    let heading_spans: Vec<_> = found.iter().map(|task| task.span.clone()).collect();
    for block in &outline.blocks {
        let Block::ListItem(item) = block else {
            continue;
        };
        let Some(checked) = item.checked else {
            continue;
        };
        if heading_spans
            .iter()
            .any(|span| span.contains(&item.span.start))
        {
            continue;
        }
        let Some((id, title)) = split_task_id(&item.text) else {
            continue;
        };
        found.push(Task {
            id: id.to_string(),
            depends_on: depends_phrase(title),
            title: title.to_string(),
            status: if checked {
                TaskStatus::Done
            } else {
                TaskStatus::Todo
            },
            description: String::new(),
            acceptance_criteria: Vec::new(),
            test_plan: Vec::new(),
            source: outline.source(item.span.start),
            span: item.span.clone(),
        });
    }
    found
}

fn heading_tasks(sections: &[Section], text: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<Task> {
    let mut found = Vec::new();
    for (position, section) in sections.iter().enumerate() {
        if section.level < 2 {
            continue;
        }
        let Some((id, title)) = split_task_id(&section.title) else {
            continue;
        };
        // Subsections of this task: the following sections until one at the
        // task's own level or higher.
        let subsections = sections[position + 1..]
            .iter()
            .take_while(|next| next.level > section.level);
        let mut acceptance_criteria = Vec::new();
        let mut test_plan = Vec::new();
        for subsection in subsections {
            match subsection.kind {
                SectionKind::AcceptanceCriteria => {
                    acceptance_criteria.extend(subsection.items.iter().cloned());
                }
                SectionKind::TestPlan => test_plan.extend(subsection.items.iter().cloned()),
                _ => {}
            }
        }
        let preamble_end = sections
            .get(position + 1)
            .map_or(section.body_span.end, |next| next.heading_span.start)
            .min(section.body_span.end);
        let preamble = &text[section.body_span.start..preamble_end];
        let fields = fields(preamble);
        let status = match fields.status {
            None => TaskStatus::Todo,
            Some(word) => TaskStatus::parse(word).unwrap_or_else(|| {
                diagnostics.push(Diagnostic {
                    source: section.source.clone(),
                    message: format!(
                        "task {id}: unknown status `{word}` (use todo, in progress, done or blocked); read as todo"
                    ),
                });
                TaskStatus::Todo
            }),
        };
        found.push(Task {
            id: id.to_string(),
            title: title.to_string(),
            status,
            depends_on: fields.depends_on,
            description: fields.description,
            acceptance_criteria,
            test_plan,
            source: section.source.clone(),
            span: section.heading_span.start..section.body_span.end,
        });
    }
    found
}

struct Fields<'a> {
    status: Option<&'a str>,
    depends_on: Vec<String>,
    description: String,
}

/// Reads `Status:` and `Depends on:` lines (bold or bulleted too) and keeps
/// the other lines as the description.
fn fields(preamble: &str) -> Fields<'_> {
    let mut status = None;
    let mut depends_on = Vec::new();
    let mut description = Vec::new();
    for line in preamble.lines() {
        let bare = line
            .trim()
            .trim_start_matches(['-', '*', '+'])
            .trim_start()
            .trim_start_matches(['*', '_']);
        if let Some(value) = field_value(bare, &["status"]) {
            status = Some(value);
        } else if let Some(value) = field_value(
            bare,
            &["depends on", "dependencies", "depends", "blocked by"],
        ) {
            depends_on = task_ids(value);
        } else {
            description.push(line);
        }
    }
    Fields {
        status,
        depends_on,
        description: collapse_whitespace(&description.join("\n")),
    }
}

/// `Status: done` (or `**Status:** done`) gives `done` for the name `status`.
fn field_value<'a>(line: &'a str, names: &[&str]) -> Option<&'a str> {
    for name in names {
        let Some(head) = line.get(..name.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(name) {
            continue;
        }
        let rest = line[name.len()..].trim_start_matches(['*', '_']);
        if let Some(value) = rest.strip_prefix(':') {
            return Some(value.trim().trim_start_matches(['*', '_']).trim());
        }
    }
    None
}

/// Ids in a list such as `T1, T2 and 2.1`; `none` gives nothing.
pub fn task_ids(list: &str) -> Vec<String> {
    list.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .trim_start_matches('`')
        })
        .filter(|word| is_task_id(word))
        .map(str::to_string)
        .collect()
}

/// Ids named after a "depends on" phrase in a checklist line.
fn depends_phrase(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let Some(at) = lower.find("depends on") else {
        return Vec::new();
    };
    let rest = &text[at + "depends on".len()..];
    // The phrase ends at a closing bracket or a sentence end; a dot inside
    // an id such as `2.1` does not end it.
    let end = rest
        .find([')', ']', '\n'])
        .into_iter()
        .chain(rest.find(". "))
        .min()
        .unwrap_or(rest.len());
    task_ids(&rest[..end])
}

/// A task id has a digit and only letters, digits, `-`, `.` and `_`, and is
/// not a question id.
fn is_task_id(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 40
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().next().is_some_and(char::is_alphanumeric)
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && !(word.len() > 2 && word[..2].eq_ignore_ascii_case("q-"))
}

/// `T2: Build the route` into `("T2", "Build the route")`; `1.2 Name` too.
pub fn split_task_id(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start().trim_start_matches('*');
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let word = text[..end].trim_end_matches(['*', ':']);
    let word = word.strip_suffix('.').unwrap_or(word);
    if !is_task_id(word) {
        return None;
    }
    let rest = text[word.len()..]
        .trim_start_matches(['*', ':', '.'])
        .trim_start();
    let rest = rest
        .strip_prefix(['-', '—', '–'])
        .map_or(rest, str::trim_start);
    Some((word, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_in_headings() {
        assert_eq!(split_task_id("T2: Build it"), Some(("T2", "Build it")));
        assert_eq!(split_task_id("TASK-7 — Ship"), Some(("TASK-7", "Ship")));
        assert_eq!(split_task_id("2.1 Wire up"), Some(("2.1", "Wire up")));
        assert_eq!(split_task_id("1. Setup"), Some(("1", "Setup")));
        assert_eq!(split_task_id("Phase 1: Setup"), None);
        assert_eq!(split_task_id("Acceptance criteria"), None);
        assert_eq!(split_task_id("Q-1 question"), None);
    }

    #[test]
    fn dependency_lists() {
        assert_eq!(task_ids("T1, T2 and 2.1"), vec!["T1", "T2", "2.1"]);
        assert!(task_ids("none").is_empty());
        assert_eq!(
            depends_phrase("Add retries (depends on T2, T3)"),
            vec!["T2", "T3"]
        );
    }

    #[test]
    fn fields_are_read_in_any_dress() {
        let fields = fields("Status: in progress\n**Depends on:** T1, T2\n\nDo the thing.\n");
        assert_eq!(fields.status, Some("in progress"));
        assert_eq!(fields.depends_on, vec!["T1", "T2"]);
        assert_eq!(fields.description, "Do the thing.");
    }
}
