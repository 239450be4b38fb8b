//! Appending any question to a feature document of any layout refuses,
//! or keeps every old byte and adds exactly one question and no structure
//! of its own. The input is `document NUL question [NUL context]`; without
//! a NUL, a plain question is asked, so any markdown file is a seed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| spec_mcp_fuzz::append_to_some_file(data));
