//! The writer: appending a question to a feature's open questions.
//!
//! Most cases go through the pure `plan_append` and compare whole documents
//! byte for byte (`check(before, question, after)`), each also with CRLF line
//! endings. The rest drive the real `Writer` over a temporary copy of
//! `tests/fixtures/edit/kit`: what lands on disk, refusals that leave files
//! untouched, and many writers at once.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use spec_mcp::edit::{
    DEFAULT_MAX_TEXT_CHARS, EditError, NewQuestion, Plan, Splice, Writer, plan_append,
};
use spec_mcp::model::{Document, DocumentRole, Question};
use spec_mcp::parse;
use spec_mcp::workspace::{Workspace, WorkspaceError};

use crate::support::{fixture, temp_copy};

/// Where the document under test pretends to live.
const PATH: &str = "specs/upload/prd.md";

/// What every case appends to, unless it says otherwise: one open question
/// in the middle of the document.
const BASE: &str = "\
# Upload images

## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): Which formats are accepted?

## Risks

- Storage costs grow quickly.
";

/// A question asked by `test-client` on 2026-11-24, no task, no context.
fn ask(text: &str) -> NewQuestion {
    NewQuestion {
        text: text.to_string(),
        context: None,
        task: None,
        asked_by: "test-client".to_string(),
        date: "2026-11-24".to_string(),
    }
}

fn with_context(text: &str, context: &str) -> NewQuestion {
    NewQuestion {
        context: Some(context.to_string()),
        ..ask(text)
    }
}

fn with_task(text: &str, task: &str) -> NewQuestion {
    NewQuestion {
        task: Some(task.to_string()),
        ..ask(text)
    }
}

fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

fn parse_at(path: &str, text: &str) -> Document {
    parse::document(Arc::from(path), DocumentRole::Prd, text)
}

fn plan(before: &str, others: &[&Question], question: &NewQuestion) -> Plan {
    plan_append(
        PATH,
        DocumentRole::Prd,
        before,
        others,
        question,
        DEFAULT_MAX_TEXT_CHARS,
    )
    .unwrap_or_else(|error| {
        panic!("plan_append failed: {error}\n--- before ---\n{before}");
    })
}

fn splice(before: &str, others: &[&Question], question: &NewQuestion) -> Splice {
    match plan(before, others, question) {
        Plan::Splice(splice) => splice,
        existing @ Plan::Existing { .. } => {
            panic!("expected a splice, got {existing:?}\n--- before ---\n{before}")
        }
    }
}

/// Appending `question` to `before` gives exactly `after`, with LF and again
/// with CRLF line endings.
fn check(before: &str, question: &NewQuestion, after: &str) {
    check_with_others(before, &[], question, after);
}

fn check_with_others(before: &str, others: &[&Question], question: &NewQuestion, after: &str) {
    check_exact(before, others, question, after);
    check_exact(&crlf(before), others, question, &crlf(after));
}

/// The splice of one line ending: the whole new text, the bytes around the
/// insert, the reported line, and what a re-parse finds.
fn check_exact(before: &str, others: &[&Question], question: &NewQuestion, after: &str) {
    let splice = splice(before, others, question);
    assert_eq!(
        splice.new_text, after,
        "\n--- before ---\n{before}\n--- got ---\n{}\n--- expected ---\n{after}",
        splice.new_text
    );
    assert_eq!(&splice.new_text[..splice.at], &before[..splice.at]);
    assert_eq!(
        &splice.new_text[splice.at + splice.inserted.len()..],
        &before[splice.at..]
    );
    let old = parse_at(PATH, before);
    let new = parse_at(PATH, after);
    assert_eq!(new.questions.len(), old.questions.len() + 1);
    let added = new
        .questions
        .iter()
        .find(|question| question.id.as_deref() == Some(splice.id.as_str()))
        .expect("the new question is parsed back");
    assert_eq!(
        added.source.line, splice.line,
        "reported line of {}",
        splice.id
    );
    assert!(!added.answered);
    assert_eq!(added.answer, None);
}

/// Appending `question` to a document finds it already recorded.
fn check_existing(
    before: &str,
    others: &[&Question],
    question: &NewQuestion,
    id: &str,
    source: &str,
) {
    for before in [before.to_string(), crlf(before)] {
        let expected = Plan::Existing {
            id: id.to_string(),
            source: source.to_string(),
        };
        assert_eq!(plan(&before, others, question), expected, "\n{before}");
    }
}

// 1. Where the line goes and which id it gets.

