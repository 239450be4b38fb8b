//! The invariants the fuzz targets check, the same ones
//! `tests/spec_mcp/properties.rs` checks with generated input: parsing
//! never panics and everything it reports points into the text; an append
//! refuses, or keeps every old byte and adds exactly one question and no
//! structure made of the question's text; an answer or a status refuses, or
//! changes that question or task alone and keeps every other line.
//!
//! A violation panics, which libFuzzer reports as a crash with the input
//! saved under `artifacts/`.

#![forbid(unsafe_code)]

use std::ops::Range;
use std::sync::Arc;

use spec_mcp::edit::{
    DEFAULT_MAX_TEXT_CHARS, EditError, NewQuestion, Plan, Splice, plan_answer, plan_append_in,
    plan_status, sanitize,
};
use spec_mcp::model::{Document, Item, Layout, SectionKind, Source, Span, TaskStatus};
use spec_mcp::parse::markdown::{Block, front_matter, outline};

#[path = "../../tests/spec_mcp/targets.rs"]
mod targets;

pub use targets::{Target, parse_as, targets};

/// The `parse_<layout>` targets: `data` parsed as every file of `layout`.
pub fn parse_every_file(layout: Layout, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for target in targets().iter().filter(|target| target.layout == layout) {
        let document = parse_as(target, &text);
        check_document(&text, &target.path, &document);
    }
}

/// The `append` target: a question appended to `data` as one feature
/// document of one layout, chosen by the input's length so that every seed
/// meets another (appending to every file each time is sixteen times
/// slower, and the fuzzer covers them all anyway).
pub fn append_to_some_file(data: &[u8]) {
    let mut parts = data.splitn(3, |&byte| byte == 0);
    let document = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let question = parts.next().map_or_else(
        || "Which formats are accepted?".into(),
        String::from_utf8_lossy,
    );
    let context = parts
        .next()
        .map(|context| String::from_utf8_lossy(context).into_owned());
    let question = NewQuestion {
        text: question.into_owned(),
        context,
        task: Some("T1".to_string()),
        asked_by: "fuzz".to_string(),
        date: "2026-11-24".to_string(),
    };
    let targets: Vec<Target> = targets()
        .into_iter()
        .filter(|target| target.feature)
        .collect();
    check_append(&targets[data.len() % targets.len()], &document, &question);
}

/// Lines as the parser counts them: one more than the `\n`s.
fn line_count(text: &str) -> usize {
    text.matches('\n').count() + 1
}

fn check_span(what: &str, text: &str, span: &Span) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} is not within the text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} splits a character"
    );
}

fn check_source(what: &str, text: &str, path: &str, source: &Source) {
    assert_eq!(&*source.path, path, "{what}: source path");
    assert!(
        source.line >= 1 && source.line as usize <= line_count(text),
        "{what}: line {} is not within the {} lines of the text",
        source.line,
        line_count(text)
    );
}

fn check_item(what: &str, text: &str, path: &str, item: &Item) {
    check_span(what, text, &item.span);
    check_source(what, text, path, &item.source);
}

/// Every span and source of `document` lies within `text`.
pub fn check_document(text: &str, path: &str, document: &Document) {
    for section in &document.sections {
        let what = format!("section `{}`", section.title);
        check_span(&what, text, &section.heading_span);
        check_span(&what, text, &section.body_span);
        check_source(&what, text, path, &section.source);
        for item in &section.items {
            check_item(&what, text, path, item);
        }
    }
    for question in &document.questions {
        check_span("question", text, &question.span);
        check_source("question", text, path, &question.source);
    }
    for task in &document.tasks {
        check_span("task", text, &task.span);
        check_source("task", text, path, &task.source);
        for item in task.acceptance_criteria.iter().chain(&task.test_plan) {
            check_item("task criterion", text, path, item);
        }
    }
    for criterion in &document.criteria {
        check_item("criterion", text, path, &criterion.item);
    }
    for item in document.out_of_scope.iter().chain(&document.non_goals) {
        check_item("exclusion", text, path, item);
    }
    for diagnostic in &document.diagnostics {
        check_source("diagnostic", text, path, &diagnostic.source);
    }
}

