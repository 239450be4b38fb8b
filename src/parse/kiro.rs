//! Kiro: `.kiro/specs/<name>/` holding `requirements.md` (numbered
//! requirements, each with EARS acceptance criteria `WHEN ... THEN ...
//! SHALL ...`) or `bugfix.md`, `design.md`, and `tasks.md` (`- [ ] 1. ...`
//! with steps `- [ ] 1.1 ...` linking `_Requirements: 1.1, 2.3_`);
//! `.kiro/steering/*.md` bind every spec.

use crate::model::{Criterion, Document, DocumentRole, Layout, Question, Section, SectionKind};
use crate::parse::Convention;
use crate::parse::markdown::{Block, Outline, collapse_whitespace, normalize_heading};

pub const CONVENTION: Convention = Convention {
    layout: Layout::Kiro,
    qualifier: "kiro",
    base: ".kiro/specs",
    skip: &[],
    markers: &["requirements.md", "bugfix.md", "design.md"],
    documents: &[
        ("requirements.md", DocumentRole::Prd),
        ("bugfix.md", DocumentRole::Prd),
        ("design.md", DocumentRole::TechSpec),
        ("tasks.md", DocumentRole::Tasks),
    ],
    primary: &["requirements.md", "bugfix.md", "design.md", "tasks.md"],
    project: &[(".kiro/steering/*.md", DocumentRole::Principles)],
    project_in_base: false,
    reference: false,
};

/// Reads Kiro's conventions in one document.
pub fn document(document: &mut Document, outline: &Outline, _text: &str) {
    if document.role != DocumentRole::Prd {
        return;
    }
    let mut criteria = Vec::new();
    for (position, section) in document.sections.iter().enumerate() {
        let subsections = document.sections[position + 1..]
            .iter()
            .take_while(|next| next.level > section.level);
        if let Some((number, name)) = requirement(&section.title) {
            let group = match name {
                Some(name) => format!("Requirement {number}: {name}"),
                None => format!("Requirement {number}"),
            };
            let listed = subsections
                .filter(|sub| sub.kind == SectionKind::AcceptanceCriteria)
                .flat_map(|sub| sub.items.iter());
            for (index, item) in listed.enumerate() {
                criteria.push(Criterion {
                    item: item.clone(),
                    group: Some(group.clone()),
                    keys: vec![format!("{number}.{}", index + 1), number.to_string()],
                });
            }
        } else if section.kind == SectionKind::AcceptanceCriteria
            && !ancestors(&document.sections[..position], section.level)
                .any(|ancestor| requirement(&ancestor.title).is_some())
        {
            criteria.extend(section.items.iter().map(|item| Criterion {
                item: item.clone(),
                group: None,
                keys: Vec::new(),
            }));
        } else if matches!(
            normalize_heading(&section.title).as_str(),
            "expected behavior"
                | "expected behaviour"
                | "unchanged behavior"
                | "unchanged behaviour"
        ) {
            criteria.extend(section.items.iter().map(|item| Criterion {
                item: item.clone(),
                group: Some(section.title.clone()),
                keys: Vec::new(),
            }));
        }
    }
    document.criteria.extend(criteria);
    clarification_items(document, outline);
}

/// The headings enclosing a heading of `level` that follows `before`,
/// nearest first.
fn ancestors(before: &[Section], level: u8) -> impl Iterator<Item = &Section> {
    let mut level = level;
    before.iter().rev().filter(move |section| {
        let encloses = section.level < level;
        if encloses {
            level = section.level;
        }
        encloses
    })
}

/// `Requirement 3` or `Requirement 3: Sticky totals` gives `(3, name)`.
fn requirement(title: &str) -> Option<(u32, Option<&str>)> {
    let rest = title.trim().strip_prefix("Requirement")?.trim_start();
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let number = rest[..digits].parse().ok()?;
    let name = rest[digits..]
        .trim_start_matches([':', '.', '-', '—', '–', ' '])
        .trim();
    Some((number, (!name.is_empty()).then_some(name)))
}

/// Under an open-questions heading ("Items requiring clarification"),
/// paragraphs of the form `**Question:** ...`, each with the
/// `**Current Assumption:** ...` that follows it.
fn clarification_items(document: &mut Document, outline: &Outline) {
    let ranges: Vec<_> = document
        .sections
        .iter()
        .filter(|section| section.kind == SectionKind::OpenQuestions)
        .map(|section| section.heading_span.start..section.body_span.end)
        .collect();
    let mut found: Vec<Question> = Vec::new();
    for range in ranges {
        for block in super::blocks_in(outline, range) {
            let Block::Paragraph { text, span } = block else {
                continue;
            };
            if let Some(question) = labelled(text, "question") {
                found.push(Question {
                    id: None,
                    number: None,
                    text: question.to_string(),
                    meta: None,
                    answer: None,
                    answered: false,
                    source: outline.source(span.start),
                    span: span.clone(),
                });
            } else if let Some(assumption) = labelled(text, "current assumption")
                && let Some(last) = found.last_mut()
            {
                last.text = collapse_whitespace(&format!(
                    "{} (current assumption: {assumption})",
                    last.text
                ));
            }
        }
    }
    document.questions.extend(found);
    document
        .questions
        .sort_by_key(|question| question.span.start);
}

/// `**Question:** text` with the label `question` gives `text`.
fn labelled<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let bare = text.trim_start().trim_start_matches('*');
    let head = bare.get(..label.len())?;
    if !head.eq_ignore_ascii_case(label) {
        return None;
    }
    let rest = bare[label.len()..].trim_start_matches('*');
    let rest = rest.strip_prefix(':')?;
    Some(rest.trim_start_matches('*').trim())
}
