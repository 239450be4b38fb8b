//! Ids an agent passes in (features, tasks, sections, cursors): refusing
//! those that could name a path outside their folder or fool a reader
//! before they reach the file system, and echoing any id back safely.
//!
//! Pure: nothing here touches the disk.

use std::path::Path;

use super::WorkspaceError;

/// "valid features: a, b" or "there are no features".
pub fn list_choices(what: &str, known: &[String]) -> String {
    match known.len() {
        0 => format!("there are no {what}"),
        count if count > MAX_CHOICES => format!(
            "valid {what} include {}, and {} more",
            known[..MAX_CHOICES].join(", "),
            count - MAX_CHOICES
        ),
        _ => format!("valid {what}: {}", known.join(", ")),
    }
}

/// "; valid features: a, b" after a refusal, when the valid ids are known.
pub(super) fn then_choices(what: &str, valid: Option<&[String]>) -> String {
    valid.map_or_else(String::new, |valid| {
        format!("; {}", list_choices(&format!("{what}s"), valid))
    })
}

/// How many ids an error names: a kit of a thousand features would make
/// every refusal tens of kilobytes of an agent's context.
const MAX_CHOICES: usize = 40;

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
            valid: None,
        }),
        None => Ok(()),
    }
}

/// [`check_id`], with a refusal that names the valid ids as an unknown
/// id's does: a caller that sent a mangled id learns which to send
/// instead. `valid` is called only to refuse.
pub fn check_id_among(
    what: &'static str,
    id: &str,
    valid: impl FnOnce() -> Vec<String>,
) -> Result<(), WorkspaceError> {
    check_id(what, id).map_err(|error| match error {
        WorkspaceError::InvalidId {
            what, id, reason, ..
        } => WorkspaceError::InvalidId {
            what,
            id,
            reason,
            valid: Some(valid()),
        },
        other => other,
    })
}

/// Zero-width and bidi formatting characters: they make two different ids
/// look alike, and in agent text written to a spec they could reorder or
/// hide what a reader sees. The one definition, for ids and for the writer.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{61c}')
}

/// An id made safe to echo back: anything but printable ASCII escaped (so
/// a look-alike shows as different), length capped.
pub fn printable(id: &str) -> String {
    let escaped: String = id.chars().flat_map(char::escape_default).take(80).collect();
    escaped
}

#[cfg(test)]
mod tests {
    use super::{check_id, check_id_among, is_invisible, list_choices, printable};

    /// `check_id`'s answer for `id`: `None` when it is accepted, else the
    /// reason given.
    fn check(id: &str, expected: Option<&str>) {
        let reason = match check_id("feature", id) {
            Ok(()) => None,
            Err(super::WorkspaceError::InvalidId { reason, .. }) => Some(reason),
            Err(other) => panic!("unexpected error {other}"),
        };
        assert_eq!(reason, expected, "id {id:?}");
    }

    #[test]
    fn ids_that_could_escape_a_folder_or_fool_a_reader_are_refused() {
        check("001-login", None);
        check("auth@kiro", None);
        check("a b", None);
        check("", Some("it is empty"));
        check(&"x".repeat(201), Some("it is longer than 200 bytes"));
        check(&"x".repeat(200), None);
        check("a\0b", Some("it contains a NUL character"));
        check("a/b", Some("it contains a path separator"));
        check("a\\b", Some("it contains a path separator"));
        check("a..b", Some("it contains `..`"));
        check(".hidden", Some("it starts with a dot"));
        check(" a", Some("it starts or ends with whitespace"));
        check("a\t", Some("it starts or ends with whitespace"));
        check(
            "a\u{7}b",
            Some("it contains control or invisible characters"),
        );
        check(
            "a\u{202e}b",
            Some("it contains control or invisible characters"),
        );
        check(
            "a\u{200b}b",
            Some("it contains control or invisible characters"),
        );
        check("c:x", Some("it looks like a path"));
    }

    #[test]
    fn a_refusal_names_what_was_refused_safely() {
        let error = check_id("task", "T1\u{202e}").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid task `T1\\u{202e}`: it contains control or invisible characters"
        );
    }

    #[test]
    fn a_refusal_among_known_ids_names_them() {
        let error = check_id_among("feature", "../etc", || vec!["a".into(), "b".into()]);
        assert_eq!(
            error.unwrap_err().to_string(),
            "invalid feature `../etc`: it contains a path separator; valid features: a, b"
        );
        let error = check_id_among("task", "T\u{0}2", Vec::new);
        assert_eq!(
            error.unwrap_err().to_string(),
            "invalid task `T\\u{0}2`: it contains a NUL character; there are no tasks"
        );
        assert!(check_id_among("task", "T2", || panic!("listed the ids of a valid id")).is_ok());
    }

    #[test]
    fn invisible_characters_are_the_zero_width_and_bidi_ranges() {
        let invisible = [
            '\u{61c}', '\u{200b}', '\u{200d}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2060}',
            '\u{2066}', '\u{2069}', '\u{feff}',
        ];
        let visible = [
            'a', ' ', '\u{61b}', '\u{200a}', '\u{2010}', '\u{2028}', '\u{2029}', '\u{2011}',
            '\u{202f}', '\u{205f}', '\u{206a}', '\u{fefe}', '\u{ff00}',
        ];
        for c in invisible {
            assert!(is_invisible(c), "{c:?} should be invisible");
        }
        for c in visible {
            assert!(!is_invisible(c), "{c:?} should not be invisible");
        }
    }

    #[test]
    fn printable_escapes_all_but_printable_ascii_and_caps_the_length() {
        assert_eq!(printable("001-login"), "001-login");
        assert_eq!(printable("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(printable("a\nb"), "a\\nb");
        assert_eq!(printable(&"x".repeat(100)), "x".repeat(80));
    }

    #[test]
    fn choices_are_listed_or_said_to_be_none() {
        let known = ["a".to_string(), "b".to_string()];
        assert_eq!(list_choices("features", &known), "valid features: a, b");
        assert_eq!(list_choices("tasks", &[]), "there are no tasks");
        let many: Vec<String> = (1..=45).map(|n| format!("T{n}")).collect();
        let listed = list_choices("tasks", &many);
        assert!(
            listed.starts_with("valid tasks include T1, T2,"),
            "{listed}"
        );
        assert!(listed.ends_with("T40, and 5 more"), "{listed}");
    }
}