fn block_start(block: &Block) -> usize {
    match block {
        Block::Heading { span, .. } | Block::Paragraph { span, .. } => span.start,
        Block::ListItem(item) => item.span.start,
    }
}

/// An append refuses, finds the question recorded, or splices in one line
/// (and a heading, when there was no open questions section) that keeps
/// every old byte and reads back as exactly one more question, while the
/// old questions and tasks read as before.
pub fn check_append(target: &Target, old: &str, question: &NewQuestion) {
    let body = sanitize(&question.text, DEFAULT_MAX_TEXT_CHARS);
    let before = parse_as(target, old);
    let splice = match plan_append_in(
        target.layout,
        &target.path,
        target.role,
        old,
        &[],
        question,
        DEFAULT_MAX_TEXT_CHARS,
    ) {
        Err(EditError::EmptyQuestion) => {
            assert!(body.is_empty(), "refused as empty: {body:?}");
            return;
        }
        Err(_) => return,
        Ok(Plan::Existing { id, .. }) => {
            assert!(
                before
                    .questions
                    .iter()
                    .any(|question| question.id.as_deref() == Some(&id) && !question.answered),
                "{id} is said to be recorded, but no open question has that id"
            );
            return;
        }
        Ok(Plan::Splice(splice)) => splice,
    };
    check_splice(target, old, &before, &body, question, &splice);
}

/// What a planned splice must be: the old bytes kept around one inserted
/// range that reads back as exactly the new question, and no other
/// structure.
fn check_splice(
    target: &Target,
    old: &str,
    before: &Document,
    body: &str,
    question: &NewQuestion,
    splice: &Splice,
) {
    let new = splice.new_text.as_str();
    assert!(new.len() > old.len(), "nothing was inserted");
    let at = splice.at;
    let end = at + (new.len() - old.len());
    assert_eq!(
        new.get(..at),
        old.get(..at),
        "bytes before the insert changed"
    );
    assert_eq!(
        new.get(end..),
        old.get(at..),
        "bytes after the insert changed"
    );
    let inserted: Range<usize> = at..end;

    let after = parse_as(target, new);
    check_document(new, &target.path, &after);
    assert_eq!(after.questions.len(), before.questions.len() + 1);
    let added: Vec<_> = after
        .questions
        .iter()
        .filter(|question| inserted.contains(&question.span.start))
        .collect();
    assert_eq!(added.len(), 1, "questions in the inserted text");
    assert_eq!(added[0].id.as_deref(), Some(splice.id.as_str()));
    assert_eq!(added[0].text, body);
    assert!(!added[0].answered);

    let had_section = before
        .sections_of(SectionKind::OpenQuestions)
        .next()
        .is_some();
    let (new_sections, kept): (Vec<_>, Vec<_>) = after
        .sections
        .iter()
        .partition(|section| inserted.contains(&section.heading_span.start));
    let kept: Vec<_> = kept
        .iter()
        .map(|section| (section.level, &section.title))
        .collect();
    let old_sections: Vec<_> = before
        .sections
        .iter()
        .map(|section| (section.level, &section.title))
        .collect();
    assert_eq!(kept, old_sections, "the old headings changed");
    if had_section {
        assert!(new_sections.is_empty(), "a heading was added");
    } else {
        assert_eq!(new_sections.len(), 1, "open questions sections added");
        assert_eq!(new_sections[0].kind, SectionKind::OpenQuestions);
    }
    // It sits in the first open-questions section: the last heading before
    // it is that one.
    let under = after
        .sections
        .iter()
        .rfind(|section| section.heading_span.start <= added[0].span.start);
    let first_open = after.sections_of(SectionKind::OpenQuestions).next();
    assert_eq!(
        under.map(|section| section.heading_span.start),
        first_open.map(|section| section.heading_span.start),
        "the new question is not in the first open questions section"
    );

    check_blocks(target, new, &inserted, question, had_section);
    check_reading(before, &after, &splice.id);
}

