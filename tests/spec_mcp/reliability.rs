//! The writer under pressure, from the outside: many processes and an
//! editor writing one spec file at once, and a server killed in the middle
//! of its writes.
//!
//! All drive the real binary. The first checks that no question is lost
//! or written twice, that ids stay unique and that every line someone else
//! wrote survives; the second that a `kill -9` leaves the file as it was
//! before or after a whole append, and nothing but the writer's temp file
//! beside it; the third that the next writer removes that temp file; the
//! last that someone reading the file meanwhile never finds it half written.
#![cfg(unix)]

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use fs4::fs_std::FileExt as _;
use serde_json::{Value, json};
use spec_mcp::model::{DocumentRole, Layout};
use spec_mcp::parse;

use crate::support::{HttpServer, StdioServer, fixture, initialize, repo, rpc, temp_copy};

/// Where questions to the Kiro fixture's one feature go.
const KIRO_SPEC: &str = ".kiro/specs/login/requirements.md";

/// The introduction's one line, under which the editor adds its own.
const INTRODUCTION: &str = "Users sign in with an email and a password.\n";

/// How every line the editor adds begins.
const EDITOR_LINE: &str = "Edited in an editor, save ";

const HTTP_SESSIONS: usize = 8;
const STDIO_SESSIONS: usize = 2;
/// Questions each session asks, as the reliability brief says: 640 in all.
/// In a debug build on two cores this takes 25 to 33 s, against about 10 s
/// for 32 each: every append parses a file that grows with each question.
const QUESTIONS_EACH: usize = 64;

