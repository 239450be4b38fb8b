//! Markdown text to an outline of headings, list items and paragraphs, each
//! with its byte span, and from the outline to sections.
//!
//! Built on pulldown-cmark's offset iterator. Item text is taken from the
//! original bytes (never re-rendered), so inline markdown such as `code`
//! survives and every span points at what the user wrote.

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::model::{Item, Section, SectionKind, Source, Span};

/// Line starts of a text, for turning byte offsets into 1-based lines.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        LineIndex { starts }
    }

    /// The 1-based line holding `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&start| start <= offset) as u32
    }
}

/// One block of the outline.
#[derive(Debug, Clone)]
pub enum Block {
    Heading {
        level: u8,
        title: String,
        /// The whole heading line(s).
        span: Span,
    },
    ListItem(ListItem),
    Paragraph {
        text: String,
        span: Span,
    },
}

#[derive(Debug, Clone)]
pub struct ListItem {
    /// 0 for an item of a top-level list, 1 for one nested in it, ...
    pub depth: usize,
    /// `Some(true)` for `[x]`, `Some(false)` for `[ ]`, `None` for a plain item.
    pub checked: Option<bool>,
    /// The item's own text (not its nested lists), marker and checkbox removed.
    pub text: String,
    /// The whole item, nested content included.
    pub span: Span,
    /// Index in the outline of the enclosing item, if nested.
    pub parent: Option<usize>,
}

/// A document's outline plus what is needed to cite it.
#[derive(Debug, Clone)]
pub struct Outline {
    pub blocks: Vec<Block>,
    pub lines: LineIndex,
    pub path: Arc<str>,
}

impl Outline {
    pub fn source(&self, offset: usize) -> Source {
        Source {
            path: self.path.clone(),
            line: self.lines.line(offset),
        }
    }
}

/// The byte offset where markdown starts: after a UTF-8 byte order mark.
pub fn content_start(text: &str) -> usize {
    if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    }
}

/// Builds the outline of `text`. Never fails.
pub fn outline(path: &Arc<str>, text: &str) -> Outline {
    let offset = content_start(text);
    let body = &text[offset..];
    let mut blocks = Vec::new();
    // Open list items as indices into `blocks`.
    let mut open_items: Vec<usize> = Vec::new();
    let mut heading: Option<(u8, Range<usize>, String)> = None;
    // Depth of containers (block quotes, footnotes) a paragraph may sit in.
    let mut container_depth = 0usize;

    let options = Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let range = range.start + offset..range.end + offset;
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, range, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, range, title)) = heading.take() {
                    blocks.push(Block::Heading {
                        level,
                        title: collapse_whitespace(&title),
                        span: range.start..line_end(text, range.end.saturating_sub(1)),
                    });
                }
            }
            Event::Text(fragment) | Event::Code(fragment) if heading.is_some() => {
                if let Some((_, _, title)) = heading.as_mut() {
                    title.push_str(&fragment);
                }
            }
            Event::Start(Tag::Item) => {
                let index = blocks.len();
                blocks.push(Block::ListItem(ListItem {
                    depth: open_items.len(),
                    checked: None,
                    text: String::new(),
                    span: range,
                    parent: open_items.last().copied(),
                }));
                open_items.push(index);
            }
            Event::End(TagEnd::Item) => {
                if let Some(index) = open_items.pop() {
                    fill_item_text(text, &mut blocks, index);
                }
            }
            Event::TaskListMarker(checked) => {
                if let Some(Block::ListItem(item)) =
                    open_items.last().and_then(|&index| blocks.get_mut(index))
                {
                    item.checked = Some(checked);
                }
            }
            Event::Start(Tag::BlockQuote(_) | Tag::FootnoteDefinition(_)) => {
                container_depth += 1;
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition) => {
                container_depth = container_depth.saturating_sub(1);
            }
            Event::Start(Tag::Paragraph) if open_items.is_empty() && container_depth == 0 => {
                blocks.push(Block::Paragraph {
                    text: collapse_whitespace(&text[range.clone()]),
                    span: range,
                });
            }
            _ => {}
        }
    }
    Outline {
        blocks,
        lines: LineIndex::new(text),
        path: path.clone(),
    }
}