/// The inserted range holds the heading (if there was no open questions
/// section), the question's list item and its context's, and no other
/// block: the question's text made no structure of its own.
fn check_blocks(
    target: &Target,
    new: &str,
    inserted: &Range<usize>,
    question: &NewQuestion,
    had_section: bool,
) {
    let context = question
        .context
        .as_deref()
        .map(|context| sanitize(context, DEFAULT_MAX_TEXT_CHARS))
        .is_some_and(|context| !context.is_empty());
    let (markdown, _) = front_matter(new);
    let outline = outline(&Arc::from(target.path.as_str()), &markdown);
    let blocks: Vec<&Block> = outline
        .blocks
        .iter()
        .filter(|block| inserted.contains(&block_start(block)))
        .collect();
    let items = blocks
        .iter()
        .filter(|block| matches!(block, Block::ListItem(_)))
        .count();
    let headings = blocks
        .iter()
        .filter(|block| matches!(block, Block::Heading { .. }))
        .count();
    assert_eq!(items, 1 + usize::from(context), "list items inserted");
    assert_eq!(headings, usize::from(!had_section), "headings inserted");
    assert_eq!(blocks.len(), items + headings, "other blocks inserted");
}

/// The old questions and tasks read as they did.
fn check_reading(before: &Document, after: &Document, id: &str) {
    let reading = |document: &Document| {
        let questions: Vec<_> = document
            .questions
            .iter()
            .filter(|question| question.id.as_deref() != Some(id))
            .map(|question| {
                (
                    question.id.clone(),
                    question.text.clone(),
                    question.answered,
                )
            })
            .collect();
        let tasks: Vec<_> = document
            .tasks
            .iter()
            .map(|task| (task.id.clone(), task.title.clone(), task.status))
            .collect();
        (questions, tasks)
    };
    assert_eq!(
        reading(after),
        reading(before),
        "the old questions and tasks"
    );
}

/// The `edit` target: every question with an id of `data` (as one feature
/// document of one layout, chosen by the input's length) answered, and
/// every task of it set to one status: each plan refuses, or its result
/// parses with that question answered by the cleaned text (that task at
/// the status), everything else reading as before, and every other line
/// kept. The input is `document NUL answer`.
pub fn answer_and_set_status(data: &[u8]) {
    let mut parts = data.splitn(2, |&byte| byte == 0);
    let document = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let answer = parts
        .next()
        .map_or_else(|| "Etsy only.".into(), String::from_utf8_lossy);
    let targets: Vec<Target> = targets()
        .into_iter()
        .filter(|target| target.feature)
        .collect();
    let target = &targets[data.len() % targets.len()];
    let statuses = [
        TaskStatus::Todo,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::Blocked,
    ];
    let status = statuses[data.len() / targets.len() % statuses.len()];
    check_answers(target, &document, &answer);
    check_statuses(target, &document, status);
}

/// What a change must leave reading as it did: every question, task and
/// heading, as text.
fn facts(document: &Document) -> (Vec<String>, Vec<String>, usize) {
    (
        document
            .questions
            .iter()
            .map(|question| {
                format!(
                    "{:?} {} {} {:?}",
                    question.id, question.text, question.answered, question.answer
                )
            })
            .collect(),
        document
            .tasks
            .iter()
            .map(|task| {
                format!(
                    "{} {} {:?} {:?}",
                    task.id, task.title, task.status, task.depends_on
                )
            })
            .collect(),
        document.sections.len(),
    )
}

