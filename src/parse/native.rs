//! The native layout: `project.md` beside one folder per feature holding
//! `prd.md`, `tech-spec.md` and `tasks.md` (see `SPEC_FORMAT.md`).

use crate::model::{Document, DocumentRole, Layout};
use crate::parse::Convention;

/// File name of the project-wide document.
pub const PROJECT_FILE: &str = "project.md";

pub const CONVENTION: Convention = Convention {
    layout: Layout::Native,
    qualifier: "native",
    base: "specs",
    skip: &[],
    markers: &["prd.md", "tech-spec.md"],
    documents: &[
        ("prd.md", DocumentRole::Prd),
        ("tech-spec.md", DocumentRole::TechSpec),
        ("tasks.md", DocumentRole::Tasks),
    ],
    primary: &["prd.md", "tech-spec.md", "tasks.md"],
    project: &[(PROJECT_FILE, DocumentRole::Project)],
    project_in_base: true,
    reference: false,
};

/// Native documents say everything with headings: the PRD's acceptance
/// criteria sections are the feature's criteria.
pub fn document(document: &mut Document) {
    super::section_criteria(document);
}
