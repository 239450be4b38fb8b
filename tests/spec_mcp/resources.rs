//! Resources and live reload, driven by real clients against the binary:
//! the listing, templates, reads and completions over stdio with rmcp's
//! client; the agent skill (`skills/list`, `skills/get`, its digest) and
//! the project-wide files; `resources/subscribe` and the notifications
//! that follow an edit on disk, a new feature folder, or a question asked
//! by another server process, over stdio and over Streamable HTTP (two
//! sessions at once, in raw requests and with rmcp's HTTP client); the
//! 2026-07-28 revision's `subscriptions/listen`, over stdio and HTTP; and
//! a session leaving the kit's listeners when it closes.
//!
//! Notifications are waited for with a generous deadline, never a sleep:
//! a test passes as soon as what it waits for arrives.

use std::fs;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, CompletionContext, ErrorCode,
    GetSkillRequestParams, Implementation, ProtocolVersion, ReadResourceRequestParams,
    ResourceContents, ResourceUpdatedNotificationParam, ServerNotification, SkillResources,
    SubscribeRequestParams, SubscriptionFilter,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, ClientServiceExt as _, RoleClient, ServiceExt as _};
use serde_json::{Value, json};
use spec_mcp::mcp::SpecServer;
use spec_mcp::service::Defaults;
use spec_mcp::skill;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::sync::mpsc;

use crate::mcp::kit;
use crate::support::{
    HttpServer, StdioServer, initialize, repo, rpc, settle, stdio_command, temp_copy,
};

/// How long a notification may take to arrive: the watcher waits for the
/// disk to be quiet for a moment first, and CI machines are slow.
const NOTICE: Duration = Duration::from_secs(10);

/// Upper bound for one request.
const TIMEOUT: Duration = Duration::from_secs(60);

/// What a client heard, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Heard {
    Updated(String),
    ListChanged,
}

/// A client that passes on every resource notification it hears.
#[derive(Clone)]
struct Listening {
    heard: mpsc::UnboundedSender<Heard>,
}

impl ClientHandler for Listening {
    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.heard.send(Heard::Updated(params.uri));
    }

    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.heard.send(Heard::ListChanged);
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("resource-client", "1.0"),
        )
    }
}

type Client = RunningService<RoleClient, Listening>;

/// What the server logs once its watcher runs: changes made before it
/// are seen by the stamps, not the watcher, so tests wait for it.
const WATCHING: &str = "watching the spec root for changes";

/// The binary over stdio on `root`, once it watches the root (unless
/// `extra` turns the watcher off).
async fn child(root: &Path, extra: &[&str]) -> TokioChildProcess {
    let mut command = stdio_command(root, extra);
    command.env("RUST_LOG", "info");
    let (transport, stderr) = TokioChildProcess::builder(tokio::process::Command::from(command))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn spec-mcp");
    let mut lines = BufReader::new(stderr.expect("piped stderr")).lines();
    let (ready, watching) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut ready = Some(ready);
        // Read to the end, so the server never blocks on a full pipe.
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains(WATCHING)
                && let Some(ready) = ready.take()
            {
                let _ = ready.send(());
            }
        }
    });
    if !extra.contains(&"--no-watch") {
        tokio::time::timeout(NOTICE, watching)
            .await
            .expect("the server watches the root in time")
            .expect("the server says it watches the root");
    }
    transport
}

/// The binary over stdio on `root`, with rmcp's client, and what it hears.
async fn stdio_client(root: &Path, extra: &[&str]) -> (Client, mpsc::UnboundedReceiver<Heard>) {
    let transport = child(root, extra).await;
    let (heard, receiver) = mpsc::unbounded_channel();
    let client = tokio::time::timeout(TIMEOUT, Listening { heard }.serve(transport))
        .await
        .expect("the handshake in time")
        .expect("the handshake");
    (client, receiver)
}

/// Waits for `wanted`; returns what was heard before it.
async fn wait_for(heard: &mut mpsc::UnboundedReceiver<Heard>, wanted: &Heard) -> Vec<Heard> {
    let mut before = Vec::new();
    let deadline = tokio::time::Instant::now() + NOTICE;
    loop {
        match tokio::time::timeout_at(deadline, heard.recv()).await {
            Ok(Some(notice)) if notice == *wanted => return before,
            Ok(Some(notice)) => before.push(notice),
            Ok(None) => panic!("the client went away before {wanted:?}; heard {before:?}"),
            Err(elapsed) => panic!("no {wanted:?} ({elapsed}); heard {before:?}"),
        }
    }
}

#[allow(deprecated)] // resources/subscribe: the revision most clients speak
async fn subscribe(client: &Client, uri: &str) {
    client
        .subscribe(SubscribeRequestParams::new(uri))
        .await
        .unwrap_or_else(|error| panic!("subscribe to {uri}: {error}"));
}

