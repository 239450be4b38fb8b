//! Small hand-written kits in each layout the server reads (spec-kit, Kiro,
//! OpenSpec, and a root mixing them), driven through the MCP tools, with
//! exact ids, texts and `path:line` sources; and the order in which the
//! current feature is chosen (spec-kit's environment, `.specify/feature.json`,
//! the git branch, the only feature).
//!
//! The kits live in `tests/fixtures/layouts/`; each test copies one into a
//! temporary root, so tools that write leave the fixture alone.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use spec_mcp::edit::today;
use spec_mcp::model::Layout;
use spec_mcp::service::Defaults;
use spec_mcp::workspace::Workspace;

use crate::mcp::{Session, kit, strings as column};
use crate::support::{fixture, settle, temp_copy};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A temporary copy of `tests/fixtures/layouts/<name>`.
fn layout_kit(name: &str) -> tempfile::TempDir {
    temp_copy(&fixture(&format!("layouts/{name}")))
}

/// Writes `text` at `relative` under `root`, creating folders.
pub(crate) fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().expect("a parent folder")).expect("create dir");
    fs::write(path, text).expect("write file");
}

fn read(root: &Path, relative: &str) -> String {
    fs::read_to_string(root.join(relative)).expect("read kit file")
}

/// Only `keys` of every object of an array (absent ones as `null`), so an
/// answer can be compared whole on the fields a test is about.
fn pick(value: &Value, keys: &[&str]) -> Value {
    let rows = value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"));
    Value::Array(
        rows.iter()
            .map(|row| {
                Value::Object(
                    keys.iter()
                        .map(|key| ((*key).to_string(), row[*key].clone()))
                        .collect(),
                )
            })
            .collect(),
    )
}

/// Runs a session on `root` with `defaults`, read-only.
pub(crate) async fn session(root: &Path, defaults: Defaults) -> Session {
    Session::in_process(&kit(root, true, defaults), root).await
}

/// Runs a session on `root` that may write.
async fn writing_session(root: &Path) -> Session {
    Session::in_process(&kit(root, false, Defaults::default()), root).await
}

/// The line `ask_question` writes for a question asked by the test client.
fn asked_line(id: &str, task: Option<&str>, question: &str) -> String {
    let task = task
        .map(|task| format!(", task {task}"))
        .unwrap_or_default();
    format!(
        "- [ ] {id} ({}{task}, asked by test-client): {question}\n",
        today()
    )
}

/// The number of lines of `text` (which ends with a newline).
fn line_count(text: &str) -> usize {
    text.matches('\n').count()
}

// ---------------------------------------------------------------------------
// 1. spec-kit
// ---------------------------------------------------------------------------

const SPEC: &str = "specs/001-upload/spec.md";

#[tokio::test]
async fn speckit_tasks_have_status_phase_story_and_dependencies() {
    let root = layout_kit("speckit");
    let session = session(root.path(), Defaults::default()).await;
    let (markdown, answer) = session.ok("list_tasks", json!({})).await;
    assert_eq!(
        answer["feature"],
        json!({"id": "001-upload", "title": "Photo upload"}),
        "the title drops spec-kit's `Feature Specification:` prefix"
    );
    assert_eq!(answer["current"], "T002");
    assert_eq!(
        pick(
            &answer["tasks"],
            &[
                "id",
                "title",
                "status",
                "depends_on",
                "waiting_on",
                "acceptance_criteria",
                "phase",
                "story",
                "parent",
                "source"
            ]
        ),
        json!([
            {
                "id": "T001",
                "title": "Create the project skeleton in `src/`",
                "status": "done",
                "depends_on": null,
                "waiting_on": null,
                "acceptance_criteria": 0,
                "phase": "Phase 1: Setup",
                "story": null,
                "parent": null,
                "source": "specs/001-upload/tasks.md:9"
            },
            {
                "id": "T002",
                "title": "Create model in `src/model.rs` (depends on T001)",
                "status": "todo",
                "depends_on": ["T001"],
                "waiting_on": null,
                "acceptance_criteria": 2,
                "phase": "Phase 1: Setup",
                "story": "US1",
                "parent": null,
                "source": "specs/001-upload/tasks.md:10"
            },
            {
                "id": "T003",
                "title": "Add the delete endpoint in `src/api.rs` (depends on T002)",
                "status": "todo",
                "depends_on": ["T002"],
                "waiting_on": ["T002"],
                "acceptance_criteria": 1,
                "phase": "Phase 2: User Story 2 - Remove a photo",
                "story": "US2",
                "parent": null,
                "source": "specs/001-upload/tasks.md:14"
            }
        ])
    );
    assert!(markdown.contains("T001"), "{markdown}");
    session.close().await;
}

#[tokio::test]
async fn speckit_current_task_gets_its_user_story_scenarios() {
    let root = layout_kit("speckit");
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_current_task", json!({})).await;
    let task = &answer["task"];
    assert_eq!(task["id"], "T002");
    assert_eq!(task["status"], "todo");
    assert_eq!(task["story"], "US1");
    assert_eq!(task["parallel"], true);
    assert_eq!(task["phase"], "Phase 1: Setup");
    assert_eq!(task["files"], json!(["src/model.rs"]));
    assert_eq!(
        task["depends_on"],
        json!([{"id": "T001", "status": "done"}])
    );
    assert_eq!(task["source"], "specs/001-upload/tasks.md:10");
    assert_eq!(
        answer["chosen_because"],
        "the first open task whose dependencies are done"
    );
    assert_eq!(
        answer["feature_chosen_because"],
        "the only feature in the kit"
    );
    let story = "User Story 1 - Upload a photo";
    assert_eq!(
        answer["acceptance_criteria"],
        json!([
            {
                "text": "**Given** a signed-in seller, **When** they pick a JPEG under 10 MB, **Then** the photo shows on the listing.",
                "group": story,
                "source": format!("{SPEC}:16")
            },
            {
                "text": "**Given** a file over 10 MB, **When** it is picked, **Then** the upload is refused with a size message.",
                "group": story,
                "source": format!("{SPEC}:17")
            }
        ])
    );
    // The other task's story is not this task's business.
    let (_, t003) = session
        .ok("get_current_task", json!({"task": "T003"}))
        .await;
    assert_eq!(
        column(&t003["acceptance_criteria"], "source"),
        [format!("{SPEC}:25")]
    );
    assert_eq!(
        t003["acceptance_criteria"][0]["group"],
        "User Story 2 - Remove a photo"
    );
    session.close().await;
}

#[tokio::test]
async fn speckit_feature_criteria_are_scenarios_edge_cases_and_success_criteria() {
    let root = layout_kit("speckit");
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_acceptance_criteria", json!({})).await;
    assert_eq!(answer["task"]["id"], "T002");
    assert_eq!(
        column(&answer["task_criteria"], "source"),
        [format!("{SPEC}:16"), format!("{SPEC}:17")]
    );
    // Beside story 1's scenarios, T002 gets what binds every task; story
    // 2's scenario is another task's.
    assert_eq!(answer["feature_criteria_shown"], "every_task");
    assert_eq!(
        column(&answer["feature_criteria"], "source"),
        [
            format!("{SPEC}:29"),
            format!("{SPEC}:30"),
            format!("{SPEC}:43"),
            format!("{SPEC}:44")
        ]
    );
    // T001 links to no story while the others do: it serves none of them.
    let (_, answer) = session
        .ok("get_acceptance_criteria", json!({"task": "T001"}))
        .await;
    assert_eq!(answer["task_criteria"], json!([]));
    assert_eq!(answer["feature_criteria_shown"], "every_task");
    assert_eq!(
        column(&answer["feature_criteria"], "source").len(),
        4,
        "edge cases and success criteria: {answer}"
    );
    assert_eq!(
        answer["notes"][0],
        "task T001 links to no user story or requirement"
    );
    session.close().await;
    // With no task at all, every criterion of the feature.
    fs::remove_file(root.path().join("specs/001-upload/tasks.md")).expect("remove tasks.md");
    let session = self::session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_acceptance_criteria", json!({})).await;
    assert_eq!(answer["feature_criteria_shown"], "all");
    let criteria = &answer["feature_criteria"];
    assert_eq!(
        pick(criteria, &["group", "source"]),
        json!([
            {"group": "User Story 1 - Upload a photo", "source": format!("{SPEC}:16")},
            {"group": "User Story 1 - Upload a photo", "source": format!("{SPEC}:17")},
            {"group": "User Story 2 - Remove a photo", "source": format!("{SPEC}:25")},
            {"group": "Edge cases", "source": format!("{SPEC}:29")},
            {"group": "Edge cases", "source": format!("{SPEC}:30")},
            {"group": "Success criteria", "source": format!("{SPEC}:43")},
            {"group": "Success criteria", "source": format!("{SPEC}:44")}
        ])
    );
    let texts = column(criteria, "text");
    assert_eq!(
        texts[3],
        "What happens when the network drops mid-upload? The upload resumes from the last chunk."
    );
    assert_eq!(
        texts[5],
        "**SC-001**: 95% of uploads finish in under 5 seconds."
    );
    assert!(
        !texts.iter().any(|text| text.contains("FR-00")),
        "functional requirements are not acceptance criteria: {texts:?}"
    );
    session.close().await;
}

