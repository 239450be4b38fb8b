//! The MCP server driven by rmcp's own client: in process over a duplex
//! pipe, and as the real binary over stdio (one process, then two writing
//! to the same file at once).
//!
//! Every successful answer is checked three ways: its structured content
//! conforms to the tool's declared output schema, every `{text, source}`
//! item points at a line of the kit that holds that text, and the markdown
//! text shows the same item with the same source.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ErrorCode,
    Implementation,
};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceError, ServiceExt};
use serde_json::{Value, json};
use spec_mcp::edit::Writer;
use spec_mcp::mcp::SpecServer;
use spec_mcp::service::{Defaults, Kit};
use spec_mcp::transport::stdio;
use spec_mcp::workspace::Workspace;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::task::{JoinHandle, JoinSet};

use crate::support::{KIT_ENV, TOOLS, repo, settle, snapshot, takes, task_tools, temp_copy};

/// Upper bound for any one exchange: a hang fails the test instead of
/// blocking CI. Never used to wait for something to happen.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);

/// The client name the server records as "asked by".
const CLIENT: &str = "test-client";

/// Tools that change something: the spec on disk, or the session's pin.
const CHANGING_TOOLS: [&str; 2] = ["ask_question", "set_current_task"];

const BIN: &str = env!("CARGO_BIN_EXE_spec-mcp");

type Client = RunningService<RoleClient, ClientConfig>;

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

fn example() -> PathBuf {
    repo().join("specs-example")
}

pub(crate) fn kit(root: &Path, read_only: bool, defaults: Defaults) -> Arc<Kit> {
    Arc::new(Kit::new(
        Workspace::open(root).expect("open the kit"),
        Writer::new(read_only),
        defaults,
    ))
}

fn client_config() -> ClientConfig {
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new(CLIENT, "1.0"),
    )
}

async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {TIMEOUT:?}"))
}

/// One client session and what is needed to check its answers.
pub(crate) struct Session {
    client: Client,
    /// The in-process server task, if the server runs in this process.
    server: Option<JoinHandle<()>>,
    /// The kit root on disk, to check `path:line` sources against.
    root: PathBuf,
    /// Output schemas from `tools/list`, by tool name.
    output_schemas: HashMap<String, Value>,
    /// Items must sit whole on their source line. Off for real-world kits,
    /// whose items wrap over several lines: then the line must hold the
    /// item's first words.
    pub(crate) whole_lines: bool,
}

impl Session {
    /// A new session on `kit` served as over stdio (each result's pieces
    /// spliced in as it is written), over an in-memory pipe.
    pub(crate) async fn in_process(kit: &Arc<Kit>, root: &Path) -> Session {
        let (server_io, client_io) = tokio::io::duplex(1 << 20);
        let kit = kit.clone();
        let handle = tokio::spawn(async move {
            let (input, output) = tokio::io::split(server_io);
            stdio::serve_on(kit, input, output)
                .await
                .expect("the session");
        });
        let client = bounded("the client handshake", client_config().serve(client_io))
            .await
            .expect("client handshake");
        Session::with_client(client, Some(handle), root).await
    }

    /// A new session on `kit` served as over HTTP (each call on the
    /// blocking pool, its result made of values that rmcp serializes),
    /// over an in-memory pipe.
    pub(crate) async fn valued(kit: &Arc<Kit>, root: &Path) -> Session {
        let (server_io, client_io) = tokio::io::duplex(1 << 20);
        let server = SpecServer::new(kit.clone());
        let handle = tokio::spawn(async move {
            let running = server.serve(server_io).await.expect("server handshake");
            let _ = running.waiting().await;
        });
        let client = bounded("the client handshake", client_config().serve(client_io))
            .await
            .expect("client handshake");
        Session::with_client(client, Some(handle), root).await
    }

    async fn with_client(client: Client, server: Option<JoinHandle<()>>, root: &Path) -> Session {
        let tools = bounded("tools/list", client.list_all_tools())
            .await
            .expect("tools/list");
        let output_schemas = tools
            .iter()
            .filter_map(|tool| {
                let schema = tool.output_schema.as_ref()?;
                Some((tool.name.to_string(), Value::Object((**schema).clone())))
            })
            .collect();
        Session {
            client,
            server,
            root: root.to_path_buf(),
            output_schemas,
            whole_lines: true,
        }
    }

    pub(crate) async fn call(&self, tool: &str, arguments: Value) -> CallToolResult {
        let Value::Object(arguments) = arguments else {
            panic!("arguments must be an object: {arguments}");
        };
        let request = CallToolRequestParams::new(tool.to_string()).with_arguments(arguments);
        bounded(tool, self.client.call_tool(request))
            .await
            .unwrap_or_else(|error| panic!("{tool} failed at the protocol level: {error}"))
    }

    /// Calls a tool that must succeed; returns its markdown and structured
    /// content after checking both against each other, the output schema
    /// and the files.
    pub(crate) async fn ok(&self, tool: &str, arguments: Value) -> (String, Value) {
        let result = self.call(tool, arguments.clone()).await;
        let markdown = only_text(&result);
        assert_ne!(
            result.is_error,
            Some(true),
            "{tool} {arguments} was refused: {markdown}"
        );
        let structured = result
            .structured_content
            .clone()
            .unwrap_or_else(|| panic!("{tool} returned no structured content"));
        let schema = &self.output_schemas[tool];
        if let Err(error) = conforms(schema, schema, &structured, "$") {
            panic!(
                "{tool}: structured content does not match its output schema: {error}\n{structured:#}"
            );
        }
        assert!(
            serde_json::from_str::<Value>(&markdown).is_err(),
            "{tool}: the text content is JSON, not markdown: {markdown}"
        );
        check_items(&self.root, tool, &markdown, &structured, self.whole_lines);
        (markdown, structured)
    }

    /// Calls a tool that must answer with an `isError` result; returns its
    /// message.
    pub(crate) async fn refused(&self, tool: &str, arguments: Value) -> String {
        let result = self.call(tool, arguments.clone()).await;
        let message = only_text(&result);
        assert_eq!(
            result.is_error,
            Some(true),
            "{tool} {arguments} should have been refused, got: {message}"
        );
        assert!(result.structured_content.is_none());
        message
    }

    pub(crate) async fn close(self) {
        bounded("closing the client", self.client.cancel())
            .await
            .expect("close the client");
        if let Some(server) = self.server {
            bounded("the server task", server)
                .await
                .expect("the server task panicked");
        }
    }
}

/// The one text block of a result.
fn only_text(result: &CallToolResult) -> String {
    assert_eq!(
        result.content.len(),
        1,
        "expected exactly one content block: {result:?}"
    );
    result.content[0]
        .as_text()
        .expect("a text block")
        .text
        .clone()
}

/// Checks `value` against a JSON schema, supporting what schemars emits:
/// local `$ref`, `anyOf`/`oneOf`, `const`, `type`, `properties`, `required`
/// and `items`. Stricter than JSON Schema in one way: a field the schema
/// does not declare is an error, so schema and answers cannot drift apart.
fn conforms(root: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = reference
            .strip_prefix("#/$defs/")
            .and_then(|name| root.get("$defs")?.get(name))
            .ok_or_else(|| format!("{at}: unresolvable $ref {reference}"))?;
        conforms(root, target, value, at)?;
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
            let matched = options
                .iter()
                .filter(|option| conforms(root, option, value, at).is_ok())
                .count();
            if matched == 0 || (keyword == "oneOf" && matched > 1) {
                return Err(format!(
                    "{at}: {matched} of the {keyword} options match {value}"
                ));
            }
        }
    }
    if let Some(expected) = schema.get("const")
        && expected != value
    {
        return Err(format!("{at}: expected {expected}, got {value}"));
    }
    if let Some(types) = schema.get("type") {
        let names: Vec<&str> = match types {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !names.iter().any(|name| has_type(name, value)) {
            return Err(format!("{at}: {value} is not of type {types}"));
        }
    }
    if let Value::Object(object) = value {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !object.contains_key(name) {
                return Err(format!("{at}: required field `{name}` is missing"));
            }
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, field) in object {
                let property = properties
                    .get(name)
                    .ok_or_else(|| format!("{at}: field `{name}` is not in the schema"))?;
                conforms(root, property, field, &format!("{at}.{name}"))?;
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            conforms(root, item_schema, item, &format!("{at}[{index}]"))?;
        }
    }
    Ok(())
}

fn has_type(name: &str, value: &Value) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => false,
    }
}

/// The 1-based `line` of `path` under `root`.
fn line_at(root: &Path, source: &str) -> String {
    let (path, line) = source
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("source `{source}` is not path:line"));
    let line: usize = line
        .parse()
        .unwrap_or_else(|_| panic!("source `{source}` has no line number"));
    let text = fs::read_to_string(root.join(path))
        .unwrap_or_else(|error| panic!("source `{source}` names no readable file: {error}"));
    text.lines()
        .nth(line - 1)
        .unwrap_or_else(|| panic!("source `{source}` is past the end of the file"))
        .to_string()
}

