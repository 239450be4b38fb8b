//! Puts one server entry into a client's config text by splicing: the
//! entry's bytes are replaced, or new bytes inserted after the last server,
//! and every other byte of the file stays as it was (other servers, other
//! keys and their order, formatting, comments). The result is read back
//! and compared with what was meant before anyone writes it.
//!
//! Pure: text in, text out; `install` does the reading and writing.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use thiserror::Error;

use super::jsonc::{self, Dialect, Kind, Node, ParseError};

/// Where the entry goes: `{ <servers>: { <name>: entry } }`.
#[derive(Debug, Clone, Copy)]
pub struct Slot<'a> {
    /// The top-level key holding the servers (`mcpServers`, `servers`).
    pub servers: &'a str,
    /// The entry's name among them.
    pub name: &'a str,
    pub dialect: Dialect,
}

/// What merging did to the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// The file already holds this entry (compared by meaning).
    Unchanged,
    /// The entry is new; `text` is the whole new file.
    Added { text: String },
    /// Another entry of that name was there; `old` is it as it was and
    /// `new` as it is now (the user's own keys in it kept), both laid out
    /// alike for showing, with environment values hidden; `text` is the
    /// whole new file.
    Replaced {
        text: String,
        old: String,
        new: String,
    },
}

#[derive(Debug, Error)]
pub enum MergeError {
    #[error("it is not valid {}: {error}", if *.dialect == Dialect::Jsonc { "JSONC" } else { "JSON" })]
    Parse { error: ParseError, dialect: Dialect },
    #[error("{what} is {kind}, not an object")]
    NotAnObject { what: String, kind: &'static str },
    #[error("{what} appears {count} times; remove all but one")]
    Repeated { what: String, count: usize },
    /// Splicing went wrong: a defect, caught before anything is written.
    #[error("the merged file would not hold what was meant (nothing was written): {0}")]
    Verify(String),
}

/// The config text with the entry in its slot. An empty (or blank) text is
/// a file that does not exist yet.
pub fn merge<E: Serialize>(text: &str, slot: Slot<'_>, entry: &E) -> Result<Merged, MergeError> {
    let wanted = serde_json::to_value(entry).expect("an entry is plain data");
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if text.trim().is_empty() {
        let file = BTreeMap::from([(slot.servers, BTreeMap::from([(slot.name, entry)]))]);
        let mut fresh = render(&file, "  ", "", newline);
        fresh.push_str(newline);
        return Ok(Merged::Added { text: fresh });
    }
    let root = jsonc::parse(text, slot.dialect).map_err(|error| MergeError::Parse {
        error,
        dialect: slot.dialect,
    })?;
    let Kind::Object(_) = &root.kind else {
        return Err(MergeError::NotAnObject {
            what: "the top level".to_string(),
            kind: root.kind_name(),
        });
    };
    let unit = indent_unit(text, &root);
    let servers_name = format!("`{}`", slot.servers);
    check_once(&root, slot.servers, &servers_name)?;
    let spliced = match root.member(slot.servers) {
        None => {
            let value = BTreeMap::from([(slot.name, entry)]);
            insert(text, &root, slot.servers, &value, &unit, newline)
        }
        Some(servers) => {
            let servers = &servers.value;
            let Kind::Object(_) = &servers.kind else {
                return Err(MergeError::NotAnObject {
                    what: servers_name,
                    kind: servers.kind_name(),
                });
            };
            check_once(
                servers,
                slot.name,
                &format!("`{}` in {servers_name}", slot.name),
            )?;
            match servers.member(slot.name) {
                None => insert(text, servers, slot.name, entry, &unit, newline),
                Some(existing) => {
                    let updated = updated_entry(&existing.value, &wanted);
                    if existing.value.to_value() == updated.value() {
                        return Ok(Merged::Unchanged);
                    }
                    let span = existing.value.span.clone();
                    let replacement = match own_line_indent(text, existing.key_span.start) {
                        Some(base) => render(&updated, &unit, base, newline),
                        None => compact(&updated),
                    };
                    let old = shown(existing.value.to_value());
                    let mut spliced = text.to_string();
                    spliced.replace_range(span, &replacement);
                    let new = shown(updated.value());
                    verify(text, &spliced, slot, &updated.value())?;
                    return Ok(Merged::Replaced {
                        text: spliced,
                        old,
                        new,
                    });
                }
            }
        }
    };
    verify(text, &spliced, slot, &wanted)?;
    Ok(Merged::Added { text: spliced })
}

/// An entry laid out for a person to compare, each environment variable's
/// value hidden: it may be a token.
fn shown(mut entry: Value) -> String {
    if let Some(Value::Object(env)) = entry.get_mut("env") {
        for value in env.values_mut() {
            *value = Value::String("…".to_string());
        }
    }
    render(&entry, "  ", "", "\n")
}

/// An entry's members in the order they are written.
struct Ordered(Vec<(String, Value)>);

impl Ordered {
    fn value(&self) -> Value {
        Value::Object(self.0.iter().cloned().collect())
    }
}

impl Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The keys of a server entry that say how to reach it, by transport: an
/// entry switched from one to the other loses the other's.
const STDIO_KEYS: [&str; 2] = ["command", "args"];
const HTTP_KEYS: [&str; 1] = ["url"];

/// What an existing entry becomes: `wanted`'s keys set, where they were in
/// the file, the user's other keys (a timeout, an `alwaysAllow` list,
/// headers) kept, and the user's environment variables kept under ours.
/// Only the keys of the transport no longer used go.
fn updated_entry(existing: &Node, wanted: &Value) -> Ordered {
    let Value::Object(wanted) = wanted else {
        unreachable!("an entry is an object");
    };
    let Kind::Object(members) = &existing.kind else {
        return Ordered(wanted.clone().into_iter().collect());
    };
    let stale: &[&str] = if wanted.contains_key("url") {
        &STDIO_KEYS
    } else {
        &HTTP_KEYS
    };
    let mut updated: Vec<(String, Value)> = Vec::new();
    for member in members {
        if stale.contains(&member.key.as_str()) && !wanted.contains_key(&member.key) {
            continue;
        }
        let value = match (wanted.get(&member.key), member.value.to_value()) {
            (Some(Value::Object(ours)), Value::Object(mut theirs)) if member.key == "env" => {
                theirs.extend(ours.clone());
                Value::Object(theirs)
            }
            (Some(ours), _) => ours.clone(),
            (None, theirs) => theirs,
        };
        updated.push((member.key.clone(), value));
    }
    for (key, value) in wanted {
        if !updated.iter().any(|(kept, _)| kept == key) {
            updated.push((key.clone(), value.clone()));
        }
    }
    Ordered(updated)
}

/// The entry as `merge` writes it into a new file, for showing it.
pub fn render_entry<E: Serialize>(name: &str, entry: &E) -> String {
    format!("{}: {}", compact(&name), render(entry, "  ", "", "\n"))
}

fn check_once(object: &Node, key: &str, what: &str) -> Result<(), MergeError> {
    match object.count(key) {
        0 | 1 => Ok(()),
        count => Err(MergeError::Repeated {
            what: what.to_string(),
            count,
        }),
    }
}

/// `key: value` added as the last member of `object`, laid out like its siblings: one per line at their indent, or
/// on one line when they share one.
fn insert<V: Serialize>(
    text: &str,
    object: &Node,
    key: &str,
    value: &V,
    unit: &str,
    newline: &str,
) -> String {
    let Kind::Object(members) = &object.kind else {
        unreachable!("insert is given objects");
    };
    let container = line_indent(text, object.span.start);
    let mut spliced = text.to_string();
    if let Some(last) = members.last() {
        let first = &members[0];
        let piece = match own_line_indent(text, first.key_span.start) {
            Some(base) => format!(
                ",{newline}{base}{}: {}",
                compact(&key),
                render(value, unit, base, newline)
            ),
            None => format!(", {}: {}", compact(&key), compact(value)),
        };
        spliced.insert_str(last.value.span.end, &piece);
        return spliced;
    }
    let base = format!("{container}{unit}");
    let member = format!(
        "{newline}{base}{}: {}",
        compact(&key),
        render(value, unit, &base, newline)
    );
    let inside = object.span.start + 1..object.span.end - 1;
    if text[inside.clone()].trim().is_empty() {
        // `{}` or `{ }`: the member on its own line, the brace on the next.
        spliced.replace_range(inside, &format!("{member}{newline}{container}"));
    } else {
        // Only comments inside: they stay, after the member.
        spliced.insert_str(inside.start, &member);
    }
    spliced
}

/// Reads the spliced text back: it must parse, hold the entry, and
/// otherwise mean exactly what the original meant.
fn verify(original: &str, spliced: &str, slot: Slot<'_>, wanted: &Value) -> Result<(), MergeError> {
    let meaning = |text: &str| {
        jsonc::parse(text, slot.dialect)
            .map(|node| node.to_value())
            .map_err(|error| MergeError::Verify(error.to_string()))
    };
    let mut expected = meaning(original)?;
    let servers = expected
        .as_object_mut()
        .expect("checked to be an object")
        .entry(slot.servers)
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    servers
        .as_object_mut()
        .expect("checked to be an object")
        .insert(slot.name.to_string(), wanted.clone());
    if meaning(spliced)? == expected {
        Ok(())
    } else {
        Err(MergeError::Verify(format!(
            "`{}` in `{}` or another value came out different",
            slot.name, slot.servers
        )))
    }
}

/// The indentation one level adds in this file: the top level's first
/// key's, when it sits on a line of its own; two spaces otherwise.
fn indent_unit(text: &str, root: &Node) -> String {
    if let Kind::Object(members) = &root.kind
        && let Some(first) = members.first()
        && let Some(indent) = own_line_indent(text, first.key_span.start)
    {
        let outer = line_indent(text, root.span.start);
        if let Some(unit) = indent.strip_prefix(outer).filter(|unit| !unit.is_empty()) {
            return unit.to_string();
        }
    }
    "  ".to_string()
}

/// The whitespace before `at` when nothing else precedes it on its line.
fn own_line_indent(text: &str, at: usize) -> Option<&str> {
    let start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
    let before = &text[start..at];
    before
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(before)
}

/// The whitespace that starts the line holding `at`.
fn line_indent(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Pretty JSON, `unit` per level, every line after the first starting at
/// `base`.
fn render<T: Serialize + ?Sized>(value: &T, unit: &str, base: &str, newline: &str) -> String {
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    value
        .serialize(&mut serializer)
        .expect("plain data serializes");
    let pretty = String::from_utf8(bytes).expect("serde_json writes UTF-8");
    pretty.replace('\n', &format!("{newline}{base}"))
}

fn compact<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::{Dialect, MergeError, Merged, Slot, merge};

    const CLAUDE: Slot<'static> = Slot {
        servers: "mcpServers",
        name: "spec-mcp",
        dialect: Dialect::Json,
    };

