//! `spec-mcp serve`: open the kit and serve it over stdio.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use std::path::PathBuf;

use crate::cli::KitOptions;
use crate::edit::Writer;
use crate::model::Layout;
use crate::service::{Defaults, Kit};
use crate::transport;
use crate::workspace::Workspace;

pub fn run(options: &KitOptions) -> anyhow::Result<ExitCode> {
    let kit = Arc::new(open_kit(options)?);
    tracing::info!(
        root = %kit.workspace.root().display(),
        read_only = options.read_only,
        "serving over stdio"
    );
    if std::io::stdin().is_terminal() {
        eprintln!(
            "spec-mcp speaks MCP on stdin/stdout and is waiting for a client. Add it to your \
             editor instead (see the README), or press Ctrl-D to quit."
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(transport::stdio::serve(kit))?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the spec root with the command line's defaults.
pub fn open_kit(options: &KitOptions) -> anyhow::Result<Kit> {
    let workspace = Workspace::open_with(&options.root, options.layout.map(Layout::from))
        .with_context(|| {
            format!(
                "opening the spec root (pass --root with the folder that holds your specs; got {})",
                options.root.display()
            )
        })?;
    Ok(Kit {
        workspace,
        writer: Writer::new(options.read_only),
        defaults: Defaults {
            feature: options.feature.clone(),
            task: options.task.clone(),
            // spec-kit's own way of naming the feature being worked on.
            specify_feature_directory: non_empty_env("SPECIFY_FEATURE_DIRECTORY")
                .map(PathBuf::from),
            specify_feature: non_empty_env("SPECIFY_FEATURE"),
        },
    })
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}
