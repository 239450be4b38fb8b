//! Markdown to model. Pure: no I/O, no panics, no errors. Whatever the input,
//! the result is a model plus diagnostics.
//!
//! `markdown` builds an outline with byte spans; `question` and `task`
//! recognise items every layout shares; one file per layout maps a folder
//! convention's documents onto a [`Feature`](crate::model::Feature).

pub mod markdown;
pub mod native;
pub mod question;
pub mod task;

use std::sync::Arc;

use crate::model::{Diagnostic, Document, DocumentRole};

/// Parses one file's text in the role its layout gives it.
pub fn document(path: Arc<str>, role: DocumentRole, text: &str) -> Document {
    let outline = markdown::outline(&path, text);
    let sections = markdown::sections(&outline, text.len());
    let mut diagnostics = Vec::new();
    if text.trim().is_empty() {
        diagnostics.push(Diagnostic {
            source: outline.source(0),
            message: "the file is empty".to_string(),
        });
    }
    let questions = question::questions(&outline, &sections);
    let tasks = if role == DocumentRole::Tasks {
        task::tasks(&outline, &sections, text, &mut diagnostics)
    } else {
        Vec::new()
    };
    let title = sections
        .iter()
        .find(|section| section.level == 1)
        .map(|section| section.title.clone());
    Document {
        path,
        role,
        title,
        sections,
        questions,
        tasks,
        diagnostics,
    }
}
