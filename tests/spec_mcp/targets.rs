//! Every markdown file each layout reads, as a place in a kit and a role:
//! what the property tests and the fuzz targets parse and append to. The
//! fuzz crate includes this file by path, so it names the library as
//! `spec_mcp` and nothing of the test crate.

use std::path::Path;
use std::sync::Arc;

use spec_mcp::model::{Document, DocumentRole, Layout};
use spec_mcp::parse::{self, CONVENTIONS};

/// A file a layout reads: where it sits in a kit and the role it plays.
#[derive(Debug, Clone)]
pub struct Target {
    pub layout: Layout,
    pub path: String,
    pub role: DocumentRole,
    /// A feature's document (questions may be written to it), not a
    /// project-wide one.
    pub feature: bool,
}

/// Every markdown file of every convention, with a path of the shape the
/// workspace gives it (OpenSpec reads the capability from a delta spec's
/// path, so the path matters).
pub fn targets() -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    for convention in CONVENTIONS {
        for (pattern, role) in convention.documents {
            targets.push(Target {
                layout: convention.layout,
                path: format!(
                    "{}/feature/{}",
                    convention.base,
                    pattern.replace('*', "orders")
                ),
                role: *role,
                feature: true,
            });
        }
        for (pattern, role) in convention.project {
            // OpenSpec's `config.yaml` is YAML, read on its own.
            let markdown = Path::new(pattern)
                .extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("md"));
            if !markdown {
                continue;
            }
            let path = if convention.project_in_base {
                format!("{}/{pattern}", convention.base)
            } else {
                pattern.replace('*', "product")
            };
            let known = targets
                .iter()
                .any(|target| target.layout == convention.layout && target.path == path);
            if !known {
                targets.push(Target {
                    layout: convention.layout,
                    path,
                    role: *role,
                    feature: false,
                });
            }
        }
    }
    targets
}

/// `text` parsed as the file `target` names.
pub fn parse_as(target: &Target, text: &str) -> Document {
    parse::document_in(
        target.layout,
        Arc::from(target.path.as_str()),
        target.role,
        text,
    )
}
