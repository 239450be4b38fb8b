//! The kit as resources: what our URIs name, the listing (one page of
//! features at a time), the templates, reading a resource, and completing
//! a template's feature, task and document arguments. Knows no front end:
//! the MCP handler turns these answers into rmcp's types, and any other
//! front end may serve the same URIs.
//!
//! Three kinds of resource of one feature:
//!
//! - `spec://<feature>/<document>`: a document's markdown, as on disk;
//!   `<document>` is its path inside the feature's folder
//!   (`prd.md`, `contracts/api.md`).
//! - `spec://<feature>/tasks/<task>`: a task as [`TaskResource`], JSON.
//! - `spec://<feature>/questions`: the feature's questions as
//!   [`Questions`], JSON.
//!
//! and two of the whole kit:
//!
//! - `spec:///<path>`: a project-wide file (`specs/project.md`, spec-kit's
//!   `.specify/memory/constitution.md`, a Kiro steering file), by its path
//!   from the root. The feature is left empty, which no feature id can
//!   be, so a feature named `project` keeps `spec://project/…`.
//! - `skill://spec-driven/SKILL.md`: the agent skill built into the binary
//!   ([`crate::skill`]), as the Skills-over-MCP extension names it.
//!
//! Ids and path segments are percent-encoded (an `@` of a qualified id is
//! `%40`), as RFC 6570 expands the templates. Documents, questions, the
//! project files and the skill are listed; tasks, of which a kit may hold
//! tens of thousands, are reached through their template and completion.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::model::{Document, DocumentRole, Feature};
use crate::query::{self, QuestionFilter};
use crate::service::answer::{self, FeatureRef, QuestionInfo, Questions, TaskInfo, TaskResource};
use crate::service::params::{ListQuestions, QuestionStatus};
use crate::service::{Kit, ServiceError, Session, check_task_id, feature as chosen, questions};
use crate::skill;
use crate::workspace::printable;

/// The scheme of the kit's URIs.
pub const SCHEME: &str = "spec://";

/// The scheme of the skill's URIs.
pub const SKILL_SCHEME: &str = "skill://";

/// How many features one `resources/list` page covers: each gives its
/// documents and its questions, some five resources, and is parsed to
/// title them.
pub const FEATURE_PAGE: usize = 50;

/// The most values one completion answer holds (MCP's limit).
pub const COMPLETION_LIMIT: usize = 100;

pub const MARKDOWN: &str = "text/markdown";
pub const JSON: &str = "application/json";
pub const YAML: &str = "application/yaml";

/// What one of our URIs names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceUri {
    /// A document, by its path inside the feature's folder (or, for one
    /// kept elsewhere in the root, its path from the root).
    Document {
        feature: String,
        document: String,
    },
    Task {
        feature: String,
        task: String,
    },
    Questions {
        feature: String,
    },
    /// A project-wide file, by its path from the root.
    Project {
        document: String,
    },
    /// A file of a skill, by the skill's name and its path in the skill.
    Skill {
        skill: String,
        path: String,
    },
}

impl ResourceUri {
    /// Reads a URI, or says why it is not one of ours.
    pub fn parse(uri: &str) -> Result<ResourceUri, String> {
        if let Some(rest) = uri.strip_prefix(SKILL_SCHEME) {
            let (skill, path) = rest
                .split_once('/')
                .ok_or_else(|| format!("`{}` names a skill but no file of it", printable(uri)))?;
            let skill = decode(skill).ok_or_else(|| bad_escape(uri))?;
            let path = decode_path(path).ok_or_else(|| bad_escape(uri))?;
            if skill.is_empty() || path.is_empty() {
                return Err(format!("`{}` needs a skill and a file", printable(uri)));
            }
            return Ok(ResourceUri::Skill { skill, path });
        }
        let rest = uri.strip_prefix(SCHEME).ok_or_else(|| {
            format!(
                "`{}` does not start with {SCHEME} or {SKILL_SCHEME}",
                printable(uri)
            )
        })?;
        let (feature, path) = rest
            .split_once('/')
            .ok_or_else(|| format!("`{}` names a feature but no resource of it", printable(uri)))?;
        if feature.is_empty() {
            let document = decode_path(path).ok_or_else(|| bad_escape(uri))?;
            if document.is_empty() {
                return Err(format!("`{}` names no project file", printable(uri)));
            }
            return document_path(uri, document).map(|document| ResourceUri::Project { document });
        }
        let feature = decode(feature).ok_or_else(|| bad_escape(uri))?;
        if feature.is_empty() || path.is_empty() {
            return Err(format!(
                "`{}` needs a feature and a resource",
                printable(uri)
            ));
        }
        if path == "questions" {
            return Ok(ResourceUri::Questions { feature });
        }
        if let Some(task) = path.strip_prefix("tasks/")
            && !task.contains('/')
            && !task.is_empty()
        {
            let task = decode(task).ok_or_else(|| bad_escape(uri))?;
            return Ok(ResourceUri::Task { feature, task });
        }
        let document = decode_path(path).ok_or_else(|| bad_escape(uri))?;
        document_path(uri, document).map(|document| ResourceUri::Document { feature, document })
    }

