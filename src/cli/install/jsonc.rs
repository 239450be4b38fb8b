//! A JSON reader that keeps where each value is in the text, so that
//! `install` can splice one entry into a client's config and leave every
//! other byte as it was: key order, formatting and, in VS Code's files,
//! comments and trailing commas.
//!
//! It reads; it never renders a document back. Values are decoded with
//! `serde_json` from their own spans, so strings and numbers mean what
//! every other JSON reader takes them to mean.

use std::fmt;
use std::ops::Range;

use serde_json::Value;

/// Which JSON a client reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Plain JSON (RFC 8259), as Claude Code and Cursor read it.
    Json,
    /// JSON with `//` and `/* */` comments and trailing commas, as VS Code
    /// reads its `mcp.json`.
    Jsonc,
}

/// A value and the bytes it spans.
#[derive(Debug, Clone)]
pub struct Node {
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Object(Vec<Member>),
    Array(Vec<Node>),
    /// A string, number, `true`, `false` or `null`: decoded from its span.
    Scalar(Value),
}

/// One `"key": value` of an object.
#[derive(Debug, Clone)]
pub struct Member {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

/// Why the text is not JSON, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
    /// Line and column (both from 1, the column in characters) of `offset`.
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// Nesting deeper than this is refused rather than risking the stack; no
/// client config comes near it.
const MAX_DEPTH: usize = 256;

/// Reads the one value `text` holds, with nothing but whitespace (and, in
/// JSONC, comments) around it.
pub fn parse(text: &str, dialect: Dialect) -> Result<Node, ParseError> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        dialect,
    };
    if text.starts_with('\u{feff}') {
        return Err(reader.error(
            "the file starts with a byte-order mark (U+FEFF), which JSON does not allow; \
             save it without one",
        ));
    }
    let node = reader.value(0)?;
    reader.skip_blank()?;
    if reader.at < reader.bytes.len() {
        return Err(reader.error("more text after the end of the value"));
    }
    Ok(node)
}

