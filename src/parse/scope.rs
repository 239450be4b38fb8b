//! What is excluded, wherever a person writes it down: under a heading
//! (`## Out of scope`, `## Non-Goals`, and their sub-headings), in the list
//! a bold label opens (`**Non-Goals:**`, `**Out of scope:**`, `**Excluded
//! from MVP:**`, also as a list item with nested bullets), and in sections of
//! a later phase (`## Post-MVP`, `## Future work` saying it is out of scope).
//!
//! Every layout shares these forms; they run before a layout's own hook.

use crate::model::{Document, Item, SectionKind};
use crate::parse::markdown::{Block, Outline, items, list_after, nested_items, normalize_heading};

/// Which kind of exclusion a label or heading states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exclusion {
    OutOfScope,
    NonGoal,
}

impl Exclusion {
    fn of(kind: SectionKind) -> Option<Exclusion> {
        match kind {
            SectionKind::OutOfScope => Some(Exclusion::OutOfScope),
            SectionKind::NonGoals => Some(Exclusion::NonGoal),
            _ => None,
        }
    }
}

/// Reads every form of exclusion into the document: later-phase sections
/// and sub-headings of exclusion sections become exclusion sections, label
/// items of those sections give way to their nested bullets, and labelled
/// lists anywhere else land in `out_of_scope` or `non_goals`, taken out of
/// the section that holds them.
pub fn exclusions(document: &mut Document, outline: &Outline) {
    later_phases(document, outline);
    adopt_sub_sections(document);
    expand_group_labels(document, outline);
    labelled_lists(document, outline);
    refused_requirements(document);
}

/// Phrases by which a requirement refuses to build something.
const REFUSING: [&str; 6] = [
    "must not implement",
    "must not build",
    "shall not implement",
    "shall not build",
    "will not implement",
    "will not build",
];

/// A requirement of a PRD-like document that refuses to build something
/// (`FR-022: The system MUST NOT implement multi-agent orchestration in
/// v1`) is an exclusion too; it stays where it is written as well.
fn refused_requirements(document: &mut Document) {
    if document.role != crate::model::DocumentRole::Prd {
        return;
    }
    let refused: Vec<Item> = document
        .sections
        .iter()
        .filter(|section| Exclusion::of(section.kind).is_none())
        .flat_map(|section| section.items.iter())
        .filter(|item| {
            let lower = item.text.to_lowercase();
            REFUSING.iter().any(|phrase| lower.contains(phrase))
        })
        .cloned()
        .collect();
    for item in refused {
        if !document
            .out_of_scope
            .iter()
            .any(|known| known.span == item.span)
        {
            document.out_of_scope.push(item);
        }
    }
}

/// Phrases that say a section's content is not part of this work.
const EXCLUDING: [&str; 20] = [
    "do not build",
    "don't build",
    "not to be built",
    "not build",
    "out of scope",
    "out-of-scope",
    "not in scope",
    "outside the scope",
    "outside of scope",
    "excluded",
    "not part of",
    "will not be",
    "won't be",
    "not be implemented",
    "not be built",
    "not included",
    "deferred",
    "post-mvp",
    "post mvp",
    "not in this release",
];

/// Headings naming a later phase, by their first words once normalized.
const LATER: [&str; 9] = [
    "future",
    "post mvp",
    "later",
    "deferred",
    "beyond mvp",
    "out of mvp",
    "next phase",
    "phase 2",
    "v2",
];

fn excludes(text: &str) -> bool {
    let lower = text.to_lowercase();
    EXCLUDING.iter().any(|phrase| lower.contains(phrase))
}

/// A section of a later phase (`## Future enhancements`, `## Post-MVP`) is
/// out of scope when its heading or its opening paragraph says it is
/// excluded from this work: "Post-MVP" does by itself, "Future work" needs
/// "(out of scope)" or "These are not part of this release.".
fn later_phases(document: &mut Document, outline: &Outline) {
    for section in &mut document.sections {
        if section.kind != SectionKind::Other {
            continue;
        }
        let name = normalize_heading(&section.title);
        let later = LATER
            .iter()
            .any(|phase| name == *phase || name.starts_with(&format!("{phase} ")));
        if !later {
            continue;
        }
        let opening = outline
            .blocks
            .iter()
            .find_map(|block| match block {
                Block::Paragraph { text, span } if section.body_span.contains(&span.start) => {
                    Some(text.as_str())
                }
                Block::Heading { span, .. }
                | Block::ListItem(crate::parse::markdown::ListItem { span, .. })
                    if section.body_span.contains(&span.start) =>
                {
                    Some("")
                }
                _ => None,
            })
            .unwrap_or_default();
        if excludes(&section.title) {
            section.kind = SectionKind::OutOfScope;
        } else if excludes(opening) {
            section.kind = SectionKind::OutOfScope;
            // The paragraph that says so is not itself an exclusion.
            section.items.retain(|item| item.text != opening);
        }
    }
}