/// The item's own text runs from after its marker to its first nested list
/// item (or its end).
fn fill_item_text(text: &str, blocks: &mut [Block], index: usize) {
    let Some(Block::ListItem(item)) = blocks.get(index) else {
        return;
    };
    let mut end = item.span.end;
    if let Some(Block::ListItem(child)) = blocks.get(index + 1)
        && child.parent == Some(index)
    {
        end = line_start(text, child.span.start);
    }
    let start = item.span.start;
    let end = end.max(start);
    let own = strip_marker(&text[start..end]);
    if let Some(Block::ListItem(item)) = blocks.get_mut(index) {
        item.text = collapse_whitespace(own);
    }
}

/// Removes a list marker (`-`, `*`, `+`, `1.`, `1)`) and a task checkbox.
fn strip_marker(raw: &str) -> &str {
    let rest = raw.trim_start();
    let rest = if let Some(stripped) = rest.strip_prefix(['-', '*', '+']) {
        stripped
    } else {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            rest[digits..].strip_prefix(['.', ')']).unwrap_or(rest)
        } else {
            rest
        }
    };
    let rest = rest.trim_start();
    // A box is only a task marker when whitespace follows it, as in GFM;
    // `[x]*` and `[-]` stay in the text for the layouts that read them.
    for checkbox in ["[ ]", "[x]", "[X]"] {
        if let Some(after) = rest.strip_prefix(checkbox)
            && (after.is_empty() || after.starts_with(char::is_whitespace))
        {
            return after.trim_start();
        }
    }
    rest
}

/// A YAML front matter block at the top of a file (`---` lines around
/// `key: value` lines): the text with the block blanked to spaces, so
/// offsets and lines stay those of the file, and the block's top-level
/// `key: value` pairs.
pub fn front_matter(text: &str) -> (std::borrow::Cow<'_, str>, Vec<(String, String)>) {
    let start = content_start(text);
    let mut lines = text[start..].split_inclusive('\n');
    let Some(first) = lines.next().filter(|line| line.trim_end() == "---") else {
        return (std::borrow::Cow::Borrowed(text), Vec::new());
    };
    let mut end = start + first.len();
    let mut pairs = Vec::new();
    let mut closed = false;
    for line in lines.by_ref().take(200) {
        end += line.len();
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            closed = true;
            break;
        }
        if !line.starts_with([' ', '\t'])
            && let Some((key, value)) = bare.split_once(':')
            && !key.trim().is_empty()
            && !key.contains(char::is_whitespace)
        {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            pairs.push((key.trim().to_string(), value.to_string()));
        }
    }
    if !closed || pairs.is_empty() {
        return (std::borrow::Cow::Borrowed(text), Vec::new());
    }
    let end = end.min(text.len());
    let mut blanked = String::with_capacity(text.len());
    blanked.push_str(&text[..start]);
    blanked.extend(text[start..end].bytes().map(|byte| {
        if byte == b'\n' || byte == b'\r' {
            char::from(byte)
        } else {
            ' '
        }
    }));
    blanked.push_str(&text[end..]);
    (std::borrow::Cow::Owned(blanked), pairs)
}

/// Spans of inline code removed: what a reader sees as prose.
pub fn without_code(text: &str) -> String {
    let mut result = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        if c == '`' {
            inside = !inside;
        } else if !inside {
            result.push(c);
        }
    }
    result
}

/// The list items nested directly in `blocks[index]`.
pub fn children(outline: &Outline, index: usize) -> Vec<&ListItem> {
    let Some(Block::ListItem(item)) = outline.blocks.get(index) else {
        return Vec::new();
    };
    outline.blocks[index + 1..]
        .iter()
        .map_while(|block| match block {
            Block::ListItem(child) if child.depth > item.depth => Some(child),
            _ => None,
        })
        .filter(|child| child.parent == Some(index))
        .collect()
}

