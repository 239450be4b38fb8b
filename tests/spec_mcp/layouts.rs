//! Real spec kits from public repositories (spec-kit, Kiro, OpenSpec),
//! read in place from `../shared/corpus` and put back where they live in a
//! real project inside a temporary root; what every tool answers for each
//! feature is compared with a reviewed snapshot.
//!
//! The corpus is not part of this repository (some of it is GPL): without
//! it these tests say so and pass, so the suite still runs for everyone.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use spec_mcp::model::{DocumentRole, Layout};
use spec_mcp::parse;
use spec_mcp::service::Defaults;
use spec_mcp::workspace::Workspace;

use crate::mcp::{Session, kit};
use crate::support::{copy_tree, repo};

/// `../shared/corpus`, or `SPEC_MCP_CORPUS`.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("SPEC_MCP_CORPUS").map_or_else(
        || repo().join("..").join("shared").join("corpus"),
        PathBuf::from,
    );
    if dir.join("SOURCES.tsv").is_file() {
        Some(dir)
    } else {
        crate::support::note(&format!(
            "skipping: no corpus of real kits at {} (set SPEC_MCP_CORPUS to read one elsewhere)",
            dir.display()
        ));
        None
    }
}

/// One row of `SOURCES.tsv`: a corpus folder and where it came from.
struct Origin {
    layout: String,
    local: String,
    repo: String,
    commit: String,
    original: String,
    license: String,
}

fn origins(corpus: &Path) -> Vec<Origin> {
    let table = fs::read_to_string(corpus.join("SOURCES.tsv")).expect("read SOURCES.tsv");
    table
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(fields.len() >= 5, "short SOURCES.tsv row: {line}");
            Origin {
                layout: fields[0].to_string(),
                local: fields[1].to_string(),
                repo: fields[2].to_string(),
                commit: fields[3].to_string(),
                original: fields[4].trim_end_matches('/').to_string(),
                license: fields.get(5).copied().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// A temporary project holding every corpus folder of `layout` at its
/// original path.
pub fn project(corpus: &Path, layout: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    for origin in origins(corpus)
        .iter()
        .filter(|origin| origin.layout == layout)
    {
        let from = corpus.join(&origin.local);
        let to = root.path().join(&origin.original);
        if from.is_dir() {
            copy_tree(&from, &to);
        } else {
            fs::create_dir_all(to.parent().expect("parent")).expect("create dir");
            fs::copy(&from, &to).expect("copy file");
        }
    }
    root
}

/// What the tools answer for one feature, as one text to review. With
/// `redact`, for corpus folders whose licence forbids copying them here,
/// the answers are shown as structured content with every piece of the
/// kit's prose replaced by its length: ids, statuses, links, kinds and
/// `path:line` sources stay.
async fn describe(session: &Session, workspace: &Workspace, id: &str, redact: bool) -> String {
    let feature = json!({ "feature": id });
    let mut out = String::new();
    for tool in [
        "list_tasks",
        "get_current_task",
        "get_acceptance_criteria",
        "get_out_of_scope",
        "get_definition_of_done",
        "list_questions",
    ] {
        let result = session.call(tool, feature.clone()).await;
        if result.is_error == Some(true) {
            let _ = writeln!(out, "=== {tool} (refused)\n{}", text(&result));
            continue;
        }
        let (markdown, structured) = session.ok(tool, feature.clone()).await;
        if redact {
            let redacted =
                serde_json::to_string_pretty(&redacted(&structured, "")).expect("serialize");
            let _ = writeln!(out, "=== {tool}\n{redacted}");
        } else {
            let _ = writeln!(out, "=== {tool}\n{markdown}");
        }
    }
    let (_, constraints) = session
        .ok("get_architecture_constraints", feature.clone())
        .await;
    let _ = writeln!(
        out,
        "=== get_architecture_constraints (sections, items, first source)"
    );
    let mut sections: Vec<(String, usize, String)> = Vec::new();
    for constraint in constraints["constraints"].as_array().expect("constraints") {
        let section = constraint["section"].as_str().expect("section").to_string();
        let section = if redact {
            format!("<{} chars>", section.chars().count())
        } else {
            section
        };
        let source = constraint["source"].as_str().expect("source").to_string();
        let file = source
            .rsplit_once(':')
            .map_or("", |(file, _)| file)
            .to_string();
        match sections.last_mut() {
            Some((last, count, first)) if *last == section && first.starts_with(&file) => {
                *count += 1;
            }
            _ => sections.push((section, 1, source)),
        }
    }
    for (section, count, first) in sections {
        let _ = writeln!(out, "- {section}: {count} ({first})");
    }
    for omitted in constraints["omitted"].as_array().into_iter().flatten() {
        let section = omitted["section"].as_str().expect("section");
        let section = if redact {
            format!("<{} chars>", section.chars().count())
        } else {
            section.to_string()
        };
        let _ = writeln!(
            out,
            "- left out: {section}: {} ({})",
            omitted["count"],
            omitted["at"].as_str().expect("at")
        );
    }
    for note in constraints["notes"].as_array().into_iter().flatten() {
        let _ = writeln!(out, "- note: {}", note.as_str().expect("note"));
    }
    let parsed = workspace.feature(id).expect("feature");
    let _ = writeln!(out, "\n=== diagnostics");
    let project = workspace.project(parsed.layout);
    let diagnostics = parsed.all_diagnostics().chain(
        project
            .documents
            .iter()
            .flat_map(|document| document.diagnostics.iter()),
    );
    for diagnostic in diagnostics {
        let _ = writeln!(out, "- {}: {}", diagnostic.source, diagnostic.message);
    }
    out
}

/// Fields that carry ids, states and places rather than a kit's prose.
const KEPT_FIELDS: [&str; 15] = [
    "id",
    "message",
    "status",
    "source",
    "kind",
    "current",
    "depends_on",
    "waiting_on",
    "requirements",
    "parent",
    "story",
    "parallel",
    "optional",
    "open",
    "answered",
];

/// `value` with every string outside `KEPT_FIELDS` replaced by its length.
fn redacted(value: &Value, field: &str) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(name, field_value)| (name.clone(), redacted(field_value, name)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| redacted(item, field)).collect())
        }
        Value::String(text) if !KEPT_FIELDS.contains(&field) && field != "chosen_because" => {
            Value::String(format!("<{} chars>", text.chars().count()))
        }
        other => other.clone(),
    }
}

