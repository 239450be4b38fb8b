//! The binary driven by the official MCP client SDKs, Python's `mcp` and
//! TypeScript's `@modelcontextprotocol/sdk`, on the spec-kit, Kiro and
//! OpenSpec fixture kits, over stdio, Streamable HTTP and the legacy
//! HTTP+SSE transport; over HTTP each answer must be the one stdio gives. Agents reach the server through clients built
//! on these libraries, not through rmcp: each must list the ten tools,
//! accept every answer under its own output-schema check, get a refusal as
//! a tool error rather than a protocol error, and have its questions land
//! in the file the layout keeps them in; each also lists the four prompts,
//! gets them filled from the kit, is refused an unknown feature as a
//! protocol error, and completes a prompt's arguments. The two SDKs also
//! negotiate different protocol versions, so both of the server's paths
//! are covered. The Python SDK also reads the agent skill and a
//! project-wide file as resources.
//!
//! Each SDK drives the server from a script in `tests/clients/`, run as a
//! client process that starts the server itself, plays the session the
//! test gives it and prints a transcript; the test checks the transcript
//! and the kit on disk. `scripts/test`
//! installs the pinned SDKs and says where they are; without them (a plain
//! `cargo test`) these tests say so and pass.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use spec_mcp::edit::today;
use spec_mcp::skill;

use crate::support::{HttpServer, KIT_ENV, TOOLS, fixture, repo, temp_copy};

const BIN: &str = env!("CARGO_BIN_EXE_spec-mcp");

/// Upper bound for one client's whole session, from start to exit: a hang
/// fails the test instead of blocking CI.
const TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------
// The SDK clients
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Sdk {
    Python,
    TypeScript,
}

impl Sdk {
    /// The variable `scripts/test` sets to the interpreter that runs the
    /// client.
    fn interpreter_var(self) -> &'static str {
        match self {
            Sdk::Python => "SPEC_MCP_PYTHON",
            Sdk::TypeScript => "SPEC_MCP_NODE",
        }
    }

    /// The client script, relative to the clients folder.
    fn script(self) -> &'static str {
        match self {
            Sdk::Python => "client.py",
            Sdk::TypeScript => "node/client.mjs",
        }
    }

    /// The name the client gives the server, which `ask_question` records.
    fn client_name(self) -> &'static str {
        match self {
            Sdk::Python => "mcp-python-sdk",
            Sdk::TypeScript => "mcp-typescript-sdk",
        }
    }

    /// The protocol version the pinned SDK settles on with this server: the
    /// Python SDK probes `server/discover` and takes 2026-07-28, which has
    /// no `initialize` handshake; the TypeScript SDK sends `initialize`.
    fn protocol_version(self, via: Via) -> &'static str {
        match (self, via) {
            (Sdk::Python, _) => "2026-07-28",
            (Sdk::TypeScript, _) => "2025-11-25",
        }
    }

    /// The SDK version the pin file names.
    fn pinned_version(self, clients: &Path) -> String {
        match self {
            Sdk::Python => {
                let pins = fs::read_to_string(clients.join("requirements.txt"))
                    .expect("read requirements.txt");
                pins.lines()
                    .find_map(|line| line.trim().strip_prefix("mcp=="))
                    .expect("requirements.txt pins mcp")
                    .to_string()
            }
            Sdk::TypeScript => {
                let manifest = fs::read_to_string(clients.join("node/package.json"))
                    .expect("read package.json");
                let manifest: Value = serde_json::from_str(&manifest).expect("package.json");
                manifest["dependencies"]["@modelcontextprotocol/sdk"]
                    .as_str()
                    .expect("package.json pins @modelcontextprotocol/sdk")
                    .to_string()
            }
        }
    }
}

/// The interpreter for `sdk` and the clients folder, or `None` (after
/// saying so) when `scripts/test` has not installed them.
/// Under `scripts/test` (`SPEC_MCP_SDK_REQUIRED` set) a missing client is a
/// failure, so a renamed variable cannot turn these tests into silent passes.
fn installed(sdk: Sdk) -> Option<(OsString, PathBuf)> {
    let Some(interpreter) = std::env::var_os(sdk.interpreter_var()) else {
        assert!(
            std::env::var_os("SPEC_MCP_SDK_REQUIRED").is_none(),
            "scripts/test installed the SDK clients but {} is not set",
            sdk.interpreter_var()
        );
        crate::support::note(&format!(
            "skipping: run ./scripts/test to install the official SDK clients ({} is not set)",
            sdk.interpreter_var()
        ));
        return None;
    };
    let clients = std::env::var_os("SPEC_MCP_CLIENTS")
        .map_or_else(|| repo().join("tests").join("clients"), PathBuf::from);
    Some((interpreter, clients))
}