#[tokio::test]
async fn speckit_questions_are_clarifications_and_needs_clarification_markers() {
    let root = layout_kit("speckit");
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("list_questions", json!({})).await;
    assert_eq!(answer["open"], 1);
    assert_eq!(answer["answered"], 1);
    assert_eq!(
        answer["questions"],
        json!([
            {
                "status": "open",
                "text": "how long are photos kept?",
                "asked": "needs clarification",
                "source": format!("{SPEC}:37")
            },
            {
                "status": "answered",
                "text": "Which image formats are accepted?",
                "answer": "JPEG and PNG only.",
                "source": format!("{SPEC}:50")
            }
        ])
    );
    let (_, open) = session
        .ok("list_questions", json!({"status": "open"}))
        .await;
    assert_eq!(column(&open["questions"], "source"), [format!("{SPEC}:37")]);
    session.close().await;
}

#[tokio::test]
async fn speckit_out_of_scope_is_the_assumptions_that_say_so() {
    let root = layout_kit("speckit");
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_out_of_scope", json!({})).await;
    assert_eq!(
        answer["items"],
        json!([
            {
                "kind": "out of scope",
                "text": "Video upload is out of scope for this feature.",
                "source": format!("{SPEC}:54")
            },
            {
                "kind": "out of scope",
                "text": "No other file types are in scope.",
                "source": format!("{SPEC}:57")
            }
        ]),
        "the struck-through assumption (line 55) and the plain one (line 56) are not exclusions"
    );
    session.close().await;
}

#[tokio::test]
async fn speckit_constraints_come_from_plan_data_model_contracts_and_constitution() {
    let root = layout_kit("speckit");
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_architecture_constraints", json!({})).await;
    let feature = "specs/001-upload";
    let constitution = ".specify/memory/constitution.md";
    assert_eq!(
        answer["constraints"],
        json!([
            {
                "section": "Technical Context",
                "text": "**Language/Version**: Rust 1.85",
                "source": format!("{feature}/plan.md:5")
            },
            {
                "section": "Technical Context",
                "text": "**Storage**: S3-compatible object storage",
                "source": format!("{feature}/plan.md:6")
            },
            {
                "section": "Photo",
                "text": "`id` is a UUID and the primary key.",
                "source": format!("{feature}/data-model.md:5")
            },
            {
                "section": "Photo",
                "text": "`listing_id` names the listing that owns the photo.",
                "source": format!("{feature}/data-model.md:6")
            },
            {
                "section": "POST /photos",
                "text": "Returns 201 with the photo id.",
                "source": format!("{feature}/contracts/api.md:5")
            },
            {
                "section": "POST /photos",
                "text": "Returns 413 when the file is over 10 MB.",
                "source": format!("{feature}/contracts/api.md:6")
            },
            {
                "section": "I. Library first",
                "text": "Every feature starts as a standalone library.",
                "source": format!("{constitution}:6")
            },
            {
                "section": "II. Test first",
                "text": "Tests are written before the code they cover.",
                "source": format!("{constitution}:9")
            },
            {
                "section": "Governance",
                "text": "Amendments need a written review.",
                "source": format!("{constitution}:12")
            }
        ])
    );
    // All of it fits get_current_task's budget: nothing is left out.
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["constraints"], answer["constraints"]);
    session.close().await;
}

#[tokio::test]
async fn speckit_ask_question_appends_an_open_questions_section_to_spec_md() {
    let root = layout_kit("speckit");
    let before = read(root.path(), SPEC);
    let others: Vec<(&str, String)> = [
        "specs/001-upload/plan.md",
        "specs/001-upload/tasks.md",
        "specs/001-upload/data-model.md",
    ]
    .into_iter()
    .map(|path| (path, read(root.path(), path)))
    .collect();
    let session = writing_session(root.path()).await;
    let question = "Should photos be resized on upload?";
    let (_, asked) = session
        .ok("ask_question", json!({"question": question}))
        .await;
    let line = line_count(&before) + 4;
    assert_eq!(
        asked,
        json!({
            "id": "Q-1",
            "created": true,
            "feature": "001-upload",
            "source": format!("{SPEC}:{line}")
        })
    );
    let after = read(root.path(), SPEC);
    assert_eq!(
        after,
        format!(
            "{before}\n## Open questions\n\n{}",
            asked_line("Q-1", Some("T002"), question)
        ),
        "one section appended at the end; every other byte unchanged"
    );
    for (path, text) in others {
        assert_eq!(read(root.path(), path), text, "{path} was not touched");
    }
    let (_, listed) = session
        .ok("list_questions", json!({"status": "open"}))
        .await;
    assert_eq!(
        pick(&listed["questions"], &["id", "task", "text", "source"]),
        json!([
            {"id": null, "task": null, "text": "how long are photos kept?", "source": format!("{SPEC}:37")},
            {"id": "Q-1", "task": "T002", "text": question, "source": format!("{SPEC}:{line}")}
        ])
    );
    // Asked again: the same id, nothing written.
    let (_, again) = session
        .ok("ask_question", json!({"question": question}))
        .await;
    assert_eq!(again["id"], "Q-1");
    assert_eq!(again["created"], false);
    assert_eq!(read(root.path(), SPEC), after);
    session.close().await;
}

// ---------------------------------------------------------------------------
// 2. Template placeholders
// ---------------------------------------------------------------------------

#[tokio::test]
async fn template_placeholders_are_not_served_and_are_reported() {
    let root = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(root.path().join(".specify")).expect("create .specify");
    let spec = "specs/001-login/spec.md";
    write(
        root.path(),
        spec,
        "# Feature Specification: [FEATURE NAME]\n\
         \n\
         **Created**: [DATE]\n\
         \n\
         ## User Scenarios & Testing\n\
         \n\
         ### User Story 1 - Sign in (Priority: P1)\n\
         \n\
         **Acceptance Scenarios**:\n\
         \n\
         1. **Given** a user, **When** they sign in, **Then** they see the [PROJECT_NAME] home page.\n\
         2. **Given** a user, **When** they sign out, **Then** they see the sign-in page.\n\
         \n\
         ## Assumptions\n\
         \n\
         - Exports are out of scope for [PROJECT_NAME].\n\
         - Imports are out of scope.\n",
    );
    let session = session(root.path(), Defaults::default()).await;
    let (_, criteria) = session.ok("get_acceptance_criteria", json!({})).await;
    assert_eq!(
        criteria["feature"],
        json!({"id": "001-login", "title": "001-login"}),
        "an unfilled title gives way to the folder name"
    );
    assert_eq!(
        criteria["feature_criteria"],
        json!([{
            "text": "**Given** a user, **When** they sign out, **Then** they see the sign-in page.",
            "group": "User Story 1 - Sign in",
            "source": format!("{spec}:12")
        }])
    );
    let (_, scope) = session.ok("get_out_of_scope", json!({})).await;
    assert_eq!(
        scope["items"],
        json!([{
            "kind": "out of scope",
            "text": "Imports are out of scope.",
            "source": format!("{spec}:17")
        }])
    );
    session.close().await;

    let workspace = Workspace::open(root.path()).expect("open");
    let feature = workspace.feature("001-login").expect("feature");
    let mut reported: Vec<(String, String)> = feature
        .all_diagnostics()
        .map(|diagnostic| (diagnostic.source.to_string(), diagnostic.message.clone()))
        .collect();
    reported.sort();
    let expected = |line: u32, token: &str| {
        (
            format!("{spec}:{line}"),
            format!("template placeholder {token} was never filled in; the item is not served"),
        )
    };
    assert_eq!(
        reported,
        vec![
            (
                format!("{spec}:1"),
                "template placeholder [FEATURE NAME] was never filled in the title".to_string()
            ),
            expected(11, "[PROJECT_NAME]"),
            expected(16, "[PROJECT_NAME]"),
            expected(3, "[DATE]"),
        ]
    );
}

