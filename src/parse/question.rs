//! Recognises recorded questions: `- [ ] Q-3 (meta): text` (open) and
//! `- [x] Q-3 ...: text → A: answer` or with an `A:` sub-bullet (answered),
//! plain bullets under an open-questions heading, and `**Question**: …`
//! blocks with the `**Decision**:` or `**Answer**:` that settles them.

use crate::model::{Question, Section, SectionKind};
use crate::parse::markdown::{Block, Outline, children, collapse_whitespace, normalize_heading};

/// Every question in the outline, in document order.
pub fn questions(outline: &Outline, sections: &[Section]) -> Vec<Question> {
    let mut found = Vec::new();
    for (index, block) in outline.blocks.iter().enumerate() {
        let Block::ListItem(item) = block else {
            continue;
        };
        let child_answer = || {
            children(outline, index)
                .into_iter()
                .find_map(|child| strip_answer_label(&child.text).map(str::to_string))
        };
        if let Some((number, rest)) = split_id(&item.text) {
            let (meta, rest) = split_meta(rest);
            let (text, inline_answer) = split_answer(rest);
            let answer = inline_answer.or_else(child_answer);
            found.push(Question {
                id: Some(format!("Q-{number}")),
                number: Some(number),
                text,
                meta,
                answered: item.checked == Some(true),
                answer,
                source: outline.source(item.span.start),
                span: item.span.clone(),
            });
        } else if item.parent.is_none()
            && !item.text.is_empty()
            && labelled(&item.text, QUESTION).is_none()
            && in_open_questions(sections, item.span.start)
        {
            let (text, inline_answer, settled) =
                if let Some((question, answer)) = bold_question(&item.text) {
                    (question, Some(answer), true)
                } else {
                    let (text, answer) = split_answer(&item.text);
                    (text, answer, false)
                };
            let answer = inline_answer.or_else(child_answer);
            found.push(Question {
                id: None,
                number: None,
                text,
                meta: None,
                // A box says it either way; else a question written in bold
                // with what was decided after it is answered.
                answered: item.checked.unwrap_or(settled),
                answer,
                source: outline.source(item.span.start),
                span: item.span.clone(),
            });
        }
    }
    found
}

/// Labels that open a question.
const QUESTION: &[&str] = &["question"];
/// Labels that settle one.
const ANSWER: &[&str] = &["decision", "answer", "resolution", "resolved"];
/// A label that adds what is assumed meanwhile to an open question.
const ASSUMPTION: &[&str] = &["current assumption", "assumption"];

/// `**Question**: …` blocks (paragraphs or list items), as research notes,
/// decision logs and clarification lists write them. The answer is a
/// `**Decision**:`, `**Answer**:` or `**Resolution**:` in the same block or
/// in a block after it, before the next question or heading: then the
/// question is answered. Without one, it is an open question when it sits
/// under an open-questions or clarifications heading (with a following
/// `**Current Assumption**:` added to its text), and no question elsewhere.
pub fn labelled_questions(outline: &Outline, sections: &[Section]) -> Vec<Question> {
    let mut found = Vec::new();
    for (index, block) in outline.blocks.iter().enumerate() {
        let Some((text, span)) = block_text(block) else {
            continue;
        };
        let Some(rest) = labelled(text, QUESTION) else {
            continue;
        };
        let (question, inline_answer) = match find_label(rest, ANSWER) {
            Some((at, answer)) => (&rest[..at], Some(up_to_next_label(answer))),
            None => (rest, None),
        };
        let mut question = collapse_whitespace(up_to_next_label(question));
        let mut answer = inline_answer.map(str::to_string);
        let mut assumption = None;
        for later in &outline.blocks[index + 1..] {
            let Some((later_text, _)) = block_text(later) else {
                break;
            };
            if labelled(later_text, QUESTION).is_some() {
                break;
            }
            if answer.is_none()
                && let Some(settled) = labelled(later_text, ANSWER)
            {
                answer = Some(up_to_next_label(settled).to_string());
            } else if assumption.is_none()
                && let Some(assumed) = labelled(later_text, ASSUMPTION)
            {
                assumption = Some(up_to_next_label(assumed).to_string());
            }
        }
        let answered = answer.as_deref().is_some_and(|answer| !answer.is_empty());
        if !answered && !in_question_section(sections, span.start) {
            continue;
        }
        if let (false, Some(assumption)) = (answered, assumption) {
            question =
                collapse_whitespace(&format!("{question} (current assumption: {assumption})"));
        }
        if question.is_empty() {
            continue;
        }
        found.push(Question {
            id: None,
            number: None,
            text: question,
            meta: None,
            answer: answer
                .filter(|_| answered)
                .map(|answer| collapse_whitespace(&answer)),
            answered,
            source: outline.source(span.start),
            span: span.clone(),
        });
    }
    found
}