#[test]
fn appends_after_the_last_question_in_the_middle_of_a_document() {
    check(
        "\
# Upload images

## Overview

Users upload up to four images.

## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): Which formats are accepted?
- [x] Q-2 (2026-11-02, asked by bob): Maximum file size? → A: 10 MB

## Risks

- Storage costs grow quickly.
",
        &ask("Should uploads resume after a dropped connection?"),
        "\
# Upload images

## Overview

Users upload up to four images.

## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): Which formats are accepted?
- [x] Q-2 (2026-11-02, asked by bob): Maximum file size? → A: 10 MB
- [ ] Q-3 (2026-11-24, asked by test-client): Should uploads resume after a dropped connection?

## Risks

- Storage costs grow quickly.
",
    );
}

#[test]
fn next_id_is_one_past_the_highest_even_with_gaps() {
    check(
        "\
## Open questions

- [ ] Q-7 (2026-11-01, asked by alice): Later one?
- [ ] Q-1 (2026-11-01, asked by alice): First one?

## Risks
",
        &ask("Next?"),
        "\
## Open questions

- [ ] Q-7 (2026-11-01, asked by alice): Later one?
- [ ] Q-1 (2026-11-01, asked by alice): First one?
- [ ] Q-8 (2026-11-24, asked by test-client): Next?

## Risks
",
    );
}

#[test]
fn next_id_counts_questions_outside_the_section() {
    check(
        "\
## Risks

- [ ] Q-20 (2026-11-01, asked by alice): Is storage cost a risk?

## Open questions

- [ ] Q-3 (2026-11-01, asked by alice): First one?
",
        &ask("Next?"),
        "\
## Risks

- [ ] Q-20 (2026-11-01, asked by alice): Is storage cost a risk?

## Open questions

- [ ] Q-3 (2026-11-01, asked by alice): First one?
- [ ] Q-21 (2026-11-24, asked by test-client): Next?
",
    );
}

/// Questions in the feature's other documents, as `Writer` passes them.
fn tech_spec_questions() -> Vec<Question> {
    parse::document(
        Arc::from("specs/upload/tech-spec.md"),
        DocumentRole::TechSpec,
        "\
# Tech spec

## Open questions

- [ ] Q-12 (2026-11-05, asked by bob): Which bucket holds originals?
- [x] Q-9 (2026-11-05, asked by bob): Do we resize on upload? → A: no
",
    )
    .questions
}

#[test]
fn next_id_counts_questions_in_other_documents() {
    let others = tech_spec_questions();
    let others: Vec<&Question> = others.iter().collect();
    check_with_others(
        BASE,
        &others,
        &ask("Next?"),
        "\
# Upload images

## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): Which formats are accepted?
- [ ] Q-13 (2026-11-24, asked by test-client): Next?

## Risks

- Storage costs grow quickly.
",
    );
    // And the other way round: the document's own ids win when higher.
    check_with_others(
        &BASE.replace("Q-1 ", "Q-40 "),
        &others,
        &ask("Next?"),
        "\
# Upload images

## Open questions

- [ ] Q-40 (2026-11-01, asked by alice): Which formats are accepted?
- [ ] Q-41 (2026-11-24, asked by test-client): Next?

## Risks

- Storage costs grow quickly.
",
    );
}

#[test]
fn a_section_under_an_alias_heading_is_used() {
    check(
        "\
## Risks and open questions

- Storage costs grow quickly.

## Acceptance criteria
",
        &ask("Who pays for storage?"),
        "\
## Risks and open questions

- Storage costs grow quickly.
- [ ] Q-1 (2026-11-24, asked by test-client): Who pays for storage?

## Acceptance criteria
",
    );
}

#[test]
fn a_long_document_from_fixture_files() {
    let before = fs::read_to_string(fixture("edit/long-prd/before.md")).expect("before.md");
    let after = fs::read_to_string(fixture("edit/long-prd/after.md")).expect("after.md");
    let question = NewQuestion {
        context: Some("Privacy review is on 12 Dec.".to_string()),
        ..with_task("Do we strip EXIF before storing?", "T2")
    };
    check(&before, &question, &after);
}

// 2. The document's own list marker.

#[test]
fn keeps_the_sections_list_marker() {
    check(
        "\
## Open questions

* [ ] Q-1 (2026-11-01, asked by alice): First one?
",
        &ask("Second?"),
        "\
## Open questions

* [ ] Q-1 (2026-11-01, asked by alice): First one?
* [ ] Q-2 (2026-11-24, asked by test-client): Second?
",
    );
    check(
        "\
## Goals

- Fast.

## Open questions

+ [ ] Q-1 (2026-11-01, asked by alice): First one?
",
        &with_context("Second?", "Why it matters."),
        "\
## Goals

- Fast.

## Open questions

+ [ ] Q-1 (2026-11-01, asked by alice): First one?
+ [ ] Q-2 (2026-11-24, asked by test-client): Second?
  + Context: Why it matters.
",
    );
}