// ---------------------------------------------------------------------------
// 3. Kiro
// ---------------------------------------------------------------------------

const REQUIREMENTS: &str = ".kiro/specs/login/requirements.md";

fn requirement(line: u32, group: &str, text: &str) -> Value {
    json!({"text": text, "group": group, "source": format!("{REQUIREMENTS}:{line}")})
}

fn sign_in(line: u32) -> Value {
    let text = match line {
        15 => "WHEN a user submits valid credentials THEN the system SHALL open their account.",
        16 => "WHEN a user submits a wrong password THEN the system SHALL show an error.",
        _ => unreachable!(),
    };
    requirement(line, "Requirement 1: Sign in", text)
}

fn lock_out(line: u32) -> Value {
    let text = match line {
        22 => "WHEN a user fails five times THEN the system SHALL lock the account for 15 minutes.",
        23 => "WHEN an account is locked THEN the system SHALL email its owner.",
        _ => unreachable!(),
    };
    requirement(line, "Requirement 2: Lock out", text)
}

#[tokio::test]
async fn kiro_tasks_nest_steps_under_their_parent() {
    let root = layout_kit("kiro");
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("list_tasks", json!({})).await;
    assert_eq!(answer["feature"]["id"], "login");
    assert_eq!(answer["current"], "2.1");
    let tasks = ".kiro/specs/login/tasks.md";
    assert_eq!(
        pick(
            &answer["tasks"],
            &[
                "id",
                "title",
                "status",
                "parent",
                "optional",
                "acceptance_criteria",
                "phase",
                "source"
            ]
        ),
        json!([
            {"id": "1", "title": "Build sign-in", "status": "todo", "parent": null, "optional": null,
             "acceptance_criteria": 3, "phase": null, "source": format!("{tasks}:3")},
            {"id": "1.1", "title": "Create the sign-in form", "status": "todo", "parent": "1", "optional": null,
             "acceptance_criteria": 1, "phase": null, "source": format!("{tasks}:4")},
            {"id": "1.2", "title": "Add the lock-out counter", "status": "todo", "parent": "1", "optional": null,
             "acceptance_criteria": 2, "phase": null, "source": format!("{tasks}:7")},
            {"id": "2.1", "title": "Email the owner on lock-out", "status": "in progress", "parent": null,
             "optional": null, "acceptance_criteria": 1, "phase": null, "source": format!("{tasks}:9")},
            {"id": "2.2", "title": "Write load tests", "status": "todo", "parent": null, "optional": true,
             "acceptance_criteria": 0, "phase": null, "source": format!("{tasks}:11")}
        ])
    );
    session.close().await;
}

#[tokio::test]
async fn kiro_current_task_and_the_requirements_each_task_links() {
    let root = layout_kit("kiro");
    let session = session(root.path(), Defaults::default()).await;
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["task"]["id"], "2.1");
    assert_eq!(current["task"]["status"], "in progress");
    assert_eq!(current["task"]["requirements"], json!(["2.2"]));
    assert_eq!(
        current["chosen_because"],
        "the first task marked in progress"
    );
    assert_eq!(current["acceptance_criteria"], json!([lock_out(23)]));

    // `_Requirements: 1.2_` is one criterion of requirement 1.
    let (_, step) = session.ok("get_current_task", json!({"task": "1.1"})).await;
    assert_eq!(step["task"]["parent"], "1");
    assert_eq!(step["task"]["description"], "Validate the email field");
    assert_eq!(step["acceptance_criteria"], json!([sign_in(16)]));

    // `_Requirements: 2_` is all of requirement 2.
    let (_, whole) = session.ok("get_current_task", json!({"task": "1.2"})).await;
    assert_eq!(
        whole["acceptance_criteria"],
        json!([lock_out(22), lock_out(23)])
    );

    // A parent task gets what its steps link to.
    let (_, parent) = session
        .ok("get_acceptance_criteria", json!({"task": "1"}))
        .await;
    assert_eq!(
        parent["task_criteria"],
        json!([sign_in(16), lock_out(22), lock_out(23)])
    );
    // Every criterion belongs to a requirement, and those the task does
    // not link to belong to other tasks: none is listed for every task.
    assert_eq!(parent["feature_criteria"], json!([]));
    assert_eq!(parent["feature_criteria_shown"], "every_task");
    session.close().await;
}

#[tokio::test]
async fn kiro_optional_tasks_come_after_required_ones_and_parents_wait_for_steps() {
    let root = tempfile::tempdir().expect("temp dir");
    write(
        root.path(),
        ".kiro/specs/search/requirements.md",
        "# Requirements Document\n",
    );
    write(
        root.path(),
        ".kiro/specs/search/tasks.md",
        "- [ ]* 1. Benchmark the index\n\
         - [ ] 2. Build the index\n\
         \x20 - [x] 2.1 Pick a tokenizer\n\
         \x20 - [ ] 2.2 Store postings\n",
    );
    let session = session(root.path(), Defaults::default()).await;
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(
        current["task"]["id"], "2.2",
        "the optional task waits, and task 2 is worked on through its open step"
    );
    assert_eq!(current["task"]["parent"], "2");
    // Once every required step is done, the optional task is next.
    write(
        root.path(),
        ".kiro/specs/search/tasks.md",
        "- [ ]* 1. Benchmark the index\n\
         - [x] 2. Build the index\n\
         \x20 - [x] 2.1 Pick a tokenizer\n\
         \x20 - [x] 2.2 Store postings and the doc table\n",
    );
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["task"]["id"], "1");
    assert_eq!(current["task"]["optional"], true);
    session.close().await;
}

#[tokio::test]
async fn kiro_constraints_include_steering_files_but_not_manual_ones() {
    let root = layout_kit("kiro");
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("get_architecture_constraints", json!({})).await;
    let design = ".kiro/specs/login/design.md";
    assert_eq!(
        answer["constraints"],
        json!([
            {"section": "Overview", "text": "Sessions are stored on the server.",
             "source": format!("{design}:5")},
            {"section": "Components", "text": "`AuthService` checks credentials against the user table.",
             "source": format!("{design}:9")},
            {"section": "Components", "text": "Lock-out state lives in Redis with a 15 minute TTL.",
             "source": format!("{design}:10")},
            {"section": "Tech stack", "text": "The backend is written in Rust.",
             "source": ".kiro/steering/tech.md:3"}
        ]),
        "`.kiro/steering/manual.md` has `inclusion: manual`"
    );
    session.close().await;
}

#[tokio::test]
async fn kiro_ask_question_lands_in_requirements_md() {
    let root = layout_kit("kiro");
    let before = read(root.path(), REQUIREMENTS);
    let design = read(root.path(), ".kiro/specs/login/design.md");
    let session = writing_session(root.path()).await;
    let question = "How long does a lock-out last after a password reset?";
    let (_, asked) = session
        .ok("ask_question", json!({"question": question}))
        .await;
    assert_eq!(asked["id"], "Q-1");
    assert_eq!(
        asked["source"],
        format!("{REQUIREMENTS}:{}", line_count(&before) + 4)
    );
    assert_eq!(
        read(root.path(), REQUIREMENTS),
        format!(
            "{before}\n## Open questions\n\n{}",
            asked_line("Q-1", Some("2.1"), question)
        )
    );
    assert_eq!(read(root.path(), ".kiro/specs/login/design.md"), design);
    session.close().await;
}

