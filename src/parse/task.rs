//! Recognises tasks: `## T2: Title` headings with `Status:` / `Depends on:`
//! lines and `### Acceptance criteria` / `### Test plan` subsections, and
//! checklist lines such as `- [ ] T3 Add polling (depends on T2)`.

use crate::model::{Diagnostic, DiagnosticKind, Section, SectionKind, Task, TaskStatus};
use crate::parse::markdown::{Block, ListItem, Outline, children, collapse_whitespace};

/// Every task of a native tasks document: heading tasks first, then
/// checklist tasks that sit outside any heading task.
pub fn heading_and_checklist_tasks(
    outline: &Outline,
    sections: &[Section],
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Task> {
    let found = heading_tasks(sections, text, diagnostics);
    checklist_tasks_after(outline, sections, &box_legend(text), found)
}

/// Every checklist task, for layouts whose headings group tasks (spec-kit
/// phases, OpenSpec groups) rather than being tasks.
pub fn checklist_tasks(outline: &Outline, sections: &[Section], text: &str) -> Vec<Task> {
    checklist_tasks_after(outline, sections, &box_legend(text), Vec::new())
}

/// Boxes whose meaning a tasks file may state in a legend.
const LEGEND_BOXES: [&str; 5] = ["[-]", "[~]", "[/]", "[>]", "[!]"];

/// What a tasks file's own legend says its boxes mean: `` `[~]` in
/// progress ``, `[-] = blocked`, `[/]: doing`. A legend wins over the
/// defaults (`[-]` in progress, `[~]` queued).
fn box_legend(text: &str) -> Vec<(&'static str, TaskStatus)> {
    let mut legend: Vec<(&'static str, TaskStatus)> = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        let trimmed = line.trim_start().trim_start_matches(['>', ' ']);
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        // A task line is not a legend, whatever its title says.
        if fenced || is_checklist_line(trimmed) {
            continue;
        }
        for mark in LEGEND_BOXES {
            let mut from = 0;
            while let Some(found) = line[from..].find(mark) {
                from += found + mark.len();
                if let Some(status) = legend_meaning(&line[from..])
                    && !legend.iter().any(|(known, _)| *known == mark)
                {
                    legend.push((mark, status));
                }
            }
        }
    }
    legend
}

/// Whether a line (quote marks removed) is a checklist item: a bullet or
/// a number, then a box.
fn is_checklist_line(line: &str) -> bool {
    let rest = line.strip_prefix(['-', '*', '+']).or_else(|| {
        let digits = line.trim_start_matches(|c: char| c.is_ascii_digit());
        (digits.len() < line.len())
            .then(|| digits.strip_prefix(['.', ')']))
            .flatten()
    });
    rest.is_some_and(|rest| rest.trim_start().starts_with('['))
}

/// The status the words after a legend's box name: `` ` in progress``,
/// `= blocked`, `: doing`.
fn legend_meaning(after: &str) -> Option<TaskStatus> {
    let meaning = after
        .trim_start_matches('`')
        .trim_start()
        .trim_start_matches(['=', ':', '-', '—', '–', '→'])
        .trim_start();
    let words: Vec<&str> = meaning
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .take_while(|word| !word.is_empty())
        .take(3)
        .collect();
    (1..=words.len())
        .rev()
        .find_map(|count| TaskStatus::parse(&words[..count].join(" ")))
}

/// `found` followed by the checklist tasks outside any of them, with each
/// step linked to its parent.
fn checklist_tasks_after(
    outline: &Outline,
    sections: &[Section],
    legend: &[(&'static str, TaskStatus)],
    mut found: Vec<Task>,
) -> Vec<Task> {
    let heading_spans: Vec<_> = found.iter().map(|task| task.span.clone()).collect();
    // Outline index of each checklist task found, to find nested steps.
    let mut task_blocks: Vec<(usize, usize)> = Vec::new();
    for (index, block) in outline.blocks.iter().enumerate() {
        let Block::ListItem(item) = block else {
            continue;
        };
        if heading_spans
            .iter()
            .any(|span| span.contains(&item.span.start))
        {
            continue;
        }
        let Some(checkbox) = read_checkbox(item, legend) else {
            continue;
        };
        let Some((id, rest)) = split_task_id(checkbox.rest) else {
            continue;
        };
        let markers = markers(rest);
        let children = children(outline, index);
        let mut requirements = Vec::new();
        let mut description = Vec::new();
        for child in &children {
            if read_checkbox(child, legend)
                .is_some_and(|nested| split_task_id(nested.rest).is_some())
            {
                continue;
            }
            match requirement_links(&child.text) {
                Some(links) => requirements.extend(links),
                None if !child.text.is_empty() => description.push(child.text.as_str()),
                None => {}
            }
        }
        let parent = item.parent.and_then(|parent| {
            task_blocks
                .iter()
                .find(|(block, _)| *block == parent)
                .map(|(_, position)| found[*position].id.clone())
                // A duplicate id nested under itself is not its own step.
                .filter(|parent| !parent.eq_ignore_ascii_case(id))
        });
        task_blocks.push((index, found.len()));
        found.push(Task {
            id: id.to_string(),
            depends_on: depends_phrase(markers.title),
            title: markers.title.to_string(),
            status: checkbox.status,
            description: description.join("\n"),
            acceptance_criteria: Vec::new(),
            test_plan: Vec::new(),
            phase: phase(sections, item.span.start),
            story: markers.story.map(str::to_string),
            parallel: markers.parallel,
            optional: checkbox.optional,
            requirements,
            parent,
            files: file_paths(markers.title),
            source: outline.source(item.span.start),
            span: item.span.clone(),
        });
    }
    // `1.2` is a step of `1` when both are tasks, nested or not.
    let ids: Vec<String> = found
        .iter()
        .map(|task| task.id.to_ascii_lowercase())
        .collect();
    for task in &mut found {
        if task.parent.is_some() {
            continue;
        }
        if let Some((head, _)) = task.id.rsplit_once('.')
            && ids.iter().any(|id| id.eq_ignore_ascii_case(head))
        {
            task.parent = Some(head.to_string());
        }
    }
    found
}

/// A checklist item's box: `[ ]`, `[x]`, `[X]`, Kiro's in-progress `[-]`
/// and queued `[~]`; a `*` right after the box marks the task optional.
struct Checkbox<'a> {
    status: TaskStatus,
    optional: bool,
    rest: &'a str,
}

fn read_checkbox<'a>(
    item: &'a ListItem,
    legend: &[(&'static str, TaskStatus)],
) -> Option<Checkbox<'a>> {
    if let Some(checked) = item.checked {
        let status = if checked {
            TaskStatus::Done
        } else {
            TaskStatus::Todo
        };
        return Some(Checkbox {
            status,
            optional: false,
            rest: &item.text,
        });
    }
    let text = item.text.as_str();
    let (status, rest) = legend
        .iter()
        .copied()
        .chain([
            ("[ ]", TaskStatus::Todo),
            ("[x]", TaskStatus::Done),
            ("[X]", TaskStatus::Done),
            ("[-]", TaskStatus::InProgress),
            // Kiro marks a queued task `[~]`: not started yet.
            ("[~]", TaskStatus::Todo),
        ])
        .find_map(|(mark, status)| text.strip_prefix(mark).map(|rest| (status, rest)))?;
    let (optional, rest) = match rest.strip_prefix('*') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(Checkbox {
        status,
        optional,
        rest: rest.trim_start(),
    })
}

/// Markers after a checklist task's id: `[P]` (parallel) and a story tag
/// such as `[US1]`, in any order.
struct Markers<'a> {
    parallel: bool,
    story: Option<&'a str>,
    title: &'a str,
}

fn markers(mut rest: &str) -> Markers<'_> {
    let mut parallel = false;
    let mut story = None;
    loop {
        rest = rest.trim_start();
        let Some(inner) = rest
            .strip_prefix('[')
            .and_then(|tail| tail.find(']').map(|end| (&tail[..end], &tail[end + 1..])))
        else {
            break;
        };
        let (tag, after) = inner;
        if tag.eq_ignore_ascii_case("p") {
            parallel = true;
        } else if is_story_tag(tag) {
            story = Some(tag);
        } else {
            break;
        }
        rest = after;
    }
    Markers {
        parallel,
        story,
        title: rest.trim_start(),
    }
}

