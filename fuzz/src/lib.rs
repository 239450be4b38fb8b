//! The fuzz targets' inputs, split from libFuzzer's bytes and checked with
//! the invariants `tests/spec_mcp/checks.rs` states, the same ones the
//! property tests check with generated input: parsing never panics and
//! everything it reports points into the text; an append refuses, or keeps
//! every old byte and adds exactly one question and no structure made of
//! the question's text; an answer or a status refuses, or changes that
//! question or task alone and keeps every other line.
//!
//! A violation panics, which libFuzzer reports as a crash with the input
//! saved under `artifacts/`.

#![forbid(unsafe_code)]

use spec_mcp::edit::NewQuestion;
use spec_mcp::model::{Layout, TaskStatus};

#[path = "../../tests/spec_mcp/targets.rs"]
mod targets;

#[path = "../../tests/spec_mcp/checks.rs"]
mod checks;

pub use targets::{Target, parse_as, targets};

/// Panics with what `checked` found broken.
fn hold<T>(target: &Target, checked: Result<T, checks::Broken>) {
    if let Err(broken) = checked {
        panic!("{target:?}: {broken}");
    }
}

/// The `parse_<layout>` targets: `data` parsed as every file of `layout`.
pub fn parse_every_file(layout: Layout, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for target in targets().iter().filter(|target| target.layout == layout) {
        hold(target, checks::check_parse(target, &text));
    }
}

/// The feature documents, one of which an input is written to, chosen by
/// its length so that every seed meets another (writing to every file
/// each time is sixteen times slower, and the fuzzer covers them all
/// anyway).
fn feature_targets() -> Vec<Target> {
    targets()
        .into_iter()
        .filter(|target| target.feature)
        .collect()
}

/// The `append` target: a question appended to one feature document of
/// one layout. The input is `document NUL question NUL context`.
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
    let targets = feature_targets();
    let target = &targets[data.len() % targets.len()];
    hold(target, checks::check_append(target, &document, &question));
    hold(
        target,
        checks::check_append_keeps_meaning(target, &document, &question),
    );
}

/// The `edit` target: every question with an id of one feature document
/// answered, and every task of it set to one status (chosen by the
/// input's length too). The input is `document NUL answer`.
pub fn answer_and_set_status(data: &[u8]) {
    let mut parts = data.splitn(2, |&byte| byte == 0);
    let document = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let answer = parts
        .next()
        .map_or_else(|| "Etsy only.".into(), String::from_utf8_lossy);
    let targets = feature_targets();
    let target = &targets[data.len() % targets.len()];
    let statuses = [
        TaskStatus::Todo,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::Blocked,
    ];
    let status = statuses[data.len() / targets.len() % statuses.len()];
    hold(target, checks::check_answer(target, &document, &answer));
    hold(target, checks::check_status(target, &document, status));
}
