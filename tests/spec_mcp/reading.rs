//! Small hand-written kits, one class of reading at a time, checked against
//! what a careful person reading the same files says: the criteria a task
//! links to and no others, the task actually in progress, the change being
//! worked on, every stated non-goal, questions in the forms people write
//! them, and lists with nothing dropped.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};
use spec_mcp::service::Defaults;

use crate::layout_cases::{session, write};
use crate::mcp::strings;

/// Every `source` anywhere in an answer.
fn sources(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    collect_sources(value, &mut found);
    found
}

fn collect_sources(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("source", Value::String(source)) => found.push(source.clone()),
                    _ => collect_sources(value, found),
                }
            }
        }
        Value::Array(values) => values
            .iter()
            .for_each(|value| collect_sources(value, found)),
        _ => {}
    }
}

/// Each listed question as `[status, text, answer, source]`.
fn question_rows(listed: &Value) -> Vec<Value> {
    listed["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|question| {
            json!([
                question["status"],
                question["text"],
                question["answer"],
                question["source"]
            ])
        })
        .collect()
}

/// `path:line` for each line.
fn at(path: &str, lines: &[u32]) -> Vec<String> {
    lines.iter().map(|line| format!("{path}:{line}")).collect()
}

// ---------------------------------------------------------------------------
// Links name exact criteria
// ---------------------------------------------------------------------------

const KIRO_REQUIREMENTS: &str = ".kiro/specs/search/requirements.md";

fn kiro_links_kit(root: &Path) {
    write(
        root,
        KIRO_REQUIREMENTS,
        "# Requirements Document\n\
         \n\
         ### Requirement 5: Ranking\n\
         \n\
         #### Acceptance Criteria\n\
         \n\
         1. WHEN results tie THEN the system SHALL order them by date\n\
         2. WHEN a title matches THEN the system SHALL rank it first\n\
         3. WHEN a result is hidden THEN the system SHALL leave it out\n\
         \n\
         ### Requirement 6: Filters\n\
         \n\
         #### Acceptance Criteria\n\
         \n\
         1. WHEN a user picks a tag THEN the system SHALL show only tagged results\n\
         2. WHEN a user clears filters THEN the system SHALL show every result\n\
         3. WHEN no result matches THEN the system SHALL say so\n\
         4. WHEN filters change THEN the system SHALL keep the query\n",
    );
    write(
        root,
        ".kiro/specs/search/tasks.md",
        "# Implementation Plan\n\
         \n\
         - [ ] 1. Filter by tag\n\
         \x20 - _Requirements: 6.1, 6.2, 6.4_\n\
         - [ ] 2. Rank results\n\
         \x20 - **Validates: Requirements 5.1-5.2, 6.3**\n\
         - [ ] 3. Filters end to end\n\
         \x20 - _Requirements: 6_\n\
         - [ ] 4. Write the docs\n",
    );
}

