//! OpenSpec: each change in `openspec/changes/<id>/` (`proposal.md`,
//! `design.md`, `tasks.md`, and delta specs `specs/<capability>/spec.md`
//! with `## ADDED|MODIFIED|REMOVED|RENAMED Requirements`, `### Requirement:`
//! and `#### Scenario:`) is a feature; so is each capability in
//! `openspec/specs/<capability>/`, the current truth. `openspec/project.md`
//! or the `context` of `openspec/config.yaml` binds every one.

use std::sync::Arc;

use crate::model::{Criterion, Document, DocumentRole, Item, Layout, Section};
use crate::parse::markdown::{Block, Outline, collapse_whitespace, normalize_heading};
use crate::parse::{Convention, TaskFormat};

const PROJECT: &[(&str, DocumentRole)] = &[
    ("openspec/project.md", DocumentRole::Principles),
    (CONFIG_FILE, DocumentRole::Principles),
];

/// The configuration whose `context` binds every change.
pub const CONFIG_FILE: &str = "openspec/config.yaml";

/// Changes in progress; `archive/` holds finished ones.
pub const CHANGES: Convention = Convention {
    layout: Layout::OpenSpec,
    qualifier: "openspec",
    base: "openspec/changes",
    skip: &["archive"],
    markers: &["proposal.md", "design.md", "specs/*/spec.md"],
    documents: &[
        ("proposal.md", DocumentRole::Prd),
        ("specs/*/spec.md", DocumentRole::Prd),
        ("design.md", DocumentRole::TechSpec),
        ("tasks.md", DocumentRole::Tasks),
    ],
    // OpenSpec asks for open questions in design.md; without one, the
    // proposal.
    primary: &["design.md", "proposal.md", "tasks.md"],
    project: PROJECT,
    project_in_base: false,
    reference: false,
};

/// Capabilities as built: the current truth a change's deltas apply to.
pub const SPECS: Convention = Convention {
    layout: Layout::OpenSpec,
    qualifier: "openspec-spec",
    base: "openspec/specs",
    skip: &[],
    markers: &["spec.md"],
    documents: &[
        ("spec.md", DocumentRole::Prd),
        ("design.md", DocumentRole::TechSpec),
    ],
    primary: &["spec.md", "design.md"],
    project: PROJECT,
    project_in_base: false,
    reference: true,
};

/// Numbered checklist tasks under numbered groups.
pub const TASK_FORMAT: TaskFormat = TaskFormat {
    layout: Layout::OpenSpec,
    criteria: "A change's acceptance criteria are the `#### Scenario:` headings (WHEN/THEN) \
               under each `### Requirement:` of its delta specs, \
               `specs/<capability>/spec.md`, under `## ADDED Requirements` (or MODIFIED, \
               REMOVED). Tasks do not link criteria: name the requirement a task serves in \
               its title.",
    example: "\
## 3. Order export

- [ ] 3.1 Write tests for the CSV writer: commas, quotes, line breaks
- [ ] 3.2 Write one order per row in `src/export/csv.ts`
- [ ] 3.3 Add the Export button to the order list (depends on 3.2)
",
};

/// Reads OpenSpec's conventions in one document.
pub fn document(document: &mut Document, _outline: &Outline, _text: &str) {
    if document.role != DocumentRole::Prd {
        return;
    }
    let capability = capability(&document.path);
    let mut criteria = Vec::new();
    let sections = &document.sections;
    for (position, section) in sections.iter().enumerate() {
        let Some(name) = requirement_name(&section.title) else {
            continue;
        };
        let operation = sections[..position]
            .iter()
            .rev()
            .find(|previous| previous.level < section.level)
            .and_then(|parent| delta_operation(&parent.title));
        let mut group = match operation {
            Some(operation) => format!("{operation} Requirement: {name}"),
            None => format!("Requirement: {name}"),
        };
        if let Some(capability) = capability {
            group = format!("{capability} / {group}");
        }
        let scenarios: Vec<&Section> = sections[position + 1..]
            .iter()
            .take_while(|next| next.level > section.level)
            .filter(|next| scenario_name(&next.title).is_some())
            .collect();
        if operation == Some("REMOVED") || scenarios.is_empty() {
            // The requirement's own statement (or a removal's reason) is
            // what must hold.
            let statement: Vec<&str> = section
                .items
                .iter()
                .map(|item| item.text.as_str())
                .collect();
            let text = match operation {
                Some("REMOVED") if statement.is_empty() => format!("{name} is removed"),
                Some("REMOVED") => format!("{name} is removed: {}", statement.join(" ")),
                _ => statement.join(" "),
            };
            // A statement is cited where it starts; a removal, which
            // opens with the requirement's name, at its heading.
            let source = match (operation, section.items.first()) {
                (Some("REMOVED"), _) | (_, None) => section.source.clone(),
                (_, Some(first)) => first.source.clone(),
            };
            if !text.is_empty() {
                criteria.push(Criterion {
                    item: Item {
                        text,
                        details: Vec::new(),
                        source,
                        span: section.heading_span.start..section.body_span.end,
                    },
                    group: Some(group.clone()),
                    keys: Vec::new(),
                });
            }
            continue;
        }
        for scenario in scenarios {
            let title = scenario_name(&scenario.title).unwrap_or_default();
            let steps: Vec<&str> = scenario
                .items
                .iter()
                .map(|item| item.text.as_str())
                .collect();
            criteria.push(Criterion {
                item: Item {
                    text: collapse_whitespace(&format!("{title}: {}", steps.join(" "))),
                    details: Vec::new(),
                    source: scenario.source.clone(),
                    span: scenario.heading_span.start..scenario.body_span.end,
                },
                group: Some(group.clone()),
                keys: Vec::new(),
            });
        }
    }
    // RENAMED entries are `FROM:` / `TO:` bullets.
    for section in sections
        .iter()
        .filter(|section| delta_operation(&section.title) == Some("RENAMED"))
    {
        for item in &section.items {
            criteria.push(Criterion {
                item: item.clone(),
                group: Some(match capability {
                    Some(capability) => format!("{capability} / RENAMED Requirements"),
                    None => "RENAMED Requirements".to_string(),
                }),
                keys: Vec::new(),
            });
        }
    }
    document.criteria.extend(criteria);
    super::section_criteria(document);
}

