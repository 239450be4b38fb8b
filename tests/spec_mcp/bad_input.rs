//! The technical spec's bad-input catalogue, item by item, against the
//! real binary on real files. Each bad input must get a clear error (an
//! `isError` result saying what was wrong and what to do, a JSON-RPC
//! error, an HTTP status, or exit status 2 naming the path), the server
//! must go on answering, and no byte of the kit may be lost.
//!
//! This file is the index of the whole catalogue: an item tested in
//! another file names the test that covers it. Tests marked `ignore`
//! state the behaviour the spec asks for and the server does not have yet;
//! their reason says what is missing.
//!
//! | item | test |
//! |---|---|
//! | feature and task ids with `..`, `/`, absolute paths, NUL, look-alikes (Cyrillic, fullwidth) | `ids_that_name_paths_or_look_alike_are_refused_by_every_tool`, `an_invalid_id_s_refusal_names_the_valid_ids`; in process, with bidi characters: `mcp::hostile_ids_are_refused_without_leaking_paths` |
//! | a feature folder and a file linked out of the root | `links_out_of_the_root_are_never_read_or_written_through` |
//! | spec files empty, binary, invalid UTF-8, CRLF, no trailing newline, BOM, headings only, lists 100 deep | `odd_spec_files_are_read_or_noted_and_written_whole_or_refused` |
//! | a 50 MB spec file | `a_50_mb_spec_file_is_reported_unread_in_bounded_memory`; under a limit set with `--max-file-size`: `a_file_over_the_max_file_size_set_is_reported_and_not_written` |
//! | questions empty, 1 MB, multi-line, a heading, a fence, HTML, a `- [ ] Q-1` forgery, RTL and zero-width characters | `question_text_never_becomes_markdown_structure`; the sanitizer itself: `edit::multi_line_text_cannot_add_a_heading` and the tests after it |
//! | malformed JSON-RPC (a JSON array, no method, wrong version), unknown methods and tools, wrong argument types | `malformed_requests_get_an_error_and_the_next_one_an_answer`, `malformed_tool_call_params_are_invalid_params` |
//! | a line that is not JSON, or not UTF-8, or huge | `a_huge_line_is_dropped_in_bounded_memory`, `a_line_that_is_not_a_message_gets_a_parse_error` |
//! | HTTP with a foreign Origin or Host | `http::a_foreign_host_or_origin_is_refused_and_logged` |
//! | HTTP with no or a wrong token | `http::with_a_token_every_route_but_the_health_check_needs_it` |
//! | HTTP body over the limit | `http::a_body_over_the_limit_is_refused_and_the_server_goes_on`; 100 MB streamed: `a_100_mb_body_is_refused_without_being_buffered` |
//! | HTTP: a dropped SSE connection | `http::clients_that_stall_or_leave_hold_up_no_one_else` |
//! | HTTP: 1,000 idle SSE connections | `a_thousand_idle_sse_streams_hold_up_no_one` |
//! | HTTP: more sessions than `--max-sessions` | `http::past_max_sessions_an_initialize_is_refused_until_a_session_ends`, `http::a_session_that_expires_frees_its_slot`; a bad value: `http::a_bad_max_sessions_exits_2_naming_the_option` |
//! | a read-only spec file | `a_read_only_spec_file_is_never_lost`, `a_read_only_spec_file_is_refused` |
//! | a read-only folder | `a_read_only_folder_refuses_the_question_and_keeps_the_file`, `a_read_only_folder_refusal_says_why` |
//! | a full disk | `a_full_disk_refuses_the_question_and_keeps_the_file`, `a_full_disk_refusal_says_why` |
//! | a spec root that does not exist, or is a file | `a_missing_root_or_a_file_as_root_exits_2_naming_it`; the message's wording: `cli::serve_with_a_missing_root_fails_before_stdout`, `cli::serve_with_a_file_as_root_fails_before_stdout` |
#![cfg(unix)]

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use spec_mcp::model::{DocumentRole, Layout, Question};
use spec_mcp::parse;
use spec_mcp::parse::markdown::{Block, outline};

use crate::support::{
    ACCEPT, HttpServer, JSON, StdioClient, StdioServer, TOOLS, in_shell, initialize, note,
    open_sse, read_reply, repo, rpc, snapshot, stdio_command, takes, temp_copy,
};

/// The client name the server records as "asked by".
const CLIENT: &str = "bad-input";

/// Upper bound for one test's server: a hang kills it, so the test fails
/// on "the server is gone" instead of blocking CI.
const DEADLINE: Duration = Duration::from_secs(120);

/// A task file every generated feature has, so a current task exists.
const TASKS: &[u8] = b"# Tasks\n\n## T1: Do the work\nStatus: todo\n";

/// Text that lives outside the spec root and must never be in an answer.
const SECRET: &str = "SECRET-OUTSIDE-THE-ROOT";

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// The example kit in a temp dir: features image-upload (current task T2,
/// questions Q-1 to Q-3 in its prd.md) and listing-generator.
fn example() -> tempfile::TempDir {
    temp_copy(&repo().join("specs-example"))
}

/// Writes each `(path, bytes)` under `root`, making folders as needed.
fn write_files(root: &Path, files: &[(&str, &[u8])]) {
    for (path, bytes) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("a parent")).expect("create the folder");
        fs::write(path, bytes).expect("write a spec file");
    }
}

/// A stdio server on `root`, killed after [`DEADLINE`] if still running.
fn serve(root: &Path) -> (StdioServer, Watchdog) {
    let server = StdioServer::spawn(stdio_command(root, &[]), CLIENT);
    let watchdog = Watchdog::new(server.child.id());
    (server, watchdog)
}

/// Kills a process still running at [`DEADLINE`]: a test blocked reading
/// from a server that will never answer then reads end-of-file and fails.
struct Watchdog(Arc<AtomicBool>);

impl Watchdog {
    fn new(pid: u32) -> Watchdog {
        let done = Arc::new(AtomicBool::new(false));
        let finished = done.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            while !finished.load(Ordering::SeqCst) {
                if started.elapsed() > DEADLINE {
                    let _ = std::process::Command::new("kill")
                        .args(["-KILL", &pid.to_string()])
                        .status();
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Watchdog(done)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The text of a tool result.
fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or("")
}

/// A result that must be a refusal; its message.
fn refused<'a>(result: &'a Value, what: &str) -> &'a str {
    assert_eq!(
        result["isError"], true,
        "{what} should be refused: {result}"
    );
    let message = text(result);
    assert!(!message.trim().is_empty(), "{what}: an empty refusal");
    message
}

/// A result that must be an answer; its structured content.
fn answered<'a>(result: &'a Value, what: &str) -> &'a Value {
    assert_eq!(
        result["isError"], false,
        "{what} should be answered: {result}"
    );
    &result["structuredContent"]
}

/// The questions of a native PRD's text.
fn questions(path: &str, text: &str) -> Vec<Question> {
    parse::document_in(Layout::Native, Arc::from(path), DocumentRole::Prd, text).questions
}

