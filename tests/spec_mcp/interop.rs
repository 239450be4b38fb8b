//! The binary driven by two more real clients from npm: the MCP Inspector's
//! CLI (`@modelcontextprotocol/inspector --cli`) and the official
//! conformance suite (`@modelcontextprotocol/conformance`), both pinned in
//! `tests/clients/inspector/`.
//!
//! The Inspector lists the tools with its schema lint on (`--strict`) in
//! both protocol eras (2025-11-25's `initialize` handshake and 2026-07-28's
//! stateless `server/discover`), then calls every tool once on the example
//! kit: over stdio in the first era, over Streamable HTTP in the second.
//! It checks each structured answer against the tool's output schema
//! itself; this module checks that the answer it shows is the one the same
//! call gives in process, and that its question lands in the spec under
//! its name.
//!
//! The conformance suite runs every server scenario of both dated revisions
//! over Streamable HTTP. Many need the suite's own fixture tools, prompts
//! and resources, which spec-mcp does not have: those checks are listed,
//! each with its reason, in `conformance-expected-failures.yml`, and the
//! suite fails the run when any other check fails or a listed one passes.
//! Of its optional extensions, which `--suite all` leaves out, the Skills
//! extension's scenarios are run one by one, since spec-mcp declares it
//! (Tasks it does not).
//!
//! `scripts/test` installs both with the Node 22 they need and says where
//! they are; without them (a plain `cargo test`) these tests say so and
//! pass.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use spec_mcp::edit::today;
use spec_mcp::service::Defaults;

use crate::mcp::{Session, kit};
use crate::support::{HttpServer, KIT_ENV, TOOLS, repo, temp_copy};

const BIN: &str = env!("CARGO_BIN_EXE_spec-mcp");

/// Upper bound for one client process, from start to exit: a hang fails
/// the test instead of blocking CI.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The example kit's feature every call names (the kit has two, so none is
/// chosen without it).
const FEATURE: &str = "image-upload";

/// The question the Inspector asks.
const QUESTION: &str = "Should a batch over 40 MB be refused before any upload starts?";

/// The file of expected conformance failures, in the clients folder.
const EXPECTED_FAILURES: &str = "conformance-expected-failures.yml";

/// The conformance scenarios of the Skills extension (SEP-2640): the
/// listing and `skills/get`, the `SKILL.md` resource, and directory reads
/// (which spec-mcp does not declare: the skill is one file, so those
/// checks are skipped, as the extension allows).
const SKILL_SCENARIOS: [&str; 3] = [
    "sep-2640-skills-enumeration",
    "sep-2640-skills-manifest",
    "sep-2640-skills-directory",
];

/// The spec revisions the conformance suite runs at, each on its own wire.
const REVISIONS: [&str; 2] = ["2025-11-25", "2026-07-28"];

// ---------------------------------------------------------------------------
// The clients
// ---------------------------------------------------------------------------

/// Where `scripts/test` installed the clients.
struct Clients {
    /// `tests/clients/inspector`, with its `node_modules`.
    folder: PathBuf,
    /// A Node new enough for the Inspector (22.19 or newer).
    node: OsString,
}

impl Clients {
    /// The clients, or `None` (after saying so) when `scripts/test` has not
    /// installed them. Under `scripts/test` (`SPEC_MCP_SDK_REQUIRED` set) a
    /// missing install is a failure, so a renamed variable cannot turn
    /// these tests into silent passes.
    fn installed() -> Option<Clients> {
        let Some(folder) = std::env::var_os("SPEC_MCP_INSPECTOR") else {
            assert!(
                std::env::var_os("SPEC_MCP_SDK_REQUIRED").is_none(),
                "scripts/test installed the clients but SPEC_MCP_INSPECTOR is not set"
            );
            crate::support::note(
                "skipping: run ./scripts/test to install the MCP Inspector and the conformance suite (SPEC_MCP_INSPECTOR is not set)",
            );
            return None;
        };
        let node = std::env::var_os("SPEC_MCP_INSPECTOR_NODE")
            .expect("scripts/test sets SPEC_MCP_INSPECTOR_NODE beside SPEC_MCP_INSPECTOR");
        let clients = Clients {
            folder: PathBuf::from(folder),
            node,
        };
        for package in [
            "@modelcontextprotocol/inspector",
            "@modelcontextprotocol/conformance",
        ] {
            assert_eq!(
                clients.installed_version(package),
                clients.pinned_version(package),
                "the installed {package} is not the pinned one: run ./scripts/test"
            );
        }
        Some(clients)
    }

