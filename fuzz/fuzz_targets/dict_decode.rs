//! The dictionary transform's decoder on arbitrary bytes: an error or some output, never a panic
//! (see `aizip::fuzz_checks::dict_decode`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aizip::fuzz_checks::dict_decode(data));