#[tokio::test]
async fn a_kiro_task_gets_exactly_the_criteria_it_names() {
    let root = tempfile::tempdir().expect("temp dir");
    kiro_links_kit(root.path());
    let session = session(root.path(), Defaults::default()).await;
    let cases: [(&str, &[u32]); 3] = [
        // Criteria 6.1, 6.2 and 6.4, not 6.3.
        ("1", &[15, 16, 18]),
        // A range expands; a single criterion of another requirement joins.
        ("2", &[7, 8, 17]),
        // A whole requirement.
        ("3", &[15, 16, 17, 18]),
    ];
    for (task, lines) in cases {
        let expected = at(KIRO_REQUIREMENTS, lines);
        let (_, current) = session.ok("get_current_task", json!({"task": task})).await;
        assert_eq!(
            strings(&current["acceptance_criteria"], "source"),
            expected,
            "get_current_task for task {task}"
        );
        let (_, criteria) = session
            .ok("get_acceptance_criteria", json!({"task": task}))
            .await;
        assert_eq!(
            strings(&criteria["task_criteria"], "source"),
            expected,
            "get_acceptance_criteria for task {task}"
        );
        // The criteria of other requirements are in neither answer.
        let all = at(KIRO_REQUIREMENTS, &[7, 8, 9, 15, 16, 17, 18]);
        for answer in [&current, &criteria] {
            let shown = sources(answer);
            for other in all.iter().filter(|source| !expected.contains(source)) {
                assert!(
                    !shown.contains(other),
                    "task {task}: {other} is another task's criterion"
                );
            }
        }
        assert_eq!(criteria["feature_criteria"], json!([]), "task {task}");
    }
    // Task 4 links nothing while the others link: it serves no
    // requirement, so none is listed for it, and it says so.
    let (_, unlinked) = session
        .ok("get_acceptance_criteria", json!({"task": "4"}))
        .await;
    assert_eq!(unlinked["task_criteria"], json!([]));
    assert_eq!(unlinked["feature_criteria"], json!([]));
    assert_eq!(unlinked["feature_criteria_shown"], "every_task");
    assert_eq!(
        unlinked["notes"],
        json!([
            "task 4 links to no user story or requirement",
            "the 7 criteria of stories and requirements belong to the tasks that link them and are left out"
        ])
    );
    session.close().await;

    // Where no task links, every criterion applies to each task.
    let tasks = ".kiro/specs/search/tasks.md";
    write(
        root.path(),
        tasks,
        "- [ ] 1. Filter by tag\n- [ ] 4. Write the docs\n",
    );
    let session = self::session(root.path(), Defaults::default()).await;
    let (_, all) = session
        .ok("get_acceptance_criteria", json!({"task": "4"}))
        .await;
    assert_eq!(all["feature_criteria_shown"], "all");
    assert_eq!(
        strings(&all["feature_criteria"], "source"),
        at(KIRO_REQUIREMENTS, &[7, 8, 9, 15, 16, 17, 18])
    );
    assert_eq!(
        all["notes"],
        json!([
            "task 4 links to no user story or requirement, so every criterion of the feature is listed"
        ])
    );
    let (_, current) = session.ok("get_current_task", json!({"task": "4"})).await;
    assert_eq!(
        current["notes"][0],
        "task 4 links to no user story or requirement; the feature states 7 acceptance criteria, which get_acceptance_criteria lists"
    );
    session.close().await;
}

const SPEC: &str = "specs/004-cart/spec.md";

fn speckit_links_kit(root: &Path) {
    write(root, ".specify/memory/constitution.md", "# Constitution\n");
    write(
        root,
        SPEC,
        "# Feature Specification: Cart\n\
         \n\
         ### User Story 1 - Add to cart (Priority: P1)\n\
         \n\
         **Acceptance Scenarios**:\n\
         \n\
         1. **Given** a product, **When** the shopper adds it, **Then** the cart shows it.\n\
         \n\
         ### User Story 2 - Remove from cart (Priority: P2)\n\
         \n\
         **Acceptance Scenarios**:\n\
         \n\
         1. **Given** a cart item, **When** the shopper removes it, **Then** the total drops.\n\
         2. **Given** the last item, **When** it is removed, **Then** the cart reads empty.\n\
         \n\
         ### Edge Cases\n\
         \n\
         - A product sold out while in the cart is marked, not removed.\n\
         \n\
         ## Success Criteria\n\
         \n\
         - **SC-001**: The cart updates within 200 ms.\n",
    );
    write(
        root,
        "specs/004-cart/tasks.md",
        "# Tasks: Cart\n\
         \n\
         ## Phase 1: Setup\n\
         \n\
         - [x] T001 Create the cart module\n\
         \n\
         ## Phase 3: User Story 2 - Remove from cart\n\
         \n\
         - [ ] T010 [US2] Add the remove button\n",
    );
}