/// `US1`, `US12`: a spec-kit user story tag.
fn is_story_tag(tag: &str) -> bool {
    tag.get(..2)
        .is_some_and(|head| head.eq_ignore_ascii_case("us"))
        && tag.len() > 2
        && tag[2..].chars().all(|c| c.is_ascii_digit())
}

/// The link a task names to say every requirement binds it, as Kiro
/// writes `_Requirements: All_`.
pub const ALL_REQUIREMENTS: &str = "All";

/// `_Requirements: 1.1, 2.3_` (Kiro's traceability line) or
/// `**Validates: Requirements 3.1, 3.2**` into its ids; a range such as
/// `5.1-5.3` names each id in it.
pub fn requirement_links(text: &str) -> Option<Vec<String>> {
    let bare = text.trim().trim_matches(|c: char| c == '_' || c == '*');
    let value = field_value(bare, &["requirements", "requirement", "refs", "validates"])?;
    let mut ids = Vec::new();
    for word in value.split([',', ';', ' ']) {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        // `_Requirements: All_`: every requirement binds the task.
        if word.eq_ignore_ascii_case(ALL_REQUIREMENTS) {
            ids.push(ALL_REQUIREMENTS.to_string());
            continue;
        }
        if !word.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        match expand_range(word) {
            Some(range) => ids.extend(range),
            None => ids.push(word.to_string()),
        }
    }
    Some(ids)
}

