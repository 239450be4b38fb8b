//! The agent skill for the spec-driven workflow, built into the binary so
//! that `install --skill` writes it and the server serves it without a
//! copy on disk. The text lives in `skills/spec-driven/SKILL.md`.

/// The skill's name: its folder's name and its front matter's `name`.
pub const NAME: &str = "spec-driven";

/// The skill's `SKILL.md`, front matter and instructions.
pub const SKILL_MD: &str = include_str!("../skills/spec-driven/SKILL.md");

/// Where the server serves `SKILL.md`: `skill://<name>/SKILL.md`, as the
/// Skills-over-MCP extension names a skill's entry file.
pub const URI: &str = "skill://spec-driven/SKILL.md";

/// The front matter's fields, `key: value` lines, in the order written.
/// Every value is a plain one-line scalar (a test holds the file to that),
/// so this reading is the one a YAML reader makes.
pub fn front_matter() -> Vec<(&'static str, &'static str)> {
    let front = SKILL_MD
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or("", |(front, _)| front);
    front
        .lines()
        .filter_map(|line| line.split_once(": "))
        .collect()
}

/// The front matter's `description`: when an agent should use the skill.
pub fn description() -> &'static str {
    front_matter()
        .into_iter()
        .find_map(|(key, value)| (key == "description").then_some(value))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_front_matter_line_is_a_plain_key_and_value() {
        let front = SKILL_MD
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map(|(front, _)| front)
            .expect("SKILL.md starts with front matter");
        assert_eq!(front_matter().len(), front.lines().count());
        for (key, value) in front_matter() {
            assert!(
                key.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{key}"
            );
            // What would make YAML read the value otherwise: quotes, a
            // block or flow start, a nested key, a comment.
            assert!(
                !value.starts_with(['"', '\'', '|', '>', '[', '{', '&', '*', '!', '%', '@', '`'])
                    && !value.contains(": ")
                    && !value.contains(" #")
                    && value.trim() == value,
                "{key}: {value}"
            );
        }
        assert_eq!(front_matter()[0], ("name", NAME));
        assert_eq!(URI, format!("skill://{NAME}/SKILL.md"));
        assert!(description().starts_with("Work from the project's spec kit"));
    }

    #[test]
    fn the_front_matter_names_the_skill_and_says_when_to_use_it() {
        let front = SKILL_MD
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map(|(front, _)| front)
            .expect("SKILL.md starts with front matter");
        assert!(front.lines().any(|line| line == format!("name: {NAME}")));
        let description = front
            .lines()
            .find_map(|line| line.strip_prefix("description: "))
            .expect("a description");
        // The Agent Skills format caps the description at 1,024 characters.
        assert!(!description.is_empty() && description.chars().count() <= 1024);
    }
}
