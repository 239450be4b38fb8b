//! GitHub spec-kit: `specs/NNN-name/` holding `spec.md` (user stories with
//! Given/When/Then acceptance scenarios, edge cases, success criteria,
//! clarifications, assumptions), `plan.md`, `research.md`, `data-model.md`
//! and `contracts/` (architecture), and `tasks.md` (`- [ ] T001 [P] [US1]
//! ...` grouped by phase); `.specify/memory/constitution.md` binds every
//! feature.

use crate::model::{Criterion, Document, DocumentRole, Item, Layout, Question, SectionKind};
use crate::parse::markdown::{Block, Outline, items, list_after, normalize_heading};
use crate::parse::{Convention, TaskFormat, question};

pub const CONVENTION: Convention = Convention {
    layout: Layout::SpecKit,
    qualifier: "speckit",
    base: "specs",
    skip: &[],
    markers: &["spec.md", "plan.md"],
    documents: &[
        ("spec.md", DocumentRole::Prd),
        ("plan.md", DocumentRole::TechSpec),
        ("research.md", DocumentRole::TechSpec),
        ("data-model.md", DocumentRole::TechSpec),
        ("contracts/*.md", DocumentRole::TechSpec),
        ("tasks.md", DocumentRole::Tasks),
    ],
    // `/speckit.clarify` reads spec.md, so questions go there.
    primary: &["spec.md", "plan.md", "tasks.md"],
    project: &[(".specify/memory/constitution.md", DocumentRole::Principles)],
    project_in_base: false,
    reference: false,
};

/// Checklist tasks under phases, tagged with the story they serve.
pub const TASK_FORMAT: TaskFormat = TaskFormat {
    layout: Layout::SpecKit,
    criteria: "A task's acceptance criteria are the Acceptance Scenarios (Given/When/Then) \
               of the user story its `[USn]` tag names, in `spec.md`; edge cases and \
               success criteria there bind every task. Write new criteria as scenarios of \
               their story, and tests as tasks of their own, before the tasks they test.",
    example: "\
## Phase 3: User Story 1 - Export the order list (Priority: P1)

- [ ] T010 [P] [US1] Write the failing tests for the CSV writer in `tests/unit/test_csv.py`
- [ ] T011 [US1] Write one order per row in `src/export/csv.py` (depends on T010)
- [ ] T012 [US1] Add the Export button to the order list (depends on T011)
",
};

/// The `meta` of a question read from an inline `[NEEDS CLARIFICATION: …]`
/// marker, which says what is unclear where the answer belongs.
pub const NEEDS_CLARIFICATION: &str = "needs clarification";

/// Reads spec-kit's conventions in one document.
pub fn document(document: &mut Document, outline: &Outline, text: &str) {
    clarification_markers(document, text);
    if document.role != DocumentRole::Prd {
        return;
    }
    let mut criteria = Vec::new();
    let mut out_of_scope = Vec::new();
    let mut questions = Vec::new();
    for (position, section) in document.sections.iter().enumerate() {
        let name = normalize_heading(&section.title);
        // The section with its subsections.
        let whole = section.heading_span.start..section.body_span.end;
        let nested_items = || {
            document.sections[position..]
                .iter()
                .take_while(|next| next.heading_span.start < whole.end)
                .flat_map(|next| next.items.iter())
        };
        if let Some(story) = user_story(&section.title) {
            let group = story_group(&section.title);
            criteria.extend(
                scenarios(outline, whole.clone())
                    .into_iter()
                    .map(|item| Criterion {
                        item,
                        group: Some(group.clone()),
                        keys: vec![format!("US{story}")],
                    }),
            );
        } else if name == "edge cases" {
            criteria.extend(nested_items().map(|item| Criterion {
                item: item.clone(),
                group: Some("Edge cases".to_string()),
                keys: Vec::new(),
            }));
        } else if name == "success criteria" {
            criteria.extend(nested_items().map(|item| Criterion {
                item: item.clone(),
                group: Some("Success criteria".to_string()),
                keys: Vec::new(),
            }));
        } else if section.kind == SectionKind::AcceptanceCriteria {
            criteria.extend(section.items.iter().map(|item| Criterion {
                item: item.clone(),
                group: None,
                keys: Vec::new(),
            }));
        } else if name == "clarifications" && section.level == 2 {
            questions.extend(nested_items().filter_map(clarification));
        } else if name == "assumptions" && section.level == 2 {
            out_of_scope.extend(
                nested_items()
                    .filter(|item| states_out_of_scope(&item.text))
                    .cloned(),
            );
        }
    }
    document.criteria.extend(criteria);
    document.out_of_scope.extend(out_of_scope);
    document.questions.extend(questions);
    document
        .questions
        .sort_by_key(|question| question.span.start);
}