/// A paragraph's or list item's own text; `None` for a heading, which ends
/// what a question block can hold.
fn block_text(block: &Block) -> Option<(&str, &crate::model::Span)> {
    match block {
        Block::Paragraph { text, span } => Some((text, span)),
        Block::ListItem(item) => Some((&item.text, &item.span)),
        Block::Heading { .. } => None,
    }
}

/// Under an open-questions heading, or spec-kit's `Clarifications`.
fn in_question_section(sections: &[Section], offset: usize) -> bool {
    sections
        .iter()
        .filter(|section| section.body_span.contains(&offset))
        .any(|section| {
            section.kind == SectionKind::OpenQuestions
                || normalize_heading(&section.title) == "clarifications"
        })
}

/// `**Question:** text`, `**Question**: text` or `Question: text` with one
/// of `labels` (any case) gives `text`.
pub fn labelled<'a>(text: &'a str, labels: &[&str]) -> Option<&'a str> {
    let bare = text.trim_start().trim_start_matches('*');
    labels.iter().find_map(|label| {
        let head = bare.get(..label.len())?;
        if !head.eq_ignore_ascii_case(label) {
            return None;
        }
        let rest = bare[label.len()..].trim_start_matches('*');
        let rest = rest.strip_prefix(':')?;
        Some(rest.trim_start_matches('*').trim())
    })
}

/// Where a bold label (`**Decision**:` or `**Decision:**`) with one of
/// `labels` starts in `text`, and the text after it.
fn find_label<'a>(text: &'a str, labels: &[&str]) -> Option<(usize, &'a str)> {
    let mut from = 0;
    while let Some(found) = text[from..].find("**") {
        let at = from + found;
        if let Some(rest) = labelled(&text[at..], labels) {
            return Some((at, rest));
        }
        // Past the whole run of stars: a label can only start a run, and
        // trying each star of a long run again would be quadratic.
        let run = text[at..].len() - text[at..].trim_start_matches('*').len();
        from = at + run;
    }
    None
}

/// `text` up to the next bold label (`**Rationale**:`), which starts
/// another part of the block.
fn up_to_next_label(text: &str) -> &str {
    let mut from = 0;
    while let Some(found) = text[from..].find("**") {
        let at = from + found;
        let after = &text[at + 2..];
        let name_end = after.find(['*', ':']).unwrap_or(after.len());
        let name = &after[..name_end];
        let is_label = !name.is_empty()
            && name.len() <= 40
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
            && (after[name_end..].starts_with(":**") || after[name_end..].starts_with("**:"));
        if is_label {
            return text[..at].trim();
        }
        from = at + 2;
    }
    text.trim()
}

fn in_open_questions(sections: &[Section], offset: usize) -> bool {
    sections
        .iter()
        .filter(|section| section.body_span.contains(&offset))
        .max_by_key(|section| section.level)
        .is_some_and(|section| section.kind == SectionKind::OpenQuestions)
}

/// `Q-12 rest` (also bold `**Q-12**`) into `(12, "rest")`.
pub fn split_id(text: &str) -> Option<(u32, &str)> {
    let text = text.trim_start();
    let bold = text.starts_with("**");
    let text = text.trim_start_matches('*');
    let rest = text
        .strip_prefix("Q-")
        .or_else(|| text.strip_prefix("q-"))?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 10 {
        return None;
    }
    let number = rest[..digits].parse().ok()?;
    let mut rest = &rest[digits..];
    if bold {
        rest = rest.trim_start_matches('*');
    }
    if rest.chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    Some((number, rest))
}