/// `5.1-5.3` into `5.1`, `5.2`, `5.3`; ranges over 100 ids are not ranges.
fn expand_range(word: &str) -> Option<Vec<String>> {
    let (from, to) = word.split_once(['-', '–'])?;
    let (head, first) = from.rsplit_once('.')?;
    let (to_head, last) = to.rsplit_once('.').unwrap_or((head, to));
    let first: u32 = first.parse().ok()?;
    let last: u32 = last.parse().ok()?;
    if to_head != head || last < first || last - first > 100 {
        return None;
    }
    Some((first..=last).map(|n| format!("{head}.{n}")).collect())
}

/// The level-2 heading an offset sits under: a phase or task group.
fn phase(sections: &[Section], offset: usize) -> Option<String> {
    sections
        .iter()
        .rfind(|section| section.level == 2 && section.heading_span.start < offset)
        .filter(|section| section.body_span.contains(&offset))
        .map(|section| section.title.clone())
}

/// File paths a task names: backticked (`src/app.rs`, `README.md`) or bare
/// with a folder and an extension (`src/models/user.py`), as spec-kit
/// writes them.
fn file_paths(text: &str) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    let mut push = |path: &str| {
        if !paths.iter().any(|known| known == path) {
            paths.push(path.to_string());
        }
    };
    // Odd parts of a split on backticks are inside code spans.
    for (index, part) in text.split('`').enumerate() {
        if index % 2 == 1 {
            if looks_like_quoted_path(part) {
                push(part);
            }
            continue;
        }
        for word in part.split_whitespace() {
            // A link's target, not its text: `[the config](config/app.yaml)`.
            let word = word.rsplit_once("](").map_or(word, |(_, target)| target);
            let word = word.trim_end_matches(['.', ',', ';', ':', ')', '*', '"', '\'', ']', '_']);
            let word = word.trim_start_matches(['(', '*', '"', '\'', '[', '_']);
            if looks_like_bare_path(word) {
                push(word);
            }
        }
    }
    paths
}

/// A path in backticks: no spaces, and a folder or a short extension.
fn looks_like_quoted_path(code: &str) -> bool {
    !code.is_empty()
        && !code.contains(char::is_whitespace)
        && !code.contains("://")
        && (code.contains('/') || has_extension(code))
}

/// A path in prose needs both a folder and an extension, and its first
/// segment must not look like a host: `example.com/docs/index.html` is a
/// web address, not a file.
fn looks_like_bare_path(word: &str) -> bool {
    let host = word
        .split('/')
        .next()
        .is_some_and(|first| first.contains('.') && first != "." && first != "..");
    !word.is_empty() && !word.contains("://") && word.contains('/') && has_extension(word) && !host
}

