//! The invariants of parsing and writing, checked on any input: by the
//! property tests with generated text and by the fuzz targets with what
//! libFuzzer finds. The fuzz crate includes this file by path, so it names
//! the library as `spec_mcp` and nothing of the test crate but `targets`.
//!
//! Parsing never panics and everything it reports points into the text.
//! An append refuses, or keeps every old byte, adds exactly one question
//! and no structure made of the question's text, and leaves the old
//! questions and tasks reading as they did. An answer or a status refuses,
//! or changes that question or task alone and keeps every other line.
//!
//! Each check returns what is wrong as a [`Broken`]: the property tests fail
//! the case with it, the fuzz targets panic with it.

use std::ops::Range;
use std::sync::Arc;

use spec_mcp::edit::{
    DEFAULT_MAX_TEXT_CHARS, EditError, NewQuestion, Plan, Splice, plan_answer, plan_append_in,
    plan_status, sanitize,
};
use spec_mcp::model::{Document, Item, Section, SectionKind, Source, Span, TaskStatus};
use spec_mcp::parse::markdown::{Block, front_matter, outline};

use crate::targets::{Target, parse_as};

/// What a check found wrong.
#[derive(Debug)]
pub struct Broken(pub String);

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Broken {}

/// Fails the check with the message unless `condition` holds.
macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(Broken(format!($($message)+)));
        }
    };
}

/// Fails the check unless both sides are equal, saying what each was.
macro_rules! ensure_eq {
    ($left:expr, $right:expr, $($message:tt)+) => {
        match (&$left, &$right) {
            (left, right) => {
                if left != right {
                    return Err(Broken(format!(
                        "{}: {left:?} is not {right:?}",
                        format!($($message)+)
                    )));
                }
            }
        }
    };
}

/// Where a document's spans and sources must point.
pub struct Bounds<'a> {
    text: &'a str,
    path: &'a str,
    /// Lines as the parser counts them: one more than the `\n`s, so the end
    /// of the text is on the last line.
    lines: usize,
}

impl<'a> Bounds<'a> {
    pub fn new(text: &'a str, path: &'a str) -> Bounds<'a> {
        Bounds {
            text,
            path,
            lines: text.matches('\n').count() + 1,
        }
    }

    pub fn span(&self, what: &str, span: &Span) -> Result<(), Broken> {
        ensure!(
            span.start <= span.end && span.end <= self.text.len(),
            "{what}: span {span:?} is not within the text of {} bytes",
            self.text.len()
        );
        ensure!(
            self.text.is_char_boundary(span.start) && self.text.is_char_boundary(span.end),
            "{what}: span {span:?} splits a character"
        );
        Ok(())
    }

    pub fn source(&self, what: &str, source: &Source) -> Result<(), Broken> {
        ensure_eq!(&*source.path, self.path, "{what}: source path");
        ensure!(
            source.line >= 1 && source.line as usize <= self.lines,
            "{what}: line {} is not within the {} lines of the text",
            source.line,
            self.lines
        );
        Ok(())
    }

    pub fn item(&self, what: &str, item: &Item) -> Result<(), Broken> {
        self.span(what, &item.span)?;
        self.source(what, &item.source)
    }

    /// Every span and source of the document.
    pub fn document(&self, document: &Document) -> Result<(), Broken> {
        for (index, section) in document.sections.iter().enumerate() {
            let what = format!("section {index} `{}`", section.title);
            self.span(&format!("{what} heading"), &section.heading_span)?;
            self.span(&format!("{what} body"), &section.body_span)?;
            self.source(&what, &section.source)?;
            for (number, item) in section.items.iter().enumerate() {
                self.item(&format!("{what} item {number}"), item)?;
            }
        }
        for (index, question) in document.questions.iter().enumerate() {
            let what = format!("question {index} `{}`", question.text);
            self.span(&what, &question.span)?;
            self.source(&what, &question.source)?;
        }
        for task in &document.tasks {
            let what = format!("task {}", task.id);
            self.span(&what, &task.span)?;
            self.source(&what, &task.source)?;
            for item in task.acceptance_criteria.iter().chain(&task.test_plan) {
                self.item(&format!("{what} criterion `{}`", item.text), item)?;
            }
        }
        for criterion in &document.criteria {
            self.item(
                &format!("criterion `{}`", criterion.item.text),
                &criterion.item,
            )?;
        }
        for item in document.out_of_scope.iter().chain(&document.non_goals) {
            self.item(&format!("exclusion `{}`", item.text), item)?;
        }
        for diagnostic in &document.diagnostics {
            self.source(
                &format!("diagnostic `{}`", diagnostic.message),
                &diagnostic.source,
            )?;
        }
        Ok(())
    }
}