/// Every object in `value` with a `text` and a `source`: the source line
/// holds the text, and the markdown shows `text (source)`.
fn check_items(root: &Path, tool: &str, markdown: &str, value: &Value, whole_lines: bool) {
    match value {
        Value::Object(object) => {
            if let (Some(Value::String(text)), Some(Value::String(source))) =
                (object.get("text"), object.get("source"))
            {
                let line = line_at(root, source);
                let expected = if whole_lines {
                    text.clone()
                } else {
                    // Up to two words, stopping at punctuation that may
                    // open the next line (a table glued to its label).
                    let words: Vec<&str> = text
                        .split_whitespace()
                        .take_while(|word| word.chars().any(char::is_alphanumeric))
                        .take(2)
                        .collect();
                    // At most 24 characters: a script written without
                    // spaces has no words to stop at.
                    words
                        .join(" ")
                        .chars()
                        .take(24)
                        .collect::<String>()
                        .trim_end_matches([':', ',', '.'])
                        .to_string()
                };
                let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(
                    collapsed.contains(expected.as_str()),
                    "{tool}: `{expected}` is not on {source}, which reads `{line}`"
                );
                assert!(
                    markdown.contains(&format!("{text} ({source})")),
                    "{tool}: the markdown does not show `{text} ({source})`:\n{markdown}"
                );
            }
            for field in object.values() {
                check_items(root, tool, markdown, field, whole_lines);
            }
        }
        Value::Array(items) => {
            for item in items {
                check_items(root, tool, markdown, item, whole_lines);
            }
        }
        _ => {}
    }
}

/// The string field `field` of every element of an array.
pub(crate) fn strings<'a>(value: &'a Value, field: &str) -> Vec<&'a str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|item| {
            item[field]
                .as_str()
                .unwrap_or_else(|| panic!("`{field}` missing in {item}"))
        })
        .collect()
}

fn sources(value: &Value) -> Vec<&str> {
    strings(value, "source")
}

fn lines(path: &str, numbers: impl IntoIterator<Item = u32>) -> Vec<String> {
    numbers
        .into_iter()
        .map(|line| format!("{path}:{line}"))
        .collect()
}

/// Every file under `dir` with its bytes, keyed by relative path.
fn read(root: &Path, relative: &str) -> String {
    fs::read_to_string(root.join(relative)).expect("read kit file")
}

/// The byte offset just past the last non-blank line of the `## Open
/// questions` section (the end of its list).
fn open_questions_end(text: &str) -> usize {
    let heading = "## Open questions\n";
    let start = text.find(heading).expect("an Open questions section") + heading.len();
    let mut end = start;
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if line.starts_with('#') {
            break;
        }
        offset += line.len();
        if !line.trim().is_empty() {
            end = offset;
        }
    }
    end
}

/// Shape of a line the server appends: `- [ ] Q-<n> (<date>, task <t>, asked
/// by <client>): <text>`. Returns (id, rest after the date).
fn question_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("- [ ] ")?;
    let (id, rest) = rest.split_once(" (")?;
    let (date, rest) = rest.split_at_checked(10)?;
    let is_date = date.bytes().enumerate().all(|(index, byte)| {
        if index == 4 || index == 7 {
            byte == b'-'
        } else {
            byte.is_ascii_digit()
        }
    });
    is_date.then_some((id, rest))
}

// ---------------------------------------------------------------------------
// 1. Tools, annotations, schemas
// ---------------------------------------------------------------------------

#[tokio::test]
async fn lists_exactly_the_ten_tools_with_annotations_and_schemas() {
    let session =
        Session::in_process(&kit(&example(), false, Defaults::default()), &example()).await;
    let tools = bounded("tools/list", session.client.list_all_tools())
        .await
        .expect("tools/list");

    let names: BTreeSet<&str> = tools.iter().map(|tool| &*tool.name).collect();
    assert_eq!(names, BTreeSet::from(TOOLS), "tool names");
    assert_eq!(tools.len(), TOOLS.len(), "a tool is listed twice");

    for tool in &tools {
        let name = &*tool.name;
        let read_only = tool
            .annotations
            .as_ref()
            .and_then(|annotations| annotations.read_only_hint);
        let expected = if CHANGING_TOOLS.contains(&name) {
            Some(false)
        } else {
            Some(true)
        };
        assert_eq!(read_only, expected, "{name}: read_only_hint");
        assert!(
            tool.description
                .as_deref()
                .is_some_and(|text| text.len() > 20),
            "{name}: no description"
        );
        assert!(tool.title.is_some(), "{name}: no title");

        let output = tool
            .output_schema
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no output schema"));
        assert_eq!(
            output.get("type"),
            Some(&json!("object")),
            "{name}: output type"
        );

        let input = &tool.input_schema;
        assert_eq!(
            input.get("type"),
            Some(&json!("object")),
            "{name}: input type"
        );
        let properties = input
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("{name}: no input properties"));
        assert!(
            properties.contains_key("feature"),
            "{name}: no `feature` parameter"
        );
        for (property, schema) in properties {
            let description = schema.get("description").and_then(Value::as_str);
            assert!(
                description.is_some_and(|text| !text.trim().is_empty()),
                "{name}.{property}: no description"
            );
        }
    }

    let tool = |name: &str| tools.iter().find(|tool| tool.name == name).expect("listed");
    let required = |name: &str| tool(name).input_schema.get("required").cloned();
    assert_eq!(required("ask_question"), Some(json!(["question"])));
    assert_eq!(required("set_current_task"), Some(json!(["task"])));
    assert_eq!(
        required("get_current_task"),
        None,
        "every Target field is optional"
    );
    let destructive = |name: &str| {
        tool(name)
            .annotations
            .as_ref()
            .and_then(|annotations| annotations.destructive_hint)
    };
    assert_eq!(destructive("ask_question"), Some(false));
    assert_eq!(destructive("set_current_task"), Some(false));

    let info = session.client.peer_info().expect("server info");
    assert!(info.capabilities.tools.is_some());
    assert_eq!(
        info.server_info.as_ref().map(|server| server.name.as_str()),
        Some("spec-mcp")
    );
    assert!(
        info.instructions
            .as_deref()
            .is_some_and(|text| text.contains("get_current_task"))
    );
    session.close().await;
}

// ---------------------------------------------------------------------------
// 2. Every tool on specs-example
// ---------------------------------------------------------------------------

#[tokio::test]
async fn get_current_task_image_upload() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;
    let (markdown, answer) = session
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;

    assert_eq!(
        answer["feature"],
        json!({"id": "image-upload", "title": "Image upload"})
    );
    let task = &answer["task"];
    assert_eq!(task["id"], "T2");
    assert_eq!(task["title"], "Presigned upload endpoints");
    assert_eq!(task["status"], "in progress");
    assert_eq!(task["source"], "image-upload/tasks.md:18");
    assert_eq!(task["depends_on"], json!([{"id": "T1", "status": "done"}]));
    assert_eq!(
        answer["chosen_because"],
        "the first task marked in progress"
    );

    let criteria = &answer["acceptance_criteria"];
    assert_eq!(sources(criteria), lines("image-upload/tasks.md", 25..=28));
    for (item, line) in criteria.as_array().expect("array").iter().zip(25..) {
        let text = item["text"].as_str().expect("text");
        assert_eq!(
            line_at(&root, &format!("image-upload/tasks.md:{line}")),
            format!("- {text}")
        );
    }
    assert_eq!(
        strings(criteria, "text")[3],
        "A GIF renamed to `.jpg` is marked `failed` with `unsupported_media_type` on `complete`.",
        "inline markdown is kept"
    );
    assert_eq!(
        sources(&answer["test_plan"]),
        lines("image-upload/tasks.md", 31..=32)
    );

    let constraints = answer["constraints"].as_array().expect("array");
    assert!(!constraints.is_empty());
    assert!(
        constraints.iter().any(|constraint| constraint["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("image-upload/tech-spec.md:"))),
        "feature constraints"
    );

    // The short answer: the feature's own exclusions, and notes for what
    // it left out.
    let kinds: BTreeSet<&str> = strings(&answer["out_of_scope"], "kind")
        .into_iter()
        .collect();
    assert_eq!(kinds, BTreeSet::from(["out of scope", "non-goal"]));
    assert!(answer.get("definition_of_done").is_none());
    assert!(answer.get("surface_area").is_none());
    assert!(
        answer.get("open_questions").is_none(),
        "no question is tagged T2"
    );
    let notes = answer["notes"].as_array().expect("notes");
    assert!(
        notes.iter().any(|note| note
            == "left out to keep this short: 4 more exclusions (get_out_of_scope lists every one), \
                the surface area (5 items), the Definition of Done (6 items; get_definition_of_done \
                lists them); set `full` to true for all of it"),
        "{notes:?}"
    );
    assert!(
        markdown.len() <= 4096,
        "the short answer's text is {} bytes:\n{markdown}",
        markdown.len()
    );

    assert!(
        markdown.starts_with(
            "# T2: Presigned upload endpoints (feature image-upload)\n\
             Current because: the first task marked in progress. \
             Feature image-upload: named in the call.\n\
             Status: in progress. Source: image-upload/tasks.md:18.\n\
             Depends on: T1 (done).\n"
        ),
        "{markdown}"
    );
    for heading in [
        "## Acceptance criteria",
        "## Test plan",
        "## Architecture constraints",
        "## Out of scope (do not build)",
    ] {
        assert!(
            markdown.contains(&format!("\n{heading}\n")),
            "{heading} missing:\n{markdown}"
        );
    }
    session.close().await;
}

#[tokio::test]
async fn get_current_task_in_full_adds_what_the_short_answer_leaves_out() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;
    let (markdown, answer) = session
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;
    let (full_markdown, full) = session
        .ok(
            "get_current_task",
            json!({"feature": "image-upload", "full": true}),
        )
        .await;
    let kinds: BTreeSet<&str> = strings(&full["out_of_scope"], "kind").into_iter().collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["out of scope", "non-goal", "project-wide"])
    );
    assert_eq!(
        sources(&full["definition_of_done"]),
        lines("project.md", 13..=18)
    );
    assert_eq!(
        sources(&full["surface_area"]),
        lines("image-upload/prd.md", 13..=17)
    );
    assert!(
        full["constraints"].as_array().expect("array").len()
            > answer["constraints"].as_array().expect("array").len()
    );
    assert!(full_markdown.contains("\n## Definition of Done\n"));
    assert!(!markdown.contains("\n## Definition of Done\n"));
    session.close().await;
}