#[test]
fn a_new_section_uses_the_documents_list_marker() {
    check(
        "\
## Goals

* Fast.
",
        &ask("How fast?"),
        "\
## Goals

* Fast.

## Open questions

* [ ] Q-1 (2026-11-24, asked by test-client): How fast?
",
    );
}

// 3. No newline at the end of the file.

#[test]
fn no_trailing_newline_after_the_last_question() {
    check(
        "\
## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): First one?",
        &ask("Second?"),
        "\
## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): First one?
- [ ] Q-2 (2026-11-24, asked by test-client): Second?
",
    );
}

#[test]
fn no_trailing_newline_when_the_section_is_created() {
    check(
        "\
## Overview

Text.",
        &ask("First?"),
        "\
## Overview

Text.

## Open questions

- [ ] Q-1 (2026-11-24, asked by test-client): First?
",
    );
}

// 4. An empty section.

#[test]
fn empty_section_followed_by_a_blank_line_and_a_heading() {
    check(
        "\
## Open questions

## Risks
",
        &ask("First?"),
        "\
## Open questions

- [ ] Q-1 (2026-11-24, asked by test-client): First?

## Risks
",
    );
}

#[test]
fn empty_section_followed_directly_by_a_heading() {
    check(
        "\
## Open questions
## Risks
",
        &ask("First?"),
        "\
## Open questions

- [ ] Q-1 (2026-11-24, asked by test-client): First?

## Risks
",
    );
}

#[test]
fn empty_section_at_the_end_of_the_file() {
    let after = "\
## Overview

## Open questions

- [ ] Q-1 (2026-11-24, asked by test-client): First?
";
    check("## Overview\n\n## Open questions\n", &ask("First?"), after);
    check("## Overview\n\n## Open questions", &ask("First?"), after);
}

#[test]
fn section_holding_only_a_paragraph() {
    check(
        "\
## Open questions

None yet.

## Risks
",
        &ask("First?"),
        "\
## Open questions

None yet.

- [ ] Q-1 (2026-11-24, asked by test-client): First?

## Risks
",
    );
}

#[test]
fn a_subsection_stays_after_the_new_question() {
    check(
        "\
## Open questions

### Parked

- [ ] Q-1 (2026-11-01, asked by alice): Video?
",
        &ask("Audio?"),
        "\
## Open questions

- [ ] Q-2 (2026-11-24, asked by test-client): Audio?

### Parked

- [ ] Q-1 (2026-11-01, asked by alice): Video?
",
    );
}

// 5. A missing section is created at the end.

#[test]
fn missing_section_is_created_at_the_level_the_document_uses() {
    check(
        "\
# Upload images

## Overview

Text.
",
        &ask("First?"),
        "\
# Upload images

## Overview

Text.

## Open questions

- [ ] Q-1 (2026-11-24, asked by test-client): First?
",
    );
    check(
        "\
# Upload images

### Overview

Text.
",
        &ask("First?"),
        "\
# Upload images

### Overview

Text.

### Open questions

- [ ] Q-1 (2026-11-24, asked by test-client): First?
",
    );
}

#[test]
fn missing_section_with_only_a_title_or_nothing() {
    check(
        "# Upload images\n",
        &ask("First?"),
        "# Upload images\n\n## Open questions\n\n- [ ] Q-1 (2026-11-24, asked by test-client): First?\n",
    );
    // No line ending to copy: LF.
    check_exact(
        "",
        &[],
        &ask("First?"),
        "## Open questions\n\n- [ ] Q-1 (2026-11-24, asked by test-client): First?\n",
    );
}

#[test]
fn missing_section_after_trailing_blank_lines_adds_no_more() {
    check(
        "## Overview\n\nText.\n\n",
        &ask("First?"),
        "## Overview\n\nText.\n\n## Open questions\n\n- [ ] Q-1 (2026-11-24, asked by test-client): First?\n",
    );
}

// 6. Answers and sub-bullets under the last question.