/// `new` is `old` with at most one line changed, as `changed` allows, and
/// lines `added` inserted; every other line is kept, with its ending (the
/// last may gain one).
fn check_lines(
    old: &str,
    new: &str,
    changed: impl Fn(&str, &str) -> bool,
    added: impl Fn(&str) -> bool,
) {
    let old: Vec<&str> = old.split_inclusive('\n').collect();
    let new: Vec<&str> = new.split_inclusive('\n').collect();
    let bare = |line: &str| line.trim_end_matches(['\n', '\r']).to_string();
    let last = old.len().saturating_sub(1);
    let kept = |at: usize, line: &str| {
        old.get(at).is_some_and(|old_line| {
            *old_line == line || (at == last && bare(old_line) == bare(line))
        })
    };
    let (mut at, mut edited) = (0, 0);
    for (index, line) in new.iter().enumerate() {
        let next_is_kept = new.get(index + 1).is_none_or(|next| kept(at, next));
        if kept(at, line) {
            at += 1;
        } else if added(line) && next_is_kept {
            // An inserted line: the old one is still to come.
        } else if edited == 0
            && old
                .get(at)
                .is_some_and(|old_line| changed(&bare(old_line), &bare(line)))
        {
            edited += 1;
            at += 1;
        } else {
            panic!("line {line:?} is new (old line {:?})", old.get(at));
        }
    }
    assert_eq!(at, old.len(), "old lines were dropped");
}

fn check_answers(target: &Target, old: &str, answer: &str) {
    let before = parse_as(target, old);
    let ids: Vec<String> = before
        .questions
        .iter()
        .filter_map(|question| question.id.clone())
        .collect();
    for id in ids {
        let Ok(plan) = plan_answer(
            (target.layout, target.role),
            &target.path,
            old,
            &id,
            answer,
            DEFAULT_MAX_TEXT_CHARS,
        ) else {
            continue;
        };
        let expected = sanitize(answer, DEFAULT_MAX_TEXT_CHARS);
        assert_eq!(plan.answer, expected);
        let after = parse_as(target, &plan.new_text);
        check_document(&plan.new_text, &target.path, &after);
        let position = before
            .questions
            .iter()
            .position(|question| question.id.as_deref() == Some(id.as_str()))
            .expect("the question");
        let question = &after.questions[position];
        assert!(question.answered, "{id} is not answered");
        assert_eq!(question.answer.as_deref(), Some(expected.as_str()));
        let (mut old_facts, mut new_facts) = (facts(&before), facts(&after));
        old_facts.0.remove(position);
        new_facts.0.remove(position);
        assert_eq!(old_facts, new_facts, "something else changed");
        check_lines(
            old,
            &plan.new_text,
            |old_line, new_line| {
                new_line == old_line.replacen("[ ]", "[x]", 1)
                    || new_line.replacen("[x] ", "", 1) == old_line
            },
            |line| {
                line.trim_start_matches(['>', ' ', '\t'])
                    .starts_with("- A: ")
            },
        );
    }
}

fn check_statuses(target: &Target, old: &str, status: TaskStatus) {
    let before = parse_as(target, old);
    for (position, task) in before.tasks.iter().enumerate() {
        let Ok(plan) = plan_status(
            (target.layout, target.role),
            &target.path,
            old,
            &task.id,
            status,
        ) else {
            continue;
        };
        assert_eq!(plan.previous, task.status);
        let Some(new_text) = plan.new_text else {
            assert_eq!(task.status, status, "nothing written for another status");
            continue;
        };
        let after = parse_as(target, &new_text);
        check_document(&new_text, &target.path, &after);
        assert_eq!(after.tasks[position].status, status);
        let (mut old_facts, mut new_facts) = (facts(&before), facts(&after));
        old_facts.1.remove(position);
        new_facts.1.remove(position);
        assert_eq!(old_facts, new_facts, "something else changed");
        check_lines(
            old,
            &new_text,
            |old_line, new_line| {
                let old_parts: Vec<&str> = old_line.split(['[', ']']).collect();
                let new_parts: Vec<&str> = new_line.split(['[', ']']).collect();
                let box_changed = old_parts.len() >= 3
                    && old_parts.len() == new_parts.len()
                    && old_parts
                        .iter()
                        .zip(&new_parts)
                        .filter(|(old, new)| old != new)
                        .count()
                        == 1;
                let says_status = |line: &str| line.to_lowercase().contains("status");
                box_changed || (says_status(old_line) && says_status(new_line))
            },
            |line| line.trim_end() == format!("Status: {}", status.as_str()),
        );
    }
}