    /// The version `package.json` pins `package` at.
    fn pinned_version(&self, package: &str) -> String {
        let manifest = read_json(&self.folder.join("package.json"));
        manifest["dependencies"][package]
            .as_str()
            .unwrap_or_else(|| panic!("package.json pins {package}"))
            .to_string()
    }

    /// The version of `package` in `node_modules`.
    fn installed_version(&self, package: &str) -> String {
        let manifest = read_json(
            &self
                .folder
                .join("node_modules")
                .join(package)
                .join("package.json"),
        );
        manifest["version"].as_str().expect("a version").to_string()
    }

    /// A command running the `bin` script of an installed package under
    /// the clients' Node, with none of the variables that would change what
    /// the server serves.
    fn command(&self, bin: &str) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.node);
        command
            .arg(self.folder.join("node_modules").join(".bin").join(bin))
            .env_remove("SPEC_MCP_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for name in KIT_ENV {
            command.env_remove(name);
        }
        command
    }
}

fn read_json(path: &Path) -> Value {
    let text =
        fs::read_to_string(path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// What a client process left: its exit code, stdout and stderr.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn run(what: &str, command: &mut tokio::process::Command) -> Run {
    let child = command
        .spawn()
        .unwrap_or_else(|error| panic!("start {what}: {error}"));
    let output = tokio::time::timeout(TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {TIMEOUT:?}"))
        .unwrap_or_else(|error| panic!("wait for {what}: {error}"));
    let run = Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

// ---------------------------------------------------------------------------
// The Inspector
// ---------------------------------------------------------------------------

/// How the Inspector reaches the server.
#[derive(Clone, Copy)]
enum Via<'a> {
    /// It starts the server on this root and speaks over its stdio.
    Stdio(&'a Path),
    /// Streamable HTTP at this server's `/mcp`.
    Http(&'a HttpServer),
}

/// The protocol era the Inspector negotiates (`--protocol-era`).
#[derive(Clone, Copy, Debug)]
enum Era {
    /// 2025-11-25: the `initialize` handshake.
    Legacy,
    /// 2026-07-28: stateless, `server/discover`.
    Modern,
}

impl Era {
    fn flag(self) -> &'static str {
        match self {
            Era::Legacy => "legacy",
            Era::Modern => "modern",
        }
    }

    /// The request the HTTP server logs for the era's first exchange.
    fn first_request(self) -> &'static str {
        match self {
            Era::Legacy => "rpc=\"initialize\"",
            Era::Modern => "rpc=\"server/discover\"",
        }
    }
}

/// The Inspector's CLI as a test runs it: against which server, in which
/// era.
struct Inspector<'a> {
    clients: &'a Clients,
    via: Via<'a>,
    era: Era,
    /// The Inspector's `HOME`, so a developer's `~/.mcp-inspector` cannot
    /// change what it does.
    home: &'a Path,
}

impl Inspector<'_> {
    /// Runs the Inspector's CLI with `method` (its `--method …` arguments)
    /// and returns its exit code, the JSON object it prints and its stderr.
    async fn run(&self, method: &[&str]) -> (Option<i32>, Value, String) {
        let mut command = self.clients.command("mcp-inspector");
        command
            .args([
                "--cli",
                "--format",
                "json",
                "--protocol-era",
                self.era.flag(),
            ])
            .args(method)
            .env("HOME", self.home)
            .arg("--");
        let log_before = match self.via {
            Via::Stdio(root) => {
                command.arg(BIN).arg("serve").arg("--root").arg(root);
                None
            }
            Via::Http(server) => {
                command.arg(format!("{}/mcp", server.base));
                Some(server.log().len())
            }
        };
        let what = format!("the Inspector ({method:?}, {:?})", self.era);
        let run = run(&what, &mut command).await;
        let printed = serde_json::from_str(&run.stdout).unwrap_or_else(|error| {
            panic!(
                "{what} printed no JSON ({error}):\n{}\n{}",
                run.stdout, run.stderr
            )
        });
        if let (Via::Http(server), Some(before)) = (self.via, log_before) {
            let log = server.log();
            assert!(!log.contains("panicked"), "{log}");
            assert!(
                log[before..].contains(self.era.first_request()),
                "{what} did not open with {}:\n{}",
                self.era.first_request(),
                &log[before..]
            );
        }
        (run.code, printed, run.stderr)
    }

    /// `tools/list` under `--strict`: the ten tools, each with an output
    /// schema, and no schema problem but the tolerated one.
    async fn list_tools(&self) -> Value {
        let (code, printed, stderr) = self.run(&["--method", "tools/list", "--strict"]).await;
        assert_eq!(code, Some(0), "tools/list failed:\n{printed}\n{stderr}");
        let tools = printed["result"]["tools"].clone();
        let names: BTreeSet<&str> = tools
            .as_array()
            .expect("tools")
            .iter()
            .map(|tool| tool["name"].as_str().expect("a name"))
            .collect();
        assert_eq!(names, BTreeSet::from(TOOLS), "{tools:#}");
        for tool in tools.as_array().expect("tools") {
            assert!(tool["outputSchema"].is_object(), "{tool:#}");
        }
        check_schema_findings(&printed["schemaFindings"]);
        tools
    }

    /// `tools/call` of `tool` with `arguments`; returns the exit code and
    /// the result it shows.
    async fn call(&self, tool: &str, arguments: &[(&str, &str)]) -> (Option<i32>, Value) {
        let pairs: Vec<String> = arguments
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        let mut method = vec!["--method", "tools/call", "--tool-name", tool];
        if !pairs.is_empty() {
            method.push("--tool-arg");
            method.extend(pairs.iter().map(String::as_str));
        }
        let (code, printed, stderr) = self.run(&method).await;
        let result = printed["result"].clone();
        assert!(
            result.is_object(),
            "{tool} showed no result:\n{printed}\n{stderr}"
        );
        (code, result)
    }
}

