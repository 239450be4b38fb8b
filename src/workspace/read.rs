//! The one file-read policy, for the reader and the writer alike: a spec
//! file is taken as text only when it is at most the workspace's largest
//! file size long (`--max-file-size`, [`DEFAULT_MAX_FILE_BYTES`] unless set),
//! holds no NUL byte and is UTF-8, checked in that order. The writer never
//! writes to a file no answer could show.
//!
//! Each caller does its own I/O (the writer reads the file it holds
//! locked) and turns a refusal into its own words: a diagnostic on the
//! document when reading, an error when writing.

use std::io;
use std::string::FromUtf8Error;

/// Files larger than this are reported, not parsed, unless the command line
/// sets another limit: 8 MiB, a few hundred times the longest real spec.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Why a file's bytes were not taken as text.
#[derive(Debug)]
pub enum Unreadable {
    /// Longer than the limit; holds the length. Nothing was read.
    TooLarge(u64),
    /// Reading failed.
    Io(io::Error),
    /// The file holds a NUL byte: it is binary.
    Binary,
    /// Not UTF-8; holds the bytes, so a reader can show what it can.
    NotUtf8(FromUtf8Error),
}

/// The text of a file `len` bytes long (as its metadata says), or why it
/// is not taken as text. `read` is called only when the length is within
/// `max_bytes`, so a huge file is never read.
pub fn read_text(
    len: u64,
    max_bytes: u64,
    read: impl FnOnce() -> io::Result<Vec<u8>>,
) -> Result<String, Unreadable> {
    if len > max_bytes {
        return Err(Unreadable::TooLarge(len));
    }
    let bytes = read().map_err(Unreadable::Io)?;
    if bytes.contains(&0) {
        return Err(Unreadable::Binary);
    }
    String::from_utf8(bytes).map_err(Unreadable::NotUtf8)
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io;

    use super::{DEFAULT_MAX_FILE_BYTES, Unreadable, read_text};

    /// What `read_text` makes of `bytes`, in words.
    fn outcome(result: Result<String, Unreadable>) -> String {
        match result {
            Ok(text) => format!("text {text:?}"),
            Err(Unreadable::TooLarge(len)) => format!("too large: {len}"),
            Err(Unreadable::Io(error)) => format!("io: {error}"),
            Err(Unreadable::Binary) => "binary".to_string(),
            Err(Unreadable::NotUtf8(error)) => {
                format!("not UTF-8 after {}", error.utf8_error().valid_up_to())
            }
        }
    }

    fn check(bytes: &[u8], expected: &str) {
        let result = read_text(bytes.len() as u64, DEFAULT_MAX_FILE_BYTES, || {
            Ok(bytes.to_vec())
        });
        assert_eq!(outcome(result), expected, "bytes {bytes:?}");
    }

    #[test]
    fn bytes_are_text_when_they_hold_no_nul_and_are_utf8() {
        check(b"# A\n", r##"text "# A\n""##);
        check(b"", r#"text """#);
        check("é → ok".as_bytes(), r#"text "é → ok""#);
        check(b"a\0b", "binary");
        check(b"ab\xffc", "not UTF-8 after 2");
        // A NUL byte is reported before bad UTF-8.
        check(b"\xff\0", "binary");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_without_being_read() {
        let never = || -> io::Result<Vec<u8>> { panic!("read a file over the limit") };
        assert_eq!(outcome(read_text(11, 10, never)), "too large: 11");
        assert_eq!(
            outcome(read_text(10, 10, || Ok(b"a".to_vec()))),
            r#"text "a""#
        );
        assert_eq!(
            outcome(read_text(
                DEFAULT_MAX_FILE_BYTES + 1,
                DEFAULT_MAX_FILE_BYTES,
                never
            )),
            format!("too large: {}", DEFAULT_MAX_FILE_BYTES + 1)
        );
    }

    #[test]
    fn a_failed_read_is_passed_on() {
        let failing = || Err(io::Error::other("disk gone"));
        assert_eq!(outcome(read_text(1, 10, failing)), "io: disk gone");
    }

    #[test]
    fn a_file_on_disk_is_checked_by_its_metadata_then_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("spec.md");
        fs::write(&text, "# Spec\n").unwrap();
        let len = fs::metadata(&text).unwrap().len();
        assert_eq!(
            outcome(read_text(len, DEFAULT_MAX_FILE_BYTES, || fs::read(&text))),
            r##"text "# Spec\n""##
        );

        let huge = dir.path().join("huge.md");
        // Sparse: no disk is spent on the test.
        fs::File::create(&huge)
            .unwrap()
            .set_len(DEFAULT_MAX_FILE_BYTES + 1)
            .unwrap();
        let len = fs::metadata(&huge).unwrap().len();
        assert_eq!(
            outcome(read_text(len, DEFAULT_MAX_FILE_BYTES, || fs::read(&huge))),
            "too large: 8388609"
        );
    }
}
