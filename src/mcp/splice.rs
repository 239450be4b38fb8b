//! JSON serialized once and written many times. rmcp takes a tool result
//! as values (a `String` of text, a `serde_json::Value` of structured
//! content) and serializes the whole message as it sends it, so an answer
//! kept ready would still be copied into a tree of values, escaped and
//! freed on every call. Instead the handler hands rmcp a placeholder for
//! each piece, and the transport that carries the session, having
//! serialized the message, puts the piece's bytes where the placeholder's
//! are. rmcp still decides everything about the message (its id, the
//! fields a protocol version keeps or drops); only the bytes of the
//! pieces are ours.
//!
//! A placeholder holds a tag drawn at random when the session starts
//! followed by a number, all letters, digits and dashes, which JSON writes
//! as they are; no text of a spec holds the tag, as no spec was written
//! knowing it. A handler that makes placeholders must be carried by a
//! transport that splices (stdio's): anywhere else the client would see
//! them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};

/// How many pieces may wait for their message. A piece waits from the
/// tool's return to the write of its answer; one whose request the client
/// cancelled in between is never written, as rmcp drops such an answer.
/// Past this, results are made of values again (correct, only slower):
/// a piece that waits is never dropped, since its placeholder may yet be
/// written.
const WAITING: usize = 256;

/// What follows an object placeholder's key in its serialized form.
const OBJECT_END: &[u8] = b":null}";

/// The pieces a session's handler made and its transport has yet to write.
#[derive(Debug)]
pub struct Splices {
    /// `"` and the tag: how every placeholder begins, serialized.
    opening: String,
    waiting: Mutex<Waiting>,
}

#[derive(Debug, Default)]
struct Waiting {
    next: u64,
    pieces: BTreeMap<u64, Piece>,
}

impl Waiting {
    fn add(&mut self, piece: Piece) -> u64 {
        let number = self.next;
        self.next += 1;
        self.pieces.insert(number, piece);
        number
    }
}

/// Serialized JSON and what it stands in for.
#[derive(Debug)]
struct Piece {
    json: Arc<[u8]>,
    /// A string placeholder (`"tag7"`), or an object's (`{"tag7":null}`).
    object: bool,
}

impl Default for Splices {
    fn default() -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        Splices {
            opening: format!("\"spec-mcp-piece-{tag}-"),
            waiting: Mutex::default(),
        }
    }
}

impl Splices {
    /// A string that the transport writes as `text`, a serialized JSON
    /// string, and an object that it writes as `object`, a serialized JSON
    /// object; `None` when too many pieces wait already.
    pub fn placeholders(&self, text: Arc<[u8]>, object: Arc<[u8]>) -> Option<(String, Value)> {
        let mut waiting = self.lock();
        if waiting.pieces.len() + 2 > WAITING {
            return None;
        }
        let text = waiting.add(Piece {
            json: text,
            object: false,
        });
        let key = waiting.add(Piece {
            json: object,
            object: true,
        });
        let mut placeholder = Map::new();
        placeholder.insert(self.placeholder(key), Value::Null);
        Some((self.placeholder(text), Value::Object(placeholder)))
    }

    fn placeholder(&self, number: u64) -> String {
        format!("{}{number}", &self.opening[1..])
    }

    /// Whether any piece waits; when none does, a message is written as
    /// it was serialized.
    pub fn any_waiting(&self) -> bool {
        !self.lock().pieces.is_empty()
    }

