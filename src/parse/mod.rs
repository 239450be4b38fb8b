//! Markdown to model. Pure: no I/O, no panics, no errors. Whatever the input,
//! the result is a model plus diagnostics.
//!
//! `markdown` builds an outline with byte spans; `question` and `task`
//! recognise items every layout shares; one file per layout (`native`,
//! `speckit`, `kiro`, `openspec`) knows that layout's files and the
//! conventions inside them, and maps them onto the one model.

pub mod kiro;
pub mod markdown;
pub mod native;
pub mod openspec;
pub mod question;
pub mod scope;
pub mod speckit;
pub mod task;

use std::collections::HashSet;
use std::sync::Arc;

use crate::model::{
    Criterion, Diagnostic, DiagnosticKind, Document, DocumentRole, Feature, Item, Layout,
    Placeholder, SectionKind,
};

/// Where a layout keeps its features and which files make one. The
/// workspace walks these; nothing here reads them.
#[derive(Debug)]
pub struct Convention {
    pub layout: Layout,
    /// Added to a feature id (`name@<qualifier>`) when two conventions hold
    /// a folder of the same name.
    pub qualifier: &'static str,
    /// The folder holding one subfolder per feature, relative to the root.
    pub base: &'static str,
    /// Subfolders of `base` that are not features.
    pub skip: &'static [&'static str],
    /// Files that make a subfolder a feature of this layout (besides
    /// `tasks.md`, which every layout has).
    pub markers: &'static [&'static str],
    /// A feature's files and the role each plays, in the order answers list
    /// them. A path may hold one `*` segment (`contracts/*.md`).
    pub documents: &'static [(&'static str, DocumentRole)],
    /// Where questions are written: the first of these present.
    pub primary: &'static [&'static str],
    /// Project-wide files; a `*` segment is allowed.
    pub project: &'static [(&'static str, DocumentRole)],
    /// Project files sit in `base` rather than at the root.
    pub project_in_base: bool,
    /// Its folders are reference (the current truth that work changes, as
    /// OpenSpec's capabilities are), not work items: never chosen as the
    /// current feature by elimination while a work item exists.
    pub reference: bool,
}

/// How a layout writes tasks, for someone asked to write new ones: where
/// a task's acceptance criteria are written and how it links them, and a
/// short tasks file in the layout's syntax that reads back as the tasks it
/// shows (a test holds each to that).
#[derive(Debug)]
pub struct TaskFormat {
    pub layout: Layout,
    /// Where a task's criteria live, in a sentence or two.
    pub criteria: &'static str,
    /// A few tasks as the layout's `tasks.md` writes them.
    pub example: &'static str,
}

/// The task format of `layout`.
pub fn task_format(layout: Layout) -> &'static TaskFormat {
    match layout {
        Layout::Native => &native::TASK_FORMAT,
        Layout::SpecKit => &speckit::TASK_FORMAT,
        Layout::Kiro => &kiro::TASK_FORMAT,
        Layout::OpenSpec => &openspec::TASK_FORMAT,
    }
}

/// `auth@kiro` into `("auth", Some("kiro"))` when `kiro` is a convention's
/// qualifier; any other id is a plain folder name.
pub fn split_qualified(id: &str) -> (&str, Option<&str>) {
    match id.rsplit_once('@') {
        Some((name, qualifier))
            if CONVENTIONS
                .iter()
                .any(|convention| convention.qualifier == qualifier) =>
        {
            (name, Some(qualifier))
        }
        _ => (id, None),
    }
}

/// Every convention, in the order features are listed.
pub const CONVENTIONS: [&Convention; 5] = [
    &native::CONVENTION,
    &speckit::CONVENTION,
    &kiro::CONVENTION,
    &openspec::CHANGES,
    &openspec::SPECS,
];

/// Parses one file of the native layout in the role it plays.
pub fn document(path: Arc<str>, role: DocumentRole, text: &str) -> Document {
    document_in(Layout::Native, path, role, text)
}