/// The list a label opens: the run of list items right after the block at
/// `index` (an `**Acceptance Scenarios**:` or `**Non-Goals:**` paragraph,
/// a heading), as a range of blocks; empty when no list follows.
pub fn list_after(outline: &Outline, index: usize) -> Range<usize> {
    let start = index + 1;
    let Some(rest) = outline.blocks.get(start..) else {
        return start..start;
    };
    let length = rest
        .iter()
        .position(|block| !matches!(block, Block::ListItem(_)))
        .unwrap_or(rest.len());
    start..start + length
}

/// The items nested in the list item at `index` (a `- **Non-Goals:**`
/// label over bullets), each with its own nested items as details.
pub fn nested_items(outline: &Outline, index: usize) -> Vec<Item> {
    let Some(Block::ListItem(parent)) = outline.blocks.get(index) else {
        return Vec::new();
    };
    let end = outline.blocks[index + 1..]
        .iter()
        .position(|block| match block {
            Block::ListItem(item) => !(parent.span.contains(&item.span.start)),
            _ => true,
        })
        .map_or(outline.blocks.len(), |offset| index + 1 + offset);
    items(outline, index + 1..end)
}

/// Joins lines and runs of whitespace into single spaces.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Offset just past the line ending of the line holding `offset`.
pub fn line_end(text: &str, offset: usize) -> usize {
    match text.get(offset..).and_then(|rest| rest.find('\n')) {
        Some(at) => offset + at + 1,
        None => text.len(),
    }
}

/// Offset of the start of the line holding `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |at| at + 1)
}

/// Turns an outline into sections: one per heading, with the items that sit
/// directly under it.
pub fn sections(outline: &Outline, text: &str) -> Vec<Section> {
    let text_len = text.len();
    let headings: Vec<(usize, u8, &str, &Span)> = outline
        .blocks
        .iter()
        .enumerate()
        .filter_map(|(index, block)| match block {
            Block::Heading { level, title, span } => Some((index, *level, title.as_str(), span)),
            _ => None,
        })
        .collect();

    headings
        .iter()
        .enumerate()
        .map(|(position, &(index, level, title, span))| {
            let body_end = headings[position + 1..]
                .iter()
                .find(|(_, next_level, _, _)| *next_level <= level)
                .map_or(text_len, |(_, _, _, next_span)| next_span.start);
            let direct_end = headings
                .get(position + 1)
                .map_or(outline.blocks.len(), |(next_index, ..)| *next_index);
            let body_span = span.end.min(body_end)..body_end;
            Section {
                title: title.to_string(),
                kind: section_kind(title),
                level,
                source: outline.source(span.start),
                heading_span: span.clone(),
                empty: is_blank(text.get(body_span.clone()).unwrap_or_default()),
                body_span,
                items: items(outline, index + 1..direct_end),
            }
        })
        .collect()
}