#[test]
fn questions_from_every_process_and_an_editors_saves_all_survive() {
    let kit = temp_copy(&fixture("layouts/kiro"));
    let spec = kit.path().join(KIRO_SPEC);
    let original = fs::read_to_string(&spec).expect("read the spec");
    let server = HttpServer::start(kit.path(), &[]);

    // Every session is opened before any asks, so a failed handshake
    // panics here rather than leaving the others waiting at the start.
    let mut askers: Vec<Asker> = Vec::new();
    for _ in 0..HTTP_SESSIONS {
        let mut session = HttpSession::open(server.authority());
        askers.push(Box::new(move |arguments| {
            session.call("ask_question", arguments)
        }));
    }
    for _ in 0..STDIO_SESSIONS {
        let mut stdio = StdioServer::start(kit.path(), "reliability-stdio");
        askers.push(Box::new(move |arguments| {
            stdio
                .client
                .as_mut()
                .expect("the client")
                .call(
                    "tools/call",
                    &json!({"name": "ask_question", "arguments": arguments}),
                )
                .expect("the stdio server answers")
        }));
    }

    let started = Instant::now();
    let start = Arc::new(Barrier::new(askers.len() + 1));
    let finished = Arc::new(AtomicUsize::new(0));
    let sessions = askers.len();
    let threads: Vec<_> = askers
        .into_iter()
        .enumerate()
        .map(|(session, mut ask)| {
            let start = start.clone();
            let done = Finished(finished.clone());
            std::thread::spawn(move || {
                start.wait();
                let _done = done;
                ask_all(session, &mut ask)
            })
        })
        .collect();
    let editor = {
        let spec = spec.clone();
        let finished = finished.clone();
        std::thread::spawn(move || {
            start.wait();
            let mut saves = 0;
            while finished.load(Ordering::SeqCst) < sessions {
                editor_save(&spec, &format!("{EDITOR_LINE}{saves}."), saves % 2 == 1);
                saves += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            saves
        })
    };
    let mut asked = Vec::new();
    for thread in threads {
        asked.extend(thread.join().expect("a session failed"));
    }
    let saves = editor.join().expect("the editor failed");
    let elapsed = started.elapsed();

    let written = fs::read_to_string(&spec).expect("read the spec");
    check_questions(&written, &asked);
    check_editor_lines(&written, saves);
    check_untouched_bytes(&original, &written);
    assert!(
        saves >= 10,
        "the editor saved only {saves} times in {elapsed:?}: too few to race with"
    );
}

/// Asks `QUESTIONS_EACH` questions in order, each waiting for the last;
/// returns each text with the id the server gave it.
fn ask_all(session: usize, ask: &mut dyn FnMut(&Value) -> Value) -> Vec<(String, String)> {
    (0..QUESTIONS_EACH)
        .map(|n| {
            let text = format!("Question {n} from session {session}?");
            let result = ask(&json!({"feature": "login", "question": text}));
            assert_eq!(result["isError"], false, "{text}: {result}");
            let answer = &result["structuredContent"];
            assert_eq!(answer["created"], true, "{text}: {result}");
            let source = answer["source"].as_str().expect("a source");
            assert!(
                source.starts_with(&format!("{KIRO_SPEC}:")),
                "{text} went to {source}"
            );
            let id = answer["id"].as_str().expect("an id").to_string();
            (text, id)
        })
        .collect()
}

/// Every question asked is in the file exactly once, under the id it was
/// given, and the ids are `Q-1` to `Q-<n>` with none twice.
fn check_questions(written: &str, asked: &[(String, String)]) {
    for (text, id) in asked {
        let lines: Vec<&str> = written
            .lines()
            .filter(|line| line.ends_with(&format!("): {text}")))
            .collect();
        assert_eq!(lines.len(), 1, "{text} once:\n{written}");
        assert!(
            lines[0].starts_with(&format!("- [ ] {id} (")),
            "{text} is {id}: {}",
            lines[0]
        );
    }
    let document = parse::document_in(
        Layout::Kiro,
        Arc::from(KIRO_SPEC),
        DocumentRole::Prd,
        written,
    );
    assert_eq!(document.questions.len(), asked.len(), "{written}");
    let ids: BTreeSet<String> = asked.iter().map(|(_, id)| id.clone()).collect();
    let expected: BTreeSet<String> = (1..=asked.len()).map(|n| format!("Q-{n}")).collect();
    assert_eq!(ids, expected, "each id once, none skipped");
}

/// Sends one `tools/call` and returns its answer: an HTTP session or a
/// stdio process.
type Asker = Box<dyn FnMut(&Value) -> Value + Send>;

/// Every line the editor added is there once, in the order it saved them.
fn check_editor_lines(written: &str, saves: usize) {
    let at = written.find(INTRODUCTION).expect("the introduction") + INTRODUCTION.len();
    let expected = (0..saves).fold(String::new(), |mut lines, save| {
        use std::fmt::Write as _;
        let _ = writeln!(lines, "{EDITOR_LINE}{save}.");
        lines
    });
    assert!(
        written[at..].starts_with(&expected),
        "the editor's {saves} lines, in order, under the introduction:\n{written}"
    );
    assert_eq!(written.matches(EDITOR_LINE).count(), saves, "{written}");
}

/// With the questions and the editor's lines taken out, what is left is the
/// original file and the Open questions heading the first question added.
fn check_untouched_bytes(original: &str, written: &str) {
    let rest: String = written
        .split_inclusive('\n')
        .filter(|line| !line.starts_with(EDITOR_LINE) && !line.starts_with("- [ ] Q-"))
        .collect();
    let added = rest
        .strip_prefix(original)
        .unwrap_or_else(|| panic!("the original bytes are all still there, in order:\n{rest}"));
    assert_eq!(added.trim(), "## Open questions", "{written}");
}

/// Counts a session as finished when its thread ends, even by a panic, so
/// the editor stops.
struct Finished(Arc<AtomicUsize>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Saves `spec` with `line` added at the end of its introduction, the way
/// an editor saves: the whole file read, changed and written back, either
/// in place (truncate, then write) or to a temp file renamed over it.
///
/// It holds the writer's advisory lock while it does. A save that takes no
/// lock is itself a read-modify-write: a question written between its read
/// and its write is erased by it, whatever the server does, so it would
/// make this test fail on any writer. (An unlocked in-place save paused
/// between its truncate and its write is worse: a writer would splice into
/// the file it reads as empty, and the rest of the save would go to the file
/// its rename unlinks. The two tests after this function show that the
/// writer waits, or refuses, instead.)
fn editor_save(spec: &Path, line: &str, in_place: bool) {
    loop {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(spec)
            .expect("open the spec");
        file.lock_exclusive().expect("lock the spec");
        // As the writer does: if a rename replaced the file since it was
        // opened, this lock is on a file no one reads any more.
        let now = fs::metadata(spec).expect("stat the spec");
        let open = file.metadata().expect("stat the open spec");
        if (now.ino(), now.dev()) != (open.ino(), open.dev()) {
            continue;
        }
        let mut text = String::new();
        file.read_to_string(&mut text).expect("read the spec");
        let at = text.find(INTRODUCTION).expect("the introduction") + INTRODUCTION.len();
        let at = at
            + text[at..]
                .split_inclusive('\n')
                .take_while(|line| line.starts_with(EDITOR_LINE))
                .map(str::len)
                .sum::<usize>();
        let saved = format!("{}{line}\n{}", &text[..at], &text[at..]);
        if in_place {
            file.set_len(0).expect("truncate");
            file.seek(SeekFrom::Start(0)).expect("seek");
            file.write_all(saved.as_bytes()).expect("write in place");
        } else {
            let temp = spec.with_file_name("requirements.md.editor-save");
            fs::write(&temp, saved).expect("write the editor's temp file");
            fs::rename(&temp, spec).expect("rename over the spec");
        }
        return;
    }
}

/// An editor that takes no lock truncates the spec, pauses for `pause`,
/// then writes it back with a line added, while a question is asked just
/// after the truncate. Returns the question's answer and what the editor
/// saved.
fn ask_during_an_unlocked_save(root: &Path, pause: Duration) -> (Value, String) {
    let spec = root.join(EXAMPLE_SPEC);
    let original = fs::read_to_string(&spec).expect("read the spec");
    let saved = original.replacen('\n', "\nEdited in an editor.\n", 1);
    let mut server = StdioServer::start(root, "unlocked-editor");
    let mut client = server.client.take().expect("the client");
    // The kit is read before the save starts, as it would be by an agent
    // already at work.
    client
        .call(
            "tools/call",
            &json!({"name": "list_questions", "arguments": {"feature": "image-upload"}}),
        )
        .expect("list_questions answers");
    let mut file = OpenOptions::new()
        .write(true)
        .open(&spec)
        .expect("open the spec");
    file.set_len(0).expect("truncate");
    let asked = std::thread::spawn(move || {
        let arguments =
            json!({"feature": "image-upload", "question": "Which regions hold the uploads?"});
        client
            .call(
                "tools/call",
                &json!({"name": "ask_question", "arguments": arguments}),
            )
            .expect("ask_question answers")
    });
    std::thread::sleep(pause);
    file.write_all(saved.as_bytes()).expect("write in place");
    drop(file);
    (asked.join().expect("the asking thread"), saved)
}

#[test]
fn an_unlocked_save_in_place_that_pauses_briefly_keeps_its_bytes_and_the_question() {
    let kit = temp_copy(&repo().join("specs-example"));
    let (answer, saved) = ask_during_an_unlocked_save(kit.path(), Duration::from_millis(20));
    assert_ne!(
        answer["isError"],
        json!(true),
        "the question was refused: {answer}"
    );
    let written = fs::read_to_string(kit.path().join(EXAMPLE_SPEC)).expect("read the spec");
    let line = written
        .split_inclusive('\n')
        .find(|line| line.contains("Which regions hold the uploads?"))
        .expect("the question is written");
    assert!(line.starts_with("- [ ] Q-"), "not a question: {line:?}");
    assert_eq!(
        written.replacen(line, "", 1),
        saved,
        "the editor's save is not kept byte for byte around the question"
    );
}

#[test]
fn an_unlocked_save_in_place_that_pauses_long_is_not_written_over() {
    let kit = temp_copy(&repo().join("specs-example"));
    let (answer, saved) = ask_during_an_unlocked_save(kit.path(), Duration::from_millis(400));
    assert_eq!(
        answer["isError"],
        json!(true),
        "a question was written into an emptied file: {answer}"
    );
    let message = answer["content"][0]["text"].as_str().unwrap_or_default();
    assert!(
        message.contains("image-upload/prd.md") && message.contains("it is empty"),
        "the refusal does not say what happened: {message}"
    );
    let written = fs::read_to_string(kit.path().join(EXAMPLE_SPEC)).expect("read the spec");
    assert_eq!(written, saved, "the editor's save was lost");
}

/// Kills of a stdio server in the middle of its appends;
/// `SPEC_MCP_KILLS` sets another number, for a longer run.
fn kills() -> u64 {
    std::env::var("SPEC_MCP_KILLS")
        .ok()
        .and_then(|kills| kills.parse().ok())
        .unwrap_or(150)
}

const EXAMPLE_SPEC: &str = "image-upload/prd.md";

#[test]
fn a_server_killed_mid_write_leaves_the_file_before_or_after_a_whole_append() {
    let kit = temp_copy(&repo().join("specs-example"));
    let original = fs::read_to_string(kit.path().join(EXAMPLE_SPEC)).expect("read the spec");
    let mut files = files_under(kit.path());
    let mut wrote = 0;
    let kills = kills();
    for kill in 0..kills {
        let outcome = kill_and_check(kit.path(), &original, kill);
        wrote += u64::from(outcome.written > 0);
        // A kill may leave the writer's own temp file (the next writer
        // removes it, as the test below shows), but no other file.
        let now = files_under(kit.path());
        for path in now.difference(&files) {
            assert!(is_writer_temp(path), "kill {kill} left {path:?}");
        }
        files = now;
    }
    assert!(
        wrote > kills / 4,
        "only {wrote} of {kills} servers wrote before they were killed: the delays are too short"
    );
}

#[test]
fn a_temp_file_a_kill_leaves_is_removed_by_the_next_server() {
    let kit = temp_copy(&repo().join("specs-example"));
    let original = fs::read_to_string(kit.path().join(EXAMPLE_SPEC)).expect("read the spec");
    let files = files_under(kit.path());
    let left = (0..kills())
        .find_map(|kill| {
            kill_and_check(kit.path(), &original, kill);
            let left: Vec<PathBuf> = files_under(kit.path())
                .difference(&files)
                .cloned()
                .collect();
            (!left.is_empty()).then_some(left)
        })
        .expect("a kill during a write leaves its temp file");
    let mut server = StdioServer::start(kit.path(), "after-the-kill");
    let ask = json!({"name": "ask_question", "arguments": {
        "feature": "image-upload", "question": "Is the temp file gone?"}});
    let client = server.client.as_mut().expect("the client");
    client.call("tools/call", &ask).expect("an answer");
    drop(server);
    let still_there: Vec<PathBuf> = files_under(kit.path())
        .difference(&files)
        .cloned()
        .collect();
    assert!(
        still_there.is_empty(),
        "{left:?} left by a kill; {still_there:?} still there after a server started and wrote"
    );
}

/// What one killed server did.
struct Outcome {
    written: usize,
}

/// Resets the spec to `original`, runs a server until it is killed, and
/// checks the spec is the file as it was before the questions plus the
/// first few of them, each whole, in the order sent: at least every one
/// answered, at most every one sent.
fn kill_and_check(root: &Path, original: &str, kill: u64) -> Outcome {
    let spec = root.join(EXAMPLE_SPEC);
    // Every round starts from the original, so every append costs the same
    // and the delays mean the same.
    fs::write(&spec, original).expect("reset the spec");
    let texts: Vec<String> = (0..64)
        .map(|n| format!("Kill {kill}, question {n}?"))
        .collect();
    let round = ask_until_killed(root, &texts, splitmix64(kill));
    let context = format!(
        "kill {kill} after {:?}, {} answered, {} sent",
        round.delay, round.answered, round.sent
    );
    let warm_up = round
        .before
        .strip_prefix(original)
        .expect("the original plus the warm-up");
    check_appended(original, &[warm_up], &[round.warm_up], &context);
    let written = fs::read_to_string(&spec).expect("read the spec");
    let added = written.strip_prefix(&round.before).unwrap_or_else(|| {
        panic!("{context}: not the file before plus whole questions:\n{written}")
    });
    let lines: Vec<&str> = added.split_inclusive('\n').collect();
    assert!(
        (round.answered..=round.sent).contains(&lines.len()),
        "{context}: {} questions written:\n{added}",
        lines.len()
    );
    check_appended(&round.before, &lines, &texts, &context);
    Outcome {
        written: lines.len(),
    }
}

/// A temp file the writer makes beside the image-upload spec.
fn is_writer_temp(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    path.parent() == Some(Path::new("image-upload"))
        && name.starts_with(".prd.md.")
        && std::path::Path::new(name)
            .extension()
            .is_some_and(|extension| extension == "tmp")
}

/// One server's life: what the file held when the timed questions began,
/// and how many were answered and sent before the kill.
struct Round {
    warm_up: String,
    before: String,
    delay: Duration,
    answered: usize,
    sent: usize,
}

/// Starts a server on `root` and asks one question, timing its answer;
/// then sends `texts` one after another (each once the last is answered)
/// and SIGKILLs the server after a delay drawn from `random`: from none to
/// twice what the first answer took, so the kill lands anywhere in the
/// first appends, whatever the build and the machine.
fn ask_until_killed(root: &Path, texts: &[String], random: u64) -> Round {
    let mut server = StdioServer::start(root, "crash-test");
    let mut client = server.client.take().expect("the client");
    let warm_up = format!("Warm-up before {}", texts[0]);
    let ask = json!({"name": "ask_question", "arguments": {
        "feature": "image-upload", "question": warm_up}});
    let timer = Instant::now();
    let answer = client.call("tools/call", &ask).expect("an answer");
    let took = timer.elapsed();
    assert_eq!(answer["isError"], false, "{answer}");
    let delay = Duration::from_micros(random % (2 * took.as_micros().max(1) as u64));
    let before = fs::read_to_string(root.join(EXAMPLE_SPEC)).expect("read the spec");
    let answered = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(AtomicUsize::new(0));
    let asker = {
        let texts = texts.to_vec();
        let (answered, sent) = (answered.clone(), sent.clone());
        std::thread::spawn(move || {
            for text in texts {
                sent.fetch_add(1, Ordering::SeqCst);
                let ask = json!({"name": "ask_question", "arguments": {
                    "feature": "image-upload", "question": text}});
                let Some(answer) = client.call("tools/call", &ask) else {
                    return;
                };
                assert_eq!(answer["isError"], false, "{text}: {answer}");
                answered.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    std::thread::sleep(delay);
    server.child.kill().expect("kill the server");
    server.child.wait().expect("reap the server");
    asker.join().expect("the client failed");
    Round {
        warm_up,
        before,
        delay,
        answered: answered.load(Ordering::SeqCst),
        sent: sent.load(Ordering::SeqCst),
    }
}

/// `lines` are the first of `texts`, in order, each a whole open question
/// numbered on from those in `before`, and the file parses with them.
fn check_appended(before: &str, lines: &[&str], texts: &[String], context: &str) {
    let parsed = |text: &str| {
        parse::document_in(
            Layout::Native,
            Arc::from(EXAMPLE_SPEC),
            DocumentRole::Prd,
            text,
        )
    };
    let earlier = parsed(before).questions;
    let next = earlier
        .iter()
        .filter_map(|question| question.number)
        .max()
        .unwrap_or(0)
        + 1;
    for (n, (line, text)) in lines.iter().zip(texts).enumerate() {
        let id = format!("Q-{}", next + n as u32);
        assert!(
            line.starts_with(&format!("- [ ] {id} (")) && line.ends_with(&format!("): {text}\n")),
            "{context}: line {n} is not {id} asking {text:?}: {line:?}"
        );
    }
    let mut after = before.to_string();
    after.extend(lines.iter().copied());
    let questions = parsed(&after).questions;
    assert_eq!(questions.len(), earlier.len() + lines.len(), "{context}");
    for (question, text) in questions[earlier.len()..].iter().zip(texts) {
        assert_eq!(&question.text, text, "{context}");
        assert!(!question.answered, "{context}");
    }
}

/// Every file under `root`, relative to it.
fn files_under(root: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("read a folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.insert(path.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    files
}

/// One step of `SplitMix64`: a well-mixed number from any seed.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A Streamable HTTP session (protocol 2025-06-18) over raw HTTP/1.1, one
/// connection per request.
struct HttpSession {
    authority: String,
    id: String,
    next_id: u64,
}

impl HttpSession {
    fn open(authority: &str) -> HttpSession {
        HttpSession {
            authority: authority.to_string(),
            id: initialize(authority, &[]),
            next_id: 2,
        }
    }

    /// Calls a tool; its result.
    fn call(&mut self, tool: &str, arguments: &Value) -> Value {
        let params = json!({"name": tool, "arguments": arguments});
        let reply = rpc(
            &self.authority,
            &self.id,
            self.next_id,
            "tools/call",
            &params,
        );
        self.next_id += 1;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.message()["result"].clone()
    }
}

/// Questions asked while another process reads the file as fast as it can.
const WATCHED_APPENDS: usize = 150;

/// Someone reading a spec file while questions are appended (an editor
/// reloading it, a second server, `git diff`) sees it whole: as it was
/// before an append or after it, never empty and never cut short. Written
/// in place, a file is empty between the truncate and the write, and a
/// reader in a tight loop lands there.
#[test]
fn a_reader_never_sees_a_spec_file_half_written() {
    let kit = temp_copy(&fixture("layouts/kiro"));
    let spec = kit.path().join(KIRO_SPEC);
    let original = fs::read_to_string(&spec).expect("read the spec");
    let head = original[..original.find(INTRODUCTION).expect("the introduction")].to_string();
    let last_line = original
        .trim_end()
        .rsplit('\n')
        .next()
        .expect("a last line")
        .to_string();
    let mut server = StdioServer::start(kit.path(), "reliability-reader");

    let done = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (spec, done) = (spec.clone(), done.clone());
        let last_line = last_line.clone();
        std::thread::spawn(move || {
            let (mut reads, mut torn) = (0_usize, Vec::new());
            while done.load(Ordering::SeqCst) == 0 {
                let Ok(text) = fs::read(&spec) else {
                    torn.push("the file was missing".to_string());
                    continue;
                };
                reads += 1;
                let whole = text.starts_with(head.as_bytes())
                    && text.ends_with(b"\n")
                    && std::str::from_utf8(&text)
                        .is_ok_and(|text| text.contains(last_line.as_str()));
                if !whole && torn.len() < 5 {
                    torn.push(format!(
                        "{} bytes: {:?}",
                        text.len(),
                        String::from_utf8_lossy(&text[text.len().saturating_sub(80)..])
                    ));
                }
            }
            (reads, torn)
        })
    };
    let client = server.client.as_mut().expect("the client");
    for n in 0..WATCHED_APPENDS {
        let text = format!("Is reading number {n} safe while we write?");
        let result = client.tool(
            "ask_question",
            &json!({"feature": "login", "question": text}),
        );
        assert_eq!(result["isError"], false, "{text}: {result}");
    }
    done.store(1, Ordering::SeqCst);
    let (reads, torn) = reader.join().expect("the reader");
    assert!(torn.is_empty(), "a reader saw the file torn: {torn:#?}");
    // Enough reads that the reader was there while files were swapped in.
    assert!(
        reads > WATCHED_APPENDS,
        "only {reads} reads during {WATCHED_APPENDS} appends"
    );
    let written = fs::read_to_string(&spec).expect("read the spec");
    assert_eq!(
        written.matches("Is reading number ").count(),
        WATCHED_APPENDS,
        "every question is in the file once"
    );
}