/// `parse::feature_title` says a Kiro "Requirements Document" heading says
/// nothing and gives way to the folder name.
#[tokio::test]
async fn kiro_generic_title_gives_way_to_the_folder_name() {
    let root = layout_kit("kiro");
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session.ok("list_tasks", json!({})).await;
    assert_eq!(answer["feature"], json!({"id": "login", "title": "login"}));
    session.close().await;
}

// ---------------------------------------------------------------------------
// 4. OpenSpec
// ---------------------------------------------------------------------------

const CHANGE: &str = "openspec/changes/add-x";

#[tokio::test]
async fn openspec_changes_and_capabilities_are_features_but_not_the_archive() {
    let root = layout_kit("openspec");
    let workspace = Workspace::open(root.path()).expect("open");
    assert_eq!(*workspace.feature_ids(), ["add-x", "cap-a"]);
    let session = session(root.path(), Defaults::default()).await;
    for id in ["archive", "2025-01-01-old"] {
        let message = session.refused("list_tasks", json!({"feature": id})).await;
        assert!(
            message.contains(&format!("unknown feature `{id}`"))
                && message.contains("valid features: add-x, cap-a"),
            "{message}"
        );
    }
    // The capability is the current truth, not work: the one change is
    // current without a `feature`.
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["feature"]["id"], "add-x");
    assert!(
        current["feature_chosen_because"]
            .as_str()
            .is_some_and(|why| why.starts_with("the only work in progress")),
        "{current}"
    );
    let (_, tasks) = session.ok("list_tasks", json!({"feature": "add-x"})).await;
    assert_eq!(tasks["current"], "1.2");
    assert_eq!(
        pick(&tasks["tasks"], &["id", "status", "phase", "parent"]),
        json!([
            {"id": "1.1", "status": "done", "phase": "1. Export endpoint", "parent": null},
            {"id": "1.2", "status": "todo", "phase": "1. Export endpoint", "parent": null},
            {"id": "2.1", "status": "todo", "phase": "2. Cleanup", "parent": null}
        ])
    );
    session.close().await;
}

#[tokio::test]
async fn openspec_criteria_are_grouped_by_capability_and_delta() {
    let root = layout_kit("openspec");
    let mut session = session(root.path(), Defaults::default()).await;
    // A scenario's steps and a removal's reason are served as one item
    // citing the heading: the line holds the item's first words only.
    session.whole_lines = false;
    let delta = format!("{CHANGE}/specs/cap-a/spec.md");
    let (_, change) = session
        .ok("get_acceptance_criteria", json!({"feature": "add-x"}))
        .await;
    assert_eq!(
        change["feature_criteria"],
        json!([
            {
                "text": "Export downloads a file: **WHEN** the user requests an export **THEN** a CSV file is returned",
                "group": "cap-a / ADDED Requirement: CSV export",
                "source": format!("{delta}:6")
            },
            {
                "text": "XML export is removed: **Reason**: nobody uses it.",
                "group": "cap-a / REMOVED Requirement: XML export",
                "source": format!("{delta}:12")
            },
            {
                "text": "FROM: ### Requirement: Export",
                "group": "cap-a / RENAMED Requirements",
                "source": format!("{delta}:17")
            },
            {
                "text": "TO: ### Requirement: Record export",
                "group": "cap-a / RENAMED Requirements",
                "source": format!("{delta}:18")
            }
        ])
    );
    let (_, capability) = session
        .ok("get_acceptance_criteria", json!({"feature": "cap-a"}))
        .await;
    assert_eq!(
        capability["feature_criteria"],
        json!([{
            "text": "Export returns a file: **WHEN** an export is requested **THEN** a file is returned",
            "group": "Requirement: Export",
            "source": "openspec/specs/cap-a/spec.md:12"
        }])
    );
    session.close().await;
}

#[tokio::test]
async fn openspec_non_goals_are_out_of_scope_and_config_context_binds_every_feature() {
    let root = layout_kit("openspec");
    let session = session(root.path(), Defaults::default()).await;
    let design = format!("{CHANGE}/design.md");
    let (_, scope) = session
        .ok("get_out_of_scope", json!({"feature": "add-x"}))
        .await;
    assert_eq!(
        pick(&scope["items"], &["text", "source"]),
        json!([
            {"text": "PDF export.", "source": format!("{design}:11")},
            {"text": "Scheduled exports.", "source": format!("{design}:12")}
        ])
    );
    let context = [
        json!({"section": "Project context", "text": "Tech stack: TypeScript on Node 20",
               "source": "openspec/config.yaml:4"}),
        json!({"section": "Project context", "text": "All dates are stored in UTC",
               "source": "openspec/config.yaml:5"}),
    ];
    let (_, constraints) = session
        .ok("get_architecture_constraints", json!({"feature": "add-x"}))
        .await;
    assert_eq!(
        constraints["constraints"],
        json!([
            {"section": "Context", "text": "Exports run inside the request today.",
             "source": format!("{design}:3")},
            {"section": "Decisions", "text": "Stream rows instead of building the file in memory.",
             "source": format!("{design}:16")},
            context[0],
            context[1]
        ]),
        "goals, non-goals and open questions are not constraints"
    );
    let (_, capability) = session
        .ok("get_architecture_constraints", json!({"feature": "cap-a"}))
        .await;
    assert_eq!(capability["constraints"], json!(context));
    let (_, questions) = session
        .ok("list_questions", json!({"feature": "add-x"}))
        .await;
    assert_eq!(
        questions["questions"],
        json!([{
            "status": "open",
            "text": "Should the export include deleted records?",
            "source": format!("{design}:20")
        }])
    );
    session.close().await;
}

/// The tech spec keeps non-goals apart from out-of-scope items; an OpenSpec
/// design's `**Non-Goals:**` list is non-goals.
#[tokio::test]
async fn openspec_non_goals_have_the_non_goal_kind() {
    let root = layout_kit("openspec");
    let session = session(root.path(), Defaults::default()).await;
    let (_, scope) = session
        .ok("get_out_of_scope", json!({"feature": "add-x"}))
        .await;
    assert_eq!(column(&scope["items"], "kind"), ["non-goal", "non-goal"]);
    session.close().await;
}

/// OpenSpec writes renames as ``- FROM: `### Requirement: Old` ``; served
/// items keep their text as written, so the cited line holds it.
#[tokio::test]
async fn openspec_renamed_items_keep_their_text_as_written() {
    let root = layout_kit("openspec");
    let delta = format!("{CHANGE}/specs/cap-a/spec.md");
    let text = read(root.path(), &delta)
        .replace(
            "- FROM: ### Requirement: Export",
            "- FROM: `### Requirement: Export`",
        )
        .replace(
            "- TO: ### Requirement: Record export",
            "- TO: `### Requirement: Record export`",
        );
    write(root.path(), &delta, &text);
    let mut session = session(root.path(), Defaults::default()).await;
    session.whole_lines = false;
    let (_, change) = session
        .ok("get_acceptance_criteria", json!({"feature": "add-x"}))
        .await;
    let renamed: Vec<&str> = change["feature_criteria"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|item| item["group"] == "cap-a / RENAMED Requirements")
        .map(|item| item["text"].as_str().expect("text"))
        .collect();
    assert_eq!(
        renamed,
        [
            "FROM: `### Requirement: Export`",
            "TO: `### Requirement: Record export`"
        ]
    );
    session.close().await;
}

#[tokio::test]
async fn openspec_ask_question_lands_in_design_md_else_proposal_md() {
    let root = layout_kit("openspec");
    let design = format!("{CHANGE}/design.md");
    let proposal = format!("{CHANGE}/proposal.md");
    let design_before = read(root.path(), &design);
    let proposal_before = read(root.path(), &proposal);
    let session = writing_session(root.path()).await;

    let first = "Is the CSV export limited to one year of records?";
    let (_, asked) = session
        .ok(
            "ask_question",
            json!({"feature": "add-x", "question": first}),
        )
        .await;
    assert_eq!(
        asked,
        json!({"id": "Q-1", "created": true, "feature": "add-x", "source": format!("{design}:21")})
    );
    assert_eq!(
        read(root.path(), &design),
        format!("{design_before}{}", asked_line("Q-1", Some("1.2"), first)),
        "after the last item of the Open Questions section"
    );
    assert_eq!(read(root.path(), &proposal), proposal_before);

    // Without design.md, the proposal takes the question.
    fs::remove_file(root.path().join(&design)).expect("remove design.md");
    let second = "Which delimiter does the export use?";
    let (_, asked) = session
        .ok(
            "ask_question",
            json!({"feature": "add-x", "question": second}),
        )
        .await;
    assert_eq!(asked["id"], "Q-1", "the design's Q-1 went with the file");
    assert_eq!(
        asked["source"],
        format!("{proposal}:{}", line_count(&proposal_before) + 4)
    );
    assert_eq!(
        read(root.path(), &proposal),
        format!(
            "{proposal_before}\n## Open questions\n\n{}",
            asked_line("Q-1", Some("1.2"), second)
        )
    );
    session.close().await;
}