    /// The feature the resource belongs to; `None` for what belongs to the
    /// whole kit.
    pub fn feature(&self) -> Option<&str> {
        match self {
            ResourceUri::Document { feature, .. }
            | ResourceUri::Task { feature, .. }
            | ResourceUri::Questions { feature } => Some(feature),
            ResourceUri::Project { .. } | ResourceUri::Skill { .. } => None,
        }
    }
}

impl std::fmt::Display for ResourceUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResourceUri::Document { feature, document } => {
                write!(f, "{SCHEME}{}/{}", encode(feature), encode_path(document))
            }
            ResourceUri::Task { feature, task } => {
                write!(f, "{SCHEME}{}/tasks/{}", encode(feature), encode(task))
            }
            ResourceUri::Questions { feature } => {
                write!(f, "{SCHEME}{}/questions", encode(feature))
            }
            ResourceUri::Project { document } => write!(f, "{SCHEME}/{}", encode_path(document)),
            ResourceUri::Skill { skill, path } => {
                write!(f, "{SKILL_SCHEME}{}/{}", encode(skill), encode_path(path))
            }
        }
    }
}

/// A document path, after refusing empty and dot segments. A path is
/// matched against the documents served, never opened as given; these are
/// refused only to say so plainly.
fn document_path(uri: &str, document: String) -> Result<String, String> {
    if document
        .split('/')
        .any(|segment| segment.is_empty() || segment == "." || segment == "..")
    {
        return Err(format!("`{}` is not a document path", printable(uri)));
    }
    Ok(document)
}

/// Each `/`-separated segment of `path` decoded; `None` for a bad escape.
fn decode_path(path: &str) -> Option<String> {
    let segments: Option<Vec<String>> = path.split('/').map(decode).collect();
    segments.map(|segments| segments.join("/"))
}

fn encode_path(path: &str) -> String {
    let segments: Vec<String> = path.split('/').map(encode).collect();
    segments.join("/")
}

fn bad_escape(uri: &str) -> String {
    format!("`{}` holds a bad percent-escape", printable(uri))
}

/// RFC 3986 percent-encoding of everything but the unreserved characters,
/// as RFC 6570 expands `{feature}`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The text a percent-encoded segment stands for; `None` for a bad escape
/// or bytes that are not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The URI of each of a feature's documents, with the document.
pub fn document_uris(feature: &Feature) -> impl Iterator<Item = (String, &crate::model::Document)> {
    feature.documents().map(move |document| {
        let uri = ResourceUri::Document {
            feature: feature.id.clone(),
            document: document_name(feature, &document.path),
        };
        (uri.to_string(), document)
    })
}

/// A document's name in its URI: its path inside the feature's folder, or
/// its path from the root when it lies elsewhere (a link inside the root).
pub fn document_name(feature: &Feature, path: &str) -> String {
    document_name_in(&feature.dir, path)
}

/// [`document_name`] for the feature whose folder is `dir` (relative to
/// the root).
pub fn document_name_in(dir: &str, path: &str) -> String {
    path.strip_prefix(dir)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(path)
        .to_string()
}

/// One resource in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceEntry {
    pub uri: String,
    /// `<feature>/<document>`, `<feature> questions`, a project file's
    /// path, or the skill's name.
    pub name: String,
    pub title: Option<String>,
    pub description: String,
    pub mime_type: &'static str,
    /// The length in bytes, where it is known without reading the file.
    pub size: Option<u64>,
}

/// One page of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePage {
    pub resources: Vec<ResourceEntry>,
    /// The cursor of the next page, when there are more features.
    pub next_cursor: Option<String>,
}