#[tokio::test]
async fn a_spec_kit_task_gets_its_story_and_what_binds_every_task() {
    let root = tempfile::tempdir().expect("temp dir");
    speckit_links_kit(root.path());
    let session = session(root.path(), Defaults::default()).await;
    let story_one = format!("{SPEC}:7");
    for tool in ["get_current_task", "get_acceptance_criteria"] {
        let (_, answer) = session.ok(tool, json!({})).await;
        assert_eq!(answer["task"]["id"], "T010", "{tool}");
        let field = match tool {
            "get_current_task" => "acceptance_criteria",
            _ => "task_criteria",
        };
        assert_eq!(
            strings(&answer[field], "source"),
            at(SPEC, &[13, 14]),
            "{tool}"
        );
        assert!(
            !sources(&answer).contains(&story_one),
            "{tool}: story 1's scenario is another task's: {answer}"
        );
    }
    let (_, criteria) = session.ok("get_acceptance_criteria", json!({})).await;
    assert_eq!(criteria["feature_criteria_shown"], "every_task");
    assert_eq!(
        pick_groups(&criteria["feature_criteria"]),
        json!([
            ["Edge cases", format!("{SPEC}:18")],
            ["Success criteria", format!("{SPEC}:22")]
        ])
    );
    assert_eq!(
        criteria["notes"],
        json!([
            "task T010 links to US2; the 1 criteria of other stories and requirements belong to other tasks and are left out"
        ])
    );
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(
        current["notes"][0],
        "the feature also states 2 acceptance criteria that bind every task (Edge cases, Success criteria); get_acceptance_criteria lists them"
    );
    session.close().await;
}

/// `[group, source]` of each criterion.
fn pick_groups(criteria: &Value) -> Value {
    Value::Array(
        criteria
            .as_array()
            .expect("criteria")
            .iter()
            .map(|criterion| json!([criterion["group"], criterion["source"]]))
            .collect(),
    )
}

#[tokio::test]
async fn a_native_prd_s_criteria_bind_every_task_and_a_dangling_link_is_named() {
    let root = tempfile::tempdir().expect("temp dir");
    write(
        root.path(),
        "specs/export/prd.md",
        "# Export\n\n## Acceptance criteria\n- The file opens in a spreadsheet.\n",
    );
    write(
        root.path(),
        "specs/export/tasks.md",
        "## T1: Write rows\n\n### Acceptance criteria\n- One row per order.\n",
    );
    write(
        root.path(),
        ".kiro/specs/k/requirements.md",
        "### Requirement 1\n\n#### Acceptance Criteria\n\n1. WHEN x THEN the system SHALL y\n",
    );
    write(
        root.path(),
        ".kiro/specs/k/tasks.md",
        "- [ ] 1. Do x\n  - _Requirements: 1.1, 9.9_\n",
    );
    let session = session(root.path(), Defaults::default()).await;
    let (_, native) = session
        .ok("get_acceptance_criteria", json!({"feature": "export"}))
        .await;
    assert_eq!(
        strings(&native["task_criteria"], "source"),
        ["specs/export/tasks.md:4"]
    );
    assert_eq!(
        strings(&native["feature_criteria"], "source"),
        ["specs/export/prd.md:4"]
    );
    let (_, kiro) = session
        .ok("get_acceptance_criteria", json!({"feature": "k"}))
        .await;
    assert_eq!(
        strings(&kiro["task_criteria"], "source"),
        [".kiro/specs/k/requirements.md:5"]
    );
    assert_eq!(
        kiro["notes"][0],
        "task 1 links to 9.9, which no criterion of the spec carries"
    );
    session.close().await;
}

// ---------------------------------------------------------------------------
// In progress means in progress
// ---------------------------------------------------------------------------

/// A checklist where task 3 is in progress after an open task 2.
const IN_PROGRESS: &str = "- [x] 1. Set up\n\
                           - [ ] 2. Write the parser\n\
                           \x20 - [ ] 2.1 Tokens\n\
                           - [-] 3. Build the index\n\
                           \x20 - [x] 3.1 Pick a tokenizer\n\
                           \x20 - [ ] 3.2 Store postings\n\
                           \x20 - [ ] 3.3 Merge segments\n\
                           - [ ] 4. Query API\n";