/// `closest_constraints` documents "project-wide ones plus the feature's
/// constraints sharing the most words", and project-wide rules (`owner_id` on
/// every query, zod validation under `/api`) plainly bind T2; but with a
/// large tech spec they are ranked out of the budget entirely.
#[tokio::test]
async fn get_current_task_includes_project_wide_constraints() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;
    let (markdown, answer) = session
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;
    let project_wide: Vec<&Value> = answer["constraints"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|constraint| constraint["section"] == "Project-wide")
        .collect();
    assert!(
        !project_wide.is_empty(),
        "no project-wide constraint in get_current_task:\n{markdown}"
    );
    for constraint in project_wide {
        assert!(
            constraint["source"]
                .as_str()
                .is_some_and(|s| s.starts_with("project.md:"))
        );
    }
    session.close().await;
}

#[tokio::test]
async fn get_current_task_listing_generator() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;
    let (markdown, answer) = session
        .ok("get_current_task", json!({"feature": "listing-generator"}))
        .await;
    assert_eq!(answer["task"]["id"], "T2");
    assert_eq!(answer["task"]["status"], "todo");
    let reason = answer["chosen_because"].as_str().expect("reason");
    assert!(reason.contains("dependencies are done"), "{reason}");
    assert_eq!(
        answer["task"]["depends_on"],
        json!([{"id": "T1", "status": "done"}])
    );
    assert_eq!(
        sources(&answer["acceptance_criteria"]),
        lines("listing-generator/tasks.md", 25..=27)
    );
    assert!(
        markdown.starts_with(
            "# T2: Generate endpoint and job status API (feature listing-generator)\n"
        )
    );

    // A named task wins over the resolved one.
    let (_, answer) = session
        .ok(
            "get_current_task",
            json!({"feature": "listing-generator", "task": "t3"}),
        )
        .await;
    assert_eq!(
        answer["task"]["id"], "T3",
        "task ids match case-insensitively"
    );
    assert_eq!(answer["chosen_because"], "named in the call");
    let questions = &answer["open_questions"];
    assert_eq!(strings(questions, "id"), ["Q-2"], "Q-2 is tagged T3");
    session.close().await;
}

#[tokio::test]
async fn get_acceptance_criteria_task_and_feature() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;
    let (markdown, answer) = session
        .ok(
            "get_acceptance_criteria",
            json!({"feature": "image-upload"}),
        )
        .await;
    assert_eq!(answer["task"]["id"], "T2");
    assert_eq!(
        sources(&answer["task_criteria"]),
        lines("image-upload/tasks.md", 25..=28)
    );
    assert_eq!(
        sources(&answer["test_plan"]),
        lines("image-upload/tasks.md", 31..=32)
    );
    assert_eq!(
        sources(&answer["feature_criteria"]),
        lines("image-upload/prd.md", 45..=50)
    );
    assert!(markdown.starts_with(
        "# Acceptance criteria: T2 Presigned upload endpoints (feature image-upload)\n"
    ));
    assert!(markdown.contains("\n## Feature acceptance criteria\n"));

    let (_, answer) = session
        .ok(
            "get_acceptance_criteria",
            json!({"feature": "image-upload", "task": "T3"}),
        )
        .await;
    assert_eq!(answer["task"]["id"], "T3");
    assert_eq!(
        sources(&answer["task_criteria"]),
        lines("image-upload/tasks.md", 41..=43)
    );

    // A checklist follow-up has no criteria of its own: an empty list, not an error.
    let (markdown, answer) = session
        .ok(
            "get_acceptance_criteria",
            json!({"feature": "listing-generator", "task": "T5"}),
        )
        .await;
    assert_eq!(answer["task_criteria"], json!([]));
    assert!(markdown.contains("None stated for this task."));
    session.close().await;
}

#[tokio::test]
async fn get_architecture_constraints_feature_and_project() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;
    let (markdown, answer) = session
        .ok(
            "get_architecture_constraints",
            json!({"feature": "image-upload"}),
        )
        .await;
    let constraints = &answer["constraints"];
    let sections: Vec<&str> = strings(constraints, "section");
    let mut distinct: Vec<&str> = sections.clone();
    distinct.dedup();
    assert_eq!(
        distinct,
        [
            "Architecture",
            "Data ownership",
            "Auth rules",
            "Endpoints",
            "Async jobs",
            "Error handling",
            "Logs and metrics",
            "Deployment constraints",
            "Project-wide",
        ]
    );
    let bullets = read(&root, "image-upload/tech-spec.md")
        .lines()
        .filter(|line| line.starts_with("- "))
        .count();
    let project_wide: Vec<&str> = sources(constraints)
        .into_iter()
        .filter(|source| source.starts_with("project.md:"))
        .collect();
    assert_eq!(project_wide, lines("project.md", 4..=10));
    assert_eq!(
        sections.len(),
        bullets + project_wide.len(),
        "every tech-spec bullet"
    );
    assert!(markdown.contains("\n- **Project-wide**\n"));

    // Naming a task checks it exists but does not narrow the list.
    let (_, by_task) = session
        .ok(
            "get_architecture_constraints",
            json!({"feature": "image-upload", "task": "T4"}),
        )
        .await;
    assert_eq!(by_task["constraints"], answer["constraints"]);
    session.close().await;
}

#[tokio::test]
async fn get_out_of_scope_kinds_in_order() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;
    let (markdown, answer) = session
        .ok("get_out_of_scope", json!({"feature": "image-upload"}))
        .await;
    let items = &answer["items"];
    let kinds = strings(items, "kind");
    let expected: Vec<&str> = [["out of scope"; 3], ["non-goal"; 3]]
        .concat()
        .into_iter()
        .chain(["project-wide"; 4])
        .collect();
    assert_eq!(kinds, expected);
    let mut expected_sources = lines("image-upload/prd.md", 53..=55);
    expected_sources.extend(lines("image-upload/prd.md", 25..=27));
    expected_sources.extend(lines("project.md", 21..=24));
    assert_eq!(sources(items), expected_sources);
    assert!(
        markdown
            .contains("- [non-goal] Video uploads or 360-degree spins. (image-upload/prd.md:26)\n")
    );
    session.close().await;
}

#[tokio::test]
async fn get_definition_of_done_from_project() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;
    for feature in ["image-upload", "listing-generator"] {
        let (markdown, answer) = session
            .ok("get_definition_of_done", json!({"feature": feature}))
            .await;
        assert_eq!(answer["feature"]["id"], feature);
        assert_eq!(sources(&answer["items"]), lines("project.md", 13..=18));
        assert!(markdown.starts_with(&format!("# Definition of Done: feature {feature}\n")));
    }
    session.close().await;
}

