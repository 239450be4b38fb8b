//! The workflow prompts driven by rmcp's client over the protocol:
//! `prompts/list` with the arguments and their descriptions, `prompts/get`
//! of each prompt on the example kit and on one real kit per layout
//! (snapshots, every `path:line` checked against the files), what each
//! prompt is filled from, refusals of unknown prompts, arguments, features
//! and tasks, and completion of the prompts' arguments.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rmcp::model::{
    ClientCapabilities, ClientConfig, CompletionContext, ErrorCode, GetPromptRequestParams,
    GetPromptResult, Implementation, JsonObject,
};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceError, ServiceExt as _};
use serde_json::{Value, json};
use spec_mcp::mcp::SpecServer;
use spec_mcp::service::{Defaults, Kit};

use crate::layouts::{corpus, project};
use crate::mcp::{TIMEOUT, kit};
use crate::support::{fixture, repo, temp_copy};

type Client = RunningService<RoleClient, ClientConfig>;

/// The prompts, in the order they are listed.
const PROMPTS: [&str; 4] = ["start_task", "review_change", "failure_modes", "plan_tasks"];

/// A client of a new session on `kit`, over an in-memory pipe.
async fn connect(kit: &Arc<Kit>) -> Client {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    let server = SpecServer::new(kit.clone());
    tokio::spawn(async move {
        let running = server.serve(server_io).await.expect("server handshake");
        let _ = running.waiting().await;
    });
    let config = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("prompt-client", "1.0"),
    );
    tokio::time::timeout(TIMEOUT, config.serve(client_io))
        .await
        .expect("the handshake in time")
        .expect("client handshake")
}

fn arguments(value: &Value) -> JsonObject {
    value.as_object().expect("arguments are an object").clone()
}

async fn get(client: &Client, name: &str, given: &Value) -> Result<GetPromptResult, ServiceError> {
    let request = GetPromptRequestParams::new(name).with_arguments(arguments(given));
    tokio::time::timeout(TIMEOUT, client.get_prompt(request))
        .await
        .expect("prompts/get in time")
}

/// The one message's text of a prompt that must be filled.
async fn fill(client: &Client, name: &str, given: &Value) -> (String, String) {
    let result = get(client, name, given)
        .await
        .unwrap_or_else(|error| panic!("{name} {given} was refused: {error}"));
    assert_eq!(result.messages.len(), 1, "{name}: one message");
    let message = &result.messages[0];
    assert_eq!(message.role, rmcp::model::Role::User);
    let text = message
        .content
        .as_text()
        .unwrap_or_else(|| panic!("{name}: a text message"))
        .text
        .clone();
    (result.description.unwrap_or_default(), text)
}

/// The message of a refusal, after checking it is invalid params.
async fn refused(client: &Client, name: &str, given: &Value) -> String {
    match get(client, name, given).await {
        Ok(result) => panic!("{name} {given} should be refused: {result:?}"),
        Err(ServiceError::McpError(error)) => {
            assert_eq!(error.code, ErrorCode::INVALID_PARAMS, "{error:?}");
            error.message.to_string()
        }
        Err(other) => panic!("{name} {given}: not a protocol error: {other}"),
    }
}

fn example() -> tempfile::TempDir {
    temp_copy(&repo().join("specs-example"))
}

/// Whether `path` names a file a kit is written in: markdown, or
/// OpenSpec's configuration.
fn is_spec_file(path: &str) -> bool {
    Path::new(path)
        .extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| ["md", "yaml"].contains(&extension.to_ascii_lowercase().as_str()))
}