/// Where each layout keeps a feature's tasks, and a file that makes the
/// folder a feature.
const TASK_FILES: [(&str, &str); 4] = [
    ("specs/f/tasks.md", "specs/f/prd.md"),
    ("specs/001-f/tasks.md", "specs/001-f/spec.md"),
    (".kiro/specs/f/tasks.md", ".kiro/specs/f/requirements.md"),
    (
        "openspec/changes/f/tasks.md",
        "openspec/changes/f/proposal.md",
    ),
];

#[tokio::test]
async fn a_task_in_progress_wins_over_an_earlier_open_one_in_every_layout() {
    let variants: [(&str, &str, &str); 3] = [
        // Its first open step is current.
        (
            IN_PROGRESS,
            "3.2",
            "the step to work on next in the first task marked in progress",
        ),
        // A step in progress comes before an earlier open step.
        (
            &IN_PROGRESS.replace("[ ] 3.3", "[-] 3.3"),
            "3.3",
            "the step to work on next in the first task marked in progress",
        ),
        // With its steps done, the task itself.
        (
            &IN_PROGRESS
                .replace("[ ] 3.2", "[x] 3.2")
                .replace("[ ] 3.3", "[x] 3.3"),
            "3",
            "the first task marked in progress",
        ),
    ];
    for (tasks_file, marker) in TASK_FILES {
        for (tasks, current, because) in &variants {
            let root = tempfile::tempdir().expect("temp dir");
            write(root.path(), marker, "# F\n");
            write(root.path(), tasks_file, tasks);
            let session = session(root.path(), Defaults::default()).await;
            let (_, answer) = session.ok("get_current_task", json!({})).await;
            assert_eq!(answer["task"]["id"], *current, "{tasks_file}:\n{tasks}");
            assert_eq!(answer["chosen_because"], *because, "{tasks_file}");
            let (_, listed) = session.ok("list_tasks", json!({})).await;
            assert_eq!(listed["current"], *current, "{tasks_file}");
            session.close().await;
        }
    }
}

#[tokio::test]
async fn a_native_task_in_progress_wins_over_an_earlier_todo() {
    let root = tempfile::tempdir().expect("temp dir");
    write(root.path(), "specs/f/prd.md", "# F\n");
    write(
        root.path(),
        "specs/f/tasks.md",
        "## T1: First\n\n## T2: Second\nStatus: in progress\n",
    );
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_current_task", json!({})).await;
    assert_eq!(answer["task"]["id"], "T2");
    assert_eq!(
        answer["chosen_because"],
        "the first task marked in progress"
    );
    session.close().await;
}

// ---------------------------------------------------------------------------
// The current feature is work, not reference
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_one_active_openspec_change_is_current_and_capabilities_stay_reachable() {
    let root = tempfile::tempdir().expect("temp dir");
    let change = "openspec/changes/add-tags/proposal.md";
    write(root.path(), change, "# Change: Add tags\n");
    write(
        root.path(),
        "openspec/changes/add-tags/tasks.md",
        "## 1. Tags\n- [ ] 1.1 Store tags\n",
    );
    write(
        root.path(),
        "openspec/changes/archive/2025-01-01-old/proposal.md",
        "# Old\n",
    );
    for capability in ["search", "users"] {
        write(
            root.path(),
            &format!("openspec/specs/{capability}/spec.md"),
            "# Capability\n\n### Requirement: Works\nThe system SHALL work.\n",
        );
    }
    let session = session(root.path(), Defaults::default()).await;
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["feature"]["id"], "add-tags");
    assert_eq!(current["task"]["id"], "1.1");
    assert_eq!(
        current["feature_chosen_because"],
        "the only work in progress in the kit (the other features are reference: OpenSpec capabilities, the current truth changes apply to)"
    );
    let (_, capability) = session
        .ok("get_acceptance_criteria", json!({"feature": "search"}))
        .await;
    assert_eq!(capability["feature"]["id"], "search");
    assert_eq!(
        strings(&capability["feature_criteria"], "source"),
        ["openspec/specs/search/spec.md:4"]
    );
    session.close().await;

    // A second active change: nothing says which one is current.
    write(
        root.path(),
        "openspec/changes/fix-typo/proposal.md",
        "# Change: Fix typo\n",
    );
    let session = self::session(root.path(), Defaults::default()).await;
    let message = session.refused("get_current_task", json!({})).await;
    assert!(
        message.starts_with("no feature given and none can be chosen")
            && message.contains("add-tags, fix-typo, search, users"),
        "{message}"
    );
    session.close().await;
}

