//! The MCP face of the kit: rmcp's handler over the answer service, and
//! the markdown each tool result carries beside its structured content.
//! The only module that knows rmcp.

pub mod prompts;
pub mod render;
pub mod resources;
pub mod schema;
pub mod server;
pub mod splice;

pub use server::{SpecServer, Tools};
pub use splice::Splices;