/// Where `needle` is written inside HTML (a block, or inline), outside
/// code: byte offsets into `text`. Templates leave their instructions in
/// HTML comments, which render as nothing and so hide from a reviewer.
pub fn in_html(text: &str, needle: &str) -> Vec<usize> {
    if !text.contains(needle) {
        return Vec::new();
    }
    let offset = content_start(text);
    let mut found = Vec::new();
    let mut search = |range: Range<usize>| {
        let range = range.start + offset..range.end + offset;
        let Some(html) = text.get(range.clone()) else {
            return;
        };
        found.extend(html.match_indices(needle).map(|(at, _)| range.start + at));
    };
    for (event, range) in Parser::new(&text[offset..]).into_offset_iter() {
        match event {
            Event::Start(Tag::HtmlBlock) | Event::InlineHtml(_) => search(range),
            _ => {}
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Whether `text` holds nothing but whitespace and HTML comments.
fn is_blank(text: &str) -> bool {
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            return true;
        }
        let Some(comment) = trimmed.strip_prefix("<!--") else {
            return false;
        };
        match comment.find("-->") {
            Some(end) => rest = &comment[end + 3..],
            // An unclosed comment runs to the end, as CommonMark reads it.
            None => return true,
        }
    }
}

/// Top-level list items and paragraphs among `blocks[range]`, nested items
/// folded into their parent's details; items with no text dropped.
pub fn items(outline: &Outline, range: Range<usize>) -> Vec<Item> {
    let mut result = all_items(outline, range);
    result.retain(|item| !item.text.is_empty() || !item.details.is_empty());
    result
}

/// As [`items`], but keeping the empty ones: what the writer needs to find
/// where a section's list really ends.
pub fn all_items(outline: &Outline, range: Range<usize>) -> Vec<Item> {
    let mut result: Vec<Item> = Vec::new();
    let mut top_depth = usize::MAX;
    for block in &outline.blocks[range] {
        match block {
            Block::ListItem(item) => {
                if item.depth <= top_depth || result.is_empty() {
                    top_depth = item.depth;
                    result.push(Item {
                        text: item.text.clone(),
                        details: Vec::new(),
                        source: outline.source(item.span.start),
                        span: item.span.clone(),
                    });
                } else if let Some(parent) = result.last_mut()
                    && !item.text.is_empty()
                {
                    parent.details.push(item.text.clone());
                }
            }
            Block::Paragraph { text, span } => {
                top_depth = usize::MAX;
                result.push(Item {
                    text: text.clone(),
                    details: Vec::new(),
                    source: outline.source(span.start),
                    span: span.clone(),
                });
            }
            Block::Heading { .. } => {}
        }
    }
    result
}

/// Lowercase words of a heading, punctuation and leading numbering removed:
/// "2. Out-of-Scope:" becomes "out of scope".
pub fn normalize_heading(title: &str) -> String {
    // A trailing aside such as spec-kit's `*(mandatory)*` says nothing about
    // what the section is.
    let trimmed = title.trim().trim_end_matches(['*', '_']).trim_end();
    let title = match trimmed.strip_suffix(')').and_then(|rest| rest.rfind('(')) {
        Some(open) if open > 0 => trimmed[..open].trim_end().trim_end_matches(['*', '_']),
        _ => title,
    };
    let spaced: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = spaced
        .split_whitespace()
        .skip_while(|word| word.chars().all(|c| c.is_ascii_digit()))
        .collect();
    words.join(" ")
}

/// Recognises a section by its heading, with the aliases people use.
pub fn section_kind(title: &str) -> SectionKind {
    let normalized = normalize_heading(title);
    let name = normalized
        .strip_prefix("the ")
        .unwrap_or(&normalized)
        .replace("nongoals", "non goals");
    match name.as_str() {
        "overview" | "summary" | "introduction" | "background" | "context" | "why" => {
            SectionKind::Overview
        }
        "outcomes" | "measurable outcomes" | "success metrics" => SectionKind::Outcomes,
        "surface area" => SectionKind::SurfaceArea,
        "goals" | "objectives" | "goals non goals" => SectionKind::Goals,
        "non goals" | "non goal" => SectionKind::NonGoals,
        "user stories" | "stories" | "user scenarios" | "user scenarios testing" => {
            SectionKind::UserStories
        }
        "requirements" | "functional requirements" | "non functional requirements" => {
            SectionKind::Requirements
        }
        "acceptance criteria" | "acceptance" | "acceptance tests" | "success criteria" => {
            SectionKind::AcceptanceCriteria
        }
        "test plan" | "tests" | "testing" | "verification" | "how to test" | "test strategy" => {
            SectionKind::TestPlan
        }
        "out of scope"
        | "not in scope"
        | "scope exclusions"
        | "explicitly out of scope"
        | "won t do"
        | "wont do" => SectionKind::OutOfScope,
        "risks" | "risks and mitigations" => SectionKind::Risks,
        "alternatives"
        | "alternatives considered"
        | "considered alternatives"
        | "rejected alternatives"
        | "options considered"
        | "alternative approaches" => SectionKind::Alternatives,
        "open questions"
        | "questions"
        | "risks open questions"
        | "risks and open questions"
        | "unresolved questions"
        | "open issues"
        | "items requiring clarification"
        | "needs clarification"
        | "clarifications needed" => SectionKind::OpenQuestions,
        "architecture constraints"
        | "constraints"
        | "technical constraints"
        | "architectural constraints" => SectionKind::ArchitectureConstraints,
        "definition of done" | "dod" | "done criteria" => SectionKind::DefinitionOfDone,
        "exclusions" | "excluded" | "anti goals" | "what we re not building" | "not doing" => {
            SectionKind::OutOfScope
        }
        // `Out of scope for v1`, `Non-goals for this release`: the first
        // words say what the section is.
        name if starts_with_words(
            name,
            &["out of scope", "not in scope", "explicitly out of scope"],
        ) =>
        {
            SectionKind::OutOfScope
        }
        name if starts_with_words(name, &["non goals", "non goal", "anti goals"]) => {
            SectionKind::NonGoals
        }
        // `What this contract deliberately does NOT include`.
        name if [
            " not include",
            " not included",
            " not cover",
            " not covered",
        ]
        .iter()
        .any(|phrase| name.ends_with(phrase)) =>
        {
            SectionKind::OutOfScope
        }
        _ => SectionKind::Other,
    }
}

/// Whether `name` is one of `prefixes` followed by more words.
fn starts_with_words(name: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(' '))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_match_aliases() {
        let check =
            |title: &str, kind: SectionKind| assert_eq!(section_kind(title), kind, "{title}");
        check("Out of scope", SectionKind::OutOfScope);
        check("Out-of-Scope", SectionKind::OutOfScope);
        check("Not in scope", SectionKind::OutOfScope);
        check("Non-goals", SectionKind::NonGoals);
        check("Non-Goals:", SectionKind::NonGoals);
        check("Risks / open questions", SectionKind::OpenQuestions);
        check("2. Questions", SectionKind::OpenQuestions);
        check("Definition of Done", SectionKind::DefinitionOfDone);
        check("Architecture", SectionKind::Other);
        check(
            "Success Criteria *(mandatory)*",
            SectionKind::AcceptanceCriteria,
        );
        check("Goals / Non-Goals", SectionKind::Goals);
        check("Alternatives Considered", SectionKind::Alternatives);
    }

    #[test]
    fn front_matter_is_blanked_whatever_its_line_endings() {
        for text in [
            "---\r\ninclusion: always\r\n---\u{a0}\n# T\n",
            "---  \ninclusion: always\n---\n- item\n",
            "---\ninclusion: manual\n---",
        ] {
            let (blanked, pairs) = front_matter(text);
            assert_eq!(blanked.len(), text.len(), "{text:?}");
            assert_eq!(pairs.len(), 1, "{text:?}");
            assert!(!blanked.contains("---"), "{blanked:?}");
        }
        let (_, pairs) = front_matter("---\n\nNo pairs here\n---\n");
        assert!(pairs.is_empty(), "a thematic break is not front matter");
    }

    #[test]
    fn lines_are_one_based() {
        let index = LineIndex::new("a\nb\r\nc");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 2);
        assert_eq!(index.line(5), 3);
    }

    #[test]
    fn marker_and_checkbox_are_stripped() {
        assert_eq!(strip_marker("- [ ] Q-1 text"), "Q-1 text");
        assert_eq!(strip_marker("  12. item"), "item");
        assert_eq!(strip_marker("* [x] done"), "done");
    }
}