// ---------------------------------------------------------------------------
// 5. A root mixing layouts
// ---------------------------------------------------------------------------

#[tokio::test]
async fn mixed_root_qualifies_clashing_ids_and_refuses_the_bare_name() {
    let root = layout_kit("mixed");
    let workspace = Workspace::open(root.path()).expect("open");
    assert_eq!(
        *workspace.feature_ids(),
        ["auth@native", "002-pay", "auth@kiro"],
        "layout order (native, spec-kit, Kiro), then by name"
    );
    assert_eq!(
        workspace.feature("002-pay").expect("002-pay").layout,
        Layout::SpecKit
    );

    let session = session(root.path(), Defaults::default()).await;
    let message = session
        .refused("get_current_task", json!({"feature": "auth"}))
        .await;
    assert_eq!(
        message,
        "feature `auth` is ambiguous: more than one layout has a folder of that name; use one of auth@native, auth@kiro"
    );
    let (_, kiro) = session
        .ok("get_current_task", json!({"feature": "auth@kiro"}))
        .await;
    assert_eq!(kiro["feature"]["id"], "auth@kiro");
    assert_eq!(kiro["task"]["id"], "1");
    assert_eq!(
        kiro["acceptance_criteria"],
        json!([{
            "text": "WHEN a user registers THEN the system SHALL offer a passkey.",
            "group": "Requirement 1: Passkeys",
            "source": ".kiro/specs/auth/requirements.md:7"
        }])
    );
    let (_, native) = session
        .ok("get_acceptance_criteria", json!({"feature": "auth@native"}))
        .await;
    assert_eq!(
        native["feature"],
        json!({"id": "auth@native", "title": "Auth"})
    );
    assert_eq!(native["task"]["id"], "T1");
    assert_eq!(
        native["feature_criteria"],
        json!([{"text": "Users sign in with a passkey.", "source": "specs/auth/prd.md:5"}])
    );
    let (_, pay) = session
        .ok(
            "get_architecture_constraints",
            json!({"feature": "002-pay"}),
        )
        .await;
    assert_eq!(
        pay["constraints"],
        json!([{"section": "Principles", "text": "Keep it simple.",
                "source": ".specify/memory/constitution.md:5"}]),
        "spec-kit's constitution binds the spec-kit feature"
    );
    let (_, native_constraints) = session
        .ok(
            "get_architecture_constraints",
            json!({"feature": "auth@native"}),
        )
        .await;
    assert_eq!(
        native_constraints["constraints"],
        json!([]),
        "but not the native one"
    );
    let message = session.refused("list_tasks", json!({})).await;
    assert!(
        message.contains("valid features: auth@native, 002-pay, auth@kiro"),
        "{message}"
    );
    session.close().await;

    // SPECIFY_FEATURE_DIRECTORY names a folder, so it tells the two apart.
    for (folder, id) in [
        (".kiro/specs/auth", "auth@kiro"),
        ("specs/auth", "auth@native"),
    ] {
        assert_eq!(
            current_feature(root.path(), directory(folder)).await,
            (
                id.to_string(),
                "named by SPECIFY_FEATURE_DIRECTORY".to_string()
            )
        );
    }
}

#[test]
fn mixed_root_read_as_one_layout_needs_no_qualifier() {
    let root = layout_kit("mixed");
    let kiro = Workspace::open_with(root.path(), Some(Layout::Kiro)).expect("open");
    assert_eq!(*kiro.feature_ids(), ["auth"]);
    let feature = kiro.feature("auth").expect("auth");
    assert_eq!(feature.layout, Layout::Kiro);
    assert_eq!(&*feature.dir, ".kiro/specs/auth");
    assert!(
        kiro.feature("auth@kiro").is_ok(),
        "the qualified id still works"
    );
    assert!(kiro.feature("002-pay").is_err(), "spec-kit is not read");
}

#[test]
fn a_folder_with_only_tasks_md_is_spec_kit_when_specify_exists() {
    let root = tempfile::tempdir().expect("temp dir");
    write(root.path(), "specs/x/tasks.md", "- [ ] T001 Do it\n");
    let plain = Workspace::open(root.path()).expect("open");
    assert_eq!(*plain.feature_ids(), ["x"]);
    assert_eq!(plain.feature("x").expect("x").layout, Layout::Native);

    fs::create_dir_all(root.path().join(".specify")).expect("create .specify");
    let specify = Workspace::open(root.path()).expect("open");
    assert_eq!(*specify.feature_ids(), ["x"]);
    assert_eq!(specify.feature("x").expect("x").layout, Layout::SpecKit);
}

// ---------------------------------------------------------------------------
// 6. Which feature is current
// ---------------------------------------------------------------------------

/// A spec-kit root with features `001-upload` and `002-pay`, each with one
/// open task.
fn two_features() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    write(
        root.path(),
        ".specify/memory/constitution.md",
        "# Constitution\n",
    );
    for (id, title) in [("001-upload", "Upload"), ("002-pay", "Pay")] {
        write(
            root.path(),
            &format!("specs/{id}/spec.md"),
            &format!("# Feature Specification: {title}\n"),
        );
        write(
            root.path(),
            &format!("specs/{id}/tasks.md"),
            &format!("- [ ] T001 Build {title}\n"),
        );
    }
    root
}

fn feature_json(root: &Path, directory: &str) {
    write(
        root,
        ".specify/feature.json",
        &json!({"feature_directory": directory}).to_string(),
    );
}

fn git_branch(root: &Path, branch: &str) {
    write(root, ".git/HEAD", &format!("ref: refs/heads/{branch}\n"));
}

/// The current feature's id and why, from `get_current_task`.
async fn current_feature(root: &Path, defaults: Defaults) -> (String, String) {
    let session = session(root, defaults).await;
    let (_, answer) = session.ok("get_current_task", json!({})).await;
    let id = answer["feature"]["id"].as_str().expect("id").to_string();
    let reason = answer["feature_chosen_because"]
        .as_str()
        .unwrap_or_else(|| panic!("no feature_chosen_because: {answer}"))
        .to_string();
    session.close().await;
    (id, reason)
}

fn directory(path: impl Into<PathBuf>) -> Defaults {
    Defaults {
        specify_feature_directory: Some(path.into()),
        ..Defaults::default()
    }
}

fn named(name: &str) -> Defaults {
    Defaults {
        specify_feature: Some(name.to_string()),
        ..Defaults::default()
    }
}

fn pay(reason: &str) -> (String, String) {
    ("002-pay".to_string(), reason.to_string())
}

#[tokio::test]
async fn specify_feature_directory_wins_over_every_other_hint() {
    let root = two_features();
    feature_json(root.path(), "specs/001-upload");
    git_branch(root.path(), "001-upload");
    let by_directory = pay("named by SPECIFY_FEATURE_DIRECTORY");
    let relative = Defaults {
        specify_feature: Some("001-upload".to_string()),
        ..directory("specs/002-pay")
    };
    assert_eq!(current_feature(root.path(), relative).await, by_directory);
    let absolute = directory(root.path().join("specs/002-pay"));
    assert_eq!(current_feature(root.path(), absolute).await, by_directory);

    // --feature and the call's argument come first.
    let configured = Defaults {
        feature: Some("001-upload".to_string()),
        ..directory("specs/002-pay")
    };
    assert_eq!(
        current_feature(root.path(), configured).await,
        (
            "001-upload".to_string(),
            "set by --feature/--task or SPEC_MCP_FEATURE/SPEC_MCP_TASK".to_string()
        )
    );
    let session = session(root.path(), directory("specs/002-pay")).await;
    let (_, answer) = session
        .ok("get_current_task", json!({"feature": "001-upload"}))
        .await;
    assert_eq!(answer["feature"]["id"], "001-upload");
    assert_eq!(answer["feature_chosen_because"], "named in the call");
    session.close().await;
}