#[tokio::test]
async fn list_questions_filters_and_answers() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;

    let (markdown, all) = session
        .ok("list_questions", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(
        (all["open"].as_u64(), all["answered"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(strings(&all["questions"], "id"), ["Q-1", "Q-2", "Q-3"]);
    assert_eq!(
        sources(&all["questions"]),
        lines("image-upload/prd.md", 63..=65)
    );
    assert!(markdown.starts_with("# Questions: feature image-upload (2 open, 1 answered)\n"));

    let (_, open) = session
        .ok(
            "list_questions",
            json!({"feature": "image-upload", "status": "open"}),
        )
        .await;
    assert_eq!(strings(&open["questions"], "id"), ["Q-2", "Q-3"]);
    assert_eq!(strings(&open["questions"], "status"), ["open", "open"]);

    // "→ A:" written inline on the question's line.
    let (markdown, answered) = session
        .ok(
            "list_questions",
            json!({"feature": "image-upload", "status": "answered"}),
        )
        .await;
    let questions = answered["questions"].as_array().expect("array");
    assert_eq!(questions.len(), 1);
    assert_eq!(questions[0]["id"], "Q-1");
    assert_eq!(questions[0]["status"], "answered");
    assert_eq!(questions[0]["answer"], "10 MB per image, 40 MB per upload.");
    assert!(markdown.contains("  - A: 10 MB per image, 40 MB per upload.\n"));

    // "  - A:" written as a sub-bullet.
    let (_, answered) = session
        .ok(
            "list_questions",
            json!({"feature": "listing-generator", "status": "answered"}),
        )
        .await;
    assert_eq!(strings(&answered["questions"], "id"), ["Q-1", "Q-3"]);
    assert_eq!(
        strings(&answered["questions"], "answer"),
        [
            "Etsy only for the first release.",
            "No. Deleting a listing hard-deletes all its draft versions within 24 hours.",
        ]
    );

    let (_, by_task) = session
        .ok(
            "list_questions",
            json!({"feature": "image-upload", "task": "T4"}),
        )
        .await;
    let questions = by_task["questions"].as_array().expect("array");
    assert_eq!(strings(&by_task["questions"], "id"), ["Q-3"]);
    assert_eq!(questions[0]["task"], "T4");
    assert_eq!(by_task["open"], 2, "the counts cover the whole feature");

    let message = session
        .refused(
            "list_questions",
            json!({"feature": "image-upload", "status": "closed"}),
        )
        .await;
    assert!(
        message.contains("failed to deserialize parameters"),
        "{message}"
    );
    session.close().await;
}

/// Problems found while reading (an unknown status, a dependency on a task
/// that does not exist, a template placeholder never filled in) are listed
/// with the tasks, each with its `path:line`.
#[tokio::test]
async fn list_tasks_reports_problems_in_the_files() {
    let temp = temp_copy(&example());
    let root = temp.path();
    let tasks = read(root, "image-upload/tasks.md")
        .replacen("Status: done", "Status: finito", 1)
        .replacen("Depends on: T1", "Depends on: T1, T9", 1);
    fs::write(root.join("image-upload/tasks.md"), tasks).expect("write");
    let prd =
        read(root, "image-upload/prd.md") + "\n## Notes\n\n- Reviewed on [DATE] by the team\n";
    fs::write(root.join("image-upload/prd.md"), &prd).expect("write");
    let placeholder_line = prd.lines().count();

    let session = Session::in_process(&kit(root, false, Defaults::default()), root).await;
    let (markdown, answer) = session
        .ok("list_tasks", json!({"feature": "image-upload"}))
        .await;
    let problems: Vec<(String, String)> = answer["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|problem| {
            (
                problem["source"].as_str().expect("source").to_string(),
                problem["message"].as_str().expect("message").to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (
                format!("image-upload/prd.md:{placeholder_line}"),
                "template placeholder [DATE] was never filled in; the item is not served"
                    .to_string()
            ),
            (
                "image-upload/tasks.md:3".to_string(),
                "task T1: unknown status `finito` (use todo, in progress, done or blocked); read as todo"
                    .to_string()
            ),
            (
                "image-upload/tasks.md:18".to_string(),
                "task T2 depends on T9, which is not a task of feature image-upload".to_string()
            ),
        ]
    );
    assert!(
        markdown.contains("## Problems in the spec files\n- template placeholder [DATE]"),
        "{markdown}"
    );
    session.close().await;
}

#[tokio::test]
async fn list_tasks_marks_current_and_waiting() {
    let root = example();
    let session = Session::in_process(&kit(&root, false, Defaults::default()), &root).await;
    let (markdown, answer) = session
        .ok("list_tasks", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(answer["current"], "T2");
    let tasks = &answer["tasks"];
    assert_eq!(strings(tasks, "id"), ["T1", "T2", "T3", "T4"]);
    assert_eq!(
        strings(tasks, "status"),
        ["done", "in progress", "todo", "todo"]
    );
    assert_eq!(
        sources(tasks),
        [
            "image-upload/tasks.md:3",
            "image-upload/tasks.md:18",
            "image-upload/tasks.md:34",
            "image-upload/tasks.md:49"
        ]
    );
    for task in tasks.as_array().expect("array") {
        let line = line_at(&root, task["source"].as_str().expect("source"));
        let heading = format!(
            "## {}: {}",
            task["id"].as_str().expect("id"),
            task["title"].as_str().expect("title")
        );
        assert_eq!(line, heading);
    }
    let waiting: Vec<Value> = tasks
        .as_array()
        .expect("array")
        .iter()
        .map(|task| task.get("waiting_on").cloned().unwrap_or(json!([])))
        .collect();
    assert_eq!(
        waiting,
        [json!([]), json!([]), json!(["T2"]), json!(["T2", "T3"])]
    );
    assert!(
        markdown.contains(
            "- T2 [in progress] Presigned upload endpoints (image-upload/tasks.md:18) ← current\n"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("- T4 [todo] Upload page with progress, reorder and delete, waits on T2, T3 (image-upload/tasks.md:49)\n"), "{markdown}");
    assert_eq!(markdown.matches("← current").count(), 1);
    assert!(answer.get("problems").is_none(), "the example kit is clean");

    let (_, answer) = session
        .ok("list_tasks", json!({"feature": "listing-generator"}))
        .await;
    assert_eq!(answer["current"], "T2");
    assert_eq!(
        strings(&answer["tasks"], "id"),
        ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]
    );
    assert_eq!(
        strings(&answer["tasks"], "status")[5],
        "done",
        "checked follow-up"
    );
    session.close().await;
}

#[tokio::test]
async fn set_current_task_pins_for_this_session_only() {
    let root = example();
    let shared = kit(&root, false, Defaults::default());
    let first = Session::in_process(&shared, &root).await;
    let second = Session::in_process(&shared, &root).await;

    let (markdown, pinned) = first
        .ok(
            "set_current_task",
            json!({"feature": "image-upload", "task": "T3"}),
        )
        .await;
    assert_eq!(pinned["task"]["id"], "T3");
    assert_eq!(pinned["feature"]["id"], "image-upload");
    assert!(markdown.starts_with("Current task for this session: T3 Resize worker and EXIF handling (feature image-upload).\n"));

    let (_, current) = first
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(current["task"]["id"], "T3");
    assert_eq!(
        current["chosen_because"],
        "pinned for this session with set_current_task"
    );
    // The pin also chooses the feature when none is named.
    let (_, current) = first.ok("get_current_task", json!({})).await;
    assert_eq!(
        (
            current["feature"]["id"].as_str(),
            current["task"]["id"].as_str()
        ),
        (Some("image-upload"), Some("T3"))
    );
    let (_, tasks) = first.ok("list_tasks", json!({})).await;
    assert_eq!(tasks["current"], "T3");
    let (_, criteria) = first.ok("get_acceptance_criteria", json!({})).await;
    assert_eq!(
        sources(&criteria["task_criteria"]),
        lines("image-upload/tasks.md", 41..=43)
    );
    // Another feature is not affected by the pin.
    let (_, other) = first
        .ok("get_current_task", json!({"feature": "listing-generator"}))
        .await;
    assert_eq!(other["task"]["id"], "T2");

    let (_, current) = second
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(
        current["task"]["id"], "T2",
        "the other session is not pinned"
    );
    assert_eq!(
        current["chosen_because"],
        "the first task marked in progress"
    );
    let message = second.refused("get_current_task", json!({})).await;
    assert!(message.contains("no feature given"), "{message}");

    // Re-pinning replaces the pin; an unknown task leaves it alone.
    first
        .ok(
            "set_current_task",
            json!({"feature": "image-upload", "task": "T4"}),
        )
        .await;
    let message = first
        .refused(
            "set_current_task",
            json!({"feature": "image-upload", "task": "T9"}),
        )
        .await;
    assert!(message.contains("T1, T2, T3, T4"), "{message}");
    let (_, current) = first.ok("get_current_task", json!({})).await;
    assert_eq!(current["task"]["id"], "T4");

    first.close().await;
    second.close().await;
}

#[tokio::test]
async fn ask_question_appends_once_and_lists() {
    let temp = temp_copy(&example());
    let root = temp.path();
    let session = Session::in_process(&kit(root, false, Defaults::default()), root).await;
    let before = read(root, "image-upload/prd.md");
    let question = "Should thumbnails be cropped to a square or keep the aspect ratio?";

    let (markdown, asked) = session
        .ok(
            "ask_question",
            json!({"feature": "image-upload", "question": question, "context": "The tray design shows squares."}),
        )
        .await;
    assert_eq!(
        asked,
        json!({"id": "Q-4", "created": true, "feature": "image-upload", "source": "image-upload/prd.md:66"})
    );
    assert_eq!(
        markdown,
        "Recorded Q-4 in feature image-upload at image-upload/prd.md:66. A person will answer it in the spec; check later with list_questions.\n"
    );

    let after = read(root, "image-upload/prd.md");
    let added = after
        .strip_prefix(before.as_str())
        .unwrap_or_else(|| panic!("the original is not a prefix:\n{after}"));
    let added: Vec<&str> = added.lines().collect();
    assert_eq!(added.len(), 2, "{added:?}");
    let (id, rest) =
        question_line(added[0]).unwrap_or_else(|| panic!("not a question line: {}", added[0]));
    assert_eq!(id, "Q-4");
    assert_eq!(rest, format!(", task T2, asked by {CLIENT}): {question}"));
    assert_eq!(added[1], "  - Context: The tray design shows squares.");
    assert_eq!(line_at(root, "image-upload/prd.md:66"), added[0]);

    // The same open question, differently spaced and cased, is not recorded twice.
    let (markdown, again) = session
        .ok(
            "ask_question",
            json!({"feature": "image-upload", "question": "  should THUMBNAILS be cropped to a square, or keep the aspect ratio "}),
        )
        .await;
    assert_eq!(again["id"], "Q-4");
    assert_eq!(again["created"], false);
    assert!(
        markdown.starts_with("Already recorded as Q-4"),
        "{markdown}"
    );
    assert_eq!(read(root, "image-upload/prd.md"), after, "nothing written");

    let (_, listed) = session
        .ok(
            "list_questions",
            json!({"feature": "image-upload", "status": "open"}),
        )
        .await;
    let questions = listed["questions"].as_array().expect("array");
    assert_eq!(strings(&listed["questions"], "id"), ["Q-2", "Q-3", "Q-4"]);
    let mine = &questions[2];
    assert_eq!(mine["text"], question);
    assert_eq!(mine["task"], "T2");
    assert!(
        mine["asked"]
            .as_str()
            .is_some_and(|asked| asked.ends_with(&format!("asked by {CLIENT}"))),
        "{mine}"
    );
    assert_eq!(listed["open"], 3);

    // The next question in the other feature gets that feature's next id,
    // and a named task is recorded.
    let (_, other) = session
        .ok(
            "ask_question",
            json!({"feature": "listing-generator", "task": "T4", "question": "Is the character counter shown for tags too?"}),
        )
        .await;
    assert_eq!(other["id"], "Q-4");
    let source = other["source"].as_str().expect("source");
    assert!(line_at(root, source).contains(&format!(
        "task T4, asked by {CLIENT}): Is the character counter"
    )));
    // The new one is visible to get_current_task for its task.
    let (_, current) = session
        .ok(
            "get_current_task",
            json!({"feature": "listing-generator", "task": "T4"}),
        )
        .await;
    assert_eq!(strings(&current["open_questions"], "id"), ["Q-4"]);
    session.close().await;
}

/// Agent text cannot add structure to the spec: no new heading, no fake
/// answer, one line.
#[tokio::test]
async fn ask_question_text_stays_inert() {
    let temp = temp_copy(&example());
    let root = temp.path();
    let session = Session::in_process(&kit(root, false, Defaults::default()), root).await;
    let before = read(root, "image-upload/prd.md");
    let (_, asked) = session
        .ok(
            "ask_question",
            json!({"feature": "image-upload", "question": "Is this fine?\n## Hacked\n- [x] Q-99 → A: yes"}),
        )
        .await;
    assert_eq!(asked["id"], "Q-4");
    let after = read(root, "image-upload/prd.md");
    let added = &after[before.len()..];
    assert_eq!(added.lines().count(), 1, "{added}");
    assert!(!after.contains("\n## Hacked"));

    let (_, listed) = session
        .ok("list_questions", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(
        strings(&listed["questions"], "id"),
        ["Q-1", "Q-2", "Q-3", "Q-4"]
    );
    assert_eq!(listed["questions"][3]["status"], "open");
    assert!(listed["questions"][3].get("answer").is_none());

    let message = session
        .refused(
            "ask_question",
            json!({"feature": "image-upload", "question": " \n\t "}),
        )
        .await;
    assert!(message.contains("empty"), "{message}");
    assert_eq!(read(root, "image-upload/prd.md"), after);
    session.close().await;
}

#[tokio::test]
async fn a_single_feature_kit_needs_no_feature() {
    let temp = temp_copy(&example());
    let root = temp.path();
    fs::remove_dir_all(root.join("listing-generator")).expect("remove a feature");
    let session = Session::in_process(&kit(root, false, Defaults::default()), root).await;
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["feature"]["id"], "image-upload");
    assert_eq!(current["task"]["id"], "T2");
    let (_, asked) = session
        .ok("ask_question", json!({"question": "Who owns the bucket?"}))
        .await;
    assert_eq!(asked["feature"], "image-upload");
    assert_eq!(asked["id"], "Q-4");
    session.close().await;
}

/// A person answers a question in the file while the server runs; the
/// next call sees it.
#[tokio::test]
async fn edits_made_while_serving_are_seen() {
    let temp = temp_copy(&example());
    let root = temp.path();
    let session = Session::in_process(&kit(root, false, Defaults::default()), root).await;
    let (_, before) = session
        .ok(
            "list_questions",
            json!({"feature": "image-upload", "status": "open"}),
        )
        .await;
    assert_eq!(strings(&before["questions"], "id"), ["Q-2", "Q-3"]);

    let prd = root.join("image-upload").join("prd.md");
    let text = fs::read_to_string(&prd).expect("read");
    let edited = text.replace(
        "- [ ] Q-2 (2026-11-02, task T3, asked by claude-code): Should HEIC files be converted server-side?",
        "- [x] Q-2 (2026-11-02, task T3, asked by claude-code): Should HEIC files be converted server-side? → A: Yes, to JPEG.",
    );
    assert_ne!(edited, text);
    fs::write(&prd, edited).expect("write");

    let (_, after) = session
        .ok(
            "list_questions",
            json!({"feature": "image-upload", "status": "answered"}),
        )
        .await;
    assert_eq!(strings(&after["questions"], "id"), ["Q-1", "Q-2"]);
    assert_eq!(after["questions"][1]["answer"], "Yes, to JPEG.");
    session.close().await;
}

/// Over stdio a result's text and structured content are serialized by
/// the server and spliced into rmcp's message, and `get_current_task`'s
/// are kept and written again while nothing changes. A client must see
/// exactly what the values rmcp serializes itself (HTTP's way) say: for
/// every read tool, for a kept answer, after a pin changes why the task was
/// chosen, and after an edit changes the answer.
#[tokio::test]
async fn stdio_results_are_the_results_rmcp_would_write() {
    let temp = temp_copy(&example());
    let root = temp.path();
    // Files changed in the last seconds are read again on every call:
    // these must be kept.
    settle(root);
    let kit = kit(root, false, Defaults::default());
    let spliced = Session::in_process(&kit, root).await;
    let valued = Session::valued(&kit, root).await;
    let same = async |tool: &str, arguments: Value| {
        let expected = valued.call(tool, arguments.clone()).await;
        let got = spliced.call(tool, arguments.clone()).await;
        assert_eq!(got, expected, "{tool} {arguments}");
        assert_ne!(got.is_error, Some(true), "{tool} {arguments}");
        got
    };
    let task = json!({"feature": "image-upload", "task": "T2"});
    for tool in TOOLS
        .into_iter()
        .filter(|tool| !CHANGING_TOOLS.contains(tool))
    {
        let mut arguments = json!({"feature": "image-upload"});
        if takes(tool, "task") {
            arguments["task"] = json!("T2");
        }
        same(tool, arguments).await;
    }
    let first = same("get_current_task", task.clone()).await;
    let kept = same("get_current_task", task.clone()).await;
    assert_eq!(kept, first);
    same(
        "get_current_task",
        json!({"feature": "image-upload", "task": "T2", "full": true}),
    )
    .await;

    let unpinned = same("get_current_task", json!({"feature": "image-upload"})).await;
    for session in [&spliced, &valued] {
        session.ok("set_current_task", task.clone()).await;
    }
    let pinned = same("get_current_task", json!({"feature": "image-upload"})).await;
    assert_ne!(
        pinned
            .structured_content
            .as_ref()
            .map(|answer| &answer["chosen_because"]),
        unpinned
            .structured_content
            .as_ref()
            .map(|answer| &answer["chosen_because"]),
        "the pin is why the task is chosen now"
    );

    let tasks = root.join("image-upload").join("tasks.md");
    let text = fs::read_to_string(&tasks).expect("read");
    let edited = text.replacen("## T2:", "## T2: (renamed while serving)", 1);
    assert_ne!(edited, text, "the example's T2 heading");
    fs::write(&tasks, edited).expect("write");
    let after = same("get_current_task", task.clone()).await;
    assert_ne!(after, first, "the edit shows");
    spliced.close().await;
    valued.close().await;
}

#[tokio::test]
async fn defaults_choose_feature_and_task() {
    let root = example();
    let defaults = Defaults {
        feature: Some("listing-generator".to_string()),
        task: Some("T3".to_string()),
        ..Defaults::default()
    };
    let session = Session::in_process(&kit(&root, false, defaults), &root).await;
    let (_, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["feature"]["id"], "listing-generator");
    assert_eq!(current["task"]["id"], "T3");
    assert_eq!(
        current["chosen_because"],
        "set by --feature/--task or SPEC_MCP_FEATURE/SPEC_MCP_TASK"
    );
    // The configured task belongs to the configured feature only.
    let (_, other) = session
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(other["task"]["id"], "T2");
    session.close().await;
}

// ---------------------------------------------------------------------------
// 3. Errors
// ---------------------------------------------------------------------------

#[tokio::test]
async fn errors_are_tool_results_and_the_session_survives() {
    let temp = temp_copy(&example());
    let root = temp.path();
    let session = Session::in_process(&kit(root, false, Defaults::default()), root).await;
    let files = snapshot(root);

    for tool in task_tools() {
        let mut arguments = json!({"feature": "nope", "task": "T1", "question": "Why?"});
        let message = session.refused(tool, arguments.clone()).await;
        assert!(
            message.contains("unknown feature `nope`"),
            "{tool}: {message}"
        );
        assert!(
            message.contains("valid features: image-upload, listing-generator"),
            "{tool}: {message}"
        );

        arguments["feature"] = json!("image-upload");
        arguments["task"] = json!("T9");
        let message = session.refused(tool, arguments.clone()).await;
        assert!(message.contains("unknown task `T9`"), "{tool}: {message}");
        assert!(
            message.contains("valid tasks: T1, T2, T3, T4"),
            "{tool}: {message}"
        );

        arguments.as_object_mut().expect("object").remove("feature");
        arguments["task"] = json!("T1");
        let message = session.refused(tool, arguments.clone()).await;
        assert!(message.contains("no feature given"), "{tool}: {message}");
        assert!(
            message.contains("image-upload, listing-generator"),
            "{tool}: {message}"
        );

        arguments["feature"] = json!(42);
        let message = session.refused(tool, arguments.clone()).await;
        assert!(
            message.starts_with("failed to deserialize parameters"),
            "{tool}: {message}"
        );
    }
    // `check_spec` takes no task and checks the whole kit without a
    // feature; a feature it is given must exist and be a string.
    let message = session
        .refused("check_spec", json!({"feature": "nope"}))
        .await;
    assert!(
        message.contains("unknown feature `nope`")
            && message.contains("valid features: image-upload, listing-generator"),
        "{message}"
    );
    let message = session.refused("check_spec", json!({"feature": 42})).await;
    assert!(
        message.starts_with("failed to deserialize parameters"),
        "{message}"
    );
    let message = session
        .refused("set_current_task", json!({"feature": "image-upload"}))
        .await;
    assert!(message.contains("missing field `task`"), "{message}");
    let message = session
        .refused("ask_question", json!({"feature": "image-upload"}))
        .await;
    assert!(message.contains("missing field `question`"), "{message}");

    let request = CallToolRequestParams::new("delete_everything");
    let error = bounded("unknown tool", session.client.call_tool(request))
        .await
        .expect_err("an unknown tool is a protocol error");
    match error {
        ServiceError::McpError(error) => assert_eq!(error.code, ErrorCode::INVALID_PARAMS),
        other => panic!("unexpected error {other:?}"),
    }

    let (_, current) = session
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(current["task"]["id"], "T2");
    assert!(
        session
            .server
            .as_ref()
            .is_some_and(|server| !server.is_finished()),
        "the server exited"
    );
    assert_eq!(snapshot(root), files, "a refused call changed the kit");
    session.close().await;
}

/// A project root holding `specs/` (the example kit), with decoy files one
/// and two levels above the specs folder and, on Unix, a feature folder
/// that is a symlink out of the root.
struct Sandbox {
    outer: tempfile::TempDir,
    root: PathBuf,
}

const SECRET: &str = "SECRET-OUTSIDE-THE-SPECS";

impl Sandbox {
    fn new() -> Sandbox {
        let outer = tempfile::tempdir().expect("temp dir");
        let root = outer.path().join("project");
        let copy = temp_copy(&example());
        for (relative, bytes) in snapshot(copy.path()) {
            let target = root.join("specs").join(relative);
            fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            fs::write(target, bytes).expect("write");
        }
        for decoy in [outer.path().join("etc"), root.join("etc")] {
            fs::create_dir_all(&decoy).expect("mkdir");
            fs::write(
                decoy.join("prd.md"),
                format!("# {SECRET}\n\n## Open questions\n- [ ] Q-1: {SECRET}?\n"),
            )
            .expect("write decoy");
            fs::write(
                decoy.join("tasks.md"),
                format!("## T1: {SECRET}\nStatus: todo\n"),
            )
            .expect("write decoy");
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(outer.path().join("etc"), root.join("specs").join("linked"))
            .expect("symlink");
        Sandbox { outer, root }
    }
}

#[tokio::test]
async fn hostile_ids_are_refused_without_leaking_paths() {
    let sandbox = Sandbox::new();
    let root = &sandbox.root;
    let session = Session::in_process(&kit(root, false, Defaults::default()), root).await;
    let files = snapshot(sandbox.outer.path());
    let absolute: Vec<String> = [
        sandbox.outer.path().to_path_buf(),
        fs::canonicalize(sandbox.outer.path()).expect("canonical"),
    ]
    .iter()
    .map(|path| path.display().to_string())
    .collect();
    let passwd: Vec<String> = fs::read_to_string("/etc/passwd")
        .unwrap_or_default()
        .lines()
        .filter(|line| line.len() > 8)
        .map(str::to_string)
        .collect();

    let hostile = [
        "../etc",
        "../../etc",
        "a/b",
        "/etc/passwd",
        "..\\etc",
        "x\u{0}y",
        "\u{456}mage-upload",
        "image-upload\u{202e}",
        ".hidden",
        "linked",
        "etc",
        "C:",
        "",
    ];
    for id in hostile {
        for tool in TOOLS {
            for field in ["feature", "task"]
                .into_iter()
                .filter(|field| takes(tool, field))
            {
                let mut arguments =
                    json!({"feature": "image-upload", "task": "T2", "question": "Why not?"});
                arguments[field] = json!(id);
                let message = session.refused(tool, arguments).await;
                let context = format!("{tool} with {field} {id:?}: {message}");
                assert!(
                    !message.contains('\0') && !message.contains('\u{202e}'),
                    "{context}"
                );
                assert!(!message.contains(SECRET), "{context}");
                for path in &absolute {
                    assert!(!message.contains(path.as_str()), "{context}");
                }
                for line in &passwd {
                    assert!(!message.contains(line.as_str()), "{context}");
                }
            }
        }
    }
    let message = session
        .refused("get_current_task", json!({"feature": "\u{456}mage-upload"}))
        .await;
    // Refused either as an invalid id or as an unknown feature; either way
    // the message shows the real ids to pick from.
    assert!(
        message.contains("non-ASCII") || message.contains("valid features: image-upload"),
        "{message}"
    );

    let (_, current) = session
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(current["task"]["id"], "T2");
    let (_, tasks) = session
        .ok("list_tasks", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(tasks["feature"]["id"], "image-upload");
    assert_eq!(
        snapshot(sandbox.outer.path()),
        files,
        "a refused call wrote something"
    );
    session.close().await;
}

// ---------------------------------------------------------------------------
// 4. Read-only
// ---------------------------------------------------------------------------

#[tokio::test]
async fn read_only_refuses_questions_and_still_answers() {
    let temp = temp_copy(&example());
    let root = temp.path();
    let files = snapshot(root);
    let session = Session::in_process(&kit(root, true, Defaults::default()), root).await;
    let message = session
        .refused(
            "ask_question",
            json!({"feature": "image-upload", "question": "May I write?"}),
        )
        .await;
    assert!(message.contains("read-only"), "{message}");
    let (_, current) = session
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(current["task"]["id"], "T2");
    let (_, pinned) = session
        .ok(
            "set_current_task",
            json!({"feature": "image-upload", "task": "T3"}),
        )
        .await;
    assert_eq!(pinned["task"]["id"], "T3", "pinning touches no file");
    assert_eq!(snapshot(root), files);
    session.close().await;
}

// ---------------------------------------------------------------------------
// 5. The real binary over stdio
// ---------------------------------------------------------------------------

/// The binary as a child process: `serve --root <root> <extra>`, with the
/// environment's defaults cleared and its stderr collected.
fn server_command(root: &Path, extra: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(BIN);
    command
        .arg("serve")
        .arg("--root")
        .arg(root)
        .args(extra)
        .env("RUST_LOG", "info")
        .kill_on_drop(true);
    for name in KIT_ENV {
        command.env_remove(name);
    }
    command
}

/// A client connected to a spawned server, and a task returning the
/// server's stderr once it exits.
async fn spawn_server(root: &Path, extra: &[&str]) -> (Session, JoinHandle<String>) {
    spawn_server_with(root, extra, &[]).await
}

/// `spawn_server` with environment variables set for the child.
async fn spawn_server_with(
    root: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Session, JoinHandle<String>) {
    let mut command = server_command(root, extra);
    command.envs(env.iter().copied());
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn spec-mcp");
    let mut stderr = stderr.expect("piped stderr");
    let logs = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let client = bounded(
        "the handshake with the child",
        client_config().serve(transport),
    )
    .await
    .expect("handshake with the child");
    (Session::with_client(client, None, root).await, logs)
}

/// A spec-kit project run as a real process: `--layout`, spec-kit's own
/// `SPECIFY_FEATURE` choosing the feature, and a question landing in that
/// feature's spec.md, where `/speckit.clarify` reads.
#[tokio::test]
async fn child_process_reads_a_spec_kit_project() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path();
    let spec = "# Feature Specification: Pay\n\n## User Scenarios & Testing *(mandatory)*\n\n\
        ### User Story 1 - Pay by card (Priority: P1)\n\n**Acceptance Scenarios**:\n\n\
        1. **Given** a cart, **When** the user pays, **Then** a receipt is shown.\n";
    let tasks = "# Tasks: Pay\n\n## Phase 1: Setup\n\n- [x] T001 Create the module\n\
        - [ ] T002 [P] [US1] Add the card form in `src/pay.rs`\n";
    for (path, text) in [
        ("specs/001-cart/spec.md", "# Feature Specification: Cart\n"),
        ("specs/002-pay/spec.md", spec),
        ("specs/002-pay/tasks.md", tasks),
        (
            ".specify/memory/constitution.md",
            "# Constitution\n\n## I. Tests first\n\nEvery change ships with a test.\n",
        ),
    ] {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("create dir");
        fs::write(path, text).expect("write");
    }
    // A native folder the spec-kit layout must not read.
    fs::create_dir_all(root.join("specs/native-only")).expect("create dir");
    fs::write(root.join("specs/native-only/prd.md"), "# PRD\n").expect("write");

    let (session, logs) = spawn_server_with(
        root,
        &["--layout", "speckit"],
        &[("SPECIFY_FEATURE", "002-pay")],
    )
    .await;
    let (markdown, current) = session.ok("get_current_task", json!({})).await;
    assert_eq!(current["feature"]["id"], "002-pay");
    assert_eq!(current["feature"]["title"], "Pay");
    assert_eq!(
        current["feature_chosen_because"],
        "named by SPECIFY_FEATURE"
    );
    assert_eq!(current["task"]["id"], "T002");
    assert_eq!(current["task"]["story"], "US1");
    assert_eq!(current["task"]["parallel"], true);
    assert_eq!(current["task"]["phase"], "Phase 1: Setup");
    assert_eq!(current["task"]["files"], json!(["src/pay.rs"]));
    assert_eq!(
        sources(&current["acceptance_criteria"]),
        ["specs/002-pay/spec.md:9"]
    );
    assert_eq!(
        current["acceptance_criteria"][0]["group"],
        "User Story 1 - Pay by card"
    );
    assert!(
        strings(&current["constraints"], "section").contains(&"I. Tests first"),
        "{markdown}"
    );
    let refused = session
        .refused("list_tasks", json!({"feature": "native-only"}))
        .await;
    assert!(refused.contains("unknown feature"), "{refused}");

    let (_, asked) = session
        .ok("ask_question", json!({"question": "Which card networks?"}))
        .await;
    assert_eq!(asked["feature"], "002-pay");
    let written = read(root, "specs/002-pay/spec.md");
    assert!(written.starts_with(spec), "{written}");
    let added = &written[spec.len()..];
    assert!(
        added.starts_with("\n## Open questions\n\n- [ ] Q-1 ("),
        "{added}"
    );
    assert!(
        added.contains("task T002, asked by test-client): Which card networks?\n"),
        "{added}"
    );
    session.close().await;
    let logs = bounded("the server's exit", logs).await.expect("stderr");
    assert!(!logs.contains("panicked"), "{logs}");
}

#[tokio::test]
async fn child_process_over_stdio() {
    let temp = temp_copy(&example());
    let root = temp.path();
    let before = read(root, "image-upload/prd.md");
    let (session, logs) = spawn_server(root, &[]).await;

    let names: BTreeSet<String> = session.output_schemas.keys().cloned().collect();
    assert_eq!(names, TOOLS.iter().map(ToString::to_string).collect());
    let info = session.client.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|server| server.name.as_str()),
        Some("spec-mcp")
    );

    let (_, current) = session
        .ok("get_current_task", json!({"feature": "image-upload"}))
        .await;
    assert_eq!(current["task"]["id"], "T2");
    assert_eq!(
        sources(&current["acceptance_criteria"]),
        lines("image-upload/tasks.md", 25..=28)
    );

    let question = "Which CDN serves the thumbnails?";
    let (_, asked) = session
        .ok(
            "ask_question",
            json!({"feature": "image-upload", "question": question}),
        )
        .await;
    assert_eq!(asked["id"], "Q-4");
    assert_eq!(asked["created"], true);
    let after = read(root, "image-upload/prd.md");
    let added = after
        .strip_prefix(before.as_str())
        .expect("the original is a prefix");
    let (_, rest) =
        question_line(added.trim_end()).unwrap_or_else(|| panic!("not a question line: {added}"));
    assert_eq!(rest, format!(", task T2, asked by {CLIENT}): {question}"));

    session.close().await;
    let logs = bounded("the server's exit", logs)
        .await
        .expect("stderr task");
    assert!(
        logs.contains("serving over stdio"),
        "logs go to stderr: {logs}"
    );
    assert!(logs.contains("question recorded"), "{logs}");
}

#[tokio::test]
async fn read_only_flag_refuses_questions() {
    let temp = temp_copy(&example());
    let root = temp.path();
    let files = snapshot(root);
    let (session, logs) = spawn_server(root, &["--read-only"]).await;
    let message = session
        .refused(
            "ask_question",
            json!({"feature": "image-upload", "question": "May I write?"}),
        )
        .await;
    assert!(message.contains("read-only"), "{message}");
    let (_, current) = session
        .ok("get_current_task", json!({"feature": "listing-generator"}))
        .await;
    assert_eq!(current["task"]["id"], "T2");
    session.close().await;
    drop(bounded("the server's exit", logs).await);
    assert_eq!(snapshot(root), files);
}

/// Below rmcp's client: every byte the server writes to stdout is a
/// newline-terminated JSON-RPC 2.0 message, through the handshake, a tool
/// call, an error, and shutdown on stdin EOF.
#[tokio::test]
async fn stdout_carries_only_protocol() {
    let temp = temp_copy(&example());
    let mut child = server_command(temp.path(), &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn spec-mcp");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut stderr = child.stderr.take().expect("stderr");
    let logs = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });

    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw-client", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "get_current_task", "arguments": {"feature": "image-upload"}}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "nope"}}),
    ];
    let mut responses = HashMap::new();
    for request in requests {
        stdin
            .write_all(format!("{request}\n").as_bytes())
            .await
            .expect("write");
        stdin.flush().await.expect("flush");
        let Some(id) = request.get("id").and_then(Value::as_u64) else {
            continue;
        };
        while !responses.contains_key(&id) {
            let mut line = String::new();
            let read = bounded("a response line", stdout.read_line(&mut line))
                .await
                .expect("read stdout");
            assert!(read > 0, "stdout closed before response {id}");
            let message = protocol_message(&line);
            if let Some(id) = message.get("id").and_then(Value::as_u64) {
                responses.insert(id, message);
            }
        }
    }
    assert_eq!(responses[&1]["result"]["serverInfo"]["name"], "spec-mcp");
    assert_eq!(
        responses[&2]["result"]["structuredContent"]["task"]["id"],
        "T2"
    );
    assert_eq!(responses[&2]["result"]["isError"], false);
    assert_eq!(responses[&3]["error"]["code"], -32602);

    drop(stdin);
    let mut rest = String::new();
    bounded("stdout EOF", stdout.read_to_string(&mut rest))
        .await
        .expect("read stdout");
    for line in rest.split_inclusive('\n') {
        protocol_message(line);
    }
    let status = bounded("the server's exit", child.wait())
        .await
        .expect("wait");
    assert!(
        status.success(),
        "the server exits cleanly on stdin EOF: {status}"
    );
    let logs = bounded("stderr", logs).await.expect("stderr task");
    assert!(logs.contains("serving over stdio"), "{logs}");
}

/// One line of stdout: newline-terminated JSON-RPC 2.0.
fn protocol_message(line: &str) -> Value {
    assert!(line.ends_with('\n'), "unterminated stdout line: {line:?}");
    let message: Value = serde_json::from_str(line)
        .unwrap_or_else(|error| panic!("stdout line is not JSON ({error}): {line:?}"));
    assert_eq!(message["jsonrpc"], "2.0", "{line}");
    message
}

// ---------------------------------------------------------------------------
// 6. Two server processes appending to one file
// ---------------------------------------------------------------------------

/// What a round of concurrent `ask_question` calls left behind.
struct Appends {
    _temp: tempfile::TempDir,
    root: PathBuf,
    /// Every file of the kit before the round.
    before: BTreeMap<PathBuf, Vec<u8>>,
    /// Question text to the id the server returned, for the recorded ones.
    recorded: BTreeMap<String, String>,
    /// Question text and message, for the refused ones.
    refused: Vec<(String, String)>,
}

/// Spawns `servers` server processes on one copy of the example kit and
/// fires `per_server` distinct questions at each, all at once.
async fn append_concurrently(servers: usize, per_server: usize) -> Appends {
    let temp = temp_copy(&example());
    let root = temp.path().to_path_buf();
    let before = snapshot(&root);
    let mut sessions = Vec::new();
    let mut logs = Vec::new();
    for _ in 0..servers {
        let (session, log) = spawn_server(&root, &[]).await;
        sessions.push(Arc::new(session));
        logs.push(log);
    }

    let mut calls = JoinSet::new();
    for (server, session) in sessions.iter().enumerate() {
        for index in 0..per_server {
            let session = Arc::clone(session);
            let text =
                format!("Concurrent question {index} from server {server}: is this recorded once?");
            calls.spawn(async move {
                let arguments = json!({"feature": "image-upload", "question": text});
                let result = session.call("ask_question", arguments).await;
                (text, result)
            });
        }
    }
    let mut recorded = BTreeMap::new();
    let mut refused = Vec::new();
    while let Some(joined) = bounded("the concurrent questions", calls.join_next()).await {
        let (text, result) = joined.expect("call task");
        if result.is_error == Some(true) {
            refused.push((text, only_text(&result)));
            continue;
        }
        let asked = result.structured_content.expect("structured content");
        assert_eq!(asked["created"], true, "{text}");
        let id = asked["id"].as_str().expect("id").to_string();
        recorded.insert(text, id);
    }
    for session in sessions {
        Arc::into_inner(session)
            .expect("no call left")
            .close()
            .await;
    }
    for log in logs {
        drop(bounded("a server's exit", log).await);
    }
    Appends {
        _temp: temp,
        root,
        before,
        recorded,
        refused,
    }
}

/// What must hold however the writers interleave: each recorded question
/// is in the file once under the id it was given, ids run on from Q-4
/// without gaps or repeats, the original bytes are untouched around the
/// inserted lines, and no other file changed (an advisory `*.lock` file
/// aside).
fn check_appends(appends: &Appends) {
    let recorded = &appends.recorded;
    let count = recorded.len();
    let ids: BTreeSet<&String> = recorded.values().collect();
    assert_eq!(
        ids.len(),
        count,
        "two questions got the same id: {recorded:?}"
    );
    let expected: BTreeSet<String> = (4..4 + count).map(|n| format!("Q-{n}")).collect();
    assert_eq!(ids, expected.iter().collect(), "ids Q-4..Q-{}", 3 + count);
    assert!(
        appends.refused.is_empty(),
        "questions were refused: {:#?}",
        appends.refused
    );

    let prd = Path::new("image-upload/prd.md");
    let original = String::from_utf8(appends.before[prd].clone()).expect("UTF-8");
    let after = read(&appends.root, "image-upload/prd.md");
    let (head, tail) = original.split_at(open_questions_end(&original));
    assert!(
        after.starts_with(head),
        "the original up to the list end changed"
    );
    assert!(after.ends_with(tail), "what followed the list changed");
    let inserted = &after[head.len()..after.len() - tail.len()];
    let mut in_file = BTreeMap::new();
    for line in inserted.lines() {
        let (id, rest) =
            question_line(line).unwrap_or_else(|| panic!("not a question line: {line}"));
        let text = rest
            .strip_prefix(&format!(", task T2, asked by {CLIENT}): "))
            .unwrap_or_else(|| panic!("unexpected metadata: {line}"));
        let previous = in_file.insert(text.to_string(), id.to_string());
        assert!(previous.is_none(), "recorded twice: {text}");
    }
    assert_eq!(
        &in_file, recorded,
        "the file holds exactly the recorded questions, under their ids"
    );
    for text in recorded.keys() {
        assert_eq!(after.matches(text.as_str()).count(), 1, "{text}");
    }

    let others = |files: &BTreeMap<PathBuf, Vec<u8>>| -> BTreeMap<PathBuf, Vec<u8>> {
        files
            .iter()
            .filter(|(path, _)| path.as_path() != prd)
            .filter(|(path, _)| path.extension().is_none_or(|extension| extension != "lock"))
            .map(|(path, bytes)| (path.clone(), bytes.clone()))
            .collect()
    };
    assert_eq!(
        others(&snapshot(&appends.root)),
        others(&appends.before),
        "another file changed, or a temp file was left behind"
    );
}

/// Two processes, 32 questions each at once: all 64 recorded exactly once
/// under ids Q-4..Q-67, nothing else touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_append_concurrently() {
    let appends = append_concurrently(2, 32).await;
    check_appends(&appends);
    assert_eq!(appends.recorded.len(), 64);
}