impl Node {
    /// The member named `key`, if this is an object holding it (the last
    /// one, as JSON readers take it, when the key is repeated).
    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.kind {
            Kind::Object(members) => members.iter().rev().find(|member| member.key == key),
            _ => None,
        }
    }

    /// How many times `key` appears among this object's members.
    pub fn count(&self, key: &str) -> usize {
        match &self.kind {
            Kind::Object(members) => members.iter().filter(|member| member.key == key).count(),
            _ => 0,
        }
    }

    /// The value as `serde_json` holds it, to compare by meaning.
    pub fn to_value(&self) -> Value {
        match &self.kind {
            Kind::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|member| (member.key.clone(), member.value.to_value()))
                    .collect(),
            ),
            Kind::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Kind::Scalar(value) => value.clone(),
        }
    }

    /// What the value is, for a message: "an object", "a string", ...
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            Kind::Object(_) => "an object",
            Kind::Array(_) => "an array",
            Kind::Scalar(Value::String(_)) => "a string",
            Kind::Scalar(Value::Number(_)) => "a number",
            Kind::Scalar(Value::Bool(_)) => "a boolean",
            Kind::Scalar(_) => "null",
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    dialect: Dialect,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> ParseError {
        self.error_at(self.at, message)
    }

    fn error_at(&self, offset: usize, message: &str) -> ParseError {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        ParseError {
            offset,
            message: message.to_string(),
            line,
            column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips whitespace, and comments where the dialect allows them.
    fn skip_blank(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.at += 1,
                Some(b'/') if self.dialect == Dialect::Jsonc => self.comment()?,
                Some(b'/') => return Err(self.error("comments are not allowed in this file")),
                _ => return Ok(()),
            }
        }
    }

    fn comment(&mut self) -> Result<(), ParseError> {
        let start = self.at;
        match self.bytes.get(self.at + 1) {
            Some(b'/') => {
                self.at = self.text[self.at..]
                    .find('\n')
                    .map_or(self.bytes.len(), |newline| self.at + newline);
                Ok(())
            }
            Some(b'*') => match self.text[self.at + 2..].find("*/") {
                Some(end) => {
                    self.at += 2 + end + 2;
                    Ok(())
                }
                None => Err(self.error_at(start, "a `/*` comment is never closed")),
            },
            _ => Err(self.error("a `/` that starts no comment")),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error("values nested too deeply"));
        }
        self.skip_blank()?;
        match self.peek() {
            None => Err(self.error("the text ends where a value should be")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let span = self.string_span()?;
                let value = self.decode(span.clone())?;
                Ok(Node {
                    span,
                    kind: Kind::Scalar(value),
                })
            }
            Some(_) => self.literal(),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.at;
        self.at += 1;
        let mut members = Vec::new();
        loop {
            self.skip_blank()?;
            match self.peek() {
                Some(b'}') if members.is_empty() || self.dialect == Dialect::Jsonc => {
                    self.at += 1;
                    break;
                }
                Some(b'"') => {}
                Some(b'}') => return Err(self.error("a trailing comma before `}`")),
                None => return Err(self.error_at(start, "an object is never closed")),
                Some(_) => return Err(self.error("expected a key in double quotes")),
            }
            let key_span = self.string_span()?;
            let Value::String(key) = self.decode(key_span.clone())? else {
                unreachable!("a span in double quotes decodes to a string");
            };
            self.skip_blank()?;
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after the key"));
            }
            self.at += 1;
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            if self.closed_after_value(start, b'}', "an object")? {
                break;
            }
        }
        Ok(Node {
            span: start..self.at,
            kind: Kind::Object(members),
        })
    }

    fn array(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.at;
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip_blank()?;
            match self.peek() {
                Some(b']') if items.is_empty() || self.dialect == Dialect::Jsonc => {
                    self.at += 1;
                    break;
                }
                Some(b']') => return Err(self.error("a trailing comma before `]`")),
                None => return Err(self.error_at(start, "an array is never closed")),
                Some(_) => {}
            }
            items.push(self.value(depth + 1)?);
            if self.closed_after_value(start, b']', "an array")? {
                break;
            }
        }
        Ok(Node {
            span: start..self.at,
            kind: Kind::Array(items),
        })
    }

    /// After a member or an item of the object or array that opened at
    /// `start`: a `,` (more to come, `false`) or its `close` (`true`).
    fn closed_after_value(
        &mut self,
        start: usize,
        close: u8,
        what: &str,
    ) -> Result<bool, ParseError> {
        self.skip_blank()?;
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(byte) if byte == close => {
                self.at += 1;
                Ok(true)
            }
            None => Err(self.error_at(start, &format!("{what} is never closed"))),
            Some(_) => Err(self.error(&format!(
                "expected `,` or `{}` after a value",
                char::from(close)
            ))),
        }
    }

    /// The span of the string starting here, quotes included; what is
    /// inside is checked when it is decoded.
    fn string_span(&mut self) -> Result<Range<usize>, ParseError> {
        let start = self.at;
        self.at += 1;
        while let Some(byte) = self.peek() {
            match byte {
                b'"' => {
                    self.at += 1;
                    return Ok(start..self.at);
                }
                b'\\' => self.at += 2,
                b'\n' => break,
                _ => self.at += 1,
            }
        }
        Err(self.error_at(start, "a string is never closed"))
    }

    /// A number, `true`, `false` or `null`: the run of characters that can
    /// make one, decoded by `serde_json`.
    fn literal(&mut self) -> Result<Node, ParseError> {
        let start = self.at;
        while let Some(byte) = self.peek() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'+' | b'.') {
                self.at += 1;
            } else {
                break;
            }
        }
        if self.at == start {
            return Err(self.error("expected a value"));
        }
        let value = self.decode(start..self.at)?;
        Ok(Node {
            span: start..self.at,
            kind: Kind::Scalar(value),
        })
    }

    fn decode(&self, span: Range<usize>) -> Result<Value, ParseError> {
        let raw = &self.text[span.clone()];
        if let Ok(value) = serde_json::from_str(raw) {
            return Ok(value);
        }
        // Valid JSON that a `Value` cannot hold: a lone surrogate escaped in
        // a string (JavaScript writes one for an emoji cut in half) or a
        // number past `f64`. It is kept as its own text: such a value is
        // only ever compared, never written again, so nothing is lost.
        if grammatical(raw) {
            return Ok(Value::String(raw.to_string()));
        }
        serde_json::from_str::<Value>(raw).map_err(|error| {
            let message = error.to_string();
            // serde_json says where in the fragment; the span says where in
            // the file, which is what the user needs.
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            self.error_at(span.start, &format!("`{}`: {message}", &self.text[span]))
        })
    }
}