#[test]
fn goes_after_the_sub_bullets_of_the_last_question() {
    check(
        "\
## Open questions

- [x] Q-1 (2026-11-01, asked by alice): Which formats?
  - A: JPEG and PNG.
- [ ] Q-2 (2026-11-02, asked by bob): Resize on upload?
  - Context: The mock-up shows thumbnails.
    - Deeper note.

## Risks
",
        &ask("Keep originals?"),
        "\
## Open questions

- [x] Q-1 (2026-11-01, asked by alice): Which formats?
  - A: JPEG and PNG.
- [ ] Q-2 (2026-11-02, asked by bob): Resize on upload?
  - Context: The mock-up shows thumbnails.
    - Deeper note.
- [ ] Q-3 (2026-11-24, asked by test-client): Keep originals?

## Risks
",
    );
}

#[test]
fn goes_after_an_answer_sub_bullet_at_the_end_of_the_file() {
    check(
        "\
## Open questions

- [x] Q-1 (2026-11-01, asked by alice): Which formats?
  - A: JPEG and PNG.",
        &ask("Keep originals?"),
        "\
## Open questions

- [x] Q-1 (2026-11-01, asked by alice): Which formats?
  - A: JPEG and PNG.
- [ ] Q-2 (2026-11-24, asked by test-client): Keep originals?
",
    );
}

// 7. Context and 8. task metadata.

#[test]
fn context_is_an_indented_sub_bullet() {
    check(
        BASE,
        &with_context("Resize on upload?", "The mock-up shows thumbnails."),
        "\
# Upload images

## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): Which formats are accepted?
- [ ] Q-2 (2026-11-24, asked by test-client): Resize on upload?
  - Context: The mock-up shows thumbnails.

## Risks

- Storage costs grow quickly.
",
    );
}

#[test]
fn context_is_flattened_and_escaped_like_the_question() {
    let expected = |context_line: &str| {
        format!(
            "\
# Upload images

## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): Which formats are accepted?
- [ ] Q-2 (2026-11-24, asked by test-client): Resize on upload?
{context_line}
## Risks

- Storage costs grow quickly.
"
        )
    };
    check(
        BASE,
        &with_context(
            "Resize on upload?",
            "# Heading\n\n## Risks\n- [ ] Q-9 forged",
        ),
        &expected("  - Context: \\# Heading ## Risks - \\[ \\] Q-9 forged\n"),
    );
    check(
        BASE,
        &with_context("Resize on upload?", " \n\t\u{200b} "),
        &expected(""),
    );
}

#[test]
fn task_and_client_are_in_the_metadata() {
    check(
        BASE,
        &with_task("Stream to storage?", "T3"),
        "\
# Upload images

## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): Which formats are accepted?
- [ ] Q-2 (2026-11-24, task T3, asked by test-client): Stream to storage?

## Risks

- Storage costs grow quickly.
",
    );
}

#[test]
fn client_name_is_cleaned() {
    let after = |client: &str| {
        BASE.replace(
            "accepted?\n",
            &format!("accepted?\n- [ ] Q-2 (2026-11-24, asked by {client}): Why?\n"),
        )
    };
    let asked_by = |name: &str| NewQuestion {
        asked_by: name.to_string(),
        ..ask("Why?")
    };
    check(
        BASE,
        &asked_by("evil) client\n## x"),
        &after("evil client x"),
    );
    check(BASE, &asked_by(""), &after("unknown client"));
}

// 9. Repeats.

#[test]
fn the_same_open_question_returns_the_existing_id() {
    check_existing(
        BASE,
        &[],
        &ask("  which FORMATS\n are   accepted  "),
        "Q-1",
        "specs/upload/prd.md:5",
    );
    check_existing(
        BASE,
        &[],
        &ask("Which formats, are accepted!!"),
        "Q-1",
        "specs/upload/prd.md:5",
    );
}

#[test]
fn an_answered_question_asked_again_is_new() {
    check(
        "\
## Open questions

- [x] Q-1 (2026-11-01, asked by alice): Which formats are accepted? → A: JPEG
",
        &ask("Which formats are accepted?"),
        "\
## Open questions

- [x] Q-1 (2026-11-01, asked by alice): Which formats are accepted? → A: JPEG
- [ ] Q-2 (2026-11-24, asked by test-client): Which formats are accepted?
",
    );
}

#[test]
fn a_repeat_in_another_document_returns_its_id() {
    let others = tech_spec_questions();
    let others: Vec<&Question> = others.iter().collect();
    check_existing(
        BASE,
        &others,
        &ask("which bucket holds originals"),
        "Q-12",
        "specs/upload/tech-spec.md:5",
    );
    // Answered there: a new question here.
    let splice = splice(BASE, &others, &ask("Do we resize on upload?"));
    assert_eq!(splice.id, "Q-13");
}