fn text(result: &rmcp::model::CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|content| content.as_text().map(|text| text.text.clone()))
        .collect()
}

/// Snapshots every feature of the corpus folders of one layout.
async fn snapshot_layout(layout: &str, expected_features: usize) {
    let Some(corpus) = corpus() else {
        return;
    };
    let origins = origins(&corpus);
    let root = project(&corpus, layout);
    let kit = kit(root.path(), true, Defaults::default());
    let mut session = Session::in_process(&kit, root.path()).await;
    session.whole_lines = false;
    let ids = kit.workspace.feature_ids();
    assert_eq!(
        ids.len(),
        expected_features,
        "features found in the {layout} corpus: {ids:?}"
    );
    for id in ids.iter() {
        let feature = kit.workspace.feature(id).expect("feature");
        let origin = origins
            .iter()
            .find(|origin| origin.original.ends_with(&*feature.dir))
            .expect("the feature's corpus folder");
        let redact = origin.license.contains("GPL");
        let mut description = format!(
            "From {} at {}, {} ({}).\n",
            origin.repo, origin.commit, origin.original, origin.license
        );
        description.push_str(&describe(&session, &kit.workspace, id, redact).await);
        insta::assert_snapshot!(format!("corpus_{layout}_{id}"), description);
    }
    session.close().await;
}

#[tokio::test]
async fn speckit_corpus() {
    snapshot_layout("speckit", 2).await;
}

#[tokio::test]
async fn kiro_corpus() {
    snapshot_layout("kiro", 2).await;
}

#[tokio::test]
async fn openspec_corpus() {
    snapshot_layout("openspec", 3).await;
}

/// Every corpus file, parsed in every layout and every role, never panics
/// and keeps every source inside the file.
#[test]
fn every_corpus_file_parses_in_every_role() {
    let Some(corpus) = corpus() else {
        return;
    };
    let mut files = Vec::new();
    let mut pending = vec![corpus.clone()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 40, "only {} corpus files", files.len());
    let roles = [
        DocumentRole::Project,
        DocumentRole::Principles,
        DocumentRole::Prd,
        DocumentRole::TechSpec,
        DocumentRole::Tasks,
    ];
    for file in files {
        let text = String::from_utf8_lossy(&fs::read(&file).expect("read")).into_owned();
        let lines = text.lines().count().max(1) as u32;
        let path: Arc<str> = Arc::from(file.to_string_lossy().as_ref());
        for layout in Layout::ALL {
            for role in roles {
                let document = parse::document_in(layout, path.clone(), role, &text);
                for question in &document.questions {
                    assert!(question.source.line <= lines, "{}", question.source);
                }
                for criterion in &document.criteria {
                    assert!(
                        criterion.item.source.line <= lines,
                        "{}",
                        criterion.item.source
                    );
                }
                for task in &document.tasks {
                    assert!(task.source.line <= lines, "{}", task.source);
                }
            }
        }
    }
}

