//! Kiro: `.kiro/specs/<name>/` holding `requirements.md` (numbered
//! requirements, each with EARS acceptance criteria `WHEN ... THEN ...
//! SHALL ...`) or `bugfix.md`, `design.md`, and `tasks.md` (`- [ ] 1. ...`
//! with steps `- [ ] 1.1 ...` linking `_Requirements: 1.1, 2.3_`);
//! `.kiro/steering/*.md` bind every spec.

use crate::model::{Criterion, Document, DocumentRole, Layout, Section, SectionKind};
use crate::parse::markdown::{Outline, normalize_heading};
use crate::parse::{Convention, TaskFormat};

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

/// Numbered checklist tasks with steps, linking requirements.
pub const TASK_FORMAT: TaskFormat = TaskFormat {
    layout: Layout::Kiro,
    criteria: "A task's acceptance criteria are the EARS criteria (WHEN ... THEN the system \
               SHALL ...) of `requirements.md` that its `_Requirements:` line names: `2.1` \
               is one criterion, `2` every criterion of requirement 2. Write new criteria \
               there, numbered under their requirement.",
    example: "\
- [ ] 3. Export the order list as CSV
  - Add the export endpoint and the Export button
  - _Requirements: 2.1, 2.2_
  - [ ] 3.1 Write tests for the CSV writer: commas, quotes, line breaks
    - _Requirements: 2.2_
  - [ ] 3.2 Write one order per row in `src/export/csv.ts`
    - _Requirements: 2.1_
",
};

/// Reads Kiro's conventions in one document.
pub fn document(document: &mut Document, _outline: &Outline, _text: &str) {
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