/// Ends in `.ext`: one to five letters or digits, not all digits (`v2.0`
/// is a version).
fn has_extension(word: &str) -> bool {
    word.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && !stem.ends_with('/')
            && (1..=5).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_alphanumeric())
            && !ext.chars().all(|c| c.is_ascii_digit())
    })
}

fn heading_tasks(sections: &[Section], text: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<Task> {
    let mut found = Vec::new();
    for (position, section) in sections.iter().enumerate() {
        if section.level < 2 {
            continue;
        }
        let Some((id, title)) = split_task_id(&section.title) else {
            continue;
        };
        // Subsections of this task: the following sections until one at the
        // task's own level or higher.
        let subsections = sections[position + 1..]
            .iter()
            .take_while(|next| next.level > section.level);
        let mut acceptance_criteria = Vec::new();
        let mut test_plan = Vec::new();
        for subsection in subsections {
            match subsection.kind {
                SectionKind::AcceptanceCriteria => {
                    acceptance_criteria.extend(subsection.items.iter().cloned());
                }
                SectionKind::TestPlan => test_plan.extend(subsection.items.iter().cloned()),
                _ => {}
            }
        }
        let preamble_end = sections
            .get(position + 1)
            .map_or(section.body_span.end, |next| next.heading_span.start)
            .min(section.body_span.end);
        // A lone `\r` ends a heading for the markdown parser but not for
        // the line arithmetic of spans, so the body may seem to start past
        // the next heading: then there is no preamble.
        let preamble = text
            .get(section.body_span.start..preamble_end)
            .unwrap_or_default();
        let fields = fields(preamble);
        let status = match fields.status {
            None => TaskStatus::Todo,
            Some(word) => TaskStatus::parse(word).unwrap_or_else(|| {
                diagnostics.push(Diagnostic {
                    source: section.source.clone(),
                    message: format!(
                        "task {id}: unknown status `{word}` (use todo, in progress, done or blocked); read as todo"
                    ),
                    kind: DiagnosticKind::UnknownStatus,
                });
                TaskStatus::Todo
            }),
        };
        found.push(Task {
            id: id.to_string(),
            title: title.to_string(),
            status,
            depends_on: fields.depends_on,
            description: fields.description,
            acceptance_criteria,
            test_plan,
            phase: None,
            story: None,
            parallel: false,
            optional: false,
            requirements: Vec::new(),
            parent: None,
            files: Vec::new(),
            source: section.source.clone(),
            span: section.heading_span.start..section.body_span.end,
        });
    }
    found
}

struct Fields<'a> {
    status: Option<&'a str>,
    depends_on: Vec<String>,
    description: String,
}

/// Reads `Status:` and `Depends on:` lines (bold or bulleted too) and keeps
/// the other lines as the description.
fn fields(preamble: &str) -> Fields<'_> {
    let mut status = None;
    let mut depends_on = Vec::new();
    let mut description = Vec::new();
    for line in preamble.lines() {
        let bare = line
            .trim()
            .trim_start_matches(['-', '*', '+'])
            .trim_start()
            .trim_start_matches(['*', '_']);
        if let Some(value) = field_value(bare, &["status"]) {
            status = Some(value);
        } else if let Some(value) = field_value(
            bare,
            &["depends on", "dependencies", "depends", "blocked by"],
        ) {
            depends_on = task_ids(value);
        } else {
            description.push(line);
        }
    }
    Fields {
        status,
        depends_on,
        description: collapse_whitespace(&description.join("\n")),
    }
}

/// `Status: done` (or `**Status:** done`) gives `done` for the name `status`.
fn field_value<'a>(line: &'a str, names: &[&str]) -> Option<&'a str> {
    for name in names {
        let Some(head) = line.get(..name.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(name) {
            continue;
        }
        let rest = line[name.len()..].trim_start_matches(['*', '_']);
        if let Some(value) = rest.strip_prefix(':') {
            return Some(value.trim().trim_start_matches(['*', '_']).trim());
        }
    }
    None
}