/// Parses one file's text in the role its layout gives it.
pub fn document_in(layout: Layout, path: Arc<str>, role: DocumentRole, text: &str) -> Document {
    let (text, front_matter) = markdown::front_matter(text);
    let text = text.as_ref();
    let outline = markdown::outline(&path, text);
    let sections = markdown::sections(&outline, text);
    let mut diagnostics = Vec::new();
    if text.trim().is_empty() {
        diagnostics.push(Diagnostic {
            source: outline.source(0),
            message: "the file is empty".to_string(),
            kind: DiagnosticKind::EmptyFile,
        });
    }
    let mut questions = question::questions(&outline, &sections);
    questions.extend(question::labelled_questions(&outline, &sections));
    questions.sort_by_key(|question| question.span.start);
    let tasks = match (role, layout) {
        (DocumentRole::Tasks, Layout::Native) => {
            task::heading_and_checklist_tasks(&outline, &sections, text, &mut diagnostics)
        }
        (DocumentRole::Tasks, _) => task::checklist_tasks(&outline, &sections, text),
        _ => Vec::new(),
    };
    let title = sections
        .iter()
        .find(|section| section.level == 1)
        .map(|section| section.title.clone());
    let mut document = Document {
        title,
        sections,
        questions,
        tasks,
        front_matter,
        diagnostics,
        ..Document::empty(path, role)
    };
    scope::exclusions(&mut document, &outline);
    match layout {
        Layout::Native => native::document(&mut document),
        Layout::SpecKit => speckit::document(&mut document, &outline, text),
        Layout::Kiro => kiro::document(&mut document, &outline, text),
        Layout::OpenSpec => openspec::document(&mut document, &outline, text),
    }
    drop_placeholders(&mut document, layout);
    action_required(&mut document, &outline, text);
    document
}

/// spec-kit's templates open the sections to rewrite with an HTML comment
/// saying `ACTION REQUIRED`; one still there means the section was not
/// rewritten, or its instructions were left behind.
fn action_required(document: &mut Document, outline: &markdown::Outline, text: &str) {
    const TOKEN: &str = "ACTION REQUIRED";
    let mut lines = HashSet::new();
    for offset in markdown::in_html(text, TOKEN) {
        let source = outline.source(offset);
        if lines.insert(source.line) {
            document.placeholders.push(Placeholder {
                token: TOKEN.to_string(),
                source,
            });
        }
    }
}

/// The items of a PRD's acceptance-criteria sections, as criteria.
fn section_criteria(document: &mut Document) {
    if document.role != DocumentRole::Prd {
        return;
    }
    let criteria: Vec<Criterion> = document
        .sections
        .iter()
        .filter(|section| section.kind == SectionKind::AcceptanceCriteria)
        .flat_map(|section| {
            section.items.iter().map(|item| Criterion {
                item: item.clone(),
                group: None,
                keys: Vec::new(),
            })
        })
        .collect();
    document.criteria.extend(criteria);
}

/// Assembles a feature from its parsed documents and checks what spans them.
pub fn feature(id: &str, layout: Layout, dir: Arc<str>, documents: Vec<Document>) -> Feature {
    let title = documents
        .iter()
        .filter(|document| document.role == DocumentRole::Prd)
        .filter_map(|document| document.title.as_deref())
        .find_map(feature_title)
        .unwrap_or_else(|| split_qualified(id).0.to_string());
    let mut feature = Feature {
        id: id.to_string(),
        title,
        layout,
        dir,
        documents,
        diagnostics: Vec::new(),
    };
    feature.diagnostics = cross_checks(&feature);
    feature
}