    /// `message`, serialized, with each waiting piece's bytes where its
    /// placeholder was; `None` when it holds no placeholder.
    pub fn splice(&self, message: &[u8]) -> Option<Vec<u8>> {
        let opening = self.opening.as_bytes();
        let mut at = find(message, opening, 0)?;
        let mut waiting = self.lock();
        let mut spliced = Vec::with_capacity(message.len());
        let mut copied = 0;
        loop {
            let digits_from = at + opening.len();
            let digits = message[digits_from..]
                .iter()
                .take_while(|byte| byte.is_ascii_digit())
                .count();
            let closing = digits_from + digits;
            let number = std::str::from_utf8(&message[digits_from..closing])
                .ok()
                .and_then(|digits| digits.parse::<u64>().ok());
            if let Some(number) = number
                && message.get(closing) == Some(&b'"')
                && let Some((start, end)) = waiting
                    .pieces
                    .get(&number)
                    .and_then(|piece| span(message, at, closing + 1, piece.object))
                && let Some(piece) = waiting.pieces.remove(&number)
            {
                spliced.extend_from_slice(&message[copied..start]);
                spliced.extend_from_slice(&piece.json);
                copied = end;
            }
            match find(message, opening, closing) {
                Some(next) => at = next,
                None => break,
            }
        }
        spliced.extend_from_slice(&message[copied..]);
        Some(spliced)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where a placeholder found from `opening` to `closed` (its closing quote
/// included) begins and ends in `message`: the string itself, or the
/// object around it as JSON writes it.
fn span(message: &[u8], opening: usize, closed: usize, object: bool) -> Option<(usize, usize)> {
    if !object {
        return Some((opening, closed));
    }
    let start = opening.checked_sub(1)?;
    (message[start] == b'{' && message[closed..].starts_with(OBJECT_END))
        .then_some((start, closed + OBJECT_END.len()))
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| from + at)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn serialized(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).expect("serialize")
    }

    fn piece(value: &Value) -> Arc<[u8]> {
        serialized(value).into()
    }

    #[test]
    fn placeholders_are_written_as_their_pieces() {
        let splices = Splices::default();
        let (text, structured) = splices
            .placeholders(
                piece(&json!("a \"quoted\"\nline")),
                piece(&json!({"b": [1, 2], "a": null})),
            )
            .expect("room");
        let message = json!({"id": 3, "result": {"content": [{"type": "text", "text": text}],
                             "structuredContent": structured, "isError": false}});
        let bytes = splices.splice(&serialized(&message)).expect("placeholders");
        let written: Value = serde_json::from_slice(&bytes).expect("JSON");
        assert_eq!(
            written,
            json!({"id": 3, "result": {"content": [{"type": "text", "text": "a \"quoted\"\nline"}],
                   "structuredContent": {"b": [1, 2], "a": null}, "isError": false}})
        );
        assert!(!splices.any_waiting(), "each piece is written once");
    }

    #[test]
    fn a_message_without_placeholders_is_left_alone() {
        let splices = Splices::default();
        let _waiting = splices.placeholders(piece(&json!("x")), piece(&json!({})));
        let message = serialized(&json!({"text": "spec-mcp-piece-0 is not a placeholder"}));
        assert_eq!(splices.splice(&message), None);
        assert!(splices.any_waiting());
    }

    #[test]
    fn another_sessions_tag_or_an_unknown_number_is_text() {
        let ours = Splices::default();
        let theirs = Splices::default();
        let (foreign, _) = theirs
            .placeholders(piece(&json!("theirs")), piece(&json!({})))
            .expect("room");
        let unknown = format!("{}999", &ours.opening[1..]);
        let message = serialized(&json!({"a": foreign, "b": unknown}));
        let written = ours.splice(&message).unwrap_or_else(|| message.clone());
        assert_eq!(written, message);
    }

    #[test]
    fn an_object_placeholder_moved_out_of_its_object_is_not_spliced() {
        let splices = Splices::default();
        let (_, Value::Object(object)) = splices
            .placeholders(piece(&json!("")), piece(&json!({})))
            .expect("room")
        else {
            panic!("an object");
        };
        let key = object.keys().next().expect("a key").clone();
        // The key written as a string value: not the object's form.
        let message = serialized(&json!({"text": key}));
        assert_eq!(splices.splice(&message).expect("the tag is there"), message);
    }

    #[test]
    fn past_the_limit_no_placeholder_is_made_and_none_is_dropped() {
        let splices = Splices::default();
        let mut made = Vec::new();
        while let Some(pair) = splices.placeholders(piece(&json!("x")), piece(&json!({}))) {
            made.push(pair);
        }
        assert_eq!(made.len(), WAITING / 2);
        // The first ones made are still written when their message comes.
        let (text, object) = made.swap_remove(0);
        let message = serialized(&json!({"text": text, "structured": object}));
        let bytes = splices.splice(&message).expect("placeholders");
        assert_eq!(
            serde_json::from_slice::<Value>(&bytes).expect("JSON"),
            json!({"text": "x", "structured": {}})
        );
        assert!(
            splices
                .placeholders(piece(&json!("y")), piece(&json!({})))
                .is_some(),
            "room again once written"
        );
    }
}