/// How a client reaches the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    /// The client starts the server and speaks over its stdin and stdout.
    Stdio,
    /// Streamable HTTP at `/mcp`.
    Http,
    /// The legacy HTTP+SSE pair, `/sse` and `/messages`.
    Sse,
}

/// Runs the `sdk` client on a server serving `root` and returns its
/// transcript and its stderr (which holds the server's, over stdio).
async fn run_client(
    sdk: Sdk,
    interpreter: &OsString,
    clients: &Path,
    root: &Path,
    session: &Value,
) -> (Value, String) {
    run_client_via(sdk, Via::Stdio, interpreter, clients, root, session).await
}

/// As [`run_client`], over `via`; over HTTP the server is started here.
async fn run_client_via(
    sdk: Sdk,
    via: Via,
    interpreter: &OsString,
    clients: &Path,
    root: &Path,
    session: &Value,
) -> (Value, String) {
    let server = (via != Via::Stdio).then(|| HttpServer::start(root, &[]));
    let mut command = tokio::process::Command::new(interpreter);
    command
        .arg(clients.join(sdk.script()))
        .arg(session.to_string());
    match &server {
        None => {
            command.arg(BIN).arg("serve").arg("--root").arg(root);
        }
        Some(server) if via == Via::Http => {
            command.arg(format!("{}/mcp", server.base));
        }
        Some(server) => {
            command.arg(format!("sse:{}/sse", server.base));
        }
    }
    command
        .env_remove("SPEC_MCP_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // The SDKs pass the server only a few variables of their own
    // environment; these must not reach it even so.
    for name in KIT_ENV {
        command.env_remove(name);
    }
    let child = command
        .spawn()
        .unwrap_or_else(|error| panic!("start the {sdk:?} client: {error}"));
    let output = tokio::time::timeout(TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("the {sdk:?} client did not finish within {TIMEOUT:?}"))
        .expect("wait for the client");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the {sdk:?} client failed ({}):\n{stderr}",
        output.status
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let transcript = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "the {sdk:?} client printed no transcript ({error}):\n{}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    let log = server.as_ref().map(HttpServer::log).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
    (transcript, format!("{stderr}{log}"))
}

// ---------------------------------------------------------------------------
// The session, per layout
// ---------------------------------------------------------------------------

/// A fixture kit and what the session must see in it.
struct Case {
    /// `tests/fixtures/layouts/<fixture>`.
    fixture: &'static str,
    /// The `feature` every call names: needed where the kit has several.
    feature: Option<&'static str>,
    feature_id: &'static str,
    valid_features: &'static str,
    task: &'static str,
    /// Where `get_current_task`'s first criterion is; `None` when the task
    /// links none.
    task_criterion: Option<&'static str>,
    /// Where `get_acceptance_criteria`'s first feature criterion is; `None`
    /// when none binds every task.
    feature_criterion: Option<&'static str>,
    open: u64,
    answered: u64,
    /// The file `ask_question` writes to.
    questions_file: &'static str,
    /// Whether that file has no Open questions section yet, so the question
    /// comes under a new one at its end.
    new_section: bool,
    question: &'static str,
}

const SPECKIT: Case = Case {
    fixture: "speckit",
    feature: None,
    feature_id: "001-upload",
    valid_features: "001-upload",
    task: "T002",
    task_criterion: Some("specs/001-upload/spec.md:16"),
    // An edge case: T002's story scenarios are its own criteria.
    feature_criterion: Some("specs/001-upload/spec.md:29"),
    open: 1,
    answered: 1,
    questions_file: "specs/001-upload/spec.md",
    new_section: true,
    question: "Should photos be resized on upload?",
};

const KIRO: Case = Case {
    fixture: "kiro",
    feature: None,
    feature_id: "login",
    valid_features: "login",
    task: "2.1",
    task_criterion: Some(".kiro/specs/login/requirements.md:23"),
    // Every criterion belongs to a requirement, none binds every task.
    feature_criterion: None,
    open: 0,
    answered: 0,
    questions_file: ".kiro/specs/login/requirements.md",
    new_section: true,
    question: "How long does a lock-out last after a password reset?",
};

const OPENSPEC: Case = Case {
    fixture: "openspec",
    feature: Some("add-x"),
    feature_id: "add-x",
    valid_features: "add-x, cap-a",
    task: "1.2",
    task_criterion: None,
    feature_criterion: Some("openspec/changes/add-x/specs/cap-a/spec.md:6"),
    open: 1,
    answered: 0,
    questions_file: "openspec/changes/add-x/design.md",
    new_section: false,
    question: "Is the CSV export limited to one year of records?",
};

/// The calls of the session, in order: every tool, each answer checked by
/// the SDK against its output schema. `check` reads the answers by these
/// positions.
fn session(case: &Case) -> Value {
    let base = case
        .feature
        .map_or_else(|| json!({}), |feature| json!({"feature": feature}));
    let with = |extra: Value| {
        let mut arguments = base.clone();
        for (key, value) in extra.as_object().expect("object") {
            arguments[key] = value.clone();
        }
        arguments
    };
    let call = |tool: &str, arguments: Value| json!({"tool": tool, "arguments": arguments});
    json!({
        "calls": [
            call("get_current_task", base.clone()),
            call("get_acceptance_criteria", base.clone()),
            call("get_architecture_constraints", base.clone()),
            call("get_out_of_scope", base.clone()),
            call("get_definition_of_done", base.clone()),
            call("list_tasks", base.clone()),
            call("set_current_task", with(json!({"task": case.task}))),
            call("list_questions", base.clone()),
            call("ask_question", with(json!({"question": case.question}))),
            call("ask_question", with(json!({"question": case.question}))),
            call("list_questions", with(json!({"status": "open"}))),
            call("get_current_task", json!({"feature": "nope"})),
            call("check_spec", base.clone()),
        ],
        // The client alters this answer on its way in: the SDK must reject it.
        "drift": {
            "tool": "get_current_task",
            "arguments": base,
            "pointer": ["task", "id"],
            "value": 42
        }
    })
}

/// A call's markdown and structured content, after checking that it
/// succeeded.
fn answer(call: &Value) -> (&str, &Value) {
    let tool = &call["tool"];
    assert_eq!(call["exception"], Value::Null, "{tool} raised in the SDK");
    assert_eq!(call["is_error"], false, "{tool} was refused: {call}");
    let structured = &call["structured"];
    assert!(structured.is_object(), "{tool}: no structured content");
    (text(call), structured)
}

/// The one text block of a call's result.
fn text(call: &Value) -> &str {
    let content = call["content"].as_array().expect("content blocks");
    assert_eq!(content.len(), 1, "one content block: {call}");
    assert_eq!(content[0]["type"], "text", "{call}");
    content[0]["text"].as_str().expect("text")
}

/// The strings of a JSON array, sorted.
fn sorted(value: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = value
        .as_array()
        .expect("an array")
        .iter()
        .map(|name| name.as_str().expect("a name"))
        .collect();
    names.sort_unstable();
    names
}

/// Every file under `dir` with its text, keyed by relative path.
fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let text = fs::read_to_string(&path).expect("read file");
                files.insert(path.strip_prefix(dir).expect("inside").to_path_buf(), text);
            }
        }
    }
    files
}

