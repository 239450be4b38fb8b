//! `spec-mcp check`: the quality gate for CI. Runs the rules of `lint`
//! through the service (the same answer `check_spec` gives over MCP) and
//! prints the findings for a person, as JSON, or as GitHub workflow
//! annotations. Exits 0 when no finding is an error, 1 when one is, 2
//! when the check could not run.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::cli::KitOptions;
use crate::cli::serve::open_kit;
use crate::lint::{Levels, Rule, Selector};
use crate::service::answer::{Check, Finding, FindingLevel};
use crate::service::params::CheckSpec;
use crate::service::{self, Kit};

/// Check the kit for what it still lacks before an agent can work from it.
#[derive(Debug, Clone, Args)]
#[command(after_help = after_help())]
pub struct CheckArgs {
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Report this rule as an error (repeatable); `warnings` for every
    /// rule that is a warning by default.
    #[arg(long, value_name = "RULE", value_parser = parse_selector)]
    pub deny: Vec<Selector>,
    /// Do not report this rule (repeatable); `warnings` for every rule that
    /// is a warning by default. A rule named in `--deny` too is denied.
    #[arg(long, value_name = "RULE", value_parser = parse_selector)]
    pub allow: Vec<Selector>,
    /// Colour the human format: `auto` when stdout is a terminal and
    /// `NO_COLOR` is unset.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per finding, `path:line: level[rule]: message`, then a
    /// summary.
    Human,
    /// The findings as one JSON object, the structured content of the
    /// `check_spec` tool.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…`), which
    /// annotate the lines in a pull request.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

fn after_help() -> String {
    let mut help = String::from("Rules (default level):\n");
    for rule in Rule::ALL {
        let _ = writeln!(
            help,
            "  {:<22} {:<8} {}",
            rule.id(),
            rule.default_level(),
            rule.summary()
        );
    }
    help.push_str(
        "\nExit status: 0 when no finding is an error, 1 when one is, 2 when the check could not run.\n\n\
         Examples:\n  \
         spec-mcp check --root .                          # every feature and the project-wide files\n  \
         spec-mcp check --root . --feature 001-login      # one feature\n  \
         spec-mcp check --deny warnings --allow open-question\n  \
         spec-mcp check --format github                   # annotations in a GitHub Actions job",
    );
    help
}

fn parse_selector(text: &str) -> Result<Selector, String> {
    Selector::parse(text).ok_or_else(|| {
        let ids: Vec<&str> = Rule::ALL.iter().map(|rule| rule.id()).collect();
        format!(
            "`{text}` is not a rule; the rules are {}, or `warnings` for every warning",
            ids.join(", ")
        )
    })
}

pub fn run(options: &KitOptions, args: &CheckArgs) -> ExitCode {
    let kit = match open_kit(options) {
        Ok(kit) => kit,
        Err(error) => return could_not_run(&format!("{error:#}")),
    };
    let levels = Levels {
        deny: args.deny.clone(),
        allow: args.allow.clone(),
    };
    let check = match checked(&kit, options, &levels) {
        Ok(check) => check,
        Err(message) => return could_not_run(&message),
    };
    let output = match args.format {
        Format::Human => human(&check, &options.root, colored(args.color)),
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&check).unwrap_or_default();
            json.push('\n');
            json
        }
        Format::Github => github(&check, &options.root),
    };
    let mut stdout = std::io::stdout().lock();
    // A reader that stopped reading (`| head`) is not a failure of the check.
    let _ = stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush());
    if check.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn checked(kit: &Kit, options: &KitOptions, levels: &Levels) -> Result<Check, String> {
    let params = CheckSpec {
        feature: options.feature.clone(),
    };
    service::check(kit, &params, levels).map_err(|error| {
        format!(
            "checking the spec root {}: {error}",
            kit.workspace.root().display()
        )
    })
}

fn could_not_run(message: &str) -> ExitCode {
    eprintln!("spec-mcp: error: {message}");
    ExitCode::from(2)
}

fn colored(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        }
    }
}

/// A finding's file as the user can open it: under the root as given on
/// the command line, relative to the working folder when the root is
/// absolute and inside it (GitHub wants paths from the checkout's top).
fn shown_path(root: &Path, finding: &Finding) -> String {
    let joined = root.join(&finding.path);
    let relative = std::env::current_dir()
        .ok()
        .and_then(|here| joined.strip_prefix(here).ok().map(Path::to_path_buf));
    let shown = relative.unwrap_or(joined);
    let shown = shown.strip_prefix(".").unwrap_or(&shown);
    shown.to_string_lossy().replace('\\', "/")
}

fn human(check: &Check, root: &Path, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for finding in &check.findings {
        let level = match finding.level {
            FindingLevel::Error => paint("1;31", "error"),
            FindingLevel::Warning => paint("1;33", "warning"),
        };
        let _ = writeln!(
            out,
            "{}: {level}[{}]: {}",
            paint(
                "1",
                &format!("{}:{}", shown_path(root, finding), finding.line)
            ),
            finding.rule,
            finding.message
        );
    }
    let features = match check.features.len() {
        1 => "1 feature".to_string(),
        count => format!("{count} features"),
    };
    let summary = if check.findings.is_empty() {
        format!("check passed: no findings in {features}")
    } else {
        format!(
            "check {}: {} in {features}",
            if check.errors > 0 { "failed" } else { "passed" },
            counted(check.errors, check.warnings)
        )
    };
    let _ = writeln!(out, "{}", paint("1", &summary));
    out
}

fn counted(errors: usize, warnings: usize) -> String {
    let plural = |count: usize, what: &str| {
        if count == 1 {
            format!("1 {what}")
        } else {
            format!("{count} {what}s")
        }
    };
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// One workflow command per finding: GitHub shows it on the line it
/// names, in the job's summary and in a pull request's diff.
fn github(check: &Check, root: &Path) -> String {
    let mut out = String::new();
    for finding in &check.findings {
        let command = match finding.level {
            FindingLevel::Error => "error",
            FindingLevel::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},title={}::{}",
            escape_property(&shown_path(root, finding)),
            finding.line,
            escape_property(&finding.rule),
            escape_data(&finding.message)
        );
    }
    out
}

/// A workflow command's message: `%`, CR and LF would end or garble it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value, where `:` and `,` separate too.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{escape_data, escape_property};

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