/// Ids in a list such as `T1, T2 and 2.1`; `none` gives nothing.
pub fn task_ids(list: &str) -> Vec<String> {
    list.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(|word| {
            dashed(
                word.trim_matches(|c: char| !c.is_alphanumeric())
                    .trim_start_matches('`'),
            )
        })
        .filter(|word| is_task_id(word))
        .flat_map(|word| task_range(&word))
        .collect()
}

/// An en dash between ids (`T1–T4`, as word processors write ranges) read
/// as the hyphen of a range.
fn dashed(word: &str) -> String {
    word.replace('–', "-")
}

/// How many ids a range may stand for; a wider one (`T1-T99999`, a typo
/// most likely) stands for its two ends.
const MAX_RANGE: u32 = 1000;

/// `T010-T016` into `T010` … `T016` (the numbers padded as written), as
/// spec-kit lists dependencies, whichever end is written first; any other
/// id as itself.
fn task_range(word: &str) -> Vec<String> {
    let range = word.split_once('-').and_then(|(from, to)| {
        let (prefix, first) = numbered(from)?;
        let (to_prefix, last) = numbered(to)?;
        let (one, other): (u32, u32) = (first.parse().ok()?, last.parse().ok()?);
        if prefix.is_empty() || prefix != to_prefix {
            return None;
        }
        let width = first.len();
        let id = |n: u32| format!("{prefix}{n:0width$}");
        let (start, end) = (one.min(other), one.max(other));
        Some(if end - start <= MAX_RANGE {
            (start..=end).map(id).collect::<Vec<_>>()
        } else {
            vec![id(start), id(end)]
        })
    });
    range.unwrap_or_else(|| vec![word.to_string()])
}

/// `T010` into `("T", "010")`: a prefix and the digits that end it.
fn numbered(id: &str) -> Option<(&str, &str)> {
    let prefix = id.trim_end_matches(|c: char| c.is_ascii_digit());
    (prefix.len() < id.len()).then(|| id.split_at(prefix.len()))
}

/// Ids named after a "depends on" phrase in a checklist line: the run of
/// ids right after it, so "depends on T2 for the types; see T3" gives `T2`.
fn depends_phrase(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let Some(at) = lower.find("depends on") else {
        return Vec::new();
    };
    let mut ids = Vec::new();
    for word in text[at + "depends on".len()..].split_whitespace() {
        let connector = matches!(word.to_ascii_lowercase().as_str(), "and" | "&" | "," | "+");
        if connector {
            continue;
        }
        let ends_phrase = word.ends_with([')', ']', ';', '.']);
        let id = dashed(
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .trim_start_matches('`'),
        );
        if !is_task_id(&id) {
            break;
        }
        ids.extend(task_range(&id));
        if ends_phrase {
            break;
        }
    }
    ids
}

/// A task id has a digit and only letters, digits, `-`, `.` and `_`, and is
/// not a question id.
fn is_task_id(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 40
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().next().is_some_and(char::is_alphanumeric)
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && !(word.len() > 2 && word[..2].eq_ignore_ascii_case("q-"))
}