/// Sub-headings of an exclusion section (`## Out of scope` › `### Billing`)
/// are exclusions of the same kind, unless they say what they are.
fn adopt_sub_sections(document: &mut Document) {
    let mut enclosing: Option<(u8, SectionKind)> = None;
    for section in &mut document.sections {
        if let Some((level, kind)) = enclosing {
            if section.level > level {
                if section.kind == SectionKind::Other {
                    section.kind = kind;
                }
                continue;
            }
            enclosing = None;
        }
        if Exclusion::of(section.kind).is_some() {
            enclosing = Some((section.level, section.kind));
        }
    }
}

/// In an exclusion section, an item that only names a group
/// (`- **Integrations:**` over nested bullets) stands for its bullets, each
/// an exclusion with its own line.
fn expand_group_labels(document: &mut Document, outline: &Outline) {
    for section in &mut document.sections {
        if Exclusion::of(section.kind).is_none() {
            continue;
        }
        let mut expanded = Vec::with_capacity(section.items.len());
        for item in section.items.drain(..) {
            match nested_under_label(outline, &item) {
                Some(children) if !children.is_empty() && is_group_label(&item.text) => {
                    expanded.extend(children);
                }
                // A paragraph such as `**Explicitly excluded:**` introduces
                // the list after it.
                None if is_group_label(&item.text) => {}
                _ => expanded.push(item),
            }
        }
        section.items = expanded;
    }
}

/// `**Integrations:**`, `Billing:`, `**Later**`: text that only names what
/// follows.
fn is_group_label(text: &str) -> bool {
    let bare = text.trim().trim_matches(|c| c == '*' || c == '_').trim();
    let wholly_bold =
        text.trim().starts_with("**") && text.trim().ends_with("**") && !bare.contains("**");
    (bare.ends_with(':') || wholly_bold) && bare.split_whitespace().count() <= 8
}

/// The items nested directly in the list item `item`, when it is one.
fn nested_under_label(outline: &Outline, item: &Item) -> Option<Vec<Item>> {
    let index = outline.blocks.iter().position(
        |block| matches!(block, Block::ListItem(list_item) if list_item.span == item.span),
    )?;
    Some(nested_items(outline, index))
}

/// `**Out of scope:** PDF export`, `Non-Goals:`, `**Excluded from MVP**:`:
/// the exclusion a label states and the text after it.
fn label(text: &str) -> Option<(Exclusion, &str)> {
    let trimmed = text.trim_start();
    let (head, rest) = match trimmed.find(':') {
        Some(colon) if colon <= 80 => (&trimmed[..colon], &trimmed[colon + 1..]),
        _ if trimmed.starts_with("**") && trimmed.ends_with("**") => (trimmed, ""),
        _ => return None,
    };
    let head = head.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
    if head.contains('`') {
        return None;
    }
    // `Deferred behind ports (non-goals v1):` says what it is in its aside;
    // `**MVP Excludes** (can be added later):` in its first words.
    let aside = head
        .strip_suffix(')')
        .and_then(|inner| inner.rfind('(').map(|open| &inner[open + 1..]))
        .and_then(exclusion_named);
    let exclusion = aside.or_else(|| exclusion_named(head))?;
    Some((exclusion, rest.trim_start_matches(['*', '_']).trim()))
}

/// The exclusion a label's words name: `Non-Goals`, `Out of scope for v1`,
/// `Excluded from MVP`, `MVP excludes`, `Deferred`.
fn exclusion_named(words: &str) -> Option<Exclusion> {
    let name = normalize_heading(words).replace("nongoal", "non goal");
    if name.split_whitespace().count() > 8 {
        return None;
    }
    let starts = |prefixes: &[&str]| {
        prefixes
            .iter()
            .any(|prefix| name == *prefix || name.starts_with(&format!("{prefix} ")))
    };
    if starts(&["non goal", "non goals", "anti goals"]) {
        Some(Exclusion::NonGoal)
    } else if starts(&[
        "out of scope",
        "not in scope",
        "explicitly out of scope",
        "excluded",
        "explicitly excluded",
        "exclusions",
        "scope exclusions",
        "not included",
        "outside the scope",
        "won t do",
        "wont do",
        "excludes",
        "mvp excludes",
        "not in mvp",
        "out of mvp",
    ]) {
        Some(Exclusion::OutOfScope)
    } else {
        None
    }
}