/// Checklist lines of a tasks file that name a task id, counted from the
/// text alone: `- [ ] T001 …`, `- [x] 2.1 …`, `- [-]* 3. …`.
fn checklist_task_lines(text: &str) -> usize {
    text.lines()
        .filter(|line| {
            let rest = line.trim_start();
            let Some(rest) = rest.strip_prefix(['-', '*', '+']) else {
                return false;
            };
            let rest = rest.trim_start();
            let boxed = ["[ ]", "[x]", "[X]", "[-]", "[~]"]
                .iter()
                .find_map(|mark| rest.strip_prefix(mark));
            let Some(rest) = boxed else {
                return false;
            };
            let word = rest
                .trim_start_matches('*')
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_end_matches([':', '.']);
            word.chars().any(|c| c.is_ascii_digit())
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        })
        .count()
}

/// On every corpus feature: every task is listed; a task in progress (or
/// one of its steps) is current; a task gets only criteria of the stories
/// and requirements it links, and none of them again as a feature
/// criterion.
#[tokio::test]
async fn corpus_tasks_are_all_listed_and_get_what_they_link() {
    let Some(corpus) = corpus() else {
        return;
    };
    for layout in ["speckit", "kiro", "openspec"] {
        let root = project(&corpus, layout);
        let kit = kit(root.path(), true, Defaults::default());
        let mut session = Session::in_process(&kit, root.path()).await;
        session.whole_lines = false;
        for id in kit.workspace.feature_ids().iter() {
            let feature = kit.workspace.feature(id).expect("feature");
            let tasks_file = root.path().join(&*feature.dir).join("tasks.md");
            let Ok(text) = fs::read_to_string(&tasks_file) else {
                continue;
            };
            let (_, listed) = session.ok("list_tasks", json!({"feature": id})).await;
            assert_eq!(
                listed["total"].as_u64(),
                Some(checklist_task_lines(&text) as u64),
                "{id}: every checklist task is listed"
            );
            let rows = listed["tasks"].as_array().expect("tasks");
            if let Some(started) = rows.iter().find(|row| row["status"] == "in progress") {
                let current = listed["current"].as_str().expect("a current task");
                let started = started["id"].as_str().expect("id");
                let under_started = rows.iter().any(|row| {
                    row["id"] == current
                        && row["parent"]
                            .as_str()
                            .is_some_and(|parent| parent == started)
                });
                assert!(
                    current == started || under_started,
                    "{id}: {started} is in progress, but {current} is current"
                );
            }
            for task in feature.tasks() {
                let (_, answer) = session
                    .ok(
                        "get_acceptance_criteria",
                        json!({"feature": id, "task": task.id}),
                    )
                    .await;
                let linked = spec_mcp::query::task_links(&feature, task);
                for criterion in answer["task_criteria"].as_array().expect("criteria") {
                    let group = criterion["group"].as_str().unwrap_or_default();
                    let named = linked.iter().any(|link| {
                        let story = link.strip_prefix("US").map(|n| format!("User Story {n} "));
                        let requirement =
                            format!("Requirement {}", link.split('.').next().unwrap_or_default());
                        // `_Requirements: All_` links every requirement.
                        (link.eq_ignore_ascii_case("All") && group.starts_with("Requirement "))
                            || story.is_some_and(|story| group.starts_with(&story))
                            || group == requirement
                            || group.starts_with(&format!("{requirement}:"))
                    });
                    assert!(
                        named,
                        "{id} task {}: `{group}` is not one it links ({linked:?})",
                        task.id
                    );
                }
                let own: Vec<&str> = crate::mcp::strings(&answer["task_criteria"], "source");
                let common: Vec<&str> = crate::mcp::strings(&answer["feature_criteria"], "source");
                assert!(
                    own.iter().all(|source| !common.contains(source)),
                    "{id} task {}: a linked criterion is listed twice",
                    task.id
                );
            }
        }
        session.close().await;
    }
}