#[tokio::test]
async fn feature_json_wins_over_specify_feature_and_the_branch() {
    let root = two_features();
    feature_json(root.path(), "specs/002-pay");
    git_branch(root.path(), "001-upload");
    assert_eq!(
        current_feature(root.path(), named("001-upload")).await,
        pay("named by .specify/feature.json")
    );
    // An absolute feature_directory works too.
    let absolute = root.path().join("specs/002-pay");
    feature_json(root.path(), absolute.to_str().expect("UTF-8 path"));
    assert_eq!(
        current_feature(root.path(), named("001-upload")).await,
        pay("named by .specify/feature.json")
    );
}

#[tokio::test]
async fn specify_feature_wins_over_the_branch() {
    let root = two_features();
    git_branch(root.path(), "001-upload");
    assert_eq!(
        current_feature(root.path(), named("002-pay")).await,
        pay("named by SPECIFY_FEATURE")
    );
}

#[tokio::test]
async fn the_git_branch_names_the_feature() {
    let branch = pay("its folder is named like the current git branch");
    let root = two_features();
    git_branch(root.path(), "002-pay");
    assert_eq!(
        current_feature(root.path(), Defaults::default()).await,
        branch
    );
    // A last `/` segment, and a branch sharing only the number.
    git_branch(root.path(), "feature/002-pay");
    assert_eq!(
        current_feature(root.path(), Defaults::default()).await,
        branch
    );
    git_branch(root.path(), "feat/002-pay-v2");
    assert_eq!(
        current_feature(root.path(), Defaults::default()).await,
        branch
    );

    // A linked worktree: `.git` is a file pointing at the admin folder.
    let root = two_features();
    let admin = tempfile::tempdir().expect("temp dir");
    write(admin.path(), "HEAD", "ref: refs/heads/002-pay\n");
    write(
        root.path(),
        ".git",
        &format!("gitdir: {}\n", admin.path().display()),
    );
    assert_eq!(
        current_feature(root.path(), Defaults::default()).await,
        branch
    );
}

#[tokio::test]
async fn hints_naming_no_feature_are_passed_over() {
    let root = two_features();
    feature_json(root.path(), "specs/002-pay");
    assert_eq!(
        current_feature(root.path(), directory("specs/009-gone")).await,
        pay("named by .specify/feature.json")
    );
    fs::remove_file(root.path().join(".specify/feature.json")).expect("remove feature.json");
    feature_json(root.path(), "specs/009-gone");
    git_branch(root.path(), "002-pay");
    assert_eq!(
        current_feature(root.path(), named("009-gone")).await,
        pay("its folder is named like the current git branch")
    );
    // A branch naming no feature, with two features: nothing to choose.
    git_branch(root.path(), "main");
    let session = session(root.path(), named("009-gone")).await;
    let message = session.refused("get_current_task", json!({})).await;
    assert!(
        message.contains("valid features: 001-upload, 002-pay"),
        "{message}"
    );
    session.close().await;
}

#[tokio::test]
async fn the_only_feature_is_current_and_two_need_a_choice() {
    let root = two_features();
    let session = session(root.path(), Defaults::default()).await;
    let message = session.refused("get_current_task", json!({})).await;
    assert_eq!(
        message,
        "no feature given and none can be chosen: valid features: 001-upload, 002-pay. Pass `feature`, or pin one with set_current_task"
    );
    session.close().await;

    fs::remove_dir_all(root.path().join("specs/001-upload")).expect("remove a feature");
    assert_eq!(
        current_feature(root.path(), Defaults::default()).await,
        pay("the only feature in the kit")
    );
}

// ---------------------------------------------------------------------------
// Folders linked out of the root
// ---------------------------------------------------------------------------

/// A `contracts/` folder, Kiro's steering folder and a whole feature folder
/// that are symlinks to somewhere outside the root are never listed or
/// read: nothing from them reaches an answer.
#[cfg(unix)]
#[tokio::test]
async fn folders_linked_outside_the_root_are_not_read() {
    use std::os::unix::fs::symlink;

    let outside = tempfile::tempdir().expect("temp dir");
    write(
        outside.path(),
        "contracts/secret.md",
        "# Secret\n\n## Keys\n\n- outside-contract-rule\n",
    );
    write(
        outside.path(),
        "steering/secret.md",
        "# Secret\n\n## Rules\n\n- outside-steering-rule\n",
    );
    write(
        outside.path(),
        "feature/spec.md",
        "# Feature Specification: Outside\n",
    );
    let root = tempfile::tempdir().expect("temp dir");
    let root = root.path();
    write(
        root,
        "specs/001-in/spec.md",
        "# Feature Specification: In\n",
    );
    write(
        root,
        "specs/001-in/plan.md",
        "# Plan\n\n## Stack\n\n- inside-plan-rule\n",
    );
    write(
        root,
        ".kiro/specs/in/requirements.md",
        "# Requirements Document\n",
    );
    symlink(
        outside.path().join("contracts"),
        root.join("specs/001-in/contracts"),
    )
    .expect("link");
    fs::create_dir_all(root.join(".kiro")).expect("create dir");
    symlink(outside.path().join("steering"), root.join(".kiro/steering")).expect("link");
    symlink(outside.path().join("feature"), root.join("specs/002-out")).expect("link");

    let workspace = Workspace::open(root).expect("open");
    assert_eq!(*workspace.feature_ids(), ["001-in", "in"]);
    let session = session(root, Defaults::default()).await;
    for feature in ["001-in", "in"] {
        let (markdown, _) = session
            .ok("get_architecture_constraints", json!({"feature": feature}))
            .await;
        assert!(!markdown.contains("outside-"), "{markdown}");
    }
    let (markdown, _) = session
        .ok("get_architecture_constraints", json!({"feature": "001-in"}))
        .await;
    assert!(markdown.contains("inside-plan-rule"), "{markdown}");
    // Not even the names of files in a linked folder are listed.
    let (markdown, _) = session.ok("list_tasks", json!({"feature": "001-in"})).await;
    assert!(!markdown.contains("secret"), "{markdown}");
    let refused = session
        .refused("list_tasks", json!({"feature": "002-out"}))
        .await;
    assert!(refused.contains("outside the spec root"), "{refused}");
}

// ---------------------------------------------------------------------------
// Kiro markers and nesting, read straight from the parser
// ---------------------------------------------------------------------------

fn kiro_feature(tasks: &str, requirements: &str) -> spec_mcp::model::Feature {
    use spec_mcp::model::DocumentRole;
    use spec_mcp::parse;
    let documents = vec![
        parse::document_in(
            Layout::Kiro,
            ".kiro/specs/k/requirements.md".into(),
            DocumentRole::Prd,
            requirements,
        ),
        parse::document_in(
            Layout::Kiro,
            ".kiro/specs/k/tasks.md".into(),
            DocumentRole::Tasks,
            tasks,
        ),
    ];
    parse::feature("k", Layout::Kiro, ".kiro/specs/k".into(), documents)
}

/// `[~]` is Kiro's queued mark (not started), `[-]` its in-progress one;
/// an open optional step does not hold its parent back.
#[test]
fn kiro_queued_tasks_are_todo_and_optional_steps_do_not_hold_parents() {
    use spec_mcp::current::{Choice, current_task};
    use spec_mcp::model::TaskStatus;
    let feature = kiro_feature(
        "- [x] 1. Done\n- [~] 2. Queued\n- [ ] 3. Parent\n  - [x] 3.1 Required step\n  - [ ]* 3.2 Optional step\n",
        "# Requirements Document\n",
    );
    let status = |id: &str| feature.task(id).expect("task").status;
    assert_eq!(status("2"), TaskStatus::Todo);
    let (current, _) = current_task(&feature, Choice::default()).expect("a current task");
    assert_eq!(current.id, "2", "the queued task is the first todo");

    let feature = kiro_feature(
        "- [ ] 3. Parent\n  - [x] 3.1 Required step\n  - [ ]* 3.2 Optional step\n- [-] 4. Started\n",
        "# Requirements Document\n",
    );
    let (current, _) = current_task(&feature, Choice::default()).expect("a current task");
    assert_eq!(current.id, "4", "in progress comes first");
    let feature = kiro_feature(
        "- [ ] 3. Parent\n  - [x] 3.1 Required step\n  - [ ]* 3.2 Optional step\n",
        "# Requirements Document\n",
    );
    let (current, _) = current_task(&feature, Choice::default()).expect("a current task");
    assert_eq!(current.id, "3", "the parent, not its optional step");
}