/// Whether `raw` is a JSON string (every escape one JSON allows) or number
/// by the grammar alone.
fn grammatical(raw: &str) -> bool {
    if let Some(inner) = raw.strip_prefix('"').and_then(|raw| raw.strip_suffix('"')) {
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => {}
                    Some('u') => {
                        if !(0..4).all(|_| chars.next().is_some_and(|c| c.is_ascii_hexdigit())) {
                            return false;
                        }
                    }
                    _ => return false,
                },
                '"' => return false,
                c if c < ' ' => return false,
                _ => {}
            }
        }
        return true;
    }
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let unsigned = raw.strip_prefix('-').unwrap_or(raw);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.is_none_or(digits)
        && exponent
            .is_none_or(|exponent| digits(exponent.strip_prefix(['+', '-']).unwrap_or(exponent)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Dialect, parse};

    #[test]
    fn valid_json_a_value_cannot_hold_is_kept_as_its_text() {
        let text = r#"{"history": "\ud83d", "size": 1e400, "mcpServers": {}}"#;
        let node = parse(text, Dialect::Json).expect("valid JSON");
        assert_eq!(
            node.to_value(),
            json!({"history": r#""\ud83d""#, "size": "1e400", "mcpServers": {}})
        );
        for invalid in [
            r#"{"a": "\x"}"#,
            r#"{"a": "\u12"}"#,
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
        ] {
            assert!(parse(invalid, Dialect::Json).is_err(), "{invalid}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_refused_by_name() {
        let error = parse("\u{feff}{}", Dialect::Json).expect_err("refused");
        assert!(error.to_string().contains("byte-order mark"), "{error}");
    }

    fn check(text: &str, dialect: Dialect, expected: &serde_json::Value) {
        let node = parse(text, dialect).unwrap_or_else(|error| panic!("{text:?}: {error}"));
        assert_eq!(&node.to_value(), expected, "{text:?}");
        let start = text.len() - text.trim_start().len();
        assert_eq!(node.span, start..text.len(), "{text:?}");
    }

    fn refuse(text: &str, dialect: Dialect, line: usize, column: usize, message: &str) {
        let error = parse(text, dialect).expect_err(text);
        assert_eq!(
            (error.line, error.column),
            (line, column),
            "{text:?}: {error}"
        );
        assert!(error.message.contains(message), "{text:?}: {error}");
    }

    #[test]
    fn reads_json_values_with_their_meaning() {
        check(
            r#"{"a": [1, -2.5e3, true, false, null], "b": {"c": "\u00e9\n"}}"#,
            Dialect::Json,
            &json!({"a": [1, -2500.0, true, false, null], "b": {"c": "é\n"}}),
        );
        check("  []", Dialect::Json, &json!([]));
        check("{}", Dialect::Json, &json!({}));
    }

    #[test]
    fn keeps_the_spans_of_members() {
        let text = "{\n  \"one\": 1,\n  \"two\": {\"x\": \"y\"}\n}";
        let root = parse(text, Dialect::Json).unwrap();
        let two = root.member("two").unwrap();
        assert_eq!(&text[two.key_span.clone()], "\"two\"");
        assert_eq!(&text[two.value.span.clone()], "{\"x\": \"y\"}");
    }

    #[test]
    fn jsonc_allows_comments_and_trailing_commas() {
        check(
            "{\n  // a server\n  \"a\": [1, 2,], /* two */\n  \"b\": 3,\n}",
            Dialect::Jsonc,
            &json!({"a": [1, 2], "b": 3}),
        );
    }

    #[test]
    fn plain_json_refuses_them_and_says_where() {
        refuse("{\n  // no\n}", Dialect::Json, 2, 3, "comments");
        refuse("{\"a\": 1,}", Dialect::Json, 1, 9, "trailing comma");
        refuse("[1,]", Dialect::Json, 1, 4, "trailing comma");
    }

    #[test]
    fn refuses_what_is_not_json() {
        refuse("", Dialect::Json, 1, 1, "ends where a value");
        refuse("{\"a\": }", Dialect::Json, 1, 7, "expected a value");
        refuse("{\"a\" 1}", Dialect::Json, 1, 6, "expected `:`");
        refuse("{\"a\": 1", Dialect::Json, 1, 1, "never closed");
        refuse("{\"a\": tru}", Dialect::Json, 1, 7, "`tru`");
        refuse("{\"a\": \"\\x\"}", Dialect::Json, 1, 7, "`\"\\x\"`");
        refuse("{} {}", Dialect::Json, 1, 4, "more text");
        refuse("{\n\"é\": 1 /* x", Dialect::Jsonc, 2, 8, "never closed");
        refuse("{'a': 1}", Dialect::Jsonc, 1, 2, "double quotes");
        refuse(
            &"[".repeat(1000),
            Dialect::Json,
            1,
            258,
            "nested too deeply",
        );
    }
}