/// Plays the session of `case` through `sdk` and checks what it saw and
/// what it left on disk.
async fn check(sdk: Sdk, case: &Case) {
    check_via(sdk, Via::Stdio, case).await;
}

/// As [`check`], over `via`; returns the transcript.
async fn check_via(sdk: Sdk, via: Via, case: &Case) -> Option<Value> {
    let (interpreter, clients) = installed(sdk)?;
    let source = fixture(&format!("layouts/{}", case.fixture));
    let temp = temp_copy(&source);
    let root = temp.path();
    let (transcript, _) =
        run_client_via(sdk, via, &interpreter, &clients, root, &session(case)).await;
    check_connection(sdk, via, &clients, &transcript);
    let calls = transcript["calls"].as_array().expect("calls");
    assert_eq!(calls.len(), 13, "{transcript}");
    check_reads(case, calls);
    // The question is the last line of its file: its line number is the
    // file's line count.
    let written = fs::read_to_string(root.join(case.questions_file)).expect("read the spec");
    let at = format!("{}:{}", case.questions_file, written.matches('\n').count());
    check_questions(case, calls, &at);
    check_refusal(case, &calls[11]);
    check_findings(case, &calls[12], &at);
    check_drift(&transcript["drift"]);
    check_disk(sdk, case, &source, root, &written);
    Some(transcript)
}