/// Acceptance criteria nested deeper under a requirement (under a
/// `#### Details` heading, say) belong to that requirement once, not also
/// to the feature without a label.
#[test]
fn kiro_criteria_nested_deeper_are_listed_once() {
    let feature = kiro_feature(
        "",
        "# Requirements Document\n\n### Requirement 1: Sign in\n\n#### Details\n\n##### Acceptance Criteria\n\n1. WHEN a user signs in THEN the system SHALL greet them\n",
    );
    let criteria: Vec<(Option<&str>, &str)> = feature
        .criteria()
        .map(|criterion| (criterion.group.as_deref(), criterion.item.text.as_str()))
        .collect();
    assert_eq!(
        criteria,
        [(
            Some("Requirement 1: Sign in"),
            "WHEN a user signs in THEN the system SHALL greet them"
        )]
    );
}

/// A capability folder of `openspec/specs/` is a feature only when it has
/// its `spec.md`; a lone `tasks.md` there is nothing the layout reads.
#[test]
fn openspec_capability_folders_need_their_spec() {
    let root = tempfile::tempdir().expect("temp dir");
    write(root.path(), "openspec/specs/real/spec.md", "# Real\n");
    write(
        root.path(),
        "openspec/specs/stray/tasks.md",
        "- [ ] 1.1 Stray\n",
    );
    let workspace = Workspace::open(root.path()).expect("open");
    assert_eq!(*workspace.feature_ids(), ["real"]);
}

// ---------------------------------------------------------------------------
// Found in review: ids, roots, caches, context, templates, placement
// ---------------------------------------------------------------------------

/// `--feature` written qualified still carries its `--task`.
#[tokio::test]
async fn a_qualified_feature_default_keeps_its_task_default() {
    let root = tempfile::tempdir().expect("temp dir");
    write(
        root.path(),
        "specs/001-a/spec.md",
        "# Feature Specification: A\n",
    );
    write(
        root.path(),
        "specs/001-a/tasks.md",
        "# Tasks\n\n- [ ] T001 First\n- [ ] T002 Second\n",
    );
    let defaults = Defaults {
        feature: Some("001-a@speckit".to_string()),
        task: Some("T002".to_string()),
        ..Defaults::default()
    };
    let session = session(root.path(), defaults).await;
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["feature"]["id"], "001-a");
    assert_eq!(current["task"]["id"], "T002");
}

/// A project root without `specs/` (here a Kiro project under git) is not a
/// specs folder: its `docs/` and `scripts/` are not features.
#[test]
fn a_project_root_without_specs_lists_only_real_features() {
    let root = tempfile::tempdir().expect("temp dir");
    write(root.path(), ".git/HEAD", "ref: refs/heads/main\n");
    write(
        root.path(),
        ".kiro/specs/login/requirements.md",
        "# Requirements Document\n",
    );
    write(root.path(), "docs/plan.md", "# Plan\n");
    write(root.path(), "scripts/tasks.md", "- [ ] T1 Lint\n");
    let workspace = Workspace::open(root.path()).expect("open");
    assert_eq!(*workspace.feature_ids(), ["login"]);

    // Without any other layout's marker the root is a specs folder given
    // directly, even when it is a git repository (or submodule) itself.
    let specs = tempfile::tempdir().expect("temp dir");
    write(specs.path(), "upload/prd.md", "# Upload\n");
    write(specs.path(), ".git", "gitdir: ../.git/modules/specs\n");
    let workspace = Workspace::open(specs.path()).expect("open");
    assert_eq!(*workspace.feature_ids(), ["upload"]);
}

/// The feature list is kept while nothing it was listed from changes, even
/// when most layouts' folders do not exist; a new feature folder, or a
/// folder that gets its first spec file later, shows up at once, however
/// coarse the file system's timestamps.
#[test]
fn the_feature_list_is_cached_until_a_layout_folder_changes() {
    let root = tempfile::tempdir().expect("temp dir");
    write(root.path(), "specs/001-a/spec.md", "# A\n");
    settle(root.path());
    let workspace = Workspace::open(root.path()).expect("open");
    let first = workspace.feature_ids();
    let second = workspace.feature_ids();
    assert!(std::sync::Arc::ptr_eq(&first, &second), "listed twice");

    write(root.path(), "specs/002-b/spec.md", "# B\n");
    assert_eq!(*workspace.feature_ids(), ["001-a", "002-b"]);
    // Made in the same instant, then given its spec file: a change the
    // folder times alone might not show.
    let folder = root.path().join("specs/003-c");
    fs::create_dir(&folder).expect("create dir");
    let made = fs::metadata(&folder)
        .and_then(|metadata| metadata.modified())
        .expect("mtime");
    assert_eq!(*workspace.feature_ids(), ["001-a", "002-b"]);
    write(root.path(), "specs/003-c/spec.md", "# C\n");
    // As on a file system whose timestamps tick coarsely: the folder's time
    // did not move.
    fs::File::open(&folder)
        .and_then(|file| file.set_modified(made))
        .expect("keep the time");
    assert_eq!(*workspace.feature_ids(), ["001-a", "002-b", "003-c"]);

    settle(root.path());
    let first = workspace.feature_ids();
    let second = workspace.feature_ids();
    assert!(std::sync::Arc::ptr_eq(&first, &second), "kept once settled");
    assert_eq!(*first, ["001-a", "002-b", "003-c"]);
}

/// A same-length edit in the same timestamp tick as the last read (a box
/// ticked: `[ ]` to `[x]`) is seen: a file changed moments ago is never
/// served from the cache.
#[test]
fn a_same_length_edit_right_after_a_read_is_seen() {
    let root = tempfile::tempdir().expect("temp dir");
    write(root.path(), "specs/001-a/spec.md", "# A\n");
    write(root.path(), "specs/001-a/tasks.md", "- [ ] T001 Do it\n");
    let workspace = Workspace::open(root.path()).expect("open");
    let status = || {
        workspace
            .feature("001-a")
            .expect("feature")
            .tasks()
            .next()
            .expect("task")
            .status
    };
    assert_eq!(status().as_str(), "todo");
    let path = root.path().join("specs/001-a/tasks.md");
    let modified = fs::metadata(&path)
        .and_then(|metadata| metadata.modified())
        .expect("mtime");
    fs::write(&path, "- [x] T001 Do it\n").expect("write");
    // The same length and the same timestamp: only the content changed.
    fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|file| file.set_modified(modified))
        .expect("keep the time");
    assert_eq!(status().as_str(), "done");
}

/// Folder names no call could pass back (`@` is for qualified ids; `a:b`
/// fails the id checks) are not listed.
#[test]
fn unusable_folder_names_are_not_listed() {
    let root = tempfile::tempdir().expect("temp dir");
    write(root.path(), "specs/ok/prd.md", "# Ok\n");
    write(root.path(), "specs/auth@kiro/prd.md", "# Odd\n");
    write(root.path(), "specs/a:b/prd.md", "# Odd\n");
    let workspace = Workspace::open(root.path()).expect("open");
    assert_eq!(*workspace.feature_ids(), ["ok"]);
}