/// The headings and the list items of a markdown text, as the parser sees
/// them: its structure.
fn structure(text: &str) -> (Vec<String>, Vec<String>) {
    let outline = outline(&Arc::from("spec.md"), text);
    let mut headings = Vec::new();
    let mut items = Vec::new();
    for block in &outline.blocks {
        match block {
            Block::Heading { level, title, .. } => headings.push(format!("{level} {title}")),
            Block::ListItem(item) => items.push(item.text.clone()),
            Block::Paragraph { .. } => {}
        }
    }
    (headings, items)
}

/// `after` is `before` with one run of bytes inserted, every old byte kept
/// in order; the inserted bytes.
fn inserted(before: &[u8], after: &[u8]) -> Vec<u8> {
    assert!(
        after.len() > before.len(),
        "nothing was added:\n{}",
        String::from_utf8_lossy(after)
    );
    let prefix = before
        .iter()
        .zip(after)
        .take_while(|(old, new)| old == new)
        .count();
    let suffix = before
        .iter()
        .rev()
        .zip(after.iter().rev())
        .take_while(|(old, new)| old == new)
        .count();
    assert!(
        prefix + suffix >= before.len(),
        "old bytes were changed, not only added to:\nbefore:\n{}\nafter:\n{}",
        String::from_utf8_lossy(before),
        String::from_utf8_lossy(after)
    );
    let at = prefix.min(before.len());
    after[at..at + after.len() - before.len()].to_vec()
}

/// Files in `dir` besides the feature's own two: what a writer left.
fn strays(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("read the folder")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name != "prd.md" && name != "tasks.md")
        .collect()
}

/// The peak resident memory of a process, in KiB (`VmHWM`), or `None`
/// where `/proc` does not say.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Checks a process's peak memory stayed under `limit_mib`.
fn check_peak_rss(pid: u32, limit_mib: u64, what: &str) {
    match peak_rss_kib(pid) {
        Some(kib) => assert!(
            kib < limit_mib * 1024,
            "{what}: the server's peak memory was {} MiB, over {limit_mib} MiB",
            kib / 1024
        ),
        None => note(&format!(
            "{what}: no /proc/{pid}/status; memory not checked"
        )),
    }
}

/// A feature and the path of the PRD its questions go to.
type Target<'a> = (&'a str, &'a str);

/// A feature of a generated kit that any question may go to.
const PLAIN: Target = ("plain", "specs/plain/prd.md");

/// Asks `question` in the target feature: the result, and the PRD's bytes
/// before and after.
fn ask(
    client: &mut StdioClient,
    root: &Path,
    (feature, relative): Target,
    question: &str,
) -> (Value, Vec<u8>, Vec<u8>) {
    let path = root.join(relative);
    let before = fs::read(&path).expect("read the spec");
    let result = client.tool(
        "ask_question",
        &json!({"feature": feature, "question": question}),
    );
    let after = fs::read(&path).expect("read the spec");
    (result, before, after)
}

/// Asks `question` and checks it was written whole; the inserted text.
fn check_written(client: &mut StdioClient, root: &Path, target: Target, question: &str) -> String {
    let (result, before, after) = ask(client, root, target, question);
    check_whole(target.1, &result, &before, &after)
}

/// Asks `question` and checks it was either written whole or refused with
/// the file named and left as it was; the refusal, if it was one.
fn check_written_or_refused(
    client: &mut StdioClient,
    root: &Path,
    target: Target,
    question: &str,
) -> Option<String> {
    let (result, before, after) = ask(client, root, target, question);
    if result["isError"] == true {
        let message = refused(&result, target.1);
        assert!(message.contains(target.1), "names the file: {message}");
        assert!(after == before, "a refused write changed {}", target.1);
        Some(message.to_string())
    } else {
        check_whole(target.1, &result, &before, &after);
        None
    }
}

/// Checks an `ask_question` answer and the PRD at `relative` before and
/// after it: the file is the old one plus one inserted run holding one
/// more open question, and its structure is the old one plus that
/// question's list item (and an Open questions heading made for it). The
/// inserted text.
fn check_whole(relative: &str, result: &Value, before: &[u8], after: &[u8]) -> String {
    let asked = answered(result, &format!("a question into {relative}"));
    let added = String::from_utf8(inserted(before, after)).expect("UTF-8 added");
    let before = String::from_utf8(before.to_vec()).expect("a UTF-8 spec before");
    let after = String::from_utf8(after.to_vec()).expect("a UTF-8 spec after");

    let old = questions(relative, &before);
    let new = questions(relative, &after);
    assert_eq!(new.len(), old.len() + 1, "one more question:\n{after}");
    let id = asked["id"].as_str().expect("an id");
    let written = new
        .iter()
        .find(|found| found.id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("{id} is not in the file:\n{after}"));
    assert!(!written.answered, "{id} is open:\n{after}");
    assert!(
        asked["source"]
            .as_str()
            .is_some_and(|source| source.starts_with(&format!("{relative}:"))),
        "{result}"
    );

    let (old_headings, old_items) = structure(&before);
    let (new_headings, new_items) = structure(&after);
    let mut expected_headings = old_headings.clone();
    if new_headings.len() == old_headings.len() + 1 {
        // The document had no Open questions section: one is made at the
        // end for the question.
        let heading = new_headings.last().expect("a heading");
        assert!(heading.ends_with(" Open questions"), "{heading}");
        expected_headings.push(heading.clone());
    }
    assert_eq!(new_headings, expected_headings, "headings:\n{after}");
    let new_item = new_items
        .iter()
        .find(|item| item.starts_with(&format!("{id} (")))
        .unwrap_or_else(|| panic!("no list item for {id}:\n{after}"));
    let mut expected_items = old_items.clone();
    let at = new_items
        .iter()
        .position(|item| item == new_item)
        .expect("the new item");
    expected_items.insert(at.min(expected_items.len()), new_item.clone());
    assert_eq!(new_items, expected_items, "list items:\n{after}");
    added
}

// ---------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------

/// Feature and task ids that name paths or hold NUL (refused as invalid
/// before they reach the file system), and ids that look like real ones
/// (Cyrillic `і`/`Т`, fullwidth letters: unknown, and the real ones are
/// listed). `root` is the project root, the kit in its `specs/`.
fn hostile_ids(root: &Path) -> Vec<(&'static str, String, Refusal)> {
    use Refusal::{Invalid, Unknown};
    let absolute = root.join("specs/image-upload").display().to_string();
    let mut ids: Vec<(&'static str, String, Refusal)> = [
        ("feature", "..", Invalid),
        ("feature", "../etc", Invalid),
        ("feature", "../../etc", Invalid),
        ("feature", "image-upload/../../etc", Invalid),
        ("feature", "/etc/passwd", Invalid),
        ("feature", "image\0upload", Invalid),
        ("feature", "\u{456}mage-upload", Unknown),
        (
            "feature",
            "\u{ff49}\u{ff4d}\u{ff41}\u{ff47}\u{ff45}-upload",
            Unknown,
        ),
        ("task", "..", Invalid),
        ("task", "../T2", Invalid),
        ("task", "T2/..", Invalid),
        ("task", "/T2", Invalid),
        ("task", "T\u{0}2", Invalid),
        ("task", "\u{422}2", Unknown),
        ("task", "\u{ff34}2", Unknown),
    ]
    .iter()
    .map(|(field, id, refusal)| (*field, (*id).to_string(), *refusal))
    .collect();
    // An absolute path to the very folder the feature is.
    ids.push(("feature", absolute, Invalid));
    ids
}