/// The SDK is the pinned one, negotiated its protocol version, and sees
/// every tool with an output schema.
fn check_connection(sdk: Sdk, via: Via, clients: &Path, transcript: &Value) {
    assert_eq!(
        transcript["sdk"]["version"],
        sdk.pinned_version(clients),
        "the installed SDK is not the pinned one: run ./scripts/test"
    );
    assert_eq!(
        transcript["protocol_version"],
        sdk.protocol_version(via),
        "{sdk:?} over {via:?}"
    );
    assert_eq!(transcript["server"], "spec-mcp");
    assert_eq!(sorted(&transcript["tools"]), TOOLS);
    assert_eq!(
        sorted(&transcript["output_schemas"]),
        TOOLS,
        "every tool declares an output schema, so the SDK checks every answer"
    );
}

/// Every call but the last succeeds for the case's feature; the reading
/// tools find the current task and its criteria.
fn check_reads(case: &Case, calls: &[Value]) {
    for call in &calls[..11] {
        let (_, structured) = answer(call);
        // `ask_question` names the feature by its id alone.
        let feature = &structured["feature"];
        let id = feature.get("id").unwrap_or(feature);
        assert_eq!(*id, case.feature_id, "{}", call["tool"]);
    }

    let (markdown, current) = answer(&calls[0]);
    assert_eq!(current["task"]["id"], case.task);
    assert!(
        markdown.starts_with(&format!("# {}: ", case.task)),
        "{markdown}"
    );
    let criteria = current["acceptance_criteria"].as_array().expect("criteria");
    match case.task_criterion {
        Some(source) => {
            assert_eq!(criteria[0]["source"], source);
            assert!(markdown.contains(&format!("({source})")), "{markdown}");
        }
        None => assert_eq!(criteria.len(), 0, "{current}"),
    }

    let (markdown, criteria) = answer(&calls[1]);
    match case.feature_criterion {
        Some(source) => {
            assert_eq!(criteria["feature_criteria"][0]["source"], source);
            assert!(markdown.contains(&format!("({source})")), "{markdown}");
        }
        None => assert_eq!(criteria["feature_criteria"], json!([]), "{criteria}"),
    }

    let (_, tasks) = answer(&calls[5]);
    assert_eq!(tasks["current"], case.task);
    let (_, pinned) = answer(&calls[6]);
    assert_eq!(pinned["task"]["id"], case.task);

    let (_, listed) = answer(&calls[7]);
    assert_eq!(listed["open"], case.open);
    assert_eq!(listed["answered"], case.answered);
    let questions = listed["questions"].as_array().expect("questions");
    assert_eq!(questions.len() as u64, case.open + case.answered);
}

/// `check_spec`, after the question was asked: the feature was checked,
/// and the question is an open one at `at`.
fn check_findings(case: &Case, call: &Value, at: &str) {
    let (markdown, check) = answer(call);
    let features = check["features"].as_array().expect("features");
    assert!(features.contains(&json!(case.feature_id)), "{check:#}");
    let findings = check["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|finding| finding["rule"] == "open-question" && finding["source"] == at),
        "{check:#}"
    );
    assert!(markdown.starts_with("The check "), "{markdown}");
}