// ---------------------------------------------------------------------------
// Non-goals and out of scope wherever a person writes them
// ---------------------------------------------------------------------------

/// `path:line` of the line of `text` holding `needle` (which must be
/// there once).
fn line_of(path: &str, text: &str, needle: &str) -> String {
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle))
        .map(|(index, _)| index + 1)
        .collect();
    assert_eq!(lines.len(), 1, "`{needle}` must be on one line of {path}");
    format!("{path}:{}", lines[0])
}

const SCOPE_PRD: &str = "# Search\n\
\n\
## Goals / Non-Goals\n\
\n\
**Goals:**\n\
- Fast title search\n\
\n\
**Non-Goals:**\n\
- Fuzzy matching\n\
\x20 - not even typo tolerance\n\
- Ranking by popularity\n\
\n\
## Scope\n\
\n\
### In scope\n\
- Title search\n\
\n\
### Out of scope\n\
- Body search\n\
\n\
## Scope notes\n\
\n\
- In scope: title search\n\
- Out of scope: PDF attachments\n\
\n\
**Excluded from MVP:**\n\
- Saved searches\n\
\n\
Also:\n\
\n\
- **Out of scope:**\n\
\x20 - Search history\n\
\x20 - Shared searches\n\
- Search is case-insensitive\n\
\n\
## Out of Scope for v1\n\
\n\
**Explicitly excluded:**\n\
\n\
- **Integrations:**\n\
\x20 - Slack\n\
\x20 - Teams\n\
- Admin UI\n\
\n\
### Billing\n\
- Invoices\n\
\n\
## Future Enhancements (out of scope)\n\
- Voice search\n\
\n\
## Post-MVP\n\
- Offline index\n\
\n\
## Future work\n\
\n\
These are not part of this release.\n\
\n\
- Image search\n\
\n\
## Future ideas\n\
- Maybe semantic search\n\
\n\
## Requirements\n\
- **FR-9**: The system MUST NOT implement federated search in v1.\n\
- **FR-10**: The system MUST NOT log queries.\n";

const SCOPE_DESIGN: &str = "# Design\n\
\n\
## Decisions\n\
- Use SQLite full-text search.\n\
- Out of scope: a search cluster.\n\
\n\
## Out of scope\n\
- Sharding\n";

