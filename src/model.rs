//! The one model every layout maps onto: features, documents, sections,
//! tasks, questions, and the spans and sources that tie each item back to
//! the bytes it came from.
//!
//! Nothing here reads files or knows a layout's conventions; `parse` builds
//! these values and `query` reads them.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A byte range into a document's text.
pub type Span = Range<usize>;

/// Where an item came from: a path relative to the spec root (always with
/// `/` separators) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    pub path: Arc<str>,
    pub line: u32,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path, self.line)
    }
}

/// What a section is about, recognised from its heading text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    Overview,
    Outcomes,
    SurfaceArea,
    Goals,
    NonGoals,
    UserStories,
    Requirements,
    AcceptanceCriteria,
    TestPlan,
    OutOfScope,
    Risks,
    OpenQuestions,
    ArchitectureConstraints,
    DefinitionOfDone,
    /// Any heading with no special meaning.
    Other,
}

/// One unit of content an answer is made of: a list item or a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The item's own text, whitespace collapsed, inline markdown kept.
    pub text: String,
    /// Texts of nested list items, flattened in document order.
    pub details: Vec<String>,
    pub source: Source,
    pub span: Span,
}

/// A heading and what belongs to it, up to the next heading of the same or
/// a higher level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub kind: SectionKind,
    pub level: u8,
    pub source: Source,
    /// The heading line itself.
    pub heading_span: Span,
    /// From the end of the heading line to the start of the next heading of
    /// the same or a higher level (or the end of the document).
    pub body_span: Span,
    /// Items directly under this heading, before any sub-heading.
    pub items: Vec<Item>,
}

/// Which role a document plays in a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentRole {
    Project,
    Prd,
    TechSpec,
    Tasks,
}

/// A parsed markdown file.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: Arc<str>,
    pub role: DocumentRole,
    /// The first level-1 heading, if any.
    pub title: Option<String>,
    pub sections: Vec<Section>,
    pub questions: Vec<Question>,
    /// Tasks written in this document (a tasks document, usually).
    pub tasks: Vec<Task>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Document {
    /// Sections of the given kind, in document order.
    pub fn sections_of(&self, kind: SectionKind) -> impl Iterator<Item = &Section> {
        self.sections
            .iter()
            .filter(move |section| section.kind == kind)
    }

    /// Items of every section of the given kind.
    pub fn items_of(&self, kind: SectionKind) -> impl Iterator<Item = &Item> {
        self.sections_of(kind)
            .flat_map(|section| section.items.iter())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    Todo,
    InProgress,
    Done,
    Blocked,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in progress",
            TaskStatus::Done => "done",
            TaskStatus::Blocked => "blocked",
        }
    }

    /// Reads the words people write after `Status:`.
    pub fn parse(text: &str) -> Option<TaskStatus> {
        let normalized: String = text
            .trim()
            .trim_matches(|c: char| c == '*' || c == '_' || c == '`')
            .to_lowercase()
            .chars()
            .map(|c| if c == '-' || c == '_' { ' ' } else { c })
            .collect();
        match normalized.trim() {
            "todo" | "to do" | "open" | "not started" | "pending" => Some(TaskStatus::Todo),
            "in progress" | "doing" | "started" | "wip" | "in review" => {
                Some(TaskStatus::InProgress)
            }
            "done" | "complete" | "completed" | "finished" | "closed" => Some(TaskStatus::Done),
            "blocked" | "on hold" => Some(TaskStatus::Blocked),
            _ => None,
        }
    }
}

/// A PR-sized unit of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub title: String,
    pub status: TaskStatus,
    pub depends_on: Vec<String>,
    pub description: String,
    pub acceptance_criteria: Vec<Item>,
    pub test_plan: Vec<Item>,
    pub source: Source,
    pub span: Span,
}

/// A question recorded in the spec, open or answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// `Q-<n>`, or `None` for a plain bullet in an open-questions section.
    pub id: Option<String>,
    pub number: Option<u32>,
    pub text: String,
    /// The metadata in parentheses after the id: date, task, who asked.
    pub meta: Option<String>,
    pub answer: Option<String>,
    pub answered: bool,
    pub source: Source,
    pub span: Span,
}

/// A problem found while reading the kit. Parsing never fails; it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub source: Source,
    pub message: String,
}

/// Project-wide rules that apply to every feature.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub document: Option<Arc<Document>>,
}

impl Project {
    pub fn items_of(&self, kind: SectionKind) -> Vec<&Item> {
        self.document
            .iter()
            .flat_map(|document| document.items_of(kind))
            .collect()
    }
}

/// One feature folder: its documents, tasks and questions.
#[derive(Debug, Clone)]
pub struct Feature {
    /// The folder name; unique within the kit.
    pub id: String,
    pub title: String,
    /// Folder relative to the spec root.
    pub dir: Arc<str>,
    pub prd: Option<Document>,
    pub tech_spec: Option<Document>,
    pub tasks_document: Option<Document>,
    /// Problems that span documents, such as a dependency on a missing task.
    pub diagnostics: Vec<Diagnostic>,
}

impl Feature {
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        [&self.prd, &self.tech_spec, &self.tasks_document]
            .into_iter()
            .flatten()
    }

    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.documents().flat_map(|document| document.tasks.iter())
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks().find(|task| task.id.eq_ignore_ascii_case(id))
    }

    /// Every diagnostic: each document's and the feature's own.
    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.documents()
            .flat_map(|document| document.diagnostics.iter())
            .chain(self.diagnostics.iter())
    }

    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.documents()
            .flat_map(|document| document.questions.iter())
    }
}