/// The question is recorded once at `at`, then listed as open.
fn check_questions(case: &Case, calls: &[Value], at: &str) {
    let (markdown, asked) = answer(&calls[8]);
    assert_eq!(
        *asked,
        json!({"id": "Q-1", "created": true, "feature": case.feature_id, "source": at})
    );
    assert!(
        markdown.starts_with(&format!(
            "Recorded Q-1 in feature {} at {at}.",
            case.feature_id
        )),
        "{markdown}"
    );
    let (markdown, again) = answer(&calls[9]);
    assert_eq!(
        *again,
        json!({"id": "Q-1", "created": false, "feature": case.feature_id, "source": at}),
        "the same question asked again is not written twice"
    );
    assert!(
        markdown.starts_with("Already recorded as Q-1"),
        "{markdown}"
    );

    let (_, open) = answer(&calls[10]);
    assert_eq!(open["open"], case.open + 1);
    let questions = open["questions"].as_array().expect("questions");
    assert_eq!(questions.len() as u64, case.open + 1);
    let last = questions.last().expect("the new question");
    assert_eq!(
        [
            &last["id"],
            &last["status"],
            &last["task"],
            &last["text"],
            &last["source"]
        ],
        [
            &json!("Q-1"),
            &json!("open"),
            &json!(case.task),
            &json!(case.question),
            &json!(at)
        ]
    );
}

/// An unknown feature is a tool error naming the valid ones, which the SDK
/// hands back as a result.
fn check_refusal(case: &Case, refused: &Value) {
    assert_eq!(
        refused["exception"],
        Value::Null,
        "a refusal is a tool result, not a protocol error"
    );
    assert_eq!(refused["is_error"], true, "{refused}");
    assert_eq!(refused["structured"], Value::Null, "{refused}");
    let message = text(refused);
    assert!(message.contains("unknown feature `nope`"), "{message}");
    assert!(
        message.contains(&format!("valid features: {}", case.valid_features)),
        "{message}"
    );
}

/// The answer altered on its way in was rejected by the SDK's schema check.
fn check_drift(drift: &Value) {
    assert_eq!(drift["applied"], true, "{drift}");
    assert_eq!(
        drift["rejected"], true,
        "the SDK accepted an answer that breaks the output schema: {drift}"
    );
    let reason = drift["message"].as_str().expect("a message").to_lowercase();
    assert!(reason.contains("structured content"), "{reason}");
}

