//! The native layout: `project.md` beside one folder per feature holding
//! `prd.md`, `tech-spec.md` and `tasks.md` (see `SPEC_FORMAT.md`).

use std::collections::HashSet;
use std::sync::Arc;

use crate::model::{Diagnostic, Document, DocumentRole, Feature};

/// File name of the project-wide document.
pub const PROJECT_FILE: &str = "project.md";

/// File names of a feature's documents and the role each plays, in the
/// order questions prefer them (the first present is the primary one).
pub const FEATURE_FILES: [(&str, DocumentRole); 3] = [
    ("prd.md", DocumentRole::Prd),
    ("tech-spec.md", DocumentRole::TechSpec),
    ("tasks.md", DocumentRole::Tasks),
];

/// Assembles a feature from its parsed documents and checks what spans them.
pub fn feature(id: &str, dir: Arc<str>, documents: Vec<Document>) -> Feature {
    let mut feature = Feature {
        id: id.to_string(),
        title: id.to_string(),
        dir,
        prd: None,
        tech_spec: None,
        tasks_document: None,
        diagnostics: Vec::new(),
    };
    for document in documents {
        let slot = match document.role {
            DocumentRole::Prd => &mut feature.prd,
            DocumentRole::TechSpec => &mut feature.tech_spec,
            DocumentRole::Tasks | DocumentRole::Project => &mut feature.tasks_document,
        };
        *slot = Some(document);
    }
    if let Some(title) = feature.prd.as_ref().and_then(|prd| prd.title.clone()) {
        feature.title = title;
    }
    feature.diagnostics = cross_checks(&feature);
    feature
}

/// Duplicate ids and dependencies on tasks that do not exist.
fn cross_checks(feature: &Feature) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut task_ids = HashSet::new();
    for task in feature.tasks() {
        if !task_ids.insert(task.id.to_ascii_lowercase()) {
            diagnostics.push(Diagnostic {
                source: task.source.clone(),
                message: format!("task id {} is used twice; the first one is served", task.id),
            });
        }
    }
    for task in feature.tasks() {
        for dependency in &task.depends_on {
            if !task_ids.contains(&dependency.to_ascii_lowercase()) {
                diagnostics.push(Diagnostic {
                    source: task.source.clone(),
                    message: format!(
                        "task {} depends on {dependency}, which is not a task of feature {}",
                        task.id, feature.id
                    ),
                });
            }
        }
    }
    let mut question_ids = HashSet::new();
    for question in feature.questions() {
        if let Some(id) = &question.id
            && !question_ids.insert(id.clone())
        {
            diagnostics.push(Diagnostic {
                source: question.source.clone(),
                message: format!("question id {id} is used twice"),
            });
        }
    }
    diagnostics
}
