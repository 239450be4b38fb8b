//! Choosing which constraints fit an answer: an agent pays for every byte
//! with its context, and a client caps what it takes from one call. Pure:
//! it picks among the constraints `query` found, by size and by the words
//! they share with the task.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use crate::model::Task;
use crate::query::Labelled;
use crate::service::answer::{Constraint, Exclusion, OmittedSection, ScopeItem};

/// Bytes of the feature's constraint text `get_current_task` includes
/// before it picks the constraints closest to the task and points to the
/// rest. A native `project.md`'s constraints are always included.
const CONSTRAINT_BUDGET: usize = 1_200;

/// Bytes of constraint text `get_architecture_constraints` returns before
/// it picks the ones closest to the task and names the sections left out:
/// a whole spec-kit plan, research, data model, contracts and constitution
/// can otherwise outgrow what a client accepts from one tool call.
const ANSWER_BUDGET: usize = 24_000;

/// Bytes of project principles (constitution, steering) `get_current_task`
/// shows before ranking them by the task's words.
const PRINCIPLE_BUDGET: usize = 800;

/// The constraints an answer keeps, as indices in document order.
#[derive(Debug)]
pub struct Fit {
    pub kept: Vec<usize>,
    /// Some were left out.
    pub cut: bool,
}

/// Every constraint when they fit [`ANSWER_BUDGET`]; otherwise a native
/// `project.md`'s rules (always), then the feature's own constraints in at
/// least three quarters of the budget (and whatever the principles do not
/// need), then the principles in the rest: those closest to the task, or
/// with no task the first ones.
pub fn to_fit(all: &[Labelled<'_>], task: Option<&Task>) -> Fit {
    if all.iter().map(size).sum::<usize>() <= ANSWER_BUDGET {
        return Fit {
            kept: (0..all.len()).collect(),
            cut: false,
        };
    }
    let words = task.map(task_words);
    let mut kept: Vec<usize> = (0..all.len())
        .filter(|&index| always_shown(&all[index]))
        .collect();
    let always_size: usize = kept.iter().map(|&index| size(&all[index])).sum();
    let own = |labelled: &Labelled<'_>| !labelled.project_wide && !always_shown(labelled);
    let principle = |labelled: &Labelled<'_>| labelled.principle;
    let pick = |wanted: &dyn Fn(&Labelled<'_>) -> bool, budget: usize| {
        by_priority(all, wanted, words.as_ref(), budget)
    };
    let principles_size: usize = all
        .iter()
        .filter(|labelled| principle(labelled))
        .map(size)
        .sum();
    let own_kept = pick(
        &own,
        (ANSWER_BUDGET * 3 / 4)
            .max(ANSWER_BUDGET.saturating_sub(principles_size))
            .saturating_sub(always_size),
    );
    let own_size: usize = own_kept.iter().map(|&index| size(&all[index])).sum();
    kept.extend(own_kept);
    kept.extend(pick(
        &principle,
        ANSWER_BUDGET.saturating_sub(own_size + always_size),
    ));
    kept.sort_unstable();
    let cut = kept.len() < all.len();
    Fit { kept, cut }
}

/// The sections of the constraints not in `kept` (sorted), each with how
/// many were left out and where the first of them is.
pub fn omitted(all: &[Labelled<'_>], kept: &[usize]) -> Vec<OmittedSection> {
    let mut omitted: Vec<OmittedSection> = Vec::new();
    for (index, labelled) in all.iter().enumerate() {
        if kept.binary_search(&index).is_ok() {
            continue;
        }
        match omitted.last_mut() {
            Some(last) if last.section == labelled.label => last.count += 1,
            _ => omitted.push(OmittedSection {
                section: labelled.label.to_string(),
                count: 1,
                at: labelled.item.source.to_string(),
            }),
        }
    }
    omitted
}

/// Rules every answer keeps whatever their size: a native `project.md`'s
/// constraints, and the technologies and decisions the kit chose (a
/// design's `Technology Stack`, a spec-kit plan's `Technical Context`, a
/// research note's `**Decision**:`), which an agent needs more than any
/// other constraint to write code that fits.
fn always_shown(labelled: &Labelled<'_>) -> bool {
    let own = !labelled.project_wide;
    (labelled.project_wide && !labelled.principle)
        || (own && names_stack(labelled.label))
        || (own && crate::parse::question::labelled(&labelled.item.text, DECISION).is_some())
}

/// Whether a heading names the chosen technologies.
pub fn names_stack(label: &str) -> bool {
    let name = crate::parse::markdown::normalize_heading(label);
    matches!(
        name.as_str(),
        "technology stack"
            | "tech stack"
            | "technical stack"
            | "stack"
            | "technologies"
            | "technology"
            | "technology choices"
            | "technologies used"
            | "technical context"
            | "tooling"
    )
}

/// What a constraint costs an answer: its text and its heading.
fn size(labelled: &Labelled<'_>) -> usize {
    labelled.item.text.len() + labelled.label.len()
}

/// The constraints to show with a task. Rules of a native `project.md`
/// bind every task and are always shown, and so is the chosen technology
/// stack. The feature's own constraints and
/// project principles (a constitution, steering files) are each shown whole
/// when they fit their budget; otherwise those sharing the most words with
/// the task, in document order. Returns how many were left out.
/// How much of an answer the constraints may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// A short task answer's: [`BRIEF_BUDGET`] bytes, the stack first, then
    /// the constraints closest to the task.
    Brief,
    /// The selection below, whole.
    Full,
}

/// What the constraints of a short task answer may cost, in text and
/// headings: about a quarter of its 4 KB, a third of it for project-wide
/// rules (they bind every task, so some always come along).
const BRIEF_BUDGET: usize = 1_200;
const BRIEF_PROJECT_BUDGET: usize = 500;

/// What one item costs a short answer: its text and heading, and its
/// source and the markup around it.
fn brief_size(labelled: &Labelled<'_>) -> usize {
    size(labelled) + BRIEF_ITEM_OVERHEAD
}

const BRIEF_ITEM_OVERHEAD: usize = 40;

/// What the exclusions of a short task answer may cost.
const BRIEF_SCOPE_BUDGET: usize = 800;

/// The exclusions of a short task answer: the feature's own (a project's
/// bind every feature and are listed elsewhere), those sharing the most
/// words with the task first, within [`BRIEF_SCOPE_BUDGET`] bytes, in
/// document order. Returns how many were left out.
pub fn brief_scope(items: Vec<ScopeItem>, task: &Task) -> (Vec<ScopeItem>, usize) {
    let task_words = task_words(task);
    let total = items.len();
    let mut ranked: Vec<(std::cmp::Reverse<usize>, usize, ScopeItem)> = items
        .into_iter()
        .enumerate()
        .filter(|(_, item)| item.kind != Exclusion::ProjectWide)
        .map(|(index, item)| {
            let shared = task_words.shared(&item.text);
            (std::cmp::Reverse(shared), index, item)
        })
        .collect();
    ranked.sort_by_key(|(shared, index, _)| (*shared, *index));
    let mut kept = fill(
        ranked.into_iter().map(|(_, index, item)| (index, item)),
        |(_, item)| item.text.len() + BRIEF_ITEM_OVERHEAD,
        BRIEF_SCOPE_BUDGET,
    );
    kept.sort_by_key(|(index, _)| *index);
    let left_out = total - kept.len();
    (kept.into_iter().map(|(_, item)| item).collect(), left_out)
}

pub fn for_task(all: &[Labelled<'_>], task: &Task, share: Share) -> (Vec<Constraint>, usize) {
    let task_words = task_words(task);
    // Each constraint's words shared with the task, counted once: the
    // rankings below may each look at it.
    let shared: Vec<usize> = all
        .iter()
        .map(|labelled| task_words.shared(&labelled.item.text))
        .collect();
    let mut kept: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, labelled)| always_shown(labelled))
        .map(|(index, _)| index)
        .collect();
    let stack_size: usize = kept
        .iter()
        .filter(|&&index| !all[index].project_wide)
        .map(|&index| size(&all[index]))
        .sum();
    let feature = |labelled: &Labelled<'_>| !labelled.project_wide && !always_shown(labelled);
    let principle = |labelled: &Labelled<'_>| labelled.principle;
    kept.extend(closest(
        all,
        feature,
        &shared,
        CONSTRAINT_BUDGET.saturating_sub(stack_size),
    ));
    kept.extend(closest(all, principle, &shared, PRINCIPLE_BUDGET));
    if share == Share::Brief {
        let (project, own): (Vec<usize>, Vec<usize>) = kept
            .iter()
            .partition(|&&index| all[index].project_wide && !all[index].principle);
        let project = briefest(all, &project, &shared, BRIEF_PROJECT_BUDGET);
        let used: usize = project.iter().map(|&index| brief_size(&all[index])).sum();
        kept = briefest(all, &own, &shared, BRIEF_BUDGET - used);
        kept.extend(project);
    }
    let omitted = all.len() - kept.len();
    kept.sort_unstable();
    (
        kept.into_iter()
            .map(|index| Constraint::from(&all[index]))
            .collect(),
        omitted,
    )
}