/// The Inspector's schema lint found nothing at all, neither error nor
/// warning, in any tool's input or output schema.
fn check_schema_findings(findings: &Value) {
    let problems: Vec<&Value> = findings
        .as_array()
        .map(|per_tool| {
            per_tool
                .iter()
                .flat_map(|tool| tool["findings"].as_array().into_iter().flatten())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        problems.is_empty(),
        "the Inspector's strict lint found schema problems: {findings:#}"
    );
}

/// The calls, one per tool, in this order. Each Inspector run is a session
/// of its own, so `set_current_task` pins nothing for the calls after it;
/// `ask_question` comes last, so no answer before it depends on who asked.
fn calls() -> [(&'static str, Vec<(&'static str, &'static str)>); 10] {
    let feature = ("feature", FEATURE);
    [
        ("get_current_task", vec![feature]),
        ("get_acceptance_criteria", vec![feature]),
        ("get_architecture_constraints", vec![feature]),
        ("get_out_of_scope", vec![feature]),
        ("get_definition_of_done", vec![feature]),
        ("list_tasks", vec![feature]),
        ("set_current_task", vec![feature, ("task", "T3")]),
        ("list_questions", vec![feature, ("status", "open")]),
        ("check_spec", vec![feature]),
        ("ask_question", vec![feature, ("question", QUESTION)]),
    ]
}

/// What the same call gives in process, on a twin of the Inspector's kit,
/// in a session of its own: the fields of a result the Inspector shows.
async fn in_process(root: &Path, tool: &str, arguments: &[(&str, &str)]) -> Value {
    let session = Session::in_process(&kit(root, false, Defaults::default()), root).await;
    let arguments: serde_json::Map<String, Value> = arguments
        .iter()
        .map(|(key, value)| ((*key).to_string(), json!(value)))
        .collect();
    let result = session.call(tool, Value::Object(arguments)).await;
    session.close().await;
    let result = serde_json::to_value(&result).expect("a result as JSON");
    shown(&result)
}

/// The parts of a tool result both sides must agree on.
fn shown(result: &Value) -> Value {
    json!({
        "content": result["content"],
        "structuredContent": result.get("structuredContent").unwrap_or(&Value::Null),
        "isError": result.get("isError").unwrap_or(&json!(false)),
    })
}

/// Lists the tools in both eras, then calls every tool in `era` on the kit
/// at `root`, reached by `via`, and checks each answer against the one the
/// same call gives in process on `twin`, a second copy of the kit.
async fn check_inspector(clients: &Clients, via: Via<'_>, root: &Path, twin: &Path, era: Era) {
    let home = tempfile::tempdir().expect("a home for the Inspector");
    let inspector = |era| Inspector {
        clients,
        via,
        era,
        home: home.path(),
    };

    let legacy = inspector(Era::Legacy).list_tools().await;
    let modern = inspector(Era::Modern).list_tools().await;
    assert_eq!(legacy, modern, "the tools differ between the two eras");

    let inspector = inspector(era);
    for (tool, arguments) in calls() {
        let (code, result) = inspector.call(tool, &arguments).await;
        assert_eq!(code, Some(0), "{tool} failed: {result:#}");
        let expected = in_process(twin, tool, &arguments).await;
        assert_eq!(
            shown(&result),
            expected,
            "{tool}: the Inspector shows another answer than the tool gives"
        );
        check_answer(tool, &result["structuredContent"]);
    }

    // A refusal is a tool result, which the Inspector shows and exits 5 on.
    let arguments = [("feature", "nope")];
    let (code, refused) = inspector.call("get_current_task", &arguments).await;
    assert_eq!(code, Some(5), "{refused:#}");
    assert_eq!(refused["isError"], true, "{refused:#}");
    let text = refused["content"][0]["text"].as_str().expect("a message");
    assert!(text.contains("unknown feature `nope`"), "{text}");
    assert_eq!(
        shown(&refused),
        in_process(twin, "get_current_task", &arguments).await
    );

    check_disk(root);
}

/// What the example kit says, in the answers that name it.
fn check_answer(tool: &str, structured: &Value) {
    match tool {
        "get_current_task" => assert_eq!(structured["task"]["id"], "T2", "{structured:#}"),
        "list_tasks" => assert_eq!(structured["current"], "T2", "{structured:#}"),
        "set_current_task" => assert_eq!(structured["task"]["id"], "T3", "{structured:#}"),
        "list_questions" => assert_eq!(structured["open"], 2, "{structured:#}"),
        "ask_question" => assert_eq!(
            (&structured["id"], &structured["created"]),
            (&json!("Q-4"), &json!(true)),
            "{structured:#}"
        ),
        // The example kit passes; its open questions are warnings.
        "check_spec" => {
            assert_eq!(
                (&structured["features"], &structured["errors"]),
                (&json!([FEATURE]), &json!(0)),
                "{structured:#}"
            );
            assert_eq!(structured["warnings"], 2, "{structured:#}");
            return;
        }
        _ => {}
    }
    let feature = &structured["feature"];
    assert_eq!(*feature.get("id").unwrap_or(feature), FEATURE, "{tool}");
}

/// The question landed in the feature's PRD as one new line naming the
/// Inspector, and nothing else in the kit changed.
fn check_disk(root: &Path) {
    let prd = Path::new(FEATURE).join("prd.md");
    let original = repo().join("specs-example");
    let written = fs::read_to_string(root.join(&prd)).expect("read the PRD");
    let line = format!(
        "- [ ] Q-4 ({}, task T2, asked by inspector-cli): {QUESTION}\n",
        today()
    );
    assert!(written.contains(&line), "{written}");
    assert_eq!(
        written.replacen(&line, "", 1),
        fs::read_to_string(original.join(&prd)).expect("read the example PRD"),
        "the question is the only change to {}",
        prd.display()
    );
    assert_eq!(
        files_but(root, &prd),
        files_but(&original, &prd),
        "only {} changed",
        prd.display()
    );
}

/// Every file under `dir` but `except`, with its text, by relative path.
fn files_but(dir: &Path, except: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(dir).expect("inside").to_path_buf();
            if relative != except {
                files.push((relative, fs::read_to_string(&path).expect("read file")));
            }
        }
    }
    files.sort();
    files
}