/// How an id is refused.
#[derive(Clone, Copy, Debug)]
enum Refusal {
    /// "invalid feature `…`: <reason>".
    Invalid,
    /// "unknown feature `…`; valid features: …".
    Unknown,
}

#[test]
fn ids_that_name_paths_or_look_alike_are_refused_by_every_tool() {
    // As a project root holding `specs/`: `../etc` from the kit and
    // `../../etc` from it name decoys that must never be read.
    let outer = tempfile::tempdir().expect("temp dir");
    let project = outer.path().join("project");
    crate::support::copy_tree(&repo().join("specs-example"), &project.join("specs"));
    for decoy in [outer.path(), &project] {
        write_files(
            decoy,
            &[
                ("etc/prd.md", format!("# {SECRET}\n").as_bytes()),
                ("etc/tasks.md", format!("## T1: {SECRET}\n").as_bytes()),
            ],
        );
    }
    let files = snapshot(outer.path());
    let (mut server, _watchdog) = serve(&project);
    let client = server.client();

    for (field, id, refusal) in hostile_ids(&project) {
        for tool in TOOLS.into_iter().filter(|tool| takes(tool, field)) {
            let mut arguments =
                json!({"feature": "image-upload", "task": "T2", "question": "Why not?"});
            arguments[field] = json!(id);
            let result = client.tool(tool, &arguments);
            let what = format!("{tool} with {field} {id:?}");
            let message = refused(&result, &what);
            let expected = match refusal {
                Refusal::Invalid => format!("invalid {field} `"),
                Refusal::Unknown => format!("valid {field}s: "),
            };
            assert!(
                message.contains(&expected),
                "{what}: {expected}…: {message}"
            );
            assert!(!message.contains('\0'), "{what}: {message:?}");
            assert!(!result.to_string().contains(SECRET), "{what}: {result}");
        }
    }

    let result = client.tool("get_current_task", &json!({"feature": "image-upload"}));
    assert_eq!(answered(&result, "a good call")["task"]["id"], "T2");
    assert_eq!(
        snapshot(outer.path()),
        files,
        "a refused call wrote something"
    );
}