/// On disk: one line in the layout's questions file, naming the SDK's
/// client, and nothing else changed.
fn check_disk(sdk: Sdk, case: &Case, source: &Path, root: &Path, written: &str) {
    let before = files(source);
    let original = &before[Path::new(case.questions_file)];
    let heading = if case.new_section {
        "\n## Open questions\n\n"
    } else {
        ""
    };
    assert_eq!(
        written,
        format!(
            "{original}{heading}- [ ] Q-1 ({}, task {}, asked by {}): {}\n",
            today(),
            case.task,
            sdk.client_name(),
            case.question
        )
    );
    let untouched = |files: BTreeMap<PathBuf, String>| {
        let mut files = files;
        files.remove(Path::new(case.questions_file));
        files
    };
    assert_eq!(
        untouched(files(root)),
        untouched(before.clone()),
        "only {} changed",
        case.questions_file
    );
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[tokio::test]
async fn python_sdk_on_a_spec_kit_project() {
    check(Sdk::Python, &SPECKIT).await;
}

#[tokio::test]
async fn python_sdk_on_a_kiro_project() {
    check(Sdk::Python, &KIRO).await;
}

#[tokio::test]
async fn python_sdk_on_an_openspec_project() {
    check(Sdk::Python, &OPENSPEC).await;
}

#[tokio::test]
async fn typescript_sdk_on_a_spec_kit_project() {
    check(Sdk::TypeScript, &SPECKIT).await;
}

#[tokio::test]
async fn typescript_sdk_on_a_kiro_project() {
    check(Sdk::TypeScript, &KIRO).await;
}

#[tokio::test]
async fn typescript_sdk_on_an_openspec_project() {
    check(Sdk::TypeScript, &OPENSPEC).await;
}

/// Plays the session over `via` and over stdio on fresh copies of the kit:
/// every answer, text and structured content, is the same.
async fn same_as_stdio(sdk: Sdk, via: Via, case: &Case) {
    let Some(over_http) = check_via(sdk, via, case).await else {
        return;
    };
    let over_stdio = check_via(sdk, Via::Stdio, case)
        .await
        .expect("the SDK is installed");
    let calls = |transcript: &Value| transcript["calls"].clone();
    assert_eq!(
        calls(&over_http),
        calls(&over_stdio),
        "{sdk:?} over {via:?} got other answers than over stdio"
    );
}

#[tokio::test]
async fn python_sdk_over_streamable_http_answers_as_over_stdio() {
    for case in [&SPECKIT, &KIRO, &OPENSPEC] {
        same_as_stdio(Sdk::Python, Via::Http, case).await;
    }
}

#[tokio::test]
async fn python_sdk_over_legacy_sse_answers_as_over_stdio() {
    for case in [&SPECKIT, &KIRO, &OPENSPEC] {
        same_as_stdio(Sdk::Python, Via::Sse, case).await;
    }
}

#[tokio::test]
async fn typescript_sdk_over_streamable_http_answers_as_over_stdio() {
    for case in [&SPECKIT, &KIRO, &OPENSPEC] {
        same_as_stdio(Sdk::TypeScript, Via::Http, case).await;
    }
}

#[tokio::test]
async fn typescript_sdk_over_legacy_sse_answers_as_over_stdio() {
    for case in [&SPECKIT, &KIRO, &OPENSPEC] {
        same_as_stdio(Sdk::TypeScript, Via::Sse, case).await;
    }
}

/// Output schemas use only formats JSON Schema defines, so the SDK's
/// validator compiles them silently (and a strict one compiles them at all).
#[tokio::test]
async fn typescript_sdk_compiles_the_output_schemas_without_warnings() {
    let sdk = Sdk::TypeScript;
    let Some((interpreter, clients)) = installed(sdk) else {
        return;
    };
    let temp = temp_copy(&fixture("layouts/speckit"));
    let (transcript, stderr) = run_client(
        sdk,
        &interpreter,
        &clients,
        temp.path(),
        &json!({"calls": []}),
    )
    .await;
    assert_eq!(sorted(&transcript["output_schemas"]), TOOLS);
    assert!(!stderr.contains("unknown format"), "{stderr}");
}

// ---------------------------------------------------------------------------
// Prompts
// ---------------------------------------------------------------------------

/// The four prompts through `sdk`'s own client: listed with their
/// arguments, filled from the spec-kit fixture (the current task, a task
/// named with a diff, the feature's plan), an unknown feature refused as a
/// protocol error naming the valid ids, and task ids completed.
async fn check_prompts(sdk: Sdk) {
    let Some((interpreter, clients)) = installed(sdk) else {
        return;
    };
    let temp = temp_copy(&fixture("layouts").join("speckit"));
    let session = json!({
        "calls": [],
        "prompts": [
            {"name": "start_task", "arguments": {}},
            {"name": "review_change", "arguments": {"task": "T003", "diff": "+fn delete() {}\n"}},
            {"name": "failure_modes", "arguments": {"feature": "001-upload"}},
            {"name": "plan_tasks", "arguments": {}},
            {"name": "start_task", "arguments": {"feature": "nope"}},
        ],
        "completions": [
            {"prompt": "start_task", "argument": "task", "value": "t00", "context": {"feature": "001-upload"}},
            {"prompt": "review_change", "argument": "feature", "value": "0"},
        ],
    });
    let (transcript, _) = run_client(sdk, &interpreter, &clients, temp.path(), &session).await;
    check_prompt_listing(sdk, &transcript);
    check_prompt_texts(sdk, &transcript);
    let completions = transcript["completions"].as_array().expect("completions");
    assert_eq!(
        completions[0]["values"],
        json!(["T001", "T002", "T003"]),
        "{sdk:?}"
    );
    assert_eq!(completions[1]["values"], json!(["001-upload"]), "{sdk:?}");
}

/// The four prompts, each with its arguments, in order.
fn check_prompt_listing(sdk: Sdk, transcript: &Value) {
    let listed: Vec<(String, Vec<String>)> = transcript["prompts_listed"]
        .as_array()
        .expect("prompts listed")
        .iter()
        .map(|prompt| {
            let arguments = prompt["arguments"]
                .as_array()
                .expect("arguments")
                .iter()
                .map(|argument| argument.as_str().expect("name").to_string())
                .collect();
            (
                prompt["name"].as_str().expect("name").to_string(),
                arguments,
            )
        })
        .collect();
    let owned = |names: &[&str]| names.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(
        listed,
        [
            ("start_task".to_string(), owned(&["feature", "task"])),
            (
                "review_change".to_string(),
                owned(&["feature", "task", "diff"])
            ),
            ("failure_modes".to_string(), owned(&["feature", "task"])),
            ("plan_tasks".to_string(), owned(&["feature"])),
        ],
        "{sdk:?}"
    );
}

/// Each prompt the session got, filled from the kit; the unknown feature
/// refused.
fn check_prompt_texts(sdk: Sdk, transcript: &Value) {
    let prompts = transcript["prompts"].as_array().expect("prompts");
    let text = |index: usize| -> String {
        let prompt = &prompts[index];
        assert!(prompt["exception"].is_null(), "{sdk:?}: {prompt}");
        let messages = prompt["messages"].as_array().expect("messages");
        assert_eq!(messages.len(), 1, "{prompt}");
        assert_eq!(messages[0]["role"], "user");
        assert_eq!(messages[0]["content"]["type"], "text");
        messages[0]["content"]["text"]
            .as_str()
            .expect("text")
            .to_string()
    };
    let start = text(0);
    assert!(
        start.contains("## Task T002: Create model in `src/model.rs` (depends on T001)"),
        "{start}"
    );
    assert!(start.contains("(specs/001-upload/spec.md:16)"), "{start}");
    assert!(start.contains("write the tests first") || start.contains("Write the tests first"));
    assert_eq!(
        prompts[0]["description"],
        "Start task T002 of 001-upload: Create model in `src/model.rs` (depends on T001)"
    );
    let review = text(1);
    assert!(review.contains("## Task T003"), "{review}");
    assert!(review.contains("```diff\n+fn delete() {}\n```"), "{review}");
    let failures = text(2);
    assert!(
        failures.contains("List the failure modes of task T002"),
        "{failures}"
    );
    let plan = text(3);
    assert!(
        plan.contains("The tasks belong in `specs/001-upload/tasks.md`, which lists 3 tasks now."),
        "{plan}"
    );
    assert!(plan.contains("- [ ] T010 [P] [US1]"), "{plan}");
    let refused = prompts[4]["exception"].as_str().expect("a refusal");
    assert!(
        refused.contains("unknown feature `nope`") && refused.contains("001-upload"),
        "{sdk:?}: {refused}"
    );
}

#[tokio::test]
async fn python_sdk_lists_gets_and_completes_prompts() {
    check_prompts(Sdk::Python).await;
}

#[tokio::test]
async fn typescript_sdk_lists_gets_and_completes_prompts() {
    check_prompts(Sdk::TypeScript).await;
}

/// The agent skill and a project-wide file, read with the SDK's own
/// `resources/read` on the revision it negotiates: the skill is the text
/// built into the binary, the constitution the file on disk, and both are
/// listed under the URIs read.
#[tokio::test]
async fn python_sdk_reads_the_skill_and_a_project_file() {
    let sdk = Sdk::Python;
    let Some((interpreter, clients)) = installed(sdk) else {
        return;
    };
    let temp = temp_copy(&fixture("layouts/speckit"));
    let constitution = "spec:///.specify/memory/constitution.md";
    let (transcript, _) = run_client(
        sdk,
        &interpreter,
        &clients,
        temp.path(),
        &json!({"calls": [], "reads": [skill::URI, constitution]}),
    )
    .await;
    let listed: Vec<&str> = transcript["resources"]
        .as_array()
        .expect("the listing")
        .iter()
        .map(|resource| resource["uri"].as_str().expect("a uri"))
        .collect();
    assert_eq!(listed[..2], [constitution, skill::URI], "{listed:?}");
    let on_disk = fs::read_to_string(temp.path().join(".specify/memory/constitution.md"))
        .expect("read the constitution");
    let reads = transcript["reads"].as_array().expect("the reads");
    for (read, (uri, text)) in reads.iter().zip([
        (skill::URI, skill::SKILL_MD),
        (constitution, on_disk.as_str()),
    ]) {
        assert_eq!(read["exception"], Value::Null, "{read}");
        let contents = read["contents"].as_array().expect("contents");
        assert_eq!(contents.len(), 1, "{read}");
        assert_eq!(contents[0]["uri"], uri, "{read}");
        assert_eq!(contents[0]["mimeType"], "text/markdown", "{read}");
        assert_eq!(contents[0]["text"], text, "{uri}");
    }
}
