//! The agent skill for the spec-driven workflow, built into the binary so
//! that `install --skill` writes it and the server serves it without a
//! copy on disk. The text lives in `skills/spec-driven/SKILL.md`.

/// The skill's name: its folder's name and its front matter's `name`.
pub const NAME: &str = "spec-driven";

/// The skill's `SKILL.md`, front matter and instructions.
pub const SKILL_MD: &str = include_str!("../skills/spec-driven/SKILL.md");

#[cfg(test)]
mod tests {
    use super::*;

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
