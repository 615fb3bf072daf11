//! Any input survives compression and decompression, with and without the dictionary transform
//! (see `aizip::fuzz_checks::round_trip`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aizip::fuzz_checks::round_trip(data));