#[test]
fn an_invalid_id_s_refusal_names_the_valid_ids() {
    let kit = example();
    let (mut server, _watchdog) = serve(kit.path());
    let client = server.client();
    for tool in TOOLS {
        for (field, id, valid) in [
            (
                "feature",
                "../etc",
                "valid features: image-upload, listing-generator",
            ),
            ("task", "T\u{0}2", "valid tasks: T1, T2, T3, T4"),
        ] {
            if !takes(tool, field) {
                continue;
            }
            let mut arguments =
                json!({"feature": "image-upload", "task": "T2", "question": "Why not?"});
            arguments[field] = json!(id);
            let result = client.tool(tool, &arguments);
            let message = refused(&result, tool);
            assert!(
                message.contains(valid),
                "{tool} with {field} {id:?}: {message}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Symlinks
// ---------------------------------------------------------------------------

#[test]
fn links_out_of_the_root_are_never_read_or_written_through() {
    let outer = tempfile::tempdir().expect("temp dir");
    let root = outer.path().join("project");
    crate::support::copy_tree(&repo().join("specs-example"), &root);
    let outside = outer.path().join("outside");
    let secret_prd =
        format!("# {SECRET}\n\n## Goals\n- {SECRET}\n\n## Open questions\n- [ ] Q-1: {SECRET}?\n");
    write_files(
        &outside,
        &[
            ("prd.md", secret_prd.as_bytes()),
            (
                "tech-spec.md",
                format!("# Tech\n\n## Architecture\n- {SECRET}\n").as_bytes(),
            ),
            (
                "tasks.md",
                format!("## T1: {SECRET}\nStatus: todo\n").as_bytes(),
            ),
        ],
    );
    // A feature folder that is a link out of the root, and a feature whose
    // PRD and tech spec are links out of it.
    std::os::unix::fs::symlink(&outside, root.join("linked")).expect("link a folder");
    for name in ["prd.md", "tech-spec.md"] {
        let file = root.join("image-upload").join(name);
        fs::remove_file(&file).expect("remove the file");
        std::os::unix::fs::symlink(outside.join(name), &file).expect("link a file");
    }
    let outside_files = snapshot(&outside);
    let inside_files = snapshot(&root);
    let (mut server, _watchdog) = serve(&root);
    let client = server.client();

    for feature in ["linked", "image-upload"] {
        for tool in TOOLS {
            let arguments = json!({"feature": feature, "question": "What is outside?"});
            let result = client.tool(tool, &arguments);
            assert!(
                !result.to_string().contains(SECRET),
                "{tool} on {feature} read a file outside the root: {result}"
            );
        }
    }
    let result = client.tool(
        "ask_question",
        &json!({"feature": "image-upload", "question": "Is this written outside?"}),
    );
    let message = refused(&result, "a question into a PRD linked out of the root");
    assert!(
        message.contains("image-upload/prd.md") && message.contains("outside the spec root"),
        "{message}"
    );
    let result = client.tool(
        "ask_question",
        &json!({"feature": "linked", "question": "Is this written outside?"}),
    );
    let message = refused(&result, "a question into a folder linked out of the root");
    assert!(message.contains("linked"), "{message}");
    let result = client.tool("list_tasks", &json!({"feature": "image-upload"}));
    let problems =
        answered(&result, "list_tasks on a feature with links out")["problems"].to_string();
    assert!(
        problems.contains("image-upload/prd.md"),
        "the linked file is reported: {result}"
    );

    assert_eq!(snapshot(&outside), outside_files, "written through a link");
    assert_eq!(
        snapshot(&root),
        inside_files,
        "a refused call wrote something"
    );
    check_written(
        client,
        &root,
        ("listing-generator", "listing-generator/prd.md"),
        "Which model writes the listing?",
    );
}

// ---------------------------------------------------------------------------
// Odd spec files
// ---------------------------------------------------------------------------

/// A PRD of an unusual shape, and what the server must make of it.
struct OddFile {
    name: &'static str,
    bytes: Vec<u8>,
    /// Questions `list_questions` finds in it.
    questions: usize,
    /// `None`: a question is written into it. Else the reason its refusal
    /// gives, and the note `list_tasks` reports on the file, if any (an
    /// empty file reads as an empty document, but is never written to: it
    /// may be an editor's save half done).
    refusal: Option<(&'static str, Option<&'static str>)>,
}

fn odd_files() -> Vec<OddFile> {
    let question = b"## Open questions\n- [ ] Q-1: Which currency?\n";
    let nested: Vec<u8> = (0..100)
        .flat_map(|depth| format!("{}- level {depth}\n", "  ".repeat(depth)).into_bytes())
        .collect();
    let odd = |name, bytes: &[u8], questions, refusal| OddFile {
        name,
        bytes: bytes.to_vec(),
        questions,
        refusal,
    };
    vec![
        odd("empty", b"", 0, Some(("it is empty", None))),
        odd(
            "binary",
            &[b"# PRD\n\0\x01\x02\n".as_slice(), question].concat(),
            0,
            Some(("it is binary", Some("binary (it holds NUL bytes)"))),
        ),
        odd(
            "invalid-utf8",
            &[b"# PRD\n\xff\xfe caf\xe9\n".as_slice(), question].concat(),
            1,
            Some(("it is not valid UTF-8", Some("not valid UTF-8"))),
        ),
        odd(
            "crlf",
            b"# PRD\r\n\r\n## Goals\r\n- Pay\r\n\r\n## Open questions\r\n- [ ] Q-1: Which currency?\r\n",
            1,
            None,
        ),
        odd(
            "no-trailing-newline",
            b"# PRD\n\n## Open questions\n- [ ] Q-1: Which currency?",
            1,
            None,
        ),
        odd(
            "bom",
            &[b"\xef\xbb\xbf# PRD\n\n".as_slice(), question].concat(),
            1,
            None,
        ),
        odd(
            "headings-only",
            b"# PRD\n## Goals\n### Sub-goals\n## Risks\n",
            0,
            None,
        ),
        odd(
            "nested-lists",
            &[b"# PRD\n\n## Goals\n".as_slice(), &nested].concat(),
            0,
            None,
        ),
    ]
}

#[test]
fn odd_spec_files_are_read_or_noted_and_written_whole_or_refused() {
    let kit = tempfile::tempdir().expect("temp dir");
    let root = kit.path();
    let cases = odd_files();
    for case in &cases {
        // The odd bytes as the PRD, and as the tasks file of a second
        // feature.
        let prd = format!("specs/{}/prd.md", case.name);
        let tasks = format!("specs/{}/tasks.md", case.name);
        let as_tasks = format!("specs/{}-tasks/tasks.md", case.name);
        let as_tasks_prd = format!("specs/{}-tasks/prd.md", case.name);
        write_files(
            root,
            &[
                (&prd, &case.bytes),
                (&tasks, TASKS),
                (&as_tasks, &case.bytes),
                (&as_tasks_prd, b"# PRD\n"),
            ],
        );
    }
    write_files(
        root,
        &[
            ("specs/plain/prd.md", b"# PRD\n"),
            ("specs/plain/tasks.md", TASKS),
        ],
    );
    let (mut server, _watchdog) = serve(root);
    let client = server.client();

    for case in &cases {
        let feature = case.name;
        let what = format!("a {feature} PRD");
        let listed = client.tool("list_tasks", &json!({"feature": feature}));
        let problems = answered(&listed, &what)["problems"].to_string();
        let current = client.tool("get_current_task", &json!({"feature": feature}));
        assert_eq!(answered(&current, &what)["task"]["id"], "T1");
        let asked = client.tool("list_questions", &json!({"feature": feature}));
        let found = answered(&asked, &what)["questions"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(found, case.questions, "{what}: {asked}");

        let other = format!("{feature}-tasks");
        for tool in ["list_tasks", "get_current_task", "get_acceptance_criteria"] {
            let result = client.tool(tool, &json!({"feature": other}));
            // No task may be found in these bytes; then the refusal says so.
            if result["isError"] == true {
                let message = refused(&result, &format!("{tool} on {other}"));
                assert!(message.contains("task"), "{tool} on {other}: {message}");
            }
        }

        match case.refusal {
            None => check_written_as_the_file_is(client, root, case),
            Some((reason, None)) => check_refused(client, root, case, reason),
            Some((reason, Some(note))) => {
                check_refused(client, root, case, reason);
                let relative = format!("specs/{feature}/prd.md");
                assert!(
                    problems.contains(note) && problems.contains(&relative),
                    "{what}: list_tasks notes the file: {problems}"
                );
                let listed = client.tool("list_tasks", &json!({"feature": other}));
                let problems = answered(&listed, &what)["problems"].to_string();
                assert!(
                    problems.contains(note)
                        && problems.contains(&format!("specs/{other}/tasks.md")),
                    "{what} as tasks: list_tasks notes the file: {problems}"
                );
            }
        }
    }
    check_written(client, root, PLAIN, "Still writing?");
}

/// A question into an odd PRD is written whole, in the file's own line
/// ending, with a BOM left first.
fn check_written_as_the_file_is(client: &mut StdioClient, root: &Path, case: &OddFile) {
    let relative = format!("specs/{}/prd.md", case.name);
    let added = check_written(
        client,
        root,
        (case.name, &relative),
        "Which currency is shown?",
    );
    let what = format!("a {} PRD", case.name);
    if case.bytes.windows(2).any(|pair| pair == b"\r\n") {
        assert_eq!(
            added.matches('\n').count(),
            added.matches("\r\n").count(),
            "{what}: CRLF only: {added:?}"
        );
    } else {
        assert!(!added.contains('\r'), "{what}: LF only: {added:?}");
    }
    if case.bytes.starts_with(b"\xef\xbb\xbf") {
        let after = fs::read(root.join(&relative)).expect("read");
        assert!(
            after.starts_with(b"\xef\xbb\xbf# PRD"),
            "{what}: the BOM stays first"
        );
    }
}

/// A question into an odd PRD is refused with the file and `reason`
/// named, and the file is left as it was.
fn check_refused(client: &mut StdioClient, root: &Path, case: &OddFile, reason: &str) {
    let relative = format!("specs/{}/prd.md", case.name);
    let what = format!("a {} PRD", case.name);
    let result = client.tool(
        "ask_question",
        &json!({"feature": case.name, "question": "Which currency is shown?"}),
    );
    let message = refused(&result, &what);
    assert!(
        message.contains(&relative) && message.contains(reason),
        "{what}: names the file and why: {message}"
    );
    assert!(
        fs::read(root.join(&relative)).expect("read") == case.bytes,
        "{what}: a refused write changed the file"
    );
}

#[test]
fn a_50_mb_spec_file_is_reported_unread_in_bounded_memory() {
    let kit = tempfile::tempdir().expect("temp dir");
    let root = kit.path();
    let line = "- A goal, said again and again to make the file large\n";
    let mut huge = String::from("# PRD\n\n## Goals\n");
    while huge.len() < 50 * 1024 * 1024 {
        huge.push_str(line);
    }
    huge.push_str("\n## Open questions\n- [ ] Q-1: Which currency?\n");
    write_files(
        root,
        &[
            ("specs/huge/prd.md", huge.as_bytes()),
            ("specs/huge/tasks.md", TASKS),
            ("specs/plain/prd.md", b"# PRD\n"),
            ("specs/plain/tasks.md", TASKS),
        ],
    );
    let (mut server, _watchdog) = serve(root);
    let pid = server.child.id();
    let client = server.client();

    let listed = client.tool("list_tasks", &json!({"feature": "huge"}));
    let problems = answered(&listed, "list_tasks on a 50 MB PRD")["problems"].to_string();
    assert!(
        problems.contains("specs/huge/prd.md") && problems.contains("over the 8388608-byte limit"),
        "the file is reported: {listed}"
    );
    let asked = client.tool("list_questions", &json!({"feature": "huge"}));
    assert_eq!(
        answered(&asked, "list_questions")["questions"],
        json!([]),
        "not parsed"
    );
    let current = client.tool("get_current_task", &json!({"feature": "huge"}));
    assert_eq!(answered(&current, "get_current_task")["task"]["id"], "T1");
    let result = client.tool(
        "ask_question",
        &json!({"feature": "huge", "question": "Which currency is shown?"}),
    );
    let message = refused(&result, "a question into a 50 MB PRD");
    assert!(
        message.contains("specs/huge/prd.md") && message.contains("size limit"),
        "{message}"
    );
    assert!(
        fs::read(root.join("specs/huge/prd.md")).expect("read") == huge.as_bytes(),
        "a refused write changed the 50 MB file"
    );
    check_written(client, root, PLAIN, "Still writing?");
    // Read and parsed, 50 MB of markdown would take several times that.
    check_peak_rss(pid, 40, "after a 50 MB spec file");
}

#[test]
fn a_file_over_the_max_file_size_set_is_reported_and_not_written() {
    let big = b"# PRD\n\n## Goals\n- Sell more\n\n## Open questions\n- [ ] Q-1: Which currency?\n";
    let kit = kit_with("big", big);
    let root = kit.path();
    // Over 64 bytes; the other feature's files are under it.
    let command = stdio_command(root, &["--max-file-size", "64"]);
    let mut server = StdioServer::spawn(command, CLIENT);
    let _watchdog = Watchdog::new(server.child.id());
    let client = server.client();

    let listed = client.tool("list_tasks", &json!({"feature": "big"}));
    let problems = answered(&listed, "list_tasks")["problems"].to_string();
    assert!(
        problems.contains("specs/big/prd.md")
            && problems.contains(&format!(
                "the file is {} bytes, over the 64-byte limit",
                big.len()
            )),
        "the file is reported: {listed}"
    );
    let (result, before, after) = ask(client, root, ("big", "specs/big/prd.md"), "Which region?");
    let message = refused(&result, "a question into a file over --max-file-size");
    assert_eq!(
        message,
        format!(
            "refusing to write to specs/big/prd.md: it is {} bytes, over the 64-byte size limit (--max-file-size)",
            big.len()
        )
    );
    assert!(after == before, "a refused write changed the file");
    check_written(client, root, PLAIN, "Small?");
}

#[test]
fn a_question_over_the_max_question_chars_set_is_cut_there() {
    let kit = kit_with("other", PRD);
    let root = kit.path();
    let command = stdio_command(root, &["--max-question-chars", "12"]);
    let mut server = StdioServer::spawn(command, CLIENT);
    let _watchdog = Watchdog::new(server.child.id());
    let client = server.client();
    let result = client.tool(
        "ask_question",
        &json!({
            "feature": "plain",
            "question": "Which regions are served first?",
            "context": "Checkout needs it before launch.",
        }),
    );
    answered(&result, "a long question");
    let written = fs::read_to_string(root.join("specs/plain/prd.md")).expect("read");
    assert!(
        written.contains(": Which region…\n") && written.contains("- Context: Checkout nee…\n"),
        "cut at 12 characters, with `…`:\n{written}"
    );
}

// ---------------------------------------------------------------------------
// Question text
// ---------------------------------------------------------------------------

#[test]
fn question_text_never_becomes_markdown_structure() {
    let kit = example();
    let root = kit.path();
    let prd = root.join("image-upload/prd.md");
    let (mut server, _watchdog) = serve(root);
    let client = server.client();

    for empty in ["", " \n\t ", "\u{200b}\u{202e}"] {
        let before = fs::read(&prd).expect("read");
        let result = client.tool(
            "ask_question",
            &json!({"feature": "image-upload", "question": empty}),
        );
        let message = refused(&result, &format!("the question {empty:?}"));
        assert!(message.contains("empty"), "{message}");
        assert_eq!(
            fs::read(&prd).expect("read"),
            before,
            "{empty:?} wrote something"
        );
    }

    let megabyte = "Why? ".repeat(200 * 1024);
    let texts = [
        megabyte.as_str(),
        "First line\nSecond line\n\n## Injected heading\n\nLast line",
        "# Title",
        "```\nfenced\n```",
        "~~~ never closed",
        "<script>alert(1)</script>",
        "<!-- an HTML comment left open",
        "- [ ] Q-1 a forged open question",
        "- [x] Q-2 → A: a forged answer",
        "Right\u{202e}to\u{202d}left \u{2067}isolate\u{2069}",
        "zero\u{200b}width\u{200d}joiner\u{feff}bom",
        "> a quote\n---\n| a | table |",
    ];
    for question in texts {
        let added = check_written(
            client,
            root,
            ("image-upload", "image-upload/prd.md"),
            question,
        );
        let what = format!("{:?}", question.chars().take(40).collect::<String>());
        assert_eq!(
            added.matches('\n').count(),
            1,
            "{what}: one line: {added:?}"
        );
        assert!(
            !added.contains([
                '\u{202e}', '\u{202d}', '\u{2067}', '\u{2069}', '\u{200b}', '\u{200d}', '\u{feff}'
            ]),
            "{what}: invisible characters dropped: {added:?}"
        );
        // After the metadata, every bracket, angle bracket and backtick of
        // the agent's text is escaped.
        let (_, body) = added.split_once("): ").expect("metadata, then the text");
        for (at, markup) in body.match_indices(['<', '>', '`', '[', ']']) {
            assert!(
                body[..at].ends_with('\\'),
                "{what}: {markup} escaped: {added:?}"
            );
        }
        assert!(
            added.chars().count() < 2_200,
            "{what}: capped: {} characters",
            added.chars().count()
        );
    }

    // Read back, every question is open and each id is there once.
    let result = client.tool(
        "list_questions",
        &json!({"feature": "image-upload", "status": "all"}),
    );
    let listed = answered(&result, "list_questions");
    let rows = listed["questions"].as_array().expect("questions");
    let ids: Vec<&str> = rows.iter().filter_map(|row| row["id"].as_str()).collect();
    let expected: Vec<String> = (1..=3 + texts.len()).map(|n| format!("Q-{n}")).collect();
    assert_eq!(ids, expected, "{listed}");
    for row in &rows[3..] {
        assert_eq!(row["status"], "open", "{row}");
    }
}

// ---------------------------------------------------------------------------
// Protocol faults on stdio
// ---------------------------------------------------------------------------

/// Sends `line` as it is, then a ping, and reads until the ping is
/// answered (and, with `id`, until that id is too): every other message
/// the server wrote meanwhile.
fn after_line(client: &mut StdioClient, line: &[u8], id: Option<&str>) -> Vec<Value> {
    client.send_line(line).expect("send the line");
    client
        .send(&json!({"jsonrpc": "2.0", "id": "ping", "method": "ping"}))
        .expect("send a ping");
    let mut seen: Vec<Value> = Vec::new();
    let mut pinged = false;
    while !pinged || id.is_some_and(|id| !seen.iter().any(|message| message["id"] == id)) {
        let message = client
            .receive()
            .unwrap_or_else(|| panic!("the server is gone after {}", shown(line)));
        if message["id"] == "ping" {
            assert_eq!(message["result"], json!({}), "the ping: {message}");
            pinged = true;
        } else {
            seen.push(message);
        }
    }
    seen
}

/// The start of a line, for messages.
fn shown(line: &[u8]) -> String {
    String::from_utf8_lossy(&line[..line.len().min(80)]).into_owned()
}

#[test]
fn malformed_requests_get_an_error_and_the_next_one_an_answer() {
    let kit = example();
    let (mut server, _watchdog) = serve(kit.path());
    let client = server.client();

    // Requests the server cannot take: each a JSON-RPC error, with the id
    // when it is one the server could know.
    let errors: [(&[u8], Option<&str>, i64); 7] = [
        (b"[1, 2, 3]", None, -32600),
        (b"[]", None, -32600),
        (br#"{"jsonrpc": "2.0", "id": "no-method"}"#, None, -32600),
        (br#"{"jsonrpc": "1.0", "id": "old", "method": "ping"}"#, None, -32600),
        (br#"{"id": "no-version", "method": "ping"}"#, None, -32600),
        (
            br#"{"jsonrpc": "2.0", "id": "unknown-method", "method": "specs/delete"}"#,
            Some("unknown-method"),
            -32601,
        ),
        (
            br#"{"jsonrpc": "2.0", "id": "unknown-tool", "method": "tools/call", "params": {"name": "delete_everything", "arguments": {}}}"#,
            Some("unknown-tool"),
            -32602,
        ),
    ];
    for (line, id, code) in errors {
        let seen = after_line(client, line, id);
        let what = shown(line);
        assert_eq!(seen.len(), 1, "{what}: one answer: {seen:?}");
        assert_eq!(seen[0]["error"]["code"], code, "{what}: {seen:?}");
        assert_eq!(
            seen[0]["id"],
            id.map_or(Value::Null, Value::from),
            "{what}: {seen:?}"
        );
    }

    // Arguments of the wrong type: the tool ran and says what was wrong.
    let wrong_types: [(&[u8], &str, &str); 3] = [
        (
            br#"{"jsonrpc": "2.0", "id": "number", "method": "tools/call", "params": {"name": "list_tasks", "arguments": {"feature": 5}}}"#,
            "number",
            "integer `5`, expected a string",
        ),
        (
            br#"{"jsonrpc": "2.0", "id": "array", "method": "tools/call", "params": {"name": "get_current_task", "arguments": {"task": []}}}"#,
            "array",
            "sequence, expected a string",
        ),
        (
            br#"{"jsonrpc": "2.0", "id": "object", "method": "tools/call", "params": {"name": "ask_question", "arguments": {"feature": "image-upload", "question": {"text": "Why?"}}}}"#,
            "object",
            "expected a string",
        ),
    ];
    for (line, id, expected) in wrong_types {
        let seen = after_line(client, line, Some(id));
        let result = &seen[0]["result"];
        let message = refused(result, id);
        assert!(message.contains(expected), "{id}: {message}");
    }

    let result = client.tool("get_current_task", &json!({"feature": "image-upload"}));
    assert_eq!(answered(&result, "a good call")["task"]["id"], "T2");
    assert!(
        fs::read(kit.path().join("image-upload/prd.md")).expect("read")
            == fs::read(repo().join("specs-example/image-upload/prd.md")).expect("read"),
        "a malformed call wrote to the spec"
    );
}

#[test]
fn malformed_tool_call_params_are_invalid_params() {
    let kit = example();
    let (mut server, _watchdog) = serve(kit.path());
    let client = server.client();
    for (id, line) in [
        (
            "string-arguments",
            r#"{"jsonrpc": "2.0", "id": "string-arguments", "method": "tools/call", "params": {"name": "list_tasks", "arguments": "image-upload"}}"#,
        ),
        (
            "no-params",
            r#"{"jsonrpc": "2.0", "id": "no-params", "method": "tools/call"}"#,
        ),
        (
            "number-name",
            r#"{"jsonrpc": "2.0", "id": "number-name", "method": "tools/call", "params": {"name": 5}}"#,
        ),
    ] {
        let seen = after_line(client, line.as_bytes(), Some(id));
        assert_eq!(seen[0]["error"]["code"], -32602, "{id}: {seen:?}");
        let message = seen[0]["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("invalid params for tools/call: "),
            "{id}: says what did not parse: {seen:?}"
        );
    }
}

/// Over the 16 MiB rmcp takes in one line.
const HUGE_LINE: usize = 20 * 1024 * 1024;

#[test]
fn a_huge_line_is_dropped_in_bounded_memory() {
    let kit = example();
    let (mut server, _watchdog) = serve(kit.path());
    let pid = server.child.id();
    let client = server.client();
    let garbage = vec![b'x'; HUGE_LINE];
    after_line(client, &garbage, None);
    let padded = format!(
        r#"{{"jsonrpc": "2.0", "id": "huge", "method": "ping", "params": {{"pad": "{}"}}}}"#,
        "y".repeat(HUGE_LINE)
    );
    after_line(client, padded.as_bytes(), None);
    let result = client.tool("get_current_task", &json!({"feature": "image-upload"}));
    assert_eq!(answered(&result, "a good call")["task"]["id"], "T2");
    // Holding both lines whole would take 40 MiB, more with parsing.
    check_peak_rss(pid, 64, "after two 20 MiB lines");
}

#[test]
fn a_line_that_is_not_a_message_gets_a_parse_error() {
    let kit = example();
    let (mut server, _watchdog) = serve(kit.path());
    let client = server.client();
    let huge = format!(
        r#"{{"jsonrpc": "2.0", "id": "huge", "method": "ping", "params": {{"pad": "{}"}}}}"#,
        "y".repeat(HUGE_LINE)
    );
    let lines: [&[u8]; 4] = [
        b"not json",
        b"\xff\xfe\x00",
        br#"{"jsonrpc": "2.0", "id": "cut", "method": "pi"#,
        huge.as_bytes(),
    ];
    for line in lines {
        let seen = after_line(client, line, None);
        let what = shown(line);
        assert_eq!(seen.len(), 1, "{what}: one answer: {seen:?}");
        let code = seen[0]["error"]["code"].as_i64();
        assert!(
            matches!(code, Some(-32700 | -32600)),
            "{what}: a parse error: {seen:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

/// 100 MiB.
const HUGE_BODY: usize = 100 * 1024 * 1024;

/// Posts a 100 MiB body to `/mcp`, streamed in 64 KiB writes (with a
/// Content-Length, or chunked), and reads the answer while it is still
/// being sent: the reply, and how many body bytes were sent before the
/// server stopped taking them.
fn post_huge_body(authority: &str, chunked: bool) -> (crate::support::Reply, usize) {
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let length = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {HUGE_BODY}")
    };
    write!(
        stream,
        "POST /mcp HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n{}: {}\r\n{}: {}\r\n{length}\r\n\r\n",
        JSON.0, JSON.1, ACCEPT.0, ACCEPT.1
    )
    .expect("send the head");
    let mut body = stream.try_clone().expect("clone the stream");
    let sender = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < HUGE_BODY {
            let written = if chunked {
                write!(body, "{:x}\r\n", chunk.len())
                    .and_then(|()| body.write_all(&chunk))
                    .and_then(|()| body.write_all(b"\r\n"))
            } else {
                body.write_all(&chunk)
            };
            if written.is_err() {
                return sent;
            }
            sent += chunk.len();
        }
        if chunked {
            let _ = body.write_all(b"0\r\n\r\n");
        }
        sent
    });
    let reply = read_reply(&mut stream);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let sent = sender.join().expect("the sender");
    (reply, sent)
}

#[test]
fn a_100_mb_body_is_refused_without_being_buffered() {
    let kit = example();
    let server = HttpServer::start(kit.path(), &[]);
    let authority = server.authority();
    for chunked in [false, true] {
        let (reply, sent) = post_huge_body(authority, chunked);
        assert_eq!(
            reply.status,
            413,
            "chunked {chunked}, {} MiB sent: {}",
            sent >> 20,
            reply.body
        );
    }
    let session = initialize(authority, &[]);
    let call = json!({"name": "get_current_task", "arguments": {"feature": "image-upload"}});
    let reply = rpc(authority, &session, 2, "tools/call", &call);
    assert_eq!(
        reply.message()["result"]["structuredContent"]["task"]["id"],
        "T2",
        "{}",
        reply.body
    );
    check_peak_rss(server.pid(), 64, "after two 100 MiB bodies");
}

/// Raises this process's soft limit on open files to at least `wanted`
/// if the hard limit allows; whether it now is.
fn raise_open_file_limit(wanted: u64) -> bool {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_none_or(|current| current >= wanted) {
        return true;
    }
    if limit.maximum.is_some_and(|maximum| maximum < wanted) {
        return false;
    }
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(wanted),
            maximum: limit.maximum,
        },
    )
    .is_ok()
}

#[test]
fn a_thousand_idle_sse_streams_hold_up_no_one() {
    const STREAMS: usize = 1_000;
    if !raise_open_file_limit(4_096) {
        note(
            "a_thousand_idle_sse_streams_hold_up_no_one: skipped, the open-file limit is under 4096",
        );
        return;
    }
    let kit = example();
    // The server's own limit too, whatever the shell's default.
    let server = HttpServer::spawn(in_shell(
        "ulimit -n 4096 2>/dev/null || true",
        &HttpServer::command(kit.path(), &[]),
    ));
    let authority = server.authority();
    let streams: Vec<(TcpStream, String)> = (0..STREAMS).map(|_| open_sse(authority)).collect();

    let started = Instant::now();
    let session = initialize(authority, &[]);
    let call = json!({"name": "get_current_task", "arguments": {"feature": "image-upload"}});
    let reply = rpc(authority, &session, 2, "tools/call", &call);
    let took = started.elapsed();
    assert_eq!(
        reply.message()["result"]["structuredContent"]["task"]["id"],
        "T2",
        "{}",
        reply.body
    );
    assert!(
        took < Duration::from_secs(5),
        "a client beside {STREAMS} idle streams waited {took:?}"
    );
    // The streams are sessions still: the last one opened takes a request.
    let (_, last) = streams.last().expect("a stream");
    let hello = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2024-11-05", "capabilities": {},
                   "clientInfo": {"name": "late", "version": "1"}}
    });
    let reply = crate::support::send(
        authority,
        &format!("POST /messages?sessionId={last}"),
        &[JSON],
        &hello.to_string(),
    );
    assert_eq!(reply.status, 202, "{}", reply.body);
    check_peak_rss(
        server.pid(),
        200,
        &format!("with {STREAMS} SSE streams open"),
    );
    drop(streams);
}

// ---------------------------------------------------------------------------
// Read-only and full disks
// ---------------------------------------------------------------------------

/// An unprivileged uid (`nobody` on most systems) for the server when the
/// tests run as root, who may write to any file whatever its mode.
const UNPRIVILEGED: u32 = 65_534;

/// A stdio server on `root` that the file modes bind: this user's, or,
/// when the tests run as root, one run as [`UNPRIVILEGED`] with the kit
/// given to it. `None` when neither can be had (root, and the binary is
/// not one another user may run): the caller then checks less, and says
/// so.
fn server_bound_by_modes(root: &Path) -> Option<(StdioServer, Watchdog)> {
    if !rustix::process::geteuid().is_root() {
        return Some(serve(root));
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_spec-mcp"));
    let others_may_run = binary.ancestors().all(|path| {
        fs::metadata(path).is_ok_and(|metadata| metadata.permissions().mode() & 0o001 != 0)
    });
    if !others_may_run {
        return None;
    }
    give_away(root);
    let mut command = stdio_command(root, &[]);
    command.uid(UNPRIVILEGED).gid(UNPRIVILEGED);
    let server = StdioServer::spawn(command, CLIENT);
    let watchdog = Watchdog::new(server.child.id());
    Some((server, watchdog))
}

/// Makes [`UNPRIVILEGED`] the owner of everything under `root`.
fn give_away(root: &Path) {
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        std::os::unix::fs::lchown(&path, Some(UNPRIVILEGED), Some(UNPRIVILEGED))
            .expect("change the owner");
        if path.is_dir() {
            for entry in fs::read_dir(&path).expect("read a folder") {
                pending.push(entry.expect("an entry").path());
            }
        }
    }
}

/// Sets a path's mode, and puts 0755 back when dropped so the temp dir can
/// be removed.
struct Mode(PathBuf);

impl Mode {
    fn set(path: &Path, mode: u32) -> Mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("set the mode");
        Mode(path.to_path_buf())
    }
}

impl Drop for Mode {
    fn drop(&mut self) {
        let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o755));
    }
}