#[tokio::test]
async fn every_stated_exclusion_is_out_of_scope_with_its_line() {
    let root = tempfile::tempdir().expect("temp dir");
    let prd = "specs/search/prd.md";
    let design = "specs/search/tech-spec.md";
    write(root.path(), prd, SCOPE_PRD);
    write(root.path(), design, SCOPE_DESIGN);
    write(
        root.path(),
        "specs/search/tasks.md",
        "## T1: Index titles\n",
    );
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_out_of_scope", json!({})).await;
    let mut shown: Vec<(String, String, String)> = answer["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["kind"].as_str().expect("kind").to_string(),
                item["text"].as_str().expect("text").to_string(),
                item["source"].as_str().expect("source").to_string(),
            )
        })
        .collect();
    shown.sort_by(|a, b| a.2.cmp(&b.2));
    let expected_in = |path: &str, text: &str, kind: &str, needles: &[(&str, &str)]| {
        needles
            .iter()
            .map(|(needle, shown_as)| {
                (
                    kind.to_string(),
                    (*shown_as).to_string(),
                    line_of(path, text, needle),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut expected = expected_in(
        prd,
        SCOPE_PRD,
        "out of scope",
        &[
            ("- Body search", "Body search"),
            ("Out of scope: PDF", "PDF attachments"),
            ("Saved searches", "Saved searches"),
            ("Search history", "Search history"),
            ("Shared searches", "Shared searches"),
            ("Slack", "Slack"),
            ("Teams", "Teams"),
            ("Admin UI", "Admin UI"),
            ("Invoices", "Invoices"),
            ("Voice search", "Voice search"),
            ("Offline index", "Offline index"),
            ("Image search", "Image search"),
            (
                "FR-9",
                "**FR-9**: The system MUST NOT implement federated search in v1.",
            ),
        ],
    );
    expected.extend(expected_in(
        prd,
        SCOPE_PRD,
        "non-goal",
        &[
            ("Fuzzy matching", "Fuzzy matching"),
            ("Ranking by popularity", "Ranking by popularity"),
        ],
    ));
    expected.extend(expected_in(
        design,
        SCOPE_DESIGN,
        "out of scope",
        &[
            ("a search cluster", "a search cluster."),
            ("Sharding", "Sharding"),
        ],
    ));
    expected.sort_by(|a, b| a.2.cmp(&b.2));
    assert_eq!(shown, expected);
    // The nested bullet under a non-goal is its detail, not an item.
    let fuzzy = answer["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["text"] == "Fuzzy matching")
        .expect("the fuzzy-matching non-goal");
    assert_eq!(fuzzy["details"], json!(["not even typo tolerance"]));

    // What is excluded is not a constraint; the decision beside it is.
    let (_, constraints) = session.ok("get_architecture_constraints", json!({})).await;
    assert_eq!(
        strings(&constraints["constraints"], "text"),
        ["Use SQLite full-text search."]
    );
    session.close().await;
}

// ---------------------------------------------------------------------------
// Questions in the forms people write them
// ---------------------------------------------------------------------------

const RESEARCH: &str = "# Research: Cart\n\
\n\
## Storage\n\
\n\
**Question**: Where is the cart kept between visits?\n\
**Decision**: In the database, keyed by the shopper.\n\
**Rationale**: Carts must survive a new device.\n\
\n\
## Pricing\n\
\n\
**Question:** Are prices locked when an item is added?\n\
\n\
**Answer:** No, the cart always shows today's price.\n\
\n\
- **Question**: Is a cart shared between tabs?\n\
- **Decision**: Yes, through the same session.\n\
\n\
## Notes\n\
\n\
**Question**: Should we try a cache? (an aside, not recorded as open)\n\
\n\
## Open Questions\n\
\n\
**Question**: How long are abandoned carts kept?\n\
\n\
**Current Assumption**: 30 days.\n";

const CLARIFIED: &str = "# Feature Specification: Cart\n\
\n\
## Clarifications\n\
\n\
### Session 2026-03-01\n\
\n\
- Q: Can guests have a cart? → A: Yes, kept for the browser session.\n";

#[tokio::test]
async fn question_and_decision_blocks_are_answered_questions_with_their_source() {
    let root = tempfile::tempdir().expect("temp dir");
    let research = "specs/004-cart/research.md";
    let spec = "specs/004-cart/spec.md";
    write(root.path(), research, RESEARCH);
    write(root.path(), spec, CLARIFIED);
    let mut session = session(root.path(), Defaults::default()).await;
    // The assumption joins the question from a later line.
    session.whole_lines = false;
    let (_, listed) = session.ok("list_questions", json!({})).await;
    assert_eq!(
        question_rows(&listed),
        [
            json!([
                "answered",
                "Can guests have a cart?",
                "Yes, kept for the browser session.",
                line_of(spec, CLARIFIED, "Can guests")
            ]),
            json!([
                "answered",
                "Where is the cart kept between visits?",
                "In the database, keyed by the shopper.",
                line_of(research, RESEARCH, "Where is the cart")
            ]),
            json!([
                "answered",
                "Are prices locked when an item is added?",
                "No, the cart always shows today's price.",
                line_of(research, RESEARCH, "Are prices locked")
            ]),
            json!([
                "answered",
                "Is a cart shared between tabs?",
                "Yes, through the same session.",
                line_of(research, RESEARCH, "shared between tabs")
            ]),
            json!([
                "open",
                "How long are abandoned carts kept? (current assumption: 30 days.)",
                null,
                line_of(research, RESEARCH, "abandoned carts")
            ]),
        ]
    );
    assert_eq!(
        (listed["open"].as_u64(), listed["answered"].as_u64()),
        (Some(1), Some(4))
    );
    session.close().await;
}

// ---------------------------------------------------------------------------
// Nothing dropped silently from lists
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_tasks_lists_every_task_page_by_page() {
    let root = tempfile::tempdir().expect("temp dir");
    let mut tasks = String::from("# Tasks\n\n## Phase 1: Everything\n\n");
    for number in 1..=230 {
        let _ = writeln!(tasks, "- [ ] T{number:03} Do step {number}");
    }
    write(
        root.path(),
        "specs/001-big/spec.md",
        "# Feature Specification: Big\n",
    );
    write(root.path(), "specs/001-big/tasks.md", &tasks);
    let session = session(root.path(), Defaults::default()).await;
    let mut listed: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let arguments = match &cursor {
            Some(cursor) => json!({"cursor": cursor}),
            None => json!({}),
        };
        let (markdown, page) = session.ok("list_tasks", arguments).await;
        pages += 1;
        assert_eq!(page["total"], 230);
        listed.extend(
            strings(&page["tasks"], "id")
                .into_iter()
                .map(str::to_string),
        );
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert!(
                    markdown.contains(&format!(
                        "{} of 230 tasks listed; call list_tasks with cursor `{next}` for the next.",
                        page["tasks"].as_array().expect("tasks").len()
                    )),
                    "{markdown}"
                );
                cursor = Some(next.to_string());
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (1..=230).map(|number| format!("T{number:03}")).collect();
    assert_eq!(listed, expected);
    for bad in ["7", "230", "-1", "x"] {
        let message = session.refused("list_tasks", json!({"cursor": bad})).await;
        assert!(
            message.starts_with(&format!(
                "cursor `{bad}` is not one list_tasks gave: the feature has 230 tasks"
            )),
            "{message}"
        );
    }
    session.close().await;
}

#[tokio::test]
async fn the_chosen_technologies_stay_when_constraints_are_cut_to_fit() {
    let root = tempfile::tempdir().expect("temp dir");
    let mut design = String::from("# Design\n\n");
    for section in 0..40 {
        let _ = write!(design, "## Component {section}\n\n");
        for rule in 0..8 {
            let _ = writeln!(
                design,
                "- Component {section} rule {rule} keeps its state in memory and reports through the event bus without blocking."
            );
        }
        design.push('\n');
    }
    design.push_str("## Technology Stack\n\n- Rust 1.88 with Tokio\n- SQLite through rusqlite\n");
    write(root.path(), ".kiro/specs/k/design.md", &design);
    write(
        root.path(),
        ".kiro/specs/k/tasks.md",
        "- [ ] 1. Render the page title\n",
    );
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_architecture_constraints", json!({})).await;
    let texts = strings(&answer["constraints"], "text");
    assert!(
        texts.contains(&"Rust 1.88 with Tokio") && texts.contains(&"SQLite through rusqlite"),
        "{texts:?}"
    );
    assert!(
        !answer["omitted"].as_array().expect("omitted").is_empty(),
        "the answer was cut and says what it left out"
    );
    let (_, current) = session.ok("get_current_task", json!({})).await;
    let texts = strings(&current["constraints"], "text");
    assert!(texts.contains(&"Rust 1.88 with Tokio"), "{texts:?}");
    session.close().await;
}

// ---------------------------------------------------------------------------
// The feature with work left, bold questions, options not taken
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_only_feature_with_work_left_is_current() {
    let root = tempfile::tempdir().expect("temp dir");
    write(root.path(), ".specify/memory/constitution.md", "# Rules\n");
    write(
        root.path(),
        "specs/001-heights/tasks.md",
        "# Tasks\n\n- [x] T001 Client\n- [X] T002 [US1] Heights\n",
    );
    write(
        root.path(),
        "specs/002-sample/tasks.md",
        "# Tasks\n\n- [ ] T001 Sample app\n",
    );
    let session = session(root.path(), Defaults::default()).await;
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["feature"]["id"], "002-sample");
    assert_eq!(current["task"]["id"], "T001");
    assert_eq!(
        current["feature_chosen_because"],
        "the only feature with work left (every task of the others is done)"
    );
    session.close().await;

    // A third feature being specified, without tasks yet, has work left
    // too: nothing says which of the two is current.
    write(root.path(), "specs/003-export/spec.md", "# Export\n");
    let session = self::session(root.path(), Defaults::default()).await;
    let message = session.refused("get_current_task", json!({})).await;
    assert!(
        message.starts_with("no feature given and none can be chosen"),
        "{message}"
    );
    session.close().await;
}

const DESIGN_QUESTIONS: &str = "# Design\n\
\n\
## Open Questions\n\
\n\
1. **Should drafts be sent at once?** Current design: always draft, explicit send.\n\
2. **Should we stream updates?**\n\
3. Which mail servers must work?\n";

#[tokio::test]
async fn a_bold_question_with_what_was_settled_after_it_is_answered() {
    let root = tempfile::tempdir().expect("temp dir");
    let design = "openspec/changes/add-mail/design.md";
    write(
        root.path(),
        "openspec/changes/add-mail/proposal.md",
        "# Mail\n",
    );
    write(root.path(), design, DESIGN_QUESTIONS);
    let session = session(root.path(), Defaults::default()).await;
    let (_, listed) = session.ok("list_questions", json!({})).await;
    assert_eq!(
        question_rows(&listed),
        [
            json!([
                "answered",
                "Should drafts be sent at once?",
                "Current design: always draft, explicit send.",
                line_of(design, DESIGN_QUESTIONS, "sent at once")
            ]),
            json!([
                "open",
                "**Should we stream updates?**",
                null,
                line_of(design, DESIGN_QUESTIONS, "stream updates")
            ]),
            json!([
                "open",
                "Which mail servers must work?",
                null,
                line_of(design, DESIGN_QUESTIONS, "mail servers")
            ]),
        ]
    );
    session.close().await;
}

const RESEARCH_ALTERNATIVES: &str = "# Research\n\
\n\
## Networking\n\
\n\
- **Decision**: Retrofit and Moshi.\n\
- *Future consideration*: let callers inject their own HTTP client.\n\
\n\
## Alternatives Considered\n\
\n\
- **Idea**: Ktor.\n\
\n\
### Suspend functions\n\
\n\
- **Idea**: Coroutines for the new call.\n\
- **Rejected**: Java callers need callbacks.\n";

#[tokio::test]
async fn options_not_taken_and_ideas_for_later_are_not_constraints() {
    let root = tempfile::tempdir().expect("temp dir");
    let research = "specs/001-heights/research.md";
    write(root.path(), ".specify/memory/constitution.md", "# Rules\n");
    write(root.path(), "specs/001-heights/spec.md", "# Heights\n");
    write(root.path(), research, RESEARCH_ALTERNATIVES);
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_architecture_constraints", json!({})).await;
    assert_eq!(
        strings(&answer["constraints"], "source"),
        [line_of(research, RESEARCH_ALTERNATIVES, "Retrofit")]
    );
    session.close().await;
}