// 10. Agent text is data: one line, no structure.

/// Appending `text` to `BASE` adds exactly one list item (plus its context
/// line) reading back as `body`.
fn check_inert(text: &str, body: &str) {
    let expected = BASE.replace(
        "accepted?\n",
        &format!("accepted?\n- [ ] Q-2 (2026-11-24, asked by test-client): {body}\n"),
    );
    check(BASE, &ask(text), &expected);
    for before in [BASE.to_string(), crlf(BASE)] {
        let splice = splice(&before, &[], &ask(text));
        let lines: Vec<&str> = splice.inserted.split_inclusive('\n').collect();
        assert_eq!(lines.len(), 1, "{:?}", splice.inserted);
        let old = parse_at(PATH, &before);
        let new = parse_at(PATH, &splice.new_text);
        assert_same_headings(&old, &new);
        let added = new.questions.last().expect("a question");
        assert_eq!(added.id.as_deref(), Some("Q-2"));
        assert_eq!(added.text, body);
        assert!(!added.answered);
        assert_eq!(added.answer, None);
    }
}

/// The same headings, by title, level and kind (spans move with the insert).
fn assert_same_headings(old: &Document, new: &Document) {
    let headings = |document: &Document| {
        document
            .sections
            .iter()
            .map(|section| (section.title.clone(), section.level, section.kind))
            .collect::<Vec<_>>()
    };
    assert_eq!(headings(old), headings(new));
}

#[test]
fn multi_line_text_cannot_add_a_heading() {
    check_inert(
        "Why?\n## Injected heading\n\nmore",
        "Why? ## Injected heading more",
    );
    check_inert("Why?\r\n# Top\r\n", "Why? # Top");
    check_inert("Why?\n- [ ] Q-9 forged", "Why? - \\[ \\] Q-9 forged");
    check_inert("Why?\u{2028}## Line separator", "Why? ## Line separator");
}

#[test]
fn leading_block_syntax_is_escaped() {
    check_inert("# Heading", "\\# Heading");
    check_inert("> quote", "\\> quote");
    check_inert("---", "\\---");
    check_inert("===", "\\===");
    check_inert("```fence", "\\`\\`\\`fence");
    check_inert("~~~", "\\~~~");
    check_inert("    indented code", "indented code");
    check_inert("| a | b |", "\\| a \\| b \\|");
}

#[test]
fn html_is_escaped() {
    check_inert(
        "<script>alert(1)</script>",
        "\\<script\\>alert(1)\\</script\\>",
    );
    check_inert("<!-- comment", "\\<!-- comment");
}

#[test]
fn forged_questions_stay_text() {
    check_inert("- [ ] Q-1 forged", "\\- \\[ \\] Q-1 forged");
    check_inert("- [x] Q-2 done → A: yes", "\\- \\[x\\] Q-2 done → A\\: yes");
    check_inert("Ok? -> A: yes", "Ok? -\\> A: yes");
    check_inert("Ok? →A: yes", "Ok? →A\\: yes");
}

#[test]
fn invisible_and_control_characters_are_dropped() {
    check_inert("Wh\u{202e}at\u{200b} is\u{feff} it?", "What is it?");
    check_inert("bell\u{7} esc\u{1b}[31m red", "bell esc\\[31m red");
    check_inert("nul\u{0}byte", "nulbyte");
}

#[test]
fn a_megabyte_is_capped_at_two_thousand_characters() {
    let body = format!("{}…", "é".repeat(2_000));
    let huge = "é".repeat(1 << 20);
    check_inert(&huge, &body);
    assert_eq!(body.chars().count(), 2_001);
    // Asked again, the capped text is recognised as the same question.
    let Plan::Splice(first) = plan(BASE, &[], &ask(&huge)) else {
        panic!("expected a splice");
    };
    check_existing(
        &first.new_text,
        &[],
        &ask(&huge),
        "Q-2",
        "specs/upload/prd.md:6",
    );
}

#[test]
fn empty_questions_are_refused() {
    for text in ["", "   ", " \n\t\r\n ", "\u{200b}\u{202e}", "\u{7}\u{1b}"] {
        let result = plan_append(
            PATH,
            DocumentRole::Prd,
            BASE,
            &[],
            &ask(text),
            DEFAULT_MAX_TEXT_CHARS,
        );
        assert!(
            matches!(result, Err(EditError::EmptyQuestion)),
            "{text:?}: {result:?}"
        );
    }
}

// The re-parse check: a splice that would not read back is not written.