/// The same question from two processes at once is recorded once; every
/// caller gets its id.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_question_from_two_processes_is_recorded_once() {
    let temp = temp_copy(&example());
    let root = temp.path();
    let before = read(root, "image-upload/prd.md");
    let (first, first_logs) = spawn_server(root, &[]).await;
    let (second, second_logs) = spawn_server(root, &[]).await;
    let sessions = [Arc::new(first), Arc::new(second)];
    let mut calls = JoinSet::new();
    for session in &sessions {
        for _ in 0..8 {
            let session = Arc::clone(session);
            calls.spawn(async move {
                let arguments =
                    json!({"feature": "image-upload", "question": "Is WebP quality 82 final?"});
                session.call("ask_question", arguments).await
            });
        }
    }
    let mut created = 0;
    let mut ids = BTreeSet::new();
    while let Some(joined) = bounded("the repeated questions", calls.join_next()).await {
        let result = joined.expect("call task");
        assert_ne!(result.is_error, Some(true), "{}", only_text(&result));
        let asked = result.structured_content.expect("structured content");
        if asked["created"] == true {
            created += 1;
        }
        ids.insert(asked["id"].as_str().expect("id").to_string());
    }
    for session in sessions {
        Arc::into_inner(session)
            .expect("no call left")
            .close()
            .await;
    }
    drop(bounded("first server exit", first_logs).await);
    drop(bounded("second server exit", second_logs).await);

    assert_eq!(created, 1, "written once");
    assert_eq!(ids, BTreeSet::from(["Q-4".to_string()]));
    let after = read(root, "image-upload/prd.md");
    let added = after
        .strip_prefix(before.as_str())
        .expect("the original is a prefix");
    assert_eq!(added.lines().count(), 1, "{added}");
}