/// Of `kept`, what fits `budget` bytes: the chosen technologies first,
/// reasoning last, and between them those sharing the most words with the
/// task, then document order.
fn briefest(all: &[Labelled<'_>], kept: &[usize], shared: &[usize], budget: usize) -> Vec<usize> {
    let mut ranked: Vec<(bool, bool, std::cmp::Reverse<usize>, usize)> = kept
        .iter()
        .map(|&index| {
            let labelled = &all[index];
            let shared = shared[index];
            (
                !names_stack(labelled.label),
                reasoning(labelled),
                std::cmp::Reverse(shared),
                index,
            )
        })
        .collect();
    ranked.sort_unstable();
    let mut chosen = fill(
        ranked.into_iter().map(|(_, _, _, index)| index),
        |&index| brief_size(&all[index]),
        budget,
    );
    chosen.sort_unstable();
    chosen
}

/// Takes `ranked` in order, each that still fits `budget` by `cost`.
fn fill<T>(ranked: impl Iterator<Item = T>, cost: impl Fn(&T) -> usize, budget: usize) -> Vec<T> {
    let mut kept = Vec::new();
    let mut used = 0;
    for candidate in ranked {
        let cost = cost(&candidate);
        if used + cost <= budget {
            used += cost;
            kept.push(candidate);
        }
    }
    kept
}

/// The words a task is about (its title, description and criteria),
/// lowercase, four letters or more: enough to tell topics apart.
pub struct TaskWords(HashSet<String, BuildHasherDefault<Fnv>>);

impl TaskWords {
    /// How many of `text`'s words (counted with repeats) the task uses.
    fn shared(&self, text: &str) -> usize {
        // One lowercase copy of the text rather than one per word: this
        // runs over every constraint on every call.
        let lower;
        let text = if text.bytes().any(|byte| byte.is_ascii_uppercase()) || !text.is_ascii() {
            lower = text.to_lowercase();
            lower.as_str()
        } else {
            text
        };
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|word| word.len() >= 4 && self.0.contains(*word))
            .count()
    }
}