/// Parses `text` as `target` and checks every span and source; a panic in
/// the parser fails too.
pub fn check_parse(target: &Target, text: &str) -> Result<(), Broken> {
    let document = parse_as(target, text);
    Bounds::new(text, &target.path)
        .document(&document)
        .map_err(|error| Broken(format!("{target:?}: {error}")))
}

/// Where the outline of `text` starts a block.
fn block_start(block: &Block) -> usize {
    match block {
        Block::Heading { span, .. } | Block::Paragraph { span, .. } => span.start,
        Block::ListItem(item) => item.span.start,
    }
}

/// The writer's plan for appending `question` to `old` as `target`.
fn plan_append(target: &Target, old: &str, question: &NewQuestion) -> Result<Plan, EditError> {
    plan_append_in(
        target.layout,
        &target.path,
        target.role,
        old,
        &[],
        question,
        DEFAULT_MAX_TEXT_CHARS,
    )
}

/// What the append of `question` to `old` may do: refuse, find it already
/// recorded, or splice in one line (and a heading, when there was no open
/// questions section) that keeps every old byte and reads back as exactly
/// one more question ([`check_append_keeps_meaning`] checks what the old
/// text then says).
pub fn check_append(target: &Target, old: &str, question: &NewQuestion) -> Result<(), Broken> {
    let body = sanitize(&question.text, DEFAULT_MAX_TEXT_CHARS);
    let before = parse_as(target, old);
    let splice = match plan_append(target, old, question) {
        Err(EditError::EmptyQuestion) => {
            ensure!(body.is_empty(), "refused as empty: {body:?}");
            return Ok(());
        }
        // Refusing is always allowed; what matters is what a plan writes.
        Err(_) => return Ok(()),
        Ok(Plan::Existing { id, .. }) => {
            ensure!(
                before
                    .questions
                    .iter()
                    .any(|question| question.id.as_deref() == Some(&id) && !question.answered),
                "{id} is said to be recorded, but no open question has that id"
            );
            return Ok(());
        }
        Ok(Plan::Splice(splice)) => splice,
    };
    ensure!(!body.is_empty(), "an empty question was planned");
    check_splice(target, old, &before, &body, question, &splice)
}

/// What the append of `question` to `old` leaves as it was, when it
/// splices: the old questions and tasks read the same after it.
pub fn check_append_keeps_meaning(
    target: &Target,
    old: &str,
    question: &NewQuestion,
) -> Result<(), Broken> {
    let Ok(Plan::Splice(splice)) = plan_append(target, old, question) else {
        return Ok(());
    };
    let before = parse_as(target, old);
    let after = parse_as(target, &splice.new_text);
    let id = splice.id.as_str();
    let questions = |document: &Document| -> Vec<_> {
        document
            .questions
            .iter()
            .filter(|question| question.id.as_deref() != Some(id))
            .map(|question| {
                (
                    question.id.clone(),
                    question.text.clone(),
                    question.answer.clone(),
                    question.answered,
                )
            })
            .collect()
    };
    ensure_eq!(questions(&after), questions(&before), "the old questions");
    let tasks = |document: &Document| -> Vec<_> {
        document
            .tasks
            .iter()
            .map(|task| (task.id.clone(), task.title.clone(), task.status))
            .collect()
    };
    ensure_eq!(tasks(&after), tasks(&before), "the tasks");
    Ok(())
}

