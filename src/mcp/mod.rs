//! The MCP face of the kit: tools (and later resources and prompts) built
//! on rmcp. The only module that knows rmcp; wire types live here, not in
//! the model.

pub mod answer;
pub mod params;
pub mod render;
pub mod select;
pub mod server;

pub use server::{Defaults, Kit, SpecServer};