    fn entry() -> Value {
        json!({"command": "/bin/spec-mcp"})
    }

    fn added(text: &str, slot: Slot<'_>) -> String {
        match merge(text, slot, &entry()) {
            Ok(Merged::Added { text }) => text,
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn a_new_file_holds_only_the_entry() {
        assert_eq!(
            added("", CLAUDE),
            "{\n  \"mcpServers\": {\n    \"spec-mcp\": {\n      \"command\": \"/bin/spec-mcp\"\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn adds_after_the_last_server_in_the_files_indentation() {
        let text = "{\n    \"mcpServers\": {\n        \"other\": {\"command\": \"x\"}\n    },\n    \"theme\": 1\n}\n";
        assert_eq!(
            added(text, CLAUDE),
            "{\n    \"mcpServers\": {\n        \"other\": {\"command\": \"x\"},\n        \"spec-mcp\": {\n            \"command\": \"/bin/spec-mcp\"\n        }\n    },\n    \"theme\": 1\n}\n"
        );
    }

    #[test]
    fn adds_the_servers_key_last_when_missing() {
        assert_eq!(
            added("{\r\n  \"a\": true\r\n}", CLAUDE),
            "{\r\n  \"a\": true,\r\n  \"mcpServers\": {\r\n    \"spec-mcp\": {\r\n      \"command\": \"/bin/spec-mcp\"\r\n    }\r\n  }\r\n}"
        );
        assert_eq!(
            added("{\"a\": true}", CLAUDE),
            "{\"a\": true, \"mcpServers\": {\"spec-mcp\":{\"command\":\"/bin/spec-mcp\"}}}"
        );
    }

    #[test]
    fn fills_an_empty_object_and_keeps_comments() {
        assert_eq!(
            added("{\"mcpServers\": {}}", CLAUDE),
            "{\"mcpServers\": {\n  \"spec-mcp\": {\n    \"command\": \"/bin/spec-mcp\"\n  }\n}}"
        );
        let vscode = Slot {
            servers: "servers",
            dialect: Dialect::Jsonc,
            ..CLAUDE
        };
        let text = "{\n  // mine\n  \"servers\": { /* none yet */ },\n}\n";
        let merged = added(text, vscode);
        assert!(
            merged.contains("// mine") && merged.contains("/* none yet */"),
            "{merged}"
        );
    }

    #[test]
    fn replaces_only_the_entry_and_says_what_it_was() {
        let text = "{\"mcpServers\": {\n  \"spec-mcp\": {\"command\": \"old\"},\n  \"b\": 2\n}}";
        let Ok(Merged::Replaced { text, old, .. }) = merge(text, CLAUDE, &entry()) else {
            panic!("replaced");
        };
        assert_eq!(old, "{\n  \"command\": \"old\"\n}");
        assert_eq!(
            text,
            "{\"mcpServers\": {\n  \"spec-mcp\": {\n    \"command\": \"/bin/spec-mcp\"\n  },\n  \"b\": 2\n}}"
        );
        assert_eq!(merge(&text, CLAUDE, &entry()).unwrap(), Merged::Unchanged);
    }

    /// Any JSON value, a few levels deep, with keys that sometimes are
    /// the ones `merge` looks for.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::from),
            "[a-z\\\\\"é/ ]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(("mcpServers|spec-mcp|[a-z]{1,4}", inner), 0..4)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(text in "[{}\\[\\]\":,/* \n\ta-z0-9]{0,64}") {
            for dialect in [Dialect::Json, Dialect::Jsonc] {
                let _ = merge(&text, Slot { dialect, ..CLAUDE }, &entry());
            }
        }

        #[test]
        fn keeps_every_other_value_of_any_config(
            members in prop::collection::vec(("mcpServers|[a-z]{1,4}", any_json()), 0..5),
            servers in prop::collection::vec(("spec-mcp|[a-z]{1,4}", any_json()), 0..4),
            pretty: bool,
        ) {
            let mut config: serde_json::Map<String, Value> = members.into_iter().collect();
            config.insert("mcpServers".to_string(), Value::Object(servers.into_iter().collect()));
            let config = Value::Object(config);
            let text = if pretty {
                serde_json::to_string_pretty(&config).unwrap()
            } else {
                config.to_string()
            };
            let merged = match merge(&text, CLAUDE, &entry()).unwrap() {
                Merged::Unchanged => text.clone(),
                Merged::Added { text } | Merged::Replaced { text, .. } => text,
            };
            // An entry of ours that was there keeps the user's own keys,
            // losing only the other transport's `url`.
            let ours = match config["mcpServers"].get("spec-mcp") {
                Some(Value::Object(theirs)) => {
                    let mut kept = theirs.clone();
                    kept.remove("url");
                    kept.extend(entry().as_object().unwrap().clone());
                    Value::Object(kept)
                }
                _ => entry(),
            };
            let mut expected = config;
            expected["mcpServers"]["spec-mcp"] = ours;
            prop_assert_eq!(serde_json::from_str::<Value>(&merged).unwrap(), expected);
        }
    }

    #[test]
    fn refuses_what_it_cannot_merge_into() {
        let refusal = |text: &str| merge(text, CLAUDE, &entry()).unwrap_err().to_string();
        assert_eq!(refusal("[]"), "the top level is an array, not an object");
        assert_eq!(
            refusal("{\"mcpServers\": []}"),
            "`mcpServers` is an array, not an object"
        );
        assert_eq!(
            refusal("{\"mcpServers\": {}, \"mcpServers\": {}}"),
            "`mcpServers` appears 2 times; remove all but one"
        );
        assert!(refusal("{,}").starts_with("it is not valid JSON: line 1, column 2"));
        assert!(matches!(
            merge("{} // x", CLAUDE, &entry()),
            Err(MergeError::Parse { .. })
        ));
    }
}