/// A URI template and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub uri_template: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub mime_type: &'static str,
}

/// The templates, most specific first: a client matching a URI against
/// them in order finds the right one.
pub const TEMPLATES: [Template; 3] = [
    Template {
        uri_template: "spec://{feature}/tasks/{task}",
        name: "task",
        description: "A task of a feature: status, dependencies, its acceptance criteria and test \
                      plan with the feature criteria it links to, and its questions, each with \
                      its path:line.",
        mime_type: JSON,
    },
    Template {
        uri_template: "spec://{feature}/questions",
        name: "questions",
        description: "The feature's questions, open and answered, with the answers people wrote.",
        mime_type: JSON,
    },
    Template {
        uri_template: "spec://{feature}/{+document}",
        name: "document",
        description: "One of the feature's spec documents (prd.md, tech-spec.md, tasks.md, \
                      spec.md, plan.md, requirements.md, design.md, proposal.md, …) as \
                      markdown.",
        mime_type: MARKDOWN,
    },
];

/// What a resource read gives: one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceText {
    pub uri: String,
    pub mime_type: &'static str,
    pub text: String,
}

/// Completion values for one template argument.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    /// At most [`COMPLETION_LIMIT`], in the kit's order.
    pub values: Vec<String>,
    /// How many matched in all.
    pub total: usize,
}

/// One page of resources: the documents and questions of up to
/// [`FEATURE_PAGE`] features, from the feature `cursor` gave; the first
/// page starts with the project files and the skill.
pub fn list(kit: &Kit, cursor: Option<&str>) -> Result<ResourcePage, ServiceError> {
    let ids = kit.workspace.feature_ids();
    let start = match cursor {
        None => 0,
        Some(cursor) => match cursor.parse::<usize>() {
            Ok(start) if start < ids.len() && start % FEATURE_PAGE == 0 => start,
            _ => {
                return Err(ServiceError::BadResourceCursor {
                    cursor: printable(cursor),
                });
            }
        },
    };
    let end = (start + FEATURE_PAGE).min(ids.len());
    let mut resources = Vec::new();
    if cursor.is_none() {
        resources.extend(project_resources(kit));
        resources.push(skill_resource());
    }
    for id in &ids[start..end] {
        // A feature that vanished or cannot be read since it was listed is
        // left out; the next listing will not name it.
        let Ok(feature) = kit.workspace.feature(id) else {
            continue;
        };
        resources.extend(feature_resources(&feature));
    }
    Ok(ResourcePage {
        resources,
        next_cursor: (end < ids.len()).then(|| end.to_string()),
    })
}

fn feature_resources(feature: &Feature) -> Vec<ResourceEntry> {
    let mut resources: Vec<ResourceEntry> = document_uris(feature)
        .map(|(uri, document)| ResourceEntry {
            uri,
            name: format!("{}/{}", feature.id, document_name(feature, &document.path)),
            title: document.title.clone(),
            description: format!(
                "{} of feature {} ({})",
                role_words(document.role),
                feature.id,
                document.path
            ),
            mime_type: MARKDOWN,
            size: None,
        })
        .collect();
    resources.push(ResourceEntry {
        uri: ResourceUri::Questions {
            feature: feature.id.clone(),
        }
        .to_string(),
        name: format!("{} questions", feature.id),
        title: Some(format!("Questions: {}", feature.title)),
        description: format!(
            "The questions recorded in feature {}, open and answered",
            feature.id
        ),
        mime_type: JSON,
        size: None,
    });
    resources
}

/// The project-wide files, titled as parsed where the tools read them.
fn project_resources(kit: &Kit) -> Vec<ResourceEntry> {
    let parsed: Vec<Arc<Document>> = kit
        .workspace
        .layouts()
        .into_iter()
        .flat_map(|layout| kit.workspace.project(layout).documents)
        .collect();
    kit.workspace
        .project_paths()
        .into_iter()
        .map(|path| {
            let document = parsed.iter().find(|document| *document.path == *path);
            ResourceEntry {
                uri: ResourceUri::Project {
                    document: path.clone(),
                }
                .to_string(),
                title: document.and_then(|document| document.title.clone()),
                description: match document {
                    Some(document) => format!("{} ({path})", role_words(document.role)),
                    None => format!("Project-wide file included only on request ({path})"),
                },
                mime_type: mime_type_of(&path),
                name: path,
                size: None,
            }
        })
        .collect()
}