// One check per invariant, in the order the format states them; splitting
// it would only scatter them.
#[allow(clippy::too_many_lines)]
fn check_splice(
    target: &Target,
    old: &str,
    before: &Document,
    body: &str,
    question: &NewQuestion,
    splice: &Splice,
) -> Result<(), Broken> {
    let new = splice.new_text.as_str();

    // The old text is the new text minus one contiguous range.
    ensure!(new.len() > old.len(), "nothing was inserted");
    let at = splice.at;
    let end = at + (new.len() - old.len());
    ensure!(at <= old.len(), "insertion point {at} is past the end");
    ensure_eq!(new.get(..at), old.get(..at), "bytes before the insert");
    ensure_eq!(new.get(end..), old.get(at..), "bytes after the insert");
    ensure_eq!(
        new.get(at..end),
        Some(splice.inserted.as_str()),
        "the inserted text"
    );
    let inserted: Range<usize> = at..end;

    // It parses, within bounds, with exactly one more question: ours.
    let after = parse_as(target, new);
    Bounds::new(new, &target.path).document(&after)?;
    ensure_eq!(
        after.questions.len(),
        before.questions.len() + 1,
        "questions after the append"
    );
    let added: Vec<_> = after
        .questions
        .iter()
        .filter(|question| inserted.contains(&question.span.start))
        .collect();
    ensure_eq!(added.len(), 1, "questions in the inserted text");
    let added = added[0];
    ensure_eq!(added.id.as_deref(), Some(splice.id.as_str()), "the new id");
    ensure_eq!(added.text.as_str(), body, "the new question's text");
    ensure!(!added.answered, "the new question reads as answered");
    ensure_eq!(added.source.line, splice.line, "the reported line");

    // No heading but, when there was no open questions section, one.
    let had_section = before
        .sections_of(SectionKind::OpenQuestions)
        .next()
        .is_some();
    let (new_sections, kept): (Vec<&Section>, Vec<&Section>) = after
        .sections
        .iter()
        .partition(|section| inserted.contains(&section.heading_span.start));
    let titles = |sections: Vec<&Section>| -> Vec<(u8, String)> {
        sections
            .into_iter()
            .map(|section| (section.level, section.title.clone()))
            .collect()
    };
    ensure_eq!(
        titles(kept),
        titles(before.sections.iter().collect()),
        "the old headings"
    );
    if had_section {
        ensure!(
            new_sections.is_empty(),
            "a heading was added: {new_sections:?}"
        );
    } else {
        ensure_eq!(new_sections.len(), 1, "open questions sections added");
        ensure_eq!(
            new_sections[0].title.as_str(),
            "Open questions",
            "the added heading"
        );
        ensure_eq!(
            new_sections[0].kind,
            SectionKind::OpenQuestions,
            "the added section"
        );
        ensure!(new_sections[0].level >= 2, "the added heading is a title");
    }

    // It sits in the first open-questions section (SPEC_FORMAT.md §6),
    // the one it added if there was none: that is the last heading before it.
    let under = after
        .sections
        .iter()
        .rfind(|section| section.heading_span.start <= added.span.start);
    let first_open = after.sections_of(SectionKind::OpenQuestions).next();
    ensure!(
        under.map(|section| section.heading_span.start)
            == first_open.map(|section| section.heading_span.start),
        "the new question sits under {:?}, not the first open questions section",
        under.map(|section| &section.title)
    );

    // The question's own text adds no structure: the inserted text holds
    // the heading (if any), the question's list item and the context's,
    // and no other block; each on one line.
    let context = question
        .context
        .as_deref()
        .map(|context| sanitize(context, DEFAULT_MAX_TEXT_CHARS))
        .is_some_and(|context| !context.is_empty());
    let expected_items = 1 + usize::from(context);
    let expected_headings = usize::from(!had_section);
    // Read as the parser reads it: front matter blanked, offsets kept.
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
    ensure_eq!(items, expected_items, "list items in the inserted text");
    ensure_eq!(headings, expected_headings, "headings in the inserted text");
    ensure!(
        blocks.len() == items + headings,
        "other blocks in the inserted text: {blocks:?}"
    );
    let lines = splice
        .inserted
        .lines()
        .filter(|line| !line.trim().is_empty())
        .count();
    ensure_eq!(
        lines,
        expected_items + expected_headings,
        "non-blank inserted lines"
    );
    Ok(())
}