/// Lists opened by a label (a paragraph, or a list item over nested
/// bullets) and labelled one-liners, outside exclusion sections; each goes
/// to `out_of_scope` or `non_goals`, and is taken out of the section that
/// held it so it is not also served as that section's content.
fn labelled_lists(document: &mut Document, outline: &Outline) {
    let excluded_ranges: Vec<std::ops::Range<usize>> = document
        .sections
        .iter()
        .filter(|section| Exclusion::of(section.kind).is_some())
        .map(|section| section.body_span.clone())
        .collect();
    let in_exclusion_section =
        |offset: usize| excluded_ranges.iter().any(|range| range.contains(&offset));
    let mut found: Vec<(Exclusion, Item)> = Vec::new();
    // Spans of items served elsewhere now: labels and what they opened.
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    let mut index = 0;
    while index < outline.blocks.len() {
        let block = &outline.blocks[index];
        index += 1;
        match block {
            Block::Paragraph { text, span } if !in_exclusion_section(span.start) => {
                let Some((exclusion, rest)) = label(text) else {
                    continue;
                };
                taken.push(span.clone());
                let list = list_after(outline, index - 1);
                let end = list.end;
                if !list.is_empty() {
                    for item in items(outline, list) {
                        taken.push(item.span.clone());
                        found.push((exclusion, item));
                    }
                    index = end;
                } else if !rest.is_empty() {
                    found.push((
                        exclusion,
                        Item {
                            text: rest.to_string(),
                            details: Vec::new(),
                            source: outline.source(span.start),
                            span: span.clone(),
                        },
                    ));
                }
            }
            Block::ListItem(list_item) if !in_exclusion_section(list_item.span.start) => {
                let Some((exclusion, rest)) = label(&list_item.text) else {
                    continue;
                };
                let nested = nested_items(outline, index - 1);
                taken.push(list_item.span.clone());
                if rest.is_empty() {
                    for item in nested {
                        taken.push(item.span.clone());
                        found.push((exclusion, item));
                    }
                } else {
                    found.push((
                        exclusion,
                        Item {
                            text: rest.to_string(),
                            details: nested.into_iter().map(|item| item.text).collect(),
                            source: outline.source(list_item.span.start),
                            span: list_item.span.clone(),
                        },
                    ));
                }
                // Its nested items were read with it.
                while let Some(Block::ListItem(next)) = outline.blocks.get(index) {
                    if !list_item.span.contains(&next.span.start) {
                        break;
                    }
                    index += 1;
                }
            }
            _ => {}
        }
    }
    for section in &mut document.sections {
        section.items.retain(|item| !taken.contains(&item.span));
    }
    for (exclusion, item) in found {
        match exclusion {
            Exclusion::OutOfScope => document.out_of_scope.push(item),
            Exclusion::NonGoal => document.non_goals.push(item),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_an_exclusion() {
        let check = |text: &str, expected: Option<(Exclusion, &str)>| {
            assert_eq!(label(text), expected, "{text}");
        };
        check("**Non-Goals:**", Some((Exclusion::NonGoal, "")));
        check("**Non-Goals**", Some((Exclusion::NonGoal, "")));
        check(
            "**Out of scope:** PDF export",
            Some((Exclusion::OutOfScope, "PDF export")),
        );
        check("**Excluded from MVP:**", Some((Exclusion::OutOfScope, "")));
        check(
            "**Out of Scope**: printing",
            Some((Exclusion::OutOfScope, "printing")),
        );
        check("Out of scope for v1:", Some((Exclusion::OutOfScope, "")));
        check(
            "Deferred behind ports (non-goals v1): voice",
            Some((Exclusion::NonGoal, "voice")),
        );
        check(
            "**MVP Excludes** (can be added in subsequent sprints):",
            Some((Exclusion::OutOfScope, "")),
        );
        check("**Goals:**", None);
        check("Out of scope items are listed below.", None);
        check("Note: nothing here is out of scope", None);
        check("`out of scope`: a code span", None);
    }

    #[test]
    fn group_labels_only_name_what_follows() {
        assert!(is_group_label("**Integrations:**"));
        assert!(is_group_label("Billing:"));
        assert!(is_group_label("**Later**"));
        assert!(!is_group_label("PDF export"));
        assert!(!is_group_label("**PDF** export, and printing"));
    }
}