/// "Feature Specification: Upload" reads as "Upload"; a title that only
/// names the kind of document (Kiro's "Requirements Document") says
/// nothing and gives way to the folder name.
fn feature_title(title: &str) -> Option<String> {
    let mut title = title.trim();
    for prefix in [
        "Feature Specification:",
        "Change:",
        "Proposal:",
        "Requirements Document:",
        "Requirements:",
    ] {
        if let Some(rest) = title.strip_prefix(prefix) {
            title = rest.trim();
            break;
        }
    }
    let generic = matches!(
        markdown::normalize_heading(title).as_str(),
        "" | "requirements document"
            | "requirements"
            | "proposal"
            | "spec"
            | "specification"
            | "feature specification"
            | "bugfix"
            | "bugfix document"
            | "bug fix"
    );
    (!generic).then(|| title.to_string())
}

/// Duplicate ids and dependencies on tasks that do not exist.
fn cross_checks(feature: &Feature) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut task_ids = HashSet::new();
    for task in feature.tasks() {
        if !task_ids.insert(task.id.to_ascii_lowercase()) {
            diagnostics.push(Diagnostic {
                source: task.source.clone(),
                message: format!("task id {} is used twice; the first one is served", task.id),
                kind: DiagnosticKind::DuplicateId,
            });
        }
    }
    for task in feature.tasks() {
        for dependency in &task.depends_on {
            if !task_ids.contains(&dependency.to_ascii_lowercase()) {
                diagnostics.push(Diagnostic {
                    source: task.source.clone(),
                    message: format!(
                        "task {} depends on {dependency}, which is not a task of feature {}",
                        task.id, feature.id
                    ),
                    kind: DiagnosticKind::MissingDependency,
                });
            }
        }
    }
    let mut question_ids = HashSet::new();
    for question in feature.questions() {
        if let Some(id) = &question.id
            && !question_ids.insert(id.clone())
        {
            diagnostics.push(Diagnostic {
                source: question.source.clone(),
                message: format!("question id {id} is used twice"),
                kind: DiagnosticKind::DuplicateId,
            });
        }
    }
    diagnostics
}

/// Items still holding a template placeholder such as `[FEATURE NAME]` or
/// `[DATE]` are not content: they are dropped and reported.
fn drop_placeholders(document: &mut Document, layout: Layout) {
    let mut reported: HashSet<u32> = HashSet::new();
    let mut found = Vec::new();
    let find = |text: &str| {
        placeholder(text).or_else(|| {
            (layout == Layout::SpecKit)
                .then(|| template_phrase(text))
                .flatten()
        })
    };
    let mut left = Vec::new();
    let mut keep = |item: &Item| match find(&item.text) {
        Some(token) => {
            if reported.insert(item.source.line) {
                found.push(Diagnostic {
                    source: item.source.clone(),
                    message: format!(
                        "template placeholder {token} was never filled in; the item is not served"
                    ),
                    kind: DiagnosticKind::Placeholder,
                });
                left.push(Placeholder {
                    token,
                    source: item.source.clone(),
                });
            }
            false
        }
        None => true,
    };
    for section in &mut document.sections {
        section.items.retain(&mut keep);
    }
    document.criteria.retain(|criterion| keep(&criterion.item));
    document.out_of_scope.retain(&mut keep);
    document.non_goals.retain(&mut keep);
    if let Some(title) = &document.title
        && let Some(token) = find(title)
    {
        let source = document
            .sections
            .iter()
            .find(|section| section.level == 1)
            .map(|section| section.source.clone());
        if let Some(source) = source {
            found.push(Diagnostic {
                source: source.clone(),
                message: format!("template placeholder {token} was never filled in the title"),
                kind: DiagnosticKind::Placeholder,
            });
            left.push(Placeholder { token, source });
        }
        document.title = None;
    }
    // Tasks and questions are served as written, but a token in one is
    // still template text left behind.
    let served = document
        .tasks
        .iter()
        .flat_map(|task| {
            [
                (&task.title, &task.source),
                (&task.description, &task.source),
            ]
        })
        .chain(
            document
                .questions
                .iter()
                .map(|question| (&question.text, &question.source)),
        );
    for (text, source) in served {
        if let Some(token) = find(text)
            && !left.iter().any(|placeholder| placeholder.source == *source)
        {
            left.push(Placeholder {
                token,
                source: source.clone(),
            });
        }
    }
    left.sort_by_key(|placeholder| placeholder.source.line);
    document.diagnostics.extend(found);
    document.placeholders.extend(left);
}