/// Every `(path:line)` in `text` names a line of a file of the kit at
/// `root`; returns how many there are.
fn check_sources(root: &Path, text: &str) -> usize {
    let mut count = 0;
    for line in text.lines() {
        let Some(open) = line.rfind(" (") else {
            continue;
        };
        let Some(inner) = line[open + 2..].strip_suffix(')') else {
            continue;
        };
        let Some((path, number)) = inner.rsplit_once(':') else {
            continue;
        };
        let Ok(number) = number.parse::<usize>() else {
            continue;
        };
        if path.contains(' ') || !is_spec_file(path) {
            continue;
        }
        let file = std::fs::read_to_string(root.join(path))
            .unwrap_or_else(|error| panic!("{line}: {path} is not a file of the kit: {error}"));
        assert!(
            number >= 1 && number <= file.lines().count(),
            "{line}: {path} has no line {number}"
        );
        count += 1;
    }
    count
}

// ---------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------

#[tokio::test]
async fn prompts_are_listed_with_described_optional_arguments() {
    let temp = example();
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    let info = client.peer_info().expect("server info");
    assert!(info.capabilities.prompts.is_some(), "prompts are offered");
    let instructions = info.instructions.as_deref().unwrap_or_default();
    for name in PROMPTS.iter().chain(&["check_spec"]) {
        assert!(instructions.contains(name), "the instructions name {name}");
    }
    let listed = client.list_all_prompts().await.expect("prompts/list");
    let names: Vec<&str> = listed.iter().map(|prompt| prompt.name.as_str()).collect();
    assert_eq!(names, PROMPTS);
    let arguments = |name: &str| -> Vec<String> {
        let prompt = listed
            .iter()
            .find(|prompt| prompt.name == name)
            .expect("listed");
        assert!(
            prompt.title.is_some() && prompt.description.is_some(),
            "{name}"
        );
        let arguments = prompt.arguments.as_deref().unwrap_or_default();
        for argument in arguments {
            assert_eq!(argument.required, Some(false), "{name}.{}", argument.name);
            assert!(
                argument
                    .description
                    .as_deref()
                    .is_some_and(|text| text.starts_with(match argument.name.as_str() {
                        "feature" => "Feature id",
                        "task" => "Task id",
                        _ => "The change to review",
                    })),
                "{name}.{}: {:?}",
                argument.name,
                argument.description
            );
        }
        arguments
            .iter()
            .map(|argument| argument.name.clone())
            .collect()
    };
    assert_eq!(arguments("start_task"), ["feature", "task"]);
    assert_eq!(arguments("review_change"), ["feature", "task", "diff"]);
    assert_eq!(arguments("failure_modes"), ["feature", "task"]);
    assert_eq!(arguments("plan_tasks"), ["feature"]);
    client.cancel().await.expect("close");
}

// ---------------------------------------------------------------------------
// What each prompt is filled from
// ---------------------------------------------------------------------------

