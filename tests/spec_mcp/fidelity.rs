//! The fidelity suite: real public kits (`tests/fidelity/kits/<owner>__<repo>/`,
//! each with its licence and `SOURCE.md`), and for each what a careful reader
//! of its files says the tools must answer (`checks.json`, every check with
//! its reason). The kits were chosen and the checks written from the files
//! alone, never from the server's answers.
//!
//! Every check must pass, except those marked `known_gap` (a reason why the
//! server still reads it otherwise): those must still fail, so a fix is
//! noticed and the mark removed. The pass rate is printed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use spec_mcp::service::Defaults;

use crate::mcp::{Session, kit};
use crate::support::{note, repo, temp_copy};

fn kits() -> Vec<PathBuf> {
    let dir = repo().join("tests").join("fidelity").join("kits");
    let mut kits: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("read {}: {error}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("checks.json").is_file())
        .collect();
    kits.sort();
    kits
}

/// One answer, or the refusal the server gave instead.
enum Outcome {
    Answer(Value),
    Refused(String),
}

/// Every `source` anywhere in an answer.
fn sources(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("source", Value::String(source)) => {
                        found.insert(source.clone());
                    }
                    _ => sources(value, found),
                }
            }
        }
        Value::Array(values) => values.iter().for_each(|value| sources(value, found)),
        _ => {}
    }
}