/// `User Story 2 - Remove a source (Priority: P1)` gives 2.
fn user_story(title: &str) -> Option<u32> {
    let rest = title.trim().strip_prefix("User Story")?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The story's title without its priority: `User Story 2 - Remove a source`.
fn story_group(title: &str) -> String {
    let title = title.trim();
    match title.rfind("(Priority") {
        Some(at) => title[..at].trim_end().to_string(),
        None => title.to_string(),
    }
}

/// The list after an `**Acceptance Scenarios**:` paragraph (or under an
/// "Acceptance Scenarios" heading) within `range`.
fn scenarios(outline: &Outline, range: std::ops::Range<usize>) -> Vec<Item> {
    let mut found = Vec::new();
    for (index, block) in outline.blocks.iter().enumerate() {
        let (label, span) = match block {
            Block::Paragraph { text, span } => (text, span),
            Block::Heading { title, span, .. } => (title, span),
            Block::ListItem(_) => continue,
        };
        if range.contains(&span.start) && is_scenarios_label(label) {
            found.extend(
                items(outline, list_after(outline, index))
                    .into_iter()
                    .filter(|item| !item.text.is_empty()),
            );
        }
    }
    found
}

fn is_scenarios_label(text: &str) -> bool {
    normalize_heading(text) == "acceptance scenarios"
}

/// `Q: question → A: answer`, as `/speckit.clarify` records it.
fn clarification(item: &Item) -> Option<Question> {
    let rest = item.text.trim_start().trim_start_matches('*');
    let rest = rest
        .strip_prefix("Q:")?
        .trim_start_matches('*')
        .trim_start();
    let (text, answer) = question::split_answer(rest);
    Some(Question {
        id: None,
        number: None,
        text,
        meta: None,
        answered: answer.is_some(),
        answer,
        source: item.source.clone(),
        span: item.span.clone(),
    })
}

/// An assumption that says something is out of scope. Struck-through text
/// (`~~...~~`, a decision since reversed) does not count.
fn states_out_of_scope(text: &str) -> bool {
    let mut live = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("~~") {
        live.push_str(&rest[..start]);
        match rest[start + 2..].find("~~") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = "";
            }
        }
    }
    live.push_str(rest);
    let lower = live.to_lowercase();
    lower.split(['.', ';', '\n']).any(|sentence| {
        let outside = [
            "out of scope",
            "out-of-scope",
            "outside the scope",
            "outside of scope",
        ];
        if outside.iter().any(|phrase| sentence.contains(phrase)) {
            return true;
        }
        // "An SDK is NOT built in v1", "PII scrubbing is not in v1".
        let not_now = [
            "not built",
            "not be built",
            "not implemented",
            "not be implemented",
        ];
        if not_now.iter().any(|phrase| sentence.contains(phrase)) {
            return true;
        }
        // "no other kinds are in scope", "X is not in scope", "no partial
        // wipe is in v1".
        let negated = |at: usize| {
            sentence[..at]
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| matches!(word, "no" | "not" | "nothing" | "never" | "neither" | "nor"))
        };
        sentence.find("in scope").is_some_and(negated) || in_release(sentence).is_some_and(negated)
    })
}

/// Where a sentence names a release it is not in: `in v1`, `in the MVP`,
/// `in this release`.
fn in_release(sentence: &str) -> Option<usize> {
    for phrase in [
        " in the mvp",
        " in mvp",
        " in this release",
        " in the first release",
    ] {
        if let Some(at) = sentence.find(phrase) {
            return Some(at);
        }
    }
    sentence.match_indices(" in v").find_map(|(at, _)| {
        sentence[at + 5..]
            .starts_with(|c: char| c.is_ascii_digit())
            .then_some(at)
    })
}