/// `T2: Build the route` into `("T2", "Build the route")`; `1.2 Name` too.
pub fn split_task_id(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start().trim_start_matches('*');
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let word = text[..end].trim_end_matches(['*', ':']);
    let word = word.strip_suffix('.').unwrap_or(word);
    if !is_task_id(word) {
        return None;
    }
    let rest = text[word.len()..]
        .trim_start_matches(['*', ':', '.'])
        .trim_start();
    let rest = rest
        .strip_prefix(['-', '—', '–'])
        .map_or(rest, str::trim_start);
    Some((word, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_legend_says_what_its_boxes_mean() {
        assert_eq!(
            box_legend("> `[ ]` open · `[~]` in progress · `[x]` done.\n- [~] T-1 Go\n"),
            [("[~]", TaskStatus::InProgress)]
        );
        assert_eq!(
            box_legend("Legend: [-] = blocked, [/]: doing\n"),
            [
                ("[-]", TaskStatus::Blocked),
                ("[/]", TaskStatus::InProgress)
            ]
        );
        // A task line is not a legend, whatever its title says, nor is
        // code.
        assert_eq!(box_legend("- [~] 2. done later\n"), []);
        assert_eq!(box_legend("- [ ] 2 Render the `[-]` blocked badge\n"), []);
        assert_eq!(box_legend("1. [~] done later\n> - [/] doing\n"), []);
        assert_eq!(box_legend("```\n[-] = blocked\n```\n"), []);
        assert_eq!(box_legend("[~] queued for review\n"), []);
    }

    #[test]
    fn task_ids_in_headings() {
        assert_eq!(split_task_id("T2: Build it"), Some(("T2", "Build it")));
        assert_eq!(split_task_id("TASK-7 — Ship"), Some(("TASK-7", "Ship")));
        assert_eq!(split_task_id("2.1 Wire up"), Some(("2.1", "Wire up")));
        assert_eq!(split_task_id("1. Setup"), Some(("1", "Setup")));
        assert_eq!(split_task_id("Phase 1: Setup"), None);
        assert_eq!(split_task_id("Acceptance criteria"), None);
        assert_eq!(split_task_id("Q-1 question"), None);
    }

    #[test]
    fn dependency_lists() {
        assert_eq!(task_ids("T1, T2 and 2.1"), vec!["T1", "T2", "2.1"]);
        assert_eq!(task_ids("T008-T010"), vec!["T008", "T009", "T010"]);
        assert_eq!(task_ids("TASK-7"), vec!["TASK-7"]);
        assert_eq!(
            depends_phrase("Wire it up (depends on T010-T011)"),
            vec!["T010", "T011"]
        );
        assert!(task_ids("none").is_empty());
        assert_eq!(task_ids("T1–T3"), vec!["T1", "T2", "T3"]);
        assert_eq!(task_ids("T3-T1"), vec!["T1", "T2", "T3"]);
        assert_eq!(task_ids("T5-T5"), vec!["T5"]);
        assert_eq!(task_ids("T1-T99999"), vec!["T1", "T99999"]);
        assert_eq!(depends_phrase("Ship (depends on T1–T2)"), vec!["T1", "T2"]);
        assert_eq!(
            depends_phrase("Add retries (depends on T2, T3)"),
            vec!["T2", "T3"]
        );
    }

    #[test]
    fn file_paths_backticked_or_bare() {
        assert_eq!(
            file_paths(
                "Create User model in src/models/user.py, see `README.md` and https://x.io/a.html"
            ),
            vec!["src/models/user.py", "README.md"]
        );
        assert!(file_paths("Bump version to 1.2 and ship v2.0.").is_empty());
        assert_eq!(
            file_paths(
                "Update [the config](config/app.yaml) and \"src/lib.rs\", see example.com/docs/index.html"
            ),
            vec!["config/app.yaml", "src/lib.rs"]
        );
    }

    #[test]
    fn non_ascii_tags_are_not_markers() {
        let markers = markers("[🚧] [US1] Build");
        assert_eq!(markers.story, None);
        assert_eq!(markers.title, "[🚧] [US1] Build");
        assert!(!is_story_tag("日本"));
    }

    #[test]
    fn requirement_links_and_ranges() {
        assert_eq!(
            requirement_links("_Requirements: 1.1, 2.3_"),
            Some(vec!["1.1".to_string(), "2.3".to_string()])
        );
        assert_eq!(
            requirement_links("**Validates: Requirements 3.1, 5.1-5.3**"),
            Some(
                vec!["3.1", "5.1", "5.2", "5.3"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            )
        );
        assert_eq!(requirement_links("Write the tests"), None);
        assert_eq!(
            requirement_links("_Requirements: All_"),
            Some(vec!["All".to_string()])
        );
    }

    #[test]
    fn fields_are_read_in_any_dress() {
        let fields = fields("Status: in progress\n**Depends on:** T1, T2\n\nDo the thing.\n");
        assert_eq!(fields.status, Some("in progress"));
        assert_eq!(fields.depends_on, vec!["T1", "T2"]);
        assert_eq!(fields.description, "Do the thing.");
    }
}