async fn read_text(client: &Client, uri: &str) -> (String, Option<String>) {
    let result = client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .unwrap_or_else(|error| panic!("read {uri}: {error}"));
    assert_eq!(result.contents.len(), 1, "one content for {uri}");
    match &result.contents[0] {
        ResourceContents::TextResourceContents {
            uri: read,
            mime_type,
            text,
            ..
        } => {
            assert_eq!(read, uri, "the content names the URI read");
            (text.clone(), mime_type.clone())
        }
        other => panic!("{uri} is not text: {other:?}"),
    }
}

async fn read_json(client: &Client, uri: &str) -> Value {
    let (text, mime) = read_text(client, uri).await;
    assert_eq!(mime.as_deref(), Some("application/json"), "{uri}");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{uri}: {error}: {text}"))
}

/// Appends `text` to a file the way a person's editor saves it.
fn append(path: &Path, text: &str) {
    let mut content = fs::read_to_string(path).expect("read the file");
    content.push_str(text);
    fs::write(path, content).expect("write the file");
}

fn example() -> tempfile::TempDir {
    temp_copy(&repo().join("specs-example"))
}

#[tokio::test]
async fn documents_and_questions_are_listed_and_tasks_templated() {
    let temp = example();
    let (client, _heard) = stdio_client(temp.path(), &[]).await;
    let resources = client.list_all_resources().await.expect("resources/list");
    let uris: Vec<&str> = resources
        .iter()
        .map(|resource| resource.uri.as_str())
        .collect();
    for uri in [
        "spec://image-upload/prd.md",
        "spec://image-upload/tech-spec.md",
        "spec://image-upload/tasks.md",
        "spec://image-upload/questions",
        "spec://listing-generator/prd.md",
    ] {
        assert!(uris.contains(&uri), "{uri} is listed: {uris:?}");
    }
    assert!(
        !uris.iter().any(|uri| uri.contains("/tasks/")),
        "tasks are reached through their template, not listed: {uris:?}"
    );
    let prd = resources
        .iter()
        .find(|resource| resource.uri == "spec://image-upload/prd.md")
        .expect("the PRD");
    assert_eq!(prd.mime_type.as_deref(), Some("text/markdown"));
    assert_eq!(prd.name, "image-upload/prd.md");

    let templates = client
        .list_all_resource_templates()
        .await
        .expect("resources/templates/list");
    let templates: Vec<&str> = templates
        .iter()
        .map(|template| template.uri_template.as_str())
        .collect();
    assert_eq!(
        templates,
        [
            "spec://{feature}/tasks/{task}",
            "spec://{feature}/questions",
            "spec://{feature}/{+document}"
        ]
    );
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_read_answers_as_the_tools_do() {
    let temp = example();
    let root = temp.path();
    let (client, _heard) = stdio_client(root, &[]).await;
    // A document is its file, byte for byte.
    let (text, mime) = read_text(&client, "spec://image-upload/prd.md").await;
    assert_eq!(mime.as_deref(), Some("text/markdown"));
    assert_eq!(
        text,
        fs::read_to_string(root.join("image-upload/prd.md")).expect("the PRD on disk")
    );

    // A task is what the service builds: the task, its criteria with
    // sources, its questions.
    let task = read_json(&client, "spec://image-upload/tasks/T3").await;
    assert_eq!(task["task"]["id"], "T3", "{task}");
    assert_eq!(task["feature"]["id"], "image-upload");
    let criteria = task["acceptance_criteria"].as_array().expect("criteria");
    assert!(!criteria.is_empty(), "{task}");
    assert!(
        criteria[0]["source"]
            .as_str()
            .is_some_and(|source| source.starts_with("image-upload/tasks.md:")),
        "{task}"
    );
    let asked: Vec<&str> = task["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter_map(|question| question["id"].as_str())
        .collect();
    assert_eq!(asked, ["Q-2"], "the questions asked for T3");

    // The questions are list_questions' answer.
    let questions = read_json(&client, "spec://image-upload/questions").await;
    let listed = client
        .call_tool(
            rmcp::model::CallToolRequestParams::new("list_questions").with_arguments(
                json!({"feature": "image-upload"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        )
        .await
        .expect("list_questions");
    assert_eq!(Some(&questions), listed.structured_content.as_ref());
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_read_of_what_is_not_there_is_refused_naming_what_is() {
    let temp = example();
    let (client, _heard) = stdio_client(temp.path(), &[]).await;
    // What is not there is refused, naming what is.
    let error = client
        .read_resource(ReadResourceRequestParams::new(
            "spec://image-upload/design.md",
        ))
        .await
        .expect_err("no such document");
    let rmcp::ServiceError::McpError(error) = error else {
        panic!("a protocol error: {error}");
    };
    assert_eq!(error.code, ErrorCode::RESOURCE_NOT_FOUND);
    assert!(
        error.message.contains("prd.md, tech-spec.md, tasks.md"),
        "{}",
        error.message
    );
    for uri in [
        "spec://image-upload/tasks/T99",
        "spec://nothing/prd.md",
        "spec://image-upload/../../etc/passwd",
        "file:///etc/passwd",
    ] {
        assert!(
            client
                .read_resource(ReadResourceRequestParams::new(uri))
                .await
                .is_err(),
            "{uri} is refused"
        );
    }
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn template_arguments_complete_to_features_tasks_and_documents() {
    let temp = example();
    let (client, _heard) = stdio_client(temp.path(), &[]).await;
    // Completions: feature ids, then the tasks and documents of the
    // feature chosen.
    let features = client
        .complete_resource_argument("spec://{feature}/tasks/{task}", "feature", "im", None)
        .await
        .expect("complete a feature");
    assert_eq!(features.values, ["image-upload"]);
    let chosen = CompletionContext::with_arguments(
        [("feature".to_string(), "image-upload".to_string())].into(),
    );
    let tasks = client
        .complete_resource_argument(
            "spec://{feature}/tasks/{task}",
            "task",
            "t",
            Some(chosen.clone()),
        )
        .await
        .expect("complete a task");
    assert_eq!(tasks.values, ["T1", "T2", "T3", "T4"]);
    assert_eq!(tasks.total, Some(4));
    let documents = client
        .complete_resource_argument(
            "spec://{feature}/{+document}",
            "document",
            "t",
            Some(chosen),
        )
        .await
        .expect("complete a document");
    assert_eq!(documents.values, ["tech-spec.md", "tasks.md"]);

    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_subscriber_hears_of_an_edit_and_of_a_new_feature_over_stdio() {
    let temp = example();
    let root = temp.path();
    let (client, mut heard) = stdio_client(root, &[]).await;
    // The first read also lets the watcher start before the edits.
    read_text(&client, "spec://image-upload/prd.md").await;
    subscribe(&client, "spec://image-upload/prd.md").await;
    subscribe(&client, "spec://image-upload/tasks/T2").await;

    // Edits to the tasks reach the task, not the PRD.
    append(
        &root.join("image-upload/tasks.md"),
        "\n- [ ] T5 Crop images\n",
    );
    let before = wait_for(
        &mut heard,
        &Heard::Updated("spec://image-upload/tasks/T2".into()),
    )
    .await;
    assert!(
        !before.contains(&Heard::Updated("spec://image-upload/prd.md".into())),
        "{before:?}"
    );

    // An edit of the PRD, and the next read shows it.
    append(
        &root.join("image-upload/prd.md"),
        "\nEdited in an editor.\n",
    );
    wait_for(
        &mut heard,
        &Heard::Updated("spec://image-upload/prd.md".into()),
    )
    .await;
    let (text, _) = read_text(&client, "spec://image-upload/prd.md").await;
    assert!(text.ends_with("Edited in an editor.\n"), "{text}");

    // A new feature folder changes the list.
    fs::create_dir(root.join("search")).expect("a feature folder");
    fs::write(root.join("search/prd.md"), "# Search\n").expect("its PRD");
    wait_for(&mut heard, &Heard::ListChanged).await;
    let resources = client.list_all_resources().await.expect("resources/list");
    assert!(
        resources
            .iter()
            .any(|resource| resource.uri == "spec://search/prd.md"),
        "the new feature is listed"
    );

    // A feature that goes tells its subscribers, and changes the list.
    subscribe(&client, "spec://search/prd.md").await;
    fs::remove_dir_all(root.join("search")).expect("remove the feature");
    wait_for(&mut heard, &Heard::Updated("spec://search/prd.md".into())).await;
    wait_for(&mut heard, &Heard::ListChanged).await;
    let resources = client.list_all_resources().await.expect("resources/list");
    assert!(
        !resources
            .iter()
            .any(|resource| resource.uri.starts_with("spec://search/")),
        "the feature is gone from the list"
    );

    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_question_asked_through_another_server_reaches_the_subscriber() {
    // A project root with `specs/` inside, so only the spec folders are
    // watched.
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path();
    fs::create_dir_all(root.join("specs/pay")).expect("folders");
    fs::create_dir_all(root.join("src")).expect("folders");
    fs::write(
        root.join("specs/pay/prd.md"),
        "# Pay\n\n## Open questions\n\n- [ ] Q-1 (2026-11-01, asked by sam): Which card brands?\n",
    )
    .expect("the PRD");
    fs::write(
        root.join("specs/pay/tasks.md"),
        "# Tasks\n\n- [ ] T1 Charge\n",
    )
    .expect("tasks");

    let (client, mut heard) = stdio_client(root, &[]).await;
    let questions = "spec://pay/questions";
    let before = read_json(&client, questions).await;
    assert_eq!(before["open"], 1);
    subscribe(&client, questions).await;

    // A file outside the spec folders is not watched at all.
    fs::write(root.join("src/main.rs"), "fn main() {}\n").expect("a source file");

    let mut other = StdioServer::start(root, "other-agent");
    let asked = other.client().tool(
        "ask_question",
        &json!({"feature": "pay", "question": "Are refunds in scope?"}),
    );
    assert_eq!(asked["structuredContent"]["id"], "Q-2", "{asked}");

    wait_for(&mut heard, &Heard::Updated(questions.into())).await;
    let after = read_json(&client, questions).await;
    assert_eq!(after["open"], 2, "{after}");
    assert!(
        after["questions"]
            .as_array()
            .expect("questions")
            .iter()
            .any(|question| question["text"] == "Are refunds in scope?"),
        "{after}"
    );
    client.cancel().await.expect("close");
}

/// The agent's `list_questions` for `feature`, as structured content.
async fn list_questions(client: &Client, feature: &str) -> Value {
    let arguments = json!({"feature": feature});
    let request = CallToolRequestParams::new("list_questions")
        .with_arguments(arguments.as_object().expect("an object").clone());
    let result = tokio::time::timeout(TIMEOUT, client.call_tool(request))
        .await
        .expect("list_questions in time")
        .expect("list_questions");
    assert_ne!(result.is_error, Some(true), "{result:?}");
    result.structured_content.expect("structured content")
}

/// The question `id` of a `list_questions` answer.
fn question<'a>(questions: &'a Value, id: &str) -> &'a Value {
    questions["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .find(|question| question["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {questions}"))
}

#[tokio::test]
async fn a_person_answers_from_the_command_line_or_the_editor_and_the_agent_sees_it() {
    let temp = example();
    let root = temp.path();
    let prd = root.join("image-upload/prd.md");
    let (client, mut heard) = stdio_client(root, &[]).await;
    let uri = "spec://image-upload/questions";
    subscribe(&client, uri).await;
    let before = list_questions(&client, "image-upload").await;
    let open = before["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter(|question| question["status"] == "open")
        .map(|question| question["id"].as_str().expect("an id").to_string())
        .collect::<Vec<_>>();
    assert!(open.len() >= 2, "two open questions to answer: {before}");

    // A person answers one with the command, which writes by the verified
    // path, from a process of its own.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_spec-mcp"))
        .arg("--root")
        .arg(root)
        .args([
            "--feature",
            "image-upload",
            "answer",
            &open[0],
            "Yes, 10 MB per file.",
        ])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run spec-mcp answer");
    assert!(output.status.success(), "{output:?}");
    wait_for(&mut heard, &Heard::Updated(uri.into())).await;
    let after = list_questions(&client, "image-upload").await;
    let answered = question(&after, &open[0]);
    assert_eq!(answered["status"], "answered", "{after}");
    assert!(
        answered["answer"]
            .as_str()
            .is_some_and(|answer| answer.contains("10 MB per file")),
        "{after}"
    );

    // Another is answered in the editor: its box ticked, the answer in a
    // bullet under it.
    let text = fs::read_to_string(&prd).expect("the PRD");
    let line = text
        .lines()
        .find(|line| line.contains(&format!("] {}", open[1])))
        .expect("the open question's line");
    let ticked = line.replacen("[ ]", "[x]", 1);
    let indent = " ".repeat(line.len() - line.trim_start().len() + 2);
    let edited = text.replacen(
        line,
        &format!("{ticked}\n{indent}- A: Only JPEG and PNG."),
        1,
    );
    fs::write(&prd, edited).expect("save the PRD");
    wait_for(&mut heard, &Heard::Updated(uri.into())).await;
    let after = list_questions(&client, "image-upload").await;
    let answered = question(&after, &open[1]);
    assert_eq!(answered["status"], "answered", "{after}");
    assert!(
        answered["answer"]
            .as_str()
            .is_some_and(|answer| answer.contains("Only JPEG and PNG")),
        "{after}"
    );
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn without_a_watcher_our_own_write_notifies_and_edits_show_on_the_next_call() {
    let temp = example();
    let root = temp.path();
    let (client, mut heard) = stdio_client(root, &["--no-watch"]).await;
    let questions = "spec://image-upload/questions";
    subscribe(&client, questions).await;
    let asked = client
        .call_tool(
            rmcp::model::CallToolRequestParams::new("ask_question").with_arguments(
                json!({"feature": "image-upload", "question": "Is WebP accepted?"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        )
        .await
        .expect("ask_question");
    assert_eq!(asked.is_error, Some(false), "{asked:?}");
    wait_for(&mut heard, &Heard::Updated(questions.into())).await;

    // An edit no watcher reports is still what the next read shows.
    append(&root.join("image-upload/prd.md"), "\nUnwatched edit.\n");
    let (text, _) = read_text(&client, "spec://image-upload/prd.md").await;
    assert!(text.ends_with("Unwatched edit.\n"), "{text}");
    client.cancel().await.expect("close");
}

// ---------------------------------------------------------------------------
// The agent skill (the Skills-over-MCP extension) and the project's files.
// ---------------------------------------------------------------------------

/// The error a request was refused with.
fn refusal(error: rmcp::ServiceError) -> rmcp::ErrorData {
    match error {
        rmcp::ServiceError::McpError(error) => error,
        other => panic!("a protocol error: {other}"),
    }
}

#[tokio::test]
async fn the_skill_is_listed_described_and_read_as_built_in() {
    let temp = example();
    let (client, _heard) = stdio_client(temp.path(), &[]).await;
    let capabilities = &client.peer_info().expect("the server's info").capabilities;
    assert!(
        capabilities.supports_skills(),
        "the extension is declared: {:?}",
        capabilities.extensions
    );

    let skills = client.list_all_skills().await.expect("skills/list");
    assert_eq!(skills.len(), 1, "{skills:?}");
    let listed = &skills[0];
    assert_eq!(listed.uri, "skill://spec-driven/SKILL.md");
    assert_eq!(listed.name(), skill::NAME);
    assert_eq!(listed.frontmatter.description, skill::description());
    let got = client
        .get_skill(GetSkillRequestParams::new(skill::URI))
        .await
        .expect("skills/get")
        .skill;
    assert_eq!(&got, listed);
    let SkillResources::Files(files) = &got.resources else {
        panic!("a manifest of files: {got:?}");
    };
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].uri, skill::URI);

    // The file is the one built in, byte for byte, as its digest says.
    let (text, mime) = read_text(&client, skill::URI).await;
    assert_eq!(text, skill::SKILL_MD);
    assert_eq!(mime.as_deref(), Some("text/markdown"));
    files[0]
        .verify(text.as_bytes())
        .expect("the bytes read are those the manifest describes");

    // Listed beside the kit's resources, not instead of them.
    let resources = client.list_all_resources().await.expect("resources/list");
    let entry = resources
        .iter()
        .find(|resource| resource.uri == skill::URI)
        .expect("the skill is listed");
    assert_eq!(entry.mime_type.as_deref(), Some("text/markdown"));
    assert_eq!(entry.size, Some(skill::SKILL_MD.len() as u64));
    assert!(
        resources
            .iter()
            .any(|resource| resource.uri == "spec://image-upload/prd.md"),
        "{resources:?}"
    );

    // Another skill, or another file of this one, is not there.
    let error = refusal(
        client
            .get_skill(GetSkillRequestParams::new("skill://other/SKILL.md"))
            .await
            .expect_err("no such skill"),
    );
    assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
    assert!(error.message.contains(skill::URI), "{}", error.message);
    let error = refusal(
        client
            .read_resource(ReadResourceRequestParams::new(
                "skill://spec-driven/notes.md",
            ))
            .await
            .expect_err("no such file"),
    );
    assert_eq!(error.code, ErrorCode::RESOURCE_NOT_FOUND);
    assert!(error.message.contains(skill::URI), "{}", error.message);
    client.cancel().await.expect("close");
}

/// A spec-kit project with a constitution and a feature named `project`,
/// whose URIs must not meet.
fn speckit_with_a_feature_named_project() -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path();
    for (path, text) in [
        (
            ".specify/memory/constitution.md",
            "# Shop Constitution\n\n## Core Principles\n\n- Every change ships with tests.\n",
        ),
        (
            "specs/project/spec.md",
            "# Feature Specification: Project page\n\n## Requirements\n\n\
             - **FR-001**: The page MUST list the projects.\n",
        ),
        (
            "specs/project/tasks.md",
            "# Tasks\n\n- [ ] T001 Build the page\n",
        ),
    ] {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
        fs::write(path, text).expect("a spec file");
    }
    temp
}

#[tokio::test]
async fn project_files_are_listed_read_and_heard_of_apart_from_a_feature_named_project() {
    let temp = speckit_with_a_feature_named_project();
    let root = temp.path();
    let constitution_path = root.join(".specify/memory/constitution.md");
    let (client, mut heard) = stdio_client(root, &[]).await;
    let constitution = "spec:///.specify/memory/constitution.md";

    let resources = client.list_all_resources().await.expect("resources/list");
    let uris: Vec<&str> = resources
        .iter()
        .map(|resource| resource.uri.as_str())
        .collect();
    assert_eq!(
        uris[..2],
        [constitution, skill::URI],
        "the project's files and the skill come first: {uris:?}"
    );
    assert!(uris.contains(&"spec://project/spec.md"), "{uris:?}");
    let entry = &resources[0];
    assert_eq!(entry.name, ".specify/memory/constitution.md");
    assert_eq!(entry.title.as_deref(), Some("Shop Constitution"));
    assert_eq!(entry.mime_type.as_deref(), Some("text/markdown"));

    let (text, mime) = read_text(&client, constitution).await;
    assert_eq!(text, fs::read_to_string(&constitution_path).expect("read"));
    assert_eq!(mime.as_deref(), Some("text/markdown"));
    let (text, _) = read_text(&client, "spec://project/spec.md").await;
    assert!(
        text.starts_with("# Feature Specification: Project page"),
        "{text}"
    );

    // A URI names only a file the project has, never any path of the root.
    let error = refusal(
        client
            .read_resource(ReadResourceRequestParams::new(
                "spec:///specs/project/spec.md",
            ))
            .await
            .expect_err("not a project file"),
    );
    assert_eq!(error.code, ErrorCode::RESOURCE_NOT_FOUND);
    assert!(
        error.message.contains(".specify/memory/constitution.md"),
        "{}",
        error.message
    );

    // An edit reaches the file's subscriber, not the feature's.
    subscribe(&client, constitution).await;
    subscribe(&client, "spec://project/spec.md").await;
    append(&constitution_path, "- Every endpoint is documented.\n");
    let before = wait_for(&mut heard, &Heard::Updated(constitution.into())).await;
    assert!(
        !before.contains(&Heard::Updated("spec://project/spec.md".into())),
        "{before:?}"
    );
    let (text, _) = read_text(&client, constitution).await;
    assert!(
        text.ends_with("- Every endpoint is documented.\n"),
        "{text}"
    );

    // A project file that goes tells its subscriber, and changes the list.
    fs::remove_file(&constitution_path).expect("remove the constitution");
    wait_for(&mut heard, &Heard::Updated(constitution.into())).await;
    wait_for(&mut heard, &Heard::ListChanged).await;
    let resources = client.list_all_resources().await.expect("resources/list");
    assert!(
        !resources
            .iter()
            .any(|resource| resource.uri == constitution),
        "{resources:?}"
    );
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_client_on_the_2026_07_28_revision_listens_for_updates() {
    let temp = example();
    let root = temp.path();
    let transport = child(root, &[]).await;
    let client = tokio::time::timeout(
        TIMEOUT,
        ().serve_with_lifecycle(
            transport,
            rmcp::ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        ),
    )
    .await
    .expect("discover in time")
    .expect("discover");
    let uri = "spec://image-upload/prd.md";
    let mut subscription = client
        .listen(
            SubscriptionFilter::builder()
                .resources_list_changed()
                .resource_subscription(uri)
                .resource_subscription("spec://image-upload/tasks/T1")
                .build(),
        )
        .await
        .expect("subscriptions/listen");
    assert_eq!(
        subscription
            .acknowledged()
            .resource_subscriptions
            .as_deref(),
        Some(&[uri.to_string(), "spec://image-upload/tasks/T1".to_string()][..])
    );
    append(&root.join("image-upload/prd.md"), "\nEdited.\n");
    let deadline = Instant::now() + NOTICE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let notice = tokio::time::timeout(left, subscription.next())
            .await
            .expect("an update within the deadline")
            .expect("the stream")
            .expect("a notification");
        if let ServerNotification::ResourceUpdatedNotification(update) = notice {
            assert_eq!(update.params.uri, uri);
            break;
        }
    }
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_closed_session_stops_listening() {
    let temp = example();
    let kit = kit(temp.path(), false, Defaults::default());
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    let server = SpecServer::new(kit.clone());
    let handle = tokio::spawn(async move {
        let running = server.serve(server_io).await.expect("server handshake");
        let _ = running.waiting().await;
    });
    let (heard, _receiver) = mpsc::unbounded_channel();
    let client = Listening { heard }
        .serve(client_io)
        .await
        .expect("client handshake");
    until(|| kit.changes.listeners() == 1, "the session listens").await;
    client.cancel().await.expect("close");
    let _ = handle.await;
    until(
        || kit.changes.listeners() == 0,
        "the session stopped listening",
    )
    .await;
}

/// Waits, up to [`NOTICE`], for `done` to hold.
async fn until(done: impl Fn() -> bool, what: &str) {
    let deadline = Instant::now() + NOTICE;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {NOTICE:?}");
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

// ---------------------------------------------------------------------------
// Over HTTP: every session is its own handler, all hear the same change.
// ---------------------------------------------------------------------------

/// A session's standalone event stream (`GET /mcp`), open once its
/// headers have come.
struct EventStream {
    stream: TcpStream,
    seen: String,
}

impl EventStream {
    fn open(authority: &str, session: &str) -> EventStream {
        let mut stream = TcpStream::connect(authority).expect("connect");
        write!(
            stream,
            "GET /mcp HTTP/1.1\r\nHost: {authority}\r\nAccept: text/event-stream\r\n\
             Mcp-Session-Id: {session}\r\nMCP-Protocol-Version: 2025-06-18\r\n\r\n"
        )
        .expect("send");
        let mut events = EventStream {
            stream,
            seen: String::new(),
        };
        events.read_until(|seen| seen.contains("\r\n\r\n"), "the stream's headers");
        assert!(
            events.seen.starts_with("HTTP/1.1 200"),
            "the stream opens: {}",
            events.seen
        );
        events
    }

    fn read_until(&mut self, done: impl Fn(&str) -> bool, what: &str) {
        let deadline = Instant::now() + NOTICE;
        self.stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let mut buffer = [0u8; 4096];
        while !done(&self.seen) {
            assert!(
                Instant::now() < deadline,
                "{what} not within {NOTICE:?}: {}",
                self.seen
            );
            match self.stream.read(&mut buffer) {
                Ok(0) => panic!("the stream closed before {what}: {}", self.seen),
                Ok(read) => self
                    .seen
                    .push_str(&String::from_utf8_lossy(&buffer[..read])),
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(error) => panic!("reading the stream: {error}"),
            }
        }
    }
}

/// The binary serving `root` over HTTP, once it watches the root.
fn http_server(root: &Path) -> HttpServer {
    let mut command = HttpServer::command(root, &[]);
    command.env("RUST_LOG", "info");
    let server = HttpServer::spawn(command);
    let deadline = Instant::now() + NOTICE;
    while !server.log().contains(WATCHING) {
        assert!(Instant::now() < deadline, "not watching: {}", server.log());
        std::thread::sleep(Duration::from_millis(10));
    }
    server
}

#[test]
fn two_http_sessions_subscribed_to_a_document_both_hear_an_edit() {
    let temp = example();
    let root = temp.path();
    let server = http_server(root);
    let authority = server.authority().to_string();
    let uri = "spec://listing-generator/tech-spec.md";
    let mut streams = Vec::new();
    for _ in 0..2 {
        let session = initialize(&authority, &[]);
        let subscribed = rpc(
            &authority,
            &session,
            2,
            "resources/subscribe",
            &json!({"uri": uri}),
        );
        assert_eq!(subscribed.status, 200, "{}", subscribed.body);
        assert!(
            subscribed.message().get("error").is_none(),
            "{}",
            subscribed.body
        );
        streams.push(EventStream::open(&authority, &session));
    }
    append(
        &root.join("listing-generator/tech-spec.md"),
        "\n- Cache generated listings for a day.\n",
    );
    let update =
        format!(r#""method":"notifications/resources/updated","params":{{"uri":"{uri}"}}"#);
    for stream in &mut streams {
        stream.read_until(|seen| seen.contains(&update), "the update");
    }
    // The next read in either session shows the edit.
    let session = initialize(&authority, &[]);
    let read = rpc(
        &authority,
        &session,
        2,
        "resources/read",
        &json!({"uri": uri}),
    );
    let text = read.message()["result"]["contents"][0]["text"]
        .as_str()
        .expect("text")
        .to_string();
    assert!(
        text.contains("Cache generated listings for a day."),
        "{text}"
    );
}

/// rmcp's Streamable HTTP client on `server`, in a session of the
/// revision before 2026-07-28, and what it hears.
async fn http_client(server: &HttpServer) -> (Client, mpsc::UnboundedReceiver<Heard>) {
    let transport = StreamableHttpClientTransport::from_uri(format!("{}/mcp", server.base));
    let (heard, receiver) = mpsc::unbounded_channel();
    let client = tokio::time::timeout(TIMEOUT, Listening { heard }.serve(transport))
        .await
        .expect("the handshake in time")
        .expect("the handshake");
    (client, receiver)
}

// Multi-threaded: the server is waited for with a blocking poll.
#[tokio::test(flavor = "multi_thread")]
async fn rmcp_sessions_over_streamable_http_hear_the_edits_they_subscribed_to() {
    let temp = example();
    let root = temp.path();
    let server = tokio::task::block_in_place(|| http_server(root));
    let (first, mut first_heard) = http_client(&server).await;
    let (second, mut second_heard) = http_client(&server).await;
    let document = "spec://listing-generator/tech-spec.md";
    let project = "spec:///project.md";
    subscribe(&first, document).await;
    subscribe(&second, document).await;
    subscribe(&second, project).await;

    // One edit on disk, heard in both sessions.
    append(
        &root.join("listing-generator/tech-spec.md"),
        "\n- Cache generated listings for a day.\n",
    );
    wait_for(&mut first_heard, &Heard::Updated(document.into())).await;
    wait_for(&mut second_heard, &Heard::Updated(document.into())).await;
    let (text, _) = read_text(&first, document).await;
    assert!(
        text.contains("Cache generated listings for a day."),
        "{text}"
    );

    // The project file, in the one session that subscribed to it: the
    // other hears the next edit of its document and nothing before it.
    append(&root.join("project.md"), "\n- Log every upload.\n");
    wait_for(&mut second_heard, &Heard::Updated(project.into())).await;
    append(
        &root.join("listing-generator/tech-spec.md"),
        "\n- Keep a week of listings.\n",
    );
    let before = wait_for(&mut first_heard, &Heard::Updated(document.into())).await;
    assert!(
        !before.contains(&Heard::Updated(project.into())),
        "{before:?}"
    );
    first.cancel().await.expect("close");
    second.cancel().await.expect("close");
}

/// Waits on a `subscriptions/listen` stream for a notification `wanted`
/// accepts.
async fn listened(
    subscription: &mut rmcp::service::Subscription,
    wanted: impl Fn(&ServerNotification) -> bool,
    what: &str,
) {
    let deadline = Instant::now() + NOTICE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let notice = tokio::time::timeout(left, subscription.next())
            .await
            .unwrap_or_else(|_| panic!("no {what} within {NOTICE:?}"))
            .expect("the stream")
            .unwrap_or_else(|| panic!("the stream ended before {what}"));
        if wanted(&notice) {
            return;
        }
    }
}

// Multi-threaded: the server is waited for with a blocking poll.
#[tokio::test(flavor = "multi_thread")]
async fn clients_on_the_2026_07_28_revision_listen_over_streamable_http() {
    let temp = example();
    let root = temp.path();
    let server = tokio::task::block_in_place(|| http_server(root));
    let uri = "spec://image-upload/prd.md";
    let mut clients = Vec::new();
    let mut subscriptions = Vec::new();
    for _ in 0..2 {
        let transport = StreamableHttpClientTransport::from_uri(format!("{}/mcp", server.base));
        let client = tokio::time::timeout(
            TIMEOUT,
            ().serve_with_lifecycle(
                transport,
                rmcp::ClientLifecycleMode::Discover {
                    preferred_versions: vec![ProtocolVersion::V_2026_07_28],
                },
            ),
        )
        .await
        .expect("discover in time")
        .expect("discover");
        assert_eq!(
            client.peer_info().map(|info| info.protocol_version.clone()),
            Some(ProtocolVersion::V_2026_07_28)
        );
        let subscription = client
            .listen(
                SubscriptionFilter::builder()
                    .resources_list_changed()
                    .resource_subscription(uri)
                    .resource_subscription(skill::URI)
                    .build(),
            )
            .await
            .expect("subscriptions/listen");
        assert_eq!(
            subscription
                .acknowledged()
                .resource_subscriptions
                .as_deref(),
            Some(&[uri.to_string(), skill::URI.to_string()][..])
        );
        clients.push(client);
        subscriptions.push(subscription);
    }
    append(&root.join("image-upload/prd.md"), "\nEdited.\n");
    for subscription in &mut subscriptions {
        listened(
            subscription,
            |notice| {
                matches!(notice, ServerNotification::ResourceUpdatedNotification(update)
                    if update.params.uri == uri)
            },
            "the update",
        )
        .await;
    }
    fs::create_dir(root.join("search")).expect("a feature folder");
    fs::write(root.join("search/prd.md"), "# Search\n").expect("its PRD");
    for subscription in &mut subscriptions {
        listened(
            subscription,
            |notice| {
                matches!(
                    notice,
                    ServerNotification::ResourceListChangedNotification(_)
                )
            },
            "the list change",
        )
        .await;
    }
    for client in clients {
        client.cancel().await.expect("close");
    }
}

#[tokio::test]
async fn a_large_kit_is_listed_a_page_of_features_at_a_time() {
    let temp = tempfile::tempdir().expect("temp dir");
    for index in 0..120 {
        let dir = temp.path().join(format!("specs/f{index:03}"));
        fs::create_dir_all(&dir).expect("a feature folder");
        fs::write(dir.join("prd.md"), format!("# Feature {index}\n")).expect("its PRD");
    }
    let kit = kit(temp.path(), false, Defaults::default());
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    let server = SpecServer::new(kit);
    tokio::spawn(async move {
        let running = server.serve(server_io).await.expect("server handshake");
        let _ = running.waiting().await;
    });
    let (heard, _receiver) = mpsc::unbounded_channel();
    let client = Listening { heard }
        .serve(client_io)
        .await
        .expect("client handshake");
    let mut cursors = Vec::new();
    let mut uris = Vec::new();
    let mut cursor = None;
    loop {
        let page = client
            .list_resources(Some(
                rmcp::model::PaginatedRequestParams::default().with_cursor(cursor.clone()),
            ))
            .await
            .expect("a page");
        uris.extend(
            page.resources
                .into_iter()
                .map(|resource| resource.uri.clone()),
        );
        cursor = page.next_cursor;
        match &cursor {
            Some(next) => cursors.push(next.clone()),
            None => break,
        }
    }
    assert_eq!(cursors, ["50", "100"]);
    // The skill first (the kit has no project files), then each feature's
    // PRD and its questions, each once.
    assert_eq!(uris.len(), 1 + 240);
    assert_eq!(uris[0], spec_mcp::skill::URI);
    assert_eq!(uris[1], "spec://f000/prd.md");
    assert_eq!(uris[240], "spec://f119/questions");
    let refused = client
        .list_resources(Some(
            rmcp::model::PaginatedRequestParams::default().with_cursor(Some("7".into())),
        ))
        .await;
    assert!(refused.is_err(), "a cursor the list never gave");
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn an_edit_no_stamp_shows_reaches_the_next_tool_call_through_the_watcher() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path();
    fs::create_dir_all(root.join("specs/a")).expect("folders");
    fs::write(root.join("specs/a/prd.md"), "# A\n").expect("the PRD");
    let tasks = root.join("specs/a/tasks.md");
    fs::write(&tasks, "# Tasks\n\n- [ ] T1 Alpha\n").expect("tasks");
    settle(root);
    let (client, mut heard) = stdio_client(root, &[]).await;
    let title = async || {
        let listed = client
            .call_tool(
                rmcp::model::CallToolRequestParams::new("list_tasks")
                    .with_arguments(json!({"feature": "a"}).as_object().unwrap().clone()),
            )
            .await
            .expect("list_tasks");
        listed.structured_content.expect("structured")["tasks"][0]["title"]
            .as_str()
            .expect("a title")
            .to_string()
    };
    assert_eq!(title().await, "Alpha");
    subscribe(&client, "spec://a/tasks/T1").await;

    // Same length, same inode, and the old time put back: the cache's
    // stamp cannot tell, the watcher can.
    fs::write(&tasks, "# Tasks\n\n- [ ] T1 Omega\n").expect("rewrite in place");
    settle(&tasks);
    wait_for(&mut heard, &Heard::Updated("spec://a/tasks/T1".into())).await;
    assert_eq!(title().await, "Omega");
    client.cancel().await.expect("close");
}
