//! Where a call's time goes, piece by piece: parsing one document, loading
//! a feature cold, each answer warm, and one question appended with its
//! fsync. `cargo bench` runs them; `examples/e2e-bench.rs` measures whole
//! calls through the binary.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rmcp::model::{CallToolResult, ContentBlock};
use spec_mcp::edit::{NewQuestion, Writer};
use spec_mcp::mcp::{Tools, render};
use spec_mcp::model::{DocumentRole, Layout};
use spec_mcp::service::params::{ConstraintsQuery, CurrentTaskQuery, ListTasks, Target};
use spec_mcp::service::{self, Defaults, Kit, Session};
use spec_mcp::workspace::Workspace;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn kit(root: &Path) -> Kit {
    Kit::new(
        Workspace::open(root).expect("open the kit"),
        Writer::new(false),
        Defaults::default(),
    )
}

fn parse(c: &mut Criterion) {
    let cases = [
        (
            "native prd.md",
            Layout::Native,
            "specs-example/image-upload/prd.md",
            DocumentRole::Prd,
        ),
        (
            "native tasks.md",
            Layout::Native,
            "specs-example/image-upload/tasks.md",
            DocumentRole::Tasks,
        ),
        (
            "spec-kit tasks.md (107 tasks)",
            Layout::SpecKit,
            "tests/fidelity/kits/k997__docktunnel/root/specs/001-cftunnel-architecture/tasks.md",
            DocumentRole::Tasks,
        ),
        (
            "kiro design.md",
            Layout::Kiro,
            "tests/fidelity/kits/maxstackrosenblum__rhino-hospital-kiroween/root/.kiro/specs/staff-management/design.md",
            DocumentRole::TechSpec,
        ),
    ];
    let mut group = c.benchmark_group("parse");
    for (name, layout, path, role) in cases {
        let text = std::fs::read_to_string(repo().join(path)).expect("read the document");
        let path: Arc<str> = Arc::from(path);
        group.bench_function(name, |b| {
            b.iter(|| spec_mcp::parse::document_in(layout, path.clone(), role, black_box(&text)));
        });
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let root = repo().join("specs-example");
    c.bench_function("load image-upload cold", |b| {
        b.iter_batched(
            || Workspace::open(&root).expect("open"),
            |workspace| workspace.feature("image-upload").expect("feature"),
            BatchSize::SmallInput,
        );
    });
}

fn answers(c: &mut Criterion) {
    let kit = kit(&repo().join("specs-example"));
    let session = Session::default();
    let target = Target {
        feature: Some("image-upload".into()),
        task: None,
    };
    let current = CurrentTaskQuery {
        feature: target.feature.clone(),
        ..CurrentTaskQuery::default()
    };
    let mut group = c.benchmark_group("warm");
    group.bench_function("get_current_task", |b| {
        b.iter(|| service::current_task(&kit, &session, &current, &Tools).expect("answer"));
    });
    group.bench_function("get_acceptance_criteria", |b| {
        b.iter(|| service::acceptance_criteria(&kit, &session, &target, &Tools).expect("answer"));
    });
    let query = ConstraintsQuery {
        feature: target.feature.clone(),
        ..ConstraintsQuery::default()
    };
    group.bench_function("get_architecture_constraints", |b| {
        b.iter(|| service::constraints(&kit, &session, &query, &Tools).expect("answer"));
    });
    group.bench_function("get_out_of_scope", |b| {
        b.iter(|| service::out_of_scope(&kit, &session, &target).expect("answer"));
    });
    let list = ListTasks {
        feature: target.feature.clone(),
        ..ListTasks::default()
    };
    group.bench_function("list_tasks", |b| {
        b.iter(|| service::tasks(&kit, &session, &list).expect("answer"));
    });
    group.bench_function("get_current_task as JSON", |b| {
        b.iter(|| {
            let answer = service::current_task(&kit, &session, &current, &Tools).expect("answer");
            serde_json::to_vec(&answer).expect("encode")
        });
    });
    // What a tool call adds to the answer before the transport writes it:
    // the markdown, the structured content as a JSON value, and the
    // result serialized, as the server's `reply` makes it.
    group.bench_function("get_current_task as a tool result", |b| {
        b.iter(|| {
            let answer = service::current_task(&kit, &session, &current, &Tools).expect("answer");
            let mut result =
                CallToolResult::success(vec![ContentBlock::text(render::markdown(&answer))]);
            result.structured_content = Some(serde_json::to_value(&answer).expect("a value"));
            serde_json::to_vec(&result).expect("encode")
        });
    });
    group.finish();
}

fn append(c: &mut Criterion) {
    let temp = tempfile::tempdir().expect("temp dir");
    copy(&repo().join("specs-example"), temp.path());
    let kit = kit(temp.path());
    let mut n = 0u64;
    c.bench_function("ask_question (append, fsync, rename)", |b| {
        b.iter(|| {
            n += 1;
            let question = NewQuestion {
                text: format!("Is limit number {n} per user or per team?"),
                context: None,
                task: None,
                asked_by: "bench".into(),
                date: "2026-12-03".into(),
            };
            kit.writer
                .append_question(&kit.workspace, "image-upload", &question)
                .expect("append")
        });
    });
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

criterion_group!(benches, parse, load, answers, append);
criterion_main!(benches);
