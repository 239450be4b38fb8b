//! The command line, run as a process: help, `init`, and `serve` refusing a
//! bad root before anything reaches stdout.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

use crate::support::{KIT_ENV, repo};

/// A hang fails the test instead of blocking CI.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The files of the example kit, as `init` writes them.
const KIT_FILES: [&str; 7] = [
    "image-upload/prd.md",
    "image-upload/tasks.md",
    "image-upload/tech-spec.md",
    "listing-generator/prd.md",
    "listing-generator/tasks.md",
    "listing-generator/tech-spec.md",
    "project.md",
];

/// The binary with the environment's defaults cleared.
fn spec_mcp() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spec-mcp"));
    for name in KIT_ENV {
        command.env_remove(name);
    }
    command.env("RUST_LOG", "info").timeout(TIMEOUT);
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// Every file under `dir`, by relative path with `/` separators.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).expect("read dir") {
            let entry = entry.expect("dir entry");
            let path = entry.path();
            if entry.file_type().expect("file type").is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("inside");
                let name = relative
                    .components()
                    .map(|component| component.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                found.insert(name, fs::read(&path).expect("read file"));
            }
        }
    }
    found
}

fn example() -> PathBuf {
    repo().join("specs-example")
}

#[test]
fn help_lists_the_commands() {
    let output = spec_mcp().arg("--help").output().expect("run");
    assert!(output.status.success(), "{output:?}");
    let help = text(&output.stdout);
    assert!(help.contains("Usage: spec-mcp"), "{help}");
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(commands.contains(&"serve"), "{help}");
    assert!(commands.contains(&"init"), "{help}");
    assert!(help.contains("Run the MCP server over stdio"), "{help}");
    assert!(help.contains("Write the example spec kit"), "{help}");
    for option in [
        "--root",
        "--layout",
        "--feature",
        "--task",
        "--read-only",
        "--max-file-size",
        "--max-question-chars",
    ] {
        assert!(help.contains(option), "{option} missing:\n{help}");
    }

    let output = spec_mcp().arg("--version").output().expect("run");
    assert!(output.status.success());
    assert_eq!(
        text(&output.stdout).trim(),
        format!("spec-mcp {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn limits_of_zero_or_not_numbers_are_refused_naming_the_option() {
    for (option, value) in [
        ("--max-file-size", "0"),
        ("--max-file-size", "8X"),
        ("--max-question-chars", "0"),
        ("--max-question-chars", "many"),
    ] {
        let output = spec_mcp()
            .args(["serve", "--root"])
            .arg(example())
            .args([option, value])
            .output()
            .expect("run");
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{option} {value}: {stderr}");
        assert!(
            output.stdout.is_empty(),
            "{option} {value}: nothing on stdout"
        );
        assert!(
            stderr.contains(&format!("invalid value '{value}' for '{option}")),
            "{option} {value}: {stderr}"
        );
    }
}

#[test]
fn the_example_kit_is_the_seven_files() {
    let names: Vec<String> = files(&example()).into_keys().collect();
    assert_eq!(names, KIT_FILES);
}

#[test]
fn init_writes_the_example_kit() {
    let temp = tempfile::tempdir().expect("temp dir");
    let target = temp.path().join("specs");
    let output = spec_mcp().arg("init").arg(&target).output().expect("run");
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty(), "init writes nothing to stdout");
    let message = text(&output.stderr);
    assert!(message.contains("7 files"), "{message}");
    assert!(message.contains(&target.display().to_string()), "{message}");

    assert_eq!(
        files(&target),
        files(&example()),
        "byte-for-byte the example"
    );
}

#[test]
fn init_defaults_to_specs_in_the_current_folder() {
    let temp = tempfile::tempdir().expect("temp dir");
    let output = spec_mcp()
        .arg("init")
        .current_dir(temp.path())
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(files(&temp.path().join("specs")), files(&example()));
    assert_eq!(
        files(temp.path()).len(),
        KIT_FILES.len(),
        "nothing else written"
    );
}

#[test]
fn init_refuses_to_overwrite_and_changes_nothing() {
    let temp = tempfile::tempdir().expect("temp dir");
    let target = temp.path().join("specs");
    spec_mcp().arg("init").arg(&target).assert().success();
    // A person's edit that a second init must not undo.
    let edited = target.join("project.md");
    let mut bytes = fs::read(&edited).expect("read");
    bytes.extend_from_slice(b"\n## Notes\n- Edited by hand.\n");
    fs::write(&edited, &bytes).expect("write");
    let before = files(&target);

    let output = spec_mcp().arg("init").arg(&target).output().expect("run");
    assert!(!output.status.success(), "a second init must fail");
    assert!(output.stdout.is_empty());
    let message = text(&output.stderr);
    assert!(message.contains("refusing to overwrite"), "{message}");
    for name in KIT_FILES {
        let path = target.join(name).display().to_string();
        assert!(message.contains(&path), "{path} not named:\n{message}");
    }
    assert_eq!(files(&target), before, "a refused init changed files");

    // With some files missing it still refuses as a whole: names only the
    // ones present and does not write the missing ones.
    let removed = target.join("image-upload").join("tasks.md");
    fs::remove_file(&removed).expect("remove");
    let before = files(&target);
    let output = spec_mcp().arg("init").arg(&target).output().expect("run");
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(
        !message.contains(&removed.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains(&target.join("project.md").display().to_string()),
        "{message}"
    );
    assert!(!removed.exists(), "a refused init wrote a file");
    assert_eq!(files(&target), before);
}

/// `serve` with a root that is not there: non-zero exit, a message on
/// stderr naming the root, and not one byte on stdout (an MCP client would
/// read it as protocol).
/// `--layout` takes the four layout names and refuses anything else
/// before the server starts, naming the valid ones.
#[test]
fn layout_option_names_the_layouts() {
    let output = spec_mcp()
        .args(["serve", "--layout", "jira", "--root", "."])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let message = text(&output.stderr);
    for layout in ["native", "speckit", "kiro", "openspec"] {
        assert!(message.contains(layout), "{layout} not offered:\n{message}");
    }
    // spec-kit's own spelling is taken too.
    let temp = tempfile::tempdir().expect("temp dir");
    let output = spec_mcp()
        .args(["serve", "--layout", "spec-kit", "--root"])
        .arg(temp.path())
        .write_stdin("")
        .output()
        .expect("run");
    // It starts serving (and stops when stdin closes before a handshake).
    let message = text(&output.stderr);
    assert!(message.contains("serving over stdio"), "{message}");
    assert!(!message.contains("invalid value"), "{message}");
    let output = spec_mcp()
        .env("SPEC_MCP_LAYOUT", "jira")
        .args(["serve", "--root", "."])
        .output()
        .expect("run");
    assert!(!output.status.success(), "the variable is checked too");
}

#[test]
fn serve_with_a_missing_root_fails_before_stdout() {
    let temp = tempfile::tempdir().expect("temp dir");
    let missing = temp.path().join("no-such-folder");
    let missing = missing.to_str().expect("UTF-8 path");
    for root in ["/nonexistent", missing] {
        let output = spec_mcp()
            .args(["serve", "--root", root])
            .output()
            .expect("run");
        assert!(!output.status.success(), "{root}: {output:?}");
        assert!(
            output.stdout.is_empty(),
            "{root}: stdout: {:?}",
            text(&output.stdout)
        );
        let message = text(&output.stderr);
        assert!(message.contains(root), "{root} not named:\n{message}");
        assert!(message.contains("does not exist"), "{message}");
        assert!(message.contains("--root"), "says how to fix it: {message}");
        assert!(!message.contains("panicked"), "{message}");
    }

    // The same through the environment, and with no subcommand (serve is
    // the default).
    let output = spec_mcp()
        .env("SPEC_MCP_ROOT", "/nonexistent")
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(text(&output.stderr).contains("/nonexistent"));
}

#[test]
fn serve_with_a_file_as_root_fails_before_stdout() {
    let file = repo().join("specs-example").join("project.md");
    let output = spec_mcp()
        .arg("serve")
        .arg("--root")
        .arg(&file)
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let message = text(&output.stderr);
    assert!(message.contains("is not a directory"), "{message}");
    assert!(message.contains(&file.display().to_string()), "{message}");
}