/// An optional `(meta)` right after the id, then an optional `:` or dash.
fn split_meta(rest: &str) -> (Option<String>, &str) {
    let trimmed = rest.trim_start();
    let mut meta = None;
    let mut rest = trimmed;
    if let Some(inner) = trimmed.strip_prefix('(')
        && let Some(close) = inner.find(')')
    {
        meta = Some(inner[..close].trim().to_string());
        rest = &inner[close + 1..];
    }
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix(':')
        .or_else(|| rest.strip_prefix('—'))
        .or_else(|| rest.strip_prefix("- "))
        .unwrap_or(rest);
    (meta, rest.trim_start())
}

/// Splits `**Should drafts auto-send?** Current design: always draft.`:
/// a question in bold with what was settled written after it.
fn bold_question(text: &str) -> Option<(String, String)> {
    let inner = text.strip_prefix("**")?;
    let end = inner.find("**")?;
    let question = inner[..end].trim();
    let answer = inner[end + 2..]
        .trim_start_matches([':', '-', '—', '–'])
        .trim();
    (question.ends_with('?') && !answer.is_empty())
        .then(|| (question.to_string(), answer.to_string()))
}

/// Splits `question → A: answer` (or `-> A:`).
pub fn split_answer(text: &str) -> (String, Option<String>) {
    for arrow in ["→ A:", "-> A:", "→A:", "->A:"] {
        if let Some(at) = text.find(arrow) {
            let answer = text[at + arrow.len()..].trim();
            return (
                text[..at].trim().to_string(),
                (!answer.is_empty()).then(|| answer.to_string()),
            );
        }
    }
    (text.trim().to_string(), None)
}

fn strip_answer_label(text: &str) -> Option<&str> {
    let text = text.trim_start().trim_start_matches('*');
    let rest = text
        .strip_prefix("A:")
        .or_else(|| text.strip_prefix("Answer:"))?;
    Some(rest.trim_start_matches('*').trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_need_a_boundary() {
        assert_eq!(split_id("Q-3 (x): y"), Some((3, " (x): y")));
        assert_eq!(split_id("**Q-12**: y"), Some((12, ": y")));
        assert_eq!(split_id("Q-3a nope"), None);
        assert_eq!(split_id("Q- nope"), None);
        assert_eq!(split_id("Quick"), None);
    }

    #[test]
    fn question_blocks_end_at_the_next_label() {
        assert_eq!(
            labelled("**Question**: Which store?", QUESTION),
            Some("Which store?")
        );
        assert_eq!(labelled("**Question:** Which?", QUESTION), Some("Which?"));
        assert_eq!(labelled("Questions remain", QUESTION), None);
        let block = "Which store? **Decision**: Postgres **Rationale**: it is there";
        let (at, answer) = find_label(block, ANSWER).expect("an answer label");
        assert_eq!(up_to_next_label(&block[..at]), "Which store?");
        assert_eq!(up_to_next_label(answer), "Postgres");
    }

    #[test]
    fn a_bold_question_with_what_was_settled_after_it() {
        assert_eq!(
            bold_question("**Should drafts auto-send?** Current design: always draft."),
            Some((
                "Should drafts auto-send?".to_string(),
                "Current design: always draft.".to_string()
            ))
        );
        assert_eq!(bold_question("**Should drafts auto-send?**"), None);
        assert_eq!(bold_question("**Drafts**: always"), None);
        assert_eq!(bold_question("Should drafts auto-send?"), None);
    }

    #[test]
    fn answers_split_on_the_arrow() {
        assert_eq!(
            split_answer("Max size? → A: 10 MB"),
            ("Max size?".to_string(), Some("10 MB".to_string()))
        );
        assert_eq!(split_answer("Open?"), ("Open?".to_string(), None));
    }
}
