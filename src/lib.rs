//! spec-mcp serves a spec kit (PRD, technical spec, tasks, Definition of
//! Done) to AI coding agents over the Model Context Protocol, and records
//! the questions they cannot answer back into the spec.
//!
//! Modules in pipeline order: `workspace` finds and reads files, `parse`
//! turns markdown into the `model`, `current` says which feature and task
//! are current and `query` what binds them, `service` answers each tool
//! (with `note` for what the answers say besides their items), and the
//! front ends present the answers: `mcp` over rmcp, `cli` on the command
//! line. `lint` holds the rules of the quality gate (`check`), read over
//! the same model. `edit` is the only way back to disk and `transport` the
//! only code that talks to clients. `skill` holds the agent skill that
//! describes the workflow.

pub mod cli;
pub mod current;
pub mod edit;
pub mod git;
pub mod lint;
pub mod mcp;
pub mod model;
pub mod note;
pub mod parse;
pub mod query;
pub mod render;
pub mod service;
pub mod skill;
pub mod transport;
pub mod workspace;
