//! Parsing fixture kits: each kit is described as text (sections, items,
//! tasks, questions, diagnostics, each with `path:line`) and compared with a
//! reviewed snapshot; then the kit is re-read with CRLF line endings and
//! must describe the same.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use spec_mcp::model::{Document, Feature, Item, Layout};
use spec_mcp::workspace::Workspace;

use crate::support::{fixture, repo, temp_copy};

/// Describes every feature of the kit at `root`.
fn describe(root: &Path) -> String {
    let workspace = Workspace::open(root).expect("open kit");
    let mut out = String::new();
    for project in workspace.project(Layout::Native).documents {
        describe_document(&mut out, &project);
    }
    for id in workspace.feature_ids().iter() {
        let feature = workspace.feature(id).expect("feature");
        describe_feature(&mut out, &feature);
    }
    out
}

fn describe_feature(out: &mut String, feature: &Feature) {
    let _ = writeln!(
        out,
        "feature {} \"{}\" in {}",
        feature.id, feature.title, feature.dir
    );
    for document in feature.documents() {
        describe_document(out, document);
    }
    for task in feature.tasks() {
        let _ = writeln!(
            out,
            "  task {} [{}] \"{}\" depends on {:?} ({})",
            task.id,
            task.status.as_str(),
            task.title,
            task.depends_on,
            task.source
        );
        if !task.description.is_empty() {
            let _ = writeln!(out, "    description: {}", task.description);
        }
        describe_items(out, "criterion", &task.acceptance_criteria);
        describe_items(out, "test", &task.test_plan);
    }
    for diagnostic in &feature.diagnostics {
        let _ = writeln!(
            out,
            "  diagnostic {}: {}",
            diagnostic.source, diagnostic.message
        );
    }
}

fn describe_document(out: &mut String, document: &Document) {
    let _ = writeln!(
        out,
        "document {} ({:?}) title {:?}",
        document.path, document.role, document.title
    );
    for section in &document.sections {
        let _ = writeln!(
            out,
            "  {} {:?} \"{}\" ({})",
            "#".repeat(usize::from(section.level)),
            section.kind,
            section.title,
            section.source
        );
        describe_items(out, "item", &section.items);
    }
    for question in &document.questions {
        let _ = writeln!(
            out,
            "  question {:?} answered={} meta={:?} \"{}\" answer={:?} ({})",
            question.id,
            question.answered,
            question.meta,
            question.text,
            question.answer,
            question.source
        );
    }
    for diagnostic in &document.diagnostics {
        let _ = writeln!(
            out,
            "  diagnostic {}: {}",
            diagnostic.source, diagnostic.message
        );
    }
}

fn describe_items(out: &mut String, label: &str, items: &[Item]) {
    for item in items {
        let text: String = item.text.chars().take(70).collect();
        let _ = writeln!(out, "    {label} \"{text}\" ({})", item.source);
        for detail in item.details.iter().take(3) {
            let detail: String = detail.chars().take(70).collect();
            let _ = writeln!(out, "      detail \"{detail}\"");
        }
        if item.details.len() > 3 {
            let _ = writeln!(out, "      ... {} more details", item.details.len() - 3);
        }
    }
}

/// Snapshots the kit's description, then checks CRLF reads the same.
fn check(name: &str, root: &Path) {
    let described = describe(root);
    insta::assert_snapshot!(name, described);
    let crlf = temp_copy(root);
    convert_to_crlf(crlf.path());
    assert_eq!(
        describe(crlf.path()),
        described,
        "{name} read differently with CRLF"
    );
}

fn convert_to_crlf(dir: &Path) {
    for entry in fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            convert_to_crlf(&path);
        } else if path.extension().is_some_and(|extension| extension == "md") {
            let text = fs::read_to_string(&path).expect("read");
            fs::write(&path, text.replace('\n', "\r\n")).expect("write");
        }
    }
}

#[test]
fn specs_example() {
    check("specs_example", &repo().join("specs-example"));
}

#[test]
fn project_root_with_specs_folder() {
    check("nested_root", &fixture("parse/nested-root"));
}

#[test]
fn messy_kit() {
    check("messy", &fixture("parse/messy"));
}

#[test]
fn unreadable_files_are_reported_not_served() {
    let kit = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, bytes: &[u8]| {
        let path = kit.path().join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, bytes).expect("write");
    };
    write("binary/prd.md", b"# Bin\x00\x01\x02");
    write(
        "latin1/prd.md",
        b"# Caf\xe9\n\n## Goals\n- Serve caf\xe9s\n",
    );
    let big = "- x\n".repeat(2_200_000);
    write("huge/prd.md", big.as_bytes());
    let described = describe(kit.path());
    assert!(
        described.contains("document binary/prd.md (Prd) title None"),
        "{described}"
    );
    assert!(
        described.contains("binary/prd.md:1: the file is binary"),
        "{described}"
    );
    assert!(
        described.contains("latin1/prd.md:1: the file is not valid UTF-8"),
        "{described}"
    );
    assert!(
        described.contains("huge/prd.md:1: the file is 8800000 bytes"),
        "{described}"
    );
    assert!(
        !described.contains("item \"x\""),
        "a huge file must not be parsed: {described}"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_root_are_not_read() {
    let outside = tempfile::tempdir().expect("temp dir");
    fs::write(
        outside.path().join("secret.md"),
        "# Secret\n\n## Goals\n- leaked\n",
    )
    .expect("write");
    let kit = tempfile::tempdir().expect("temp dir");
    fs::create_dir(kit.path().join("feature")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        kit.path().join("feature/prd.md"),
    )
    .expect("symlink");
    fs::write(kit.path().join("feature/tasks.md"), "## T1: Only task\n").expect("write");
    let described = describe(kit.path());
    assert!(!described.contains("leaked"), "{described}");
    assert!(!described.contains("Secret"), "{described}");
    assert!(described.contains("task T1"), "{described}");
}