/// Inline `[NEEDS CLARIFICATION: ...]` markers, outside code and HTML
/// comments, as open questions. A bare `[NEEDS CLARIFICATION]` says what to
/// look for, not what is unclear (spec-kit's checklists mention it that
/// way), and a marker inside a question already recorded is that question.
fn clarification_markers(document: &mut Document, text: &str) {
    const MARKER: &str = "[NEEDS CLARIFICATION";
    let lines = crate::parse::markdown::LineIndex::new(text);
    let mut fenced = false;
    // Inside an HTML comment block: one that starts a line and is not
    // closed on it, as CommonMark reads them.
    let mut comment = false;
    let mut offset = 0;
    let mut found = Vec::new();
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        if comment {
            comment = !line.contains("-->");
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if indent <= 3 && trimmed.starts_with("<!--") && !trimmed[4..].contains("-->") {
            comment = true;
            continue;
        }
        let mut search = 0;
        while let Some(found_at) = line[search..].find(MARKER) {
            let at = search + found_at;
            search = at + MARKER.len();
            let before = &line[..at];
            // Inside inline code, inside a comment closed on this line, or
            // escaped (`\\[`): shown, not asked.
            let in_code = before.matches('`').count() % 2 == 1;
            let in_comment = before
                .rfind("<!--")
                .is_some_and(|open| !before[open..].contains("-->") && line[at..].contains("-->"));
            if in_code || in_comment || before.ends_with('\\') {
                continue;
            }
            let Some(inner) = bracketed(&line[search..]) else {
                break;
            };
            search += inner.len() + 1;
            let question_text = inner
                .trim()
                .strip_prefix([':', '-', '–', '—'])
                .map(str::trim)
                .unwrap_or_default();
            if question_text.is_empty() || question_text == "..." || question_text == "…" {
                continue;
            }
            let span = start + at..start + search;
            let recorded = document
                .questions
                .iter()
                .any(|question| question.span.contains(&span.start));
            if recorded {
                continue;
            }
            found.push(Question {
                id: None,
                number: None,
                text: question_text.to_string(),
                meta: Some(NEEDS_CLARIFICATION.to_string()),
                answer: None,
                answered: false,
                source: crate::model::Source {
                    path: document.path.clone(),
                    line: lines.line(span.start),
                },
                span,
            });
        }
    }
    document.questions.extend(found);
}

/// The text up to the `]` that closes an already opened bracket, nested
/// brackets included: `: [OAuth] or SAML?] rest` gives `: [OAuth] or SAML?`.
fn bracketed(rest: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (index, c) in rest.char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth == 0 => return Some(&rest[..index]),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn assumptions_that_exclude() {
        for text in [
            "PDF export is out of scope.",
            "An in-process SDK form is NOT built in v1; clients wrap HTTP.",
            "PII scrubbing is NOT in v1 and remains external.",
            "No partial-wipe by data type or source is in v1.",
            "No other formats are in scope",
        ] {
            assert!(states_out_of_scope(text), "{text}");
        }
        for text in [
            "Latency target for v1 is sub-2-second per call.",
            "The store is SQLite in v1.",
            "~~Export is out of scope~~ (reversed)",
        ] {
            assert!(!states_out_of_scope(text), "{text}");
        }
    }

    fn markers(text: &str) -> Vec<(u32, String)> {
        let mut document = crate::parse::document_in(
            Layout::SpecKit,
            Arc::from("spec.md"),
            DocumentRole::TechSpec,
            text,
        );
        document
            .questions
            .retain(|question| question.meta.is_some());
        document
            .questions
            .iter()
            .map(|question| (question.source.line, question.text.clone()))
            .collect()
    }

    #[test]
    fn clarification_markers_are_questions() {
        assert_eq!(
            markers("# Plan\n\n- Auth: [NEEDS CLARIFICATION: which provider?]\n"),
            [(3, "which provider?".to_string())]
        );
    }

    #[test]
    fn markers_read_any_separator_and_nested_brackets() {
        assert_eq!(
            markers(
                "- Keep logs [NEEDS CLARIFICATION - retention period?]\n- Sign in [NEEDS CLARIFICATION: [OAuth] or SAML?]\n"
            ),
            [
                (1, "retention period?".to_string()),
                (2, "[OAuth] or SAML?".to_string())
            ]
        );
    }

    #[test]
    fn an_inline_comment_opener_hides_nothing_after_it() {
        assert_eq!(
            markers(
                "- Keep `a <!-- b` as text\n- Also \\<!-- escaped\n- More [NEEDS CLARIFICATION: second?]\n"
            ),
            [(3, "second?".to_string())]
        );
    }

    #[test]
    fn bare_hidden_and_recorded_markers_are_not() {
        let text = "# Plan\n\n\
            - [ ] No [NEEDS CLARIFICATION] markers remain\n\
            <!-- e.g. [NEEDS CLARIFICATION: in a comment] -->\n\
            <!--\n[NEEDS CLARIFICATION: in a long comment]\n-->\n\
            `[NEEDS CLARIFICATION: in code]` and \\[NEEDS CLARIFICATION: escaped\\]\n\n\
            ## Open questions\n\n- Which store? [NEEDS CLARIFICATION: S3 or disk]\n";
        assert!(markers(text).is_empty(), "{:?}", markers(text));
    }
}