/// The first template placeholder in `text`: a bracketed run of capitals
/// such as `[FEATURE NAME]`, `[DATE]` or `[###-feature-name]`, outside
/// inline code, that is not a link, a checkbox or a task marker.
pub fn placeholder(text: &str) -> Option<String> {
    first_bracketed(text, is_placeholder)
}

/// spec-kit's templates also bracket phrases to replace: `**Given**
/// [initial state], **When** [action]`, `What happens when [boundary
/// condition]?`, `[Measurable metric, e.g., ...]`. In a spec-kit file, a
/// bracketed phrase (not a link, not a `NEEDS CLARIFICATION` marker) of
/// several lowercase-led words, or holding an `e.g.` or an ellipsis, is one
/// of those. A capitalised label such as `[Save changes]` or `[Settings >
/// Profile]` is what people write in real criteria, and stays.
fn template_phrase(text: &str) -> Option<String> {
    first_bracketed(text, |inner| {
        let inner = inner.trim();
        let lowercase_words =
            inner.chars().next().is_some_and(char::is_lowercase) && inner.contains(' ');
        let example = inner.contains("e.g.") || inner.contains("...") || inner.contains('…');
        (lowercase_words || example)
            && inner.len() <= 120
            && !inner.starts_with("NEEDS CLARIFICATION")
    })
}

/// The first `[inner]` of `text`, outside inline code, not a link (not
/// followed by `(`, `[` or `:`) and not a subscript or type argument (right
/// after a letter, digit or `_`: `dict[str, str]`, `items[i + 1]`), whose
/// inner text `wanted` accepts.
fn first_bracketed(text: &str, wanted: impl Fn(&str) -> bool) -> Option<String> {
    let prose = markdown::without_code(text);
    let mut rest = prose.as_str();
    while let Some(open) = rest.find('[') {
        let subscript = rest[..open]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            break;
        };
        let inner = &after[..close];
        let next = after[close + 1..].chars().next();
        let is_link = matches!(next, Some('(' | '[' | ':'));
        if !is_link && !subscript && wanted(inner) {
            return Some(format!("[{inner}]"));
        }
        rest = &after[close + 1..];
    }
    None
}

