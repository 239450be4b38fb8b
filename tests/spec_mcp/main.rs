//! The one integration test binary: the CLI, the quality gate (`check`),
//! parsing fixture kits, the writer, the MCP server driven by real clients
//! (rmcp's, and the official Python and TypeScript SDKs), resources and
//! live reload, the workflow prompts, and every bad input of the tech
//! spec's catalogue.

mod bad_input;
mod check;
mod checks;
mod cli;
mod cli_answers;
mod edit;
mod fidelity;
mod http;
mod install;
mod interop;
mod layout_cases;
mod layouts;
mod mcp;
mod parse;
mod prompts;
mod properties;
mod reading;
mod reliability;
mod resources;
mod sdk_clients;
mod support;
mod targets;
