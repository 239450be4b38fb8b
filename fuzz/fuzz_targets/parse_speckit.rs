//! Parsing any text as any file of the spec-kit layout never panics, and every
//! span and `path:line` it reports points into the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spec_mcp::model::Layout;

fuzz_target!(|data: &[u8]| spec_mcp_fuzz::parse_every_file(Layout::SpecKit, data));
