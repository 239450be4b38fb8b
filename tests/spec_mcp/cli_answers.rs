//! The answering commands run as processes, against the example kit and a
//! kit of each layout: `--json` is the structured content the MCP tool of
//! the same name gives a real stdio client for the same call (the steps
//! its notes suggest worded as commands), `answer` and `status` change
//! the file by the verified path and the next MCP call sees it, and exit
//! statuses and refusals say what to do.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};

use crate::support::{KIT_ENV, StdioServer, fixture, repo, stdio_command, temp_copy};

/// A hang fails the test instead of blocking CI.
const TIMEOUT: Duration = Duration::from_secs(60);

/// `spec-mcp --root <root> <args>` with the environment's defaults
/// cleared.
fn spec_mcp(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spec-mcp"));
    for name in KIT_ENV {
        command.env_remove(name);
    }
    command
        .env("RUST_LOG", "warn")
        .timeout(TIMEOUT)
        .arg("--root")
        .arg(root)
        .args(args);
    command
}

/// What a run printed and how it ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(root: &Path, args: &[&str]) -> Run {
    let output = spec_mcp(root, args).output().expect("run spec-mcp");
    Run {
        code: output.status.code().expect("an exit status"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// A run that must succeed; its stdout.
fn ok(root: &Path, args: &[&str]) -> String {
    let run = run(root, args);
    assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
    run.stdout
}

fn example() -> PathBuf {
    repo().join("specs-example")
}

/// A kit to compare on, and the global options that choose its feature.
struct Kit {
    root: PathBuf,
    options: Vec<&'static str>,
}

fn kits() -> Vec<Kit> {
    let layout = |name: &str| fixture("layouts").join(name);
    vec![
        Kit {
            root: example(),
            options: vec!["--feature", "image-upload"],
        },
        Kit {
            root: example(),
            options: vec!["--feature", "listing-generator", "--task", "T2"],
        },
        Kit {
            root: layout("speckit"),
            options: vec![],
        },
        Kit {
            root: layout("kiro"),
            options: vec![],
        },
        Kit {
            root: layout("openspec"),
            options: vec!["--feature", "add-x"],
        },
        Kit {
            root: layout("mixed"),
            options: vec!["--feature", "auth@kiro"],
        },
    ]
}

/// Each command and the tool it answers for, with the command's options
/// and the tool's arguments for the same call.
const PAIRS: &[(&str, &[&str], &str, &str)] = &[
    ("task", &[], "get_current_task", "{}"),
    ("task", &["--full"], "get_current_task", r#"{"full": true}"#),
    ("criteria", &[], "get_acceptance_criteria", "{}"),
    ("constraints", &[], "get_architecture_constraints", "{}"),
    (
        "constraints",
        &["--section", "Auth"],
        "get_architecture_constraints",
        r#"{"section": "Auth"}"#,
    ),
    ("scope", &[], "get_out_of_scope", "{}"),
    ("done", &[], "get_definition_of_done", "{}"),
    ("tasks", &[], "list_tasks", "{}"),
    ("questions", &[], "list_questions", "{}"),
    (
        "questions",
        &["--open"],
        "list_questions",
        r#"{"status": "open"}"#,
    ),
];

/// The command line's words for the steps an answer suggests, and the
/// tools' words for them, in the order to replace them.
const WORDING: &[(&str, &str)] = &[
    ("`SPEC_MCP_FEATURE` and `SPEC_MCP_TASK`", "set_current_task"),
    ("`spec-mcp criteria`", "get_acceptance_criteria"),
    ("`spec-mcp constraints`", "get_architecture_constraints"),
    ("`spec-mcp tasks`", "list_tasks"),
    ("`spec-mcp scope`", "get_out_of_scope"),
    ("`spec-mcp done`", "get_definition_of_done"),
    ("`--feature`", "`feature`"),
    ("`--task`", "`task`"),
    ("`--section`", "`section`"),
    ("`--cursor`", "`cursor`"),
    ("`--full`", "`full`"),
];

/// `value` with every string worded as the tools word it; how many
/// strings that changed.
fn as_tools_word_it(value: &mut Value) -> usize {
    match value {
        Value::String(text) => {
            let mut worded = text.clone();
            for (command, tool) in WORDING {
                worded = worded.replace(command, tool);
            }
            let changed = usize::from(worded != *text);
            *text = worded;
            changed
        }
        Value::Array(values) => values.iter_mut().map(as_tools_word_it).sum(),
        Value::Object(map) => map.values_mut().map(as_tools_word_it).sum(),
        _ => 0,
    }
}

#[test]
fn json_is_the_tools_structured_content_for_every_kit() {
    let mut steps_named = 0;
    let mut compared = 0;
    for kit in kits() {
        let mut server = StdioServer::spawn(stdio_command(&kit.root, &kit.options), "cli-test");
        for (command, options, tool, arguments) in PAIRS {
            let mut arguments: Value = serde_json::from_str(arguments).expect("JSON arguments");
            // The command filters on the global `--task`, as the tool
            // filters on its `task`.
            if *tool == "list_questions"
                && let Some(at) = kit.options.iter().position(|option| *option == "--task")
            {
                arguments["task"] = json!(kit.options[at + 1]);
            }
            let result = server.client().tool(tool, &arguments);
            let mut args: Vec<&str> = kit.options.clone();
            args.push(command);
            args.extend_from_slice(options);
            args.push("--json");
            let cli = run(&kit.root, &args);
            let context = format!("{} {args:?}", kit.root.display());
            if result["isError"] == true {
                // A refusal is a refusal on both sides, with the same words
                // but for the steps.
                assert_eq!(cli.code, 1, "{context}: {}", cli.stderr);
                assert!(cli.stdout.is_empty(), "{context}: {}", cli.stdout);
                let mut message = Value::String(
                    cli.stderr
                        .trim_end_matches('\n')
                        .trim_start_matches("spec-mcp: error: ")
                        .to_string(),
                );
                as_tools_word_it(&mut message);
                assert_eq!(message, result["content"][0]["text"], "{context}");
                continue;
            }
            assert!(cli.code == 0 || cli.code == 1, "{context}: {}", cli.stderr);
            let printed: Value = serde_json::from_str(&cli.stdout)
                .unwrap_or_else(|error| panic!("{context}: {error}: {}", cli.stdout));
            assert_eq!(printed, result["structuredContent"], "{context}");
            // JSON words the steps as the tools do, not as commands.
            steps_named += usize::from(names_a_step(&printed));
            compared += 1;
        }
    }
    assert!(compared >= 50, "only {compared} answers compared");
    // The notes do suggest steps, so the comparison above covered them.
    assert!(steps_named > 0, "no note names a step");
}

/// Whether a string in `value` names one of the tools' steps, and none
/// names a command.
fn names_a_step(value: &Value) -> bool {
    match value {
        Value::String(text) => {
            assert!(!text.contains("spec-mcp "), "a command in JSON: {text}");
            WORDING
                .iter()
                .any(|(_, tool)| !tool.starts_with('`') && text.contains(tool))
        }
        Value::Array(values) => values.iter().filter(|value| names_a_step(value)).count() > 0,
        Value::Object(map) => map.values().filter(|value| names_a_step(value)).count() > 0,
        _ => false,
    }
}

#[test]
fn every_command_answers_in_text_with_sources() {
    let root = example();
    let feature = ["--feature", "image-upload"];
    let with = |args: &[&str]| {
        let mut all = feature.to_vec();
        all.extend_from_slice(args);
        ok(&root, &all)
    };
    let task = with(&["task"]);
    assert!(
        task.starts_with("T2: Presigned upload endpoints  (feature image-upload)\n"),
        "{task}"
    );
    assert!(
        task.contains("Acceptance criteria:\n  - Requests over 8 files"),
        "{task}"
    );
    assert!(task.contains("(image-upload/tasks.md:25)"), "{task}");
    // Steps are named as commands, never as tools.
    assert!(task.contains("`spec-mcp criteria` lists"), "{task}");
    assert!(!task.contains("get_"), "{task}");
    let full = with(&["task", "--full"]);
    assert!(full.contains("Definition of Done:\n"), "{full}");
    assert!(with(&["criteria"]).contains("Task acceptance criteria:\n"));
    assert!(
        with(&["constraints"])
            .contains("  Auth rules\n    - All endpoints require a signed-in session")
    );
    assert!(with(&["constraints", "--section", "auth rules"]).contains("Auth rules"));
    assert!(with(&["scope"]).contains("  - [out of scope] HEIC input"));
    assert!(with(&["done"]).contains("Definition of Done:\n  - "));
    let tasks = with(&["tasks"]);
    let rows: Vec<&str> = tasks.lines().skip(2).take(4).collect();
    assert_eq!(rows.len(), 4, "{tasks}");
    assert!(
        rows[0].starts_with("  T1  done         Create the uploads table"),
        "{tasks}"
    );
    assert!(
        rows[1].starts_with("> T2  in progress  Presigned upload endpoints"),
        "{tasks}"
    );
    assert!(rows[2].contains("(waits on T2)"), "{tasks}");
    let open = with(&["questions", "--open"]);
    assert!(open.contains("(2 open, 1 answered)"), "{open}");
    assert!(open.contains("  Q-2 [open] Should HEIC files"), "{open}");
    assert!(!open.contains("Q-1 "), "{open}");
    let answered = with(&["questions", "--answered"]);
    assert!(
        answered.contains("  Q-1 [answered] What is the max file size?"),
        "{answered}"
    );
    assert!(answered.contains("      A: 10 MB per image"), "{answered}");

    for (root, options, current) in [
        (fixture("layouts/speckit"), vec![], "> T002"),
        (fixture("layouts/kiro"), vec![], "> 2.1"),
        (
            fixture("layouts/openspec"),
            vec!["--feature", "add-x"],
            "> 1.2",
        ),
    ] {
        let mut args = options.clone();
        args.push("tasks");
        let tasks = ok(&root, &args);
        assert!(tasks.contains(current), "{tasks}");
        let mut args = options.clone();
        args.push("task");
        let task = ok(&root, &args);
        assert!(task.contains("Current because: "), "{task}");
    }
}

/// `text` with `from` replaced once, which must be in it.
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} is not in {text}");
    text.replacen(from, to, 1)
}

#[test]
fn an_answer_lands_under_its_question_and_the_next_list_questions_shows_it() {
    let kit = temp_copy(&example());
    let prd = kit.path().join("image-upload/prd.md");
    let before = fs::read_to_string(&prd).expect("read prd.md");
    let mut server = StdioServer::start(kit.path(), "cli-test");
    // Read once first, so the server answers from what it cached.
    let first = server.client().tool(
        "list_questions",
        &json!({"feature": "image-upload", "status": "open"}),
    );
    assert_eq!(first["structuredContent"]["open"], 2, "{first}");

    let printed = ok(
        kit.path(),
        &[
            "--feature",
            "image-upload",
            "answer",
            "q-2",
            "Yes: convert to JPEG.\n## Not a heading",
        ],
    );
    assert_eq!(
        printed,
        "Answered Q-2 in feature image-upload at image-upload/prd.md:64: Yes: convert to JPEG. ## Not a heading\n"
    );
    let question = "- [ ] Q-2 (2026-11-02, task T3, asked by claude-code): Should HEIC files be converted server-side?\n";
    let expected = replaced(
        &before,
        question,
        &format!(
            "{}  - A: Yes: convert to JPEG. ## Not a heading\n",
            question.replacen("[ ]", "[x]", 1)
        ),
    );
    assert_eq!(fs::read_to_string(&prd).expect("read prd.md"), expected);

    let after = server
        .client()
        .tool("list_questions", &json!({"feature": "image-upload"}));
    let content = &after["structuredContent"];
    assert_eq!(content["open"], 1, "{after}");
    assert_eq!(content["answered"], 2, "{after}");
    let q2 = content["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .find(|question| question["id"] == "Q-2")
        .expect("Q-2");
    assert_eq!(q2["status"], "answered");
    assert_eq!(q2["answer"], "Yes: convert to JPEG. ## Not a heading");

    // Answered once; a second answer is refused and nothing is written.
    let again = run(
        kit.path(),
        &["--feature", "image-upload", "answer", "Q-2", "No."],
    );
    assert_eq!(again.code, 1);
    assert_eq!(
        again.stderr,
        "spec-mcp: error: question Q-2 is already answered at image-upload/prd.md:64: Yes: convert to JPEG. ## Not a heading\n"
    );
    assert_eq!(fs::read_to_string(&prd).expect("read prd.md"), expected);
}

#[test]
fn questions_asked_and_answered_from_the_command_line_in_every_layout() {
    for (layout, options, file) in [
        ("speckit", vec![], "specs/001-upload/spec.md"),
        ("kiro", vec![], ".kiro/specs/login/requirements.md"),
        (
            "openspec",
            vec!["--feature", "add-x"],
            "openspec/changes/add-x/design.md",
        ),
    ] {
        let kit = temp_copy(&fixture("layouts").join(layout));
        let path = kit.path().join(file);
        let mut args = options.clone();
        args.extend([
            "ask",
            "Which region?",
            "--context",
            "The design names none.",
        ]);
        let asked = ok(kit.path(), &args);
        assert!(
            asked.starts_with("Recorded Q-1 in feature "),
            "{layout}: {asked}"
        );
        let with_question = fs::read_to_string(&path).expect("read");
        assert!(
            with_question.contains("asked by spec-mcp cli): Which region?"),
            "{with_question}"
        );

        let mut args = options.clone();
        args.extend(["answer", "Q-1", "eu-west-1"]);
        ok(kit.path(), &args);
        let answered = fs::read_to_string(&path).expect("read");
        let asked_line = with_question
            .lines()
            .find(|line| line.contains("Q-1"))
            .expect("the question's line");
        let context_line = with_question
            .lines()
            .find(|line| line.contains("Context: The design names none."))
            .expect("the context line");
        let indent = &asked_line[..asked_line.len() - asked_line.trim_start().len()];
        let expected = replaced(
            &with_question,
            &format!("{asked_line}\n{context_line}\n"),
            &format!(
                "{}\n{context_line}\n{indent}  - A: eu-west-1\n",
                asked_line.replacen("[ ]", "[x]", 1)
            ),
        );
        assert_eq!(answered, expected, "{layout}");

        let mut server = StdioServer::spawn(stdio_command(kit.path(), &options), "cli-test");
        let listed = server
            .client()
            .tool("list_questions", &json!({"status": "answered"}));
        let questions = listed["structuredContent"]["questions"]
            .as_array()
            .expect("questions")
            .clone();
        assert!(
            questions
                .iter()
                .any(|question| question["id"] == "Q-1" && question["answer"] == "eu-west-1"),
            "{layout}: {listed}"
        );
    }
}

/// A status to set in a kit, and the one change it makes to a file.
struct StatusCase {
    layout: &'static str,
    options: Vec<&'static str>,
    task: &'static str,
    /// As the user types it.
    word: &'static str,
    /// As answers say it.
    status: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static str,
}

#[test]
fn a_status_is_set_in_place_and_the_next_list_tasks_shows_it() {
    // Each kit, a task, the status to give it, and the one change to its
    // file that must follow.
    let cases = [
        StatusCase {
            layout: "native",
            options: vec!["--feature", "image-upload"],
            task: "T3",
            word: "done",
            status: "done",
            file: "image-upload/tasks.md",
            from: "## T3: Resize worker and EXIF handling\nStatus: todo\n",
            to: "## T3: Resize worker and EXIF handling\nStatus: done\n",
        },
        StatusCase {
            layout: "speckit",
            options: vec![],
            task: "t002",
            word: "wip",
            status: "in progress",
            file: "specs/001-upload/tasks.md",
            from: "- [ ] T002 [P]",
            to: "- [-] T002 [P]",
        },
        StatusCase {
            layout: "speckit",
            options: vec![],
            task: "T001",
            word: "todo",
            status: "todo",
            file: "specs/001-upload/tasks.md",
            from: "- [X] T001",
            to: "- [ ] T001",
        },
        StatusCase {
            layout: "kiro",
            options: vec![],
            task: "1.1",
            word: "complete",
            status: "done",
            file: ".kiro/specs/login/tasks.md",
            from: "  - [ ] 1.1 Create",
            to: "  - [x] 1.1 Create",
        },
        StatusCase {
            layout: "openspec",
            options: vec!["--feature", "add-x"],
            task: "2.1",
            word: "in progress",
            status: "in progress",
            file: "openspec/changes/add-x/tasks.md",
            from: "- [ ] 2.1 Delete",
            to: "- [-] 2.1 Delete",
        },
    ];
    for case in &cases {
        check_status_case(case);
    }
}

/// Sets the case's status with `spec-mcp status` while a server on the
/// same kit is running: the file changes as the case says and no more,
/// the server's next `list_tasks` shows it, and setting it again writes
/// nothing.
fn check_status_case(case: &StatusCase) {
    let &StatusCase {
        layout,
        ref options,
        task,
        word,
        status,
        file,
        from,
        to,
    } = case;
    let source = if layout == "native" {
        example()
    } else {
        fixture("layouts").join(layout)
    };
    let kit = temp_copy(&source);
    let path = kit.path().join(file);
    let before = fs::read_to_string(&path).expect("read");
    let mut server = StdioServer::spawn(stdio_command(kit.path(), options), "cli-test");
    server.client().tool("list_tasks", &json!({}));

    let mut args = options.clone();
    args.extend(["status", task, word, "--json"]);
    let printed: Value = serde_json::from_str(&ok(kit.path(), &args)).expect("JSON");
    assert_eq!(printed["status"], status, "{layout}: {printed}");
    assert_eq!(printed["changed"], true, "{layout}: {printed}");
    assert_eq!(
        fs::read_to_string(&path).expect("read"),
        replaced(&before, from, to),
        "{layout} {task}"
    );

    let listed = server.client().tool("list_tasks", &json!({}));
    let row = listed["structuredContent"]["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|row| {
            row["id"]
                .as_str()
                .is_some_and(|id| id.eq_ignore_ascii_case(task))
        })
        .cloned()
        .expect("the task's row");
    assert_eq!(row["status"], status, "{layout}: {listed}");

    // The same status again writes nothing.
    let mut args = options.clone();
    args.extend(["status", task, status]);
    let again = ok(kit.path(), &args);
    assert!(again.contains("nothing was written"), "{again}");
    assert_eq!(
        fs::read_to_string(&path).expect("read"),
        replaced(&before, from, to)
    );
}

#[test]
fn refusals_name_the_valid_ids_and_exit_1() {
    let kit = temp_copy(&example());
    let snapshot = crate::support::snapshot(kit.path());
    let cases: [(&[&str], &str); 8] = [
        (
            &["task"],
            "no feature given and none can be chosen: valid features: image-upload, listing-generator. Pass `--feature`, or pin one with `SPEC_MCP_FEATURE` and `SPEC_MCP_TASK`",
        ),
        (
            &["--feature", "nope", "tasks"],
            "unknown feature `nope`; valid features: image-upload, listing-generator",
        ),
        (
            &["--feature", "image-upload", "--task", "T9", "criteria"],
            "unknown task `T9` in feature image-upload; valid tasks: T1, T2, T3, T4",
        ),
        (
            &["--feature", "image-upload", "answer", "Q-9", "Yes."],
            "no question `Q-9` in feature image-upload; valid question ids: Q-1, Q-2, Q-3",
        ),
        (
            &["--feature", "image-upload", "status", "T9", "done"],
            "unknown task `T9` in feature image-upload; valid tasks: T1, T2, T3, T4",
        ),
        (
            &[
                "--feature",
                "image-upload",
                "constraints",
                "--section",
                "Billing",
            ],
            "no constraint heading contains `Billing`; the headings are: ",
        ),
        (
            &[
                "--feature",
                "image-upload",
                "--read-only",
                "answer",
                "Q-2",
                "Yes.",
            ],
            "spec-mcp is read-only (--read-only); the spec cannot be changed",
        ),
        (
            &[
                "--feature",
                "image-upload",
                "--read-only",
                "status",
                "T3",
                "done",
            ],
            "spec-mcp is read-only (--read-only); the spec cannot be changed",
        ),
    ];
    for (args, message) in cases {
        let refused = run(kit.path(), args);
        assert_eq!(refused.code, 1, "{args:?}: {}", refused.stderr);
        assert!(refused.stdout.is_empty(), "{args:?}: {}", refused.stdout);
        assert!(
            refused
                .stderr
                .starts_with(&format!("spec-mcp: error: {message}")),
            "{args:?}: {}",
            refused.stderr
        );
    }
    assert_eq!(
        crate::support::snapshot(kit.path()),
        snapshot,
        "a refusal wrote"
    );

    // Nothing found is exit status 1 too, with the (empty) answer printed.
    let none = run(&fixture("layouts/kiro"), &["questions", "--json"]);
    assert_eq!(none.code, 1, "{}", none.stderr);
    let printed: Value = serde_json::from_str(&none.stdout).expect("JSON");
    assert_eq!(printed["questions"], json!([]));
}

#[test]
fn what_cannot_run_exits_2() {
    let missing = repo().join("no-such-kit");
    let refused = run(&missing, &["tasks"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stdout.is_empty());
    assert!(
        refused.stderr.contains("opening the spec root") && refused.stderr.contains("no-such-kit"),
        "{}",
        refused.stderr
    );
    let bad_status = run(&example(), &["status", "T3", "finished-ish"]);
    assert_eq!(bad_status.code, 2, "{}", bad_status.stderr);
    assert!(
        bad_status
            .stderr
            .contains("`finished-ish` is not a status: use todo, in progress, done or blocked"),
        "{}",
        bad_status.stderr
    );
}

#[test]
fn prompt_json_is_what_prompts_get_gives_for_every_kit() {
    let diff = tempfile::NamedTempFile::new().expect("a temp file");
    fs::write(diff.path(), "+fn charge() {}\n").expect("write the diff");
    let diff_path = diff.path().to_str().expect("a UTF-8 path");
    let mut compared = 0;
    for kit in kits() {
        let mut server = StdioServer::spawn(stdio_command(&kit.root, &kit.options), "cli-test");
        for name in ["start_task", "review_change", "failure_modes", "plan_tasks"] {
            let mut arguments = json!({});
            let mut args: Vec<&str> = kit.options.clone();
            args.extend(["prompt", name, "--json"]);
            if name == "review_change" {
                arguments["diff"] = json!("+fn charge() {}\n");
                args.extend(["--diff", diff_path]);
            }
            let answer = server
                .client()
                .request(
                    "prompts/get",
                    &json!({"name": name, "arguments": arguments}),
                )
                .expect("an answer");
            let cli = run(&kit.root, &args);
            let context = format!("{} {args:?}", kit.root.display());
            if let Some(error) = answer.get("error") {
                assert_eq!(cli.code, 1, "{context}: {}", cli.stderr);
                let message = cli
                    .stderr
                    .trim_end()
                    .trim_start_matches("spec-mcp: error: ");
                assert_eq!(message, error["message"], "{context}");
                continue;
            }
            assert_eq!(cli.code, 0, "{context}: {}", cli.stderr);
            let printed: Value = serde_json::from_str(&cli.stdout)
                .unwrap_or_else(|error| panic!("{context}: {error}: {}", cli.stdout));
            let result = &answer["result"];
            assert_eq!(printed["description"], result["description"], "{context}");
            let messages: Vec<&Value> = result["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .map(|message| &message["content"]["text"])
                .collect();
            let printed_messages: Vec<&Value> = printed["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .collect();
            assert_eq!(printed_messages, messages, "{context}");
            compared += 1;
        }
    }
    assert!(compared >= 12, "only {compared} prompts compared");
    // Text words the steps as commands.
    let text = ok(
        &example(),
        &["--feature", "image-upload", "prompt", "start_task"],
    );
    assert!(
        text.contains("`spec-mcp ask`") && !text.contains("ask_question"),
        "{text}"
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in [
        "task",
        "criteria",
        "constraints",
        "scope",
        "done",
        "tasks",
        "questions",
        "ask",
        "answer",
        "status",
        "prompt",
    ] {
        let help = ok(&example(), &[command, "--help"]);
        assert!(help.contains("--json"), "{command}: {help}");
        let examples: Vec<&str> = help
            .lines()
            .skip_while(|line| !line.starts_with("Examples:"))
            .skip(1)
            .take_while(|line| line.starts_with("  "))
            .collect();
        assert!(
            examples
                .iter()
                .any(|line| line.trim_start().starts_with("spec-mcp ") && line.contains(command)),
            "{command}: {help}"
        );
    }
}

#[test]
fn commands_writing_the_same_file_at_once_lose_nothing() {
    let kit = temp_copy(&example());
    let feature = ["--feature", "image-upload"];
    let mut runs: Vec<Vec<String>> = (1..=6)
        .map(|n| {
            vec![
                "ask".to_string(),
                format!("Which limit number {n} applies?"),
            ]
        })
        .collect();
    runs.push(vec![
        "answer".into(),
        "Q-2".into(),
        "Convert to JPEG.".into(),
    ]);
    runs.push(vec!["answer".into(), "Q-3".into(), "After 7 days.".into()]);
    runs.push(vec!["status".into(), "T3".into(), "done".into()]);
    runs.push(vec!["status".into(), "T4".into(), "in progress".into()]);
    let children: Vec<_> = runs
        .iter()
        .map(|args| {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_spec-mcp"));
            for name in KIT_ENV {
                command.env_remove(name);
            }
            command
                .env("RUST_LOG", "warn")
                .arg("--root")
                .arg(kit.path())
                .args(feature)
                .args(args)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("spawn spec-mcp")
        })
        .collect();
    for (mut child, args) in children.into_iter().zip(&runs) {
        let status = child.wait().expect("wait");
        assert!(status.success(), "{args:?}: {status}");
    }

    let questions: Value = serde_json::from_str(&ok(
        kit.path(),
        &["--feature", "image-upload", "questions", "--json"],
    ))
    .expect("JSON");
    let questions = questions["questions"]
        .as_array()
        .expect("questions")
        .clone();
    for n in 1..=6 {
        let text = format!("Which limit number {n} applies?");
        let found = questions
            .iter()
            .filter(|question| question["text"] == text)
            .count();
        assert_eq!(found, 1, "{text}: {questions:?}");
    }
    let mut ids: Vec<&str> = questions
        .iter()
        .filter_map(|question| question["id"].as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 9, "ids are not unique: {questions:?}");
    for (id, answer) in [("Q-2", "Convert to JPEG."), ("Q-3", "After 7 days.")] {
        let question = questions
            .iter()
            .find(|question| question["id"] == id)
            .expect("the question");
        assert_eq!(question["status"], "answered", "{question}");
        assert_eq!(question["answer"], answer, "{question}");
    }
    let tasks: Value = serde_json::from_str(&ok(
        kit.path(),
        &["--feature", "image-upload", "tasks", "--json"],
    ))
    .expect("JSON");
    let status = |id: &str| {
        tasks["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .find(|row| row["id"] == id)
            .map(|row| row["status"].clone())
    };
    assert_eq!(status("T3"), Some(json!("done")));
    assert_eq!(status("T4"), Some(json!("in progress")));
    assert_eq!(status("T2"), Some(json!("in progress")));
}

#[test]
fn a_command_that_succeeds_says_nothing_on_stderr() {
    let kit = temp_copy(&example());
    for args in [
        &["--feature", "image-upload", "task"][..],
        &["--feature", "image-upload", "status", "T3", "done"],
        &["--feature", "image-upload", "answer", "Q-2", "Yes."],
    ] {
        let output = spec_mcp(kit.path(), args)
            .env_remove("RUST_LOG")
            .output()
            .expect("run spec-mcp");
        assert!(output.status.success(), "{args:?}: {output:?}");
        assert!(!output.stdout.is_empty(), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}