/// Capitals with a space or underscore (`[FEATURE NAME]`, `[PROJECT_NAME]`),
/// a `###` or `$` token, or one of the one-word placeholders templates use.
/// A lone capitalised word such as `[BREAKING]` is a tag people write on
/// purpose and stays.
fn is_placeholder(inner: &str) -> bool {
    // `[###-feature-name]`, `[$ARGUMENTS]`; `[$5 off]` is prose.
    if inner.starts_with("###")
        || inner.strip_prefix('$').is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        })
    {
        return true;
    }
    let capitals = inner.len() <= 40
        && inner.chars().filter(char::is_ascii_uppercase).count() >= 3
        && inner
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, ' ' | '_' | '-'));
    if !capitals || inner.starts_with("NEEDS CLARIFICATION") {
        return false;
    }
    inner.contains([' ', '_'])
        || matches!(
            inner,
            "DATE" | "FEATURE" | "NAME" | "TITLE" | "LINK" | "URL" | "AUTHOR" | "VERSION"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_template_tokens_only() {
        assert_eq!(
            placeholder("# Spec: [FEATURE NAME]"),
            Some("[FEATURE NAME]".into())
        );
        assert_eq!(placeholder("Created: [DATE]"), Some("[DATE]".into()));
        assert_eq!(
            placeholder("Branch `x` [###-feature-name]"),
            Some("[###-feature-name]".into())
        );
        assert_eq!(
            placeholder("Input: [$ARGUMENTS]"),
            Some("[$ARGUMENTS]".into())
        );
        assert_eq!(placeholder("Coupons give [$5 off]"), None);
        assert_eq!(placeholder("- [BREAKING] drops v1"), None);
        assert_eq!(placeholder("See [the docs](x.md) and `[DATE]`"), None);
        assert_eq!(placeholder("[NEEDS CLARIFICATION: which auth?]"), None);
        assert_eq!(placeholder("- [ ] T001 [P] [US1] Create"), None);
    }

    #[test]
    fn spec_kit_template_phrases() {
        let phrase = |text: &str| template_phrase(text);
        assert_eq!(
            phrase("**Given** [initial state], **When** [action], **Then** [expected outcome]"),
            Some("[initial state]".into())
        );
        assert_eq!(
            phrase("What happens when [boundary condition]?"),
            Some("[boundary condition]".into())
        );
        // A type argument or subscript is not a phrase to replace.
        assert_eq!(phrase("**metadata**: dict[str, str] of tags"), None);
        assert_eq!(phrase("reads items[i + 1] next"), None);
        assert_eq!(
            phrase("**SC-001**: [Measurable metric, e.g., time]"),
            Some("[Measurable metric, e.g., time]".into())
        );
        assert_eq!(phrase("Press `[x] remove` to drop it"), None);
        assert_eq!(phrase("See [the guide](guide.md)"), None);
        assert_eq!(
            phrase("Auth via [NEEDS CLARIFICATION: which provider?]"),
            None
        );
        assert_eq!(phrase("Tasks marked [P] run in parallel"), None);
        assert_eq!(
            phrase(
                "**Given** the user is on [Settings > Profile], **When** they click [Save changes]"
            ),
            None
        );
        assert_eq!(phrase("Commits follow [Conventional Commits]"), None);
    }

    /// The example each layout's task format shows reads back, in that
    /// layout, as the tasks it means: ids, dependencies, the criteria and
    /// test plan or the links that give them, and no diagnostic.
    #[test]
    fn each_task_format_example_reads_back_as_its_tasks() {
        let read = |layout: Layout| {
            let format = task_format(layout);
            assert_eq!(format.layout, layout);
            let path: Arc<str> = Arc::from("tasks.md");
            let document = document_in(layout, path, DocumentRole::Tasks, format.example);
            assert!(
                document.diagnostics.is_empty(),
                "{layout:?}: {:?}",
                document.diagnostics
            );
            document.tasks
        };
        let native = read(Layout::Native);
        assert_eq!(native.len(), 1);
        assert_eq!(native[0].id, "T5");
        assert_eq!(native[0].depends_on, ["T4"]);
        assert_eq!(native[0].acceptance_criteria.len(), 2);
        assert_eq!(native[0].test_plan.len(), 2);

        let speckit = read(Layout::SpecKit);
        let ids: Vec<&str> = speckit.iter().map(|task| task.id.as_str()).collect();
        assert_eq!(ids, ["T010", "T011", "T012"]);
        assert!(
            speckit
                .iter()
                .all(|task| task.story.as_deref() == Some("US1"))
        );
        assert!(speckit[0].parallel);
        assert_eq!(speckit[2].depends_on, ["T011"]);

        let kiro = read(Layout::Kiro);
        let ids: Vec<&str> = kiro.iter().map(|task| task.id.as_str()).collect();
        assert_eq!(ids, ["3", "3.1", "3.2"]);
        assert_eq!(kiro[0].requirements, ["2.1", "2.2"]);
        assert_eq!(kiro[1].parent.as_deref(), Some("3"));
        assert_eq!(kiro[2].requirements, ["2.1"]);

        let openspec = read(Layout::OpenSpec);
        let ids: Vec<&str> = openspec.iter().map(|task| task.id.as_str()).collect();
        assert_eq!(ids, ["3.1", "3.2", "3.3"]);
        assert_eq!(openspec[0].phase.as_deref(), Some("3. Order export"));
        assert_eq!(openspec[2].depends_on, ["3.2"]);
    }
}