/// A folder that changes layout (a `spec.md` added beside a native
/// `tasks.md`) is re-read in its new layout even though `tasks.md` did not
/// change: heading tasks are native only.
#[test]
fn a_folder_changing_layout_is_read_in_the_new_one() {
    let root = tempfile::tempdir().expect("temp dir");
    write(
        root.path(),
        "specs/x/tasks.md",
        "# Tasks\n\n## T1: Heading task\n\nStatus: todo\n\n## Later\n\n- [ ] T2 Checklist task\n",
    );
    let workspace = Workspace::open(root.path()).expect("open");
    let ids = |feature: &spec_mcp::model::Feature| -> Vec<String> {
        feature.tasks().map(|task| task.id.clone()).collect()
    };
    let native = workspace.feature("x").expect("feature");
    assert_eq!(native.layout, Layout::Native);
    assert_eq!(ids(&native), ["T1", "T2"]);
    write(
        root.path(),
        "specs/x/spec.md",
        "# Feature Specification: X\n",
    );
    let speckit = workspace.feature("x").expect("feature");
    assert_eq!(speckit.layout, Layout::SpecKit);
    assert_eq!(ids(&speckit), ["T2"]);
}

/// Text before the first heading of OpenSpec's `context` is served too.
#[tokio::test]
async fn openspec_context_before_its_first_heading_is_served() {
    let root = tempfile::tempdir().expect("temp dir");
    write(
        root.path(),
        "openspec/changes/c/proposal.md",
        "# Change: C\n",
    );
    write(
        root.path(),
        "openspec/config.yaml",
        "schema: spec-driven\ncontext: |\n  Services talk over gRPC only.\n\n  ## Rules\n\n  - No new dependencies\n",
    );
    let session = session(root.path(), Defaults::default()).await;
    let (_, answer) = session
        .ok("get_architecture_constraints", json!({"feature": "c"}))
        .await;
    let constraints = answer["constraints"].as_array().expect("constraints");
    let seen: Vec<(&str, &str, &str)> = constraints
        .iter()
        .map(|constraint| {
            (
                constraint["section"].as_str().expect("section"),
                constraint["text"].as_str().expect("text"),
                constraint["source"].as_str().expect("source"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "Project context",
                "Services talk over gRPC only.",
                "openspec/config.yaml:3"
            ),
            ("Rules", "No new dependencies", "openspec/config.yaml:7"),
        ]
    );
}

/// spec-kit's template phrases (`[initial state]`, `[boundary condition]`,
/// `[Measurable metric, ...]`) left in spec.md are not criteria; each is
/// reported where it is.
#[test]
fn spec_kit_template_phrases_are_not_criteria() {
    let root = tempfile::tempdir().expect("temp dir");
    let spec = "# Feature Specification: Upload\n\n## User Scenarios & Testing\n\n\
        ### User Story 1 - Upload (Priority: P1)\n\n**Acceptance Scenarios**:\n\n\
        1. **Given** [initial state], **When** [action], **Then** [expected outcome]\n\
        2. **Given** a photo, **When** it is uploaded, **Then** it is listed\n\n\
        ### Edge Cases\n\n- What happens when [boundary condition]?\n\n\
        ## Success Criteria\n\n- **SC-001**: [Measurable metric, e.g., upload time]\n";
    write(root.path(), "specs/001-upload/spec.md", spec);
    let workspace = Workspace::open(root.path()).expect("open");
    let feature = workspace.feature("001-upload").expect("feature");
    let criteria: Vec<&str> = feature
        .criteria()
        .map(|criterion| criterion.item.text.as_str())
        .collect();
    assert_eq!(
        criteria,
        ["**Given** a photo, **When** it is uploaded, **Then** it is listed"]
    );
    let reported: Vec<String> = feature
        .all_diagnostics()
        .map(|diagnostic| diagnostic.source.to_string())
        .collect();
    assert_eq!(
        reported,
        [
            "specs/001-upload/spec.md:9",
            "specs/001-upload/spec.md:14",
            "specs/001-upload/spec.md:18"
        ]
    );
}

/// After a `**Question:**` paragraph (Kiro's clarification items) the new
/// question starts a list of its own, after a blank line.
#[test]
fn a_question_after_a_paragraph_starts_its_own_list() {
    use spec_mcp::edit::{DEFAULT_MAX_TEXT_CHARS, NewQuestion, Plan, plan_append_in};
    use spec_mcp::model::DocumentRole;
    let text = "# Requirements Document\n\n## Items Requiring Clarification\n\n\
        **Question:** Debounce cost updates?\n";
    let question = NewQuestion {
        text: "Which browsers?".to_string(),
        context: None,
        task: None,
        asked_by: "test-client".to_string(),
        date: "2026-01-02".to_string(),
    };
    let plan = plan_append_in(
        Layout::Kiro,
        ".kiro/specs/k/requirements.md",
        DocumentRole::Prd,
        text,
        &[],
        &question,
        DEFAULT_MAX_TEXT_CHARS,
    )
    .expect("a plan");
    let Plan::Splice(splice) = plan else {
        panic!("expected a splice");
    };
    assert_eq!(
        splice.new_text,
        format!("{text}\n- [ ] Q-1 (2026-01-02, asked by test-client): Which browsers?\n")
    );
}

/// A qualified id goes round the whole way: pinned with `set_current_task`,
/// current for the session's later calls, and the feature whose file a
/// question is written to.
#[tokio::test]
async fn a_qualified_id_is_pinned_and_written_to() {
    let root = layout_kit("mixed");
    let session = writing_session(root.path()).await;
    let (_, pinned) = session
        .ok(
            "set_current_task",
            json!({"feature": "auth@kiro", "task": "1"}),
        )
        .await;
    assert_eq!(pinned["feature"]["id"], "auth@kiro");
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["feature"]["id"], "auth@kiro");
    assert_eq!(
        current["feature_chosen_because"],
        "pinned for this session with set_current_task"
    );
    assert_eq!(current["task"]["id"], "1");
    assert_eq!(
        column(&current["acceptance_criteria"], "source"),
        [".kiro/specs/auth/requirements.md:7"]
    );
    let native_prd = read(root.path(), "specs/auth/prd.md");
    let (_, asked) = session
        .ok("ask_question", json!({"question": "Which authenticators?"}))
        .await;
    assert_eq!(asked["feature"], "auth@kiro");
    let requirements = read(root.path(), ".kiro/specs/auth/requirements.md");
    assert!(
        requirements.ends_with(&asked_line("Q-1", Some("1"), "Which authenticators?")),
        "{requirements}"
    );
    assert_eq!(read(root.path(), "specs/auth/prd.md"), native_prd);
}

/// An OpenSpec change's deltas say only what changes: its answers point to
/// the capabilities it modifies, whose current requirements are features.
#[tokio::test]
async fn an_openspec_change_points_to_the_current_truth_it_changes() {
    let root = layout_kit("openspec");
    let mut session = session(root.path(), Defaults::default()).await;
    // Scenario criteria join several lines; their source is the heading.
    session.whole_lines = false;
    let note = "this change modifies capabilities whose current requirements are served as features of their own: cap-a; call get_acceptance_criteria with one of them as `feature`";
    for tool in ["get_current_task", "get_acceptance_criteria"] {
        let (_, answer) = session.ok(tool, json!({"feature": "add-x"})).await;
        let notes: Vec<&str> = answer["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(notes.contains(&note), "{tool}: {notes:?}");
    }
    let (_, answer) = session
        .ok("get_acceptance_criteria", json!({"feature": "cap-a"}))
        .await;
    assert!(
        answer
            .get("notes")
            .is_none_or(|notes| !notes.to_string().contains("modifies capabilities")),
        "a capability is not a change: {answer}"
    );
}

/// An OpenSpec change holding only a delta spec has no file its workflow
/// keeps questions in: the refusal says which file to create, and nothing
/// is written.
#[tokio::test]
async fn a_change_without_design_or_proposal_says_where_questions_go() {
    let root = tempfile::tempdir().expect("temp dir");
    let delta = "## ADDED Requirements\n\n### Requirement: Export\nThe system SHALL export.\n";
    write(
        root.path(),
        "openspec/changes/add-y/specs/cap/spec.md",
        delta,
    );
    let session = writing_session(root.path()).await;
    let refused = session
        .refused(
            "ask_question",
            json!({"feature": "add-y", "question": "Which format?"}),
        )
        .await;
    assert!(
        refused.contains(
            "has none of design.md, proposal.md, tasks.md to record questions in; create design.md in openspec/changes/add-y and ask again"
        ),
        "{refused}"
    );
    assert_eq!(
        read(root.path(), "openspec/changes/add-y/specs/cap/spec.md"),
        delta
    );
}