fn task_words(task: &Task) -> TaskWords {
    let texts = std::iter::once(task.title.as_str())
        .chain(std::iter::once(task.description.as_str()))
        .chain(
            task.acceptance_criteria
                .iter()
                .map(|item| item.text.as_str()),
        );
    let mut words = HashSet::default();
    for text in texts {
        for word in text.to_lowercase().split(|c: char| !c.is_alphanumeric()) {
            if word.len() >= 4 && !words.contains(word) {
                words.insert(word.to_string());
            }
        }
    }
    TaskWords(words)
}

/// FNV-1a: the words hashed here are short and not chosen by an attacker
/// who could profit from collisions, and `SipHash` cost more than the rest
/// of the ranking.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// Indices of the constraints picked by `wanted` that fit `budget` bytes,
/// chosen in this order: reasoning last (a `Rationale` or the `Alternatives
/// considered`, which say why, not what), then those sharing the most words
/// with the task, then document order. Returned in document order.
fn by_priority(
    all: &[Labelled<'_>],
    wanted: impl Fn(&Labelled<'_>) -> bool,
    task_words: Option<&TaskWords>,
    budget: usize,
) -> Vec<usize> {
    let mut ranked: Vec<(bool, std::cmp::Reverse<usize>, usize)> = (0..all.len())
        .filter(|&index| wanted(&all[index]))
        .map(|index| {
            let shared =
                task_words.map_or(0, |task_words| task_words.shared(&all[index].item.text));
            (reasoning(&all[index]), std::cmp::Reverse(shared), index)
        })
        .collect();
    ranked.sort_unstable();
    let mut kept = fill(
        ranked.into_iter().map(|(_, _, index)| index),
        |&index| size(&all[index]),
        budget,
    );
    kept.sort_unstable();
    kept
}

/// Labels that open an item saying why a decision was made rather than what
/// it is.
const REASONING: &[&str] = &[
    "rationale",
    "alternatives considered",
    "alternatives",
    "rejected alternatives",
    "trigger to revisit",
    "why",
];

/// Labels that open an item stating a decision.
const DECISION: &[&str] = &["decision", "chosen", "choice"];

fn reasoning(labelled: &Labelled<'_>) -> bool {
    crate::parse::question::labelled(&labelled.item.text, REASONING).is_some()
}

/// Each section label once, in order.
pub fn unique_labels(all: &[Labelled<'_>]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for labelled in all {
        if !labels.iter().any(|label| label == labelled.label) {
            labels.push(labelled.label.to_string());
        }
    }
    labels
}

/// Indices of the constraints in `all` picked by `wanted`: all of them when
/// they fit `budget` bytes, else those sharing the most words with the task.
fn closest(
    all: &[Labelled<'_>],
    wanted: impl Fn(&Labelled<'_>) -> bool,
    shared: &[usize],
    budget: usize,
) -> Vec<usize> {
    let candidates: Vec<usize> = (0..all.len())
        .filter(|&index| wanted(&all[index]))
        .collect();
    if candidates
        .iter()
        .map(|&index| size(&all[index]))
        .sum::<usize>()
        <= budget
    {
        return candidates;
    }
    let mut ranked: Vec<(usize, usize)> = candidates
        .into_iter()
        .map(|index| {
            let shared = shared[index];
            (index, shared)
        })
        .filter(|(_, shared)| *shared > 0)
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    fill(
        ranked.into_iter().map(|(index, _)| index),
        |&index| size(&all[index]),
        budget,
    )
}