/// `openspec/changes/x/specs/cli-init/spec.md` names the capability
/// `cli-init` (a delta spec; a capability's own `spec.md` names none).
pub fn capability(path: &str) -> Option<&str> {
    let mut parts = path.rsplit('/');
    let file = parts.next()?;
    let capability = parts.next()?;
    let specs = parts.next()?;
    (file == "spec.md" && specs == "specs" && parts.next() != Some("openspec"))
        .then_some(capability)
}

/// `ADDED Requirements` gives `ADDED`.
fn delta_operation(title: &str) -> Option<&'static str> {
    let normalized = normalize_heading(title);
    ["added", "modified", "removed", "renamed"]
        .into_iter()
        .find(|operation| normalized == format!("{operation} requirements"))
        .map(|operation| match operation {
            "added" => "ADDED",
            "modified" => "MODIFIED",
            "removed" => "REMOVED",
            _ => "RENAMED",
        })
}

fn requirement_name(title: &str) -> Option<&str> {
    named(title, "Requirement:")
}

fn scenario_name(title: &str) -> Option<&str> {
    named(title, "Scenario:")
}

fn named<'a>(title: &'a str, label: &str) -> Option<&'a str> {
    let title = title.trim();
    let head = title.get(..label.len())?;
    head.eq_ignore_ascii_case(label)
        .then(|| title[label.len()..].trim())
        .filter(|name| !name.is_empty())
}

/// The `context` of `openspec/config.yaml` as a project-wide document: its
/// text parsed as markdown, each item citing its line in the YAML file.
pub fn config_document(path: Arc<str>, text: &str) -> Document {
    let Some((first_line, context)) = context_block(text) else {
        return Document::empty(path, DocumentRole::Principles);
    };
    let mut document =
        super::document_in(Layout::OpenSpec, path, DocumentRole::Principles, &context);
    let shift = |line: &mut u32| *line += first_line - 1;
    for section in &mut document.sections {
        shift(&mut section.source.line);
        for item in &mut section.items {
            shift(&mut item.source.line);
        }
    }
    for diagnostic in &mut document.diagnostics {
        shift(&mut diagnostic.source.line);
    }
    // What comes before the context's first heading (all of it, when it
    // has none) stands under a heading of its own.
    let outline = crate::parse::markdown::outline(&document.path, &context);
    let leading = outline
        .blocks
        .iter()
        .position(|block| matches!(block, Block::Heading { .. }))
        .unwrap_or(outline.blocks.len());
    if leading > 0 {
        let mut items = crate::parse::markdown::items(&outline, 0..leading);
        for item in &mut items {
            shift(&mut item.source.line);
            // Spans point into the extracted context, not the YAML file.
            item.span = 0..0;
        }
        document.sections.insert(
            0,
            Section {
                title: "Project context".to_string(),
                kind: crate::model::SectionKind::Other,
                level: 2,
                source: crate::model::Source {
                    path: document.path.clone(),
                    line: first_line,
                },
                heading_span: 0..0,
                body_span: 0..0,
                empty: items.is_empty(),
                items,
            },
        );
        document
            .diagnostics
            .retain(|diagnostic| diagnostic.message != "the file is empty");
    }
    document
}

/// The value of the top-level `context:` key: a `|` or `>` block (its
/// lines de-indented) or a one-line string, with the 1-based line the
/// value starts on.
fn context_block(text: &str) -> Option<(u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let (index, value) = lines.iter().enumerate().find_map(|(index, line)| {
        line.strip_prefix("context:")
            .map(|value| (index, value.trim()))
    })?;
    let block = value.is_empty() || value.starts_with('|') || value.starts_with('>');
    if !block {
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        return Some((index as u32 + 1, value.to_string()));
    }
    let body: Vec<&str> = lines[index + 1..]
        .iter()
        .take_while(|line| line.trim().is_empty() || line.starts_with([' ', '\t']))
        .copied()
        .collect();
    let indent = body
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let dedented: Vec<&str> = body
        .iter()
        .map(|line| line.get(indent..).unwrap_or("").trim_end())
        .collect();
    Some((index as u32 + 2, dedented.join("\n")))
}