/// The mode bits of a file.
fn mode(path: &Path) -> u32 {
    fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

/// A kit with feature `target` (its PRD `prd` bytes, one question) and a
/// writable feature `plain`.
fn kit_with(target: &str, prd: &[u8]) -> tempfile::TempDir {
    let kit = tempfile::tempdir().expect("temp dir");
    write_files(
        kit.path(),
        &[
            (&format!("specs/{target}/prd.md"), prd),
            (&format!("specs/{target}/tasks.md"), TASKS),
            ("specs/plain/prd.md", b"# PRD\n"),
            ("specs/plain/tasks.md", TASKS),
        ],
    );
    kit
}

const PRD: &[u8] = b"# PRD\n\n## Open questions\n- [ ] Q-1: Which currency?\n";

/// The feature a read-only test locks.
const LOCKED: Target = ("locked", "specs/locked/prd.md");

/// Where no server can be bound by file modes: checks only that a
/// question into [`LOCKED`] is written whole or refused with nothing
/// lost, and says so; the refusal, if it was one.
fn check_unbound(root: &Path, what: &str) -> Option<String> {
    note(&format!(
        "{what}: running as root, and the binary is not one another user may run; \
         checked only that nothing is lost"
    ));
    let (mut server, _watchdog) = serve(root);
    check_written_or_refused(server.client(), root, LOCKED, "May I write?")
}

/// Asks into a read-only `specs/locked/prd.md` (mode 0444): the refusal,
/// or `None` if it was written. Either way the file was written whole or
/// not at all, kept its mode, left no temp file, and the server goes on
/// writing elsewhere.
fn ask_into_a_read_only_file() -> Option<String> {
    let kit = kit_with("locked", PRD);
    let root = kit.path();
    let file = root.join("specs/locked/prd.md");
    let _mode = Mode::set(&file, 0o444);
    let Some((mut server, _watchdog)) = server_bound_by_modes(root) else {
        return check_unbound(root, "a read-only file");
    };
    let client = server.client();
    let outcome = check_written_or_refused(client, root, LOCKED, "May I write?");
    assert_eq!(mode(&file), 0o444, "the file keeps its mode");
    assert!(
        strays(&root.join("specs/locked")).is_empty(),
        "a temp file was left"
    );
    check_written(client, root, PLAIN, "Still writing?");
    outcome
}

#[test]
fn a_read_only_spec_file_is_never_lost() {
    ask_into_a_read_only_file();
}

#[test]
fn a_read_only_spec_file_is_refused() {
    let message = ask_into_a_read_only_file().expect("the question is refused");
    assert!(
        message.contains("read-only") || message.contains("ermission denied"),
        "says why: {message}"
    );
}

/// Asks into `specs/locked/prd.md` in a read-only folder (mode 0555): the
/// refusal, having checked that it names the file, that the file is as it
/// was, that no temp file was left and that the server goes on writing
/// elsewhere. `None` when the test runs as root and cannot be bound by
/// the folder's mode.
fn ask_into_a_read_only_folder() -> Option<String> {
    let kit = kit_with("locked", PRD);
    let root = kit.path();
    let folder = root.join("specs/locked");
    let _mode = Mode::set(&folder, 0o555);
    let Some((mut server, _watchdog)) = server_bound_by_modes(root) else {
        return check_unbound(root, "a read-only folder");
    };
    let client = server.client();
    let (result, before, after) = ask(client, root, LOCKED, "May I?");
    let message = refused(&result, "a question into a read-only folder").to_string();
    assert!(
        message.contains("specs/locked/prd.md"),
        "names the file: {message}"
    );
    assert!(after == before, "the file changed");
    assert!(strays(&folder).is_empty(), "a temp file was left");
    check_written(client, root, PLAIN, "Still writing?");
    Some(message)
}

#[test]
fn a_read_only_folder_refuses_the_question_and_keeps_the_file() {
    ask_into_a_read_only_folder();
}

#[test]
fn a_read_only_folder_refusal_says_why() {
    let message = ask_into_a_read_only_folder().expect("bound by the folder's mode");
    assert!(message.contains("ermission denied"), "says why: {message}");
}

/// Asks a question that cannot fit under a file-size limit (`ulimit -f`,
/// so a write past it fails with EFBIG as on a full disk); the refusal,
/// having checked it names the file, the file is byte for byte as it was,
/// no temp file is left, and the server goes on reading and writing.
fn ask_into_a_full_disk() -> String {
    // About 1,000 bytes: under the limit of 2 blocks (1,024 bytes where
    // `ulimit -f` counts 512-byte blocks, 2,048 where it counts KiB), and
    // over it with a question of 1,900 characters.
    let kit = kit_with("full", PRD);
    let root = kit.path();
    let mut spec = String::from("# PRD\n\n## Goals\n");
    let mut goal = 0;
    while spec.len() < 900 {
        goal += 1;
        let _ = writeln!(spec, "- Goal {goal}");
    }
    spec.push_str("\n## Open questions\n- [ ] Q-1: Which currency?\n");
    fs::write(root.join("specs/full/prd.md"), &spec).expect("write the spec");
    // SIGXFSZ ignored, so the write fails instead of the process dying.
    let command = in_shell("trap '' XFSZ\nulimit -f 2", &stdio_command(root, &[]));
    let mut server = StdioServer::spawn(command, CLIENT);
    let _watchdog = Watchdog::new(server.child.id());
    let client = server.client();
    let question = format!("Does this fit? {}", "x".repeat(1_900));
    let (result, before, after) = ask(client, root, ("full", "specs/full/prd.md"), &question);
    let message = refused(&result, "a question past the file-size limit").to_string();
    assert!(
        message.contains("specs/full/prd.md"),
        "names the file: {message}"
    );
    assert!(after == before, "the file changed");
    assert!(
        strays(&root.join("specs/full")).is_empty(),
        "a temp file was left"
    );
    let listed = client.tool("list_questions", &json!({"feature": "full"}));
    assert_eq!(
        answered(&listed, "list_questions")["questions"][0]["id"],
        "Q-1"
    );
    check_written(client, root, PLAIN, "Still writing?");
    message
}

#[test]
fn a_full_disk_refuses_the_question_and_keeps_the_file() {
    ask_into_a_full_disk();
}

#[test]
fn a_full_disk_refusal_says_why() {
    let message = ask_into_a_full_disk();
    assert!(message.contains("File too large"), "says why: {message}");
}

// ---------------------------------------------------------------------------
// The spec root
// ---------------------------------------------------------------------------

#[test]
fn a_missing_root_or_a_file_as_root_exits_2_naming_it() {
    let temp = tempfile::tempdir().expect("temp dir");
    let missing = temp.path().join("no-such-folder");
    let file = temp.path().join("prd.md");
    fs::write(&file, "# PRD\n").expect("write a file");
    for root in [&missing, &file] {
        for mode in [&["serve"][..], &["serve", "--http", "127.0.0.1:0"], &[]] {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_spec-mcp"));
            command
                .args(mode)
                .arg("--root")
                .arg(root)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            for name in crate::support::KIT_ENV {
                command.env_remove(name);
            }
            let child = command.spawn().expect("run spec-mcp");
            let _watchdog = Watchdog::new(child.id());
            let output = child.wait_with_output().expect("its output");
            let what = format!("{mode:?} --root {}", root.display());
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
            assert!(output.stdout.is_empty(), "{what}: nothing on stdout");
            assert!(
                stderr.contains(&root.display().to_string()) && stderr.contains("--root"),
                "{what}: names the path and the option: {stderr}"
            );
        }
    }
}
