//! Recognises recorded questions: `- [ ] Q-3 (meta): text` (open) and
//! `- [x] Q-3 ...: text → A: answer` or with an `A:` sub-bullet (answered),
//! plus plain bullets under an open-questions heading.

use crate::model::{Question, Section, SectionKind};
use crate::parse::markdown::{Block, Outline, children};

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
            && in_open_questions(sections, item.span.start)
        {
            let (text, inline_answer) = split_answer(&item.text);
            let answer = inline_answer.or_else(child_answer);
            found.push(Question {
                id: None,
                number: None,
                text,
                meta: None,
                answered: item.checked == Some(true),
                answer,
                source: outline.source(item.span.start),
                span: item.span.clone(),
            });
        }
    }
    found
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
    fn answers_split_on_the_arrow() {
        assert_eq!(
            split_answer("Max size? → A: 10 MB"),
            ("Max size?".to_string(), Some("10 MB".to_string()))
        );
        assert_eq!(split_answer("Open?"), ("Open?".to_string(), None));
    }
}