/// The skill's entry file.
fn skill_resource() -> ResourceEntry {
    ResourceEntry {
        uri: skill::URI.to_string(),
        name: skill::NAME.to_string(),
        title: None,
        description: skill::description().to_string(),
        mime_type: MARKDOWN,
        size: Some(skill::SKILL_MD.len() as u64),
    }
}

/// A project file's type, by its extension: OpenSpec's `config.yaml` is
/// YAML, the rest markdown or plain text.
fn mime_type_of(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase());
    match extension.as_deref() {
        Some("md" | "markdown") => MARKDOWN,
        Some("yaml" | "yml") => YAML,
        _ => "text/plain",
    }
}

fn role_words(role: DocumentRole) -> &'static str {
    match role {
        DocumentRole::Prd => "What to build",
        DocumentRole::TechSpec => "How to build it",
        DocumentRole::Tasks => "The tasks",
        DocumentRole::Project | DocumentRole::Principles => "Project-wide rules",
    }
}

/// Reads a resource from the same workspace the tools answer from.
pub fn read(kit: &Kit, uri: &str) -> Result<ResourceText, ServiceError> {
    let parsed = ResourceUri::parse(uri).map_err(|reason| ServiceError::BadUri { reason })?;
    let uri = parsed.to_string();
    let session = Session::default();
    match parsed {
        ResourceUri::Document { feature, document } => {
            let feature = chosen(kit, &session, Some(&feature))?;
            let found = feature
                .documents()
                .find(|candidate| document_name(&feature, &candidate.path) == document);
            let Some(found) = found else {
                return Err(ServiceError::NoDocument {
                    document: printable(&document),
                    feature: feature.id.clone(),
                    known: feature
                        .documents()
                        .map(|candidate| document_name(&feature, &candidate.path))
                        .collect(),
                });
            };
            let text = kit.workspace.document_text(&found.path)?;
            Ok(ResourceText {
                uri,
                mime_type: MARKDOWN,
                text,
            })
        }
        ResourceUri::Task { feature, task } => {
            let feature = chosen(kit, &session, Some(&feature))?;
            let answer = task_resource(&feature, &task)?;
            Ok(ResourceText {
                uri,
                mime_type: JSON,
                text: json(&answer)?,
            })
        }
        ResourceUri::Questions { feature } => {
            let feature = chosen(kit, &session, Some(&feature))?;
            let params = ListQuestions {
                feature: Some(feature.id.clone()),
                task: None,
                status: Some(QuestionStatus::All),
            };
            let answer: Questions = questions(kit, &session, &params)?;
            Ok(ResourceText {
                uri,
                mime_type: JSON,
                text: json(&answer)?,
            })
        }
        ResourceUri::Project { document } => read_project(kit, uri, &document),
        ResourceUri::Skill { .. } => read_skill(uri),
    }
}

/// A project-wide file, found among those the kit has; the URI is never
/// turned into a path.
fn read_project(kit: &Kit, uri: String, document: &str) -> Result<ResourceText, ServiceError> {
    let known = kit.workspace.project_paths();
    if !known.iter().any(|path| path == document) {
        return Err(ServiceError::NoProjectFile {
            document: printable(document),
            known,
        });
    }
    Ok(ResourceText {
        mime_type: mime_type_of(document),
        text: kit.workspace.document_text(document)?,
        uri,
    })
}

fn read_skill(uri: String) -> Result<ResourceText, ServiceError> {
    if uri != skill::URI {
        return Err(ServiceError::NoSkill {
            uri: printable(&uri),
            known: skill::URI,
        });
    }
    Ok(ResourceText {
        uri,
        mime_type: MARKDOWN,
        text: skill::SKILL_MD.to_string(),
    })
}

fn json<T: serde::Serialize>(answer: &T) -> Result<String, ServiceError> {
    serde_json::to_string_pretty(answer).map_err(|error| ServiceError::Encode {
        reason: error.to_string(),
    })
}