/// The lines of `text`, each with its ending.
fn lines_of(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// `new` is `old` with one line changed (`changed` says how it may) and
/// lines `added` inserted, every other line kept in order, with its
/// ending (the last line may gain one).
fn lines_kept(
    old: &str,
    new: &str,
    changed: impl Fn(&str, &str) -> bool,
    added: impl Fn(&str) -> bool,
) -> Result<(), Broken> {
    let (old, new) = (lines_of(old), lines_of(new));
    let bare = |line: &str| line.trim_end_matches(['\n', '\r']).to_string();
    let last = old.len().saturating_sub(1);
    let kept = |at: usize, line: &str| {
        old.get(at).is_some_and(|old_line| {
            *old_line == line || (at == last && bare(old_line) == bare(line))
        })
    };
    let (mut at, mut edited, mut inserted) = (0, 0, 0);
    for (index, line) in new.iter().enumerate() {
        let next_is_kept = new.get(index + 1).is_none_or(|next| kept(at, next));
        let may_change = edited == 0
            && old
                .get(at)
                .is_some_and(|old_line| changed(&bare(old_line), &bare(line)));
        // A line that may be either the changed one or an inserted one is
        // the changed one when what follows is then kept.
        let change_fits = new
            .get(index + 1)
            .map_or(at + 1 == old.len(), |next| kept(at + 1, next));
        if kept(at, line) {
            at += 1;
        } else if may_change && change_fits {
            edited += 1;
            at += 1;
        } else if added(line) && next_is_kept {
            inserted += 1;
        } else if may_change {
            edited += 1;
            at += 1;
        } else {
            return Err(Broken(format!(
                "line {line:?} is new (old line {:?})",
                old.get(at)
            )));
        }
    }
    ensure_eq!(at, old.len(), "old lines kept");
    ensure!(edited + inserted > 0, "nothing changed");
    Ok(())
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

/// Answers every question with an id in `old` with `answer`: each plan
/// refuses, or its result parses within bounds with that question answered
/// by the cleaned text, everything else reading as before and every other
/// line kept. How many were written.
pub fn check_answer(target: &Target, old: &str, answer: &str) -> Result<usize, Broken> {
    let before = parse_as(target, old);
    let mut written = 0;
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
        written += 1;
        let expected = sanitize(answer, DEFAULT_MAX_TEXT_CHARS);
        ensure_eq!(plan.answer, expected, "the answer recorded");
        let after = parse_as(target, &plan.new_text);
        Bounds::new(&plan.new_text, &target.path).document(&after)?;
        let position = before
            .questions
            .iter()
            .position(|question| question.id.as_deref() == Some(id.as_str()))
            .expect("the question");
        let question = &after.questions[position];
        ensure!(question.answered, "{id} is not answered");
        ensure_eq!(
            question.answer.as_deref(),
            Some(expected.as_str()),
            "{id}'s answer"
        );
        let (mut old_facts, mut new_facts) = (facts(&before), facts(&after));
        old_facts.0.remove(position);
        new_facts.0.remove(position);
        ensure_eq!(old_facts, new_facts, "everything but {id}");
        lines_kept(
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
        )?;
    }
    Ok(written)
}

/// Sets every task of `old` to `status`: each plan refuses, or its result
/// parses within bounds with that task at the status, everything else
/// reading as before and every other line kept. How many were written.
pub fn check_status(target: &Target, old: &str, status: TaskStatus) -> Result<usize, Broken> {
    let before = parse_as(target, old);
    let mut written = 0;
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
        ensure_eq!(plan.previous, task.status, "{}'s status before", task.id);
        let Some(new_text) = plan.new_text else {
            ensure_eq!(task.status, status, "nothing written for another status");
            continue;
        };
        written += 1;
        let after = parse_as(target, &new_text);
        Bounds::new(&new_text, &target.path).document(&after)?;
        ensure_eq!(after.tasks[position].status, status, "{}'s status", task.id);
        let (mut old_facts, mut new_facts) = (facts(&before), facts(&after));
        old_facts.1.remove(position);
        new_facts.1.remove(position);
        ensure_eq!(old_facts, new_facts, "everything but {}", task.id);
        lines_kept(
            old,
            &new_text,
            |old_line, new_line| {
                // One box or one status word differs, nothing else.
                let old_rest: Vec<&str> = old_line.split(['[', ']']).collect();
                let new_rest: Vec<&str> = new_line.split(['[', ']']).collect();
                let box_changed = old_rest.len() >= 3
                    && old_rest.len() == new_rest.len()
                    && old_rest
                        .iter()
                        .zip(&new_rest)
                        .filter(|(old, new)| old != new)
                        .count()
                        == 1;
                let says_status = |line: &str| line.to_lowercase().contains("status");
                box_changed || (says_status(old_line) && says_status(new_line))
            },
            |line| line.trim_end() == format!("Status: {}", status.as_str()),
        )?;
    }
    Ok(written)
}
