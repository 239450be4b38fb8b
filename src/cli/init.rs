//! `spec-mcp init`: writes the example kit, never over an existing file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;

/// The example kit, as shipped in `specs-example/`.
const FILES: [(&str, &str); 7] = [
    ("project.md", include_str!("../../specs-example/project.md")),
    (
        "image-upload/prd.md",
        include_str!("../../specs-example/image-upload/prd.md"),
    ),
    (
        "image-upload/tech-spec.md",
        include_str!("../../specs-example/image-upload/tech-spec.md"),
    ),
    (
        "image-upload/tasks.md",
        include_str!("../../specs-example/image-upload/tasks.md"),
    ),
    (
        "listing-generator/prd.md",
        include_str!("../../specs-example/listing-generator/prd.md"),
    ),
    (
        "listing-generator/tech-spec.md",
        include_str!("../../specs-example/listing-generator/tech-spec.md"),
    ),
    (
        "listing-generator/tasks.md",
        include_str!("../../specs-example/listing-generator/tasks.md"),
    ),
];

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to write the kit into; created if missing.
    #[arg(default_value = "specs")]
    pub dir: PathBuf,
}

pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let existing: Vec<PathBuf> = FILES
        .iter()
        .map(|(name, _)| args.dir.join(name))
        .filter(|path| path.exists())
        .collect();
    if !existing.is_empty() {
        let names: Vec<String> = existing
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        bail!(
            "refusing to overwrite existing files: {}. Choose another folder or move them away",
            names.join(", ")
        );
    }
    for (name, contents) in FILES {
        write_new(&args.dir.join(name), contents)?;
    }
    eprintln!(
        "wrote an example spec kit to {} ({} files). Try: spec-mcp serve --root {}",
        args.dir.display(),
        FILES.len(),
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates a file that must not exist yet (checked again at creation, so a
/// file appearing meanwhile is not overwritten).
fn write_new(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut file, contents.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}