/// A task with what it must satisfy and the questions asked about it.
fn task_resource(feature: &Arc<Feature>, id: &str) -> Result<TaskResource, ServiceError> {
    check_task_id(feature, id)?;
    let task = query::task(feature, id)?;
    let linked = query::linked_criteria(feature, task);
    let mut acceptance_criteria = answer::items(&task.acceptance_criteria);
    acceptance_criteria.extend(answer::criteria(linked.iter().copied()));
    Ok(TaskResource {
        feature: FeatureRef::from(&**feature),
        task: TaskInfo::new(feature, task),
        acceptance_criteria,
        test_plan: answer::items(&task.test_plan),
        questions: query::questions(feature, QuestionFilter::All, Some(&task.id))
            .into_iter()
            .map(QuestionInfo::from)
            .collect(),
    })
}

/// Values for the argument `argument` of `template` starting with `value`
/// (ignoring case): feature ids, task ids or document names. A task or
/// document is of `feature` (the value the client already chose for it),
/// else of the current feature.
pub fn complete(
    kit: &Kit,
    session: &Session,
    template: &str,
    argument: &str,
    value: &str,
    feature: Option<&str>,
) -> Completion {
    if !TEMPLATES.iter().any(|known| known.uri_template == template) {
        return Completion::default();
    }
    complete_argument(kit, session, argument, value, feature)
}

/// Values for an argument named `feature`, `task` or `document` starting
/// with `value` (ignoring case), wherever it is asked: a template's or a
/// prompt's. A task or document is of `feature`, else of the current
/// feature.
pub fn complete_argument(
    kit: &Kit,
    session: &Session,
    argument: &str,
    value: &str,
    feature: Option<&str>,
) -> Completion {
    let candidates: Vec<String> = match argument {
        "feature" => kit.workspace.feature_ids().to_vec(),
        "task" | "document" => {
            let Ok(feature) = chosen(kit, session, feature) else {
                return Completion::default();
            };
            if argument == "task" {
                feature.tasks().map(|task| task.id.clone()).collect()
            } else {
                feature
                    .documents()
                    .map(|document| document_name(&feature, &document.path))
                    .collect()
            }
        }
        _ => return Completion::default(),
    };
    let wanted = value.to_lowercase();
    let matching: Vec<String> = candidates
        .into_iter()
        .filter(|candidate| candidate.to_lowercase().starts_with(&wanted))
        .collect();
    Completion {
        total: matching.len(),
        values: matching.into_iter().take(COMPLETION_LIMIT).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::ResourceUri;

    fn check(uri: &str, expected: &ResourceUri) {
        assert_eq!(ResourceUri::parse(uri).as_ref(), Ok(expected), "{uri}");
        assert_eq!(expected.to_string(), uri, "formatted back");
    }

    #[test]
    fn uris_name_documents_tasks_and_questions() {
        check(
            "spec://image-upload/prd.md",
            &ResourceUri::Document {
                feature: "image-upload".into(),
                document: "prd.md".into(),
            },
        );
        check(
            "spec://003-csv/contracts/api.md",
            &ResourceUri::Document {
                feature: "003-csv".into(),
                document: "contracts/api.md".into(),
            },
        );
        check(
            "spec://pay%40kiro/tasks/1.2",
            &ResourceUri::Task {
                feature: "pay@kiro".into(),
                task: "1.2".into(),
            },
        );
        check(
            "spec://image-upload/questions",
            &ResourceUri::Questions {
                feature: "image-upload".into(),
            },
        );
    }

    #[test]
    fn uris_name_project_files_and_the_skill() {
        check(
            "spec:///.specify/memory/constitution.md",
            &ResourceUri::Project {
                document: ".specify/memory/constitution.md".into(),
            },
        );
        check(
            "spec:///prd.md",
            &ResourceUri::Project {
                document: "prd.md".into(),
            },
        );
        // A feature named `project` is a feature like any other.
        check(
            "spec://project/prd.md",
            &ResourceUri::Document {
                feature: "project".into(),
                document: "prd.md".into(),
            },
        );
        check(
            "skill://spec-driven/SKILL.md",
            &ResourceUri::Skill {
                skill: "spec-driven".into(),
                path: "SKILL.md".into(),
            },
        );
    }

    #[test]
    fn uris_that_are_not_ours_are_refused() {
        for uri in [
            "file:///etc/passwd",
            "spec://image-upload",
            "spec://image-upload/",
            "spec:///",
            "spec:///specs/../prd.md",
            "spec://a/../b/prd.md",
            "skill://spec-driven",
            "skill:///SKILL.md",
            "skill://spec-driven/",
            "spec://a/%zz",
            "spec://a/%ff.md",
        ] {
            assert!(ResourceUri::parse(uri).is_err(), "{uri}");
        }
    }
}