// ---------------------------------------------------------------------------
// The conformance suite
// ---------------------------------------------------------------------------

/// The entries of the expected-failures file, after checking that each
/// gives its reason.
fn expected_failures(path: &Path) -> BTreeSet<String> {
    let text = fs::read_to_string(path).expect("read the expected failures");
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix("- "))
        .map(|entry| {
            let (check, reason) = entry
                .split_once(" # ")
                .unwrap_or_else(|| panic!("`{entry}` gives no reason after ` # `"));
            assert!(!reason.trim().is_empty(), "`{entry}` gives no reason");
            assert!(
                check.contains(':'),
                "`{check}` names a whole scenario, not one check"
            );
            check.trim().to_string()
        })
        .collect()
}

/// Runs every server scenario of `revision` against `server` with the
/// expected failures; returns the listed checks the suite saw fail.
async fn conformance(
    clients: &Clients,
    server: &HttpServer,
    revision: &str,
    expected: &Path,
) -> BTreeSet<String> {
    let results = tempfile::tempdir().expect("a results folder");
    let mut command = clients.command("conformance");
    command
        .args(["server", "--url", &format!("{}/mcp", server.base)])
        .args(["--suite", "all", "--spec-version", revision])
        .arg("--expected-failures")
        .arg(expected)
        .arg("--output-dir")
        .arg(results.path())
        .current_dir(results.path());
    let run = run(
        &format!("the conformance suite at {revision}"),
        &mut command,
    )
    .await;
    let log = server.log();
    assert!(!log.contains("panicked"), "{log}");
    // The suite prints a line per scenario as it goes, then the summary:
    // what passed, and which failures were listed, unlisted or stale.
    let summary = run
        .stdout
        .find("=== SUMMARY")
        .map_or(run.stdout.as_str(), |at| &run.stdout[at..]);
    assert_eq!(
        run.code,
        Some(0),
        "the conformance suite at {revision} failed: a check failed that \
         {EXPECTED_FAILURES} does not list, or one it lists passed\n{summary}\n{}",
        run.stderr
    );
    summary
        .lines()
        .filter_map(|line| line.strip_prefix("  ~ "))
        .map(|check| check.trim().to_string())
        .collect()
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[tokio::test]
async fn inspector_over_stdio_lists_and_calls_every_tool() {
    let Some(clients) = Clients::installed() else {
        return;
    };
    let example = repo().join("specs-example");
    let (kit, twin) = (temp_copy(&example), temp_copy(&example));
    check_inspector(
        &clients,
        Via::Stdio(kit.path()),
        kit.path(),
        twin.path(),
        Era::Legacy,
    )
    .await;
}

#[tokio::test]
async fn inspector_over_streamable_http_lists_and_calls_every_tool() {
    let Some(clients) = Clients::installed() else {
        return;
    };
    let example = repo().join("specs-example");
    let (kit, twin) = (temp_copy(&example), temp_copy(&example));
    let server = HttpServer::start(kit.path(), &[]);
    check_inspector(
        &clients,
        Via::Http(&server),
        kit.path(),
        twin.path(),
        Era::Modern,
    )
    .await;
}

#[tokio::test]
async fn conformance_suite_fails_only_the_listed_fixture_checks() {
    let Some(clients) = Clients::installed() else {
        return;
    };
    let kit = temp_copy(&repo().join("specs-example"));
    let server = HttpServer::start(kit.path(), &[]);
    let path = clients.folder.join(EXPECTED_FAILURES);
    let listed = expected_failures(&path);
    let mut seen = BTreeSet::new();
    for revision in REVISIONS {
        seen.extend(conformance(&clients, &server, revision, &path).await);
    }
    let never: Vec<&String> = listed.difference(&seen).collect();
    assert!(
        never.is_empty(),
        "{EXPECTED_FAILURES} lists checks that failed at no revision (renamed, or gone): {never:?}"
    );
}

#[tokio::test]
async fn conformance_suite_passes_the_skills_extension() {
    let Some(clients) = Clients::installed() else {
        return;
    };
    let kit = temp_copy(&repo().join("specs-example"));
    let server = HttpServer::start(kit.path(), &[]);
    for scenario in SKILL_SCENARIOS {
        let results = tempfile::tempdir().expect("a results folder");
        let mut command = clients.command("conformance");
        command
            .args(["server", "--url", &format!("{}/mcp", server.base)])
            .args(["--scenario", scenario])
            .arg("--output-dir")
            .arg(results.path())
            .current_dir(results.path());
        let run = run(
            &format!("the conformance scenario {scenario}"),
            &mut command,
        )
        .await;
        assert_eq!(
            run.code,
            Some(0),
            "{scenario} failed:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        assert!(
            run.stdout.contains(" 0 failed, 0 warnings"),
            "{scenario}: {}",
            run.stdout
        );
        // A scenario that found no skill would skip its checks and pass.
        if scenario != "sep-2640-skills-directory" {
            assert!(
                !run.stdout.contains("SKIPPED"),
                "{scenario}: {}",
                run.stdout
            );
        }
    }
    let log = server.log();
    assert!(!log.contains("panicked"), "{log}");
}
