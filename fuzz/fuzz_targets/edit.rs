//! Answering every question and setting every task of a feature document
//! of any layout refuses, or changes that question or task alone and keeps
//! every other line. The input is `document NUL answer`; without a NUL, a
//! plain answer is given, so any markdown file is a seed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| spec_mcp_fuzz::answer_and_set_status(data));
