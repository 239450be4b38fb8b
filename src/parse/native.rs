//! The native layout: `project.md` beside one folder per feature holding
//! `prd.md`, `tech-spec.md` and `tasks.md` (see `SPEC_FORMAT.md`).

use crate::model::{Document, DocumentRole, Layout};
use crate::parse::{Convention, TaskFormat};

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

/// Heading tasks, each with its own criteria and test plan.
pub const TASK_FORMAT: TaskFormat = TaskFormat {
    layout: Layout::Native,
    criteria: "Each task states its own acceptance criteria and test plan under it, as \
               `### Acceptance criteria` and `### Test plan` lists; the PRD's acceptance \
               criteria bind the feature as a whole.",
    example: "\
## T5: Export the order list as CSV
Status: todo
Depends on: T4

Add `GET /api/orders/export` and the Export button on the order list.

### Acceptance criteria
- The file holds the orders the list shows, in the order it shows them.
- A customer name holding a comma is quoted, not split.

### Test plan
- Unit test of the CSV writer with commas, quotes and line breaks in names.
- Integration test: filter the list, export, and compare the rows.
",
};

/// Native documents say everything with headings: the PRD's acceptance
/// criteria sections are the feature's criteria.
pub fn document(document: &mut Document) {
    super::section_criteria(document);
}
