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
    /// Options weighed and not taken (`Alternatives considered`).
    Alternatives,
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
    /// Nothing is written under the heading, up to the next heading of the
    /// same or a higher level: no text, list, table or code, and no
    /// sub-heading; only whitespace and HTML comments.
    pub empty: bool,
}

/// A folder convention a kit is written in. Everything above `parse` is
/// blind to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layout {
    /// `specs/<feature>/prd.md`, `tech-spec.md`, `tasks.md`.
    Native,
    /// GitHub spec-kit: `specs/NNN-name/spec.md`, `plan.md`, `tasks.md`.
    SpecKit,
    /// Kiro: `.kiro/specs/<name>/requirements.md`, `design.md`, `tasks.md`.
    Kiro,
    /// OpenSpec: `openspec/changes/<id>/` and `openspec/specs/<capability>/`.
    OpenSpec,
}

impl Layout {
    pub const ALL: [Layout; 4] = [
        Layout::Native,
        Layout::SpecKit,
        Layout::Kiro,
        Layout::OpenSpec,
    ];
}

/// Which role a document plays in a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentRole {
    /// The native `project.md`: its Architecture constraints, Definition of
    /// Done and Out of scope sections bind every feature.
    Project,
    /// A project-wide document every section of which binds every feature:
    /// a spec-kit constitution, a Kiro steering file, OpenSpec's project
    /// context.
    Principles,
    /// What to build: a PRD, spec-kit `spec.md`, Kiro `requirements.md`,
    /// OpenSpec `proposal.md` and delta specs.
    Prd,
    /// How to build it: every section is an architecture constraint.
    TechSpec,
    Tasks,
}

/// A feature-level acceptance criterion, with what it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub item: Item,
    /// What the criterion belongs to, as written: "User Story 1 - Upload",
    /// "Requirement 2", "ADDED Requirement: Scope flag".
    pub group: Option<String>,
    /// Ids tasks link to it by: a story tag (`US1`), a requirement number
    /// (`2`, `2.3`).
    pub keys: Vec<String>,
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
    /// Acceptance criteria a layout states outside criteria headings
    /// (scenarios, success criteria, EARS criteria), in document order.
    pub criteria: Vec<Criterion>,
    /// Exclusions a layout states outside out-of-scope headings, such as a
    /// spec-kit assumption that something is out of scope.
    pub out_of_scope: Vec<Item>,
    /// Non-goals a layout states outside non-goals headings, such as the
    /// list after OpenSpec's `**Non-Goals:**`.
    pub non_goals: Vec<Item>,
    /// `key: value` lines of a YAML front matter block, if the file has one.
    pub front_matter: Vec<(String, String)>,
    /// Template text never filled in, anywhere in the document: the tokens
    /// of items dropped for holding one, of the title, of tasks and
    /// questions (served as written), and template comments asking for
    /// action.
    pub placeholders: Vec<Placeholder>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Template text left in a document: a token such as `[FEATURE NAME]`, or
/// `ACTION REQUIRED` for a template's comment asking the writer to replace
/// what follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub token: String,
    pub source: Source,
}

impl Document {
    /// An empty document that only carries diagnostics.
    pub fn empty(path: Arc<str>, role: DocumentRole) -> Document {
        Document {
            path,
            role,
            title: None,
            sections: Vec::new(),
            questions: Vec::new(),
            tasks: Vec::new(),
            criteria: Vec::new(),
            out_of_scope: Vec::new(),
            non_goals: Vec::new(),
            front_matter: Vec::new(),
            placeholders: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The value of a front matter key.
    pub fn front_matter(&self, key: &str) -> Option<&str> {
        self.front_matter
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }

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
    /// The heading the task sits under in a checklist: a spec-kit phase, an
    /// OpenSpec task group.
    pub phase: Option<String>,
    /// The user story a spec-kit task serves (`US1`).
    pub story: Option<String>,
    /// Marked `[P]`: can run in parallel with other tasks.
    pub parallel: bool,
    /// Marked optional (Kiro's `- [ ]*`).
    pub optional: bool,
    /// Requirement numbers the task links to (Kiro's `_Requirements: 1.1_`).
    pub requirements: Vec<String>,
    /// The task this one is a step of (`1` for `1.2`), when that is a task.
    pub parent: Option<String>,
    /// File paths the task names in backticks.
    pub files: Vec<String>,
    pub source: Source,
    pub span: Span,
}

impl Task {
    /// Whether this task names `task` as its parent.
    pub fn is_step_of(&self, task: &Task) -> bool {
        self.parent
            .as_deref()
            .is_some_and(|parent| parent.eq_ignore_ascii_case(&task.id))
    }
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
    pub kind: DiagnosticKind,
}

/// What kind of problem a diagnostic reports, for the rules of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    /// The file could not be read as it is: binary, too large, not UTF-8,
    /// outside the spec root, an I/O error.
    Unreadable,
    /// The file holds nothing but whitespace.
    EmptyFile,
    /// A task's status is not a word the parser knows; it is read as todo.
    UnknownStatus,
    /// Template text never filled in.
    Placeholder,
    /// A task or question id used twice.
    DuplicateId,
    /// A dependency on a task that does not exist.
    MissingDependency,
}

/// Project-wide rules that apply to every feature of a layout.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub documents: Vec<Arc<Document>>,
}

impl Project {
    pub fn items_of(&self, kind: SectionKind) -> Vec<&Item> {
        self.documents
            .iter()
            .flat_map(|document| document.items_of(kind))
            .collect()
    }
}

/// One feature folder: its documents, tasks and questions.
#[derive(Debug, Clone)]
pub struct Feature {
    /// The folder name, qualified with `@<layout>` when two layouts hold a
    /// folder of that name; unique within the kit.
    pub id: String,
    pub title: String,
    pub layout: Layout,
    /// Folder relative to the spec root.
    pub dir: Arc<str>,
    /// In the order the layout lists them: PRD-like, tech-like, tasks.
    pub documents: Vec<Document>,
    /// Problems that span documents, such as a dependency on a missing task.
    pub diagnostics: Vec<Diagnostic>,
}

impl Feature {
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.documents.iter()
    }

    pub fn documents_with(&self, role: DocumentRole) -> impl Iterator<Item = &Document> {
        self.documents
            .iter()
            .filter(move |document| document.role == role)
    }

    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.documents().flat_map(|document| document.tasks.iter())
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks().find(|task| task.id.eq_ignore_ascii_case(id))
    }

    /// The tasks that are steps of `task`.
    pub fn steps<'a>(&'a self, task: &'a Task) -> impl Iterator<Item = &'a Task> {
        self.tasks().filter(move |step| step.is_step_of(task))
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

    /// Acceptance criteria stated by the layout's conventions, plus the
    /// items of acceptance-criteria sections of the PRD-like documents.
    pub fn criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.documents()
            .flat_map(|document| document.criteria.iter())
    }
}
