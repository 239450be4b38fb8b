//! Ids an agent passes in (features, tasks, sections, cursors): refusing
//! those that could name a path outside their folder or fool a reader
//! before they reach the file system, and echoing any id back safely.
//!
//! Pure: nothing here touches the disk.

use std::path::Path;

use super::WorkspaceError;

/// "valid features: a, b" or "there are no features".
pub fn list_choices(what: &str, known: &[String]) -> String {
    if known.is_empty() {
        format!("there are no {what}")
    } else {
        format!("valid {what}: {}", known.join(", "))
    }
}

/// Refuses ids that could name a path outside their folder or fool a reader.
pub fn check_id(what: &'static str, id: &str) -> Result<(), WorkspaceError> {
    let reason = if id.is_empty() {
        Some("it is empty")
    } else if id.len() > 200 {
        Some("it is longer than 200 bytes")
    } else if id.contains('\0') {
        Some("it contains a NUL character")
    } else if id.contains('/') || id.contains('\\') {
        Some("it contains a path separator")
    } else if id.contains("..") {
        Some("it contains `..`")
    } else if id.starts_with('.') {
        Some("it starts with a dot")
    } else if id.trim() != id {
        Some("it starts or ends with whitespace")
    } else if id.chars().any(|c| c.is_control() || is_invisible(c)) {
        Some("it contains control or invisible characters")
    } else if Path::new(id).is_absolute() || id.contains(':') {
        Some("it looks like a path")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(WorkspaceError::InvalidId {
            what,
            id: printable(id),
            reason,
        }),
        None => Ok(()),
    }
}

/// Zero-width and bidi formatting characters: they make two different ids
/// look alike.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{61c}')
}

/// An id made safe to echo back: anything but printable ASCII escaped (so
/// a look-alike shows as different), length capped.
pub fn printable(id: &str) -> String {
    let escaped: String = id.chars().flat_map(char::escape_default).take(80).collect();
    escaped
}