#[tokio::test]
async fn start_task_takes_the_current_task_and_what_binds_it() {
    let temp = example();
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    // Without arguments: the current feature's current task, as
    // get_current_task chooses it (T2 is in progress).
    let (description, text) =
        fill(&client, "start_task", &json!({"feature": "image-upload"})).await;
    assert_eq!(
        description,
        "Start task T2 of image-upload: Presigned upload endpoints"
    );
    for expected in [
        "## Task T2: Presigned upload endpoints",
        "- Depends on: T1 (done)",
        "## Acceptance criteria\n- Requests over 8 files, 10 MB per file or 40 MB per batch \
         get 422 with the matching error code. (image-upload/tasks.md:",
        "## Test plan\n- Unit tests for the request schema covering each limit.",
        "## Architecture constraints\n",
        "## Out of scope\n",
        // The Definition of Done, which the short task answer leaves out.
        "## Definition of Done\n- ",
        "ask with ask_question instead of guessing",
        "Write the tests first",
        "explaining how to verify the change locally",
    ] {
        assert!(text.contains(expected), "missing {expected:?}:\n{text}");
    }
    assert!(
        !text.contains("get_definition_of_done"),
        "the Definition of Done is not called left out:\n{text}"
    );
    assert!(check_sources(temp.path(), &text) > 10);
    // A task named, blank arguments taken as not given.
    let (_, text) = fill(
        &client,
        "start_task",
        &json!({"feature": "image-upload", "task": "t3"}),
    )
    .await;
    assert!(text.contains("## Task T3: Resize worker and EXIF handling"));
    assert!(text.contains("- A 4032x3024 JPEG produces a 2048x1536 `master`"));
    let (blank, _) = fill(
        &client,
        "start_task",
        &json!({"feature": "image-upload", "task": " "}),
    )
    .await;
    assert_eq!(blank, description);
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn review_change_fences_the_diff_or_points_at_the_working_tree() {
    let temp = example();
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    let diff = "--- a/x.md\n+++ b/x.md\n+````\n+## Heading\n";
    let (_, text) = fill(
        &client,
        "review_change",
        &json!({"feature": "image-upload", "task": "T2", "diff": diff}),
    )
    .await;
    // The diff's own fence cannot close the one around it.
    assert!(
        text.contains(&format!("`````diff\n{diff}`````\n")),
        "{text}"
    );
    for expected in [
        "A verdict for every acceptance criterion above",
        "Every architecture constraint the change breaks",
        "- Requests for another seller's upload return 404. (image-upload/tasks.md:",
    ] {
        assert!(text.contains(expected), "missing {expected:?}:\n{text}");
    }
    let (_, text) = fill(
        &client,
        "review_change",
        &json!({"feature": "image-upload"}),
    )
    .await;
    assert!(text.contains("No diff was given"), "{text}");
    assert!(text.contains("`git diff HEAD`"), "{text}");
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn failure_modes_use_the_error_handling_logs_and_auth_sections() {
    let temp = example();
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    let (description, text) = fill(
        &client,
        "failure_modes",
        &json!({"feature": "image-upload", "task": "T3"}),
    )
    .await;
    assert_eq!(
        description,
        "Failure modes of task T3 of feature image-upload"
    );
    for (heading, section, item) in [
        (
            "Error handling the spec states",
            "Error handling",
            "Validation failures return 422",
        ),
        (
            "Logs, metrics and alerts the spec states",
            "Logs and metrics",
            "Log one structured line per job",
        ),
        (
            "Auth and security rules the spec states",
            "Auth rules",
            "All endpoints require a signed-in session",
        ),
    ] {
        let at = text
            .find(&format!("## {heading}\n- **{section}**\n  - {item}"))
            .unwrap_or_else(|| panic!("no {heading} with {section}:\n{text}"));
        let body = &text[at..];
        let end = body[3..].find("\n## ").map_or(body.len(), |end| end + 3);
        assert!(
            !body[..end].contains("**Endpoints**"),
            "only {section} under {heading}"
        );
    }
    for expected in [
        "A refresh mid-flow",
        "What an attacker would try",
        "Where to log and alert",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    check_sources(temp.path(), &text);
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn plan_tasks_names_the_layouts_file_and_format() {
    let temp = example();
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    let (_, native) = fill(
        &client,
        "plan_tasks",
        &json!({"feature": "listing-generator"}),
    )
    .await;
    assert!(
        native.contains("The tasks belong in `listing-generator/tasks.md`, which lists"),
        "{native}"
    );
    assert!(native.contains("```markdown\n## T5: Export the order list as CSV\n"));
    assert!(native.contains("### Acceptance criteria"));
    client.cancel().await.expect("close");

    // A capability as built has no tasks: they go in a change.
    let temp = temp_copy(&fixture("layouts").join("openspec"));
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    let (_, capability) = fill(&client, "plan_tasks", &json!({"feature": "cap-a"})).await;
    assert!(
        capability.contains(
            "plan the work as a change, its tasks in `openspec/changes/<change>/tasks.md`"
        ),
        "{capability}"
    );
    let (_, change) = fill(&client, "plan_tasks", &json!({"feature": "add-x"})).await;
    assert!(
        change.contains("- [ ] 3.1 Write tests for the CSV writer"),
        "{change}"
    );
    assert!(
        change.contains("The tasks belong in `openspec/changes/add-x/tasks.md`"),
        "{change}"
    );
    client.cancel().await.expect("close");

    // A Kiro feature without a tasks file yet.
    let temp = temp_copy(&fixture("layouts").join("kiro"));
    std::fs::remove_file(temp.path().join(".kiro/specs/login/tasks.md")).expect("remove tasks");
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    let (_, kiro) = fill(&client, "plan_tasks", &json!({})).await;
    assert!(
        kiro.contains(
            "The tasks belong in `.kiro/specs/login/tasks.md`, which does not exist yet."
        ),
        "{kiro}"
    );
    assert!(kiro.contains("  - _Requirements: 2.1, 2.2_"), "{kiro}");
    assert!(kiro.contains("## Tasks already written\nNone."), "{kiro}");
    client.cancel().await.expect("close");
}

// ---------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------

#[tokio::test]
async fn unknown_prompts_arguments_features_and_tasks_are_refused_naming_the_valid_ones() {
    let temp = example();
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    for name in PROMPTS {
        let message = refused(&client, name, &json!({"feature": "nope"})).await;
        assert!(
            message.contains("unknown feature `nope`")
                && message.contains("image-upload, listing-generator"),
            "{name}: {message}"
        );
    }
    for name in ["start_task", "review_change", "failure_modes"] {
        let message = refused(
            &client,
            name,
            &json!({"feature": "image-upload", "task": "T9"}),
        )
        .await;
        assert!(
            message.contains("unknown task `T9`") && message.contains("T1, T2, T3, T4"),
            "{name}: {message}"
        );
    }
    let message = refused(&client, "write_code", &json!({})).await;
    assert!(
        message.contains("unknown prompt `write_code`")
            && message.contains("start_task, review_change, failure_modes, plan_tasks"),
        "{message}"
    );
    let message = refused(&client, "plan_tasks", &json!({"task": "T1"})).await;
    assert!(
        message.contains("prompt plan_tasks takes no argument `task`")
            && message.contains("valid arguments: feature"),
        "{message}"
    );
    let message = refused(&client, "start_task", &json!({"feature": ["a"]})).await;
    assert!(message.contains("`feature` must be a string"), "{message}");
    // The session goes on after each refusal.
    fill(&client, "start_task", &json!({"feature": "image-upload"})).await;
    client.cancel().await.expect("close");
}

// ---------------------------------------------------------------------------
// Completion
// ---------------------------------------------------------------------------

#[tokio::test]
async fn prompt_arguments_complete_to_features_and_tasks() {
    let temp = example();
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    for name in PROMPTS {
        let features = client
            .complete_prompt_argument(name, "feature", "", None)
            .await
            .expect("complete a feature");
        assert_eq!(
            features.values,
            ["image-upload", "listing-generator"],
            "{name}"
        );
    }
    let chosen = CompletionContext::with_arguments(
        [("feature".to_string(), "image-upload".to_string())].into(),
    );
    let tasks = client
        .complete_prompt_argument("start_task", "task", "t", Some(chosen.clone()))
        .await
        .expect("complete a task");
    assert_eq!(tasks.values, ["T1", "T2", "T3", "T4"]);
    assert_eq!(tasks.total, Some(4));
    let other = CompletionContext::with_arguments(
        [("feature".to_string(), "listing-generator".to_string())].into(),
    );
    let tasks = client
        .complete_prompt_argument("review_change", "task", "", Some(other))
        .await
        .expect("complete a task");
    assert_eq!(tasks.values, ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]);
    // Nothing for an argument no list holds or a prompt lacks.
    for (name, argument) in [
        ("review_change", "diff"),
        ("plan_tasks", "task"),
        ("no_such_prompt", "feature"),
    ] {
        let none = client
            .complete_prompt_argument(name, argument, "", Some(chosen.clone()))
            .await
            .expect("complete");
        assert!(
            none.values.is_empty(),
            "{name}.{argument}: {:?}",
            none.values
        );
    }
    client.cancel().await.expect("close");
}

// ---------------------------------------------------------------------------
// Snapshots, per layout
// ---------------------------------------------------------------------------

/// Every prompt on one feature, as one text to review per prompt.
async fn snapshot_prompts(
    client: &Client,
    root: &Path,
    label: &str,
    feature: &str,
    task: Option<&str>,
    redact: Option<&Redactor>,
) {
    for name in PROMPTS {
        let mut given = json!({ "feature": feature });
        if let Some(task) = task
            && name != "plan_tasks"
        {
            given["task"] = json!(task);
        }
        if name == "review_change" && redact.is_none() {
            given["diff"] = json!(
                "--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1 +1,2 @@\n+export const ready = true;\n"
            );
        }
        let (description, text) = fill(client, name, &given).await;
        check_sources(root, &text);
        let (description, text) = match redact {
            Some(redactor) => (redactor.apply(&description), redactor.apply(&text)),
            None => (description, text),
        };
        if let Some(redactor) = redact {
            redactor.check(&text);
        }
        insta::assert_snapshot!(
            format!("prompt_{label}_{name}"),
            format!("{description}\n---\n{text}")
        );
    }
}

#[tokio::test]
async fn prompts_on_the_example_kit() {
    let temp = example();
    let client = connect(&kit(temp.path(), true, Defaults::default())).await;
    snapshot_prompts(&client, temp.path(), "native", "image-upload", None, None).await;
    client.cancel().await.expect("close");
}

/// One corpus feature of `layout`, each prompt snapshotted: for `task`,
/// or the current one.
async fn corpus_prompts(layout: &str, feature: &str, task: Option<&str>, redacted: bool) {
    let Some(corpus) = corpus() else {
        return;
    };
    let root = project(&corpus, layout);
    let kit = kit(root.path(), true, Defaults::default());
    let client = connect(&kit).await;
    let redactor = if redacted {
        Some(Redactor::new(&client, root.path(), feature).await)
    } else {
        None
    };
    snapshot_prompts(
        &client,
        root.path(),
        layout,
        feature,
        task,
        redactor.as_ref(),
    )
    .await;
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn prompts_on_a_spec_kit_corpus_kit() {
    // Every task of it is done: one is named.
    corpus_prompts(
        "speckit",
        "001-spectatui-dashboard-mvp",
        Some("T011"),
        false,
    )
    .await;
}

/// The Kiro corpus is GPL: its prose is replaced by lengths, as in
/// `layouts`, so none of it is copied into the snapshots.
#[tokio::test]
async fn prompts_on_a_kiro_corpus_kit() {
    corpus_prompts("kiro", "5-realtime-feedback-polish", None, true).await;
}

#[tokio::test]
async fn prompts_on_an_openspec_corpus_kit() {
    corpus_prompts("openspec", "add-global-install-scope", None, false).await;
}

/// Replaces a kit's prose in a prompt by its length: every text the tools
/// answer with (criteria, constraints, exclusions, tasks, their details
/// and headings), and the text of every line that cites a source.
struct Redactor {
    /// Longest first, so that a text inside another goes with it.
    texts: Vec<String>,
    /// The kit's files, to check nothing of them is left.
    files: Vec<PathBuf>,
}

/// Fields that carry ids, states and places rather than prose.
const KEPT: [&str; 8] = [
    "id",
    "status",
    "source",
    "kind",
    "at",
    "depends_on",
    "requirements",
    "story",
];

impl Redactor {
    async fn new(client: &Client, root: &Path, feature: &str) -> Redactor {
        let mut texts = BTreeSet::new();
        let target = json!({ "feature": feature });
        let mut calls = vec![
            (
                "get_current_task",
                json!({ "feature": feature, "full": true }),
            ),
            ("get_architecture_constraints", target.clone()),
            ("get_out_of_scope", target.clone()),
            ("get_definition_of_done", target.clone()),
            ("list_tasks", target.clone()),
            ("get_acceptance_criteria", target.clone()),
        ];
        let (_, listed) = call(client, "list_tasks", &target).await;
        for row in listed["tasks"].as_array().expect("tasks") {
            let task = row["id"].as_str().expect("id");
            calls.push((
                "get_acceptance_criteria",
                json!({ "feature": feature, "task": task }),
            ));
            calls.push((
                "get_current_task",
                json!({ "feature": feature, "task": task }),
            ));
        }
        let mut ids = BTreeSet::new();
        for (tool, arguments) in calls {
            let (_, structured) = call(client, tool, &arguments).await;
            collect(&structured, "", &mut texts);
            collect_ids(&structured, "", &mut ids);
        }
        // Ids are names, not prose: a Kiro feature's title is its folder's.
        let mut texts: Vec<String> = texts
            .into_iter()
            .filter(|text| text.len() > 2 && !ids.contains(text))
            .collect();
        texts.sort_by_key(|text| std::cmp::Reverse(text.len()));
        let mut files = Vec::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("read dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        Redactor { texts, files }
    }

    fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for known in &self.texts {
            out = out.replace(
                known.as_str(),
                &format!("<{} chars>", known.chars().count()),
            );
        }
        let mut lines = String::new();
        for line in out.lines() {
            let _ = writeln!(lines, "{}", redact_cited(line));
        }
        lines
    }

    /// No line of the kit's files of 30 characters or more is left.
    fn check(&self, redacted: &str) {
        for file in &self.files {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            for line in text.lines() {
                let line = line
                    .trim()
                    .trim_start_matches(['#', '-', '*', '>', ' '])
                    .trim_start_matches("[ ]")
                    .trim();
                if line.len() >= 30 {
                    assert!(
                        !redacted.contains(line),
                        "{} is left in the snapshot: {line}",
                        file.display()
                    );
                }
            }
        }
    }
}

/// A bullet's text before its `(path:line)`, replaced by its length.
fn redact_cited(line: &str) -> String {
    let Some(open) = line.rfind(" (") else {
        return line.to_string();
    };
    let source = &line[open..];
    let cites = source
        .trim_start_matches(" (")
        .strip_suffix(')')
        .and_then(|inner| inner.rsplit_once(':'))
        .is_some_and(|(path, number)| is_spec_file(path) && number.parse::<u32>().is_ok());
    let indent = line.len() - line.trim_start().len();
    let body = line.trim_start();
    if !cites || !body.starts_with("- ") {
        return line.to_string();
    }
    let text = &body[2..open - indent];
    if text.contains(" chars>") || text.starts_with("Status: ") {
        return line.to_string();
    }
    format!(
        "{}- <{} chars>{source}",
        &line[..indent],
        text.chars().count()
    )
}

/// Every string of `value` outside the fields that are not prose.
fn collect(value: &Value, field: &str, texts: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            for (name, inner) in object {
                collect(inner, name, texts);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect(item, field, texts);
            }
        }
        Value::String(text) if !KEPT.contains(&field) && !field.ends_with("because") => {
            texts.insert(text.clone());
        }
        _ => {}
    }
}

/// Every string of `value` in an `id` field.
fn collect_ids(value: &Value, field: &str, ids: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            for (name, inner) in object {
                collect_ids(inner, name, ids);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_ids(item, field, ids);
            }
        }
        Value::String(text) if field == "id" => {
            ids.insert(text.clone());
        }
        _ => {}
    }
}

async fn call(client: &Client, tool: &str, arguments: &Value) -> (String, Value) {
    let request = rmcp::model::CallToolRequestParams::new(tool.to_string())
        .with_arguments(self::arguments(arguments));
    let result = tokio::time::timeout(TIMEOUT, client.call_tool(request))
        .await
        .expect("a tool call in time")
        .expect("a tool call");
    let markdown = result
        .content
        .iter()
        .filter_map(|content| content.as_text().map(|text| text.text.clone()))
        .collect();
    (markdown, result.structured_content.unwrap_or(Value::Null))
}