/// Heavier contention: a writer that waited on the lock of a file the
/// other process then renamed over must retry, not give up with "kept
/// changing" (which it used to after 20 such losses: about 1 run in 30
/// with 32 questions each, every run with 100).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_do_not_starve_each_other() {
    let appends = append_concurrently(2, 100).await;
    check_appends(&appends);
    assert_eq!(appends.recorded.len(), 200);
}

/// A tech spec too long for one answer: the constraints closest to the
/// task are returned within the answer's budget, the sections left out are
/// named, and `section` fetches one of them whole; a section no heading
/// matches is refused with the headings there are.
#[tokio::test]
async fn long_constraint_lists_are_cut_to_fit_and_fetched_by_section() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path();
    let mut tech = String::from("# Tech spec\n");
    let rule_text = "keep the storage layer boring and observable; ".repeat(3);
    for section in 0..40 {
        let _ = write!(tech, "\n## Area {section:02}\n\n");
        for rule in 0..4 {
            let _ = writeln!(tech, "- Rule {section}.{rule}: {rule_text}");
        }
    }
    tech.push_str("\n## Uploads\n\n- Thumbnails are generated by the resize worker\n");
    let tasks = "# Tasks\n\n## T1: Generate thumbnails\n\nStatus: in progress\n";
    for (path, text) in [
        ("big/prd.md", "# Big\n"),
        ("big/tech-spec.md", tech.as_str()),
        ("big/tasks.md", tasks),
    ] {
        fs::create_dir_all(root.join("big")).expect("create dir");
        fs::write(root.join(path), text).expect("write");
    }
    let session = Session::in_process(&kit(root, true, Defaults::default()), root).await;

    let (markdown, answer) = session
        .ok("get_architecture_constraints", json!({"feature": "big"}))
        .await;
    let shown = strings(&answer["constraints"], "text");
    assert!(
        shown.contains(&"Thumbnails are generated by the resize worker"),
        "the rule on the task's topic is kept: {markdown}"
    );
    let shown_bytes: usize = answer["constraints"]
        .as_array()
        .expect("constraints")
        .iter()
        .map(|constraint| {
            constraint["text"].as_str().expect("text").len()
                + constraint["section"].as_str().expect("section").len()
        })
        .sum();
    assert!(shown_bytes <= 24_000, "{shown_bytes} bytes shown");
    let omitted = answer["omitted"].as_array().expect("sections left out");
    assert!(!omitted.is_empty());
    let left_out: usize = omitted
        .iter()
        .map(|section| section["count"].as_u64().expect("count") as usize)
        .sum();
    assert_eq!(
        shown.len() + left_out,
        40 * 4 + 1,
        "every rule is shown or counted"
    );
    assert!(
        markdown.contains("## Left out (pass `section` to get one)"),
        "{markdown}"
    );
    assert_eq!(
        answer["notes"],
        json!(["the constraints do not fit one answer; these are the ones closest to task T1"])
    );

    let wanted = omitted[0]["section"].as_str().expect("section").to_string();
    let (_, one) = session
        .ok(
            "get_architecture_constraints",
            json!({"feature": "big", "section": wanted.to_lowercase()}),
        )
        .await;
    assert_eq!(
        strings(&one["constraints"], "section"),
        [wanted.as_str(); 4]
    );
    assert!(one.get("omitted").is_none());

    let refused = session
        .refused(
            "get_architecture_constraints",
            json!({"feature": "big", "section": "Nowhere"}),
        )
        .await;
    assert!(
        refused.contains("no constraint heading contains `Nowhere`")
            && refused.contains("Area 00, Area 01"),
        "{refused}"
    );
    session.close().await;
}