fn source_set(items: &Value) -> BTreeSet<String> {
    items
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["source"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn string_set(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected a list of sources: {value}"))
        .iter()
        .map(|source| source.as_str().expect("a source").to_string())
        .collect()
}

/// Calls the tool; for `list_tasks`, follows every cursor and joins the
/// pages.
async fn outcome(session: &Session, tool: &str, args: &Value) -> Outcome {
    let result = session.call(tool, args.clone()).await;
    if result.is_error == Some(true) {
        let text = result
            .content
            .first()
            .and_then(|content| content.as_text())
            .map(|text| text.text.clone())
            .unwrap_or_default();
        return Outcome::Refused(text);
    }
    let (_, mut answer) = session.ok(tool, args.clone()).await;
    if tool == "list_tasks" {
        while let Some(cursor) = answer["next_cursor"].as_str().map(str::to_string) {
            let mut next = args.clone();
            next["cursor"] = json!(cursor);
            let (_, page) = session.ok(tool, next).await;
            let rows = page["tasks"].as_array().cloned().unwrap_or_default();
            answer["tasks"].as_array_mut().expect("tasks").extend(rows);
            answer["next_cursor"] = page["next_cursor"].clone();
        }
    }
    Outcome::Answer(answer)
}

/// What is wrong with an answer, measured against one check; empty when it
/// passes.
fn judge(tool: &str, check: &Map<String, Value>, outcome: &Outcome) -> Vec<String> {
    let mut wrong = Vec::new();
    let answer = match outcome {
        Outcome::Refused(message) => {
            match check.get("error").and_then(Value::as_str) {
                Some(expected) if message.contains(expected) => {}
                Some(expected) => {
                    wrong.push(format!("refused with `{message}`, not `{expected}`"));
                }
                None => wrong.push(format!("refused: {message}")),
            }
            return wrong;
        }
        Outcome::Answer(answer) => answer,
    };
    let mut everywhere = BTreeSet::new();
    sources(answer, &mut everywhere);
    for (key, expected) in check {
        match key.as_str() {
            "id" | "tool" | "args" | "reason" | "known_gap" => {}
            "error" => wrong.push("answered, but a careful reader finds no answer".to_string()),
            "feature" => {
                if answer["feature"]["id"] != *expected {
                    wrong.push(format!(
                        "feature {} instead of {expected}",
                        answer["feature"]["id"]
                    ));
                }
            }
            "task" => {
                let got = match tool {
                    "list_tasks" => &answer["current"],
                    _ => &answer["task"]["id"],
                };
                if got != expected {
                    wrong.push(format!("task {got} instead of {expected}"));
                }
            }
            "task_criteria"
            | "feature_criteria_include"
            | "present"
            | "constraints_include"
            | "absent"
            | "scope" => {
                wrong.extend(compare_sources(tool, key, expected, answer, &everywhere));
            }
            "task_count" => {
                let got = answer["tasks"].as_array().map_or(0, Vec::len);
                if Some(got as u64) != expected.as_u64() {
                    wrong.push(format!("{got} tasks listed instead of {expected}"));
                }
            }
            "task_status" => {
                let statuses: BTreeMap<String, Value> = answer["tasks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|row| {
                        Some((row["id"].as_str()?.to_string(), row["status"].clone()))
                    })
                    .collect();
                for (id, status) in expected.as_object().expect("task_status is an object") {
                    match statuses.get(id) {
                        Some(got) if got == status => {}
                        Some(got) => wrong.push(format!("task {id} is {got}, not {status}")),
                        None => wrong.push(format!("task {id} is not listed")),
                    }
                }
            }
            "questions" => {
                let listed = answer["questions"].as_array().cloned().unwrap_or_default();
                for question in expected.as_array().expect("questions is a list") {
                    let source = &question["source"];
                    let want = if question["answered"] == json!(true) {
                        "answered"
                    } else {
                        "open"
                    };
                    match listed.iter().find(|listed| listed["source"] == *source) {
                        Some(found) if found["status"] == want => {}
                        Some(found) => {
                            wrong.push(format!(
                                "question at {source} is {}, not {want}",
                                found["status"]
                            ));
                        }
                        None => wrong.push(format!("no question at {source}")),
                    }
                }
            }
            other => panic!(
                "unknown expectation `{other}` in check {:?}",
                check.get("id")
            ),
        }
    }
    wrong
}

/// What is wrong with the sources an answer lists, for an expectation that
/// names sources.
fn compare_sources(
    tool: &str,
    key: &str,
    expected: &Value,
    answer: &Value,
    everywhere: &BTreeSet<String>,
) -> Vec<String> {
    let mut wrong = Vec::new();
    match key {
        "task_criteria" => {
            let field = match tool {
                "get_current_task" => "acceptance_criteria",
                _ => "task_criteria",
            };
            let got = source_set(&answer[field]);
            let want = string_set(expected);
            if got != want {
                wrong.push(format!(
                    "task criteria: missing {:?}, extra {:?}",
                    want.difference(&got).collect::<Vec<_>>(),
                    got.difference(&want).collect::<Vec<_>>()
                ));
            }
        }
        "feature_criteria_include" => {
            let got = source_set(&answer["feature_criteria"]);
            let missing: Vec<String> = string_set(expected).difference(&got).cloned().collect();
            if !missing.is_empty() {
                wrong.push(format!("feature criteria lack {missing:?}"));
            }
        }
        "present" | "constraints_include" => {
            let within = match key {
                "constraints_include" => source_set(&answer["constraints"]),
                _ => everywhere.clone(),
            };
            let missing: Vec<String> = string_set(expected).difference(&within).cloned().collect();
            if !missing.is_empty() {
                wrong.push(format!("{key}: missing {missing:?}"));
            }
        }
        "absent" => {
            let shown: Vec<String> = string_set(expected)
                .intersection(everywhere)
                .cloned()
                .collect();
            if !shown.is_empty() {
                wrong.push(format!("shows what it must not: {shown:?}"));
            }
        }
        "scope" => {
            let got = source_set(&answer["items"]);
            let want = string_set(expected);
            if got != want {
                wrong.push(format!(
                    "out of scope: missing {:?}, extra {:?}",
                    want.difference(&got).collect::<Vec<_>>(),
                    got.difference(&want).collect::<Vec<_>>()
                ));
            }
        }
        _ => unreachable!("not a source expectation: {key}"),
    }
    wrong
}

struct Tally {
    passed: usize,
    total: usize,
    /// Checks that fail and are not marked as known gaps.
    failures: Vec<String>,
    /// Checks marked as known gaps that pass now.
    fixed: Vec<String>,
}

async fn run_kit(dir: &Path, tally: &mut Tally) {
    let name = dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let text = fs::read_to_string(dir.join("checks.json")).expect("read checks.json");
    let checks: Value =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{name}/checks.json: {error}"));
    for required in ["LICENSE", "SOURCE.md"] {
        assert!(
            dir.join(required).is_file(),
            "{name}: a copied kit keeps its {required}"
        );
    }
    // A copy, so nothing a tool does can touch the kit in the repository.
    let root = temp_copy(&dir.join("root"));
    let mut session =
        Session::in_process(&kit(root.path(), true, Defaults::default()), root.path()).await;
    // Real kits wrap items over several lines.
    session.whole_lines = false;
    for check in checks["checks"].as_array().expect("a `checks` list") {
        let check = check.as_object().expect("a check is an object");
        let id = check["id"].as_str().expect("a check id");
        assert!(
            check
                .get("reason")
                .and_then(Value::as_str)
                .is_some_and(|reason| !reason.is_empty()),
            "{name}/{id} gives no reason"
        );
        let tool = check["tool"].as_str().expect("a tool");
        let args = check.get("args").cloned().unwrap_or_else(|| json!({}));
        let wrong = judge(tool, check, &outcome(&session, tool, &args).await);
        let known_gap = check.get("known_gap").and_then(Value::as_str);
        tally.total += 1;
        match (wrong.is_empty(), known_gap) {
            (true, None) => tally.passed += 1,
            (true, Some(_)) => {
                tally.passed += 1;
                tally.fixed.push(format!("{name}/{id}"));
            }
            (false, Some(gap)) => note(&format!(
                "fidelity: known gap {name}/{id}: {gap}: {}",
                wrong.join("; ")
            )),
            (false, None) => tally
                .failures
                .push(format!("{name}/{id} ({tool}): {}", wrong.join("; "))),
        }
    }
    session.close().await;
}

#[tokio::test]
async fn real_kits_read_as_a_careful_person_reads_them() {
    let kits = kits();
    assert!(
        kits.len() >= 6,
        "the suite holds at least six kits, found {}",
        kits.len()
    );
    let mut tally = Tally {
        passed: 0,
        total: 0,
        failures: Vec::new(),
        fixed: Vec::new(),
    };
    for dir in &kits {
        run_kit(dir, &mut tally).await;
    }
    note(&format!(
        "fidelity: {} of {} checks pass on {} real kits",
        tally.passed,
        tally.total,
        kits.len()
    ));
    assert!(
        tally.total >= 60,
        "at least 60 checks, found {}",
        tally.total
    );
    assert!(
        tally.fixed.is_empty(),
        "these known gaps pass now: remove their `known_gap` mark: {:#?}",
        tally.fixed
    );
    assert!(
        tally.failures.is_empty(),
        "{} checks differ from a careful reader:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}