#[test]
fn a_splice_swallowed_by_an_unclosed_block_does_not_verify() {
    for before in [
        "## Overview\n\n```\ncode never closed\n",
        "## Overview\n\n<!-- comment never closed\n",
    ] {
        let result = plan_append(
            PATH,
            DocumentRole::Prd,
            before,
            &[],
            &ask("Why?"),
            DEFAULT_MAX_TEXT_CHARS,
        );
        assert!(
            matches!(&result, Err(EditError::Verify { path, .. }) if path == PATH),
            "{before:?}: {result:?}"
        );
        let message = result
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("left open above the Open questions section"),
            "says why: {message}"
        );
    }
}

#[test]
fn next_id_after_the_largest_nine_digit_id() {
    check(
        &BASE.replace("Q-1 ", "Q-999999999 "),
        &ask("Next?"),
        &BASE.replace("Q-1 ", "Q-999999999 ").replace(
            "accepted?\n",
            "accepted?\n- [ ] Q-1000000000 (2026-11-24, asked by test-client): Next?\n",
        ),
    );
}

// 11. The real writer on disk.

fn kit() -> tempfile::TempDir {
    temp_copy(&fixture("edit/kit"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read")
}

const KIT_PRD: &str = "\
# Upload images

## Overview

Users upload up to four images and get a result.

## Open questions

- [ ] Q-1 (2026-11-01, asked by alice): Which formats are accepted?

## Risks

- Storage costs grow quickly.
";

#[test]
fn writer_appends_to_the_prd_and_cites_the_new_line() {
    let kit = kit();
    let prd = kit.path().join("upload/prd.md");
    let tasks_before = read(&kit.path().join("upload/tasks.md"));
    assert_eq!(read(&prd), KIT_PRD);
    let workspace = Workspace::open(kit.path()).expect("open kit");
    let writer = Writer::new(false);
    let question = with_task("Resize on upload?", "T2");

    let appended = writer
        .append_question(&workspace, "upload", &question)
        .expect("append");
    // Q-4 lives in tasks.md: ids are unique per feature.
    assert_eq!(appended.id, "Q-5");
    assert!(!appended.existing);
    assert_eq!(appended.source, "upload/prd.md:10");
    let after = KIT_PRD.replace(
        "accepted?\n",
        "accepted?\n- [ ] Q-5 (2026-11-24, task T2, asked by test-client): Resize on upload?\n",
    );
    assert_eq!(read(&prd), after);
    assert!(
        after
            .lines()
            .nth(9)
            .is_some_and(|line| line.starts_with("- [ ] Q-5 "))
    );

    let again = writer
        .append_question(&workspace, "upload", &ask("resize on upload"))
        .expect("ask again");
    assert_eq!(
        (again.id.as_str(), again.existing, again.source.as_str()),
        ("Q-5", true, "upload/prd.md:10")
    );
    assert_eq!(read(&prd), after);

    let in_tasks = writer
        .append_question(
            &workspace,
            "upload",
            &ask("Should uploads stream to storage?"),
        )
        .expect("ask what tasks.md asks");
    assert_eq!(
        (
            in_tasks.id.as_str(),
            in_tasks.existing,
            in_tasks.source.as_str()
        ),
        ("Q-4", true, "upload/tasks.md:10")
    );
    assert_eq!(read(&prd), after);
    assert_eq!(read(&kit.path().join("upload/tasks.md")), tasks_before);

    // The workspace sees the write: the next id follows it.
    let next = writer
        .append_question(&workspace, "upload", &ask("Keep originals?"))
        .expect("append another");
    assert_eq!(
        (next.id.as_str(), next.source.as_str()),
        ("Q-6", "upload/prd.md:11")
    );
    assert_only_documents_in(&kit.path().join("upload"), &["prd.md", "tasks.md"]);
}

/// No temp file is left behind.
fn assert_only_documents_in(dir: &Path, names: &[&str]) {
    let mut found: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    found.sort();
    assert_eq!(found, names);
}

#[test]
fn writer_refuses_when_read_only() {
    let kit = kit();
    let workspace = Workspace::open(kit.path()).expect("open kit");
    let result = Writer::new(true).append_question(&workspace, "upload", &ask("Why?"));
    assert!(matches!(result, Err(EditError::ReadOnly)), "{result:?}");
    assert_eq!(read(&kit.path().join("upload/prd.md")), KIT_PRD);
}

#[test]
fn writer_refuses_unknown_and_invalid_features() {
    let kit = kit();
    let workspace = Workspace::open(kit.path()).expect("open kit");
    let writer = Writer::new(false);
    let result = writer.append_question(&workspace, "nope", &ask("Why?"));
    assert!(
        matches!(
            result,
            Err(EditError::Workspace(WorkspaceError::UnknownFeature { .. }))
        ),
        "{result:?}"
    );
    let result = writer.append_question(&workspace, "../upload", &ask("Why?"));
    assert!(
        matches!(
            result,
            Err(EditError::Workspace(WorkspaceError::InvalidId { .. }))
        ),
        "{result:?}"
    );
    assert_eq!(read(&kit.path().join("upload/prd.md")), KIT_PRD);
}

/// Replaces the kit's `upload/prd.md` by a link to a copy outside the kit.
#[cfg(unix)]
fn link_prd_outside(kit: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let outside = tempfile::tempdir().expect("temp dir");
    let target = outside.path().join("prd.md");
    fs::write(&target, KIT_PRD).expect("write outside");
    let prd = kit.join("upload/prd.md");
    fs::remove_file(&prd).expect("remove prd");
    std::os::unix::fs::symlink(&target, &prd).expect("symlink");
    (outside, target)
}

#[cfg(unix)]
#[test]
fn writer_refuses_a_prd_linked_outside_the_root() {
    let kit = kit();
    let (_outside, target) = link_prd_outside(kit.path());
    let tasks = kit.path().join("upload/tasks.md");
    let tasks_before = read(&tasks);

    let workspace = Workspace::open(kit.path()).expect("open kit");
    let result = Writer::new(false).append_question(&workspace, "upload", &ask("Why?"));
    assert!(
        matches!(
            result,
            Err(EditError::Workspace(WorkspaceError::OutsideRoot { .. }))
        ),
        "{result:?}"
    );
    assert_eq!(read(&target), KIT_PRD);
    assert_eq!(read(&tasks), tasks_before);
}

#[cfg(unix)]
#[test]
fn writer_refuses_a_lone_prd_linked_outside_the_root() {
    let kit = kit();
    let (_outside, target) = link_prd_outside(kit.path());
    fs::remove_file(kit.path().join("upload/tasks.md")).expect("remove tasks");

    let workspace = Workspace::open(kit.path()).expect("open kit");
    let result = Writer::new(false).append_question(&workspace, "upload", &ask("Why?"));
    assert!(
        matches!(
            result,
            Err(EditError::Workspace(WorkspaceError::OutsideRoot { .. }))
        ),
        "{result:?}"
    );
    assert_eq!(read(&target), KIT_PRD);
}

#[test]
fn writer_refuses_invalid_utf8() {
    let kit = kit();
    let prd = kit.path().join("upload/prd.md");
    let mut bytes = KIT_PRD.as_bytes().to_vec();
    bytes.splice(10..10, [0xff, 0xfe]);
    fs::write(&prd, &bytes).expect("write");
    let workspace = Workspace::open(kit.path()).expect("open kit");
    let result = Writer::new(false).append_question(&workspace, "upload", &ask("Why?"));
    assert!(
        matches!(&result, Err(EditError::Unreadable { path, .. }) if path == "upload/prd.md"),
        "{result:?}"
    );
    assert_eq!(fs::read(&prd).expect("read"), bytes);
}

/// A document the workspace does not read (binary, or over the size
/// limit) is one an agent would never see its question in again.
fn check_unread_document_is_refused(bytes: &[u8]) {
    let kit = kit();
    let prd = kit.path().join("upload/prd.md");
    fs::write(&prd, bytes).expect("write");
    let workspace = Workspace::open(kit.path()).expect("open kit");
    let feature = workspace.feature("upload").expect("feature");
    let diagnostics: Vec<&str> = feature
        .all_diagnostics()
        .map(|diagnostic| diagnostic.message.as_str())
        .collect();
    assert!(
        diagnostics
            .iter()
            .any(|message| message.contains("was not read")),
        "{diagnostics:?}"
    );
    let result = Writer::new(false).append_question(&workspace, "upload", &ask("Why?"));
    assert!(result.is_err(), "{result:?}");
    assert!(fs::read(&prd).expect("read") == bytes, "the file changed");
}

#[test]
fn writer_refuses_a_binary_document() {
    let mut bytes = KIT_PRD.as_bytes().to_vec();
    bytes.splice(10..10, [0, 0, 1]);
    check_unread_document_is_refused(&bytes);
}

#[test]
fn writer_refuses_a_document_over_the_size_limit() {
    let line = "Filler paragraph text that pads the document well past the limit.\n\n";
    let limit = usize::try_from(spec_mcp::workspace::DEFAULT_MAX_FILE_BYTES).expect("limit");
    let mut text = KIT_PRD.to_string();
    text.push_str(&line.repeat(limit / line.len() + 1));
    check_unread_document_is_refused(text.as_bytes());
}

#[cfg(unix)]
#[test]
fn writer_keeps_the_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let kit = kit();
    let prd = kit.path().join("upload/prd.md");
    fs::set_permissions(&prd, fs::Permissions::from_mode(0o640)).expect("chmod");
    let workspace = Workspace::open(kit.path()).expect("open kit");
    Writer::new(false)
        .append_question(&workspace, "upload", &ask("Why?"))
        .expect("append");
    let mode = fs::metadata(&prd).expect("metadata").permissions().mode();
    assert_eq!(mode & 0o7777, 0o640);
    assert!(read(&prd).contains("- [ ] Q-5 (2026-11-24, asked by test-client): Why?\n"));
}

// 12. Many writers at once.

const PER_THREAD: usize = 8;

const CONCURRENT_PRD: &str = "\
# Many agents at once

## Overview

Sixty-four questions arrive at the same time.

## Open questions

## Risks

- Lost updates.
";

fn concurrent_text(thread: usize, index: usize) -> String {
    format!("Question {index} from thread {thread}?")
}

/// Runs `threads` threads each asking `PER_THREAD` distinct questions, with
/// the writer `writer_for(thread)` gives, and checks the file afterwards.
fn check_concurrent(threads: usize, writer_for: impl Fn(usize) -> Arc<Writer> + Sync) {
    let total = threads * PER_THREAD;
    let kit = kit();
    let prd = kit.path().join("concurrent/prd.md");
    assert_eq!(read(&prd), CONCURRENT_PRD);
    let workspace = Workspace::open(kit.path()).expect("open kit");
    let appended: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let writer = writer_for(thread);
                let workspace = &workspace;
                scope.spawn(move || {
                    (0..PER_THREAD)
                        .map(|index| {
                            writer
                                .append_question(
                                    workspace,
                                    "concurrent",
                                    &ask(&concurrent_text(thread, index)),
                                )
                                .expect("append")
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().expect("thread"))
            .collect()
    });

    let text = read(&prd);
    let prefix = "\
# Many agents at once

## Overview

Sixty-four questions arrive at the same time.

## Open questions

";
    let suffix = "\n## Risks\n\n- Lost updates.\n";
    assert!(text.starts_with(prefix) && text.ends_with(suffix), "{text}");
    let middle = &text[prefix.len()..text.len() - suffix.len()];
    let lines: Vec<&str> = middle.lines().collect();
    assert_eq!(lines.len(), total, "{middle}");

    let document = parse_at("concurrent/prd.md", &text);
    let ids: BTreeSet<u32> = document.questions.iter().filter_map(|q| q.number).collect();
    assert_eq!(ids, (1..=total as u32).collect::<BTreeSet<u32>>());
    let texts: BTreeSet<&str> = document.questions.iter().map(|q| q.text.as_str()).collect();
    let expected: BTreeSet<String> = (0..threads)
        .flat_map(|thread| (0..PER_THREAD).map(move |index| concurrent_text(thread, index)))
        .collect();
    assert_eq!(texts, expected.iter().map(String::as_str).collect());
    assert_eq!(document.questions.len(), total);

    assert!(appended.iter().all(|appended| !appended.existing));
    let returned: BTreeSet<&str> = appended.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(returned.len(), total);
    for appended in &appended {
        let line: usize = appended.source["concurrent/prd.md:".len()..]
            .parse()
            .expect("line number");
        let cited = text.lines().nth(line - 1).expect("cited line");
        assert!(
            cited.starts_with(&format!("- [ ] {} (", appended.id)),
            "{} cites {cited:?}",
            appended.source
        );
    }
    assert_only_documents_in(&kit.path().join("concurrent"), &["prd.md"]);
}

#[test]
fn concurrent_appends_through_one_writer() {
    let writer = Arc::new(Writer::new(false));
    check_concurrent(8, |_| writer.clone());
}

/// Separate writers (as separate server processes would be) are serialised
/// by the advisory file lock alone. A writer that waited on the lock while
/// another renamed the file retries, so with three writers of eight
/// questions each, no writer can lose more than 16 attempts.
#[test]
fn concurrent_appends_through_three_separate_writers() {
    check_concurrent(3, |_| Arc::new(Writer::new(false)));
}

#[test]
fn concurrent_appends_through_eight_separate_writers() {
    check_concurrent(8, |_| Arc::new(Writer::new(false)));
}
